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

/// The endpoint a by-name request names, and the variant the name implies: `category/id`
/// (`domestic_stock/order_cash`), the URL path (`/uapi/domestic-stock/v1/trading/order-cash`,
/// a full URL too), or a TR ID (`TTTC0012U`, which also picks the variant; on the other
/// service's TR ID, `NotOnPaper`/`NotOnReal` say which to use).
///
/// ```
/// # #[cfg(feature = "domestic-stock")] {
/// use kis_client::{Env, request};
/// let (info, variant) = request::resolve("TTTC0012U", Env::Real).unwrap();
/// assert_eq!((info.id, variant), ("order_cash", Some("buy")));
/// let (by_path, _) = request::resolve("/uapi/domestic-stock/v1/trading/order-cash", Env::Real).unwrap();
/// assert_eq!(by_path.id, "order_cash");
/// # }
/// ```
pub fn resolve(
    endpoint: &str,
    env: Env,
) -> Result<(&'static EndpointInfo, Option<&'static str>), NamedError> {
    let name = endpoint.trim();
    let unknown = |why: String| err(ErrorKind::UnknownEndpoint, None, why);
    let how = "write it as category/id (domestic_stock/order_cash), a URL path \
               (/uapi/domestic-stock/v1/trading/order-cash) or a TR ID (TTTC0012U)";
    if name.contains("/uapi/") || name.starts_with('/') {
        let path = crate::decode::url_path(name);
        let found: Vec<_> = endpoints().filter(|i| i.path == path).collect();
        return match found.as_slice() {
            [one] => Ok((one, None)),
            [] => Err(unknown(format!(
                "no endpoint has the path `{path}` ({how})"
            ))),
            many => Err(unknown(format!(
                "the path `{path}` is shared by {}: name one as category/id",
                many.iter()
                    .map(|i| validate::endpoint_name(i))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        };
    }
    if let Some(info) = find(name) {
        return Ok((info, None));
    }
    if !name.contains('/') && !name.is_empty() {
        for info in endpoints() {
            for (variant, t) in info.variants {
                let (ours, other, kind) = match env {
                    Env::Real => (t.real, t.paper, ErrorKind::NotOnReal),
                    Env::Paper => (t.paper, t.real, ErrorKind::NotOnPaper),
                };
                if ours == Some(name) {
                    return Ok((info, Some(variant)));
                }
                if other == Some(name) {
                    let service = if env == Env::Real { "paper" } else { "real" };
                    return Err(err(
                        kind,
                        None,
                        format!(
                            "{name} is the {service} service's TR of {} ({variant}); this client \
                             is not on that service{}",
                            validate::endpoint_name(info),
                            ours.map_or(String::new(), |o| format!(" (its TR here is {o})"))
                        ),
                    ));
                }
            }
        }
    }
    Err(unknown(format!("no endpoint `{name}` ({how})")))
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
    let (info, named_variant) = resolve(endpoint, env)?;
    let variant = match (variant, named_variant) {
        ("", Some(v)) => v,
        (v, Some(named)) if v != named => {
            return Err(err(
                ErrorKind::UnknownVariant,
                None,
                format!(
                    "{endpoint} is variant `{named}` of {}, not `{v}`",
                    validate::endpoint_name(info)
                ),
            ));
        }
        (v, _) => v,
    };
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
    // Parameter names as the spec spells them (KIS reads them without regard to case); a
    // JSON number for a numeric field is taken as its text (KIS sends every value as text).
    let mut full = Map::new();
    for (k, v) in params {
        let meta = info.fields.iter().find(|m| m.wire.eq_ignore_ascii_case(k));
        let name = meta.map_or(k.as_str(), |m| m.wire);
        let v = match (meta.map(|m| m.kind), v) {
            (Some(kind @ (FieldKind::Integer | FieldKind::Decimal)), Value::Number(n)) => {
                Value::String(number_text(name, kind, n)?)
            }
            _ => v.clone(),
        };
        full.insert(name.to_owned(), v);
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
    validate::validate_for(info, tr_id, &full, true)?;
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

/// The wire text of a JSON number given for a numeric field: a whole number for an integer
/// field, the number's shortest decimal text for a decimal one (checked as text afterwards).
fn number_text(field: &str, kind: FieldKind, n: &serde_json::Number) -> Result<String, NamedError> {
    let whole = n
        .as_u64()
        .map(|u| u.to_string())
        .or_else(|| n.as_i64().map(|i| i.to_string()));
    match (kind, whole) {
        (_, Some(text)) => Ok(text),
        (FieldKind::Integer, None) => Err(err(
            ErrorKind::InvalidRequest,
            Some(field),
            format!("{field}: `{n}` is not a whole number"),
        )),
        (_, None) => {
            // A float: its text as serde_json writes it, without an exponent where possible.
            let f = n.as_f64().unwrap_or(f64::NAN);
            let text = rust_decimal::Decimal::from_f64_retain(f)
                .map(|d| d.normalize().to_string())
                .unwrap_or_else(|| n.to_string());
            Ok(text)
        }
    }
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

    /// Every page of a by-name inquiry, run by the same paging machine as
    /// [`crate::Client::pages`]: each request is built and validated like [`build`] with the
    /// continuation the previous page gave (and `tr_cont` `N`), and the stream ends after the
    /// last page or the first error (`SYDB0050`, a continuation that does not advance,
    /// [`crate::Error::PagingLimit`]). POST endpoints (orders) are refused: paging applies to
    /// inquiries only. An endpoint that does not page yields one answer.
    ///
    /// ```no_run
    /// # async fn demo(client: kis_client::Client) -> Result<(), kis_client::Error> {
    /// use futures::StreamExt as _;
    /// let params = serde_json::json!({"INQR_STRT_DT": "20261201", "INQR_END_DT": "20261204",
    ///     "SLL_BUY_DVSN_CD": "00", "CCLD_DVSN": "00", "INQR_DVSN": "00", "INQR_DVSN_3": "00"});
    /// let params = params.as_object().unwrap().clone();
    /// let mut pages = std::pin::pin!(client.pages_named("domestic_stock/inquire_daily_ccld", "within_3m", params));
    /// while let Some(page) = pages.next().await {
    ///     println!("{} bytes", page?.body.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn pages_named(
        &self,
        endpoint: &str,
        variant: &str,
        params: Map<String, Value>,
    ) -> impl futures::Stream<Item = Result<crate::RawResponse, crate::Error>> + Send + 'static
    {
        let c = self.config();
        let (info, error) = match resolve(endpoint, c.env) {
            Ok((info, _)) => (Some(info), None),
            Err(e) => (None, Some(crate::Error::Named(e))),
        };
        let scan = info.map(|i| crate::paging::Scan::new(i.id, i.paging, c.max_pages, false));
        let state = (
            self.clone(),
            endpoint.to_owned(),
            variant.to_owned(),
            params,
            (info, error),
            scan,
        );
        futures::stream::unfold(
            state,
            |(client, endpoint, variant, params, (info, error), scan)| async move {
                // A name that resolves to nothing is reported once, then the stream ends.
                if let Some(e) = error {
                    return Some((
                        Err(e),
                        (client, endpoint, variant, params, (None, None), None),
                    ));
                }
                let info = info?;
                let mut scan = scan?;
                if info.method == crate::endpoint::HttpMethod::Post {
                    let e = crate::Error::InvalidRequest(format!(
                        "{}: paging applies to inquiries (GET) only, never to orders",
                        info.id
                    ));
                    return Some((
                        Err(e),
                        (client, endpoint, variant, params, (Some(info), None), None),
                    ));
                }
                let tr_cont = match scan.step() {
                    crate::paging::Step::Send(t) => t.to_owned(),
                    crate::paging::Step::Stop(
                        None | Some(crate::Incomplete::Unreachable { .. }),
                    ) => {
                        return None;
                    }
                    crate::paging::Step::Stop(Some(crate::Incomplete::MaxPages { max_pages })) => {
                        let e = crate::Error::PagingLimit {
                            endpoint: info.id,
                            max_pages,
                        };
                        return Some((
                            Err(e),
                            (client, endpoint, variant, params, (Some(info), None), None),
                        ));
                    }
                    crate::paging::Step::Stop(Some(crate::Incomplete::Failed(e))) => {
                        return Some((
                            Err(e),
                            (client, endpoint, variant, params, (Some(info), None), None),
                        ));
                    }
                };
                // The continuation: first-call companions fill only blanks; the server's keys win.
                let mut page_params = params.clone();
                for o in scan.overrides() {
                    let blank = page_params
                        .get(o.field)
                        .is_none_or(|x| x.as_str().is_some_and(str::is_empty));
                    if !o.if_empty || blank {
                        page_params.insert(o.field.to_owned(), Value::String(o.value.clone()));
                    }
                }
                let c = client.config();
                let item = match build(&endpoint, &variant, c.env, c.account.as_ref(), &page_params)
                {
                    Err(e) => Err(crate::Error::Named(e)),
                    Ok(mut raw) => {
                        raw.tr_cont = tr_cont;
                        match client.send_raw(raw).await {
                            Ok(resp) => {
                                scan.received(&resp.tr_cont, &resp.body);
                                Ok(resp)
                            }
                            Err(e) => Err(e),
                        }
                    }
                };
                let scan = match &item {
                    Ok(_) => Some(scan),
                    Err(_) => None,
                };
                Some((
                    item,
                    (client, endpoint, variant, params, (Some(info), None), scan),
                ))
            },
        )
    }
}
