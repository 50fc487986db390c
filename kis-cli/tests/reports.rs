//! `kis executions --market us`, `kis pnl FROM TO` and `kis drift` against an in-process
//! kis-mock on fixed simulated clocks: every format, the values equal the simulator's account.

mod common;

use std::time::Duration;

use common::Setup;
use kis_mock::{Fill, MockClock, MockConfig, MockServer};
use serde_json::Value;

/// A clock that all but stands still at `start` (KST): nothing depends on the machine's date.
fn fixed(y: i32, m: u32, d: u32, h: u32, min: u32) -> MockClock {
    MockClock::Simulated {
        start: chrono::NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, min, 0)),
        speed: 0.001,
    }
}

fn config(mut mc: MockConfig, clock: MockClock) -> MockConfig {
    mc.clock = clock;
    mc.fill = Fill::Market;
    mc.rate_limit_per_sec = None;
    mc.token_issue_window = Duration::ZERO;
    mc
}

/// Every format prints; `--json` parses.
async fn formats(setup: &Setup, args: &[&str], envs: &[(&str, &str)]) -> Value {
    let mut json = Value::Null;
    for format in ["", "--json", "--csv"] {
        let mut a = args.to_vec();
        if !format.is_empty() {
            a.push(format);
        }
        let (code, out, err) = setup.run(&a, envs).await;
        assert_eq!(code, 0, "{a:?}: {err}");
        assert!(!out.trim().is_empty(), "{a:?} printed nothing");
        match format {
            "--json" => json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}")),
            "--csv" => assert!(!out.contains('│'), "{out}"),
            _ => assert!(out.contains('│') || out.contains('┆'), "{out}"),
        }
    }
    json
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn us_executions_in_every_format_equal_the_simulators_orders() {
    // Wednesday 2 December 2026, 11:00 in New York (01:00 KST the next day): US venues trade.
    let server = MockServer::start(config(MockConfig::paper(), fixed(2026, 12, 3, 1, 0)))
        .await
        .unwrap();
    let setup = Setup::direct(&server);
    let (code, out, err) = setup.run(&["quote", "NASDAQ:AAPL", "--json"], &[]).await;
    assert_eq!(code, 0, "{err}");
    let quote: Value = serde_json::from_str(&out).unwrap();
    let price = quote["price"]["amount"].as_str().unwrap().to_owned();
    let (code, _, err) = setup
        .run(&["buy", "NASDAQ:AAPL", "2", "--price", &price], &[])
        .await;
    assert_eq!(code, 0, "{err}");

    let json = formats(&setup, &["executions", "--market", "us"], &[]).await;
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{json}");
    let row = &rows[0];
    let truth = server.truth();
    let order = truth["orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["market"] != "domestic")
        .unwrap_or_else(|| panic!("no US order at the simulator: {truth}"));
    assert_eq!(row["code"], "AAPL");
    assert_eq!(row["date"], "2026-12-02", "New York's date: {row}");
    assert_eq!(
        row["order_no"].as_str().unwrap().trim_start_matches('0'),
        order["odno"].as_str().unwrap().trim_start_matches('0')
    );
    let qty = |v: &Value| {
        v.as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| v.to_string())
    };
    assert_eq!(qty(&row["order_qty"]), "2", "{row}");
    assert_eq!(
        qty(&row["filled_qty"]),
        order["filled_qty"].to_string(),
        "{row} {order}"
    );
    assert_eq!(row["order_price"]["currency"], "USD", "{row}");

    // Dates the wrong way round are refused before anything is sent.
    let (code, _, err) = setup
        .run(
            &[
                "executions",
                "--market",
                "us",
                "--from",
                "20261203",
                "--to",
                "20261202",
            ],
            &[],
        )
        .await;
    assert_eq!(code, 3, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pnl_is_refused_on_paper_with_the_reason_and_printed_on_real() {
    // Wednesday 2 December 2026, 10:30 KST.
    let clock = || fixed(2026, 12, 2, 10, 30);
    let paper = MockServer::start(config(MockConfig::paper(), clock()))
        .await
        .unwrap();
    let setup = Setup::direct(&paper);
    let (code, _, err) = setup
        .run(&["pnl", "20261201", "20261202", "--json"], &[])
        .await;
    assert_eq!(code, 3, "{err}");
    let e: Value = serde_json::from_str(err.trim()).unwrap();
    let message = e["error"]["message"].as_str().unwrap();
    assert!(message.contains("real service only"), "{message}");
    assert!(message.contains("nothing was sent"), "{message}");

    let mut real = config(MockConfig::default(), clock());
    real.initial_holdings = vec![kis_mock::Holding {
        code: "005930".into(),
        qty: 10,
        avg_price: 60_000,
    }];
    let real = MockServer::start(real).await.unwrap();
    let setup = Setup::direct(&real);
    let opt_in = [("KIS_ALLOW_REAL_TRADING", "1")];
    let (code, _, err) = setup
        .run(&["sell", "005930", "3", "--market", "--yes"], &opt_in)
        .await;
    assert_eq!(code, 0, "{err}");
    let json = formats(&setup, &["pnl", "2026-12-01", "2026-12-02"], &[]).await;
    assert_eq!(json["from"], "2026-12-01");
    assert_eq!(json["to"], "2026-12-02");
    let sold: u64 = json["symbols"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["code"] == "005930")
        .map(|s| {
            s["sell_qty"]
                .as_str()
                .map_or_else(|| s["sell_qty"].as_u64().unwrap(), |q| q.parse().unwrap())
        })
        .sum();
    assert_eq!(sold, 3, "{json}");
    assert!(json["totals"].is_object(), "{json}");
    let (code, _, err) = setup.run(&["pnl", "20261203", "20261202"], &[]).await;
    assert_eq!(code, 3, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_is_empty_until_shares_move_without_an_order() {
    let server = MockServer::start(config(MockConfig::paper(), fixed(2026, 12, 2, 10, 30)))
        .await
        .unwrap();
    let setup = Setup::direct(&server);
    // The day's first comparison takes the start of the day.
    let json = formats(&setup, &["drift"], &[]).await;
    assert_eq!(json, Value::Array(vec![]));
    // Five shares arrive from another account: no order explains them.
    server.transfer_shares("005930", 5).unwrap();
    let (code, _, err) = setup.run(&["orders"], &[]).await;
    assert_eq!(code, 0, "{err}");
    let json = formats(&setup, &["drift"], &[]).await;
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{json}");
    assert_eq!(rows[0]["symbol"], "005930");
    assert_eq!(rows[0]["qty"], 5, "{json}");
    assert_eq!(
        rows[0]["actual"].as_i64().unwrap() - rows[0]["expected"].as_i64().unwrap(),
        5
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn executions_default_to_kis_day_never_the_machines() {
    // KIS's day is Wednesday 2 December 2026 whatever this machine's date is.
    let server = MockServer::start(config(MockConfig::paper(), fixed(2026, 12, 2, 10, 30)))
        .await
        .unwrap();
    let setup = Setup::direct(&server);
    let (code, _, err) = setup.run(&["buy", "005930", "1", "--market"], &[]).await;
    assert_eq!(code, 0, "{err}");
    let json = formats(&setup, &["executions"], &[]).await;
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{json}");
    assert_eq!(rows[0]["date"], "2026-12-02", "{json}");
}
