//! [`OrderBook`]: the ten-level book of a KRX stock (주식현재가 호가/예상체결,
//! `inquire-asking-price-exp-ccn`) or of a US stock (해외주식 현재가 호가,
//! `inquire-asking-price`, `HHDFS76200100`: ten levels for US venues; KIS serves it on the
//! real service only, 모의투자 미지원).

use std::sync::Arc;

use chrono::NaiveTime;
use kis_client::api::domestic_stock::inquire_asking_price_exp_ccn::{
    InquireAskingPriceExpCcnRequest, InquireAskingPriceExpCcnResponse, Output1,
};
use kis_client::api::overseas_price::inquire_asking_price::{
    InquireAskingPriceRequest, InquireAskingPriceResponse, Output2 as UsLevels,
};
use kis_client::codes;
use kis_client::value::{Decimal, Val};
use kis_ws::api::realtime_domestic_stock::h0stasp0::H0stasp0;
use serde::Serialize;

use super::{money, shares, shares_dec};
use crate::{Currency, Error, Money, Quantity, Stock};

/// One price level of an [`OrderBook`].
///
/// ```
/// let l = kis::Level { price: kis::Money::krw(74_000), qty: kis::Quantity::new(120) };
/// assert_eq!(l.qty.whole(), Some(120));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Level {
    /// The price (호가: `askpN`/`bidpN`).
    pub price: Money,
    /// Quantity resting there (호가잔량: `askp_rsqnN`/`bidp_rsqnN`).
    pub qty: Quantity,
}

/// The order book.
///
/// ```no_run
/// # async fn demo() -> Result<(), kis::Error> {
/// let kis = kis::Kis::simulator().await?;
/// let book = kis.stock("005930").await?.book().await?;
/// if let (Some(ask), Some(bid)) = (book.asks.first(), book.bids.first()) {
///     println!("{} x {} / {} x {}", bid.price, bid.qty, ask.price, ask.qty);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct OrderBook {
    /// Short code.
    pub code: String,
    /// Time of the book (호가접수시간: `aspr_acpt_hour`), KST; US: 호가시간 `dhms`, which KIS
    /// does not place in a zone (the simulator sends New York time).
    pub time: Option<NaiveTime>,
    /// Asks, best (lowest) first; empty levels (price 0) left out (`askp1..10`; US
    /// 매도호가가격 `pask1..10` with 매도호가잔량 `vask1..10`, in USD).
    pub asks: Vec<Level>,
    /// Bids, best (highest) first; empty levels left out (`bidp1..10`; US `pbid1..10` with
    /// `vbid1..10`).
    pub bids: Vec<Level>,
    /// Total ask quantity (총매도호가잔량: `total_askp_rsqn`; US 매도호가총잔량 `avol`).
    pub total_ask_qty: Quantity,
    /// Total bid quantity (총매수호가잔량: `total_bidp_rsqn`; US 매수호가총잔량 `bvol`).
    pub total_bid_qty: Quantity,
    #[serde(skip)]
    raw: Arc<RawBook>,
}

/// What an [`OrderBook`] was read from.
#[derive(Debug)]
#[non_exhaustive]
pub enum RawBook {
    /// The REST answer (주식현재가 호가/예상체결, `FHKST01010200`).
    Rest(Box<InquireAskingPriceExpCcnResponse>),
    /// A realtime record (주식호가, `H0STASP0`).
    Realtime(Box<H0stasp0>),
    /// The US REST answer (해외주식 현재가 호가, `HHDFS76200100`).
    Overseas(Box<InquireAskingPriceResponse>),
}

/// The ten (price, quantity) field pairs of one side.
type Side<'a> = [(&'a Val<Decimal>, &'a Val<i64>, &'static str, &'static str); 10];

/// The ask and bid sides of a record with KIS's book field names (the REST answer's
/// `output1` and the realtime `H0STASP0` record share them).
macro_rules! book_sides {
    ($asks:ident, $bids:ident, $t:ty) => {
        fn $asks(o: &$t) -> Side<'_> {
            [
                (&o.askp1, &o.askp_rsqn1, "askp1", "askp_rsqn1"),
                (&o.askp2, &o.askp_rsqn2, "askp2", "askp_rsqn2"),
                (&o.askp3, &o.askp_rsqn3, "askp3", "askp_rsqn3"),
                (&o.askp4, &o.askp_rsqn4, "askp4", "askp_rsqn4"),
                (&o.askp5, &o.askp_rsqn5, "askp5", "askp_rsqn5"),
                (&o.askp6, &o.askp_rsqn6, "askp6", "askp_rsqn6"),
                (&o.askp7, &o.askp_rsqn7, "askp7", "askp_rsqn7"),
                (&o.askp8, &o.askp_rsqn8, "askp8", "askp_rsqn8"),
                (&o.askp9, &o.askp_rsqn9, "askp9", "askp_rsqn9"),
                (&o.askp10, &o.askp_rsqn10, "askp10", "askp_rsqn10"),
            ]
        }

        fn $bids(o: &$t) -> Side<'_> {
            [
                (&o.bidp1, &o.bidp_rsqn1, "bidp1", "bidp_rsqn1"),
                (&o.bidp2, &o.bidp_rsqn2, "bidp2", "bidp_rsqn2"),
                (&o.bidp3, &o.bidp_rsqn3, "bidp3", "bidp_rsqn3"),
                (&o.bidp4, &o.bidp_rsqn4, "bidp4", "bidp_rsqn4"),
                (&o.bidp5, &o.bidp_rsqn5, "bidp5", "bidp_rsqn5"),
                (&o.bidp6, &o.bidp_rsqn6, "bidp6", "bidp_rsqn6"),
                (&o.bidp7, &o.bidp_rsqn7, "bidp7", "bidp_rsqn7"),
                (&o.bidp8, &o.bidp_rsqn8, "bidp8", "bidp_rsqn8"),
                (&o.bidp9, &o.bidp_rsqn9, "bidp9", "bidp_rsqn9"),
                (&o.bidp10, &o.bidp_rsqn10, "bidp10", "bidp_rsqn10"),
            ]
        }
    };
}

book_sides!(rest_asks, rest_bids, Output1);
book_sides!(realtime_asks, realtime_bids, H0stasp0);

/// The ten (price, quantity) field pairs of one US side (both decimals).
type UsSide<'a> = [(
    &'a Val<Decimal>,
    &'a Val<Decimal>,
    &'static str,
    &'static str,
); 10];

fn us_asks(o: &UsLevels) -> UsSide<'_> {
    [
        (&o.pask1, &o.vask1, "pask1", "vask1"),
        (&o.pask2, &o.vask2, "pask2", "vask2"),
        (&o.pask3, &o.vask3, "pask3", "vask3"),
        (&o.pask4, &o.vask4, "pask4", "vask4"),
        (&o.pask5, &o.vask5, "pask5", "vask5"),
        (&o.pask6, &o.vask6, "pask6", "vask6"),
        (&o.pask7, &o.vask7, "pask7", "vask7"),
        (&o.pask8, &o.vask8, "pask8", "vask8"),
        (&o.pask9, &o.vask9, "pask9", "vask9"),
        (&o.pask10, &o.vask10, "pask10", "vask10"),
    ]
}

fn us_bids(o: &UsLevels) -> UsSide<'_> {
    [
        (&o.pbid1, &o.vbid1, "pbid1", "vbid1"),
        (&o.pbid2, &o.vbid2, "pbid2", "vbid2"),
        (&o.pbid3, &o.vbid3, "pbid3", "vbid3"),
        (&o.pbid4, &o.vbid4, "pbid4", "vbid4"),
        (&o.pbid5, &o.vbid5, "pbid5", "vbid5"),
        (&o.pbid6, &o.vbid6, "pbid6", "vbid6"),
        (&o.pbid7, &o.vbid7, "pbid7", "vbid7"),
        (&o.pbid8, &o.vbid8, "pbid8", "vbid8"),
        (&o.pbid9, &o.vbid9, "pbid9", "vbid9"),
        (&o.pbid10, &o.vbid10, "pbid10", "vbid10"),
    ]
}

/// The non-empty levels of a US side, in USD.
fn us_levels(side: UsSide<'_>) -> Result<Vec<Level>, Error> {
    let mut out = Vec::new();
    for (p, q, pf, qf) in side {
        let price = money(p, pf, Currency::Usd)?;
        if price.amount().is_zero() {
            continue;
        }
        out.push(Level {
            price,
            qty: shares_dec(q, qf)?,
        });
    }
    Ok(out)
}

fn levels(side: Side<'_>) -> Result<Vec<Level>, Error> {
    let mut out = Vec::new();
    for (p, q, pf, qf) in side {
        let price = money(p, pf, Currency::Krw)?;
        if price.amount().is_zero() {
            continue;
        }
        out.push(Level {
            price,
            qty: shares(q, qf)?,
        });
    }
    Ok(out)
}

impl OrderBook {
    /// The answer or record this was read from.
    pub fn raw(&self) -> &RawBook {
        &self.raw
    }

    /// Reads an answer.
    pub fn from_response(
        code: &str,
        r: InquireAskingPriceExpCcnResponse,
    ) -> Result<OrderBook, Error> {
        let o = r.output1.get().ok_or(Error::Response {
            field: "output1",
            raw: String::new(),
        })?;
        Ok(OrderBook {
            code: code.to_owned(),
            time: o.aspr_acpt_hour.get().map(|t| t.time()),
            asks: levels(rest_asks(o))?,
            bids: levels(rest_bids(o))?,
            total_ask_qty: shares(&o.total_askp_rsqn, "total_askp_rsqn")?,
            total_bid_qty: shares(&o.total_bidp_rsqn, "total_bidp_rsqn")?,
            raw: Arc::new(RawBook::Rest(Box::new(r))),
        })
    }

    /// Reads a realtime record (주식호가 `H0STASP0`).
    pub fn from_realtime(r: H0stasp0) -> Result<OrderBook, Error> {
        Ok(OrderBook {
            code: r
                .mksc_shrn_iscd
                .get()
                .map(|t| t.as_str().to_owned())
                .unwrap_or_default(),
            time: r.bsop_hour.get().map(|t| t.time()),
            asks: levels(realtime_asks(&r))?,
            bids: levels(realtime_bids(&r))?,
            total_ask_qty: shares(&r.total_askp_rsqn, "total_askp_rsqn")?,
            total_bid_qty: shares(&r.total_bidp_rsqn, "total_bidp_rsqn")?,
            raw: Arc::new(RawBook::Realtime(Box::new(r))),
        })
    }

    /// Reads a US answer (해외주식 현재가 호가, `HHDFS76200100`): `output1` for the time and
    /// totals, `output2` for the ten levels a side.
    pub fn from_overseas(code: &str, r: InquireAskingPriceResponse) -> Result<OrderBook, Error> {
        let missing = |field| Error::Response {
            field,
            raw: String::new(),
        };
        let head = r.output1.get().ok_or(missing("output1"))?;
        let book = r.output2.get().ok_or(missing("output2"))?;
        Ok(OrderBook {
            code: code.to_owned(),
            time: head.dhms.get().map(|t| t.time()),
            asks: us_levels(us_asks(book))?,
            bids: us_levels(us_bids(book))?,
            total_ask_qty: shares_dec(&head.avol, "avol")?,
            total_bid_qty: shares_dec(&head.bvol, "bvol")?,
            raw: Arc::new(RawBook::Overseas(Box::new(r))),
        })
    }

    /// The best ask minus the best bid, if both sides have a level.
    pub fn spread(&self) -> Option<Decimal> {
        Some(self.asks.first()?.price.amount() - self.bids.first()?.price.amount())
    }
}

impl Stock {
    /// The ten-level order book: KRX stocks (served on paper too) and US stocks (NASDAQ,
    /// NYSE, AMEX; prices in USD). KIS serves the US book on the real service only (모의투자
    /// 미지원): on paper the call fails before anything is sent with kis-client's
    /// `UnsupportedInPaper`.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kis::Error> {
    /// let kis = kis::Kis::from_config()?; // a real-service configuration
    /// let book = kis.stock("NASDAQ:AAPL").await?.book().await?;
    /// if let Some(best) = book.asks.first() {
    ///     assert_eq!(best.price.currency(), kis::Currency::Usd);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn book(&self) -> Result<OrderBook, Error> {
        if self.market.is_us() {
            let ex = super::quote::quote_exchange(self.market)?;
            let r = self
                .kis()
                .client()
                .send(InquireAskingPriceRequest::new(ex, self.code.as_str()))
                .await?;
            return OrderBook::from_overseas(&self.code, r);
        }
        if !self.market.is_krx() {
            return Err(Error::Invalid {
                field: "symbol",
                reason: format!(
                    "the order book view covers KRX and US stocks, not {}",
                    self.symbol()
                ),
            });
        }
        let r = self
            .kis()
            .client()
            .send(InquireAskingPriceExpCcnRequest::new(
                codes::Market::Krx,
                self.code.as_str(),
            ))
            .await?;
        OrderBook::from_response(&self.code, r)
    }
}
