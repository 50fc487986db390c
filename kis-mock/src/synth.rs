//! Values and response bodies shaped by the spec: from the workbook example where its values fit
//! the field kinds, synthesized from the kinds otherwise.

use kis_spec::{ApiSpec, Field, Kind};
use serde_json::{Map, Value};

/// A plausible wire value (always a string, as KIS sends them) for a scalar field.
pub fn scalar(field: &Field, row: usize) -> String {
    let lower = field.name.to_ascii_lowercase();
    match field.kind {
        Kind::Integer => {
            if lower.contains("qty") {
                (10 + row).to_string()
            } else {
                (70_000 + 100 * row).to_string()
            }
        }
        Kind::Decimal => format!("{}.{:02}", 12 + row, 34),
        Kind::Date => "20260624".into(),
        Kind::Time => format!("0930{:02}", row % 60),
        Kind::Flag => "Y".into(),
        Kind::Code => field
            .codes
            .first()
            .map(|c| c.code.clone())
            .unwrap_or_default(),
        Kind::String | Kind::Object | Kind::Array => plausible_text(&lower, field),
    }
}

fn plausible_text(lower: &str, field: &Field) -> String {
    let max = field
        .length
        .as_deref()
        .and_then(|l| l.split('.').next())
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(usize::MAX);
    let text = if lower.ends_with("iscd") || lower == "pdno" || lower.ends_with("_pdno") {
        "005930"
    } else if lower.contains("name") || lower.contains("isnm") || lower.ends_with("_nm") {
        "삼성전자"
    } else {
        "A"
    };
    if text.chars().count() > max && max > 0 {
        text.chars().take(max).collect()
    } else {
        text.into()
    }
}

/// Whether a wire value is acceptable for a field of this kind (empty strings are, as KIS sends
/// them often).
pub fn fits(field: &Field, value: &str) -> bool {
    if value.is_empty() {
        return true;
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = value.trim_start_matches(['+', '-']);
    match field.kind {
        Kind::Integer => digits(unsigned),
        Kind::Decimal => match unsigned.split_once('.') {
            Some((int, frac)) => digits(int) && (frac.is_empty() || digits(frac)),
            None => digits(unsigned),
        },
        Kind::Date => value.len() == 8 && digits(value),
        Kind::Time => value.len() == 6 && digits(value),
        Kind::Flag => value == "Y" || value == "N",
        Kind::Code => field.codes.is_empty() || field.codes.iter().any(|c| c.code == value),
        Kind::String => true,
        Kind::Object | Kind::Array => false,
    }
}

/// One record of a block: each field from `example` when it fits, synthesized otherwise.
pub fn record(
    fields: &[Field],
    example: Option<&Map<String, Value>>,
    row: usize,
) -> Map<String, Value> {
    let mut out = Map::new();
    for field in fields {
        let ex = example.and_then(|e| lookup(e, &field.name));
        let value = match field.kind {
            Kind::Object => Value::Object(record(&field.fields, first_record(ex), row)),
            Kind::Array => Value::Array(vec![Value::Object(record(
                &field.fields,
                first_record(ex),
                row,
            ))]),
            _ => match ex {
                Some(Value::String(s)) if fits(field, s) => Value::String(s.clone()),
                _ => Value::String(scalar(field, row)),
            },
        };
        out.insert(field.name.clone(), value);
    }
    out
}

/// A field of a JSON object by name, exact first, then ignoring ASCII case.
pub fn lookup<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object.get(name).or_else(|| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// A mutable field of a JSON object by name, exact first, then ignoring ASCII case.
pub fn lookup_mut<'a>(object: &'a mut Map<String, Value>, name: &str) -> Option<&'a mut Value> {
    let key = object
        .keys()
        .find(|k| k.as_str() == name)
        .or_else(|| object.keys().find(|k| k.eq_ignore_ascii_case(name)))?
        .clone();
    object.get_mut(&key)
}

/// Sets a field, replacing a key that matches ignoring ASCII case (keeping its spelling).
pub fn set(object: &mut Map<String, Value>, name: &str, value: impl Into<String>) {
    let key = object
        .keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .cloned()
        .unwrap_or_else(|| name.to_owned());
    object.insert(key, Value::String(value.into()));
}

fn first_record(value: Option<&Value>) -> Option<&Map<String, Value>> {
    match value? {
        Value::Object(o) => Some(o),
        Value::Array(a) => a.first().and_then(Value::as_object),
        _ => None,
    }
}

/// How many records an example block has (an object is one).
fn example_rows(value: Option<&Value>) -> usize {
    match value {
        Some(Value::Array(a)) => a.len().max(1),
        Some(_) => 1,
        None => 0,
    }
}

fn nth_record(value: Option<&Value>, n: usize) -> Option<&Map<String, Value>> {
    match value? {
        Value::Object(o) => Some(o),
        Value::Array(a) if !a.is_empty() => a[n % a.len()].as_object(),
        _ => None,
    }
}

/// A successful response body for `spec`: `rt_cd` "0", blocks shaped as the spec says (arrays
/// with `rows` records, numbered from `first_row`), values from `example` where they fit.
pub fn body(
    spec: &ApiSpec,
    example: Option<&Value>,
    rows: usize,
    first_row: usize,
) -> Map<String, Value> {
    let example = example.and_then(Value::as_object);
    let mut out = Map::new();
    for field in &spec.response.body {
        let ex = example.and_then(|e| lookup(e, &field.name));
        let value = match field.kind {
            Kind::Object => Value::Object(record(&field.fields, first_record(ex), first_row)),
            Kind::Array => Value::Array(
                (0..rows)
                    .map(|i| {
                        // Rows past the example's own are synthesized, so that pages differ.
                        let n = first_row + i;
                        let ex = nth_record(ex, n).filter(|_| n < example_rows(ex));
                        Value::Object(record(&field.fields, ex, n))
                    })
                    .collect(),
            ),
            _ => Value::String(match field.name.as_str() {
                "rt_cd" => "0".into(),
                "msg_cd" => example_str(example, "msg_cd").unwrap_or("MCA00000").into(),
                "msg1" => example_str(example, "msg1")
                    .unwrap_or("정상처리 되었습니다.")
                    .into(),
                _ => match ex {
                    Some(Value::String(s)) if fits(field, s) => s.clone(),
                    _ => scalar(field, first_row),
                },
            }),
        };
        out.insert(field.name.clone(), value);
    }
    for key in ["rt_cd", "msg_cd", "msg1"] {
        if !out.contains_key(key) {
            let value = match key {
                "rt_cd" => "0",
                "msg_cd" => "MCA00000",
                _ => "정상처리 되었습니다.",
            };
            out.insert(key.into(), Value::String(value.into()));
        }
    }
    out
}

fn example_str<'a>(example: Option<&'a Map<String, Value>>, key: &str) -> Option<&'a str> {
    let ok = example.and_then(|e| e.get("rt_cd")).and_then(Value::as_str) == Some("0");
    if ok {
        example?.get(key)?.as_str().filter(|s| !s.is_empty())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kis_spec::Code;
    use proptest::prelude::*;

    fn field(name: &str, kind: Kind) -> Field {
        Field {
            name: name.into(),
            label: String::new(),
            wire_type: "string".into(),
            kind,
            sensitive: None,
            required: false,
            blank: false,
            length: None,
            codes: vec![],
            description: String::new(),
            fields: vec![],
        }
    }

    #[test]
    fn synthesized_values_fit_their_kind() {
        let mut code = field("FID", Kind::Code);
        code.codes = vec![Code {
            code: "J".into(),
            label: "KRX".into(),
            retired: None,
        }];
        for f in [
            field("hldg_qty", Kind::Integer),
            field("prdy_ctrt", Kind::Decimal),
            field("bsop_date", Kind::Date),
            field("stck_cntg_hour", Kind::Time),
            field("yn", Kind::Flag),
            code,
            field("prdt_name", Kind::String),
        ] {
            for row in 0..100 {
                assert!(fits(&f, &scalar(&f, row)), "{} {row}", f.name);
            }
        }
    }

    #[test]
    fn example_values_are_used_only_when_they_fit() {
        let fields = vec![
            field("stck_prpr", Kind::Integer),
            field("hts_kor_isnm", Kind::String),
        ];
        let example = serde_json::json!({"stck_prpr": "-", "hts_kor_isnm": "카카오"});
        let rec = record(&fields, example.as_object(), 0);
        assert_eq!(rec["stck_prpr"], "70000");
        assert_eq!(rec["hts_kor_isnm"], "카카오");
    }

    proptest! {
        #[test]
        fn fits_never_panics(s in ".*") {
            for kind in [Kind::Integer, Kind::Decimal, Kind::Date, Kind::Time, Kind::Flag, Kind::Code, Kind::String] {
                let _ = fits(&field("x", kind), &s);
            }
        }

        #[test]
        fn integers_fit_integer(n in any::<i64>()) {
            prop_assert!(fits(&field("x", Kind::Integer), &n.to_string()));
        }
    }
}
