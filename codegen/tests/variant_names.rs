//! Over the whole spec: every code-list variant (the shared enums of `kis_client::codes` and the
//! realtime records' enums) has an English name, made of the words of
//! `spec/patches/names/words.txt`, unique in its enum, with its Korean label in its doc; and a
//! Korean label the table lacks is refused, never romanized.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn spec_dir() -> std::path::PathBuf {
    kis_spec::workspace_spec_dir()
}

fn render() -> BTreeMap<std::path::PathBuf, String> {
    let dir = spec_dir();
    let specs = kis_spec::load_dir(&dir).expect("spec loads");
    let names = codegen::Names::load(&dir).expect("names load");
    codegen::render_with(&specs, &names).expect("every code label has an English name")
}

/// `(file, enum, variant, doc line)` of every code-list variant of the generated trees.
fn variants(files: &BTreeMap<std::path::PathBuf, String>) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for (path, text) in files {
        // The shared REST code lists, and the realtime records' code enums (each has a
        // `v::Wire` impl; the TR-variant enums of endpoints are not code lists).
        let p = path.to_string_lossy();
        let is_codes = path == Path::new(codegen::codes::CODES_FILE);
        if !(is_codes || p.starts_with(codegen::WS_API_DIR)) {
            continue;
        }
        let mut lines = text.lines().peekable();
        while let Some(line) = lines.next() {
            let Some(name) = line
                .strip_prefix("pub enum ")
                .and_then(|r| r.strip_suffix(" {"))
            else {
                continue;
            };
            if !is_codes && !text.contains(&format!("impl v::Wire for {name} {{")) {
                continue;
            }
            let mut doc = String::new();
            for l in lines.by_ref() {
                let t = l.trim();
                if t == "}" {
                    break;
                }
                if let Some(d) = t.strip_prefix("///") {
                    doc = d.trim().to_owned();
                } else if let Some(v) = t.strip_suffix(',') {
                    if !v.contains('(') {
                        out.push((p.to_string(), name.to_owned(), v.to_owned(), doc.clone()));
                    }
                }
            }
        }
    }
    out
}

/// The PascalCase words of an identifier, numbers dropped (`NearPriceLimit8Pct` → near, price,
/// limit, pct).
fn words(ident: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in ident.chars() {
        if (c.is_ascii_uppercase() || c.is_ascii_digit()) && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        if !c.is_ascii_digit() {
            cur.push(c.to_ascii_lowercase());
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn word_list() -> BTreeSet<String> {
    let text = std::fs::read_to_string(spec_dir().join("patches/names/words.txt"))
        .expect("words.txt reads");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_variant_name_is_english() {
    let files = render();
    let all = variants(&files);
    let codes = Path::new(codegen::codes::CODES_FILE)
        .to_string_lossy()
        .to_string();
    let distinct: BTreeSet<&str> = all
        .iter()
        .filter(|v| v.0 == codes)
        .map(|v| v.2.as_str())
        .collect();
    assert!(distinct.len() > 500, "{} variant names", distinct.len());
    let dictionary = word_list();
    let mut used = BTreeSet::new();
    let mut foreign = BTreeSet::new();
    for (file, en, v, _) in &all {
        for w in words(v) {
            if w.len() == 1 || dictionary.contains(&w) {
                used.insert(w);
            } else {
                foreign.insert(format!("{file}: {en}::{v} (`{w}`)"));
            }
        }
    }
    assert!(
        foreign.is_empty(),
        "{} variant names with words outside spec/patches/names/words.txt (romanized or \
         untranslated?): {foreign:#?}",
        foreign.len()
    );
    let unused: Vec<&String> = dictionary
        .iter()
        .filter(|w| !used.contains(*w) && w.len() > 1)
        .collect();
    assert!(
        unused.is_empty(),
        "words.txt lists words no name uses: {unused:?}"
    );
}

#[test]
fn variants_are_unique_per_enum_and_keep_their_korean_label() {
    let files = render();
    let mut seen: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    let mut labelled = 0;
    for (file, en, v, doc) in variants(&files) {
        assert!(
            seen.entry((file.clone(), en.clone()))
                .or_default()
                .insert(v.clone()),
            "{file}: {en}::{v} twice"
        );
        // `/// `CODE`: 라벨` (a code without a label has only the code).
        assert!(doc.starts_with('`'), "{file}: {en}::{v} doc {doc:?}");
        if doc.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c)) {
            labelled += 1;
        }
    }
    assert!(
        labelled > 1000,
        "{labelled} variants show their Korean label"
    );
}

#[test]
fn a_korean_label_without_an_english_name_is_refused() {
    let dir = spec_dir();
    let specs = kis_spec::load_dir(&dir).expect("spec loads");
    let mut names = codegen::Names::load(&dir).expect("names load");
    let removed = names
        .variants
        .0
        .remove("유상감자대금입금")
        .expect("the table names 유상감자대금입금");
    assert_eq!(removed, "PaidCapitalReductionDeposit");
    let err = codegen::render_with(&specs, &names).expect_err("refused");
    assert_eq!(err.untranslated.len(), 1, "{err}");
    assert!(err.untranslated[0].contains("유상감자대금입금"), "{err}");
    assert!(err.to_string().contains("code_variants.yaml"), "{err}");
}

#[test]
fn words_split_on_case_and_digits() {
    assert_eq!(
        words("NearPriceLimit8Pct"),
        ["near", "price", "limit", "pct"]
    );
    assert_eq!(words("At0930"), ["at"]);
    assert_eq!(words("OwnSharesSOption"), ["own", "shares", "s", "option"]);
}
