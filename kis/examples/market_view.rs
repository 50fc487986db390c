//! The read side on the embedded simulator: find stocks by code, name and exchange, read a
//! quote, the book, candles past KIS's 100 rows, the balance and buying power, the calendar.
//!
//! `cargo run -p kis --example market_view`

use chrono::Duration;
use kis::{Kis, Market, Money, Period};

#[tokio::main]
async fn main() -> Result<(), kis::Error> {
    run().await
}

async fn run() -> Result<(), kis::Error> {
    let kis = Kis::simulator().await?;
    println!("KIS time {} (trading day {})", kis.now(), kis.trading_day());

    let samsung = kis.stock("삼성전자").await?;
    let q = samsung.quote().await?;
    println!(
        "{samsung}: {} ({:+}%), day {}..{}, tick {}",
        q.price, q.change_pct, q.low, q.high, q.tick
    );

    let book = samsung.book().await?;
    if let (Some(bid), Some(ask)) = (book.bids.first(), book.asks.first()) {
        println!(
            "book: {} x {} | {} x {}",
            bid.qty, bid.price, ask.price, ask.qty
        );
    }

    let to = kis.trading_day();
    let bars = samsung
        .candles(Period::Day, to - Duration::days(365), to)
        .await?;
    let first = bars
        .candles
        .first()
        .map(|c| c.close.to_string())
        .unwrap_or_default();
    println!(
        "{} daily bars in {} calls, first close {first}",
        bars.len(),
        bars.raw().len()
    );

    let apple = kis.stock("NASDAQ:AAPL").await?;
    let off_grid = Money::usd("187.515".parse().expect("a decimal"));
    println!(
        "{apple}: grid {:?}, 187.515 accepted: {}",
        apple.tick_rule(),
        apple.check_price(off_grid).is_ok()
    );

    let account = kis.account()?;
    let balance = account.balance().await?;
    println!(
        "cash D+0 {} D+2 {}, total {}",
        balance.cash_d0, balance.cash_d2, balance.total_value
    );
    let power = account.buying_power(&samsung, Some(q.price)).await?;
    println!("buy up to {} at {}", power.max_qty_cash, q.price);

    let krx = kis.calendar(Market::Kospi);
    println!(
        "next KRX trading day after {to}: {}",
        krx.next_trading_day(to)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn runs_against_the_simulator() {
        super::run().await.unwrap();
    }
}
