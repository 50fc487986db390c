//! The account's day rollover over the wire: the market clock (moved with the control API or
//! running past KST midnight) ends the day's orders, restarts order numbers and today's
//! counters, and the daily executions keep each day's orders under their own `ord_dt`.

use std::time::Duration;

use kis_mock::{Fill, Holding, MockClock, MockConfig, MockServer};
use serde_json::{Value, json};

use crate::common::*;

const ACCT: &[(&str, &str)] = &[("CANO", "12345678"), ("ACNT_PRDT_CD", "01")];

/// Wednesday 2026-12-02 at `time` KST, at `speed`; 20 shares of 005930 held; market orders
/// fill at the book; the control API on; the bundled spec (the quote's limits).
fn wednesday(time: (u32, u32, u32), speed: f64) -> MockConfig {
    MockConfig {
        catalog: None,
        fill: Fill::Market,
        clock: MockClock::Simulated {
            start: chrono::NaiveDate::from_ymd_opt(2026, 12, 2)
                .and_then(|d| d.and_hms_opt(time.0, time.1, time.2)),
            speed,
        },
        initial_holdings: vec![Holding {
            code: "005930".into(),
            qty: 20,
            avg_price: 50_000,
        }],
        data_interval: None,
        control: true,
        ..config()
    }
}

async fn order(mock: &MockServer, token: &str, dvsn: &str, qty: &str, price: &str) -> Value {
    let (_, body) = post(
        mock,
        token,
        ORDER,
        "TTTC0012U",
        json!({"CANO": "12345678", "ACNT_PRDT_CD": "01", "PDNO": "005930", "ORD_DVSN": dvsn,
               "ORD_QTY": qty, "ORD_UNPR": price}),
    )
    .await;
    assert_eq!(body["rt_cd"], "0", "{body}");
    body
}

async fn lower_limit(mock: &MockServer, token: &str) -> String {
    let (_, quote) = get(mock, token, PRICE, "FHKST01010100", PRICE_QUERY).await;
    quote["output"]["stck_llam"].as_str().unwrap().to_owned()
}

async fn executions(mock: &MockServer, token: &str, from: &str, to: &str) -> Vec<Value> {
    let mut q = ACCT.to_vec();
    q.extend([
        ("INQR_STRT_DT", from),
        ("INQR_END_DT", to),
        ("SLL_BUY_DVSN_CD", "00"),
        ("PDNO", ""),
        ("CCLD_DVSN", "00"),
        ("INQR_DVSN", "00"),
        ("INQR_DVSN_3", "00"),
        ("ORD_GNO_BRNO", ""),
        ("ODNO", ""),
        ("CTX_AREA_FK100", ""),
        ("CTX_AREA_NK100", ""),
    ]);
    let (_, body) = get(mock, token, CCLD, "TTTC0081R", &q).await;
    assert_eq!(body["rt_cd"], "0", "{body}");
    body["output1"].as_array().unwrap().clone()
}

/// The balance's row of 005930 and its summary.
async fn balance(mock: &MockServer, token: &str) -> (Value, Value) {
    let mut q = ACCT.to_vec();
    q.extend([
        ("AFHR_FLPR_YN", "N"),
        ("OFL_YN", ""),
        ("INQR_DVSN", "02"),
        ("UNPR_DVSN", "01"),
        ("FUND_STTL_ICLD_YN", "N"),
        ("FNCG_AMT_AUTO_RDPT_YN", "N"),
        ("PRCS_DVSN", "00"),
        ("CTX_AREA_FK100", ""),
        ("CTX_AREA_NK100", ""),
    ]);
    let (_, body) = get(mock, token, BALANCE, "TTTC8434R", &q).await;
    assert_eq!(body["rt_cd"], "0", "{body}");
    let row = body["output1"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["pdno"] == "005930")
        .cloned()
        .unwrap_or_else(|| panic!("005930 in {body}"));
    (row, body["output2"][0].clone())
}

async fn control(mock: &MockServer, op: &str, body: Value) -> (u16, Value) {
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
    res.json().await.unwrap()
}

fn domestic_order<'a>(truth: &'a Value, day: &str, odno: &str) -> &'a Value {
    truth["orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["market"] == "domestic" && o["day"] == day && o["odno"] == odno)
        .unwrap_or_else(|| panic!("{odno} of {day} in {truth}"))
}

fn num(v: &Value) -> u64 {
    v.as_str()
        .map(|s| s.parse().unwrap())
        .or_else(|| v.as_u64())
        .unwrap_or_else(|| panic!("a number: {v}"))
}

#[tokio::test]
async fn a_new_day_expires_open_orders_restarts_numbers_and_today_and_keeps_history() {
    let mock = start(wednesday((14, 0, 0), 1.0)).await;
    let token = token(&mock).await;
    // Wednesday: a market buy fills, a buy at the lower limit rests.
    let filled = order(&mock, &token, "01", "3", "0").await;
    let low = lower_limit(&mock, &token).await;
    let resting = order(&mock, &token, "00", "10", &low).await;
    let (filled_no, resting_no) = (
        filled["output"]["ODNO"].as_str().unwrap().to_owned(),
        resting["output"]["ODNO"].as_str().unwrap().to_owned(),
    );
    assert_eq!(
        (filled_no.as_str(), resting_no.as_str()),
        ("0000000001", "0000000002")
    );
    let (row, _) = balance(&mock, &token).await;
    assert_eq!((num(&row["hldg_qty"]), num(&row["thdt_buyqty"])), (23, 3));
    let wednesday_cash = truth(&mock).await["cash"]["KRW"]["after_settlement"].clone();

    // A minute on, then Thursday morning, moved there over the control API.
    let (status, moved) = control(&mock, "clock/advance", json!({"seconds": 60})).await;
    assert_eq!(status, 200, "{moved}");
    assert!(
        moved["time"]
            .as_str()
            .unwrap()
            .starts_with("2026-12-02T14:01")
    );
    for bad in [json!({"seconds": 0}), json!({"millis": -5}), json!({})] {
        let (status, body) = control(&mock, "clock/advance", bad).await;
        assert_eq!(status, 400, "{body}");
    }
    let (status, moved) = control(&mock, "clock/set", json!({"time": "2026-12-03 09:30:00"})).await;
    assert_eq!(status, 200, "{moved}");
    assert!(
        moved["time"]
            .as_str()
            .unwrap()
            .starts_with("2026-12-03T09:30")
    );
    let (status, back) = control(&mock, "clock/set", json!({"time": "2026-12-02 10:00:00"})).await;
    assert_eq!(status, 400, "the clock never runs back: {back}");

    // (a) the resting order expired: the truth says so, the executions keep what was open.
    let t = truth(&mock).await;
    assert_eq!(t["day"], "20261203");
    let old = domestic_order(&t, "20261202", &resting_no);
    assert_eq!(old["state"], "expired", "{old}");
    assert_eq!(
        (old["open_qty"].as_u64(), old["expired_qty"].as_u64()),
        (Some(0), Some(10))
    );
    assert_eq!(
        domestic_order(&t, "20261202", &filled_no)["state"],
        "filled"
    );
    assert_eq!(t["cash"]["KRW"]["after_settlement"], wednesday_cash);
    assert_eq!(
        t["cash"]["KRW"]["available"], wednesday_cash,
        "nothing is reserved by an expired order"
    );
    let rows = executions(&mock, &token, "20261202", "20261202").await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    let row = rows
        .iter()
        .find(|r| r["odno"] == resting_no.as_str())
        .unwrap();
    assert_eq!(
        (
            num(&row["tot_ccld_qty"]),
            num(&row["rmn_qty"]),
            row["cncl_yn"].as_str()
        ),
        (0, 10, Some("N"))
    );
    // Today's executions are empty; the expired order cannot be cancelled by its number.
    assert!(
        executions(&mock, &token, "20261203", "20261203")
            .await
            .is_empty()
    );
    let (_, cancel) = post(
        &mock,
        &token,
        REVISE,
        "TTTC0013U",
        json!({"CANO": "12345678", "ACNT_PRDT_CD": "01", "KRX_FWDG_ORD_ORGNO": "06010",
               "ORGN_ODNO": resting_no, "ORD_DVSN": "00", "RVSE_CNCL_DVSN_CD": "02",
               "ORD_QTY": "0", "ORD_UNPR": "0", "QTY_ALL_ORD_YN": "Y"}),
    )
    .await;
    assert_eq!(
        cancel["rt_cd"], "1",
        "yesterday's number names nothing today: {cancel}"
    );

    // (c) today's counters reset, holdings carry, yesterday's trades are the previous day's.
    let (row, summary) = balance(&mock, &token).await;
    assert_eq!(num(&row["hldg_qty"]), 23);
    assert_eq!(
        (num(&row["thdt_buyqty"]), num(&row["thdt_sll_qty"])),
        (0, 0)
    );
    assert_eq!(
        (num(&row["bfdy_buy_qty"]), num(&row["bfdy_sll_qty"])),
        (3, 0)
    );
    assert_eq!(num(&summary["thdt_buy_amt"]), 0);
    assert!(num(&summary["bfdy_buy_amt"]) > 0);
    assert_eq!(summary["prvs_rcdl_excc_amt"], wednesday_cash);
    // The balance and the truth tell one cash story: Wednesday's buy settles on Friday (T+2),
    // so D+0 is untouched on Thursday and D+1 already counts it.
    let krw = &t["cash"]["KRW"];
    assert_eq!(summary["dnca_tot_amt"], krw["deposit"]);
    assert_eq!(summary["nxdy_excc_amt"], krw["next_day"]);
    assert_eq!(num(&summary["dnca_tot_amt"]), 10_000_000);
    assert_eq!(summary["nxdy_excc_amt"], wednesday_cash);

    // (b) Thursday's first order is number 1 again.
    let first = order(&mock, &token, "01", "2", "0").await;
    assert_eq!(first["output"]["ODNO"], "0000000001");
    let second = order(&mock, &token, "00", "4", &lower_limit(&mock, &token).await).await;
    assert_eq!(second["output"]["ODNO"], "0000000002");
    let (row, _) = balance(&mock, &token).await;
    assert_eq!((num(&row["hldg_qty"]), num(&row["thdt_buyqty"])), (25, 2));

    // (d) a range over both days has both days' rows, each with its own day.
    let rows = executions(&mock, &token, "20261202", "20261203").await;
    let mut keys: Vec<(String, String, u64, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["ord_dt"].as_str().unwrap().to_owned(),
                r["odno"].as_str().unwrap().to_owned(),
                num(&r["ord_qty"]),
                num(&r["tot_ccld_qty"]),
            )
        })
        .collect();
    keys.sort();
    let key = |d: &str, n: &str, q: u64, f: u64| (d.to_owned(), n.to_owned(), q, f);
    assert_eq!(
        keys,
        [
            key("20261202", "0000000001", 3, 3),
            key("20261202", "0000000002", 10, 0),
            key("20261203", "0000000001", 2, 2),
            key("20261203", "0000000002", 4, 0),
        ]
    );
    // The truth's fills carry their day.
    let t = truth(&mock).await;
    let fill_days: Vec<&str> = t["fills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["day"].as_str().unwrap())
        .collect();
    assert!(
        fill_days.contains(&"20261202") && fill_days.contains(&"20261203"),
        "{t}"
    );
    assert_eq!(
        domestic_order(&t, "20261203", "0000000002")["state"],
        "open"
    );
}

#[tokio::test]
async fn the_running_clock_rolls_the_day_at_kst_midnight() {
    // Ten simulated seconds per real second: midnight comes 0.2 s after 23:59:58.
    let mock = start(wednesday((14, 0, 0), 10.0)).await;
    let token = token(&mock).await;
    let low = lower_limit(&mock, &token).await;
    let resting = order(&mock, &token, "00", "5", &low).await;
    let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 2)
        .and_then(|d| d.and_hms_opt(23, 59, 58))
        .unwrap();
    mock.advance_clock_to(at).unwrap();
    let t = truth(&mock).await;
    assert_eq!(t["day"], "20261202");
    assert_eq!(
        domestic_order(&t, "20261202", "0000000001")["state"],
        "open"
    );
    // The running clock crosses midnight on its own.
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    while mock.market_time().date() == at.date() {
        assert!(std::time::Instant::now() < deadline, "midnight never came");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let t = mock.truth();
    assert_eq!(t["day"], "20261203");
    let old = domestic_order(&t, "20261202", resting["output"]["ODNO"].as_str().unwrap());
    assert_eq!(
        (old["state"].as_str(), old["expired_qty"].as_u64()),
        (Some("expired"), Some(5))
    );
}
