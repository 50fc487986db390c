//! The REST pipeline: real-trading guard, token, per-call headers, one exchange through
//! [`crate::wire`], envelope check (`rt_cd`/`msg_cd`) and bounded retries for read-only calls.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;

use crate::auth::Auth;
use crate::config::Config;
use crate::endpoint::{Env, HttpMethod};
use crate::error::{Error, ErrorKind};
use crate::wire::{Call, Wire};

/// A request as it goes on the wire; build one by hand for anything the spec lacks.
///
/// `Debug` never shows the body (it may hold an account number or password) or the values of
/// query parameters that hold one.
#[derive(Clone)]
pub struct RawRequest {
    /// GET or POST.
    pub method: HttpMethod,
    /// URL path, e.g. `/uapi/domestic-stock/v1/quotations/inquire-price`.
    pub path: String,
    /// TR ID for the client's environment.
    pub tr_id: String,
    /// Request `tr_cont` header: empty, or `N` for the next page.
    pub tr_cont: String,
    /// GET query parameters (wire names).
    pub query: Vec<(String, String)>,
    /// POST JSON body.
    pub body: Option<Vec<u8>>,
    /// Name for logs and errors (the endpoint id).
    pub endpoint: String,
}

/// A successful (`rt_cd == "0"` or no envelope) answer. `Debug` shows the body's size only (it
/// may hold account numbers or tokens); decode it to see its fields.
#[derive(Clone)]
pub struct RawResponse {
    /// HTTP status.
    pub status: u16,
    /// Response `tr_cont` header (`F`/`M` = more pages, `D`/`E` = last), empty when absent.
    pub tr_cont: String,
    /// The body.
    pub body: Vec<u8>,
}

/// Query parameters whose values `Debug` masks (account numbers, passwords).
fn query_value_is_sensitive(name: &str) -> bool {
    ["CANO", "ACNT_NO", "ACNT_PWD"]
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
}

impl std::fmt::Debug for RawRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let query: Vec<(&str, crate::secret::Masked<'_>)> = self
            .query
            .iter()
            .map(|(k, v)| {
                let shown = if query_value_is_sensitive(k) {
                    crate::secret::Masked::Account(v)
                } else {
                    crate::secret::Masked::Shown(v)
                };
                (k.as_str(), shown)
            })
            .collect();
        f.debug_struct("RawRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("tr_id", &self.tr_id)
            .field("tr_cont", &self.tr_cont)
            .field("query", &query)
            .field(
                "body",
                &self
                    .body
                    .as_ref()
                    .map(|b| format!("<{} bytes, redacted>", b.len())),
            )
            .field("endpoint", &self.endpoint)
            .finish()
    }
}

impl std::fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawResponse")
            .field("status", &self.status)
            .field("tr_cont", &self.tr_cont)
            .field("body", &format!("<{} bytes>", self.body.len()))
            .finish()
    }
}

impl RawResponse {
    /// Whether the server says more pages follow.
    pub fn has_more(&self) -> bool {
        matches!(self.tr_cont.as_str(), "F" | "M")
    }
}

#[derive(Deserialize)]
struct Envelope {
    rt_cd: Option<String>,
    msg_cd: Option<String>,
    msg1: Option<String>,
}

/// State-changing calls (TR IDs ending in `U`, and any POST not known to be a read) are never
/// retried automatically and need `allow_real_trading` on the real service.
pub fn is_state_changing(method: HttpMethod, tr_id: &str) -> bool {
    tr_id.ends_with('U') || (method == HttpMethod::Post && !tr_id.ends_with('R'))
}

/// What the response means for the retry loop.
pub(crate) enum Outcome {
    Done(RawResponse),
    Fail(Error),
    /// Retry after backoff (read-only calls only).
    Retry(Error),
    /// The token was rejected: re-issue and retry once (read-only calls only).
    Reauth(Error),
}

pub(crate) fn classify(
    status: u16,
    tr_cont: String,
    body: Vec<u8>,
    tr_id: &str,
    retry_ok: bool,
) -> Outcome {
    let env: Option<Envelope> = serde_json::from_slice(&body).ok();
    match env {
        Some(Envelope {
            rt_cd: Some(rt_cd),
            msg_cd,
            msg1,
        }) if rt_cd != "0" => {
            let msg_cd = msg_cd.unwrap_or_default();
            let kind = ErrorKind::of_answer(&msg_cd, status);
            let err = Error::Api {
                rt_cd,
                msg_cd: msg_cd.clone(),
                msg1: msg1.unwrap_or_default(),
                tr_id: tr_id.to_owned(),
                http_status: status,
                state_changing: !retry_ok,
            };
            match kind {
                ErrorKind::Throttled => Outcome::Retry(err),
                ErrorKind::TokenRefresh => Outcome::Reauth(err),
                ErrorKind::Transient if retry_ok => Outcome::Retry(err),
                _ => Outcome::Fail(err),
            }
        }
        _ if (200..300).contains(&status) => Outcome::Done(RawResponse {
            status,
            tr_cont,
            body,
        }),
        _ => {
            let text = crate::secret::kept_body(&String::from_utf8_lossy(&body));
            let err = Error::Http {
                status,
                tr_id: tr_id.to_owned(),
                state_changing: !retry_ok,
                body: text,
            };
            if retry_ok && (status >= 500 || status == 429) {
                Outcome::Retry(err)
            } else {
                Outcome::Fail(err)
            }
        }
    }
}

fn backoff(base: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.min(10));
    let jitter = base.mul_f64(rand::random::<f64>());
    exp + jitter
}

/// The REST pipeline for one request: real-trading guard, hashkey, then per attempt: token,
/// headers, one exchange on the wire, envelope check, and (read-only calls only) bounded
/// retries. Runs inside the caller's `kis_call` span.
pub(crate) async fn execute(
    wire: &Wire,
    auth: &Auth,
    c: &Config,
    req: RawRequest,
) -> Result<RawResponse, Error> {
    let state_changing = is_state_changing(req.method, &req.tr_id);
    if state_changing && c.env == Env::Real && !c.allow_real_trading {
        return Err(Error::RealTradingNotEnabled { tr_id: req.tr_id });
    }
    let retry_ok = !state_changing;
    let tr_id =
        HeaderValue::from_str(&req.tr_id).map_err(|_| Error::InvalidRequest("bad TR ID".into()))?;
    let tr_cont = HeaderValue::from_str(&req.tr_cont)
        .map_err(|_| Error::InvalidRequest("bad tr_cont".into()))?;
    let hashkey = match (&req.body, c.use_hashkey) {
        (Some(body), true) => Some(
            crate::auth::hashkey(wire, body)
                .await
                .map_err(Error::before_send)?,
        ),
        _ => None,
    };
    let span = tracing::Span::current();
    let mut attempt: u32 = 0;
    let mut reauthed = false;
    loop {
        attempt += 1;
        span.record("attempt", attempt);
        // An order never waits behind a token issuance (up to minutes): it fails fast.
        let token = if state_changing {
            auth.token_now(wire, c).await
        } else {
            auth.token(wire, c).await
        }
        .map_err(Error::before_send)?;
        let started = Instant::now();
        let mut headers = HeaderMap::new();
        headers.insert(reqwest::header::AUTHORIZATION, token.header.clone());
        headers.insert(HeaderName::from_static("tr_id"), tr_id.clone());
        headers.insert(HeaderName::from_static("tr_cont"), tr_cont.clone());
        if let Some(h) = &hashkey {
            headers.insert(HeaderName::from_static("hashkey"), h.clone());
        }
        let answer = wire
            .exchange(Call {
                method: req.method,
                path: &req.path,
                query: &req.query,
                body: req.body.clone(),
                headers,
                label: &req.tr_id,
            })
            .await;
        let outcome = match answer {
            Err(err) => {
                let err = err.for_state_changing(state_changing);
                if retry_ok {
                    Outcome::Retry(err)
                } else {
                    Outcome::Fail(err)
                }
            }
            Ok(a) => {
                span.record("status", a.status);
                classify(a.status, a.tr_cont, a.body, &req.tr_id, retry_ok)
            }
        };
        let latency_ms = started.elapsed().as_millis() as u64;
        span.record("latency_ms", latency_ms);
        match outcome {
            Outcome::Done(r) => {
                tracing::debug!(status = r.status, latency_ms, attempt, "KIS call ok");
                return Ok(r);
            }
            Outcome::Fail(e) => {
                tracing::debug!(latency_ms, attempt, error = %e, "KIS call failed");
                return Err(e);
            }
            Outcome::Reauth(e) => {
                // Forget the token either way, so the next call gets a new one.
                auth.reject(&token);
                if !retry_ok || reauthed {
                    return Err(e);
                }
                tracing::warn!(error = %e, "token rejected; re-issuing once");
                reauthed = true;
                attempt -= 1;
            }
            Outcome::Retry(e) => {
                if !retry_ok || attempt > c.max_retries {
                    return Err(match e {
                        e @ Error::Api { .. } if e.kind() != ErrorKind::Throttled => e,
                        Error::Api { msg_cd, tr_id, .. } => Error::RateLimited {
                            msg_cd,
                            tr_id,
                            attempts: attempt,
                        },
                        other => other,
                    });
                }
                let wait = backoff(c.retry_base_delay, attempt - 1);
                tracing::warn!(latency_ms, attempt, wait_ms = wait.as_millis() as u64, error = %e, "KIS call failed; retrying");
                tokio::time::sleep(wait).await;
            }
        }
    }
}

/// Flattens a serialized request (a JSON object of strings) into query pairs.
pub(crate) fn query_pairs(v: serde_json::Value) -> Result<Vec<(String, String)>, Error> {
    let serde_json::Value::Object(map) = v else {
        return Err(Error::InvalidRequest(
            "a GET request must serialize to an object".into(),
        ));
    };
    let mut out = Vec::with_capacity(map.len());
    for (k, v) in map {
        let s = match v {
            serde_json::Value::Null => continue,
            serde_json::Value::String(s) => s,
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => {
                return Err(Error::InvalidRequest(format!(
                    "query parameter {k} is not a scalar"
                )));
            }
        };
        out.push((k, s));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn raw_request_and_response_debug_hide_bodies_and_accounts() {
        let r = RawRequest {
            method: HttpMethod::Post,
            path: "/p".into(),
            tr_id: "VTTC0012U".into(),
            tr_cont: String::new(),
            query: vec![("CANO".into(), "87654321".into()), ("X".into(), "1".into())],
            body: Some(br#"{"CANO":"87654321","ACNT_PWD":"pw-SECRET"}"#.to_vec()),
            endpoint: "order_cash".into(),
        };
        let d = format!("{r:?}");
        assert!(!d.contains("87654321") && !d.contains("pw-SECRET"), "{d}");
        assert!(d.contains("8765****") && d.contains("\"X\""), "{d}");
        let resp = RawResponse {
            status: 200,
            tr_cont: String::new(),
            body: br#"{"access_token":"tok-SECRET"}"#.to_vec(),
        };
        assert!(!format!("{resp:?}").contains("tok-SECRET"));
    }

    #[test]
    fn state_changing_rule() {
        assert!(is_state_changing(HttpMethod::Post, "TTTC0012U"));
        assert!(is_state_changing(HttpMethod::Post, "VTTC0011U"));
        assert!(!is_state_changing(HttpMethod::Post, "TTTC8908R"));
        assert!(is_state_changing(HttpMethod::Post, "CTSC9999X"));
        assert!(!is_state_changing(HttpMethod::Get, "FHKST01010100"));
    }

    #[test]
    fn classify_envelopes() {
        let ok = classify(
            200,
            "M".into(),
            br#"{"rt_cd":"0","msg_cd":"MCA00000","msg1":"ok"}"#.to_vec(),
            "T",
            true,
        );
        assert!(matches!(ok, Outcome::Done(r) if r.has_more()));
        let biz = classify(
            200,
            String::new(),
            br#"{"rt_cd":"1","msg_cd":"APBK0013","msg1":"no"}"#.to_vec(),
            "T",
            true,
        );
        assert!(
            matches!(biz, Outcome::Fail(Error::Api { ref msg_cd, http_status: 200, .. }) if msg_cd == "APBK0013")
        );
        let rl = classify(
            500,
            String::new(),
            br#"{"rt_cd":"1","msg_cd":"EGW00201","msg1":"x"}"#.to_vec(),
            "T",
            true,
        );
        assert!(matches!(rl, Outcome::Retry(_)));
        let bare500 = classify(
            500,
            String::new(),
            b"Internal Server Error".to_vec(),
            "T",
            false,
        );
        assert!(matches!(
            bare500,
            Outcome::Fail(Error::Http { status: 500, .. })
        ));
        let bare500 = classify(
            500,
            String::new(),
            b"Internal Server Error".to_vec(),
            "T",
            true,
        );
        assert!(matches!(
            bare500,
            Outcome::Retry(Error::Http { status: 500, .. })
        ));
        let expired = classify(
            500,
            String::new(),
            br#"{"rt_cd":"1","msg_cd":"EGW00123","msg1":"x"}"#.to_vec(),
            "T",
            true,
        );
        assert!(matches!(expired, Outcome::Reauth(_)));
        let no_env = classify(200, String::new(), br#"{"HASH":"abc"}"#.to_vec(), "T", true);
        assert!(matches!(no_env, Outcome::Done(_)));
    }

    #[test]
    fn query_pairs_flatten_scalars() {
        let v = serde_json::json!({"A": "x", "B": 1, "C": null, "D": true});
        let p = query_pairs(v).expect("pairs");
        assert_eq!(
            p,
            vec![
                ("A".into(), "x".into()),
                ("B".into(), "1".into()),
                ("D".into(), "true".into())
            ]
        );
        assert!(query_pairs(serde_json::json!({"A": [1]})).is_err());
        assert!(query_pairs(serde_json::json!("x")).is_err());
    }

    #[test]
    fn backoff_grows_and_is_bounded() {
        let b = Duration::from_millis(100);
        for a in 0..5 {
            let d = backoff(b, a);
            assert!(d >= b * (1 << a) && d < b * (1 << a) + b, "{a}: {d:?}");
        }
    }

    proptest! {
        #[test]
        fn classify_never_panics(status in 100u16..600, body in proptest::collection::vec(any::<u8>(), 0..300), retry in any::<bool>()) {
            let _ = classify(status, String::new(), body, "T", retry);
        }
    }
}
