//! The crate's one error type.

/// What went wrong. Every variant says whether anything may have reached KIS through the
/// wrapped [`kis_client::Error::may_have_been_sent`]; the variants of this crate are raised
/// before anything is sent unless they say otherwise.
///
/// ```
/// let e = kis::Error::Invalid { field: "quantity", reason: "must be at least 1".into() };
/// assert_eq!(e.field(), Some("quantity"));
/// assert!(!e.may_have_been_sent());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A REST call failed (KIS rejection, network, decode, validation by the generated tables).
    #[error(transparent)]
    Client(#[from] kis_client::Error),
    /// The realtime session failed.
    #[error(transparent)]
    Realtime(#[from] kis_ws::Error),
    /// A value given to this crate is not acceptable; nothing was sent.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The parameter, in this crate's names (`quantity`, `price`, `symbol`, ...).
        field: &'static str,
        /// Why, in plain words.
        reason: String,
    },
    /// The configuration has no account (`my_acct_stock` + `my_prod` in `kis_devlp.yaml`, or
    /// `KIS_ACCOUNT`).
    #[error("no account is configured")]
    NoAccount,
    /// The order journal could not be read or written. A corrupt journal is reported here and
    /// never replaced silently.
    #[error("order journal: {0}")]
    Journal(String),
    /// An identical order is still unsent, sent or unknown, or the idempotency key belongs to
    /// another order; nothing was sent.
    #[error(transparent)]
    Duplicate(#[from] crate::ledger::DuplicateError),
    /// A wait ran out; the order goes on.
    #[error("order {id} is still {state:?} after the wait")]
    Timeout {
        /// The order.
        id: crate::ledger::OrderId,
        /// Its state when the wait ended.
        state: crate::ledger::OrderState,
    },
    /// The order ended otherwise than the wait expected (e.g. cancelled or rejected while
    /// waiting for its fill).
    #[error("order {id} ended {state:?}")]
    OrderEnded {
        /// The order.
        id: crate::ledger::OrderId,
        /// Its final state.
        state: crate::ledger::OrderState,
    },
    /// No instrument matches a code or name; `candidates` are up to ten `MARKET:CODE name`
    /// entries whose name or code contains the query.
    #[error("no instrument {what:?}{}", list(candidates, "; did you mean: "))]
    NotFound {
        /// The query as given.
        what: String,
        /// Near matches, `MARKET:CODE name`.
        candidates: Vec<String>,
    },
    /// A code or name matches several instruments (a name two markets list): qualify it as
    /// `MARKET:CODE`.
    #[error("{what:?} is ambiguous{}", list(candidates, ": "))]
    Ambiguous {
        /// The query as given.
        what: String,
        /// Every match, `MARKET:CODE name`.
        candidates: Vec<String>,
    },
    /// A KIS answer lacks a field a view needs, or holds a value that does not read as its
    /// type (the view keeps nothing half-read).
    #[error("KIS's answer has no usable {field} ({raw:?})")]
    Response {
        /// KIS's field name (`stck_prpr`).
        field: &'static str,
        /// Its raw text (empty when absent).
        raw: String,
    },
    /// The symbol master could not be downloaded, unpacked, parsed or cached (and no cached
    /// copy could stand in).
    #[error("symbol master: {0}")]
    Master(String),
    /// New orders are refused until the ledger has reconciled with KIS (fail closed); reads
    /// keep working.
    #[error("orders are refused until the ledger reconciles with KIS: {0}")]
    NotReconciled(String),
}

fn list(items: &[String], lead: &str) -> String {
    if items.is_empty() {
        String::new()
    } else {
        format!("{lead}{}", items.join(", "))
    }
}

impl Error {
    /// The parameter a validation error names, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Invalid { field, .. } => Some(field),
            Error::NotFound { .. } | Error::Ambiguous { .. } => Some("symbol"),
            Error::Client(e) => e.field(),
            _ => None,
        }
    }

    /// Whether KIS may have received the request behind this error (only REST calls can say
    /// yes): a "maybe sent" order is resolved by asking KIS, never by sending it again.
    pub fn may_have_been_sent(&self) -> bool {
        match self {
            Error::Client(e) => e.may_have_been_sent(),
            _ => false,
        }
    }
}
