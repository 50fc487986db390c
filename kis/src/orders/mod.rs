//! Orders: handles over the journaled ledger.
//!
//! `account.buy("005930", 10).limit(dec!(70000)).submit().await?` journals the intent, sends
//! it once and returns an [`Order`] handle that follows the order's whole life: every KIS
//! order number of its modify chain, fills from execution notices and from inquiries (each
//! counted once), modifies and cancels, and a stream of updates.
//!
//! - `builder.rs`: [`OrderBuilder`], the checks made before anything is journaled or sent.
//! - `desk.rs`: the per-handle desk: the ledgers of the accounts (one journal each), the
//!   gate that refuses new orders until an account is reconciled, the update channel.
//! - `kis_io.rs`: KIS's requests and answers for orders and inquiries, turned into ledger
//!   events (the only file that knows KIS's field names for orders).
//! - `feed.rs`: the background work: execution notices over the realtime session, the
//!   baseline at subscription, reconciliation after gaps and restarts, resolution of orders
//!   that may have been sent, polling while no notices flow (paper sometimes sends none).
//! - `handle.rs`: [`Order`].

mod builder;
mod desk;
pub(crate) mod feed;
mod handle;
mod kis_io;

pub use builder::OrderBuilder;
pub(crate) use desk::Desk;
pub use desk::{JournalPlace, TradingOptions};
pub use handle::Order;
