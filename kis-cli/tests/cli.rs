//! The `kis` binary against a `kis mock` over loopback: every command in every format, refusals
//! before sending, the real-money gate, the JSON-lines trading session.

mod common;

use common::Sim;
use serde_json::Value;

const READS: &[&[&str]] = &[
    &["quote", "005930"],
    &["book", "005930"],
    &["candles", "005930", "--from", "20260801"],
    &["balance"],
    &["orders"],
    &["executions"],
    &["endpoints", "현재가"],
    &["endpoints", "order", "cash"],
    &["describe", "domestic_stock/order_cash"],
    &[
        "call",
        "FHKST01010100",
        "FID_COND_MRKT_DIV_CODE=J",
        "fid_input_iscd=005930",
    ],
    &["token", "status"],
];

#[test]
fn every_read_command_in_every_output_format() {
    let sim = Sim::start(false);
    for cmd in READS {
        for format in ["", "--json", "--csv"] {
            let mut args: Vec<&str> = cmd.to_vec();
            if !format.is_empty() {
                args.push(format);
            }
            let (code, out, err) = sim.run(&args, &[], "");
            assert_eq!(code, 0, "{args:?}: {err}");
            assert!(!out.trim().is_empty(), "{args:?} printed nothing");
            match format {
                "--json" => {
                    let v: Value = serde_json::from_str(&out)
                        .unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"));
                    assert!(!v.is_null());
                }
                "--csv" => {
                    let first = out.lines().next().unwrap();
                    assert!(!first.contains('│'), "{args:?}: {first}");
                }
                _ => assert!(out.contains('│') || out.contains('┆'), "{args:?}: {out}"),
            }
        }
    }
    // Korean headers.
    let (code, out, _) = sim.run(&["quote", "005930", "--lang", "ko"], &[], "");
    assert_eq!(code, 0);
    assert!(out.contains("현재가"), "{out}");
}

#[test]
fn a_bad_parameter_is_refused_before_sending_with_the_field_named() {
    let sim = Sim::start(false);
    // The REST URL points nowhere: a request that left would be a network error (6), not 3.
    let nowhere = [("KIS_REST_URL", "http://127.0.0.1:9")];
    let (code, _, err) = sim.run(
        &[
            "call",
            "domestic_stock/inquire_price",
            "FID_COND_MRKT_DIV_CODE=Q",
            "FID_INPUT_ISCD=005930",
            "--json",
        ],
        &nowhere,
        "",
    );
    assert_eq!(code, 3, "{err}");
    let e: Value = serde_json::from_str(err.trim()).unwrap();
    assert_eq!(e["error"]["field"], "FID_COND_MRKT_DIV_CODE");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("J, NX, UN"),
        "{err}"
    );
    let (code, _, err) = sim.run(
        &[
            "call",
            "domestic_stock/inquire_price",
            "FID_COND_MRKT_DIV_CODE=J",
            "FID_INPUT_ISCD=005930",
            "NO_SUCH=1",
        ],
        &nowhere,
        "",
    );
    assert_eq!(code, 3);
    assert!(err.contains("NO_SUCH"), "{err}");
    let (code, _, err) = sim.run(&["call", "domestic_stock/nope"], &nowhere, "");
    assert_eq!(code, 3, "{err}");
    let (code, _, _) = sim.run(&["quote"], &nowhere, "");
    assert_eq!(code, 2, "usage");
}

#[test]
fn a_state_changing_endpoint_needs_trade() {
    let sim = Sim::start(false);
    let order = [
        "call",
        "domestic_stock/order_cash",
        "--variant",
        "buy",
        "PDNO=005930",
        "ORD_DVSN=00",
        "ORD_QTY=1",
        "ORD_UNPR=70000",
    ];
    let (code, _, err) = sim.run(&order, &[], "");
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("--trade"), "{err}");
    let mut with = order.to_vec();
    with.push("--trade");
    with.push("--json");
    let (code, out, err) = sim.run(&with, &[], "");
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["rt_cd"], "0", "{out}");
    // By TR ID: the variant comes with it.
    let (code, out, err) = sim.run(
        &[
            "call",
            "VTTC0012U",
            "PDNO=005930",
            "ORD_DVSN=00",
            "ORD_QTY=1",
            "ORD_UNPR=70000",
            "--dry-run",
            "--json",
        ],
        &[],
        "",
    );
    assert_eq!(code, 3, "dry-run still needs --trade: {out}{err}");
    // The real service's TR ID on paper: refused, naming the paper one.
    let (code, _, err) = sim.run(
        &[
            "call",
            "TTTC0012U",
            "PDNO=005930",
            "ORD_DVSN=00",
            "ORD_QTY=1",
            "ORD_UNPR=70000",
            "--trade",
        ],
        &[],
        "",
    );
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("VTTC0012U"), "{err}");
}

#[test]
fn real_orders_need_the_opt_in_and_the_confirmation() {
    let sim = Sim::start(true);
    let buy = ["buy", "005930", "1", "--price", "70000"];
    let (code, _, err) = sim.run(&buy, &[], "yes\n");
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("not enabled"), "{err}");
    let (code, _, err) = sim.run(&[&buy[..], &["--yes"]].concat(), &[], "");
    assert_eq!(code, 3, "--yes without the opt-in: {err}");
    let opt_in = [("KIS_ALLOW_REAL_TRADING", "1")];
    let (code, _, err) = sim.run(&buy, &opt_in, "no\n");
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("BUY 005930 x 1 LIMIT 70000"),
        "the exact order is echoed: {err}"
    );
    assert!(err.contains("not confirmed"), "{err}");
    let (code, _, err) = sim.run(&buy, &opt_in, "");
    assert_eq!(code, 3, "no answer is no: {err}");
    let (code, out, err) = sim.run(&[&buy[..], &["--json"]].concat(), &opt_in, "yes\n");
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["symbol"], "005930");
    // The by-name path has the same gate.
    let call = [
        "call",
        "TTTC0012U",
        "PDNO=005930",
        "ORD_DVSN=00",
        "ORD_QTY=1",
        "ORD_UNPR=70000",
        "--trade",
    ];
    let (code, _, err) = sim.run(&call, &[], "yes\n");
    assert_eq!(code, 3, "{err}");
    let (code, _, err) = sim.run(&call, &opt_in, "no\n");
    assert_eq!(code, 3, "{err}");
    assert!(
        !err.contains(&sim_account(&sim)),
        "the full account number is never echoed: {err}"
    );
}

fn sim_account(sim: &Sim) -> String {
    let yaml = std::fs::read_to_string(&sim.config).unwrap();
    yaml.lines()
        .find_map(|l| l.strip_prefix("my_acct_stock: \""))
        .unwrap()
        .trim_end_matches('"')
        .to_owned()
}

/// Buy, list, modify and cancel through the ledger with every command in `format`.
fn order_flow(format: &str) {
    let sim = Sim::start(false);
    let with = |args: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        if !format.is_empty() {
            v.push(format.to_owned());
        }
        v
    };
    let run = |args: Vec<String>| {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out, err) = sim.run(&a, &[], "");
        assert_eq!(code, 0, "{a:?}: {err}");
        assert!(!out.trim().is_empty(), "{a:?}");
        out
    };
    run(with(&["buy", "005930", "1", "--price", "60000"]));
    let out = run(with(&["orders"]));
    let (code, json, _) = sim.run(&["orders", "--json"], &[], "");
    assert_eq!(code, 0);
    let orders: Vec<Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(orders.len(), 1, "{json}");
    let id = orders[0]["id"].as_str().unwrap().to_owned();
    assert!(out.contains(&id), "{out}");
    assert_eq!(orders[0]["remaining"], 1);
    let out = run(with(&["modify", &id, "--price", "60100"]));
    assert!(out.contains("60100"), "{out}");
    let out = run(with(&["cancel", &id]));
    assert!(out.contains(&id), "{out}");
    let (_, json, _) = sim.run(&["orders", "--json"], &[], "");
    let after: Vec<Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(after[0]["remaining"], 0, "cancelled: {json}");
    if format == "--json" {
        let (code, _, err) = sim.run(&["cancel", "L999"], &[], "");
        assert_eq!(code, 3, "{err}");
        let (code, _, err) = sim.run(
            &["buy", "005930", "0", "--price", "60000", "--json"],
            &[],
            "",
        );
        assert_eq!(code, 3, "{err}");
        assert!(err.contains("quantity"), "{err}");
    }
}

#[test]
fn orders_through_the_ledger_as_tables() {
    order_flow("");
}

#[test]
fn orders_through_the_ledger_as_json() {
    order_flow("--json");
}

#[test]
fn orders_through_the_ledger_as_csv() {
    order_flow("--csv");
}

#[test]
fn stream_prints_records_as_json_lines() {
    let sim = Sim::start(false);
    let (code, out, err) = sim.run(
        &["stream", "H0STCNT0", "005930", "--count", "2", "--json"],
        &[],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(lines[0]["tr_id"], "H0STCNT0");
    for format in ["", "--csv"] {
        let mut args = vec!["stream", "H0STCNT0", "005930", "--count", "1"];
        if !format.is_empty() {
            args.push(format);
        }
        let (code, out, err) = sim.run(&args, &[], "");
        assert_eq!(code, 0, "{err}");
        assert!(!out.trim().is_empty());
    }
}

#[test]
fn trade_jsonl_session() {
    let sim = Sim::start(false);
    let input = concat!(
        r#"{"id": 1, "op": "submit", "side": "buy", "symbol": "005930", "qty": 1, "price": "60000"}"#,
        "\n",
        r#"{"id": 2, "op": "list"}"#,
        "\n",
        r#"{"id": 3, "op": "get", "order": "L1"}"#,
        "\n",
        r#"{"id": 4, "op": "cancel", "order": "L1"}"#,
        "\n",
        r#"{"id": 5, "op": "launch"}"#,
        "\n",
        "not json\n",
        r#"{"id": 6, "op": "submit", "side": "buy", "symbol": "005930", "qty": 1}"#,
        "\n",
    );
    let (code, out, err) = sim.run(&["trade", "--jsonl"], &[], input);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let reply = |id: i64| {
        lines
            .iter()
            .find(|l| l["type"] == "reply" && l["id"] == id)
            .unwrap_or_else(|| panic!("no reply {id}: {out}"))
    };
    assert_eq!(reply(1)["ok"], true, "{out}");
    assert_eq!(reply(1)["result"]["id"], "L1");
    assert!(!reply(2)["result"].as_array().unwrap().is_empty());
    assert_eq!(reply(3)["ok"], true);
    assert_eq!(reply(4)["ok"], true, "{out}");
    assert_eq!(reply(5)["error"]["field"], "op");
    assert_eq!(reply(6)["error"]["field"], "price");
    assert!(
        lines
            .iter()
            .any(|l| l["type"] == "reply" && l["id"].is_null() && l["ok"] == false)
    );
    assert!(
        lines.iter().any(|l| l["type"] == "event"),
        "ledger events: {out}"
    );
}

#[test]
fn simulator_flag_completions_and_help() {
    let sim = Sim::start(false);
    let (code, out, err) = sim.run(
        &["--simulator", "quote", "005930", "--json"],
        &[("KIS_CONFIG", "/nonexistent")],
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap()["code"],
        "005930"
    );
    let (code, out, _) = sim.run(&["completions", "bash"], &[], "");
    assert_eq!(code, 0);
    assert!(out.contains("kis"));
    let (code, out, _) = sim.run(&["--help"], &[], "");
    assert_eq!(code, 0);
    for c in [
        "2  usage",
        "3  validation",
        "4  KIS rejected",
        "5  maybe sent",
        "6  network",
    ] {
        assert!(out.contains(c), "{c}: {out}");
    }
    for format in ["", "--json", "--csv"] {
        let args: Vec<&str> = ["token", "revoke", format]
            .into_iter()
            .filter(|a| !a.is_empty())
            .collect();
        let (code, out, err) = sim.run(&args, &[], "");
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("revoked") || out.contains("true"), "{out}");
    }
    let (code, out, _) = sim.run(&["token", "status", "--check", "--json"], &[], "");
    assert_eq!(code, 0);
    let yaml = std::fs::read_to_string(&sim.config).unwrap();
    let secret = yaml
        .lines()
        .find_map(|l| l.strip_prefix("my_sec: \""))
        .unwrap()
        .trim_end_matches('"');
    assert!(!out.contains(secret), "{out}");
}

/// `kis call` follows every page of an inquiry (kis-client's paging machine) and joins the
/// rows; `--first-page` keeps the first page only.
#[test]
fn call_follows_every_page_and_joins_the_rows() {
    let sim = Sim::start_with(false, &["--page-size", "1"]);
    for price in ["60000", "60100", "60200"] {
        let order = [
            "call",
            "domestic_stock/order_cash",
            "--variant",
            "buy",
            "PDNO=005930",
            "ORD_DVSN=00",
            "ORD_QTY=1",
            &format!("ORD_UNPR={price}"),
            "--trade",
        ]
        .map(str::to_owned);
        let args: Vec<&str> = order.iter().map(String::as_str).collect();
        let (code, _, err) = sim.run(&args, &[], "");
        assert_eq!(code, 0, "{err}");
    }
    let inquiry = [
        "call",
        "domestic_stock/inquire_daily_ccld",
        "--variant",
        "within_3m",
        "INQR_STRT_DT=20200101",
        "INQR_END_DT=20991231",
        "SLL_BUY_DVSN_CD=00",
        "CCLD_DVSN=00",
        "INQR_DVSN=00",
        "INQR_DVSN_3=00",
        "--json",
    ];
    let (code, out, err) = sim.run(&inquiry, &[], "");
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["output1"].as_array().map(Vec::len), Some(3), "{out}");
    assert!(err.contains("3 pages"), "{err}");
    let (code, out, err) = sim.run(&[&inquiry[..], &["--first-page"]].concat(), &[], "");
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["output1"].as_array().map(Vec::len), Some(1), "{out}");
    assert!(err.contains("more pages"), "{err}");
}
