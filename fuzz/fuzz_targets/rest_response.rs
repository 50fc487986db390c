//! libFuzzer target: endpoint id + body. The first byte picks an endpoint of the decode table
//! (by `tr_id` of a fixed list spanning every category), the rest is the response body, decoded
//! through the generated decoder and checked to write back what it read.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// (path, tr_id) of endpoints across the categories.
const ENDPOINTS: &[(&str, &str)] = &[
    ("/uapi/domestic-stock/v1/quotations/inquire-price", "FHKST01010100"),
    ("/uapi/domestic-stock/v1/trading/inquire-balance", "TTTC8434R"),
    ("/uapi/domestic-stock/v1/quotations/inquire-daily-itemchartprice", "FHKST03010100"),
    ("/uapi/domestic-stock/v1/trading/order-cash", "TTTC0012U"),
    ("/uapi/overseas-price/v1/quotations/price", "HHDFS00000300"),
    ("/uapi/overseas-stock/v1/trading/inquire-balance", "TTTS3012R"),
    ("/uapi/domestic-futureoption/v1/quotations/inquire-price", "FHMIF10000000"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let (path, tr_id) = ENDPOINTS[pick as usize % ENDPOINTS.len()];
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return;
    };
    let is_object = value.is_object();
    match kis_client::decode::decode_response(Some(path), Some(tr_id), value.clone()) {
        Ok(d) => assert_eq!(d.decoded, value, "write-back differs"),
        Err(e) => assert!(!is_object || e.starts_with("no endpoint"), "{e}"),
    }
});
