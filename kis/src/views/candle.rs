//! [`Candles`]: daily, weekly, monthly or yearly bars over any range, KRX
//! (국내주식기간별시세, `inquire-daily-itemchartprice`) or US (해외주식 기간별시세,
//! `dailyprice`), paged past KIS's 100 rows a call and ordered oldest first; CSV export.

use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use kis_client::api::domestic_stock::inquire_daily_itemchartprice::{
    InquireDailyItemchartpriceRequest, InquireDailyItemchartpriceResponse, Output2,
};
use kis_client::api::overseas_price::dailyprice::{self, DailypriceRequest, DailypriceResponse};
use kis_client::codes::{self, Gubn, Modp, PriceAdjustment};
use rust_decimal::Decimal;
use serde::Serialize;

use super::{money, shares, won};
use crate::{Currency, Error, Money, Quantity, Stock};

/// KIS's most rows a call answers.
const PAGE_ROWS: usize = 100;
/// Calls one series may take (100 rows each: 40 years of days).
const MAX_CALLS: usize = 100;

/// A bar's period (`FID_PERIOD_DIV_CODE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum Period {
    /// Daily bars (일봉, `D`).
    Day,
    /// Weekly bars (주봉, `W`).
    Week,
    /// Monthly bars (월봉, `M`).
    Month,
    /// Yearly bars (년봉, `Y`).
    Year,
}

impl Period {
    fn code(self) -> codes::Period {
        match self {
            Period::Day => codes::Period::Day,
            Period::Week => codes::Period::Week,
            Period::Month => codes::Period::Month,
            Period::Year => codes::Period::Year,
        }
    }
}

/// One bar of [`Candles`].
///
/// ```no_run
/// # async fn demo(bars: kis::Candles) {
/// let up_days = bars.iter().filter(|c| c.close > c.open).count();
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Candle {
    /// Business date (영업일자: `stck_bsop_date`; for a period, its last trading day).
    pub date: NaiveDate,
    /// Open (시가: `stck_oprc`).
    pub open: Money,
    /// High (최고가: `stck_hgpr`).
    pub high: Money,
    /// Low (최저가: `stck_lwpr`).
    pub low: Money,
    /// Close (종가: `stck_clpr`).
    pub close: Money,
    /// Volume (누적거래량: `acml_vol`).
    pub volume: Quantity,
    /// Traded value (누적거래대금: `acml_tr_pbmn`).
    pub value: Money,
}

impl Candle {
    /// Reads one overseas row (in USD); `None` for blank filler rows (no date).
    pub fn from_overseas_row(r: &dailyprice::Output2) -> Result<Option<Candle>, Error> {
        let Some(date) = r.xymd.get().copied() else {
            return Ok(None);
        };
        let usd = Currency::Usd;
        let close = r
            .clos
            .get()
            .and_then(|c| c.trim().parse::<Decimal>().ok())
            .ok_or_else(|| Error::Response {
                field: "clos",
                raw: r.clos.raw().into_owned(),
            })?;
        Ok(Some(Candle {
            date,
            open: money(&r.open, "open", usd)?,
            high: money(&r.high, "high", usd)?,
            low: money(&r.low, "low", usd)?,
            close: Money::new(close, usd),
            volume: super::shares_dec(&r.tvol, "tvol")?,
            value: money(&r.tamt, "tamt", usd)?,
        }))
    }

    /// Reads one row; `None` for KIS's blank filler rows (no date).
    pub fn from_row(r: &Output2) -> Result<Option<Candle>, Error> {
        let Some(date) = r.stck_bsop_date.get().copied() else {
            return Ok(None);
        };
        Ok(Some(Candle {
            date,
            open: won(&r.stck_oprc, "stck_oprc")?,
            high: won(&r.stck_hgpr, "stck_hgpr")?,
            low: won(&r.stck_lwpr, "stck_lwpr")?,
            close: won(&r.stck_clpr, "stck_clpr")?,
            volume: shares(&r.acml_vol, "acml_vol")?,
            value: money(&r.acml_tr_pbmn, "acml_tr_pbmn", Currency::Krw)?,
        }))
    }
}

/// The bars of a range, oldest first, with the answers they came from.
///
/// ```no_run
/// # async fn demo() -> Result<(), kis::Error> {
/// use chrono::NaiveDate;
/// use kis::views::candle::Period;
/// let kis = kis::Kis::simulator().await?;
/// let s = kis.stock("005930").await?;
/// let from = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
/// let bars = s.candles(Period::Day, from, kis.today()).await?;
/// for c in &bars {
///     println!("{} {}", c.date, c.close);
/// }
/// bars.write_csv(std::io::stdout())?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Candles {
    /// Short code.
    pub code: String,
    /// The bars' period.
    pub period: Period,
    /// The bars, oldest first, one per date.
    pub candles: Vec<Candle>,
    #[serde(skip)]
    raw: RawCandles,
}

/// The answers [`Candles`] were read from, in the order they were asked (newest range first).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum RawCandles {
    /// KRX: 국내주식기간별시세 (`FHKST03010100`).
    Domestic(Vec<Arc<InquireDailyItemchartpriceResponse>>),
    /// US: 해외주식 기간별시세 (`HHDFS76240000`).
    Overseas(Vec<Arc<DailypriceResponse>>),
}

impl RawCandles {
    /// How many calls were made.
    pub fn len(&self) -> usize {
        match self {
            RawCandles::Domestic(v) => v.len(),
            RawCandles::Overseas(v) => v.len(),
        }
    }

    /// Whether none were.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Candles {
    /// Every answer, in the order they were asked (newest range first).
    pub fn raw(&self) -> &RawCandles {
        &self.raw
    }

    /// The bars, oldest first.
    pub fn iter(&self) -> std::slice::Iter<'_, Candle> {
        self.candles.iter()
    }

    /// How many bars.
    pub fn len(&self) -> usize {
        self.candles.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.candles.is_empty()
    }

    /// Writes `date,open,high,low,close,volume,value` rows (amounts as plain numbers in the
    /// instrument's currency), oldest first, with a header.
    pub fn write_csv(&self, out: impl std::io::Write) -> Result<(), Error> {
        let mut w = csv::Writer::from_writer(out);
        let fail = |e: csv::Error| Error::Invalid {
            field: "csv",
            reason: e.to_string(),
        };
        w.write_record(["date", "open", "high", "low", "close", "volume", "value"])
            .map_err(fail)?;
        for c in &self.candles {
            w.write_record([
                c.date.to_string(),
                c.open.amount().to_string(),
                c.high.amount().to_string(),
                c.low.amount().to_string(),
                c.close.amount().to_string(),
                c.volume.to_string(),
                c.value.amount().to_string(),
            ])
            .map_err(fail)?;
        }
        w.flush().map_err(|e| Error::Invalid {
            field: "csv",
            reason: e.to_string(),
        })
    }
}

impl<'a> IntoIterator for &'a Candles {
    type Item = &'a Candle;
    type IntoIter = std::slice::Iter<'a, Candle>;

    fn into_iter(self) -> Self::IntoIter {
        self.candles.iter()
    }
}

/// One answer's bars, its row count and the answer.
type Page<R> = (Vec<Candle>, usize, Arc<R>);

/// Asks `fetch(end)` for pages ending at `end`, newest first, until `from` is covered or a
/// page is short; keeps the bars in `from..=to`, oldest first, one per date, and the answers.
async fn page_back<R, F, Fut>(
    from: NaiveDate,
    to: NaiveDate,
    mut fetch: F,
) -> Result<(Vec<Candle>, Vec<Arc<R>>), Error>
where
    F: FnMut(NaiveDate) -> Fut,
    Fut: std::future::Future<Output = Result<Page<R>, Error>>,
{
    let mut bars: Vec<Candle> = Vec::new();
    let mut raw = Vec::new();
    let mut end = to;
    for _ in 0..MAX_CALLS {
        let (page, rows, answer) = fetch(end).await?;
        raw.push(answer);
        let oldest = page.iter().map(|c| c.date).min();
        bars.extend(page.into_iter().filter(|c| c.date >= from && c.date <= to));
        match oldest {
            Some(o) if rows >= PAGE_ROWS && o > from && o <= end => end = o - Duration::days(1),
            _ => break,
        }
    }
    bars.sort_by_key(|c| c.date);
    bars.dedup_by_key(|c| c.date);
    Ok((bars, raw))
}

impl Stock {
    /// The bars of `from..=to` (adjusted prices, 수정주가), however many: KIS answers at most
    /// 100 a call, newest first, so the range is asked again ending before the oldest bar
    /// received until it is covered (at most 100 calls). US venues have no yearly bars.
    pub async fn candles(
        &self,
        period: Period,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Candles, Error> {
        if from > to {
            return Err(Error::Invalid {
                field: "from",
                reason: format!("{from} is after {to}"),
            });
        }
        if self.market.is_us() {
            return self.overseas_candles(period, from, to).await;
        }
        let client = self.kis().client();
        let (candles, raw) = page_back(from, to, |end| {
            let req = InquireDailyItemchartpriceRequest::new(
                codes::Market::Krx,
                self.code.as_str(),
                from,
                end,
                period.code(),
                PriceAdjustment::Adjusted,
            );
            async move {
                let r = client.send(req).await?;
                let mut page = Vec::new();
                for row in r.output2.rows() {
                    page.extend(Candle::from_row(row)?);
                }
                let rows = r.output2.rows().len();
                Ok((page, rows, Arc::new(r)))
            }
        })
        .await?;
        Ok(Candles {
            code: self.code.clone(),
            period,
            candles,
            raw: RawCandles::Domestic(raw),
        })
    }

    async fn overseas_candles(
        &self,
        period: Period,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Candles, Error> {
        let gubn = match period {
            Period::Day => Gubn::Day,
            Period::Week => Gubn::Week,
            Period::Month => Gubn::Month,
            Period::Year => {
                return Err(Error::Invalid {
                    field: "period",
                    reason: "US venues have daily, weekly and monthly bars".into(),
                });
            }
        };
        let exchange = super::quote::quote_exchange(self.market)?;
        let client = self.kis().client();
        let (candles, raw) = page_back(from, to, |end| {
            let req = DailypriceRequest::new(
                exchange.clone(),
                self.code.as_str(),
                gubn.clone(),
                Modp::Applied,
            )
            .bymd(end);
            async move {
                let r = client.send(req).await?;
                let mut page = Vec::new();
                for row in r.output2.rows() {
                    page.extend(Candle::from_overseas_row(row)?);
                }
                let rows = r.output2.rows().len();
                Ok((page, rows, Arc::new(r)))
            }
        })
        .await?;
        Ok(Candles {
            code: self.code.clone(),
            period,
            candles,
            raw: RawCandles::Overseas(raw),
        })
    }
}
