//! The spec as the mock serves it: endpoints indexed by path and TR ID, realtime TRs by TR ID.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use kis_spec::{ApiKind, ApiSpec};

use crate::bundle::{self, Bundle};

/// The spec the mock serves, indexed for lookups.
#[derive(Debug, Default)]
pub struct Catalog {
    specs: Vec<ApiSpec>,
    examples: HashMap<String, serde_json::Value>,
    by_path: HashMap<String, Vec<usize>>,
    realtime: HashMap<String, usize>,
    error: Option<String>,
}

impl Catalog {
    /// The workspace `spec/` embedded at build time, parsed once per process.
    pub fn bundled() -> Arc<Catalog> {
        static BUNDLED: OnceLock<Arc<Catalog>> = OnceLock::new();
        BUNDLED
            .get_or_init(|| {
                let text = include_str!(concat!(env!("OUT_DIR"), "/spec_bundle.json"));
                let bundle = serde_json::from_str::<Bundle>(text).unwrap_or_else(|e| Bundle {
                    error: Some(format!("embedded spec bundle: {e}")),
                    ..Bundle::default()
                });
                Arc::new(Self::from_bundle(bundle))
            })
            .clone()
    }

    /// Loads a spec folder at runtime (tests with fixture specs).
    pub fn from_dir(root: &Path) -> Result<Catalog, String> {
        bundle::load(root).map(Self::from_bundle)
    }

    /// Builds a catalog from specs and their parsed response examples (keyed `<category>/<id>`).
    pub fn from_specs(
        specs: Vec<ApiSpec>,
        examples: impl IntoIterator<Item = (String, serde_json::Value)>,
    ) -> Catalog {
        Self::from_bundle(Bundle {
            specs,
            examples: examples.into_iter().collect(),
            error: None,
        })
    }

    fn from_bundle(bundle: Bundle) -> Catalog {
        let mut by_path: HashMap<String, Vec<usize>> = HashMap::new();
        let mut realtime = HashMap::new();
        for (i, spec) in bundle.specs.iter().enumerate() {
            match spec.kind {
                ApiKind::Rest => by_path.entry(spec.path.clone()).or_default().push(i),
                ApiKind::Realtime => {
                    for tr in realtime_tr_ids(spec) {
                        realtime.entry(tr).or_insert(i);
                    }
                }
            }
        }
        Catalog {
            specs: bundle.specs,
            examples: bundle.examples.into_iter().collect(),
            by_path,
            realtime,
            error: bundle.error,
        }
    }

    /// Every spec.
    pub fn specs(&self) -> &[ApiSpec] {
        &self.specs
    }

    /// Why the spec could not be loaded at build time, if it could not.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The REST specs served at `path`.
    pub fn at_path(&self, path: &str) -> impl Iterator<Item = &ApiSpec> {
        self.by_path
            .get(path)
            .into_iter()
            .flatten()
            .map(|&i| &self.specs[i])
    }

    /// The realtime spec of a TR ID (real or paper).
    pub fn realtime(&self, tr_id: &str) -> Option<&ApiSpec> {
        self.realtime.get(tr_id).map(|&i| &self.specs[i])
    }

    /// The parsed response example of a spec, when it has a valid one.
    pub fn example(&self, spec: &ApiSpec) -> Option<&serde_json::Value> {
        self.examples.get(&format!("{}/{}", spec.category, spec.id))
    }
}

/// Every TR ID under which a realtime spec can be subscribed.
fn realtime_tr_ids(spec: &ApiSpec) -> Vec<String> {
    let mut ids: Vec<String> = spec
        .variants
        .iter()
        .flat_map(|v| [v.real.clone(), v.paper.clone()])
        .flatten()
        .collect();
    if let Some(rt) = &spec.realtime {
        ids.push(rt.tr_id.clone());
    }
    if ids.is_empty() {
        if let Some(tr) = spec.path.strip_prefix("/tryitout/") {
            ids.push(tr.to_owned());
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_realtime_examples_match_their_layouts() {
        let catalog = Catalog::bundled();
        assert_eq!(catalog.error(), None);
        let mut with_example = 0;
        for spec in catalog
            .specs()
            .iter()
            .filter(|s| s.kind == ApiKind::Realtime)
        {
            if let Some(example) = catalog.example(spec) {
                let columns = spec.response.body.iter().filter(|f| !f.is_block()).count();
                assert_eq!(
                    example.as_array().map(Vec::len),
                    Some(columns),
                    "{}",
                    spec.id
                );
                with_example += 1;
            }
        }
        let realtime = catalog
            .specs()
            .iter()
            .filter(|s| s.kind == ApiKind::Realtime)
            .count();
        assert!(realtime == 0 || with_example > 0);
    }
}
