//! Parses the workbook's TR ID cells (`(매도) TTTC0011U (매수) TTTC0012U`, `모의투자 미지원`, ...)
//! into named variants with a real and a paper TR ID.

use kis_spec::TrVariant;

/// One TR ID found in a cell, with the label that names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labelled {
    /// Korean label (parenthesized text next to the TR ID), empty when there is none.
    pub label: String,
    /// The TR ID.
    pub tr: String,
}

/// The parse of one TR ID cell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cell {
    /// TR IDs in order.
    pub trs: Vec<Labelled>,
    /// Parenthesized notes not attached to a TR ID (e.g. `아시아 국가 하단 규격서 참고`).
    pub notes: Vec<String>,
    /// The cell says the environment is not supported (`모의투자 미지원`, `미지원`, `미제공`).
    pub unsupported: bool,
}

fn is_tr_token(s: &str) -> bool {
    (8..=13).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes().any(|b| b.is_ascii_uppercase())
}

#[derive(Debug)]
enum Tok {
    Paren(String),
    Tr(String),
    Other(String),
}

fn tokenize(cell: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let chars: Vec<char> = cell.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '(' {
            let mut depth = 1;
            let mut j = i + 1;
            while j < chars.len() && depth > 0 {
                if chars[j] == '(' {
                    depth += 1;
                } else if chars[j] == ')' {
                    depth -= 1;
                }
                j += 1;
            }
            let inner: String = chars[i + 1..j.saturating_sub(1).max(i + 1)]
                .iter()
                .collect();
            out.push(Tok::Paren(inner.trim().to_owned()));
            i = j;
        } else if c.is_ascii_alphanumeric() {
            let mut j = i;
            while j < chars.len() && chars[j].is_ascii_alphanumeric() {
                j += 1;
            }
            let word: String = chars[i..j].iter().collect();
            if is_tr_token(&word) {
                out.push(Tok::Tr(word));
            } else {
                out.push(Tok::Other(word));
            }
            i = j;
        } else if c.is_whitespace() || c == ',' {
            i += 1;
        } else {
            let mut j = i;
            while j < chars.len() && !chars[j].is_whitespace() && chars[j] != '(' {
                j += 1;
            }
            out.push(Tok::Other(chars[i..j].iter().collect()));
            i = j;
        }
    }
    out
}

/// Parses one TR ID cell.
pub fn parse_cell(cell: &str) -> Cell {
    let cell = cell.trim();
    let mut out = Cell::default();
    if cell.is_empty() {
        return out;
    }
    let toks = tokenize(cell);
    let starts_with_tr = matches!(toks.first(), Some(Tok::Tr(_)));
    let mut pending: Vec<String> = Vec::new();
    // `(야간 매수/매도) (구) JTCE1001U (신) STTN1101U`: the outer label carries to `(신)`.
    let mut context: Option<String> = None;
    for (k, tok) in toks.iter().enumerate() {
        match tok {
            Tok::Paren(p) => {
                if starts_with_tr {
                    // Labels follow their TR ID: `TTTC2201R(기존 KRX만 가능), TTTC2210R (KRX,NXT/SOR)`.
                    let prev_is_tr = k > 0 && matches!(toks[k - 1], Tok::Tr(_));
                    if prev_is_tr {
                        if let Some(last) = out.trs.last_mut() {
                            if last.label.is_empty() {
                                last.label = p.clone();
                                continue;
                            }
                        }
                    }
                    out.notes.push(p.clone());
                } else {
                    pending.push(p.clone());
                }
            }
            Tok::Tr(tr) => {
                let old_new = |p: &str| p == "구" || p == "신";
                let mut label = pending.join(" ");
                if pending.len() >= 2 && pending.last().is_some_and(|p| old_new(p)) {
                    context = Some(pending[..pending.len() - 1].join(" "));
                } else if pending.len() == 1 && old_new(&pending[0]) {
                    if let Some(c) = &context {
                        label = format!("{c} {}", pending[0]);
                    }
                } else {
                    context = None;
                }
                out.trs.push(Labelled {
                    label,
                    tr: tr.clone(),
                });
                pending.clear();
            }
            Tok::Other(w) => pending.push(w.clone()),
        }
    }
    if !pending.is_empty() {
        out.notes.push(pending.join(" "));
    }
    let lower = cell.replace(' ', "");
    if out.trs.is_empty() && (lower.contains("미지원") || lower.contains("미제공")) {
        out.unsupported = true;
    }
    for n in &out.notes {
        if n.contains("미지원") || n.contains("미제공") {
            out.unsupported = true;
        }
    }
    if out.trs.is_empty() && out.unsupported {
        out.notes.clear();
    }
    out
}

/// Korean label fragments and the ASCII name pieces they map to, most specific first.
const LABELS: &[(&str, &str)] = &[
    ("3개월이내", "within_3m"),
    ("3개월이전", "before_3m"),
    ("미국예약매수", "us_buy"),
    ("미국예약매도", "us_sell"),
    ("중국/홍콩/일본/베트남 예약주문", "asia"),
    ("일본/중국/홍콩/베트남", "asia"),
    ("미국 예약주문 취소접수", "us"),
    ("미국 정정·취소", "us"),
    ("미국매수", "us_buy"),
    ("미국매도", "us_sell"),
    ("주간매수", "day_buy"),
    ("주간매도", "day_sell"),
    ("주간 매수/매도", "day"),
    ("야간 매수/매도", "night"),
    ("주간 정정/취소", "day"),
    ("야간 정정/취소", "night"),
    ("예약취소", "cancel"),
    ("예약정정", "modify"),
    ("기존 KRX만 가능", "krx"),
    ("KRX,NXT/SOR", "krx_nxt_sor"),
    ("미국", "us"),
    ("매도", "sell"),
    ("매수", "buy"),
    ("정정", "modify"),
    ("취소", "cancel"),
    ("구", "old"),
    ("신", "new"),
];

/// Country names in per-country TR lists (`TTTS0308U : 일본 매수 주문`).
const COUNTRIES: &[(&str, &str)] = &[
    ("미국", "us"),
    ("홍콩", "hk"),
    ("일본", "jp"),
    ("상해", "sh"),
    ("심천", "sz"),
    ("베트남", "vn"),
];

/// Maps a Korean label to an ASCII snake name, `None` when a piece is unknown.
pub fn label_name(label: &str) -> Option<String> {
    let label = label.trim();
    if label.is_empty() {
        return Some("default".into());
    }
    // A label may be several parenthesized pieces joined by spaces: `야간 매수/매도 구`.
    if let Some((_, name)) = LABELS.iter().find(|(k, _)| *k == label) {
        return Some((*name).to_owned());
    }
    let mut rest = label;
    let mut parts = Vec::new();
    while !rest.is_empty() {
        let (k, name) = LABELS.iter().find(|(k, _)| rest.starts_with(k))?;
        parts.push(*name);
        rest = rest[k.len()..].trim_start();
    }
    Some(parts.join("_"))
}

/// Parses a per-country list from a `tr_id` field description:
/// `[실전투자]\nTTTT1002U : 미국 매수 주문\n...\n[모의투자]\nVTTT1002U : 미국 매수 주문`.
/// Returns `(name, label, real, paper)` rows, `None` when the text is not such a list.
pub fn per_country(description: &str) -> Option<Vec<TrVariant>> {
    let text = description.replace("\r\n", "\n");
    let mut real = true;
    let mut out: Vec<TrVariant> = Vec::new();
    for line in text.lines() {
        let line = line.trim().trim_matches('\'');
        if line.is_empty() {
            continue;
        }
        if line.contains("[실전투자]") {
            real = true;
            continue;
        }
        if line.contains("[모의투자]") {
            real = false;
            continue;
        }
        let (tr, label) = line.split_once(':')?;
        let (tr, label) = (tr.trim(), label.trim());
        if !is_tr_token(tr) {
            return None;
        }
        let (_, country) = COUNTRIES.iter().find(|(k, _)| label.starts_with(k))?;
        let action = if label.contains("매수") {
            "_buy"
        } else if label.contains("매도") {
            "_sell"
        } else {
            ""
        };
        let name = format!("{country}{action}");
        let short = label.trim_end_matches("주문").trim().to_owned();
        if let Some(v) = out.iter_mut().find(|v| v.name == name) {
            if real {
                v.real = Some(tr.to_owned());
            } else {
                v.paper = Some(tr.to_owned());
            }
        } else {
            out.push(TrVariant {
                name,
                label: short,
                real: real.then(|| tr.to_owned()),
                paper: (!real).then(|| tr.to_owned()),
                deprecated: false,
                aliases: Vec::new(),
            });
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The result of pairing the real and paper cells.
#[derive(Debug, Default)]
pub struct Paired {
    /// Variants in order.
    pub variants: Vec<TrVariant>,
    /// Problems (unknown labels, unpaired paper TR IDs, ...), for the report.
    pub problems: Vec<String>,
    /// The cells refer to the per-country list in the sheet (`아시아 국가 하단 규격서 참고`).
    pub see_sheet: bool,
}

/// Pairs the real and paper TR ID cells into variants.
pub fn pair(real_cell: &str, paper_cell: &str) -> Paired {
    let real = parse_cell(real_cell);
    let paper = parse_cell(paper_cell);
    let mut out = Paired {
        see_sheet: real
            .notes
            .iter()
            .chain(&paper.notes)
            .any(|n| n.contains("하단 규격서")),
        ..Paired::default()
    };
    for n in real.notes.iter().chain(&paper.notes) {
        let known = n.contains("하단 규격서") || n.contains("미지원") || n.contains("미제공");
        if !known {
            out.problems
                .push(format!("unparsed note `{n}` in TR ID cell"));
        }
    }
    // A single unlabelled TR on each side: the default variant.
    let single = |c: &Cell| c.trs.len() == 1 && c.trs[0].label.is_empty();
    if single(&real) && (paper.trs.is_empty() || single(&paper)) {
        out.variants.push(TrVariant {
            name: "default".into(),
            label: String::new(),
            real: Some(real.trs[0].tr.clone()),
            paper: paper.trs.first().map(|t| t.tr.clone()),
            deprecated: false,
            aliases: Vec::new(),
        });
        return out;
    }
    if real.trs.is_empty() && single(&paper) {
        out.variants.push(TrVariant {
            name: "default".into(),
            label: String::new(),
            real: None,
            paper: Some(paper.trs[0].tr.clone()),
            deprecated: false,
            aliases: Vec::new(),
        });
        return out;
    }
    for t in &real.trs {
        let Some(name) = label_name(&t.label) else {
            out.problems
                .push(format!("unknown TR label `{}` for {}", t.label, t.tr));
            continue;
        };
        if out.variants.iter().any(|v| v.name == name) {
            out.problems
                .push(format!("duplicate variant `{name}` for {}", t.tr));
            continue;
        }
        out.variants.push(TrVariant {
            name,
            label: t.label.clone(),
            real: Some(t.tr.clone()),
            paper: None,
            deprecated: false,
            aliases: Vec::new(),
        });
    }
    for t in &paper.trs {
        let Some(name) = label_name(&t.label) else {
            out.problems
                .push(format!("unknown paper TR label `{}` for {}", t.label, t.tr));
            continue;
        };
        // `(주간 매수/매도) VTTO1101U` pairs with the real `day` variant.
        match out.variants.iter_mut().find(|v| v.name == name) {
            Some(v) => v.paper = Some(t.tr.clone()),
            None => out.variants.push(TrVariant {
                name,
                label: t.label.clone(),
                real: None,
                paper: Some(t.tr.clone()),
                deprecated: false,
                aliases: Vec::new(),
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(p: &Paired) -> Vec<(String, Option<String>, Option<String>)> {
        p.variants
            .iter()
            .map(|v| (v.name.clone(), v.real.clone(), v.paper.clone()))
            .collect()
    }

    fn s(x: &str) -> Option<String> {
        Some(x.to_owned())
    }

    #[test]
    fn single_and_unsupported() {
        let p = pair("CTRGA011R", "모의투자 미지원");
        assert_eq!(names(&p), vec![("default".into(), s("CTRGA011R"), None)]);
        assert!(p.problems.is_empty());
        let p = pair("TTTC8434R", "VTTC8434R");
        assert_eq!(
            names(&p),
            vec![("default".into(), s("TTTC8434R"), s("VTTC8434R"))]
        );
        let p = pair("HHDFS76220000 ", "미지원 ");
        assert_eq!(
            names(&p),
            vec![("default".into(), s("HHDFS76220000"), None)]
        );
    }

    #[test]
    fn sell_buy() {
        let p = pair(
            "(매도) TTTC0011U (매수) TTTC0012U",
            "(매도) VTTC0011U (매수) VTTC0012U",
        );
        assert_eq!(
            names(&p),
            vec![
                ("sell".into(), s("TTTC0011U"), s("VTTC0011U")),
                ("buy".into(), s("TTTC0012U"), s("VTTC0012U"))
            ]
        );
    }

    #[test]
    fn trailing_labels_and_day_night() {
        let p = pair(
            "TTTC2201R(기존 KRX만 가능), TTTC2210R (KRX,NXT/SOR)",
            "모의투자 미지원",
        );
        assert_eq!(
            names(&p),
            vec![
                ("krx".into(), s("TTTC2201R"), None),
                ("krx_nxt_sor".into(), s("TTTC2210R"), None)
            ]
        );
        let p = pair(
            "(주간 매수/매도) TTTO1101U (야간 매수/매도) (구) JTCE1001U (신) STTN1101U",
            "(주간 매수/매도) VTTO1101U (야간은 모의투자 미제공)",
        );
        assert_eq!(
            names(&p),
            vec![
                ("day".into(), s("TTTO1101U"), s("VTTO1101U")),
                ("night_old".into(), s("JTCE1001U"), None),
                ("night_new".into(), s("STTN1101U"), None)
            ]
        );
        assert!(p.problems.is_empty(), "{:?}", p.problems);
    }

    #[test]
    fn per_country_list() {
        let v = per_country("[실전투자]\r\nTTTT1002U : 미국 매수 주문\r\nTTTS0308U : 일본 매수 주문\r\n\r\n[모의투자]\r\nVTTT1002U : 미국 매수 주문").unwrap();
        assert_eq!(v[0].name, "us_buy");
        assert_eq!(v[0].paper.as_deref(), Some("VTTT1002U"));
        assert_eq!(v[1].name, "jp_buy");
        assert_eq!(v[1].paper, None);
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn every_tr_id_comes_from_a_cell(real in "[ -~가-힣()]{0,80}", paper in "[ -~가-힣()]{0,80}") {
            let p = pair(&real, &paper);
            for v in &p.variants {
                prop_assert!(v.real.is_some() || v.paper.is_some());
                if let Some(r) = &v.real { prop_assert!(real.contains(r.as_str())); }
                if let Some(t) = &v.paper { prop_assert!(paper.contains(t.as_str())); }
            }
        }

        #[test]
        fn labelled_pairs_pair_up(
            trs in proptest::collection::vec("[A-Z]{4}[0-9]{4}[RU]", 1..4),
        ) {
            let labels = ["매도", "매수", "구"];
            let cell = |prefix: char| -> String {
                trs.iter()
                    .zip(labels)
                    .map(|(t, l)| format!("({l}) {prefix}{}", &t[1..]))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let p = pair(&cell('T'), &cell('V'));
            prop_assert!(p.problems.is_empty(), "{:?}", p.problems);
            prop_assert_eq!(p.variants.len(), trs.len());
            for v in &p.variants {
                prop_assert_eq!(&v.real.as_ref().unwrap()[1..], &v.paper.as_ref().unwrap()[1..]);
            }
        }
    }
}
