//! Access tokens (`/oauth2/tokenP`, single-flight, disk-cached, `EGW00133`-aware), revocation,
//! websocket approval keys and hashkeys.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use reqwest::header::HeaderValue;
use serde::Deserialize;

use crate::config::Config;
use crate::endpoint::HttpMethod;
use crate::error::Error;
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

/// Token state of one client (shared by its clones).
#[derive(Debug)]
pub(crate) struct Auth {
    current: RwLock<Option<Arc<Token>>>,
    issuing: tokio::sync::Mutex<()>,
    cache: Option<TokenCache>,
    /// The last token the server rejected as expired/invalid: never reuse it from disk.
    rejected: RwLock<Option<Secret>>,
    /// The approval key and when it was issued.
    approval: tokio::sync::Mutex<Option<(ApprovalKey, std::time::Instant)>>,
}

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
    body: &serde_json::Value,
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
            issuing: tokio::sync::Mutex::new(()),
            cache,
            rejected: RwLock::new(None),
            approval: tokio::sync::Mutex::new(None),
        }
    }

    fn fresh(t: &Token, skew: Duration) -> bool {
        let skew = chrono::Duration::from_std(skew).unwrap_or(chrono::Duration::zero());
        t.expires_at - skew > Utc::now()
    }

    /// The current token without any I/O, if it is fresh (the hot path).
    pub(crate) fn cached(&self, skew: Duration) -> Option<Arc<Token>> {
        let cur = self.current.read().unwrap_or_else(|p| p.into_inner());
        cur.as_ref().filter(|t| Self::fresh(t, skew)).cloned()
    }

    /// A fresh token: memory, then disk, then one issuance (single-flight across tasks).
    pub(crate) async fn token(&self, wire: &Wire, config: &Config) -> Result<Arc<Token>, Error> {
        let skew = config.token_expiry_skew;
        if let Some(t) = self.cached(skew) {
            return Ok(t);
        }
        let _guard = self.issuing.lock().await;
        if let Some(t) = self.cached(skew) {
            return Ok(t);
        }
        if let Some(t) = self.load_disk(skew)? {
            return Ok(self.install(t));
        }
        let issued = match self.issue(wire, config).await {
            Err(Error::Auth {
                status: 403, code, ..
            }) if code == "EGW00133" => {
                // Another process may just have issued one and cached it.
                if let Some(t) = self.load_disk(skew)? {
                    return Ok(self.install(t));
                }
                let waited = config.token_throttle_wait;
                tracing::warn!(
                    wait_ms = waited.as_millis() as u64,
                    "token issuance throttled (EGW00133); waiting once"
                );
                tokio::time::sleep(waited).await;
                match self.issue(wire, config).await {
                    Err(Error::Auth {
                        status: 403, code, ..
                    }) if code == "EGW00133" => {
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

    /// Forgets `t` after the server called it expired or invalid, so the next call re-issues.
    pub(crate) fn reject(&self, t: &Arc<Token>) {
        let mut cur = self.current.write().unwrap_or_else(|p| p.into_inner());
        if cur.as_ref().is_some_and(|c| Arc::ptr_eq(c, t)) {
            *cur = None;
        }
        *self.rejected.write().unwrap_or_else(|p| p.into_inner()) = Some(t.token.clone());
    }

    async fn issue(&self, wire: &Wire, c: &Config) -> Result<Token, Error> {
        let body = serde_json::json!({
            "grant_type": "client_credentials",
            "appkey": c.app_key.expose(),
            "appsecret": c.app_secret.expose(),
        });
        let (status, bytes) = post_auth(wire, "/oauth2/tokenP", &body).await?;
        if !(200..300).contains(&status) {
            return Err(auth_error(status, &bytes));
        }
        let b: TokenBody =
            serde_json::from_slice(&bytes).map_err(|_| auth_error(status, &bytes))?;
        let token = b
            .access_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| auth_error(status, &bytes))?;
        let expires_in = b.expires_in.and_then(|v| match v {
            serde_json::Value::Number(n) => n.as_i64(),
            serde_json::Value::String(s) => s.trim().parse().ok(),
            _ => None,
        });
        let expires_at = b
            .access_token_token_expired
            .as_deref()
            .and_then(parse_kst)
            .or_else(|| expires_in.map(|s| Utc::now() + chrono::Duration::seconds(s)))
            .unwrap_or_else(|| Utc::now() + chrono::Duration::hours(23));
        tracing::info!(expires_at = %expires_at, "issued a new KIS access token");
        Token::new(Secret::new(token), expires_at)
    }

    /// Revokes the current token (`/oauth2/revokeP`) and forgets it in memory and on disk.
    pub(crate) async fn revoke(&self, wire: &Wire, c: &Config) -> Result<(), Error> {
        let _guard = self.issuing.lock().await;
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
        let body = serde_json::json!({
            "appkey": c.app_key.expose(),
            "appsecret": c.app_secret.expose(),
            "token": token.expose(),
        });
        let (status, bytes) = post_auth(wire, "/oauth2/revokeP", &body).await?;
        if !(200..300).contains(&status) {
            return Err(auth_error(status, &bytes));
        }
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = None;
        if let Some(cache) = &self.cache {
            cache.remove();
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
        let body = serde_json::json!({
            "grant_type": "client_credentials",
            "appkey": c.app_key.expose(),
            "secretkey": c.app_secret.expose(),
        });
        let (status, bytes) = post_auth(wire, "/oauth2/Approval", &body).await?;
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

    proptest! {
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
