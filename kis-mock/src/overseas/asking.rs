//! 해외주식 현재가 호가 (`inquire-asking-price`, `HHDFS76200100`): the parts of the answer the
//! generic quote fill leaves as the workbook's example (its `code`, date and time, the side
//! totals, the changes and rates) set from the same quote and book the levels come from, so
//! the answer is one consistent snapshot of the book US orders match against.

use serde_json::{Map, Value};

use crate::market::{Book, Quote};
use crate::synth::{lookup_mut, set};

/// The path of the endpoint.
pub(crate) const PATH: &str = "/uapi/overseas-price/v1/quotations/inquire-asking-price";

/// `part` as a signed percentage of `whole`, two places.
fn rate(part: i64, whole: i64) -> String {
    if whole == 0 {
        return "0.00".into();
    }
    format!("{:.2}", part as f64 * 100.0 / whole as f64)
}

/// Sets `output1`'s identity, time, totals and rates and `output2`'s per-level changes for
/// quote `q` and its `book` (the levels themselves are filled by the generic quote fill).
pub(crate) fn fill(q: &Quote, book: &Book, body: &mut Map<String, Value>) {
    if let Some(Value::Object(head)) = lookup_mut(body, "output1") {
        let total = |side: &[crate::market::Level]| side.iter().map(|l| l.qty).sum::<u64>();
        let base = q.prev_close;
        for (name, value) in [
            ("code", q.product.code.clone()),
            ("curr", "USD".to_owned()),
            ("zdiv", q.product.venue.decimals().to_string()),
            ("dymd", q.date.format("%Y%m%d").to_string()),
            ("dhms", q.time.format("%H%M%S").to_string()),
            ("avol", total(&book.asks).to_string()),
            ("bvol", total(&book.bids).to_string()),
            // No earlier snapshot is kept: no change to report.
            ("advl", "0".to_owned()),
            ("bdvl", "0".to_owned()),
            ("ropen", rate(q.open - base, base)),
            ("rhigh", rate(q.high - base, base)),
            ("rlow", rate(q.low - base, base)),
            ("rclose", rate(q.price - base, base)),
        ] {
            set(head, name, value);
        }
    }
    let levels = match lookup_mut(body, "output2") {
        Some(Value::Array(rows)) => rows.iter_mut().filter_map(Value::as_object_mut).collect(),
        Some(Value::Object(row)) => vec![row],
        _ => Vec::new(),
    };
    for row in levels {
        for n in 1..=10 {
            set(row, &format!("dask{n}"), "0");
            set(row, &format!("dbid{n}"), "0");
        }
    }
}
