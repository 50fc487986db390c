//! The control API (`/__mock/…`) over plain HTTP: each fault armed on the wire and its effect
//! observed with raw clients, and the truth compared with the account's own endpoints.

use std::time::Duration;

use aes::Aes256;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, KeyIvInit};
use kis_mock::{Fees, Fill, MockClock, MockConfig, MockServer, PagingConfig};
use serde_json::{Value, json};

use crate::common::*;

/// A fixed Thursday morning (KRX open), control on, fills as the test says.
fn control(fill: Fill) -> MockConfig {
    MockConfig {
        catalog: Some(fixtures()),
        rate_limit_per_sec: None,
        fill,
        fees: Fees {
            commission_bp: 0.0,
            sell_tax_bp: 0.0,
        },
        clock: MockClock::Simulated {
            start: chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
                .and_then(|d| d.and_hms_opt(10, 30, 0)),
            speed: 1.0,
        },
        data_interval: None,
        paging: PagingConfig {
            pages: 1,
            rows: 20,
            account_rows: Some(20),
        },
        control: true,
        ..MockConfig::default()
    }
}

async fn ctl(mock: &MockServer, op: &str, body: Value) -> (u16, Value) {
    let res = http()
        .post(format!("{}/__mock/{op}", mock.rest_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

async fn truth(mock: &MockServer) -> Value {
    let res = http()
        .get(format!("{}/__mock/truth", mock.rest_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn limit_buy(qty: &str, price: &str) -> Value {
    json!({"CANO": "12345678", "ACNT_PRDT_CD": "01", "PDNO": "005930", "ORD_DVSN": "00",
           "ORD_QTY": qty, "ORD_UNPR": price})
}

/// A subscribed notice session: the websocket and the notice key and iv.
async fn notices(mock: &MockServer) -> (Ws, String, String) {
    let mut ws = connect(mock).await;
    let ack = subscribe(&mut ws, &mock.approval_key(), "H0STCNI0", "mockuser").await;
    assert_eq!(ack["body"]["msg_cd"], "OPSP0000");
    let out = &ack["body"]["output"];
    let key = out["key"].as_str().unwrap().to_owned();
    let iv = out["iv"].as_str().unwrap().to_owned();
    (ws, key, iv)
}

/// The order number of the next notice frame, or `None` when none arrives within `wait`.
async fn next_notice(ws: &mut Ws, key: &str, iv: &str, wait: Duration) -> Option<String> {
    let frame = tokio::time::timeout(wait, next_frame(ws)).await.ok()?;
    let b64 = frame.splitn(4, '|').nth(3).unwrap();
    let plain = cbc::Decryptor::<Aes256>::new_from_slices(key.as_bytes(), iv.as_bytes())
        .unwrap()
        .decrypt_padded_vec_mut::<Pkcs7>(&STANDARD.decode(b64).unwrap())
        .unwrap();
    let text = String::from_utf8(plain).unwrap();
    Some(text.split('^').nth(2).unwrap().to_owned())
}

const SHORT: Duration = Duration::from_millis(300);

#[tokio::test]
async fn off_unless_enabled_and_truth_starts_empty() {
    let off = start(MockConfig {
        control: false,
        ..control(Fill::Never)
    })
    .await;
    let (status, body) = ctl(&off, "faults/rate-limit", json!({"times": 1})).await;
    assert_eq!(status, 404, "{body}");
    let res = http()
        .get(format!("{}/__mock/truth", off.rest_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);

    let mock = start(control(Fill::Never)).await;
    let t = truth(&mock).await;
    assert_eq!(t["orders"], json!([]));
    assert_eq!(t["fills"], json!([]));
    assert_eq!(t["cash"]["KRW"]["deposit"], "10000000");
    let (status, body) = ctl(&mock, "faults/nonsense", json!({})).await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = ctl(&mock, "faults/order-reply", json!({"mode": "sometimes"})).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn ws_drop_now_and_every_n() {
    let mock = start(control(Fill::Never)).await;
    let (mut ws, _, _) = notices(&mock).await;
    let (status, _) = ctl(&mock, "faults/ws-drop", json!({})).await;
    assert_eq!(status, 200);
    assert!(next_text(&mut ws).await.is_none(), "dropped now");

    // Every 2 messages: the ack and one more, then the connection ends.
    ctl(&mock, "faults/ws-drop", json!({"every": 2})).await;
    let mut ws = connect(&mock).await;
    let ack = subscribe(&mut ws, &mock.approval_key(), "H0STCNI0", "mockuser").await;
    assert_eq!(ack["body"]["msg_cd"], "OPSP0000");
    let token = token(&mock).await;
    for _ in 0..2 {
        post(&mock, &token, ORDER, "TTTC0012U", limit_buy("1", "60000")).await;
    }
    assert!(next_text(&mut ws).await.is_some(), "the first notice");
    assert!(
        next_text(&mut ws).await.is_none(),
        "dropped before the third"
    );
}

#[tokio::test]
async fn notice_gap_suppresses_notices_but_not_orders() {
    let mock = start(control(Fill::Never)).await;
    let token = token(&mock).await;
    let (mut ws, key, iv) = notices(&mock).await;
    ctl(&mock, "faults/notice-gap", json!({"count": 1})).await;
    let (_, first) = post(&mock, &token, ORDER, "TTTC0012U", limit_buy("1", "60000")).await;
    let (_, second) = post(&mock, &token, ORDER, "TTTC0012U", limit_buy("2", "60000")).await;
    assert_eq!(first["rt_cd"], "0");
    let second = second["output"]["ODNO"].as_str().unwrap();
    let got = next_notice(&mut ws, &key, &iv, Duration::from_secs(2)).await;
    assert_eq!(
        got.as_deref(),
        Some(second),
        "the first notice is in the gap"
    );
    let t = truth(&mock).await;
    assert_eq!(t["orders"].as_array().unwrap().len(), 2);
    assert_eq!(t["notices"][0]["delivered"], false);
    assert_eq!(t["notices"][0]["odno"], first["output"]["ODNO"]);
    assert_eq!(t["notices"][1]["delivered"], true);

    // A timed gap: nothing for its duration.
    ctl(&mock, "faults/notice-gap", json!({"millis": 60_000})).await;
    post(&mock, &token, ORDER, "TTTC0012U", limit_buy("1", "60000")).await;
    assert_eq!(next_notice(&mut ws, &key, &iv, SHORT).await, None);
    ctl(&mock, "faults/clear", json!({})).await;
    post(&mock, &token, ORDER, "TTTC0012U", limit_buy("1", "60000")).await;
    assert!(next_notice(&mut ws, &key, &iv, SHORT).await.is_some());
}

#[tokio::test]
async fn duplicated_notices() {
    let mock = start(control(Fill::Never)).await;
    let token = token(&mock).await;
    let (mut ws, key, iv) = notices(&mock).await;
    ctl(&mock, "faults/duplicate-notices", json!({"count": 1})).await;
    let (_, body) = post(&mock, &token, ORDER, "TTTC0012U", limit_buy("1", "60000")).await;
    let odno = body["output"]["ODNO"].as_str().unwrap();
    for _ in 0..2 {
        let got = next_notice(&mut ws, &key, &iv, Duration::from_secs(2)).await;
        assert_eq!(got.as_deref(), Some(odno));
    }
    assert_eq!(next_notice(&mut ws, &key, &iv, SHORT).await, None);
    assert_eq!(truth(&mock).await["notices"][0]["copies"], 2);
}

#[tokio::test]
async fn order_answered_500_is_booked_and_filled() {
    let mock = start(control(Fill::Immediate)).await;
    let token = token(&mock).await;
    ctl(&mock, "faults/order-reply", json!({"mode": "http500"})).await;
    let (status, body) = post(&mock, &token, ORDER, "TTTC0012U", limit_buy("3", "60000")).await;
    assert_eq!(status, 500);
    assert_eq!(body["msg_cd"], "EGW00001");
    let t = truth(&mock).await;
    let order = &t["orders"][0];
    assert_eq!(order["qty"], 3);
    assert_eq!(order["filled_qty"], 3);
    assert_eq!(order["state"], "filled");
    assert_eq!(t["positions"][0]["qty"], 3);
    // The next order answers normally.
    let (status, body) = post(&mock, &token, ORDER, "TTTC0012U", limit_buy("1", "60000")).await;
    assert_eq!((status, body["rt_cd"].as_str()), (200, Some("0")));
}

#[tokio::test]
async fn order_never_answered_is_booked() {
    let mock = start(control(Fill::Never)).await;
    let token = token(&mock).await;
    ctl(&mock, "faults/order-reply", json!({"mode": "no-answer"})).await;
    let sent = call(&mock, &token, reqwest::Method::POST, ORDER, "TTTC0012U")
        .json(&limit_buy("4", "60000"))
        .timeout(Duration::from_millis(500))
        .send()
        .await;
    assert!(sent.is_err_and(|e| e.is_timeout()));
    let t = truth(&mock).await;
    assert_eq!(t["orders"][0]["qty"], 4);
    assert_eq!(t["orders"][0]["state"], "open");
    // KIS's own list shows it too.
    let (_, ccld) = get(
        &mock,
        &token,
        CCLD,
        "TTTC0081R",
        &[
            ("CANO", "12345678"),
            ("ACNT_PRDT_CD", "01"),
            ("INQR_STRT_DT", "20261126"),
            ("INQR_END_DT", "20261126"),
            ("SLL_BUY_DVSN_CD", "00"),
            ("PDNO", ""),
            ("CCLD_DVSN", "00"),
            ("INQR_DVSN", "00"),
            ("INQR_DVSN_3", "00"),
            ("ORD_GNO_BRNO", ""),
            ("ODNO", ""),
            ("CTX_AREA_FK100", ""),
            ("CTX_AREA_NK100", ""),
        ],
    )
    .await;
    assert_eq!(ccld["output1"][0]["odno"], t["orders"][0]["odno"]);
}

#[tokio::test]
async fn notice_before_the_reply() {
    let mock = start(control(Fill::Never)).await;
    let token = token(&mock).await;
    let (mut ws, key, iv) = notices(&mock).await;
    ctl(&mock, "faults/order-reply", json!({"mode": "notice-first"})).await;
    let reply = tokio::spawn(
        call(&mock, &token, reqwest::Method::POST, ORDER, "TTTC0012U")
            .json(&limit_buy("1", "60000"))
            .send(),
    );
    let odno = next_notice(&mut ws, &key, &iv, Duration::from_secs(2))
        .await
        .expect("the notice");
    // Without the fault the reply is out as soon as the order is booked (before or just after
    // the notice); with it, the reply is still held a while after the notice arrived.
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert!(!reply.is_finished(), "the notice came before the reply");
    let body: Value = reply.await.unwrap().unwrap().json().await.unwrap();
    assert_eq!(body["output"]["ODNO"], odno.as_str());
}

#[tokio::test]
async fn sydb0050_mid_scan() {
    let mock = start(MockConfig {
        paging: PagingConfig {
            pages: 1,
            rows: 1,
            account_rows: Some(1),
        },
        ..control(Fill::Never)
    })
    .await;
    let token = token(&mock).await;
    for _ in 0..2 {
        post(&mock, &token, ORDER, "TTTC0012U", limit_buy("1", "60000")).await;
    }
    let query = |fk: &'static str, nk: &'static str| {
        vec![
            ("CANO", "12345678"),
            ("ACNT_PRDT_CD", "01"),
            ("INQR_STRT_DT", "20261126"),
            ("INQR_END_DT", "20261126"),
            ("SLL_BUY_DVSN_CD", "00"),
            ("PDNO", ""),
            ("CCLD_DVSN", "00"),
            ("INQR_DVSN", "00"),
            ("INQR_DVSN_3", "00"),
            ("ORD_GNO_BRNO", ""),
            ("ODNO", ""),
            ("CTX_AREA_FK100", fk),
            ("CTX_AREA_NK100", nk),
        ]
    };
    let (_, first) = get(&mock, &token, CCLD, "TTTC0081R", &query("", "")).await;
    let fk = first["ctx_area_fk100"].as_str().unwrap().to_owned();
    let nk = first["ctx_area_nk100"].as_str().unwrap().to_owned();
    assert!(!nk.is_empty());
    let (status, _) = ctl(&mock, "faults/data-changed", json!({"path": CCLD})).await;
    assert_eq!(status, 200);
    let fk: &'static str = Box::leak(fk.into_boxed_str());
    let nk: &'static str = Box::leak(nk.into_boxed_str());
    let next = || {
        call(&mock, &token, reqwest::Method::GET, CCLD, "TTTC0081R")
            .header("tr_cont", "N")
            .query(&query(fk, nk))
            .send()
    };
    let body: Value = next().await.unwrap().json().await.unwrap();
    assert_eq!(body["msg_cd"], "SYDB0050", "{body}");
    let body: Value = next().await.unwrap().json().await.unwrap();
    assert_eq!(body["rt_cd"], "0", "the restart of the page succeeds");
}

#[tokio::test]
async fn rate_limit_burst_and_expired_token() {
    let mock = start(control(Fill::Never)).await;
    let token = token(&mock).await;
    ctl(&mock, "faults/rate-limit", json!({"times": 2})).await;
    for _ in 0..2 {
        let (status, body) = get(&mock, &token, PRICE, "FHKST01010100", PRICE_QUERY).await;
        assert_eq!((status, body["msg_cd"].as_str()), (500, Some("EGW00201")));
    }
    let (status, _) = get(&mock, &token, PRICE, "FHKST01010100", PRICE_QUERY).await;
    assert_eq!(status, 200);

    ctl(&mock, "faults/expire-token", json!({})).await;
    let (status, body) = get(&mock, &token, PRICE, "FHKST01010100", PRICE_QUERY).await;
    assert_eq!((status, body["msg_cd"].as_str()), (500, Some("EGW00123")));
}

#[tokio::test]
async fn truth_agrees_with_balance_and_fills() {
    let mock = start(control(Fill::Immediate)).await;
    let token = token(&mock).await;
    for qty in ["5", "7"] {
        post(&mock, &token, ORDER, "TTTC0012U", limit_buy(qty, "60000")).await;
    }
    let t = truth(&mock).await;
    let filled: u64 = t["fills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["qty"].as_u64().unwrap())
        .sum();
    assert_eq!(filled, 12);
    assert_eq!(t["positions"][0]["symbol"], "005930");
    assert_eq!(t["positions"][0]["qty"], 12);
    assert_eq!(t["cash"]["KRW"]["after_settlement"], "9280000");
    let (_, bal) = get(
        &mock,
        &token,
        BALANCE,
        "TTTC8434R",
        &[
            ("CANO", "12345678"),
            ("ACNT_PRDT_CD", "01"),
            ("AFHR_FLPR_YN", "N"),
            ("OFL_YN", ""),
            ("INQR_DVSN", "02"),
            ("UNPR_DVSN", "01"),
            ("FUND_STTL_ICLD_YN", "N"),
            ("FNCG_AMT_AUTO_RDPT_YN", "N"),
            ("PRCS_DVSN", "00"),
            ("CTX_AREA_FK100", ""),
            ("CTX_AREA_NK100", ""),
        ],
    )
    .await;
    assert_eq!(bal["output1"][0]["hldg_qty"], "12");
    assert_eq!(
        bal["output2"][0]["prvs_rcdl_excc_amt"],
        t["cash"]["KRW"]["after_settlement"]
    );
    // Two accepts and two fills, all delivered (nobody listened, but nothing was withheld).
    assert_eq!(t["notices"].as_array().unwrap().len(), 4);
    assert_eq!(t["notices"][1]["kind"], "fill");
}

async fn balance_rows(mock: &MockServer, token: &str) -> Value {
    let (_, bal) = get(
        mock,
        token,
        BALANCE,
        "TTTC8434R",
        &[
            ("CANO", "12345678"),
            ("ACNT_PRDT_CD", "01"),
            ("AFHR_FLPR_YN", "N"),
            ("OFL_YN", ""),
            ("INQR_DVSN", "01"),
            ("UNPR_DVSN", "01"),
            ("FUND_STTL_ICLD_YN", "N"),
            ("FNCG_AMT_AUTO_RDPT_YN", "N"),
            ("PRCS_DVSN", "00"),
            ("CTX_AREA_FK100", ""),
            ("CTX_AREA_NK100", ""),
        ],
    )
    .await;
    bal["output1"].clone()
}

/// `thdt_buyqty`/`thdt_sll_qty` count today's fills; a transfer (in-process or over the
/// control API) moves the holding without them, so the start of the day
/// (`hldg_qty - thdt_buyqty + thdt_sll_qty`) moves by exactly the transfer.
#[tokio::test]
async fn a_transfer_moves_the_holding_but_not_todays_trades() {
    let mock = start(control(Fill::Immediate)).await;
    let token = token(&mock).await;
    post(&mock, &token, ORDER, "TTTC0012U", limit_buy("5", "60000")).await;
    let rows = balance_rows(&mock, &token).await;
    let row = |rows: &Value, f: &str| rows[0][f].as_str().unwrap().to_owned();
    assert_eq!(row(&rows, "pdno"), "005930");
    assert_eq!(
        (
            row(&rows, "hldg_qty"),
            row(&rows, "thdt_buyqty"),
            row(&rows, "thdt_sll_qty")
        ),
        ("5".into(), "5".into(), "0".into())
    );
    assert_eq!(mock.transfer_shares("005930", 3), Ok(8));
    let (status, _) = ctl(
        &mock,
        "account/transfer",
        json!({"symbol": "005930", "qty": -1}),
    )
    .await;
    assert_eq!(status, 200);
    let rows = balance_rows(&mock, &token).await;
    assert_eq!(
        (
            row(&rows, "hldg_qty"),
            row(&rows, "thdt_buyqty"),
            row(&rows, "thdt_sll_qty")
        ),
        ("7".into(), "5".into(), "0".into())
    );
    assert_eq!(truth(&mock).await["positions"][0]["qty"], 7);
    // Bad requests name the field; more than is held is refused.
    let (status, body) = ctl(&mock, "account/transfer", json!({"symbol": "005930"})).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"].as_str().unwrap().starts_with("qty"), "{body}");
    let (status, _) = ctl(
        &mock,
        "account/transfer",
        json!({"symbol": "005930", "qty": -99}),
    )
    .await;
    assert_eq!(status, 400);
    // Sold out today: the row stays, holding 0.
    let sell = json!({"PDNO": "005930", "ORD_DVSN": "00", "ORD_QTY": "7", "ORD_UNPR": "60000",
        "CANO": "12345678", "ACNT_PRDT_CD": "01"});
    post(&mock, &token, ORDER, "TTTC0011U", sell).await;
    let rows = balance_rows(&mock, &token).await;
    assert_eq!(
        (
            row(&rows, "hldg_qty"),
            row(&rows, "thdt_buyqty"),
            row(&rows, "thdt_sll_qty")
        ),
        ("0".into(), "5".into(), "7".into())
    );
}

/// `faults/refuse-order`: the order is accepted (`rt_cd` 0, an `ODNO`), its one notice is a
/// refusal (`CNTG_YN` 1, `RFUS_YN` 1), it never fills even with immediate fills, and the daily
/// executions show it rejected in full. The next order is normal.
#[tokio::test]
async fn an_order_accepted_then_refused_by_the_exchange() {
    let mock = start(control(Fill::Immediate)).await;
    let token = token(&mock).await;
    let mut ws = connect(&mock).await;
    let ack = subscribe(&mut ws, &mock.approval_key(), "H0STCNI0", "mockuser").await;
    let out = &ack["body"]["output"];
    let (key, iv) = (
        out["key"].as_str().unwrap().to_owned(),
        out["iv"].as_str().unwrap().to_owned(),
    );
    let (status, _) = ctl(&mock, "faults/refuse-order", json!({"times": 1})).await;
    assert_eq!(status, 200);
    let (status, body) = post(&mock, &token, ORDER, "TTTC0012U", limit_buy("4", "60000")).await;
    assert_eq!((status, body["rt_cd"].as_str()), (200, Some("0")), "{body}");
    let odno = body["output"]["ODNO"].as_str().unwrap().to_owned();
    // The notice: decrypt it whole and read its columns by the layout's positions.
    let frame = tokio::time::timeout(Duration::from_secs(2), next_frame(&mut ws))
        .await
        .unwrap();
    let b64 = frame.splitn(4, '|').nth(3).unwrap();
    let plain = cbc::Decryptor::<Aes256>::new_from_slices(key.as_bytes(), iv.as_bytes())
        .unwrap()
        .decrypt_padded_vec_mut::<Pkcs7>(&STANDARD.decode(b64).unwrap())
        .unwrap();
    let text = String::from_utf8(plain).unwrap();
    let cols: Vec<&str> = text.split('^').collect();
    assert_eq!(cols[2], odno);
    let t = truth(&mock).await;
    assert_eq!(t["notices"].as_array().unwrap().len(), 1, "one notice: {t}");
    assert_eq!(t["notices"][0]["kind"], "refused");
    // H0STCNI0's layout: ..., STCK_CNTG_HOUR, RFUS_YN (12), CNTG_YN (13), ACPT_YN, ...
    assert_eq!(
        (cols[12], cols[13]),
        ("1", "1"),
        "RFUS_YN and CNTG_YN: {text}"
    );
    let order = &t["orders"][0];
    assert_eq!(
        (
            &order["state"],
            &order["filled_qty"],
            &order["rejected_qty"],
            &order["open_qty"]
        ),
        (&json!("rejected"), &json!(0), &json!(4), &json!(0))
    );
    let (_, fills) = get(
        &mock,
        &token,
        CCLD,
        "TTTC0081R",
        &[
            ("CANO", "12345678"),
            ("ACNT_PRDT_CD", "01"),
            ("INQR_STRT_DT", "20261126"),
            ("INQR_END_DT", "20261126"),
            ("SLL_BUY_DVSN_CD", "00"),
            ("PDNO", ""),
            ("CCLD_DVSN", "00"),
            ("INQR_DVSN", "00"),
            ("INQR_DVSN_1", ""),
            ("INQR_DVSN_3", "00"),
            ("ORD_GNO_BRNO", ""),
            ("ODNO", ""),
            ("EXCG_ID_DVSN_CD", "ALL"),
            ("CTX_AREA_FK100", ""),
            ("CTX_AREA_NK100", ""),
        ],
    )
    .await;
    let row = &fills["output1"][0];
    assert_eq!(
        (
            row["odno"].as_str(),
            row["ord_qty"].as_str(),
            row["rjct_qty"].as_str()
        ),
        (Some(odno.as_str()), Some("4"), Some("4")),
        "{fills}"
    );
    assert_eq!(row["tot_ccld_qty"], "0");
    assert_eq!(row["rmn_qty"], "0");
    // The fault is used up: the next order fills.
    post(&mock, &token, ORDER, "TTTC0012U", limit_buy("1", "60000")).await;
    assert_eq!(truth(&mock).await["orders"][1]["state"], "filled");
}

/// `EXCG_ID_DVSN_CD` on order-cash: KRX (or blank), NXT and SOR are booked with their venue
/// (truth, daily executions `excg_id_dvsn_cd`, its filter); an unknown code, or NXT on the
/// paper service, is refused and books nothing.
#[tokio::test]
async fn orders_carry_their_venue_and_a_bad_venue_is_refused() {
    let mock = start(control(Fill::Immediate)).await;
    let token = token(&mock).await;
    let order = |venue: &str| {
        let mut b = limit_buy("1", "60000");
        b["EXCG_ID_DVSN_CD"] = json!(venue);
        b
    };
    for v in ["NXT", "SOR", ""] {
        let (status, body) = post(&mock, &token, ORDER, "TTTC0012U", order(v)).await;
        assert_eq!(
            (status, body["rt_cd"].as_str()),
            (200, Some("0")),
            "{v}: {body}"
        );
    }
    let (_, body) = post(&mock, &token, ORDER, "TTTC0012U", order("XYZ")).await;
    assert_eq!(body["msg_cd"], "OPSQ2001", "{body}");
    assert_ne!(body["rt_cd"], "0");
    let t = truth(&mock).await;
    let venues: Vec<&str> = t["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["venue"].as_str().unwrap())
        .collect();
    assert_eq!(venues, ["NXT", "SOR", "KRX"], "nothing booked for XYZ");
    let ccld = |venue: &'static str| {
        let mock = &mock;
        let token = token.clone();
        async move {
            let (_, fills) = get(
                mock,
                &token,
                CCLD,
                "TTTC0081R",
                &[
                    ("CANO", "12345678"),
                    ("ACNT_PRDT_CD", "01"),
                    ("INQR_STRT_DT", "20261126"),
                    ("INQR_END_DT", "20261126"),
                    ("SLL_BUY_DVSN_CD", "00"),
                    ("PDNO", ""),
                    ("CCLD_DVSN", "00"),
                    ("INQR_DVSN", "00"),
                    ("INQR_DVSN_1", ""),
                    ("INQR_DVSN_3", "00"),
                    ("ORD_GNO_BRNO", ""),
                    ("ODNO", ""),
                    ("EXCG_ID_DVSN_CD", venue),
                    ("CTX_AREA_FK100", ""),
                    ("CTX_AREA_NK100", ""),
                ],
            )
            .await;
            fills["output1"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["excg_id_dvsn_cd"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(ccld("ALL").await, ["NXT", "SOR", "KRX"]);
    assert_eq!(ccld("NXT").await, ["NXT"]);

    // The paper service trades on KRX only.
    let paper = start(MockConfig {
        env: kis_mock::MockEnv::Paper,
        ..control(Fill::Immediate)
    })
    .await;
    let token = crate::common::token(&paper).await;
    let (_, body) = post(&paper, &token, ORDER, "VTTC0012U", order("NXT")).await;
    assert_eq!(body["msg_cd"], "OPSQ2001", "{body}");
    let (_, body) = post(&paper, &token, ORDER, "VTTC0012U", order("KRX")).await;
    assert_eq!(body["rt_cd"], "0", "{body}");
}
