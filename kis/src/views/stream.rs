//! Realtime views: [`Stock::ticks`] (주식체결가 `H0STCNT0`) as [`Trade`]s and
//! [`Stock::book_stream`] (주식호가 `H0STASP0`) as [`OrderBook`]s, over the handle's one
//! realtime session ([`Kis::session`](crate::Kis::session)).

use futures::{Stream, StreamExt};
use kis_ws::api::realtime_domestic_stock::h0stasp0::H0stasp0;
use kis_ws::api::realtime_domestic_stock::h0stcnt0::H0stcnt0;

use crate::{Error, OrderBook, Stock, Trade};

impl Stock {
    fn require_krx(&self, what: &str) -> Result<(), Error> {
        if self.market.is_krx() {
            return Ok(());
        }
        Err(Error::Invalid {
            field: "symbol",
            reason: format!("{what} covers KRX stocks, not {}", self.symbol()),
        })
    }

    /// Every execution of this stock as it happens (the subscription stays for the session's
    /// life). A record that does not read is an `Err` item; the stream goes on.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kis::Error> {
    /// use futures::StreamExt;
    /// let kis = kis::Kis::simulator().await?;
    /// let mut ticks = Box::pin(kis.stock("005930").await?.ticks().await?);
    /// while let Some(t) = ticks.next().await {
    ///     let t = t?;
    ///     println!("{} {} x {}", t.time, t.price, t.qty);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn ticks(
        &self,
    ) -> Result<impl Stream<Item = Result<Trade, Error>> + Send + 'static, Error> {
        self.require_krx("ticks")?;
        let session = self.kis().session().await?;
        let records = session.records::<H0stcnt0>();
        session.subscribe("H0STCNT0", &self.code).await?;
        let code = self.code.clone();
        Ok(records
            .filter(move |r| {
                // Errors (an overflow, the session's end) always reach the reader.
                let mine = r.as_ref().map_or(true, |r| {
                    r.mksc_shrn_iscd.get().is_some_and(|c| c.as_str() == code)
                });
                futures::future::ready(mine)
            })
            .map(|r| r.map_err(Error::from).and_then(Trade::from_realtime)))
    }

    /// The order book of this stock each time it changes.
    pub async fn book_stream(
        &self,
    ) -> Result<impl Stream<Item = Result<OrderBook, Error>> + Send + 'static, Error> {
        self.require_krx("the book stream")?;
        let session = self.kis().session().await?;
        let records = session.records::<H0stasp0>();
        session.subscribe("H0STASP0", &self.code).await?;
        let code = self.code.clone();
        Ok(records
            .filter(move |r| {
                // Errors (an overflow, the session's end) always reach the reader.
                let mine = r.as_ref().map_or(true, |r| {
                    r.mksc_shrn_iscd.get().is_some_and(|c| c.as_str() == code)
                });
                futures::future::ready(mine)
            })
            .map(|r| r.map_err(Error::from).and_then(OrderBook::from_realtime)))
    }
}
