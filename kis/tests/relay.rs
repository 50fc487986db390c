//! Trading through a relay that drops, delays and duplicates traffic between the client and
//! kis-mock, REST and websocket alike. Whatever the relay does, once it calms down and the
//! account is reconciled, the ledger must equal the simulator's own account: every order KIS
//! has (including the ones a duplicated request created behind our back) with its filled
//! quantity, and the positions the fills imply. And the client never sends an order twice:
//! the relay counts the order requests it received from the client.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use kis::Kis;
use kis::ledger::{OrderState, OrderView, Side};
use kis::orders::{JournalPlace, TradingOptions};
use kis_mock::{Fill, Holding, MockClock, MockConfig, MockServer};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

/// What the relay does to traffic, each a probability per request or frame.
#[derive(Clone, Copy)]
struct Chaos {
    /// A REST request never reaches the server; the client's connection is closed.
    drop_request: f64,
    /// The server answers, the answer is lost; the client's connection is closed.
    drop_reply: f64,
    /// The request reaches the server twice (the client sees the first answer).
    duplicate_request: f64,
    /// A server frame reaches the client twice.
    duplicate_frame: f64,
    /// Up to this many milliseconds of delay per request or frame.
    delay_ms: u64,
    /// A websocket connection is cut after this many server frames (random in range).
    cut_after_frames: (u64, u64),
}

struct Relay {
    rng: Mutex<StdRng>,
    chaos: Chaos,
    /// Off: the relay forwards faithfully (the end of the test).
    on: AtomicBool,
    upstream_rest: String,
    upstream_ws: String,
    http: reqwest::Client,
    /// Order requests (order-cash, order-rvsecncl) received from the client.
    order_requests: AtomicU64,
    /// Order requests the relay itself sent a second time.
    order_duplicates: AtomicU64,
    dropped: AtomicU64,
    cuts: AtomicU64,
    dup_frames: AtomicU64,
}

impl Relay {
    fn roll(&self, p: f64) -> bool {
        self.on.load(Ordering::SeqCst) && self.rng.lock().unwrap().random_bool(p)
    }

    async fn delay(&self) {
        if !self.on.load(Ordering::SeqCst) || self.chaos.delay_ms == 0 {
            return;
        }
        let ms = self
            .rng
            .lock()
            .unwrap()
            .random_range(0..=self.chaos.delay_ms);
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

fn is_order(path: &str) -> bool {
    path.contains("/trading/order-cash") || path.contains("/trading/order-rvsecncl")
}

/// One REST request: forwarded (maybe twice), or lost on either side of the server.
async fn forward(
    relay: Arc<Relay>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, std::io::Error> {
    let lost = || std::io::Error::other("the relay lost it");
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map_err(|_| lost())?.to_bytes();
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    // Chaos on KIS's API only: tokens, approval keys and master files pass untouched.
    let chaotic = path.starts_with("/uapi/");
    let order = is_order(&path);
    if order {
        relay.order_requests.fetch_add(1, Ordering::SeqCst);
    }
    if chaotic {
        relay.delay().await;
        if relay.roll(relay.chaos.drop_request) {
            relay.dropped.fetch_add(1, Ordering::SeqCst);
            return Err(lost());
        }
    }
    let send = || {
        let mut r = relay
            .http
            .request(
                parts.method.clone(),
                format!("{}{path}", relay.upstream_rest),
            )
            .body(body.clone());
        for (k, v) in &parts.headers {
            if k != hyper::header::HOST && k != hyper::header::CONTENT_LENGTH {
                r = r.header(k, v);
            }
        }
        r.send()
    };
    let answer = send().await.map_err(|_| lost())?;
    let status = answer.status();
    let headers = answer.headers().clone();
    let bytes = answer.bytes().await.map_err(|_| lost())?;
    if chaotic && relay.roll(relay.chaos.duplicate_request) {
        if order {
            relay.order_duplicates.fetch_add(1, Ordering::SeqCst);
        }
        let _ = send().await;
    }
    if chaotic {
        relay.delay().await;
        if relay.roll(relay.chaos.drop_reply) {
            relay.dropped.fetch_add(1, Ordering::SeqCst);
            return Err(lost());
        }
    }
    let mut out = Response::new(Full::new(bytes));
    *out.status_mut() = status;
    for (k, v) in &headers {
        if k != hyper::header::CONTENT_LENGTH && k != hyper::header::TRANSFER_ENCODING {
            out.headers_mut().append(k, v.clone());
        }
    }
    Ok(out)
}

async fn serve_rest(relay: Arc<Relay>, listener: TcpListener) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let relay = relay.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| forward(relay.clone(), req));
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(tcp), service)
                .await;
        });
    }
}

/// One websocket connection: frames both ways, server frames sometimes twice, the
/// connection cut now and then.
async fn relay_ws(relay: Arc<Relay>, tcp: tokio::net::TcpStream) {
    let path = Arc::new(Mutex::new(String::from("/")));
    let seen = path.clone();
    // tungstenite's callback signature, whose error type is an HTTP response.
    #[allow(clippy::result_large_err)]
    let callback = move |req: &tokio_tungstenite::tungstenite::handshake::server::Request, resp| {
        *seen.lock().unwrap() = req
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        Ok(resp)
    };
    let Ok(client) = tokio_tungstenite::accept_hdr_async(tcp, callback).await else {
        return;
    };
    let url = format!("{}{}", relay.upstream_ws, path.lock().unwrap().clone());
    let Ok((server, _)) = tokio_tungstenite::connect_async(url).await else {
        return;
    };
    let (mut c_tx, mut c_rx) = client.split();
    let (mut s_tx, mut s_rx) = server.split();
    let cut_after = {
        let (lo, hi) = relay.chaos.cut_after_frames;
        relay.rng.lock().unwrap().random_range(lo..=hi)
    };
    let up = async {
        while let Some(Ok(m)) = c_rx.next().await {
            if s_tx.send(m).await.is_err() {
                break;
            }
        }
    };
    let down = async {
        let mut frames = 0u64;
        while let Some(Ok(m)) = s_rx.next().await {
            frames += 1;
            if relay.on.load(Ordering::SeqCst) && frames >= cut_after {
                relay.cuts.fetch_add(1, Ordering::SeqCst);
                break;
            }
            relay.delay().await;
            let twice = matches!(m, Message::Text(_)) && relay.roll(relay.chaos.duplicate_frame);
            if twice {
                relay.dup_frames.fetch_add(1, Ordering::SeqCst);
                if c_tx.send(m.clone()).await.is_err() {
                    break;
                }
            }
            if c_tx.send(m).await.is_err() {
                break;
            }
        }
    };
    tokio::select! {
        _ = up => {}
        _ = down => {}
    }
    // Dropping both halves closes both connections without a close frame: a cut.
}

async fn serve_ws(relay: Arc<Relay>, listener: TcpListener) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(relay_ws(relay.clone(), tcp));
    }
}

async fn start_relay(
    server: &MockServer,
    chaos: Chaos,
    seed: u64,
) -> (Arc<Relay>, SocketAddr, SocketAddr) {
    let relay = Arc::new(Relay {
        rng: Mutex::new(StdRng::seed_from_u64(seed)),
        chaos,
        on: AtomicBool::new(true),
        upstream_rest: server.rest_url().trim_end_matches('/').to_owned(),
        upstream_ws: server.ws_url().trim_end_matches('/').to_owned(),
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        order_requests: AtomicU64::new(0),
        order_duplicates: AtomicU64::new(0),
        dropped: AtomicU64::new(0),
        cuts: AtomicU64::new(0),
        dup_frames: AtomicU64::new(0),
    });
    let rest = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ws = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (rest_addr, ws_addr) = (rest.local_addr().unwrap(), ws.local_addr().unwrap());
    tokio::spawn(serve_rest(relay.clone(), rest));
    tokio::spawn(serve_ws(relay.clone(), ws));
    (relay, rest_addr, ws_addr)
}

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

fn client_for(server: &MockServer, rest: SocketAddr, ws: SocketAddr) -> kis_client::Client {
    let c = server.config();
    let config = kis_client::Config::builder()
        .env(kis_client::Env::Paper)
        .app_key(c.app_key.clone())
        .app_secret(c.app_secret.clone())
        .account(c.account.clone())
        .hts_id(c.hts_id.clone())
        .rest_url(format!("http://{rest}"))
        .ws_url(format!("ws://{ws}"))
        .rate_limit_per_sec(10_000)
        .no_token_cache()
        .build()
        .unwrap();
    kis_client::Client::new(config).unwrap()
}

/// The simulator's account: KIS order number -> filled quantity (domestic), and positions.
fn truth(server: &MockServer) -> (BTreeMap<String, u64>, BTreeMap<String, u64>) {
    let t = server.truth();
    let mut orders = BTreeMap::new();
    for o in t["orders"].as_array().unwrap() {
        if o["market"] == "domestic" {
            let odno = o["odno"]
                .as_str()
                .unwrap()
                .trim_start_matches('0')
                .to_owned();
            orders.insert(odno, o["filled_qty"].as_u64().unwrap());
        }
    }
    let mut positions = BTreeMap::new();
    for p in t["positions"].as_array().unwrap() {
        if p["market"] == "domestic" {
            positions.insert(
                p["symbol"].as_str().unwrap().to_owned(),
                p["qty"].as_u64().unwrap(),
            );
        }
    }
    (orders, positions)
}

/// Differences between the ledger and the simulator's account (empty: equal).
fn differences(
    views: &[OrderView],
    server: &MockServer,
    start: &BTreeMap<String, u64>,
) -> Vec<String> {
    let (orders, positions) = truth(server);
    let mut out = Vec::new();
    let mut seen = 0;
    let mut implied: BTreeMap<String, i64> =
        start.iter().map(|(k, v)| (k.clone(), *v as i64)).collect();
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
    if seen != orders.len() {
        out.push(format!(
            "the ledger knows {seen} KIS order numbers, KIS has {}",
            orders.len()
        ));
    }
    for (symbol, qty) in &implied {
        let at_kis = positions.get(symbol).copied().unwrap_or(0) as i64;
        if *qty != at_kis {
            out.push(format!(
                "{symbol}: fills imply {qty} shares, KIS holds {at_kis}"
            ));
        }
    }
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
    let (relay, rest, ws) = start_relay(&server, chaos, seed).await;
    let mut options = TradingOptions::default();
    options.journal = JournalPlace::Memory;
    options.notices = notices;
    options.poll_interval = Duration::from_millis(150);
    options.resolve_after = Duration::from_millis(200);
    let kis = Kis::with_client(client_for(&server, rest, ws)).with_trading(options);
    let account = kis.account().unwrap();
    let (_, start) = truth(&server);

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
    relay.on.store(false, Ordering::SeqCst);
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
    eprintln!(
        "seed {seed}: {submits} submits, {changes} changes; relay: {} order requests, {} duplicated, {} dropped, {} ws cuts, {} frames twice",
        relay.order_requests.load(Ordering::SeqCst),
        relay.order_duplicates.load(Ordering::SeqCst),
        relay.dropped.load(Ordering::SeqCst),
        relay.cuts.load(Ordering::SeqCst),
        relay.dup_frames.load(Ordering::SeqCst),
    );
    assert!(
        last.is_empty(),
        "seed {seed}: the ledger differs from KIS: {last:#?}"
    );
    // The client sent each order and each change at most once.
    assert!(
        relay.order_requests.load(Ordering::SeqCst) <= submits + changes,
        "the client re-sent an order: {} requests for {submits} submits and {changes} changes",
        relay.order_requests.load(Ordering::SeqCst)
    );
}

fn rough() -> Chaos {
    Chaos {
        drop_request: 0.08,
        drop_reply: 0.08,
        duplicate_request: 0.08,
        duplicate_frame: 0.2,
        delay_ms: 15,
        cut_after_frames: (2, 8),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ledger_equals_kis_after_a_relay_drops_delays_and_duplicates_traffic() {
    // `KIS_RELAY_SEEDS=200` tries more interleavings (a few seconds each).
    let seeds: u64 = std::env::var("KIS_RELAY_SEEDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);
    for seed in 1..=seeds {
        trade_through_chaos(seed, rough(), true).await;
        if seeds > 3 {
            trade_through_chaos(1000 + seed, harsh(), seed % 2 == 0).await;
        }
    }
}

/// Slow and lossy: replies overtake notices and the other way round.
fn harsh() -> Chaos {
    Chaos {
        drop_request: 0.15,
        drop_reply: 0.15,
        duplicate_request: 0.15,
        duplicate_frame: 0.3,
        delay_ms: 120,
        cut_after_frames: (1, 5),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_and_lossy_relay_changes_nothing_either() {
    trade_through_chaos(11, harsh(), true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_notices_the_relay_changes_nothing_either() {
    trade_through_chaos(7, rough(), false).await;
}
