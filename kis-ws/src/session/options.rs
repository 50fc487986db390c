//! Session settings.

use std::time::Duration;

use kis_client::endpoint::Env;

use crate::backoff::Backoff;
use crate::catalog::Catalog;
use crate::recovery::Recovery;

/// Websocket URL of the real service.
pub const REAL_WS_URL: &str = "ws://ops.koreainvestment.com:21000";
/// Websocket URL of the paper service.
pub const PAPER_WS_URL: &str = "ws://ops.koreainvestment.com:31000";

/// Default of [`Options::max_message_size`]: 1 MiB.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 1 << 20;

/// KIS's registration limit per websocket session.
pub const DEFAULT_MAX_SUBSCRIPTIONS: usize = 41;

/// Session settings. Start from [`Options::new`] (or `default()`, the real service) and adjust.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// Real or paper service: picks the default URL and rejects TRs the service lacks.
    pub env: Env,
    /// Websocket URL override (e.g. a simulator's `ws://127.0.0.1:PORT`). A URL without a
    /// path gets `/tryitout`, as the official samples use.
    pub url: Option<String>,
    /// `custtype` header: `P` individual, `B` corporate.
    pub custtype: String,
    /// Registration cap; the next subscription fails locally with
    /// [`crate::Error::TooManySubscriptions`].
    pub max_subscriptions: usize,
    /// Per-consumer queue of market-data records; beyond it the oldest are dropped and the
    /// consumer sees [`crate::Event::Lagged`].
    pub data_buffer: usize,
    /// Per-consumer bound on the bytes its queued records hold (records of messages larger
    /// than 16 KiB are copied out, so a queued record never pins a large message): beyond
    /// it the oldest market data is dropped ([`crate::Event::Lagged`]); notices that would
    /// exceed it end the stream like [`Options::notice_buffer`].
    pub buffer_bytes: usize,
    /// Per-consumer queue of execution notices and state events. These are never dropped
    /// silently and the connection task never waits for a consumer: a stream that lets this
    /// many pile up is ended with [`crate::Event::Overflowed`] (the session and the other
    /// streams go on).
    pub notice_buffer: usize,
    /// How long [`crate::Session::subscribe`]/[`crate::Session::unsubscribe`] wait for KIS's ack.
    pub ack_timeout: Duration,
    /// Timeout of one websocket connection attempt.
    pub connect_timeout: Duration,
    /// Longest one socket write (a subscribe request, a `PINGPONG` echo, a close) may take; a
    /// server that stops reading then costs the connection (reported as
    /// [`crate::Event::Disconnected`], then reconnect), never the session.
    pub write_timeout: Duration,
    /// Reconnect when nothing (not even `PINGPONG`, sent every ~10 s) arrives for this long.
    pub silence_timeout: Duration,
    /// Reconnect delays.
    pub backoff: Backoff,
    /// Delay before reconnecting after `OPSP8996 ALREADY IN USE` (KIS can hold the old
    /// session for a while); it doubles with each consecutive refusal, up to
    /// [`Options::in_use_max_delay`].
    pub in_use_delay: Duration,
    /// Longest delay between retries after consecutive `OPSP8996` refusals.
    pub in_use_max_delay: Duration,
    /// Largest websocket message (and frame) accepted, in bytes; a larger one ends the
    /// connection (reported as [`crate::Event::Disconnected`], then reconnect). The default,
    /// 1 MiB, holds the largest frame KIS's header allows (999 records of the widest layout,
    /// base64-encrypted); tungstenite's own default is 64 MiB.
    pub max_message_size: usize,
    /// How long [`crate::Session::close`] waits for unsubscribe acks; `close` itself returns
    /// within this plus one second whatever the server or the consumers do.
    pub close_timeout: Duration,
    /// Consecutive approval-key refusals (each followed by fetching a fresh key) before pending
    /// subscriptions fail with [`crate::Error::InvalidApproval`].
    pub max_approval_refusals: u32,
    /// Opt-in recovery of execution notices missed in a gap (see
    /// [`crate::Event::NoticeGap`]): e.g. `Some(Recovery(Arc::new(RestRecovery::new(client))))`.
    /// Recovered executions arrive as [`crate::Event::Recovered`]. `None` (the default): gaps
    /// are reported, nothing is fetched.
    pub recovery: Option<Recovery>,
    /// How long a recovery's answer waits before it is compared with the notices received:
    /// a fill in the answer may have its realtime notice still in flight, and it must not be
    /// reported twice. A notice delayed longer than this would be.
    pub recovery_settle: Duration,
    /// Realtime TR facts (columns, encryption, paper availability).
    pub catalog: Catalog,
}

impl Default for Options {
    fn default() -> Self {
        Options::new(Env::Real)
    }
}

impl Options {
    /// Defaults for `env`.
    pub fn new(env: Env) -> Self {
        Options {
            env,
            url: None,
            custtype: "P".to_owned(),
            max_subscriptions: DEFAULT_MAX_SUBSCRIPTIONS,
            data_buffer: 4096,
            notice_buffer: 1024,
            buffer_bytes: 64 << 20,
            ack_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
            silence_timeout: Duration::from_secs(35),
            backoff: Backoff::default(),
            in_use_delay: Duration::from_secs(5),
            in_use_max_delay: Duration::from_secs(60),
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            close_timeout: Duration::from_secs(2),
            max_approval_refusals: 2,
            recovery: None,
            recovery_settle: Duration::from_secs(1),
            catalog: crate::api_glue::generated_catalog(),
        }
    }

    /// The websocket URL to connect to.
    pub fn endpoint(&self) -> String {
        let base = self.url.as_deref().unwrap_or(match self.env {
            Env::Real => REAL_WS_URL,
            Env::Paper => PAPER_WS_URL,
        });
        let base = base.trim_end_matches('/');
        let after_scheme = base.split_once("://").map_or(base, |(_, rest)| rest);
        if after_scheme.contains('/') {
            base.to_owned()
        } else {
            format!("{base}/tryitout")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_adds_tryitout_only_without_path() {
        let mut o = Options::new(Env::Paper);
        assert_eq!(o.endpoint(), "ws://ops.koreainvestment.com:31000/tryitout");
        o.url = Some("ws://127.0.0.1:5000".into());
        assert_eq!(o.endpoint(), "ws://127.0.0.1:5000/tryitout");
        o.url = Some("ws://127.0.0.1:5000/".into());
        assert_eq!(o.endpoint(), "ws://127.0.0.1:5000/tryitout");
        o.url = Some("ws://127.0.0.1:5000/custom".into());
        assert_eq!(o.endpoint(), "ws://127.0.0.1:5000/custom");
        assert_eq!(
            Options::new(Env::Real).endpoint(),
            "ws://ops.koreainvestment.com:21000/tryitout"
        );
    }
}
