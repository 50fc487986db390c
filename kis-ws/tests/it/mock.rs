//! The session against kis-mock over loopback, with approval keys and orders through kis-client.

use std::time::Duration;

use futures::StreamExt;
use kis_client::api::domestic_stock::order_cash::OrderCashRequest;
use kis_client::codes::OrderType;
use kis_client::value::Decimal;
use kis_client::{Client, Config, Env};
use kis_mock::{MockConfig, MockEnv, MockServer};
use kis_ws::{AnyRecord, Backoff, Error, Event, EventStream, Options, Session};

struct Setup {
    mock: MockServer,
    client: Client,
    _cache: tempfile::TempDir,
}

async fn setup(mut mc: MockConfig) -> Setup {
    mc.rate_limit_per_sec = None;
    let env = match mc.env {
        MockEnv::Real => Env::Real,
        MockEnv::Paper => Env::Paper,
    };
    let mock = MockServer::start(mc).await.expect("mock starts");
    let c = mock.config();
    let cache = tempfile::tempdir().expect("tempdir");
    let config = Config::builder()
        .env(env)
        .app_key(c.app_key.clone())
        .app_secret(c.app_secret.clone())
        .account(c.account.clone())
        .hts_id(c.hts_id.clone())
        .rest_url(mock.rest_url())
        .ws_url(mock.ws_url())
        .rate_limit_per_sec(1000)
        .token_cache_dir(cache.path())
        .build()
        .expect("config");
    Setup {
        client: Client::new(config).expect("client"),
        mock,
        _cache: cache,
    }
}

fn fast_options() -> Options {
    let mut o = Options::default();
    o.backoff = Backoff {
        initial: Duration::from_millis(1),
        max: Duration::from_millis(5),
    };
    o.in_use_delay = Duration::from_millis(5);
    o
}

async fn wait_for(
    events: &mut EventStream<AnyRecord>,
    mut pred: impl FnMut(&Event<AnyRecord>) -> bool,
) -> Event<AnyRecord> {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let e = events.next().await.expect("stream ended");
            if pred(&e) {
                return e;
            }
        }
    })
    .await
    .expect("event did not arrive in time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribe_41_codes_typed_frames_for_each_and_42nd_refused() {
    let mc = MockConfig {
        data_interval: Some(Duration::from_millis(50)),
        ..MockConfig::default()
    };
    let s = setup(mc).await;
    let session = Session::connect(&s.client, fast_options()).await.unwrap();
    let mut events = session.events();
    let codes: Vec<String> = (0..42).map(|i| format!("{:06}", 100 + i * 7)).collect();
    for code in &codes[..41] {
        session
            .subscribe("H0STCNT0", code)
            .await
            .expect("subscribe");
    }
    let err = session.subscribe("H0STCNT0", &codes[41]).await.unwrap_err();
    assert!(
        matches!(err, Error::TooManySubscriptions { limit: 41 }),
        "{err:?}"
    );
    assert_eq!(s.mock.stats().ws_subscriptions, 41);

    let mut seen = std::collections::BTreeSet::new();
    while seen.len() < 41 {
        if let Event::Data {
            tr_id,
            tr_key,
            record: AnyRecord::H0stcnt0(r),
        } = wait_for(&mut events, |e| matches!(e, Event::Data { .. })).await
        {
            assert_eq!(&*tr_id, "H0STCNT0");
            let code = r.mksc_shrn_iscd.get().expect("code").to_string();
            assert_eq!(tr_key.as_deref(), Some(code.as_str()));
            assert!(codes[..41].contains(&code), "{code}");
            assert!(r.stck_prpr.get().is_some(), "typed price");
            seen.insert(code);
        }
    }
    session.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kis_refuses_the_42nd_with_a_typed_error_when_the_local_cap_is_higher() {
    let s = setup(MockConfig::default()).await;
    let mut o = fast_options();
    o.max_subscriptions = 50;
    let session = Session::connect(&s.client, o).await.unwrap();
    for i in 0..41 {
        session
            .subscribe("H0STCNT0", &format!("{:06}", i))
            .await
            .unwrap();
    }
    let err = session.subscribe("H0STCNT0", "999999").await.unwrap_err();
    assert!(matches!(err, Error::MaxSubscribeOver { .. }), "{err:?}");
    assert_eq!(session.subscriptions().await.unwrap().len(), 41);
    session.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encrypted_notice_decrypts_and_decodes_after_an_order() {
    let mut mc = MockConfig::paper();
    mc.data_interval = None;
    let s = setup(mc).await;
    let hts_id = s.client.config().hts_id().expect("hts id").to_owned();
    let session = Session::connect(&s.client, fast_options()).await.unwrap();
    // The real notice TR is refused locally on paper; the paper twin works.
    let e = session.subscribe("H0STCNI0", &hts_id).await.unwrap_err();
    assert!(matches!(e, Error::NotAvailable { .. }), "{e:?}");
    let mut events = session.events();
    session.subscribe("H0STCNI9", &hts_id).await.unwrap();

    let placed = s
        .client
        .send(OrderCashRequest::buy(
            "005930",
            OrderType::Limit,
            1,
            Decimal::from(70_000),
        ))
        .await
        .expect("order");
    let odno = placed
        .output
        .get()
        .expect("order output")
        .odno
        .raw()
        .into_owned();

    let Event::Data {
        tr_id,
        tr_key,
        record,
    } = wait_for(&mut events, |e| {
        matches!(e, Event::Data { .. } | Event::Error(_))
    })
    .await
    else {
        unreachable!()
    };
    assert_eq!(&*tr_id, "H0STCNI9");
    assert_eq!(tr_key.as_deref(), Some(hts_id.as_str()));
    let AnyRecord::H0stcni0(n) = record else {
        panic!("not a notice: {record:?}")
    };
    assert_eq!(
        n.cust_id.get().map(kis_ws::Text::as_str),
        Some(hts_id.as_str())
    );
    assert_eq!(n.oder_no.raw(), odno);
    assert_eq!(
        n.stck_shrn_iscd.get().map(kis_ws::Text::as_str),
        Some("005930")
    );
    assert!(s.mock.stats().notices_sent >= 1);
    session.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_forced_disconnects_restore_all_subscriptions() {
    let mc = MockConfig {
        data_interval: Some(Duration::from_millis(5)),
        ..MockConfig::default()
    };
    let s = setup(mc).await;
    let hts_id = s.client.config().hts_id().expect("hts id").to_owned();
    let session = Session::connect(&s.client, fast_options()).await.unwrap();
    let mut events = session.events();
    let subs = [
        ("H0STCNT0", "005930"),
        ("H0STCNT0", "000660"),
        ("H0STASP0", "005930"),
        ("H0STCNI0", hts_id.as_str()),
    ];
    for (tr, key) in subs {
        session.subscribe(tr, key).await.unwrap();
    }
    for _ in subs {
        wait_for(&mut events, |e| matches!(e, Event::Subscribed { .. })).await;
    }
    // Every session is dropped (no close frame) after its acks and a couple of frames.
    s.mock.faults().drop_ws_after(subs.len() as u64 + 2);
    let mut reconnects = 0;
    let mut lost = 0;
    while reconnects < 100 {
        match wait_for(&mut events, |e| {
            matches!(
                e,
                Event::Reconnected { .. }
                    | Event::SubscriptionLost { .. }
                    | Event::Subscribed { .. }
            )
        })
        .await
        {
            Event::Reconnected { resubscribed, .. } => {
                assert_eq!(resubscribed, subs.len(), "reconnect {reconnects}");
                reconnects += 1;
            }
            Event::SubscriptionLost { .. } => lost += 1,
            // A restore must never look like a new subscription.
            other => panic!("unexpected {other:?}"),
        }
    }
    s.mock.faults().clear();
    assert_eq!(lost, 0);
    let mut registered = session.subscriptions().await.unwrap();
    registered.sort();
    let mut want: Vec<(String, String)> = subs
        .iter()
        .map(|(t, k)| (t.to_string(), k.to_string()))
        .collect();
    want.sort();
    assert_eq!(registered, want);
    let stats = s.mock.stats();
    assert!(stats.ws_sessions >= 101, "{}", stats.ws_sessions);
    // Data keeps flowing after the storm.
    wait_for(&mut events, |e| matches!(e, Event::Data { .. })).await;
    session.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_frames_from_the_mock_are_error_events_and_the_stream_goes_on() {
    let mc = MockConfig {
        data_interval: Some(Duration::from_millis(10)),
        ..MockConfig::default()
    };
    let s = setup(mc).await;
    let session = Session::connect(&s.client, fast_options()).await.unwrap();
    let mut events = session.events();
    session.subscribe("H0STCNT0", "005930").await.unwrap();
    s.mock.faults().malformed_frames(5);
    let mut errors = 0;
    while errors < 5 {
        if let Event::Error(_) = wait_for(&mut events, |e| matches!(e, Event::Error(_))).await {
            errors += 1;
        }
    }
    wait_for(&mut events, |e| matches!(e, Event::Data { .. })).await;
    session.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_approval_key_is_renewed_through_the_client() {
    let s = setup(MockConfig::default()).await;
    let approvals = |s: &Setup| s.mock.stats().requests_to("/oauth2/Approval");
    let session = Session::connect(&s.client, fast_options()).await.unwrap();
    assert_eq!(approvals(&s), 1);
    s.mock.faults().refuse_approval(true);
    let err = session.subscribe("H0STCNT0", "005930").await.unwrap_err();
    assert!(matches!(err, Error::InvalidApproval { .. }), "{err:?}");
    // Each refusal was answered by renewing the key through the client.
    assert!(approvals(&s) >= 3, "{}", approvals(&s));
    s.mock.faults().refuse_approval(false);
    session.subscribe("H0STCNT0", "005930").await.unwrap();
    assert_eq!(session.subscriptions().await.unwrap().len(), 1);
    session.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn already_in_use_after_a_drop_backs_off_until_kis_frees_the_slot() {
    let s = setup(MockConfig::default()).await;
    let session = Session::connect(&s.client, fast_options()).await.unwrap();
    let mut events = session.events();
    session.subscribe("H0STCNT0", "005930").await.unwrap();
    // KIS keeps the app key's slot for a while after a drop: reconnects meet OPSP8996.
    s.mock
        .faults()
        .hold_session(Some(Duration::from_millis(150)));
    s.mock.faults().drop_ws_after(0);
    wait_for(&mut events, |e| matches!(e, Event::Disconnected { .. })).await;
    s.mock.faults().drop_ws_after(u64::MAX);
    let Event::Reconnected {
        attempts,
        resubscribed,
        downtime,
    } = wait_for(&mut events, |e| matches!(e, Event::Reconnected { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(resubscribed, 1);
    assert!(attempts >= 2, "attempts {attempts}");
    assert!(downtime >= Duration::from_millis(100), "{downtime:?}");
    assert!(s.mock.stats().ws_sessions >= 3);
    session.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pingpong_echo_keeps_the_session_alive() {
    // The mock drops a session that has not echoed PINGPONG for 150 ms; it pings every 20 ms.
    let mc = MockConfig {
        data_interval: None,
        ping_interval: Duration::from_millis(20),
        pong_timeout: Duration::from_millis(150),
        ..MockConfig::default()
    };
    let s = setup(mc).await;
    let mut o = fast_options();
    o.silence_timeout = Duration::from_millis(200);
    let session = Session::connect(&s.client, o).await.unwrap();
    let mut events = session.events();
    session.subscribe("H0STCNT0", "005930").await.unwrap();
    let outcome = tokio::time::timeout(
        Duration::from_millis(800),
        wait_for(&mut events, |e| matches!(e, Event::Disconnected { .. })),
    )
    .await;
    assert!(outcome.is_err(), "session dropped: {outcome:?}");
    let stats = s.mock.stats();
    assert!(stats.pings_sent >= 20, "pings {}", stats.pings_sent);
    assert_eq!(stats.ws_sessions, 1);
    session.close().await;
}

/// Filled quantity a realtime notice reports (`CNTG_YN` 2 = execution).
fn notice_fill(e: &Event<AnyRecord>) -> Option<(String, i64)> {
    match e {
        Event::Data {
            record: AnyRecord::H0stcni0(n),
            ..
        } if n.cntg_yn.raw() == "2" => Some((
            n.oder_no.raw().trim_start_matches('0').to_owned(),
            n.cntg_qty.raw().parse().ok()?,
        )),
        _ => None,
    }
}

/// A simulated server clock that starts at a fixed KST instant: tests never depend on the
/// machine's date (CI runs on weekends and holidays).
fn server_at(y: i32, m: u32, d: u32, h: u32, min: u32, sec: u32) -> kis_mock::MockClock {
    let at = chrono::NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|day| day.and_hms_opt(h, min, sec))
        .expect("a valid instant");
    kis_mock::MockClock::Simulated {
        start: Some(at),
        speed: 1.0,
    }
}

/// The drop comes before the mock's first `PINGPONG` (10 s), on a server whose day is a fixed
/// Wednesday, whatever this machine's date: the session knows the server's day from the
/// approval key's and the handshake's `Date` headers. (Before, it asked for this machine's
/// date until the first heartbeat: on Sunday 2026-12-06 it recovered nothing from a
/// simulator on Friday and this test failed.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_filled_during_a_drop_is_recovered_once() {
    let mut mc = MockConfig::paper();
    mc.clock = server_at(2026, 12, 2, 10, 30, 0);
    order_filled_during_a_drop_is_recovered_once(mc, false).await;
}

/// 7 shares of an order filled before the session connected: a later drop recovers only the
/// fill of the gap, never those 7 (the session takes a baseline of every order's filled
/// quantity through the recovery source when notices are subscribed). (Before, the recovery
/// after the drop reported the 7 as missed fills.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fills_from_before_the_session_are_never_recovered() {
    let mut mc = MockConfig::paper();
    mc.clock = server_at(2026, 12, 2, 10, 30, 0);
    order_filled_during_a_drop_is_recovered_once(mc, true).await;
}

/// The server's clock is known before any heartbeat and follows the server, not this machine:
/// on a Saturday, a Sunday, a KRX holiday, either side of KST midnight and at the 15:30 close.
/// The REST client learns it from the first answer's `Date` header; a session that gets its
/// approval key elsewhere learns it from the websocket handshake; a notice gap carries it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_day_is_known_before_any_heartbeat_on_any_day() {
    let instants = [
        ("Saturday", server_at(2026, 12, 5, 10, 30, 0)),
        ("Sunday", server_at(2026, 12, 6, 10, 30, 0)),
        (
            "Christmas (KRX holiday)",
            server_at(2026, 12, 25, 10, 30, 0),
        ),
        ("before KST midnight", server_at(2026, 12, 3, 23, 59, 59)),
        ("after KST midnight", server_at(2026, 12, 4, 0, 0, 1)),
        ("the 15:30 close", server_at(2026, 12, 4, 15, 30, 0)),
        ("New Year's Eve close", server_at(2026, 12, 31, 15, 30, 0)),
    ];
    for (label, clock) in instants {
        let mut mc = MockConfig::paper();
        mc.clock = clock;
        mc.data_interval = None;
        let s = setup(mc).await;
        let start = s.mock.market_time();
        assert_eq!(s.client.server_today(), None, "{label}: nothing heard yet");
        s.client.ensure_token().await.expect("token");
        let today = s.client.server_today().expect("the token answer's Date");
        let end = s.mock.market_time();
        assert!(
            (start.date()..=end.date()).contains(&today),
            "{label}: client says {today}, server {start}..{end}"
        );

        // A session with a key from elsewhere has only the handshake to go by.
        let key = s.client.approval_key().await.expect("approval key");
        let mut o = fast_options();
        o.env = kis_client::Env::Paper;
        o.url = Some(s.mock.ws_url());
        let session = Session::connect_with(kis_ws::StaticApprovalKey(key.expose().to_owned()), o)
            .await
            .expect("connect");
        let mut events = session.events();
        let hts_id = s.client.config().hts_id().expect("hts id").to_owned();
        session
            .subscribe("H0STCNI9", &hts_id)
            .await
            .expect("notices");
        session.close().await;
        let Event::NoticeGap(gap) =
            wait_for(&mut events, |e| matches!(e, Event::NoticeGap(_))).await
        else {
            unreachable!()
        };
        let (from, to) = gap
            .server_days(std::time::SystemTime::now())
            .unwrap_or_else(|| panic!("{label}: the gap has no server clock"));
        let end = s.mock.market_time();
        assert!(
            from <= start.date() && to >= end.date() && (to - from).num_days() <= 1,
            "{label}: gap days {from}..={to}, server {start}..{end}"
        );
    }
}

/// The same on a server whose trading day is not this machine's (a simulator a week back):
/// the recovery asks for the server's days, known from its `PINGPONG` `datetime`. (Before,
/// it asked for this machine's KST day and recovered nothing: found by the 10-minute soak,
/// which ran after KST midnight against a simulator on the previous day.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovery_asks_for_the_server_days_not_this_machines() {
    let mut mc = MockConfig::paper();
    mc.clock = kis_mock::MockClock::krx_session_before(5);
    mc.ping_interval = Duration::from_millis(100);
    order_filled_during_a_drop_is_recovered_once(mc, false).await;
}

/// `before_session`: an order of 7 shares fills before the session connects.
async fn order_filled_during_a_drop_is_recovered_once(mut mc: MockConfig, before_session: bool) {
    mc.data_interval = None;
    mc.fill = kis_mock::Fill::After(Duration::from_millis(300));
    let s = setup(mc).await;
    let hts_id = s.client.config().hts_id().expect("hts id").to_owned();
    let order_no = |placed: kis_client::api::domestic_stock::order_cash::OrderCashResponse| {
        let odno = placed.output.get().expect("order output").odno.raw();
        odno.trim_start_matches('0').to_owned()
    };
    let early = if before_session {
        let x = order_no(
            s.client
                .send(OrderCashRequest::buy(
                    "035420",
                    OrderType::Market,
                    7,
                    Decimal::ZERO,
                ))
                .await
                .expect("order X"),
        );
        // Accepted and filled: two notices generated, none sent (no session yet).
        tokio::time::timeout(Duration::from_secs(10), async {
            while s.mock.stats().notices_generated < 2 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .expect("order X fills");
        Some(x)
    } else {
        None
    };
    let mut o = fast_options();
    // Reconnect only after the order below has filled.
    o.backoff = Backoff {
        initial: Duration::from_millis(800),
        max: Duration::from_millis(800),
    };
    o.recovery = Some(kis_ws::Recovery(std::sync::Arc::new(
        kis_ws::RestRecovery::new(s.client.clone()),
    )));
    let session = Session::connect(&s.client, o).await.unwrap();
    let mut events = session.events();
    session.subscribe("H0STCNI9", &hts_id).await.unwrap();

    // Order A fills while connected: its notice arrives in realtime.
    let a = order_no(
        s.client
            .send(OrderCashRequest::buy(
                "005930",
                OrderType::Market,
                3,
                Decimal::ZERO,
            ))
            .await
            .expect("order A"),
    );
    let mut filled: std::collections::BTreeMap<String, i64> = Default::default();
    let mut realtime = 0;
    while filled.get(&a) != Some(&3) {
        let e = wait_for(&mut events, |e| notice_fill(e).is_some()).await;
        let (no, qty) = notice_fill(&e).unwrap();
        *filled.entry(no).or_default() += qty;
        realtime += 1;
    }

    // The connection drops at the mock's next message (order B's accept notice); B fills
    // 300 ms later, while the session waits 800 ms to reconnect.
    s.mock.faults().drop_ws_after(0);
    let b = order_no(
        s.client
            .send(OrderCashRequest::buy(
                "000660",
                OrderType::Market,
                2,
                Decimal::ZERO,
            ))
            .await
            .expect("order B"),
    );
    wait_for(&mut events, |e| matches!(e, Event::Disconnected { .. })).await;
    s.mock.faults().drop_ws_after(u64::MAX);

    let Event::NoticeGap(gap) = wait_for(&mut events, |e| matches!(e, Event::NoticeGap(_))).await
    else {
        unreachable!()
    };
    let to = gap.to.expect("gap end");
    assert!(to > gap.from);
    assert_eq!(gap.subscriptions, [("H0STCNI9".to_owned(), hts_id.clone())]);

    let Event::Recovered(r) = wait_for(&mut events, |e| matches!(e, Event::Recovered(_))).await
    else {
        unreachable!()
    };
    assert!(!r.realtime);
    assert_eq!(r.order.order_no.trim_start_matches('0'), b);
    assert_eq!(r.missing, 2.into());
    *filled
        .entry(r.order.order_no.trim_start_matches('0').to_owned())
        .or_default() += 2;

    // Nothing else is recovered and no notice repeats: each order counted exactly once.
    let quiet = tokio::time::timeout(Duration::from_millis(500), async {
        loop {
            match events.next().await {
                Some(Event::Recovered(r)) => panic!("recovered twice: {r:?}"),
                Some(e) => {
                    if let Some((no, qty)) = notice_fill(&e) {
                        *filled.entry(no).or_default() += qty;
                    }
                }
                None => return,
            }
        }
    })
    .await;
    assert!(quiet.is_err(), "stream ended early");
    assert_eq!(filled.get(&a), Some(&3));
    assert_eq!(filled.get(&b), Some(&2));
    if let Some(x) = early {
        assert_eq!(
            filled.get(&x),
            None,
            "a fill from before the session was reported"
        );
    }
    assert!(realtime >= 1);
    session.close().await;
}

/// A gap in overseas notices (`H0GSCNI9`) is recovered through overseas `inquire-ccnl`: the
/// session asks kis-mock (which checks the request against the spec) and the answer decodes.
/// kis-mock has no overseas order book, so its answer is KIS's "nothing to show" (one row with
/// no order and no fill): nothing is recovered and nothing fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overseas_notice_gap_asks_inquire_ccnl_and_recovers_nothing_unfilled() {
    let mut mc = MockConfig::paper();
    mc.data_interval = None;
    mc.ping_interval = Duration::from_millis(50);
    let s = setup(mc).await;
    let hts_id = s.client.config().hts_id().expect("hts id").to_owned();
    let mut o = fast_options();
    o.recovery = Some(kis_ws::Recovery(std::sync::Arc::new(
        kis_ws::RestRecovery::new(s.client.clone()),
    )));
    let session = Session::connect(&s.client, o).await.unwrap();
    let mut events = session.events();
    session.subscribe("H0GSCNI9", &hts_id).await.unwrap();
    let requests = |s: &Setup, path: &str| s.mock.stats().requests_to(path);
    let overseas = "/uapi/overseas-stock/v1/trading/inquire-ccnl";
    let domestic = "/uapi/domestic-stock/v1/trading/inquire-daily-ccld";
    assert_eq!(requests(&s, overseas), 0);

    // The mock's next message (its PINGPONG, every 50 ms here) drops the connection.
    s.mock.faults().drop_ws_after(0);
    wait_for(&mut events, |e| matches!(e, Event::Disconnected { .. })).await;
    s.mock.faults().drop_ws_after(u64::MAX);

    let Event::NoticeGap(gap) = wait_for(&mut events, |e| matches!(e, Event::NoticeGap(_))).await
    else {
        unreachable!()
    };
    assert_eq!(gap.subscriptions, [("H0GSCNI9".to_owned(), hts_id.clone())]);
    // Recovery runs in its own task: it asks the overseas inquiry, and only that one.
    tokio::time::timeout(Duration::from_secs(10), async {
        while requests(&s, overseas) == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("inquire-ccnl was asked");
    let outcome = tokio::time::timeout(Duration::from_millis(500), async {
        loop {
            match events.next().await {
                Some(e @ (Event::Recovered(_) | Event::RecoveryFailed { .. })) => return e,
                Some(_) => {}
                None => panic!("stream ended"),
            }
        }
    })
    .await;
    assert!(outcome.is_err(), "{outcome:?}");
    assert_eq!(requests(&s, domestic), 0);
    session.close().await;
}
