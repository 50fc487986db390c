//! The `Client` handle and every method on it: construction, tokens and approval keys, the
//! typed `send`, the raw escape hatch, and paging. Clones share one connection pool, one rate
//! limiter and one token state.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use futures::{Stream, StreamExt};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use tracing::Instrument;

use crate::auth::Auth;
use crate::config::Config;
use crate::decode::decode;
use crate::endpoint::{Endpoint, Env, HttpMethod, PagedResponse};
use crate::error::Error;
use crate::paging::{Failure, Incomplete, Page, Rows, Scan, Step};
use crate::rate_limit::RateLimiter;
use crate::secret::ApprovalKey;
use crate::transport::{RawRequest, RawResponse, query_pairs};
use crate::wire::Wire;

/// A KIS REST client. Cheap to clone: clones share the connection pool, the rate limiter and the
/// token.
///
/// ```no_run
/// # async fn demo() -> Result<(), kis_client::Error> {
/// let client = kis_client::Client::new(kis_client::Config::load()?)?;
/// let key = client.approval_key().await?; // for kis-ws
/// # let _ = key; Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

/// Shared state behind a [`Client`].
#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) config: Config,
    /// Connection pool, limiter and base headers: the one way onto the wire.
    pub(crate) wire: Wire,
    /// Token state, shared with every `Client` for the same app key and service.
    pub(crate) auth: Arc<Auth>,
}

/// Limiters by (env, base URL, app key, rate): separate `Client`s for the same app key share
/// one, because KIS counts per app key.
fn shared_limiter(config: &Config) -> Arc<RateLimiter> {
    static LIMITERS: OnceLock<Mutex<HashMap<String, Weak<RateLimiter>>>> = OnceLock::new();
    let key = format!(
        "{:?}\0{}\0{}\0{}\0{:?}",
        config.env,
        config.rest_url,
        config.app_key.expose(),
        config.rate_limit_per_sec,
        config.rate_limit_window
    );
    let map = LIMITERS.get_or_init(Default::default);
    let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
    map.retain(|_, w| w.strong_count() > 0);
    if let Some(l) = map.get(&key).and_then(Weak::upgrade) {
        return l;
    }
    let l = Arc::new(RateLimiter::new(
        config.rate_limit_per_sec,
        config.rate_limit_window,
    ));
    map.insert(key, Arc::downgrade(&l));
    l
}

fn header(
    name: &'static str,
    value: &str,
    sensitive: bool,
) -> Result<(HeaderName, HeaderValue), Error> {
    let mut v = HeaderValue::from_str(value).map_err(|_| {
        Error::InvalidConfig(format!(
            "{name} contains characters not allowed in a header"
        ))
    })?;
    v.set_sensitive(sensitive);
    Ok((HeaderName::from_static(name), v))
}

impl Client {
    /// Builds a client. No network call is made until the first request.
    pub fn new(config: Config) -> Result<Client, Error> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .pool_idle_timeout(std::time::Duration::from_secs(60))
            // Never follow a redirect: a 307/308 would re-send an order, and any redirect would
            // carry the appkey/appsecret headers to wherever it points. `Wire` reports it.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::InvalidConfig(format!("cannot build the HTTP client: {e}")))?;
        let mut base_headers = HeaderMap::new();
        base_headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        for (name, value, sensitive) in [
            ("appkey", config.app_key.expose(), true),
            ("appsecret", config.app_secret.expose(), true),
            ("custtype", config.custtype.as_str(), false),
        ] {
            let (n, v) = header(name, value, sensitive)?;
            base_headers.insert(n, v);
        }
        if let Some(ua) = &config.user_agent {
            let (_, v) = header("user-agent", ua, false)?;
            base_headers.insert(USER_AGENT, v);
        }
        let limiter = shared_limiter(&config);
        Ok(Client {
            inner: Arc::new(Inner {
                auth: Auth::shared(&config),
                wire: Wire {
                    http,
                    limiter,
                    rest_url: config.rest_url.clone(),
                    base_headers,
                    server_clock: Default::default(),
                },
                config,
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// How far KIS's clock is ahead of this machine's (negative: behind), from the HTTP `Date`
    /// header of its latest answer; `None` before the first answer (tokens and approval keys
    /// count). KIS keeps orders and executions by its own KST day: ask it, not this machine.
    ///
    /// ```no_run
    /// # async fn demo(client: kis_client::Client) -> Result<(), kis_client::Error> {
    /// client.ensure_token().await?; // any exchange with KIS tells its clock
    /// assert!(client.server_offset().is_some());
    /// # Ok(()) }
    /// ```
    pub fn server_offset(&self) -> Option<chrono::TimeDelta> {
        self.inner.wire.server_clock.offset()
    }

    /// KIS's current KST wall time, by its clock ([`Client::server_offset`]); `None` before
    /// the first answer.
    ///
    /// ```no_run
    /// # async fn demo(client: kis_client::Client) -> Result<(), kis_client::Error> {
    /// client.ensure_token().await?;
    /// println!("KIS says it is {:?}", client.server_now());
    /// # Ok(()) }
    /// ```
    pub fn server_now(&self) -> Option<chrono::NaiveDateTime> {
        let offset = self.server_offset()?;
        Some(crate::server_clock::kst_at(
            std::time::SystemTime::now(),
            offset,
        ))
    }

    /// KIS's current KST date (its trading day may still be an earlier one on weekends and
    /// holidays); `None` before the first answer.
    ///
    /// ```no_run
    /// # async fn demo(client: kis_client::Client) -> Result<(), kis_client::Error> {
    /// client.ensure_token().await?;
    /// let today = client.server_today().expect("KIS answered");
    /// # Ok(()) }
    /// ```
    pub fn server_today(&self) -> Option<chrono::NaiveDate> {
        self.server_now().map(|t| t.date())
    }

    /// The websocket approval key (`/oauth2/Approval`), issued on first use and then reused.
    pub async fn approval_key(&self) -> Result<ApprovalKey, Error> {
        self.inner
            .auth
            .approval_key(&self.inner.wire, &self.inner.config, false)
            .await
    }

    /// Issues a new approval key (e.g. after the server rejected the old one).
    pub async fn renew_approval_key(&self) -> Result<ApprovalKey, Error> {
        self.inner
            .auth
            .approval_key(&self.inner.wire, &self.inner.config, true)
            .await
    }

    /// Makes sure a valid access token is available (memory, disk cache, or one issuance).
    pub async fn ensure_token(&self) -> Result<(), Error> {
        self.inner
            .auth
            .token(&self.inner.wire, &self.inner.config)
            .await
            .map(|_| ())
    }

    /// Revokes the access token (`/oauth2/revokeP`) and deletes it from the cache.
    pub async fn revoke_token(&self) -> Result<(), Error> {
        self.inner
            .auth
            .revoke(&self.inner.wire, &self.inner.config)
            .await
    }

    /// Sends a typed request and decodes its response.
    ///
    /// Fails before sending with [`Error::UnsupportedInPaper`] when the variant does not exist on
    /// the configured service, and with [`Error::RealTradingNotEnabled`] for orders on the real
    /// service without the opt-in.
    pub async fn send<E: Endpoint>(&self, req: E) -> Result<E::Response, Error> {
        let mut req = req;
        let raw = self.prepare(&mut req, "")?;
        let resp = self.send_raw(raw).await?;
        decode(&resp.body, E::INFO.id)
    }

    /// Turns a typed request into a [`RawRequest`] for this client's environment.
    pub fn prepare<E: Endpoint>(&self, req: &mut E, tr_cont: &str) -> Result<RawRequest, Error> {
        self.prepare_with(req, tr_cont, &[])
    }

    /// [`Client::prepare`] with continuation parameters set over the request's own.
    fn prepare_with<E: Endpoint>(
        &self,
        req: &mut E,
        tr_cont: &str,
        overrides: &[crate::paging::Override],
    ) -> Result<RawRequest, Error> {
        let c = &self.inner.config;
        let tr_id = req.tr_ids().for_env(c.env).ok_or(match c.env {
            Env::Paper => Error::UnsupportedInPaper {
                endpoint: E::INFO.id,
            },
            Env::Real => Error::UnsupportedInReal {
                endpoint: E::INFO.id,
            },
        })?;
        if let Some(a) = &c.account {
            req.fill_account(a.cano(), a.product_code());
        }
        let mut v =
            serde_json::to_value(&*req).map_err(|e| Error::InvalidRequest(e.to_string()))?;
        // First-call companions fill what the caller left blank and are checked like the
        // caller's values; keys the server issued are echoed verbatim after the checks (KIS
        // states no reliable length for them: `KEYB` is "1" long in the workbook).
        let set = |v: &mut serde_json::Value, server: bool| {
            if let serde_json::Value::Object(params) = v {
                for o in overrides.iter().filter(|o| o.if_empty != server) {
                    let blank = params
                        .get(o.field)
                        .is_none_or(|x| x.as_str().is_some_and(str::is_empty));
                    if server || blank {
                        params.insert(o.field.to_owned(), o.value.clone().into());
                    }
                }
            }
        };
        set(&mut v, false);
        if c.account.is_none() && v.get("CANO").is_some_and(|x| x.as_str() == Some("")) {
            return Err(Error::NoAccount {
                endpoint: E::INFO.id,
            });
        }
        if let serde_json::Value::Object(params) = &v {
            crate::validate::validate_for(E::INFO, tr_id, params, false).map_err(Error::Invalid)?;
        }
        set(&mut v, true);
        let (query, body) = match E::INFO.method {
            HttpMethod::Get => (query_pairs(v)?, None),
            HttpMethod::Post => {
                let body =
                    serde_json::to_vec(&v).map_err(|e| Error::InvalidRequest(e.to_string()))?;
                (Vec::new(), Some(body))
            }
        };
        Ok(RawRequest {
            method: E::INFO.method,
            path: E::INFO.path.to_owned(),
            tr_id: tr_id.to_owned(),
            tr_cont: tr_cont.to_owned(),
            query,
            body,
            endpoint: E::INFO.id.to_owned(),
        })
    }

    /// Sends a raw request: rate limit, token, headers, envelope check and (for read-only calls)
    /// bounded retries. The escape hatch for anything the generated endpoints lack.
    pub async fn send_raw(&self, req: RawRequest) -> Result<RawResponse, Error> {
        let span = tracing::debug_span!(
            "kis_call",
            endpoint = %req.endpoint,
            tr_id = %req.tr_id,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let inner = &self.inner;
        crate::transport::execute(&inner.wire, &inner.auth, &inner.config, req)
            .instrument(span)
            .await
    }

    /// A stream of pages, following the endpoint's continuation scheme
    /// ([`crate::endpoint::PagingSpec`]): the first call with empty `tr_cont`, then the keys
    /// the previous page gave (and `N`, or a fresh cursor) while the server says more follow.
    /// Every call goes through the rate limiter. The stream ends after the last page or the
    /// first error: `SYDB0050` (data changed between pages; [`Client::rows`] restarts instead),
    /// a continuation that does not advance, or [`Error::PagingLimit`] past `max_pages`. An
    /// endpoint KIS says cannot page yields one page.
    pub fn pages<E>(
        &self,
        req: E,
    ) -> impl Stream<Item = Result<Page<E::Response>, Error>> + Send + 'static
    where
        E: Endpoint + Send + 'static,
        E::Response: PagedResponse,
    {
        let scan = Scan::new(
            E::INFO.id,
            E::INFO.paging,
            self.inner.config.max_pages,
            false,
        );
        let state = (self.clone(), req, scan);
        futures::stream::unfold(state, |(client, mut req, mut scan)| async move {
            let tr_cont = match scan.step() {
                Step::Send(tr_cont) => tr_cont,
                Step::Stop(None | Some(Incomplete::Unreachable { .. })) => return None,
                Step::Stop(Some(Incomplete::MaxPages { max_pages })) => {
                    let e = Error::PagingLimit {
                        endpoint: E::INFO.id,
                        max_pages,
                    };
                    return Some((Err(e), (client, req, scan)));
                }
                Step::Stop(Some(Incomplete::Failed(e))) => {
                    return Some((Err(e), (client, req, scan)));
                }
            };
            let item = match client.fetch_page::<E>(&mut req, tr_cont, &mut scan).await {
                Ok((response, tr_cont, received)) => Ok(Page {
                    number: scan.pages(),
                    tr_cont,
                    last: received.last,
                    response,
                }),
                Err(e) => match scan.failed(e) {
                    // `pages` never restarts (it yielded the earlier pages already).
                    Failure::Stop(e) | Failure::Restart(e) => Err(e),
                },
            };
            Some((item, (client, req, scan)))
        })
    }

    /// One call of a scan: prepare with the scan's continuation, send, decode, and let the
    /// scan read the body. Refuses POST endpoints: paging never applies to orders.
    async fn fetch_page<E>(
        &self,
        req: &mut E,
        tr_cont: &str,
        scan: &mut Scan,
    ) -> Result<(E::Response, String, crate::paging::Received), Error>
    where
        E: Endpoint,
        E::Response: PagedResponse,
    {
        if E::INFO.method == HttpMethod::Post {
            return Err(Error::InvalidRequest(format!(
                "{}: paging applies to inquiries (GET) only, never to orders",
                E::INFO.id
            )));
        }
        let raw = self.prepare_with(req, tr_cont, scan.overrides())?;
        let raw = self.send_raw(raw).await?;
        let response: E::Response = decode(&raw.body, E::INFO.id)?;
        let received = scan.received(&raw.tr_cont, &raw.body);
        Ok((response, raw.tr_cont, received))
    }

    /// Every row of a scan: the repeated block's records of every page in order, the summary
    /// blocks once, and whether the scan is complete.
    ///
    /// On `SYDB0050` (data changed since the scan began) the scan restarts once from the first
    /// page, dropping what it gathered; a second one ends it. A scan cut short (the
    /// `max_pages` guard, an error mid-scan, a continuation that does not advance, more pages
    /// announced that cannot be fetched) is returned with [`Rows::incomplete`] set, so a partial
    /// result is never mistaken for a whole one ([`Rows::complete`] turns it into the error).
    /// Fails only when not even the first page arrived.
    pub async fn rows<E>(&self, req: E) -> Result<Rows<E::Response>, Error>
    where
        E: Endpoint + Send + 'static,
        E::Response: PagedResponse,
    {
        let mut req = req;
        let mut scan = Scan::new(
            E::INFO.id,
            E::INFO.paging,
            self.inner.config.max_pages,
            true,
        );
        let mut rows: Vec<<E::Response as PagedResponse>::Row> = Vec::new();
        let mut summary: Option<E::Response> = None;
        let incomplete = loop {
            let tr_cont = match scan.step() {
                Step::Send(tr_cont) => tr_cont,
                Step::Stop(outcome) => break outcome,
            };
            match self.fetch_page::<E>(&mut req, tr_cont, &mut scan).await {
                Ok((mut response, _, received)) => {
                    let mut page = response.take_rows();
                    page.drain(..received.skip.min(page.len()));
                    rows.append(&mut page);
                    if summary.is_none() {
                        summary = Some(response);
                    }
                }
                Err(e) => match scan.failed(e) {
                    Failure::Restart(_) => {
                        tracing::debug!(endpoint = E::INFO.id, "SYDB0050: scan restarted");
                        rows.clear();
                        summary = None;
                    }
                    Failure::Stop(e) if summary.is_none() => return Err(e),
                    Failure::Stop(e) => break Some(Incomplete::Failed(e)),
                },
            }
        };
        let Some(summary) = summary else {
            return Err(Error::InvalidRequest(format!(
                "{}: the scan ended without a page",
                E::INFO.id
            )));
        };
        Ok(Rows {
            rows,
            summary,
            pages: scan.pages(),
            restarted: scan.restarted(),
            incomplete,
            endpoint: E::INFO.id,
        })
    }

    /// Every page, in order (stops at the first error).
    pub async fn collect_all<E>(&self, req: E) -> Result<Vec<E::Response>, Error>
    where
        E: Endpoint + Send + 'static,
        E::Response: PagedResponse,
    {
        let mut out = Vec::new();
        let mut pages = std::pin::pin!(self.pages(req));
        while let Some(p) = pages.next().await {
            out.push(p?.response);
        }
        Ok(out)
    }
}
