//! Session behaviour against the loopback fake server: subscriptions, cap, notices, PINGPONG,
//! bad frames, reconnects, approval refusal, `ALREADY IN USE`, slow consumers, close.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::StreamExt;
use futures::future::BoxFuture;
use kis_client::endpoint::Env;
use kis_ws::{
    ApprovalKeySource, Backoff, Error, Event, EventStream, Options, RawRecord, Session,
    StaticApprovalKey,
};

use crate::fake::{self, Fake};

fn options(fake: &Fake) -> Options {
    let mut o = Options::new(Env::Real);
    o.url = Some(fake.url.clone());
    o.catalog = fake::catalog();
    o.backoff = Backoff {
        initial: Duration::from_millis(1),
        max: Duration::from_millis(5),
    };
    o.in_use_delay = Duration::from_millis(5);
    o.ack_timeout = Duration::from_secs(5);
    o
}

async fn connect(_fake: &Fake, o: Options) -> Session {
    Session::connect_with(StaticApprovalKey("approval-1".into()), o)
        .await
        .expect("connect")
}

/// Waits for the first event matching `pred`, failing after 5 s.
async fn wait_for(
    events: &mut EventStream<RawRecord>,
    mut pred: impl FnMut(&Event<RawRecord>) -> bool,
) -> Event<RawRecord> {
    tokio::time::timeout(Duration::from_secs(5), async {
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

#[tokio::test]
async fn subscribes_41_codes_receives_each_and_refuses_the_42nd() {
    let fake = Fake::start(41).await;
    let session = connect(&fake, options(&fake)).await;
    let mut events = session.raw_events();
    let codes: Vec<String> = (0..42).map(|i| format!("{:06}", 5930 + i)).collect();
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
    assert_eq!(
        fake.stats.subscribe_msgs.load(Ordering::SeqCst),
        41,
        "42nd must not be sent"
    );

    let mut seen = std::collections::BTreeSet::new();
    while seen.len() < 41 {
        if let Event::Data {
            tr_id,
            tr_key,
            record,
        } = wait_for(&mut events, |e| matches!(e, Event::Data { .. })).await
        {
            assert_eq!(&*tr_id, "H0STCNT0");
            let fields: Vec<&str> = record.fields().collect();
            assert_eq!(fields.len(), 4);
            assert_eq!(tr_key.as_deref(), Some(fields[0]));
            seen.insert(fields[0].to_owned());
        }
    }
    assert_eq!(seen.len(), 41);
    assert_eq!(session.subscriptions().await.unwrap().len(), 41);
    session.close().await;
}

#[tokio::test]
async fn server_side_max_subscribe_over_is_a_typed_error() {
    let fake = Fake::start(2).await;
    let mut o = options(&fake);
    o.max_subscriptions = 10;
    let session = connect(&fake, o).await;
    session.subscribe("H0STCNT0", "000001").await.unwrap();
    session.subscribe("H0STCNT0", "000002").await.unwrap();
    let err = session.subscribe("H0STCNT0", "000003").await.unwrap_err();
    assert!(matches!(err, Error::MaxSubscribeOver { .. }), "{err:?}");
    assert!(err.is_subscription_limit());
    assert_eq!(session.subscriptions().await.unwrap().len(), 2);
    session.close().await;
}

#[tokio::test]
async fn duplicate_subscriptions_are_one_registration() {
    let fake = Fake::start(41).await;
    let session = connect(&fake, options(&fake)).await;
    let (a, b) = tokio::join!(
        session.subscribe("H0STCNT0", "005930"),
        session.subscribe("H0STCNT0", "005930")
    );
    a.unwrap();
    b.unwrap();
    session.subscribe("H0STCNT0", "005930").await.unwrap();
    assert_eq!(fake.stats.subscribe_msgs.load(Ordering::SeqCst), 1);
    assert_eq!(fake.stats.duplicates.load(Ordering::SeqCst), 0);
    session.close().await;
}

#[tokio::test]
async fn local_rejections_send_nothing() {
    let fake = Fake::start(41).await;
    let mut o = options(&fake);
    o.env = Env::Paper;
    let session = connect(&fake, o).await;
    let e = session.subscribe("H0STCNI0", "hts1").await.unwrap_err();
    assert!(matches!(e, Error::NotAvailable { .. }), "{e:?}");
    let e = session.subscribe("H0NOPE00", "005930").await.unwrap_err();
    assert!(matches!(e, Error::UnknownTr { .. }), "{e:?}");
    let e = session.subscribe("H0STCNT0", "").await.unwrap_err();
    assert!(matches!(e, Error::InvalidTrKey { .. }), "{e:?}");
    session.subscribe("H0STCNI9", "hts1").await.unwrap();
    assert_eq!(fake.stats.subscribe_msgs.load(Ordering::SeqCst), 1);
    session.close().await;

    // And the paper twin on the real service.
    let session = connect(&fake, options(&fake)).await;
    let e = session.subscribe("H0STCNI9", "hts1").await.unwrap_err();
    assert!(
        matches!(&e, Error::NotAvailable { env: Env::Real, .. }),
        "{e:?}"
    );
    assert_eq!(fake.stats.subscribe_msgs.load(Ordering::SeqCst), 1);
    session.close().await;
}

#[tokio::test]
async fn encrypted_notices_are_decrypted_with_the_ack_key() {
    let fake = Fake::start(41).await;
    let session = connect(&fake, options(&fake)).await;
    let mut events = session.raw_events();
    session.subscribe("H0STCNI0", "hts1").await.unwrap();
    let Event::Data {
        tr_id,
        tr_key,
        record,
    } = wait_for(&mut events, |e| matches!(e, Event::Data { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(&*tr_id, "H0STCNI0");
    assert_eq!(tr_key.as_deref(), Some("hts1"));
    assert_eq!(record.as_str(), "hts1^0000012345^10");
    session.close().await;
}

#[tokio::test]
async fn pingpong_is_echoed_and_bad_frames_are_error_events() {
    let fake = Fake::start(41).await;
    let session = connect(&fake, options(&fake)).await;
    let mut events = session.raw_events();
    session.subscribe("H0STCNT0", "005930").await.unwrap();
    wait_for(&mut events, |e| matches!(e, Event::Data { .. })).await;

    fake.send(r#"{"header":{"tr_id":"PINGPONG","datetime":"20260625093000"}}"#);
    for bad in [
        "0|H0STCNT0|002|a^b^c",            // wrong field count
        "0|H0XXXXX0|001|a",                // unknown TR
        "1|H0STCNT0|001|bm90IGNpcGhlcg==", // encrypted without a key for the TR
        "garbage",
        "{\"header\":",
    ] {
        fake.send(bad);
    }
    let mut errors = 0;
    while errors < 5 {
        if let Event::Error(_) = wait_for(&mut events, |e| matches!(e, Event::Error(_))).await {
            errors += 1;
        }
    }
    fake.send(fake::data_frame("H0STCNT0", "005930"));
    wait_for(&mut events, |e| matches!(e, Event::Data { .. })).await;
    assert_eq!(fake.stats.pongs.load(Ordering::SeqCst), 1);
    session.close().await;
}

#[tokio::test]
async fn multi_record_frames_yield_every_record() {
    let fake = Fake::start(41).await;
    let session = connect(&fake, options(&fake)).await;
    let mut events = session.raw_events();
    session.subscribe("H0STCNT0", "005930").await.unwrap();
    session.subscribe("H0STCNT0", "000660").await.unwrap();
    fake.send("0|H0STCNT0|003|005930^1^2^3^000660^4^5^6^005930^7^8^9");
    let mut got = Vec::new();
    while got.len() < 3 {
        if let Event::Data { tr_key, record, .. } = wait_for(&mut events, |e| {
            matches!(e, Event::Data { record, .. } if record.fields().count() == 4 && !record.as_str().contains("093000"))
        })
        .await
        {
            got.push((tr_key.unwrap().to_string(), record.as_str().to_owned()));
        }
    }
    assert_eq!(
        got,
        [
            ("005930".to_owned(), "005930^1^2^3".to_owned()),
            ("000660".to_owned(), "000660^4^5^6".to_owned()),
            ("005930".to_owned(), "005930^7^8^9".to_owned()),
        ]
    );
    session.close().await;
}

#[tokio::test]
async fn hundred_forced_disconnects_restore_everything() {
    let fake = Fake::start(41).await;
    let session = connect(&fake, options(&fake)).await;
    let mut events = session.raw_events();
    let codes = ["005930", "000660", "035420", "051910", "006400"];
    for c in codes {
        session.subscribe("H0STCNT0", c).await.unwrap();
    }
    session.subscribe("H0STCNI0", "hts1").await.unwrap();
    for round in 1..=100 {
        fake.drop_all();
        let e = wait_for(&mut events, |e| matches!(e, Event::Reconnected { .. })).await;
        let Event::Reconnected {
            resubscribed,
            attempts,
            ..
        } = e
        else {
            unreachable!()
        };
        assert_eq!(resubscribed, 6, "round {round}");
        assert!(attempts >= 1);
        let current = fake.stats.current.lock().unwrap().clone();
        assert_eq!(current.len(), 6, "round {round}: {current:?}");
    }
    assert_eq!(fake.stats.connections.load(Ordering::SeqCst), 101);
    assert_eq!(fake.stats.subscribe_msgs.load(Ordering::SeqCst), 6 * 101);
    assert_eq!(fake.stats.duplicates.load(Ordering::SeqCst), 0);
    assert_eq!(session.subscriptions().await.unwrap().len(), 6);
    // Data still flows and notices still decrypt (keys refreshed from the new acks).
    fake.send(fake::data_frame("H0STCNI0", "hts1"));
    wait_for(
        &mut events,
        |e| matches!(e, Event::Data { record, .. } if record.as_str() == "hts1^0000012345^10"),
    )
    .await;
    session.close().await;
}

#[tokio::test]
async fn silence_triggers_a_reconnect() {
    let fake = Fake::start(41).await;
    let mut o = options(&fake);
    o.silence_timeout = Duration::from_millis(300);
    let session = connect(&fake, o).await;
    let mut events = session.raw_events();
    session.subscribe("H0STCNT0", "005930").await.unwrap();
    let Event::Disconnected { reason } =
        wait_for(&mut events, |e| matches!(e, Event::Disconnected { .. })).await
    else {
        unreachable!()
    };
    assert!(reason.contains("no message"), "{reason}");
    let Event::Reconnected { resubscribed, .. } =
        wait_for(&mut events, |e| matches!(e, Event::Reconnected { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(resubscribed, 1);
    session.close().await;
}

struct CountingSource {
    issued: Arc<AtomicUsize>,
}

impl ApprovalKeySource for CountingSource {
    fn approval_key(&self, fresh: bool) -> BoxFuture<'_, Result<String, Error>> {
        let n = if fresh || self.issued.load(Ordering::SeqCst) == 0 {
            self.issued.fetch_add(1, Ordering::SeqCst) + 1
        } else {
            self.issued.load(Ordering::SeqCst)
        };
        Box::pin(async move { Ok(format!("approval-{n}")) })
    }
}

#[tokio::test]
async fn refused_approval_key_is_replaced() {
    let fake = Fake::start(41).await;
    fake.refused_keys.lock().unwrap().push("approval-1".into());
    let issued = Arc::new(AtomicUsize::new(0));
    let session = Session::connect_with(
        CountingSource {
            issued: issued.clone(),
        },
        options(&fake),
    )
    .await
    .unwrap();
    session.subscribe("H0STCNT0", "005930").await.unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 2);
    assert_eq!(
        fake.stats.keys_seen.lock().unwrap().last().unwrap(),
        "approval-2"
    );
    session.close().await;
}

#[tokio::test]
async fn approval_refused_for_good_fails_the_subscribe() {
    let fake = Fake::start(41).await;
    for n in 1..=10 {
        fake.refused_keys
            .lock()
            .unwrap()
            .push(format!("approval-{n}"));
    }
    let issued = Arc::new(AtomicUsize::new(0));
    let session = Session::connect_with(
        CountingSource {
            issued: issued.clone(),
        },
        options(&fake),
    )
    .await
    .unwrap();
    let err = session.subscribe("H0STCNT0", "005930").await.unwrap_err();
    assert!(matches!(err, Error::InvalidApproval { .. }), "{err:?}");
    session.close().await;
}

#[tokio::test]
async fn unsubscribe_and_close_are_clean() {
    let fake = Fake::start(41).await;
    let session = connect(&fake, options(&fake)).await;
    let mut events = session.raw_events();
    session.subscribe("H0STCNT0", "005930").await.unwrap();
    session.subscribe("H0STCNT0", "000660").await.unwrap();
    session.unsubscribe("H0STCNT0", "000660").await.unwrap();
    assert_eq!(fake.stats.unsubscribe_msgs.load(Ordering::SeqCst), 1);
    assert_eq!(
        session.subscriptions().await.unwrap(),
        [("H0STCNT0".to_owned(), "005930".to_owned())]
    );
    session.close().await;
    assert_eq!(fake.stats.unsubscribe_msgs.load(Ordering::SeqCst), 2);
    // The stream delivers what it holds, then ends.
    let rest: Vec<_> =
        tokio::time::timeout(Duration::from_secs(5), events.by_ref().collect::<Vec<_>>())
            .await
            .expect("stream must end after close");
    assert!(
        rest.iter()
            .any(|e| matches!(e, Event::Unsubscribed { tr_key, .. } if tr_key == "005930"))
    );
}

#[tokio::test]
async fn slow_consumer_sees_lagged_and_never_loses_notices() {
    let fake = Fake::start(41).await;
    let mut o = options(&fake);
    o.data_buffer = 8;
    let session = connect(&fake, o).await;
    let mut events = session.raw_events();
    session.subscribe("H0STCNT0", "005930").await.unwrap();
    session.subscribe("H0STCNI0", "hts1").await.unwrap();
    for i in 0..100 {
        fake.send(format!("0|H0STCNT0|001|005930^{i}^1^1"));
    }
    fake.send(fake::data_frame("H0STCNI0", "hts1"));
    // Let the connection task queue everything before reading.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut dropped = 0;
    let mut notices = 0;
    let mut market = 0;
    while notices < 2 {
        match wait_for(&mut events, |_| true).await {
            Event::Lagged { dropped: d } => dropped += d,
            Event::Data { tr_id, .. } if &*tr_id == "H0STCNI0" => notices += 1,
            Event::Data { .. } => market += 1,
            _ => {}
        }
    }
    assert!(dropped > 0, "expected Lagged");
    assert!(market <= 8 + 2, "market {market}");
    session.close().await;
}

#[tokio::test]
async fn typed_record_stream_filters_one_tr() {
    struct Cnt(Vec<String>);
    impl kis_ws::Record for Cnt {
        const TR_IDS: &'static [&'static str] = &["H0STCNT0"];
        const COLUMNS: &'static [&'static str] = &fake::CNT_COLUMNS;
        const ENCRYPTED: bool = false;
        fn parse(record: &str) -> Self {
            Cnt(kis_ws::frame::Fields::new(record)
                .map(str::to_owned)
                .collect())
        }
    }
    let fake = Fake::start(41).await;
    let session = connect(&fake, options(&fake)).await;
    let mut cnt = session.records::<Cnt>();
    session.subscribe("H0STCNI0", "hts1").await.unwrap();
    session.subscribe("H0STCNT0", "005930").await.unwrap();
    let rec = tokio::time::timeout(Duration::from_secs(5), cnt.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(rec.0, ["005930", "093000", "71000", "5"]);
    session.close().await;
    assert!(cnt.next().await.is_none());
}

#[tokio::test]
async fn unread_initial_buffer_never_stalls_the_session() {
    let fake = Fake::start(41).await;
    let mut o = options(&fake);
    o.notice_buffer = 4;
    let session = connect(&fake, o).await;
    // Nobody calls events(): the session's initial buffer fills with state events.
    for i in 0..20 {
        let code = format!("{i:06}");
        session.subscribe("H0STCNT0", &code).await.unwrap();
        session.unsubscribe("H0STCNT0", &code).await.unwrap();
    }
    assert!(session.subscriptions().await.unwrap().is_empty());
    session.close().await;
}

const PING: &str = r#"{"header":{"tr_id":"PINGPONG","datetime":"20260625093000"}}"#;

#[tokio::test]
async fn a_consumer_that_never_reads_stalls_nobody() {
    let fake = Fake::start(41).await;
    let mut o = options(&fake);
    o.notice_buffer = 256;
    let session = connect(&fake, o).await;
    let mut stalled = session.raw_events();
    let mut reader = session.raw_events();
    session.subscribe("H0STCNI0", "hts1").await.unwrap();
    session.subscribe("H0STCNT0", "005930").await.unwrap();
    let pongs_before = fake.stats.pongs.load(Ordering::SeqCst);
    for i in 0..400 {
        fake.send(fake::data_frame("H0STCNI0", "hts1"));
        fake.send(format!("0|H0STCNT0|001|005930^{i}^1^1"));
        if i % 8 == 0 {
            fake.send(PING);
        }
    }
    // The reader gets every notice (1 after the subscribe + 400) while the other never reads.
    let mut notices = 0;
    while notices < 401 {
        if let Event::Data { tr_id, .. } = wait_for(&mut reader, |_| true).await {
            if &*tr_id == "H0STCNI0" {
                notices += 1;
            }
        }
    }
    // Every PINGPONG was echoed, promptly.
    tokio::time::timeout(Duration::from_secs(1), async {
        while fake.stats.pongs.load(Ordering::SeqCst) < pongs_before + 50 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("PINGPONG echoes");
    // The stalled stream delivers what it held, then says it was ended, then ends.
    let mut held = 0;
    let mut overflow = None;
    while let Some(e) = tokio::time::timeout(Duration::from_secs(5), stalled.next())
        .await
        .expect("stalled stream ends")
    {
        match e {
            Event::Overflowed {
                capacity,
                not_delivered,
            } => overflow = Some((capacity, not_delivered)),
            Event::Data { .. } | Event::Subscribed { .. } => held += 1,
            _ => {}
        }
    }
    let (capacity, not_delivered) = overflow.expect("Overflowed event");
    assert_eq!(capacity, 256);
    assert!(not_delivered > 0);
    assert!(held >= 256, "held {held}");
    session.close().await;
}

#[tokio::test]
async fn close_with_a_stalled_consumer_and_a_silent_server_is_bounded() {
    let fake = Fake::start(41).await;
    let mut o = options(&fake);
    o.notice_buffer = 2;
    o.close_timeout = Duration::from_millis(300);
    let session = connect(&fake, o).await;
    let _stalled = session.raw_events();
    session.subscribe("H0STCNI0", "hts1").await.unwrap();
    for _ in 0..20 {
        fake.send(fake::data_frame("H0STCNI0", "hts1"));
    }
    // The server will never confirm the unsubscribe.
    fake.mute.store(true, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    session.close().await;
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(250), "{took:?}");
    assert!(took < Duration::from_millis(1300), "{took:?}");
}

#[tokio::test]
async fn already_in_use_is_typed_and_backs_off() {
    let fake = Fake::start(41).await;
    let mut o = options(&fake);
    o.in_use_delay = Duration::from_millis(50);
    let session = connect(&fake, o).await;
    let mut events = session.raw_events();
    // The next two connections answer their first subscribe with OPSP8996.
    fake.in_use.store(2, Ordering::SeqCst);
    fake.drop_all();
    wait_for(&mut events, |e| matches!(e, Event::Reconnected { .. })).await;
    let err = session.subscribe("H0STCNT0", "005930").await.unwrap_err();
    assert!(matches!(err, Error::AlreadyInUse { .. }), "{err:?}");
    let Event::AlreadyInUse { refusals, retry_in } =
        wait_for(&mut events, |e| matches!(e, Event::AlreadyInUse { .. })).await
    else {
        unreachable!()
    };
    assert_eq!((refusals, retry_in), (1, Duration::from_millis(50)));
    // The second refusal waits twice as long.
    let Event::AlreadyInUse { refusals, retry_in } =
        wait_for(&mut events, |e| matches!(e, Event::AlreadyInUse { .. })).await
    else {
        unreachable!()
    };
    assert_eq!((refusals, retry_in), (2, Duration::from_millis(100)));
    // Then the registration, kept, goes through.
    wait_for(&mut events, |e| matches!(e, Event::Subscribed { .. })).await;
    assert_eq!(fake.stats.current.lock().unwrap().len(), 1);
    assert_eq!(session.subscriptions().await.unwrap().len(), 1);
    session.close().await;
}

#[tokio::test]
async fn an_oversized_message_drops_the_connection_not_the_session() {
    let fake = Fake::start(41).await;
    let mut o = options(&fake);
    o.max_message_size = 4096;
    let session = connect(&fake, o).await;
    let mut events = session.raw_events();
    session.subscribe("H0STCNT0", "005930").await.unwrap();
    fake.send(format!("0|H0STCNT0|001|{}", "9".repeat(10_000)));
    let Event::Disconnected { reason } =
        wait_for(&mut events, |e| matches!(e, Event::Disconnected { .. })).await
    else {
        unreachable!()
    };
    assert!(
        reason.contains("too long") || reason.contains("size"),
        "{reason}"
    );
    wait_for(&mut events, |e| matches!(e, Event::Reconnected { .. })).await;
    fake.send("0|H0STCNT0|001|005930^1^2^3");
    wait_for(
        &mut events,
        |e| matches!(e, Event::Data { record, .. } if record.as_str() == "005930^1^2^3"),
    )
    .await;
    session.close().await;
}

#[tokio::test]
async fn a_lost_restore_ack_does_not_hide_later_disconnects() {
    let fake = Fake::start(41).await;
    let mut o = options(&fake);
    o.ack_timeout = Duration::from_millis(300);
    let session = connect(&fake, o).await;
    let mut events = session.raw_events();
    session.subscribe("H0STCNT0", "005930").await.unwrap();
    fake.mute.store(true, Ordering::SeqCst);
    fake.drop_all();
    wait_for(&mut events, |e| matches!(e, Event::Disconnected { .. })).await;
    // The restore is never answered: the gap still closes.
    let Event::Reconnected { resubscribed, .. } =
        wait_for(&mut events, |e| matches!(e, Event::Reconnected { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(resubscribed, 0);
    fake.mute.store(false, Ordering::SeqCst);
    fake.drop_all();
    wait_for(&mut events, |e| matches!(e, Event::Disconnected { .. })).await;
    wait_for(&mut events, |e| matches!(e, Event::Reconnected { .. })).await;
    session.close().await;
}

/// KIS answers a wrong HTS ID on a notice subscription with an error that names no request
/// (`tr_id` the literal `(null)`, no `tr_key`), and a malformed request or a bad `tr_key`
/// the same way; failure `rt_cd`s are `1`, `2`, `7` and `9`. Each fails the subscribe that
/// waits, with a typed error naming the cause. (Before, these were `Event::Notice`s matched
/// to no subscription: the caller timed out and the registration stayed.)
#[tokio::test]
async fn kis_errors_that_name_no_request_fail_the_waiting_subscribe() {
    let fake = Fake::start(41).await;
    let mut o = options(&fake);
    o.ack_timeout = Duration::from_secs(2);
    let session = connect(&fake, o).await;
    let mut events = session.raw_events();
    let answer = |text: &str| fake.answers.lock().unwrap().push_back(text.to_owned());

    answer(
        r#"{"header":{"tr_id":"(null)"},"body":{"rt_cd":"9","msg_cd":"OPSP0017","msg1":"ERROR : htsid가잘못되었습니다"}}"#,
    );
    let err = session
        .subscribe("H0STCNI0", "not-my-id")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidHtsId { tr_id, msg_cd, .. } if tr_id == "H0STCNI0" && msg_cd == "OPSP0017"),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("configured HTS ID"), "{text}");
    assert!(
        !text.contains("not-my-id"),
        "the HTS ID is not repeated: {text}"
    );

    answer(
        r#"{"header":{"tr_id":""},"body":{"rt_cd":"9","msg_cd":"OPSP9999","msg1":"JSON PARSING ERROR"}}"#,
    );
    let err = session.subscribe("H0STCNT0", "005930").await.unwrap_err();
    assert!(matches!(err, Error::MalformedRequest { .. }), "{err:?}");

    answer(
        r#"{"header":{"tr_id":"(null)","tr_key":""},"body":{"rt_cd":"1","msg_cd":"OPSP8993","msg1":"JSON PARSING ERROR : invalid tr_key"}}"#,
    );
    let err = session.subscribe("H0STCNT0", "005930").await.unwrap_err();
    assert!(matches!(err, Error::TrKeyRefused { .. }), "{err:?}");

    for rt in ["2", "7"] {
        answer(&format!(
            r#"{{"header":{{"tr_id":"H0STCNT0","tr_key":"005930","encrypt":"N"}},"body":{{"rt_cd":"{rt}","msg_cd":"OPSP0007","msg1":"SYSTEM ERROR"}}}}"#
        ));
        let err = session.subscribe("H0STCNT0", "005930").await.unwrap_err();
        assert!(matches!(err, Error::Refused { .. }), "rt_cd {rt}: {err:?}");
    }
    assert!(session.subscriptions().await.unwrap().is_empty());
    // The session goes on: the next subscribe is answered normally.
    session.subscribe("H0STCNT0", "005930").await.unwrap();
    wait_for(&mut events, |e| matches!(e, Event::Subscribed { .. })).await;
    session.close().await;
}

/// The connection drops and the reconnect's handshake stalls (the server accepts the TCP
/// connection and never answers). Closing then still reports the open-ended notice gap, and
/// promptly. (Before, the engine sat in the handshake for `connect_timeout`; `close` gave up
/// after its own timeout and aborted the task: no gap was reported.)
#[tokio::test]
async fn closing_during_a_stalled_handshake_reports_the_notice_gap() {
    let fake = Fake::start(41).await;
    let mut o = options(&fake);
    o.connect_timeout = Duration::from_secs(30);
    o.close_timeout = Duration::from_millis(300);
    let session = connect(&fake, o).await;
    let mut events = session.raw_events();
    session.subscribe("H0STCNI0", "hts1").await.unwrap();
    fake.stall_handshakes.store(true, Ordering::SeqCst);
    fake.drop_all();
    wait_for(&mut events, |e| matches!(e, Event::Disconnected { .. })).await;
    // The reconnect (1-5 ms backoff) is now in its handshake.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    session.close().await;
    let took = started.elapsed();
    assert!(took < Duration::from_millis(1000), "close took {took:?}");
    let mut gap = None;
    while let Some(e) = tokio::time::timeout(Duration::from_secs(1), events.next())
        .await
        .expect("the stream ends")
    {
        if let Event::NoticeGap(g) = e {
            gap = Some(g);
        }
    }
    let gap = gap.expect("a closing notice gap");
    assert_eq!(gap.to, None);
    assert_eq!(
        gap.subscriptions,
        [("H0STCNI0".to_owned(), "hts1".to_owned())]
    );
}

/// A connection that falls silent is dropped after `silence_timeout`; the notice gap starts
/// at the last message received, not when the silence was noticed. (Before, `gap.from` was
/// the moment of the timeout: fills in the silent stretch, up to 35 s by default, fell
/// outside the window.)
#[tokio::test]
async fn a_notice_gap_starts_at_the_last_message_received() {
    let fake = Fake::start(41).await;
    let mut o = options(&fake);
    o.silence_timeout = Duration::from_millis(1000);
    let session = connect(&fake, o).await;
    let mut events = session.raw_events();
    session.subscribe("H0STCNI0", "hts1").await.unwrap();
    // The fake's notice after the ack is its last message.
    wait_for(&mut events, |e| matches!(e, Event::Data { .. })).await;
    let last = std::time::SystemTime::now();
    wait_for(&mut events, |e| matches!(e, Event::Disconnected { .. })).await;
    let Event::NoticeGap(gap) = wait_for(&mut events, |e| matches!(e, Event::NoticeGap(_))).await
    else {
        unreachable!()
    };
    let late = gap.from.duration_since(last).unwrap_or_default();
    assert!(
        late < Duration::from_millis(300),
        "gap starts {late:?} after the last message"
    );
    assert!(gap.to.expect("restored") >= last + Duration::from_millis(900));
    session.close().await;
}

/// A notice frame that cannot be decrypted, or whose fields do not split into records, is a
/// notice missed: besides the `Error` event it reports a notice gap of that instant (and
/// recovers it when configured). (Before, only the `Error` event: the fill was lost.)
#[tokio::test]
async fn an_unreadable_notice_starts_a_notice_gap() {
    let fake = Fake::start(41).await;
    let session = connect(&fake, options(&fake)).await;
    let mut events = session.raw_events();
    session.subscribe("H0STCNI0", "hts1").await.unwrap();
    session.subscribe("H0STCNT0", "005930").await.unwrap();
    let cipher = kis_ws::crypto::Cipher::new(fake::KEY, fake::IV).unwrap();
    let unreadable = [
        "1|H0STCNI0|001|not base64 at all!".to_owned(),
        // Five fields do not split into two records of a three-column layout.
        format!(
            "1|H0STCNI0|002|{}",
            cipher.encrypt("hts1^0000012345^10^hts1^0000012346")
        ),
    ];
    for frame in unreadable {
        fake.send(frame);
        let e = wait_for(&mut events, |e| {
            matches!(e, Event::Error(_) | Event::NoticeGap(_))
        })
        .await;
        assert!(matches!(e, Event::Error(_)), "{e:?}");
        let Event::NoticeGap(gap) =
            wait_for(&mut events, |e| matches!(e, Event::NoticeGap(_))).await
        else {
            unreachable!()
        };
        assert_eq!(
            gap.subscriptions,
            [("H0STCNI0".to_owned(), "hts1".to_owned())]
        );
        assert!(gap.to.is_some_and(|to| to >= gap.from));
    }
    // A bad market-data frame is an error, not a notice gap.
    fake.send("0|H0STCNT0|002|005930^1^2");
    wait_for(&mut events, |e| matches!(e, Event::Error(_))).await;
    fake.send("0|H0STCNT0|001|005930^1^2^3");
    let next = wait_for(&mut events, |e| {
        matches!(e, Event::Data { .. } | Event::NoticeGap(_))
    })
    .await;
    assert!(matches!(next, Event::Data { .. }), "{next:?}");
    session.close().await;
}

/// A test layout of the fake's notice TR.
#[derive(Debug)]
struct Cni(Vec<String>);
impl kis_ws::Record for Cni {
    const TR_IDS: &'static [&'static str] = &["H0STCNI0"];
    const COLUMNS: &'static [&'static str] = &fake::CNI_COLUMNS;
    const ENCRYPTED: bool = true;
    fn parse(record: &str) -> Self {
        Cni(kis_ws::frame::Fields::new(record)
            .map(str::to_owned)
            .collect())
    }
}

/// A typed notice stream whose consumer stops reading ends with an error, never a silent
/// `None` while the session lives. (Before, it swallowed `Overflowed` and just ended.)
#[tokio::test]
async fn a_typed_notice_stream_under_overflow_ends_with_an_error() {
    let fake = Fake::start(41).await;
    let mut o = options(&fake);
    o.notice_buffer = 4;
    let session = connect(&fake, o).await;
    let mut notices = session.records::<Cni>();
    session.subscribe("H0STCNI0", "hts1").await.unwrap();
    for _ in 0..20 {
        fake.send(fake::data_frame("H0STCNI0", "hts1"));
    }
    // A PINGPONG after them: once it is echoed, the session has queued all 21 notices.
    let pongs = fake.stats.pongs.load(Ordering::SeqCst);
    fake.send(PING);
    while fake.stats.pongs.load(Ordering::SeqCst) == pongs {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut records = 0;
    let end = loop {
        match tokio::time::timeout(Duration::from_secs(5), notices.next())
            .await
            .expect("the stream answers")
        {
            Some(Ok(_)) => records += 1,
            Some(Err(e)) => break e,
            None => panic!("ended silently after {records} records"),
        }
    };
    assert_eq!(records, 4);
    assert!(
        matches!(end, Error::Overflowed { capacity: 4, not_delivered } if not_delivered == 17),
        "{end:?}"
    );
    assert!(notices.next().await.is_none());
    session.close().await;
}

async fn next(s: &mut kis_ws::EventStream<Cni>) -> Event<Cni> {
    tokio::time::timeout(Duration::from_secs(5), s.next())
        .await
        .expect("an event")
        .expect("not the end")
}

/// A typed notice stream sees the gaps: `records` ends with `Error::NoticeGap`, `notices`
/// yields the disconnect, the reconnect and the gap in order and goes on.
#[tokio::test]
async fn typed_notice_streams_see_the_gap() {
    let fake = Fake::start(41).await;
    let session = connect(&fake, options(&fake)).await;
    let mut records = session.records::<Cni>();
    let mut notices = session.notices::<Cni>();
    session.subscribe("H0STCNI0", "hts1").await.unwrap();
    session.subscribe("H0STCNT0", "005930").await.unwrap();
    assert!(matches!(next(&mut notices).await, Event::Subscribed { .. }));
    let Event::Data { record, .. } = next(&mut notices).await else {
        panic!("not a notice")
    };
    assert_eq!(record.0, ["hts1", "0000012345", "10"]);
    fake.drop_all();
    let mut kinds = Vec::new();
    while !kinds.contains(&"gap") {
        kinds.push(match next(&mut notices).await {
            Event::Disconnected { .. } => "disconnected",
            Event::Reconnected { .. } => "reconnected",
            Event::NoticeGap(_) => "gap",
            Event::Data { .. } => "notice",
            other => panic!("{other:?}"),
        });
    }
    // The restored subscription's first notice may come before the gap closes; market data
    // is never on it.
    kinds.retain(|k| *k != "notice");
    assert_eq!(kinds[..], ["disconnected", "reconnected", "gap"]);

    assert!(matches!(records.next().await, Some(Ok(_))));
    let end = loop {
        match records.next().await {
            // The restored subscription's first notice may come before the gap.
            Some(Ok(_)) => {}
            end => break end,
        }
    };
    assert!(matches!(end, Some(Err(Error::NoticeGap(_)))), "{end:?}");
    assert!(records.next().await.is_none());
    session.close().await;
}

/// The server stops reading (its TCP buffers fill) while it keeps sending large `PINGPONG`s
/// the session must echo: the echo's write times out and costs the connection, not the
/// session. (Before, socket writes had no timeout: the connection task waited in the echo
/// forever, deaf to the silence timeout, commands and close.)
#[tokio::test]
async fn a_server_that_stops_reading_costs_the_connection_not_the_session() {
    let fake = Fake::start(41).await;
    let mut o = options(&fake);
    o.write_timeout = Duration::from_millis(300);
    let session = connect(&fake, o).await;
    let mut events = session.raw_events();
    session.subscribe("H0STCNT0", "005930").await.unwrap();
    fake.stall_reads.store(true, Ordering::SeqCst);
    let pad = "x".repeat(512 << 10);
    let big_ping =
        format!(r#"{{"header":{{"tr_id":"PINGPONG","datetime":"20261202103000","pad":"{pad}"}}}}"#);
    // 32 MiB of echoes: far beyond what loopback buffers hold.
    for _ in 0..64 {
        fake.send(big_ping.clone());
    }
    let Event::Disconnected { reason } =
        wait_for(&mut events, |e| matches!(e, Event::Disconnected { .. })).await
    else {
        unreachable!()
    };
    assert!(reason.contains("timed out"), "{reason}");
    fake.stall_reads.store(false, Ordering::SeqCst);
    wait_for(&mut events, |e| matches!(e, Event::Reconnected { .. })).await;
    session.close().await;
}

/// The connection task is stuck in a socket write (the server stopped reading) when the
/// session is closed: `close` gives up on it after its timeout, and the closing notice gap is
/// still reported, by the handle. (Before, an aborted task reported no gap.)
#[tokio::test]
async fn closing_while_the_task_is_stuck_still_reports_the_notice_gap() {
    let fake = Fake::start(41).await;
    let mut o = options(&fake);
    o.write_timeout = Duration::from_secs(30);
    o.close_timeout = Duration::from_millis(200);
    let session = connect(&fake, o).await;
    let mut events = session.raw_events();
    session.subscribe("H0STCNI0", "hts1").await.unwrap();
    wait_for(&mut events, |e| matches!(e, Event::Data { .. })).await;
    let before = std::time::SystemTime::now();
    fake.stall_reads.store(true, Ordering::SeqCst);
    let pad = "x".repeat(512 << 10);
    let big_ping =
        format!(r#"{{"header":{{"tr_id":"PINGPONG","datetime":"20261202103000","pad":"{pad}"}}}}"#);
    for _ in 0..64 {
        fake.send(big_ping.clone());
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = std::time::Instant::now();
    session.close().await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let mut gaps = Vec::new();
    while let Some(e) = tokio::time::timeout(Duration::from_secs(1), events.next())
        .await
        .expect("the stream ends")
    {
        if let Event::NoticeGap(g) = e {
            gaps.push(g);
        }
    }
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(gaps[0].to, None);
    assert_eq!(
        gaps[0].subscriptions,
        [("H0STCNI0".to_owned(), "hts1".to_owned())]
    );
    assert!(gaps[0].from <= std::time::SystemTime::now());
    assert!(
        gaps[0].from + Duration::from_secs(2) >= before,
        "{:?}",
        gaps[0].from
    );
    fake.stall_reads.store(false, Ordering::SeqCst);
}
