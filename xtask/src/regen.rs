//! `cargo xtask regen [--check]`: spec/ to the generated Rust trees (rustfmt'ed), or a
//! freshness check that lists every stale, missing or orphan file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

const USAGE: &str = "usage: cargo xtask regen [--check] [--spec-dir DIR]";
const FIX: &str = "fix: run `cargo xtask regen` and commit the result";

/// Runs the regen task.
pub fn main(args: &[String]) -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut check = false;
    let mut spec_dir = root.join("spec");
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--check" => check = true,
            "--spec-dir" => match it.next() {
                Some(d) => spec_dir = PathBuf::from(d),
                None => {
                    eprintln!("{USAGE}");
                    return ExitCode::from(2);
                }
            },
            _ => {
                eprintln!("unknown argument `{a}`\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let start = std::time::Instant::now();
    let files = match generate(&root, &spec_dir) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("regen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let problems = match diff(&root, &files) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("regen: {e}");
            return ExitCode::FAILURE;
        }
    };
    if check {
        if problems.is_empty() {
            return ExitCode::SUCCESS;
        }
        for p in &problems {
            eprintln!("{p}");
        }
        eprintln!("{FIX}");
        return ExitCode::FAILURE;
    }
    match write(&root, &files, &problems) {
        Ok(()) => {
            eprintln!(
                "regen: {} files, {} changed, in {:.2}s",
                files.len(),
                problems.len(),
                start.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("regen: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Loads the specs and renders every generated file, rustfmt'ed, keyed by its path relative
/// to the workspace root.
fn generate(root: &Path, spec_dir: &Path) -> Result<BTreeMap<PathBuf, String>, String> {
    let t = std::time::Instant::now();
    let specs = if spec_dir.exists() {
        kis_spec::load_dir(spec_dir).map_err(|e| e.to_string())?
    } else {
        Vec::new()
    };
    let names = if spec_dir.exists() {
        codegen::Names::load(spec_dir).map_err(|e| e.to_string())?
    } else {
        codegen::Names::default()
    };
    let loaded = t.elapsed();
    let mut files = codegen::render_with(&specs, &names).map_err(|e| e.to_string())?;
    if let Some(codes) = kis_spec::msg_codes::load(spec_dir).map_err(|e| e.to_string())? {
        files.extend([codegen::render_msg_codes(&codes)]);
    }
    let rendered = t.elapsed();
    let out = rustfmt(root, files);
    if std::env::var_os("REGEN_TIMING").is_some() {
        eprintln!(
            "regen timing: load {:.2}s, render {:.2}s, rustfmt {:.2}s",
            loaded.as_secs_f64(),
            (rendered - loaded).as_secs_f64(),
            (t.elapsed() - rendered).as_secs_f64()
        );
    }
    out
}

/// Formats every file with one `rustfmt` process and the repository's `rustfmt.toml`.
fn rustfmt(
    root: &Path,
    files: BTreeMap<PathBuf, String>,
) -> Result<BTreeMap<PathBuf, String>, String> {
    let tmp = std::env::temp_dir().join(format!("kis-regen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let result = (|| {
        // Mirror the tree so rustfmt follows `mod` declarations from the two roots.
        for (path, text) in &files {
            let p = tmp.join(path);
            if let Some(dir) = p.parent() {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            std::fs::write(&p, text).map_err(|e| format!("{}: {e}", p.display()))?;
        }
        // The two tree roots are formatted alone (stdin: no `mod` following); each category
        // folder by its own rustfmt process, run in parallel.
        let mut formatted = BTreeMap::new();
        for dir in [codegen::CLIENT_API_DIR, codegen::WS_API_DIR] {
            let rel = Path::new(dir).join("mod.rs");
            if let Some(text) = files.get(&rel) {
                formatted.insert(rel, rustfmt_stdin(root, text)?);
            }
        }
        let cats: Vec<PathBuf> = files
            .keys()
            .filter(|p| p.ends_with("mod.rs") && !formatted.contains_key(*p))
            .map(|p| tmp.join(p))
            .collect();
        let jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
        let mut children = Vec::new();
        for batch in cats.chunks(cats.len().div_ceil(jobs).max(1)) {
            let child = rustfmt_cmd(root)
                .args(batch)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .map_err(|e| format!("running rustfmt: {e}"))?;
            children.push(child);
        }
        for child in children {
            wait_rustfmt(child)?;
        }
        for path in files.keys() {
            if formatted.contains_key(path) {
                continue;
            }
            let p = tmp.join(path);
            let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
            formatted.insert(path.clone(), text);
        }
        Ok(formatted)
    })();
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

fn rustfmt_cmd(root: &Path) -> Command {
    let mut c = Command::new("rustfmt");
    c.arg("--edition=2024")
        .arg("--config-path")
        .arg(root.join("rustfmt.toml"));
    c
}

/// Formats one file's text without following its `mod` declarations.
fn rustfmt_stdin(root: &Path, text: &str) -> Result<String, String> {
    use std::io::Write;
    let mut child = rustfmt_cmd(root)
        .arg("--emit=stdout")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("running rustfmt: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(text.as_bytes())
            .map_err(|e| format!("writing to rustfmt: {e}"))?;
    }
    let stdout = wait_rustfmt(child)?;
    String::from_utf8(stdout).map_err(|e| format!("rustfmt output: {e}"))
}

/// Waits for a rustfmt process; a failure is a codegen bug, reported with rustfmt's stderr.
fn wait_rustfmt(child: std::process::Child) -> Result<Vec<u8>, String> {
    let out = child
        .wait_with_output()
        .map_err(|e| format!("running rustfmt: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "rustfmt failed on generated code (a codegen bug):\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(out.stdout)
}

/// Every `.rs` file under the generated trees.
fn existing(root: &Path) -> Result<Vec<PathBuf>, String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            return Ok(());
        };
        for e in entries {
            let e = e.map_err(|e| e.to_string())?;
            let rel = dir.join(e.file_name());
            if e.path().is_dir() {
                walk(root, &rel, out)?;
            } else if rel.extension().is_some_and(|x| x == "rs") {
                out.push(rel);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    for dir in [codegen::CLIENT_API_DIR, codegen::WS_API_DIR] {
        walk(root, Path::new(dir), &mut out)?;
    }
    out.sort();
    Ok(out)
}

/// One line per stale, missing or orphan file.
fn diff(root: &Path, files: &BTreeMap<PathBuf, String>) -> Result<Vec<String>, String> {
    let mut problems = Vec::new();
    for (path, text) in files {
        match std::fs::read_to_string(root.join(path)) {
            Ok(old) if &old == text => {}
            Ok(_) => problems.push(format!("stale: {}", path.display())),
            Err(_) => problems.push(format!("missing: {}", path.display())),
        }
    }
    for path in existing(root)? {
        if !files.contains_key(&path) {
            problems.push(format!("orphan: {}", path.display()));
        }
    }
    Ok(problems)
}

/// Writes changed files and removes orphans (and folders left empty).
fn write(
    root: &Path,
    files: &BTreeMap<PathBuf, String>,
    problems: &[String],
) -> Result<(), String> {
    for p in problems {
        let (kind, rel) = p.split_once(": ").unwrap_or(("", p));
        let path = root.join(rel);
        if kind == "orphan" {
            std::fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            if let Some(dir) = path.parent() {
                let _ = std::fs::remove_dir(dir); // only succeeds when empty
            }
        } else if let Some(text) = files.get(Path::new(rel)) {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}
