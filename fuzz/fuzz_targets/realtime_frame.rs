//! libFuzzer target: any text as a realtime data frame through header parse, record split and
//! the generated typed decode of its TR.
#![no_main]

use kis_ws::frame::{Records, parse_data_frame};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
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
