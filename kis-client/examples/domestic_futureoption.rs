//! 국내선물옵션 (domestic futures and options): a futures quote, the futures/options balance,
//! and realtime index-futures trades (H0IFCNT0). Read-only.
//!
//! `cargo run -p kis-client --example domestic_futureoption [-- --live]`

mod common;

use std::time::Duration;

use common::{Args, BoxError, Target};
use kis_client::Env;
use kis_client::api::domestic_futureoption::{
    inquire_balance::InquireBalanceRequest, inquire_price::InquirePriceRequest,
};
use kis_ws::AnyRecord;

/// A KOSPI200 futures contract (short code); use a current one on the live service.
const FUTURE: &str = "101S03";

fn main() {
    common::main_with(run);
}

async fn run(args: Args) -> Result<(), BoxError> {
    let target = Target::new(args, Env::Real).await?;
    let client = &target.client;
    println!("domestic futures/options on the {}", target.describe());

    // Market "F" = index futures ("O" options, "JF" stock futures, "JO" stock options).
    let quote = client
        .send(InquirePriceRequest::new(
            kis_client::codes::FuturesMarket::IndexFutures,
            FUTURE,
        ))
        .await?;
    if let Some(f) = quote.output1.get() {
        println!(
            "{FUTURE} {}: {} ({}%), open interest {}, basis {}",
            f.hts_kor_isnm, f.futs_prpr, f.futs_prdy_ctrt, f.hts_otst_stpl_qty, f.basis
        );
    }

    // Balance: margin "01" (exchange margin), settlement status "1" (after settlement).
    // The account's product code should be 03 (futures/options).
    if client.config().account().is_some() {
        let balance = client
            .send(InquireBalanceRequest::new(
                kis_client::codes::MgnaDvsn::from_code("01"),
                kis_client::codes::ExccStatCd::from_code("1"),
            ))
            .await?;
        for p in balance.output1.iter() {
            println!(
                "  {} {} {}: {} @ {}",
                p.shtn_pdno, p.prdt_name, p.sll_buy_dvsn_name, p.cblc_qty, p.ccld_avg_unpr1
            );
        }
        if let Some(t) = balance.output2.get() {
            println!(
                "deposit {} KRW, orderable {} KRW",
                t.dnca_cash, t.ord_psbl_tota
            );
        }
    }

    let session = target.realtime().await?;
    let n = common::watch(
        &session,
        &[("H0IFCNT0", FUTURE)],
        Duration::from_secs(1),
        |r| match r {
            AnyRecord::H0ifcnt0(t) => Some(format!(
                "{} {}: {} ({}%)",
                t.futs_shrn_iscd, t.bsop_hour, t.futs_prpr, t.futs_prdy_ctrt
            )),
            _ => None,
        },
    )
    .await?;
    println!("{n} realtime trades");
    target.check_realtime(n)?;
    session.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn runs_against_kis_mock() {
        super::run(super::Args::default()).await.unwrap();
    }
}
