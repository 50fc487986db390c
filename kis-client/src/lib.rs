//! Typed async client for the Korea Investment & Securities (KIS Developers) Open API.
//!
//! [`Client`] sends any generated [`endpoint::Endpoint`] request through one runtime: config
//! ([`Config`]), tokens (disk-cached, single-flight), a shared rate limiter, bounded retries for
//! read-only calls (never for orders), paging streams and one [`Error`] type.
//!
//! ```no_run
//! # #[cfg(feature = "domestic-stock")]
//! # async fn demo() -> Result<(), kis_client::Error> {
//! use kis_client::api::domestic_stock::inquire_balance::InquireBalanceRequest;
//! use kis_client::api::domestic_stock::inquire_price::InquirePriceRequest;
//! use kis_client::codes::{BalanceInquiry, Market, PrevDayTrades};
//! use kis_client::{Client, Config};
//!
//! // kis_devlp.yaml (KIS_CONFIG or ~/KIS/config/) plus KIS_* environment overrides.
//! let client = Client::new(Config::load()?)?;
//! let quote = client.send(InquirePriceRequest::new(Market::Krx, "005930")).await?;
//! println!("{:?}", quote.output.get().map(|o| &o.stck_prpr));
//!
//! // Paging: every page's rows, the summary once; the account comes from the config.
//! let balance = InquireBalanceRequest::new(BalanceInquiry::ByLoanDate, false, false, PrevDayTrades::Include);
//! let holdings = client.rows(balance).await?.complete()?;
//! println!("{} holdings over {} pages", holdings.rows.len(), holdings.pages);
//! # Ok(()) }
//! ```
//!
//! Safety: state-changing calls (orders, TR IDs ending in `U`) on the real service fail with
//! [`Error::RealTradingNotEnabled`] before anything is sent unless the configuration opts in
//! (`allow_real_trading: true` in the YAML, `KIS_ALLOW_REAL_TRADING=1`, or
//! [`ConfigBuilder::allow_real_trading`]). They are never retried automatically; on failure check
//! [`Error::may_have_been_sent`] before deciding anything.
// The guide's examples use the domestic-stock endpoints (and run against kis-mock as doc tests).
#![cfg_attr(feature = "domestic-stock", doc = include_str!("../docs/crate.md"))]
#![deny(missing_docs)]

pub mod api;
pub mod decode;
pub mod endpoint;
pub mod request;
pub mod validate;
pub mod value;

#[doc(hidden)]
pub mod __private;

pub use api::codes;

mod auth;
mod client;
mod config;
mod error;
#[cfg(feature = "mock")]
pub mod mock;
mod order_rules;
mod paging;
mod rate_limit;
mod secret;
pub mod server_clock;
mod token_cache;
mod transport;
mod wire;
mod yaml;

pub use client::Client;
pub use config::{
    Config, ConfigBuilder, PAPER_REST_URL, PAPER_WS_URL, REAL_REST_URL, REAL_WS_URL, TokenWait,
};
pub use decode::decode;
pub use endpoint::Env;
pub use error::{Error, ErrorKind};
pub use paging::{Incomplete, Page, Rows};
pub use rate_limit::{Permit, RateLimiter};
pub use secret::{Account, ApprovalKey, Secret};
pub use transport::{RawRequest, RawResponse, is_state_changing};
