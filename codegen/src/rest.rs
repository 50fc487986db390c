//! REST endpoints: one file per spec with `<Id>Request` (implementing `Endpoint`),
//! `<Id>Response` and its blocks, plus the category modules and the decode dispatch table.

use crate::doc::{self, esc};
use crate::names::{Case, Scope, sanitize};
use crate::types::Module;
use crate::{CLIENT_API_DIR, by_category, feature_for, fill, header, lit};
use askama::Template;
use kis_spec::{ApiSpec, Field, Kind, Method};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
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

pub fn render_tree(specs: &[&ApiSpec], out: &mut BTreeMap<PathBuf, String>) {
    let root = PathBuf::from(CLIENT_API_DIR);
    let cats = by_category(specs);
    let registry = Registry {
        categories: cats
            .keys()
            .map(|cat| CategoryName {
                name: (*cat).to_owned(),
                feature: lit(&feature_for(cat)),
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
            }
            out.insert(
                root.join(cat).join(format!("{module}.rs")),
                endpoint_file(s, &ty),
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
            "- {who}: real {}, paper {}.",
            show(&var.real),
            show(&var.paper)
        ));
    }
    v
}

struct ReqField<'a> {
    f: &'a Field,
    ident: String,
    account: bool,
    product: bool,
}

fn endpoint_file(s: &ApiSpec, ty: &str) -> String {
    let src = format!("spec/{}/{}.yaml", s.category, s.id);
    let mut o = header(&src);
    let method = match s.method {
        Method::Get => "GET",
        Method::Post => "POST",
    };
    let paper = s.variants.iter().any(|v| v.paper.is_some());
    let _ = writeln!(
        o,
        "//! {} (`{}`): `{method} {}`.",
        esc(&s.name),
        doc::code(&s.api_id),
        s.path
    );
    o.push_str("//!\n");
    let _ = writeln!(
        o,
        "//! Menu: {}. Paper trading: {}.",
        esc(&s.menu),
        if paper { "supported" } else { "not supported" }
    );
    if s.paging.is_some() {
        o.push_str("//! Pages with continuation keys.\n");
    }
    o.push_str("//!\n");
    for l in tr_doc(s) {
        let _ = writeln!(o, "//! {l}");
    }
    o.push_str("\nuse crate::endpoint::{Endpoint, EndpointInfo, HttpMethod, TrIds};\nuse crate::value as v;\n\n");

    let mut module = Module::new();
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
    let field_ty = |f: &Field| {
        if f.is_block() {
            "serde_json::Value"
        } else {
            "String"
        }
    };

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
    doc::lines(&mut o, "", &d);
    o.push_str("#[derive(Clone)]\npub struct ");
    o.push_str(&req);
    o.push_str(" {\n");
    if multi {
        let _ = writeln!(o, "    variant: {var_ty},");
    }
    for rf in &fields {
        doc::lines(&mut o, "    ", &doc::field(rf.f));
        let _ = writeln!(o, "    {}: {},", rf.ident, field_ty(rf.f));
    }
    o.push_str("}\n\n");

    // Serialize through one shared, non-generic field list: wire names in spec order.
    let _ = writeln!(
        o,
        "/// Writes the KIS wire names (in spec order) and values.\nimpl serde::Serialize for {req} {{\n    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {{\n        v::serialize_fields(\n            s,\n            &["
    );
    for rf in &fields {
        let kind = if rf.f.is_block() { "Json" } else { "Str" };
        let _ = writeln!(
            o,
            "                ({}, v::WireField::{kind}(&self.{})),",
            lit(&rf.f.name),
            rf.ident
        );
    }
    o.push_str("            ],\n        )\n    }\n}\n\n");

    // Variant enum.
    let mut methods = Scope::with(&["variant", "fmt"]);
    let mut ctor_names = Vec::new();
    if multi {
        let mut vs = Scope::default();
        let _ = writeln!(o, "/// The TR ID variants of [`{req}`].");
        o.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq)]\npub enum ");
        o.push_str(&var_ty);
        o.push_str(" {\n");
        let mut idents = Vec::new();
        for var in &s.variants {
            let id = vs.sanitize(&var.name, Case::Pascal, "Variant");
            let show = |t: &Option<String>| {
                t.as_ref()
                    .map_or("not available".to_owned(), |t| format!("`{t}`"))
            };
            let label = if var.label.is_empty() {
                String::new()
            } else {
                format!(" ({})", esc(&var.label))
            };
            doc::lines(
                &mut o,
                "    ",
                &[format!(
                    "`{}`{label}: real {}, paper {}.",
                    var.name,
                    show(&var.real),
                    show(&var.paper)
                )],
            );
            let _ = writeln!(o, "    {id},");
            idents.push(id);
        }
        o.push_str("}\n\n");
        for (var, id) in s.variants.iter().zip(&idents) {
            ctor_names.push((
                methods.sanitize(&var.name, Case::Snake, "variant"),
                Some(id.clone()),
                var,
            ));
        }
    } else {
        methods.reserve("new");
    }
    let setters: Vec<String> = fields
        .iter()
        .map(|rf| methods.sanitize(&rf.ident, Case::Snake, "field"))
        .collect();

    let required: Vec<&ReqField> = fields
        .iter()
        .filter(|rf| rf.f.required && !rf.account && !rf.product)
        .collect();
    let _ = writeln!(o, "impl {req} {{");
    let params: Vec<String> = required
        .iter()
        .map(|rf| {
            if rf.f.is_block() {
                format!("{}: serde_json::Value", rf.ident)
            } else {
                format!("{}: impl Into<String>", rf.ident)
            }
        })
        .collect();
    let mut body_fields = String::new();
    for rf in &fields {
        let value = if required.iter().any(|r| r.ident == rf.ident) {
            if rf.f.is_block() {
                rf.ident.clone()
            } else {
                format!("{}.into()", rf.ident)
            }
        } else if rf.f.is_block() {
            if rf.f.kind == Kind::Array {
                "serde_json::Value::Array(Vec::new())".to_owned()
            } else {
                "serde_json::Value::Object(serde_json::Map::new())".to_owned()
            }
        } else {
            "String::new()".to_owned()
        };
        let _ = writeln!(body_fields, "            {}: {value},", rf.ident);
    }
    let arg_doc: Vec<String> = if required.is_empty() {
        Vec::new()
    } else {
        let mut a = vec![String::new(), "Required fields, in spec order:".to_owned()];
        for rf in &required {
            let label = if rf.f.label.is_empty() {
                String::new()
            } else {
                format!(": {}", esc(&rf.f.label))
            };
            a.push(format!("- `{}` (`{}`){label}", rf.ident, rf.f.name));
        }
        a
    };
    if multi {
        for (name, id, var) in &ctor_names {
            let label = if var.label.is_empty() {
                String::new()
            } else {
                format!(" ({})", esc(&var.label))
            };
            let mut d = vec![format!("A request for variant `{}`{label}.", var.name)];
            d.extend(arg_doc.iter().cloned());
            doc::lines(&mut o, "    ", &d);
            let _ = writeln!(
                o,
                "    pub fn {name}({}) -> Self {{\n        Self {{\n            variant: {var_ty}::{},",
                params.join(", "),
                id.as_deref().unwrap_or_default()
            );
            o.push_str(&body_fields);
            o.push_str("        }\n    }\n\n");
        }
        o.push_str("    /// The variant this request was built for.\n");
        let _ = writeln!(
            o,
            "    pub fn variant(&self) -> {var_ty} {{\n        self.variant\n    }}\n"
        );
    } else {
        let mut d = vec!["A new request.".to_owned()];
        d.extend(arg_doc.iter().cloned());
        doc::lines(&mut o, "    ", &d);
        let _ = writeln!(
            o,
            "    pub fn new({}) -> Self {{\n        Self {{",
            params.join(", ")
        );
        o.push_str(&body_fields);
        o.push_str("        }\n    }\n\n");
    }
    let default_impl = if !multi && params.is_empty() {
        format!(
            "impl Default for {req} {{\n    fn default() -> Self {{\n        Self::new()\n    }}\n}}\n\n"
        )
    } else {
        String::new()
    };
    for (rf, setter) in fields.iter().zip(&setters) {
        let mut d = vec![format!("Sets {}", doc::field(rf.f)[0])];
        d.extend(doc::codes(rf.f));
        doc::lines(&mut o, "    ", &d);
        if rf.f.is_block() {
            let _ = writeln!(
                o,
                "    pub fn {setter}(mut self, value: serde_json::Value) -> Self {{\n        self.{} = value;\n        self\n    }}\n",
                rf.ident
            );
        } else {
            let _ = writeln!(
                o,
                "    pub fn {setter}(mut self, value: impl Into<String>) -> Self {{\n        self.{} = value.into();\n        self\n    }}\n",
                rf.ident
            );
        }
    }
    o.push_str("}\n\n");
    o.push_str(&default_impl);

    // Debug without the account number.
    let _ = writeln!(
        o,
        "impl std::fmt::Debug for {req} {{\n    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{"
    );
    let _ = write!(o, "        f.debug_struct({})", lit(&req));
    if multi {
        o.push_str("\n            .field(\"variant\", &self.variant)");
    }
    for rf in &fields {
        if rf.account {
            let _ = write!(
                o,
                "\n            .field({}, &v::Redacted(&self.{}))",
                lit(&rf.ident),
                rf.ident
            );
        } else {
            let _ = write!(
                o,
                "\n            .field({}, &self.{})",
                lit(&rf.ident),
                rf.ident
            );
        }
    }
    o.push_str("\n            .finish()\n    }\n}\n\n");

    // Endpoint impl.
    let _ = writeln!(
        o,
        "impl Endpoint for {req} {{\n    type Response = {resp};\n"
    );
    let paging = s.paging.as_ref().map(|p| {
        let r: Vec<String> = p.request.iter().map(|k| lit(k)).collect();
        let q: Vec<String> = p.response.iter().map(|k| lit(k)).collect();
        format!(
            "Some(crate::endpoint::PagingKeys {{ request: &[{}], response: &[{}] }})",
            r.join(", "),
            q.join(", ")
        )
    });
    let _ = writeln!(
        o,
        "    const INFO: &'static EndpointInfo = &EndpointInfo {{\n        id: {},\n        category: {},\n        api_id: {},\n        name: {},\n        method: HttpMethod::{},\n        path: {},\n        paging: {},\n    }};\n",
        lit(&s.id),
        lit(&s.category),
        lit(&s.api_id),
        lit(&s.name),
        if s.method == Method::Get {
            "Get"
        } else {
            "Post"
        },
        lit(&s.path),
        paging.unwrap_or_else(|| "None".to_owned())
    );
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
    o.push_str("    fn tr_ids(&self) -> TrIds {\n");
    if multi {
        o.push_str("        match self.variant {\n");
        for (_, id, var) in &ctor_names {
            let _ = writeln!(
                o,
                "            {var_ty}::{} => {},",
                id.as_deref().unwrap_or_default(),
                tr(var)
            );
        }
        o.push_str("        }\n");
    } else if let Some(var) = s.variants.first() {
        let _ = writeln!(o, "        {}", tr(var));
    } else {
        o.push_str("        TrIds { real: None, paper: None }\n");
    }
    o.push_str("    }\n");
    let acct: Vec<&ReqField> = fields
        .iter()
        .filter(|rf| (rf.account || rf.product) && !rf.f.is_block())
        .collect();
    if !acct.is_empty() {
        o.push_str("\n    fn fill_account(&mut self, cano: &str, product_code: &str) {\n");
        for rf in acct {
            let src = if rf.account { "cano" } else { "product_code" };
            let _ = writeln!(
                o,
                "        if self.{0}.is_empty() {{\n            self.{0} = {src}.to_owned();\n        }}",
                rf.ident
            );
        }
        o.push_str("    }\n");
    }
    if let Some(p) = &s.paging {
        let mut body = String::new();
        for key in &p.request {
            if let Some(rf) = fields
                .iter()
                .find(|rf| &rf.f.name == key && !rf.f.is_block())
            {
                let _ = writeln!(
                    body,
                    "        if let Some(k) = keys.next() {{\n            self.{}.clone_from(k);\n        }}",
                    rf.ident
                );
            }
        }
        if !body.is_empty() {
            o.push_str("\n    fn set_continuation(&mut self, keys: &[String]) {\n        let mut keys = keys.iter();\n");
            o.push_str(&body);
            o.push_str("    }\n");
        }
    }
    o.push_str("}\n\n");

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
                    required: false,
                    length: None,
                    codes: Vec::new(),
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
    let mut items = String::new();
    object_struct(&mut module, &mut items, &resp, &rdoc, &top, true);
    if let Some(p) = &s.paging {
        let _ = writeln!(
            items,
            "impl crate::endpoint::PagedResponse for {resp} {{\n    fn continuation(&self) -> Vec<String> {{\n        vec!["
        );
        let mut fs = Scope::with(&["extra"]);
        let idents: BTreeMap<&str, String> = dedup(&top)
            .into_iter()
            .map(|f| (f.name.as_str(), fs.sanitize(&f.name, Case::Snake, "field")))
            .collect();
        for key in &p.response {
            match top.iter().find(|f| &f.name == key && !f.is_block()) {
                Some(f) => {
                    let _ = writeln!(
                        items,
                        "            self.{}.raw().into_owned(),",
                        idents[f.name.as_str()]
                    );
                }
                None => items.push_str("            String::new(),\n"),
            }
        }
        items.push_str("        ]\n    }\n}\n\n");
    }
    o.push_str(&items);
    o.push_str(&module.enum_items);
    o
}

fn dedup(fields: &[Field]) -> Vec<&Field> {
    let mut seen = BTreeSet::new();
    fields
        .iter()
        .filter(|f| seen.insert(f.name.clone()))
        .collect()
}

/// Emits a struct decoded from a JSON object (response or block row), and its nested blocks.
fn object_struct(
    module: &mut Module,
    o: &mut String,
    name: &str,
    d: &[String],
    fields: &[Field],
    top: bool,
) {
    let fields = dedup(fields);
    let mut fs = Scope::with(&["extra"]);
    struct F<'a> {
        f: &'a Field,
        ident: String,
        ty: String,
        block: Option<&'static str>,
    }
    let mut nested = Vec::new();
    let list: Vec<F> = fields
        .into_iter()
        .map(|f| {
            let ident = fs.sanitize(&f.name, Case::Snake, "field");
            let (ty, block) = if f.is_block() {
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
                    (format!("v::Block<{row}>"), Some("take_block"))
                } else {
                    (format!("v::One<{row}>"), Some("take_one"))
                }
            } else {
                (module.scalar_type(f), None)
            };
            F {
                f,
                ident,
                ty,
                block,
            }
        })
        .collect();

    doc::lines(o, "", d);
    o.push_str("#[derive(Debug)]\n#[non_exhaustive]\npub struct ");
    o.push_str(name);
    o.push_str(" {\n");
    for f in &list {
        let mut fd = doc::field(f.f);
        if f.block.is_some() {
            fd[0] = format!("Block {}", fd[0]);
        }
        doc::lines(o, "    ", &fd);
        let _ = writeln!(o, "    pub {}: {},", f.ident, f.ty);
    }
    o.push_str(
        "    /// Fields the spec does not list, kept as received.\n    pub extra: v::Map,\n}\n\n",
    );

    let _ = writeln!(o, "impl v::Object for {name} {{");
    if list.is_empty() {
        o.push_str("    fn from_map(m: v::Map) -> Self {\n        Self {\n");
    } else {
        o.push_str("    fn from_map(mut m: v::Map) -> Self {\n        Self {\n");
    }
    for f in &list {
        let take = f.block.unwrap_or("take");
        let _ = writeln!(
            o,
            "            {}: v::{take}(&mut m, {}),",
            f.ident,
            lit(&f.f.name)
        );
    }
    o.push_str("            extra: m,\n        }\n    }\n\n");
    if list.is_empty() {
        o.push_str("    fn to_map(&self) -> v::Map {\n        self.extra.clone()\n    }\n\n");
    } else {
        o.push_str("    fn to_map(&self) -> v::Map {\n        let mut m = self.extra.clone();\n");
        for f in &list {
            if f.block.is_some() {
                let _ = writeln!(
                    o,
                    "        self.{}.put(&mut m, {});",
                    f.ident,
                    lit(&f.f.name)
                );
            } else {
                let _ = writeln!(
                    o,
                    "        v::put(&mut m, {}, &self.{});",
                    lit(&f.f.name),
                    f.ident
                );
            }
        }
        o.push_str("        m\n    }\n\n");
    }
    o.push_str("    fn report(&self, path: &str, r: &mut v::Report) {\n        r.extra(path, &self.extra);\n");
    for f in &list {
        if f.block.is_some() {
            let _ = writeln!(
                o,
                "        self.{}.report(path, {}, r);",
                f.ident,
                lit(&f.f.name)
            );
        } else {
            let _ = writeln!(
                o,
                "        r.val(path, {}, &self.{});",
                lit(&f.f.name),
                f.ident
            );
        }
    }
    o.push_str("    }\n}\n\n");
    if top {
        let _ = writeln!(
            o,
            "impl<'de> serde::Deserialize<'de> for {name} {{\n    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {{\n        v::deserialize_object(d)\n    }}\n}}\n\nimpl serde::Serialize for {name} {{\n    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {{\n        v::serialize_object(self, s)\n    }}\n}}\n"
        );
    }
    for (row, f) in nested {
        let label = if f.label.is_empty() {
            String::new()
        } else {
            format!(" ({})", esc(&f.label))
        };
        let d = vec![format!("A record of block `{}`{label}.", f.name)];
        object_struct(module, o, &row, &d, &f.fields, false);
    }
}
