//! Fan-out: the set of consumer queues the connection task feeds.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::queue::{Filter, Queue};

pub(crate) struct Shared {
    /// Set when the session ended; streams created afterwards end at once.
    pub closed: AtomicBool,
    pub sinks: Mutex<Vec<Arc<Queue>>>,
    pub version: AtomicU64,
    pub primary: Mutex<Option<Arc<Queue>>>,
    pub data_buffer: usize,
    pub notice_buffer: usize,
}

impl Shared {
    pub fn add(&self, filter: Filter) -> Arc<Queue> {
        let q = Arc::new(Queue::new(filter, self.data_buffer, self.notice_buffer));
        let mut sinks = self.sinks.lock().unwrap_or_else(|e| e.into_inner());
        if self.closed.load(Ordering::Acquire) {
            q.close();
        } else {
            sinks.push(q.clone());
            self.version.fetch_add(1, Ordering::Release);
        }
        q
    }
}
