//! One `Kis` trading across KIS's day boundary against kis-mock over loopback: the simulator's
//! clock moves past KST midnight while the handle, its journal and its notice session live on.
//! KIS hands out the same order numbers again on the new day and ends yesterday's day orders;
//! the ledger must keep both days apart and end equal to the simulator's account.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::NaiveDate;
use common::*;
use kis::Kis;
use kis::ledger::{OrderState, OrderView, Side};
use kis::orders::JournalPlace;
use kis_mock::Fill;
use rust_decimal_macros::dec;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
}

/// The simulator's domestic orders by (day `YYYYMMDD`, order number without zero padding).
fn truth_by_day(kis: &Kis) -> BTreeMap<(String, String), serde_json::Value> {
    let truth = kis.simulator_server().expect("simulator").truth();
    truth["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .filter(|o| o["market"] == "domestic")
        .map(|o| {
            let odno = o["odno"].as_str().unwrap().trim_start_matches('0');
            (
                (o["day"].as_str().unwrap().to_owned(), odno.to_owned()),
                o.clone(),
            )
        })
        .collect()
}

/// Every KIS order number of every ledger order is in the truth under the order's own day
/// with the same filled quantity in total, the ledger knows every order of the truth, no
/// order carries an anomaly, and the positions the fills imply (from `start`) are the
/// simulator's.
fn assert_ledger_equals_truth(kis: &Kis, views: &[OrderView], start: i64) {
    let truth = truth_by_day(kis);
    let mut seen = 0;
    let mut implied = start;
    for v in views {
        // The one note a healthy ledger writes: a day order that ended with its day.
        let expired = format!("expired at the end of KIS's day {}", day(2));
        assert!(
            v.last_error.is_none() || v.last_error.as_deref() == Some(expired.as_str()),
            "no anomaly: {v:?}"
        );
        let d = v.day.expect("every order has its day").format("%Y%m%d");
        let mut filled = 0;
        for link in &v.chain {
            let key = (d.to_string(), link.odno.trim_start_matches('0').to_owned());
            let o = truth
                .get(&key)
                .unwrap_or_else(|| panic!("{key:?} of {} is not in the truth {truth:?}", v.id));
            filled += o["filled_qty"].as_u64().unwrap();
            seen += 1;
        }
        assert_eq!(
            v.filled, filled,
            "{}: ledger {} truth {filled}",
            v.id, v.filled
        );
        assert_eq!(
            v.fills.iter().map(|f| f.qty).sum::<u64>(),
            v.filled,
            "{v:?}"
        );
        implied += match v.intent.side {
            Side::Buy => v.filled as i64,
            Side::Sell => -(v.filled as i64),
        };
    }
    assert_eq!(seen, truth.len(), "the ledger has every order: {truth:?}");
    assert_eq!(
        implied,
        truth_position(kis, "005930"),
        "positions are equal"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_handle_trades_across_midnight_and_keeps_each_day_s_numbers_apart() {
    let dir = tempfile::tempdir().unwrap();
    // Wednesday 2026-12-02 10:30 KST; market orders fill at the book.
    // Notices carry the orders; no polling, so nothing tells the client KIS's new time
    // before the first order of the new day does.
    let mut options = fast(JournalPlace::Dir(dir.path().into()), true);
    options.poll_interval = Duration::from_secs(600);
    let kis = Kis::simulator_with(mock(Fill::Market))
        .await
        .unwrap()
        .with_trading(options);
    let account = kis.account().unwrap();
    let sim = kis.simulator_server().unwrap();
    let start = truth_position(&kis, "005930");

    // Day 1: a buy that fills, a buy that rests.
    let filled = account.buy("005930", 5).market().submit().await.unwrap();
    let filled_v = filled.wait_filled(Duration::from_secs(10)).await.unwrap();
    let resting = account
        .buy("005930", 7)
        .limit(dec!(60000))
        .submit()
        .await
        .unwrap();
    assert_eq!(resting.state(), OrderState::Accepted);
    let day1_numbers = [
        filled_v.chain[0].odno.clone(),
        resting.view().chain[0].odno.clone(),
    ];
    assert_eq!(
        account.reconcile().await.unwrap(),
        vec![],
        "no drift on day 1"
    );

    // KIS's clock runs into Thursday's session; the same handle goes on.
    let thursday = day(3).and_hms_opt(10, 30, 0).unwrap();
    sim.advance_clock_to(thursday).unwrap();
    // The client has not heard from KIS since: it still believes KIS is on Wednesday, so the
    // first order leaves keyed by Wednesday and its reply (dated Thursday) moves the ledger on.
    assert_eq!(kis.client().server_today(), Some(day(2)));

    // Day 2: the same two kinds of orders get the same numbers as yesterday's.
    let filled2 = account.buy("005930", 2).market().submit().await.unwrap();
    let filled2_v = filled2.wait_filled(Duration::from_secs(10)).await.unwrap();
    let resting2 = account
        .buy("005930", 3)
        .limit(dec!(60000))
        .submit()
        .await
        .unwrap();
    let day2_numbers = [
        filled2_v.chain[0].odno.clone(),
        resting2.view().chain[0].odno.clone(),
    ];
    assert_eq!(
        day2_numbers, day1_numbers,
        "KIS reuses the numbers each day"
    );
    assert_eq!(
        resting2.state(),
        OrderState::Accepted,
        "{:?}",
        resting2.view()
    );
    assert_eq!(filled2_v.day, Some(day(3)));
    assert_eq!(resting2.view().day, Some(day(3)));

    // Yesterday's resting order ended with its day, as the simulator says.
    let old = resting.view();
    assert_eq!(old.state, OrderState::Cancelled, "{old:?}");
    assert_eq!((old.filled, old.cancelled, old.remaining), (0, 7, 0));
    assert_eq!(old.day, Some(day(2)));
    assert_eq!(
        old.last_error.as_deref(),
        Some("expired at the end of KIS's day 2026-12-02")
    );
    let truth = truth_by_day(&kis);
    let key = (
        "20261202".to_owned(),
        day1_numbers[1].trim_start_matches('0').to_owned(),
    );
    assert_eq!(truth[&key]["state"], "expired", "{:?}", truth[&key]);
    let filled_old = filled.view();
    assert_eq!(
        (filled_old.state, filled_old.filled),
        (OrderState::Filled, 5)
    );

    // Today's resting order is today's: cancelling it leaves yesterday's alone.
    resting2.cancel().await.unwrap();
    let done = resting2.wait_done(Duration::from_secs(5)).await.unwrap();
    assert_eq!(done.state, OrderState::Cancelled, "{done:?}");
    assert_eq!(resting.view().cancelled, 7);

    assert_eq!(
        account.reconcile().await.unwrap(),
        vec![],
        "no drift on day 2"
    );
    assert_eq!(account.drift().await.unwrap(), vec![]);
    let views = account.orders().await.unwrap();
    assert_eq!(views.len(), 4, "{views:?}");
    assert!(views.iter().all(|v| !v.external), "{views:?}");
    assert_ledger_equals_truth(&kis, &views, start);
}
