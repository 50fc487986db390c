//! End-to-end tests of `cargo xtask import`: small fixture workbooks, bad input, stale patches,
//! determinism, the committed `spec/` being a fresh import, and the difference between two
//! official workbook editions.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    manifest().join("tests/fixtures/import").join(name)
}

fn official(edition: &str) -> PathBuf {
    manifest().join(format!(
        "../../shared/kis/kis-openapi-workbook-{edition}.xlsx"
    ))
}

fn repo_patches() -> PathBuf {
    manifest().join("../spec/patches")
}

fn import(workbook: &Path, spec: &Path, patches: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("import")
        .arg(workbook)
        .arg("--spec-dir")
        .arg(spec)
        .arg("--patches")
        .arg(patches)
        .output()
        .expect("xtask runs")
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "import failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn failed_with(out: &Output, needles: &[&str]) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "import should fail; stderr: {err}");
    for n in needles {
        assert!(err.contains(n), "stderr lacks `{n}`:\n{err}");
    }
}

/// Every file under `root`, relative path to bytes.
fn tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("dir entry").path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).expect("under root").to_owned();
                out.insert(rel, std::fs::read(&p).expect("readable"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn tiny_workbook_imports_and_is_deterministic() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let patches = tmp.path().join("no-patches");
    let a = tmp.path().join("a/spec");
    let b = tmp.path().join("b/spec");
    ok(&import(&fixture("tiny.xlsx"), &a, &patches));
    ok(&import(&fixture("tiny.xlsx"), &b, &patches));
    assert_eq!(
        tree(&a),
        tree(&b),
        "two imports of the same workbook differ"
    );

    let specs = kis_spec::load_dir(&a).expect("output loads");
    assert_eq!(specs.len(), 2);
    let rest = &specs[0];
    assert_eq!(
        (rest.category.as_str(), rest.id.as_str()),
        ("domestic_stock", "test_price")
    );
    assert_eq!(rest.name, "시세 조회/테스트");
    let v: Vec<_> = rest
        .variants
        .iter()
        .map(|v| (v.name.as_str(), v.real.as_deref(), v.paper.as_deref()))
        .collect();
    assert_eq!(
        v,
        [
            ("sell", Some("TTTC0011U"), None),
            ("buy", Some("TTTC0012U"), None)
        ]
    );
    let market = &rest.request.query[0];
    assert_eq!(market.kind, kis_spec::Kind::Code);
    assert_eq!(market.codes.len(), 3);
    let paging = rest.paging.as_ref().expect("paging");
    assert_eq!(paging.response, ["ctx_area_fk100", "ctx_area_nk100"]);
    let body: Vec<_> = rest
        .response
        .body
        .iter()
        .map(|f| (f.name.as_str(), f.kind))
        .collect();
    use kis_spec::Kind::*;
    assert_eq!(
        body,
        [
            ("rt_cd", String),
            ("output1", Array),
            ("output2", Object),
            ("ctx_area_fk100", String),
            ("ctx_area_nk100", String)
        ]
    );
    let out1: Vec<_> = rest.response.body[1]
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.kind, f.length.as_deref()))
        .collect();
    assert_eq!(
        out1,
        [
            ("stck_prpr", Integer, Some("10")),
            ("prdy_ctrt", Decimal, Some("8.2")),
            ("stck_bsop_date", Date, Some("8"))
        ]
    );
    assert_eq!(rest.response.body[2].fields[0].kind, Flag);
    let resp = rest.examples.response.as_ref().expect("response example");
    assert_eq!(resp.status, kis_spec::ExampleStatus::Repaired);
    assert_eq!(
        rest.examples.request.as_ref().map(|e| e.status),
        Some(kis_spec::ExampleStatus::Text)
    );

    let rt = &specs[1];
    assert_eq!(
        (rt.category.as_str(), rt.id.as_str()),
        ("realtime_domestic_stock", "h0test00")
    );
    let cols: Vec<_> = rt
        .response
        .body
        .iter()
        .map(|f| (f.name.as_str(), f.wire_type.as_str(), f.kind))
        .collect();
    assert_eq!(
        cols,
        [
            ("MKSC_SHRN_ISCD", "string", String),
            ("STCK_CNTG_HOUR", "string", Time),
            ("CNTG_VOL", "string", Integer)
        ]
    );
    let r = rt.realtime.as_ref().expect("realtime facts");
    assert_eq!(
        (r.tr_id.as_str(), r.tr_key_label.as_str(), r.encrypted),
        ("H0TEST00", "종목코드", false)
    );

    let report = read(&a.join("IMPORT_REPORT.md"));
    assert!(report.contains("| APIs | 2 |"), "{report}");
    assert!(report.contains("excel-sheet-name"));
    assert!(report.contains("leaf-object"));
    assert!(report.contains("decimal-length"));
}

#[test]
fn missing_file_is_a_clear_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = import(
        &tmp.path().join("nope.xlsx"),
        &tmp.path().join("spec"),
        &tmp.path().join("p"),
    );
    failed_with(&out, &["nope.xlsx", "no such file"]);
    assert!(!tmp.path().join("spec").exists());
}

#[test]
fn non_xlsx_is_a_clear_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let fake = tmp.path().join("fake.xlsx");
    std::fs::write(&fake, "this is not a workbook").expect("write");
    let out = import(&fake, &tmp.path().join("spec"), &tmp.path().join("p"));
    failed_with(&out, &["fake.xlsx", "not a readable .xlsx"]);
}

/// A failing import leaves an existing spec/ exactly as it was, with no temporary folders.
fn assert_untouched_on(workbook: &str, needles: &[&str]) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let spec = tmp.path().join("spec");
    std::fs::create_dir_all(spec.join("domestic_stock")).expect("mkdir");
    std::fs::write(spec.join("domestic_stock/keep.yaml"), "sentinel").expect("write");
    let before = tree(&spec);
    let out = import(&fixture(workbook), &spec, &tmp.path().join("p"));
    failed_with(&out, needles);
    assert_eq!(tree(&spec), before);
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("read tmp")
        .map(|e| e.expect("entry").file_name())
        .filter(|n| n != "spec")
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}

#[test]
fn malformed_section_names_sheet_and_row() {
    assert_untouched_on(
        "bad_section.xlsx",
        &[
            "sheet `시세 조회_테스트` row 18",
            "unknown Layout section `Bogus Section`",
        ],
    );
}

#[test]
fn sheet_without_layout_is_an_error() {
    assert_untouched_on(
        "no_layout.xlsx",
        &["sheet `시세 조회_테스트`", "no Layout table"],
    );
}

#[test]
fn index_row_without_sheet_is_an_error() {
    assert_untouched_on(
        "missing_sheet.xlsx",
        &["sheet `API 목록` row 4", "없는 시트"],
    );
}

#[test]
fn stale_patches_are_errors() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let patches = tmp.path().join("patches");
    std::fs::create_dir_all(&patches).expect("mkdir");
    let cases = [
        (
            "- api: /uapi/nowhere\n  reason: gone\n  kind: rest\n",
            "no such API",
        ),
        (
            "- api: /tryitout/H0TEST00\n  reason: r\n  fields:\n  - path: response.body.NOPE\n    kind: string\n",
            "no field `response.body.NOPE`",
        ),
        (
            "- api: /tryitout/H0TEST00\n  reason: r\n  fixes: [misfiled]\n",
            "claims to fix `misfiled`",
        ),
        (
            "- api: /tryitout/H0TEST00\n  reason: ''\n",
            "one non-empty line",
        ),
        (
            "- api: /tryitout/H0TEST00\n  reason: r\n  fixes: [tr-unknown]\n  tr_misprints:\n  - {text: H0TSET00, means: H0TEST00, note: n}\n",
            "claims to fix `tr-unknown`",
        ),
        (
            "- api: /tryitout/H0TEST00\n  reason: r\n  tr_misprints:\n  - {text: H0TSET00, means: NOPE0000U, note: n}\n",
            "`NOPE0000U` is no TR ID of any API",
        ),
    ];
    for (text, needle) in cases {
        std::fs::write(patches.join("x.yaml"), text).expect("write");
        let out = import(&fixture("tiny.xlsx"), &tmp.path().join("spec"), &patches);
        failed_with(&out, &[needle]);
        assert!(!tmp.path().join("spec").exists());
    }
    // A live patch applies and is credited.
    std::fs::write(
        patches.join("x.yaml"),
        "- api: /tryitout/H0TEST00\n  reason: test\n  fields:\n  - path: response.body.CNTG_VOL\n    kind: decimal\n",
    )
    .expect("write");
    ok(&import(
        &fixture("tiny.xlsx"),
        &tmp.path().join("spec"),
        &patches,
    ));
    let text = read(
        &tmp.path()
            .join("spec/realtime_domestic_stock/h0test00.yaml"),
    );
    assert!(
        text.contains(
            "name: CNTG_VOL\n    label: 체결 거래량\n    type: string\n    kind: decimal"
        ),
        "{text}"
    );
}

#[test]
fn committed_spec_is_a_fresh_import() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let fresh = tmp.path().join("spec");
    // Carry the hand-written inputs over, as an in-place import would.
    let committed = manifest().join("../spec");
    std::fs::create_dir_all(&fresh).expect("mkdir");
    std::fs::copy(committed.join("README.md"), fresh.join("README.md")).expect("copy readme");
    let codes = "msg_codes.yaml";
    std::fs::copy(committed.join(codes), fresh.join(codes)).expect("copy msg codes");
    ok(&import(&official("20260625"), &fresh, &repo_patches()));
    std::fs::create_dir_all(fresh.join("patches")).expect("mkdir");
    for (rel, bytes) in tree(&repo_patches()) {
        let to = fresh.join("patches").join(rel);
        std::fs::create_dir_all(to.parent().expect("in patches/")).expect("mkdir");
        std::fs::write(to, bytes).expect("copy patch");
    }
    let (a, b) = (tree(&committed), tree(&fresh));
    let stale: std::collections::BTreeSet<_> = a
        .keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .collect();
    assert!(
        stale.is_empty(),
        "spec/ differs from a fresh import (run `cargo xtask import ../shared/kis/kis-openapi-workbook-20260625.xlsx`): {stale:?}"
    );
}

#[test]
fn new_edition_adds_etf_orderbook() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let old = tmp.path().join("old/spec");
    let new = tmp.path().join("new/spec");
    ok(&import(&official("20260503"), &old, &repo_patches()));
    ok(&import(&official("20260625"), &new, &repo_patches()));
    let (a, b) = (tree(&old), tree(&new));
    let added: Vec<_> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    let removed: Vec<_> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let text = |root: &Path, rel: &str| read(&root.join(rel));
    // The layout, apart from KIS's prose (overviews, descriptions, misprints), which the
    // editions also edit.
    fn layout(path: &Path, bytes: &[u8]) -> Vec<u8> {
        if path.extension().is_none_or(|x| x != "yaml") {
            return bytes.to_vec();
        }
        let mut s = kis_spec::parse(&String::from_utf8_lossy(bytes), path).expect("parses");
        fn strip(fields: &mut [kis_spec::Field]) {
            for f in fields {
                f.description.clear();
                strip(&mut f.fields);
            }
        }
        s.overview.clear();
        s.tr_misprints.clear();
        for list in [
            &mut s.request.header,
            &mut s.request.query,
            &mut s.request.body,
            &mut s.response.header,
            &mut s.response.body,
        ] {
            strip(list);
        }
        kis_spec::render(&s).into_bytes()
    }
    let in_both = || a.keys().filter(|k| b.contains_key(*k));
    let changed: Vec<_> = in_both()
        .filter(|k| layout(k, &b[*k]) != layout(k, &a[*k]))
        .collect();
    let text_only: Vec<_> = in_both()
        .filter(|k| b[*k] != a[*k] && !changed.contains(k))
        .collect();
    // KIS's prose changed in more sheets (e.g. inquire-balance's overview gained the 120 TPS
    // limit; order-cash's misprint `TTC0802U` became `TTC0012U`).
    for rel in [
        "domestic_stock/inquire_balance.yaml",
        "domestic_stock/order_cash.yaml",
    ] {
        assert!(
            text_only.contains(&&PathBuf::from(rel)),
            "{rel}: {text_only:?}"
        );
    }
    assert!(text(&new, "domestic_stock/inquire_balance.yaml").contains("120 TPS"));
    assert_eq!(added, [Path::new("etfetn/inquire_asking_price.yaml")]);
    assert!(removed.is_empty(), "{removed:?}");
    let added_spec = kis_spec::parse(
        &read(&new.join("etfetn/inquire_asking_price.yaml")),
        Path::new("x"),
    )
    .expect("parses");
    assert_eq!(added_spec.name, "ETF 현재가 호가");
    // Besides the report, the 20260625 edition also edited three existing sheets (verified in
    // the workbooks): a code list for `prdy_vrss_sign` in two futures/options sheets and a new
    // field `sgle_item_lvrg_etp_yn` in the overseas product-info sheet. The code lists change
    // nothing: the same-name rule already gives `prdy_vrss_sign` its list everywhere.
    assert_eq!(
        changed,
        [
            Path::new("IMPORT_REPORT.md"),
            Path::new("overseas_price/search_info.yaml"),
        ]
    );
    let search_old = text(&old, "overseas_price/search_info.yaml");
    let search_new = text(&new, "overseas_price/search_info.yaml");
    assert!(
        !search_old.contains("sgle_item_lvrg_etp_yn")
            && search_new.contains("sgle_item_lvrg_etp_yn")
    );
    // The older edition's sheets get the list from the same field elsewhere already.
    for rel in [
        "domestic_futureoption/inquire_time_fuopchartprice.yaml",
        "realtime_domestic_futureoption/h0mfcnt0.yaml",
    ] {
        let (o, n) = (text(&old, rel), text(&new, rel));
        assert!(
            o.contains("label: 상한") && n.contains("label: 상한"),
            "{rel}"
        );
    }
}

#[test]
fn hand_written_endpoints_are_added() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let first = tmp.path().join("first/spec");
    ok(&import(
        &fixture("tiny.xlsx"),
        &first,
        &tmp.path().join("none"),
    ));
    let imported = read(&first.join("domestic_stock/test_price.yaml"));
    let cut = imported.find("examples:").expect("has examples");
    let hand = imported[..cut]
        .replace("id: test_price", "id: hand_made")
        .replace("quotations/test-price", "quotations/hand-made");
    let patches = tmp.path().join("patches");
    let added = patches.join("added/domestic_stock");
    std::fs::create_dir_all(&added).expect("mkdir");
    std::fs::write(added.join("hand_made.yaml"), &hand).expect("write");
    let out_dir = tmp.path().join("second/spec");
    ok(&import(&fixture("tiny.xlsx"), &out_dir, &patches));
    assert_eq!(read(&out_dir.join("domestic_stock/hand_made.yaml")), hand);
    assert!(read(&out_dir.join("IMPORT_REPORT.md")).contains("patches-added"));

    // Once the workbook has it, the hand-written copy is an error, not a silent duplicate.
    std::fs::write(added.join("test_price.yaml"), &imported[..cut]).expect("write");
    let out = import(
        &fixture("tiny.xlsx"),
        &tmp.path().join("third/spec"),
        &patches,
    );
    failed_with(&out, &["added/domestic_stock/test_price.yaml collides"]);
}
