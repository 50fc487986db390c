//! `today()` and `trading_day()` follow the injected server clock across a weekend, a holiday
//! and KST midnight, whatever this machine's date.

use chrono::{NaiveDate, TimeZone, Utc};
use kis::{FixedClock, Kis};
use std::sync::Arc;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[tokio::test]
async fn weekend_holiday_and_kst_midnight() {
    let kis = Kis::simulator().await.unwrap();
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 12, 6, 3, 0, 0).unwrap(),
    ));
    kis.set_clock(clock.clone());

    // Sunday 2026-12-06 12:00 KST: today is Sunday; the trading day is Friday.
    assert_eq!(kis.today(), d(2026, 12, 6));
    assert_eq!(kis.trading_day(), d(2026, 12, 4));

    // 14:59:59 UTC is 23:59:59 KST Sunday; one second later it is Monday in Seoul (still
    // Sunday in UTC and in New York).
    clock.set(Utc.with_ymd_and_hms(2026, 12, 6, 14, 59, 59).unwrap());
    assert_eq!(kis.today(), d(2026, 12, 6));
    clock.set(Utc.with_ymd_and_hms(2026, 12, 6, 15, 0, 0).unwrap());
    assert_eq!(kis.today(), d(2026, 12, 7));
    assert_eq!(kis.trading_day(), d(2026, 12, 7));
    assert_eq!(kis.now().to_rfc3339(), "2026-12-07T00:00:00+09:00");

    // Christmas 2026 is a Friday holiday: the trading day is Thursday the 24th.
    clock.set(Utc.with_ymd_and_hms(2026, 12, 25, 1, 0, 0).unwrap());
    assert_eq!(kis.today(), d(2026, 12, 25));
    assert_eq!(kis.trading_day(), d(2026, 12, 24));
    // New Year: 12-31 (year-end closing), 1-1 closed; 2027-01-02/03 a weekend.
    clock.set(Utc.with_ymd_and_hms(2027, 1, 3, 1, 0, 0).unwrap());
    assert_eq!(kis.trading_day(), d(2026, 12, 30));
}

#[tokio::test]
async fn the_handle_goes_by_kis_clock_not_this_machines() {
    use kis::kis_client::mock::kis_mock::{MockClock, MockConfig};
    // A simulator three KRX trading days back: its answers' `Date` says so.
    let mut config = MockConfig::paper();
    config.clock = MockClock::krx_session_before(3);
    let kis = Kis::simulator_with(config).await.unwrap();
    kis.sync_clock().await.unwrap();
    assert!(
        kis.client().server_offset().is_some(),
        "KIS's Date was read"
    );
    let market = kis.simulator_server().unwrap().market_time();
    let now = kis.now().naive_local();
    assert!((now - market).num_seconds().abs() <= 2, "{now} vs {market}");
    // Today is the simulated market's date, whatever this machine's.
    assert_eq!(kis.today(), market.date());
}
