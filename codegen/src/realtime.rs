//! Realtime TRs: one record struct per spec implementing `kis_ws::record::Record`, plus the
//! registry in `kis-ws/src/api/mod.rs` (`AnyRecord`, `decode`, `columns`, `is_encrypted`).

use crate::doc::{self, esc};
use crate::names::{Case, Scope, sanitize};
use crate::types::Module;
use crate::{WS_API_DIR, by_category, header, lit};
use kis_spec::{ApiSpec, Field};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::PathBuf;

/// The record columns of a realtime spec: its response body, blocks flattened in order.
fn columns(s: &ApiSpec) -> Vec<&Field> {
    fn walk<'a>(fields: &'a [Field], out: &mut Vec<&'a Field>) {
        for f in fields {
            if f.is_block() {
                walk(&f.fields, out);
            } else {
                out.push(f);
            }
        }
    }
    let mut out = Vec::new();
    walk(&s.response.body, &mut out);
    out
}

/// The TR IDs a realtime spec's records arrive under (its `realtime.tr_id` and every variant's).
fn tr_ids(s: &ApiSpec) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    let all = s.realtime.iter().map(|r| r.tr_id.clone()).chain(
        s.variants
            .iter()
            .flat_map(|v| v.real.iter().chain(v.paper.iter()).cloned()),
    );
    for t in all {
        if !v.contains(&t) {
            v.push(t);
        }
    }
    v
}

pub fn render_tree(specs: &[&ApiSpec], out: &mut BTreeMap<PathBuf, String>) {
    let root = PathBuf::from(WS_API_DIR);
    let cats = by_category(specs);
    let mut m = header("spec/");
    m.push_str("//! Generated realtime record types, one module per category, and the registry that\n//! decodes a record by TR ID.\n");
    m.push_str("#![allow(\n    clippy::large_enum_variant,\n    reason = \"records are decoded one at a time and handed to the caller\"\n)]\n");
    m.push_str("#![allow(\n    clippy::module_inception,\n    reason = \"module names are spec ids, which may repeat their category\"\n)]\n\n");
    if !specs.is_empty() {
        m.push_str("use crate::record::Record;\n\n");
    }
    for cat in cats.keys() {
        let _ = writeln!(m, "pub mod {cat};");
    }
    // Registry: first spec claiming a TR ID wins (deterministic: specs are sorted).
    let mut variants = Scope::default();
    let mut claimed = BTreeSet::new();
    let mut rows = Vec::new();
    for (cat, list) in &cats {
        for s in list {
            let module = sanitize(&s.id, Case::Snake, "record");
            let ty = sanitize(&s.id, Case::Pascal, "Record");
            let var = variants.sanitize(&s.id, Case::Pascal, "Record");
            let trs: Vec<String> = tr_ids(s)
                .into_iter()
                .filter(|t| claimed.insert(t.clone()))
                .collect();
            rows.push((format!("{cat}::{module}::{ty}"), var, trs, s));
        }
    }
    m.push_str("\n/// A decoded record of any realtime TR.\n#[derive(Debug)]\n#[non_exhaustive]\npub enum AnyRecord {\n");
    for (path, var, _, s) in &rows {
        let _ = writeln!(
            m,
            "    /// {} (`{}`).\n    {var}({path}),",
            esc(&s.name),
            s.realtime
                .as_ref()
                .map_or(s.id.as_str(), |r| r.tr_id.as_str())
        );
    }
    m.push_str("}\n\nimpl serde::Serialize for AnyRecord {\n    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {\n        match self {\n");
    for (_, var, _, _) in &rows {
        let _ = writeln!(m, "            AnyRecord::{var}(r) => r.serialize(s),");
    }
    m.push_str("        }\n    }\n}\n\n");
    m.push_str("/// Decodes one record of TR `tr_id` from its fields; `None` for an unknown TR.\npub fn decode(tr_id: &str, fields: &[&str]) -> Option<AnyRecord> {\n    Some(match tr_id {\n");
    for (path, var, trs, _) in &rows {
        if trs.is_empty() {
            continue;
        }
        let alts: Vec<String> = trs.iter().map(|t| lit(t)).collect();
        let _ = writeln!(
            m,
            "        {} => AnyRecord::{var}({path}::parse(fields)),",
            alts.join(" | ")
        );
    }
    m.push_str("        _ => return None,\n    })\n}\n\n");
    m.push_str("/// The column wire names of TR `tr_id`, in record order; `None` for an unknown TR.\npub fn columns(tr_id: &str) -> Option<&'static [&'static str]> {\n    Some(match tr_id {\n");
    for (path, _, trs, _) in &rows {
        if trs.is_empty() {
            continue;
        }
        let alts: Vec<String> = trs.iter().map(|t| lit(t)).collect();
        let _ = writeln!(m, "        {} => {path}::COLUMNS,", alts.join(" | "));
    }
    m.push_str("        _ => return None,\n    })\n}\n\n");
    m.push_str("/// Whether data frames of TR `tr_id` are encrypted; `None` for an unknown TR.\npub fn is_encrypted(tr_id: &str) -> Option<bool> {\n    Some(match tr_id {\n");
    for (path, _, trs, _) in &rows {
        if trs.is_empty() {
            continue;
        }
        let alts: Vec<String> = trs.iter().map(|t| lit(t)).collect();
        let _ = writeln!(m, "        {} => {path}::ENCRYPTED,", alts.join(" | "));
    }
    m.push_str("        _ => return None,\n    })\n}\n\n");
    m.push_str("/// Whether TR `tr_id` exists on the service `env` (from the spec's per-environment TR IDs);\n/// `None` for an unknown TR.\npub fn available_on(tr_id: &str, env: kis_client::endpoint::Env) -> Option<bool> {\n    let (real, paper) = match tr_id {\n");
    for (_, _, trs, s) in &rows {
        for t in trs {
            let t = t.as_str();
            let real = s.variants.iter().any(|v| v.real.as_deref() == Some(t))
                || (s.variants.is_empty() && s.realtime.as_ref().is_some_and(|r| r.tr_id == t));
            let paper = s.variants.iter().any(|v| v.paper.as_deref() == Some(t));
            let _ = writeln!(m, "        {} => ({real}, {paper}),", lit(t));
        }
    }
    m.push_str("        _ => return None,\n    };\n    Some(match env {\n        kis_client::endpoint::Env::Real => real,\n        kis_client::endpoint::Env::Paper => paper,\n    })\n}\n");
    let all: Vec<String> = rows
        .iter()
        .flat_map(|r| r.2.iter().map(|t| lit(t)))
        .collect();
    if !all.is_empty() {
        m.push_str(&REGISTRY_TESTS.replace("@ALL@", &all.join(", ")));
    }
    out.insert(root.join("mod.rs"), m);

    for (cat, list) in &cats {
        let mut c = header(&format!("spec/{cat}/"));
        let _ = writeln!(c, "//! Realtime records of category `{cat}`.\n");
        let mut reexports = String::new();
        for s in list {
            let module = sanitize(&s.id, Case::Snake, "record");
            let ty = sanitize(&s.id, Case::Pascal, "Record");
            let _ = writeln!(c, "pub mod {module};");
            let _ = writeln!(reexports, "pub use {module}::{ty};");
            out.insert(
                root.join(cat).join(format!("{module}.rs")),
                record_file(s, &ty),
            );
        }
        c.push('\n');
        c.push_str(&reexports);
        out.insert(root.join(cat).join("mod.rs"), c);
    }
}

/// Tests of the registry, generated beside it; `@ALL@` becomes the list of every TR ID.
const REGISTRY_TESTS: &str = r#"
#[cfg(test)]
mod tests {
    const ALL: &[&str] = &[@ALL@];

    #[test]
    fn every_tr_decodes_and_writes_back_its_original_strings() {
        for tr in ALL {
            let cols = super::columns(tr).expect("known TR");
            let fields: Vec<String> = (0..cols.len()).map(|i| format!("+0{i}.50x")).collect();
            let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
            let rec = super::decode(tr, &refs).expect("decodes");
            let json = serde_json::to_value(&rec).expect("serializes");
            assert_eq!(json.as_object().map(|m| m.len()), Some(cols.len()), "{tr}");
            for (c, f) in cols.iter().zip(&fields) {
                assert_eq!(json[c], serde_json::Value::String(f.clone()), "{tr} {c}");
            }
            // Short records leave the rest missing; extra trailing fields are ignored.
            let short = super::decode(tr, &refs[..refs.len() / 2]).expect("decodes");
            let json = serde_json::to_value(&short).expect("serializes");
            assert_eq!(json.as_object().map(|m| m.len()), Some(cols.len() / 2), "{tr}");
            assert!(super::is_encrypted(tr).is_some());
            assert!(
                super::available_on(tr, kis_client::endpoint::Env::Real).is_some_and(|r| r)
                    || super::available_on(tr, kis_client::endpoint::Env::Paper).is_some_and(|p| p),
                "{tr} exists somewhere"
            );
        }
        assert!(super::decode("NOPE0000", &[]).is_none());
        assert!(super::columns("NOPE0000").is_none());
    }
}"#;

fn record_file(s: &ApiSpec, ty: &str) -> String {
    let mut o = header(&format!("spec/{}/{}.yaml", s.category, s.id));
    let trs = tr_ids(s);
    let encrypted = s.realtime.as_ref().is_some_and(|r| r.encrypted);
    let _ = writeln!(
        o,
        "//! {} (`{}`): realtime TR {}.",
        esc(&s.name),
        doc::code(&s.api_id),
        trs.iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    o.push_str("\nuse crate::record::Record;\nuse kis_client::value as v;\n\n");

    let mut module = Module::new();
    module.types.reserve(ty);
    let cols = {
        let mut seen = BTreeSet::new();
        columns(s)
            .into_iter()
            .filter(|f| seen.insert(f.name.clone()))
            .collect::<Vec<_>>()
    };
    let mut fs = Scope::default();
    let list: Vec<(&Field, String, String)> = cols
        .iter()
        .map(|f| {
            (
                *f,
                fs.sanitize(&f.name, Case::Snake, "field"),
                module.scalar_type(f),
            )
        })
        .collect();

    let mut d = vec![
        format!("A record of {} (`{}`).", esc(&s.name), doc::code(&s.api_id)),
        String::new(),
    ];
    for var in &s.variants {
        let show = |t: &Option<String>| {
            t.as_ref()
                .map_or("not available".to_owned(), |t| format!("`{t}`"))
        };
        let name = if var.name == "default" {
            String::new()
        } else {
            format!(" `{}`", var.name)
        };
        d.push(format!(
            "- TR ID{name}: real {}, paper {}.",
            show(&var.real),
            show(&var.paper)
        ));
    }
    if let Some(rt) = &s.realtime {
        d.push(format!(
            "- Subscription key: {}.",
            if rt.tr_key_label.is_empty() {
                "see KIS docs".to_owned()
            } else {
                esc(&rt.tr_key_label)
            }
        ));
        d.push(format!(
            "- Encrypted: {}.",
            if encrypted { "yes (AES-256-CBC)" } else { "no" }
        ));
    }
    doc::lines(&mut o, "", &d);
    o.push_str("#[derive(Debug)]\n#[non_exhaustive]\npub struct ");
    o.push_str(ty);
    o.push_str(" {\n");
    for (f, ident, t) in &list {
        doc::lines(&mut o, "    ", &doc::field(f));
        let _ = writeln!(o, "    pub {ident}: {t},");
    }
    o.push_str("}\n\n");
    let _ = writeln!(o, "impl Record for {ty} {{");
    let t: Vec<String> = trs.iter().map(|t| lit(t)).collect();
    let _ = writeln!(
        o,
        "    const TR_IDS: &'static [&'static str] = &[{}];",
        t.join(", ")
    );
    let c: Vec<String> = list.iter().map(|(f, _, _)| lit(&f.name)).collect();
    let _ = writeln!(
        o,
        "    const COLUMNS: &'static [&'static str] = &[{}];",
        c.join(", ")
    );
    let _ = writeln!(o, "    const ENCRYPTED: bool = {encrypted};\n");
    let arg = if list.is_empty() { "_fields" } else { "fields" };
    let _ = writeln!(
        o,
        "    fn parse({arg}: &[&str]) -> Self {{\n        Self {{"
    );
    for (i, (_, ident, _)) in list.iter().enumerate() {
        let _ = writeln!(o, "            {ident}: v::field(fields, {i}),");
    }
    o.push_str("        }\n    }\n}\n\n");
    let _ = writeln!(
        o,
        "impl {ty} {{\n    /// Columns whose value did not parse: wire name and raw text.\n    pub fn invalid_fields(&self) -> Vec<(&'static str, &str)> {{"
    );
    if list.is_empty() {
        o.push_str("        Vec::new()\n    }\n}\n\n");
    } else {
        o.push_str("        let mut out = Vec::new();\n");
        for (f, ident, _) in &list {
            let _ = writeln!(
                o,
                "        if let Some(raw) = self.{ident}.invalid_raw() {{\n            out.push(({}, raw));\n        }}",
                lit(&f.name)
            );
        }
        o.push_str("        out\n    }\n}\n\n");
    }
    let _ = writeln!(
        o,
        "/// Writes the record as a JSON object of wire name to original string (missing fields left out).\nimpl serde::Serialize for {ty} {{\n    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {{\n        use serde::ser::SerializeMap;\n        let mut m = s.serialize_map(None)?;"
    );
    for (f, ident, _) in &list {
        let _ = writeln!(
            o,
            "        if !self.{ident}.is_missing() {{\n            m.serialize_entry({}, &self.{ident})?;\n        }}",
            lit(&f.name)
        );
    }
    o.push_str("        m.end()\n    }\n}\n\n");
    o.push_str(&module.enum_items);
    o
}
