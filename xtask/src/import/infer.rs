//! Infers typed value kinds, code lists and normalized lengths from a field's name, label,
//! length and description.

use kis_spec::{Code, Kind};

/// Name tokens (last `_`-separated token, trailing digits removed) of whole-number fields.
const INTEGER_TOKENS: &[&str] = &["qty", "cnt", "vol", "stqt", "rsqn", "nmpr"];

/// Name tokens of fields that are text or identifiers whatever their label says
/// (`grmn_rate_cls_code` is a code, `item_mgna_rt_name` a name).
const STRING_TOKENS: &[&str] = &[
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
fn last_token(name: &str) -> String {
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
    })
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
        fn codes_come_from_the_text(desc in "[ -~가-힣\t\r\n:=,/]{0,120}") {
            for c in codes(&desc) {
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
                .map(|(c, l)| Code { code: c.clone(), label: l.clone() })
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
