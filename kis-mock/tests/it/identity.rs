//! Product identity is one truth: every endpoint's identity fields (type, names in both
//! languages, ISIN, market, listing) come from the mock's universe; a code not in it, or not of
//! the asked type, is "not found" as KIS says it; fees agree between daily executions and the
//! balance.

use kis_mock::{Fill, MockClock, MockConfig, MockServer};
use serde_json::{Value, json};

use crate::common::*;

/// Real env over the bundled spec, a fixed morning, orders filled at once.
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

const SEARCH_INFO: &str = "/uapi/domestic-stock/v1/quotations/search-info";
const SEARCH_STOCK_INFO: &str = "/uapi/domestic-stock/v1/quotations/search-stock-info";

async fn search(
    mock: &MockServer,
    token: &str,
    path: &str,
    tr: &str,
    code: &str,
    ty: &str,
) -> Value {
    get(
        mock,
        token,
        path,
        tr,
        &[("PDNO", code), ("PRDT_TYPE_CD", ty)],
    )
    .await
    .1
}

fn not_found(body: &Value) -> bool {
    body["rt_cd"] == "1" && body["msg_cd"] == "KIOK0560"
}

#[tokio::test]
async fn search_info_answers_the_code_asked_for_and_nothing_else() {
    let mock = start(bundled()).await;
    let token = token(&mock).await;
    let samsung = search(&mock, &token, SEARCH_INFO, "CTPF1604R", "005930", "300").await;
    assert_eq!(samsung["rt_cd"], "0", "{samsung}");
    let o = &samsung["output"];
    assert_eq!(o["prdt_type_cd"], "300");
    assert_eq!(o["pdno"], "005930");
    assert_eq!(o["shtn_pdno"], "005930");
    assert_eq!(o["prdt_name"], "삼성전자");
    assert_eq!(o["prdt_eng_name"], "Samsung Electronics");
    assert_eq!(o["std_pdno"], "KR7005930003");
    // Nothing of the workbook example's Apple is left.
    let text = samsung.to_string();
    for stale in ["AAPL", "APPLE", "US0378331005", "애플"] {
        assert!(!text.contains(stale), "{stale} in {text}");
    }

    let apple = search(&mock, &token, SEARCH_INFO, "CTPF1604R", "AAPL", "512").await;
    assert_eq!(apple["output"]["std_pdno"], "US0378331005", "{apple}");
    assert_eq!(apple["output"]["prdt_eng_name"], "Apple Inc");
    assert_eq!(apple["output"]["prdt_name"], "애플");

    // A code not in the universe, or not of the asked type: not found.
    for (code, ty) in [
        ("999999", "300"),
        ("005930", "512"),
        ("AAPL", "300"),
        ("AAPL", "513"),
    ] {
        let body = search(&mock, &token, SEARCH_INFO, "CTPF1604R", code, ty).await;
        assert!(not_found(&body), "{code}/{ty}: {body}");
    }
}

#[tokio::test]
async fn identity_agrees_across_endpoints_and_unknown_codes_are_not_quoted() {
    let mock = start(bundled()).await;
    let token = token(&mock).await;
    let stock = search(
        &mock,
        &token,
        SEARCH_STOCK_INFO,
        "CTPF1002R",
        "000660",
        "300",
    )
    .await;
    assert_eq!(stock["rt_cd"], "0", "{stock}");
    let o = &stock["output"];
    assert_eq!(o["pdno"], "00000A000660");
    assert_eq!(o["prdt_abrv_name"], "SK하이닉스");
    assert_eq!(o["std_pdno"], "KR7000660001");
    assert_eq!(o["mket_id_cd"], "STK");
    assert_eq!(o["scty_grp_id_cd"], "ST");
    let (_, quote) = get(
        &mock,
        &token,
        PRICE,
        "FHKST01010100",
        &[
            ("FID_COND_MRKT_DIV_CODE", "J"),
            ("FID_INPUT_ISCD", "000660"),
        ],
    )
    .await;
    assert_eq!(
        quote["output"]["lstn_stcn"], o["lstg_stqt"],
        "listed shares agree"
    );
    assert_eq!(quote["output"]["stck_shrn_iscd"], "000660");
    let etf = search(&mock, &token, SEARCH_STOCK_INFO, "CTPF1002R", "AAPL", "512").await;
    assert!(not_found(&etf), "{etf}");

    // 999999 is no product: not quoted, not ordered.
    let (_, body) = get(
        &mock,
        &token,
        PRICE,
        "FHKST01010100",
        &[
            ("FID_COND_MRKT_DIV_CODE", "J"),
            ("FID_INPUT_ISCD", "999999"),
        ],
    )
    .await;
    assert!(not_found(&body), "{body}");
    let (_, body) = get(
        &mock,
        &token,
        "/uapi/overseas-price/v1/quotations/price",
        "HHDFS00000300",
        &[("AUTH", ""), ("EXCD", "NAS"), ("SYMB", "ZZZZQ")],
    )
    .await;
    assert!(not_found(&body), "{body}");
    let (_, body) = post(
        &mock,
        &token,
        ORDER,
        "TTTC0012U",
        json!({"CANO": "12345678", "ACNT_PRDT_CD": "01", "PDNO": "999999", "ORD_DVSN": "01",
               "ORD_QTY": "1", "ORD_UNPR": "0"}),
    )
    .await;
    assert_eq!(body["msg_cd"], "APBK0656", "{body}");
}

#[tokio::test]
async fn daily_executions_report_the_fees_the_balance_charged() {
    let mock = start(bundled()).await;
    let token = token(&mock).await;
    for (tr, qty) in [("TTTC0012U", "10"), ("TTTC0011U", "4")] {
        let (_, body) = post(
            &mock,
            &token,
            ORDER,
            tr,
            json!({"CANO": "12345678", "ACNT_PRDT_CD": "01", "PDNO": "005930", "ORD_DVSN": "01",
                   "ORD_QTY": qty, "ORD_UNPR": "0"}),
        )
        .await;
        assert_eq!(body["rt_cd"], "0", "{body}");
    }
    let acct = [("CANO", "12345678"), ("ACNT_PRDT_CD", "01")];
    let mut q = acct.to_vec();
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
    let (_, balance) = get(&mock, &token, BALANCE, "TTTC8434R", &q).await;
    let charged = balance["output2"][0]["thdt_tlex_amt"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut q = acct.to_vec();
    q.extend([
        ("INQR_STRT_DT", "20261126"),
        ("INQR_END_DT", "20261126"),
        ("SLL_BUY_DVSN_CD", "00"),
        ("PDNO", ""),
        ("CCLD_DVSN", "00"),
        ("INQR_DVSN", "00"),
        ("INQR_DVSN_3", "00"),
        ("ORD_GNO_BRNO", ""),
        ("ODNO", ""),
    ]);
    let (_, fills) = get(&mock, &token, CCLD, "TTTC0081R", &q).await;
    assert_eq!(fills["rt_cd"], "0", "{fills}");
    let reported = fills["output2"]["prsm_tlex_smtl"].as_str().unwrap();
    assert_eq!(reported, charged, "{fills} {balance}");
    assert!(
        charged.parse::<u64>().unwrap() > 0,
        "a buy and a sell cost something"
    );
}
