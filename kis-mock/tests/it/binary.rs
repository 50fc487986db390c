//! The `kis-mock` binary: prints its URLs, serves, and stops cleanly on Ctrl-C (SIGINT).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[cfg(unix)]
#[tokio::test]
async fn binary_prints_urls_serves_and_stops_on_ctrl_c() {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kis-mock"))
        .args([
            "--rest-port",
            "0",
            "--ws-port",
            "0",
            "--paper",
            "--seed",
            "9",
            "--start",
            "2026-11-26 10:00:00",
            "--speed",
            "2",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout piped")).lines();
    let rest = lines.next().expect("a REST line").expect("utf-8");
    let startup = started.elapsed();
    let ws = lines.next().expect("a websocket line").expect("utf-8");
    assert!(
        rest.starts_with("kis-mock (paper) REST http://127.0.0.1:"),
        "{rest}"
    );
    assert!(
        ws.starts_with("kis-mock (paper) websocket ws://127.0.0.1:"),
        "{ws}"
    );
    eprintln!("binary printed its URL after {startup:?}");

    let url = rest.rsplit(' ').next().expect("a URL").to_owned();
    let c = kis_mock::MockConfig::paper();
    let res = reqwest::Client::new()
        .post(format!("{url}/oauth2/tokenP"))
        .json(&serde_json::json!({"grant_type": "client_credentials", "appkey": c.app_key, "appsecret": c.app_secret}))
        .send()
        .await
        .expect("the binary answers");
    assert_eq!(res.status(), 200);

    let pid = child.id().to_string();
    let killed = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(5);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait works") {
            break status;
        }
        assert!(Instant::now() < deadline, "did not stop on SIGINT");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "{status:?}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l == "kis-mock stopped"), "{rest:?}");
    assert!(
        rest[0].starts_with("seed 9, market clock 2026-11-26 10:00:0"),
        "{rest:?}"
    );
    assert!(rest.iter().any(|l| l.starts_with("accepts only: app key ")));
    assert!(
        rest.iter().any(|l| l == &format!("vps: \"{url}\"")),
        "{rest:?}"
    );
}

#[test]
fn a_port_above_65535_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_kis-mock"))
        .args(["--rest-port", "70000"])
        .output()
        .expect("binary runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(out.stdout.is_empty(), "it must not serve");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("70000") && err.contains("65535"), "{err}");
}

/// Resident memory of a process (Linux), in KiB.
#[cfg(target_os = "linux")]
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// Streams up to `total` bytes of `head`'s body in 64 KiB writes (one buffer, never the whole
/// body) and returns how many went out and the answer's status line.
#[cfg(target_os = "linux")]
async fn stream_body(addr: &str, head: &str, total: u64, chunked: bool) -> (u64, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connects");
    tcp.write_all(head.as_bytes()).await.expect("head");
    let block = vec![b'0'; 64 << 10];
    let chunk_head = format!("{:x}\r\n", block.len());
    let (mut read, mut write) = tcp.into_split();
    let answer = tokio::spawn(async move {
        let mut buf = Vec::new();
        let mut b = [0u8; 1024];
        while !buf.windows(2).any(|w| w == b"\r\n") {
            match read.read(&mut b).await {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&b[..n]),
            }
        }
        String::from_utf8_lossy(&buf)
            .lines()
            .next()
            .unwrap_or("")
            .to_owned()
    });
    let mut sent = 0u64;
    while sent < total && !answer.is_finished() {
        let ok = if chunked {
            write.write_all(chunk_head.as_bytes()).await.is_ok()
                && write.write_all(&block).await.is_ok()
                && write.write_all(b"\r\n").await.is_ok()
        } else {
            write.write_all(&block).await.is_ok()
        };
        if !ok {
            break;
        }
        sent += block.len() as u64;
    }
    let status = tokio::time::timeout(Duration::from_secs(10), answer)
        .await
        .expect("an answer")
        .expect("reader");
    (sent, status)
}

/// A 1 GiB request body (declared, or streamed chunked without a length) and a 10 MiB
/// websocket frame are refused before they are buffered: the mock's memory does not grow.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_gigabyte_body_and_a_10_mib_frame_are_refused_without_memory_growth() {
    use futures_util::{SinkExt, StreamExt};
    let mut child = Command::new(env!("CARGO_BIN_EXE_kis-mock"))
        .args(["--rest-port", "0", "--ws-port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout piped")).lines();
    let rest = lines.next().expect("REST line").expect("utf-8");
    let ws = lines.next().expect("websocket line").expect("utf-8");
    let addr = rest
        .rsplit("http://")
        .next()
        .expect("an address")
        .to_owned();
    let ws_url = ws.rsplit(' ').next().expect("a URL").to_owned();
    let pid = child.id();
    // Warm up: one ordinary answer.
    let res = reqwest::get(format!("http://{addr}/uapi/hashkey")).await;
    assert!(res.is_ok());
    let before = rss_kib(pid);
    const GIB: u64 = 1 << 30;

    // Declared: refused on the head, unauthenticated.
    let head = format!(
        "POST /oauth2/tokenP HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n\
         content-length: {GIB}\r\n\r\n"
    );
    let (sent, status) = stream_body(&addr, &head, GIB, false).await;
    eprintln!("declared 1 GiB: {status} after {sent} bytes written");
    assert!(status.starts_with("HTTP/1.1 413"), "{status}");
    assert!(sent < GIB / 4, "the mock kept reading: {sent} bytes");

    // Streamed without a length: counted as it arrives, refused past 1 MiB.
    let head = "POST /uapi/hashkey HTTP/1.1\r\nHost: x\r\ntransfer-encoding: chunked\r\n\r\n";
    let (sent, status) = stream_body(&addr, head, GIB, true).await;
    eprintln!("streamed chunked: {status} after {sent} bytes written");
    assert!(status.starts_with("HTTP/1.1 413"), "{status}");
    assert!(sent < GIB / 4, "the mock kept reading: {sent} bytes");

    // A 10 MiB websocket frame ends that session before its payload is read.
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("{ws_url}/tryitout"))
        .await
        .expect("websocket connects");
    let big = "x".repeat(10 << 20);
    let _ = socket
        .send(tokio_tungstenite::tungstenite::Message::text(big))
        .await;
    let end = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match socket.next().await {
                Some(Ok(tokio_tungstenite::tungstenite::Message::Text(_))) => {}
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            }
        }
    })
    .await;
    assert!(end.is_ok(), "the session survived a 10 MiB frame");

    let after = rss_kib(pid);
    eprintln!("resident memory {before} KiB before, {after} KiB after");
    let _ = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status();
    let _ = child.wait();
    assert!(
        after < before + 16 * 1024,
        "resident memory grew from {before} KiB to {after} KiB"
    );
}
