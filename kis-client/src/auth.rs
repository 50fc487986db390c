//! Access tokens (`/oauth2/tokenP`: single-flight across tasks, clients and processes,
//! disk-cached, `EGW00133`-aware, evicted when KIS rejects them), revocation, websocket approval
//! keys and hashkeys. Every call goes through [`crate::wire::Wire`]; nothing here knows the
//! client.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock, Weak};
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use reqwest::header::HeaderValue;
use serde::Deserialize;

use crate::api::oauth::{ApprovalRequest, RevokepRequest, TokenpRequest};
use crate::config::{Config, TokenWait};
use crate::endpoint::Endpoint;
use crate::endpoint::HttpMethod;
use crate::error::{Error, ErrorKind};
use crate::secret::{ApprovalKey, Secret};
use crate::token_cache::{CachedToken, TokenCache};
use crate::wire::{Call, Wire};

/// An access token ready to be sent.
#[derive(Debug)]
pub(crate) struct Token {
    /// `Bearer <token>`, marked sensitive.
    pub(crate) header: HeaderValue,
    pub(crate) token: Secret,
    pub(crate) expires_at: DateTime<Utc>,
}

impl Token {
    fn new(token: Secret, expires_at: DateTime<Utc>) -> Result<Self, Error> {
        let mut header =
            HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
                Error::Auth {
                    status: 200,
                    code: String::new(),
                    message: "access token contains characters not allowed in a header".into(),
                }
            })?;
        header.set_sensitive(true);
        Ok(Self {
            header,
            token,
            expires_at,
        })
    }
}

/// Token state of one app key on one service, shared by every `Client` for it in this process
/// (see `Auth::shared`); issuance is single-flight across tasks, clients and (through the lock
/// file beside the cache) processes.
#[derive(Debug)]
pub(crate) struct Auth {
    current: RwLock<Option<Arc<Token>>>,
    /// Held while issuing; holds the last failed attempt, so tasks that queued behind it get
    /// the same answer instead of asking KIS again.
    issuing: tokio::sync::Mutex<Option<Failure>>,
    /// Counts finished issuance attempts.
    attempts: AtomicU64,
    cache: Option<TokenCache>,
    /// The last token the server rejected as expired/invalid: never reuse it from disk.
    rejected: RwLock<Option<Secret>>,
    /// The approval key and when it was issued.
    approval: tokio::sync::Mutex<Option<(ApprovalKey, std::time::Instant)>>,
}

/// The cross-process lock, waiting for it up to [`LOCK_WAIT_MAX`]; `None` when it could not
/// be had (still held, or the lock file cannot be opened).
async fn lock_waiting(cache: &TokenCache) -> Option<std::fs::File> {
    let started = std::time::Instant::now();
    loop {
        match cache.try_lock() {
            Ok(Some(f)) => return Some(f),
            Ok(None) if started.elapsed() < LOCK_WAIT_MAX => tokio::time::sleep(LOCK_POLL).await,
            Ok(None) => return None,
            Err(e) => {
                tracing::warn!(path = %cache.path().display(), error = %e, "cannot take the token lock");
                return None;
            }
        }
    }
}

/// Whether a caller may wait for a token (reads) or must fail fast (orders).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Patience {
    Wait,
    FailFast,
}

/// A failed issuance attempt and its number.
#[derive(Debug)]
struct Failure {
    attempt: u64,
    error: Error,
}

/// A copy of an issuance error for the tasks that waited on it (transport sources cannot be
/// cloned; their text is kept).
pub(crate) fn replay(e: &Error) -> Error {
    match e {
        Error::TokenIssuanceThrottled { waited } => {
            Error::TokenIssuanceThrottled { waited: *waited }
        }
        Error::Auth {
            status,
            code,
            message,
        } => Error::Auth {
            status: *status,
            code: code.clone(),
            message: message.clone(),
        },
        Error::Redirect {
            tr_id,
            status,
            location,
            may_have_been_sent,
        } => Error::Redirect {
            tr_id: tr_id.clone(),
            status: *status,
            location: location.clone(),
            may_have_been_sent: *may_have_been_sent,
        },
        other => Error::Auth {
            status: 0,
            code: String::new(),
            message: format!("token issuance failed: {other}"),
        },
    }
}

/// The instant `secs` seconds from now, saturating: never panics, whatever the server sends.
fn now_plus_secs(secs: i64) -> DateTime<Utc> {
    let now = Utc::now();
    // KIS tokens live a day; anything beyond a few days is clamped (and a negative value means
    // already expired).
    let secs = secs.clamp(0, 3 * 86_400);
    now.checked_add_signed(chrono::TimeDelta::seconds(secs))
        .unwrap_or(now)
}

/// How long to poll for the cross-process issuance lock before issuing anyway.
const LOCK_WAIT_MAX: Duration = Duration::from_secs(150);
const LOCK_POLL: Duration = Duration::from_millis(50);
/// How long an order waits for a token another task or process is issuing (one HTTP
/// exchange) before it fails with [`Error::TokenNotReady`] unsent.
pub(crate) const ORDER_TOKEN_WAIT: Duration = Duration::from_secs(5);

/// The `grant_type` of token and approval-key requests.
const GRANT_TYPE: &str = "client_credentials";

/// Approval keys are valid about 24 h; reuse one for at most this long.
const APPROVAL_REUSE: Duration = Duration::from_secs(12 * 3600);

/// `access_token_token_expired` is KST (UTC+9), `YYYY-MM-DD HH:MM:SS`.
pub(crate) fn parse_kst(s: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S").ok()?;
    Some(
        naive
            .checked_sub_signed(chrono::Duration::hours(9))?
            .and_utc(),
    )
}

/// When an issued token expires: `access_token_token_expired` (KST) when it parses and is
/// plausible, else `expires_in` seconds from now, else 23 h. Never panics.
fn expiry(expires_in: Option<serde_json::Value>, expired_at: Option<&str>) -> DateTime<Utc> {
    let now = Utc::now();
    let plausible = |t: &DateTime<Utc>| {
        now.checked_add_signed(chrono::TimeDelta::days(3))
            .is_some_and(|max| *t <= max)
    };
    let expires_in = expires_in.and_then(|v| match v {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    });
    expired_at
        .and_then(parse_kst)
        .filter(plausible)
        .or_else(|| expires_in.map(now_plus_secs))
        .unwrap_or_else(|| now_plus_secs(23 * 3600))
}

#[derive(Deserialize)]
struct TokenBody {
    access_token: Option<String>,
    expires_in: Option<serde_json::Value>,
    access_token_token_expired: Option<String>,
}

/// Error shapes of the auth endpoints: `{error_code, error_description}` or the REST envelope.
#[derive(Deserialize, Default)]
struct AuthErrorBody {
    error_code: Option<String>,
    error_description: Option<String>,
    msg_cd: Option<String>,
    msg1: Option<String>,
}

/// POSTs a JSON body to an auth endpoint through the wire; returns status and body.
/// Bodies here hold secrets: they are never logged or kept in errors.
async fn post_auth(
    wire: &Wire,
    path: &str,
    body: &impl serde::Serialize,
) -> Result<(u16, Vec<u8>), Error> {
    let body = serde_json::to_vec(body).map_err(|e| Error::InvalidRequest(e.to_string()))?;
    let a = wire
        .exchange(Call {
            method: HttpMethod::Post,
            path,
            query: &[],
            body: Some(body),
            headers: Default::default(),
            label: path,
        })
        .await?;
    Ok((a.status, a.body))
}

fn auth_error(status: u16, body: &[u8]) -> Error {
    let e: AuthErrorBody = serde_json::from_slice(body).unwrap_or_default();
    Error::Auth {
        status,
        code: e.error_code.or(e.msg_cd).unwrap_or_default(),
        message: e
            .error_description
            .or(e.msg1)
            .unwrap_or_else(|| "unexpected answer".to_owned()),
    }
}

impl Auth {
    pub(crate) fn new(cache: Option<TokenCache>) -> Self {
        Self {
            current: RwLock::new(None),
            issuing: tokio::sync::Mutex::new(None),
            attempts: AtomicU64::new(0),
            cache,
            rejected: RwLock::new(None),
            approval: tokio::sync::Mutex::new(None),
        }
    }

    /// The token state for `config`'s (env, base URL, app key, cache dir), shared by every
    /// `Client` built for them in this process: they share one token and one issuance.
    pub(crate) fn shared(config: &Config) -> Arc<Auth> {
        static AUTHS: OnceLock<Mutex<HashMap<String, Weak<Auth>>>> = OnceLock::new();
        let key = format!(
            "{:?}\0{}\0{}\0{}\0{:?}",
            config.env,
            config.rest_url,
            config.app_key.expose(),
            config.app_secret.expose(),
            config.token_cache_dir
        );
        let map = AUTHS.get_or_init(Default::default);
        let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, w| w.strong_count() > 0);
        if let Some(a) = map.get(&key).and_then(Weak::upgrade) {
            return a;
        }
        let cache = config
            .token_cache_dir
            .as_deref()
            .map(|dir| TokenCache::new(dir, config.env, &config.rest_url, &config.app_key));
        let a = Arc::new(Auth::new(cache));
        map.insert(key, Arc::downgrade(&a));
        a
    }

    fn fresh(t: &Token, skew: Duration) -> bool {
        let skew = chrono::TimeDelta::from_std(skew).unwrap_or(chrono::TimeDelta::MAX);
        t.expires_at
            .checked_sub_signed(skew)
            .is_some_and(|at| at > Utc::now())
    }

    /// The current token without any I/O, if it is fresh (the hot path).
    pub(crate) fn cached(&self, skew: Duration) -> Option<Arc<Token>> {
        let cur = self.current.read().unwrap_or_else(|p| p.into_inner());
        cur.as_ref().filter(|t| Self::fresh(t, skew)).cloned()
    }

    /// A fresh token: memory, then disk, then one issuance (single-flight across tasks and
    /// clients; across processes through the lock file beside the cache).
    pub(crate) async fn token(&self, wire: &Wire, config: &Config) -> Result<Arc<Token>, Error> {
        self.token_with(wire, config, Patience::Wait).await
    }

    /// A fresh token for a state-changing call (an order): like [`Auth::token`], but waits at
    /// most [`ORDER_TOKEN_WAIT`] behind another task's or process's issuance and never behind
    /// KIS's one-a-minute throttle: [`Error::TokenNotReady`] instead, and the order is not
    /// sent.
    pub(crate) async fn token_now(
        &self,
        wire: &Wire,
        config: &Config,
    ) -> Result<Arc<Token>, Error> {
        self.token_with(wire, config, Patience::FailFast).await
    }

    async fn token_with(
        &self,
        wire: &Wire,
        config: &Config,
        patience: Patience,
    ) -> Result<Arc<Token>, Error> {
        let skew = config.token_expiry_skew;
        if let Some(t) = self.cached(skew) {
            return Ok(t);
        }
        let seen = self.attempts.load(Ordering::SeqCst);
        let mut last = match patience {
            Patience::Wait => self.issuing.lock().await,
            // An issuance in flight is one HTTP exchange: an order waits for it a few
            // seconds, never for the minutes of a throttled one.
            Patience::FailFast => {
                match tokio::time::timeout(ORDER_TOKEN_WAIT, self.issuing.lock()).await {
                    Ok(guard) => guard,
                    Err(_) => {
                        return Err(Error::TokenNotReady {
                            cause: TokenWait::OtherTask,
                        });
                    }
                }
            }
        };
        if let Some(t) = self.cached(skew) {
            return Ok(t);
        }
        // An attempt finished while this task waited, and failed: share its answer.
        if let Some(f) = last.as_ref().filter(|f| f.attempt > seen) {
            return Err(replay(&f.error));
        }
        if let Some(t) = self.load_disk(skew)? {
            return Ok(self.install(t));
        }
        let result = self.issue_locked(wire, config, skew, patience).await;
        let attempt = self.attempts.fetch_add(1, Ordering::SeqCst) + 1;
        match result {
            Ok(t) => {
                *last = None;
                Ok(t)
            }
            Err(error) => {
                *last = Some(Failure {
                    attempt,
                    error: replay(&error),
                });
                Err(error)
            }
        }
    }

    /// Issues under the cross-process lock: waits (visibly) while another process holds it,
    /// then takes the token that process cached, or issues one and caches it.
    async fn issue_locked(
        &self,
        wire: &Wire,
        config: &Config,
        skew: Duration,
        patience: Patience,
    ) -> Result<Arc<Token>, Error> {
        let mut _lock = None;
        if let Some(cache) = &self.cache {
            let started = std::time::Instant::now();
            let mut reported = false;
            loop {
                match cache.try_lock() {
                    Ok(Some(f)) => {
                        _lock = Some(f);
                        break;
                    }
                    Ok(None)
                        if patience == Patience::FailFast
                            && started.elapsed() < ORDER_TOKEN_WAIT =>
                    {
                        tokio::time::sleep(LOCK_POLL).await;
                    }
                    Ok(None) if patience == Patience::FailFast => {
                        // Whoever holds it may have cached a token already.
                        if let Some(t) = self.load_disk(skew)? {
                            return Ok(self.install(t));
                        }
                        return Err(Error::TokenNotReady {
                            cause: TokenWait::OtherProcess,
                        });
                    }
                    Ok(None) if started.elapsed() < LOCK_WAIT_MAX => {
                        if !reported {
                            config.on_token_wait.report(TokenWait::OtherProcess);
                            reported = true;
                        }
                        tokio::time::sleep(LOCK_POLL).await;
                    }
                    Ok(None) => {
                        tracing::warn!(path = %cache.path().display(), "token lock still held; issuing anyway");
                        break;
                    }
                    Err(e) => {
                        tracing::warn!(path = %cache.path().display(), error = %e, "cannot take the token lock; issuing without it");
                        break;
                    }
                }
            }
            // Whoever held the lock may have cached a token meanwhile.
            if let Some(t) = self.load_disk(skew)? {
                return Ok(self.install(t));
            }
        }
        let issued = match self.issue(wire, config).await {
            Err(e) if e.kind() == ErrorKind::TokenThrottled && patience == Patience::FailFast => {
                return Err(Error::TokenNotReady {
                    cause: TokenWait::Throttled {
                        wait: config.token_throttle_wait,
                    },
                });
            }
            Err(e) if e.kind() == ErrorKind::TokenThrottled => {
                let waited = config.token_throttle_wait;
                config
                    .on_token_wait
                    .report(TokenWait::Throttled { wait: waited });
                tokio::time::sleep(waited).await;
                match self.issue(wire, config).await {
                    Err(e) if e.kind() == ErrorKind::TokenThrottled => {
                        return Err(Error::TokenIssuanceThrottled { waited });
                    }
                    other => other?,
                }
            }
            other => other?,
        };
        if let Some(cache) = &self.cache {
            let cached = CachedToken {
                token: issued.token.clone(),
                expires_at: issued.expires_at,
            };
            if let Err(e) = cache.store(&cached) {
                tracing::warn!(path = %cache.path().display(), error = %e, "cannot write token cache");
            }
        }
        Ok(self.install(issued))
    }

    fn load_disk(&self, skew: Duration) -> Result<Option<Token>, Error> {
        let Some(c) = self.cache.as_ref().and_then(TokenCache::load) else {
            return Ok(None);
        };
        let rejected = self.rejected.read().unwrap_or_else(|p| p.into_inner());
        if rejected.as_ref() == Some(&c.token) {
            return Ok(None);
        }
        let t = Token::new(c.token, c.expires_at)?;
        Ok(Self::fresh(&t, skew).then_some(t))
    }

    fn install(&self, t: Token) -> Arc<Token> {
        let t = Arc::new(t);
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(t.clone());
        t
    }

    /// Forgets `t` after the server called it expired or invalid, in memory and in the disk
    /// cache, so the next call (in any process) issues a new one.
    pub(crate) fn reject(&self, t: &Arc<Token>) {
        let mut cur = self.current.write().unwrap_or_else(|p| p.into_inner());
        if cur.as_ref().is_some_and(|c| Arc::ptr_eq(c, t)) {
            *cur = None;
        }
        drop(cur);
        *self.rejected.write().unwrap_or_else(|p| p.into_inner()) = Some(t.token.clone());
        if let Some(cache) = &self.cache {
            cache.evict(&t.token);
        }
    }

    async fn issue(&self, wire: &Wire, c: &Config) -> Result<Token, Error> {
        let body = TokenpRequest::new(GRANT_TYPE, c.app_key.expose(), c.app_secret.expose());
        let (status, bytes) = post_auth(wire, TokenpRequest::INFO.path, &body).await?;
        if !(200..300).contains(&status) {
            return Err(auth_error(status, &bytes));
        }
        let b: TokenBody =
            serde_json::from_slice(&bytes).map_err(|_| auth_error(status, &bytes))?;
        let token = b
            .access_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| auth_error(status, &bytes))?;
        let expires_at = expiry(b.expires_in, b.access_token_token_expired.as_deref());
        tracing::info!(expires_at = %expires_at, "issued a new KIS access token");
        Token::new(Secret::new(token), expires_at)
    }

    /// Revokes the current token (`/oauth2/revokeP`) and forgets it in memory and on disk.
    pub(crate) async fn revoke(&self, wire: &Wire, c: &Config) -> Result<(), Error> {
        let _guard = self.issuing.lock().await;
        // Under the cross-process lock, as issuance: no other process writes a new token while
        // this one is revoked and its file removed.
        let _lock = match &self.cache {
            Some(cache) => lock_waiting(cache).await,
            None => None,
        };
        let token = {
            let cur = self.current.read().unwrap_or_else(|p| p.into_inner());
            cur.as_ref().map(|t| t.token.clone())
        };
        let token = match token.or_else(|| {
            self.cache
                .as_ref()
                .and_then(TokenCache::load)
                .map(|c| c.token)
        }) {
            Some(t) => t,
            None => return Ok(()),
        };
        let body = RevokepRequest::new(c.app_key.expose(), c.app_secret.expose(), token.expose());
        let (status, bytes) = post_auth(wire, RevokepRequest::INFO.path, &body).await?;
        if !(200..300).contains(&status) {
            return Err(auth_error(status, &bytes));
        }
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = None;
        if let Some(cache) = &self.cache {
            // Only the revoked token's file: a newer one (another process) stays.
            match &_lock {
                Some(_) => cache.evict_held(&token),
                None => cache.evict(&token),
            }
        }
        Ok(())
    }

    /// The websocket approval key, issued once per client and reused.
    pub(crate) async fn approval_key(
        &self,
        wire: &Wire,
        c: &Config,
        renew: bool,
    ) -> Result<ApprovalKey, Error> {
        let mut slot = self.approval.lock().await;
        if !renew {
            if let Some((k, at)) = slot.as_ref() {
                if at.elapsed() < APPROVAL_REUSE {
                    return Ok(k.clone());
                }
            }
        }
        let body = ApprovalRequest::new(GRANT_TYPE, c.app_key.expose(), c.app_secret.expose());
        let (status, bytes) = post_auth(wire, ApprovalRequest::INFO.path, &body).await?;
        #[derive(Deserialize)]
        struct Body {
            approval_key: Option<String>,
        }
        let key = serde_json::from_slice::<Body>(&bytes)
            .ok()
            .and_then(|b| b.approval_key)
            .filter(|k| (200..300).contains(&status) && !k.is_empty())
            .ok_or_else(|| auth_error(status, &bytes))?;
        let key = ApprovalKey::new(key);
        *slot = Some((key.clone(), std::time::Instant::now()));
        Ok(key)
    }
}

/// Computes the `hashkey` header for a POST body via `/uapi/hashkey`.
pub(crate) async fn hashkey(wire: &Wire, body: &[u8]) -> Result<HeaderValue, Error> {
    let json: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| Error::InvalidRequest(format!("POST body is not JSON: {e}")))?;
    let (status, bytes) = post_auth(wire, "/uapi/hashkey", &json).await?;
    #[derive(Deserialize)]
    struct Body {
        #[serde(rename = "HASH")]
        hash: Option<String>,
    }
    let hash = serde_json::from_slice::<Body>(&bytes)
        .ok()
        .and_then(|b| b.hash)
        .filter(|h| (200..300).contains(&status) && !h.is_empty())
        .ok_or_else(|| auth_error(status, &bytes))?;
    HeaderValue::from_str(&hash).map_err(|_| Error::Auth {
        status,
        code: String::new(),
        message: "hashkey contains characters not allowed in a header".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    #[test]
    fn kst_is_nine_hours_ahead() {
        let t = parse_kst("2026-06-25 09:00:00").expect("valid");
        assert_eq!(
            t,
            Utc.with_ymd_and_hms(2026, 6, 25, 0, 0, 0)
                .single()
                .expect("date")
        );
        let t = parse_kst("2026-01-01 03:00:00").expect("valid");
        assert_eq!(
            t,
            Utc.with_ymd_and_hms(2025, 12, 31, 18, 0, 0)
                .single()
                .expect("date")
        );
        for bad in [
            "",
            "2026-06-25",
            "2026-13-01 00:00:00",
            "2026-06-25T09:00:00",
            "garbage",
        ] {
            assert_eq!(parse_kst(bad), None, "{bad}");
        }
    }

    #[test]
    fn auth_errors_read_both_shapes() {
        let e = auth_error(
            403,
            br#"{"error_code":"EGW00133","error_description":"once per minute"}"#,
        );
        assert!(
            matches!(&e, Error::Auth { status: 403, code, .. } if code == "EGW00133"),
            "{e:?}"
        );
        let e = auth_error(
            500,
            br#"{"rt_cd":"1","msg_cd":"EGW00103","msg1":"bad key"}"#,
        );
        assert!(
            matches!(&e, Error::Auth { code, .. } if code == "EGW00103"),
            "{e:?}"
        );
        let e = auth_error(502, b"<html>");
        assert!(matches!(&e, Error::Auth { status: 502, .. }), "{e:?}");
    }

    #[test]
    fn token_header_is_sensitive_and_debug_redacted() {
        let t = Token::new(Secret::new("tok-SECRET"), Utc::now()).expect("token");
        assert!(t.header.is_sensitive());
        assert!(!format!("{t:?}").contains("tok-SECRET"));
    }

    #[test]
    fn extreme_expiries_saturate_instead_of_panicking() {
        let now = Utc::now();
        let max = now + chrono::TimeDelta::days(3) + chrono::TimeDelta::seconds(5);
        for v in [
            serde_json::json!(i64::MAX),
            serde_json::json!(i64::MIN),
            serde_json::json!(u64::MAX),
            serde_json::json!(1e308),
            serde_json::json!(-1e308),
            serde_json::json!("99999999999999999999"),
            serde_json::json!("-5"),
            serde_json::json!("abc"),
            serde_json::json!(null),
        ] {
            let t = expiry(Some(v.clone()), None);
            assert!(
                t <= max && t >= now - chrono::TimeDelta::seconds(5),
                "{v}: {t}"
            );
        }
        // An implausible KST date falls back to expires_in.
        let t = expiry(Some(serde_json::json!(86400)), Some("9999-12-31 23:59:59"));
        assert!(t <= max && t > now + chrono::TimeDelta::hours(23));
        let t = expiry(None, None);
        assert!(t > now + chrono::TimeDelta::hours(22));
        // Freshness arithmetic at the edges of chrono's range.
        let min = Token::new(Secret::new("t"), DateTime::<Utc>::MIN_UTC).expect("token");
        assert!(!Auth::fresh(&min, Duration::from_secs(600)));
        assert!(!Auth::fresh(&min, Duration::MAX));
        let far = Token::new(Secret::new("t"), DateTime::<Utc>::MAX_UTC).expect("token");
        assert!(Auth::fresh(&far, Duration::from_secs(600)));
        assert!(!Auth::fresh(&far, Duration::MAX));
    }

    proptest! {
        #[test]
        fn expiry_never_panics(secs in any::<i64>(), text in ".{0,25}") {
            let _ = expiry(Some(serde_json::json!(secs)), Some(&text));
            let _ = expiry(Some(serde_json::json!(text)), None);
        }

        #[test]
        fn parse_kst_never_panics(s in ".{0,30}") {
            let _ = parse_kst(&s);
        }

        #[test]
        fn parse_kst_roundtrips(secs in 0i64..4_000_000_000) {
            let utc = DateTime::<Utc>::from_timestamp(secs, 0).expect("in range");
            let kst = (utc + chrono::Duration::hours(9)).format("%Y-%m-%d %H:%M:%S").to_string();
            prop_assert_eq!(parse_kst(&kst), Some(utc));
        }
    }
}
