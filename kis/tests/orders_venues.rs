//! Domestic orders on NXT (넥스트레이드) and SOR (smart order routing), issue 24: through the
//! same `kis` API, the request carries the venue (`EXCG_ID_DVSN_CD`, recorded by kis-mock from
//! the request as `venue` in its truth, for the order and its modify and cancel), and the
//! ledger ends equal to the simulator. The paper service trades on KRX only: refused before
//! anything is sent.

mod common;

use std::time::Duration;

use common::*;
use kis::ledger::{OrderState, Venue};
use kis::orders::JournalPlace;
use kis::{Error, Kis};
use kis_mock::Fill;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nxt_and_sor_orders_go_through_with_their_venue_on_the_wire() {
    let kis = Kis::simulator_with(real_mock(Fill::Market))
        .await
        .unwrap()
        .with_trading(fast(JournalPlace::Memory, true));
    let account = kis.account().unwrap();
    // A market order on NXT fills.
    let nxt = account
        .buy("005930", 3)
        .market()
        .venue(Venue::Nxt)
        .submit()
        .await
        .unwrap();
    let v = nxt.wait_filled(Duration::from_secs(10)).await.unwrap();
    assert_eq!((v.filled, v.intent.venue), (3, Venue::Nxt));
    // A resting SOR limit order (at the lower limit) is modified and cancelled: every request
    // of its chain names SOR.
    let quote = kis.stock("000660").await.unwrap().quote().await.unwrap();
    let lower = quote.lower_limit.unwrap();
    let sor = account
        .buy("000660", 2)
        .venue(Venue::Sor)
        .limit(lower.amount())
        .submit()
        .await
        .unwrap();
    assert_eq!(sor.state(), OrderState::Accepted);
    sor.modify_qty(1).await.unwrap();
    sor.cancel().await.unwrap();
    let done = sor.wait_done(Duration::from_secs(10)).await.unwrap();
    assert_eq!(
        (done.state, done.filled, done.chain.len()),
        (OrderState::Cancelled, 0, 3),
        "{done:?}"
    );
    let truth = truth_orders(&kis);
    let venue_of = |odno: &str| truth[odno.trim_start_matches('0')]["venue"].clone();
    assert_eq!(venue_of(&v.chain[0].odno), "NXT");
    for link in &done.chain {
        assert_eq!(venue_of(&link.odno), "SOR", "{link:?}");
    }
    assert_eq!(truth.len(), 4);
    assert_ledger_matches_truth(&kis, &account.orders().await.unwrap());

    // An order placed elsewhere on NXT is adopted with its venue (the notice's `ORD_EXG_GB`
    // 2, or the row's `excg_id_dvsn_cd`).
    kis.client()
        .send(
            kis_client::api::domestic_stock::order_cash::OrderCashRequest::buy(
                "005930",
                kis_client::codes::OrderType::Market,
                1,
                rust_decimal::Decimal::ZERO,
            )
            .excg_id_dvsn_cd(kis_client::codes::ExchangeId::from_code("NXT")),
        )
        .await
        .unwrap();
    let mut external = None;
    for _ in 0..200 {
        external = account
            .orders()
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.external && o.filled == 1);
        if external.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let external = external.expect("the order placed elsewhere is adopted");
    assert_eq!(external.intent.venue, Venue::Nxt, "{external:?}");
    assert_ledger_matches_truth(&kis, &account.orders().await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nxt_on_the_paper_service_is_refused_before_anything_is_sent() {
    let kis = Kis::simulator_with(mock(Fill::Market))
        .await
        .unwrap()
        .with_trading(fast(JournalPlace::Memory, false));
    let account = kis.account().unwrap();
    for venue in [Venue::Nxt, Venue::Sor] {
        let e = account
            .buy("005930", 1)
            .market()
            .venue(venue)
            .submit()
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Invalid { field: "venue", .. }), "{e:?}");
    }
    let sim = kis.simulator_server().unwrap();
    assert_eq!(
        sim.stats()
            .requests_to("/uapi/domestic-stock/v1/trading/order-cash"),
        0
    );
    // KRX goes.
    let o = account.buy("005930", 1).market().submit().await.unwrap();
    o.wait_filled(Duration::from_secs(10)).await.unwrap();
}
