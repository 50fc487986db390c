//! Trading calendars: KRX (weekends and KRX holidays) and New York (weekends and NYSE holidays).
//!
//! The holiday lists cover 2024–2027 as KRX and NYSE published or scheduled them (KRX's
//! year-end closing day included); outside that range only weekends are skipped. They are
//! kis-rs's one holiday table, `holidays.txt` beside this file, which the `kis` crate's
//! calendar reads too.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// The holiday table kis-rs keeps once (the `kis` crate's calendar reads the same file).
const HOLIDAYS: &str = include_str!("holidays.txt");

/// The dates of `exchange` (`KRX`, `NYSE`) in the table: data lines are `EXCHANGE YYYY-MM-DD`;
/// blank lines and `#` comments are skipped. A line that does not read is refused, naming it.
fn parse(text: &str, exchange: &str) -> Result<BTreeSet<NaiveDate>, String> {
    let mut out = BTreeSet::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (ex, date) = line
            .split_once(' ')
            .ok_or_else(|| format!("not `EXCHANGE YYYY-MM-DD`: {line}"))?;
        let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
            .map_err(|e| format!("{line}: {e}"))?;
        if ex == exchange {
            out.insert(date);
        }
    }
    Ok(out)
}

/// An exchange's closing days, read once.
fn closing_days(calendar: Calendar) -> &'static BTreeSet<NaiveDate> {
    static KRX: OnceLock<BTreeSet<NaiveDate>> = OnceLock::new();
    static NYSE: OnceLock<BTreeSet<NaiveDate>> = OnceLock::new();
    let (cell, name) = match calendar {
        Calendar::Krx => (&KRX, "KRX"),
        Calendar::Nyse => (&NYSE, "NYSE"),
    };
    // The table is compiled in and checked by `the_shared_table_reads`.
    cell.get_or_init(|| parse(HOLIDAYS, name).unwrap_or_default())
}

/// Which days the simulated market trades.
///
/// ```
/// use kis_mock::{MockCalendar, MockConfig};
/// // Follow KRX's calendar: on a Sunday the default clock sits on Friday's session.
/// let config = MockConfig { calendar: MockCalendar::Krx, ..MockConfig::default() };
/// assert_eq!(MockConfig::default().calendar, MockCalendar::Sandbox);
/// # let _ = config;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MockCalendar {
    /// A sandbox: every day from the clock's start on is a trading day at every venue,
    /// weekends and holidays included, so the default clock runs a session on today's KST
    /// date and "today's" orders and executions are today's. Days before the start keep
    /// their exchange's calendar, so history looks real.
    #[default]
    Sandbox,
    /// The exchanges' calendars (KRX, NYSE) throughout: weekends and holidays are closed and
    /// the default clock starts on the latest KRX trading day (`--calendar krx`).
    Krx,
}

/// The trading days of one venue: its exchange's calendar, and with [`MockCalendar::Sandbox`]
/// every day from the start on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TradingDays {
    /// The exchange's calendar.
    pub exchange: Calendar,
    /// Every day on or after this one trades (the sandbox's start day); `None` follows the
    /// exchange only.
    pub every_day_from: Option<NaiveDate>,
}

impl TradingDays {
    /// Whether the venue trades on `date`.
    pub fn is_trading_day(self, date: NaiveDate) -> bool {
        self.every_day_from.is_some_and(|from| date >= from) || self.exchange.is_trading_day(date)
    }

    /// The latest trading day on or before `date`.
    pub fn on_or_before(self, mut date: NaiveDate) -> NaiveDate {
        while !self.is_trading_day(date) {
            date -= Duration::days(1);
        }
        date
    }

    /// The trading day before `date`.
    pub fn previous(self, date: NaiveDate) -> NaiveDate {
        self.on_or_before(date - Duration::days(1))
    }

    /// The trading days in `from..=to`, oldest first.
    pub fn days(self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        let mut d = from;
        while d <= to {
            if self.is_trading_day(d) {
                out.push(d);
            }
            d += Duration::days(1);
        }
        out
    }
}

/// Which exchange's calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Calendar {
    /// Korea Exchange.
    Krx,
    /// New York (NYSE/NASDAQ).
    Nyse,
}

impl Calendar {
    /// Whether the exchange trades on `date`.
    pub fn is_trading_day(self, date: NaiveDate) -> bool {
        if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            return false;
        }
        !closing_days(self).contains(&date)
    }

    /// The latest trading day on or before `date`.
    pub fn on_or_before(self, mut date: NaiveDate) -> NaiveDate {
        while !self.is_trading_day(date) {
            date -= Duration::days(1);
        }
        date
    }

    /// The trading day before `date`.
    pub fn previous(self, date: NaiveDate) -> NaiveDate {
        self.on_or_before(date - Duration::days(1))
    }

    /// The trading day after `date`.
    #[cfg(test)]
    pub fn next(self, date: NaiveDate) -> NaiveDate {
        let mut d = date + Duration::days(1);
        while !self.is_trading_day(d) {
            d += Duration::days(1);
        }
        d
    }

    /// The trading days in `from..=to`, oldest first.
    #[cfg(test)]
    pub fn days(self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        let mut d = from;
        while d <= to {
            if self.is_trading_day(d) {
                out.push(d);
            }
            d += Duration::days(1);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn weekends_and_holidays_are_closed() {
        let krx = Calendar::Krx;
        assert!(!krx.is_trading_day(d(2026, 2, 17)), "Seollal");
        assert!(!krx.is_trading_day(d(2026, 11, 28)), "Saturday");
        assert!(krx.is_trading_day(d(2026, 11, 26)));
        assert_eq!(krx.on_or_before(d(2026, 11, 29)), d(2026, 11, 27));
        assert_eq!(krx.previous(d(2026, 2, 19)), d(2026, 2, 13));
        assert_eq!(krx.next(d(2026, 2, 13)), d(2026, 2, 19));
        assert!(
            !Calendar::Nyse.is_trading_day(d(2026, 11, 26)),
            "Thanksgiving"
        );
        let days = krx.days(d(2026, 1, 1), d(2026, 12, 31));
        assert!((240..=252).contains(&days.len()), "{}", days.len());
    }

    #[test]
    fn the_shared_table_reads() {
        let krx = parse(HOLIDAYS, "KRX").unwrap();
        let nyse = parse(HOLIDAYS, "NYSE").unwrap();
        assert_eq!((krx.len(), nyse.len()), (67, 41));
        let data_lines = HOLIDAYS
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .count();
        assert_eq!(
            data_lines,
            krx.len() + nyse.len(),
            "every line is KRX or NYSE"
        );
        for d in krx.iter().chain(&nyse) {
            assert!((2024..=2027).contains(&d.year()), "{d}");
            assert!(
                !matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
                "{d} is a weekday"
            );
        }
        assert_eq!(closing_days(Calendar::Krx), &krx);
        assert!(parse("KRX 2026-02-30", "KRX").is_err());
        assert!(parse("KRX20260101", "KRX").is_err());
    }

    #[test]
    fn a_sandbox_trades_every_day_from_its_start() {
        // Sunday 2026-11-29: it trades, and so does every later day; before it, KRX's days.
        let sandbox = TradingDays {
            exchange: Calendar::Krx,
            every_day_from: Some(d(2026, 11, 29)),
        };
        assert!(sandbox.is_trading_day(d(2026, 11, 29)));
        assert!(sandbox.is_trading_day(d(2026, 12, 5)), "a later Saturday");
        assert!(
            !sandbox.is_trading_day(d(2026, 11, 28)),
            "the Saturday before"
        );
        assert_eq!(sandbox.previous(d(2026, 11, 29)), d(2026, 11, 27));
        assert_eq!(sandbox.on_or_before(d(2026, 11, 30)), d(2026, 11, 30));
        assert_eq!(sandbox.days(d(2026, 11, 26), d(2026, 11, 30)).len(), 4);
        let krx = TradingDays {
            every_day_from: None,
            ..sandbox
        };
        assert_eq!(krx.on_or_before(d(2026, 11, 29)), d(2026, 11, 27));
    }
}
