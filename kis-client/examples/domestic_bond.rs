//! 장내채권 (exchange-traded bonds): a bond quote, its daily prices, and realtime bond trades
//! (H0BJCNT0). Read-only; the bond endpoints exist on the real service only.
//!
//! `cargo run -p kis-client --example domestic_bond [-- --live]`

mod common;

use std::time::Duration;

use common::{Args, BoxError, Target};
use kis_client::Env;
use kis_client::api::domestic_bond::{
    inquire_daily_itemchartprice::InquireDailyItemchartpriceRequest,
    inquire_price::InquirePriceRequest,
};
use kis_ws::AnyRecord;

/// A listed bond's standard code (ISIN).
const BOND: &str = "KR103502GD31";

fn main() {
    common::main_with(run);
}

async fn run(args: Args) -> Result<(), BoxError> {
    let target = Target::new(args, Env::Real).await?;
    let client = &target.client;
    println!("bonds on the {}", target.describe());

    // Market "B" = bonds (the quote request fills in its only code itself).
    let quote = client.send(InquirePriceRequest::new(BOND)).await?;
    if let Some(b) = quote.output.get() {
        println!(
            "{BOND} {}: {} ({}%), yield {}",
            b.hts_kor_isnm, b.bond_prpr, b.prdy_ctrt, b.ernn_rate
        );
    }
    let daily = client
        .send(InquireDailyItemchartpriceRequest::new("B", BOND))
        .await?;
    for d in daily.output.iter().take(3) {
        println!(
            "  {}  open {}  high {}  low {}  last {}",
            d.stck_bsop_date, d.bond_oprc, d.bond_hgpr, d.bond_lwpr, d.bond_prpr
        );
    }

    let session = target.realtime().await?;
    let n = common::watch(
        &session,
        &[("H0BJCNT0", BOND)],
        Duration::from_secs(1),
        |r| match r {
            AnyRecord::H0bjcnt0(t) => Some(format!(
                "{} {}: {} ({}%)",
                t.stnd_iscd, t.stck_cntg_hour, t.stck_prpr, t.prdy_ctrt
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
