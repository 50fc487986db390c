//! The endpoint catalog: lookups by `category/id`, URL path or TR ID, word search, and the
//! description of one endpoint, all over kis-client's generated tables
//! ([`kis_client::request::endpoints`]).

use kis_client::__private::{FieldKind, FieldMeta};
use kis_client::endpoint::{EndpointInfo, HttpMethod, PagingScheme};
use serde_json::{Value, json};

use crate::exit::{Failure, Outcome};

/// An endpoint and the variant a TR ID chose (empty: let the caller say).
#[derive(Debug, Clone, Copy)]
pub struct Found {
    /// The endpoint.
    pub info: &'static EndpointInfo,
    /// The variant named by a TR ID lookup.
    pub variant: &'static str,
}

/// `category/id`.
pub fn full_id(info: &EndpointInfo) -> String {
    format!("{}/{}", info.category, info.id)
}

/// Whether any variant of the endpoint changes state (an order, a TR ID ending in `U`).
pub fn is_trade(info: &EndpointInfo) -> bool {
    if info.variants.is_empty() {
        return info.method == HttpMethod::Post && !info.path.contains("/oauth2/");
    }
    info.variants.iter().any(|(_, t)| {
        [t.real, t.paper]
            .into_iter()
            .flatten()
            .any(|tr| kis_client::is_state_changing(info.method, tr))
    })
}

/// Finds one endpoint by `category/id`, bare id (when unique), URL path or TR ID.
pub fn find(query: &str) -> Outcome<Found> {
    let q = query.trim();
    if let Some(info) = kis_client::request::find(q) {
        return Ok(Found { info, variant: "" });
    }
    let all: Vec<&'static EndpointInfo> = kis_client::request::endpoints().collect();
    let mut hits: Vec<Found> = Vec::new();
    for info in &all {
        if info.id == q || info.path == q || info.path.trim_end_matches('/') == q {
            hits.push(Found { info, variant: "" });
            continue;
        }
        for (name, t) in info.variants {
            if [t.real, t.paper]
                .into_iter()
                .flatten()
                .any(|tr| tr.eq_ignore_ascii_case(q))
            {
                hits.push(Found {
                    info,
                    variant: name,
                });
                break;
            }
        }
    }
    match hits.len() {
        1 => Ok(hits[0]),
        0 => {
            let near: Vec<String> = search(&[q.to_owned()])
                .into_iter()
                .take(8)
                .map(full_id)
                .collect();
            let hint = if near.is_empty() {
                "; list them with `kis endpoints WORDS`".to_owned()
            } else {
                format!("; did you mean: {}", near.join(", "))
            };
            Err(Failure::invalid(
                None,
                format!("no endpoint `{q}` (write category/id, a URL path or a TR ID){hint}"),
            ))
        }
        _ => Err(Failure::invalid(
            None,
            format!(
                "`{q}` names several endpoints: {}",
                hits.iter()
                    .map(|f| full_id(f.info))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

fn haystack(info: &EndpointInfo) -> String {
    let mut s = format!(
        "{}/{} {} {} {}",
        info.category, info.id, info.path, info.api_id, info.name
    );
    for (name, t) in info.variants {
        s.push(' ');
        s.push_str(name);
        for tr in [t.real, t.paper].into_iter().flatten() {
            s.push(' ');
            s.push_str(tr);
        }
    }
    s.to_lowercase()
}

/// Endpoints whose id, path, API id, Korean title, variant names or TR IDs contain every
/// word (case-insensitive; `-` and `_` are the same). No words: all of them.
pub fn search(words: &[String]) -> Vec<&'static EndpointInfo> {
    let words: Vec<String> = words
        .iter()
        .flat_map(|w| w.split_whitespace())
        .map(|w| w.to_lowercase().replace('-', "_"))
        .collect();
    kis_client::request::endpoints()
        .filter(|info| {
            let h = haystack(info).replace('-', "_");
            words.iter().all(|w| h.contains(w.as_str()))
        })
        .collect()
}

/// The name of a kind, as `describe` and the MCP schemas print it.
pub fn kind_name(k: FieldKind) -> &'static str {
    match k {
        FieldKind::Text => "text",
        FieldKind::Integer => "integer",
        FieldKind::Decimal => "decimal",
        FieldKind::Date => "date YYYYMMDD",
        FieldKind::Time => "time HHMMSS",
        FieldKind::Flag => "flag Y/N",
        FieldKind::Code => "code",
        FieldKind::Account => "account (from config)",
        FieldKind::Product => "account product (from config)",
        FieldKind::Block => "block (JSON)",
    }
}

/// Where the paper/real TR IDs stand.
pub fn availability(info: &EndpointInfo) -> &'static str {
    let real = info.variants.iter().any(|v| v.1.real.is_some());
    let paper = info.variants.iter().any(|v| v.1.paper.is_some());
    match (real, paper) {
        (true, true) => "real and paper",
        (true, false) => "real only",
        (false, true) => "paper only",
        (false, false) => "no TR ID (both)",
    }
}

fn paging_text(info: &EndpointInfo) -> String {
    match info.paging {
        None => "none".to_owned(),
        Some(p) => {
            let scheme = match p.scheme {
                PagingScheme::CtxArea => "CTX_AREA keys",
                PagingScheme::Key => "continuation key",
                PagingScheme::Cursor => "cursor from the last row",
                PagingScheme::TrCont => "tr_cont header",
                PagingScheme::None => "none (one call)",
            };
            let mut s = scheme.to_owned();
            if !p.request.is_empty() {
                s.push_str(&format!(" [{}]", p.request.join(", ")));
            }
            if let Some(n) = p.page_size {
                s.push_str(&format!(", {n} rows a page"));
            }
            if let Some(r) = p.rows {
                s.push_str(&format!(", rows in {r}"));
            }
            s
        }
    }
}

/// One field as JSON (describe, MCP).
pub fn field_json(m: &FieldMeta) -> Value {
    json!({
        "wire": m.wire,
        "setter": m.wire.to_lowercase(),
        "kind": kind_name(m.kind),
        "max_len": m.max_len,
        "required": m.required && !m.blank && !matches!(m.kind, FieldKind::Account | FieldKind::Product | FieldKind::Block),
        "blank_ok": m.blank || !m.required,
        "codes": m.codes.iter().filter(|c| !m.retired.iter().any(|r| r.0 == **c)).collect::<Vec<_>>(),
    })
}

/// The whole description of an endpoint as JSON.
pub fn describe_json(info: &EndpointInfo) -> Value {
    json!({
        "endpoint": full_id(info),
        "title": info.name,
        "api_id": info.api_id,
        "method": match info.method { HttpMethod::Get => "GET", HttpMethod::Post => "POST" },
        "path": info.path,
        "access": if is_trade(info) { "trade" } else { "read" },
        "availability": availability(info),
        "paging": paging_text(info),
        "variants": info.variants.iter().map(|(n, t)| json!({"variant": n, "real": t.real, "paper": t.paper})).collect::<Vec<_>>(),
        "parameters": info.fields.iter().map(field_json).collect::<Vec<_>>(),
    })
}

/// A row of `kis endpoints`.
pub fn summary_json(info: &EndpointInfo) -> Value {
    let trs: Vec<String> = info
        .variants
        .iter()
        .map(|(n, t)| {
            let ids: Vec<&str> = [t.real, t.paper].into_iter().flatten().collect();
            if info.variants.len() > 1 {
                format!("{n}:{}", ids.join("/"))
            } else {
                ids.join("/")
            }
        })
        .collect();
    json!({
        "endpoint": full_id(info),
        "title": info.name,
        "tr_ids": trs.join(" "),
        "access": if is_trade(info) { "trade" } else { "read" },
        "paper": info.variants.iter().any(|v| v.1.paper.is_some()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_by_id_path_and_tr_id() {
        let a = find("domestic_stock/inquire_price").unwrap();
        let b = find("/uapi/domestic-stock/v1/quotations/inquire-price").unwrap();
        let c = find("FHKST01010100").unwrap();
        assert_eq!(full_id(a.info), full_id(b.info));
        assert_eq!(full_id(a.info), full_id(c.info));
        let order = find("vttc0012u").unwrap();
        assert_eq!(order.variant, "buy");
        assert!(is_trade(order.info));
        assert!(!is_trade(a.info));
        let e = find("domestic_stock/no_such").unwrap_err();
        assert_eq!(e.code, 3);
    }

    #[test]
    fn search_takes_korean_and_english_words() {
        let ko = search(&["주식현재가".to_owned()]);
        assert!(ko.iter().any(|i| i.id == "inquire_price"));
        let en = search(&["inquire-price".to_owned(), "domestic".to_owned()]);
        assert!(en.iter().any(|i| i.id == "inquire_price"));
        assert!(search(&["zzzz_nothing".to_owned()]).is_empty());
    }
}
