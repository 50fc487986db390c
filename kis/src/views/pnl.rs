//! [`RealizedPnl`]: what the account's sales realized over a period, as KIS computes it —
//! per day (기간별손익일별합산조회, `inquire-period-profit`, `TTTC8708R`), per day and symbol
//! (기간별매매손익현황조회, `inquire-period-trade-profit`, `TTTC8715R`), and the period's totals.
//!
//! **Real service only.** KIS serves these two TRs on the real service and has no paper TR
//! for them; on paper [`Account::realized_pnl`] fails with
//! [`kis_client::Error::UnsupportedInPaper`] (wrapped in [`Error::Client`]) naming the
//! endpoint, and nothing is sent. It does not estimate the figures from the day's executions
//! instead: an estimate by another method (which lots a sale closes, how fees are rounded)
//! would differ from the figures KIS books and taxes, and a view that is sometimes KIS's and
//! sometimes a guess cannot be relied on. Every value of this view is KIS's.

use std::sync::Arc;

use chrono::NaiveDate;
use kis_client::api::domestic_stock::inquire_period_profit::{
    self as daily, InquirePeriodProfitRequest, InquirePeriodProfitResponse,
};
use kis_client::api::domestic_stock::inquire_period_trade_profit::{
    self as by_symbol, InquirePeriodTradeProfitRequest, InquirePeriodTradeProfitResponse,
};
use kis_client::codes::SortDvsn;
use rust_decimal::Decimal;
use serde::Serialize;

use super::{money, need, shares};
use crate::{Account, Currency, Error, Money, Quantity};

const KRW: Currency = Currency::Krw;

/// One day's realized P&L (a row of `inquire-period-profit`).
///
/// ```no_run
/// # async fn demo(pnl: kis::views::pnl::RealizedPnl) {
/// for d in &pnl.days {
///     println!("{}: realized {} after {} fees and {} taxes", d.date, d.realized, d.fee, d.tax);
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct DailyPnl {
    /// Trading day (매매일자: `trad_dt`).
    pub date: NaiveDate,
    /// Shares bought (매수수량: `buy_qty1`).
    pub buy_qty: Quantity,
    /// Amount bought (매수금액: `buy_amt`).
    pub buy_amount: Money,
    /// Shares sold (매도수량: `sll_qty1`).
    pub sell_qty: Quantity,
    /// Amount sold (매도금액: `sll_amt`).
    pub sell_amount: Money,
    /// Realized P&L, fees and taxes deducted (실현손익: `rlzt_pfls`).
    pub realized: Money,
    /// Return of the day's sales in percent (손익률: `pfls_rt`).
    pub return_pct: Decimal,
    /// Fees (수수료: `fee`).
    pub fee: Money,
    /// Taxes (제세금: `tl_tax`).
    pub tax: Money,
    /// Interest on credit (대출이자: `loan_int`).
    pub loan_interest: Money,
}

impl DailyPnl {
    /// Reads one row.
    pub fn from_row(r: &daily::Output1) -> Result<DailyPnl, Error> {
        Ok(DailyPnl {
            date: need(&r.trad_dt, "trad_dt")?,
            buy_qty: shares(&r.buy_qty1, "buy_qty1")?,
            buy_amount: money(&r.buy_amt, "buy_amt", KRW)?,
            sell_qty: shares(&r.sll_qty1, "sll_qty1")?,
            sell_amount: money(&r.sll_amt, "sll_amt", KRW)?,
            realized: money(&r.rlzt_pfls, "rlzt_pfls", KRW)?,
            return_pct: need(&r.pfls_rt, "pfls_rt")?,
            fee: money(&r.fee, "fee", KRW)?,
            tax: money(&r.tl_tax, "tl_tax", KRW)?,
            loan_interest: money(&r.loan_int, "loan_int", KRW)?,
        })
    }
}

/// One symbol's realized P&L on one day (a row of `inquire-period-trade-profit`).
///
/// ```no_run
/// # async fn demo(pnl: kis::views::pnl::RealizedPnl) {
/// for s in pnl.symbols.iter().filter(|s| s.code == "005930") {
///     println!("{} sold {} at {} (cost {}): {}", s.date, s.sell_qty, s.sell_price, s.avg_cost, s.realized);
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SymbolPnl {
    /// Trading day (매매일자: `trad_dt`).
    pub date: NaiveDate,
    /// Short code (상품번호: `pdno`).
    pub code: String,
    /// Name (상품명: `prdt_name`).
    pub name: String,
    /// Kind of trade as KIS names it (매매구분명: `trad_dvsn_name`, e.g. 현금).
    pub kind: String,
    /// Shares held (보유수량: `hldg_qty`).
    pub held_qty: Quantity,
    /// Average purchase price the sales realized against (매입단가: `pchs_unpr`).
    pub avg_cost: Money,
    /// Shares bought (매수수량: `buy_qty`).
    pub buy_qty: Quantity,
    /// Amount bought (매수금액: `buy_amt`).
    pub buy_amount: Money,
    /// Sell price (매도가격: `sll_pric`).
    pub sell_price: Money,
    /// Shares sold (매도수량: `sll_qty`).
    pub sell_qty: Quantity,
    /// Amount sold (매도금액: `sll_amt`).
    pub sell_amount: Money,
    /// Realized P&L, fees and taxes deducted (실현손익: `rlzt_pfls`).
    pub realized: Money,
    /// Return in percent (손익률: `pfls_rt`).
    pub return_pct: Decimal,
    /// Fees (수수료: `fee`).
    pub fee: Money,
    /// Taxes (제세금: `tl_tax`).
    pub tax: Money,
    /// Interest on credit (대출이자: `loan_int`).
    pub loan_interest: Money,
}

impl SymbolPnl {
    /// Reads one row.
    pub fn from_row(r: &by_symbol::Output1) -> Result<SymbolPnl, Error> {
        Ok(SymbolPnl {
            date: need(&r.trad_dt, "trad_dt")?,
            code: need(&r.pdno, "pdno")?,
            name: r.prdt_name.get().cloned().unwrap_or_default(),
            kind: r.trad_dvsn_name.get().cloned().unwrap_or_default(),
            held_qty: shares(&r.hldg_qty, "hldg_qty")?,
            avg_cost: money(&r.pchs_unpr, "pchs_unpr", KRW)?,
            buy_qty: shares(&r.buy_qty, "buy_qty")?,
            buy_amount: money(&r.buy_amt, "buy_amt", KRW)?,
            sell_price: money(&r.sll_pric, "sll_pric", KRW)?,
            sell_qty: shares(&r.sll_qty, "sll_qty")?,
            sell_amount: money(&r.sll_amt, "sll_amt", KRW)?,
            realized: money(&r.rlzt_pfls, "rlzt_pfls", KRW)?,
            return_pct: need(&r.pfls_rt, "pfls_rt")?,
            fee: money(&r.fee, "fee", KRW)?,
            tax: money(&r.tl_tax, "tl_tax", KRW)?,
            loan_interest: money(&r.loan_int, "loan_int", KRW)?,
        })
    }
}

/// The period's totals (`output2` of `inquire-period-trade-profit`).
///
/// ```no_run
/// # async fn demo(pnl: kis::views::pnl::RealizedPnl) {
/// let t = &pnl.totals;
/// println!("realized {} ({}%), fees {}, taxes {}", t.realized, t.return_pct, t.fee, t.tax);
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PnlTotals {
    /// Realized P&L (총실현손익: `tot_rlzt_pfls`).
    pub realized: Money,
    /// Return in percent (총수익률: `tot_pftrt`).
    pub return_pct: Decimal,
    /// Fees, buys and sells (총수수료: `tot_fee`).
    pub fee: Money,
    /// Taxes (총제세금: `tot_tltx`).
    pub tax: Money,
    /// Shares sold (매도수량합계: `sll_qty_smtl`).
    pub sell_qty: Quantity,
    /// Amount sold (매도거래금액합계: `sll_tr_amt_smtl`).
    pub sell_amount: Money,
    /// Fees of the sells (매도수수료합계: `sll_fee_smtl`).
    pub sell_fee: Money,
    /// Taxes of the sells (매도제세금합계: `sll_tltx_smtl`).
    pub sell_tax: Money,
    /// What the sells settle to (매도정산금액합계: `sll_excc_amt_smtl`).
    pub sell_settled: Money,
    /// Shares bought (매수수량합계: `buyqty_smtl`).
    pub buy_qty: Quantity,
    /// Amount bought (매수거래금액합계: `buy_tr_amt_smtl`).
    pub buy_amount: Money,
    /// Fees of the buys (매수수수료합계: `buy_fee_smtl`).
    pub buy_fee: Money,
    /// Taxes of the buys (매수제세금합계: `buy_tax_smtl`).
    pub buy_tax: Money,
    /// What the buys settle to (매수정산금액합계: `buy_excc_amt_smtl`).
    pub buy_settled: Money,
    /// Shares traded (총수량: `tot_qty`).
    pub total_qty: Quantity,
    /// Amount traded (총거래금액: `tot_tr_amt`).
    pub total_amount: Money,
    /// Net settlement (총정산금액: `tot_excc_amt`).
    pub total_settled: Money,
    /// Interest on credit (대출이자: `loan_int`).
    pub loan_interest: Money,
}

impl PnlTotals {
    /// Reads the totals block.
    pub fn from_block(s: &by_symbol::Output2) -> Result<PnlTotals, Error> {
        Ok(PnlTotals {
            realized: money(&s.tot_rlzt_pfls, "tot_rlzt_pfls", KRW)?,
            return_pct: need(&s.tot_pftrt, "tot_pftrt")?,
            fee: money(&s.tot_fee, "tot_fee", KRW)?,
            tax: money(&s.tot_tltx, "tot_tltx", KRW)?,
            sell_qty: shares(&s.sll_qty_smtl, "sll_qty_smtl")?,
            sell_amount: money(&s.sll_tr_amt_smtl, "sll_tr_amt_smtl", KRW)?,
            sell_fee: money(&s.sll_fee_smtl, "sll_fee_smtl", KRW)?,
            sell_tax: money(&s.sll_tltx_smtl, "sll_tltx_smtl", KRW)?,
            sell_settled: money(&s.sll_excc_amt_smtl, "sll_excc_amt_smtl", KRW)?,
            buy_qty: shares(&s.buyqty_smtl, "buyqty_smtl")?,
            buy_amount: money(&s.buy_tr_amt_smtl, "buy_tr_amt_smtl", KRW)?,
            buy_fee: money(&s.buy_fee_smtl, "buy_fee_smtl", KRW)?,
            buy_tax: money(&s.buy_tax_smtl, "buy_tax_smtl", KRW)?,
            buy_settled: money(&s.buy_excc_amt_smtl, "buy_excc_amt_smtl", KRW)?,
            total_qty: shares(&s.tot_qty, "tot_qty")?,
            total_amount: money(&s.tot_tr_amt, "tot_tr_amt", KRW)?,
            total_settled: money(&s.tot_excc_amt, "tot_excc_amt", KRW)?,
            loan_interest: money(&s.loan_int, "loan_int", KRW)?,
        })
    }
}

/// Realized P&L of `from..=to` ([`Account::realized_pnl`]): per day, per day and symbol,
/// and totals, every value KIS's (see the [module](self) on why paper has none).
///
/// ```no_run
/// # async fn demo(kis: kis::Kis) -> Result<(), kis::Error> {
/// use chrono::NaiveDate;
/// let (from, to) = (NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(), kis.today());
/// let pnl = kis.account()?.realized_pnl(from, to).await?;
/// println!("{} realized over {} days", pnl.totals.realized, pnl.days.len());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct RealizedPnl {
    /// First day asked (KST).
    pub from: NaiveDate,
    /// Last day asked (KST).
    pub to: NaiveDate,
    /// One row per trading day with trades, oldest first (`inquire-period-profit`).
    pub days: Vec<DailyPnl>,
    /// One row per day and symbol, oldest day first (`inquire-period-trade-profit`).
    pub symbols: Vec<SymbolPnl>,
    /// The period's totals (`inquire-period-trade-profit`'s `output2`).
    pub totals: PnlTotals,
    #[serde(skip)]
    raw: Arc<Raw>,
}

#[derive(Debug)]
struct Raw {
    days: (Vec<daily::Output1>, InquirePeriodProfitResponse),
    symbols: (Vec<by_symbol::Output1>, InquirePeriodTradeProfitResponse),
}

impl RealizedPnl {
    /// Reads both inquiries' rows (every page) and summaries.
    pub fn from_rows(
        from: NaiveDate,
        to: NaiveDate,
        days: (Vec<daily::Output1>, InquirePeriodProfitResponse),
        symbols: (Vec<by_symbol::Output1>, InquirePeriodTradeProfitResponse),
    ) -> Result<RealizedPnl, Error> {
        let totals = symbols.1.output2.get().ok_or(Error::Response {
            field: "output2",
            raw: String::new(),
        })?;
        Ok(RealizedPnl {
            from,
            to,
            days: days
                .0
                .iter()
                .map(DailyPnl::from_row)
                .collect::<Result<_, _>>()?,
            symbols: symbols
                .0
                .iter()
                .map(SymbolPnl::from_row)
                .collect::<Result<_, _>>()?,
            totals: PnlTotals::from_block(totals)?,
            raw: Arc::new(Raw { days, symbols }),
        })
    }

    /// The per-day rows (every page) and the first page's answer they came from.
    pub fn raw_days(&self) -> (&[daily::Output1], &InquirePeriodProfitResponse) {
        (&self.raw.days.0, &self.raw.days.1)
    }

    /// The per-symbol rows (every page) and the first page's answer they came from.
    pub fn raw_symbols(&self) -> (&[by_symbol::Output1], &InquirePeriodTradeProfitResponse) {
        (&self.raw.symbols.0, &self.raw.symbols.1)
    }
}

impl Account {
    /// Realized P&L of `from..=to` (KST trading days) as KIS books it: per day, per day and
    /// symbol, and totals, every page of both inquiries. Real service only: on paper it is
    /// [`kis_client::Error::UnsupportedInPaper`] and nothing is sent (KIS has no paper TR for
    /// it; see the [module](crate::views::pnl)). A scan cut short is an error.
    ///
    /// ```no_run
    /// # async fn demo(kis: kis::Kis) -> Result<(), kis::Error> {
    /// let today = kis.today();
    /// let pnl = kis.account()?.realized_pnl(today, today).await?;
    /// for s in &pnl.symbols {
    ///     println!("{} {}: {} ({}%)", s.date, s.code, s.realized, s.return_pct);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// On paper:
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), kis::Error> {
    /// let kis = kis::Kis::simulator().await?; // a paper service
    /// let today = kis.today();
    /// let e = kis.account()?.realized_pnl(today, today).await.unwrap_err();
    /// assert!(matches!(e, kis::Error::Client(kis::kis_client::Error::UnsupportedInPaper { .. })));
    /// assert!(!e.may_have_been_sent());
    /// # Ok(()) }
    /// ```
    pub async fn realized_pnl(&self, from: NaiveDate, to: NaiveDate) -> Result<RealizedPnl, Error> {
        if from > to {
            return Err(Error::Invalid {
                field: "from",
                reason: format!("{from} is after {to}"),
            });
        }
        let client = self.kis().client();
        let symbols = client
            .rows(InquirePeriodTradeProfitRequest::new(
                SortDvsn::Oldest,
                from,
                to,
            ))
            .await?
            .complete()?;
        let days = client
            .rows(InquirePeriodProfitRequest::new(from, to, SortDvsn::Oldest))
            .await?
            .complete()?;
        RealizedPnl::from_rows(
            from,
            to,
            (days.rows, days.summary),
            (symbols.rows, symbols.summary),
        )
    }
}
