//! The read side's state in the [`Kis`] handle (clock, master store, the loaded master) and
//! the handle's time, calendar and lookup methods.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use crate::clock::{Clock, kst, kst_date};
use crate::master::MasterStore;
use crate::{Calendar, Error, Instrument, Kis, Market, Stock, SymbolMaster};

/// What the read side keeps per handle.
#[derive(Default)]
pub(crate) struct ReadState {
    /// An injected clock; `None`: KIS's clock (kis-client's offset from the HTTP `Date` of
    /// its answers).
    clock: RwLock<Option<Arc<dyn Clock>>>,
    /// An explicit master store; `None`: KIS's (or the simulator's) with the default cache.
    store: RwLock<Option<MasterStore>>,
    /// The master loaded for a server date and a store generation.
    master: tokio::sync::Mutex<Option<(NaiveDate, u64, Arc<SymbolMaster>)>>,
    /// Bumped by each `set_master_store`: a loaded master of an older store is reloaded.
    store_generation: std::sync::atomic::AtomicU64,
}

fn read<T: Clone>(l: &RwLock<T>) -> T {
    l.read().unwrap_or_else(|p| p.into_inner()).clone()
}

fn write<T>(l: &RwLock<T>, value: T) {
    *l.write().unwrap_or_else(|p| p.into_inner()) = value;
}

impl Kis {
    /// Replaces the clock this handle goes by (tests, replays). By default it is KIS's: the
    /// offset kis-client learned from the HTTP `Date` of KIS's latest answer (the
    /// simulator's answers carry its market clock).
    ///
    /// ```
    /// # async fn demo() -> Result<(), kis::Error> {
    /// use chrono::{TimeZone, Utc};
    /// let kis = kis::Kis::simulator().await?;
    /// kis.set_clock(kis::FixedClock::new(Utc.with_ymd_and_hms(2026, 12, 6, 15, 0, 0).unwrap()));
    /// assert_eq!(kis.today().to_string(), "2026-12-07"); // midnight in Seoul
    /// # Ok(()) }
    /// ```
    pub fn set_clock(&self, clock: impl Clock) {
        write(
            &self.read_state().clock,
            Some(Arc::new(clock) as Arc<dyn Clock>),
        );
    }

    /// Makes sure KIS's clock is known: when no answer has told it yet, asks for the access
    /// token (cached, so usually no request) to read the `Date` of KIS's answer. Lookups
    /// ([`Kis::master`], [`Kis::stock`]) call it; call it before [`Kis::today`] in a
    /// program that has not talked to KIS yet.
    ///
    /// ```no_run
    /// # async fn demo(kis: kis::Kis) -> Result<(), kis::Error> {
    /// kis.sync_clock().await?;
    /// println!("KIS's date: {}", kis.today());
    /// # Ok(()) }
    /// ```
    pub async fn sync_clock(&self) -> Result<(), Error> {
        if read(&self.read_state().clock).is_none() && self.client().server_offset().is_none() {
            self.client().ensure_token().await?;
        }
        Ok(())
    }

    /// The current instant by KIS's clock, in KST. Before KIS has answered anything (see
    /// [`Kis::sync_clock`]) it is the simulator's market clock, or this machine's.
    ///
    /// ```no_run
    /// # async fn demo(kis: kis::Kis) {
    /// println!("KIS time: {}", kis.now());
    /// # }
    /// ```
    pub fn now(&self) -> DateTime<FixedOffset> {
        self.now_utc().with_timezone(&kst())
    }

    fn now_utc(&self) -> DateTime<Utc> {
        if let Some(clock) = read(&self.read_state().clock) {
            return clock.now_utc();
        }
        if let Some(offset) = self.client().server_offset() {
            return Utc::now() + offset;
        }
        #[cfg(feature = "simulator")]
        if let Some(sim) = self.simulator_server() {
            return sim.market_time().and_utc() - chrono::Duration::hours(9);
        }
        Utc::now()
    }

    /// Today's date in Seoul (KST) by the server's clock: what KIS's date parameters and
    /// "today's" executions mean. A weekend or holiday is still today; see
    /// [`Kis::trading_day`] for the session date.
    pub fn today(&self) -> NaiveDate {
        kst_date(self.now_utc())
    }

    /// The KRX trading day of now: today if KRX trades today, else the latest trading day
    /// before it (the day whose data KIS shows on a weekend or holiday).
    ///
    /// ```no_run
    /// # async fn demo(kis: kis::Kis) {
    /// let day = kis.trading_day(); // Friday on a Sunday
    /// # }
    /// ```
    pub fn trading_day(&self) -> NaiveDate {
        Calendar::krx().on_or_before(self.today())
    }

    /// The calendar of a market (KRX or New York).
    pub fn calendar(&self, market: Market) -> Calendar {
        Calendar::of(market)
    }

    /// Uses `store` for the symbol master (a mirror, a different cache directory, or only
    /// some files). The next lookup reloads.
    pub fn set_master_store(&self, store: MasterStore) {
        write(&self.read_state().store, Some(store));
        self.read_state()
            .store_generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    fn master_store(&self) -> MasterStore {
        if let Some(s) = read(&self.read_state().store) {
            return s;
        }
        #[cfg(feature = "simulator")]
        if let Some(sim) = self.simulator_server() {
            return MasterStore::new(format!("{}/common/master", sim.rest_url()), None);
        }
        MasterStore::new(MasterStore::KIS_URL, MasterStore::default_dir())
    }

    /// The symbol master of today (server date): loaded once a day, from the cache when it
    /// is today's, else downloaded; an older cache stands in when the download fails.
    ///
    /// ```no_run
    /// # async fn demo(kis: kis::Kis) -> Result<(), kis::Error> {
    /// let master = kis.master().await?;
    /// println!("{} instruments", master.len());
    /// # Ok(()) }
    /// ```
    pub async fn master(&self) -> Result<Arc<SymbolMaster>, Error> {
        self.sync_clock().await?;
        let today = self.today();
        let state = self.read_state();
        let mut slot = state.master.lock().await;
        let generation = state
            .store_generation
            .load(std::sync::atomic::Ordering::SeqCst);
        if let Some((day, g, m)) = &*slot
            && (*day, *g) == (today, generation)
        {
            return Ok(m.clone());
        }
        let m = Arc::new(self.master_store().load(today).await?);
        *slot = Some((today, generation, m.clone()));
        Ok(m)
    }

    /// A stock, ETF, ETN, ELW or overseas symbol by code (`005930`), name (`삼성전자`) or
    /// `MARKET:CODE` (`NASDAQ:AAPL`), through the symbol master. Unknown or ambiguous
    /// queries are [`Error::NotFound`] / [`Error::Ambiguous`] with candidates.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kis::Error> {
    /// let kis = kis::Kis::simulator().await?;
    /// let samsung = kis.stock("삼성전자").await?;
    /// assert_eq!(samsung.code, "005930");
    /// let apple = kis.stock("NASDAQ:AAPL").await?;
    /// println!("{}", apple.quote().await?.price);
    /// # Ok(()) }
    /// ```
    pub async fn stock(&self, query: &str) -> Result<Stock, Error> {
        let found = self
            .master()
            .await?
            .find_where(query, |i| i.market != Market::KrxDerivatives)?;
        Ok(Stock::new(self.clone(), found))
    }

    /// Any instrument by code, name or `MARKET:CODE`, futures and options included
    /// (`101W12`, `KRXFO:201W1C350`).
    pub async fn instrument(&self, query: &str) -> Result<Arc<Instrument>, Error> {
        self.master().await?.find(query)
    }

    /// The checks an order needs from the symbol master, before anything is journaled or
    /// sent: the symbol is listed (else [`Error::NotFound`] / [`Error::Ambiguous`]), not
    /// halted, the quantity a multiple of its lot, and the price (in its currency; `None` for
    /// a market order) on the tick grid of its product type (an ETF's 5 KRW grid is not a
    /// stock's). Returns the instrument.
    ///
    /// ```no_run
    /// # async fn demo(kis: kis::Kis) -> Result<(), kis::Error> {
    /// use rust_decimal_macros::dec;
    /// let etf = kis.check_order("069500", Some(dec!(35425)), 10).await?; // KODEX 200: 5 KRW grid
    /// assert!(kis.check_order("005930", Some(dec!(35425)), 10).await.is_err()); // a stock: 50 KRW
    /// assert!(kis.check_order("A999999", None, 1).await.is_err()); // not listed
    /// # Ok(()) }
    /// ```
    pub async fn check_order(
        &self,
        symbol: &str,
        price: Option<rust_decimal::Decimal>,
        qty: u64,
    ) -> Result<Arc<Instrument>, Error> {
        let instrument = self.instrument(symbol).await?;
        let price = price.map(|p| crate::Money::new(p, instrument.currency()));
        instrument.check_order(price, crate::Quantity::new(qty))?;
        Ok(instrument)
    }
}
