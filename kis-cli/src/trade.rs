//! `buy`, `sell`, `modify`, `cancel`: orders through the `kis` crate's journaled ledger, behind
//! the real-money gate ([`crate::safety`]).

use std::time::Duration;

use kis::ledger::OrderId;
use kis::{Kis, Order};
use rust_decimal::Decimal;

use crate::exit::{Failure, Outcome};
use crate::jobs::{order_json, orders_doc};
use crate::output::Out;
use crate::safety;

/// An order as asked on the command line.
#[derive(Debug, Clone)]
pub struct OrderArgs {
    /// `005930`, `삼성전자`, `NASDAQ:AAPL`.
    pub symbol: String,
    /// Whole shares.
    pub qty: u64,
    /// Limit price.
    pub price: Option<Decimal>,
    /// Market order.
    pub market: bool,
    /// Idempotency key: a second submit with the same key returns the first order.
    pub key: Option<String>,
    /// Skip the interactive confirmation of a real order (needs the opt-in).
    pub yes: bool,
    /// Wait this many seconds for the order to finish.
    pub wait: Option<u64>,
}

/// Buy or sell: the ledger's one side type.
pub use kis::ledger::Side;

/// The exact order in words, as the confirmation echoes it.
pub fn describe(kis: &Kis, side: Side, a: &OrderArgs) -> String {
    let price = match (a.market, a.price) {
        (true, _) => "MARKET".to_owned(),
        (false, Some(p)) => format!("LIMIT {p}"),
        (false, None) => "(no price)".to_owned(),
    };
    let account = kis
        .client()
        .config()
        .account()
        .map(|a| a.masked())
        .unwrap_or_default();
    format!(
        "{} {} x {} {price} account {account} ({})",
        match side {
            Side::Buy => "BUY",
            Side::Sell => "SELL",
        },
        a.symbol,
        a.qty,
        match kis.env() {
            kis::Env::Real => "REAL",
            kis::Env::Paper => "paper",
        }
    )
}

fn gate(kis: &Kis, yes: bool, what: &str) -> Outcome<()> {
    safety::confirm(
        kis.env(),
        kis.client().config().allow_real_trading(),
        yes,
        what,
    )
}

/// `kis buy` / `kis sell`.
pub async fn place(kis: &Kis, side: Side, a: &OrderArgs, out: &Out) -> Outcome<()> {
    let account = kis.account()?;
    let mut b = match side {
        Side::Buy => account.buy(&a.symbol, a.qty),
        Side::Sell => account.sell(&a.symbol, a.qty),
    };
    b = match (a.market, a.price) {
        (true, None) => b.market(),
        (false, Some(p)) => b.limit(p),
        (true, Some(_)) => {
            return Err(Failure::invalid(Some("price"), "--market takes no --price"));
        }
        (false, None) => {
            return Err(Failure::invalid(
                Some("price"),
                "give --price P or --market",
            ));
        }
    };
    if let Some(k) = &a.key {
        b = b.idempotency_key(k.clone());
    }
    gate(kis, a.yes, &describe(kis, side, a))?;
    let order = b.submit().await.map_err(|e| Failure::from_kis(&e, true))?;
    finish(order, a.wait, out).await
}

async fn finish(order: Order, wait: Option<u64>, out: &Out) -> Outcome<()> {
    let view = match wait {
        Some(s) => order
            .wait_done(Duration::from_secs(s))
            .await
            .unwrap_or_else(|_| order.view()),
        None => order.view(),
    };
    let (doc, _) = orders_doc(std::slice::from_ref(&view));
    out.print(&doc, Some(&order_json(&view)))?;
    let state = format!("{:?}", view.state).to_lowercase();
    if state == "unknown" {
        return Err(Failure {
            code: 5,
            message: format!(
                "order {} may have reached KIS; it is resolved by inquiry (`kis orders`), never re-sent",
                view.id
            ),
            field: None,
        });
    }
    if state == "rejected" {
        return Err(Failure {
            code: 4,
            message: view
                .last_error
                .clone()
                .unwrap_or_else(|| "KIS rejected the order".to_owned()),
            field: None,
        });
    }
    Ok(())
}

/// `L12` or `12`.
pub fn parse_id(s: &str) -> Outcome<OrderId> {
    s.trim()
        .trim_start_matches(['L', 'l'])
        .parse()
        .map(OrderId)
        .map_err(|_| Failure::invalid(Some("id"), format!("order id {s:?}: want L12 or 12")))
}

async fn order(kis: &Kis, id: &str) -> Outcome<Order> {
    let id = parse_id(id)?;
    kis.account()?
        .order(id)
        .await?
        .ok_or_else(|| Failure::invalid(Some("id"), format!("no order {id} in the ledger")))
}

/// `kis modify ID (--price P | --qty N)`.
pub async fn modify(
    kis: &Kis,
    id: &str,
    price: Option<Decimal>,
    qty: Option<u64>,
    yes: bool,
    out: &Out,
) -> Outcome<()> {
    let o = order(kis, id).await?;
    let what = format!(
        "MODIFY order {} ({}): {}",
        o.id(),
        o.view().intent.symbol,
        match (price, qty) {
            (Some(p), None) => format!("price -> {p}"),
            (None, Some(q)) => format!("quantity -> {q}"),
            _ =>
                return Err(Failure::invalid(
                    None,
                    "give exactly one of --price or --qty"
                )),
        }
    );
    gate(kis, yes, &what)?;
    let r = match price {
        Some(p) => o.modify_price(p).await,
        None => o.modify_qty(qty.unwrap_or(0)).await,
    };
    let view = r.map_err(|e| Failure::from_kis(&e, true))?;
    let (doc, _) = orders_doc(std::slice::from_ref(&view));
    Ok(out.print(&doc, Some(&order_json(&view)))?)
}

/// `kis cancel ID`.
pub async fn cancel(kis: &Kis, id: &str, yes: bool, out: &Out) -> Outcome<()> {
    let o = order(kis, id).await?;
    let what = format!("CANCEL order {} ({})", o.id(), o.view().intent.symbol);
    gate(kis, yes, &what)?;
    let view = o.cancel().await.map_err(|e| Failure::from_kis(&e, true))?;
    let (doc, _) = orders_doc(std::slice::from_ref(&view));
    Ok(out.print(&doc, Some(&order_json(&view)))?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn order_ids() {
        assert_eq!(super::parse_id("L12").unwrap().0, 12);
        assert_eq!(super::parse_id("7").unwrap().0, 7);
        assert_eq!(super::parse_id("x").unwrap_err().code, 3);
    }
}
