//! Every input of the ledger is an [`Event`]: the caller's requests, KIS's replies, execution
//! notices, inquiry rows, gaps and restarts, normalized from KIS's wire types by the layer that
//! talks to KIS. Events are what the journal stores (JSON, with [`EVENT_VERSION`]).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::drift::Drift;
use super::types::{AccountKey, Intent, OrderId, OrderKind, Side, Venue};

/// The version of the event encoding the journal writes (rows carry it; a newer version is
/// refused when read).
pub const EVENT_VERSION: u32 = 1;

/// One input of the ledger.
///
/// ```
/// use kis::ledger::{AccountKey, Event, Intent, Ledger, OrderState, Side};
/// use rust_decimal_macros::dec;
/// let mut ledger = Ledger::new();
/// let id = ledger.next_id();
/// let intent = Intent::new(AccountKey::parse("1234567801").unwrap(), "005930", Side::Buy, 10)
///     .limit(dec!(70000));
/// ledger.apply(Event::IntentRecorded { id, intent }).unwrap();
/// ledger.apply(Event::Sent { id }).unwrap();
/// ledger.apply(Event::ReplyAccepted { id, odno: "0000011".into(), orgno: Some("06010".into()), time: None }).unwrap();
/// assert_eq!(ledger.order(id).unwrap().state, OrderState::Accepted);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// A new order's intent, journaled before the request leaves. `id` is
    /// [`super::Ledger::next_id`]. Refused by the duplicate guard like
    /// [`super::Ledger::check_intent`] (an idempotency key already used is an error here).
    IntentRecorded {
        /// The new order's id.
        id: OrderId,
        /// What to send.
        intent: Intent,
    },
    /// The request is about to leave (journaled before it does).
    Sent {
        /// The order.
        id: OrderId,
    },
    /// KIS accepted the order (`rt_cd` 0): `ODNO`, `KRX_FWDG_ORD_ORGNO`, `ORD_TMD`.
    ReplyAccepted {
        /// The order.
        id: OrderId,
        /// `ODNO`.
        odno: String,
        /// `KRX_FWDG_ORD_ORGNO`.
        orgno: Option<String>,
        /// `ORD_TMD` (`HHMMSS`).
        time: Option<String>,
    },
    /// KIS rejected the order (`rt_cd` not 0). Final.
    ReplyRejected {
        /// The order.
        id: OrderId,
        /// `msg_cd`.
        msg_cd: String,
        /// `msg1`.
        msg: String,
    },
    /// No answer that says whether KIS got it (timeout, 5xx, redirect, connection lost).
    MaybeSent {
        /// The order.
        id: OrderId,
        /// Why, in words.
        reason: String,
    },
    /// An inquiry made after the request showed KIS has no such order. Final.
    ResolvedNotSent {
        /// The order.
        id: OrderId,
    },
    /// A modify request is about to leave: the moved quantity (`None`: all that is open) goes
    /// to the new price and/or kind.
    ModifyRequested {
        /// The order.
        id: OrderId,
        /// The KIS order number being modified (`ORGN_ODNO`).
        orig_odno: String,
        /// The new price.
        price: Option<Decimal>,
        /// The new kind (e.g. limit to market).
        kind: Option<OrderKind>,
        /// Shares moved (`None`: all open, `QTY_ALL_ORD_YN` Y).
        qty: Option<u64>,
    },
    /// KIS accepted the modify: its new order number.
    ModifyAccepted {
        /// The order.
        id: OrderId,
        /// The modify's `ODNO`.
        odno: String,
        /// `KRX_FWDG_ORD_ORGNO`.
        orgno: Option<String>,
        /// The order number it modified.
        orig_odno: String,
        /// `ORD_TMD`.
        time: Option<String>,
    },
    /// KIS rejected the modify (or an inquiry showed it never arrived): the order goes on as it
    /// was.
    ModifyRejected {
        /// The order.
        id: OrderId,
        /// `msg_cd` (empty when resolved by inquiry).
        msg_cd: String,
        /// `msg1` or the reason.
        msg: String,
    },
    /// A cancel request is about to leave (`qty` `None`: all that is open).
    CancelRequested {
        /// The order.
        id: OrderId,
        /// The KIS order number being cancelled.
        orig_odno: String,
        /// Shares to cancel (`None`: all open).
        qty: Option<u64>,
    },
    /// KIS accepted the cancel.
    CancelAccepted {
        /// The order.
        id: OrderId,
        /// The cancel's `ODNO`.
        odno: String,
        /// `KRX_FWDG_ORD_ORGNO`.
        orgno: Option<String>,
        /// The order number it cancelled.
        orig_odno: String,
        /// `ORD_TMD`.
        time: Option<String>,
    },
    /// KIS rejected the cancel (or an inquiry showed it never arrived).
    CancelRejected {
        /// The order.
        id: OrderId,
        /// `msg_cd`.
        msg_cd: String,
        /// `msg1` or the reason.
        msg: String,
    },
    /// KIS's day (KST) for the account is now `date`; journaled by the desk from KIS's clock
    /// before it acts on a new day, after the inquiry of the days before was applied. Order
    /// numbers are per day: orders are keyed by (day, number). Domestic orders of earlier days
    /// that are still open expired with their day (KIS day orders); ones no inquiry of their
    /// day showed are `NotSent`. Overseas orders (a US session spans KST midnight) are left to
    /// their inquiries. Idempotent; a date not after the ledger's day changes nothing.
    NewDay {
        /// The account.
        account: AccountKey,
        /// KIS's day.
        date: chrono::NaiveDate,
    },
    /// An execution notice (체결통보).
    Notice(Notice),
    /// One row of the daily executions inquiry (inquire-daily-ccld; overseas inquire-ccnl).
    Inquiry(InquiryRow),
    /// The account's executions when notices were subscribed: fills up to here are not new to
    /// the account (they are counted once, as [`super::FillSource::Baseline`]).
    Baseline {
        /// The account.
        account: AccountKey,
        /// The inquiry rows at subscription.
        rows: Vec<InquiryRow>,
    },
    /// Notices of the account may have been missed between `from` and `to` (KIS time text):
    /// the account needs reconciling.
    Gap {
        /// The account.
        account: AccountKey,
        /// Last notice time before the gap, if known.
        from: Option<String>,
        /// First time after it, if known.
        to: Option<String>,
    },
    /// The reconciler has applied a complete inquiry of the account: new orders may go.
    Reconciled {
        /// The account.
        account: AccountKey,
    },
    /// The process restarted on this journal: what was journaled or sent without an answer is
    /// unknown now, and the account needs reconciling.
    Restarted {
        /// The account.
        account: AccountKey,
    },
    /// The account's holdings when server day `day` began (`hldg_qty - thdt_buyqty +
    /// thdt_sll_qty` per symbol, from the first balance read that day): what drift is measured
    /// from. The first of a day wins; a new day's closes the previous day's drifts.
    HoldingsBaseline {
        /// The account.
        account: AccountKey,
        /// The server day (`YYYYMMDD`).
        day: String,
        /// Shares per symbol (non-zero ones).
        start: BTreeMap<String, i64>,
    },
    /// A comparison of a symbol's holding with the fills found a new or changed difference, or
    /// found a recorded one gone (`expected == actual`). See [`super::Ledger::check_drift`].
    DriftObserved {
        /// The account.
        account: AccountKey,
        /// What was compared.
        drift: Drift,
    },
}

/// What a notice says (`CNTG_YN`, `RFUS_YN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// `CNTG_YN` 1: the order, modify or cancel was received (접수).
    Ack,
    /// `CNTG_YN` 2: a fill (체결).
    Fill,
    /// `RFUS_YN` 1: refused (거부).
    Refused,
}

/// What the noticed order number is (`RCTF_CLS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rctf {
    /// 0: a new order.
    New,
    /// 1: a modify.
    Modify,
    /// 2: a cancel.
    Cancel,
}

/// An execution notice, normalized (domestic `H0STCNI0/9`, overseas `H0GSCNI0/9`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// The account (`ACNT_NO`).
    pub account: AccountKey,
    /// `ODER_NO`.
    pub odno: String,
    /// `OODER_NO` (`None` when empty or equal to `odno`).
    pub orig_odno: Option<String>,
    /// Ack, fill or refused.
    pub kind: NoticeKind,
    /// New, modify or cancel.
    pub rctf: Rctf,
    /// `STCK_SHRN_ISCD` / the overseas symbol.
    pub symbol: String,
    /// `SELN_BYOV_CLS`.
    pub side: Side,
    /// `ODER_QTY`.
    pub order_qty: Option<u64>,
    /// `ODER_PRC` (`None` or zero for market orders).
    pub order_price: Option<Decimal>,
    /// `CNTG_QTY` of a fill.
    pub fill_qty: u64,
    /// `CNTG_UNPR` of a fill.
    pub fill_price: Option<Decimal>,
    /// `STCK_CNTG_HOUR` (`HHMMSS`).
    pub time: Option<String>,
    /// The venue, when the notice says (used for orders placed elsewhere; KRX if `None`).
    #[serde(default)]
    pub venue: Option<Venue>,
}

/// One order number's cumulative row of the daily executions inquiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InquiryRow {
    /// The account.
    pub account: AccountKey,
    /// `ord_dt` (`YYYYMMDD`).
    pub day: String,
    /// `odno`.
    pub odno: String,
    /// `orgn_odno` (`None` when empty).
    pub orig_odno: Option<String>,
    /// `pdno`.
    pub symbol: String,
    /// `sll_buy_dvsn_cd`.
    pub side: Side,
    /// `ord_qty`.
    pub ord_qty: u64,
    /// `ord_unpr` (`None` or zero for market orders).
    pub ord_price: Option<Decimal>,
    /// `tot_ccld_qty`: filled so far (a floor: never lowers what the ledger knows).
    pub tot_ccld_qty: u64,
    /// `avg_prvs`.
    pub avg_prvs: Decimal,
    /// `tot_ccld_amt`, preferred over `avg_prvs × tot_ccld_qty` when given.
    pub tot_ccld_amt: Option<Decimal>,
    /// `rmn_qty`.
    pub rmn_qty: u64,
    /// `cncl_yn` Y: the row is a cancel.
    pub cncl_yn: bool,
    /// `rjct_qty`.
    pub rjct_qty: u64,
    /// The venue (`excg_id_dvsn_cd`, `ovrs_excg_cd`), used for orders placed elsewhere.
    #[serde(default)]
    pub venue: Option<Venue>,
}

impl Event {
    /// The order an event names, if it names one by local id.
    pub fn order_id(&self) -> Option<OrderId> {
        match self {
            Event::IntentRecorded { id, .. }
            | Event::Sent { id }
            | Event::ReplyAccepted { id, .. }
            | Event::ReplyRejected { id, .. }
            | Event::MaybeSent { id, .. }
            | Event::ResolvedNotSent { id }
            | Event::ModifyRequested { id, .. }
            | Event::ModifyAccepted { id, .. }
            | Event::ModifyRejected { id, .. }
            | Event::CancelRequested { id, .. }
            | Event::CancelAccepted { id, .. }
            | Event::CancelRejected { id, .. } => Some(*id),
            _ => None,
        }
    }

    /// The account an event names directly (events naming an order by id take its account).
    pub fn account(&self) -> Option<&AccountKey> {
        match self {
            Event::IntentRecorded { intent, .. } => Some(&intent.account),
            Event::Notice(n) => Some(&n.account),
            Event::Inquiry(r) => Some(&r.account),
            Event::Baseline { account, .. }
            | Event::Gap { account, .. }
            | Event::Reconciled { account }
            | Event::Restarted { account }
            | Event::NewDay { account, .. }
            | Event::HoldingsBaseline { account, .. }
            | Event::DriftObserved { account, .. } => Some(account),
            _ => None,
        }
    }

    /// A short name for errors and logs.
    pub fn name(&self) -> &'static str {
        match self {
            Event::IntentRecorded { .. } => "intent_recorded",
            Event::Sent { .. } => "sent",
            Event::ReplyAccepted { .. } => "reply_accepted",
            Event::ReplyRejected { .. } => "reply_rejected",
            Event::MaybeSent { .. } => "maybe_sent",
            Event::ResolvedNotSent { .. } => "resolved_not_sent",
            Event::ModifyRequested { .. } => "modify_requested",
            Event::ModifyAccepted { .. } => "modify_accepted",
            Event::ModifyRejected { .. } => "modify_rejected",
            Event::CancelRequested { .. } => "cancel_requested",
            Event::CancelAccepted { .. } => "cancel_accepted",
            Event::CancelRejected { .. } => "cancel_rejected",
            Event::Notice(_) => "notice",
            Event::Inquiry(_) => "inquiry",
            Event::Baseline { .. } => "baseline",
            Event::Gap { .. } => "gap",
            Event::Reconciled { .. } => "reconciled",
            Event::Restarted { .. } => "restarted",
            Event::NewDay { .. } => "new_day",
            Event::HoldingsBaseline { .. } => "holdings_baseline",
            Event::DriftObserved { .. } => "drift_observed",
        }
    }
}
