//! Shared helpers: fixture specs, a started mock, raw REST calls and websocket messages.

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use kis_mock::{Catalog, MockConfig, MockServer};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The fixture specs of `tests/fixtures/spec`.
pub fn fixtures() -> Arc<Catalog> {
    static CATALOG: OnceLock<Arc<Catalog>> = OnceLock::new();
    CATALOG
        .get_or_init(|| {
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/spec");
            Arc::new(Catalog::from_dir(&root).expect("fixture specs load"))
        })
        .clone()
}

/// A real-env config over the fixture specs, rate limit off.
pub fn config() -> MockConfig {
    MockConfig {
        catalog: Some(fixtures()),
        rate_limit_per_sec: None,
        ..MockConfig::default()
    }
}

pub async fn start(config: MockConfig) -> MockServer {
    MockServer::start(config).await.expect("mock starts")
}

pub fn http() -> reqwest::Client {
    reqwest::Client::new()
}

/// Issues a token with a raw POST.
pub async fn token(mock: &MockServer) -> String {
    let c = mock.config();
    let res = http()
        .post(format!("{}/oauth2/tokenP", mock.rest_url()))
        .json(&json!({"grant_type": "client_credentials", "appkey": c.app_key, "appsecret": c.app_secret}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

/// A request with every KIS header set.
pub fn call(
    mock: &MockServer,
    token: &str,
    method: reqwest::Method,
    path: &str,
    tr_id: &str,
) -> reqwest::RequestBuilder {
    let c = mock.config();
    http()
        .request(method, format!("{}{path}", mock.rest_url()))
        .header("content-type", "application/json; charset=utf-8")
        .header("authorization", format!("Bearer {token}"))
        .header("appkey", &c.app_key)
        .header("appsecret", &c.app_secret)
        .header("tr_id", tr_id)
        .header("custtype", "P")
}

pub async fn get(
    mock: &MockServer,
    token: &str,
    path: &str,
    tr_id: &str,
    query: &[(&str, &str)],
) -> (u16, Value) {
    let res = call(mock, token, reqwest::Method::GET, path, tr_id)
        .query(query)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

pub async fn post(
    mock: &MockServer,
    token: &str,
    path: &str,
    tr_id: &str,
    body: Value,
) -> (u16, Value) {
    let res = call(mock, token, reqwest::Method::POST, path, tr_id)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub async fn connect(mock: &MockServer) -> Ws {
    let (ws, _) = tokio_tungstenite::connect_async(format!("{}/tryitout", mock.ws_url()))
        .await
        .expect("websocket connects");
    ws
}

pub fn subscribe_msg(approval: &str, tr_type: &str, tr_id: &str, tr_key: &str) -> String {
    json!({
        "header": {"approval_key": approval, "custtype": "P", "tr_type": tr_type, "content-type": "utf-8"},
        "body": {"input": {"tr_id": tr_id, "tr_key": tr_key}},
    })
    .to_string()
}

pub async fn send(ws: &mut Ws, text: String) {
    ws.send(Message::text(text)).await.unwrap();
}

/// The next text message that is not a PINGPONG or data frame (an ack), within 5 s.
pub async fn next_ack(ws: &mut Ws) -> Value {
    loop {
        let text = next_text(ws).await.expect("an ack");
        if text.starts_with('{') && !text.contains("PINGPONG") {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

/// The next text message, or `None` when the connection ends first (5 s limit).
pub async fn next_text(ws: &mut Ws) -> Option<String> {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("message within 5 s");
        match msg {
            Some(Ok(Message::Text(t))) => return Some(t.as_str().to_owned()),
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
            Some(Ok(_)) => {}
        }
    }
}

/// The next data frame (`0|...` or `1|...`).
pub async fn next_frame(ws: &mut Ws) -> String {
    loop {
        let text = next_text(ws).await.expect("a frame");
        if text.starts_with('0') || text.starts_with('1') {
            return text;
        }
    }
}

pub async fn subscribe(ws: &mut Ws, approval: &str, tr_id: &str, tr_key: &str) -> Value {
    send(ws, subscribe_msg(approval, "1", tr_id, tr_key)).await;
    next_ack(ws).await
}

pub const PRICE: &str = "/uapi/domestic-stock/v1/quotations/inquire-price";
pub const ORDER: &str = "/uapi/domestic-stock/v1/trading/order-cash";
pub const REVISE: &str = "/uapi/domestic-stock/v1/trading/order-rvsecncl";
pub const BALANCE: &str = "/uapi/domestic-stock/v1/trading/inquire-balance";
pub const CCLD: &str = "/uapi/domestic-stock/v1/trading/inquire-daily-ccld";
pub const PSBL: &str = "/uapi/domestic-stock/v1/trading/inquire-psbl-order";
pub const PROFIT: &str = "/uapi/domestic-stock/v1/trading/inquire-period-profit";

pub const PRICE_QUERY: &[(&str, &str)] = &[
    ("FID_COND_MRKT_DIV_CODE", "J"),
    ("FID_INPUT_ISCD", "005930"),
];
