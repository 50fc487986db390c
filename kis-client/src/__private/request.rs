//! Request-side plumbing of generated code: the validation table rows and the conversions of
//! typed arguments to KIS wire strings.

use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;

use super::CodeList;

/// How KIS reads a request field (the validator's view of the spec `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldKind {
    /// Free text or an identifier.
    Text,
    /// Unsigned whole number, ASCII digits.
    Integer,
    /// Unsigned decimal number (`123`, `123.45`).
    Decimal,
    /// `YYYYMMDD` (a real date).
    Date,
    /// `HHMMSS` (a real time of day).
    Time,
    /// `Y` or `N`.
    Flag,
    /// One of the field's codes.
    Code,
    /// The 8-digit account number (`CANO`).
    Account,
    /// The 2-digit account product code (`ACNT_PRDT_CD`).
    Product,
    /// A nested JSON block (checked by KIS only).
    Block,
}

/// One request field of an endpoint, as the spec describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldMeta {
    /// Wire name (`ORD_DVSN`).
    pub wire: &'static str,
    /// Value kind.
    pub kind: FieldKind,
    /// Maximum length as KIS counts it (0: unknown).
    pub max_len: usize,
    /// The workbook marks it required.
    pub required: bool,
    /// KIS accepts it blank although required.
    pub blank: bool,
    /// Allowed codes (`FieldKind::Code`).
    pub codes: &'static [&'static str],
    /// Codes KIS refuses since the workbook (code, why).
    pub retired: &'static [(&'static str, &'static str)],
}

/// A whole number on the wire.
#[inline]
pub fn int(v: u64) -> String {
    v.to_string()
}

/// A decimal on the wire (as written: `70000`, `12.5`).
#[inline]
pub fn decimal(v: Decimal) -> String {
    v.to_string()
}

/// `YYYYMMDD`.
#[inline]
pub fn date(v: NaiveDate) -> String {
    v.format("%Y%m%d").to_string()
}

/// `HHMMSS`.
#[inline]
pub fn time(v: NaiveTime) -> String {
    v.format("%H%M%S").to_string()
}

/// `Y` / `N`.
#[inline]
pub fn flag(v: bool) -> String {
    if v { "Y" } else { "N" }.to_owned()
}

/// The wire code of a code-list value.
#[inline]
pub fn code<T: CodeList>(v: &T) -> String {
    v.as_code_str().to_owned()
}
