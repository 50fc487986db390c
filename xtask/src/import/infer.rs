//! Infers typed value kinds, code lists and normalized lengths from a field's name, label,
//! length and description.

use kis_spec::{Code, Kind};

/// Name tokens (last `_`-separated token, trailing digits removed) of whole-number fields.
const INTEGER_TOKENS: &[&str] = &["qty", "cnt", "vol", "stqt", "rsqn", "nmpr"];

/// Name tokens of fields that are text or identifiers whatever their label says
/// (`grmn_rate_cls_code` is a code, `item_mgna_rt_name` a name).
pub(super) const STRING_TOKENS: &[&str] = &[
    "name", "nm", "cd", "code", "dvsn", "cls", "sign", "no", "id", "isnm", "cntt", "text", "tp",
];

/// Name tokens of free-text fields: never `code`/`flag`, even when the description lists codes.
const NAME_TOKENS: &[&str] = &["name", "nm", "isnm", "cntt", "text"];

/// Name tokens of numeric fields that may carry decimals (prices, amounts, rates).
const DECIMAL_TOKENS: &[&str] = &[
    "rate", "rt", "ctrt", "prpr", "prc", "pric", "price", "unpr", "amt", "pbmn", "nmix", "oprc",
    "hgpr", "lwpr", "clpr", "sdpr", "mxpr", "llam", "vrss", "pfls", "askp", "bidp", "exrt", "tamt",
    "inrt", "ehrt", "tnrt", "pftrt", "ert", "chgs", "icdc", "per", "pbr", "eps", "bps", "roe",
];

/// The last name token, lower-cased, without trailing digits (`ASKP1` -> `askp`).
pub fn last_token(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let last = lower.rsplit('_').next().unwrap_or("");
    last.trim_end_matches(|c: char| c.is_ascii_digit())
        .to_owned()
}

/// True when the field looks numeric by name or label (used for length normalization).
pub fn looks_decimal(name: &str, label: &str) -> bool {
    let t = last_token(name);
    !STRING_TOKENS.contains(&t.as_str())
        && (DECIMAL_TOKENS.contains(&t.as_str()) || is_ratio_label(label))
}

/// True when the name says whole units (`*_qty`, `*_cnt`, `*_vol`, ...).
pub fn integer_name(name: &str) -> bool {
    let t = last_token(name);
    INTEGER_TOKENS.contains(&t.as_str()) || t.ends_with("qty")
}

/// True when the field is free text by name (`*_name`, `*_nm`, `*_cntt`, ...).
pub fn looks_name(name: &str) -> bool {
    NAME_TOKENS.contains(&last_token(name).as_str())
}

fn is_ratio_label(label: &str) -> bool {
    label.contains('율') || label.contains('률') || label.contains("비율")
}

/// What the length normalization did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LengthFix {
    /// Kept as given.
    Kept,
    /// A decimal encoding (`82`) rewritten as `8.2`.
    Decimal { from: String },
    /// Suspicious but ambiguous; kept as given.
    Ambiguous,
}

/// Normalizes a workbook length: blank becomes `None`; for decimal-looking fields a two-digit
/// length >= 50 (`82`) reads as `8.2` and a three-digit length > 100 not ending in 0 (`182`)
/// reads as `18.2`.
pub fn normalize_length(raw: &str, name: &str, label: &str) -> (Option<String>, LengthFix) {
    let t = raw.trim();
    if t.is_empty() {
        return (None, LengthFix::Kept);
    }
    if !looks_decimal(name, label) || !t.bytes().all(|b| b.is_ascii_digit()) {
        return (Some(t.to_owned()), LengthFix::Kept);
    }
    let n: u64 = t.parse().unwrap_or(0);
    let fixed = match t.len() {
        2 if n >= 50 => Some(format!("{}.{}", &t[..1], &t[1..])),
        3 if n > 100 && !t.ends_with('0') => Some(format!("{}.{}", &t[..2], &t[2..])),
        4.. => return (Some(t.to_owned()), LengthFix::Ambiguous),
        _ => None,
    };
    match fixed {
        Some(f) => (Some(f), LengthFix::Decimal { from: t.to_owned() }),
        None => (Some(t.to_owned()), LengthFix::Kept),
    }
}

/// Extracts a code list from a description, conservatively: every code must be 1-5 ASCII
/// letters/digits followed by `:`, `=` or a tab and a label; at least two codes; and the code
/// lines must be the majority of the description's non-empty pieces.
pub fn codes(description: &str) -> Vec<Code> {
    let text = description.replace("\r\n", "\n").replace('\r', "\n");
    let mut pieces: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.trim().trim_matches(|c| c == '"' || c == '\'').trim();
        if line.is_empty() {
            continue;
        }
        {
            let starts = inline_code_starts(line);
            if starts.len() >= 2 && starts[0] == 0 {
                // `0:발행회사종목코드,1:기초자산종목코드` or `6:NASDAQ 7:NYSE 8:AMEX`.
                let mut bounds = starts.clone();
                bounds.push(line.len());
                if starts[0] > 0 {
                    pieces.push(line[..starts[0]].to_owned());
                }
                for w in bounds.windows(2) {
                    let piece = line[w[0]..w[1]].trim().trim_end_matches([',', '/', ';']);
                    pieces.push(piece.trim().to_owned());
                }
            } else {
                pieces.push(line.to_owned());
            }
        }
    }
    let mut out: Vec<Code> = Vec::new();
    let mut matched = 0usize;
    for p in &pieces {
        if let Some(code) = code_piece(p) {
            matched += 1;
            if !out.iter().any(|c| c.code == code.code) {
                out.push(code);
            }
        }
    }
    if out.len() < 2 || matched * 2 <= pieces.len() {
        return Vec::new();
    }
    // A label that still holds `:` means the list was not understood (e.g. `KRX : J` written
    // label-first); better no list than a wrong one.
    if out
        .iter()
        .any(|c| c.label.contains(" :") || !inline_code_starts(&c.label).is_empty())
    {
        return Vec::new();
    }
    out
}

/// Byte offsets in `line` where an inline `CODE:label` starts: a 1-5 character letter/digit
/// token at the line start or after `,`, `/`, `;` or a space, followed by `:` or `=` and a
/// label that does not start with a digit (so times such as `09:00` are not split).
fn inline_code_starts(line: &str) -> Vec<usize> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let at_boundary = i == 0 || matches!(b[i - 1], b',' | b'/' | b';' | b' ' | b'\t');
        if at_boundary && b[i].is_ascii_alphanumeric() {
            let mut j = i;
            while j < b.len() && b[j].is_ascii_alphanumeric() {
                j += 1;
            }
            let mut k = j;
            while k < b.len() && b[k] == b' ' {
                k += 1;
            }
            let tab = j < b.len() && b[j] == b'\t';
            if tab {
                k = j;
            }
            if j - i <= 5 && k < b.len() && (b[k] == b':' || b[k] == b'=' || tab) {
                // `09:00` is a time, not code 09; `2: 3/4분기` is a code.
                let time_like = !tab && k + 1 < b.len() && b[k + 1].is_ascii_digit();
                if k + 1 < b.len() && !time_like {
                    out.push(i);
                }
            }
            i = j.max(i + 1);
            continue;
        }
        i += 1;
    }
    out
}

fn code_piece(piece: &str) -> Option<Code> {
    let piece = piece.trim();
    let end = piece
        .char_indices()
        .find(|&(_, c)| !c.is_ascii_alphanumeric())
        .map(|(i, _)| i)
        .unwrap_or(piece.len());
    if end == 0 || end > 5 {
        return None;
    }
    let code = &piece[..end];
    let rest = piece[end..].trim_start_matches([' ', '\u{a0}']);
    let rest = rest
        .strip_prefix(':')
        .or_else(|| rest.strip_prefix('='))
        .or_else(|| piece[end..].strip_prefix('\t'))?;
    let mut label = rest.trim().trim_end_matches(',').trim();
    // Drop closing brackets the label never opened (`매수시 사용]`, `코스피200)`).
    while let Some(last) = label.chars().last() {
        let (open, close) = match last {
            ')' => ('(', ')'),
            ']' => ('[', ']'),
            _ => break,
        };
        if label.matches(close).count() > label.matches(open).count() {
            label = label[..label.len() - 1].trim_end();
        } else {
            break;
        }
    }
    if label.is_empty() || label.chars().count() > 60 {
        return None;
    }
    Some(Code {
        code: code.to_owned(),
        label: label.to_owned(),
        retired: None,
    })
}

/// The code list of field `name`: [`codes`], else the other formats the workbook uses for
/// code-like fields (see [`codes_loose`]). A Y/N-only list on a `_YN` field is left to the
/// flag kind.
pub fn codes_for(name: &str, description: &str) -> Vec<Code> {
    let mut found = codes(description);
    if found.is_empty() {
        found = codes_loose(name, description);
    }
    let upper = name.to_ascii_uppercase();
    if upper.ends_with("_YN") && found.iter().all(|c| c.code == "Y" || c.code == "N") {
        return Vec::new();
    }
    found
}

/// Name tokens of fields that take a value from a list (`ORD_DVSN`, `EXCG_ID_DVSN_CD`, ...).
const CODE_TOKENS: &[&str] = &[
    "dvsn", "cd", "code", "cls", "tp", "gb", "gubn", "div", "type", "yn", "sort", "option",
];

fn is_code_name(name: &str) -> bool {
    CODE_TOKENS.contains(&last_token(name).as_str())
}

/// The formats [`codes`] leaves alone, for fields that are not identifiers (`*ISCD*`, `PDNO`)
/// and descriptions that are not examples (`ex)`, `예)`):
/// - `0(전체), 1(콜), 2(풋)`: code, label in brackets;
/// - one code per line with a space or `@` between code and label (`00 전체` / `01@정정`),
///   or `%%` as a code (`%% : 전체 / 01 : 체결`);
/// - label first: `한국거래소 : KRX` (English upper-case codes);
/// - a list inside brackets after a caption: `거래불가종목제외(0:미체크,1:체크)`;
/// - a list after bracketed captions: `[매도] 22 : 유통대주신규, 24 : ...`;
/// - a single code, on code-like names only: `00 : 전체`, `W(Unique key)`, `03 입력`.
pub fn codes_loose(name: &str, description: &str) -> Vec<Code> {
    let upper = name.to_ascii_uppercase();
    let lower_desc = description.to_lowercase();
    if upper.contains("ISCD")
        || upper == "PDNO"
        || lower_desc.contains("ex)")
        || lower_desc.contains("ex.")
        || lower_desc.contains("예)")
        || lower_desc.contains("예시")
    {
        return Vec::new();
    }
    let text = description
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim()
        .trim_matches(|c| c == '\'' || c == '"')
        .trim()
        .to_owned();
    if text.is_empty() {
        return Vec::new();
    }
    let code_name = is_code_name(name);
    let lists = [
        paren_codes(&text),
        line_codes(&text),
        label_first_codes(&text),
        inner_codes(&text),
        bracket_prefixed_codes(&text),
    ];
    for list in lists {
        if list.len() >= 2 || (list.len() == 1 && code_name) {
            return list;
        }
    }
    if code_name {
        if let Some(c) = single_code(&text) {
            return vec![c];
        }
    }
    Vec::new()
}

fn code_token(s: &str) -> bool {
    !s.is_empty() && s.len() <= 5 && (s == "%%" || s.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn push_code(out: &mut Vec<Code>, code: &str, label: &str) -> bool {
    let label = label.trim().trim_end_matches([',', '/']).trim();
    if !code_token(code) || label.is_empty() || label.contains(':') || label.chars().count() > 60 {
        return false;
    }
    if !out.iter().any(|c| c.code == code) {
        out.push(Code {
            code: code.to_owned(),
            label: label.to_owned(),
            retired: None,
        });
    }
    true
}

/// `0(전체), 1(콜)`: the whole text is `CODE(label)` items separated by commas, spaces or line
/// breaks.
fn paren_codes(text: &str) -> Vec<Code> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace() || c == '\'');
        if rest.is_empty() {
            return out;
        }
        let Some(open) = rest.find('(') else {
            return Vec::new();
        };
        let code = rest[..open].trim();
        let Some(close) = rest[open..].find(')') else {
            return Vec::new();
        };
        if !push_code(&mut out, code, &rest[open + 1..open + close]) {
            return Vec::new();
        }
        rest = &rest[open + close + 1..];
    }
}

/// One `CODE<sep>label` per line (`00 전체`, `01@정정`, `%% : 전체`), or ` / `-separated.
fn line_codes(text: &str) -> Vec<Code> {
    let mut out = Vec::new();
    for line in text.split(['\n']).flat_map(|l| l.split(" / ")) {
        let line = line.trim().trim_matches(|c| c == '\'' || c == '"').trim();
        if line.is_empty() {
            continue;
        }
        let end = line
            .char_indices()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '%'))
            .map_or(line.len(), |(i, _)| i);
        let (code, rest) = line.split_at(end);
        let Some(label) = rest
            .trim_start()
            .strip_prefix(':')
            .or_else(|| rest.strip_prefix('@'))
            .or_else(|| rest.strip_prefix(' '))
        else {
            return Vec::new();
        };
        if label.trim().starts_with(|c: char| c.is_ascii_digit())
            || !push_code(&mut out, code, label)
        {
            return Vec::new();
        }
    }
    out
}

/// `한국거래소 : KRX` lines (notes starting `→` or `※` ignored).
fn label_first_codes(text: &str) -> Vec<Code> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with(['→', '※', '*']) {
            continue;
        }
        let Some((label, code)) = line.rsplit_once(':') else {
            return Vec::new();
        };
        let code = code.trim();
        if label.contains([':', ','])
            || !code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            || !push_code(&mut out, code, label)
        {
            return Vec::new();
        }
    }
    if out.iter().all(|c| c.label.is_ascii()) {
        return Vec::new();
    }
    out
}

/// `거래불가종목제외(0:미체크,1:체크)`: a list inside the first bracket.
fn inner_codes(text: &str) -> Vec<Code> {
    let (Some(open), Some(close)) = (text.find('('), text.rfind(')')) else {
        return Vec::new();
    };
    if close <= open || !text[close + 1..].trim().is_empty() {
        return Vec::new();
    }
    codes(&text[open + 1..close])
}

/// `[매도] 22 : 유통대주신규, 24 : 자기대주신규`: captions in brackets removed.
fn bracket_prefixed_codes(text: &str) -> Vec<Code> {
    if !text.starts_with('[') {
        return Vec::new();
    }
    let mut plain = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find(']') else {
            return Vec::new();
        };
        let caption = &rest[open + 1..open + close];
        if caption.contains(':') || caption.bytes().any(|b| b.is_ascii_digit()) {
            return Vec::new();
        }
        plain.push_str(&rest[..open]);
        plain.push('\n');
        rest = &rest[open + close + 1..];
    }
    plain.push_str(rest);
    codes(&plain)
}

/// A single code: `00 : 전체`, `W(Unique key)`, `03 입력`, `1 : 시간외 (Default)`.
fn single_code(text: &str) -> Option<Code> {
    if text.lines().count() != 1 {
        return None;
    }
    let mut out = Vec::new();
    if let Some(c) = code_piece(text).filter(|c| !c.label.contains(':')) {
        return Some(c);
    }
    let p = paren_codes(text);
    if p.len() == 1 {
        return p.into_iter().next();
    }
    let (code, label) = text.split_once(' ')?;
    if label.trim() == "입력" && push_code(&mut out, code, "입력") {
        return out.pop();
    }
    None
}

/// Markers of a required request field that KIS accepts blank (`공란`, `공백`, `미입력시`,
/// `Null 값 설정`, `""`).
const BLANK_MARKERS: &[&str] = &[
    "공란",
    "공백",
    "미입력",
    "null",
    "\"\"",
    "빈값",
    "빈 값",
    "입력 안함",
    "입력안함",
];

/// Whether a required request field may be sent blank: the description says so, the request
/// example sends it empty, or it is a continuation key.
pub fn blank_allowed(name: &str, description: &str, example: Option<&str>) -> bool {
    let d = description.to_lowercase();
    let upper = name.to_ascii_uppercase();
    let negated = [
        "비우지 않",
        "공백 불가",
        "공란 불가",
        "공백불가",
        "공란불가",
    ]
    .iter()
    .any(|m| d.contains(m));
    (!negated && BLANK_MARKERS.iter().any(|m| d.contains(m)))
        || example == Some("")
        || upper.starts_with("CTX_AREA_")
        || matches!(
            upper.as_str(),
            "KEYB" | "INDEX_KEY" | "CTS_KEY" | "NEXT" | "CTS"
        )
}

/// Whether a text request field is a `YYYYMMDD` date the workbook typed as text (e.g.
/// `FID_INPUT_DATE_1` of length 10): a date-like name or label, length 8 or 10, and no
/// `00YYYYMMDD` form in the description.
pub fn request_date(name: &str, label: &str, length: Option<&str>, description: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let base = upper.trim_end_matches(|c: char| c.is_ascii_digit() || c == '_');
    let named = base.ends_with("_DATE")
        || base.ends_with("_DT")
        || base == "BYMD"
        || label.contains("일자")
        || label.contains("날짜");
    let d = description.to_ascii_uppercase();
    let zero_prefixed = d.contains("00YYYYMMDD")
        || d.as_bytes()
            .windows(10)
            .any(|w| w.starts_with(b"00") && w.iter().all(|b| b.is_ascii_digit()));
    named && matches!(length, Some("8") | Some("10")) && !zero_prefixed
}

fn is_flag_codes(codes: &[Code]) -> bool {
    codes.len() == 2 && codes.iter().any(|c| c.code == "Y") && codes.iter().any(|c| c.code == "N")
}

/// Domestic stock price tokens that are whole KRW amounts when the name starts with `stck_`.
const KRW_PRICE_TOKENS: &[&str] = &[
    "prpr", "oprc", "hgpr", "lwpr", "clpr", "sdpr", "mxpr", "llam",
];

/// Infers the kind of a leaf field. `domestic` is true for KRW-denominated categories, the only
/// ones where quantities and `stck_*` prices are read as whole numbers (overseas quantities carry
/// decimals, e.g. `1.00000000`).
pub fn kind(
    name: &str,
    label: &str,
    length: Option<&str>,
    description: &str,
    codes: &[Code],
    domestic: bool,
) -> Kind {
    let lower = name.to_ascii_lowercase();
    let label = label.trim();
    let desc = description.trim();
    let token = last_token(name);
    if NAME_TOKENS.contains(&token.as_str()) {
        // A name field whose description lists code -> name pairs carries the names.
        return Kind::String;
    }
    if !codes.is_empty() {
        return if is_flag_codes(codes) {
            Kind::Flag
        } else {
            Kind::Code
        };
    }
    let len_is = |n: &str| length.is_none_or(|l| l == n);
    if (lower.ends_with("_yn") || desc == "Y/N" || desc == "Y / N") && len_is("1") {
        return Kind::Flag;
    }
    if (lower.ends_with("_dt")
        || lower.ends_with("_date")
        || lower == "date"
        || label.ends_with("일자"))
        && length == Some("8")
    {
        return Kind::Date;
    }
    if (lower.ends_with("_tmd")
        || lower.ends_with("_hour")
        || label.ends_with("시간")
        || label.ends_with("시각"))
        && length == Some("6")
    {
        return Kind::Time;
    }
    if STRING_TOKENS.contains(&token.as_str()) {
        return Kind::String;
    }
    if length.is_some_and(|l| l.contains('.')) {
        return Kind::Decimal;
    }
    let integer_token = INTEGER_TOKENS.contains(&token.as_str()) || token.ends_with("qty");
    if domestic && integer_token {
        return Kind::Integer;
    }
    if domestic && lower.starts_with("stck_") && KRW_PRICE_TOKENS.contains(&token.as_str()) {
        return Kind::Integer;
    }
    if integer_token {
        return Kind::Decimal;
    }
    if DECIMAL_TOKENS.contains(&token.as_str()) || is_ratio_label(label) {
        return Kind::Decimal;
    }
    Kind::String
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(list: &[(&str, &str)]) -> Vec<Code> {
        list.iter()
            .map(|(c, l)| Code {
                code: c.to_string(),
                label: l.to_string(),
                retired: None,
            })
            .collect()
    }

    #[test]
    fn code_lists() {
        assert_eq!(
            codes("J:KRX, NX:NXT, UN:통합"),
            c(&[("J", "KRX"), ("NX", "NXT"), ("UN", "통합")])
        );
        assert_eq!(
            codes("00 : 지정가\r\n01 : 시장가"),
            c(&[("00", "지정가"), ("01", "시장가")])
        );
        assert_eq!(
            codes(" 1\t유상\r\n2\t무상"),
            c(&[("1", "유상"), ("2", "무상")])
        );
        assert_eq!(
            codes("B : 법인 / P : 개인"),
            c(&[("B", "법인"), ("P", "개인")])
        );
        assert!(codes("계좌번호 체계(8-2)의 앞 8자리").is_empty());
        assert_eq!(
            codes("0:발행회사,1:기초자산, 2:시장(KRX)"),
            c(&[("0", "발행회사"), ("1", "기초자산"), ("2", "시장(KRX)")])
        );
        assert_eq!(
            codes("6:NASDAQ 7:NYSE 8:AMEX"),
            c(&[("6", "NASDAQ"), ("7", "NYSE"), ("8", "AMEX")])
        );
        assert!(codes("장 시작 09:00, 종료 15:30").is_empty());
        assert_eq!(
            codes("0: 1/4분기, 1: 반기, 2: 3/4분기"),
            c(&[("0", "1/4분기"), ("1", "반기"), ("2", "3/4분기")])
        );
        assert!(codes("KRX : J, NXT : NX, 통합 : UN").is_empty());
        assert_eq!(
            codes("Q:코스닥\nK2:코스피200)"),
            c(&[("Q", "코스닥"), ("K2", "코스피200")])
        );
        assert!(codes("[구분 01: 매도, 02: 매수시 사용]").is_empty());
        assert_eq!(
            codes("01 : 종목별\n02 : 일자별 (매수순번: 0 입력)"),
            c(&[("01", "종목별"), ("02", "일자별 (매수순번: 0 입력)")])
        );
        assert!(codes("ex) 01011112222").is_empty());
        assert!(codes("조회시작일자(YYYYMMDD)").is_empty());
    }

    #[test]
    fn blanks() {
        assert!(blank_allowed("OFL_YN", "공란(Default)", None));
        assert!(blank_allowed("ORD_GNO_BRNO", "\"\" (Null 값 설정)", None));
        assert!(blank_allowed("X", "", Some("")));
        assert!(blank_allowed("CTX_AREA_FK100", "", None));
        assert!(!blank_allowed(
            "OVRS_ORD_UNPR",
            "1주당 가격\n* 시장가의 경우 1주당 가격을 공란으로 비우지 않음 \"0\"으로 입력",
            Some("5.00")
        ));
        assert!(!blank_allowed("PDNO", "종목코드", Some("005930")));
    }

    #[test]
    fn loose_code_lists() {
        let l = |n: &str, d: &str| {
            codes_for(n, d)
                .into_iter()
                .map(|c| (c.code, c.label))
                .collect::<Vec<_>>()
        };
        let o = |v: &[(&str, &str)]| {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            l("FID_DIV_CLS_CODE", "0(전체), 1(콜), 2(풋)"),
            o(&[("0", "전체"), ("1", "콜"), ("2", "풋")])
        );
        assert_eq!(
            l("CCLD_DVSN", "'00 전체\n01 체결\n02 미체결'"),
            o(&[("00", "전체"), ("01", "체결"), ("02", "미체결")])
        );
        assert_eq!(
            l("RVSE_CNCL_DVSN_CD", "01@정정\n02@취소"),
            o(&[("01", "정정"), ("02", "취소")])
        );
        assert_eq!(
            l("CCLD_NCCS_DVSN", "%% : 전체 / 01 : 체결 / 02 : 미체결"),
            o(&[("%%", "전체"), ("01", "체결"), ("02", "미체결")])
        );
        assert_eq!(
            l(
                "EXCG_ID_DVSN_CD",
                "한국거래소 : KRX\n대체거래소 (넥스트레이드) : NXT\nSOR (Smart Order Routing) : SOR\n→ 미입력시 KRX"
            ),
            o(&[
                ("KRX", "한국거래소"),
                ("NXT", "대체거래소 (넥스트레이드)"),
                ("SOR", "SOR (Smart Order Routing)")
            ])
        );
        assert_eq!(
            l(
                "FID_TRGT_EXLS_CLS_CODE",
                "거래불가종목제외(0:미체크,1:체크)"
            ),
            o(&[("0", "미체크"), ("1", "체크")])
        );
        assert_eq!(
            l(
                "CRDT_TYPE",
                "[매도] 22 : 유통대주신규, 24 : 자기대주신규\n[매수] 21 : 자기융자신규"
            ),
            o(&[
                ("22", "유통대주신규"),
                ("24", "자기대주신규"),
                ("21", "자기융자신규")
            ])
        );
        assert_eq!(l("INQR_DVSN", "00 : 전체"), o(&[("00", "전체")]));
        assert_eq!(l("INQR_DVSN", "03 입력"), o(&[("03", "입력")]));
        assert_eq!(
            l("FID_COND_MRKT_DIV_CODE", "W(Unique key)"),
            o(&[("W", "Unique key")])
        );
        // Examples and identifiers are not lists; nor is a single code on a non-code name.
        assert!(l("FID_INPUT_ISCD", "00000(전체), 00003(한국투자증권)").is_empty());
        assert!(l("FID_UNAS_INPUT_ISCD2", "ex) 000000(전체), 2001(코스피200)").is_empty());
        assert!(l("ORD_QTY", "1 : 한 주").is_empty());
        assert!(l("FNCG_AMT_AUTO_RDPT_YN", "N : 기본값").is_empty());
        assert!(l("FID_INPUT_DATE_1", "입력 날짜(20241023)").is_empty());
        assert!(l("X_CODE", "KRX : J, NXT : NX, 통합 : UN").is_empty());
    }

    #[test]
    fn kinds() {
        let k = |n: &str, l: &str, len: &str, d: &str| kind(n, l, Some(len), d, &[], true);
        assert_eq!(k("INQR_STRT_DT", "조회시작일자", "8", ""), Kind::Date);
        assert_eq!(k("stck_cntg_hour", "주식 체결 시간", "6", ""), Kind::Time);
        assert_eq!(k("POPUP_YN", "표시여부", "1", "Y/N"), Kind::Flag);
        assert_eq!(k("cntg_qty", "체결 수량", "10", ""), Kind::Integer);
        assert_eq!(k("prdy_ctrt", "전일 대비율", "8.2", ""), Kind::Decimal);
        assert_eq!(k("PDNO", "상품번호", "12", ""), Kind::String);
        assert_eq!(k("CANO", "종합계좌번호", "8", ""), Kind::String);
        assert_eq!(k("stck_prpr", "현재가", "10", ""), Kind::Integer);
        assert_eq!(k("ovrs_prpr", "현재가", "10", ""), Kind::Decimal);
        assert_eq!(
            k("grmn_rate_cls_code", "보증금 비율 구분 코드", "3", ""),
            Kind::String
        );
        assert_eq!(
            k("item_mgna_rt_name", "종목증거금율명", "20", ""),
            Kind::String
        );
        assert_eq!(k("thdt_buyqty", "금일매수수량", "10", ""), Kind::Integer);
        assert_eq!(k("per", "PER", "8", ""), Kind::Decimal);
        assert_eq!(
            normalize_length("82", "per", "PER").0.as_deref(),
            Some("8.2")
        );
        assert_eq!(
            kind("ord_qty", "주문수량", Some("10"), "", &[], false),
            Kind::Decimal
        );
        let yn = c(&[("Y", "예"), ("N", "아니오")]);
        assert_eq!(kind("X", "", Some("1"), "", &yn, true), Kind::Flag);
        let refusal = c(&[("0", "승인"), ("1", "거부")]);
        assert_eq!(
            kind("RFUS_YN", "", Some("1"), "", &refusal, true),
            Kind::Code
        );
    }

    #[test]
    fn lengths() {
        assert_eq!(
            normalize_length("82", "prdy_ctrt", "전일 대비율")
                .0
                .as_deref(),
            Some("8.2")
        );
        assert_eq!(
            normalize_length("182", "usd_objt_amt", "").0.as_deref(),
            Some("18.2")
        );
        assert_eq!(
            normalize_length("19", "tax_amt", "").0.as_deref(),
            Some("19")
        );
        assert_eq!(
            normalize_length("100", "CTX_AREA_NK100", "").0.as_deref(),
            Some("100")
        );
        assert_eq!(normalize_length("82", "PDNO", "").0.as_deref(), Some("82"));
        assert_eq!(normalize_length(" ", "x", "").0, None);
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn codes_come_from_the_text(desc in "[ -~가-힣\t\r\n:=,/()@%\\[\\]]{0,120}") {
            for c in codes(&desc).into_iter().chain(codes_for("X_DVSN", &desc)) {
                prop_assert!(desc.contains(&c.code));
                prop_assert!(desc.contains(&c.label));
                prop_assert!(!c.code.is_empty() && c.code.len() <= 5);
            }
        }

        #[test]
        fn generated_code_lists_round_trip(
            list in proptest::collection::btree_map("[A-Z0-9]{1,3}", "[가-힣]{1,6}", 2..6),
            sep in prop_oneof![Just(", "), Just("\r\n"), Just("\n")],
            colon in prop_oneof![Just(":"), Just(" : "), Just("\t")],
        ) {
            let text: Vec<String> = list.iter().map(|(c, l)| format!("{c}{colon}{l}")).collect();
            let got = codes(&text.join(sep));
            let want: Vec<Code> = list
                .iter()
                .map(|(c, l)| Code { code: c.clone(), label: l.clone(), retired: None })
                .collect();
            prop_assert_eq!(got, want);
        }

        #[test]
        fn lengths_never_panic_and_keep_digits(raw in "[0-9 .]{0,6}", name in "[a-z_]{1,12}") {
            let (len, _) = normalize_length(&raw, &name, "");
            if let Some(l) = len {
                let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
                prop_assert_eq!(digits(&l), digits(raw.trim()));
            }
        }
    }
}
