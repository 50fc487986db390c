//! `Kis`: the handle an application holds.

use std::fmt;
use std::sync::Arc;

use kis_client::{Client, Config, Env};

use crate::orders::feed::{run as run_feed, subscribe_notices};
use crate::orders::{Desk, JournalPlace, TradingOptions};
use crate::{Account, Error};

/// The handle to KIS: a configured REST client, the realtime session and the order ledgers
/// of its accounts. Cheap to clone; clones share everything.
///
/// Paper trading (모의투자) is the default; orders on the real service need kis-client's
/// explicit opt-in (`allow_real_trading`).
///
/// ```no_run
/// # async fn demo() -> Result<(), kis::Error> {
/// // kis_devlp.yaml and KIS_* variables, as kis-client reads them:
/// let kis = kis::Kis::from_config()?;
/// assert_eq!(kis.env(), kis::Env::Paper);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Kis {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    /// Keeps the embedded simulator running for as long as the handle lives.
    #[cfg(feature = "simulator")]
    simulator: Option<Arc<kis_client::mock::Simulator>>,
    trading: TradingOptions,
    /// The one realtime session of the app key (KIS allows one), started on first use.
    session: tokio::sync::OnceCell<Arc<kis_ws::Session>>,
    /// The order desk, started on the first order or order query.
    desk: tokio::sync::OnceCell<Arc<Desk>>,
    /// The read side: clock, symbol master.
    read: crate::read::ReadState,
}

impl Kis {
    /// Reads the configuration the way kis-client does (`kis_devlp.yaml` found through
    /// `KIS_CONFIG` or `~/KIS/config/`, then `KIS_*` variables).
    pub fn from_config() -> Result<Kis, Error> {
        Kis::with_config(Config::load()?)
    }

    /// A handle over an explicit configuration.
    pub fn with_config(config: Config) -> Result<Kis, Error> {
        Ok(Kis::with_client(Client::new(config)?))
    }

    /// A handle over an existing client (its token cache, limiter and configuration).
    ///
    /// ```no_run
    /// # fn demo(client: kis_client::Client) {
    /// let kis = kis::Kis::with_client(client);
    /// # }
    /// ```
    pub fn with_client(client: Client) -> Kis {
        Kis::assemble(client, TradingOptions::default(), None)
    }

    fn assemble(
        client: Client,
        trading: TradingOptions,
        #[cfg(feature = "simulator")] simulator: Option<Arc<kis_client::mock::Simulator>>,
        #[cfg(not(feature = "simulator"))] _simulator: Option<()>,
    ) -> Kis {
        Kis {
            inner: Arc::new(Inner {
                client,
                #[cfg(feature = "simulator")]
                simulator,
                trading,
                session: tokio::sync::OnceCell::new(),
                desk: tokio::sync::OnceCell::new(),
                read: Default::default(),
            }),
        }
    }

    /// The same handle with other trading options (journal place, notices, polling). Takes
    /// effect for a handle whose desk has not started (before its first order or order query).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kis::Error> {
    /// let mut options = kis::orders::TradingOptions::default();
    /// options.journal = kis::orders::JournalPlace::Dir("/var/lib/bot/journal".into());
    /// let kis = kis::Kis::from_config()?.with_trading(options);
    /// # Ok(()) }
    /// ```
    pub fn with_trading(self, trading: TradingOptions) -> Kis {
        Kis::assemble(
            self.inner.client.clone(),
            trading,
            #[cfg(feature = "simulator")]
            self.inner.simulator.clone(),
            #[cfg(not(feature = "simulator"))]
            None,
        )
    }

    /// The trading options in force.
    pub fn trading_options(&self) -> &TradingOptions {
        &self.inner.trading
    }

    /// Starts the embedded simulator (kis-mock on loopback, a paper service with a seeded
    /// market) and returns a handle to it: development and tests with no credentials and no
    /// network.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kis::Error> {
    /// let kis = kis::Kis::simulator().await?;
    /// assert!(kis.simulator_server().is_some());
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "simulator")]
    pub async fn simulator() -> Result<Kis, Error> {
        Kis::simulator_with(kis_client::mock::kis_mock::MockConfig::paper()).await
    }

    /// The embedded simulator with a chosen configuration (clock, seed, fills, faults).
    #[cfg(feature = "simulator")]
    pub async fn simulator_with(
        config: kis_client::mock::kis_mock::MockConfig,
    ) -> Result<Kis, Error> {
        let sim = kis_client::mock::start_with(config).await?;
        let trading = TradingOptions {
            journal: JournalPlace::Memory,
            poll_interval: std::time::Duration::from_millis(500),
            resolve_after: std::time::Duration::from_millis(500),
            ..TradingOptions::default()
        };
        Ok(Kis::assemble(
            sim.client().clone(),
            trading,
            Some(Arc::new(sim)),
        ))
    }

    /// The embedded simulator's server (URLs, stats, faults, its own account state), if this
    /// handle started one.
    #[cfg(feature = "simulator")]
    pub fn simulator_server(&self) -> Option<&kis_client::mock::kis_mock::MockServer> {
        self.inner.simulator.as_deref().map(|s| s.server())
    }

    /// The realtime session (one per app key, as KIS allows), connected on first use; ticks,
    /// books and execution notices all go over it.
    ///
    /// ```no_run
    /// # async fn demo(kis: kis::Kis) -> Result<(), kis::Error> {
    /// let session = kis.session().await?;
    /// session.subscribe("H0STCNT0", "005930").await?;
    /// # Ok(()) }
    /// ```
    pub async fn session(&self) -> Result<Arc<kis_ws::Session>, Error> {
        self.inner
            .session
            .get_or_try_init(|| async {
                let s = kis_ws::Session::connect(self.client(), kis_ws::Options::default()).await?;
                Ok::<_, Error>(Arc::new(s))
            })
            .await
            .cloned()
    }

    /// The order desk, started on first use: the notice subscription (when enabled and the HTS
    /// ID is configured) and the task that follows orders.
    pub(crate) async fn desk(&self) -> Result<Arc<Desk>, Error> {
        self.inner
            .desk
            .get_or_try_init(|| async {
                let desk = Desk::new(self.client().clone(), self.inner.trading.clone());
                let mut events = None;
                if self.inner.trading.notices && self.client().config().hts_id().is_some() {
                    match self.session().await {
                        Ok(session) => match subscribe_notices(&session, self.client()).await {
                            Ok(e) => events = Some(e),
                            Err(e) => tracing::warn!(error = %e, "execution notices are off; orders are followed by inquiries"),
                        },
                        Err(e) => tracing::warn!(error = %e, "no realtime session; orders are followed by inquiries"),
                    }
                }
                tokio::spawn(run_feed(Arc::downgrade(&desk), events));
                Ok::<_, Error>(desk)
            })
            .await
            .cloned()
    }

    pub(crate) fn read_state(&self) -> &crate::read::ReadState {
        &self.inner.read
    }

    /// The REST client underneath, for endpoints this layer does not wrap.
    pub fn client(&self) -> &Client {
        &self.inner.client
    }

    /// Paper (모의투자) or real (실전투자).
    pub fn env(&self) -> Env {
        self.inner.client.config().env()
    }

    /// The configured account.
    ///
    /// ```no_run
    /// # async fn demo(kis: kis::Kis) -> Result<(), kis::Error> {
    /// let account = kis.account()?;
    /// println!("trading on {account}"); // masked: 1234****-01
    /// # Ok(()) }
    /// ```
    pub fn account(&self) -> Result<Account, Error> {
        let id = self.client().config().account().ok_or(Error::NoAccount)?;
        Ok(Account::new(self.clone(), id.clone()))
    }
}

impl fmt::Debug for Kis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Kis")
            .field("env", &self.env())
            .field("rest_url", &self.client().config().rest_url())
            .finish_non_exhaustive()
    }
}
