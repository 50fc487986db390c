//! Sending one KIS REST call: headers, query or JSON body, envelope check (`rt_cd`/`msg_cd`),
//! bounded retries for read-only calls, tracing. `send` is a thin generic shell over `send_raw`.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderName, HeaderValue};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::client::{Client, Inner};
use crate::endpoint::{Endpoint, Env, HttpMethod};
use crate::error::{Error, RATE_LIMIT_CODES};

/// A request as it goes on the wire; build one by hand for anything the spec lacks.
#[derive(Debug, Clone)]
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

/// A successful (`rt_cd == "0"` or no envelope) answer.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// HTTP status.
    pub status: u16,
    /// Response `tr_cont` header (`F`/`M` = more pages, `D`/`E` = last), empty when absent.
    pub tr_cont: String,
    /// The body.
    pub body: Vec<u8>,
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
enum Outcome {
    Done(RawResponse),
    Fail(Error),
    /// Retry after backoff (read-only calls only).
    Retry(Error),
    /// The token was rejected: re-issue and retry once (read-only calls only).
    Reauth(Error),
}

fn classify(status: u16, tr_cont: String, body: Vec<u8>, tr_id: &str, retry_ok: bool) -> Outcome {
    let env: Option<Envelope> = serde_json::from_slice(&body).ok();
    match env {
        Some(Envelope {
            rt_cd: Some(rt_cd),
            msg_cd,
            msg1,
        }) if rt_cd != "0" => {
            let msg_cd = msg_cd.unwrap_or_default();
            let err = Error::Api {
                rt_cd,
                msg_cd: msg_cd.clone(),
                msg1: msg1.unwrap_or_default(),
                tr_id: tr_id.to_owned(),
                http_status: status,
            };
            if RATE_LIMIT_CODES.contains(&msg_cd.as_str()) {
                Outcome::Retry(err)
            } else if matches!(msg_cd.as_str(), "EGW00121" | "EGW00123") {
                Outcome::Reauth(err)
            } else if status >= 500 && msg_cd.starts_with("EGW") && retry_ok {
                Outcome::Retry(err)
            } else {
                Outcome::Fail(err)
            }
        }
        _ if (200..300).contains(&status) => Outcome::Done(RawResponse {
            status,
            tr_cont,
            body,
        }),
        _ => {
            let mut text = String::from_utf8_lossy(&body).into_owned();
            if text.len() > 2048 {
                let mut cut = 2048;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
            }
            let err = Error::Http {
                status,
                tr_id: tr_id.to_owned(),
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

impl Client {
    /// Sends a typed request and decodes its response.
    ///
    /// Fails before sending with [`Error::UnsupportedInPaper`] when the variant does not exist on
    /// the configured service, and with [`Error::RealTradingNotEnabled`] for orders on the real
    /// service without the opt-in.
    pub async fn send<E: Endpoint>(&self, req: E) -> Result<E::Response, Error> {
        let mut req = req;
        let raw = self.prepare(&mut req, "")?;
        let resp = self.send_raw(raw).await?;
        decode(&resp.body, E::INFO.id)
    }

    /// Sends a typed request and returns the raw answer (body bytes and `tr_cont`).
    pub(crate) async fn send_endpoint<E: Endpoint>(
        &self,
        req: &mut E,
        tr_cont: &str,
    ) -> Result<RawResponse, Error> {
        let raw = self.prepare(req, tr_cont)?;
        self.send_raw(raw).await
    }

    /// Turns a typed request into a [`RawRequest`] for this client's environment.
    pub fn prepare<E: Endpoint>(&self, req: &mut E, tr_cont: &str) -> Result<RawRequest, Error> {
        let c = &self.inner.config;
        let tr_id = req.tr_ids().for_env(c.env).ok_or(match c.env {
            Env::Paper => Error::UnsupportedInPaper {
                endpoint: E::INFO.id,
            },
            Env::Real => Error::UnsupportedInReal {
                endpoint: E::INFO.id,
            },
        })?;
        if let Some(a) = &c.account {
            req.fill_account(a.cano(), a.product_code());
        }
        let v = serde_json::to_value(&*req).map_err(|e| Error::InvalidRequest(e.to_string()))?;
        if c.account.is_none() && v.get("CANO").is_some_and(|x| x.as_str() == Some("")) {
            return Err(Error::NoAccount {
                endpoint: E::INFO.id,
            });
        }
        if let serde_json::Value::Object(params) = &v {
            crate::validate::validate(E::INFO, params, false).map_err(Error::Invalid)?;
        }
        let (query, body) = match E::INFO.method {
            HttpMethod::Get => (query_pairs(v)?, None),
            HttpMethod::Post => {
                let body =
                    serde_json::to_vec(&v).map_err(|e| Error::InvalidRequest(e.to_string()))?;
                (Vec::new(), Some(body))
            }
        };
        Ok(RawRequest {
            method: E::INFO.method,
            path: E::INFO.path.to_owned(),
            tr_id: tr_id.to_owned(),
            tr_cont: tr_cont.to_owned(),
            query,
            body,
            endpoint: E::INFO.id.to_owned(),
        })
    }

    /// Sends a raw request: rate limit, token, headers, envelope check and (for read-only calls)
    /// bounded retries. The escape hatch for anything the generated endpoints lack.
    pub async fn send_raw(&self, req: RawRequest) -> Result<RawResponse, Error> {
        let span = tracing::debug_span!(
            "kis_call",
            endpoint = %req.endpoint,
            tr_id = %req.tr_id,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        send_raw_inner(&self.inner, req).instrument(span).await
    }
}

async fn send_raw_inner(inner: &Inner, req: RawRequest) -> Result<RawResponse, Error> {
    let c = &inner.config;
    let state_changing = is_state_changing(req.method, &req.tr_id);
    if state_changing && c.env == Env::Real && !c.allow_real_trading {
        return Err(Error::RealTradingNotEnabled { tr_id: req.tr_id });
    }
    let retry_ok = !state_changing;
    let url = format!("{}{}", c.rest_url, req.path);
    let tr_id =
        HeaderValue::from_str(&req.tr_id).map_err(|_| Error::InvalidRequest("bad TR ID".into()))?;
    let tr_cont = HeaderValue::from_str(&req.tr_cont)
        .map_err(|_| Error::InvalidRequest("bad tr_cont".into()))?;
    let hashkey = match (&req.body, c.use_hashkey) {
        (Some(body), true) => Some(crate::auth::hashkey(inner, body).await?),
        _ => None,
    };
    let span = tracing::Span::current();
    let mut attempt: u32 = 0;
    let mut reauthed = false;
    loop {
        attempt += 1;
        span.record("attempt", attempt);
        let token = inner.auth.token(inner).await?;
        let permit = inner.limiter.acquire().await;
        let started = Instant::now();
        let mut rb = match req.method {
            HttpMethod::Get => inner.http.get(&url).query(&req.query),
            HttpMethod::Post => inner
                .http
                .post(&url)
                .body(req.body.clone().unwrap_or_default()),
        };
        let mut headers = inner.base_headers.clone();
        headers.insert(reqwest::header::AUTHORIZATION, token.header.clone());
        headers.insert(HeaderName::from_static("tr_id"), tr_id.clone());
        headers.insert(HeaderName::from_static("tr_cont"), tr_cont.clone());
        if let Some(h) = &hashkey {
            headers.insert(HeaderName::from_static("hashkey"), h.clone());
        }
        rb = rb.headers(headers);
        let outcome = match rb.send().await {
            Err(e) => {
                let sent = !e.is_connect();
                let err = Error::transport(&req.tr_id, sent, e);
                if retry_ok {
                    Outcome::Retry(err)
                } else {
                    Outcome::Fail(err)
                }
            }
            Ok(resp) => {
                let status = resp.status().as_u16();
                span.record("status", status);
                let cont = resp
                    .headers()
                    .get("tr_cont")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .trim()
                    .to_owned();
                match resp.bytes().await {
                    Ok(b) => classify(status, cont, b.to_vec(), &req.tr_id, retry_ok),
                    Err(e) => {
                        let err = Error::transport(&req.tr_id, true, e);
                        if retry_ok {
                            Outcome::Retry(err)
                        } else {
                            Outcome::Fail(err)
                        }
                    }
                }
            }
        };
        // The answer (or failure) is in: the rate-limit slot starts its cool-down now.
        drop(permit);
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
                inner.auth.reject(&token);
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
                        Error::Api { msg_cd, tr_id, .. }
                            if RATE_LIMIT_CODES.contains(&msg_cd.as_str()) =>
                        {
                            Error::RateLimited {
                                msg_cd,
                                tr_id,
                                attempts: attempt,
                            }
                        }
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
fn query_pairs(v: serde_json::Value) -> Result<Vec<(String, String)>, Error> {
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

/// Decodes a response body, naming the JSON path on failure and keeping the raw body.
///
/// The fast path is plain `serde_json`; only a failing body is decoded again with path tracking.
/// The body's UTF-8 is checked once up front (cheaper than `from_slice` checking every string).
pub fn decode<T: DeserializeOwned>(body: &[u8], endpoint: &str) -> Result<T, Error> {
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
    Error::Decode {
        endpoint: endpoint.to_owned(),
        path,
        message,
        body: String::from_utf8_lossy(body).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
