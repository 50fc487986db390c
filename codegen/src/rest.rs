//! REST endpoints: one file per spec with `<Id>Request` (implementing `Endpoint`),
//! `<Id>Response` and its blocks, plus the category modules and the decode dispatch table.

use crate::doc::{self, esc};
use crate::names::{Case, Scope, sanitize};
use crate::types::Module;
use crate::{CLIENT_API_DIR, by_category, feature_for, fill, lit};
use askama::Template;
use kis_spec::{ApiSpec, Field, Kind, Method, Sensitive};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Wire names of the account number field (8 digits), filled from the configured account.
const ACCOUNT_FIELDS: &[&str] = &["CANO"];
/// Wire names of the account product code field (2 digits), filled from the configured account.
const PRODUCT_FIELDS: &[&str] = &["ACNT_PRDT_CD"];
/// Top-level response fields every KIS body carries, added when the spec omits them.
const COMMON_RESPONSE: &[(&str, &str)] = &[
    ("rt_cd", "성공 실패 여부 (`0` = success)"),
    ("msg_cd", "응답코드"),
    ("msg1", "응답메세지"),
];

/// `kis-client/src/api/mod.rs`: the category modules and the decode dispatch over their tables.
#[derive(Template)]
#[template(path = "rest_registry.rs.askama", escape = "none")]
struct Registry {
    categories: Vec<CategoryName>,
}

struct CategoryName {
    name: String,
    /// The Cargo feature gating the category, as a Rust literal.
    feature: String,
}

/// The category the hand-written runtime itself uses (tokens, approval keys), compiled whatever
/// the features.
const ALWAYS_BUILT: &str = "oauth";

/// `kis-client/src/api/<category>/mod.rs`: the endpoint modules, re-exports and decode table.
#[derive(Template)]
#[template(path = "rest_category.rs.askama", escape = "none")]
struct CategoryFile<'a> {
    category: &'a str,
    category_lit: String,
    feature: String,
    endpoints: Vec<EndpointName>,
}

struct EndpointName {
    module: String,
    ty: String,
    id_lit: String,
    path_lit: String,
    /// Every TR ID of the endpoint (sorted) as comma-separated literals.
    tr_lits: String,
}

pub fn render_tree(
    specs: &[&ApiSpec],
    book: &crate::codes::CodeBook,
    tr: &crate::words::Translator<'_>,
    out: &mut BTreeMap<PathBuf, String>,
) {
    let root = PathBuf::from(CLIENT_API_DIR);
    let cats = by_category(specs);
    let registry = Registry {
        categories: cats
            .keys()
            .map(|cat| CategoryName {
                name: (*cat).to_owned(),
                // The runtime's auth phase uses the oauth types: that category is always built.
                feature: if *cat == ALWAYS_BUILT {
                    String::new()
                } else {
                    lit(&feature_for(cat))
                },
            })
            .collect(),
    };
    out.insert(root.join("mod.rs"), fill(&registry));

    for (cat, list) in &cats {
        let mut endpoints = Vec::new();
        for s in list {
            let module = sanitize(&s.id, Case::Snake, "endpoint");
            let ty = sanitize(&s.id, Case::Pascal, "Endpoint");
            let mut trs = BTreeSet::new();
            for v in &s.variants {
                trs.extend(v.real.iter().chain(v.paper.iter()).cloned());
                // Old TR IDs still name the endpoint in captured traffic.
                trs.extend(v.aliases.iter().map(|a| a.tr_id.clone()));
            }
            out.insert(
                root.join(cat).join(format!("{module}.rs")),
                endpoint_file(s, &ty, book, tr),
            );
            endpoints.push(EndpointName {
                module,
                ty,
                id_lit: lit(&s.id),
                path_lit: lit(&s.path),
                tr_lits: trs.iter().map(|t| lit(t)).collect::<Vec<_>>().join(", "),
            });
        }
        let file = CategoryFile {
            category: cat,
            category_lit: lit(cat),
            feature: feature_for(cat),
            endpoints,
        };
        out.insert(root.join(cat).join("mod.rs"), fill(&file));
    }
}

fn tr_doc(s: &ApiSpec) -> Vec<String> {
    let mut v = Vec::new();
    if s.variants.is_empty() {
        v.push("TR IDs: none (this endpoint takes no `tr_id`).".to_owned());
    }
    for var in &s.variants {
        let who = if var.name == "default" && var.label.is_empty() {
            "TR ID".to_owned()
        } else {
            format!("TR ID for `{}` ({})", var.name, esc(&var.label))
        };
        let show = |t: &Option<String>| {
            t.as_ref()
                .map_or("not available".to_owned(), |t| format!("`{t}`"))
        };
        v.push(format!(
            "- {who}: real {}, paper {}.{}",
            show(&var.real),
            show(&var.paper),
            lineage(s, var)
        ));
    }
    v
}

/// What a variant replaced or was replaced by, for its doc line (empty, or starting with a
/// space): `Replaces (구) `TTTC0801U` (real) ...`, `Deprecated: ...`.
fn lineage(s: &ApiSpec, var: &kis_spec::TrVariant) -> String {
    let mut out = String::new();
    if !var.aliases.is_empty() {
        let old: Vec<String> = var
            .aliases
            .iter()
            .map(|a| format!("`{}` ({})", a.tr_id, a.env.as_str()))
            .collect();
        out.push_str(&format!(
            " Replaces (구) {}: alias (deprecated), accepted when decoding captured traffic; requests send the current ID.",
            old.join(", ")
        ));
    }
    if var.deprecated {
        out.push_str(&format!(" **Deprecated**: {}.", successor(s, var)));
    }
    out
}

/// Who replaced a deprecated variant, in words.
fn successor(s: &ApiSpec, var: &kis_spec::TrVariant) -> String {
    let stem = var.name.strip_suffix("old").unwrap_or(&var.name);
    match s.variants.iter().find(|v| v.name == format!("{stem}new")) {
        Some(new) => format!(
            "KIS replaced this (구) TR by variant `{}` ({})",
            new.name,
            [new.real.as_deref(), new.paper.as_deref()]
                .into_iter()
                .flatten()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => "KIS replaced this (구) TR".to_owned(),
    }
}

struct ReqField<'a> {
    f: &'a Field,
    ident: String,
    account: bool,
    product: bool,
}

/// `kis-client/src/api/<category>/<id>.rs`: request, its `Endpoint` impl, response types.
#[derive(Template)]
#[template(path = "rest_endpoint.rs.askama", escape = "none")]
struct EndpointFile<'a> {
    category: &'a str,
    id: &'a str,
    /// Doc-escaped spec name.
    name: String,
    api_id: String,
    method: &'static str,
    path: &'a str,
    /// Doc-escaped menu path.
    menu: String,
    /// Whether paper trading is `supported`.
    paper: &'static str,
    /// One sentence on how the endpoint pages.
    paged: Option<String>,
    /// The TR ID lines of the module doc.
    tr_doc: Vec<String>,
    /// The request struct's doc comment, `///` lines.
    req_doc: String,
    req: String,
    /// `req` as a Rust literal, for `Debug`.
    req_lit: String,
    resp: String,
    var_ty: String,
    /// Whether the request has more than one TR ID variant (a constructor per variant).
    multi: bool,
    fields: Vec<RequestField>,
    variants: Vec<VariantView>,
    /// The required parameters of every constructor.
    params: String,
    /// The constructors' field initializers.
    init: Vec<Init>,
    /// The doc comment of `new` (single variant).
    new_doc: String,
    default_impl: bool,
    info: Info,
    /// The `TrIds` expression of a single-variant request.
    tr_ids: String,
    account: Vec<AccountFill>,
    /// The response struct and its blocks.
    response: String,
    /// The repeated block of a paged response.
    paged_rows: Option<PagedRows>,
    /// The code-list enums the file uses.
    enums: String,
    /// The validation table rows.
    field_meta: Vec<String>,
}

/// `PagedResponse` of a paged response: the row type and how the rows are taken out.
struct PagedRows {
    row: String,
    take: String,
}

/// One doc sentence on how an endpoint pages.
fn paging_doc(p: &kis_spec::Paging) -> String {
    use kis_spec::PagingScheme as S;
    let keys = |v: &[String]| {
        v.iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let rows = p
        .rows
        .as_deref()
        .map_or(String::new(), |r| format!("; rows repeat in `{r}`"));
    let size = p
        .page_size
        .map_or(String::new(), |n| format!(", up to {n} per page"));
    let how = match p.scheme {
        S::CtxArea | S::Key => format!(
            "Pages by continuation keys ({} from {})",
            keys(&p.request),
            keys(&p.response)
        ),
        S::Cursor => format!(
            "Pages by a cursor from the last row ({} from {})",
            keys(&p.request),
            keys(&p.response)
        ),
        S::TrCont => "Pages by the `tr_cont` header alone".to_owned(),
        S::None => {
            return format!(
                "Does not page: KIS says so ({}); `rows()` makes one call.",
                esc(p.note.as_deref().unwrap_or("no continuation"))
            );
        }
    };
    format!("{how}{rows}{size}.")
}

/// The `PagingSpec` expression of a spec's `paging`.
fn paging_spec(p: &kis_spec::Paging) -> String {
    let list = |v: &[String]| v.iter().map(|k| lit(k)).collect::<Vec<_>>().join(", ");
    let next: Vec<String> = p
        .next
        .iter()
        .map(|s| format!("({}, {}, {})", lit(&s.field), lit(&s.first), lit(&s.value)))
        .collect();
    format!(
        "Some(crate::endpoint::PagingSpec {{ scheme: crate::endpoint::PagingScheme::{:?}, request: &[{}], response: &[{}], next: &[{}], end: crate::endpoint::PagingEnd::{:?}, rows: {}, page_size: {} }})",
        p.scheme,
        list(&p.request),
        list(&p.response),
        next.join(", "),
        p.end,
        p.rows
            .as_deref()
            .map_or("None".to_owned(), |r| format!("Some({})", lit(r))),
        p.page_size
            .map_or("None".to_owned(), |n| format!("Some({n})")),
    )
}

struct RequestField {
    /// The field's doc comment, indented `///` lines.
    doc: String,
    ident: String,
    ident_lit: String,
    /// Wire name as a Rust literal.
    wire: String,
    /// Whether the field holds a JSON block rather than a string.
    block: bool,
    /// How `Debug` masks it: `Secret`, `Account` (a `Masked` variant), or empty (shown).
    redact: &'static str,
    setter: String,
    setter_doc: String,
    /// The setter's argument type.
    param: String,
    /// The setter's conversion of `value` to the wire string.
    wire_value: String,
}

struct VariantView {
    /// The enum variant's doc comment.
    doc: String,
    ident: String,
    ctor: String,
    ctor_doc: String,
    /// Its `TrIds` expression.
    tr_ids: String,
}

struct Init {
    ident: String,
    value: String,
}

/// `EndpointInfo` values as Rust expressions.
struct Info {
    id: String,
    category: String,
    api_id: String,
    name: String,
    method: &'static str,
    path: String,
    paging: String,
    /// `(name, TrIds)` expressions of every variant.
    variants: Vec<String>,
}

/// How a request field is typed in constructors and setters.
struct Typed {
    /// Argument type (`u64`, `v::Decimal`, `crate::api::codes::OrderType`, `impl Into<String>`).
    param: String,
    /// Conversion to the stored wire string, `{}` standing for the argument.
    conv: &'static str,
    /// The wire value a constructor fills in (a fixed or default code), so it is no argument.
    default: Option<String>,
}

impl Typed {
    fn wire(&self, arg: &str) -> String {
        self.conv.replace("{}", arg)
    }
}

/// The Rust type of a request field, from its kind.
fn typed(f: &Field, book: &crate::codes::CodeBook) -> Typed {
    let t = |param: &str, conv: &'static str| Typed {
        param: param.to_owned(),
        conv,
        default: None,
    };
    if f.is_block() {
        return t("serde_json::Value", "{}");
    }
    match f.kind {
        Kind::Integer => t("u64", "p::int({})"),
        Kind::Decimal => t("v::Decimal", "p::decimal({})"),
        Kind::Date => t("v::NaiveDate", "p::date({})"),
        Kind::Time => t("v::NaiveTime", "p::time({})"),
        Kind::Flag => t("bool", "p::flag({})"),
        Kind::Code => match book.enum_for(f) {
            Some(name) => {
                let live: Vec<&kis_spec::Code> =
                    f.codes.iter().filter(|c| c.retired.is_none()).collect();
                let default = if live.len() == 1 && f.codes.len() == 1 {
                    Some(live[0].code.clone())
                } else {
                    live.iter()
                        .find(|c| c.label.contains("기본값") || c.label.contains("Default"))
                        .map(|c| c.code.clone())
                };
                Typed {
                    param: format!("crate::api::codes::{name}"),
                    conv: "p::code(&{})",
                    default,
                }
            }
            None => t("impl Into<String>", "{}.into()"),
        },
        _ => t("impl Into<String>", "{}.into()"),
    }
}

/// Maximum length in characters KIS counts (`8.2` = 8 digits, a point and 2 decimals: 11).
fn max_len(f: &Field) -> usize {
    let Some(l) = &f.length else { return 0 };
    match l.split_once('.') {
        Some((a, b)) => {
            a.trim().parse::<usize>().unwrap_or(0) + b.trim().parse::<usize>().unwrap_or(0) + 1
        }
        None => l.trim().parse().unwrap_or(0),
    }
}

/// The validation table row of a request field.
fn meta(f: &Field, account: bool, product: bool) -> String {
    let kind = if account {
        "Account"
    } else if product {
        "Product"
    } else if f.is_block() {
        "Block"
    } else {
        match f.kind {
            Kind::Integer => "Integer",
            Kind::Decimal => "Decimal",
            Kind::Date => "Date",
            Kind::Time => "Time",
            Kind::Flag => "Flag",
            Kind::Code if crate::codes::is_code_field(f) => "Code",
            _ => "Text",
        }
    };
    let codes: Vec<String> = if kind == "Code" {
        f.codes
            .iter()
            .filter(|c| !c.code.is_empty())
            .map(|c| lit(&c.code))
            .collect()
    } else {
        Vec::new()
    };
    let retired: Vec<String> = f
        .codes
        .iter()
        .filter_map(|c| {
            let r = c.retired.as_ref()?;
            let why = if r.refusal.is_empty() {
                format!("refused by KIS since {}", r.since)
            } else {
                format!("refused by KIS since {} ({})", r.since, r.refusal)
            };
            Some(format!("({}, {})", lit(&c.code), lit(&why)))
        })
        .collect();
    format!(
        "p::FieldMeta {{ wire: {}, kind: p::FieldKind::{kind}, max_len: {}, required: {}, blank: {}, codes: &[{}], retired: &[{}] }}",
        lit(&f.name),
        max_len(f),
        f.required,
        f.blank,
        codes.join(", "),
        retired.join(", ")
    )
}

struct AccountFill {
    ident: String,
    /// `cano` or `product_code`.
    source: &'static str,
}

fn endpoint_file(
    s: &ApiSpec,
    ty: &str,
    book: &crate::codes::CodeBook,
    tr: &crate::words::Translator<'_>,
) -> String {
    let method = match s.method {
        Method::Get => "GET",
        Method::Post => "POST",
    };
    let paper = s.variants.iter().any(|v| v.paper.is_some());

    let mut module = Module::with_book(book, tr);
    let req = format!("{ty}Request");
    let resp = format!("{ty}Response");
    let var_ty = format!("{ty}Variant");
    for n in [&req, &resp, &var_ty] {
        module.types.reserve(n);
    }
    let multi = s.variants.len() > 1;

    // ---- request ----
    let src_fields: Vec<&Field> = match s.method {
        Method::Get => s
            .request
            .query
            .iter()
            .chain(s.request.body.iter())
            .collect(),
        Method::Post => s
            .request
            .body
            .iter()
            .chain(s.request.query.iter())
            .collect(),
    };
    let mut seen = BTreeSet::new();
    let mut fscope = Scope::with(&["variant"]);
    let fields: Vec<ReqField> = src_fields
        .into_iter()
        .filter(|f| seen.insert(f.name.clone()))
        .map(|f| ReqField {
            ident: fscope.sanitize(&f.name, Case::Snake, "field"),
            account: ACCOUNT_FIELDS.contains(&f.name.as_str()),
            product: PRODUCT_FIELDS.contains(&f.name.as_str()),
            f,
        })
        .collect();

    let mut d = vec![
        format!(
            "Request of {} (`{}`): `{method} {}`.",
            esc(&s.name),
            doc::code(&s.api_id),
            s.path
        ),
        String::new(),
    ];
    d.push(if multi {
        "Build it with the constructor of the variant you want; each picks its TR IDs:".to_owned()
    } else {
        "Build it with `new`; optional fields have setters.".to_owned()
    });
    d.extend(tr_doc(s));
    if fields.iter().any(|f| f.account || f.product) {
        d.push(String::new());
        d.push(
            "Account fields left empty are filled from the client's configured account.".to_owned(),
        );
    }
    d.extend(doc::overview(&s.overview));

    // Variant enum and constructor names.
    let mut methods = Scope::with(&["variant", "fmt"]);
    let mut variant_idents = Vec::new();
    if multi {
        let mut vs = Scope::default();
        for var in &s.variants {
            variant_idents.push(vs.sanitize(&var.name, Case::Pascal, "Variant"));
        }
    }
    let mut ctor_names = Vec::new();
    if multi {
        for var in &s.variants {
            ctor_names.push(methods.sanitize(&var.name, Case::Snake, "variant"));
        }
    } else {
        methods.reserve("new");
    }
    let setters: Vec<String> = fields
        .iter()
        .map(|rf| methods.sanitize(&rf.ident, Case::Snake, "field"))
        .collect();

    let continuation_keys: Vec<&str> = s.paging.as_ref().map_or(Vec::new(), |p| {
        p.request.iter().map(String::as_str).collect()
    });
    let typed: Vec<Typed> = fields.iter().map(|rf| typed(rf.f, book)).collect();
    let required: Vec<(&ReqField, &Typed)> = fields
        .iter()
        .zip(&typed)
        .filter(|(rf, t)| {
            rf.f.required
                && !rf.f.blank
                && !rf.account
                && !rf.product
                && !continuation_keys.contains(&rf.f.name.as_str())
                && t.default.is_none()
        })
        .collect();
    let params: Vec<String> = required
        .iter()
        .map(|(rf, t)| format!("{}: {}", rf.ident, t.param))
        .collect();
    let init: Vec<Init> = fields
        .iter()
        .zip(&typed)
        .map(|(rf, t)| {
            let value = if required.iter().any(|(r, _)| r.ident == rf.ident) {
                t.wire(&rf.ident)
            } else if rf.f.is_block() {
                if rf.f.kind == Kind::Array {
                    "serde_json::Value::Array(Vec::new())".to_owned()
                } else {
                    "serde_json::Value::Object(serde_json::Map::new())".to_owned()
                }
            } else if let Some(d) = &t.default {
                format!("{}.to_owned()", lit(d))
            } else {
                "String::new()".to_owned()
            };
            Init {
                ident: rf.ident.clone(),
                value,
            }
        })
        .collect();
    let arg_doc: Vec<String> = if required.is_empty() {
        Vec::new()
    } else {
        let mut a = vec![String::new(), "Required fields, in spec order:".to_owned()];
        for (rf, _) in &required {
            let label = if rf.f.label.is_empty() {
                String::new()
            } else {
                format!(": {}", esc(&rf.f.label))
            };
            a.push(format!("- `{}` (`{}`){label}", rf.ident, rf.f.name));
        }
        a
    };
    let tr = |var: &kis_spec::TrVariant| {
        let opt = |t: &Option<String>| {
            t.as_ref()
                .map_or("None".to_owned(), |t| format!("Some({})", lit(t)))
        };
        format!(
            "TrIds {{ real: {}, paper: {} }}",
            opt(&var.real),
            opt(&var.paper)
        )
    };
    let show = |t: &Option<String>| {
        t.as_ref()
            .map_or("not available".to_owned(), |t| format!("`{t}`"))
    };
    let variants: Vec<VariantView> = if multi {
        s.variants
            .iter()
            .zip(variant_idents)
            .zip(ctor_names)
            .map(|((var, ident), ctor)| {
                let label = if var.label.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", esc(&var.label))
                };
                let mut cd = vec![format!("A request for variant `{}`{label}.", var.name)];
                cd.extend(arg_doc.iter().cloned());
                let mut ctor_doc = doc::block("    ", &cd);
                if var.deprecated {
                    ctor_doc.push_str(&format!(
                        "    #[deprecated(note = {})]\n",
                        lit(&format!("{}; use its constructor", successor(s, var)))
                    ));
                }
                VariantView {
                    doc: doc::block(
                        "    ",
                        &[format!(
                            "`{}`{label}: real {}, paper {}.{}",
                            var.name,
                            show(&var.real),
                            show(&var.paper),
                            lineage(s, var)
                        )],
                    ),
                    ident,
                    ctor,
                    ctor_doc,
                    tr_ids: tr(var),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut new_doc = vec!["A new request.".to_owned()];
    new_doc.extend(arg_doc.iter().cloned());

    let request_fields: Vec<RequestField> = fields
        .iter()
        .zip(setters)
        .zip(&typed)
        .map(|((rf, setter), t)| {
            let mut sd = vec![format!("Sets {}", doc::field(rf.f)[0])];
            sd.extend(doc::description(rf.f));
            sd.extend(doc::codes(rf.f));
            if let Some(d) = &t.default {
                sd.push(String::new());
                sd.push(format!("Default: `{}`.", doc::code(d)));
            } else if !rf.f.required || rf.f.blank {
                sd.push(String::new());
                sd.push("Default: blank (KIS accepts it empty).".to_owned());
            }
            RequestField {
                param: t.param.clone(),
                wire_value: t.wire("value"),
                doc: doc::block("    ", &doc::field(rf.f)),
                ident: rf.ident.clone(),
                ident_lit: lit(&rf.ident),
                wire: lit(&rf.f.name),
                block: rf.f.is_block(),
                redact: redact(rf.f),
                setter,
                setter_doc: doc::block("    ", &sd),
            }
        })
        .collect();

    let paging = s.paging.as_ref().map(paging_spec);
    let info = Info {
        id: lit(&s.id),
        category: lit(&s.category),
        api_id: lit(&s.api_id),
        name: lit(&s.name),
        method: if s.method == Method::Get {
            "Get"
        } else {
            "Post"
        },
        path: lit(&s.path),
        paging: paging.unwrap_or_else(|| "None".to_owned()),
        variants: s
            .variants
            .iter()
            .map(|var| format!("({}, {})", lit(&var.name), tr(var)))
            .collect(),
    };
    let field_meta: Vec<String> = fields
        .iter()
        .map(|rf| meta(rf.f, rf.account, rf.product))
        .collect();
    let account: Vec<AccountFill> = fields
        .iter()
        .filter(|rf| (rf.account || rf.product) && !rf.f.is_block())
        .map(|rf| AccountFill {
            ident: rf.ident.clone(),
            source: if rf.account { "cano" } else { "product_code" },
        })
        .collect();
    // ---- response ----
    let mut top: Vec<Field> = s.response.body.clone();
    for (name, label) in COMMON_RESPONSE.iter().rev() {
        if !top.iter().any(|f| f.name == *name) {
            top.insert(
                0,
                Field {
                    name: (*name).to_owned(),
                    label: (*label).to_owned(),
                    wire_type: "string".to_owned(),
                    kind: Kind::String,
                    sensitive: None,
                    required: false,
                    blank: false,
                    length: None,
                    codes: Vec::new(),
                    description: String::new(),
                    fields: Vec::new(),
                },
            );
        }
    }
    let rdoc = vec![
        format!("Response of {} (`{}`).", esc(&s.name), doc::code(&s.api_id)),
        String::new(),
        "Values keep their wire text; fields the spec does not list are kept in `extra`."
            .to_owned(),
    ];
    let response = object_struct(&mut module, &resp, &rdoc, &top, true);
    // The repeated block of a paged response: its field and row type.
    let rows = s.paging.as_ref().and_then(|p| {
        let name = p.rows.as_deref()?;
        let (_, ident, ty) = module.top_blocks.iter().find(|(w, _, _)| w == name)?;
        let row = ty
            .strip_prefix("v::Block<")
            .or_else(|| ty.strip_prefix("v::One<"))?
            .strip_suffix('>')?;
        Some((ident.clone(), row.to_owned()))
    });
    let paged_rows = s.paging.as_ref().map(|_| match rows {
        Some((ident, row)) => PagedRows {
            row,
            take: format!("std::mem::take(&mut self.{ident}).into_rows()"),
        },
        None => PagedRows {
            row: "v::Map".to_owned(),
            take: "Vec::new()".to_owned(),
        },
    });

    let file = EndpointFile {
        category: &s.category,
        id: &s.id,
        name: esc(&s.name),
        api_id: doc::code(&s.api_id),
        method,
        path: &s.path,
        menu: esc(&s.menu),
        paper: if paper { "supported" } else { "not supported" },
        paged: s.paging.as_ref().map(paging_doc),
        tr_doc: tr_doc(s),
        req_doc: doc::block("", &d),
        req_lit: lit(&req),
        default_impl: !multi && params.is_empty(),
        params: params.join(", "),
        tr_ids: s
            .variants
            .first()
            .map_or("TrIds { real: None, paper: None }".to_owned(), tr),
        req,
        resp,
        var_ty,
        multi,
        fields: request_fields,
        variants,
        init,
        new_doc: doc::block("    ", &new_doc),
        info,
        account,
        response,
        paged_rows,
        enums: module.enum_items,
        field_meta,
    };
    fill(&file)
}

fn dedup(fields: &[Field]) -> Vec<&Field> {
    let mut seen = BTreeSet::new();
    fields
        .iter()
        .filter(|f| seen.insert(f.name.clone()))
        .collect()
}

/// A struct decoded from a JSON object (the response or a block row), then its nested blocks.
#[derive(Template)]
#[template(path = "rest_object.rs.askama", escape = "none")]
struct ObjectStruct<'a> {
    /// The struct's doc comment, `///` lines.
    doc: String,
    name: &'a str,
    fields: Vec<ObjectField>,
    /// Whether this is the response itself (which gets serde impls).
    top: bool,
    /// The fields' wire names as Rust literals, comma-separated, in declaration order.
    names: String,
    /// `("lower-cased name", index)` pairs sorted by name, comma-separated.
    lower: String,
    /// The structs of nested blocks, rendered.
    nested: String,
}

struct ObjectField {
    doc: String,
    ident: String,
    ty: String,
    /// The field's value in `Default` (absent): a constant, so `default()` calls nothing that
    /// could unwind (no cleanup code per field).
    empty: &'static str,
    /// How `Debug` masks it (see [`redact`]).
    redact: &'static str,
}

/// The `Masked` variant that hides a field in `Debug` (from the spec's `sensitive` mark), or
/// empty when the field is shown as is.
pub(crate) fn redact(f: &Field) -> &'static str {
    match f.sensitive {
        Some(Sensitive::Secret) => "Secret",
        Some(Sensitive::Account) => "Account",
        Some(Sensitive::Id) => "Id",
        Some(Sensitive::Name) => "Name",
        None => "",
    }
}

/// Renders a struct decoded from a JSON object (response or block row), and its nested blocks.
fn object_struct(
    module: &mut Module,
    name: &str,
    d: &[String],
    fields: &[Field],
    top: bool,
) -> String {
    let fields = dedup(fields);
    let wire: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    let mut fs = Scope::with(&["extra", "key_spellings"]);
    let mut nested = Vec::new();
    let list: Vec<ObjectField> = fields
        .into_iter()
        .map(|f| {
            let ident = fs.sanitize(&f.name, Case::Snake, "field");
            let (ty, block, empty) = if f.is_block() {
                let row = if f.fields.is_empty() {
                    "v::Map".to_owned()
                } else {
                    let row_name = if top {
                        f.name.clone()
                    } else {
                        format!("{name}_{}", f.name)
                    };
                    let row = module.types.sanitize(&row_name, Case::Pascal, "Block");
                    nested.push((row.clone(), f));
                    row
                };
                if f.kind == Kind::Array {
                    (format!("v::Block<{row}>"), true, "v::Block::EMPTY")
                } else {
                    (format!("v::One<{row}>"), true, "v::One::EMPTY")
                }
            } else {
                (module.scalar_type(f), false, "v::Val::Missing")
            };
            if top && block {
                module
                    .top_blocks
                    .push((f.name.clone(), ident.clone(), ty.clone()));
            }
            let mut fd = doc::field(f);
            if block {
                fd[0] = format!("Block {}", fd[0]);
            }
            fd.splice(1..1, doc::description(f));
            ObjectField {
                doc: doc::block("    ", &fd),
                ident,
                ty,
                empty,
                redact: if block { "" } else { redact(f) },
            }
        })
        .collect();

    let mut rendered = String::new();
    for (row, f) in nested {
        let label = if f.label.is_empty() {
            String::new()
        } else {
            format!(" ({})", esc(&f.label))
        };
        let d = vec![format!("A record of block `{}`{label}.", f.name)];
        rendered.push_str(&object_struct(module, &row, &d, &f.fields, false));
    }
    fill(&ObjectStruct {
        doc: doc::block("", d),
        name,
        fields: list,
        top,
        names: wire.iter().map(|n| lit(n)).collect::<Vec<_>>().join(", "),
        lower: by_lower(&wire)
            .iter()
            .map(|&i| format!("({}, {i})", lit(&wire[i].to_ascii_lowercase())))
            .collect::<Vec<_>>()
            .join(", "),
        nested: rendered,
    })
}

/// Indices of `names` sorted by ASCII-lower-cased name, then by index: the order of
/// `kis_client::__private::Fields::lower`, which the decoder binary-searches.
fn by_lower(names: &[&str]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by_key(|&i| (names[i].to_ascii_lowercase().into_bytes(), i));
    order
}

#[cfg(test)]
mod tests {
    use super::by_lower;

    #[test]
    fn by_lower_sorts_ignoring_ascii_case() {
        assert_eq!(by_lower(&["b", "ODNO", "a", "odno_x"]), vec![2, 0, 1, 3]);
        assert_eq!(by_lower(&["odno", "ODNO", "Ab"]), vec![2, 0, 1]);
        assert!(by_lower(&[]).is_empty());
    }
}
