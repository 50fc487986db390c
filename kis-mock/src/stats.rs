//! Counters of what the mock has seen and sent, readable as a [`MockStats`] snapshot.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of the mock's counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MockStats {
    /// Successful `/oauth2/tokenP` answers (reissues of the same token included).
    pub token_issued: u64,
    /// Token requests refused with `EGW00133`.
    pub token_refused: u64,
    /// HTTP requests of any path.
    pub requests: u64,
    /// HTTP requests per path, at most [`MAX_PATHS`] paths (then [`OTHER_PATHS`]).
    pub requests_by_path: BTreeMap<String, u64>,
    /// Requests answered with `EGW00201`.
    pub rate_limited: u64,
    /// Orders accepted (new, modify and cancel).
    pub orders: u64,
    /// Websocket connections accepted.
    pub ws_sessions: u64,
    /// Successful subscriptions.
    pub ws_subscriptions: u64,
    /// Well-formed data frames written to a socket (market data and notices).
    pub frames_sent: u64,
    /// Malformed frames written (the `malformed_frames` fault).
    pub malformed_sent: u64,
    /// Encrypted execution notices sent.
    pub notices_sent: u64,
    /// Execution notices the account generated (accepts and fills), whether or not a
    /// websocket session was subscribed to receive them; `notices_generated - notices_sent`
    /// (with one session) is what nobody received.
    pub notices_generated: u64,
    /// `PINGPONG` messages sent.
    pub pings_sent: u64,
}

impl MockStats {
    /// Requests to `path` (0 when there were none).
    pub fn requests_to(&self, path: &str) -> u64 {
        self.requests_by_path.get(path).copied().unwrap_or(0)
    }
}

/// Most distinct paths [`MockStats::requests_by_path`] counts one by one (the spec has about
/// 340; the rest of the budget is for unknown paths).
pub const MAX_PATHS: usize = 1024;

/// The key of [`MockStats::requests_by_path`] under which requests to paths beyond
/// [`MAX_PATHS`] are counted.
pub const OTHER_PATHS: &str = "(other paths)";

/// The live counters behind [`MockStats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub token_issued: AtomicU64,
    pub token_refused: AtomicU64,
    pub requests: AtomicU64,
    pub by_path: Mutex<BTreeMap<String, u64>>,
    pub rate_limited: AtomicU64,
    pub orders: AtomicU64,
    pub ws_sessions: AtomicU64,
    pub ws_subscriptions: AtomicU64,
    pub frames_sent: AtomicU64,
    pub malformed_sent: AtomicU64,
    pub notices_sent: AtomicU64,
    pub notices_generated: AtomicU64,
    pub pings_sent: AtomicU64,
}

/// Adds one to a counter.
pub(crate) fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl Counters {
    pub fn request(&self, path: &str) {
        bump(&self.requests);
        if let Ok(mut map) = self.by_path.lock() {
            // Bounded: past MAX_PATHS distinct paths (a client probing random ones), new
            // paths are counted together under OTHER_PATHS.
            if let Some(n) = map.get_mut(path) {
                *n += 1;
            } else if map.len() < MAX_PATHS {
                map.insert(path.to_owned(), 1);
            } else {
                *map.entry(OTHER_PATHS.to_owned()).or_default() += 1;
            }
        }
    }

    pub fn snapshot(&self) -> MockStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        MockStats {
            token_issued: get(&self.token_issued),
            token_refused: get(&self.token_refused),
            requests: get(&self.requests),
            requests_by_path: self.by_path.lock().map(|m| m.clone()).unwrap_or_default(),
            rate_limited: get(&self.rate_limited),
            orders: get(&self.orders),
            ws_sessions: get(&self.ws_sessions),
            ws_subscriptions: get(&self.ws_subscriptions),
            frames_sent: get(&self.frames_sent),
            malformed_sent: get(&self.malformed_sent),
            notices_sent: get(&self.notices_sent),
            notices_generated: get(&self.notices_generated),
            pings_sent: get(&self.pings_sent),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_path_counts_are_bounded() {
        let c = Counters::default();
        for i in 0..MAX_PATHS + 500 {
            c.request(&format!("/probe/{i}"));
        }
        c.request("/probe/0");
        let s = c.snapshot();
        assert_eq!(s.requests, MAX_PATHS as u64 + 501);
        assert_eq!(s.requests_by_path.len(), MAX_PATHS + 1);
        assert_eq!(s.requests_to(OTHER_PATHS), 500);
        assert_eq!(s.requests_to("/probe/0"), 2);
    }
}
