//! A chaos relay for tests (feature `relay`): it sits between a client and a KIS stand-in and
//! drops, delays and duplicates REST requests and replies and websocket frames, and cuts
//! websocket connections. It counts the order requests it receives, so a test can check that
//! the client never sent an order twice whatever the relay did.
//!
//! Chaos applies to KIS's API (`/uapi/...`) only: tokens, approval keys and master files pass
//! untouched. [`Relay::calm`] turns the chaos off (the end of a test: the client reconciles
//! through a faithful relay).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use kis_mock::relay::{Chaos, Relay};
//! let mock = kis_mock::MockServer::start(kis_mock::MockConfig::paper()).await?;
//! let relay = Relay::start(&mock, Chaos::rough(), 7).await?;
//! // Point the client at relay.rest_url() and relay.ws_url(), trade, then:
//! relay.calm();
//! assert_eq!(relay.stats().order_duplicates, 0);
//! # Ok(()) }
//! ```

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
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use crate::MockServer;

/// What the relay does to traffic, each a probability per request or frame.
///
/// ```
/// let c = kis_mock::relay::Chaos { drop_reply: 0.5, ..kis_mock::relay::Chaos::none() };
/// assert_eq!(c.drop_request, 0.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chaos {
    /// A REST request never reaches the server; the client's connection is closed.
    pub drop_request: f64,
    /// The server answers, the answer is lost; the client's connection is closed.
    pub drop_reply: f64,
    /// The request reaches the server twice (the client sees the first answer).
    pub duplicate_request: f64,
    /// A server text frame reaches the client twice.
    pub duplicate_frame: f64,
    /// Up to this many milliseconds of delay per request, reply or frame.
    pub delay_ms: u64,
    /// A websocket connection is cut after this many server frames (random in the range).
    pub cut_after_frames: (u64, u64),
}

impl Chaos {
    /// A faithful relay.
    pub fn none() -> Chaos {
        Chaos {
            drop_request: 0.0,
            drop_reply: 0.0,
            duplicate_request: 0.0,
            duplicate_frame: 0.0,
            delay_ms: 0,
            cut_after_frames: (u64::MAX, u64::MAX),
        }
    }

    /// 8 % of requests lost, 8 % of replies lost, 8 % of requests duplicated, 20 % of frames
    /// twice, up to 15 ms of delay, a websocket cut every 2 to 8 frames.
    pub fn rough() -> Chaos {
        Chaos {
            drop_request: 0.08,
            drop_reply: 0.08,
            duplicate_request: 0.08,
            duplicate_frame: 0.2,
            delay_ms: 15,
            cut_after_frames: (2, 8),
        }
    }

    /// Slow and lossy: replies overtake notices and the other way round (15 % each way, up to
    /// 120 ms of delay, a cut every 1 to 5 frames).
    pub fn harsh() -> Chaos {
        Chaos {
            drop_request: 0.15,
            drop_reply: 0.15,
            duplicate_request: 0.15,
            duplicate_frame: 0.3,
            delay_ms: 120,
            cut_after_frames: (1, 5),
        }
    }
}

/// What the relay has done so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RelayStats {
    /// Order requests (POST `.../trading/order*`: place, modify, cancel) received from the
    /// client.
    pub order_requests: u64,
    /// Order requests the relay itself sent to the server a second time.
    pub order_duplicates: u64,
    /// Requests or replies lost.
    pub dropped: u64,
    /// Websocket connections cut.
    pub cuts: u64,
    /// Server frames delivered twice.
    pub dup_frames: u64,
}

struct Inner {
    rng: Mutex<StdRng>,
    chaos: Chaos,
    /// Off: the relay forwards faithfully.
    on: AtomicBool,
    upstream_rest: String,
    upstream_ws: String,
    http: reqwest::Client,
    order_requests: AtomicU64,
    order_duplicates: AtomicU64,
    dropped: AtomicU64,
    cuts: AtomicU64,
    dup_frames: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Inner {
    fn roll(&self, p: f64) -> bool {
        self.on.load(Ordering::SeqCst) && lock(&self.rng).random_bool(p.clamp(0.0, 1.0))
    }

    async fn delay(&self) {
        if !self.on.load(Ordering::SeqCst) || self.chaos.delay_ms == 0 {
            return;
        }
        let ms = lock(&self.rng).random_range(0..=self.chaos.delay_ms);
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

/// Whether a request places, modifies or cancels an order (domestic or overseas).
fn is_order(method: &hyper::Method, path: &str) -> bool {
    method == hyper::Method::POST && path.contains("/trading/order")
}

/// A running relay; its tasks stop when it is dropped.
pub struct Relay {
    inner: Arc<Inner>,
    rest: SocketAddr,
    ws: SocketAddr,
    tasks: Vec<JoinHandle<()>>,
}

impl Relay {
    /// A relay in front of `server`, its randomness from `seed` (the same seed, the same
    /// decisions for the same traffic).
    pub async fn start(server: &MockServer, chaos: Chaos, seed: u64) -> std::io::Result<Relay> {
        Relay::start_to(&server.rest_url(), &server.ws_url(), chaos, seed).await
    }

    /// A relay in front of any REST and websocket base URL (`http://host:port`,
    /// `ws://host:port`).
    pub async fn start_to(
        rest_url: &str,
        ws_url: &str,
        chaos: Chaos,
        seed: u64,
    ) -> std::io::Result<Relay> {
        let inner = Arc::new(Inner {
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
            chaos,
            on: AtomicBool::new(true),
            upstream_rest: rest_url.trim_end_matches('/').to_owned(),
            upstream_ws: ws_url.trim_end_matches('/').to_owned(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(std::io::Error::other)?,
            order_requests: AtomicU64::new(0),
            order_duplicates: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            cuts: AtomicU64::new(0),
            dup_frames: AtomicU64::new(0),
        });
        let rest = TcpListener::bind("127.0.0.1:0").await?;
        let ws = TcpListener::bind("127.0.0.1:0").await?;
        let (rest_addr, ws_addr) = (rest.local_addr()?, ws.local_addr()?);
        let tasks = vec![
            tokio::spawn(serve_rest(inner.clone(), rest)),
            tokio::spawn(serve_ws(inner.clone(), ws)),
        ];
        Ok(Relay {
            inner,
            rest: rest_addr,
            ws: ws_addr,
            tasks,
        })
    }

    /// `http://127.0.0.1:PORT`: where the client sends REST calls.
    pub fn rest_url(&self) -> String {
        format!("http://{}", self.rest)
    }

    /// `ws://127.0.0.1:PORT`: where the client opens its websocket.
    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.ws)
    }

    /// Stops the chaos: from now on the relay forwards faithfully.
    pub fn calm(&self) {
        self.inner.on.store(false, Ordering::SeqCst);
    }

    /// The counters so far.
    pub fn stats(&self) -> RelayStats {
        let i = &self.inner;
        RelayStats {
            order_requests: i.order_requests.load(Ordering::SeqCst),
            order_duplicates: i.order_duplicates.load(Ordering::SeqCst),
            dropped: i.dropped.load(Ordering::SeqCst),
            cuts: i.cuts.load(Ordering::SeqCst),
            dup_frames: i.dup_frames.load(Ordering::SeqCst),
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// One REST request: forwarded (maybe twice), or lost on either side of the server.
async fn forward(
    relay: Arc<Inner>,
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
    let chaotic = path.starts_with("/uapi/");
    let order = is_order(&parts.method, &path);
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

async fn serve_rest(relay: Arc<Inner>, listener: TcpListener) {
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
async fn relay_ws(relay: Arc<Inner>, tcp: tokio::net::TcpStream) {
    let path = Arc::new(Mutex::new(String::from("/")));
    let seen = path.clone();
    // tungstenite's callback signature, whose error type is an HTTP response.
    #[allow(clippy::result_large_err)]
    let callback = move |req: &tokio_tungstenite::tungstenite::handshake::server::Request, resp| {
        *lock(&seen) = req
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        Ok(resp)
    };
    let Ok(client) = tokio_tungstenite::accept_hdr_async(tcp, callback).await else {
        return;
    };
    let url = format!("{}{}", relay.upstream_ws, lock(&path).clone());
    let Ok((server, _)) = tokio_tungstenite::connect_async(url).await else {
        return;
    };
    let (mut c_tx, mut c_rx) = client.split();
    let (mut s_tx, mut s_rx) = server.split();
    let cut_after = {
        let (lo, hi) = relay.chaos.cut_after_frames;
        lock(&relay.rng).random_range(lo..=hi.max(lo))
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

async fn serve_ws(relay: Arc<Inner>, listener: TcpListener) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(relay_ws(relay.clone(), tcp));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn orders_are_posts_to_a_trading_order_path() {
        use hyper::Method;
        assert!(super::is_order(
            &Method::POST,
            "/uapi/domestic-stock/v1/trading/order-cash"
        ));
        assert!(super::is_order(
            &Method::POST,
            "/uapi/overseas-stock/v1/trading/order-rvsecncl"
        ));
        assert!(!super::is_order(
            &Method::GET,
            "/uapi/domestic-stock/v1/trading/inquire-daily-ccld"
        ));
        assert!(!super::is_order(
            &Method::POST,
            "/uapi/domestic-stock/v1/trading/inquire-psbl-order"
        ));
    }
}

/// The simulator's domestic account as relay tests compare a client with it: what each KIS
/// order number filled, and the holdings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DomesticAccount {
    /// KIS order number (zero padding removed) → filled quantity. Numbers restart each KST
    /// day: for one day's comparison.
    pub filled: BTreeMap<String, u64>,
    /// Symbol → shares held.
    pub positions: BTreeMap<String, i64>,
}

impl DomesticAccount {
    /// Reads it from [`crate::MockServer::truth`].
    ///
    /// ```no_run
    /// # async fn demo() -> std::io::Result<()> {
    /// let mock = kis_mock::MockServer::start(kis_mock::MockConfig::paper()).await?;
    /// let account = kis_mock::relay::DomesticAccount::of(&mock);
    /// assert!(account.filled.is_empty());
    /// # Ok(()) }
    /// ```
    pub fn of(server: &crate::MockServer) -> DomesticAccount {
        let t = server.truth();
        let domestic = |key: &str| {
            t[key]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|v| v["market"] == "domestic")
                .cloned()
                .collect::<Vec<_>>()
        };
        let mut out = DomesticAccount::default();
        for o in domestic("orders") {
            if let (Some(odno), Some(filled)) = (o["odno"].as_str(), o["filled_qty"].as_u64()) {
                out.filled
                    .insert(odno.trim_start_matches('0').to_owned(), filled);
            }
        }
        for p in domestic("positions") {
            if let (Some(symbol), Some(qty)) = (p["symbol"].as_str(), p["qty"].as_i64()) {
                out.positions.insert(symbol.to_owned(), qty);
            }
        }
        out
    }

    /// What does not match a client's own account: how many KIS order numbers it knows
    /// (`known`, each matched by the caller) and the holdings its fills imply (the holdings at
    /// the start plus its buys minus its sells). Empty: they agree.
    ///
    /// ```
    /// let kis = kis_mock::relay::DomesticAccount::default();
    /// let implied = [("005930".to_owned(), 3)].into_iter().collect();
    /// assert_eq!(kis.mismatches(0, &implied).len(), 1); // KIS holds none
    /// ```
    pub fn mismatches(&self, known: usize, implied: &BTreeMap<String, i64>) -> Vec<String> {
        let mut out = Vec::new();
        if known != self.filled.len() {
            out.push(format!(
                "the client knows {known} KIS order numbers, KIS has {}",
                self.filled.len()
            ));
        }
        let symbols = implied.keys().chain(self.positions.keys());
        let mut seen = std::collections::BTreeSet::new();
        for symbol in symbols.filter(|s| seen.insert(*s)) {
            let (mine, at_kis) = (
                implied.get(symbol).copied().unwrap_or(0),
                self.positions.get(symbol).copied().unwrap_or(0),
            );
            if mine != at_kis {
                out.push(format!(
                    "{symbol}: fills imply {mine} shares, KIS holds {at_kis}"
                ));
            }
        }
        out
    }
}
