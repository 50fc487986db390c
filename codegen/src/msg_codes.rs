//! `spec/msg_codes.yaml` → kis-client's message-code table (`kis-client/src/api/msg_codes/`).

use std::path::{Path, PathBuf};

use askama::Template;
use heck::ToUpperCamelCase;
use kis_spec::msg_codes::MsgCodes;

use crate::{CLIENT_API_DIR, fill, lit};

struct Row {
    code: String,
    kind: String,
    label: String,
    /// The English text, a Rust literal.
    en: String,
}

#[derive(Template)]
#[template(path = "msg_codes.rs.askama", escape = "none")]
struct Table {
    codes: Vec<Row>,
    prefixes: Vec<Row>,
}

fn row(code: &str, kind: &str, label: &str, en: &str) -> Row {
    Row {
        code: lit(code),
        kind: kind.to_upper_camel_case(),
        label: label.replace(['\n', '\r'], " "),
        en: lit(en),
    }
}

/// Renders the table file, keyed by its path relative to the workspace root.
pub fn render_msg_codes(m: &MsgCodes) -> (PathBuf, String) {
    let mut codes: Vec<_> = m.codes.iter().collect();
    codes.sort_by(|a, b| a.code.cmp(&b.code));
    let t = Table {
        codes: codes
            .into_iter()
            .map(|c| row(&c.code, &c.kind, &c.label, &c.en))
            .collect(),
        prefixes: m
            .prefixes
            .iter()
            .map(|p| row(&p.prefix, &p.kind, &p.label, &p.en))
            .collect(),
    };
    (Path::new(CLIENT_API_DIR).join("msg_codes/mod.rs"), fill(&t))
}
