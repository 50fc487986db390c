//! The KRX index derivatives master (`fo_idx_code_mts.mst`): cp949 text, one line per code,
//! nine `|`-separated columns: product type (1 index future, 2 index spread, 5 call, 6 put,
//! B mini future, D/E mini call/put, J/K KOSDAQ150 call/put, L/M weekly call/put, ...), short
//! code, standard code, Korean name, ATM class, strike, month class, underlying short code,
//! underlying name.

use rust_decimal::Decimal;

use crate::{Instrument, Market, ProductKind};

/// Parses one line (without its line end). `None` for a line that is not a product.
pub(crate) fn parse_line(line: &[u8]) -> Option<Instrument> {
    let text = encoding_rs::EUC_KR.decode(line).0;
    let cols: Vec<&str> = text.split('|').map(str::trim).collect();
    if cols.len() < 9 || cols[1].is_empty() {
        return None;
    }
    let kind = match cols[0] {
        "1" | "2" | "3" | "4" | "7" | "8" | "9" | "A" | "B" | "C" => ProductKind::Future,
        "5" | "D" | "J" | "L" => ProductKind::CallOption,
        "6" | "E" | "K" | "M" => ProductKind::PutOption,
        other => ProductKind::Other(other.to_owned()),
    };
    let mut i = Instrument::new(cols[1], cols[3], Market::KrxDerivatives, kind);
    i.standard_code = cols[2].to_owned();
    i.strike = cols[5]
        .parse::<Decimal>()
        .ok()
        .filter(|s| *s > Decimal::ZERO);
    i.underlying = (!cols[7].is_empty()).then(|| cols[7].to_owned());
    i.raw = text.into_owned();
    Some(i)
}
