//! Token issuance (single-flight, disk cache, expiry, EGW00133), approval key and revoke.

use std::time::{Duration, Instant};

use futures::future::join_all;
use kis_client::Error;
use kis_mock::MockConfig;

use crate::endpoints::InquirePrice;
use crate::support::{Setup, cache_files, unlimited};

async fn thousand_calls(client: &kis_client::Client) {
    let calls = (0..1000).map(|i| {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .send(InquirePrice::new(if i % 2 == 0 {
                    "005930"
                } else {
                    "000660"
                }))
                .await
        })
    });
    for r in join_all(calls).await {
        let resp = r.expect("task").expect("call succeeds");
        assert_eq!(resp.rt_cd, "0");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thousand_concurrent_calls_without_cached_token_issue_one_token() {
    let s = Setup::start(unlimited()).await;
    let client = s.client();
    thousand_calls(&client).await;
    let stats = s.mock.stats();
    assert_eq!(stats.token_issued, 1, "{stats:?}");
    assert_eq!(stats.token_refused, 0);
    assert_eq!(stats.requests_by_path.get("/oauth2/tokenP"), Some(&1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thousand_concurrent_calls_with_expired_cached_token_issue_one_token() {
    let s = Setup::start(unlimited()).await;
    // A first process leaves a token in the cache...
    s.client().ensure_token().await.expect("token");
    assert_eq!(s.mock.stats().token_issued, 1);
    // ...which has expired by the time the next process starts.
    let files = cache_files(s.cache.path());
    assert_eq!(files.len(), 1);
    let mut cached: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&files[0]).expect("read")).expect("cache is JSON");
    let past = chrono::Utc::now().timestamp() - 60;
    cached["expires_at_unix"] = serde_json::json!(past);
    std::fs::write(&files[0], serde_json::to_vec(&cached).expect("json")).expect("write");
    s.mock.expire_tokens();
    s.mock.reset_token_window();
    thousand_calls(&s.client()).await;
    let stats = s.mock.stats();
    assert_eq!(
        (stats.token_issued, stats.token_refused),
        (2, 0),
        "{stats:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thousand_concurrent_calls_meeting_a_server_expired_token_reissue_once() {
    let s = Setup::start(unlimited()).await;
    let client = s.client();
    client.ensure_token().await.expect("token");
    // The server expires the token the client holds: every call meets EGW00123 and the client
    // re-issues exactly once for all of them.
    s.mock.expire_tokens();
    s.mock.reset_token_window();
    thousand_calls(&client).await;
    let stats = s.mock.stats();
    assert_eq!(
        (stats.token_issued, stats.token_refused),
        (2, 0),
        "{stats:?}"
    );
}

#[tokio::test]
async fn cached_token_is_reused_across_clients() {
    let s = Setup::start(unlimited()).await;
    s.client()
        .send(InquirePrice::new("005930"))
        .await
        .expect("first");
    // A new client (another process) with the same cache dir reuses the token.
    s.client()
        .send(InquirePrice::new("005930"))
        .await
        .expect("second");
    assert_eq!(s.mock.stats().token_issued, 1);
    // The cache file is private.
    #[cfg(unix)]
    for entry in std::fs::read_dir(s.cache.path()).expect("dir") {
        use std::os::unix::fs::PermissionsExt;
        let meta = entry.expect("entry").metadata().expect("meta");
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
}

#[tokio::test]
async fn corrupted_cache_is_replaced_not_fatal() {
    let s = Setup::start(unlimited()).await;
    s.client().ensure_token().await.expect("token");
    let files = cache_files(s.cache.path());
    assert_eq!(files.len(), 1);
    std::fs::write(&files[0], b"\x00garbage{").expect("corrupt");
    s.mock.reset_token_window();
    let resp = s
        .client()
        .send(InquirePrice::new("005930"))
        .await
        .expect("call");
    assert_eq!(resp.rt_cd, "0");
    assert_eq!(s.mock.stats().token_issued, 2);
    // The cache was rewritten with the new token: a third client issues nothing.
    s.client()
        .send(InquirePrice::new("005930"))
        .await
        .expect("call");
    assert_eq!(s.mock.stats().token_issued, 2);
}

#[tokio::test]
async fn egw00133_waits_once_then_gives_a_typed_error() {
    let s = Setup::start(unlimited()).await;
    s.client_with(|b| b.no_token_cache())
        .ensure_token()
        .await
        .expect("first token");
    let started = Instant::now();
    let err = s
        .client_with(|b| b.no_token_cache())
        .ensure_token()
        .await
        .expect_err("throttled");
    assert!(
        matches!(err, Error::TokenIssuanceThrottled { .. }),
        "{err:?}"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "waited before the retry"
    );
    assert_eq!(
        s.mock.stats().token_refused,
        2,
        "exactly one retry, no spinning"
    );
}

#[tokio::test]
async fn egw00133_then_success_after_the_window() {
    let s = Setup::start(MockConfig {
        token_issue_window: Duration::from_millis(150),
        ..unlimited()
    })
    .await;
    s.client_with(|b| b.no_token_cache())
        .ensure_token()
        .await
        .expect("first token");
    let c = s.client_with(|b| b.no_token_cache());
    c.send(InquirePrice::new("005930"))
        .await
        .expect("second client gets a token after waiting");
    let stats = s.mock.stats();
    assert_eq!(
        (stats.token_issued, stats.token_refused),
        (2, 1),
        "{stats:?}"
    );
}

#[tokio::test]
async fn approval_key_is_issued_once_and_reused() {
    let s = Setup::start(unlimited()).await;
    let c = s.client();
    let a = c.approval_key().await.expect("approval key");
    let b = c.clone().approval_key().await.expect("approval key");
    assert_eq!(a.expose(), b.expose());
    assert!(!a.expose().is_empty());
    assert_eq!(
        s.mock.stats().requests_by_path.get("/oauth2/Approval"),
        Some(&1)
    );
    let renewed = c.renew_approval_key().await.expect("renewed");
    assert_ne!(renewed.expose(), a.expose());
    let err = s
        .client_with(|b| b.app_secret("wrong"))
        .approval_key()
        .await
        .expect_err("refused");
    assert!(
        matches!(&err, Error::Auth { code, .. } if code == "EGW00105"),
        "{err:?}"
    );
}

#[tokio::test]
async fn revoke_forgets_the_token_everywhere() {
    let s = Setup::start(unlimited()).await;
    let c = s.client();
    c.send(InquirePrice::new("005930")).await.expect("call");
    c.revoke_token().await.expect("revoke");
    assert_eq!(cache_files(s.cache.path()).len(), 0, "cache file removed");
    s.mock.reset_token_window();
    c.send(InquirePrice::new("005930"))
        .await
        .expect("call with a new token");
    assert_eq!(s.mock.stats().token_issued, 2);
}

#[tokio::test]
async fn wrong_app_secret_is_an_auth_error() {
    let s = Setup::start(unlimited()).await;
    let c = s.client_with(|b| b.app_secret("wrong"));
    let err = c
        .send(InquirePrice::new("005930"))
        .await
        .expect_err("refused");
    assert!(
        matches!(&err, Error::Auth { code, .. } if code == "EGW00105"),
        "{err:?}"
    );
    assert!(!err.to_string().contains("wrong"));
}

#[tokio::test]
async fn an_order_meeting_an_expired_token_is_not_resent_but_the_next_call_reissues() {
    let s = Setup::start(unlimited()).await;
    let c = s.client_with(|b| b.allow_real_trading(true));
    c.ensure_token().await.expect("token");
    s.mock.expire_tokens();
    s.mock.reset_token_window();
    let err = c
        .send(crate::endpoints::OrderCash::buy("005930", 1, 70_000))
        .await
        .expect_err("expired token");
    assert!(err.is_auth(), "{err:?}");
    let path = crate::endpoints::ORDER_PATH;
    assert_eq!(
        s.mock.stats().requests_by_path.get(path),
        Some(&1),
        "the order was not resent"
    );
    c.send(crate::endpoints::OrderCash::buy("005930", 1, 70_000))
        .await
        .expect("new token, new order");
    assert_eq!(s.mock.stats().token_issued, 2);
}
