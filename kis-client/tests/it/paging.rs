//! Paging through a multi-page balance: every row once, in order; the max-pages guard.

use futures::StreamExt;
use kis_client::Error;
use kis_mock::{Holding, MockConfig, PagingConfig};

use crate::endpoints::{BALANCE_PATH, InquireBalance};
use crate::support::{Setup, unlimited};

fn ten_holdings() -> MockConfig {
    let initial_holdings = (1..=10)
        .map(|i| Holding {
            code: format!("{:06}", i * 10),
            qty: i as u64,
            avg_price: 1000,
        })
        .collect();
    MockConfig {
        paging: PagingConfig { pages: 5, rows: 2 },
        initial_holdings,
        ..unlimited()
    }
}

#[tokio::test]
async fn five_page_balance_returns_every_row_once_in_order() {
    let s = Setup::start(ten_holdings()).await;
    let c = s.client();
    let pages: Vec<_> = c.pages(InquireBalance::new()).collect().await;
    assert_eq!(pages.len(), 5);
    let mut rows = Vec::new();
    let mut conts = Vec::new();
    for (i, p) in pages.into_iter().enumerate() {
        let p = p.expect("page");
        assert_eq!(p.number, i + 1);
        assert_eq!(p.last, i == 4);
        conts.push(p.tr_cont.clone());
        rows.extend(p.response.output1.into_iter().map(|r| (r.pdno, r.hldg_qty)));
    }
    assert_eq!(conts, ["F", "M", "M", "M", "E"]);
    let expected: Vec<_> = (1..=10)
        .map(|i| (format!("{:06}", i * 10), i.to_string()))
        .collect();
    assert_eq!(rows, expected);
    assert_eq!(s.mock.stats().requests_by_path.get(BALANCE_PATH), Some(&5));

    let all = c.collect_all(InquireBalance::new()).await.expect("collect");
    let n: usize = all.iter().map(|p| p.output1.len()).sum();
    assert_eq!((all.len(), n), (5, 10));
}

#[tokio::test]
async fn max_pages_guard_stops_with_an_error() {
    let s = Setup::start(ten_holdings()).await;
    let c = s.client_with(|b| b.max_pages(3));
    let pages: Vec<_> = c.pages(InquireBalance::new()).collect().await;
    assert_eq!(pages.len(), 4, "3 pages then the error");
    assert!(pages[..3].iter().all(Result::is_ok));
    assert!(
        matches!(pages[3], Err(Error::PagingLimit { max_pages: 3, .. })),
        "{:?}",
        pages[3]
    );
    assert_eq!(s.mock.stats().requests_by_path.get(BALANCE_PATH), Some(&3));
    let err = c
        .collect_all(InquireBalance::new())
        .await
        .expect_err("limit");
    assert!(matches!(err, Error::PagingLimit { .. }));
}

#[tokio::test]
async fn a_failing_page_ends_the_stream() {
    let s = Setup::start(ten_holdings()).await;
    let c = s.client_with(|b| b.max_retries(0));
    let mut stream = std::pin::pin!(c.pages(InquireBalance::new()));
    assert!(stream.next().await.expect("page 1").is_ok());
    s.mock.faults().fail_path(BALANCE_PATH, 1);
    assert!(stream.next().await.expect("page 2 fails").is_err());
    assert!(stream.next().await.is_none(), "no looping after an error");
}
