//! Structural invariants of the hand-written runtime (docs/ARCHITECTURE.md), checked on the
//! source: one place puts bytes on the wire, every `impl Client` is in `client.rs`, and the
//! pipeline phases never reach back into the client.

use std::path::Path;

fn runtime_sources() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    for e in std::fs::read_dir(&dir).expect("src") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "rs") {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            out.push((name, std::fs::read_to_string(&p).expect("read")));
        }
    }
    assert!(out.len() > 10, "found the runtime files");
    out
}

#[test]
fn only_wire_rs_sends_http() {
    for (name, text) in runtime_sources() {
        let sends = text.contains(".send()") || text.contains("reqwest::Client::new");
        assert_eq!(
            sends,
            name == "wire.rs",
            "{name}: HTTP is sent only from wire.rs"
        );
    }
}

#[test]
fn every_impl_client_is_in_client_rs() {
    for (name, text) in runtime_sources() {
        let has = text
            .lines()
            .any(|l| l.trim_start().starts_with("impl Client"));
        assert_eq!(
            has,
            name == "client.rs",
            "{name}: impl Client belongs in client.rs"
        );
    }
}

#[test]
fn pipeline_phases_never_import_the_client() {
    for (name, text) in runtime_sources() {
        if matches!(name.as_str(), "client.rs" | "lib.rs") {
            continue;
        }
        assert!(
            !text.contains("crate::client"),
            "{name} imports the client (auth, transport, wire and paging are handed what they need)"
        );
    }
}
