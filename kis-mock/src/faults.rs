//! Runtime fault injection ([`Faults`]) and the slow-drip stream wrapper that applies it to
//! sockets.

use std::collections::HashMap;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

/// Faults to inject, changeable at any time while the mock runs. Obtained from
/// [`crate::MockServer::faults`]; every setting holds until changed or [`Faults::clear`]ed.
#[derive(Debug, Default)]
pub struct Faults {
    state: Mutex<FaultState>,
    /// Bumped by [`Faults::drop_ws_now`]: every websocket session watching it drops.
    drop_now: crate::control::DropSignal,
}

#[derive(Debug, Default, Clone)]
struct FaultState {
    http500: HashMap<String, u32>,
    http500_any: u32,
    delay: Option<Duration>,
    delay_path: HashMap<String, Duration>,
    drop_ws_after: Option<u64>,
    malformed: u32,
    refuse_approval: bool,
    drip: Option<Duration>,
    hold_session: Option<Duration>,
    data_changed: HashMap<String, u32>,
    wire: crate::control::WireFaults,
}

impl Faults {
    fn state(&self) -> MutexGuard<'_, FaultState> {
        // A panic while holding this lock cannot leave the plain data inconsistent.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Answers the next `times` requests to `path` with HTTP 500 (`EGW00001`).
    pub fn fail_path(&self, path: &str, times: u32) {
        self.state().http500.insert(path.to_owned(), times);
    }

    /// Answers the next `times` continuation calls (page 2 onwards) to `path` with `SYDB0050`
    /// ("조회이후에 자료가 변경되었습니다"), as KIS does when data changed mid-scan.
    pub fn data_changed(&self, path: &str, times: u32) {
        self.state().data_changed.insert(path.to_owned(), times);
    }

    /// Answers the next `times` requests to any path with HTTP 500.
    pub fn fail_next(&self, times: u32) {
        self.state().http500_any = times;
    }

    /// Delays every REST answer by `delay` (`Duration::ZERO` switches it off).
    pub fn delay(&self, delay: Duration) {
        self.state().delay = (!delay.is_zero()).then_some(delay);
    }

    /// Delays answers to one path.
    pub fn delay_path(&self, path: &str, delay: Duration) {
        self.state().delay_path.insert(path.to_owned(), delay);
    }

    /// Drops websocket sessions abruptly (no close frame) once they have sent `messages`
    /// messages (acks, pings and frames).
    pub fn drop_ws_after(&self, messages: u64) {
        self.state().drop_ws_after = Some(messages);
    }

    /// Replaces the next `frames` websocket data frames with malformed ones.
    pub fn malformed_frames(&self, frames: u32) {
        self.state().malformed = frames;
    }

    /// Makes the websocket refuse every approval key (`OPSP0011`).
    pub fn refuse_approval(&self, refuse: bool) {
        self.state().refuse_approval = refuse;
    }

    /// Writes every socket (REST and websocket) one byte at a time, `per_byte` apart; `None`
    /// switches it off.
    pub fn slow_drip(&self, per_byte: Option<Duration>) {
        self.state().drip = per_byte;
    }

    /// Keeps a websocket session's app-key slot taken this long after it disconnects.
    pub fn hold_session(&self, hold: Option<Duration>) {
        self.state().hold_session = hold;
    }

    /// Switches every fault off.
    pub fn clear(&self) {
        *self.state() = FaultState::default();
    }

    /// Runs `f` on the wire-level faults of [`crate::control`].
    pub(crate) fn with_wire<R>(&self, f: impl FnOnce(&mut crate::control::WireFaults) -> R) -> R {
        f(&mut self.state().wire)
    }

    /// The signal [`Faults::drop_ws_now`] raises.
    pub(crate) fn drop_signal(&self) -> &crate::control::DropSignal {
        &self.drop_now
    }

    pub(crate) fn take_http500(&self, path: &str) -> bool {
        let mut s = self.state();
        if let Some(n) = s.http500.get_mut(path) {
            if *n > 0 {
                *n -= 1;
                return true;
            }
        }
        if s.http500_any > 0 {
            s.http500_any -= 1;
            return true;
        }
        false
    }

    pub(crate) fn take_data_changed(&self, path: &str) -> bool {
        let mut s = self.state();
        match s.data_changed.get_mut(path) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }

    pub(crate) fn delay_for(&self, path: &str) -> Option<Duration> {
        let s = self.state();
        s.delay_path.get(path).copied().or(s.delay)
    }

    pub(crate) fn drop_after(&self) -> Option<u64> {
        self.state().drop_ws_after
    }

    pub(crate) fn take_malformed(&self) -> bool {
        let mut s = self.state();
        if s.malformed > 0 {
            s.malformed -= 1;
            true
        } else {
            false
        }
    }

    pub(crate) fn refusing_approval(&self) -> bool {
        self.state().refuse_approval
    }

    pub(crate) fn drip(&self) -> Option<Duration> {
        self.state().drip
    }

    pub(crate) fn session_hold(&self) -> Option<Duration> {
        self.state().hold_session
    }
}

/// A stream whose writes trickle out one byte at a time while the slow-drip fault is on.
pub(crate) struct Drip<S> {
    inner: S,
    faults: Arc<Faults>,
    sleep: Option<Pin<Box<Sleep>>>,
}

impl<S> Drip<S> {
    pub fn new(inner: S, faults: Arc<Faults>) -> Self {
        Self {
            inner,
            faults,
            sleep: None,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Drip<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Drip<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let Some(per_byte) = self.faults.drip() else {
            self.sleep = None;
            return Pin::new(&mut self.inner).poll_write(cx, buf);
        };
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(per_byte)));
        ready!(sleep.as_mut().poll(cx));
        let this = &mut *self;
        let written = ready!(Pin::new(&mut this.inner).poll_write(cx, &buf[..1]))?;
        ready!(Pin::new(&mut this.inner).poll_flush(cx))?;
        this.sleep = None;
        Poll::Ready(Ok(written))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http500_counts_down() {
        let f = Faults::default();
        f.fail_path("/a", 2);
        assert!(f.take_http500("/a"));
        assert!(f.take_http500("/a"));
        assert!(!f.take_http500("/a"));
        assert!(!f.take_http500("/b"));
        f.fail_next(1);
        assert!(f.take_http500("/b"));
        assert!(!f.take_http500("/b"));
    }

    #[tokio::test(start_paused = true)]
    async fn drip_writes_byte_by_byte() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let faults = Arc::new(Faults::default());
        faults.slow_drip(Some(Duration::from_millis(10)));
        let (a, mut b) = tokio::io::duplex(64);
        let mut drip = Drip::new(a, faults);
        let start = tokio::time::Instant::now();
        drip.write_all(b"hello").await.unwrap();
        assert!(start.elapsed() >= Duration::from_millis(50));
        let mut got = [0u8; 5];
        b.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"hello");
    }
}
