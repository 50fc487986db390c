//! `kis trade --jsonl` through the chaos relay (kis_mock::relay) in front of kis-mock: a
//! script of buys, sells, modifies and cancels fed as JSON lines while the relay drops,
//! delays and duplicates traffic. When the script ends the relay calms down and the session
//! settles; its `end` line, and then `kis orders` on the same journal, must equal kis-mock's
//! own account (every order KIS has, including those a duplicated request created behind the
//! CLI's back, with its filled quantity, and the positions the fills imply), and the relay must
//! have received no more order requests than the script asked for. A lost reply is reported
//! as "may have been sent" and then resolved, never re-sent.

mod common;

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Duration;

use common::Setup;
use kis_mock::relay::{Chaos, Relay};
use kis_mock::{Fill, Holding, MockClock, MockConfig, MockServer, OrderReplyFault};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

fn mock_config() -> MockConfig {
    let mut mc = MockConfig::paper();
    // A fixed Wednesday inside the KRX session: nothing depends on the machine's date. The
    // clock (and with it the market) all but stands still, so KIS's account stops changing
    // when the script ends: what rests keeps resting, and the end line can be compared with
    // it exactly.
    mc.clock = MockClock::Simulated {
        start: chrono::NaiveDate::from_ymd_opt(2026, 12, 2).and_then(|d| d.and_hms_opt(10, 30, 0)),
        speed: 0.001,
    };
    mc.fill = Fill::Market;
    mc.data_interval = Some(Duration::from_millis(100));
    mc.rate_limit_per_sec = None;
    // The CLI and the test's own reader each get a token without waiting a minute.
    mc.token_issue_window = Duration::ZERO;
    mc.initial_cash = 500_000_000;
    mc.initial_holdings = ["005930", "000660"]
        .into_iter()
        .map(|code| Holding {
            code: code.into(),
            qty: 200,
            avg_price: 60_000,
        })
        .collect();
    mc
}

/// A running `kis trade --jsonl`: commands in, every line out kept.
struct Session {
    child: tokio::process::Child,
    stdin: Option<tokio::process::ChildStdin>,
    out: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    lines: Vec<Value>,
    next_id: u64,
    /// Command id -> whether it was a submit, modify or cancel.
    sends: std::collections::HashMap<u64, bool>,
}

impl Session {
    async fn start(setup: &Setup) -> Session {
        let mut child = setup
            .command(&[
                "trade",
                "--jsonl",
                "--poll-ms",
                "150",
                "--resolve-ms",
                "200",
                "--settle-ms",
                "8000",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let out = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut s = Session {
            child,
            stdin,
            out,
            lines: Vec::new(),
            next_id: 0,
            sends: Default::default(),
        };
        let ready = s.line().await.expect("no ready line");
        assert_eq!(ready["type"], "ready", "{ready}");
        s
    }

    async fn line(&mut self) -> Option<Value> {
        let l = tokio::time::timeout(Duration::from_secs(30), self.out.next_line())
            .await
            .expect("the session went silent")
            .unwrap()?;
        let v: Value = serde_json::from_str(&l).unwrap_or_else(|e| panic!("{e}: {l}"));
        self.lines.push(v.clone());
        Some(v)
    }

    /// Sends one command; its reply (events before it are kept in `lines`).
    async fn ask(&mut self, mut cmd: Value) -> Value {
        self.next_id += 1;
        cmd["id"] = json!(self.next_id);
        let stdin = self.stdin.as_mut().unwrap();
        stdin
            .write_all(format!("{cmd}\n").as_bytes())
            .await
            .unwrap();
        stdin.flush().await.unwrap();
        self.sends.insert(
            self.next_id,
            matches!(cmd["op"].as_str(), Some("submit" | "modify" | "cancel")),
        );
        loop {
            let v = self.line().await.expect("the session ended early");
            if v["type"] == "reply" && v["id"] == self.next_id {
                return v;
            }
        }
    }

    /// Closes stdin; the `end` line, after the session exited.
    async fn finish(mut self) -> Finished {
        drop(self.stdin.take());
        let mut end = None;
        while let Some(v) = self.line().await {
            if v["type"] == "end" {
                end = Some(v);
            }
        }
        let status = self.child.wait().await.unwrap();
        assert!(status.success(), "kis trade exited with {status}");
        Finished {
            end: end.expect("no end line"),
            lines: self.lines,
            sends: self.sends,
        }
    }
}

/// What a session printed.
struct Finished {
    end: Value,
    lines: Vec<Value>,
    sends: std::collections::HashMap<u64, bool>,
}

/// Differences between the CLI's orders (JSON) and the simulator's account (empty: equal).
fn differences(
    orders_json: &[Value],
    server: &MockServer,
    start: &BTreeMap<String, i64>,
) -> Vec<String> {
    let kis = kis_mock::relay::DomesticAccount::of(server);
    let orders = &kis.filled;
    let mut out = Vec::new();
    let mut seen = 0;
    let mut implied = start.clone();
    for o in orders_json {
        let id = o["id"].as_str().unwrap_or("?");
        let state = o["state"].as_str().unwrap_or("");
        if ![
            "accepted",
            "partiallyfilled",
            "filled",
            "cancelled",
            "rejected",
            "notsent",
        ]
        .contains(&state)
        {
            out.push(format!("{id} is still {state}"));
        }
        let mut filled = 0;
        for odno in o["chain"].as_array().unwrap() {
            let key = odno.as_str().unwrap().trim_start_matches('0');
            match orders.get(key) {
                Some(f) => filled += f,
                None => out.push(format!("{key} of {id} is not at KIS")),
            }
            seen += 1;
        }
        let reported = o["filled"].as_u64().unwrap();
        if filled != reported {
            out.push(format!(
                "{id}: the CLI says filled {reported}, KIS {filled}"
            ));
        }
        let signed = if o["side"] == "buy" {
            reported as i64
        } else {
            -(reported as i64)
        };
        *implied
            .entry(o["symbol"].as_str().unwrap().to_owned())
            .or_default() += signed;
    }
    out.extend(kis.mismatches(seen, &implied));
    out
}

/// Book prices read straight from the simulator (not through the relay): the best ask and
/// the third bid.
async fn prices(kis: &kis::Kis, symbol: &str) -> (String, String) {
    let book = kis.stock(symbol).await.unwrap().book().await.unwrap();
    (
        book.asks[0].price.amount().to_string(),
        book.bids[2].price.amount().to_string(),
    )
}

fn direct(server: &MockServer) -> kis::Kis {
    let c = server.config();
    let config = kis_client::Config::builder()
        .env(kis_client::Env::Paper)
        .app_key(c.app_key.clone())
        .app_secret(c.app_secret.clone())
        .account(c.account.clone())
        .hts_id(c.hts_id.clone())
        .rest_url(server.rest_url())
        .ws_url(server.ws_url())
        .rate_limit_per_sec(10_000)
        .no_token_cache()
        .build()
        .unwrap();
    kis::Kis::with_client(kis_client::Client::new(config).unwrap())
}

fn is_open(order: &Value) -> bool {
    matches!(
        order["state"].as_str(),
        Some("accepted" | "partiallyfilled")
    )
}

/// Every reply whose request may have been sent says so, and its order's resolution is
/// reported afterwards (an event or the end line shows it settled).
fn lost_replies_are_reported_and_resolved(f: &Finished) -> usize {
    let (lines, end) = (&f.lines, &f.end);
    let mut lost = 0;
    for (i, l) in lines.iter().enumerate() {
        let sent = l["id"].as_u64().and_then(|id| f.sends.get(&id)) == Some(&true);
        if l["type"] != "reply" || l["ok"] != true || !sent {
            continue;
        }
        let r = &l["result"];
        let state = r["state"].as_str().unwrap_or("");
        let pending = matches!(
            state,
            "unknown" | "sent" | "pendingmodify" | "pendingcancel"
        );
        // In flight means unanswered; an unanswered request may also have been settled by a
        // notice before the reply was written.
        assert!(
            r["may_have_been_sent"].is_boolean() && (!pending || r["may_have_been_sent"] == true),
            "a reply must say whether the request may have been sent: {l}"
        );
        if r["may_have_been_sent"] != true {
            continue;
        }
        lost += 1;
        let id = &r["id"];
        let settled = |o: &Value| {
            o["id"] == *id
                && !matches!(
                    o["state"].as_str(),
                    Some("unknown" | "sent" | "pendingmodify" | "pendingcancel")
                )
        };
        let resolved = lines[i + 1..]
            .iter()
            .any(|e| e["type"] == "event" && settled(&e["order"]))
            || end["orders"].as_array().unwrap().iter().any(settled);
        assert!(resolved, "{id} was never reported resolved: {l}");
    }
    lost
}

async fn trade_through_chaos(seed: u64, chaos: Chaos) {
    let server = MockServer::start(mock_config()).await.unwrap();
    let relay = Relay::start(&server, chaos, seed).await.unwrap();
    let setup = Setup::new(&server, &relay.rest_url(), &relay.ws_url());
    let reader = direct(&server);
    let start = kis_mock::relay::DomesticAccount::of(&server).positions;
    let mut session = Session::start(&setup).await;

    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
    let mut sends = 0u64;
    for i in 0..12u64 {
        let symbol = if rng.random_bool(0.5) {
            "005930"
        } else {
            "000660"
        };
        let (ask, low_bid) = prices(&reader, symbol).await;
        let side = if rng.random_bool(0.6) { "buy" } else { "sell" };
        let key = format!("s{seed}-{i}");
        let mut cmd =
            json!({"op": "submit", "side": side, "symbol": symbol, "qty": 1 + i, "key": key});
        if rng.random_bool(0.2) {
            cmd["market"] = json!(true);
        } else {
            cmd["price"] = json!(if rng.random_bool(0.5) {
                ask
            } else {
                low_bid.clone()
            });
        }
        let reply = session.ask(cmd.clone()).await;
        sends += 1;
        if reply["ok"] == true && reply["result"]["may_have_been_sent"] == true {
            // A careful program asks again with the same key: the same order, nothing sent.
            let before = relay.stats().order_requests;
            let again = session.ask(cmd).await;
            assert_eq!(again["result"]["id"], reply["result"]["id"], "{again}");
            assert_eq!(
                relay.stats().order_requests,
                before,
                "a keyed retry sent an order"
            );
        }
        if reply["ok"] != true {
            // Refused before sending, rejected by KIS, or the desk could not reconcile
            // through the relay yet: nothing to change.
            continue;
        }
        let order = reply["result"].clone();
        if is_open(&order) && rng.random_bool(0.6) {
            let id = order["id"].clone();
            let change = if rng.random_bool(0.5) {
                json!({"op": "cancel", "order": id})
            } else {
                json!({"op": "modify", "order": id, "price": low_bid})
            };
            session.ask(change).await;
            sends += 1;
        }
    }

    relay.calm();
    let finished = session.finish().await;
    let end = &finished.end;
    let stats = relay.stats();
    assert_eq!(end["ok"], true, "{end}");
    let lost = lost_replies_are_reported_and_resolved(&finished);
    eprintln!("seed {seed}: {sends} order commands, {lost} lost replies; relay: {stats:?}");
    let orders = end["orders"].as_array().unwrap();
    let diff = differences(orders, &server, &start);
    assert!(
        diff.is_empty(),
        "seed {seed}: the end line differs from KIS: {diff:#?}\n{end}"
    );
    assert_eq!(end["drift"], json!([]), "seed {seed}: {end}");
    assert!(
        stats.order_requests <= sends,
        "the CLI re-sent an order: {} order requests for {sends} commands",
        stats.order_requests
    );

    // A later `kis orders` on the same journal says the same.
    let out = setup.command(&["orders", "--json"]).output().await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let diff = differences(listed.as_array().unwrap(), &server, &start);
    assert!(
        diff.is_empty(),
        "seed {seed}: `kis orders` differs from KIS: {diff:#?}"
    );
    assert_eq!(
        relay.stats().order_requests,
        stats.order_requests,
        "`kis orders` sent an order"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trade_jsonl_through_a_rough_relay_ends_equal_to_kis() {
    // `KIS_RELAY_SEEDS=50` tries more interleavings (about a second each), rough and harsh.
    let seeds: u64 = std::env::var("KIS_RELAY_SEEDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2);
    for seed in 1..=seeds {
        trade_through_chaos(seed, Chaos::rough()).await;
        if seeds > 2 {
            trade_through_chaos(1000 + seed, Chaos::harsh()).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trade_jsonl_through_a_slow_and_lossy_relay_ends_equal_to_kis() {
    trade_through_chaos(11, Chaos::harsh()).await;
}

/// The order's reply is lost after KIS booked it (HTTP 500), then a cancel's: each reply
/// says the request may have been sent, an event reports the resolution, and nothing was sent
/// twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_reply_is_reported_as_maybe_sent_then_resolved_never_resent() {
    let server = MockServer::start(mock_config()).await.unwrap();
    let relay = Relay::start(&server, Chaos::none(), 1).await.unwrap();
    let setup = Setup::new(&server, &relay.rest_url(), &relay.ws_url());
    let reader = direct(&server);
    let start = kis_mock::relay::DomesticAccount::of(&server).positions;
    let mut session = Session::start(&setup).await;
    // The desk opens (reconciles) before the fault is armed.
    assert_eq!(session.ask(json!({"op": "list"})).await["ok"], true);

    let (_, low_bid) = prices(&reader, "005930").await;
    server.faults().order_reply(OrderReplyFault::Http500, 1);
    let reply = session
        .ask(json!({"op": "submit", "side": "buy", "symbol": "005930", "qty": 3, "price": low_bid, "key": "k1"}))
        .await;
    assert_eq!(reply["ok"], true, "{reply}");
    // Unknown, or already settled by the order's notice while the request was failing.
    assert!(
        matches!(
            reply["result"]["state"].as_str(),
            Some("unknown" | "accepted")
        ),
        "{reply}"
    );
    assert_eq!(reply["result"]["may_have_been_sent"], true, "{reply}");
    assert!(
        reply["result"]["note"]
            .as_str()
            .unwrap()
            .contains("never sent again")
    );
    // Resolved by inquiry (or the notice): KIS has it, resting at a low bid.
    let mut resolved = Value::Null;
    for _ in 0..50 {
        resolved = session.ask(json!({"op": "get", "order": "L1"})).await;
        if resolved["result"]["state"] != "unknown" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(resolved["result"]["state"], "accepted", "{resolved}");
    assert!(resolved["result"]["odno"].is_string());
    // The program "retries" with the same key: it gets the first order; nothing is sent.
    let again = session
        .ask(json!({"op": "submit", "side": "buy", "symbol": "005930", "qty": 3, "price": low_bid, "key": "k1"}))
        .await;
    assert_eq!(again["result"]["id"], "L1", "{again}");
    assert_eq!(again["result"]["may_have_been_sent"], false, "{again}");
    assert_eq!(relay.stats().order_requests, 1);

    server.faults().order_reply(OrderReplyFault::Http500, 1);
    let reply = session.ask(json!({"op": "cancel", "order": "L1"})).await;
    assert_eq!(reply["ok"], true, "{reply}");
    assert!(
        matches!(
            reply["result"]["state"].as_str(),
            Some("pendingcancel" | "cancelled")
        ),
        "{reply}"
    );

    let finished = session.finish().await;
    let end = &finished.end;
    assert!(lost_replies_are_reported_and_resolved(&finished) >= 1);
    assert!(
        finished
            .lines
            .iter()
            .any(|l| l["type"] == "event" && l["order"]["state"] == "cancelled"),
        "the cancel's resolution is an event"
    );
    let orders = end["orders"].as_array().unwrap();
    assert_eq!(orders.len(), 1, "{end}");
    assert_eq!(orders[0]["state"], "cancelled", "{end}");
    assert!(differences(orders, &server, &start).is_empty(), "{end}");
    assert_eq!(relay.stats().order_requests, 2, "one order and one cancel");
}

/// An order placed elsewhere (another program, HTS) shows up in `list` as external, and from
/// then on its changes are events of the session too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn external_orders_listed_are_followed() {
    let server = MockServer::start(mock_config()).await.unwrap();
    let relay = Relay::start(&server, Chaos::none(), 1).await.unwrap();
    let setup = Setup::new(&server, &relay.rest_url(), &relay.ws_url());
    let mut options = kis::orders::TradingOptions::default();
    options.journal = kis::orders::JournalPlace::Memory;
    let elsewhere = direct(&server).with_trading(options);
    let mut session = Session::start(&setup).await;
    assert_eq!(
        session.ask(json!({"op": "list"})).await["result"],
        json!([])
    );

    let (_, low_bid) = prices(&elsewhere, "005930").await;
    let order = elsewhere
        .account()
        .unwrap()
        .buy("005930", 2)
        .limit(low_bid.parse().unwrap())
        .submit()
        .await
        .unwrap();
    let odno = order.view().live_odno().unwrap().odno.clone();
    let mut listed = Value::Null;
    for _ in 0..50 {
        let l = session.ask(json!({"op": "list"})).await;
        if let Some(o) = l["result"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["odno"] == odno)
        {
            listed = o.clone();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(listed["external"], true, "{listed}");
    let id = listed["id"].clone();
    order.cancel().await.unwrap();
    let cancelled = |s: &Session| {
        s.lines.iter().any(|l| {
            l["type"] == "event" && l["order"]["id"] == id && l["order"]["state"] == "cancelled"
        })
    };
    for _ in 0..50 {
        if cancelled(&session) {
            break;
        }
        // (Not `get`: that follows the order by itself.)
        session.ask(json!({"op": "list"})).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        cancelled(&session),
        "no event for the external order's cancel"
    );
    let finished = session.finish().await;
    assert_eq!(
        finished.end["orders"][0]["state"], "cancelled",
        "{}",
        finished.end
    );
    assert_eq!(relay.stats().order_requests, 0, "the session sent nothing");
}
