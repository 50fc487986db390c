//! [`Trade`]s: the latest executions of a KRX stock (주식현재가 체결, `inquire-ccnl`).

use std::sync::Arc;

use chrono::NaiveTime;
use kis_client::api::domestic_stock::inquire_ccnl::{InquireCcnlRequest, Output};
use kis_client::codes;
use kis_ws::api::realtime_domestic_stock::h0stcnt0::H0stcnt0;
use serde::Serialize;

use super::{money, shares, won};
use crate::{Currency, Error, Money, Quantity, Stock};

/// What a [`Trade`] was read from.
#[derive(Debug)]
#[non_exhaustive]
pub enum RawTrade {
    /// A row of 주식현재가 체결 (`FHKST01010300`).
    Rest(Box<Output>),
    /// A realtime record (주식체결가 `H0STCNT0`).
    Realtime(Box<H0stcnt0>),
}

/// One execution on the tape, from [`Stock::trades`] or [`Stock::ticks`].
///
/// ```no_run
/// # async fn demo() -> Result<(), kis::Error> {
/// let kis = kis::Kis::simulator().await?;
/// let last: Option<kis::Trade> = kis.stock("005930").await?.trades().await?.into_iter().next();
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Trade {
    /// Time (체결시간: `stck_cntg_hour`), KST.
    pub time: NaiveTime,
    /// Price (현재가: `stck_prpr`).
    pub price: Money,
    /// Quantity (체결거래량: `cntg_vol`).
    pub qty: Quantity,
    /// Change from the previous close (전일대비: `prdy_vrss`).
    pub change: Money,
    #[serde(skip)]
    raw: Arc<RawTrade>,
}

impl Trade {
    /// The row or record this was read from.
    pub fn raw(&self) -> &RawTrade {
        &self.raw
    }

    /// Reads one row.
    pub fn from_row(r: Output) -> Result<Trade, Error> {
        Ok(Trade {
            time: super::need(&r.stck_cntg_hour, "stck_cntg_hour")?.time(),
            price: won(&r.stck_prpr, "stck_prpr")?,
            qty: shares(&r.cntg_vol, "cntg_vol")?,
            change: money(&r.prdy_vrss, "prdy_vrss", Currency::Krw)?,
            raw: Arc::new(RawTrade::Rest(Box::new(r))),
        })
    }

    /// Reads a realtime execution record (주식체결가 `H0STCNT0`).
    pub fn from_realtime(r: H0stcnt0) -> Result<Trade, Error> {
        Ok(Trade {
            time: super::need(&r.stck_cntg_hour, "stck_cntg_hour")?.time(),
            price: won(&r.stck_prpr, "stck_prpr")?,
            qty: shares(&r.cntg_vol, "cntg_vol")?,
            change: money(&r.prdy_vrss, "prdy_vrss", Currency::Krw)?,
            raw: Arc::new(RawTrade::Realtime(Box::new(r))),
        })
    }
}

impl Stock {
    /// The latest trades (KIS answers the last 30), newest first as KIS sends them.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kis::Error> {
    /// let kis = kis::Kis::simulator().await?;
    /// for t in kis.stock("005930").await?.trades().await? {
    ///     println!("{} {} x {}", t.time, t.price, t.qty);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn trades(&self) -> Result<Vec<Trade>, Error> {
        let r = self
            .kis()
            .client()
            .send(InquireCcnlRequest::new(
                codes::Market::Krx,
                self.code.as_str(),
            ))
            .await?;
        r.output
            .into_rows()
            .into_iter()
            .map(Trade::from_row)
            .collect()
    }
}
