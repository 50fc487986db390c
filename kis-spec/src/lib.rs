//! The machine-readable KIS Open API spec: the model of `spec/<category>/<id>.yaml` files and
//! how to load and store them.
//!
//! The importer (`cargo xtask import`) writes these files from the official workbook, codegen
//! renders Rust from them, and kis-mock serves answers shaped by them.
#![deny(missing_docs)]

mod model;
pub mod msg_codes;
pub mod tr_id;
pub mod yaml;

pub use model::*;

use std::path::{Path, PathBuf};

/// An error loading or storing spec files.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// A file or folder could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A spec file is not valid YAML or does not match the model.
    #[error("{path}: {source}")]
    Yaml {
        /// The spec file.
        path: PathBuf,
        /// The underlying error.
        source: yaml::Error,
    },
    /// Two spec files claim the same category and id, or a file's location disagrees with it.
    #[error("{path}: {message}")]
    Invalid {
        /// The spec file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Parses one spec document.
pub fn parse(text: &str, path: &Path) -> Result<ApiSpec, SpecError> {
    yaml::from_str(text).map_err(|source| SpecError::Yaml {
        path: path.to_owned(),
        source,
    })
}

/// Renders one spec document (deterministic: same spec, same bytes).
pub fn render(spec: &ApiSpec) -> String {
    yaml::to_string(spec).expect("the spec model always serializes")
}

/// The path of a spec file relative to the spec root: `<category>/<id>.yaml`.
pub fn relative_path(spec: &ApiSpec) -> PathBuf {
    PathBuf::from(&spec.category).join(format!("{}.yaml", spec.id))
}

/// Loads every `<category>/<id>.yaml` under `root` (the `patches/` folder and other files are
/// ignored), sorted by category then id.
pub fn load_dir(root: &Path) -> Result<Vec<ApiSpec>, SpecError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| SpecError::Io { path, source }
    };
    let mut specs = Vec::new();
    let mut categories: Vec<PathBuf> = std::fs::read_dir(root)
        .map_err(io(root))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && p.file_name().is_some_and(|n| n != "patches"))
        .collect();
    categories.sort();
    for dir in categories {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(io(&dir))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .collect();
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file).map_err(io(&file))?;
            let spec = parse(&text, &file)?;
            let expected = root.join(relative_path(&spec));
            if expected != file {
                return Err(SpecError::Invalid {
                    path: file,
                    message: format!(
                        "category/id say it belongs at {}",
                        relative_path(&spec).display()
                    ),
                });
            }
            specs.push(spec);
        }
    }
    specs.sort_by(|a, b| (&a.category, &a.id).cmp(&(&b.category, &b.id)));
    Ok(specs)
}

/// Where the curated code-list names live under a spec folder.
pub const CODE_NAMES_FILE: &str = "patches/names/codes.yaml";

/// Loads the curated code-list names of a spec folder (empty when the file is absent).
pub fn load_code_names(root: &Path) -> Result<CodeNames, SpecError> {
    let path = root.join(CODE_NAMES_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(CodeNames::default()),
        Err(source) => return Err(SpecError::Io { path, source }),
    };
    yaml::from_str(&text).map_err(|source| SpecError::Yaml { path, source })
}

/// Where the English names of code-list variants live under a spec folder.
pub const VARIANT_NAMES_FILE: &str = "patches/names/code_variants.yaml";

/// Loads the English variant names of a spec folder (empty when the file is absent).
pub fn load_variant_names(root: &Path) -> Result<VariantNames, SpecError> {
    let path = root.join(VARIANT_NAMES_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(VariantNames::default()),
        Err(source) => return Err(SpecError::Io { path, source }),
    };
    yaml::from_str(&text).map_err(|source| SpecError::Yaml { path, source })
}

/// The workspace's `spec/` folder (for tools and tests inside this repository).
pub fn workspace_spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ApiSpec {
        ApiSpec {
            id: "inquire_price".into(),
            category: "domestic_stock".into(),
            kind: ApiKind::Rest,
            name: "주식현재가 시세".into(),
            menu: "[국내주식] 기본시세".into(),
            api_id: "v1_국내주식-008".into(),
            seq: 1,
            method: Method::Get,
            path: "/uapi/domestic-stock/v1/quotations/inquire-price".into(),
            overview: String::new(),
            variants: vec![TrVariant {
                name: "default".into(),
                label: String::new(),
                real: Some("FHKST01010100".into()),
                paper: Some("FHKST01010100".into()),
                deprecated: false,
                aliases: vec![],
            }],
            tr_misprints: vec![],
            request: Request {
                header: vec![],
                query: vec![Field {
                    name: "FID_COND_MRKT_DIV_CODE".into(),
                    label: "조건 시장 분류 코드".into(),
                    wire_type: "string".into(),
                    kind: Kind::Code,
                    sensitive: None,
                    required: true,
                    blank: false,
                    length: Some("2".into()),
                    codes: vec![Code {
                        retired: None,
                        code: "J".into(),
                        label: "KRX".into(),
                    }],
                    description: String::new(),
                    fields: vec![],
                }],
                body: vec![],
            },
            response: Response::default(),
            paging: None,
            realtime: None,
            examples: Examples::default(),
        }
    }

    #[test]
    fn render_parse_round_trip() {
        let spec = sample();
        let text = render(&spec);
        assert_eq!(parse(&text, Path::new("x.yaml")).unwrap(), spec);
        assert_eq!(render(&parse(&text, Path::new("x.yaml")).unwrap()), text);
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let text = render(&sample()).replace("seq: 1", "seq: 1\nbogus: 2");
        assert!(parse(&text, Path::new("x.yaml")).is_err());
    }
}
