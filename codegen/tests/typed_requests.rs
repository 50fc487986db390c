//! Over the whole spec: every request parameter whose kind is not text (integer, decimal, date,
//! time, flag, code) gets a Rust type other than a string in its setter, and every field is in
//! the endpoint's validation table with its kind.

use kis_spec::{ApiKind, Kind};

#[test]
fn every_non_text_request_parameter_has_a_rust_type() {
    let dir = kis_spec::workspace_spec_dir();
    let specs = kis_spec::load_dir(&dir).expect("spec loads");
    let names = codegen::Names::load(&dir).expect("names load");
    let files = codegen::render_with(&specs, &names).expect("every label named");
    let mut typed = 0;
    let mut untyped = Vec::new();
    for s in specs.iter().filter(|s| s.kind == ApiKind::Rest) {
        let module = codegen::names::sanitize(&s.id, codegen::names::Case::Snake, "endpoint");
        let path = std::path::PathBuf::from(codegen::CLIENT_API_DIR)
            .join(&s.category)
            .join(format!("{module}.rs"));
        let text = &files[&path];
        for f in s.request.query.iter().chain(&s.request.body) {
            if f.is_block() || matches!(f.kind, Kind::String) {
                continue;
            }
            // The setter follows its doc line `/// Sets <label> (`WIRE`...`.
            let marker = format!("(`{}`", f.name);
            let setter = text
                .split("/// Sets ")
                .skip(1)
                .find(|chunk| chunk.lines().next().is_some_and(|l| l.contains(&marker)))
                .and_then(|chunk| chunk.lines().find(|l| l.contains("pub fn ")))
                .unwrap_or_else(|| panic!("{}/{}: no setter for {}", s.category, s.id, f.name));
            let ty = setter
                .split("value: ")
                .nth(1)
                .and_then(|t| t.split(')').next())
                .unwrap_or_default();
            let expected = match f.kind {
                Kind::Integer => "u64",
                Kind::Decimal => "v::Decimal",
                Kind::Date => "v::NaiveDate",
                Kind::Time => "v::NaiveTime",
                Kind::Flag => "bool",
                _ => "crate::api::codes::",
            };
            if ty.starts_with(expected) {
                typed += 1;
            } else {
                untyped.push(format!(
                    "{}/{} {} ({:?}): {ty}",
                    s.category, s.id, f.name, f.kind
                ));
            }
            // And the validation table knows it with the same kind.
            let row = format!("wire: {:?}, kind: p::FieldKind::", f.name);
            assert!(
                text.contains(&row),
                "{}/{}: {} not in FIELDS",
                s.category,
                s.id,
                f.name
            );
        }
    }
    assert!(
        untyped.is_empty(),
        "request parameters typed as text: {untyped:#?}"
    );
    assert!(typed >= 500, "only {typed} typed request parameters");
}
