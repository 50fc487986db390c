//! Opt-in live check of the realtime session against KIS: `KIS_LIVE=1 cargo test -p kis-ws
//! --test live -- --nocapture`, credentials from `kis_devlp.yaml` / `KIS_*` (`KIS_ENV` picks
//! real or paper). Subscribes to ticks (and execution notices when an HTS ID is configured),
//! never sends orders. Without `KIS_LIVE=1` the test passes at once with a message.

use std::time::Duration;

use futures::StreamExt as _;
use kis_client::{Client, Config, Env};
use kis_ws::{Event, Options, Session, StaticApprovalKey};

fn live_client() -> Option<Client> {
    if std::env::var("KIS_LIVE").ok().as_deref() != Some("1") {
        eprintln!(
            "skipped: set KIS_LIVE=1 (and provide kis_devlp.yaml or KIS_* variables) to run the live websocket test"
        );
        return None;
    }
    let config = Config::load().expect("KIS_LIVE=1 but the configuration is invalid");
    eprintln!("live: {:?} websocket at {}", config.env(), config.ws_url());
    Some(Client::new(config).expect("client"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_subscription() {
    let Some(client) = live_client() else { return };
    let config = client.config();
    let key = client.approval_key().await.expect("approval key");
    let mut options = Options::new(config.env());
    options.url = Some(config.ws_url().to_owned());
    config.custtype().clone_into(&mut options.custtype);
    let session = Session::connect_with(StaticApprovalKey(key.expose().to_owned()), options)
        .await
        .expect("websocket connects");
    let mut events = session.events();

    // KIS acknowledges each subscription; outside market hours no ticks follow, which is fine.
    session
        .subscribe("H0STCNT0", "005930")
        .await
        .expect("tick subscription acknowledged");
    if let Some(hts_id) = config.hts_id() {
        let notice = match config.env() {
            Env::Real => "H0STCNI0",
            Env::Paper => "H0STCNI9",
        };
        session
            .subscribe(notice, hts_id)
            .await
            .expect("notice subscription acknowledged");
    }

    let mut ticks = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while let Ok(Some(event)) = tokio::time::timeout_at(deadline, events.next()).await {
        match event {
            Event::Data { .. } => ticks += 1,
            Event::Error(e) => panic!("a live frame did not decode: {e}"),
            Event::Notice { msg_cd, msg1, .. } => eprintln!("notice {msg_cd}: {msg1}"),
            _ => {}
        }
    }
    eprintln!("live: {ticks} realtime records in 5 s");
    let subs = session.subscriptions().await.expect("registry");
    assert!(
        subs.iter()
            .any(|(tr, key)| tr == "H0STCNT0" && key == "005930")
    );
    session.close().await;
}
