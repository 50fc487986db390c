//! The events a realtime session delivers, and the raw (not yet typed) record they carry.

use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use crate::error::FrameError;
use crate::frame::Utf8Bytes;
use crate::record::Record;
use crate::recovery::{NoticeGap, RecoveredFill};

/// Something that happened on a realtime session.
///
/// `R` is the record type of [`Event::Data`]: the generated [`crate::api::AnyRecord`] for
/// [`crate::Session::events`], or [`RawRecord`] for [`crate::Session::raw_events`].
///
/// `Debug` masks the subscription key of an execution-notice TR (it is the HTS ID).
#[derive(Clone)]
#[non_exhaustive]
pub enum Event<R> {
    /// One record of a data frame (a frame with `NNN` records yields `NNN` events, in order).
    Data {
        /// The frame's TR ID.
        tr_id: Arc<str>,
        /// The subscription key this record belongs to, when it can be told: the record's
        /// first field when that is a registered key of the TR, or the TR's only key.
        tr_key: Option<Arc<str>>,
        /// The record.
        record: R,
    },
    /// KIS confirmed a subscription requested by [`crate::Session::subscribe`].
    Subscribed {
        /// TR ID.
        tr_id: String,
        /// Subscription key.
        tr_key: String,
    },
    /// KIS confirmed an unsubscription.
    Unsubscribed {
        /// TR ID.
        tr_id: String,
        /// Subscription key.
        tr_key: String,
    },
    /// A subscription could not be restored after a reconnect; it was removed.
    SubscriptionLost {
        /// TR ID.
        tr_id: String,
        /// Subscription key.
        tr_key: String,
        /// KIS's code and message.
        reason: String,
    },
    /// The connection dropped; data may be missing until [`Event::Reconnected`].
    Disconnected {
        /// Why (socket closed, error, silence timeout, `ALREADY IN USE`, ...).
        reason: String,
    },
    /// The session reconnected and restored its subscriptions. Data between the preceding
    /// [`Event::Disconnected`] and this event was not received: `downtime` is the gap.
    Reconnected {
        /// Connection attempts this reconnect took.
        attempts: u32,
        /// Time from the disconnect to the restored subscriptions.
        downtime: Duration,
        /// Subscriptions restored.
        resubscribed: usize,
    },
    /// KIS answered `OPSP8996 ALREADY IN USE`: another session holds this app key's only
    /// websocket slot. The session waits `retry_in` (doubling per consecutive refusal, capped
    /// by [`crate::Options::in_use_max_delay`]) and tries again; callers waiting on
    /// [`crate::Session::subscribe`] get [`crate::Error::AlreadyInUse`] (their subscriptions
    /// stay registered and are sent again when a connection is accepted).
    AlreadyInUse {
        /// Consecutive refusals so far.
        refusals: u32,
        /// Delay before the next attempt.
        retry_in: Duration,
    },
    /// Own-execution notices may be missing between `gap.from` and `gap.to`: the connection
    /// was down (emitted with [`Event::Reconnected`]) or the session closed (`gap.to` is
    /// `None`). KIS does not replay them. With [`crate::Options::recovery`] set, the fills of
    /// that window follow as [`Event::Recovered`] (or [`Event::RecoveryFailed`]).
    NoticeGap(NoticeGap),
    /// Fills recovered through REST after a [`Event::NoticeGap`]: executions no realtime
    /// notice reported. Not a realtime record; never a repeat of a notice this session
    /// delivered or of an earlier recovery.
    Recovered(RecoveredFill),
    /// Recovering a gap's executions failed (or the baseline of fills from before the
    /// session, asked when notices were first subscribed, could not be taken: then that
    /// market's gaps are not recovered); reconcile through REST yourself.
    RecoveryFailed {
        /// The gap.
        gap: NoticeGap,
        /// Why it failed.
        error: String,
    },
    /// This consumer fell behind and `dropped` market-data records were discarded (oldest
    /// first). Execution notices are never discarded; state events only from the session's
    /// initial buffer while no stream has claimed it (see [`crate::Session::raw_events`]).
    Lagged {
        /// Records discarded since the previous `Lagged`.
        dropped: u64,
    },
    /// This consumer stopped reading and its queue of notices and state events
    /// ([`crate::Options::notice_buffer`]) filled up. Those are never dropped silently, so this
    /// stream ends here: it delivered everything it held, and `not_delivered` items (of any
    /// kind) arrived after the overflow and were not given to it. The session and other
    /// streams go on; open a new stream to resume.
    Overflowed {
        /// The queue's notice capacity.
        capacity: usize,
        /// Items that arrived after the overflow.
        not_delivered: u64,
    },
    /// A KIS control message not tied to a request of this session (e.g. an error notice).
    Notice {
        /// TR ID in the message header.
        tr_id: String,
        /// `msg_cd`.
        msg_cd: String,
        /// `msg1`.
        msg1: String,
    },
    /// A message could not be decoded (malformed frame, unknown TR, bad ciphertext, wrong
    /// field count). The session goes on.
    Error(FrameError),
}

impl<R> Event<R> {
    /// Converts the record of a [`Event::Data`]; other variants are carried over.
    pub(crate) fn try_map<S>(self, f: impl FnOnce(&str, R) -> Result<S, FrameError>) -> Event<S> {
        match self {
            Event::Data {
                tr_id,
                tr_key,
                record,
            } => match f(&tr_id, record) {
                Ok(record) => Event::Data {
                    tr_id,
                    tr_key,
                    record,
                },
                Err(e) => Event::Error(e),
            },
            Event::Subscribed { tr_id, tr_key } => Event::Subscribed { tr_id, tr_key },
            Event::Unsubscribed { tr_id, tr_key } => Event::Unsubscribed { tr_id, tr_key },
            Event::SubscriptionLost {
                tr_id,
                tr_key,
                reason,
            } => Event::SubscriptionLost {
                tr_id,
                tr_key,
                reason,
            },
            Event::Disconnected { reason } => Event::Disconnected { reason },
            Event::Reconnected {
                attempts,
                downtime,
                resubscribed,
            } => Event::Reconnected {
                attempts,
                downtime,
                resubscribed,
            },
            Event::Lagged { dropped } => Event::Lagged { dropped },
            Event::NoticeGap(g) => Event::NoticeGap(g),
            Event::Recovered(r) => Event::Recovered(r),
            Event::RecoveryFailed { gap, error } => Event::RecoveryFailed { gap, error },
            Event::AlreadyInUse { refusals, retry_in } => {
                Event::AlreadyInUse { refusals, retry_in }
            }
            Event::Overflowed {
                capacity,
                not_delivered,
            } => Event::Overflowed {
                capacity,
                not_delivered,
            },
            Event::Notice {
                tr_id,
                msg_cd,
                msg1,
            } => Event::Notice {
                tr_id,
                msg_cd,
                msg1,
            },
            Event::Error(e) => Event::Error(e),
        }
    }
}

/// One record of a data frame as received (decrypted if it was encrypted), not yet typed.
///
/// Records of one frame share the websocket message they came in (or, for an encrypted
/// frame, its decrypted text): nothing is copied per frame or per record, and cloning is a
/// reference count.
#[derive(Clone, PartialEq, Eq)]
pub struct RawRecord {
    text: Utf8Bytes,
    range: Range<usize>,
}

/// Shows the record's size only: a decrypted execution notice holds the account number, the
/// HTS ID and the holder's name, and a raw record does not know its TR's columns to mask them.
/// Decode it (the generated records mask by column) or read [`RawRecord::as_str`] to see it.
impl std::fmt::Debug for RawRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawRecord")
            .field("fields", &self.fields().count())
            .field("bytes", &self.as_str().len())
            .finish()
    }
}

/// A subscription key as `Debug` shows it: masked for an execution-notice TR, whose key is the
/// HTS ID ([`kis_client::__private::Masked::Id`]).
pub(crate) struct ShownKey<'a>(pub(crate) &'a str, pub(crate) &'a str);

impl std::fmt::Debug for ShownKey<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ShownKey(tr_id, tr_key) = *self;
        if crate::api::is_encrypted(tr_id) == Some(true) {
            std::fmt::Debug::fmt(&kis_client::__private::Masked::Id(tr_key), f)
        } else {
            std::fmt::Debug::fmt(tr_key, f)
        }
    }
}

/// The gap's notice subscriptions are keyed by HTS ID: masked.
impl std::fmt::Debug for NoticeGap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let subs: Vec<_> = self
            .subscriptions
            .iter()
            .map(|(tr_id, tr_key)| (tr_id, ShownKey(tr_id, tr_key)))
            .collect();
        f.debug_struct("NoticeGap")
            .field("from", &self.from)
            .field("to", &self.to)
            .field("subscriptions", &subs)
            .field("server_offset", &self.server_offset)
            .finish_non_exhaustive()
    }
}

impl<R: std::fmt::Debug> std::fmt::Debug for Event<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keyed = |f: &mut std::fmt::Formatter<'_>, name: &str, tr_id: &str, tr_key: &str| {
            f.debug_struct(name)
                .field("tr_id", &tr_id)
                .field("tr_key", &ShownKey(tr_id, tr_key))
                .finish()
        };
        match self {
            Event::Data {
                tr_id,
                tr_key,
                record,
            } => f
                .debug_struct("Data")
                .field("tr_id", tr_id)
                .field("tr_key", &tr_key.as_deref().map(|k| ShownKey(tr_id, k)))
                .field("record", record)
                .finish(),
            Event::Subscribed { tr_id, tr_key } => keyed(f, "Subscribed", tr_id, tr_key),
            Event::Unsubscribed { tr_id, tr_key } => keyed(f, "Unsubscribed", tr_id, tr_key),
            Event::SubscriptionLost {
                tr_id,
                tr_key,
                reason,
            } => f
                .debug_struct("SubscriptionLost")
                .field("tr_id", tr_id)
                .field("tr_key", &ShownKey(tr_id, tr_key))
                .field("reason", reason)
                .finish(),
            Event::Disconnected { reason } => f
                .debug_struct("Disconnected")
                .field("reason", reason)
                .finish(),
            Event::Reconnected {
                attempts,
                downtime,
                resubscribed,
            } => f
                .debug_struct("Reconnected")
                .field("attempts", attempts)
                .field("downtime", downtime)
                .field("resubscribed", resubscribed)
                .finish(),
            Event::AlreadyInUse { refusals, retry_in } => f
                .debug_struct("AlreadyInUse")
                .field("refusals", refusals)
                .field("retry_in", retry_in)
                .finish(),
            Event::NoticeGap(g) => f.debug_tuple("NoticeGap").field(g).finish(),
            Event::Recovered(r) => f.debug_tuple("Recovered").field(r).finish(),
            Event::RecoveryFailed { gap, error } => f
                .debug_struct("RecoveryFailed")
                .field("gap", gap)
                .field("error", error)
                .finish(),
            Event::Lagged { dropped } => {
                f.debug_struct("Lagged").field("dropped", dropped).finish()
            }
            Event::Overflowed {
                capacity,
                not_delivered,
            } => f
                .debug_struct("Overflowed")
                .field("capacity", capacity)
                .field("not_delivered", not_delivered)
                .finish(),
            Event::Notice {
                tr_id,
                msg_cd,
                msg1,
            } => f
                .debug_struct("Notice")
                .field("tr_id", tr_id)
                .field("msg_cd", msg_cd)
                .field("msg1", msg1)
                .finish(),
            Event::Error(e) => f.debug_tuple("Error").field(e).finish(),
            // A variant added later shows its name only until it gets an arm here.
            #[allow(unreachable_patterns)]
            _ => f.write_str("Event(..)"),
        }
    }
}

impl RawRecord {
    pub(crate) fn new(text: Utf8Bytes, range: Range<usize>) -> Self {
        RawRecord { text, range }
    }

    /// The bytes this record keeps alive: the text it shares (its message, or its own copy).
    pub(crate) fn pinned_len(&self) -> usize {
        self.text.len()
    }

    /// The record's fields joined by `^`, as received.
    pub fn as_str(&self) -> &str {
        self.text.get(self.range.clone()).unwrap_or_default()
    }

    /// The record's fields in layout order; `(null)` literals become empty strings (the
    /// splitter is [`crate::frame::Fields`], the session's own).
    pub fn fields(&self) -> crate::frame::Fields<'_> {
        crate::frame::Fields::new(self.as_str())
    }

    /// Decodes the record into a typed record, in one pass over its text.
    pub fn decode<T: Record>(&self) -> T {
        T::parse(self.as_str())
    }

    /// Splits a plain payload of `count` records into raw records exactly as the session does
    /// (one [`crate::frame::Records::split`]), calling `f` with each record.
    ///
    /// `payload` is the frame's plain payload: for a plain frame, the payload
    /// [`crate::frame::parse_data_frame`] found in the websocket message `text`, and the
    /// records then point into `text` (shared, not copied); for an encrypted frame, `text` is
    /// the decrypted payload and `payload` all of it. A `payload` that does not lie inside
    /// `text` is copied into a buffer of its own.
    pub fn split_payload(
        tr_id: &str,
        text: &Utf8Bytes,
        payload: &str,
        count: usize,
        columns: usize,
        mut f: impl FnMut(RawRecord),
    ) -> Result<(), FrameError> {
        let records = crate::frame::Records::split(tr_id, payload, count, columns)?;
        let copy;
        let (text, offset) = match offset_in(text, payload) {
            Some(offset) => (text, offset),
            None => {
                copy = Utf8Bytes::from(payload);
                (&copy, 0)
            }
        };
        // A record queued for a slow consumer keeps what it shares alive: records of a large
        // message get a copy of their own text instead of pinning all of it.
        let share = text.len() <= SHARE_UP_TO || records.len() == 1;
        for range in records.ranges() {
            let range = range.start + offset..range.end + offset;
            if share {
                f(RawRecord::new(text.clone(), range));
            } else {
                let own = Utf8Bytes::from(text.get(range).unwrap_or_default());
                let len = own.len();
                f(RawRecord::new(own, 0..len));
            }
        }
        Ok(())
    }
}

/// Largest message whose records share it; records of a larger one are copied out (the
/// frames KIS sends in the thousands are far smaller).
const SHARE_UP_TO: usize = 16 << 10;

/// The byte offset of `inner` in `outer` when `inner` is a slice of `outer`'s text.
fn offset_in(outer: &str, inner: &str) -> Option<usize> {
    let offset = (inner.as_ptr() as usize).checked_sub(outer.as_ptr() as usize)?;
    let same = outer.get(offset..offset.checked_add(inner.len())?)?;
    (same.as_ptr() == inner.as_ptr()).then_some(offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_record_fields() {
        let text = Utf8Bytes::from("a^b^c^d^(null)^f");
        let r = RawRecord::new(text.clone(), 6..text.len());
        assert_eq!(r.as_str(), "d^(null)^f");
        assert_eq!(r.fields().collect::<Vec<_>>(), ["d", "", "f"]);
    }

    #[test]
    fn split_payload_shares_the_message_or_copies_a_foreign_payload() {
        let message = Utf8Bytes::from("0|H0STCNT0|002|a^b^c^d");
        let f = crate::frame::parse_data_frame(&message).unwrap();
        let mut got = Vec::new();
        RawRecord::split_payload(f.tr_id, &message, f.payload, f.count, 2, |r| got.push(r))
            .unwrap();
        assert_eq!(
            got.iter().map(RawRecord::as_str).collect::<Vec<_>>(),
            ["a^b", "c^d"]
        );
        // The records point into the message: no copy.
        assert_eq!(got[0].as_str().as_ptr(), message[15..].as_ptr());
        // A payload from elsewhere (a decrypted one passed with the wrong text) is copied.
        let other = String::from("x^y");
        let mut got = Vec::new();
        RawRecord::split_payload("T", &message, &other, 1, 2, |r| got.push(r)).unwrap();
        assert_eq!(got[0].as_str(), "x^y");
        assert_eq!(offset_in("abc", &other), None);
        assert_eq!(offset_in(&message, &message[3..5]), Some(3));
    }

    /// A record queued for a slow consumer never keeps a large message alive: records of a
    /// message over 16 KiB are copied out (a single record keeps sharing its own message).
    #[test]
    fn records_of_a_large_message_do_not_pin_it() {
        let record = "a".repeat(100);
        let payload = vec![record.as_str(); 400].join("^");
        let message = Utf8Bytes::from(format!("0|H0STCNT0|400|{payload}"));
        let f = crate::frame::parse_data_frame(&message).unwrap();
        let mut got = Vec::new();
        RawRecord::split_payload(f.tr_id, &message, f.payload, f.count, 1, |r| got.push(r))
            .unwrap();
        assert_eq!(got.len(), 400);
        assert!(
            got.iter()
                .all(|r| r.as_str() == record && r.pinned_len() == 100)
        );
        let small = Utf8Bytes::from("0|H0STCNT0|002|a^b");
        let f = crate::frame::parse_data_frame(&small).unwrap();
        let mut got = Vec::new();
        RawRecord::split_payload(f.tr_id, &small, f.payload, f.count, 1, |r| got.push(r)).unwrap();
        assert!(got.iter().all(|r| r.pinned_len() == small.len()));
    }

    #[test]
    fn try_map_turns_decode_failure_into_error() {
        let e: Event<u8> = Event::Data {
            tr_id: Arc::from("X"),
            tr_key: None,
            record: 1,
        };
        let mapped: Event<u16> = e.try_map(|tr, _| {
            Err(FrameError::UnknownTr {
                tr_id: tr.to_owned(),
            })
        });
        assert!(matches!(mapped, Event::Error(FrameError::UnknownTr { .. })));
    }
}
