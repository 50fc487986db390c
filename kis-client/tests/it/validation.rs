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
        (order(json!({"ORD_UNPR": true})), "ORD_UNPR"),
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

/// Issue 28 item 5: each bad order input is refused before anything is sent, naming the
/// field (the mock's request log stays empty), and valid inputs of the same kind pass.
#[tokio::test]
async fn bad_order_inputs_are_refused_before_sending_with_the_field_named() {
    use kis_client::api::overseas_stock::order::OrderRequest;
    use kis_client::codes::{OrderExchange, OverseasOrderType};
    let s = Setup::start(unlimited()).await;
    let c = s.client_with(|b| b.allow_real_trading(true));
    let sell = |code: &str, qty: u64, price: i64| {
        OrderCashRequest::sell(code, OrderType::Limit, qty, Decimal::from(price))
    };
    let krx = |code: &str| OrderCashRequest::buy(code, OrderType::Limit, 1, Decimal::from(70_000));
    let cases: Vec<(OrderCashRequest, &str)> = vec![
        (buy(OrderType::Limit, 0, 70_000), "ORD_QTY"),
        (sell("005930", 0, 70_000), "ORD_QTY"),
        (krx(" "), "PDNO"),
        (krx("5930"), "PDNO"),
        (krx("AAPL"), "PDNO"),
        (krx("005930 "), "PDNO"),
        // Off both the stock grid (100 at this price) and the fund grid (5).
        (buy(OrderType::Limit, 1, 73_001), "ORD_UNPR"),
        (buy(OrderType::Limit, 1, 72_996), "ORD_UNPR"),
    ];
    for (req, field) in cases {
        let e = c.send(req).await.expect_err("refused");
        assert_eq!(e.field(), Some(field), "{e}");
        assert!(e.is_rejected_locally() && !e.may_have_been_sent(), "{e}");
    }
    // Valid KRX codes of every shape pass the checks (checked without sending).
    for code in ["005930", "0001A0", "Q500001"] {
        c.prepare(&mut krx(code), "").expect(code);
    }
    // A multiple of 5 off the stock grid is an ETF's valid price: not refused until the
    // symbol master says which the code is.
    c.prepare(&mut buy(OrderType::Limit, 1, 73_050), "")
        .expect("73,050 is on the ETF grid");

    let us_on = |server: &str, qty: &str, price: &str, exchange: OrderExchange| {
        OrderRequest::us_buy(
            exchange,
            "AAPL",
            qty.parse().expect("qty"),
            price.parse().expect("price"),
            server,
            OverseasOrderType::Limit,
        )
    };
    let us = |qty: &str, price: &str, exchange: OrderExchange| us_on("0", qty, price, exchange);
    let server_x = us_on("x", "1", "150.25", OrderExchange::Nasdaq);
    let cases: Vec<(OrderRequest, &str)> = vec![
        (us("0", "150.25", OrderExchange::Nasdaq), "ORD_QTY"),
        (us("1.5", "150.25", OrderExchange::Nasdaq), "ORD_QTY"),
        (us("1", "150.255", OrderExchange::Nasdaq), "OVRS_ORD_UNPR"),
        (us("1", "0.12345", OrderExchange::Nasdaq), "OVRS_ORD_UNPR"),
        (us("1", "150.25", OrderExchange::Tokyo), "OVRS_EXCG_CD"),
        (server_x, "ORD_SVR_DVSN_CD"),
    ];
    for (req, field) in cases {
        let e = c.send(req).await.expect_err("refused");
        assert_eq!(e.field(), Some(field), "{e}");
    }
    c.prepare(&mut us("2", "0.1234", OrderExchange::NewYork), "")
        .expect("sub-dollar prices go to 1/100 cent");
    let stats = s.mock.stats();
    assert_eq!(stats.requests, 0, "nothing reached the server: {stats:?}");
}

/// By-name requests take JSON numbers for numeric fields, list the codes when a code is
/// wrong or missing, and take a TR ID or a URL path as the endpoint name.
#[tokio::test]
async fn by_name_requests_take_numbers_tr_ids_and_paths() {
    let s = Setup::start(unlimited()).await;
    let c = s.client_with(|b| b.allow_real_trading(true));
    let params = |v: serde_json::Value| v.as_object().expect("object").clone();
    let numbers =
        params(json!({"PDNO": "005930", "ORD_DVSN": "00", "ORD_QTY": 10, "ORD_UNPR": 70000}));
    // Refusals first: nothing may reach the server.
    let e = named(
        c.send_named(
            "domestic_stock/order_cash",
            "buy",
            &params(
                json!({"PDNO": "005930", "ORD_DVSN": "00", "ORD_QTY": 10.5, "ORD_UNPR": 70000}),
            ),
        )
        .await,
    );
    assert_eq!(e.field.as_deref(), Some("ORD_QTY"), "{e}");
    let e = named(
        c.send_named(
            "domestic_stock/order_cash",
            "buy",
            &params(
                json!({"PDNO": "005930", "ORD_DVSN": "limit", "ORD_QTY": 1, "ORD_UNPR": 70000}),
            ),
        )
        .await,
    );
    assert!(e.message.contains("00, 01"), "the codes are listed: {e}");
    let e = named(
        c.send_named(
            "domestic_stock/order_cash",
            "buy",
            &params(json!({"PDNO": "005930", "ORD_QTY": 1, "ORD_UNPR": 70000})),
        )
        .await,
    );
    assert!(e.message.contains("00, 01"), "the codes are listed: {e}");
    let e = named(c.send_named("VTTC0012U", "", &numbers).await);
    assert_eq!(e.kind, ErrorKind::NotOnReal, "{e}");
    assert!(e.message.contains("TTTC0012U"), "{e}");
    let e = named(c.send_named("TTTC0012U", "sell", &numbers).await);
    assert_eq!(e.kind, ErrorKind::UnknownVariant, "{e}");
    let e = named(
        c.send_named("/uapi/domestic-stock/v1/trading/nope", "", &numbers)
            .await,
    );
    assert_eq!(e.kind, ErrorKind::UnknownEndpoint, "{e}");
    assert_eq!(s.mock.stats().requests, 0);

    let path = "/uapi/domestic-stock/v1/trading/order-cash";
    c.send_named("domestic_stock/order_cash", "buy", &numbers)
        .await
        .expect("JSON numbers for numeric fields");
    c.send_named("TTTC0012U", "", &numbers)
        .await
        .expect("a TR ID names the endpoint and the variant");
    c.send_named(path, "buy", &numbers)
        .await
        .expect("a URL path names the endpoint");
    assert_eq!(s.mock.stats().requests_to(path), 3);
}
