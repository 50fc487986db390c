//! English variant names for code labels: the curated table
//! `spec/patches/names/code_variants.yaml` (Korean label → English name), or the label's own
//! words when it is written in ASCII (`KRX` → `Krx`, `Unique key` → `UniqueKey`). A label in
//! Korean the table lacks gets no name: the render fails listing it (nothing is romanized).

use heck::ToPascalCase;
use kis_spec::VariantNames;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt;

/// Why the code labels of a spec cannot all be named.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NamingError {
    /// Labels in Korean (or another non-ASCII script) without an entry, with where they occur.
    pub untranslated: Vec<String>,
    /// Table entries no label of the spec uses.
    pub stale: Vec<String>,
    /// Table entries whose name is not a PascalCase identifier.
    pub invalid: Vec<String>,
}

impl fmt::Display for NamingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = kis_spec::VARIANT_NAMES_FILE;
        if !self.untranslated.is_empty() {
            writeln!(
                f,
                "{} code label(s) have no English name; add them to spec/{file}:",
                self.untranslated.len()
            )?;
            for l in &self.untranslated {
                writeln!(f, "  {l}")?;
            }
        }
        if !self.stale.is_empty() {
            writeln!(
                f,
                "{} entr(y/ies) of spec/{file} name no label of the spec (stale; remove them):",
                self.stale.len()
            )?;
            for l in &self.stale {
                writeln!(f, "  {l}")?;
            }
        }
        if !self.invalid.is_empty() {
            writeln!(
                f,
                "{} entr(y/ies) of spec/{file} are not PascalCase ASCII identifiers:",
                self.invalid.len()
            )?;
            for l in &self.invalid {
                writeln!(f, "  {l}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for NamingError {}

/// Names code labels from the table, remembering what it could not name and what it used.
pub struct Translator<'a> {
    table: &'a VariantNames,
    untranslated: RefCell<BTreeSet<String>>,
    used: RefCell<BTreeSet<String>>,
}

/// Whether a label needs the table: it holds letters outside ASCII (Hangul, Hanja, ...).
pub fn needs_translation(label: &str) -> bool {
    label.chars().any(|c| !c.is_ascii() && c.is_alphabetic())
}

/// Whether `name` is a PascalCase ASCII identifier (`PaidCapitalReductionDeposit`, `At0930`).
pub fn is_pascal_ident(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

impl<'a> Translator<'a> {
    /// A translator over `table`.
    pub fn new(table: &'a VariantNames) -> Self {
        Translator {
            table,
            untranslated: RefCell::new(BTreeSet::new()),
            used: RefCell::new(BTreeSet::new()),
        }
    }

    /// The English PascalCase name of a code label, or `""` when it has none (an empty label;
    /// a Korean label the table lacks, which is remembered as untranslated with `context`).
    pub fn name(&self, label: &str, context: &str) -> String {
        let key = label.trim();
        if let Some(name) = self.table.0.get(key) {
            self.used.borrow_mut().insert(key.to_owned());
            return name.clone();
        }
        if needs_translation(key) {
            self.untranslated
                .borrow_mut()
                .insert(format!("{key:?} ({context})"));
            return String::new();
        }
        ascii_name(key)
    }

    /// Ends the render: an error listing untranslated labels, stale entries and invalid names.
    pub fn finish(self) -> Result<(), NamingError> {
        let used = self.used.into_inner();
        let err = NamingError {
            untranslated: self.untranslated.into_inner().into_iter().collect(),
            stale: self
                .table
                .0
                .keys()
                .filter(|k| !used.contains(k.as_str()))
                .map(|k| format!("{k:?}"))
                .collect(),
            invalid: self
                .table
                .0
                .iter()
                .filter(|(_, v)| !is_pascal_ident(v))
                .map(|(k, v)| format!("{k:?}: {v:?}"))
                .collect(),
        };
        if err == NamingError::default() {
            Ok(())
        } else {
            Err(err)
        }
    }
}

/// A PascalCase name from an ASCII label's words, bracketed remarks dropped
/// (`Stop(Stop가격시 시장가)` never gets here; `SOR-KRX` → `SorKrx`, `DR FEE` → `DrFee`).
fn ascii_name(label: &str) -> String {
    let mut text = String::new();
    let mut depth = 0u32;
    for c in label.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => text.push(c),
            _ => {}
        }
    }
    if text.trim().is_empty() {
        text = label.to_owned();
    }
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_ascii_lowercase().to_pascal_case())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> VariantNames {
        VariantNames(
            [
                ("지정가", "Limit"),
                ("유상감자대금입금", "PaidCapitalReductionDeposit"),
                ("뉴욕(주간)", "NewYorkDay"),
                ("안씀", "Unused"),
                ("틀림", "not_pascal"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        )
    }

    #[test]
    fn labels_are_named_from_the_table_or_their_ascii_words() {
        let t = table();
        let tr = Translator::new(&t);
        assert_eq!(tr.name("지정가", "x"), "Limit");
        assert_eq!(tr.name(" 지정가 ", "x"), "Limit");
        assert_eq!(
            tr.name("유상감자대금입금", "x"),
            "PaidCapitalReductionDeposit"
        );
        assert_eq!(tr.name("뉴욕(주간)", "x"), "NewYorkDay");
        assert_eq!(tr.name("KRX", "x"), "Krx");
        assert_eq!(tr.name("SOR-KRX", "x"), "SorKrx");
        assert_eq!(tr.name("Unique key", "x"), "UniqueKey");
        assert_eq!(tr.name("DR FEE", "x"), "DrFee");
        assert_eq!(tr.name("", "x"), "");
    }

    #[test]
    fn a_korean_label_without_an_entry_is_refused_never_romanized() {
        let t = table();
        let tr = Translator::new(&t);
        assert_eq!(tr.name("프리보드", "FOO `1`"), "");
        let _ = tr.name("지정가", "x");
        let _ = tr.name("유상감자대금입금", "x");
        let _ = tr.name("뉴욕(주간)", "x");
        let err = tr.finish().expect_err("refused");
        assert_eq!(err.untranslated, vec!["\"프리보드\" (FOO `1`)".to_owned()]);
        assert_eq!(
            err.stale,
            vec!["\"안씀\"".to_owned(), "\"틀림\"".to_owned()]
        );
        assert_eq!(err.invalid, vec!["\"틀림\": \"not_pascal\"".to_owned()]);
        let text = err.to_string();
        assert!(
            text.contains("프리보드") && text.contains("code_variants.yaml"),
            "{text}"
        );
    }

    #[test]
    fn a_complete_table_passes() {
        let t = VariantNames(
            [("매도".to_owned(), "Sell".to_owned())]
                .into_iter()
                .collect(),
        );
        let tr = Translator::new(&t);
        assert_eq!(tr.name("매도", "x"), "Sell");
        assert_eq!(tr.name("ETF", "x"), "Etf");
        assert!(tr.finish().is_ok());
    }
}
