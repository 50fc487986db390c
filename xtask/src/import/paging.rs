//! Paging: which continuation scheme an endpoint uses, read from its request and response
//! fields, the `tr_cont` header rows, the field descriptions and the sheet overview.
//!
//! Schemes (see `spec/README.md`):
//! - `ctx_area`: `CTX_AREA_FK*`/`CTX_AREA_NK*` echoed from the body, `tr_cont` `F`/`M` → `N`;
//! - `key`: one key (`CTS`, `KEYB`, `CTS_KEY`, `INDEX_KEY`) echoed from the body, with fixed
//!   companions (`QRY_TP` `Q` → `P`);
//! - `cursor`: the next request starts where the last row ended (a date, a time, `KEYB` of a
//!   minute chart), from the overview's paging recipe;
//! - `tr_cont`: the header alone;
//! - `none`: KIS says the endpoint cannot page ("tr_cont를 이용한 다음조회 불가").

use kis_spec::{
    Field, Kind, Method, Paging, PagingEnd, PagingScheme, PagingSet, Response, Sensitive,
};

use super::report::Anomaly;
use super::workbook::{ApiSheet, LayoutRow, Section};

/// Request keys that carry a continuation besides `CTX_AREA_*`.
const KEYS: &[&str] = &["INDEX_KEY", "KEYB", "CTS_KEY", "CTS"];

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn description<'a>(sheet: &'a ApiSheet, sections: &[Section], name: &str) -> Option<&'a str> {
    sheet
        .layout
        .iter()
        .find(|r: &&LayoutRow| sections.contains(&r.section) && r.element == name)
        .map(|r| r.description.as_str())
}

/// The first "N건" figure of a sentence about one call (`한 번의 호출에 최대 100건`).
fn page_size(overview: &str) -> Option<u32> {
    overview
        .lines()
        .filter(|l| l.contains("호출") || l.contains("조회"))
        .find_map(|l| {
            let i = l.find('건')?;
            let digits: String = l[..i]
                .trim_end()
                .chars()
                .rev()
                .take_while(char::is_ascii_digit)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            digits.parse().ok().filter(|n| *n > 1)
        })
}

/// Where a response key lives: top level, else the first record of a block.
fn response_path(response: &Response, name: &str) -> Option<String> {
    if response
        .body
        .iter()
        .any(|f| f.name == name && !f.is_block())
    {
        return Some(name.to_owned());
    }
    response.body.iter().filter(|b| b.is_block()).find_map(|b| {
        b.fields
            .iter()
            .any(|f| f.name == name)
            .then(|| format!("{}.{name}", b.name))
    })
}

/// A request parameter with a fixed continuation value: a code labelled 최초/다음
/// (`QRY_TP`: `Q` 최초조회시, `P` 다음키...), or a description saying what to send on the next
/// call (`다음조회 시, "1" 입력`).
fn companion(f: &Field, desc: &str) -> Option<PagingSet> {
    let first = f.codes.iter().find(|c| c.label.contains("최초"));
    let next = f.codes.iter().find(|c| c.label.contains("다음"));
    if let (Some(first), Some(next)) = (first, next) {
        return Some(PagingSet {
            field: f.name.clone(),
            first: first.code.clone(),
            value: next.code.clone(),
        });
    }
    let d = squash(desc);
    let at = d.find("다음조회 시").or_else(|| d.find("다음 조회 시"))?;
    let rest = &d[at..];
    let open = rest.find('"')?;
    let close = rest[open + 1..].find('"')? + open + 1;
    let value = &rest[open + 1..close];
    (!value.is_empty() && value.len() <= 4).then(|| PagingSet {
        field: f.name.clone(),
        first: String::new(),
        value: value.to_owned(),
    })
}

/// The block whose rows repeat: an array block that does not hold a continuation key (the
/// first by name: `outblock1`, `output`, `output1`, then `output2` ...); with no such array, such
/// an object block (a page of one record).
pub fn rows_block(response: &Response, keys: &[String]) -> Option<String> {
    let holds_key = |b: &Field| {
        keys.iter().any(|k| {
            k.contains('.') && k.split(['.', '[']).next() == Some(b.name.as_str())
                || b.fields.iter().any(|f| &f.name == k)
        })
    };
    let mut blocks: Vec<&Field> = response
        .body
        .iter()
        .filter(|b| b.is_block() && !holds_key(b))
        .collect();
    blocks.sort_by_key(|b| (b.kind != Kind::Array, b.name.clone()));
    blocks.first().map(|b| b.name.clone())
}

/// The first field of `kind` in block `block`.
fn row_field(response: &Response, block: &str, kind: Kind) -> Option<String> {
    response
        .body
        .iter()
        .find(|b| b.name == block)?
        .fields
        .iter()
        .find(|f| f.kind == kind)
        // Some sheets prefix row names with `-` (`-stck_bsop_date`); KIS sends them without.
        .map(|f| f.name.trim_start_matches('-').to_owned())
}

/// The kind of row field a cursor parameter continues from: a date or a time (by kind or name).
fn cursor_kind(f: &Field) -> Option<Kind> {
    match f.kind {
        Kind::Date | Kind::Time => Some(f.kind),
        _ if f.name.contains("HOUR") || f.name.contains("TIME") => Some(Kind::Time),
        _ if f.name.contains("DATE") => Some(Kind::Date),
        _ => None,
    }
}

/// `"QRY_TP":"Q"`-style values the overview gives for the first (`처음조회`) and the next
/// (`다음조회`) call.
fn overview_values(overview: &str, name: &str) -> Option<PagingSet> {
    let pat = format!("\"{name}\":\"");
    let value = |line: &str| {
        let i = line.find(&pat)? + pat.len();
        let end = line[i..].find('"')?;
        Some(line[i..i + end].to_owned())
    };
    let first = overview
        .lines()
        .find(|l| l.contains("처음조회"))
        .and_then(value);
    let next = overview
        .lines()
        .find(|l| l.contains("다음조회"))
        .and_then(value)?;
    Some(PagingSet {
        field: name.to_owned(),
        first: first.unwrap_or_default(),
        value: next,
    })
}

/// Reads the paging scheme of one REST endpoint. Adds the `CTX_AREA_*` response keys a layout
/// lacks (rule `paging-key-added`); every decision that is not plain is listed as an anomaly.
pub fn detect(
    api: &str,
    sheet: &ApiSheet,
    method: Method,
    params: &[&Field],
    response: &mut Response,
    anomalies: &mut Vec<Anomaly>,
) -> Option<Paging> {
    let overview = sheet.overview.as_deref().unwrap_or("");
    let req_cont = description(sheet, &[Section::RequestHeader], "tr_cont").map(squash);
    let resp_cont = description(sheet, &[Section::ResponseHeader], "tr_cont").map(squash);
    let refused = [&req_cont, &resp_cont]
        .iter()
        .filter_map(|d| d.as_deref())
        .find(|d| d.contains("다음조회 불가"))
        .map(str::to_owned);
    let header_pages = req_cont
        .as_deref()
        .is_some_and(|d| d.contains("N : 다음 데이터 조회"))
        && refused.is_none();
    let ov = squash(overview);
    let ov_pages = ov.contains("다음조회") || ov.contains("연속조회") || ov.contains("다음 조회");
    let desc = |name: &str| {
        description(sheet, &[Section::RequestQuery, Section::RequestBody], name).unwrap_or("")
    };

    let ctx: Vec<&Field> = params
        .iter()
        .copied()
        .filter(|f| f.name.to_ascii_uppercase().starts_with("CTX_AREA_"))
        .collect();
    let keys: Vec<&Field> = params
        .iter()
        .copied()
        .filter(|f| KEYS.contains(&f.name.as_str()))
        .collect();
    let has_next = params.iter().any(|f| f.name == "NEXT");
    let cursor_fields: Vec<&Field> = params
        .iter()
        .copied()
        .filter(|f| ov_pages && ov.contains(&format!("{}(", f.name)) && cursor_kind(f).is_some())
        .collect();

    let mut paging = if !ctx.is_empty() {
        let request: Vec<String> = ctx.iter().map(|f| f.name.clone()).collect();
        let resp: Vec<String> = request.iter().map(|k| k.to_ascii_lowercase()).collect();
        for (r, k) in resp.iter().zip(&ctx) {
            if !response.body.iter().any(|f| &f.name == r) {
                anomalies.push(Anomaly::rule(
                    api,
                    "paging",
                    format!(
                        "response layout lacks continuation key `{r}`; added as a string field"
                    ),
                    "paging-key-added",
                ));
                response.body.push(Field {
                    name: r.clone(),
                    label: k.label.clone(),
                    wire_type: "string".into(),
                    kind: Kind::String,
                    sensitive: Sensitive::of(r),
                    required: false,
                    blank: false,
                    length: k.length.clone(),
                    codes: vec![],
                    description: String::new(),
                    fields: vec![],
                });
            }
        }
        let sizes: Vec<String> = request
            .iter()
            .map(|k| {
                k.trim_start_matches(|c: char| !c.is_ascii_digit())
                    .to_owned()
            })
            .collect();
        if sizes.windows(2).any(|w| w[0] != w[1]) {
            anomalies.push(Anomaly::rule(
                api,
                "paging-key-pair",
                format!(
                    "the continuation keys differ in size ({}); each request key is filled from the response key of the same name",
                    request.join(" + ")
                ),
                "paging-key-same-name",
            ));
        }
        Paging {
            scheme: PagingScheme::CtxArea,
            request,
            response: resp,
            next: vec![],
            end: PagingEnd::TrCont,
            rows: None,
            page_size: None,
            note: None,
        }
    } else if has_next && keys.iter().any(|f| f.name == "KEYB") {
        // The minute chart: NEXT "1", KEYB the last row's date and time (overview recipe).
        let next = params
            .iter()
            .filter_map(|f| companion(f, desc(&f.name)))
            .collect();
        let rows = rows_block(response, &["next".to_owned()]);
        let time = rows
            .as_deref()
            .and_then(|b| row_field(response, b, Kind::Time));
        // The date of the same clock as the time (`xhms` → `xymd`).
        let date = time
            .as_deref()
            .map(|t| t.replace("hms", "ymd"))
            .filter(|d| {
                response
                    .body
                    .iter()
                    .filter(|b| Some(&b.name) == rows.as_ref())
                    .any(|b| b.fields.iter().any(|f| &f.name == d))
            });
        let from = match (rows.as_deref(), date, time) {
            (Some(b), Some(d), Some(t)) => format!("{b}[-1].{d}+{t}"),
            (Some(b), _, _) => format!("{b}[-1].xymd+xhms"),
            _ => "output2[-1].xymd+xhms".to_owned(),
        };
        anomalies.push(Anomaly::rule(
            api,
            "paging-other",
            format!("`NEXT` + `KEYB` page by the last row's time (`KEYB` ← `{from}`), as the overview describes"),
            "paging-cursor",
        ));
        Paging {
            scheme: PagingScheme::Cursor,
            request: vec!["KEYB".into()],
            response: vec![from],
            next,
            end: PagingEnd::Rows,
            rows,
            page_size: None,
            note: None,
        }
    } else if let Some(key) = keys.first() {
        let lower = key.name.to_ascii_lowercase();
        let from = match response_path(response, &lower) {
            Some(p) => p,
            None => {
                anomalies.push(Anomaly::rule(
                    api,
                    "paging-other",
                    format!(
                        "request key `{}` has no response field in the layout; `{lower}` is read from the body when KIS sends it, and the scan ends when it does not",
                        key.name
                    ),
                    "paging-key-from-body",
                ));
                lower
            }
        };
        if from.contains('.') {
            anomalies.push(Anomaly::rule(
                api,
                "paging-other",
                format!("request key `{}` is echoed from `{from}`", key.name),
                "paging-key-in-block",
            ));
        }
        let mut next: Vec<PagingSet> = params
            .iter()
            .filter(|f| f.name != key.name)
            .filter_map(|f| {
                companion(f, desc(&f.name)).or_else(|| overview_values(overview, &f.name))
            })
            .collect();
        if key.name == "INDEX_KEY"
            && params.iter().any(|f| f.name == "QRY_TP")
            && !next.iter().any(|s| s.field == "QRY_TP")
        {
            // The sibling sheets and the official samples: `Q` first, `P` with a key.
            anomalies.push(Anomaly::rule(
                api,
                "paging-other",
                "`QRY_TP` has no code list here; `Q` on the first call and `P` with `INDEX_KEY`, as on the sibling sheets".into(),
                "paging-qry-tp",
            ));
            next.push(PagingSet {
                field: "QRY_TP".into(),
                first: "Q".into(),
                value: "P".into(),
            });
        }
        Paging {
            scheme: PagingScheme::Key,
            request: vec![key.name.clone()],
            response: vec![from],
            next,
            end: if refused.is_some() {
                PagingEnd::Key
            } else {
                PagingEnd::TrCont
            },
            rows: None,
            page_size: None,
            note: None,
        }
    } else if !cursor_fields.is_empty() || (ov_pages && req_cont.is_none()) {
        // Date/time cursors the overview describes: the request field continues from the
        // last row's field of the same kind (a date-range query: its end date).
        let fields: Vec<&Field> = if cursor_fields.is_empty() {
            params
                .iter()
                .copied()
                .filter(|f| f.kind == Kind::Date && f.label.contains("종료"))
                .collect()
        } else {
            cursor_fields
        };
        // The block holding a row field for every cursor (arrays first).
        let mut blocks: Vec<&Field> = response.body.iter().filter(|b| b.is_block()).collect();
        blocks.sort_by_key(|b| (b.kind != Kind::Array, b.name.clone()));
        let rows = blocks
            .iter()
            .find(|b| {
                fields.iter().all(|f| {
                    cursor_kind(f)
                        .and_then(|k| row_field(response, &b.name, k))
                        .is_some()
                })
            })
            .map(|b| b.name.clone());
        let mut request = Vec::new();
        let mut from = Vec::new();
        for f in &fields {
            if let Some(src) = rows.as_deref().and_then(|b| {
                row_field(response, b, cursor_kind(f)?).map(|s| format!("{b}[-1].{s}"))
            }) {
                request.push(f.name.clone());
                from.push(src);
            }
        }
        if request.is_empty() {
            anomalies.push(Anomaly::unhandled(
                api,
                "paging-other",
                "the overview says the endpoint pages, but no cursor field was found".into(),
            ));
            return None;
        }
        anomalies.push(Anomaly::rule(
            api,
            "paging-other",
            format!(
                "the overview describes paging by {}: a cursor from the last row ({})",
                request.join(", "),
                from.join(", ")
            ),
            "paging-cursor",
        ));
        Paging {
            scheme: PagingScheme::Cursor,
            request,
            response: from,
            next: vec![],
            end: PagingEnd::Rows,
            rows,
            page_size: None,
            note: None,
        }
    } else if header_pages {
        Paging {
            scheme: PagingScheme::TrCont,
            request: vec![],
            response: vec![],
            next: vec![],
            end: PagingEnd::TrCont,
            rows: None,
            page_size: None,
            note: None,
        }
    } else {
        return None;
    };

    if paging.scheme == PagingScheme::CtxArea {
        if let Some(words) = &refused {
            anomalies.push(Anomaly::rule(
                api,
                "paging-refused",
                format!("continuation keys {} are listed, but KIS says `{words}`: not paged (one call, one page)", paging.request.join(" + ")),
                "paging-none",
            ));
            paging.scheme = PagingScheme::None;
            paging.note = Some(words.clone());
        }
    }
    if method != Method::Get {
        // Paging never applies to orders (or any POST).
        anomalies.push(Anomaly::rule(
            api,
            "paging-refused",
            format!(
                "a {:?} endpoint with continuation keys is never paged",
                method
            ),
            "paging-get-only",
        ));
        paging.scheme = PagingScheme::None;
    }
    if paging.rows.is_none() {
        paging.rows = rows_block(response, &paging.response);
    }
    paging.page_size = page_size(overview);
    if paging.note.is_none() && paging.scheme == PagingScheme::Cursor {
        paging.note = ov
            .split(['.', '※'])
            .find(|s| s.contains("다음조회") || s.contains("다음 조회") || s.contains("연속조회"))
            .map(|s| s.trim().to_owned());
    }
    Some(paging)
}

/// After the examples settled the block kinds: the repeated block again.
pub fn settle_rows(paging: &mut Paging, response: &Response) {
    if paging.scheme != PagingScheme::Cursor {
        paging.rows = rows_block(response, &paging.response);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_size_is_the_first_figure_of_a_call() {
        assert_eq!(
            page_size(
                "주식 잔고조회 API입니다.\r\n실전계좌의 경우, 한 번의 호출에 최대 50건까지 확인 가능하며"
            ),
            Some(50)
        );
        assert_eq!(page_size("(최대 100건 조회)"), Some(100));
        assert_eq!(page_size("아무 말"), None);
    }
}
