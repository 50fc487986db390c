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

/// Characters Markdown (or rustdoc) gives a meaning to anywhere in a line; escaped with a
/// backslash.
const SPECIAL: &[char] = &[
    '\\', '`', '*', '_', '[', ']', '<', '>', '#', '|', '&', '~', '!',
];

/// Characters with a meaning at the start of a line (lists, setext headings, thematic breaks).
const LINE_START: &[char] = &['-', '+', '='];

/// Quotes workbook prose (a field description, a sheet overview) as doc lines: a Markdown block
/// quote that renders the text as it is, line for line, and never as Markdown.
///
/// Every character Markdown could read as syntax is escaped (so brackets never become
/// intra-doc links, `<` never an HTML tag, backticks never code, indentation never a code
/// block); `http(s)://` URLs become autolinks (rustdoc rejects bare URLs); line breaks stay line
/// breaks (a trailing `\\`), blank lines separate paragraphs. Invisible characters (BOM,
/// control characters) are dropped.
pub fn quote(text: &str) -> Vec<String> {
    let clean: String = text
        .chars()
        .filter(|&c| c != '\u{feff}' && c != '\u{200b}')
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .collect();
    let mut paragraphs: Vec<Vec<String>> = vec![Vec::new()];
    for line in clean.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            if paragraphs.last().is_some_and(|p| !p.is_empty()) {
                paragraphs.push(Vec::new());
            }
        } else if let Some(p) = paragraphs.last_mut() {
            p.push(escape_line(&line));
        }
    }
    let mut out = Vec::new();
    for p in paragraphs.iter().filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            out.push(">".to_owned());
        }
        let last = p.len() - 1;
        for (i, l) in p.iter().enumerate() {
            let brk = if i < last { "\\" } else { "" };
            out.push(format!("> {l}{brk}"));
        }
    }
    out
}

/// Escapes one line of prose (no line breaks, not starting with whitespace) for Markdown, with
/// URLs as autolinks.
fn escape_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut rest = line;
    let mut at_start = true;
    while !rest.is_empty() {
        let url = ["https://", "http://"]
            .iter()
            .filter_map(|p| rest.find(p))
            .min();
        let (text, tail) = match url {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        escape_into(&mut out, text, at_start);
        at_start = false;
        if tail.is_empty() {
            break;
        }
        let end = tail
            .find(|c: char| !c.is_ascii_graphic() || "<>\"'`()[]{}|\\^".contains(c))
            .unwrap_or(tail.len());
        let url = tail[..end].trim_end_matches(['.', ',', ';', ':', '!', '?']);
        out.push('<');
        out.push_str(url);
        out.push('>');
        rest = &tail[url.len()..];
    }
    out
}

fn escape_into(out: &mut String, text: &str, at_start: bool) {
    let mut first = at_start;
    let mut digits = false;
    for c in text.chars() {
        if first && LINE_START.contains(&c) {
            out.push('\\');
        }
        // `1.` / `1)` at the start of a line would open an ordered list.
        if digits && (c == '.' || c == ')') {
            out.push('\\');
        }
        digits = (first || digits) && c.is_ascii_digit();
        first = false;
        if SPECIAL.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
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

/// The workbook's description of a field as quoted doc lines, after a blank line (empty when
/// there is none or it only repeats the label).
pub fn description(f: &Field) -> Vec<String> {
    let d = f.description.trim();
    if d.is_empty() || d == f.label.trim() {
        return Vec::new();
    }
    let mut v = vec![String::new()];
    v.extend(quote(d));
    v
}

/// A sheet overview as doc lines (a caption, then the quote), after a blank line; empty when
/// the sheet has none.
pub fn overview(text: &str) -> Vec<String> {
    let q = quote(text);
    if q.is_empty() {
        return q;
    }
    let mut v = vec![
        String::new(),
        "KIS's overview (quoted from the workbook):".to_owned(),
        String::new(),
    ];
    v.extend(q);
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

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};

    /// The Markdown events of doc lines, as rustdoc parses them (its extensions on).
    fn events(lines: &[String]) -> Vec<Event<'static>> {
        let text = lines.join("\n");
        let mut o = Options::empty();
        o.insert(Options::ENABLE_TABLES);
        o.insert(Options::ENABLE_FOOTNOTES);
        o.insert(Options::ENABLE_STRIKETHROUGH);
        o.insert(Options::ENABLE_TASKLISTS);
        // Like rustdoc, which resolves `[name]` as an intra-doc link: any bracket pair becomes
        // a link here, so an unescaped one fails the check below.
        let mut links = |_: pulldown_cmark::BrokenLink<'_>| Some(("x".into(), "".into()));
        Parser::new_with_broken_link_callback(&text, o, Some(&mut links))
            .map(|e| e.into_static())
            .collect()
    }

    /// Checks that `lines` are a block quote of plain text and autolinks only, and returns the
    /// text they render (line breaks as `\n`, paragraphs as `\n\n`).
    fn rendered(lines: &[String]) -> String {
        let mut out = String::new();
        for e in events(lines) {
            match e {
                Event::Text(t) => out.push_str(&t),
                Event::HardBreak => out.push('\n'),
                Event::Start(Tag::Paragraph) if !out.is_empty() => out.push_str("\n\n"),
                Event::Start(Tag::Paragraph | Tag::BlockQuote(None))
                | Event::End(TagEnd::Paragraph | TagEnd::BlockQuote(None))
                | Event::Start(Tag::Link {
                    link_type: LinkType::Autolink,
                    ..
                })
                | Event::End(TagEnd::Link) => {}
                other => panic!("{lines:?} renders Markdown structure: {other:?}"),
            }
        }
        out
    }

    #[test]
    fn workbook_prose_stays_text() {
        let cases = [
            "[법인 필수] 제휴사 회원 관리를 위한 고객식별키",
            "'※ 구TR은 ...\n[실전투자]\n국내주식주문 매도 : (구)TTTC0801U → (신)TTTC0011U",
            "00 : 지정가\n01 : 시장가\n\n* 모의투자 <VTTT1002U> 로는 `00`만 가능",
            "    indented line\n1. first\n2) second\n- item\n+ item\n---\n===\n# head",
            "```\ncode\n```\n~~~\nx ~~strike~~ **bold** _em_ a|b|c &amp; <b>html</b>",
            "참고https://github.com/koreainvestment/open-trading-api/tree/main/stocks_info.",
            "[^1] ![img](http://x.y/z.png) [a]: http://example.com",
            "\u{feff}\u{feff}(4) A. 신규증거금 \\ end\\",
        ];
        for c in cases {
            let lines = quote(c);
            let text = rendered(&lines);
            let squash = |s: &str| -> String {
                s.chars()
                    .filter(|c| !c.is_whitespace() && *c != '\u{feff}')
                    .collect()
            };
            assert_eq!(squash(&text), squash(c), "{lines:#?}");
        }
    }

    #[test]
    #[should_panic(expected = "renders Markdown structure")]
    fn the_check_catches_unescaped_markdown() {
        rendered(&["> see [Endpoint] and <b>".to_owned()]);
    }

    #[test]
    fn lines_and_paragraphs_are_kept() {
        let lines = quote("a\r\nb\n\n\n  c  ");
        assert_eq!(lines, ["> a\\", "> b", ">", "> c"]);
        assert_eq!(rendered(&lines), "a\nb\n\nc");
        assert!(quote(" \n\t\n").is_empty());
    }

    #[test]
    fn urls_become_autolinks() {
        assert_eq!(
            quote("see https://a.b/c?d=1&e=2, then http://x."),
            ["> see <https://a.b/c?d=1&e=2>, then <http://x>."]
        );
    }

    proptest::proptest! {
        /// Whatever the text, the quote renders as plain text (and autolinks), losing no
        /// visible character.
        #[test]
        fn any_text_renders_as_itself(s in "([ -~]|[가-힣※→]|\n|\t|\r|\u{feff}){0,120}") {
            let lines = quote(&s);
            for l in &lines {
                proptest::prop_assert!(!l.contains('\n'));
            }
            let text = rendered(&lines);
            let squash = |s: &str| -> String {
                s.chars().filter(|c| !c.is_whitespace() && !c.is_control() && *c != '\u{feff}').collect()
            };
            proptest::prop_assert_eq!(squash(&text), squash(&s), "{:#?}", lines);
        }
    }
}
