//! Proptest fuzzing of the realtime decode path end to end: frame text for every realtime TR of
//! `spec/` with random, short, long and hostile fields goes through `parse_data_frame`,
//! `Records::split` and the generated `api::decode` without panicking, and well-formed frames
//! yield exactly their record count.

use std::path::PathBuf;
use std::sync::OnceLock;

use kis_ws::frame::{Records, parse_data_frame};
use proptest::prelude::*;

/// TR IDs of every realtime spec file (`spec/realtime_*/<tr>.yaml`).
fn tr_ids() -> &'static [String] {
    static T: OnceLock<Vec<String>> = OnceLock::new();
    T.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let mut out = Vec::new();
        for dir in std::fs::read_dir(&root)
            .expect("spec/")
            .filter_map(Result::ok)
        {
            let name = dir.file_name().to_string_lossy().into_owned();
            if !name.starts_with("realtime_") {
                continue;
            }
            for f in std::fs::read_dir(dir.path())
                .expect("dir")
                .filter_map(Result::ok)
            {
                let p = f.path();
                if p.extension().is_some_and(|e| e == "yaml") {
                    let stem = p.file_stem().unwrap_or_default().to_string_lossy();
                    out.push(stem.to_ascii_uppercase());
                }
            }
        }
        out.sort();
        out
    })
}

#[test]
fn every_realtime_tr_has_columns_and_a_decoder() {
    assert!(tr_ids().len() >= 40, "{} realtime TRs", tr_ids().len());
    for tr in tr_ids() {
        let cols = kis_ws::api::columns(tr).unwrap_or_else(|| panic!("{tr}: no columns"));
        let record = vec![""; cols.len()].join("^");
        assert!(
            kis_ws::api::decode(tr, &record).is_some(),
            "{tr}: no decoder"
        );
        assert!(kis_ws::api::is_encrypted(tr).is_some(), "{tr}");
    }
}

fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{0,12}",
        "-?[0-9]{1,9}\\.[0-9]{0,8}",
        "[0-9]{8}",
        "[0-9]{6}",
        "[YN ]",
        Just(String::new()),
        "\\PC{0,10}".prop_map(|s| s.replace(['^', '|'], "")),
        Just("99999999999999999999999999999".to_owned()),
        Just("(null)".to_owned()),
    ]
}

proptest! {
    #[test]
    fn any_fields_of_any_tr_decode_without_panic(
        which in any::<prop::sample::Index>(), count in 1usize..4, delta in -3i64..4,
        values in prop::collection::vec(field(), 0..60),
    ) {
        let tr = &tr_ids()[which.index(tr_ids().len())];
        let cols = kis_ws::api::columns(tr).map_or(0, <[_]>::len);
        // Per record: the column count, or a few fields short or long.
        let per = (cols as i64 + delta).max(1) as usize;
        let mut fields: Vec<&str> = values.iter().map(String::as_str).cycle().take(per * count).collect();
        fields.resize(per * count, "");
        let text = format!("0|{tr}|{count:03}|{}", fields.join("^"));
        let frame = parse_data_frame(&text);
        prop_assert!(frame.is_ok(), "{text}");
        let frame = frame.unwrap();
        match Records::split(frame.tr_id, frame.payload, frame.count, cols) {
            Ok(records) => {
                prop_assert_eq!(records.len(), count);
                for r in records.iter() {
                    prop_assert!(kis_ws::api::decode(tr, r).is_some());
                }
            }
            // Fewer fields than columns: refused, never mis-split.
            Err(_) => prop_assert!(per < cols),
        }
        // The decoders also take any record text directly, of any width.
        prop_assert!(kis_ws::api::decode(tr, &fields.join("^")).is_some());
        prop_assert!(kis_ws::api::decode(tr, &fields[..fields.len().min(3)].join("^")).is_some());
    }

    #[test]
    fn unknown_trs_are_none(tr in "[A-Z0-9]{0,9}", f in prop::collection::vec("[0-9]{0,4}", 0..10)) {
        let fields: Vec<&str> = f.iter().map(String::as_str).collect();
        let known = tr_ids().contains(&tr);
        if !known && kis_ws::api::columns(&tr).is_none() {
            prop_assert!(kis_ws::api::decode(&tr, &fields.join("^")).is_none());
        }
    }
}
