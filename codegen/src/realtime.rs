//! Realtime TRs: one record struct per spec implementing `kis_ws::record::Record`, plus the
//! registry in `kis-ws/src/api/mod.rs` (`AnyRecord`, `decode`, `columns`, `is_encrypted`).

use crate::doc::{self, esc};
use crate::names::{Case, Scope, sanitize};
use crate::types::Module;
use crate::{WS_API_DIR, by_category, fill, lit};
use askama::Template;
use kis_spec::{ApiSpec, Field, Kind};
use std::collections::{BTreeMap, BTreeSet};
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

/// `kis-ws/src/api/mod.rs`: the category modules and the registry keyed by TR ID.
#[derive(Template)]
#[template(path = "ws_registry.rs.askama", escape = "none")]
struct Registry<'a> {
    categories: Vec<&'a str>,
    rows: Vec<RegistryRow>,
    /// The rows that claim at least one TR ID (the first spec claiming a TR ID wins).
    claimed: Vec<RegistryRow>,
    availability: Vec<Availability>,
    /// Every claimed TR ID as a Rust literal, comma-separated (empty: no registry tests).
    all_trs: String,
}

/// One realtime spec in the registry.
#[derive(Clone)]
struct RegistryRow {
    /// Doc-escaped spec name.
    name: String,
    /// The TR ID shown in the `AnyRecord` variant's doc.
    tr_id: String,
    variant: String,
    /// `category::module::Type` of the record.
    path: String,
    /// The TR IDs this row claims, as a `|` pattern of literals.
    tr_lits: String,
}

/// Whether one TR ID exists on the real and paper services.
struct Availability {
    tr_lit: String,
    real: bool,
    paper: bool,
}

/// `kis-ws/src/api/<category>/mod.rs`: the record modules and their re-exports.
#[derive(Template)]
#[template(path = "ws_category.rs.askama", escape = "none")]
struct CategoryFile<'a> {
    category: &'a str,
    records: Vec<RecordName>,
}

struct RecordName {
    module: String,
    ty: String,
}

/// `kis-ws/src/api/<category>/<id>.rs`: one record struct and its `Record` impl.
#[derive(Template)]
#[template(path = "ws_record.rs.askama", escape = "none")]
struct RecordFile<'a> {
    category: &'a str,
    id: &'a str,
    /// Doc-escaped spec name.
    name: String,
    api_id: String,
    /// The TR IDs in code spans, comma-separated.
    tr_list: String,
    /// The struct's doc comment, `///` lines.
    doc: String,
    ty: &'a str,
    fields: Vec<RecordField>,
    /// Whether some field is masked (then `Debug` is written out, not derived).
    masked: bool,
    tr_lits: String,
    col_lits: String,
    encrypted: bool,
    /// The code-list enums the fields use.
    enums: String,
}

struct RecordField {
    /// The field's doc comment, indented `///` lines.
    doc: String,
    ident: String,
    ty: String,
    /// The `kis_ws::frame::Fields` method that reads it (`int` and `decimal` read plain
    /// numbers straight from the text; `val` is the type's own parser).
    read: &'static str,
    /// Wire name as a Rust literal.
    wire: String,
    /// How `Debug` masks it (see `rest::redact`).
    redact: &'static str,
}

pub fn render_tree(
    specs: &[&ApiSpec],
    tr: &crate::words::Translator<'_>,
    out: &mut BTreeMap<PathBuf, String>,
) {
    let root = PathBuf::from(WS_API_DIR);
    let cats = by_category(specs);
    // Registry: first spec claiming a TR ID wins (deterministic: specs are sorted).
    let mut variants = Scope::default();
    let mut claimed = BTreeSet::new();
    let mut rows = Vec::new();
    let mut availability = Vec::new();
    let mut all = Vec::new();
    for (cat, list) in &cats {
        for s in list {
            let module = sanitize(&s.id, Case::Snake, "record");
            let ty = sanitize(&s.id, Case::Pascal, "Record");
            let trs: Vec<String> = tr_ids(s)
                .into_iter()
                .filter(|t| claimed.insert(t.clone()))
                .collect();
            for t in &trs {
                let t = t.as_str();
                let real = s.variants.iter().any(|v| v.real.as_deref() == Some(t))
                    || (s.variants.is_empty() && s.realtime.as_ref().is_some_and(|r| r.tr_id == t));
                let paper = s.variants.iter().any(|v| v.paper.as_deref() == Some(t));
                availability.push(Availability {
                    tr_lit: lit(t),
                    real,
                    paper,
                });
                all.push(lit(t));
            }
            rows.push(RegistryRow {
                name: esc(&s.name),
                tr_id: s
                    .realtime
                    .as_ref()
                    .map_or(s.id.clone(), |r| r.tr_id.clone()),
                variant: variants.sanitize(&s.id, Case::Pascal, "Record"),
                path: format!("{cat}::{module}::{ty}"),
                tr_lits: trs.iter().map(|t| lit(t)).collect::<Vec<_>>().join(" | "),
            });
        }
    }
    let registry = Registry {
        categories: cats.keys().copied().collect(),
        claimed: rows
            .iter()
            .filter(|r| !r.tr_lits.is_empty())
            .cloned()
            .collect(),
        rows,
        availability,
        all_trs: all.join(", "),
    };
    out.insert(root.join("mod.rs"), fill(&registry));

    for (cat, list) in &cats {
        let mut records = Vec::new();
        for s in list {
            let module = sanitize(&s.id, Case::Snake, "record");
            let ty = sanitize(&s.id, Case::Pascal, "Record");
            out.insert(
                root.join(cat).join(format!("{module}.rs")),
                record_file(s, &ty, tr),
            );
            records.push(RecordName { module, ty });
        }
        let file = CategoryFile {
            category: cat,
            records,
        };
        out.insert(root.join(cat).join("mod.rs"), fill(&file));
    }
}

/// Realtime records keep text in `kis_ws::Text` (inline, no allocation per field) instead of
/// `String`: decoding a record is the hot path of a session.
fn realtime_type(ty: String) -> String {
    if ty == "v::Val<String>" {
        "v::Val<crate::Text>".to_owned()
    } else {
        ty
    }
}

/// The `frame::Columns` read of a field: by its kind, the same kind `Module::scalar_type`
/// typed it by (times are `KisTime`).
fn field_read(f: &Field) -> &'static str {
    match f.kind {
        Kind::Integer => "int",
        Kind::Decimal => "decimal",
        Kind::Time => "kis_time",
        Kind::Date => "date",
        _ => "val",
    }
}

fn record_file(s: &ApiSpec, ty: &str, tr: &crate::words::Translator<'_>) -> String {
    let trs = tr_ids(s);
    let encrypted = s.realtime.as_ref().is_some_and(|r| r.encrypted);

    let mut module = Module::new(tr);
    module.origin = format!("{}/{}", s.category, s.id);
    module.types.reserve(ty);
    let cols = {
        let mut seen = BTreeSet::new();
        columns(s)
            .into_iter()
            .filter(|f| seen.insert(f.name.clone()))
            .collect::<Vec<_>>()
    };
    let mut fs = Scope::default();
    let fields: Vec<RecordField> = cols
        .iter()
        .map(|f| {
            let ty = realtime_type(module.scalar_type(f));
            RecordField {
                doc: doc::block("    ", &{
                    let mut d = doc::field(f);
                    d.splice(1..1, doc::description(f));
                    d
                }),
                ident: fs.sanitize(&f.name, Case::Snake, "field"),
                read: field_read(f),
                ty,
                wire: lit(&f.name),
                redact: crate::rest::redact(f),
            }
        })
        .collect();
    let masked = fields.iter().any(|f| !f.redact.is_empty());

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
    d.extend(doc::overview(&s.overview));
    let file = RecordFile {
        category: &s.category,
        id: &s.id,
        name: esc(&s.name),
        api_id: doc::code(&s.api_id),
        tr_list: trs
            .iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(", "),
        doc: doc::block("", &d),
        ty,
        masked,
        tr_lits: trs.iter().map(|t| lit(t)).collect::<Vec<_>>().join(", "),
        col_lits: cols
            .iter()
            .map(|f| lit(&f.name))
            .collect::<Vec<_>>()
            .join(", "),
        fields,
        encrypted,
        enums: module.enum_items,
    };
    fill(&file)
}
