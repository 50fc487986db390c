//! US stocks trade for real, driven with kis-client's typed requests on fixed New York session
//! instants: order, partial fill, modify, cancel, executions, open orders and balances agree
//! with each other and with the control API's truth; New York closed and unknown products are
//! refused.

use std::time::Duration;

use aes::Aes256;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, KeyIvInit};
use chrono::{NaiveDate, NaiveDateTime};
use kis_client::api::overseas_stock::{
    inquire_balance::InquireBalanceRequest, inquire_ccnl::InquireCcnlRequest,
    inquire_nccs::InquireNccsRequest, inquire_present_balance::InquirePresentBalanceRequest,
    inquire_psamount::InquirePsamountRequest, order::OrderRequest,
    order_rvsecncl::OrderRvsecnclRequest,
};
use kis_client::codes::{
    Country, FillFilter, InqrDvsnCdInquirePresentBalance, ModifyCancel, OrderExchange,
    OverseasOrderType, OvrsExcgCd, SideFilter, SortSqnInquireCcnl, TrCrcyCd, TrMketCd,
    WcrcFrcrDvsnCdInquirePresentBalance,
};
use kis_client::value::Decimal;
use kis_mock::{Fill, MockClock, MockConfig, MockEnv, MockServer};
use serde_json::Value;

use crate::common::*;

/// 11:00 in New York on Wednesday 2026-11-25 (EST): 01:00 KST on the 26th.
fn ny_open() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 26)
        .and_then(|d| d.and_hms_opt(1, 0, 0))
        .unwrap()
}

const NY_DAY: (i32, u32, u32) = (2026, 11, 25);

fn config(env: MockEnv, at: NaiveDateTime, fill: Fill) -> MockConfig {
    let base = match env {
        MockEnv::Real => MockConfig::default(),
        MockEnv::Paper => MockConfig::paper(),
    };
    MockConfig {
        rate_limit_per_sec: None,
        clock: MockClock::Simulated {
            start: Some(at),
            speed: 1.0,
        },
        fill,
        data_interval: None,
        control: true,
        paging: kis_mock::PagingConfig {
            pages: 1,
            rows: 20,
            account_rows: Some(20),
        },
        // Enough dollars to out-size the book.
        initial_usd_cents: 10_000_000_000_000,
        ..base
    }
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

async fn truth(mock: &MockServer) -> Value {
    http()
        .get(format!("{}/__mock/truth", mock.rest_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn overseas(t: &Value, key: &str) -> Vec<Value> {
    t[key]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["market"] == "overseas")
        .cloned()
        .collect()
}

/// AAPL's last price in cents, from the mock's overseas quote.
async fn last_cents(mock: &MockServer) -> i64 {
    let token = token(mock).await;
    let (_, body) = get(
        mock,
        &token,
        "/uapi/overseas-price/v1/quotations/price",
        "HHDFS00000300",
        &[("AUTH", ""), ("EXCD", "NAS"), ("SYMB", "AAPL")],
    )
    .await;
    // The client asks for its own token next: let it through the one-per-minute rule.
    mock.reset_token_window();
    let last = body["output"]["last"].as_str().unwrap();
    (last.parse::<f64>().unwrap() * 100.0).round() as i64
}

fn decrypt(frame: &str, key: &str, iv: &str) -> Vec<String> {
    let b64 = frame.splitn(4, '|').nth(3).unwrap();
    let plain = cbc::Decryptor::<Aes256>::new_from_slices(key.as_bytes(), iv.as_bytes())
        .unwrap()
        .decrypt_padded_vec_mut::<Pkcs7>(&STANDARD.decode(b64).unwrap())
        .unwrap();
    String::from_utf8(plain)
        .unwrap()
        .split('^')
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn order_partial_fill_modify_cancel_and_inquiries_agree_with_truth() {
    let sim = kis_client::mock::start_with(config(MockEnv::Real, ny_open(), Fill::Market))
        .await
        .unwrap();
    let (client, mock) = (sim.client(), sim.server());
    let mut ws = connect(mock).await;
    let ack = subscribe(&mut ws, &mock.approval_key(), "H0GSCNI0", "mockuser").await;
    assert_eq!(ack["body"]["msg_cd"], "OPSP0000");
    let (key, iv) = (
        ack["body"]["output"]["key"].as_str().unwrap().to_owned(),
        ack["body"]["output"]["iv"].as_str().unwrap().to_owned(),
    );

    // A buy 1 % above the last price takes every ask level and rests the rest: a partial fill.
    let last = last_cents(mock).await;
    let limit = Decimal::new(last * 101 / 100, 2);
    let qty = Decimal::from(10_000_000);
    let placed = client
        .send(OrderRequest::us_buy(
            OrderExchange::Nasdaq,
            "AAPL",
            qty,
            limit,
            "0",
            OverseasOrderType::Limit,
        ))
        .await
        .unwrap();
    let odno = placed.output.get().unwrap().odno.raw().into_owned();
    assert_ne!(odno, "0000004336", "no canned order number");
    let accept = decrypt(&next_frame(&mut ws).await, &key, &iv);
    assert_eq!(accept[2], odno, "the acceptance notice names the order");
    assert_eq!(accept[12], "1", "CNTG_YN 1: acceptance");
    let fill = decrypt(&next_frame(&mut ws).await, &key, &iv);
    assert_eq!((fill[2].as_str(), fill[12].as_str()), (odno.as_str(), "2"));

    // Open orders: the one order with its remainder.
    let open = client.send(InquireNccsRequest::new()).await.unwrap();
    let rows = open.output.rows();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].odno.raw(), odno);

    // Modify the remainder to a price far below the market, then cancel it.
    let modified = client
        .send(OrderRvsecnclRequest::us(
            OrderExchange::Nasdaq,
            "AAPL",
            &odno,
            ModifyCancel::Modify,
            Decimal::ZERO,
            dec("1.00"),
        ))
        .await
        .unwrap();
    let modify_odno = modified.output.get().unwrap().odno.raw().into_owned();
    assert_ne!(modify_odno, odno);
    let cancelled = client
        .send(OrderRvsecnclRequest::us(
            OrderExchange::Nasdaq,
            "AAPL",
            &modify_odno,
            ModifyCancel::Cancel,
            Decimal::ZERO,
            Decimal::ZERO,
        ))
        .await
        .unwrap();
    let cancel_odno = cancelled.output.get().unwrap().odno.raw().into_owned();

    let t = truth(mock).await;
    let orders = overseas(&t, "orders");
    assert_eq!(orders.len(), 3);
    let original = &orders[0];
    assert_eq!(original["odno"], odno.as_str());
    let filled = original["filled_qty"].as_u64().unwrap();
    assert!(filled > 0 && filled < 10_000_000, "partial: {filled}");
    assert_eq!(original["state"], "replaced");
    assert_eq!(orders[1]["odno"], modify_odno.as_str());
    assert_eq!(orders[1]["state"], "cancelled");
    assert_eq!(orders[2]["odno"], cancel_odno.as_str());
    assert_eq!(orders[2]["orig_odno"], modify_odno.as_str());

    // Executions list the three orders placed, in order, with the truth's fills.
    let day = NaiveDate::from_ymd_opt(NY_DAY.0, NY_DAY.1, NY_DAY.2).unwrap();
    let ccnl = client
        .send(
            InquireCcnlRequest::new(
                day,
                day,
                SideFilter::All,
                FillFilter::All,
                SortSqnInquireCcnl::Ascending,
            )
            .pdno("%")
            .ovrs_excg_cd(OrderExchange::Nasdaq),
        )
        .await
        .unwrap();
    let rows = ccnl.output.rows();
    let listed: Vec<String> = rows.iter().map(|r| r.odno.raw().into_owned()).collect();
    assert_eq!(listed, [odno.clone(), modify_odno.clone(), cancel_odno]);
    assert_eq!(rows[0].ft_ccld_qty.get(), Some(&Decimal::from(filled)));
    assert_eq!(
        rows[0].ft_ccld_unpr3.get().copied(),
        Some(dec(original["avg_price"].as_str().unwrap()))
    );
    assert_eq!(rows[0].nccs_qty.get(), Some(&Decimal::ZERO));
    assert_eq!(rows[0].ord_dt.get(), Some(&day), "the New York day");
    let open = client.send(InquireNccsRequest::new()).await.unwrap();
    assert!(
        open.output.rows().is_empty(),
        "nothing open after the cancel"
    );

    // Balances: the position and the dollars agree with the truth.
    let position = &overseas(&t, "positions")[0];
    assert_eq!(position["qty"].as_u64(), Some(filled));
    let balance = client
        .send(InquireBalanceRequest::new(
            OvrsExcgCd::Nasdaq,
            TrCrcyCd::Usd,
        ))
        .await
        .unwrap();
    let row = &balance.output1.rows()[0];
    assert_eq!(row.ovrs_cblc_qty.get(), Some(&Decimal::from(filled)));
    assert_eq!(
        row.pchs_avg_pric.get().copied(),
        Some(dec(position["avg_price"].as_str().unwrap()))
    );
    let present = client
        .send(InquirePresentBalanceRequest::new(
            WcrcFrcrDvsnCdInquirePresentBalance::ForeignCurrency,
            Country::UnitedStates,
            TrMketCd::All,
            InqrDvsnCdInquirePresentBalance::All,
        ))
        .await
        .unwrap();
    let usd = &present.output2.rows()[0];
    assert_eq!(
        usd.frcr_dncl_amt_2.get().copied(),
        Some(dec(t["cash"]["USD"]["after_settlement"].as_str().unwrap()))
    );
    // Buying power is the available dollars.
    let power = client
        .send(InquirePsamountRequest::new(
            OrderExchange::Nasdaq,
            dec("100.00"),
            "AAPL",
        ))
        .await
        .unwrap();
    let power = power.output.get().unwrap();
    let available = dec(t["cash"]["USD"]["available"].as_str().unwrap());
    assert_eq!(dec(&power.ord_psbl_frcr_amt.raw()), available);
    let qty = dec(&power.max_ord_psbl_qty.raw());
    let commission = dec("1.0025");
    assert!(qty * dec("100") * commission <= available);
    assert!((qty + Decimal::ONE) * dec("100") * commission > available - dec("0.02"));
    // Cash moved by the fills and their commission, nothing else.
    let amount: f64 = overseas(&t, "fills")
        .iter()
        .map(|f| f["qty"].as_f64().unwrap() * f["price"].as_str().unwrap().parse::<f64>().unwrap())
        .sum();
    let start = 100_000_000_000.0;
    let after: f64 = t["cash"]["USD"]["after_settlement"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let charges: f64 = t["cash"]["USD"]["charges"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        ((start - amount - charges) - after).abs() < 0.005,
        "{after}"
    );
    assert!(charges > 0.0);
    // Every notice went to the overseas TR.
    assert!(
        t["notices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["tr"] == "H0GSCNI")
    );
}

#[tokio::test]
async fn each_order_gets_its_own_number_and_time_and_a_paper_notice() {
    // A clock 20 times as fast: 100 ms apart is two simulated seconds.
    let fast = MockConfig {
        clock: MockClock::Simulated {
            start: Some(ny_open()),
            speed: 20.0,
        },
        ..config(MockEnv::Paper, ny_open(), Fill::Immediate)
    };
    let sim = kis_client::mock::start_with(fast).await.unwrap();
    let (client, mock) = (sim.client(), sim.server());
    let mut ws = connect(mock).await;
    let ack = subscribe(&mut ws, &mock.approval_key(), "H0GSCNI9", "mockuser").await;
    assert_eq!(ack["body"]["msg_cd"], "OPSP0000");
    let (key, iv) = (
        ack["body"]["output"]["key"].as_str().unwrap().to_owned(),
        ack["body"]["output"]["iv"].as_str().unwrap().to_owned(),
    );
    let mut seen = Vec::new();
    for _ in 0..2 {
        let placed = client
            .send(OrderRequest::us_buy(
                OrderExchange::NewYork,
                "KO",
                Decimal::from(3),
                dec("50.00"),
                "0",
                OverseasOrderType::Limit,
            ))
            .await
            .unwrap();
        let out = placed.output.get().unwrap();
        seen.push((out.odno.raw().into_owned(), out.ord_tmd.raw().into_owned()));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_ne!(seen[0].0, seen[1].0);
    assert_ne!(seen[0].1, seen[1].1, "the current time, not a canned one");
    assert!(seen[0].1.starts_with("01"), "01:00 KST: {}", seen[0].1);
    // The acceptance then the forced fill of 3 at the limit, 4 implied decimals.
    let accept = decrypt(&next_frame(&mut ws).await, &key, &iv);
    assert_eq!(accept[2], seen[0].0);
    assert_eq!(
        accept[8], "0000000003",
        "an acceptance carries the order quantity"
    );
    assert_eq!(accept[9], "000500000", "USD 50.00 with 4 implied decimals");
    let fill = decrypt(&next_frame(&mut ws).await, &key, &iv);
    assert_eq!((fill[12].as_str(), fill[8].as_str()), ("2", "0000000003"));
    // A sell of what was bought, on the paper sell TR.
    let sold = client
        .send(OrderRequest::us_sell(
            OrderExchange::NewYork,
            "KO",
            Decimal::from(6),
            dec("50.00"),
            "0",
            OverseasOrderType::Limit,
        ))
        .await
        .unwrap();
    assert_eq!(sold.rt_cd.raw(), "0");
    let t = truth(mock).await;
    assert!(overseas(&t, "positions").is_empty(), "sold out");
    assert_eq!(overseas(&t, "fills").len(), 3);
}

#[tokio::test]
async fn closed_new_york_and_unknown_products_are_refused() {
    // 10:30 KST on Thursday 2026-11-26 is 20:30 of the 25th in New York: closed. So is any
    // time on Sunday 2026-12-06 (KST).
    let closed = [
        NaiveDate::from_ymd_opt(2026, 11, 26).and_then(|d| d.and_hms_opt(10, 30, 0)),
        NaiveDate::from_ymd_opt(2026, 12, 6).and_then(|d| d.and_hms_opt(2, 0, 0)),
    ];
    for at in closed {
        let sim = kis_client::mock::start_with(config(MockEnv::Real, at.unwrap(), Fill::Market))
            .await
            .unwrap();
        let err = sim
            .client()
            .send(OrderRequest::us_buy(
                OrderExchange::Nasdaq,
                "AAPL",
                Decimal::from(1),
                dec("100.00"),
                "0",
                OverseasOrderType::Limit,
            ))
            .await
            .unwrap_err();
        assert_eq!(err.msg_cd(), Some("40580000"), "{err}");
        assert!(overseas(&truth(sim.server()).await, "orders").is_empty());
    }

    let sim = kis_client::mock::start_with(config(MockEnv::Real, ny_open(), Fill::Market))
        .await
        .unwrap();
    let client = sim.client();
    let unknown = OrderRequest::us_buy(
        OrderExchange::Nasdaq,
        "ZZZZQ",
        Decimal::from(1),
        dec("10.00"),
        "0",
        OverseasOrderType::Limit,
    );
    let hong_kong = OrderRequest::hk_buy(
        OrderExchange::HongKong,
        "00700",
        Decimal::from(100),
        dec("300.00"),
        "0",
        OverseasOrderType::Limit,
    );
    for req in [unknown, hong_kong] {
        let err = client.send(req).await.unwrap_err();
        assert_eq!(err.msg_cd(), Some("APBK0656"), "{err}");
    }
    let loc = OrderRequest::us_buy(
        OrderExchange::Nasdaq,
        "AAPL",
        Decimal::from(1),
        dec("100.00"),
        "0",
        OverseasOrderType::LimitOnClose,
    );
    assert!(client.send(loc).await.is_err());
    assert!(overseas(&truth(sim.server()).await, "orders").is_empty());
}
