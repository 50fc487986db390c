//! The mock's configuration: environment, credentials, and every behaviour knob.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::catalog::Catalog;
use crate::market::calendar::MockCalendar;
use crate::market::clock::MockClock;

/// Which KIS service the mock imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MockEnv {
    /// The real (`prod`) service: real TR IDs, 20 requests/s.
    #[default]
    Real,
    /// The paper (`vps`, mock trading) service: paper TR IDs, 2 requests/s.
    Paper,
}

impl From<MockEnv> for kis_spec::TrEnv {
    fn from(env: MockEnv) -> Self {
        match env {
            MockEnv::Real => kis_spec::TrEnv::Real,
            MockEnv::Paper => kis_spec::TrEnv::Paper,
        }
    }
}

/// Paging: how many pages a synthesized paging endpoint has, how many rows each array block
/// of a synthesized answer carries per page, and the page size of the stateful account's lists.
///
/// ```
/// use kis_mock::PagingConfig;
/// // Daily executions and the balance page every 2 rows (a paging test with few orders).
/// let small = PagingConfig { account_rows: Some(2), ..PagingConfig::default() };
/// assert_eq!(small.pages, 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PagingConfig {
    /// Pages per synthesized paging endpoint (at least 1).
    pub pages: u32,
    /// Rows per array block and page of synthesized answers.
    pub rows: u32,
    /// Page size of the stateful account's lists (their page count follows from their rows).
    /// `None` pages as KIS does ([`PagingConfig::kis_rows`]): daily executions
    /// (`inquire-daily-ccld`) 100 rows a call on the real service and 15 on paper, the balance
    /// (`inquire-balance`) 50 and 20. `Some(n)` shrinks (or grows) every such page to `n` rows.
    pub account_rows: Option<u32>,
}

impl Default for PagingConfig {
    fn default() -> Self {
        Self {
            pages: 1,
            rows: 2,
            account_rows: None,
        }
    }
}

/// A stateful list that pages, for [`PagingConfig::kis_rows`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountList {
    /// `inquire-daily-ccld` (주식일별주문체결조회).
    DailyExecutions,
    /// `inquire-balance` (주식잔고조회).
    Balance,
}

impl PagingConfig {
    /// KIS's page size of a list, as its workbook states it: daily executions 100 (real) / 15
    /// (paper), balance 50 / 20.
    ///
    /// ```
    /// use kis_mock::{AccountList, MockEnv, PagingConfig};
    /// assert_eq!(PagingConfig::kis_rows(AccountList::DailyExecutions, MockEnv::Paper), 15);
    /// ```
    pub fn kis_rows(list: AccountList, env: MockEnv) -> u32 {
        match (list, env) {
            (AccountList::DailyExecutions, MockEnv::Real) => 100,
            (AccountList::DailyExecutions, MockEnv::Paper) => 15,
            (AccountList::Balance, MockEnv::Real) => 50,
            (AccountList::Balance, MockEnv::Paper) => 20,
        }
    }

    /// The page size the mock uses for a list: `account_rows`, else KIS's (at least 1).
    pub fn account_page(&self, list: AccountList, env: MockEnv) -> u32 {
        self.account_rows
            .unwrap_or_else(|| Self::kis_rows(list, env))
            .max(1)
    }
}

/// When an accepted order of the stateful account fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fill {
    /// As the simulated market says: market orders (and limit orders that cross) fill against
    /// the order book before the call answers, walking its levels; other limit orders rest
    /// until the price path reaches them, filling partially by the volume traded there.
    #[default]
    Market,
    /// Every order fills completely before the call answers: market orders at the book, limit
    /// orders at their own price (plumbing tests that need a fill whatever the price).
    Immediate,
    /// This long after the order was accepted.
    After(Duration),
    /// Never: orders stay open (for modify/cancel tests).
    Never,
}

/// Fees and taxes the account charges, in basis points of the traded amount (1 bp = 0.01 %).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fees {
    /// Brokerage commission on buys and sells. Default 1.5 bp (0.015 %), a typical KIS online
    /// rate; KIS's actual rate depends on the account's contract.
    pub commission_bp: f64,
    /// Securities transaction tax (incl. the rural development tax) on KRX stock sells.
    /// Default 20 bp (0.20 %): the 2026 rate for KOSPI (0.05 % + 0.15 %) and KOSDAQ (0.20 %).
    /// ETF sells are exempt.
    pub sell_tax_bp: f64,
}

impl Default for Fees {
    fn default() -> Self {
        Fees {
            commission_bp: 1.5,
            sell_tax_bp: 20.0,
        }
    }
}

/// One position the stateful account starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    /// Six-digit product code (`005930`).
    pub code: String,
    /// Quantity held.
    pub qty: u64,
    /// Average purchase price in KRW.
    pub avg_price: u64,
}

/// Configuration of a [`crate::MockServer`]. `MockConfig::default()` is a usable real-env mock.
#[derive(Clone)]
pub struct MockConfig {
    /// Real or paper service.
    pub env: MockEnv,
    /// The only app key the mock accepts.
    pub app_key: String,
    /// The app secret belonging to `app_key`.
    pub app_secret: String,
    /// The account, `CANO-ACNT_PRDT_CD` (e.g. `12345678-01`).
    pub account: String,
    /// The HTS ID: `tr_key` of execution-notice subscriptions.
    pub hts_id: String,
    /// Requests per second per app key; `None` switches the limit off. Default 20 (real) or 2
    /// (paper), as PROTOCOL.md.
    pub rate_limit_per_sec: Option<u32>,
    /// REST port; 0 picks an ephemeral port.
    pub rest_port: u16,
    /// Websocket port; 0 picks an ephemeral port.
    pub ws_port: u16,
    /// Minimum time between two token issuances (KIS: one per minute).
    pub token_issue_window: Duration,
    /// Token lifetime (KIS: 24 h).
    pub token_ttl: Duration,
    /// Within this time after issuance the same token is returned again (KIS: 6 h).
    pub token_reuse_window: Duration,
    /// Accept a well-formed bearer token this mock did not issue (a JWT-looking `eyJ…` of
    /// base64url characters), so a restarted mock keeps serving a client that caches its
    /// day-long token. Tokens the mock issued keep their rules (revoked, expired). Default off.
    pub accept_any_token: bool,
    /// Pages and rows of paging endpoints.
    pub paging: PagingConfig,
    /// When orders fill.
    pub fill: Fill,
    /// Cash the account starts with, in KRW.
    pub initial_cash: u64,
    /// Positions the account starts with.
    pub initial_holdings: Vec<Holding>,
    /// Interval of websocket `PINGPONG` messages.
    pub ping_interval: Duration,
    /// A session that has sent nothing for this long (no `PINGPONG` echo, websocket Pong or
    /// other frame) is dropped (KIS: ~100 s).
    pub pong_timeout: Duration,
    /// How often each market subscription is sent the tape's new executions (nothing when
    /// none traded); `None` sends no data frames.
    pub data_interval: Option<Duration>,
    /// Most records in one data frame (more executions due at once go in several frames).
    pub max_records_per_frame: u32,
    /// Registrations allowed per websocket session (KIS: 41).
    pub max_subscriptions: usize,
    /// How long a session's app-key slot stays taken after it disconnects.
    pub session_hold: Duration,
    /// A websocket connection that has not completed its handshake within this time is
    /// closed (default 10 s).
    pub handshake_timeout: Duration,
    /// The spec the mock serves; `None` uses the workspace `spec/` embedded at build time.
    pub catalog: Option<Arc<Catalog>>,
    /// Seed of the simulated market: the same seed gives the same prices, volumes and book.
    pub seed: u64,
    /// The market clock (default: simulated, a regular session in progress).
    pub clock: MockClock,
    /// Which days trade (default: the sandbox, every day from the clock's start on, so the
    /// default clock runs a session on today's KST date whatever the weekday).
    pub calendar: MockCalendar,
    /// Fees and taxes of fills.
    pub fees: Fees,
    /// Serve the control API under `/__mock/` (faults and the account's truth, loopback
    /// peers only; see the README). Default off; the binary's `--control`.
    pub control: bool,
    /// US dollars the account starts with for overseas orders, in cents (default USD
    /// 100,000.00).
    pub initial_usd_cents: u64,
    /// Commission on US-stock fills in basis points (default 25 bp, 0.25 %, KIS's standard
    /// online rate for US stocks; the account's contract may differ).
    pub us_commission_bp: f64,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            env: MockEnv::Real,
            app_key: "PSmockAPPKEY0000000000000000000000000".into(),
            app_secret: "mockSECRET".repeat(18),
            account: "12345678-01".into(),
            hts_id: "mockuser".into(),
            rate_limit_per_sec: Some(20),
            rest_port: 0,
            ws_port: 0,
            token_issue_window: Duration::from_secs(60),
            token_ttl: Duration::from_secs(86_400),
            token_reuse_window: Duration::from_secs(6 * 3600),
            accept_any_token: false,
            paging: PagingConfig::default(),
            fill: Fill::Market,
            initial_cash: 10_000_000,
            initial_holdings: Vec::new(),
            ping_interval: Duration::from_secs(10),
            pong_timeout: Duration::from_secs(100),
            data_interval: Some(Duration::from_millis(500)),
            max_records_per_frame: 3,
            max_subscriptions: 41,
            session_hold: Duration::ZERO,
            handshake_timeout: Duration::from_secs(10),
            catalog: None,
            seed: 1,
            clock: MockClock::default(),
            calendar: MockCalendar::default(),
            fees: Fees::default(),
            control: false,
            initial_usd_cents: 10_000_000,
            us_commission_bp: 25.0,
        }
    }
}

impl MockConfig {
    /// A paper-env mock (paper TR IDs, 2 requests/s).
    pub fn paper() -> Self {
        Self {
            env: MockEnv::Paper,
            app_key: "PSmockPAPERKEY00000000000000000000000".into(),
            rate_limit_per_sec: Some(2),
            ..Self::default()
        }
    }

    /// `CANO` and `ACNT_PRDT_CD` of the configured account.
    pub fn account_parts(&self) -> (&str, &str) {
        self.account
            .split_once('-')
            .unwrap_or((self.account.as_str(), "01"))
    }
}

impl fmt::Debug for MockConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Credentials and the account number are never printed.
        f.debug_struct("MockConfig")
            .field("env", &self.env)
            .field("app_key", &"<redacted>")
            .field("app_secret", &"<redacted>")
            .field("account", &"<redacted>")
            .field("hts_id", &self.hts_id)
            .field("rate_limit_per_sec", &self.rate_limit_per_sec)
            .field("rest_port", &self.rest_port)
            .field("ws_port", &self.ws_port)
            .field("token_issue_window", &self.token_issue_window)
            .field("token_ttl", &self.token_ttl)
            .field("accept_any_token", &self.accept_any_token)
            .field("paging", &self.paging)
            .field("fill", &self.fill)
            .field("ping_interval", &self.ping_interval)
            .field("pong_timeout", &self.pong_timeout)
            .field("data_interval", &self.data_interval)
            .field("max_subscriptions", &self.max_subscriptions)
            .field("session_hold", &self.session_hold)
            .field("handshake_timeout", &self.handshake_timeout)
            .field("seed", &self.seed)
            .field("clock", &self.clock)
            .field("control", &self.control)
            .field("calendar", &self.calendar)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let config = MockConfig::default();
        let text = format!("{config:?}");
        assert!(!text.contains(&config.app_key));
        assert!(!text.contains(&config.app_secret));
        assert!(!text.contains("12345678"));
    }

    #[test]
    fn paper_defaults() {
        let paper = MockConfig::paper();
        assert_eq!(paper.env, MockEnv::Paper);
        assert_eq!(paper.rate_limit_per_sec, Some(2));
        assert_eq!(MockConfig::default().rate_limit_per_sec, Some(20));
        assert_eq!(paper.account_parts(), ("12345678", "01"));
    }
}
