//! Exit codes and the one error type commands return.
//!
//! | code | meaning |
//! |------|---------|
//! | 0 | done |
//! | 1 | anything else (configuration, files, a malformed answer of a read) |
//! | 2 | usage: bad arguments (clap) |
//! | 3 | validation: refused before anything was sent (bad parameter, safety rule) |
//! | 4 | KIS answered with a rejection |
//! | 5 | maybe sent: an order's outcome is unknown; check with `kis orders` before anything else |
//! | 6 | network: nothing usable came back from a read |

use std::fmt;

/// Documented in `kis --help` (after_help) and the README.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  done
  1  other error (configuration, files)
  2  usage: bad arguments
  3  validation: refused before anything was sent (bad parameter, safety rule)
  4  KIS rejected the request
  5  maybe sent: the order's outcome is unknown; check `kis orders` before anything else
  6  network: no answer from KIS for a read";

/// Why a command failed, with its exit code.
#[derive(Debug)]
pub struct Failure {
    /// The process exit code.
    pub code: u8,
    /// What went wrong, one line (never a secret).
    pub message: String,
    /// The parameter at fault, when one is.
    pub field: Option<String>,
}

/// Results of commands.
pub type Outcome<T = ()> = Result<T, Failure>;

impl Failure {
    /// Code 1.
    pub fn other(message: impl Into<String>) -> Failure {
        Failure {
            code: 1,
            message: message.into(),
            field: None,
        }
    }

    /// Code 3: refused before sending.
    pub fn invalid(field: Option<&str>, message: impl Into<String>) -> Failure {
        Failure {
            code: 3,
            message: message.into(),
            field: field.map(str::to_owned),
        }
    }

    /// The machine-readable kind of the code.
    pub fn kind(&self) -> &'static str {
        match self.code {
            2 => "usage",
            3 => "validation",
            4 => "rejected",
            5 => "maybe_sent",
            6 => "network",
            _ => "error",
        }
    }

    /// From a client error; `trading` says the call could have changed state.
    pub fn from_client(e: &kis_client::Error, trading: bool) -> Failure {
        use kis_client::Error as E;
        let code = if e.may_have_been_sent() && trading {
            5
        } else if e.is_rejected_locally() {
            3
        } else {
            match e {
                E::Transport { .. } | E::Redirect { .. } => 6,
                E::Api { .. } | E::RateLimited { .. } | E::Auth { .. } | E::Http { .. } => 4,
                E::TokenIssuanceThrottled { .. } => 4,
                E::UnsupportedInPaper { .. }
                | E::UnsupportedInReal { .. }
                | E::RealTradingNotEnabled { .. }
                | E::InvalidRequest(_)
                | E::Invalid(_)
                | E::Named(_)
                | E::NoAccount { .. } => 3,
                _ => 1,
            }
        };
        let field = match e {
            E::Invalid(i) => i.field.clone(),
            E::Named(n) => n.field.clone(),
            _ => None,
        };
        Failure {
            code,
            message: e.to_string(),
            field,
        }
    }

    /// From a `kis` error; `trading` says the call could have changed state.
    pub fn from_kis(e: &kis::Error, trading: bool) -> Failure {
        match e {
            kis::Error::Client(c) => Failure::from_client(c, trading),
            kis::Error::Invalid { field, .. } => Failure::invalid(Some(field), e.to_string()),
            kis::Error::NotFound { .. }
            | kis::Error::Ambiguous { .. }
            | kis::Error::NoAccount
            | kis::Error::Duplicate(_)
            | kis::Error::NotReconciled(_) => Failure::invalid(None, e.to_string()),
            kis::Error::Realtime(_) => Failure {
                code: 6,
                message: e.to_string(),
                field: None,
            },
            _ if e.may_have_been_sent() && trading => Failure {
                code: 5,
                message: e.to_string(),
                field: None,
            },
            _ => Failure::other(e.to_string()),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<kis::Error> for Failure {
    fn from(e: kis::Error) -> Failure {
        Failure::from_kis(&e, false)
    }
}

impl From<kis_client::Error> for Failure {
    fn from(e: kis_client::Error) -> Failure {
        Failure::from_client(&e, false)
    }
}

impl From<std::io::Error> for Failure {
    /// A closed pipe (`kis ... | head`) is not a failure: code 0, nothing printed.
    fn from(e: std::io::Error) -> Failure {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Failure {
                code: 0,
                message: String::new(),
                field: None,
            };
        }
        Failure::other(e.to_string())
    }
}
