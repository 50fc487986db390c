//! 해외주식 (overseas stock and overseas price): quote, daily prices, the overseas balance,
//! and realtime trades (HDFSCNT0). Read-only.
//!
//! `cargo run -p kis-client --example overseas_stock [-- --live]`

mod common;

use std::time::Duration;

use common::{Args, BoxError, Target};
use kis_client::Env;
use kis_client::api::overseas_price::{dailyprice::DailypriceRequest, price::PriceRequest};
use kis_client::api::overseas_stock::inquire_balance::InquireBalanceRequest;
use kis_client::codes::{Gubn, Modp, OvrsExcgCd, QuoteExchange, TrCrcyCd};
use kis_ws::AnyRecord;

fn main() {
    common::main_with(run);
}

async fn run(args: Args) -> Result<(), BoxError> {
    // The simulator's clock starts in the New York session, so overseas trades are flowing.
    let target = Target::with(args, Env::Real, |mc| {
        mc.clock = kis_mock::MockClock::new_york_session();
    })
    .await?;
    let client = &target.client;
    println!("overseas stock on the {}", target.describe());

    // Quote exchange codes (NAS, NYS, AMS, HKS, ...) are `QuoteExchange`; orders and balances
    // use `OrderExchange`-style codes (NASD, NYSE, ...), a different type.
    let price = client
        .send(PriceRequest::new(QuoteExchange::Nasdaq, "TSLA"))
        .await?;
    if let Some(p) = price.output.get() {
        println!("TSLA: {} USD ({}%), volume {}", p.last, p.rate, p.tvol);
    }

    // Daily prices up to today (BYMD blank by default), unadjusted.
    let daily = client
        .send(DailypriceRequest::new(
            QuoteExchange::Nasdaq,
            "TSLA",
            Gubn::Day,
            Modp::NotApplied,
        ))
        .await?;
    for d in daily.output2.iter().take(3) {
        println!(
            "  {}  open {}  high {}  low {}  close {}",
            d.xymd, d.open, d.high, d.low, d.clos
        );
    }

    if client.config().account().is_some() {
        let balance = client
            .send(InquireBalanceRequest::new(
                OvrsExcgCd::Nasdaq,
                TrCrcyCd::from_code("USD"),
            ))
            .await?;
        println!("overseas positions: {}", balance.output1.len());
        for p in balance.output1.iter() {
            println!(
                "  {} {}: {} shares, P/L {}",
                p.ovrs_pdno, p.ovrs_item_name, p.ovrs_cblc_qty, p.frcr_evlu_pfls_amt
            );
        }
    }

    // Realtime trades: the key is "D" + exchange + symbol.
    let session = target.realtime().await?;
    let n = common::watch(
        &session,
        &[("HDFSCNT0", "DNASTSLA")],
        Duration::from_secs(1),
        |r| match r {
            AnyRecord::Hdfscnt0(t) => Some(format!(
                "trade {} {}: {} x {}",
                t.symb, t.khms, t.last, t.evol
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
