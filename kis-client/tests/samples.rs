//! Every request shape the official Python samples send (`tests/data/sample_requests.jsonl`,
//! mined from koreainvestment/open-trading-api by `tests/data/mine_samples.py`: values only,
//! blanks included) validates unchanged through the by-name path, which shares its tables
//! and validator with `Client::send`.
#![cfg(feature = "all")]

use kis_client::Env;
use kis_client::request;
use serde_json::{Map, Value};

const CORPUS: &str = include_str!("data/sample_requests.jsonl");

/// The configured account fields the samples read from `kis_devlp.yaml`.
fn config_value(key: &str) -> &'static str {
    match key {
        "my_acct" | "my_acct_stock" | "my_acct_future" | "my_paper_stock" | "my_paper_future" => {
            "12345678"
        }
        "my_prod" => "01",
        _ => "myhtsid",
    }
}

#[test]
fn every_official_sample_request_validates_unchanged() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for line in CORPUS.lines().filter(|l| !l.trim().is_empty()) {
        let sample: Value = serde_json::from_str(line).expect("corpus line is JSON");
        let path = sample["path"].as_str().expect("path");
        let env = if sample["env"] == "demo" {
            Env::Paper
        } else {
            Env::Real
        };
        let Some(info) = request::endpoints().find(|i| i.path == path) else {
            failures.push(format!("{path}: no endpoint with this path"));
            continue;
        };
        if info.fields.iter().any(|m| m.wire.contains("...")) {
            // The workbook writes a numbered series as one row (`SRS_CD_02...`): not a field
            // name KIS knows, so its samples cannot be checked field by field.
            continue;
        }
        let trs: Vec<&str> = sample["tr_ids"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let variant = info
            .variants
            .iter()
            .find(|(_, t)| t.for_env(env).is_some_and(|tr| trs.contains(&tr)))
            .or_else(|| info.variants.iter().find(|(_, t)| t.for_env(env).is_some()))
            .map_or("", |v| v.0);
        let mut params = Map::new();
        for (k, v) in sample["params"].as_object().expect("params") {
            let v = match v {
                Value::Object(o) => {
                    config_value(o["from_config"].as_str().unwrap_or_default()).to_owned()
                }
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            params.insert(k.clone(), Value::String(v));
        }
        let id = format!("{}/{}", info.category, info.id);
        match request::build(&id, variant, env, None, &params) {
            Ok(raw) => {
                assert!(!raw.path.is_empty());
                checked += 1;
            }
            Err(e) => failures.push(format!("{} ({id} {variant}): {e}", sample["source"])),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} official sample requests refused:\n{}",
        failures.len(),
        checked + failures.len(),
        failures.join("\n")
    );
    assert!(checked >= 200, "only {checked} sample requests checked");
}
