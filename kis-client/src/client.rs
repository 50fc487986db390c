//! The `Client` handle: configuration, one connection pool, one rate limiter and one token state,
//! shared by every clone.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, USER_AGENT};

use crate::auth::Auth;
use crate::config::Config;
use crate::error::Error;
use crate::rate_limit::RateLimiter;
use crate::secret::ApprovalKey;
use crate::token_cache::TokenCache;

/// A KIS REST client. Cheap to clone: clones share the connection pool, the rate limiter and the
/// token.
///
/// ```no_run
/// # async fn demo() -> Result<(), kis_client::Error> {
/// let client = kis_client::Client::new(kis_client::Config::load()?)?;
/// let key = client.approval_key().await?; // for kis-ws
/// # let _ = key; Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

/// Shared state behind a [`Client`].
#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) config: Config,
    pub(crate) http: reqwest::Client,
    pub(crate) limiter: Arc<RateLimiter>,
    pub(crate) auth: Auth,
    /// content-type, appkey, appsecret, custtype (and user-agent): the same on every call.
    pub(crate) base_headers: HeaderMap,
}

/// Limiters by (env, base URL, app key, rate): separate `Client`s for the same app key share
/// one, because KIS counts per app key.
fn shared_limiter(config: &Config) -> Arc<RateLimiter> {
    static LIMITERS: OnceLock<Mutex<HashMap<String, Weak<RateLimiter>>>> = OnceLock::new();
    let key = format!(
        "{:?}\0{}\0{}\0{}\0{:?}",
        config.env,
        config.rest_url,
        config.app_key.expose(),
        config.rate_limit_per_sec,
        config.rate_limit_window
    );
    let map = LIMITERS.get_or_init(Default::default);
    let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
    map.retain(|_, w| w.strong_count() > 0);
    if let Some(l) = map.get(&key).and_then(Weak::upgrade) {
        return l;
    }
    let l = Arc::new(RateLimiter::new(
        config.rate_limit_per_sec,
        config.rate_limit_window,
    ));
    map.insert(key, Arc::downgrade(&l));
    l
}

fn header(
    name: &'static str,
    value: &str,
    sensitive: bool,
) -> Result<(HeaderName, HeaderValue), Error> {
    let mut v = HeaderValue::from_str(value).map_err(|_| {
        Error::InvalidConfig(format!(
            "{name} contains characters not allowed in a header"
        ))
    })?;
    v.set_sensitive(sensitive);
    Ok((HeaderName::from_static(name), v))
}

impl Client {
    /// Builds a client. No network call is made until the first request.
    pub fn new(config: Config) -> Result<Client, Error> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .pool_idle_timeout(std::time::Duration::from_secs(60))
            .build()
            .map_err(|e| Error::InvalidConfig(format!("cannot build the HTTP client: {e}")))?;
        let mut base_headers = HeaderMap::new();
        base_headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        for (name, value, sensitive) in [
            ("appkey", config.app_key.expose(), true),
            ("appsecret", config.app_secret.expose(), true),
            ("custtype", config.custtype.as_str(), false),
        ] {
            let (n, v) = header(name, value, sensitive)?;
            base_headers.insert(n, v);
        }
        if let Some(ua) = &config.user_agent {
            let (_, v) = header("user-agent", ua, false)?;
            base_headers.insert(USER_AGENT, v);
        }
        let cache = config
            .token_cache_dir
            .as_deref()
            .map(|dir| TokenCache::new(dir, config.env, &config.rest_url, &config.app_key));
        let limiter = shared_limiter(&config);
        Ok(Client {
            inner: Arc::new(Inner {
                auth: Auth::new(cache),
                config,
                http,
                limiter,
                base_headers,
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The websocket approval key (`/oauth2/Approval`), issued on first use and then reused.
    pub async fn approval_key(&self) -> Result<ApprovalKey, Error> {
        self.inner.auth.approval_key(&self.inner, false).await
    }

    /// Issues a new approval key (e.g. after the server rejected the old one).
    pub async fn renew_approval_key(&self) -> Result<ApprovalKey, Error> {
        self.inner.auth.approval_key(&self.inner, true).await
    }

    /// Makes sure a valid access token is available (memory, disk cache, or one issuance).
    pub async fn ensure_token(&self) -> Result<(), Error> {
        self.inner.auth.token(&self.inner).await.map(|_| ())
    }

    /// Revokes the access token (`/oauth2/revokeP`) and deletes it from the cache.
    pub async fn revoke_token(&self) -> Result<(), Error> {
        self.inner.auth.revoke(&self.inner).await
    }
}

impl Inner {
    /// POSTs a JSON body to an auth endpoint (through the limiter); returns status and body.
    /// Bodies here hold secrets: they are never logged or kept in errors.
    pub(crate) async fn post_auth(
        &self,
        path: &str,
        body: &serde_json::Value,
        extra: Option<&HeaderMap>,
    ) -> Result<(u16, Vec<u8>), Error> {
        let _permit = self.limiter.acquire().await;
        let started = std::time::Instant::now();
        let mut rb = self
            .http
            .post(format!("{}{path}", self.config.rest_url))
            .headers(self.base_headers.clone())
            .json(body);
        if let Some(h) = extra {
            rb = rb.headers(h.clone());
        }
        let resp = rb
            .send()
            .await
            .map_err(|e| Error::transport(path, !e.is_connect(), e))?;
        let status = resp.status().as_u16();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| Error::transport(path, true, e))?;
        tracing::debug!(
            path,
            status,
            latency_ms = started.elapsed().as_millis() as u64,
            "KIS auth call"
        );
        Ok((status, bytes.to_vec()))
    }
}
