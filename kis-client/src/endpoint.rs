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

/// How a paging endpoint continues, from its spec: [`crate::Client::pages`] and
/// [`crate::Client::rows`] run one state machine over this data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PagingSpec {
    /// The continuation scheme.
    pub scheme: PagingScheme,
    /// Request parameters filled for the next page (e.g. `CTX_AREA_FK100`, `INDEX_KEY`).
    pub request: &'static [&'static str],
    /// Where each comes from in the previous page's body: `ctx_area_fk100` (top level),
    /// `output1.index_key` (a block's first record), `output2[-1].stck_bsop_date` (its last
    /// record); `a+b` joins two fields of that record.
    pub response: &'static [&'static str],
    /// `(parameter, first-call value, continuation value)`, e.g. `("QRY_TP", "Q", "P")`.
    pub next: &'static [(&'static str, &'static str, &'static str)],
    /// What tells the last page.
    pub end: PagingEnd,
    /// The block whose rows repeat across pages.
    pub rows: Option<&'static str>,
    /// Rows per page, when KIS states it.
    pub page_size: Option<u32>,
}

/// A KIS continuation scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PagingScheme {
    /// `CTX_AREA_FK*`/`CTX_AREA_NK*` echoed from the body; `tr_cont` `F`/`M` → `N`.
    CtxArea,
    /// One key (`CTS`, `KEYB`, `CTS_KEY`, `INDEX_KEY`) echoed from the body.
    Key,
    /// A cursor from the last row (date, time): the next page ends where this one did.
    Cursor,
    /// The `tr_cont` header alone.
    TrCont,
    /// KIS says the endpoint cannot page: one call.
    None,
}

/// What tells the last page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PagingEnd {
    /// The response `tr_cont` header: `F`/`M` more, anything else last.
    TrCont,
    /// An empty continuation key.
    Key,
    /// A page without new rows, or a cursor that did not move.
    Rows,
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
    /// How the endpoint pages, when it has continuation keys or pages by `tr_cont`.
    pub paging: Option<PagingSpec>,
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
}

/// A typed response body of a paging endpoint (implemented by generated code for every
/// endpoint with a [`PagingSpec`]).
pub trait PagedResponse {
    /// A record of the block whose rows repeat across pages ([`PagingSpec::rows`]).
    type Row;
    /// Moves the repeated block's rows out, leaving the summary blocks.
    fn take_rows(&mut self) -> Vec<Self::Row>;
}
