//! Headers, envelope checks, local rejections, retries of reads, no retries of orders,
//! hashkey, decode errors and the raw escape hatch.

use kis_client::endpoint::{Endpoint, EndpointInfo, HttpMethod, TrIds};
use kis_client::{Error, RawRequest};
use kis_mock::MockConfig;
use serde::{Deserialize, Serialize};

use crate::endpoints::{InquirePrice, ORDER_PATH, OrderCash, PRICE_PATH, RealOnly};
use crate::support::{Setup, unlimited};

fn path_count(s: &Setup, path: &str) -> u64 {
    s.mock.stats().requests_to(path)
}

#[tokio::test]
async fn quote_round_trip() {
    let s = Setup::start(unlimited()).await;
    let r = s
        .client()
        .send(InquirePrice::new("005930"))
        .await
        .expect("quote");
    assert_eq!((r.rt_cd.as_str(), r.msg_cd.is_empty()), ("0", false));
    assert!(!r.output.stck_prpr.is_empty());
}

#[tokio::test]
async fn order_meeting_a_500_is_sent_exactly_once() {
    let s = Setup::start(unlimited()).await;
    let c = s.client_with(|b| b.allow_real_trading(true));
    c.ensure_token().await.expect("token");
    s.mock.faults().fail_path(ORDER_PATH, 1);
    let err = c
        .send(OrderCash::buy("005930", 1, 70_000))
        .await
        .expect_err("500");
    assert_eq!(path_count(&s, ORDER_PATH), 1, "the order was not retried");
    assert!(err.may_have_been_sent(), "{err:?}");
    assert!(
        matches!(&err, Error::Api { http_status: 500, tr_id, .. } if tr_id == "TTTC0012U"),
        "{err:?}"
    );
    // The next order (no fault) goes through once.
    let ok = c
        .send(OrderCash::buy("005930", 1, 70_000))
        .await
        .expect("order");
    assert_eq!(ok.rt_cd, "0");
    assert!(!ok.output.odno.is_empty());
    assert_eq!(path_count(&s, ORDER_PATH), 2);
    assert_eq!(s.mock.stats().orders, 1);
}

#[tokio::test]
async fn order_meeting_rate_limit_is_not_retried() {
    let s = Setup::start(MockConfig {
        rate_limit_per_sec: Some(1),
        ..MockConfig::default()
    })
    .await;
    // The client believes it may send 50/s, so the server's limit of 1/s bites.
    let c = s.client_with(|b| b.allow_real_trading(true).rate_limit_per_sec(50));
    c.send(InquirePrice::new("005930"))
        .await
        .expect("first call in the second");
    let err = c
        .send(OrderCash::buy("005930", 1, 70_000))
        .await
        .expect_err("rate limited");
    assert!(err.is_rate_limited(), "{err:?}");
    assert!(
        matches!(err, Error::RateLimited { attempts: 1, .. }),
        "{err:?}"
    );
    assert_eq!(path_count(&s, ORDER_PATH), 1);
}

#[tokio::test]
async fn reads_meeting_500s_are_retried_with_a_bound() {
    let s = Setup::start(unlimited()).await;
    let c = s.client();
    s.mock.faults().fail_path(PRICE_PATH, 2);
    c.send(InquirePrice::new("005930"))
        .await
        .expect("third attempt succeeds");
    assert_eq!(path_count(&s, PRICE_PATH), 3);
    s.mock.faults().fail_path(PRICE_PATH, 100);
    let err = c
        .send(InquirePrice::new("005930"))
        .await
        .expect_err("gives up");
    assert!(err.is_retryable(), "{err:?}");
    assert_eq!(path_count(&s, PRICE_PATH), 3 + 4, "1 try + 3 retries");
}

#[tokio::test]
async fn real_order_without_opt_in_is_refused_before_sending() {
    let s = Setup::start(unlimited()).await;
    let err = s
        .client()
        .send(OrderCash::buy("005930", 1, 70_000))
        .await
        .expect_err("refused");
    assert!(
        matches!(&err, Error::RealTradingNotEnabled { tr_id } if tr_id == "TTTC0012U"),
        "{err:?}"
    );
    assert!(!err.may_have_been_sent());
    assert_eq!(
        s.mock.stats().requests,
        0,
        "nothing sent, not even a token request"
    );
}

#[tokio::test]
async fn paper_orders_need_no_opt_in_and_use_paper_tr_ids() {
    let s = Setup::start(MockConfig {
        rate_limit_per_sec: None,
        ..MockConfig::paper()
    })
    .await;
    let r = s
        .client()
        .send(OrderCash::buy("005930", 1, 70_000))
        .await
        .expect("paper order");
    assert_eq!(r.rt_cd, "0");
    assert_eq!(s.mock.stats().orders, 1);
}

#[tokio::test]
async fn paper_unsupported_endpoint_is_rejected_without_a_network_call() {
    let s = Setup::start(MockConfig {
        rate_limit_per_sec: None,
        ..MockConfig::paper()
    })
    .await;
    let err = s
        .client()
        .send(RealOnly {
            code: "005930".into(),
        })
        .await
        .expect_err("unsupported");
    assert!(
        matches!(
            err,
            Error::UnsupportedInPaper {
                endpoint: "real_only_quote"
            }
        ),
        "{err:?}"
    );
    assert!(err.is_rejected_locally());
    assert_eq!(s.mock.stats().requests, 0);
}

#[tokio::test]
async fn business_errors_carry_the_envelope() {
    let s = Setup::start(unlimited()).await;
    let c = s.client_with(|b| b.allow_real_trading(true));
    // More than the account's cash (a quantity of 0 is refused before sending).
    let err = c
        .send(OrderCash::buy("005930", 1_000_000_000, 70_000))
        .await
        .expect_err("rejected order");
    match &err {
        Error::Api {
            rt_cd,
            msg_cd,
            tr_id,
            ..
        } => {
            assert_ne!(rt_cd, "0");
            assert!(!msg_cd.is_empty());
            assert_eq!(tr_id, "TTTC0012U");
        }
        other => panic!("expected Api, got {other:?}"),
    }
    assert_eq!(path_count(&s, ORDER_PATH), 1);
}

#[tokio::test]
async fn hashkey_is_fetched_for_posts_when_enabled() {
    let s = Setup::start(unlimited()).await;
    let c = s.client_with(|b| b.allow_real_trading(true).use_hashkey(true));
    c.send(OrderCash::buy("005930", 1, 70_000))
        .await
        .expect("order");
    assert_eq!(path_count(&s, "/uapi/hashkey"), 1);
    c.send(InquirePrice::new("005930")).await.expect("quote");
    assert_eq!(path_count(&s, "/uapi/hashkey"), 1, "no hashkey for GETs");
}

/// The quote endpoint with a wrong response type, to provoke a decode error.
#[derive(Serialize)]
struct MistypedPrice(InquirePrice);

#[derive(Deserialize, Debug)]
#[allow(dead_code)]
struct Mistyped {
    output: MistypedOutput,
}

#[derive(Deserialize, Debug)]
#[allow(dead_code)]
struct MistypedOutput {
    stck_prpr: u64,
}

impl Endpoint for MistypedPrice {
    type Response = Mistyped;
    const INFO: &'static EndpointInfo = &EndpointInfo {
        id: "mistyped_price",
        ..*InquirePrice::INFO
    };
    fn tr_ids(&self) -> TrIds {
        self.0.tr_ids()
    }
}

#[tokio::test]
async fn decode_errors_name_the_path_and_keep_the_body() {
    let s = Setup::start(unlimited()).await;
    let err = s
        .client()
        .send(MistypedPrice(InquirePrice::new("005930")))
        .await
        .expect_err("decode");
    match err {
        Error::Decode {
            endpoint,
            path,
            body,
            ..
        } => {
            assert_eq!(endpoint, "mistyped_price");
            assert_eq!(path, "output.stck_prpr");
            // The body's first 2 KiB (masked) is kept.
            assert!(body.contains("\"output\""), "{body}");
            assert!(body.len() <= 2048 + 3, "bounded: {}", body.len());
        }
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn send_raw_is_the_escape_hatch() {
    let s = Setup::start(unlimited()).await;
    let c = s.client();
    let resp = c
        .send_raw(RawRequest {
            method: HttpMethod::Get,
            path: PRICE_PATH.into(),
            tr_id: "FHKST01010100".into(),
            tr_cont: String::new(),
            query: vec![
                ("FID_COND_MRKT_DIV_CODE".into(), "J".into()),
                ("FID_INPUT_ISCD".into(), "005930".into()),
            ],
            body: None,
            endpoint: "raw".into(),
        })
        .await
        .expect("raw");
    let v: serde_json::Value = serde_json::from_slice(&resp.body).expect("json");
    assert_eq!(v["rt_cd"], "0");
    // A missing required parameter comes back as a typed business error.
    let err = c
        .send_raw(RawRequest {
            method: HttpMethod::Get,
            path: PRICE_PATH.into(),
            tr_id: "FHKST01010100".into(),
            tr_cont: String::new(),
            query: vec![],
            body: None,
            endpoint: "raw".into(),
        })
        .await
        .expect_err("missing parameter");
    assert!(matches!(err, Error::Api { .. }), "{err:?}");
}

#[tokio::test]
async fn connection_refused_is_a_transport_error_not_sent() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let cache = tempfile::tempdir().expect("tempdir");
    let c = kis_client::Client::new(
        kis_client::Config::builder()
            .app_key("k")
            .app_secret("s")
            .rest_url(format!("http://127.0.0.1:{port}"))
            .token_cache_dir(cache.path())
            .build()
            .expect("config"),
    )
    .expect("client");
    let err = c
        .send(InquirePrice::new("005930"))
        .await
        .expect_err("refused");
    assert!(
        matches!(
            err,
            Error::Transport {
                may_have_been_sent: false,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn account_endpoint_without_an_account_is_rejected_before_sending() {
    let s = Setup::start(unlimited()).await;
    let mc = s.mock.config();
    let c = kis_client::Client::new(
        kis_client::Config::builder()
            .app_key(mc.app_key.clone())
            .app_secret(mc.app_secret.clone())
            .rest_url(s.mock.rest_url())
            .token_cache_dir(s.cache.path())
            .build()
            .expect("config"),
    )
    .expect("client");
    let err = c
        .send(crate::endpoints::InquireBalance::new())
        .await
        .expect_err("no account");
    assert!(
        matches!(
            err,
            Error::NoAccount {
                endpoint: "inquire_balance"
            }
        ),
        "{err:?}"
    );
    assert_eq!(s.mock.stats().requests, 0);
}
