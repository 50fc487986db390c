//! REST response decode throughput: generated typed responses vs `serde_json::Value` of the same
//! bytes, for a 50-row balance page and a 100-row daily chart.
//!
//! Run: `cargo bench -p kis-client --bench rest_decode`. Throughput is in rows. The bodies are
//! built from the workbook's example rows in `spec/` (test data), repeated with varied values.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
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

/// What a hand-written client with plain `String` fields would decode (a reference point).
#[derive(Deserialize)]
#[allow(dead_code)]
struct PlainChart {
    rt_cd: String,
    msg_cd: String,
    msg1: String,
    output2: Vec<std::collections::HashMap<String, String>>,
}

fn rest_decode(c: &mut Criterion) {
    let cases: [(&str, Vec<u8>, usize); 2] = [
        ("inquire_balance 50 rows", balance_body(50), 50),
        ("daily chart 100 rows", chart_body(100), 100),
    ];
    for (name, body, rows) in &cases {
        let mut g = c.benchmark_group(format!("rest_decode/{name}"));
        g.throughput(Throughput::Elements(*rows as u64));
        g.bench_function("serde_json::Value", |b| {
            b.iter(|| {
                let v: Value = serde_json::from_slice(black_box(body)).expect("json");
                black_box(v)
            })
        });
        if name.starts_with("inquire_balance") {
            let r: InquireBalanceResponse =
                kis_client::decode(body, "inquire_balance").expect("typed");
            assert_eq!(r.output1.len(), *rows);
            assert!(r.unknown_fields().is_empty(), "{:?}", r.unknown_fields());
            g.bench_function("typed (serde_json::from_slice)", |b| {
                b.iter(|| {
                    let r: InquireBalanceResponse =
                        serde_json::from_slice(black_box(body)).expect("typed");
                    black_box(r)
                })
            });
            g.bench_function("typed (kis_client::decode, as Client::send)", |b| {
                b.iter(|| {
                    let r: InquireBalanceResponse =
                        kis_client::decode(black_box(body), "inquire_balance").expect("typed");
                    black_box(r)
                })
            });
        } else {
            let r: InquireDailyItemchartpriceResponse =
                kis_client::decode(body, "inquire_daily_itemchartprice").expect("typed");
            assert_eq!(r.output2.len(), *rows);
            assert!(r.unknown_fields().is_empty(), "{:?}", r.unknown_fields());
            g.bench_function("typed (serde_json::from_slice)", |b| {
                b.iter(|| {
                    let r: InquireDailyItemchartpriceResponse =
                        serde_json::from_slice(black_box(body)).expect("typed");
                    black_box(r)
                })
            });
            g.bench_function("typed (kis_client::decode, as Client::send)", |b| {
                b.iter(|| {
                    let r: InquireDailyItemchartpriceResponse =
                        kis_client::decode(black_box(body), "inquire_daily_itemchartprice")
                            .expect("typed");
                    black_box(r)
                })
            });
            g.bench_function("plain serde derive, String fields (reference)", |b| {
                b.iter(|| {
                    let r: PlainChart = serde_json::from_slice(black_box(body)).expect("plain");
                    black_box(r)
                })
            });
        }
        g.finish();
    }
}

criterion_group!(benches, rest_decode);
criterion_main!(benches);
