//! Reads the official KIS workbook (index sheet plus one sheet per API) into raw rows with calamine.

use std::collections::HashMap;
use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};

use super::ImportError;

/// The index sheet's name.
pub const INDEX_SHEET: &str = "API 목록";

/// One row of the index sheet.
#[derive(Debug, Clone)]
pub struct IndexRow {
    /// 1-based spreadsheet row number (for messages).
    pub row: u32,
    pub seq: String,
    pub comm: String,
    pub menu: String,
    pub name: String,
    pub api_id: String,
    pub real_tr: String,
    pub paper_tr: String,
    pub method: String,
    pub url: String,
}

/// One row of a sheet's Layout table.
#[derive(Debug, Clone)]
pub struct LayoutRow {
    /// 1-based spreadsheet row number.
    pub row: u32,
    /// The section this row belongs to (carried down from the first row of the section).
    pub section: Section,
    pub element: String,
    pub label: String,
    pub wire_type: String,
    pub required: String,
    pub length: String,
    pub description: String,
}

/// A section of the Layout table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    RequestHeader,
    RequestQuery,
    RequestBody,
    ResponseHeader,
    ResponseBody,
}

impl Section {
    fn parse(s: &str) -> Option<Section> {
        Some(match s.trim() {
            "Request Header" => Section::RequestHeader,
            "Request Query Parameter" => Section::RequestQuery,
            "Request Body" => Section::RequestBody,
            "Response Header" => Section::ResponseHeader,
            "Response Body" => Section::ResponseBody,
            _ => return None,
        })
    }
}

/// One API sheet, read raw.
#[derive(Debug, Clone, Default)]
pub struct ApiSheet {
    /// The sheet name.
    pub name: String,
    /// Header block (`API 명`, `실전 TR_ID`, ...), key to value.
    pub header: HashMap<String, String>,
    /// Layout rows, in order.
    pub layout: Vec<LayoutRow>,
    /// `Request Example (...)` text, if any.
    pub request_example: Option<String>,
    /// `Response Example` text, if any.
    pub response_example: Option<String>,
    /// The overview (`개요`) text, if any.
    pub overview: Option<String>,
    /// Every TR-ID-shaped token in any cell of the sheet, sorted, without duplicates.
    pub tr_tokens: Vec<String>,
}

/// The whole workbook, read raw.
#[derive(Debug, Clone)]
pub struct RawWorkbook {
    pub index: Vec<IndexRow>,
    /// API sheets in workbook order.
    pub sheets: Vec<ApiSheet>,
}

/// Renders a cell as text (numbers without a spurious `.0`).
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// Reads the workbook at `path`.
pub fn read(path: &Path) -> Result<RawWorkbook, ImportError> {
    if !path.is_file() {
        return Err(ImportError::Input(format!(
            "{}: no such file",
            path.display()
        )));
    }
    let mut wb: Xlsx<_> = open_workbook(path).map_err(|e| {
        ImportError::Input(format!(
            "{}: not a readable .xlsx workbook ({e})",
            path.display()
        ))
    })?;
    let names = wb.sheet_names();
    if !names.iter().any(|n| n == INDEX_SHEET) {
        return Err(ImportError::Input(format!(
            "{}: no `{INDEX_SHEET}` index sheet (sheets: {})",
            path.display(),
            names.join(", ")
        )));
    }
    let mut index = None;
    let mut sheets = Vec::new();
    for name in &names {
        let range = wb
            .worksheet_range(name)
            .map_err(|e| ImportError::Input(format!("sheet `{name}`: cannot be read ({e})")))?;
        let first_row = range.start().map(|(r, _)| r).unwrap_or(0);
        let first_col = range.start().map(|(_, c)| c).unwrap_or(0) as usize;
        let rows: Vec<(u32, Vec<String>)> = range
            .rows()
            .enumerate()
            .map(|(i, r)| {
                let mut cells = vec![String::new(); first_col];
                cells.extend(r.iter().map(cell_text));
                (first_row + i as u32 + 1, cells)
            })
            .collect();
        if name == INDEX_SHEET {
            index = Some(read_index(&rows)?);
        } else {
            sheets.push(read_sheet(name, &rows)?);
        }
    }
    Ok(RawWorkbook {
        index: index.unwrap_or_default(),
        sheets,
    })
}

fn col(cells: &[String], i: usize) -> &str {
    cells.get(i).map(|s| s.as_str()).unwrap_or("")
}

fn read_index(rows: &[(u32, Vec<String>)]) -> Result<Vec<IndexRow>, ImportError> {
    let Some((hrow, header)) = rows.first() else {
        return Err(ImportError::Input(format!("sheet `{INDEX_SHEET}`: empty")));
    };
    let find = |title: &str| -> Result<usize, ImportError> {
        header
            .iter()
            .position(|h| h.trim() == title)
            .ok_or_else(|| {
                ImportError::Input(format!(
                    "sheet `{INDEX_SHEET}` row {hrow}: missing column `{title}`"
                ))
            })
    };
    let c_seq = find("순번")?;
    let c_comm = find("API 통신방식")?;
    let c_menu = find("메뉴 위치")?;
    let c_name = find("API 명")?;
    let c_id = find("API ID")?;
    let c_real = find("실전 TR_ID")?;
    let c_paper = find("모의 TR_ID")?;
    let c_method = find("HTTP Method")?;
    let c_url = find("URL 명")?;
    let mut out = Vec::new();
    for (row, cells) in &rows[1..] {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let r = IndexRow {
            row: *row,
            seq: col(cells, c_seq).trim().to_owned(),
            comm: col(cells, c_comm).trim().to_owned(),
            menu: col(cells, c_menu).trim().to_owned(),
            name: col(cells, c_name).trim().to_owned(),
            api_id: col(cells, c_id).trim().to_owned(),
            real_tr: col(cells, c_real).trim().to_owned(),
            paper_tr: col(cells, c_paper).trim().to_owned(),
            method: col(cells, c_method).trim().to_owned(),
            url: col(cells, c_url).trim().to_owned(),
        };
        if r.name.is_empty() || r.url.is_empty() || r.seq.parse::<u32>().is_err() {
            return Err(ImportError::Input(format!(
                "sheet `{INDEX_SHEET}` row {row}: incomplete index row (순번 `{}`, API 명 `{}`, URL 명 `{}`)",
                r.seq, r.name, r.url
            )));
        }
        out.push(r);
    }
    Ok(out)
}

const HEADER_KEYS: &[&str] = &[
    "API 통신방식",
    "메뉴 위치",
    "API 명",
    "API ID",
    "실전 TR_ID",
    "모의 TR_ID",
    "HTTP Method",
    "실전 Domain",
    "모의 Domain",
    "URL 명",
];

fn read_sheet(name: &str, rows: &[(u32, Vec<String>)]) -> Result<ApiSheet, ImportError> {
    let err =
        |row: u32, msg: String| ImportError::Input(format!("sheet `{name}` row {row}: {msg}"));
    let mut sheet = ApiSheet {
        name: name.to_owned(),
        ..ApiSheet::default()
    };
    let mut tokens: Vec<String> = rows
        .iter()
        .flat_map(|(_, cells)| cells)
        .flat_map(|c| kis_spec::tr_id::tr_id_tokens(c))
        .map(str::to_owned)
        .collect();
    tokens.sort();
    tokens.dedup();
    sheet.tr_tokens = tokens;
    let mut i = 0;
    // Header block, up to the Layout table's column titles.
    let mut found_layout = false;
    while i < rows.len() {
        let (_, cells) = &rows[i];
        i += 1;
        let key = col(cells, 0).trim();
        if key == "구분" && col(cells, 1).trim() == "Element" {
            found_layout = true;
            break;
        }
        if key == "개요" && !col(cells, 1).trim().is_empty() {
            sheet.overview = Some(col(cells, 1).to_owned());
        }
        if HEADER_KEYS.contains(&key) {
            sheet
                .header
                .insert(key.to_owned(), col(cells, 1).trim().to_owned());
        }
    }
    if !found_layout {
        let last = rows.last().map(|r| r.0).unwrap_or(1);
        return Err(err(
            last,
            "no Layout table (expected a `구분 | Element | 한글명 | Type | Required | Length | Description` row)".into(),
        ));
    }
    let mut section: Option<Section> = None;
    while i < rows.len() {
        let (row, cells) = &rows[i];
        i += 1;
        let first = col(cells, 0).trim();
        if first == "Example" {
            break;
        }
        if first.starts_with("Request Example") || first.starts_with("Response Example") {
            i -= 1;
            break;
        }
        if !first.is_empty() {
            section = Some(
                Section::parse(first)
                    .ok_or_else(|| err(*row, format!("unknown Layout section `{first}`")))?,
            );
        }
        let element = col(cells, 1).trim();
        if element.is_empty() {
            if cells.iter().skip(2).all(|c| c.trim().is_empty()) {
                continue;
            }
            return Err(err(*row, "Layout row without an Element name".into()));
        }
        let Some(section) = section else {
            return Err(err(
                *row,
                "Layout row before any section (`Request Header`, ...)".into(),
            ));
        };
        let wire_type = col(cells, 3).trim();
        if wire_type.is_empty() {
            return Err(err(*row, format!("field `{element}` has no Type")));
        }
        sheet.layout.push(LayoutRow {
            row: *row,
            section,
            element: element.to_owned(),
            label: col(cells, 2).trim().to_owned(),
            wire_type: wire_type.to_owned(),
            required: col(cells, 4).trim().to_owned(),
            length: col(cells, 5).trim().to_owned(),
            description: col(cells, 6).to_owned(),
        });
    }
    while i < rows.len() {
        let (_, cells) = &rows[i];
        i += 1;
        let first = col(cells, 0).trim();
        let text = col(cells, 1);
        if first.starts_with("Request Example") && !text.trim().is_empty() {
            sheet.request_example = Some(text.to_owned());
        } else if first.starts_with("Response Example") && !text.trim().is_empty() {
            sheet.response_example = Some(text.to_owned());
        }
    }
    Ok(sheet)
}

/// The sheet name Excel gives an API name: forbidden characters replaced by `_`, at most 31
/// characters.
pub fn sheet_name_for(api_name: &str) -> String {
    api_name
        .chars()
        .map(|c| if "/\\?*[]:".contains(c) { '_' } else { c })
        .take(31)
        .collect()
}
