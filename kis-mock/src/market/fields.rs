//! Maps spec field names to the model: a response field named like a price, volume, date or
//! time gets its value from the market, so an endpoint the mock does not model specifically
//! still agrees with the quote, the chart and the book.

use chrono::{Duration, NaiveDate, NaiveTime};
use kis_spec::{Field, Kind};

use super::product::{Product, fmt_units};
use super::{Book, Candle, Quote};

/// The values one record is filled from.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub quote: &'a Quote,
    /// The date and time of the record (a candle's, a trade's, or the quote's).
    pub date: NaiveDate,
    pub time: NaiveTime,
    pub open: i64,
    pub high: i64,
    pub low: i64,
    pub close: i64,
    pub prev_close: i64,
    /// Cumulative volume (the day's, or the candle's).
    pub volume: u64,
    /// Quantity of this record alone (a trade's, a minute's).
    pub qty: u64,
    pub value: f64,
    pub book: Option<&'a Book>,
    /// The 52-week (250-day) extremes with dates, when computed.
    pub extremes: Option<((i64, NaiveDate), (i64, NaiveDate))>,
}

impl<'a> Row<'a> {
    /// The quote as a record.
    pub fn quote(q: &'a Quote, book: Option<&'a Book>) -> Row<'a> {
        Row {
            quote: q,
            date: q.date,
            time: q.time,
            open: q.open,
            high: q.high,
            low: q.low,
            close: q.price,
            prev_close: q.prev_close,
            volume: q.volume,
            qty: 0,
            value: q.value,
            book,
            extremes: None,
        }
    }

    /// A candle as a record.
    pub fn candle(q: &'a Quote, c: &Candle, minute: bool) -> Row<'a> {
        Row {
            quote: q,
            date: c.date,
            time: if minute { c.time } else { q.time },
            open: c.open,
            high: c.high,
            low: c.low,
            close: c.close,
            prev_close: c.prev_close,
            volume: c.volume,
            qty: c.volume,
            value: c.value,
            book: None,
            extremes: None,
        }
    }

    fn p(&self) -> &Product {
        &self.quote.product
    }

    fn price(&self, units: i64) -> String {
        self.p().fmt_price(units)
    }
}

/// A field name in lower case, borrowed when it already is (realtime layouts are lowered once
/// per subscription).
fn lower(name: &str) -> std::borrow::Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(name.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(name)
    }
}

/// KIS's sign code of a change: 1 upper limit, 2 up, 3 unchanged, 4 lower limit, 5 down.
pub fn sign(price: i64, prev: i64, upper: i64, lower: i64) -> &'static str {
    if price >= upper && price > prev {
        "1"
    } else if price <= lower && price < prev {
        "4"
    } else if price > prev {
        "2"
    } else if price < prev {
        "5"
    } else {
        "3"
    }
}

fn level<'b>(name: &'b str, prefixes: &[&str]) -> Option<(usize, &'b str)> {
    for (i, p) in prefixes.iter().enumerate() {
        if let Some(rest) = name.strip_prefix(p) {
            if let Ok(n) = rest.parse::<usize>() {
                if (1..=10).contains(&n) {
                    return Some((i, rest)).map(|(i, _)| (i * 100 + n, rest));
                }
            }
        }
    }
    None
}

/// The model's value for a field, when its name says what it is; `None` leaves the field as
/// the spec-shaped synthesis made it.
pub fn value(field: &Field, row: &Row<'_>) -> Option<String> {
    let n = lower(&field.name);
    let n = n.as_ref();
    let q = row.quote;
    let dec = q.product.venue.decimals();
    let rate = |num: i64, den: i64| {
        if den == 0 {
            "0.00".to_owned()
        } else {
            format!("{:.2}", num as f64 * 100.0 / den as f64)
        }
    };
    // Named fields whatever kind the workbook gave them (overseas dates are often `string`,
    // sign codes `code`).
    match n {
        "xymd" | "kymd" => return Some(row.date.format("%Y%m%d").to_string()),
        "xhms" => return Some(row.time.format("%H%M%S").to_string()),
        "khms" => {
            let kst = if q.product.venue.is_us() {
                (row.date.and_time(row.time) + Duration::hours(13)).time()
            } else {
                row.time
            };
            return Some(kst.format("%H%M%S").to_string());
        }
        "prdy_vrss_sign" | "sign" | "futs_prdy_vrss_sign" | "optn_prdy_vrss_sign" => {
            return Some(sign(row.close, row.prev_close, q.upper, q.lower).into());
        }
        "rsym" if q.product.venue.is_us() => {
            return Some(format!("D{}{}", q.product.venue.excd(), q.product.code));
        }
        _ => {}
    }
    match field.kind {
        Kind::Date => {
            let is_day = n.ends_with("bsop_date")
                || matches!(
                    n,
                    "xymd" | "kymd" | "date" | "stck_date" | "trd_dd" | "bass_dt"
                );
            return match (is_day, row.extremes) {
                (true, _) => Some(row.date.format("%Y%m%d").to_string()),
                (false, Some(((_, hd), (_, ld)))) => {
                    if n.contains("hgpr") {
                        Some(hd.format("%Y%m%d").to_string())
                    } else if n.contains("lwpr") {
                        Some(ld.format("%Y%m%d").to_string())
                    } else {
                        None
                    }
                }
                _ => None,
            };
        }
        Kind::Time => {
            let is_time = n.ends_with("_hour") || n == "hour";
            return is_time.then(|| row.time.format("%H%M%S").to_string());
        }
        Kind::Object | Kind::Array | Kind::Flag | Kind::Code => return None,
        _ => {}
    }
    if let Some(book) = row.book {
        // Ten levels: askp1..10, bidp1..10, askp_rsqn1.., bidp_rsqn1.., overseas pask/pbid.
        if let Some((which, _)) = level(
            n,
            &[
                "askp",
                "bidp",
                "askp_rsqn",
                "bidp_rsqn",
                "pask",
                "pbid",
                "vask",
                "vbid",
            ],
        ) {
            let (kind, k) = (which / 100, which % 100 - 1);
            let side = if kind % 2 == 0 {
                &book.asks
            } else {
                &book.bids
            };
            let lv = side.get(k);
            return Some(match kind {
                0 | 1 | 4 | 5 => lv.map_or("0".into(), |l| row.price(l.price)),
                _ => lv.map_or("0".into(), |l| l.qty.to_string()),
            });
        }
        match n {
            "total_askp_rsqn" => {
                return Some(book.asks.iter().map(|l| l.qty).sum::<u64>().to_string());
            }
            "total_bidp_rsqn" => {
                return Some(book.bids.iter().map(|l| l.qty).sum::<u64>().to_string());
            }
            _ => {}
        }
    }
    if let Some(((hi, _), (lo, _))) = row.extremes {
        if n.starts_with("w52_") || n.starts_with("d250_") || n.contains("dryy_") {
            let (base, is_hi) = if n.contains("hgpr") {
                (hi, true)
            } else if n.contains("lwpr") {
                (lo, false)
            } else {
                return None;
            };
            if n.contains("vrss") || n.contains("rate") || n.contains("ctrt") {
                return Some(rate(q.price - base, base));
            }
            let _ = is_hi;
            return Some(row.price(base));
        }
    }
    let v = match n {
        "askp" | "askp1" => row.price(if q.ask > 0 { q.ask } else { q.price }),
        "bidp" | "bidp1" => row.price(if q.bid > 0 { q.bid } else { q.price }),
        "prdy_vrss" | "diff" | "futs_prdy_vrss" | "optn_prdy_vrss" => {
            fmt_units(row.close - row.prev_close, dec)
        }
        "prdy_ctrt" | "rate" | "futs_prdy_ctrt" | "optn_prdy_ctrt" => {
            rate(row.close - row.prev_close, row.prev_close)
        }
        "acml_vol" | "tvol" | "acml_vol_2" => row.volume.to_string(),
        "cntg_vol" | "evol" => row.qty.max(1).to_string(),
        "prdy_vol" | "pvol" => q.prev_volume.to_string(),
        "acml_tr_pbmn" | "tamt" => format!("{:.0}", row.value / 10f64.powi(dec as i32)),
        "stck_sdpr" | "base" | "stck_prdy_clpr" | "prdy_clpr" | "futs_sdpr" | "sdpr" => {
            row.price(row.prev_close)
        }
        "stck_mxpr" | "uplp" | "futs_mxpr" | "optn_mxpr" | "mxpr" => row.price(q.upper),
        "stck_llam" | "dnlp" | "futs_llam" | "optn_llam" | "llam" => row.price(q.lower),
        "aspr_unit" | "e_hogau" => row.price(q.product.venue.tick(q.price)),
        "wghn_avrg_stck_prc" => {
            if row.volume == 0 {
                row.price(row.close)
            } else {
                format!(
                    "{:.2}",
                    row.value / row.volume as f64 / 10f64.powi(dec as i32)
                )
            }
        }
        "last" | "clos" | "stck_clpr" => row.price(row.close),
        "open" => row.price(row.open),
        "high" => row.price(row.high),
        "low" => row.price(row.low),
        _ if n.ends_with("_prpr") || n == "prpr" || n.ends_with("_clpr") => row.price(row.close),
        _ if n.ends_with("_oprc") && !n.contains("prdy") => row.price(row.open),
        _ if n.ends_with("_hgpr") && !n.contains("prdy") => row.price(row.high),
        _ if n.ends_with("_lwpr") && !n.contains("prdy") => row.price(row.low),
        _ => return None,
    };
    Some(v)
}

/// The model's value for a field of the product's identity (code, names in both languages,
/// ISIN, type, market, listing): every endpoint takes them from the one universe.
pub fn text(field: &Field, row: &Row<'_>) -> Option<String> {
    let n = lower(&field.name);
    let p = &row.quote.product;
    let krx_stock = !p.venue.is_us() && !p.venue.is_derivative();
    // Called for every column of every realtime record: nothing is computed unless named.
    let listed = || p.listed_on().format("%Y%m%d").to_string();
    let v = match n.as_ref() {
        "stck_shrn_iscd" | "mksc_shrn_iscd" | "pdno" | "symb" | "futs_shrn_iscd"
        | "optn_shrn_iscd" | "shtn_pdno" | "ovrs_pdno" => p.code.clone(),
        "hts_kor_isnm" | "prdt_name" | "prdt_name120" | "prdt_abrv_name" | "kor_isnm"
        | "ovrs_item_name" => p.kor_name.clone(),
        "name" => p.name.clone(),
        "prdt_eng_name" | "prdt_eng_name120" | "prdt_eng_abrv_name" | "eng_isnm"
        | "ovrs_item_eng_name" | "enname" => p.eng_name.clone(),
        "std_pdno" | "isin" | "stck_std_iscd" => p.isin(),
        "prdt_type_cd" => p.type_code().into(),
        "mket_id_cd" => p.market_id().into(),
        "scty_grp_id_cd" => p.security_group().into(),
        "excd" if p.venue.is_us() => p.venue.excd().into(),
        "lstg_stqt" | "lstn_stcn" => p.listed_shares().to_string(),
        "scts_mket_lstg_dt" if krx_stock && p.venue != super::product::Venue::Kosdaq => listed(),
        "kosdaq_mket_lstg_dt" if p.venue == super::product::Venue::Kosdaq => listed(),
        "scts_mket_lstg_dt" | "kosdaq_mket_lstg_dt" if krx_stock => String::new(),
        _ => return None,
    };
    Some(v)
}

/// Sets every field of `record` the model knows.
pub fn apply(
    fields: &[Field],
    record: &mut serde_json::Map<String, serde_json::Value>,
    row: &Row<'_>,
) {
    for f in fields {
        if matches!(f.kind, Kind::Object | Kind::Array) {
            continue;
        }
        if let Some(v) = value(f, row).or_else(|| text(f, row)) {
            // Records are built from the spec's names, so the exact key is the usual hit.
            match record.get_mut(&f.name) {
                Some(slot) => *slot = serde_json::Value::String(v),
                None => crate::synth::set(record, &f.name, v),
            }
        }
    }
}

/// A realtime record: the subscription key first, then every column the model knows from
/// `row`, the others from the workbook's example record where it fits, synthesized otherwise.
pub fn realtime_record(
    columns: &[Field],
    example: &[String],
    tr_key: &str,
    seq: usize,
    row: &Row<'_>,
) -> String {
    let mut out = String::with_capacity(columns.len() * 8);
    for (i, f) in columns.iter().enumerate() {
        if i > 0 {
            out.push('^');
        }
        if i == 0 {
            out.push_str(tr_key);
            continue;
        }
        match value(f, row).or_else(|| text(f, row)) {
            Some(v) => out.push_str(&v),
            None => match example.get(i) {
                Some(v) if crate::synth::fits(f, v) => out.push_str(v),
                _ => out.push_str(&crate::synth::scalar(f, seq)),
            },
        }
    }
    out
}
