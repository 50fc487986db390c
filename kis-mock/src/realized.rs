//! Realized P&L of the stateful account: one [`Trade`] per fill, with the average cost of the
//! position it sold, and the sums KIS's period P&L inquiries (기간별매매손익현황조회
//! `TTTC8715R`, 기간별손익일별합산조회 `TTTC8708R`) answer.
//!
//! The mock's method, stated once: average cost (이동평균법). A buy adds its amount to the
//! position's cost (commission excluded, as the balance's `pchs_avg_pric`); a sell realizes
//! `amount − qty × average cost − commission − tax` of that sell. A row's `fee` is the
//! commission of its sells (the fee the realized figure bears) and `tl_tax` their tax; the
//! commission of buys is reported in the totals (`buy_fee_smtl`).

use std::collections::BTreeMap;

/// One fill as the P&L inquiries see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Trade {
    /// Trading day (`YYYYMMDD`, KST).
    pub day: String,
    pub code: String,
    pub sell: bool,
    pub qty: u64,
    /// Quantity × price.
    pub amount: u64,
    /// The position's average cost per share before this fill (what a sell realizes against).
    pub avg_cost: u64,
    pub commission: u64,
    /// Sell tax (0 for buys and for ETFs).
    pub tax: u64,
    /// Shares held after the fill.
    pub held_after: u64,
}

impl Trade {
    /// The cost of the shares a sell disposed of (0 for a buy).
    pub fn cost(&self) -> u64 {
        if self.sell {
            self.qty.saturating_mul(self.avg_cost)
        } else {
            0
        }
    }

    /// What a sell realized, fees and taxes deducted (0 for a buy).
    pub fn realized(&self) -> i64 {
        if !self.sell {
            return 0;
        }
        i64::try_from(self.amount).unwrap_or(i64::MAX)
            - i64::try_from(self.cost()).unwrap_or(i64::MAX)
            - i64::try_from(self.commission.saturating_add(self.tax)).unwrap_or(i64::MAX)
    }
}

/// The sums of a group of trades (a day, or a day and a symbol).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Sums {
    pub day: String,
    /// Empty for a day's sum.
    pub code: String,
    pub buy_qty: u64,
    pub buy_amt: u64,
    pub buy_fee: u64,
    pub sll_qty: u64,
    pub sll_amt: u64,
    /// Cost of the shares sold.
    pub cost: u64,
    /// Commission of the sells.
    pub fee: u64,
    pub tax: u64,
    pub realized: i64,
    /// Shares held after the group's last fill.
    pub held: u64,
}

impl Sums {
    fn add(&mut self, t: &Trade) {
        if t.sell {
            self.sll_qty += t.qty;
            self.sll_amt = self.sll_amt.saturating_add(t.amount);
            self.cost = self.cost.saturating_add(t.cost());
            self.fee = self.fee.saturating_add(t.commission);
            self.tax = self.tax.saturating_add(t.tax);
            self.realized = self.realized.saturating_add(t.realized());
        } else {
            self.buy_qty += t.qty;
            self.buy_amt = self.buy_amt.saturating_add(t.amount);
            self.buy_fee = self.buy_fee.saturating_add(t.commission);
        }
        self.held = t.held_after;
    }

    /// Realized P&L over the cost of the shares sold, in percent (2 decimals; 0 without sells).
    pub fn return_pct(&self) -> String {
        pct(self.realized, self.cost)
    }

    /// Average sell price (2 decimals; 0 without sells).
    pub fn sell_price(&self) -> String {
        ratio(self.sll_amt, self.sll_qty)
    }

    /// Average cost of the shares sold, or of the shares bought on a day without sells.
    pub fn avg_cost(&self) -> String {
        if self.sll_qty > 0 {
            ratio(self.cost, self.sll_qty)
        } else {
            ratio(self.buy_amt, self.buy_qty)
        }
    }
}

/// `num / den` with two decimals, truncated (`0` for `den == 0`).
fn ratio(num: u64, den: u64) -> String {
    if den == 0 {
        return "0".into();
    }
    let hundredths = u128::from(num) * 100 / u128::from(den);
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// `100 × num / den` with two decimals, truncated toward zero (`0` for `den == 0`).
pub(crate) fn pct(num: i64, den: u64) -> String {
    if den == 0 {
        return "0".into();
    }
    let hundredths = i128::from(num) * 10_000 / i128::from(den);
    let sign = if hundredths < 0 { "-" } else { "" };
    let a = hundredths.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// The trades of `from..=to` (`YYYYMMDD`; empty bounds do not filter) and of `code` (empty: all).
fn within<'a>(
    trades: &'a [Trade],
    from: &'a str,
    to: &'a str,
    code: &'a str,
) -> impl Iterator<Item = &'a Trade> {
    trades
        .iter()
        .filter(move |t| from.is_empty() || t.day.as_str() >= from)
        .filter(move |t| to.is_empty() || t.day.as_str() <= to)
        .filter(move |t| code.is_empty() || t.code == code)
}

/// One sum per day and symbol, oldest day first (symbols by code).
pub(crate) fn by_day_and_code(trades: &[Trade], from: &str, to: &str, code: &str) -> Vec<Sums> {
    let mut groups: BTreeMap<(String, String), Sums> = BTreeMap::new();
    for t in within(trades, from, to, code) {
        groups
            .entry((t.day.clone(), t.code.clone()))
            .or_insert_with(|| Sums {
                day: t.day.clone(),
                code: t.code.clone(),
                ..Sums::default()
            })
            .add(t);
    }
    groups.into_values().collect()
}

/// One sum per day, oldest first.
pub(crate) fn by_day(trades: &[Trade], from: &str, to: &str, code: &str) -> Vec<Sums> {
    let mut groups: BTreeMap<String, Sums> = BTreeMap::new();
    for t in within(trades, from, to, code) {
        groups
            .entry(t.day.clone())
            .or_insert_with(|| Sums {
                day: t.day.clone(),
                ..Sums::default()
            })
            .add(t);
    }
    groups.into_values().collect()
}

/// The sum of every trade of the range.
pub(crate) fn total(trades: &[Trade], from: &str, to: &str, code: &str) -> Sums {
    let mut sums = Sums::default();
    for t in within(trades, from, to, code) {
        sums.add(t);
    }
    sums
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn trade(day: &str, code: &str, sell: bool, qty: u64, price: u64, avg: u64) -> Trade {
        let amount = qty * price;
        Trade {
            day: day.into(),
            code: code.into(),
            sell,
            qty,
            amount,
            avg_cost: avg,
            commission: amount * 15 / 100_000,
            tax: if sell { amount * 20 / 10_000 } else { 0 },
            held_after: 0,
        }
    }

    #[test]
    fn a_sell_realizes_against_the_average_cost() {
        let s = trade("20261204", "005930", true, 10, 71_000, 70_000);
        // 710,000 − 700,000 − commission 106 − tax 1,420.
        assert_eq!(s.realized(), 10_000 - 106 - 1_420);
        assert_eq!(
            trade("20261204", "005930", false, 10, 71_000, 0).realized(),
            0
        );
        let sums = total(std::slice::from_ref(&s), "", "", "");
        assert_eq!(sums.return_pct(), "1.21"); // 8,474 / 700,000
        assert_eq!(sums.sell_price(), "71000.00");
        assert_eq!(pct(-1, 3), "-33.33");
    }

    proptest! {
        /// Every grouping sums to the same totals, and a group's realized P&L is its sell
        /// amount less cost, fee and tax.
        #[test]
        fn groupings_agree(
            raw in proptest::collection::vec((0u8..3, 0u8..3, any::<bool>(), 1u64..500, 1u64..200_000, 1u64..200_000), 0..40)
        ) {
            let trades: Vec<Trade> = raw
                .iter()
                .map(|&(d, c, sell, qty, price, avg)| {
                    trade(&format!("2026120{}", d + 1), &format!("00000{c}"), sell, qty, price, avg)
                })
                .collect();
            let all = total(&trades, "", "", "");
            for groups in [by_day(&trades, "", "", ""), by_day_and_code(&trades, "", "", "")] {
                prop_assert_eq!(groups.iter().map(|g| g.realized).sum::<i64>(), all.realized);
                prop_assert_eq!(groups.iter().map(|g| g.fee).sum::<u64>(), all.fee);
                prop_assert_eq!(groups.iter().map(|g| g.buy_amt).sum::<u64>(), all.buy_amt);
                for g in &groups {
                    prop_assert_eq!(
                        g.realized,
                        g.sll_amt as i64 - g.cost as i64 - g.fee as i64 - g.tax as i64
                    );
                }
            }
            let day = by_day(&trades, "20261202", "20261202", "");
            prop_assert!(day.iter().all(|g| g.day == "20261202"));
        }
    }
}
