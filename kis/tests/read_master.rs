//! The master parsers read KIS's published layouts byte for byte: the fixtures in
//! `tests/fixtures/` were written field by field at the widths of KIS's layouts (stocks_info/*.h).

use chrono::NaiveDate;
use kis::master::MasterFile;
use kis::{Market, Money, ProductKind, TickRule, Warning};
use rust_decimal_macros::dec;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .collect()
}

#[test]
fn kospi_master_fields_come_from_their_offsets() {
    let bytes = fixture("kospi_code.mst");
    let parsed = MasterFile::Kospi.parse(&bytes);
    assert_eq!(parsed.skipped, 0);
    let [samsung, kodex, etn, elw] = &parsed.instruments[..] else {
        panic!("{:?}", parsed.instruments.len())
    };
    assert_eq!(samsung.code, "005930");
    assert_eq!(samsung.standard_code, "KR7005930003");
    assert_eq!(samsung.name, "삼성전자");
    assert_eq!(samsung.market, Market::Kospi);
    assert_eq!(samsung.kind, ProductKind::Stock);
    assert_eq!(samsung.tick_rule(), TickRule::KrxStock);
    assert_eq!(samsung.base_price, Some(Money::krw(74_000)));
    assert_eq!(samsung.lot, 1);
    assert_eq!(samsung.listed, NaiveDate::from_ymd_opt(1975, 6, 11));
    assert!(!samsung.halted && !samsung.administrative && !samsung.overheated);
    assert_eq!(samsung.warning, Warning::None);

    assert_eq!(kodex.name, "KODEX 200");
    assert_eq!(kodex.kind, ProductKind::Etf);
    assert_eq!(kodex.tick_rule(), TickRule::KrxEtp);

    assert_eq!(etn.kind, ProductKind::Etn);
    assert_eq!(etn.name, "신한 인버스 2X 천연가스 선물 ETN");
    assert!(etn.halted && etn.administrative && etn.overheated && !etn.liquidation);
    assert_eq!(etn.warning, Warning::Warning);
    assert!(etn.check_tradable().is_err());

    assert_eq!(elw.kind, ProductKind::Elw);
    assert_eq!(elw.lot, 10);
    assert_eq!(elw.tick_rule(), TickRule::KrxElw);
    assert!(elw.check_qty(kis::Quantity::new(5)).is_err());

    // The fields the type does not name, by KIS's names, at their offsets.
    assert_eq!(
        samsung.master_field("bstp_larg_div_code").as_deref(),
        Some("0027")
    );
    assert_eq!(
        samsung.master_field("kospi200_apnt_cls_code").as_deref(),
        Some("5")
    );
    assert_eq!(samsung.master_field("marg_rate").as_deref(), Some("020"));
    assert_eq!(samsung.master_field("crdt_days").as_deref(), Some("090"));
    assert_eq!(
        samsung.master_field("lstn_stcn").as_deref(),
        Some("000000005969783")
    );
    assert_eq!(
        samsung.master_field("base_date").as_deref(),
        Some("20240930")
    );
    assert_eq!(samsung.master_field("grp_code").as_deref(), Some("001"));
    assert_eq!(samsung.master_field("stln_able_yn").as_deref(), Some("Y"));
    assert_eq!(
        samsung.master_field("secu_lend_able_yn").as_deref(),
        Some("Y")
    );
    assert_eq!(
        samsung.master_field("co_crdt_limt_over_yn").as_deref(),
        Some("N")
    );
    assert_eq!(samsung.master_field("no_such_field"), None);

    // Byte for byte: each instrument's raw line encodes back to the file's line.
    for (i, line) in parsed.instruments.iter().zip(lines(&bytes)) {
        assert_eq!(encoding_rs::EUC_KR.encode(&i.raw).0.as_ref(), line);
        assert_eq!(
            line.len(),
            9 + 12 + encoding_rs::EUC_KR.encode(&i.name).0.len() + 227
        );
    }
}

#[test]
fn konex_tail_is_read_from_the_line_end() {
    let parsed = MasterFile::Konex.parse(&fixture("konex_code.mst"));
    let [i] = &parsed.instruments[..] else {
        panic!()
    };
    assert_eq!(
        (i.code.as_str(), i.name.as_str()),
        ("278990", "엠케이전자코넥스")
    );
    assert_eq!(i.market, Market::Konex);
    assert_eq!(i.base_price, Some(Money::krw(5_250)));
    assert_eq!(i.warning, Warning::Caution);
    assert_eq!(i.listed, NaiveDate::from_ymd_opt(2017, 7, 20));
    assert_eq!(i.master_field("marg_rate").as_deref(), Some("040"));
    assert_eq!(
        i.master_field("prdy_avls_scal").as_deref(),
        Some("000000157")
    );
}

#[test]
fn overseas_master_reads_the_tab_columns() {
    let parsed = MasterFile::Nasdaq.parse(&fixture("nasmst.cod"));
    assert_eq!(parsed.skipped, 0);
    let [aapl, qqq] = &parsed.instruments[..] else {
        panic!()
    };
    assert_eq!(aapl.code, "AAPL");
    assert_eq!(aapl.name, "애플");
    assert_eq!(aapl.english_name.as_deref(), Some("APPLE INC"));
    assert_eq!(aapl.market, Market::Nasdaq);
    assert_eq!(aapl.kind, ProductKind::Stock);
    assert_eq!(aapl.base_price, Some(Money::usd(dec!(195.25))));
    assert_eq!(aapl.tick_rule(), TickRule::Us);
    // The per-symbol columns by name, as the line has them (the tick type carried as text).
    let cols: Vec<&str> = aapl.raw.split('\t').collect();
    assert_eq!(
        aapl.master_field("tick_size_type").as_deref(),
        Some(cols[21].trim())
    );
    assert_eq!(aapl.master_field("tick_size_type").as_deref(), Some("1"));
    assert_eq!(aapl.master_field("symbol").as_deref(), Some("AAPL"));
    assert_eq!(
        aapl.master_field("etp_type").as_deref(),
        Some(cols[22].trim())
    );
    assert_eq!(aapl.master_field("no_such_column"), None);
    assert_eq!(qqq.master_field("etp_type").as_deref(), Some("001"));
    assert_eq!(
        qqq.master_field("tick_size_type_detail").as_deref(),
        Some("")
    );
    assert_eq!(qqq.kind, ProductKind::Etf);
    assert_eq!(qqq.symbol(), "NASDAQ:QQQ");
}

#[test]
fn derivatives_master_reads_the_pipe_columns() {
    let parsed = MasterFile::IndexDerivatives.parse(&fixture("fo_idx_code_mts.mst"));
    let [fut, call, put] = &parsed.instruments[..] else {
        panic!()
    };
    assert_eq!(fut.kind, ProductKind::Future);
    assert_eq!(fut.tick_rule(), TickRule::Kospi200Future);
    assert_eq!(call.kind, ProductKind::CallOption);
    assert_eq!(call.strike, Some(dec!(350)));
    assert_eq!(put.kind, ProductKind::PutOption);
    assert_eq!(put.underlying.as_deref(), Some("01"));
    assert_eq!(put.tick_rule(), TickRule::Kospi200Option);
}

#[test]
fn damaged_lines_are_counted_not_dropped_silently() {
    let mut bytes = fixture("kospi_code.mst");
    bytes.extend(b"123456   KR7123456000truncated\r\n");
    let parsed = MasterFile::Kospi.parse(&bytes);
    assert_eq!((parsed.instruments.len(), parsed.skipped), (4, 1));
}
