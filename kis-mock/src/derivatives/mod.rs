//! KOSPI200 futures and options trade for real in the KRX day session: the universe's
//! near-month future and options match against the simulated book (limit `01` and market `02`
//! orders), fill partially, modify and cancel, and notify on `H0IFCNI0` (paper `H0IFCNI9`);
//! `inquire-ccnl` lists the orders placed and `inquire-balance` the signed positions.
//!
//! The night session TRs are refused as closed (not simulated); codes outside the universe
//! (and stock codes) are refused as unknown products (`APBK0656`).

mod answers;
pub(crate) mod book;

use serde_json::{Map, Value, json};

use crate::account::OrderKind;
use crate::config::Fill;
use crate::market::product::fmt_units;
use crate::rest::{Call, Reply};
use crate::server::{Shared, lock};

pub(crate) use book::FoAccount;

/// The answer for a futures/options trading endpoint the account backs, or `None`.
pub(crate) fn handle(call: &Call<'_>) -> Option<Reply> {
    let op = call
        .spec
        .path
        .strip_prefix("/uapi/domestic-futureoption/v1/trading/")?;
    let handler: fn(&Call<'_>) -> Reply = match op {
        "order" => answers::order,
        "order-rvsecncl" => answers::revise,
        "inquire-ccnl" => answers::executions,
        "inquire-balance" => answers::balance,
        _ => return None,
    };
    if !lock(&call.sh.derivatives).is_account(call.param("CANO"), call.param("ACNT_PRDT_CD")) {
        return Some(Reply::business(
            "OPSQ2000",
            "ERROR : INPUT INVALID_CHECK_ACNO",
        ));
    }
    sweep(call.sh);
    Some(handler(call))
}

/// Fills resting futures/options orders the market reached and publishes their notices.
pub(crate) fn sweep(sh: &Shared) {
    if sh.config.fill == Fill::Never {
        return;
    }
    let notices = {
        let mut account = lock(&sh.derivatives);
        if !account.has_open() {
            return;
        }
        account.sweep(&sh.market)
    };
    crate::trading::publish(sh, notices);
}

/// Adds the futures/options side to the control API's truth.
pub(crate) fn truth(
    sh: &Shared,
    orders: &mut Vec<Value>,
    fills: &mut Vec<Value>,
    positions: &mut Vec<Value>,
    cash: &mut Map<String, Value>,
) {
    let account = lock(&sh.derivatives);
    for o in &account.orders {
        let child = |k: OrderKind| {
            account
                .orders
                .iter()
                .any(|c| c.kind == k && c.orgn_odno == o.odno)
        };
        let state = if o.kind == OrderKind::Cancel {
            "done"
        } else if o.expired {
            "expired"
        } else if o.open() > 0 {
            if o.filled > 0 { "partial" } else { "open" }
        } else if o.filled == o.qty {
            "filled"
        } else if child(OrderKind::Cancel) {
            "cancelled"
        } else {
            "replaced"
        };
        orders.push(json!({
            "market": "derivatives",
            "odno": o.odno,
            "orig_odno": o.orgn_odno,
            "kind": match o.kind {
                OrderKind::New => "new",
                OrderKind::Modify => "modify",
                OrderKind::Cancel => "cancel",
            },
            "symbol": o.code,
            "side": if o.sell { "sell" } else { "buy" },
            "ord_dvsn": o.ord_dvsn,
            "qty": o.qty,
            "price": fmt_units(o.price, 2),
            "filled_qty": o.filled,
            "avg_price": fmt_units(o.avg_e4(), 4),
            "open_qty": o.open(),
            "state": state,
            "day": o.date,
            "time": o.time,
        }));
    }
    fills.extend(account.fills.iter().map(|f| f.json("derivatives")));
    positions.extend(account.holdings.iter().map(|(code, p)| {
        // Signed: negative is short.
        json!({"market": "derivatives", "symbol": code, "qty": p.qty,
               "avg_price": fmt_units(p.avg_e4().abs(), 4)})
    }));
    cash.insert(
        "KRW_DERIVATIVES".into(),
        json!({
            "deposit": account.deposit.to_string(),
            "after_settlement": account.cash.to_string(),
            "available": account.available().to_string(),
            "margin": account.margin_held().to_string(),
            "charges": account.charges.to_string(),
            "realized": account.futures_realized.to_string(),
        }),
    );
}
