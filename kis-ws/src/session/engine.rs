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
/// connection with a capacity error. Also returns the server's clock offset from the
/// handshake's HTTP `Date` header, when it sent one: the server's day is known before its
/// first `PINGPONG`.
pub(super) async fn open(
    url: &str,
    timeout: Duration,
    max_message: usize,
) -> Result<(Ws, Option<chrono::TimeDelta>), Error> {
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
        Ok(Ok((ws, response))) => {
            let offset = response
                .headers()
                .get("date")
                .and_then(|d| d.to_str().ok())
                .and_then(|d| httpdate::parse_http_date(d.trim()).ok())
                .map(|server| offset_from(server, SystemTime::now()));
            Ok((ws, offset))
        }
        Ok(Err(e)) => Err(Error::WebSocket(Box::new(e))),
        Err(_) => Err(Error::Timeout),
    }
}

/// `server` minus `here`, to the millisecond.
fn offset_from(server: SystemTime, here: SystemTime) -> chrono::TimeDelta {
    let server: chrono::DateTime<chrono::Utc> = server.into();
    let here: chrono::DateTime<chrono::Utc> = here.into();
    server - here
}

/// Runs one socket write, bounded by `limit`: a peer that stops reading (full TCP buffers)
/// must not hold the connection task (PINGPONG echoes, commands, close) forever.
async fn within(
    limit: Duration,
    write: impl std::future::Future<Output = Result<(), tokio_tungstenite::tungstenite::Error>>,
) -> Result<(), String> {
    match tokio::time::timeout(limit, write).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("send failed: {e}")),
        Err(_) => Err(format!("send timed out after {limit:?}")),
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

/// A finished inquiry of the [`crate::NoticeRecovery`] source.
enum Answer {
    /// The recovery of a gap: the gap and the orders REST reported for it.
    Gap(NoticeGap, Result<Vec<OrderFills>, Error>),
    /// The baseline of a market, asked when its notices were first subscribed: the fills
    /// that already existed then (the "gap" is that instant).
    Baseline(Market, NoticeGap, Result<Vec<OrderFills>, Error>),
}

/// Where a market's baseline (its fills from before the session) stands.
#[derive(Debug, Clone)]
enum Baseline {
    Asked,
    Known,
    Failed(String),
}

pub(super) struct Engine {
    url: String,
    options: Options,
    source: Arc<dyn ApprovalKeySource>,
    approval_key: String,
    refresh_key: bool,
    registry: Registry<Waiter>,
    /// Fills reported by notices and recoveries.
    ledger: Ledger,
    recovered_tx: mpsc::UnboundedSender<Answer>,
    recovered_rx: mpsc::UnboundedReceiver<Answer>,
    /// Per market, the fills that existed when its notices were first subscribed: a
    /// recovery reports only growth beyond them.
    baselines: std::collections::HashMap<Market, Baseline>,
    /// Gap recoveries that arrived before their markets' baselines.
    deferred: Vec<(NoticeGap, Result<Vec<OrderFills>, Error>)>,
    cmds: mpsc::Receiver<Command>,
    fanout: Fanout,
    /// The server's clock minus this machine's: from the handshake's `Date` header, then
    /// from each `PINGPONG`'s `datetime`.
    server_offset: Option<chrono::TimeDelta>,
    /// A close heard while disconnected, answered once the session has ended (after its
    /// closing notice gap).
    close_reply: Option<oneshot::Sender<()>>,
    /// When the current connection was opened or last received a message: a notice gap
    /// starts here.
    last_received: SystemTime,
}

impl Engine {
    pub(super) fn new(
        url: String,
        options: Options,
        source: Arc<dyn ApprovalKeySource>,
        approval_key: String,
        server_offset: Option<chrono::TimeDelta>,
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
            baselines: std::collections::HashMap::new(),
            deferred: Vec::new(),
            cmds,
            fanout: Fanout::new(shared),
            server_offset,
            close_reply: None,
            last_received: SystemTime::now(),
        }
    }

    pub(super) async fn run(mut self, mut ws: Ws) {
        loop {
            match self.serve(ws).await {
                Outcome::Shutdown => break,
                Outcome::Lost { reason, min_delay } => {
                    tracing::debug!(%reason, "realtime connection lost");
                    self.registry.lost(reason, self.last_received);
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
        if let Some(reply) = self.close_reply.take() {
            let _ = reply.send(());
        }
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
                    let limit = self.options.write_timeout;
                    if let Err(reason) = within(limit, tx.send(Message::text(msg))).await {
                        outcome = Some(lost(reason));
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
            Effect::Emit(event) => {
                if let Event::Subscribed { tr_id, tr_key } = &event {
                    self.ask_baseline(tr_id, tr_key);
                }
                self.fanout.emit(event, false);
            }
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
        self.received();
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
                Some(answer) = self.recovered_rx.recv() => self.on_answer(answer),
                _ = tokio::time::sleep_until(restore_deadline), if self.registry.in_gap() => {
                    self.registry.restore_timed_out();
                    self.publish_notices();
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
                    self.received();
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
                            if let Err(reason) = within(self.options.write_timeout, tx.flush()).await {
                                return lost(reason);
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
                // A notice that cannot be read is a notice missed: report (and recover) it.
                if let Some(tr_id) = self.notice_tr_of(&text) {
                    self.unreadable_notice(&tr_id);
                }
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
                within(self.options.write_timeout, tx.send(Message::Text(text)))
                    .await
                    .err()
                    .map(lost)
            }
            Ok(Control::Ack(ack)) => {
                self.registry.on_ack(ack);
                self.publish_notices();
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

    /// The TR ID of a data frame that carries execution notices (encrypted, or a TR the
    /// catalog marks encrypted), read from its header alone.
    fn notice_tr_of(&self, text: &str) -> Option<String> {
        let mut parts = text.splitn(3, '|');
        let encrypted = parts.next()? == "1";
        let tr_id = parts.next().unwrap_or_default().trim();
        let notice = encrypted || (self.options.catalog.is_encrypted)(tr_id).unwrap_or(false);
        notice.then(|| tr_id.to_owned())
    }

    /// A notice frame of `tr_id` could not be decrypted or split: its fills are missing.
    /// Reported as a notice gap of that instant (the frame's own TR's subscriptions, else
    /// every notice subscription), recovered like any other gap.
    fn unreadable_notice(&mut self, tr_id: &str) {
        let all = self.registry.notice_subscriptions();
        let own: Vec<_> = all.iter().filter(|(t, _)| t == tr_id).cloned().collect();
        let subscriptions = if own.is_empty() { all } else { own };
        if subscriptions.is_empty() {
            return;
        }
        let now = SystemTime::now();
        self.notice_gap(NoticeGap {
            from: self.last_received.min(now),
            to: Some(now),
            subscriptions,
            server_offset: None,
        });
    }

    /// Reports a notice gap and, when configured, starts recovering it in a task of its own.
    fn notice_gap(&mut self, mut gap: NoticeGap) {
        // The server's clock: its heartbeat or handshake, else what the approval-key source
        // (the REST client) learned from KIS's answers. Unknown stays unknown: a recovery
        // then refuses to guess the day from this machine's clock.
        gap.server_offset = self.server_offset.or_else(|| self.source.server_offset());
        if gap.to.is_none() {
            // The closing gap: the session handle must not report another.
            self.fanout.shared().closing_gap_reported();
        }
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
            let _ = tx.send(Answer::Gap(gap, result));
        });
    }

    /// Notices of `tr_id` were just subscribed (not restored): with recovery configured, asks
    /// the recovery source once per market for the server's day as it is now. Fills that
    /// existed before the session are then never reported as missed.
    fn ask_baseline(&mut self, tr_id: &str, tr_key: &str) {
        let Some(recovery) = self.options.recovery.clone() else {
            return;
        };
        let notice = (self.options.catalog.is_encrypted)(tr_id).unwrap_or(false);
        let Some(market) = Market::of_notice_tr(tr_id).filter(|_| notice) else {
            return;
        };
        if matches!(
            self.baselines.get(&market),
            Some(Baseline::Asked | Baseline::Known)
        ) {
            return;
        }
        self.baselines.insert(market, Baseline::Asked);
        let now = SystemTime::now();
        let instant = NoticeGap {
            from: now,
            to: Some(now),
            subscriptions: vec![(tr_id.to_owned(), tr_key.to_owned())],
            server_offset: self.server_offset.or_else(|| self.source.server_offset()),
        };
        let tx = self.recovered_tx.clone();
        tokio::spawn(async move {
            // No settle: a notice received before the answer is kept by the ledger as the
            // larger of the two, never added to it.
            let result = recovery.0.orders(&instant).await;
            let _ = tx.send(Answer::Baseline(market, instant, result));
        });
    }

    fn on_answer(&mut self, answer: Answer) {
        match answer {
            Answer::Gap(gap, result) => {
                let waiting = gap
                    .markets()
                    .iter()
                    .any(|m| matches!(self.baselines.get(m), Some(Baseline::Asked)));
                if waiting {
                    self.deferred.push((gap, result));
                } else {
                    self.on_recovered(gap, result);
                }
            }
            Answer::Baseline(market, instant, result) => {
                match result {
                    Ok(orders) => {
                        self.ledger
                            .baseline(orders.into_iter().filter(|o| o.market == market).collect());
                        self.baselines.insert(market, Baseline::Known);
                    }
                    Err(e) => {
                        let error = format!("the fills from before the session: {e}");
                        self.baselines
                            .insert(market, Baseline::Failed(error.clone()));
                        self.fanout.emit(
                            Event::RecoveryFailed {
                                gap: instant,
                                error,
                            },
                            false,
                        );
                    }
                }
                let ready: Vec<_> = std::mem::take(&mut self.deferred);
                for (gap, result) in ready {
                    self.on_answer(Answer::Gap(gap, result));
                }
            }
        }
    }

    /// Emits the fills of a recovery that no notice (or earlier recovery) reported. A market
    /// whose baseline could not be taken is not reconciled: its fills from before the
    /// session would be reported as missed.
    fn on_recovered(&mut self, gap: NoticeGap, result: Result<Vec<OrderFills>, Error>) {
        match result {
            Ok(mut orders) => {
                for market in gap.markets() {
                    if let Some(Baseline::Failed(why)) = self.baselines.get(&market) {
                        let error = format!("no baseline of {market:?} fills ({why})");
                        orders.retain(|o| o.market != market);
                        self.fanout.emit(
                            Event::RecoveryFailed {
                                gap: gap.clone(),
                                error,
                            },
                            false,
                        );
                    }
                }
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
        self.command_inner(cmd, connected);
        self.publish_notices();
    }

    fn command_inner(&mut self, cmd: Command, connected: bool) {
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
        let deadline = Instant::now() + self.options.close_timeout;
        // The whole exchange, sends included, within the close timeout.
        let _ = tokio::time::timeout_at(deadline, async {
            if self.apply(&mut tx).await.is_some() {
                return;
            }
            while self.registry.unsubscribing() {
                match rx.next().await {
                    // Data (notices above all) keeps being delivered until KIS confirms the
                    // unsubscribes; PINGPONG keeps being echoed.
                    Some(Ok(Message::Text(text))) => {
                        self.received();
                        if self.on_text(text, &mut tx).await.is_some() {
                            break;
                        }
                        if self.apply(&mut tx).await.is_some() {
                            break;
                        }
                    }
                    Some(Ok(_)) => self.received(),
                    _ => break,
                }
            }
        })
        .await;
        self.apply_offline();
        if !notices.is_empty() {
            // Notices were delivered until KIS confirmed the unsubscribes (or the close
            // timeout); nothing after the last message received reaches this session.
            self.notice_gap(NoticeGap {
                from: self.last_received,
                to: None,
                subscriptions: notices,
                server_offset: None,
            });
        }
        let limit = self.options.write_timeout.min(Duration::from_millis(500));
        let _ = within(limit, tx.send(Message::Close(None))).await;
        let _ = within(limit, tx.close()).await;
    }

    /// A message arrived: the notice gap of a loss would start here.
    fn received(&mut self) {
        self.last_received = SystemTime::now();
        self.fanout.shared().received(self.last_received);
    }

    /// Tells the session handle which notice subscriptions are registered (for the closing
    /// gap it reports itself if this task has to be aborted).
    fn publish_notices(&self) {
        self.fanout
            .shared()
            .set_notices(self.registry.notice_subscriptions());
    }

    /// Waits and reconnects until it succeeds; `None` when the session was closed meanwhile.
    /// A close is heard at any point: while waiting, fetching a key or in a handshake that
    /// stalls (the closing notice gap must not wait for `connect_timeout`).
    async fn reconnect(&mut self, min_delay: Duration) -> Option<Ws> {
        let mut min_delay = min_delay;
        loop {
            let attempt = self.registry.attempt();
            let delay = self.options.backoff.delay(attempt).max(min_delay);
            min_delay = Duration::ZERO;
            self.until_closed(tokio::time::sleep(delay)).await?;
            let source = self.source.clone();
            let fresh_key = self.refresh_key;
            let url = self.url.clone();
            let (connect_timeout, max_message) =
                (self.options.connect_timeout, self.options.max_message_size);
            let connecting = async move {
                let key = if fresh_key {
                    match source.approval_key(true).await {
                        Ok(key) => Some(key),
                        Err(e) => return Err(e),
                    }
                } else {
                    None
                };
                Ok((key, open(&url, connect_timeout, max_message).await))
            };
            match self.until_closed(connecting).await? {
                Err(e) => tracing::warn!(error = %e, "could not get a fresh approval key"),
                Ok((key, opened)) => {
                    if let Some(key) = key {
                        self.approval_key = key;
                        self.refresh_key = false;
                    }
                    match opened {
                        Ok((ws, offset)) => {
                            if offset.is_some() {
                                self.server_offset = offset;
                            }
                            return Some(ws);
                        }
                        Err(e) => tracing::debug!(error = %e, "reconnect attempt failed"),
                    }
                }
            }
        }
    }

    /// Runs `fut` (which must not need the engine) while serving commands offline; `None`
    /// when the session was closed meanwhile (the close is answered when the task ends).
    async fn until_closed<F: std::future::Future>(&mut self, fut: F) -> Option<F::Output> {
        tokio::pin!(fut);
        loop {
            tokio::select! {
                out = &mut fut => return Some(out),
                cmd = self.cmds.recv() => match cmd {
                    None => return None,
                    Some(Command::Close { reply }) => {
                        self.close_reply = Some(reply);
                        return None;
                    }
                    Some(cmd) => {
                        self.command(cmd, false);
                        self.apply_offline();
                    }
                },
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
