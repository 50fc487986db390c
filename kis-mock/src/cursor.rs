//! Cursor paging the way KIS's chart endpoints do it: the rows come newest first, the next
//! request carries the last row's date/time (`FID_INPUT_DATE_1`/`FID_INPUT_HOUR_1`, `KEYB`),
//! and the answer starts again at that row, so each page repeats the previous page's last row.
//! The history ends after `paging.pages` pages: the call after the last page returns only the
//! boundary row.
//!
//! Row `g` of the history (0 = newest) has the date `2000-(12 - g/28)-(28 - g%28)` and the
//! time `15:30:00` minus `g` minutes, so a cursor decodes back to its row.

use kis_spec::{ApiSpec, Field, Kind};
use serde_json::{Map, Value};

use crate::call::{Call, Reply, paginate};
use crate::synth;

/// The date of history row `g`.
fn date(g: usize) -> String {
    format!("2000{:02}{:02}", 12 - (g / 28) % 12, 28 - g % 28)
}

/// The time of history row `g`.
fn time(g: usize) -> String {
    let m = (15 * 60 + 30 + 24 * 60 - g % (24 * 60)) % (24 * 60);
    format!("{:02}{:02}00", m / 60, m % 60)
}

/// The history row the cursor values of a request name (dates, times, or a date and a time
/// joined): the time when there is one, else the date. `None` (start at the top) when any date
/// is not one the mock handed out, e.g. the caller's own starting point.
fn decode(values: &[&str]) -> Option<usize> {
    let of_time = |t: &str| -> Option<usize> {
        let h: usize = t.get(0..2)?.parse().ok()?;
        let m: usize = t.get(2..4)?.parse().ok()?;
        (15usize * 60 + 30).checked_sub(h * 60 + m)
    };
    let of_date = |d: &str| -> Option<usize> {
        if !d.starts_with("2000") {
            return None;
        }
        let mo: usize = d.get(4..6)?.parse().ok()?;
        let day: usize = d.get(6..8)?.parse().ok()?;
        Some((12usize.checked_sub(mo)?) * 28 + 28usize.checked_sub(day)?)
    };
    let (mut date, mut time) = (None, None);
    for v in values.iter().map(|v| v.trim()) {
        match v.len() {
            6 => time = Some(of_time(v)?),
            8 => date = Some(of_date(v)?),
            14 => {
                // Byte 8 may fall inside a multibyte character: then it is no cursor.
                date = Some(of_date(v.get(..8)?)?);
                time = Some(of_time(v.get(8..)?)?);
            }
            _ => {}
        }
    }
    date?;
    time.or(date)
}

/// Whether a row field holds the cursor's date (else its time).
fn is_date(spec: &ApiSpec, block: &str, name: &str) -> bool {
    let kind = spec
        .response
        .body
        .iter()
        .find(|b| b.name == block)
        .and_then(|b| {
            b.fields
                .iter()
                .find(|f: &&Field| f.name.trim_start_matches('-') == name)
        })
        .map(|f| f.kind);
    match kind {
        Some(Kind::Date) => true,
        Some(Kind::Time) => false,
        _ => name.contains("ymd") || name.contains("date") || name.ends_with("_dt"),
    }
}

/// Answers one page of a cursor endpoint.
pub(crate) fn answer(call: &Call<'_>) -> Reply {
    let spec = call.spec;
    let Some(paging) = &spec.paging else {
        return Reply::business("OPSQ0005", "커서 조회가 아닙니다.");
    };
    let config = &call.sh.config;
    let rows = (config.paging.rows as usize).max(2);
    let pages = config.paging.pages.max(1) as usize;
    // The newest row the request asks for: from its cursor parameters, 0 on a first call.
    // A time cursor wins over its date (the date only says which day).
    let values: Vec<&str> = paging.request.iter().map(|n| call.param(n)).collect();
    let start = decode(&values).unwrap_or(0);
    let page = start / (rows - 1);
    let count = if page >= pages { 1 } else { rows };
    let example = call.sh.catalog.example(spec);
    let mut body = synth::body(spec, example, count, start);
    for path in &paging.response {
        let Some((block, fields)) = path.split_once("[-1].") else {
            continue;
        };
        if let Some(Value::Array(list)) = body.get_mut(block) {
            for (i, row) in list.iter_mut().enumerate() {
                if let Value::Object(row) = row {
                    stamp(spec, block, fields, row, start + i);
                }
            }
        }
    }
    let tr_cont = paginate(spec, &mut body, page.min(pages - 1) as u32, pages as u32);
    Reply {
        tr_cont: Some(tr_cont),
        ..Reply::ok(Value::Object(body))
    }
}

/// Writes history row `g`'s date/time into the cursor fields (`a+b`) of a row.
fn stamp(spec: &ApiSpec, block: &str, fields: &str, row: &mut Map<String, Value>, g: usize) {
    for name in fields.split('+') {
        let v = if is_date(spec, block, name) {
            date(g)
        } else {
            time(g)
        };
        synth::set(row, name, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_decode_to_their_row() {
        for g in [0, 1, 27, 28, 100, 300] {
            assert_eq!(decode(&[&date(g)]), Some(g), "{}", date(g));
            assert_eq!(decode(&[&date(0), &time(g)]), Some(g), "{}", time(g));
            assert_eq!(decode(&[&format!("{}{}", date(g), time(g))]), Some(g));
        }
        assert_eq!(
            decode(&["20260625"]),
            None,
            "a caller's own date starts at the top"
        );
        assert_eq!(decode(&["20240102", "100000"]), None);
        assert_eq!(decode(&["100000"]), None, "a time alone names no day");
        assert_eq!(decode(&[""]), None);
        // 14 bytes with a multibyte character across byte 8 (used to panic).
        assert_eq!(decode(&["2000122가0000"]), None);
    }

    proptest::proptest! {
        /// Any cursor values decode to a row or to none; never a panic.
        #[test]
        fn any_cursor_decodes_without_panic(values in proptest::collection::vec(".{0,16}", 0..4)) {
            let values: Vec<&str> = values.iter().map(String::as_str).collect();
            let _ = decode(&values);
        }
    }
}
