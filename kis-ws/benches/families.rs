//! Realtime decode throughput over the shared fixture `bench/frames_h0stcnt0.txt` (the frames
//! `bench/compare.py` decodes in Python), through the generated dispatch `api::decode` as
//! `Session::events` uses it, and multi-record frames of growing size. Single-frame cases per
//! TR family (trade, order book, encrypted notice) are in `benches/frames.rs`.
//!
//! Run: `cargo bench -p kis-ws --bench families`. Throughput is in frames (or records).

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kis_ws::Record;
use kis_ws::api::realtime_domestic_stock::h0stcnt0::H0stcnt0;
use kis_ws::frame::{Records, parse_data_frame};

/// The frames of the shared fixture (comment lines skipped).
fn fixture() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../bench/frames_h0stcnt0.txt");
    let text = std::fs::read_to_string(path).expect("bench/frames_h0stcnt0.txt");
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// Header parse, record split and typed decode of every record as `H0stcnt0`.
fn typed(frame: &str) -> usize {
    let Ok(f) = parse_data_frame(frame) else {
        return 0;
    };
    let Ok(records) = Records::split(f.tr_id, f.payload, f.count, H0stcnt0::COLUMNS.len()) else {
        return 0;
    };
    let mut n = 0;
    for r in records.iter() {
        black_box(H0stcnt0::parse(r));
        n += 1;
    }
    n
}

/// The same through the generated dispatch by TR ID (what `Session::events` does per record).
fn dispatched(frame: &str) -> usize {
    let Ok(f) = parse_data_frame(frame) else {
        return 0;
    };
    let Some(cols) = kis_ws::api::columns(f.tr_id) else {
        return 0;
    };
    let Ok(records) = Records::split(f.tr_id, f.payload, f.count, cols.len()) else {
        return 0;
    };
    records
        .iter()
        .filter_map(|r| black_box(kis_ws::api::decode(f.tr_id, r)))
        .count()
}

/// The Rust twin of the Python `split('^')` + `dict(zip(columns, fields))` baseline.
fn split_map(frame: &str) -> usize {
    let mut parts = frame.splitn(4, '|');
    let (Some(_), Some(_), Some(_), Some(payload)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return 0;
    };
    let map: HashMap<&str, &str> = H0stcnt0::COLUMNS
        .iter()
        .copied()
        .zip(payload.split('^'))
        .collect();
    black_box(map).len()
}

fn families(c: &mut Criterion) {
    let frames = fixture();
    assert!(frames.len() >= 100, "fixture has {} frames", frames.len());
    for f in &frames {
        assert_eq!(typed(f), 1, "{f}");
        assert_eq!(dispatched(f), 1, "{f}");
        assert_eq!(split_map(f), H0stcnt0::COLUMNS.len());
    }
    let n = frames.len() as u64;

    let mut g = c.benchmark_group("fixture H0STCNT0");
    g.throughput(Throughput::Elements(n));
    g.bench_function("typed decode (H0stcnt0::parse)", |b| {
        b.iter(|| frames.iter().map(|f| typed(black_box(f))).sum::<usize>())
    });
    g.bench_function("typed decode via api::decode dispatch", |b| {
        b.iter(|| {
            frames
                .iter()
                .map(|f| dispatched(black_box(f)))
                .sum::<usize>()
        })
    });
    g.bench_function(
        "split + HashMap<&str, &str> (Python split+dict twin)",
        |b| {
            b.iter(|| {
                frames
                    .iter()
                    .map(|f| split_map(black_box(f)))
                    .sum::<usize>()
            })
        },
    );
    g.finish();

    // Multi-record frames: N records of the fixture in one frame (KIS batches busy symbols).
    let payloads: Vec<&str> = frames
        .iter()
        .filter_map(|f| f.splitn(4, '|').nth(3))
        .collect();
    let mut g = c.benchmark_group("multi-record H0STCNT0 (per record)");
    for count in [1usize, 4, 10, 20] {
        let frame = format!("0|H0STCNT0|{count:03}|{}", payloads[..count].join("^"));
        assert_eq!(typed(&frame), count);
        g.throughput(Throughput::Elements(count as u64));
        g.bench_function(format!("{count} records/frame"), |b| {
            b.iter(|| typed(black_box(&frame)))
        });
    }
    g.finish();
}

criterion_group!(benches, families);
criterion_main!(benches);
