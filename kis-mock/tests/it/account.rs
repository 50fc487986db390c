//! The stateful account: orders, balance, fills, capacity, modify/cancel and the encrypted
//! execution notice.

use aes::Aes256;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, KeyIvInit};
use kis_mock::{Fees, Fill, MockClock, MockConfig, PagingConfig};
use serde_json::{Value, json};

use crate::common::*;

fn order(code: &str, qty: &str, price: &str) -> Value {
    json!({"CANO": "12345678", "ACNT_PRDT_CD": "01", "PDNO": code, "ORD_DVSN": "00", "ORD_QTY": qty, "ORD_UNPR": price})
}

const ACCT: [(&str, &str); 2] = [("CANO", "12345678"), ("ACNT_PRDT_CD", "01")];

fn balance_query() -> Vec<(&'static str, &'static str)> {
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
    q
}

fn ccld_query() -> Vec<(&'static str, &'static str)> {
    let mut q = ACCT.to_vec();
    q.extend([
        ("INQR_STRT_DT", "20260101"),
        ("INQR_END_DT", "20261231"),
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
    q
}

fn psbl_query(code: &'static str, price: &'static str) -> Vec<(&'static str, &'static str)> {
    let mut q = ACCT.to_vec();
    q.extend([
        ("PDNO", code),
        ("ORD_UNPR", price),
        ("ORD_DVSN", "00"),
        ("CMA_EVLU_AMT_ICLD_YN", "N"),
        ("OVRS_ICLD_YN", "N"),
    ]);
    q
}

/// Plumbing tests: every order fills at once at its own price (or the book), no fees, on a fixed
/// simulated morning (005930's limits that day are 47,850..88,700). The market's own matching is
/// tested in `market.rs`.
fn paper() -> MockConfig {
    MockConfig {
        catalog: Some(fixtures()),
        rate_limit_per_sec: None,
        fill: Fill::Immediate,
        fees: Fees {
            commission_bp: 0.0,
            sell_tax_bp: 0.0,
        },
        seed: 1,
        clock: MockClock::Simulated {
            start: chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
                .and_then(|d| d.and_hms_opt(10, 30, 0)),
            speed: 1.0,
        },
        initial_cash: 1_000_000,
        paging: PagingConfig {
            pages: 1,
            rows: 20,
            account_rows: Some(20),
        },
        data_interval: None,
        ..MockConfig::paper()
    }
}

#[tokio::test]
async fn order_fill_balance_fills_and_capacity_agree() {
    let mock = start(paper()).await;
    let token = token(&mock).await;
    let (status, body) = post(
        &mock,
        &token,
        ORDER,
        "VTTC0012U",
        order("005930", "10", "50000"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["rt_cd"], "0", "{body}");
    assert_eq!(body["msg_cd"], "APBK0013");
    let odno = body["output"]["ODNO"].as_str().unwrap().to_owned();
    assert_eq!(odno.len(), 10);
    assert_eq!(body["output"]["ORD_TMD"].as_str().unwrap().len(), 6);

    let (_, bal) = get(&mock, &token, BALANCE, "VTTC8434R", &balance_query()).await;
    let rows = bal["output1"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["pdno"], "005930");
    assert_eq!(rows[0]["hldg_qty"], "10");
    // Today's buy settles at T+2: D+0 is unchanged, D+2 is down by the amount.
    assert_eq!(bal["output2"][0]["dnca_tot_amt"], "1000000");
    assert_eq!(bal["output2"][0]["prvs_rcdl_excc_amt"], "500000");
    assert_eq!(bal["output2"][0]["thdt_buy_amt"], "500000");

    let (_, fills) = get(&mock, &token, CCLD, "VTTC0081R", &ccld_query()).await;
    let row = &fills["output1"][0];
    assert_eq!(row["odno"], odno.as_str());
    assert_eq!(row["tot_ccld_qty"], "10");
    assert_eq!(row["rmn_qty"], "0");
    assert_eq!(fills["output2"]["tot_ccld_amt"], "500000");

    let (_, psbl) = get(
        &mock,
        &token,
        PSBL,
        "VTTC8908R",
        &psbl_query("005930", "50000"),
    )
    .await;
    assert_eq!(psbl["output"]["ord_psbl_cash"], "500000");
    assert_eq!(psbl["output"]["max_buy_qty"], "10");

    // Selling more than held is refused; too expensive a buy as well.
    let (_, body) = post(
        &mock,
        &token,
        ORDER,
        "VTTC0011U",
        order("005930", "11", "50000"),
    )
    .await;
    assert_eq!(body["rt_cd"], "1");
    assert!(body["msg_cd"].as_str().unwrap().starts_with("APBK"));
    let (_, body) = post(
        &mock,
        &token,
        ORDER,
        "VTTC0012U",
        order("005930", "11", "50000"),
    )
    .await;
    assert_eq!(body["rt_cd"], "1");
    // Wrong account.
    let mut wrong = order("005930", "1", "1000");
    wrong["CANO"] = json!("87654321");
    let (_, body) = post(&mock, &token, ORDER, "VTTC0012U", wrong).await;
    assert_eq!(body["msg_cd"], "OPSQ2000");
    assert_eq!(mock.stats().orders, 1);
}

#[tokio::test]
async fn modify_and_cancel_open_orders() {
    let mock = start(MockConfig {
        fill: Fill::Never,
        ..paper()
    })
    .await;
    let token = token(&mock).await;
    let (_, body) = post(
        &mock,
        &token,
        ORDER,
        "VTTC0012U",
        order("005930", "10", "50000"),
    )
    .await;
    let odno = body["output"]["ODNO"].as_str().unwrap().to_owned();
    let revise = |kind: &str, qty: &str, price: &str, all: &str| {
        json!({"CANO": "12345678", "ACNT_PRDT_CD": "01", "KRX_FWDG_ORD_ORGNO": "06010", "ORGN_ODNO": odno,
               "ORD_DVSN": "00", "RVSE_CNCL_DVSN_CD": kind, "ORD_QTY": qty, "ORD_UNPR": price, "QTY_ALL_ORD_YN": all})
    };
    let (_, body) = post(
        &mock,
        &token,
        REVISE,
        "VTTC0013U",
        revise("01", "4", "60000", "N"),
    )
    .await;
    assert_eq!(body["rt_cd"], "0", "{body}");
    let (_, body) = post(
        &mock,
        &token,
        REVISE,
        "VTTC0013U",
        revise("02", "0", "0", "Y"),
    )
    .await;
    assert_eq!(body["rt_cd"], "0", "{body}");
    let (_, body) = post(
        &mock,
        &token,
        REVISE,
        "VTTC0013U",
        revise("02", "0", "0", "Y"),
    )
    .await;
    assert_eq!(body["rt_cd"], "1", "nothing left to cancel");

    let (_, fills) = get(&mock, &token, CCLD, "VTTC0081R", &ccld_query()).await;
    let rows = fills["output1"].as_array().unwrap();
    let kinds: Vec<&str> = rows
        .iter()
        .map(|r| r["sll_buy_dvsn_cd_name"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"매수정정") && kinds.contains(&"매수취소"),
        "{kinds:?}"
    );
    // 10 ordered, 4 moved to the modify, 6 cancelled: only the modify's 4 are open.
    let open: u64 = rows
        .iter()
        .map(|r| r["rmn_qty"].as_str().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(open, 4);
    let (_, psbl) = get(
        &mock,
        &token,
        PSBL,
        "VTTC8908R",
        &psbl_query("005930", "60000"),
    )
    .await;
    assert_eq!(psbl["output"]["ord_psbl_cash"], "760000");
}

#[tokio::test]
async fn fill_sends_an_encrypted_notice_paper() {
    notice_round_trip(paper(), "H0STCNI9", "VTTC0012U").await;
}

#[tokio::test]
async fn fill_sends_an_encrypted_notice_real() {
    let real = MockConfig {
        env: kis_mock::MockEnv::Real,
        app_key: MockConfig::default().app_key,
        ..paper()
    };
    notice_round_trip(real, "H0STCNI0", "TTTC0012U").await;
}

async fn notice_round_trip(config: MockConfig, notice_tr: &str, order_tr: &str) {
    let mock = start(config).await;
    let token = token(&mock).await;
    let approval = mock.approval_key();
    let mut ws = connect(&mock).await;
    let ack = subscribe(&mut ws, &approval, notice_tr, "mockuser").await;
    assert_eq!(ack["body"]["msg_cd"], "OPSP0000");
    let key = ack["body"]["output"]["key"].as_str().unwrap().to_owned();
    let iv = ack["body"]["output"]["iv"].as_str().unwrap().to_owned();

    let (_, body) = post(
        &mock,
        &token,
        ORDER,
        order_tr,
        order("005930", "3", "70000"),
    )
    .await;
    let odno = body["output"]["ODNO"].as_str().unwrap().to_owned();

    let mut seen = Vec::new();
    for _ in 0..2 {
        let frame = next_frame(&mut ws).await;
        let parts: Vec<&str> = frame.splitn(4, '|').collect();
        assert_eq!(parts[..3], ["1", notice_tr, "001"]);
        let raw = STANDARD.decode(parts[3]).unwrap();
        let plain = cbc::Decryptor::<Aes256>::new_from_slices(key.as_bytes(), iv.as_bytes())
            .unwrap()
            .decrypt_padded_vec_mut::<Pkcs7>(&raw)
            .unwrap();
        let text = String::from_utf8(plain).unwrap();
        let fields: Vec<String> = text.split('^').map(str::to_owned).collect();
        assert_eq!(fields.len(), 26);
        assert_eq!(fields[0], "mockuser");
        assert_eq!(fields[2], odno);
        assert_eq!(fields[8], "005930");
        seen.push((fields[13].clone(), fields[9].clone()));
    }
    // First the acceptance (CNTG_YN 1), then the fill (CNTG_YN 2) of 3 shares.
    assert_eq!(
        seen,
        [
            ("1".to_owned(), "0".to_owned()),
            ("2".to_owned(), "3".to_owned())
        ]
    );
    assert_eq!(mock.stats().notices_sent, 2);
}

#[tokio::test]
async fn delayed_fill() {
    let mock = start(MockConfig {
        fill: Fill::After(std::time::Duration::from_millis(100)),
        ..paper()
    })
    .await;
    let token = token(&mock).await;
    post(
        &mock,
        &token,
        ORDER,
        "VTTC0012U",
        order("005930", "1", "50000"),
    )
    .await;
    let (_, fills) = get(&mock, &token, CCLD, "VTTC0081R", &ccld_query()).await;
    assert_eq!(fills["output1"][0]["tot_ccld_qty"], "0");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let (_, fills) = get(&mock, &token, CCLD, "VTTC0081R", &ccld_query()).await;
    assert_eq!(fills["output1"][0]["tot_ccld_qty"], "1");
}

/// Old TR IDs KIS replaced (`(구)VTTC0802U → (신)VTTC0012U`) still reach the current endpoint's
/// behaviour on the embedded spec: a buy and a sell by old IDs, listed by the old fills TR.
#[tokio::test]
async fn old_tr_ids_are_served_as_the_current_ones() {
    let mock = start(MockConfig {
        catalog: None,
        ..paper()
    })
    .await;
    let token = token(&mock).await;
    let (_, buy) = post(
        &mock,
        &token,
        ORDER,
        "VTTC0802U",
        order("005930", "10", "50000"),
    )
    .await;
    assert_eq!(buy["rt_cd"], "0", "{buy}");
    let (_, sell) = post(
        &mock,
        &token,
        ORDER,
        "VTTC0801U",
        order("005930", "4", "50000"),
    )
    .await;
    assert_eq!(sell["rt_cd"], "0", "{sell}");
    let (_, bal) = get(&mock, &token, BALANCE, "VTTC8434R", &balance_query()).await;
    assert_eq!(bal["output1"][0]["hldg_qty"], "6", "{bal}");
    let mut query = ccld_query();
    query.extend([("INQR_DVSN_1", ""), ("EXCG_ID_DVSN_CD", "KRX")]);
    let (_, fills) = get(&mock, &token, CCLD, "VTTC8001R", &query).await;
    let mut sides: Vec<&str> = fills["output1"]
        .as_array()
        .unwrap_or_else(|| panic!("{fills}"))
        .iter()
        .filter_map(|r| r["sll_buy_dvsn_cd"].as_str())
        .collect();
    sides.sort();
    assert_eq!(sides, ["01", "02"], "{fills}");
    // An old real TR ID is still a real TR: refused on paper as KIS refuses real TRs.
    let (_, real) = post(
        &mock,
        &token,
        ORDER,
        "TTTC0802U",
        order("005930", "1", "50000"),
    )
    .await;
    assert_eq!(real["msg_cd"], "EGW02006", "{real}");
}
