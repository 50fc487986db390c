//! US orders and fills as [`Execution`] rows: [`Account::overseas_executions`] (해외주식
//! 주문체결내역, `inquire-ccnl`, `TTTS3035R`/`VTTS3035R`) and [`Account::overseas_open_orders`]
//! (해외주식 미체결내역, `inquire-nccs`, `TTTS3018R`, on the real service; KIS does not serve it
//! on paper, and says to read 미체결수량 `nccs_qty` of `inquire-ccnl` there, which is what
//! this does).
//!
//! Both cover the three US venues (NASDAQ, NYSE, AMEX): on the real service by KIS's `NASD`
//! (미국시장 전체); on paper, where only the blank exchange (전체) is accepted, by keeping the
//! rows of a US venue. Dates are New York dates (KIS: 현지시각 기준).

use std::sync::Arc;

use chrono::NaiveDate;
use kis_client::Env;
use kis_client::api::overseas_stock::inquire_ccnl::{
    InquireCcnlRequest, InquireCcnlResponse, Output as CcnlRow,
};
use kis_client::api::overseas_stock::inquire_nccs::{InquireNccsRequest, Output as NccsRow};
use kis_client::codes::{
    FillFilter, OrderExchange, RvseCnclDvsnCdInquireDailyOrder, SideFilter,
    SllBuyDvsnCdInquireDailyCcld, SortSqnInquireCcnl, TrCrcyCd,
};
use kis_client::value::{Decimal, Val};
use serde::Serialize;

use super::executions::{Execution, Side, write_rows};
use super::{money, need, shares_dec};
use crate::{Account, Calendar, Currency, Error, Market, Quantity};

fn side(v: &Val<SllBuyDvsnCdInquireDailyCcld>) -> Result<Side, Error> {
    match need(v, "sll_buy_dvsn_cd")? {
        SllBuyDvsnCdInquireDailyCcld::Buy => Ok(Side::Buy),
        SllBuyDvsnCdInquireDailyCcld::Sell => Ok(Side::Sell),
        other => Err(Error::Response {
            field: "sll_buy_dvsn_cd",
            raw: other.as_code().to_owned(),
        }),
    }
}

fn currency(v: &Val<TrCrcyCd>) -> Result<Currency, Error> {
    let code = need(v, "tr_crcy_cd")?;
    Currency::from_code(code.as_code()).ok_or_else(|| Error::Response {
        field: "tr_crcy_cd",
        raw: code.as_code().to_owned(),
    })
}

/// The fields `inquire-ccnl` and `inquire-nccs` rows share, by reference.
struct Common<'a> {
    ord_dt: &'a Val<NaiveDate>,
    odno: &'a Val<String>,
    orgn_odno: &'a Val<String>,
    side: &'a Val<SllBuyDvsnCdInquireDailyCcld>,
    pdno: &'a Val<String>,
    prdt_name: &'a Val<String>,
    ord_qty: &'a Val<Decimal>,
    ord_unpr: &'a Val<Decimal>,
    ord_tmd: &'a Val<kis_client::value::KisTime>,
    ccld_qty: &'a Val<Decimal>,
    ccld_unpr: &'a Val<Decimal>,
    ccld_amt: &'a Val<Decimal>,
    nccs_qty: &'a Val<Decimal>,
    status: &'a Val<String>,
    cancel: &'a Val<RvseCnclDvsnCdInquireDailyOrder>,
    exchange: Option<&'a str>,
    crcy: &'a Val<TrCrcyCd>,
}

fn read(r: Common<'_>) -> Result<Execution, Error> {
    let c = currency(r.crcy)?;
    let order_qty = shares_dec(r.ord_qty, "ft_ord_qty")?;
    let filled_qty = shares_dec(r.ccld_qty, "ft_ccld_qty")?;
    // 처리상태명 `거부`: what did not fill of it was refused.
    let rejected = r.status.get().is_some_and(|s| s.trim() == "거부");
    let rejected_qty = if rejected {
        Quantity::from_decimal((order_qty.get() - filled_qty.get()).max(Decimal::ZERO))
    } else {
        Quantity::ZERO
    };
    Ok(Execution {
        date: need(r.ord_dt, "ord_dt")?,
        order_no: need(r.odno, "odno")?,
        original_order_no: r.orgn_odno.get().cloned().unwrap_or_default(),
        side: side(r.side)?,
        code: need(r.pdno, "pdno")?,
        name: r.prdt_name.get().cloned().unwrap_or_default(),
        order_qty,
        order_price: money(r.ord_unpr, "ft_ord_unpr3", c)?,
        order_time: r.ord_tmd.get().map(|t| t.time()),
        filled_qty,
        avg_price: money(r.ccld_unpr, "ft_ccld_unpr3", c)?,
        filled_amount: money(r.ccld_amt, "ft_ccld_amt3", c)?,
        remaining_qty: shares_dec(r.nccs_qty, "nccs_qty")?,
        rejected_qty,
        cancelled: r.cancel.get() == Some(&RvseCnclDvsnCdInquireDailyOrder::Cancel),
        market: r.exchange.and_then(Market::from_prefix),
    })
}

impl Execution {
    /// Reads a US row of 해외주식 주문체결내역 (`inquire-ccnl`): quantities `ft_ord_qty`,
    /// `ft_ccld_qty`, `nccs_qty`; prices `ft_ord_unpr3`, `ft_ccld_unpr3`, amount `ft_ccld_amt3`
    /// in the row's currency `tr_crcy_cd`; a cancellation is 정정취소구분 `rvse_cncl_dvsn` `02`;
    /// `rejected_qty` is what did not fill of an order whose 처리상태명 `prcs_stat_name` is
    /// `거부` (KIS gives no rejected quantity); `market` from `ovrs_excg_cd`; the date and time
    /// are the venue's (`ord_dt`, `ord_tmd`).
    pub fn from_overseas_row(r: &CcnlRow) -> Result<Execution, Error> {
        read(Common {
            ord_dt: &r.ord_dt,
            odno: &r.odno,
            orgn_odno: &r.orgn_odno,
            side: &r.sll_buy_dvsn_cd,
            pdno: &r.pdno,
            prdt_name: &r.prdt_name,
            ord_qty: &r.ft_ord_qty,
            ord_unpr: &r.ft_ord_unpr3,
            ord_tmd: &r.ord_tmd,
            ccld_qty: &r.ft_ccld_qty,
            ccld_unpr: &r.ft_ccld_unpr3,
            ccld_amt: &r.ft_ccld_amt3,
            nccs_qty: &r.nccs_qty,
            status: &r.prcs_stat_name,
            cancel: &r.rvse_cncl_dvsn,
            exchange: r.ovrs_excg_cd.get().map(|e| e.as_code()),
            crcy: &r.tr_crcy_cd,
        })
    }

    /// Reads a row of 해외주식 미체결내역 (`inquire-nccs`), the same fields as
    /// [`Execution::from_overseas_row`] (정정취소구분 is `rvse_cncl_dvsn_cd` here).
    pub fn from_overseas_open_row(r: &NccsRow) -> Result<Execution, Error> {
        read(Common {
            ord_dt: &r.ord_dt,
            odno: &r.odno,
            orgn_odno: &r.orgn_odno,
            side: &r.sll_buy_dvsn_cd,
            pdno: &r.pdno,
            prdt_name: &r.prdt_name,
            ord_qty: &r.ft_ord_qty,
            ord_unpr: &r.ft_ord_unpr3,
            ord_tmd: &r.ord_tmd,
            ccld_qty: &r.ft_ccld_qty,
            ccld_unpr: &r.ft_ccld_unpr3,
            ccld_amt: &r.ft_ccld_amt3,
            nccs_qty: &r.nccs_qty,
            status: &r.prcs_stat_name,
            cancel: &r.rvse_cncl_dvsn_cd,
            exchange: r.ovrs_excg_cd.get().map(|e| e.as_code()),
            crcy: &r.tr_crcy_cd,
        })
    }
}

/// US orders of a date range with the answer they came from
/// ([`Account::overseas_executions`]).
///
/// ```no_run
/// # async fn demo(ex: kis::OverseasExecutions) -> Result<(), kis::Error> {
/// for e in &ex.rows {
///     println!("{:?} {} {:?} {} filled at {}", e.market, e.code, e.side, e.filled_qty, e.avg_price);
/// }
/// ex.write_csv(std::io::stdout())?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct OverseasExecutions {
    /// The rows of the US venues, as KIS orders them (oldest first, 정순).
    pub rows: Vec<Execution>,
    #[serde(skip)]
    raw: Arc<(Vec<CcnlRow>, InquireCcnlResponse)>,
}

impl OverseasExecutions {
    /// Every row of every page (those of other countries' exchanges too) and the first
    /// page's answer.
    pub fn raw(&self) -> (&[CcnlRow], &InquireCcnlResponse) {
        (&self.raw.0, &self.raw.1)
    }

    /// Writes one CSV row per order, with a header (the columns of
    /// [`Executions::write_csv`](crate::Executions::write_csv)).
    pub fn write_csv(&self, out: impl std::io::Write) -> Result<(), Error> {
        write_rows(&self.rows, out)
    }
}

impl Account {
    /// Every US order (NASDAQ, NYSE, AMEX) of `from..=to`, New York dates, with its fills:
    /// every page of 해외주식 주문체결내역. A scan cut short is an error. Domestic orders are
    /// [`Account::executions`].
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kis::Error> {
    /// let kis = kis::Kis::simulator().await?;
    /// let day = kis.calendar(kis::Market::Nasdaq).local_time(kis.now().to_utc()).date();
    /// let ex = kis.account()?.overseas_executions(day, day).await?;
    /// for e in &ex.rows {
    ///     assert_eq!(e.order_price.currency(), kis::Currency::Usd);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn overseas_executions(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<OverseasExecutions, Error> {
        if from > to {
            return Err(Error::Invalid {
                field: "from",
                reason: format!("{from} is after {to}"),
            });
        }
        let mut req = InquireCcnlRequest::new(
            from,
            to,
            SideFilter::All,
            FillFilter::All,
            SortSqnInquireCcnl::Ascending,
        );
        // Paper takes only the blank symbol and exchange (전체); the real service `%` (every
        // symbol) and `NASD` (the US venues).
        if self.kis().env() != Env::Paper {
            req = req.pdno("%").ovrs_excg_cd(OrderExchange::Nasdaq);
        }
        let r = self.kis().client().rows(req).await?.complete()?;
        let mut rows = Vec::new();
        for row in &r.rows {
            let e = Execution::from_overseas_row(row)?;
            if e.market.is_some_and(Market::is_us) {
                rows.push(e);
            }
        }
        Ok(OverseasExecutions {
            rows,
            raw: Arc::new((r.rows, r.summary)),
        })
    }

    /// US orders with quantity still open: 해외주식 미체결내역 on the real service; on paper
    /// (where KIS does not serve it) the rows of today's (New York's, by KIS's clock)
    /// [`Account::overseas_executions`] that are [open](Execution::is_open).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kis::Error> {
    /// let kis = kis::Kis::simulator().await?;
    /// for o in kis.account()?.overseas_open_orders().await? {
    ///     println!("{} {:?} {} x {} open at {}", o.order_no, o.side, o.code, o.remaining_qty, o.order_price);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn overseas_open_orders(&self) -> Result<Vec<Execution>, Error> {
        if self.kis().env() == Env::Paper {
            let day = Calendar::new_york()
                .local_time(self.kis().now().to_utc())
                .date();
            let all = self.overseas_executions(day, day).await?;
            return Ok(all.rows.into_iter().filter(Execution::is_open).collect());
        }
        let req = InquireNccsRequest::new()
            .ovrs_excg_cd(OrderExchange::Nasdaq)
            .sort_sqn("DS");
        let r = self.kis().client().send(req).await?;
        let mut out = Vec::new();
        for row in r.output.rows() {
            let e = Execution::from_overseas_open_row(row)?;
            if e.market.is_some_and(Market::is_us) {
                out.push(e);
            }
        }
        Ok(out)
    }
}
