//! REST response decode throughput: generated typed responses (`kis_client::decode`, what
//! `Client::send` runs) vs `serde_json::Value` of the same bytes, for a 50-row balance page, a
//! 100-row daily chart and a body of four nested blocks.
//!
//! Run: `cargo bench -p kis-client --bench rest_decode`. Throughput is in rows. The bodies are
//! built from the workbook's example rows in `spec/` (test data), repeated with varied values.
//! Before the criterion groups, an interleaved loop prints the typed/`Value` time ratio of each
//! body (both decoders alternate, so machine load hits both alike).
//!
//! For instruction counts: `REST_DECODE_ONLY=<body>:<value|typed>:<iterations>` runs just that
//! loop and exits (`valgrind --tool=callgrind target/release/deps/rest_decode-* ` with it set);
//! `<body>` is `balance`, `chart` or `nested`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kis_client::api::domestic_stock::estimate_perform::EstimatePerformResponse;
use kis_client::api::domestic_stock::inquire_balance::InquireBalanceResponse;
use kis_client::api::domestic_stock::inquire_daily_itemchartprice::InquireDailyItemchartpriceResponse;
use kis_client::value::Object as _;
use serde::Deserialize;
use serde_json::{Value, json};

/// The example balance answer of `spec/`, with `output1` grown to `rows` rows.
fn balance_body(rows: usize) -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../spec/domestic_stock/inquire_balance.response.json"
    );
    let text = std::fs::read_to_string(path).expect("spec example (run from the workspace)");
    let mut v: Value = serde_json::from_str(&text).expect("example is JSON");
    let first = v["output1"][0].clone();
    let out: Vec<Value> = (0..rows)
        .map(|i| {
            let mut r = first.clone();
            r["pdno"] = json!(format!("{:06}", 5930 + i));
            r["hldg_qty"] = json!((100 + i).to_string());
            r["evlu_amt"] = json!((7_190_000 + i * 1000).to_string());
            r
        })
        .collect();
    v["output1"] = Value::Array(out);
    v["rt_cd"] = json!("0");
    v["msg_cd"] = json!("KIOK0510");
    v["msg1"] = json!("조회가 완료되었습니다");
    serde_json::to_vec(&v).expect("serialize")
}

/// A daily chart answer (`inquire_daily_itemchartprice`) with `rows` daily bars.
fn chart_body(rows: usize) -> Vec<u8> {
    let output2: Vec<Value> = (0..rows)
        .map(|i| {
            let close = 71_000 + (i as i64 * 37) % 3_000;
            json!({
                "stck_bsop_date": format!("2026{:02}{:02}", 1 + (i / 28) % 12, 1 + i % 28),
                "stck_clpr": close.to_string(),
                "stck_oprc": (close - 300).to_string(),
                "stck_hgpr": (close + 500).to_string(),
                "stck_lwpr": (close - 700).to_string(),
                "acml_vol": (2_203_472 + i * 17).to_string(),
                "acml_tr_pbmn": (237_914_727_500u64 + i as u64 * 1_000).to_string(),
                "flng_cls_code": "00",
                "prtt_rate": "0.00",
                "mod_yn": "N",
                "prdy_vrss_sign": "2",
                "prdy_vrss": "100",
                "revl_issu_reas": ""
            })
        })
        .collect();
    serde_json::to_vec(&json!({
        "rt_cd": "0",
        "msg_cd": "MCA00000",
        "msg1": "정상처리 되었습니다.",
        "output1": {
            "prdy_vrss": "1000", "prdy_vrss_sign": "2", "prdy_ctrt": "0.90",
            "stck_prdy_clpr": "111000", "acml_vol": "2106409", "acml_tr_pbmn": "236062833000",
            "hts_kor_isnm": "SK하이닉스", "stck_prpr": "112000", "stck_shrn_iscd": "000660",
            "prdy_vol": "3680049", "stck_mxpr": "144000", "stck_llam": "78000",
            "stck_oprc": "111500", "stck_hgpr": "113000", "stck_lwpr": "111000",
            "stck_prdy_oprc": "110500", "stck_prdy_hgpr": "112500", "stck_prdy_lwpr": "110000",
            "askp": "112500", "bidp": "112000", "prdy_vrss_vol": "-1573640", "vol_tnrt": "0.29",
            "stck_fcam": "5000", "lstn_stcn": "728002365", "cpfn": "36577", "hts_avls": "815363",
            "per": "8.49", "eps": "13190.00", "pbr": "1.26", "itewhol_loan_rmnd_ratem": "0.32"
        },
        "output2": output2,
    }))
    .expect("serialize")
}

/// `estimate_perform` (국내주식 종목추정실적) with its four blocks, the widest nesting the
/// spec has: an object block and three array blocks of `rows` rows each (the example's rows,
/// repeated with varied values). No spec endpoint nests a block inside a block row.
fn nested_body(rows: usize) -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../spec/domestic_stock/estimate_perform.response.json"
    );
    let text = std::fs::read_to_string(path).expect("spec example (run from the workspace)");
    let mut v: Value = serde_json::from_str(&text).expect("example is JSON");
    for block in ["output2", "output3", "output4"] {
        let example = v[block].as_array().expect("array block").clone();
        let out: Vec<Value> = (0..rows)
            .map(|i| {
                let mut r = example[i % example.len()].clone();
                if let Value::Object(m) = &mut r {
                    for (k, x) in m.iter_mut() {
                        if k.starts_with("data") {
                            *x = json!(format!("{}.0", 1000 + i * 7));
                        }
                    }
                }
                r
            })
            .collect();
        v[block] = Value::Array(out);
    }
    serde_json::to_vec(&v).expect("serialize")
}

/// What a hand-written client with plain `String` fields would decode (a reference point).
#[derive(Deserialize)]
#[allow(dead_code)]
struct PlainChart {
    rt_cd: String,
    msg_cd: String,
    msg1: String,
    output2: Vec<std::collections::HashMap<String, String>>,
}

/// One benchmark body and its typed decoder.
struct Case {
    /// Short name (for `REST_DECODE_ONLY`).
    key: &'static str,
    name: &'static str,
    body: Vec<u8>,
    /// Rows per body (the throughput unit).
    rows: usize,
    /// Typed decode as `Client::send` runs it; returns the decoded row count.
    typed: fn(&[u8]) -> usize,
}

fn typed_balance(body: &[u8]) -> usize {
    let r: InquireBalanceResponse = kis_client::decode(body, "inquire_balance").expect("typed");
    black_box(&r);
    r.output1.len()
}

fn typed_chart(body: &[u8]) -> usize {
    let r: InquireDailyItemchartpriceResponse =
        kis_client::decode(body, "inquire_daily_itemchartprice").expect("typed");
    black_box(&r);
    r.output2.len()
}

fn typed_nested(body: &[u8]) -> usize {
    let r: EstimatePerformResponse = kis_client::decode(body, "estimate_perform").expect("typed");
    black_box(&r);
    r.output2.len() + r.output3.len() + r.output4.len() + usize::from(r.output1.get().is_some())
}

fn value(body: &[u8]) -> Value {
    serde_json::from_slice(body).expect("json")
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            key: "balance",
            name: "inquire_balance 50 rows",
            body: balance_body(50),
            rows: 50,
            typed: typed_balance,
        },
        Case {
            key: "chart",
            name: "daily chart 100 rows",
            body: chart_body(100),
            rows: 100,
            typed: typed_chart,
        },
        Case {
            key: "nested",
            name: "nested blocks estimate_perform 4 blocks 91 rows",
            body: nested_body(30),
            rows: 91,
            typed: typed_nested,
        },
    ]
}

/// `REST_DECODE_ONLY=<key>:<value|typed>:<n>`: one decoder, `n` times, nothing else.
fn only(cases: &[Case], spec: &str) {
    let mut it = spec.split(':');
    let (Some(key), Some(which), Some(n)) = (it.next(), it.next(), it.next()) else {
        panic!("REST_DECODE_ONLY=<balance|chart|nested>:<value|typed>:<iterations>");
    };
    let n: usize = n.parse().expect("iterations");
    let case = cases.iter().find(|c| c.key == key).expect("body name");
    for _ in 0..n {
        match which {
            "value" => drop(black_box(value(black_box(&case.body)))),
            "typed" => drop(black_box((case.typed)(black_box(&case.body)))),
            _ => panic!("value or typed"),
        }
    }
}

/// Alternates the two decoders for about `budget` and prints the typed/`Value` time ratio.
fn interleaved(case: &Case, budget: Duration) {
    let (mut tv, mut tt, mut n) = (Duration::ZERO, Duration::ZERO, 0u32);
    let start = Instant::now();
    while start.elapsed() < budget {
        let t = Instant::now();
        black_box(value(black_box(&case.body)));
        tv += t.elapsed();
        let t = Instant::now();
        black_box((case.typed)(black_box(&case.body)));
        tt += t.elapsed();
        n += 1;
    }
    eprintln!(
        "interleaved {n} pairs, {}: Value {:?}/body, typed {:?}/body, typed is {:.2}x as fast",
        case.name,
        tv / n,
        tt / n,
        tv.as_secs_f64() / tt.as_secs_f64()
    );
}

fn rest_decode(c: &mut Criterion) {
    let cases = cases();
    if let Ok(spec) = std::env::var("REST_DECODE_ONLY") {
        only(&cases, &spec);
        std::process::exit(0);
    }
    for case in &cases {
        assert_eq!((case.typed)(&case.body), case.rows, "{}", case.name);
        interleaved(case, Duration::from_secs(2));
    }
    let r: InquireBalanceResponse = kis_client::decode(&cases[0].body, "x").expect("typed");
    assert!(r.unknown_fields().is_empty(), "{:?}", r.unknown_fields());
    let r: InquireDailyItemchartpriceResponse =
        kis_client::decode(&cases[1].body, "x").expect("typed");
    assert!(r.unknown_fields().is_empty(), "{:?}", r.unknown_fields());
    let r: EstimatePerformResponse = kis_client::decode(&cases[2].body, "x").expect("typed");
    assert!(r.unknown_fields().is_empty(), "{:?}", r.unknown_fields());

    for case in &cases {
        let mut g = c.benchmark_group(format!("rest_decode/{}", case.name));
        g.throughput(Throughput::Elements(case.rows as u64));
        g.bench_function("serde_json::Value", |b| {
            b.iter(|| black_box(value(black_box(&case.body))))
        });
        g.bench_function("typed (kis_client::decode, as Client::send)", |b| {
            b.iter(|| black_box((case.typed)(black_box(&case.body))))
        });
        if case.key == "chart" {
            g.bench_function("plain serde derive, String fields (reference)", |b| {
                b.iter(|| {
                    let r: PlainChart =
                        serde_json::from_slice(black_box(&case.body)).expect("plain");
                    black_box(r)
                })
            });
        }
        g.finish();
    }
}

criterion_group!(benches, rest_decode);
criterion_main!(benches);
