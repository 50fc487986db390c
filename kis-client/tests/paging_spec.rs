//! Paging over the whole spec: every REST endpoint whose request carries a continuation key
//! (`CTX_AREA_*`, `KEYB`, `CTS`, `CTS_KEY`, `INDEX_KEY`, `NEXT`) has a paging section, and the
//! generated code pages it (its `EndpointInfo` carries the same scheme and keys, and its response
//! implements `PagedResponse`); the `tr_cont`-only and cursor endpoints too. Paging never
//! applies to a POST (orders).

use kis_client::endpoint::{HttpMethod, PagingScheme};
use kis_spec::{ApiKind, ApiSpec, Method};

fn is_key(name: &str) -> bool {
    name.to_ascii_uppercase().starts_with("CTX_AREA_")
        || matches!(name, "KEYB" | "CTS" | "CTS_KEY" | "INDEX_KEY" | "NEXT")
}

fn scheme(s: kis_spec::PagingScheme) -> PagingScheme {
    match s {
        kis_spec::PagingScheme::CtxArea => PagingScheme::CtxArea,
        kis_spec::PagingScheme::Key => PagingScheme::Key,
        kis_spec::PagingScheme::Cursor => PagingScheme::Cursor,
        kis_spec::PagingScheme::TrCont => PagingScheme::TrCont,
        kis_spec::PagingScheme::None => PagingScheme::None,
    }
}

fn generated_source(s: &ApiSpec) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/api")
        .join(&s.category)
        .join(format!("{}.rs", s.id));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_continuation_endpoint_is_paged_in_the_generated_code() {
    let specs: Vec<ApiSpec> = kis_spec::load_dir(&kis_spec::workspace_spec_dir())
        .expect("spec/ loads")
        .into_iter()
        .filter(|s| s.kind == ApiKind::Rest)
        .collect();
    let keyed: Vec<&ApiSpec> = specs
        .iter()
        .filter(|s| {
            s.request
                .query
                .iter()
                .chain(&s.request.body)
                .any(|f| is_key(&f.name))
        })
        .collect();
    assert_eq!(keyed.len(), 84, "endpoints with a continuation key");
    let unpaged: Vec<&str> = keyed
        .iter()
        .filter(|s| s.paging.is_none())
        .map(|s| s.path.as_str())
        .collect();
    assert!(unpaged.is_empty(), "no paging section: {unpaged:?}");

    let mut by_scheme = std::collections::BTreeMap::new();
    for s in specs.iter().filter(|s| s.paging.is_some()) {
        let p = s.paging.as_ref().expect("paged");
        *by_scheme.entry(format!("{:?}", p.scheme)).or_insert(0) += 1;
        assert_eq!(
            s.method,
            Method::Get,
            "{}: paging never applies to a POST",
            s.path
        );
        let info = kis_client::request::endpoints()
            .find(|i| i.category == s.category && i.id == s.id)
            .unwrap_or_else(|| panic!("{}/{} is generated", s.category, s.id));
        assert_eq!(info.method, HttpMethod::Get);
        let g = info
            .paging
            .unwrap_or_else(|| panic!("{}: not paged in code", s.path));
        assert_eq!(g.scheme, scheme(p.scheme), "{}", s.path);
        assert_eq!(g.request, p.request, "{}", s.path);
        assert_eq!(g.response, p.response, "{}", s.path);
        assert_eq!(g.rows, p.rows.as_deref(), "{}", s.path);
        // Every request key is a request field; every companion too.
        let fields: Vec<&str> = s
            .request
            .query
            .iter()
            .chain(&s.request.body)
            .map(|f| f.name.as_str())
            .collect();
        for k in p.request.iter().chain(p.next.iter().map(|n| &n.field)) {
            assert!(
                fields.contains(&k.as_str()),
                "{}: `{k}` is no request field",
                s.path
            );
        }
        // The repeated block is a response block.
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
        let src = generated_source(s);
        assert!(
            src.contains("impl crate::endpoint::PagedResponse for"),
            "{}: no PagedResponse",
            s.path
        );
    }
    let count = |k: &str| by_scheme.get(k).copied().unwrap_or(0);
    // 84 keyed (44 CTX_AREA of which 12 KIS says cannot page, 39 single keys, 1 minute-chart
    // cursor) + 11 by `tr_cont` alone + 2 date/time cursors from the sheet overviews.
    assert_eq!(count("CtxArea") + count("None"), 44, "{by_scheme:?}");
    assert_eq!(count("None"), 12, "{by_scheme:?}");
    assert_eq!(count("Key"), 39, "{by_scheme:?}");
    assert_eq!(count("TrCont"), 11, "{by_scheme:?}");
    assert_eq!(count("Cursor"), 3, "{by_scheme:?}");
}
