//! The control API: faults and the account's truth over the wire, under the reserved REST
//! prefix `/__mock/`, for harnesses in any language (and this crate's own tests).
//!
//! Off unless [`crate::MockConfig::control`] (`--control`) is set, and answered only to loopback
//! peers. Every wire fault drives the same [`Faults`] state the in-process methods do, so a
//! test can arm a fault either way. The table of paths is in the crate README.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hyper::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::account::{Notice, OrderKind};
use crate::faults::Faults;
use crate::rest::Reply;
use crate::server::{Shared, lock};

/// The reserved path prefix of the control API.
pub(crate) const PREFIX: &str = "/__mock/";

/// What happens to the reply of the next successful orders ([`Faults::order_reply`]). The
/// order itself is accepted and booked (and may fill) in every case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderReplyFault {
    /// Answer HTTP 500 (`EGW00001`) instead of the order's success: "maybe sent".
    Http500,
    /// Never answer: the connection stays open and silent until the client gives up.
    NoAnswer,
    /// Hold the reply until the order's notice went out on the websocket (at most 1 s), so
    /// the notice arrives first.
    NoticeFirst,
}

impl OrderReplyFault {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "http500" | "500" => Some(Self::Http500),
            "no-answer" | "never" => Some(Self::NoAnswer),
            "notice-first" => Some(Self::NoticeFirst),
            _ => None,
        }
    }
}

/// The wire-level faults, kept inside [`Faults`]' state (cleared with it).
#[derive(Debug, Default, Clone)]
pub(crate) struct WireFaults {
    /// Notices still to suppress (a gap by count).
    gap_count: u32,
    /// Suppress notices until then (a gap by time).
    gap_until: Option<Instant>,
    /// Notices still to send twice.
    duplicate: u32,
    /// What the next successful order replies do, and how many more.
    order_reply: Option<(OrderReplyFault, u32)>,
    /// Requests still to refuse with `EGW00201`.
    rate_limit: u32,
    /// Domestic cash orders still to accept and then refuse (`RFUS_YN` 1).
    refuse: u32,
}

/// The signal that drops every websocket session now: a counter bumped per drop.
#[derive(Debug)]
pub(crate) struct DropSignal(watch::Sender<u64>);

impl Default for DropSignal {
    fn default() -> Self {
        DropSignal(watch::channel(0).0)
    }
}

/// Resolves when [`Faults::drop_ws_now`] is called after `rx` was made (never if the signal is
/// gone).
pub(crate) async fn dropped(rx: &mut watch::Receiver<u64>) {
    if rx.changed().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// In-process versions of the control API's faults (the wire API calls these).
impl Faults {
    /// Drops every open websocket session now (no close frame). For "every N messages" see
    /// [`Faults::drop_ws_after`].
    pub fn drop_ws_now(&self) {
        self.drop_signal().0.send_modify(|n| *n += 1);
    }

    /// Suppresses the next `count` execution notices (a gap): the orders and fills behind
    /// them happen, only the websocket never carries them.
    pub fn gap_notices(&self, count: u32) {
        self.with_wire(|w| w.gap_count = count);
    }

    /// Suppresses every execution notice for `window` from now (`Duration::ZERO`: off).
    pub fn gap_notices_for(&self, window: Duration) {
        self.with_wire(|w| w.gap_until = (!window.is_zero()).then(|| Instant::now() + window));
    }

    /// Sends each of the next `count` execution notices twice.
    pub fn duplicate_notices(&self, count: u32) {
        self.with_wire(|w| w.duplicate = count);
    }

    /// Applies `fault` to the replies of the next `times` successful orders (new, modify and
    /// cancel, domestic and overseas): each order is executed and booked all the same.
    pub fn order_reply(&self, fault: OrderReplyFault, times: u32) {
        self.with_wire(|w| w.order_reply = (times > 0).then_some((fault, times)));
    }

    /// The next `times` domestic cash orders (`order-cash`) are accepted (`rt_cd` 0 with an
    /// `ODNO`) and then refused by the exchange: their notice has `CNTG_YN` 1 and `RFUS_YN` 1,
    /// they never rest on the book or fill, and the daily executions show `rjct_qty` =
    /// `ord_qty`.
    pub fn refuse_orders(&self, times: u32) {
        self.with_wire(|w| w.refuse = times);
    }

    /// Whether this order is to be refused after it was accepted ([`Faults::refuse_orders`]).
    pub(crate) fn take_refusal(&self) -> bool {
        self.with_wire(|w| {
            let hit = w.refuse > 0;
            w.refuse = w.refuse.saturating_sub(1);
            hit
        })
    }

    /// Refuses the next `times` API requests (any path but OAuth and the control API) with
    /// `EGW00201` (초당 거래건수를 초과하였습니다), as a burst over the rate limit does.
    pub fn rate_limit_burst(&self, times: u32) {
        self.with_wire(|w| w.rate_limit = times);
    }

    pub(crate) fn drop_receiver(&self) -> watch::Receiver<u64> {
        self.drop_signal().0.subscribe()
    }

    /// Whether the next notice is suppressed, and whether it is sent twice.
    fn take_notice_faults(&self) -> (bool, bool) {
        self.with_wire(|w| {
            let timed = w.gap_until.is_some_and(|t| Instant::now() < t);
            let gap = if timed {
                true
            } else if w.gap_count > 0 {
                w.gap_count -= 1;
                true
            } else {
                false
            };
            let dup = !gap && w.duplicate > 0;
            if dup {
                w.duplicate -= 1;
            }
            (gap, dup)
        })
    }

    fn take_order_reply(&self) -> Option<OrderReplyFault> {
        self.with_wire(|w| {
            let (fault, n) = w.order_reply.as_mut()?;
            let fault = *fault;
            *n -= 1;
            if *n == 0 {
                w.order_reply = None;
            }
            Some(fault)
        })
    }

    fn take_rate_limited(&self) -> bool {
        self.with_wire(|w| {
            let hit = w.rate_limit > 0;
            w.rate_limit = w.rate_limit.saturating_sub(1);
            hit
        })
    }
}

/// One execution, as the control API's truth lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FillRecord {
    pub odno: String,
    pub symbol: String,
    pub sell: bool,
    pub qty: u64,
    /// The price as KIS writes it (`74000`, `195.25`).
    pub price: String,
    /// Venue-local trading day (`YYYYMMDD`) and time (`HHMMSS`).
    pub day: String,
    pub time: String,
}

impl FillRecord {
    pub(crate) fn json(&self, market: &str) -> Value {
        json!({
            "market": market,
            "odno": self.odno,
            "symbol": self.symbol,
            "side": side(self.sell),
            "qty": self.qty,
            "price": self.price,
            "day": self.day,
            "time": self.time,
        })
    }
}

fn side(sell: bool) -> &'static str {
    if sell { "sell" } else { "buy" }
}

/// Most notices the truth remembers (older ones are counted, not kept).
const NOTICE_LOG: usize = 10_000;

/// Every notice the account generated, with what happened to it on the wire.
#[derive(Debug, Default)]
pub(crate) struct NoticeLog {
    inner: Mutex<(VecDeque<Value>, u64)>,
    /// Notice frames written to a websocket (after the write, unlike `notices_sent`).
    written: AtomicU64,
}

impl NoticeLog {
    /// Counts a notice frame written to a socket.
    pub fn mark_written(&self) {
        self.written.fetch_add(1, Ordering::Relaxed);
    }

    /// Notice frames written so far.
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    fn push(&self, notice: &Notice, delivered: bool, copies: u32) {
        let mut log = lock(&self.inner);
        log.1 += 1;
        let seq = log.1;
        let fill = notice.get("CNTG_YN") == "2";
        log.0.push_back(json!({
            "seq": seq,
            "tr": notice.tr,
            "odno": notice.get("ODER_NO"),
            "orig_odno": notice.get("OODER_NO"),
            "symbol": notice.get("STCK_SHRN_ISCD"),
            "kind": if notice.get("RFUS_YN") == "1" {
                "refused"
            } else if fill {
                "fill"
            } else {
                "accept"
            },
            "rctf_cls": notice.get("RCTF_CLS"),
            "qty": notice_qty(notice, fill),
            "price": notice_price(notice, fill),
            "time": notice.get("STCK_CNTG_HOUR"),
            "delivered": delivered,
            "copies": copies,
        }));
        if log.0.len() > NOTICE_LOG {
            log.0.pop_front();
        }
    }

    fn json(&self) -> (Vec<Value>, u64) {
        let log = lock(&self.inner);
        let kept = log.0.len() as u64;
        (log.0.iter().cloned().collect(), log.1 - kept)
    }
}

/// A notice's quantity: the fill's, or the order's (`ODER_QTY`; the overseas acceptance carries
/// it in `CNTG_QTY`).
fn notice_qty(notice: &Notice, fill: bool) -> u64 {
    let text = match (fill, notice.get("ODER_QTY").trim()) {
        (false, q) if !q.is_empty() => q,
        _ => notice.get("CNTG_QTY"),
    };
    text.trim().parse().unwrap_or(0)
}

/// A notice's price as text: the overseas TR carries 4 implied decimals (`001952500` is
/// 195.25); the domestic one whole won (`ODER_PRC` on acceptance).
fn notice_price(notice: &Notice, fill: bool) -> String {
    if notice.tr == "H0IFCNI" {
        let units: i64 = notice
            .get(if fill { "CNTG_UNPR" } else { "ORDER_PRC" })
            .trim()
            .parse()
            .unwrap_or(0);
        return crate::market::product::fmt_units(units, 2);
    }
    if notice.tr == "H0GSCNI" {
        let e4: i64 = notice.get("CNTG_UNPR").trim().parse().unwrap_or(0);
        return crate::market::product::fmt_units(e4 / 100, 2);
    }
    let text = notice.get(if fill { "CNTG_UNPR" } else { "ODER_PRC" });
    text.trim().to_owned()
}

/// Hands a notice to the websocket sessions, applying the gap and duplicate faults and
/// logging it for the truth.
pub(crate) fn publish(sh: &Shared, notice: Notice) {
    let (gap, dup) = sh.faults.take_notice_faults();
    let copies = match (gap, dup) {
        (true, _) => 0,
        (false, true) => 2,
        (false, false) => 1,
    };
    sh.notice_log.push(&notice, !gap, copies);
    for _ in 1..copies {
        let _ = sh.notices.send(notice.clone());
    }
    if copies > 0 {
        let _ = sh.notices.send(notice);
    }
}

/// Whether a request counts against the rate-limit burst fault (OAuth and control excluded).
pub(crate) fn rate_limited(sh: &Shared, path: &str) -> bool {
    !path.starts_with("/oauth2/") && !path.starts_with(PREFIX) && sh.faults.take_rate_limited()
}

/// Whether a request is an order (new, modify, cancel): a POST to an `order*` endpoint.
fn is_order(method: &Method, path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or("");
    method == Method::POST && (last.starts_with("order") || last.starts_with("daytime-order"))
}

/// Applies the order-reply fault to a successful order's reply; `notices_before` is
/// [`NoticeLog::written`] before the order was handled.
pub(crate) async fn order_reply(
    sh: &Shared,
    method: &Method,
    path: &str,
    reply: Reply,
    notices_before: u64,
) -> Reply {
    let ok = reply.status == StatusCode::OK && reply.body["rt_cd"] == "0";
    if !ok || !is_order(method, path) {
        return reply;
    }
    match sh.faults.take_order_reply() {
        None => reply,
        Some(OrderReplyFault::Http500) => Reply::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "EGW00001",
            "일시적인 오류가 발생했습니다.",
        ),
        Some(OrderReplyFault::NoAnswer) => {
            let mut shutdown = sh.shutdown.clone();
            crate::server::stopped(&mut shutdown).await;
            reply
        }
        Some(OrderReplyFault::NoticeFirst) => {
            let deadline = Instant::now() + Duration::from_secs(1);
            while sh.notice_log.written() <= notices_before && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            // The frame is in the socket: give the client a moment to read it.
            tokio::time::sleep(Duration::from_millis(100)).await;
            reply
        }
    }
}

/// The control API's answer to a request under [`PREFIX`], or `None` for any other path.
pub(crate) fn route(
    sh: &Shared,
    peer: Option<SocketAddr>,
    method: &Method,
    path: &str,
    body: &[u8],
) -> Option<Reply> {
    let op = path.strip_prefix(PREFIX)?;
    if !sh.config.control {
        return Some(Reply::error(
            StatusCode::NOT_FOUND,
            "EGW00404",
            format!("없는 경로입니다: {path}"),
        ));
    }
    if !loopback(peer) {
        return Some(answer(
            StatusCode::FORBIDDEN,
            json!({"ok": false, "error": "the control API answers loopback peers only"}),
        ));
    }
    let body: Value = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(body) {
            Ok(v @ Value::Object(_)) => v,
            _ => return Some(bad("the body must be a JSON object")),
        }
    };
    Some(match (method, op) {
        (&Method::GET, "truth") => answer(StatusCode::OK, truth(sh)),
        (&Method::POST, fault) => match apply(sh, fault, &body) {
            Ok(()) => answer(
                StatusCode::OK,
                json!({"ok": true,
                       "time": sh.market.now().format("%Y-%m-%dT%H:%M:%S%.3f").to_string()}),
            ),
            Err(e) => bad(&e),
        },
        _ => answer(
            StatusCode::NOT_FOUND,
            json!({"ok": false, "error": format!("no control endpoint {method} {path}")}),
        ),
    })
}

/// Whether a peer may use the control API: loopback only (IPv4 `127/8`, IPv6 `::1`, and
/// IPv4-mapped loopback).
fn loopback(peer: Option<SocketAddr>) -> bool {
    peer.is_some_and(|p| match p.ip() {
        std::net::IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map_or(v6.is_loopback(), |v4| v4.is_loopback()),
        ip => ip.is_loopback(),
    })
}

fn answer(status: StatusCode, body: Value) -> Reply {
    Reply {
        status,
        body,
        tr_id: None,
        tr_cont: None,
    }
}

fn bad(error: &str) -> Reply {
    answer(
        StatusCode::BAD_REQUEST,
        json!({"ok": false, "error": error}),
    )
}

/// A count field (`times`, `count`, `every`): absent is `default`.
fn count(body: &Value, name: &str, default: u32) -> Result<u32, String> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| format!("{name}: want a whole number up to {}", u32::MAX)),
    }
}

fn apply(sh: &Shared, fault: &str, body: &Value) -> Result<(), String> {
    let f = &sh.faults;
    let path = || {
        body.get("path")
            .and_then(Value::as_str)
            .filter(|p| p.starts_with('/'))
            .ok_or_else(|| "path: want the endpoint's path, e.g. /uapi/...".to_owned())
    };
    match fault {
        "faults/clear" => f.clear(),
        "faults/ws-drop" => match body.get("every") {
            None => f.drop_ws_now(),
            Some(_) => match count(body, "every", 0)? {
                0 => f.drop_ws_after(u64::MAX),
                n => f.drop_ws_after(u64::from(n)),
            },
        },
        "faults/notice-gap" => {
            if let Some(ms) = body.get("millis") {
                let ms = ms.as_u64().ok_or("millis: want a whole number")?;
                f.gap_notices_for(Duration::from_millis(ms));
            } else {
                f.gap_notices(count(body, "count", 1)?);
            }
        }
        "faults/duplicate-notices" => f.duplicate_notices(count(body, "count", 1)?),
        "faults/order-reply" => {
            let mode = body.get("mode").and_then(Value::as_str).unwrap_or("");
            let mode = OrderReplyFault::parse(mode)
                .ok_or("mode: want \"http500\", \"no-answer\" or \"notice-first\"")?;
            f.order_reply(mode, count(body, "times", 1)?);
        }
        "faults/refuse-order" => f.refuse_orders(count(body, "times", 1)?),
        "faults/data-changed" => f.data_changed(path()?, count(body, "times", 1)?),
        "faults/rate-limit" => f.rate_limit_burst(count(body, "times", 1)?),
        "faults/http500" => {
            let times = count(body, "times", 1)?;
            if body.get("path").is_some() {
                f.fail_path(path()?, times);
            } else {
                f.fail_next(times);
            }
        }
        "faults/expire-token" => lock(&sh.auth).expire_all(),
        "clock/advance" => {
            let ms = match (body.get("seconds"), body.get("millis")) {
                (Some(s), None) => s.as_u64().and_then(|s| s.checked_mul(1000)),
                (None, Some(ms)) => ms.as_u64(),
                _ => None,
            }
            .and_then(|ms| i64::try_from(ms).ok())
            .filter(|ms| *ms > 0 && *ms <= MAX_JUMP_MS)
            .ok_or("want {\"seconds\": N} or {\"millis\": N}, more than 0, at most 10 years")?;
            advance(sh, chrono::Duration::milliseconds(ms));
        }
        "clock/set" => {
            let to = body
                .get("time")
                .and_then(Value::as_str)
                .and_then(|t| {
                    chrono::NaiveDateTime::parse_from_str(t.trim(), "%Y-%m-%d %H:%M:%S").ok()
                })
                .ok_or("time: want KST \"YYYY-MM-DD HH:MM:SS\"")?;
            advance_to(sh, to)?;
        }
        "account/transfer" => {
            let symbol = body
                .get("symbol")
                .and_then(Value::as_str)
                .ok_or("symbol: want the product's code, e.g. \"005930\"")?;
            let qty = body
                .get("qty")
                .and_then(Value::as_i64)
                .filter(|q| *q != 0)
                .ok_or("qty: want a whole number of shares, negative to move out")?;
            transfer(sh, symbol, qty)?;
        }
        other => return Err(format!("no control endpoint POST {PREFIX}{other}")),
    }
    Ok(())
}

/// The longest single clock jump the control API takes (10 years).
const MAX_JUMP_MS: i64 = 10 * 366 * 86_400_000;

/// Moves the market clock forward by `by` and rolls the account into the new day, if any
/// ([`crate::MockServer::advance_clock`]); the new time.
pub(crate) fn advance(sh: &Shared, by: chrono::Duration) -> chrono::NaiveDateTime {
    crate::trading::roll(sh);
    sh.market.clock().advance(by);
    crate::trading::roll(sh);
    sh.market.now()
}

/// Moves the market clock forward to `to` (KST); a time not after now is refused: the clock
/// never runs back.
pub(crate) fn advance_to(
    sh: &Shared,
    to: chrono::NaiveDateTime,
) -> Result<chrono::NaiveDateTime, String> {
    crate::trading::roll(sh);
    sh.market.clock().advance_to(to).map_err(|now| {
        format!("time: {to} is not after the market's time {now} (the clock never runs back)")
    })?;
    crate::trading::roll(sh);
    Ok(sh.market.now())
}

/// Moves shares of `symbol` into (`qty` > 0) or out of (`qty` < 0) the account without an
/// order ([`crate::MockServer::transfer_shares`]); the holding after it.
pub(crate) fn transfer(sh: &Shared, symbol: &str, qty: i64) -> Result<u64, String> {
    crate::trading::roll(sh);
    lock(&sh.account)
        .transfer(&sh.market, symbol, qty)
        .map_err(|r| format!("{} {}", r.msg_cd, r.msg1))
}

/// The account's truth as JSON: orders, fills, positions, cash and the notices generated.
pub(crate) fn truth(sh: &Shared) -> Value {
    crate::trading::roll(sh);
    let account = lock(&sh.account);
    let mut orders = Vec::new();
    // Earlier days' orders, then today's: a number repeats across days (`day` tells them
    // apart); a modify or cancel names an order of its own day.
    for o in account.past.iter().chain(&account.orders) {
        let kind = match o.kind {
            OrderKind::New => "new",
            OrderKind::Modify => "modify",
            OrderKind::Cancel => "cancel",
        };
        let child = |k: OrderKind| {
            account
                .past
                .iter()
                .chain(&account.orders)
                .any(|c| c.kind == k && c.orgn_odno == o.odno && c.date == o.date)
        };
        let state = if o.kind == OrderKind::Cancel {
            "done"
        } else if o.expired > 0 {
            "expired"
        } else if o.open() > 0 {
            if o.filled > 0 { "partial" } else { "open" }
        } else if o.filled == o.qty {
            "filled"
        } else if o.rejected > 0 && o.filled == 0 {
            "rejected"
        } else if child(OrderKind::Cancel) {
            "cancelled"
        } else {
            "replaced"
        };
        orders.push(json!({
            "market": "domestic",
            "odno": o.odno,
            "orig_odno": o.orgn_odno,
            "kind": kind,
            "symbol": o.code,
            "side": side(o.sell),
            "ord_dvsn": o.ord_dvsn,
            "qty": o.qty,
            "price": o.price.to_string(),
            "filled_qty": o.filled,
            "avg_price": o.fill_price().to_string(),
            "open_qty": o.open(),
            "rejected_qty": o.rejected,
            "expired_qty": o.expired,
            "venue": o.venue,
            "state": state,
            "day": o.date,
            "time": o.time,
        }));
    }
    let mut fills: Vec<Value> = account.fills.iter().map(|f| f.json("domestic")).collect();
    let mut positions: Vec<Value> = account
        .holdings
        .iter()
        .map(|(code, p)| {
            json!({"market": "domestic", "symbol": code, "qty": p.qty,
                   "avg_price": p.avg_price.to_string()})
        })
        .collect();
    let mut cash = serde_json::Map::new();
    cash.insert(
        "KRW".into(),
        json!({
            "deposit": account.deposit.to_string(),
            "next_day": account.next_day_cash().to_string(),
            "after_settlement": account.cash.to_string(),
            "available": account.available_cash().to_string(),
            "bought": account.bought.to_string(),
            "sold": account.sold.to_string(),
            "charges": account.charges.to_string(),
        }),
    );
    // The domestic sells with the cost they realized against (average cost; see `realized`).
    let realized: Vec<Value> = account
        .trades
        .iter()
        .filter(|t| t.sell)
        .map(|t| {
            json!({"market": "domestic", "symbol": t.code, "day": t.day, "qty": t.qty,
                   "amount": t.amount.to_string(), "avg_cost": t.avg_cost.to_string(),
                   "commission": t.commission.to_string(), "tax": t.tax.to_string(),
                   "realized": t.realized().to_string()})
        })
        .collect();
    let day = account.day;
    drop(account);
    crate::overseas::truth(sh, &mut orders, &mut fills, &mut positions, &mut cash);
    crate::derivatives::truth(sh, &mut orders, &mut fills, &mut positions, &mut cash);
    let (notices, forgotten) = sh.notice_log.json();
    json!({
        "time": sh.market.now().format("%Y-%m-%dT%H:%M:%S%.3f").to_string(),
        "day": day.format("%Y%m%d").to_string(),
        "orders": orders,
        "fills": fills,
        "positions": positions,
        "cash": cash,
        "realized": realized,
        "notices": notices,
        "notices_forgotten": forgotten,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notice_faults_count_down() {
        let f = Faults::default();
        f.gap_notices(1);
        f.duplicate_notices(1);
        assert_eq!(f.take_notice_faults(), (true, false));
        assert_eq!(f.take_notice_faults(), (false, true));
        assert_eq!(f.take_notice_faults(), (false, false));
        f.order_reply(OrderReplyFault::Http500, 2);
        assert_eq!(f.take_order_reply(), Some(OrderReplyFault::Http500));
        assert_eq!(f.take_order_reply(), Some(OrderReplyFault::Http500));
        assert_eq!(f.take_order_reply(), None);
        f.refuse_orders(1);
        assert!(f.take_refusal());
        assert!(!f.take_refusal());
        f.rate_limit_burst(1);
        assert!(f.take_rate_limited());
        assert!(!f.take_rate_limited());
        f.gap_notices(5);
        f.clear();
        assert_eq!(f.take_notice_faults(), (false, false));
    }

    #[tokio::test(start_paused = true)]
    async fn timed_gap_ends() {
        let f = Faults::default();
        f.gap_notices_for(Duration::from_secs(2));
        assert!(f.take_notice_faults().0);
        tokio::time::advance(Duration::from_secs(2)).await;
        assert!(!f.take_notice_faults().0);
    }

    #[test]
    fn only_loopback_peers() {
        let peer = |s: &str| Some(s.parse::<SocketAddr>().unwrap());
        assert!(loopback(peer("127.0.0.1:5")));
        assert!(loopback(peer("127.8.0.1:5")));
        assert!(loopback(peer("[::1]:5")));
        assert!(loopback(peer("[::ffff:127.0.0.1]:5")));
        assert!(!loopback(peer("10.0.0.1:5")));
        assert!(!loopback(peer("[::ffff:10.0.0.1]:5")));
        assert!(!loopback(peer("[2001:db8::1]:5")));
        assert!(!loopback(None));
    }

    #[test]
    fn orders_are_post_to_order_endpoints() {
        assert!(is_order(
            &Method::POST,
            "/uapi/domestic-stock/v1/trading/order-cash"
        ));
        assert!(is_order(
            &Method::POST,
            "/uapi/overseas-stock/v1/trading/order"
        ));
        assert!(!is_order(
            &Method::GET,
            "/uapi/domestic-stock/v1/trading/order-cash"
        ));
        assert!(!is_order(
            &Method::POST,
            "/uapi/domestic-stock/v1/trading/inquire-balance"
        ));
    }
}
