//! Checks the committed `spec/` against the official workbook: every index row is there, every
//! file loads, and the facts the issue names are right.

use std::collections::HashSet;
use std::path::PathBuf;

use calamine::{Data, Reader, Xlsx, open_workbook};
use kis_spec::{ApiKind, ApiSpec, ExampleStatus, Kind};

fn workbook() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/kis/kis-openapi-workbook-20260625.xlsx")
}

fn specs() -> Vec<ApiSpec> {
    kis_spec::load_dir(&kis_spec::workspace_spec_dir()).expect("spec/ loads")
}

fn find<'a>(specs: &'a [ApiSpec], path: &str) -> &'a ApiSpec {
    specs
        .iter()
        .find(|s| s.path == path)
        .unwrap_or_else(|| panic!("no spec for {path}"))
}

#[test]
fn every_index_row_has_a_spec() {
    let specs = specs();
    assert_eq!(specs.len(), 338);
    assert_eq!(
        specs.iter().filter(|s| s.kind == ApiKind::Rest).count(),
        278
    );
    assert_eq!(
        specs.iter().filter(|s| s.kind == ApiKind::Realtime).count(),
        60
    );
    let mut wb: Xlsx<_> = open_workbook(workbook()).expect("workbook opens");
    let index = wb.worksheet_range("API 목록").expect("index sheet");
    let paths: HashSet<&str> = specs.iter().map(|s| s.path.as_str()).collect();
    let mut rows = 0;
    for row in index.rows().skip(1) {
        let url = match row.get(8) {
            Some(Data::String(s)) => s.trim().to_owned(),
            _ => continue,
        };
        rows += 1;
        assert!(paths.contains(url.as_str()), "index URL {url} has no spec");
        if let Some(tr) = url.strip_prefix("/tryitout/") {
            let s = find(&specs, &url);
            assert_eq!(
                s.realtime.as_ref().map(|r| r.tr_id.as_str()),
                Some(tr),
                "{url}"
            );
        }
    }
    assert_eq!(rows, 338);
}

#[test]
fn issue_facts() {
    let specs = specs();
    let price = find(&specs, "/uapi/domestic-stock/v1/quotations/inquire-price");
    assert_eq!(price.id, "inquire_price");
    assert_eq!(price.category, "domestic_stock");
    assert_eq!(price.api_id, "v1_국내주식-008");
    let market = price
        .request
        .query
        .iter()
        .find(|f| f.name == "FID_COND_MRKT_DIV_CODE")
        .expect("market field");
    assert_eq!(market.kind, Kind::Code);
    assert!(
        market
            .codes
            .iter()
            .any(|c| c.code == "J" && c.label == "KRX")
    );

    let order = find(&specs, "/uapi/domestic-stock/v1/trading/order-cash");
    let v: Vec<_> = order
        .variants
        .iter()
        .map(|v| (v.name.as_str(), v.real.as_deref(), v.paper.as_deref()))
        .collect();
    assert_eq!(
        v,
        [
            ("sell", Some("TTTC0011U"), Some("VTTC0011U")),
            ("buy", Some("TTTC0012U"), Some("VTTC0012U"))
        ]
    );

    let bal = find(&specs, "/uapi/domestic-stock/v1/trading/inquire-balance");
    let paging = bal.paging.as_ref().expect("inquire-balance pages");
    assert_eq!(paging.request, ["CTX_AREA_FK100", "CTX_AREA_NK100"]);
    assert_eq!(paging.response, ["ctx_area_fk100", "ctx_area_nk100"]);
    let kinds: Vec<_> = bal
        .response
        .body
        .iter()
        .filter(|f| f.is_block())
        .map(|f| (f.name.as_str(), f.kind))
        .collect();
    assert_eq!(kinds, [("output1", Kind::Array), ("output2", Kind::Array)]);

    let notice = find(&specs, "/tryitout/H0STCNI0");
    let rt = notice.realtime.as_ref().expect("realtime");
    assert!(rt.encrypted);
    assert_eq!(notice.response.body[0].name, "CUST_ID");
    let tick = find(&specs, "/tryitout/H0STCNT0");
    assert!(!tick.realtime.as_ref().expect("realtime").encrypted);
    assert!(tick.response.body.len() > 40);
    assert!(tick.response.body.iter().all(|f| !f.is_block()));

    assert_eq!(find(&specs, "/tryitout/H0UNMKO0").kind, ApiKind::Realtime);
    assert_eq!(
        find(
            &specs,
            "/uapi/domestic-stock/v1/quotations/frgnmem-trade-trend"
        )
        .kind,
        ApiKind::Rest
    );
    assert_eq!(find(&specs, "/oauth2/Approval").category, "oauth");
}

#[test]
fn examples_are_recorded_and_present() {
    let root = kis_spec::workspace_spec_dir();
    for s in specs() {
        for e in [&s.examples.request, &s.examples.response]
            .into_iter()
            .flatten()
        {
            let path = root.join(&s.category).join(&e.file);
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            match e.status {
                ExampleStatus::Valid | ExampleStatus::Repaired => {
                    serde_json::from_str::<serde_json::Value>(&text)
                        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                }
                ExampleStatus::Invalid => {
                    assert!(serde_json::from_str::<serde_json::Value>(&text).is_err());
                    assert!(!e.note.is_empty());
                }
                ExampleStatus::Text => {}
            }
        }
    }
}

#[test]
fn field_names_are_unique_in_every_list() {
    fn check(api: &str, list: &[kis_spec::Field]) {
        let mut seen = HashSet::new();
        for f in list {
            assert!(seen.insert(f.name.as_str()), "{api}: `{}` twice", f.name);
            check(api, &f.fields);
        }
    }
    for s in specs() {
        for list in [
            &s.request.header,
            &s.request.query,
            &s.request.body,
            &s.response.header,
            &s.response.body,
        ] {
            check(&s.path, list);
        }
    }
}

#[test]
fn workbook_defects_are_corrected() {
    let specs = specs();
    let asp = find(&specs, "/tryitout/HDFSASP0");
    assert_eq!(
        asp.response.body.len(),
        71,
        "duplicated level-3 group removed"
    );
    let board = find(
        &specs,
        "/uapi/domestic-futureoption/v1/quotations/display-board-futures",
    );
    let blocks: Vec<_> = board
        .response
        .body
        .iter()
        .filter(|f| f.is_block())
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(
        blocks,
        ["output"],
        "block name taken from the response example"
    );
    let margin = find(
        &specs,
        "/uapi/domestic-futureoption/v1/trading/ngt-margin-detail",
    );
    let blocks: Vec<_> = margin
        .response
        .body
        .iter()
        .filter(|f| f.is_block())
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(
        blocks,
        ["output1", "output2", "output3"],
        "old/new TR listings merged"
    );
    let bond = find(&specs, "/tryitout/H0BJASP0");
    assert_eq!(
        bond.realtime.as_ref().map(|r| r.tr_id.as_str()),
        Some("H0BJASP0")
    );
    assert!(bond.request.header.iter().any(|f| f.name == "tr_type"));
    let night = find(&specs, "/tryitout/H0EUCNI0");
    assert!(
        night
            .realtime
            .as_ref()
            .is_some_and(|r| r.encrypted && r.tr_id == "H0EUCNI0")
    );
}

#[test]
fn paging_keys_exist_and_order_replies_keep_their_case() {
    let specs = specs();
    for s in &specs {
        if let Some(p) = &s.paging {
            assert_eq!(p.request.len(), p.response.len(), "{}", s.path);
            for k in &p.response {
                let found = match k.split_once('.') {
                    // A top-level key; `KEYB`/`CTS`/`CTS_KEY` without a response field are read
                    // from the body when KIS sends them (rule `paging-key-from-body`).
                    None => {
                        s.response.body.iter().any(|f| &f.name == k)
                            || ["keyb", "cts", "cts_key"].contains(&k.as_str())
                    }
                    // `block.field`, `block[-1].a+b`: every field in that block.
                    Some((block, fields)) => {
                        let block = block.trim_end_matches("[-1]");
                        s.response.body.iter().any(|b| {
                            b.name == block
                                && fields.split('+').all(|f| {
                                    b.fields.iter().any(|x| x.name.trim_start_matches('-') == f)
                                })
                        })
                    }
                };
                assert!(found, "{}: no `{k}`", s.path);
            }
            if let Some(rows) = &p.rows {
                assert!(
                    s.response
                        .body
                        .iter()
                        .any(|b| b.is_block() && &b.name == rows),
                    "{}: rows block `{rows}`",
                    s.path
                );
            }
        }
    }
    // KIS answers orders with upper-case keys (the workbook's response example shows it).
    let order = find(&specs, "/uapi/domestic-stock/v1/trading/order-cash");
    let output = order
        .response
        .body
        .iter()
        .find(|f| f.name == "output")
        .expect("output block");
    let names: Vec<_> = output.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["KRX_FWDG_ORD_ORGNO", "ODNO", "ORD_TMD"]);
}

/// Every TR-ID-shaped token in the workbook's text (every cell of every sheet: index, header
/// blocks, overviews, descriptions, examples) is known to the spec: as a variant's current TR
/// ID, as a deprecated alias of one, or as a misprint a patch settled.
#[test]
fn every_tr_id_in_the_workbook_is_known() {
    use std::collections::{BTreeMap, BTreeSet};
    let specs = specs();
    let mut current = BTreeSet::new();
    for s in &specs {
        for v in &s.variants {
            current.extend(v.real.iter().chain(&v.paper).cloned());
        }
        current.extend(s.realtime.iter().map(|r| r.tr_id.clone()));
    }
    let mut aliases = BTreeSet::new();
    let mut misprints = BTreeSet::new();
    for s in &specs {
        for v in &s.variants {
            for a in &v.aliases {
                let env = a.env.as_str();
                assert!(
                    v.tr_id(a.env).is_some(),
                    "{}: alias {} of `{}` has no {env} TR ID replacing it",
                    s.path,
                    a.tr_id,
                    v.name
                );
                assert!(
                    !current.contains(&a.tr_id),
                    "{}: alias {} is also a current TR ID",
                    s.path,
                    a.tr_id
                );
                assert!(aliases.insert(a.tr_id.clone()), "alias {} twice", a.tr_id);
            }
        }
        for m in &s.tr_misprints {
            assert!(
                current.contains(&m.means),
                "{}: {} means {}",
                s.path,
                m.text,
                m.means
            );
            assert!(!m.note.is_empty());
            misprints.insert(m.text.clone());
        }
    }
    for t in current.iter().chain(&aliases) {
        assert!(
            kis_spec::tr_id::is_tr_id_shaped(t),
            "{t} is a TR ID of the spec but not TR-ID-shaped"
        );
    }

    let mut wb: Xlsx<_> = open_workbook(workbook()).expect("workbook opens");
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).expect("sheet reads");
        for cell in range.used_cells() {
            if let (_, _, Data::String(text)) = cell {
                for t in kis_spec::tr_id::tr_id_tokens(text) {
                    seen.entry(t.to_owned()).or_insert_with(|| name.clone());
                }
            }
        }
    }
    let unknown: Vec<(&String, &String)> = seen
        .iter()
        .filter(|(t, _)| !current.contains(*t) && !aliases.contains(*t) && !misprints.contains(*t))
        .collect();
    assert!(
        unknown.is_empty(),
        "TR IDs (sheet) the spec does not know: {unknown:?}"
    );
    // The census of issue 16: 433 distinct TR IDs in the text, 410 of them current.
    assert_eq!(seen.len(), 433);
    assert_eq!(current.len(), 410);
    assert!(
        current.iter().all(|t| seen.contains_key(t)),
        "a spec TR ID is not in the workbook"
    );
    assert_eq!(aliases.len(), 18);
    assert_eq!(misprints.len(), 5);
    let deprecated: Vec<&str> = specs
        .iter()
        .flat_map(|s| &s.variants)
        .filter(|v| v.deprecated)
        .filter_map(|v| v.real.as_deref())
        .collect();
    assert_eq!(deprecated.len(), 6, "{deprecated:?}");
    assert!(
        deprecated.iter().all(|t| t.starts_with("JTCE")),
        "{deprecated:?}"
    );
}

/// The sheets' text survives: every overview and every non-empty field description.
#[test]
fn overviews_and_descriptions_are_kept() {
    let specs = specs();
    assert_eq!(specs.iter().filter(|s| !s.overview.is_empty()).count(), 323);
    fn count(fields: &[kis_spec::Field]) -> usize {
        fields
            .iter()
            .map(|f| usize::from(!f.description.is_empty()) + count(&f.fields))
            .sum()
    }
    let kept: usize = specs
        .iter()
        .map(|s| {
            count(&s.request.header)
                + count(&s.request.query)
                + count(&s.request.body)
                + count(&s.response.header)
                + count(&s.response.body)
        })
        .sum();
    // 7,756 Layout rows carry a description; rows merged as duplicates (old/new layouts of one
    // block) or removed by a patch keep their first listing's.
    assert!(kept >= 7_700, "{kept} descriptions kept");
    let margin = find(
        &specs,
        "/uapi/domestic-futureoption/v1/trading/ngt-margin-detail",
    );
    let rows = margin
        .response
        .body
        .iter()
        .find(|f| f.name == "output1")
        .expect("output1");
    assert!(rows.description.contains("18가지"), "{}", rows.description);
    let cash = find(&specs, "/uapi/domestic-stock/v1/trading/order-cash");
    let tr_id = cash
        .request
        .header
        .iter()
        .find(|f| f.name == "tr_id")
        .expect("tr_id header");
    assert!(tr_id.description.contains("(구)TTTC0801U → (신)TTTC0011U"));
    assert!(!tr_id.description.contains('\r'));
}

/// Every wire name KIS reads or sends (request and response, headers, nested block fields,
/// realtime columns) is one token: no space, no `~` (a workbook row like `EXCD_01 ~ 10` is ten
/// fields, rule `field-range`).
#[test]
fn no_wire_name_has_a_space_or_tilde() {
    fn walk<'a>(fields: &'a [kis_spec::Field], out: &mut Vec<&'a str>) {
        for f in fields {
            out.push(&f.name);
            walk(&f.fields, out);
        }
    }
    let specs = specs();
    let mut bad = Vec::new();
    let mut seen = 0;
    for s in &specs {
        let mut names = Vec::new();
        for list in [
            &s.request.header,
            &s.request.query,
            &s.request.body,
            &s.response.header,
            &s.response.body,
        ] {
            walk(list, &mut names);
        }
        seen += names.len();
        bad.extend(
            names
                .into_iter()
                .filter(|n| n.is_empty() || n.contains(|c: char| c.is_whitespace() || c == '~'))
                .map(|n| format!("{}: `{n}`", s.path)),
        );
    }
    assert!(seen > 16_000, "{seen} wire names");
    assert!(bad.is_empty(), "wire names that KIS cannot read: {bad:?}");
    let multprice = find(&specs, "/uapi/overseas-price/v1/quotations/multprice");
    let query: Vec<&str> = multprice
        .request
        .query
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    for n in 1..=10 {
        assert!(
            query.contains(&format!("EXCD_{n:02}").as_str()),
            "{query:?}"
        );
        assert!(
            query.contains(&format!("SYMB_{n:02}").as_str()),
            "{query:?}"
        );
    }
}
