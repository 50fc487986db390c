//! ETF/ETN: an ETF quote with its NAV and tracking error, the price-vs-NAV comparison, and
//! realtime NAV (H0STNAV0). Read-only.
//!
//! `cargo run -p kis-client --example etfetn [-- --live]`

mod common;

use std::time::Duration;

use common::{Args, BoxError, Target};
use kis_client::Env;
use kis_client::api::etfetn::{
    inquire_price::InquirePriceRequest, nav_comparison_trend::NavComparisonTrendRequest,
};
use kis_ws::AnyRecord;

/// KODEX 200.
const ETF: &str = "069500";

fn main() {
    common::main_with(run);
}

async fn run(args: Args) -> Result<(), BoxError> {
    let target = Target::new(args, Env::Real).await?;
    let client = &target.client;
    println!("ETF/ETN on the {}", target.describe());

    // Note the parameter order of this endpoint: code first, then market.
    let quote = client.send(InquirePriceRequest::new(ETF, "J")).await?;
    if let Some(e) = quote.output.get() {
        println!(
            "{ETF}: {} KRW ({}%), NAV {}, tracking error {}",
            e.stck_prpr, e.prdy_ctrt, e.nav, e.trc_errt
        );
    }
    let nav = client
        .send(NavComparisonTrendRequest::new("J", ETF))
        .await?;
    if let (Some(p), Some(n)) = (nav.output1.get(), nav.output2.get()) {
        println!(
            "price {} vs NAV {} (NAV {}%)",
            p.stck_prpr, n.nav, n.nav_prdy_ctrt
        );
    }

    let session = target.realtime().await?;
    let n = common::watch(
        &session,
        &[("H0STNAV0", ETF)],
        Duration::from_secs(1),
        |r| match r {
            AnyRecord::H0stnav0(t) => Some(format!(
                "{} NAV {} ({}%)",
                t.mksc_shrn_iscd, t.nav, t.nav_prdy_ctrt
            )),
            _ => None,
        },
    )
    .await?;
    println!("{n} realtime NAV updates");
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
