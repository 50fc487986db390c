//! The generated code is fresh (`cargo xtask regen --check` passes on the committed tree), and
//! the check fails, naming the file and the fix, when a spec changes without regenerating.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn regen(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("regen")
        .args(args)
        .current_dir(root())
        .output()
        .expect("xtask runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn generated_code_is_fresh() {
    let (ok, err) = regen(&["--check"]);
    assert!(ok, "generated code is stale:\n{err}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read spec dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).expect("copy");
        }
    }
}

#[test]
fn editing_a_spec_without_regen_fails_the_check() {
    let tmp = tempfile::tempdir().expect("tempdir");
    copy_dir(&root().join("spec"), tmp.path());
    let specs = kis_spec::load_dir(tmp.path()).expect("spec loads");
    let Some(first) = specs.iter().find(|s| s.kind == kis_spec::ApiKind::Rest) else {
        panic!("spec/ has no REST endpoint");
    };
    let file = tmp.path().join(kis_spec::relative_path(first));
    let text = std::fs::read_to_string(&file).expect("read spec file");
    let mut edited = first.clone();
    edited.name.push_str(" (edited)");
    assert_ne!(kis_spec::render(&edited), text);
    std::fs::write(&file, kis_spec::render(&edited)).expect("write spec file");

    let dir = tmp.path().to_str().expect("utf-8 temp path");
    let (ok, err) = regen(&["--check", "--spec-dir", dir]);
    assert!(!ok, "check passed after a spec edit");
    let module = first.id.clone();
    assert!(
        err.lines()
            .any(|l| l.starts_with("stale: ") && l.contains(&format!("{module}.rs"))),
        "{err}"
    );
    assert!(err.contains("cargo xtask regen"), "{err}");

    // Removing a spec leaves an orphan.
    std::fs::remove_file(&file).expect("remove spec file");
    let (ok, err) = regen(&["--check", "--spec-dir", dir]);
    assert!(!ok);
    assert!(err.lines().any(|l| l.starts_with("orphan: ")), "{err}");
}
