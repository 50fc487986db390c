//! Trading calendars: KRX (weekends and KRX holidays) and New York (weekends and NYSE holidays).
//!
//! The holiday lists cover 2024–2027 as KRX and NYSE published or scheduled them (KRX's
//! year-end closing day included); outside that range only weekends are skipped.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

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
        let list = match self {
            Calendar::Krx => KRX,
            Calendar::Nyse => NYSE,
        };
        let key = (date.year(), date.month(), date.day());
        !list.contains(&key)
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
