//! The simulated market over the wire, as a KIS client sees it: invariants that hold whatever
//! the seed and the day (no snapshot of numbers). The checks below restate KRX's rules (tick
//! grid, limits, calendar) independently of the mock's code.

use chrono::{Datelike, NaiveDate, Weekday};
use futures_util::{SinkExt, StreamExt};
use kis_mock::{MockClock, MockConfig, MockServer};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::common::*;

const PRICE: &str = "/uapi/domestic-stock/v1/quotations/inquire-price";
const BOOK: &str = "/uapi/domestic-stock/v1/quotations/inquire-asking-price-exp-ccn";
const CCNL: &str = "/uapi/domestic-stock/v1/quotations/inquire-ccnl";
const DAILY: &str = "/uapi/domestic-stock/v1/quotations/inquire-daily-itemchartprice";
const ORDER: &str = "/uapi/domestic-stock/v1/trading/order-cash";
const REVISE: &str = "/uapi/domestic-stock/v1/trading/order-rvsecncl";
const BALANCE: &str = "/uapi/domestic-stock/v1/trading/inquire-balance";
const CCLD: &str = "/uapi/domestic-stock/v1/trading/inquire-daily-ccld";
const OVERSEAS: &str = "/uapi/overseas-price/v1/quotations/price";

/// KRX's 2023 tick schedule for stocks.
fn tick(price: i64) -> i64 {
    match price {
        p if p < 2_000 => 1,
        p if p < 5_000 => 5,
        p if p < 20_000 => 10,
        p if p < 50_000 => 50,
        p if p < 200_000 => 100,
        p if p < 500_000 => 500,
        _ => 1_000,
    }
}

fn on_grid(price: i64) -> bool {
    price > 0 && price % tick(price) == 0
}

/// Some KRX holidays inside the charted year.
const HOLIDAYS: &[(i32, u32, u32)] = &[
    (2025, 12, 25),
    (2025, 12, 31),
    (2026, 1, 1),
    (2026, 2, 16),
    (2026, 2, 17),
    (2026, 2, 18),
    (2026, 5, 5),
    (2026, 9, 24),
    (2026, 9, 25),
    (2026, 10, 5),
    (2026, 10, 9),
];

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

/// A mock on a fixed simulated morning whose clock (nearly) stands still, so two calls see
/// the same second.
fn frozen(seed: u64) -> MockConfig {
    MockConfig {
        rate_limit_per_sec: None,
        data_interval: None,
        seed,
        clock: MockClock::Simulated {
            start: day().and_hms_opt(10, 30, 0),
            speed: 0.001,
        },
        ..MockConfig::default()
    }
}

fn int(v: &Value) -> i64 {
    v.as_str()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("not a number: {v}")) as i64
}

async fn quote(mock: &MockServer, token: &str, code: &str) -> Value {
    let (status, body) = get(
        mock,
        token,
        PRICE,
        "FHKST01010100",
        &[("FID_COND_MRKT_DIV_CODE", "J"), ("FID_INPUT_ISCD", code)],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["rt_cd"], "0", "{body}");
    body["output"].clone()
}

async fn daily(
    mock: &MockServer,
    token: &str,
    code: &str,
    from: &str,
    to: &str,
    period: &str,
) -> Value {
    let (_, body) = get(
        mock,
        token,
        DAILY,
        "FHKST03010100",
        &[
            ("FID_COND_MRKT_DIV_CODE", "J"),
            ("FID_INPUT_ISCD", code),
            ("FID_INPUT_DATE_1", from),
            ("FID_INPUT_DATE_2", to),
            ("FID_PERIOD_DIV_CODE", period),
            ("FID_ORG_ADJ_PRC", "0"),
        ],
    )
    .await;
    assert_eq!(body["rt_cd"], "0", "{body}");
    body
}

fn candle_dates(rows: &[Value]) -> Vec<NaiveDate> {
    rows.iter()
        .map(|c| {
            NaiveDate::parse_from_str(c["stck_bsop_date"].as_str().unwrap(), "%Y%m%d").unwrap()
        })
        .collect()
}

fn check_candles(rows: &[Value]) {
    for c in rows {
        let (o, h, l, cl) = (
            int(&c["stck_oprc"]),
            int(&c["stck_hgpr"]),
            int(&c["stck_lwpr"]),
            int(&c["stck_clpr"]),
        );
        assert!(l <= o && o <= h && l <= cl && cl <= h, "{c}");
        assert!([o, h, l, cl].into_iter().all(on_grid), "{c}");
    }
    let dates = candle_dates(rows);
    for w in dates.windows(2) {
        assert!(w[0] > w[1], "newest first, unique: {w:?}");
    }
}

#[tokio::test]
async fn daily_candles_are_trading_days_and_end_at_the_quote() {
    let mock = start(frozen(1)).await;
    let token = token(&mock).await;
    let q = quote(&mock, &token, "005930").await;
    // A year of candles in 100-row pages (KIS's page size), newest first.
    let mut all = Vec::new();
    let mut to = day();
    let from = day() - chrono::Duration::days(366);
    loop {
        let body = daily(
            &mock,
            &token,
            "005930",
            &from.format("%Y%m%d").to_string(),
            &to.format("%Y%m%d").to_string(),
            "D",
        )
        .await;
        let rows = body["output2"].as_array().unwrap().clone();
        if rows.is_empty() {
            break;
        }
        let oldest = *candle_dates(&rows).last().unwrap();
        all.extend(rows);
        if oldest <= from {
            break;
        }
        to = oldest - chrono::Duration::days(1);
    }
    check_candles(&all);
    let dates = candle_dates(&all);
    assert!(
        dates.len() >= 240,
        "a year of trading days: {}",
        dates.len()
    );
    assert!(*dates.last().unwrap() <= from + chrono::Duration::days(4));
    for d in &dates {
        assert!(!matches!(d.weekday(), Weekday::Sat | Weekday::Sun), "{d}");
        assert!(!HOLIDAYS.contains(&(d.year(), d.month(), d.day())), "{d}");
    }
    // The newest candle is today's quote.
    let newest = &all[0];
    assert_eq!(dates[0], day());
    assert_eq!(newest["stck_clpr"], q["stck_prpr"]);
    assert_eq!(newest["stck_oprc"], q["stck_oprc"]);
    assert_eq!(newest["stck_hgpr"], q["stck_hgpr"]);
    assert_eq!(newest["stck_lwpr"], q["stck_lwpr"]);
    assert_eq!(newest["acml_vol"], q["acml_vol"]);
    // Each day opens from the previous close's limits: prices stay within ±30 % of it.
    for w in all.windows(2) {
        let prev = int(&w[1]["stck_clpr"]) as f64;
        for k in ["stck_hgpr", "stck_lwpr"] {
            let p = int(&w[0][k]) as f64;
            assert!((p / prev - 1.0).abs() <= 0.30 + 1e-9, "{} {k}", w[0]);
        }
    }
    // Weekly and monthly candles come from the same days.
    let from = (day() - chrono::Duration::days(180))
        .format("%Y%m%d")
        .to_string();
    let to = day().format("%Y%m%d").to_string();
    for period in ["W", "M"] {
        let body = daily(&mock, &token, "005930", &from, &to, period).await;
        let rows = body["output2"].as_array().unwrap();
        check_candles(rows);
        assert!(rows.len() >= if period == "W" { 20 } else { 5 });
        assert_eq!(rows[0]["stck_clpr"], q["stck_prpr"], "{period}");
        assert!(int(&rows[0]["stck_hgpr"]) >= int(&q["stck_hgpr"]));
    }
}

#[tokio::test]
async fn book_and_quote_sit_on_the_grid_inside_the_limits() {
    let mock = start(frozen(2)).await;
    let token = token(&mock).await;
    for code in ["005930", "000660", "035720", "015760", "247540"] {
        let q = quote(&mock, &token, code).await;
        let (up, low, sdpr) = (
            int(&q["stck_mxpr"]),
            int(&q["stck_llam"]),
            int(&q["stck_sdpr"]),
        );
        assert!(up <= sdpr * 13 / 10 && low * 10 >= sdpr * 7 - 10, "{q}");
        let price = int(&q["stck_prpr"]);
        assert!(on_grid(price) && (low..=up).contains(&price), "{q}");
        assert_eq!(int(&q["aspr_unit"]), tick(price), "{q}");
        assert!(int(&q["stck_lwpr"]) <= price && price <= int(&q["stck_hgpr"]));
        let (_, body) = get(
            &mock,
            &token,
            BOOK,
            "FHKST01010200",
            &[("FID_COND_MRKT_DIV_CODE", "J"), ("FID_INPUT_ISCD", code)],
        )
        .await;
        let b = &body["output1"];
        let asks: Vec<i64> = (1..=10).map(|i| int(&b[format!("askp{i}")])).collect();
        let bids: Vec<i64> = (1..=10).map(|i| int(&b[format!("bidp{i}")])).collect();
        assert!(asks[0] > bids[0], "{b}");
        assert!(
            asks[0] == price || bids[0] == price,
            "the last trade is at the touch"
        );
        for w in asks.windows(2) {
            assert!(w[0] < w[1], "asks rise: {asks:?}");
        }
        for w in bids.windows(2) {
            assert!(w[0] > w[1], "bids fall: {bids:?}");
        }
        for p in asks.iter().chain(&bids) {
            assert!(on_grid(*p) && (low..=up).contains(p), "{p}");
        }
        for i in 1..=10 {
            assert!(int(&b[format!("askp_rsqn{i}")]) > 0 && int(&b[format!("bidp_rsqn{i}")]) > 0);
        }
        // Recent trades: newest first, inside the day's range.
        let (_, ccnl) = get(
            &mock,
            &token,
            CCNL,
            "FHKST01010300",
            &[("FID_COND_MRKT_DIV_CODE", "J"), ("FID_INPUT_ISCD", code)],
        )
        .await;
        let trades = ccnl["output"].as_array().unwrap();
        assert!(!trades.is_empty());
        assert_eq!(trades[0]["stck_prpr"], q["stck_prpr"]);
        for w in trades.windows(2) {
            assert!(w[0]["stck_cntg_hour"].as_str() > w[1]["stck_cntg_hour"].as_str());
        }
        for t in trades {
            let p = int(&t["stck_prpr"]);
            assert!(
                on_grid(p) && int(&q["stck_lwpr"]) <= p && p <= int(&q["stck_hgpr"]),
                "{t}"
            );
        }
    }
}

#[tokio::test]
async fn symbols_differ_and_the_same_seed_reproduces_the_day() {
    let a = start(frozen(7)).await;
    let b = start(frozen(7)).await;
    let c = start(frozen(8)).await;
    let (ta, tb, tc) = (token(&a).await, token(&b).await, token(&c).await);
    let samsung = quote(&a, &ta, "005930").await;
    let hynix = quote(&a, &ta, "000660").await;
    assert_ne!(samsung["stck_prpr"], hynix["stck_prpr"]);
    assert_ne!(samsung["acml_vol"], hynix["acml_vol"]);
    let range = ("20260101", "20261126");
    let chart = |m, t| daily(m, t, "000660", range.0, range.1, "D");
    let (ca, cb, cc) = (
        chart(&a, &ta).await,
        chart(&b, &tb).await,
        chart(&c, &tc).await,
    );
    assert_eq!(ca["output2"], cb["output2"], "same seed, same history");
    assert_ne!(
        ca["output2"], cc["output2"],
        "another seed, another history"
    );
    assert_eq!(
        quote(&b, &tb, "005930").await["stck_prpr"],
        samsung["stck_prpr"]
    );
    // US stocks are priced on their own too.
    let us = |m, t, sym| async move {
        let (_, body) = get(
            m,
            t,
            OVERSEAS,
            "HHDFS00000300",
            &[("AUTH", ""), ("EXCD", "NAS"), ("SYMB", sym)],
        )
        .await;
        assert_eq!(body["rt_cd"], "0", "{body}");
        body["output"]["last"].as_str().unwrap().to_owned()
    };
    let (aapl, tsla) = (us(&a, &ta, "AAPL").await, us(&a, &ta, "TSLA").await);
    assert_ne!(aapl, tsla);
    assert!(aapl.parse::<f64>().unwrap() > 1.0, "{aapl}");
}

fn order(code: &str, dvsn: &str, qty: &str, price: &str) -> Value {
    json!({"CANO": "12345678", "ACNT_PRDT_CD": "01", "PDNO": code, "ORD_DVSN": dvsn, "ORD_QTY": qty, "ORD_UNPR": price})
}

const ACCT: [(&str, &str); 2] = [("CANO", "12345678"), ("ACNT_PRDT_CD", "01")];

async fn balance(mock: &MockServer, token: &str) -> Value {
    let mut q = ACCT.to_vec();
    q.extend([
        ("AFHR_FLPR_YN", "N"),
        ("INQR_DVSN", "02"),
        ("UNPR_DVSN", "01"),
        ("FUND_STTL_ICLD_YN", "N"),
        ("FNCG_AMT_AUTO_RDPT_YN", "N"),
        ("PRCS_DVSN", "00"),
    ]);
    let (_, body) = get(mock, token, BALANCE, "TTTC8434R", &q).await;
    assert_eq!(body["rt_cd"], "0", "{body}");
    body
}

async fn fills(mock: &MockServer, token: &str) -> Value {
    let mut q = ACCT.to_vec();
    q.extend([
        ("INQR_STRT_DT", "20261126"),
        ("INQR_END_DT", "20261126"),
        ("SLL_BUY_DVSN_CD", "00"),
        ("ORD_GNO_BRNO", ""),
        ("CCLD_DVSN", "00"),
        ("INQR_DVSN", "00"),
        ("INQR_DVSN_1", ""),
        ("INQR_DVSN_3", "00"),
        ("EXCG_ID_DVSN_CD", "KRX"),
        ("CTX_AREA_FK100", ""),
        ("CTX_AREA_NK100", ""),
    ]);
    let (_, body) = get(mock, token, CCLD, "TTTC0081R", &q).await;
    assert_eq!(body["rt_cd"], "0", "{body}");
    body
}

#[tokio::test]
async fn market_order_fills_at_the_book_and_moves_cash_by_exactly_the_fill() {
    let mock = start(frozen(3)).await;
    let token = token(&mock).await;
    let before = balance(&mock, &token).await;
    let cash0 = int(&before["output2"][0]["prvs_rcdl_excc_amt"]);
    let deposit0 = int(&before["output2"][0]["dnca_tot_amt"]);
    let (_, book) = get(
        &mock,
        &token,
        BOOK,
        "FHKST01010200",
        &[
            ("FID_COND_MRKT_DIV_CODE", "J"),
            ("FID_INPUT_ISCD", "000660"),
        ],
    )
    .await;
    let ask1 = int(&book["output1"]["askp1"]);
    let ask10 = int(&book["output1"]["askp10"]);
    let (_, placed) = post(
        &mock,
        &token,
        ORDER,
        "TTTC0012U",
        order("000660", "01", "7", "0"),
    )
    .await;
    assert_eq!(placed["rt_cd"], "0", "{placed}");
    let f = fills(&mock, &token).await;
    let row = &f["output1"][0];
    assert_eq!(row["tot_ccld_qty"], "7");
    assert_eq!(row["rmn_qty"], "0");
    let avg = int(&row["avg_prvs"]);
    assert!(
        ask1 <= avg && avg <= ask10,
        "fills near the book: {ask1}..{ask10} got {avg}"
    );
    let amount = int(&row["tot_ccld_amt"]);
    let after = balance(&mock, &token).await;
    let pos = after["output1"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["pdno"] == "000660")
        .unwrap()
        .clone();
    assert_eq!(pos["hldg_qty"], "7");
    assert_eq!(int(&pos["pchs_amt"]), amount);
    let t = &after["output2"][0];
    let charges = int(&t["thdt_tlex_amt"]);
    assert_eq!(
        charges,
        amount * 15 / 100_000,
        "0.015 % commission, truncated"
    );
    assert_eq!(
        int(&t["prvs_rcdl_excc_amt"]),
        cash0 - amount - charges,
        "D+2 cash"
    );
    assert_eq!(
        int(&t["dnca_tot_amt"]),
        deposit0,
        "D+0 unchanged until settlement"
    );
    assert_eq!(int(&t["thdt_buy_amt"]), amount);
    // P/L at the current price.
    let q = quote(&mock, &token, "000660").await;
    let price = int(&q["stck_prpr"]);
    assert_eq!(int(&pos["prpr"]), price);
    assert_eq!(int(&pos["evlu_amt"]), price * 7);
    assert_eq!(int(&pos["evlu_pfls_amt"]), price * 7 - amount);
}

#[tokio::test]
async fn limit_at_the_lower_limit_rests_then_cancels_and_off_grid_is_refused() {
    let mock = start(frozen(4)).await;
    let token = token(&mock).await;
    let q = quote(&mock, &token, "005930").await;
    let lower = int(&q["stck_llam"]);
    let cash0 = int(&balance(&mock, &token).await["output2"][0]["prvs_rcdl_excc_amt"]);

    // Off the grid: refused as KIS does (APBK0506), nothing recorded.
    let price = int(&q["stck_prpr"]);
    let (_, refused) = post(
        &mock,
        &token,
        ORDER,
        "TTTC0012U",
        order("005930", "00", "1", &(price + 1).to_string()),
    )
    .await;
    assert_eq!(refused["rt_cd"], "1");
    assert_eq!(refused["msg_cd"], "APBK0506", "{refused}");
    // Beyond the upper limit: refused too.
    let above = int(&q["stck_mxpr"]) + tick(int(&q["stck_mxpr"]));
    let (_, refused) = post(
        &mock,
        &token,
        ORDER,
        "TTTC0012U",
        order("005930", "00", "1", &above.to_string()),
    )
    .await;
    assert_eq!(refused["rt_cd"], "1", "{refused}");

    let (_, placed) = post(
        &mock,
        &token,
        ORDER,
        "TTTC0012U",
        order("005930", "00", "3", &lower.to_string()),
    )
    .await;
    assert_eq!(placed["rt_cd"], "0", "{placed}");
    let odno = placed["output"]["ODNO"].as_str().unwrap().to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let f = fills(&mock, &token).await;
    assert_eq!(
        f["output1"].as_array().unwrap().len(),
        1,
        "only the accepted order"
    );
    assert_eq!(
        f["output1"][0]["rmn_qty"], "3",
        "rests at the lower limit: {f}"
    );
    assert_eq!(f["output1"][0]["tot_ccld_qty"], "0");
    let bal = balance(&mock, &token).await;
    assert!(
        bal["output1"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["pdno"] != "005930")
    );
    assert_eq!(int(&bal["output2"][0]["prvs_rcdl_excc_amt"]), cash0);

    let cancel = json!({"CANO": "12345678", "ACNT_PRDT_CD": "01", "KRX_FWDG_ORD_ORGNO": "06010", "ORGN_ODNO": odno,
        "ORD_DVSN": "00", "RVSE_CNCL_DVSN_CD": "02", "ORD_QTY": "0", "ORD_UNPR": "0", "QTY_ALL_ORD_YN": "Y"});
    let (_, cancelled) = post(&mock, &token, REVISE, "TTTC0013U", cancel).await;
    assert_eq!(cancelled["rt_cd"], "0", "{cancelled}");
    let f = fills(&mock, &token).await;
    let open: i64 = f["output1"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| int(&r["rmn_qty"]))
        .sum();
    assert_eq!(open, 0);
}

#[tokio::test]
async fn realtime_ticks_move_forward_inside_the_day() {
    // A fast clock (20 simulated seconds per second) and frequent frames.
    let mock = start(MockConfig {
        data_interval: Some(std::time::Duration::from_millis(25)),
        clock: MockClock::Simulated {
            start: day().and_hms_opt(11, 0, 0),
            speed: 20.0,
        },
        ..frozen(5)
    })
    .await;
    let spec = mock.catalog().realtime("H0STCNT0").unwrap();
    let columns: Vec<String> = spec
        .response
        .body
        .iter()
        .filter(|f| !f.is_block())
        .map(|f| f.name.to_ascii_uppercase())
        .collect();
    let col = |name: &str| columns.iter().position(|c| c == name).unwrap();
    let (hour, prpr, hgpr, lwpr, acml, cntg, askp, bidp) = (
        col("STCK_CNTG_HOUR"),
        col("STCK_PRPR"),
        col("STCK_HGPR"),
        col("STCK_LWPR"),
        col("ACML_VOL"),
        col("CNTG_VOL"),
        col("ASKP1"),
        col("BIDP1"),
    );
    let approval = mock.approval_key();
    let mut ws = connect(&mock).await;
    for code in ["005930", "000660"] {
        ws.send(Message::text(subscribe_msg(
            &approval, "1", "H0STCNT0", code,
        )))
        .await
        .unwrap();
    }
    let mut last: std::collections::HashMap<String, (String, i64)> = Default::default();
    let mut prices: std::collections::HashMap<String, std::collections::HashSet<i64>> =
        Default::default();
    let mut records = 0;
    while records < 60 {
        let msg = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let Message::Text(text) = msg else { continue };
        let parts: Vec<&str> = text.as_str().splitn(4, '|').collect();
        if parts.len() < 4 || parts[0] != "0" {
            continue;
        }
        let n: usize = parts[2].parse().unwrap();
        let fields: Vec<&str> = parts[3].split('^').collect();
        assert_eq!(fields.len(), n * columns.len());
        for r in fields.chunks(columns.len()) {
            records += 1;
            let code = r[0].to_owned();
            let p: i64 = r[prpr].parse().unwrap();
            let (h, l): (i64, i64) = (r[hgpr].parse().unwrap(), r[lwpr].parse().unwrap());
            assert!(on_grid(p) && l <= p && p <= h, "{r:?}");
            let (ask, bid): (i64, i64) = (r[askp].parse().unwrap(), r[bidp].parse().unwrap());
            assert!(ask > bid && (ask == p || bid == p), "{r:?}");
            let vol: i64 = r[acml].parse().unwrap();
            let qty: i64 = r[cntg].parse().unwrap();
            assert!(qty > 0, "{r:?}");
            if let Some((t0, v0)) = last.get(&code) {
                assert!(r[hour] >= t0.as_str(), "time never goes back");
                // Each record is one execution: the day's volume grows by exactly its quantity.
                assert_eq!(vol, v0 + qty, "{r:?}");
            }
            last.insert(code.clone(), (r[hour].to_owned(), vol));
            prices.entry(code).or_default().insert(p);
        }
    }
    let _ = ws.close(None).await;
    assert_eq!(last.len(), 2);
    assert_ne!(prices["005930"], prices["000660"]);
    // The clock runs: the tape moved on.
    assert!(
        last.values().all(|(t, _)| t.as_str() > "110000"),
        "{last:?}"
    );
}
