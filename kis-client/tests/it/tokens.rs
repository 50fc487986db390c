//! Token hardening (issue 15): extreme server expiries, single-flight across processes and
//! failures, eviction of a token KIS rejected, a visible wait on the once-a-minute rule.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use kis_client::{Client, Config, TokenWait};

use crate::endpoints::InquirePrice;
use crate::hardening::read;
use crate::loopback::{Loopback, serve, serve_with_token};
use crate::support::{Setup, unlimited};

fn token_requests(l: &Loopback) -> usize {
    l.log
        .lock()
        .expect("log")
        .iter()
        .filter(|(p, _)| p == "/oauth2/tokenP")
        .count()
}

fn ok_body() -> (u16, &'static str, String) {
    (
        200,
        "",
        r#"{"rt_cd":"0","msg_cd":"MCA00000","msg1":"ok","output":{}}"#.into(),
    )
}

fn client(url: &str, cache: &std::path::Path) -> Client {
    Client::new(
        Config::builder()
            .app_key("k")
            .app_secret("s")
            .rest_url(url)
            .token_cache_dir(cache)
            .rate_limit_per_sec(1000)
            .max_retries(0)
            .build()
            .expect("config"),
    )
    .expect("client")
}

#[tokio::test]
async fn extreme_server_expiries_never_panic_and_the_token_is_reused() {
    for body in [
        r#"{"access_token":"t1","expires_in":9223372036854775807}"#,
        r#"{"access_token":"t2","expires_in":-9223372036854775808}"#,
        r#"{"access_token":"t3","expires_in":1e308}"#,
        r#"{"access_token":"t4","expires_in":"99999999999999999999999"}"#,
        r#"{"access_token":"t5","expires_in":86400,"access_token_token_expired":"9999-12-31 23:59:59"}"#,
        r#"{"access_token":"t6","access_token_token_expired":"0000-01-01 00:00:00"}"#,
    ] {
        let kis = serve_with_token(body, Duration::ZERO, |_, _| ok_body()).await;
        let cache = tempfile::tempdir().expect("tempdir");
        let c = client(&kis.url, cache.path());
        // The first call issues; whatever the expiry said, nothing panics, and a second call
        // either reuses the token or (for an already-expired one) issues again, also fine.
        c.send_raw(read()).await.expect("first call");
        c.send_raw(read()).await.expect("second call");
        assert!(token_requests(&kis) <= 2, "{body}");
    }
}

#[tokio::test]
async fn a_failed_issuance_is_shared_by_every_task_waiting_on_it() {
    let kis = serve_with_token(
        r#"{"error_code":"EGW00103","error_description":"bad key"}"#,
        Duration::from_millis(200),
        |_, _| ok_body(),
    )
    .await;
    let cache = tempfile::tempdir().expect("tempdir");
    let c = client(&kis.url, cache.path());
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { c.send_raw(read()).await })
        })
        .collect();
    for call in calls {
        let err = call.await.expect("task").expect_err("no token");
        assert!(err.is_auth() && !err.may_have_been_sent(), "{err:?}");
    }
    assert_eq!(token_requests(&kis), 1, "one issuance for 20 waiting tasks");
}

#[tokio::test]
async fn clients_for_the_same_key_share_one_issuance_even_without_a_cache() {
    let kis = serve_with_token(
        crate::loopback::VALID_TOKEN,
        Duration::from_millis(200),
        |_, _| ok_body(),
    )
    .await;
    let build = || {
        Client::new(
            Config::builder()
                .app_key("k")
                .app_secret("s")
                .rest_url(kis.url.clone())
                .no_token_cache()
                .rate_limit_per_sec(1000)
                .build()
                .expect("config"),
        )
        .expect("client")
    };
    let (a, b) = (build(), build());
    let (ra, rb) = tokio::join!(a.ensure_token(), b.ensure_token());
    ra.expect("a");
    rb.expect("b");
    assert_eq!(token_requests(&kis), 1);
}

/// Run as a child process by `two_processes_issuing_at_once_make_one_token_request`: gets a
/// token from `KIS_I15_URL` with the cache in `KIS_I15_CACHE`. Ignored in normal runs; the
/// parent checks its output says it ran.
#[tokio::test]
#[ignore = "helper: run as a child process by two_processes_issuing_at_once_make_one_token_request"]
async fn token_child_process() {
    let (Ok(url), Ok(cache)) = (std::env::var("KIS_I15_URL"), std::env::var("KIS_I15_CACHE"))
    else {
        eprintln!("not run as a child process (KIS_I15_URL, KIS_I15_CACHE unset): nothing to do");
        return;
    };
    client(&url, std::path::Path::new(&cache))
        .ensure_token()
        .await
        .expect("token");
}

#[tokio::test]
async fn two_processes_issuing_at_once_make_one_token_request() {
    // A slow token answer, so the two processes overlap.
    let kis = serve_with_token(
        crate::loopback::VALID_TOKEN,
        Duration::from_millis(1500),
        |_, _| ok_body(),
    )
    .await;
    let cache = tempfile::tempdir().expect("tempdir");
    let exe = std::env::current_exe().expect("test binary");
    let spawn = || {
        tokio::process::Command::new(&exe)
            .args([
                "tokens::token_child_process",
                "--exact",
                "--ignored",
                "--test-threads=1",
            ])
            .env("KIS_I15_URL", &kis.url)
            .env("KIS_I15_CACHE", cache.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn child")
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = tokio::join!(a.wait_with_output(), b.wait_with_output());
    for out in [a.expect("child a"), b.expect("child b")] {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("1 passed"),
            "child failed: {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(
        token_requests(&kis),
        1,
        "exactly one token request for two processes"
    );
}

#[tokio::test]
async fn a_rejected_cached_token_is_evicted_and_reissued_once() {
    let s = Setup::start(unlimited()).await;
    // A first "process" caches a token, then goes away.
    s.client().ensure_token().await.expect("token");
    assert_eq!(s.mock.stats().token_issued, 1);
    // KIS forgets it (e.g. revoked from another machine); the window allows a new one.
    s.mock.expire_tokens();
    s.mock.reset_token_window();
    // The next process starts from the stale cache: its read meets EGW00123, the token is
    // evicted from memory and disk, one new token is issued and the call succeeds.
    let c = s.client();
    c.send(InquirePrice::new("005930"))
        .await
        .expect("recovered by one re-issue");
    assert_eq!(s.mock.stats().token_issued, 2);
    drop(c);
    // And the cache now holds the good token: a third process issues nothing.
    s.client()
        .send(InquirePrice::new("005930"))
        .await
        .expect("cached");
    assert_eq!(s.mock.stats().token_issued, 2);
}

#[tokio::test]
async fn the_once_a_minute_wait_is_reported() {
    let s = Setup::start(unlimited()).await;
    s.client().ensure_token().await.expect("first token");
    // A client with another cache (another machine, say) must wait for the minute to pass.
    let other = tempfile::tempdir().expect("tempdir");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let c = s.client_with(|b| {
        b.token_cache_dir(other.path())
            .on_token_wait(move |w| seen2.lock().expect("seen").push(w))
    });
    let _ = c.ensure_token().await;
    let seen = seen.lock().expect("seen");
    assert!(
        matches!(seen.first(), Some(TokenWait::Throttled { wait }) if *wait == Duration::from_millis(300)),
        "{seen:?}"
    );
}

#[tokio::test]
async fn a_process_waiting_on_the_lock_is_reported() {
    let kis = serve(|_, _| ok_body()).await;
    let cache = tempfile::tempdir().expect("tempdir");
    // Hold the lock as "another process" would, for a while.
    let lock_path = {
        let c = client(&kis.url, cache.path());
        c.ensure_token().await.expect("token");
        std::fs::read_dir(cache.path())
            .expect("dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|x| x == "lock"))
            .expect("lock file beside the cache")
    };
    for f in std::fs::read_dir(cache.path()).expect("dir").flatten() {
        if f.path().extension().is_some_and(|x| x == "json") {
            std::fs::remove_file(f.path()).expect("remove cache");
        }
    }
    let holder = std::fs::OpenOptions::new()
        .write(true)
        .open(&lock_path)
        .expect("open lock");
    fs4::fs_std::FileExt::lock_exclusive(&holder).expect("lock");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let c = Client::new(
        Config::builder()
            .app_key("k")
            .app_secret("s")
            .rest_url(kis.url.clone())
            .token_cache_dir(cache.path())
            .rate_limit_per_sec(1000)
            .on_token_wait(move |w| seen2.lock().expect("seen").push(w))
            .build()
            .expect("config"),
    )
    .expect("client");
    let task = tokio::spawn(async move { c.ensure_token().await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        seen.lock().expect("seen").first(),
        Some(&TokenWait::OtherProcess)
    );
    drop(holder);
    task.await
        .expect("task")
        .expect("token after the lock is free");
}

#[tokio::test]
async fn token_and_approval_key_calls_count_against_the_limiter() {
    let s = Setup::start(unlimited()).await;
    let c = s.client_with(|b| {
        b.rate_limit_per_sec(1)
            .rate_limit_window(Duration::from_millis(300))
    });
    let started = std::time::Instant::now();
    c.ensure_token().await.expect("token");
    c.approval_key().await.expect("approval key");
    c.renew_approval_key().await.expect("renewed");
    // One slot, usable again 300 ms after each answer: the third call starts >= 600 ms in.
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );
}

/// An order never waits behind a token issuance (KIS's one-a-minute rule could hold it for
/// a minute, another process's lock for minutes): it fails fast, typed, and is not sent.
#[tokio::test]
async fn an_order_does_not_wait_for_a_throttled_token_issuance() {
    use crate::endpoints::{ORDER_PATH, OrderCash};
    let s = Setup::start(unlimited()).await;
    s.client().ensure_token().await.expect("first token");
    // Another cache (another machine): its first call needs a token within the minute.
    let other = tempfile::tempdir().expect("tempdir");
    let c = s.client_with(|b| {
        b.token_cache_dir(other.path())
            .allow_real_trading(true)
            .token_throttle_wait(Duration::from_secs(30))
    });
    let started = std::time::Instant::now();
    let e = c
        .send(OrderCash::buy("005930", 1, 70_000))
        .await
        .expect_err("no token yet");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(
            e,
            kis_client::Error::TokenNotReady {
                cause: TokenWait::Throttled { .. }
            }
        ),
        "{e:?}"
    );
    assert!(!e.may_have_been_sent() && e.is_retryable());
    assert_eq!(s.mock.stats().requests_to(ORDER_PATH), 0);
}

#[tokio::test]
async fn an_order_waits_only_briefly_for_another_process_issuing() {
    use crate::endpoints::{ORDER_PATH, OrderCash};
    let s = Setup::start(unlimited()).await;
    let c = s.client_with(|b| b.allow_real_trading(true));
    c.ensure_token().await.expect("token");
    let lock_path = std::fs::read_dir(s.cache.path())
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "lock"))
        .expect("lock file");
    drop(c);
    for f in crate::support::cache_files(s.cache.path()) {
        std::fs::remove_file(f).expect("remove cache");
    }
    let holder = std::fs::OpenOptions::new()
        .write(true)
        .open(&lock_path)
        .expect("open lock");
    fs4::fs_std::FileExt::lock_exclusive(&holder).expect("lock");
    let c = s.client_with(|b| b.allow_real_trading(true));
    let started = std::time::Instant::now();
    let e = c
        .send(OrderCash::buy("005930", 1, 70_000))
        .await
        .expect_err("another process is issuing");
    // A few seconds for an issuance in flight (one exchange), never the minutes of a read.
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(
            e,
            kis_client::Error::TokenNotReady {
                cause: TokenWait::OtherProcess
            }
        ),
        "{e:?}"
    );
    assert_eq!(s.mock.stats().requests_to(ORDER_PATH), 0);
    drop(holder);
    s.mock.reset_token_window();
    // Reads still wait for the issuance (and the order goes once a token is there).
    c.send(InquirePrice::new("005930")).await.expect("read");
    c.send(OrderCash::buy("005930", 1, 70_000))
        .await
        .expect("order");
    assert_eq!(s.mock.stats().requests_to(ORDER_PATH), 1);
}

/// Revoking removes only the revoked token's file, under the cross-process lock: a newer
/// token another process wrote stays, and a revoke waits while another process issues.
#[tokio::test]
async fn revoke_keeps_another_processs_newer_token_and_waits_for_its_lock() {
    let s = Setup::start(unlimited()).await;
    let c = s.client();
    c.ensure_token().await.expect("token");
    let file = crate::support::cache_files(s.cache.path())
        .pop()
        .expect("cache file");
    let mut cached: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).expect("read")).expect("json");
    cached["access_token"] = "a-newer-token-of-another-process".into();
    std::fs::write(&file, serde_json::to_vec(&cached).expect("json")).expect("write");
    c.revoke_token().await.expect("revoke");
    assert!(file.exists(), "another process's token was deleted");

    // While the lock is held, the revoke waits.
    std::fs::remove_file(&file).expect("remove");
    s.mock.reset_token_window();
    let c = s.client();
    c.ensure_token().await.expect("token");
    let lock_path = file.with_extension("lock");
    let holder = std::fs::OpenOptions::new()
        .write(true)
        .open(&lock_path)
        .expect("open lock");
    fs4::fs_std::FileExt::lock_exclusive(&holder).expect("lock");
    let task = tokio::spawn(async move { c.revoke_token().await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !task.is_finished(),
        "revoked while another process held the lock"
    );
    drop(holder);
    task.await.expect("task").expect("revoke");
}
