//! The symbol master (종목마스터): KIS's published code files, parsed into [`Instrument`]s and
//! searched by code, name or `MARKET:CODE`.
//!
//! KIS publishes one zip a file, refreshed daily: the KRX stock masters (fixed-width cp949,
//! [`MasterFile::Kospi`], [`MasterFile::Kosdaq`], [`MasterFile::Konex`]), the overseas
//! per-exchange masters (tab-separated, [`MasterFile::Nasdaq`], [`MasterFile::Nyse`],
//! [`MasterFile::Amex`]) and the index derivatives master (`|`-separated,
//! [`MasterFile::IndexDerivatives`]). [`MasterStore`] downloads and caches them.

mod cache;
mod derivatives;
mod download;
pub(crate) mod krx;
pub(crate) mod overseas;

use std::collections::HashMap;
use std::sync::Arc;

pub use cache::MasterStore;

use crate::{Error, Instrument, Market};

/// One of KIS's master files.
///
/// ```
/// assert_eq!(kis::master::MasterFile::Kospi.file_name(), "kospi_code.mst");
/// assert_eq!(kis::master::MasterFile::Nasdaq.zip_name(), "nasmst.cod.zip");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum MasterFile {
    /// `kospi_code.mst`: KOSPI stocks, ETFs, ETNs, ELWs.
    Kospi,
    /// `kosdaq_code.mst`.
    Kosdaq,
    /// `konex_code.mst`.
    Konex,
    /// `nasmst.cod`: NASDAQ.
    Nasdaq,
    /// `nysmst.cod`: NYSE.
    Nyse,
    /// `amsmst.cod`: NYSE American (AMEX).
    Amex,
    /// `fo_idx_code_mts.mst`: KRX index futures and options.
    IndexDerivatives,
}

impl MasterFile {
    /// Every file, in load order.
    pub const ALL: [MasterFile; 7] = [
        MasterFile::Kospi,
        MasterFile::Kosdaq,
        MasterFile::Konex,
        MasterFile::Nasdaq,
        MasterFile::Nyse,
        MasterFile::Amex,
        MasterFile::IndexDerivatives,
    ];

    /// The file's name inside its zip.
    pub fn file_name(self) -> &'static str {
        match self {
            MasterFile::Kospi => "kospi_code.mst",
            MasterFile::Kosdaq => "kosdaq_code.mst",
            MasterFile::Konex => "konex_code.mst",
            MasterFile::Nasdaq => "nasmst.cod",
            MasterFile::Nyse => "nysmst.cod",
            MasterFile::Amex => "amsmst.cod",
            MasterFile::IndexDerivatives => "fo_idx_code_mts.mst",
        }
    }

    /// The name KIS publishes it under (`<file>.zip`).
    pub fn zip_name(self) -> String {
        format!("{}.zip", self.file_name())
    }

    /// The market its instruments trade on.
    pub fn market(self) -> Market {
        match self {
            MasterFile::Kospi => Market::Kospi,
            MasterFile::Kosdaq => Market::Kosdaq,
            MasterFile::Konex => Market::Konex,
            MasterFile::Nasdaq => Market::Nasdaq,
            MasterFile::Nyse => Market::Nyse,
            MasterFile::Amex => Market::Amex,
            MasterFile::IndexDerivatives => Market::KrxDerivatives,
        }
    }

    /// Parses the file's bytes (cp949 text, `\n` or `\r\n` line ends). Lines that do not fit
    /// the layout are counted in [`Parsed::skipped`], never dropped silently.
    ///
    /// ```
    /// let line = "AAPL\u{9}"; // too few columns: skipped, counted
    /// let parsed = kis::master::MasterFile::Nasdaq.parse(line.as_bytes());
    /// assert_eq!((parsed.instruments.len(), parsed.skipped), (0, 1));
    /// ```
    pub fn parse(self, bytes: &[u8]) -> Parsed {
        let layout = krx::Layout::of(self.market());
        let mut out = Parsed::default();
        for line in bytes.split(|b| *b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            let parsed = match (self, &layout) {
                (MasterFile::IndexDerivatives, _) => derivatives::parse_line(line),
                (_, Some(layout)) => krx::parse_line(self.market(), layout, line),
                (_, None) => overseas::parse_line(self.market(), line),
            };
            match parsed {
                Some(i) => out.instruments.push(i),
                None => out.skipped += 1,
            }
        }
        out
    }
}

/// What [`MasterFile::parse`] found.
///
/// ```
/// let parsed = kis::master::MasterFile::Kospi.parse(b"");
/// assert!(parsed.instruments.is_empty() && parsed.skipped == 0);
/// ```
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Parsed {
    /// The instruments, in file order.
    pub instruments: Vec<Instrument>,
    /// Non-blank lines that did not fit the layout (a header line, a truncated line).
    pub skipped: usize,
}

/// Every instrument of the loaded master files, searchable by code and by name.
///
/// ```
/// use kis::{Instrument, Market, ProductKind};
/// let master = kis::SymbolMaster::new(vec![
///     Instrument::new("005930", "삼성전자", Market::Kospi, ProductKind::Stock),
///     Instrument::new("AAPL", "애플", Market::Nasdaq, ProductKind::Stock),
/// ]);
/// assert_eq!(master.find("삼성전자").unwrap().code, "005930");
/// assert_eq!(master.find("NASDAQ:AAPL").unwrap().name, "애플");
/// assert!(matches!(master.find("삼성"), Err(kis::Error::NotFound { .. })));
/// ```
#[derive(Debug, Default, Clone)]
pub struct SymbolMaster {
    all: Vec<Arc<Instrument>>,
    by_code: HashMap<String, Vec<usize>>,
    by_name: HashMap<String, Vec<usize>>,
}

/// Names compare without case and spaces (`KODEX 200` = `kodex200`).
fn name_key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

impl SymbolMaster {
    /// A master over `instruments`.
    pub fn new(instruments: Vec<Instrument>) -> SymbolMaster {
        let mut m = SymbolMaster::default();
        for i in instruments {
            let at = m.all.len();
            m.by_code
                .entry(i.code.to_ascii_uppercase())
                .or_default()
                .push(at);
            m.by_name.entry(name_key(&i.name)).or_default().push(at);
            if let Some(en) = &i.english_name {
                let key = name_key(en);
                if key != name_key(&i.name) {
                    m.by_name.entry(key).or_default().push(at);
                }
            }
            m.all.push(Arc::new(i));
        }
        m
    }

    /// Every instrument, in file order.
    pub fn instruments(&self) -> &[Arc<Instrument>] {
        &self.all
    }

    /// How many instruments it holds.
    pub fn len(&self) -> usize {
        self.all.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    /// Finds one instrument by short code (`005930`, `A005930`, `AAPL`), exchange-qualified
    /// symbol (`NASDAQ:AAPL`, `KOSPI:삼성전자`) or exact name (`삼성전자`, `KODEX 200`,
    /// case and spaces ignored).
    ///
    /// An unknown query is [`Error::NotFound`] with up to ten names that contain it; a code
    /// or name that several markets list is [`Error::Ambiguous`] with each `MARKET:CODE`.
    pub fn find(&self, query: &str) -> Result<Arc<Instrument>, Error> {
        self.find_where(query, |_| true)
    }

    /// [`find`](Self::find) among the instruments `keep` accepts.
    pub(crate) fn find_where(
        &self,
        query: &str,
        keep: impl Fn(&Instrument) -> bool,
    ) -> Result<Arc<Instrument>, Error> {
        let q = query.trim();
        if q.is_empty() {
            return Err(Error::Invalid {
                field: "symbol",
                reason: "is empty".into(),
            });
        }
        let (market, rest) = match q.split_once(':') {
            Some((m, rest)) => {
                let market = Market::from_prefix(m).ok_or_else(|| Error::Invalid {
                    field: "symbol",
                    reason: format!(
                        "unknown market prefix {m:?} (KOSPI, KOSDAQ, KONEX, NASDAQ, NYSE, AMEX)"
                    ),
                })?;
                (Some(market), rest.trim())
            }
            None => (None, q),
        };
        let keep = |i: &Instrument| market.is_none_or(|m| i.market == m) && keep(i);
        let pick = |hits: Option<&Vec<usize>>| -> Vec<Arc<Instrument>> {
            hits.into_iter()
                .flatten()
                .map(|at| &self.all[*at])
                .filter(|i| keep(i))
                .cloned()
                .collect()
        };
        let upper = rest.to_ascii_uppercase();
        let mut hits = pick(self.by_code.get(&upper));
        if hits.is_empty() {
            // KRX's `A` prefix of a short code (`A005930`).
            if let Some(code) = upper.strip_prefix('A').filter(|c| c.len() == 6) {
                hits = pick(self.by_code.get(code));
            }
        }
        if hits.is_empty() {
            hits = pick(self.by_name.get(&name_key(rest)));
        }
        match hits.len() {
            1 => Ok(hits.remove(0)),
            0 => {
                let key = name_key(rest);
                let candidates = self
                    .all
                    .iter()
                    .filter(|i| keep(i))
                    .filter(|i| name_key(&i.name).contains(&key) || i.code.contains(&upper))
                    .take(10)
                    .map(|i| format!("{} {}", i.symbol(), i.name))
                    .collect();
                Err(Error::NotFound {
                    what: query.to_owned(),
                    candidates,
                })
            }
            _ => Err(Error::Ambiguous {
                what: query.to_owned(),
                candidates: hits
                    .iter()
                    .map(|i| format!("{} {}", i.symbol(), i.name))
                    .collect(),
            }),
        }
    }
}

#[cfg(test)]
mod tests;
