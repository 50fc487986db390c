//! Helpers shared by the order tests against kis-mock over loopback (fixed simulated clocks,
//! fast polling, the ledger compared with the simulator's truth).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::Duration;

use kis::Kis;
use kis::ledger::OrderView;
use kis::orders::{JournalPlace, TradingOptions};
use kis_mock::{Fill, MockClock, MockConfig};

/// A fixed Wednesday inside the KRX session: no test depends on the machine's date.
pub fn session_clock() -> MockClock {
    MockClock::Simulated {
        start: chrono::NaiveDate::from_ymd_opt(2026, 12, 2).and_then(|d| d.and_hms_opt(10, 30, 0)),
        speed: 1.0,
    }
}

/// The paper simulator on [`session_clock`], fills as given, no market data, no rate limit.
pub fn mock(fill: Fill) -> MockConfig {
    let mut mc = MockConfig::paper();
    mc.clock = session_clock();
    mc.fill = fill;
    mc.data_interval = None;
    mc.rate_limit_per_sec = None;
    mc
}

/// [`mock`] on the real service (real TR IDs; NXT and SOR exist only there). The simulator
/// client opts in to real trading for its own loopback server only.
pub fn real_mock(fill: Fill) -> MockConfig {
    MockConfig {
        env: kis_mock::MockEnv::Real,
        app_key: MockConfig::default().app_key,
        ..mock(fill)
    }
}

/// Trading options that poll and resolve quickly.
pub fn fast(journal: JournalPlace, notices: bool) -> TradingOptions {
    let mut t = TradingOptions::default();
    t.journal = journal;
    t.notices = notices;
    t.poll_interval = Duration::from_millis(200);
    t.resolve_after = Duration::from_millis(300);
    t
}

/// The simulator's domestic orders by its truth: order number (no zero padding) -> the
/// truth's JSON of it.
pub fn truth_orders(kis: &Kis) -> BTreeMap<String, serde_json::Value> {
    let truth = kis.simulator_server().expect("simulator").truth();
    truth["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .filter(|o| o["market"] == "domestic")
        .map(|o| {
            let odno = o["odno"]
                .as_str()
                .unwrap()
                .trim_start_matches('0')
                .to_owned();
            (odno, o.clone())
        })
        .collect()
}

/// The simulator's own account (`MockServer::truth`): every domestic order's filled quantity
/// equals the ledger's for the same KIS order number, and the ledger has every one.
pub fn assert_ledger_matches_truth(kis: &Kis, views: &[OrderView]) {
    let server = truth_orders(kis);
    let mut seen = 0;
    for v in views {
        let mut filled = 0;
        for link in &v.chain {
            let key = link.odno.trim_start_matches('0');
            filled +=
                server
                    .get(key)
                    .unwrap_or_else(|| panic!("{key} of {} is not in the truth {server:?}", v.id))
                    ["filled_qty"]
                    .as_u64()
                    .unwrap();
            seen += 1;
        }
        assert_eq!(
            v.filled, filled,
            "{}: ledger {} truth {filled}",
            v.id, v.filled
        );
    }
    assert_eq!(
        seen,
        server.len(),
        "the ledger has every order of the truth"
    );
}

/// The simulator's holding of a domestic symbol (0 when none).
pub fn truth_position(kis: &Kis, symbol: &str) -> i64 {
    let truth = kis.simulator_server().expect("simulator").truth();
    truth["positions"]
        .as_array()
        .expect("positions")
        .iter()
        .find(|p| p["market"] == "domestic" && p["symbol"] == symbol)
        .map_or(0, |p| p["qty"].as_i64().unwrap())
}
