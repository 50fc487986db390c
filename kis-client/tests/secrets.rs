//! No secret (app key/secret, token, approval key, full account number) in Debug, Display or
//! tracing output. Its own test binary: a thread-scoped tracing subscriber shares callsite
//! interest caches with every other test thread of a process, which made capture flaky.

#[allow(dead_code)]
#[path = "it/endpoints.rs"]
mod endpoints;
#[allow(dead_code)]
#[path = "it/support.rs"]
mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use kis_client::Error;

use endpoints::{InquireBalance, InquirePrice, ORDER_PATH, OrderCash};
use support::{Setup, unlimited};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_secret_in_logs_debug_or_display() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let s = Setup::start(unlimited()).await;
    let c = s.client_with(|b| b.allow_real_trading(true).use_hashkey(true));
    let mut shown = Vec::new();
    c.send(InquirePrice::new("005930")).await.expect("quote");
    c.collect_all(InquireBalance::new()).await.expect("balance");
    s.mock.faults().fail_path(ORDER_PATH, 1);
    let e = c
        .send(OrderCash::buy("005930", 1, 70_000))
        .await
        .expect_err("500");
    shown.push(format!("{e:?} {e}"));
    let approval = c.approval_key().await.expect("approval");
    shown.push(format!("{approval:?} {approval}"));
    shown.push(format!("{c:?} {:?}", c.config()));
    let bad = s.client_with(|b| b.app_secret("bad-secret-value"));
    let e = bad
        .send(InquirePrice::new("005930"))
        .await
        .expect_err("auth");
    shown.push(format!("{e:?} {e}"));
    let e: Error = Error::InvalidRequest("x".into());
    shown.push(format!("{e:?}"));

    let cache_file = support::cache_files(s.cache.path())
        .pop()
        .expect("one cache file");
    let cached: serde_json::Value =
        serde_json::from_slice(&std::fs::read(cache_file).expect("read")).expect("json");
    let token = cached["access_token"].as_str().expect("token").to_owned();
    c.revoke_token().await.expect("revoke");

    let logs =
        String::from_utf8_lossy(&capture.0.lock().unwrap_or_else(|p| p.into_inner())).into_owned();
    assert!(
        logs.contains("kis_call") && logs.contains("TTTC0012U"),
        "spans are logged:\n{logs}"
    );
    let cfg = s.mock.config();
    let secrets = [
        cfg.app_key.as_str(),
        cfg.app_secret.as_str(),
        token.as_str(),
        &token[token.len() - 20..],
        approval.expose(),
        "12345678",
        "bad-secret-value",
    ];
    let all = format!("{logs}\n{}", shown.join("\n"));
    for secret in secrets {
        assert!(!all.contains(secret), "secret leaked: {secret}\n{all}");
    }
}
