//! Answers of KIS's period P&L inquiries from the stateful account's trades (see
//! [`crate::realized`] for the method): 기간별매매손익현황조회 (`inquire-period-trade-profit`,
//! `TTTC8715R`, per day and symbol) and 기간별손익일별합산조회 (`inquire-period-profit`,
//! `TTTC8708R`, per day). Both are real-service TRs: on paper the front door refuses them with
//! KIS's `EGW02006` before they get here, as KIS does.

use serde_json::Value;

use crate::call::{Call, Reply, paginate};
use crate::realized::{self, Sums};
use crate::server::lock;
use crate::trading::{base, fill_block, success, sweep};

/// Rows per page when the configuration does not set `account_rows` (the workbook states no
/// page size for these inquiries).
const ROWS: usize = 50;

/// The answer, or `None` when the path is not one of these inquiries.
pub(crate) fn handle(call: &Call<'_>) -> Option<Reply> {
    let per_symbol = match call
        .spec
        .path
        .strip_prefix("/uapi/domestic-stock/v1/trading/")?
    {
        "inquire-period-trade-profit" => true,
        "inquire-period-profit" => false,
        _ => return None,
    };
    if !lock(&call.sh.account).is_account(call.param("CANO"), call.param("ACNT_PRDT_CD")) {
        return Some(Reply::business(
            "OPSQ2000",
            "ERROR : INPUT INVALID_CHECK_ACNO",
        ));
    }
    sweep(call.sh);
    Some(answer(call, per_symbol))
}

fn answer(call: &Call<'_>, per_symbol: bool) -> Reply {
    let (from, to) = (call.param("INQR_STRT_DT"), call.param("INQR_END_DT"));
    let code = call.param("PDNO").trim();
    let (mut rows, total) = {
        let account = lock(&call.sh.account);
        let rows = if per_symbol {
            realized::by_day_and_code(&account.trades, from, to, code)
        } else {
            realized::by_day(&account.trades, from, to, code)
        };
        (rows, realized::total(&account.trades, from, to, code))
    };
    // 01: oldest first; 00 and 02: most recent first.
    if call.param("SORT_DVSN") != "01" {
        rows.reverse();
    }
    let size = call
        .sh
        .config
        .paging
        .account_rows
        .map_or(ROWS, |n| n.max(1) as usize);
    let pages = rows.len().div_ceil(size).max(1) as u32;
    if call.page >= pages {
        return Reply::business(
            "OPSQ0005",
            "연속조회키가 올바르지 않습니다 (마지막 페이지 이후).",
        );
    }
    let page = rows.iter().skip(call.page as usize * size).take(size);
    let mut body = base(call);
    let records = page
        .map(|s| {
            if per_symbol {
                symbol_row(call, s)
            } else {
                day_row(s)
            }
        })
        .collect();
    fill_block(call, &mut body, "output1", records);
    fill_block(call, &mut body, "output2", vec![totals(&total, per_symbol)]);
    success(&mut body, "KIOK0000", "정상처리 되었습니다");
    let tr_cont = paginate(call.spec, &mut body, call.page, pages);
    Reply {
        tr_cont: Some(tr_cont),
        ..Reply::ok(Value::Object(body))
    }
}

fn symbol_row(call: &Call<'_>, s: &Sums) -> Vec<(&'static str, String)> {
    vec![
        ("trad_dt", s.day.clone()),
        ("pdno", s.code.clone()),
        ("prdt_name", call.sh.market.product(&s.code).name.clone()),
        ("trad_dvsn_name", "현금".into()),
        ("loan_dt", String::new()),
        ("hldg_qty", s.held.to_string()),
        ("pchs_unpr", s.avg_cost()),
        ("buy_qty", s.buy_qty.to_string()),
        ("buy_amt", s.buy_amt.to_string()),
        ("sll_pric", s.sell_price()),
        ("sll_qty", s.sll_qty.to_string()),
        ("sll_amt", s.sll_amt.to_string()),
        ("rlzt_pfls", s.realized.to_string()),
        ("pfls_rt", s.return_pct()),
        ("fee", s.fee.to_string()),
        ("tl_tax", s.tax.to_string()),
        ("loan_int", "0".into()),
    ]
}

fn day_row(s: &Sums) -> Vec<(&'static str, String)> {
    vec![
        ("trad_dt", s.day.clone()),
        ("buy_amt", s.buy_amt.to_string()),
        ("sll_amt", s.sll_amt.to_string()),
        ("rlzt_pfls", s.realized.to_string()),
        ("fee", s.fee.to_string()),
        ("loan_int", "0".into()),
        ("tl_tax", s.tax.to_string()),
        ("pfls_rt", s.return_pct()),
        ("sll_qty1", s.sll_qty.to_string()),
        ("buy_qty1", s.buy_qty.to_string()),
    ]
}

/// `output2` of both inquiries (TTTC8715R names the buy quantity `buyqty_smtl`, TTTC8708R
/// `buy_qty_smtl`).
fn totals(t: &Sums, per_symbol: bool) -> Vec<(&'static str, String)> {
    let sell_net = t.sll_amt.saturating_sub(t.fee).saturating_sub(t.tax);
    let buy_net = t.buy_amt.saturating_add(t.buy_fee);
    let fee = t.fee.saturating_add(t.buy_fee);
    vec![
        ("sll_qty_smtl", t.sll_qty.to_string()),
        ("sll_tr_amt_smtl", t.sll_amt.to_string()),
        ("sll_fee_smtl", t.fee.to_string()),
        ("sll_tltx_smtl", t.tax.to_string()),
        ("sll_excc_amt_smtl", sell_net.to_string()),
        (
            if per_symbol {
                "buyqty_smtl"
            } else {
                "buy_qty_smtl"
            },
            t.buy_qty.to_string(),
        ),
        ("buy_tr_amt_smtl", t.buy_amt.to_string()),
        ("buy_fee_smtl", t.buy_fee.to_string()),
        ("buy_tax_smtl", "0".into()),
        ("buy_excc_amt_smtl", buy_net.to_string()),
        ("tot_qty", (t.sll_qty + t.buy_qty).to_string()),
        (
            "tot_tr_amt",
            t.sll_amt.saturating_add(t.buy_amt).to_string(),
        ),
        ("tot_fee", fee.to_string()),
        ("tot_tltx", t.tax.to_string()),
        (
            "tot_excc_amt",
            (i128::from(sell_net) - i128::from(buy_net)).to_string(),
        ),
        ("tot_rlzt_pfls", t.realized.to_string()),
        ("loan_int", "0".into()),
        ("tot_pftrt", t.return_pct()),
    ]
}
