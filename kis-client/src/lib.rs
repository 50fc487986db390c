//! Typed async client for the Korea Investment & Securities (KIS Developers) Open API.
#![deny(missing_docs)]

pub mod api;
pub mod endpoint;
pub mod value;
