//! Lookups of [`SymbolMaster`]: codes, names, prefixes, ambiguity.

use super::*;
use crate::ProductKind;

fn master() -> SymbolMaster {
    let mut spy = Instrument::new("SPY", "SPDR S&P 500", Market::Amex, ProductKind::Etf);
    spy.english_name = Some("SPDR S&P 500 ETF TRUST".into());
    SymbolMaster::new(vec![
        Instrument::new("005930", "삼성전자", Market::Kospi, ProductKind::Stock),
        Instrument::new("005935", "삼성전자우", Market::Kospi, ProductKind::Stock),
        Instrument::new("069500", "KODEX 200", Market::Kospi, ProductKind::Etf),
        Instrument::new("AAPL", "애플", Market::Nasdaq, ProductKind::Stock),
        Instrument::new("DUAL", "Dual Listed", Market::Nasdaq, ProductKind::Stock),
        Instrument::new("DUAL", "Dual Listed", Market::Nyse, ProductKind::Stock),
        spy,
    ])
}

#[test]
fn codes_names_and_prefixes_resolve() {
    let m = master();
    assert_eq!(m.find("005930").unwrap().name, "삼성전자");
    assert_eq!(m.find(" A005930 ").unwrap().name, "삼성전자");
    assert_eq!(m.find("삼성전자").unwrap().code, "005930");
    assert_eq!(m.find("삼성전자우").unwrap().code, "005935");
    assert_eq!(m.find("kodex200").unwrap().code, "069500");
    assert_eq!(m.find("aapl").unwrap().market, Market::Nasdaq);
    assert_eq!(m.find("NASDAQ:AAPL").unwrap().code, "AAPL");
    assert_eq!(m.find("NAS:AAPL").unwrap().code, "AAPL");
    assert_eq!(m.find("KOSPI:삼성전자").unwrap().code, "005930");
    assert_eq!(m.find("spdr s&p 500 etf trust").unwrap().code, "SPY");
}

#[test]
fn unknown_and_ambiguous_queries_list_candidates() {
    let m = master();
    match m.find("삼성") {
        Err(Error::NotFound { what, candidates }) => {
            assert_eq!(what, "삼성");
            assert_eq!(candidates.len(), 2, "{candidates:?}");
            assert!(candidates[0].starts_with("KOSPI:005930"));
        }
        other => panic!("{other:?}"),
    }
    match m.find("DUAL") {
        Err(Error::Ambiguous { candidates, .. }) => {
            assert_eq!(
                candidates,
                ["NASDAQ:DUAL Dual Listed", "NYSE:DUAL Dual Listed"]
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(m.find("NYSE:DUAL").unwrap().market, Market::Nyse);
    assert!(matches!(
        m.find("NASDAQ:005930"),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(m.find("XETRA:SAP").unwrap_err().field(), Some("symbol"));
    assert_eq!(m.find("  ").unwrap_err().field(), Some("symbol"));
}
