//! The KOSPI200 futures and options side of the account: orders on the universe's near-month
//! future and options matched against the simulated market in the KRX derivatives session,
//! partial fills, modify and cancel, signed positions (long and short), margin and premium in
//! KRW, and `H0IFCNI0` notices. No I/O: [`super::answers`] reads and drives it.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveTime;

use crate::account::{Notice, OrderKind, Reject};
use crate::control::FillRecord;
use crate::market::product::{Class, Product, fmt_units};
use crate::market::{Market, Phase, Quote};

/// KRW per price unit (1/100 index point) and contract: KOSPI200 futures and options trade at
/// 250,000 KRW per point.
pub(crate) const KRW_PER_UNIT: i64 = 2_500;

/// Margin a futures position or a short option takes, in percent of its notional value (a
/// round figure near KRX's; the real rate changes with volatility).
const MARGIN_PCT: i64 = 15;

/// First derivatives order number: apart from the domestic-stock and overseas ones.
const FIRST_ODNO: u64 = 50_000_001;

const MAX_QTY: u64 = 99_999;

fn reject(msg_cd: &'static str, msg1: impl Into<String>) -> Reject {
    Reject {
        msg_cd,
        msg1: msg1.into(),
    }
}

/// One futures/options order (new, modify or cancel).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FoOrder {
    pub odno: String,
    pub orgn_odno: String,
    pub kind: OrderKind,
    pub code: String,
    pub sell: bool,
    /// `ORD_DVSN_CD`: `01` limit, `02` market.
    pub ord_dvsn: String,
    pub qty: u64,
    /// Limit price in 1/100 points (0 for market orders).
    pub price: i64,
    /// What one contract of the order reserves, in KRW (margin or premium).
    pub reserve: i64,
    pub filled: u64,
    /// Sum of quantity × price of the fills, in 1/100 points.
    pub fill_amount: i64,
    pub withdrawn: u64,
    /// The session ended with the order open: the rest was withdrawn (a day order).
    pub expired: bool,
    pub seen_volume: u64,
    pub date: String,
    pub time: String,
}

impl FoOrder {
    /// Quantity still open (0 for a cancel record).
    pub fn open(&self) -> u64 {
        if self.kind == OrderKind::Cancel {
            return 0;
        }
        self.qty - self.filled - self.withdrawn
    }

    /// Average fill price in 1/100 points, to 1/10,000 point (0 before a fill): `(units, e4)`.
    pub fn avg_e4(&self) -> i64 {
        (self.fill_amount * 100)
            .checked_div(self.filled as i64)
            .unwrap_or(0)
    }
}

/// A position: positive long, negative short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FoPosition {
    pub qty: i64,
    /// Sum of the open contracts' entry prices (1/100 points), signed like `qty`.
    pub cost: i64,
}

impl FoPosition {
    /// Average entry price in 1/10,000 points.
    pub fn avg_e4(&self) -> i64 {
        (self.cost * 100).checked_div(self.qty).unwrap_or(0)
    }
}

/// The futures/options account.
#[derive(Debug)]
pub(crate) struct FoAccount {
    pub cano: String,
    pub prdt: String,
    pub hts_id: String,
    /// Cash at the start of the day, KRW.
    pub deposit: i64,
    /// Cash after today's premiums, realized futures profit and commissions, KRW.
    pub cash: i64,
    /// Realized profit of closed futures contracts today, KRW.
    pub futures_realized: i64,
    pub charges: i64,
    pub holdings: BTreeMap<String, FoPosition>,
    pub orders: Vec<FoOrder>,
    pub fills: Vec<FillRecord>,
    commission_bp: f64,
    next_odno: u64,
}

impl FoAccount {
    pub fn new(config: &crate::MockConfig) -> Self {
        let (cano, prdt) = config.account_parts();
        let deposit = i64::try_from(config.initial_cash).unwrap_or(i64::MAX / 4);
        Self {
            cano: cano.to_owned(),
            prdt: prdt.to_owned(),
            hts_id: config.hts_id.clone(),
            deposit,
            cash: deposit,
            futures_realized: 0,
            charges: 0,
            holdings: BTreeMap::new(),
            orders: Vec::new(),
            fills: Vec::new(),
            commission_bp: config.fees.commission_bp,
            next_odno: FIRST_ODNO,
        }
    }

    /// Whether `CANO`/`ACNT_PRDT_CD` name this account: the configured one, or its futures
    /// product code `03` as KIS numbers futures/options accounts.
    pub fn is_account(&self, cano: &str, prdt: &str) -> bool {
        self.cano == cano && (self.prdt == prdt || prdt == "03")
    }

    fn odno(&mut self) -> String {
        let n = self.next_odno;
        self.next_odno += 1;
        format!("{n:010}")
    }

    /// Commission on an amount in KRW (truncated).
    pub fn commission(&self, krw: i64) -> i64 {
        (krw as f64 * self.commission_bp / 10_000.0) as i64
    }

    /// KRW not reserved by open orders.
    pub fn available(&self) -> i64 {
        let reserved: i64 = self
            .orders
            .iter()
            .map(|o| o.open() as i64 * o.reserve)
            .sum();
        self.cash - reserved - self.margin_held()
    }

    /// Margin the open futures and short option positions hold, at their entry prices.
    pub fn margin_held(&self) -> i64 {
        self.holdings
            .iter()
            .filter(|(code, p)| p.qty < 0 || !is_option_code(code))
            .map(|(_, p)| p.cost.abs() * KRW_PER_UNIT * MARGIN_PCT / 100)
            .sum()
    }

    /// The derivative product of a code in the universe, or KIS's "no such product".
    pub fn product(market: &Market, code: &str) -> Result<Arc<Product>, Reject> {
        let code = code.trim().to_ascii_uppercase();
        market
            .products()
            .iter()
            .find(|p| p.venue.is_derivative() && p.code == code)
            .cloned()
            .ok_or_else(|| reject("APBK0656", format!("해당종목정보가 없습니다.({code})")))
    }

    /// Orders are taken from 08:30 to the close (15:45) on KRX trading days.
    fn check_session(q: &Quote) -> Result<(), Reject> {
        let early = NaiveTime::from_hms_opt(8, 30, 0).expect("a valid time");
        match q.phase {
            Phase::Closed => Err(reject("40580000", "장운영시간이 아닙니다. (장종료)")),
            Phase::PreOpen if q.time < early => {
                Err(reject("40570000", "장운영시간이 아닙니다. (장시작전)"))
            }
            _ => Ok(()),
        }
    }

    /// What one contract of an order reserves: the premium of an option bought, the margin of
    /// anything else (futures either way, an option sold), at `price` units.
    fn reserve(product: &Product, sell: bool, price: i64) -> i64 {
        if product.class == Class::Option && !sell {
            price * KRW_PER_UNIT
        } else {
            price * KRW_PER_UNIT * MARGIN_PCT / 100
        }
    }

    /// Accepts a new order: `01` limit at `price`, `02` market.
    #[allow(clippy::too_many_arguments)]
    pub fn place(
        &mut self,
        market: &Market,
        code: &str,
        sell: bool,
        ord_dvsn: &str,
        qty: &str,
        price: &str,
    ) -> Result<(FoOrder, Notice), Reject> {
        let product = Self::product(market, code)?;
        let qty = parse_qty(qty)?;
        let q = market.quote_at(&product, market.now());
        Self::check_session(&q)?;
        let price = order_price(&q, ord_dvsn, price)?;
        let reserve = Self::reserve(&product, sell, if price == 0 { q.upper } else { price });
        let need = qty as i64 * reserve;
        if self.available() < need + self.commission(need) {
            return Err(reject("APBK0952", "주문가능금액을 초과 했습니다"));
        }
        let order = self.record(
            &q,
            OrderKind::New,
            String::new(),
            sell,
            ord_dvsn,
            qty,
            price,
            reserve,
        );
        let notice = self.notice(&order, None);
        Ok((order, notice))
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        q: &Quote,
        kind: OrderKind,
        orgn_odno: String,
        sell: bool,
        ord_dvsn: &str,
        qty: u64,
        price: i64,
        reserve: i64,
    ) -> FoOrder {
        let order = FoOrder {
            odno: self.odno(),
            orgn_odno,
            kind,
            code: q.product.code.clone(),
            sell,
            ord_dvsn: ord_dvsn.trim().to_owned(),
            qty,
            price,
            reserve,
            filled: 0,
            fill_amount: 0,
            withdrawn: 0,
            expired: false,
            seen_volume: q.volume,
            date: q.date.format("%Y%m%d").to_string(),
            time: q.time.format("%H%M%S").to_string(),
        };
        self.orders.push(order.clone());
        order
    }

    /// Modifies (`cancel` false) or cancels `qty` (or, with `all`, everything open) of an
    /// order.
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
    ) -> Result<(FoOrder, Notice), Reject> {
        let orgn = orgn_odno.trim().trim_start_matches('0');
        let Some(idx) = self
            .orders
            .iter()
            .position(|o| !orgn.is_empty() && o.odno.trim_start_matches('0') == orgn)
        else {
            return Err(reject("APBK0918", "원주문번호가 존재하지 않습니다."));
        };
        let open = self.orders[idx].open();
        if open == 0 {
            return Err(reject("APBK0919", "정정/취소 가능한 수량이 없습니다."));
        }
        let take = match (all, qty.trim()) {
            (true, _) | (_, "" | "0") => open,
            (false, q) => parse_qty(q)?.min(open),
        };
        let original = self.orders[idx].clone();
        let product = market.product(&original.code);
        let q = market.quote_at(&product, market.now());
        Self::check_session(&q)?;
        let (dvsn, new_price, reserve) = if cancel {
            (original.ord_dvsn.clone(), original.price, original.reserve)
        } else {
            let p = order_price(&q, ord_dvsn, price)?;
            let reserve = Self::reserve(&product, original.sell, if p == 0 { q.upper } else { p });
            let extra = take as i64 * (reserve - original.reserve);
            if extra > 0 && self.available() < extra {
                return Err(reject("APBK0952", "주문가능금액을 초과 했습니다"));
            }
            (ord_dvsn.trim().to_owned(), p, reserve)
        };
        self.orders[idx].withdrawn += take;
        let kind = if cancel {
            OrderKind::Cancel
        } else {
            OrderKind::Modify
        };
        let order = self.record(
            &q,
            kind,
            original.odno,
            original.sell,
            &dvsn,
            take,
            new_price,
            reserve,
        );
        let notice = self.notice(&order, None);
        Ok((order, notice))
    }

    /// Fills `qty` at `price` units: premium (options), realized profit (futures closing),
    /// commission, and the signed position.
    fn execute(&mut self, q: &Quote, idx: usize, qty: u64, price: i64) -> Notice {
        let order = &mut self.orders[idx];
        order.filled += qty;
        order.fill_amount += qty as i64 * price;
        let order = order.clone();
        let krw = qty as i64 * price * KRW_PER_UNIT;
        let commission = self.commission(krw);
        self.charges += commission;
        self.cash -= commission;
        let option = q.product.class == Class::Option;
        if option {
            // Premium: the buyer pays, the writer receives.
            self.cash += if order.sell { krw } else { -krw };
        }
        let delta = if order.sell {
            -(qty as i64)
        } else {
            qty as i64
        };
        let p = self
            .holdings
            .entry(order.code.clone())
            .or_insert(FoPosition { qty: 0, cost: 0 });
        if p.qty == 0 || p.qty.signum() == delta.signum() {
            p.qty += delta;
            p.cost += delta * price;
        } else {
            // Closing (and perhaps reversing): the closed contracts realize their profit.
            let closing = delta.abs().min(p.qty.abs());
            let entry_cost = p.cost * closing / p.qty.abs();
            let exit_cost = p.qty.signum() * closing * price;
            if !option {
                self.futures_realized += (exit_cost - entry_cost) * KRW_PER_UNIT;
                self.cash += (exit_cost - entry_cost) * KRW_PER_UNIT;
            }
            p.qty += p.qty.signum() * -closing;
            p.cost -= entry_cost;
            let opening = delta.abs() - closing;
            if opening > 0 {
                p.qty = delta.signum() * opening;
                p.cost = delta.signum() * opening * price;
            }
        }
        if p.qty == 0 {
            self.holdings.remove(&order.code);
        }
        self.fills.push(FillRecord {
            odno: order.odno.clone(),
            symbol: order.code.clone(),
            sell: order.sell,
            qty,
            price: fmt_units(price, 2),
            day: q.date.format("%Y%m%d").to_string(),
            time: q.time.format("%H%M%S").to_string(),
        });
        self.notice(&order, Some((qty, price, q)))
    }

    /// Matches an order against the book now (market orders walk it, a remainder beyond ten
    /// levels at the last); with `force` the rest fills at the limit ([`crate::Fill::Immediate`]).
    pub fn match_now(&mut self, market: &Market, odno: &str, force: bool) -> Vec<Notice> {
        let Some(idx) = self.orders.iter().position(|o| o.odno == odno) else {
            return Vec::new();
        };
        let o = self.orders[idx].clone();
        let mut open = o.open();
        if open == 0 {
            return Vec::new();
        }
        let product = market.product(&o.code);
        let q = market.quote_at(&product, market.now());
        let mut notices = Vec::new();
        if q.phase == Phase::Continuous {
            let book = market.book(&q);
            let levels = if o.sell { &book.bids } else { &book.asks };
            let mut last = q.price;
            for level in levels {
                let reaches = o.price == 0
                    || if o.sell {
                        level.price >= o.price
                    } else {
                        level.price <= o.price
                    };
                if !reaches || open == 0 {
                    break;
                }
                let take = open.min(level.qty);
                notices.push(self.execute(&q, idx, take, level.price));
                open -= take;
                last = level.price;
            }
            if o.price == 0 && open > 0 {
                notices.push(self.execute(&q, idx, open, last));
                open = 0;
            }
            self.orders[idx].seen_volume = q.volume;
        }
        if force && open > 0 {
            let price = if o.price == 0 { q.price } else { o.price };
            notices.push(self.execute(&q, idx, open, price));
        }
        notices
    }

    /// Fills resting orders the market reached (a quarter of the volume traded meanwhile, at
    /// the limit); market orders resting from before the open fill at the book.
    pub fn sweep(&mut self, market: &Market) -> Vec<Notice> {
        let mut notices = Vec::new();
        let now = market.now();
        for idx in 0..self.orders.len() {
            let o = &self.orders[idx];
            if o.open() == 0 {
                continue;
            }
            let product = market.product(&o.code);
            let q = market.quote_at(&product, now);
            if q.phase == Phase::Closed || o.date < q.date.format("%Y%m%d").to_string() {
                // A day order: what the session left open is withdrawn at its end.
                let open = o.open();
                self.orders[idx].withdrawn += open;
                self.orders[idx].expired = true;
                continue;
            }
            if o.price == 0 {
                let odno = o.odno.clone();
                notices.extend(self.match_now(market, &odno, false));
                continue;
            }
            if q.phase != Phase::Continuous {
                continue;
            }
            let crossed = if o.sell {
                q.price >= o.price
            } else {
                q.price <= o.price
            };
            let traded = q.volume.saturating_sub(o.seen_volume);
            if !crossed || traded == 0 {
                continue;
            }
            let take = o.open().min((traded / 4).max(1));
            let price = o.price;
            self.orders[idx].seen_volume = q.volume;
            notices.push(self.execute(&q, idx, take, price));
        }
        notices
    }

    /// Whether any order is open.
    pub fn has_open(&self) -> bool {
        self.orders.iter().any(|o| o.open() > 0)
    }

    /// An `H0IFCNI0` notice: acceptance (`ODER_KIND2` `L`) or fill (`0`); prices are 1/100
    /// points in 9 digits (`000035025` is 350.25), as KIS's example.
    fn notice(&self, order: &FoOrder, fill: Option<(u64, i64, &Quote)>) -> Notice {
        let rctf = match order.kind {
            OrderKind::New => "0",
            OrderKind::Modify => "1",
            OrderKind::Cancel => "2",
        };
        let (qty, price, time) = match fill {
            Some((qty, price, q)) => (qty, price, q.time.format("%H%M%S").to_string()),
            None => (0, 0, order.time.clone()),
        };
        Notice {
            tr: "H0IFCNI",
            hts_id: self.hts_id.clone(),
            values: vec![
                ("CUST_ID", self.hts_id.clone()),
                ("ACNT_NO", format!("{}03", self.cano)),
                ("ODER_NO", order.odno.clone()),
                ("OODER_NO", order.orgn_odno.clone()),
                ("SELN_BYOV_CLS", if order.sell { "01" } else { "02" }.into()),
                ("RCTF_CLS", rctf.into()),
                ("ODER_KIND2", if fill.is_some() { "0" } else { "L" }.into()),
                ("STCK_SHRN_ISCD", order.code.clone()),
                ("CNTG_QTY", format!("{qty:010}")),
                ("CNTG_UNPR", format!("{price:09}")),
                ("STCK_CNTG_HOUR", time),
                ("RFUS_YN", "0".into()),
                ("CNTG_YN", if fill.is_some() { "2" } else { "1" }.into()),
                ("ACPT_YN", if fill.is_some() { "2" } else { "1" }.into()),
                ("BRNC_NO", crate::account::BRANCH.into()),
                ("ODER_QTY", format!("{:09}", order.qty)),
                ("ACNT_NAME", "모의계좌".into()),
                ("CNTG_ISNM", order.code.clone()),
                ("ODER_COND", String::new()),
                ("ORD_GRP", String::new()),
                ("ORD_GRPSEQ", String::new()),
                ("ORDER_PRC", format!("{:09}", order.price)),
            ],
        }
    }
}

/// Whether a derivatives code is an option (KRX: `2..` calls, `3..` puts).
pub(crate) fn is_option_code(code: &str) -> bool {
    code.starts_with('2') || code.starts_with('3')
}

/// The price of an order: `01` limit on the tick grid and inside the day's limits, `02`
/// market (0). Conditional and best-price types are not simulated.
fn order_price(q: &Quote, ord_dvsn: &str, price: &str) -> Result<i64, Reject> {
    match ord_dvsn.trim() {
        "02" => Ok(0),
        "01" => {
            let p = crate::overseas::book::parse_price(price)?;
            let v = q.product.venue;
            if !v.on_grid(p) {
                return Err(reject(
                    "APBK0506",
                    format!(
                        "호가단위 오류입니다. ({}: 호가단위 {})",
                        fmt_units(p, 2),
                        fmt_units(v.tick(p), 2)
                    ),
                ));
            }
            if p > q.upper || p < q.lower {
                return Err(reject(
                    "APBK0507",
                    format!(
                        "주문가격이 가격제한폭을 벗어났습니다. (하한가 {} ~ 상한가 {})",
                        fmt_units(q.lower, 2),
                        fmt_units(q.upper, 2)
                    ),
                ));
            }
            Ok(p)
        }
        other => Err(reject(
            "APBK1271",
            format!(
                "주문구분 입력오류입니다. ({other}: kis-mock은 01 지정가, 02 시장가만 체결합니다)"
            ),
        )),
    }
}

fn parse_qty(text: &str) -> Result<u64, Reject> {
    match text.trim().parse::<u64>() {
        Ok(q) if (1..=MAX_QTY).contains(&q) => Ok(q),
        _ => Err(reject("APBK1269", "주문수량을 확인하여 주십시오.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::clock::{Clock, MockClock};
    use proptest::prelude::*;

    /// 10:30 KST on Thursday 2026-11-26.
    fn market() -> Market {
        Market::new(
            3,
            Clock::new(MockClock::Simulated {
                start: chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
                    .and_then(|d| d.and_hms_opt(10, 30, 0)),
                speed: 1.0,
            }),
        )
    }

    fn account() -> FoAccount {
        FoAccount::new(&crate::MockConfig {
            initial_cash: 10_000_000_000,
            fees: crate::Fees {
                commission_bp: 0.0,
                sell_tax_bp: 0.0,
            },
            ..crate::MockConfig::default()
        })
    }

    fn future(m: &Market) -> Arc<Product> {
        m.products()
            .iter()
            .find(|p| p.class == Class::Future)
            .cloned()
            .unwrap()
    }

    #[test]
    fn futures_round_trip_realizes_the_difference() {
        let m = market();
        let mut a = account();
        let f = future(&m);
        let (buy, accept) = a.place(&m, &f.code, false, "02", "2", "0").unwrap();
        assert_eq!(accept.get("ODER_KIND2"), "L");
        let fills = a.match_now(&m, &buy.odno, false);
        assert!(!fills.is_empty());
        assert_eq!(a.holdings[&f.code].qty, 2);
        let entry = a.orders[0].fill_amount;
        let (sell, _) = a.place(&m, &f.code, true, "02", "3", "0").unwrap();
        a.match_now(&m, &sell.odno, false);
        // Net short one after closing two.
        assert_eq!(a.holdings[&f.code].qty, -1);
        let exit_two = a.orders[1].fill_amount * 2 / 3;
        assert!((a.futures_realized - (exit_two - entry) * KRW_PER_UNIT).abs() <= KRW_PER_UNIT * 2);
        assert_eq!(a.cash, a.deposit + a.futures_realized);
    }

    #[test]
    fn day_orders_expire_at_the_close() {
        let m = market();
        let mut a = account();
        let f = future(&m);
        let q = m.quote_at(&f, m.now());
        let low = fmt_units(f.venue.ceil(q.lower), 2);
        let (order, _) = a.place(&m, &f.code, false, "01", "2", &low).unwrap();
        assert!(a.sweep(&m).is_empty());
        assert_eq!(a.orders[0].open(), 2);
        // 16:00 the same day: closed.
        let evening = Market::new(
            3,
            Clock::new(MockClock::Simulated {
                start: chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
                    .and_then(|d| d.and_hms_opt(16, 0, 0)),
                speed: 1.0,
            }),
        );
        assert!(a.sweep(&evening).is_empty());
        assert!(a.orders[0].expired);
        assert_eq!(a.orders[0].open(), 0);
        assert_eq!(a.available(), a.cash, "nothing reserved any more");
        assert!(a.revise(&m, &order.odno, true, "01", "", "", true).is_err());
    }

    #[test]
    fn refusals() {
        let m = market();
        let mut a = account();
        let f = future(&m);
        assert_eq!(
            a.place(&m, "101Z99", false, "01", "1", "350.00")
                .unwrap_err()
                .msg_cd,
            "APBK0656"
        );
        assert_eq!(
            a.place(&m, "005930", false, "01", "1", "350.00")
                .unwrap_err()
                .msg_cd,
            "APBK0656"
        );
        assert_eq!(
            a.place(&m, &f.code, false, "01", "1", "350.01")
                .unwrap_err()
                .msg_cd,
            "APBK0506",
            "futures tick 0.05"
        );
        assert_eq!(
            a.place(&m, &f.code, false, "03", "1", "350.00")
                .unwrap_err()
                .msg_cd,
            "APBK1271"
        );
        let poor = FoAccount::new(&crate::MockConfig {
            initial_cash: 1_000,
            ..crate::MockConfig::default()
        });
        let mut poor = poor;
        assert_eq!(
            poor.place(&m, &f.code, false, "02", "1", "0")
                .unwrap_err()
                .msg_cd,
            "APBK0952"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Any orders, revisions and fills keep quantities consistent and never panic; the
        /// signed position is what the fills add up to.
        #[test]
        fn books_stay_consistent(ops in proptest::collection::vec(
            (0u8..3, any::<bool>(), 0u64..30, 0usize..8, any::<bool>()), 0..30)) {
            let m = market();
            let mut a = account();
            let f = future(&m);
            let q = m.quote_at(&f, m.now());
            for (op, flag, qty, i, market_order) in ops {
                let dvsn = if market_order { "02" } else { "01" };
                let price = fmt_units(q.price, 2);
                let odno = format!("{:010}", FIRST_ODNO + i as u64);
                match op {
                    0 => { let _ = a.place(&m, &f.code, flag, dvsn, &qty.to_string(), &price); }
                    1 => { let _ = a.revise(&m, &odno, flag, dvsn, &qty.to_string(), &price, qty == 0); }
                    _ => { let _ = a.match_now(&m, &odno, flag); }
                }
                for o in &a.orders {
                    prop_assert!(o.filled + o.withdrawn <= o.qty || o.kind == OrderKind::Cancel);
                }
                let net: i64 = a.fills.iter().map(|f| if f.sell { -(f.qty as i64) } else { f.qty as i64 }).sum();
                prop_assert_eq!(a.holdings.get(&f.code).map_or(0, |p| p.qty), net);
            }
        }
    }
}
