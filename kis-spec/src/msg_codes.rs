//! The KIS message-code taxonomy (`spec/msg_codes.yaml`): which `msg_cd` values mean "throttled",
//! "token expired", "order rejected" and so on. Codegen turns it into kis-client's lookup table.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::SpecError;

/// The file name under `spec/`.
pub const FILE: &str = "msg_codes.yaml";

/// Classes a code can belong to (snake_case; kis-client's `ErrorKind` has one variant each).
pub const KINDS: &[&str] = &[
    "throttled",
    "token_throttled",
    "token_refresh",
    "credentials",
    "transient",
    "order_rejected",
    "not_on_paper",
    "not_on_real",
    "invalid_input",
    "data_changed",
];

/// The whole taxonomy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MsgCodes {
    /// Exact codes.
    pub codes: Vec<MsgCode>,
    /// Prefix rules (a code family), applied when no exact code matches.
    #[serde(default)]
    pub prefixes: Vec<MsgPrefix>,
}

/// One exact code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MsgCode {
    /// The `msg_cd` (or `error_code`) as KIS sends it, e.g. `EGW00201`.
    pub code: String,
    /// Its class, one of [`KINDS`].
    pub kind: String,
    /// What KIS says with it (Korean, as sent), or what it means.
    pub label: String,
    /// What it means, in English (curated; shown beside KIS's Korean `msg1`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub en: String,
}

/// A family of codes sharing a prefix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MsgPrefix {
    /// The prefix, e.g. `APBK`.
    pub prefix: String,
    /// Its class, one of [`KINDS`].
    pub kind: String,
    /// What the family is.
    pub label: String,
    /// What it means, in English (curated).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub en: String,
}

/// Parses and checks the taxonomy: known kinds, no duplicate codes or prefixes, ASCII codes.
pub fn parse(text: &str, path: &Path) -> Result<MsgCodes, SpecError> {
    let invalid = |message: String| SpecError::Invalid {
        path: path.to_owned(),
        message,
    };
    let m: MsgCodes = crate::yaml::from_str(text).map_err(|e| invalid(e.to_string()))?;
    let mut seen = std::collections::BTreeSet::new();
    let entries = m
        .codes
        .iter()
        .map(|c| (&c.code, &c.kind))
        .chain(m.prefixes.iter().map(|p| (&p.prefix, &p.kind)));
    for (code, kind) in entries {
        if !KINDS.contains(&kind.as_str()) {
            return Err(invalid(format!("{code}: unknown kind `{kind}`")));
        }
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(invalid(format!("`{code}` is not an ASCII code")));
        }
        if !seen.insert(code.clone()) {
            return Err(invalid(format!("{code} is listed twice")));
        }
    }
    Ok(m)
}

/// Loads `spec/msg_codes.yaml` under `root`, or `None` when the file does not exist.
pub fn load(root: &Path) -> Result<Option<MsgCodes>, SpecError> {
    let path = root.join(FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&text, &path).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(SpecError::Io { path, source }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_taxonomy_loads() {
        let m = load(&crate::workspace_spec_dir())
            .expect("valid")
            .expect("present");
        assert!(
            m.codes
                .iter()
                .any(|c| c.code == "EGW00201" && c.kind == "throttled")
        );
    }

    #[test]
    fn bad_files_are_refused() {
        let p = Path::new("x.yaml");
        let one = |code: &str, kind: &str| {
            format!("codes:\n  - {{code: {code}, kind: {kind}, label: x}}\n")
        };
        assert!(parse(&one("EGW00201", "throttled"), p).is_ok());
        assert!(parse(&one("EGW00201", "sleepy"), p).is_err());
        assert!(parse(&one("EGW 1", "throttled"), p).is_err());
        let twice = format!(
            "{}  - {{code: EGW00201, kind: transient, label: y}}\n",
            one("EGW00201", "throttled")
        );
        assert!(parse(&twice, p).is_err());
        assert!(parse("codes: []\nextra: 1\n", p).is_err());
    }
}
