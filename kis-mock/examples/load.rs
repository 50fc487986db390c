//! Load figures for kis-mock: in-process start time and sustained requests/s of an
//! inquire-price GET with the rate limit off, driven by reqwest on the same 2-thread runtime.
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
    Ok(())
}
