//! The contract every generated endpoint implements, and the static facts it carries.
//!
//! Generated code (`src/api/`) implements [`Endpoint`] for each request type; the hand-written
//! runtime sends any `Endpoint` through one non-generic transport core.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Which KIS service a client talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Env {
    /// The real service (`prod`): real money.
    Real,
    /// The paper (mock trading) service (`vps`).
    Paper,
}

/// HTTP method of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    /// Parameters go in the query string.
    Get,
    /// Parameters go in a JSON body.
    Post,
}

/// Continuation keys of a paging endpoint: request parameter `i` is filled from response field
/// `i` of the previous page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PagingKeys {
    /// Request parameters (e.g. `CTX_AREA_FK100`, `CTX_AREA_NK100`).
    pub request: &'static [&'static str],
    /// Response fields (e.g. `ctx_area_fk100`, `ctx_area_nk100`).
    pub response: &'static [&'static str],
}

/// Static facts about one endpoint, from its spec file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointInfo {
    /// Spec id (e.g. `inquire_price`).
    pub id: &'static str,
    /// Spec category (e.g. `domestic_stock`).
    pub category: &'static str,
    /// KIS API ID (e.g. `v1_국내주식-008`).
    pub api_id: &'static str,
    /// Korean API name.
    pub name: &'static str,
    /// HTTP method.
    pub method: HttpMethod,
    /// URL path.
    pub path: &'static str,
    /// Continuation keys, when the endpoint pages.
    pub paging: Option<PagingKeys>,
    /// The request parameters (query or body) as KIS checks them, in spec order; the
    /// validator's table.
    pub fields: &'static [crate::__private::FieldMeta],
    /// Every TR ID variant: its spec name (`default`, `buy`, `sell`, ...) and TR IDs.
    pub variants: &'static [(&'static str, TrIds)],
}

/// The TR IDs of the variant a request was built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrIds {
    /// TR ID on the real service, if the variant exists there.
    pub real: Option<&'static str>,
    /// TR ID on the paper service, if paper supports the variant.
    pub paper: Option<&'static str>,
}

impl TrIds {
    /// The TR ID for `env`, or `None` when the endpoint is not available there.
    pub fn for_env(&self, env: Env) -> Option<&'static str> {
        match env {
            Env::Real => self.real,
            Env::Paper => self.paper,
        }
    }
}

/// A typed request for one KIS REST endpoint.
///
/// Implemented by generated code only. `Serialize` writes the query parameters (GET) or body
/// (POST) with KIS's exact wire names.
pub trait Endpoint: Serialize {
    /// The typed response body.
    type Response: DeserializeOwned + Send + 'static;

    /// Static facts from the spec.
    const INFO: &'static EndpointInfo;

    /// TR IDs of the variant this request was built for.
    fn tr_ids(&self) -> TrIds;

    /// Fills empty account fields (`CANO`/`ACNT_PRDT_CD` and the like) from the configured
    /// account. Endpoints without account fields do nothing.
    fn fill_account(&mut self, _cano: &str, _product_code: &str) {}

    /// Sets the continuation parameters (in [`PagingKeys::request`] order) for the next page.
    /// Endpoints that do not page do nothing.
    fn set_continuation(&mut self, _keys: &[String]) {}
}

/// A typed response body of a paging endpoint.
pub trait PagedResponse {
    /// The continuation values of this page, in [`PagingKeys::response`] order.
    fn continuation(&self) -> Vec<String>;
}
