//! Market data answers: every REST endpoint without its own handler is answered in its spec's
//! shape, then each block is filled from the market model: objects from the quote, arrays
//! with a business date from candles, arrays with a time from minute bars or the tape.

use chrono::{Duration, NaiveDate, NaiveTime};
use kis_spec::{Field, Kind};
use serde_json::{Map, Value};

use crate::market::fields::{Row, apply};
use crate::market::{Market, Period, Quote};
use crate::rest::Call;

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
