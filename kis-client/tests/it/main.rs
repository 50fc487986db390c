//! kis-client integration tests over real loopback sockets against kis-mock, one module per area.

mod auth;
mod endpoints;
#[cfg(feature = "domestic-stock")]
mod generated;
mod hardening;
mod loopback;
mod paging;
mod rate;
mod rows;
mod support;
mod tokens;
mod transport;
#[cfg(feature = "all")]
mod validation;
