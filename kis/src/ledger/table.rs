//! The one transition table of an order's state: `(state, step) → next state`.
//!
//! The ledger first folds an event's facts into the order (fills, chain links, cancelled
//! quantity; all monotonic), then turns the event into a [`Step`] and asks [`next`] where the
//! state goes, given the order's quantities ([`Qty`]). `docs/ARCHITECTURE.md` ("Ledger") has
//! this table in prose; the tests below check each row.

use super::types::OrderState;

/// What an event means for an order's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// The request leaves (`Sent`).
    Send,
    /// No answer that says whether KIS got it (`MaybeSent`).
    MaybeSent,
    /// An inquiry found no such order (`ResolvedNotSent`).
    Absent,
    /// KIS has the order: a reply, an acknowledgement notice, an inquiry row.
    Accept,
    /// KIS refused the order itself (reply, refused notice, inquiry row rejected in full).
    Reject,
    /// Filled quantity grew (notice, or an inquiry floor).
    Fill,
    /// Quantity was taken away by KIS (an inquiry's rejected quantity).
    Settle,
    /// The caller asks for a modify.
    ModifyRequest,
    /// A modify link was learned (reply, notice or inquiry; ours or placed elsewhere).
    ModifyAccepted,
    /// Our modify was refused or never arrived.
    ModifyRejected,
    /// The caller asks for a cancel.
    CancelRequest,
    /// A cancel link was learned (reply, notice or inquiry; ours or placed elsewhere).
    CancelAccepted,
    /// Our cancel was refused or never arrived.
    CancelRejected,
    /// The process restarted on the journal.
    Restart,
    /// KIS's day of a domestic order ended (`NewDay`): what is open expired; an order no
    /// inquiry of its day showed was never at KIS; one still in flight (journaled or sent,
    /// no answer yet) may reach KIS on the new day and stays (it takes the new day).
    Expire,
}

/// The order's quantities after the event's facts were folded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Qty {
    pub filled: u64,
    pub remaining: u64,
    pub cancelled: u64,
}

/// Where the table sends an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// The new state.
    To(OrderState),
    /// The caller's request is not allowed in this state: refused before anything is sent,
    /// nothing changes.
    Refused,
    /// KIS's sources contradict each other: the state given, and the reason recorded on the
    /// order (nothing is dropped: quantities were folded in already).
    Anomaly(OrderState, &'static str),
}

/// The state the quantities alone say: open (accepted / partially filled) or done (filled /
/// cancelled).
pub(crate) fn by_quantity(q: Qty) -> OrderState {
    if q.remaining > 0 {
        if q.filled > 0 {
            OrderState::PartiallyFilled
        } else {
            OrderState::Accepted
        }
    } else if q.cancelled > 0 {
        OrderState::Cancelled
    } else {
        OrderState::Filled
    }
}

/// The transition table.
pub(crate) fn next(state: OrderState, step: Step, q: Qty) -> Next {
    use Next::{Anomaly, Refused, To};
    use OrderState::*;
    use Step::*;
    let live = by_quantity(q);
    // A pending modify/cancel survives what does not end the order.
    let keep = |pending: OrderState| if live.is_done() { live } else { pending };
    match (state, step) {
        // ── The caller's requests: only from these states; anything else is refused. ──
        (Journaled, Send) => To(Sent),
        (_, Send) => Refused,
        (Accepted | PartiallyFilled, ModifyRequest) => To(PendingModify),
        (_, ModifyRequest) => Refused,
        (Accepted | PartiallyFilled, CancelRequest) => To(PendingCancel),
        (_, CancelRequest) => Refused,

        // ── No answer: it may be at KIS. Resolved by inquiry only, never by re-sending. ──
        (Journaled | Sent | Unknown, MaybeSent) => To(Unknown),
        // A notice or inquiry answered before the transport gave up: KIS has it.
        (s, MaybeSent) => To(s),
        // A crash between journaling and the answer.
        (Journaled | Sent, Restart) => To(Unknown),
        (s, Restart) => To(s),
        // ── KIS's day ended (its inquiry of that day was applied first). ──
        // Still in flight: its answer decides (KIS may take it on the new day).
        (Journaled, Expire) => To(Journaled),
        (Sent, Expire) => To(Sent),
        (Unknown, Expire) => To(NotSent),
        (Accepted | PartiallyFilled | PendingModify | PendingCancel, Expire) => To(live),
        (s, Expire) => To(s),

        (Journaled | Sent | Unknown | NotSent, Absent) => To(NotSent),
        (s, Absent) => Anomaly(s, "an inquiry found no order that KIS had answered for"),

        // ── KIS has it. A notice may come before the reply: both lead here. ──
        (Journaled | Sent | Unknown, Accept | Fill | Settle | ModifyAccepted | CancelAccepted) => {
            To(live)
        }
        // Real world: an inquiry made before KIS registered the order.
        (NotSent, Accept | Fill | Settle | ModifyAccepted | CancelAccepted) => {
            Anomaly(live, "KIS showed an order an inquiry had not found")
        }
        (Accepted | PartiallyFilled, Accept | Fill | Settle | ModifyAccepted | CancelAccepted) => {
            To(live)
        }
        // Filled and cancelled never reopen; a late fill may turn a cancel into a fill (the
        // cancel crossed the last fill).
        (Filled | Cancelled, Accept | Fill | Settle | ModifyAccepted | CancelAccepted) => {
            To(if live.is_done() { live } else { state })
        }
        (PendingModify, Accept | Fill | Settle | CancelAccepted) => To(keep(PendingModify)),
        (PendingModify, ModifyAccepted | ModifyRejected) => To(live),
        (PendingCancel, Accept | Fill | Settle | ModifyAccepted) => To(keep(PendingCancel)),
        (PendingCancel, CancelAccepted | CancelRejected) => To(live),
        // A duplicated or late refusal of a modify/cancel that is no longer pending.
        (Accepted | PartiallyFilled | Filled | Cancelled, ModifyRejected | CancelRejected) => {
            To(state)
        }
        (s, ModifyRejected | CancelRejected) => {
            Anomaly(s, "a modify/cancel refusal for an order without one")
        }

        // ── Rejections are final. ──
        (Journaled | Sent | Unknown | NotSent | Accepted, Reject) => To(Rejected),
        // Real world: the exchange refuses an order KIS had accepted (RFUS_YN after the reply).
        (PendingModify | PendingCancel, Reject) if q.filled == 0 => To(Rejected),
        (Rejected, Reject | Accept) => To(Rejected),
        (Rejected, _) => Anomaly(Rejected, "KIS reported activity on a rejected order"),
        (s, Reject) => Anomaly(s, "a rejection of an order that has fills"),
    }
}

#[cfg(test)]
mod tests {
    use super::Next::*;
    use super::OrderState::*;
    use super::Step::*;
    use super::*;

    const OPEN: Qty = Qty {
        filled: 0,
        remaining: 10,
        cancelled: 0,
    };
    const PART: Qty = Qty {
        filled: 4,
        remaining: 6,
        cancelled: 0,
    };
    const FULL: Qty = Qty {
        filled: 10,
        remaining: 0,
        cancelled: 0,
    };
    const CANCELLED: Qty = Qty {
        filled: 4,
        remaining: 0,
        cancelled: 6,
    };

    #[test]
    fn requests_only_from_their_states() {
        assert_eq!(next(Journaled, Send, OPEN), To(Sent));
        assert_eq!(next(Sent, Send, OPEN), Refused);
        assert_eq!(
            next(Unknown, Send, OPEN),
            Refused,
            "unknown is never re-sent"
        );
        for s in [Accepted, PartiallyFilled] {
            assert_eq!(next(s, ModifyRequest, OPEN), To(PendingModify));
            assert_eq!(next(s, CancelRequest, OPEN), To(PendingCancel));
        }
        for s in [
            Journaled,
            Sent,
            Unknown,
            Filled,
            Cancelled,
            Rejected,
            NotSent,
            PendingModify,
            PendingCancel,
        ] {
            assert_eq!(next(s, ModifyRequest, OPEN), Refused, "{s:?}");
            assert_eq!(next(s, CancelRequest, OPEN), Refused, "{s:?}");
        }
    }

    #[test]
    fn unknown_is_resolved_by_inquiry_only() {
        assert_eq!(next(Sent, MaybeSent, OPEN), To(Unknown));
        // KIS's day ends: in flight stays (its answer decides), unknown was never at KIS.
        assert_eq!(next(Sent, Expire, OPEN), To(Sent));
        assert_eq!(next(Journaled, Expire, OPEN), To(Journaled));
        assert_eq!(next(Unknown, Expire, OPEN), To(NotSent));
        assert_eq!(next(Journaled, Restart, OPEN), To(Unknown));
        assert_eq!(next(Sent, Restart, OPEN), To(Unknown));
        assert_eq!(next(Unknown, Absent, OPEN), To(NotSent));
        assert_eq!(next(Unknown, Accept, OPEN), To(Accepted));
        assert_eq!(next(Unknown, Fill, PART), To(PartiallyFilled));
        assert_eq!(next(Unknown, Reject, OPEN), To(Rejected));
        // A late transport timeout does not undo an answer.
        assert_eq!(next(Accepted, MaybeSent, OPEN), To(Accepted));
        assert_eq!(next(PartiallyFilled, Restart, PART), To(PartiallyFilled));
    }

    #[test]
    fn a_notice_before_the_reply_moves_the_order_on() {
        assert_eq!(next(Sent, Fill, PART), To(PartiallyFilled));
        assert_eq!(next(PartiallyFilled, Accept, PART), To(PartiallyFilled));
        assert_eq!(next(Sent, Fill, FULL), To(Filled));
        assert_eq!(next(Filled, Accept, FULL), To(Filled));
    }

    #[test]
    fn pending_requests_survive_fills_until_the_order_ends() {
        assert_eq!(next(PendingCancel, Fill, PART), To(PendingCancel));
        assert_eq!(next(PendingCancel, Fill, FULL), To(Filled));
        assert_eq!(next(PendingModify, Fill, PART), To(PendingModify));
        assert_eq!(
            next(PendingModify, ModifyAccepted, PART),
            To(PartiallyFilled)
        );
        assert_eq!(next(PendingModify, ModifyRejected, OPEN), To(Accepted));
        assert_eq!(
            next(PendingCancel, CancelAccepted, CANCELLED),
            To(Cancelled)
        );
        assert_eq!(
            next(PendingCancel, CancelRejected, PART),
            To(PartiallyFilled)
        );
        // A partial cancel leaves the order open.
        assert_eq!(
            next(PendingCancel, CancelAccepted, PART),
            To(PartiallyFilled)
        );
    }

    #[test]
    fn done_orders_never_reopen() {
        assert_eq!(next(Cancelled, Fill, PART), To(Cancelled));
        assert_eq!(next(Filled, Accept, OPEN), To(Filled));
        // The cancel crossed the last fill.
        assert_eq!(next(Cancelled, Fill, FULL), To(Filled));
        assert_eq!(next(Filled, CancelRejected, FULL), To(Filled));
    }

    #[test]
    fn a_rejection_is_final() {
        assert_eq!(next(Sent, Reject, OPEN), To(Rejected));
        assert_eq!(next(Accepted, Reject, OPEN), To(Rejected));
        assert_eq!(next(Rejected, Accept, OPEN), To(Rejected));
        assert!(matches!(next(Rejected, Fill, PART), Anomaly(Rejected, _)));
        assert!(matches!(
            next(PartiallyFilled, Reject, PART),
            Anomaly(PartiallyFilled, _)
        ));
        assert_eq!(next(PendingCancel, Reject, OPEN), To(Rejected));
    }

    #[test]
    fn not_sent_contradicted_by_kis_follows_kis() {
        assert!(matches!(
            next(NotSent, Fill, PART),
            Anomaly(PartiallyFilled, _)
        ));
        assert!(matches!(next(Accepted, Absent, OPEN), Anomaly(Accepted, _)));
    }

    #[test]
    fn quantities_decide_open_or_done() {
        assert_eq!(by_quantity(OPEN), Accepted);
        assert_eq!(by_quantity(PART), PartiallyFilled);
        assert_eq!(by_quantity(FULL), Filled);
        assert_eq!(by_quantity(CANCELLED), Cancelled);
    }
}
