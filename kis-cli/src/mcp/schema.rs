//! JSON schemas: of each tool's arguments (small, so the tool list fits a model's context), and
//! of one endpoint's parameters, derived from the spec tables (kinds, lengths, code lists),
//! which `describe_endpoint` returns for `call_endpoint`.

use kis_client::__private::{FieldKind, FieldMeta};
use kis_client::endpoint::EndpointInfo;
use rmcp::model::Tool;
use serde_json::{Map, Value, json};

/// Parameters the model never gives: they come from the configuration only.
pub fn from_config_only(m: &FieldMeta) -> bool {
    matches!(m.kind, FieldKind::Account | FieldKind::Product)
        || ["HTS", "ACNT_PWD", "CANO"]
            .iter()
            .any(|w| m.wire.to_ascii_uppercase().contains(w))
}

fn field_schema(m: &FieldMeta) -> Value {
    let mut s = Map::new();
    let numeric = matches!(m.kind, FieldKind::Integer | FieldKind::Decimal);
    if m.kind == FieldKind::Block {
        s.insert("type".into(), json!(["object", "array"]));
        return Value::Object(s);
    }
    s.insert(
        "type".into(),
        if numeric {
            json!(["string", "number"])
        } else {
            json!("string")
        },
    );
    if m.max_len > 0 {
        s.insert("maxLength".into(), json!(m.max_len));
    }
    match m.kind {
        FieldKind::Code if !m.codes.is_empty() => {
            let live: Vec<&str> = m
                .codes
                .iter()
                .copied()
                .filter(|c| !m.retired.iter().any(|r| r.0 == *c))
                .collect();
            let mut e: Vec<Value> = live.iter().map(|c| json!(c)).collect();
            if !m.required || m.blank {
                e.push(json!(""));
            }
            s.insert("enum".into(), Value::Array(e));
        }
        FieldKind::Integer => {
            s.insert("pattern".into(), json!("^[0-9]*$"));
        }
        FieldKind::Decimal => {
            s.insert("pattern".into(), json!("^([0-9]+(\\.[0-9]+)?)?$"));
        }
        FieldKind::Date => {
            s.insert("pattern".into(), json!("^((00)?[0-9]{8})?$"));
        }
        FieldKind::Time => {
            s.insert("pattern".into(), json!("^([0-9]{6})?$"));
        }
        FieldKind::Flag => {
            s.insert("enum".into(), json!(["Y", "N", ""]));
        }
        _ => {}
    }
    Value::Object(s)
}

/// The schema of `call_endpoint`'s `params` for one endpoint (account fields left out: the
/// server fills them from its configuration).
pub fn endpoint_schema(info: &EndpointInfo) -> Value {
    let mut props = Map::new();
    let mut required = Vec::new();
    for m in info.fields.iter().filter(|m| !from_config_only(m)) {
        props.insert(m.wire.to_owned(), field_schema(m));
        if m.required && !m.blank && m.kind != FieldKind::Block {
            required.push(json!(m.wire));
        }
    }
    json!({"type": "object", "properties": props, "required": required, "additionalProperties": false})
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn tool(name: &'static str, description: &'static str, props: Value, required: &[&str]) -> Tool {
    Tool::new(
        name,
        description,
        obj(
            json!({"type": "object", "properties": props, "required": required, "additionalProperties": false}),
        ),
    )
}

const SYMBOL: &str = "Stock code (005930), Korean name (삼성전자) or MARKET:CODE (NASDAQ:AAPL)";

fn symbol() -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": 40, "description": SYMBOL})
}

/// The read-only tools.
pub fn read_tools() -> Vec<Tool> {
    vec![
        tool(
            "search_endpoints",
            "Search KIS REST endpoints by words (Korean or English) in ids, paths, TR IDs, titles.",
            json!({"query": {"type": "string", "maxLength": 100}, "limit": {"type": "integer", "minimum": 1, "maximum": 50}}),
            &["query"],
        ),
        tool(
            "describe_endpoint",
            "One endpoint: parameters (kinds, lengths, codes), paging, real/paper, read/trade, and the JSON schema of call_endpoint's params.",
            json!({"endpoint": {"type": "string", "maxLength": 100, "description": "category/id, URL path or TR ID"}}),
            &["endpoint"],
        ),
        tool(
            "call_endpoint",
            "Call a read-only endpoint by name; params as describe_endpoint's input_schema (account comes from the server's config). Orders are refused.",
            json!({
                "endpoint": {"type": "string", "maxLength": 100},
                "variant": {"type": "string", "maxLength": 30},
                "params": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}}
            }),
            &["endpoint"],
        ),
        tool(
            "find_symbol",
            "Find an instrument in the symbol master by code, name or MARKET:CODE.",
            json!({"query": symbol()}),
            &["query"],
        ),
        tool(
            "quote",
            "Current price, change, day range, volume, limits.",
            json!({"symbol": symbol()}),
            &["symbol"],
        ),
        tool(
            "candles",
            "Daily/weekly/monthly/yearly bars between two dates (YYYYMMDD; default the last 90 days).",
            json!({
                "symbol": symbol(),
                "period": {"type": "string", "enum": ["day", "week", "month", "year"]},
                "from": {"type": "string", "pattern": "^[0-9]{8}$"},
                "to": {"type": "string", "pattern": "^[0-9]{8}$"}
            }),
            &["symbol"],
        ),
        tool(
            "balance",
            "Cash and positions of the configured account.",
            json!({}),
            &[],
        ),
        tool(
            "orders",
            "Orders of the configured account as the ledger knows them.",
            json!({}),
            &[],
        ),
        tool(
            "executions",
            "Orders and fills of a period (YYYYMMDD; default KIS's today; us: New York dates).",
            json!({
                "market": {"type": "string", "enum": ["domestic", "us"]},
                "from": {"type": "string", "pattern": "^[0-9]{8}$"},
                "to": {"type": "string", "pattern": "^[0-9]{8}$"}
            }),
            &[],
        ),
        tool(
            "realized_pnl",
            "Realized P&L per day and symbol, and totals (real service only).",
            json!({
                "from": {"type": "string", "pattern": "^[0-9]{8}$"},
                "to": {"type": "string", "pattern": "^[0-9]{8}$"}
            }),
            &["from", "to"],
        ),
        tool(
            "drift",
            "Holdings that differ from what the ledger's fills imply (empty: they agree).",
            json!({}),
            &[],
        ),
    ]
}

fn order_id() -> Value {
    json!({"type": "string", "pattern": "^L?[0-9]{1,12}$", "description": "ledger order id, e.g. L3"})
}

/// The trading tools (only with `kis mcp --trading`).
pub fn trading_tools() -> Vec<Tool> {
    vec![
        tool(
            "preview_order",
            "Check an order against the caps and return a preview id (valid briefly, single use). Sends nothing.",
            json!({
                "side": {"type": "string", "enum": ["buy", "sell"]},
                "symbol": symbol(),
                "qty": {"type": "integer", "minimum": 1},
                "price": {"type": "string", "pattern": "^[0-9]{1,12}(\\.[0-9]{1,6})?$", "description": "limit price; omit with market=true"},
                "market": {"type": "boolean"}
            }),
            &["side", "symbol", "qty"],
        ),
        tool(
            "place_order",
            "Send the order of a preview made moments before (its id; once).",
            json!({"preview_id": {"type": "string", "pattern": "^p[0-9a-f]{32}$"}}),
            &["preview_id"],
        ),
        tool(
            "modify_order",
            "Change an open order's price or quantity (within the caps).",
            json!({
                "order_id": order_id(),
                "price": {"type": "string", "pattern": "^[0-9]{1,12}(\\.[0-9]{1,6})?$"},
                "qty": {"type": "integer", "minimum": 1}
            }),
            &["order_id"],
        ),
        tool(
            "cancel_order",
            "Cancel an open order.",
            json!({"order_id": order_id()}),
            &["order_id"],
        ),
    ]
}
