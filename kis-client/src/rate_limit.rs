//! Client-side rate limiter: at most N requests in any window (1 s + margin) as the server
//! counts them, bursts allowed, robust to network and scheduling jitter.
//!
//! Each of the N slots is held from the moment a request is let through until its answer (or
//! failure) arrives, and becomes usable again one window after that. The server sees a request
//! between those two instants, so request k+N reaches it at least one window after request k
//! did, however late request k was delayed on the way: a server counting N per second over any
//! window never sees N+1. (A token bucket with burst N plus refill lets up to 2N through in one
//! second; a window counted from send times breaks when one request is delayed.) Waiters queue
//! fairly (FIFO) and sleep; nothing spins.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

/// A limiter shared by every clone of a client (one per environment and app key).
#[derive(Debug)]
pub struct RateLimiter {
    window: Duration,
    /// One permit per slot that is free (possibly not yet ready).
    slots: Semaphore,
    /// Ready times of the free slots, non-decreasing.
    ready: Mutex<VecDeque<Instant>>,
}

/// The right to send one request; hold it until the answer has arrived.
#[derive(Debug)]
pub struct Permit<'a> {
    limiter: &'a RateLimiter,
    _slot: SemaphorePermit<'a>,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut ready = self.limiter.ready.lock().unwrap_or_else(|p| p.into_inner());
        ready.push_back(Instant::now() + self.limiter.window);
        // `_slot` is released after this, so a waiter always finds a ready time to pop.
    }
}

impl RateLimiter {
    /// `limit` requests per `window` (at least one).
    pub fn new(limit: u32, window: Duration) -> Self {
        let limit = limit.max(1) as usize;
        let now = Instant::now();
        Self {
            window,
            slots: Semaphore::new(limit),
            ready: Mutex::new(std::iter::repeat_n(now, limit).collect()),
        }
    }

    /// Waits for a slot. Dropping the future while it waits gives the slot back as used now
    /// (errs on the slow side).
    pub async fn acquire(&self) -> Permit<'_> {
        // The semaphore is never closed, so this cannot fail; fall back to waiting forever
        // rather than panicking if it ever were.
        let slot = match self.slots.acquire().await {
            Ok(slot) => slot,
            Err(_) => std::future::pending().await,
        };
        let at = {
            let mut ready = self.ready.lock().unwrap_or_else(|p| p.into_inner());
            ready.pop_front().unwrap_or_else(Instant::now)
        };
        let permit = Permit {
            limiter: self,
            _slot: slot,
        };
        if at > Instant::now() {
            tokio::time::sleep_until(at).await;
        }
        permit
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Max events inside any half-open window of length `w` over sorted times.
    fn max_in_window(times: &[Instant], w: Duration) -> usize {
        let mut best = 0;
        let mut j = 0;
        for i in 0..times.len() {
            while times[i] - times[j] >= w {
                j += 1;
            }
            best = best.max(i - j + 1);
        }
        best
    }

    #[tokio::test(start_paused = true)]
    async fn burst_then_steady_never_exceeds_limit() {
        let l = RateLimiter::new(20, Duration::from_secs(1));
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..100 {
            drop(l.acquire().await);
            times.push(Instant::now());
        }
        // The first 20 go through at once (burst).
        assert_eq!(times[19], start);
        assert_eq!(max_in_window(&times, Duration::from_secs(1)), 20);
        // 100 requests at 20/s with a full initial burst: the last is at 4 s.
        assert_eq!(times[99] - start, Duration::from_secs(4));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_tasks_share_the_limit() {
        let l = std::sync::Arc::new(RateLimiter::new(5, Duration::from_millis(1000)));
        let mut handles = Vec::new();
        for _ in 0..23 {
            let l = l.clone();
            handles.push(tokio::spawn(async move {
                drop(l.acquire().await);
                Instant::now()
            }));
        }
        let mut times = Vec::new();
        for h in handles {
            times.push(h.await.expect("task"));
        }
        times.sort();
        assert_eq!(max_in_window(&times, Duration::from_secs(1)), 5);
        assert_eq!(times[22] - times[0], Duration::from_secs(4));
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_request_holds_its_slot_until_it_completes() {
        let l = RateLimiter::new(2, Duration::from_secs(1));
        let start = Instant::now();
        let slow = l.acquire().await;
        drop(l.acquire().await);
        // The quick slot is ready again at 1 s; the slow one only a window after it ends.
        drop(l.acquire().await);
        assert_eq!(Instant::now() - start, Duration::from_secs(1));
        tokio::time::sleep(Duration::from_millis(2500)).await;
        drop(slow); // ends at 3.5 s
        drop(l.acquire().await); // the quick slot (free since 2 s)
        assert_eq!(Instant::now() - start, Duration::from_millis(3500));
        drop(l.acquire().await); // the slow slot: 3.5 s + 1 s
        assert_eq!(Instant::now() - start, Duration::from_millis(4500));
    }

    #[tokio::test(start_paused = true)]
    async fn cancelled_waiters_do_not_lose_slots() {
        let l = RateLimiter::new(1, Duration::from_secs(1));
        drop(l.acquire().await);
        // Give up while waiting: the slot comes back (as used now), not lost.
        let r = tokio::time::timeout(Duration::from_millis(100), l.acquire()).await;
        assert!(r.is_err());
        let start = Instant::now();
        drop(l.acquire().await);
        assert_eq!(Instant::now() - start, Duration::from_secs(1));
    }

    proptest! {
        /// Requests with arbitrary gaps and durations: the interval each spends at the server
        /// (anywhere between grant and completion) never puts N+1 in one window.
        #[test]
        fn no_window_ever_sees_more_than_limit(
            limit in 1u32..30,
            reqs in proptest::collection::vec((0u64..400, 0u64..300, 0u64..=100), 1..120),
        ) {
            let rt = tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().expect("rt");
            rt.block_on(async {
                let w = Duration::from_secs(1);
                let l = std::sync::Arc::new(RateLimiter::new(limit, w));
                let mut handles = Vec::new();
                for (gap, duration, at_server_pct) in reqs {
                    tokio::time::advance(Duration::from_millis(gap)).await;
                    let l = l.clone();
                    handles.push(tokio::spawn(async move {
                        let permit = l.acquire().await;
                        let granted = Instant::now();
                        tokio::time::sleep(Duration::from_millis(duration)).await;
                        drop(permit);
                        // The server saw it somewhere in [granted, granted + duration].
                        granted + Duration::from_millis(duration * at_server_pct / 100)
                    }));
                }
                let mut times = Vec::new();
                for h in handles {
                    times.push(h.await.expect("task"));
                }
                times.sort();
                prop_assert!(max_in_window(&times, w) <= limit as usize);
                Ok(())
            })?;
        }
    }
}
