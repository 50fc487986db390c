//! Bounded per-consumer event queue with the slow-consumer policy: drop oldest market data,
//! never drop notices or state events (those apply backpressure instead).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use futures::task::AtomicWaker;

use crate::event::{Event, RawRecord};

/// An item in a queue: a raw event and whether it may be dropped when the consumer lags.
pub(crate) struct Item {
    pub event: Event<RawRecord>,
    pub droppable: bool,
}

impl Item {
    /// The bytes its record holds (the text it shares; nothing for other events).
    fn bytes(&self) -> usize {
        match &self.event {
            Event::Data { record, .. } => record.pinned_len(),
            _ => 0,
        }
    }

    /// Whether the item is an execution notice or tells of missing ones (a notice record, a
    /// notice gap, a recovery): never evicted, not even from the unclaimed initial buffer.
    fn is_notice(&self) -> bool {
        match &self.event {
            Event::Data { .. } => !self.droppable,
            Event::NoticeGap(_) | Event::Recovered(_) | Event::RecoveryFailed { .. } => true,
            _ => false,
        }
    }
}

/// Which items a consumer wants.
#[derive(Clone, Copy)]
pub(crate) enum Filter {
    /// Everything.
    All,
    /// Only data records of these TR IDs.
    Data(&'static [&'static str]),
    /// Data records of these (notice) TR IDs and their notice gaps.
    NoticeData(&'static [&'static str]),
    /// Data records of these (notice) TR IDs and everything that tells of missing notices:
    /// their gaps and recoveries, and the connection's losses and restores.
    Notices(&'static [&'static str]),
}

impl Filter {
    pub fn wants(&self, event: &Event<RawRecord>) -> bool {
        match (self, event) {
            (Filter::All, _) => true,
            (
                Filter::Data(ids) | Filter::Notices(ids) | Filter::NoticeData(ids),
                Event::Data { tr_id, .. },
            ) => ids.contains(&&**tr_id),
            (Filter::Notices(ids) | Filter::NoticeData(ids), Event::NoticeGap(gap)) => gap
                .subscriptions
                .iter()
                .any(|(t, _)| ids.contains(&t.as_str())),
            (Filter::Notices(ids), Event::RecoveryFailed { gap, .. }) => gap
                .subscriptions
                .iter()
                .any(|(t, _)| ids.contains(&t.as_str())),
            (Filter::Notices(ids), Event::Recovered(fill)) => ids
                .iter()
                .any(|t| crate::recovery::Market::of_notice_tr(t) == Some(fill.order.market)),
            (
                Filter::Notices(ids),
                Event::Subscribed { tr_id, .. }
                | Event::Unsubscribed { tr_id, .. }
                | Event::SubscriptionLost { tr_id, .. },
            ) => ids.contains(&tr_id.as_str()),
            (Filter::Notices(_), Event::Disconnected { .. } | Event::Reconnected { .. }) => true,
            (Filter::Data(_) | Filter::Notices(_) | Filter::NoticeData(_), _) => false,
        }
    }
}

struct State {
    items: VecDeque<Item>,
    /// Bytes the queued records hold.
    bytes: usize,
    droppable: usize,
    kept: usize,
    dropped: u64,
    closed: bool,
    /// Ended because the notice capacity was exceeded.
    overflowed: bool,
    /// Notices and state events not delivered since the overflow.
    not_delivered: u64,
}

impl State {
    fn add(&mut self, item: Item, size: usize) {
        if item.droppable {
            self.droppable += 1;
        } else {
            self.kept += 1;
        }
        self.bytes += size;
        self.items.push_back(item);
    }

    fn take(&mut self, i: usize) -> Option<Item> {
        let item = self.items.remove(i)?;
        if item.droppable {
            self.droppable -= 1;
        } else {
            self.kept -= 1;
        }
        self.bytes -= item.bytes();
        Some(item)
    }

    /// Evicts the oldest item that `pred` accepts (counted as dropped); `false` when none.
    fn evict(&mut self, pred: impl Fn(&Item) -> bool) -> bool {
        let Some(i) = self.items.iter().position(pred) else {
            return false;
        };
        self.take(i);
        self.dropped += 1;
        true
    }
}

/// One consumer's queue.
pub(crate) struct Queue {
    state: Mutex<State>,
    pub filter: Filter,
    data_capacity: usize,
    notice_capacity: usize,
    /// Bound on the bytes the queued records hold.
    byte_capacity: usize,
    waker: AtomicWaker,
    receiver_gone: AtomicBool,
    /// `false` while nobody has taken the queue yet (the session's initial buffer): then it
    /// evicts its oldest items instead of ending.
    claimed: AtomicBool,
}

impl Queue {
    pub fn new(filter: Filter, data_capacity: usize, notice_capacity: usize) -> Self {
        Queue {
            state: Mutex::new(State {
                items: VecDeque::new(),
                bytes: 0,
                droppable: 0,
                kept: 0,
                dropped: 0,
                closed: false,
                overflowed: false,
                not_delivered: 0,
            }),
            filter,
            data_capacity: data_capacity.max(1),
            notice_capacity: notice_capacity.max(1),
            byte_capacity: usize::MAX,
            waker: AtomicWaker::new(),
            receiver_gone: AtomicBool::new(false),
            claimed: AtomicBool::new(true),
        }
    }

    /// Bounds the bytes the queued records hold (see [`Queue::push`]).
    pub fn with_byte_capacity(mut self, bytes: usize) -> Self {
        self.byte_capacity = bytes.max(1);
        self
    }

    /// A queue that buffers until a consumer claims it, without ever blocking the producer.
    pub fn unclaimed(filter: Filter, data_capacity: usize, notice_capacity: usize) -> Self {
        let q = Queue::new(filter, data_capacity, notice_capacity);
        q.claimed.store(false, Ordering::Release);
        q
    }

    /// Marks the queue as read by a consumer (it ends on notice overflow from now on).
    pub fn claim(&self) {
        self.claimed.store(true, Ordering::Release);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A poisoned lock only means another thread panicked mid-push; the queue itself is
        // still consistent enough to continue.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the consumer dropped its stream.
    pub fn is_orphaned(&self) -> bool {
        self.receiver_gone.load(Ordering::Acquire)
    }

    /// Adds an item; never waits (the connection task must never wait for a consumer).
    ///
    /// Market data beyond capacity (by count or by the bytes the queued records hold)
    /// evicts the oldest market data (counted, reported as
    /// [`Event::Lagged`]). Notices and state events are never dropped silently: they are held
    /// up to the notice capacity; when that is full the queue is ended for this consumer,
    /// which sees what it holds and then [`Event::Overflowed`]. A queue nobody has claimed yet
    /// evicts its oldest market data and state events instead (counted as `Lagged`), never a
    /// notice: full of notices, it ends like a claimed one (its first reader gets what it
    /// holds, then `Overflowed`).
    pub fn push(&self, item: Item) {
        if self.is_orphaned() {
            return;
        }
        {
            let mut s = self.lock();
            if s.closed {
                if s.overflowed {
                    s.not_delivered += 1;
                }
                return;
            }
            let size = item.bytes();
            // Market data makes room first: by bytes for anything, by count for market data.
            while (s.bytes + size > self.byte_capacity
                || (item.droppable && s.droppable >= self.data_capacity))
                && s.evict(|it| it.droppable)
            {}
            if item.droppable {
                if s.bytes + size > self.byte_capacity {
                    // Notices hold the whole byte budget: this record is the one dropped.
                    s.dropped += 1;
                } else {
                    s.add(item, size);
                }
            } else {
                // Nobody reads this buffer yet: never stall the session, keep the newest;
                // state events are evicted (counted as `Lagged`), never a notice: a buffer
                // full of notices ends like a claimed one.
                if !self.claimed.load(Ordering::Acquire) {
                    while s.kept >= self.notice_capacity
                        && s.evict(|it| !it.droppable && !it.is_notice())
                    {}
                }
                if s.kept < self.notice_capacity && s.bytes + size <= self.byte_capacity {
                    s.add(item, size);
                } else {
                    // The consumer stopped reading: end its stream, loudly.
                    s.overflowed = true;
                    s.closed = true;
                    s.not_delivered += 1;
                }
            }
        }
        self.waker.wake();
    }

    /// Ends the queue: the consumer sees the remaining items, then the end of the stream.
    pub fn close(&self) {
        self.lock().closed = true;
        self.waker.wake();
    }

    /// Marks the consumer as gone (its stream was dropped).
    pub fn orphan(&self) {
        self.receiver_gone.store(true, Ordering::Release);
    }

    /// Takes the next item, or reports how many were dropped since the last call (as a
    /// `Lagged` event) before it.
    pub fn poll_next(&self, cx: &mut Context<'_>) -> Poll<Option<Event<RawRecord>>> {
        self.waker.register(cx.waker());
        let mut s = self.lock();
        if s.dropped > 0 {
            let dropped = std::mem::take(&mut s.dropped);
            return Poll::Ready(Some(Event::Lagged { dropped }));
        }
        match s.take(0) {
            Some(item) => Poll::Ready(Some(item.event)),
            None if s.overflowed => {
                s.overflowed = false;
                Poll::Ready(Some(Event::Overflowed {
                    capacity: self.notice_capacity,
                    not_delivered: std::mem::take(&mut s.not_delivered),
                }))
            }
            None if s.closed => Poll::Ready(None),
            None => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn data(n: u8) -> Item {
        let text = crate::frame::Utf8Bytes::from(n.to_string());
        let len = text.len();
        Item {
            event: Event::Data {
                tr_id: Arc::from("H0STCNT0"),
                tr_key: None,
                record: RawRecord::new(text, 0..len),
            },
            droppable: true,
        }
    }

    fn notice(n: u8) -> Item {
        Item {
            event: Event::Notice {
                tr_id: String::new(),
                msg_cd: n.to_string(),
                msg1: String::new(),
            },
            droppable: false,
        }
    }

    fn drain(q: &Queue) -> Vec<String> {
        let waker = futures::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        let mut out = Vec::new();
        while let Poll::Ready(Some(e)) = q.poll_next(&mut cx) {
            out.push(match e {
                Event::Data { record, .. } => format!("d{}", record.as_str()),
                Event::Notice { msg_cd, .. } => format!("n{msg_cd}"),
                Event::Lagged { dropped } => format!("lag{dropped}"),
                Event::Overflowed {
                    capacity,
                    not_delivered,
                } => format!("over{capacity}/{not_delivered}"),
                _ => "?".into(),
            });
        }
        out
    }

    #[test]
    fn drops_oldest_market_data_and_reports_lag() {
        let q = Queue::new(Filter::All, 3, 10);
        q.push(notice(0));
        for i in 1..=5 {
            q.push(data(i));
        }
        q.close();
        assert_eq!(drain(&q), ["lag2", "n0", "d3", "d4", "d5"]);
    }

    #[test]
    fn a_full_notice_queue_ends_that_consumer_loudly() {
        let q = Queue::new(Filter::All, 3, 2);
        for i in 1..=5 {
            q.push(notice(i));
        }
        // Market data after the overflow is not delivered either: the stream has ended.
        q.push(data(9));
        assert_eq!(drain(&q), ["n1", "n2", "over2/4"]);
        let waker = futures::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(matches!(q.poll_next(&mut cx), Poll::Ready(None)));
    }

    #[test]
    fn unclaimed_queue_never_blocks_and_keeps_the_newest() {
        let q = Queue::unclaimed(Filter::All, 2, 2);
        for i in 0..5 {
            q.push(notice(i));
        }
        q.close();
        assert_eq!(drain(&q), ["lag3", "n3", "n4"]);
    }

    fn notice_data(n: u8) -> Item {
        let mut item = data(n);
        item.droppable = false;
        item
    }

    /// The docs promise notices are never dropped: the unclaimed initial buffer evicts state
    /// events and market data, not notices. (Before, it evicted the oldest notices as `Lagged`.)
    #[test]
    fn unclaimed_queue_never_evicts_a_notice() {
        let q = Queue::unclaimed(Filter::All, 2, 2);
        q.push(notice(0));
        q.push(notice_data(1));
        // The state event makes room; then the buffer is all notices and ends.
        q.push(notice_data(2));
        q.push(notice_data(3));
        q.claim();
        q.close();
        assert_eq!(drain(&q), ["lag1", "d1", "d2", "over2/1"]);
    }

    fn sized(droppable: bool, len: usize) -> Item {
        let text = crate::frame::Utf8Bytes::from("x".repeat(len));
        Item {
            event: Event::Data {
                tr_id: Arc::from("H0STCNT0"),
                tr_key: None,
                record: RawRecord::new(text, 0..len),
            },
            droppable,
        }
    }

    /// The queue is bounded by the bytes its records hold, not only by their count: market
    /// data goes first, then a notice that does not fit ends the stream.
    #[test]
    fn bytes_are_bounded_too() {
        let q = Queue::new(Filter::All, 1000, 1000).with_byte_capacity(100);
        for _ in 0..5 {
            q.push(sized(true, 40));
        }
        assert_eq!(q.lock().bytes, 80);
        // A 70-byte notice evicts both 40-byte records; then a 50-byte record is dropped
        // itself (notices hold the budget) and a 60-byte notice does not fit.
        q.push(sized(false, 70));
        let (bytes, droppable) = {
            let s = q.lock();
            (s.bytes, s.droppable)
        };
        assert_eq!((bytes, droppable), (70, 0));
        q.push(sized(true, 50));
        q.push(sized(false, 60));
        assert_eq!(
            drain(&q),
            ["lag6", &format!("d{}", "x".repeat(70)), "over1000/1"]
        );
        assert_eq!(q.lock().bytes, 0);
    }

    #[test]
    fn orphaned_queue_never_blocks() {
        let q = Queue::new(Filter::All, 1, 1);
        q.orphan();
        q.push(notice(1));
        q.push(notice(2));
    }

    #[test]
    fn filter_matches_data_of_listed_trs() {
        let f = Filter::Data(&["H0STCNT0"]);
        assert!(f.wants(&data(1).event));
        assert!(!f.wants(&notice(1).event));
    }
}
