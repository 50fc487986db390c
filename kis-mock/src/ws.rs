//! The websocket side: approval-key check, one session per app key, subscribe/unsubscribe acks
//! with per-TR key/iv, the registration cap, `PINGPONG`, market data frames and encrypted
//! execution notices, with fault injection.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use kis_spec::{ApiSpec, Field};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast::error::RecvError;
use tokio::time::{Instant, interval_at};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::auth::random_text;
use crate::crypto;
use crate::faults::Drip;
use crate::market::Book;
use crate::market::fields::{self, Row};
use crate::market::tape::{self, TapePos};
use crate::server::{Shared, lock};
use crate::stats::bump;

/// Which app keys have a session (or a held slot).
#[derive(Debug, Default)]
pub(crate) struct Slots {
    taken: HashMap<String, Slot>,
}

#[derive(Debug, Clone, Copy)]
enum Slot {
    Active(u64),
    HeldUntil(Instant),
}

impl Slots {
    fn acquire(&mut self, app_key: &str, conn: u64) -> bool {
        match self.taken.get(app_key) {
            Some(Slot::Active(c)) if *c != conn => false,
            Some(Slot::HeldUntil(t)) if Instant::now() < *t => false,
            _ => {
                self.taken.insert(app_key.to_owned(), Slot::Active(conn));
                true
            }
        }
    }

    fn release(&mut self, app_key: &str, conn: u64, hold: Duration) {
        if matches!(self.taken.get(app_key), Some(Slot::Active(c)) if *c == conn) {
            if hold.is_zero() {
                self.taken.remove(app_key);
            } else {
                self.taken
                    .insert(app_key.to_owned(), Slot::HeldUntil(Instant::now() + hold));
            }
        }
    }
}

static NEXT_CONN: AtomicU64 = AtomicU64::new(1);

/// The largest websocket frame or message the mock reads (64 KiB).
pub(crate) const MAX_MESSAGE: usize = 64 << 10;

/// Accepts websocket connections until shutdown.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut shutdown = shared.shutdown.clone();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((tcp, _)) = accepted else { continue };
                let _ = tcp.set_nodelay(true);
                let conn = NEXT_CONN.fetch_add(1, Ordering::Relaxed);
                tokio::spawn(session(tcp, shared.clone(), conn));
            }
            _ = crate::server::stopped(&mut shutdown) => break,
        }
    }
}

struct Sub {
    /// The last execution of the tape this subscription was sent (`None` until the first).
    sent: Option<crate::market::tape::TapePos>,
    tr_id: String,
    tr_key: String,
    encrypted: bool,
    columns: Vec<Field>,
    /// The workbook's example record, when it matches the layout.
    example: Vec<String>,
}

/// Why a session ends.
enum End {
    /// Close politely (close frame).
    Close,
    /// Drop the TCP connection without a close frame.
    Drop,
}

type Sink =
    futures_util::stream::SplitSink<tokio_tungstenite::WebSocketStream<Drip<TcpStream>>, Message>;

struct Session<'a> {
    sh: &'a Shared,
    conn: u64,
    sink: Sink,
    sent: u64,
    app_key: Option<String>,
    subs: Vec<Sub>,
    keys: HashMap<String, (String, String)>,
    last_alive: Instant,
    seq: usize,
    malformed_variant: usize,
}

async fn session(tcp: TcpStream, sh: Arc<Shared>, conn: u64) {
    // The signature is tungstenite's handshake `Callback`; its error type is not ours to shrink.
    #[allow(clippy::result_large_err)]
    let check_path = |req: &Request, mut resp: Response| -> Result<Response, ErrorResponse> {
        let path = req.uri().path();
        if path == "/tryitout" || path.starts_with("/tryitout/") {
            // The simulated clock's time: a client knows the server's day from the handshake.
            if let Ok(date) = sh.market.http_date().parse() {
                resp.headers_mut().insert("date", date);
            }
            Ok(resp)
        } else {
            let mut err = ErrorResponse::new(Some(format!("no websocket at {path}")));
            *err.status_mut() = StatusCode::NOT_FOUND;
            Err(err)
        }
    };
    let io = Drip::new(tcp, sh.faults.clone());
    // KIS's messages are a few hundred bytes: a larger frame or message ends the session
    // before its payload is read.
    let limits = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE));
    let accept = tokio_tungstenite::accept_hdr_async_with_config(io, check_path, Some(limits));
    // A client that connects and never completes the handshake is not waited for.
    let Ok(Ok(ws)) = tokio::time::timeout(sh.config.handshake_timeout, accept).await else {
        return;
    };
    bump(&sh.stats.ws_sessions);
    let (sink, mut stream) = ws.split();
    let mut s = Session {
        sh: &sh,
        conn,
        sink,
        sent: 0,
        app_key: None,
        subs: Vec::new(),
        keys: HashMap::new(),
        last_alive: Instant::now(),
        seq: 0,
        malformed_variant: 0,
    };
    let config = &sh.config;
    // tokio intervals panic on a zero period; a zero knob means "as fast as 1 ms".
    let ping_every = config.ping_interval.max(Duration::from_millis(1));
    let mut pings = interval_at(Instant::now() + ping_every, ping_every);
    let data_every = config
        .data_interval
        .unwrap_or(Duration::from_secs(3600))
        .max(Duration::from_millis(1));
    let mut data = interval_at(Instant::now() + data_every, data_every);
    let mut notices = sh.notices.subscribe();
    let mut shutdown = sh.shutdown.clone();
    let mut drop_now = sh.faults.drop_receiver();
    let end = loop {
        let step = tokio::select! {
            msg = stream.next() => match msg {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => Err(End::Drop),
                Some(Ok(msg)) => {
                    // Any frame from the client shows it is alive: the PINGPONG echo, a
                    // websocket Pong (KIS's Python samples answer that way), a request.
                    s.last_alive = Instant::now();
                    match msg {
                        Message::Text(text) => s.on_text(text.as_str()).await,
                        _ => Ok(()),
                    }
                }
            },
            _ = pings.tick() => s.on_ping_tick().await,
            _ = data.tick(), if config.data_interval.is_some() => s.on_data_tick().await,
            notice = notices.recv() => match notice {
                Ok(notice) => s.on_notice(&notice).await,
                Err(RecvError::Lagged(_)) => Ok(()),
                Err(RecvError::Closed) => Err(End::Close),
            },
            _ = crate::server::stopped(&mut shutdown) => Err(End::Close),
            _ = crate::control::dropped(&mut drop_now) => Err(End::Drop),
        };
        if let Err(end) = step {
            break end;
        }
    };
    if let End::Close = end {
        let _ = s.sink.send(Message::Close(None)).await;
    }
    if let Some(app_key) = &s.app_key {
        let hold = sh.faults.session_hold().unwrap_or(config.session_hold);
        lock(&sh.slots).release(app_key, conn, hold);
    }
}

/// A subscribe/unsubscribe ack in KIS's shape.
fn ack(
    tr_id: &str,
    tr_key: &str,
    ok: bool,
    msg_cd: &str,
    msg1: &str,
    keys: Option<&(String, String)>,
) -> String {
    let mut body = json!({
        "rt_cd": if ok { "0" } else { "1" },
        "msg_cd": msg_cd,
        "msg1": msg1,
    });
    if let (Some((key, iv)), Some(obj)) = (keys, body.as_object_mut()) {
        obj.insert("output".into(), json!({"iv": iv, "key": key}));
    }
    json!({
        "header": {"tr_id": tr_id, "tr_key": tr_key, "encrypt": "N"},
        "body": body,
    })
    .to_string()
}

/// The record layout of a realtime TR, names in lower case (as the model looks them up).
fn columns(spec: &ApiSpec) -> Vec<Field> {
    spec.response
        .body
        .iter()
        .filter(|f| !f.is_block())
        .map(|f| Field {
            name: f.name.to_ascii_lowercase(),
            ..f.clone()
        })
        .collect()
}

fn kst_stamp(sh: &Shared) -> String {
    sh.market.now().format("%Y%m%d%H%M%S").to_string()
}

impl Session<'_> {
    /// Sends one text message, counting it against the drop-after-N fault.
    async fn send(&mut self, text: String) -> Result<(), End> {
        if let Some(limit) = self.sh.faults.drop_after() {
            if self.sent >= limit {
                return Err(End::Drop);
            }
        }
        self.sent += 1;
        self.sink
            .send(Message::text(text))
            .await
            .map_err(|_| End::Drop)
    }

    async fn on_text(&mut self, text: &str) -> Result<(), End> {
        let Ok(msg) = serde_json::from_str::<Value>(text) else {
            return self
                .send(ack(
                    "",
                    "",
                    false,
                    "OPSP8993",
                    "JSON PARSING ERROR : invalid json format",
                    None,
                ))
                .await;
        };
        let header = &msg["header"];
        let field = |v: &Value| v.as_str().unwrap_or("").to_owned();
        if header["tr_id"].as_str() == Some("PINGPONG") {
            // The echo of our PINGPONG (the frame already counted as a sign of life).
            return Ok(());
        }
        let input = &msg["body"]["input"];
        let tr_id = field(&input["tr_id"]);
        let tr_key = field(&input["tr_key"]);
        let approval = field(&header["approval_key"]);
        let app_key = if self.sh.faults.refusing_approval() {
            None
        } else {
            lock(&self.sh.auth).app_key_of(&approval).map(str::to_owned)
        };
        let Some(app_key) = app_key else {
            return self
                .send(ack(
                    &tr_id,
                    &tr_key,
                    false,
                    "OPSP0011",
                    "invalid approval : NOT FOUND",
                    None,
                ))
                .await;
        };
        if self.app_key.is_none() {
            if !lock(&self.sh.slots).acquire(&app_key, self.conn) {
                self.send(ack(
                    &tr_id,
                    &tr_key,
                    false,
                    "OPSP8996",
                    "ALREADY IN USE appkey",
                    None,
                ))
                .await?;
                return Err(End::Close);
            }
            self.app_key = Some(app_key);
        }
        let tr_type = field(&header["tr_type"]);
        if tr_type != "1" && tr_type != "2" {
            return self
                .send(ack(
                    &tr_id,
                    &tr_key,
                    false,
                    "OPSP8994",
                    "JSON PARSING ERROR : invalid tr_type",
                    None,
                ))
                .await;
        }
        let spec = self.sh.catalog.realtime(&tr_id).filter(|spec| {
            spec.variants.is_empty()
                || spec
                    .variants
                    .iter()
                    .any(|v| v.tr_id(self.sh.config.env.into()) == Some(tr_id.as_str()))
        });
        let Some(spec) = spec else {
            return self
                .send(ack(
                    &tr_id,
                    &tr_key,
                    false,
                    "OPSP8993",
                    "JSON PARSING ERROR : invalid tr_id",
                    None,
                ))
                .await;
        };
        if tr_key.is_empty() {
            return self
                .send(ack(
                    &tr_id,
                    &tr_key,
                    false,
                    "OPSP8997",
                    "JSON PARSING ERROR : invalid tr_key",
                    None,
                ))
                .await;
        }
        let existing = self
            .subs
            .iter()
            .position(|s| s.tr_id == tr_id && s.tr_key == tr_key);
        if tr_type == "2" {
            return match existing {
                Some(i) => {
                    self.subs.remove(i);
                    self.send(ack(
                        &tr_id,
                        &tr_key,
                        true,
                        "OPSP0001",
                        "UNSUBSCRIBE SUCCESS",
                        None,
                    ))
                    .await
                }
                None => {
                    self.send(ack(
                        &tr_id,
                        &tr_key,
                        false,
                        "OPSP0003",
                        "UNSUBSCRIBE ERROR(not found!)",
                        None,
                    ))
                    .await
                }
            };
        }
        let keys = self
            .keys
            .entry(tr_id.clone())
            .or_insert_with(|| (random_text(32), random_text(16)))
            .clone();
        if existing.is_some() {
            return self
                .send(ack(
                    &tr_id,
                    &tr_key,
                    true,
                    "OPSP0002",
                    "ALREADY IN SUBSCRIBE",
                    Some(&keys),
                ))
                .await;
        }
        if self.subs.len() >= self.sh.config.max_subscriptions {
            return self
                .send(ack(
                    &tr_id,
                    &tr_key,
                    false,
                    "OPSP0008",
                    "MAX SUBSCRIBE OVER",
                    None,
                ))
                .await;
        }
        self.subs.push(Sub {
            sent: None,
            encrypted: spec.realtime.as_ref().is_some_and(|r| r.encrypted),
            columns: columns(spec),
            example: self
                .sh
                .catalog
                .example(spec)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|v| v.as_str().unwrap_or("").to_owned())
                        .collect()
                })
                .unwrap_or_default(),
            tr_id: tr_id.clone(),
            tr_key: tr_key.clone(),
        });
        bump(&self.sh.stats.ws_subscriptions);
        self.send(ack(
            &tr_id,
            &tr_key,
            true,
            "OPSP0000",
            "SUBSCRIBE SUCCESS",
            Some(&keys),
        ))
        .await
    }

    async fn on_ping_tick(&mut self) -> Result<(), End> {
        if self.last_alive.elapsed() > self.sh.config.pong_timeout {
            return Err(End::Drop);
        }
        bump(&self.sh.stats.pings_sent);
        let ping =
            json!({"header": {"tr_id": "PINGPONG", "datetime": kst_stamp(self.sh)}}).to_string();
        self.send(ping).await
    }

    /// Sends each market-data subscription the executions of the tape since its last frame
    /// (`market::tape`): one record per execution, up to `max_records_per_frame` records a
    /// frame, nothing when nothing traded. Every record is the market at its execution: price,
    /// the day's range, its own quantity, the cumulative volume after it, and the book.
    async fn on_data_tick(&mut self) -> Result<(), End> {
        let max = self.sh.config.max_records_per_frame.max(1) as usize;
        let mut frames = Vec::new();
        let market = &self.sh.market;
        let now = market.now();
        for sub in self.subs.iter_mut().filter(|s| !s.encrypted) {
            let product = market.product(&sub.tr_key);
            let executions = market.executions(&product, sub.sent, now, tape::MAX_PER_CALL);
            // Past what was scanned, even when nothing traded (after the close the next tick
            // then looks at the new second only).
            sub.sent = match executions.last() {
                Some(last) => Some(last.at),
                None => sub.sent.map(|s| s.max(TapePos::before_second_of(now))),
            };
            let mut records = Vec::with_capacity(executions.len());
            // The executions of one second share its quote, and so its book.
            let mut book: Option<(chrono::NaiveDateTime, Book)> = None;
            for e in &executions {
                let book = match book.take() {
                    Some((second, b)) if second == e.at.second => book.insert((second, b)),
                    _ => book.insert((e.at.second, market.book(&e.quote))),
                };
                let mut row = Row::quote(&e.quote, Some(&book.1));
                row.qty = e.qty;
                row.volume = e.volume;
                row.value = e.value;
                self.seq += 1;
                records.push(fields::realtime_record(
                    &sub.columns,
                    &sub.example,
                    &sub.tr_key,
                    self.seq,
                    &row,
                ));
            }
            for chunk in records.chunks(max) {
                frames.push((sub.tr_id.clone(), chunk.len(), chunk.join("^")));
            }
        }
        for (tr_id, count, payload) in frames {
            let frame = format!("0|{tr_id}|{count:03}|{payload}");
            self.send_frame(&tr_id, frame, &payload).await?;
        }
        Ok(())
    }

    /// Sends a data frame, or a malformed one when that fault is armed; counts it once written.
    async fn send_frame(&mut self, tr_id: &str, frame: String, payload: &str) -> Result<(), End> {
        let malformed = self.sh.faults.take_malformed();
        let text = if malformed {
            self.malformed_variant += 1;
            match self.malformed_variant % 5 {
                0 => format!("0|{tr_id}|0x1|{payload}"),
                1 => format!("0|{tr_id}"),
                2 => format!("0|{tr_id}|002|{}", payload.split('^').next().unwrap_or("")),
                3 => format!("1|{tr_id}|001|!!not base64!!"),
                _ => "\u{0}garbage without separators".to_owned(),
            }
        } else {
            frame
        };
        self.send(text).await?;
        let stats = &self.sh.stats;
        bump(if malformed {
            &stats.malformed_sent
        } else {
            &stats.frames_sent
        });
        Ok(())
    }

    async fn on_notice(&mut self, notice: &crate::account::Notice) -> Result<(), End> {
        let mut frames = Vec::new();
        for sub in self
            .subs
            .iter()
            // Only the domestic-stock notice TRs carry the stateful account's executions.
            .filter(|s| s.encrypted && s.tr_id.starts_with(notice.tr) && s.tr_key == notice.hts_id)
        {
            let Some((key, iv)) = self.keys.get(&sub.tr_id) else {
                continue;
            };
            let plain = if sub.columns.is_empty() {
                notice
                    .values
                    .iter()
                    .map(|(_, v)| v.as_str())
                    .collect::<Vec<_>>()
                    .join("^")
            } else {
                sub.columns
                    .iter()
                    .map(|c| notice.get(&c.name))
                    .collect::<Vec<_>>()
                    .join("^")
            };
            if let Some(b64) = crypto::encrypt(key, iv, &plain) {
                frames.push((sub.tr_id.clone(), b64));
            }
        }
        for (tr_id, b64) in frames {
            let frame = format!("1|{tr_id}|001|{b64}");
            // Counted before the write: a client may read the frame (and check the counter)
            // before this task resumes after it.
            bump(&self.sh.stats.notices_sent);
            self.send_frame(&tr_id, frame, &b64).await?;
            self.sh.notice_log.mark_written();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn slots_one_session_per_app_key_with_hold() {
        let mut slots = Slots::default();
        assert!(slots.acquire("k", 1));
        assert!(slots.acquire("k", 1), "the holder may ask again");
        assert!(!slots.acquire("k", 2));
        assert!(slots.acquire("other", 2));
        slots.release("k", 2, Duration::ZERO);
        assert!(!slots.acquire("k", 2), "only the holder releases");
        slots.release("k", 1, Duration::from_secs(5));
        assert!(!slots.acquire("k", 2), "held after disconnect");
        tokio::time::advance(Duration::from_secs(5)).await;
        assert!(slots.acquire("k", 2));
    }

    #[test]
    fn ack_shape() {
        let keys = ("k".repeat(32), "i".repeat(16));
        let ok: Value = serde_json::from_str(&ack(
            "H0STCNT0",
            "005930",
            true,
            "OPSP0000",
            "SUBSCRIBE SUCCESS",
            Some(&keys),
        ))
        .unwrap();
        assert_eq!(
            ok,
            json!({"header": {"tr_id": "H0STCNT0", "tr_key": "005930", "encrypt": "N"},
                   "body": {"rt_cd": "0", "msg_cd": "OPSP0000", "msg1": "SUBSCRIBE SUCCESS",
                            "output": {"iv": keys.1, "key": keys.0}}})
        );
        let err: Value =
            serde_json::from_str(&ack("X", "", false, "OPSP8993", "JSON PARSING ERROR", None))
                .unwrap();
        assert_eq!(err["body"]["rt_cd"], "1");
        assert!(err["body"].get("output").is_none());
    }
}
