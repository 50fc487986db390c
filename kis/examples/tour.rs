//! The tour: a quote, candles, the book, the balance, a limit buy moved and cancelled, a
//! market buy that fills, and the balance after it — on the embedded simulator, no
//! credentials needed. With a `kis_devlp.yaml` swap `Kis::simulator()` for
//! `Kis::from_config()` (paper by default).
//!
//! `cargo run -p kis --example tour`

use std::time::Duration;

use kis::{Kis, Period};

#[tokio::main]
async fn main() -> Result<(), kis::Error> {
    tour(Kis::simulator().await?).await
}

async fn tour(kis: Kis) -> Result<(), kis::Error> {
    let samsung = kis.stock("삼성전자").await?;
    let q = samsung.quote().await?;
    println!(
        "{samsung}: {} ({:+}%), tick {}",
        q.price, q.change_pct, q.tick
    );
    let today = kis.trading_day();
    let month = samsung
        .candles(Period::Day, today - chrono::Duration::days(30), today)
        .await?;
    if let Some(last) = month.candles.last() {
        println!("{} daily candles, last close {}", month.len(), last.close);
    }
    let book = samsung.book().await?;
    if let (Some(bid), Some(ask)) = (book.bids.first(), book.asks.first()) {
        println!(
            "best bid {} x {}, best ask {} x {}",
            bid.price, bid.qty, ask.price, ask.qty
        );
    }

    let account = kis.account()?;
    println!(
        "orderable cash {}",
        account
            .buying_power(&samsung, Some(q.price))
            .await?
            .orderable_cash
    );
    // A limit buy at the day's lower limit rests; move it up a tick, then cancel it.
    let low = q.lower_limit.unwrap_or(q.price).amount();
    let order = account.buy("005930", 10).limit(low).submit().await?;
    order.modify_price(low + q.tick.amount()).await?;
    let cancelled = order.cancel().await?;
    println!(
        "{}: {:?} after {} KIS order numbers",
        order.id(),
        cancelled.state,
        cancelled.chain.len()
    );
    // A market buy fills; the balance shows it.
    let buy = account.buy("005930", 3).market().submit().await?;
    let filled = buy.wait_filled(Duration::from_secs(10)).await?;
    let avg = buy.avg_price().map(|p| p.to_string()).unwrap_or_default();
    println!(
        "{}: {} shares filled, average {avg}",
        buy.id(),
        filled.filled
    );
    if let Some(p) = account.balance().await?.position("005930") {
        println!("holding {} at {} (P&L {})", p.qty, p.avg_price, p.pnl);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    /// The tour runs against the simulator on a fixed trading day (not this machine's date).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn runs_against_the_simulator() {
        let mut mc = kis_mock::MockConfig::paper();
        mc.clock = kis_mock::MockClock::Simulated {
            start: chrono::NaiveDate::from_ymd_opt(2026, 12, 2)
                .and_then(|d| d.and_hms_opt(10, 30, 0)),
            speed: 1.0,
        };
        mc.data_interval = None;
        mc.rate_limit_per_sec = None;
        let kis = kis::Kis::simulator_with(mc).await.unwrap();
        super::tour(kis).await.unwrap();
    }
}
