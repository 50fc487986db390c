//! Curated corrections (`spec/patches/*.yaml`) applied after parsing on every import.
//!
//! Each file is a YAML list of entries. An entry names the API by its workbook URL (`api`), says
//! why in one line (`reason`), lists the anomaly topics it resolves (`fixes`), and sets facts.
//! A patch whose API, field or claimed anomaly does not exist is an error: patches never go stale
//! silently.

use std::path::{Path, PathBuf};

use kis_spec::{ApiKind, Code, Field, Kind, Method, Paging, Realtime, TrVariant};
use serde::Deserialize;

use super::ImportError;
use super::build::Built;
use super::report::{Anomaly, Handled};

/// One patch entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patch {
    /// The API's workbook URL (`URL 명`), e.g. `/tryitout/H0BJASP0`.
    pub api: String,
    /// One line: why this correction is right.
    pub reason: String,
    /// Anomaly topics this entry resolves for the API (each must be present).
    #[serde(default)]
    pub fixes: Vec<String>,
    /// New id.
    #[serde(default)]
    pub id: Option<String>,
    /// New category folder.
    #[serde(default)]
    pub category: Option<String>,
    /// REST or realtime.
    #[serde(default)]
    pub kind: Option<ApiKind>,
    /// HTTP method.
    #[serde(default)]
    pub method: Option<Method>,
    /// Replaces all TR variants.
    #[serde(default)]
    pub variants: Option<Vec<TrVariant>>,
    /// Replaces the realtime facts (`None` here leaves them; use `kind: rest` to drop them).
    #[serde(default)]
    pub realtime: Option<Realtime>,
    /// Replaces the paging keys.
    #[serde(default)]
    pub paging: Option<Paging>,
    /// Field corrections.
    #[serde(default)]
    pub fields: Vec<FieldPatch>,
    /// TR-ID-shaped tokens of the sheet that name no TR, and the TR ID each stands for (settles
    /// the API's `tr-unknown` anomalies for those tokens).
    #[serde(default)]
    pub tr_misprints: Vec<kis_spec::TrMisprint>,
}

/// A correction to one field, addressed by a dotted path from the section:
/// `response.body.output1.prdy_ctrt`, `request.query.FID_INPUT_ISCD`; `NAME#2` picks the second
/// field of that name in its list (for duplicated rows).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldPatch {
    /// `request.header|query|body.<name>[.<child>]` or `response.header|body.<name>[.<child>]`.
    pub path: String,
    /// New kind (`object`/`array` for blocks).
    #[serde(default)]
    pub kind: Option<Kind>,
    /// New wire type.
    #[serde(default, rename = "type")]
    pub wire_type: Option<String>,
    /// New length.
    #[serde(default)]
    pub length: Option<String>,
    /// New code list.
    #[serde(default)]
    pub codes: Option<Vec<Code>>,
    /// Whether KIS accepts the (required) field blank.
    #[serde(default)]
    pub blank: Option<bool>,
    /// Codes KIS refuses since a date (a fact announced after the workbook); each must be in
    /// the field's code list.
    #[serde(default)]
    pub retire: Vec<RetireCode>,
    /// New wire name (for misspelled rows).
    #[serde(default)]
    pub rename: Option<String>,
    /// Drops the field (for duplicated rows).
    #[serde(default)]
    pub remove: bool,
    /// Adds a field the workbook lacks (`request.query|body.<NAME>`, or a response block's
    /// column `response.body.<block>.<NAME>` that the response example proves; appended; it
    /// must not exist yet), with the `label`, `kind`, `type`, `length` and `codes` given here.
    #[serde(default)]
    pub add: bool,
    /// Label of an added field.
    #[serde(default)]
    pub label: Option<String>,
}

/// A code retired by KIS: `{code, since, refusal, source}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetireCode {
    /// The code.
    pub code: String,
    /// `YYYY-MM-DD` the refusals started.
    pub since: String,
    /// KIS's answer (`msg_cd` and message).
    #[serde(default)]
    pub refusal: String,
    /// Where the fact comes from.
    pub source: String,
}

/// A loaded patch with its location (`file#index`).
#[derive(Debug, Clone)]
pub struct Located {
    pub at: String,
    pub patch: Patch,
}

/// Loads every `*.yaml` in `dir` (sorted by file name); a missing folder means no patches.
pub fn load(dir: &Path) -> Result<Vec<Located>, ImportError> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(out);
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| ImportError::Patch(format!("{}: {e}", file.display())))?;
        let list: Vec<Patch> = kis_spec::yaml::from_str(&text)
            .map_err(|e| ImportError::Patch(format!("{}: {e}", file.display())))?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for (i, patch) in list.into_iter().enumerate() {
            if patch.reason.trim().is_empty() || patch.reason.contains('\n') {
                return Err(ImportError::Patch(format!(
                    "{name}#{}: `reason` must be one non-empty line",
                    i + 1
                )));
            }
            out.push(Located {
                at: format!("{name}#{}", i + 1),
                patch,
            });
        }
    }
    Ok(out)
}

/// Splits `NAME#N` into the name and the 0-based occurrence (`#2` = the second field of that
/// name in the same list; default the first).
fn occurrence(seg: &str) -> Option<(&str, usize)> {
    match seg.split_once('#') {
        None => Some((seg, 0)),
        Some((name, n)) => {
            let n: usize = n.parse().ok()?;
            (n >= 1).then_some((name, n - 1))
        }
    }
}

/// Finds the list holding the field `path` points at, and the field's index in it.
fn locate<'a>(built: &'a mut Built, path: &str) -> Option<(&'a mut Vec<Field>, usize)> {
    let mut parts = path.split('.');
    let mut list = match (parts.next()?, parts.next()?) {
        ("request", "header") => &mut built.spec.request.header,
        ("request", "query") => &mut built.spec.request.query,
        ("request", "body") => &mut built.spec.request.body,
        ("response", "header") => &mut built.spec.response.header,
        ("response", "body") => &mut built.spec.response.body,
        _ => return None,
    };
    let (mut name, mut nth) = occurrence(parts.next()?)?;
    loop {
        let idx = list
            .iter()
            .enumerate()
            .filter(|(_, f)| f.name == name)
            .nth(nth)
            .map(|(i, _)| i)?;
        match parts.next() {
            None => return Some((list, idx)),
            Some(next) => {
                list = &mut list[idx].fields;
                (name, nth) = occurrence(next)?;
            }
        }
    }
}

/// Applies every patch; marks the anomalies each one claims as handled by it.
pub fn apply(
    patches: &[Located],
    built: &mut [Built],
    anomalies: &mut [Anomaly],
) -> Result<(), ImportError> {
    let known = super::aliases::known(built.iter().map(|b| &b.spec));
    for Located { at, patch } in patches {
        let stale = |msg: String| ImportError::Patch(format!("{at} (api `{}`): {msg}", patch.api));
        let b = built
            .iter_mut()
            .find(|b| b.spec.path == patch.api)
            .ok_or_else(|| stale("no such API in the workbook (stale patch?)".into()))?;
        // Entries for tokens this edition's sheet does not print are skipped (a sheet's misprint
        // may change between editions); a patch none of whose tokens appear is stale through
        // its `fixes: [tr-unknown]`.
        let misprints: Vec<&kis_spec::TrMisprint> = patch
            .tr_misprints
            .iter()
            .filter(|m| b.tr_tokens.contains(&m.text) && !known.contains(&m.text))
            .collect();
        for m in &patch.tr_misprints {
            if !known.contains(&m.means) {
                return Err(stale(format!("`{}` is no TR ID of any API", m.means)));
            }
            if m.note.trim().is_empty() {
                return Err(stale(format!("misprint `{}` needs a note", m.text)));
            }
        }
        // A `tr-unknown` anomaly is settled only for the tokens the patch lists.
        let covers = |a: &Anomaly| {
            a.topic != "tr-unknown"
                || misprints
                    .iter()
                    .any(|m| a.message.starts_with(&format!("`{}`", m.text)))
        };
        for topic in &patch.fixes {
            let mut hit = false;
            for a in anomalies
                .iter_mut()
                .filter(|a| a.api == patch.api && &a.topic == topic && covers(a))
            {
                if a.handled == Handled::Unhandled {
                    a.handled = Handled::Patch(at.clone());
                    hit = true;
                }
            }
            if !hit {
                return Err(stale(format!(
                    "claims to fix `{topic}` but the import found no such unhandled anomaly (stale patch?)"
                )));
            }
        }
        let s = &mut b.spec;
        if let Some(v) = &patch.id {
            s.id = v.clone();
        }
        if let Some(v) = &patch.category {
            s.category = v.clone();
        }
        if let Some(v) = patch.kind {
            s.kind = v;
            if v == ApiKind::Rest {
                s.realtime = None;
            }
        }
        if let Some(v) = patch.method {
            s.method = v;
        }
        if let Some(v) = &patch.variants {
            if v.iter().any(|v| v.real.is_none() && v.paper.is_none()) {
                return Err(stale("a variant without any TR ID".into()));
            }
            s.variants = v.clone();
        }
        if let Some(v) = &patch.realtime {
            s.realtime = Some(v.clone());
        }
        if let Some(v) = &patch.paging {
            s.paging = Some(v.clone());
        }
        s.tr_misprints
            .extend(misprints.iter().map(|m| (*m).clone()));
        for fp in &patch.fields {
            if fp.add {
                if locate(b, &fp.path).is_some() {
                    return Err(stale(format!(
                        "`{}` already exists (stale patch?)",
                        fp.path
                    )));
                }
                let list = match fp.path.split('.').collect::<Vec<_>>()[..] {
                    ["request", "query", _] => &mut b.spec.request.query,
                    ["request", "body", _] => &mut b.spec.request.body,
                    ["response", "body", block, _] => match b
                        .spec
                        .response
                        .body
                        .iter_mut()
                        .find(|f| f.name == block && f.is_block())
                    {
                        Some(f) => &mut f.fields,
                        None => return Err(stale(format!("no block `{block}` for `{}`", fp.path))),
                    },
                    _ => {
                        return Err(stale(format!(
                            "`add` takes request.query.NAME, request.body.NAME or response.body.BLOCK.NAME, not `{}`",
                            fp.path
                        )));
                    }
                };
                let name = fp.path.rsplit('.').next().unwrap_or_default();
                list.push(Field {
                    name: name.to_owned(),
                    sensitive: kis_spec::Sensitive::of(name),
                    label: fp.label.clone().unwrap_or_default(),
                    wire_type: fp.wire_type.clone().unwrap_or_else(|| "string".to_owned()),
                    kind: fp.kind.unwrap_or(kis_spec::Kind::String),
                    required: false,
                    blank: false,
                    length: fp.length.clone(),
                    codes: fp.codes.clone().unwrap_or_default(),
                    description: String::new(),
                    fields: Vec::new(),
                });
                continue;
            }
            let (list, idx) = locate(b, &fp.path)
                .ok_or_else(|| stale(format!("no field `{}` (stale patch?)", fp.path)))?;
            if fp.remove {
                list.remove(idx);
                continue;
            }
            let f = &mut list[idx];
            if let Some(n) = &fp.rename {
                f.name = n.clone();
            }
            if let Some(k) = fp.kind {
                f.kind = k;
            }
            if let Some(t) = &fp.wire_type {
                f.wire_type = t.clone();
            }
            if let Some(l) = &fp.length {
                f.length = Some(l.clone());
            }
            if let Some(c) = &fp.codes {
                f.codes = c.clone();
            }
            if let Some(b) = fp.blank {
                f.blank = b;
            }
            for r in &fp.retire {
                let code = f
                    .codes
                    .iter_mut()
                    .find(|c| c.code == r.code)
                    .ok_or_else(|| {
                        stale(format!("`{}` has no code `{}` to retire", fp.path, r.code))
                    })?;
                code.retired = Some(kis_spec::Retired {
                    since: r.since.clone(),
                    refusal: r.refusal.clone(),
                    source: r.source.clone(),
                });
            }
        }
    }
    Ok(())
}
