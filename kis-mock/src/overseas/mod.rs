//! Overseas (US) stock trading: NASDAQ, NYSE and AMEX products of the universe trade for real
//! in the New York session — order book matching, partial fills, modify/cancel, executions,
//! open orders, USD balances and `H0GSCNI0`/`H0GSCNI9` notices.
//!
//! Orders while New York is closed are refused (`40570000` before the open, `40580000` after
//! the close and on NYSE holidays and weekends): KIS takes orders for a later session only
//! through its separate reservation TR (`order-resv`), so the regular order TR does not rest
//! them until the open. Only limit orders (`ORD_DVSN` `00`) are simulated; markets the mock has
//! no products on (Hong Kong, Tokyo, Shanghai, Shenzhen, Vietnam) and symbols outside the
//! universe are refused as unknown products (`APBK0656`).

mod answers;
pub(crate) mod asking;
pub(crate) mod book;

use serde_json::{Map, Value, json};

use crate::account::OrderKind;
use crate::config::Fill;
use crate::market::product::fmt_units;
use crate::rest::{Call, Reply};
use crate::server::{Shared, lock};

pub(crate) use book::UsAccount;

/// Branch number of overseas orders (`KRX_FWDG_ORD_ORGNO`, `ord_gno_brno`), as KIS's examples.
pub(crate) const BRANCH: &str = "01790";

/// The answer for an overseas-stock trading endpoint the account backs, or `None`.
pub(crate) fn handle(call: &Call<'_>) -> Option<Reply> {
    let op = call
        .spec
        .path
        .strip_prefix("/uapi/overseas-stock/v1/trading/")?;
    let handler: fn(&Call<'_>) -> Reply = match op {
        "order" => answers::order,
        "order-rvsecncl" => answers::revise,
        "inquire-ccnl" => answers::executions,
        "inquire-nccs" => answers::open_orders,
        "inquire-balance" => answers::balance,
        "inquire-present-balance" => answers::present_balance,
        "inquire-psamount" => answers::buying_power,
        _ => return None,
    };
    {
        let account = lock(&call.sh.overseas);
        if account.cano != call.param("CANO") || account.prdt != call.param("ACNT_PRDT_CD") {
            return Some(Reply::business(
                "OPSQ2000",
                "ERROR : INPUT INVALID_CHECK_ACNO",
            ));
        }
    }
    sweep(call.sh);
    Some(handler(call))
}

/// Fills resting US orders the market reached and publishes their notices (before every
/// overseas answer and on the server's matching timer).
pub(crate) fn sweep(sh: &Shared) {
    if sh.config.fill == Fill::Never {
        return;
    }
    let notices = {
        let mut account = lock(&sh.overseas);
        if !account.has_open() {
            return;
        }
        account.sweep(&sh.market)
    };
    crate::trading::publish(sh, notices);
}

/// Adds the US side to the control API's truth.
pub(crate) fn truth(
    sh: &Shared,
    orders: &mut Vec<Value>,
    fills: &mut Vec<Value>,
    positions: &mut Vec<Value>,
    cash: &mut Map<String, Value>,
) {
    let account = lock(&sh.overseas);
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
            "market": "overseas",
            "exchange": book::order_exchange(o.venue),
            "odno": o.odno,
            "orig_odno": o.orgn_odno,
            "kind": match o.kind {
                OrderKind::New => "new",
                OrderKind::Modify => "modify",
                OrderKind::Cancel => "cancel",
            },
            "symbol": o.code,
            "side": if o.sell { "sell" } else { "buy" },
            "ord_dvsn": "00",
            "qty": o.qty,
            "price": fmt_units(o.price, 2),
            "filled_qty": o.filled,
            "avg_price": fmt_units(o.avg_price_e4(), 4),
            "open_qty": o.open(),
            "state": state,
            "day": o.date,
            "time": o.time,
        }));
    }
    fills.extend(account.fills.iter().map(|f| f.json("overseas")));
    positions.extend(account.holdings.iter().map(|(code, p)| {
        json!({"market": "overseas", "symbol": code, "qty": p.qty,
               "avg_price": fmt_units(p.avg_price_e4(), 4)})
    }));
    cash.insert(
        "USD".into(),
        json!({
            "deposit": fmt_units(account.deposit, 2),
            "after_settlement": fmt_units(account.cash, 2),
            "available": fmt_units(account.available(), 2),
            "bought": fmt_units(account.bought, 2),
            "sold": fmt_units(account.sold, 2),
            "charges": fmt_units(account.charges, 2),
            "realized": fmt_units(account.realized, 2),
        }),
    );
}
