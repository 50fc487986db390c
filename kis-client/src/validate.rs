//! Request validation before anything is sent: one table-driven check over the wire strings,
//! shared by typed requests ([`crate::Client::send`]) and by-name requests
//! ([`crate::request`]).
//!
//! Checked per field (from the spec, see `spec/README.md`): required and non-blank unless KIS
//! accepts it blank; length as KIS counts it (bytes of the legacy Korean encoding: ASCII 1,
//! Hangul and other non-ASCII 2); ASCII digits only for numbers (no full-width digits, no sign:
//! KIS request numbers are unsigned); real dates (`YYYYMMDD`) and times (`HHMMSS`); `Y`/`N`
//! flags; codes from the field's list and not retired by KIS; account number (8 digits) and
//! product code (2 digits). Then endpoint rules where the semantics are clear: domestic stock
//! orders (`order_cash`, `order_credit`, `order_rvsecncl`, `order_resv`) need a positive price
//! on the KRX tick grid for limit orders and no price for market-type orders; a KRX short code
//! and a quantity of at least 1; overseas orders a whole quantity of at least 1, a US price on
//! the cent grid, an exchange the order's TR trades on and the order-server code `0`.

use std::fmt;

use crate::__private::{FieldKind, FieldMeta};
use crate::endpoint::EndpointInfo;
pub use crate::order_rules::{is_krx_symbol, on_us_price_grid};

/// Why a request was refused before sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// Endpoint id (`domestic_stock/order_cash` style: category and spec id).
    pub endpoint: String,
    /// The wire name of the offending field, when one field is at fault.
    pub field: Option<String>,
    /// What is wrong, in one sentence.
    pub reason: String,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{}: {field}: {}", self.endpoint, self.reason),
            None => write!(f, "{}: {}", self.endpoint, self.reason),
        }
    }
}

impl std::error::Error for Invalid {}

/// Length as KIS counts it: bytes in the legacy Korean encoding (EUC-KR/CP949), where ASCII
/// is one byte and Hangul (and other non-ASCII text) two.
pub fn kis_len(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_date(s: &str) -> bool {
    digits(s) && s.len() == 8 && chrono::NaiveDate::parse_from_str(s, "%Y%m%d").is_ok()
}

/// `HHMMSS`; KIS writes the end of the day as `240000`.
fn is_time(s: &str) -> bool {
    digits(s)
        && s.len() == 6
        && (s == "240000" || chrono::NaiveTime::parse_from_str(s, "%H%M%S").is_ok())
}

fn is_decimal(s: &str) -> bool {
    match s.split_once('.') {
        Some((a, b)) => digits(a) && digits(b),
        None => digits(s),
    }
}

/// Checks one value against its field. `Err` is the reason.
pub fn check_field(m: &FieldMeta, value: &str) -> Result<(), String> {
    if value.is_empty() {
        return if m.required && !m.blank && m.kind == FieldKind::Code {
            Err(format!(
                "is required and may not be blank: one of the codes {}",
                m.codes.join(", ")
            ))
        } else if m.required && !m.blank && m.kind != FieldKind::Block {
            Err("is required and may not be blank".to_owned())
        } else {
            Ok(())
        };
    }
    if value.chars().any(char::is_control) {
        return Err("contains control characters".to_owned());
    }
    if m.kind == FieldKind::Code && !m.codes.contains(&value) {
        // The list says more than the length would.
        if let Some((_, why)) = m.retired.iter().find(|(c, _)| *c == value) {
            return Err(format!("code `{value}` is {why}"));
        }
        return Err(format!(
            "`{value}` is not one of the codes {}",
            m.codes.join(", ")
        ));
    }
    if m.max_len > 0 && kis_len(value) > m.max_len {
        return Err(format!(
            "is {} long; KIS allows at most {} (bytes; Hangul counts 2)",
            kis_len(value),
            m.max_len
        ));
    }
    let ok = match m.kind {
        FieldKind::Text | FieldKind::Block => true,
        FieldKind::Integer => {
            if !digits(value) {
                return Err(format!(
                    "`{value}` is not a whole number of ASCII digits (no sign, no separators)"
                ));
            }
            true
        }
        FieldKind::Decimal => {
            if !is_decimal(value) {
                return Err(format!(
                    "`{value}` is not an unsigned decimal number of ASCII digits"
                ));
            }
            true
        }
        FieldKind::Date => {
            // Some FID dates are written `00YYYYMMDD` (10 characters).
            let d = value
                .strip_prefix("00")
                .filter(|r| r.len() == 8)
                .unwrap_or(value);
            if !is_date(d) {
                return Err(format!("`{value}` is not a real date YYYYMMDD"));
            }
            true
        }
        FieldKind::Time => {
            if !is_time(value) {
                return Err(format!("`{value}` is not a real time HHMMSS"));
            }
            true
        }
        FieldKind::Flag => {
            if value != "Y" && value != "N" {
                return Err(format!("`{value}` is not Y or N"));
            }
            true
        }
        FieldKind::Code => {
            if let Some((_, why)) = m.retired.iter().find(|(c, _)| *c == value) {
                return Err(format!("code `{value}` is {why}"));
            }
            if !m.codes.contains(&value) {
                return Err(format!(
                    "`{value}` is not one of the codes {}",
                    m.codes.join(", ")
                ));
            }
            true
        }
        FieldKind::Account => {
            if !(digits(value) && value.len() == 8) {
                return Err("is not an 8-digit account number".to_owned());
            }
            true
        }
        FieldKind::Product => {
            if !(digits(value) && value.len() == 2) {
                return Err(format!("`{value}` is not a 2-digit account product code"));
            }
            true
        }
    };
    debug_assert!(ok);
    Ok(())
}

/// The endpoint name used in errors: `category/id`.
pub fn endpoint_name(info: &EndpointInfo) -> String {
    format!("{}/{}", info.category, info.id)
}

/// Validates the wire parameters of a request (a JSON object of strings, as the request
/// serializes). `strict` refuses parameter names the endpoint does not have (by-name requests).
/// The rules that depend on the TR ID (an overseas order's exchange) are skipped: see
/// [`validate_for`].
pub fn validate(
    info: &EndpointInfo,
    params: &serde_json::Map<String, serde_json::Value>,
    strict: bool,
) -> Result<(), Invalid> {
    validate_for(info, "", params, strict)
}

/// [`validate`] for a request sent with `tr_id` (empty when not known): also checks that an
/// overseas order's exchange is one the TR trades on.
///
/// ```
/// # #[cfg(feature = "overseas-stock")] {
/// use kis_client::request;
/// use kis_client::validate::validate_for;
///
/// let info = request::find("overseas_stock/order").unwrap();
/// let p = serde_json::json!({"OVRS_EXCG_CD": "TKSE", "PDNO": "AAPL", "ORD_QTY": "1",
///     "OVRS_ORD_UNPR": "150.00", "ORD_SVR_DVSN_CD": "0", "ORD_DVSN": "00",
///     "CANO": "12345678", "ACNT_PRDT_CD": "01"});
/// // TTTT1002U buys in the US: a Tokyo exchange code is refused.
/// let e = validate_for(info, "TTTT1002U", p.as_object().unwrap(), false).unwrap_err();
/// assert_eq!(e.field.as_deref(), Some("OVRS_EXCG_CD"));
/// # }
/// ```
pub fn validate_for(
    info: &EndpointInfo,
    tr_id: &str,
    params: &serde_json::Map<String, serde_json::Value>,
    strict: bool,
) -> Result<(), Invalid> {
    let fail = |field: &str, reason: String| Invalid {
        endpoint: endpoint_name(info),
        field: Some(field.to_owned()),
        reason,
    };
    if strict {
        for k in params.keys() {
            if !info.fields.iter().any(|m| m.wire == k) {
                let hint = info
                    .fields
                    .iter()
                    .find(|m| m.wire.eq_ignore_ascii_case(k))
                    .map_or(String::new(), |m| format!(" (did you mean `{}`?)", m.wire));
                return Err(fail(
                    k,
                    format!("is not a parameter of this endpoint{hint}"),
                ));
            }
        }
    }
    for m in info.fields {
        let value = match params.get(m.wire) {
            None => "",
            Some(serde_json::Value::String(s)) => s.as_str(),
            Some(v) if m.kind == FieldKind::Block => {
                if !(v.is_array() || v.is_object()) {
                    return Err(fail(m.wire, "must be a JSON array or object".to_owned()));
                }
                continue;
            }
            Some(_) => {
                return Err(fail(
                    m.wire,
                    "must be a string (KIS sends every value as text)".to_owned(),
                ));
            }
        };
        check_field(m, value).map_err(|r| fail(m.wire, r))?;
    }
    order_rules(info, params)
        .and_then(|()| crate::order_rules::check(info, tr_id, params))
        .map_err(|(field, r)| fail(field, r))
}

fn get<'a>(params: &'a serde_json::Map<String, serde_json::Value>, k: &str) -> &'a str {
    params.get(k).and_then(|v| v.as_str()).unwrap_or("")
}

/// Domestic stock order types whose price must be empty or 0 (the exchange sets it).
const MARKET_LIKE: &[&str] = &["01", "03", "04", "05", "06", "13", "14", "15", "16"];
/// Domestic stock order types that need a positive limit price.
const LIMIT_LIKE: &[&str] = &["00", "02", "07", "11", "12", "22"];

/// KRX tick size (호가가격단위, rules since 2023-01-25) for a stock price in KRW.
pub fn krx_tick(price: u64) -> u64 {
    match price {
        0..2_000 => 1,
        2_000..5_000 => 5,
        5_000..20_000 => 10,
        20_000..50_000 => 50,
        50_000..200_000 => 100,
        200_000..500_000 => 500,
        _ => 1_000,
    }
}

/// Whether `price` is on the KRX grid: the stock grid, or the 5-won grid of ETF/ETN/ELW
/// (a symbol alone does not tell which, so either is accepted).
pub fn on_krx_grid(price: u64) -> bool {
    price % krx_tick(price) == 0 || price % 5 == 0
}

fn order_rules(
    info: &EndpointInfo,
    params: &serde_json::Map<String, serde_json::Value>,
) -> Result<(), (&'static str, String)> {
    let domestic_order = info.category == "domestic_stock"
        && matches!(
            info.id,
            "order_cash" | "order_credit" | "order_rvsecncl" | "order_resv"
        );
    if !domestic_order || !params.contains_key("ORD_DVSN") || !params.contains_key("ORD_UNPR") {
        return Ok(());
    }
    if get(params, "RVSE_CNCL_DVSN_CD") == "02" {
        return Ok(()); // a cancel carries no price
    }
    let kind = get(params, "ORD_DVSN");
    let price = get(params, "ORD_UNPR");
    if MARKET_LIKE.contains(&kind) {
        if !(price.is_empty() || price.bytes().all(|b| b == b'0' || b == b'.')) {
            return Err((
                "ORD_UNPR",
                format!("order type {kind} takes no price (send 0), got `{price}`"),
            ));
        }
    } else if LIMIT_LIKE.contains(&kind) {
        let Ok(p) = price.parse::<u64>() else {
            return Err((
                "ORD_UNPR",
                format!("a limit price must be a whole number of won, got `{price}`"),
            ));
        };
        if p == 0 {
            return Err((
                "ORD_UNPR",
                format!("order type {kind} needs a price above 0"),
            ));
        }
        if !on_krx_grid(p) {
            return Err((
                "ORD_UNPR",
                format!(
                    "{p} is off the KRX tick grid (tick {} at this price)",
                    krx_tick(p)
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(kind: FieldKind) -> FieldMeta {
        FieldMeta {
            wire: "X",
            kind,
            max_len: 10,
            required: true,
            blank: false,
            codes: &["00", "01"],
            retired: &[("02", "refused by KIS since 2026-02-10")],
        }
    }

    #[test]
    fn kinds() {
        assert!(check_field(&meta(FieldKind::Integer), "10").is_ok());
        assert!(check_field(&meta(FieldKind::Integer), "１０").is_err());
        assert!(check_field(&meta(FieldKind::Integer), "-1").is_err());
        assert!(check_field(&meta(FieldKind::Decimal), "1.5").is_ok());
        assert!(check_field(&meta(FieldKind::Decimal), "1.").is_err());
        assert!(check_field(&meta(FieldKind::Date), "20240229").is_ok());
        assert!(check_field(&meta(FieldKind::Date), "20230229").is_err());
        assert!(check_field(&meta(FieldKind::Date), "0020240308").is_ok());
        assert!(check_field(&meta(FieldKind::Time), "235959").is_ok());
        assert!(check_field(&meta(FieldKind::Time), "246000").is_err());
        assert!(check_field(&meta(FieldKind::Flag), "y").is_err());
        assert!(check_field(&meta(FieldKind::Code), "01").is_ok());
        assert!(check_field(&meta(FieldKind::Code), "99").is_err());
        let e = check_field(&meta(FieldKind::Code), "02").unwrap_err();
        assert!(e.contains("2026-02-10"), "{e}");
        assert!(check_field(&meta(FieldKind::Text), "").is_err());
        assert!(check_field(&meta(FieldKind::Text), "가나다라마바").is_err());
        assert!(check_field(&meta(FieldKind::Account), "1234567").is_err());
        let blank = FieldMeta {
            blank: true,
            ..meta(FieldKind::Date)
        };
        assert!(check_field(&blank, "").is_ok());
    }

    #[test]
    fn tick_grid() {
        assert!(on_krx_grid(70_000));
        assert!(on_krx_grid(1_999));
        assert!(!on_krx_grid(70_001));
        assert!(!on_krx_grid(70_003));
        assert!(on_krx_grid(250_500));
        assert!(!on_krx_grid(250_501));
        assert_eq!(krx_tick(500_000), 1_000);
    }
}
