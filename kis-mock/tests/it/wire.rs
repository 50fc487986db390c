//! Wire fidelity with the clients people run: header names spelled as KIS spells them, any
//! websocket frame (a Pong included) keeping a session alive, what KIS accepts absent, KIS's
//! page sizes, and tokens a restarted mock did not issue.

use std::time::Duration;

use futures_util::SinkExt;
use kis_mock::{Fill, MockClock, MockConfig, MockServer, PagingConfig};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

use crate::common::*;

/// Sends `request` on a fresh connection and returns the response head's header lines.
async fn raw_head(mock: &MockServer, request: &str) -> Vec<String> {
    let addr = mock.rest_url().trim_start_matches("http://").to_owned();
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut chunk))
            .await
            .expect("an answer within 5 s")
            .unwrap();
        assert!(n > 0, "closed before the head ended");
        buf.extend_from_slice(&chunk[..n]);
    }
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8(buf[..end].to_vec()).unwrap();
    head.lines().skip(1).map(str::to_owned).collect()
}

fn names(lines: &[String]) -> Vec<&str> {
    lines
        .iter()
        .map(|l| l.split_once(':').map_or(l.as_str(), |(n, _)| n))
        .collect()
}

/// What KIS's Python samples keep: names that are lower-case identifiers.
fn sample_visible<'a>(names: &[&'a str]) -> Vec<&'a str> {
    names
        .iter()
        .copied()
        .filter(|n| n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        .collect()
}

#[tokio::test]
async fn standard_headers_capitalized_kis_headers_lower_case() {
    let mock = start(config()).await;
    let token = token(&mock).await;
    let c = mock.config();
    let get = |path: &str, tr_id: &str, query: &str, extra: &str| {
        format!(
            "GET {path}?{query} HTTP/1.1\r\nHost: x\r\nauthorization: Bearer {token}\r\n\
             appkey: {}\r\nappsecret: {}\r\ntr_id: {tr_id}\r\ncusttype: P\r\n{extra}\r\n",
            c.app_key, c.app_secret
        )
    };
    let price = raw_head(
        &mock,
        &get(
            PRICE,
            "FHKST01010100",
            "FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930",
            "",
        ),
    )
    .await;
    let n = names(&price);
    for want in ["Content-Type", "Content-Length", "Date", "tr_id", "gt_uid"] {
        assert!(n.contains(&want), "{want} missing in {price:?}");
    }
    // Every name is either capitalized (a standard header) or a lower-case identifier.
    for name in &n {
        let capitalized = name
            .split('-')
            .all(|w| w.starts_with(|c: char| c.is_ascii_uppercase()));
        assert!(
            capitalized || sample_visible(&[name]).len() == 1,
            "{name} in {price:?}"
        );
    }
    let visible = sample_visible(&n);
    assert!(
        visible.contains(&"tr_id") && visible.contains(&"gt_uid"),
        "{price:?}"
    );
    assert!(
        price.contains(&"tr_id: FHKST01010100".to_owned()),
        "{price:?}"
    );

    // A paging answer carries `tr_cont` where the samples read it.
    let query = "CANO=12345678&ACNT_PRDT_CD=01&INQR_STRT_DT=20260601&INQR_END_DT=20260624\
                 &PDNO=&SORT_DVSN=00&INQR_DVSN=00&CBLC_DVSN=00&CTX_AREA_FK100=&CTX_AREA_NK100=";
    let profit = raw_head(&mock, &get(PROFIT, "TTTC8708R", query, "tr_cont: \r\n")).await;
    let n = names(&profit);
    assert_eq!(
        sample_visible(&n),
        ["tr_id", "tr_cont", "gt_uid"],
        "{profit:?}"
    );

    // Errors and the OAuth endpoints too.
    let body = "{}";
    let oauth = raw_head(
        &mock,
        &format!(
            "POST /oauth2/tokenP HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n\
             content-length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
    .await;
    assert!(
        oauth.iter().any(|l| l.starts_with("Content-Type: ")),
        "{oauth:?}"
    );
    assert!(
        !oauth.iter().any(|l| l.starts_with("content-")),
        "{oauth:?}"
    );
}

#[tokio::test]
async fn a_pong_frame_keeps_the_session_and_the_echo_still_does() {
    let mock = start(MockConfig {
        data_interval: None,
        ping_interval: Duration::from_millis(50),
        pong_timeout: Duration::from_millis(500),
        ..config()
    })
    .await;
    // KIS's Python samples answer PINGPONG with a websocket Pong frame, not an echo.
    let answer = |mut ws: Ws, pong: bool| async move {
        let started = std::time::Instant::now();
        let mut pings = 0;
        while started.elapsed() < Duration::from_millis(1200) {
            let text = next_text(&mut ws).await.expect("the session stays");
            assert!(text.contains("PINGPONG"), "{text}");
            let reply = if pong {
                Message::Pong(text.into_bytes().into())
            } else {
                Message::text(text)
            };
            ws.send(reply).await.unwrap();
            pings += 1;
        }
        pings
    };
    let ponging = tokio::spawn(answer(connect(&mock).await, true));
    let echoing = tokio::spawn(answer(connect(&mock).await, false));
    let (ponged, echoed) = (ponging.await.unwrap(), echoing.await.unwrap());
    assert!(ponged >= 10 && echoed >= 10, "{ponged} {echoed}");
    assert_eq!(mock.stats().ws_sessions, 2);
}

/// A real-env mock over the bundled spec (not the fixtures): the fields KIS documents.
fn bundled() -> MockConfig {
    MockConfig {
        rate_limit_per_sec: None,
        data_interval: None,
        fill: Fill::Immediate,
        clock: MockClock::Simulated {
            start: chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
                .and_then(|d| d.and_hms_opt(10, 30, 0)),
            speed: 1.0,
        },
        ..MockConfig::default()
    }
}

#[tokio::test]
async fn what_kis_accepts_absent_is_accepted() {
    let mock = start(bundled()).await;
    let token = token(&mock).await;
    let c = mock.config();
    // No custtype header: KIS takes the caller as an individual (P).
    let res = http()
        .get(format!("{}{PRICE}", mock.rest_url()))
        .header("authorization", format!("Bearer {token}"))
        .header("appkey", &c.app_key)
        .header("appsecret", &c.app_secret)
        .header("tr_id", "FHKST01010100")
        .query(PRICE_QUERY)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["rt_cd"], "0", "{body}");
    // A custtype that is neither P nor B is still refused.
    let res = http()
        .get(format!("{}{PRICE}", mock.rest_url()))
        .header("authorization", format!("Bearer {token}"))
        .header("appkey", &c.app_key)
        .header("appsecret", &c.app_secret)
        .header("tr_id", "FHKST01010100")
        .header("custtype", "X")
        .query(PRICE_QUERY)
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["msg_cd"], "EGW00130", "{body}");

    // Overseas quote without AUTH.
    let (status, body) = get(
        &mock,
        &token,
        "/uapi/overseas-price/v1/quotations/price",
        "HHDFS00000300",
        &[("EXCD", "NAS"), ("SYMB", "AAPL")],
    )
    .await;
    assert_eq!((status, body["rt_cd"].as_str()), (200, Some("0")), "{body}");

    // Daily executions without EXCG_ID_DVSN_CD (added with NXT in 2025) and without the
    // blank continuation keys.
    let (_, body) = get(
        &mock,
        &token,
        CCLD,
        "TTTC0081R",
        &[
            ("CANO", "12345678"),
            ("ACNT_PRDT_CD", "01"),
            ("INQR_STRT_DT", "20260101"),
            ("INQR_END_DT", "20261231"),
            ("SLL_BUY_DVSN_CD", "00"),
            ("PDNO", ""),
            ("CCLD_DVSN", "00"),
            ("INQR_DVSN", "00"),
            ("INQR_DVSN_3", "00"),
            ("ORD_GNO_BRNO", ""),
            ("ODNO", ""),
        ],
    )
    .await;
    assert_eq!(body["rt_cd"], "0", "{body}");

    // A required field KIS does not accept blank is still named when absent.
    let (_, body) = get(
        &mock,
        &token,
        CCLD,
        "TTTC0081R",
        &[("CANO", "12345678"), ("ACNT_PRDT_CD", "01")],
    )
    .await;
    assert_eq!(body["msg_cd"], "OPSQ2001", "{body}");
    assert!(body["msg1"].as_str().unwrap().contains("INQR_STRT_DT"));
}

async fn place_orders(mock: &MockServer, token: &str, tr: &str, n: usize) {
    for i in 0..n {
        let (_, body) = post(
            mock,
            token,
            ORDER,
            tr,
            json!({"CANO": "12345678", "ACNT_PRDT_CD": "01", "PDNO": "005930", "ORD_DVSN": "00",
                   "ORD_QTY": "1", "ORD_UNPR": "60000"}),
        )
        .await;
        assert_eq!(body["rt_cd"], "0", "order {i}: {body}");
    }
}

/// The daily executions' pages (rows per page, `tr_cont` of each).
async fn ccld_pages(mock: &MockServer, token: &str, tr: &str) -> (Vec<usize>, Vec<String>) {
    let (mut fk, mut nk) = (String::new(), String::new());
    let (mut sizes, mut conts) = (Vec::new(), Vec::new());
    loop {
        let query = [
            ("CANO", "12345678"),
            ("ACNT_PRDT_CD", "01"),
            ("INQR_STRT_DT", "20260101"),
            ("INQR_END_DT", "20261231"),
            ("SLL_BUY_DVSN_CD", "00"),
            ("PDNO", ""),
            ("CCLD_DVSN", "00"),
            ("INQR_DVSN", "00"),
            ("INQR_DVSN_3", "00"),
            ("ORD_GNO_BRNO", ""),
            ("ODNO", ""),
            ("EXCG_ID_DVSN_CD", "KRX"),
            ("CTX_AREA_FK100", fk.as_str()),
            ("CTX_AREA_NK100", nk.as_str()),
        ];
        let res = call(mock, token, reqwest::Method::GET, CCLD, tr)
            .header("tr_cont", if sizes.is_empty() { "" } else { "N" })
            .query(&query)
            .send()
            .await
            .unwrap();
        let cont = res.headers()["tr_cont"].to_str().unwrap().to_owned();
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["rt_cd"], "0", "{body}");
        sizes.push(body["output1"].as_array().unwrap().len());
        fk = body["ctx_area_fk100"].as_str().unwrap().to_owned();
        nk = body["ctx_area_nk100"].as_str().unwrap().to_owned();
        conts.push(cont.clone());
        if cont == "D" || cont == "E" || sizes.len() > 10 {
            return (sizes, conts);
        }
    }
}

#[tokio::test]
async fn daily_executions_page_as_kis_does_or_as_configured() {
    // Paper: 15 a page.
    let paper = start(MockConfig {
        env: kis_mock::MockEnv::Paper,
        app_key: MockConfig::paper().app_key,
        ..bundled()
    })
    .await;
    let token = token(&paper).await;
    place_orders(&paper, &token, "VTTC0012U", 17).await;
    let (sizes, conts) = ccld_pages(&paper, &token, "VTTC0081R").await;
    assert_eq!((sizes, conts), (vec![15, 2], vec!["F".into(), "E".into()]));

    // Real: 100 a page, so 17 orders are one page.
    let real = start(bundled()).await;
    let token = crate::common::token(&real).await;
    place_orders(&real, &token, "TTTC0012U", 17).await;
    let (sizes, conts) = ccld_pages(&real, &token, "TTTC0081R").await;
    assert_eq!((sizes, conts), (vec![17], vec!["D".to_owned()]));

    // Shrunk for a paging test.
    let small = start(MockConfig {
        paging: PagingConfig {
            account_rows: Some(4),
            ..PagingConfig::default()
        },
        ..bundled()
    })
    .await;
    let token = crate::common::token(&small).await;
    place_orders(&small, &token, "TTTC0012U", 9).await;
    let (sizes, conts) = ccld_pages(&small, &token, "TTTC0081R").await;
    assert_eq!(sizes, [4, 4, 1]);
    assert_eq!(conts, ["F", "M", "E"]);
}

#[tokio::test]
async fn a_restarted_mock_accepts_a_cached_token_when_told() {
    let first = start(config()).await;
    let cached = token(&first).await;
    drop(first);
    let strict = start(config()).await;
    let (status, body) = get(&strict, &cached, PRICE, "FHKST01010100", PRICE_QUERY).await;
    assert_eq!((status, body["msg_cd"].as_str()), (500, Some("EGW00121")));
    let lenient = start(MockConfig {
        accept_any_token: true,
        ..config()
    })
    .await;
    let (status, body) = get(&lenient, &cached, PRICE, "FHKST01010100", PRICE_QUERY).await;
    assert_eq!((status, body["rt_cd"].as_str()), (200, Some("0")), "{body}");
    let (_, body) = get(&lenient, "not-a-token", PRICE, "FHKST01010100", PRICE_QUERY).await;
    assert_eq!(body["msg_cd"], "EGW00121");
}
