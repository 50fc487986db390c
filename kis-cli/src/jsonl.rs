//! `kis trade --jsonl`: one long-running trading session for programs. Each stdin line is a
//! JSON command; each stdout line is a JSON reply (`"type": "reply"`, with the command's
//! `id`) or a ledger event (`"type": "event"`: an order changed, from KIS's notices, the
//! inquiries and reconciliation of the `kis` crate's desk). The protocol is in
//! kis-cli/README.md.

use std::collections::HashSet;
use std::io::Write;
use std::time::Duration;

use futures::StreamExt;
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

struct Session {
    kis: Kis,
    yes: bool,
    tx: mpsc::UnboundedSender<Value>,
    followed: HashSet<u64>,
}

impl Session {
    fn follow(&mut self, order: &Order) {
        if !self.followed.insert(order.id().0) {
            return;
        }
        let tx = self.tx.clone();
        let mut updates = Box::pin(order.updates());
        tokio::spawn(async move {
            while let Some(v) = updates.next().await {
                if tx
                    .send(json!({"type": "event", "order": order_json(&v)}))
                    .is_err()
                {
                    break;
                }
            }
        });
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
                let order = b.submit().await.map_err(|e| Failure::from_kis(&e, true))?;
                self.follow(&order);
                Ok(order_json(&order.view()))
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
                Ok(order_json(&v.map_err(|e| Failure::from_kis(&e, true))?))
            }
            "cancel" => {
                let order = self.order(cmd).await?;
                self.gate(&format!("CANCEL {}", order.id()))?;
                self.follow(&order);
                let v = order
                    .cancel()
                    .await
                    .map_err(|e| Failure::from_kis(&e, true))?;
                Ok(order_json(&v))
            }
            "get" => {
                let order = self.order(cmd).await?;
                self.follow(&order);
                Ok(order_json(&order.view()))
            }
            "list" => {
                let views = self.kis.account()?.orders().await?;
                Ok(Value::Array(views.iter().map(order_json).collect()))
            }
            "wait" => {
                let order = self.order(cmd).await?;
                let ms = whole(cmd, "timeout_ms")?.unwrap_or(10_000).min(3_600_000);
                let v = order.wait_done(Duration::from_millis(ms)).await;
                Ok(order_json(&v.unwrap_or_else(|_| order.view())))
            }
            other => Err(Failure::invalid(
                Some("op"),
                format!("unknown op {other:?}: submit, modify, cancel, get, list, wait"),
            )),
        }
    }
}

/// Runs the session until stdin closes.
pub async fn run(kis: &Kis, yes: bool) -> Outcome<()> {
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
        yes,
        tx: tx.clone(),
        followed: HashSet::new(),
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
    drop(session);
    drop(tx);
    // Events of followed orders keep their senders; give the writer a moment, then stop.
    let _ = tokio::time::timeout(Duration::from_millis(200), writer).await;
    Ok(())
}
