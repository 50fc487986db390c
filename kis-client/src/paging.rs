//! Following KIS continuation without I/O: one state machine ([`Scan`]) driven by the
//! endpoint's [`PagingSpec`] (which keys to echo from where, which companions to set, what tells
//! the last page), and the results it produces ([`Page`], [`Rows`], [`Incomplete`]).
//! [`crate::Client::pages`] and [`crate::Client::rows`] run it.
//!
//! Invariants: every call the scan asks for is counted against `max_pages`; a continuation
//! that does not move (same keys, same page) ends the scan; `SYDB0050` restarts it at most
//! once (and only where the caller allows it); after [`Step::Stop`] nothing more is asked.

use serde_json::Value;
use serde_json::value::RawValue;

use crate::endpoint::{PagedResponse, PagingEnd, PagingScheme, PagingSpec};
use crate::error::{Error, ErrorKind};

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

/// Why a scan stopped before the last page: the rows gathered are a part of the result.
#[derive(Debug)]
#[non_exhaustive]
pub enum Incomplete {
    /// The max-pages guard ([`crate::ConfigBuilder::max_pages`]) stopped a scan that had more.
    MaxPages {
        /// The configured maximum.
        max_pages: usize,
    },
    /// A call failed mid-scan, data changed again after the one restart (`SYDB0050`), or the
    /// server repeated a continuation instead of advancing.
    Failed(Error),
    /// The server announced more pages (`tr_cont` `F`/`M`) that cannot be fetched: KIS says
    /// the endpoint does not page, or the answer carried no key to continue with.
    Unreachable {
        /// The `tr_cont` header that announced more.
        tr_cont: String,
    },
}

impl std::fmt::Display for Incomplete {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Incomplete::MaxPages { max_pages } => {
                write!(f, "stopped at the max-pages guard ({max_pages} pages)")
            }
            Incomplete::Failed(e) => write!(f, "stopped by an error: {e}"),
            Incomplete::Unreachable { tr_cont } => write!(
                f,
                "the server announced more pages (tr_cont `{tr_cont}`) that cannot be fetched"
            ),
        }
    }
}

/// The rows of a whole scan ([`crate::Client::rows`]): the repeated block's records of every
/// page in order, the summary blocks once, and whether the scan reached the last page.
#[derive(Debug)]
#[non_exhaustive]
pub struct Rows<R: PagedResponse> {
    /// The repeated block's records, in page order, without the rows of an abandoned attempt.
    pub rows: Vec<R::Row>,
    /// The first page of the (last) attempt with its rows moved out: the summary blocks
    /// (`output2` totals and the like), which KIS repeats on every page.
    pub summary: R,
    /// Pages received in the attempt that produced `rows`.
    pub pages: usize,
    /// Whether the scan was restarted from the first page after `SYDB0050`.
    pub restarted: bool,
    /// `None` when the scan reached the last page; otherwise why it stopped early.
    pub incomplete: Option<Incomplete>,
    /// The endpoint id, for [`Rows::complete`]'s errors.
    pub(crate) endpoint: &'static str,
}

impl<R: PagedResponse> Rows<R> {
    /// Whether the scan reached the last page.
    pub fn is_complete(&self) -> bool {
        self.incomplete.is_none()
    }

    /// The result when complete; otherwise the error that stopped it (or
    /// [`Error::PagingLimit`] / [`Error::InvalidRequest`] naming why).
    pub fn complete(self) -> Result<Self, Error> {
        let endpoint = self.endpoint;
        match self.incomplete {
            None => Ok(self),
            Some(Incomplete::Failed(e)) => Err(e),
            Some(Incomplete::MaxPages { max_pages }) => Err(Error::PagingLimit {
                endpoint,
                max_pages,
            }),
            Some(i @ Incomplete::Unreachable { .. }) => {
                Err(Error::InvalidRequest(format!("{endpoint}: {i}")))
            }
        }
    }
}

/// What the scan wants next.
#[derive(Debug)]
pub(crate) enum Step {
    /// Send the request with this `tr_cont` header and [`Scan::overrides`].
    Send(&'static str),
    /// The scan is over: complete (`None`) or not.
    Stop(Option<Incomplete>),
}

/// What a failure does to the scan.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Data changed (`SYDB0050`, the error): drop what was gathered and start again at page 1.
    Restart(Error),
    /// The scan is over: this error stopped it.
    Stop(Error),
}

/// What a received page means.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Received {
    /// Whether this page is the last the scan will fetch.
    pub(crate) last: bool,
    /// Leading rows of this page that repeat the previous page's last row (cursor schemes).
    pub(crate) skip: usize,
}

#[derive(Debug)]
enum State {
    Start,
    More,
    Done(Option<Incomplete>),
}

/// A request parameter set for the next call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Override {
    pub(crate) field: &'static str,
    pub(crate) value: String,
    /// Only when the caller left it empty (first-call companions such as `QRY_TP=Q`).
    pub(crate) if_empty: bool,
}

/// The paging state machine, I/O-free and not generic: the same code runs every endpoint.
#[derive(Debug)]
pub(crate) struct Scan {
    endpoint: &'static str,
    spec: PagingSpec,
    max_pages: usize,
    allow_restart: bool,
    state: State,
    /// Pages received in this attempt.
    pages: usize,
    restarted: bool,
    overrides: Vec<Override>,
    prev_keys: Option<Vec<String>>,
    /// The previous page's rows, as their JSON text.
    prev_rows: Option<Vec<String>>,
}

/// The spec of an endpoint without paging: one call.
const ONE_PAGE: PagingSpec = PagingSpec {
    scheme: PagingScheme::None,
    request: &[],
    response: &[],
    next: &[],
    end: PagingEnd::TrCont,
    rows: None,
    page_size: None,
};

impl Scan {
    /// A scan of `endpoint` following `spec` (`None`: one page), at most `max_pages` calls per
    /// attempt, restarting once on `SYDB0050` when `allow_restart`.
    pub(crate) fn new(
        endpoint: &'static str,
        spec: Option<PagingSpec>,
        max_pages: usize,
        allow_restart: bool,
    ) -> Scan {
        let mut s = Scan {
            endpoint,
            spec: spec.unwrap_or(ONE_PAGE),
            max_pages: max_pages.max(1),
            allow_restart,
            state: State::Start,
            pages: 0,
            restarted: false,
            overrides: Vec::new(),
            prev_keys: None,
            prev_rows: None,
        };
        s.reset();
        s
    }

    fn reset(&mut self) {
        self.state = State::Start;
        self.pages = 0;
        self.prev_keys = None;
        self.prev_rows = None;
        self.overrides = self
            .spec
            .next
            .iter()
            .filter(|(_, first, _)| !first.is_empty())
            .map(|(field, first, _)| Override {
                field,
                value: (*first).to_owned(),
                if_empty: true,
            })
            .collect();
    }

    /// Parameters to set on the next call.
    pub(crate) fn overrides(&self) -> &[Override] {
        &self.overrides
    }

    /// Pages received in this attempt.
    pub(crate) fn pages(&self) -> usize {
        self.pages
    }

    /// Whether the scan restarted after `SYDB0050`.
    pub(crate) fn restarted(&self) -> bool {
        self.restarted
    }

    /// The next call, or the end.
    pub(crate) fn step(&mut self) -> Step {
        match &mut self.state {
            State::Start => Step::Send(""),
            State::More if self.pages >= self.max_pages => {
                self.state = State::Done(None);
                Step::Stop(Some(Incomplete::MaxPages {
                    max_pages: self.max_pages,
                }))
            }
            State::More => Step::Send(match self.spec.end {
                // A cursor is a fresh query; the other schemes continue with `N`.
                PagingEnd::Rows => "",
                PagingEnd::TrCont | PagingEnd::Key => "N",
            }),
            State::Done(outcome) => Step::Stop(outcome.take()),
        }
    }

    /// Records a call that failed.
    pub(crate) fn failed(&mut self, error: Error) -> Failure {
        if self.allow_restart && !self.restarted && error.kind() == ErrorKind::DataChanged {
            self.restarted = true;
            self.reset();
            return Failure::Restart(error);
        }
        self.state = State::Done(None);
        Failure::Stop(error)
    }

    /// Records a received page (`tr_cont` header and the body it was decoded from) and decides
    /// whether another follows. The body is read lazily: its top level as raw JSON, then only
    /// the blocks the spec names (no `Value` tree of the whole page).
    pub(crate) fn received(&mut self, tr_cont: &str, body: &[u8]) -> Received {
        self.pages += 1;
        let announced = matches!(tr_cont.trim(), "F" | "M");
        let top = Top::parse(body);
        let keys: Vec<String> = self.spec.response.iter().map(|p| top.read(p)).collect();
        let keyed = !keys.is_empty() && keys.iter().all(|k| !k.trim().is_empty());
        // Rows are read only where they decide: a cursor's boundary row, and a keyless
        // scheme's repeated-page check.
        let rows: Option<Vec<String>> = self
            .spec
            .rows
            .filter(|_| self.spec.end == PagingEnd::Rows || self.spec.response.is_empty())
            .map(|b| top.rows(b));
        let mut skip = 0;
        if self.spec.end == PagingEnd::Rows {
            if let (Some(prev), Some(rows)) = (&self.prev_rows, &rows) {
                let last = prev.last();
                skip = rows.iter().take_while(|r| Some(*r) == last).count();
            }
        }
        let stuck = |what: &str| {
            Incomplete::Failed(Error::InvalidRequest(format!(
                "{}: the server repeated the same {what}; stopping instead of looping",
                self.endpoint
            )))
        };
        let outcome: Result<(), Option<Incomplete>> = match (self.spec.scheme, self.spec.end) {
            (PagingScheme::None, _) => Err(announced.then(|| Incomplete::Unreachable {
                tr_cont: tr_cont.to_owned(),
            })),
            (_, PagingEnd::TrCont) if !announced => Err(None),
            (_, PagingEnd::TrCont) => {
                if keyed && self.prev_keys.as_ref() == Some(&keys) {
                    Err(Some(stuck("continuation keys")))
                } else if keys.is_empty()
                    && rows.as_ref().is_some_and(|r| !r.is_empty())
                    && self.prev_rows == rows
                {
                    Err(Some(stuck("page")))
                } else {
                    Ok(())
                }
            }
            (_, PagingEnd::Key) if !keyed => Err(announced.then(|| Incomplete::Unreachable {
                tr_cont: tr_cont.to_owned(),
            })),
            (_, PagingEnd::Key) if self.prev_keys.as_ref() == Some(&keys) => {
                Err(Some(stuck("continuation keys")))
            }
            (_, PagingEnd::Key) => Ok(()),
            (_, PagingEnd::Rows) => {
                let fresh = rows.as_ref().map_or(0, |r| r.len().saturating_sub(skip));
                if fresh == 0 || !keyed || self.prev_keys.as_ref() == Some(&keys) {
                    // Nothing new, or the cursor did not move: the history is exhausted.
                    Err(None)
                } else {
                    Ok(())
                }
            }
        };
        match outcome {
            Ok(()) => {
                self.overrides = self
                    .spec
                    .request
                    .iter()
                    .zip(&keys)
                    .map(|(field, v)| Override {
                        field,
                        value: v.clone(),
                        if_empty: false,
                    })
                    .chain(self.spec.next.iter().map(|(field, _, value)| Override {
                        field,
                        value: (*value).to_owned(),
                        if_empty: false,
                    }))
                    .collect();
                self.prev_keys = Some(keys);
                self.prev_rows = rows;
                self.state = State::More;
                Received { last: false, skip }
            }
            Err(end) => {
                self.state = State::Done(end);
                Received { last: true, skip }
            }
        }
    }
}

/// A JSON object's members as raw JSON (nothing below them is parsed yet).
type Members<'a> = Vec<(std::borrow::Cow<'a, str>, &'a RawValue)>;

/// Parses an object's members; an empty list for anything else.
fn members(raw: &str) -> Members<'_> {
    use serde::de::{Deserializer as _, MapAccess, Visitor};
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Members<'de>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                out.push((k, map.next_value::<&'de RawValue>()?));
            }
            Ok(out)
        }
    }
    serde_json::Deserializer::from_str(raw)
        .deserialize_map(V)
        .unwrap_or_default()
}

/// `key` among members, exactly or ignoring ASCII case.
fn member<'a>(m: &Members<'a>, key: &str) -> Option<&'a RawValue> {
    m.iter()
        .find(|(k, _)| k == key)
        .or_else(|| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)))
        .map(|(_, v)| *v)
}

/// A block's records as raw JSON (an object block is one record).
fn records(raw: &RawValue) -> Vec<&RawValue> {
    match raw.get().trim_start().as_bytes().first() {
        Some(b'[') => serde_json::from_str(raw.get()).unwrap_or_default(),
        Some(b'{') => vec![raw],
        _ => Vec::new(),
    }
}

/// The top level of a page's body.
struct Top<'a>(Members<'a>);

impl<'a> Top<'a> {
    fn parse(body: &'a [u8]) -> Top<'a> {
        Top(std::str::from_utf8(body).map(members).unwrap_or_default())
    }

    /// The records of `block`, each as its JSON text.
    fn rows(&self, block: &str) -> Vec<String> {
        member(&self.0, block)
            .map(records)
            .unwrap_or_default()
            .into_iter()
            .map(|r| r.get().to_owned())
            .collect()
    }

    /// The text at a [`PagingSpec::response`] path; empty when absent.
    fn read(&self, path: &str) -> String {
        let text = |v: Option<&RawValue>| match v.map(|v| serde_json::from_str::<Value>(v.get())) {
            Some(Ok(Value::String(s))) => s,
            Some(Ok(Value::Null)) | Some(Err(_)) | None => String::new(),
            Some(Ok(v)) => v.to_string(),
        };
        let Some((block, fields)) = path.split_once('.') else {
            return text(member(&self.0, path));
        };
        let (name, last) = match block.strip_suffix("[-1]") {
            Some(name) => (name, true),
            None => (block, false),
        };
        let list = member(&self.0, name).map(records).unwrap_or_default();
        let record = if last { list.last() } else { list.first() };
        let record = record.map(|r| members(r.get())).unwrap_or_default();
        fields
            .split('+')
            .map(|f| text(member(&record, f)))
            .collect()
    }
}

/// The text at a [`PagingSpec::response`] path of a body; empty when absent.
#[cfg(test)]
fn read(body: &Value, path: &str) -> String {
    Top::parse(body.to_string().as_bytes()).read(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    impl Scan {
        fn got(&mut self, tr_cont: &str, body: &Value) -> Received {
            self.received(tr_cont, body.to_string().as_bytes())
        }
    }

    fn data_changed() -> Error {
        Error::Api {
            rt_cd: "1".into(),
            msg_cd: "SYDB0050".into(),
            msg1: "조회이후에 자료가 변경되었습니다".into(),
            tr_id: "T".into(),
            http_status: 200,
            state_changing: false,
        }
    }

    const CTX: PagingSpec = PagingSpec {
        scheme: PagingScheme::CtxArea,
        request: &["CTX_AREA_FK100", "CTX_AREA_NK100"],
        response: &["ctx_area_fk100", "ctx_area_nk100"],
        next: &[],
        end: PagingEnd::TrCont,
        rows: Some("output1"),
        page_size: None,
    };
    const INDEX: PagingSpec = PagingSpec {
        scheme: PagingScheme::Key,
        request: &["INDEX_KEY"],
        response: &["output1.index_key"],
        next: &[("QRY_TP", "Q", "P")],
        end: PagingEnd::Key,
        rows: Some("output2"),
        page_size: None,
    };
    const CURSOR: PagingSpec = PagingSpec {
        scheme: PagingScheme::Cursor,
        request: &["FID_INPUT_DATE_1", "FID_INPUT_HOUR_1"],
        response: &["output2[-1].d", "output2[-1].t"],
        next: &[],
        end: PagingEnd::Rows,
        rows: Some("output2"),
        page_size: None,
    };
    const TR_CONT: PagingSpec = PagingSpec {
        scheme: PagingScheme::TrCont,
        request: &[],
        response: &[],
        next: &[],
        end: PagingEnd::TrCont,
        rows: Some("output"),
        page_size: None,
    };

    #[test]
    fn paths_read_top_level_first_and_last_records_and_joins() {
        let b = json!({"CTX_AREA_FK100": "A  ", "output1": {"index_key": "K 5"},
                       "output2": [{"d": "20240101", "t": "0900"}, {"d": "20231231", "t": 1530}]});
        assert_eq!(read(&b, "ctx_area_fk100"), "A  ");
        assert_eq!(read(&b, "output1.index_key"), "K 5");
        assert_eq!(read(&b, "output2.d"), "20240101");
        assert_eq!(read(&b, "output2[-1].d+t"), "202312311530");
        assert_eq!(read(&b, "missing.x"), "");
    }

    #[test]
    fn ctx_area_echoes_keys_while_tr_cont_says_more() {
        let mut s = Scan::new("t", Some(CTX), 10, true);
        assert!(matches!(s.step(), Step::Send("")));
        let r = s.got(
            "F",
            &json!({"ctx_area_fk100": "F1", "ctx_area_nk100": "N1", "output1": [{"a": 1}]}),
        );
        assert!(!r.last);
        assert!(matches!(s.step(), Step::Send("N")));
        assert_eq!(s.overrides()[0].field, "CTX_AREA_FK100");
        assert_eq!(s.overrides()[1].value, "N1");
        let r = s.got("D", &json!({"output1": []}));
        assert!(r.last);
        assert!(matches!(s.step(), Step::Stop(None)));
    }

    #[test]
    fn index_key_sets_its_companion_and_ends_on_an_empty_key() {
        let mut s = Scan::new("t", Some(INDEX), 10, true);
        assert_eq!(s.overrides()[0].value, "Q");
        assert!(s.overrides()[0].if_empty);
        assert!(matches!(s.step(), Step::Send("")));
        s.got(
            "",
            &json!({"output1": {"index_key": "K1"}, "output2": [{}]}),
        );
        assert!(matches!(s.step(), Step::Send("N")));
        let o: Vec<_> = s
            .overrides()
            .iter()
            .map(|o| (o.field, o.value.as_str()))
            .collect();
        assert_eq!(o, [("INDEX_KEY", "K1"), ("QRY_TP", "P")]);
        assert!(s.got("", &json!({"output1": {"index_key": " "}})).last);
        assert!(matches!(s.step(), Step::Stop(None)));
    }

    #[test]
    fn a_cursor_skips_the_boundary_row_and_ends_when_nothing_is_new() {
        let mut s = Scan::new("t", Some(CURSOR), 10, true);
        s.step();
        let p1 = json!({"output2": [{"d": "2", "t": "3"}, {"d": "2", "t": "1"}]});
        assert_eq!(
            s.got("", &p1),
            Received {
                last: false,
                skip: 0
            }
        );
        assert!(matches!(s.step(), Step::Send("")));
        assert_eq!(s.overrides()[1].value, "1");
        let p2 = json!({"output2": [{"d": "2", "t": "1"}, {"d": "1", "t": "9"}]});
        assert_eq!(
            s.got("", &p2),
            Received {
                last: false,
                skip: 1
            }
        );
        let p3 = json!({"output2": [{"d": "1", "t": "9"}]});
        assert_eq!(
            s.got("", &p3),
            Received {
                last: true,
                skip: 1
            }
        );
        assert!(matches!(s.step(), Step::Stop(None)));
    }

    #[test]
    fn the_guard_stops_a_scan_with_more_pages_as_incomplete() {
        let mut s = Scan::new("t", Some(TR_CONT), 2, true);
        for i in 0..2 {
            assert!(matches!(s.step(), Step::Send(_)));
            s.got("M", &json!({"output": [{"n": i}]}));
        }
        assert!(matches!(
            s.step(),
            Step::Stop(Some(Incomplete::MaxPages { max_pages: 2 }))
        ));
    }

    #[test]
    fn a_repeated_page_or_key_stops_the_scan() {
        let mut s = Scan::new("t", Some(TR_CONT), 10, true);
        s.step();
        s.got("M", &json!({"output": [{"n": 1}]}));
        s.step();
        assert!(s.got("M", &json!({"output": [{"n": 1}]})).last);
        assert!(matches!(s.step(), Step::Stop(Some(Incomplete::Failed(_)))));
        let mut s = Scan::new("t", Some(CTX), 10, true);
        let page = json!({"ctx_area_fk100": "X", "ctx_area_nk100": "Y"});
        s.step();
        s.got("M", &page);
        s.step();
        assert!(s.got("M", &page).last);
        assert!(matches!(s.step(), Step::Stop(Some(Incomplete::Failed(_)))));
    }

    #[test]
    fn data_changed_restarts_once() {
        let changed = data_changed;
        let mut s = Scan::new("t", Some(CTX), 10, true);
        s.step();
        s.got("F", &json!({"ctx_area_fk100": "A", "ctx_area_nk100": "B"}));
        s.step();
        assert!(matches!(s.failed(changed()), Failure::Restart(_)));
        assert_eq!(s.pages(), 0);
        assert!(matches!(s.step(), Step::Send("")));
        assert!(matches!(s.failed(changed()), Failure::Stop(_)));
        assert!(matches!(s.step(), Step::Stop(None)));
        let mut s = Scan::new("t", Some(CTX), 10, false);
        s.step();
        assert!(matches!(s.failed(changed()), Failure::Stop(_)));
    }

    #[test]
    fn an_endpoint_that_cannot_page_makes_one_call_and_says_when_more_was_announced() {
        let mut s = Scan::new("t", None, 10, true);
        s.step();
        assert!(s.got("M", &json!({})).last);
        assert!(matches!(
            s.step(),
            Step::Stop(Some(Incomplete::Unreachable { .. }))
        ));
    }

    fn specs() -> impl Strategy<Value = PagingSpec> {
        prop_oneof![
            Just(CTX),
            Just(INDEX),
            Just(CURSOR),
            Just(TR_CONT),
            Just(ONE_PAGE)
        ]
    }

    fn pages() -> impl Strategy<Value = (String, Value)> {
        let key = prop_oneof![Just(String::new()), "[A-C ]{0,3}"];
        let row = (0u8..3, 0u8..3)
            .prop_map(|(d, t)| json!({"d": d.to_string(), "t": t.to_string(), "n": d}));
        (
            prop_oneof![
                Just(""),
                Just("F"),
                Just("M"),
                Just("D"),
                Just("E"),
                Just("X")
            ],
            key.clone(),
            key,
            proptest::collection::vec(row, 0..4),
            any::<bool>(),
        )
            .prop_map(|(tr, k1, k2, rows, object)| {
                let block = if object {
                    rows.first().cloned().unwrap_or(Value::Null)
                } else {
                    Value::Array(rows.clone())
                };
                let body = json!({
                    "ctx_area_fk100": k1, "ctx_area_nk100": k2,
                    "output1": {"index_key": k1}, "output": block, "output2": rows,
                });
                (tr.to_owned(), body)
            })
    }

    proptest! {
        /// Whatever the server answers (and fails), the scan never panics, never asks for more
        /// than `max_pages` calls per attempt nor restarts more than once, and always stops.
        #[test]
        fn any_server_ends_within_the_guard(
            spec in specs(),
            max in 1usize..6,
            answers in proptest::collection::vec((pages(), 0u8..10), 0..40),
        ) {
            let mut s = Scan::new("t", Some(spec), max, true);
            let mut calls = 0usize;
            let mut restarts = 0usize;
            let mut answers = answers.into_iter();
            let mut stopped = false;
            for _ in 0..(2 * max + 4) {
                match s.step() {
                    Step::Stop(_) => { stopped = true; break; }
                    Step::Send(_) => {
                        calls += 1;
                        prop_assert!(s.pages() < max);
                        let Some(((tr, body), fail)) = answers.next() else { stopped = true; break };
                        if fail == 0 {
                            if let Failure::Restart(_) = s.failed(data_changed()) { restarts += 1; }
                        } else {
                            s.got(&tr, &body);
                        }
                    }
                }
            }
            prop_assert!(stopped, "the scan did not stop within 2 attempts of the guard");
            prop_assert!(restarts <= 1);
            prop_assert!(calls <= 2 * max);
        }
    }
}
