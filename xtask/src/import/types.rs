//! Response types that match the data: rules run after the patches, against the workbook's own
//! response examples (REST bodies and realtime frames).
//!
//! - `numeric-from-example`: a text field whose example values are all numbers, and whose name
//!   and label say it is a quantity, amount, price, rate or count, becomes `integer` or
//!   `decimal`; one whose label or name says it is an identifier, code or date stays text and
//!   is listed as `numeric-text-kept`. Date and time fields the examples confirm become `date`
//!   / `time` (`date-from-example`, `time-from-example`).
//! - `code-from-example`: a code list the examples contradict is corrected: zero padding
//!   follows the example (`1` listed, `01` sent); a list none of whose codes is ever sent and
//!   whose sent values are longer than every code is not a code list (`rsym` sends
//!   `DNASTSLA`); numbers sent as JSON numbers make the field numeric. Codes the examples send
//!   but the list lacks stay readable (`Other`) and are listed as `code-unlisted`.
//! - `same-name-type`: a field name typed differently across endpoints takes the type of its
//!   typed occurrences where its own examples and label allow it (the code list of
//!   `prdy_vrss_sign` everywhere); the rest are listed.

use std::collections::BTreeMap;

use kis_spec::{Code, Field, Kind};

use super::build::Built;
use super::report::Anomaly;

/// The example values of one field: text as sent, and whether any came as a JSON number.
#[derive(Default, Clone)]
struct Seen {
    values: Vec<String>,
    json_number: bool,
}

impl Seen {
    fn non_empty(&self) -> impl Iterator<Item = &str> {
        self.values
            .iter()
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// `block-columns-from-example`: when the response example's blocks carry the columns of
/// differently named layout blocks (the layout swapped `output1` and `output2`), the layout's
/// blocks take the example's names. Runs before the block kinds are checked.
pub fn name_blocks_by_columns(built: &mut [Built], anomalies: &mut Vec<Anomaly>) {
    for b in built.iter_mut() {
        let Some(map) = &b.response_json else {
            continue;
        };
        let body = &mut b.spec.response.body;
        let blocks: Vec<usize> = (0..body.len()).filter(|&i| body[i].is_block()).collect();
        // Example block name -> the layout block holding (most of) its keys.
        let mut moves: Vec<(usize, String)> = Vec::new();
        for (name, v) in map {
            let Some(row) = first_row(v) else {
                continue;
            };
            if row.is_empty() {
                continue;
            }
            let holds = |i: usize| {
                let cols = &body[i].fields;
                let n = row
                    .keys()
                    .filter(|k| cols.iter().any(|c| c.name.eq_ignore_ascii_case(k)))
                    .count();
                n * 5 >= row.len() * 4
            };
            if blocks.iter().any(|&i| body[i].name == *name && holds(i)) {
                continue; // already right
            }
            let cands: Vec<usize> = blocks.iter().copied().filter(|&i| holds(i)).collect();
            if let [i] = cands[..] {
                moves.push((i, name.clone()));
            }
        }
        if moves.is_empty() {
            continue;
        }
        let mut names: Vec<String> = body.iter().map(|f| f.name.clone()).collect();
        let freed: Vec<String> = moves.iter().map(|(i, _)| names[*i].clone()).collect();
        for (i, new) in &moves {
            names[*i] = new.clone();
        }
        // A layout block whose name another block took gets the freed name (a swap).
        let mut free: Vec<&String> = freed.iter().filter(|n| !names.contains(n)).collect();
        for &i in &blocks {
            let taken = names.iter().filter(|n| **n == names[i]).count() > 1;
            if taken && !moves.iter().any(|(j, _)| *j == i) {
                match free.pop() {
                    Some(n) => names[i] = n.clone(),
                    None => break,
                }
            }
        }
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        if unique.len() != names.len() {
            continue; // not a clean renaming: left to `block-name` / `example-key`
        }
        for &i in &blocks {
            if body[i].name != names[i] {
                anomalies.push(Anomaly::rule(
                    &b.spec.path,
                    "block-name",
                    format!(
                        "the layout's block `{}` holds the columns the response example sends as `{}`; named `{}`",
                        body[i].name, names[i], names[i]
                    ),
                    "block-columns-from-example",
                ));
                body[i].name = names[i].clone();
            }
        }
    }
}

fn first_row(v: &serde_json::Value) -> Option<&serde_json::Map<String, serde_json::Value>> {
    match v {
        serde_json::Value::Object(o) => Some(o),
        serde_json::Value::Array(a) => a.iter().find_map(|x| x.as_object()),
        _ => None,
    }
}

/// Lists keys of the response examples' block rows that the layout's block lacks
/// (`example-key`, for a patch to settle), and rows sent column-wise (arrays of values).
pub fn check_example_keys(built: &[Built], anomalies: &mut Vec<Anomaly>) {
    for b in built {
        check_nested_keys(b, anomalies);
    }
}

fn check_nested_keys(b: &Built, anomalies: &mut Vec<Anomaly>) {
    let Some(map) = &b.response_json else {
        return;
    };
    for f in b.spec.response.body.iter().filter(|f| f.is_block()) {
        let rows: Vec<&serde_json::Map<String, serde_json::Value>> = match map.get(&f.name) {
            Some(serde_json::Value::Object(o)) => vec![o],
            Some(serde_json::Value::Array(a)) => a.iter().filter_map(|x| x.as_object()).collect(),
            _ => continue,
        };
        let mut missing: Vec<&str> = Vec::new();
        let mut columnar = false;
        for r in &rows {
            for (k, v) in r.iter() {
                columnar |= v.is_array();
                if !f.fields.iter().any(|c| c.name.eq_ignore_ascii_case(k))
                    && !missing.contains(&k.as_str())
                {
                    missing.push(k);
                }
            }
        }
        if columnar {
            anomalies.push(Anomaly::unhandled(
                &b.spec.path,
                "example-key",
                format!(
                    "block `{}` of the response example is written column-wise (arrays of values), not as rows",
                    f.name
                ),
            ));
        }
        if !missing.is_empty() {
            anomalies.push(Anomaly::unhandled(
                &b.spec.path,
                "example-key",
                format!(
                    "block `{}` of the response example has fields the layout lacks: `{}`",
                    f.name,
                    missing.join("`, `")
                ),
            ));
        }
    }
}

/// Runs every rule of this module.
pub fn apply(built: &mut [Built], anomalies: &mut Vec<Anomaly>) {
    let mut seen_all: Vec<Vec<(Vec<usize>, Seen)>> = Vec::with_capacity(built.len());
    let mut not_lists = std::collections::BTreeSet::new();
    for b in built.iter_mut() {
        let seen = example_values(b);
        let domestic = super::build::is_domestic(&b.spec.category);
        let api = b.spec.path.clone();
        for (path, s) in &seen {
            if let Some(f) = field_at(&mut b.spec.response.body, path) {
                let list = (f.kind == Kind::Code).then(|| list_key(&f.codes));
                refine(&api, f, s, domestic, anomalies);
                if let (Some(list), Kind::String) = (list, f.kind) {
                    not_lists.insert((f.name.to_ascii_lowercase(), list));
                }
            }
        }
        seen_all.push(seen);
    }
    drop_disproved_lists(built, &not_lists, anomalies);
    unify(built, &seen_all, anomalies);
}

/// Leaf fields of a response body by index path, with their example values.
fn example_values(b: &Built) -> Vec<(Vec<usize>, Seen)> {
    let mut out = Vec::new();
    if let Some(map) = &b.response_json {
        fn walk(
            fields: &[Field],
            rows: &[&serde_json::Map<String, serde_json::Value>],
            path: &mut Vec<usize>,
            out: &mut Vec<(Vec<usize>, Seen)>,
        ) {
            for (i, f) in fields.iter().enumerate() {
                path.push(i);
                if f.is_block() {
                    let mut sub = Vec::new();
                    for m in rows {
                        match m.get(&f.name) {
                            Some(serde_json::Value::Object(o)) => sub.push(o),
                            Some(serde_json::Value::Array(a)) => {
                                sub.extend(a.iter().filter_map(|x| x.as_object()))
                            }
                            _ => {}
                        }
                    }
                    walk(&f.fields, &sub, path, out);
                } else {
                    let mut s = Seen::default();
                    for m in rows {
                        match m.get(&f.name) {
                            Some(serde_json::Value::String(v)) => s.values.push(v.clone()),
                            Some(serde_json::Value::Number(n)) => {
                                s.values.push(n.to_string());
                                s.json_number = true;
                            }
                            _ => {}
                        }
                    }
                    out.push((path.clone(), s));
                }
                path.pop();
            }
        }
        walk(&b.spec.response.body, &[map], &mut Vec::new(), &mut out);
    } else if b.spec.realtime.is_some() {
        let Some(text) = &b.examples.response else {
            return out;
        };
        let Some((values, count)) = super::realtime_example_values(text) else {
            return out;
        };
        let cols = b.spec.response.body.len();
        if cols == 0 || values.len() != cols * count.unwrap_or(1).max(1) {
            return out; // reported as `realtime-columns`
        }
        for (i, f) in b.spec.response.body.iter().enumerate() {
            if f.is_block() {
                continue;
            }
            let s = Seen {
                values: values.iter().skip(i).step_by(cols).cloned().collect(),
                json_number: false,
            };
            out.push((vec![i], s));
        }
    }
    out
}

fn field_at<'a>(fields: &'a mut [Field], path: &[usize]) -> Option<&'a mut Field> {
    let (first, rest) = path.split_first()?;
    let f = fields.get_mut(*first)?;
    if rest.is_empty() {
        Some(f)
    } else {
        field_at(&mut f.fields, rest)
    }
}

/// `[+-]digits[.digits]` (KIS pads some numbers with spaces: trimmed before this).
pub fn is_number(v: &str) -> bool {
    !v.is_empty() && v == v.trim() && super::value_fits(Kind::Decimal, v)
}

use super::infer::last_token;

/// Name tokens of identifiers, codes, keys and calendar values: text whatever the examples
/// (besides the importer's own string tokens, `infer::STRING_TOKENS`).
const TEXT_TOKENS: &[&str] = &[
    "iscd", "pdno", "cano", "acno", "odno", "orgno", "brno", "tlno", "stfno", "ccno", "sqno",
    "srno", "seq", "key", "fk", "nk", "yymm", "mmdd", "month", "wday", "dtime", "flag", "kind",
    "icod", "ft", "xsgn", "xsng", "daebi", "gb", "gubn", "div", "type", "yn", "symb", "rsym",
    "excd", "zdiv", "digit",
];

/// Label words of identifiers, codes, signs, keys and calendar values.
const TEXT_LABEL_WORDS: &[&str] = &[
    "코드",
    "번호",
    "부호",
    "기호",
    "구분",
    "여부",
    "유형",
    "종류",
    "KEY",
    "키",
    "일시",
    "년월",
    "월일",
    "요일",
    "기간",
    "진법",
    "소수점",
    "자리수",
    "자릿수",
    "ID",
];

/// Label words of counts (whole numbers everywhere).
const COUNT_LABEL_WORDS: &[&str] = &[
    "건수",
    "횟수",
    "일수",
    "개월수",
    "종목수",
    "순위",
    "Record Count",
    "RecordCount",
    "주수",
];

/// Name tokens of counts.
const COUNT_TOKENS: &[&str] = &[
    "cnt", "csnu", "dynu", "mcnt", "rcnt", "dcnt", "rank", "nrec", "crec", "trec", "count", "stcn",
];

/// Name tokens of dates (`YYYYMMDD`).
const DATE_TOKENS: &[&str] = &["date", "dt", "exdt", "sttldt", "estdate", "ymd", "xymd"];

/// Name tokens of times (`HHMMSS`).
const TIME_TOKENS: &[&str] = &["hour", "tmd", "time", "hms", "khms", "xhms"];

pub fn valid_date(v: &str) -> bool {
    v.len() == 8
        && v.bytes().all(|b| b.is_ascii_digit())
        && (1900..=2100).contains(&v[..4].parse::<u32>().unwrap_or(0))
        && (1..=12).contains(&v[4..6].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&v[6..].parse::<u32>().unwrap_or(0))
}

/// A KIS time: `HHMMSS`, hours up to 47 (night sessions count past 24:00).
pub fn valid_time(v: &str) -> bool {
    v.len() == 6
        && v.bytes().all(|b| b.is_ascii_digit())
        && v[..2].parse::<u32>().unwrap_or(99) < 48
        && v[2..4].parse::<u32>().unwrap_or(99) < 60
        && v[4..].parse::<u32>().unwrap_or(99) < 60
}

/// Why a field with numeric examples stays text, if it does.
fn text_reason(f: &Field, values: &[&str]) -> Option<String> {
    let token = last_token(&f.name);
    if super::infer::STRING_TOKENS.contains(&token.as_str())
        || TEXT_TOKENS.contains(&token.as_str())
    {
        return Some(format!(
            "its name ends in `{token}` (an identifier or code)"
        ));
    }
    let count = COUNT_TOKENS.contains(&token.as_str())
        || COUNT_LABEL_WORDS.iter().any(|w| f.label.contains(w));
    let text_word = TEXT_LABEL_WORDS.iter().find(|w| match **w {
        "기간" => f.label.ends_with("기간"),
        w => f.label.contains(w),
    });
    if let (Some(w), false) = (text_word, count) {
        return Some(format!("its label `{}` says {w}", f.label));
    }
    // Zero-padded identifiers (`005930`): a leading zero on a whole number that is not a
    // fixed-width number (`0000000002` ranks are counted as numbers by their label).
    let padded = values
        .iter()
        .any(|v| v.len() > 1 && v.starts_with('0') && !v.contains('.'));
    if padded && !count && !super::infer::looks_decimal(&f.name, &f.label) {
        return Some("a value is zero-padded like an identifier".into());
    }
    None
}

/// Per-field rules against the field's own example values.
fn refine(api: &str, f: &mut Field, seen: &Seen, domestic: bool, anomalies: &mut Vec<Anomaly>) {
    let values: Vec<&str> = seen.non_empty().collect();
    if f.kind == Kind::Code {
        correct_codes(api, f, &values, seen.json_number, anomalies);
    }
    if values.is_empty() || f.kind != Kind::String || is_envelope(&f.name) {
        return;
    }
    let token = last_token(&f.name);
    if values.iter().all(|v| valid_date(v))
        && (DATE_TOKENS.contains(&token.as_str())
            || f.label.ends_with("일자")
            || f.label.ends_with('일'))
    {
        f.kind = Kind::Date;
        anomalies.push(Anomaly::rule(
            api,
            "response-type",
            format!(
                "`{}` is text but every example value is a date; typed date",
                f.name
            ),
            "date-from-example",
        ));
        return;
    }
    if values.iter().all(|v| valid_time(v))
        && (TIME_TOKENS.contains(&token.as_str())
            || f.label.ends_with("시간")
            || f.label.ends_with("시각"))
    {
        f.kind = Kind::Time;
        anomalies.push(Anomaly::rule(
            api,
            "response-type",
            format!(
                "`{}` is text but every example value is a time; typed time",
                f.name
            ),
            "time-from-example",
        ));
        return;
    }
    if !values.iter().all(|v| is_number(v)) {
        return;
    }
    if !seen.json_number {
        if let Some(why) = text_reason(f, &values) {
            anomalies.push(Anomaly::rule(
                api,
                "response-type",
                format!(
                    "`{}`: every example value is a number (`{}`) but {why}; kept text",
                    f.name, values[0]
                ),
                "numeric-text-kept",
            ));
            return;
        }
    }
    f.kind = numeric_kind(f, &values, domestic);
    anomalies.push(Anomaly::rule(
        api,
        "response-type",
        format!(
            "`{}` is text but every example value is a number (`{}`){}; typed {}",
            f.name,
            values[0],
            if seen.json_number {
                " sent as a JSON number"
            } else {
                ""
            },
            super::kind_name(f.kind)
        ),
        "numeric-from-example",
    ));
}

/// `rt_cd`, `msg_cd`, `msg1` and the continuation keys: envelope text, never retyped.
fn is_envelope(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    matches!(l.as_str(), "rt_cd" | "msg_cd" | "msg1" | "tr_cont") || l.starts_with("ctx_area")
}

/// Integer for counts (and domestic whole quantities), decimal otherwise: a value with a
/// fraction, a fractional length or a price/rate name is never an integer.
fn numeric_kind(f: &Field, values: &[&str], domestic: bool) -> Kind {
    let whole = values.iter().all(|v| !v.contains('.'));
    let frac_len = f.length.as_deref().is_some_and(|l| l.contains('.'));
    if !whole || frac_len || super::infer::looks_decimal(&f.name, &f.label) {
        return Kind::Decimal;
    }
    let token = last_token(&f.name);
    let count = COUNT_TOKENS.contains(&token.as_str())
        || COUNT_LABEL_WORDS.iter().any(|w| f.label.contains(w))
        || f.wire_type == "number";
    let domestic_quantity = domestic
        && (f.label.contains("수량")
            || f.label.ends_with('량')
            || super::infer::integer_name(&f.name));
    if count || domestic_quantity {
        Kind::Integer
    } else {
        Kind::Decimal
    }
}

/// Corrects a code list the examples contradict.
fn correct_codes(
    api: &str,
    f: &mut Field,
    values: &[&str],
    json_number: bool,
    anomalies: &mut Vec<Anomaly>,
) {
    let listed = |v: &str, codes: &[Code]| codes.iter().any(|c| c.code == v);
    let unlisted: Vec<&str> = values
        .iter()
        .copied()
        .filter(|v| !listed(v, &f.codes))
        .collect();
    if unlisted.is_empty() {
        return;
    }
    // Sent as JSON numbers, never a listed code: a number (revokeP's `code` is the HTTP status).
    if json_number && values.iter().all(|v| is_number(v)) {
        f.kind = if values.iter().all(|v| !v.contains('.')) {
            Kind::Integer
        } else {
            Kind::Decimal
        };
        anomalies.push(Anomaly::rule(
            api,
            "response-type",
            format!(
                "`{}` lists codes {} but the example sends the JSON number `{}`; typed {}",
                f.name,
                code_list(&f.codes),
                values[0],
                super::kind_name(f.kind)
            ),
            "code-from-example",
        ));
        f.codes.clear();
        return;
    }
    // Zero padding: the example's width wins when every unlisted value is a listed code
    // re-padded.
    let unpad = |s: &str| s.trim_start_matches('0').to_owned();
    let repadded = unlisted.iter().all(|v| {
        v.bytes().all(|b| b.is_ascii_digit())
            && f.codes
                .iter()
                .any(|c| c.code.bytes().all(|b| b.is_ascii_digit()) && unpad(&c.code) == unpad(v))
    });
    if repadded {
        let width = unlisted[0].len();
        let before = code_list(&f.codes);
        for c in f.codes.iter_mut() {
            if c.code.bytes().all(|b| b.is_ascii_digit()) {
                let n = unpad(&c.code);
                let n = if n.is_empty() { "0".to_owned() } else { n };
                c.code = format!("{n:0>width$}");
            }
        }
        anomalies.push(Anomaly::rule(
            api,
            "response-type",
            format!(
                "`{}` lists codes {before} but the example sends `{}`; codes written {} wide",
                f.name, unlisted[0], width
            ),
            "code-from-example",
        ));
        return;
    }
    // Never a listed code, and longer than every code: the field carries something else (a
    // symbol where the list names exchanges).
    let longest = f.codes.iter().map(|c| c.code.len()).max().unwrap_or(0);
    if values
        .iter()
        .all(|v| !listed(v, &f.codes) && v.len() > longest)
    {
        anomalies.push(Anomaly::rule(
            api,
            "response-type",
            format!(
                "`{}` lists codes {} but the example sends `{}`; not a code list, typed text",
                f.name,
                code_list(&f.codes),
                unlisted[0]
            ),
            "code-from-example",
        ));
        f.kind = Kind::String;
        f.codes.clear();
        return;
    }
    let mut shown: Vec<&str> = unlisted.clone();
    shown.sort_unstable();
    shown.dedup();
    anomalies.push(Anomaly::rule(
        api,
        "response-type",
        format!(
            "`{}`: the example sends `{}`, which its code list {} lacks; read as `Other` with the raw text",
            f.name,
            shown.join("`, `"),
            code_list(&f.codes)
        ),
        "code-unlisted",
    ));
}

type ListKey = Vec<(String, String)>;

fn list_key(codes: &[Code]) -> ListKey {
    codes
        .iter()
        .map(|c| (c.code.clone(), c.label.clone()))
        .collect()
}

/// A code list an example disproved for a field (`rsym`: a symbol, not an exchange code) is
/// dropped wherever the same field carries the same list.
fn drop_disproved_lists(
    built: &mut [Built],
    not_lists: &std::collections::BTreeSet<(String, ListKey)>,
    anomalies: &mut Vec<Anomaly>,
) {
    fn walk(
        api: &str,
        fields: &mut [Field],
        not_lists: &std::collections::BTreeSet<(String, ListKey)>,
        anomalies: &mut Vec<Anomaly>,
    ) {
        for f in fields {
            if f.is_block() {
                walk(api, &mut f.fields, not_lists, anomalies);
            } else if f.kind == Kind::Code
                && not_lists.contains(&(f.name.to_ascii_lowercase(), list_key(&f.codes)))
            {
                anomalies.push(Anomaly::rule(
                    api,
                    "response-type",
                    format!(
                        "`{}` lists codes {} that another endpoint's example disproves; typed text",
                        f.name,
                        code_list(&f.codes)
                    ),
                    "code-from-example",
                ));
                f.kind = Kind::String;
                f.codes.clear();
            }
        }
    }
    for b in built.iter_mut() {
        let api = b.spec.path.clone();
        walk(&api, &mut b.spec.response.body, not_lists, anomalies);
    }
}

fn code_list(codes: &[Code]) -> String {
    let mut s: Vec<String> = codes
        .iter()
        .take(6)
        .map(|c| format!("`{}`", c.code))
        .collect();
    if codes.len() > 6 {
        s.push("...".into());
    }
    s.join(", ")
}

/// One occurrence of a field name: endpoint, index path, and its example values.
struct Occ {
    api: usize,
    path: Vec<usize>,
    seen: Seen,
}

/// Gives a field name the same type everywhere its examples and label allow it.
fn unify(built: &mut [Built], seen_all: &[Vec<(Vec<usize>, Seen)>], anomalies: &mut Vec<Anomaly>) {
    // Every leaf response field, by lower-cased name (fields without examples too).
    let mut by_name: BTreeMap<String, Vec<Occ>> = BTreeMap::new();
    for (i, b) in built.iter().enumerate() {
        let mut paths = Vec::new();
        leaf_paths(&b.spec.response.body, &mut Vec::new(), &mut paths);
        for p in paths {
            let f = field_at_ref(&b.spec.response.body, &p).expect("a leaf path");
            if is_envelope(&f.name) {
                continue;
            }
            let seen = seen_all[i]
                .iter()
                .find(|(q, _)| *q == p)
                .map(|(_, s)| s.clone())
                .unwrap_or_default();
            by_name
                .entry(f.name.to_ascii_lowercase())
                .or_default()
                .push(Occ {
                    api: i,
                    path: p,
                    seen,
                });
        }
    }
    for (name, occs) in by_name {
        if occs.len() < 2 {
            continue;
        }
        let field = |o: &Occ| field_at_ref(&built[o.api].spec.response.body, &o.path).cloned();
        let fields: Vec<Field> = occs.iter().filter_map(field).collect();
        let kinds: std::collections::BTreeSet<&'static str> =
            fields.iter().map(|f| super::kind_name(f.kind)).collect();
        if kinds.len() < 2 {
            continue;
        }
        // The target: the code list most occurrences use, else the widest typed kind.
        let mut lists: BTreeMap<ListKey, usize> = BTreeMap::new();
        for f in fields.iter().filter(|f| f.kind == Kind::Code) {
            *lists.entry(list_key(&f.codes)).or_default() += 1;
        }
        let target_codes: Option<Vec<Code>> = lists
            .iter()
            .max_by_key(|(k, n)| (**n, std::cmp::Reverse((*k).clone())))
            .map(|(k, _)| {
                k.iter()
                    .map(|(c, l)| Code {
                        code: c.clone(),
                        label: l.clone(),
                        retired: None,
                    })
                    .collect()
            });
        let target = if target_codes.is_some() {
            Kind::Code
        } else if fields.iter().any(|f| f.kind == Kind::Decimal) {
            Kind::Decimal
        } else if fields.iter().any(|f| f.kind == Kind::Integer) {
            Kind::Integer
        } else if fields.iter().any(|f| f.kind == Kind::Date) {
            Kind::Date
        } else if fields.iter().any(|f| f.kind == Kind::Time) {
            Kind::Time
        } else if fields.iter().any(|f| f.kind == Kind::Flag) {
            Kind::Flag
        } else {
            continue;
        };
        let mut kept = Vec::new();
        for o in &occs {
            let api = built[o.api].spec.path.clone();
            let Some(f) = field_at(&mut built[o.api].spec.response.body, &o.path) else {
                continue;
            };
            if f.kind == target {
                continue;
            }
            let values: Vec<&str> = o.seen.non_empty().collect();
            let numeric = matches!(target, Kind::Integer | Kind::Decimal);
            // Integer here, decimal there: KRW quantities are whole, foreign ones are not.
            if numeric && matches!(f.kind, Kind::Integer | Kind::Decimal) {
                kept.push(format!("{} in `{api}`", super::kind_name(f.kind)));
                continue;
            }
            let why = if f.kind != Kind::String {
                Some(format!("typed {} there", super::kind_name(f.kind)))
            } else if super::infer::looks_name(&f.name) {
                Some("a name field".to_owned())
            } else if numeric {
                text_reason(f, &values)
                    .or_else(|| {
                        (!values.iter().all(|v| is_number(v)))
                            .then(|| format!("the example sends `{}`", values[0]))
                    })
                    .or_else(|| {
                        (target == Kind::Integer && values.iter().any(|v| v.contains('.')))
                            .then(|| "the example has a fraction".to_owned())
                    })
            } else if (target == Kind::Date && f.length.as_deref().is_some_and(|l| l != "8"))
                || (target == Kind::Time && f.length.as_deref().is_some_and(|l| l != "6"))
            {
                Some(format!(
                    "its length is {}",
                    f.length.as_deref().unwrap_or("")
                ))
            } else if target == Kind::Code {
                // Unlisted codes of the list's shape are read as `Other`; a longer value is
                // not a code at all.
                let codes = target_codes.as_deref().unwrap_or_default();
                let longest = codes.iter().map(|c| c.code.len()).max().unwrap_or(0);
                values
                    .iter()
                    .find(|v| !codes.iter().any(|c| c.code == **v) && v.len() > longest)
                    .map(|v| format!("the example sends `{v}`, not a code of the list"))
            } else {
                values
                    .iter()
                    .find(|v| !super::value_fits(target, v) || !kind_value_ok(target, v))
                    .map(|v| format!("the example sends `{v}`"))
            };
            if let Some(why) = why {
                kept.push(format!("{} in `{api}` ({why})", super::kind_name(f.kind)));
                continue;
            }
            let before = super::kind_name(f.kind);
            f.kind = target;
            if let Some(codes) = &target_codes {
                f.codes = codes.clone();
            }
            anomalies.push(Anomaly::rule(
                &api,
                "response-type",
                format!(
                    "`{}` is {before} here but {} elsewhere; typed {}",
                    f.name,
                    super::kind_name(target),
                    super::kind_name(f.kind)
                ),
                "same-name-type",
            ));
        }
        if !kept.is_empty() {
            anomalies.push(Anomaly::rule(
                "-",
                "response-type",
                format!(
                    "`{name}` is {} in most places; kept as {}",
                    super::kind_name(target),
                    kept.join("; ")
                ),
                "same-name-type-kept",
            ));
        }
    }
}

fn kind_value_ok(k: Kind, v: &str) -> bool {
    match k {
        Kind::Date => valid_date(v),
        Kind::Time => valid_time(v),
        _ => true,
    }
}

fn leaf_paths(fields: &[Field], path: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    for (i, f) in fields.iter().enumerate() {
        path.push(i);
        if f.is_block() {
            leaf_paths(&f.fields, path, out);
        } else {
            out.push(path.clone());
        }
        path.pop();
    }
}

fn field_at_ref<'a>(fields: &'a [Field], path: &[usize]) -> Option<&'a Field> {
    let (first, rest) = path.split_first()?;
    let f = fields.get(*first)?;
    if rest.is_empty() {
        Some(f)
    } else {
        field_at_ref(&f.fields, rest)
    }
}

/// The `## Response types` section of the report: the kinds of response leaf fields and what
/// the rules of this module did.
pub fn render_counts(s: &mut String, specs: &[kis_spec::ApiSpec], anomalies: &[Anomaly]) {
    use std::fmt::Write as _;
    fn count(fields: &[Field], by: &mut BTreeMap<&'static str, usize>) {
        for f in fields {
            if f.is_block() {
                count(&f.fields, by);
            } else {
                *by.entry(super::kind_name(f.kind)).or_default() += 1;
            }
        }
    }
    let mut kinds = BTreeMap::new();
    for a in specs {
        count(&a.response.body, &mut kinds);
    }
    let mut rules: BTreeMap<String, usize> = BTreeMap::new();
    for a in anomalies.iter().filter(|a| a.topic == "response-type") {
        if let super::report::Handled::Rule(r) = &a.handled {
            *rules.entry(r.clone()).or_default() += 1;
        }
    }
    let _ = writeln!(
        s,
        "## Response types
"
    );
    let _ = writeln!(
        s,
        "Response fields (REST bodies and realtime columns) by kind, and the `response-type` \
         rules applied (see spec/README.md).\n"
    );
    let _ = writeln!(s, "| what | count |\n|---|---|");
    for (k, n) in &kinds {
        let _ = writeln!(s, "| response fields of kind `{k}` | {n} |");
    }
    for (r, n) in &rules {
        let _ = writeln!(s, "| rule `{r}` | {n} |");
    }
    let _ = writeln!(s);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, label: &str, kind: Kind) -> Field {
        Field {
            name: name.into(),
            label: label.into(),
            wire_type: "string".into(),
            kind,
            sensitive: None,
            required: false,
            blank: false,
            length: None,
            codes: Vec::new(),
            fields: Vec::new(),
            description: String::new(),
        }
    }

    fn seen(v: &[&str]) -> Seen {
        Seen {
            values: v.iter().map(|s| s.to_string()).collect(),
            json_number: false,
        }
    }

    fn codes(list: &[&str]) -> Vec<Code> {
        list.iter()
            .map(|c| Code {
                code: c.to_string(),
                label: "x".into(),
                retired: None,
            })
            .collect()
    }

    #[test]
    fn numbers_follow_label_and_examples() {
        let mut a = Vec::new();
        let mut f = field("last", "현재가", Kind::String);
        refine("-", &mut f, &seen(&["195.2000"]), false, &mut a);
        assert_eq!(f.kind, Kind::Decimal);
        let mut f = field("tvol", "거래량", Kind::String);
        refine("-", &mut f, &seen(&["29159135"]), false, &mut a);
        assert_eq!(f.kind, Kind::Decimal, "foreign volumes may be fractional");
        let mut f = field("askp_csnu3", "매도호가 건수3", Kind::String);
        refine("-", &mut f, &seen(&["21"]), false, &mut a);
        assert_eq!(f.kind, Kind::Integer);
        let mut f = field("pdno", "상품번호", Kind::String);
        refine("-", &mut f, &seen(&["005930"]), true, &mut a);
        assert_eq!(f.kind, Kind::String);
        let mut f = field("x_val", "전일대비부호", Kind::String);
        refine("-", &mut f, &seen(&["33.03"]), true, &mut a);
        assert_eq!(f.kind, Kind::String, "label and examples disagree");
        let mut f = field("mixed", "가격", Kind::String);
        refine("-", &mut f, &seen(&["1", "N/A"]), true, &mut a);
        assert_eq!(f.kind, Kind::String);
        let mut f = field("expires_in", "유효기간", Kind::String);
        f.wire_type = "number".into();
        let mut s = seen(&["86400"]);
        s.json_number = true;
        refine("-", &mut f, &s, false, &mut a);
        assert_eq!(f.kind, Kind::Integer);
        let mut f = field("exdt", "만기일", Kind::String);
        refine("-", &mut f, &seen(&["20240430"]), false, &mut a);
        assert_eq!(f.kind, Kind::Date);
        let mut f = field("khms", "한국기준시간", Kind::String);
        refine("-", &mut f, &seen(&["260000"]), false, &mut a);
        assert_eq!(f.kind, Kind::Time);
        assert!(a.iter().any(|x| x.message.contains("kept text")));
    }

    #[test]
    fn code_lists_follow_the_examples() {
        let mut a = Vec::new();
        let mut f = field("rght_type_cd", "", Kind::Code);
        f.codes = codes(&["1", "11", "12"]);
        refine("-", &mut f, &seen(&["01"]), true, &mut a);
        assert_eq!(
            f.codes.iter().map(|c| c.code.as_str()).collect::<Vec<_>>(),
            ["01", "11", "12"]
        );
        let mut f = field("rsym", "", Kind::Code);
        f.codes = codes(&["NAS", "NYS"]);
        refine("-", &mut f, &seen(&["DNASTSLA"]), false, &mut a);
        assert_eq!(f.kind, Kind::String);
        assert!(f.codes.is_empty());
        let mut f = field("code", "", Kind::Code);
        f.codes = codes(&["HTTP"]);
        let mut s = seen(&["200"]);
        s.json_number = true;
        refine("-", &mut f, &s, false, &mut a);
        assert_eq!(f.kind, Kind::Integer);
        let mut f = field("sign", "", Kind::Code);
        f.codes = codes(&["1", "2"]);
        refine("-", &mut f, &seen(&["0"]), false, &mut a);
        assert_eq!(f.kind, Kind::Code, "an unlisted code is read as Other");
        assert!(a.iter().any(|x| x.message.contains("Other")));
    }

    #[test]
    fn night_times_are_times() {
        assert!(valid_time("260000"));
        assert!(valid_time("000000"));
        assert!(!valid_time("480000"));
        assert!(!valid_time("126000"));
        assert!(valid_date("20260625"));
        assert!(!valid_date("00000000"));
    }
}
