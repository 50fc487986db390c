//! The overseas-stock trading endpoints' answers from the [`UsAccount`]: order, modify/cancel,
//! executions (`inquire-ccnl`), open orders (`inquire-nccs`), balance (`inquire-balance`) and
//! present balance (`inquire-present-balance`), shaped by their spec.

use std::sync::Arc;

use serde_json::Value;

use super::book::{UsAccount, UsOrder, market_name, order_exchange};
use crate::account::{Notice, OrderKind, Reject};
use crate::config::Fill;
use crate::market::product::{Venue, fmt_units};
use crate::rest::{Call, Reply, paginate};
use crate::server::{Shared, lock};
use crate::stats::bump;
use crate::trading::{base, fill_block, publish, success};

/// KRW per USD the mock converts at (`bass_exrt`, `frst_bltn_exrt`).
const USD_KRW: f64 = 1_400.0;

/// Cents as a decimal string with `decimals` places (at least 2).
fn usd(cents: i64, decimals: u32) -> String {
    fmt_units(
        cents * 10i64.pow(decimals.saturating_sub(2)),
        decimals.max(2),
    )
}

/// Cents in whole won at [`USD_KRW`], as text.
fn krw(cents: i64) -> String {
    ((cents as f64 / 100.0 * USD_KRW).round() as i64).to_string()
}

fn rate(part: i64, whole: i64) -> String {
    if whole == 0 {
        return "0.00".into();
    }
    format!("{:.2}", part as f64 * 100.0 / whole as f64)
}

/// Whether an inquiry's exchange code takes a venue: empty, `%` or `NASD` (all of the US, as
/// the real service reads it), or the venue's own code.
fn exchange_takes(code: &str, venue: Venue) -> bool {
    matches!(code.trim(), "" | "%" | "NASD" | "NAS") || code.trim() == order_exchange(venue)
}

fn reject(r: Reject) -> Reply {
    Reply::business(r.msg_cd, r.msg1)
}

/// The variant name the call's TR ID belongs to (`us_buy`, `us_sell`, `us`, `hk_buy`, ...).
fn variant<'a>(call: &'a Call<'_>) -> &'a str {
    let env = call.sh.config.env.into();
    call.spec
        .variants
        .iter()
        .find(|v| v.tr_id(env) == Some(call.tr_id))
        .map_or("", |v| v.name.as_str())
}

/// An order to a market the mock has no products on (Hong Kong, Tokyo, ...), or an exchange
/// code that is not a US one: refused as KIS refuses an unknown product.
fn no_product(call: &Call<'_>) -> Reply {
    Reply::business(
        "APBK0656",
        format!(
            "해당종목정보가 없습니다.({} {})",
            call.param("OVRS_EXCG_CD"),
            call.param("PDNO")
        ),
    )
}

fn us_exchange(call: &Call<'_>) -> bool {
    matches!(call.param("OVRS_EXCG_CD").trim(), "NASD" | "NYSE" | "AMEX")
}

/// Applies the fill policy to an accepted order and publishes its notices.
fn after_accept(sh: &Arc<Shared>, odno: &str, accept: Notice) {
    let mut notices = vec![accept];
    match sh.config.fill {
        Fill::Market => notices.extend(lock(&sh.overseas).match_now(&sh.market, odno, false)),
        Fill::Immediate => notices.extend(lock(&sh.overseas).match_now(&sh.market, odno, true)),
        Fill::After(delay) => {
            let sh2 = sh.clone();
            let odno = odno.to_owned();
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                let fill = lock(&sh2.overseas).match_now(&sh2.market, &odno, true);
                publish(&sh2, fill);
            });
        }
        Fill::Never => {}
    }
    publish(sh, notices);
}

fn order_reply(call: &Call<'_>, order: &UsOrder) -> Reply {
    let mut body = base(call);
    fill_block(
        call,
        &mut body,
        "output",
        vec![vec![
            ("KRX_FWDG_ORD_ORGNO", super::BRANCH.into()),
            ("ODNO", order.odno.clone()),
            ("ORD_TMD", order.kst_time.clone()),
        ]],
    );
    success(&mut body, "APBK0013", "주문 전송 완료 되었습니다.");
    Reply::ok(Value::Object(body))
}

pub(super) fn order(call: &Call<'_>) -> Reply {
    let sell = match variant(call) {
        "us_buy" => false,
        "us_sell" => true,
        _ => return no_product(call),
    };
    if !us_exchange(call) {
        return no_product(call);
    }
    let placed = lock(&call.sh.overseas).place(
        &call.sh.market,
        call.param("PDNO"),
        sell,
        call.param("ORD_DVSN"),
        call.param("ORD_QTY"),
        call.param("OVRS_ORD_UNPR"),
    );
    match placed {
        Ok((order, accept)) => {
            bump(&call.sh.stats.orders);
            after_accept(call.sh, &order.odno, accept);
            order_reply(call, &order)
        }
        Err(r) => reject(r),
    }
}

pub(super) fn revise(call: &Call<'_>) -> Reply {
    if variant(call) != "us" || !us_exchange(call) {
        return no_product(call);
    }
    let cancel = match call.param("RVSE_CNCL_DVSN_CD").trim() {
        "01" => false,
        "02" => true,
        other => {
            return Reply::business(
                "APBK1271",
                format!("정정취소구분코드 입력오류입니다. ({other}: 01 정정, 02 취소)"),
            );
        }
    };
    let revised = lock(&call.sh.overseas).revise(
        &call.sh.market,
        call.param("ORGN_ODNO"),
        cancel,
        call.param("ORD_QTY"),
        call.param("OVRS_ORD_UNPR"),
    );
    match revised {
        Ok((order, accept)) => {
            bump(&call.sh.stats.orders);
            if cancel {
                publish(call.sh, vec![accept]);
            } else {
                after_accept(call.sh, &order.odno, accept);
            }
            order_reply(call, &order)
        }
        Err(r) => reject(r),
    }
}

/// The rows of the call's page and the page count; `None` past the last page.
fn page_of<T: Clone>(call: &Call<'_>, all: &[T]) -> Option<(Vec<T>, u32)> {
    let rows = call.sh.config.paging.rows.max(1) as usize;
    let pages = all.len().div_ceil(rows).max(1) as u32;
    if call.page >= pages {
        return None;
    }
    let start = call.page as usize * rows;
    Some((all.iter().skip(start).take(rows).cloned().collect(), pages))
}

fn past_last() -> Reply {
    Reply::business(
        "OPSQ0005",
        "연속조회키가 올바르지 않습니다 (마지막 페이지 이후).",
    )
}

fn side_name(o: &UsOrder) -> (&'static str, &'static str) {
    if o.sell {
        ("01", "매도")
    } else {
        ("02", "매수")
    }
}

fn revision(o: &UsOrder) -> (&'static str, &'static str) {
    match o.kind {
        OrderKind::New => ("00", ""),
        OrderKind::Modify => ("01", "정정"),
        OrderKind::Cancel => ("02", "취소"),
    }
}

/// What executions and open orders share per order.
fn order_row(call: &Call<'_>, o: &UsOrder) -> Vec<(&'static str, String)> {
    let (side, side_label) = side_name(o);
    vec![
        ("ord_dt", o.date.clone()),
        ("ord_gno_brno", super::BRANCH.into()),
        ("odno", o.odno.clone()),
        ("orgn_odno", o.orgn_odno.clone()),
        ("sll_buy_dvsn_cd", side.into()),
        ("sll_buy_dvsn_cd_name", side_label.into()),
        ("pdno", o.code.clone()),
        ("prdt_name", call.sh.market.product(&o.code).name.clone()),
        ("ft_ord_qty", o.qty.to_string()),
        ("ft_ord_unpr3", usd(o.price, 8)),
        ("ft_ccld_qty", o.filled.to_string()),
        ("ft_ccld_unpr3", fmt_units(o.avg_price_e4() * 10_000, 8)),
        ("ft_ccld_amt3", usd(o.fill_amount, 5)),
        ("nccs_qty", o.open().to_string()),
        ("prcs_stat_name", "완료".into()),
        ("rjct_rson", String::new()),
        ("rjct_rson_name", String::new()),
        ("ord_tmd", o.time.clone()),
        ("tr_mket_name", market_name(o.venue).into()),
        ("tr_crcy_cd", "USD".into()),
        ("ovrs_excg_cd", order_exchange(o.venue).into()),
        ("loan_type_cd", "10".into()),
        ("loan_dt", String::new()),
        ("usa_amk_exts_rqst_yn", "N".into()),
        ("splt_buy_attr_name", String::new()),
    ]
}

/// The orders an inquiry asks for, in its `SORT_SQN` (`DS` oldest first, else newest first).
fn orders_for(call: &Call<'_>, keep: impl Fn(&UsOrder) -> bool) -> Vec<UsOrder> {
    let account = lock(&call.sh.overseas);
    let mut out: Vec<UsOrder> = account
        .orders
        .iter()
        .filter(|o| exchange_takes(call.param("OVRS_EXCG_CD"), o.venue))
        .filter(|o| keep(o))
        .cloned()
        .collect();
    if !matches!(call.param("SORT_SQN").trim(), "" | "DS") {
        out.reverse();
    }
    out
}

fn listed(call: &Call<'_>, rows: Vec<Vec<(&'static str, String)>>, pages: u32) -> Reply {
    let empty = rows.is_empty();
    let mut body = base(call);
    fill_block(call, &mut body, "output", rows);
    if empty {
        success(&mut body, "KIOK0560", "조회할 내용이 없습니다");
    } else {
        success(&mut body, "KIOK0510", "조회가 완료되었습니다");
    }
    let tr_cont = paginate(call.spec, &mut body, call.page, pages);
    Reply {
        tr_cont: Some(tr_cont),
        ..Reply::ok(Value::Object(body))
    }
}

/// 해외주식 주문체결내역: the orders placed (new, modify and cancel records) by New York day.
pub(super) fn executions(call: &Call<'_>) -> Reply {
    let (from, to) = (call.param("ORD_STRT_DT"), call.param("ORD_END_DT"));
    let code = call.param("PDNO").trim().to_ascii_uppercase();
    let side = call.param("SLL_BUY_DVSN").trim().to_owned();
    let ccld = call.param("CCLD_NCCS_DVSN").trim().to_owned();
    let orders = orders_for(call, |o| {
        (from.is_empty() || o.date.as_str() >= from)
            && (to.is_empty() || o.date.as_str() <= to)
            && (code.is_empty() || code == "%" || o.code == code)
            && match side.as_str() {
                "01" => o.sell,
                "02" => !o.sell,
                _ => true,
            }
            && match ccld.as_str() {
                "01" => o.filled > 0,
                "02" => o.open() > 0,
                _ => true,
            }
    });
    let Some((page, pages)) = page_of(call, &orders) else {
        return past_last();
    };
    let rows = page
        .iter()
        .map(|o| {
            let (cd, name) = revision(o);
            let mut row = order_row(call, o);
            row.extend([
                ("rvse_cncl_dvsn", cd.into()),
                ("rvse_cncl_dvsn_name", name.into()),
                ("tr_natn", "840".into()),
                ("tr_natn_name", "미국".into()),
                ("dmst_ord_dt", o.kst_date.clone()),
                ("thco_ord_tmd", o.kst_time.clone()),
                ("mdia_dvsn_name", "OpenAPI".into()),
            ]);
            row
        })
        .collect();
    listed(call, rows, pages)
}

/// 해외주식 미체결내역: the open orders.
pub(super) fn open_orders(call: &Call<'_>) -> Reply {
    let orders = orders_for(call, |o| o.open() > 0);
    let rows = orders
        .iter()
        .map(|o| {
            let (cd, name) = revision(o);
            let mut row = order_row(call, o);
            row.extend([
                ("rvse_cncl_dvsn_cd", cd.into()),
                ("rvse_cncl_dvsn_cd_name", name.into()),
                ("natn_cd", "840".into()),
                ("natn_kor_name", "미국".into()),
            ]);
            row
        })
        .collect();
    // Not a paging endpoint (`tr_cont` continuation is not offered): one answer with all.
    listed(call, rows, 1)
}

/// A position with its market value now.
#[derive(Clone)]
struct Valued {
    code: String,
    name: String,
    venue: Venue,
    qty: u64,
    sellable: u64,
    cost: i64,
    avg_e4: i64,
    price: i64,
    value: i64,
}

fn valued(call: &Call<'_>, account: &UsAccount, keep: impl Fn(Venue) -> bool) -> Vec<Valued> {
    let market = &call.sh.market;
    let now = market.now();
    account
        .holdings
        .iter()
        .filter(|(_, p)| keep(p.venue))
        .map(|(code, p)| {
            let product = market.product(code);
            let price = market.quote_at(&product, now).price;
            Valued {
                code: code.clone(),
                name: product.name.clone(),
                venue: p.venue,
                qty: p.qty,
                sellable: account.sellable(code),
                cost: p.cost,
                avg_e4: p.avg_price_e4(),
                price,
                value: price * p.qty as i64,
            }
        })
        .collect()
}

/// 해외주식 잔고: positions in USD.
pub(super) fn balance(call: &Call<'_>) -> Reply {
    let usd_asked = matches!(call.param("TR_CRCY_CD").trim(), "" | "USD");
    let account = lock(&call.sh.overseas);
    let exchange = call.param("OVRS_EXCG_CD").to_owned();
    let all = if usd_asked {
        valued(call, &account, |v| exchange_takes(&exchange, v))
    } else {
        Vec::new()
    };
    let (cano, prdt) = (account.cano.clone(), account.prdt.clone());
    let (bought, realized) = (account.bought, account.realized);
    drop(account);
    let Some((page, pages)) = page_of(call, &all) else {
        return past_last();
    };
    let mut body = base(call);
    let rows = page
        .iter()
        .map(|p| {
            vec![
                ("cano", cano.clone()),
                ("acnt_prdt_cd", prdt.clone()),
                ("prdt_type_cd", "512".into()),
                ("ovrs_pdno", p.code.clone()),
                ("ovrs_item_name", p.name.clone()),
                ("frcr_evlu_pfls_amt", usd(p.value - p.cost, 6)),
                ("evlu_pfls_rt", rate(p.value - p.cost, p.cost)),
                ("pchs_avg_pric", fmt_units(p.avg_e4, 4)),
                ("ovrs_cblc_qty", p.qty.to_string()),
                ("ord_psbl_qty", p.sellable.to_string()),
                ("frcr_pchs_amt1", usd(p.cost, 5)),
                ("ovrs_stck_evlu_amt", usd(p.value, 8)),
                ("now_pric2", usd(p.price, 6)),
                ("tr_crcy_cd", "USD".into()),
                ("ovrs_excg_cd", order_exchange(p.venue).into()),
                ("loan_type_cd", "10".into()),
                ("loan_dt", String::new()),
                ("expd_dt", String::new()),
            ]
        })
        .collect();
    fill_block(call, &mut body, "output1", rows);
    let cost: i64 = all.iter().map(|p| p.cost).sum();
    let value: i64 = all.iter().map(|p| p.value).sum();
    fill_block(
        call,
        &mut body,
        "output2",
        vec![vec![
            ("frcr_pchs_amt1", usd(cost, 5)),
            ("ovrs_rlzt_pfls_amt", usd(realized, 5)),
            ("ovrs_tot_pfls", usd(value - cost, 5)),
            ("rlzt_erng_rt", rate(realized, bought)),
            ("tot_evlu_pfls_amt", usd(value - cost, 8)),
            ("tot_pftrt", rate(value - cost, cost)),
            ("frcr_buy_amt_smtl1", usd(bought, 6)),
            ("ovrs_rlzt_pfls_amt2", usd(realized, 5)),
            ("frcr_buy_amt_smtl2", usd(bought, 6)),
        ]],
    );
    success(&mut body, "KIOK0510", "조회가 완료되었습니다");
    let tr_cont = paginate(call.spec, &mut body, call.page, pages);
    Reply {
        tr_cont: Some(tr_cont),
        ..Reply::ok(Value::Object(body))
    }
}

/// 해외주식 체결기준현재잔고: positions, the USD deposit and totals, in won (`01`) or in the
/// currency (`02`).
pub(super) fn present_balance(call: &Call<'_>) -> Reply {
    let won = call.param("WCRC_FRCR_DVSN_CD").trim() == "01";
    let money = |cents: i64, decimals: u32| {
        if won {
            krw(cents)
        } else {
            usd(cents, decimals)
        }
    };
    let us = matches!(call.param("NATN_CD").trim(), "" | "000" | "840");
    let market_cd = call.param("TR_MKET_CD").trim().to_owned();
    let takes = |v: Venue| match market_cd.as_str() {
        "" | "00" => true,
        "01" => v == Venue::Nasdaq,
        "02" => v == Venue::Nyse,
        "05" => v == Venue::Amex,
        _ => false,
    };
    let account = lock(&call.sh.overseas);
    let positions = if us {
        valued(call, &account, takes)
    } else {
        Vec::new()
    };
    let today_qty = |code: &str, sell: bool| -> u64 {
        account
            .fills
            .iter()
            .filter(|f| f.symbol == code && f.sell == sell)
            .map(|f| f.qty)
            .sum()
    };
    let today_amt = |code: &str, sell: bool| -> i64 {
        account
            .orders
            .iter()
            .filter(|o| o.code == code && o.sell == sell)
            .map(|o| o.fill_amount)
            .sum()
    };
    let rate_text = format!("{USD_KRW:.8}");
    let rows = positions
        .iter()
        .map(|p| {
            vec![
                ("prdt_name", p.name.clone()),
                ("cblc_qty13", format!("{}.00000000", p.qty)),
                (
                    "thdt_buy_ccld_qty1",
                    format!("{}.00000000", today_qty(&p.code, false)),
                ),
                (
                    "thdt_sll_ccld_qty1",
                    format!("{}.00000000", today_qty(&p.code, true)),
                ),
                ("ccld_qty_smtl1", format!("{}.00000000", p.qty)),
                ("ord_psbl_qty1", format!("{}.00000000", p.sellable)),
                ("frcr_pchs_amt", money(p.cost, 5)),
                ("frcr_evlu_amt2", money(p.value, 6)),
                ("evlu_pfls_amt2", money(p.value - p.cost, 5)),
                ("evlu_pfls_rt1", rate(p.value - p.cost, p.cost)),
                ("pdno", p.code.clone()),
                ("bass_exrt", rate_text.clone()),
                ("buy_crcy_cd", "USD".into()),
                ("ovrs_now_pric1", usd(p.price, 5)),
                ("avg_unpr3", fmt_units(p.avg_e4, 4)),
                ("tr_mket_name", market_name(p.venue).into()),
                ("natn_kor_name", "미국".into()),
                ("pchs_rmnd_wcrc_amt", krw(p.cost)),
                ("thdt_buy_ccld_frcr_amt", usd(today_amt(&p.code, false), 6)),
                ("thdt_sll_ccld_frcr_amt", usd(today_amt(&p.code, true), 6)),
                ("unit_amt", "1".into()),
                ("std_pdno", String::new()),
                ("prdt_type_cd", "512".into()),
                ("scts_dvsn_name", "현금".into()),
                ("loan_rmnd", "0".into()),
                ("loan_dt", String::new()),
                ("loan_expd_dt", String::new()),
                ("ovrs_excg_cd", order_exchange(p.venue).into()),
                ("item_lnkg_excg_cd", p.venue.excd().into()),
            ]
        })
        .collect();
    let (cash, available, bought, sold) = (
        account.cash,
        account.available(),
        account.bought,
        account.sold,
    );
    drop(account);
    let cost: i64 = positions.iter().map(|p| p.cost).sum();
    let value: i64 = positions.iter().map(|p| p.value).sum();
    let mut body = base(call);
    fill_block(call, &mut body, "output1", rows);
    fill_block(
        call,
        &mut body,
        "output2",
        vec![vec![
            ("crcy_cd", "USD".into()),
            ("crcy_cd_name", "미국 달러".into()),
            ("frcr_buy_amt_smtl", usd(bought, 6)),
            ("frcr_sll_amt_smtl", usd(sold, 6)),
            ("frcr_dncl_amt_2", usd(cash, 2)),
            ("frst_bltn_exrt", rate_text.clone()),
            ("frcr_buy_mgn_amt", usd(cash - available, 2)),
            ("frcr_etc_mgna", "0.00".into()),
            ("frcr_drwg_psbl_amt_1", usd(available, 2)),
            ("frcr_evlu_amt2", krw(cash)),
            ("acpl_cstd_crcy_yn", "Y".into()),
            ("nxdy_frcr_drwg_psbl_amt", usd(available, 2)),
        ]],
    );
    let total = value + cash;
    fill_block(
        call,
        &mut body,
        "output3",
        vec![vec![
            ("pchs_amt_smtl", krw(cost)),
            ("evlu_amt_smtl", krw(value)),
            ("evlu_pfls_amt_smtl", krw(value - cost)),
            ("dncl_amt", "0".into()),
            ("cma_evlu_amt", "0".into()),
            ("tot_dncl_amt", krw(cash)),
            ("etc_mgna", "0".into()),
            ("wdrw_psbl_tot_amt", krw(available)),
            ("frcr_evlu_tota", krw(cash)),
            ("evlu_erng_rt1", rate(value - cost, cost)),
            ("pchs_amt_smtl_amt", krw(cost)),
            ("evlu_amt_smtl_amt", krw(value)),
            ("tot_evlu_pfls_amt", krw(value - cost)),
            ("tot_asst_amt", krw(total)),
            ("buy_mgn_amt", krw(cash - available)),
            ("mgna_tota", krw(cash - available)),
            ("frcr_use_psbl_amt", usd(available, 2)),
            ("ustl_sll_amt_smtl", krw(sold)),
            ("ustl_buy_amt_smtl", krw(bought)),
            ("tot_frcr_cblc_smtl", usd(cash, 2)),
            ("tot_loan_amt", "0".into()),
        ]],
    );
    success(&mut body, "KIOK0510", "조회가 완료되었습니다");
    let tr_cont = paginate(call.spec, &mut body, 0, 1);
    Reply {
        tr_cont: Some(tr_cont),
        ..Reply::ok(Value::Object(body))
    }
}

/// 해외주식 매수가능금액조회: dollars available and whole shares they buy at the price asked
/// (or the ask now), commission included. A symbol outside the universe or an exchange that
/// is not a US one is refused as an order for it would be.
pub(super) fn buying_power(call: &Call<'_>) -> Reply {
    if !us_exchange(call) {
        return no_product(call);
    }
    if let Err(r) = UsAccount::product(&call.sh.market, call.param("ITEM_CD")) {
        return reject(r);
    }
    let account = lock(&call.sh.overseas);
    let available = account.available().max(0);
    let price = match super::book::parse_price(call.param("OVRS_ORD_UNPR")) {
        Ok(p) => p,
        Err(_) => UsAccount::product(&call.sh.market, call.param("ITEM_CD"))
            .map(|p| {
                let q = call.sh.market.quote_at(&p, call.sh.market.now());
                if q.ask > 0 { q.ask } else { q.price }
            })
            .unwrap_or(0),
    };
    let mut qty = available.checked_div(price).unwrap_or(0);
    while qty > 0 && qty * price + account.commission(qty * price) > available {
        qty -= 1;
    }
    drop(account);
    let mut body = base(call);
    fill_block(
        call,
        &mut body,
        "output",
        vec![vec![
            ("tr_crcy_cd", "USD".into()),
            ("ord_psbl_frcr_amt", usd(available, 2)),
            ("sll_ruse_psbl_amt", "0.00".into()),
            ("ovrs_ord_psbl_amt", usd(available, 2)),
            ("max_ord_psbl_qty", qty.to_string()),
            ("echm_af_ord_psbl_amt", "0.00".into()),
            ("echm_af_ord_psbl_qty", "0".into()),
            ("ord_psbl_qty", qty.to_string()),
            ("exrt", format!("{USD_KRW:.10}")),
            ("frcr_ord_psbl_amt1", usd(available, 2)),
            ("ovrs_max_ord_psbl_qty", qty.to_string()),
        ]],
    );
    success(&mut body, "KIOK0510", "조회가 완료되었습니다");
    Reply::ok(Value::Object(body))
}
