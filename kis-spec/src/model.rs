//! The spec model: one [`ApiSpec`] per KIS endpoint, as stored in `spec/<category>/<id>.yaml`.
//!
//! Every type here is plain data. Field order in the structs is the order in the YAML files, and
//! empty collections and `None`s are omitted, so files stay short and diffs stay readable.

use serde::{Deserialize, Serialize};

/// One KIS endpoint: a REST call or a realtime (websocket) TR.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiSpec {
    /// Stable identifier, snake_case, unique within the category (e.g. `inquire_price`; for
    /// realtime TRs the lower-cased TR ID, e.g. `h0stcnt0`).
    pub id: String,
    /// Category folder (e.g. `domestic_stock`, `realtime_domestic_stock`, `oauth`).
    pub category: String,
    /// REST call or realtime TR.
    pub kind: ApiKind,
    /// Korean API name from the workbook (`API 명`).
    pub name: String,
    /// Menu location from the workbook (`메뉴 위치`), e.g. `[국내주식] 주문/계좌`.
    pub menu: String,
    /// KIS API ID (e.g. `v1_국내주식-008`).
    pub api_id: String,
    /// Row number in the workbook's index sheet (`순번`); used only for reporting. The importer
    /// leaves it 0 (omitted from the file): rows shift between workbook editions, and a new
    /// edition must change only the files of the APIs that changed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub seq: u32,
    /// HTTP method.
    pub method: Method,
    /// URL path (e.g. `/uapi/domestic-stock/v1/quotations/inquire-price`, `/tryitout/H0STCNT0`).
    pub path: String,
    /// The sheet's overview (`개요`), quoted from the workbook (line endings normalized to `\n`,
    /// outer whitespace trimmed): page sizes, paper caveats, deprecations, row-order rules.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub overview: String,
    /// TR IDs per variant and environment.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<TrVariant>,
    /// Misprinted TR IDs in this API's sheet and what they stand for (curated patches).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tr_misprints: Vec<TrMisprint>,
    /// Request layout.
    #[serde(default)]
    pub request: Request,
    /// Response layout.
    #[serde(default)]
    pub response: Response,
    /// Continuation paging, when the endpoint pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging: Option<Paging>,
    /// Realtime facts, for websocket TRs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realtime: Option<Realtime>,
    /// The workbook's examples, stored as data files next to the spec file.
    #[serde(default, skip_serializing_if = "Examples::is_empty")]
    pub examples: Examples,
}

/// REST call or realtime TR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiKind {
    /// A REST endpoint (`/uapi/...`, `/oauth2/...`).
    Rest,
    /// A realtime websocket TR (`/tryitout/<TR_ID>`).
    Realtime,
}

/// HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// `GET`: parameters in the query string.
    Get,
    /// `POST`: parameters in a JSON body.
    Post,
}

/// One way of calling an endpoint, with its TR ID in each environment.
///
/// Most endpoints have exactly one variant named `default`. Some choose the TR ID by an
/// argument: sell/buy, old/new, day/night, within/before three months, US/Asia.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrVariant {
    /// ASCII snake_case name (`default`, `sell`, `buy`, `old`, `new`, `us_buy`, ...).
    pub name: String,
    /// Korean label from the workbook (e.g. `매도`); empty for `default`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// TR ID on the real service; `None` when the variant does not exist there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub real: Option<String>,
    /// TR ID on the paper (mock trading) service; `None` when paper does not support it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paper: Option<String>,
    /// KIS has replaced this variant by a sibling (the `(구)` of a `(구)`/`(신)` pair, e.g. the
    /// old night-futures TRs). Kept so existing callers work; new code should not use it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deprecated: bool,
    /// Old TR IDs this variant's current ones replaced (`(구)TTTC0801U → (신)TTTC0011U`): KIS
    /// may still accept them for a while, so lookups by TR ID accept them too, but requests
    /// always send the current ID.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<TrAlias>,
}

/// An old TR ID that a variant's current TR ID replaced (a deprecated alias).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrAlias {
    /// The old TR ID (`TTTC0801U`).
    pub tr_id: String,
    /// The environment it was used in; the variant's TR ID there replaced it.
    pub env: TrEnv,
}

/// Which KIS service a TR ID belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrEnv {
    /// The real service.
    Real,
    /// The paper (mock trading) service.
    Paper,
}

impl TrEnv {
    /// `real` or `paper`, as the spec files spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            TrEnv::Real => "real",
            TrEnv::Paper => "paper",
        }
    }
}

impl TrVariant {
    /// The variant's current TR ID in `env`.
    pub fn tr_id(&self, env: TrEnv) -> Option<&str> {
        match env {
            TrEnv::Real => self.real.as_deref(),
            TrEnv::Paper => self.paper.as_deref(),
        }
    }

    /// Whether `tr_id` names this variant in `env`: its current TR ID or a deprecated alias.
    pub fn answers_to(&self, tr_id: &str, env: TrEnv) -> bool {
        self.tr_id(env) == Some(tr_id)
            || self
                .aliases
                .iter()
                .any(|a| a.env == env && a.tr_id == tr_id)
    }
}

/// A TR-ID-shaped token in the workbook's text that names no TR (a truncated or mistyped TR ID),
/// settled by a curated patch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrMisprint {
    /// The token as the workbook prints it (`TTC0012U`).
    pub text: String,
    /// The TR ID it stands for (`TTTC0012U`), one of this endpoint's current TR IDs.
    pub means: String,
    /// Why (from the patch).
    pub note: String,
}

/// Request layout.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// Request headers (`content-type`, `authorization`, `tr_id`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub header: Vec<Field>,
    /// Query parameters (GET).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query: Vec<Field>,
    /// JSON body fields (POST). Nested objects/arrays carry their own `fields`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub body: Vec<Field>,
}

/// Response layout.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    /// Response headers (`tr_id`, `tr_cont`, `gt_uid`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub header: Vec<Field>,
    /// Body fields in workbook order. Blocks (`output`, `output1`, ...) are fields of kind
    /// `object` or `array` whose `fields` hold the block's columns. For realtime TRs this is
    /// the column layout of a data record, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub body: Vec<Field>,
}

/// One field of a request, response or realtime record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Wire name exactly as KIS uses it (`CANO`, `stck_prpr`, `MKSC_SHRN_ISCD`).
    pub name: String,
    /// Korean label (`한글명`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// Wire type as the workbook gives it (`string`, `number`, `object`, `array`, `object array`).
    #[serde(rename = "type")]
    pub wire_type: String,
    /// Typed value kind: inferred by the importer, overridable by patches. Codegen maps it to a
    /// Rust type; kis-mock synthesizes values from it.
    pub kind: Kind,
    /// Whether `Debug` output must hide the value (secrets fully, account numbers masked).
    /// The importer sets it from the wire name ([`Sensitive::of`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<Sensitive>,
    /// Whether the workbook marks the field required (`Y`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// Whether KIS accepts an empty value although the field is marked required (request fields
    /// the workbook describes as blank-able: `공란`, `공백`, `Null 값 설정`, a blank in the
    /// request example, continuation keys). Omitted when false.
    #[serde(default, skip_serializing_if = "is_false")]
    pub blank: bool,
    /// Maximum length as the workbook gives it, normalized (`19`, `8.2` for 8 digits with 2
    /// decimals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<String>,
    /// Code list (`J: KRX`, `NX: NXT`, `UN: 통합`) when the workbook gives one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<Code>,
    /// The workbook's description of the field, quoted (line endings normalized to `\n`,
    /// outer whitespace trimmed; empty when the workbook gives none). Data, not prose of ours:
    /// page sizes, caveats and code lists as KIS wrote them.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Children of an `object`/`array` field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
}

impl Field {
    /// True for `object` and `array` fields (response blocks, nested request arrays).
    pub fn is_block(&self) -> bool {
        matches!(self.kind, Kind::Object | Kind::Array)
    }
}

/// A field whose value must never be printed in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sensitive {
    /// App key or secret, access token, approval key, account password: hidden entirely.
    Secret,
    /// An account number: shown masked (`1234****`, `1234****-01`).
    Account,
    /// A login or customer identifier (HTS ID, customer ID, user ID): shown masked (`ab****`).
    Id,
    /// A person's name (account holder, 계좌명): shown masked (`김**`).
    Name,
}

impl Sensitive {
    /// The rule the importer applies, by wire name (case-insensitive).
    pub fn of(name: &str) -> Option<Sensitive> {
        const SECRET: &[&str] = &[
            "appkey",
            "appsecret",
            "secretkey",
            "access_token",
            "approval_key",
            "authorization",
            "personalseckey",
            "token",
            "acnt_pwd",
            // 고객실명확인번호: the customer's real-name verification number.
            "cust_rncno25",
        ];
        const ACCOUNT: &[&str] = &["cano", "acnt_no"];
        // HTS ID (고객 ID, 사용자 ID, 유저ID).
        const ID: &[&str] = &["cust_id", "user_id", "hts_id", "htsid"];
        // The account holder's name (계좌명, 종합계좌명).
        const NAME: &[&str] = &["acnt_name", "csac_name", "cust_name"];
        let n = name.to_ascii_lowercase();
        let n = n.as_str();
        if SECRET.contains(&n) {
            Some(Sensitive::Secret)
        } else if ACCOUNT.contains(&n) {
            Some(Sensitive::Account)
        } else if ID.contains(&n) {
            Some(Sensitive::Id)
        } else if NAME.contains(&n) {
            Some(Sensitive::Name)
        } else {
            None
        }
    }
}

/// Typed value kind of a field. KIS sends every value as a string; this says how to read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Free text or an identifier (codes without a list, names, account numbers).
    String,
    /// A whole number, possibly signed (quantities, counts, prices in KRW).
    Integer,
    /// A decimal number (rates, prices with fractions, amounts that may carry decimals).
    Decimal,
    /// A date `YYYYMMDD`.
    Date,
    /// A time of day `HHMMSS`.
    Time,
    /// A `Y`/`N` flag.
    Flag,
    /// A value from the field's `codes` list.
    Code,
    /// An object block (one record).
    Object,
    /// An array block (a list of records).
    Array,
}

/// One entry of a code list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Code {
    /// The code as sent on the wire (`J`, `00`, `01`).
    pub code: String,
    /// Its Korean (or English) meaning (`KRX`, `지정가`).
    pub label: String,
    /// Set when KIS stopped accepting this code in requests after the workbook was published
    /// (curated in `spec/patches/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired: Option<Retired>,
}

/// A code KIS refuses since a known date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retired {
    /// The date KIS started refusing it (`YYYY-MM-DD`).
    pub since: String,
    /// The refusal KIS answers with (`OPSQ2001 INVALID_CHECK_INQR_DVSN`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub refusal: String,
    /// Where the fact comes from.
    pub source: String,
}

/// How an endpoint pages: the scheme, the keys echoed from one page into the next request, the
/// fixed companions of a continuation call, how the end shows, and which block repeats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paging {
    /// The continuation scheme.
    #[serde(default)]
    pub scheme: PagingScheme,
    /// Request parameters carrying the continuation (e.g. `CTX_AREA_FK100`, `INDEX_KEY`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub request: Vec<String>,
    /// Where request key `i` comes from in the previous page: a top-level body field
    /// (`ctx_area_fk100`), a field of a block's first record (`output1.index_key`), or of its
    /// last record (`output2[-1].stck_bsop_date`); `a+b` joins two fields of that record.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub response: Vec<String>,
    /// Request parameters set to a fixed value on every continuation call (`QRY_TP` `Q` → `P`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub next: Vec<PagingSet>,
    /// What tells the last page.
    #[serde(default)]
    pub end: PagingEnd,
    /// The block whose rows repeat across pages (the others are the summary).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<String>,
    /// Rows per page, when the workbook states it (the real service's figure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
    /// The workbook's words the scheme was read from (or why the endpoint does not page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A continuation scheme of KIS.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PagingScheme {
    /// `CTX_AREA_FK*`/`CTX_AREA_NK*` echoed from the body, `tr_cont` `F`/`M` → `N`.
    #[default]
    CtxArea,
    /// One key (`CTS`, `KEYB`, `CTS_KEY`, `INDEX_KEY`, ...) echoed from the body.
    Key,
    /// A cursor built from the last row (a date, a time): the next page ends where this began.
    Cursor,
    /// The `tr_cont` header alone: the same request again with `N`.
    TrCont,
    /// KIS says the endpoint cannot page: one call, one page.
    None,
}

/// A request parameter set on continuation calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagingSet {
    /// The request parameter (e.g. `QRY_TP`).
    pub field: String,
    /// Its value on the first call (e.g. `Q`); empty for blank.
    #[serde(default)]
    pub first: String,
    /// Its value on every continuation call (e.g. `P`).
    pub value: String,
}

/// What tells the last page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PagingEnd {
    /// The response `tr_cont` header: `F`/`M` more follow, `D`/`E` (or none) last.
    #[default]
    TrCont,
    /// The continuation key: an empty key (or one that did not move) is the last page.
    Key,
    /// A page without rows, or a cursor that did not move.
    Rows,
}

/// Facts of a realtime TR.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Realtime {
    /// The TR ID as sent in `body.input.tr_id`.
    pub tr_id: String,
    /// Korean label of the subscription key (`tr_key`), e.g. `종목코드` or `HTS ID`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tr_key_label: String,
    /// Whether data frames of this TR are AES-256-CBC encrypted (execution notices).
    #[serde(default, skip_serializing_if = "is_false")]
    pub encrypted: bool,
}

/// The workbook's examples for one endpoint, stored as files beside the spec file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// The request example.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<Example>,
    /// The response example.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Example>,
}

impl Examples {
    /// True when neither example exists.
    pub fn is_empty(&self) -> bool {
        self.request.is_none() && self.response.is_none()
    }
}

/// One stored example file and what the importer made of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// File name, relative to the spec file's folder (e.g. `inquire_price.response.json`).
    pub file: String,
    /// Whether the file is valid JSON as stored.
    pub status: ExampleStatus,
    /// What was repaired, or why it is invalid.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// What the importer made of an example.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExampleStatus {
    /// Valid JSON as the workbook gives it.
    Valid,
    /// Repaired unambiguously (the note says how); the file holds valid JSON.
    Repaired,
    /// Not valid JSON and not repairable without guessing; stored verbatim as text.
    Invalid,
    /// Not JSON by nature (realtime frames, Python snippets); stored verbatim as text.
    Text,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Curated English names of code lists (`spec/patches/names/codes.yaml`): one shared enum per
/// entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CodeNames(pub Vec<CodeListName>);

/// One curated code list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeListName {
    /// Rust enum name (`OrderType`).
    pub name: String,
    /// One line of documentation.
    #[serde(default)]
    pub doc: String,
    /// Wire names of the fields it applies to (when their codes are a subset of `codes`).
    pub fields: Vec<String>,
    /// `[Variant, code]` or `[Variant, code, keyword]`: with a keyword, a field matches only
    /// when its label of that code contains the keyword (so `0: 전체, 1: 보통주` is not `CallPut`).
    pub codes: Vec<Vec<String>>,
}

/// English names of code-list variants (`spec/patches/names/code_variants.yaml`): the code's
/// Korean label, exactly as the spec gives it (trimmed), to a PascalCase Rust variant name
/// (`유상감자대금입금` → `PaidCapitalReductionDeposit`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VariantNames(pub std::collections::BTreeMap<String, String>);
