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
