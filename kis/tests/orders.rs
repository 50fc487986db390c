//! Order handles over the ledger, against kis-mock over loopback. Each test ends by comparing
//! the ledger with the simulator's own account, read through its inquiry (the server's truth).

use std::collections::BTreeMap;
use std::time::Duration;

use kis::ledger::{OrderState, OrderView};
use kis::orders::JournalPlace;
use kis::{Error, Kis};
use kis_client::api::domestic_stock::inquire_daily_ccld::InquireDailyCcldRequest;
use kis_client::codes::{FillFilter, InqrDvsn3, SideFilter, SortOrder};
use kis_mock::{Fill, MockClock, MockConfig};
use rust_decimal_macros::dec;

mod common;
use common::{assert_ledger_matches_truth, fast, mock};

/// The simulator's account by its own daily-executions inquiry: odno -> (filled, remaining).
async fn server_orders(kis: &Kis) -> BTreeMap<String, (u64, u64, bool)> {
    let day = kis
        .simulator_server()
        .expect("simulator")
        .market_time()
        .date();
    let req = InquireDailyCcldRequest::within_3m(
        day,
        day,
        SideFilter::All,
        FillFilter::All,
        SortOrder::Ascending,
        InqrDvsn3::All,
    );
    let rows = kis
        .client()
        .rows(req)
        .await
        .expect("inquiry")
        .complete()
        .expect("complete");
    rows.rows
        .iter()
        .map(|r| {
            let n = |v: Option<&i64>| v.map_or(0, |q| *q as u64);
            (
                r.odno.raw().trim_start_matches('0').to_owned(),
                (
                    n(r.tot_ccld_qty.get()),
                    n(r.rmn_qty.get()),
                    r.cncl_yn.get().copied().unwrap_or(false),
                ),
            )
        })
        .collect()
}

/// Every KIS order number of every ledger order is on the server with the same filled
/// quantity in total, and no server order is missing from the ledger.
async fn assert_ledger_matches_server(kis: &Kis, views: &[OrderView]) {
    let server = server_orders(kis).await;
    let mut seen = 0;
    for v in views {
        let mut filled_on_server = 0;
        for link in &v.chain {
            let key = link.odno.trim_start_matches('0');
            let (filled, _, _) = server
                .get(key)
                .unwrap_or_else(|| panic!("{key} of {} not on the server: {server:?}", v.id));
            filled_on_server += filled;
            seen += 1;
        }
        assert_eq!(
            v.filled, filled_on_server,
            "{} filled: ledger {} server {}",
            v.id, v.filled, filled_on_server
        );
        assert_eq!(
            v.fills.iter().map(|f| f.qty).sum::<u64>(),
            v.filled,
            "{} fills add up",
            v.id
        );
    }
    assert_eq!(
        seen,
        server.len(),
        "every server order is in the ledger: {server:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limit_modify_price_then_quantity_then_cancel_follows_the_chain() {
    let kis = Kis::simulator_with(mock(Fill::Never))
        .await
        .unwrap()
        .with_trading(fast(JournalPlace::Memory, true));
    let account = kis.account().unwrap();
    let order = account
        .buy("005930", 10)
        .limit(dec!(60000))
        .submit()
        .await
        .unwrap();
    assert_eq!(order.state(), OrderState::Accepted);
    let v = order.modify_price(dec!(60100)).await.unwrap();
    assert_eq!(v.chain.len(), 2, "{v:?}");
    assert_eq!(v.price, Some(dec!(60100)));
    let v = order.modify_qty(4).await.unwrap();
    assert_eq!(v.remaining, 4, "{v:?}");
    order.cancel().await.unwrap();
    let done = order.wait_done(Duration::from_secs(5)).await.unwrap();
    assert_eq!(done.state, OrderState::Cancelled, "{done:?}");
    assert_eq!(done.filled, 0);
    assert!(order.cancel().await.is_err(), "a done order is not changed");
    assert_ledger_matches_server(&kis, &account.orders().await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_market_order_fills_and_the_fills_match_the_server() {
    let kis = Kis::simulator_with(mock(Fill::Market))
        .await
        .unwrap()
        .with_trading(fast(JournalPlace::Memory, true));
    let account = kis.account().unwrap();
    let order = account.buy("005930", 7).market().submit().await.unwrap();
    let v = order.wait_filled(Duration::from_secs(10)).await.unwrap();
    assert_eq!(v.filled, 7);
    assert!(v.avg_price.is_some());
    assert_ledger_matches_server(&kis, &account.orders().await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_notices_inquiries_carry_the_state() {
    // Paper sometimes sends no notices at all.
    let kis = Kis::simulator_with(mock(Fill::After(Duration::from_millis(300))))
        .await
        .unwrap()
        .with_trading(fast(JournalPlace::Memory, false));
    let account = kis.account().unwrap();
    let order = account.buy("000660", 3).market().submit().await.unwrap();
    let v = order.wait_filled(Duration::from_secs(10)).await.unwrap();
    assert_eq!(v.filled, 3);
    assert_ledger_matches_server(&kis, &account.orders().await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fills_during_websocket_drops_are_counted_exactly_once() {
    let kis = Kis::simulator_with(mock(Fill::After(Duration::from_millis(200))))
        .await
        .unwrap()
        .with_trading(fast(JournalPlace::Memory, true));
    let account = kis.account().unwrap();
    let sim = kis.simulator_server().unwrap();
    let mut orders = Vec::new();
    for (i, code) in ["005930", "000660", "035420", "005380"].iter().enumerate() {
        if i % 2 == 1 {
            sim.faults().drop_ws_after(0);
        }
        orders.push(
            account
                .buy(code, 2 + i as u64)
                .market()
                .submit()
                .await
                .unwrap(),
        );
    }
    for o in &orders {
        let v = o.wait_filled(Duration::from_secs(15)).await.unwrap();
        assert_eq!(v.filled, v.intent.qty, "{v:?}");
    }
    sim.faults().drop_ws_after(u64::MAX);
    // Let late notices and polls arrive: nothing may count twice.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_ledger_matches_server(&kis, &account.orders().await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kis_rejection_is_final_and_sends_nothing_again() {
    let kis = Kis::simulator_with(mock(Fill::Market))
        .await
        .unwrap()
        .with_trading(fast(JournalPlace::Memory, true));
    let account = kis.account().unwrap();
    let path = "/uapi/domestic-stock/v1/trading/order-cash";
    // Sell what the account does not hold.
    let err = account
        .sell("005930", 999_999)
        .market()
        .submit()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Client(_)), "{err:?}");
    assert!(!err.may_have_been_sent());
    let sent = kis.simulator_server().unwrap().stats().requests_to(path);
    assert_eq!(sent, 1);
    let views = account.orders().await.unwrap();
    assert_eq!(views.len(), 1);
    assert_eq!(views[0].state, OrderState::Rejected);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        kis.simulator_server().unwrap().stats().requests_to(path),
        1,
        "never re-sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_before_anything_is_sent() {
    let kis = Kis::simulator_with(mock(Fill::Market))
        .await
        .unwrap()
        .with_trading(fast(JournalPlace::Memory, true));
    let account = kis.account().unwrap();
    let cases = [
        (account.buy("005930", 0).market(), "quantity"),
        (account.buy(" ", 1).market(), "symbol"),
        (account.buy("5930", 1).market(), "symbol"),
        (account.buy("AAPL", 1).market(), "symbol"),
        (account.buy("005930 ", 1).market(), "symbol"),
        (account.buy("005930", 1).limit(dec!(72993)), "price"),
        // Multiples of 5 (an ETF's grid) but off this stock's: the symbol master knows.
        (account.buy("005930", 1).limit(dec!(73050)), "price"),
        (account.buy("005930", 1).limit(dec!(72995)), "price"),
        // Well-formed but not a listed product.
        (account.buy("999999", 1).market(), "symbol"),
        (account.buy("NASDAQ:AAPL", 1).limit(dec!(187.255)), "price"),
        (account.buy("NASDAQ:AAPL", 1).market(), "kind"),
        (account.buy("005930", 1), "kind"),
    ];
    for (builder, field) in cases {
        let e = builder.submit().await.unwrap_err();
        assert_eq!(e.field(), Some(field), "{e:?}");
    }
    let stats = kis.simulator_server().unwrap().stats();
    assert_eq!(
        stats.requests_to("/uapi/domestic-stock/v1/trading/order-cash"),
        0
    );
    assert_eq!(
        stats.requests_to("/uapi/overseas-stock/v1/trading/order"),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates_are_refused_and_idempotency_keys_return_the_first_order() {
    let kis = Kis::simulator_with(mock(Fill::Never))
        .await
        .unwrap()
        .with_trading(fast(JournalPlace::Memory, true));
    let account = kis.account().unwrap();
    let a = account
        .buy("005930", 1)
        .limit(dec!(60000))
        .idempotency_key("k-1")
        .submit()
        .await
        .unwrap();
    let again = account
        .buy("005930", 1)
        .limit(dec!(60000))
        .idempotency_key("k-1")
        .submit()
        .await
        .unwrap();
    assert_eq!(a.id(), again.id());
    assert_eq!(
        kis.simulator_server()
            .unwrap()
            .stats()
            .requests_to("/uapi/domestic-stock/v1/trading/order-cash"),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_that_may_have_been_sent_is_resolved_by_inquiry_and_sent_once() {
    let kis = Kis::simulator_with(mock(Fill::Market))
        .await
        .unwrap()
        .with_trading(fast(JournalPlace::Memory, false));
    let account = kis.account().unwrap();
    let path = "/uapi/domestic-stock/v1/trading/order-cash";
    let sim = kis.simulator_server().unwrap();
    // Make sure the desk is up (reconciled) before the fault.
    account.orders().await.unwrap();
    sim.faults().fail_path(path, 1); // a bare 500: KIS may or may not have it
    let order = account.buy("005930", 2).market().submit().await.unwrap();
    assert_eq!(order.state(), OrderState::Unknown);
    let v = order.wait_done(Duration::from_secs(10)).await.unwrap();
    // The mock's 500 never reached its book: the inquiry shows no such order.
    assert_eq!(v.state, OrderState::NotSent, "{v:?}");
    assert_eq!(
        sim.stats().requests_to(path),
        1,
        "resolved by asking, never by sending again"
    );
    assert_ledger_matches_server(&kis, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_on_the_same_journal_doubles_nothing_and_adopts_external_orders() {
    let dir = tempfile::tempdir().unwrap();
    let kis = Kis::simulator_with(mock(Fill::Market)).await.unwrap();
    let first = kis
        .clone()
        .with_trading(fast(JournalPlace::Dir(dir.path().into()), true));
    let account = first.account().unwrap();
    let a = account.buy("005930", 5).market().submit().await.unwrap();
    a.wait_filled(Duration::from_secs(10)).await.unwrap();
    let a_id = a.id();
    drop((a, account, first));
    // Wait for the first desk's task to let the journal go.
    tokio::time::sleep(Duration::from_millis(500)).await;

    // An order placed elsewhere (another program) while this one is down.
    kis.client()
        .send(
            kis_client::api::domestic_stock::order_cash::OrderCashRequest::buy(
                "000660",
                kis_client::codes::OrderType::Market,
                3,
                rust_decimal::Decimal::ZERO,
            ),
        )
        .await
        .unwrap();

    let second = kis.with_trading(fast(JournalPlace::Dir(dir.path().into()), true));
    let account = second.account().unwrap();
    let views = account.orders().await.unwrap();
    let a = views
        .iter()
        .find(|v| v.id == a_id)
        .expect("the journaled order");
    assert_eq!(a.filled, 5, "not doubled: {a:?}");
    let external = views
        .iter()
        .find(|v| v.external)
        .expect("the external order is adopted");
    assert_eq!(external.filled, 3);
    assert_ledger_matches_server(&second, &views).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_journal_refuses_orders_but_reads_work() {
    let dir = tempfile::tempdir().unwrap();
    let kis = Kis::simulator_with(mock(Fill::Market)).await.unwrap();
    let account_key = kis.account().unwrap().key().clone();
    {
        // A journal, then garbage over its middle.
        let mut j = kis::ledger::JournaledLedger::open(dir.path(), &account_key).unwrap();
        let id = j.ledger().next_id();
        let intent =
            kis::ledger::Intent::new(account_key.clone(), "005930", kis::ledger::Side::Buy, 1);
        j.apply(kis::ledger::Event::IntentRecorded { id, intent })
            .unwrap();
    }
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e != "lock") {
            let mut bytes = std::fs::read(&p).unwrap();
            let n = bytes.len();
            for b in &mut bytes[n / 3..n / 2] {
                *b = 0x5a;
            }
            std::fs::write(&p, bytes).unwrap();
        }
    }
    let kis = kis.with_trading(fast(JournalPlace::Dir(dir.path().into()), false));
    let account = kis.account().unwrap();
    let e = account
        .buy("005930", 1)
        .market()
        .submit()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Journal(_)), "{e:?}");
    assert_eq!(
        kis.simulator_server()
            .unwrap()
            .stats()
            .requests_to("/uapi/domestic-stock/v1/trading/order-cash"),
        0
    );
    // Reads keep working.
    kis.client()
        .send(
            kis_client::api::domestic_stock::inquire_price::InquirePriceRequest::new(
                kis_client::codes::Market::Krx,
                "005930",
            ),
        )
        .await
        .expect("a quote still works");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_executed_behind_a_500_is_unknown_then_accepted_by_inquiry_sent_once() {
    let kis = Kis::simulator_with(mock(Fill::Market))
        .await
        .unwrap()
        .with_trading(fast(JournalPlace::Memory, false));
    let account = kis.account().unwrap();
    let sim = kis.simulator_server().unwrap();
    account.orders().await.unwrap();
    // KIS executes the order but the answer is a 500: the client cannot know.
    sim.faults()
        .order_reply(kis_mock::OrderReplyFault::Http500, 1);
    let order = account.buy("005930", 4).market().submit().await.unwrap();
    // Unknown, unless the inquiry the desk starts at once has already found it.
    assert!(
        matches!(order.state(), OrderState::Unknown | OrderState::Filled),
        "{:?}",
        order.state()
    );
    let v = order.wait_filled(Duration::from_secs(10)).await.unwrap();
    assert_eq!((v.filled, v.chain.len()), (4, 1), "{v:?}");
    assert_eq!(
        sim.stats()
            .requests_to("/uapi/domestic-stock/v1/trading/order-cash"),
        1,
        "resolved by asking, never by sending again"
    );
    assert_ledger_matches_truth(&kis, &account.orders().await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notice_before_the_reply_and_duplicated_notices_count_once() {
    let kis = Kis::simulator_with(mock(Fill::Market))
        .await
        .unwrap()
        .with_trading(fast(JournalPlace::Memory, true));
    let account = kis.account().unwrap();
    let sim = kis.simulator_server().unwrap();
    account.orders().await.unwrap();
    sim.faults()
        .order_reply(kis_mock::OrderReplyFault::NoticeFirst, 2);
    sim.faults().duplicate_notices(10);
    let a = account.buy("005930", 5).market().submit().await.unwrap();
    let b = account.buy("000660", 2).market().submit().await.unwrap();
    for o in [&a, &b] {
        let v = o.wait_filled(Duration::from_secs(10)).await.unwrap();
        assert_eq!(v.filled, v.intent.qty, "{v:?}");
        assert!(!v.external, "the early notice joined our order: {v:?}");
    }
    // Late duplicates and polls change nothing.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let views = account.orders().await.unwrap();
    assert_eq!(views.len(), 2, "no order adopted twice: {views:?}");
    assert_ledger_matches_truth(&kis, &views);
}

/// A US limit order goes through the same API: placed on NASDAQ inside the New York session
/// (a fixed instant), moved, cancelled; the ledger agrees with the simulator's truth.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_us_order_is_placed_modified_and_cancelled_through_the_same_handle() {
    let mut mc = mock(Fill::Market);
    // Wednesday 2026-11-25, 11:00 in New York = 01:00 KST the next day.
    mc.clock = MockClock::Simulated {
        start: chrono::NaiveDate::from_ymd_opt(2026, 11, 26).and_then(|d| d.and_hms_opt(1, 0, 0)),
        speed: 1.0,
    };
    let kis = Kis::simulator_with(mc)
        .await
        .unwrap()
        .with_trading(fast(JournalPlace::Memory, true));
    let account = kis.account().unwrap();
    let q = kis
        .stock("NASDAQ:AAPL")
        .await
        .unwrap()
        .quote()
        .await
        .unwrap();
    let low = (q.price.amount() * dec!(0.8)).round_dp(2);
    let order = account
        .buy("NASDAQ:AAPL", 2)
        .limit(low)
        .submit()
        .await
        .unwrap();
    assert_eq!(order.state(), OrderState::Accepted);
    let v = order.modify_price(low + dec!(0.01)).await.unwrap();
    assert_eq!(v.chain.len(), 2, "{v:?}");
    order.cancel().await.unwrap();
    let done = order.wait_done(Duration::from_secs(5)).await.unwrap();
    assert_eq!(done.state, OrderState::Cancelled, "{done:?}");
    let truth = kis.simulator_server().unwrap().truth();
    let us: Vec<_> = truth["orders"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["market"] != "domestic")
        .collect();
    assert_eq!(us.len(), 3, "new, modify and cancel: {us:?}");
    let chain: Vec<_> = done
        .chain
        .iter()
        .map(|l| l.odno.trim_start_matches('0').to_owned())
        .collect();
    for o in us {
        let odno = o["odno"].as_str().unwrap().trim_start_matches('0');
        assert!(chain.iter().any(|c| c == odno), "{odno} not in {chain:?}");
        assert_eq!(o["filled_qty"].as_u64(), Some(0));
    }
}

/// A fresh process whose token comes from the disk cache has heard nothing from KIS: the desk
/// asks KIS's clock (one hashkey exchange) instead of failing or taking this machine's day.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_with_a_cached_token_learns_the_servers_day_before_reconciling() {
    let server = kis_mock::MockServer::start(mock(Fill::Market))
        .await
        .unwrap();
    let c = server.config();
    let cache = tempfile::tempdir().unwrap();
    let config = kis_client::Config::builder()
        .env(kis_client::Env::Paper)
        .app_key(c.app_key.clone())
        .app_secret(c.app_secret.clone())
        .account(c.account.clone())
        .hts_id(c.hts_id.clone())
        .rest_url(server.rest_url())
        .ws_url(server.ws_url())
        .rate_limit_per_sec(1000)
        .token_cache_dir(cache.path())
        .build()
        .unwrap();
    kis_client::Client::new(config.clone())
        .unwrap()
        .ensure_token()
        .await
        .unwrap();
    let fresh = kis_client::Client::new(config).unwrap();
    fresh.ensure_token().await.unwrap();
    assert_eq!(fresh.server_offset(), None, "the token came from the cache");
    let kis = Kis::with_client(fresh).with_trading(fast(JournalPlace::Memory, false));
    let order = kis
        .account()
        .unwrap()
        .buy("005930", 1)
        .market()
        .submit()
        .await
        .unwrap();
    order.wait_filled(Duration::from_secs(10)).await.unwrap();
    assert_eq!(
        kis.client().server_today(),
        Some(server.market_time().date())
    );
}

/// A simulator whose clock starts on `day` (December 2026) at 10:30 KST.
fn mock_on(day: u32, fill: Fill) -> MockConfig {
    let mut mc = mock(fill);
    mc.clock = MockClock::Simulated {
        start: chrono::NaiveDate::from_ymd_opt(2026, 12, day)
            .and_then(|d| d.and_hms_opt(10, 30, 0)),
        speed: 1.0,
    };
    mc
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_carried_to_the_next_day_ends_yesterday_and_keys_todays_numbers_apart() {
    let dir = tempfile::tempdir().unwrap();
    // Wednesday: one order fills, one rests open, one is lost behind a 500.
    let wednesday = Kis::simulator_with(mock_on(2, Fill::Never))
        .await
        .unwrap()
        .with_trading(fast(JournalPlace::Dir(dir.path().into()), false));
    let account = wednesday.account().unwrap();
    let resting = account
        .buy("005930", 7)
        .limit(dec!(60000))
        .submit()
        .await
        .unwrap();
    let resting_id = resting.id();
    let wed_numbers: Vec<String> = resting
        .view()
        .chain
        .iter()
        .map(|l| l.odno.clone())
        .collect();
    drop((resting, account, wednesday));

    // Thursday: KIS hands out order numbers from the start again.
    let thursday = Kis::simulator_with(mock_on(3, Fill::Never))
        .await
        .unwrap()
        .with_trading(fast(JournalPlace::Dir(dir.path().into()), false));
    let account = thursday.account().unwrap();
    let t0 = std::time::Instant::now();
    let views = loop {
        match account.orders().await {
            // Dropping the handle lets the journal go at once (it took 1.7 s while the
            // background task held the desk across its waits).
            Err(Error::Journal(_)) if t0.elapsed() < Duration::from_secs(1) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            other => break other.unwrap(),
        }
    };
    let old = views
        .iter()
        .find(|v| v.id == resting_id)
        .expect("journaled");
    assert_eq!(
        old.state,
        OrderState::Cancelled,
        "a day order ends with its day: {old:?}"
    );
    assert_eq!((old.remaining, old.cancelled), (0, 7));
    assert_eq!(old.day, chrono::NaiveDate::from_ymd_opt(2026, 12, 2));

    let today = account
        .buy("005930", 3)
        .limit(dec!(60000))
        .submit()
        .await
        .unwrap();
    let v = today.view();
    assert_eq!(
        v.chain.iter().map(|l| l.odno.clone()).collect::<Vec<_>>(),
        wed_numbers,
        "the simulator reuses yesterday's number, like KIS"
    );
    assert_eq!(v.state, OrderState::Accepted, "{v:?}");
    assert_eq!(v.last_error, None, "no clash with yesterday's order: {v:?}");
    let v = today.cancel().await.unwrap();
    assert!(v.state == OrderState::Cancelled || v.state == OrderState::PendingCancel);
    let done = today.wait_done(Duration::from_secs(5)).await.unwrap();
    assert_eq!(done.state, OrderState::Cancelled);
    // Yesterday's order is untouched by today's cancel of the same number.
    let old = account
        .order(resting_id)
        .await
        .unwrap()
        .expect("still in the ledger")
        .view();
    assert_eq!((old.state, old.cancelled), (OrderState::Cancelled, 7));
    let todays: Vec<OrderView> = account
        .orders()
        .await
        .unwrap()
        .into_iter()
        .filter(|v| v.day == chrono::NaiveDate::from_ymd_opt(2026, 12, 3))
        .collect();
    assert_ledger_matches_server(&thursday, &todays).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_journal_place_orders_are_refused_unsent_and_reads_work() {
    let kis = Kis::simulator_with(mock(Fill::Never))
        .await
        .unwrap()
        .with_trading(fast(
            JournalPlace::Unavailable("no journal directory".into()),
            false,
        ));
    let account = kis.account().unwrap();
    let err = account
        .buy("005930", 1)
        .limit(dec!(60000))
        .submit()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Journal(_)), "{err}");
    let truth = kis.simulator_server().unwrap().truth();
    assert!(
        truth["orders"].as_array().unwrap().is_empty(),
        "nothing was sent"
    );
    kis.stock("005930")
        .await
        .unwrap()
        .quote()
        .await
        .expect("reads work");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_accounts_trade_side_by_side_in_one_process_on_one_journal_directory() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = mock(Fill::Market);
    first.account = "11112222-01".into();
    let mut second = mock(Fill::Market);
    second.account = "33334444-01".into();
    second.hts_id = "otheruser".into();
    let a = Kis::simulator_with(first)
        .await
        .unwrap()
        .with_trading(fast(JournalPlace::Dir(dir.path().into()), true));
    let b = Kis::simulator_with(second)
        .await
        .unwrap()
        .with_trading(fast(JournalPlace::Dir(dir.path().into()), true));
    let (acct_a, acct_b) = (a.account().unwrap(), b.account().unwrap());
    assert_ne!(acct_a.key(), acct_b.key());
    let (oa, ob) = tokio::join!(
        acct_a.buy("005930", 3).market().submit(),
        acct_b.buy("000660", 2).market().submit()
    );
    let (oa, ob) = (oa.unwrap(), ob.unwrap());
    let (va, vb) = tokio::join!(
        oa.wait_filled(Duration::from_secs(10)),
        ob.wait_filled(Duration::from_secs(10))
    );
    assert_eq!((va.unwrap().filled, vb.unwrap().filled), (3, 2));
    // Each account's ledger has its own orders only, each equal to its own KIS.
    let (views_a, views_b) = (
        acct_a.orders().await.unwrap(),
        acct_b.orders().await.unwrap(),
    );
    assert_eq!((views_a.len(), views_b.len()), (1, 1));
    assert_eq!(views_a[0].intent.symbol, "005930");
    assert_eq!(views_b[0].intent.symbol, "000660");
    assert_ledger_matches_truth(&a, &views_a);
    assert_ledger_matches_truth(&b, &views_b);
    // One journal file per account, side by side, none showing a full number in its name.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".journal"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names
            .iter()
            .all(|n| !n.contains("11112222") && !n.contains("33334444"))
    );
}
