//! Positions implied by fills against the balance: the start-of-day holdings
//! ([`Event::HoldingsBaseline`]), today's fills per symbol, and drift observations
//! ([`Event::DriftObserved`]). No I/O: the reconciler hands in the balance rows
//! ([`Holding`]) and records the events [`Ledger::check_drift`] returns.
//!
//! The rule: for every symbol of the account, *expected* = the holding at the start of the
//! server day (`hldg_qty - thdt_buyqty + thdt_sll_qty` of the first balance read that day,
//! journaled) + the ledger's shares bought − sold on that day (order numbers an inquiry placed
//! on that day); *actual* = the balance's `hldg_qty`. A difference is a drift: shares moved
//! without an order (a transfer, a corporate action) or a fill the ledger has not counted.
//! Only quantities are compared: cash moves by fees and taxes the ledger does not know
//! exactly, so it is not compared. Overseas holdings are not compared (KIS's overseas balance
//! has no today's bought/sold quantities). A symbol sold out today is expected to keep its
//! balance row (holding 0, with today's quantities), as KIS lists it; a symbol with no row
//! holds nothing.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::book::{Ledger, PositionDelta};
use super::event::Event;
use super::types::{AccountKey, Side};

/// One symbol of the domestic balance (주식잔고조회 `output1`), normalized: several rows of a
/// symbol (by loan date) are added up by [`Ledger::check_drift`].
///
/// ```
/// use kis::ledger::Holding;
/// let h = Holding { symbol: "005930".into(), qty: 12, bought_today: 5, sold_today: 1 };
/// assert_eq!(h.start_of_day(), 8);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    /// `pdno`.
    pub symbol: String,
    /// 보유수량 `hldg_qty`.
    pub qty: u64,
    /// 금일매수수량 `thdt_buyqty`.
    pub bought_today: u64,
    /// 금일매도수량 `thdt_sll_qty`.
    pub sold_today: u64,
}

impl Holding {
    /// What was held when the day began: `hldg_qty - thdt_buyqty + thdt_sll_qty`.
    pub fn start_of_day(&self) -> i64 {
        let q = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        q(self.qty)
            .saturating_sub(q(self.bought_today))
            .saturating_add(q(self.sold_today))
    }
}

/// A symbol whose holding differs from what the ledger's fills imply.
///
/// ```
/// use kis::ledger::Drift;
/// let d = Drift { symbol: "005930".into(), day: "20261202".into(), expected: 5, actual: 8 };
/// assert_eq!(d.qty(), 3); // three shares more than the fills explain
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drift {
    /// The symbol.
    pub symbol: String,
    /// The server day (`YYYYMMDD`).
    pub day: String,
    /// Start of the day + the ledger's bought − sold that day.
    pub expected: i64,
    /// The balance's `hldg_qty`.
    pub actual: i64,
}

impl Drift {
    /// Shares held beyond (negative: short of) what the fills explain.
    pub fn qty(&self) -> i64 {
        self.actual.saturating_sub(self.expected)
    }
}

/// Per account: the start of the day and the drifts now.
#[derive(Debug, Default, Clone)]
pub(super) struct DriftBook {
    /// The day the holdings were taken and the holdings (non-zero ones).
    pub start: Option<(String, BTreeMap<String, i64>)>,
    /// Current drifts by symbol (of `start`'s day).
    pub drifts: BTreeMap<String, Drift>,
}

impl DriftBook {
    /// Applies a start of day: the first one of a day wins; a new day closes the old drifts.
    pub fn baseline(&mut self, day: &str, start: BTreeMap<String, i64>) -> bool {
        if self.start.as_ref().is_some_and(|(d, _)| d == day) {
            return false;
        }
        let start = start.into_iter().filter(|(_, q)| *q != 0).collect();
        self.start = Some((day.to_owned(), start));
        self.drifts.clear();
        true
    }

    /// Applies an observation; whether the drifts changed.
    pub fn observe(&mut self, d: Drift) -> bool {
        if self.start.as_ref().is_some_and(|(day, _)| *day != d.day) {
            return false; // an observation of another day than the holdings'
        }
        if d.expected == d.actual {
            self.drifts.remove(&d.symbol).is_some()
        } else if self.drifts.get(&d.symbol) == Some(&d) {
            false
        } else {
            self.drifts.insert(d.symbol.clone(), d);
            true
        }
    }
}

impl Ledger {
    /// Shares and amounts filled per symbol on server day `day` (`YYYYMMDD`), over every
    /// domestic order of the account (its own and external): order numbers an inquiry row
    /// placed on that day. A fill whose order number no inquiry has shown yet is not counted
    /// (the reconciler compares right after an inquiry).
    pub fn fills_on(&self, account: &AccountKey, day: &str) -> BTreeMap<String, PositionDelta> {
        let mut out: BTreeMap<String, PositionDelta> = BTreeMap::new();
        let Some(book) = self.books.get(account) else {
            return out;
        };
        for id in &book.ids {
            let o = &self.orders[id];
            if o.intent.venue.is_overseas() {
                continue;
            }
            for m in o.members.iter().filter(|m| m.day.as_deref() == Some(day)) {
                let filled = m.filled();
                if filled == 0 {
                    continue;
                }
                let d = out.entry(o.intent.symbol.trim().to_owned()).or_default();
                match o.intent.side {
                    Side::Buy => {
                        d.bought += filled;
                        d.bought_amount += m.amount();
                    }
                    Side::Sell => {
                        d.sold += filled;
                        d.sold_amount += m.amount();
                    }
                }
            }
        }
        out
    }

    /// The account's holdings at the start of the day the drift check last took them:
    /// `(day, symbol → shares)` (symbols held at zero are left out).
    pub fn start_of_day(&self, account: &AccountKey) -> Option<(&str, &BTreeMap<String, i64>)> {
        let (day, start) = self.books.get(account)?.drift.start.as_ref()?;
        Some((day.as_str(), start))
    }

    /// The account's drifts now: symbols whose last observation found a difference.
    pub fn drifts(&self, account: &AccountKey) -> Vec<Drift> {
        self.books
            .get(account)
            .map(|b| b.drift.drifts.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Compares the balance (`holdings`, read on server day `day`) with the ledger and returns
    /// the events to record: [`Event::HoldingsBaseline`] when the day has none yet, then one
    /// [`Event::DriftObserved`] per symbol whose drift is new, changed or gone (a drift that
    /// is unchanged, or no drift where none was, makes no event). Changes nothing itself.
    ///
    /// ```
    /// use kis::ledger::*;
    /// let acct = AccountKey::parse("1234567801").unwrap();
    /// let mut l = Ledger::new();
    /// let held = |qty| vec![Holding { symbol: "005930".into(), qty, bought_today: 0, sold_today: 0 }];
    /// for e in l.check_drift(&acct, "20261202", &held(10)) { l.apply(e).unwrap(); }
    /// assert!(l.drifts(&acct).is_empty());
    /// // Three shares arrive without an order.
    /// for e in l.check_drift(&acct, "20261202", &held(13)) { l.apply(e).unwrap(); }
    /// assert_eq!(l.drifts(&acct)[0].qty(), 3);
    /// assert!(l.check_drift(&acct, "20261202", &held(13)).is_empty(), "nothing new");
    /// ```
    pub fn check_drift(&self, account: &AccountKey, day: &str, holdings: &[Holding]) -> Vec<Event> {
        let mut held: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for h in holdings {
            let e = held.entry(h.symbol.trim().to_owned()).or_default();
            e.0 = e.0.saturating_add(i64::try_from(h.qty).unwrap_or(i64::MAX));
            e.1 = e.1.saturating_add(h.start_of_day());
        }
        let mut events = Vec::new();
        let book = self.books.get(account).map(|b| &b.drift);
        let (start, recorded) = match book.and_then(|b| b.start.as_ref()) {
            Some((d, start)) if d == day => (start.clone(), book.map(|b| &b.drifts)),
            _ => {
                let start: BTreeMap<String, i64> = held
                    .iter()
                    .filter(|(_, (_, s))| *s != 0)
                    .map(|(k, (_, s))| (k.clone(), *s))
                    .collect();
                events.push(Event::HoldingsBaseline {
                    account: account.clone(),
                    day: day.to_owned(),
                    start: start.clone(),
                });
                (start, None)
            }
        };
        let fills = self.fills_on(account, day);
        let symbols: BTreeSet<&String> = start
            .keys()
            .chain(held.keys())
            .chain(fills.keys())
            .collect();
        for s in symbols {
            let net = fills.get(s).map_or(0, |d| {
                i64::try_from(d.net_qty()).unwrap_or(if d.net_qty() < 0 {
                    i64::MIN
                } else {
                    i64::MAX
                })
            });
            let drift = Drift {
                symbol: s.clone(),
                day: day.to_owned(),
                expected: start.get(s).copied().unwrap_or(0).saturating_add(net),
                actual: held.get(s).map_or(0, |h| h.0),
            };
            let before = recorded.and_then(|r| r.get(s));
            let news = if drift.expected != drift.actual {
                before != Some(&drift)
            } else {
                before.is_some()
            };
            if news {
                events.push(Event::DriftObserved {
                    account: account.clone(),
                    drift,
                });
            }
        }
        events
    }
}
