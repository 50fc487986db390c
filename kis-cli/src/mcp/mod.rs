//! `kis mcp`: a Model Context Protocol server over stdio (rmcp). Read tools always; trading
//! tools only with `--trading` (paper, unless the configuration's real-trading opt-in is
//! set). Every argument is checked against its schema's rules here, in the server; nothing is
//! evaluated or executed; the account, HTS ID and credentials come only from the
//! configuration; every call is appended to the audit log with secrets masked; what KIS
//! answers is returned as JSON data.

mod audit;
mod schema;
mod trading;

use std::sync::Arc;
use std::time::{Duration, Instant};

use kis::Kis;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::{RequestContext, RoleServer};
use rmcp::{ErrorData, ServerHandler, ServiceExt};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use crate::catalog;
use crate::exit::{Failure, Outcome};
use crate::jobs::order_json;

pub use audit::{Audit, Scrubber};
pub use trading::{Caps, Preview};

/// `kis mcp` options.
#[derive(Debug, Clone)]
pub struct McpArgs {
    /// Offer the trading tools.
    pub trading: bool,
    /// The caps.
    pub caps: Caps,
    /// Audit log path.
    pub audit_log: Option<std::path::PathBuf>,
}

impl From<crate::cli::McpCli> for McpArgs {
    fn from(c: crate::cli::McpCli) -> Self {
        McpArgs {
            trading: c.trading,
            caps: Caps {
                max_qty: c.max_qty,
                max_notional: c.max_notional,
                max_orders_per_day: c.max_orders_per_day,
                symbols: c
                    .symbols
                    .iter()
                    .map(|s| s.trim().to_uppercase())
                    .filter(|s| !s.is_empty())
                    .collect(),
                preview_ttl: Duration::from_secs(c.preview_ttl),
            },
            audit_log: c.audit_log,
        }
    }
}

/// The server.
#[derive(Clone)]
pub struct KisMcp {
    kis: Kis,
    tools: Arc<Vec<Tool>>,
    desk: Option<Arc<trading::Desk>>,
    audit: Arc<Audit>,
}

/// Serves MCP on stdin/stdout until the client closes.
pub async fn serve(kis: Kis, args: McpArgs) -> Outcome<()> {
    let config = kis.client().config().clone();
    if args.trading && kis.env() == kis::Env::Real && !config.allow_real_trading() {
        return Err(Failure::invalid(
            None,
            "--trading on the real service needs the real-trading opt-in (allow_real_trading / KIS_ALLOW_REAL_TRADING=1)",
        ));
    }
    let path = args
        .audit_log
        .clone()
        .or_else(|| crate::connect::cache_base().map(|b| b.join("mcp-audit.jsonl")));
    let audit = Audit::open(path.as_deref(), Scrubber::new(&config))?;
    let mut tools = schema::read_tools();
    if args.trading {
        tools.extend(schema::trading_tools());
    }
    let server = KisMcp {
        kis,
        tools: Arc::new(tools),
        desk: args
            .trading
            .then(|| Arc::new(trading::Desk::new(args.caps))),
        audit: Arc::new(audit),
    };
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| Failure::other(format!("MCP: {e}")))?;
    running
        .waiting()
        .await
        .map_err(|e| Failure::other(format!("MCP: {e}")))?;
    Ok(())
}

// ---- argument checks: every tool reads its arguments only through these ----

fn no_extra(args: &Map<String, Value>, allowed: &[&str]) -> Outcome<()> {
    match args.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(Failure::invalid(
            Some("arguments"),
            format!("unknown argument `{k}` (allowed: {})", allowed.join(", ")),
        )),
        None => Ok(()),
    }
}

fn string(
    args: &Map<String, Value>,
    k: &str,
    max: usize,
    required: bool,
) -> Outcome<Option<String>> {
    match args.get(k) {
        None | Some(Value::Null) if !required => Ok(None),
        None | Some(Value::Null) => Err(Failure::invalid(Some(k), format!("`{k}` is required"))),
        Some(Value::String(s)) => {
            if s.chars().count() > max {
                return Err(Failure::invalid(
                    Some(k),
                    format!("`{k}` is longer than {max}"),
                ));
            }
            if s.chars().any(char::is_control) {
                return Err(Failure::invalid(
                    Some(k),
                    format!("`{k}` has control characters"),
                ));
            }
            Ok(Some(s.clone()))
        }
        Some(_) => Err(Failure::invalid(Some(k), format!("`{k}` must be a string"))),
    }
}

fn whole(args: &Map<String, Value>, k: &str, required: bool) -> Outcome<Option<u64>> {
    match args.get(k) {
        None | Some(Value::Null) if !required => Ok(None),
        None | Some(Value::Null) => Err(Failure::invalid(Some(k), format!("`{k}` is required"))),
        Some(v) => v
            .as_u64()
            .filter(|n| *n >= 1 && *n <= 1_000_000_000)
            .map(Some)
            .ok_or_else(|| Failure::invalid(Some(k), format!("`{k}` must be a whole number >= 1"))),
    }
}

fn price(args: &Map<String, Value>) -> Outcome<Option<Decimal>> {
    let Some(s) = string(args, "price", 20, false)? else {
        return Ok(None);
    };
    let ok = !s.is_empty()
        && s.split('.').count() <= 2
        && s.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if !ok {
        return Err(Failure::invalid(
            Some("price"),
            "`price` is a plain decimal like 70000 or 187.5",
        ));
    }
    s.parse::<Decimal>()
        .ok()
        .filter(|p| *p > Decimal::ZERO)
        .map(Some)
        .ok_or_else(|| Failure::invalid(Some("price"), "`price` must be positive"))
}

fn symbol(args: &Map<String, Value>, k: &str) -> Outcome<String> {
    let s = string(args, k, 40, true)?.unwrap_or_default();
    let ok = !s.trim().is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ':' | '.' | '-' | '&' | ' '));
    if !ok {
        return Err(Failure::invalid(
            Some(k),
            format!("`{k}`: letters, digits and : . - & only"),
        ));
    }
    Ok(s)
}

fn date(args: &Map<String, Value>, k: &str) -> Outcome<Option<chrono::NaiveDate>> {
    match string(args, k, 8, false)? {
        None => Ok(None),
        Some(s) => chrono::NaiveDate::parse_from_str(&s, "%Y%m%d")
            .map(Some)
            .map_err(|_| Failure::invalid(Some(k), format!("`{k}` is a date YYYYMMDD"))),
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

impl KisMcp {
    async fn dispatch(&self, name: &str, args: &Map<String, Value>) -> Outcome<Value> {
        let trading = || {
            self.desk
                .clone()
                .ok_or_else(|| Failure::invalid(None, format!("no tool `{name}`")))
        };
        match name {
            "search_endpoints" => {
                no_extra(args, &["query", "limit"])?;
                let q = string(args, "query", 100, true)?.unwrap_or_default();
                let limit = whole(args, "limit", false)?.unwrap_or(20).min(50) as usize;
                let found = catalog::search(&[q]);
                let total = found.len();
                let rows: Vec<Value> = found
                    .iter()
                    .take(limit)
                    .map(|i| catalog::summary_json(i))
                    .collect();
                Ok(json!({"total": total, "endpoints": rows}))
            }
            "describe_endpoint" => {
                no_extra(args, &["endpoint"])?;
                let e = string(args, "endpoint", 100, true)?.unwrap_or_default();
                let f = catalog::find(&e)?;
                let mut v = catalog::describe_json(f.info);
                v["input_schema"] = schema::endpoint_schema(f.info);
                Ok(v)
            }
            "call_endpoint" => {
                no_extra(args, &["endpoint", "variant", "params"])?;
                let e = string(args, "endpoint", 100, true)?.unwrap_or_default();
                let variant = string(args, "variant", 30, false)?;
                let f = crate::call::resolve(self.kis.client(), &e)?;
                let params = match args.get("params") {
                    None | Some(Value::Null) => Map::new(),
                    Some(Value::Object(m)) => m.clone(),
                    Some(_) => {
                        return Err(Failure::invalid(Some("params"), "`params` is an object"));
                    }
                };
                let params = crate::call::normalize(f.info, &params)?;
                for k in params.keys() {
                    if let Some(m) = f.info.fields.iter().find(|m| m.wire == k)
                        && schema::from_config_only(m)
                    {
                        return Err(Failure::invalid(
                            Some(k),
                            format!("{k} comes from the server's configuration only"),
                        ));
                    }
                }
                let variant = variant.as_deref().unwrap_or(f.variant);
                let client = self.kis.client();
                let raw = crate::call::build(client, f.info, variant, &params)?;
                if crate::call::is_trade(&raw) || catalog::is_trade(f.info) {
                    return Err(Failure::invalid(
                        None,
                        format!(
                            "{} changes state; call_endpoint is read-only",
                            catalog::full_id(f.info)
                        ),
                    ));
                }
                let resp = client
                    .send_raw(raw)
                    .await
                    .map_err(|e| Failure::from_client(&e, false))?;
                let body: Value = serde_json::from_slice(&resp.body)
                    .map_err(|e| Failure::other(format!("the answer is not JSON: {e}")))?;
                Ok(json!({"more_pages": resp.has_more(), "response": body}))
            }
            "find_symbol" => {
                no_extra(args, &["query"])?;
                let q = symbol(args, "query")?;
                let i = self.kis.instrument(&q).await?;
                Ok(json!({
                    "code": i.code, "name": i.name, "english_name": i.english_name,
                    "market": to_json(&i.market), "kind": to_json(&i.kind), "lot": i.lot,
                    "halted": i.halted, "warning": to_json(&i.warning),
                }))
            }
            "quote" => {
                no_extra(args, &["symbol"])?;
                let s = symbol(args, "symbol")?;
                Ok(to_json(&self.kis.stock(&s).await?.quote().await?))
            }
            "candles" => {
                no_extra(args, &["symbol", "period", "from", "to"])?;
                let s = symbol(args, "symbol")?;
                let period = match string(args, "period", 5, false)?.as_deref() {
                    None | Some("day") => kis::Period::Day,
                    Some("week") => kis::Period::Week,
                    Some("month") => kis::Period::Month,
                    Some("year") => kis::Period::Year,
                    Some(_) => {
                        return Err(Failure::invalid(Some("period"), "day, week, month or year"));
                    }
                };
                let to = match date(args, "to")? {
                    Some(d) => d,
                    // KIS's day, never this machine's.
                    None => {
                        self.kis.sync_clock().await?;
                        self.kis.trading_day()
                    }
                };
                let from = date(args, "from")?.unwrap_or(to - chrono::Duration::days(90));
                if from > to || (to - from).num_days() > 3660 {
                    return Err(Failure::invalid(
                        Some("from"),
                        "from..to must be in order and at most 10 years",
                    ));
                }
                Ok(to_json(
                    &self.kis.stock(&s).await?.candles(period, from, to).await?,
                ))
            }
            "balance" => {
                no_extra(args, &[])?;
                Ok(to_json(&self.kis.account()?.balance().await?))
            }
            "orders" => {
                no_extra(args, &[])?;
                let views = self.kis.account()?.orders().await?;
                Ok(json!({"orders": views.iter().map(order_json).collect::<Vec<_>>()}))
            }
            "executions" => {
                no_extra(args, &["market", "from", "to"])?;
                let us = match string(args, "market", 8, false)?.as_deref() {
                    None | Some("domestic") => false,
                    Some("us") => true,
                    Some(_) => return Err(Failure::invalid(Some("market"), "domestic or us")),
                };
                let to = match date(args, "to")? {
                    Some(d) => d,
                    // KIS's day (New York's for US orders), never this machine's.
                    None => {
                        self.kis.sync_clock().await?;
                        if us {
                            self.kis
                                .calendar(kis::Market::Nasdaq)
                                .local_time(self.kis.now().to_utc())
                                .date()
                        } else {
                            self.kis.today()
                        }
                    }
                };
                let from = date(args, "from")?.unwrap_or(to);
                if from > to || (to - from).num_days() > 92 {
                    return Err(Failure::invalid(
                        Some("from"),
                        "from..to must be in order and at most 3 months",
                    ));
                }
                let account = self.kis.account()?;
                Ok(if us {
                    to_json(&account.overseas_executions(from, to).await?)
                } else {
                    to_json(&account.executions(from, to).await?)
                })
            }
            "realized_pnl" => {
                no_extra(args, &["from", "to"])?;
                let (Some(from), Some(to)) = (date(args, "from")?, date(args, "to")?) else {
                    return Err(Failure::invalid(
                        Some("from"),
                        "`from` and `to` are required",
                    ));
                };
                if from > to {
                    return Err(Failure::invalid(Some("from"), "`from` is after `to`"));
                }
                Ok(to_json(&self.kis.account()?.realized_pnl(from, to).await?))
            }
            "drift" => {
                no_extra(args, &[])?;
                Ok(json!({"drift": to_json(&self.kis.account()?.drift().await?)}))
            }
            "preview_order" => {
                let desk = trading()?;
                no_extra(args, &["side", "symbol", "qty", "price", "market"])?;
                let side = string(args, "side", 4, true)?.unwrap_or_default();
                if side != "buy" && side != "sell" {
                    return Err(Failure::invalid(Some("side"), "`side` is buy or sell"));
                }
                let sym = symbol(args, "symbol")?;
                let qty = whole(args, "qty", true)?.unwrap_or(0);
                let px = price(args)?;
                let market = match args.get("market") {
                    None | Some(Value::Null) => false,
                    Some(Value::Bool(b)) => *b,
                    Some(_) => {
                        return Err(Failure::invalid(
                            Some("market"),
                            "`market` is true or false",
                        ));
                    }
                };
                if market == px.is_some() {
                    return Err(Failure::invalid(
                        Some("price"),
                        "give `price` or `market: true` (one of them)",
                    ));
                }
                let stock = self.kis.stock(&sym).await?;
                let code = stock.instrument().code.clone();
                let unit = match px {
                    Some(p) => p,
                    None => {
                        let q = stock.quote().await?;
                        q.upper_limit.unwrap_or(q.price).amount()
                    }
                };
                let notional = unit * Decimal::from(qty);
                desk.check(&sym, &code, qty, notional)?;
                let p = Preview {
                    side,
                    symbol: code,
                    qty,
                    price: px,
                    notional,
                };
                let id = desk.add_preview(p.clone(), Instant::now());
                Ok(json!({
                    "preview_id": id,
                    "expires_in_seconds": desk.caps.preview_ttl.as_secs(),
                    "order": {"side": p.side, "symbol": p.symbol, "name": stock.instrument().name,
                              "qty": p.qty, "price": p.price.map(|d| d.to_string()),
                              "market": p.price.is_none(), "notional": p.notional.to_string()},
                    "env": match self.kis.env() { kis::Env::Real => "real", kis::Env::Paper => "paper" },
                }))
            }
            "place_order" => {
                let desk = trading()?;
                no_extra(args, &["preview_id"])?;
                let id = string(args, "preview_id", 40, true)?.unwrap_or_default();
                let p = desk.take_preview(&id, Instant::now(), self.kis.trading_day())?;
                desk.check(&p.symbol, &p.symbol, p.qty, p.notional)?;
                let account = self.kis.account()?;
                let b = if p.side == "buy" {
                    account.buy(&p.symbol, p.qty)
                } else {
                    account.sell(&p.symbol, p.qty)
                };
                let b = match p.price {
                    Some(px) => b.limit(px),
                    None => b.market(),
                };
                let order = b.submit().await.map_err(|e| Failure::from_kis(&e, true))?;
                Ok(order_json(&order.view()))
            }
            "modify_order" | "cancel_order" => {
                let desk = trading()?;
                let cancel = name == "cancel_order";
                no_extra(
                    args,
                    if cancel {
                        &["order_id"]
                    } else {
                        &["order_id", "price", "qty"]
                    },
                )?;
                let oid = string(args, "order_id", 14, true)?.unwrap_or_default();
                let id = crate::trade::parse_id(&oid).map_err(|mut f| {
                    f.field = Some("order_id".into());
                    f
                })?;
                let order = self.kis.account()?.order(id).await?.ok_or_else(|| {
                    Failure::invalid(Some("order_id"), "no such order in the ledger")
                })?;
                let view = order.view();
                if cancel {
                    let v = order
                        .cancel()
                        .await
                        .map_err(|e| Failure::from_kis(&e, true))?;
                    return Ok(order_json(&v));
                }
                let (px, qty) = (price(args)?, whole(args, "qty", false)?);
                let new_qty = qty.unwrap_or(view.remaining);
                let unit = px.or(view.price).unwrap_or(Decimal::ZERO);
                desk.check(
                    &view.intent.symbol,
                    &view.intent.symbol,
                    new_qty.max(1),
                    unit * Decimal::from(new_qty),
                )?;
                let v = match (px, qty) {
                    (Some(p), None) => order.modify_price(p).await,
                    (None, Some(q)) => order.modify_qty(q).await,
                    _ => {
                        return Err(Failure::invalid(
                            Some("price"),
                            "give exactly one of `price` or `qty`",
                        ));
                    }
                };
                Ok(order_json(&v.map_err(|e| Failure::from_kis(&e, true))?))
            }
            _ => Err(Failure::invalid(None, format!("no tool `{name}`"))),
        }
    }
}

fn structured(v: Value) -> Value {
    match v {
        Value::Object(_) => v,
        other => json!({"result": other}),
    }
}

impl ServerHandler for KisMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("kis", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "KIS (한국투자증권) Open API. Read tools are safe. Trading tools (when offered) need \
                 preview_order then place_order with the preview id; caps are enforced by the server.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools.as_ref().clone()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = request.arguments.clone().unwrap_or_default();
        let name = request.name.to_string();
        let offered = self.tools.iter().any(|t| t.name == name);
        let result = if offered {
            self.dispatch(&name, &args).await
        } else {
            Err(Failure::invalid(None, "no such tool"))
        };
        let scrub = self.audit.scrubber();
        let args_v = Value::Object(args);
        Ok(match result {
            Ok(v) => {
                self.audit.record(&name, &args_v, Ok("ok"));
                CallToolResult::structured(structured(scrub.value(&v))).into()
            }
            Err(f) => {
                self.audit.record(&name, &args_v, Err(&f.message));
                let e = json!({"error": {"kind": f.kind(), "field": f.field, "message": scrub.text(&f.message)}});
                CallToolResult::structured_error(e).into()
            }
        })
    }
}
