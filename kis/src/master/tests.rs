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

mod parse {
    use super::super::*;
    use proptest::prelude::*;

    /// A KOSPI line built from parts: code, name, and the tail with a group code, a base
    /// price, a lot, a halt flag and a warning code at KOSPI's offsets.
    fn kospi_line(
        code: &str,
        name: &str,
        group: &str,
        base: u32,
        lot: u32,
        halt: bool,
        warn: u8,
    ) -> Vec<u8> {
        let mut tail = vec![b' '; 227];
        tail[0..2].copy_from_slice(group.as_bytes());
        tail[41..50].copy_from_slice(format!("{base:09}").as_bytes());
        tail[50..55].copy_from_slice(format!("{lot:05}").as_bytes());
        tail[60] = if halt { b'Y' } else { b'N' };
        tail[63..65].copy_from_slice(format!("{warn:02}").as_bytes());
        let mut line = format!("{code:<9}KR7{code}000").into_bytes();
        line.extend(encoding_rs::EUC_KR.encode(name).0.iter());
        line.extend(tail);
        line
    }

    proptest! {
        /// Any bytes: the parsers answer (instruments or skipped lines), never panic.
        #[test]
        fn any_bytes_parse_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
            for f in MasterFile::ALL {
                let p = f.parse(&bytes);
                let lines = bytes.split(|b| *b == b'\n').filter(|l| !l.iter().all(|b| b.is_ascii_whitespace())).count();
                prop_assert_eq!(p.instruments.len() + p.skipped, lines);
            }
        }

        /// A line of any Korean/ASCII name and field values reads back what was written.
        #[test]
        fn kospi_lines_round_trip(
            code in "[0-9]{6}",
            name in "[가-힣A-Za-z0-9]{1,20}( [가-힣A-Za-z0-9]{1,10})?",
            group in prop::sample::select(vec!["ST", "EF", "EN", "EW", "RT"]),
            base in 1u32..999_999_999,
            lot in 1u32..99_999,
            halt in any::<bool>(),
            warn in 0u8..4,
        ) {
            let line = kospi_line(&code, &name, group, base, lot, halt, warn);
            let p = MasterFile::Kospi.parse(&line);
            prop_assert_eq!(p.skipped, 0);
            let i = &p.instruments[0];
            prop_assert_eq!(&i.code, &code);
            prop_assert_eq!(&i.name, &name);
            prop_assert_eq!(i.kind.clone(), crate::ProductKind::from_krx_group(group));
            prop_assert_eq!(i.base_price, Some(crate::Money::krw(i64::from(base))));
            prop_assert_eq!(i.lot, u64::from(lot));
            prop_assert_eq!(i.halted, halt);
            prop_assert_eq!(i.warning, crate::Warning::from_code(&format!("{warn:02}")));
            let encoded = encoding_rs::EUC_KR.encode(&i.raw).0.into_owned();
            prop_assert_eq!(encoded, line);
        }
    }
}

/// Parse and index time of a KOSPI-sized master (2,500 lines) and lookup time; prints the
/// figures (`cargo test -p kis --lib master_figures -- --ignored --nocapture`).
#[test]
#[ignore = "prints figures"]
fn master_figures() {
    let mut file = Vec::new();
    for n in 0..2_500u32 {
        let mut tail = vec![b' '; 227];
        tail[0..2].copy_from_slice(b"ST");
        tail[41..50].copy_from_slice(b"000074000");
        tail[50..55].copy_from_slice(b"00001");
        file.extend(format!("{n:06}   KR7{n:06}000").bytes());
        file.extend(encoding_rs::EUC_KR.encode(&format!("종목{n}전자")).0.iter());
        file.extend(tail);
        file.extend(b"\r\n");
    }
    let t = std::time::Instant::now();
    let parsed = MasterFile::Kospi.parse(&file);
    let parse = t.elapsed();
    let t = std::time::Instant::now();
    let m = SymbolMaster::new(parsed.instruments);
    let index = t.elapsed();
    let t = std::time::Instant::now();
    for n in 0..2_500u32 {
        m.find(&format!("종목{n}전자")).unwrap();
    }
    let lookups = t.elapsed();
    println!(
        "{} bytes: parse {parse:?}, index {index:?}, 2,500 name lookups {lookups:?}",
        file.len()
    );
}
