//! The desk: the ledgers of a handle's accounts (one journal each), the gate that keeps new
//! orders out until an account is reconciled, and the channel of order updates.
//!
//! Every change goes through [`Desk::record`]: the event is written to the account's journal,
//! then applied, then the changed orders are published. Nothing is sent to KIS before the
//! event that says it will be (`IntentRecorded`, `Sent`, `ModifyRequested`, `CancelRequested`)
//! is journaled.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use kis_client::Client;
use tokio::sync::{Notify, broadcast};

use super::handle::Order;
use super::kis_io::{self, Change, Outcome};
use crate::Error;
use crate::ledger::{
    AccountKey, Applied, Event, Intent, JournaledLedger, LedgerError, OrderId, OrderState,
    OrderView,
};

/// Where the order journals live.
///
/// ```
/// let place = kis::orders::JournalPlace::Dir("/var/lib/my-bot/journal".into());
/// assert!(matches!(place, kis::orders::JournalPlace::Dir(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JournalPlace {
    /// In memory: lost when the process ends (the simulator's default, and tests').
    Memory,
    /// One SQLite file per account in this directory (created `0700`, files `0600`).
    Dir(PathBuf),
    /// No place was given and none could be found (no `KIS_JOURNAL_DIR`, `KIS_CONFIG` or
    /// home directory): orders are refused with this reason rather than journaled in
    /// whatever the working directory happens to be. Reads still work.
    Unavailable(String),
}

impl JournalPlace {
    /// `$KIS_JOURNAL_DIR`, else `journal/` beside the configuration (`$KIS_CONFIG`'s folder,
    /// else `~/KIS/config/journal`); [`JournalPlace::Unavailable`] when none is set.
    ///
    /// ```
    /// let place = kis::orders::JournalPlace::default_dir();
    /// assert!(!matches!(place, kis::orders::JournalPlace::Memory));
    /// ```
    pub fn default_dir() -> JournalPlace {
        JournalPlace::from_env(|k| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
    }

    /// [`JournalPlace::default_dir`] over a given environment.
    fn from_env(var: impl Fn(&str) -> Option<PathBuf>) -> JournalPlace {
        let dir = var("KIS_JOURNAL_DIR")
            .or_else(|| var("KIS_CONFIG").and_then(|c| c.parent().map(|p| p.join("journal"))))
            .or_else(|| var("HOME").map(|h| h.join("KIS").join("config").join("journal")));
        match dir {
            Some(dir) => JournalPlace::Dir(dir),
            None => JournalPlace::Unavailable(
                "no journal directory: set KIS_JOURNAL_DIR (or KIS_CONFIG, or HOME), or \
                 TradingOptions::journal"
                    .into(),
            ),
        }
    }
}

/// How the order layer runs.
///
/// ```
/// let mut o = kis::orders::TradingOptions::default();
/// o.poll_interval = std::time::Duration::from_millis(500);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TradingOptions {
    /// Where journals live.
    pub journal: JournalPlace,
    /// Subscribe execution notices (체결통보) over the realtime session (needs the HTS ID).
    pub notices: bool,
    /// While orders are open and no notice arrived for this long, ask KIS (an inquiry): paper
    /// sometimes sends no notices at all.
    pub poll_interval: Duration,
    /// An order that may have been sent is declared not sent only when this long has passed
    /// and two inquiries since did not show it.
    pub resolve_after: Duration,
    /// Server days before today that a (re)start's reconciliation asks about at least (their
    /// orders are adopted with their own day, and ended with it). The journal's open days are
    /// asked in any case, however far back.
    pub reconcile_days: u32,
}

impl Default for TradingOptions {
    fn default() -> Self {
        TradingOptions {
            journal: JournalPlace::default_dir(),
            notices: true,
            poll_interval: Duration::from_secs(2),
            resolve_after: Duration::from_secs(3),
            reconcile_days: 3,
        }
    }
}

/// Whether an account takes new orders.
#[derive(Debug, Clone)]
enum Gate {
    /// Not reconciled yet.
    Pending,
    /// Reconciled with KIS.
    Open,
    /// The reconciliation failed: new orders are refused (fail closed).
    Failed(String),
}

struct Book {
    ledger: JournaledLedger,
    gate: Gate,
}

/// The order desk of one [`crate::Kis`].
pub(crate) struct Desk {
    pub(super) client: Client,
    pub(super) options: TradingOptions,
    books: Mutex<HashMap<AccountKey, Book>>,
    /// Serializes opening and reconciling an account.
    opening: tokio::sync::Mutex<()>,
    updates: broadcast::Sender<(AccountKey, OrderView)>,
    /// Wakes the feed for an inquiry now (an order may have been sent, a wait is on).
    pub(super) poke: Arc<Notify>,
    /// When each order (or modify/cancel request) that may have been sent was first seen
    /// unknown, and inquiries since: resolved by inquiry, never by sending again.
    pub(super) unknown: Mutex<HashMap<(AccountKey, OrderId), (tokio::time::Instant, u32)>>,
    /// Per account, the day's net fills per symbol at the last settled drift comparison: a
    /// poll compares again only when they moved.
    drift_seen: Mutex<HashMap<AccountKey, std::collections::BTreeMap<String, i128>>>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn ledger_error(e: LedgerError) -> Error {
    match e {
        LedgerError::Invalid { field, reason } => Error::Invalid { field, reason },
        LedgerError::Duplicate(d) => Error::Duplicate(d),
        other => Error::Journal(other.to_string()),
    }
}

impl Desk {
    pub(crate) fn new(client: Client, options: TradingOptions) -> Arc<Desk> {
        Arc::new(Desk {
            client,
            options,
            books: Mutex::new(HashMap::new()),
            opening: tokio::sync::Mutex::new(()),
            updates: broadcast::channel(4096).0,
            poke: Arc::new(Notify::new()),
            unknown: Mutex::new(HashMap::new()),
            drift_seen: Mutex::new(HashMap::new()),
        })
    }

    /// The net fills at the account's last settled drift comparison.
    pub(super) fn drift_seen(
        &self,
        account: &AccountKey,
    ) -> Option<std::collections::BTreeMap<String, i128>> {
        lock(&self.drift_seen).get(account).cloned()
    }

    /// Remembers (or, `None`, forgets: compare on the next reconciliation) the net fills of a
    /// settled drift comparison.
    pub(super) fn set_drift_seen(
        &self,
        account: &AccountKey,
        seen: Option<std::collections::BTreeMap<String, i128>>,
    ) {
        let mut m = lock(&self.drift_seen);
        match seen {
            Some(s) => m.insert(account.clone(), s),
            None => m.remove(account),
        };
    }

    /// The accounts with an open book.
    pub(super) fn accounts(&self) -> Vec<AccountKey> {
        lock(&self.books).keys().cloned().collect()
    }

    /// Writes `event` to the account's journal, applies it and publishes what changed.
    pub(super) fn record(&self, account: &AccountKey, event: Event) -> Result<Applied, Error> {
        let mut books = lock(&self.books);
        let book = books
            .get_mut(account)
            .ok_or_else(|| Error::Journal(format!("no open journal for {account}")))?;
        let applied = book.ledger.apply(event).map_err(ledger_error)?;
        for id in applied.changed.iter().chain(&applied.adopted) {
            if let Some(view) = book.ledger.ledger().order(*id) {
                if view.state == OrderState::Unknown {
                    self.track_unknown(account, *id);
                } else if !matches!(
                    view.state,
                    OrderState::PendingModify | OrderState::PendingCancel
                ) {
                    // A change that may have been sent stays tracked while it is pending.
                    lock(&self.unknown).remove(&(account.clone(), *id));
                }
                let _ = self.updates.send((account.clone(), view));
            }
        }
        Ok(applied)
    }

    /// Follows an order, or its pending modify/cancel, that may be at KIS without an answer:
    /// [`super::feed`] resolves it by inquiry.
    fn track_unknown(&self, account: &AccountKey, id: OrderId) {
        lock(&self.unknown)
            .entry((account.clone(), id))
            .or_insert((tokio::time::Instant::now(), 0));
    }

    /// Reads the account's ledger.
    pub(super) fn read<T>(
        &self,
        account: &AccountKey,
        f: impl FnOnce(&crate::ledger::Ledger) -> T,
    ) -> Option<T> {
        lock(&self.books).get(account).map(|b| f(b.ledger.ledger()))
    }

    /// One order's view.
    pub(crate) fn view(&self, account: &AccountKey, id: OrderId) -> Option<OrderView> {
        self.read(account, |l| l.order(id)).flatten()
    }

    /// Every order of the account the ledger knows (its own and adopted ones).
    pub(crate) fn orders(&self, account: &AccountKey) -> Vec<OrderView> {
        self.read(account, |l| l.orders(account))
            .unwrap_or_default()
    }

    /// The account's drifts now (see `Ledger::drifts`).
    pub(crate) fn drift(&self, account: &AccountKey) -> Vec<crate::ledger::Drift> {
        self.read(account, |l| l.drifts(account))
            .unwrap_or_default()
    }

    /// Updates of every order.
    pub(super) fn subscribe(&self) -> broadcast::Receiver<(AccountKey, OrderView)> {
        self.updates.subscribe()
    }

    /// Opens the account's journal and reconciles it with KIS, once. Until that succeeds new
    /// orders are refused; a failure is kept and reported on every order until a later call
    /// succeeds.
    pub(crate) async fn ready(self: &Arc<Self>, account: &AccountKey) -> Result<(), Error> {
        if let Some(Gate::Open) = lock(&self.books).get(account).map(|b| b.gate.clone()) {
            return Ok(());
        }
        let _one = self.opening.lock().await;
        let exists = lock(&self.books).contains_key(account);
        if !exists {
            let ledger = match &self.options.journal {
                JournalPlace::Memory => JournaledLedger::in_memory(),
                JournalPlace::Dir(dir) => JournaledLedger::open(dir, account)
                    .map_err(|e| Error::Journal(e.to_string()))?,
                JournalPlace::Unavailable(why) => return Err(Error::Journal(why.clone())),
            };
            lock(&self.books).insert(
                account.clone(),
                Book {
                    ledger,
                    gate: Gate::Pending,
                },
            );
        }
        if let Some(Gate::Open) = lock(&self.books).get(account).map(|b| b.gate.clone()) {
            return Ok(());
        }
        // A journal from an earlier process may hold orders, or changes, that were in flight
        // when it ended: they are resolved by inquiry like this process's own.
        let unresolved: Vec<OrderId> = self
            .read(account, |l| {
                l.orders(account)
                    .iter()
                    .filter(|o| {
                        matches!(
                            o.state,
                            OrderState::Unknown
                                | OrderState::PendingModify
                                | OrderState::PendingCancel
                        )
                    })
                    .map(|o| o.id)
                    .collect()
            })
            .unwrap_or_default();
        for id in unresolved {
            self.track_unknown(account, id);
        }
        let result = super::feed::reconcile(self, account, true, true).await;
        let gate = match &result {
            Ok(()) => match self.record(
                account,
                Event::Reconciled {
                    account: account.clone(),
                },
            ) {
                Ok(_) => Gate::Open,
                Err(e) => Gate::Failed(e.to_string()),
            },
            Err(e) => Gate::Failed(e.to_string()),
        };
        if let Some(b) = lock(&self.books).get_mut(account) {
            b.gate = gate.clone();
        }
        match gate {
            Gate::Open => Ok(()),
            Gate::Failed(why) => Err(Error::NotReconciled(why)),
            Gate::Pending => Err(Error::NotReconciled("not reconciled yet".into())),
        }
    }

    /// Journals the intent, sends the order once, journals the outcome.
    pub(crate) async fn submit(self: &Arc<Self>, intent: Intent) -> Result<Order, Error> {
        let account = intent.account.clone();
        self.ready(&account).await?;
        super::feed::ensure_day(self, &account).await?;
        // The intent and `Sent` are journaled before the request leaves.
        let id = {
            let mut books = lock(&self.books);
            let book = books
                .get_mut(&account)
                .ok_or_else(|| Error::Journal("the account's journal closed".into()))?;
            if let Some(existing) = book
                .ledger
                .ledger()
                .check_intent(&intent)
                .map_err(Error::Duplicate)?
            {
                return Ok(Order::new(self.clone(), account, existing));
            }
            book.ledger.ledger().next_id()
        };
        self.record(
            &account,
            Event::IntentRecorded {
                id,
                intent: intent.clone(),
            },
        )?;
        self.record(&account, Event::Sent { id })?;
        let outcome = kis_io::place(&self.client, &intent).await;
        let order = Order::new(self.clone(), account.clone(), id);
        match outcome {
            Outcome::Accepted { odno, orgno, time } => {
                if !intent.venue.is_overseas() {
                    super::feed::follow_kis_day(self, &account).await?;
                }
                self.record(
                    &account,
                    Event::ReplyAccepted {
                        id,
                        odno,
                        orgno,
                        time,
                    },
                )?;
                Ok(order)
            }
            Outcome::Rejected { msg_cd, msg, error } => {
                self.record(&account, Event::ReplyRejected { id, msg_cd, msg })?;
                Err(Error::Client(error))
            }
            Outcome::MaybeSent { reason, .. } => {
                tracing::warn!(order = %id, %reason, "the order may have been sent; asking KIS");
                self.record(&account, Event::MaybeSent { id, reason })?;
                self.poke.notify_one();
                Ok(order)
            }
            Outcome::NotSent { error } => {
                self.record(&account, Event::ResolvedNotSent { id })?;
                Err(Error::Client(error))
            }
        }
    }

    /// Sends a modify or cancel of an open order once, journaled first.
    pub(crate) async fn change(
        self: &Arc<Self>,
        account: &AccountKey,
        id: OrderId,
        cancel: bool,
        qty: Option<u64>,
        price: Option<rust_decimal::Decimal>,
    ) -> Result<OrderView, Error> {
        let view = self.view(account, id).ok_or_else(|| Error::Invalid {
            field: "order",
            reason: format!("{id} is not in the ledger"),
        })?;
        if !view.state.is_open() {
            return Err(Error::Invalid {
                field: "order",
                reason: format!(
                    "{id} is {:?}: only an open order can be changed",
                    view.state
                ),
            });
        }
        let link = view.live_odno().cloned().ok_or_else(|| Error::Invalid {
            field: "order",
            reason: format!("{id} has no KIS order number yet"),
        })?;
        let request = if cancel {
            Event::CancelRequested {
                id,
                orig_odno: link.odno.clone(),
                qty,
            }
        } else {
            Event::ModifyRequested {
                id,
                orig_odno: link.odno.clone(),
                price,
                kind: None,
                qty,
            }
        };
        self.record(account, request)?;
        let c = Change {
            odno: link.odno.clone(),
            orgno: link.orgno.clone(),
            cancel,
            qty,
            open: view.remaining,
            price,
        };
        let outcome = kis_io::change(&self.client, &view.intent, &c).await;
        let orig_odno = link.odno.clone();
        match outcome {
            Outcome::Accepted { odno, orgno, time } => {
                let e = if cancel {
                    Event::CancelAccepted {
                        id,
                        odno,
                        orgno,
                        orig_odno,
                        time,
                    }
                } else {
                    Event::ModifyAccepted {
                        id,
                        odno,
                        orgno,
                        orig_odno,
                        time,
                    }
                };
                self.record(account, e)?;
            }
            Outcome::Rejected { msg_cd, msg, error } => {
                let e = if cancel {
                    Event::CancelRejected { id, msg_cd, msg }
                } else {
                    Event::ModifyRejected { id, msg_cd, msg }
                };
                self.record(account, e)?;
                return Err(Error::Client(error));
            }
            Outcome::NotSent { error } => {
                let msg = error.to_string();
                let e = if cancel {
                    Event::CancelRejected {
                        id,
                        msg_cd: String::new(),
                        msg,
                    }
                } else {
                    Event::ModifyRejected {
                        id,
                        msg_cd: String::new(),
                        msg,
                    }
                };
                self.record(account, e)?;
                return Err(Error::Client(error));
            }
            Outcome::MaybeSent { reason, .. } => {
                // The request stays pending; the next inquiry shows whether KIS has it.
                tracing::warn!(order = %id, %reason, "a modify/cancel may have been sent; asking KIS");
                self.track_unknown(account, id);
                self.poke.notify_one();
            }
        }
        self.view(account, id)
            .ok_or_else(|| Error::Journal("order vanished".into()))
    }

    /// Whether the account has orders that are open, pending or unknown (the feed polls then).
    pub(super) fn has_live_orders(&self, account: &AccountKey) -> bool {
        self.read(account, |l| {
            !l.open_orders(account).is_empty()
                || l.orders(account).iter().any(|o| o.state.is_in_flight())
        })
        .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_journal_place_follows_the_environment_and_never_the_working_directory() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| PathBuf::from(v))
            }
        };
        assert_eq!(
            JournalPlace::from_env(env(&[("KIS_JOURNAL_DIR", "/j"), ("HOME", "/h")])),
            JournalPlace::Dir("/j".into())
        );
        assert_eq!(
            JournalPlace::from_env(env(&[("KIS_CONFIG", "/c/kis_devlp.yaml"), ("HOME", "/h")])),
            JournalPlace::Dir("/c/journal".into())
        );
        assert_eq!(
            JournalPlace::from_env(env(&[("HOME", "/h")])),
            JournalPlace::Dir("/h/KIS/config/journal".into())
        );
        assert!(matches!(
            JournalPlace::from_env(env(&[])),
            JournalPlace::Unavailable(_)
        ));
    }
}
