//! Exponential reconnect backoff with jitter.

use std::time::Duration;

use rand::Rng as _;

/// Reconnect delays: `initial * 2^n`, capped at `max`, with "equal jitter" (a random delay in
/// `[d/2, d]`) so that many clients do not reconnect in lockstep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Delay before the first retry (before jitter).
    pub initial: Duration,
    /// Largest delay (before jitter).
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(30),
        }
    }
}

impl Backoff {
    /// The un-jittered delay before retry number `attempt` (0-based).
    pub fn base_delay(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(20)).unwrap_or(u32::MAX);
        self.initial.saturating_mul(factor).min(self.max)
    }

    /// The jittered delay before retry number `attempt` (0-based), in `[base/2, base]`.
    pub fn delay(&self, attempt: u32) -> Duration {
        let base = self.base_delay(attempt);
        let half = base / 2;
        let nanos = u64::try_from((base - half).as_nanos()).unwrap_or(u64::MAX);
        let extra = if nanos == 0 {
            0
        } else {
            rand::rng().random_range(0..=nanos)
        };
        half + Duration::from_nanos(extra)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_exponentially_and_caps() {
        let b = Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(2),
        };
        assert_eq!(b.base_delay(0), Duration::from_millis(100));
        assert_eq!(b.base_delay(1), Duration::from_millis(200));
        assert_eq!(b.base_delay(4), Duration::from_millis(1600));
        assert_eq!(b.base_delay(5), Duration::from_secs(2));
        assert_eq!(b.base_delay(u32::MAX), Duration::from_secs(2));
    }

    #[test]
    fn jitter_stays_in_range() {
        let b = Backoff::default();
        for attempt in 0..40 {
            let base = b.base_delay(attempt);
            let d = b.delay(attempt);
            assert!(d >= base / 2 && d <= base, "{attempt}: {d:?} vs {base:?}");
        }
    }

    #[test]
    fn zero_initial_is_zero() {
        let b = Backoff {
            initial: Duration::ZERO,
            max: Duration::ZERO,
        };
        assert_eq!(b.delay(3), Duration::ZERO);
    }
}
