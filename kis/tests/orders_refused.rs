//! An order KIS accepts and the exchange then refuses (`RFUS_YN` 1, issue 24): the handle
//! comes back accepted and ends `Rejected`, equal to kis-mock's truth, whether the refusal
//! arrives as a notice or only through the daily executions (`rjct_qty` = `ord_qty`).

mod common;

use std::time::Duration;

use common::*;
use kis::Kis;
use kis::ledger::OrderState;
use kis::orders::JournalPlace;
use kis_mock::Fill;

async fn refused_then_normal(notices: bool) {
    let kis = Kis::simulator_with(mock(Fill::Market))
        .await
        .unwrap()
        .with_trading(fast(JournalPlace::Memory, notices));
    let account = kis.account().unwrap();
    let sim = kis.simulator_server().unwrap();
    account.orders().await.unwrap();
    sim.faults().refuse_orders(1);
    // KIS accepts it: the submit succeeds with an order number.
    let order = account.buy("005930", 4).market().submit().await.unwrap();
    assert!(
        matches!(order.state(), OrderState::Accepted | OrderState::Rejected),
        "{:?}",
        order.state()
    );
    let v = order.wait_done(Duration::from_secs(10)).await.unwrap();
    assert_eq!((v.state, v.filled), (OrderState::Rejected, 0), "{v:?}");
    assert_eq!(v.chain.len(), 1, "{v:?}");
    let truth = truth_orders(&kis);
    let odno = v.chain[0].odno.trim_start_matches('0');
    assert_eq!(truth[odno]["state"], "rejected", "{truth:?}");
    assert_eq!(truth[odno]["rejected_qty"], 4);
    // The next order is an ordinary one and fills.
    let next = account.buy("005930", 2).market().submit().await.unwrap();
    let n = next.wait_filled(Duration::from_secs(10)).await.unwrap();
    assert_eq!(n.filled, 2);
    // Later inquiries and notices leave the rejection as it is.
    account.reconcile().await.unwrap();
    let views = account.orders().await.unwrap();
    assert_eq!(views.len(), 2, "{views:?}");
    assert_eq!(views[0].state, OrderState::Rejected);
    // Which source told: the notice (it says RFUS_YN), or the inquiry's row alone.
    let by_notice = views[0]
        .last_error
        .as_deref()
        .is_some_and(|e| e.contains("RFUS_YN"));
    assert_eq!(by_notice, notices, "{:?}", views[0]);
    assert_ledger_matches_truth(&kis, &views);
    assert_eq!(
        sim.stats()
            .requests_to("/uapi/domestic-stock/v1/trading/order-cash"),
        2,
        "nothing is sent again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_notice_ends_the_order_rejected() {
    refused_then_normal(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_notices_the_inquiry_shows_the_refusal() {
    refused_then_normal(false).await;
}
