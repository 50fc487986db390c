//! The consumer side: streams of events and of typed records, each over its own queue.

use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::Stream;

use crate::error::FrameError;
use crate::event::{Event, RawRecord};
use crate::queue::Queue;
use crate::record::Record;

/// A stream of [`Event`]s of one consumer. Dropping it releases its queue.
pub struct EventStream<R> {
    pub(super) queue: Arc<Queue>,
    pub(super) map: fn(&str, RawRecord) -> Result<R, FrameError>,
}

impl<R> std::fmt::Debug for EventStream<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream").finish_non_exhaustive()
    }
}

impl<R> Stream for EventStream<R> {
    type Item = Event<R>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event<R>>> {
        let map = self.map;
        self.queue.poll_next(cx).map(|e| e.map(|e| e.try_map(map)))
    }
}

impl<R> Drop for EventStream<R> {
    fn drop(&mut self) {
        self.queue.orphan();
    }
}

/// A stream of one TR type's typed records. Dropping it releases its queue.
pub struct RecordStream<T> {
    pub(super) queue: Arc<Queue>,
    pub(super) dropped: u64,
    pub(super) _t: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for RecordStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordStream")
            .field("dropped", &self.dropped)
            .finish_non_exhaustive()
    }
}

impl<T> RecordStream<T> {
    /// Market-data records dropped so far because this consumer fell behind.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

impl<T: Record> Stream for RecordStream<T> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        loop {
            match self.queue.poll_next(cx) {
                Poll::Ready(Some(Event::Data { record, .. })) => {
                    return Poll::Ready(Some(record.decode::<T>()));
                }
                Poll::Ready(Some(Event::Lagged { dropped })) => self.dropped += dropped,
                Poll::Ready(Some(_)) => {}
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl<T> Drop for RecordStream<T> {
    fn drop(&mut self) {
        self.queue.orphan();
    }
}
