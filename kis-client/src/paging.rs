//! Following KIS continuation (`tr_cont` `F`/`M` → next call with `N` and the `CTX_AREA_*` keys)
//! as a `Stream` of pages, with a max-pages guard, plus a collect-all helper.

use futures::Stream;
use futures::StreamExt;

use crate::client::Client;
use crate::endpoint::{Endpoint, PagedResponse};
use crate::error::Error;
use crate::transport::decode;

/// One page of a paging endpoint.
#[derive(Debug)]
#[non_exhaustive]
pub struct Page<T> {
    /// 1-based page number.
    pub number: usize,
    /// The response `tr_cont` header of this page.
    pub tr_cont: String,
    /// Whether this is the last page.
    pub last: bool,
    /// The decoded page.
    pub response: T,
}

struct State<E> {
    client: Client,
    req: Option<E>,
    number: usize,
    prev_keys: Vec<String>,
    /// An error to yield after the page that revealed it.
    pending: Option<Error>,
}

impl Client {
    /// A stream of pages: the first call with empty `tr_cont`, then `N` plus the previous page's
    /// continuation keys while the server answers `F`/`M`. Every call goes through the rate
    /// limiter. The stream ends after the last page or the first error (e.g. `SYDB0050` when data
    /// changed between pages, or [`Error::PagingLimit`] past `max_pages`).
    pub fn pages<E>(
        &self,
        req: E,
    ) -> impl Stream<Item = Result<Page<E::Response>, Error>> + Send + 'static
    where
        E: Endpoint + Send + 'static,
        E::Response: PagedResponse,
    {
        let state = State {
            client: self.clone(),
            req: Some(req),
            number: 0,
            prev_keys: Vec::new(),
            pending: None,
        };
        futures::stream::unfold(state, |mut st| async move {
            if let Some(e) = st.pending.take() {
                return Some((Err(e), st));
            }
            let mut req = st.req.take()?;
            st.number += 1;
            let max = st.client.inner.config.max_pages;
            if st.number > max {
                return Some((
                    Err(Error::PagingLimit {
                        endpoint: E::INFO.id,
                        max_pages: max,
                    }),
                    st,
                ));
            }
            let tr_cont = if st.number == 1 { "" } else { "N" };
            let raw = match st.client.send_endpoint(&mut req, tr_cont).await {
                Ok(r) => r,
                Err(e) => return Some((Err(e), st)),
            };
            let response: E::Response = match decode(&raw.body, E::INFO.id) {
                Ok(r) => r,
                Err(e) => return Some((Err(e), st)),
            };
            let last = !raw.has_more();
            if !last {
                let keys = response.continuation();
                if st.number > 1 && !keys.iter().all(String::is_empty) && keys == st.prev_keys {
                    let err = Error::InvalidRequest(format!(
                        "{}: the server sent the same continuation keys twice; stopping instead of looping",
                        E::INFO.id
                    ));
                    // Yield this page, then the error; never ask for the same page again.
                    st.pending = Some(err);
                } else {
                    req.set_continuation(&keys);
                    st.prev_keys = keys;
                    st.req = Some(req);
                }
            }
            let page = Page {
                number: st.number,
                tr_cont: raw.tr_cont,
                last,
                response,
            };
            Some((Ok(page), st))
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
