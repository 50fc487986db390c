//! Making the `kis::Kis` handle a command works with: the configuration (`kis_devlp.yaml`,
//! `KIS_*` variables; paper unless it says real), or the embedded simulator (`--simulator`,
//! `KIS_SIMULATOR=1`).

use std::path::PathBuf;

use kis::Kis;
use kis::master::MasterStore;
use kis::orders::TradingOptions;
use kis_client::Config;

use crate::exit::{Failure, Outcome};

/// Where a command connects.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// Run against an in-process kis-mock (paper).
    pub simulator: bool,
    /// Ask for the real service (`KIS_ENV=real`); paper otherwise, unless the config says real.
    pub real: bool,
}

/// Loads the configuration (never prints it: `Config`'s `Debug` redacts secrets anyway).
pub fn config(target: &Target) -> Outcome<Config> {
    let real = target.real;
    Config::load_with(|k| {
        if k == "KIS_ENV" && real {
            return Some("real".to_owned());
        }
        std::env::var(k).ok()
    })
    .map_err(|e| Failure::other(e.to_string()))
}

/// The handle: the simulator, or the configured service. A configuration whose REST URL is
/// on loopback (a `kis mock`) takes the symbol master from that server too.
pub async fn kis(target: &Target) -> Outcome<Kis> {
    kis_with(target, |_| {}).await
}

/// [`kis`] with the order layer's options adjusted (poll and resolve intervals).
pub async fn kis_with(target: &Target, adjust: impl FnOnce(&mut TradingOptions)) -> Outcome<Kis> {
    let trading = |kis: Kis| {
        let mut options = kis.trading_options().clone();
        adjust(&mut options);
        kis.with_trading(options)
    };
    if target.simulator {
        if target.real {
            return Err(Failure::invalid(
                None,
                "--simulator runs a paper service; start `kis mock --real` for a real-service simulator",
            ));
        }
        return Ok(trading(Kis::simulator().await?));
    }
    let config = config(target)?;
    let rest = config.rest_url().to_owned();
    // The options are set before the master store: `with_trading` makes a new handle.
    let kis = trading(Kis::with_config(config)?);
    if let Some(store) = master_store(&rest) {
        kis.set_master_store(store);
    }
    Ok(kis)
}

fn is_loopback(url: &str) -> bool {
    let rest = url
        .trim_start_matches("http://")
        .trim_start_matches("https://");
    rest.starts_with("127.") || rest.starts_with("localhost") || rest.starts_with("[::1]")
}

/// `KIS_MASTER_URL` when set; a loopback server's own `/common/master` (cached apart from
/// KIS's, per server address); else the kis crate's default.
fn master_store(rest: &str) -> Option<MasterStore> {
    let url = std::env::var("KIS_MASTER_URL")
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() && !is_loopback(rest) {
        return None;
    }
    let base = url.unwrap_or_else(|| format!("{rest}/common/master"));
    let tag: String = base
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let dir = cache_base().map(|b| b.join("master").join(tag));
    Some(MasterStore::new(base, dir))
}

/// The cache directory of kis-rs (`KIS_TOKEN_CACHE_DIR`, else XDG, else ~/.cache/kis-rs).
pub fn cache_base() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("KIS_TOKEN_CACHE_DIR")
        .or_else(|| var("XDG_CACHE_HOME").map(|p| p.join("kis-rs")))
        .or_else(|| var("HOME").map(|h| h.join(".cache").join("kis-rs")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn loopback_urls() {
        assert!(super::is_loopback("http://127.0.0.1:3000"));
        assert!(super::is_loopback("http://localhost:1"));
        assert!(!super::is_loopback(
            "https://openapi.koreainvestment.com:9443"
        ));
    }
}
