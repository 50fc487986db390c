//! The ledger's and the journal's errors.

use std::path::PathBuf;

use super::types::{AccountKey, OrderId, OrderState};

/// Why the ledger refused an event. A refused event changes nothing (and a journaled ledger
/// does not write it).
///
/// ```
/// use kis::ledger::{Event, Ledger, LedgerError, OrderId};
/// let mut ledger = Ledger::new();
/// let e = ledger.apply(Event::Sent { id: OrderId(9) }).unwrap_err();
/// assert!(matches!(e, LedgerError::UnknownOrder(OrderId(9))));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// No order has this id.
    #[error("no order {0}")]
    UnknownOrder(OrderId),
    /// The id of a new intent is already taken.
    #[error("order id {0} is already used")]
    IdTaken(OrderId),
    /// The caller's request is not allowed in the order's state (nothing was sent).
    #[error("{event} is not allowed for order {id} in state {state:?}")]
    NotAllowed {
        /// The order.
        id: OrderId,
        /// Its state.
        state: OrderState,
        /// The event's name.
        event: &'static str,
    },
    /// The duplicate guard refused a new intent.
    #[error(transparent)]
    Duplicate(#[from] DuplicateError),
    /// A field of an event is not acceptable.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// A journaled ledger has no journal open for this account.
    #[error("no journal is open for account {0}")]
    NoJournal(AccountKey),
    /// The journal failed; the event was not applied.
    #[error(transparent)]
    Journal(#[from] JournalError),
}

/// The duplicate guard's refusals.
///
/// ```
/// use kis::ledger::{DuplicateError, OrderId, OrderState};
/// let e = DuplicateError::Pending { existing: OrderId(3), state: OrderState::Unknown };
/// assert!(e.to_string().contains("L3"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DuplicateError {
    /// An identical intent (account, symbol, side, quantity, price) is still unsent, sent or
    /// unknown; set `allow_duplicate` to send it anyway.
    #[error("an identical order {existing} is still {state:?}; allow duplicates to send another")]
    Pending {
        /// The earlier order.
        existing: OrderId,
        /// Its state.
        state: OrderState,
    },
    /// The idempotency key belongs to an earlier order (use [`super::Ledger::check_intent`],
    /// which returns it).
    #[error("the idempotency key is already used by order {existing}")]
    KeyUsed {
        /// The earlier order.
        existing: OrderId,
    },
}

/// What went wrong with a journal file. A corrupt journal is reported, never replaced.
///
/// ```
/// let e = kis::ledger::JournalError::Corrupt { path: "a.journal".into(), row: Some(7), reason: "checksum mismatch".into() };
/// assert_eq!(e.to_string(), "journal a.journal is corrupt at row 7: checksum mismatch");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// Another process holds the journal.
    #[error("journal {path} is in use by another process")]
    InUse {
        /// The journal file.
        path: PathBuf,
    },
    /// The journal is damaged: a checksum mismatch, a gap in the sequence, an undecodable row,
    /// or SQLite's integrity check failed.
    #[error("journal {path} is corrupt at row {}: {reason}", row.map(|r| r.to_string()).unwrap_or_else(|| "-".into()))]
    Corrupt {
        /// The journal file.
        path: PathBuf,
        /// The row's sequence number, when one row is at fault.
        row: Option<i64>,
        /// What is wrong.
        reason: String,
    },
    /// A journaled event could not be applied on replay (the journal and this version of the
    /// ledger disagree).
    #[error("journal {path} row {row} does not replay: {reason}")]
    Replay {
        /// The journal file.
        path: PathBuf,
        /// The row.
        row: i64,
        /// The ledger's refusal.
        reason: String,
    },
    /// The file belongs to another account.
    #[error("journal {path} belongs to another account")]
    WrongAccount {
        /// The journal file.
        path: PathBuf,
    },
    /// File system error.
    #[error("journal {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// SQLite error.
    #[error("journal {path}: {source}")]
    Sqlite {
        /// The journal file.
        path: PathBuf,
        /// The cause.
        source: rusqlite::Error,
    },
}
