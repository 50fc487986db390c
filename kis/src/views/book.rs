//! [`OrderBook`]: the ten-level book of a KRX stock (주식현재가 호가/예상체결,
//! `inquire-asking-price-exp-ccn`).

use std::sync::Arc;

use chrono::NaiveTime;
use kis_client::api::domestic_stock::inquire_asking_price_exp_ccn::{
    InquireAskingPriceExpCcnRequest, InquireAskingPriceExpCcnResponse, Output1,
};
use kis_client::codes;
use kis_client::value::{Decimal, Val};
use kis_ws::api::realtime_domestic_stock::h0stasp0::H0stasp0;
use serde::Serialize;

use super::{money, shares};
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
    /// Time of the book (호가접수시간: `aspr_acpt_hour`), KST.
    pub time: Option<NaiveTime>,
    /// Asks, best (lowest) first; empty levels (price 0) left out (`askp1..10`).
    pub asks: Vec<Level>,
    /// Bids, best (highest) first; empty levels left out (`bidp1..10`).
    pub bids: Vec<Level>,
    /// Total ask quantity (총매도호가잔량: `total_askp_rsqn`).
    pub total_ask_qty: Quantity,
    /// Total bid quantity (총매수호가잔량: `total_bidp_rsqn`).
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

    /// The best ask minus the best bid, if both sides have a level.
    pub fn spread(&self) -> Option<Decimal> {
        Some(self.asks.first()?.price.amount() - self.bids.first()?.price.amount())
    }
}

impl Stock {
    /// The ten-level order book (KRX only).
    pub async fn book(&self) -> Result<OrderBook, Error> {
        if !self.market.is_krx() {
            return Err(Error::Invalid {
                field: "symbol",
                reason: format!(
                    "the order book view covers KRX stocks, not {}",
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
