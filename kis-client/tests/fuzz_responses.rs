//! Proptest fuzzing of every generated response decoder through the decode table
//! (`decode::decode_by_id`, the same `Object` code `Client::send` uses): random JSON, mutated
//! workbook examples and raw bytes, for every REST endpoint in `spec/`. Decoding never panics,
//! and an object body is written back exactly as received (lossless round-trip).

use std::path::PathBuf;
use std::sync::OnceLock;

use kis_client::decode::decode_by_id;
use proptest::prelude::*;
use serde_json::{Map, Value};

/// One REST endpoint of `spec/`: category, id, and its example response when it is JSON.
struct Target {
    category: String,
    id: String,
    example: Option<Value>,
}

fn targets() -> &'static [Target] {
    static T: OnceLock<Vec<Target>> = OnceLock::new();
    T.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let mut out = Vec::new();
        let mut dirs: Vec<_> = std::fs::read_dir(&root)
            .expect("spec/")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        for dir in dirs {
            let category = dir
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            if category.starts_with("realtime_") || category == "patches" {
                continue;
            }
            let mut files: Vec<_> = std::fs::read_dir(&dir)
                .expect("category dir")
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
                .collect();
            files.sort();
            for f in files {
                let id = f
                    .file_stem()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                let example = std::fs::read_to_string(dir.join(format!("{id}.response.json")))
                    .ok()
                    .and_then(|t| serde_json::from_str(&t).ok());
                out.push(Target {
                    category: category.clone(),
                    id,
                    example,
                });
            }
        }
        out
    })
}

/// Every endpoint of `spec/` has a decoder (all category features are on in tests).
#[test]
fn every_spec_endpoint_is_in_the_decode_table() {
    let t = targets();
    assert!(
        t.len() > 250,
        "only {} REST endpoints found in spec/",
        t.len()
    );
    for e in t {
        let d = decode_by_id(&e.category, &e.id, Value::Object(Map::new()));
        assert!(d.is_ok(), "{}/{}: {:?}", e.category, e.id, d.err());
    }
    assert!(decode_by_id("domestic_stock", "no_such_endpoint", Value::Null).is_err());
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
        "[0-9.+-]{0,10}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_0-9]{1,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Field names the decoders know, so random bodies hit typed fields and blocks.
const KNOWN: &[&str] = &[
    "rt_cd",
    "msg_cd",
    "msg1",
    "output",
    "output1",
    "output2",
    "output3",
    "ctx_area_fk100",
    "ctx_area_nk100",
    "stck_prpr",
    "prdy_vrss",
    "acml_vol",
    "stck_bsop_date",
    "pdno",
    "odno",
    "ord_tmd",
    "hldg_qty",
    "evlu_amt",
    "tot_evlu_amt",
];

fn body() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec(
        (
            prop_oneof![
                prop::sample::select(KNOWN).prop_map(str::to_owned),
                "[a-z_]{1,10}"
            ],
            json_value(),
        ),
        0..8,
    )
    .prop_map(|kv| kv.into_iter().collect())
}

/// Replaces one value somewhere in `v` (chosen by `at`) with `with`.
fn mutate(v: &mut Value, at: &mut usize, with: &Value) -> bool {
    if *at == 0 {
        *v = with.clone();
        return true;
    }
    *at -= 1;
    match v {
        Value::Array(a) => a.iter_mut().any(|x| mutate(x, at, with)),
        Value::Object(o) => o.values_mut().any(|x| mutate(x, at, with)),
        _ => false,
    }
}

proptest! {
    #[test]
    fn random_bodies_decode_and_round_trip(which in any::<prop::sample::Index>(), body in body()) {
        let t = &targets()[which.index(targets().len())];
        let input = Value::Object(body);
        let d = decode_by_id(&t.category, &t.id, input.clone());
        prop_assert!(d.is_ok(), "{}/{}: {:?}", t.category, t.id, d.err());
        let d = d.unwrap();
        prop_assert_eq!(&d.decoded, &input, "{}/{} did not write back what it read", t.category, t.id);
    }

    #[test]
    fn mutated_examples_decode_and_round_trip(
        which in any::<prop::sample::Index>(), at in 0usize..400, with in json_value(),
    ) {
        let with_examples: Vec<&Target> = targets().iter().filter(|t| t.example.is_some()).collect();
        prop_assume!(!with_examples.is_empty());
        let t = with_examples[which.index(with_examples.len())];
        let mut input = t.example.clone().unwrap_or(Value::Null);
        let mut at = at;
        mutate(&mut input, &mut at, &with);
        let d = decode_by_id(&t.category, &t.id, input.clone());
        match &input {
            Value::Object(_) => {
                prop_assert!(d.is_ok(), "{}/{}: {:?}", t.category, t.id, d.err());
                prop_assert_eq!(&d.unwrap().decoded, &input, "{}/{}", t.category, t.id);
            }
            _ => prop_assert!(d.is_err()),
        }
    }

    #[test]
    fn raw_bytes_through_typed_decode_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        use kis_client::api::domestic_stock::inquire_balance::InquireBalanceResponse;
        let _ = kis_client::decode::<InquireBalanceResponse>(&bytes, "inquire_balance");
    }
}
