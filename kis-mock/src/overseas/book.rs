//! The US-stock side of the account: orders on NASDAQ, NYSE and AMEX products of the universe
//! matched against the simulated market in the New York session, partial fills, modify and
//! cancel, positions and cash in USD (cents), and `H0GSCNI0` notices. No I/O: the REST answers
//! in [`super::answers`] read and drive it.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::account::{Notice, OrderKind, Reject};
use crate::control::FillRecord;
use crate::market::product::{Product, Venue, fmt_units};
use crate::market::{Market, Phase, Quote};

/// First overseas order number: overseas numbers never meet the domestic ones (`0000000001`..),
/// so a ledger keyed by order number cannot confuse them.
const FIRST_ODNO: u64 = 30_000_001;

/// Largest quantity the mock takes (amounts stay far from overflow).
const MAX_QTY: u64 = 999_999_999;

/// Largest price in cents (USD 9,999,999.99).
const MAX_PRICE: i64 = 999_999_999;

fn reject(msg_cd: &'static str, msg1: impl Into<String>) -> Reject {
    Reject {
        msg_cd,
        msg1: msg1.into(),
    }
}

/// KIS's exchange code of an order (`OVRS_EXCG_CD`) for a US venue.
pub(crate) fn order_exchange(venue: Venue) -> &'static str {
    match venue {
        Venue::Nyse => "NYSE",
        Venue::Amex => "AMEX",
        _ => "NASD",
    }
}

/// The market name KIS lists beside an order (`tr_mket_name`).
pub(crate) fn market_name(venue: Venue) -> &'static str {
    match venue {
        Venue::Nyse => "뉴욕거래소",
        Venue::Amex => "아멕스",
        _ => "나스닥",
    }
}

/// One US order (new, modify or cancel).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UsOrder {
    pub odno: String,
    pub orgn_odno: String,
    pub kind: OrderKind,
    pub code: String,
    pub venue: Venue,
    pub sell: bool,
    pub qty: u64,
    /// Limit price in cents.
    pub price: i64,
    pub filled: u64,
    /// Sum of quantity × price of the fills, in cents.
    pub fill_amount: i64,
    pub withdrawn: u64,
    /// The session ended with the order open: the rest was withdrawn (a day order).
    pub expired: bool,
    /// The day's cumulative volume when the order was last matched.
    pub seen_volume: u64,
    /// New York trading day and time of the order (`YYYYMMDD`, `HHMMSS`).
    pub date: String,
    pub time: String,
    /// The KST day and time KIS took it (`dmst_ord_dt`, `thco_ord_tmd`).
    pub kst_date: String,
    pub kst_time: String,
}

impl UsOrder {
    /// Quantity still open (0 for a cancel record).
    pub fn open(&self) -> u64 {
        if self.kind == OrderKind::Cancel {
            return 0;
        }
        self.qty - self.filled - self.withdrawn
    }

    /// Average fill price in 1/10,000 dollars (0 before a fill).
    pub fn avg_price_e4(&self) -> i64 {
        (self.fill_amount * 100)
            .checked_div(self.filled as i64)
            .unwrap_or(0)
    }
}

/// A held US position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UsPosition {
    pub venue: Venue,
    pub qty: u64,
    /// What the position cost, in cents.
    pub cost: i64,
}

impl UsPosition {
    /// Average purchase price in 1/10,000 dollars.
    pub fn avg_price_e4(&self) -> i64 {
        (self.cost * 100).checked_div(self.qty as i64).unwrap_or(0)
    }
}

/// The account's USD side.
#[derive(Debug)]
pub(crate) struct UsAccount {
    pub cano: String,
    pub prdt: String,
    pub hts_id: String,
    /// USD the account started the day with, in cents (외화예수금 before today's trades).
    pub deposit: i64,
    /// USD after today's trades and commissions, in cents.
    pub cash: i64,
    pub bought: i64,
    pub sold: i64,
    pub charges: i64,
    /// Today's realized profit of sells (proceeds less commission less cost), in cents.
    pub realized: i64,
    pub holdings: BTreeMap<String, UsPosition>,
    pub orders: Vec<UsOrder>,
    pub fills: Vec<FillRecord>,
    commission_bp: f64,
    next_odno: u64,
}

impl UsAccount {
    pub fn new(config: &crate::MockConfig) -> Self {
        let (cano, prdt) = config.account_parts();
        let deposit = i64::try_from(config.initial_usd_cents).unwrap_or(i64::MAX / 4);
        Self {
            cano: cano.to_owned(),
            prdt: prdt.to_owned(),
            hts_id: config.hts_id.clone(),
            deposit,
            cash: deposit,
            bought: 0,
            sold: 0,
            charges: 0,
            realized: 0,
            holdings: BTreeMap::new(),
            orders: Vec::new(),
            fills: Vec::new(),
            commission_bp: config.us_commission_bp,
            next_odno: FIRST_ODNO,
        }
    }

    fn odno(&mut self) -> String {
        let n = self.next_odno;
        self.next_odno += 1;
        format!("{n:010}")
    }

    /// Commission on an amount in cents (truncated to whole cents).
    pub fn commission(&self, amount: i64) -> i64 {
        (amount as f64 * self.commission_bp / 10_000.0) as i64
    }

    /// USD not reserved by open buy orders (commission included), in cents.
    pub fn available(&self) -> i64 {
        let reserved: i64 = self
            .orders
            .iter()
            .filter(|o| !o.sell)
            .map(|o| {
                let amount = o.open() as i64 * o.price;
                amount + self.commission(amount)
            })
            .sum();
        self.cash - reserved
    }

    /// Shares of `code` that can still be sold (held minus open sells).
    pub fn sellable(&self, code: &str) -> u64 {
        let held = self.holdings.get(code).map_or(0, |p| p.qty);
        let pending: u64 = self
            .orders
            .iter()
            .filter(|o| o.sell && o.code == code)
            .map(UsOrder::open)
            .sum();
        held.saturating_sub(pending)
    }

    /// Whether any order is open.
    pub fn has_open(&self) -> bool {
        self.orders.iter().any(|o| o.open() > 0)
    }

    /// The US product of a symbol in the universe, or KIS's "no such product" refusal.
    pub fn product(market: &Market, code: &str) -> Result<Arc<Product>, Reject> {
        let code = code.trim().to_ascii_uppercase();
        market
            .products()
            .iter()
            .find(|p| p.venue.is_us() && p.code == code)
            .cloned()
            .ok_or_else(|| reject("APBK0656", format!("해당종목정보가 없습니다.({code})")))
    }

    /// New York must be in its regular session (09:30–16:00 on a NYSE trading day).
    fn check_session(q: &Quote) -> Result<(), Reject> {
        match q.phase {
            Phase::Continuous => Ok(()),
            Phase::PreOpen => Err(reject(
                "40570000",
                "장운영시간이 아닙니다. (미국 장시작전: 정규장 09:30~16:00 뉴욕시간)",
            )),
            _ => Err(reject(
                "40580000",
                "장운영시간이 아닙니다. (미국 장종료: 정규장 09:30~16:00 뉴욕시간)",
            )),
        }
    }

    /// Accepts a new limit order (`ORD_DVSN` 00).
    #[allow(clippy::too_many_arguments)]
    pub fn place(
        &mut self,
        market: &Market,
        code: &str,
        sell: bool,
        ord_dvsn: &str,
        qty: &str,
        price: &str,
    ) -> Result<(UsOrder, Notice), Reject> {
        let product = Self::product(market, code)?;
        check_dvsn(ord_dvsn)?;
        let qty = parse_qty(qty)?;
        let price = parse_price(price)?;
        let q = market.quote_at(&product, market.now());
        Self::check_session(&q)?;
        if sell {
            if self.sellable(&product.code) < qty {
                return Err(reject("APBK0400", "주문 가능한 수량을 초과했습니다."));
            }
        } else {
            let amount = qty as i64 * price;
            if self.available() < amount + self.commission(amount) {
                return Err(reject("APBK0952", "주문가능금액을 초과 했습니다"));
            }
        }
        let order = self.record(market, &q, OrderKind::New, String::new(), sell, qty, price);
        let notice = self.notice(&order, None);
        Ok((order, notice))
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        market: &Market,
        q: &Quote,
        kind: OrderKind,
        orgn_odno: String,
        sell: bool,
        qty: u64,
        price: i64,
    ) -> UsOrder {
        let kst = market.now();
        let order = UsOrder {
            odno: self.odno(),
            orgn_odno,
            kind,
            code: q.product.code.clone(),
            venue: q.product.venue,
            sell,
            qty,
            price,
            filled: 0,
            fill_amount: 0,
            withdrawn: 0,
            expired: false,
            seen_volume: q.volume,
            date: q.date.format("%Y%m%d").to_string(),
            time: q.time.format("%H%M%S").to_string(),
            kst_date: kst.format("%Y%m%d").to_string(),
            kst_time: kst.format("%H%M%S").to_string(),
        };
        self.orders.push(order.clone());
        order
    }

    /// Modifies the price of (`cancel` false) or cancels an open order's remaining quantity,
    /// or `qty` of it when given.
    pub fn revise(
        &mut self,
        market: &Market,
        orgn_odno: &str,
        cancel: bool,
        qty: &str,
        price: &str,
    ) -> Result<(UsOrder, Notice), Reject> {
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
        let take = match qty.trim() {
            "" | "0" => open,
            q => parse_qty(q)?.min(open),
        };
        let original = self.orders[idx].clone();
        let new_price = if cancel {
            original.price
        } else {
            parse_price(price)?
        };
        let product = market.product(&original.code);
        let q = market.quote_at(&product, market.now());
        Self::check_session(&q)?;
        if !cancel && !original.sell {
            let extra = take as i64 * (new_price - original.price);
            if extra > 0 && self.available() < extra + self.commission(extra) {
                return Err(reject("APBK0952", "주문가능금액을 초과 했습니다"));
            }
        }
        self.orders[idx].withdrawn += take;
        let kind = if cancel {
            OrderKind::Cancel
        } else {
            OrderKind::Modify
        };
        let order = self.record(
            market,
            &q,
            kind,
            original.odno,
            original.sell,
            take,
            new_price,
        );
        let notice = self.notice(&order, None);
        Ok((order, notice))
    }

    /// Fills `qty` of an order at `price` (cents): cash, commission and the position move.
    fn execute(&mut self, q: &Quote, idx: usize, qty: u64, price: i64) -> Notice {
        let amount = qty as i64 * price;
        let commission = self.commission(amount);
        let order = &mut self.orders[idx];
        order.filled += qty;
        order.fill_amount += amount;
        let order = order.clone();
        self.charges += commission;
        if order.sell {
            self.cash += amount - commission;
            self.sold += amount;
            if let Some(p) = self.holdings.get_mut(&order.code) {
                let cost_out = (p.cost * qty as i64).checked_div(p.qty as i64).unwrap_or(0);
                p.qty = p.qty.saturating_sub(qty);
                p.cost -= cost_out;
                self.realized += amount - commission - cost_out;
                if p.qty == 0 {
                    self.holdings.remove(&order.code);
                }
            }
        } else {
            self.cash -= amount + commission;
            self.bought += amount;
            let p = self
                .holdings
                .entry(order.code.clone())
                .or_insert(UsPosition {
                    venue: order.venue,
                    qty: 0,
                    cost: 0,
                });
            p.qty += qty;
            p.cost += amount;
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

    /// Matches an order against the book now: a buy takes the asks at or below its limit, a
    /// sell the bids at or above, level by level. With `force`, whatever stays open fills at
    /// the limit ([`crate::Fill::Immediate`]).
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
            for level in levels {
                let reaches = if o.sell {
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
            }
            self.orders[idx].seen_volume = q.volume;
        }
        if force && open > 0 {
            notices.push(self.execute(&q, idx, open, o.price));
        }
        notices
    }

    /// Fills resting orders the market reached since they were last looked at: a buy when the
    /// price trades at or below its limit, a sell at or above, by a quarter of the volume
    /// traded meanwhile (large orders fill partially over time), at the limit price.
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

    /// An `H0GSCNI0` notice: an acceptance (`fill` `None`) or a fill of `(qty, price, quote)`.
    /// As KIS documents it, an acceptance carries the order quantity and price in
    /// `CNTG_QTY`/`CNTG_UNPR` (and no `ODER_QTY`); prices have 4 implied decimals in 9 digits.
    fn notice(&self, order: &UsOrder, fill: Option<(u64, i64, &Quote)>) -> Notice {
        let rctf = match order.kind {
            OrderKind::New => "0",
            OrderKind::Modify => "1",
            OrderKind::Cancel => "2",
        };
        let (qty, price, oder_qty, time) = match fill {
            Some((qty, price, q)) => (
                qty,
                price,
                format!("{:010}", order.qty),
                q.time.format("%H%M%S").to_string(),
            ),
            None => (order.qty, order.price, String::new(), order.time.clone()),
        };
        let cond = match order.venue {
            Venue::Nyse => "7",
            Venue::Amex => "8",
            _ => "6",
        };
        Notice {
            tr: "H0GSCNI",
            hts_id: self.hts_id.clone(),
            values: vec![
                ("CUST_ID", self.hts_id.clone()),
                ("ACNT_NO", format!("{}{}", self.cano, self.prdt)),
                ("ODER_NO", order.odno.clone()),
                ("OODER_NO", order.orgn_odno.clone()),
                ("SELN_BYOV_CLS", if order.sell { "01" } else { "02" }.into()),
                ("RCTF_CLS", rctf.into()),
                ("ODER_KIND2", "2".into()),
                ("STCK_SHRN_ISCD", order.code.clone()),
                ("CNTG_QTY", format!("{qty:010}")),
                ("CNTG_UNPR", format!("{:09}", price * 100)),
                ("STCK_CNTG_HOUR", time),
                ("RFUS_YN", "0".into()),
                ("CNTG_YN", if fill.is_some() { "2" } else { "1" }.into()),
                ("ACPT_YN", if fill.is_some() { "2" } else { "1" }.into()),
                ("BRNC_NO", super::BRANCH.into()),
                ("ODER_QTY", oder_qty),
                ("ACNT_NAME", "모의계좌".into()),
                ("CNTG_ISNM", order.code.clone()),
                ("ODER_COND", cond.into()),
                ("DEBT_GB", "10".into()),
                ("DEBT_DATE", String::new()),
                ("START_TM", String::new()),
                ("END_TM", String::new()),
                ("TM_DIV_TP", String::new()),
                ("CNTG_UNPR12", fmt_units(price * 100, 4)),
            ],
        }
    }
}

/// Only limit orders (`00`) are simulated; KIS's US order types LOO/LOC/MOO/MOC/TWAP/VWAP
/// (`31`–`36`) are refused with what is missing.
fn check_dvsn(ord_dvsn: &str) -> Result<(), Reject> {
    match ord_dvsn.trim() {
        "00" => Ok(()),
        "31" | "32" | "33" | "34" | "35" | "36" => Err(reject(
            "APBK1271",
            format!("주문구분 입력오류입니다. (kis-mock은 지정가 00만 체결합니다: {ord_dvsn})"),
        )),
        other => Err(reject(
            "APBK1271",
            format!("주문구분 입력오류입니다. ({other})"),
        )),
    }
}

fn parse_qty(text: &str) -> Result<u64, Reject> {
    match text.trim().parse::<u64>() {
        Ok(q) if (1..=MAX_QTY).contains(&q) => Ok(q),
        _ => Err(reject("APBK1269", "주문수량을 확인하여 주십시오.")),
    }
}

/// A USD price (`195.25`, `195.2500`, `195`) in cents; fractions of a cent are refused (the US
/// tick at or above $1), as is anything under $0.01 (`APBK1507`, KIS's words).
pub(crate) fn parse_price(text: &str) -> Result<i64, Reject> {
    let text = text.trim();
    let bad = || {
        reject(
            "APBK1270",
            format!("주문단가를 확인하여 주십시오. ({text})"),
        )
    };
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && frac.is_empty() {
        return Err(bad());
    }
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let (cents, rest) = frac.split_at(frac.len().min(2));
    if rest.bytes().any(|b| b != b'0') {
        return Err(reject(
            "APBK0506",
            format!("호가단위 오류입니다. ({text}: 호가단위 0.01 USD)"),
        ));
    }
    let cents: i64 = format!("{cents:0<2}").parse().map_err(|_| bad())?;
    let price = whole.checked_mul(100).and_then(|w| w.checked_add(cents));
    match price {
        Some(p) if p > MAX_PRICE => Err(bad()),
        Some(p) if p >= 1 => Ok(p),
        Some(_) => Err(reject("APBK1507", "가격 $0.01 미만시 온라인 주문불가")),
        None => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::clock::{Clock, MockClock};
    use proptest::prelude::*;

    /// 11:00 New York on Wednesday 2026-11-25 (01:00 KST on the 26th).
    pub(crate) fn ny_market() -> Market {
        let start = chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
            .unwrap()
            .and_hms_opt(1, 0, 0)
            .unwrap();
        Market::new(
            3,
            Clock::new(MockClock::Simulated {
                start: Some(start),
                speed: 1.0,
            }),
        )
    }

    const CASH: i64 = 100_000_000_000;

    fn account() -> UsAccount {
        UsAccount::new(&crate::MockConfig {
            initial_usd_cents: CASH as u64,
            us_commission_bp: 0.0,
            ..crate::MockConfig::default()
        })
    }

    #[test]
    fn prices_in_cents() {
        assert_eq!(parse_price("195.25"), Ok(19_525));
        assert_eq!(parse_price("195.2500"), Ok(19_525));
        assert_eq!(parse_price("195"), Ok(19_500));
        assert_eq!(parse_price("0.5"), Ok(50));
        assert_eq!(parse_price("0").unwrap_err().msg_cd, "APBK1507");
        assert_eq!(parse_price("1.001").unwrap_err().msg_cd, "APBK0506");
        for bad in ["", ".", "-1", "1e3", "abc", "1.2.3", "99999999999999999999"] {
            assert!(parse_price(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn unknown_symbols_and_domestic_codes_are_not_us_products() {
        let m = ny_market();
        let mut a = account();
        for code in ["ZZZZ", "005930", ""] {
            let e = a.place(&m, code, false, "00", "1", "10").unwrap_err();
            assert_eq!(e.msg_cd, "APBK0656", "{code}");
        }
        assert_eq!(
            a.place(&m, "AAPL", false, "34", "1", "10")
                .unwrap_err()
                .msg_cd,
            "APBK1271"
        );
    }

    #[test]
    fn closed_new_york_refuses() {
        // 10:30 KST on a Thursday: 20:30 in New York the evening before.
        let m = Market::new(
            3,
            Clock::new(MockClock::Simulated {
                start: chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
                    .and_then(|d| d.and_hms_opt(10, 30, 0)),
                speed: 1.0,
            }),
        );
        let mut a = account();
        let e = a.place(&m, "AAPL", false, "00", "1", "100").unwrap_err();
        assert_eq!(e.msg_cd, "40580000");
        assert!(a.orders.is_empty());
    }

    #[test]
    fn crossing_buy_walks_the_asks_and_a_resting_one_is_modified_and_cancelled() {
        let m = ny_market();
        let mut a = account();
        let p = UsAccount::product(&m, "AAPL").unwrap();
        let q = m.quote_at(&p, m.now());
        let book = m.book(&q);
        let top = book.asks[0];
        // More than the best ask holds, limit at the second level: two fills.
        let qty = top.qty + 1;
        let limit = book.asks[1].price;
        let (order, accept) = a
            .place(
                &m,
                "aapl",
                false,
                "00",
                &qty.to_string(),
                &fmt_units(limit, 2),
            )
            .unwrap();
        assert_eq!(accept.get("CNTG_YN"), "1");
        assert_eq!(accept.get("CNTG_QTY"), format!("{qty:010}"));
        let fills = a.match_now(&m, &order.odno, false);
        assert_eq!(fills.len(), 2);
        assert_eq!(fills[0].get("CNTG_UNPR"), format!("{:09}", top.price * 100));
        assert_eq!(a.orders[0].filled, qty);
        assert_eq!(a.holdings["AAPL"].qty, qty);
        assert_eq!(a.cash, CASH - a.orders[0].fill_amount);
        // A buy far below the market rests; modify then cancel it.
        let low = fmt_units(q.price / 2, 2);
        let (rest, _) = a.place(&m, "AAPL", false, "00", "3", &low).unwrap();
        assert!(a.match_now(&m, &rest.odno, false).is_empty());
        let (modify, n) = a.revise(&m, &rest.odno, false, "3", "1.00").unwrap();
        assert_eq!(n.get("RCTF_CLS"), "1");
        assert_eq!(modify.orgn_odno, rest.odno);
        assert_eq!(a.orders[1].open(), 0);
        let (cancel, n) = a.revise(&m, &modify.odno, true, "", "").unwrap();
        assert_eq!(n.get("RCTF_CLS"), "2");
        assert_eq!(cancel.qty, 3);
        assert!(a.revise(&m, &modify.odno, true, "", "").is_err());
        assert_eq!(a.available(), a.cash);
        // Selling more than held is refused.
        let e = a
            .place(&m, "AAPL", true, "00", &(qty + 1).to_string(), "1.00")
            .unwrap_err();
        assert_eq!(e.msg_cd, "APBK0400");
    }

    #[test]
    fn day_orders_expire_after_the_close() {
        let m = ny_market();
        let mut a = account();
        let (order, _) = a.place(&m, "KO", false, "00", "5", "1.00").unwrap();
        assert!(a.sweep(&m).is_empty());
        assert_eq!(a.orders[0].open(), 5);
        // 16:30 in New York (06:30 KST the next day): closed.
        let after = Market::new(
            3,
            Clock::new(MockClock::Simulated {
                start: chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
                    .and_then(|d| d.and_hms_opt(6, 30, 0)),
                speed: 1.0,
            }),
        );
        assert!(a.sweep(&after).is_empty());
        assert!(a.orders[0].expired);
        assert_eq!(a.available(), a.cash);
        assert_eq!(
            a.revise(&m, &order.odno, true, "", "").unwrap_err().msg_cd,
            "APBK0919"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Any orders, revisions and fills keep quantities and cash consistent, never panic.
        #[test]
        fn books_stay_consistent(ops in proptest::collection::vec(
            (0u8..3, any::<bool>(), 0u64..400, 1i64..60_000, 0usize..8), 0..30)) {
            let m = ny_market();
            let mut a = account();
            for (op, flag, qty, price, i) in ops {
                let price = fmt_units(price, 2);
                match op {
                    0 => { let _ = a.place(&m, "MSFT", flag, "00", &qty.to_string(), &price); }
                    1 => {
                        let odno = format!("{:010}", FIRST_ODNO + i as u64);
                        let _ = a.revise(&m, &odno, flag, &qty.to_string(), &price);
                    }
                    _ => {
                        let odno = format!("{:010}", FIRST_ODNO + i as u64);
                        let _ = a.match_now(&m, &odno, flag);
                    }
                }
                for o in &a.orders {
                    prop_assert!(o.filled + o.withdrawn <= o.qty || o.kind == OrderKind::Cancel);
                }
                prop_assert!(a.available() <= a.cash);
                prop_assert!(a.available() >= 0);
                let held = a.holdings.get("MSFT").map_or(0, |p| p.qty);
                prop_assert!(a.sellable("MSFT") <= held);
                let filled: u64 = a.fills.iter().map(|f| f.qty).sum();
                let by_orders: u64 = a.orders.iter().map(|o| o.filled).sum();
                prop_assert_eq!(filled, by_orders);
            }
        }
    }
}
