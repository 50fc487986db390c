//! [`Ledger`]: every order of every account, driven by [`Event`]s. No I/O.
//!
//! An event is first checked ([`Ledger::validate`]: unknown orders, requests the transition
//! table refuses, the duplicate guard, malformed fields), then its facts are folded into the
//! order it belongs to (monotonic: fills are added once, inquiry floors only rise), and the
//! order's state moves by the one table in `table.rs`. Notices and inquiry rows find their
//! order by KIS order number; a new order number is matched to an order of ours still waiting
//! for its reply (parked until the reply comes) or whose outcome is unknown (bound), and
//! otherwise adopted as an external order.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;

use super::drift::{Drift, DriftBook};
use super::error::{DuplicateError, LedgerError};
use super::event::{Event, InquiryRow, NoticeKind};
use super::observe::Obs;
use super::order::{Member, Order, Pending, odno_key};
use super::table::{self, Next, Step};
use super::types::{
    AccountKey, ChainLink, Fill, Intent, LinkKind, OrderId, OrderState, OrderView, Side,
};

/// What one event changed: for update streams.
///
/// ```
/// use kis::ledger::*;
/// let mut l = Ledger::new();
/// let a = l.apply(Event::Gap { account: AccountKey::parse("1234567801").unwrap(), from: None, to: None }).unwrap();
/// assert!(a.changed.is_empty() && a.fills.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Applied {
    /// Orders whose view changed (state, quantities, chain), each once.
    pub changed: Vec<OrderId>,
    /// Filled quantity that is new to the ledger, per order, in the order learned. A notice
    /// already covered by an inquiry's floor adds nothing here.
    pub fills: Vec<(OrderId, Fill)>,
    /// Orders placed elsewhere, adopted by this event.
    pub adopted: Vec<OrderId>,
    /// The notice or row waits for the reply of an order of ours (it is applied then).
    pub parked: bool,
    /// KIS's sources contradicted each other; the order and the reason.
    pub anomalies: Vec<(OrderId, String)>,
    /// Drift observations that changed the account's drifts (`expected == actual`: a drift
    /// gone).
    pub drift: Vec<Drift>,
}

impl Applied {
    pub(super) fn touch(&mut self, id: OrderId) {
        if !self.changed.contains(&id) {
            self.changed.push(id);
        }
    }
}

/// Today's fills of one symbol in an account, from every order the ledger knows (its own and
/// external ones): compare with the balance's today's bought/sold (`thdt_buyqty`,
/// `thdt_sll_qty`, `thdt_buy_amt`, `thdt_sll_amt`).
///
/// ```
/// use kis::ledger::PositionDelta;
/// use rust_decimal_macros::dec;
/// let d = PositionDelta { bought: 10, sold: 4, bought_amount: dec!(700000), sold_amount: dec!(284000) };
/// assert_eq!((d.net_qty(), d.net_cash()), (6, dec!(-416000)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PositionDelta {
    /// Shares bought.
    pub bought: u64,
    /// Shares sold.
    pub sold: u64,
    /// Amount paid for them (before fees).
    pub bought_amount: Decimal,
    /// Amount received (before fees and taxes).
    pub sold_amount: Decimal,
}

impl PositionDelta {
    /// Bought minus sold.
    pub fn net_qty(&self) -> i128 {
        i128::from(self.bought) - i128::from(self.sold)
    }

    /// Cash: received minus paid.
    pub fn net_cash(&self) -> Decimal {
        self.sold_amount - self.bought_amount
    }
}

/// Per account: order numbers, idempotency keys, orders in flight, parked observations.
#[derive(Debug, Default)]
pub(super) struct Book {
    pub(super) ids: Vec<OrderId>,
    pub(super) odnos: HashMap<String, OrderId>,
    pub(super) keys: HashMap<String, OrderId>,
    pub(super) in_flight: Vec<OrderId>,
    pub(super) parked: Vec<Obs>,
    pub(super) reconciled: bool,
    pub(super) gaps: u64,
    pub(super) baseline: bool,
    /// KIS's day of the account (the last `NewDay`).
    pub(super) day: Option<chrono::NaiveDate>,
    pub(super) drift: DriftBook,
}

/// The order ledger: every order of every account, I/O-free. Wrap it in
/// [`super::JournaledLedger`] to persist every event before it is applied.
///
/// ```
/// use kis::ledger::*;
/// use rust_decimal_macros::dec;
/// let acct = AccountKey::parse("1234567801").unwrap();
/// let mut ledger = Ledger::new();
/// let id = ledger.next_id();
/// ledger.apply(Event::IntentRecorded { id, intent: Intent::new(acct.clone(), "005930", Side::Buy, 10).limit(dec!(70000)) }).unwrap();
/// ledger.apply(Event::Sent { id }).unwrap();
/// ledger.apply(Event::ReplyAccepted { id, odno: "0000000011".into(), orgno: None, time: None }).unwrap();
/// let fill = Notice {
///     account: acct.clone(), odno: "11".into(), orig_odno: None, kind: NoticeKind::Fill,
///     rctf: Rctf::New, symbol: "005930".into(), side: Side::Buy, order_qty: Some(10),
///     order_price: Some(dec!(70000)), fill_qty: 4, fill_price: Some(dec!(70000)),
///     time: Some("091500".into()), venue: None,
/// };
/// let applied = ledger.apply(Event::Notice(fill.clone())).unwrap();
/// assert_eq!(applied.fills.len(), 1);
/// // The same notice again changes nothing.
/// assert!(ledger.apply(Event::Notice(fill)).unwrap().fills.is_empty());
/// let o = ledger.order(id).unwrap();
/// assert_eq!((o.state, o.filled, o.remaining), (OrderState::PartiallyFilled, 4, 6));
/// assert_eq!(ledger.by_odno(&acct, "0011"), Some(id));
/// ```
#[derive(Debug, Default)]
pub struct Ledger {
    pub(super) orders: BTreeMap<OrderId, Order>,
    pub(super) books: HashMap<AccountKey, Book>,
    pub(super) next: u64,
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Ledger {
        Ledger {
            next: 1,
            ..Ledger::default()
        }
    }

    /// The id the next intent should take.
    pub fn next_id(&self) -> OrderId {
        OrderId(self.next.max(1))
    }

    /// The duplicate guard: `Ok(Some(id))` when the intent's idempotency key belongs to order
    /// `id` (return that order instead of sending); an error when an identical intent
    /// (account, symbol, side, quantity, price) is unsent, sent or unknown and duplicates are
    /// not allowed.
    ///
    /// ```
    /// use kis::ledger::*;
    /// let acct = AccountKey::parse("1234567801").unwrap();
    /// let mut ledger = Ledger::new();
    /// let intent = Intent::new(acct, "005930", Side::Buy, 1).key("k1");
    /// let id = ledger.next_id();
    /// ledger.apply(Event::IntentRecorded { id, intent: intent.clone() }).unwrap();
    /// assert_eq!(ledger.check_intent(&intent), Ok(Some(id)));
    /// let mut other = intent.clone();
    /// other.idempotency_key = None;
    /// assert!(matches!(ledger.check_intent(&other), Err(DuplicateError::Pending { .. })));
    /// other.allow_duplicate = true;
    /// assert_eq!(ledger.check_intent(&other), Ok(None));
    /// ```
    pub fn check_intent(&self, intent: &Intent) -> Result<Option<OrderId>, DuplicateError> {
        let Some(book) = self.books.get(&intent.account) else {
            return Ok(None);
        };
        if let Some(key) = &intent.idempotency_key {
            if let Some(id) = book.keys.get(key) {
                return Ok(Some(*id));
            }
        }
        if !intent.allow_duplicate {
            for id in &book.in_flight {
                let o = &self.orders[id];
                let i = &o.intent;
                if i.symbol == intent.symbol
                    && i.side == intent.side
                    && i.qty == intent.qty
                    && i.price == intent.price
                {
                    return Err(DuplicateError::Pending {
                        existing: *id,
                        state: o.state,
                    });
                }
            }
        }
        Ok(None)
    }

    /// One order's view.
    pub fn order(&self, id: OrderId) -> Option<OrderView> {
        self.orders.get(&id).map(Order::view)
    }

    /// One order's state (cheaper than [`Ledger::order`]).
    pub fn state(&self, id: OrderId) -> Option<OrderState> {
        self.orders.get(&id).map(|o| o.state)
    }

    /// The order a KIS order number (any of its chain; zero padding ignored) belongs to.
    pub fn by_odno(&self, account: &AccountKey, odno: &str) -> Option<OrderId> {
        self.books.get(account)?.odnos.get(odno_key(odno)).copied()
    }

    /// Every order of the account, by id.
    pub fn orders(&self, account: &AccountKey) -> Vec<OrderView> {
        self.books
            .get(account)
            .map(|b| b.ids.iter().map(|id| self.orders[id].view()).collect())
            .unwrap_or_default()
    }

    /// KIS's day of the account: the last [`Event::NewDay`] (`None` before one).
    pub fn day(&self, account: &AccountKey) -> Option<chrono::NaiveDate> {
        self.books.get(account)?.day
    }

    /// The account's orders that are not done (in flight or resting at KIS).
    pub fn open_orders(&self, account: &AccountKey) -> Vec<OrderView> {
        self.books
            .get(account)
            .map(|b| {
                b.ids
                    .iter()
                    .map(|id| &self.orders[id])
                    .filter(|o| !o.state.is_done())
                    .map(Order::view)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The accounts the ledger has seen.
    pub fn accounts(&self) -> Vec<AccountKey> {
        let mut v: Vec<AccountKey> = self.books.keys().cloned().collect();
        v.sort();
        v
    }

    /// Fills per symbol implied by every order of the account (its own and external).
    pub fn position_deltas(&self, account: &AccountKey) -> BTreeMap<String, PositionDelta> {
        let mut out: BTreeMap<String, PositionDelta> = BTreeMap::new();
        let Some(book) = self.books.get(account) else {
            return out;
        };
        for id in &book.ids {
            let o = &self.orders[id];
            let filled = o.filled();
            if filled == 0 {
                continue;
            }
            let d = out.entry(o.intent.symbol.clone()).or_default();
            match o.intent.side {
                Side::Buy => {
                    d.bought += filled;
                    d.bought_amount += o.amount();
                }
                Side::Sell => {
                    d.sold += filled;
                    d.sold_amount += o.amount();
                }
            }
        }
        out
    }

    /// Whether the account has been reconciled since the last restart or gap ([`Event::Reconciled`]).
    pub fn is_reconciled(&self, account: &AccountKey) -> bool {
        self.books.get(account).is_some_and(|b| b.reconciled)
    }

    /// Whether a baseline was taken for the account ([`Event::Baseline`]).
    pub fn has_baseline(&self, account: &AccountKey) -> bool {
        self.books.get(account).is_some_and(|b| b.baseline)
    }

    /// Notice gaps seen for the account.
    pub fn gaps(&self, account: &AccountKey) -> u64 {
        self.books.get(account).map_or(0, |b| b.gaps)
    }

    /// Notices and rows waiting for the reply of an order of ours.
    pub fn parked(&self, account: &AccountKey) -> usize {
        self.books.get(account).map_or(0, |b| b.parked.len())
    }

    /// The account an event belongs to (an event naming an order takes the order's).
    pub fn account_of(&self, event: &Event) -> Option<AccountKey> {
        if let Some(a) = event.account() {
            return Some(a.clone());
        }
        let id = event.order_id()?;
        self.orders.get(&id).map(|o| o.intent.account.clone())
    }

    /// Applies one event: checks it ([`Ledger::validate`]), then folds it in. A refused event
    /// changes nothing.
    pub fn apply(&mut self, event: Event) -> Result<Applied, LedgerError> {
        self.validate(&event)?;
        let mut out = Applied::default();
        self.commit(event, &mut out);
        Ok(out)
    }

    /// Applies an event [`Ledger::validate`] accepted (the journal checks, writes, then
    /// applies).
    pub(crate) fn apply_validated(&mut self, event: Event) -> Applied {
        let mut out = Applied::default();
        self.commit(event, &mut out);
        out
    }

    /// What [`Ledger::apply`] would refuse, without changing anything.
    pub fn validate(&self, event: &Event) -> Result<(), LedgerError> {
        let invalid = |field, reason: &str| {
            Err(LedgerError::Invalid {
                field,
                reason: reason.into(),
            })
        };
        match event {
            Event::IntentRecorded { id, intent } => {
                intent.validate()?;
                if self.orders.contains_key(id) || id.0 == 0 {
                    return Err(LedgerError::IdTaken(*id));
                }
                if let Some(existing) = self.check_intent(intent)? {
                    return Err(DuplicateError::KeyUsed { existing }.into());
                }
                return Ok(());
            }
            Event::Notice(n) => {
                if n.kind == NoticeKind::Fill && (n.fill_qty == 0 || n.fill_price.is_none()) {
                    return invalid("fill_qty", "a fill notice needs a quantity and a price");
                }
                if n.odno.trim().is_empty() {
                    return invalid("odno", "empty order number");
                }
                return Ok(());
            }
            Event::Inquiry(r) => return check_row(r),
            Event::Baseline { account, rows } => {
                for r in rows {
                    check_row(r)?;
                    if &r.account != account {
                        return invalid("account", "a baseline row of another account");
                    }
                }
                return Ok(());
            }
            Event::Gap { .. }
            | Event::Reconciled { .. }
            | Event::Restarted { .. }
            | Event::NewDay { .. } => return Ok(()),
            Event::HoldingsBaseline { day, start, .. } => {
                if day.trim().is_empty() {
                    return invalid("day", "empty server day");
                }
                if start.keys().any(|s| s.trim().is_empty()) {
                    return invalid("symbol", "empty symbol");
                }
                return Ok(());
            }
            Event::DriftObserved { drift, .. } => {
                if drift.day.trim().is_empty() {
                    return invalid("day", "empty server day");
                }
                if drift.symbol.trim().is_empty() {
                    return invalid("symbol", "empty symbol");
                }
                return Ok(());
            }
            _ => {}
        }
        let Some(id) = event.order_id() else {
            return Ok(());
        };
        let order = self.orders.get(&id).ok_or(LedgerError::UnknownOrder(id))?;
        let step = match event {
            Event::Sent { .. } => Step::Send,
            Event::ModifyRequested {
                orig_odno,
                price,
                qty,
                ..
            } => {
                self.check_link(order, orig_odno)?;
                if price.is_some_and(|p| p <= Decimal::ZERO) {
                    return invalid("price", "must be positive");
                }
                self.check_qty(order, *qty)?;
                Step::ModifyRequest
            }
            Event::CancelRequested { orig_odno, qty, .. } => {
                self.check_link(order, orig_odno)?;
                self.check_qty(order, *qty)?;
                Step::CancelRequest
            }
            Event::ReplyAccepted { odno, .. }
            | Event::ModifyAccepted { odno, .. }
            | Event::CancelAccepted { odno, .. } => {
                if odno.trim().is_empty() {
                    return invalid("odno", "empty order number");
                }
                return Ok(());
            }
            _ => return Ok(()),
        };
        match table::next(order.state, step, order.qty()) {
            Next::Refused => Err(LedgerError::NotAllowed {
                id,
                state: order.state,
                event: event.name(),
            }),
            _ => Ok(()),
        }
    }

    fn check_link(&self, order: &Order, odno: &str) -> Result<(), LedgerError> {
        match order.member(odno) {
            Some(i) if order.members[i].link.kind != LinkKind::Cancel => Ok(()),
            _ => Err(LedgerError::Invalid {
                field: "orig_odno",
                reason: "not a live KIS order number of this order".into(),
            }),
        }
    }

    fn check_qty(&self, order: &Order, qty: Option<u64>) -> Result<(), LedgerError> {
        match qty {
            Some(0) => Err(LedgerError::Invalid {
                field: "qty",
                reason: "must be at least 1".into(),
            }),
            Some(q) if q > order.qty().remaining => Err(LedgerError::Invalid {
                field: "qty",
                reason: "more than the order has open".into(),
            }),
            _ => Ok(()),
        }
    }

    pub(super) fn book(&mut self, account: &AccountKey) -> &mut Book {
        if !self.books.contains_key(account) {
            self.books.insert(account.clone(), Book::default());
        }
        self.books.get_mut(account).expect("inserted above")
    }

    fn commit(&mut self, event: Event, out: &mut Applied) {
        // Parked notices may find their order after this event (only looked at when some wait).
        let retry = event
            .account()
            .or_else(|| Some(&self.orders.get(&event.order_id()?)?.intent.account))
            .filter(|a| self.books.get(*a).is_some_and(|b| !b.parked.is_empty()))
            .cloned();
        match event {
            Event::IntentRecorded { id, intent } => {
                let book = self.book(&intent.account);
                book.ids.push(id);
                book.in_flight.push(id);
                if let Some(k) = &intent.idempotency_key {
                    book.keys.insert(k.clone(), id);
                }
                let day = book.day;
                self.next = self.next.max(id.0 + 1);
                let mut order = Order::new(id, intent, false);
                order.day = day;
                self.orders.insert(id, order);
                out.touch(id);
            }
            Event::Sent { id } => self.step(id, &[Step::Send], out),
            Event::ReplyAccepted {
                id, odno, orgno, ..
            } => {
                let bound = self
                    .orders
                    .get(&id)
                    .and_then(|o| self.by_odno(&o.intent.account, &odno));
                let root = self.orders.get(&id).and_then(|o| {
                    o.members
                        .iter()
                        .find(|m| m.link.kind == LinkKind::New)
                        .map(|m| m.link.odno.clone())
                });
                match (bound, root) {
                    (Some(other), _) if other != id => {
                        let why = format!("KIS order number {odno} already belongs to {other}");
                        self.anomaly(id, why, out);
                    }
                    (_, Some(root)) if odno_key(&root) != odno_key(&odno) => {
                        let why = format!(
                            "the reply's order number {odno} is not {root}, matched by content"
                        );
                        self.anomaly(id, why, out);
                    }
                    _ => self.add_link(id, &odno, orgno, LinkKind::New, None),
                }
                self.step(id, &[Step::Accept], out);
            }
            Event::ReplyRejected { id, msg_cd, msg } => {
                self.set_error(id, format!("{msg_cd} {msg}"));
                self.step(id, &[Step::Reject], out);
            }
            Event::MaybeSent { id, reason } => {
                self.set_error(id, reason);
                self.step(id, &[Step::MaybeSent], out);
            }
            Event::ResolvedNotSent { id } => self.step(id, &[Step::Absent], out),
            Event::ModifyRequested {
                id,
                orig_odno,
                price,
                qty,
                ..
            } => {
                if let Some(o) = self.orders.get_mut(&id) {
                    o.pending = Some(Pending::Modify {
                        orig: orig_odno,
                        price,
                        qty,
                    });
                }
                self.step(id, &[Step::ModifyRequest], out);
            }
            Event::ModifyAccepted {
                id,
                odno,
                orgno,
                orig_odno,
                ..
            } => {
                self.add_link(id, &odno, orgno, LinkKind::Modify, Some(orig_odno));
                self.step(id, &[Step::ModifyAccepted], out);
            }
            Event::ModifyRejected { id, msg_cd, msg } => {
                self.set_error(id, format!("modify: {msg_cd} {msg}"));
                self.step(id, &[Step::ModifyRejected], out);
            }
            Event::CancelRequested { id, orig_odno, qty } => {
                if let Some(o) = self.orders.get_mut(&id) {
                    o.pending = Some(Pending::Cancel {
                        orig: orig_odno,
                        qty,
                    });
                }
                self.step(id, &[Step::CancelRequest], out);
            }
            Event::CancelAccepted {
                id,
                odno,
                orgno,
                orig_odno,
                ..
            } => {
                self.add_link(id, &odno, orgno, LinkKind::Cancel, Some(orig_odno));
                self.step(id, &[Step::CancelAccepted], out);
            }
            Event::CancelRejected { id, msg_cd, msg } => {
                self.set_error(id, format!("cancel: {msg_cd} {msg}"));
                self.step(id, &[Step::CancelRejected], out);
            }
            Event::Notice(n) => self.observe(Obs::Notice(n), out),
            Event::Inquiry(r) => self.observe(Obs::Row(r, false), out),
            Event::Baseline { account, rows } => {
                self.book(&account).baseline = true;
                for r in rows {
                    self.observe(Obs::Row(r, true), out);
                }
            }
            Event::Gap { account, .. } => {
                let b = self.book(&account);
                b.gaps += 1;
                b.reconciled = false;
            }
            Event::Reconciled { account } => self.book(&account).reconciled = true,
            Event::NewDay { account, date } => self.new_day(&account, date, out),
            Event::HoldingsBaseline {
                account,
                day,
                start,
            } => {
                self.book(&account).drift.baseline(&day, start);
            }
            Event::DriftObserved { account, drift } => {
                if self.book(&account).drift.observe(drift.clone()) {
                    out.drift.push(drift);
                }
            }
            Event::Restarted { account } => {
                let b = self.book(&account);
                b.reconciled = false;
                let ids = b.in_flight.clone();
                for id in ids {
                    self.step(id, &[Step::Restart], out);
                }
            }
        }
        if let Some(acct) = retry {
            self.retry_parked(&acct, out);
        }
    }

    /// `Event::NewDay`: expires the open domestic orders of earlier days and forgets the
    /// order numbers of finished ones (tomorrow KIS hands the same numbers out again).
    fn new_day(&mut self, account: &AccountKey, date: chrono::NaiveDate, out: &mut Applied) {
        let book = self.book(account);
        if book.day.is_some_and(|d| date <= d) {
            return;
        }
        book.day = Some(date);
        let ids = book.ids.clone();
        for id in ids {
            self.expire_if_past(id, out);
        }
        // The number map is rebuilt: the new day's orders (some adopted from rows of the new
        // day before this event) and open ones; finished orders of earlier days leave it.
        let orders = &self.orders;
        if let Some(book) = self.books.get_mut(account) {
            book.odnos.clear();
            for id in &book.ids {
                let Some(o) = orders.get(id) else { continue };
                if !o.in_number_map(Some(date)) {
                    continue;
                }
                for m in &o.members {
                    book.odnos
                        .entry(odno_key(&m.link.odno).to_owned())
                        .or_insert(*id);
                }
            }
        }
    }

    /// A domestic order of a day before the account's day: what is open expired with its day.
    pub(super) fn expire_if_past(&mut self, id: OrderId, out: &mut Applied) {
        let Some(o) = self.orders.get_mut(&id) else {
            return;
        };
        let today = self.books.get(&o.intent.account).and_then(|b| b.day);
        let past = matches!((o.day, today), (Some(d), Some(t)) if d < t);
        if !past || o.intent.venue.is_overseas() || o.state.is_done() {
            return;
        }
        if matches!(o.state, OrderState::Journaled | OrderState::Sent) {
            // In flight while KIS's day turned (the client's idea of KIS's clock lagged): KIS
            // takes it on the new day, so it is the new day's order (the table keeps it).
            o.day = today;
            self.step(id, &[Step::Expire], out);
            return;
        }
        if o.state.is_open() {
            o.expired = true;
            o.last_error = Some(format!(
                "expired at the end of KIS's day {}",
                o.day.unwrap_or_default()
            ));
        }
        let account = o.intent.account.clone();
        self.step(id, &[Step::Expire], out);
        // Its numbers are another day's now (KIS hands them out again).
        if let Some(book) = self.books.get_mut(&account) {
            book.odnos.retain(|_, v| *v != id);
        }
    }

    fn set_error(&mut self, id: OrderId, why: String) {
        if let Some(o) = self.orders.get_mut(&id) {
            o.last_error = Some(why);
        }
    }

    fn anomaly(&mut self, id: OrderId, why: String, out: &mut Applied) {
        self.set_error(id, why.clone());
        out.anomalies.push((id, why));
        out.touch(id);
    }

    /// Adds a chain link learned from our own request's reply (the request's quantity
    /// semantics apply) and indexes its order number.
    fn add_link(
        &mut self,
        id: OrderId,
        odno: &str,
        orgno: Option<String>,
        kind: LinkKind,
        orig: Option<String>,
    ) {
        let Some(o) = self.orders.get_mut(&id) else {
            return;
        };
        let idx = match o.member(odno) {
            Some(i) => i,
            None => {
                let mut m = Member::new(ChainLink {
                    odno: odno.trim().to_owned(),
                    orgno: None,
                    kind,
                    orig_odno: orig,
                });
                if kind == LinkKind::Cancel {
                    if let Some(Pending::Cancel { qty, .. }) = &o.pending {
                        m.cancel_qty = *qty;
                    }
                }
                if kind == LinkKind::Modify {
                    if let Some(Pending::Modify { price: Some(p), .. }) = &o.pending {
                        m.price = Some(*p);
                    }
                }
                o.members.push(m);
                o.members.len() - 1
            }
        };
        if orgno.is_some() {
            o.members[idx].link.orgno = orgno;
        }
        let acct = o.intent.account.clone();
        let today = self.books.get(&acct).and_then(|b| b.day);
        if o.in_number_map(today) {
            self.book(&acct).odnos.insert(odno_key(odno).to_owned(), id);
        }
    }

    /// Runs the table for each step in turn.
    pub(super) fn step(&mut self, id: OrderId, steps: &[Step], out: &mut Applied) {
        let Some(o) = self.orders.get_mut(&id) else {
            return;
        };
        let before = o.state;
        for &s in steps {
            match table::next(o.state, s, o.qty()) {
                Next::To(state) => o.state = state,
                Next::Refused => {}
                Next::Anomaly(state, why) => {
                    o.state = state;
                    o.last_error = Some(why.to_owned());
                    out.anomalies.push((id, why.to_owned()));
                }
            }
        }
        if !matches!(
            o.state,
            OrderState::PendingModify | OrderState::PendingCancel
        ) {
            o.pending = None;
        }
        let now = o.state;
        out.touch(id);
        if before.is_in_flight() != now.is_in_flight() {
            let acct = o.intent.account.clone();
            let b = self.book(&acct);
            if now.is_in_flight() {
                b.in_flight.push(id);
            } else {
                b.in_flight.retain(|x| *x != id);
            }
        }
    }
}

fn check_row(r: &InquiryRow) -> Result<(), LedgerError> {
    if r.odno.trim().is_empty() {
        return Err(LedgerError::Invalid {
            field: "odno",
            reason: "empty order number".into(),
        });
    }
    if r.tot_ccld_qty > 0 && r.avg_prvs <= Decimal::ZERO && r.tot_ccld_amt.is_none() {
        return Err(LedgerError::Invalid {
            field: "avg_prvs",
            reason: "a filled row needs its average price or total amount".into(),
        });
    }
    Ok(())
}
