//! The realtime execution tape: what the websocket feed sends.
//!
//! The price path trades once a second (its `Trade`s). The feed splits each second's trade into
//! 1 to 4 executions of seeded, uneven sizes (never more than its quantity), spread evenly over
//! the second: execution `j` of `n` happens `j / n` of a second after the second starts. Each
//! execution carries its own quantity, and the day's cumulative volume and value after it, so
//! consecutive records of
//! a symbol always satisfy `ACML_VOL = previous ACML_VOL + CNTG_VOL`, and the last execution of
//! a second ends exactly at the path's cumulative volume for that second. Like everything in the
//! market, the tape is a pure function of `(seed, product, date, time)`.
//!
//! Nothing trades outside the continuous session, so the feed is silent then (as KIS is).

use std::sync::Arc;

use chrono::{Duration, NaiveDateTime, Timelike};

use super::product::Product;
use super::rng::{Rng, hash_str};
use super::{Market, Phase, Quote};
use crate::market::path::date_key;

/// One execution of the tape.
#[derive(Debug, Clone)]
pub struct Execution {
    /// The quote at the end of the execution's second (price, range, book side).
    pub quote: Quote,
    /// Where the execution lies: its second (KST) and its index in that second.
    pub at: TapePos,
    /// Quantity of this execution.
    pub qty: u64,
    /// The day's cumulative volume after it.
    pub volume: u64,
    /// The day's cumulative traded value after it (price units × quantity).
    pub value: f64,
}

/// A position on the tape: a KST second and an execution index within it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TapePos {
    /// The KST second.
    pub second: NaiveDateTime,
    /// The execution's index in that second.
    pub index: u32,
}

impl TapePos {
    /// Every execution before the second of `now`: where a feed's cursor stands after a scan up
    /// to `now` that found nothing new, so the next scan does not look at those seconds again.
    pub fn before_second_of(now: NaiveDateTime) -> TapePos {
        let second = now.with_nanosecond(0).unwrap_or(now);
        TapePos {
            second: second - Duration::seconds(1),
            index: u32::MAX,
        }
    }
}

/// Most executions one call returns; older ones are skipped (a clock far faster than the feed).
pub const MAX_PER_CALL: usize = 256;

impl Market {
    /// The executions of `product` after `after` and up to `now` (KST), oldest first, at most
    /// `limit` (the newest ones). With no `after` (a new subscriber), only the latest
    /// execution at or before `now`.
    pub fn executions(
        &self,
        product: &Arc<Product>,
        after: Option<TapePos>,
        now: NaiveDateTime,
        limit: usize,
    ) -> Vec<Execution> {
        let limit = limit.clamp(1, MAX_PER_CALL);
        let now_second = now.with_nanosecond(0).unwrap_or(now);
        // Milliseconds into the current second: which of its executions have happened.
        let into = i64::from(now.nanosecond() / 1_000_000).min(999);
        let first = match after {
            Some(p) => p.second.max(now_second - Duration::seconds(limit as i64)),
            None => now_second,
        };
        let mut out = Vec::new();
        let mut second = first;
        while second <= now_second {
            for e in self.second_executions(product, second) {
                let due = second < now_second || {
                    let n = i64::from(e.count);
                    i64::from(e.exec.at.index) * 1000 / n <= into
                };
                if due && after.is_none_or(|a| e.exec.at > a) {
                    out.push(e.exec);
                }
            }
            second += Duration::seconds(1);
        }
        let keep = if after.is_none() { 1 } else { limit };
        if out.len() > keep {
            out.drain(..out.len() - keep);
        }
        out
    }

    /// Every execution of one KST second (none outside the continuous session).
    fn second_executions(&self, product: &Arc<Product>, second: NaiveDateTime) -> Vec<Counted> {
        let q = self.quote_at(product, second);
        if q.phase != Phase::Continuous {
            return Vec::new();
        }
        let Some(trade) = self.last_trade(&q) else {
            return Vec::new();
        };
        if trade.qty == 0 {
            return Vec::new();
        }
        let mut rng = Rng::new(&[
            self.seed,
            hash_str(&product.code),
            date_key(q.date),
            u64::from(second.num_seconds_from_midnight()),
            11,
        ]);
        let n = rng.range(1, 4).min(trade.qty);
        let before = trade.cum_volume - trade.qty;
        // The path's value after the previous second (its own per-second value is
        // approximate inside a bar, so the second's value is rebuilt from its price).
        let price = q.price as f64;
        let value_before = q.value - trade.qty as f64 * price;
        // Seeded, uneven parts of at least one share each that add up to the second's trade.
        let weights: Vec<u64> = (0..n).map(|_| rng.range(1, 100)).collect();
        let total: u64 = weights.iter().sum();
        let spare = trade.qty - n;
        let mut parts: Vec<u64> = weights.iter().map(|w| 1 + spare * w / total).collect();
        let given: u64 = parts.iter().sum();
        if let Some(last) = parts.last_mut() {
            *last += trade.qty - given;
        }
        let mut volume = before;
        parts
            .into_iter()
            .enumerate()
            .map(|(j, qty)| {
                volume += qty;
                Counted {
                    count: n as u32,
                    exec: Execution {
                        quote: q.clone(),
                        at: TapePos {
                            second,
                            index: j as u32,
                        },
                        qty,
                        volume,
                        value: value_before + (volume - before) as f64 * price,
                    },
                }
            })
            .collect()
    }
}

/// An execution and how many its second has.
struct Counted {
    count: u32,
    exec: Execution,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::clock::{Clock, MockClock};

    fn market() -> Market {
        let day = crate::market::calendar::Calendar::Krx
            .on_or_before(chrono::NaiveDate::from_ymd_opt(2026, 6, 24).unwrap());
        Market::new(
            7,
            Clock::new(MockClock::Simulated {
                start: day.and_hms_opt(10, 0, 0),
                speed: 0.001,
            }),
        )
    }

    #[test]
    fn executions_add_up_to_the_path_and_never_repeat() {
        let m = market();
        let p = m.product("005930");
        let start = m.now();
        let mut last: Option<TapePos> = None;
        let mut volume = None;
        let mut seen = 0;
        // Ten simulated seconds, polled every 150 ms.
        for step in 0..=66 {
            let now = start + Duration::milliseconds(150 * step);
            for e in m.executions(&p, last, now, 64) {
                if let Some(v) = volume {
                    assert_eq!(e.volume, v + e.qty, "{e:?}");
                }
                assert!(e.qty > 0);
                assert!(last.is_none_or(|l| e.at > l), "{e:?} after {last:?}");
                assert!(e.at.second <= now);
                volume = Some(e.volume);
                last = Some(e.at);
                seen += 1;
                // The executions of a second end at the path's volume for that second.
                let q = m.quote_at(&p, e.at.second);
                let trade = m.last_trade(&q).unwrap();
                assert!(e.volume <= trade.cum_volume);
                let last = m
                    .executions(
                        &p,
                        Some(e.at),
                        e.at.second + Duration::milliseconds(999),
                        64,
                    )
                    .into_iter()
                    .filter(|x| x.at.second == e.at.second)
                    .last()
                    .map_or(e.volume, |x| x.volume);
                assert_eq!(last, trade.cum_volume, "{e:?}");
            }
        }
        assert!(seen >= 10, "{seen}");
    }

    #[test]
    fn a_new_subscriber_gets_the_latest_execution_only() {
        let m = market();
        let p = m.product("000660");
        let got = m.executions(&p, None, m.now() + Duration::seconds(30), 64);
        assert_eq!(got.len(), 1);
        assert_eq!(
            got[0].at.index, 0,
            "at the start of a second only its first has happened"
        );
    }

    #[test]
    fn a_cursor_before_the_second_misses_none_of_its_executions() {
        let m = market();
        let p = m.product("005930");
        let t = m.now().with_nanosecond(0).unwrap() + Duration::seconds(5);
        let all = m.executions(
            &p,
            Some(TapePos::before_second_of(t)),
            t + Duration::milliseconds(999),
            64,
        );
        assert!(!all.is_empty());
        assert!(all.iter().all(|e| e.at.second == t), "{all:?}");
        assert_eq!(all[0].at.index, 0);
    }

    #[test]
    fn nothing_trades_before_the_open() {
        let m = market();
        let p = m.product("005930");
        let early = m.now().date().and_hms_opt(8, 0, 0).unwrap();
        assert!(m.executions(&p, None, early, 64).is_empty());
    }

    #[test]
    fn overseas_stocks_trade_on_the_new_york_session_clock() {
        let m = Market::new(7, Clock::new(MockClock::new_york_session()));
        for key in ["DNASTSLA", "DNYSIBM"] {
            let p = m.product(key);
            let got = m.executions(&p, None, m.now(), 64);
            assert_eq!(got.len(), 1, "{key}");
            assert_eq!(got[0].quote.phase, Phase::Continuous);
        }
        // KRX is closed then.
        let krx = m.product("005930");
        assert!(m.executions(&krx, None, m.now(), 64).is_empty());
    }
}
