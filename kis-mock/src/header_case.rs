//! Header names on the wire as KIS writes them: standard headers capitalized (`Content-Type`,
//! `Content-Length`, `Date`), KIS's own in lower case (`tr_id`, `tr_cont`, `gt_uid`).
//!
//! Clients depend on the exact spelling: KIS's official Python samples build a namedtuple from
//! the response headers whose names are lower-case identifiers and read `tr_cont` from it, so
//! `content-type` (not an identifier) breaks them and `Tr_cont` hides the continuation flag.
//!
//! hyper writes lower-case names unless told otherwise. Its HTTP/1 server writes every name
//! title-cased with `title_case_headers`, except names listed in the header-case extension of a
//! response, which it writes as listed ("forward the cases in a proxy-like fashion", the
//! documented effect of `preserve_header_case`). That extension's type is private, so the mock
//! obtains one the documented way: once per process, hyper parses a request carrying the KIS
//! names in their spelling over an in-memory pipe with `preserve_header_case` on, and the
//! request's extensions are kept as the template every response gets.
//!
//! ```text
//! HTTP/1.1 200 OK
//! Content-Type: application/json; charset=utf-8
//! tr_id: FHKST01010100
//! gt_uid: 3kD9...
//! Content-Length: 1203
//! Date: Sun, 06 Dec 2026 01:30:00 GMT
//! ```

use std::convert::Infallible;
use std::sync::{Mutex, OnceLock};

use bytes::Bytes;
use http_body_util::Empty;
use hyper::body::Incoming;
use hyper::http::Extensions;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::io::AsyncWriteExt;
use tokio::sync::oneshot;

/// The header names KIS writes in lower case, as they go on the wire.
pub(crate) const KIS_NAMES: [&str; 3] = ["tr_id", "tr_cont", "gt_uid"];

static TEMPLATE: OnceLock<Extensions> = OnceLock::new();

/// Captures the template once per process (later calls return at once). Without it (the
/// capture cannot fail short of a hyper change) KIS's names would go out title-cased.
pub(crate) async fn prepare() {
    if TEMPLATE.get().is_some() {
        return;
    }
    match capture().await {
        Some(extensions) => {
            let _ = TEMPLATE.set(extensions);
        }
        None => tracing::warn!("kis-mock: header-case template unavailable"),
    }
}

/// Makes `response` go out with KIS's spelling of its own headers.
pub(crate) fn apply<B>(response: &mut Response<B>) {
    if let Some(template) = TEMPLATE.get() {
        response.extensions_mut().extend(template.clone());
    }
}

/// Lets hyper parse a request with the KIS names and returns its extensions.
async fn capture() -> Option<Extensions> {
    let (mut client, server) = tokio::io::duplex(1024);
    let (tx, rx) = oneshot::channel();
    let tx = Mutex::new(Some(tx));
    let service = service_fn(move |req: Request<Incoming>| {
        if let Some(tx) = tx.lock().ok().and_then(|mut t| t.take()) {
            let _ = tx.send(req.extensions().clone());
        }
        async { Ok::<_, Infallible>(Response::new(Empty::<Bytes>::new())) }
    });
    let conn = http1::Builder::new()
        .preserve_header_case(true)
        .serve_connection(TokioIo::new(server), service);
    let mut head = String::from("GET / HTTP/1.1\r\n");
    for name in KIS_NAMES {
        head.push_str(name);
        head.push_str(": x\r\n");
    }
    head.push_str("\r\n");
    let ask = async move {
        client.write_all(head.as_bytes()).await.ok()?;
        let extensions = rx.await.ok();
        drop(client);
        extensions
    };
    let (_, extensions) = tokio::join!(conn, ask);
    extensions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn template_is_captured() {
        prepare().await;
        assert!(TEMPLATE.get().is_some_and(|e| !e.is_empty()));
    }
}
