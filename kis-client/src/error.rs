//! The one error type of kis-client, with predicates callers branch on.

use std::time::Duration;

/// Everything that can go wrong in a KIS call.
///
/// Secrets never appear in `Debug` or `Display` of this type: request headers are not kept,
/// URLs are stripped from transport errors (query strings can hold account numbers) and
/// token/approval responses are never kept as raw bodies.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// KIS answered with `rt_cd != "0"` (business error, HTTP 200) or a gateway error body.
    #[error("KIS error {msg_cd} on {tr_id} (rt_cd {rt_cd}, HTTP {http_status}): {msg1}")]
    Api {
        /// Result code (`"1"`, `"2"`, `"7"`, `"9"` seen).
        rt_cd: String,
        /// Message code (e.g. `APBK0013`, `EGW00201`).
        msg_cd: String,
        /// Message text (Korean).
        msg1: String,
        /// TR ID of the request.
        tr_id: String,
        /// HTTP status of the answer.
        http_status: u16,
    },
    /// KIS kept answering "too many requests" (`EGW00201`/`EGW00215`) after the bounded retries,
    /// or the call changes state and is never retried.
    #[error("rate limited by KIS ({msg_cd}) on {tr_id} after {attempts} attempt(s)")]
    RateLimited {
        /// `EGW00201` (per app key) or `EGW00215` (ledger-wide).
        msg_cd: String,
        /// TR ID of the request.
        tr_id: String,
        /// Attempts made.
        attempts: u32,
    },
    /// Token issuance, revocation, approval key or hashkey failed.
    #[error("authentication failed ({code}, HTTP {status}): {message}")]
    Auth {
        /// HTTP status (0 when no answer).
        status: u16,
        /// KIS error code when given (e.g. `EGW00103`), else empty.
        code: String,
        /// Description.
        message: String,
    },
    /// KIS refused a new token because one was issued less than a minute ago (`EGW00133`), and
    /// the one bounded wait-and-retry did not help.
    #[error(
        "token issuance throttled by KIS (EGW00133: at most one per minute); waited {waited:?}"
    )]
    TokenIssuanceThrottled {
        /// How long the client waited before its single retry.
        waited: Duration,
    },
    /// The endpoint (or this variant of it) does not exist on the paper service. Nothing was sent.
    #[error("{endpoint} is not available on the paper service")]
    UnsupportedInPaper {
        /// Endpoint spec id.
        endpoint: &'static str,
    },
    /// The endpoint variant exists only on the paper service. Nothing was sent.
    #[error("{endpoint} is not available on the real service")]
    UnsupportedInReal {
        /// Endpoint spec id.
        endpoint: &'static str,
    },
    /// A state-changing call on the real service without `allow_real_trading`. Nothing was sent.
    #[error(
        "{tr_id} changes state on the REAL service and real trading is not enabled \
         (set allow_real_trading / KIS_ALLOW_REAL_TRADING=1)"
    )]
    RealTradingNotEnabled {
        /// TR ID of the refused request.
        tr_id: String,
    },
    /// The request could not be built (bad parameters, missing account). Nothing was sent.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A request parameter failed validation against the spec (wrong code, not a number,
    /// impossible date, too long, missing, retired by KIS, off the tick grid, ...). Names the
    /// endpoint and the wire field. Nothing was sent.
    #[error("invalid request: {0}")]
    Invalid(crate::validate::Invalid),
    /// A by-name request was refused (unknown endpoint or variant, not on this service, or an
    /// invalid parameter). Nothing was sent.
    #[error("refused by-name request: {0}")]
    Named(crate::request::NamedError),
    /// The configuration is invalid (missing key, bad account, unknown env, ...).
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
    /// The HTTP exchange failed (connect, timeout, broken connection).
    #[error(
        "transport error on {tr_id} ({}): {source}",
        if *may_have_been_sent { "the request MAY have reached KIS" } else { "the request was not sent" }
    )]
    Transport {
        /// TR ID (or endpoint path for auth calls).
        tr_id: String,
        /// Whether KIS may have received (and acted on) the request. Always check this for orders.
        may_have_been_sent: bool,
        /// The underlying error, with its URL removed.
        #[source]
        source: reqwest::Error,
    },
    /// A non-success HTTP status with a body that is not a KIS envelope (e.g. a bare 500 or 502).
    #[error("HTTP {status} on {tr_id} (the request reached KIS)")]
    Http {
        /// HTTP status.
        status: u16,
        /// TR ID.
        tr_id: String,
        /// The body (truncated to 2 KiB).
        body: String,
    },
    /// The response body did not match the endpoint's response type.
    #[error("cannot decode {endpoint} response at `{path}`: {message}")]
    Decode {
        /// Endpoint spec id (or raw path for [`crate::Client::send_raw`]).
        endpoint: String,
        /// JSON path of the failing value.
        path: String,
        /// What was wrong.
        message: String,
        /// The raw response body.
        body: String,
    },
    /// Paging went past the configured maximum number of pages.
    #[error(
        "{endpoint}: more than {max_pages} pages; stopped (raise Config max_pages if intended)"
    )]
    PagingLimit {
        /// Endpoint spec id.
        endpoint: &'static str,
        /// The limit that was hit.
        max_pages: usize,
    },
    /// The endpoint needs a configured account and none is set.
    #[error("{endpoint} needs an account; configure one (KIS_ACCOUNT or my_acct_stock/my_prod)")]
    NoAccount {
        /// Endpoint spec id.
        endpoint: &'static str,
    },
}

/// `msg_cd` values meaning "too many requests".
pub(crate) const RATE_LIMIT_CODES: [&str; 2] = ["EGW00201", "EGW00215"];

impl Error {
    /// The KIS message code, when KIS sent one.
    pub fn msg_cd(&self) -> Option<&str> {
        match self {
            Error::Api { msg_cd, .. } | Error::RateLimited { msg_cd, .. } => Some(msg_cd),
            Error::Auth { code, .. } if !code.is_empty() => Some(code),
            _ => None,
        }
    }

    /// KIS said "too many requests" (`EGW00201`/`EGW00215`).
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, Error::RateLimited { .. })
            || self.msg_cd().is_some_and(|c| RATE_LIMIT_CODES.contains(&c))
    }

    /// Worth retrying later for a read-only call (rate limits, 5xx, connection failures).
    ///
    /// For state-changing calls, check [`Error::may_have_been_sent`] before any retry.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::RateLimited { .. } | Error::TokenIssuanceThrottled { .. } => true,
            Error::Transport { .. } => true,
            Error::Http { status, .. } => *status >= 500 || *status == 429,
            Error::Api {
                http_status,
                msg_cd,
                ..
            } => {
                RATE_LIMIT_CODES.contains(&msg_cd.as_str())
                    || (*http_status >= 500 && msg_cd.starts_with("EGW"))
            }
            _ => false,
        }
    }

    /// Whether KIS may have received the request. `false` means it certainly did not act on it.
    pub fn may_have_been_sent(&self) -> bool {
        match self {
            Error::Transport {
                may_have_been_sent, ..
            } => *may_have_been_sent,
            Error::Api { .. }
            | Error::RateLimited { .. }
            | Error::Http { .. }
            | Error::Decode { .. } => true,
            Error::PagingLimit { .. } => true,
            _ => false,
        }
    }

    /// An authentication problem (token, approval key, expired/invalid token codes).
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            Error::Auth { .. } | Error::TokenIssuanceThrottled { .. }
        ) || self
            .msg_cd()
            .is_some_and(|c| matches!(c, "EGW00121" | "EGW00123"))
    }

    /// The call was refused before anything was sent (configuration, safety or request checks).
    pub fn is_rejected_locally(&self) -> bool {
        matches!(
            self,
            Error::UnsupportedInPaper { .. }
                | Error::UnsupportedInReal { .. }
                | Error::RealTradingNotEnabled { .. }
                | Error::InvalidRequest(_)
                | Error::InvalidConfig(_)
                | Error::NoAccount { .. }
        )
    }

    pub(crate) fn transport(tr_id: &str, may_have_been_sent: bool, e: reqwest::Error) -> Self {
        Error::Transport {
            tr_id: tr_id.to_owned(),
            may_have_been_sent,
            source: e.without_url(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(msg_cd: &str, http_status: u16) -> Error {
        Error::Api {
            rt_cd: "1".into(),
            msg_cd: msg_cd.into(),
            msg1: "m".into(),
            tr_id: "FHKST01010100".into(),
            http_status,
        }
    }

    #[test]
    fn predicates() {
        assert!(api("EGW00201", 500).is_rate_limited());
        assert!(api("EGW00215", 500).is_retryable());
        assert!(!api("APBK0013", 200).is_retryable());
        assert!(!api("APBK0013", 200).is_rate_limited());
        assert!(api("EGW00123", 200).is_auth());
        assert!(Error::UnsupportedInPaper { endpoint: "x" }.is_rejected_locally());
        assert!(
            !Error::RealTradingNotEnabled {
                tr_id: "TTTC0012U".into()
            }
            .may_have_been_sent()
        );
        assert!(
            Error::Http {
                status: 502,
                tr_id: "t".into(),
                body: String::new()
            }
            .is_retryable()
        );
        assert!(
            !Error::Http {
                status: 404,
                tr_id: "t".into(),
                body: String::new()
            }
            .is_retryable()
        );
    }

    #[test]
    fn display_names_the_code_and_tr_id() {
        let s = api("APBK0013", 200).to_string();
        assert!(s.contains("APBK0013") && s.contains("FHKST01010100"), "{s}");
    }
}
