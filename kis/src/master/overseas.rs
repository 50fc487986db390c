//! Overseas per-exchange masters (`nasmst.cod`, `nysmst.cod`, `amsmst.cod`): cp949 text, one
//! line per symbol, 24 tab-separated columns: national code, exchange id, exchange code,
//! exchange name, symbol, realtime symbol, Korean name, English name, security type
//! (1 index, 2 stock, 3 ETP, 4 warrant), currency, float position, data type, base price, bid
//! and ask order sizes, market start and end (HHMM), DR flag, DR country, industry code,
//! index-constituents flag, tick size type, ETP type (001 ETF, 002 ETN, ...), tick type detail.

use rust_decimal::Decimal;

use crate::{Currency, Instrument, Market, Money, ProductKind};

/// The 24 columns by name, in order (snake_case of the official sample's column titles):
/// what [`raw_field`] and [`Instrument::master_field`] take for a US symbol.
pub(crate) const COLUMNS: [&str; 24] = [
    "national_code",
    "exchange_id",
    "exchange_code",
    "exchange_name",
    "symbol",
    "realtime_symbol",
    "korean_name",
    "english_name",
    "security_type",
    "currency",
    "float_position",
    "data_type",
    "base_price",
    "bid_order_size",
    "ask_order_size",
    "market_start_time",
    "market_end_time",
    "dr",
    "dr_country",
    "industry_code",
    "index_constituents",
    "tick_size_type",
    "etp_type",
    "tick_size_type_detail",
];

/// A column of a US symbol's master line (its [`Instrument::raw`]) by its name in
/// [`COLUMNS`], trimmed; `None` for another market, an unknown name or a line without it.
///
/// `tick_size_type` (Tick size Type) and `tick_size_type_detail` are published per symbol,
/// but KIS documents neither their values nor what grid each means (not in the workbook, not
/// in the official samples), so they are carried here as text and not interpreted: US prices
/// are checked on [`TickRule::Us`](crate::TickRule::Us), the SEC Rule 612 grid.
pub(crate) fn raw_field(market: Market, raw: &str, name: &str) -> Option<String> {
    if !market.is_us() {
        return None;
    }
    let i = COLUMNS.iter().position(|c| *c == name)?;
    raw.split('\t').nth(i).map(|v| v.trim().to_owned())
}

/// Column positions (0-based) of the fields read here.
pub(crate) mod col {
    /// Symbol (`AAPL`).
    pub const SYMBOL: usize = 4;
    /// Korean name.
    pub const KOREAN_NAME: usize = 6;
    /// English name.
    pub const ENGLISH_NAME: usize = 7;
    /// Security type: 1 index, 2 stock, 3 ETP, 4 warrant.
    pub const SECURITY_TYPE: usize = 8;
    /// Currency (`USD`).
    pub const CURRENCY: usize = 9;
    /// Base price.
    pub const BASE_PRICE: usize = 12;
    /// Bid order size (the buy lot).
    pub const BID_LOT: usize = 13;
    /// ETP type: 001 ETF, 002 ETN, 003 ETC, 004 others, 005/006 VIX ETF/ETN.
    pub const ETP_TYPE: usize = 22;
}

/// Parses one line (without its line end). `None` for a line with too few columns or no
/// symbol (a header line, a blank line).
pub(crate) fn parse_line(market: Market, line: &[u8]) -> Option<Instrument> {
    let text = encoding_rs::EUC_KR.decode(line).0;
    let cols: Vec<&str> = text.split('\t').map(str::trim).collect();
    if cols.len() < col::ETP_TYPE {
        return None;
    }
    let symbol = cols[col::SYMBOL];
    let security_type = cols[col::SECURITY_TYPE];
    if symbol.is_empty() || !matches!(security_type, "1" | "2" | "3" | "4") {
        return None;
    }
    let etp = cols.get(col::ETP_TYPE).copied().unwrap_or("");
    let kind = match security_type {
        "1" => ProductKind::Index,
        "2" => ProductKind::Stock,
        "4" => ProductKind::Warrant,
        _ if matches!(etp, "002" | "006") => ProductKind::Etn,
        _ => ProductKind::Etf,
    };
    let english = cols[col::ENGLISH_NAME];
    let korean = cols[col::KOREAN_NAME];
    let name = if korean.is_empty() { english } else { korean };
    let mut i = Instrument::new(symbol, name, market, kind);
    i.english_name = (!english.is_empty()).then(|| english.to_owned());
    let currency = Currency::from_code(cols[col::CURRENCY]).unwrap_or(Currency::Usd);
    i.base_price = cols[col::BASE_PRICE]
        .parse::<Decimal>()
        .ok()
        .filter(|p| *p > Decimal::ZERO)
        .map(|p| Money::new(p, currency));
    i.lot = cols[col::BID_LOT].parse().unwrap_or(1).max(1);
    i.raw = text.into_owned();
    Some(i)
}
