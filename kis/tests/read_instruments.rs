//! Names resolve through the symbol master the simulator serves (downloaded as zips over
//! loopback, parsed in KIS's layouts), and the cache keeps it usable offline.

use chrono::NaiveDate;
use kis::master::{MasterFile, MasterStore};
use kis::{Error, Kis, Market, Money, ProductKind, TickRule};

#[tokio::test]
async fn codes_korean_names_and_exchange_prefixes_resolve() {
    let kis = Kis::simulator().await.unwrap();
    let by_code = kis.stock("005930").await.unwrap();
    let by_name = kis.stock("삼성전자").await.unwrap();
    let prefixed = kis.stock("KOSPI:005930").await.unwrap();
    for s in [&by_code, &by_name, &prefixed] {
        assert_eq!((s.code.as_str(), s.name.as_str()), ("005930", "삼성전자"));
        assert_eq!(s.market, Market::Kospi);
        assert_eq!(s.kind, ProductKind::Stock);
        assert_eq!(s.standard_code, "KR7005930003");
        assert_eq!(s.tick_rule(), TickRule::KrxStock);
    }
    let kosdaq = kis.stock("알테오젠").await.unwrap();
    assert_eq!(
        (kosdaq.code.as_str(), kosdaq.market),
        ("196170", Market::Kosdaq)
    );

    let etf = kis.stock("KODEX 200").await.unwrap();
    assert_eq!(etf.kind, ProductKind::Etf);
    assert!(etf.check_price(Money::krw(35_425)).is_ok());
    assert!(by_code.check_price(Money::krw(74_050)).is_err());

    let aapl = kis.stock("NASDAQ:AAPL").await.unwrap();
    assert_eq!(
        (aapl.market, aapl.kind.clone()),
        (Market::Nasdaq, ProductKind::Stock)
    );
    assert_eq!(aapl.tick_rule(), TickRule::Us);
    assert_eq!(kis.stock("aapl").await.unwrap().code, "AAPL");
    assert_eq!(kis.stock("AMEX:SPY").await.unwrap().kind, ProductKind::Etf);
    assert_eq!(kis.stock("NYSE:JPM").await.unwrap().market, Market::Nyse);

    // Derivatives by code through `instrument`, not `stock`.
    let master = kis.master().await.unwrap();
    let future = master
        .instruments()
        .iter()
        .find(|i| i.kind == ProductKind::Future)
        .expect("the simulator lists a future")
        .clone();
    assert_eq!(
        kis.instrument(&future.code).await.unwrap().tick_rule(),
        TickRule::Kospi200Future
    );
    assert!(matches!(
        kis.stock(&future.code).await,
        Err(Error::NotFound { .. })
    ));

    // Unknown code, near names.
    match kis.stock("999999").await {
        Err(Error::NotFound { candidates, .. }) => assert!(candidates.is_empty()),
        other => panic!("{other:?}"),
    }
    match kis.stock("삼성").await {
        Err(Error::NotFound { candidates, .. }) => {
            assert!(
                candidates.iter().any(|c| c == "KOSPI:005930 삼성전자"),
                "{candidates:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    // One download per file, then the day's master is reused.
    let stats = kis.simulator_server().unwrap().stats();
    kis.stock("000660").await.unwrap();
    let again = kis.simulator_server().unwrap().stats();
    for f in MasterFile::ALL {
        let path = format!("/common/master/{}", f.zip_name());
        assert_eq!(stats.requests_to(&path), 1, "{path}");
        assert_eq!(again.requests_to(&path), 1, "{path}");
    }
}

#[tokio::test]
async fn the_cache_refreshes_daily_and_stands_in_offline() {
    let kis = Kis::simulator().await.unwrap();
    let server = kis.simulator_server().unwrap();
    let url = format!("{}/common/master", server.rest_url());
    let dir = tempfile::tempdir().unwrap();
    let store = MasterStore::new(url, Some(dir.path().join("master")))
        .files(&[MasterFile::Kospi, MasterFile::Nasdaq]);
    let day = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
    let first = store.load(day).await.unwrap();
    assert!(first.find("삼성전자").is_ok() && first.find("AAPL").is_ok());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let f = dir.path().join("master/kospi_code.mst");
        assert_eq!(
            std::fs::metadata(f).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let kospi = "/common/master/kospi_code.mst.zip";
    assert_eq!(server.stats().requests_to(kospi), 1);
    // Same server day: from the cache.
    store.load(day).await.unwrap();
    assert_eq!(server.stats().requests_to(kospi), 1);
    // Next day: downloaded again.
    let next = day.succ_opt().unwrap();
    store.load(next).await.unwrap();
    assert_eq!(server.stats().requests_to(kospi), 2);

    // The server goes away: the cached copy stands in; with no cache it is an error.
    server.shutdown();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let offline = store.load(next.succ_opt().unwrap()).await.unwrap();
    assert_eq!(offline.len(), first.len());
    let uncached = MasterStore::new(store.base_url(), None).files(&[MasterFile::Kospi]);
    assert!(matches!(uncached.load(next).await, Err(Error::Master(_))));
}

#[tokio::test]
async fn the_handle_reloads_the_master_on_the_next_server_day_and_on_a_new_store() {
    use chrono::{TimeZone, Utc};
    use std::sync::Arc;
    let kis = Kis::simulator().await.unwrap();
    let clock = Arc::new(kis::FixedClock::new(
        Utc.with_ymd_and_hms(2026, 12, 4, 1, 0, 0).unwrap(),
    ));
    kis.set_clock(clock.clone());
    let server = kis.simulator_server().unwrap();
    let kospi = "/common/master/kospi_code.mst.zip";
    let all = kis.master().await.unwrap().len();
    kis.master().await.unwrap();
    assert_eq!(server.stats().requests_to(kospi), 1);
    // 23:59 KST the same day: the same master.
    clock.set(Utc.with_ymd_and_hms(2026, 12, 4, 14, 59, 0).unwrap());
    kis.master().await.unwrap();
    assert_eq!(server.stats().requests_to(kospi), 1);
    // KST midnight: a new server day, a new master.
    clock.set(Utc.with_ymd_and_hms(2026, 12, 4, 15, 0, 0).unwrap());
    kis.master().await.unwrap();
    assert_eq!(server.stats().requests_to(kospi), 2);
    // A store with only the KOSPI file: reloaded at once.
    let url = format!("{}/common/master", server.rest_url());
    kis.set_master_store(MasterStore::new(url, None).files(&[MasterFile::Kospi]));
    let kospi_only = kis.master().await.unwrap();
    assert!(kospi_only.len() < all);
    assert!(
        kospi_only
            .instruments()
            .iter()
            .all(|i| i.market == Market::Kospi)
    );
    assert!(matches!(
        kis.stock("NASDAQ:AAPL").await,
        Err(Error::NotFound { .. })
    ));
}

/// The master decides the grid and the lot: an ETF price a stock may not have, an unknown
/// code, a halted one; before this, a code alone let any multiple of 5 KRW through.
#[tokio::test]
async fn orders_are_checked_against_the_master() {
    use rust_decimal_macros::dec;
    let kis = Kis::simulator().await.unwrap();
    assert_eq!(
        kis.check_order("069500", Some(dec!(35425)), 10)
            .await
            .unwrap()
            .kind,
        ProductKind::Etf
    );
    let e = kis
        .check_order("005930", Some(dec!(35425)), 10)
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("price"));
    assert!(matches!(
        kis.check_order("123456", Some(dec!(1000)), 1).await,
        Err(Error::NotFound { .. })
    ));
    assert_eq!(
        kis.check_order("A005930", Some(dec!(74000)), 0)
            .await
            .unwrap_err()
            .field(),
        Some("quantity")
    );
    assert!(
        kis.check_order("NASDAQ:AAPL", Some(dec!(187.515)), 1)
            .await
            .is_err()
    );
    assert!(
        kis.check_order("NASDAQ:AAPL", Some(dec!(187.51)), 1)
            .await
            .is_ok()
    );
    // A halted listing (from a master that says so) is refused whatever the price.
    let mut halted = kis::Instrument::new("005930", "삼성전자", Market::Kospi, ProductKind::Stock);
    halted.halted = true;
    assert_eq!(
        halted
            .check_order(Some(Money::krw(74_000)), kis::Quantity::new(1))
            .unwrap_err()
            .field(),
        Some("symbol")
    );
}
