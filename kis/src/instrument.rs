//! Instruments: what the symbol master says about a code (market, product type, name, lot
//! size, tick grid, halt and warning flags), and the order checks that follow from it.

use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::{Currency, Error, Money, Quantity, TickRule};

/// Where an instrument trades.
///
/// ```
/// assert_eq!(kis::Market::Nasdaq.prefix(), "NASDAQ");
/// assert_eq!(kis::Market::from_prefix("nas"), Some(kis::Market::Nasdaq));
/// assert!(kis::Market::Kospi.is_krx());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[non_exhaustive]
pub enum Market {
    /// KRX KOSPI (유가증권시장), ETFs, ETNs and ELWs included.
    Kospi,
    /// KRX KOSDAQ (코스닥).
    Kosdaq,
    /// KRX KONEX (코넥스).
    Konex,
    /// KRX index derivatives (지수선물옵션).
    KrxDerivatives,
    /// NASDAQ (KIS `NAS`/`NASD`).
    Nasdaq,
    /// NYSE (KIS `NYS`/`NYSE`).
    Nyse,
    /// NYSE American, as KIS labels it (`AMS`/`AMEX`).
    Amex,
}

impl Market {
    /// Every market, KRX first.
    pub const ALL: [Market; 7] = [
        Market::Kospi,
        Market::Kosdaq,
        Market::Konex,
        Market::KrxDerivatives,
        Market::Nasdaq,
        Market::Nyse,
        Market::Amex,
    ];

    /// The prefix of an exchange-qualified symbol (`NASDAQ:AAPL`, `KOSPI:005930`).
    pub fn prefix(self) -> &'static str {
        match self {
            Market::Kospi => "KOSPI",
            Market::Kosdaq => "KOSDAQ",
            Market::Konex => "KONEX",
            Market::KrxDerivatives => "KRXFO",
            Market::Nasdaq => "NASDAQ",
            Market::Nyse => "NYSE",
            Market::Amex => "AMEX",
        }
    }

    /// Reads a prefix: this crate's (`NASDAQ`), or KIS's quote (`NAS`) and order (`NASD`)
    /// exchange codes, any case.
    pub fn from_prefix(s: &str) -> Option<Market> {
        Some(match s.trim().to_ascii_uppercase().as_str() {
            "KOSPI" | "KRX" | "STK" => Market::Kospi,
            "KOSDAQ" | "KSQ" => Market::Kosdaq,
            "KONEX" | "KNX" => Market::Konex,
            "KRXFO" | "FO" => Market::KrxDerivatives,
            "NASDAQ" | "NAS" | "NASD" => Market::Nasdaq,
            "NYSE" | "NYS" => Market::Nyse,
            "AMEX" | "AMS" => Market::Amex,
            _ => return None,
        })
    }

    /// A KRX market (KRW, Seoul sessions).
    pub fn is_krx(self) -> bool {
        matches!(
            self,
            Market::Kospi | Market::Kosdaq | Market::Konex | Market::KrxDerivatives
        )
    }

    /// A US venue (USD, New York sessions).
    pub fn is_us(self) -> bool {
        matches!(self, Market::Nasdaq | Market::Nyse | Market::Amex)
    }

    /// KIS's three-letter exchange code of overseas quotes (`EXCD`: `NAS`, `NYS`, `AMS`).
    pub fn quote_code(self) -> Option<&'static str> {
        match self {
            Market::Nasdaq => Some("NAS"),
            Market::Nyse => Some("NYS"),
            Market::Amex => Some("AMS"),
            _ => None,
        }
    }

    /// KIS's four-letter exchange code of overseas orders and balances (`OVRS_EXCG_CD`).
    pub fn order_code(self) -> Option<&'static str> {
        match self {
            Market::Nasdaq => Some("NASD"),
            Market::Nyse => Some("NYSE"),
            Market::Amex => Some("AMEX"),
            _ => None,
        }
    }

    /// The currency prices are quoted in.
    pub fn currency(self) -> Currency {
        if self.is_us() {
            Currency::Usd
        } else {
            Currency::Krw
        }
    }
}

impl fmt::Display for Market {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.prefix())
    }
}

/// What an instrument is (KIS's securities group code `SCRT_GRP_CLS_CODE`, the ETP code, the
/// overseas security type, or the derivatives product type).
///
/// ```
/// use kis::ProductKind;
/// assert_eq!(ProductKind::from_krx_group("EF"), ProductKind::Etf);
/// assert_eq!(ProductKind::from_krx_group("XX"), ProductKind::Other("XX".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum ProductKind {
    /// Common or preferred stock (주권, `ST`; overseas type 2).
    Stock,
    /// Exchange-traded fund (`EF`; overseas type 3 with ETF detail).
    Etf,
    /// Exchange-traded note (`EN`, or ETP code 3/4).
    Etn,
    /// Equity-linked warrant (`EW`).
    Elw,
    /// Real-estate investment trust (부동산투자회사, `RT`).
    Reit,
    /// Investment company or fund (`MF`, `SC`, `IF`, `BC`).
    Fund,
    /// Depositary receipt (`DR`).
    DepositaryReceipt,
    /// Foreign stock listed on KRX (`FS`).
    ForeignStock,
    /// Foreign ETF listed on KRX (`FE`).
    ForeignEtf,
    /// Subscription warrant or right (`SW`, `SR`; overseas type 4).
    Warrant,
    /// An index (overseas type 1).
    Index,
    /// Index future or spread (지수선물).
    Future,
    /// Index call option (콜옵션).
    CallOption,
    /// Index put option (풋옵션).
    PutOption,
    /// Any other code, kept as KIS wrote it.
    Other(String),
}

impl ProductKind {
    /// The kind of a KRX securities group code (`ST`, `EF`, `EN`, `EW`, ...).
    pub fn from_krx_group(code: &str) -> ProductKind {
        match code.trim() {
            "ST" => ProductKind::Stock,
            "EF" => ProductKind::Etf,
            "EN" => ProductKind::Etn,
            "EW" => ProductKind::Elw,
            "RT" => ProductKind::Reit,
            "MF" | "SC" | "IF" | "BC" => ProductKind::Fund,
            "DR" => ProductKind::DepositaryReceipt,
            "FS" => ProductKind::ForeignStock,
            "FE" => ProductKind::ForeignEtf,
            "SW" | "SR" => ProductKind::Warrant,
            other => ProductKind::Other(other.to_owned()),
        }
    }
}

/// KRX's market warning (시장경고구분: 투자주의/투자경고/투자위험).
///
/// ```
/// assert_eq!(kis::Warning::from_code("02"), kis::Warning::Warning);
/// assert_eq!(kis::Warning::from_code("  "), kis::Warning::None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[non_exhaustive]
pub enum Warning {
    /// None (`00`).
    #[default]
    None,
    /// Investment caution (투자주의, `01`).
    Caution,
    /// Investment warning (투자경고, `02`).
    Warning,
    /// Investment risk (투자위험, `03`).
    Risk,
}

impl Warning {
    /// Reads KIS's two-digit code; anything unknown is `None`.
    pub fn from_code(code: &str) -> Warning {
        match code.trim() {
            "01" => Warning::Caution,
            "02" => Warning::Warning,
            "03" => Warning::Risk,
            _ => Warning::None,
        }
    }
}

/// One instrument of the symbol master (종목마스터): a stock, ETF, ETN, ELW, US stock,
/// future or option, with what orders need to know about it. Built by the master parser;
/// [`Kis::stock`](crate::Kis::stock) and [`Kis::instrument`](crate::Kis::instrument) find one.
///
/// ```
/// use rust_decimal_macros::dec;
/// let samsung = kis::Instrument::new("005930", "삼성전자", kis::Market::Kospi, kis::ProductKind::Stock);
/// assert_eq!(samsung.tick_rule(), kis::TickRule::KrxStock);
/// assert!(samsung.check_price(kis::Money::krw(74_100)).is_ok());
/// assert!(samsung.check_price(kis::Money::krw(74_050)).is_err());
/// assert!(samsung.check_qty(kis::Quantity::new(3)).is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Instrument {
    /// Short code as orders take it (단축코드: `005930`, `AAPL`, `101W12`).
    pub code: String,
    /// Standard code (표준코드, ISIN for KRX: `KR7005930003`); empty when the master has none.
    pub standard_code: String,
    /// Korean name (한글종목명; for US symbols KIS's Korean name, or the English one).
    pub name: String,
    /// English name (overseas masters only).
    pub english_name: Option<String>,
    /// Where it trades.
    pub market: Market,
    /// What it is.
    pub kind: ProductKind,
    /// Order quantity unit of the regular session (정규시장매매수량단위); 1 for most.
    pub lot: u64,
    /// Trading halted (거래정지).
    pub halted: bool,
    /// In liquidation trading before delisting (정리매매).
    pub liquidation: bool,
    /// Designated for administration (관리종목).
    pub administrative: bool,
    /// Market warning level (시장경고).
    pub warning: Warning,
    /// Short-term overheating designation (단기과열), `0` none.
    pub overheated: bool,
    /// The base price of the day as the master states it (기준가), if it does.
    pub base_price: Option<Money>,
    /// The listing date (상장일자), KRX only.
    pub listed: Option<NaiveDate>,
    /// Exercise price of an option (행사가).
    pub strike: Option<Decimal>,
    /// Underlying's code of a derivative (기초자산 단축코드).
    pub underlying: Option<String>,
    /// The master line this came from, decoded to UTF-8 (for fields this type does not name).
    pub raw: String,
}

impl Instrument {
    /// An instrument with the given identity and defaults for the rest (lot 1, not halted, no
    /// warning): for tests and for codes the master does not list.
    pub fn new(code: &str, name: &str, market: Market, kind: ProductKind) -> Instrument {
        Instrument {
            code: code.to_owned(),
            standard_code: String::new(),
            name: name.to_owned(),
            english_name: None,
            market,
            kind,
            lot: 1,
            halted: false,
            liquidation: false,
            administrative: false,
            warning: Warning::None,
            overheated: false,
            base_price: None,
            listed: None,
            strike: None,
            underlying: None,
            raw: String::new(),
        }
    }

    /// `MARKET:CODE`, the exchange-qualified symbol (`KOSPI:005930`, `NASDAQ:AAPL`).
    pub fn symbol(&self) -> String {
        format!("{}:{}", self.market.prefix(), self.code)
    }

    /// A field of its master line, trimmed: for a KRX stock by KIS's name
    /// (`bstp_larg_div_code`, `marg_rate`, `lstn_stcn`, ... as in KIS's layout); for a US
    /// symbol by the overseas master's column (`tick_size_type`, `tick_size_type_detail`,
    /// `industry_code`, `market_start_time`, ...: the 24 tab columns of `nasmst.cod`,
    /// `nysmst.cod`, `amsmst.cod` in snake case). `None` for another market or an unknown
    /// name.
    ///
    /// The US Tick size Type is carried, not interpreted: KIS does not document its values,
    /// so US prices are checked on [`TickRule::Us`] whatever it says.
    ///
    /// ```
    /// let s = kis::Instrument::new("005930", "삼성전자", kis::Market::Kospi, kis::ProductKind::Stock);
    /// assert_eq!(s.master_field("marg_rate"), None); // built by hand: no master line
    /// ```
    pub fn master_field(&self, name: &str) -> Option<String> {
        if self.market.is_us() {
            return crate::master::overseas::raw_field(self.market, &self.raw, name);
        }
        crate::master::krx::raw_field(self.market, &self.raw, name)
    }

    /// The currency of its prices.
    pub fn currency(&self) -> Currency {
        self.market.currency()
    }

    /// The price grid of its market and product type (see [`TickRule`]).
    pub fn tick_rule(&self) -> TickRule {
        match (&self.kind, self.market) {
            (_, m) if m.is_us() => TickRule::Us,
            (ProductKind::Etf | ProductKind::Etn | ProductKind::ForeignEtf, _) => TickRule::KrxEtp,
            (ProductKind::Elw, _) => TickRule::KrxElw,
            (ProductKind::Future, _) if self.is_kospi200() => TickRule::Kospi200Future,
            (ProductKind::CallOption | ProductKind::PutOption, _) if self.is_kospi200() => {
                TickRule::Kospi200Option
            }
            (ProductKind::Future | ProductKind::CallOption | ProductKind::PutOption, _) => {
                TickRule::Unknown
            }
            (ProductKind::Other(_) | ProductKind::Index, _) => TickRule::Unknown,
            _ => TickRule::KrxStock,
        }
    }

    /// KOSPI200 futures and options: KRX derivative short codes carry the underlying in
    /// their second and third characters, `01` for KOSPI200 (`101W12`, `201W12...`).
    fn is_kospi200(&self) -> bool {
        self.market == Market::KrxDerivatives
            && matches!(self.code.as_bytes().get(1..3), Some(b"01"))
    }

    /// The tick size at `price`.
    pub fn tick(&self, price: Decimal) -> Decimal {
        self.tick_rule().tick(price)
    }

    /// Checks an order price: the instrument's currency, positive, on its tick grid.
    ///
    /// ```
    /// let etf = kis::Instrument::new("069500", "KODEX 200", kis::Market::Kospi, kis::ProductKind::Etf);
    /// assert!(etf.check_price(kis::Money::krw(35_425)).is_ok()); // 5 KRW grid
    /// let e = etf.check_price(kis::Money::krw(35_423)).unwrap_err();
    /// assert_eq!(e.field(), Some("price"));
    /// ```
    pub fn check_price(&self, price: Money) -> Result<(), Error> {
        let invalid = |reason: String| Error::Invalid {
            field: "price",
            reason,
        };
        if price.currency() != self.currency() {
            return Err(invalid(format!(
                "{} trades in {}, not {}",
                self.symbol(),
                self.currency(),
                price.currency()
            )));
        }
        let p = price.amount();
        if p <= Decimal::ZERO {
            return Err(invalid(format!("{price} is not positive")));
        }
        let rule = self.tick_rule();
        if !rule.on_grid(p) {
            let below = rule.floor(p).map(|f| format!("{} or ", f.normalize()));
            return Err(invalid(format!(
                "{} is not on the {} tick grid of {} (nearest: {}{})",
                p.normalize(),
                rule.tick(p).normalize(),
                self.symbol(),
                below.unwrap_or_default(),
                rule.ceil(p).normalize(),
            )));
        }
        Ok(())
    }

    /// Checks an order quantity: a whole number, at least one lot, a multiple of the lot.
    ///
    /// ```
    /// let s = kis::Instrument::new("005930", "삼성전자", kis::Market::Kospi, kis::ProductKind::Stock);
    /// assert!(s.check_qty(kis::Quantity::ZERO).is_err());
    /// ```
    pub fn check_qty(&self, qty: Quantity) -> Result<(), Error> {
        let invalid = |reason: String| Error::Invalid {
            field: "quantity",
            reason,
        };
        let Some(n) = qty.whole() else {
            return Err(invalid(format!("{qty} is not a whole number of shares")));
        };
        if n == 0 {
            return Err(invalid("must be at least 1".into()));
        }
        let lot = self.lot.max(1);
        if n % lot != 0 {
            return Err(invalid(format!(
                "{n} is not a multiple of the lot of {lot} of {}",
                self.symbol()
            )));
        }
        Ok(())
    }

    /// Checks that the instrument can be ordered at all: not halted (거래정지).
    ///
    /// ```
    /// let mut s = kis::Instrument::new("005930", "삼성전자", kis::Market::Kospi, kis::ProductKind::Stock);
    /// assert!(s.check_tradable().is_ok());
    /// s.halted = true;
    /// assert_eq!(s.check_tradable().unwrap_err().field(), Some("symbol"));
    /// ```
    pub fn check_tradable(&self) -> Result<(), Error> {
        if self.halted {
            return Err(Error::Invalid {
                field: "symbol",
                reason: format!("{} ({}) is halted (거래정지)", self.symbol(), self.name),
            });
        }
        Ok(())
    }

    /// All three checks an order needs before anything is sent.
    pub fn check_order(&self, price: Option<Money>, qty: Quantity) -> Result<(), Error> {
        self.check_tradable()?;
        self.check_qty(qty)?;
        if let Some(p) = price {
            self.check_price(p)?;
        }
        Ok(())
    }
}

impl fmt::Display for Instrument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.symbol(), self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn lots_grids_and_halts_are_checked() {
        let mut s = Instrument::new("005930", "삼성전자", Market::Kospi, ProductKind::Stock);
        s.lot = 10;
        assert!(s.check_qty(Quantity::new(20)).is_ok());
        assert!(s.check_qty(Quantity::new(15)).is_err());
        assert!(s.check_qty(Quantity::from_decimal(dec!(1.5))).is_err());
        assert!(s.check_price(Money::usd(dec!(10))).is_err());
        let e = s.check_price(Money::krw(74_050)).unwrap_err().to_string();
        assert!(e.contains("74000 or 74100"), "{e}");
        s.halted = true;
        assert!(
            s.check_order(Some(Money::krw(74_000)), Quantity::new(10))
                .is_err()
        );
        let aapl = Instrument::new("AAPL", "Apple", Market::Nasdaq, ProductKind::Stock);
        assert!(aapl.check_price(Money::usd(dec!(187.51))).is_ok());
        assert!(aapl.check_price(Money::usd(dec!(187.515))).is_err());
        let mut fut = Instrument::new(
            "101W12",
            "F 202612",
            Market::KrxDerivatives,
            ProductKind::Future,
        );
        fut.underlying = Some("01".into());
        assert_eq!(fut.tick_rule(), TickRule::Kospi200Future);
    }
}
