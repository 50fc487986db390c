//! The common read jobs over the `kis` crate: quote, book, candles, balance, executions, and
//! the order ledger's view (`orders`).

use chrono::NaiveDate;
use kis::ledger::OrderView;
use kis::{Kis, Period};
use serde_json::{Value, json};

use crate::exit::{Failure, Outcome};
use crate::output::{Doc, Out};

fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// `kis quote SYMBOL...`
pub async fn quote(kis: &Kis, symbols: &[String], out: &Out) -> Outcome<()> {
    let mut quotes = Vec::new();
    for s in symbols {
        let stock = kis.stock(s).await?;
        let mut q = to_json(&stock.quote().await?);
        if let Value::Object(m) = &mut q {
            m.insert(
                "name".into(),
                Value::String(stock.instrument().name.clone()),
            );
        }
        quotes.push(q);
    }
    let keys = [
        "code",
        "name",
        "price",
        "change",
        "change_pct",
        "open",
        "high",
        "low",
        "volume",
        "upper_limit",
        "lower_limit",
        "tick",
    ];
    let mut doc = Doc::with_columns(&keys);
    for q in &quotes {
        doc.push(
            keys.iter()
                .map(|k| q.get(*k).cloned().unwrap_or(Value::Null))
                .collect(),
        );
    }
    let json = match quotes.len() {
        1 => quotes.pop().unwrap_or(Value::Null),
        _ => Value::Array(quotes),
    };
    Ok(out.print(&doc, Some(&json))?)
}

/// `kis book SYMBOL`: asks from the highest down, then bids.
pub async fn book(kis: &Kis, symbol: &str, out: &Out) -> Outcome<()> {
    let book = kis.stock(symbol).await?.book().await?;
    let mut doc = Doc::with_columns(&["side", "level", "price", "qty"]);
    for (i, l) in book.asks.iter().enumerate().rev() {
        doc.push(vec![
            json!("ask"),
            json!(i + 1),
            to_json(&l.price),
            to_json(&l.qty),
        ]);
    }
    for (i, l) in book.bids.iter().enumerate() {
        doc.push(vec![
            json!("bid"),
            json!(i + 1),
            to_json(&l.price),
            to_json(&l.qty),
        ]);
    }
    Ok(out.print(&doc, Some(&to_json(&book)))?)
}

/// A `YYYYMMDD` or `YYYY-MM-DD` date.
pub fn parse_date(field: &str, s: &str) -> Outcome<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y%m%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .map_err(|_| {
            Failure::invalid(
                Some(field),
                format!("--{field} {s:?}: want YYYYMMDD or YYYY-MM-DD"),
            )
        })
}

/// `kis candles SYMBOL [--period] [--from] [--to]`: default the 90 days to the trading day.
pub async fn candles(
    kis: &Kis,
    symbol: &str,
    period: Period,
    from: Option<&str>,
    to: Option<&str>,
    out: &Out,
) -> Outcome<()> {
    let to = match to {
        Some(t) => parse_date("to", t)?,
        // KIS's day, never this machine's: ask KIS's clock first.
        None => {
            kis.sync_clock().await?;
            kis.trading_day()
        }
    };
    let from = match from {
        Some(f) => parse_date("from", f)?,
        None => to - chrono::Duration::days(90),
    };
    if from > to {
        return Err(Failure::invalid(Some("from"), "--from is after --to"));
    }
    let bars = kis.stock(symbol).await?.candles(period, from, to).await?;
    let keys = ["date", "open", "high", "low", "close", "volume", "value"];
    let mut doc = Doc::with_columns(&keys);
    for c in &bars.candles {
        let v = to_json(c);
        doc.push(
            keys.iter()
                .map(|k| v.get(*k).cloned().unwrap_or(Value::Null))
                .collect(),
        );
    }
    Ok(out.print(&doc, Some(&to_json(&bars)))?)
}

/// `kis balance`: the positions, then the totals.
pub async fn balance(kis: &Kis, out: &Out) -> Outcome<()> {
    let b = kis.account()?.balance().await?;
    let keys = [
        "code",
        "name",
        "qty",
        "avg_price",
        "price",
        "value",
        "pnl",
        "pnl_pct",
    ];
    let mut positions = Doc::with_columns(&keys);
    for p in &b.positions {
        let v = to_json(p);
        positions.push(
            keys.iter()
                .map(|k| v.get(*k).cloned().unwrap_or(Value::Null))
                .collect(),
        );
    }
    let mut totals = to_json(&b);
    if let Value::Object(m) = &mut totals {
        m.remove("positions");
    }
    let sections = vec![
        ("positions (잔고)".to_owned(), positions),
        ("totals (합계)".to_owned(), Doc::from_json(&totals)),
    ];
    Ok(out.print_sections(&sections, &to_json(&b))?)
}

/// `kis executions [--from] [--to]`: KIS's daily order/execution inquiry.
pub async fn executions(kis: &Kis, from: Option<&str>, to: Option<&str>, out: &Out) -> Outcome<()> {
    let to = match to {
        Some(t) => parse_date("to", t)?,
        // KIS's day, never this machine's: ask KIS's clock first.
        None => {
            kis.sync_clock().await?;
            kis.trading_day()
        }
    };
    let from = match from {
        Some(f) => parse_date("from", f)?,
        None => to,
    };
    let ex = kis.account()?.executions(from, to).await?;
    let keys = [
        "date",
        "order_no",
        "side",
        "code",
        "name",
        "order_qty",
        "order_price",
        "filled_qty",
        "avg_price",
        "remaining_qty",
        "cancelled",
    ];
    let mut doc = Doc::with_columns(&keys);
    for r in &ex.rows {
        let v = to_json(r);
        doc.push(
            keys.iter()
                .map(|k| v.get(*k).cloned().unwrap_or(Value::Null))
                .collect(),
        );
    }
    Ok(out.print(&doc, Some(&to_json(&ex)))?)
}

/// One ledger order as JSON (the CLI's, `trade --jsonl`'s and MCP's shape).
pub fn order_json(v: &OrderView) -> Value {
    json!({
        "id": v.id.to_string(),
        "symbol": v.intent.symbol,
        "side": format!("{:?}", v.intent.side).to_lowercase(),
        "kind": format!("{:?}", v.intent.kind).to_lowercase(),
        "qty": v.intent.qty,
        "price": v.price.map(|p| p.to_string()),
        "venue": format!("{:?}", v.intent.venue).to_uppercase(),
        "state": format!("{:?}", v.state).to_lowercase(),
        "odno": v.live_odno().map(|l| l.odno.clone()),
        // Every KIS order number the order went through (a modify makes a new one).
        "chain": v.chain.iter().map(|l| l.odno.clone()).collect::<Vec<_>>(),
        "filled": v.filled,
        "avg_price": v.avg_price.map(|p| p.to_string()),
        "remaining": v.remaining,
        "cancelled": v.cancelled,
        "external": v.external,
        "last_error": v.last_error,
    })
}

/// The table of ledger orders.
pub fn orders_doc(views: &[OrderView]) -> (Doc, Value) {
    let keys = [
        "id",
        "state",
        "side",
        "symbol",
        "qty",
        "price",
        "filled",
        "remaining",
        "avg_price",
        "odno",
    ];
    let mut doc = Doc::with_columns(&keys);
    let all: Vec<Value> = views.iter().map(order_json).collect();
    for v in &all {
        doc.push(
            keys.iter()
                .map(|k| v.get(*k).cloned().unwrap_or(Value::Null))
                .collect(),
        );
    }
    (doc, Value::Array(all))
}

/// `kis orders`: the ledger's orders of the account (reconciled with KIS first).
pub async fn orders(kis: &Kis, out: &Out) -> Outcome<()> {
    let views = kis.account()?.orders().await?;
    let (doc, json) = orders_doc(&views);
    Ok(out.print(&doc, Some(&json))?)
}
