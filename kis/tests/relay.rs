//! Trading through a relay that drops, delays and duplicates traffic between the client and
//! kis-mock, REST and websocket alike. Whatever the relay does, once it calms down and the
//! account is reconciled, the ledger must equal the simulator's own account: every order KIS
//! has (including the ones a duplicated request created behind our back) with its filled
//! quantity, and the positions the fills imply. And the client never sends an order twice:
//! the relay counts the order requests it received from the client.

use std::collections::BTreeMap;
use std::time::Duration;

use kis::Kis;
use kis::ledger::{OrderState, OrderView, Side};
use kis::orders::{JournalPlace, TradingOptions};
use kis_mock::relay::{Chaos, Relay};
use kis_mock::{Fill, Holding, MockClock, MockConfig, MockServer};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;

fn mock_config() -> MockConfig {
    let mut mc = MockConfig::paper();
    // A fixed Wednesday inside the KRX session: nothing depends on the machine's date.
    mc.clock = MockClock::Simulated {
        start: chrono::NaiveDate::from_ymd_opt(2026, 12, 2).and_then(|d| d.and_hms_opt(10, 30, 0)),
        speed: 1.0,
    };
    mc.fill = Fill::Market;
    mc.data_interval = Some(Duration::from_millis(100));
    mc.rate_limit_per_sec = None;
    mc.initial_cash = 500_000_000;
    mc.initial_holdings = vec![
        Holding {
            code: "005930".into(),
            qty: 200,
            avg_price: 60_000,
        },
        Holding {
            code: "000660".into(),
            qty: 200,
            avg_price: 150_000,
        },
    ];
    mc
}

fn client_for(server: &MockServer, relay: &Relay) -> kis_client::Client {
    let c = server.config();
    let config = kis_client::Config::builder()
        .env(kis_client::Env::Paper)
        .app_key(c.app_key.clone())
        .app_secret(c.app_secret.clone())
        .account(c.account.clone())
        .hts_id(c.hts_id.clone())
        .rest_url(relay.rest_url())
        .ws_url(relay.ws_url())
        .rate_limit_per_sec(10_000)
        .no_token_cache()
        .build()
        .unwrap();
    kis_client::Client::new(config).unwrap()
}

/// Differences between the ledger and the simulator's account (empty: equal).
fn differences(
    views: &[OrderView],
    server: &MockServer,
    start: &BTreeMap<String, i64>,
) -> Vec<String> {
    let kis = kis_mock::relay::DomesticAccount::of(server);
    let orders = &kis.filled;
    let mut out = Vec::new();
    let mut seen = 0;
    let mut implied = start.clone();
    for v in views {
        if !v.state.is_done()
            && v.state != OrderState::Accepted
            && v.state != OrderState::PartiallyFilled
        {
            out.push(format!("{} is still {:?}", v.id, v.state));
        }
        let mut filled = 0;
        for link in &v.chain {
            let key = link.odno.trim_start_matches('0');
            match orders.get(key) {
                Some(f) => filled += f,
                None => out.push(format!("{key} of {} is not at KIS", v.id)),
            }
            seen += 1;
        }
        if filled != v.filled {
            out.push(format!("{}: ledger filled {} KIS {filled}", v.id, v.filled));
        }
        if v.fills.iter().map(|f| f.qty).sum::<u64>() != v.filled {
            out.push(format!("{}: fills do not add up to {}", v.id, v.filled));
        }
        let signed = match v.intent.side {
            Side::Buy => v.filled as i64,
            Side::Sell => -(v.filled as i64),
        };
        *implied.entry(v.intent.symbol.clone()).or_default() += signed;
    }
    out.extend(kis.mismatches(seen, &implied));
    out
}

/// Reads that go through the relay too: retried, they change nothing at KIS.
async fn book_prices(kis: &Kis, symbol: &str) -> Option<(Decimal, Decimal)> {
    for _ in 0..20 {
        if let Ok(b) = kis.stock(symbol).await {
            if let Ok(book) = b.book().await {
                if let (Some(a), Some(b)) = (book.asks.first(), book.bids.get(2)) {
                    return Some((a.price.amount(), b.price.amount()));
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

async fn trade_through_chaos(seed: u64, chaos: Chaos, notices: bool) {
    let server = MockServer::start(mock_config()).await.unwrap();
    let relay = Relay::start(&server, chaos, seed).await.unwrap();
    let mut options = TradingOptions::default();
    options.journal = JournalPlace::Memory;
    options.notices = notices;
    options.poll_interval = Duration::from_millis(150);
    options.resolve_after = Duration::from_millis(200);
    let kis = Kis::with_client(client_for(&server, &relay)).with_trading(options);
    let account = kis.account().unwrap();
    let start = kis_mock::relay::DomesticAccount::of(&server).positions;

    // Opening the desk reconciles through the chaos: retried until it gets through.
    let mut opened = false;
    for _ in 0..50 {
        if account.orders().await.is_ok() {
            opened = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(opened, "the account never reconciled through the relay");

    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
    let mut submits = 0u64;
    let mut changes = 0u64;
    let mut handles = Vec::new();
    for i in 0..14u64 {
        let symbol = if rng.random_bool(0.5) {
            "005930"
        } else {
            "000660"
        };
        let Some((ask, low_bid)) = book_prices(&kis, symbol).await else {
            continue;
        };
        let qty = 1 + i;
        let builder = if rng.random_bool(0.6) {
            account.buy(symbol, qty)
        } else {
            account.sell(symbol, qty)
        };
        // Some orders cross (fill now, maybe over several levels), some rest.
        let price = if rng.random_bool(0.5) { ask } else { low_bid };
        let builder = if rng.random_bool(0.2) {
            builder.market()
        } else {
            builder.limit(price)
        };
        submits += 1;
        match builder.submit().await {
            Ok(order) => handles.push(order),
            // A lost request or answer: the order is followed (unknown until an inquiry
            // says) or was never sent; the comparison at the end decides.
            Err(e) => eprintln!("submit {i}: {e}"),
        }
        if let Some(order) = handles.last() {
            if !order.state().is_done() && rng.random_bool(0.5) {
                changes += 1;
                let _ = if rng.random_bool(0.5) {
                    order.cancel().await
                } else {
                    order.modify_price(low_bid).await
                };
            }
        }
    }

    // The relay calms down; the account is asked until the ledger agrees with KIS.
    relay.calm();
    let mut last = Vec::new();
    for _ in 0..60 {
        if let Ok(drift) = account.reconcile().await {
            let views = account.orders().await.unwrap();
            last = differences(&views, &server, &start);
            // The balance agrees with the fills too (no drift event left standing).
            last.extend(drift.iter().map(|d| format!("drift: {d:?}")));
            if last.is_empty() {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let stats = relay.stats();
    eprintln!("seed {seed}: {submits} submits, {changes} changes; relay: {stats:?}");
    assert!(
        last.is_empty(),
        "seed {seed}: the ledger differs from KIS: {last:#?}"
    );
    // The client sent each order and each change at most once.
    assert!(
        stats.order_requests <= submits + changes,
        "the client re-sent an order: {} requests for {submits} submits and {changes} changes",
        stats.order_requests
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ledger_equals_kis_after_a_relay_drops_delays_and_duplicates_traffic() {
    // `KIS_RELAY_SEEDS=200` tries more interleavings (a few seconds each).
    let seeds: u64 = std::env::var("KIS_RELAY_SEEDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);
    for seed in 1..=seeds {
        trade_through_chaos(seed, Chaos::rough(), true).await;
        if seeds > 3 {
            trade_through_chaos(1000 + seed, Chaos::harsh(), seed % 2 == 0).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_and_lossy_relay_changes_nothing_either() {
    trade_through_chaos(11, Chaos::harsh(), true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_notices_the_relay_changes_nothing_either() {
    trade_through_chaos(7, Chaos::rough(), false).await;
}
