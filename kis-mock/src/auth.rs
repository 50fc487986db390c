//! Access tokens and websocket approval keys: issuance rules (one per window, same token within
//! the reuse window), expiry, revocation and lookup.

use std::collections::HashMap;
use std::time::Duration;

use rand::Rng;
use rand::distr::Alphanumeric;
use tokio::time::Instant;

/// Most websocket approval keys kept valid at once.
const MAX_APPROVAL_KEYS: usize = 1024;

/// Token and approval-key state of one mock.
#[derive(Debug, Default)]
pub(crate) struct AuthState {
    tokens: HashMap<String, Token>,
    current: Option<String>,
    last_issue: Option<Instant>,
    approval_keys: HashMap<String, String>,
}

#[derive(Debug, Clone)]
struct Token {
    issued: Instant,
    expires: Instant,
    expires_wall: chrono::DateTime<chrono::Utc>,
    revoked: bool,
}

/// An issued token as `/oauth2/tokenP` reports it.
#[derive(Debug, Clone)]
pub(crate) struct Issued {
    pub token: String,
    pub expires_in: u64,
    pub expires_kst: String,
}

/// Why a bearer token is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenError {
    Invalid,
    Expired,
}

/// A random alphanumeric string.
pub(crate) fn random_text(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// Whether a token looks like one KIS issues: a JWT (`eyJ…`), 16 to 4096 characters of the
/// base64url alphabet, dots and padding.
pub(crate) fn well_formed(token: &str) -> bool {
    (16..=4096).contains(&token.len())
        && token.starts_with("eyJ")
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.=+/".contains(&b))
}

/// KST (`YYYY-MM-DD HH:MM:SS`) rendering of a UTC instant.
pub(crate) fn kst(at: chrono::DateTime<chrono::Utc>) -> String {
    let offset = chrono::FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset");
    at.with_timezone(&offset)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

impl AuthState {
    /// Issues a token, or `None` when one was issued less than `window` ago.
    pub fn issue(&mut self, window: Duration, ttl: Duration, reuse: Duration) -> Option<Issued> {
        let now = Instant::now();
        if let Some(last) = self.last_issue {
            if now.duration_since(last) < window {
                return None;
            }
        }
        self.last_issue = Some(now);
        if let Some(current) = &self.current {
            if let Some(t) = self.tokens.get(current) {
                if !t.revoked && now < t.expires && now.duration_since(t.issued) < reuse {
                    return Some(Issued {
                        token: current.clone(),
                        expires_in: t.expires.duration_since(now).as_secs(),
                        expires_kst: kst(t.expires_wall),
                    });
                }
            }
        }
        // KIS tokens are JWTs; this has their look, not their content.
        let token = format!("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzUxMiJ9.{}", random_text(96));
        let expires_wall = chrono::Utc::now()
            + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::days(1));
        self.tokens.insert(
            token.clone(),
            Token {
                issued: now,
                expires: now + ttl,
                expires_wall,
                revoked: false,
            },
        );
        self.current = Some(token.clone());
        Some(Issued {
            token,
            expires_in: ttl.as_secs(),
            expires_kst: kst(expires_wall),
        })
    }

    /// Checks a bearer token; with `accept_any`, a well-formed token this mock never issued
    /// passes too (see [`well_formed`]).
    pub fn check(&self, token: &str, accept_any: bool) -> Result<(), TokenError> {
        match self.tokens.get(token) {
            None if accept_any && well_formed(token) => Ok(()),
            None => Err(TokenError::Invalid),
            Some(t) if t.revoked => Err(TokenError::Invalid),
            Some(t) if Instant::now() >= t.expires => Err(TokenError::Expired),
            Some(_) => Ok(()),
        }
    }

    /// Revokes a token; false when it was unknown.
    pub fn revoke(&mut self, token: &str) -> bool {
        match self.tokens.get_mut(token) {
            Some(t) => {
                t.revoked = true;
                if self.current.as_deref() == Some(token) {
                    self.current = None;
                }
                true
            }
            None => false,
        }
    }

    /// Expires every token now (the next calls get `EGW00123`).
    pub fn expire_all(&mut self) {
        let now = Instant::now();
        for t in self.tokens.values_mut() {
            t.expires = now;
        }
        self.current = None;
    }

    /// Forgets when the last token was issued, so the next request is not refused.
    pub fn reset_issue_window(&mut self) {
        self.last_issue = None;
    }

    /// Issues a websocket approval key for `app_key`.
    pub fn approval_key(&mut self, app_key: &str) -> String {
        let raw = random_text(32).to_ascii_lowercase();
        let key = format!(
            "{}-{}-{}-{}-{}",
            &raw[..8],
            &raw[8..12],
            &raw[12..16],
            &raw[16..20],
            &raw[20..32]
        );
        // Bounded: a client asking for keys in a loop pushes out an older one.
        if self.approval_keys.len() >= MAX_APPROVAL_KEYS {
            if let Some(old) = self.approval_keys.keys().next().cloned() {
                self.approval_keys.remove(&old);
            }
        }
        self.approval_keys.insert(key.clone(), app_key.to_owned());
        key
    }

    /// The app key an approval key was issued for.
    pub fn app_key_of(&self, approval_key: &str) -> Option<&str> {
        self.approval_keys.get(approval_key).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);
    const DAY: Duration = Duration::from_secs(86_400);
    const SIX_H: Duration = Duration::from_secs(6 * 3600);

    #[tokio::test(start_paused = true)]
    async fn one_issuance_per_window_and_reuse() {
        let mut auth = AuthState::default();
        let first = auth.issue(MIN, DAY, SIX_H).unwrap();
        assert!(auth.issue(MIN, DAY, SIX_H).is_none());
        tokio::time::advance(MIN).await;
        let second = auth.issue(MIN, DAY, SIX_H).unwrap();
        assert_eq!(first.token, second.token);
        assert!(second.expires_in < DAY.as_secs());
        tokio::time::advance(SIX_H).await;
        let third = auth.issue(MIN, DAY, SIX_H).unwrap();
        assert_ne!(first.token, third.token);
        assert_eq!(auth.check(&first.token, false), Ok(()));
        tokio::time::advance(DAY).await;
        assert_eq!(auth.check(&first.token, false), Err(TokenError::Expired));
        assert_eq!(auth.check("nope", false), Err(TokenError::Invalid));
    }

    #[tokio::test(start_paused = true)]
    async fn revoke_and_expire() {
        let mut auth = AuthState::default();
        let t = auth.issue(Duration::ZERO, DAY, SIX_H).unwrap().token;
        assert!(auth.revoke(&t));
        assert_eq!(auth.check(&t, false), Err(TokenError::Invalid));
        let u = auth.issue(Duration::ZERO, DAY, SIX_H).unwrap().token;
        assert_ne!(t, u);
        auth.expire_all();
        assert_eq!(auth.check(&u, false), Err(TokenError::Expired));
    }

    #[tokio::test(start_paused = true)]
    async fn accept_any_takes_well_formed_strangers_only() {
        let mut auth = AuthState::default();
        let stranger = format!("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzUxMiJ9.{}", "a".repeat(40));
        assert_eq!(auth.check(&stranger, false), Err(TokenError::Invalid));
        assert_eq!(auth.check(&stranger, true), Ok(()));
        for bad in [
            "",
            "nope",
            "eyJ",
            "eyJ has spaces in it ok",
            &"eyJ".repeat(2000),
        ] {
            assert_eq!(auth.check(bad, true), Err(TokenError::Invalid), "{bad:.20}");
        }
        // A token the mock issued keeps its rules.
        let t = auth.issue(Duration::ZERO, DAY, SIX_H).unwrap().token;
        auth.revoke(&t);
        assert_eq!(auth.check(&t, true), Err(TokenError::Invalid));
    }

    #[test]
    fn kst_format() {
        let at = chrono::DateTime::from_timestamp(0, 0).unwrap();
        assert_eq!(kst(at), "1970-01-01 09:00:00");
    }
}
