//! Load figures for kis-mock: in-process start time, sustained requests/s of an inquire-price
//! GET with the rate limit off (driven by reqwest on the same 2-thread runtime), and realtime
//! data frames/s one websocket session with 41 `H0STCNT0` subscriptions receives when the mock
//! ticks every millisecond.
//!
//! `cargo run --release -p kis-mock --example load -- [seconds] [concurrency]`

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use kis_mock::{MockConfig, MockServer};

const PATH: &str = "/uapi/domestic-stock/v1/quotations/inquire-price";

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(5);
    let concurrency: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(32);

    let t = Instant::now();
    let first = MockServer::start(MockConfig::default()).await?;
    let cold = t.elapsed();
    let t = Instant::now();
    let second = MockServer::start(MockConfig::default()).await?;
    let warm = t.elapsed();
    drop(second);
    println!(
        "in-process start: {cold:?} (first in process, parses the embedded spec), {warm:?} (next)"
    );
    println!("{} specs embedded", first.catalog().specs().len());

    let mock = MockServer::start(MockConfig {
        rate_limit_per_sec: None,
        ..MockConfig::default()
    })
    .await?;
    drop(first);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let c = mock.config().clone();
    let token: serde_json::Value = http
        .post(format!("{}/oauth2/tokenP", mock.rest_url()))
        .json(&serde_json::json!({"grant_type": "client_credentials", "appkey": c.app_key, "appsecret": c.app_secret}))
        .send()
        .await?
        .json()
        .await?;
    let token = token["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let url = format!(
        "{}{PATH}?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930",
        mock.rest_url()
    );

    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (http, url, token, c) = (http.clone(), url.clone(), token.clone(), c.clone());
        let (done, failed) = (done.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let res = http
                    .get(&url)
                    .header("authorization", format!("Bearer {token}"))
                    .header("appkey", &c.app_key)
                    .header("appsecret", &c.app_secret)
                    .header("tr_id", "FHKST01010100")
                    .header("custtype", "P")
                    .send()
                    .await;
                let ok = match res {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                let counter = if ok { &done } else { &failed };
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for task in tasks {
        task.await?;
    }
    let n = done.load(Ordering::Relaxed);
    println!(
        "{n} requests in {seconds} s with {concurrency} concurrent clients: {:.0} requests/s ({} failed)",
        n as f64 / seconds as f64,
        failed.load(Ordering::Relaxed)
    );
    println!("mock counted {} requests", mock.stats().requests);
    drop(mock);
    frames(seconds).await
}

/// Frames/s of one session with 41 subscriptions and a 1 ms data interval, on a clock that
/// runs a simulated second per millisecond (so executions are due at nearly every tick; from
/// the default 10:30 start the continuous session lasts 17 s of real time).
async fn frames(seconds: u64) -> Result<(), Box<dyn std::error::Error>> {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;

    let mock = MockServer::start(MockConfig {
        rate_limit_per_sec: None,
        data_interval: Some(Duration::from_millis(1)),
        clock: kis_mock::MockClock::Simulated {
            start: None,
            speed: 1000.0,
        },
        ..MockConfig::default()
    })
    .await?;
    let approval = mock.approval_key();
    let (mut ws, _) =
        tokio_tungstenite::connect_async(format!("{}/tryitout", mock.ws_url())).await?;
    for i in 0..41 {
        // Real codes are the mock's first products; any six digits subscribe.
        let key = format!("{:06}", 5930 + i);
        let msg = serde_json::json!({
            "header": {"approval_key": approval, "custtype": "P", "tr_type": "1", "content-type": "utf-8"},
            "body": {"input": {"tr_id": "H0STCNT0", "tr_key": key}},
        });
        ws.send(Message::text(msg.to_string())).await?;
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
    let cpu0 = cpu_seconds();
    let (mut frames, mut records) = (0u64, 0u64);
    while let Ok(Some(Ok(msg))) = tokio::time::timeout_at(deadline, ws.next()).await {
        if let Message::Text(text) = msg {
            let mut parts = text.as_str().splitn(4, '|');
            if parts.next() == Some("0") {
                frames += 1;
                records += parts
                    .nth(1)
                    .and_then(|n| n.parse::<u64>().ok())
                    .unwrap_or(0);
            }
        }
    }
    println!(
        "realtime: {frames} data frames ({records} records) in {seconds} s over one session with 41 subscriptions: {:.0} frames/s, {:.0} records/s",
        frames as f64 / seconds as f64,
        records as f64 / seconds as f64
    );
    if let (Some(a), Some(b)) = (cpu0, cpu_seconds()) {
        println!(
            "  process CPU (mock + reader) {:.2} s in {seconds} s: {:.1} µs per frame",
            b - a,
            (b - a) * 1e6 / frames.max(1) as f64
        );
    }
    Ok(())
}

/// User + system CPU seconds of this process so far (Linux `/proc`; `None` elsewhere).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}
