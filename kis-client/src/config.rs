//! Client configuration: builder, the official `kis_devlp.yaml` file, environment overrides and
//! validation.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use crate::endpoint::Env;
use crate::error::Error;
use crate::secret::{Account, Secret};

/// Real-service REST base URL.
pub const REAL_REST_URL: &str = "https://openapi.koreainvestment.com:9443";
/// Paper-service REST base URL.
pub const PAPER_REST_URL: &str = "https://openapivts.koreainvestment.com:29443";
/// Real-service websocket URL.
pub const REAL_WS_URL: &str = "ws://ops.koreainvestment.com:21000";
/// Paper-service websocket URL.
pub const PAPER_WS_URL: &str = "ws://ops.koreainvestment.com:31000";

/// Why a token request is waiting (reported to [`ConfigBuilder::on_token_wait`] and logged at
/// warn level, so a wait is never silent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenWait {
    /// KIS refused a new token because one was issued less than a minute ago (`EGW00133`): the
    /// client waits this long, then tries once more.
    Throttled {
        /// How long the client waits before its single retry.
        wait: Duration,
    },
    /// Another process is issuing a token for the same app key (it holds the lock file beside
    /// the token cache): the client waits for its result instead of asking KIS again.
    OtherProcess,
    /// Another task of this process is issuing the token (only reported in
    /// [`crate::Error::TokenNotReady`]: a read simply queues behind it).
    OtherTask,
}

/// The `on_token_wait` callback.
#[derive(Clone, Default)]
pub(crate) struct TokenWaitHook(Option<Arc<dyn Fn(TokenWait) + Send + Sync>>);

impl TokenWaitHook {
    /// Logs the wait at warn level and calls the callback, if any.
    pub(crate) fn report(&self, w: TokenWait) {
        match w {
            TokenWait::Throttled { wait } => tracing::warn!(
                wait_ms = wait.as_millis() as u64,
                "KIS allows one token issuance per minute (EGW00133): waiting, then trying once more"
            ),
            TokenWait::OtherProcess => tracing::warn!(
                "another process is issuing a KIS token for this app key: waiting for it"
            ),
            TokenWait::OtherTask => {}
        }
        if let Some(f) = &self.0 {
            f(w);
        }
    }
}

impl std::fmt::Debug for TokenWaitHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Some(<fn>)"
        } else {
            "None"
        })
    }
}

/// Validated client configuration. Build with [`Config::builder`], [`Config::from_kis_devlp_yaml`]
/// or [`Config::load`].
///
/// `Debug` redacts the app key/secret and masks the account.
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) env: Env,
    pub(crate) app_key: Secret,
    pub(crate) app_secret: Secret,
    pub(crate) account: Option<Account>,
    pub(crate) hts_id: Option<String>,
    pub(crate) rest_url: String,
    pub(crate) ws_url: String,
    pub(crate) custtype: String,
    pub(crate) user_agent: Option<String>,
    pub(crate) token_cache_dir: Option<PathBuf>,
    pub(crate) rate_limit_per_sec: u32,
    pub(crate) rate_limit_window: Duration,
    pub(crate) allow_real_trading: bool,
    pub(crate) use_hashkey: bool,
    pub(crate) max_pages: usize,
    pub(crate) max_retries: u32,
    pub(crate) retry_base_delay: Duration,
    pub(crate) token_expiry_skew: Duration,
    pub(crate) token_throttle_wait: Duration,
    pub(crate) on_token_wait: TokenWaitHook,
    pub(crate) timeout: Duration,
}

impl Config {
    /// A builder; `app_key` and `app_secret` are required, everything else has defaults.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// Reads the official `kis_devlp.yaml` (no environment overrides). The environment is the
    /// file's optional `env: real|paper` key, else paper.
    pub fn from_kis_devlp_yaml(path: impl AsRef<Path>) -> Result<Config, Error> {
        let mut b = ConfigBuilder::default();
        b.apply_yaml_file(path.as_ref())?;
        b.build()
    }

    /// Reads the official `kis_devlp.yaml` for `env` (no environment overrides).
    pub fn from_kis_devlp_yaml_env(path: impl AsRef<Path>, env: Env) -> Result<Config, Error> {
        let mut b = ConfigBuilder::default().env(env);
        b.apply_yaml_file(path.as_ref())?;
        b.build()
    }

    /// The usual way: the YAML file from `KIS_CONFIG`, else `~/KIS/config/kis_devlp.yaml`, else
    /// `./kis_devlp.yaml` (none is fine), then `KIS_*` environment variables override.
    ///
    /// Variables: `KIS_ENV=real|paper`, `KIS_APP_KEY`, `KIS_APP_SECRET`, `KIS_ACCOUNT`
    /// (`12345678-01` or `1234567801`), `KIS_HTS_ID`, `KIS_REST_URL`, `KIS_WS_URL`,
    /// `KIS_CUSTTYPE`, `KIS_TOKEN_CACHE_DIR`, `KIS_RATE_LIMIT`, `KIS_ALLOW_REAL_TRADING=1`.
    pub fn load() -> Result<Config, Error> {
        Self::load_with(|k| std::env::var(k).ok())
    }

    /// [`Config::load`] with a custom variable lookup (tests, embedding).
    pub fn load_with(var: impl Fn(&str) -> Option<String>) -> Result<Config, Error> {
        let explicit = var("KIS_CONFIG").map(PathBuf::from);
        let path = match explicit {
            Some(p) => Some(p),
            None => {
                let home = var("HOME").map(|h| Path::new(&h).join("KIS/config/kis_devlp.yaml"));
                [home, Some(PathBuf::from("kis_devlp.yaml"))]
                    .into_iter()
                    .flatten()
                    .find(|p| p.is_file())
            }
        };
        let mut b = ConfigBuilder::default();
        if let Some(env) = var("KIS_ENV") {
            b = b.env(parse_env(&env)?);
        }
        if let Some(p) = &path {
            b.apply_yaml_file(p)?;
        }
        b.apply_env(&var)?;
        b.build()
    }

    /// Real or paper.
    pub fn env(&self) -> Env {
        self.env
    }
    /// REST base URL (no trailing slash).
    pub fn rest_url(&self) -> &str {
        &self.rest_url
    }
    /// Websocket URL.
    pub fn ws_url(&self) -> &str {
        &self.ws_url
    }
    /// HTS ID (for execution notices), if configured.
    pub fn hts_id(&self) -> Option<&str> {
        self.hts_id.as_deref()
    }
    /// Customer type header: `P` individual, `B` corporate.
    pub fn custtype(&self) -> &str {
        &self.custtype
    }
    /// The app key (for kis-ws and raw calls). Never log it.
    pub fn app_key(&self) -> &Secret {
        &self.app_key
    }
    /// The app secret. Never log it.
    pub fn app_secret(&self) -> &Secret {
        &self.app_secret
    }
    /// The configured account, if any.
    pub fn account(&self) -> Option<&Account> {
        self.account.as_ref()
    }
    /// Requests per second the client allows itself.
    pub fn rate_limit_per_sec(&self) -> u32 {
        self.rate_limit_per_sec
    }
    /// Whether state-changing calls on the real service are allowed.
    pub fn allow_real_trading(&self) -> bool {
        self.allow_real_trading
    }
    /// Maximum pages a paging stream follows before failing with [`Error::PagingLimit`].
    pub fn max_pages(&self) -> usize {
        self.max_pages
    }
}

/// Builder for [`Config`].
#[derive(Debug, Clone, Default)]
pub struct ConfigBuilder {
    env: Option<Env>,
    app_key: Option<Secret>,
    app_secret: Option<Secret>,
    account: Option<String>,
    hts_id: Option<String>,
    rest_url: Option<String>,
    ws_url: Option<String>,
    custtype: Option<String>,
    user_agent: Option<String>,
    token_cache_dir: Option<Option<PathBuf>>,
    rate_limit_per_sec: Option<u32>,
    rate_limit_window: Option<Duration>,
    allow_real_trading: Option<bool>,
    use_hashkey: bool,
    max_pages: Option<usize>,
    max_retries: Option<u32>,
    retry_base_delay: Option<Duration>,
    token_expiry_skew: Option<Duration>,
    token_throttle_wait: Option<Duration>,
    on_token_wait: TokenWaitHook,
    timeout: Option<Duration>,
}

macro_rules! setter {
    ($(#[$doc:meta])* $name:ident: $ty:ty => $conv:expr) => {
        $(#[$doc])*
        pub fn $name(mut self, value: $ty) -> Self {
            self.$name = Some($conv(value));
            self
        }
    };
}

impl ConfigBuilder {
    setter!(/// Real or paper (default paper: real needs to be chosen explicitly).
        env: Env => |v| v);
    setter!(/// App key (required).
        app_key: impl Into<String> => Secret::new);
    setter!(/// App secret (required).
        app_secret: impl Into<String> => Secret::new);
    setter!(/// Account, `12345678-01` or `1234567801` (validated in `build`).
        account: impl Into<String> => Into::into);
    setter!(/// HTS ID.
        hts_id: impl Into<String> => Into::into);
    setter!(/// REST base URL override (simulator, proxy).
        rest_url: impl Into<String> => Into::into);
    setter!(/// Websocket URL override.
        ws_url: impl Into<String> => Into::into);
    setter!(/// Customer type, `P` (default) or `B`.
        custtype: impl Into<String> => Into::into);
    setter!(/// `User-Agent` header (the yaml's `my_agent`).
        user_agent: impl Into<String> => Into::into);
    setter!(/// Requests per second (default 20 real, 2 paper).
        rate_limit_per_sec: u32 => |v| v);
    setter!(/// The window the rate is counted over (default 1 s + 20 ms margin), counted from each answer.
        rate_limit_window: Duration => |v| v);
    setter!(/// Allow state-changing calls (orders) on the REAL service. Default false.
        allow_real_trading: bool => |v| v);
    setter!(/// Maximum pages per paging stream (default 100).
        max_pages: usize => |v| v);
    setter!(/// Retries for read-only calls on rate limits / transient errors (default 3).
        max_retries: u32 => |v| v);
    setter!(/// First retry delay; doubles per attempt, with jitter (default 200 ms).
        retry_base_delay: Duration => |v| v);
    setter!(/// Re-issue tokens this long before they expire (default 10 min).
        token_expiry_skew: Duration => |v| v);
    setter!(/// How long to wait after `EGW00133` before the single retry (default 61 s).
        token_throttle_wait: Duration => |v| v);
    setter!(/// Per-request timeout (default 30 s).
        timeout: Duration => |v| v);

    /// Token cache directory (default `$KIS_TOKEN_CACHE_DIR`, else `~/.cache/kis-rs`). It is
    /// kis-client's own: created with mode 0700, and an existing one others can access is made
    /// 0700 (a shared, sticky directory such as `/tmp` is refused and the token not cached).
    pub fn token_cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.token_cache_dir = Some(Some(dir.into()));
        self
    }

    /// Called whenever a token request has to wait (the once-a-minute rule, or another process
    /// issuing for the same app key), besides a warn-level log line. Use it to tell the user why
    /// nothing seems to happen for a minute.
    pub fn on_token_wait(mut self, f: impl Fn(TokenWait) + Send + Sync + 'static) -> Self {
        self.on_token_wait = TokenWaitHook(Some(Arc::new(f)));
        self
    }

    /// Keep tokens in memory only.
    pub fn no_token_cache(mut self) -> Self {
        self.token_cache_dir = Some(None);
        self
    }

    /// Send a `hashkey` header (from `/uapi/hashkey`) with POST calls.
    pub fn use_hashkey(mut self, on: bool) -> Self {
        self.use_hashkey = on;
        self
    }

    fn apply_yaml_file(&mut self, path: &Path) -> Result<(), Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::InvalidConfig(format!("cannot read {}: {e}", path.display())))?;
        let y: DevlpYaml = crate::yaml::from_str(&text)
            .map_err(|e| Error::InvalidConfig(format!("{}: {e}", path.display())))?;
        self.apply_yaml(y)
    }

    fn apply_yaml(&mut self, y: DevlpYaml) -> Result<(), Error> {
        if self.env.is_none() {
            if let Some(e) = &y.env {
                self.env = Some(parse_env(e)?);
            }
        }
        let env = self.env.unwrap_or(Env::Paper);
        let (key, sec, acct, rest, ws) = match env {
            Env::Real => (y.my_app, y.my_sec, y.my_acct_stock, y.prod, y.ops),
            Env::Paper => (y.paper_app, y.paper_sec, y.my_paper_stock, y.vps, y.vops),
        };
        let set = |slot: &mut Option<String>, v: Option<String>| {
            if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
                *slot = Some(v.trim().to_owned());
            }
        };
        if let Some(k) = key.filter(|k| !k.trim().is_empty()) {
            self.app_key = Some(Secret::new(k.trim()));
        }
        if let Some(s) = sec.filter(|s| !s.trim().is_empty()) {
            self.app_secret = Some(Secret::new(s.trim()));
        }
        if let Some(a) = acct.filter(|a| !a.trim().is_empty()) {
            let prod = y.my_prod.as_deref().map(str::trim).unwrap_or("01");
            self.account = Some(format!("{}-{prod}", a.trim()));
        }
        set(&mut self.hts_id, y.my_htsid);
        set(&mut self.rest_url, rest);
        set(&mut self.ws_url, ws);
        set(&mut self.user_agent, y.my_agent);
        if let Some(b) = y.allow_real_trading {
            self.allow_real_trading = Some(b);
        }
        Ok(())
    }

    fn apply_env(&mut self, var: &impl Fn(&str) -> Option<String>) -> Result<(), Error> {
        let get = |k: &str| {
            var(k)
                .filter(|v| !v.trim().is_empty())
                .map(|v| v.trim().to_owned())
        };
        if let Some(v) = get("KIS_ENV") {
            self.env = Some(parse_env(&v)?);
        }
        if let Some(v) = get("KIS_APP_KEY") {
            self.app_key = Some(Secret::new(v));
        }
        if let Some(v) = get("KIS_APP_SECRET") {
            self.app_secret = Some(Secret::new(v));
        }
        for (k, slot) in [
            ("KIS_ACCOUNT", &mut self.account),
            ("KIS_HTS_ID", &mut self.hts_id),
            ("KIS_REST_URL", &mut self.rest_url),
            ("KIS_WS_URL", &mut self.ws_url),
            ("KIS_CUSTTYPE", &mut self.custtype),
        ] {
            if let Some(v) = get(k) {
                *slot = Some(v);
            }
        }
        if let Some(v) = get("KIS_TOKEN_CACHE_DIR") {
            self.token_cache_dir = Some(Some(PathBuf::from(v)));
        } else if self.token_cache_dir.is_none() {
            let base = get("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| get("HOME").map(|h| Path::new(&h).join(".cache")));
            self.token_cache_dir = Some(base.map(|b| b.join("kis-rs")));
        }
        if let Some(v) = get("KIS_RATE_LIMIT") {
            let n = v.parse::<u32>().ok().filter(|n| *n > 0);
            self.rate_limit_per_sec = Some(n.ok_or_else(|| {
                Error::InvalidConfig(format!(
                    "KIS_RATE_LIMIT must be a positive integer, got {v:?}"
                ))
            })?);
        }
        if let Some(v) = get("KIS_ALLOW_REAL_TRADING") {
            self.allow_real_trading = Some(match v.to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" => true,
                "0" | "false" | "no" => false,
                _ => {
                    return Err(Error::InvalidConfig(format!(
                        "KIS_ALLOW_REAL_TRADING must be 1 or 0, got {v:?}"
                    )));
                }
            });
        }
        Ok(())
    }

    /// Validates and builds the configuration.
    pub fn build(self) -> Result<Config, Error> {
        let env = self.env.unwrap_or(Env::Paper);
        let which = match env {
            Env::Real => "my_app/my_sec",
            Env::Paper => "paper_app/paper_sec",
        };
        let app_key = self.app_key.filter(|k| !k.is_blank()).ok_or_else(|| {
            Error::InvalidConfig(format!("missing app key (KIS_APP_KEY or {which})"))
        })?;
        let app_secret = self.app_secret.filter(|k| !k.is_blank()).ok_or_else(|| {
            Error::InvalidConfig(format!("missing app secret (KIS_APP_SECRET or {which})"))
        })?;
        let account = match self.account {
            None => None,
            Some(a) => Some(Account::parse(&a).ok_or_else(|| {
                Error::InvalidConfig(
                    "account must be 8 digits + 2-digit product code (12345678-01)".into(),
                )
            })?),
        };
        let (rest_default, ws_default, rate_default) = match env {
            Env::Real => (REAL_REST_URL, REAL_WS_URL, 20),
            Env::Paper => (PAPER_REST_URL, PAPER_WS_URL, 2),
        };
        let rest_url = self
            .rest_url
            .unwrap_or_else(|| rest_default.to_owned())
            .trim_end_matches('/')
            .to_owned();
        if !(rest_url.starts_with("http://") || rest_url.starts_with("https://")) {
            return Err(Error::InvalidConfig(format!(
                "REST URL must start with http:// or https://: {rest_url}"
            )));
        }
        if rest_url.starts_with("http://") && !is_loopback_url(&rest_url) {
            return Err(Error::InvalidConfig(format!(
                "REST URL {rest_url} is plain http:// to a host that is not this machine: the app \
                 key, secret and token would travel unencrypted; use https:// (http:// is \
                 allowed only for a local simulator on localhost/127.0.0.1/[::1])"
            )));
        }
        let custtype = self.custtype.unwrap_or_else(|| "P".to_owned());
        if !matches!(custtype.as_str(), "P" | "B") {
            return Err(Error::InvalidConfig(format!(
                "custtype must be P or B, got {custtype:?}"
            )));
        }
        let rate = self.rate_limit_per_sec.unwrap_or(rate_default);
        if rate == 0 {
            return Err(Error::InvalidConfig(
                "rate limit must be at least 1 request per second".into(),
            ));
        }
        Ok(Config {
            env,
            app_key,
            app_secret,
            account,
            hts_id: self.hts_id,
            rest_url,
            ws_url: self.ws_url.unwrap_or_else(|| ws_default.to_owned()),
            custtype,
            user_agent: self.user_agent,
            token_cache_dir: self.token_cache_dir.unwrap_or_else(default_cache_dir),
            rate_limit_per_sec: rate,
            rate_limit_window: self
                .rate_limit_window
                .unwrap_or(Duration::from_millis(1020)),
            allow_real_trading: self.allow_real_trading.unwrap_or(false),
            use_hashkey: self.use_hashkey,
            max_pages: self.max_pages.unwrap_or(100).max(1),
            max_retries: self.max_retries.unwrap_or(3),
            retry_base_delay: self.retry_base_delay.unwrap_or(Duration::from_millis(200)),
            token_expiry_skew: self.token_expiry_skew.unwrap_or(Duration::from_secs(600)),
            token_throttle_wait: self.token_throttle_wait.unwrap_or(Duration::from_secs(61)),
            on_token_wait: self.on_token_wait,
            timeout: self.timeout.unwrap_or(Duration::from_secs(30)),
        })
    }
}

/// `$KIS_TOKEN_CACHE_DIR`, else `$XDG_CACHE_HOME/kis-rs`, else `~/.cache/kis-rs`.
/// Whether an `http://` URL points at this machine (`localhost`, `127.0.0.0/8`, `[::1]`).
fn is_loopback_url(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn default_cache_dir() -> Option<PathBuf> {
    let get = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    get("KIS_TOKEN_CACHE_DIR")
        .or_else(|| get("XDG_CACHE_HOME").map(|b| b.join("kis-rs")))
        .or_else(|| get("HOME").map(|h| h.join(".cache").join("kis-rs")))
}

fn parse_env(s: &str) -> Result<Env, Error> {
    match s.trim().to_ascii_lowercase().as_str() {
        "real" | "prod" => Ok(Env::Real),
        "paper" | "vps" | "demo" => Ok(Env::Paper),
        other => Err(Error::InvalidConfig(format!(
            "unknown env {other:?} (expected real or paper)"
        ))),
    }
}

/// The official `kis_devlp.yaml` keys (plus our optional `env` and `allow_real_trading`).
#[derive(Debug, Default, Deserialize)]
struct DevlpYaml {
    my_app: Option<String>,
    my_sec: Option<String>,
    paper_app: Option<String>,
    paper_sec: Option<String>,
    my_htsid: Option<String>,
    my_acct_stock: Option<String>,
    #[allow(dead_code)]
    my_acct_future: Option<String>,
    my_paper_stock: Option<String>,
    #[allow(dead_code)]
    my_paper_future: Option<String>,
    my_prod: Option<String>,
    my_agent: Option<String>,
    prod: Option<String>,
    vps: Option<String>,
    ops: Option<String>,
    vops: Option<String>,
    env: Option<String>,
    allow_real_trading: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const YAML: &str = r#"
my_app: "REALKEY"
my_sec: "REALSECRET"
paper_app: "PAPERKEY"
paper_sec: "PAPERSECRET"
my_htsid: "hts1"
my_acct_stock: "12345678"
my_acct_future: "87654321"
my_paper_stock: "50000001"
my_paper_future: "50000002"
my_prod: "01"
my_agent: "Mozilla/5.0"
prod: "https://openapi.koreainvestment.com:9443"
vps: "https://openapivts.koreainvestment.com:29443"
ops: "ws://ops.koreainvestment.com:21000"
vops: "ws://ops.koreainvestment.com:31000"
"#;

    fn write_yaml(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().expect("temp file");
        std::fs::write(f.path(), text).expect("write");
        f
    }

    #[test]
    fn real_and_paper_pick_keys_accounts_and_hosts() {
        let f = write_yaml(YAML);
        let real = Config::from_kis_devlp_yaml_env(f.path(), Env::Real).expect("real");
        assert_eq!(real.app_key.expose(), "REALKEY");
        assert_eq!(real.account().map(|a| a.cano()), Some("12345678"));
        assert_eq!(real.rest_url(), REAL_REST_URL);
        assert_eq!(real.ws_url(), REAL_WS_URL);
        assert_eq!(real.rate_limit_per_sec(), 20);
        assert!(!real.allow_real_trading());
        let paper = Config::from_kis_devlp_yaml_env(f.path(), Env::Paper).expect("paper");
        assert_eq!(paper.app_secret.expose(), "PAPERSECRET");
        assert_eq!(paper.account().map(|a| a.cano()), Some("50000001"));
        assert_eq!(paper.rest_url(), PAPER_REST_URL);
        assert_eq!(paper.ws_url(), PAPER_WS_URL);
        assert_eq!(paper.rate_limit_per_sec(), 2);
        assert_eq!(paper.hts_id(), Some("hts1"));
    }

    /// Plain http:// carries the app secret and the token in the clear: only to this machine.
    #[test]
    fn plain_http_is_refused_but_for_a_local_simulator() {
        let build = |env: Env, url: &str| {
            Config::builder()
                .env(env)
                .app_key("K")
                .app_secret("S")
                .rest_url(url)
                .build()
        };
        for url in [
            "http://openapi.koreainvestment.com:9443",
            "http://openapivts.koreainvestment.com:29443",
            "http://10.0.0.5:8080",
            "http://localhost.evil.example",
            "http://127.0.0.1@evil.example",
        ] {
            for env in [Env::Real, Env::Paper] {
                let e = build(env, url).expect_err(url);
                assert!(e.to_string().contains("https://"), "{url}: {e}");
            }
        }
        for url in [
            "http://127.0.0.1:9",
            "http://localhost:8080/",
            "http://[::1]:80",
            "https://openapi.koreainvestment.com:9443",
        ] {
            build(Env::Real, url).expect(url);
        }
    }

    #[test]
    fn environment_defaults_to_paper() {
        let f = write_yaml(YAML);
        let c = Config::from_kis_devlp_yaml(f.path()).expect("config");
        assert_eq!(c.env(), Env::Paper);
        assert_eq!(c.app_key.expose(), "PAPERKEY");
        let f = write_yaml(&format!("{YAML}env: real\nallow_real_trading: true\n"));
        let c = Config::from_kis_devlp_yaml(f.path()).expect("config");
        assert_eq!(c.env(), Env::Real);
        assert_eq!(c.app_key.expose(), "REALKEY");
        assert!(c.allow_real_trading());
        let c = Config::builder()
            .app_key("k")
            .app_secret("s")
            .build()
            .expect("config");
        assert_eq!((c.env(), c.rest_url()), (Env::Paper, PAPER_REST_URL));
    }

    #[test]
    fn env_overrides_win() {
        let f = write_yaml(YAML);
        let vars: HashMap<&str, String> = [
            ("KIS_CONFIG", f.path().display().to_string()),
            ("KIS_ENV", "paper".into()),
            ("KIS_APP_KEY", "ENVKEY".into()),
            ("KIS_ACCOUNT", "1111222203".into()),
            ("KIS_REST_URL", "http://127.0.0.1:9/".into()),
            ("KIS_RATE_LIMIT", "7".into()),
            ("KIS_TOKEN_CACHE_DIR", "/tmp/kis-x".into()),
            ("KIS_CUSTTYPE", "B".into()),
        ]
        .into_iter()
        .collect();
        let c = Config::load_with(|k| vars.get(k).cloned()).expect("config");
        assert_eq!(c.env(), Env::Paper);
        assert_eq!(c.app_key.expose(), "ENVKEY");
        assert_eq!(c.app_secret.expose(), "PAPERSECRET");
        assert_eq!(
            c.account().map(|a| (a.cano(), a.product_code())),
            Some(("11112222", "03"))
        );
        assert_eq!(c.rest_url(), "http://127.0.0.1:9");
        assert_eq!(c.rate_limit_per_sec(), 7);
        assert_eq!(c.token_cache_dir.as_deref(), Some(Path::new("/tmp/kis-x")));
        assert_eq!(c.custtype(), "B");
    }

    #[test]
    fn invalid_configs_are_clear_errors() {
        let err = |r: Result<Config, Error>| match r {
            Err(Error::InvalidConfig(m)) => m,
            other => panic!("expected InvalidConfig, got {other:?}"),
        };
        assert!(err(Config::builder().app_secret("s").build()).contains("app key"));
        assert!(err(Config::builder().app_key("k").build()).contains("app secret"));
        let m = err(Config::builder()
            .app_key("k")
            .app_secret("s")
            .account("1234-01")
            .build());
        assert!(m.contains("8 digits"), "{m}");
        let m = err(Config::load_with(|k| match k {
            "KIS_ENV" => Some("staging".into()),
            "KIS_CONFIG" => Some("/nonexistent/kis.yaml".into()),
            _ => None,
        }));
        assert!(m.contains("unknown env"), "{m}");
        let m = err(Config::load_with(|k| {
            (k == "KIS_CONFIG").then(|| "/nonexistent/kis.yaml".into())
        }));
        assert!(m.contains("cannot read"), "{m}");
        let f = write_yaml("my_app: [unclosed");
        let m = err(Config::from_kis_devlp_yaml_env(f.path(), Env::Real));
        assert!(m.contains("YAML error"), "{m}");
    }

    #[test]
    fn debug_redacts_secrets() {
        let c = Config::builder()
            .app_key("APPKEY123")
            .app_secret("SECRET456")
            .account("12345678-01")
            .build()
            .expect("config");
        let d = format!("{c:?}");
        for s in ["APPKEY123", "SECRET456", "12345678"] {
            assert!(!d.contains(s), "{s} leaked in {d}");
        }
    }
}
