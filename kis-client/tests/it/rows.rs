//! Row streams (`Client::rows`) over kis-mock, one test per paging scheme: every row once and in
//! order, the summary once, the scan complete; `SYDB0050` mid-scan restarts once without
//! duplicating rows (a second one leaves the scan incomplete); the max-pages guard leaves it
//! incomplete; an endpoint KIS says cannot page makes one call.

use kis_client::api::{
    domestic_futureoption, domestic_stock, etfetn, overseas_futureoption, overseas_price,
    overseas_stock,
};
use kis_client::codes;
use kis_client::endpoint::{Endpoint, PagedResponse, PagingScheme};
use kis_client::{Client, Incomplete, Rows};
use kis_mock::{MockConfig, PagingConfig};

use crate::support::{Setup, unlimited};

fn paged(pages: u32, rows: u32) -> MockConfig {
    MockConfig {
        paging: PagingConfig {
            pages,
            rows,
            account_rows: Some(rows),
        },
        ..unlimited()
    }
}

/// Overseas futures ticks (`INDEX_KEY` + `QRY_TP`), first call `QRY_TP=Q`.
fn tick_ccnl() -> overseas_futureoption::TickCcnlRequest {
    overseas_futureoption::TickCcnlRequest::new(
        "6AM24",
        "CME",
        "20240601",
        codes::QryTp::First,
        "40".parse().expect("decimal"),
    )
}

fn date(s: &str) -> kis_client::value::NaiveDate {
    kis_client::value::NaiveDate::parse_from_str(s, "%Y%m%d").expect("date")
}

/// Each row as text (rows are compared whole, every field).
fn texts<T: std::fmt::Debug>(rows: &[T]) -> Vec<String> {
    rows.iter().map(|r| format!("{r:?}")).collect()
}

fn calls(s: &Setup, path: &str) -> u64 {
    s.mock.stats().requests_to(path)
}

/// Runs a whole scan and checks what holds for every scheme: complete, `pages × rows` rows,
/// no row twice, one call per page.
async fn whole<E>(s: &Setup, c: &Client, req: E, pages: usize, rows: usize) -> Rows<E::Response>
where
    E: Endpoint + Send + 'static,
    E::Response: PagedResponse,
    <E::Response as PagedResponse>::Row: std::fmt::Debug,
{
    let before = calls(s, E::INFO.path);
    let got = c.rows(req).await.expect("the scan starts");
    assert!(got.is_complete(), "{}: {:?}", E::INFO.id, got.incomplete);
    assert_eq!(got.pages, pages, "{}", E::INFO.id);
    assert_eq!(got.rows.len(), pages * rows, "{}", E::INFO.id);
    let t = texts(&got.rows);
    let pages_text: Vec<_> = t.chunks(rows.max(1)).collect();
    for (i, p) in pages_text.iter().enumerate() {
        assert!(
            !pages_text[..i].contains(p),
            "{}: page {} repeats an earlier page",
            E::INFO.id,
            i + 1
        );
    }
    assert_eq!(
        calls(s, E::INFO.path) - before,
        pages as u64,
        "{}",
        E::INFO.id
    );
    assert!(!got.restarted);
    got
}

#[tokio::test]
async fn ctx_area_keys_are_echoed_until_tr_cont_says_last() {
    let s = Setup::start(paged(3, 2)).await;
    // The night-session fills: synthesized pages (the day-session `inquire-ccnl` lists the
    // mock account's real orders since kis-mock trades futures).
    let req = domestic_futureoption::InquireNgtCcnlRequest::new(
        date("20240101"),
        date("20240131"),
        codes::FillFilter::All,
    );
    assert_eq!(
        domestic_futureoption::InquireNgtCcnlRequest::INFO
            .paging
            .map(|p| p.scheme),
        Some(PagingScheme::CtxArea)
    );
    let got = whole(&s, &s.client(), req, 3, 2).await;
    assert!(
        got.summary.output1.is_empty(),
        "rows moved out of the summary"
    );
    assert!(
        got.summary.output2.get().is_some(),
        "the summary block, once"
    );
}

#[tokio::test]
async fn index_key_pages_with_qry_tp_p_and_ends_on_an_empty_key() {
    let s = Setup::start(paged(3, 2)).await;
    // The mock refuses a continuation whose `QRY_TP` is not `P`.
    let req = tick_ccnl();
    whole(&s, &s.client(), req, 3, 2).await;
}

#[tokio::test]
async fn keyb_and_cts_keys_are_echoed_from_the_body() {
    let s = Setup::start(paged(2, 3)).await;
    let c = s.client();
    let daily = overseas_price::DailypriceRequest::new(
        codes::QuoteExchange::Nasdaq,
        "TSLA",
        codes::Gubn::Day,
        codes::Modp::Applied,
    );
    // The mock fills chart rows from its market (100 candles a page): no fixed row count.
    let got = c.rows(daily).await.expect("scan");
    assert!(got.is_complete(), "{:?}", got.incomplete);
    assert_eq!(got.pages, 2);
    assert!(got.summary.output2.is_empty() && got.summary.output1.get().is_some());
    let ranking = overseas_stock::TradeVolRequest::new(
        codes::QuoteExchange::Nasdaq,
        "0",
        codes::VolRang::All,
    );
    whole(&s, &c, ranking, 2, 3).await;
    let listings = domestic_stock::ListInfoRequest::new(date("20240131"), date("20240101"));
    whole(&s, &c, listings, 2, 3).await;
}

#[tokio::test]
async fn tr_cont_alone_resends_the_request_with_n() {
    let s = Setup::start(paged(3, 2)).await;
    let req = domestic_stock::InquireAccountBalanceRequest::new();
    assert_eq!(
        domestic_stock::InquireAccountBalanceRequest::INFO
            .paging
            .map(|p| p.scheme),
        Some(PagingScheme::TrCont)
    );
    whole(&s, &s.client(), req, 3, 2).await;
    // A one-record block pages the same way.
    let asking = etfetn::InquireAskingPriceRequest::new("J", "069500");
    whole(&s, &s.client(), asking, 3, 1).await;
}

#[tokio::test]
async fn a_cursor_continues_from_the_last_row_without_repeating_it() {
    let s = Setup::start(paged(3, 4)).await;
    let c = s.client();
    // The call after the last page returns only the boundary row: 3 pages + 1.
    let minutes = domestic_futureoption::InquireTimeFuopchartpriceRequest::new(
        codes::FuturesMarket::IndexFutures,
        "101W09",
        codes::FidHourClsCode::Minutes1,
        "N",
        "N",
    )
    .fid_input_date_1(date("20240102"))
    .fid_input_hour_1("100000");
    let got = c.rows(minutes).await.expect("scan");
    assert!(got.is_complete(), "{:?}", got.incomplete);
    assert_eq!(got.pages, 4);
    // Page 1 gives 4 rows, pages 2 and 3 three new ones each (their first repeats).
    assert_eq!(got.rows.len(), 4 + 3 + 3);
    let mut t = texts(&got.rows);
    t.dedup();
    assert_eq!(t.len(), got.rows.len(), "the boundary row is not repeated");
    let chart = overseas_price::InquireTimeItemchartpriceRequest::new(
        codes::QuoteExchange::Nasdaq,
        "TSLA",
        "1",
        codes::Pinc::IncludePreviousDay,
        "120",
    );
    let got = c.rows(chart).await.expect("scan");
    assert!(got.is_complete(), "{:?}", got.incomplete);
    assert_eq!(got.rows.len(), 10);
    let daily = domestic_futureoption::InquireDailyFuopchartpriceRequest::new(
        codes::FuturesMarket::IndexFutures,
        "101W09",
        date("20240101"),
        codes::Period::Day,
    )
    .fid_input_date_2(date("20240630"));
    let got = c.rows(daily).await.expect("scan");
    assert!(got.is_complete(), "{:?}", got.incomplete);
    assert_eq!(got.rows.len(), 10);
}

#[tokio::test]
async fn an_endpoint_kis_says_cannot_page_makes_one_call() {
    let s = Setup::start(paged(3, 2)).await;
    let req = domestic_stock::ChkHolidayRequest::new(date("20240101"));
    assert_eq!(
        domestic_stock::ChkHolidayRequest::INFO
            .paging
            .map(|p| p.scheme),
        Some(PagingScheme::None)
    );
    let got = s.client().rows(req).await.expect("one page");
    assert!(got.is_complete(), "{:?}", got.incomplete);
    assert_eq!((got.pages, got.rows.len()), (1, 2));
    assert_eq!(calls(&s, domestic_stock::ChkHolidayRequest::INFO.path), 1);
}

#[tokio::test]
async fn data_changed_mid_scan_restarts_once_without_duplicates() {
    let s = Setup::start(paged(4, 2)).await;
    let c = s.client();
    let req = tick_ccnl;
    let path = overseas_futureoption::TickCcnlRequest::INFO.path;
    let clean = c.rows(req()).await.expect("scan");
    let before = calls(&s, path);
    s.mock.faults().data_changed(path, 1);
    let got = c.rows(req()).await.expect("scan");
    assert!(got.is_complete(), "{:?}", got.incomplete);
    assert!(got.restarted);
    assert_eq!(
        texts(&got.rows),
        texts(&clean.rows),
        "the same rows, once each"
    );
    // Page 1, the refused page 2, then all 4 pages again.
    assert_eq!(calls(&s, path) - before, 1 + 1 + 4);

    // A second SYDB0050 in the same scan: incomplete, with the rows of the restarted attempt.
    s.mock.faults().data_changed(path, 2);
    let got = c.rows(req()).await.expect("scan");
    assert!(got.restarted);
    match &got.incomplete {
        Some(Incomplete::Failed(e)) => {
            assert_eq!(e.kind(), kis_client::ErrorKind::DataChanged, "{e}")
        }
        other => panic!("expected a failed scan, got {other:?}"),
    }
    assert_eq!(got.rows.len(), 2, "page 1 of the second attempt only");
    assert!(
        got.complete().is_err(),
        "a partial result is an error when asked"
    );
}

#[tokio::test]
async fn the_guard_cuts_a_long_scan_and_says_so() {
    let s = Setup::start(paged(6, 2)).await;
    let c = s.client_with(|b| b.max_pages(2));
    let req = tick_ccnl();
    let got = c.rows(req).await.expect("scan");
    assert!(!got.is_complete());
    assert!(
        matches!(got.incomplete, Some(Incomplete::MaxPages { max_pages: 2 })),
        "{:?}",
        got.incomplete
    );
    assert_eq!((got.pages, got.rows.len()), (2, 4));
    assert_eq!(
        calls(&s, overseas_futureoption::TickCcnlRequest::INFO.path),
        2,
        "no call past the guard"
    );
}

/// A by-name scan (`Client::pages_named`) runs the same paging machine as the typed one: the
/// same pages, the same rows, one call per page; an order endpoint is refused.
#[tokio::test]
async fn by_name_pages_follow_the_same_continuation_as_typed_pages() {
    use futures::StreamExt as _;
    let s = Setup::start(paged(3, 2)).await;
    let c = s.client();
    let mut req = domestic_futureoption::InquireNgtCcnlRequest::new(
        date("20240101"),
        date("20240131"),
        codes::FillFilter::All,
    );
    let typed = whole(&s, &c, req.clone(), 3, 2).await;
    let raw = c.prepare(&mut req, "").expect("prepare");
    let params: serde_json::Map<String, serde_json::Value> = raw
        .query
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    let path = domestic_futureoption::InquireNgtCcnlRequest::INFO.path;
    let before = calls(&s, path);
    // By TR ID: it names the variant too.
    let pages: Vec<_> = c
        .pages_named(&raw.tr_id, "", params)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .map(|p| p.expect("page"))
        .collect();
    assert_eq!(pages.len(), 3);
    assert_eq!(calls(&s, path) - before, 3, "one call per page");
    let rows: usize = pages
        .iter()
        .map(|p| {
            let v: serde_json::Value = serde_json::from_slice(&p.body).expect("json");
            v["output1"].as_array().map_or(0, Vec::len)
        })
        .sum();
    assert_eq!(rows, typed.rows.len());
    let order = c
        .pages_named("domestic_stock/order_cash", "buy", serde_json::Map::new())
        .collect::<Vec<_>>()
        .await;
    assert!(order.iter().all(Result::is_err), "orders never page");
}
