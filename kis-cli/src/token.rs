//! `kis token status|revoke`: what the client would use, secrets masked, and revoking the
//! access token at KIS (which also drops the cached one).

use kis_client::Client;
use serde_json::json;

use crate::exit::Outcome;
use crate::output::{Doc, Out};

/// A secret as status shows it: the first four characters and the length, never more.
pub fn mask(s: &str) -> String {
    if s.is_empty() {
        return "(none)".to_owned();
    }
    let head: String = s.chars().take(4).collect();
    format!("{head}… ({} chars)", s.chars().count())
}

/// `kis token status [--check]`: `--check` gets a token (from the cache, or one issuance).
pub async fn status(client: &Client, check: bool, out: &Out) -> Outcome<()> {
    let c = client.config();
    let token = if check {
        let t = std::time::Instant::now();
        client.ensure_token().await?;
        format!("valid (obtained in {} ms)", t.elapsed().as_millis())
    } else {
        "not checked (use --check)".to_owned()
    };
    let v = json!({
        "env": match c.env() { kis::Env::Real => "real", kis::Env::Paper => "paper" },
        "rest_url": c.rest_url(),
        "app_key": mask(c.app_key().expose()),
        "app_secret": mask(c.app_secret().expose()),
        "account": c.account().map(|a| a.masked()),
        "hts_id": c.hts_id().map(mask),
        "allow_real_trading": c.allow_real_trading(),
        "token": token,
    });
    Ok(out.print(&Doc::from_json(&v), Some(&v))?)
}

/// `kis token revoke`.
pub async fn revoke(client: &Client, out: &Out) -> Outcome<()> {
    client.revoke_token().await?;
    let v = json!({"revoked": true});
    Ok(out.print(&Doc::from_json(&v), Some(&v))?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn masks_keep_four_characters() {
        assert_eq!(super::mask("PSabcdefghij"), "PSab… (12 chars)");
        assert_eq!(super::mask(""), "(none)");
    }
}
