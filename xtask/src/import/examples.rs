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

/// Tries the unambiguous repairs, in order, accumulating; returns the repaired text and a note
/// once it parses.
pub fn repair(text: &str) -> Option<(String, String)> {
    let mut t = text.to_owned();
    let mut notes: Vec<&str> = Vec::new();
    let steps: [(&str, fn(&str) -> Option<String>); 3] = [
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
    }

    #[test]
    fn truncated_is_invalid() {
        let f = classify("x.response", "{\"a\": \"12", true);
        assert_eq!(f.example.status, ExampleStatus::Invalid);
        assert_eq!(f.file, "x.response.txt");
        assert_eq!(f.contents, "{\"a\": \"12\n");
    }
}
