//! The spec bundle: every spec plus its parsed response example, loaded from a `spec/` folder.
//!
//! Shared by `build.rs` (which embeds the workspace's `spec/` as JSON) and the library (which
//! parses that JSON once, or loads another folder at runtime for tests).

use std::collections::BTreeMap;
use std::path::Path;

use kis_spec::{ApiSpec, ExampleStatus, Field};
use serde::{Deserialize, Serialize};

/// Every spec of a folder with the response examples that are valid JSON.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Bundle {
    /// The specs, sorted by category then id.
    pub specs: Vec<ApiSpec>,
    /// Parsed response examples keyed by `<category>/<id>`.
    pub examples: BTreeMap<String, serde_json::Value>,
    /// Why the folder could not be loaded, when it could not (the bundle is then empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Loads `root` (a missing folder is an empty bundle).
pub fn load(root: &Path) -> Result<Bundle, String> {
    if !root.is_dir() {
        return Ok(Bundle::default());
    }
    let specs = kis_spec::load_dir(root).map_err(|e| e.to_string())?;
    let mut examples = BTreeMap::new();
    for spec in &specs {
        let Some(example) = &spec.examples.response else {
            continue;
        };
        if !matches!(
            example.status,
            ExampleStatus::Valid | ExampleStatus::Repaired
        ) {
            continue;
        }
        let file = root.join(&spec.category).join(&example.file);
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) {
            examples.insert(format!("{}/{}", spec.category, spec.id), value);
        }
    }
    Ok(Bundle {
        specs,
        examples,
        error: None,
    })
}

impl Bundle {
    /// Drops what the mock never reads (labels, menus, header layouts) and keeps at most three
    /// records of each example array, so the embedded bundle parses fast. Used by `build.rs`.
    #[allow(dead_code)]
    pub fn compact(&mut self) {
        fn field(f: &mut Field) {
            f.label.clear();
            for code in &mut f.codes {
                code.label.clear();
            }
            f.fields.iter_mut().for_each(field);
        }
        for spec in &mut self.specs {
            spec.menu.clear();
            spec.request.header.clear();
            spec.response.header.clear();
            for v in &mut spec.variants {
                v.label.clear();
            }
            spec.request.query.iter_mut().for_each(field);
            spec.request.body.iter_mut().for_each(field);
            spec.response.body.iter_mut().for_each(field);
        }
        for example in self.examples.values_mut() {
            if let Some(object) = example.as_object_mut() {
                for value in object.values_mut() {
                    if let Some(rows) = value.as_array_mut() {
                        rows.truncate(3);
                    }
                }
            }
        }
    }
}
