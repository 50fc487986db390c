//! Turns one index row and its sheet into an [`ApiSpec`], noting every anomaly on the way.

use kis_spec::{
    ApiKind, ApiSpec, Examples, Field, Kind, Method, Realtime, Request, Response, Sensitive,
};

use super::ImportError;
use super::infer;
use super::report::Anomaly;
use super::variants;
use super::workbook::{ApiSheet, IndexRow, LayoutRow, Section};

/// TR IDs whose frames are encrypted (execution notices), per PROTOCOL.md.
pub const ENCRYPTED_TRS: &[&str] = &[
    "H0STCNI0", "H0STCNI9", "H0GSCNI0", "H0GSCNI9", "H0IFCNI0", "H0IFCNI9", "H0MFCNI0", "H0EUCNI0",
    "HDFFF1C0", "HDFFF2C0",
];

/// Raw example texts of one API, kept until ids are final.
#[derive(Debug, Clone, Default)]
pub struct RawExamples {
    pub request: Option<String>,
    pub response: Option<String>,
}

/// One parsed API.
#[derive(Debug, Clone)]
pub struct Built {
    pub spec: ApiSpec,
    pub examples: RawExamples,
    /// The REST response example as a JSON object (valid, or repaired), parsed once; `None` for
    /// realtime TRs and missing or invalid examples.
    pub response_json: Option<serde_json::Map<String, serde_json::Value>>,
    /// The TR-ID-shaped tokens of the sheet's text (see `aliases::check_tokens`).
    pub tr_tokens: Vec<String>,
}

/// Workbook text kept as data: line endings normalized to `\n`, outer whitespace trimmed.
pub fn quote(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim()
        .to_owned()
}

/// What field parsing needs to know about the API.
struct Ctx<'a> {
    /// The API's workbook URL (for anomalies).
    api: &'a str,
    /// KRW-denominated market (domestic categories).
    domestic: bool,
    /// Request sections: the request example's values by wire name (`None` for responses).
    example: Option<&'a std::collections::HashMap<String, String>>,
}

/// Categories whose numbers are KRW-denominated and whose quantities are whole.
pub fn is_domestic(category: &str) -> bool {
    let c = category.strip_prefix("realtime_").unwrap_or(category);
    matches!(
        c,
        "domestic_stock" | "domestic_futureoption" | "elw" | "etfetn"
    )
}

/// Block names: `output`, `output1`, `Output2`, `outblock1`.
pub fn is_block_name(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    let stem = l.trim_end_matches(|c: char| c.is_ascii_digit());
    stem == "output" || stem == "outblock"
}

/// Top-level response fields that never belong to a block.
fn is_top_level(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    matches!(l.as_str(), "rt_cd" | "msg_cd" | "msg1") || l.starts_with("ctx_area_")
}

fn block_kind(wire_type: &str) -> Option<Kind> {
    match wire_type.trim().to_ascii_lowercase().as_str() {
        "object" => Some(Kind::Object),
        "array" | "object array" => Some(Kind::Array),
        _ => None,
    }
}

/// Category folder of a REST path, `None` when the path has no known shape.
pub fn rest_category(path: &str) -> Option<String> {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segs.as_slice() {
        ["oauth2", ..] => Some("oauth".into()),
        ["uapi", "hashkey"] => Some("oauth".into()),
        ["uapi", cat, ..] if segs.len() > 2 => Some(cat.replace('-', "_")),
        _ => None,
    }
}

/// Category folder of a realtime TR from its menu (`[국내주식] 실시간시세`).
pub fn realtime_category(menu: &str) -> Option<String> {
    let inner = menu.trim().strip_prefix('[')?.split(']').next()?;
    let cat = match inner.trim() {
        "국내주식" => "domestic_stock",
        "국내선물옵션" => "domestic_futureoption",
        "해외주식" => "overseas_stock",
        "해외선물옵션" => "overseas_futureoption",
        "장내채권" => "domestic_bond",
        "ELW" => "elw",
        "ETF/ETN" => "etfetn",
        _ => return None,
    };
    Some(format!("realtime_{cat}"))
}

/// snake_case id from a path's last segment (`inquire-price` -> `inquire_price`).
pub fn rest_id(path: &str) -> String {
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    snake(last)
}

/// Lower-cases and turns every non-alphanumeric run into `_`.
pub fn snake(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_owned()
}

fn leaf(row: &LayoutRow, ctx: &Ctx, anomalies: &mut Vec<Anomaly>) -> Field {
    let api = ctx.api;
    let (length, fix) = infer::normalize_length(&row.length, &row.element, &row.label);
    match fix {
        infer::LengthFix::Decimal { from } => anomalies.push(Anomaly::rule(
            api,
            "length",
            format!(
                "`{}` length `{from}` read as `{}` (decimal encoding)",
                row.element,
                length.as_deref().unwrap_or("")
            ),
            "decimal-length",
        )),
        infer::LengthFix::Ambiguous => anomalies.push(Anomaly::unhandled(
            api,
            "length",
            format!(
                "`{}` length `{}` looks like a decimal encoding but is ambiguous; kept",
                row.element,
                row.length.trim()
            ),
        )),
        infer::LengthFix::Kept => {}
    }
    let codes = infer::codes_for(&row.element, &row.description);
    let kind = infer::kind(
        &row.element,
        &row.label,
        length.as_deref(),
        &row.description,
        &codes,
        ctx.domestic,
    );
    let mut kind = kind;
    let mut blank = false;
    if let Some(example) = ctx.example {
        let name = row.element.trim();
        if kind == Kind::String
            && codes.is_empty()
            && infer::request_date(name, &row.label, length.as_deref(), &row.description)
        {
            kind = Kind::Date;
        }
        blank = row.required.trim().eq_ignore_ascii_case("y")
            && infer::blank_allowed(
                name,
                &row.description,
                example.get(name).map(String::as_str),
            );
    }
    let mut wire_type = row.wire_type.trim().to_ascii_lowercase();
    if block_kind(&wire_type).is_some() {
        anomalies.push(Anomaly::rule(
            api,
            "leaf-object",
            format!(
                "`{}` (row {}) is typed `{}` but is a leaf field; read as `string`",
                row.element, row.row, row.wire_type
            ),
            "leaf-object",
        ));
        wire_type = "string".into();
    }
    Field {
        name: row.element.trim().to_owned(),
        label: row.label.trim().to_owned(),
        wire_type,
        kind,
        sensitive: Sensitive::of(row.element.trim()),
        required: row.required.trim().eq_ignore_ascii_case("y"),
        blank,
        length,
        codes,
        description: quote(&row.description),
        fields: vec![],
    }
}

fn block(row: &LayoutRow, kind: Kind, api: &str, anomalies: &mut Vec<Anomaly>) -> Field {
    let name = row.element.trim();
    let lower = name.to_ascii_lowercase();
    if lower != name {
        anomalies.push(Anomaly::rule(
            api,
            "block-name-case",
            format!("block `{name}` written as `{lower}` (KIS sends lower-case block keys)"),
            "block-name-case",
        ));
    }
    let desc = row.description.trim().to_ascii_lowercase();
    let desc_says = if desc.starts_with("array") {
        Some(Kind::Array)
    } else if desc.starts_with("object") {
        Some(Kind::Object)
    } else {
        None
    };
    if desc_says.is_some_and(|d| d != kind) {
        anomalies.push(Anomaly::unhandled(
            api,
            "block-kind",
            format!(
                "block `{lower}` is typed `{}` but its description says `{}`; kept `{}`",
                row.wire_type.trim(),
                row.description.trim(),
                if kind == Kind::Array {
                    "array"
                } else {
                    "object"
                }
            ),
        ));
    }
    Field {
        name: lower,
        label: row.label.trim().to_owned(),
        wire_type: row.wire_type.trim().to_ascii_lowercase(),
        kind,
        sensitive: None,
        required: row.required.trim().eq_ignore_ascii_case("y"),
        blank: false,
        length: None,
        codes: vec![],
        description: quote(&row.description),
        fields: vec![],
    }
}

/// A numbered range written as one row (`EXCD_01 ~ 10`): the prefix, the first and last
/// number, and the digit width of the first (`("EXCD_", 1, 10, 2)`).
pub fn field_range(name: &str) -> Option<(&str, u32, u32, usize)> {
    let (left, right) = name.split_once('~')?;
    let (left, right) = (left.trim_end(), right.trim());
    let digits = left.len() - left.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let prefix = &left[..left.len() - digits];
    if digits == 0
        || prefix.is_empty()
        || !prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        || right.is_empty()
        || !right.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let first: u32 = left[prefix.len()..].parse().ok()?;
    let last: u32 = right.parse().ok()?;
    (first < last && last - first < 100).then_some((prefix, first, last, digits))
}

/// Rule `field-range`: a row naming a numbered range (`EXCD_01 ~ 10`) is one field per number
/// (`EXCD_01` ... `EXCD_10`, KIS's wire names). The first keeps the row's `required`; the
/// others are optional (sent empty when unused). Any other wire name with a space or `~` is
/// reported (`wire-name`) for a patch to settle.
fn expand_range(f: Field, api: &str, anomalies: &mut Vec<Anomaly>) -> Vec<Field> {
    let Some((prefix, first, last, width)) = field_range(&f.name) else {
        if f.name.contains(|c: char| c.is_whitespace() || c == '~') {
            anomalies.push(Anomaly::unhandled(
                api,
                "wire-name",
                format!("field `{}` is not a wire name (space or `~`)", f.name),
            ));
        }
        return vec![f];
    };
    let names: Vec<String> = (first..=last)
        .map(|n| format!("{prefix}{n:0width$}"))
        .collect();
    anomalies.push(Anomaly::rule(
        api,
        "field-range",
        format!(
            "`{}` is the range `{}` ... `{}` ({} fields; the first keeps `required`)",
            f.name,
            names[0],
            names[names.len() - 1],
            names.len()
        ),
        "field-range",
    ));
    names
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let mut g = f.clone();
            g.sensitive = Sensitive::of(&name);
            g.name = name;
            if i > 0 {
                g.required = false;
                g.blank = false;
            }
            g
        })
        .collect()
}

/// Builds the fields of one section, grouping block children under their block.
fn section_fields(
    rows: &[&LayoutRow],
    blocks_allowed: bool,
    ctx: &Ctx,
    anomalies: &mut Vec<Anomaly>,
) -> Vec<Field> {
    let api = ctx.api;
    let mut out: Vec<Field> = Vec::new();
    let mut open: Option<usize> = None;
    for row in rows {
        let bk = block_kind(&row.wire_type);
        if blocks_allowed && bk.is_some() && is_block_name(&row.element) {
            out.push(block(row, bk.unwrap_or(Kind::Object), api, anomalies));
            open = Some(out.len() - 1);
            continue;
        }
        for f in expand_range(leaf(row, ctx, anomalies), api, anomalies) {
            match open {
                Some(i) if !is_top_level(&f.name) => out[i].fields.push(f),
                _ => {
                    open = None;
                    out.push(f);
                }
            }
        }
    }
    // The same block listed twice (old and new TR layouts in one sheet): merge into the first.
    let mut merged: Vec<Field> = Vec::new();
    for f in out {
        match merged
            .iter_mut()
            .find(|m| m.is_block() && f.is_block() && m.name == f.name)
        {
            Some(first) => {
                let mut added = 0;
                for child in f.fields {
                    if !first.fields.iter().any(|c| c.name == child.name) {
                        first.fields.push(child);
                        added += 1;
                    }
                }
                anomalies.push(Anomaly::rule(
                    api,
                    "duplicate-block",
                    format!(
                        "block `{}` is listed twice; merged ({added} fields only in the second listing appended)",
                        first.name
                    ),
                    "duplicate-block-merged",
                ));
            }
            None => merged.push(f),
        }
    }
    let out = merged;
    let mut lists: Vec<(&str, &[Field])> = vec![("", &out)];
    lists.extend(
        out.iter()
            .filter(|f| f.is_block())
            .map(|f| (f.name.as_str(), &f.fields[..])),
    );
    for (block, list) in lists {
        let mut seen: Vec<&str> = Vec::new();
        for f in list {
            if seen.contains(&f.name.as_str()) {
                let n = list.iter().filter(|g| g.name == f.name).count();
                if seen.iter().filter(|s| **s == f.name).count() == 1 {
                    anomalies.push(Anomaly::unhandled(
                        api,
                        "duplicate-field",
                        format!(
                            "field `{}` appears {n} times{}",
                            f.name,
                            if block.is_empty() {
                                String::new()
                            } else {
                                format!(" in block `{block}`")
                            }
                        ),
                    ));
                }
            }
            seen.push(&f.name);
        }
    }
    for f in &out {
        if f.is_block() && f.fields.is_empty() {
            anomalies.push(Anomaly::unhandled(
                api,
                "empty-block",
                format!("block `{}` has no fields in the Layout table", f.name),
            ));
        }
    }
    out
}

/// Builds the spec of one API.
pub fn build(
    row: &IndexRow,
    sheet: &ApiSheet,
    anomalies: &mut Vec<Anomaly>,
) -> Result<Built, ImportError> {
    let api = row.url.clone();
    let err = |msg: String| ImportError::Input(format!("sheet `{}`: {msg}", sheet.name));
    let url_realtime = row.url.starts_with("/tryitout/");
    let kind = match row.comm.as_str() {
        "REST" => ApiKind::Rest,
        "WEBSOCKET" => ApiKind::Realtime,
        other => {
            return Err(ImportError::Input(format!(
                "sheet `API 목록` row {}: unknown API 통신방식 `{other}`",
                row.row
            )));
        }
    };
    if (kind == ApiKind::Realtime) != url_realtime {
        anomalies.push(Anomaly::unhandled(
            &api,
            "misfiled",
            format!(
                "listed as {} but the URL `{}` is {}",
                row.comm,
                row.url,
                if url_realtime {
                    "a realtime TR"
                } else {
                    "a REST path"
                }
            ),
        ));
    }
    // Header-block cells should agree with the index.
    for (key, value) in [
        ("실전 TR_ID", &row.real_tr),
        ("모의 TR_ID", &row.paper_tr),
        ("URL 명", &row.url),
        ("HTTP Method", &row.method),
        ("API ID", &row.api_id),
    ] {
        if let Some(v) = sheet.header.get(key) {
            if v.trim() != value.trim() {
                anomalies.push(Anomaly::unhandled(
                    &api,
                    "sheet-index-mismatch",
                    format!(
                        "`{key}` is `{v}` in the sheet but `{value}` in the index; the index wins"
                    ),
                ));
            }
        }
    }
    let method = match row.method.to_ascii_uppercase().as_str() {
        "GET" => Method::Get,
        "POST" => Method::Post,
        other => {
            return Err(ImportError::Input(format!(
                "sheet `API 목록` row {}: unknown HTTP Method `{other}`",
                row.row
            )));
        }
    };
    let (category, id) = if url_realtime {
        let tr = row.url.rsplit('/').next().unwrap_or("");
        let cat = realtime_category(&row.menu).ok_or_else(|| {
            err(format!(
                "cannot derive a realtime category from menu `{}`",
                row.menu
            ))
        })?;
        (cat, tr.to_ascii_lowercase())
    } else {
        let cat = rest_category(&row.url)
            .ok_or_else(|| err(format!("cannot derive a category from URL `{}`", row.url)))?;
        (cat, rest_id(&row.url))
    };
    // Validated, but not stored: row numbers shift between editions (see `ApiSpec::seq`).
    let _seq: u32 = row.seq.parse().map_err(|_| {
        ImportError::Input(format!(
            "sheet `API 목록` row {}: bad 순번 `{}`",
            row.row, row.seq
        ))
    })?;

    let rows = |s: Section| -> Vec<&LayoutRow> {
        sheet.layout.iter().filter(|r| r.section == s).collect()
    };
    let realtime_layout = url_realtime || kind == ApiKind::Realtime;
    let ctx = Ctx {
        api: &api,
        domestic: is_domestic(&category),
        example: None,
    };
    let example_values = sheet
        .request_example
        .as_deref()
        .map(crate::import::examples::values)
        .unwrap_or_default();
    let req_ctx = Ctx {
        example: Some(&example_values),
        ..ctx
    };
    let request = Request {
        header: section_fields(&rows(Section::RequestHeader), false, &ctx, anomalies),
        query: section_fields(&rows(Section::RequestQuery), true, &req_ctx, anomalies),
        body: section_fields(
            &rows(Section::RequestBody),
            !realtime_layout,
            &req_ctx,
            anomalies,
        ),
    };
    let response = Response {
        header: section_fields(&rows(Section::ResponseHeader), false, &ctx, anomalies),
        body: section_fields(&rows(Section::ResponseBody), !url_realtime, &ctx, anomalies),
    };

    // TR ID variants.
    let paired = variants::pair(&row.real_tr, &row.paper_tr);
    for p in &paired.problems {
        anomalies.push(Anomaly::unhandled(&api, "tr-variants", p.clone()));
    }
    let mut variants = paired.variants;
    if paired.see_sheet {
        let desc = sheet
            .layout
            .iter()
            .find(|r| r.section == Section::RequestHeader && r.element == "tr_id")
            .map(|r| r.description.clone())
            .unwrap_or_default();
        match variants::per_country(&desc) {
            Some(list) => {
                anomalies.push(Anomaly::rule(
                    &api,
                    "tr-variants",
                    format!(
                        "TR IDs per country taken from the `tr_id` header description ({} variants)",
                        list.len()
                    ),
                    "per-country-tr",
                ));
                variants = list;
            }
            None => anomalies.push(Anomaly::unhandled(
                &api,
                "tr-variants",
                "the TR ID cell refers to the sheet but its `tr_id` description has no per-country list".into(),
            )),
        }
    }
    for v in &variants {
        if v.real.is_none() && v.paper.is_none() {
            anomalies.push(Anomaly::unhandled(
                &api,
                "tr-variants",
                format!("variant `{}` has no TR ID", v.name),
            ));
        }
    }
    if url_realtime {
        let url_tr = row.url.rsplit('/').next().unwrap_or("");
        if let Some(real) = variants.first().and_then(|v| v.real.as_deref()) {
            if real != url_tr {
                anomalies.push(Anomaly::unhandled(
                    &api,
                    "tr-url-mismatch",
                    format!("TR ID `{real}` does not match the URL's `{url_tr}`"),
                ));
            }
        }
    }

    // Continuation paging (every scheme; see `paging.rs`).
    let mut response = response;
    let params: Vec<&Field> = request.query.iter().chain(&request.body).collect();
    let paging = if url_realtime {
        None
    } else {
        super::paging::detect(&api, sheet, method, &params, &mut response, anomalies)
    };

    let realtime = url_realtime.then(|| {
        let tr = variants
            .first()
            .and_then(|v| v.real.clone().or(v.paper.clone()))
            .unwrap_or_else(|| id.to_ascii_uppercase());
        let tr_key_label = request
            .body
            .iter()
            .find(|f| f.name == "tr_key")
            .map(|f| f.label.clone())
            .unwrap_or_default();
        Realtime {
            encrypted: ENCRYPTED_TRS.contains(&tr.as_str()),
            tr_id: tr,
            tr_key_label,
        }
    });

    let mut spec = ApiSpec {
        id,
        category,
        kind,
        name: row.name.clone(),
        menu: row.menu.clone(),
        api_id: row.api_id.clone(),
        seq: 0,
        method,
        path: row.url.clone(),
        overview: sheet.overview.as_deref().map(quote).unwrap_or_default(),
        variants,
        tr_misprints: Vec::new(),
        request,
        response,
        paging,
        realtime,
        examples: Examples::default(),
    };
    let tr_id_description = sheet
        .layout
        .iter()
        .find(|r| r.section == Section::RequestHeader && r.element.trim() == "tr_id")
        .map(|r| r.description.as_str())
        .unwrap_or("");
    super::aliases::attach(&mut spec, tr_id_description, anomalies);
    super::aliases::mark_deprecated(&mut spec, anomalies);
    Ok(Built {
        tr_tokens: sheet.tr_tokens.clone(),
        response_json: super::response_example_object(&spec.path, sheet.response_example.as_ref()),
        spec,
        examples: RawExamples {
            request: sheet.request_example.clone(),
            response: sheet.response_example.clone(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_ranges_are_read() {
        assert_eq!(field_range("EXCD_01 ~ 10"), Some(("EXCD_", 1, 10, 2)));
        assert_eq!(field_range("SYMB_01~10"), Some(("SYMB_", 1, 10, 2)));
        assert_eq!(field_range("A1 ~ 3"), Some(("A", 1, 3, 1)));
        for not in [
            "EXCD",
            "~ 10",
            "EXCD_ ~ 10",
            "X_10 ~ 01",
            "X_01 ~ ",
            "X Y_01 ~ 10",
        ] {
            assert_eq!(field_range(not), None, "{not}");
        }
    }

    #[test]
    fn a_range_row_becomes_one_field_per_number() {
        let f = Field {
            name: "EXCD_01 ~ 10".into(),
            label: "거래소코드".into(),
            wire_type: "string".into(),
            kind: Kind::Code,
            sensitive: None,
            required: true,
            blank: false,
            length: Some("4".into()),
            codes: vec![],
            description: String::new(),
            fields: vec![],
        };
        let mut anomalies = Vec::new();
        let out = expand_range(f, "/x", &mut anomalies);
        let names: Vec<&str> = out.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names.len(), 10);
        assert_eq!(names[0], "EXCD_01");
        assert_eq!(names[9], "EXCD_10");
        assert!(out[0].required && out[1..].iter().all(|f| !f.required));
        assert_eq!(anomalies.len(), 1);
    }
}
