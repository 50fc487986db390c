//! The shared code-list enums of kis-client (`kis_client::codes`): one enum per distinct code
//! list, named from `spec/patches/names/codes.yaml` where curated and after the first field using
//! it elsewhere, with variants named in English from the labels
//! (`spec/patches/names/code_variants.yaml`, see `crate::words`). Request and response fields of
//! every REST endpoint use them.

use crate::doc::{self, esc};
use crate::names::{Case, Scope, sanitize};
use crate::words::Translator;
use crate::{fill, lit};
use askama::Template;
use kis_spec::{ApiSpec, CodeNames, Field, Kind};
use std::collections::{BTreeMap, BTreeSet};

/// Path of the generated module, relative to the workspace.
pub const CODES_FILE: &str = "kis-client/src/api/codes.rs";

/// A code list as the spec gives it: `(code, label)` pairs in order.
type List = Vec<(String, String)>;

/// One enum of the code book.
struct EnumDef {
    name: String,
    doc: String,
    curated: bool,
    /// `(variant, code, label, retired note)`.
    variants: Vec<(String, String, String, Option<String>)>,
    /// Wire names of the fields using it.
    fields: BTreeSet<String>,
}

/// Every code-list enum of the REST spec, and which field uses which.
pub struct CodeBook {
    by_field: BTreeMap<(String, List), usize>,
    enums: Vec<EnumDef>,
}

fn list(f: &Field) -> List {
    let mut seen = BTreeSet::new();
    f.codes
        .iter()
        .filter(|c| !c.code.is_empty() && seen.insert(c.code.clone()))
        .map(|c| (c.code.clone(), c.label.clone()))
        .collect()
}

/// Whether a field's value comes from its code list (and so gets an enum).
pub fn is_code_field(f: &Field) -> bool {
    f.kind == Kind::Code && f.codes.iter().any(|c| !c.code.is_empty())
}

fn walk<'a>(fields: &'a [Field], out: &mut Vec<&'a Field>) {
    for f in fields {
        if f.is_block() {
            walk(&f.fields, out);
        } else if is_code_field(f) {
            out.push(f);
        }
    }
}

/// The code fields of a REST spec: request query/body, response body (headers are runtime).
pub fn code_fields(s: &ApiSpec) -> Vec<&Field> {
    let mut out = request_code_fields(s);
    out.extend(response_code_fields(s));
    out
}

fn request_code_fields(s: &ApiSpec) -> Vec<&Field> {
    let mut out = Vec::new();
    walk(&s.request.query, &mut out);
    walk(&s.request.body, &mut out);
    out
}

fn response_code_fields(s: &ApiSpec) -> Vec<&Field> {
    let mut out = Vec::new();
    walk(&s.response.body, &mut out);
    out
}

impl CodeBook {
    /// Builds the book over `specs` (REST only), curated names first.
    pub fn build(specs: &[&ApiSpec], names: &CodeNames, tr: &Translator) -> CodeBook {
        let mut types =
            Scope::with(&["Other", "CodeList", "Default", "Option", "Result", "String"]);
        let mut enums: Vec<EnumDef> = names
            .0
            .iter()
            .map(|c| {
                let name = types.sanitize(&c.name, Case::Pascal, "Code");
                EnumDef {
                    name,
                    doc: c.doc.clone(),
                    curated: true,
                    variants: c
                        .codes
                        .iter()
                        .filter(|e| e.len() >= 2)
                        .map(|e| (e[0].clone(), e[1].clone(), String::new(), None))
                        .collect(),
                    fields: BTreeSet::new(),
                }
            })
            .collect();
        let mut by_field = BTreeMap::new();
        let mut derived: BTreeMap<List, usize> = BTreeMap::new();
        // Request lists name their enums first: the types users pass keep their names when
        // response lists change.
        let request_first = specs
            .iter()
            .flat_map(|s| request_code_fields(s).into_iter().map(move |f| (*s, f)))
            .chain(
                specs
                    .iter()
                    .flat_map(|s| response_code_fields(s).into_iter().map(move |f| (*s, f))),
            );
        {
            for (s, f) in request_first {
                let l = list(f);
                let key = (f.name.clone(), l.clone());
                let idx = match by_field.get(&key) {
                    Some(&i) => i,
                    None => {
                        let curated = names.0.iter().position(|c| {
                            c.fields.iter().any(|n| n == &f.name)
                                && l.iter().all(|(code, label)| {
                                    c.codes.iter().any(|e| {
                                        e.get(1) == Some(code)
                                            && e.get(2).is_none_or(|k| label.contains(k.as_str()))
                                    })
                                })
                        });
                        let i = match curated {
                            Some(i) => i,
                            None => *derived.entry(l.clone()).or_insert_with(|| {
                                enums.push(derived_enum(&mut types, s, f, &l, tr));
                                enums.len() - 1
                            }),
                        };
                        by_field.insert(key, i);
                        i
                    }
                };
                let e = &mut enums[idx];
                e.fields.insert(f.name.clone());
                if e.curated {
                    for c in &f.codes {
                        if let Some(v) = e.variants.iter_mut().find(|v| v.1 == c.code) {
                            if v.2.is_empty() {
                                v.2 = c.label.clone();
                            }
                            if v.3.is_none() {
                                v.3 = c.retired.as_ref().map(retired_note);
                            }
                        }
                    }
                } else {
                    for c in &f.codes {
                        if let Some(v) = e.variants.iter_mut().find(|v| v.1 == c.code) {
                            if v.3.is_none() {
                                v.3 = c.retired.as_ref().map(retired_note);
                            }
                        }
                    }
                }
            }
        }
        CodeBook { by_field, enums }
    }

    /// The enum of a code field (`None` for fields without a code list).
    pub fn enum_for(&self, f: &Field) -> Option<&str> {
        if !is_code_field(f) {
            return None;
        }
        self.by_field
            .get(&(f.name.clone(), list(f)))
            .map(|&i| self.enums[i].name.as_str())
    }

    /// Renders `kis-client/src/api/codes.rs` (the enums some field uses).
    pub fn render(&self) -> String {
        let enums = self
            .enums
            .iter()
            .filter(|e| !e.fields.is_empty())
            .map(|e| {
                let mut d = Vec::new();
                if e.doc.is_empty() {
                    d.push("A KIS code list.".to_owned());
                } else {
                    d.push(esc(&e.doc));
                }
                d.push(String::new());
                d.push(format!(
                    "Used by: {}.",
                    e.fields
                        .iter()
                        .map(|f| format!("`{f}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                CodeEnumView {
                    doc: doc::block("", &d),
                    name: e.name.clone(),
                    name_lit: lit(&e.name),
                    variants: e
                        .variants
                        .iter()
                        .map(|(v, code, label, retired)| {
                            let mut vd = if label.is_empty() {
                                format!("`{}`", doc::code(code))
                            } else {
                                format!("`{}`: {}", doc::code(code), esc(label))
                            };
                            if let Some(r) = retired {
                                vd.push_str(&format!(" **Refused by KIS** {}", esc(r)));
                            }
                            VariantView {
                                doc: vd,
                                ident: v.clone(),
                                ident_lit: lit(v),
                                code: lit(code),
                                label: lit(label),
                                retired: retired.is_some(),
                            }
                        })
                        .collect(),
                }
            })
            .collect();
        fill(&CodesFile { enums })
    }
}

fn retired_note(r: &kis_spec::Retired) -> String {
    let refusal = if r.refusal.is_empty() {
        String::new()
    } else {
        format!(" ({})", r.refusal)
    };
    format!("since {}{refusal}; source: {}.", r.since, r.source)
}

fn derived_enum(types: &mut Scope, s: &ApiSpec, f: &Field, l: &List, tr: &Translator) -> EnumDef {
    // The field's name; when another list took it, the field's name qualified by the first
    // endpoint using this list (`FidRankSortClsCodeVolumeRank`), never a bare number.
    let plain = sanitize(&f.name, Case::Pascal, "Code");
    let name = if vs_contains(types, &plain) {
        types.sanitize(
            &format!("{plain}{}", sanitize(&s.id, Case::Pascal, "")),
            Case::Pascal,
            "Code",
        )
    } else {
        types.sanitize(&plain, Case::Pascal, "Code")
    };
    let mut vs = Scope::with(&["Other"]);
    let variants = l
        .iter()
        .map(|(code, label)| {
            let context = format!("`{}` code `{code}` of {}/{}", f.name, s.category, s.id);
            let ident = variant_ident(&mut vs, &tr.name(label, &context), code);
            (ident, code.clone(), label.clone(), None)
        })
        .collect();
    EnumDef {
        name,
        doc: if f.label.is_empty() {
            String::new()
        } else {
            format!("{} (`{}`).", f.label, f.name)
        },
        curated: false,
        variants,
        fields: BTreeSet::new(),
    }
}

/// The variant identifier of a code named `base` (English, from its label; empty when the label
/// has none): `base`, else the code (`Code00`, `Y`); when another code of the list took it, the
/// code appended (`NewestCode02`, `NasdaqNas`).
pub fn variant_ident(vs: &mut Scope, base: &str, code: &str) -> String {
    let code_name = || {
        let c = sanitize(code, Case::Pascal, "Code");
        if c.starts_with('V') && code.starts_with(|c: char| c.is_ascii_digit()) {
            format!("Code{code}")
        } else {
            c
        }
    };
    let base = if base.is_empty() {
        code_name()
    } else {
        sanitize(base, Case::Pascal, "Code")
    };
    if vs_contains(vs, &base) {
        let with_code = if code.starts_with(|c: char| c.is_ascii_digit()) {
            format!("{base}Code{code}")
        } else {
            format!("{base}{}", sanitize(code, Case::Pascal, ""))
        };
        vs.sanitize(&with_code, Case::Pascal, "Code")
    } else {
        vs.sanitize(&base, Case::Pascal, "Code")
    }
}

fn vs_contains(s: &Scope, name: &str) -> bool {
    let mut probe = s.clone();
    probe.sanitize(name, Case::Pascal, "Code") != name
}

#[derive(Template)]
#[template(path = "codes.rs.askama", escape = "none")]
struct CodesFile {
    enums: Vec<CodeEnumView>,
}

struct CodeEnumView {
    doc: String,
    name: String,
    name_lit: String,
    variants: Vec<VariantView>,
}

struct VariantView {
    doc: String,
    ident: String,
    ident_lit: String,
    code: String,
    label: String,
    retired: bool,
}
