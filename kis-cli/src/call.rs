//! `kis call`: any endpoint by name, its parameters by KIS wire name or Rust setter name,
//! validated by kis-client's tables ([`kis_client::request::build`]) before anything is sent.

use kis_client::__private::FieldKind;
use kis_client::endpoint::{EndpointInfo, HttpMethod};
use kis_client::{Client, RawRequest};
use serde_json::{Map, Value, json};

use crate::catalog;
use crate::exit::{Failure, Outcome};
use crate::output::{Doc, Out};
use crate::safety;

/// What `kis call` was asked.
#[derive(Debug, Clone, Default)]
pub struct CallArgs {
    /// `category/id`, a URL path or a TR ID.
    pub endpoint: String,
    /// The variant (`buy`, `sell`, ...), when the endpoint has several.
    pub variant: Option<String>,
    /// `KEY=VALUE` pairs.
    pub params: Vec<String>,
    /// Allow a state-changing endpoint.
    pub trade: bool,
    /// Confirm a real order without asking (needs the opt-in too).
    pub yes: bool,
    /// Print what would be sent; send nothing.
    pub dry_run: bool,
    /// Only the first page of an inquiry that pages.
    pub first_page: bool,
}

/// The wire name a user's key means: the wire name itself or the setter name (any case,
/// `-` for `_`). Unknown keys stay as written (the builder refuses them by name).
pub fn wire_name(info: &EndpointInfo, key: &str) -> String {
    let k = key.trim().replace('-', "_");
    info.fields
        .iter()
        .find(|m| m.wire.eq_ignore_ascii_case(&k))
        .map_or(k, |m| m.wire.to_owned())
}

/// Puts JSON inputs under their wire names: strings and numbers as given (kis-client takes a
/// number for a numeric field and refuses it elsewhere, so `005930` never loses its zeros),
/// `true`/`false` as `Y`/`N` for flags; blocks stay JSON. Anything else is refused with the
/// field named.
pub fn normalize(info: &EndpointInfo, input: &Map<String, Value>) -> Outcome<Map<String, Value>> {
    let mut out = Map::new();
    for (k, v) in input {
        let wire = wire_name(info, k);
        let kind = info.fields.iter().find(|m| m.wire == wire).map(|m| m.kind);
        let v = match (v, kind) {
            (_, Some(FieldKind::Block)) => v.clone(),
            (Value::String(_), _) => v.clone(),
            (Value::Number(_), _) => v.clone(),
            (Value::Bool(b), Some(FieldKind::Flag)) => {
                Value::String(if *b { "Y" } else { "N" }.to_owned())
            }
            _ => {
                return Err(Failure::invalid(
                    Some(&wire),
                    format!("{wire}: give a string or a number"),
                ));
            }
        };
        out.insert(wire, v);
    }
    Ok(out)
}

/// `KEY=VALUE` arguments to a parameter map.
pub fn parse_pairs(info: &EndpointInfo, pairs: &[String]) -> Outcome<Map<String, Value>> {
    let mut out = Map::new();
    for p in pairs {
        let Some((k, v)) = p.split_once('=') else {
            return Err(Failure::invalid(
                None,
                format!("`{p}`: parameters are KEY=VALUE (e.g. FID_INPUT_ISCD=005930)"),
            ));
        };
        let wire = wire_name(info, k);
        let block = info
            .fields
            .iter()
            .any(|m| m.wire == wire && m.kind == FieldKind::Block);
        let value = if block {
            serde_json::from_str(v)
                .map_err(|e| Failure::invalid(Some(&wire), format!("{wire}: not JSON: {e}")))?
        } else {
            Value::String(v.to_owned())
        };
        out.insert(wire, value);
    }
    Ok(out)
}

/// Builds and checks the request for the client's environment and account.
pub fn build(
    client: &Client,
    info: &EndpointInfo,
    variant: &str,
    params: &Map<String, Value>,
) -> Outcome<RawRequest> {
    if variant.is_empty() && info.variants.len() > 1 {
        let names: Vec<&str> = info.variants.iter().map(|v| v.0).collect();
        return Err(Failure::invalid(
            Some("variant"),
            format!(
                "{} has several variants: choose one with --variant ({})",
                catalog::full_id(info),
                names.join(", ")
            ),
        ));
    }
    let c = client.config();
    kis_client::request::build(
        &catalog::full_id(info),
        variant,
        c.env(),
        c.account(),
        params,
    )
    .map_err(|e| Failure::invalid(e.field.as_deref(), e.to_string()))
}

/// Whether the built request changes state.
pub fn is_trade(raw: &RawRequest) -> bool {
    kis_client::is_state_changing(raw.method, &raw.tr_id)
}

/// The request as words and JSON, account numbers masked: what a confirmation echoes.
pub fn shown(raw: &RawRequest) -> Value {
    let mut params: Map<String, Value> = match &raw.body {
        Some(b) => serde_json::from_slice(b).unwrap_or_default(),
        None => raw
            .query
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    };
    for (k, v) in params.iter_mut() {
        if ["CANO", "ACNT_NO", "ACNT_PWD"].contains(&k.to_ascii_uppercase().as_str())
            && let Value::String(s) = v
            && !s.is_empty()
        {
            *s = kis_client::Account::from_parts(s, "00")
                .map(|a| a.masked().trim_end_matches("-00").to_owned())
                .unwrap_or_else(|| "****".to_owned());
        }
    }
    let method = match raw.method {
        HttpMethod::Get => "GET",
        HttpMethod::Post => "POST",
    };
    json!({"method": method, "path": raw.path, "tr_id": raw.tr_id, "params": params})
}

/// The endpoint a name means on the client's service: kis-client's resolver (which says when a
/// TR ID is the other service's), else the catalog's lookup (bare ids, suggestions).
pub fn resolve(client: &Client, name: &str) -> Outcome<catalog::Found> {
    use kis_client::request::ErrorKind;
    match kis_client::request::resolve(name, client.config().env()) {
        Ok((info, variant)) => Ok(catalog::Found {
            info,
            variant: variant.unwrap_or(""),
        }),
        Err(e) if e.kind == ErrorKind::UnknownEndpoint => catalog::find(name),
        Err(e) => Err(Failure::invalid(e.field.as_deref(), e.to_string())),
    }
}

/// Runs `kis call`.
pub async fn run(client: &Client, args: &CallArgs, out: &Out) -> Outcome<()> {
    let found = resolve(client, &args.endpoint)?;
    let variant = args.variant.as_deref().unwrap_or(found.variant);
    let params = parse_pairs(found.info, &args.params)?;
    let raw = build(client, found.info, variant, &params)?;
    let trade = is_trade(&raw);
    let what = shown(&raw);
    if trade && !args.trade {
        return Err(Failure::invalid(
            None,
            format!(
                "{} ({}) changes state (an order or account change): pass --trade to send it; nothing was sent",
                catalog::full_id(found.info),
                raw.tr_id
            ),
        ));
    }
    if args.dry_run {
        out.print(&Doc::from_json(&what), Some(&what))?;
        return Ok(());
    }
    if trade {
        let c = client.config();
        safety::confirm(c.env(), c.allow_real_trading(), args.yes, &what.to_string())?;
    }
    let body = if !trade && !args.first_page && found.info.paging.is_some() {
        every_page(client, found.info, variant, params).await?
    } else {
        let resp = client
            .send_raw(raw)
            .await
            .map_err(|e| Failure::from_client(&e, trade))?;
        if resp.has_more() {
            eprintln!(
                "note: KIS has more pages (tr_cont {}); this is the first.",
                resp.tr_cont
            );
        }
        json_of(&resp.body)?
    };
    // Account numbers and the configuration's secrets never reach the terminal.
    let body = crate::mcp::Scrubber::new(client.config()).value(&body);
    print_body(out, found.info, &body)?;
    Ok(())
}

fn json_of(body: &[u8]) -> Outcome<Value> {
    serde_json::from_slice(body).map_err(|e| Failure::other(format!("the answer is not JSON: {e}")))
}

/// Every page of an inquiry (kis-client's paging machine, [`Client::pages_named`]): the first
/// page's answer with the rows block of every later page appended; the count on stderr.
async fn every_page(
    client: &Client,
    info: &EndpointInfo,
    variant: &str,
    params: Map<String, Value>,
) -> Outcome<Value> {
    use futures::StreamExt as _;
    let rows_block = info.paging.and_then(|p| p.rows);
    let mut pages = std::pin::pin!(client.pages_named(&catalog::full_id(info), variant, params));
    let (mut merged, mut count): (Option<Value>, usize) = (None, 0);
    while let Some(page) = pages.next().await {
        let resp = page.map_err(|e| Failure::from_client(&e, false))?;
        let body = json_of(&resp.body)?;
        count += 1;
        if count > 1 {
            eprint!("\rpage {count}");
        }
        match (&mut merged, rows_block) {
            (None, _) => merged = Some(body),
            (Some(first), Some(block)) => {
                let more = match body.get(block) {
                    Some(Value::Array(rows)) => rows.clone(),
                    Some(row @ Value::Object(_)) => vec![row.clone()],
                    _ => Vec::new(),
                };
                if let Some(Value::Array(rows)) = first.get_mut(block) {
                    rows.extend(more);
                }
            }
            (Some(_), None) => {}
        }
    }
    if count > 1 {
        eprintln!("\r{count} pages");
    }
    merged.ok_or_else(|| Failure::other("KIS sent no page"))
}

/// Prints an answer: `--json` the body as KIS sent it; a table per output block; CSV of the
/// rows block (or the first block).
pub fn print_body(out: &Out, info: &EndpointInfo, body: &Value) -> std::io::Result<()> {
    let mut sections = Vec::new();
    if let Value::Object(m) = body {
        if let Some(msg) = m.get("msg1").and_then(Value::as_str) {
            eprintln!(
                "{} {}",
                m.get("msg_cd").and_then(Value::as_str).unwrap_or(""),
                msg.trim()
            );
        }
        let rows_block = info.paging.and_then(|p| p.rows);
        let mut keys: Vec<&String> = m
            .keys()
            .filter(|k| matches!(m[k.as_str()], Value::Object(_) | Value::Array(_)))
            .collect();
        if out.format == crate::output::Format::Csv {
            keys.sort_by_key(|k| Some(k.as_str()) != rows_block);
            keys.truncate(1);
        }
        for k in keys {
            sections.push((k.clone(), Doc::from_json(&m[k.as_str()])));
        }
    }
    out.print_sections(&sections, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(id: &str) -> &'static EndpointInfo {
        kis_client::request::find(id).unwrap()
    }

    #[test]
    fn keys_by_wire_or_setter_name_and_json_numbers() {
        let i = info("domestic_stock/order_cash");
        assert_eq!(wire_name(i, "ord_qty"), "ORD_QTY");
        assert_eq!(wire_name(i, "ord-unpr"), "ORD_UNPR");
        assert_eq!(wire_name(i, "NOPE"), "NOPE");
        let m = parse_pairs(i, &["pdno=005930".into(), "ORD_QTY=3".into()]).unwrap();
        assert_eq!(m["PDNO"], "005930");
        assert_eq!(parse_pairs(i, &["PDNO".into()]).unwrap_err().code, 3);
        let input = serde_json::json!({"ord_qty": 3, "ORD_UNPR": 70000, "PDNO": "005930", "ORD_DVSN": "00"});
        let n = normalize(i, input.as_object().unwrap()).unwrap();
        assert_eq!(n["ORD_QTY"], 3);
        let acct = kis_client::Account::parse("12345678-01");
        let raw = kis_client::request::build(
            "domestic_stock/order_cash",
            "buy",
            kis_client::Env::Paper,
            acct.as_ref(),
            &n,
        );
        assert!(
            raw.is_ok(),
            "a JSON number is fine for a numeric field: {raw:?}"
        );
        let text_as_number =
            serde_json::json!({"PDNO": 5930, "ORD_DVSN": "00", "ORD_QTY": 1, "ORD_UNPR": 70000});
        let n = normalize(i, text_as_number.as_object().unwrap()).unwrap();
        let e = kis_client::request::build(
            "domestic_stock/order_cash",
            "buy",
            kis_client::Env::Paper,
            acct.as_ref(),
            &n,
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("PDNO"));
        let bad = serde_json::json!({"PDNO": ["005930"]});
        let e = normalize(i, bad.as_object().unwrap()).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("PDNO"));
    }
}
