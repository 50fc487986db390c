//! Typed async client for the Korea Investment & Securities (KIS Developers) Open API.
//!
//! [`Client`] sends any generated [`endpoint::Endpoint`] request through one runtime: config
//! ([`Config`]), tokens (disk-cached, single-flight), a shared rate limiter, bounded retries for
//! read-only calls (never for orders), paging streams and one [`Error`] type.
// The guide's examples use the domestic-stock endpoints (and run against kis-mock as doc tests).
#![cfg_attr(feature = "domestic-stock", doc = include_str!("../docs/crate.md"))]
#![deny(missing_docs)]

pub mod api;
pub mod endpoint;
pub mod value;

mod auth;
mod client;
mod config;
mod error;
mod paging;
mod rate_limit;
mod secret;
mod token_cache;
mod transport;
mod yaml;

pub use client::Client;
pub use config::{Config, ConfigBuilder, PAPER_REST_URL, PAPER_WS_URL, REAL_REST_URL, REAL_WS_URL};
pub use endpoint::Env;
pub use error::Error;
pub use paging::Page;
pub use rate_limit::RateLimiter;
pub use secret::{Account, ApprovalKey, Secret};
pub use transport::{RawRequest, RawResponse, decode, is_state_changing};
