//! The five-minute tour: a quote, a daily chart, the balance, a cash order, realtime ticks and
//! the order's execution notice — on the embedded simulator unless `--live` is given.
//!
//! ```text
//! cargo run -p kis-client --example quickstart                   # embedded kis-mock, no network
//! cargo run -p kis-client --example quickstart -- --live         # KIS (kis_devlp.yaml, KIS_ENV), read-only
//! cargo run -p kis-client --example quickstart -- --live --trade # ... and one order, cancelled at once
//! ```

mod common;

use std::time::Duration;

use chrono::{Days, FixedOffset, Utc};
use common::{Args, BoxError, Target};
use kis_client::Env;
use kis_client::api::domestic_stock::inquire_asking_price_exp_ccn::InquireAskingPriceExpCcnRequest;
use kis_client::api::domestic_stock::inquire_balance::InquireBalanceRequest;
use kis_client::api::domestic_stock::inquire_daily_itemchartprice::InquireDailyItemchartpriceRequest;
use kis_client::api::domestic_stock::inquire_price::InquirePriceRequest;
use kis_client::api::domestic_stock::order_cash::OrderCashRequest;
use kis_client::api::domestic_stock::order_rvsecncl::OrderRvsecnclRequest;
use kis_client::codes::{
    BalanceInquiry, Market, ModifyCancel, OrderType, Period, PrevDayTrades, PriceAdjustment,
};
use kis_ws::AnyRecord;
use rust_decimal::Decimal;

/// Samsung Electronics.
const CODE: &str = "005930";

fn main() {
    common::main_with(run);
}

async fn run(args: Args) -> Result<(), BoxError> {
    // Without --live: a paper-service simulator on 127.0.0.1, nothing leaves the machine.
    let target = Target::new(args, Env::Paper).await?;
    let client = &target.client;
    let env = client.config().env();
    println!("kis-rs quickstart on the {}", target.describe());
    if target.is_mock() && kis_client::Config::load().is_ok() {
        println!("(credentials found: pass --live to use the KIS service instead)");
    }
    println!();

    // 1. A quote: 주식현재가 시세 (FHKST01010100).
    let quote = client
        .send(InquirePriceRequest::new(Market::Krx, CODE))
        .await?;
    let q = quote.output.get().ok_or("the quote has no output")?;
    println!(
        "[quote] {CODE}: {} KRW ({} KRW, {}%), volume {}, day range {}..{}",
        q.stck_prpr, q.prdy_vrss, q.prdy_ctrt, q.acml_vol, q.stck_lwpr, q.stck_hgpr
    );

    // 2. A daily chart of the last month: 국내주식기간별시세 (FHKST03010100).
    // KRX trades on Korean dates: "today" is the KST date, whatever this machine's time zone.
    let kst = FixedOffset::east_opt(9 * 3600).expect("KST is a valid offset");
    let today = Utc::now().with_timezone(&kst).date_naive();
    let from = today.checked_sub_days(Days::new(30)).unwrap_or(today);
    let chart = client
        .send(InquireDailyItemchartpriceRequest::new(
            Market::Krx,
            CODE,
            from,
            today,
            Period::Day,
            PriceAdjustment::Adjusted,
        ))
        .await?;
    println!(
        "[chart] {} daily candles, newest first:",
        chart.output2.len()
    );
    for c in chart.output2.iter().take(5) {
        println!(
            "        {}  open {:>7}  high {:>7}  low {:>7}  close {:>7}  volume {}",
            c.stck_bsop_date, c.stck_oprc, c.stck_hgpr, c.stck_lwpr, c.stck_clpr, c.acml_vol
        );
    }

    // 2b. The order book around that price: 주식현재가 호가/예상체결 (FHKST01010200).
    let book = client
        .send(InquireAskingPriceExpCcnRequest::new(Market::Krx, CODE))
        .await?;
    if let Some(b) = book.output1.get() {
        println!(
            "[book] best ask {} x {}, best bid {} x {}",
            b.askp1, b.askp_rsqn1, b.bidp1, b.bidp_rsqn1
        );
    }

    // 3. The balance (first page): 주식잔고조회. The account comes from the configuration.
    if let Some(account) = client.config().account() {
        let balance = client
            .send(InquireBalanceRequest::new(
                BalanceInquiry::ByLoanDate, // "01"; KIS refuses "02" since 2026-02-10
                false,                      // fund settlement (FUND_STTL_ICLD_YN)
                false,                      // loan auto-repayment (FNCG_AMT_AUTO_RDPT_YN)
                PrevDayTrades::Include,
            ))
            .await?;
        println!(
            "[balance] account {}: {} position(s)",
            account.masked(),
            balance.output1.len()
        );
        for p in balance.output1.iter() {
            println!(
                "        {} {}: {} shares, avg {} KRW, P/L {} KRW",
                p.pdno, p.prdt_name, p.hldg_qty, p.pchs_avg_pric, p.evlu_pfls_amt
            );
        }
        if let Some(t) = balance.output2.first() {
            println!(
                "        cash {} KRW, total value {} KRW",
                t.dnca_tot_amt, t.tot_evlu_amt
            );
        }
    } else {
        println!(
            "[balance] skipped: no account configured (my_acct_stock / my_paper_stock or KIS_ACCOUNT)"
        );
    }

    // 4. Realtime: ticks (H0STCNT0) and our own execution notices (H0STCNI0 real, H0STCNI9
    //    paper; AES-encrypted, decrypted by kis-ws).
    let session = target.realtime().await?;
    let mut subs = vec![("H0STCNT0", CODE)];
    let notice_tr = match env {
        Env::Real => "H0STCNI0",
        Env::Paper => "H0STCNI9",
    };
    if let Some(hts_id) = client.config().hts_id() {
        subs.push((notice_tr, hts_id));
    }

    // 5. A cash order, placed once the notice subscription is up (see `watch_and_order`).
    let place_order = target.is_mock() || args.trade;
    if !place_order {
        println!("[order] skipped: read-only (pass --trade to place and cancel one order)");
    }
    let mut ticks = 0;
    let mut notices = 0;
    let window = if target.is_mock() {
        Duration::from_secs(2)
    } else {
        Duration::from_secs(5)
    };
    println!(
        "[realtime] {} for {} s:",
        subs.iter().map(|s| s.0).collect::<Vec<_>>().join(" + "),
        window.as_secs_f32()
    );
    let order = async {
        // Give the subscriptions a moment to be acknowledged.
        tokio::time::sleep(Duration::from_millis(300)).await;
        if !place_order {
            return Ok::<_, BoxError>(());
        }
        let limit = if target.is_mock() {
            None
        } else {
            // Live: a limit buy at today's lower limit price, so it rests; cancelled below.
            Some(
                q.stck_llam
                    .get()
                    .copied()
                    .ok_or("the quote has no lower limit price")?,
            )
        };
        let req = match limit {
            None => OrderCashRequest::buy(CODE, OrderType::Market, 1, Decimal::ZERO), // 1 share
            Some(p) => OrderCashRequest::buy(CODE, OrderType::Limit, 1, Decimal::from(p)),
        };
        let placed = client.send(req).await?;
        let o = placed
            .output
            .get()
            .ok_or("the order answer has no output")?;
        println!(
            "[order] buy 1 x {CODE}: accepted as order {} at {} ({})",
            o.odno, o.ord_tmd, placed.msg1
        );
        if limit.is_some() {
            let cancel = OrderRvsecnclRequest::new(
                o.odno.raw(),
                OrderType::Limit,
                ModifyCancel::Cancel,
                0,
                Decimal::ZERO,
                true, // the whole remaining quantity
            )
            .krx_fwdg_ord_orgno(o.krx_fwdg_ord_orgno.raw());
            let c = client.send(cancel).await?;
            println!("[order] cancelled: {}", c.msg1);
        }
        Ok(())
    };
    let watch = common::watch(&session, &subs, window, |record| match record {
        AnyRecord::H0stcnt0(t) => {
            ticks += 1;
            Some(format!(
                "tick {} {} KRW x {} ({}%)",
                t.stck_cntg_hour, t.stck_prpr, t.cntg_vol, t.prdy_ctrt
            ))
        }
        AnyRecord::H0stcni0(n) => {
            notices += 1;
            // 체결여부: 1 = accepted (or modified/cancelled), 2 = filled.
            Some(if n.cntg_yn.raw() == "2" {
                format!(
                    "notice: order {} filled: {} x {} at {} KRW",
                    n.oder_no, n.stck_shrn_iscd, n.cntg_qty, n.cntg_unpr
                )
            } else {
                format!(
                    "notice: order {} accepted: {} x {}",
                    n.oder_no, n.stck_shrn_iscd, n.oder_qty
                )
            })
        }
        _ => None,
    });
    let (watched, ordered) = tokio::join!(watch, order);
    ordered?;
    watched?;
    println!(
        "  ... {ticks} ticks and {notices} execution notice(s) in {} s",
        window.as_secs_f32()
    );
    session.close().await;

    if target.is_mock() && notices == 0 {
        return Err("the simulator sent no execution notice for the order".into());
    }

    // 6. The balance again: the fill shows as a position valued at the current price; today's
    //    buy settles at T+2 (prvs_rcdl_excc_amt), fees and taxes in thdt_tlex_amt.
    if place_order && client.config().account().is_some() {
        let balance = client
            .send(InquireBalanceRequest::new(
                BalanceInquiry::ByLoanDate,
                false,
                false,
                PrevDayTrades::Include,
            ))
            .await?;
        for p in balance.output1.iter() {
            println!(
                "[balance] {} {}: {} shares, avg {} KRW, now {} KRW, P/L {} KRW",
                p.pdno, p.prdt_name, p.hldg_qty, p.pchs_avg_pric, p.prpr, p.evlu_pfls_amt
            );
        }
        if let Some(t) = balance.output2.first() {
            println!(
                "        cash today {} KRW, after settlement (T+2) {} KRW, fees and taxes {} KRW",
                t.dnca_tot_amt, t.prvs_rcdl_excc_amt, t.thdt_tlex_amt
            );
        }
    }
    println!("\ndone. Next: --live with a kis_devlp.yaml (see README.md), or the other examples.");
    Ok(())
}

#[cfg(test)]
mod tests {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn runs_against_kis_mock() {
        super::run(super::Args::default()).await.unwrap();
    }
}
