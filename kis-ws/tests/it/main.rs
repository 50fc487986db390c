//! Integration tests of kis-ws over loopback websockets.

mod fake;
mod mock;
mod session;
