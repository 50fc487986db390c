//! Stores the workbook's examples as data files: valid JSON verbatim, unambiguous repairs as
//! JSON with a note, everything else verbatim as text with the reason.

use kis_spec::{Example, ExampleStatus};

/// Excel's cell limit; the workbook's longest examples stop near it.
const EXCEL_CELL_LIMIT: usize = 32_767;

/// What to write for one example: file name, contents and its [`Example`] record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleFile {
    pub file: String,
    pub contents: String,
    pub example: Example,
}

/// Normalizes line endings and makes the text end with exactly one newline.
pub fn normalize(text: &str) -> String {
    let mut t = text.replace("\r\n", "\n").replace('\r', "\n");
    while t.ends_with('\n') {
        t.pop();
    }
    t.push('\n');
    t
}

/// Parses JSON, returning the value on success.
/// The top-level values of a request example by wire name: a JSON object's string values, or
/// `KEY:VALUE` / `KEY=VALUE` lines (the GET examples).
pub fn values(raw: &str) -> std::collections::HashMap<String, String> {
    let mut out = std::collections::HashMap::new();
    let text = normalize(raw);
    let json = parse(&text)
        .ok()
        .or_else(|| repair(&text).and_then(|(t, _)| parse(&t).ok()));
    if let Some(serde_json::Value::Object(map)) = json {
        for (k, v) in map {
            if let serde_json::Value::String(s) = v {
                out.insert(k, s);
            }
        }
        return out;
    }
    for line in text.lines() {
        let line = line.trim().trim_end_matches(',');
        if let Some((k, v)) = line.split_once([':', '=']) {
            let k = k.trim().trim_matches('"');
            let v = v.trim().trim_matches('"');
            if !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                out.insert(k.to_owned(), v.to_owned());
            }
        }
    }
    out
}

pub fn parse(text: &str) -> Result<serde_json::Value, serde_json::Error> {
    serde_json::from_str(text)
}

/// Classifies an example. `stem` is `<id>.<request|response>`; `json_expected` is false for
/// texts that are not JSON by nature (realtime frames, GET parameter lists).
pub fn classify(stem: &str, raw: &str, json_expected: bool) -> ExampleFile {
    let text = normalize(raw);
    let chars = raw.chars().count();
    if !json_expected {
        return ExampleFile {
            file: format!("{stem}.txt"),
            contents: text,
            example: Example {
                file: format!("{stem}.txt"),
                status: ExampleStatus::Text,
                note: String::new(),
            },
        };
    }
    match parse(&text) {
        Ok(_) => ExampleFile {
            file: format!("{stem}.json"),
            contents: text,
            example: Example {
                file: format!("{stem}.json"),
                status: ExampleStatus::Valid,
                note: String::new(),
            },
        },
        Err(first) => {
            if let Some((fixed, note)) = repair(&text) {
                return ExampleFile {
                    file: format!("{stem}.json"),
                    contents: fixed,
                    example: Example {
                        file: format!("{stem}.json"),
                        status: ExampleStatus::Repaired,
                        note,
                    },
                };
            }
            let reason = if chars >= 32_000 {
                format!(
                    "truncated at {chars} characters (the workbook cell is cut near Excel's {EXCEL_CELL_LIMIT}-character limit); JSON error: {first}"
                )
            } else {
                format!("not valid JSON: {first}")
            };
            ExampleFile {
                file: format!("{stem}.txt"),
                contents: text,
                example: Example {
                    file: format!("{stem}.txt"),
                    status: ExampleStatus::Invalid,
                    note: reason,
                },
            }
        }
    }
}

/// One repair step: the repaired text, or `None` when it does not apply.
type Repair = fn(&str) -> Option<String>;

/// Tries the unambiguous repairs, in order, accumulating; returns the repaired text and a note
/// once it parses.
pub fn repair(text: &str) -> Option<(String, String)> {
    let mut t = text.to_owned();
    let mut notes: Vec<&str> = Vec::new();
    let steps: [(&str, Repair); 5] = [
        (
            "removed `...` placeholders for omitted array elements",
            remove_ellipses,
        ),
        ("added the missing opening `{`", open_missing_brace),
        (
            "removed trailing commas before `}`/`]`",
            remove_trailing_commas,
        ),
        (
            "inserted missing commas between members at line breaks",
            insert_missing_commas,
        ),
        (
            "closed brackets left open at the very end",
            close_open_brackets,
        ),
    ];
    for (note, step) in steps {
        if let Some(next) = step(&t) {
            t = next;
            notes.push(note);
            if parse(&t).is_ok() {
                return Some((t, notes.join("; ")));
            }
        }
    }
    None
}

/// Scans JSON-ish text, calling `f(index, byte, in_string)` for every byte.
fn scan(text: &str, mut f: impl FnMut(usize, u8, bool)) {
    let b = text.as_bytes();
    let mut in_str = false;
    let mut esc = false;
    for (i, &c) in b.iter().enumerate() {
        if in_str {
            f(i, c, true);
            if esc {
                esc = false;
            } else if c == b'\\' {
                esc = true;
            } else if c == b'"' {
                in_str = false;
            }
        } else {
            if c == b'"' {
                in_str = true;
            }
            f(i, c, false);
        }
    }
}

/// Removes `...`/`…` standing outside strings where an array element would be
/// (`},...` or a line of its own), the workbook's way of saying "more rows here".
fn remove_ellipses(text: &str) -> Option<String> {
    let mut current = remove_ellipses_once(text)?;
    while let Some(next) = remove_ellipses_once(&current) {
        current = next;
    }
    Some(current)
}

fn remove_ellipses_once(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut drop = vec![false; b.len()];
    let mut any = false;
    let mut i = 0;
    let mut outside = vec![false; b.len()];
    scan(text, |j, _, s| outside[j] = !s);
    while i < b.len() {
        if outside[i] && b[i] == b'.' {
            let start = i;
            while i < b.len() && b[i] == b'.' && outside[i] {
                i += 1;
            }
            let prev = b[..start].iter().rposition(|x| !x.is_ascii_whitespace());
            let next = b[i..]
                .iter()
                .position(|x| !x.is_ascii_whitespace())
                .map(|k| k + i);
            let after_element = prev.is_some_and(|p| b[p] == b',' || b[p] == b'[');
            let before_element =
                next.is_none_or(|n| matches!(b[n], b']' | b'{' | b',' | b'"' | b'.'));
            if i - start >= 2 && after_element && before_element {
                drop[start..i].iter_mut().for_each(|d| *d = true);
                any = true;
            }
            continue;
        }
        i += 1;
    }
    let text = if any {
        let kept: Vec<u8> = b
            .iter()
            .zip(&drop)
            .filter(|(_, d)| !**d)
            .map(|(c, _)| *c)
            .collect();
        String::from_utf8(kept).ok()?
    } else {
        text.to_owned()
    };
    let replaced = replace_unicode_ellipsis(&text);
    (any || replaced != text).then_some(replaced)
}

/// Drops a lone `…` element the same way as `...`.
fn replace_unicode_ellipsis(text: &str) -> String {
    text.lines()
        .map(|l| {
            let t = l.trim();
            if t == "…" || t == "…," { "" } else { l }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + if text.ends_with('\n') { "\n" } else { "" }
}

/// A text that starts with `"key":` is an object whose `{` was lost.
fn open_missing_brace(text: &str) -> Option<String> {
    let t = text.trim_start();
    let rest = t.strip_prefix('"')?;
    let close = rest.find('"')?;
    rest[close + 1..]
        .trim_start()
        .starts_with(':')
        .then(|| format!("{{\n{t}"))
}

fn remove_trailing_commas(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut drop = Vec::new();
    scan(text, |i, c, s| {
        if !s && c == b',' {
            let next = b[i + 1..].iter().find(|x| !x.is_ascii_whitespace());
            if matches!(next, Some(b'}') | Some(b']')) {
                drop.push(i);
            }
        }
    });
    if drop.is_empty() {
        return None;
    }
    let out: Vec<u8> = b
        .iter()
        .enumerate()
        .filter(|(i, _)| !drop.contains(i))
        .map(|(_, c)| *c)
        .collect();
    String::from_utf8(out).ok()
}

fn insert_missing_commas(text: &str) -> Option<String> {
    // A value ends a line (`"…"`, digit, `}`, `]`, `true`/`false`/`null`) and the next line
    // starts a new member or element (`"`, `{`): a comma is missing.
    let b = text.as_bytes();
    let mut at = Vec::new();
    let mut last_sig: Option<(usize, u8, bool)> = None;
    let mut string_end = Vec::new();
    scan(text, |i, c, s| {
        if s && c == b'"' {
            // may be the closing quote; recorded below by position check
            string_end.push(i);
        }
        if c == b'\n' && !s {
            if let Some((pos, ch, _)) = last_sig {
                let value_end =
                    matches!(ch, b'"' | b'}' | b']' | b'e' | b'l') || ch.is_ascii_digit();
                let next = b[i + 1..].iter().find(|x| !x.is_ascii_whitespace());
                if value_end && matches!(next, Some(b'"') | Some(b'{')) {
                    at.push(pos + 1);
                }
            }
        }
        if !c.is_ascii_whitespace() {
            last_sig = Some((i, c, s));
        }
    });
    // Only insert after a closing quote that ended a value, not after a key.
    let at: Vec<usize> = at
        .into_iter()
        .filter(|&p| {
            let prev = b[..p].iter().rposition(|x| !x.is_ascii_whitespace());
            prev.is_some_and(|q| b[q] != b':' && b[q] != b',' && b[q] != b'{' && b[q] != b'[')
        })
        .collect();
    if at.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len() + at.len());
    let mut prev = 0;
    for p in at {
        out.push_str(&text[prev..p]);
        out.push(',');
        prev = p;
    }
    out.push_str(&text[prev..]);
    Some(out)
}

fn close_open_brackets(text: &str) -> Option<String> {
    let mut stack = Vec::new();
    let mut ends_in_string = false;
    scan(text, |_, c, s| {
        ends_in_string = s;
        if !s {
            match c {
                b'{' => stack.push(b'}'),
                b'[' => stack.push(b']'),
                b'}' | b']' => {
                    stack.pop();
                }
                _ => {}
            }
        }
    });
    if stack.is_empty() || ends_in_string {
        return None;
    }
    let trimmed = text.trim_end();
    if trimmed.ends_with(',') || trimmed.ends_with(':') {
        return None;
    }
    let mut out = trimmed.to_owned();
    out.push('\n');
    while let Some(c) = stack.pop() {
        out.push(c as char);
        out.push('\n');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_is_verbatim() {
        let f = classify("x.response", "{\r\n  \"a\": \"1\"\r\n}", true);
        assert_eq!(f.example.status, ExampleStatus::Valid);
        assert_eq!(f.contents, "{\n  \"a\": \"1\"\n}\n");
        assert_eq!(f.file, "x.response.json");
    }

    #[test]
    fn repairs() {
        let f = classify("x.response", "{\"a\": \"1\",\n}", true);
        assert_eq!(f.example.status, ExampleStatus::Repaired);
        assert!(parse(&f.contents).is_ok());
        let f = classify("x.response", "{\"a\": \"1\"\n\"b\": \"2\"}", true);
        assert_eq!(
            f.example.status,
            ExampleStatus::Repaired,
            "{}",
            f.example.note
        );
        let f = classify("x.response", "{\"a\": {\"b\": \"2\"}", true);
        assert_eq!(f.example.status, ExampleStatus::Repaired);
        let f = classify(
            "x.response",
            "{\"a\": [{\"b\": \"1\"},...\n\t\t...\n ], \"c\": \"...\"}",
            true,
        );
        assert_eq!(f.example.status, ExampleStatus::Repaired, "{}", f.contents);
        assert!(
            f.contents.contains("\"c\": \"...\""),
            "strings are kept: {}",
            f.contents
        );
        let f = classify(
            "x.response",
            "\"rt_cd\": \"0\",\n \"output\": {\"a\": \"1\"}\n}",
            true,
        );
        assert_eq!(f.example.status, ExampleStatus::Repaired, "{}", f.contents);
        // An array whose closing bracket is lost mid-document is not guessed at.
        let f = classify(
            "x.response",
            "{\"a\": [{\"b\": \"1\"},\n...\n \"c\": \"2\"}",
            true,
        );
        assert_eq!(f.example.status, ExampleStatus::Invalid);
    }

    #[test]
    fn truncated_is_invalid() {
        let f = classify("x.response", "{\"a\": \"12", true);
        assert_eq!(f.example.status, ExampleStatus::Invalid);
        assert_eq!(f.file, "x.response.txt");
        assert_eq!(f.contents, "{\"a\": \"12\n");
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    fn json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            "[a-z0-9 .,\\-]{0,8}".prop_map(serde_json::Value::from),
            any::<i32>().prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                proptest::collection::btree_map("[a-z_]{1,6}", inner, 0..4)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn valid_json_is_kept_verbatim(v in json()) {
            let text = serde_json::to_string_pretty(&v).unwrap();
            let f = classify("x.response", &text.replace('\n', "\r\n"), true);
            prop_assert_eq!(f.example.status, ExampleStatus::Valid);
            prop_assert_eq!(f.contents, format!("{text}\n"));
        }

        #[test]
        fn repairs_only_claim_what_parses(text in "[ -~\n]{0,200}") {
            let f = classify("x.response", &text, true);
            match f.example.status {
                ExampleStatus::Valid | ExampleStatus::Repaired => prop_assert!(parse(&f.contents).is_ok()),
                ExampleStatus::Invalid => prop_assert_eq!(f.contents, normalize(&text)),
                ExampleStatus::Text => prop_assert!(false, "json_expected gives no text status"),
            }
        }

        #[test]
        fn trailing_commas_repair_to_the_same_value(v in json()) {
            let text = serde_json::to_string_pretty(&v).unwrap();
            let broken = text.replace("\n}", ",\n}").replace("\n]", ",\n]");
            let f = classify("x.response", &broken, true);
            prop_assert!(matches!(f.example.status, ExampleStatus::Valid | ExampleStatus::Repaired));
            prop_assert_eq!(parse(&f.contents).unwrap(), v);
        }
    }
}
