//! Invariant: no generated realtime record shows a secret or a full account number in `Debug`
//! (the execution notices carry `ACNT_NO`), whatever its columns hold.

const ACCOUNT: &str = "8765432101";
const SECRET: &str = "SECRET-7f3a9c";

/// This test's own idea of a sensitive column (independent of the spec's marks).
fn value_for(name: &str) -> &'static str {
    let n = name.to_ascii_lowercase();
    if n.contains("cano") || n.contains("acnt_no") {
        ACCOUNT
    } else if n.contains("pwd") || n == "appkey" || n == "approval_key" {
        SECRET
    } else {
        "1"
    }
}

#[test]
fn no_record_shows_a_secret_or_account_in_debug() {
    let specs = kis_spec::load_dir(&kis_spec::workspace_spec_dir()).expect("specs");
    let (mut checked, mut with_account) = (0, 0);
    for s in specs
        .iter()
        .filter(|s| s.kind == kis_spec::ApiKind::Realtime)
    {
        let Some(rt) = &s.realtime else { continue };
        let fields: Vec<&str> = s.response.body.iter().map(|f| value_for(&f.name)).collect();
        let Some(record) = kis_ws::api::decode(&rt.tr_id, &fields.join("^")) else {
            continue; // TR of a disabled feature
        };
        let d = format!("{record:?}");
        assert!(
            !d.contains(ACCOUNT) && !d.contains("87654321") && !d.contains(SECRET),
            "{} leaks: {d}",
            rt.tr_id
        );
        if fields.contains(&ACCOUNT) {
            with_account += 1;
            assert!(d.contains("8765****-01"), "{}: {d}", rt.tr_id);
        }
        checked += 1;
    }
    assert!(checked >= 50, "only {checked} records checked");
    assert!(
        with_account >= 5,
        "the notices carry ACNT_NO: {with_account}"
    );
}
