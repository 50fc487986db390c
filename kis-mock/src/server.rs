//! [`MockServer`]: binds the REST and websocket listeners and owns the state they share.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;
use tokio::sync::{broadcast, watch};

use crate::account::{Account, Notice};
use crate::auth::AuthState;
use crate::catalog::Catalog;
use crate::config::MockConfig;
use crate::faults::Faults;
use crate::stats::{Counters, MockStats};
use crate::ws::Slots;

/// State shared by every connection of one mock.
pub(crate) struct Shared {
    pub config: MockConfig,
    pub catalog: Arc<Catalog>,
    pub stats: Counters,
    pub faults: Arc<Faults>,
    pub auth: Mutex<AuthState>,
    pub limiter: Mutex<HashMap<String, (tokio::time::Instant, u32)>>,
    pub account: Mutex<Account>,
    /// The account's US-stock side.
    pub overseas: Mutex<crate::overseas::UsAccount>,
    /// The account's KOSPI200 futures/options side.
    pub derivatives: Mutex<crate::derivatives::FoAccount>,
    pub market: crate::market::Market,
    pub notices: broadcast::Sender<Notice>,
    pub slots: Mutex<Slots>,
    pub shutdown: watch::Receiver<bool>,
    /// `tr_cont`-only paging: the next page of each request (by path and parameters).
    pub tr_cont_pages: Mutex<HashMap<String, u32>>,
    /// Every notice generated, for the control API's truth.
    pub notice_log: crate::control::NoticeLog,
}

pub(crate) use crate::sync::lock;

/// Resolves once shutdown was requested (holding no lock guard across awaits).
pub(crate) async fn stopped(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}

/// Matches resting orders against the market every 200 ms until shutdown, so fills (and their
/// notices) arrive without the client asking.
async fn matcher(shared: Arc<Shared>) {
    let mut shutdown = shared.shutdown.clone();
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(200));
    loop {
        tokio::select! {
            _ = tick.tick() => {
                crate::trading::sweep(&shared);
                crate::overseas::sweep(&shared);
                crate::derivatives::sweep(&shared);
            }
            _ = stopped(&mut shutdown) => break,
        }
    }
}

/// A running mock: REST and websocket listeners on 127.0.0.1. Dropping it stops it.
pub struct MockServer {
    shared: Arc<Shared>,
    rest_addr: SocketAddr,
    ws_addr: SocketAddr,
    stop: watch::Sender<bool>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("rest_addr", &self.rest_addr)
            .field("ws_addr", &self.ws_addr)
            .field("env", &self.shared.config.env)
            .finish_non_exhaustive()
    }
}

impl MockServer {
    /// Binds both listeners (ports from the config, 0 = ephemeral) and starts serving.
    pub async fn start(config: MockConfig) -> std::io::Result<MockServer> {
        let catalog = config.catalog.clone().unwrap_or_else(Catalog::bundled);
        if let Some(error) = catalog.error() {
            tracing::warn!("kis-mock serves no spec: {error}");
        }
        crate::header_case::prepare().await;
        let rest = TcpListener::bind(("127.0.0.1", config.rest_port)).await?;
        let ws = TcpListener::bind(("127.0.0.1", config.ws_port)).await?;
        let (stop, shutdown) = watch::channel(false);
        let (notices, _) = broadcast::channel(256);
        let clock = crate::market::clock::Clock::with_calendar(config.clock, config.calendar);
        // The universe: the fixed products and derivatives, and the starting positions' codes.
        let market = crate::market::Market::with_calendar(config.seed, clock, config.calendar)
            .listing(config.initial_holdings.iter().map(|h| h.code.as_str()));
        let shared = Arc::new(Shared {
            tr_cont_pages: Mutex::new(HashMap::new()),
            notice_log: Default::default(),
            account: Mutex::new(Account::new(&config, market.now().date())),
            overseas: Mutex::new(crate::overseas::UsAccount::new(&config)),
            derivatives: Mutex::new(crate::derivatives::FoAccount::new(&config)),
            market,
            config,
            catalog,
            stats: Counters::default(),
            faults: Arc::new(Faults::default()),
            auth: Mutex::new(AuthState::default()),
            limiter: Mutex::new(HashMap::new()),
            notices,
            slots: Mutex::new(Slots::default()),
            shutdown,
        });
        let server = MockServer {
            rest_addr: rest.local_addr()?,
            ws_addr: ws.local_addr()?,
            shared: shared.clone(),
            stop,
        };
        tokio::spawn(crate::rest::serve(rest, shared.clone()));
        tokio::spawn(crate::ws::serve(ws, shared.clone()));
        tokio::spawn(matcher(shared));
        Ok(server)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn rest_url(&self) -> String {
        format!("http://{}", self.rest_addr)
    }

    /// `ws://127.0.0.1:PORT`.
    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.ws_addr)
    }

    /// The configuration the mock runs with.
    pub fn config(&self) -> &MockConfig {
        &self.shared.config
    }

    /// The simulated market's current time (KST).
    pub fn market_time(&self) -> chrono::NaiveDateTime {
        self.shared.market.now()
    }

    /// Moves the simulated market clock forward by `by` (also `POST /__mock/clock/advance`)
    /// and returns the new time (KST). Crossing KST midnight rolls the account into the new
    /// day at once: the ended day's resting domestic orders get their last match and expire,
    /// order numbers start again at 1, today's bought/sold counters reset and cash settles
    /// (see the README's "Days"). The clock never runs back.
    ///
    /// ```no_run
    /// # async fn demo() -> std::io::Result<()> {
    /// let mock = kis_mock::MockServer::start(kis_mock::MockConfig::default()).await?;
    /// let day = mock.market_time().date();
    /// let later = mock.advance_clock(std::time::Duration::from_secs(86_400));
    /// assert!(later.date() > day);
    /// # Ok(()) }
    /// ```
    pub fn advance_clock(&self, by: std::time::Duration) -> chrono::NaiveDateTime {
        let by = chrono::Duration::from_std(by).unwrap_or(chrono::Duration::MAX);
        crate::control::advance(&self.shared, by)
    }

    /// Moves the simulated market clock forward to `to` (KST), as [`MockServer::advance_clock`]
    /// does (also `POST /__mock/clock/set`); a time not after the market's time is an error.
    ///
    /// ```no_run
    /// # async fn demo() -> std::io::Result<()> {
    /// let mock = kis_mock::MockServer::start(kis_mock::MockConfig::default()).await?;
    /// let next_morning = (mock.market_time().date() + chrono::Duration::days(1))
    ///     .and_hms_opt(9, 30, 0)
    ///     .unwrap();
    /// mock.advance_clock_to(next_morning).unwrap();
    /// # Ok(()) }
    /// ```
    pub fn advance_clock_to(
        &self,
        to: chrono::NaiveDateTime,
    ) -> Result<chrono::NaiveDateTime, String> {
        crate::control::advance_to(&self.shared, to)
    }

    /// The spec the mock serves.
    pub fn catalog(&self) -> &Catalog {
        &self.shared.catalog
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> MockStats {
        self.shared.stats.snapshot()
    }

    /// The fault-injection handle.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// The account's truth, as `GET /__mock/truth` answers it (see the README): orders,
    /// fills, positions, cash and the notices generated.
    pub fn truth(&self) -> serde_json::Value {
        crate::control::truth(&self.shared)
    }

    /// Moves shares of a domestic product into (`qty` > 0) or out of (`qty` < 0) the account
    /// without an order, as a transfer from or to another account does (also `POST
    /// /__mock/account/transfer`): the holding changes, today's bought/sold quantities
    /// (`thdt_buyqty`, `thdt_sll_qty`) and cash do not. Returns the holding after it; an
    /// unknown product or more than can be sold is an error.
    ///
    /// ```no_run
    /// # async fn demo() -> std::io::Result<()> {
    /// let mock = kis_mock::MockServer::start(kis_mock::MockConfig::default()).await?;
    /// assert_eq!(mock.transfer_shares("005930", 5).ok(), Some(5));
    /// # Ok(()) }
    /// ```
    pub fn transfer_shares(&self, symbol: &str, qty: i64) -> Result<u64, String> {
        crate::control::transfer(&self.shared, symbol, qty)
    }

    /// Expires every issued access token now: the next calls get `EGW00123`.
    pub fn expire_tokens(&self) {
        crate::server::lock(&self.shared.auth).expire_all();
    }

    /// Lets the next `/oauth2/tokenP` through even within the one-per-window rule.
    pub fn reset_token_window(&self) {
        crate::server::lock(&self.shared.auth).reset_issue_window();
    }

    /// Issues a websocket approval key for the configured app key without an HTTP call.
    pub fn approval_key(&self) -> String {
        crate::server::lock(&self.shared.auth).approval_key(&self.shared.config.app_key)
    }

    /// Stops accepting and closes every connection. Also done on drop.
    pub fn shutdown(&self) {
        let _ = self.stop.send(true);
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}
