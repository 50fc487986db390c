//! Test support: start a kis-mock and build a client pointed at it with a private token cache.

use std::time::Duration;

use kis_client::{Client, Config, ConfigBuilder, Env};
use kis_mock::{MockConfig, MockEnv, MockServer};

pub struct Setup {
    pub mock: MockServer,
    pub cache: tempfile::TempDir,
}

impl Setup {
    pub async fn start(config: MockConfig) -> Setup {
        let mock = MockServer::start(config).await.expect("mock starts");
        Setup {
            mock,
            cache: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// A builder matching the mock's env, keys and account, with a private cache dir.
    pub fn builder(&self) -> ConfigBuilder {
        let c = self.mock.config();
        let env = match c.env {
            MockEnv::Real => Env::Real,
            MockEnv::Paper => Env::Paper,
        };
        let b = Config::builder()
            .env(env)
            .app_key(c.app_key.clone())
            .app_secret(c.app_secret.clone())
            .account(c.account.clone())
            .hts_id(c.hts_id.clone())
            .rest_url(self.mock.rest_url())
            .ws_url(self.mock.ws_url())
            .token_cache_dir(self.cache.path())
            .retry_base_delay(Duration::from_millis(20))
            .token_throttle_wait(Duration::from_millis(300));
        // Match the mock's limit; an unlimited mock gets an effectively unlimited client.
        b.rate_limit_per_sec(c.rate_limit_per_sec.unwrap_or(1_000_000))
    }

    pub fn client(&self) -> Client {
        Client::new(self.builder().build().expect("config")).expect("client")
    }

    pub fn client_with(&self, f: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> Client {
        Client::new(f(self.builder()).build().expect("config")).expect("client")
    }
}

/// A real-env mock without a rate limit (for tests that are not about rate limiting).
pub fn unlimited() -> MockConfig {
    MockConfig {
        rate_limit_per_sec: None,
        ..MockConfig::default()
    }
}

/// The token cache files in `dir` (the `.lock` file beside them is not one).
pub fn cache_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect()
}
