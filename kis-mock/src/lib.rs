//! kis-mock: a local KIS-compatible simulator (REST + websocket) driven by the workspace's
//! `spec/`, for offline development and integration tests.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let mock = kis_mock::MockServer::start(kis_mock::MockConfig::default()).await?;
//! println!("REST {} websocket {}", mock.rest_url(), mock.ws_url());
//! mock.faults().fail_path("/uapi/domestic-stock/v1/quotations/inquire-price", 2);
//! # Ok(()) }
//! ```
//!
//! With [`MockConfig::control`] (the binary's `--control`) the REST port also serves a control
//! API under `/__mock/` to loopback peers: the [`Faults`] over plain HTTP and
//! `GET /__mock/truth`, the account as JSON (see the README).
//!
//! Error codes follow KIS where KIS documents them (`EGW00121`, `EGW00123`, `EGW00133`,
//! `EGW00201`, `OPSP0000`–`OPSP0011`, `OPSP8996`, ...). Where KIS's exact code for a situation is
//! unknown the mock uses a code of the same family (`OPSQ2001` missing parameter, `EGW00130` bad
//! `custtype`, `OPSQ0005` bad continuation key, `APBK*` order rejects) and says what is wrong in
//! `msg1`.
#![deny(missing_docs)]

mod account;
mod auth;
mod bundle;
mod call;
mod catalog;
mod config;
mod control;
pub mod crypto;
mod cursor;
mod day;
mod derivatives;
mod faults;
mod header_case;
mod market;
mod master;
mod overseas;
mod pnl;
mod quotes;
mod realized;
#[cfg(feature = "relay")]
pub mod relay;
mod rest;
mod server;
mod stats;
mod sync;
mod synth;
mod trading;
mod ws;

pub use catalog::Catalog;
pub use config::{AccountList, Fees, Fill, Holding, MockConfig, MockEnv, PagingConfig};
pub use control::OrderReplyFault;
pub use faults::Faults;
pub use market::calendar::MockCalendar;
pub use market::clock::MockClock;
pub use server::MockServer;
pub use stats::{MAX_PATHS, MockStats, OTHER_PATHS};

#[cfg(test)]
mod layering {
    /// The market model and the account sit below the server; the endpoint handlers below the
    /// REST front door (they share `call`, not each other).
    #[test]
    fn lower_layers_do_not_import_upper_ones() {
        let below_server = [
            ("market/mod.rs", include_str!("market/mod.rs")),
            ("market/calendar.rs", include_str!("market/calendar.rs")),
            ("market/clock.rs", include_str!("market/clock.rs")),
            ("market/fields.rs", include_str!("market/fields.rs")),
            ("market/path.rs", include_str!("market/path.rs")),
            ("market/product.rs", include_str!("market/product.rs")),
            ("market/rng.rs", include_str!("market/rng.rs")),
            ("market/tape.rs", include_str!("market/tape.rs")),
            ("account.rs", include_str!("account.rs")),
            ("day.rs", include_str!("day.rs")),
            ("realized.rs", include_str!("realized.rs")),
        ];
        for (file, text) in below_server {
            for upper in [
                "crate::server",
                "crate::rest",
                "crate::ws",
                "crate::trading",
            ] {
                assert!(!text.contains(upper), "{file} uses {upper}");
            }
        }
        let handlers = [
            ("cursor.rs", include_str!("cursor.rs")),
            ("quotes.rs", include_str!("quotes.rs")),
            ("trading.rs", include_str!("trading.rs")),
            ("pnl.rs", include_str!("pnl.rs")),
        ];
        for (file, text) in handlers {
            for other in ["crate::rest", "crate::cursor", "crate::quotes::"] {
                assert!(!text.contains(other), "{file} uses {other}");
            }
        }
    }
}
