//! Doc comments from spec text: escaping and the shared field/code-list wording.

use kis_spec::Field;
use std::fmt::Write;

/// Escapes text for Markdown in a doc comment (workbook labels contain `[`, `*`, `<`, ...).
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\r' | '\n' | '\t' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '&' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Writes `lines` as `///` doc comments with `indent`.
pub fn lines(out: &mut String, indent: &str, lines: &[String]) {
    for l in lines {
        if l.is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {l}");
        }
    }
}

/// `lines` as `///` doc comments with `indent`, one per line, ready to paste into a template.
pub fn block(indent: &str, lines: &[String]) -> String {
    let mut out = String::new();
    self::lines(&mut out, indent, lines);
    out
}

/// The doc lines of one field: label, wire name, required, length, code list.
pub fn field(f: &Field) -> Vec<String> {
    let label = if f.label.is_empty() {
        f.name.clone()
    } else {
        esc(&f.label)
    };
    let mut first = format!("{label} (`{}`", f.name);
    if f.required {
        first.push_str(", required");
    }
    if let Some(len) = &f.length {
        let _ = write!(first, ", length {}", esc(len));
    }
    first.push_str(").");
    let mut v = vec![first];
    v.extend(codes(f));
    v
}

/// The doc lines of a field's code list (empty when it has none).
pub fn codes(f: &Field) -> Vec<String> {
    if f.codes.is_empty() {
        return Vec::new();
    }
    let mut v = vec![String::new(), "Codes:".to_owned()];
    for c in &f.codes {
        v.push(format!(
            "- `{}`: {}",
            c.code.replace('`', "'"),
            esc(&c.label)
        ));
    }
    v
}

/// Text for inside a Markdown code span (no escaping applies there; backticks would end it).
pub fn code(s: &str) -> String {
    s.replace('`', "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
