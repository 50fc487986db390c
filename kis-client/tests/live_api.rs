//! Opt-in read-only calls of generated endpoints against KIS (quote, chart, buying power,
//! overseas quote):
//! `KIS_LIVE=1 cargo test -p kis-client --test live_api -- --nocapture`, credentials from
//! `kis_devlp.yaml` / `KIS_*` (`KIS_ENV` picks real or paper). Never places orders. Without
//! `KIS_LIVE=1` each test passes at once with a message.
#![cfg(feature = "all")]

use kis_client::api::{domestic_stock, overseas_price};
use kis_client::{Client, Config};

fn live_client() -> Option<Client> {
    if std::env::var("KIS_LIVE").ok().as_deref() != Some("1") {
        eprintln!(
            "skipped: set KIS_LIVE=1 (and provide kis_devlp.yaml or KIS_* variables) to run live tests"
        );
        return None;
    }
    let config = Config::load().expect("KIS_LIVE=1 but the configuration is invalid");
    assert!(
        !config.allow_real_trading(),
        "live tests refuse to run with allow_real_trading enabled"
    );
    Some(Client::new(config).expect("client"))
}

/// Asserts KIS answered `rt_cd` "0" and that every field of the answer decoded into its type.
macro_rules! check {
    ($resp:expr) => {{
        let resp = $resp;
        assert_eq!(resp.rt_cd.raw(), "0", "{}: {}", resp.msg_cd, resp.msg1);
        resp
    }};
}

/// One test with one client: KIS allows one token issuance per minute (and notifies the
/// account holder of each), so parallel tests with their own clients would wait or be refused.
#[tokio::test]
async fn live_read_only() {
    let Some(client) = live_client() else { return };
    domestic_quote_and_chart(&client).await;
    psbl_order(&client).await;
    overseas_quote(&client).await;
}

async fn domestic_quote_and_chart(client: &Client) {
    use domestic_stock::inquire_daily_itemchartprice::InquireDailyItemchartpriceRequest as Chart;
    use domestic_stock::inquire_price::InquirePriceRequest;
    let quote = check!(
        client
            .send(InquirePriceRequest::new(
                kis_client::codes::Market::Krx,
                "005930"
            ))
            .await
            .expect("quote")
    );
    let price = quote.output.get().expect("output");
    assert!(
        price.stck_prpr.get().is_some_and(|p| *p > 0),
        "price {}",
        price.stck_prpr
    );
    let today = chrono::Local::now().date_naive();
    let from = today - chrono::Days::new(30);
    let chart = client
        .send(Chart::new(
            kis_client::codes::Market::Krx,
            "005930",
            from,
            today,
            kis_client::codes::Period::Day,
            kis_client::codes::PriceAdjustment::Adjusted,
        ))
        .await
        .expect("chart");
    let chart = check!(chart);
    assert!(!chart.output2.is_empty(), "a month of daily candles");
    eprintln!(
        "005930: {} KRW, {} candles",
        price.stck_prpr,
        chart.output2.len()
    );
}

async fn psbl_order(client: &Client) {
    if client.config().account().is_none() {
        eprintln!("skipped: no account configured");
        return;
    }
    use domestic_stock::inquire_psbl_order::InquirePsblOrderRequest;
    let r = client
        .send(
            InquirePsblOrderRequest::new(
                kis_client::codes::OrdDvsnInquirePsblOrder::from_code("00"),
                false,
                false,
            )
            .pdno("005930")
            .ord_unpr(kis_client::value::Decimal::from(70_000)),
        )
        .await
        .expect("buying power");
    let r = check!(r);
    eprintln!(
        "buying power: {:?}",
        r.output.get().map(|o| o.ord_psbl_cash.to_string())
    );
}

async fn overseas_quote(client: &Client) {
    let r = client
        .send(overseas_price::price::PriceRequest::new(
            kis_client::codes::QuoteExchange::Nasdaq,
            "AAPL",
        ))
        .await
        .expect("overseas quote");
    let r = check!(r);
    eprintln!("AAPL: {:?}", r.output.get().map(|o| o.last.to_string()));
}
