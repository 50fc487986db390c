//! Trading calendars: KRX and the US venues' trading days (weekends and published holidays as
//! data, with their source and year, overridable) and their sessions.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};
use serde::Serialize;

use crate::Market;

/// KRX market closing days (휴장일) 2024–2027: public holidays, election days, Labor Day and
/// the year-end closing day (연말 휴장일), as KRX published or scheduled them.
#[rustfmt::skip]
const KRX: &[(i32, u32, u32)] = &[
    (2024, 1, 1), (2024, 2, 9), (2024, 2, 12), (2024, 3, 1), (2024, 4, 10), (2024, 5, 1),
    (2024, 5, 6), (2024, 5, 15), (2024, 6, 6), (2024, 8, 15), (2024, 9, 16), (2024, 9, 17),
    (2024, 9, 18), (2024, 10, 1), (2024, 10, 3), (2024, 10, 9), (2024, 12, 25), (2024, 12, 31),
    (2025, 1, 1), (2025, 1, 27), (2025, 1, 28), (2025, 1, 29), (2025, 1, 30), (2025, 3, 3),
    (2025, 5, 1), (2025, 5, 5), (2025, 5, 6), (2025, 6, 3), (2025, 6, 6), (2025, 8, 15),
    (2025, 10, 3), (2025, 10, 6), (2025, 10, 7), (2025, 10, 8), (2025, 10, 9), (2025, 12, 25),
    (2025, 12, 31),
    (2026, 1, 1), (2026, 2, 16), (2026, 2, 17), (2026, 2, 18), (2026, 3, 2), (2026, 5, 1),
    (2026, 5, 5), (2026, 5, 25), (2026, 6, 3), (2026, 8, 17), (2026, 9, 24), (2026, 9, 25),
    (2026, 10, 5), (2026, 10, 9), (2026, 12, 25), (2026, 12, 31),
    (2027, 1, 1), (2027, 2, 8), (2027, 2, 9), (2027, 3, 1), (2027, 5, 5), (2027, 5, 13),
    (2027, 8, 16), (2027, 9, 14), (2027, 9, 15), (2027, 9, 16), (2027, 10, 4), (2027, 10, 11),
    (2027, 12, 27), (2027, 12, 31),
];

/// NYSE (and NASDAQ) full-day holidays 2024–2027 as NYSE published them.
#[rustfmt::skip]
const NYSE: &[(i32, u32, u32)] = &[
    (2024, 1, 1), (2024, 1, 15), (2024, 2, 19), (2024, 3, 29), (2024, 5, 27), (2024, 6, 19),
    (2024, 7, 4), (2024, 9, 2), (2024, 11, 28), (2024, 12, 25),
    (2025, 1, 1), (2025, 1, 9), (2025, 1, 20), (2025, 2, 17), (2025, 4, 18), (2025, 5, 26),
    (2025, 6, 19), (2025, 7, 4), (2025, 9, 1), (2025, 11, 27), (2025, 12, 25),
    (2026, 1, 1), (2026, 1, 19), (2026, 2, 16), (2026, 4, 3), (2026, 5, 25), (2026, 6, 19),
    (2026, 7, 3), (2026, 9, 7), (2026, 11, 26), (2026, 12, 25),
    (2027, 1, 1), (2027, 1, 18), (2027, 2, 15), (2027, 3, 26), (2027, 5, 31), (2027, 6, 18),
    (2027, 7, 5), (2027, 9, 6), (2027, 11, 25), (2027, 12, 24),
];

/// The years the built-in holiday lists cover; outside them only weekends are closed (and
/// [`Calendar::covers`] says so).
pub const COVERED_YEARS: std::ops::RangeInclusive<i32> = 2024..=2027;

/// Whose calendar.
///
/// ```
/// assert_eq!(kis::Calendar::of(kis::Market::Nyse).exchange(), kis::Exchange::NewYork);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum Exchange {
    /// Korea Exchange (KOSPI, KOSDAQ, KONEX, derivatives), Seoul time.
    Krx,
    /// New York (NYSE, NASDAQ, NYSE American), New York time.
    NewYork,
}

/// A kind of trading session.
///
/// ```
/// use chrono::NaiveDate;
/// let day = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
/// let kinds: Vec<_> = kis::Calendar::new_york().sessions(day).iter().map(|s| s.kind).collect();
/// assert_eq!(kinds, [kis::SessionKind::PreMarket, kis::SessionKind::Regular, kis::SessionKind::AfterHours]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum SessionKind {
    /// KRX pre-market closing-price trading (장전 시간외 종가, 08:30–08:40); US pre-market
    /// (04:00–09:30).
    PreMarket,
    /// KRX opening auction order book (장 시작 동시호가, 08:30–09:00).
    OpeningAuction,
    /// Continuous trading (정규장: KRX 09:00–15:20, US 09:30–16:00).
    Regular,
    /// KRX closing auction (장 마감 동시호가, 15:20–15:30).
    ClosingAuction,
    /// KRX after-hours closing-price trading (장후 시간외 종가, 15:40–16:00); US after-hours
    /// (16:00–20:00).
    AfterHours,
    /// KRX after-hours single-price auction (시간외 단일가, 16:00–18:00, every 10 minutes).
    AfterHoursSingle,
}

/// One session of a day, in the exchange's local time.
///
/// ```
/// use chrono::{NaiveDate, NaiveTime};
/// let day = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
/// let regular = kis::Calendar::krx().sessions(day)[2];
/// assert_eq!((regular.start, regular.end), (NaiveTime::from_hms_opt(9, 0, 0).unwrap(), NaiveTime::from_hms_opt(15, 20, 0).unwrap()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Session {
    /// Which session.
    pub kind: SessionKind,
    /// Local start (inclusive).
    pub start: NaiveTime,
    /// Local end (exclusive).
    pub end: NaiveTime,
}

/// A closing day and where it comes from.
///
/// ```
/// let h = kis::Calendar::krx().holidays().find(|h| h.date.to_string() == "2026-12-31").copied();
/// assert_eq!(h.map(|h| h.source), Some("KRX closing days 2026"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Holiday {
    /// The date (exchange-local).
    pub date: NaiveDate,
    /// Where the date comes from: `"KRX closing days <year>"`, `"NYSE holidays <year>"`, or
    /// `"override"`.
    pub source: &'static str,
}

/// A trading calendar: weekends, holidays (built in for [`COVERED_YEARS`], overridable) and
/// the day's sessions.
///
/// ```
/// use chrono::NaiveDate;
/// let krx = kis::Calendar::krx();
/// let seollal = NaiveDate::from_ymd_opt(2026, 2, 17).unwrap();
/// assert!(!krx.is_trading_day(seollal));
/// assert_eq!(krx.next_trading_day(seollal), NaiveDate::from_ymd_opt(2026, 2, 19).unwrap());
/// // An exchange announces an extra closing day:
/// let krx = krx.with_holiday(NaiveDate::from_ymd_opt(2026, 6, 2).unwrap());
/// assert!(!krx.is_trading_day(NaiveDate::from_ymd_opt(2026, 6, 2).unwrap()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    exchange: Exchange,
    holidays: BTreeSet<Holiday>,
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

impl Calendar {
    /// KRX's calendar.
    pub fn krx() -> Calendar {
        Calendar::from_table(Exchange::Krx, KRX)
    }

    /// New York's calendar (NYSE, NASDAQ, NYSE American).
    pub fn new_york() -> Calendar {
        Calendar::from_table(Exchange::NewYork, NYSE)
    }

    /// The calendar of a market.
    pub fn of(market: Market) -> Calendar {
        if market.is_us() {
            Calendar::new_york()
        } else {
            Calendar::krx()
        }
    }

    fn from_table(exchange: Exchange, table: &[(i32, u32, u32)]) -> Calendar {
        let source = |y: i32| -> &'static str {
            match (exchange, y) {
                (Exchange::Krx, 2024) => "KRX closing days 2024",
                (Exchange::Krx, 2025) => "KRX closing days 2025",
                (Exchange::Krx, 2026) => "KRX closing days 2026",
                (Exchange::Krx, _) => "KRX closing days 2027",
                (_, 2024) => "NYSE holidays 2024",
                (_, 2025) => "NYSE holidays 2025",
                (_, 2026) => "NYSE holidays 2026",
                _ => "NYSE holidays 2027",
            }
        };
        Calendar {
            exchange,
            holidays: table
                .iter()
                .map(|&(y, m, d)| Holiday {
                    date: ymd(y, m, d),
                    source: source(y),
                })
                .collect(),
        }
    }

    /// Whose calendar this is.
    pub fn exchange(&self) -> Exchange {
        self.exchange
    }

    /// Adds a closing day (an announced extra holiday).
    pub fn with_holiday(mut self, date: NaiveDate) -> Calendar {
        self.holidays.retain(|h| h.date != date);
        self.holidays.insert(Holiday {
            date,
            source: "override",
        });
        self
    }

    /// Removes a closing day (a holiday the exchange cancelled).
    pub fn without_holiday(mut self, date: NaiveDate) -> Calendar {
        self.holidays.retain(|h| h.date != date);
        self
    }

    /// Every holiday it knows, oldest first.
    pub fn holidays(&self) -> impl Iterator<Item = &Holiday> {
        self.holidays.iter()
    }

    /// Whether the built-in holiday list covers `date`'s year (outside it only weekends are
    /// known to be closed).
    pub fn covers(&self, date: NaiveDate) -> bool {
        COVERED_YEARS.contains(&date.year())
    }

    /// Whether the exchange trades on `date` (local).
    pub fn is_trading_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
            && !self.holidays.iter().any(|h| h.date == date)
    }

    /// `date` if it is a trading day, else the latest one before it.
    pub fn on_or_before(&self, mut date: NaiveDate) -> NaiveDate {
        while !self.is_trading_day(date) {
            date -= Duration::days(1);
        }
        date
    }

    /// The trading day after `date`.
    pub fn next_trading_day(&self, date: NaiveDate) -> NaiveDate {
        let mut d = date + Duration::days(1);
        while !self.is_trading_day(d) {
            d += Duration::days(1);
        }
        d
    }

    /// The trading day before `date`.
    pub fn previous_trading_day(&self, date: NaiveDate) -> NaiveDate {
        self.on_or_before(date - Duration::days(1))
    }

    /// The trading days in `from..=to`, oldest first.
    pub fn trading_days(&self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        from.iter_days()
            .take_while(|d| *d <= to)
            .filter(|d| self.is_trading_day(*d))
            .collect()
    }

    /// The sessions of `date` in local time (none on a closing day). KRX's delayed openings
    /// (the year's first trading day, the college entrance exam day) and US early closes are
    /// not modelled.
    pub fn sessions(&self, date: NaiveDate) -> Vec<Session> {
        if !self.is_trading_day(date) {
            return Vec::new();
        }
        let s = |kind, start, end| Session { kind, start, end };
        match self.exchange {
            Exchange::Krx => vec![
                s(SessionKind::OpeningAuction, t(8, 30), t(9, 0)),
                s(SessionKind::PreMarket, t(8, 30), t(8, 40)),
                s(SessionKind::Regular, t(9, 0), t(15, 20)),
                s(SessionKind::ClosingAuction, t(15, 20), t(15, 30)),
                s(SessionKind::AfterHours, t(15, 40), t(16, 0)),
                s(SessionKind::AfterHoursSingle, t(16, 0), t(18, 0)),
            ],
            Exchange::NewYork => vec![
                s(SessionKind::PreMarket, t(4, 0), t(9, 30)),
                s(SessionKind::Regular, t(9, 30), t(16, 0)),
                s(SessionKind::AfterHours, t(16, 0), t(20, 0)),
            ],
        }
    }

    /// The sessions open at a local time (several may overlap, e.g. KRX's pre-market and
    /// opening auction).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// let at = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap().and_hms_opt(15, 25, 0).unwrap();
    /// let open = kis::Calendar::krx().sessions_at(at);
    /// assert_eq!(open[0].kind, kis::SessionKind::ClosingAuction);
    /// ```
    pub fn sessions_at(&self, local: NaiveDateTime) -> Vec<Session> {
        let time = local.time();
        self.sessions(local.date())
            .into_iter()
            .filter(|s| s.start <= time && time < s.end)
            .collect()
    }

    /// The exchange's local time of a UTC instant (KST is UTC+9; New York is UTC−4 from the
    /// second Sunday of March to the first Sunday of November, at 02:00 local, else UTC−5).
    pub fn local_time(&self, utc: DateTime<Utc>) -> NaiveDateTime {
        let naive = utc.naive_utc();
        match self.exchange {
            Exchange::Krx => naive + Duration::hours(9),
            Exchange::NewYork => naive - Duration::hours(new_york_offset(naive)),
        }
    }
}

/// The n-th Sunday of a month.
fn nth_sunday(year: i32, month: u32, n: u32) -> NaiveDate {
    let first = ymd(year, month, 1);
    let to_sunday = (7 - first.weekday().num_days_from_sunday()) % 7;
    first + Duration::days(i64::from(to_sunday + 7 * (n - 1)))
}

/// Hours New York is behind UTC at `utc`: 4 during daylight saving time, else 5. DST starts
/// at 02:00 EST (07:00 UTC) on the second Sunday of March and ends at 02:00 EDT (06:00 UTC)
/// on the first Sunday of November.
fn new_york_offset(utc: NaiveDateTime) -> i64 {
    let y = utc.year();
    let start = nth_sunday(y, 3, 2).and_time(t(7, 0));
    let end = nth_sunday(y, 11, 1).and_time(t(6, 0));
    if utc >= start && utc < end { 4 } else { 5 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekends_holidays_and_overrides() {
        let krx = Calendar::krx();
        assert!(!krx.is_trading_day(ymd(2026, 12, 5)), "Saturday");
        assert!(
            !krx.is_trading_day(ymd(2026, 12, 31)),
            "year-end closing day"
        );
        assert!(krx.is_trading_day(ymd(2026, 12, 30)));
        assert_eq!(krx.previous_trading_day(ymd(2026, 12, 7)), ymd(2026, 12, 4));
        assert_eq!(krx.next_trading_day(ymd(2026, 12, 30)), ymd(2027, 1, 4));
        assert_eq!(krx.holidays().filter(|h| h.date.year() == 2026).count(), 16);
        assert!(
            krx.holidays()
                .all(|h| h.source.ends_with(&h.date.year().to_string()))
        );
        let ny = Calendar::new_york();
        assert!(!ny.is_trading_day(ymd(2026, 11, 26)), "Thanksgiving");
        assert!(ny.is_trading_day(ymd(2026, 12, 31)));
        let moved = krx.clone().without_holiday(ymd(2026, 12, 31));
        assert!(moved.is_trading_day(ymd(2026, 12, 31)));
        assert!(!krx.covers(ymd(2028, 1, 3)));
        let days = krx.trading_days(ymd(2026, 1, 1), ymd(2026, 12, 31));
        assert_eq!(
            days.len(),
            365 - 104 - 16,
            "2026: 104 weekend days, 16 weekday holidays"
        );
    }

    /// kis-mock keeps its own copy of the lists (it must not depend on this crate): both
    /// copies hold the same dates.
    #[test]
    fn the_tables_agree_with_kis_mock() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../kis-mock/src/market/calendar.rs"
        );
        let Ok(text) = std::fs::read_to_string(path) else {
            return; // a packaged crate without the workspace
        };
        let table = |name: &str| -> Vec<(i32, u32, u32)> {
            let start = text.find(&format!("const {name}")).expect("table");
            let start = start + text[start..].find("= &[").expect("values");
            let body = &text[start..start + text[start..].find("];").expect("end")];
            body.split('(')
                .skip(1)
                .filter_map(|t| {
                    let n: Vec<i64> = t
                        .split(|c: char| !c.is_ascii_digit())
                        .filter(|s| !s.is_empty())
                        .take(3)
                        .filter_map(|s| s.parse().ok())
                        .collect();
                    (n.len() == 3).then(|| (n[0] as i32, n[1] as u32, n[2] as u32))
                })
                .collect()
        };
        assert_eq!(table("KRX"), KRX);
        assert_eq!(table("NYSE"), NYSE);
    }

    #[test]
    fn new_york_time_follows_dst() {
        let ny = Calendar::new_york();
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        // 2026: DST from March 8 to November 1.
        assert_eq!(ny.local_time(at("2026-03-08T06:59:00Z")).time(), t(1, 59));
        assert_eq!(ny.local_time(at("2026-03-08T07:00:00Z")).time(), t(3, 0));
        assert_eq!(ny.local_time(at("2026-11-01T05:59:00Z")).time(), t(1, 59));
        assert_eq!(ny.local_time(at("2026-11-01T06:00:00Z")).time(), t(1, 0));
        assert_eq!(
            Calendar::krx().local_time(at("2026-12-06T15:00:00Z")),
            ymd(2026, 12, 7).and_time(t(0, 0))
        );
    }

    #[test]
    fn sessions_of_a_krx_day() {
        let krx = Calendar::krx();
        let day = ymd(2026, 12, 4);
        assert!(krx.sessions(ymd(2026, 12, 5)).is_empty());
        let at = |h, m| krx.sessions_at(day.and_time(t(h, m)));
        assert_eq!(at(9, 0)[0].kind, SessionKind::Regular);
        assert_eq!(at(15, 20)[0].kind, SessionKind::ClosingAuction);
        assert!(at(15, 35).is_empty());
        assert_eq!(at(8, 35).len(), 2);
    }
}
