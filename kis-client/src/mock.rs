//! Run against the simulator in one call (feature `mock`): starts [`kis_mock`] on loopback
//! ports and returns a [`Client`] configured for it — the way to develop and test an app with
//! no KIS credentials and no network.
//!
//! ```no_run
//! # async fn demo() -> Result<(), kis_client::Error> {
//! let sim = kis_client::mock::start().await?;
//! let client = sim.client(); // a Client like any other: client.send(request).await?
//! println!("simulator at {}", client.config().rest_url());
//! # Ok(()) }
//! ```
//!
//! The simulator is a paper-service KIS by default (paper TR IDs, orders allowed); its market
//! is seeded and its clock runs a trading session. [`start_with`] takes a full
//! [`kis_mock::MockConfig`] (seed, clock, account, fills, faults through [`Simulator::server`]).

use std::fmt;

use crate::{Client, Config, Env, Error};

pub use kis_mock;

/// A running simulator and a client for it. Dropping it stops the simulator.
pub struct Simulator {
    client: Client,
    server: kis_mock::MockServer,
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator")
            .field("rest_url", &self.server.rest_url())
            .field("ws_url", &self.server.ws_url())
            .finish_non_exhaustive()
    }
}

/// Starts a paper-service simulator ([`kis_mock::MockConfig::paper`]) and a client for it.
pub async fn start() -> Result<Simulator, Error> {
    start_with(kis_mock::MockConfig::paper()).await
}

/// Starts a simulator with `config` and a client for it: same environment and credentials,
/// its URLs, its rate limit (or none), and an in-memory token cache. On a real-environment
/// simulator orders are allowed too (it is still only the simulator).
pub async fn start_with(config: kis_mock::MockConfig) -> Result<Simulator, Error> {
    let server = kis_mock::MockServer::start(config)
        .await
        .map_err(|e| Error::InvalidConfig(format!("cannot start the simulator: {e}")))?;
    let c = server.config();
    let env = match c.env {
        kis_mock::MockEnv::Real => Env::Real,
        kis_mock::MockEnv::Paper => Env::Paper,
    };
    let config = Config::builder()
        .env(env)
        .app_key(c.app_key.clone())
        .app_secret(c.app_secret.clone())
        .account(c.account.clone())
        .hts_id(c.hts_id.clone())
        .rest_url(server.rest_url())
        .ws_url(server.ws_url())
        .rate_limit_per_sec(c.rate_limit_per_sec.unwrap_or(10_000))
        .allow_real_trading(env == Env::Real)
        .no_token_cache()
        .build()?;
    Ok(Simulator {
        client: Client::new(config)?,
        server,
    })
}

impl Simulator {
    /// The client, configured for the simulator.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The simulator itself: URLs, configuration, stats, faults.
    pub fn server(&self) -> &kis_mock::MockServer {
        &self.server
    }
}
