//! [`Candles`]: daily, weekly, monthly or yearly bars of a KRX stock over any range
//! (국내주식기간별시세, `inquire-daily-itemchartprice`), paged past KIS's 100 rows a call and
//! ordered oldest first; CSV export.

use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use kis_client::api::domestic_stock::inquire_daily_itemchartprice::{
    InquireDailyItemchartpriceRequest, InquireDailyItemchartpriceResponse, Output2,
};
use kis_client::codes::{self, PriceAdjustment};
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

/// One bar.
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
    raw: Vec<Arc<InquireDailyItemchartpriceResponse>>,
}

impl Candles {
    /// Every answer, in the order they were asked (newest range first).
    pub fn raw(&self) -> &[Arc<InquireDailyItemchartpriceResponse>] {
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

    /// Writes `date,open,high,low,close,volume,value` rows (amounts as plain numbers, in
    /// KRW), oldest first, with a header.
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

impl Stock {
    /// The bars of `from..=to` (adjusted prices, 수정주가), however many: KIS answers at most
    /// 100 a call, newest first, so the range is asked again ending before the oldest bar
    /// received until it is covered (at most 100 calls).
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
        let client = self.kis().client();
        let mut bars: Vec<Candle> = Vec::new();
        let mut raw = Vec::new();
        let mut end = to;
        for _ in 0..MAX_CALLS {
            let r = client
                .send(InquireDailyItemchartpriceRequest::new(
                    codes::Market::Krx,
                    self.code.as_str(),
                    from,
                    end,
                    period.code(),
                    PriceAdjustment::Adjusted,
                ))
                .await?;
            let mut page = Vec::new();
            for row in r.output2.rows() {
                if let Some(c) = Candle::from_row(row)? {
                    page.push(c);
                }
            }
            let rows = r.output2.rows().len();
            raw.push(Arc::new(r));
            let oldest = page.iter().map(|c| c.date).min();
            bars.extend(page.into_iter().filter(|c| c.date >= from && c.date <= to));
            match oldest {
                Some(o) if rows >= PAGE_ROWS && o > from && o <= end => end = o - Duration::days(1),
                _ => break,
            }
        }
        bars.sort_by_key(|c| c.date);
        bars.dedup_by_key(|c| c.date);
        Ok(Candles {
            code: self.code.clone(),
            period,
            candles: bars,
            raw,
        })
    }
}
