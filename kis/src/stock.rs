//! [`Stock`]: an instrument found through the symbol master, with the handle to ask KIS
//! about it (quotes, book, candles, trades live in `views/`).

use std::ops::Deref;
use std::sync::Arc;

use crate::{Instrument, Kis};

/// A stock, ETF, ETN, ELW or overseas symbol: its [`Instrument`] facts (through `Deref`:
/// `stock.code`, `stock.check_price(..)`) and the handle its reads go through.
///
/// ```no_run
/// # async fn demo() -> Result<(), kis::Error> {
/// let kis = kis::Kis::simulator().await?;
/// let s = kis.stock("005930").await?;
/// println!("{} {} lot {}", s.code, s.name, s.lot);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Stock {
    kis: Kis,
    instrument: Arc<Instrument>,
}

impl Stock {
    /// A stock over a known instrument.
    pub fn new(kis: Kis, instrument: Arc<Instrument>) -> Stock {
        Stock { kis, instrument }
    }

    /// The instrument.
    pub fn instrument(&self) -> &Arc<Instrument> {
        &self.instrument
    }

    /// The handle.
    pub fn kis(&self) -> &Kis {
        &self.kis
    }
}

impl Deref for Stock {
    type Target = Instrument;

    fn deref(&self) -> &Instrument {
        &self.instrument
    }
}

impl std::fmt::Display for Stock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.instrument.fmt(f)
    }
}
