//! Throughput of realtime frame decoding: header parse, record split, (decrypt,) typed decode.
//!
//! `H0STCNT0 typed decode` is the path a session runs for every data frame, function for
//! function: `parse_data_frame` on the websocket message (a shared `Utf8Bytes`, as
//! tungstenite hands it over; the records point into it, nothing is copied),
//! `RawRecord::split_payload` (one `Records::split`), the record's first field
//! (the session's subscription-key lookup), and the consumer's `RawRecord::decode` into the
//! typed record (`frame::Columns` cuts the record once, then every field is read typed). The
//! record is read where it was decoded (`black_box(&record)`), as a consumer does.

use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};

use kis_ws::api::realtime_domestic_stock::{
    h0stasp0::H0stasp0, h0stcni0::H0stcni0, h0stcnt0::H0stcnt0,
};
use kis_ws::crypto::Cipher;
use kis_ws::frame::{Fields, Records, Utf8Bytes, parse_data_frame};
use kis_ws::{RawRecord, Record};

/// The workbook's example records (test data).
const CNT: &str = "005930^093354^71900^5^-100^-0.14^72023.83^72100^72400^71700^71900^71800^1^3052507^219853241700^5105^6937^1832^84.90^1366314^1159996^1^0.39^20.28^090020^5^-200^090820^5^-500^092619^2^200^20230612^20^N^65945^216924^1118750^2199206^0.05^2424142^125.92^0^^72100";
const ASP: &str = "005930^093730^0^71900^72000^72100^72200^72300^72400^72500^72600^72700^72800^71800^71700^71600^71500^71400^71300^71200^71100^71000^70900^91918^117942^92673^79708^106729^141988^176192^113906^134077^104229^95221^159371^220746^284657^212742^195370^182710^209747^376432^158171^1159362^2095167^0^0^0^0^525579^-72000^5^-100.00^3159115^0^8^0^0^0";
const CNI: &str = "hts1^1234567801^0000002891^^02^0^00^0^136480^0000000001^000003190^094941^0^2^2^06010^000000001^KIM^HARIM^10^^HARIM^000000000^^^";

const KEY: &str = "abcdefghijklmnopabcdefghijklmnop";
const IV: &str = "0123456789abcdef";

/// The session's path: header, shared payload, one split, first field, typed decode per record.
fn decode_session<T: Record>(message: &Utf8Bytes) -> usize {
    let Ok(f) = parse_data_frame(message) else {
        return 0;
    };
    let mut n = 0;
    let split = RawRecord::split_payload(
        f.tr_id,
        message,
        f.payload,
        f.count,
        T::COLUMNS.len(),
        |r| {
            black_box(r.fields().next());
            let record = r.decode::<T>();
            black_box(&record);
            n += 1;
        },
    );
    if split.is_err() {
        return 0;
    }
    n
}

/// Parses a frame, splits it and decodes every record as `T`; returns the record count.
fn decode_plain<T: Record>(frame: &str) -> usize {
    let Ok(f) = parse_data_frame(frame) else {
        return 0;
    };
    let Ok(records) = Records::split(f.tr_id, f.payload, f.count, T::COLUMNS.len()) else {
        return 0;
    };
    let mut n = 0;
    for record in records.iter() {
        let record = T::parse(record);
        black_box(&record);
        n += 1;
    }
    n
}

fn decode_encrypted<T: Record>(frame: &str, cipher: &Cipher) -> usize {
    let Ok(f) = parse_data_frame(frame) else {
        return 0;
    };
    let Ok(plain) = cipher.decrypt(f.tr_id, f.payload) else {
        return 0;
    };
    let Ok(records) = Records::split(f.tr_id, &plain, f.count, T::COLUMNS.len()) else {
        return 0;
    };
    let mut n = 0;
    for record in records.iter() {
        let record = T::parse(record);
        black_box(&record);
        n += 1;
    }
    n
}

fn frames(c: &mut Criterion) {
    let mut g = c.benchmark_group("frames");

    let cnt = format!("0|H0STCNT0|001|{CNT}");
    let cnt_message = Utf8Bytes::from(cnt.clone());
    assert_eq!(decode_session::<H0stcnt0>(&cnt_message), 1);
    g.throughput(Throughput::Elements(1));
    g.bench_function("H0STCNT0 typed decode", |b| {
        b.iter(|| decode_session::<H0stcnt0>(black_box(&cnt_message)))
    });
    assert_eq!(decode_plain::<H0stcnt0>(&cnt), 1);
    g.bench_function("H0STCNT0 split + parse (no shared payload)", |b| {
        b.iter(|| decode_plain::<H0stcnt0>(black_box(&cnt)))
    });

    let asp = format!("0|H0STASP0|001|{ASP}");
    assert_eq!(decode_plain::<H0stasp0>(&asp), 1);
    g.bench_function("H0STASP0 typed decode", |b| {
        b.iter(|| decode_plain::<H0stasp0>(black_box(&asp)))
    });

    let cipher = Cipher::new(KEY, IV).expect("key");
    let cni = format!("1|H0STCNI0|001|{}", cipher.encrypt(CNI));
    assert_eq!(decode_encrypted::<H0stcni0>(&cni, &cipher), 1);
    g.bench_function("H0STCNI0 decrypt + typed decode", |b| {
        b.iter(|| decode_encrypted::<H0stcni0>(black_box(&cni), &cipher))
    });

    let multi = Utf8Bytes::from(format!("0|H0STCNT0|004|{CNT}^{CNT}^{CNT}^{CNT}"));
    assert_eq!(decode_session::<H0stcnt0>(&multi), 4);
    g.throughput(Throughput::Elements(4));
    g.bench_function("H0STCNT0 4-record frame (per record)", |b| {
        b.iter(|| decode_session::<H0stcnt0>(black_box(&multi)))
    });

    g.throughput(Throughput::Elements(1));
    g.bench_function("H0STCNT0 header + split + fields (no typed decode)", |b| {
        b.iter(|| {
            let f = parse_data_frame(black_box(&cnt)).ok()?;
            let r = Records::split(f.tr_id, f.payload, f.count, 46).ok()?;
            Some(r.iter().map(|rec| Fields::new(rec).count()).sum::<usize>())
        })
    });
    g.bench_function("H0STCNT0 typed decode of the record text", |b| {
        b.iter(|| {
            let record = H0stcnt0::parse(black_box(CNT));
            black_box(&record);
        })
    });
    g.finish();
}

criterion_group!(benches, frames);
criterion_main!(benches);
