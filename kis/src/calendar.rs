//! Trading calendars: KRX and the US venues' trading days (weekends and published holidays as
//! data, with their source and year, overridable) and their sessions, with the days whose
//! sessions shift (KRX's delayed openings, US early closes) as data beside the holidays.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};
use serde::Serialize;

use crate::{Error, Market};

/// KRX market closing days (휴장일: public holidays, election days, Labor Day, the year-end
/// closing day) and NYSE (and NASDAQ) full-day holidays, 2024–2027: kis-rs's one holiday
/// table, `kis-mock/src/market/holidays.txt` (this crate's `src/holidays.txt` is a link to
/// it, so kis-mock's market and this calendar close on the same days). Its header names the
/// sources.
const HOLIDAYS: &str = include_str!("holidays.txt");

/// The dates of `exchange` (`KRX`, `NYSE`) in the table: data lines are `EXCHANGE YYYY-MM-DD`;
/// blank lines and `#` comments are skipped. A line that does not read is refused, naming it.
fn parse_holidays(text: &str, exchange: &str) -> Result<Vec<NaiveDate>, Error> {
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |reason: String| Error::Invalid {
            field: "holidays",
            reason,
        };
        let (ex, date) = line
            .split_once(' ')
            .ok_or_else(|| bad(format!("not `EXCHANGE YYYY-MM-DD`: {line}")))?;
        let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
            .map_err(|e| bad(format!("{line}: {e}")))?;
        if ex == exchange {
            out.push(date);
        }
    }
    Ok(out)
}

/// An exchange's built-in closing days, read once.
fn built_in(exchange: Exchange) -> &'static [NaiveDate] {
    static KRX: std::sync::OnceLock<Vec<NaiveDate>> = std::sync::OnceLock::new();
    static NYSE: std::sync::OnceLock<Vec<NaiveDate>> = std::sync::OnceLock::new();
    let (cell, name) = match exchange {
        Exchange::Krx => (&KRX, "KRX"),
        Exchange::NewYork => (&NYSE, "NYSE"),
    };
    // The table is compiled in and checked by `the_holiday_table_is_kis_mocks`.
    cell.get_or_init(|| parse_holidays(HOLIDAYS, name).unwrap_or_default())
}

/// KRX days with shifted sessions 2024–2027, with their source.
///
/// - The year's first trading day (개장일): the opening ceremony delays the pre-market and the
///   opening an hour (regular session from 10:00); the close (15:30) and after-hours are as
///   usual. KRX announced it for 2024-01-02 (its notice of 2023-12-14), 2025-01-02 and
///   2026-01-02, as every year; 2027's first trading day (January 4) is listed by that
///   practice, not yet announced.
/// - The college entrance exam day (대학수학능력시험, 수능): every session an hour later
///   (regular 10:00–16:30, after-hours closing-price 16:40–17:00), the after-hours single-price
///   session still ending at 18:00. KRX announced it for 2024-11-14 (2024-10-31) and
///   2025-11-13 (2025-11-12), as on every exam day; the 2026 and 2027 exam dates are the
///   Ministry of Education's (2026-11-19 for 2027학년도, 2027-11-18 for 2028학년도).
///
/// Reports of the announcements: <https://m.khan.co.kr/article/202410311029001> (2024 exam
/// day), <https://www.edaily.co.kr/News/Read?newsId=05520246642365064&mediaCodeNo=257> (2025
/// exam day), <https://m.wikitree.co.kr/articles/914704> (2024 opening day),
/// <https://kuk.kode.co.kr/article/view/kuk202601020012> (2026 opening day),
/// <https://news1.kr/amp/society/education/5511338> (2026 exam date),
/// <http://news.unn.net/news/articleView.html?idxno=579517> (2027 exam date).
#[rustfmt::skip]
const KRX_SPECIAL: &[(i32, u32, u32, SpecialSession, &str)] = &[
    (2024, 1, 2, SpecialSession::KrxOpeningDay, "KRX opening day 2024"),
    (2024, 11, 14, SpecialSession::KrxExamDay, "KRX exam-day schedule 2024 (CSAT 2025학년도)"),
    (2025, 1, 2, SpecialSession::KrxOpeningDay, "KRX opening day 2025"),
    (2025, 11, 13, SpecialSession::KrxExamDay, "KRX exam-day schedule 2025 (CSAT 2026학년도)"),
    (2026, 1, 2, SpecialSession::KrxOpeningDay, "KRX opening day 2026"),
    (2026, 11, 19, SpecialSession::KrxExamDay, "MOE CSAT 2027학년도 date 2026 (KRX exam-day practice)"),
    (2027, 1, 4, SpecialSession::KrxOpeningDay, "KRX opening-day practice 2027 (not yet announced)"),
    (2027, 11, 18, SpecialSession::KrxExamDay, "MOE CSAT 2028학년도 date 2027 (KRX exam-day practice)"),
];

/// NYSE early closes (13:00 ET; the NYSE Arca/American late trading sessions close at 17:00)
/// 2024–2027 as NYSE Group published them (holiday and early-closings calendars of
/// 2021-12-27 for 2024 and 2024-11-08 for 2025–2027, confirmed 2025-12-23): the day before
/// Independence Day, the day after Thanksgiving and Christmas Eve when they are trading
/// weekdays (2026's July 3 and 2027's December 24 are holidays instead). The releases:
/// <https://mondovisione.com/media-and-resources/news/nyse-group-announces-2022-2023-and-2024-holiday-and-early-closings-calendar/>,
/// <https://mondovisione.com/media-and-resources/news/nyse-group-announces-2025-2026-and-2027-holiday-and-early-closings-calendar/>.
#[rustfmt::skip]
const NYSE_SPECIAL: &[(i32, u32, u32, SpecialSession, &str)] = &[
    (2024, 7, 3, SpecialSession::UsEarlyClose, "NYSE early closings 2024"),
    (2024, 11, 29, SpecialSession::UsEarlyClose, "NYSE early closings 2024"),
    (2024, 12, 24, SpecialSession::UsEarlyClose, "NYSE early closings 2024"),
    (2025, 7, 3, SpecialSession::UsEarlyClose, "NYSE early closings 2025"),
    (2025, 11, 28, SpecialSession::UsEarlyClose, "NYSE early closings 2025"),
    (2025, 12, 24, SpecialSession::UsEarlyClose, "NYSE early closings 2025"),
    (2026, 11, 27, SpecialSession::UsEarlyClose, "NYSE early closings 2026"),
    (2026, 12, 24, SpecialSession::UsEarlyClose, "NYSE early closings 2026"),
    (2027, 11, 26, SpecialSession::UsEarlyClose, "NYSE early closings 2027"),
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

/// How a day's sessions differ from the usual ones.
///
/// ```
/// use chrono::NaiveDate;
/// let day = NaiveDate::from_ymd_opt(2026, 11, 19).unwrap(); // the exam day
/// let krx = kis::Calendar::krx();
/// assert_eq!(krx.special_day(day).map(|d| d.kind), Some(kis::SpecialSession::KrxExamDay));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[non_exhaustive]
pub enum SpecialSession {
    /// KRX's first trading day of the year (개장일): pre-market, opening auction and regular
    /// session start an hour late (regular 10:00–15:20, closing auction to 15:30); the close and
    /// after-hours are as usual.
    KrxOpeningDay,
    /// KRX on the college entrance exam day (수능): every session an hour late (opening auction
    /// 09:30, regular 10:00–16:20, closing auction to 16:30, after-hours 16:40–17:00), the
    /// after-hours single-price session 17:00–18:00.
    KrxExamDay,
    /// A US early close: regular session 09:30–13:00 ET, after-hours 13:00–17:00.
    UsEarlyClose,
}

impl SpecialSession {
    /// The exchange whose days it describes.
    pub fn exchange(self) -> Exchange {
        match self {
            SpecialSession::KrxOpeningDay | SpecialSession::KrxExamDay => Exchange::Krx,
            SpecialSession::UsEarlyClose => Exchange::NewYork,
        }
    }
}

/// A day with shifted sessions and where the fact comes from.
///
/// ```
/// let d = kis::Calendar::new_york().special_days().find(|d| d.date.to_string() == "2026-11-27").copied();
/// assert_eq!(d.map(|d| d.source), Some("NYSE early closings 2026"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SpecialDay {
    /// The date (exchange-local).
    pub date: NaiveDate,
    /// How its sessions differ.
    pub kind: SpecialSession,
    /// Where the fact comes from (publisher and year), or `"override"`.
    pub source: &'static str,
}

/// A trading calendar: weekends, holidays and days with shifted sessions (built in for
/// [`COVERED_YEARS`], overridable) and the day's sessions.
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
    special: BTreeSet<SpecialDay>,
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
        Calendar::from_table(Exchange::Krx, KRX_SPECIAL)
    }

    /// New York's calendar (NYSE, NASDAQ, NYSE American).
    pub fn new_york() -> Calendar {
        Calendar::from_table(Exchange::NewYork, NYSE_SPECIAL)
    }

    /// The calendar of a market.
    pub fn of(market: Market) -> Calendar {
        if market.is_us() {
            Calendar::new_york()
        } else {
            Calendar::krx()
        }
    }

    fn from_table(
        exchange: Exchange,
        special: &[(i32, u32, u32, SpecialSession, &'static str)],
    ) -> Calendar {
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
            holidays: built_in(exchange)
                .iter()
                .map(|&date| Holiday {
                    date,
                    source: source(date.year()),
                })
                .collect(),
            special: special
                .iter()
                .map(|&(y, m, d, kind, source)| SpecialDay {
                    date: ymd(y, m, d),
                    kind,
                    source,
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

    /// Marks a day's sessions as shifted (an announced delayed opening or early close),
    /// replacing what the table says of that day. A kind of another exchange is refused
    /// ([`Error::Invalid`] naming `kind`).
    ///
    /// ```
    /// use chrono::{NaiveDate, NaiveTime};
    /// let day = NaiveDate::from_ymd_opt(2026, 7, 2).unwrap();
    /// let ny = kis::Calendar::new_york().with_special_day(day, kis::SpecialSession::UsEarlyClose)?;
    /// assert_eq!(ny.regular_hours(day).map(|h| h.1), NaiveTime::from_hms_opt(13, 0, 0));
    /// assert!(kis::Calendar::krx().with_special_day(day, kis::SpecialSession::UsEarlyClose).is_err());
    /// # Ok::<(), kis::Error>(())
    /// ```
    pub fn with_special_day(
        mut self,
        date: NaiveDate,
        kind: SpecialSession,
    ) -> Result<Calendar, Error> {
        if kind.exchange() != self.exchange {
            return Err(Error::Invalid {
                field: "kind",
                reason: format!("{kind:?} is not a day of {:?}'s calendar", self.exchange),
            });
        }
        self.special.retain(|d| d.date != date);
        self.special.insert(SpecialDay {
            date,
            kind,
            source: "override",
        });
        Ok(self)
    }

    /// Gives a day its usual sessions back (a shift the exchange cancelled).
    pub fn without_special_day(mut self, date: NaiveDate) -> Calendar {
        self.special.retain(|d| d.date != date);
        self
    }

    /// Every day with shifted sessions it knows, oldest first.
    pub fn special_days(&self) -> impl Iterator<Item = &SpecialDay> {
        self.special.iter()
    }

    /// The shift of `date`'s sessions, if any (also on a closing day, where it has no effect).
    pub fn special_day(&self, date: NaiveDate) -> Option<&SpecialDay> {
        self.special.iter().find(|d| d.date == date)
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

    /// The sessions of `date` in local time (none on a closing day), ordered by start: KRX's
    /// pre-market closing-price session runs inside the opening auction; the others follow
    /// one another. Days in the special-session table ([`Calendar::special_days`]: KRX's
    /// opening day and exam day, US early closes) have their shifted sessions.
    ///
    /// ```
    /// use chrono::{NaiveDate, NaiveTime};
    /// let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
    /// let krx = kis::Calendar::krx();
    /// let exam_day = NaiveDate::from_ymd_opt(2026, 11, 19).unwrap();
    /// assert_eq!(krx.regular_hours(exam_day), Some((t(10, 0), t(16, 30))));
    /// let black_friday = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    /// assert_eq!(kis::Calendar::new_york().regular_hours(black_friday), Some((t(9, 30), t(13, 0))));
    /// ```
    pub fn sessions(&self, date: NaiveDate) -> Vec<Session> {
        if !self.is_trading_day(date) {
            return Vec::new();
        }
        let special = self.special_day(date).map(|d| d.kind);
        let s = |kind, start, end| Session { kind, start, end };
        match self.exchange {
            Exchange::Krx => {
                // Minutes the opening (and, on the exam day, the close) moves.
                let (open, close) = match special {
                    Some(SpecialSession::KrxOpeningDay) => (60, 0),
                    Some(SpecialSession::KrxExamDay) => (60, 60),
                    _ => (0, 0),
                };
                let o = |h, m| t(h, m) + Duration::minutes(open);
                let c = |h, m| t(h, m) + Duration::minutes(close);
                vec![
                    s(SessionKind::OpeningAuction, o(8, 30), o(9, 0)),
                    s(SessionKind::PreMarket, o(8, 30), o(8, 40)),
                    s(SessionKind::Regular, o(9, 0), c(15, 20)),
                    s(SessionKind::ClosingAuction, c(15, 20), c(15, 30)),
                    s(SessionKind::AfterHours, c(15, 40), c(16, 0)),
                    s(SessionKind::AfterHoursSingle, c(16, 0), t(18, 0)),
                ]
            }
            Exchange::NewYork => {
                let (close, late) = match special {
                    Some(SpecialSession::UsEarlyClose) => (t(13, 0), t(17, 0)),
                    _ => (t(16, 0), t(20, 0)),
                };
                vec![
                    s(SessionKind::PreMarket, t(4, 0), t(9, 30)),
                    s(SessionKind::Regular, t(9, 30), close),
                    s(SessionKind::AfterHours, close, late),
                ]
            }
        }
    }

    /// When the market opens and closes on `date` (local): the regular session's start and
    /// the end of the closing auction on KRX, the regular session's end in New York. `None` on
    /// a closing day.
    pub fn regular_hours(&self, date: NaiveDate) -> Option<(NaiveTime, NaiveTime)> {
        let sessions = self.sessions(date);
        let open = sessions
            .iter()
            .find(|s| s.kind == SessionKind::Regular)?
            .start;
        let close = sessions
            .iter()
            .filter(|s| matches!(s.kind, SessionKind::Regular | SessionKind::ClosingAuction))
            .map(|s| s.end)
            .max()?;
        Some((open, close))
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

    /// The UTC instant of an exchange-local time (the inverse of [`Calendar::local_time`]; a
    /// New York wall time in the hour skipped or repeated by the DST change reads as standard
    /// time, no session starts or ends there).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// let close = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap().and_hms_opt(13, 0, 0).unwrap();
    /// let utc = kis::Calendar::new_york().utc(close);
    /// assert_eq!(utc.to_rfc3339(), "2026-11-27T18:00:00+00:00"); // EST: 03:00 KST on the 28th
    /// ```
    pub fn utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        let naive = match self.exchange {
            Exchange::Krx => local - Duration::hours(9),
            Exchange::NewYork => {
                let daylight = local + Duration::hours(4);
                if new_york_offset(daylight) == 4
                    && new_york_offset(local + Duration::hours(5)) == 4
                {
                    daylight
                } else {
                    local + Duration::hours(5)
                }
            }
        };
        naive.and_utc()
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

    /// One table: the file this crate embeds is kis-mock's (byte for byte), every line reads,
    /// and the counts are the published ones.
    #[test]
    fn the_holiday_table_is_kis_mocks() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../kis-mock/src/market/holidays.txt"
        );
        if let Ok(text) = std::fs::read_to_string(path) {
            assert_eq!(
                text, HOLIDAYS,
                "kis/src/holidays.txt must stay a link to {path}"
            );
        } // else: a packaged crate without the workspace
        let krx = parse_holidays(HOLIDAYS, "KRX").unwrap();
        let nyse = parse_holidays(HOLIDAYS, "NYSE").unwrap();
        assert_eq!((krx.len(), nyse.len()), (67, 41));
        assert_eq!(built_in(Exchange::Krx), krx.as_slice());
        assert_eq!(Calendar::new_york().holidays().count(), 41);
        assert!(parse_holidays("NYSE 2026-13-01", "NYSE").is_err());
        assert_eq!(
            parse_holidays("x", "KRX").unwrap_err().field(),
            Some("holidays")
        );
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

    fn kinds(c: &Calendar, day: NaiveDate) -> Vec<(SessionKind, NaiveTime, NaiveTime)> {
        c.sessions(day)
            .iter()
            .map(|s| (s.kind, s.start, s.end))
            .collect()
    }

    #[test]
    fn krx_opening_day_opens_an_hour_late_and_closes_as_usual() {
        let krx = Calendar::krx();
        let day = ymd(2026, 1, 2);
        assert_eq!(krx.regular_hours(day), Some((t(10, 0), t(15, 30))));
        assert_eq!(
            kinds(&krx, day),
            [
                (SessionKind::OpeningAuction, t(9, 30), t(10, 0)),
                (SessionKind::PreMarket, t(9, 30), t(9, 40)),
                (SessionKind::Regular, t(10, 0), t(15, 20)),
                (SessionKind::ClosingAuction, t(15, 20), t(15, 30)),
                (SessionKind::AfterHours, t(15, 40), t(16, 0)),
                (SessionKind::AfterHoursSingle, t(16, 0), t(18, 0)),
            ]
        );
        assert!(krx.sessions_at(day.and_time(t(9, 5))).is_empty());
        // Every built-in opening day is the first trading day of its year.
        for d in krx
            .special_days()
            .filter(|d| d.kind == SpecialSession::KrxOpeningDay)
        {
            let first = krx.on_or_before(ymd(d.date.year(), 1, 1));
            assert_eq!(krx.next_trading_day(first), d.date, "{}", d.date);
        }
    }

    #[test]
    fn krx_exam_day_shifts_every_session_an_hour() {
        let krx = Calendar::krx();
        let day = ymd(2026, 11, 19);
        assert_eq!(krx.regular_hours(day), Some((t(10, 0), t(16, 30))));
        assert_eq!(
            kinds(&krx, day),
            [
                (SessionKind::OpeningAuction, t(9, 30), t(10, 0)),
                (SessionKind::PreMarket, t(9, 30), t(9, 40)),
                (SessionKind::Regular, t(10, 0), t(16, 20)),
                (SessionKind::ClosingAuction, t(16, 20), t(16, 30)),
                (SessionKind::AfterHours, t(16, 40), t(17, 0)),
                (SessionKind::AfterHoursSingle, t(17, 0), t(18, 0)),
            ]
        );
        assert_eq!(
            krx.sessions_at(day.and_time(t(15, 25)))[0].kind,
            SessionKind::Regular
        );
        assert_eq!(
            krx.special_day(ymd(2025, 11, 13)).map(|d| d.kind),
            Some(SpecialSession::KrxExamDay)
        );
    }

    #[test]
    fn a_normal_day_is_unchanged() {
        let krx = Calendar::krx();
        for day in [ymd(2026, 11, 18), ymd(2026, 11, 20), ymd(2026, 1, 5)] {
            assert!(krx.special_day(day).is_none());
            assert_eq!(krx.regular_hours(day), Some((t(9, 0), t(15, 30))));
            assert_eq!(kinds(&krx, day), kinds(&krx, ymd(2026, 12, 4)));
        }
        let ny = Calendar::new_york();
        assert_eq!(
            ny.regular_hours(ymd(2026, 11, 25)),
            Some((t(9, 30), t(16, 0)))
        );
        assert_eq!(ny.regular_hours(ymd(2026, 11, 26)), None, "Thanksgiving");
    }

    #[test]
    fn us_early_close_at_one_in_new_york_across_dst() {
        let ny = Calendar::new_york();
        let day = ymd(2026, 11, 27);
        assert_eq!(
            kinds(&ny, day),
            [
                (SessionKind::PreMarket, t(4, 0), t(9, 30)),
                (SessionKind::Regular, t(9, 30), t(13, 0)),
                (SessionKind::AfterHours, t(13, 0), t(17, 0)),
            ]
        );
        let krx = Calendar::krx();
        // November 27 is standard time (UTC−5): 13:00 ET is 18:00 UTC, 03:00 KST the next day.
        let close = ny.utc(day.and_time(t(13, 0)));
        assert_eq!(close.naive_utc(), day.and_time(t(18, 0)));
        assert_eq!(krx.local_time(close), ymd(2026, 11, 28).and_time(t(3, 0)));
        // July 3, 2025 is daylight time (UTC−4): 13:00 ET is 02:00 KST on July 4.
        let july = ymd(2025, 7, 3);
        assert_eq!(ny.regular_hours(july), Some((t(9, 30), t(13, 0))));
        let close = ny.utc(july.and_time(t(13, 0)));
        assert_eq!(krx.local_time(close), ymd(2025, 7, 4).and_time(t(2, 0)));
        // The two DST Sundays' wall times round-trip outside the changed hour.
        for local in [
            ymd(2026, 3, 8).and_time(t(1, 59)),
            ymd(2026, 3, 8).and_time(t(3, 0)),
            ymd(2026, 11, 1).and_time(t(0, 59)),
            ymd(2026, 11, 1).and_time(t(2, 0)),
        ] {
            assert_eq!(ny.local_time(ny.utc(local)), local);
        }
        // 2026's July 3 is the Independence Day holiday, not an early close.
        assert!(ny.sessions(ymd(2026, 7, 3)).is_empty());
        assert!(ny.special_day(ymd(2026, 7, 3)).is_none());
    }

    #[test]
    fn special_days_are_data_with_sources_and_overridable() {
        for c in [Calendar::krx(), Calendar::new_york()] {
            for d in c.special_days() {
                assert!(c.is_trading_day(d.date), "{} trades", d.date);
                assert!(c.covers(d.date));
                assert!(d.source.contains(&d.date.year().to_string()), "{d:?}");
                assert_eq!(d.kind.exchange(), c.exchange());
            }
        }
        assert_eq!(Calendar::krx().special_days().count(), 8);
        assert_eq!(Calendar::new_york().special_days().count(), 9);
        let ny = Calendar::new_york();
        let day = ymd(2026, 7, 2);
        let early = ny
            .clone()
            .with_special_day(day, SpecialSession::UsEarlyClose)
            .unwrap();
        assert_eq!(early.special_day(day).map(|d| d.source), Some("override"));
        assert_eq!(early.regular_hours(day), Some((t(9, 30), t(13, 0))));
        let back = early.without_special_day(day);
        assert_eq!(back.regular_hours(day), Some((t(9, 30), t(16, 0))));
        let normal = ny.without_special_day(ymd(2026, 11, 27));
        assert_eq!(
            normal.regular_hours(ymd(2026, 11, 27)).map(|h| h.1),
            Some(t(16, 0))
        );
        let e = Calendar::krx()
            .with_special_day(day, SpecialSession::UsEarlyClose)
            .unwrap_err();
        assert_eq!(e.field(), Some("kind"));
    }

    proptest::proptest! {
        /// Any day of the covered years: sessions ordered by start, each non-empty and
        /// inside the day, one after another (KRX's pre-market closing-price session runs
        /// inside the opening auction), and the market opens before it closes.
        #[test]
        fn sessions_are_ordered_and_do_not_overlap(offset in 0i64..(4 * 366), ny in proptest::bool::ANY) {
            let day = ymd(2024, 1, 1) + Duration::days(offset);
            proptest::prop_assume!(COVERED_YEARS.contains(&day.year()));
            let c = if ny { Calendar::new_york() } else { Calendar::krx() };
            let sessions = c.sessions(day);
            proptest::prop_assert_eq!(sessions.is_empty(), !c.is_trading_day(day));
            for w in sessions.windows(2) {
                proptest::prop_assert!(w[0].start <= w[1].start, "{:?}", sessions);
            }
            let (inner, outer): (Vec<&Session>, Vec<&Session>) = sessions
                .iter()
                .partition(|s| !ny && s.kind == SessionKind::PreMarket);
            for s in &sessions {
                proptest::prop_assert!(s.start < s.end, "{:?}", s);
            }
            for w in outer.windows(2) {
                proptest::prop_assert!(w[0].end <= w[1].start, "{:?}", sessions);
            }
            for p in inner {
                let auction = sessions.iter().find(|s| s.kind == SessionKind::OpeningAuction);
                proptest::prop_assert!(auction.is_some_and(|a| a.start <= p.start && p.end <= a.end));
            }
            if let Some((open, close)) = c.regular_hours(day) {
                proptest::prop_assert!(open < close);
                let at_open = c.sessions_at(day.and_time(open));
                proptest::prop_assert!(at_open.iter().any(|s| s.kind == SessionKind::Regular));
            }
        }
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
