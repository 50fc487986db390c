//! Token, approval and hashkey rules, and the auth checks of every endpoint.

use std::time::Duration;

use kis_mock::MockConfig;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::common::*;

async fn token_raw(mock: &kis_mock::MockServer, appkey: &str, appsecret: &str) -> (u16, Value) {
    let res = http()
        .post(format!("{}/oauth2/tokenP", mock.rest_url()))
        .json(
            &json!({"grant_type": "client_credentials", "appkey": appkey, "appsecret": appsecret}),
        )
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

#[tokio::test]
async fn token_once_per_window_then_same_token() {
    let mock = start(MockConfig {
        token_issue_window: Duration::from_millis(300),
        ..config()
    })
    .await;
    let (key, secret) = (
        mock.config().app_key.clone(),
        mock.config().app_secret.clone(),
    );
    let (status, first) = token_raw(&mock, &key, &secret).await;
    assert_eq!(status, 200);
    assert_eq!(first["token_type"], "Bearer");
    assert_eq!(first["expires_in"], 86_400);
    let expired = first["access_token_token_expired"].as_str().unwrap();
    assert_eq!(expired.len(), 19, "{expired}");
    assert_eq!(&expired[4..5], "-");
    assert_eq!(&expired[10..11], " ");
    assert_eq!(&expired[13..14], ":");

    let (status, refused) = token_raw(&mock, &key, &secret).await;
    assert_eq!(status, 403);
    assert_eq!(refused["error_code"], "EGW00133");
    assert_eq!(
        refused["error_description"],
        "접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)"
    );
    assert!(refused.get("rt_cd").is_none());

    tokio::time::sleep(Duration::from_millis(350)).await;
    let (status, again) = token_raw(&mock, &key, &secret).await;
    assert_eq!(status, 200);
    assert_eq!(again["access_token"], first["access_token"]);
    let stats = mock.stats();
    assert_eq!((stats.token_issued, stats.token_refused), (2, 1));
}

#[tokio::test]
async fn token_with_wrong_credentials_is_refused() {
    let mock = start(config()).await;
    let secret = mock.config().app_secret.clone();
    let (status, body) = token_raw(&mock, "PSwrong", &secret).await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (403, Some("EGW00103"))
    );
    let key = mock.config().app_key.clone();
    let (status, body) = token_raw(&mock, &key, "wrong").await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (403, Some("EGW00105"))
    );
}

#[tokio::test]
async fn invalid_expired_and_revoked_tokens() {
    let mock = start(MockConfig {
        token_issue_window: Duration::ZERO,
        ..config()
    })
    .await;
    let (status, body) = get(&mock, "bogus", PRICE, "FHKST01010100", PRICE_QUERY).await;
    assert_eq!((status, body["msg_cd"].as_str()), (500, Some("EGW00121")));
    assert_eq!(body["rt_cd"], "1");

    let token = token(&mock).await;
    let (status, body) = get(&mock, &token, PRICE, "FHKST01010100", PRICE_QUERY).await;
    assert_eq!((status, body["rt_cd"].as_str()), (200, Some("0")));

    mock.expire_tokens();
    let (status, body) = get(&mock, &token, PRICE, "FHKST01010100", PRICE_QUERY).await;
    assert_eq!((status, body["msg_cd"].as_str()), (500, Some("EGW00123")));

    let token = crate::common::token(&mock).await;
    let c = mock.config();
    let res = http()
        .post(format!("{}/oauth2/revokeP", mock.rest_url()))
        .json(&json!({"appkey": c.app_key, "appsecret": c.app_secret, "token": token}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (_, body) = get(&mock, &token, PRICE, "FHKST01010100", PRICE_QUERY).await;
    assert_eq!(body["msg_cd"], "EGW00121");
}

#[tokio::test]
async fn wrong_app_key_or_secret_on_a_call() {
    let mock = start(config()).await;
    let token = token(&mock).await;
    let c = mock.config();
    let res = http()
        .get(format!("{}{PRICE}", mock.rest_url()))
        .header("authorization", format!("Bearer {token}"))
        .header("appkey", "PSwrong")
        .header("appsecret", &c.app_secret)
        .header("tr_id", "FHKST01010100")
        .header("custtype", "P")
        .query(PRICE_QUERY)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 500);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["msg_cd"], "EGW00103");
}

#[tokio::test]
async fn approval_needs_secretkey() {
    let mock = start(config()).await;
    let c = mock.config();
    let url = format!("{}/oauth2/Approval", mock.rest_url());
    let res = http()
        .post(&url)
        .json(&json!({"grant_type": "client_credentials", "appkey": c.app_key, "secretkey": c.app_secret}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["approval_key"].as_str().unwrap().len(), 36);

    let res = http()
        .post(&url)
        .json(&json!({"grant_type": "client_credentials", "appkey": c.app_key, "appsecret": c.app_secret}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn hashkey_is_sha256_of_the_body() {
    let mock = start(config()).await;
    let c = mock.config();
    let body = r#"{"CANO":"12345678","ORD_QTY":"1"}"#;
    let res = http()
        .post(format!("{}/uapi/hashkey", mock.rest_url()))
        .header("content-type", "application/json")
        .header("appkey", &c.app_key)
        .header("appsecret", &c.app_secret)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let got: Value = res.json().await.unwrap();
    let want: String = Sha256::digest(body.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(got["HASH"], want.as_str());
    assert_eq!(got["BODY"]["CANO"], "12345678");
}
