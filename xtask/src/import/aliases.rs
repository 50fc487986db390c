//! Every TR ID in the workbook's text accounted for: old IDs the `tr_id` descriptions map to
//! current ones become deprecated aliases of the current variant, `(구)` variants are marked
//! deprecated, and any other TR-ID-shaped token is reported for a patch to settle.

use std::collections::BTreeSet;

use kis_spec::{ApiSpec, TrAlias, TrEnv};

use super::build::Built;
use super::report::Anomaly;

/// The `(구)OLD → (신)NEW` pairs of a `tr_id` description, in order.
pub fn replacements(description: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in description.lines() {
        let Some((left, right)) = line.split_once('→') else {
            continue;
        };
        if !left.contains("(구)") || !right.contains("(신)") {
            continue;
        }
        let old = kis_spec::tr_id::tr_id_tokens(left).last();
        let new = kis_spec::tr_id::tr_id_tokens(right).next();
        if let (Some(old), Some(new)) = (old, new) {
            out.push((old.to_owned(), new.to_owned()));
        }
    }
    out
}

/// Records the `(구) → (신)` pairs of the `tr_id` description as aliases of the variant whose
/// TR ID is the new one (in the environment where it is).
pub fn attach(spec: &mut ApiSpec, tr_id_description: &str, anomalies: &mut Vec<Anomaly>) {
    for (old, new) in replacements(tr_id_description) {
        if spec
            .variants
            .iter()
            .any(|v| v.real.as_deref() == Some(&old) || v.paper.as_deref() == Some(&old))
        {
            // Still a variant of its own (the night-futures `(구)` TRs).
            continue;
        }
        let found = spec.variants.iter_mut().find_map(|v| {
            let env = [TrEnv::Real, TrEnv::Paper]
                .into_iter()
                .find(|&e| v.tr_id(e) == Some(new.as_str()))?;
            Some((v, env))
        });
        match found {
            Some((v, env)) => {
                anomalies.push(Anomaly::rule(
                    &spec.path,
                    "tr-alias",
                    format!(
                        "`{old}` was replaced by `{new}` (variant `{}`, {}); recorded as its deprecated alias",
                        v.name,
                        env.as_str()
                    ),
                    "tr-alias",
                ));
                if !v.aliases.iter().any(|a| a.tr_id == old && a.env == env) {
                    v.aliases.push(TrAlias { tr_id: old, env });
                }
            }
            None => anomalies.push(Anomaly::unhandled(
                &spec.path,
                "tr-alias",
                format!(
                    "the `tr_id` description maps `{old}` to `{new}`, which is no variant's TR ID"
                ),
            )),
        }
    }
}

/// Marks `old` / `<x>_old` variants deprecated when their `new` / `<x>_new` sibling exists
/// (the `(구)`/`(신)` pairs of the TR ID cells).
pub fn mark_deprecated(spec: &mut ApiSpec, anomalies: &mut Vec<Anomaly>) {
    let names: Vec<String> = spec.variants.iter().map(|v| v.name.clone()).collect();
    for v in &mut spec.variants {
        let Some(stem) = v
            .name
            .strip_suffix("old")
            .filter(|s| s.is_empty() || s.ends_with('_'))
        else {
            continue;
        };
        let successor = format!("{stem}new");
        if names.contains(&successor) {
            v.deprecated = true;
            anomalies.push(Anomaly::rule(
                &spec.path,
                "tr-deprecated",
                format!(
                    "variant `{}` ({}) is the old TR of `{successor}`; marked deprecated",
                    v.name,
                    [v.real.as_deref(), v.paper.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                "tr-deprecated",
            ));
        }
    }
}

/// Every TR ID the specs know: current TR IDs of every variant, realtime TR IDs (and the TR of
/// a realtime URL) and aliases.
pub fn known<'a>(specs: impl IntoIterator<Item = &'a ApiSpec>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for s in specs {
        for v in &s.variants {
            out.extend(v.real.iter().chain(&v.paper).cloned());
            out.extend(v.aliases.iter().map(|a| a.tr_id.clone()));
        }
        if let Some(rt) = &s.realtime {
            out.insert(rt.tr_id.clone());
        }
        // A realtime URL names its TR (`/tryitout/H0BJASP0`), even where a cell disagrees.
        if let Some(tr) = s.path.strip_prefix("/tryitout/") {
            out.insert(tr.to_owned());
        }
    }
    out
}

/// Reports every TR-ID-shaped token of a sheet that no API knows (`tr-unknown`, one anomaly per
/// token, message starting with the token in backticks); a patch settles each with
/// `tr_misprints`.
pub fn check_tokens(built: &[Built], anomalies: &mut Vec<Anomaly>) {
    let known = known(built.iter().map(|b| &b.spec));
    for b in built {
        for t in b.tr_tokens.iter().filter(|t| !known.contains(*t)) {
            anomalies.push(Anomaly::unhandled(
                &b.spec.path,
                "tr-unknown",
                format!("`{t}` appears in the sheet's text but is no TR ID of any API"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacement_lines() {
        let d = "'※ 구TR은 ...\r\n[실전투자]\r\n국내주식주문 매도 : (구)TTTC0801U → (신)TTTC0011U\r\n\
                 정정/취소 (모의투자) (구)VTTC0803U → (신)VTTC0013U \r\n(구) JTCE6003R (신) CTFN7107R";
        assert_eq!(
            replacements(d),
            vec![
                ("TTTC0801U".to_owned(), "TTTC0011U".to_owned()),
                ("VTTC0803U".to_owned(), "VTTC0013U".to_owned())
            ]
        );
        assert!(replacements("TTTC0011U → TTTC0012U").is_empty());
    }
}
