//! libFuzzer target: websocket messages at kis-mock's websocket port (an in-process mock on
//! loopback, started once). The input is split at NUL bytes into text messages sent on one
//! session; whatever they say, the session answers, ignores or ends, and a new session still
//! gets an acknowledgement.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use libfuzzer_sys::fuzz_target;
use tokio_tungstenite::tungstenite::Message;

struct Fixture {
    rt: tokio::runtime::Runtime,
    url: String,
    _mock: kis_mock::MockServer,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let rt = tokio::runtime::Runtime::new().expect("a runtime");
        let mock = rt
            .block_on(kis_mock::MockServer::start(kis_mock::MockConfig::default()))
            .expect("the mock starts");
        let url = format!("{}/tryitout", mock.ws_url());
        Fixture { rt, url, _mock: mock }
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    f.rt.block_on(async {
        let (mut ws, _) = tokio_tungstenite::connect_async(&f.url).await.expect("connects");
        for part in data.split(|b| *b == 0) {
            let text = String::from_utf8_lossy(part).into_owned();
            if ws.send(Message::text(text)).await.is_err() {
                break;
            }
        }
        let deadline = tokio::time::Instant::now() + Duration::from_millis(20);
        while let Ok(Some(Ok(_))) = tokio::time::timeout_at(deadline, ws.next()).await {}
        drop(ws);
        let (mut again, _) = tokio_tungstenite::connect_async(&f.url).await.expect("accepts");
        again.send(Message::text("{")).await.expect("sends");
        let ack = tokio::time::timeout(Duration::from_secs(5), again.next()).await;
        assert!(matches!(ack, Ok(Some(Ok(Message::Text(_))))), "no ack: {ack:?}");
    });
});
