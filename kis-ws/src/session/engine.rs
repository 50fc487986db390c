//! The connection task: owns the websocket, the subscription registry, PINGPONG echo and
//! reconnect/resubscribe.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures::{SinkExt as _, StreamExt as _};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::control::{self, Ack, AckKind, Control};
use crate::crypto::Cipher;
use crate::error::{Error, FrameError};
use crate::event::{Event, RawRecord};
use crate::fanout::{Fanout, Shared};
use crate::frame;
use crate::recovery::{Ledger, Market, NoticeColumns, NoticeGap, OrderFills};

use super::{ApprovalKeySource, Command, Options};

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;
type WsTx = futures::stream::SplitSink<Ws, Message>;
type WsRx = futures::stream::SplitStream<Ws>;

/// Opens the websocket; messages (and frames) larger than `max_message` bytes end the
/// connection with a capacity error.
pub(super) async fn open(url: &str, timeout: Duration, max_message: usize) -> Result<Ws, Error> {
    match tokio::time::timeout(
        timeout,
        // No Nagle: market data and acks must not wait for delayed ACKs.
        tokio_tungstenite::connect_async_with_config(
            url,
            Some(
                WebSocketConfig::default()
                    .max_message_size(Some(max_message))
                    .max_frame_size(Some(max_message)),
            ),
            true,
        ),
    )
    .await
    {
        Ok(Ok((ws, _response))) => Ok(ws),
        Ok(Err(e)) => Err(Error::WebSocket(Box::new(e))),
        Err(_) => Err(Error::Timeout),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SubState {
    /// Registered, to be sent on the next connection.
    Pending,
    /// Subscribe sent, waiting for the ack.
    Subscribing,
    /// Confirmed by KIS.
    Active,
    /// Unsubscribe sent, waiting for the ack.
    Unsubscribing,
}

struct Sub {
    state: SubState,
    /// Whether this is a restore after a reconnect (reported in `Reconnected`, not as
    /// `Subscribed`).
    restoring: bool,
    waiters: Vec<oneshot::Sender<Result<(), Error>>>,
}

impl Sub {
    fn reply(&mut self, result: impl Fn() -> Result<(), Error>) {
        for w in self.waiters.drain(..) {
            let _ = w.send(result());
        }
    }
}

/// A gap in the connection: from the disconnect until all subscriptions are restored.
struct Down {
    since: Instant,
    /// Wall-clock start of the gap (for the notice gap and REST recovery).
    since_wall: SystemTime,
    attempts: u32,
    restored: usize,
    /// Notice subscriptions registered when the connection was lost.
    notices: Vec<Key>,
}

enum Outcome {
    Shutdown,
    Lost { reason: String, min_delay: Duration },
}

type Key = (String, String);

/// A finished recovery: the gap and the orders REST reported for it.
type Recovered = (NoticeGap, Result<Vec<OrderFills>, Error>);

pub(super) struct Engine {
    url: String,
    options: Options,
    source: Arc<dyn ApprovalKeySource>,
    approval_key: String,
    refresh_key: bool,
    refusals: u32,
    /// Consecutive `OPSP8996 ALREADY IN USE` answers.
    in_use_refusals: u32,
    /// Fills reported by notices and recoveries.
    ledger: Ledger,
    recovered_tx: mpsc::UnboundedSender<Recovered>,
    recovered_rx: mpsc::UnboundedReceiver<Recovered>,
    cmds: mpsc::Receiver<Command>,
    fanout: Fanout,
    subs: BTreeMap<Key, Sub>,
    ciphers: HashMap<String, Cipher>,
    keys_by_tr: HashMap<Arc<str>, Vec<Arc<str>>>,
    down: Option<Down>,
}

impl Engine {
    pub(super) fn new(
        url: String,
        options: Options,
        source: Arc<dyn ApprovalKeySource>,
        approval_key: String,
        cmds: mpsc::Receiver<Command>,
        shared: Arc<Shared>,
    ) -> Self {
        let (recovered_tx, recovered_rx) = mpsc::unbounded_channel();
        Engine {
            url,
            options,
            source,
            approval_key,
            refresh_key: false,
            refusals: 0,
            in_use_refusals: 0,
            ledger: Ledger::default(),
            recovered_tx,
            recovered_rx,
            cmds,
            fanout: Fanout::new(shared),
            subs: BTreeMap::new(),
            ciphers: HashMap::new(),
            keys_by_tr: HashMap::new(),
            down: None,
        }
    }

    pub(super) async fn run(mut self, mut ws: Ws) {
        loop {
            match self.serve(ws).await {
                Outcome::Shutdown => break,
                Outcome::Lost { reason, min_delay } => {
                    tracing::debug!(%reason, "realtime connection lost");
                    self.on_lost(reason).await;
                    match self.reconnect(min_delay).await {
                        Some(next) => ws = next,
                        None => break,
                    }
                }
            }
        }
        // Closed while disconnected: the open gap never ends for this session.
        if let Some(down) = self.down.take() {
            if !down.notices.is_empty() {
                self.notice_gap(NoticeGap {
                    from: down.since_wall,
                    to: None,
                    subscriptions: down.notices,
                });
            }
        }
        for sub in self.subs.values_mut() {
            sub.reply(|| Err(Error::Closed));
        }
        self.fanout.shared().close_all();
        self.cmds.close();
        while let Ok(cmd) = self.cmds.try_recv() {
            reject(cmd);
        }
    }

    /// Runs one connection until it is lost or the session ends.
    async fn serve(&mut self, ws: Ws) -> Outcome {
        let (mut tx, mut rx) = ws.split();
        // (Re)send every registration not confirmed on this connection.
        let pending: Vec<Key> = self
            .subs
            .iter()
            .filter(|(_, s)| s.state == SubState::Pending)
            .map(|(k, _)| k.clone())
            .collect();
        for key in pending {
            let msg = control::request(
                &self.approval_key,
                &self.options.custtype,
                true,
                &key.0,
                &key.1,
            );
            if let Err(e) = tx.send(Message::text(msg)).await {
                return lost(format!("send failed: {e}"));
            }
            if let Some(sub) = self.subs.get_mut(&key) {
                sub.state = SubState::Subscribing;
            }
        }
        self.check_restored();

        let silence = self.options.silence_timeout;
        let mut deadline = Instant::now() + silence;
        // A restore whose ack never comes must not hold the gap open (and hide the next
        // `Disconnected`): after `ack_timeout` the gap is closed with what was confirmed.
        let restore_deadline = Instant::now() + self.options.ack_timeout;
        loop {
            tokio::select! {
                Some((gap, result)) = self.recovered_rx.recv() => self.on_recovered(gap, result),
                _ = tokio::time::sleep_until(restore_deadline), if self.down.is_some() => {
                    self.close_gap();
                }
                cmd = self.cmds.recv() => match cmd {
                    None => {
                        self.graceful_close(tx, rx).await;
                        return Outcome::Shutdown;
                    }
                    Some(Command::Close { reply }) => {
                        self.graceful_close(tx, rx).await;
                        let _ = reply.send(());
                        return Outcome::Shutdown;
                    }
                    Some(cmd) => {
                        if let Err(e) = self.command(cmd, Some(&mut tx)).await {
                            return lost(format!("send failed: {e}"));
                        }
                    }
                },
                msg = rx.next() => {
                    deadline = Instant::now() + silence;
                    match msg {
                        None => return lost("connection closed".to_owned()),
                        Some(Err(e)) => return lost(format!("websocket error: {e}")),
                        Some(Ok(Message::Close(frame))) => {
                            return lost(match frame {
                                Some(f) => format!("server closed the connection: {} {}", f.code, f.reason),
                                None => "server closed the connection".to_owned(),
                            });
                        }
                        Some(Ok(Message::Text(text))) => {
                            if let Some(outcome) = self.on_text(text, &mut tx).await {
                                return outcome;
                            }
                        }
                        Some(Ok(Message::Binary(b))) => {
                            self.emit(Event::Error(FrameError::Binary { len: b.len() }), false);
                        }
                        Some(Ok(Message::Ping(_))) => {
                            // tungstenite queued the pong; make sure it goes out now.
                            if let Err(e) = tx.flush().await {
                                return lost(format!("send failed: {e}"));
                            }
                        }
                        Some(Ok(_)) => {}
                    }
                }
                _ = tokio::time::sleep_until(deadline) => {
                    return lost(format!("no message for {silence:?}"));
                }
            }
        }
    }

    async fn on_text(
        &mut self,
        text: tokio_tungstenite::tungstenite::Utf8Bytes,
        tx: &mut WsTx,
    ) -> Option<Outcome> {
        if frame::is_data_frame(&text) {
            if let Err(e) = self.on_data(&text).await {
                self.emit(Event::Error(e), false);
            }
            return None;
        }
        match control::parse_control(&text) {
            Err(e) => {
                self.emit(Event::Error(e), false);
                None
            }
            Ok(Control::PingPong) => match tx.send(Message::Text(text)).await {
                Ok(()) => None,
                Err(e) => Some(lost(format!("send failed: {e}"))),
            },
            Ok(Control::Ack(ack)) => self.on_ack(ack).await,
        }
    }

    async fn on_data(&mut self, text: &str) -> Result<(), FrameError> {
        let f = frame::parse_data_frame(text)?;
        let catalog = self.options.catalog;
        let columns = (catalog.columns)(f.tr_id).ok_or_else(|| FrameError::UnknownTr {
            tr_id: f.tr_id.to_owned(),
        })?;
        let plain: Arc<str> = if f.encrypted {
            let cipher = self.ciphers.get(f.tr_id).ok_or_else(|| FrameError::NoKey {
                tr_id: f.tr_id.to_owned(),
            })?;
            Arc::from(cipher.decrypt(f.tr_id, f.payload)?)
        } else {
            Arc::from(f.payload)
        };
        let notice = f.encrypted || (catalog.is_encrypted)(f.tr_id).unwrap_or(false);
        // Execution notices feed the ledger that keeps recovered fills from repeating them.
        let ledger = Market::of_notice_tr(f.tr_id)
            .filter(|_| notice)
            .and_then(|m| Some((m, NoticeColumns::find(columns)?)));
        let (tr_id, keys) = match self.keys_by_tr.get_key_value(f.tr_id) {
            Some((t, k)) => (t.clone(), k.as_slice()),
            None => (Arc::from(f.tr_id), &[][..]),
        };
        let (fanout, notices) = (&mut self.fanout, &mut self.ledger);
        RawRecord::split_payload(f.tr_id, &plain, f.count, columns.len(), |fields, record| {
            let first = fields.first().copied().unwrap_or_default();
            let tr_key = keys
                .iter()
                .find(|k| ***k == *first)
                .or(if keys.len() == 1 { keys.first() } else { None })
                .cloned();
            if let Some((market, cols)) = ledger {
                notices.notice(market, cols, fields);
            }
            let event = Event::Data {
                tr_id: tr_id.clone(),
                tr_key,
                record,
            };
            fanout.emit(event, !notice);
        })
    }

    /// Finds the registration an ack answers: the exact pair, else the oldest in-flight one
    /// of the same TR.
    fn match_ack(&self, ack: &Ack) -> Option<Key> {
        let in_flight =
            |s: &Sub| matches!(s.state, SubState::Subscribing | SubState::Unsubscribing);
        let exact = (ack.tr_id.clone(), ack.tr_key.clone());
        if self.subs.get(&exact).is_some_and(in_flight) {
            return Some(exact);
        }
        self.subs
            .iter()
            .find(|((t, _), s)| *t == ack.tr_id && in_flight(s))
            .map(|(k, _)| k.clone())
    }

    async fn on_ack(&mut self, ack: Ack) -> Option<Outcome> {
        match ack.kind {
            AckKind::AlreadyInUse => {
                // KIS still holds a session for this app key. Retrying at once only keeps the
                // slot busy: wait `in_use_delay`, doubling per consecutive refusal up to
                // `in_use_max_delay`, and tell the waiting callers why.
                self.in_use_refusals = self.in_use_refusals.saturating_add(1);
                let doublings = self.in_use_refusals.saturating_sub(1).min(16);
                let retry_in = self
                    .options
                    .in_use_delay
                    .saturating_mul(1 << doublings)
                    .min(self.options.in_use_max_delay.max(self.options.in_use_delay));
                for sub in self.subs.values_mut() {
                    sub.reply(|| {
                        Err(Error::AlreadyInUse {
                            msg1: ack.msg1.clone(),
                        })
                    });
                }
                self.emit(
                    Event::AlreadyInUse {
                        refusals: self.in_use_refusals,
                        retry_in,
                    },
                    false,
                );
                return Some(Outcome::Lost {
                    reason: format!("{} {}", ack.msg_cd, ack.msg1),
                    min_delay: retry_in,
                });
            }
            AckKind::InvalidApproval => {
                self.refusals += 1;
                self.refresh_key = true;
                if self.refusals > self.options.max_approval_refusals {
                    self.fail_in_flight(&ack).await;
                }
                return Some(lost(format!(
                    "approval key refused: {} {}",
                    ack.msg_cd, ack.msg1
                )));
            }
            _ => {}
        }
        let Some(key) = self.match_ack(&ack) else {
            self.emit(
                Event::Notice {
                    tr_id: ack.tr_id,
                    msg_cd: ack.msg_cd,
                    msg1: ack.msg1,
                },
                false,
            );
            return None;
        };
        let sub = self.subs.get_mut(&key)?;
        let mut event = None;
        match (sub.state, &ack.kind) {
            (
                SubState::Subscribing,
                AckKind::SubscribeSuccess { .. } | AckKind::AlreadySubscribed,
            ) => {
                if let AckKind::SubscribeSuccess { cipher: Some(c) } = &ack.kind {
                    self.ciphers.insert(key.0.clone(), c.clone());
                }
                self.refusals = 0;
                self.in_use_refusals = 0;
                sub.state = SubState::Active;
                sub.reply(|| Ok(()));
                if std::mem::take(&mut sub.restoring) {
                    if let Some(down) = &mut self.down {
                        down.restored += 1;
                    }
                } else {
                    event = Some(Event::Subscribed {
                        tr_id: key.0.clone(),
                        tr_key: key.1.clone(),
                    });
                }
                self.add_key(&key);
            }
            (SubState::Subscribing, kind) => {
                let (msg_cd, msg1) = (ack.msg_cd.clone(), ack.msg1.clone());
                let max = matches!(kind, AckKind::MaxSubscribeOver);
                sub.reply(|| {
                    Err(if max {
                        Error::MaxSubscribeOver { msg1: msg1.clone() }
                    } else {
                        Error::Refused {
                            msg_cd: msg_cd.clone(),
                            msg1: msg1.clone(),
                        }
                    })
                });
                if sub.restoring {
                    event = Some(Event::SubscriptionLost {
                        tr_id: key.0.clone(),
                        tr_key: key.1.clone(),
                        reason: format!("{} {}", ack.msg_cd, ack.msg1),
                    });
                }
                self.subs.remove(&key);
            }
            (SubState::Unsubscribing, AckKind::UnsubscribeSuccess | AckKind::UnsubscribeError) => {
                sub.reply(|| Ok(()));
                self.subs.remove(&key);
                self.remove_key(&key);
                event = Some(Event::Unsubscribed {
                    tr_id: key.0.clone(),
                    tr_key: key.1.clone(),
                });
            }
            // The late ack of a subscribe that was cancelled: wait for the unsubscribe ack.
            (SubState::Unsubscribing, _) => {}
            (SubState::Pending | SubState::Active, _) => {
                event = Some(Event::Notice {
                    tr_id: ack.tr_id.clone(),
                    msg_cd: ack.msg_cd.clone(),
                    msg1: ack.msg1.clone(),
                });
            }
        }
        if let Some(e) = event {
            self.emit(e, false);
        }
        self.check_restored();
        None
    }

    /// After repeated approval refusals: fail the waiting callers; registrations that were
    /// never confirmed are dropped, confirmed ones stay to be restored.
    async fn fail_in_flight(&mut self, ack: &Ack) {
        let msg1 = ack.msg1.clone();
        let mut lost_keys = Vec::new();
        for (key, sub) in self.subs.iter_mut() {
            sub.reply(|| Err(Error::InvalidApproval { msg1: msg1.clone() }));
            if matches!(sub.state, SubState::Subscribing | SubState::Pending) && !sub.restoring {
                lost_keys.push(key.clone());
            }
        }
        for key in lost_keys {
            self.subs.remove(&key);
        }
    }

    fn add_key(&mut self, key: &Key) {
        let k: Arc<str> = Arc::from(key.1.as_str());
        match self.keys_by_tr.get_mut(key.0.as_str()) {
            Some(keys) => {
                if !keys.iter().any(|x| **x == *key.1) {
                    keys.push(k);
                }
            }
            None => {
                self.keys_by_tr.insert(Arc::from(key.0.as_str()), vec![k]);
            }
        }
    }

    fn remove_key(&mut self, key: &Key) {
        if let Some(keys) = self.keys_by_tr.get_mut(key.0.as_str()) {
            keys.retain(|k| **k != *key.1);
        }
    }

    /// Emits `Reconnected` once every restore of the current gap has been answered.
    fn check_restored(&mut self) {
        let outstanding = self
            .subs
            .values()
            .any(|s| s.restoring && matches!(s.state, SubState::Pending | SubState::Subscribing));
        if !outstanding {
            self.close_gap();
        }
    }

    /// Ends the current gap with `Reconnected`, then the notice gap (and its recovery).
    fn close_gap(&mut self) {
        if let Some(down) = self.down.take() {
            self.emit(
                Event::Reconnected {
                    attempts: down.attempts,
                    downtime: down.since.elapsed(),
                    resubscribed: down.restored,
                },
                false,
            );
            if !down.notices.is_empty() {
                self.notice_gap(NoticeGap {
                    from: down.since_wall,
                    to: Some(SystemTime::now()),
                    subscriptions: down.notices,
                });
            }
        }
    }

    /// The registered execution-notice subscriptions (encrypted TRs).
    fn notice_subscriptions(&self) -> Vec<Key> {
        let catalog = self.options.catalog;
        self.subs
            .keys()
            .filter(|(tr, _)| (catalog.is_encrypted)(tr).unwrap_or(false))
            .cloned()
            .collect()
    }

    /// Reports a notice gap and, when configured, starts recovering it in a task of its own.
    fn notice_gap(&mut self, gap: NoticeGap) {
        self.emit(Event::NoticeGap(gap.clone()), false);
        let (Some(recovery), Some(to)) = (self.options.recovery.clone(), gap.to) else {
            return;
        };
        if gap.markets().is_empty() || to < gap.from {
            return;
        }
        let tx = self.recovered_tx.clone();
        tokio::spawn(async move {
            let result = recovery.0.orders(&gap).await;
            let _ = tx.send((gap, result));
        });
    }

    /// Emits the fills of a recovery that no notice (or earlier recovery) reported.
    fn on_recovered(&mut self, gap: NoticeGap, result: Result<Vec<OrderFills>, Error>) {
        match result {
            Ok(orders) => {
                for fill in self.ledger.reconcile(orders) {
                    self.emit(Event::Recovered(fill), false);
                }
            }
            Err(e) => self.emit(
                Event::RecoveryFailed {
                    gap,
                    error: e.to_string(),
                },
                false,
            ),
        }
    }

    /// Handles a user command; `tx` is `None` while disconnected.
    async fn command(
        &mut self,
        cmd: Command,
        tx: Option<&mut WsTx>,
    ) -> Result<(), tokio_tungstenite::tungstenite::Error> {
        match cmd {
            Command::Subscribe {
                tr_id,
                tr_key,
                reply,
            } => {
                if let Err(e) = self.check_new(&tr_id, &tr_key) {
                    let _ = reply.send(Err(e));
                    return Ok(());
                }
                let key = (tr_id, tr_key);
                if let Some(sub) = self.subs.get_mut(&key) {
                    match sub.state {
                        SubState::Active => {
                            let _ = reply.send(Ok(()));
                        }
                        SubState::Pending | SubState::Subscribing => sub.waiters.push(reply),
                        SubState::Unsubscribing => {
                            let _ = reply.send(Err(Error::Refused {
                                msg_cd: String::new(),
                                msg1: "an unsubscribe of this pair is in progress".to_owned(),
                            }));
                        }
                    }
                    return Ok(());
                }
                if self.subs.len() >= self.options.max_subscriptions {
                    let _ = reply.send(Err(Error::TooManySubscriptions {
                        limit: self.options.max_subscriptions,
                    }));
                    return Ok(());
                }
                let mut sub = Sub {
                    state: SubState::Pending,
                    restoring: false,
                    waiters: vec![reply],
                };
                if let Some(tx) = tx {
                    let msg = control::request(
                        &self.approval_key,
                        &self.options.custtype,
                        true,
                        &key.0,
                        &key.1,
                    );
                    sub.state = SubState::Subscribing;
                    self.subs.insert(key, sub);
                    tx.send(Message::text(msg)).await?;
                } else {
                    self.subs.insert(key, sub);
                }
            }
            Command::Unsubscribe {
                tr_id,
                tr_key,
                reply,
            } => {
                let key = (tr_id, tr_key);
                let Some(sub) = self.subs.get_mut(&key) else {
                    let _ = reply.send(Ok(()));
                    return Ok(());
                };
                match (sub.state, tx) {
                    (SubState::Subscribing | SubState::Active, Some(tx)) => {
                        sub.reply(|| {
                            Err(Error::Refused {
                                msg_cd: String::new(),
                                msg1: "unsubscribed before the ack".to_owned(),
                            })
                        });
                        sub.state = SubState::Unsubscribing;
                        sub.waiters.push(reply);
                        let msg = control::request(
                            &self.approval_key,
                            &self.options.custtype,
                            false,
                            &key.0,
                            &key.1,
                        );
                        tx.send(Message::text(msg)).await?;
                    }
                    (SubState::Unsubscribing, _) => sub.waiters.push(reply),
                    (_, _) => {
                        // Not registered on any live connection: forgetting it is enough.
                        sub.reply(|| {
                            Err(Error::Refused {
                                msg_cd: String::new(),
                                msg1: "unsubscribed before the ack".to_owned(),
                            })
                        });
                        self.subs.remove(&key);
                        self.remove_key(&key);
                        let _ = reply.send(Ok(()));
                        self.check_restored();
                    }
                }
            }
            Command::List { reply } => {
                let _ = reply.send(self.subs.keys().cloned().collect());
            }
            Command::Close { reply } => {
                // Only reached while disconnected (the connected path handles Close itself).
                let _ = reply.send(());
            }
        }
        Ok(())
    }

    fn check_new(&self, tr_id: &str, tr_key: &str) -> Result<(), Error> {
        if tr_key.is_empty() || tr_key.len() > 64 || !tr_key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::InvalidTrKey {
                tr_key: tr_key.to_owned(),
            });
        }
        let catalog = self.options.catalog;
        if (catalog.columns)(tr_id).is_none() {
            return Err(Error::UnknownTr {
                tr_id: tr_id.to_owned(),
            });
        }
        if (catalog.available_on)(tr_id, self.options.env) == Some(false) {
            return Err(Error::NotAvailable {
                tr_id: tr_id.to_owned(),
                env: self.options.env,
            });
        }
        Ok(())
    }

    async fn graceful_close(&mut self, mut tx: WsTx, mut rx: WsRx) {
        let notices = self.notice_subscriptions();
        let active: Vec<Key> = self
            .subs
            .iter()
            .filter(|(_, s)| matches!(s.state, SubState::Active | SubState::Subscribing))
            .map(|(k, _)| k.clone())
            .collect();
        for key in &active {
            let msg = control::request(
                &self.approval_key,
                &self.options.custtype,
                false,
                &key.0,
                &key.1,
            );
            if tx.send(Message::text(msg)).await.is_err() {
                break;
            }
            if let Some(sub) = self.subs.get_mut(key) {
                sub.state = SubState::Unsubscribing;
            }
        }
        let deadline = Instant::now() + self.options.close_timeout;
        while self
            .subs
            .values()
            .any(|s| s.state == SubState::Unsubscribing)
        {
            tokio::select! {
                msg = rx.next() => match msg {
                    // Data (notices above all) keeps being delivered until KIS confirms the
                    // unsubscribes; PINGPONG keeps being echoed.
                    Some(Ok(Message::Text(text))) => {
                        if self.on_text(text, &mut tx).await.is_some() {
                            break;
                        }
                    }
                    Some(Ok(_)) => {}
                    _ => break,
                },
                _ = tokio::time::sleep_until(deadline) => break,
            }
        }
        if !notices.is_empty() {
            // Notices were delivered until KIS confirmed the unsubscribes (or the close
            // timeout); nothing after this point reaches this session.
            self.notice_gap(NoticeGap {
                from: SystemTime::now(),
                to: None,
                subscriptions: notices,
            });
        }
        let _ = tx.send(Message::Close(None)).await;
        let _ = tx.close().await;
    }

    async fn on_lost(&mut self, reason: String) {
        // Everything registered must be sent again on the next connection.
        let mut gone = Vec::new();
        for (key, sub) in self.subs.iter_mut() {
            match sub.state {
                SubState::Active | SubState::Subscribing => {
                    if sub.state == SubState::Active {
                        sub.restoring = true;
                    }
                    sub.state = SubState::Pending;
                }
                SubState::Unsubscribing => {
                    sub.reply(|| Ok(()));
                    gone.push(key.clone());
                }
                SubState::Pending => {}
            }
        }
        for key in gone {
            self.subs.remove(&key);
            self.remove_key(&key);
            self.emit(
                Event::Unsubscribed {
                    tr_id: key.0,
                    tr_key: key.1,
                },
                false,
            );
        }
        match &mut self.down {
            None => {
                let notices = self.notice_subscriptions();
                self.down = Some(Down {
                    since: Instant::now(),
                    since_wall: SystemTime::now(),
                    attempts: 0,
                    restored: 0,
                    notices,
                });
            }
            // Lost again while restoring: restores confirmed so far will be redone; the gap
            // keeps its start.
            Some(down) => down.restored = 0,
        }
        // Every lost connection is reported, even one lost before the previous gap closed.
        self.emit(Event::Disconnected { reason }, false);
    }

    /// Waits and reconnects until it succeeds; `None` when the session was closed meanwhile.
    async fn reconnect(&mut self, min_delay: Duration) -> Option<Ws> {
        let mut min_delay = min_delay;
        loop {
            let attempt = self.down.as_ref().map_or(0, |d| d.attempts);
            let delay = self.options.backoff.delay(attempt).max(min_delay);
            min_delay = Duration::ZERO;
            if let Some(down) = &mut self.down {
                down.attempts += 1;
            }
            let sleep = tokio::time::sleep(delay);
            tokio::pin!(sleep);
            loop {
                tokio::select! {
                    _ = &mut sleep => break,
                    cmd = self.cmds.recv() => match cmd {
                        None => return None,
                        Some(Command::Close { reply }) => {
                            let _ = reply.send(());
                            return None;
                        }
                        Some(cmd) => {
                            let _ = self.command(cmd, None).await;
                        }
                    },
                }
            }
            if self.refresh_key {
                match self.source.approval_key(true).await {
                    Ok(key) => {
                        self.approval_key = key;
                        self.refresh_key = false;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "could not get a fresh approval key");
                        continue;
                    }
                }
            }
            match open(
                &self.url,
                self.options.connect_timeout,
                self.options.max_message_size,
            )
            .await
            {
                Ok(ws) => return Some(ws),
                Err(e) => tracing::debug!(error = %e, "reconnect attempt failed"),
            }
        }
    }

    fn emit(&mut self, event: Event<RawRecord>, droppable: bool) {
        self.fanout.emit(event, droppable);
    }
}

fn lost(reason: String) -> Outcome {
    Outcome::Lost {
        reason,
        min_delay: Duration::ZERO,
    }
}

fn reject(cmd: Command) {
    match cmd {
        Command::Subscribe { reply, .. } | Command::Unsubscribe { reply, .. } => {
            let _ = reply.send(Err(Error::Closed));
        }
        Command::List { reply } => {
            let _ = reply.send(Vec::new());
        }
        Command::Close { reply } => {
            let _ = reply.send(());
        }
    }
}
