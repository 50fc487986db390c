//! Decoding response bodies: the typed path [`decode`] that [`crate::Client::send`] and paging
//! use, and the registry lookups for captured traffic ([`decode_response`], [`decode_by_id`])
//! over the generated per-category tables.

use serde::de::DeserializeOwned;

use crate::error::Error;

/// Decodes a response body, naming the JSON path on failure and keeping the raw body.
///
/// The fast path is plain `serde_json`; only a failing body is decoded again with path tracking.
pub fn decode<T: DeserializeOwned>(body: &[u8], endpoint: &str) -> Result<T, Error> {
    // The body's UTF-8 is checked once up front (cheaper than `from_slice` checking every string).
    let plain = match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    };
    match plain {
        Ok(v) => Ok(v),
        Err(plain) => Err(decode_error::<T>(body, endpoint, plain)),
    }
}

#[cold]
fn decode_error<T: DeserializeOwned>(
    body: &[u8],
    endpoint: &str,
    plain: serde_json::Error,
) -> Error {
    let de = &mut serde_json::Deserializer::from_slice(body);
    let (path, message) = match serde_path_to_error::deserialize::<_, T>(de) {
        Err(e) => (e.path().to_string(), e.inner().to_string()),
        Ok(_) => (String::from("."), plain.to_string()),
    };
    // serde quotes the failing value: hidden when its key is sensitive.
    let last = path.rsplit(['.', '[']).next().unwrap_or_default();
    let message = if crate::secret::Sensitivity::of_key(last).is_some() {
        format!("invalid value under sensitive key `{last}` (not shown)")
    } else {
        crate::secret::cut(&message, crate::secret::KEPT_BODY)
    };
    Error::Decode {
        endpoint: endpoint.to_owned(),
        path,
        message,
        body: crate::secret::kept_body(&String::from_utf8_lossy(body)),
    }
}

/// One row of the generated decode tables: which response type belongs to a path and TR IDs.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) category: &'static str,
    pub(crate) id: &'static str,
    pub(crate) path: &'static str,
    /// Every TR ID the endpoint answers to: the current ones and the old ones KIS replaced
    /// (deprecated aliases, still seen in captured traffic).
    pub(crate) tr_ids: &'static [&'static str],
    /// A default (empty) response of the endpoint's type, to decode into. The only per-type
    /// function of the table: decoding, write-back and `Debug` go through it, written once.
    pub(crate) new: fn() -> Box<dyn Response>,
    /// `Debug` of a request with every field set (sensitive ones to the two arguments).
    #[cfg(test)]
    pub(crate) request_debug: fn(&str, &str) -> String,
}

/// A generated response type as the decode tables hold it: a [`Record`] to decode into and
/// write back, and its `Debug`.
///
/// [`Record`]: crate::__private::Record
pub(crate) trait Response: crate::__private::Record + std::fmt::Debug {
    /// The response as the decode walk sees it.
    fn record(&mut self) -> &mut dyn crate::__private::Record;
}

impl<R: crate::__private::Record + std::fmt::Debug> Response for R {
    fn record(&mut self) -> &mut dyn crate::__private::Record {
        self
    }
}

/// The [`Entry::new`] of response type `R`.
pub(crate) fn new_response<R: crate::__private::Record + Default + std::fmt::Debug + 'static>()
-> Box<dyn Response> {
    Box::new(R::default())
}

/// `Debug` of the response of `entry` decoded from `body` (as its `Deserialize`, which
/// `Client::send` uses, decodes it: a default value filled by the one decode walk).
fn debug_of(entry: &Entry, body: crate::value::Map) -> Result<String, String> {
    let mut r = (entry.new)();
    crate::__private::deserialize_into(serde_json::Value::Object(body), r.record())
        .map_err(|e| e.to_string())?;
    Ok(format!("{r:?}"))
}

/// `Debug` of the generated response of `category`/`id` decoded from `body`: what a log line
/// of it would show. For redaction checks (and tests of other crates); not a stable API.
#[doc(hidden)]
pub fn debug_by_id(category: &str, id: &str, body: serde_json::Value) -> Result<String, String> {
    let entry = crate::api::tables()
        .into_iter()
        .flatten()
        .find(|e| e.category == category && e.id == id)
        .ok_or_else(|| format!("no endpoint {category}/{id}"))?;
    let serde_json::Value::Object(map) = body else {
        return Err(format!("{id}: body is not a JSON object"));
    };
    debug_of(entry, map)
}

/// A response body decoded into its generated type and written back.
#[derive(Debug)]
#[non_exhaustive]
pub struct Decoded {
    /// Spec category of the endpoint (e.g. `domestic_stock`).
    pub category: &'static str,
    /// Spec id of the endpoint (e.g. `inquire_price`).
    pub endpoint: &'static str,
    /// The typed response written back (the original strings; unknown fields included).
    pub decoded: serde_json::Value,
    /// Paths of fields the spec does not know (kept in `decoded`).
    pub unknown_fields: Vec<String>,
    /// Paths and raw text of values that did not parse (kept in `decoded`).
    pub invalid_fields: Vec<(String, String)>,
}

/// The URL path of `p`: query and fragment dropped, scheme and host of a full URL removed.
pub(crate) fn url_path(p: &str) -> &str {
    let p = p.split(['?', '#']).next().unwrap_or(p);
    match p.find("://") {
        Some(i) => p[i + 3..].find('/').map_or("/", |j| &p[i + 3 + j..]),
        None => p,
    }
}

/// Finds the table row for a path and/or TR ID.
fn find<'a>(
    tables: impl IntoIterator<Item = &'a [Entry]>,
    path: Option<&str>,
    tr_id: Option<&str>,
) -> Result<&'a Entry, String> {
    let path = path.map(url_path);
    let found = tables
        .into_iter()
        .flatten()
        .find(|e| path.is_none_or(|p| p == e.path) && tr_id.is_none_or(|t| e.tr_ids.contains(&t)));
    found.ok_or_else(|| match (path, tr_id) {
        (Some(p), Some(t)) => format!("no endpoint with path {p} and tr_id {t}"),
        (Some(p), None) => format!("no endpoint with path {p}"),
        (None, Some(t)) => format!("no endpoint with tr_id {t}"),
        (None, None) => "neither path nor tr_id given".to_owned(),
    })
}

/// Decodes a captured response body with the response type of the endpoint named by `path`
/// (e.g. `/uapi/domestic-stock/v1/quotations/inquire-price`; a full URL or query string is
/// accepted) and/or `tr_id`. Only endpoints of enabled category features are known.
///
/// An old TR ID that KIS replaced (`TTTC0802U`, now `TTTC0012U`; see the spec's `aliases`)
/// finds its endpoint too: captured traffic of older clients carries them.
pub fn decode_response(
    path: Option<&str>,
    tr_id: Option<&str>,
    body: serde_json::Value,
) -> Result<Decoded, String> {
    if path.is_none() && tr_id.is_none() {
        return Err("neither path nor tr_id given".to_owned());
    }
    decode_with(find(crate::api::tables(), path, tr_id)?, body)
}

/// Decodes a response body with the response type of endpoint `category`/`id`.
pub fn decode_by_id(category: &str, id: &str, body: serde_json::Value) -> Result<Decoded, String> {
    let entry = crate::api::tables()
        .into_iter()
        .flatten()
        .find(|e| e.category == category && e.id == id)
        .ok_or_else(|| format!("no endpoint {category}/{id}"))?;
    decode_with(entry, body)
}

fn decode_with(entry: &Entry, body: serde_json::Value) -> Result<Decoded, String> {
    let serde_json::Value::Object(map) = body else {
        return Err(format!("{}: body is not a JSON object", entry.id));
    };
    let (map, report) = crate::__private::decode_map((entry.new)().record(), map);
    Ok(Decoded {
        category: entry.category,
        endpoint: entry.id,
        decoded: serde_json::Value::Object(map),
        unknown_fields: report.unknown,
        invalid_fields: report.invalid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[test]
    fn decode_names_the_path_and_keeps_the_body() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct R {
            output: Out,
        }
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Out {
            stck_prpr: u32,
        }
        let body = br#"{"rt_cd":"0","output":{"stck_prpr":"abc"}}"#;
        match decode::<R>(body, "inquire_price") {
            Err(Error::Decode {
                path,
                body: raw,
                endpoint,
                ..
            }) => {
                assert_eq!(path, "output.stck_prpr");
                assert_eq!(endpoint, "inquire_price");
                assert!(raw.contains("abc"));
            }
            other => panic!("expected decode error, got {other:?}"),
        }
    }

    const SECRET: &str = "SECRET-7f3a9c";
    const ACCOUNT: &str = "87654321";

    /// This test's own idea of a sensitive name (independent of the spec's marks, so a field
    /// the spec forgot to mark is caught).
    fn guess(name: &str) -> Option<kis_spec::Sensitive> {
        let n = name.to_ascii_lowercase();
        let secret = [
            "token",
            "appkey",
            "appsecret",
            "secretkey",
            "access_token",
            "approval_key",
        ];
        if secret.contains(&n.as_str()) || n.contains("pwd") && !n.ends_with("_yn") {
            Some(kis_spec::Sensitive::Secret)
        } else if n.contains("cano") || n.contains("acnt_no") {
            Some(kis_spec::Sensitive::Account)
        } else {
            None
        }
    }

    /// A body with every field of the spec set: sensitive ones to the secret or account.
    fn sample(fields: &[kis_spec::Field]) -> crate::value::Map {
        use kis_spec::{Kind, Sensitive};
        fields
            .iter()
            .map(|f| {
                let v = match f.kind {
                    Kind::Object => serde_json::Value::Object(sample(&f.fields)),
                    Kind::Array => serde_json::json!([sample(&f.fields), sample(&f.fields)]),
                    _ => match guess(&f.name).or(f.sensitive) {
                        Some(Sensitive::Secret) => SECRET.into(),
                        Some(Sensitive::Account) => ACCOUNT.into(),
                        Some(Sensitive::Id | Sensitive::Name) => SECRET.into(),
                        None => "1".into(),
                    },
                };
                (f.name.clone(), v)
            })
            .collect()
    }

    /// Invariant: no generated request or response shows a secret or full account number in
    /// `Debug`, whatever fields it holds.
    #[test]
    fn no_generated_type_shows_a_secret_or_account_in_debug() {
        let specs = kis_spec::load_dir(&kis_spec::workspace_spec_dir()).expect("specs");
        let (mut checked, mut masked) = (0, 0);
        for s in specs.iter().filter(|s| s.kind == kis_spec::ApiKind::Rest) {
            let Some(entry) = crate::api::tables()
                .into_iter()
                .flatten()
                .find(|e| e.category == s.category && e.id == s.id)
            else {
                continue; // category feature off
            };
            let body = sample(&s.response.body);
            let response = debug_of(entry, body).expect("the sample decodes");
            let request = (entry.request_debug)(SECRET, ACCOUNT);
            for d in [&response, &request] {
                assert!(
                    !d.contains(SECRET) && !d.contains(ACCOUNT),
                    "{}/{} leaks: {d}",
                    s.category,
                    s.id
                );
                if d.contains("\"***\"") || d.contains("8765****") {
                    masked += 1;
                }
            }
            checked += 1;
        }
        let all: usize = crate::api::tables().iter().map(|t| t.len()).sum();
        assert_eq!(checked, all, "every generated endpoint was checked");
        // The samples did hold secrets: the oauth types and every account endpoint mask them.
        assert!(masked > 80, "only {masked} masked values seen");
    }

    const HTS_ID: &str = "myhtsid77";
    const NAME: &str = "홍길동";

    /// This test's own idea of every sensitive kind (secrets, accounts, IDs, names).
    fn guess_all(name: &str) -> Option<&'static str> {
        let n = name.to_ascii_lowercase();
        match guess(name) {
            Some(kis_spec::Sensitive::Secret) => Some(SECRET),
            Some(_) => Some(ACCOUNT),
            None if n.contains("cust_id") || n.contains("user_id") || n.contains("hts_id") => {
                Some(HTS_ID)
            }
            None if n == "htsid" => Some(HTS_ID),
            None if n.ends_with("acnt_name") || n == "csac_name" || n == "cust_name" => Some(NAME),
            None if n.contains("rncno") => Some(SECRET),
            None => None,
        }
    }

    /// Keys no endpoint lists at this level, kept in `extra`: each sensitive kind once.
    fn unknown_keys() -> [(&'static str, &'static str); 5] {
        [
            ("HTS_ID", HTS_ID),
            ("cust_name", NAME),
            ("acnt_no", ACCOUNT),
            ("access_token", SECRET),
            ("CUST_ID", HTS_ID),
        ]
    }

    /// A body with every field set (sensitive ones by [`guess_all`]) and the unknown keys.
    fn sample_all(fields: &[kis_spec::Field]) -> crate::value::Map {
        use kis_spec::Kind;
        let mut m: crate::value::Map = fields
            .iter()
            .map(|f| {
                let v = match f.kind {
                    Kind::Object => serde_json::Value::Object(sample_all(&f.fields)),
                    Kind::Array => serde_json::json!([sample_all(&f.fields)]),
                    _ => guess_all(&f.name).unwrap_or("1").into(),
                };
                (f.name.clone(), v)
            })
            .collect();
        for (k, v) in unknown_keys() {
            m.entry(k).or_insert_with(|| v.into());
        }
        m
    }

    fn leaks(shown: &str) -> bool {
        [SECRET, ACCOUNT, HTS_ID, NAME]
            .iter()
            .any(|s| shown.contains(s))
    }

    /// Invariant: counted over every generated request and response (fields, nested rows and
    /// unknown keys) and every error that keeps a body, no `Debug` or `Display` output shows a
    /// secret, a full account number, an HTS ID or a name. (Before the masking of IDs, names,
    /// `extra` and error bodies this counted 562 of 1,390.)
    #[test]
    fn leak_count_over_every_generated_type_and_error_is_zero() {
        let specs = kis_spec::load_dir(&kis_spec::workspace_spec_dir()).expect("specs");
        let (mut outputs, mut leaked, mut first) = (0, 0, None);
        let mut count = |what: String, shown: String| {
            outputs += 1;
            if leaks(&shown) {
                leaked += 1;
                first.get_or_insert(format!("{what}: {shown}"));
            }
        };
        for s in specs.iter().filter(|s| s.kind == kis_spec::ApiKind::Rest) {
            let Some(entry) = crate::api::tables()
                .into_iter()
                .flatten()
                .find(|e| e.category == s.category && e.id == s.id)
            else {
                continue;
            };
            let name = format!("{}/{}", s.category, s.id);
            let body = sample_all(&s.response.body);
            let text = serde_json::to_vec(&body).expect("json");
            count(
                name.clone(),
                debug_of(entry, body).expect("the sample decodes"),
            );
            count(name.clone(), (entry.request_debug)(SECRET, ACCOUNT));
            // The same body where a number is expected: a decode error keeping the body.
            let e = decode::<std::collections::HashMap<String, u8>>(&text, &name)
                .expect_err("not numbers");
            count(name.clone(), format!("{e:?} {e}"));
            for status in [500, 404] {
                let e = match crate::transport::classify(
                    status,
                    String::new(),
                    text.clone(),
                    "T",
                    true,
                ) {
                    crate::transport::Outcome::Retry(e) | crate::transport::Outcome::Fail(e) => e,
                    _ => panic!("{name}: an HTTP error"),
                };
                count(name.clone(), format!("{e:?} {e}"));
            }
        }
        eprintln!("{outputs} Debug/Display outputs, {leaked} leak");
        assert!(outputs > 1000, "only {outputs} outputs");
        assert_eq!(leaked, 0, "first leak: {}", first.unwrap_or_default());
    }

    #[test]
    fn url_path_strips_host_query_and_fragment() {
        assert_eq!(url_path("/a/b?x=1"), "/a/b");
        assert_eq!(url_path("https://h:9443/a/b#f"), "/a/b");
        assert_eq!(url_path("https://h:9443"), "/");
        assert_eq!(url_path(""), "");
    }

    /// A row whose columns the spec does not list: every key is kept as received.
    fn keep_all() -> Box<dyn Response> {
        Box::new(crate::value::Map::new())
    }

    fn no_request(_: &str, _: &str) -> String {
        String::new()
    }

    const T1: &[Entry] = &[
        Entry {
            category: "c",
            id: "a",
            path: "/p/a",
            tr_ids: &["TA", "VA"],
            new: keep_all,
            request_debug: no_request,
        },
        Entry {
            category: "c",
            id: "b",
            path: "/p/b",
            tr_ids: &["TB"],
            new: keep_all,
            request_debug: no_request,
        },
    ];
    const T2: &[Entry] = &[Entry {
        category: "d",
        id: "shared_path",
        path: "/p/a",
        tr_ids: &["TX"],
        new: keep_all,
        request_debug: no_request,
    }];

    #[test]
    fn find_matches_path_and_or_tr_id_across_tables() {
        let t = [T1, T2];
        assert_eq!(find(t, Some("/p/b"), None).map(|e| e.id), Ok("b"));
        assert_eq!(find(t, None, Some("VA")).map(|e| e.id), Ok("a"));
        assert_eq!(
            find(t, Some("http://x/p/a?q"), Some("TX")).map(|e| e.id),
            Ok("shared_path")
        );
        assert_eq!(
            find(t, Some("/p/a"), Some("TB")).map(|e| e.id),
            Err("no endpoint with path /p/a and tr_id TB".to_owned())
        );
        assert!(find(t, Some("/nope"), None).is_err());
        assert!(find(t, None, Some("NOPE")).is_err());
    }

    #[test]
    fn decode_with_rejects_non_objects_and_reports() {
        let e = &T1[0];
        assert!(decode_with(e, serde_json::json!([1])).is_err());
        let d = decode_with(e, serde_json::json!({"x": "1"})).expect("object");
        assert_eq!((d.category, d.endpoint), ("c", "a"));
        assert_eq!(d.decoded, serde_json::json!({"x": "1"}));
    }
}
