//! The workbook's own response examples against the generated types: decoding every valid (and
//! repaired) REST response example loses no value — every key maps to a field of the spec, every
//! value parses into its field's type, and writing it back gives the original JSON — and no
//! field whose example values are all numbers is left as text, except where the import report
//! says why (`numeric-text-kept`: identifiers, codes, calendar values).

use kis_spec::{ApiKind, ApiSpec, ExampleStatus, Field, Kind};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn spec_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

fn examples() -> Vec<(ApiSpec, Value)> {
    let dir = spec_dir();
    let specs = kis_spec::load_dir(&dir).expect("spec/ loads");
    let mut out = Vec::new();
    for s in specs {
        let Some(ex) = &s.examples.response else {
            continue;
        };
        if s.kind != ApiKind::Rest
            || !matches!(ex.status, ExampleStatus::Valid | ExampleStatus::Repaired)
        {
            continue;
        }
        let file = dir.join(&s.category).join(&ex.file);
        let body: Value = serde_json::from_str(&std::fs::read_to_string(&file).expect("read"))
            .expect("a valid example is JSON");
        out.push((s, body));
    }
    out
}

#[test]
fn every_example_value_lands_in_a_typed_field_and_round_trips() {
    // Examples the import report lists as defective (`example-key`, unhandled: e.g. a block
    // written column-wise) may hold keys no field takes; every other key must land in a field.
    let report = std::fs::read_to_string(spec_dir().join("IMPORT_REPORT.md")).expect("report");
    let defects: BTreeSet<String> = report
        .lines()
        .filter(|l| l.contains("| example-key |") && l.ends_with("| **unhandled** |"))
        .filter_map(|l| l.split('`').nth(1).map(str::to_owned))
        .collect();
    assert!(defects.len() <= 2, "example defects grew: {defects:?}");
    let mut checked = 0;
    let mut failures = Vec::new();
    for (s, body) in examples() {
        let d = match kis_client::decode::decode_by_id(&s.category, &s.id, body.clone()) {
            Ok(d) => d,
            Err(e) => {
                failures.push(format!("{}: {e}", s.path));
                continue;
            }
        };
        checked += 1;
        if d.decoded != body {
            failures.push(format!(
                "{}: the write-back differs from the example",
                s.path
            ));
        }
        if !d.unknown_fields.is_empty() && !defects.contains(&s.path) {
            failures.push(format!(
                "{}: keys no field holds: {:?}",
                s.path, d.unknown_fields
            ));
        }
        // KIS's blanks: padding and the all-zero "no date" stay raw (kept, written back).
        let rejected: Vec<_> = d
            .invalid_fields
            .iter()
            .filter(|(_, raw)| !(raw.trim().is_empty() || raw == "00000000"))
            .collect();
        if !rejected.is_empty() {
            failures.push(format!(
                "{}: values their field's type rejects: {rejected:?}",
                s.path
            ));
        }
    }
    assert!(checked >= 200, "only {checked} examples checked");
    assert!(
        failures.is_empty(),
        "{} of {checked} examples:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// `(API path, field name)` pairs the import report lists as numeric-looking text kept on
/// purpose.
fn kept_as_text() -> BTreeSet<(String, String)> {
    let report = std::fs::read_to_string(spec_dir().join("IMPORT_REPORT.md")).expect("report");
    report
        .lines()
        .filter(|l| l.contains("rule `numeric-text-kept`"))
        .filter_map(|l| {
            let mut cells = l.split('|').map(str::trim);
            cells.next();
            let api = cells.next()?.trim_matches('`').to_owned();
            cells.next();
            let msg = cells.next()?;
            let name = msg.strip_prefix('`')?.split('`').next()?.to_owned();
            Some((api, name))
        })
        .collect()
}

fn is_number(v: &Value) -> bool {
    match v {
        Value::Number(_) => true,
        Value::String(s) => {
            let t = s.trim();
            let u = t.strip_prefix(['-', '+']).unwrap_or(t);
            let (int, frac) = u.split_once('.').unwrap_or((u, "0"));
            !int.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

fn is_blank(v: &Value) -> bool {
    v.as_str().is_some_and(|s| s.trim().is_empty())
}

/// Text fields whose example values are all numbers (at least one non-blank).
fn numeric_text(
    api: &str,
    fields: &[Field],
    rows: &[&serde_json::Map<String, Value>],
    out: &mut Vec<(String, String, String)>,
) {
    for f in fields {
        if f.is_block() {
            let mut sub = Vec::new();
            for r in rows {
                match r.get(&f.name) {
                    Some(Value::Object(o)) => sub.push(o),
                    Some(Value::Array(a)) => sub.extend(a.iter().filter_map(Value::as_object)),
                    _ => {}
                }
            }
            numeric_text(api, &f.fields, &sub, out);
            continue;
        }
        let values: Vec<&Value> = rows.iter().filter_map(|r| r.get(&f.name)).collect();
        let typed_as_text = f.kind == Kind::String;
        if typed_as_text
            && values.iter().any(|v| !is_blank(v))
            && values.iter().all(|v| is_blank(v) || is_number(v))
        {
            let first = values.iter().find(|v| !is_blank(v)).expect("one");
            out.push((api.to_owned(), f.name.clone(), first.to_string()));
        }
    }
}

#[test]
fn no_numeric_example_field_is_left_as_text_without_a_reason() {
    let kept = kept_as_text();
    assert!(
        !kept.is_empty(),
        "the report lists the text kept on purpose"
    );
    let envelope = ["rt_cd", "msg_cd", "msg1"];
    let mut found = Vec::new();
    for (s, body) in examples() {
        let Some(map) = body.as_object() else {
            continue;
        };
        numeric_text(&s.path, &s.response.body, &[map], &mut found);
    }
    let unexplained: Vec<_> = found
        .iter()
        .filter(|(api, name, _)| {
            !envelope.contains(&name.as_str())
                && !name.starts_with("ctx_area")
                && !kept.contains(&(api.clone(), name.clone()))
        })
        .collect();
    eprintln!(
        "{} text fields with numeric examples, all explained by the import report",
        found.len()
    );
    assert!(
        unexplained.is_empty(),
        "{} numeric-valued fields typed as text without a reason:\n{:#?}",
        unexplained.len(),
        unexplained
    );
}

#[test]
fn json_numbers_from_oauth_decode_as_numbers() {
    let d = kis_client::decode::decode_by_id(
        "oauth",
        "tokenp",
        serde_json::json!({"access_token": "x", "token_type": "Bearer", "expires_in": 86400,
            "access_token_token_expired": "2026-06-26 08:16:59"}),
    )
    .expect("decodes");
    assert!(d.unknown_fields.is_empty(), "{:?}", d.unknown_fields);
    assert_eq!(d.decoded["expires_in"], serde_json::json!(86400));
    let r: kis_client::api::oauth::TokenpResponse =
        serde_json::from_value(serde_json::json!({"expires_in": 86400, "access_token": "x"}))
            .expect("decodes");
    assert_eq!(r.expires_in.get(), Some(&86400));
    let r: kis_client::api::oauth::RevokepResponse =
        serde_json::from_value(serde_json::json!({"code": 200, "message": "ok"})).expect("decodes");
    assert_eq!(r.code.get(), Some(&200));
}

/// A float where KIS sends text is written back as the same number, to the last bit (found by
/// `fuzz_responses`: `9.310525627814289e-104` came back one unit in the last place off, because
/// serde_json parsed its own shortest rendering with a fast, not always correctly rounded,
/// algorithm; kis-client now turns on serde_json's `float_roundtrip`).
#[test]
fn json_floats_in_text_fields_write_back_to_the_same_number() {
    for x in [
        9.310525627814289e-104,
        0.1,
        f64::MAX,
        f64::MIN_POSITIVE,
        5e-324,
        123456789.12345678,
        -2.5e17,
    ] {
        let mut original = serde_json::json!({"rt_cd": "0", "msg_cd": "MCA00000"});
        original["msg1"] = serde_json::Number::from_f64(x).expect("finite").into();
        let d =
            kis_client::decode::decode_by_id("domestic_stock", "exp_total_index", original.clone())
                .expect("decodes");
        assert_eq!(d.decoded["msg1"].as_f64(), Some(x), "{x:e}");
    }
}
