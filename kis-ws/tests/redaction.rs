//! Invariant: no generated realtime record shows a secret or a full account number in `Debug`
//! (the execution notices carry `ACNT_NO`), whatever its columns hold; and no record, raw
//! record or event shows an HTS ID or a holder's name either.

use std::sync::Arc;

use kis_ws::frame::Utf8Bytes;
use kis_ws::{Event, RawRecord};

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

const HTS_ID: &str = "myhtsid77";
const NAME: &str = "홍길동";

/// Every sensitive kind, by this test's own idea of the column names.
fn any_value_for(name: &str) -> &'static str {
    let n = name.to_ascii_lowercase();
    if n.contains("cust_id") || n.contains("user_id") || n == "htsid" {
        HTS_ID
    } else if n.contains("acnt_name") {
        NAME
    } else {
        value_for(name)
    }
}

fn leaks(shown: &str) -> bool {
    [ACCOUNT, "87654321", SECRET, HTS_ID, NAME]
        .iter()
        .any(|s| shown.contains(s))
}

/// Counted over every realtime TR: the typed record, the raw record, and the events carrying
/// them (keyed by the HTS ID for notices), plus the notice-subscription events and a notice
/// gap. No output may show a secret, account number, HTS ID or name. (Before this test's
/// fixes: 50 of 262 outputs leaked.)
#[test]
fn leak_count_over_every_record_and_event_is_zero() {
    let specs = kis_spec::load_dir(&kis_spec::workspace_spec_dir()).expect("specs");
    let (mut outputs, mut leaked, mut first) = (0, 0, None);
    let mut count = |what: &str, shown: String| {
        outputs += 1;
        if leaks(&shown) {
            leaked += 1;
            first.get_or_insert(format!("{what}: {shown}"));
        }
    };
    let mut notices = 0;
    for s in specs
        .iter()
        .filter(|s| s.kind == kis_spec::ApiKind::Realtime)
    {
        let Some(rt) = &s.realtime else { continue };
        let fields: Vec<&str> = s
            .response
            .body
            .iter()
            .map(|f| any_value_for(&f.name))
            .collect();
        let text = fields.join("^");
        let Some(record) = kis_ws::api::decode(&rt.tr_id, &text) else {
            continue;
        };
        let notice = fields.contains(&HTS_ID) || fields.contains(&NAME);
        notices += usize::from(notice);
        let key: Arc<str> = Arc::from(if notice { HTS_ID } else { "005930" });
        count(&rt.tr_id, format!("{record:?}"));
        let bytes = Utf8Bytes::from(text.as_str());
        let mut raw = Vec::new();
        RawRecord::split_payload(&rt.tr_id, &bytes, &bytes, 1, fields.len(), |r| raw.push(r))
            .expect("one record");
        for r in raw {
            count(&rt.tr_id, format!("{r:?}"));
            let e: Event<RawRecord> = Event::Data {
                tr_id: Arc::from(rt.tr_id.as_str()),
                tr_key: Some(key.clone()),
                record: r,
            };
            count(&rt.tr_id, format!("{e:?}"));
        }
        let e = Event::Data {
            tr_id: Arc::from(rt.tr_id.as_str()),
            tr_key: Some(key.clone()),
            record,
        };
        count(&rt.tr_id, format!("{e:?}"));
        if notice {
            for e in [
                Event::<()>::Subscribed {
                    tr_id: rt.tr_id.clone(),
                    tr_key: HTS_ID.into(),
                },
                Event::Unsubscribed {
                    tr_id: rt.tr_id.clone(),
                    tr_key: HTS_ID.into(),
                },
                Event::SubscriptionLost {
                    tr_id: rt.tr_id.clone(),
                    tr_key: HTS_ID.into(),
                    reason: "x".into(),
                },
            ] {
                count(&rt.tr_id, format!("{e:?}"));
            }
        }
    }
    let gap = kis_ws::NoticeGap {
        from: std::time::SystemTime::UNIX_EPOCH,
        to: None,
        subscriptions: vec![("H0STCNI0".into(), HTS_ID.into())],
        server_offset: None,
    };
    count("gap", format!("{:?}", Event::<()>::NoticeGap(gap)));
    eprintln!("{outputs} Debug outputs, {leaked} leak");
    assert!(
        notices >= 5,
        "the notices carry CUST_ID/ACNT_NAME: {notices}"
    );
    assert_eq!(leaked, 0, "first leak: {}", first.unwrap_or_default());
}
