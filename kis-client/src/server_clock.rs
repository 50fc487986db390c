//! KIS's clock, learned from the HTTP `Date` header of its answers.
//!
//! KIS keeps orders and executions by its own (KST) trading day, which need not be this
//! machine's day (a wrong local clock or time zone, a simulator on another day, the minutes
//! around KST midnight). Every answer's `Date` header says what time the server thinks it is:
//! the client keeps the latest offset ([`crate::Client::server_offset`]) so a caller can ask
//! for "today" by the server.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::SystemTime;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};

/// The offset of the server's clock from this machine's, as last observed.
#[derive(Debug)]
pub(crate) struct ServerClock {
    /// Server time minus local time in milliseconds; `UNKNOWN` before the first answer.
    offset_ms: AtomicI64,
}

const UNKNOWN: i64 = i64::MIN;

impl Default for ServerClock {
    fn default() -> Self {
        ServerClock {
            offset_ms: AtomicI64::new(UNKNOWN),
        }
    }
}

impl ServerClock {
    /// Records the server's `Date` header received at `now`; a missing or malformed header
    /// changes nothing.
    pub(crate) fn observe(&self, date: Option<&[u8]>, now: SystemTime) {
        let Some(server) = date
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| httpdate::parse_http_date(d.trim()).ok())
        else {
            return;
        };
        let offset = match server.duration_since(now) {
            Ok(ahead) => i64::try_from(ahead.as_millis()).unwrap_or(i64::MAX),
            Err(behind) => -i64::try_from(behind.duration().as_millis()).unwrap_or(i64::MAX),
        };
        // The header has a one-second resolution: the offset is within a second of the truth.
        self.offset_ms
            .store(offset.max(UNKNOWN + 1), Ordering::Relaxed);
    }

    /// Server time minus this machine's time, once an answer has said it.
    pub(crate) fn offset(&self) -> Option<TimeDelta> {
        match self.offset_ms.load(Ordering::Relaxed) {
            UNKNOWN => None,
            ms => Some(TimeDelta::milliseconds(ms)),
        }
    }
}

/// The KST wall time of `at` on a clock `offset` ahead of this machine's.
pub fn kst_at(at: SystemTime, offset: TimeDelta) -> NaiveDateTime {
    let utc: chrono::DateTime<chrono::Utc> = at.into();
    utc.naive_utc() + TimeDelta::hours(9) + offset
}

/// The KST day of `at` on a clock `offset` ahead of this machine's.
pub fn kst_day(at: SystemTime, offset: TimeDelta) -> NaiveDate {
    kst_at(at, offset).date()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn unknown_until_a_date_header_arrives() {
        let c = ServerClock::default();
        assert_eq!(c.offset(), None);
        c.observe(None, at(0));
        c.observe(Some(b"yesterday"), at(0));
        assert_eq!(c.offset(), None);
        c.observe(Some(b"Thu, 01 Jan 1970 00:01:00 GMT"), at(0));
        assert_eq!(c.offset(), Some(TimeDelta::minutes(1)));
        c.observe(Some(b"Thu, 01 Jan 1970 00:00:00 GMT"), at(86_400));
        assert_eq!(c.offset(), Some(TimeDelta::days(-1)));
    }

    #[test]
    fn the_kst_day_turns_at_15_00_utc() {
        // 2026-12-05 14:59:59 UTC is Saturday 23:59:59 KST; a second later it is Sunday.
        let sat = httpdate::parse_http_date("Sat, 05 Dec 2026 14:59:59 GMT").unwrap();
        assert_eq!(
            kst_day(sat, TimeDelta::zero()),
            NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()
        );
        assert_eq!(
            kst_day(sat, TimeDelta::seconds(1)),
            NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()
        );
    }
}
