//! [`KisTime`]: KIS's `HHMMSS` time of a trading day, which runs past midnight in night
//! sessions (`260000` is 02:00 of the next calendar day).

use super::Wire;
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use std::borrow::Cow;
use std::fmt;

/// A time of a KIS trading day, `HHMMSS` on the wire with hours `00`–`47`.
///
/// KIS counts night-session times on from the session day's midnight: the night futures
/// session that opens at 18:00 reports `250000` for 01:00 of the next calendar day. A
/// `KisTime` keeps that reading: [`KisTime::time`] is the wall-clock time and
/// [`KisTime::day_offset`] the number of days after the session day (0 or 1), and
/// [`KisTime::on`] places it on a calendar. Ordering follows the session (`235959` <
/// `240000` < `260000`). The wire text round-trips exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KisTime {
    /// Seconds since 00:00 of the session day, below 48 hours.
    secs: u32,
}

impl KisTime {
    /// Latest hour KIS can report (`47` = 23:00 of the next day).
    pub const MAX_HOUR: u32 = 47;

    /// From hours (0–47), minutes and seconds (0–59); `None` when out of range.
    pub fn from_hms(hour: u32, min: u32, sec: u32) -> Option<KisTime> {
        (hour <= Self::MAX_HOUR && min < 60 && sec < 60).then_some(KisTime {
            secs: hour * 3600 + min * 60 + sec,
        })
    }

    /// From seconds since 00:00 of the session day (below 48 hours).
    pub fn from_session_seconds(secs: u32) -> Option<KisTime> {
        (secs < (Self::MAX_HOUR + 1) * 3600).then_some(KisTime { secs })
    }

    /// Seconds since 00:00 of the session day.
    pub fn session_seconds(self) -> u32 {
        self.secs
    }

    /// The hour as KIS writes it (0–47).
    pub fn hour(self) -> u32 {
        self.secs / 3600
    }

    /// The minute (0–59).
    pub fn minute(self) -> u32 {
        self.secs / 60 % 60
    }

    /// The second (0–59).
    pub fn second(self) -> u32 {
        self.secs % 60
    }

    /// Days after the session day: 0 before 24:00, 1 from `240000` on.
    pub fn day_offset(self) -> u32 {
        self.secs / 86_400
    }

    /// The wall-clock time (`260000` is 02:00:00).
    pub fn time(self) -> NaiveTime {
        let s = self.secs % 86_400;
        NaiveTime::from_num_seconds_from_midnight_opt(s, 0).unwrap_or(NaiveTime::MIN)
    }

    /// The moment on the calendar, given the session's trading date.
    pub fn on(self, session_day: NaiveDate) -> NaiveDateTime {
        session_day.and_time(self.time()) + Duration::days(i64::from(self.day_offset()))
    }
}

impl From<NaiveTime> for KisTime {
    /// A wall-clock time on the session day itself (day offset 0).
    fn from(t: NaiveTime) -> KisTime {
        KisTime {
            secs: t.num_seconds_from_midnight(),
        }
    }
}

impl fmt::Display for KisTime {
    /// `HH:MM:SS`, hours as KIS counts them (`26:00:00`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}:{:02}",
            self.hour(),
            self.minute(),
            self.second()
        )
    }
}

impl Wire for KisTime {
    /// `HHMMSS`, hours `00`–`47`.
    fn parse_wire(s: &str) -> Option<Self> {
        let d = super::digits::<6>(s)?;
        KisTime::from_hms(d[0] * 10 + d[1], d[2] * 10 + d[3], d[4] * 10 + d[5])
    }
    fn is_canonical(&self, _: &str) -> bool {
        true
    }
    fn to_wire(&self) -> Cow<'_, str> {
        Cow::Owned(format!(
            "{:02}{:02}{:02}",
            self.hour(),
            self.minute(),
            self.second()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Val;
    use proptest::prelude::*;

    #[test]
    fn night_times_run_past_midnight() {
        let t = Val::<KisTime>::parse("260000");
        let t = *t.get().expect("a night time");
        assert_eq!((t.hour(), t.minute(), t.second()), (26, 0, 0));
        assert_eq!(t.day_offset(), 1);
        assert_eq!(t.time(), NaiveTime::from_hms_opt(2, 0, 0).unwrap());
        let day = NaiveDate::from_ymd_opt(2026, 6, 25).unwrap();
        assert_eq!(
            t.on(day),
            NaiveDate::from_ymd_opt(2026, 6, 26)
                .unwrap()
                .and_hms_opt(2, 0, 0)
                .unwrap()
        );
        let day_time = *Val::<KisTime>::parse("153000").get().unwrap();
        assert_eq!(day_time.day_offset(), 0);
        assert_eq!(
            day_time,
            KisTime::from(NaiveTime::from_hms_opt(15, 30, 0).unwrap())
        );
        assert!(day_time < t);
        assert_eq!(t.to_string(), "26:00:00");
        assert_eq!(
            Val::<KisTime>::parse("240000").get().unwrap().day_offset(),
            1
        );
        for bad in [
            "480000",
            "126000",
            "120060",
            "1530",
            "15300a",
            "+15300",
            "１２３４５６",
        ] {
            assert!(Val::<KisTime>::parse(bad).is_invalid(), "{bad}");
            assert_eq!(Val::<KisTime>::parse(bad).raw(), bad);
        }
    }

    proptest! {
        #[test]
        fn every_session_time_round_trips(h in 0u32..48, m in 0u32..60, s in 0u32..60) {
            let wire = format!("{h:02}{m:02}{s:02}");
            let v = Val::<KisTime>::parse(&wire);
            prop_assert!(matches!(v, Val::Ok(_)));
            let t = *v.get().unwrap();
            prop_assert_eq!(v.raw(), wire.as_str());
            prop_assert_eq!((t.hour(), t.minute(), t.second()), (h, m, s));
            prop_assert_eq!(t.day_offset(), h / 24);
            prop_assert_eq!(t.time().hour(), h % 24);
            prop_assert_eq!(KisTime::from_session_seconds(t.session_seconds()), Some(t));
        }

        #[test]
        fn any_text_round_trips(s in "\\PC{0,8}") {
            let v = Val::<KisTime>::parse(&s);
            prop_assert_eq!(v.raw(), s.as_str());
        }

        #[test]
        fn order_follows_the_wire_text(a in 0u32..172_800, b in 0u32..172_800) {
            let (x, y) = (
                KisTime::from_session_seconds(a).unwrap(),
                KisTime::from_session_seconds(b).unwrap(),
            );
            prop_assert_eq!(x.cmp(&y), x.to_wire().cmp(&y.to_wire()));
        }
    }
}
