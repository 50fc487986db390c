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
    #[error(
        "KIS error {msg_cd} on {tr_id} (rt_cd {rt_cd}, HTTP {http_status}): {msg1}{}",
        ErrorKind::english_of(msg_cd).map_or(String::new(), |en| format!(" [{en}]"))
    )]
    Api {
        /// Result code (`"1"`, `"2"`, `"7"`, `"9"` seen).
        rt_cd: String,
        /// Message code (e.g. `APBK0013`, `EGW00201`).
        msg_cd: String,
        /// Message text (Korean), as KIS sent it; [`Error::msg_en`] has an English text for
        /// the codes the table knows.
        msg1: String,
        /// TR ID of the request.
        tr_id: String,
        /// HTTP status of the answer.
        http_status: u16,
        /// Whether the request changes state (an order): a transient failure of one is never
        /// retryable.
        state_changing: bool,
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
    /// A state-changing call (an order) found no access token ready and would have had to
    /// wait for one: another task or process is issuing it, or KIS allows one issuance a
    /// minute (`EGW00133`). Orders never wait (a read would); nothing was sent. Call
    /// [`crate::Client::ensure_token`] before trading, or retry once the token is issued.
    #[error(
        "no access token ready ({cause:?}); the order was not sent (orders never wait for a token: call Client::ensure_token before trading)"
    )]
    TokenNotReady {
        /// What the order would have waited for.
        cause: crate::config::TokenWait,
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
        /// `false` also when only a preparatory call (token, hashkey) failed and the request
        /// itself never left.
        may_have_been_sent: bool,
        /// Whether the request changes state (an order): such a request is never retryable
        /// once it may have been sent.
        state_changing: bool,
        /// The underlying error, with its URL removed.
        #[source]
        source: reqwest::Error,
    },
    /// A non-success HTTP status with a body that is not a KIS envelope (e.g. a bare 500 or 502).
    #[error("HTTP {status} on {tr_id} (the request reached the server)")]
    Http {
        /// HTTP status.
        status: u16,
        /// TR ID.
        tr_id: String,
        /// Whether the request changes state (an order): never retryable then.
        state_changing: bool,
        /// The body: its first 2 KiB, with secrets, account numbers, IDs and names masked.
        body: String,
    },
    /// The server answered with a redirect (3xx). Redirects are never followed: nothing was
    /// re-sent, and no key or token went to the other location.
    #[error(
        "HTTP {status} redirect on {tr_id} to {location:?}: redirects are never followed \
         (nothing was re-sent; check the configured REST URL)"
    )]
    Redirect {
        /// TR ID (or endpoint path for auth calls).
        tr_id: String,
        /// HTTP status (301, 302, 303, 307, 308, ...).
        status: u16,
        /// Where it pointed (`Location`, without query or fragment), empty when absent.
        location: String,
        /// Whether the redirected request itself may have been acted on (`false` when it was
        /// a preparatory token or hashkey call).
        may_have_been_sent: bool,
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
        /// The response body: its first 2 KiB, with secrets, account numbers, IDs and names
        /// masked (by key).
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

/// What kind of failure an [`Error`] is: the class of KIS's message code (from the generated
/// table of `spec/msg_codes.yaml`), or the kind of local or transport failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Too many requests (`EGW00201` per app key, `EGW00215` ledger-wide): retry later.
    Throttled,
    /// Token issuance refused: at most one per minute (`EGW00133`).
    TokenThrottled,
    /// An order found no token ready and does not wait for one ([`Error::TokenNotReady`]).
    TokenNotReady,
    /// The access token is expired or invalid (`EGW00121`, `EGW00123`): issue a new one.
    TokenRefresh,
    /// The app key or secret is wrong (`EGW00103`, `EGW00105`), or an auth call failed.
    Credentials,
    /// A temporary server-side failure (`EGW00001`, unknown gateway codes with HTTP 5xx).
    Transient,
    /// The order server refused the order (`APBK…`: cash, quantity, price, original order).
    OrderRejected,
    /// The TR does not exist on the paper service (`EGW02006`).
    NotOnPaper,
    /// The TR does not exist on the real service (`EGW02004`).
    NotOnReal,
    /// KIS refused the request's input (missing or mistyped field, bad path or method).
    InvalidInput,
    /// Data changed between pages (`SYDB0050`): start paging again.
    DataChanged,
    /// Another KIS refusal, not classified in the table.
    Rejected,
    /// Refused by kis-client before anything was sent (configuration, safety, request checks).
    Local,
    /// The HTTP exchange failed (connect, timeout, broken connection).
    Transport,
    /// A non-KIS HTTP error answer (bare 5xx, 4xx).
    Http,
    /// The server answered with a redirect, which is never followed.
    Redirect,
    /// The response did not match the endpoint's type.
    Decode,
    /// Paging stopped at the configured maximum number of pages.
    PagingLimit,
}

impl ErrorKind {
    /// The class of a KIS message code, from the generated table; `None` for unknown codes.
    pub fn of_msg_cd(code: &str) -> Option<ErrorKind> {
        use crate::api::msg_codes::{CODES, PREFIXES};
        if let Ok(i) = CODES.binary_search_by(|(c, ..)| (*c).cmp(code)) {
            return Some(CODES[i].1);
        }
        PREFIXES
            .iter()
            .find(|(p, ..)| code.starts_with(p))
            .map(|(_, k, _)| *k)
    }

    /// The English text of a KIS message code (exact codes first, then code families), from
    /// the curated `spec/msg_codes.yaml`; `None` for codes it does not know.
    pub fn english_of(code: &str) -> Option<&'static str> {
        use crate::api::msg_codes::{CODES, PREFIXES};
        let text = match CODES.binary_search_by(|(c, ..)| (*c).cmp(code)) {
            Ok(i) => CODES[i].2,
            Err(_) => PREFIXES.iter().find(|(p, ..)| code.starts_with(p))?.2,
        };
        (!text.is_empty()).then_some(text)
    }

    /// The class of a KIS answer with `msg_cd` and HTTP status: the table, else any unknown
    /// code with 5xx is transient (a server failure whose effect is unknown: an order may
    /// have been acted on), else an unclassified rejection.
    pub(crate) fn of_answer(msg_cd: &str, http_status: u16) -> ErrorKind {
        ErrorKind::of_msg_cd(msg_cd).unwrap_or(if http_status >= 500 {
            ErrorKind::Transient
        } else {
            ErrorKind::Rejected
        })
    }
}

impl Error {
    /// What kind of failure this is (KIS's message code class, or the local/transport kind).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Api {
                msg_cd,
                http_status,
                ..
            } => ErrorKind::of_answer(msg_cd, *http_status),
            Error::RateLimited { .. } => ErrorKind::Throttled,
            Error::TokenIssuanceThrottled { .. } => ErrorKind::TokenThrottled,
            Error::TokenNotReady { .. } => ErrorKind::TokenNotReady,
            Error::Auth { code, status, .. } => {
                // No code and no answer (status 0) or a bare 5xx: the auth call itself failed.
                let no_answer = *status == 0 || *status >= 500;
                ErrorKind::of_msg_cd(code).unwrap_or(if no_answer && code.is_empty() {
                    ErrorKind::Transient
                } else {
                    ErrorKind::Credentials
                })
            }
            Error::Transport { .. } => ErrorKind::Transport,
            Error::Http { .. } => ErrorKind::Http,
            Error::Redirect { .. } => ErrorKind::Redirect,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::PagingLimit { .. } => ErrorKind::PagingLimit,
            Error::UnsupportedInPaper { .. }
            | Error::UnsupportedInReal { .. }
            | Error::RealTradingNotEnabled { .. }
            | Error::InvalidRequest(_)
            | Error::Invalid(_)
            | Error::Named(_)
            | Error::InvalidConfig(_)
            | Error::NoAccount { .. } => ErrorKind::Local,
        }
    }

    /// The wire name of the request field at fault, when the request was refused for one
    /// field before sending ([`Error::Invalid`], [`Error::Named`]).
    ///
    /// ```
    /// use kis_client::Error;
    /// use kis_client::validate::Invalid;
    /// let e = Error::Invalid(Invalid {
    ///     endpoint: "domestic_stock/order_cash".into(),
    ///     field: Some("ORD_QTY".into()),
    ///     reason: "must be at least 1 share".into(),
    /// });
    /// assert_eq!(e.field(), Some("ORD_QTY"));
    /// ```
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Invalid(e) => e.field.as_deref(),
            Error::Named(e) => e.field.as_deref(),
            _ => None,
        }
    }

    /// What KIS's message code means, in English, for the codes `spec/msg_codes.yaml` knows
    /// (KIS's own `msg1` is Korean); also shown in `Display`.
    ///
    /// ```
    /// use kis_client::Error;
    /// let e = Error::RateLimited { msg_cd: "EGW00201".into(), tr_id: "FHKST01010100".into(), attempts: 3 };
    /// assert_eq!(e.msg_en(), Some("too many requests per second for this app key"));
    /// ```
    pub fn msg_en(&self) -> Option<&'static str> {
        self.msg_cd().and_then(ErrorKind::english_of)
    }

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
        self.kind() == ErrorKind::Throttled
    }

    /// Worth retrying later: rate limits, transient server failures, a rejected token, and
    /// failures where the request certainly did not arrive. Never true for a state-changing
    /// request (an order) that may have been sent: check [`Error::may_have_been_sent`] and your
    /// fills instead.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::RateLimited { .. }
            | Error::TokenIssuanceThrottled { .. }
            | Error::TokenNotReady { .. } => true,
            Error::Transport {
                may_have_been_sent,
                state_changing,
                ..
            } => !*may_have_been_sent || !*state_changing,
            Error::Http {
                status,
                state_changing,
                ..
            } => !*state_changing && (*status >= 500 || *status == 429),
            Error::Api { state_changing, .. } => match self.kind() {
                ErrorKind::Throttled | ErrorKind::TokenThrottled | ErrorKind::TokenRefresh => true,
                ErrorKind::Transient => !*state_changing,
                _ => false,
            },
            Error::Auth { .. } => matches!(
                self.kind(),
                ErrorKind::Throttled
                    | ErrorKind::TokenThrottled
                    | ErrorKind::TokenRefresh
                    | ErrorKind::Transient
            ),
            _ => false,
        }
    }

    /// Whether KIS may have received and acted on the request. `false` means it certainly did
    /// not: refused locally, a preparatory call (token, hashkey) failed so the request never
    /// left, or KIS answered with a rejection (`rt_cd != "0"`: a clean refusal such as not
    /// enough cash, a rate limit, an expired token). `true` means the outcome is unknown (a
    /// timeout after sending, a bare HTTP error, a redirect, a transient server failure such as
    /// `EGW00001`) or the call succeeded but its answer was not understood: for orders, check
    /// your fills before doing anything else.
    pub fn may_have_been_sent(&self) -> bool {
        match self {
            Error::Transport {
                may_have_been_sent, ..
            }
            | Error::Redirect {
                may_have_been_sent, ..
            } => *may_have_been_sent,
            Error::Http { .. } | Error::Decode { .. } => true,
            Error::Api { .. } => self.kind() == ErrorKind::Transient,
            _ => false,
        }
    }

    /// An authentication problem (token, approval key, expired/invalid token codes).
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            Error::Auth { .. } | Error::TokenIssuanceThrottled { .. } | Error::TokenNotReady { .. }
        ) || matches!(
            self.kind(),
            ErrorKind::TokenRefresh | ErrorKind::TokenThrottled | ErrorKind::Credentials
        )
    }

    /// The call was refused before anything was sent (configuration, safety or request checks).
    pub fn is_rejected_locally(&self) -> bool {
        self.kind() == ErrorKind::Local
    }

    pub(crate) fn transport(tr_id: &str, may_have_been_sent: bool, e: reqwest::Error) -> Self {
        Error::Transport {
            tr_id: tr_id.to_owned(),
            may_have_been_sent,
            state_changing: false,
            source: e.without_url(),
        }
    }

    /// Marks an error of a preparatory call (token, hashkey): the request itself never left.
    pub(crate) fn before_send(self) -> Self {
        match self {
            Error::Transport {
                tr_id,
                state_changing,
                source,
                ..
            } => Error::Transport {
                tr_id,
                may_have_been_sent: false,
                state_changing,
                source,
            },
            Error::Redirect {
                tr_id,
                status,
                location,
                ..
            } => Error::Redirect {
                tr_id,
                status,
                location,
                may_have_been_sent: false,
            },
            other => other,
        }
    }

    /// Records that the failed request changes state (so it is never called retryable once it
    /// may have been sent).
    pub(crate) fn for_state_changing(mut self, yes: bool) -> Self {
        if let Error::Transport { state_changing, .. }
        | Error::Http { state_changing, .. }
        | Error::Api { state_changing, .. } = &mut self
        {
            *state_changing = yes;
        }
        self
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
            tr_id: "TTTC0012U".into(),
            http_status,
            state_changing: true,
        }
    }

    fn http(status: u16, state_changing: bool) -> Error {
        Error::Http {
            status,
            tr_id: "t".into(),
            state_changing,
            body: String::new(),
        }
    }

    #[test]
    fn the_generated_table_is_sorted_and_classifies() {
        use crate::api::msg_codes::CODES;
        assert!(CODES.windows(2).all(|w| w[0].0 < w[1].0), "sorted, unique");
        assert!(
            CODES.iter().all(|c| !c.2.is_empty()),
            "every code has its English text"
        );
        assert_eq!(
            ErrorKind::english_of("APBK0952"),
            Some("the order server refused the order (cash, quantity, price or original order)")
        );
        assert_eq!(ErrorKind::english_of("ZZZZ0000"), None);
        let shown = api("EGW00201", 500).to_string();
        assert!(
            shown.contains("[too many requests per second for this app key]"),
            "{shown}"
        );
        assert_eq!(ErrorKind::of_msg_cd("EGW00201"), Some(ErrorKind::Throttled));
        assert_eq!(ErrorKind::of_msg_cd("EGW00215"), Some(ErrorKind::Throttled));
        assert_eq!(
            ErrorKind::of_msg_cd("EGW00123"),
            Some(ErrorKind::TokenRefresh)
        );
        assert_eq!(
            ErrorKind::of_msg_cd("EGW00133"),
            Some(ErrorKind::TokenThrottled)
        );
        assert_eq!(
            ErrorKind::of_msg_cd("EGW02006"),
            Some(ErrorKind::NotOnPaper)
        );
        assert_eq!(
            ErrorKind::of_msg_cd("APBK0952"),
            Some(ErrorKind::OrderRejected)
        );
        assert_eq!(ErrorKind::of_msg_cd("ZZZZ0000"), None);
        assert_eq!(ErrorKind::of_answer("EGW09999", 500), ErrorKind::Transient);
        assert_eq!(ErrorKind::of_answer("EGW09999", 200), ErrorKind::Rejected);
    }

    /// An unknown, non-gateway code with a 5xx on an order: the server failed somewhere and
    /// the order may have been acted on; it is not a clean rejection.
    #[test]
    fn an_unknown_code_with_a_5xx_on_an_order_may_have_been_sent() {
        for code in ["ZZZZ0001", "OPSQ9999", ""] {
            let e = api(code, 500);
            assert!(e.may_have_been_sent(), "{code}");
            assert!(!e.is_retryable(), "{code}");
            assert!(api(code, 503).for_state_changing(false).is_retryable());
            // The same code with HTTP 200 is KIS refusing: a rejection.
            assert!(!api(code, 200).may_have_been_sent());
        }
        let e = Error::TokenNotReady {
            cause: crate::config::TokenWait::OtherProcess,
        };
        assert!(!e.may_have_been_sent() && e.is_retryable() && e.is_auth());
    }

    #[test]
    fn a_kis_rejection_is_a_rejection_not_maybe_sent() {
        // Not enough cash: KIS refused the order cleanly.
        let e = api("APBK0952", 200);
        assert_eq!(e.kind(), ErrorKind::OrderRejected);
        assert!(!e.may_have_been_sent());
        assert!(!e.is_retryable());
        // Rate limited: refused at the gateway, worth retrying later.
        let e = api("EGW00201", 500);
        assert!(e.is_rate_limited() && e.is_retryable() && !e.may_have_been_sent());
        assert!(api("EGW00123", 200).is_auth());
        // A transient server failure on an order: unknown outcome, never retryable.
        let e = api("EGW00001", 500);
        assert!(e.may_have_been_sent() && !e.is_retryable());
        let read = api("EGW00001", 500).for_state_changing(false);
        assert!(read.is_retryable());
        assert!(!api("APBK0013", 200).is_rate_limited());
    }

    #[test]
    fn unknown_outcomes_of_orders_are_never_retryable() {
        // A bare 502 on an order: unknown outcome.
        assert!(http(502, true).may_have_been_sent());
        assert!(!http(502, true).is_retryable());
        assert!(http(502, false).is_retryable());
        assert!(!http(404, false).is_retryable());
        let redirect = Error::Redirect {
            tr_id: "TTTC0012U".into(),
            status: 307,
            location: "https://elsewhere/".into(),
            may_have_been_sent: true,
        };
        assert_eq!(redirect.kind(), ErrorKind::Redirect);
        assert!(!redirect.is_retryable());
        assert!(
            !crate::auth::replay(&redirect)
                .before_send()
                .may_have_been_sent()
        );
    }

    #[test]
    fn local_refusals() {
        assert!(Error::UnsupportedInPaper { endpoint: "x" }.is_rejected_locally());
        let e = Error::RealTradingNotEnabled {
            tr_id: "TTTC0012U".into(),
        };
        assert!(!e.may_have_been_sent() && e.kind() == ErrorKind::Local);
        assert!(
            !Error::PagingLimit {
                endpoint: "x",
                max_pages: 1
            }
            .may_have_been_sent()
        );
    }

    #[test]
    fn display_names_the_code_and_tr_id() {
        let s = api("APBK0013", 200).to_string();
        assert!(s.contains("APBK0013") && s.contains("TTTC0012U"), "{s}");
    }
}
