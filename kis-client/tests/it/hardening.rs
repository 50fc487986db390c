//! The runtime's safety answers (issue 15): redirects are never followed, a KIS rejection is a
//! rejection, an answer lost after sending is "maybe sent" and never retryable for an order.

use std::sync::atomic::Ordering;
use std::time::Duration;

use kis_client::endpoint::HttpMethod;
use kis_client::{Client, Config, Error, ErrorKind, RawRequest};

use crate::loopback::{HANG, serve};

fn order() -> RawRequest {
    RawRequest {
        method: HttpMethod::Post,
        path: "/uapi/domestic-stock/v1/trading/order-cash".into(),
        tr_id: "VTTC0012U".into(),
        tr_cont: String::new(),
        query: Vec::new(),
        body: Some(br#"{"CANO":"12345678","ACNT_PRDT_CD":"01","PDNO":"005930","ORD_DVSN":"00","ORD_QTY":"1","ORD_UNPR":"70000"}"#.to_vec()),
        endpoint: "order_cash".into(),
    }
}

/// A read-only raw call (quote).
pub(crate) fn read() -> RawRequest {
    RawRequest {
        method: HttpMethod::Get,
        path: "/uapi/domestic-stock/v1/quotations/inquire-price".into(),
        tr_id: "FHKST01010100".into(),
        tr_cont: String::new(),
        query: vec![("FID_INPUT_ISCD".into(), "005930".into())],
        body: None,
        endpoint: "inquire_price".into(),
    }
}

fn client_for(
    url: &str,
    cache: &std::path::Path,
    f: impl FnOnce(kis_client::ConfigBuilder) -> kis_client::ConfigBuilder,
) -> Client {
    let b = Config::builder()
        .app_key("APPKEY-never-elsewhere")
        .app_secret("APPSECRET-never-elsewhere")
        .account("12345678-01")
        .rest_url(url)
        .token_cache_dir(cache)
        .rate_limit_per_sec(1000)
        .retry_base_delay(Duration::from_millis(10));
    Client::new(f(b).build().expect("config")).expect("client")
}

#[tokio::test]
async fn a_307_on_an_order_resends_nothing_and_no_key_leaves_for_the_other_host() {
    let other = serve(|_, _| {
        (
            200,
            "",
            r#"{"rt_cd":"0","msg_cd":"MCA00000","msg1":"ok"}"#.into(),
        )
    })
    .await;
    let target = format!("{}/uapi/domestic-stock/v1/trading/order-cash", other.url);
    for status in [307u16, 308, 302] {
        let to = target.clone();
        let kis = serve(move |_, _| (status, "", to.clone())).await;
        let cache = tempfile::tempdir().expect("tempdir");
        let client = client_for(&kis.url, cache.path(), |b| b);
        let err = client
            .send_raw(order())
            .await
            .expect_err("a redirect is an error");
        match &err {
            Error::Redirect {
                status: s,
                location,
                ..
            } => {
                assert_eq!(*s, status);
                assert_eq!(location, &target, "the error says where it pointed");
            }
            other => panic!("expected a redirect error, got {other:?}"),
        }
        assert!(err.to_string().contains(&target), "{err}");
        assert_eq!(err.kind(), ErrorKind::Redirect);
        assert!(
            !err.is_retryable(),
            "an order is never retryable after a redirect"
        );
        // The order went out exactly once, and nothing at all reached the other host.
        assert_eq!(kis.requests.load(Ordering::SeqCst), 1, "HTTP {status}");
    }
    assert!(
        other.log.lock().expect("log").is_empty(),
        "{:?}",
        other.log.lock().expect("log")
    );
}

#[tokio::test]
async fn a_redirected_hashkey_request_sends_no_key_away_and_the_order_never_leaves() {
    let other = serve(|_, _| (200, "", "{}".into())).await;
    let target = format!("{}/uapi/hashkey", other.url);
    // The token call succeeds; the hashkey call (which carries the keys) is redirected.
    let kis = serve(move |_, _| (302, "", target.clone())).await;
    let cache = tempfile::tempdir().expect("tempdir");
    let client = client_for(&kis.url, cache.path(), |b| b.use_hashkey(true));
    let err = client
        .send_raw(order())
        .await
        .expect_err("hashkey redirected");
    assert!(matches!(err, Error::Redirect { .. }), "{err:?}");
    assert!(
        !err.may_have_been_sent(),
        "only the hashkey call left: {err:?}"
    );
    assert!(other.log.lock().expect("log").is_empty());
    let paths: Vec<String> = kis
        .log
        .lock()
        .expect("log")
        .iter()
        .map(|(p, _)| p.clone())
        .collect();
    assert!(
        !paths.iter().any(|p| p.contains("order-cash")),
        "the order never left: {paths:?}"
    );
}

#[tokio::test]
async fn a_kis_rejection_of_an_order_is_a_clean_refusal() {
    let kis = serve(|_, _| {
        (
            200,
            "",
            r#"{"rt_cd":"1","msg_cd":"APBK0952","msg1":"주문가능금액을 초과 했습니다"}"#.into(),
        )
    })
    .await;
    let cache = tempfile::tempdir().expect("tempdir");
    let client = client_for(&kis.url, cache.path(), |b| b);
    let err = client.send_raw(order()).await.expect_err("rejected");
    assert_eq!(err.kind(), ErrorKind::OrderRejected, "{err:?}");
    assert!(
        !err.may_have_been_sent(),
        "KIS answered: the order was refused, not maybe sent"
    );
    assert!(!err.is_retryable());
    assert_eq!(kis.requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_timeout_after_sending_an_order_is_maybe_sent_and_never_retryable() {
    let kis = serve(|_, _| (200, "", HANG.into())).await;
    let cache = tempfile::tempdir().expect("tempdir");
    let client = client_for(&kis.url, cache.path(), |b| {
        b.timeout(Duration::from_millis(300))
    });
    let err = client.send_raw(order()).await.expect_err("timed out");
    assert_eq!(err.kind(), ErrorKind::Transport, "{err:?}");
    assert!(
        err.may_have_been_sent(),
        "the order reached the server: {err:?}"
    );
    assert!(
        !err.is_retryable(),
        "never retry an order that may have executed"
    );
    assert_eq!(kis.requests.load(Ordering::SeqCst), 1, "not re-sent");
    // The same failure on a read is retryable (and was retried).
    let err = client.send_raw(read()).await.expect_err("timed out");
    assert!(err.may_have_been_sent() && err.is_retryable(), "{err:?}");
    assert!(kis.requests.load(Ordering::SeqCst) > 2, "reads are retried");
}

#[tokio::test]
async fn an_order_whose_token_call_fails_never_left() {
    // Nothing listens on this port: the token call cannot connect.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let cache = tempfile::tempdir().expect("tempdir");
    let client = client_for(&format!("http://127.0.0.1:{port}"), cache.path(), |b| b);
    let err = client.send_raw(order()).await.expect_err("no server");
    assert!(!err.may_have_been_sent(), "{err:?}");
    assert!(
        err.is_retryable(),
        "nothing was sent, so trying again is safe: {err:?}"
    );
}
