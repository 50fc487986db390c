//! The `kis-mock` binary: a KIS stand-in any client can point at (the official Python samples
//! included), on fixed or ephemeral loopback ports until Ctrl-C.

use std::process::ExitCode;

use chrono::NaiveDateTime;
use clap::{Parser, ValueEnum};
use kis_mock::{MockCalendar, MockClock, MockConfig, MockServer};

/// A local stand-in for the KIS Open API: REST and websocket on 127.0.0.1 over one seeded,
/// simulated market. Prints its URLs, the credentials it accepts and a `kis_devlp.yaml` for
/// KIS's official Python samples; serves until Ctrl-C.
#[derive(Debug, Parser)]
#[command(name = "kis-mock", version)]
struct Args {
    /// REST port on 127.0.0.1 (0: an ephemeral port).
    #[arg(long, default_value_t = 0, value_name = "PORT")]
    rest_port: u16,
    /// Websocket port on 127.0.0.1 (0: an ephemeral port).
    #[arg(long, default_value_t = 0, value_name = "PORT")]
    ws_port: u16,
    /// Imitate the paper (vps) service: paper TR IDs, 2 requests/s.
    #[arg(long)]
    paper: bool,
    /// Market seed: the same seed gives the same prices, volumes and book.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The only app key the mock accepts (default: its own throwaway one).
    #[arg(long, value_name = "KEY")]
    app_key: Option<String>,
    /// The only app secret the mock accepts.
    #[arg(long, value_name = "SECRET")]
    app_secret: Option<String>,
    /// The only account the mock accepts, CANO-PRDT (e.g. 12345678-01).
    #[arg(long, value_parser = parse_account)]
    account: Option<String>,
    /// The HTS ID execution notices are subscribed with.
    #[arg(long, value_name = "ID")]
    hts_id: Option<String>,
    /// Run the market on the real KST clock (closed outside KRX hours).
    #[arg(long, conflicts_with = "start")]
    real_time: bool,
    /// Start the simulated clock at this KST time, 'YYYY-MM-DD HH:MM:SS' (default: 10:30 today,
    /// or of the latest KRX trading day with --calendar krx).
    #[arg(long, value_parser = parse_start, value_name = "TIME")]
    start: Option<NaiveDateTime>,
    /// Simulated seconds per real second (60 runs a trading day in 6.5 minutes).
    #[arg(long, default_value_t = 1.0, value_parser = parse_speed)]
    speed: f64,
    /// Which days trade: sandbox (every day from the start on, weekends and holidays
    /// included) or krx (KRX's and NYSE's calendars).
    #[arg(long, value_enum, default_value_t = CalendarArg::Sandbox)]
    calendar: CalendarArg,
    /// Switch the per-second request limit off.
    #[arg(long)]
    no_rate_limit: bool,
    /// Rows per page of daily executions and the balance (default: KIS's, 100/50 real,
    /// 15/20 paper).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=10_000), value_name = "N")]
    page_size: Option<u32>,
    /// Accept a well-formed token this mock did not issue (a client's cached token after a
    /// restart).
    #[arg(long)]
    accept_any_token: bool,
    /// Serve the control API under /__mock/ (faults, the truth; loopback peers only).
    #[arg(long)]
    control: bool,
}

/// `--calendar`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CalendarArg {
    /// Every day from the clock's start on trades.
    Sandbox,
    /// KRX's (and NYSE's) calendar.
    Krx,
}

fn parse_account(a: &str) -> Result<String, String> {
    let ok = a.len() == 11
        && a.as_bytes()[8] == b'-'
        && a.bytes()
            .enumerate()
            .all(|(i, b)| i == 8 || b.is_ascii_digit());
    if ok {
        Ok(a.to_owned())
    } else {
        Err("want CANO-PRDT, e.g. 12345678-01".into())
    }
}

fn parse_start(v: &str) -> Result<NaiveDateTime, String> {
    NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S")
        .map_err(|e| format!("{e} (want 'YYYY-MM-DD HH:MM:SS')"))
}

fn parse_speed(v: &str) -> Result<f64, String> {
    v.parse::<f64>()
        .ok()
        .filter(|s| *s > 0.0 && s.is_finite())
        .ok_or_else(|| "want a positive number".into())
}

impl Args {
    fn config(self) -> MockConfig {
        let mut config = if self.paper {
            MockConfig::paper()
        } else {
            MockConfig::default()
        };
        config.rest_port = self.rest_port;
        config.ws_port = self.ws_port;
        config.seed = self.seed;
        if let Some(v) = self.app_key {
            config.app_key = v;
        }
        if let Some(v) = self.app_secret {
            config.app_secret = v;
        }
        if let Some(v) = self.account {
            config.account = v;
        }
        if let Some(v) = self.hts_id {
            config.hts_id = v;
        }
        config.clock = if self.real_time {
            MockClock::Real
        } else {
            MockClock::Simulated {
                start: self.start,
                speed: self.speed,
            }
        };
        config.calendar = match self.calendar {
            CalendarArg::Sandbox => MockCalendar::Sandbox,
            CalendarArg::Krx => MockCalendar::Krx,
        };
        if self.no_rate_limit {
            config.rate_limit_per_sec = None;
        }
        config.paging.account_rows = self.page_size;
        config.accept_any_token = self.accept_any_token;
        config.control = self.control;
        config
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    // Bad arguments (a port above 65535, a malformed time) end here with a message, exit 2.
    let config = Args::parse().config();
    // Listen for Ctrl-C before serving, so an interrupt right after the URLs appear stops us
    // cleanly instead of killing the process.
    let stop = tokio::spawn(tokio::signal::ctrl_c());
    tokio::task::yield_now().await;
    let mock = match MockServer::start(config).await {
        Ok(mock) => mock,
        Err(e) => {
            eprintln!("kis-mock: cannot listen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let c = mock.config();
    let (env, mode) = match c.env {
        kis_mock::MockEnv::Real => ("real", "prod"),
        kis_mock::MockEnv::Paper => ("paper", "vps"),
    };
    let (cano, prdt) = c.account_parts();
    println!("kis-mock ({env}) REST {}", mock.rest_url());
    println!("kis-mock ({env}) websocket {}", mock.ws_url());
    println!(
        "seed {}, market clock {} KST ({:?}, {:?} calendar), {} endpoints; Ctrl-C stops",
        c.seed,
        mock.market_time().format("%Y-%m-%d %H:%M:%S"),
        c.clock,
        c.calendar,
        mock.catalog().specs().len()
    );
    // The mock's own throwaway credentials: printing them is the point.
    println!(
        "accepts only: app key {} / app secret {} / account {cano}-{prdt} / HTS ID {}",
        c.app_key, c.app_secret, c.hts_id
    );
    println!();
    println!(
        "kis_devlp.yaml pointing the official Python samples here (authenticate with svr=\"{mode}\"):"
    );
    for (key, value) in [
        ("my_app", c.app_key.as_str()),
        ("my_sec", c.app_secret.as_str()),
        ("paper_app", c.app_key.as_str()),
        ("paper_sec", c.app_secret.as_str()),
        ("my_htsid", c.hts_id.as_str()),
        ("my_acct_stock", cano),
        ("my_paper_stock", cano),
        ("my_prod", prdt),
    ] {
        println!("{key}: \"{value}\"");
    }
    println!("prod: \"{}\"", mock.rest_url());
    println!("ops: \"{}\"", mock.ws_url());
    println!("vps: \"{}\"", mock.rest_url());
    println!("vops: \"{}\"", mock.ws_url());
    println!("my_token: \"\"");
    println!("my_agent: \"Mozilla/5.0\"");
    let _ = stop.await;
    mock.shutdown();
    println!("kis-mock stopped");
    ExitCode::SUCCESS
}
