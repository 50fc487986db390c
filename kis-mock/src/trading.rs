//! Answers of the domestic-stock trading endpoints backed by the stateful [`Account`]: cash
//! orders, modify/cancel, balance, daily fills and order capacity, shaped by their spec.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::account::{Account, BRANCH, Notice, Order, OrderKind};
use crate::call::{Call, Reply, paginate};
use crate::config::{AccountList, Fill};
use crate::server::{Shared, lock};
use crate::stats::bump;
use crate::synth;

/// The answer for a trading endpoint, or `None` when the path is not one of them.
pub(crate) fn handle(call: &Call<'_>) -> Option<Reply> {
    let op = call
        .spec
        .path
        .strip_prefix("/uapi/domestic-stock/v1/trading/")?;
    let handler: fn(&Call<'_>) -> Reply = match op {
        "order-cash" => order_cash,
        "order-rvsecncl" => revise,
        "inquire-balance" => balance,
        "inquire-daily-ccld" => daily_ccld,
        "inquire-psbl-order" => psbl_order,
        _ => return None,
    };
    if !lock(&call.sh.account).is_account(call.param("CANO"), call.param("ACNT_PRDT_CD")) {
        return Some(Reply::business(
            "OPSQ2000",
            "ERROR : INPUT INVALID_CHECK_ACNO",
        ));
    }
    sweep(call.sh);
    Some(handler(call))
}

/// Moves the account to the market clock's day ([`Account::roll`]: expiry, order numbers,
/// today's counters, settlement) and publishes the ended day's last fills.
pub(crate) fn roll(sh: &Shared) {
    let notices = lock(&sh.account).roll(&sh.market, sh.config.fill != Fill::Never);
    publish(sh, notices);
}

/// Rolls the account's day, then fills resting orders the market has reached (unless fills
/// are switched off) and publishes their notices. Runs before every account answer and on
/// the server's matching timer.
pub(crate) fn sweep(sh: &Shared) {
    roll(sh);
    if sh.config.fill == Fill::Never {
        return;
    }
    let notices = {
        let mut account = lock(&sh.account);
        if !account.has_open() {
            return;
        }
        account.sweep(&sh.market)
    };
    publish(sh, notices);
}

fn price_of(call: &Call<'_>, code: &str) -> u64 {
    call.sh.market.quote(code).price.max(0) as u64
}

pub(crate) fn base(call: &Call<'_>) -> Map<String, Value> {
    synth::body(call.spec, call.sh.catalog.example(call.spec), 1, 0)
}

/// Replaces a block's records with `rows`, each a spec-shaped record with the given values set.
/// Object blocks take the first row.
pub(crate) fn fill_block(
    call: &Call<'_>,
    body: &mut Map<String, Value>,
    block: &str,
    rows: Vec<Vec<(&str, String)>>,
) {
    let Some(field) = call
        .spec
        .response
        .body
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(block))
    else {
        return;
    };
    let records: Vec<Value> = rows
        .into_iter()
        .enumerate()
        .map(|(i, values)| {
            let mut record = synth::record(&field.fields, None, i);
            for (k, v) in values {
                synth::set(&mut record, k, v);
            }
            Value::Object(record)
        })
        .collect();
    let value = match field.kind {
        kis_spec::Kind::Object => records
            .into_iter()
            .next()
            .unwrap_or_else(|| Value::Object(synth::record(&field.fields, None, 0))),
        _ => Value::Array(records),
    };
    body.insert(field.name.clone(), value);
}

pub(crate) fn success(body: &mut Map<String, Value>, msg_cd: &str, msg1: &str) {
    synth::set(body, "rt_cd", "0");
    synth::set(body, "msg_cd", msg_cd);
    synth::set(body, "msg1", msg1);
}

pub(crate) fn publish(sh: &Shared, notices: Vec<Notice>) {
    for notice in notices {
        bump(&sh.stats.notices_generated);
        // No subscriber is not an error: notices are only for open websocket sessions.
        crate::control::publish(sh, notice);
    }
}

/// Applies the fill policy to a freshly accepted order.
fn after_accept(sh: &Arc<Shared>, order: &Order, accept: Notice) {
    let mut notices = vec![accept];
    match sh.config.fill {
        Fill::Market => notices.extend(lock(&sh.account).match_now(&sh.market, &order.odno, false)),
        Fill::Immediate => {
            notices.extend(lock(&sh.account).match_now(&sh.market, &order.odno, true))
        }
        Fill::After(delay) => {
            let sh2 = sh.clone();
            let odno = order.odno.clone();
            let day = lock(&sh.account).day;
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                roll(&sh2);
                let mut account = lock(&sh2.account);
                // A new day reuses the number: the order it named has ended.
                let fill = if account.day == day {
                    account.match_now(&sh2.market, &odno, true)
                } else {
                    Vec::new()
                };
                drop(account);
                publish(&sh2, fill);
            });
        }
        Fill::Never => {}
    }
    publish(sh, notices);
}

fn order_reply(call: &Call<'_>, order: &Order) -> Reply {
    let mut body = base(call);
    fill_block(
        call,
        &mut body,
        "output",
        vec![vec![
            ("KRX_FWDG_ORD_ORGNO", BRANCH.into()),
            ("ODNO", order.odno.clone()),
            ("ORD_TMD", order.time.clone()),
        ]],
    );
    success(&mut body, "APBK0013", "주문 전송 완료 되었습니다.");
    Reply::ok(Value::Object(body))
}

/// The venue of `EXCG_ID_DVSN_CD` (거래소ID구분코드): blank is KRX, as KIS takes it. An unknown
/// code, or NXT/SOR on the paper service (모의투자는 KRX만 가능), is refused in KIS's
/// field-check form (`OPSQ2001`, `INVALID_CHECK_EXCG_ID_DVSN_CD`: KIS's exact answer for this
/// field is not documented).
fn venue(call: &Call<'_>) -> Result<&'static str, Reply> {
    let refuse = |why: &str| {
        Reply::business(
            "OPSQ2001",
            format!("ERROR : INPUT INVALID_CHECK_EXCG_ID_DVSN_CD ({why})"),
        )
    };
    let v = match call.param("EXCG_ID_DVSN_CD").trim() {
        "" | "KRX" => "KRX",
        "NXT" => "NXT",
        "SOR" => "SOR",
        _ => return Err(refuse("KRX, NXT 또는 SOR")),
    };
    if v != "KRX" && call.sh.config.env == crate::config::MockEnv::Paper {
        return Err(refuse("모의투자는 KRX만 가능합니다"));
    }
    Ok(v)
}

fn order_cash(call: &Call<'_>) -> Reply {
    let tr = call.tr_id;
    let sell = tr.ends_with("0011U");
    let venue = match venue(call) {
        Ok(v) => v,
        Err(reply) => return reply,
    };
    let placed = {
        let mut account = lock(&call.sh.account);
        account
            .place(
                &call.sh.market,
                call.param("PDNO"),
                sell,
                call.param("ORD_DVSN"),
                call.param("ORD_QTY"),
                call.param("ORD_UNPR"),
            )
            .map(|(mut order, mut accept)| {
                account.route(&order.odno, venue);
                order.venue = venue;
                accept = account
                    .accept_notice(&call.sh.market, &order.odno)
                    .unwrap_or(accept);
                (order, accept)
            })
    };
    match placed {
        Ok((order, accept)) => {
            bump(&call.sh.stats.orders);
            if call.sh.faults.take_refusal() {
                // Accepted by KIS, then refused by the exchange: the refusal is the notice.
                let refused = lock(&call.sh.account).refuse(&call.sh.market, &order.odno);
                publish(call.sh, refused.into_iter().collect());
            } else {
                after_accept(call.sh, &order, accept);
            }
            order_reply(call, &order)
        }
        Err(r) => Reply::business(r.msg_cd, r.msg1),
    }
}

fn revise(call: &Call<'_>) -> Reply {
    // The code is checked as on a new order and kept on the modify or cancel record.
    let venue = match venue(call) {
        Ok(v) => v,
        Err(reply) => return reply,
    };
    let cancel = call.param("RVSE_CNCL_DVSN_CD") == "02";
    let mut account = lock(&call.sh.account);
    let revised = account.revise(
        &call.sh.market,
        call.param("ORGN_ODNO"),
        cancel,
        call.param("ORD_DVSN"),
        call.param("ORD_QTY"),
        call.param("ORD_UNPR"),
        call.param("QTY_ALL_ORD_YN") == "Y",
    );
    let revised = revised.map(|(mut order, accept)| {
        account.route(&order.odno, venue);
        order.venue = venue;
        (order, accept)
    });
    drop(account);
    match revised {
        Ok((order, accept)) => {
            bump(&call.sh.stats.orders);
            if cancel {
                publish(call.sh, vec![accept]);
            } else {
                after_accept(call.sh, &order, accept);
            }
            order_reply(call, &order)
        }
        Err(r) => Reply::business(r.msg_cd, r.msg1),
    }
}

/// The rows of page `page` and the number of pages (at least 1).
fn page_of<T: Clone>(
    call: &Call<'_>,
    list: AccountList,
    all: &[T],
) -> Result<(Vec<T>, u32), Reply> {
    let config = &call.sh.config;
    let rows = config.paging.account_page(list, config.env) as usize;
    let pages = all.len().div_ceil(rows).max(1) as u32;
    if call.page >= pages {
        return Err(Reply::business(
            "OPSQ0005",
            "연속조회키가 올바르지 않습니다 (마지막 페이지 이후).",
        ));
    }
    let start = call.page as usize * rows;
    Ok((all.iter().skip(start).take(rows).cloned().collect(), pages))
}

fn balance(call: &Call<'_>) -> Reply {
    let account = lock(&call.sh.account);
    let holdings: Vec<(String, u64, u64, (u64, u64))> = account
        .balance_rows()
        .into_iter()
        .map(|(code, p, today)| (code, p.qty, p.avg_price, today))
        .collect();
    let (page, pages) = match page_of(call, AccountList::Balance, &holdings) {
        Ok(x) => x,
        Err(reply) => return reply,
    };
    let mut body = base(call);
    let rows = page
        .iter()
        .map(|(code, qty, avg, (bought, sold))| {
            let before = account.yesterday.qty.get(code).copied().unwrap_or_default();
            let price = price_of(call, code);
            let pchs = qty.saturating_mul(*avg);
            let evlu = qty.saturating_mul(price);
            let pfls = i128::from(evlu) - i128::from(pchs);
            let rate = if pchs == 0 {
                0.0
            } else {
                pfls as f64 * 100.0 / pchs as f64
            };
            vec![
                ("pdno", code.clone()),
                ("prdt_name", call.sh.market.product(code).name.clone()),
                ("trad_dvsn_name", "현금".into()),
                ("bfdy_buy_qty", before.0.to_string()),
                ("bfdy_sll_qty", before.1.to_string()),
                ("thdt_buyqty", bought.to_string()),
                ("thdt_sll_qty", sold.to_string()),
                ("hldg_qty", qty.to_string()),
                ("ord_psbl_qty", account.sellable(code).to_string()),
                ("pchs_avg_pric", format!("{avg}.0000")),
                ("pchs_amt", pchs.to_string()),
                ("prpr", price.to_string()),
                ("evlu_amt", evlu.to_string()),
                ("evlu_pfls_amt", pfls.to_string()),
                ("evlu_pfls_rt", format!("{rate:.2}")),
            ]
        })
        .collect();
    fill_block(call, &mut body, "output1", rows);
    let pchs = holdings
        .iter()
        .map(|(_, q, a, _)| q.saturating_mul(*a))
        .fold(0u64, u64::saturating_add);
    let evlu = holdings
        .iter()
        .map(|(c, q, _, _)| q.saturating_mul(price_of(call, c)))
        .fold(0u64, u64::saturating_add);
    let deposit = account.deposit.to_string();
    let next_day = account.next_day_cash().to_string();
    fill_block(
        call,
        &mut body,
        "output2",
        vec![vec![
            // D+0 holds what settled, D+1 adds the next trading day's settlement; every
            // trade settles at T+2 (see `day`).
            ("dnca_tot_amt", deposit),
            ("nxdy_excc_amt", next_day),
            ("prvs_rcdl_excc_amt", account.cash.to_string()),
            ("thdt_buy_amt", account.bought.to_string()),
            ("thdt_sll_amt", account.sold.to_string()),
            ("thdt_tlex_amt", account.charges.to_string()),
            ("bfdy_buy_amt", account.yesterday.bought.to_string()),
            ("bfdy_sll_amt", account.yesterday.sold.to_string()),
            ("scts_evlu_amt", evlu.to_string()),
            (
                "tot_evlu_amt",
                account.cash.saturating_add(evlu).to_string(),
            ),
            ("nass_amt", account.cash.saturating_add(evlu).to_string()),
            ("pchs_amt_smtl_amt", pchs.to_string()),
            ("evlu_amt_smtl_amt", evlu.to_string()),
            (
                "evlu_pfls_smtl_amt",
                (i128::from(evlu) - i128::from(pchs)).to_string(),
            ),
        ]],
    );
    drop(account);
    success(&mut body, "KIOK0510", "조회가 완료되었습니다");
    let tr_cont = paginate(call.spec, &mut body, call.page, pages);
    Reply {
        tr_cont: Some(tr_cont),
        ..Reply::ok(Value::Object(body))
    }
}

fn daily_ccld(call: &Call<'_>) -> Reply {
    let account = lock(&call.sh.account);
    let code = call.param("PDNO");
    let side = call.param("SLL_BUY_DVSN_CD");
    let ccld = call.param("CCLD_DVSN");
    let venue = call.param("EXCG_ID_DVSN_CD").trim();
    // The inquiry's days (`YYYYMMDD`, compared as text); an absent bound does not filter.
    let (from, to) = (call.param("INQR_STRT_DT"), call.param("INQR_END_DT"));
    // Earlier days' orders first (they ended), then today's: a number repeats across days,
    // each row carries its own `ord_dt`.
    let orders: Vec<Order> = account
        .past
        .iter()
        .chain(&account.orders)
        .filter(|o| from.is_empty() || o.date.as_str() >= from)
        .filter(|o| to.is_empty() || o.date.as_str() <= to)
        .filter(|o| code.is_empty() || o.code == code)
        .filter(|o| matches!(venue, "" | "ALL") || o.venue == venue)
        .filter(|o| match side {
            "01" => o.sell,
            "02" => !o.sell,
            _ => true,
        })
        .filter(|o| match ccld {
            "01" => o.filled > 0,
            "02" => o.remaining() > 0,
            _ => true,
        })
        .cloned()
        .collect();
    drop(account);
    let (page, pages) = match page_of(call, AccountList::DailyExecutions, &orders) {
        Ok(x) => x,
        Err(reply) => return reply,
    };
    let mut body = base(call);
    let rows = page
        .iter()
        .map(|o| {
            vec![
                ("ord_dt", o.date.clone()),
                ("ord_gno_brno", BRANCH.into()),
                ("odno", o.odno.clone()),
                ("orgn_odno", o.orgn_odno.clone()),
                ("ord_dvsn_cd", o.ord_dvsn.clone()),
                (
                    "ord_dvsn_name",
                    if o.ord_dvsn == "01" {
                        "시장가"
                    } else {
                        "지정가"
                    }
                    .into(),
                ),
                ("sll_buy_dvsn_cd", if o.sell { "01" } else { "02" }.into()),
                (
                    "sll_buy_dvsn_cd_name",
                    match (o.kind, o.sell) {
                        (OrderKind::Cancel, true) => "매도취소",
                        (OrderKind::Cancel, false) => "매수취소",
                        (OrderKind::Modify, true) => "매도정정",
                        (OrderKind::Modify, false) => "매수정정",
                        (OrderKind::New, true) => "현금매도",
                        (OrderKind::New, false) => "현금매수",
                    }
                    .into(),
                ),
                ("pdno", o.code.clone()),
                ("prdt_name", call.sh.market.product(&o.code).name.clone()),
                ("ord_qty", o.qty.to_string()),
                ("ord_unpr", o.price.to_string()),
                ("ord_tmd", o.time.clone()),
                ("tot_ccld_qty", o.filled.to_string()),
                ("avg_prvs", o.fill_price().to_string()),
                (
                    "cncl_yn",
                    if o.kind == OrderKind::Cancel {
                        "Y"
                    } else {
                        "N"
                    }
                    .into(),
                ),
                ("tot_ccld_amt", o.fill_amount.to_string()),
                ("rmn_qty", o.remaining().to_string()),
                ("rjct_qty", o.rejected.to_string()),
                ("ccld_cndt_name", "없음".into()),
                ("excg_id_dvsn_cd", o.venue.into()),
            ]
        })
        .collect();
    fill_block(call, &mut body, "output1", rows);
    let ord_qty: u64 = orders
        .iter()
        .filter(|o| o.kind == OrderKind::New)
        .map(|o| o.qty)
        .sum();
    let ccld_qty: u64 = orders.iter().map(|o| o.filled).sum();
    let ccld_amt = orders
        .iter()
        .map(|o| o.fill_amount)
        .fold(0u64, u64::saturating_add);
    // The same fees and taxes the balance charged (`thdt_tlex_amt`) for these orders.
    let fees = orders
        .iter()
        .map(|o| o.fees)
        .fold(0u64, u64::saturating_add);
    fill_block(
        call,
        &mut body,
        "output2",
        vec![vec![
            ("tot_ord_qty", ord_qty.to_string()),
            ("tot_ccld_qty", ccld_qty.to_string()),
            ("tot_ccld_amt", ccld_amt.to_string()),
            ("prsm_tlex_smtl", fees.to_string()),
            (
                "pchs_avg_pric",
                (ccld_amt.checked_div(ccld_qty).unwrap_or(0)).to_string(),
            ),
        ]],
    );
    success(&mut body, "KIOK0460", "조회가 완료되었습니다");
    let tr_cont = paginate(call.spec, &mut body, call.page, pages);
    Reply {
        tr_cont: Some(tr_cont),
        ..Reply::ok(Value::Object(body))
    }
}

fn psbl_order(call: &Call<'_>) -> Reply {
    let account: std::sync::MutexGuard<'_, Account> = lock(&call.sh.account);
    let code = call.param("PDNO");
    let price = match call.param("ORD_UNPR").trim().parse::<u64>() {
        Ok(p) if p > 0 => p,
        _ => {
            let q = call.sh.market.quote(code);
            (if q.ask > 0 { q.ask } else { q.price }).max(1) as u64
        }
    };
    let avail = account.available_cash();
    // Whole shares whose amount plus commission fit the available cash.
    let mut qty = avail / price;
    while qty > 0 && qty * price + account.commission(qty * price) > avail {
        qty -= 1;
    }
    drop(account);
    let mut body = base(call);
    fill_block(
        call,
        &mut body,
        "output",
        vec![vec![
            ("ord_psbl_cash", avail.to_string()),
            ("ord_psbl_sbst", "0".into()),
            ("ruse_psbl_amt", "0".into()),
            ("fund_rpch_chgs", "0".into()),
            ("psbl_qty_calc_unpr", price.to_string()),
            ("nrcvb_buy_amt", avail.to_string()),
            ("nrcvb_buy_qty", qty.to_string()),
            ("max_buy_amt", avail.to_string()),
            ("max_buy_qty", qty.to_string()),
            ("cma_evlu_amt", "0".into()),
            ("ovrs_re_use_amt_wcrc", "0".into()),
            ("ord_psbl_frcr_amt_wcrc", "0".into()),
        ]],
    );
    success(&mut body, "KIOK0510", "조회가 완료되었습니다");
    Reply::ok(Value::Object(body))
}
