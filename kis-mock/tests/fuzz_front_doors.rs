//! Property tests of kis-mock's two front doors (the stable-toolchain counterpart of the
//! `fuzz/` targets `mock_rest` and `mock_ws`): arbitrary bytes and arbitrary well-addressed
//! requests at the REST port, arbitrary messages at the websocket port. Whatever arrives, the
//! mock answers in KIS's shapes or closes that one connection, and keeps serving everyone
//! else: no input panics a handler.

use std::sync::OnceLock;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use kis_mock::{Fill, MockClock, MockConfig, MockServer};
use proptest::prelude::*;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::runtime::Runtime;
use tokio_tungstenite::tungstenite::Message;

/// One REST endpoint of the spec: path, whether it is a POST, the TR ID it answers to on the
/// real service, its request field names.
struct Endpoint {
    path: String,
    post: bool,
    tr_id: String,
    fields: Vec<String>,
}

struct Fixture {
    rt: Runtime,
    mock: MockServer,
    token: String,
    http: reqwest::Client,
    endpoints: Vec<Endpoint>,
    realtime: Vec<String>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let http = reqwest::Client::new();
        let (mock, token) = rt.block_on(async {
            let mock = MockServer::start(MockConfig {
                rate_limit_per_sec: None,
                data_interval: Some(Duration::from_millis(20)),
                fill: Fill::Immediate,
                clock: MockClock::Simulated {
                    start: chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
                        .and_then(|d| d.and_hms_opt(10, 30, 0)),
                    speed: 10.0,
                },
                ..MockConfig::default()
            })
            .await
            .expect("the mock starts");
            let c = mock.config();
            let body: Value = http
                .post(format!("{}/oauth2/tokenP", mock.rest_url()))
                .json(
                    &json!({"grant_type": "client_credentials", "appkey": c.app_key,
                              "appsecret": c.app_secret}),
                )
                .send()
                .await
                .expect("token")
                .json()
                .await
                .expect("token json");
            let token = body["access_token"].as_str().expect("a token").to_owned();
            (mock, token)
        });
        let mut endpoints = Vec::new();
        let mut realtime = Vec::new();
        for spec in mock.catalog().specs() {
            let tr_id = spec
                .variants
                .iter()
                .find_map(|v| v.tr_id(kis_spec::TrEnv::Real))
                .map(str::to_owned);
            match spec.kind {
                kis_spec::ApiKind::Rest => {
                    let Some(tr_id) = tr_id else { continue };
                    let post = spec.method == kis_spec::Method::Post;
                    let fields = if post {
                        &spec.request.body
                    } else {
                        &spec.request.query
                    };
                    endpoints.push(Endpoint {
                        path: spec.path.clone(),
                        post,
                        tr_id,
                        fields: fields.iter().map(|f| f.name.clone()).collect(),
                    });
                }
                kis_spec::ApiKind::Realtime => realtime.extend(tr_id),
            }
        }
        assert!(
            endpoints.len() > 200 && !realtime.is_empty(),
            "{}",
            endpoints.len()
        );
        Fixture {
            rt,
            mock,
            token,
            http,
            endpoints,
            realtime,
        }
    })
}

/// Values worth throwing at a field: blanks, the account, codes, continuation keys, dates,
/// numbers at the edges, multibyte text cut at awkward places, anything.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("12345678".to_owned()),
        Just("01".to_owned()),
        Just("005930".to_owned()),
        Just("999999".to_owned()),
        Just("AAPL".to_owned()),
        Just("KISMOCK0001".to_owned()),
        Just("2000122가0000".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("-1".to_owned()),
        "20[0-9]{6}",
        "[0-9]{1,12}",
        "[A-Z]{1,4}",
        ".{0,24}",
    ]
}

/// A request to a real endpoint with its TR ID and a random choice of its fields.
fn addressed() -> impl Strategy<Value = (usize, Vec<(usize, String)>, String)> {
    (
        any::<usize>(),
        proptest::collection::vec((any::<usize>(), value()), 0..12),
        prop_oneof![Just(""), Just("N"), Just("F"), Just("M"), Just("x")].prop_map(String::from),
    )
}

async fn rest_is_alive(f: &Fixture) {
    let c = f.mock.config();
    let res = f
        .http
        .get(format!(
            "{}/uapi/domestic-stock/v1/quotations/inquire-price",
            f.mock.rest_url()
        ))
        .query(&[
            ("FID_COND_MRKT_DIV_CODE", "J"),
            ("FID_INPUT_ISCD", "005930"),
        ])
        .header("authorization", format!("Bearer {}", f.token))
        .header("appkey", &c.app_key)
        .header("appsecret", &c.app_secret)
        .header("tr_id", "FHKST01010100")
        .send()
        .await
        .expect("the REST port still answers");
    assert_eq!(res.status(), 200);
}

/// A websocket message: anything, or a request with random fields.
fn ws_message() -> impl Strategy<Value = Message> {
    prop_oneof![
        ".{0,64}".prop_map(Message::text),
        proptest::collection::vec(any::<u8>(), 0..64).prop_map(|b| Message::Binary(b.into())),
        proptest::collection::vec(any::<u8>(), 0..64).prop_map(|b| Message::Ping(b.into())),
        proptest::collection::vec(any::<u8>(), 0..64).prop_map(|b| Message::Pong(b.into())),
        (
            value(),
            prop_oneof![Just("1"), Just("2"), Just("3"), Just("")],
            any::<usize>(),
            value(),
            any::<bool>()
        )
            .prop_map(|(approval, tr_type, tr, key, pingpong)| {
                let f = fixture();
                let tr_id = if pingpong {
                    "PINGPONG".to_owned()
                } else {
                    f.realtime[tr % f.realtime.len()].clone()
                };
                Message::text(
                    json!({"header": {"approval_key": approval, "custtype": "P", "tr_type": tr_type,
                                      "content-type": "utf-8", "tr_id": tr_id},
                           "body": {"input": {"tr_id": tr_id, "tr_key": key}}})
                    .to_string(),
                )
            }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any bytes at the REST port get an HTTP answer or a closed connection, and the port
    /// keeps serving.
    #[test]
    fn raw_bytes_at_the_rest_port(
        head in prop_oneof![
            Just("GET / HTTP/1.1\r\n".to_owned()),
            Just("POST /oauth2/tokenP HTTP/1.1\r\ncontent-length: 40\r\n".to_owned()),
            Just("POST /uapi/hashkey HTTP/1.1\r\ntransfer-encoding: chunked\r\n".to_owned()),
            ".{0,40}",
        ],
        bytes in proptest::collection::vec(any::<u8>(), 0..1024),
    ) {
        let f = fixture();
        f.rt.block_on(async {
            let addr = f.mock.rest_url().trim_start_matches("http://").to_owned();
            let mut tcp = TcpStream::connect(addr).await.expect("connects");
            let _ = tcp.write_all(head.as_bytes()).await;
            let _ = tcp.write_all(&bytes).await;
            let _ = tcp.shutdown().await;
            let mut answer = Vec::new();
            let read = tokio::time::timeout(Duration::from_secs(2), tcp.read_to_end(&mut answer));
            if let Ok(Ok(_)) = read.await {
                assert!(answer.is_empty() || answer.starts_with(b"HTTP/1."), "{answer:?}");
            }
            rest_is_alive(f).await;
        });
    }

    /// Any request to any endpoint of the spec, properly addressed (path, TR ID, token) with
    /// any values in any of its fields, is answered with a KIS-shaped JSON body.
    #[test]
    fn any_fields_at_any_endpoint((pick, fields, tr_cont) in addressed()) {
        let f = fixture();
        let e = &f.endpoints[pick % f.endpoints.len()];
        let c = f.mock.config();
        let mut params = serde_json::Map::new();
        for (i, v) in fields {
            if !e.fields.is_empty() {
                params.insert(e.fields[i % e.fields.len()].clone(), Value::String(v));
            }
        }
        f.rt.block_on(async {
            let url = format!("{}{}", f.mock.rest_url(), e.path);
            let req = if e.post {
                f.http.post(url).json(&params)
            } else {
                let query: Vec<(String, String)> = params
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
                    .collect();
                f.http.get(url).query(&query)
            };
            let res = req
                .header("authorization", format!("Bearer {}", f.token))
                .header("appkey", &c.app_key)
                .header("appsecret", &c.app_secret)
                .header("tr_id", &e.tr_id)
                .header("tr_cont", &tr_cont)
                .header("custtype", "P")
                .send()
                .await
                .expect("an answer");
            let status = res.status().as_u16();
            assert!(matches!(status, 200 | 400 | 404 | 405 | 413 | 500), "{status} {}", e.path);
            let body: Value = res.json().await.expect("a JSON body");
            assert!(
                body.get("rt_cd").is_some() || body.get("error_code").is_some(),
                "{} {body}",
                e.path
            );
        });
    }

    /// Any messages at the websocket port are acknowledged, ignored or end that session; the
    /// port keeps accepting sessions.
    #[test]
    fn any_messages_at_the_websocket_port(
        messages in proptest::collection::vec(ws_message(), 1..6),
    ) {
        let f = fixture();
        f.rt.block_on(async {
            let url = format!("{}/tryitout", f.mock.ws_url());
            let (mut ws, _) = tokio_tungstenite::connect_async(&url).await.expect("connects");
            for m in messages {
                if ws.send(m).await.is_err() {
                    break;
                }
            }
            // Drain what comes within a moment (acks, pings, frames), or the close.
            let deadline = tokio::time::Instant::now() + Duration::from_millis(50);
            while let Ok(Some(Ok(m))) = tokio::time::timeout_at(deadline, ws.next()).await {
                if let Message::Text(t) = m {
                    let t = t.as_str();
                    assert!(t.starts_with('{') || t.starts_with("0|") || t.starts_with("1|"), "{t}");
                }
            }
            drop(ws);
            let (mut again, _) = tokio_tungstenite::connect_async(&url)
                .await
                .expect("the websocket port still accepts");
            again.send(Message::text("{not json")).await.expect("sends");
            let ack = tokio::time::timeout(Duration::from_secs(5), again.next())
                .await
                .expect("an ack in time");
            let Some(Ok(Message::Text(ack))) = ack else { panic!("no ack: {ack:?}") };
            assert!(ack.as_str().contains("OPSP8993"), "{ack}");
        });
    }
}
