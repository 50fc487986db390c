//! libFuzzer target: any text as a realtime data frame through header parse, record split and
//! the generated typed decode of its TR; and the fast typed field reads (`Columns::int`,
//! `decimal`, `time`, `date`, `kis_time`) against the general parsers on the same text.
#![no_main]

use kis_client::value::{Decimal, KisTime, NaiveDate, NaiveTime, Val, Wire};
use kis_ws::frame::{Columns, Records, parse_data_frame};
use libfuzzer_sys::fuzz_target;

/// The reference reading of field `i`: `str::split('^')`, the `(null)` rule, `Val::parse`.
fn reference<T: Wire>(text: &str, i: usize) -> Val<T> {
    match text.split('^').nth(i) {
        Some("(null)") => Val::Empty,
        Some(s) => Val::parse(s),
        None => Val::Missing,
    }
}

fuzz_target!(|text: &str| {
    // One column past the last field: it reads as missing.
    let c = Columns::<64>::new(text);
    let n = (text.split('^').count() + 1).min(64);
    for i in 0..n {
        let (int, dec, time) = (c.int(i), c.decimal(i), c.time(i));
        assert_eq!(int, reference::<i64>(text, i));
        assert_eq!(int.raw(), reference::<i64>(text, i).raw());
        let want: Val<Decimal> = reference(text, i);
        assert_eq!(dec.raw(), want.raw());
        assert_eq!(dec.get().map(Decimal::scale), want.get().map(Decimal::scale));
        assert_eq!(dec, want);
        assert_eq!(time, reference::<NaiveTime>(text, i));
        assert_eq!(c.date(i), reference::<NaiveDate>(text, i));
        assert_eq!(c.kis_time(i), reference::<KisTime>(text, i));
    }

    let Ok(f) = parse_data_frame(text) else {
        return;
    };
    let Some(cols) = kis_ws::api::columns(f.tr_id) else {
        return;
    };
    if let Ok(records) = Records::split(f.tr_id, f.payload, f.count, cols.len()) {
        assert_eq!(records.len(), f.count);
        for r in records.iter() {
            assert!(kis_ws::api::decode(f.tr_id, r).is_some());
        }
    }
});
