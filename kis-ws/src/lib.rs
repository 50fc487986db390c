//! Realtime (websocket) client for the KIS Open API.
#![deny(missing_docs)]

pub mod api;
pub mod record;
