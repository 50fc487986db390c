//! Continuation paging with `tr_cont` and `CTX_AREA_*`.

use kis_mock::{Holding, MockConfig, PagingConfig};
use serde_json::Value;

use crate::common::*;

/// A synthesized (stateless) continuation endpoint: 퇴직연금 잔고조회 (real-only).
const PENSION: &str = "/uapi/domestic-stock/v1/trading/pension/inquire-balance";

fn pension_query<'a>(fk: &'a str, nk: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("CANO", "12345678"),
        ("ACNT_PRDT_CD", "29"),
        ("ACCA_DVSN_CD", "00"),
        ("INQR_DVSN", "00"),
        ("CTX_AREA_FK100", fk),
        ("CTX_AREA_NK100", nk),
    ]
}

async fn page(
    mock: &kis_mock::MockServer,
    token: &str,
    tr_cont: &str,
    fk: &str,
    nk: &str,
) -> (String, Value) {
    let res = call(mock, token, reqwest::Method::GET, PENSION, "TTTC2208R")
        .header("tr_cont", tr_cont)
        .query(&pension_query(fk, nk))
        .send()
        .await
        .unwrap();
    let cont = res
        .headers()
        .get("tr_cont")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (cont, res.json().await.unwrap())
}

#[tokio::test]
async fn synthesized_endpoint_pages_as_configured() {
    let mock = start(MockConfig {
        paging: PagingConfig {
            pages: 3,
            rows: 4,
            account_rows: None,
        },
        ..config()
    })
    .await;
    let token = token(&mock).await;
    let (mut fk, mut nk) = (String::new(), String::new());
    let mut conts = Vec::new();
    let mut rows = 0;
    for i in 0..3 {
        let (cont, body) = page(&mock, &token, if i == 0 { "" } else { "N" }, &fk, &nk).await;
        assert_eq!(body["rt_cd"], "0", "{body}");
        rows += body["output1"].as_array().unwrap().len();
        fk = body["ctx_area_fk100"].as_str().unwrap().to_owned();
        nk = body["ctx_area_nk100"].as_str().unwrap().to_owned();
        conts.push(cont);
    }
    assert_eq!(conts, ["F", "M", "E"]);
    assert_eq!(rows, 12);
    let (_, body) = page(&mock, &token, "N", "garbage", "garbage").await;
    assert_eq!(body["rt_cd"], "1");
    assert_eq!(body["msg_cd"], "OPSQ0005");
}

#[tokio::test]
async fn five_page_balance() {
    let holdings = (0..10)
        .map(|i| Holding {
            code: format!("{:06}", 100 + i),
            qty: 10,
            avg_price: 1000,
        })
        .collect();
    let mock = start(MockConfig {
        paging: PagingConfig {
            pages: 1,
            rows: 2,
            account_rows: Some(2),
        },
        initial_holdings: holdings,
        ..config()
    })
    .await;
    let token = token(&mock).await;
    let mut codes = Vec::new();
    let (mut fk, mut nk) = (String::new(), String::new());
    let mut conts = Vec::new();
    loop {
        let cont_req = if codes.is_empty() { "" } else { "N" };
        let query = [
            ("CANO", "12345678"),
            ("ACNT_PRDT_CD", "01"),
            ("AFHR_FLPR_YN", "N"),
            ("OFL_YN", ""),
            ("INQR_DVSN", "02"),
            ("UNPR_DVSN", "01"),
            ("FUND_STTL_ICLD_YN", "N"),
            ("FNCG_AMT_AUTO_RDPT_YN", "N"),
            ("PRCS_DVSN", "00"),
            ("CTX_AREA_FK100", fk.as_str()),
            ("CTX_AREA_NK100", nk.as_str()),
        ];
        let res = call(&mock, &token, reqwest::Method::GET, BALANCE, "TTTC8434R")
            .header("tr_cont", cont_req)
            .query(&query)
            .send()
            .await
            .unwrap();
        let cont = res.headers()["tr_cont"].to_str().unwrap().to_owned();
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["rt_cd"], "0", "{body}");
        for row in body["output1"].as_array().unwrap() {
            codes.push(row["pdno"].as_str().unwrap().to_owned());
        }
        fk = body["ctx_area_fk100"].as_str().unwrap().to_owned();
        nk = body["ctx_area_nk100"].as_str().unwrap().to_owned();
        conts.push(cont.clone());
        if cont == "D" || cont == "E" {
            break;
        }
        assert!(conts.len() < 10, "never ends");
    }
    assert_eq!(conts, ["F", "M", "M", "M", "E"]);
    codes.dedup();
    assert_eq!(codes.len(), 10);
}
