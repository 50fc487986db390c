//! Per-module type generation shared by REST and realtime files: value types for scalar fields
//! and code-list enums.

use crate::doc;
use crate::names::{Case, Scope};
use crate::{fill, lit};
use askama::Template;
use kis_spec::{Field, Kind};
use std::collections::{BTreeMap, BTreeSet};

/// Type names a generated module must never define (they would shadow what generated code uses).
const RESERVED_TYPES: &[&str] = &[
    "Option",
    "Result",
    "String",
    "Box",
    "Vec",
    "Some",
    "None",
    "Ok",
    "Err",
    "Self",
    "Default",
    "Debug",
    "Clone",
    "Serialize",
    "Deserialize",
    "Endpoint",
    "EndpointInfo",
    "HttpMethod",
    "TrIds",
    "Record",
];

/// A code-list enum and its `v::Wire` impl.
#[derive(Template)]
#[template(path = "code_enum.rs.askama", escape = "none")]
struct CodeEnum<'a> {
    /// Doc-escaped field label (or its wire name when it has none).
    label: String,
    wire: &'a str,
    name: &'a str,
    variants: Vec<CodeVariant>,
}

struct CodeVariant {
    ident: String,
    /// The code for inside a doc code span.
    code_doc: String,
    /// Doc-escaped code label.
    label: String,
    /// The code as a Rust literal.
    code_lit: String,
}

/// The type namespace of one generated module, and the enums defined in it so far.
pub struct Module<'b> {
    /// The shared code book (REST files): code fields use its enums instead of local ones.
    book: Option<&'b crate::codes::CodeBook>,
    /// English names of the code labels (local enums of realtime records).
    tr: &'b crate::words::Translator<'b>,
    /// Where the module's spec is (`category/id`), for untranslated labels.
    pub origin: String,
    /// Type names in use.
    pub types: Scope,
    enums: BTreeMap<(String, Vec<(String, String)>), String>,
    /// Enum definitions, appended to the file at the end.
    pub enum_items: String,
    /// The response's blocks: wire name, field ident and field type (`v::Block<Output1>`).
    pub top_blocks: Vec<(String, String, String)>,
}

impl<'b> Module<'b> {
    pub fn new(tr: &'b crate::words::Translator<'b>) -> Self {
        Module {
            book: None,
            tr,
            origin: String::new(),
            types: Scope::with(RESERVED_TYPES),
            enums: BTreeMap::new(),
            top_blocks: Vec::new(),
            enum_items: String::new(),
        }
    }

    /// A module whose code fields use the shared enums of `book` (`crate::api::codes`).
    pub fn with_book(
        book: &'b crate::codes::CodeBook,
        tr: &'b crate::words::Translator<'b>,
    ) -> Self {
        Module {
            book: Some(book),
            ..Module::new(tr)
        }
    }

    /// The Rust type of a scalar field (`v::Val<...>`).
    pub fn scalar_type(&mut self, f: &Field) -> String {
        let inner = match f.kind {
            Kind::Integer => "i64".to_owned(),
            Kind::Decimal => "v::Decimal".to_owned(),
            Kind::Date => "v::NaiveDate".to_owned(),
            // Response and realtime times run past 24:00 in night sessions (`260000`).
            Kind::Time => "v::KisTime".to_owned(),
            Kind::Flag => "bool".to_owned(),
            Kind::Code if f.codes.iter().any(|c| !c.code.is_empty()) => {
                match self.book.and_then(|b| b.enum_for(f)) {
                    Some(name) => format!("crate::api::codes::{name}"),
                    None => self.code_enum(f),
                }
            }
            _ => "String".to_owned(),
        };
        format!("v::Val<{inner}>")
    }

    /// The enum for a code-listed field; fields with the same name and code list share one.
    fn code_enum(&mut self, f: &Field) -> String {
        let key = (
            f.name.to_ascii_lowercase(),
            f.codes
                .iter()
                .map(|c| (c.code.clone(), c.label.clone()))
                .collect::<Vec<_>>(),
        );
        if let Some(name) = self.enums.get(&key) {
            return name.clone();
        }
        let name = self.types.sanitize(&f.name, Case::Pascal, "Code");
        self.enums.insert(key, name.clone());

        let mut variants = Scope::with(&["Other"]);
        let mut seen = BTreeSet::new();
        let mut list = Vec::new();
        for c in &f.codes {
            if c.code.is_empty() || !seen.insert(c.code.clone()) {
                continue;
            }
            let context = format!("`{}` code `{}` of {}", f.name, c.code, self.origin);
            let named = self.tr.name(&c.label, &context);
            let ident = crate::codes::variant_ident(&mut variants, &named, &c.code);
            list.push((ident, c));
        }

        let label = if f.label.is_empty() {
            f.name.clone()
        } else {
            doc::esc(&f.label)
        };
        let item = CodeEnum {
            label,
            wire: &f.name,
            name: &name,
            variants: list
                .into_iter()
                .map(|(ident, c)| CodeVariant {
                    ident,
                    code_doc: c.code.replace('`', "'"),
                    label: doc::esc(&c.label),
                    code_lit: lit(&c.code),
                })
                .collect(),
        };
        self.enum_items.push_str(&fill(&item));
        name
    }
}
