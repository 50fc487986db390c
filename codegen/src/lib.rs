//! Renders the spec (`spec/<category>/<id>.yaml`) into the generated Rust trees of kis-client
//! (`kis-client/src/api/`) and kis-ws (`kis-ws/src/api/`).
//!
//! The layout of every generated file is an askama template under `codegen/templates/`
//! (`escape = "none"`); names, types and doc text are computed here and handed to the
//! templates as strings. Each whole-file template opens with the `@generated` header line;
//! `rest_object` and `code_enum` are fragments pasted into the endpoint and record files.
//!
//! [`render`] is pure: the same specs give the same bytes. The output is not yet rustfmt'ed;
//! `cargo xtask regen` formats it with the repository's settings before writing or comparing.
#![deny(missing_docs)]

pub mod codes;
mod doc;
mod msg_codes;
pub mod names;
mod realtime;
mod rest;
mod types;
pub mod words;

pub use msg_codes::render_msg_codes;
pub use words::NamingError;

use kis_spec::{ApiKind, ApiSpec};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Root of the generated REST tree, relative to the workspace.
pub const CLIENT_API_DIR: &str = "kis-client/src/api";
/// Root of the generated realtime tree, relative to the workspace.
pub const WS_API_DIR: &str = "kis-ws/src/api";

/// The kis-client Cargo feature that gates a REST category (`domestic_stock` → `domestic-stock`).
pub fn feature_for(category: &str) -> String {
    category.replace('_', "-")
}

/// Whether a spec is generated as a realtime record (kis-ws) rather than a REST endpoint.
pub fn is_realtime(spec: &ApiSpec) -> bool {
    spec.kind == ApiKind::Realtime
}

/// The curated names codegen reads from a spec folder's `patches/names/`.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// Shared enums of the lists users touch most (`codes.yaml`).
    pub codes: kis_spec::CodeNames,
    /// English variant names of code labels (`code_variants.yaml`).
    pub variants: kis_spec::VariantNames,
}

impl Names {
    /// Loads both files of a spec folder (each empty when absent).
    pub fn load(spec_dir: &std::path::Path) -> Result<Names, kis_spec::SpecError> {
        Ok(Names {
            codes: kis_spec::load_code_names(spec_dir)?,
            variants: kis_spec::load_variant_names(spec_dir)?,
        })
    }
}

/// Renders every generated file, keyed by its path relative to the workspace root, with the
/// curated names `names`. Fails, listing them, when a code label in Korean has no English name
/// in `names.variants` (nothing is romanized) or when an entry there is stale or malformed.
pub fn render_with(
    specs: &[ApiSpec],
    names: &Names,
) -> Result<BTreeMap<PathBuf, String>, NamingError> {
    let mut sorted: Vec<&ApiSpec> = specs.iter().collect();
    sorted.sort_by(|a, b| (&a.category, &a.id).cmp(&(&b.category, &b.id)));
    let (ws, rest): (Vec<&ApiSpec>, Vec<&ApiSpec>) =
        sorted.into_iter().partition(|s| is_realtime(s));
    let mut out = BTreeMap::new();
    let tr = words::Translator::new(&names.variants);
    let book = codes::CodeBook::build(&rest, &names.codes, &tr);
    out.insert(PathBuf::from(codes::CODES_FILE), book.render());
    rest::render_tree(&rest, &book, &tr, &mut out);
    realtime::render_tree(&ws, &tr, &mut out);
    tr.finish()?;
    Ok(out)
}

/// Groups specs by category, keeping order.
fn by_category<'a>(specs: &[&'a ApiSpec]) -> BTreeMap<&'a str, Vec<&'a ApiSpec>> {
    let mut map: BTreeMap<&str, Vec<&ApiSpec>> = BTreeMap::new();
    for s in specs {
        map.entry(s.category.as_str()).or_default().push(s);
    }
    map
}

/// Renders a file template (`templates/*.rs.askama`, `escape = "none"`). Templates only lay
/// out strings precomputed here, so this cannot fail. Askama drops one trailing newline of a
/// template file, so a template whose output ends in a newline ends in a blank line.
fn fill(t: &impl askama::Template) -> String {
    t.render().expect("templates render precomputed strings")
}

/// A Rust string literal for `s`.
fn lit(s: &str) -> String {
    format!("{s:?}")
}
