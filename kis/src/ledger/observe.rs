//! How notices and inquiry rows reach their order: routing by KIS order number, parking
//! until our reply comes, binding an unknown order, adopting external orders, and folding an
//! observation's facts into the order before the transition table runs.

use rust_decimal::Decimal;

use super::book::{Applied, Ledger};
use super::event::{InquiryRow, Notice, NoticeKind, Rctf};
use super::order::{Floor, Member, Order, Pending, odno_key};
use super::table::Step;
use super::types::{
    AccountKey, ChainLink, Fill, FillSource, Intent, LinkKind, OrderId, OrderKind, OrderState,
    Side, Venue,
};

/// A notice or an inquiry row (`baseline`: taken at subscription).
#[derive(Debug, Clone)]
pub(super) enum Obs {
    Notice(Notice),
    Row(InquiryRow, bool),
}

impl Obs {
    fn account(&self) -> &AccountKey {
        match self {
            Obs::Notice(n) => &n.account,
            Obs::Row(r, _) => &r.account,
        }
    }
    fn odno(&self) -> &str {
        match self {
            Obs::Notice(n) => &n.odno,
            Obs::Row(r, _) => &r.odno,
        }
    }
    fn orig(&self) -> Option<&str> {
        let (o, odno) = match self {
            Obs::Notice(n) => (n.orig_odno.as_deref(), &n.odno),
            Obs::Row(r, _) => (r.orig_odno.as_deref(), &r.odno),
        };
        o.filter(|o| !o.trim().is_empty() && odno_key(o) != odno_key(odno))
    }
    fn link_kind(&self) -> LinkKind {
        match self {
            Obs::Notice(n) => match n.rctf {
                Rctf::New => LinkKind::New,
                Rctf::Modify => LinkKind::Modify,
                Rctf::Cancel => LinkKind::Cancel,
            },
            // A cancel always names the number it cancels; a row marked cancelled without
            // one is an original whose rest was cancelled.
            Obs::Row(r, _) if r.cncl_yn && self.orig().is_some() => LinkKind::Cancel,
            Obs::Row(..) if self.orig().is_some() => LinkKind::Modify,
            Obs::Row(..) => LinkKind::New,
        }
    }
    /// Symbol, side, order quantity, order price (zero = none).
    fn content(&self) -> (&str, Side, Option<u64>, Option<Decimal>) {
        let nz = |p: Option<Decimal>| p.filter(|p| !p.is_zero());
        match self {
            Obs::Notice(n) => (&n.symbol, n.side, n.order_qty, nz(n.order_price)),
            Obs::Row(r, _) => (&r.symbol, r.side, Some(r.ord_qty), nz(r.ord_price)),
        }
    }
    /// KIS's day the observation is about: an inquiry row's `ORD_DT`; a notice is about the
    /// account's day (`None`).
    fn day(&self) -> Option<chrono::NaiveDate> {
        match self {
            Obs::Notice(_) => None,
            Obs::Row(r, _) => chrono::NaiveDate::parse_from_str(r.day.trim(), "%Y%m%d").ok(),
        }
    }
    fn venue(&self) -> Option<Venue> {
        match self {
            Obs::Notice(n) => n.venue,
            Obs::Row(r, _) => r.venue,
        }
    }
    /// The order placed elsewhere that this shows.
    fn external_intent(&self) -> Intent {
        let (symbol, side, qty, price) = self.content();
        let mut i = Intent::new(
            self.account().clone(),
            symbol.trim(),
            side,
            qty.unwrap_or(0),
        );
        if let Some(v) = self.venue() {
            i.venue = v;
        }
        if let Some(p) = price {
            i.kind = OrderKind::Limit;
            i.price = Some(p);
        }
        i
    }
}

/// Where an observation goes.
enum Route {
    Order(OrderId),
    Park,
    Adopt,
}

impl Ledger {
    fn route(&self, obs: &Obs) -> Route {
        let Some(book) = self.books.get(obs.account()) else {
            return Route::Adopt;
        };
        // Order numbers are KIS's per day: a row of another day than the account's is matched
        // among that day's orders only.
        let day = obs.day().filter(|d| book.day.is_some_and(|b| b != *d));
        let of_day = |id: &OrderId| {
            day.is_none_or(|d| self.orders.get(id).is_some_and(|o| o.day == Some(d)))
        };
        if let Some(d) = day {
            let numbers = [Some(obs.odno()), obs.orig()];
            for id in &book.ids {
                let o = &self.orders[id];
                if o.day == Some(d) && numbers.iter().flatten().any(|n| o.member(n).is_some()) {
                    return Route::Order(*id);
                }
            }
        }
        if let Some(id) = book.odnos.get(odno_key(obs.odno())).filter(|id| of_day(id)) {
            // A notice carries no day: while an order of ours that it fits waits for its
            // reply, the number may be that order's on a day KIS has just begun (it hands the
            // numbers out again each day). The reply tells; until then the notice waits.
            if matches!(obs, Obs::Notice(_))
                && book
                    .in_flight
                    .iter()
                    .any(|w| self.orders[w].state == OrderState::Sent && self.fits(*w, obs))
            {
                return Route::Park;
            }
            return Route::Order(*id);
        }
        if let Some(orig) = obs.orig() {
            if let Some(id) = book.odnos.get(odno_key(orig)).filter(|id| of_day(id)) {
                return Route::Order(*id);
            }
            let k = odno_key(orig);
            return if book.parked.iter().any(|p| odno_key(p.odno()) == k) {
                Route::Park
            } else {
                Route::Adopt
            };
        }
        // A new order number: an order of ours waiting for its reply or unknown?
        let mut waiting = false;
        for id in book.in_flight.iter().filter(|id| of_day(id)) {
            if !self.fits(*id, obs) {
                continue;
            }
            match self.orders[id].state {
                OrderState::Unknown => return Route::Order(*id),
                OrderState::Sent => waiting = true,
                _ => {}
            }
        }
        if waiting { Route::Park } else { Route::Adopt }
    }

    /// Whether order `id` has no KIS number yet and `obs` shows an order of its content
    /// (symbol, side, quantity, price).
    fn fits(&self, id: OrderId, obs: &Obs) -> bool {
        let (symbol, side, qty, price) = obs.content();
        let o = &self.orders[&id];
        let i = &o.intent;
        !o.has_root()
            && i.symbol.trim() == symbol.trim()
            && i.side == side
            && qty.is_none_or(|q| q == i.qty)
            && match (i.price, price) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }

    pub(super) fn observe(&mut self, obs: Obs, out: &mut Applied) {
        match self.route(&obs) {
            Route::Order(id) => self.fold(id, obs, out),
            Route::Park => {
                self.book(&obs.account().clone()).parked.push(obs);
                out.parked = true;
            }
            // A refused modify or cancel of an order nobody knows says nothing about positions.
            Route::Adopt
                if matches!(&obs, Obs::Notice(n)
                    if n.kind == NoticeKind::Refused && n.rctf != Rctf::New) => {}
            Route::Adopt => {
                let id = OrderId(self.next.max(1));
                self.next = id.0 + 1;
                let intent = obs.external_intent();
                let acct = intent.account.clone();
                let mut order = Order::new(id, intent, true);
                let today = self.book(&acct).day;
                order.day = obs.day().or(today);
                let current = order.in_number_map(today);
                self.orders.insert(id, order);
                self.book(&acct).ids.push(id);
                out.adopted.push(id);
                if let Some(orig) = obs.orig().filter(|_| current) {
                    // The chain's earlier numbers find this order when they show up.
                    self.book(&acct).odnos.insert(odno_key(orig).to_owned(), id);
                }
                self.fold(id, obs, out);
                // An order of an earlier day shown by its inquiry: ended with its day.
                self.expire_if_past(id, out);
            }
        }
    }

    pub(super) fn retry_parked(&mut self, account: &AccountKey, out: &mut Applied) {
        let mut i = 0;
        loop {
            let Some(book) = self.books.get(account) else {
                return;
            };
            if i >= book.parked.len() {
                return;
            }
            if matches!(self.route(&book.parked[i]), Route::Park) {
                i += 1;
                continue;
            }
            let obs = self.book(account).parked.remove(i);
            self.observe(obs, out);
            i = 0;
        }
    }

    /// Folds a notice or row into order `id`, then runs the table.
    fn fold(&mut self, id: OrderId, obs: Obs, out: &mut Applied) {
        let kind = obs.link_kind();
        let refused = matches!(&obs, Obs::Notice(n) if n.kind == NoticeKind::Refused);
        let Some(o) = self.orders.get_mut(&id) else {
            return;
        };
        let (old_filled, old_amount) = (o.filled(), o.amount());
        let mut steps = Steps::default();
        let existing = o.member(obs.odno());
        // A refused modify or cancel never becomes a live link.
        let idx = match existing {
            Some(i) => Some(i),
            None if refused && kind != LinkKind::New => None,
            None => {
                let mut m = Member::new(ChainLink {
                    odno: obs.odno().trim().to_owned(),
                    orgno: None,
                    kind,
                    orig_odno: obs.orig().map(str::to_owned),
                });
                let ours = match (&o.pending, obs.orig()) {
                    (Some(Pending::Cancel { orig, qty }), Some(x))
                        if kind == LinkKind::Cancel && odno_key(orig) == odno_key(x) =>
                    {
                        Some(*qty)
                    }
                    _ => None,
                };
                m.cancel_qty = ours.flatten();
                if kind == LinkKind::Modify {
                    if let Some(Pending::Modify { price: Some(p), .. }) = &o.pending {
                        m.price = Some(*p);
                    }
                }
                o.members.push(m);
                match kind {
                    LinkKind::Modify => steps.push(Step::ModifyAccepted),
                    LinkKind::Cancel => steps.push(Step::CancelAccepted),
                    LinkKind::New => {}
                }
                Some(o.members.len() - 1)
            }
        };
        let (source, at) = match &obs {
            Obs::Notice(n) => (FillSource::Notice, n.time.clone()),
            Obs::Row(_, true) => (FillSource::Baseline, None),
            Obs::Row(_, false) => (FillSource::Inquiry, None),
        };
        match (&obs, idx) {
            (Obs::Notice(n), Some(i)) => {
                let m = &mut o.members[i];
                if kind == LinkKind::Cancel && n.order_qty.is_some() && n.kind == NoticeKind::Ack {
                    m.cancel_qty = n.order_qty;
                }
                if kind == LinkKind::New && o.external && n.order_qty.is_some() {
                    o.intent.qty = o.intent.qty.max(n.order_qty.unwrap_or(0));
                }
                if kind == LinkKind::Modify {
                    if let Some(p) = n.order_price.filter(|p| !p.is_zero()) {
                        m.price = Some(p);
                    }
                }
                match (n.kind, kind) {
                    (NoticeKind::Ack, LinkKind::New) => steps.push(Step::Accept),
                    (NoticeKind::Ack, LinkKind::Modify) => steps.push(Step::ModifyAccepted),
                    (NoticeKind::Ack, LinkKind::Cancel) => steps.push(Step::CancelAccepted),
                    (NoticeKind::Fill, _) => {
                        // A duplicate adds nothing; a new fill adds a Fill step below.
                        o.members[i].add_streamed(Fill {
                            qty: n.fill_qty,
                            price: n.fill_price.unwrap_or_default(),
                            at: n.time.clone(),
                            source: FillSource::Notice,
                        });
                        steps.push(Step::Accept);
                    }
                    (NoticeKind::Refused, _) => {
                        o.last_error = Some("refused by KIS (RFUS_YN)".into());
                        steps.push(Step::Reject);
                    }
                }
            }
            (Obs::Notice(n), None) => {
                o.last_error = Some("modify/cancel refused by KIS (RFUS_YN)".into());
                steps.push(match n.rctf {
                    Rctf::Cancel => Step::CancelRejected,
                    _ => Step::ModifyRejected,
                });
            }
            (Obs::Row(r, baseline), Some(i)) => {
                let whole_reject =
                    kind == LinkKind::New && r.rjct_qty >= r.ord_qty && r.tot_ccld_qty == 0;
                let m = &mut o.members[i];
                if !r.day.trim().is_empty() {
                    m.day = Some(r.day.trim().to_owned());
                }
                if kind == LinkKind::Cancel {
                    m.cancel_qty = Some(r.ord_qty);
                } else {
                    if kind == LinkKind::Modify {
                        if let Some(p) = r.ord_price.filter(|p| !p.is_zero()) {
                            m.price = Some(p);
                        }
                    }
                    let amount = r
                        .tot_ccld_amt
                        .unwrap_or_else(|| r.avg_prvs * Decimal::from(r.tot_ccld_qty));
                    m.raise_floor(Floor {
                        qty: r.tot_ccld_qty,
                        amount,
                        baseline: *baseline,
                    });
                    if r.rjct_qty > m.rejected_qty {
                        m.rejected_qty = r.rjct_qty;
                        if !whole_reject {
                            steps.push(Step::Settle);
                        }
                    }
                    if kind == LinkKind::New && o.external {
                        o.intent.qty = r.ord_qty;
                        o.intent.price = r.ord_price.filter(|p| !p.is_zero());
                    }
                }
                steps.push(if whole_reject {
                    Step::Reject
                } else if kind == LinkKind::Cancel {
                    Step::CancelAccepted
                } else {
                    Step::Accept
                });
            }
            (Obs::Row(..), None) => {}
        }
        let (new_filled, new_amount) = (o.filled(), o.amount());
        if new_filled > old_filled {
            let qty = new_filled - old_filled;
            out.fills.push((
                id,
                Fill {
                    qty,
                    price: (new_amount - old_amount) / Decimal::from(qty),
                    at,
                    source,
                },
            ));
            steps.push(Step::Fill);
        }
        if let Some(i) = idx {
            let key = odno_key(&o.members[i].link.odno);
            // Every order's account has a book (made with the order). The map holds the
            // account's day's numbers (and open orders').
            let today = self.books.get(&o.intent.account).and_then(|b| b.day);
            let current = o.in_number_map(today);
            if let Some(book) = self.books.get_mut(&o.intent.account) {
                if current && !book.odnos.contains_key(key) {
                    book.odnos.insert(key.to_owned(), id);
                }
            }
        }
        self.step(id, steps.as_slice(), out);
    }
}

/// The few steps one observation makes (a link learned, what it says, a fill), without a heap
/// allocation per event.
struct Steps {
    buf: [Step; 4],
    len: usize,
}

impl Default for Steps {
    fn default() -> Steps {
        Steps {
            buf: [Step::Accept; 4],
            len: 0,
        }
    }
}

impl Steps {
    fn push(&mut self, s: Step) {
        debug_assert!(self.len < self.buf.len(), "fold makes at most 4 steps");
        if self.len < self.buf.len() {
            self.buf[self.len] = s;
            self.len += 1;
        }
    }
    fn as_slice(&self) -> &[Step] {
        &self.buf[..self.len]
    }
}
