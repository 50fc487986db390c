//! The time this crate goes by: KIS's clock (kis-client learns its offset from the HTTP
//! `Date` of every answer), never this machine's date alone. [`Kis::now`](crate::Kis::now)
//! and [`Kis::today`](crate::Kis::today) read it; tests inject a [`Clock`].

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// A source of the current instant, to replace KIS's clock in tests and replays
/// ([`FixedClock`], or your own).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// let clock = kis::FixedClock::new(Utc.with_ymd_and_hms(2026, 12, 6, 15, 0, 0).unwrap());
/// // 15:00 UTC is midnight in Seoul: the next day there.
/// assert_eq!(kis::clock::kst_date(kis::Clock::now_utc(&clock)).to_string(), "2026-12-07");
/// ```
pub trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now_utc(&self) -> DateTime<Utc>;
}

/// A clock that stands still at one instant (settable): for tests.
#[derive(Debug)]
pub struct FixedClock(std::sync::Mutex<DateTime<Utc>>);

impl FixedClock {
    /// A clock at `at`.
    pub fn new(at: DateTime<Utc>) -> FixedClock {
        FixedClock(std::sync::Mutex::new(at))
    }

    /// Moves it to `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = at;
    }
}

impl Clock for FixedClock {
    fn now_utc(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl<C: Clock> Clock for Arc<C> {
    fn now_utc(&self) -> DateTime<Utc> {
        (**self).now_utc()
    }
}

/// Korea Standard Time, UTC+9 (no daylight saving).
pub fn kst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).unwrap_or(FixedOffset::east_opt(0).expect("UTC"))
}

/// The KST calendar date of an instant.
pub fn kst_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&kst()).date_naive()
}
