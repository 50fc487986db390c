//! Realized P&L over the simulator on the real service (KIS serves it there only): after buys
//! and sells that fill, the view's totals equal what the mock's account truth implies, every
//! view field equals the raw field it reads, and every page is read. On paper nothing is sent.

use std::collections::HashMap;

use chrono::NaiveDate;
use kis::kis_client::api::domestic_stock::order_cash::OrderCashRequest;
use kis::kis_client::codes::OrderType;
use kis::kis_client::mock::kis_mock::{Fill, Holding, MockClock, MockConfig, MockEnv};
use kis::{Currency, Kis, Money, Quantity};
use rust_decimal::Decimal;
use serde_json::Value;

fn krw(v: Decimal) -> Money {
    Money::new(v, Currency::Krw)
}

fn qty(v: i64) -> Quantity {
    Quantity::new(v as u64)
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

/// Initial holdings: (code, qty, average price).
const HELD: [(&str, u64, u64); 2] = [("005930", 10, 50_000), ("069500", 6, 30_000)];

fn config(env: MockEnv) -> MockConfig {
    let mut config = MockConfig {
        env,
        fill: Fill::Market,
        clock: MockClock::Simulated {
            start: day().and_hms_opt(10, 30, 0),
            speed: 1.0,
        },
        ..MockConfig::default()
    };
    config.paging.account_rows = Some(1); // every row its own page
    config.initial_holdings = HELD
        .iter()
        .map(|&(code, qty, avg_price)| Holding {
            code: code.into(),
            qty,
            avg_price,
        })
        .collect();
    config
}

async fn order(kis: &Kis, sell: bool, code: &str, n: u64) {
    let req = if sell {
        OrderCashRequest::sell(code, OrderType::Market, n, Decimal::ZERO)
    } else {
        OrderCashRequest::buy(code, OrderType::Market, n, Decimal::ZERO)
    };
    kis.client().send(req).await.unwrap();
}

fn num(v: &Value) -> i64 {
    match v {
        Value::String(s) => s.parse().unwrap(),
        v => v.as_i64().unwrap(),
    }
}

#[tokio::test]
async fn realized_pnl_equals_the_accounts_truth() {
    let kis = Kis::simulator_with(config(MockEnv::Real)).await.unwrap();
    order(&kis, false, "005930", 5).await; // average cost moves
    order(&kis, true, "005930", 8).await; // realizes against the new average
    order(&kis, false, "000660", 3).await;
    order(&kis, true, "000660", 2).await;
    order(&kis, true, "069500", 4).await; // an ETF: no sell tax
    let pnl = kis
        .account()
        .unwrap()
        .realized_pnl(day(), day())
        .await
        .unwrap();

    // The truth: replay the fills by average cost from the initial holdings; the realized
    // figure of each sell is (price − average cost) × qty less its commission and tax.
    let truth = kis.simulator_server().unwrap().truth();
    let mut book: HashMap<String, (i64, i64)> = HELD
        .iter()
        .map(|&(c, q, a)| (c.to_owned(), (q as i64, a as i64)))
        .collect();
    let realized = truth["realized"].as_array().unwrap();
    let mut sells = realized.iter();
    let mut expected = 0i64;
    let mut charged = 0i64;
    for f in truth["fills"].as_array().unwrap() {
        let (code, n, price) = (
            f["symbol"].as_str().unwrap(),
            num(&f["qty"]),
            num(&f["price"]),
        );
        let (held, avg) = book.entry(code.to_owned()).or_insert((0, 0));
        if f["side"] == "buy" {
            let total = *held * *avg + n * price;
            *held += n;
            *avg = total / *held;
        } else {
            let r = sells.next().expect("a realized entry per sell fill");
            assert_eq!((r["symbol"].as_str(), num(&r["qty"])), (Some(code), n));
            assert_eq!(num(&r["avg_cost"]), *avg);
            let charges = num(&r["commission"]) + num(&r["tax"]);
            let gain = (price - *avg) * n - charges;
            assert_eq!(num(&r["realized"]), gain);
            expected += gain;
            charged += charges;
            *held -= n;
        }
    }
    assert!(sells.next().is_none());
    assert_eq!(realized.len(), 3);
    assert_eq!(pnl.totals.realized, krw(expected.into()));
    assert_eq!(
        pnl.totals.sell_fee.amount() + pnl.totals.sell_tax.amount(),
        Decimal::from(charged)
    );
    let etf = realized.iter().find(|r| r["symbol"] == "069500").unwrap();
    assert_eq!(num(&etf["tax"]), 0, "ETF sells are exempt");

    // The three views agree: per day, per symbol, totals.
    let sum = |it: &mut dyn Iterator<Item = Money>| -> Money {
        it.fold(Money::krw(0), |a, m| {
            Money::new(a.amount() + m.amount(), a.currency())
        })
    };
    assert_eq!(pnl.days.len(), 1);
    assert_eq!(pnl.days[0].date, day());
    assert_eq!(pnl.days[0].realized, pnl.totals.realized);
    assert_eq!(
        sum(&mut pnl.symbols.iter().map(|s| s.realized)),
        pnl.totals.realized
    );
    assert_eq!(
        pnl.symbols.len(),
        3,
        "three symbols traded, each its own page"
    );
    for s in &pnl.symbols {
        // A row realizes its sell amount less its cost, fee and tax.
        let cost = s.avg_cost.amount() * s.sell_qty.get();
        if s.sell_qty > Quantity::ZERO {
            let net = s.sell_amount.amount() - cost - s.fee.amount() - s.tax.amount();
            assert!(
                (net - s.realized.amount()).abs()
                    < s.sell_qty.get() / Decimal::from(100) + Decimal::ONE
            );
        }
    }
    let samsung = pnl.symbols.iter().find(|s| s.code == "005930").unwrap();
    assert_eq!(
        (samsung.buy_qty, samsung.sell_qty, samsung.held_qty),
        (Quantity::new(5), Quantity::new(8), Quantity::new(7))
    );

    // Every field is the raw field it reads.
    let (rows, _) = pnl.raw_symbols();
    assert_eq!(rows.len(), pnl.symbols.len());
    for (s, r) in pnl.symbols.iter().zip(rows) {
        assert_eq!(s.date, *r.trad_dt.get().unwrap());
        assert_eq!(s.code, *r.pdno.get().unwrap());
        assert_eq!(s.name, *r.prdt_name.get().unwrap());
        assert_eq!(s.kind, *r.trad_dvsn_name.get().unwrap());
        assert_eq!(s.held_qty, qty(*r.hldg_qty.get().unwrap()));
        assert_eq!(s.avg_cost, krw(*r.pchs_unpr.get().unwrap()));
        assert_eq!(s.buy_qty, qty(*r.buy_qty.get().unwrap()));
        assert_eq!(s.buy_amount, krw(*r.buy_amt.get().unwrap()));
        assert_eq!(s.sell_price, krw(*r.sll_pric.get().unwrap()));
        assert_eq!(s.sell_qty, qty(*r.sll_qty.get().unwrap()));
        assert_eq!(s.sell_amount, krw(*r.sll_amt.get().unwrap()));
        assert_eq!(s.realized, krw(*r.rlzt_pfls.get().unwrap()));
        assert_eq!(s.return_pct, *r.pfls_rt.get().unwrap());
        assert_eq!(s.fee, krw(*r.fee.get().unwrap()));
        assert_eq!(s.tax, krw(*r.tl_tax.get().unwrap()));
        assert_eq!(s.loan_interest, krw(*r.loan_int.get().unwrap()));
    }
    let (rows, _) = pnl.raw_days();
    for (d, r) in pnl.days.iter().zip(rows) {
        assert_eq!(d.date, *r.trad_dt.get().unwrap());
        assert_eq!(d.buy_qty, qty(*r.buy_qty1.get().unwrap()));
        assert_eq!(d.buy_amount, krw(*r.buy_amt.get().unwrap()));
        assert_eq!(d.sell_qty, qty(*r.sll_qty1.get().unwrap()));
        assert_eq!(d.sell_amount, krw(*r.sll_amt.get().unwrap()));
        assert_eq!(d.realized, krw(*r.rlzt_pfls.get().unwrap()));
        assert_eq!(d.return_pct, *r.pfls_rt.get().unwrap());
        assert_eq!(d.fee, krw(*r.fee.get().unwrap()));
        assert_eq!(d.tax, krw(*r.tl_tax.get().unwrap()));
        assert_eq!(d.loan_interest, krw(*r.loan_int.get().unwrap()));
    }
    let (_, raw) = pnl.raw_symbols();
    let o = raw.output2.get().unwrap();
    let t = &pnl.totals;
    assert_eq!(t.realized, krw(*o.tot_rlzt_pfls.get().unwrap()));
    assert_eq!(t.return_pct, *o.tot_pftrt.get().unwrap());
    assert_eq!(t.fee, krw(*o.tot_fee.get().unwrap()));
    assert_eq!(t.tax, krw(*o.tot_tltx.get().unwrap()));
    assert_eq!(t.sell_qty, qty(*o.sll_qty_smtl.get().unwrap()));
    assert_eq!(t.sell_amount, krw(*o.sll_tr_amt_smtl.get().unwrap()));
    assert_eq!(t.sell_fee, krw(*o.sll_fee_smtl.get().unwrap()));
    assert_eq!(t.sell_tax, krw(*o.sll_tltx_smtl.get().unwrap()));
    assert_eq!(t.sell_settled, krw(*o.sll_excc_amt_smtl.get().unwrap()));
    assert_eq!(t.buy_qty, qty(*o.buyqty_smtl.get().unwrap()));
    assert_eq!(t.buy_amount, krw(*o.buy_tr_amt_smtl.get().unwrap()));
    assert_eq!(t.buy_fee, krw(*o.buy_fee_smtl.get().unwrap()));
    assert_eq!(t.buy_tax, krw(*o.buy_tax_smtl.get().unwrap()));
    assert_eq!(t.buy_settled, krw(*o.buy_excc_amt_smtl.get().unwrap()));
    assert_eq!(t.total_qty, qty(*o.tot_qty.get().unwrap()));
    assert_eq!(t.total_amount, krw(*o.tot_tr_amt.get().unwrap()));
    assert_eq!(t.total_settled, krw(*o.tot_excc_amt.get().unwrap()));
    assert_eq!(t.loan_interest, krw(*o.loan_int.get().unwrap()));
    assert_eq!(t.sell_qty, Quantity::new(14));
    assert_eq!(t.buy_qty, Quantity::new(8));

    // A period without trades is empty and zero; a reversed range is refused unsent.
    let before = day().pred_opt().unwrap();
    let none = kis
        .account()
        .unwrap()
        .realized_pnl(before, before)
        .await
        .unwrap();
    assert!(none.days.is_empty() && none.symbols.is_empty());
    assert_eq!(none.totals.realized, Money::krw(0));
    let e = kis
        .account()
        .unwrap()
        .realized_pnl(day(), before)
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("from"));
}

#[tokio::test]
async fn on_paper_it_is_refused_before_anything_is_sent() {
    let kis = Kis::simulator_with(config(MockEnv::Paper)).await.unwrap();
    let before = kis.simulator_server().unwrap().stats();
    let e = kis
        .account()
        .unwrap()
        .realized_pnl(day(), day())
        .await
        .unwrap_err();
    match &e {
        kis::Error::Client(kis::kis_client::Error::UnsupportedInPaper { endpoint }) => {
            assert!(endpoint.contains("period"), "{endpoint}");
        }
        other => panic!("{other:?}"),
    }
    assert!(!e.may_have_been_sent());
    let after = kis.simulator_server().unwrap().stats();
    assert_eq!(
        (before.requests, before.token_issued),
        (after.requests, after.token_issued),
        "nothing reached the mock"
    );
    assert!(
        !after.requests_by_path.keys().any(|p| p.contains("period")),
        "{after:?}"
    );
}
