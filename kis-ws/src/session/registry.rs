//! The subscription registry: a pure state machine. It takes what happened (a user request, an
//! ack, a connection gained or lost) and returns what to do as [`Effect`]s: send a request,
//! emit an event, answer a waiting caller, drop the connection. It does no I/O, so every
//! transition is unit-tested without sockets; the connection task carries the effects out.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use crate::control::{Ack, AckKind};
use crate::crypto::Cipher;
use crate::error::Error;
use crate::event::{Event, RawRecord};
use crate::recovery::NoticeGap;

use super::Options;

/// A subscription: `(tr_id, tr_key)`.
pub(super) type Key = (String, String);

/// What the connection task must do, in order.
#[derive(Debug)]
pub(super) enum Effect<W> {
    /// Send a subscribe (`true`) or unsubscribe request for the pair.
    Send { subscribe: bool, key: Key },
    /// Give an event to the consumers.
    Emit(Event<RawRecord>),
    /// Answer a caller waiting on subscribe/unsubscribe.
    Reply(W, Result<(), Error>),
    /// Drop this connection and reconnect no sooner than `min_delay`.
    Reconnect {
        reason: String,
        min_delay: Duration,
        /// Fetch a fresh approval key first.
        fresh_key: bool,
    },
    /// Report a notice gap (and recover it when configured).
    NoticeGap(NoticeGap),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Registered, to be sent on the next connection.
    Pending,
    /// Subscribe sent, waiting for the ack.
    Subscribing,
    /// Confirmed by KIS.
    Active,
    /// Unsubscribe sent, waiting for the ack.
    Unsubscribing,
}

#[derive(Debug)]
struct Sub<W> {
    state: State,
    /// Whether this is a restore after a reconnect (reported in `Reconnected`, not as
    /// `Subscribed`).
    restoring: bool,
    /// When its subscribe was last sent (the registry's send counter): an error that names
    /// no request answers the oldest one still waiting.
    sent: u64,
    waiters: Vec<W>,
}

/// A gap in the connection: from the disconnect until all subscriptions are restored.
#[derive(Debug)]
struct Down {
    since: Instant,
    /// When the last message before the loss arrived: where the notice gap starts.
    since_wall: SystemTime,
    attempts: u32,
    restored: usize,
    /// Notice subscriptions registered when the connection was lost.
    notices: Vec<Key>,
    /// Subscriptions that could not be restored (refused, or no answer in `ack_timeout`):
    /// their notices do not flow again.
    lost: Vec<Key>,
}

/// The registry and the session state that follows from acks.
#[derive(Debug)]
pub(super) struct Registry<W> {
    options: Options,
    subs: BTreeMap<Key, Sub<W>>,
    ciphers: HashMap<String, Cipher>,
    keys_by_tr: HashMap<Arc<str>, Vec<Arc<str>>>,
    down: Option<Down>,
    /// Consecutive approval-key refusals.
    refusals: u32,
    /// Consecutive `OPSP8996 ALREADY IN USE` answers.
    in_use_refusals: u32,
    /// Subscribes sent so far (orders the waiting ones).
    sends: u64,
    fx: Vec<Effect<W>>,
}

fn refused(msg1: &str) -> Error {
    Error::Refused {
        msg_cd: String::new(),
        msg1: msg1.to_owned(),
    }
}

/// The typed error of a refused subscribe of `tr_id`.
fn refusal(tr_id: &str, ack: &Ack) -> Error {
    let (tr_id, msg_cd, msg1) = (tr_id.to_owned(), ack.msg_cd.clone(), ack.msg1.clone());
    match ack.kind {
        AckKind::MaxSubscribeOver => Error::MaxSubscribeOver { msg1 },
        AckKind::InvalidHtsId => Error::InvalidHtsId {
            tr_id,
            msg_cd,
            msg1,
        },
        AckKind::InvalidTrKey => Error::TrKeyRefused {
            tr_id,
            msg_cd,
            msg1,
        },
        AckKind::MalformedRequest => Error::MalformedRequest {
            tr_id,
            msg_cd,
            msg1,
        },
        _ => Error::Refused { msg_cd, msg1 },
    }
}

impl<W> Registry<W> {
    pub fn new(options: Options) -> Self {
        Registry {
            options,
            subs: BTreeMap::new(),
            ciphers: HashMap::new(),
            keys_by_tr: HashMap::new(),
            down: None,
            refusals: 0,
            in_use_refusals: 0,
            sends: 0,
            fx: Vec::new(),
        }
    }

    /// The effects produced so far, in order.
    pub fn take_effects(&mut self) -> Vec<Effect<W>> {
        std::mem::take(&mut self.fx)
    }

    fn emit(&mut self, event: Event<RawRecord>) {
        self.fx.push(Effect::Emit(event));
    }

    fn reply_all(&mut self, key: &Key, result: impl Fn() -> Result<(), Error>) {
        if let Some(sub) = self.subs.get_mut(key) {
            for w in sub.waiters.drain(..) {
                self.fx.push(Effect::Reply(w, result()));
            }
        }
    }

    /// The AES key/iv of an encrypted TR, from its ack.
    pub fn cipher(&self, tr_id: &str) -> Option<&Cipher> {
        self.ciphers.get(tr_id)
    }

    /// The shared TR ID and the confirmed keys of `tr_id`.
    pub fn keys(&self, tr_id: &str) -> Option<(&Arc<str>, &[Arc<str>])> {
        self.keys_by_tr
            .get_key_value(tr_id)
            .map(|(t, k)| (t, k.as_slice()))
    }

    /// The registered subscriptions, sorted.
    pub fn list(&self) -> Vec<Key> {
        self.subs.keys().cloned().collect()
    }

    /// Whether a gap (disconnect until restored) is open.
    pub fn in_gap(&self) -> bool {
        self.down.is_some()
    }

    /// Whether unsubscribes sent by [`Registry::closing`] still wait for their ack.
    pub fn unsubscribing(&self) -> bool {
        self.subs.values().any(|s| s.state == State::Unsubscribing)
    }

    /// The registered execution-notice subscriptions (encrypted TRs).
    pub fn notice_subscriptions(&self) -> Vec<Key> {
        let catalog = self.options.catalog;
        self.subs
            .keys()
            .filter(|(tr, _)| (catalog.is_encrypted)(tr).unwrap_or(false))
            .cloned()
            .collect()
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

    /// A caller asks to subscribe; `connected` tells whether a request can go out now.
    pub fn subscribe(&mut self, key: Key, waiter: W, connected: bool) {
        if let Err(e) = self.check_new(&key.0, &key.1) {
            self.fx.push(Effect::Reply(waiter, Err(e)));
            return;
        }
        if let Some(sub) = self.subs.get_mut(&key) {
            match sub.state {
                State::Active => self.fx.push(Effect::Reply(waiter, Ok(()))),
                State::Pending | State::Subscribing => sub.waiters.push(waiter),
                State::Unsubscribing => self.fx.push(Effect::Reply(
                    waiter,
                    Err(refused("an unsubscribe of this pair is in progress")),
                )),
            }
            return;
        }
        if self.subs.len() >= self.options.max_subscriptions {
            let limit = self.options.max_subscriptions;
            self.fx.push(Effect::Reply(
                waiter,
                Err(Error::TooManySubscriptions { limit }),
            ));
            return;
        }
        let state = if connected {
            self.fx.push(Effect::Send {
                subscribe: true,
                key: key.clone(),
            });
            State::Subscribing
        } else {
            State::Pending
        };
        self.sends += 1;
        self.subs.insert(
            key,
            Sub {
                state,
                restoring: false,
                sent: self.sends,
                waiters: vec![waiter],
            },
        );
    }

    /// A caller asks to unsubscribe.
    pub fn unsubscribe(&mut self, key: Key, waiter: W, connected: bool) {
        let Some(sub) = self.subs.get(&key) else {
            self.fx.push(Effect::Reply(waiter, Ok(())));
            return;
        };
        match (sub.state, connected) {
            (State::Subscribing | State::Active, true) => {
                self.reply_all(&key, || Err(refused("unsubscribed before the ack")));
                if let Some(sub) = self.subs.get_mut(&key) {
                    sub.state = State::Unsubscribing;
                    sub.waiters.push(waiter);
                }
                self.fx.push(Effect::Send {
                    subscribe: false,
                    key,
                });
            }
            (State::Unsubscribing, _) => {
                if let Some(sub) = self.subs.get_mut(&key) {
                    sub.waiters.push(waiter);
                }
            }
            _ => {
                // Not registered on any live connection: forgetting it is enough.
                self.reply_all(&key, || Err(refused("unsubscribed before the ack")));
                self.subs.remove(&key);
                self.remove_key(&key);
                self.fx.push(Effect::Reply(waiter, Ok(())));
                self.check_restored();
            }
        }
    }

    /// A connection is up: (re)send every registration not confirmed on it.
    pub fn connected(&mut self) {
        for (key, sub) in self.subs.iter_mut() {
            if sub.state == State::Pending {
                sub.state = State::Subscribing;
                self.sends += 1;
                sub.sent = self.sends;
                self.fx.push(Effect::Send {
                    subscribe: true,
                    key: key.clone(),
                });
            }
        }
        self.check_restored();
    }

    /// The connection was lost: everything registered is sent again on the next one.
    /// `last_received` is when its last message arrived: nothing after it is known to have
    /// been received, so a notice gap starts there (not when the loss was noticed, up to a
    /// silence timeout later).
    pub fn lost(&mut self, reason: String, last_received: SystemTime) {
        let mut gone = Vec::new();
        for (key, sub) in self.subs.iter_mut() {
            match sub.state {
                State::Active | State::Subscribing => {
                    if sub.state == State::Active {
                        sub.restoring = true;
                    }
                    sub.state = State::Pending;
                }
                State::Unsubscribing => gone.push(key.clone()),
                State::Pending => {}
            }
        }
        for key in gone {
            self.reply_all(&key, || Ok(()));
            self.subs.remove(&key);
            self.remove_key(&key);
            self.emit(Event::Unsubscribed {
                tr_id: key.0,
                tr_key: key.1,
            });
        }
        match &mut self.down {
            None => {
                let notices = self.notice_subscriptions();
                self.down = Some(Down {
                    since: Instant::now(),
                    since_wall: last_received,
                    attempts: 0,
                    restored: 0,
                    notices,
                    lost: Vec::new(),
                });
            }
            // Lost again while restoring: restores confirmed so far will be redone; the gap
            // keeps its start.
            Some(down) => down.restored = 0,
        }
        // Every lost connection is reported, even one lost before the previous gap closed.
        self.emit(Event::Disconnected { reason });
    }

    /// A reconnect attempt starts; returns its number in the current gap (0 first).
    pub fn attempt(&mut self) -> u32 {
        match &mut self.down {
            Some(down) => {
                down.attempts += 1;
                down.attempts - 1
            }
            None => 0,
        }
    }

    /// Restores still unanswered `ack_timeout` after connecting: close the gap anyway, so a
    /// lost ack never hides later disconnects. Each unanswered restore is removed and reported
    /// as [`Event::SubscriptionLost`] (a notice subscription's gap then stays open): nothing is
    /// left waiting for an ack that does not come.
    pub fn restore_timed_out(&mut self) {
        let unanswered: Vec<Key> = self
            .subs
            .iter()
            .filter(|(_, s)| s.restoring && matches!(s.state, State::Pending | State::Subscribing))
            .map(|(k, _)| k.clone())
            .collect();
        for key in unanswered {
            self.reply_all(&key, || Err(Error::Timeout));
            self.subs.remove(&key);
            self.remove_key(&key);
            self.restore_lost(&key);
            self.emit(Event::SubscriptionLost {
                tr_id: key.0,
                tr_key: key.1,
                reason: format!(
                    "KIS did not answer its restore within {:?}",
                    self.options.ack_timeout
                ),
            });
        }
        self.close_gap();
    }

    /// A restore of the current gap failed for good.
    fn restore_lost(&mut self, key: &Key) {
        if let Some(down) = &mut self.down {
            down.lost.push(key.clone());
        }
    }

    /// Emits `Reconnected` once every restore of the current gap has been answered.
    fn check_restored(&mut self) {
        let outstanding = self
            .subs
            .values()
            .any(|s| s.restoring && matches!(s.state, State::Pending | State::Subscribing));
        if !outstanding {
            self.close_gap();
        }
    }

    /// Ends the current gap with `Reconnected`, then the notice gap.
    fn close_gap(&mut self) {
        if let Some(down) = self.down.take() {
            self.emit(Event::Reconnected {
                attempts: down.attempts,
                downtime: down.since.elapsed(),
                resubscribed: down.restored,
            });
            // Restored notices flow again; lost ones never do (an open-ended gap).
            let (lost, restored): (Vec<Key>, Vec<Key>) = down
                .notices
                .into_iter()
                .partition(|k| down.lost.contains(k));
            for (subscriptions, to) in [(restored, Some(SystemTime::now())), (lost, None)] {
                if !subscriptions.is_empty() {
                    self.fx.push(Effect::NoticeGap(NoticeGap {
                        from: down.since_wall,
                        to,
                        subscriptions,
                        // The engine knows the server's clock and fills it in.
                        server_offset: None,
                    }));
                }
            }
        }
    }

    /// Finds the registration an ack answers: the exact pair, else the oldest in-flight one
    /// of the same TR.
    fn match_ack(&self, ack: &Ack) -> Option<Key> {
        if ack.is_unaddressed() {
            // KIS names no request (`tr_id` `(null)` or empty: a wrong HTS ID, a bad tr_key,
            // a malformed request): it answers the oldest subscribe still waiting.
            if !ack.is_failure() {
                return None;
            }
            return self
                .subs
                .iter()
                .filter(|(_, s)| s.state == State::Subscribing)
                .min_by_key(|(_, s)| s.sent)
                .map(|(k, _)| k.clone());
        }
        let in_flight = |s: &Sub<W>| matches!(s.state, State::Subscribing | State::Unsubscribing);
        let exact = (ack.tr_id.clone(), ack.tr_key.clone());
        if self.subs.get(&exact).is_some_and(in_flight) {
            return Some(exact);
        }
        self.subs
            .iter()
            .find(|((t, _), s)| *t == ack.tr_id && in_flight(s))
            .map(|(k, _)| k.clone())
    }

    /// KIS answered a request.
    pub fn on_ack(&mut self, ack: Ack) {
        match ack.kind {
            AckKind::AlreadyInUse => return self.already_in_use(&ack),
            AckKind::InvalidApproval => {
                self.refusals += 1;
                if self.refusals > self.options.max_approval_refusals {
                    self.fail_in_flight(&ack);
                }
                self.fx.push(Effect::Reconnect {
                    reason: format!("approval key refused: {} {}", ack.msg_cd, ack.msg1),
                    min_delay: Duration::ZERO,
                    fresh_key: true,
                });
                return;
            }
            _ => {}
        }
        let Some(key) = self.match_ack(&ack) else {
            self.emit(Event::Notice {
                tr_id: ack.tr_id,
                msg_cd: ack.msg_cd,
                msg1: ack.msg1,
            });
            return;
        };
        let Some(state) = self.subs.get(&key).map(|s| s.state) else {
            return;
        };
        match (state, &ack.kind) {
            (State::Subscribing, AckKind::SubscribeSuccess { .. } | AckKind::AlreadySubscribed) => {
                if let AckKind::SubscribeSuccess { cipher: Some(c) } = &ack.kind {
                    self.ciphers.insert(key.0.clone(), c.clone());
                }
                self.refusals = 0;
                self.in_use_refusals = 0;
                self.reply_all(&key, || Ok(()));
                let restoring = match self.subs.get_mut(&key) {
                    Some(sub) => {
                        sub.state = State::Active;
                        std::mem::take(&mut sub.restoring)
                    }
                    None => false,
                };
                if restoring {
                    if let Some(down) = &mut self.down {
                        down.restored += 1;
                    }
                } else {
                    self.emit(Event::Subscribed {
                        tr_id: key.0.clone(),
                        tr_key: key.1.clone(),
                    });
                }
                self.add_key(&key);
            }
            (State::Subscribing, _) => {
                self.reply_all(&key, || Err(refusal(&key.0, &ack)));
                if self.subs.remove(&key).is_some_and(|s| s.restoring) {
                    self.restore_lost(&key);
                    self.emit(Event::SubscriptionLost {
                        tr_id: key.0.clone(),
                        tr_key: key.1.clone(),
                        reason: format!("{} {}", ack.msg_cd, ack.msg1),
                    });
                }
            }
            (State::Unsubscribing, AckKind::UnsubscribeSuccess | AckKind::UnsubscribeError) => {
                self.reply_all(&key, || Ok(()));
                self.subs.remove(&key);
                self.remove_key(&key);
                self.emit(Event::Unsubscribed {
                    tr_id: key.0.clone(),
                    tr_key: key.1.clone(),
                });
            }
            // The late ack of a subscribe that was cancelled: wait for the unsubscribe ack.
            (State::Unsubscribing, _) => {}
            (State::Pending | State::Active, _) => {
                self.emit(Event::Notice {
                    tr_id: ack.tr_id.clone(),
                    msg_cd: ack.msg_cd.clone(),
                    msg1: ack.msg1.clone(),
                });
            }
        }
        self.check_restored();
    }

    /// `OPSP8996`: KIS still holds a session for this app key. Retrying at once only keeps
    /// the slot busy: wait `in_use_delay`, doubling per consecutive refusal up to
    /// `in_use_max_delay`, and tell the waiting callers why (their registrations stay).
    fn already_in_use(&mut self, ack: &Ack) {
        self.in_use_refusals = self.in_use_refusals.saturating_add(1);
        let doublings = self.in_use_refusals.saturating_sub(1).min(16);
        let retry_in = self
            .options
            .in_use_delay
            .saturating_mul(1 << doublings)
            .min(self.options.in_use_max_delay.max(self.options.in_use_delay));
        let keys: Vec<Key> = self.subs.keys().cloned().collect();
        for key in &keys {
            self.reply_all(key, || {
                Err(Error::AlreadyInUse {
                    msg1: ack.msg1.clone(),
                })
            });
        }
        self.emit(Event::AlreadyInUse {
            refusals: self.in_use_refusals,
            retry_in,
        });
        self.fx.push(Effect::Reconnect {
            reason: format!("{} {}", ack.msg_cd, ack.msg1),
            min_delay: retry_in,
            fresh_key: false,
        });
    }

    /// After repeated approval refusals: fail the waiting callers; registrations that were
    /// never confirmed are dropped, confirmed ones stay to be restored.
    fn fail_in_flight(&mut self, ack: &Ack) {
        let msg1 = ack.msg1.clone();
        let keys: Vec<Key> = self.subs.keys().cloned().collect();
        for key in keys {
            self.reply_all(&key, || Err(Error::InvalidApproval { msg1: msg1.clone() }));
            if self.subs.get(&key).is_some_and(|s| {
                matches!(s.state, State::Subscribing | State::Pending) && !s.restoring
            }) {
                self.subs.remove(&key);
            }
        }
    }

    /// The session closes: unsubscribe everything confirmed or in flight.
    pub fn closing(&mut self) {
        for (key, sub) in self.subs.iter_mut() {
            if matches!(sub.state, State::Active | State::Subscribing) {
                sub.state = State::Unsubscribing;
                self.fx.push(Effect::Send {
                    subscribe: false,
                    key: key.clone(),
                });
            }
        }
    }

    /// The session ended: every waiting caller gets [`Error::Closed`]; a gap still open never
    /// ends for this session.
    pub fn finished(&mut self) {
        if let Some(down) = self.down.take() {
            if !down.notices.is_empty() {
                self.fx.push(Effect::NoticeGap(NoticeGap {
                    from: down.since_wall,
                    to: None,
                    subscriptions: down.notices,
                    server_offset: None,
                }));
            }
        }
        let keys: Vec<Key> = self.subs.keys().cloned().collect();
        for key in keys {
            self.reply_all(&key, || Err(Error::Closed));
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use kis_client::endpoint::Env;

    fn registry(cap: usize) -> Registry<u32> {
        let mut o = Options::new(Env::Real);
        o.max_subscriptions = cap;
        o.in_use_delay = Duration::from_secs(5);
        o.in_use_max_delay = Duration::from_secs(12);
        Registry::new(o)
    }

    fn key(tr: &str, k: &str) -> Key {
        (tr.to_owned(), k.to_owned())
    }

    fn ack(tr: &str, k: &str, kind: AckKind, cd: &str) -> Ack {
        Ack {
            tr_id: tr.into(),
            tr_key: k.into(),
            encrypted: false,
            kind,
            rt_cd: "0".into(),
            msg_cd: cd.into(),
            msg1: String::new(),
        }
    }

    fn ok(tr: &str, k: &str) -> Ack {
        ack(
            tr,
            k,
            AckKind::SubscribeSuccess { cipher: None },
            "OPSP0000",
        )
    }

    /// The effects as short strings: `send+H0STCNT0/005930`, `reply1:ok`, `emit:Subscribed`...
    fn fx(r: &mut Registry<u32>) -> Vec<String> {
        r.take_effects()
            .into_iter()
            .map(|e| match e {
                Effect::Send { subscribe, key } => {
                    format!(
                        "send{}{}/{}",
                        if subscribe { "+" } else { "-" },
                        key.0,
                        key.1
                    )
                }
                Effect::Emit(ev) => {
                    let dbg = format!("{ev:?}");
                    format!("emit:{}", dbg.split([' ', '(', '{']).next().unwrap_or(""))
                }
                Effect::Reply(w, Ok(())) => format!("reply{w}:ok"),
                Effect::Reply(w, Err(e)) => format!("reply{w}:{e}"),
                Effect::Reconnect { min_delay, .. } => format!("reconnect:{min_delay:?}"),
                Effect::NoticeGap(g) => format!("gap:{}", g.subscriptions.len()),
            })
            .collect()
    }

    #[test]
    fn subscribe_sends_once_and_answers_every_waiter_on_the_ack() {
        let mut r = registry(41);
        r.subscribe(key("H0STCNT0", "005930"), 1, true);
        r.subscribe(key("H0STCNT0", "005930"), 2, true);
        assert_eq!(fx(&mut r), ["send+H0STCNT0/005930"]);
        r.on_ack(ok("H0STCNT0", "005930"));
        assert_eq!(fx(&mut r), ["reply1:ok", "reply2:ok", "emit:Subscribed"]);
        // Active: a third subscribe is answered at once, nothing sent.
        r.subscribe(key("H0STCNT0", "005930"), 3, true);
        assert_eq!(fx(&mut r), ["reply3:ok"]);
        assert_eq!(r.keys("H0STCNT0").unwrap().1.len(), 1);
    }

    #[test]
    fn local_checks_send_nothing() {
        let mut r = registry(1);
        r.subscribe(key("NOPE", "x"), 1, true);
        r.subscribe(key("H0STCNT0", ""), 2, true);
        r.subscribe(key("H0STCNI9", "hts"), 3, true);
        r.subscribe(key("H0STCNT0", "005930"), 4, true);
        r.subscribe(key("H0STCNT0", "000660"), 5, true);
        let out = fx(&mut r);
        assert!(out[0].starts_with("reply1:unknown realtime TR"), "{out:?}");
        assert!(out[1].starts_with("reply2:invalid tr_key"), "{out:?}");
        assert!(
            out[2].starts_with("reply3:H0STCNI9 is not available"),
            "{out:?}"
        );
        assert_eq!(out[3], "send+H0STCNT0/005930");
        assert!(
            out[4].starts_with("reply5:subscription limit of 1"),
            "{out:?}"
        );
    }

    #[test]
    fn registrations_made_offline_go_out_on_connect() {
        let mut r = registry(41);
        r.subscribe(key("H0STCNT0", "005930"), 1, false);
        assert!(fx(&mut r).is_empty());
        r.connected();
        assert_eq!(fx(&mut r), ["send+H0STCNT0/005930"]);
        // Unsubscribing a pending one while offline just forgets it.
        r.subscribe(key("H0STCNT0", "000660"), 2, false);
        r.unsubscribe(key("H0STCNT0", "000660"), 3, false);
        assert_eq!(
            fx(&mut r),
            [
                "reply2:KIS refused:  unsubscribed before the ack",
                "reply3:ok"
            ]
        );
        assert_eq!(r.list(), [key("H0STCNT0", "005930")]);
    }

    #[test]
    fn a_lost_connection_restores_and_reports_the_gap() {
        let mut r = registry(41);
        r.subscribe(key("H0STCNT0", "005930"), 1, true);
        r.subscribe(key("H0STCNI0", "hts"), 2, true);
        r.on_ack(ok("H0STCNT0", "005930"));
        r.on_ack(ok("H0STCNI0", "hts"));
        fx(&mut r);
        r.lost("drop".into(), SystemTime::now());
        assert_eq!(fx(&mut r), ["emit:Disconnected"]);
        assert!(r.in_gap());
        r.connected();
        assert_eq!(fx(&mut r), ["send+H0STCNI0/hts", "send+H0STCNT0/005930"]);
        r.on_ack(ok("H0STCNT0", "005930"));
        // Restores are not `Subscribed`; the gap closes with the last one.
        assert!(fx(&mut r).is_empty());
        r.on_ack(ok("H0STCNI0", "hts"));
        assert_eq!(fx(&mut r), ["emit:Reconnected", "gap:1"]);
        assert!(!r.in_gap());
    }

    #[test]
    fn a_lost_restore_ack_neither_holds_the_gap_nor_hides_the_next_drop() {
        let mut r = registry(41);
        r.subscribe(key("H0STCNT0", "005930"), 1, true);
        r.on_ack(ok("H0STCNT0", "005930"));
        fx(&mut r);
        r.lost("one".into(), SystemTime::now());
        r.connected();
        fx(&mut r);
        // Lost again before the restore ack: reported again.
        r.lost("two".into(), SystemTime::now());
        assert_eq!(fx(&mut r), ["emit:Disconnected"]);
        r.connected();
        fx(&mut r);
        r.restore_timed_out();
        assert_eq!(fx(&mut r), ["emit:SubscriptionLost", "emit:Reconnected"]);
        r.lost("three".into(), SystemTime::now());
        assert_eq!(fx(&mut r), ["emit:Disconnected"]);
    }

    #[test]
    fn a_notice_gap_starts_at_the_last_message_received() {
        let mut r = registry(41);
        r.subscribe(key("H0STCNI0", "hts"), 1, true);
        r.on_ack(ok("H0STCNI0", "hts"));
        let last = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        r.lost("no message for 35s".into(), last);
        r.connected();
        r.on_ack(ok("H0STCNI0", "hts"));
        let gap = r.take_effects().into_iter().find_map(|e| match e {
            Effect::NoticeGap(g) => Some(g),
            _ => None,
        });
        assert_eq!(gap.map(|g| g.from), Some(last));
    }

    /// A restore whose ack never comes is not left `Subscribing` forever: it is removed and
    /// reported, and its notices' gap stays open. (Before, it stayed registered and waiting,
    /// with no event, and the gap said the notices flowed again.)
    #[test]
    fn a_restore_never_answered_is_lost_with_an_event() {
        let mut r = registry(41);
        r.subscribe(key("H0STCNT0", "005930"), 1, true);
        r.subscribe(key("H0STCNI0", "hts"), 2, true);
        r.on_ack(ok("H0STCNT0", "005930"));
        r.on_ack(ok("H0STCNI0", "hts"));
        fx(&mut r);
        r.lost("drop".into(), SystemTime::now());
        r.connected();
        r.on_ack(ok("H0STCNT0", "005930"));
        fx(&mut r);
        r.restore_timed_out();
        let effects = r.take_effects();
        let gaps: Vec<_> = effects
            .iter()
            .filter_map(|e| match e {
                Effect::NoticeGap(g) => Some((g.subscriptions.clone(), g.to.is_some())),
                _ => None,
            })
            .collect();
        assert!(
            effects.iter().any(|e| matches!(e, Effect::Emit(Event::SubscriptionLost { tr_id, .. }) if tr_id == "H0STCNI0")),
            "{effects:?}"
        );
        assert_eq!(gaps, [(vec![key("H0STCNI0", "hts")], false)]);
        assert_eq!(r.list(), [key("H0STCNT0", "005930")]);
        assert!(!r.in_gap());
    }

    #[test]
    fn already_in_use_fails_waiters_keeps_registrations_and_doubles_the_delay() {
        let mut r = registry(41);
        r.subscribe(key("H0STCNT0", "005930"), 1, true);
        fx(&mut r);
        let in_use = || ack("H0STCNT0", "005930", AckKind::AlreadyInUse, "OPSP8996");
        r.on_ack(in_use());
        let out = fx(&mut r);
        assert!(
            out[0].starts_with("reply1:app key already in use"),
            "{out:?}"
        );
        assert_eq!(out[1..], ["emit:AlreadyInUse", "reconnect:5s"]);
        r.lost("in use".into(), SystemTime::now());
        r.connected();
        fx(&mut r);
        r.on_ack(in_use());
        assert_eq!(fx(&mut r), ["emit:AlreadyInUse", "reconnect:10s"]);
        r.on_ack(in_use());
        assert_eq!(fx(&mut r), ["emit:AlreadyInUse", "reconnect:12s"]);
        // A success resets the count.
        r.on_ack(ok("H0STCNT0", "005930"));
        fx(&mut r);
        r.on_ack(in_use());
        assert_eq!(fx(&mut r), ["emit:AlreadyInUse", "reconnect:5s"]);
        assert_eq!(r.list().len(), 1);
    }

    #[test]
    fn refusal_on_restore_is_subscription_lost() {
        let mut r = registry(41);
        r.subscribe(key("H0STCNT0", "005930"), 1, true);
        r.on_ack(ok("H0STCNT0", "005930"));
        r.lost("drop".into(), SystemTime::now());
        r.connected();
        fx(&mut r);
        r.on_ack(ack(
            "H0STCNT0",
            "005930",
            AckKind::MaxSubscribeOver,
            "OPSP0008",
        ));
        assert_eq!(fx(&mut r), ["emit:SubscriptionLost", "emit:Reconnected"]);
        assert!(r.list().is_empty());
    }

    #[test]
    fn an_error_naming_no_request_fails_the_oldest_waiting_subscribe() {
        let mut r = registry(41);
        r.subscribe(key("H0STCNT0", "005930"), 1, true);
        r.on_ack(ok("H0STCNT0", "005930"));
        // Sent in this order; the map's order (by key) is the reverse.
        r.subscribe(key("H0STCNT0", "000660"), 2, true);
        r.subscribe(key("H0STCNI0", "wrong"), 3, true);
        fx(&mut r);
        let mut wrong = ack("(null)", "", AckKind::InvalidHtsId, "OPSP0017");
        wrong.rt_cd = "9".into();
        r.on_ack(wrong);
        let out = fx(&mut r);
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(
            out[0].starts_with("reply2:KIS refused the H0STCNT0"),
            "{out:?}"
        );
        assert!(out[0].contains("HTS ID"), "{out:?}");
        let mut bad = ack("", "", AckKind::MalformedRequest, "OPSP9999");
        bad.rt_cd = "9".into();
        r.on_ack(bad);
        let out = fx(&mut r);
        assert!(
            out[0].starts_with("reply3:KIS could not read the H0STCNI0"),
            "{out:?}"
        );
        assert_eq!(r.list(), [key("H0STCNT0", "005930")]);
        // With nothing waiting it is a notice.
        let mut late = ack("(null)", "", AckKind::InvalidTrKey, "OPSP8993");
        late.rt_cd = "9".into();
        r.on_ack(late);
        assert_eq!(fx(&mut r), ["emit:Notice"]);
    }

    #[test]
    fn close_unsubscribes_and_finish_answers_everyone() {
        let mut r = registry(41);
        r.subscribe(key("H0STCNT0", "005930"), 1, true);
        r.on_ack(ok("H0STCNT0", "005930"));
        r.subscribe(key("H0STCNT0", "000660"), 2, true);
        fx(&mut r);
        r.closing();
        assert_eq!(fx(&mut r), ["send-H0STCNT0/000660", "send-H0STCNT0/005930"]);
        assert!(r.unsubscribing());
        r.on_ack(ack(
            "H0STCNT0",
            "005930",
            AckKind::UnsubscribeSuccess,
            "OPSP0001",
        ));
        assert_eq!(fx(&mut r), ["emit:Unsubscribed"]);
        r.finished();
        assert_eq!(fx(&mut r), ["reply2:session closed"]);
    }
}
