//! The one place where bytes go on the wire: every KIS HTTP exchange (REST calls, tokens,
//! approval keys, hashkeys) passes through [`Wire::exchange`], which takes a rate-limiter slot,
//! sets the common headers, sends, reads the answer and traces it.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use reqwest::header::HeaderMap;

use crate::endpoint::HttpMethod;
use crate::error::Error;
use crate::rate_limit::RateLimiter;
use crate::server_clock::ServerClock;

/// The HTTP side of a client: connection pool, limiter, base URL and the headers every call
/// carries (content-type, appkey, appsecret, custtype, user-agent).
#[derive(Debug)]
pub(crate) struct Wire {
    pub(crate) http: reqwest::Client,
    pub(crate) limiter: Arc<RateLimiter>,
    pub(crate) rest_url: String,
    pub(crate) base_headers: HeaderMap,
    /// The server's clock, from the `Date` header of every answer.
    pub(crate) server_clock: ServerClock,
}

/// One exchange to make.
pub(crate) struct Call<'a> {
    pub(crate) method: HttpMethod,
    /// URL path below the base URL.
    pub(crate) path: &'a str,
    /// GET query parameters.
    pub(crate) query: &'a [(String, String)],
    /// POST body (JSON bytes).
    pub(crate) body: Option<Vec<u8>>,
    /// Per-call headers (authorization, tr_id, tr_cont, hashkey), added to the base headers.
    pub(crate) headers: HeaderMap,
    /// Name for errors and traces: the TR ID, or the path of an auth call.
    pub(crate) label: &'a str,
}

/// What came back.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    /// The response `tr_cont` header, trimmed; empty when absent.
    pub(crate) tr_cont: String,
    pub(crate) body: Vec<u8>,
}

impl Wire {
    /// Sends one request and reads its answer, holding a rate-limiter slot from before the send
    /// until the body has arrived (or the exchange failed).
    pub(crate) async fn exchange(&self, call: Call<'_>) -> Result<Answer, Error> {
        let permit = self.limiter.acquire().await;
        let started = Instant::now();
        let url = format!("{}{}", self.rest_url, call.path);
        let rb = match call.method {
            HttpMethod::Get => self.http.get(&url).query(call.query),
            HttpMethod::Post => self.http.post(&url).body(call.body.unwrap_or_default()),
        };
        let mut headers = self.base_headers.clone();
        headers.extend(call.headers);
        let result = async {
            let resp = rb
                .headers(headers)
                .send()
                .await
                .map_err(|e| Error::transport(call.label, !e.is_connect(), e))?;
            self.server_clock.observe(
                resp.headers()
                    .get(reqwest::header::DATE)
                    .map(|v| v.as_bytes()),
                SystemTime::now(),
            );
            let status = resp.status().as_u16();
            if resp.status().is_redirection() {
                // The client never follows redirects (an order must not be re-sent, and the
                // appkey/appsecret headers must not go to another host): report where it pointed.
                let location = resp
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                    .unwrap_or_default();
                return Err(Error::Redirect {
                    tr_id: call.label.to_owned(),
                    status,
                    location: without_query(&location).to_owned(),
                    may_have_been_sent: true,
                });
            }
            let tr_cont = resp
                .headers()
                .get("tr_cont")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .trim()
                .to_owned();
            let body = resp
                .bytes()
                .await
                .map_err(|e| Error::transport(call.label, true, e))?;
            Ok(Answer {
                status,
                tr_cont,
                body: body.to_vec(),
            })
        }
        .await;
        // The answer (or failure) is in: the rate-limit slot starts its cool-down now.
        drop(permit);
        let latency_ms = started.elapsed().as_millis() as u64;
        match &result {
            Ok(a) => tracing::debug!(
                call = call.label,
                status = a.status,
                latency_ms,
                "KIS exchange"
            ),
            Err(e) => {
                tracing::debug!(call = call.label, latency_ms, error = %e, "KIS exchange failed")
            }
        }
        result
    }
}

/// A URL without its query string and fragment (which may carry secrets), at most 512 bytes.
fn without_query(url: &str) -> &str {
    let url = url.split(['?', '#']).next().unwrap_or(url);
    let mut end = url.len().min(512);
    while !url.is_char_boundary(end) {
        end -= 1;
    }
    &url[..end]
}

#[cfg(test)]
mod tests {
    use super::without_query;

    #[test]
    fn redirect_locations_lose_query_and_fragment() {
        assert_eq!(
            without_query("https://evil.example/x?appkey=K#f"),
            "https://evil.example/x"
        );
        assert_eq!(without_query(""), "");
        let long = "é".repeat(400);
        assert!(without_query(&long).len() <= 512);
    }
}
