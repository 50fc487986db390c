//! The stateful account: cash orders, modify/cancel, balance, daily fills and order capacity
//! reflect each other, and fills produce execution notices.

use std::collections::BTreeMap;

use crate::config::MockConfig;

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
    pub filled: u64,
    pub fill_price: u64,
    /// Quantity taken away by a later modify or cancel.
    pub withdrawn: u64,
    pub time: String,
}

impl Order {
    /// Quantity still open.
    pub fn open(&self) -> u64 {
        if self.kind == OrderKind::Cancel {
            return 0;
        }
        self.qty - self.filled - self.withdrawn
    }

    fn exec_price(&self) -> u64 {
        if self.price == 0 {
            market_price(&self.code)
        } else {
            self.price
        }
    }
}

/// An execution notice (`H0STCNI0`/`H0STCNI9`): values by column name, for one HTS ID.
#[derive(Debug, Clone)]
pub(crate) struct Notice {
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
    pub cash: u64,
    pub holdings: BTreeMap<String, Position>,
    pub orders: Vec<Order>,
    next_odno: u64,
}

/// The mock's deterministic market price of a product.
pub(crate) fn market_price(code: &str) -> u64 {
    let h = code
        .bytes()
        .fold(7u64, |a, b| a.wrapping_mul(31).wrapping_add(u64::from(b)));
    10_000 + (h % 900) * 100
}

/// The mock's name of a product.
pub(crate) fn product_name(code: &str) -> String {
    match code {
        "005930" => "삼성전자".into(),
        "000660" => "SK하이닉스".into(),
        "035720" => "카카오".into(),
        _ => format!("모의종목{code}"),
    }
}

fn now_hms() -> String {
    let offset = chrono::FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset");
    chrono::Utc::now()
        .with_timezone(&offset)
        .format("%H%M%S")
        .to_string()
}

/// Today's date in KST, `YYYYMMDD`.
pub(crate) fn today() -> String {
    let offset = chrono::FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset");
    chrono::Utc::now()
        .with_timezone(&offset)
        .format("%Y%m%d")
        .to_string()
}

/// Branch number the mock reports (`KRX_FWDG_ORD_ORGNO`, `BRNC_NO`).
pub(crate) const BRANCH: &str = "06010";

impl Account {
    pub fn new(config: &MockConfig) -> Self {
        let (cano, prdt) = config.account_parts();
        Self {
            cano: cano.to_owned(),
            prdt: prdt.to_owned(),
            hts_id: config.hts_id.clone(),
            cash: config.initial_cash,
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
            orders: Vec::new(),
            next_odno: 1,
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

    /// Cash not reserved by open buy orders.
    pub fn available_cash(&self) -> u64 {
        let reserved: u64 = self
            .orders
            .iter()
            .filter(|o| !o.sell)
            .map(|o| o.open().saturating_mul(o.exec_price()))
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

    /// Accepts a new cash order.
    pub fn place(
        &mut self,
        code: &str,
        sell: bool,
        ord_dvsn: &str,
        qty: &str,
        price: &str,
    ) -> Result<(Order, Notice), Reject> {
        if code.len() < 6 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(reject(
                "APBK0656",
                format!("해당종목정보가 없습니다.({code})"),
            ));
        }
        let qty = parse_qty(qty)?;
        let market = ord_dvsn == "01";
        let price = if market { 0 } else { parse_price(price)? };
        let exec = if market { market_price(code) } else { price };
        if sell {
            if self.sellable(code) < qty {
                return Err(reject("APBK0400", "주문 가능한 수량을 초과했습니다."));
            }
        } else if self.available_cash() < qty.saturating_mul(exec) {
            return Err(reject("APBK0952", "주문가능금액을 초과 했습니다"));
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
            filled: 0,
            fill_price: 0,
            withdrawn: 0,
            time: now_hms(),
        };
        self.orders.push(order.clone());
        let notice = self.notice(&order, false, 0, 0);
        Ok((order, notice))
    }

    /// Modifies (`cancel` false) or cancels an open order.
    pub fn revise(
        &mut self,
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
        let new_price = if cancel || ord_dvsn == "01" {
            0
        } else {
            parse_price(price)?
        };
        if !cancel && !original.sell {
            let extra = take
                .saturating_mul(new_price.max(1))
                .saturating_sub(take.saturating_mul(original.exec_price()));
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
            filled: 0,
            fill_price: 0,
            withdrawn: 0,
            time: now_hms(),
        };
        self.orders.push(order.clone());
        let notice = self.notice(&order, false, 0, 0);
        Ok((order, notice))
    }

    /// Fills whatever is open of an order; the notice when something filled.
    pub fn fill(&mut self, odno: &str) -> Option<Notice> {
        let idx = self.orders.iter().position(|o| o.odno == odno)?;
        let open = self.orders[idx].open();
        if open == 0 {
            return None;
        }
        let price = self.orders[idx].exec_price();
        let order = &mut self.orders[idx];
        order.filled += open;
        order.fill_price = price;
        let order = order.clone();
        let amount = open.saturating_mul(price);
        if order.sell {
            self.cash = self.cash.saturating_add(amount);
            if let Some(p) = self.holdings.get_mut(&order.code) {
                p.qty = p.qty.saturating_sub(open);
                if p.qty == 0 {
                    self.holdings.remove(&order.code);
                }
            }
        } else {
            self.cash = self.cash.saturating_sub(amount);
            let p = self.holdings.entry(order.code.clone()).or_insert(Position {
                qty: 0,
                avg_price: 0,
            });
            let total = p.qty.saturating_mul(p.avg_price).saturating_add(amount);
            p.qty += open;
            p.avg_price = total / p.qty.max(1);
        }
        Some(self.notice(&order, true, open, price))
    }

    fn notice(&self, order: &Order, fill: bool, qty: u64, price: u64) -> Notice {
        let rctf = match order.kind {
            OrderKind::New => "0",
            OrderKind::Modify => "1",
            OrderKind::Cancel => "2",
        };
        Notice {
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
                ("STCK_CNTG_HOUR", now_hms()),
                ("RFUS_YN", "0".into()),
                ("CNTG_YN", if fill { "2" } else { "1" }.into()),
                ("ACPT_YN", if fill { "2" } else { "1" }.into()),
                ("BRNC_NO", BRANCH.into()),
                ("ODER_QTY", order.qty.to_string()),
                ("ACNT_NAME", "모의계좌".into()),
                ("ORD_COND_PRC", "0".into()),
                ("ORD_EXG_GB", "1".into()),
                ("POPUP_YN", "Y".into()),
                ("FILLER", String::new()),
                ("CRDT_CLS", "10".into()),
                ("CRDT_LOAN_DATE", String::new()),
                ("CNTG_ISNM40", product_name(&order.code)),
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

    fn account() -> Account {
        Account::new(&MockConfig {
            initial_cash: 1_000_000,
            ..MockConfig::default()
        })
    }

    #[test]
    fn buy_fill_sell_round_trip() {
        let mut a = account();
        let (order, accept) = a.place("005930", false, "00", "10", "50000").unwrap();
        assert_eq!(accept.get("CNTG_YN"), "1");
        assert_eq!(a.available_cash(), 500_000);
        let fill = a.fill(&order.odno).unwrap();
        assert_eq!(fill.get("CNTG_YN"), "2");
        assert_eq!(fill.get("CNTG_QTY"), "10");
        assert_eq!(a.cash, 500_000);
        assert_eq!(a.holdings["005930"].qty, 10);
        assert!(a.fill(&order.odno).is_none());
        assert!(a.place("005930", true, "00", "11", "50000").is_err());
        let (sell, _) = a.place("005930", true, "00", "10", "60000").unwrap();
        a.fill(&sell.odno).unwrap();
        assert_eq!(a.cash, 1_100_000);
        assert!(a.holdings.is_empty());
    }

    #[test]
    fn cash_limit_and_bad_input() {
        let mut a = account();
        assert_eq!(
            a.place("005930", false, "00", "100", "50000")
                .unwrap_err()
                .msg_cd,
            "APBK0952"
        );
        assert!(a.place("005930", false, "00", "0", "50000").is_err());
        assert!(a.place("005930", false, "00", "1", "abc").is_err());
        assert!(a.place("", false, "00", "1", "1").is_err());
    }

    #[test]
    fn modify_and_cancel_open_orders() {
        let mut a = account();
        let (order, _) = a.place("005930", false, "00", "10", "50000").unwrap();
        let (modify, n) = a
            .revise(&order.odno, false, "00", "4", "40000", false)
            .unwrap();
        assert_eq!(n.get("RCTF_CLS"), "1");
        assert_eq!(modify.orgn_odno, order.odno);
        assert_eq!(a.orders[0].open(), 6);
        let (cancel, n) = a.revise(&order.odno, true, "00", "", "", true).unwrap();
        assert_eq!(n.get("RCTF_CLS"), "2");
        assert_eq!(cancel.qty, 6);
        assert_eq!(a.orders[0].open(), 0);
        assert!(a.revise(&order.odno, true, "00", "", "", true).is_err());
        assert!(a.revise("999", true, "00", "", "", true).is_err());
        a.fill(&modify.odno).unwrap();
        assert_eq!(a.holdings["005930"].qty, 4);
        assert_eq!(a.cash, 1_000_000 - 160_000);
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        Place(bool, String, String, String),
        Revise(usize, bool, String, String, bool),
        Fill(usize),
    }

    fn number() -> impl Strategy<Value = String> {
        prop_oneof![
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
        ]
    }

    proptest! {
        /// Any sequence of orders, modifies, cancels and fills with any input keeps the books
        /// consistent and never panics.
        #[test]
        fn books_stay_consistent(ops in proptest::collection::vec(op(), 0..40)) {
            let mut a = Account::new(&MockConfig {
                initial_cash: 10_000_000,
                initial_holdings: vec![crate::config::Holding { code: "005930".into(), qty: 100, avg_price: 1000 }],
                ..MockConfig::default()
            });
            for op in ops {
                match op {
                    Op::Place(sell, dvsn, qty, price) => {
                        let _ = a.place("005930", sell, &dvsn, &qty, &price);
                    }
                    Op::Revise(i, cancel, qty, price, all) => {
                        let odno = format!("{:010}", i + 1);
                        let _ = a.revise(&odno, cancel, "00", &qty, &price, all);
                    }
                    Op::Fill(i) => {
                        let _ = a.fill(&format!("{:010}", i + 1));
                    }
                }
                for o in &a.orders {
                    prop_assert!(o.filled + o.withdrawn <= o.qty || o.kind == OrderKind::Cancel);
                }
                prop_assert!(a.available_cash() <= a.cash);
                let held = a.holdings.get("005930").map_or(0, |p| p.qty);
                prop_assert!(a.sellable("005930") <= held);
            }
        }
    }
}
