//! What a spec endpoint's handler gets and gives: the [`Call`] (the checked request) and the
//! [`Reply`] (an answer before it is rendered), and [`paginate`], the continuation keys and
//! `tr_cont` of a page. The REST front door (`rest`) builds calls and renders replies; the
//! handlers (`trading`, `quotes`, `cursor`) depend on this module only, not on each other or
//! on the front door.

use std::collections::HashMap;
use std::sync::Arc;

use hyper::StatusCode;
use kis_spec::{ApiSpec, PagingScheme};
use serde_json::{Map, Value, json};

use crate::server::Shared;
use crate::synth;

/// An answer before it is rendered.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub tr_id: Option<String>,
    pub tr_cont: Option<&'static str>,
}

impl Reply {
    pub fn ok(body: Value) -> Self {
        Reply {
            status: StatusCode::OK,
            body,
            tr_id: None,
            tr_cont: None,
        }
    }

    /// A KIS error body (`rt_cd` "1") with an HTTP status.
    pub fn error(status: StatusCode, msg_cd: &str, msg1: impl Into<String>) -> Self {
        Reply::ok(json!({"rt_cd": "1", "msg_cd": msg_cd, "msg1": msg1.into()})).status(status)
    }

    /// A business error: HTTP 200 with `rt_cd` "1".
    pub fn business(msg_cd: &str, msg1: impl Into<String>) -> Self {
        Reply::error(StatusCode::OK, msg_cd, msg1)
    }

    /// The OAuth endpoints' error shape: HTTP 403 `{"error_code","error_description"}`.
    pub fn oauth(error_code: &str, description: &str) -> Self {
        Reply::ok(json!({"error_code": error_code, "error_description": description}))
            .status(StatusCode::FORBIDDEN)
    }

    pub fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }
}

/// What a spec endpoint handler gets.
pub(crate) struct Call<'a> {
    pub sh: &'a Arc<Shared>,
    pub spec: &'a ApiSpec,
    /// The variant's current TR ID (also when the client sent an old one, a deprecated alias).
    pub tr_id: &'a str,
    pub params: HashMap<String, String>,
    pub page: u32,
}

impl Call<'_> {
    /// A parameter by name (ignoring ASCII case), empty when absent.
    pub fn param(&self, name: &str) -> &str {
        self.params
            .get(name)
            .or_else(|| {
                self.params
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v)
            })
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// Prefix of the continuation keys the mock hands out.
pub(crate) const CTX_PREFIX: &str = "KISMOCK";

/// Sets the continuation keys and the `tr_cont` header for page `page` of `pages`.
pub(crate) fn paginate(
    spec: &ApiSpec,
    body: &mut Map<String, Value>,
    page: u32,
    pages: u32,
) -> &'static str {
    let more = page + 1 < pages;
    if let Some(paging) = &spec.paging {
        if matches!(paging.scheme, PagingScheme::CtxArea | PagingScheme::Key) {
            for key in &paging.response {
                let value = if more {
                    format!("{CTX_PREFIX}{:04}", page + 1)
                } else {
                    String::new()
                };
                match key.split_once('.') {
                    None => synth::set(body, key, value),
                    Some((block, field)) => match body.get_mut(block) {
                        Some(Value::Object(o)) => synth::set(o, field, value),
                        Some(Value::Array(a)) => {
                            if let Some(Value::Object(o)) = a.first_mut() {
                                synth::set(o, field, value);
                            }
                        }
                        _ => {
                            let mut o = Map::new();
                            synth::set(&mut o, field, value);
                            body.insert(block.to_owned(), Value::Object(o));
                        }
                    },
                }
            }
        }
    }
    match (more, page) {
        (true, 0) => "F",
        (true, _) => "M",
        (false, 0) => "D",
        (false, _) => "E",
    }
}
