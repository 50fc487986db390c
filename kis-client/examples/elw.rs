//! ELW (equity-linked warrants): a warrant quote with its underlying, the volume ranking, and
//! realtime warrant trades (H0EWCNT0). Read-only.
//!
//! `cargo run -p kis-client --example elw [-- --live]`

mod common;

use std::time::Duration;

use common::{Args, BoxError, Target};
use kis_client::Env;
use kis_client::api::domestic_stock::inquire_elw_price::InquireElwPriceRequest;
use kis_client::api::elw::volume_rank::VolumeRankRequest;
use kis_ws::AnyRecord;

/// An ELW short code; use a listed one on the live service.
const ELW: &str = "57JN53";

fn main() {
    common::main_with(run);
}

async fn run(args: Args) -> Result<(), BoxError> {
    let target = Target::new(args, Env::Real).await?;
    let client = &target.client;
    println!("ELW on the {}", target.describe());

    // Market "W" = ELW.
    let quote = client.send(InquireElwPriceRequest::new("W", ELW)).await?;
    if let Some(w) = quote.output.get() {
        println!(
            "{ELW} {}: {} ({}%), underlying {} at {}, implied vol {}",
            w.hts_kor_isnm, w.elw_prpr, w.prdy_ctrt, w.unas_isnm, w.unas_prpr, w.hts_ints_vltl
        );
    }

    // Volume ranking (screen 20278), all underlyings ("000000"), all issuers ("00000").
    let rank = VolumeRankRequest::new(
        "W",
        "20278",
        "000000",
        "00000",
        "0",
        kis_client::codes::CallPut::All,
        kis_client::codes::FidRankSortClsCodeVolumeRank::from_code("0"), // by volume
        "0000",
    );
    let rank = client.send(rank).await?;
    for (i, r) in rank.output.iter().take(3).enumerate() {
        println!(
            "  #{} {} {}: volume {}",
            i + 1,
            r.elw_shrn_iscd,
            r.elw_kor_isnm,
            r.acml_vol
        );
    }

    let session = target.realtime().await?;
    let n = common::watch(
        &session,
        &[("H0EWCNT0", ELW)],
        Duration::from_secs(1),
        |r| match r {
            AnyRecord::H0ewcnt0(t) => Some(format!(
                "{} {}: {} ({}%)",
                t.mksc_shrn_iscd, t.stck_cntg_hour, t.stck_prpr, t.prdy_ctrt
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
