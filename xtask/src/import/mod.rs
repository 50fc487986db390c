//! `cargo xtask import`: the official workbook to `spec/` (specs, example files, defect report),
//! with the curated patches in `spec/patches/` re-applied on every run.

mod aliases;
mod build;
mod examples;
mod infer;
mod paging;
mod patches;
mod report;
mod types;
mod variants;
mod workbook;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kis_spec::{ApiKind, ApiSpec, Kind, Method};

use build::Built;
use report::Anomaly;

/// Why an import failed. Nothing under `spec/` is touched when this is returned.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The workbook is missing, unreadable or malformed (the message names sheet and row).
    #[error("{0}")]
    Input(String),
    /// A patch file is malformed or stale.
    #[error("patch: {0}")]
    Patch(String),
    /// Two APIs end up with the same category and id.
    #[error("{0}")]
    Collision(String),
    /// Writing the output failed.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ImportError + '_ {
    move |source| ImportError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Runs the import task.
pub fn main(args: &[String]) -> ExitCode {
    let mut workbook = None;
    let default_dir = kis_spec::workspace_spec_dir();
    let mut spec_dir = default_dir.canonicalize().unwrap_or(default_dir);
    let mut patch_dir = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--spec-dir" => match it.next() {
                Some(d) => spec_dir = PathBuf::from(d),
                None => return usage("--spec-dir needs a folder"),
            },
            "--patches" => match it.next() {
                Some(d) => patch_dir = Some(PathBuf::from(d)),
                None => return usage("--patches needs a folder"),
            },
            s if s.starts_with('-') => return usage(&format!("unknown option `{s}`")),
            s if workbook.is_none() => workbook = Some(PathBuf::from(s)),
            s => return usage(&format!("unexpected argument `{s}`")),
        }
    }
    let Some(workbook) = workbook else {
        return usage("missing <workbook.xlsx>");
    };
    let patch_dir = patch_dir.unwrap_or_else(|| spec_dir.join("patches"));
    match run(&workbook, &spec_dir, &patch_dir) {
        Ok(out) => {
            print!("{}", out.topics);
            print!("{}", out.unhandled_listing);
            println!("import: {}", out.summary);
            println!(
                "import: wrote {} (report: {})",
                spec_dir.display(),
                spec_dir.join("IMPORT_REPORT.md").display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "import failed: {e}\nimport: {} left untouched",
                spec_dir.display()
            );
            ExitCode::FAILURE
        }
    }
}

fn usage(msg: &str) -> ExitCode {
    eprintln!(
        "import: {msg}\nusage: cargo xtask import <workbook.xlsx> [--spec-dir DIR] [--patches DIR]"
    );
    ExitCode::from(2)
}

/// What a successful import reports.
pub struct Outcome {
    /// One-line counts.
    pub summary: String,
    /// One line per unhandled anomaly.
    pub unhandled_listing: String,
    /// Per-topic counts.
    pub topics: String,
}

/// Imports `workbook` into `spec_dir`, applying the patches in `patch_dir`.
pub fn run(workbook: &Path, spec_dir: &Path, patch_dir: &Path) -> Result<Outcome, ImportError> {
    let patches = patches::load(patch_dir)?;
    let raw = workbook::read(workbook)?;
    let mut anomalies = Vec::new();
    let mut built = assemble(&raw, &mut anomalies)?;
    types::name_blocks_by_columns(&mut built, &mut anomalies);
    check_blocks_against_examples(&mut built, &mut anomalies);
    types::check_example_keys(&built, &mut anomalies);
    aliases::check_tokens(&built, &mut anomalies);
    patches::apply(&patches, &mut built, &mut anomalies)?;
    check_kinds_against_examples(&mut built, &mut anomalies);
    for b in &mut built {
        if let Some(p) = &mut b.spec.paging {
            paging::settle_rows(p, &b.spec.response);
        }
    }
    check_realtime_examples(&mut built, &mut anomalies);
    types::apply(&mut built, &mut anomalies);
    resolve_ids(&mut built, &mut anomalies)?;
    let files = render_examples(&mut built, &mut anomalies);
    let mut specs: Vec<ApiSpec> = built.into_iter().map(|b| b.spec).collect();
    let mut files = files;
    add_hand_written(
        &patch_dir.join("added"),
        &mut specs,
        &mut files,
        &mut anomalies,
    )?;
    let name = workbook
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    anomalies.sort_by(|a, b| (&a.api, &a.topic, &a.message).cmp(&(&b.api, &b.topic, &b.message)));
    let report = report::render(&name, &specs, &anomalies);
    write(spec_dir, &specs, &files, &report)?;
    let unhandled_listing = anomalies
        .iter()
        .filter(|a| a.handled == report::Handled::Unhandled)
        .map(|a| format!("unhandled: {} [{}] {}\n", a.api, a.topic, a.message))
        .collect();
    Ok(Outcome {
        topics: report::topic_table(&anomalies),
        summary: report::summary(&specs, &anomalies),
        unhandled_listing,
    })
}

/// Matches index rows to sheets and builds every API.
fn assemble(
    raw: &workbook::RawWorkbook,
    anomalies: &mut Vec<Anomaly>,
) -> Result<Vec<Built>, ImportError> {
    let by_name: HashMap<&str, usize> = raw
        .sheets
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let mut used = vec![false; raw.sheets.len()];
    let mut out = Vec::new();
    for row in &raw.index {
        let exact = by_name.get(row.name.as_str()).copied();
        let idx = match exact {
            Some(i) => Some(i),
            None => {
                let alt = workbook::sheet_name_for(&row.name);
                let found = by_name.get(alt.as_str()).copied();
                if found.is_some() {
                    anomalies.push(Anomaly::rule(
                        &row.url,
                        "sheet-name",
                        format!(
                            "sheet for `{}` is named `{alt}` (Excel forbids `/` in sheet names)",
                            row.name
                        ),
                        "excel-sheet-name",
                    ));
                }
                found
            }
        };
        let Some(idx) = idx else {
            return Err(ImportError::Input(format!(
                "sheet `{}` row {}: no sheet named `{}` for this index row",
                workbook::INDEX_SHEET,
                row.row,
                row.name
            )));
        };
        if used[idx] {
            return Err(ImportError::Input(format!(
                "sheet `{}` row {}: sheet `{}` is claimed by two index rows",
                workbook::INDEX_SHEET,
                row.row,
                raw.sheets[idx].name
            )));
        }
        used[idx] = true;
        out.push(build::build(row, &raw.sheets[idx], anomalies)?);
    }
    for (i, s) in raw.sheets.iter().enumerate() {
        if !used[i] {
            anomalies.push(Anomaly::unhandled(
                "-",
                "orphan-sheet",
                format!("sheet `{}` has no row in the index; not imported", s.name),
            ));
        }
    }
    Ok(out)
}

/// The REST response example `text` of the endpoint at `path` as a JSON object: valid as
/// stored, or after an unambiguous repair. `None` for realtime TRs, missing examples and
/// examples that stay invalid. Parsed once per endpoint, into [`Built::response_json`].
fn response_example_object(
    path: &str,
    text: Option<&String>,
) -> Option<serde_json::Map<String, serde_json::Value>> {
    if path.starts_with("/tryitout/") {
        return None;
    }
    let text = examples::normalize(text?);
    let value = examples::parse(&text)
        .ok()
        .or_else(|| examples::repair(&text).and_then(|(t, _)| examples::parse(&t).ok()));
    match value {
        Some(serde_json::Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// Where a valid response example shows a block as object vs array, trust the example.
fn check_blocks_against_examples(built: &mut [Built], anomalies: &mut Vec<Anomaly>) {
    for b in built.iter_mut() {
        let Some(map) = &b.response_json else {
            continue;
        };
        let path = b.spec.path.clone();
        // `paging::detect` gave every endpoint with a continuation key or `tr_cont` paging a section.
        let paged = b.spec.paging.is_some();
        // A cursor scan names its rows block from the start (other schemes settle it later, after
        // blocks are renamed): that block, not the layout's only list, is the list being paged.
        let rows = b
            .spec
            .paging
            .as_ref()
            .filter(|p| p.scheme == kis_spec::PagingScheme::Cursor)
            .and_then(|p| p.rows.clone());
        let body = &mut b.spec.response.body;
        // Block keys the example uses but the layout does not, and vice versa.
        let is_block_value = |v: &serde_json::Value| v.is_object() || v.is_array();
        let extra: Vec<&String> = map
            .iter()
            .filter(|(k, v)| is_block_value(v) && !body.iter().any(|f| &f.name == *k))
            .map(|(k, _)| k)
            .collect();
        let missing: Vec<usize> = body
            .iter()
            .enumerate()
            .filter(|(_, f)| f.is_block() && !map.contains_key(&f.name))
            .map(|(i, _)| i)
            .collect();
        if let ([key], [i]) = (&extra[..], &missing[..]) {
            anomalies.push(Anomaly::rule(
                &path,
                "block-name",
                format!(
                    "the layout calls the block `{}` but the response example sends `{key}`; using `{key}`",
                    body[*i].name
                ),
                "block-name-from-example",
            ));
            body[*i].name = (*key).clone();
        } else {
            for key in &extra {
                anomalies.push(Anomaly::unhandled(
                    &path,
                    "example-key",
                    format!("the response example has block `{key}`, which the layout lacks"),
                ));
            }
        }
        for (k, v) in map {
            if !is_block_value(v) && !body.iter().any(|f| &f.name == k) {
                anomalies.push(Anomaly::unhandled(
                    &path,
                    "example-key",
                    format!("the response example has field `{k}`, which the layout lacks"),
                ));
            }
        }
        // The layout's only list block of a paging endpoint is the list being paged.
        let lists = body.iter().filter(|f| f.kind == Kind::Array).count();
        for f in body.iter_mut().filter(|f| f.is_block()) {
            let seen = match map.get(&f.name) {
                Some(serde_json::Value::Array(_)) => Kind::Array,
                Some(serde_json::Value::Object(_)) => Kind::Object,
                _ => continue,
            };
            // The example settles a type/description disagreement either way.
            let tag = format!("block `{}` ", f.name);
            for a in anomalies.iter_mut().filter(|a| {
                a.api == path
                    && a.topic == "block-kind"
                    && a.handled == report::Handled::Unhandled
                    && a.message.starts_with(&tag)
            }) {
                a.message.push_str(&format!(
                    "; the response example has an {}",
                    if seen == Kind::Array {
                        "array"
                    } else {
                        "object"
                    }
                ));
                a.handled = report::Handled::Rule("block-kind-from-example".into());
            }
            let paged_list = match &rows {
                Some(rows) => *rows == f.name,
                None => lists == 1,
            };
            if seen == Kind::Object && f.kind == Kind::Array && paged && paged_list {
                // A list that pages shows one row as an object in its example; the layout's
                // array is right (a block reads an object as one row either way).
                anomalies.push(Anomaly::rule(
                    &b.spec.path,
                    "block-kind",
                    format!(
                        "block `{}` is typed `{}` and the endpoint pages, but the response example has an object; kept array",
                        f.name, f.wire_type
                    ),
                    "block-kind-paged-list",
                ));
                continue;
            }
            if seen != f.kind {
                anomalies.push(Anomaly::rule(
                    &b.spec.path,
                    "block-kind",
                    format!(
                        "block `{}` is typed `{}` but the response example has an {}; using {}",
                        f.name,
                        f.wire_type,
                        if seen == Kind::Array {
                            "array"
                        } else {
                            "object"
                        },
                        if seen == Kind::Array {
                            "array"
                        } else {
                            "object"
                        }
                    ),
                    "block-kind-from-example",
                ));
                f.kind = seen;
            }
        }
    }
}

/// Adds the hand-written endpoints in `patches/added/<category>/<id>.yaml` (endpoints the
/// workbook lacks). They must not collide with imported ones.
fn add_hand_written(
    dir: &Path,
    specs: &mut Vec<ApiSpec>,
    files: &mut Vec<(PathBuf, String)>,
    anomalies: &mut Vec<Anomaly>,
) -> Result<(), ImportError> {
    if !dir.is_dir() {
        return Ok(());
    }
    let added = kis_spec::load_dir(dir).map_err(|e| ImportError::Patch(e.to_string()))?;
    for spec in added {
        if let Some(other) = specs
            .iter()
            .find(|s| (s.category == spec.category && s.id == spec.id) || s.path == spec.path)
        {
            return Err(ImportError::Patch(format!(
                "added/{}/{}.yaml collides with the imported `{}` (remove the hand-written file?)",
                spec.category, spec.id, other.path
            )));
        }
        for e in [&spec.examples.request, &spec.examples.response]
            .into_iter()
            .flatten()
        {
            let rel = PathBuf::from(&spec.category).join(&e.file);
            let src = dir.join(&rel);
            let text = std::fs::read_to_string(&src).map_err(io(&src))?;
            files.push((rel, text));
        }
        anomalies.push(Anomaly::rule(
            &spec.path,
            "added",
            format!(
                "hand-written endpoint {}/{} added (not in the workbook)",
                spec.category, spec.id
            ),
            "patches-added",
        ));
        specs.push(spec);
    }
    specs.sort_by(|a, b| (&a.category, &a.id).cmp(&(&b.category, &b.id)));
    Ok(())
}

/// Resolves id collisions within a category: the API with the shortest path keeps the plain id,
/// the others get their parent path segment as a prefix (`pension_inquire_balance`).
fn resolve_ids(built: &mut [Built], anomalies: &mut Vec<Anomaly>) -> Result<(), ImportError> {
    let mut groups: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, b) in built.iter().enumerate() {
        groups
            .entry((b.spec.category.clone(), b.spec.id.clone()))
            .or_default()
            .push(i);
    }
    for ((cat, id), members) in groups {
        if members.len() < 2 {
            continue;
        }
        let depths: Vec<usize> = members
            .iter()
            .map(|&i| built[i].spec.path.trim_matches('/').split('/').count())
            .collect();
        let min = depths.iter().copied().min().unwrap_or(0);
        for (&i, &depth) in members.iter().zip(&depths) {
            if depth > min {
                let segs: Vec<&str> = built[i].spec.path.trim_matches('/').split('/').collect();
                let parent = segs
                    .get(segs.len().saturating_sub(2))
                    .copied()
                    .unwrap_or("");
                let new_id = format!("{}_{id}", build::snake(parent));
                anomalies.push(Anomaly::rule(
                    &built[i].spec.path,
                    "id-collision",
                    format!("id `{id}` is taken in `{cat}`; this API is `{new_id}`"),
                    "id-parent-prefix",
                ));
                built[i].spec.id = new_id;
            }
        }
    }
    let mut seen: HashMap<(String, String), String> = HashMap::new();
    for b in built.iter() {
        let key = (b.spec.category.clone(), b.spec.id.clone());
        if let Some(other) = seen.insert(key.clone(), b.spec.path.clone()) {
            return Err(ImportError::Collision(format!(
                "`{}` and `{other}` both map to {}/{}; add an `id` patch",
                b.spec.path, key.0, key.1
            )));
        }
    }
    Ok(())
}

/// Classifies and names the example files; records them in the specs.
fn render_examples(built: &mut [Built], anomalies: &mut Vec<Anomaly>) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    for b in built.iter_mut() {
        let s = &mut b.spec;
        let realtime = s.kind == ApiKind::Realtime || s.realtime.is_some();
        if let Some(t) = &b.examples.request {
            let json = realtime || s.method == Method::Post;
            let stem = format!("{}.request", s.id);
            let f = examples::classify(&stem, t, json && looks_json(t));
            note_example(&s.path, &f.example, anomalies);
            files.push((PathBuf::from(&s.category).join(&f.file), f.contents));
            s.examples.request = Some(f.example);
        }
        if let Some(t) = &b.examples.response {
            let stem = format!("{}.response", s.id);
            let f = examples::classify(&stem, t, !realtime);
            note_example(&s.path, &f.example, anomalies);
            files.push((PathBuf::from(&s.category).join(&f.file), f.contents));
            s.examples.response = Some(f.example);
        }
    }
    files
}

/// Lists repaired and invalid examples in the report.
fn note_example(api: &str, e: &kis_spec::Example, anomalies: &mut Vec<Anomaly>) {
    match e.status {
        kis_spec::ExampleStatus::Repaired => anomalies.push(Anomaly::rule(
            api,
            "example",
            format!("`{}` repaired: {}", e.file, e.note),
            "example-repair",
        )),
        kis_spec::ExampleStatus::Invalid => anomalies.push(Anomaly::rule(
            api,
            "example",
            format!("`{}` kept verbatim and flagged invalid: {}", e.file, e.note),
            "example-flagged",
        )),
        _ => {}
    }
}

fn looks_json(t: &str) -> bool {
    t.trim_start().starts_with('{') || t.trim_start().starts_with('[')
}

/// Writes everything to a fresh folder beside `spec_dir`, carries over the hand-written inputs
/// (`patches/`, `README.md`, `msg_codes.yaml`), then swaps it in.
fn write(
    spec_dir: &Path,
    specs: &[ApiSpec],
    files: &[(PathBuf, String)],
    report: &str,
) -> Result<(), ImportError> {
    let parent = spec_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let base = spec_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or("spec".into());
    let tmp = parent.join(format!(".{base}.import-new"));
    let old = parent.join(format!(".{base}.import-old"));
    for d in [&tmp, &old] {
        if d.exists() {
            std::fs::remove_dir_all(d).map_err(io(d))?;
        }
    }
    std::fs::create_dir_all(&tmp).map_err(io(&tmp))?;
    let result = (|| {
        for s in specs {
            let path = tmp.join(kis_spec::relative_path(s));
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(io(dir))?;
            }
            std::fs::write(&path, kis_spec::render(s)).map_err(io(&path))?;
        }
        for (rel, contents) in files {
            let path = tmp.join(rel);
            std::fs::write(&path, contents).map_err(io(&path))?;
        }
        let rp = tmp.join("IMPORT_REPORT.md");
        std::fs::write(&rp, report).map_err(io(&rp))?;
        for name in ["README.md", kis_spec::msg_codes::FILE] {
            let kept = spec_dir.join(name);
            if kept.is_file() {
                std::fs::copy(&kept, tmp.join(name)).map_err(io(&kept))?;
            }
        }
        let patches = spec_dir.join("patches");
        if patches.is_dir() {
            copy_dir(&patches, &tmp.join("patches"))?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if spec_dir.exists() {
        std::fs::rename(spec_dir, &old).map_err(io(spec_dir))?;
    }
    if let Err(e) = std::fs::rename(&tmp, spec_dir) {
        // Put the old tree back.
        let _ = std::fs::rename(&old, spec_dir);
        return Err(ImportError::Io {
            path: spec_dir.to_owned(),
            source: e,
        });
    }
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(io(&old))?;
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), ImportError> {
    std::fs::create_dir_all(to).map_err(io(to))?;
    for e in std::fs::read_dir(from).map_err(io(from))? {
        let e = e.map_err(io(from))?;
        let p = e.path();
        let dest = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &dest)?;
        } else {
            std::fs::copy(&p, &dest).map_err(io(&p))?;
        }
    }
    Ok(())
}

/// Whether an example value fits a kind (empty always fits: KIS sends empty strings freely).
fn value_fits(kind: Kind, v: &str) -> bool {
    let v = v.trim();
    if v.is_empty() {
        return true;
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = v.strip_prefix(['-', '+']).unwrap_or(v);
    match kind {
        Kind::Integer => digits(unsigned),
        Kind::Decimal => {
            let mut parts = unsigned.splitn(2, '.');
            let int = parts.next().unwrap_or("");
            match parts.next() {
                None => digits(int),
                Some(frac) => (int.is_empty() || digits(int)) && (frac.is_empty() || digits(frac)),
            }
        }
        // `00000000` is KIS's "no date".
        Kind::Date => types::valid_date(v) || v == "00000000",
        // Hours run to 47 in night sessions.
        Kind::Time => types::valid_time(v),
        Kind::Flag => v == "Y" || v == "N",
        _ => true,
    }
}

/// Checks inferred kinds against the values of valid response examples: a kind the example
/// contradicts is widened (integer -> decimal -> string; date/time/flag -> string).
fn check_kinds_against_examples(built: &mut [Built], anomalies: &mut Vec<Anomaly>) {
    fn walk(
        api: &str,
        fields: &mut [kis_spec::Field],
        values: &[&serde_json::Map<String, serde_json::Value>],
        anomalies: &mut Vec<Anomaly>,
    ) {
        for f in fields.iter_mut() {
            // KIS spells some keys differently from the layout (`ODNO` vs `odno`): the example,
            // a captured response, wins when it differs only by case.
            if !values.is_empty() && values.iter().all(|m| !m.contains_key(&f.name)) {
                let mut alt: Vec<&String> = values
                    .iter()
                    .flat_map(|m| m.keys())
                    .filter(|k| k.eq_ignore_ascii_case(&f.name))
                    .collect();
                alt.dedup();
                if let [key] = alt[..] {
                    anomalies.push(Anomaly::rule(
                        api,
                        "field-case",
                        format!(
                            "`{}` is spelled `{key}` in the response example; using `{key}`",
                            f.name
                        ),
                        "field-case-from-example",
                    ));
                    f.name = key.clone();
                }
            }
            if f.is_block() {
                let mut rows = Vec::new();
                for m in values {
                    match m.get(&f.name) {
                        Some(serde_json::Value::Object(o)) => rows.push(o),
                        Some(serde_json::Value::Array(a)) => {
                            rows.extend(a.iter().filter_map(|x| x.as_object()))
                        }
                        _ => {}
                    }
                }
                walk(api, &mut f.fields, &rows, anomalies);
                continue;
            }
            let seen: Vec<&str> = values
                .iter()
                .filter_map(|m| m.get(&f.name).and_then(|v| v.as_str()))
                .collect();
            let Some(bad) = seen.iter().find(|v| !value_fits(f.kind, v)) else {
                continue;
            };
            let widened =
                if f.kind == Kind::Integer && seen.iter().all(|v| value_fits(Kind::Decimal, v)) {
                    Kind::Decimal
                } else {
                    Kind::String
                };
            anomalies.push(Anomaly::rule(
                api,
                "kind",
                format!(
                    "`{}` inferred {} but the example has `{bad}`; widened to {}",
                    f.name,
                    kind_name(f.kind),
                    kind_name(widened)
                ),
                "kind-from-example",
            ));
            f.kind = widened;
        }
    }
    for b in built.iter_mut() {
        let Some(map) = &b.response_json else {
            continue;
        };
        let path = b.spec.path.clone();
        walk(&path, &mut b.spec.response.body, &[map], anomalies);
    }
}

/// The `^`-separated values of the first plain data frame in a realtime response example
/// (line-wrapped in the workbook), with the frame's record count when it has the
/// `0|TR_ID|NNN|` prefix.
fn realtime_example_values(text: &str) -> Option<(Vec<String>, Option<usize>)> {
    let text = examples::normalize(text);
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let l = line.trim();
        if !(l == "# output" || l == "# output - 정제 전") {
            continue;
        }
        let mut joined = String::new();
        while let Some(next) = lines.peek() {
            let n = next.trim();
            if n.is_empty() || n.starts_with('#') {
                break;
            }
            joined.push_str(n);
            lines.next();
        }
        if !joined.contains('^') {
            continue;
        }
        let mut count = None;
        if let [enc, _tr, n, rest] = joined.splitn(4, '|').collect::<Vec<_>>()[..] {
            if enc == "0" && n.len() == 3 && n.bytes().all(|b| b.is_ascii_digit()) {
                count = n.parse().ok();
                joined = rest.to_owned();
            }
        }
        return Some((joined.split('^').map(str::to_owned).collect(), count));
    }
    None
}

/// Checks realtime column layouts and kinds against the example data frame.
fn check_realtime_examples(built: &mut [Built], anomalies: &mut Vec<Anomaly>) {
    for b in built.iter_mut() {
        if b.spec.realtime.is_none() {
            continue;
        }
        let Some(text) = &b.examples.response else {
            continue;
        };
        let Some((values, count)) = realtime_example_values(text) else {
            continue;
        };
        let cols = b.spec.response.body.len();
        let records = count.unwrap_or(1).max(1);
        if cols == 0 || values.len() != cols * records {
            anomalies.push(Anomaly::unhandled(
                &b.spec.path,
                "realtime-columns",
                format!(
                    "the example frame has {} values for {records} record(s) but the layout has {cols} columns",
                    values.len()
                ),
            ));
            continue;
        }
        for (i, f) in b.spec.response.body.iter_mut().enumerate() {
            let seen: Vec<&str> = values
                .iter()
                .skip(i)
                .step_by(cols)
                .map(|s| s.as_str())
                .collect();
            let Some(bad) = seen.iter().find(|v| !value_fits(f.kind, v)) else {
                continue;
            };
            let widened =
                if f.kind == Kind::Integer && seen.iter().all(|v| value_fits(Kind::Decimal, v)) {
                    Kind::Decimal
                } else {
                    Kind::String
                };
            anomalies.push(Anomaly::rule(
                &b.spec.path,
                "kind",
                format!(
                    "`{}` inferred {} but the example frame has `{bad}`; widened to {}",
                    f.name,
                    kind_name(f.kind),
                    kind_name(widened)
                ),
                "kind-from-example",
            ));
            f.kind = widened;
        }
    }
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::String => "string",
        Kind::Integer => "integer",
        Kind::Decimal => "decimal",
        Kind::Date => "date",
        Kind::Time => "time",
        Kind::Flag => "flag",
        Kind::Code => "code",
        Kind::Object => "object",
        Kind::Array => "array",
    }
}
