//! The connection task: owns the websocket, echoes PINGPONG, decodes frames, and carries out
//! what the subscription [`Registry`] decides (sends, events, replies, reconnects).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures::{SinkExt as _, StreamExt as _};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::control::{self, Control};
use crate::error::{Error, FrameError};
use crate::event::{Event, RawRecord};
use crate::fanout::{Fanout, Shared};
use crate::frame::{self, Utf8Bytes};
use crate::recovery::{Ledger, Market, NoticeColumns, NoticeGap, OrderFills};

use super::registry::{Effect, Registry};
use super::{ApprovalKeySource, Command, Options};

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;
type WsTx = futures::stream::SplitSink<Ws, Message>;
type WsRx = futures::stream::SplitStream<Ws>;
type Waiter = oneshot::Sender<Result<(), Error>>;

/// Opens the websocket; messages (and frames) larger than `max_message` bytes end the
/// connection with a capacity error.
pub(super) async fn open(url: &str, timeout: Duration, max_message: usize) -> Result<Ws, Error> {
    crate::logging::warn_if_frames_traced();
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

enum Outcome {
    Shutdown,
    Lost { reason: String, min_delay: Duration },
}

fn lost(reason: String) -> Outcome {
    Outcome::Lost {
        reason,
        min_delay: Duration::ZERO,
    }
}

/// A finished recovery: the gap and the orders REST reported for it.
type Recovered = (NoticeGap, Result<Vec<OrderFills>, Error>);

pub(super) struct Engine {
    url: String,
    options: Options,
    source: Arc<dyn ApprovalKeySource>,
    approval_key: String,
    refresh_key: bool,
    registry: Registry<Waiter>,
    /// Fills reported by notices and recoveries.
    ledger: Ledger,
    recovered_tx: mpsc::UnboundedSender<Recovered>,
    recovered_rx: mpsc::UnboundedReceiver<Recovered>,
    cmds: mpsc::Receiver<Command>,
    fanout: Fanout,
    /// The server's clock minus this machine's, from the last `PINGPONG` `datetime`.
    server_offset: Option<chrono::TimeDelta>,
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
            registry: Registry::new(options.clone()),
            options,
            source,
            approval_key,
            refresh_key: false,
            ledger: Ledger::default(),
            recovered_tx,
            recovered_rx,
            cmds,
            fanout: Fanout::new(shared),
            server_offset: None,
        }
    }

    pub(super) async fn run(mut self, mut ws: Ws) {
        loop {
            match self.serve(ws).await {
                Outcome::Shutdown => break,
                Outcome::Lost { reason, min_delay } => {
                    tracing::debug!(%reason, "realtime connection lost");
                    self.registry.lost(reason);
                    self.apply_offline();
                    match self.reconnect(min_delay).await {
                        Some(next) => ws = next,
                        None => break,
                    }
                }
            }
        }
        self.registry.finished();
        self.apply_offline();
        self.fanout.shared().close_all();
        self.cmds.close();
        while let Ok(cmd) = self.cmds.try_recv() {
            reject(cmd);
        }
    }

    /// Carries out the registry's effects on a live connection. Returns how the connection
    /// ends when an effect (or a failed send) ends it.
    async fn apply(&mut self, tx: &mut WsTx) -> Option<Outcome> {
        let mut outcome = None;
        for fx in self.registry.take_effects() {
            match fx {
                Effect::Send { subscribe, key } => {
                    if outcome.is_some() {
                        continue;
                    }
                    let msg = control::request(
                        &self.approval_key,
                        &self.options.custtype,
                        subscribe,
                        &key.0,
                        &key.1,
                    );
                    if let Err(e) = tx.send(Message::text(msg)).await {
                        outcome = Some(lost(format!("send failed: {e}")));
                    }
                }
                Effect::Reconnect {
                    reason,
                    min_delay,
                    fresh_key,
                } => {
                    self.refresh_key |= fresh_key;
                    outcome.get_or_insert(Outcome::Lost { reason, min_delay });
                }
                other => self.apply_local(other),
            }
        }
        outcome
    }

    /// Carries out effects while no connection is up (sends wait for the next connection:
    /// the registry keeps those registrations pending).
    fn apply_offline(&mut self) {
        for fx in self.registry.take_effects() {
            match fx {
                Effect::Send { .. } => {}
                Effect::Reconnect { fresh_key, .. } => self.refresh_key |= fresh_key,
                other => self.apply_local(other),
            }
        }
    }

    fn apply_local(&mut self, fx: Effect<Waiter>) {
        match fx {
            Effect::Emit(event) => self.fanout.emit(event, false),
            Effect::Reply(w, result) => {
                let _ = w.send(result);
            }
            Effect::NoticeGap(gap) => self.notice_gap(gap),
            Effect::Send { .. } | Effect::Reconnect { .. } => {}
        }
    }

    /// Runs one connection until it is lost or the session ends.
    async fn serve(&mut self, ws: Ws) -> Outcome {
        let (mut tx, mut rx) = ws.split();
        // (Re)send every registration not confirmed on this connection.
        self.registry.connected();
        if let Some(outcome) = self.apply(&mut tx).await {
            return outcome;
        }
        let silence = self.options.silence_timeout;
        let mut deadline = Instant::now() + silence;
        // A restore whose ack never comes must not hold the gap open (and hide the next
        // `Disconnected`): after `ack_timeout` the gap is closed with what was confirmed.
        let restore_deadline = Instant::now() + self.options.ack_timeout;
        loop {
            tokio::select! {
                Some((gap, result)) = self.recovered_rx.recv() => self.on_recovered(gap, result),
                _ = tokio::time::sleep_until(restore_deadline), if self.registry.in_gap() => {
                    self.registry.restore_timed_out();
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
                    Some(cmd) => self.command(cmd, true),
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
                            self.fanout.emit(Event::Error(FrameError::Binary { len: b.len() }), false);
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
            if let Some(outcome) = self.apply(&mut tx).await {
                return outcome;
            }
        }
    }

    async fn on_text(&mut self, text: Utf8Bytes, tx: &mut WsTx) -> Option<Outcome> {
        if frame::is_data_frame(&text) {
            if let Err(e) = self.on_data(&text) {
                self.fanout.emit(Event::Error(e), false);
            }
            return None;
        }
        match control::parse_control(&text) {
            Err(e) => {
                self.fanout.emit(Event::Error(e), false);
                None
            }
            Ok(Control::PingPong { server_time }) => {
                if let Some(server) = server_time {
                    // The server's KST clock against this machine's, to the second.
                    let here = chrono::Utc::now().naive_utc() + chrono::TimeDelta::hours(9);
                    self.server_offset = Some(server - here);
                }
                match tx.send(Message::Text(text)).await {
                    Ok(()) => None,
                    Err(e) => Some(lost(format!("send failed: {e}"))),
                }
            }
            Ok(Control::Ack(ack)) => {
                self.registry.on_ack(ack);
                None
            }
        }
    }

    fn on_data(&mut self, text: &Utf8Bytes) -> Result<(), FrameError> {
        let f = frame::parse_data_frame(text)?;
        let catalog = self.options.catalog;
        let columns = (catalog.columns)(f.tr_id).ok_or_else(|| FrameError::UnknownTr {
            tr_id: f.tr_id.to_owned(),
        })?;
        // A plain payload stays in the websocket message (the records point into it); an
        // encrypted one is decrypted into a buffer of its own.
        let decrypted = if f.encrypted {
            let cipher = self
                .registry
                .cipher(f.tr_id)
                .ok_or_else(|| FrameError::NoKey {
                    tr_id: f.tr_id.to_owned(),
                })?;
            Some(Utf8Bytes::from(cipher.decrypt(f.tr_id, f.payload)?))
        } else {
            None
        };
        let (text, payload) = match &decrypted {
            Some(plain) => (plain, plain.as_str()),
            None => (text, f.payload),
        };
        let notice = f.encrypted || (catalog.is_encrypted)(f.tr_id).unwrap_or(false);
        // Execution notices feed the ledger that keeps recovered fills from repeating them.
        let ledger = Market::of_notice_tr(f.tr_id)
            .filter(|_| notice)
            .and_then(|m| Some((m, NoticeColumns::find(columns)?)));
        let (tr_id, keys) = match self.registry.keys(f.tr_id) {
            Some((t, k)) => (t.clone(), k),
            None => (Arc::from(f.tr_id), &[][..]),
        };
        let (fanout, notices) = (&mut self.fanout, &mut self.ledger);
        RawRecord::split_payload(f.tr_id, text, payload, f.count, columns.len(), |record| {
            let first = record.fields().next().unwrap_or_default();
            let tr_key = keys
                .iter()
                .find(|k| ***k == *first)
                .or(if keys.len() == 1 { keys.first() } else { None })
                .cloned();
            if let Some((market, cols)) = ledger {
                notices.notice(market, cols, &record.fields().collect::<Vec<_>>());
            }
            let event = Event::Data {
                tr_id: tr_id.clone(),
                tr_key,
                record,
            };
            fanout.emit(event, !notice);
        })
    }

    /// Reports a notice gap and, when configured, starts recovering it in a task of its own.
    fn notice_gap(&mut self, mut gap: NoticeGap) {
        gap.server_offset = self.server_offset;
        self.fanout.emit(Event::NoticeGap(gap.clone()), false);
        let (Some(recovery), Some(to)) = (self.options.recovery.clone(), gap.to) else {
            return;
        };
        if gap.markets().is_empty() || to < gap.from {
            return;
        }
        let tx = self.recovered_tx.clone();
        let settle = self.options.recovery_settle;
        tokio::spawn(async move {
            let result = recovery.0.orders(&gap).await;
            // The inquiry can see a fill whose realtime notice is still on its way (the
            // notice and the REST answer race); let such notices reach the ledger first.
            if result.is_ok() {
                tokio::time::sleep(settle).await;
            }
            let _ = tx.send((gap, result));
        });
    }

    /// Emits the fills of a recovery that no notice (or earlier recovery) reported.
    fn on_recovered(&mut self, gap: NoticeGap, result: Result<Vec<OrderFills>, Error>) {
        match result {
            Ok(orders) => {
                for fill in self.ledger.reconcile(orders) {
                    self.fanout.emit(Event::Recovered(fill), false);
                }
            }
            Err(e) => self.fanout.emit(
                Event::RecoveryFailed {
                    gap,
                    error: e.to_string(),
                },
                false,
            ),
        }
    }

    /// Handles a user command; `connected` tells whether requests can go out now.
    fn command(&mut self, cmd: Command, connected: bool) {
        match cmd {
            Command::Subscribe {
                tr_id,
                tr_key,
                reply,
            } => self.registry.subscribe((tr_id, tr_key), reply, connected),
            Command::Unsubscribe {
                tr_id,
                tr_key,
                reply,
            } => self.registry.unsubscribe((tr_id, tr_key), reply, connected),
            Command::List { reply } => {
                let _ = reply.send(self.registry.list());
            }
            Command::Close { reply } => {
                // Only reached while disconnected (the connected path handles Close itself).
                let _ = reply.send(());
            }
        }
    }

    async fn graceful_close(&mut self, mut tx: WsTx, mut rx: WsRx) {
        let notices = self.registry.notice_subscriptions();
        self.registry.closing();
        let _ = self.apply(&mut tx).await;
        let deadline = Instant::now() + self.options.close_timeout;
        while self.registry.unsubscribing() {
            tokio::select! {
                msg = rx.next() => match msg {
                    // Data (notices above all) keeps being delivered until KIS confirms the
                    // unsubscribes; PINGPONG keeps being echoed.
                    Some(Ok(Message::Text(text))) => {
                        if self.on_text(text, &mut tx).await.is_some() {
                            break;
                        }
                        if self.apply(&mut tx).await.is_some() {
                            break;
                        }
                    }
                    Some(Ok(_)) => {}
                    _ => break,
                },
                _ = tokio::time::sleep_until(deadline) => break,
            }
        }
        self.apply_offline();
        if !notices.is_empty() {
            // Notices were delivered until KIS confirmed the unsubscribes (or the close
            // timeout); nothing after this point reaches this session.
            self.notice_gap(NoticeGap {
                from: SystemTime::now(),
                to: None,
                subscriptions: notices,
                server_offset: None,
            });
        }
        let _ = tx.send(Message::Close(None)).await;
        let _ = tx.close().await;
    }

    /// Waits and reconnects until it succeeds; `None` when the session was closed meanwhile.
    async fn reconnect(&mut self, min_delay: Duration) -> Option<Ws> {
        let mut min_delay = min_delay;
        loop {
            let attempt = self.registry.attempt();
            let delay = self.options.backoff.delay(attempt).max(min_delay);
            min_delay = Duration::ZERO;
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
                            self.command(cmd, false);
                            self.apply_offline();
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
