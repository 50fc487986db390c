//! Property test of the generated response decoders over random bodies built from `spec/`:
//! for a random REST endpoint, a body with the spec's fields (some absent, some under a key
//! that differs in ASCII case, some empty, some not parsing, some of another JSON type), its
//! blocks as arrays or single objects (or a stray scalar), and unknown fields sprinkled in.
//! Every body decodes, writes back exactly as received, and reports exactly the unknown fields
//! and invalid values that were put in. Five response types also decode straight from the
//! bytes (`kis_client::decode`, what `Client::send` runs) with the same results.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use kis_client::decode::decode_by_id;
use kis_client::value::Object;
use kis_spec::{ApiKind, ApiSpec, Field, Kind};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn specs() -> &'static [ApiSpec] {
    static S: OnceLock<Vec<ApiSpec>> = OnceLock::new();
    S.get_or_init(|| {
        let all = kis_spec::load_dir(&kis_spec::workspace_spec_dir()).expect("spec/ loads");
        all.into_iter()
            .filter(|s| s.kind == ApiKind::Rest)
            .collect()
    })
}

/// A small deterministic generator (the proptest case supplies the seed).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// True with probability 1/n.
    fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// What the decode must report for a generated body.
#[derive(Default)]
struct Expect {
    unknown: BTreeSet<String>,
    invalid: BTreeSet<(String, String)>,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// A valid wire value of `f`'s kind.
fn valid(f: &Field, rng: &mut Rng) -> String {
    match f.kind {
        Kind::Integer => match rng.below(4) {
            0 => "0".to_owned(),
            1 => format!("-{}", rng.below(1_000_000)),
            2 => format!("+{:08}", rng.below(1_000)), // parses; wire text kept verbatim
            _ => rng.below(10_000_000_000).to_string(),
        },
        Kind::Decimal => match rng.below(4) {
            0 => format!("{}.{:02}", rng.below(100_000), rng.below(100)),
            1 => format!("-{}.{}", rng.below(100), rng.below(10)),
            2 => "0012.50".to_owned(),
            _ => rng.below(1_000_000_000).to_string(),
        },
        Kind::Date => format!(
            "20{:02}{:02}{:02}",
            rng.below(40),
            1 + rng.below(12),
            1 + rng.below(28)
        ),
        Kind::Time => format!(
            "{:02}{:02}{:02}",
            rng.below(24),
            rng.below(60),
            rng.below(60)
        ),
        Kind::Flag => rng.pick(&["Y", "N"]).to_owned(),
        Kind::Code => match f.codes.get(rng.below(f.codes.len() as u64 + 1) as usize) {
            Some(c) => c.code.clone(),
            None => "ZZ".to_owned(), // an unlisted code is kept, not invalid
        },
        _ => rng
            .pick(&[
                "005930",
                "삼성전자",
                "a \"quoted\" \\ text",
                "KRX\n",
                "  ",
                "0",
            ])
            .to_owned(),
    }
}

/// A wire value of `f`'s kind that does not parse (`None` for kinds where everything parses).
fn invalid(f: &Field, rng: &mut Rng) -> Option<String> {
    let s = match f.kind {
        Kind::Integer => rng.pick(&["12a", "1.5", "--1", "1e3"]),
        Kind::Decimal => rng.pick(&["1_000", "abc", "1.2.3"]),
        Kind::Date => rng.pick(&["20261301", "2026-06-25", "2026062"]),
        // Hours run to 47 (night sessions): `480000` is out of range.
        Kind::Time => rng.pick(&["480000", "1530", "15:30:00"]),
        Kind::Flag => rng.pick(&["y", "YES", "1"]),
        _ => return None,
    };
    Some(s.to_owned())
}

/// Whether a JSON number's text (`5`, `1.5`) is a valid value of `kind`.
fn number_fits(kind: Kind, text: &str) -> bool {
    match kind {
        Kind::Integer => !text.contains('.'),
        Kind::Decimal | Kind::Code | Kind::String => true,
        _ => false,
    }
}

/// `name` with its ASCII case changed (`None` if it has no letter to change).
fn recase(name: &str) -> Option<String> {
    let flipped: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    (flipped != name).then_some(flipped)
}

/// The spec's fields of one object, each name once (as the generated struct has them).
fn dedup(fields: &[Field]) -> Vec<&Field> {
    let mut seen = BTreeSet::new();
    fields
        .iter()
        .filter(|f| seen.insert(f.name.clone()))
        .collect()
}

/// A random JSON object for a struct with `fields` at `path`.
fn object(fields: &[&Field], path: &str, rng: &mut Rng, exp: &mut Expect) -> Map<String, Value> {
    let mut m = Map::new();
    for f in fields {
        if rng.one_in(8) {
            continue; // absent
        }
        // Another spelling only when no other field of the object matches it ignoring case.
        let alone = fields
            .iter()
            .filter(|g| g.name.eq_ignore_ascii_case(&f.name))
            .count()
            == 1;
        let key = match recase(&f.name) {
            Some(k) if alone && rng.one_in(6) => k,
            _ => f.name.clone(),
        };
        let here = join(path, &key);
        let value = if f.is_block() {
            block(f, &here, rng, exp)
        } else if rng.one_in(15) {
            let v = [
                json!(5),
                Value::Null,
                json!([]),
                json!({"x": "1"}),
                json!(1.5),
            ][rng.below(5) as usize]
                .clone();
            match &v {
                // A JSON number fills a scalar with its text (invalid where the kind rejects
                // that text) and is written back as a number.
                Value::Number(n) => {
                    let text = n.to_string();
                    if !number_fits(f.kind, &text) {
                        exp.invalid.insert((here, text));
                    }
                }
                _ => {
                    exp.unknown.insert(here);
                }
            }
            v
        } else if rng.one_in(10) {
            Value::String(String::new())
        } else if let Some(bad) = invalid(f, rng).filter(|_| rng.one_in(6)) {
            exp.invalid.insert((here, bad.clone()));
            Value::String(bad)
        } else {
            Value::String(valid(f, rng))
        };
        m.insert(key, value);
    }
    for n in 0..rng.below(3) {
        if rng.one_in(3) {
            let key = format!("zz_new_field_{n}");
            exp.unknown.insert(join(path, &key));
            m.insert(key, json!("x"));
        }
    }
    m
}

/// A random value for block field `f` at `path`.
fn block(f: &Field, path: &str, rng: &mut Rng, exp: &mut Expect) -> Value {
    let cols = dedup(&f.fields);
    let row = |at: &str, rng: &mut Rng, exp: &mut Expect| {
        if cols.is_empty() {
            // Columns the spec does not list: kept, not reported.
            let mut m = Map::new();
            m.insert("col".to_owned(), json!(rng.below(100).to_string()));
            Value::Object(m)
        } else {
            Value::Object(object(&cols, at, rng, exp))
        }
    };
    match rng.below(10) {
        0 => {
            exp.unknown.insert(path.to_owned());
            [json!(""), Value::Null, json!([1, {"a": "b"}])][rng.below(3) as usize].clone()
        }
        1..=3 => row(path, rng, exp),
        _ => {
            let n = rng.below(4);
            Value::Array(
                (0..n)
                    .map(|i| row(&format!("{path}[{i}]"), rng, exp))
                    .collect(),
            )
        }
    }
}

/// The top-level fields of a response: the spec's, plus the common envelope.
fn top_fields(s: &ApiSpec) -> Vec<Field> {
    let mut top = s.response.body.clone();
    for name in ["msg1", "msg_cd", "rt_cd"] {
        if !top.iter().any(|f| f.name == name) {
            top.insert(
                0,
                Field {
                    name: name.to_owned(),
                    label: String::new(),
                    wire_type: "string".to_owned(),
                    kind: Kind::String,
                    sensitive: None,
                    required: false,
                    blank: false,
                    length: None,
                    codes: Vec::new(),
                    description: String::new(),
                    fields: Vec::new(),
                },
            );
        }
    }
    top
}

fn body(s: &ApiSpec, seed: u64) -> (Value, Expect) {
    let mut rng = Rng(seed | 1);
    let mut exp = Expect::default();
    let top = top_fields(s);
    let m = object(&dedup(&top), "", &mut rng, &mut exp);
    (Value::Object(m), exp)
}

fn sorted<T: Ord>(v: Vec<T>) -> BTreeSet<T> {
    v.into_iter().collect()
}

/// Decodes `text` straight from the bytes as `T` and checks it like the table's decode.
fn from_bytes<T: serde::de::DeserializeOwned + serde::Serialize + Object>(
    input: &Value,
    exp: &Expect,
) -> Result<(), TestCaseError> {
    let text = serde_json::to_string(input).expect("serialize");
    let r: T = kis_client::decode(text.as_bytes(), "test").expect("decodes");
    prop_assert_eq!(&Value::Object(r.to_map()), input);
    prop_assert_eq!(&serde_json::to_value(&r).expect("serialize"), input);
    prop_assert_eq!(sorted(r.unknown_fields()), exp.unknown.clone());
    prop_assert_eq!(sorted(r.invalid_fields()), exp.invalid.clone());
    Ok(())
}

#[test]
fn the_spec_is_loaded() {
    assert!(specs().len() > 250, "{} REST specs", specs().len());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn spec_bodies_decode_round_trip_and_report_exactly(
        which in any::<prop::sample::Index>(),
        seed in any::<u64>(),
    ) {
        let s = &specs()[which.index(specs().len())];
        let (input, exp) = body(s, seed);
        let d = decode_by_id(&s.category, &s.id, input.clone());
        prop_assert!(d.is_ok(), "{}/{}: {:?}", s.category, s.id, d.err());
        let d = d.unwrap();
        prop_assert_eq!(&d.decoded, &input, "{}/{}", s.category, s.id);
        prop_assert_eq!(sorted(d.unknown_fields), exp.unknown, "{}/{}", s.category, s.id);
        prop_assert_eq!(sorted(d.invalid_fields), exp.invalid, "{}/{}", s.category, s.id);
    }

    #[test]
    fn spec_bodies_decode_from_bytes(which in 0usize..5, seed in any::<u64>()) {
        use kis_client::api::domestic_stock::{
            EstimatePerformResponse, InquireBalanceResponse, InquireDailyItemchartpriceResponse,
            InquirePriceResponse, OrderCashResponse,
        };
        let id = ["inquire_balance", "inquire_daily_itemchartprice", "estimate_perform",
            "order_cash", "inquire_price"][which];
        let s = specs()
            .iter()
            .find(|s| s.category == "domestic_stock" && s.id == id)
            .expect("endpoint in spec/");
        let (input, exp) = body(s, seed);
        match which {
            0 => from_bytes::<InquireBalanceResponse>(&input, &exp)?,
            1 => from_bytes::<InquireDailyItemchartpriceResponse>(&input, &exp)?,
            2 => from_bytes::<EstimatePerformResponse>(&input, &exp)?,
            3 => from_bytes::<OrderCashResponse>(&input, &exp)?,
            _ => from_bytes::<InquirePriceResponse>(&input, &exp)?,
        }
    }
}

/// KIS spells some keys differently in case from the workbook (`ODNO` / `odno`): either
/// spelling fills the field, and the write-back keeps the one received.
#[test]
fn mis_cased_keys_fill_the_field_and_keep_their_spelling() {
    use kis_client::api::domestic_stock::OrderCashResponse;
    for key in ["ODNO", "odno", "Odno"] {
        let text = format!(
            r#"{{"rt_cd":"0","msg_cd":"APBK0013","msg1":"ok","output":{{"{key}":"0000117057","ORD_TMD":"131438","KRX_FWDG_ORD_ORGNO":"91252"}}}}"#
        );
        let r: OrderCashResponse = kis_client::decode(text.as_bytes(), "order_cash").expect("ok");
        let out = r.output.get().expect("output");
        assert_eq!(out.odno.raw(), "0000117057", "{key}");
        assert!(
            r.unknown_fields().is_empty(),
            "{key}: {:?}",
            r.unknown_fields()
        );
        let back = serde_json::to_string(&r).expect("serialize");
        let again: Value = serde_json::from_str(&back).expect("json");
        assert_eq!(again, serde_json::from_str::<Value>(&text).expect("json"));
    }
}

/// A decode error names the JSON path (computed only when decoding fails).
#[test]
fn decode_errors_name_the_path() {
    use kis_client::api::domestic_stock::InquireBalanceResponse;
    let body = br#"{"rt_cd":"0","output1":[{"pdno":"005930"},{"pdno":"000660","hldg_qty":}]}"#;
    let e = kis_client::decode::<InquireBalanceResponse>(body, "inquire_balance").unwrap_err();
    match e {
        kis_client::Error::Decode { path, .. } => assert_eq!(path, "output1[1].hldg_qty"),
        other => panic!("{other:?}"),
    }
    let e = kis_client::decode::<InquireBalanceResponse>(b"[1]", "inquire_balance").unwrap_err();
    assert!(matches!(e, kis_client::Error::Decode { .. }), "{e:?}");
}
