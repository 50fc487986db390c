//! Following KIS continuation (`tr_cont` `F`/`M` → next call with `N` and the `CTX_AREA_*` keys):
//! the [`Page`] type and the paging state machine, without I/O. [`crate::Client::pages`] runs it.

use crate::endpoint::{Endpoint, PagedResponse};
use crate::error::Error;

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

/// What to do next.
pub(crate) enum PageStep<E> {
    /// Send this request with this `tr_cont` header.
    Send(E, &'static str),
    /// Yield this error; the stream ends after it.
    Fail(Error),
}

/// Paging state: the request for the next page, the page count and the previous keys.
pub(crate) struct Paging<E> {
    req: Option<E>,
    number: usize,
    max_pages: usize,
    prev_keys: Vec<String>,
    /// An error to yield after the page that revealed it.
    pending: Option<Error>,
}

impl<E: Endpoint> Paging<E>
where
    E::Response: PagedResponse,
{
    pub(crate) fn new(req: E, max_pages: usize) -> Self {
        Self {
            req: Some(req),
            number: 0,
            max_pages,
            prev_keys: Vec::new(),
            pending: None,
        }
    }

    /// The next request to send, an error to yield, or `None` when paging is over.
    pub(crate) fn next_request(&mut self) -> Option<PageStep<E>> {
        if let Some(e) = self.pending.take() {
            return Some(PageStep::Fail(e));
        }
        let req = self.req.take()?;
        self.number += 1;
        if self.number > self.max_pages {
            return Some(PageStep::Fail(Error::PagingLimit {
                endpoint: E::INFO.id,
                max_pages: self.max_pages,
            }));
        }
        let tr_cont = if self.number == 1 { "" } else { "N" };
        Some(PageStep::Send(req, tr_cont))
    }

    /// Records a received page: keeps `req` (with the new continuation keys) when more pages
    /// follow, and returns the page to yield.
    pub(crate) fn received(
        &mut self,
        mut req: E,
        tr_cont: String,
        response: E::Response,
    ) -> Page<E::Response> {
        let last = !matches!(tr_cont.as_str(), "F" | "M");
        if !last {
            let keys = response.continuation();
            if self.number > 1 && !keys.iter().all(String::is_empty) && keys == self.prev_keys {
                // Yield this page, then the error; never ask for the same page again.
                self.pending = Some(Error::InvalidRequest(format!(
                    "{}: the server sent the same continuation keys twice; stopping instead of looping",
                    E::INFO.id
                )));
            } else {
                req.set_continuation(&keys);
                self.prev_keys = keys;
                self.req = Some(req);
            }
        }
        Page {
            number: self.number,
            tr_cont,
            last,
            response,
        }
    }
}
