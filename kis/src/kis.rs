//! `Kis`: the handle an application holds.

use std::fmt;
use std::sync::Arc;

use kis_client::{Client, Config, Env};

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
    simulator: Option<kis_client::mock::Simulator>,
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
        Kis {
            inner: Arc::new(Inner {
                client,
                #[cfg(feature = "simulator")]
                simulator: None,
                read: Default::default(),
            }),
        }
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
        Ok(Kis {
            inner: Arc::new(Inner {
                client: sim.client().clone(),
                simulator: Some(sim),
                read: Default::default(),
            }),
        })
    }

    /// The embedded simulator's server (URLs, stats, faults, its own account state), if this
    /// handle started one.
    #[cfg(feature = "simulator")]
    pub fn simulator_server(&self) -> Option<&kis_client::mock::kis_mock::MockServer> {
        self.inner.simulator.as_ref().map(|s| s.server())
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
