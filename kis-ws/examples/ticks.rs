//! Realtime ticks of one stock as a typed stream (`Session::records`), on the embedded kis-mock
//! unless `--live` is given (then `kis_devlp.yaml` / `KIS_*`, `KIS_ENV` for real or paper).
//!
//! `cargo run -p kis-ws --example ticks [-- --live] [CODE]` (`RUST_LOG=trace` is safe: the
//! filter keeps the approval key out, see `kis_ws::logging`)

use std::time::Duration;

use futures::StreamExt as _;
use kis_client::{Client, Config, Env};
use kis_mock::{MockConfig, MockServer};
use kis_ws::api::realtime_domestic_stock::h0stcnt0::H0stcnt0;
use kis_ws::{Options, Session};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() {
    // RUST_LOG as given, but never the websocket library's frame traces: they hold the
    // approval key (kis_ws::logging).
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".to_owned());
    tracing_subscriber::fmt()
        .with_env_filter(kis_ws::logging::with_quiet_wire(&filter))
        .with_writer(std::io::stderr)
        .init();
    let mut live = std::env::var("KIS_LIVE").as_deref() == Ok("1");
    let mut code = "005930".to_owned();
    for a in std::env::args().skip(1) {
        match a.as_str() {
            "--live" => live = true,
            c if c.len() == 6 && c.bytes().all(|b| b.is_ascii_alphanumeric()) => {
                code = c.to_owned()
            }
            other => {
                eprintln!("usage: ticks [--live] [CODE]  (unknown argument {other:?})");
                std::process::exit(2);
            }
        }
    }
    let window = if live {
        Duration::from_secs(10)
    } else {
        Duration::from_secs(1)
    };
    if let Err(e) = run(live, &code, window).await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn run(live: bool, code: &str, window: Duration) -> Result<usize, BoxError> {
    // The simulator lives until the end of this function.
    let mut mock = None;
    let client = if live {
        Client::new(Config::load()?)?
    } else {
        let mc = MockConfig {
            data_interval: Some(Duration::from_millis(100)),
            ..MockConfig::default()
        };
        let m = mock.insert(MockServer::start(mc).await?);
        let c = m.config();
        Client::new(
            Config::builder()
                .env(Env::Real)
                .app_key(c.app_key.clone())
                .app_secret(c.app_secret.clone())
                .rest_url(m.rest_url())
                .ws_url(m.ws_url())
                .no_token_cache()
                .build()?,
        )?
    };
    println!(
        "ticks of {code} on {} for {:?}",
        client.config().ws_url(),
        window
    );

    let session = Session::connect(&client, Options::default()).await?;
    let mut ticks = session.records::<H0stcnt0>();
    session.subscribe("H0STCNT0", code).await?;
    let mut n = 0;
    let deadline = tokio::time::Instant::now() + window;
    while let Ok(Some(t)) = tokio::time::timeout_at(deadline, ticks.next()).await {
        let t = t?;
        n += 1;
        println!(
            "{} {:>8} KRW {:>8} shares  bid {} / ask {}",
            t.stck_cntg_hour, t.stck_prpr, t.cntg_vol, t.bidp1, t.askp1
        );
    }
    println!("{n} ticks ({} dropped by a slow consumer)", ticks.dropped());
    session.close().await;
    drop(mock);
    Ok(n)
}

#[cfg(test)]
mod tests {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn runs_against_kis_mock() {
        let n = super::run(false, "005930", std::time::Duration::from_secs(1))
            .await
            .unwrap();
        assert!(n > 0, "the simulator sends ticks every 100 ms");
    }
}
