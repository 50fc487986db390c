//! The one place YAML is read and written, so the YAML crate can be swapped in one line
//! (the `yaml` alias in the workspace `Cargo.toml`).

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A YAML syntax or shape error.
pub type Error = yaml::Error;

/// Parses a YAML document.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    yaml::from_str(text)
}

/// Renders a value as a YAML document.
pub fn to_string<T: Serialize>(value: &T) -> Result<String, Error> {
    yaml::to_string(value)
}
