//! KOSPI200 futures trade for real, driven with kis-client's typed requests on a fixed KRX
//! morning: a market buy, a partially filled limit sell that reverses the position, a cancel,
//! executions and the balance agree with the control API's truth; the `H0IFCNI0` notice names
//! the order; the night session and unknown codes are refused.

use aes::Aes256;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, KeyIvInit};
use chrono::NaiveDate;
use kis_client::api::domestic_futureoption::{
    inquire_balance::InquireBalanceRequest, inquire_ccnl::InquireCcnlRequest, order::OrderRequest,
    order_rvsecncl::OrderRvsecnclRequest,
};
use kis_client::codes::{
    ExccStatCd, FillFilter, MgnaDvsn, ModifyCancel, OrdDvsnCd, SideFilter, SortSqn,
};
use kis_client::value::Decimal;
use kis_mock::{Fill, MockClock, MockConfig, PagingConfig};
use serde_json::Value;

use crate::common::*;

/// The near-month KOSPI200 future on 2026-11-26: December 2026 (year code `X`).
const FUTURE: &str = "101X12";

fn config() -> MockConfig {
    MockConfig {
        rate_limit_per_sec: None,
        clock: MockClock::Simulated {
            start: NaiveDate::from_ymd_opt(2026, 11, 26).and_then(|d| d.and_hms_opt(10, 30, 0)),
            speed: 1.0,
        },
        fill: Fill::Market,
        data_interval: None,
        control: true,
        paging: PagingConfig {
            pages: 1,
            rows: 20,
            account_rows: Some(20),
        },
        initial_cash: 100_000_000_000,
        ..MockConfig::default()
    }
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

fn derivatives(t: &Value, key: &str) -> Vec<Value> {
    t[key]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["market"] == "derivatives")
        .cloned()
        .collect()
}

#[tokio::test]
async fn futures_fill_partially_reverse_cancel_and_agree_with_truth() {
    let sim = kis_client::mock::start_with(config()).await.unwrap();
    let (client, mock) = (sim.client(), sim.server());
    let mut ws = connect(mock).await;
    let ack = subscribe(&mut ws, &mock.approval_key(), "H0IFCNI0", "mockuser").await;
    assert_eq!(ack["body"]["msg_cd"], "OPSP0000");
    let (key, iv) = (
        ack["body"]["output"]["key"].as_str().unwrap().to_owned(),
        ack["body"]["output"]["iv"].as_str().unwrap().to_owned(),
    );

    let bought = client
        .send(OrderRequest::day(
            SideFilter::Buy,
            FUTURE,
            3,
            Decimal::ZERO,
            OrdDvsnCd::Market,
        ))
        .await
        .unwrap();
    let buy_odno = bought.output.get().unwrap().odno.raw().into_owned();
    let accept = decrypt(&next_frame(&mut ws).await, &key, &iv);
    assert_eq!(
        (accept[2].as_str(), accept[6].as_str()),
        (buy_odno.as_str(), "L")
    );
    let fill = decrypt(&next_frame(&mut ws).await, &key, &iv);
    assert_eq!(
        (fill[2].as_str(), fill[12].as_str()),
        (buy_odno.as_str(), "2")
    );

    let balance = client
        .send(InquireBalanceRequest::new(
            MgnaDvsn::Initial,
            ExccStatCd::Settlement,
        ))
        .await
        .unwrap();
    let row = &balance.output1.rows()[0];
    assert_eq!(row.cblc_qty.get(), Some(&3));
    let price = *row.idx_clpr.get().unwrap();

    // A sell 1 % under the market takes every bid level and rests the rest: partial, and the
    // position turns short.
    let units = (price * Decimal::from(99))
        .trunc()
        .to_string()
        .parse::<i64>()
        .unwrap();
    let limit = Decimal::new(units - units % 5, 2);
    let sold = client
        .send(OrderRequest::day(
            SideFilter::Sell,
            FUTURE,
            5_000,
            limit,
            OrdDvsnCd::Limit,
        ))
        .await
        .unwrap();
    let sell_odno = sold.output.get().unwrap().odno.raw().into_owned();
    let cancelled = client
        .send(OrderRvsecnclRequest::day(
            ModifyCancel::Cancel,
            &sell_odno,
            0,
            Decimal::ZERO,
            true,
            OrdDvsnCd::Limit,
        ))
        .await
        .unwrap();
    let cancel_odno = cancelled.output.rows()[0].odno.raw().into_owned();

    let t: Value = http()
        .get(format!("{}/__mock/truth", mock.rest_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let orders = derivatives(&t, "orders");
    assert_eq!(orders.len(), 3);
    assert_eq!(orders[0]["state"], "filled");
    let sell = &orders[1];
    let filled = sell["filled_qty"].as_i64().unwrap();
    assert!(filled > 3 && filled < 5_000, "partial, reversing: {filled}");
    assert_eq!(sell["state"], "cancelled");
    assert_eq!(orders[2]["orig_odno"], sell_odno.as_str());
    let position = &derivatives(&t, "positions")[0];
    assert_eq!(position["qty"].as_i64(), Some(3 - filled), "signed: short");

    let day = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let ccnl = client
        .send(InquireCcnlRequest::new(
            day,
            day,
            SideFilter::All,
            FillFilter::All,
            SortSqn::Ascending,
        ))
        .await
        .unwrap();
    let rows = ccnl.output1.rows();
    let listed: Vec<String> = rows.iter().map(|r| r.odno.raw().into_owned()).collect();
    assert_eq!(listed, [buy_odno, sell_odno, cancel_odno]);
    assert_eq!(rows[1].tot_ccld_qty.get(), Some(&filled));
    assert_eq!(
        rows[1].avg_idx.get().copied(),
        Some(
            sell["avg_price"]
                .as_str()
                .unwrap()
                .parse::<Decimal>()
                .unwrap()
        )
    );
    let balance = client
        .send(InquireBalanceRequest::new(
            MgnaDvsn::Initial,
            ExccStatCd::Settlement,
        ))
        .await
        .unwrap();
    let row = &balance.output1.rows()[0];
    assert_eq!(row.cblc_qty.get(), Some(&(filled - 3)));
    assert_eq!(row.sll_buy_dvsn_name.raw(), "매도");
    assert_eq!(
        balance.output2.get().unwrap().dnca_cash.get().copied(),
        Some(
            t["cash"]["KRW_DERIVATIVES"]["after_settlement"]
                .as_str()
                .unwrap()
                .parse::<Decimal>()
                .unwrap()
        )
    );
}

#[tokio::test]
async fn night_session_and_unknown_codes_are_refused() {
    let sim = kis_client::mock::start_with(config()).await.unwrap();
    let client = sim.client();
    let night =
        OrderRequest::night_new(SideFilter::Buy, FUTURE, 1, Decimal::ZERO, OrdDvsnCd::Market);
    let err = client.send(night).await.unwrap_err();
    assert_eq!(err.msg_cd(), Some("40580000"), "{err}");
    for code in ["101Z99", "005930"] {
        let req = OrderRequest::day(SideFilter::Buy, code, 1, Decimal::ZERO, OrdDvsnCd::Market);
        let err = client.send(req).await.unwrap_err();
        assert_eq!(err.msg_cd(), Some("APBK0656"), "{code}: {err}");
    }
}
