//! By-name requests for tools, scripts and agents: reads JSON lines from stdin, builds and
//! validates each request exactly as `Client::send` would, and writes one JSON line per input
//! line. Sends nothing.
//!
//! ```text
//! echo '{"endpoint": "domestic_stock/order_cash", "variant": "buy", "env": "real", "account": "12345678-01",
//!        "params": {"PDNO": "005930", "ORD_DVSN": "00", "ORD_QTY": "10", "ORD_UNPR": "70000"}}' \
//!   | cargo run -p kis-client --example request
//! {"ok":true,"method":"POST","path":"/uapi/domestic-stock/v1/trading/order-cash","tr_id":"TTTC0012U","params":{...}}
//! ```
//!
//! A refusal: `{"ok": false, "error": {"kind": "invalid_request" | "not_on_paper" | "not_on_real"
//! | "unknown_endpoint" | "unknown_variant", "field": "<WIRE_NAME or null>", "message": "..."}}`.
//! `env` is `real` or `paper` (default `real`); `endpoint` is `category/id`, the URL path
//! (`/uapi/domestic-stock/v1/trading/order-cash`) or a TR ID (`TTTC0012U`, which also picks
//! the variant); `variant` may be omitted for single-variant endpoints and TR IDs; numeric
//! parameters may be JSON numbers (`"ORD_QTY": 10`); account fields come from `account` when
//! `params` omit them.

use std::io::{BufRead, Write};

use kis_client::request::{self, NamedError};
use kis_client::{Account, Env, RawRequest};
use serde_json::{Map, Value, json};

fn refusal(kind: &str, field: Option<&str>, message: String) -> Value {
    json!({"ok": false, "error": {"kind": kind, "field": field, "message": message}})
}

fn from_error(e: NamedError) -> Value {
    refusal(e.kind.as_str(), e.field.as_deref(), e.message)
}

fn answer(raw: &RawRequest) -> Value {
    let params: Map<String, Value> = match &raw.body {
        Some(body) => serde_json::from_slice(body).unwrap_or_default(),
        None => raw
            .query
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    };
    let method = match raw.method {
        kis_client::endpoint::HttpMethod::Get => "GET",
        kis_client::endpoint::HttpMethod::Post => "POST",
    };
    json!({"ok": true, "method": method, "path": raw.path, "tr_id": raw.tr_id, "params": params})
}

/// One input line to one output value. Never panics.
fn handle(line: &str) -> Value {
    let input: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => return refusal("invalid_request", None, format!("not JSON: {e}")),
    };
    let Some(obj) = input.as_object() else {
        return refusal("invalid_request", None, "expected a JSON object".to_owned());
    };
    let text = |k: &str| obj.get(k).and_then(Value::as_str);
    let Some(endpoint) = text("endpoint") else {
        return refusal(
            "unknown_endpoint",
            None,
            "`endpoint` (category/id) is missing".to_owned(),
        );
    };
    let env = match text("env").unwrap_or("real") {
        "real" | "prod" => Env::Real,
        "paper" | "demo" | "vps" => Env::Paper,
        other => {
            return refusal(
                "invalid_request",
                None,
                format!("`env` must be real or paper, not `{other}`"),
            );
        }
    };
    let account = match text("account") {
        None => None,
        Some(a) => match Account::parse(a) {
            Some(a) => Some(a),
            None => {
                return refusal(
                    "invalid_request",
                    Some("CANO"),
                    "`account` must be 8 digits, a dash and 2 digits (12345678-01)".to_owned(),
                );
            }
        },
    };
    let empty = Map::new();
    let params = match obj.get("params") {
        None => &empty,
        Some(Value::Object(m)) => m,
        Some(_) => {
            return refusal(
                "invalid_request",
                None,
                "`params` must be an object".to_owned(),
            );
        }
    };
    match request::build(
        endpoint,
        text("variant").unwrap_or(""),
        env,
        account.as_ref(),
        params,
    ) {
        Ok(raw) => answer(&raw),
        Err(e) => from_error(e),
    }
}

fn main() {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let v = handle(&line);
        if writeln!(out, "{v}").is_err() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::handle;

    #[test]
    fn the_issue_example_and_refusals() {
        let ok = handle(
            r#"{"endpoint": "domestic_stock/order_cash", "variant": "buy", "env": "real", "account": "12345678-01", "params": {"PDNO": "005930", "ORD_DVSN": "00", "ORD_QTY": "10", "ORD_UNPR": "70000"}}"#,
        );
        assert_eq!(ok["ok"], true, "{ok}");
        assert_eq!(ok["tr_id"], "TTTC0012U");
        assert_eq!(ok["method"], "POST");
        assert_eq!(ok["params"]["CANO"], "12345678");
        assert_eq!(ok["params"]["ACNT_PRDT_CD"], "01");
        let refused = |line: &str, kind: &str, field: Option<&str>| {
            let v = handle(line);
            assert_eq!(v["ok"], false, "{v}");
            assert_eq!(v["error"]["kind"], kind, "{v}");
            assert_eq!(v["error"]["field"].as_str(), field, "{v}");
        };
        refused(
            r#"{"endpoint": "domestic_stock/order_cash", "variant": "buy", "account": "12345678-01", "params": {"PDNO": "005930", "ORD_DVSN": "99", "ORD_QTY": "10", "ORD_UNPR": "70000"}}"#,
            "invalid_request",
            Some("ORD_DVSN"),
        );
        refused(
            r#"{"endpoint": "domestic_stock/order_cash", "variant": "buy", "account": "12345678-01", "params": {"PDNO": "005930", "ORD_DVSN": "00", "ORD_QTY": "10", "ORD_UNPR": "70000", "ORD_QTTY": "1"}}"#,
            "invalid_request",
            Some("ORD_QTTY"),
        );
        refused(
            r#"{"endpoint": "domestic_stock/order_cash", "variant": "hold", "params": {}}"#,
            "unknown_variant",
            None,
        );
        refused(
            r#"{"endpoint": "domestic_stock/nope", "params": {}}"#,
            "unknown_endpoint",
            None,
        );
        refused(
            r#"{"endpoint": "domestic_stock/inquire_psbl_sell", "env": "paper", "account": "12345678-01", "params": {"PDNO": "005930"}}"#,
            "not_on_paper",
            None,
        );
        refused("not json", "invalid_request", None);
    }
}
