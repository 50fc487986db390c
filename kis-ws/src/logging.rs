//! Keeping the approval key out of logs.
//!
//! The websocket library (`tungstenite`) logs every frame it writes and reads at `TRACE`
//! level, payload included (as hex). The session's first frames carry the approval key
//! (`approval_key` in each subscribe message), and KIS's answer to a notice subscription
//! carries the AES key and IV of the notices. With `RUST_LOG=trace` and a subscriber that takes
//! `log` records (tracing-subscriber's `init()` does), all of it lands in the log.
//!
//! Add [`QUIET_WIRE_LOG`] to your filter ([`with_quiet_wire`] does it for a filter string):
//!
//! ```
//! let filter = kis_ws::logging::with_quiet_wire("trace");
//! assert_eq!(filter, "trace,tungstenite=debug,tokio_tungstenite=debug");
//! // tracing_subscriber::fmt().with_env_filter(filter).init();
//! ```
//!
//! The session warns once (`tracing::warn!`) when it opens a websocket while those traces are
//! on.

use std::sync::atomic::{AtomicBool, Ordering};

/// Filter directives that keep the websocket library's frame traces (which hold the approval
/// key) out of the log: its `DEBUG` lines and above stay.
pub const QUIET_WIRE_LOG: &str = "tungstenite=debug,tokio_tungstenite=debug";

/// `filter` (an `EnvFilter`/`RUST_LOG` string, possibly empty) with [`QUIET_WIRE_LOG`]
/// appended: a target directive wins over a global level, so `trace` stays `trace` for
/// everything but the frame traces.
///
/// ```
/// assert_eq!(
///     kis_ws::logging::with_quiet_wire(""),
///     kis_ws::logging::QUIET_WIRE_LOG
/// );
/// ```
pub fn with_quiet_wire(filter: &str) -> String {
    let filter = filter.trim().trim_end_matches(',');
    if filter.is_empty() {
        QUIET_WIRE_LOG.to_owned()
    } else {
        format!("{filter},{QUIET_WIRE_LOG}")
    }
}

/// Whether the logger would take the websocket library's frame traces (and with them the
/// approval key).
///
/// ```
/// // No logger installed: nothing is traced.
/// assert!(!kis_ws::logging::frames_traced());
/// ```
pub fn frames_traced() -> bool {
    log::log_enabled!(target: "tungstenite::protocol", log::Level::Trace)
}

/// Warns once per process when [`frames_traced`].
pub(crate) fn warn_if_frames_traced() {
    static WARNED: AtomicBool = AtomicBool::new(false);
    if frames_traced() && !WARNED.swap(true, Ordering::Relaxed) {
        tracing::warn!(
            "the websocket library logs every frame at TRACE, the approval key included: \
             add `{QUIET_WIRE_LOG}` to the log filter (kis_ws::logging::with_quiet_wire)"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quiet_directives_are_appended() {
        assert_eq!(with_quiet_wire("info,"), format!("info,{QUIET_WIRE_LOG}"));
        assert_eq!(with_quiet_wire(" "), QUIET_WIRE_LOG);
    }
}
