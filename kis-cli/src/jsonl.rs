//! `kis trade --jsonl`: one long-running trading session for programs. Each stdin line is a
//! JSON command; each stdout line is a JSON reply (`"type": "reply"`, with the command's
//! `id`) or a ledger event (`"type": "event"`: an order changed, from KIS's notices, the
//! inquiries and reconciliation of the `kis` crate's desk). The protocol is in
//! kis-cli/README.md.
//!
//! A lost reply: an order (or a modify or cancel) whose answer never came is never sent
//! again. Its reply says `"may_have_been_sent": true` with the order as the ledger has it
//! (`unknown`, `pendingmodify`, `pendingcancel`); the session follows it, and an event reports
//! its resolution when an inquiry settles it. When stdin closes the session settles first
//! (reconciles and waits, bounded, for orders in flight) and ends with one `"type": "end"` line
//! holding every order of the account and any position drift.

use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

use futures::StreamExt;
use kis::ledger::{OrderState, OrderView};
use kis::{Kis, Order};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tokio::io::AsyncBufReadExt;
use tokio::sync::mpsc;

use crate::exit::{Failure, Outcome};
use crate::jobs::order_json;
use crate::safety;
use crate::trade::parse_id;

fn failure_json(f: &Failure) -> Value {
    json!({"kind": f.kind(), "code": f.code, "field": f.field, "message": f.message})
}

fn text<'a>(cmd: &'a Value, k: &str) -> Option<&'a str> {
    cmd.get(k).and_then(Value::as_str)
}

fn decimal(cmd: &Value, k: &str) -> Outcome<Option<Decimal>> {
    match cmd.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => s
            .parse()
            .map(Some)
            .map_err(|_| Failure::invalid(Some(k), format!("{k}: not a decimal"))),
        Some(Value::Number(n)) => n
            .to_string()
            .parse()
            .map(Some)
            .map_err(|_| Failure::invalid(Some(k), format!("{k}: not a decimal"))),
        _ => Err(Failure::invalid(
            Some(k),
            format!("{k}: a number or a string"),
        )),
    }
}

fn whole(cmd: &Value, k: &str) -> Outcome<Option<u64>> {
    match cmd.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .map(Some)
            .ok_or_else(|| Failure::invalid(Some(k), format!("{k}: a whole number"))),
    }
}

/// How a session runs: the gate and the settling at the end.
#[derive(Debug, Clone, Copy)]
pub struct SessionOptions {
    /// Confirm real orders without asking (needs the opt-in).
    pub yes: bool,
    /// When stdin closes: how long to wait, at most, for orders in flight to be resolved.
    pub settle: Duration,
}

/// Whether a request may be at KIS without KIS having answered it: the order is still
/// `unknown` (or `sent`), or a modify or cancel is still pending after its request returned.
fn pending(v: &OrderView) -> bool {
    matches!(
        v.state,
        OrderState::Unknown
            | OrderState::Sent
            | OrderState::PendingModify
            | OrderState::PendingCancel
    )
}

/// Whether a just-submitted order's request went unanswered: still in flight, or settled by a
/// notice or an inquiry while the request was failing (its `last_error` is the failure, and
/// KIS did not reject it).
fn submit_unanswered(v: &OrderView) -> bool {
    pending(v)
        || (v.last_error.is_some() && !matches!(v.state, OrderState::Rejected) && !v.external)
}

/// An order result, marked when its request may have been sent without an answer.
fn sent_json(v: &OrderView, unanswered: bool) -> Value {
    let mut j = order_json(v);
    if let Value::Object(m) = &mut j {
        m.insert("may_have_been_sent".into(), Value::Bool(unanswered));
        if unanswered {
            let what = if pending(v) {
                format!("{} is resolved by inquiry (an event follows)", v.id)
            } else {
                format!("KIS's notices or inquiries already settled {}", v.id)
            };
            m.insert(
                "note".into(),
                Value::String(format!(
                    "no answer from KIS: the request may have been sent; {what}; it is never \
                     sent again"
                )),
            );
        }
    }
    j
}

/// Orders not settled yet: in flight or with a change pending.
fn unsettled(views: &[OrderView]) -> Vec<String> {
    views
        .iter()
        .filter(|v| v.state.is_in_flight() || pending(v))
        .map(|v| v.id.to_string())
        .collect()
}

struct Session {
    kis: Kis,
    yes: bool,
    tx: mpsc::UnboundedSender<Value>,
    followed: HashMap<u64, tokio::task::JoinHandle<()>>,
}

impl Session {
    fn follow(&mut self, order: &Order) {
        if self.followed.contains_key(&order.id().0) {
            return;
        }
        let tx = self.tx.clone();
        let mut updates = Box::pin(order.updates());
        let task = tokio::spawn(async move {
            while let Some(v) = updates.next().await {
                if tx
                    .send(json!({"type": "event", "order": order_json(&v)}))
                    .is_err()
                {
                    break;
                }
            }
        });
        self.followed.insert(order.id().0, task);
    }

    /// Follows every order of `views` that is not done (external ones included), so their
    /// changes are events too.
    async fn follow_open(&mut self, views: &[OrderView]) -> Outcome<()> {
        let account = self.kis.account()?;
        for v in views.iter().filter(|v| !v.state.is_done()) {
            if self.followed.contains_key(&v.id.0) {
                continue;
            }
            if let Some(order) = account.order(v.id).await? {
                self.follow(&order);
            }
        }
        Ok(())
    }

    /// Reconciles with KIS until nothing is in flight (or `within` passed); every order of
    /// the account and the drift after it. Only inquiries are sent.
    async fn settle(&self, within: Duration) -> Outcome<Value> {
        let account = self.kis.account()?;
        let deadline = tokio::time::Instant::now() + within;
        loop {
            match account.reconcile().await {
                Ok(drift) => {
                    let views = account.orders().await?;
                    let open = unsettled(&views);
                    if open.is_empty() || tokio::time::Instant::now() >= deadline {
                        return Ok(json!({
                            "orders": views.iter().map(order_json).collect::<Vec<_>>(),
                            "drift": serde_json::to_value(&drift).unwrap_or(Value::Null),
                            "unsettled": open,
                        }));
                    }
                }
                Err(e) => {
                    // A lost answer or a reconciliation cut short is asked again; anything
                    // else (no account, a bad configuration) will not get better.
                    let transient = matches!(e, kis::Error::NotReconciled(_));
                    let f = Failure::from(e);
                    if (!transient && f.code != 6) || tokio::time::Instant::now() >= deadline {
                        return Err(f);
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn gate(&self, what: &str) -> Outcome<()> {
        safety::confirm(
            self.kis.env(),
            self.kis.client().config().allow_real_trading(),
            self.yes,
            what,
        )
        .map_err(|f| {
            if self.kis.env() == kis::Env::Real && !self.yes {
                Failure::invalid(
                    None,
                    format!(
                        "{what}: a real order in a JSON-lines session needs --yes and the opt-in"
                    ),
                )
            } else {
                f
            }
        })
    }

    async fn order(&self, cmd: &Value) -> Outcome<Order> {
        let id = parse_id(
            text(cmd, "order")
                .ok_or_else(|| Failure::invalid(Some("order"), "`order` (L1) is missing"))?,
        )?;
        self.kis
            .account()?
            .order(id)
            .await?
            .ok_or_else(|| Failure::invalid(Some("order"), format!("no order {id}")))
    }

    async fn handle(&mut self, cmd: &Value) -> Outcome<Value> {
        let op = text(cmd, "op").unwrap_or("");
        match op {
            "submit" => {
                let side = text(cmd, "side").unwrap_or("");
                let symbol = text(cmd, "symbol")
                    .ok_or_else(|| Failure::invalid(Some("symbol"), "`symbol` is missing"))?;
                let qty = whole(cmd, "qty")?
                    .ok_or_else(|| Failure::invalid(Some("qty"), "`qty` is missing"))?;
                let price = decimal(cmd, "price")?;
                let market = cmd.get("market").and_then(Value::as_bool).unwrap_or(false);
                let account = self.kis.account()?;
                let mut b = match side {
                    "buy" => account.buy(symbol, qty),
                    "sell" => account.sell(symbol, qty),
                    _ => return Err(Failure::invalid(Some("side"), "`side` is buy or sell")),
                };
                b = match (market, price) {
                    (true, None) => b.market(),
                    (false, Some(p)) => b.limit(p),
                    _ => {
                        return Err(Failure::invalid(
                            Some("price"),
                            "give `price` or `market: true` (not both)",
                        ));
                    }
                };
                if let Some(k) = text(cmd, "key") {
                    b = b.idempotency_key(k);
                }
                let what = format!(
                    "{} {symbol} x {qty} {}",
                    side.to_uppercase(),
                    price.map_or("MARKET".to_owned(), |p| format!("LIMIT {p}"))
                );
                self.gate(&what)?;
                // With a key, the answer may be an earlier order: nothing was sent now.
                let earlier: Option<Vec<u64>> = match text(cmd, "key") {
                    Some(_) => Some(account.orders().await?.iter().map(|v| v.id.0).collect()),
                    None => None,
                };
                let order = b.submit().await.map_err(|e| Failure::from_kis(&e, true))?;
                self.follow(&order);
                let v = order.view();
                let fresh = earlier.is_none_or(|ids| !ids.contains(&v.id.0));
                let unanswered = if fresh {
                    submit_unanswered(&v)
                } else {
                    pending(&v)
                };
                Ok(sent_json(&v, unanswered))
            }
            "modify" => {
                let order = self.order(cmd).await?;
                let (price, qty) = (decimal(cmd, "price")?, whole(cmd, "qty")?);
                self.gate(&format!("MODIFY {}", order.id()))?;
                self.follow(&order);
                let v = match (price, qty) {
                    (Some(p), None) => order.modify_price(p).await,
                    (None, Some(q)) => order.modify_qty(q).await,
                    _ => {
                        return Err(Failure::invalid(
                            None,
                            "give exactly one of `price` or `qty`",
                        ));
                    }
                };
                let v = v.map_err(|e| Failure::from_kis(&e, true))?;
                Ok(sent_json(&v, pending(&v)))
            }
            "cancel" => {
                let order = self.order(cmd).await?;
                self.gate(&format!("CANCEL {}", order.id()))?;
                self.follow(&order);
                let v = order
                    .cancel()
                    .await
                    .map_err(|e| Failure::from_kis(&e, true))?;
                Ok(sent_json(&v, pending(&v)))
            }
            "get" => {
                let order = self.order(cmd).await?;
                self.follow(&order);
                Ok(order_json(&order.view()))
            }
            "list" => {
                let views = self.kis.account()?.orders().await?;
                self.follow_open(&views).await?;
                Ok(Value::Array(views.iter().map(order_json).collect()))
            }
            "reconcile" => {
                let ms = whole(cmd, "timeout_ms")?.unwrap_or(10_000).min(3_600_000);
                let v = self.settle(Duration::from_millis(ms)).await?;
                let views = self.kis.account()?.orders().await?;
                self.follow_open(&views).await?;
                Ok(v)
            }
            "wait" => {
                let order = self.order(cmd).await?;
                let ms = whole(cmd, "timeout_ms")?.unwrap_or(10_000).min(3_600_000);
                let v = order.wait_done(Duration::from_millis(ms)).await;
                Ok(order_json(&v.unwrap_or_else(|_| order.view())))
            }
            other => Err(Failure::invalid(
                Some("op"),
                format!("unknown op {other:?}: submit, modify, cancel, get, list, wait, reconcile"),
            )),
        }
    }
}

/// Runs the session until stdin closes, then settles and ends with the `end` line.
pub async fn run(kis: &Kis, options: SessionOptions) -> Outcome<()> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Value>();
    let writer = tokio::spawn(async move {
        while let Some(v) = rx.recv().await {
            let mut out = std::io::stdout().lock();
            if writeln!(out, "{v}").and_then(|_| out.flush()).is_err() {
                break;
            }
        }
    });
    let mut session = Session {
        kis: kis.clone(),
        yes: options.yes,
        tx: tx.clone(),
        followed: HashMap::new(),
    };
    let _ = tx.send(json!({"type": "ready", "env": match kis.env() { kis::Env::Real => "real", kis::Env::Paper => "paper" }}));
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines.next_line().await? {
        if line.trim().is_empty() {
            continue;
        }
        let reply = match serde_json::from_str::<Value>(&line) {
            Err(e) => json!({"type": "reply", "id": null, "ok": false,
                "error": failure_json(&Failure::invalid(None, format!("not JSON: {e}")))}),
            Ok(cmd) => {
                let id = cmd.get("id").cloned().unwrap_or(Value::Null);
                match session.handle(&cmd).await {
                    Ok(result) => json!({"type": "reply", "id": id, "ok": true, "result": result}),
                    Err(f) => {
                        json!({"type": "reply", "id": id, "ok": false, "error": failure_json(&f)})
                    }
                }
            }
        };
        let _ = tx.send(reply);
    }
    // Settle: what may have been sent is resolved by inquiry (events report it), then the
    // account as the ledger has it.
    let end = match session.settle(options.settle).await {
        Ok(mut v) => {
            if let Value::Object(m) = &mut v {
                m.insert("type".into(), json!("end"));
                m.insert("ok".into(), json!(true));
            }
            v
        }
        Err(f) => json!({"type": "end", "ok": false, "error": failure_json(&f)}),
    };
    // Let the followers report the last changes, then stop them: the writer ends when every
    // sender is gone, after writing everything sent.
    tokio::time::sleep(Duration::from_millis(50)).await;
    for (_, task) in session.followed.drain() {
        task.abort();
    }
    let _ = tx.send(end);
    drop(session);
    drop(tx);
    let _ = writer.await;
    Ok(())
}
