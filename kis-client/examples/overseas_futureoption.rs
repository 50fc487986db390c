//! 해외선물옵션 (overseas futures and options): a contract quote and realtime trades
//! (HDFFF020). Read-only; these endpoints exist on the real service only.
//!
//! `cargo run -p kis-client --example overseas_futureoption [-- --live]`

mod common;

use std::time::Duration;

use common::{Args, BoxError, Target};
use kis_client::Env;
use kis_client::api::overseas_futureoption::inquire_price::InquirePriceRequest;
use kis_ws::AnyRecord;

/// A Brent crude contract; use a current series code on the live service.
const SERIES: &str = "BRNF25";

fn main() {
    common::main_with(run);
}

async fn run(args: Args) -> Result<(), BoxError> {
    let target = Target::new(args, Env::Real).await?;
    let client = &target.client;
    println!("overseas futures/options on the {}", target.describe());
    if client.config().env() == Env::Paper {
        println!("(the paper service has no overseas futures quotes: set KIS_ENV=real)");
        return Ok(());
    }

    let quote = client.send(InquirePriceRequest::new(SERIES)).await?;
    if let Some(q) = quote.output1.get() {
        println!(
            "{SERIES} on {}: {} {} ({}%), volume {}, tick {}",
            q.exch_cd, q.last_price, q.crc_cd, q.prev_diff_rate, q.vol, q.tick_size
        );
    }

    let session = target.realtime().await?;
    let n = common::watch(
        &session,
        &[("HDFFF020", SERIES)],
        Duration::from_secs(1),
        |r| match r {
            AnyRecord::Hdfff020(t) => Some(format!(
                "{} {}: {} x {}",
                t.series_cd, t.recv_time, t.last_price, t.last_qntt
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
