//! Every REST endpoint of the embedded `spec/` answers a well-formed request with HTTP 200,
//! `rt_cd` "0" and the blocks its spec lists, in every environment its TR IDs exist in.

use kis_mock::{Catalog, Fill, Holding, MockConfig, MockEnv, MockServer};
use kis_spec::{ApiKind, ApiSpec, Field, Kind, Method};
use serde_json::{Map, Value, json};

use crate::common::*;

fn mock_config(env: MockEnv) -> MockConfig {
    let base = match env {
        MockEnv::Real => MockConfig::default(),
        MockEnv::Paper => MockConfig::paper(),
    };
    MockConfig {
        rate_limit_per_sec: None,
        token_issue_window: std::time::Duration::ZERO,
        fill: Fill::Never,
        initial_cash: 1_000_000_000_000,
        initial_holdings: vec![Holding {
            code: "005930".into(),
            qty: 1_000_000,
            avg_price: 1000,
        }],
        data_interval: None,
        ..base
    }
}

/// A valid value for a request field, chosen by name first, then by kind (independent of the
/// mock's own synthesizer).
fn value(field: &Field, odno: &str, symbol: &str) -> Value {
    let by_name = match field.name.to_ascii_uppercase().as_str() {
        "CANO" => Some("12345678"),
        "ACNT_PRDT_CD" => Some("01"),
        "PDNO" | "OVRS_PDNO" | "SYMB" | "ITEM_CD" => Some(symbol),
        "ORD_QTY" => Some("1"),
        // A market order: valid whatever the simulated price is.
        "ORD_UNPR" => Some("0"),
        "ORD_DVSN" => Some("01"),
        "ORGN_ODNO" => Some(odno),
        "RVSE_CNCL_DVSN_CD" => Some("02"),
        "QTY_ALL_ORD_YN" => Some("Y"),
        name if name.starts_with("CTX_AREA") => Some(""),
        _ => None,
    };
    if let Some(v) = by_name {
        return json!(v);
    }
    match field.kind {
        Kind::Code => json!(field.codes.first().map(|c| c.code.as_str()).unwrap_or("")),
        Kind::Date => json!("20260624"),
        Kind::Time => json!("090000"),
        Kind::Flag => json!("N"),
        Kind::Integer => json!("1"),
        Kind::Decimal => json!("1.5"),
        Kind::String => json!(""),
        Kind::Object => Value::Object(fields(&field.fields, odno, symbol)),
        Kind::Array => json!([Value::Object(fields(&field.fields, odno, symbol))]),
    }
}

fn fields(list: &[Field], odno: &str, symbol: &str) -> Map<String, Value> {
    list.iter()
        .map(|f| (f.name.clone(), value(f, odno, symbol)))
        .collect()
}

/// Places an open buy order through the spec's own order-cash TR for this env.
async fn open_order(mock: &MockServer, catalog: &Catalog, token: &str, env: MockEnv) -> String {
    let Some(spec) = catalog
        .specs()
        .iter()
        .find(|s| s.path == "/uapi/domestic-stock/v1/trading/order-cash")
    else {
        return String::new();
    };
    let Some(tr) = spec
        .variants
        .iter()
        .filter(|v| v.name.contains("buy"))
        .find_map(|v| match env {
            MockEnv::Real => v.real.clone(),
            MockEnv::Paper => v.paper.clone(),
        })
    else {
        return String::new();
    };
    let body = json!({"CANO": "12345678", "ACNT_PRDT_CD": "01", "PDNO": "005930", "ORD_DVSN": "01", "ORD_QTY": "5", "ORD_UNPR": "0"});
    let (_, answer) = post(mock, token, &spec.path, &tr, body).await;
    answer["output"]["ODNO"].as_str().unwrap_or("").to_owned()
}

async fn check(
    mock: &MockServer,
    token: &str,
    spec: &ApiSpec,
    tr: &str,
    odno: &str,
) -> Result<(), String> {
    let params = match spec.method {
        Method::Get => &spec.request.query,
        Method::Post => &spec.request.body,
    };
    // A product of the universe in the endpoint's market (US for overseas endpoints).
    let symbol = if spec.category.starts_with("overseas") {
        "AAPL"
    } else {
        "005930"
    };
    let params = fields(params, odno, symbol);
    let (status, body) = match spec.method {
        Method::Get => {
            let query: Vec<(String, String)> = params
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
                .collect();
            let res = call(mock, token, reqwest::Method::GET, &spec.path, tr)
                .query(&query)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            (
                res.status().as_u16(),
                res.json::<Value>().await.map_err(|e| e.to_string())?,
            )
        }
        Method::Post => post(mock, token, &spec.path, tr, Value::Object(params)).await,
    };
    if status != 200 || body["rt_cd"] != "0" {
        return Err(format!("HTTP {status} {body}"));
    }
    for block in spec.response.body.iter().filter(|f| f.is_block()) {
        let got = &body[&block.name];
        let ok = match block.kind {
            Kind::Object => got.is_object(),
            _ => got.is_array(),
        };
        if !ok {
            return Err(format!("block {} is {got}", block.name));
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rest_endpoint_answers_a_well_formed_request() {
    let catalog = Catalog::bundled();
    assert_eq!(catalog.error(), None);
    let on_disk = kis_spec::load_dir(&kis_spec::workspace_spec_dir()).expect("spec/ loads");
    assert_eq!(
        catalog.specs().len(),
        on_disk.len(),
        "the embedded bundle is stale: rebuild kis-mock"
    );
    let mut tested = 0;
    let mut failures = Vec::new();
    for env in [MockEnv::Real, MockEnv::Paper] {
        let mock = start(mock_config(env)).await;
        let token = token(&mock).await;
        for spec in catalog.specs().iter().filter(|s| s.kind == ApiKind::Rest) {
            if spec.path.starts_with("/oauth2/") || spec.path == "/uapi/hashkey" {
                continue;
            }
            // Overseas and futures/options orders trade their own products in their own
            // sessions (overseas.rs, derivatives.rs); refusing this stock request is right.
            let stateful = [
                "/uapi/overseas-stock/v1/trading/",
                "/uapi/domestic-futureoption/v1/trading/",
            ]
            .iter()
            .filter_map(|prefix| spec.path.strip_prefix(prefix))
            .any(|op| matches!(op, "order" | "order-rvsecncl"));
            if stateful {
                continue;
            }
            for variant in &spec.variants {
                let tr = match env {
                    MockEnv::Real => variant.real.as_deref(),
                    MockEnv::Paper => variant.paper.as_deref(),
                };
                let Some(tr) = tr else { continue };
                let odno = if spec.path.ends_with("/order-rvsecncl") {
                    open_order(&mock, &catalog, &token, env).await
                } else {
                    String::new()
                };
                tested += 1;
                if let Err(e) = check(&mock, &token, spec, tr, &odno).await {
                    failures.push(format!("{env:?} {}/{} {tr}: {e}", spec.category, spec.id));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {tested} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    if !catalog.specs().is_empty() {
        assert!(tested > 0);
    }
    eprintln!("{tested} endpoint/variant/env combinations answered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_realtime_tr_subscribes_and_streams_its_layout() {
    let catalog = Catalog::bundled();
    let mut tested = 0;
    let mut failures = Vec::new();
    for env in [MockEnv::Real, MockEnv::Paper] {
        let mock = start(MockConfig {
            data_interval: Some(std::time::Duration::from_millis(5)),
            ..mock_config(env)
        })
        .await;
        let approval = mock.approval_key();
        let mut ws = connect(&mock).await;
        for spec in catalog
            .specs()
            .iter()
            .filter(|s| s.kind == ApiKind::Realtime)
        {
            let encrypted = spec.realtime.as_ref().is_some_and(|r| r.encrypted);
            let columns = spec.response.body.iter().filter(|f| !f.is_block()).count();
            let trs: Vec<&str> = spec
                .variants
                .iter()
                .filter_map(|v| match env {
                    MockEnv::Real => v.real.as_deref(),
                    MockEnv::Paper => v.paper.as_deref(),
                })
                .collect();
            for tr in trs {
                tested += 1;
                let key = if encrypted { "mockuser" } else { "005930" };
                let ack = subscribe(&mut ws, &approval, tr, key).await;
                if ack["body"]["msg_cd"] != "OPSP0000" {
                    failures.push(format!("{env:?} {tr}: {ack}"));
                    continue;
                }
                if !encrypted {
                    let frame = next_frame(&mut ws).await;
                    let parts: Vec<&str> = frame.splitn(4, '|').collect();
                    let n: usize = parts[2].parse().unwrap_or(0);
                    let fields = parts[3].split('^').count();
                    if parts[1] != tr || n == 0 || fields != n * columns {
                        failures.push(format!("{env:?} {tr}: {columns} columns, frame {frame}"));
                    }
                }
                send(&mut ws, subscribe_msg(&approval, "2", tr, key)).await;
                let ack = next_ack(&mut ws).await;
                if ack["body"]["msg_cd"] != "OPSP0001" {
                    failures.push(format!("{env:?} {tr} unsubscribe: {ack}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {tested} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{tested} realtime TR/env combinations subscribed");
}
