//! The account's reports beyond the balance: `kis executions --market us` (US orders and
//! fills), `kis pnl FROM TO` (realized P&L as KIS books it; real service only) and `kis drift`
//! (holdings that differ from what the ledger's fills imply).

use kis::{Kis, Market};
use serde_json::Value;

use crate::exit::{Failure, Outcome};
use crate::jobs::parse_date;
use crate::output::{Doc, Out};

fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// The columns of an execution row (domestic and US alike).
const EXECUTION_KEYS: [&str; 12] = [
    "date",
    "market",
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

/// A table of serializable rows with the given columns.
fn rows_doc<T: serde::Serialize>(keys: &[&str], rows: &[T]) -> Doc {
    let all: Vec<Value> = rows.iter().map(to_json).collect();
    Doc::of(keys, &all)
}

/// `kis executions --market us [--from] [--to]`: every US order (NASDAQ, NYSE, AMEX) of the
/// period with its fills (해외주식 주문체결내역); dates are New York's, the default is New
/// York's day by KIS's clock.
pub async fn us_executions(
    kis: &Kis,
    from: Option<&str>,
    to: Option<&str>,
    out: &Out,
) -> Outcome<()> {
    let to = match to {
        Some(t) => parse_date("to", t)?,
        // New York's day by KIS's clock, never this machine's.
        None => {
            kis.sync_clock().await?;
            kis.calendar(Market::Nasdaq)
                .local_time(kis.now().to_utc())
                .date()
        }
    };
    let from = match from {
        Some(f) => parse_date("from", f)?,
        None => to,
    };
    if from > to {
        return Err(Failure::invalid(Some("from"), "--from is after --to"));
    }
    let ex = kis.account()?.overseas_executions(from, to).await?;
    let doc = rows_doc(&EXECUTION_KEYS, &ex.rows);
    Ok(out.print(&doc, Some(&to_json(&ex)))?)
}

/// `kis pnl FROM TO`: realized P&L per day, per day and symbol, and the period's totals. KIS
/// serves it on the real service only; on paper the answer says so and nothing is sent.
pub async fn pnl(kis: &Kis, from: &str, to: &str, out: &Out) -> Outcome<()> {
    let (from, to) = (parse_date("from", from)?, parse_date("to", to)?);
    if from > to {
        return Err(Failure::invalid(Some("from"), "FROM is after TO"));
    }
    let p = match kis.account()?.realized_pnl(from, to).await {
        Ok(p) => p,
        Err(kis::Error::Client(kis_client::Error::UnsupportedInPaper { .. })) => {
            return Err(Failure::invalid(
                None,
                "realized P&L (기간별손익) is served by KIS on the real service only: KIS has \
                 no paper TR for it, so nothing was sent (on paper, `kis executions` lists the \
                 day's fills)",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let days = rows_doc(
        &[
            "date",
            "buy_qty",
            "buy_amount",
            "sell_qty",
            "sell_amount",
            "realized",
            "return_pct",
            "fee",
            "tax",
        ],
        &p.days,
    );
    let symbols = rows_doc(
        &[
            "date",
            "code",
            "name",
            "sell_qty",
            "sell_price",
            "avg_cost",
            "realized",
            "return_pct",
            "fee",
            "tax",
        ],
        &p.symbols,
    );
    let sections = vec![
        ("days (일별 실현손익)".to_owned(), days),
        ("symbols (종목별 실현손익)".to_owned(), symbols),
        (
            "totals (합계)".to_owned(),
            Doc::from_json(&to_json(&p.totals)),
        ),
    ];
    Ok(out.print_sections(&sections, &to_json(&p))?)
}

/// `kis drift`: the symbols whose holding differs from the start of KIS's day plus the
/// ledger's fills (empty when they agree), after the account's reconciliation.
pub async fn drift(kis: &Kis, out: &Out) -> Outcome<()> {
    let drifts = kis.account()?.drift().await?;
    let rows: Vec<Value> = drifts
        .iter()
        .map(|d| {
            let mut v = to_json(d);
            if let Value::Object(m) = &mut v {
                m.insert("qty".into(), Value::from(d.qty()));
            }
            v
        })
        .collect();
    let doc = Doc::of(&["symbol", "day", "expected", "actual", "qty"], &rows);
    Ok(out.print(&doc, Some(&Value::Array(rows)))?)
}
