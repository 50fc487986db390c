//! A sliding-window rate limiter: at most N permits in any window (1 s + margin), bursts allowed.
//!
//! Unlike a token bucket with burst N plus refill (which lets up to 2N through in one second),
//! this keeps the times of the last N permits and grants permit k no earlier than permit k-N
//! plus the window, so a server counting N per second over any window never sees N+1. Waiters
//! reserve their slot under a short lock and then sleep without holding it: no spinning, FIFO-fair.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// A limiter shared by every clone of a client (one per environment and app key).
#[derive(Debug)]
pub struct RateLimiter {
    limit: usize,
    window: Duration,
    /// Grant times of the last `limit` permits, non-decreasing.
    slots: Mutex<VecDeque<Instant>>,
}

impl RateLimiter {
    /// `limit` permits per `window` (at least one permit).
    pub fn new(limit: u32, window: Duration) -> Self {
        let limit = limit.max(1) as usize;
        Self {
            limit,
            window,
            slots: Mutex::new(VecDeque::with_capacity(limit)),
        }
    }

    /// Reserves the next permit and returns the instant it may be used.
    fn reserve(&self) -> Instant {
        let now = Instant::now();
        // A poisoned lock only means another task panicked mid-update of a plain deque of
        // instants; the data is still a valid schedule.
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        let at = if slots.len() < self.limit {
            slots.back().map_or(now, |&last| last.max(now))
        } else {
            let oldest = slots.pop_front().unwrap_or(now);
            let last = slots.back().copied().unwrap_or(now);
            (oldest + self.window).max(now).max(last)
        };
        slots.push_back(at);
        at
    }

    /// Waits for a permit. Dropping the future after it started waiting forfeits the slot
    /// (safe: the limiter only ever errs on the slow side).
    pub async fn acquire(&self) {
        let at = self.reserve();
        if at > Instant::now() {
            tokio::time::sleep_until(at).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Max permits inside any half-open window of length `w` over sorted grant times.
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
            l.acquire().await;
            times.push(Instant::now());
        }
        // The first 20 go through at once (burst).
        assert_eq!(times[19], start);
        assert_eq!(max_in_window(&times, Duration::from_secs(1)), 20);
        // 100 permits at 20/s with a full initial burst: the last is at 4 s.
        assert_eq!(times[99] - start, Duration::from_secs(4));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_tasks_share_the_limit() {
        let l = std::sync::Arc::new(RateLimiter::new(5, Duration::from_millis(1000)));
        let mut handles = Vec::new();
        for _ in 0..23 {
            let l = l.clone();
            handles.push(tokio::spawn(async move {
                l.acquire().await;
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

    proptest! {
        #[test]
        fn no_window_ever_sees_more_than_limit(
            limit in 1u32..30,
            gaps in proptest::collection::vec(0u64..400, 1..120),
        ) {
            let rt = tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().expect("rt");
            rt.block_on(async {
                let w = Duration::from_secs(1);
                let l = RateLimiter::new(limit, w);
                let mut times = Vec::new();
                for g in gaps {
                    tokio::time::advance(Duration::from_millis(g)).await;
                    l.acquire().await;
                    times.push(Instant::now());
                }
                prop_assert!(max_in_window(&times, w) <= limit as usize);
                Ok(())
            })?;
        }
    }
}
