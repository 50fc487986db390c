//! Market data answers: every REST endpoint without its own handler is answered in its spec's
//! shape, then each block is filled from the market model: objects from the quote, arrays
//! with a business date from candles, arrays with a time from minute bars or the tape.

use chrono::{Duration, NaiveDate, NaiveTime};
use kis_spec::{Field, Kind};
use serde_json::{Map, Value};

use crate::call::{Call, Reply};
use crate::market::fields::{Row, apply};
use crate::market::{Market, Period, Quote};

/// Request parameters that name the product, in order of preference.
const SYMBOL_PARAMS: &[&str] = &[
    "FID_INPUT_ISCD",
    "PDNO",
    "SYMB",
    "OVRS_PDNO",
    "FID_INPUT_ISCD_1",
    "ISCD",
];

fn date_param(call: &Call<'_>, name: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(call.param(name).trim(), "%Y%m%d").ok()
}

fn is_day_field(f: &Field) -> bool {
    let n = f.name.to_ascii_lowercase();
    (f.kind == Kind::Date && (n.ends_with("bsop_date") || n == "stck_date")) || n == "xymd"
}

fn is_time_field(f: &Field) -> bool {
    let n = f.name.to_ascii_lowercase();
    (f.kind == Kind::Time && n.ends_with("_hour")) || n == "xhms" || n == "khms"
}

fn has_code_field(fields: &[Field]) -> bool {
    fields.iter().any(|f| {
        matches!(
            f.name.to_ascii_lowercase().as_str(),
            "stck_shrn_iscd" | "mksc_shrn_iscd" | "pdno" | "symb"
        )
    })
}

/// KIS's answer when there is nothing to show (its workbook's examples): here, a product code
/// that is not in the universe, or not of the type asked for.
const NOT_FOUND: (&str, &str) = ("KIOK0560", "조회할 내용이 없습니다");

/// Exchange codes of the US venues (quotes: `NAS`; trading: `NASD`; daytime: `BAQ`).
const US_EXCHANGES: &[&str] = &[
    "NAS", "NYS", "AMS", "NASD", "NYSE", "AMEX", "BAQ", "BAY", "BAA",
];

/// "Not found" for a request naming a product the universe does not have (or not of the
/// asked type), before anything is synthesized for it: `search-info`/`search-stock-info`
/// check the code against `PRDT_TYPE_CD`; domestic-stock endpoints check a six-character
/// stock code; overseas endpoints on a US exchange check the symbol. Index, sector, bond and
/// other markets' codes are not checked (the universe has none of them).
pub(crate) fn unknown_product(call: &Call<'_>) -> Option<Reply> {
    let market = &call.sh.market;
    let spec = call.spec;
    let not_found = || Some(Reply::business(NOT_FOUND.0, NOT_FOUND.1));
    if spec.path.ends_with("/search-info") || spec.path.ends_with("/search-stock-info") {
        let code = call.param("PDNO").trim();
        let by_isin = || {
            market
                .products()
                .iter()
                .find(|p| p.isin().eq_ignore_ascii_case(code))
                .cloned()
        };
        let Some(p) = market.listed(code).or_else(by_isin) else {
            return not_found();
        };
        let asked = call.param("PRDT_TYPE_CD").trim();
        let stock_only = spec.path.ends_with("/search-stock-info");
        if p.type_code() != asked || (stock_only && asked != "300") {
            return not_found();
        }
        return None;
    }
    match spec.category.as_str() {
        "domestic_stock" => {
            let market_div = call.param("FID_COND_MRKT_DIV_CODE").trim();
            if !matches!(market_div, "" | "J" | "NX" | "UN") {
                return None;
            }
            let code = ["FID_INPUT_ISCD", "PDNO"]
                .iter()
                .map(|n| call.param(n).trim())
                .find(|c| !c.is_empty())?;
            let bare = code
                .strip_prefix('A')
                .filter(|c| c.len() == 6)
                .unwrap_or(code);
            let stock_shaped = bare.len() == 6 && bare.bytes().all(|b| b.is_ascii_alphanumeric());
            match market.listed(code) {
                None if stock_shaped => not_found(),
                _ => None,
            }
        }
        // Overseas trading (orders and account inquiries) is not checked here.
        "overseas_stock" if spec.path.contains("/trading/") => None,
        "overseas_price" | "overseas_stock" => {
            let exchange = ["EXCD", "OVRS_EXCG_CD"]
                .iter()
                .map(|n| call.param(n).trim())
                .find(|c| !c.is_empty())?;
            if !US_EXCHANGES.contains(&exchange) {
                return None;
            }
            let symbol = ["SYMB", "OVRS_PDNO", "PDNO"]
                .iter()
                .map(|n| call.param(n).trim())
                .find(|c| !c.is_empty())?;
            match market.listed(symbol) {
                Some(p) if p.venue.is_us() => None,
                _ => not_found(),
            }
        }
        _ => None,
    }
}

/// Fills `body` (a synthesized answer to `call`) from the market.
pub(crate) fn fill(call: &Call<'_>, body: &mut Map<String, Value>) {
    let market = &call.sh.market;
    let symbol = SYMBOL_PARAMS
        .iter()
        .map(|p| call.param(p).trim())
        .find(|s| !s.is_empty());
    let quote = symbol.map(|s| market.quote(s));
    let wants_extremes = |fields: &[Field]| {
        fields.iter().any(|f| {
            let n = f.name.to_ascii_lowercase();
            n.starts_with("w52_") || n.starts_with("d250_") || n.contains("dryy_")
        })
    };
    for field in &call.spec.response.body {
        let Some(slot) = crate::synth::lookup_mut(body, &field.name) else {
            continue;
        };
        match field.kind {
            Kind::Object => {
                let (Some(q), Value::Object(record)) = (&quote, slot) else {
                    continue;
                };
                let book = market.book(q);
                let mut row = Row::quote(q, Some(&book));
                if wants_extremes(&field.fields) {
                    row.extremes = Some(market.extremes(q));
                }
                apply(&field.fields, record, &row);
            }
            Kind::Array => {
                let template = match slot {
                    Value::Array(rows) => rows.first().and_then(Value::as_object).cloned(),
                    _ => None,
                }
                .unwrap_or_default();
                if let Some(rows) = array(call, market, quote.as_ref(), &field.fields, &template) {
                    *slot = Value::Array(rows);
                }
            }
            _ => {}
        }
    }
    // `search-stock-info` spells its product number as 12 characters (`00000A005930`).
    if let (Some(q), true) = (&quote, call.spec.path.ends_with("/search-stock-info")) {
        if let Some(Value::Object(output)) = crate::synth::lookup_mut(body, "output") {
            crate::synth::set(output, "pdno", format!("00000A{}", q.product.code));
        }
    }
    // The US book's head and changes, from the same quote and book as its levels.
    if let (Some(q), true) = (&quote, call.spec.path == crate::overseas::asking::PATH) {
        crate::overseas::asking::fill(q, &market.book(q), body);
    }
    // Flat answers: scalars at the top level.
    if let Some(q) = &quote {
        let scalars: Vec<Field> = call
            .spec
            .response
            .body
            .iter()
            .filter(|f| !f.is_block() && !matches!(f.name.as_str(), "rt_cd" | "msg_cd" | "msg1"))
            .cloned()
            .collect();
        if !scalars.is_empty() {
            let book = market.book(q);
            apply(&scalars, body, &Row::quote(q, Some(&book)));
        }
    }
}

fn array(
    call: &Call<'_>,
    market: &Market,
    quote: Option<&Quote>,
    fields: &[Field],
    template: &Map<String, Value>,
) -> Option<Vec<Value>> {
    let record = |row: &Row<'_>| {
        let mut r = template.clone();
        apply(fields, &mut r, row);
        Value::Object(r)
    };
    let Some(q) = quote else {
        // No product asked for: a list of products (rankings, ...) when rows name one.
        if !has_code_field(fields) || template.is_empty() {
            return None;
        }
        let rows = call.sh.config.paging.rows.max(1) as usize;
        let now = market.now();
        return Some(
            market
                .products()
                .iter()
                .filter(|p| !p.venue.is_us() && !p.venue.is_derivative())
                .skip(call.page as usize * rows)
                .take(rows)
                .map(|p| {
                    let q = market.quote_at(p, now);
                    record(&Row::quote(&q, None))
                })
                .collect(),
        );
    };
    let has_day = fields.iter().any(is_day_field);
    let has_time = fields.iter().any(is_time_field);
    if has_time {
        let hour = call.param("FID_INPUT_HOUR_1").trim();
        if let Ok(until) = NaiveTime::parse_from_str(hour, "%H%M%S") {
            let until = until.min(q.time);
            let bars = market.minutes(q, until, 30);
            return Some(
                bars.iter()
                    .map(|c| record(&Row::candle(q, c, true)))
                    .collect(),
            );
        }
        if !has_day || call.spec.path.ends_with("ccnl") {
            let trades = market.trades(q, 30);
            return Some(
                trades
                    .iter()
                    .map(|t| {
                        let mut row = Row::quote(q, None);
                        row.time = t.time;
                        row.close = t.price;
                        row.qty = t.qty;
                        row.volume = t.cum_volume;
                        record(&row)
                    })
                    .collect(),
            );
        }
        let bars = market.minutes(q, q.time, 30);
        return Some(
            bars.iter()
                .map(|c| record(&Row::candle(q, c, true)))
                .collect(),
        );
    }
    if has_day {
        let period = match call.param("FID_PERIOD_DIV_CODE").trim() {
            "W" => Period::Week,
            "M" => Period::Month,
            "Y" => Period::Year,
            "D" | "" => match call.param("GUBN").trim() {
                "1" => Period::Week,
                "2" => Period::Month,
                _ => Period::Day,
            },
            _ => Period::Day,
        };
        let to = date_param(call, "FID_INPUT_DATE_2")
            .or_else(|| date_param(call, "BYMD"))
            .unwrap_or(q.date);
        let count = if call.spec.path.ends_with("inquire-daily-price") {
            30
        } else {
            100
        };
        let from = date_param(call, "FID_INPUT_DATE_1").unwrap_or(to - Duration::days(3660));
        let candles = market.candles(q, from, to, period, count);
        return Some(
            candles
                .iter()
                .map(|c| record(&Row::candle(q, c, false)))
                .collect(),
        );
    }
    let n = match template.is_empty() {
        true => return None,
        false => 1,
    };
    let book = market.book(q);
    Some(
        (0..n)
            .map(|_| record(&Row::quote(q, Some(&book))))
            .collect(),
    )
}
