//! Positions implied by fills against the balance (issue 24): fills the balance agrees with
//! are no drift; shares moved in without an order are exactly that drift, journaled and
//! visible on the account, and gone again when they move out. Against kis-mock over loopback.

mod common;

use std::time::Duration;

use common::*;
use kis::Kis;
use kis::ledger::Drift;
use kis::orders::JournalPlace;
use kis_mock::Fill;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fills_are_no_drift_and_a_transfer_is_exactly_its_drift() {
    let dir = tempfile::tempdir().unwrap();
    let base = Kis::simulator_with(mock(Fill::Market)).await.unwrap();
    let kis = base
        .clone()
        .with_trading(fast(JournalPlace::Dir(dir.path().into()), true));
    let account = kis.account().unwrap();
    let sim = base.simulator_server().unwrap();
    let start = truth_position(&kis, "005930");
    // The first reconciliation takes the day's holdings: nothing drifts.
    assert_eq!(account.drift().await.unwrap(), vec![]);
    let buy = account.buy("005930", 5).market().submit().await.unwrap();
    buy.wait_filled(Duration::from_secs(10)).await.unwrap();
    let sell = account.sell("005930", 2).market().submit().await.unwrap();
    sell.wait_filled(Duration::from_secs(10)).await.unwrap();
    assert_eq!(
        account.reconcile().await.unwrap(),
        vec![],
        "fills are no drift"
    );
    assert_eq!(truth_position(&kis, "005930"), start + 3);

    // Three shares arrive from another account: no order, no fill.
    assert_eq!(sim.transfer_shares("005930", 3), Ok((start + 6) as u64));
    let want = Drift {
        symbol: "005930".into(),
        day: "20261202".into(),
        expected: start + 3,
        actual: start + 6,
    };
    assert_eq!(account.reconcile().await.unwrap(), vec![want.clone()]);
    assert_eq!(account.drift().await.unwrap(), vec![want.clone()]);
    // Asking again changes nothing.
    assert_eq!(account.reconcile().await.unwrap(), vec![want.clone()]);
    // More fills move both sides alike: the drift stays what it was.
    let more = account.buy("005930", 1).market().submit().await.unwrap();
    more.wait_filled(Duration::from_secs(10)).await.unwrap();
    let moved = Drift {
        expected: start + 4,
        actual: start + 7,
        ..want.clone()
    };
    assert_eq!(account.reconcile().await.unwrap(), vec![moved.clone()]);
    assert_eq!(moved.qty(), 3);
    assert_ledger_matches_truth(&kis, &account.orders().await.unwrap());

    // Moved out again: the drift is gone.
    sim.transfer_shares("005930", -3).unwrap();
    assert_eq!(account.reconcile().await.unwrap(), vec![]);

    // The day's holdings are in the journal: a restart the same day keeps them, so shares
    // moved in while the process was down are drift at once.
    drop((buy, sell, more, account, kis));
    sim.transfer_shares("005930", 2).unwrap();
    let second = base.with_trading(fast(JournalPlace::Dir(dir.path().into()), true));
    let account = second.account().unwrap();
    let mut tries = 0;
    let drift = loop {
        // The first desk's task lets the journal go shortly after its handle is dropped.
        tries += 1;
        match account.drift().await {
            Err(kis::Error::Journal(why)) if why.contains("in use") && tries < 100 => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            other => break other.unwrap(),
        }
    };
    assert_eq!(
        drift,
        vec![Drift {
            expected: start + 4,
            actual: start + 6,
            ..want
        }]
    );
}

/// The race rule: a fill that lands between the reconciliation's executions inquiry and its
/// balance read is in the balance but not yet in the ledger. It is not drift: the executions
/// are asked again before anything is judged. (Notices off, so only inquiries teach the
/// ledger; the fill is an order placed elsewhere while the balance answer is held back.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fill_racing_the_balance_read_is_not_drift() {
    const CCLD: &str = "/uapi/domestic-stock/v1/trading/inquire-daily-ccld";
    const BALANCE: &str = "/uapi/domestic-stock/v1/trading/inquire-balance";
    let mut options = fast(JournalPlace::Memory, false);
    options.poll_interval = Duration::from_secs(600); // no background inquiry meanwhile
    let kis = Kis::simulator_with(mock(Fill::Market))
        .await
        .unwrap()
        .with_trading(options);
    let account = kis.account().unwrap();
    let sim = kis.simulator_server().unwrap();
    assert_eq!(account.drift().await.unwrap(), vec![]);
    let inquiries = sim.stats().requests_to(CCLD);
    let balances = sim.stats().requests_to(BALANCE);
    sim.faults().delay_path(BALANCE, Duration::from_millis(700));
    let racing = tokio::spawn({
        let account = account.clone();
        async move { account.reconcile().await }
    });
    // Once the reconciliation's inquiry was answered and its balance read is held back (it
    // is counted on arrival), another program buys 3 shares.
    while sim.stats().requests_to(BALANCE) == balances {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    kis.client()
        .send(
            kis_client::api::domestic_stock::order_cash::OrderCashRequest::buy(
                "005930",
                kis_client::codes::OrderType::Market,
                3,
                rust_decimal::Decimal::ZERO,
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        racing.await.unwrap().unwrap(),
        vec![],
        "no drift from a race"
    );
    assert_eq!(
        sim.stats().requests_to(CCLD),
        inquiries + 2,
        "the executions were asked again after the balance read"
    );
    sim.faults().delay_path(BALANCE, Duration::ZERO);
    assert_eq!(account.reconcile().await.unwrap(), vec![]);
    let views = account.orders().await.unwrap();
    assert_eq!(
        views.len(),
        1,
        "the order placed elsewhere is adopted: {views:?}"
    );
    assert_eq!(views[0].filled, 3);
    assert_ledger_matches_truth(&kis, &views);
}
