//! The command line's arguments (clap).

use clap::{Args, Parser, Subcommand, ValueEnum};
use rust_decimal::Decimal;

use crate::output::Lang;

const ABOUT: &str = "KIS Developers (한국투자증권) Open API from the command line: every endpoint by name, \
quotes, balances and orders, a JSON-lines trading session and an MCP server. Paper is the default.";

const AFTER: &str = "\
Configuration: kis_devlp.yaml (KIS_CONFIG, ~/KIS/config/) and KIS_* variables; paper unless the
file says `env: real` or --real is given. Orders on the real service need allow_real_trading
(KIS_ALLOW_REAL_TRADING=1) AND typing `yes` to the echoed order (or --yes).
--simulator (KIS_SIMULATOR=1) runs everything against an in-process simulator.
";

/// `kis`.
#[derive(Debug, Parser)]
#[command(name = "kis", version, about = ABOUT, after_help = format!("{AFTER}\n{}", crate::exit::EXIT_CODES))]
pub struct Cli {
    /// One JSON document (JSON lines for streams).
    #[arg(long, global = true, conflicts_with = "csv")]
    pub json: bool,
    /// CSV with a header row.
    #[arg(long, global = true)]
    pub csv: bool,
    /// Header language of tables and CSV.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "en",
        env = "KIS_LANG"
    )]
    pub lang: Lang,
    /// Run against an in-process simulator (paper), not KIS.
    #[arg(long, global = true, env = "KIS_SIMULATOR", value_parser = clap::builder::FalseyValueParser::new())]
    pub simulator: bool,
    /// Use the real service (KIS_ENV=real); orders still need the opt-in and a confirmation.
    #[arg(long, global = true)]
    pub real: bool,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Call any endpoint by category/id, URL path or TR ID with KEY=VALUE parameters.
    Call {
        /// `domestic_stock/inquire_price`, `/uapi/domestic-stock/v1/quotations/inquire-price` or `FHKST01010100`.
        endpoint: String,
        /// KEY=VALUE parameters (KIS wire name or Rust setter name).
        params: Vec<String>,
        /// The variant (`buy`, `sell`, ...) when the endpoint has several.
        #[arg(long)]
        variant: Option<String>,
        /// Allow a state-changing endpoint (an order).
        #[arg(long)]
        trade: bool,
        /// Confirm a real order without asking (needs the real-trading opt-in).
        #[arg(long)]
        yes: bool,
        /// Print the request that would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
        /// Only the first page of an inquiry that pages (by default every page is fetched and
        /// the rows joined, with the page count on stderr).
        #[arg(long)]
        first_page: bool,
    },
    /// List endpoints, filtered by words (Korean or English; ids, paths, TR IDs, titles).
    Endpoints {
        /// Search words (all must match).
        words: Vec<String>,
    },
    /// Parameters, kinds, code lists, paging, real/paper and read/trade of one endpoint.
    Describe {
        /// category/id, URL path or TR ID.
        endpoint: String,
    },
    /// Current price of one or more symbols (code, name or MARKET:CODE).
    Quote {
        /// `005930`, `삼성전자`, `NASDAQ:AAPL`.
        #[arg(required = true)]
        symbols: Vec<String>,
    },
    /// The order book (호가).
    Book {
        /// The symbol.
        symbol: String,
    },
    /// Candles (일/주/월/년봉), paged past KIS's 100 rows.
    Candles {
        /// The symbol.
        symbol: String,
        /// Bar period.
        #[arg(long, value_enum, default_value = "day")]
        period: PeriodArg,
        /// First day (YYYYMMDD or YYYY-MM-DD); default 90 days before --to.
        #[arg(long)]
        from: Option<String>,
        /// Last day; default the trading day.
        #[arg(long)]
        to: Option<String>,
    },
    /// Cash and positions of the configured account.
    Balance,
    /// The order ledger's orders of the account (reconciled with KIS).
    Orders,
    /// KIS's orders and executions of the account (일별주문체결; US: 해외주식 주문체결내역).
    Executions {
        /// First day; default --to.
        #[arg(long)]
        from: Option<String>,
        /// Last day; default the trading day (US: New York's day).
        #[arg(long)]
        to: Option<String>,
        /// Which orders: KRX (domestic) or the US venues (NASDAQ, NYSE, AMEX; New York dates).
        #[arg(long, value_enum, default_value = "domestic")]
        market: MarketArg,
    },
    /// Realized P&L of FROM..=TO as KIS books it (기간별손익): per day, per symbol, totals.
    /// Real service only (KIS has no paper TR for it).
    Pnl {
        /// First day (YYYYMMDD or YYYY-MM-DD).
        from: String,
        /// Last day.
        to: String,
    },
    /// Holdings that differ from what the order ledger's fills imply (empty: they agree).
    Drift,
    /// Buy through the ledger.
    Buy(OrderCli),
    /// Sell through the ledger.
    Sell(OrderCli),
    /// Change an open order's price or quantity.
    Modify {
        /// Ledger order id (`L3`).
        id: String,
        /// New price.
        #[arg(long)]
        price: Option<Decimal>,
        /// New quantity.
        #[arg(long)]
        qty: Option<u64>,
        /// Confirm a real order without asking (needs the opt-in).
        #[arg(long)]
        yes: bool,
    },
    /// Cancel an open order.
    Cancel {
        /// Ledger order id (`L3`).
        id: String,
        /// Confirm a real order without asking (needs the opt-in).
        #[arg(long)]
        yes: bool,
    },
    /// Realtime records as they come (JSON lines with --json).
    Stream {
        /// TR ID (`H0STCNT0`).
        tr: String,
        /// TR keys (`005930`).
        #[arg(required = true)]
        keys: Vec<String>,
        /// Stop after this many records.
        #[arg(long)]
        count: Option<u64>,
    },
    /// Start the simulator, print the kis_devlp.yaml pointing at it, serve until Ctrl-C.
    Mock {
        /// Imitate the real service (real TR IDs).
        #[arg(long = "real-service")]
        real: bool,
        /// REST port (0: any).
        #[arg(long, default_value_t = 0)]
        rest_port: u16,
        /// Websocket port (0: any).
        #[arg(long, default_value_t = 0)]
        ws_port: u16,
        /// Market seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Also stop when standard input closes (for scripts and tests).
        #[arg(long)]
        until_stdin_closes: bool,
        /// Rows per page of daily executions and the balance (default: KIS's, 100/15 for
        /// executions on the real/paper service): small pages exercise a client's paging.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        page_size: Option<u32>,
    },
    /// Access token: status (masked) or revoke.
    Token {
        /// What to do.
        #[command(subcommand)]
        cmd: TokenCmd,
    },
    /// A long-running trading session for programs: JSON-line commands in, ledger events out.
    Trade {
        /// Speak JSON lines on stdin/stdout (the only mode).
        #[arg(long)]
        jsonl: bool,
        /// Confirm real orders without asking (needs the opt-in; there is no terminal to ask).
        #[arg(long)]
        yes: bool,
        /// While orders are open and no notice came for this long, ask KIS (milliseconds;
        /// default the `kis` crate's, 2000).
        #[arg(long, value_parser = clap::value_parser!(u64).range(50..))]
        poll_ms: Option<u64>,
        /// An order that may have been sent is declared not sent only after this long and two
        /// inquiries without it (milliseconds; default the `kis` crate's, 3000).
        #[arg(long, value_parser = clap::value_parser!(u64).range(50..))]
        resolve_ms: Option<u64>,
        /// When stdin closes, wait at most this long for orders in flight to be resolved
        /// before the `end` line (milliseconds).
        #[arg(long, default_value_t = 15_000)]
        settle_ms: u64,
    },
    /// Model Context Protocol server over stdio.
    Mcp(McpCli),
    /// Shell completions (`kis completions bash > /etc/bash_completion.d/kis`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// `token` subcommands.
#[derive(Debug, Subcommand)]
pub enum TokenCmd {
    /// What the client uses, secrets masked.
    Status {
        /// Get a token now (cache or one issuance) to check it works.
        #[arg(long)]
        check: bool,
    },
    /// Revoke the access token at KIS.
    Revoke,
}

/// An order on the command line.
#[derive(Debug, Args)]
pub struct OrderCli {
    /// `005930`, `삼성전자`, `NASDAQ:AAPL`.
    pub symbol: String,
    /// Whole shares.
    pub qty: u64,
    /// Limit price.
    #[arg(long, conflicts_with = "market")]
    pub price: Option<Decimal>,
    /// Market order.
    #[arg(long)]
    pub market: bool,
    /// Idempotency key (a second submit with it returns the first order).
    #[arg(long)]
    pub key: Option<String>,
    /// Confirm a real order without asking (needs the opt-in).
    #[arg(long)]
    pub yes: bool,
    /// Wait up to this many seconds for the order to finish.
    #[arg(long)]
    pub wait: Option<u64>,
}

impl From<OrderCli> for crate::trade::OrderArgs {
    fn from(o: OrderCli) -> Self {
        crate::trade::OrderArgs {
            symbol: o.symbol,
            qty: o.qty,
            price: o.price,
            market: o.market,
            key: o.key,
            yes: o.yes,
            wait: o.wait,
        }
    }
}

/// Which account orders `executions` lists.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MarketArg {
    /// KRX (국내).
    Domestic,
    /// The US venues: NASDAQ, NYSE, AMEX (미국).
    Us,
}

/// Candle periods.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PeriodArg {
    /// 일봉.
    Day,
    /// 주봉.
    Week,
    /// 월봉.
    Month,
    /// 년봉.
    Year,
}

impl From<PeriodArg> for kis::Period {
    fn from(p: PeriodArg) -> Self {
        match p {
            PeriodArg::Day => kis::Period::Day,
            PeriodArg::Week => kis::Period::Week,
            PeriodArg::Month => kis::Period::Month,
            PeriodArg::Year => kis::Period::Year,
        }
    }
}

/// `kis mcp` options.
#[derive(Debug, Args)]
pub struct McpCli {
    /// Offer the trading tools (preview_order, place_order, modify_order, cancel_order).
    #[arg(long)]
    pub trading: bool,
    /// Most shares in one order.
    #[arg(long, default_value_t = 10)]
    pub max_qty: u64,
    /// Most money in one order (price x quantity, in the symbol's currency).
    #[arg(long, default_value = "1000000")]
    pub max_notional: Decimal,
    /// Most orders placed per server day.
    #[arg(long, default_value_t = 20)]
    pub max_orders_per_day: u32,
    /// Symbols that may be traded (comma-separated); empty: any.
    #[arg(long, value_delimiter = ',')]
    pub symbols: Vec<String>,
    /// Audit log (JSON lines, 0600); default ~/.cache/kis-rs/mcp-audit.jsonl.
    #[arg(long)]
    pub audit_log: Option<std::path::PathBuf>,
    /// How long a preview stays valid, in seconds.
    #[arg(long, default_value_t = 120)]
    pub preview_ttl: u64,
}
