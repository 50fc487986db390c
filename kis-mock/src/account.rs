//! The stateful account: cash orders, modify/cancel, balance, daily fills and order capacity
//! reflect each other, and fills produce execution notices.

use std::collections::BTreeMap;

use crate::config::{Fees, MockConfig};
use crate::market::product::Class;
use crate::market::{Market, Phase, Quote};

/// A rejected order: `msg_cd` and `msg1` as KIS would answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reject {
    pub msg_cd: &'static str,
    pub msg1: String,
}

fn reject(msg_cd: &'static str, msg1: impl Into<String>) -> Reject {
    Reject {
        msg_cd,
        msg1: msg1.into(),
    }
}

/// A held position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Position {
    pub qty: u64,
    pub avg_price: u64,
}

/// What an order record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OrderKind {
    New,
    Modify,
    Cancel,
}

/// One order of the day (new, modify or cancel).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Order {
    pub odno: String,
    pub orgn_odno: String,
    pub kind: OrderKind,
    pub code: String,
    pub sell: bool,
    pub ord_dvsn: String,
    pub qty: u64,
    /// Limit price; 0 for market orders.
    pub price: u64,
    /// Price cash is reserved at (the limit, or the upper limit for market orders).
    pub reserve: u64,
    pub filled: u64,
    /// Sum of quantity × price of the fills.
    pub fill_amount: u64,
    /// Fees and taxes charged for the fills (commission, and the sell tax): what the balance
    /// counts in `thdt_tlex_amt` and daily executions in `prsm_tlex_smtl`.
    pub fees: u64,
    /// The day's cumulative volume when the order was last matched.
    pub seen_volume: u64,
    /// Quantity taken away by a later modify or cancel.
    pub withdrawn: u64,
    /// Quantity the exchange refused after KIS accepted the order (거부, `rjct_qty`).
    pub rejected: u64,
    /// Quantity still open when its day ended: a day order lapses with its day
    /// ([`Account::roll`]); the daily executions keep it as `rmn_qty`.
    pub expired: u64,
    /// Where it was sent (`EXCG_ID_DVSN_CD` of its request: `KRX`, `NXT` or `SOR`); every
    /// venue matches on the one book. A modify or cancel record starts with its original's and
    /// takes its own request's code ([`Account::route`]).
    pub venue: &'static str,
    /// The trading day the order was placed on (`YYYYMMDD`, KST).
    pub date: String,
    pub time: String,
}

impl Order {
    /// Quantity still open.
    pub fn open(&self) -> u64 {
        if self.kind == OrderKind::Cancel {
            return 0;
        }
        self.qty - self.filled - self.withdrawn - self.rejected - self.expired
    }

    /// What the daily executions show as remaining (`rmn_qty`): the open quantity, and for an
    /// order of an ended day what was open when the day ended (KIS writes no cancel for it).
    pub fn remaining(&self) -> u64 {
        self.open() + self.expired
    }

    /// Average fill price (0 before any fill).
    pub fn fill_price(&self) -> u64 {
        self.fill_amount.checked_div(self.filled).unwrap_or(0)
    }
}

/// An execution notice (`H0STCNI0`/`H0STCNI9`): values by column name, for one HTS ID.
#[derive(Debug, Clone)]
pub(crate) struct Notice {
    /// The notice TR's prefix (`H0STCNI`, `H0GSCNI`, `H0IFCNI`): which subscriptions get it.
    pub tr: &'static str,
    pub hts_id: String,
    pub values: Vec<(&'static str, String)>,
}

impl Notice {
    /// The value of a column (empty when the notice has none).
    pub fn get(&self, column: &str) -> &str {
        self.values
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(column))
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

/// The account's state.
#[derive(Debug)]
pub(crate) struct Account {
    pub cano: String,
    pub prdt: String,
    pub hts_id: String,
    /// Today's deposit (예수금, D+0): what settled before today; today's trades settle at T+2.
    pub deposit: u64,
    /// Cash after today's trades settle (D+2, 가수도 정산금액), fees and taxes deducted.
    pub cash: u64,
    /// Today's bought amount.
    pub bought: u64,
    /// Today's sold amount.
    pub sold: u64,
    /// Today's fees and taxes.
    pub charges: u64,
    pub holdings: BTreeMap<String, Position>,
    /// Today's bought and sold quantity per product (금일매수수량 `thdt_buyqty`, 금일매도수량
    /// `thdt_sll_qty`): fills only, never transfers. A product sold out today keeps its
    /// balance row (holding 0) while it has one.
    pub today: BTreeMap<String, (u64, u64)>,
    /// The KST day the account is on: today's orders, order numbers and counters are this
    /// day's ([`Account::roll`] moves it with the market's clock).
    pub day: chrono::NaiveDate,
    /// The previous trading day's quantities per product (`bfdy_buy_qty`, `bfdy_sll_qty`) and
    /// amounts (`bfdy_buy_amt`, `bfdy_sll_amt`); empty when that day did not trade here.
    pub yesterday: crate::day::Yesterday,
    /// Net cash of earlier days' trades that has not settled yet (T+2 trading days).
    pub unsettled: Vec<crate::day::Unsettled>,
    /// Today's orders: order numbers restart each day, so only these are found by number.
    pub orders: Vec<Order>,
    /// Orders of earlier days, oldest first: every one ended (filled, cancelled, rejected or
    /// expired). The daily executions of a past day read these.
    pub past: Vec<Order>,
    /// Every execution of the day, oldest first (the control API's truth).
    pub fills: Vec<crate::control::FillRecord>,
    /// Every fill with its cost basis, oldest first: what the period P&L inquiries sum.
    pub trades: Vec<crate::realized::Trade>,
    fees: Fees,
    pub(crate) next_odno: u64,
    /// When set, the account reads the market at this time instead of now (the last sweep of
    /// a day that ended, [`Account::roll`]).
    pub(crate) at: Option<chrono::NaiveDateTime>,
}

/// Branch number the mock reports (`KRX_FWDG_ORD_ORGNO`, `BRNC_NO`).
pub(crate) const BRANCH: &str = "06010";

impl Account {
    /// A fresh account on KST day `day` (the market clock's day when the mock starts).
    pub fn new(config: &MockConfig, day: chrono::NaiveDate) -> Self {
        let (cano, prdt) = config.account_parts();
        Self {
            cano: cano.to_owned(),
            prdt: prdt.to_owned(),
            hts_id: config.hts_id.clone(),
            deposit: config.initial_cash,
            cash: config.initial_cash,
            bought: 0,
            sold: 0,
            charges: 0,
            holdings: config
                .initial_holdings
                .iter()
                .map(|h| {
                    (
                        h.code.clone(),
                        Position {
                            qty: h.qty,
                            avg_price: h.avg_price,
                        },
                    )
                })
                .collect(),
            today: BTreeMap::new(),
            day,
            yesterday: Default::default(),
            unsettled: Vec::new(),
            orders: Vec::new(),
            past: Vec::new(),
            fills: Vec::new(),
            trades: Vec::new(),
            fees: config.fees,
            next_odno: 1,
            at: None,
        }
    }

    /// The quote of a product now, or at [`Account::at`] while a day is being closed.
    fn quote(&self, market: &Market, code: &str) -> Quote {
        match self.at {
            Some(at) => market.quote_at(&market.product(code), at),
            None => market.quote(code),
        }
    }

    /// Whether `CANO`/`ACNT_PRDT_CD` name this account.
    pub fn is_account(&self, cano: &str, prdt: &str) -> bool {
        self.cano == cano && self.prdt == prdt
    }

    fn odno(&mut self) -> String {
        let n = self.next_odno;
        self.next_odno += 1;
        format!("{:010}", n)
    }

    /// Commission on an amount (truncated to whole won).
    pub fn commission(&self, amount: u64) -> u64 {
        (amount as f64 * self.fees.commission_bp / 10_000.0) as u64
    }

    /// Sell tax on an amount of a product (truncated to whole won; ETFs are exempt).
    pub fn sell_tax(&self, market: &Market, code: &str, amount: u64) -> u64 {
        if market.product(code).class == Class::Stock {
            (amount as f64 * self.fees.sell_tax_bp / 10_000.0) as u64
        } else {
            0
        }
    }

    /// Cash not reserved by open buy orders (commission included).
    pub fn available_cash(&self) -> u64 {
        let reserved: u64 = self
            .orders
            .iter()
            .filter(|o| !o.sell)
            .map(|o| {
                let amount = o.open().saturating_mul(o.reserve);
                amount.saturating_add(self.commission(amount))
            })
            .fold(0u64, u64::saturating_add);
        self.cash.saturating_sub(reserved)
    }

    /// Quantity of a product that can still be sold (held minus open sell orders).
    pub fn sellable(&self, code: &str) -> u64 {
        let held = self.holdings.get(code).map_or(0, |p| p.qty);
        let pending: u64 = self
            .orders
            .iter()
            .filter(|o| o.sell && o.code == code)
            .map(Order::open)
            .sum();
        held.saturating_sub(pending)
    }

    /// Checks a limit price against the product's tick grid and today's limits.
    fn check_price(q: &Quote, price: u64) -> Result<(), Reject> {
        let v = q.product.venue;
        let p = price as i64;
        if !v.on_grid(p) {
            return Err(reject(
                "APBK0506",
                format!(
                    "주식주문호가단위 오류입니다. ({price}원: 호가단위 {}원)",
                    v.tick(p)
                ),
            ));
        }
        if p > q.upper || p < q.lower {
            return Err(reject(
                "APBK0507",
                format!(
                    "주문가격이 가격제한폭을 벗어났습니다. (하한가 {} ~ 상한가 {})",
                    q.lower, q.upper
                ),
            ));
        }
        Ok(())
    }

    /// Whether the market takes orders now: on a trading day from 08:30 until the close.
    fn check_session(q: &Quote) -> Result<(), Reject> {
        let early = chrono::NaiveTime::from_hms_opt(8, 30, 0).expect("a valid time");
        match q.phase {
            Phase::Closed => Err(reject("40580000", "장운영시간이 아닙니다. (장종료)")),
            Phase::PreOpen if q.time < early => {
                Err(reject("40570000", "장운영시간이 아닙니다. (장시작전)"))
            }
            _ => Ok(()),
        }
    }

    /// Accepts a new cash order.
    pub fn place(
        &mut self,
        market: &Market,
        code: &str,
        sell: bool,
        ord_dvsn: &str,
        qty: &str,
        price: &str,
    ) -> Result<(Order, Notice), Reject> {
        // Only products of the universe trade (KIS knows no other code).
        let listed = market.listed(code).filter(|p| !p.venue.is_us());
        if code.len() < 6 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) || listed.is_none() {
            return Err(reject(
                "APBK0656",
                format!("해당종목정보가 없습니다.({code})"),
            ));
        }
        let qty = parse_qty(qty)?;
        let q = self.quote(market, code);
        Self::check_session(&q)?;
        let is_market = ord_dvsn == "01";
        let price = if is_market { 0 } else { parse_price(price)? };
        if !is_market {
            Self::check_price(&q, price)?;
        }
        // A market buy reserves cash at the upper limit, as KRX brokers do.
        let reserve = if is_market {
            q.upper.max(0) as u64
        } else {
            price
        };
        if sell {
            if self.sellable(code) < qty {
                return Err(reject("APBK0400", "주문 가능한 수량을 초과했습니다."));
            }
        } else {
            let amount = qty.saturating_mul(reserve);
            if self.available_cash() < amount.saturating_add(self.commission(amount)) {
                return Err(reject("APBK0952", "주문가능금액을 초과 했습니다"));
            }
        }
        let order = Order {
            odno: self.odno(),
            orgn_odno: String::new(),
            kind: OrderKind::New,
            code: code.to_owned(),
            sell,
            ord_dvsn: ord_dvsn.to_owned(),
            qty,
            price,
            reserve,
            filled: 0,
            fill_amount: 0,
            fees: 0,
            withdrawn: 0,
            rejected: 0,
            expired: 0,
            seen_volume: q.volume,
            venue: "KRX",
            date: q.date.format("%Y%m%d").to_string(),
            time: q.time.format("%H%M%S").to_string(),
        };
        self.orders.push(order.clone());
        let notice = self.notice(market, &order, false, 0, 0);
        Ok((order, notice))
    }

    /// Modifies (`cancel` false) or cancels an open order.
    #[allow(clippy::too_many_arguments)]
    pub fn revise(
        &mut self,
        market: &Market,
        orgn_odno: &str,
        cancel: bool,
        ord_dvsn: &str,
        qty: &str,
        price: &str,
        all: bool,
    ) -> Result<(Order, Notice), Reject> {
        let orgn = orgn_odno.trim_start_matches('0');
        let Some(idx) = self
            .orders
            .iter()
            .position(|o| o.odno.trim_start_matches('0') == orgn && !orgn.is_empty())
        else {
            return Err(reject("APBK0918", "원주문번호가 존재하지 않습니다."));
        };
        let open = self.orders[idx].open();
        if open == 0 {
            return Err(reject("APBK0919", "정정/취소 가능한 수량이 없습니다."));
        }
        let take = if all { open } else { parse_qty(qty)?.min(open) };
        let original = self.orders[idx].clone();
        let q = self.quote(market, &original.code);
        let is_market = !cancel && ord_dvsn == "01";
        let new_price = if cancel || is_market {
            0
        } else {
            parse_price(price)?
        };
        if !cancel && !is_market {
            Self::check_price(&q, new_price)?;
        }
        let reserve = if cancel {
            original.reserve
        } else if is_market {
            q.upper.max(0) as u64
        } else {
            new_price
        };
        if !cancel && !original.sell {
            let extra = take
                .saturating_mul(reserve)
                .saturating_sub(take.saturating_mul(original.reserve));
            if self.available_cash() < extra {
                return Err(reject("APBK0952", "주문가능금액을 초과 했습니다"));
            }
        }
        self.orders[idx].withdrawn += take;
        let order = Order {
            odno: self.odno(),
            orgn_odno: original.odno.clone(),
            kind: if cancel {
                OrderKind::Cancel
            } else {
                OrderKind::Modify
            },
            code: original.code.clone(),
            sell: original.sell,
            ord_dvsn: if cancel {
                original.ord_dvsn.clone()
            } else {
                ord_dvsn.to_owned()
            },
            qty: take,
            price: if cancel { original.price } else { new_price },
            reserve,
            filled: 0,
            fill_amount: 0,
            fees: 0,
            withdrawn: 0,
            rejected: 0,
            expired: 0,
            seen_volume: q.volume,
            venue: original.venue,
            date: q.date.format("%Y%m%d").to_string(),
            time: q.time.format("%H%M%S").to_string(),
        };
        self.orders.push(order.clone());
        let notice = self.notice(market, &order, false, 0, 0);
        Ok((order, notice))
    }

    /// Fills `qty` of an order at `price`: cash (D+2), fees, taxes and the position move.
    fn execute(&mut self, market: &Market, idx: usize, qty: u64, price: u64) -> Notice {
        let amount = qty.saturating_mul(price);
        let commission = self.commission(amount);
        let order = &mut self.orders[idx];
        order.filled += qty;
        order.fill_amount = order.fill_amount.saturating_add(amount);
        let order = order.clone();
        let q = self.quote(market, &order.code);
        self.fills.push(crate::control::FillRecord {
            odno: order.odno.clone(),
            symbol: order.code.clone(),
            sell: order.sell,
            qty,
            price: price.to_string(),
            day: q.date.format("%Y%m%d").to_string(),
            time: q.time.format("%H%M%S").to_string(),
        });
        let tax = if order.sell {
            self.sell_tax(market, &order.code, amount)
        } else {
            0
        };
        self.orders[idx].fees = self.orders[idx]
            .fees
            .saturating_add(commission.saturating_add(tax));
        let avg_cost = self.holdings.get(&order.code).map_or(0, |p| p.avg_price);
        let day = q.date.format("%Y%m%d").to_string();
        let today = self.today.entry(order.code.clone()).or_default();
        if order.sell {
            today.1 = today.1.saturating_add(qty);
        } else {
            today.0 = today.0.saturating_add(qty);
        }
        if order.sell {
            let charges = commission.saturating_add(tax);
            self.cash = self.cash.saturating_add(amount).saturating_sub(charges);
            self.sold = self.sold.saturating_add(amount);
            self.charges = self.charges.saturating_add(charges);
            if let Some(p) = self.holdings.get_mut(&order.code) {
                p.qty = p.qty.saturating_sub(qty);
                if p.qty == 0 {
                    self.holdings.remove(&order.code);
                }
            }
        } else {
            self.cash = self.cash.saturating_sub(amount.saturating_add(commission));
            self.bought = self.bought.saturating_add(amount);
            self.charges = self.charges.saturating_add(commission);
            let p = self.holdings.entry(order.code.clone()).or_insert(Position {
                qty: 0,
                avg_price: 0,
            });
            let total = p.qty.saturating_mul(p.avg_price).saturating_add(amount);
            p.qty += qty;
            p.avg_price = total / p.qty.max(1);
        }
        self.trades.push(crate::realized::Trade {
            day,
            code: order.code.clone(),
            sell: order.sell,
            qty,
            amount,
            avg_cost,
            commission,
            tax,
            held_after: self.holdings.get(&order.code).map_or(0, |p| p.qty),
        });
        self.notice(market, &order, true, qty, price)
    }

    /// Matches an order against the book now: market orders walk the book (a remainder beyond
    /// ten levels fills at the last one), limit orders take the levels at or better than their
    /// price. With `force`, whatever stays open fills at the limit price
    /// ([`crate::Fill::Immediate`]).
    pub fn match_now(&mut self, market: &Market, odno: &str, force: bool) -> Vec<Notice> {
        let Some(idx) = self.orders.iter().position(|o| o.odno == odno) else {
            return Vec::new();
        };
        let o = self.orders[idx].clone();
        let mut open = o.open();
        if open == 0 {
            return Vec::new();
        }
        let q = self.quote(market, &o.code);
        let mut notices = Vec::new();
        if q.phase == Phase::Continuous {
            let book = market.book(&q);
            let levels = if o.sell { &book.bids } else { &book.asks };
            let limit = o.price as i64;
            let mut last = q.price;
            for level in levels {
                let ok = o.price == 0
                    || if o.sell {
                        level.price >= limit
                    } else {
                        level.price <= limit
                    };
                if !ok || open == 0 {
                    break;
                }
                let take = open.min(level.qty);
                notices.push(self.execute(market, idx, take, level.price as u64));
                open -= take;
                last = level.price;
            }
            if o.price == 0 && open > 0 {
                notices.push(self.execute(market, idx, open, last as u64));
                open = 0;
            }
            self.orders[idx].seen_volume = q.volume;
        }
        if force && open > 0 {
            let price = if o.price == 0 {
                q.price as u64
            } else {
                o.price
            };
            notices.push(self.execute(market, idx, open, price));
        }
        notices
    }

    /// Fills resting orders the market has reached since they were last looked at: a buy when
    /// the price trades at or below its limit, a sell at or above, by a quarter of the volume
    /// traded meanwhile (so large orders fill partially over time), at the limit price.
    pub fn sweep(&mut self, market: &Market) -> Vec<Notice> {
        let mut notices = Vec::new();
        for idx in 0..self.orders.len() {
            let o = &self.orders[idx];
            if o.open() == 0 {
                continue;
            }
            if o.price == 0 {
                let odno = o.odno.clone();
                notices.extend(self.match_now(market, &odno, false));
                continue;
            }
            let q = self.quote(market, &o.code);
            if q.phase != Phase::Continuous && q.phase != Phase::Closed {
                continue;
            }
            let limit = o.price as i64;
            let crossed = if o.sell {
                q.price >= limit
            } else {
                q.price <= limit
            };
            let traded = q.volume.saturating_sub(o.seen_volume);
            if !crossed || traded == 0 {
                continue;
            }
            let take = o.open().min((traded / 4).max(1));
            let price = o.price;
            self.orders[idx].seen_volume = q.volume;
            notices.push(self.execute(market, idx, take, price));
        }
        notices
    }

    /// Moves shares in (`qty` > 0) or out (`qty` < 0) without an order, as a transfer from or
    /// to another account does: the holding changes, today's bought/sold quantities and cash
    /// do not. Shares moved in take the current price as their cost when the account held
    /// none; moving out more than can be sold is refused.
    pub fn transfer(&mut self, market: &Market, code: &str, qty: i64) -> Result<u64, Reject> {
        if market.listed(code).filter(|p| !p.venue.is_us()).is_none() {
            return Err(reject(
                "APBK0656",
                format!("해당종목정보가 없습니다.({code})"),
            ));
        }
        let moved = qty.unsigned_abs();
        if qty < 0 {
            if self.sellable(code) < moved {
                return Err(reject("APBK0400", "주문 가능한 수량을 초과했습니다."));
            }
            if let Some(p) = self.holdings.get_mut(code) {
                p.qty -= moved;
                if p.qty == 0 {
                    self.holdings.remove(code);
                }
            }
        } else if qty > 0 {
            let price = self.quote(market, code).price.max(0) as u64;
            let p = self.holdings.entry(code.to_owned()).or_insert(Position {
                qty: 0,
                avg_price: price,
            });
            p.qty = p.qty.saturating_add(moved);
        }
        Ok(self.holdings.get(code).map_or(0, |p| p.qty))
    }

    /// The products the balance lists: held ones and those traded today (a sold-out product
    /// stays with holding 0), each with its holding and today's bought/sold quantity.
    pub fn balance_rows(&self) -> Vec<(String, Position, (u64, u64))> {
        let mut codes: Vec<&String> = self.holdings.keys().chain(self.today.keys()).collect();
        codes.sort();
        codes.dedup();
        codes
            .into_iter()
            .map(|c| {
                let p = self.holdings.get(c).cloned().unwrap_or(Position {
                    qty: 0,
                    avg_price: 0,
                });
                (c.clone(), p, self.today.get(c).copied().unwrap_or_default())
            })
            .collect()
    }

    /// Sets where an order was sent (see [`Order::venue`]).
    pub fn route(&mut self, odno: &str, venue: &'static str) {
        if let Some(o) = self.orders.iter_mut().find(|o| o.odno == odno) {
            o.venue = venue;
        }
    }

    /// The acceptance notice of an order as it stands (after [`Account::route`]).
    pub fn accept_notice(&self, market: &Market, odno: &str) -> Option<Notice> {
        let order = self.orders.iter().find(|o| o.odno == odno)?;
        Some(self.notice(market, order, false, 0, 0))
    }

    /// The exchange refuses an accepted order: whatever is open is rejected (`rjct_qty`), it
    /// never rests on the book, and the notice says so (`CNTG_YN` 1, `RFUS_YN` 1). `None` when
    /// the order has nothing open.
    pub fn refuse(&mut self, market: &Market, odno: &str) -> Option<Notice> {
        let idx = self.orders.iter().position(|o| o.odno == odno)?;
        let open = self.orders[idx].open();
        if open == 0 {
            return None;
        }
        self.orders[idx].rejected += open;
        let order = self.orders[idx].clone();
        let mut notice = self.notice(market, &order, false, 0, 0);
        for (k, v) in &mut notice.values {
            if *k == "RFUS_YN" {
                *v = "1".into();
            }
        }
        Some(notice)
    }

    /// Whether any order is open.
    pub fn has_open(&self) -> bool {
        self.orders.iter().any(|o| o.open() > 0)
    }

    fn notice(&self, market: &Market, order: &Order, fill: bool, qty: u64, price: u64) -> Notice {
        let rctf = match order.kind {
            OrderKind::New => "0",
            OrderKind::Modify => "1",
            OrderKind::Cancel => "2",
        };
        let q = self.quote(market, &order.code);
        Notice {
            tr: "H0STCNI",
            hts_id: self.hts_id.clone(),
            values: vec![
                ("CUST_ID", self.hts_id.clone()),
                ("ACNT_NO", format!("{}{}", self.cano, self.prdt)),
                ("ODER_NO", order.odno.clone()),
                ("OODER_NO", order.orgn_odno.clone()),
                ("SELN_BYOV_CLS", if order.sell { "01" } else { "02" }.into()),
                ("RCTF_CLS", rctf.into()),
                ("ODER_KIND", order.ord_dvsn.clone()),
                ("ODER_COND", "0".into()),
                ("STCK_SHRN_ISCD", order.code.clone()),
                ("CNTG_QTY", qty.to_string()),
                ("CNTG_UNPR", price.to_string()),
                ("STCK_CNTG_HOUR", q.time.format("%H%M%S").to_string()),
                ("RFUS_YN", "0".into()),
                ("CNTG_YN", if fill { "2" } else { "1" }.into()),
                ("ACPT_YN", if fill { "2" } else { "1" }.into()),
                ("BRNC_NO", BRANCH.into()),
                ("ODER_QTY", order.qty.to_string()),
                ("ACNT_NAME", "모의계좌".into()),
                ("ORD_COND_PRC", "0".into()),
                (
                    "ORD_EXG_GB",
                    match order.venue {
                        "NXT" => "2",
                        "SOR" => "3", // SOR-KRX: the one book stands for KRX
                        _ => "1",
                    }
                    .into(),
                ),
                ("POPUP_YN", "Y".into()),
                ("FILLER", String::new()),
                ("CRDT_CLS", "10".into()),
                ("CRDT_LOAN_DATE", String::new()),
                ("CNTG_ISNM40", q.product.name.clone()),
                ("ODER_PRC", order.price.to_string()),
            ],
        }
    }
}

/// Largest quantity or price the mock accepts (KIS's fields are at most 10 digits; this keeps
/// every amount far from overflow).
const MAX_INPUT: u64 = 999_999_999;

fn parse_qty(text: &str) -> Result<u64, Reject> {
    match text.trim().parse::<u64>() {
        Ok(q) if (1..=MAX_INPUT).contains(&q) => Ok(q),
        _ => Err(reject("APBK1269", "주문수량을 확인하여 주십시오.")),
    }
}

fn parse_price(text: &str) -> Result<u64, Reject> {
    match text.trim().parse::<u64>() {
        Ok(p) if (1..=MAX_INPUT).contains(&p) => Ok(p),
        _ => Err(reject("APBK1270", "주문단가를 확인하여 주십시오.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::clock::{Clock, MockClock};

    fn market() -> Market {
        let start = chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
            .unwrap()
            .and_hms_opt(10, 30, 0)
            .unwrap();
        Market::new(
            3,
            Clock::new(MockClock::Simulated {
                start: Some(start),
                speed: 1.0,
            }),
        )
    }

    fn account() -> Account {
        Account::new(
            &MockConfig {
                initial_cash: 10_000_000,
                ..MockConfig::default()
            },
            chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
        )
    }

    #[test]
    fn market_buy_fills_at_the_book_and_pays_commission() {
        let m = market();
        let mut a = account();
        let q = m.quote("005930");
        let ask = m.book(&q).asks[0].price as u64;
        let (order, accept) = a.place(&m, "005930", false, "01", "10", "0").unwrap();
        assert_eq!(accept.get("CNTG_YN"), "1");
        let fills = a.match_now(&m, &order.odno, false);
        assert!(!fills.is_empty());
        let o = &a.orders[0];
        assert_eq!(o.filled, 10);
        assert!(o.fill_price() >= ask);
        let amount = o.fill_amount;
        assert_eq!(a.cash, 10_000_000 - amount - a.commission(amount));
        assert_eq!(a.deposit, 10_000_000, "D+0 is untouched until settlement");
        assert_eq!(a.holdings["005930"].qty, 10);
        // Selling pays commission and the transaction tax.
        let (sell, _) = a.place(&m, "005930", true, "01", "10", "0").unwrap();
        a.match_now(&m, &sell.odno, false);
        assert!(a.holdings.is_empty());
        assert!(a.charges > a.commission(amount));
        // The sold-out product keeps its balance row: held 0, bought 10 and sold 10 today.
        let rows = a.balance_rows();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].1.qty, rows[0].2), (0, (10, 10)));
    }

    #[test]
    fn a_refused_order_never_rests_and_reserves_nothing() {
        let m = market();
        let mut a = account();
        let q = m.quote("005930");
        let low = q.lower.to_string();
        let (order, _) = a.place(&m, "005930", false, "00", "10", &low).unwrap();
        let n = a.refuse(&m, &order.odno).expect("a refusal notice");
        assert_eq!((n.get("CNTG_YN"), n.get("RFUS_YN")), ("1", "1"));
        assert_eq!((a.orders[0].open(), a.orders[0].rejected), (0, 10));
        assert_eq!(a.available_cash(), a.cash);
        assert!(
            a.refuse(&m, &order.odno).is_none(),
            "nothing left to refuse"
        );
        assert!(a.match_now(&m, &order.odno, true).is_empty());
        assert!(a.revise(&m, &order.odno, true, "00", "", "", true).is_err());
    }

    #[test]
    fn a_transfer_moves_the_holding_but_not_todays_trades() {
        let m = market();
        let mut a = account();
        assert_eq!(a.transfer(&m, "005930", 5), Ok(5));
        assert_eq!(a.transfer(&m, "005930", -2), Ok(3));
        assert_eq!(a.transfer(&m, "005930", -4).unwrap_err().msg_cd, "APBK0400");
        assert_eq!(a.transfer(&m, "NOPE99", 1).unwrap_err().msg_cd, "APBK0656");
        let rows = a.balance_rows();
        assert_eq!((rows[0].1.qty, rows[0].2), (3, (0, 0)));
        assert_eq!(a.cash, 10_000_000, "cash does not move");
    }

    #[test]
    fn off_grid_and_out_of_limit_prices_are_refused() {
        let m = market();
        let mut a = account();
        let q = m.quote("005930");
        let off = (q.price + 1).to_string();
        assert_eq!(
            a.place(&m, "005930", false, "00", "1", &off)
                .unwrap_err()
                .msg_cd,
            "APBK0506"
        );
        let above = q.product.venue.up(q.upper).to_string();
        assert_eq!(
            a.place(&m, "005930", false, "00", "1", &above)
                .unwrap_err()
                .msg_cd,
            "APBK0507"
        );
        assert!(a.place(&m, "005930", false, "00", "0", "70000").is_err());
        assert!(a.place(&m, "", false, "00", "1", "1").is_err());
    }

    #[test]
    fn limit_at_the_lower_limit_rests_then_modify_and_cancel() {
        let m = market();
        let mut a = account();
        let q = m.quote("005930");
        let low = q.lower.to_string();
        let (order, _) = a.place(&m, "005930", false, "00", "10", &low).unwrap();
        assert!(a.match_now(&m, &order.odno, false).is_empty());
        assert!(a.sweep(&m).is_empty());
        assert_eq!(a.orders[0].open(), 10);
        assert!(a.available_cash() < a.cash);
        let (modify, n) = a
            .revise(&m, &order.odno, false, "00", "4", &low, false)
            .unwrap();
        assert_eq!(n.get("RCTF_CLS"), "1");
        assert_eq!(modify.orgn_odno, order.odno);
        assert_eq!(a.orders[0].open(), 6);
        let (cancel, n) = a.revise(&m, &order.odno, true, "00", "", "", true).unwrap();
        assert_eq!(n.get("RCTF_CLS"), "2");
        assert_eq!(cancel.qty, 6);
        assert_eq!(a.orders[0].open(), 0);
        assert!(a.revise(&m, &order.odno, true, "00", "", "", true).is_err());
        assert!(a.revise(&m, "999", true, "00", "", "", true).is_err());
        assert_eq!(a.cash, 10_000_000);
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use crate::market::clock::{Clock, MockClock};
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        Place(bool, String, String, String),
        Revise(usize, bool, String, String, bool),
        Fill(usize),
        NewDay,
    }

    fn number() -> impl Strategy<Value = String> {
        prop_oneof![
            (0u64..2_000).prop_map(|n| (n * 100).to_string()),
            (0u64..2_000).prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            ".{0,6}",
        ]
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (
                any::<bool>(),
                prop_oneof![Just("00".to_owned()), Just("01".to_owned())],
                number(),
                number()
            )
                .prop_map(|(s, d, q, p)| Op::Place(s, d, q, p)),
            (0usize..8, any::<bool>(), number(), number(), any::<bool>())
                .prop_map(|(i, c, q, p, a)| Op::Revise(i, c, q, p, a)),
            (0usize..8).prop_map(Op::Fill),
            Just(Op::NewDay),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Any sequence of orders, modifies, cancels, fills and new days with any input keeps
        /// the books consistent and never panics.
        #[test]
        fn books_stay_consistent(ops in proptest::collection::vec(op(), 0..40)) {
            let m = Market::new(1, Clock::new(MockClock::default()));
            let mut a = Account::new(&MockConfig {
                initial_cash: 10_000_000,
                initial_holdings: vec![crate::config::Holding { code: "005930".into(), qty: 100, avg_price: 1000 }],
                ..MockConfig::default()
            }, m.now().date());
            let mut start = 100;
            for op in ops {
                match op {
                    Op::NewDay => {
                        let next = a.day + chrono::Duration::days(1);
                        a.close_day(next, |_| true);
                        start = a.holdings.get("005930").map_or(0, |p| p.qty);
                        prop_assert!(a.orders.is_empty() && a.today.is_empty());
                        prop_assert!(a.past.iter().all(|o| o.open() == 0));
                    }
                    Op::Place(sell, dvsn, qty, price) => {
                        let _ = a.place(&m, "005930", sell, &dvsn, &qty, &price);
                    }
                    Op::Revise(i, cancel, qty, price, all) => {
                        let odno = format!("{:010}", i + 1);
                        let _ = a.revise(&m, &odno, cancel, "00", &qty, &price, all);
                    }
                    Op::Fill(i) => {
                        let _ = a.match_now(&m, &format!("{:010}", i + 1), i % 2 == 0);
                    }
                }
                for o in &a.orders {
                    prop_assert!(o.filled + o.withdrawn <= o.qty || o.kind == OrderKind::Cancel);
                }
                prop_assert!(a.available_cash() <= a.cash);
                let fees: u64 = a.orders.iter().map(|o| o.fees).sum();
                prop_assert_eq!(fees, a.charges, "fees per order add up to the day's charges");
                let numbers: std::collections::BTreeSet<&str> =
                    a.orders.iter().map(|o| o.odno.as_str()).collect();
                prop_assert_eq!(numbers.len(), a.orders.len(), "numbers are unique within a day");
                let held = a.holdings.get("005930").map_or(0, |p| p.qty);
                prop_assert!(a.sellable("005930") <= held);
                // The holding is the start of the day plus today's bought minus sold.
                let (bought, sold) = a.today.get("005930").copied().unwrap_or_default();
                prop_assert_eq!(held + sold, start + bought);
                // D+2 cash is what settled, what is settling and today's net.
                let unsettled: i128 = a.unsettled.iter().map(|u| u.net).sum();
                let today = i128::from(a.sold) - i128::from(a.bought) - i128::from(a.charges);
                prop_assert_eq!(i128::from(a.cash), i128::from(a.deposit) + unsettled + today);
            }
        }
    }
}
