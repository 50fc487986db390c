//! Proptest fuzzing of the configuration loader (`kis_devlp.yaml` + `KIS_*` variables): random
//! and mutated files never panic, and no error or `Debug` output ever shows the app secret,
//! the app key or the full account number.

use std::collections::HashMap;

use kis_client::Config;
use proptest::prelude::*;

const KEY: &str = "PSfuzzAPPKEYabcdefghijklmnopqrstuvwxyz";
const SECRET: &str = "fuzzSECRETzyxwvutsrqponmlkjihgfedcba0123456789";
const ACCOUNT: &str = "87654321";

fn template() -> String {
    format!(
        "my_app: \"{KEY}\"\nmy_sec: \"{SECRET}\"\npaper_app: \"{KEY}\"\npaper_sec: \"{SECRET}\"\n\
         my_htsid: \"fuzzuser\"\nmy_acct_stock: \"{ACCOUNT}\"\nmy_acct_future: \"{ACCOUNT}\"\n\
         my_paper_stock: \"{ACCOUNT}\"\nmy_paper_future: \"{ACCOUNT}\"\nmy_prod: \"01\"\n\
         prod: \"https://openapi.koreainvestment.com:9443\"\nops: \"ws://ops.koreainvestment.com:21000\"\n\
         vps: \"https://openapivts.koreainvestment.com:29443\"\nvops: \"ws://ops.koreainvestment.com:31000\"\n\
         my_agent: \"Mozilla/5.0\"\n"
    )
}

/// Loads `yaml` through `Config::load_with` with the given extra variables; returns the text a
/// user could see (the error, or the config's `Debug`).
fn load(yaml: &[u8], vars: &HashMap<&'static str, String>) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("kis_devlp.yaml");
    std::fs::write(&path, yaml).expect("write");
    let path = path.to_string_lossy().into_owned();
    let result = Config::load_with(|k| match k {
        "KIS_CONFIG" => Some(path.clone()),
        "HOME" => None,
        k => vars.get(k).cloned(),
    });
    match result {
        Ok(c) => format!("{c:?}"),
        Err(e) => format!("{e} / {e:?}"),
    }
}

fn assert_no_secrets(shown: &str) -> Result<(), TestCaseError> {
    prop_assert!(!shown.contains(SECRET), "secret shown: {shown}");
    prop_assert!(!shown.contains(KEY), "app key shown: {shown}");
    prop_assert!(
        !shown.contains(&format!("{ACCOUNT}01")),
        "account shown: {shown}"
    );
    prop_assert!(
        !shown.contains(&format!("{ACCOUNT}-01")),
        "account shown: {shown}"
    );
    Ok(())
}

#[test]
fn template_loads() {
    let shown = load(template().as_bytes(), &HashMap::new());
    assert!(!shown.contains("InvalidConfig"), "{shown}");
    assert!(!shown.contains(SECRET));
}

proptest! {
    #[test]
    fn mutated_yaml_never_panics_or_leaks(
        at in any::<usize>(), byte in any::<u8>(), cut in 0usize..400, dup in any::<bool>(),
    ) {
        let mut b = template().into_bytes();
        let i = at % b.len();
        b[i] = byte;
        if dup {
            // A repeated key or a second document.
            let again = b[..i].to_vec();
            b.extend_from_slice(&again);
        }
        b.truncate(b.len() - cut % b.len());
        assert_no_secrets(&load(&b, &HashMap::new()))?;
    }

    #[test]
    fn secret_in_wrong_shape_never_leaks(shape in 0usize..6) {
        // The secret where YAML expects something else: errors must not quote it.
        let yaml = match shape {
            0 => format!("my_sec: [\"{SECRET}\"]\nmy_app: \"{KEY}\"\n"),
            1 => format!("my_sec: {{a: \"{SECRET}\"}}\n"),
            2 => format!("my_sec: \"{SECRET}\nmy_app: {KEY}\n"),
            3 => format!("allow_real_trading: \"{SECRET}\"\n"),
            4 => format!("my_prod: {{x: {SECRET}}}\nmy_acct_stock: \"{ACCOUNT}\"\n"),
            _ => format!("{SECRET}: [\n"),
        };
        assert_no_secrets(&load(yaml.as_bytes(), &HashMap::new()))?;
    }

    #[test]
    fn random_text_never_panics(s in ".{0,400}") {
        let _ = load(s.as_bytes(), &HashMap::new());
    }

    #[test]
    fn random_env_overrides_never_panic_or_leak(
        env in "(real|paper|prod|vps|REAL|x|)", rate in ".{0,6}", acct in "[0-9-]{0,14}",
        allow in ".{0,3}", custtype in ".{0,2}", url in ".{0,20}",
    ) {
        let vars: HashMap<&'static str, String> = [
            ("KIS_ENV", env), ("KIS_RATE_LIMIT", rate), ("KIS_ACCOUNT", acct),
            ("KIS_ALLOW_REAL_TRADING", allow), ("KIS_CUSTTYPE", custtype), ("KIS_REST_URL", url),
            ("KIS_APP_SECRET", SECRET.to_owned()), ("KIS_APP_KEY", KEY.to_owned()),
        ].into_iter().collect();
        assert_no_secrets(&load(template().as_bytes(), &vars))?;
    }
}
