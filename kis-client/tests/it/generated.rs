//! The runtime driving generated endpoint types (`kis_client::api`) against kis-mock: quote,
//! 5-page balance, order (never retried), paper-only TR IDs.

use futures::StreamExt;
use kis_client::Error;
use kis_client::api::domestic_stock::inquire_balance::InquireBalanceRequest;
use kis_client::api::domestic_stock::inquire_price::InquirePriceRequest;
use kis_client::api::domestic_stock::order_cash::OrderCashRequest;
use kis_mock::{Holding, MockConfig, PagingConfig};

use crate::endpoints::ORDER_PATH;
use crate::support::{Setup, unlimited};

#[tokio::test]
async fn generated_quote() {
    let s = Setup::start(unlimited()).await;
    let r = s
        .client()
        .send(InquirePriceRequest::new(
            kis_client::codes::Market::Krx,
            "005930",
        ))
        .await
        .expect("quote");
    assert_eq!(r.rt_cd.get().map(String::as_str), Some("0"));
    let out = r.output.get().expect("output block");
    assert!(
        out.stck_prpr.get().is_some_and(|p| *p > 0),
        "{:?}",
        out.stck_prpr
    );
}

#[tokio::test]
async fn generated_balance_pages_in_order() {
    let initial_holdings = (1..=10)
        .map(|i| Holding {
            code: format!("{:06}", i * 10),
            qty: i as u64,
            avg_price: 1000,
        })
        .collect();
    let s = Setup::start(MockConfig {
        paging: PagingConfig {
            pages: 5,
            rows: 2,
            account_rows: Some(2),
        },
        initial_holdings,
        ..unlimited()
    })
    .await;
    let req = InquireBalanceRequest::new(
        kis_client::codes::BalanceInquiry::ByLoanDate,
        false,
        false,
        kis_client::codes::PrevDayTrades::Include,
    );
    let pages: Vec<_> = s.client().pages(req).collect().await;
    assert_eq!(pages.len(), 5);
    let rows: Vec<(String, i64)> = pages
        .into_iter()
        .flat_map(|p| p.expect("page").response.output1.into_rows())
        .map(|r| {
            (
                r.pdno.get().cloned().unwrap_or_default(),
                r.hldg_qty.get().copied().unwrap_or(-1),
            )
        })
        .collect();
    let expected: Vec<_> = (1..=10)
        .map(|i| (format!("{:06}", i * 10), i as i64))
        .collect();
    assert_eq!(rows, expected);
}

#[tokio::test]
async fn generated_order_is_sent_once_on_500_and_guarded_on_real() {
    let s = Setup::start(unlimited()).await;
    let refused = s
        .client()
        .send(OrderCashRequest::buy(
            "005930",
            kis_client::codes::OrderType::Limit,
            1,
            kis_client::value::Decimal::from(70_000),
        ))
        .await
        .expect_err("guard");
    assert!(
        matches!(refused, Error::RealTradingNotEnabled { .. }),
        "{refused:?}"
    );
    assert_eq!(s.mock.stats().requests, 0);
    let c = s.client_with(|b| b.allow_real_trading(true));
    s.mock.faults().fail_path(ORDER_PATH, 1);
    let err = c
        .send(OrderCashRequest::buy(
            "005930",
            kis_client::codes::OrderType::Limit,
            1,
            kis_client::value::Decimal::from(70_000),
        ))
        .await
        .expect_err("500");
    assert!(err.may_have_been_sent());
    assert_eq!(s.mock.stats().requests_by_path.get(ORDER_PATH), Some(&1));
    let ok = c
        .send(OrderCashRequest::buy(
            "005930",
            kis_client::codes::OrderType::Limit,
            1,
            kis_client::value::Decimal::from(70_000),
        ))
        .await
        .expect("order");
    assert!(
        ok.output
            .get()
            .is_some_and(|o| o.odno.get().is_some_and(|n| !n.is_empty()))
    );
    assert_eq!(s.mock.stats().orders, 1);
}

#[tokio::test]
async fn generated_paper_order_uses_the_paper_tr_id() {
    let s = Setup::start(MockConfig {
        rate_limit_per_sec: None,
        ..MockConfig::paper()
    })
    .await;
    let ok = s
        .client()
        .send(OrderCashRequest::sell(
            "005930",
            kis_client::codes::OrderType::Limit,
            1,
            kis_client::value::Decimal::from(70_000),
        ))
        .await;
    // The mock checks the TR ID per environment: a real TR ID on paper would be EGW02006.
    match ok {
        Ok(r) => assert_eq!(r.rt_cd.get().map(String::as_str), Some("0")),
        Err(Error::Api { msg_cd, tr_id, .. }) => {
            assert_eq!(tr_id, "VTTC0011U");
            assert!(
                msg_cd.starts_with("APBK"),
                "business reject only (no holdings to sell): {msg_cd}"
            );
        }
        Err(e) => panic!("{e:?}"),
    }
}
