//! One order's record inside the ledger: its chain of KIS order numbers and, per number, the
//! facts learned about it (streamed fills, the inquiry's cumulative floor, cancelled and
//! rejected quantity). Everything here only grows; quantities and the view are derived.

use rust_decimal::Decimal;

use super::table::Qty;
use super::types::{ChainLink, Fill, FillSource, Intent, LinkKind, OrderId, OrderState, OrderView};

/// The key an order number is known by: KIS pads order numbers with zeros in some places and
/// not in others.
pub(crate) fn odno_key(odno: &str) -> &str {
    let t = odno.trim();
    let k = t.trim_start_matches('0');
    if k.is_empty() && !t.is_empty() {
        "0"
    } else {
        k
    }
}

/// A request of ours that is out.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Pending {
    Modify {
        orig: String,
        price: Option<Decimal>,
        qty: Option<u64>,
    },
    Cancel {
        orig: String,
        qty: Option<u64>,
    },
}

/// What an inquiry (or the baseline) said a KIS order number had filled in total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Floor {
    pub qty: u64,
    pub amount: Decimal,
    /// Whether the highest floor came from the baseline.
    pub baseline: bool,
}

/// One KIS order number of the chain.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub link: ChainLink,
    /// Fills from notices, each counted once (KIS gives no execution id: the key is the fill's
    /// content, quantity, price and time, within this order number).
    pub streamed: Vec<Fill>,
    pub streamed_qty: u64,
    pub streamed_amount: Decimal,
    pub floor: Floor,
    /// A cancel link's quantity: `None` = all that was open.
    pub cancel_qty: Option<u64>,
    /// Quantity KIS rejected (inquiry `rjct_qty`).
    pub rejected_qty: u64,
    /// The order number's own price (a modify's new price), when known.
    pub price: Option<Decimal>,
    /// The server day an inquiry row placed it on (`ord_dt`), once one has.
    pub day: Option<String>,
}

impl Member {
    pub fn new(link: ChainLink) -> Member {
        Member {
            link,
            streamed: Vec::new(),
            streamed_qty: 0,
            streamed_amount: Decimal::ZERO,
            floor: Floor::default(),
            cancel_qty: None,
            rejected_qty: 0,
            price: None,
            day: None,
        }
    }

    /// Filled: what the notices showed, or the inquiry's floor if higher.
    pub fn filled(&self) -> u64 {
        self.streamed_qty.max(self.floor.qty)
    }

    /// Notional of the fills (the floor's amount when it is ahead of the notices).
    pub fn amount(&self) -> Decimal {
        if self.streamed_qty >= self.floor.qty {
            self.streamed_amount
        } else {
            self.floor.amount
        }
    }

    /// Records a streamed fill unless the same fill was seen; whether it was new.
    pub fn add_streamed(&mut self, fill: Fill) -> bool {
        if self
            .streamed
            .iter()
            .any(|f| f.qty == fill.qty && f.price == fill.price && f.at == fill.at)
        {
            return false;
        }
        self.streamed_qty += fill.qty;
        self.streamed_amount += fill.notional();
        self.streamed.push(fill);
        true
    }

    /// Raises the floor (never lowers it); whether it moved.
    pub fn raise_floor(&mut self, floor: Floor) -> bool {
        let f = &mut self.floor;
        if (floor.qty, floor.amount) > (f.qty, f.amount) {
            *f = floor;
            true
        } else {
            // The baseline wins a tie, whichever came first.
            if (floor.qty, floor.amount) == (f.qty, f.amount) && floor.baseline {
                f.baseline = true;
            }
            false
        }
    }
}

/// One order: the intent, the chain, the state.
#[derive(Debug, Clone)]
pub(crate) struct Order {
    pub id: OrderId,
    pub intent: Intent,
    pub state: OrderState,
    pub members: Vec<Member>,
    pub pending: Option<Pending>,
    pub external: bool,
    pub last_error: Option<String>,
    /// KIS's day of the order (order numbers are per day).
    pub day: Option<chrono::NaiveDate>,
    /// KIS's day ended with quantity open: a domestic day order expires with it.
    pub expired: bool,
}

impl Order {
    pub fn new(id: OrderId, intent: Intent, external: bool) -> Order {
        Order {
            id,
            intent,
            state: if external {
                OrderState::Accepted
            } else {
                OrderState::Journaled
            },
            members: Vec::new(),
            pending: None,
            external,
            last_error: None,
            day: None,
            expired: false,
        }
    }

    /// The current price: that of the newest modify (KIS order numbers grow), else the
    /// intent's.
    pub fn price(&self) -> Option<Decimal> {
        self.members
            .iter()
            .filter(|m| m.link.kind == LinkKind::Modify && m.price.is_some())
            .max_by(|a, b| {
                let (a, b) = (odno_key(&a.link.odno), odno_key(&b.link.odno));
                (a.len(), a).cmp(&(b.len(), b))
            })
            .and_then(|m| m.price)
            .or(self.intent.price)
    }

    /// Whether the account's number map routes to this order on the account's day `today`:
    /// the day's orders, and older overseas orders still open (a US session spans KST
    /// midnight). Finished orders of earlier days are found by day (KIS reuses numbers).
    pub fn in_number_map(&self, today: Option<chrono::NaiveDate>) -> bool {
        today.is_none()
            || self.day.is_none()
            || self.day == today
            || (!self.state.is_done() && self.intent.venue.is_overseas())
    }

    pub fn member(&self, odno: &str) -> Option<usize> {
        let k = odno_key(odno);
        self.members
            .iter()
            .position(|m| odno_key(&m.link.odno) == k)
    }

    /// Whether the chain has its original order number.
    pub fn has_root(&self) -> bool {
        self.members.iter().any(|m| m.link.kind == LinkKind::New)
    }

    pub fn filled(&self) -> u64 {
        self.members
            .iter()
            .filter(|m| m.link.kind != LinkKind::Cancel)
            .map(Member::filled)
            .sum()
    }

    pub fn amount(&self) -> Decimal {
        self.members
            .iter()
            .filter(|m| m.link.kind != LinkKind::Cancel)
            .map(Member::amount)
            .sum()
    }

    pub fn qty(&self) -> Qty {
        let filled = self.filled();
        let open = self.intent.qty.saturating_sub(filled);
        let mut all = self.expired;
        let mut taken: u64 = 0;
        for m in &self.members {
            taken = taken.saturating_add(m.rejected_qty);
            if m.link.kind == LinkKind::Cancel {
                match m.cancel_qty {
                    Some(q) => taken = taken.saturating_add(q),
                    None => all = true,
                }
            }
        }
        let cancelled = if all { open } else { taken.min(open) };
        Qty {
            filled,
            remaining: open - cancelled,
            cancelled,
        }
    }

    /// The fills, adding up to `filled`: the notices' fills, then per order number the part an
    /// inquiry showed beyond them.
    pub fn fills(&self) -> Vec<Fill> {
        let mut out: Vec<Fill> = Vec::new();
        for m in self
            .members
            .iter()
            .filter(|m| m.link.kind != LinkKind::Cancel)
        {
            out.extend(m.streamed.iter().cloned());
            if m.floor.qty > m.streamed_qty {
                let qty = m.floor.qty - m.streamed_qty;
                let amount = m.floor.amount - m.streamed_amount;
                out.push(Fill {
                    qty,
                    price: amount / Decimal::from(qty),
                    at: None,
                    source: if m.floor.baseline {
                        FillSource::Baseline
                    } else {
                        FillSource::Inquiry
                    },
                });
            }
        }
        out
    }

    pub fn view(&self) -> OrderView {
        let mut q = self.qty();
        if matches!(self.state, OrderState::Rejected | OrderState::NotSent) {
            // Nothing is open at KIS, and nothing was cancelled.
            q.remaining = 0;
            q.cancelled = 0;
        }
        OrderView {
            id: self.id,
            intent: self.intent.clone(),
            state: self.state,
            chain: self.members.iter().map(|m| m.link.clone()).collect(),
            filled: q.filled,
            avg_price: (q.filled > 0).then(|| self.amount() / Decimal::from(q.filled)),
            fills: self.fills(),
            remaining: q.remaining,
            cancelled: q.cancelled,
            price: self.price(),
            external: self.external,
            last_error: self.last_error.clone(),
            day: self.day,
        }
    }
}
