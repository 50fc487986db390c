//! Spec endpoints: answers shaped by the spec and example, and the request checks.

use kis_mock::MockConfig;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn answers_from_the_example_where_values_fit() {
    let mock = start(config()).await;
    let token = token(&mock).await;
    let res = call(&mock, &token, reqwest::Method::GET, PRICE, "FHKST01010100")
        .query(PRICE_QUERY)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["tr_id"], "FHKST01010100");
    assert_eq!(
        res.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["rt_cd"], "0");
    assert_eq!(body["msg_cd"], "MCA00000");
    // Prices and volume come from the market model, not the workbook example.
    let num = |k: &str| -> f64 { body["output"][k].as_str().unwrap().parse().unwrap() };
    assert!(num("stck_prpr") > 0.0);
    let change = num("prdy_vrss");
    let rate = num("prdy_ctrt");
    assert!(
        rate.abs() <= 30.0 && (change == 0.0) == (rate == 0.0),
        "{body}"
    );
    let vol = body["output"]["acml_vol"].as_str().unwrap();
    assert!(
        !vol.is_empty() && vol.bytes().all(|b| b.is_ascii_digit()),
        "{vol}"
    );
    // Fields the model does not own keep the example's value.
    assert_eq!(body["output"]["temp_stop_yn"], "N");
}

#[tokio::test]
async fn missing_required_parameter_is_named() {
    let mock = start(config()).await;
    let token = token(&mock).await;
    let (status, body) = get(
        &mock,
        &token,
        PRICE,
        "FHKST01010100",
        &[("FID_COND_MRKT_DIV_CODE", "J")],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["rt_cd"], "1");
    assert_eq!(body["msg_cd"], "OPSQ2001");
    assert!(body["msg1"].as_str().unwrap().contains("FID_INPUT_ISCD"));
}

#[tokio::test]
async fn tr_id_must_belong_to_path_and_env() {
    let mock = start(config()).await;
    let token = token(&mock).await;
    let (status, body) = get(&mock, &token, PRICE, "TTTC8434R", PRICE_QUERY).await;
    assert_eq!((status, body["msg_cd"].as_str()), (500, Some("OPSQ0002")));
    // A paper TR on the real service.
    let (_, body) = get(&mock, &token, BALANCE, "VTTC8434R", &[]).await;
    assert_eq!(body["msg_cd"], "EGW02004");

    let paper = start(MockConfig {
        rate_limit_per_sec: None,
        catalog: Some(fixtures()),
        ..MockConfig::paper()
    })
    .await;
    let token = crate::common::token(&paper).await;
    let (_, body) = get(&paper, &token, BALANCE, "TTTC8434R", &[]).await;
    assert_eq!(body["msg_cd"], "EGW02006");
    // Real-only endpoint on paper: the real TR is "not a paper TR".
    let (_, body) = get(&paper, &token, PROFIT, "TTTC8708R", &[]).await;
    assert_eq!(body["msg_cd"], "EGW02006");
}

#[tokio::test]
async fn custtype_method_path_and_body_types_are_checked() {
    let mock = start(config()).await;
    let token = token(&mock).await;
    let c = mock.config();
    let res = http()
        .get(format!("{}{PRICE}", mock.rest_url()))
        .header("authorization", format!("Bearer {token}"))
        .header("appkey", &c.app_key)
        .header("appsecret", &c.app_secret)
        .header("tr_id", "FHKST01010100")
        .header("custtype", "C")
        .query(PRICE_QUERY)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 500);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["msg_cd"], "EGW00130");

    let res = call(&mock, &token, reqwest::Method::POST, PRICE, "FHKST01010100")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);

    let (status, _) = get(&mock, &token, "/uapi/nope", "FHKST01010100", &[]).await;
    assert_eq!(status, 404);

    let (_, body) = post(
        &mock,
        &token,
        ORDER,
        "TTTC0012U",
        json!({"CANO": "12345678", "ACNT_PRDT_CD": "01", "PDNO": "005930", "ORD_DVSN": "00", "ORD_QTY": 1, "ORD_UNPR": "1000"}),
    )
    .await;
    assert_eq!(body["msg_cd"], "OPSQ2002");
    assert!(body["msg1"].as_str().unwrap().contains("ORD_QTY"));
}

#[tokio::test]
async fn rate_limit_per_app_key_per_second() {
    let mock = start(MockConfig {
        rate_limit_per_sec: Some(2),
        catalog: Some(fixtures()),
        ..MockConfig::paper()
    })
    .await;
    let token = token(&mock).await;
    let mut answers = Vec::new();
    for _ in 0..4 {
        answers.push(get(&mock, &token, PRICE, "FHKST01010100", PRICE_QUERY).await);
    }
    assert_eq!(answers[0].0, 200);
    let limited: Vec<_> = answers.iter().filter(|(s, _)| *s == 500).collect();
    assert!(limited.len() >= 2, "{answers:?}");
    for (_, body) in limited {
        assert_eq!(body["rt_cd"], "1");
        assert_eq!(body["msg_cd"], "EGW00201");
        assert_eq!(body["msg1"], "초당 거래건수를 초과하였습니다.");
    }
    assert!(mock.stats().rate_limited >= 2);
    tokio::time::sleep(std::time::Duration::from_millis(1050)).await;
    let (status, _) = get(&mock, &token, PRICE, "FHKST01010100", PRICE_QUERY).await;
    assert_eq!(status, 200);
    assert!(mock.stats().requests_by_path[PRICE] >= 5);
}
