//! The simulated clock: KST wall time that starts where the configuration says and runs at a
//! chosen speed, or the real KST time.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use super::calendar::{Calendar, MockCalendar};

/// How the mock's market clock runs. Times are KST (UTC+9), as KIS reports them. Which days
/// trade is [`MockCalendar`]'s business (`MockConfig::calendar`): by default (the sandbox) every
/// day from the clock's start on, so the default clock runs a session on today's date.
///
/// ```
/// use kis_mock::MockClock;
/// // A reproducible morning: 2026-11-26 10:30 KST, a simulated minute per real second.
/// let clock = MockClock::Simulated {
///     start: chrono::NaiveDate::from_ymd_opt(2026, 11, 26).and_then(|d| d.and_hms_opt(10, 30, 0)),
///     speed: 60.0,
/// };
/// # let _ = clock;
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MockClock {
    /// Simulated time starting at `start` (KST) and running `speed` times as fast as real
    /// time. `start: None` picks the session time, 10:30 KST, of today's KST date (with
    /// [`MockCalendar::Sandbox`], the default, weekends and holidays included) or of the latest
    /// KRX trading day on or before today (with [`MockCalendar::Krx`]), so a regular session is
    /// in progress. `speed: 60.0` runs a 6.5-hour trading day in 6.5 minutes.
    Simulated {
        /// Where the clock starts (KST); `None` = 10:30 on today's (sandbox) or the latest KRX
        /// trading day.
        start: Option<NaiveDateTime>,
        /// Simulated seconds per real second (at least 0.001).
        speed: f64,
    },
    /// The real time in KST. With [`MockCalendar::Krx`] the market is open only when KRX
    /// really is; in the sandbox every day from today on trades, during the real hours.
    Real,
}

impl Default for MockClock {
    fn default() -> Self {
        MockClock::Simulated {
            start: None,
            speed: 1.0,
        }
    }
}

impl MockClock {
    /// A simulated clock at real speed that starts at 10:30 KST on the KRX trading day `days`
    /// trading days before the latest one on or before today (0: the day the default clock
    /// starts on with [`MockCalendar::Krx`]). For `days > 0` its date differs from this
    /// machine's: for tests of what a client does with the server's dates.
    pub fn krx_session_before(days: u32) -> MockClock {
        MockClock::Simulated {
            start: Some(krx_session_start(days)),
            speed: 1.0,
        }
    }

    /// A simulated clock at real speed that starts at 11:00 New York time on the latest New
    /// York trading day (the KST moment of it): overseas stocks trade, KRX is closed.
    pub fn new_york_session() -> MockClock {
        let utc_now = real_kst() - Duration::hours(9);
        let ny_today = (utc_now - Duration::hours(super::new_york_offset(utc_now))).date();
        let day = Calendar::Nyse.on_or_before(ny_today);
        let eleven = day.and_time(NaiveTime::from_hms_opt(11, 0, 0).expect("a valid time"));
        // 11:00 in New York is 15:00 or 16:00 UTC (the offset of that day), +9 h in KST.
        let utc = eleven + Duration::hours(5);
        let utc = eleven + Duration::hours(super::new_york_offset(utc));
        MockClock::Simulated {
            start: Some(utc + Duration::hours(9)),
            speed: 1.0,
        }
    }
}

/// The session time the default clock starts at: 10:30 KST, a regular session in progress.
fn session_time() -> NaiveTime {
    NaiveTime::from_hms_opt(10, 30, 0).expect("a valid time")
}

/// 10:30 KST on the KRX trading day `days` trading days before the latest one on or before
/// today (a regular session in progress).
fn krx_session_start(days: u32) -> NaiveDateTime {
    let mut day = Calendar::Krx.on_or_before(real_kst().date());
    for _ in 0..days {
        day = Calendar::Krx.previous(day);
    }
    day.and_time(session_time())
}

/// Where a clock without a configured start starts under `calendar`: 10:30 KST of `today`
/// (sandbox) or of the latest KRX trading day on or before it.
fn default_start(calendar: MockCalendar, today: NaiveDate) -> NaiveDateTime {
    let day = match calendar {
        MockCalendar::Sandbox => today,
        MockCalendar::Krx => Calendar::Krx.on_or_before(today),
    };
    day.and_time(session_time())
}

/// The real KST time now.
pub fn real_kst() -> NaiveDateTime {
    Utc::now().naive_utc() + Duration::hours(9)
}

/// An HTTP `Date` header value (RFC 9110 IMF-fixdate, GMT) for a KST time: what the mock
/// sends on every REST answer and websocket handshake, so a client learns the simulated
/// server's clock (and day) as it would learn KIS's.
pub fn http_date(kst: NaiveDateTime) -> String {
    let utc = (kst - Duration::hours(9)).and_utc();
    httpdate::fmt_http_date(utc.into())
}

/// A running clock. Clones share their jumps ([`Clock::advance`]).
#[derive(Debug, Clone)]
pub struct Clock {
    origin: Instant,
    start: NaiveDateTime,
    speed: f64,
    real: bool,
    /// Milliseconds the clock was moved forward by [`Clock::advance`] (never back).
    jumped_ms: Arc<AtomicI64>,
}

impl Clock {
    /// Starts a clock as configured, with the sandbox calendar's default start.
    #[cfg(test)]
    pub fn new(config: MockClock) -> Clock {
        Clock::with_calendar(config, MockCalendar::Sandbox)
    }

    /// Starts a clock as configured; a simulated clock without a start starts where
    /// `calendar` says (see [`MockClock::Simulated`]).
    pub fn with_calendar(config: MockClock, calendar: MockCalendar) -> Clock {
        match config {
            MockClock::Real => Clock {
                origin: Instant::now(),
                start: real_kst(),
                speed: 1.0,
                real: true,
                jumped_ms: Arc::default(),
            },
            MockClock::Simulated { start, speed } => {
                let start = start.unwrap_or_else(|| default_start(calendar, real_kst().date()));
                Clock {
                    origin: Instant::now(),
                    start,
                    speed: speed.max(0.001),
                    real: false,
                    jumped_ms: Arc::default(),
                }
            }
        }
    }

    /// The current KST time, to the millisecond.
    pub fn now(&self) -> NaiveDateTime {
        let jumped = Duration::milliseconds(self.jumped_ms.load(Ordering::Relaxed));
        if self.real {
            return real_kst() + jumped;
        }
        let real = self.origin.elapsed().as_secs_f64();
        self.start + Duration::milliseconds((real * self.speed * 1000.0) as i64) + jumped
    }

    /// Moves the clock forward by `by` (a negative or zero step changes nothing): the market,
    /// the account's day and every `Date` header follow at once. Returns the new time.
    pub fn advance(&self, by: Duration) -> NaiveDateTime {
        let ms = by.num_milliseconds();
        if ms > 0 {
            self.jumped_ms.fetch_add(ms, Ordering::Relaxed);
        }
        self.now()
    }

    /// Moves the clock forward to `to`; a time not after now is refused (the clock never runs
    /// back: the account's days only move forward). Returns the new time.
    pub fn advance_to(&self, to: NaiveDateTime) -> Result<NaiveDateTime, NaiveDateTime> {
        let now = self.now();
        if to <= now {
            return Err(now);
        }
        Ok(self.advance(to - now))
    }

    /// Today's KST date.
    pub fn today(&self) -> NaiveDate {
        self.now().date()
    }

    /// The KST time the clock started at.
    pub fn start(&self) -> NaiveDateTime {
        self.start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_default_start_is_today_in_the_sandbox_and_the_latest_krx_day_otherwise() {
        // A Sunday, a Seollal holiday, a Thursday: never this machine's date.
        for today in [d(2026, 12, 6), d(2026, 2, 17), d(2026, 11, 26)] {
            let sandbox = default_start(MockCalendar::Sandbox, today);
            assert_eq!(sandbox, today.and_hms_opt(10, 30, 0).unwrap());
            let krx = default_start(MockCalendar::Krx, today);
            assert_eq!(krx.time(), session_time());
            assert!(Calendar::Krx.is_trading_day(krx.date()) && krx.date() <= today);
        }
        assert_eq!(
            default_start(MockCalendar::Krx, d(2026, 12, 6)).date(),
            d(2026, 12, 4)
        );
    }

    #[test]
    fn the_clock_jumps_forward_only_and_clones_share_the_jump() {
        let start = d(2026, 12, 2).and_hms_opt(23, 59, 50).unwrap();
        let clock = Clock::new(MockClock::Simulated {
            start: Some(start),
            speed: 0.001,
        });
        let twin = clock.clone();
        let after = clock.advance(Duration::seconds(20));
        assert!(after >= start + Duration::seconds(20) && after.date() == d(2026, 12, 3));
        assert!(twin.now() >= after, "a clone sees the jump");
        clock.advance(Duration::seconds(-100));
        assert!(clock.now() >= after, "never back");
        assert!(clock.advance_to(start).is_err());
        let nine = d(2026, 12, 3).and_hms_opt(9, 0, 0).unwrap();
        let now = clock.advance_to(nine).unwrap();
        assert!(now >= nine && now < nine + Duration::seconds(1), "{now}");
    }

    #[test]
    fn a_configured_start_wins_over_the_calendar() {
        let start = d(2026, 12, 6).and_hms_opt(9, 0, 0).unwrap();
        let config = MockClock::Simulated {
            start: Some(start),
            speed: 1.0,
        };
        for calendar in [MockCalendar::Sandbox, MockCalendar::Krx] {
            assert_eq!(Clock::with_calendar(config, calendar).start(), start);
        }
    }
}
