//! `submit()` against a raw `client.send` of the same order, on loopback against kis-mock:
//! what the order layer adds (checks, two journal writes before the request, one after, the
//! update broadcast) per order, as p50 and p99 of single orders.
//!
//! `cargo bench -p kis --bench submit` (`-- --orders N` to change the sample size). The two
//! paths alternate order by order, so both see the same machine and the same simulator state.
//! Percentiles need every sample, which criterion's summaries do not give: this bench times
//! each order itself and prints the table.

use std::time::{Duration, Instant};

use kis::orders::{JournalPlace, TradingOptions};
use kis_client::api::domestic_stock::order_cash::OrderCashRequest;
use kis_client::codes::OrderType;
use kis_mock::{Fill, MockClock, MockConfig};
use rust_decimal_macros::dec;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let orders: usize = std::env::args()
        .skip_while(|a| a != "--orders")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(400);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let mut mc = MockConfig::paper();
        mc.clock = MockClock::Simulated {
            start: chrono::NaiveDate::from_ymd_opt(2026, 12, 2)
                .and_then(|d| d.and_hms_opt(10, 0, 0)),
            speed: 1.0,
        };
        mc.fill = Fill::Never;
        mc.data_interval = None;
        mc.rate_limit_per_sec = None;
        mc.initial_cash = 100_000_000_000;
        let journal = tempfile::tempdir().expect("tempdir");
        let mut trading = TradingOptions::default();
        trading.journal = JournalPlace::Dir(journal.path().into());
        trading.poll_interval = Duration::from_secs(3600);
        let kis = kis::Kis::simulator_with(mc)
            .await
            .expect("simulator")
            .with_trading(trading);
        let account = kis.account().expect("account");
        let client = kis.client().clone();
        let raw = |price| OrderCashRequest::buy("005930", OrderType::Limit, 1, price);
        // Warm up both paths (token, connections, the desk's reconciliation, SQLite pages).
        for _ in 0..20 {
            client.send(raw(dec!(60000))).await.expect("raw order");
            account
                .buy("005930", 1)
                .limit(dec!(60000))
                .allow_duplicate()
                .submit()
                .await
                .expect("submit");
        }
        let (mut raw_t, mut submit_t) = (Vec::new(), Vec::new());
        for _ in 0..orders {
            let t = Instant::now();
            client.send(raw(dec!(60000))).await.expect("raw order");
            raw_t.push(t.elapsed());
            let t = Instant::now();
            account
                .buy("005930", 1)
                .limit(dec!(60000))
                .allow_duplicate()
                .submit()
                .await
                .expect("submit");
            submit_t.push(t.elapsed());
        }
        raw_t.sort();
        submit_t.sort();
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        println!(
            "{orders} orders each, loopback kis-mock, journal on disk (WAL, synchronous=NORMAL)"
        );
        println!(
            "{:<22} {:>10} {:>10} {:>10}",
            "path", "p50 µs", "p99 µs", "max µs"
        );
        for (name, t) in [
            ("client.send (raw)", &raw_t),
            ("account...submit()", &submit_t),
        ] {
            println!(
                "{:<22} {:>10.0} {:>10.0} {:>10.0}",
                name,
                us(percentile(t, 0.5)),
                us(percentile(t, 0.99)),
                us(*t.last().expect("samples"))
            );
        }
        println!(
            "{:<22} {:>10.0} {:>10.0}",
            "overhead",
            us(percentile(&submit_t, 0.5)) - us(percentile(&raw_t, 0.5)),
            us(percentile(&submit_t, 0.99)) - us(percentile(&raw_t, 0.99)),
        );
    });
}
