//! `kis mcp` through a real MCP client (rmcp's client over the child's stdio), against a
//! `kis mock`: the tool list and its schemas, read-only calls, trading tools only when enabled,
//! previews and caps, hostile arguments, and no secret in any output or in the audit log.

mod common;

use common::Sim;
use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::TokioChildProcess;
use serde_json::{Value, json};

type Client = RunningService<RoleClient, ()>;

async fn connect(sim: &Sim, extra: &[&str]) -> Client {
    let mut args = vec!["mcp", "--audit-log"];
    let audit = sim.dir.path().join("audit.jsonl");
    let audit = audit.to_str().unwrap().to_owned();
    args.push(&audit);
    args.extend_from_slice(extra);
    let cmd = tokio::process::Command::from(sim.kis(&args));
    ().serve(TokioChildProcess::new(cmd).unwrap())
        .await
        .unwrap()
}

async fn call(c: &Client, tool: &str, args: Value) -> (bool, Value) {
    let Value::Object(m) = args else {
        panic!("args")
    };
    let r: CallToolResult = c
        .call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(m))
        .await
        .unwrap();
    (
        r.is_error == Some(true),
        r.structured_content.unwrap_or(Value::Null),
    )
}

fn secrets(sim: &Sim) -> Vec<String> {
    let yaml = std::fs::read_to_string(&sim.config).unwrap();
    ["my_app", "my_sec", "my_acct_stock", "my_htsid"]
        .iter()
        .map(|k| {
            yaml.lines()
                .find_map(|l| l.strip_prefix(&format!("{k}: \"")))
                .unwrap()
                .trim_end_matches('"')
                .to_owned()
        })
        .collect()
}

fn assert_no_secret(sim: &Sim, text: &str) {
    for s in secrets(sim) {
        assert!(!text.contains(&s), "a secret leaked: {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_tools_with_schemas_and_no_trading_by_default() {
    let sim = Sim::start(false);
    let c = connect(&sim, &[]).await;
    let tools = c.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(
        names,
        [
            "search_endpoints",
            "describe_endpoint",
            "call_endpoint",
            "find_symbol",
            "quote",
            "candles",
            "balance",
            "orders",
            "executions",
            "realized_pnl",
            "drift"
        ]
    );
    for t in &tools {
        assert_eq!(
            t.input_schema.get("type"),
            Some(&json!("object")),
            "{}",
            t.name
        );
        assert_eq!(
            t.input_schema.get("additionalProperties"),
            Some(&json!(false)),
            "{}",
            t.name
        );
    }
    let size = serde_json::to_string(&tools).unwrap().len();
    eprintln!("read tool list: {size} bytes (~{} tokens)", size / 4);
    assert!(size < 6000, "the tool list stays small: {size}");

    let mut outputs = String::new();
    // The account's views: executions of KIS's day, drift, and P&L refused on paper.
    let (err, v) = call(&c, "executions", json!({})).await;
    assert!(!err, "{v}");
    assert!(v["rows"].is_array(), "{v}");
    let (err, v) = call(&c, "executions", json!({"market": "us"})).await;
    assert!(!err, "{v}");
    let (err, v) = call(&c, "executions", json!({"market": "mars"})).await;
    assert!(err, "{v}");
    let (err, v) = call(&c, "drift", json!({})).await;
    assert!(!err, "{v}");
    assert_eq!(v["drift"], json!([]), "{v}");
    let (err, v) = call(
        &c,
        "realized_pnl",
        json!({"from": "20261201", "to": "20261202"}),
    )
    .await;
    assert!(err, "paper has no realized P&L: {v}");
    let (err, v) = call(
        &c,
        "realized_pnl",
        json!({"from": "20261203", "to": "20261202"}),
    )
    .await;
    assert!(err, "{v}");
    let (err, v) = call(
        &c,
        "search_endpoints",
        json!({"query": "현재가", "limit": 5}),
    )
    .await;
    assert!(!err, "{v}");
    assert!(v["total"].as_u64().unwrap() >= 5);
    let (err, v) = call(
        &c,
        "describe_endpoint",
        json!({"endpoint": "FHKST01010100"}),
    )
    .await;
    assert!(!err, "{v}");
    assert_eq!(
        v["input_schema"]["properties"]["FID_COND_MRKT_DIV_CODE"]["enum"],
        json!(["J", "NX", "UN"])
    );
    let (err, v) = call(
        &c,
        "describe_endpoint",
        json!({"endpoint": "domestic_stock/inquire_balance"}),
    )
    .await;
    assert!(!err);
    assert!(
        v["input_schema"]["properties"].get("CANO").is_none(),
        "the account is not the model's to give"
    );
    let (err, v) = call(
        &c,
        "call_endpoint",
        json!({"endpoint": "domestic_stock/inquire_price", "params": {"FID_COND_MRKT_DIV_CODE": "J", "fid_input_iscd": "005930"}}),
    )
    .await;
    assert!(!err, "{v}");
    assert_eq!(v["response"]["rt_cd"], "0");
    outputs += &v.to_string();
    // Validation names the field; orders and account fields are refused.
    let (err, v) = call(&c, "call_endpoint", json!({"endpoint": "FHKST01010100", "params": {"FID_COND_MRKT_DIV_CODE": "Q", "FID_INPUT_ISCD": "005930"}})).await;
    assert!(err);
    assert_eq!(v["error"]["field"], "FID_COND_MRKT_DIV_CODE");
    let (err, v) = call(
        &c,
        "call_endpoint",
        json!({"endpoint": "domestic_stock/order_cash", "variant": "buy",
        "params": {"PDNO": "005930", "ORD_DVSN": "00", "ORD_QTY": 1, "ORD_UNPR": 70000}}),
    )
    .await;
    assert!(err, "orders are refused: {v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("read-only"),
        "{v}"
    );
    let (err, v) = call(
        &c,
        "call_endpoint",
        json!({"endpoint": "domestic_stock/inquire_balance",
        "params": {"CANO": "99999999"}}),
    )
    .await;
    assert!(err);
    assert_eq!(v["error"]["field"], "CANO");
    for (tool, args) in [
        ("find_symbol", json!({"query": "삼성전자"})),
        ("quote", json!({"symbol": "005930"})),
        ("candles", json!({"symbol": "005930", "period": "week"})),
        ("balance", json!({})),
        ("orders", json!({})),
    ] {
        let (err, v) = call(&c, tool, args).await;
        assert!(!err, "{tool}: {v}");
        outputs += &v.to_string();
    }
    for tool in [
        "preview_order",
        "place_order",
        "modify_order",
        "cancel_order",
    ] {
        let (err, _) = call(&c, tool, json!({"preview_id": "p0"})).await;
        assert!(err, "{tool} does not exist without --trading");
    }
    assert_no_secret(&sim, &outputs);
    c.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trading_goes_through_previews_and_caps() {
    let sim = Sim::start(false);
    let c = connect(
        &sim,
        &[
            "--trading",
            "--max-qty",
            "5",
            "--max-notional",
            "1000000",
            "--max-orders-per-day",
            "2",
            "--symbols",
            "005930",
        ],
    )
    .await;
    let tools = c.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), 15);
    let size = serde_json::to_string(&tools).unwrap().len();
    eprintln!(
        "tool list with trading: {size} bytes (~{} tokens)",
        size / 4
    );

    let (err, v) = call(
        &c,
        "place_order",
        json!({"preview_id": format!("p{}", "0".repeat(32))}),
    )
    .await;
    assert!(err, "no preview: {v}");
    assert_eq!(v["error"]["field"], "preview_id");
    let (err, v) = call(
        &c,
        "preview_order",
        json!({"side": "buy", "symbol": "005930", "qty": 6, "price": "60000"}),
    )
    .await;
    assert!(err);
    assert_eq!(v["error"]["field"], "qty");
    let (err, v) = call(
        &c,
        "preview_order",
        json!({"side": "buy", "symbol": "000660", "qty": 1, "price": "60000"}),
    )
    .await;
    assert!(err);
    assert_eq!(v["error"]["field"], "symbol", "{v}");
    let (err, v) = call(
        &c,
        "preview_order",
        json!({"side": "buy", "symbol": "005930", "qty": 5, "price": "300000"}),
    )
    .await;
    assert!(err, "notional cap: {v}");
    let (err, v) = call(
        &c,
        "preview_order",
        json!({"side": "buy", "symbol": "005930", "qty": 5, "market": true}),
    )
    .await;
    assert!(!err, "{v}");
    let notional: f64 = v["order"]["notional"].as_str().unwrap().parse().unwrap();
    assert!(
        notional > 5.0 * 60000.0,
        "a market order counts at the upper limit: {v}"
    );

    let preview =
        |qty: u64| json!({"side": "buy", "symbol": "005930", "qty": qty, "price": "60000"});
    let (err, v) = call(&c, "preview_order", preview(1)).await;
    assert!(!err, "{v}");
    let id = v["preview_id"].as_str().unwrap().to_owned();
    assert_eq!(v["env"], "paper");
    let (err, v) = call(&c, "place_order", json!({"preview_id": id})).await;
    assert!(!err, "{v}");
    let order = v["id"].as_str().unwrap().to_owned();
    let (err, _) = call(&c, "place_order", json!({"preview_id": id})).await;
    assert!(err, "a preview is single use");
    let (err, v) = call(&c, "modify_order", json!({"order_id": order, "qty": 9})).await;
    assert!(err, "modify within caps: {v}");
    let (err, v) = call(
        &c,
        "modify_order",
        json!({"order_id": order, "price": "60100"}),
    )
    .await;
    assert!(!err, "{v}");
    let (err, v) = call(&c, "cancel_order", json!({"order_id": order})).await;
    assert!(!err, "{v}");
    let (_, v) = call(&c, "preview_order", preview(1)).await;
    let (err, _) = call(&c, "place_order", json!({"preview_id": v["preview_id"]})).await;
    assert!(!err);
    let (_, v) = call(&c, "preview_order", preview(1)).await;
    let (err, v) = call(&c, "place_order", json!({"preview_id": v["preview_id"]})).await;
    assert!(err, "two orders a day: {v}");
    c.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_arguments_are_refused_or_harmless_and_nothing_leaks() {
    let sim = Sim::start(false);
    let canary = sim.dir.path().join("pwned");
    let c = connect(&sim, &["--trading", "--symbols", "005930"]).await;
    let long = "A".repeat(5000);
    let hostile: Vec<Value> = vec![
        json!(format!("$(touch {})", canary.display())),
        json!(format!("`touch {}`", canary.display())),
        json!("'; DROP TABLE orders; --"),
        json!("{{7*7}} ${HOME} %s%n"),
        json!("../../../etc/passwd"),
        json!("005930\nFID_COND_MRKT_DIV_CODE=J"),
        json!("\u{0}\u{1b}[31m"),
        json!(long),
        json!("<script>alert(1)</script>"),
        json!(-1),
        json!(1e300),
        json!({"__proto__": {"x": 1}}),
        json!(["005930"]),
        json!(null),
        json!(true),
    ];
    let tools = c.list_all_tools().await.unwrap();
    let mut outputs = String::new();
    for t in &tools {
        let props = t
            .input_schema
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut keys: Vec<String> = props.keys().cloned().collect();
        keys.push("CANO".to_owned());
        for k in &keys {
            for h in &hostile {
                let args = json!({ k.clone(): h.clone() });
                let (err, v) = call(&c, &t.name, args).await;
                outputs += &v.to_string();
                if !err {
                    // Accepted only where the value is data that cannot act (a search word).
                    // `null` stands for "not given" (executions: KIS's today).
                    assert!(
                        matches!(t.name.as_ref(), "search_endpoints" | "balance" | "orders")
                            || (t.name == "executions" && h.is_null()),
                        "{} accepted {k}={h}: {v}",
                        t.name
                    );
                }
            }
        }
    }
    // The endpoint's own parameters, hostile values: refused by the spec's tables.
    for h in &hostile {
        let (err, v) = call(
            &c,
            "call_endpoint",
            json!({"endpoint": "FHKST01010100",
            "params": {"FID_COND_MRKT_DIV_CODE": h, "FID_INPUT_ISCD": "005930"}}),
        )
        .await;
        assert!(err, "{h}: {v}");
    }
    assert!(!canary.exists(), "nothing is executed");
    let (err, v) = call(&c, "quote", json!({"symbol": "005930"})).await;
    assert!(!err, "the server still answers: {v}");
    assert_no_secret(&sim, &outputs);
    c.cancel().await.unwrap();
    let audit_path = sim.dir.path().join("audit.jsonl");
    let audit = std::fs::read_to_string(&audit_path).unwrap();
    assert!(audit.lines().count() > 100, "every call is audited");
    for line in audit.lines() {
        serde_json::from_str::<Value>(line).unwrap();
    }
    assert_no_secret(&sim, &audit);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&audit_path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
