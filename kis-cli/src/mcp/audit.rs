//! The MCP audit log: one JSON line per tool call (time, tool, arguments, outcome), appended to
//! a 0600 file, with every secret of the configuration masked ([`Scrubber`]).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use serde_json::{Value, json};

/// Replaces the configuration's secrets (app key and secret, account number, HTS ID) wherever
/// they appear in a value, and masks values under secret-looking keys.
#[derive(Debug, Default, Clone)]
pub struct Scrubber {
    secrets: Vec<String>,
}

const SECRET_KEYS: &[&str] = &[
    "cano",
    "acnt_no",
    "acnt_pwd",
    "appkey",
    "appsecret",
    "app_key",
    "app_secret",
    "secretkey",
    "token",
    "access_token",
    "authorization",
    "approval_key",
    "hts_id",
    "my_htsid",
];

impl Scrubber {
    /// From the client's configuration.
    pub fn new(config: &kis_client::Config) -> Scrubber {
        let mut secrets = vec![
            config.app_key().expose().to_owned(),
            config.app_secret().expose().to_owned(),
        ];
        if let Some(a) = config.account() {
            secrets.push(a.cano().to_owned());
        }
        if let Some(h) = config.hts_id() {
            secrets.push(h.to_owned());
        }
        secrets.retain(|s| s.len() >= 4);
        // Longest first, so a secret containing another is replaced whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Scrubber { secrets }
    }

    /// The text with every secret replaced by `****`.
    pub fn text(&self, s: &str) -> String {
        let mut out = s.to_owned();
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), "****");
            }
        }
        out
    }

    /// The value with secrets replaced in every string and under every secret-looking key.
    pub fn value(&self, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.text(s)),
            Value::Array(a) => Value::Array(a.iter().map(|x| self.value(x)).collect()),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, x)| {
                        let masked = SECRET_KEYS.contains(&k.to_ascii_lowercase().as_str())
                            && !matches!(x, Value::Null)
                            && x.as_str().is_none_or(|s| !s.is_empty());
                        let x = if masked {
                            Value::String("****".to_owned())
                        } else {
                            self.value(x)
                        };
                        (self.text(k), x)
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// The append-only audit file.
#[derive(Debug)]
pub struct Audit {
    file: Mutex<Option<File>>,
    scrub: Scrubber,
}

impl Audit {
    /// Opens (creating 0600) `path` for appending; `None` logs nowhere (tests of the scrubber).
    pub fn open(path: Option<&Path>, scrub: Scrubber) -> std::io::Result<Audit> {
        let file = match path {
            None => None,
            Some(p) => {
                if let Some(dir) = p.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                let mut o = OpenOptions::new();
                o.create(true).append(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    o.mode(0o600);
                }
                let f = o.open(p)?;
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
                }
                Some(f)
            }
        };
        Ok(Audit {
            file: Mutex::new(file),
            scrub,
        })
    }

    /// The scrubber.
    pub fn scrubber(&self) -> &Scrubber {
        &self.scrub
    }

    /// Appends one call: the tool, its arguments and the outcome (`Ok` summary or error).
    pub fn record(&self, tool: &str, args: &Value, outcome: Result<&str, &str>) {
        let line = json!({
            "time": chrono::Utc::now().to_rfc3339(),
            "tool": self.scrub.text(tool),
            "arguments": self.scrub.value(args),
            "ok": outcome.is_ok(),
            "detail": self.scrub.text(match outcome { Ok(s) | Err(s) => s }),
        });
        let mut guard = self.file.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(f) = guard.as_mut() {
            let _ = writeln!(f, "{line}").and_then(|_| f.flush());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_in_strings_and_keys() {
        let s = Scrubber {
            secrets: vec!["SECRETKEY123".into(), "12345678".into()],
        };
        let v = json!({"a": "x SECRETKEY123 y", "CANO": "99999999", "n": [ "12345678-01" ]});
        let out = s.value(&v).to_string();
        assert!(
            !out.contains("SECRETKEY123") && !out.contains("12345678") && !out.contains("99999999"),
            "{out}"
        );
    }
}
