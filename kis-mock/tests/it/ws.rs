//! Websocket protocol: acks, the registration cap, PINGPONG, one session per app key, data
//! frames.

use std::time::Duration;

use futures_util::SinkExt;
use kis_mock::MockConfig;
use tokio_tungstenite::tungstenite::Message;

use crate::common::*;

fn ws_config() -> MockConfig {
    MockConfig {
        data_interval: None,
        ..config()
    }
}

#[tokio::test]
async fn subscribe_unsubscribe_acks() {
    let mock = start(ws_config()).await;
    let approval = mock.approval_key();
    let mut ws = connect(&mock).await;
    let ack = subscribe(&mut ws, &approval, "H0STCNT0", "005930").await;
    assert_eq!(ack["header"]["tr_id"], "H0STCNT0");
    assert_eq!(ack["header"]["tr_key"], "005930");
    assert_eq!(ack["header"]["encrypt"], "N");
    assert_eq!(ack["body"]["rt_cd"], "0");
    assert_eq!(ack["body"]["msg_cd"], "OPSP0000");
    assert_eq!(ack["body"]["msg1"], "SUBSCRIBE SUCCESS");
    let key = ack["body"]["output"]["key"].as_str().unwrap().to_owned();
    assert_eq!(key.len(), 32);
    assert_eq!(ack["body"]["output"]["iv"].as_str().unwrap().len(), 16);

    let ack = subscribe(&mut ws, &approval, "H0STCNT0", "005930").await;
    assert_eq!(ack["body"]["msg_cd"], "OPSP0002");
    assert_eq!(ack["body"]["output"]["key"], key.as_str());

    send(&mut ws, subscribe_msg(&approval, "2", "H0STCNT0", "005930")).await;
    let ack = next_ack(&mut ws).await;
    assert_eq!(ack["body"]["msg_cd"], "OPSP0001");
    assert_eq!(ack["body"]["msg1"], "UNSUBSCRIBE SUCCESS");
    send(&mut ws, subscribe_msg(&approval, "2", "H0STCNT0", "005930")).await;
    let ack = next_ack(&mut ws).await;
    assert_eq!(ack["body"]["msg_cd"], "OPSP0003");

    let ack = subscribe(&mut ws, &approval, "H0XXXXX0", "005930").await;
    assert_eq!(ack["body"]["msg_cd"], "OPSP8993");
    send(&mut ws, "{not json".into()).await;
    let ack = next_ack(&mut ws).await;
    assert_eq!(ack["body"]["msg_cd"], "OPSP8993");

    let ack = subscribe(
        &mut ws,
        "00000000-0000-0000-0000-000000000000",
        "H0STCNT0",
        "000660",
    )
    .await;
    assert_eq!(ack["body"]["msg_cd"], "OPSP0011");
    // Paper notice TR on the real service is not a valid TR.
    let ack = subscribe(&mut ws, &approval, "H0STCNI9", "mockuser").await;
    assert_eq!(ack["body"]["msg_cd"], "OPSP8993");
}

#[tokio::test]
async fn forty_one_registrations_then_max_subscribe_over() {
    let mock = start(ws_config()).await;
    let approval = mock.approval_key();
    let mut ws = connect(&mock).await;
    for i in 0..41 {
        let ack = subscribe(&mut ws, &approval, "H0STCNT0", &format!("{:06}", i)).await;
        assert_eq!(ack["body"]["msg_cd"], "OPSP0000", "registration {i}");
    }
    let ack = subscribe(&mut ws, &approval, "H0STCNT0", "999999").await;
    assert_eq!(ack["body"]["rt_cd"], "1");
    assert_eq!(ack["body"]["msg_cd"], "OPSP0008");
    assert_eq!(ack["body"]["msg1"], "MAX SUBSCRIBE OVER");
    assert_eq!(mock.stats().ws_subscriptions, 41);
}

#[tokio::test]
async fn one_session_per_app_key() {
    let mock = start(ws_config()).await;
    let approval = mock.approval_key();
    let mut first = connect(&mock).await;
    subscribe(&mut first, &approval, "H0STCNT0", "005930").await;
    let mut second = connect(&mock).await;
    let ack = subscribe(&mut second, &mock.approval_key(), "H0STCNT0", "005930").await;
    assert_eq!(ack["body"]["rt_cd"], "1");
    assert_eq!(ack["body"]["msg_cd"], "OPSP8996");
    assert_eq!(ack["body"]["msg1"], "ALREADY IN USE appkey");
    assert!(
        next_text(&mut second).await.is_none(),
        "second session closed"
    );
    first.close(None).await.unwrap();
    drop(first);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut third = connect(&mock).await;
    let ack = subscribe(&mut third, &approval, "H0STCNT0", "005930").await;
    assert_eq!(ack["body"]["msg_cd"], "OPSP0000");
}

#[tokio::test]
async fn pingpong_echo_keeps_the_session_silence_drops_it() {
    let mock = start(MockConfig {
        ping_interval: Duration::from_millis(50),
        // Wide enough for a loaded 2-core machine to answer in time.
        pong_timeout: Duration::from_millis(500),
        ..ws_config()
    })
    .await;
    let mut echoing = connect(&mock).await;
    let mut silent = connect(&mock).await;
    let started = std::time::Instant::now();
    let mut pings = 0;
    while started.elapsed() < Duration::from_millis(1000) {
        let text = next_text(&mut echoing)
            .await
            .expect("echoing session stays");
        let msg: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(msg["header"]["tr_id"], "PINGPONG");
        assert_eq!(msg["header"]["datetime"].as_str().unwrap().len(), 14);
        echoing.send(Message::text(text)).await.unwrap();
        pings += 1;
    }
    assert!(pings >= 12, "{pings}");
    let mut silent_msgs = 0;
    while next_text(&mut silent).await.is_some() {
        silent_msgs += 1;
        assert!(silent_msgs < 20, "silent session never dropped");
    }
}

#[tokio::test]
async fn data_frames_follow_the_column_layout() {
    let mock = start(MockConfig {
        data_interval: Some(Duration::from_millis(10)),
        max_records_per_frame: 3,
        // A simulated second per frame: several executions are due at most ticks.
        clock: kis_mock::MockClock::Simulated {
            start: None,
            speed: 100.0,
        },
        ..config()
    })
    .await;
    let approval = mock.approval_key();
    let mut ws = connect(&mock).await;
    let ack = subscribe(&mut ws, &approval, "H0STCNT0", "005930").await;
    assert_eq!(ack["body"]["msg_cd"], "OPSP0000");
    let mut multi = false;
    let mut last: Option<Vec<String>> = None;
    for _ in 0..60 {
        let frame = next_frame(&mut ws).await;
        let parts: Vec<&str> = frame.splitn(4, '|').collect();
        assert_eq!(parts[0], "0");
        assert_eq!(parts[1], "H0STCNT0");
        assert_eq!(parts[2].len(), 3);
        let n: usize = parts[2].parse().unwrap();
        let fields: Vec<&str> = parts[3].split('^').collect();
        assert_eq!(fields.len(), n * 8, "{frame}");
        for record in fields.chunks(8) {
            assert_eq!(record[0], "005930");
            assert_eq!(record[1].len(), 6);
            assert!(record[2].parse::<i64>().is_ok());
            // Every record is a new execution: never the previous one again.
            let record: Vec<String> = record.iter().map(|f| f.to_string()).collect();
            assert_ne!(last.as_ref(), Some(&record), "{frame}");
            last = Some(record);
        }
        multi |= n > 1;
    }
    assert!(multi, "60 frames and never several records");
    assert!(mock.stats().frames_sent >= 60);
}

#[tokio::test]
async fn websocket_paths() {
    let mock = start(ws_config()).await;
    let ok = tokio_tungstenite::connect_async(format!("{}/tryitout/H0STCNT0", mock.ws_url())).await;
    assert!(ok.is_ok());
    let bad = tokio_tungstenite::connect_async(format!("{}/elsewhere", mock.ws_url())).await;
    assert!(bad.is_err());
}

#[tokio::test]
async fn a_handshake_never_completed_is_dropped() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mock = start(MockConfig {
        handshake_timeout: Duration::from_millis(200),
        ..ws_config()
    })
    .await;
    let addr = mock.ws_url().trim_start_matches("ws://").to_owned();
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    // Half a request line, then silence.
    tcp.write_all(b"GET /tryitout HTTP/1.1\r\n").await.unwrap();
    let started = std::time::Instant::now();
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut buf)).await;
    assert!(
        matches!(read, Ok(Ok(0)) | Ok(Err(_))),
        "still open after {:?}: {read:?}",
        started.elapsed()
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}
