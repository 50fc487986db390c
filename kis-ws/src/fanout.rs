//! Fan-out: the set of consumer queues the connection task feeds.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::event::{Event, RawRecord};
use crate::queue::{Filter, Item, Queue};
use crate::recovery::NoticeGap;

/// What the session handle knows of the connection task's notices, to report the closing
/// notice gap itself when the task had to be aborted.
#[derive(Default)]
pub(crate) struct NoticeWatch {
    /// The registered notice subscriptions.
    pub subscriptions: Mutex<Vec<(String, String)>>,
    /// When the connection last received a message, in milliseconds since the Unix epoch.
    pub last_received_ms: AtomicU64,
    /// Whether the task reported the closing gap itself.
    pub closing_reported: AtomicBool,
}

pub(crate) struct Shared {
    /// Set when the session ended; streams created afterwards end at once.
    pub closed: AtomicBool,
    pub sinks: Mutex<Vec<Arc<Queue>>>,
    pub version: AtomicU64,
    pub primary: Mutex<Option<Arc<Queue>>>,
    pub data_buffer: usize,
    pub notice_buffer: usize,
    pub buffer_bytes: usize,
    pub notices: NoticeWatch,
}

impl Shared {
    pub fn add(&self, filter: Filter) -> Arc<Queue> {
        let q = Arc::new(
            Queue::new(filter, self.data_buffer, self.notice_buffer)
                .with_byte_capacity(self.buffer_bytes),
        );
        let mut sinks = self.sinks.lock().unwrap_or_else(|e| e.into_inner());
        if self.closed.load(Ordering::Acquire) {
            q.close();
        } else {
            sinks.push(q.clone());
            self.version.fetch_add(1, Ordering::Release);
        }
        q
    }

    /// A message arrived at `at`.
    pub fn received(&self, at: SystemTime) {
        let ms = at
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        self.notices.last_received_ms.store(ms, Ordering::Relaxed);
    }

    /// The registered notice subscriptions are now `subscriptions`.
    pub fn set_notices(&self, subscriptions: Vec<(String, String)>) {
        *self
            .notices
            .subscriptions
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = subscriptions;
    }

    /// The connection task reported the closing notice gap.
    pub fn closing_gap_reported(&self) {
        self.notices.closing_reported.store(true, Ordering::Release);
    }

    /// Reports the closing notice gap to every stream unless the task did: called by the
    /// session handle when the task had to be aborted.
    pub fn report_closing_gap(&self) {
        if self.notices.closing_reported.swap(true, Ordering::AcqRel) {
            return;
        }
        let subscriptions = std::mem::take(
            &mut *self
                .notices
                .subscriptions
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        );
        if subscriptions.is_empty() {
            return;
        }
        let ms = self.notices.last_received_ms.load(Ordering::Relaxed);
        let event = Event::NoticeGap(NoticeGap {
            from: SystemTime::UNIX_EPOCH + Duration::from_millis(ms),
            to: None,
            subscriptions,
            server_offset: None,
        });
        // The sinks include the unclaimed initial buffer.
        let sinks = self.sinks.lock().unwrap_or_else(|e| e.into_inner()).clone();
        for q in &sinks {
            if q.filter.wants(&event) {
                q.push(Item {
                    event: event.clone(),
                    droppable: false,
                });
            }
        }
    }

    /// Ends every stream, including ones created from now on.
    pub fn close_all(&self) {
        {
            let sinks = self.sinks.lock().unwrap_or_else(|e| e.into_inner());
            self.closed.store(true, Ordering::Release);
            for q in sinks.iter() {
                q.close();
            }
        }
        if let Some(q) = self
            .primary
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            q.close();
        }
    }
}

/// The connection task's side of the fan-out: a cached copy of the consumer queues, refreshed
/// when a consumer comes or goes. Pushing never waits (see [`Queue::push`]).
pub(crate) struct Fanout {
    shared: Arc<Shared>,
    sinks: Vec<Arc<Queue>>,
    version: u64,
}

impl Fanout {
    pub fn new(shared: Arc<Shared>) -> Self {
        Fanout {
            shared,
            sinks: Vec::new(),
            version: u64::MAX,
        }
    }

    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    fn refresh(&mut self) {
        let version = self.shared.version.load(Ordering::Acquire);
        let mut sinks = self.shared.sinks.lock().unwrap_or_else(|e| e.into_inner());
        let orphans = sinks.iter().any(|q| q.is_orphaned());
        if orphans {
            sinks.retain(|q| !q.is_orphaned());
        }
        if orphans || version != self.version {
            self.sinks = sinks.clone();
            self.version = version;
        }
    }

    /// Gives `event` to every consumer that wants it; `droppable` marks market data.
    pub fn emit(&mut self, event: Event<RawRecord>, droppable: bool) {
        self.refresh();
        for q in &self.sinks {
            if q.filter.wants(&event) {
                q.push(Item {
                    event: event.clone(),
                    droppable,
                });
            }
        }
    }
}
