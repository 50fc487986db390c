//! The futures/options trading endpoints' answers from the [`super::book::FoAccount`]: order,
//! modify/cancel, executions (`inquire-ccnl`) and balance (`inquire-balance`), shaped by their
//! spec.

use std::sync::Arc;

use serde_json::Value;

use super::book::{FoOrder, KRW_PER_UNIT, is_option_code};
use crate::account::{BRANCH, Notice, OrderKind, Reject};
use crate::config::Fill;
use crate::market::product::fmt_units;
use crate::rest::{Call, Reply, paginate};
use crate::server::{Shared, lock};
use crate::stats::bump;
use crate::trading::{base, fill_block, publish, success};

fn reject(r: Reject) -> Reply {
    Reply::business(r.msg_cd, r.msg1)
}

/// The night session (`STTN1101U`, `JTCE1001U`) is not simulated: refused as closed.
fn night(call: &Call<'_>) -> bool {
    let env = call.sh.config.env.into();
    call.spec
        .variants
        .iter()
        .find(|v| v.tr_id(env) == Some(call.tr_id))
        .is_some_and(|v| v.name.starts_with("night"))
}

fn night_refusal() -> Reply {
    Reply::business(
        "40580000",
        "장운영시간이 아닙니다. (kis-mock은 야간 선물옵션 시장을 모의하지 않습니다)",
    )
}

fn after_accept(sh: &Arc<Shared>, odno: &str, accept: Notice) {
    let mut notices = vec![accept];
    match sh.config.fill {
        Fill::Market => notices.extend(lock(&sh.derivatives).match_now(&sh.market, odno, false)),
        Fill::Immediate => notices.extend(lock(&sh.derivatives).match_now(&sh.market, odno, true)),
        Fill::After(delay) => {
            let sh2 = sh.clone();
            let odno = odno.to_owned();
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                let fill = lock(&sh2.derivatives).match_now(&sh2.market, &odno, true);
                publish(&sh2, fill);
            });
        }
        Fill::Never => {}
    }
    publish(sh, notices);
}

fn side_name(sell: bool) -> &'static str {
    if sell { "매도" } else { "매수" }
}

fn order_reply(call: &Call<'_>, order: &FoOrder) -> Reply {
    let mut body = base(call);
    let name = call.sh.market.product(&order.code).name.clone();
    fill_block(
        call,
        &mut body,
        "output",
        vec![vec![
            ("ACNT_NAME", "모의계좌".into()),
            ("TRAD_DVSN_NAME", side_name(order.sell).into()),
            ("ITEM_NAME", name),
            ("ORD_TMD", order.time.clone()),
            ("ORD_GNO_BRNO", BRANCH.into()),
            ("ORGN_ODNO", order.orgn_odno.clone()),
            ("ODNO", order.odno.clone()),
        ]],
    );
    success(
        &mut body,
        "APBK0029",
        "주문전송이 정상적으로 처리되었습니다.",
    );
    Reply::ok(Value::Object(body))
}

pub(super) fn order(call: &Call<'_>) -> Reply {
    if night(call) {
        return night_refusal();
    }
    let sell = match call.param("SLL_BUY_DVSN_CD").trim() {
        "01" => true,
        "02" => false,
        other => {
            return Reply::business(
                "APBK1271",
                format!("매도매수구분코드 입력오류입니다. ({other}: 01 매도, 02 매수)"),
            );
        }
    };
    let placed = lock(&call.sh.derivatives).place(
        &call.sh.market,
        call.param("SHTN_PDNO"),
        sell,
        call.param("ORD_DVSN_CD"),
        call.param("ORD_QTY"),
        call.param("UNIT_PRICE"),
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
    if night(call) {
        return night_refusal();
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
    let revised = lock(&call.sh.derivatives).revise(
        &call.sh.market,
        call.param("ORGN_ODNO"),
        cancel,
        call.param("ORD_DVSN_CD"),
        call.param("ORD_QTY"),
        call.param("UNIT_PRICE"),
        call.param("RMN_QTY_YN").trim() == "Y",
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

/// 선물옵션 주문체결내역: the orders of the day range, `SORT_SQN` `AS` oldest first, `DS`
/// newest first.
pub(super) fn executions(call: &Call<'_>) -> Reply {
    let (from, to) = (call.param("STRT_ORD_DT"), call.param("END_ORD_DT"));
    let code = call.param("PDNO").trim().to_ascii_uppercase();
    let side = call.param("SLL_BUY_DVSN_CD").trim().to_owned();
    let ccld = call.param("CCLD_NCCS_DVSN").trim().to_owned();
    let (cano, mut orders): (String, Vec<FoOrder>) = {
        let account = lock(&call.sh.derivatives);
        let orders = account
            .orders
            .iter()
            .filter(|o| from.is_empty() || o.date.as_str() >= from)
            .filter(|o| to.is_empty() || o.date.as_str() <= to)
            .filter(|o| code.is_empty() || o.code == code)
            .filter(|o| match side.as_str() {
                "01" => o.sell,
                "02" => !o.sell,
                _ => true,
            })
            .filter(|o| match ccld.as_str() {
                "01" => o.filled > 0,
                "02" => o.open() > 0,
                _ => true,
            })
            .cloned()
            .collect();
        (account.cano.clone(), orders)
    };
    if call.param("SORT_SQN").trim() == "DS" {
        orders.reverse();
    }
    let Some((page, pages)) = page_of(call, &orders) else {
        return past_last();
    };
    let mut body = base(call);
    let rows = page
        .iter()
        .map(|o| {
            let (nmpr, nmpr_name) = if o.ord_dvsn == "02" {
                ("02", "시장가")
            } else {
                ("01", "지정가")
            };
            let trad = match o.kind {
                OrderKind::New => side_name(o.sell).to_owned(),
                OrderKind::Modify => format!("{}정정", side_name(o.sell)),
                OrderKind::Cancel => format!("{}취소", side_name(o.sell)),
            };
            vec![
                ("ord_gno_brno", BRANCH.into()),
                ("cano", cano.clone()),
                ("acnt_prdt_cd", "03".into()),
                ("ord_dt", o.date.clone()),
                ("odno", o.odno.clone()),
                ("orgn_odno", o.orgn_odno.clone()),
                ("sll_buy_dvsn_cd", if o.sell { "01" } else { "02" }.into()),
                ("trad_dvsn_name", trad),
                ("nmpr_type_cd", nmpr.into()),
                ("nmpr_type_name", nmpr_name.into()),
                ("pdno", o.code.clone()),
                ("prdt_name", call.sh.market.product(&o.code).name.clone()),
                (
                    "prdt_type_cd",
                    if is_option_code(&o.code) {
                        "302"
                    } else {
                        "301"
                    }
                    .into(),
                ),
                ("ord_qty", o.qty.to_string()),
                ("ord_idx", fmt_units(o.price, 2)),
                ("qty", o.open().to_string()),
                ("ord_tmd", o.time.clone()),
                ("tot_ccld_qty", o.filled.to_string()),
                ("avg_idx", fmt_units(o.avg_e4() * 10_000, 8)),
                ("tot_ccld_amt", (o.fill_amount * KRW_PER_UNIT).to_string()),
                ("rjct_qty", "0".into()),
                ("ingr_trad_rjct_rson_cd", "00000".into()),
                ("ingr_trad_rjct_rson_name", "NORMAL".into()),
                ("sprd_item_yn", "N".into()),
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
    let ccld_amt: i64 = orders.iter().map(|o| o.fill_amount * KRW_PER_UNIT).sum();
    fill_block(
        call,
        &mut body,
        "output2",
        vec![vec![
            ("tot_ord_qty", ord_qty.to_string()),
            ("tot_ccld_amt_smtl", ccld_amt.to_string()),
            ("tot_ccld_qty_smtl", ccld_qty.to_string()),
            ("fee_smtl", lock(&call.sh.derivatives).charges.to_string()),
        ]],
    );
    success(&mut body, "KIOK0510", "조회가 완료되었습니다");
    let tr_cont = paginate(call.spec, &mut body, call.page, pages);
    Reply {
        tr_cont: Some(tr_cont),
        ..Reply::ok(Value::Object(body))
    }
}

/// 선물옵션 잔고현황: signed positions valued at the current price, cash and margin.
pub(super) fn balance(call: &Call<'_>) -> Reply {
    let market = &call.sh.market;
    let now = market.now();
    let account = lock(&call.sh.derivatives);
    let mut futures_eval = 0i64;
    let mut options_eval = 0i64;
    let mut cost_sum = 0i64;
    let mut eval_sum = 0i64;
    let rows = account
        .holdings
        .iter()
        .map(|(code, p)| {
            let product = market.product(code);
            let price = market.quote_at(&product, now).price;
            let qty = p.qty.abs();
            let cost = p.cost.abs() * KRW_PER_UNIT;
            let value = price * qty * KRW_PER_UNIT;
            // A short gains what the price falls.
            let pfls = (price * p.qty - p.cost) * KRW_PER_UNIT;
            if is_option_code(code) {
                options_eval += pfls;
            } else {
                futures_eval += pfls;
            }
            cost_sum += cost;
            eval_sum += value;
            vec![
                ("cano", account.cano.clone()),
                ("acnt_prdt_cd", "03".into()),
                ("pdno", code.clone()),
                (
                    "prdt_type_cd",
                    if is_option_code(code) { "302" } else { "301" }.into(),
                ),
                ("shtn_pdno", code.clone()),
                ("prdt_name", product.name.clone()),
                ("sll_buy_dvsn_name", side_name(p.qty < 0).into()),
                ("cblc_qty", qty.to_string()),
                ("excc_unpr", fmt_units(p.avg_e4().abs(), 4)),
                ("ccld_avg_unpr1", fmt_units(p.avg_e4().abs(), 4)),
                ("idx_clpr", fmt_units(price, 2)),
                ("pchs_amt", cost.to_string()),
                ("evlu_amt", value.to_string()),
                ("evlu_pfls_amt", pfls.to_string()),
                ("trad_pfls_amt", "0".into()),
                ("lqd_psbl_qty", qty.to_string()),
            ]
        })
        .collect();
    let (cash, available, margin, charges, realized) = (
        account.cash,
        account.available(),
        account.margin_held(),
        account.charges,
        account.futures_realized,
    );
    drop(account);
    let mut body = base(call);
    fill_block(call, &mut body, "output1", rows);
    fill_block(
        call,
        &mut body,
        "output2",
        vec![vec![
            ("dnca_cash", cash.to_string()),
            ("frcr_dncl_amt", "0".into()),
            ("dnca_sbst", "0".into()),
            ("tot_dncl_amt", cash.to_string()),
            ("tot_ccld_amt", "0".into()),
            ("cash_mgna", margin.to_string()),
            ("sbst_mgna", "0".into()),
            ("mgna_tota", margin.to_string()),
            ("opt_dfpa", "0".into()),
            ("thdt_dfpa", "0".into()),
            ("rnwl_dfpa", "0".into()),
            ("fee", charges.to_string()),
            ("nxdy_dnca", cash.to_string()),
            ("nxdy_dncl_amt", cash.to_string()),
            ("prsm_dpast", cash.to_string()),
            ("prsm_dpast_amt", cash.to_string()),
            ("pprt_ord_psbl_cash", available.to_string()),
            ("add_mgna_cash", "0".into()),
            ("add_mgna_tota", "0".into()),
            ("futr_trad_pfls_amt", realized.to_string()),
            ("opt_trad_pfls_amt", "0".into()),
            ("futr_evlu_pfls_amt", futures_eval.to_string()),
            ("opt_evlu_pfls_amt", options_eval.to_string()),
            ("trad_pfls_amt_smtl", realized.to_string()),
            (
                "evlu_pfls_amt_smtl",
                (futures_eval + options_eval).to_string(),
            ),
            ("wdrw_psbl_tot_amt", available.to_string()),
            ("ord_psbl_cash", available.to_string()),
            ("ord_psbl_sbst", "0".into()),
            ("ord_psbl_tota", available.to_string()),
            ("pchs_amt_smtl", cost_sum.to_string()),
            ("evlu_amt_smtl", eval_sum.to_string()),
        ]],
    );
    success(&mut body, "KIOK0510", "조회가 완료되었습니다");
    // Not a paging endpoint (no `tr_cont` continuation): one answer.
    let tr_cont = paginate(call.spec, &mut body, 0, 1);
    Reply {
        tr_cont: Some(tr_cont),
        ..Reply::ok(Value::Object(body))
    }
}
