//! Client overhead benchmarks: a typed `Client::send` vs the same GET with raw reqwest against an
//! in-process kis-mock, plus the token-cache hit path and a rate-limiter acquire.
//!
//! Run: `cargo bench -p kis-client --bench overhead`. The ratio of `call/kis_client` to
//! `call/raw_reqwest` is the client's overhead (goal ≤ 1.2×).

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use kis_client::endpoint::{Endpoint, EndpointInfo, HttpMethod, TrIds};
use kis_client::{Client, Config, RateLimiter};
use kis_mock::{MockConfig, MockServer};
use serde::{Deserialize, Serialize};

const PATH: &str = "/uapi/domestic-stock/v1/quotations/inquire-price";

#[derive(Serialize)]
struct InquirePrice {
    #[serde(rename = "FID_COND_MRKT_DIV_CODE")]
    market: &'static str,
    #[serde(rename = "FID_INPUT_ISCD")]
    code: &'static str,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct PriceResponse {
    rt_cd: String,
    msg_cd: String,
    msg1: String,
    output: serde_json::Map<String, serde_json::Value>,
}

impl Endpoint for InquirePrice {
    type Response = PriceResponse;
    const INFO: &'static EndpointInfo = &EndpointInfo {
        id: "inquire_price",
        category: "domestic_stock",
        api_id: "v1_국내주식-008",
        name: "주식현재가 시세",
        method: HttpMethod::Get,
        path: PATH,
        paging: None,
        fields: &[],
        variants: &[],
    };
    fn tr_ids(&self) -> TrIds {
        TrIds {
            real: Some("FHKST01010100"),
            paper: Some("FHKST01010100"),
        }
    }
}

fn overhead(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mock = rt
        .block_on(MockServer::start(MockConfig {
            rate_limit_per_sec: None,
            ..MockConfig::default()
        }))
        .expect("mock");
    let cache = tempfile::tempdir().expect("tempdir");
    let mc = mock.config().clone();
    let client = Client::new(
        Config::builder()
            .env(kis_client::Env::Real)
            .app_key(mc.app_key.clone())
            .app_secret(mc.app_secret.clone())
            .account(mc.account.clone())
            .rest_url(mock.rest_url())
            .token_cache_dir(cache.path())
            .rate_limit_per_sec(1_000_000_000)
            .build()
            .expect("config"),
    )
    .expect("client");
    rt.block_on(client.ensure_token()).expect("token");
    // The raw side gets the same token: the mock hands out the current token again.
    mock.reset_token_window();
    let http = reqwest::Client::new();
    let token: String = rt.block_on(async {
        let v: serde_json::Value = http
            .post(format!("{}/oauth2/tokenP", mock.rest_url()))
            .json(&serde_json::json!({"grant_type":"client_credentials","appkey":mc.app_key,"appsecret":mc.app_secret}))
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("json");
        v["access_token"].as_str().expect("access_token").to_owned()
    });
    let url = format!("{}{PATH}", mock.rest_url());

    let raw_call = || async {
        let resp = http
            .get(&url)
            .query(&[
                ("FID_COND_MRKT_DIV_CODE", "J"),
                ("FID_INPUT_ISCD", "005930"),
            ])
            .header("content-type", "application/json; charset=utf-8")
            .header("authorization", format!("Bearer {token}"))
            .header("appkey", &mc.app_key)
            .header("appsecret", &mc.app_secret)
            .header("tr_id", "FHKST01010100")
            .header("custtype", "P")
            .send()
            .await
            .expect("send");
        let body = resp.bytes().await.expect("body");
        let r: PriceResponse = serde_json::from_slice(&body).expect("decode");
        assert_eq!(r.rt_cd, "0");
    };
    let client_call = || async {
        let r = client
            .send(InquirePrice {
                market: "J",
                code: "005930",
            })
            .await
            .expect("send");
        assert_eq!(r.rt_cd, "0");
    };
    // Interleaved A/B pairs: on a shared, noisy machine this ratio is steadier than two
    // separate criterion groups measured a minute apart.
    let (mut raw_total, mut client_total) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..3000 {
        let t = std::time::Instant::now();
        rt.block_on(raw_call());
        raw_total += t.elapsed();
        let t = std::time::Instant::now();
        rt.block_on(client_call());
        client_total += t.elapsed();
    }
    eprintln!(
        "interleaved 3000 pairs: raw {:?}/call, client {:?}/call, ratio client/raw = {:.3}",
        raw_total / 3000,
        client_total / 3000,
        client_total.as_secs_f64() / raw_total.as_secs_f64()
    );

    let mut g = c.benchmark_group("call");
    g.measurement_time(Duration::from_secs(5));
    g.bench_function("raw_reqwest", |b| b.iter(|| rt.block_on(raw_call())));
    g.bench_function("kis_client", |b| b.iter(|| rt.block_on(client_call())));
    g.finish();

    c.bench_function("token_cache_hit", |b| {
        b.iter(|| rt.block_on(client.ensure_token()).expect("token"))
    });
    let limiter = RateLimiter::new(1000, Duration::from_nanos(1));
    c.bench_function("limiter_acquire", |b| {
        b.iter(|| rt.block_on(async { drop(limiter.acquire().await) }))
    });
}

criterion_group!(benches, overhead);
criterion_main!(benches);
