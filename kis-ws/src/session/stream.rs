//! The consumer side: streams of events and of typed records, each over its own queue.

use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::Stream;

use crate::error::{Error, FrameError};
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
///
/// It never ends silently while the session lives: a consumer that lets
/// [`crate::Options::notice_buffer`] notices pile up gets [`Error::Overflowed`] and then the
/// end; a stream of an execution-notice TR gets [`Error::NoticeGap`] and then the end when
/// notices may be missing (use [`crate::Session::notices`] to read through gaps and their
/// recovered fills). `None` comes only when the session has ended.
pub struct RecordStream<T> {
    pub(super) queue: Arc<Queue>,
    pub(super) dropped: u64,
    /// Set once the stream has yielded its final error.
    pub(super) ended: bool,
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

    fn end(&mut self, error: Error) -> Poll<Option<Result<T, Error>>> {
        self.ended = true;
        self.queue.orphan();
        Poll::Ready(Some(Err(error)))
    }
}

impl<T: Record> Stream for RecordStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.ended {
            return Poll::Ready(None);
        }
        loop {
            match self.queue.poll_next(cx) {
                Poll::Ready(Some(Event::Data { record, .. })) => {
                    return Poll::Ready(Some(Ok(record.decode::<T>())));
                }
                Poll::Ready(Some(Event::Lagged { dropped })) => self.dropped += dropped,
                Poll::Ready(Some(Event::Overflowed {
                    capacity,
                    not_delivered,
                })) => {
                    return self.end(Error::Overflowed {
                        capacity,
                        not_delivered,
                    });
                }
                Poll::Ready(Some(Event::NoticeGap(gap))) => {
                    return self.end(Error::NoticeGap(Box::new(gap)));
                }
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

/// Decodes a raw record as `T` (the map of [`crate::Session::notices`]).
pub(super) fn decode_as<T: Record>(_tr_id: &str, raw: RawRecord) -> Result<T, FrameError> {
    Ok(raw.decode::<T>())
}
