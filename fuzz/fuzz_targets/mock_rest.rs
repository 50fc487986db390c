//! libFuzzer target: the bytes of one HTTP/1.1 exchange at kis-mock's REST port (an in-process
//! mock on loopback, started once). Whatever arrives, the mock answers with an HTTP response
//! or closes that connection, and the next well-formed request is still answered: a panic in a
//! handler shows up as a missing answer.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Fixture {
    rt: tokio::runtime::Runtime,
    addr: String,
    _mock: kis_mock::MockServer,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let rt = tokio::runtime::Runtime::new().expect("a runtime");
        let mock = rt
            .block_on(kis_mock::MockServer::start(kis_mock::MockConfig {
                rate_limit_per_sec: None,
                accept_any_token: true,
                ..kis_mock::MockConfig::default()
            }))
            .expect("the mock starts");
        let addr = mock.rest_url().trim_start_matches("http://").to_owned();
        Fixture { rt, addr, _mock: mock }
    })
}

async fn exchange(addr: &str, bytes: &[u8]) -> Vec<u8> {
    let mut tcp = tokio::net::TcpStream::connect(addr).await.expect("connects");
    let _ = tcp.write_all(bytes).await;
    let _ = tcp.shutdown().await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(2), tcp.read_to_end(&mut out)).await;
    out
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    f.rt.block_on(async {
        let answer = exchange(&f.addr, data).await;
        assert!(answer.is_empty() || answer.starts_with(b"HTTP/1."));
        let probe = b"POST /uapi/hashkey HTTP/1.1\r\nHost: x\r\ncontent-length: 2\r\n\r\n{}";
        let answer = exchange(&f.addr, probe).await;
        assert!(answer.starts_with(b"HTTP/1.1 "), "the REST port stopped answering");
    });
});
