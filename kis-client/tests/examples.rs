//! Every response example in `spec/` that is valid JSON (status `valid` or `repaired`) decodes
//! into its generated response type, and writing it back gives the original JSON: no field lost
//! (unknown fields are kept and counted).

use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
struct SpecHead {
    id: String,
    category: String,
    kind: String,
    #[serde(default)]
    examples: Examples,
}

#[derive(Deserialize, Default)]
struct Examples {
    response: Option<Example>,
}

#[derive(Deserialize)]
struct Example {
    file: String,
    status: String,
}

fn spec_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(&root).expect("spec/ exists").flatten() {
        let dir = dir.path();
        if !dir.is_dir() || dir.ends_with("patches") {
            continue;
        }
        for f in std::fs::read_dir(&dir).expect("category dir").flatten() {
            let p = f.path();
            if p.extension().is_some_and(|x| x == "yaml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_valid_response_example_round_trips() {
    let mut checked = 0;
    let mut unknown = 0;
    let mut failures = Vec::new();
    for path in spec_files() {
        let text = std::fs::read_to_string(&path).expect("read spec");
        let head: SpecHead = yaml::from_str(&text).expect("spec head parses");
        let Some(ex) = head.examples.response else {
            continue;
        };
        if head.kind != "rest" || !(ex.status == "valid" || ex.status == "repaired") {
            continue;
        }
        let file = path.parent().expect("has a folder").join(&ex.file);
        let body: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).expect("read example"))
                .expect("a valid example is JSON");
        match kis_client::decode::decode_by_id(&head.category, &head.id, body.clone()) {
            Ok(d) => {
                checked += 1;
                unknown += d.unknown_fields.len();
                if d.decoded != body {
                    failures.push(format!(
                        "{}: decoded differs from the original",
                        file.display()
                    ));
                }
            }
            Err(e) => failures.push(format!("{}: {e}", file.display())),
        }
    }
    eprintln!("{checked} response examples round-tripped, {unknown} unknown fields kept");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked >= 100, "only {checked} examples checked");
}

#[test]
fn a_decoded_response_is_typed() {
    use kis_client::api::domestic_stock::InquirePriceResponse;
    let body = serde_json::json!({
        "rt_cd": "0", "msg_cd": "MCA00000", "msg1": "ok",
        "output": [{"stck_prpr": "71500", "prdy_ctrt": "-0.69", "brand_new": "x"}]
    });
    let r: InquirePriceResponse = serde_json::from_value(body.clone()).expect("decodes");
    let out = r.output.get().expect("object block given as an array");
    assert_eq!(out.stck_prpr.raw(), "71500");
    assert_eq!(serde_json::to_value(&r).expect("serializes"), body);
    use kis_client::value::Object;
    assert_eq!(r.unknown_fields(), vec!["output[0].brand_new"]);
}

#[test]
fn decode_response_finds_the_endpoint_by_path_or_tr_id() {
    use kis_client::decode::decode_response;
    let body = || serde_json::json!({"rt_cd": "0", "output": {"ODNO": "1", "new": "x"}});
    let by_path = decode_response(
        Some("/uapi/domestic-stock/v1/trading/order-cash"),
        None,
        body(),
    )
    .expect("by path");
    assert_eq!(by_path.endpoint, "order_cash");
    assert_eq!(by_path.decoded, body());
    assert_eq!(by_path.unknown_fields, vec!["output.new"]);
    let by_url = decode_response(
        Some("https://openapi.koreainvestment.com:9443/uapi/domestic-stock/v1/trading/order-cash?a=1"),
        Some("TTTC0012U"),
        body(),
    )
    .expect("by url and tr_id");
    assert_eq!(by_url.endpoint, "order_cash");
    assert_eq!(
        decode_response(None, Some("VTTC0011U"), body())
            .expect("by tr_id")
            .endpoint,
        "order_cash"
    );
    assert!(decode_response(None, Some("NOPE0000"), body()).is_err());
    assert!(decode_response(None, None, body()).is_err());
    assert!(decode_response(None, Some("TTTC0012U"), serde_json::json!([1])).is_err());
    let bad = decode_response(
        None,
        Some("FHKST01010100"),
        serde_json::json!({"output": {"stck_oprc": "abc"}}),
    )
    .expect("invalid values do not fail the decode");
    assert_eq!(
        bad.invalid_fields,
        vec![("output.stck_oprc".to_owned(), "abc".to_owned())]
    );
}

/// Captured traffic may still carry the old TR IDs KIS replaced (`(구)TTTC0801U → (신)TTTC0011U`):
/// a body decodes by path and old TR ID, for every alias of the spec.
#[test]
fn decode_response_accepts_the_old_tr_ids() {
    use kis_client::decode::decode_response;
    let body =
        serde_json::json!({"rt_cd": "0", "msg_cd": "APBK0013", "output": {"ODNO": "0000117057"}});
    let old = decode_response(
        Some("/uapi/domestic-stock/v1/trading/order-cash"),
        Some("TTTC0802U"),
        body.clone(),
    )
    .expect("path and old TR ID");
    assert_eq!(old.endpoint, "order_cash");
    assert_eq!(old.decoded, body);
    assert!(old.unknown_fields.is_empty(), "{:?}", old.unknown_fields);
    let specs = kis_spec::load_dir(&kis_spec::workspace_spec_dir()).expect("spec loads");
    let mut aliases = 0;
    for s in &specs {
        for a in s.variants.iter().flat_map(|v| &v.aliases) {
            let d = decode_response(
                Some(&s.path),
                Some(&a.tr_id),
                serde_json::json!({"rt_cd": "0"}),
            )
            .unwrap_or_else(|e| panic!("{} {}: {e}", s.path, a.tr_id));
            assert_eq!(
                (d.category, d.endpoint),
                (s.category.as_str(), s.id.as_str())
            );
            let by_tr = decode_response(None, Some(&a.tr_id), serde_json::json!({"rt_cd": "0"}))
                .expect("old TR ID alone");
            assert_eq!(by_tr.endpoint, s.id);
            aliases += 1;
        }
    }
    assert_eq!(aliases, 18);
    // Requests only ever send current TR IDs: no generated variant carries an old one.
    let old: std::collections::HashSet<&str> = specs
        .iter()
        .flat_map(|s| &s.variants)
        .flat_map(|v| &v.aliases)
        .map(|a| a.tr_id.as_str())
        .collect();
    for info in kis_client::request::endpoints() {
        for (name, ids) in info.variants {
            for t in [ids.real, ids.paper].into_iter().flatten() {
                assert!(
                    !old.contains(t),
                    "{}/{} `{name}` sends old {t}",
                    info.category,
                    info.id
                );
            }
        }
    }
    // An old TR ID of another endpoint does not match this path.
    assert!(
        decode_response(
            Some("/uapi/domestic-stock/v1/trading/order-cash"),
            Some("TTTC8001R"),
            body
        )
        .is_err()
    );
}

#[test]
fn requests_use_wire_names_fill_the_account_and_redact_it() {
    use kis_client::api::domestic_stock::OrderCashRequest;
    use kis_client::endpoint::{Endpoint, Env};
    let mut req = OrderCashRequest::buy(
        "005930",
        kis_client::codes::OrderType::Limit,
        1,
        kis_client::value::Decimal::from(70_000),
    )
    .excg_id_dvsn_cd(kis_client::codes::ExchangeId::Krx);
    assert_eq!(req.tr_ids().for_env(Env::Real), Some("TTTC0012U"));
    assert_eq!(req.tr_ids().for_env(Env::Paper), Some("VTTC0012U"));
    req.fill_account("12345678", "01");
    let json = serde_json::to_value(&req).expect("serializes");
    assert_eq!(json["CANO"], "12345678");
    assert_eq!(json["ACNT_PRDT_CD"], "01");
    assert_eq!(json["PDNO"], "005930");
    assert_eq!(json["ORD_QTY"], "1");
    assert_eq!(json["EXCG_ID_DVSN_CD"], "KRX");
    assert_eq!(json["SLL_TYPE"], "", "optional fields are sent empty");
    let debug = format!("{req:?}");
    assert!(!debug.contains("12345678"), "{debug}");
    // An explicitly given account is not overwritten.
    let mut other = OrderCashRequest::sell(
        "005930",
        kis_client::codes::OrderType::Market,
        1,
        kis_client::value::Decimal::ZERO,
    )
    .cano("87654321");
    other.fill_account("12345678", "01");
    assert_eq!(
        serde_json::to_value(&other).expect("serializes")["CANO"],
        "87654321"
    );
    assert_eq!(other.tr_ids().real, Some("TTTC0011U"));
}

#[test]
fn paging_spec_names_keys_and_the_repeated_block() {
    use kis_client::api::domestic_stock::{InquireBalanceRequest, InquireBalanceResponse};
    use kis_client::endpoint::{Endpoint, PagedResponse, PagingScheme};
    let info = <InquireBalanceRequest as Endpoint>::INFO;
    let spec = info.paging.expect("inquire_balance pages");
    assert_eq!(spec.scheme, PagingScheme::CtxArea);
    assert_eq!(spec.request, ["CTX_AREA_FK100", "CTX_AREA_NK100"]);
    assert_eq!(spec.rows, Some("output1"));
    let body = serde_json::json!({"rt_cd": "0", "ctx_area_fk100": "F1", "ctx_area_nk100": "N1",
        "output1": [{"pdno": "005930"}, {"pdno": "000660"}], "output2": [{"dnca_tot_amt": "1"}]});
    let mut resp: InquireBalanceResponse = serde_json::from_value(body).expect("decodes");
    let rows = resp.take_rows();
    assert_eq!(rows.len(), 2);
    assert!(resp.output1.is_empty(), "rows moved out");
    assert_eq!(resp.output2.len(), 1, "the summary stays");
}
