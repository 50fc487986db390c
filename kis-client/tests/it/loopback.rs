//! A minimal scripted HTTP server on a loopback socket, for answers kis-mock does not produce
//! (e.g. `SYDB0050` in the middle of paging, a server repeating its continuation keys, a
//! redirect, an answer that never comes).

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

/// What the script sees of a request.
pub struct Seen {
    pub path: String,
    pub query: String,
    pub tr_cont: String,
}

type Script = dyn Fn(usize, &Seen) -> (u16, &'static str, String) + Send + Sync;

pub struct Loopback {
    pub url: String,
    pub requests: Arc<AtomicUsize>,
    /// Every request received (token calls included): (path, appkey header).
    pub log: Arc<std::sync::Mutex<Vec<(String, String)>>>,
}

/// A script body that makes the server wait 30 s before answering (a request that reaches the
/// server but whose answer never arrives in time).
pub const HANG: &str = "<hang>";

/// Serves `script(n, request) -> (status, tr_cont header, body)`; `n` counts non-token requests.
/// `/oauth2/tokenP` always gets a valid token. For a 3xx status, `body` is the `Location`.
pub async fn serve(
    script: impl Fn(usize, &Seen) -> (u16, &'static str, String) + Send + Sync + 'static,
) -> Loopback {
    serve_with_token(VALID_TOKEN, std::time::Duration::ZERO, script).await
}

/// A valid token answer.
pub const VALID_TOKEN: &str = r#"{"access_token":"loopback-token","token_type":"Bearer","expires_in":86400,"access_token_token_expired":"2099-01-01 00:00:00"}"#;

/// [`serve`], answering `/oauth2/tokenP` with `token_body` after `token_delay`.
pub async fn serve_with_token(
    token_body: &'static str,
    token_delay: std::time::Duration,
    script: impl Fn(usize, &Seen) -> (u16, &'static str, String) + Send + Sync + 'static,
) -> Loopback {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let requests = Arc::new(AtomicUsize::new(0));
    let script: Arc<Script> = Arc::new(script);
    let counter = requests.clone();
    let log = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log2 = log.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (script, counter, log) = (script.clone(), counter.clone(), log2.clone());
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<hyper::body::Incoming>| {
                    let (script, counter, log) = (script.clone(), counter.clone(), log.clone());
                    async move {
                        let appkey = req
                            .headers()
                            .get("appkey")
                            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                            .unwrap_or_default();
                        log.lock()
                            .expect("log")
                            .push((req.uri().path().to_owned(), appkey));
                        let seen = Seen {
                            path: req.uri().path().to_owned(),
                            query: req.uri().query().unwrap_or("").to_owned(),
                            tr_cont: req
                                .headers()
                                .get("tr_cont")
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or("")
                                .to_owned(),
                        };
                        let (status, cont, body) = if seen.path == "/oauth2/tokenP" {
                            tokio::time::sleep(token_delay).await;
                            (200, "", token_body.to_owned())
                        } else {
                            let n = counter.fetch_add(1, Ordering::SeqCst);
                            script(n, &seen)
                        };
                        if body == HANG {
                            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                        }
                        let mut resp = Response::builder()
                            .status(status)
                            .header("content-type", "application/json");
                        if (300..400).contains(&status) {
                            resp = resp.header("location", body.clone());
                        }
                        if !cont.is_empty() {
                            resp = resp.header("tr_cont", cont);
                        }
                        Ok::<_, Infallible>(
                            resp.body(Full::new(Bytes::from(body))).expect("response"),
                        )
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(tcp), svc)
                    .await;
            });
        }
    });
    Loopback { url, requests, log }
}

impl Loopback {
    pub fn client(&self, cache: &std::path::Path) -> kis_client::Client {
        kis_client::Client::new(
            kis_client::Config::builder()
                .app_key("k")
                .app_secret("s")
                .account("12345678-01")
                .rest_url(self.url.clone())
                .token_cache_dir(cache)
                .rate_limit_per_sec(1000)
                .build()
                .expect("config"),
        )
        .expect("client")
    }
}
