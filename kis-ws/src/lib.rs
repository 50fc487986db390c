//! Realtime (websocket) client for the KIS Open API: typed frames, encrypted execution notices,
//! a capped and de-duplicated subscription registry, PINGPONG echo, and reconnect with
//! resubscribe.
//!
//! Slow consumers: every stream has its own bounded queue and the connection task never waits
//! for a consumer (PINGPONG is echoed whatever the consumers do). Market-data records beyond
//! [`Options::data_buffer`] evict the oldest market data and the stream reports
//! [`Event::Lagged`]; execution notices and state events are never dropped silently: a stream
//! that lets [`Options::notice_buffer`] of them pile up is ended with [`Event::Overflowed`].
#![doc = include_str!("../docs/crate.md")]
#![deny(missing_docs)]
// The one exception, allowed where it is: the SSE2 load of the field splitter (`fields.rs`).
#![deny(unsafe_code)]

pub mod api;
mod api_glue;
pub mod backoff;
pub mod catalog;
pub mod control;
pub mod crypto;
pub mod error;
pub mod event;
mod fanout;
mod fields;
pub mod frame;
pub mod logging;
mod queue;
pub mod record;
pub mod recovery;
mod session;
mod text;

pub use api_glue::AnyRecord;
pub use backoff::Backoff;
pub use catalog::Catalog;
pub use error::{Error, FrameError};
pub use event::{Event, RawRecord};
pub use record::Record;
#[cfg(feature = "rest-recovery")]
pub use recovery::RestRecovery;
pub use recovery::{NoticeGap, NoticeRecovery, RecoveredFill, Recovery};
pub use session::{
    ApprovalKeySource, DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_MAX_SUBSCRIPTIONS, EventStream, Options,
    PAPER_WS_URL, REAL_WS_URL, RecordStream, Session, StaticApprovalKey,
};
pub use text::Text;
