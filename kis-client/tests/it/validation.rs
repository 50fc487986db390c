//! Bad requests are refused before anything is sent, with a typed error naming the endpoint
//! and the wire field; kis-mock's request log stays empty (no token call either).

use kis_client::Error;
use kis_client::api::domestic_stock::inquire_balance::InquireBalanceRequest;
use kis_client::api::domestic_stock::inquire_price::InquirePriceRequest;
use kis_client::api::domestic_stock::order_cash::OrderCashRequest;
use kis_client::codes::{BalanceInquiry, Market, OrderType, PrevDayTrades};
use kis_client::request::ErrorKind;
use kis_client::value::Decimal;
use kis_mock::MockConfig;
use serde_json::json;

use crate::support::{Setup, unlimited};

/// The field an `Error::Invalid` names (panics on any other result).
fn invalid_field<T: std::fmt::Debug>(r: Result<T, Error>) -> (String, String) {
    match r {
        Err(Error::Invalid(e)) => (e.field.clone().expect("a field is named"), format!("{e}")),
        other => panic!("expected Error::Invalid, got {other:?}"),
    }
}

fn named(r: Result<kis_client::RawResponse, Error>) -> kis_client::request::NamedError {
    match r {
        Err(Error::Named(e)) => e,
        other => panic!("expected Error::Named, got {other:?}"),
    }
}

fn buy(kind: OrderType, qty: u64, price: i64) -> OrderCashRequest {
    OrderCashRequest::buy("005930", kind, qty, Decimal::from(price))
}

#[tokio::test]
async fn typed_requests_are_refused_before_sending() {
    let s = Setup::start(unlimited()).await;
    let c = s.client();
    let cases: Vec<(OrderCashRequest, &str, &str)> = vec![
        (
            buy(OrderType::Other("99".into()), 1, 70_000),
            "ORD_DVSN",
            "99",
        ),
        (buy(OrderType::Limit, 1, 70_001), "ORD_UNPR", "tick"),
        (buy(OrderType::Limit, 1, 0), "ORD_UNPR", "above 0"),
        (buy(OrderType::Market, 1, 70_000), "ORD_UNPR", "no price"),
        (
            OrderCashRequest::buy("", OrderType::Limit, 1, Decimal::from(70_000)),
            "PDNO",
            "required",
        ),
        (
            OrderCashRequest::buy("0059300000000", OrderType::Limit, 1, Decimal::from(70_000)),
            "PDNO",
            "at most 12",
        ),
        (buy(OrderType::Limit, 1, -70_000), "ORD_UNPR", "unsigned"),
        (
            buy(OrderType::Limit, 1, 70_000).cano("1234"),
            "CANO",
            "8-digit",
        ),
    ];
    for (req, field, why) in cases {
        let (f, msg) = invalid_field(c.send(req).await);
        assert_eq!(f, field, "{msg}");
        assert!(msg.contains(why), "{msg}");
        assert!(msg.contains("domestic_stock/order_cash"), "{msg}");
    }
    // A quote for an empty symbol; the balance with the code KIS retired on 2026-02-10.
    let (f, _) = invalid_field(c.send(InquirePriceRequest::new(Market::Krx, "")).await);
    assert_eq!(f, "FID_INPUT_ISCD");
    let retired = InquireBalanceRequest::new(
        BalanceInquiry::ByStock,
        false,
        false,
        PrevDayTrades::Include,
    );
    let (f, msg) = invalid_field(c.send(retired).await);
    assert_eq!(f, "INQR_DVSN");
    assert!(
        msg.contains("2026-02-10") && msg.contains("OPSQ2001"),
        "{msg}"
    );
    let stats = s.mock.stats();
    assert_eq!(stats.requests, 0, "nothing reached the server: {stats:?}");
    assert_eq!(stats.token_issued, 0);
}

#[tokio::test]
async fn by_name_requests_are_refused_before_sending() {
    let s = Setup::start(unlimited()).await;
    let c = s.client();
    let order = |extra: serde_json::Value| {
        let mut p =
            json!({"PDNO": "005930", "ORD_DVSN": "00", "ORD_QTY": "10", "ORD_UNPR": "70000"});
        for (k, v) in extra.as_object().expect("object") {
            p[k] = v.clone();
        }
        p.as_object().expect("object").clone()
    };
    let cases = [
        (order(json!({"ORD_DVSN": "limit"})), "ORD_DVSN"),
        (order(json!({"ORD_QTY": "ten"})), "ORD_QTY"),
        (order(json!({"ORD_QTY": "１０"})), "ORD_QTY"),
        (order(json!({"ORD_QTY": "-1"})), "ORD_QTY"),
        (order(json!({"ORD_QTTY": "10"})), "ORD_QTTY"),
        (order(json!({"PDNO": ""})), "PDNO"),
        (order(json!({"ORD_UNPR": 70000})), "ORD_UNPR"),
    ];
    for (params, field) in cases {
        let e = named(
            c.send_named("domestic_stock/order_cash", "buy", &params)
                .await,
        );
        assert_eq!(e.kind, ErrorKind::InvalidRequest, "{e}");
        assert_eq!(e.field.as_deref(), Some(field), "{e}");
    }
    // An impossible date.
    let chart = json!({"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930",
        "FID_INPUT_DATE_1": "20260230", "FID_INPUT_DATE_2": "20260301",
        "FID_PERIOD_DIV_CODE": "D", "FID_ORG_ADJ_PRC": "0"});
    let e = named(
        c.send_named(
            "domestic_stock/inquire_daily_itemchartprice",
            "",
            chart.as_object().expect("object"),
        )
        .await,
    );
    assert_eq!(e.field.as_deref(), Some("FID_INPUT_DATE_1"), "{e}");
    let e = named(
        c.send_named("domestic_stock/order_cash", "hold", &order(json!({})))
            .await,
    );
    assert_eq!(e.kind, ErrorKind::UnknownVariant);
    let e = named(
        c.send_named("domestic_stock/nope", "", &order(json!({})))
            .await,
    );
    assert_eq!(e.kind, ErrorKind::UnknownEndpoint);
    assert_eq!(s.mock.stats().requests, 0, "nothing reached the server");

    // The same order validates and is sent once (the real-trading guard still applies).
    let c = s.client_with(|b| b.allow_real_trading(true));
    c.send_named("domestic_stock/order_cash", "buy", &order(json!({})))
        .await
        .expect("a valid by-name order is sent");
    assert_eq!(
        s.mock
            .stats()
            .requests_by_path
            .get("/uapi/domestic-stock/v1/trading/order-cash"),
        Some(&1)
    );
}

#[tokio::test]
async fn real_only_endpoints_are_refused_on_paper() {
    let s = Setup::start(MockConfig {
        rate_limit_per_sec: None,
        ..MockConfig::paper()
    })
    .await;
    let c = s.client();
    let params = json!({"PDNO": "005930"});
    let e = named(
        c.send_named(
            "domestic_stock/inquire_psbl_sell",
            "",
            params.as_object().expect("object"),
        )
        .await,
    );
    assert_eq!(e.kind, ErrorKind::NotOnPaper, "{e}");
    let typed = c
        .send(
            kis_client::api::domestic_stock::inquire_psbl_sell::InquirePsblSellRequest::new(
                "005930",
            ),
        )
        .await;
    assert!(
        matches!(typed, Err(Error::UnsupportedInPaper { .. })),
        "{typed:?}"
    );
    assert_eq!(s.mock.stats().requests, 0);
}
