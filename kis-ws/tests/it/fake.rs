//! A minimal KIS-like websocket server on loopback for session tests: acks, cap, PINGPONG,
//! data frames, forced drops, approval refusals and `ALREADY IN USE`.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use futures::{SinkExt, StreamExt};
use kis_ws::crypto::Cipher;
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::Message;

pub const KEY: &str = "abcdefghijklmnopqrstuvwxyz123456";
pub const IV: &str = "0123456789abcdef";

/// Columns of the test layouts.
pub static CNT_COLUMNS: [&str; 4] = ["MKSC_SHRN_ISCD", "STCK_CNTG_HOUR", "STCK_PRPR", "CNTG_VOL"];
pub static CNI_COLUMNS: [&str; 3] = ["CUST_ID", "ODER_NO", "CNTG_QTY"];

pub fn catalog() -> kis_ws::Catalog {
    kis_ws::Catalog {
        columns: |tr| match tr {
            "H0STCNT0" => Some(&CNT_COLUMNS[..]),
            "H0STCNI0" | "H0STCNI9" => Some(&CNI_COLUMNS[..]),
            _ => None,
        },
        is_encrypted: |tr| match tr {
            "H0STCNT0" => Some(false),
            "H0STCNI0" | "H0STCNI9" => Some(true),
            _ => None,
        },
        available_on: |tr, env| match (tr, env) {
            ("H0STCNI0", kis_client::endpoint::Env::Paper) => Some(false),
            ("H0STCNI9", kis_client::endpoint::Env::Real) => Some(false),
            ("H0STCNT0" | "H0STCNI0" | "H0STCNI9", _) => Some(true),
            _ => None,
        },
    }
}

#[derive(Default)]
pub struct Stats {
    pub connections: AtomicUsize,
    pub subscribe_msgs: AtomicUsize,
    pub unsubscribe_msgs: AtomicUsize,
    /// Subscribes of a pair already subscribed on the same connection.
    pub duplicates: AtomicUsize,
    pub pongs: AtomicUsize,
    /// Subscriptions of the latest connection.
    pub current: Mutex<BTreeSet<(String, String)>>,
    /// Approval keys seen in requests.
    pub keys_seen: Mutex<Vec<String>>,
}

#[derive(Clone, Debug)]
pub enum Cmd {
    Drop,
    Send(String),
}

pub struct Fake {
    pub url: String,
    pub stats: Arc<Stats>,
    tx: broadcast::Sender<Cmd>,
    /// Approval keys refused with OPSP0011.
    pub refused_keys: Arc<Mutex<Vec<String>>>,
    /// Answer the first subscribe of the next N connections with OPSP8996.
    pub in_use: Arc<AtomicUsize>,
    /// While set, subscribe/unsubscribe requests get no answer at all.
    pub mute: Arc<AtomicBool>,
    /// Raw texts answering the next subscribe requests (one each), sent verbatim instead of
    /// the usual ack.
    pub answers: Arc<Mutex<VecDeque<String>>>,
    /// While set, new connections are accepted but their websocket handshake never answered.
    pub stall_handshakes: Arc<AtomicBool>,
    /// While set, connections stop reading what the session sends (its TCP buffers fill).
    pub stall_reads: Arc<AtomicBool>,
}

impl Fake {
    pub async fn start(cap: usize) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}", listener.local_addr().unwrap());
        let stats = Arc::new(Stats::default());
        let (tx, _) = broadcast::channel(1024);
        let refused_keys = Arc::new(Mutex::new(Vec::new()));
        let in_use = Arc::new(AtomicUsize::new(0));
        let mute = Arc::new(AtomicBool::new(false));
        let answers = Arc::new(Mutex::new(VecDeque::new()));
        let stall = Arc::new(AtomicBool::new(false));
        let stall_reads = Arc::new(AtomicBool::new(false));
        let fake = Fake {
            stall_reads: stall_reads.clone(),
            stall_handshakes: stall.clone(),
            answers: answers.clone(),
            url,
            stats: stats.clone(),
            tx: tx.clone(),
            refused_keys: refused_keys.clone(),
            in_use: in_use.clone(),
            mute: mute.clone(),
        };
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let _ = tcp.set_nodelay(true);
                if stall.load(Ordering::SeqCst) {
                    // Hold the socket open and never answer the handshake.
                    tokio::spawn(async move {
                        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
                        drop(tcp);
                    });
                    continue;
                }
                let Ok(ws) = tokio_tungstenite::accept_async(tcp).await else {
                    continue;
                };
                stats.connections.fetch_add(1, Ordering::SeqCst);
                stats.current.lock().unwrap().clear();
                let conn = Conn {
                    stats: stats.clone(),
                    refused_keys: refused_keys.clone(),
                    in_use: in_use
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok(),
                    cap,
                    mute: mute.clone(),
                    answers: answers.clone(),
                    stall_reads: stall_reads.clone(),
                };
                tokio::spawn(conn.run(ws, tx.subscribe()));
            }
        });
        fake
    }

    pub fn drop_all(&self) {
        let _ = self.tx.send(Cmd::Drop);
    }

    pub fn send(&self, text: impl Into<String>) {
        let _ = self.tx.send(Cmd::Send(text.into()));
    }
}

struct Conn {
    stats: Arc<Stats>,
    refused_keys: Arc<Mutex<Vec<String>>>,
    in_use: bool,
    cap: usize,
    mute: Arc<AtomicBool>,
    answers: Arc<Mutex<VecDeque<String>>>,
    stall_reads: Arc<AtomicBool>,
}

fn ack(tr_id: &str, tr_key: &str, rt: &str, cd: &str, msg: &str, output: bool) -> String {
    let mut v = serde_json::json!({
        "header": {"tr_id": tr_id, "tr_key": tr_key, "encrypt": if tr_id.starts_with("H0STCNI") {"Y"} else {"N"}},
        "body": {"rt_cd": rt, "msg_cd": cd, "msg1": msg},
    });
    if output {
        v["body"]["output"] = serde_json::json!({"iv": IV, "key": KEY});
    }
    v.to_string()
}

/// The data frame the fake sends after each successful subscribe.
pub fn data_frame(tr_id: &str, tr_key: &str) -> String {
    if tr_id.starts_with("H0STCNI") {
        let cipher = Cipher::new(KEY, IV).unwrap();
        format!(
            "1|{tr_id}|001|{}",
            cipher.encrypt(&format!("{tr_key}^0000012345^10"))
        )
    } else {
        format!("0|{tr_id}|001|{tr_key}^093000^71000^5")
    }
}

impl Conn {
    async fn run(
        self,
        ws: tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
        mut cmds: broadcast::Receiver<Cmd>,
    ) {
        let (mut tx, mut rx) = ws.split();
        let mut subs: HashMap<(String, String), ()> = HashMap::new();
        let mut first = true;
        loop {
            tokio::select! {
                cmd = cmds.recv() => match cmd {
                    Ok(Cmd::Drop) | Err(_) => return,
                    Ok(Cmd::Send(t)) => { if tx.send(Message::text(t)).await.is_err() { return; } }
                },
                msg = rx.next(), if !self.stall_reads.load(Ordering::SeqCst) => {
                    let Some(Ok(msg)) = msg else { return };
                    let Message::Text(text) = msg else { continue };
                    let v: serde_json::Value = match serde_json::from_str(&text) { Ok(v) => v, Err(_) => continue };
                    if v["header"]["tr_id"] == "PINGPONG" {
                        self.stats.pongs.fetch_add(1, Ordering::SeqCst);
                        continue;
                    }
                    if self.mute.load(Ordering::SeqCst) {
                        continue;
                    }
                    let key = v["header"]["approval_key"].as_str().unwrap_or_default().to_owned();
                    self.stats.keys_seen.lock().unwrap().push(key.clone());
                    let tr_id = v["body"]["input"]["tr_id"].as_str().unwrap_or_default().to_owned();
                    let tr_key = v["body"]["input"]["tr_key"].as_str().unwrap_or_default().to_owned();
                    let mut out = Vec::new();
                    let scripted = if v["header"]["tr_type"] == "1" {
                        self.answers.lock().unwrap().pop_front()
                    } else {
                        None
                    };
                    if let Some(text) = scripted {
                        out.push(text);
                    } else if self.in_use && first {
                        first = false;
                        out.push(ack(&tr_id, &tr_key, "1", "OPSP8996", "ALREADY IN USE appkey", false));
                    } else if self.refused_keys.lock().unwrap().contains(&key) {
                        out.push(ack(&tr_id, &tr_key, "1", "OPSP0011", "invalid approval : NOT FOUND", false));
                    } else if v["header"]["tr_type"] == "1" {
                        self.stats.subscribe_msgs.fetch_add(1, Ordering::SeqCst);
                        let k = (tr_id.clone(), tr_key.clone());
                        if subs.contains_key(&k) {
                            self.stats.duplicates.fetch_add(1, Ordering::SeqCst);
                            out.push(ack(&tr_id, &tr_key, "1", "OPSP0002", "ALREADY IN SUBSCRIBE", false));
                        } else if subs.len() >= self.cap {
                            out.push(ack(&tr_id, &tr_key, "1", "OPSP0008", "MAX SUBSCRIBE OVER", false));
                        } else {
                            subs.insert(k.clone(), ());
                            self.stats.current.lock().unwrap().insert(k);
                            out.push(ack(&tr_id, &tr_key, "0", "OPSP0000", "SUBSCRIBE SUCCESS", true));
                            out.push(data_frame(&tr_id, &tr_key));
                        }
                    } else {
                        self.stats.unsubscribe_msgs.fetch_add(1, Ordering::SeqCst);
                        let k = (tr_id.clone(), tr_key.clone());
                        if subs.remove(&k).is_some() {
                            self.stats.current.lock().unwrap().remove(&k);
                            out.push(ack(&tr_id, &tr_key, "0", "OPSP0001", "UNSUBSCRIBE SUCCESS", false));
                        } else {
                            out.push(ack(&tr_id, &tr_key, "1", "OPSP0003", "UNSUBSCRIBE ERROR(not found!)", false));
                        }
                    }
                    for o in out {
                        if tx.send(Message::text(o)).await.is_err() { return; }
                    }
                }
            }
        }
    }
}
