//! Every fault of the fault-injection handle, observed with raw clients.

use std::time::{Duration, Instant};

use kis_mock::MockConfig;

use crate::common::*;

#[tokio::test]
async fn http500_on_a_path_for_n_requests() {
    let mock = start(config()).await;
    let token = token(&mock).await;
    mock.faults().fail_path(PRICE, 2);
    for _ in 0..2 {
        let (status, body) = get(&mock, &token, PRICE, "FHKST01010100", PRICE_QUERY).await;
        assert_eq!(status, 500);
        assert_eq!(body["rt_cd"], "1");
    }
    let (status, _) = get(&mock, &token, PRICE, "FHKST01010100", PRICE_QUERY).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn delayed_responses() {
    let mock = start(config()).await;
    let token = token(&mock).await;
    mock.faults().delay(Duration::from_millis(200));
    let start = Instant::now();
    let (status, _) = get(&mock, &token, PRICE, "FHKST01010100", PRICE_QUERY).await;
    assert_eq!(status, 200);
    assert!(start.elapsed() >= Duration::from_millis(200));
    mock.faults().clear();
    let start = Instant::now();
    get(&mock, &token, PRICE, "FHKST01010100", PRICE_QUERY).await;
    assert!(start.elapsed() < Duration::from_millis(200));
}

#[tokio::test]
async fn slow_drip_rest_body() {
    let mock = start(config()).await;
    let token = token(&mock).await;
    mock.faults().slow_drip(Some(Duration::from_millis(1)));
    let start = Instant::now();
    let res = call(&mock, &token, reqwest::Method::GET, PRICE, "FHKST01010100")
        .query(PRICE_QUERY)
        .send()
        .await
        .unwrap();
    let bytes = res.bytes().await.unwrap();
    // Headers and body went out one byte per millisecond.
    assert!(
        start.elapsed() >= Duration::from_millis(bytes.len() as u64),
        "{:?}",
        start.elapsed()
    );
    let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["rt_cd"], "0");
}

fn ws_config() -> MockConfig {
    MockConfig {
        data_interval: Some(Duration::from_millis(20)),
        max_records_per_frame: 1,
        ..config()
    }
}

#[tokio::test]
async fn websocket_dropped_after_n_messages() {
    let mock = start(ws_config()).await;
    mock.faults().drop_ws_after(3);
    let approval = mock.approval_key();
    let mut ws = connect(&mock).await;
    let ack = subscribe(&mut ws, &approval, "H0STCNT0", "005930").await;
    assert_eq!(ack["body"]["msg_cd"], "OPSP0000");
    assert!(next_text(&mut ws).await.is_some());
    assert!(next_text(&mut ws).await.is_some());
    assert!(
        next_text(&mut ws).await.is_none(),
        "dropped after 3 messages"
    );
    // The ack and two frames went out; the frame that hit the limit was never written.
    assert_eq!(mock.stats().frames_sent, 2);
}

#[tokio::test]
async fn malformed_frames_then_good_ones() {
    let mock = start(ws_config()).await;
    mock.faults().malformed_frames(4);
    let approval = mock.approval_key();
    let mut ws = connect(&mock).await;
    subscribe(&mut ws, &approval, "H0STCNT0", "005930").await;
    let mut bad = 0;
    for _ in 0..4 {
        let text = next_text(&mut ws).await.unwrap();
        let parts: Vec<&str> = text.splitn(4, '|').collect();
        let well_formed = parts.len() == 4
            && parts[0] == "0"
            && parts[2]
                .parse::<usize>()
                .is_ok_and(|n| parts[3].split('^').count() == n * 8);
        if !well_formed {
            bad += 1;
        }
    }
    assert_eq!(bad, 4);
    assert_eq!(mock.stats().malformed_sent, 4);
    let frame = next_frame(&mut ws).await;
    let parts: Vec<&str> = frame.splitn(4, '|').collect();
    assert_eq!(parts[..3], ["0", "H0STCNT0", "001"]);
    assert_eq!(parts[3].split('^').count(), 8);
}

#[tokio::test]
async fn refused_approval_key() {
    let mock = start(ws_config()).await;
    let approval = mock.approval_key();
    mock.faults().refuse_approval(true);
    let mut ws = connect(&mock).await;
    let ack = subscribe(&mut ws, &approval, "H0STCNT0", "005930").await;
    assert_eq!(ack["body"]["rt_cd"], "1");
    assert_eq!(ack["body"]["msg_cd"], "OPSP0011");
    mock.faults().refuse_approval(false);
    let ack = subscribe(&mut ws, &approval, "H0STCNT0", "005930").await;
    assert_eq!(ack["body"]["msg_cd"], "OPSP0000");
}

#[tokio::test]
async fn session_slot_held_after_disconnect() {
    let mock = start(ws_config()).await;
    mock.faults().hold_session(Some(Duration::from_millis(300)));
    let approval = mock.approval_key();
    let mut ws = connect(&mock).await;
    subscribe(&mut ws, &approval, "H0STCNT0", "005930").await;
    drop(ws);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut ws = connect(&mock).await;
    let ack = subscribe(&mut ws, &approval, "H0STCNT0", "005930").await;
    assert_eq!(ack["body"]["msg_cd"], "OPSP8996");
    tokio::time::sleep(Duration::from_millis(350)).await;
    let mut ws = connect(&mock).await;
    let ack = subscribe(&mut ws, &approval, "H0STCNT0", "005930").await;
    assert_eq!(ack["body"]["msg_cd"], "OPSP0000");
}

#[tokio::test]
async fn slow_drip_websocket_frames() {
    let mock = start(ws_config()).await;
    let approval = mock.approval_key();
    let mut ws = connect(&mock).await;
    mock.faults().slow_drip(Some(Duration::from_millis(2)));
    let start = Instant::now();
    let ack = subscribe(&mut ws, &approval, "H0STCNT0", "005930").await;
    assert_eq!(ack["body"]["msg_cd"], "OPSP0000");
    // The ack is ~200 bytes: at 2 ms a byte it cannot arrive in under 300 ms.
    assert!(
        start.elapsed() >= Duration::from_millis(300),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn http500_on_any_path_and_delay_on_one_path() {
    let mock = start(config()).await;
    let token = token(&mock).await;
    mock.faults().fail_next(1);
    let (status, body) = get(&mock, &token, PRICE, "FHKST01010100", PRICE_QUERY).await;
    assert_eq!((status, body["msg_cd"].as_str()), (500, Some("EGW00001")));
    let (status, _) = get(&mock, &token, PRICE, "FHKST01010100", PRICE_QUERY).await;
    assert_eq!(status, 200);

    mock.faults().delay_path(PRICE, Duration::from_millis(150));
    let start = Instant::now();
    get(&mock, &token, PRICE, "FHKST01010100", PRICE_QUERY).await;
    assert!(start.elapsed() >= Duration::from_millis(150));
    let start = Instant::now();
    let (_, body) = get(&mock, &token, BALANCE, "TTTC8434R", &[]).await;
    assert_eq!(body["msg_cd"], "OPSQ2001", "other paths are not delayed");
    assert!(start.elapsed() < Duration::from_millis(150));
}
