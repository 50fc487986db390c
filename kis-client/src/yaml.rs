//! The only place kis-client calls the YAML crate (the `yaml` workspace alias).

use serde::de::DeserializeOwned;

/// Parses a YAML document into `T`; the error message names the problem but never echoes values.
pub(crate) fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    yaml::from_str(text).map_err(|e| match e.location() {
        Some(loc) => format!("YAML error at line {}, column {}", loc.line(), loc.column()),
        None => "YAML error".to_owned(),
    })
}
