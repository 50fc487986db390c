//! The order ledger: an I/O-free state machine over order events, and the journal that
//! persists every event before it is applied.
//!
//! - [`Ledger`] (`book.rs`): every order of every account, driven by [`Event`]s (`event.rs`);
//!   the one transition table is `table.rs`; an order's record is `order.rs`; how notices and
//!   inquiry rows find their order is `observe.rs`; positions against the balance (drift) are
//!   `drift.rs`.
//! - [`JournaledLedger`] (`journal.rs`): the same ledger with every event written to a SQLite
//!   journal (one file per account) before it is applied, replayed on open.
//! - The vocabulary ([`OrderId`], [`Intent`], [`OrderState`], [`OrderView`], ...) is `types.rs`;
//!   errors are `error.rs`.
//!
//! Invariants (tests beside each file, and `kis/tests/ledger_*.rs`): filled quantity never goes
//! back; a fill is counted once whichever source reports it first; an older inquiry never
//! lowers anything; duplicated events change nothing; the order in which the reply, the
//! notices and the inquiry arrive does not change the final state; "unknown" is resolved by
//! inquiry only; a rejection is final.

mod book;
mod drift;
mod error;
mod event;
mod journal;
mod observe;
mod order;
mod table;
mod types;

pub use book::{Applied, Ledger, PositionDelta};
pub use drift::{Drift, Holding};
pub use error::{DuplicateError, JournalError, LedgerError};
pub use event::{EVENT_VERSION, Event, InquiryRow, Notice, NoticeKind, Rctf};
pub use journal::{Durability, JournaledLedger};
pub use types::{
    AccountKey, ChainLink, Fill, FillSource, Intent, LinkKind, OrderId, OrderKind, OrderState,
    OrderView, Side, Venue,
};

#[cfg(test)]
mod tests;
