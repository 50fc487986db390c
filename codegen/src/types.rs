//! Per-module type generation shared by REST and realtime files: value types for scalar fields
//! and code-list enums.

use crate::doc;
use crate::lit;
use crate::names::{Case, Scope};
use kis_spec::{Field, Kind};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

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

/// The type namespace of one generated module, and the enums defined in it so far.
pub struct Module {
    /// Type names in use.
    pub types: Scope,
    enums: BTreeMap<(String, Vec<(String, String)>), String>,
    /// Enum definitions, appended to the file at the end.
    pub enum_items: String,
}

impl Module {
    pub fn new() -> Self {
        Module {
            types: Scope::with(RESERVED_TYPES),
            enums: BTreeMap::new(),
            enum_items: String::new(),
        }
    }

    /// The Rust type of a scalar field (`v::Val<...>`).
    pub fn scalar_type(&mut self, f: &Field) -> String {
        let inner = match f.kind {
            Kind::Integer => "i64".to_owned(),
            Kind::Decimal => "v::Decimal".to_owned(),
            Kind::Date => "v::NaiveDate".to_owned(),
            Kind::Time => "v::NaiveTime".to_owned(),
            Kind::Flag => "bool".to_owned(),
            Kind::Code if f.codes.iter().any(|c| !c.code.is_empty()) => self.code_enum(f),
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
        for (i, c) in f.codes.iter().enumerate() {
            if c.code.is_empty() || !seen.insert(c.code.clone()) {
                continue;
            }
            let ident = variants.sanitize(&c.code, Case::Pascal, &format!("V{i}"));
            list.push((ident, c));
        }

        let o = &mut self.enum_items;
        let label = if f.label.is_empty() {
            f.name.clone()
        } else {
            doc::esc(&f.label)
        };
        doc::lines(o, "", &[format!("Codes of {label} (`{}`).", f.name)]);
        o.push_str("#[derive(Debug, Clone, PartialEq, Eq)]\npub enum ");
        o.push_str(&name);
        o.push_str(" {\n");
        for (ident, c) in &list {
            doc::lines(
                o,
                "    ",
                &[format!(
                    "`{}`: {}",
                    c.code.replace('`', "'"),
                    doc::esc(&c.label)
                )],
            );
            let _ = writeln!(o, "    {ident},");
        }
        o.push_str(
            "    /// A code the spec does not list, kept verbatim.\n    Other(Box<str>),\n}\n\n",
        );
        let _ = writeln!(o, "impl v::Wire for {name} {{");
        o.push_str("    fn parse_wire(s: &str) -> Option<Self> {\n        Some(match s {\n");
        for (ident, c) in &list {
            let _ = writeln!(o, "            {} => Self::{ident},", lit(&c.code));
        }
        o.push_str("            _ => Self::Other(s.into()),\n        })\n    }\n\n");
        o.push_str("    fn is_canonical(&self, _: &str) -> bool {\n        true\n    }\n\n");
        o.push_str("    fn to_wire(&self) -> std::borrow::Cow<'_, str> {\n");
        o.push_str("        std::borrow::Cow::Borrowed(match self {\n");
        for (ident, c) in &list {
            let _ = writeln!(o, "            Self::{ident} => {},", lit(&c.code));
        }
        o.push_str("            Self::Other(s) => s,\n        })\n    }\n}\n\n");
        name
    }
}
