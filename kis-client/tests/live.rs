//! Opt-in read-only calls against the real KIS service: `KIS_LIVE=1 cargo test -p kis-client
//! --test live -- --nocapture`, credentials from `kis_devlp.yaml` / `KIS_*` (see `Config::load`).
//! Never places orders. Without `KIS_LIVE=1` every test returns at once with a message.

#[allow(dead_code)]
#[path = "it/endpoints.rs"]
mod endpoints;

use endpoints::{InquireBalance, InquirePrice};
use kis_client::{Client, Config};

fn live_client() -> Option<Client> {
    if std::env::var("KIS_LIVE").ok().as_deref() != Some("1") {
        eprintln!(
            "skipped: set KIS_LIVE=1 (and provide kis_devlp.yaml or KIS_* variables) to run live tests"
        );
        return None;
    }
    let config = Config::load().expect("KIS_LIVE=1 but the configuration is invalid");
    // Read-only by construction: refuse to run with real trading enabled.
    assert!(
        !config.allow_real_trading(),
        "live tests refuse to run with allow_real_trading enabled"
    );
    eprintln!("live: {:?} at {}", config.env(), config.rest_url());
    Some(Client::new(config).expect("client"))
}

/// One test function, one client: KIS allows one token issuance per minute and notifies the
/// account holder on each, so the live calls share a single token (parallel tests with a
/// client each would each issue one).
#[tokio::test]
async fn live_read_only_calls() {
    let Some(client) = live_client() else { return };

    let r = client
        .send(InquirePrice::new("005930"))
        .await
        .expect("quote");
    assert_eq!(r.rt_cd, "0");
    eprintln!("005930 price: {}", r.output.stck_prpr);

    if client.config().account().is_none() {
        eprintln!("balance skipped: no account configured");
    } else {
        let pages = client
            .collect_all(InquireBalance::new())
            .await
            .expect("balance");
        let rows: usize = pages.iter().map(|p| p.output1.len()).sum();
        eprintln!("balance: {} page(s), {rows} holding(s)", pages.len());
    }

    let key = client.approval_key().await.expect("approval key");
    assert!(!key.expose().is_empty());
}
