//! The crate's error types: session errors ([`Error`]) and per-frame errors ([`FrameError`]).

/// Longest excerpt of an offending frame kept in a [`FrameError`].
const EXCERPT: usize = 120;

/// Why one incoming websocket message could not be turned into events.
///
/// Surfaced as [`crate::Event::Error`]; the stream continues after it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// The message is neither a valid data frame nor a valid control message.
    #[error("malformed message ({reason}): {excerpt:?}")]
    Malformed {
        /// What is wrong.
        reason: String,
        /// The start of the message.
        excerpt: String,
    },
    /// A data frame of a TR this crate has no layout for.
    #[error("unknown TR {tr_id}")]
    UnknownTr {
        /// The TR ID in the frame.
        tr_id: String,
    },
    /// An encrypted frame arrived before the TR's key/iv (no `SUBSCRIBE SUCCESS` with `output`).
    #[error("encrypted frame of {tr_id} but no key/iv from its ack")]
    NoKey {
        /// The TR ID in the frame.
        tr_id: String,
    },
    /// The ack's key or iv has the wrong length.
    #[error("bad AES key/iv: {reason}")]
    BadKey {
        /// What is wrong.
        reason: String,
    },
    /// The encrypted payload does not decrypt.
    #[error("cannot decrypt {tr_id}: {reason}")]
    BadCiphertext {
        /// The TR ID in the frame.
        tr_id: String,
        /// What is wrong.
        reason: String,
    },
    /// The payload's field count is not a multiple of the frame's record count.
    #[error(
        "{tr_id}: {fields} fields do not split evenly into {records} records (layout has {columns} columns)"
    )]
    FieldCount {
        /// The TR ID in the frame.
        tr_id: String,
        /// The frame's record count.
        records: usize,
        /// Fields in the payload.
        fields: usize,
        /// Columns of the TR's layout.
        columns: usize,
    },
    /// A binary websocket message (KIS only sends text).
    #[error("unexpected binary message of {len} bytes")]
    Binary {
        /// Its length.
        len: usize,
    },
}

impl FrameError {
    pub(crate) fn malformed(reason: &str, text: &str) -> Self {
        let mut end = text.len().min(EXCERPT);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        FrameError::Malformed {
            reason: reason.to_owned(),
            excerpt: text[..end].to_owned(),
        }
    }
}

/// Errors of the realtime session API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The local registration cap (41 by default) would be exceeded; nothing was sent.
    #[error("subscription limit of {limit} reached")]
    TooManySubscriptions {
        /// The configured cap.
        limit: usize,
    },
    /// KIS refused the registration with `OPSP0008 MAX SUBSCRIBE OVER`.
    #[error("KIS refused the subscription: MAX SUBSCRIBE OVER ({msg1})")]
    MaxSubscribeOver {
        /// KIS's message.
        msg1: String,
    },
    /// The TR does not exist on the session's service (e.g. the real notice TR `H0STCNI0` on
    /// paper, whose twin is `H0STCNI9`); nothing was sent.
    #[error("{tr_id} is not available on the {env:?} service")]
    NotAvailable {
        /// The TR ID.
        tr_id: String,
        /// The session's service.
        env: kis_client::endpoint::Env,
    },
    /// The TR ID is not a known realtime TR; nothing was sent.
    #[error("unknown realtime TR {tr_id}")]
    UnknownTr {
        /// The TR ID.
        tr_id: String,
    },
    /// The `tr_key` is empty or not printable ASCII; nothing was sent.
    #[error("invalid tr_key {tr_key:?}")]
    InvalidTrKey {
        /// The key.
        tr_key: String,
    },
    /// KIS refused the approval key (`OPSP0011`) even after a fresh one was fetched.
    #[error("approval key refused: {msg1}")]
    InvalidApproval {
        /// KIS's message.
        msg1: String,
    },
    /// KIS still holds another session for this app key (`OPSP8996 ALREADY IN USE`).
    #[error("app key already in use by another session: {msg1}")]
    AlreadyInUse {
        /// KIS's message.
        msg1: String,
    },
    /// KIS does not know the HTS ID sent as the notice subscription's `tr_key` (`OPSP0017`,
    /// `ERROR : htsid가잘못되었습니다`): check the configured HTS ID (`Config::hts_id`,
    /// `my_htsid` in `kis_devlp.yaml`, `KIS_HTS_ID`). The ID itself is not repeated here.
    #[error(
        "KIS refused the {tr_id} subscription: the HTS ID given as tr_key (the configured HTS ID) is wrong ({msg_cd} {msg1})"
    )]
    InvalidHtsId {
        /// The notice TR subscribed.
        tr_id: String,
        /// KIS's code (`OPSP0017`).
        msg_cd: String,
        /// KIS's message.
        msg1: String,
    },
    /// KIS could not read the subscription's `tr_key` (`OPSP8993`).
    #[error("KIS refused the {tr_id} subscription: its tr_key is invalid ({msg_cd} {msg1})")]
    TrKeyRefused {
        /// The TR subscribed.
        tr_id: String,
        /// KIS's code.
        msg_cd: String,
        /// KIS's message.
        msg1: String,
    },
    /// KIS could not read the subscription request (`OPSP9999`).
    #[error("KIS could not read the {tr_id} subscription request ({msg_cd} {msg1})")]
    MalformedRequest {
        /// The TR subscribed.
        tr_id: String,
        /// KIS's code.
        msg_cd: String,
        /// KIS's message.
        msg1: String,
    },
    /// Any other refusal (`OPSP0007`, `OPSP0009`, `OPSP899x`, `UNSUBSCRIBE ERROR`, ...).
    #[error("KIS refused: {msg_cd} {msg1}")]
    Refused {
        /// KIS's code.
        msg_cd: String,
        /// KIS's message.
        msg1: String,
    },
    /// Getting an approval key failed.
    #[error("approval key: {0}")]
    ApprovalKey(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The websocket could not be opened.
    #[error("websocket: {0}")]
    WebSocket(#[source] Box<tokio_tungstenite::tungstenite::Error>),
    /// The URL or an option is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Recovering a notice gap's executions through REST failed.
    #[error("notice recovery: {0}")]
    Recovery(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A typed record stream ended because its consumer stopped reading and its queue of
    /// notices ([`crate::Options::notice_buffer`]) filled up: `not_delivered` records arrived
    /// after that. Nothing more comes on it; open a new stream (and reconcile through REST).
    #[error(
        "stream ended: its queue of {capacity} notices filled up; {not_delivered} more were not delivered"
    )]
    Overflowed {
        /// The queue's notice capacity.
        capacity: usize,
        /// Items that arrived after the overflow.
        not_delivered: u64,
    },
    /// Execution notices of a typed record stream may be missing (the connection was down,
    /// the session closed, or a notice could not be read); KIS does not replay them. The
    /// stream ends here: [`crate::Session::notices`] yields the gap and its recovered fills
    /// in order instead.
    #[error("execution notices may be missing from {:?} to {:?}", .0.from, .0.to)]
    NoticeGap(Box<crate::recovery::NoticeGap>),
    /// No reply from KIS in time.
    #[error("timed out waiting for KIS")]
    Timeout,
    /// The session is closed.
    #[error("session closed")]
    Closed,
}

impl Error {
    /// Whether KIS or the local cap refused because of the registration limit.
    pub fn is_subscription_limit(&self) -> bool {
        matches!(
            self,
            Error::TooManySubscriptions { .. } | Error::MaxSubscribeOver { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_is_cut_on_char_boundary() {
        let text = "가".repeat(100);
        let FrameError::Malformed { excerpt, .. } = FrameError::malformed("x", &text) else {
            unreachable!()
        };
        assert!(excerpt.len() <= EXCERPT);
        assert!(text.starts_with(&excerpt));
    }
}
