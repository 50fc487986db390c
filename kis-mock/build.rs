//! Embeds the workspace's `spec/` folder into the library as one JSON bundle, so the mock needs
//! no files at runtime and parses the spec once.

#[allow(dead_code)]
#[path = "src/bundle.rs"]
mod bundle;

use std::path::Path;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    // `spec` is a symlink to the workspace's spec/ in the repository and a real folder in the
    // published package.
    let root = Path::new(&manifest).join("spec");
    println!("cargo:rerun-if-changed=spec");
    println!("cargo:rerun-if-changed=../spec");
    println!("cargo:rerun-if-changed=src/bundle.rs");
    let bundle = match bundle::load(&root) {
        Ok(mut bundle) => {
            bundle.compact();
            bundle
        }
        Err(error) => {
            println!("cargo:warning=kis-mock: spec/ not embedded: {error}");
            bundle::Bundle {
                error: Some(error),
                ..Default::default()
            }
        }
    };
    let json = serde_json::to_string(&bundle).expect("the bundle always serializes");
    std::fs::write(Path::new(&out).join("spec_bundle.json"), json).expect("OUT_DIR is writable");
}
