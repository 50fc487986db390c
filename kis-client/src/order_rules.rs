//! Order rules beyond the per-field checks of [`crate::validate`]: what a KRX symbol looks
//! like, that an order has a quantity, an overseas order's whole-share quantity, cent grid,
//! exchange (it must be one the order's TR trades on) and order-server code. Each refusal
//! names the wire field; nothing is sent.
//!
//! The KRX price grid is checked in `validate.rs`: a price off both the stock grid and the
//! 5-won fund grid is refused. A symbol alone does not say whether it is a stock or an ETF/ETN,
//! so a multiple of 5 off the stock grid (73,050) is still sent; the symbol master will tell.

use serde_json::{Map, Value};

use crate::endpoint::EndpointInfo;

type Rule = Result<(), (&'static str, String)>;

fn get<'a>(params: &'a Map<String, Value>, k: &str) -> &'a str {
    params.get(k).and_then(Value::as_str).unwrap_or("")
}

/// Whether `s` has the shape of a KRX short code as KIS orders take it: 6 characters, a digit
/// then digits or capital letters (`005930`, and the alphanumeric codes KRX issues since 2024
/// such as `0001A0`), or an ETN's 7 (`Q` and 6 more: `Q500001`).
///
/// ```
/// use kis_client::validate::is_krx_symbol;
/// assert!(is_krx_symbol("005930") && is_krx_symbol("0001A0") && is_krx_symbol("Q500001"));
/// for bad in ["", " ", "5930", "AAPL", "005930 ", "ABCDEF", "005930A"] {
///     assert!(!is_krx_symbol(bad), "{bad:?}");
/// }
/// ```
pub fn is_krx_symbol(s: &str) -> bool {
    let tail = |b: &[u8]| {
        b.iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
    };
    match s.as_bytes() {
        b @ [first, rest @ ..] if b.len() == 6 => first.is_ascii_digit() && tail(rest),
        b @ [b'Q', rest @ ..] if b.len() == 7 => tail(rest),
        _ => false,
    }
}

/// Whether a US price (in dollars, as KIS writes it) is on the US tick grid: whole cents at
/// or above $1, hundredths of a cent below (SEC Rule 612).
///
/// ```
/// use kis_client::validate::on_us_price_grid;
/// assert!(on_us_price_grid("150.25") && on_us_price_grid("150.250") && on_us_price_grid("0.1234"));
/// assert!(!on_us_price_grid("150.255") && !on_us_price_grid("0.12345"));
/// ```
pub fn on_us_price_grid(price: &str) -> bool {
    let (whole, frac) = price.split_once('.').unwrap_or((price, ""));
    let frac = frac.trim_end_matches('0');
    let at_least_a_dollar = !whole.trim_start_matches('0').is_empty();
    frac.len() <= if at_least_a_dollar { 2 } else { 4 }
}

fn is_zero(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b == b'0' || b == b'.')
}

/// The exchanges (`OVRS_EXCG_CD`) an overseas-stock order variant trades on, by the
/// variant's name (`us_buy`, `jp_sell`, `asia`, `day_buy`, ...); `None` when not known.
fn exchanges_of(variant: &str) -> Option<&'static [&'static str]> {
    const US: &[&str] = &["NASD", "NYSE", "AMEX"];
    let market = variant.split('_').next().unwrap_or(variant);
    Some(match market {
        "us" | "day" => US,
        "jp" => &["TKSE"],
        "sh" => &["SHAA"],
        "sz" => &["SZAA"],
        "hk" => &["SEHK"],
        "vn" => &["HASE", "VNSE"],
        "asia" => &["SEHK", "SHAA", "SZAA", "TKSE", "HASE", "VNSE"],
        _ => return None,
    })
}

/// The variant of `info` that `tr_id` belongs to (real or paper), if any.
fn variant_of<'a>(info: &'a EndpointInfo, tr_id: &str) -> Option<&'a str> {
    if tr_id.is_empty() {
        return None;
    }
    info.variants
        .iter()
        .find(|(_, t)| t.real == Some(tr_id) || t.paper == Some(tr_id))
        .map(|(name, _)| *name)
}

/// The order rules for `info` (sent with `tr_id`, empty when not known).
pub(crate) fn check(info: &EndpointInfo, tr_id: &str, params: &Map<String, Value>) -> Rule {
    match info.category {
        "domestic_stock" => domestic(info, params),
        "overseas_stock" => overseas(info, tr_id, params),
        _ => Ok(()),
    }
}

fn domestic(info: &EndpointInfo, params: &Map<String, Value>) -> Rule {
    let places = matches!(info.id, "order_cash" | "order_credit" | "order_resv");
    if places || info.id == "order_resv_rvsecncl" {
        let symbol = get(params, "PDNO");
        if params.contains_key("PDNO") && (places || !symbol.is_empty()) && !is_krx_symbol(symbol) {
            return Err((
                "PDNO",
                format!(
                    "`{symbol}` is not a KRX short code (6 characters: digits, or a digit then \
                     digits and capital letters such as 0001A0; an ETN's 7: Q500001)"
                ),
            ));
        }
    }
    let all = get(params, "QTY_ALL_ORD_YN") == "Y";
    let quantity_needed = places || (info.id == "order_rvsecncl" && !all);
    if quantity_needed && params.contains_key("ORD_QTY") && is_zero(get(params, "ORD_QTY")) {
        let why = if info.id == "order_rvsecncl" {
            "must be at least 1 (or set QTY_ALL_ORD_YN to Y for the whole remaining quantity)"
        } else {
            "must be at least 1 share"
        };
        return Err(("ORD_QTY", why.to_owned()));
    }
    Ok(())
}

fn overseas(info: &EndpointInfo, tr_id: &str, params: &Map<String, Value>) -> Rule {
    if !matches!(
        info.id,
        "order" | "order_rvsecncl" | "order_resv" | "daytime_order" | "daytime_order_rvsecncl"
    ) {
        return Ok(());
    }
    let cancel = get(params, "RVSE_CNCL_DVSN_CD") == "02";
    let exchange = get(params, "OVRS_EXCG_CD");
    if let Some(allowed) = variant_of(info, tr_id).and_then(exchanges_of) {
        if !exchange.is_empty() && !allowed.contains(&exchange) {
            return Err((
                "OVRS_EXCG_CD",
                format!(
                    "`{exchange}` is not an exchange of {tr_id} ({}); it trades on {}",
                    variant_of(info, tr_id).unwrap_or_default(),
                    allowed.join(", ")
                ),
            ));
        }
    }
    for field in ["ORD_QTY", "FT_ORD_QTY"] {
        let Some(q) = params.get(field).and_then(Value::as_str) else {
            continue;
        };
        if q.contains('.')
            && !q
                .split_once('.')
                .is_some_and(|(_, f)| is_zero(f) || f.is_empty())
        {
            return Err((field, format!("`{q}` is not a whole number of shares")));
        }
        if is_zero(q) && !cancel {
            return Err((field, "must be at least 1 share".to_owned()));
        }
    }
    let us = matches!(exchange, "NASD" | "NYSE" | "AMEX");
    for field in ["OVRS_ORD_UNPR", "FT_ORD_UNPR3"] {
        let p = get(params, field);
        if us && !p.is_empty() && !is_zero(p) && !on_us_price_grid(p) {
            return Err((
                field,
                format!("{p} is off the US price grid ($0.01 at or above $1, $0.0001 below)"),
            ));
        }
    }
    let server = get(params, "ORD_SVR_DVSN_CD");
    // Blank is KIS's default (the official samples send it blank where it is optional).
    if !server.is_empty() && server != "0" {
        return Err((
            "ORD_SVR_DVSN_CD",
            format!("`{server}` is not an order-server code; KIS takes \"0\""),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn exchanges_follow_the_variant() {
        assert_eq!(exchanges_of("us_buy"), Some(&["NASD", "NYSE", "AMEX"][..]));
        assert_eq!(exchanges_of("jp_sell"), Some(&["TKSE"][..]));
        assert_eq!(exchanges_of("vn"), Some(&["HASE", "VNSE"][..]));
        assert_eq!(exchanges_of("default"), None);
    }

    proptest! {
        /// Every 6-digit code is a KRX symbol; any other length or a space is not.
        #[test]
        fn krx_symbols(code in "[0-9]{6}", junk in "[ a-z0-9]{0,5}|[0-9]{7,9}") {
            prop_assert!(is_krx_symbol(&code));
            let with_space = format!("{code} ");
            prop_assert!(!is_krx_symbol(&with_space));
            prop_assert!(!is_krx_symbol(&junk));
        }

        /// Whole cents are on the grid at or above $1, a tenth of a cent is not.
        #[test]
        fn us_grid(d in 1u32..100_000, c in 0u32..100, m in 1u32..10) {
            let cents = format!("{d}.{c:02}");
            let mills = format!("{d}.{c:02}{m}");
            let sub_dollar = format!("0.{c:02}{m}");
            prop_assert!(on_us_price_grid(&cents));
            prop_assert!(!on_us_price_grid(&mills));
            prop_assert!(on_us_price_grid(&sub_dollar));
        }
    }
}
