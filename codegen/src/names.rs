//! Identifier naming: heck case conversion plus one `sanitize()` for keywords, leading digits,
//! non-ASCII text and collisions.

use heck::{ToPascalCase, ToSnakeCase};
use std::collections::BTreeSet;

/// Rust keywords (strict, reserved and weak ones that cannot be plain identifiers).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield", "union",
];

/// Identifier case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// `snake_case` (fields, functions, modules).
    Snake,
    /// `PascalCase` (types, variants).
    Pascal,
}

/// A scope of identifiers; each `sanitize` call returns a fresh, valid, unique identifier.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    used: BTreeSet<String>,
}

impl Scope {
    /// A scope with `reserved` names already taken.
    pub fn with(reserved: &[&str]) -> Self {
        Scope {
            used: reserved.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// Marks `name` as taken.
    pub fn reserve(&mut self, name: &str) {
        self.used.insert(name.to_owned());
    }

    /// Converts `raw` to a valid identifier in `case`, unique in this scope. `fallback` is used
    /// when `raw` has no ASCII letters or digits (e.g. a Korean label).
    pub fn sanitize(&mut self, raw: &str, case: Case, fallback: &str) -> String {
        let base = sanitize(raw, case, fallback);
        let mut name = base.clone();
        let mut n = 2;
        while self.used.contains(&name) {
            name = match case {
                Case::Snake => format!("{}_{n}", base.trim_end_matches('_')),
                Case::Pascal => format!("{base}{n}"),
            };
            n += 1;
        }
        self.used.insert(name.clone());
        name
    }
}

/// Converts `raw` to a valid identifier in `case`: non-ASCII text is dropped, a leading digit
/// gets a prefix (`n` / `V`), keywords get a trailing `_`.
pub fn sanitize(raw: &str, case: Case, fallback: &str) -> String {
    let ascii: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let mut name = match case {
        Case::Snake => ascii.to_snake_case(),
        Case::Pascal => ascii.to_pascal_case(),
    };
    if name.is_empty() {
        name = fallback.to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, if case == Case::Snake { 'n' } else { 'V' });
    }
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_digits_and_text() {
        assert_eq!(sanitize("CANO", Case::Snake, "f"), "cano");
        assert_eq!(
            sanitize("FID_COND_MRKT_DIV_CODE", Case::Snake, "f"),
            "fid_cond_mrkt_div_code"
        );
        assert_eq!(sanitize("type", Case::Snake, "f"), "type_");
        assert_eq!(sanitize("self", Case::Pascal, "f"), "Self_");
        assert_eq!(sanitize("00", Case::Pascal, "V"), "V00");
        assert_eq!(sanitize("1st_day", Case::Snake, "f"), "n1st_day");
        assert_eq!(sanitize("지정가", Case::Pascal, "Code"), "Code");
        assert_eq!(sanitize("NX", Case::Pascal, "V"), "Nx");
        assert_eq!(sanitize("a-b.c", Case::Snake, "f"), "a_b_c");
    }

    #[test]
    fn collisions_are_numbered() {
        let mut s = Scope::with(&["extra"]);
        assert_eq!(s.sanitize("extra", Case::Snake, "f"), "extra_2");
        assert_eq!(s.sanitize("A", Case::Pascal, "V"), "A");
        assert_eq!(s.sanitize("a", Case::Pascal, "V"), "A2");
        assert_eq!(s.sanitize("a", Case::Pascal, "V"), "A3");
    }
}
