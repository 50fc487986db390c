//! The account's day rollover, driven by the market's clock (never this machine's date).
//!
//! KIS keeps a domestic account by KST day: order numbers start again each morning, today's
//! bought/sold counters (`thdt_*`) start at zero, and a day order (every order the mock takes)
//! ends with its trading day. When the market clock enters a new KST day, [`Account::roll`]:
//!
//! 1. sweeps the ended day's resting orders once more as of its close (15:30, the closing
//!    price: what the day traded since they were last looked at can still fill them), unless
//!    fills are off;
//! 2. expires what is still open: the quantity leaves the book (no cash or shares reserved), the
//!    daily executions of that day keep the order with its filled quantity and `rmn_qty` = what
//!    was open (KIS writes no cancel record for a lapsed day order), the truth says `expired`;
//! 3. moves the day's orders to [`Account::past`] and restarts order numbers at 1;
//! 4. keeps today's quantities and amounts as the previous day's (`bfdy_*`, when the ended day
//!    is the previous trading day) and resets today's; holdings carry over, so the new day
//!    starts from the last close's holdings;
//! 5. settles cash: the ended day's net (sold − bought − fees and taxes) settles two KRX
//!    trading days later (T+2). `deposit` (D+0, `dnca_tot_amt`) is what has settled, D+1
//!    (`nxdy_excc_amt`) adds what settles on the next trading day, `cash` (D+2,
//!    `prvs_rcdl_excc_amt`) is everything; a rollover never changes `cash`.
//!
//! US orders are not touched here: their session spans KST midnight and the US book expires
//! them at the end of their New York session. KOSPI200 futures/options expire at their close.

use chrono::{Duration, NaiveDate};

use crate::account::{Account, Notice};
use crate::market::Market;

/// Net cash of one ended day's trades, not yet settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unsettled {
    /// The trade day (KST).
    pub day: NaiveDate,
    /// Sold − bought − fees and taxes, in won.
    pub net: i128,
    /// KRX trading days still to pass before it settles (0: settled).
    pub days_left: u32,
}

/// The previous trading day's trades (`bfdy_*` of the balance).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Yesterday {
    /// Bought and sold quantity per product.
    pub qty: std::collections::BTreeMap<String, (u64, u64)>,
    /// Bought and sold amounts.
    pub bought: u64,
    pub sold: u64,
}

/// Trading days a domestic trade takes to settle (T+2).
const SETTLEMENT_DAYS: u32 = 2;

impl Account {
    /// Moves the account to the market clock's KST day if that is later than its own (see the
    /// module's documentation); `sweep` runs the ended day's last match first. Returns the
    /// notices of that match. Calling it again on the same day changes nothing.
    pub fn roll(&mut self, market: &Market, sweep: bool) -> Vec<Notice> {
        let today = market.now().date();
        if today <= self.day {
            return Vec::new();
        }
        let mut notices = Vec::new();
        if sweep && self.has_open() {
            let close = crate::market::path::Hours::of(crate::market::product::Venue::Kospi).close;
            self.at = Some(self.day.and_time(close));
            notices = self.sweep(market);
            self.at = None;
        }
        self.close_day(today, |d| market.krx_trading_day(d));
        notices
    }

    /// Ends the account's day and opens `to` (after it): expiry, numbers, counters and cash
    /// as [`Account::roll`] says; `trading` tells KRX trading days.
    pub(crate) fn close_day(&mut self, to: NaiveDate, trading: impl Fn(NaiveDate) -> bool) {
        if to <= self.day {
            return;
        }
        for o in &mut self.orders {
            let open = o.open();
            o.expired += open;
        }
        self.past.append(&mut self.orders);
        self.next_odno = 1;
        let net = i128::from(self.sold) - i128::from(self.bought) - i128::from(self.charges);
        if self.bought > 0 || self.sold > 0 || self.charges > 0 {
            self.unsettled.push(Unsettled {
                day: self.day,
                net,
                days_left: SETTLEMENT_DAYS,
            });
        }
        // The ended day is the new day's previous trading day unless one trades in between.
        let adjacent = !(1..)
            .map(|n| self.day + Duration::days(n))
            .take_while(|d| *d < to)
            .any(&trading);
        let today = std::mem::take(&mut self.today);
        self.yesterday = if adjacent {
            Yesterday {
                qty: today,
                bought: self.bought,
                sold: self.sold,
            }
        } else {
            Yesterday::default()
        };
        (self.bought, self.sold, self.charges) = (0, 0, 0);
        // Every trading day after the ended one, up to the new day, brings settlement closer.
        let mut d = self.day;
        while d < to {
            d += Duration::days(1);
            if !trading(d) {
                continue;
            }
            for u in &mut self.unsettled {
                u.days_left = u.days_left.saturating_sub(1);
            }
            let (done, left): (Vec<Unsettled>, Vec<Unsettled>) =
                self.unsettled.drain(..).partition(|u| u.days_left == 0);
            self.unsettled = left;
            for u in done {
                self.deposit = clamp(i128::from(self.deposit) + u.net);
            }
        }
        self.day = to;
    }

    /// Cash after the next trading day's settlement (D+1, 익일정산금액 `nxdy_excc_amt`).
    pub fn next_day_cash(&self) -> u64 {
        let due: i128 = self
            .unsettled
            .iter()
            .filter(|u| u.days_left <= 1)
            .map(|u| u.net)
            .sum();
        clamp(i128::from(self.deposit) + due)
    }
}

fn clamp(v: i128) -> u64 {
    u64::try_from(v.max(0)).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::MockConfig;
    use crate::market::clock::{Clock, MockClock};

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, day).unwrap()
    }

    /// A market at 2026-12-02 `h:m` KST (a Wednesday), the sandbox calendar.
    fn market(h: u32, m: u32) -> Market {
        Market::new(
            3,
            Clock::new(MockClock::Simulated {
                start: d(2).and_hms_opt(h, m, 0),
                speed: 1.0,
            }),
        )
    }

    fn account() -> Account {
        Account::new(
            &MockConfig {
                initial_cash: 10_000_000,
                initial_holdings: vec![crate::config::Holding {
                    code: "005930".into(),
                    qty: 20,
                    avg_price: 50_000,
                }],
                ..MockConfig::default()
            },
            d(2),
        )
    }

    #[test]
    fn a_new_day_expires_open_orders_restarts_numbers_and_resets_today() {
        let m = market(10, 30);
        let mut a = account();
        let q = m.quote("005930");
        let low = q.lower.to_string();
        let (resting, _) = a.place(&m, "005930", false, "00", "10", &low).unwrap();
        let (sold, _) = a.place(&m, "005930", true, "01", "5", "0").unwrap();
        a.match_now(&m, &sold.odno, false);
        assert_eq!(a.today["005930"], (0, 5));
        let cash = a.cash;
        assert!(a.available_cash() < cash, "the resting buy reserves cash");
        // Nothing happens on the same day.
        assert!(a.roll(&m, true).is_empty());
        assert_eq!(a.orders.len(), 2);

        m.clock().advance(Duration::hours(14)); // 2026-12-03 00:30
        a.roll(&m, true);
        assert_eq!(a.day, d(3));
        assert!(a.orders.is_empty());
        let old = &a.past[0];
        assert_eq!(old.odno, resting.odno);
        assert_eq!((old.open(), old.expired, old.remaining()), (0, 10, 10));
        assert_eq!(a.available_cash(), a.cash, "nothing reserved any more");
        assert_eq!(a.cash, cash, "a rollover never moves D+2 cash");
        assert!(a.today.is_empty() && (a.bought, a.sold, a.charges) == (0, 0, 0));
        assert_eq!(a.yesterday.qty["005930"], (0, 5));
        assert_eq!(a.holdings["005930"].qty, 15, "holdings carry over");
        // Numbers start again; the old order can no longer be changed by its number.
        m.clock().advance(Duration::hours(9)); // 09:30, the session
        let low = m.quote("005930").lower.to_string();
        let (first, _) = a.place(&m, "005930", false, "00", "1", &low).unwrap();
        assert_eq!(first.odno, "0000000001");
        assert_eq!(first.odno, resting.odno);
        let (cancel, _) = a.revise(&m, &first.odno, true, "00", "", "", true).unwrap();
        assert_eq!(cancel.orgn_odno, first.odno);
        assert_eq!(a.past[0].expired, 10, "yesterday's order is untouched");
    }

    #[test]
    fn a_partly_filled_order_keeps_its_fills_and_expires_the_rest() {
        // A clock that barely moves: the book stays the same second's.
        let m = Market::new(
            3,
            Clock::new(MockClock::Simulated {
                start: d(2).and_hms_opt(10, 30, 0),
                speed: 0.001,
            }),
        );
        let mut a = Account::new(
            &MockConfig {
                initial_cash: 1_000_000_000_000,
                ..MockConfig::default()
            },
            d(2),
        );
        let q = m.quote("005930");
        let ask = m.book(&q).asks[0];
        let qty = ask.qty + 5;
        let (order, _) = a
            .place(
                &m,
                "005930",
                false,
                "00",
                &qty.to_string(),
                &ask.price.to_string(),
            )
            .unwrap();
        a.match_now(&m, &order.odno, false);
        let o = &a.orders[0];
        assert_eq!((o.filled, o.open()), (ask.qty, 5), "the first level only");
        let held = a.holdings["005930"].qty;
        assert_eq!(held, ask.qty);
        a.close_day(d(3), |_| true);
        let o = &a.past[0];
        assert_eq!(
            (o.filled, o.open(), o.expired, o.remaining()),
            (ask.qty, 0, 5, 5)
        );
        assert_eq!(a.holdings["005930"].qty, held);
        assert_eq!(a.yesterday.qty["005930"], (ask.qty, 0));
        assert_eq!(a.available_cash(), a.cash);
    }

    #[test]
    fn the_ended_day_s_close_still_fills_a_resting_limit_it_reaches() {
        let m = market(10, 30);
        let mut a = account();
        let close_at = d(2).and_hms_opt(15, 30, 0).unwrap();
        // A product whose close is below its bid now: a buy at the close rests until then.
        let (code, close) = ["005930", "000660", "035420", "005380", "051910", "035720"]
            .into_iter()
            .map(|c| (c, m.quote(c), m.quote_at(&m.product(c), close_at).price))
            .find(|(_, q, close)| *close < q.bid)
            .map(|(c, _, close)| (c, close))
            .expect("one of them closes below its morning bid");
        let (order, _) = a
            .place(&m, code, false, "00", "1", &close.to_string())
            .unwrap();
        assert!(a.match_now(&m, &order.odno, false).is_empty(), "it rests");
        m.clock().advance(Duration::hours(14));
        let notices = a.roll(&m, true);
        assert_eq!(notices.len(), 1, "the close filled it");
        assert_eq!(notices[0].get("STCK_CNTG_HOUR"), "153000");
        let o = &a.past[0];
        assert_eq!((o.filled, o.expired, o.fill_price()), (1, 0, close as u64));
        assert_eq!(a.fills[0].day, "20261202");
        assert_eq!(a.yesterday.qty[code], (1, 0));
    }

    #[test]
    fn cash_settles_two_trading_days_after_the_trade() {
        let m = market(10, 30);
        let mut a = account();
        let (sold, _) = a.place(&m, "005930", true, "01", "5", "0").unwrap();
        a.match_now(&m, &sold.odno, false);
        let (deposit, cash) = (a.deposit, a.cash);
        assert!(cash > deposit);
        // Wednesday's sale, KRX calendar: Thursday is T+1, Friday T+2.
        let krx = |day: NaiveDate| crate::market::calendar::Calendar::Krx.is_trading_day(day);
        a.close_day(d(3), krx);
        assert_eq!(
            (a.deposit, a.next_day_cash(), a.cash),
            (deposit, cash, cash)
        );
        a.close_day(d(4), krx);
        assert_eq!((a.deposit, a.next_day_cash(), a.cash), (cash, cash, cash));
        assert!(a.unsettled.is_empty());
        assert!(a.yesterday.qty.is_empty(), "Thursday did not trade here");
    }

    #[test]
    fn a_weekend_between_keeps_friday_as_the_previous_day_and_settles_on_tuesday() {
        let krx = |day: NaiveDate| crate::market::calendar::Calendar::Krx.is_trading_day(day);
        let m = market(10, 30);
        let mut a = account();
        a.close_day(d(4), krx); // Friday 2026-12-04
        let (sold, _) = a.place(&m, "005930", true, "01", "2", "0").unwrap();
        a.match_now(&m, &sold.odno, false);
        let cash = a.cash;
        a.close_day(d(7), krx); // Monday: T+1
        assert_eq!(
            a.yesterday.qty["005930"],
            (0, 2),
            "Friday is Monday's previous day"
        );
        assert!(a.deposit < cash);
        assert_eq!(a.next_day_cash(), cash);
        a.close_day(d(8), krx); // Tuesday: T+2
        assert_eq!(a.deposit, cash);
    }
}
