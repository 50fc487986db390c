//! [`Quote`]: the current price of a stock, domestic (주식현재가 시세, `inquire-price`) or
//! overseas (해외주식 현재체결가 `price` + 기간별시세 `dailyprice` for the day's open, high and
//! low; both are served on paper, unlike `price-detail`).

use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use kis_client::api::domestic_stock::inquire_price::{InquirePriceRequest, InquirePriceResponse};
use kis_client::api::overseas_price::dailyprice::{DailypriceRequest, DailypriceResponse};
use kis_client::api::overseas_price::price::{PriceRequest, PriceResponse};
use kis_client::codes::{self, Gubn, Modp, QuoteExchange};
use rust_decimal::Decimal;
use serde::Serialize;

use super::{money, need, shares, won};
use crate::{Currency, Error, Market, Money, Quantity, Stock};

/// The responses a [`Quote`] was read from.
#[derive(Debug)]
#[non_exhaustive]
pub enum RawQuote {
    /// 주식현재가 시세 (`FHKST01010100`).
    Domestic(InquirePriceResponse),
    /// 해외주식 현재체결가 (`HHDFS00000300`) and 기간별시세 (`HHDFS76240000`).
    Overseas {
        /// The price answer.
        price: Box<PriceResponse>,
        /// The daily bars answer (its newest row: the day's open, high and low).
        daily: Box<DailypriceResponse>,
    },
}

/// The current price and the day so far.
///
/// ```no_run
/// # async fn demo() -> Result<(), kis::Error> {
/// let kis = kis::Kis::simulator().await?;
/// let q = kis.stock("005930").await?.quote().await?;
/// println!("{} ({:+}%), limits {:?}..{:?}", q.price, q.change_pct, q.lower_limit, q.upper_limit);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Quote {
    /// Short code (`005930`, `AAPL`).
    pub code: String,
    /// Current price (현재가: `stck_prpr`; overseas `last`).
    pub price: Money,
    /// Change from the previous close, signed (전일대비: `prdy_vrss`; overseas `diff` with
    /// the sign of `sign`).
    pub change: Money,
    /// Change in percent, signed (전일대비율: `prdy_ctrt`; overseas `rate`).
    pub change_pct: Decimal,
    /// The base price: previous close (기준가 `stck_sdpr`; overseas 전일종가 `base`).
    pub prev_close: Money,
    /// Open (시가: `stck_oprc`; overseas the newest daily bar's `open`).
    pub open: Money,
    /// High (고가: `stck_hgpr`; overseas the newest daily bar's `high`).
    pub high: Money,
    /// Low (저가: `stck_lwpr`; overseas the newest daily bar's `low`).
    pub low: Money,
    /// Volume so far (누적거래량: `acml_vol`; overseas `tvol`).
    pub volume: Quantity,
    /// Traded value so far (누적거래대금: `acml_tr_pbmn`; overseas `tamt`).
    pub value: Money,
    /// Upper price limit (상한가: `stck_mxpr`; `None` on US venues, which have none).
    pub upper_limit: Option<Money>,
    /// Lower price limit (하한가: `stck_llam`; `None` on US venues).
    pub lower_limit: Option<Money>,
    /// Tick size at the current price (호가단위: `aspr_unit`; US venues by
    /// [`TickRule::Us`](crate::TickRule::Us)).
    pub tick: Money,
    /// When the answer arrived, by the server's clock ([`Kis::now`](crate::Kis::now)):
    /// `inquire-price` carries no time of its own.
    pub time: DateTime<FixedOffset>,
    /// Trading halted (거래정지: status code `58` or 임시정지 `temp_stop_yn`; overseas
    /// 매수가능여부 `ordy` saying `N` or 불가).
    pub halted: bool,
    /// The status label (종목상태구분: `iscd_stat_cls_code`'s label; overseas `ordy`).
    pub status: String,
    #[serde(skip)]
    raw: Arc<RawQuote>,
}

impl Quote {
    /// The response(s) this was read from.
    pub fn raw(&self) -> &RawQuote {
        &self.raw
    }

    /// Reads a domestic answer.
    pub fn from_domestic(
        code: &str,
        r: InquirePriceResponse,
        time: DateTime<FixedOffset>,
    ) -> Result<Quote, Error> {
        let o = r.output.get().ok_or(Error::Response {
            field: "output",
            raw: String::new(),
        })?;
        let krw = Currency::Krw;
        let limit = |m: Money| (!m.amount().is_zero()).then_some(m);
        let status = o.iscd_stat_cls_code.get();
        let halted = matches!(status, Some(codes::IscdStatClsCode::Halted))
            || o.temp_stop_yn.get() == Some(&true);
        Ok(Quote {
            code: code.to_owned(),
            price: won(&o.stck_prpr, "stck_prpr")?,
            change: money(&o.prdy_vrss, "prdy_vrss", krw)?,
            change_pct: need(&o.prdy_ctrt, "prdy_ctrt")?,
            prev_close: won(&o.stck_sdpr, "stck_sdpr")?,
            open: won(&o.stck_oprc, "stck_oprc")?,
            high: won(&o.stck_hgpr, "stck_hgpr")?,
            low: won(&o.stck_lwpr, "stck_lwpr")?,
            volume: shares(&o.acml_vol, "acml_vol")?,
            value: money(&o.acml_tr_pbmn, "acml_tr_pbmn", krw)?,
            upper_limit: limit(won(&o.stck_mxpr, "stck_mxpr")?),
            lower_limit: limit(won(&o.stck_llam, "stck_llam")?),
            tick: money(&o.aspr_unit, "aspr_unit", krw)?,
            time,
            halted,
            status: status.map(|s| s.label().to_owned()).unwrap_or_default(),
            raw: Arc::new(RawQuote::Domestic(r)),
        })
    }

    /// Reads an overseas answer pair.
    pub fn from_overseas(
        code: &str,
        price: PriceResponse,
        daily: DailypriceResponse,
        time: DateTime<FixedOffset>,
    ) -> Result<Quote, Error> {
        let missing = |field| Error::Response {
            field,
            raw: String::new(),
        };
        let p = price.output.get().ok_or(missing("output"))?;
        let d = daily.output2.rows().first().ok_or(missing("output2"))?;
        let c = Currency::Usd;
        // 대비부호: 4 하한 (lower limit), 5 하락 (fall).
        let falling = matches!(p.sign.get().map(|s| s.as_code()), Some("4" | "5"));
        let signed = |x: Decimal| if falling { -x.abs() } else { x };
        let ordy = p.ordy.get().cloned().unwrap_or_default();
        let last = money(&p.last, "last", c)?;
        Ok(Quote {
            code: code.to_owned(),
            price: last,
            change: Money::new(signed(need(&p.diff, "diff")?), c),
            change_pct: signed(need(&p.rate, "rate")?),
            prev_close: money(&p.base, "base", c)?,
            open: money(&d.open, "open", c)?,
            high: money(&d.high, "high", c)?,
            low: money(&d.low, "low", c)?,
            volume: super::shares_dec(&p.tvol, "tvol")?,
            value: money(&p.tamt, "tamt", c)?,
            upper_limit: None,
            lower_limit: None,
            tick: Money::new(crate::TickRule::Us.tick(last.amount()), c),
            time,
            halted: ordy.trim() == "N" || ordy.contains("불가"),
            status: ordy,
            raw: Arc::new(RawQuote::Overseas {
                price: Box::new(price),
                daily: Box::new(daily),
            }),
        })
    }
}

/// KIS's quote exchange code of a US market.
pub(crate) fn quote_exchange(market: Market) -> Result<QuoteExchange, Error> {
    match market {
        Market::Nasdaq => Ok(QuoteExchange::Nasdaq),
        Market::Nyse => Ok(QuoteExchange::NewYork),
        Market::Amex => Ok(QuoteExchange::Amex),
        other => Err(Error::Invalid {
            field: "symbol",
            reason: format!("{other} has no overseas quote exchange"),
        }),
    }
}

impl Stock {
    /// The current quote: one `inquire-price` call for KRX, `price` and `dailyprice` (at
    /// once) for US venues.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kis::Error> {
    /// let kis = kis::Kis::simulator().await?;
    /// let q = kis.stock("NASDAQ:AAPL").await?.quote().await?;
    /// assert_eq!(q.price.currency(), kis::Currency::Usd);
    /// # Ok(()) }
    /// ```
    pub async fn quote(&self) -> Result<Quote, Error> {
        let client = self.kis().client();
        if self.market.is_us() {
            let ex = quote_exchange(self.market)?;
            let daily =
                DailypriceRequest::new(ex.clone(), self.code.as_str(), Gubn::Day, Modp::Applied);
            let (price, daily) = tokio::try_join!(
                client.send(PriceRequest::new(ex, self.code.as_str())),
                client.send(daily),
            )?;
            return Quote::from_overseas(&self.code, price, daily, self.kis().now());
        }
        let r = client
            .send(InquirePriceRequest::new(
                codes::Market::Krx,
                self.code.as_str(),
            ))
            .await?;
        Quote::from_domestic(&self.code, r, self.kis().now())
    }
}
