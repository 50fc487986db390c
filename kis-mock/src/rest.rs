//! The REST side: OAuth endpoints, hashkey, and every spec endpoint with KIS's checks (token,
//! app key, TR ID per path and environment, `custtype`, required parameters), rate limit,
//! paging and fault injection.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method as HttpMethod, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use kis_spec::{ApiSpec, Method, PagingScheme};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;

use crate::auth::{TokenError, random_text};
pub(crate) use crate::call::{CTX_PREFIX, Call, Reply, paginate};
use crate::config::MockEnv;
use crate::faults::Drip;
use crate::server::{Shared, lock};
use crate::stats::bump;
use crate::{synth, trading};

/// Accepts connections until shutdown.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut shutdown = shared.shutdown.clone();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((tcp, _)) = accepted else { continue };
                let _ = tcp.set_nodelay(true);
                tokio::spawn(connection(tcp, shared.clone()));
            }
            _ = crate::server::stopped(&mut shutdown) => break,
        }
    }
}

async fn connection(tcp: tokio::net::TcpStream, shared: Arc<Shared>) {
    let peer = tcp.peer_addr().ok();
    let io = TokioIo::new(Drip::new(tcp, shared.faults.clone()));
    let mut shutdown = shared.shutdown.clone();
    let service = service_fn(move |req| {
        let shared = shared.clone();
        async move { Ok::<_, Infallible>(handle(shared, req, peer).await) }
    });
    // Standard headers title-cased (`Content-Type`), KIS's own as `header_case` lists them.
    let conn = http1::Builder::new()
        .title_case_headers(true)
        .serve_connection(io, service);
    tokio::select! {
        _ = conn => {}
        _ = crate::server::stopped(&mut shutdown) => {}
    }
}

/// The largest request body the mock reads (KIS's requests are a few hundred bytes): larger
/// ones are refused with 413 before they are buffered, whoever sends them.
pub(crate) const MAX_BODY: usize = 1 << 20;

/// 413 for a body over [`MAX_BODY`]; the connection closes after it (the rest is not read).
fn too_large(sh: &Shared) -> Response<Full<Bytes>> {
    let reply = Reply::error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "EGW00002",
        format!("요청 본문이 너무 큽니다 (최대 {MAX_BODY} 바이트)."),
    );
    let mut response = render(reply, &HeaderMap::new(), &sh.market.http_date());
    response
        .headers_mut()
        .insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
    crate::header_case::apply(&mut response);
    response
}

async fn handle(
    sh: Arc<Shared>,
    req: Request<Incoming>,
    peer: Option<std::net::SocketAddr>,
) -> Response<Full<Bytes>> {
    let path = req.uri().path().to_owned();
    sh.stats.request(&path);
    let declared = req
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return too_large(&sh);
    }
    if let Some(mut file) = crate::master::serve(&sh, &path) {
        crate::header_case::apply(&mut file);
        return file;
    }
    // The control API is never delayed: a harness must be able to switch a delay off.
    let delay = (!path.starts_with(crate::control::PREFIX))
        .then(|| sh.faults.delay_for(&path))
        .flatten();
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    let (parts, body) = req.into_parts();
    // A chunked body is counted as it arrives: reading stops at the limit.
    let body = match http_body_util::Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => return too_large(&sh),
        Err(_) => Bytes::new(),
    };
    if let Some(reply) = crate::control::route(&sh, peer, &parts.method, &path, &body) {
        let mut response = render(reply, &parts.headers, &sh.market.http_date());
        crate::header_case::apply(&mut response);
        return response;
    }
    let notices_before = sh.notice_log.written();
    let reply = if sh.faults.take_http500(&path) {
        Reply::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "EGW00001",
            "일시적인 오류가 발생했습니다.",
        )
    } else if crate::control::rate_limited(&sh, &path) {
        Reply::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "EGW00201",
            "초당 거래건수를 초과하였습니다.",
        )
    } else {
        route(&sh, &parts, &path, &body)
    };
    let reply = crate::control::order_reply(&sh, &parts.method, &path, reply, notices_before).await;
    let mut response = render(reply, &parts.headers, &sh.market.http_date());
    crate::header_case::apply(&mut response);
    response
}

fn render(reply: Reply, request_headers: &HeaderMap, date: &str) -> Response<Full<Bytes>> {
    let body = serde_json::to_vec(&reply.body).unwrap_or_default();
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = reply.status;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    // The simulated clock's time, as KIS's gateway sends its own.
    if let Ok(value) = HeaderValue::from_str(date) {
        headers.insert(hyper::header::DATE, value);
    }
    let tr_id = reply
        .tr_id
        .or_else(|| header(request_headers, "tr_id").map(str::to_owned));
    if let Some(value) = tr_id.and_then(|t| HeaderValue::from_str(&t).ok()) {
        headers.insert("tr_id", value);
    }
    if let Some(cont) = reply.tr_cont {
        headers.insert("tr_cont", HeaderValue::from_static(cont));
    }
    if let Ok(value) = HeaderValue::from_str(&random_text(32)) {
        headers.insert("gt_uid", value);
    }
    response
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn route(sh: &Arc<Shared>, parts: &hyper::http::request::Parts, path: &str, body: &Bytes) -> Reply {
    match path {
        "/oauth2/tokenP" => token(sh, body),
        "/oauth2/revokeP" => revoke(sh, body),
        "/oauth2/Approval" => approval(sh, body),
        "/uapi/hashkey" => hashkey(sh, &parts.headers, body),
        _ => endpoint(sh, parts, path, body).unwrap_or_else(|reply| reply),
    }
}

fn json_object(body: &Bytes) -> Option<Map<String, Value>> {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.as_object().cloned())
}

fn str_of<'a>(object: &'a Map<String, Value>, key: &str) -> &'a str {
    object.get(key).and_then(Value::as_str).unwrap_or("")
}

fn token(sh: &Shared, body: &Bytes) -> Reply {
    let Some(req) = json_object(body) else {
        return Reply::oauth("EGW00002", "요청 본문이 올바르지 않습니다.");
    };
    if str_of(&req, "grant_type") != "client_credentials" {
        return Reply::oauth("EGW00101", "유효하지 않은 grant_type 입니다.");
    }
    if let Err(reply) = check_keys(sh, str_of(&req, "appkey"), str_of(&req, "appsecret"), true) {
        return reply;
    }
    let c = &sh.config;
    let issued = lock(&sh.auth).issue(c.token_issue_window, c.token_ttl, c.token_reuse_window);
    match issued {
        Some(issued) => {
            bump(&sh.stats.token_issued);
            Reply::ok(json!({
                "access_token": issued.token,
                "access_token_token_expired": issued.expires_kst,
                "token_type": "Bearer",
                "expires_in": issued.expires_in,
            }))
        }
        None => {
            bump(&sh.stats.token_refused);
            Reply::oauth(
                "EGW00133",
                "접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)",
            )
        }
    }
}

fn revoke(sh: &Shared, body: &Bytes) -> Reply {
    let Some(req) = json_object(body) else {
        return Reply::oauth("EGW00002", "요청 본문이 올바르지 않습니다.");
    };
    if let Err(reply) = check_keys(sh, str_of(&req, "appkey"), str_of(&req, "appsecret"), true) {
        return reply;
    }
    if lock(&sh.auth).revoke(str_of(&req, "token")) {
        Reply::ok(json!({"code": 200, "message": "접근토큰 폐기에 성공하였습니다"}))
    } else {
        Reply::oauth("EGW00121", "유효하지 않은 token 입니다.")
    }
}

fn approval(sh: &Shared, body: &Bytes) -> Reply {
    let Some(req) = json_object(body) else {
        return Reply::oauth("EGW00002", "요청 본문이 올바르지 않습니다.");
    };
    if str_of(&req, "grant_type") != "client_credentials" {
        return Reply::oauth("EGW00101", "유효하지 않은 grant_type 입니다.");
    }
    if !req.contains_key("secretkey") {
        return Reply::oauth(
            "EGW00105",
            "secretkey 가 없습니다 (appsecret 이 아닌 secretkey).",
        );
    }
    if let Err(reply) = check_keys(sh, str_of(&req, "appkey"), str_of(&req, "secretkey"), true) {
        return reply;
    }
    let key = lock(&sh.auth).approval_key(str_of(&req, "appkey"));
    Reply::ok(json!({"approval_key": key}))
}

fn hashkey(sh: &Shared, headers: &HeaderMap, body: &Bytes) -> Reply {
    let appkey = header(headers, "appkey").unwrap_or("");
    if let Err(reply) = check_keys(
        sh,
        appkey,
        header(headers, "appsecret").unwrap_or(""),
        false,
    ) {
        return reply;
    }
    if let Err(reply) = rate_limit(sh, appkey) {
        return reply;
    }
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return Reply::error(
            StatusCode::BAD_REQUEST,
            "EGW00002",
            "요청 본문이 올바르지 않습니다.",
        );
    };
    let hash = Sha256::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    Reply::ok(json!({"BODY": value, "HASH": hash}))
}

/// App key and secret check; `oauth` picks the OAuth error shape.
fn check_keys(sh: &Shared, appkey: &str, appsecret: &str, oauth: bool) -> Result<(), Reply> {
    let fail = |code: &str, msg: &str| {
        if oauth {
            Reply::oauth(code, msg)
        } else {
            Reply::error(StatusCode::INTERNAL_SERVER_ERROR, code, msg)
        }
    };
    if appkey != sh.config.app_key {
        return Err(fail("EGW00103", "유효하지 않은 AppKey입니다."));
    }
    if appsecret != sh.config.app_secret {
        return Err(fail("EGW00105", "유효하지 않은 AppSecret입니다."));
    }
    Ok(())
}

/// Counts a request against the app key's budget for the current second.
fn rate_limit(sh: &Shared, appkey: &str) -> Result<(), Reply> {
    let Some(limit) = sh.config.rate_limit_per_sec else {
        return Ok(());
    };
    let now = tokio::time::Instant::now();
    let mut limiter = lock(&sh.limiter);
    let window = limiter.entry(appkey.to_owned()).or_insert((now, 0));
    if now.duration_since(window.0) >= std::time::Duration::from_secs(1) {
        *window = (now, 0);
    }
    if window.1 >= limit {
        bump(&sh.stats.rate_limited);
        return Err(Reply::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "EGW00201",
            "초당 거래건수를 초과하였습니다.",
        ));
    }
    window.1 += 1;
    Ok(())
}

fn endpoint(
    sh: &Arc<Shared>,
    parts: &hyper::http::request::Parts,
    path: &str,
    body: &Bytes,
) -> Result<Reply, Reply> {
    let specs: Vec<&ApiSpec> = sh.catalog.at_path(path).collect();
    if specs.is_empty() {
        return Err(Reply::error(
            StatusCode::NOT_FOUND,
            "EGW00404",
            format!("없는 경로입니다: {path}"),
        ));
    }
    let headers = &parts.headers;
    let appkey = header(headers, "appkey").unwrap_or("");
    check_keys(
        sh,
        appkey,
        header(headers, "appsecret").unwrap_or(""),
        false,
    )?;
    rate_limit(sh, appkey)?;
    let bearer = header(headers, "authorization")
        .and_then(|a| {
            a.strip_prefix("Bearer ")
                .or_else(|| a.strip_prefix("bearer "))
        })
        .unwrap_or("");
    match lock(&sh.auth).check(bearer.trim(), sh.config.accept_any_token) {
        Ok(()) => {}
        Err(TokenError::Invalid) => {
            return Err(Reply::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "EGW00121",
                "유효하지 않은 token 입니다.",
            ));
        }
        Err(TokenError::Expired) => {
            return Err(Reply::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "EGW00123",
                "기간이 만료된 token 입니다.",
            ));
        }
    }
    let sent = header(headers, "tr_id").unwrap_or("");
    let env = sh.config.env;
    // An old TR ID KIS replaced (a deprecated alias) is served as the variant's current one.
    let found = specs.iter().copied().find_map(|s| {
        s.variants
            .iter()
            .find(|v| v.answers_to(sent, env.into()))
            .map(|v| (s, v.tr_id(env.into()).unwrap_or(sent)))
    });
    let Some((spec, current)) = found else {
        let other = match env {
            MockEnv::Real => MockEnv::Paper,
            MockEnv::Paper => MockEnv::Real,
        };
        let elsewhere = specs
            .iter()
            .any(|s| s.variants.iter().any(|v| v.answers_to(sent, other.into())));
        return Err(match (elsewhere, env) {
            (true, MockEnv::Real) => Reply::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "EGW02004",
                format!("실전투자 TR 이 아닙니다. ({sent})"),
            ),
            (true, MockEnv::Paper) => Reply::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "EGW02006",
                format!("모의투자 TR 이 아닙니다. ({sent})"),
            ),
            (false, _) => Reply::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "OPSQ0002",
                format!("없는 서비스 코드 입니다. ({sent})"),
            ),
        });
    };
    let expected = match spec.method {
        Method::Get => HttpMethod::GET,
        Method::Post => HttpMethod::POST,
    };
    if parts.method != expected {
        return Err(Reply::error(
            StatusCode::METHOD_NOT_ALLOWED,
            "EGW00405",
            format!("{path} 는 {expected} 로 호출해야 합니다."),
        ));
    }
    // KIS takes a request without `custtype` as an individual's (`P`); a value other than P or
    // B is refused.
    match header(headers, "custtype") {
        None | Some("P") | Some("B") => {}
        Some(_) => {
            return Err(Reply::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "EGW00130",
                "custtype 헤더가 올바르지 않습니다 (P 또는 B).",
            ));
        }
    }
    let params = params(spec, parts, body)?;
    let page = page(&sh.tr_cont_pages, spec, headers, &params)?;
    if page > 0 && sh.faults.take_data_changed(path) {
        return Err(Reply::business(
            "SYDB0050",
            "조회이후에 자료가 변경되었습니다.(다시 조회하세요)",
        ));
    }
    let call = Call {
        sh,
        spec,
        tr_id: current,
        params,
        page,
    };
    let mut reply = match crate::overseas::handle(&call)
        .or_else(|| crate::derivatives::handle(&call))
        .or_else(|| trading::handle(&call))
        .or_else(|| crate::pnl::handle(&call))
    {
        Some(reply) => reply,
        None => generic(&call),
    };
    if spec.paging.as_ref().map(|p| p.scheme) == Some(PagingScheme::TrCont) {
        // KIS keeps the place of a `tr_cont`-only scan on its side; so does the mock.
        let key = tr_cont_key(spec, &call.params);
        let mut pages = lock(&sh.tr_cont_pages);
        if matches!(reply.tr_cont, Some("F" | "M")) {
            // Bounded: scans nobody finishes are forgotten past MAX_OPEN_SCANS.
            if pages.len() >= MAX_OPEN_SCANS && !pages.contains_key(&key) {
                if let Some(old) = pages.keys().next().cloned() {
                    pages.remove(&old);
                }
            }
            pages.insert(key, page + 1);
        } else {
            pages.remove(&key);
        }
    }
    reply.tr_id = Some(sent.to_owned());
    Ok(reply)
}

/// Most `tr_cont`-only scans whose place the mock keeps at once.
const MAX_OPEN_SCANS: usize = 1024;

/// What identifies a `tr_cont`-only scan: the path and the parameters.
fn tr_cont_key(spec: &ApiSpec, params: &HashMap<String, String>) -> String {
    let mut p: Vec<_> = params.iter().collect();
    p.sort();
    format!("{}?{p:?}", spec.path)
}

/// Query or body parameters as strings, with the required ones checked.
fn params(
    spec: &ApiSpec,
    parts: &hyper::http::request::Parts,
    body: &Bytes,
) -> Result<HashMap<String, String>, Reply> {
    let mut out = HashMap::new();
    let fields = match spec.method {
        Method::Get => {
            let query = parts.uri.query().unwrap_or("");
            for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
                out.insert(k.into_owned(), v.into_owned());
            }
            &spec.request.query
        }
        Method::Post => {
            let object = match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(o)) => o,
                _ => {
                    return Err(Reply::business(
                        "OPSQ2003",
                        "ERROR INVALID JSON BODY (JSON 객체가 아닙니다)",
                    ));
                }
            };
            for (k, v) in object {
                match v {
                    Value::String(s) => {
                        out.insert(k, s);
                    }
                    Value::Array(_) | Value::Object(_) => {
                        out.insert(k, String::new());
                    }
                    _ => {
                        return Err(Reply::business(
                            "OPSQ2002",
                            format!("ERROR INPUT FIELD TYPE [{k}] (값은 문자열이어야 합니다)"),
                        ));
                    }
                }
            }
            &spec.request.body
        }
    };
    // Absent is refused only where KIS refuses it: a required field KIS does not also accept
    // blank. Blank-by-design fields (continuation keys, `AUTH`, `EXCG_ID_DVSN_CD`, added with
    // NXT in 2025 and unknown to older clients) may be left out, as KIS allows.
    for field in fields.iter().filter(|f| f.required && !f.blank) {
        let present = out.contains_key(&field.name)
            || out.keys().any(|k| k.eq_ignore_ascii_case(&field.name));
        if !present {
            return Err(Reply::business(
                "OPSQ2001",
                format!("ERROR INPUT FIELD NOT FOUND [{}]", field.name),
            ));
        }
    }
    Ok(out)
}

/// The 0-based page a request asks for, by the endpoint's scheme: `CTX_AREA_*` keys with
/// `tr_cont` `N`; a `KEYB`/`CTS`/`INDEX_KEY` key (with its companions, e.g. `QRY_TP=P`); the
/// place the mock keeps for a `tr_cont`-only scan. Cursor and non-paging endpoints answer one
/// page.
fn page(
    tr_cont_pages: &std::sync::Mutex<HashMap<String, u32>>,
    spec: &ApiSpec,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<u32, Reply> {
    let Some(paging) = &spec.paging else {
        return Ok(0);
    };
    let cont_n = header(headers, "tr_cont").map(str::trim) == Some("N");
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map_or("", |(_, v)| v.as_str())
    };
    let bad = |what: String| {
        Reply::business(
            "OPSQ0005",
            format!(
                "연속조회키가 올바르지 않습니다 ({what}); 다음 조회에는 이전 응답의 키를 넘겨야 합니다."
            ),
        )
    };
    let keyed = || {
        paging.request.iter().find_map(|name| {
            param(name)
                .trim()
                .strip_prefix(CTX_PREFIX)
                .and_then(|n| n.parse::<u32>().ok())
        })
    };
    match paging.scheme {
        PagingScheme::None | PagingScheme::Cursor => Ok(0),
        PagingScheme::CtxArea if !cont_n => Ok(0),
        PagingScheme::CtxArea => keyed().ok_or_else(|| bad(paging.request.join(", "))),
        PagingScheme::Key => {
            if paging.request.iter().all(|k| param(k).trim().is_empty()) {
                return Ok(0);
            }
            let page = keyed().ok_or_else(|| bad(paging.request.join(", ")))?;
            for set in &paging.next {
                if param(&set.field) != set.value {
                    return Err(bad(format!("{} 는 다음조회 시 {}", set.field, set.value)));
                }
            }
            Ok(page)
        }
        PagingScheme::TrCont if !cont_n => Ok(0),
        PagingScheme::TrCont => lock(tr_cont_pages)
            .get(&tr_cont_key(spec, params))
            .copied()
            .ok_or_else(|| bad("tr_cont N 이전의 조회가 없습니다".into())),
    }
}

/// A spec-shaped answer with no state behind it.
fn generic(call: &Call<'_>) -> Reply {
    if call.spec.paging.as_ref().map(|p| p.scheme) == Some(PagingScheme::Cursor) {
        return crate::cursor::answer(call);
    }
    let config = &call.sh.config;
    let rows = config.paging.rows as usize;
    let pages = match call.spec.paging.as_ref().map(|p| p.scheme) {
        Some(PagingScheme::CtxArea | PagingScheme::Key | PagingScheme::TrCont) => {
            config.paging.pages.max(1)
        }
        _ => 1,
    };
    if call.page >= pages {
        return Reply::business(
            "OPSQ0005",
            "연속조회키가 올바르지 않습니다 (마지막 페이지 이후).",
        );
    }
    if let Some(reply) = crate::quotes::unknown_product(call) {
        return reply;
    }
    let example = call.sh.catalog.example(call.spec);
    let mut body = synth::body(call.spec, example, rows, call.page as usize * rows);
    crate::quotes::fill(call, &mut body);
    let tr_cont = paginate(call.spec, &mut body, call.page, pages);
    Reply {
        tr_cont: Some(tr_cont),
        ..Reply::ok(Value::Object(body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn paging_spec() -> ApiSpec {
        serde_json::from_value(json!({
            "id": "x", "category": "c", "kind": "rest", "name": "n", "menu": "m", "api_id": "a",
            "seq": 1, "method": "GET", "path": "/x",
            "paging": {"request": ["CTX_AREA_FK100", "CTX_AREA_NK100"],
                       "response": ["ctx_area_fk100", "ctx_area_nk100"]}
        }))
        .expect("a valid spec")
    }

    fn next_request(body: &Map<String, Value>) -> (HeaderMap, HashMap<String, String>) {
        let mut headers = HeaderMap::new();
        headers.insert("tr_cont", HeaderValue::from_static("N"));
        let params = [
            ("CTX_AREA_FK100", "ctx_area_fk100"),
            ("CTX_AREA_NK100", "ctx_area_nk100"),
        ]
        .into_iter()
        .map(|(req, res)| (req.to_owned(), body[res].as_str().unwrap_or("").to_owned()))
        .collect();
        (headers, params)
    }

    proptest! {
        /// The continuation keys of page `p` lead to page `p + 1`, and `tr_cont` marks the last.
        #[test]
        fn continuation_round_trip(pages in 1u32..50, at in 0u32..50) {
            let spec = paging_spec();
            let at = at % pages;
            let mut body = Map::new();
            let cont = paginate(&spec, &mut body, at, pages);
            let last = at + 1 == pages;
            prop_assert_eq!(matches!(cont, "D" | "E"), last);
            if !last {
                let (headers, params) = next_request(&body);
                prop_assert_eq!(page(&Default::default(), &spec, &headers, &params).ok(), Some(at + 1));
            }
        }

        /// Any continuation value either names a page or is refused; it never panics.
        #[test]
        fn any_continuation_key_is_handled(key in ".{0,24}") {
            let spec = paging_spec();
            let mut headers = HeaderMap::new();
            headers.insert("tr_cont", HeaderValue::from_static("N"));
            let params = HashMap::from([("CTX_AREA_FK100".to_owned(), key)]);
            let _ = page(&Default::default(), &spec, &headers, &params);
        }
    }

    #[test]
    fn first_page_without_tr_cont() {
        let spec = paging_spec();
        assert_eq!(
            page(
                &Default::default(),
                &spec,
                &HeaderMap::new(),
                &HashMap::new()
            )
            .ok(),
            Some(0)
        );
    }
}
