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
        paging: PagingConfig {
            pages: 5,
            rows: 2,
            account_rows: Some(2),
        },
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

fn balance_page(fk: &str, rows: &[&str]) -> String {
    let rows: Vec<_> = rows
        .iter()
        .map(|p| serde_json::json!({"pdno": p, "hldg_qty": "1"}))
        .collect();
    serde_json::json!({
        "rt_cd": "0", "msg_cd": "KIOK0510", "msg1": "ok",
        "ctx_area_fk100": fk, "ctx_area_nk100": fk,
        "output1": rows, "output2": [],
    })
    .to_string()
}

#[tokio::test]
async fn data_changed_mid_paging_is_an_error_not_a_loop() {
    let server = crate::loopback::serve(|n, seen| match n {
        0 => {
            assert_eq!(seen.tr_cont, "");
            (200, "F", balance_page("K1", &["000010", "000020"]))
        }
        _ => {
            assert_eq!(seen.tr_cont, "N");
            assert!(seen.query.contains("CTX_AREA_FK100=K1") && seen.query.contains("CTX_AREA_NK100=K1"), "{}", seen.query);
            let body = r#"{"rt_cd":"1","msg_cd":"SYDB0050","msg1":"조회이후에 자료가 변경되었습니다.(다시 조회하세요)"}"#;
            (200, "", body.to_owned())
        }
    })
    .await;
    let cache = tempfile::tempdir().expect("tempdir");
    let pages: Vec<_> = server
        .client(cache.path())
        .pages(InquireBalance::new())
        .collect()
        .await;
    assert_eq!(pages.len(), 2);
    assert!(pages[0].is_ok());
    assert!(
        matches!(&pages[1], Err(Error::Api { msg_cd, .. }) if msg_cd == "SYDB0050"),
        "{:?}",
        pages[1]
    );
    assert_eq!(
        server.requests.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "not retried, not looped"
    );
}

#[tokio::test]
async fn repeated_continuation_keys_stop_the_stream() {
    let server = crate::loopback::serve(|_, _| (200, "M", balance_page("SAME", &["000010"]))).await;
    let cache = tempfile::tempdir().expect("tempdir");
    let pages: Vec<_> = server
        .client(cache.path())
        .pages(InquireBalance::new())
        .collect()
        .await;
    assert_eq!(pages.len(), 3, "two pages, then the error");
    assert!(
        matches!(&pages[2], Err(Error::InvalidRequest(m)) if m.contains("same continuation keys")),
        "{:?}",
        pages[2]
    );
}
