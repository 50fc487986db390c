//! Today is a trading day: by default the mock runs a session on today's KST date, weekends and
//! holidays included; `MockCalendar::Krx` follows KRX's calendar.

use chrono::{Duration, NaiveDate, Utc};
use kis_mock::{Fill, MockCalendar, MockClock, MockConfig, MockServer};
use serde_json::{Value, json};

use crate::common::*;

fn kst_today() -> NaiveDate {
    (Utc::now().naive_utc() + Duration::hours(9)).date()
}

async fn place(mock: &MockServer, token: &str) -> Value {
    post(
        mock,
        token,
        ORDER,
        "TTTC0012U",
        json!({"CANO": "12345678", "ACNT_PRDT_CD": "01", "PDNO": "005930", "ORD_DVSN": "01",
               "ORD_QTY": "1", "ORD_UNPR": "0"}),
    )
    .await
    .1
}

async fn executions_on(mock: &MockServer, token: &str, day: &str) -> Value {
    let query = [
        ("CANO", "12345678"),
        ("ACNT_PRDT_CD", "01"),
        ("INQR_STRT_DT", day),
        ("INQR_END_DT", day),
        ("SLL_BUY_DVSN_CD", "00"),
        ("PDNO", ""),
        ("CCLD_DVSN", "00"),
        ("INQR_DVSN", "00"),
        ("INQR_DVSN_3", "00"),
        ("ORD_GNO_BRNO", ""),
        ("ODNO", ""),
        ("CTX_AREA_FK100", ""),
        ("CTX_AREA_NK100", ""),
    ];
    get(mock, token, CCLD, "TTTC0081R", &query).await.1
}

fn config_with(clock: MockClock, calendar: MockCalendar) -> MockConfig {
    MockConfig {
        clock,
        calendar,
        fill: Fill::Immediate,
        data_interval: None,
        ..config()
    }
}

/// Passes on any day: whatever today is (a Sunday, a holiday), the default mock trades on it.
#[tokio::test]
async fn by_default_today_is_a_trading_day_and_its_executions_are_today_s() {
    let before = kst_today();
    let mock = start(config_with(MockClock::default(), MockCalendar::default())).await;
    let after = kst_today();
    let now = mock.market_time();
    assert!(
        now.date() == before || now.date() == after,
        "{now} vs {before}"
    );
    assert_eq!(now.format("%H:%M").to_string(), "10:30");
    let token = token(&mock).await;
    let order = place(&mock, &token).await;
    assert_eq!(order["rt_cd"], "0", "{order}");
    let day = now.format("%Y%m%d").to_string();
    let found = executions_on(&mock, &token, &day).await;
    let rows = found["output1"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{found}");
    assert_eq!(rows[0]["ord_dt"], day.as_str());
    assert_eq!(rows[0]["odno"], order["output"]["ODNO"]);
    // The quote is today's too.
    let (_, quote) = get(&mock, &token, PRICE, "FHKST01010100", PRICE_QUERY).await;
    assert_eq!(quote["rt_cd"], "0");
}

fn sunday_morning() -> MockClock {
    // Sunday 2026-12-06 10:30 KST.
    let start = NaiveDate::from_ymd_opt(2026, 12, 6).and_then(|d| d.and_hms_opt(10, 30, 0));
    MockClock::Simulated { start, speed: 1.0 }
}

#[tokio::test]
async fn a_sunday_trades_in_the_sandbox_and_not_on_the_krx_calendar() {
    let sandbox = start(config_with(sunday_morning(), MockCalendar::Sandbox)).await;
    let sandbox_token = token(&sandbox).await;
    let order = place(&sandbox, &sandbox_token).await;
    assert_eq!(order["rt_cd"], "0", "{order}");
    let found = executions_on(&sandbox, &sandbox_token, "20261206").await;
    assert_eq!(found["output1"].as_array().unwrap().len(), 1, "{found}");

    let krx = start(config_with(sunday_morning(), MockCalendar::Krx)).await;
    let token = crate::common::token(&krx).await;
    let order = place(&krx, &token).await;
    assert_eq!(order["rt_cd"], "1", "{order}");
    assert_eq!(order["msg_cd"], "40580000", "closed on a Sunday: {order}");
    // The quote is Friday's close.
    let (_, quote) = get(&krx, &token, PRICE, "FHKST01010100", PRICE_QUERY).await;
    let (_, sunday) = get(
        &sandbox,
        &sandbox_token,
        PRICE,
        "FHKST01010100",
        PRICE_QUERY,
    )
    .await;
    let int = |v: &Value| v.as_str().unwrap().parse::<i64>().unwrap();
    let sunday_prev_close =
        int(&sunday["output"]["stck_prpr"]) - int(&sunday["output"]["prdy_vrss"]);
    assert_eq!(
        int(&quote["output"]["stck_prpr"]),
        sunday_prev_close,
        "KRX shows Friday's close on Sunday, the sandbox's previous close: {quote} {sunday}"
    );
}
