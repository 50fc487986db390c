//! Notice continuity: the ledger of executions seen in realtime notices, the gap a reconnect
//! or close leaves, and the opt-in recovery of that gap's executions through REST.
//!
//! KIS does not replay execution notices sent while a session was down. After every such gap
//! the session emits [`crate::Event::NoticeGap`]; with [`crate::Options::recovery`] set it also
//! asks a [`NoticeRecovery`] for the orders of the gap's days (the server's days: the session
//! keeps the server's clock from the `datetime` of its `PINGPONG`s) and emits, per order, the filled
//! quantity the realtime notices did not report as [`crate::Event::Recovered`] (never counted
//! twice: the ledger remembers what notices and earlier recoveries reported).
//!
//! Fills from before the session are not missed fills: when a market's notices are first
//! subscribed, the session asks the same source for the server's day as it is then (the
//! baseline) and later reports only growth beyond it. A gap recovery that answers before
//! the baseline waits for it; if the baseline fails, that market's recoveries are reported
//! as [`crate::Event::RecoveryFailed`] instead of guessing.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use futures::future::BoxFuture;
use rust_decimal::Decimal;

use crate::error::Error;

/// Which notice family an execution belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Market {
    /// Domestic stock (`H0STCNI0`/`H0STCNI9`; REST `inquire-daily-ccld`).
    Domestic,
    /// Overseas stock (`H0GSCNI0`/`H0GSCNI9`; REST `inquire-ccnl`).
    Overseas,
}

impl Market {
    /// The notice family of a realtime TR ID, if it is a stock execution-notice TR.
    pub fn of_notice_tr(tr_id: &str) -> Option<Market> {
        if tr_id.starts_with("H0STCNI") {
            Some(Market::Domestic)
        } else if tr_id.starts_with("H0GSCNI") {
            Some(Market::Overseas)
        } else {
            None
        }
    }
}

/// A window in which own-execution notices may have been missed.
///
/// `Debug` masks the notice subscriptions' keys (HTS IDs); it is written in `event.rs`.
#[derive(Clone, PartialEq, Eq)]
pub struct NoticeGap {
    /// When the session last received anything before it stopped receiving notices: the
    /// last message of the connection that was lost (not when the loss was noticed, which
    /// can be a silence timeout later), or when close began.
    pub from: SystemTime,
    /// When notices flowed again (the subscriptions were restored); `None` when the session
    /// ended (nothing after `from` is received by it).
    pub to: Option<SystemTime>,
    /// The notice subscriptions `(tr_id, tr_key)` that were registered during the gap.
    pub subscriptions: Vec<(String, String)>,
    /// How far the server's clock was ahead of this machine's (negative: behind): from the
    /// `datetime` of the last `PINGPONG` before the gap, else the websocket handshake's HTTP
    /// `Date` header, else the `Date` of the REST client's latest answer (the approval key's
    /// at the latest); `None` only when no source told it. KIS keeps executions by its own
    /// (KST) trading day, so a recovery asks for the server's days of the gap
    /// ([`NoticeGap::server_days`]).
    pub server_offset: Option<chrono::TimeDelta>,
}

impl NoticeGap {
    /// The server's KST days the gap spans (`to`: `now` for an open-ended gap), by the server's
    /// clock ([`NoticeGap::server_offset`]); `None` when the server's clock is unknown (this
    /// machine's day is never taken in its place). A minute is added on each side for the
    /// clock's one-second resolution and drift.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// let noon_utc = SystemTime::UNIX_EPOCH + Duration::from_secs(12 * 3600);
    /// let mut gap = kis_ws::NoticeGap {
    ///     from: noon_utc,
    ///     to: Some(noon_utc),
    ///     subscriptions: Vec::new(),
    ///     server_offset: None,
    /// };
    /// assert_eq!(gap.server_days(noon_utc), None);
    /// gap.server_offset = Some(chrono::TimeDelta::zero());
    /// let day = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap(); // 21:00 KST
    /// assert_eq!(gap.server_days(noon_utc), Some((day, day)));
    /// ```
    pub fn server_days(&self, now: SystemTime) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
        let offset = self.server_offset?;
        let margin = chrono::TimeDelta::minutes(1);
        let day = |t: SystemTime, shift: chrono::TimeDelta| {
            let utc: chrono::DateTime<chrono::Utc> = t.into();
            (utc.naive_utc() + chrono::TimeDelta::hours(9) + offset + shift).date()
        };
        Some((day(self.from, -margin), day(self.to.unwrap_or(now), margin)))
    }

    /// The markets whose notices the gap concerns.
    pub fn markets(&self) -> Vec<Market> {
        let mut m = Vec::new();
        for market in self
            .subscriptions
            .iter()
            .filter_map(|(t, _)| Market::of_notice_tr(t))
        {
            if !m.contains(&market) {
                m.push(market);
            }
        }
        m
    }
}

/// One order's executions as the account's REST inquiry reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderFills {
    /// Domestic or overseas.
    pub market: Market,
    /// Order number (`ODNO`).
    pub order_no: String,
    /// Symbol (`PDNO`).
    pub symbol: String,
    /// Sell/buy code as KIS reports it (`SLL_BUY_DVSN_CD`: `01` sell, `02` buy).
    pub side: String,
    /// Total filled quantity of the order so far.
    pub filled: Decimal,
    /// Average fill price, when reported.
    pub avg_price: Option<Decimal>,
}

/// Executions recovered through REST for a notice gap: fills of one order that no realtime
/// notice reported. Not a realtime record: it comes from an inquiry after the gap.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecoveredFill {
    /// The order as the inquiry reported it.
    pub order: OrderFills,
    /// The filled quantity no realtime notice (and no earlier recovery) reported.
    pub missing: Decimal,
    /// Always `false`: this record was not received in realtime.
    pub realtime: bool,
}

/// Where the session gets the executions of a notice gap. Called from a task of its own (the
/// connection task never waits for it).
pub trait NoticeRecovery: Send + Sync + 'static {
    /// The orders (with their total filled quantity) of the gap's markets and days.
    fn orders(&self, gap: &NoticeGap) -> BoxFuture<'_, Result<Vec<OrderFills>, Error>>;
}

/// A [`NoticeRecovery`] in [`crate::Options::recovery`].
#[derive(Clone)]
pub struct Recovery(pub Arc<dyn NoticeRecovery>);

impl std::fmt::Debug for Recovery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Recovery(..)")
    }
}

/// Order numbers compare without their zero padding (`0000012345` = `12345`).
fn order_key(market: Market, order_no: &str) -> (Market, String) {
    let t = order_no.trim().trim_start_matches('0');
    (market, t.to_owned())
}

/// Filled quantities per order reported so far by realtime notices and recoveries.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    filled: HashMap<(Market, String), Decimal>,
}

/// Positions of the ledger's columns in a notice layout.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NoticeColumns {
    order_no: usize,
    qty: usize,
    fill_flag: usize,
}

impl NoticeColumns {
    /// Finds `ODER_NO`, `CNTG_QTY` and `CNTG_YN` in a notice layout.
    pub fn find(columns: &[&str]) -> Option<Self> {
        let at = |name: &str| columns.iter().position(|c| *c == name);
        Some(NoticeColumns {
            order_no: at("ODER_NO")?,
            qty: at("CNTG_QTY")?,
            fill_flag: at("CNTG_YN")?,
        })
    }
}

impl Ledger {
    /// Records a realtime notice: execution notices (`CNTG_YN` = `2`) add their quantity.
    pub fn notice(&mut self, market: Market, cols: NoticeColumns, fields: &[&str]) {
        let get = |i: usize| fields.get(i).copied().unwrap_or_default();
        if get(cols.fill_flag) != "2" {
            return;
        }
        let Ok(qty) = get(cols.qty).trim().parse::<Decimal>() else {
            return;
        };
        *self
            .filled
            .entry(order_key(market, get(cols.order_no)))
            .or_default() += qty;
    }

    /// Takes `orders` (an inquiry made when notices were first subscribed) as already
    /// reported: fills from before the session are not "missed" by it. A notice received
    /// before the answer whose fill the answer includes is not counted twice (the ledger
    /// keeps the larger of the two).
    pub fn baseline(&mut self, orders: Vec<OrderFills>) {
        let _ = self.reconcile(orders);
    }

    /// The fills of `orders` not reported yet; they count as reported from now on.
    pub fn reconcile(&mut self, orders: Vec<OrderFills>) -> Vec<RecoveredFill> {
        let mut out = Vec::new();
        for order in orders {
            let seen = self
                .filled
                .entry(order_key(order.market, &order.order_no))
                .or_default();
            if order.filled > *seen {
                let missing = order.filled - *seen;
                *seen = order.filled;
                out.push(RecoveredFill {
                    order,
                    missing,
                    realtime: false,
                });
            }
        }
        out
    }
}

#[cfg(feature = "rest-recovery")]
pub use rest::RestRecovery;

/// The REST side: the only code of this crate that builds kis-client requests. Today's
/// request constructors take every required parameter positionally; the values sent are the
/// ones KIS's samples send for "all orders of these days".
#[cfg(feature = "rest-recovery")]
mod rest {
    use chrono::NaiveDate;
    use futures::StreamExt as _;
    use kis_client::api::codes::{
        FillFilter, InqrDvsn3, SideFilter, SortOrder, SortSqnInquireCcnl,
    };
    use kis_client::api::domestic_stock::inquire_daily_ccld::InquireDailyCcldRequest;
    use kis_client::api::overseas_stock::inquire_ccnl::InquireCcnlRequest;

    use super::*;

    /// Recovers executions through the REST client: domestic `inquire-daily-ccld` (주식일별주문체결조회)
    /// and overseas `inquire-ccnl` (해외주식 주문체결내역) for the server's KST days the gap spans
    /// ([`NoticeGap::server_days`]: by KIS's clock, from its `PINGPONG`s, where known).
    #[derive(Clone)]
    pub struct RestRecovery {
        client: kis_client::Client,
    }

    impl std::fmt::Debug for RestRecovery {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("RestRecovery").finish_non_exhaustive()
        }
    }

    impl RestRecovery {
        /// Recovery through `client` (its configured account).
        pub fn new(client: kis_client::Client) -> Self {
            RestRecovery { client }
        }
    }

    fn rest_error(e: kis_client::Error) -> Error {
        Error::Recovery(Box::new(e))
    }

    impl RestRecovery {
        async fn domestic(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<OrderFills>, Error> {
            let req = InquireDailyCcldRequest::within_3m(
                from,
                to,
                SideFilter::All,
                FillFilter::All,
                SortOrder::Descending,
                InqrDvsn3::All,
            )
            .excg_id_dvsn_cd("ALL");
            let mut out = Vec::new();
            let mut pages = std::pin::pin!(self.client.pages(req));
            while let Some(page) = pages.next().await {
                let page = page.map_err(rest_error)?;
                for row in page.response.output1.rows() {
                    out.push(OrderFills {
                        market: Market::Domestic,
                        order_no: row.odno.raw().into_owned(),
                        symbol: row.pdno.raw().into_owned(),
                        side: row.sll_buy_dvsn_cd.raw().into_owned(),
                        filled: row.tot_ccld_qty.get().map_or(Decimal::ZERO, |&q| q.into()),
                        avg_price: row.avg_prvs.get().copied(),
                    });
                }
            }
            Ok(out)
        }

        async fn overseas(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<OrderFills>, Error> {
            // All symbols ("%"), every side, filled orders only, in KIS's "DS" order.
            let req = InquireCcnlRequest::new(
                from,
                to,
                SideFilter::All,
                FillFilter::Filled,
                SortSqnInquireCcnl::Ascending,
            )
            .pdno("%");
            let mut out = Vec::new();
            let mut pages = std::pin::pin!(self.client.pages(req));
            while let Some(page) = pages.next().await {
                let page = page.map_err(rest_error)?;
                // `output` is a list (one row may arrive as a bare object: still one row).
                for row in page.response.output.iter() {
                    out.push(OrderFills {
                        market: Market::Overseas,
                        order_no: row.odno.raw().into_owned(),
                        symbol: row.pdno.raw().into_owned(),
                        side: row.sll_buy_dvsn_cd.raw().into_owned(),
                        filled: row.ft_ccld_qty.get().copied().unwrap_or_default(),
                        avg_price: row.ft_ccld_unpr3.get().copied(),
                    });
                }
            }
            Ok(out)
        }
    }

    impl NoticeRecovery for RestRecovery {
        fn orders(&self, gap: &NoticeGap) -> BoxFuture<'_, Result<Vec<OrderFills>, Error>> {
            let mut gap = gap.clone();
            gap.server_offset = gap.server_offset.or_else(|| self.client.server_offset());
            let days = gap.server_days(SystemTime::now());
            let markets = gap.markets();
            Box::pin(async move {
                // KIS keeps executions by its own day: never guess it from this machine's.
                let (from, to) = days.ok_or_else(|| {
                    Error::Recovery(
                        "the server's clock is unknown: no answer from KIS has told its date yet"
                            .into(),
                    )
                })?;
                let mut out = Vec::new();
                for m in markets {
                    out.extend(match m {
                        Market::Domestic => self.domestic(from, to).await?,
                        Market::Overseas => self.overseas(from, to).await?,
                    });
                }
                Ok(out)
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: [&str; 4] = ["CUST_ID", "ODER_NO", "CNTG_QTY", "CNTG_YN"];

    fn fills(order_no: &str, filled: i64) -> OrderFills {
        OrderFills {
            market: Market::Domestic,
            order_no: order_no.into(),
            symbol: "005930".into(),
            side: "02".into(),
            filled: filled.into(),
            avg_price: None,
        }
    }

    #[test]
    fn only_unreported_fills_are_recovered_once() {
        let cols = NoticeColumns::find(&COLS).unwrap();
        let mut l = Ledger::default();
        // Order 1 was accepted (CNTG_YN 1, not a fill) and filled 3 + 2 in realtime.
        l.notice(Market::Domestic, cols, &["h", "0000000001", "10", "1"]);
        l.notice(Market::Domestic, cols, &["h", "0000000001", "3", "2"]);
        l.notice(Market::Domestic, cols, &["h", "0000000001", "2", "2"]);
        // REST: order 1 filled 7 in all (2 missed), order 2 filled 4 (all missed), order 3 none.
        let got = l.reconcile(vec![fills("1", 7), fills("0000000002", 4), fills("3", 0)]);
        let missing: Vec<(String, Decimal)> = got
            .iter()
            .map(|r| (r.order.order_no.clone(), r.missing))
            .collect();
        assert_eq!(
            missing,
            [("1".into(), 2.into()), ("0000000002".into(), 4.into())]
        );
        assert!(got.iter().all(|r| !r.realtime));
        // A second inquiry of the same state recovers nothing.
        assert!(
            l.reconcile(vec![fills("1", 7), fills("0000000002", 4)])
                .is_empty()
        );
        // Overseas order numbers are a separate space.
        let mut o = fills("1", 1);
        o.market = Market::Overseas;
        assert_eq!(l.reconcile(vec![o]).len(), 1);
    }

    #[test]
    fn fills_before_the_baseline_are_never_recovered() {
        let cols = NoticeColumns::find(&COLS).unwrap();
        let mut l = Ledger::default();
        // 7 filled before the session; 2 more in realtime while the baseline was asked
        // (the answer already counts them: 9).
        l.notice(Market::Domestic, cols, &["h", "1", "2", "2"]);
        l.baseline(vec![fills("1", 9), fills("2", 0)]);
        // After a gap: order 1 at 12 (3 missed), order 2 at 4 (all missed).
        let got = l.reconcile(vec![fills("1", 12), fills("2", 4)]);
        let missing: Vec<Decimal> = got.iter().map(|r| r.missing).collect();
        assert_eq!(missing, [Decimal::from(3), Decimal::from(4)]);
        let mut fresh = Ledger::default();
        fresh.baseline(vec![fills("1", 7)]);
        assert!(fresh.reconcile(vec![fills("1", 7)]).is_empty());
    }

    #[test]
    fn layouts_without_the_columns_are_not_tracked() {
        assert!(NoticeColumns::find(&["CUST_ID", "ODER_NO"]).is_none());
    }

    #[test]
    fn gap_markets() {
        let gap = NoticeGap {
            from: SystemTime::UNIX_EPOCH,
            to: None,
            subscriptions: vec![
                ("H0STCNI0".into(), "a".into()),
                ("H0STCNI9".into(), "a".into()),
                ("H0GSCNI0".into(), "a".into()),
            ],
            server_offset: None,
        };
        assert_eq!(gap.markets(), [Market::Domestic, Market::Overseas]);
    }

    #[test]
    fn server_days_follow_the_server_clock() {
        let at = |secs: u64| SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs);
        let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // 12:00 UTC is 21:00 KST on 1970-01-01; KST midnight is 15:00 UTC.
        let mut gap = NoticeGap {
            from: at(12 * 3600),
            to: Some(at(12 * 3600 + 60)),
            subscriptions: Vec::new(),
            server_offset: None,
        };
        assert_eq!(gap.server_days(at(0)), None, "unknown clock, no guess");
        gap.server_offset = Some(chrono::TimeDelta::zero());
        assert_eq!(
            gap.server_days(at(0)),
            Some((day("1970-01-01"), day("1970-01-01")))
        );
        // A server a day behind this machine (a simulator on an earlier trading day).
        gap.server_offset = Some(chrono::TimeDelta::days(-1));
        assert_eq!(
            gap.server_days(at(0)),
            Some((day("1969-12-31"), day("1969-12-31")))
        );
        // A gap that ends a few seconds before KST midnight also asks for the next day.
        gap.server_offset = Some(chrono::TimeDelta::zero());
        gap.to = Some(at(15 * 3600 - 5));
        assert_eq!(
            gap.server_days(at(0)),
            Some((day("1970-01-01"), day("1970-01-02")))
        );
        // An open-ended gap runs to `now`.
        gap.to = None;
        assert_eq!(
            gap.server_days(at(2 * 86_400)).map(|d| d.1),
            Some(day("1970-01-03"))
        );
    }
}
