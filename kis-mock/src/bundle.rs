//! The spec bundle: every spec plus its parsed response example, loaded from a `spec/` folder.
//!
//! Shared by `build.rs` (which embeds the workspace's `spec/` as JSON) and the library (which
//! parses that JSON once, or loads another folder at runtime for tests).

use std::collections::BTreeMap;
use std::path::Path;

use kis_spec::{ApiKind, ApiSpec, ExampleStatus, Field};
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
        let file = root.join(&spec.category).join(&example.file);
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let key = format!("{}/{}", spec.category, spec.id);
        match (spec.kind, example.status) {
            (ApiKind::Rest, ExampleStatus::Valid | ExampleStatus::Repaired) => {
                if let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) {
                    examples.insert(key, value);
                }
            }
            (ApiKind::Realtime, ExampleStatus::Text) => {
                let columns = spec.response.body.iter().filter(|f| !f.is_block()).count();
                if let Some(record) = realtime_record(&text, columns) {
                    examples.insert(key, record.into());
                }
            }
            _ => {}
        }
    }
    Ok(Bundle {
        specs,
        examples,
        error: None,
    })
}

/// The first record of a realtime example's data block (the last `# output` block that is not
/// JSON; its lines are wrapped at arbitrary points, so they are joined without separators), when
/// it has exactly `columns` fields.
pub fn realtime_record(text: &str, columns: usize) -> Option<Vec<String>> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().enumerate().rev().find_map(|(i, line)| {
        let next = lines.get(i + 1).map(|l| l.trim_start())?;
        (line.starts_with("# output") && !next.starts_with('{') && next.contains('^'))
            .then_some(i + 1)
    })?;
    let joined: String = lines[start..]
        .iter()
        .take_while(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.trim_end())
        .collect();
    let mut fields: Vec<String> = joined.split('^').map(str::to_owned).collect();
    if fields.len() == columns + 1 && fields.last().is_some_and(String::is_empty) {
        fields.pop();
    }
    (columns > 0 && fields.len() == columns).then_some(fields)
}

impl Bundle {
    /// Drops what the mock never reads (labels, menus, descriptions, overviews, header layouts,
    /// misprint notes) and keeps at most three
    /// records of each example array, so the embedded bundle parses fast. Used by `build.rs`.
    #[allow(dead_code)]
    pub fn compact(&mut self) {
        fn field(f: &mut Field) {
            f.label.clear();
            f.description.clear();
            for code in &mut f.codes {
                code.label.clear();
            }
            f.fields.iter_mut().for_each(field);
        }
        for spec in &mut self.specs {
            spec.menu.clear();
            spec.overview.clear();
            spec.tr_misprints.clear();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realtime_example_record_joins_wrapped_lines() {
        let text = "# 연결 확인\n{\n \"header\": {}\n}\n\n# output\n005930^0933\n54^71900^\n";
        assert_eq!(
            realtime_record(text, 3),
            Some(vec!["005930".into(), "093354".into(), "71900".into()])
        );
        assert_eq!(realtime_record(text, 5), None);
        assert_eq!(realtime_record("# output\n{\"a\": 1}\n", 1), None);
        assert_eq!(realtime_record("", 1), None);
    }

    proptest::proptest! {
        #[test]
        fn realtime_example_never_panics(text in ".{0,200}", columns in 0usize..10) {
            if let Some(fields) = realtime_record(&text, columns) {
                proptest::prop_assert_eq!(fields.len(), columns);
            }
        }
    }
}
