//! [`Executions`]: the account's orders and fills by day (주식일별주문체결조회,
//! `inquire-daily-ccld`), every page, as rows; CSV export; and the open orders read from them.

use std::sync::Arc;

use chrono::{Months, NaiveDate, NaiveTime};
use kis_client::api::domestic_stock::inquire_daily_ccld::{
    InquireDailyCcldRequest, InquireDailyCcldResponse, Output1,
};
use kis_client::codes::{
    FillFilter, InqrDvsn3, SideFilter, SllBuyDvsnCdInquireDailyCcld, SortOrder,
};
use serde::Serialize;

use super::{money, need, shares};
use crate::{Account, Currency, Error, Market, Money, Quantity};

/// Buy or sell (매도매수구분: `sll_buy_dvsn_cd`): the ledger's one side type.
pub use crate::ledger::Side;

/// One order of a day with what filled of it (a row of [`Executions`]).
///
/// ```no_run
/// # async fn demo(kis: kis::Kis) -> Result<(), kis::Error> {
/// let today = kis.today();
/// for e in kis.account()?.executions(today, today).await?.rows {
///     println!("{} {:?} {} filled {} of {}", e.order_no, e.side, e.code, e.filled_qty, e.order_qty);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Execution {
    /// Order date (주문일자: `ord_dt`).
    pub date: NaiveDate,
    /// Order number (주문번호: `odno`).
    pub order_no: String,
    /// The order it modifies or cancels (원주문번호: `orgn_odno`), empty for a new order.
    pub original_order_no: String,
    /// Buy or sell.
    pub side: Side,
    /// Short code (상품번호: `pdno`).
    pub code: String,
    /// Name (상품명: `prdt_name`).
    pub name: String,
    /// Ordered quantity (주문수량: `ord_qty`).
    pub order_qty: Quantity,
    /// Order price (주문단가: `ord_unpr`; zero for a market order).
    pub order_price: Money,
    /// Order time (주문시각: `ord_tmd`), KST.
    pub order_time: Option<NaiveTime>,
    /// Filled quantity (총체결수량: `tot_ccld_qty`).
    pub filled_qty: Quantity,
    /// Average fill price (평균가: `avg_prvs`).
    pub avg_price: Money,
    /// Filled amount (총체결금액: `tot_ccld_amt`).
    pub filled_amount: Money,
    /// Quantity still open (잔여수량: `rmn_qty`).
    pub remaining_qty: Quantity,
    /// Rejected quantity (거부수량: `rjct_qty`).
    pub rejected_qty: Quantity,
    /// A cancellation (취소여부: `cncl_yn`).
    pub cancelled: bool,
    /// The US venue of an overseas row (해외거래소코드 `ovrs_excg_cd`); `None` for a domestic
    /// row (KIS's daily executions do not say KOSPI or KOSDAQ).
    pub market: Option<Market>,
}

impl Execution {
    /// Reads one row.
    pub fn from_row(r: &Output1) -> Result<Execution, Error> {
        let krw = Currency::Krw;
        let side = match need(&r.sll_buy_dvsn_cd, "sll_buy_dvsn_cd")? {
            SllBuyDvsnCdInquireDailyCcld::Buy => Side::Buy,
            SllBuyDvsnCdInquireDailyCcld::Sell => Side::Sell,
            other => {
                return Err(Error::Response {
                    field: "sll_buy_dvsn_cd",
                    raw: other.as_code().to_owned(),
                });
            }
        };
        Ok(Execution {
            date: need(&r.ord_dt, "ord_dt")?,
            order_no: need(&r.odno, "odno")?,
            original_order_no: r.orgn_odno.get().cloned().unwrap_or_default(),
            side,
            code: need(&r.pdno, "pdno")?,
            name: r.prdt_name.get().cloned().unwrap_or_default(),
            order_qty: shares(&r.ord_qty, "ord_qty")?,
            order_price: money(&r.ord_unpr, "ord_unpr", krw)?,
            order_time: r.ord_tmd.get().map(|t| t.time()),
            filled_qty: shares(&r.tot_ccld_qty, "tot_ccld_qty")?,
            avg_price: money(&r.avg_prvs, "avg_prvs", krw)?,
            filled_amount: money(&r.tot_ccld_amt, "tot_ccld_amt", krw)?,
            remaining_qty: shares(&r.rmn_qty, "rmn_qty")?,
            rejected_qty: shares(&r.rjct_qty, "rjct_qty")?,
            cancelled: r.cncl_yn.get().copied().unwrap_or(false),
            market: None,
        })
    }

    /// Still open: quantity remains, and it is not a cancellation.
    pub fn is_open(&self) -> bool {
        self.remaining_qty > Quantity::ZERO && !self.cancelled
    }
}

/// The rows of a date range with the answers they came from ([`Account::executions`]).
///
/// ```no_run
/// # async fn demo(ex: kis::Executions) -> Result<(), kis::Error> {
/// ex.write_csv(std::fs::File::create("executions.csv").expect("a file"))?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Executions {
    /// The rows, as KIS orders them (newest first).
    pub rows: Vec<Execution>,
    #[serde(skip)]
    raw: Vec<Arc<(Vec<Output1>, InquireDailyCcldResponse)>>,
}

impl Executions {
    /// The rows and summary of each scan (one per 3-month variant the range needed).
    pub fn raw(&self) -> impl Iterator<Item = (&[Output1], &InquireDailyCcldResponse)> {
        self.raw.iter().map(|r| (r.0.as_slice(), &r.1))
    }

    /// Writes one CSV row per order, with a header.
    pub fn write_csv(&self, out: impl std::io::Write) -> Result<(), Error> {
        write_rows(&self.rows, out)
    }
}

/// One CSV row per execution, with a header (domestic and overseas rows alike).
pub(crate) fn write_rows(rows: &[Execution], out: impl std::io::Write) -> Result<(), Error> {
    let mut w = csv::Writer::from_writer(out);
    let fail = |e: csv::Error| Error::Invalid {
        field: "csv",
        reason: e.to_string(),
    };
    w.write_record([
        "date",
        "order_no",
        "original_order_no",
        "side",
        "code",
        "name",
        "order_qty",
        "order_price",
        "order_time",
        "filled_qty",
        "avg_price",
        "filled_amount",
        "remaining_qty",
        "rejected_qty",
        "cancelled",
        "currency",
        "market",
    ])
    .map_err(fail)?;
    for e in rows {
        let amount = |m: Money| m.amount().to_string();
        w.write_record([
            e.date.to_string(),
            e.order_no.clone(),
            e.original_order_no.clone(),
            format!("{:?}", e.side).to_lowercase(),
            e.code.clone(),
            e.name.clone(),
            e.order_qty.to_string(),
            amount(e.order_price),
            e.order_time.map(|t| t.to_string()).unwrap_or_default(),
            e.filled_qty.to_string(),
            amount(e.avg_price),
            amount(e.filled_amount),
            e.remaining_qty.to_string(),
            e.rejected_qty.to_string(),
            e.cancelled.to_string(),
            e.order_price.currency().code().to_owned(),
            e.market.map(|m| m.to_string()).unwrap_or_default(),
        ])
        .map_err(fail)?;
    }
    w.flush().map_err(|e| Error::Invalid {
        field: "csv",
        reason: e.to_string(),
    })
}

impl Account {
    /// Every order of `from..=to` (KST dates) with its fills: every page; a range reaching
    /// back past three months of the server's today is asked in its two variants
    /// (3개월이내/이전). A scan cut short is an error. Domestic orders only; US orders are
    /// [`Account::overseas_executions`].
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kis::Error> {
    /// let kis = kis::Kis::simulator().await?;
    /// let today = kis.today();
    /// let ex = kis.account()?.executions(today, today).await?;
    /// ex.write_csv(std::io::stdout())?;
    /// # Ok(()) }
    /// ```
    pub async fn executions(&self, from: NaiveDate, to: NaiveDate) -> Result<Executions, Error> {
        if from > to {
            return Err(Error::Invalid {
                field: "from",
                reason: format!("{from} is after {to}"),
            });
        }
        let today = self.kis().today();
        let recent = today.checked_sub_months(Months::new(3)).unwrap_or(today);
        let args = (
            SideFilter::All,
            FillFilter::All,
            SortOrder::Descending,
            InqrDvsn3::All,
        );
        let mut scans = Vec::new();
        if to >= recent {
            let (a, b, c, d) = args.clone();
            scans.push(InquireDailyCcldRequest::within_3m(
                from.max(recent),
                to,
                a,
                b,
                c,
                d,
            ));
        }
        if from < recent {
            let end = to.min(recent.pred_opt().unwrap_or(recent));
            let (a, b, c, d) = args;
            scans.push(InquireDailyCcldRequest::before_3m(from, end, a, b, c, d));
        }
        let mut out = Executions {
            rows: Vec::new(),
            raw: Vec::new(),
        };
        for req in scans {
            let r = self.kis().client().rows(req).await?.complete()?;
            for row in &r.rows {
                out.rows.push(Execution::from_row(row)?);
            }
            out.raw.push(Arc::new((r.rows, r.summary)));
        }
        Ok(out)
    }

    /// Today's orders that still have quantity open, read from the day's executions (works
    /// on paper, where KIS's `inquire-psbl-rvsecncl` is not served). Domestic orders only; US
    /// orders are [`Account::overseas_open_orders`].
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kis::Error> {
    /// let kis = kis::Kis::simulator().await?;
    /// for o in kis.account()?.open_orders().await? {
    ///     println!("{} {:?} {} x {} open", o.order_no, o.side, o.code, o.remaining_qty);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn open_orders(&self) -> Result<Vec<Execution>, Error> {
        let today = self.kis().today();
        let all = self.executions(today, today).await?;
        Ok(all.rows.into_iter().filter(Execution::is_open).collect())
    }
}
