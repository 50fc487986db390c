//! The approval key stays out of a `RUST_LOG=trace` log when the filter carries
//! `kis_ws::logging::QUIET_WIRE_LOG`. Its own test binary: it installs the process's global
//! subscriber (which also takes the websocket library's `log` records).

use std::io::Write;
use std::sync::{Arc, Mutex};

use kis_client::{Client, Config, Env};
use kis_mock::{MockConfig, MockServer};
use kis_ws::{Options, Session};

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

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn a_trace_log_with_the_quiet_directives_holds_no_approval_key() {
    use tracing_subscriber::util::SubscriberInitExt;
    let capture = Capture::default();
    let writer = capture.clone();
    // What a user sets with RUST_LOG=trace, plus the directives.
    let filter = std::env::var("KIS_TEST_WIRE_FILTER")
        .unwrap_or_else(|_| kis_ws::logging::with_quiet_wire("trace"));
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish()
        .try_init()
        .expect("the only subscriber of this binary");

    let mut mc = MockConfig::paper();
    mc.rate_limit_per_sec = None;
    mc.data_interval = None;
    let mock = MockServer::start(mc).await.expect("mock");
    let c = mock.config();
    let cache = tempfile::tempdir().expect("tempdir");
    let config = Config::builder()
        .env(Env::Paper)
        .app_key(c.app_key.clone())
        .app_secret(c.app_secret.clone())
        .account(c.account.clone())
        .hts_id(c.hts_id.clone())
        .rest_url(mock.rest_url())
        .ws_url(mock.ws_url())
        .rate_limit_per_sec(1000)
        .token_cache_dir(cache.path())
        .build()
        .expect("config");
    let client = Client::new(config).expect("client");
    let session = Session::connect(&client, Options::default())
        .await
        .expect("connect");
    session
        .subscribe("H0STCNI9", &c.hts_id)
        .await
        .expect("notices");
    session
        .subscribe("H0STCNT0", "005930")
        .await
        .expect("ticks");
    drop(session);

    let logs =
        String::from_utf8_lossy(&capture.0.lock().unwrap_or_else(|p| p.into_inner())).into_owned();
    // The bridge works: the websocket library's own DEBUG lines are there.
    assert!(
        logs.contains("tungstenite"),
        "no websocket log lines:\n{logs}"
    );
    for leak in [
        "approval_key",
        &hex("approval_key"),
        &c.hts_id,
        &hex(&c.hts_id),
    ] {
        assert!(!logs.contains(leak), "`{leak}` in the log:\n{logs}");
    }
    assert!(!kis_ws::logging::frames_traced());
}
