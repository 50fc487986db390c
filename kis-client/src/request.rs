//! By-name requests: build the same validated request as the typed API from an endpoint id
//! (`domestic_stock/order_cash`), a variant name, the environment and parameters keyed by KIS
//! wire name — for tools, scripts and agents that do not compile per endpoint.
//!
//! ```
//! # #[cfg(feature = "domestic-stock")] {
//! use kis_client::request::{self, ErrorKind};
//! use kis_client::{Account, Env};
//!
//! let params = serde_json::json!({"PDNO": "005930", "ORD_DVSN": "00", "ORD_QTY": "10", "ORD_UNPR": "70000"});
//! let account = Account::parse("12345678-01");
//! let raw = request::build("domestic_stock/order_cash", "buy", Env::Real, account.as_ref(), params.as_object().unwrap())
//!     .expect("valid");
//! assert_eq!(raw.tr_id, "TTTC0012U");
//!
//! let bad = serde_json::json!({"PDNO": "005930", "ORD_DVSN": "99", "ORD_QTY": "10", "ORD_UNPR": "70000"});
//! let err = request::build("domestic_stock/order_cash", "buy", Env::Real, account.as_ref(), bad.as_object().unwrap())
//!     .unwrap_err();
//! assert_eq!((err.kind, err.field.as_deref()), (ErrorKind::InvalidRequest, Some("ORD_DVSN")));
//! # }
//! ```
//!
//! Parameters the request omits are sent blank (as the typed API does); a name the endpoint
//! does not have is refused (typo protection). Account fields (`CANO`, `ACNT_PRDT_CD`) come from
//! `account` when omitted. The validation is [`crate::validate`], the same as
//! [`crate::Client::send`] runs.

use std::fmt;

use serde_json::{Map, Value};

use crate::__private::FieldKind;
use crate::endpoint::{EndpointInfo, Env, HttpMethod};
use crate::secret::Account;
use crate::transport::RawRequest;
use crate::validate;

/// What kind of refusal a by-name request got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A parameter failed validation (or is unknown); `field` names it.
    InvalidRequest,
    /// The endpoint (variant) does not exist on the paper service.
    NotOnPaper,
    /// The endpoint (variant) exists only on the paper service.
    NotOnReal,
    /// No endpoint has this id (or its category feature is disabled).
    UnknownEndpoint,
    /// The endpoint has no variant of this name.
    UnknownVariant,
}

impl ErrorKind {
    /// `invalid_request`, `not_on_paper`, `not_on_real`, `unknown_endpoint`, `unknown_variant`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidRequest => "invalid_request",
            ErrorKind::NotOnPaper => "not_on_paper",
            ErrorKind::NotOnReal => "not_on_real",
            ErrorKind::UnknownEndpoint => "unknown_endpoint",
            ErrorKind::UnknownVariant => "unknown_variant",
        }
    }
}

/// A refused by-name request. Nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedError {
    /// The kind of refusal.
    pub kind: ErrorKind,
    /// The wire name of the offending parameter, when one is at fault.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for NamedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.message)
    }
}

impl std::error::Error for NamedError {}

impl From<validate::Invalid> for NamedError {
    fn from(e: validate::Invalid) -> Self {
        NamedError {
            kind: ErrorKind::InvalidRequest,
            message: e.to_string(),
            field: e.field,
        }
    }
}

/// Every endpoint of the enabled category features.
pub fn endpoints() -> impl Iterator<Item = &'static EndpointInfo> {
    crate::api::request_infos().iter().copied()
}

/// The endpoint `category/id` (e.g. `domestic_stock/order_cash`).
pub fn find(endpoint: &str) -> Option<&'static EndpointInfo> {
    let (cat, id) = endpoint.trim().split_once('/')?;
    endpoints().find(|i| i.category == cat && i.id == id)
}

fn err(kind: ErrorKind, field: Option<&str>, message: String) -> NamedError {
    NamedError {
        kind,
        field: field.map(str::to_owned),
        message,
    }
}

/// Builds and validates a request by name. `variant` may be empty for single-variant
/// endpoints. Every value in `params` must be a JSON string (blocks: arrays/objects).
pub fn build(
    endpoint: &str,
    variant: &str,
    env: Env,
    account: Option<&Account>,
    params: &Map<String, Value>,
) -> Result<RawRequest, NamedError> {
    let info = find(endpoint).ok_or_else(|| {
        err(
            ErrorKind::UnknownEndpoint,
            None,
            format!(
                "no endpoint `{endpoint}` (write it as category/id, e.g. domestic_stock/order_cash)"
            ),
        )
    })?;
    let names = || {
        info.variants
            .iter()
            .map(|v| v.0)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let tr_ids = match info.variants {
        [] => crate::endpoint::TrIds {
            real: None,
            paper: None,
        },
        [(_, t)] if variant.is_empty() => *t,
        _ => {
            info.variants
                .iter()
                .find(|v| v.0 == variant)
                .ok_or_else(|| {
                    err(
                        ErrorKind::UnknownVariant,
                        None,
                        format!(
                            "{endpoint} has no variant `{variant}` (variants: {})",
                            names()
                        ),
                    )
                })?
                .1
        }
    };
    let tr_id = match (tr_ids.for_env(env), env) {
        (Some(t), _) => t,
        (None, Env::Paper) => {
            return Err(err(
                ErrorKind::NotOnPaper,
                None,
                format!(
                    "{endpoint} ({}) is not available on the paper service",
                    variant_or_default(variant)
                ),
            ));
        }
        (None, Env::Real) if !info.variants.is_empty() => {
            return Err(err(
                ErrorKind::NotOnReal,
                None,
                format!(
                    "{endpoint} ({}) is available on the paper service only",
                    variant_or_default(variant)
                ),
            ));
        }
        (None, Env::Real) => "",
    };
    // Parameter names as the spec spells them (KIS reads them without regard to case).
    let mut full = Map::new();
    for (k, v) in params {
        let name = info
            .fields
            .iter()
            .find(|m| m.wire.eq_ignore_ascii_case(k))
            .map_or(k.as_str(), |m| m.wire);
        full.insert(name.to_owned(), v.clone());
    }
    for m in info.fields {
        if !full.contains_key(m.wire) {
            let fill = match (m.kind, account) {
                (FieldKind::Account, Some(a)) => a.cano().to_owned(),
                (FieldKind::Product, Some(a)) => a.product_code().to_owned(),
                _ => String::new(),
            };
            if m.kind != FieldKind::Block {
                full.insert(m.wire.to_owned(), Value::String(fill));
            }
        }
    }
    validate::validate(info, &full, true)?;
    let mut query = Vec::new();
    let mut body = None;
    match info.method {
        HttpMethod::Get => {
            for m in info.fields {
                if let Some(Value::String(s)) = full.get(m.wire) {
                    query.push((m.wire.to_owned(), s.clone()));
                }
            }
        }
        HttpMethod::Post => {
            let ordered: Map<String, Value> = info
                .fields
                .iter()
                .filter_map(|m| full.get(m.wire).map(|v| (m.wire.to_owned(), v.clone())))
                .collect();
            body = Some(
                serde_json::to_vec(&ordered)
                    .map_err(|e| err(ErrorKind::InvalidRequest, None, e.to_string()))?,
            );
        }
    }
    Ok(RawRequest {
        method: info.method,
        path: info.path.to_owned(),
        tr_id: tr_id.to_owned(),
        tr_cont: String::new(),
        query,
        body,
        endpoint: info.id.to_owned(),
    })
}

fn variant_or_default(v: &str) -> &str {
    if v.is_empty() { "default" } else { v }
}

impl crate::Client {
    /// Builds a by-name request for this client's environment and account ([`build`]) and
    /// sends it through [`crate::Client::send_raw`]. Fails with [`crate::Error::Named`] before
    /// sending when the request is refused.
    pub async fn send_named(
        &self,
        endpoint: &str,
        variant: &str,
        params: &Map<String, Value>,
    ) -> Result<crate::RawResponse, crate::Error> {
        let c = self.config();
        let raw = build(endpoint, variant, c.env, c.account.as_ref(), params)
            .map_err(crate::Error::Named)?;
        self.send_raw(raw).await
    }
}
