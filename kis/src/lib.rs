//! # kis: the layer to program against for KIS Developers (한국투자증권 Open API)
//!
//! `kis-client` speaks every REST endpoint and `kis-ws` every realtime TR, in KIS's own field
//! names. This crate is what an application uses instead: one [`Kis`] handle, accounts
//! ([`Account`]), amounts with their currency ([`Money`]) and share counts ([`Quantity`]) in plain
//! names, and orders that are journaled and reconciled by one ledger ([`ledger`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), kis::Error> {
//! // No credentials: the embedded simulator (kis-mock on loopback). Paper is the default for a
//! // real configuration too; real trading stays an explicit opt-in of kis-client's config.
//! let kis = kis::Kis::simulator().await?;
//! let account = kis.account()?;
//! println!("{} on {:?}", account, kis.env());
//! # Ok(()) }
//! ```
//!
//! The read side: stocks by code, name or `MARKET:CODE` through KIS's symbol master
//! ([`Kis::stock`], [`master`]), with their tick grid and lot ([`Instrument`], [`TickRule`]);
//! quotes, books, candles, trades, balances, buying power and executions in plain names, for
//! KRX and the US venues alike (amounts in KRW or USD; US open orders and executions through
//! [`Account::overseas_executions`] and [`Account::overseas_open_orders`]) ([`views`]); the
//! trading calendars ([`Calendar`]) and KIS's clock ([`Kis::today`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), kis::Error> {
//! let kis = kis::Kis::simulator().await?;
//! let samsung = kis.stock("삼성전자").await?;
//! let q = samsung.quote().await?;
//! println!("{} {} ({:+}%)", samsung.name, q.price, q.change_pct);
//! let balance = kis.account()?.balance().await?;
//! println!("cash after settlement (D+2) {}", balance.cash_d2);
//! # Ok(()) }
//! ```
//!
//! Layout (one job a file): [`Kis`] (`kis.rs`), [`Account`] (`account.rs`), [`Error`]
//! (`error.rs`), [`Money`]/[`Quantity`]/[`Currency`] (`money.rs`), the I/O-free order ledger and
//! its journal ([`ledger`]); the read side: `instrument.rs`, `tick.rs`, [`master`],
//! `calendar.rs`, [`clock`], `read.rs` (the handle's lookups and clock), `stock.rs`, [`views`].
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod account;
mod calendar;
pub mod clock;
mod error;
mod instrument;
mod kis;
pub mod ledger;
pub mod master;
mod money;
pub mod orders;
mod read;
mod stock;
mod tick;
pub mod views;

pub use account::Account;
pub use calendar::{
    COVERED_YEARS, Calendar, Exchange, Holiday, Session, SessionKind, SpecialDay, SpecialSession,
};
pub use clock::{Clock, FixedClock};
pub use error::Error;
pub use instrument::{Instrument, Market, ProductKind, Warning};
pub use kis::Kis;
pub use kis_client::Env;
pub use master::SymbolMaster;
pub use money::{Currency, Money, Quantity};
pub use orders::{Order, OrderBuilder};
pub use stock::Stock;
pub use tick::TickRule;
pub use views::balance::{Balance, BuyingPower, OverseasBalance, Position, RawBuyingPower};
pub use views::book::{Level, OrderBook};
pub use views::candle::{Candle, Candles, Period};
pub use views::executions::{Execution, Executions, Side};
pub use views::overseas_executions::OverseasExecutions;
pub use views::pnl::{DailyPnl, PnlTotals, RealizedPnl, SymbolPnl};
pub use views::quote::Quote;
pub use views::trades::Trade;

/// The underlying crates, for what this layer does not cover yet.
pub use {kis_client, kis_ws};
