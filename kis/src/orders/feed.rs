//! The background work of the desk: execution notices from the realtime session, inquiries
//! after gaps and restarts and while no notices flow, and the resolution of requests that
//! may have been sent. Everything it learns becomes a ledger event through `Desk::record`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use futures::StreamExt as _;
use kis_ws::{AnyRecord, Event as WsEvent, EventStream};
use tokio::time::Instant;

use super::desk::Desk;
use super::kis_io;
use crate::Error;
use crate::ledger::{AccountKey, Event, OrderState};

/// Asks KIS for the account's orders of the server's recent days and records every row.
/// `first`: the account's first reconciliation in this process (rows of a fresh journal are
/// the baseline: fills up to now are not news). Orders still unknown after two inquiries and
/// [`super::TradingOptions::resolve_after`] are resolved as not sent. Then the balance is
/// compared with the fills ([`check_drift`]): always when `drift`, else only when the day's
/// fills moved since the last comparison.
pub(crate) async fn reconcile(
    desk: &Arc<Desk>,
    account: &AccountKey,
    first: bool,
    drift: bool,
) -> Result<(), Error> {
    // KIS keeps orders by its own (KST) day: ask its clock, never this machine's.
    desk.client.sync_server_clock().await?;
    let now = desk
        .client
        .server_now()
        .ok_or_else(|| Error::NotReconciled("KIS did not say its date".into()))?;
    // Two minutes back: a gap that ends just after KST midnight still asks for the day before.
    let to = now.date();
    let mut from = (now - chrono::TimeDelta::minutes(2)).date();
    if first {
        from = from
            .checked_sub_days(chrono::Days::new(u64::from(desk.options.reconcile_days)))
            .unwrap_or(from);
    }
    // The journal's open days are asked too, so their last fills are counted before their
    // day ends in the ledger.
    let (ledger_day, open_from) = open_days(desk, account);
    from = open_from.map_or(from, |d| d.min(from)).min(to);
    if ledger_day.is_none() {
        // A ledger without a day has no orders keyed by one: rows of several days are
        // matched by their own days from here on.
        desk.record(
            account,
            Event::NewDay {
                account: account.clone(),
                date: to,
            },
        )?;
    }
    let fresh = first
        && desk
            .read(account, |l| l.orders(account).is_empty())
            .unwrap_or(true);
    let mut rows = kis_io::inquire(&desk.client, account, false, from, to).await?;
    let overseas = desk
        .read(account, |l| {
            l.orders(account)
                .iter()
                .any(|o| o.intent.venue.is_overseas() && !o.state.is_done())
        })
        .unwrap_or(false);
    if overseas {
        rows.extend(kis_io::inquire(&desk.client, account, true, from, to).await?);
    }
    if fresh {
        desk.record(
            account,
            Event::Baseline {
                account: account.clone(),
                rows,
            },
        )?;
    } else {
        for row in rows {
            desk.record(account, Event::Inquiry(row))?;
        }
    }
    if ledger_day.is_some_and(|d| d < to) {
        // The days before were asked above: their open domestic orders end with them.
        tracing::info!(account = %account, day = %to, "KIS's day changed");
        desk.record(
            account,
            Event::NewDay {
                account: account.clone(),
                date: to,
            },
        )?;
    }
    resolve_unknown(desk, account)?;
    check_drift(desk, account, to, drift).await
}

/// Shares bought − sold per symbol on `day` by the ledger.
fn net_fills(desk: &Desk, account: &AccountKey, day: &str) -> BTreeMap<String, i128> {
    desk.read(account, |l| {
        l.fills_on(account, day)
            .into_iter()
            .map(|(s, d)| (s, d.net_qty()))
            .collect()
    })
    .unwrap_or_default()
}

/// Compares the domestic balance with the fills of server day `day` and records what
/// [`crate::ledger::Ledger::check_drift`] finds (the day's start-of-day holdings the first
/// time, then drifts that are new, changed or gone).
///
/// Races: it runs right after the executions inquiry of the same reconciliation was applied,
/// so every fill KIS had by then is in the ledger. A fill between that inquiry and the
/// balance read (in the balance, not yet in the ledger), or a notice applied meanwhile (in the
/// ledger, maybe not in the balance), would look like drift; so before a drift is recorded or
/// cleared, the day's executions are asked again: a symbol whose fills moved across the balance
/// read is not judged this time (the next reconciliation looks again). Only quantities are
/// compared (fees and taxes make cash inexact), domestic only.
async fn check_drift(
    desk: &Arc<Desk>,
    account: &AccountKey,
    day: NaiveDate,
    force: bool,
) -> Result<(), Error> {
    let d = day.format("%Y%m%d").to_string();
    let before = net_fills(desk, account, &d);
    if !force && desk.drift_seen(account).as_ref() == Some(&before) {
        return Ok(());
    }
    let holdings = kis_io::holdings(&desk.client, account).await?;
    let compare = || {
        desk.read(account, |l| l.check_drift(account, &d, &holdings))
            .unwrap_or_default()
    };
    let mut events = compare();
    let mut settled = true;
    if events
        .iter()
        .any(|e| matches!(e, Event::DriftObserved { .. }))
    {
        for row in kis_io::inquire(&desk.client, account, false, day, day).await? {
            desk.record(account, Event::Inquiry(row))?;
        }
        let after = net_fills(desk, account, &d);
        events = compare();
        events.retain(|e| match e {
            Event::DriftObserved { drift, .. } => {
                let moved = before.get(&drift.symbol) != after.get(&drift.symbol);
                if moved {
                    tracing::debug!(symbol = %drift.symbol, "fills moved across the balance read: compared next time");
                    settled = false;
                }
                !moved
            }
            _ => true,
        });
    }
    for e in events {
        if let Event::DriftObserved { drift, .. } = &e {
            if drift.qty() == 0 {
                tracing::info!(account = %account, symbol = %drift.symbol, "the holding agrees with the fills again");
            } else {
                tracing::warn!(account = %account, symbol = %drift.symbol, expected = drift.expected,
                    actual = drift.actual, "the holding differs from what the fills imply");
            }
        }
        desk.record(account, e)?;
    }
    desk.set_drift_seen(account, settled.then(|| net_fills(desk, account, &d)));
    Ok(())
}

/// Before an intent is journaled: the ledger must be on KIS's day, or the new order would be
/// keyed by yesterday's numbers. A process that ran past KST midnight reconciles first.
pub(crate) async fn ensure_day(desk: &Arc<Desk>, account: &AccountKey) -> Result<(), Error> {
    let today = desk.client.server_today();
    let ledger_day = desk.read(account, |l| l.day(account)).flatten();
    if today.is_none() || today != ledger_day {
        reconcile(desk, account, false, false).await?;
    }
    Ok(())
}

/// After an order's reply: if its answer shows KIS on a later day than the ledger's (the
/// client's idea of KIS's clock lagged, e.g. a simulator whose clock jumped), the ledger moves
/// to KIS's day before the reply is recorded, so the reply's number keys the new day's order
/// and not yesterday's order of the same number. As in [`reconcile`], the ended days are asked
/// first (their orders' last fills), then `NewDay`; the order in flight takes the new day.
pub(crate) async fn follow_kis_day(desk: &Arc<Desk>, account: &AccountKey) -> Result<(), Error> {
    let Some(today) = desk.client.server_today() else {
        return Ok(());
    };
    let (ledger_day, open_from) = open_days(desk, account);
    let Some(ledger_day) = ledger_day.filter(|d| *d < today) else {
        return Ok(());
    };
    tracing::info!(account = %account, day = %today, "KIS's day changed while an order was in flight");
    let from = open_from.unwrap_or(ledger_day);
    match kis_io::inquire(&desk.client, account, false, from, ledger_day).await {
        Ok(rows) => {
            for row in rows {
                desk.record(account, Event::Inquiry(row))?;
            }
        }
        // The reply must be recorded now; the ended day's last fills then come from its
        // notices only, and a difference shows as drift.
        Err(e) => tracing::warn!(account = %account, error = %e,
            "the ended day's executions could not be asked before KIS's new day"),
    }
    desk.record(
        account,
        Event::NewDay {
            account: account.clone(),
            date: today,
        },
    )?;
    Ok(())
}

/// The ledger's day, and the first of the journal's open days: the earlier of the ledger's
/// day and the oldest open order's day (`None` while the ledger has no day and no open order
/// carries one).
fn open_days(desk: &Desk, account: &AccountKey) -> (Option<NaiveDate>, Option<NaiveDate>) {
    desk.read(account, |l| {
        let day = l.day(account);
        let oldest_open = l.open_orders(account).iter().filter_map(|o| o.day).min();
        (day, day.into_iter().chain(oldest_open).min())
    })
    .unwrap_or((None, None))
}

/// Orders that may have been sent and that two inquiries since (and `resolve_after`) did not
/// show are not at KIS: `ResolvedNotSent`. The same for a modify or cancel that may have been
/// sent: still pending after those inquiries (an inquiry row of the new KIS order number would
/// have moved it on), KIS never got it, and it is recorded as refused with that reason; the
/// order stays open and can be changed again.
fn resolve_unknown(desk: &Arc<Desk>, account: &AccountKey) -> Result<(), Error> {
    let due: Vec<_> = {
        let mut unknown = desk.unknown.lock().unwrap_or_else(|p| p.into_inner());
        unknown
            .iter_mut()
            .filter(|((a, _), _)| a == account)
            .filter_map(|((_, id), (since, inquiries))| {
                *inquiries += 1;
                (*inquiries >= 2 && since.elapsed() >= desk.options.resolve_after).then_some(*id)
            })
            .collect()
    };
    const NEVER_GOT: &str = "KIS never got the request: inquiries after it show no such change";
    for id in due {
        let event = match desk.view(account, id).map(|v| v.state) {
            Some(OrderState::Unknown) => {
                tracing::info!(order = %id, "an inquiry shows KIS never got the order");
                Event::ResolvedNotSent { id }
            }
            Some(OrderState::PendingModify) => {
                tracing::info!(order = %id, "an inquiry shows KIS never got the modify");
                Event::ModifyRejected {
                    id,
                    msg_cd: String::new(),
                    msg: NEVER_GOT.into(),
                }
            }
            Some(OrderState::PendingCancel) => {
                tracing::info!(order = %id, "an inquiry shows KIS never got the cancel");
                Event::CancelRejected {
                    id,
                    msg_cd: String::new(),
                    msg: NEVER_GOT.into(),
                }
            }
            _ => {
                desk.unknown
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&(account.clone(), id));
                continue;
            }
        };
        desk.record(account, event)?;
    }
    Ok(())
}

/// Subscribes the execution notices of the configured HTS ID (paper or real TR, domestic and
/// overseas). The stream is taken before subscribing, so nothing after the acknowledgement
/// is missed.
pub(crate) async fn subscribe_notices(
    session: &kis_ws::Session,
    client: &kis_client::Client,
) -> Result<EventStream<AnyRecord>, Error> {
    let hts_id = client
        .config()
        .hts_id()
        .ok_or_else(|| Error::Invalid {
            field: "hts_id",
            reason: "execution notices need the HTS ID (my_htsid)".into(),
        })?
        .to_owned();
    let events = session.events();
    let paper = client.config().env() == kis_client::Env::Paper;
    let (domestic, overseas) = if paper {
        ("H0STCNI9", "H0GSCNI9")
    } else {
        ("H0STCNI0", "H0GSCNI0")
    };
    session.subscribe(domestic, &hts_id).await?;
    session.subscribe(overseas, &hts_id).await?;
    Ok(events)
}

/// Runs until the desk's handle is dropped or the session ends: applies notices, reconciles
/// after every gap, polls while orders are live and notices are quiet, resolves what may have
/// been sent.
pub(crate) async fn run(desk: std::sync::Weak<Desk>, mut events: Option<EventStream<AnyRecord>>) {
    /// What woke the loop (on the stack for one turn: boxing the record would cost an
    /// allocation per notice).
    #[allow(clippy::large_enum_variant)]
    enum Wake {
        Event(Option<WsEvent<AnyRecord>>),
        Tick,
        Poke,
    }
    let mut last_news = Instant::now();
    loop {
        // The desk is held only while working, never while waiting: dropping the `Kis`
        // handle closes the journal (and its cross-process lock) at once.
        let (poll, poke) = match desk.upgrade() {
            Some(d) => (d.options.poll_interval, d.poke.clone()),
            None => return,
        };
        let next = async {
            match events.as_mut() {
                Some(e) => e.next().await,
                None => std::future::pending().await,
            }
        };
        let wake = tokio::select! {
            ev = next => Wake::Event(ev),
            _ = tokio::time::sleep(poll) => Wake::Tick,
            _ = poke.notified() => Wake::Poke,
        };
        let Some(d) = desk.upgrade() else { return };
        let mut reconcile_live = false;
        let mut reconcile_all = false;
        match wake {
            Wake::Event(None) => {
                tracing::warn!("the realtime session ended: orders are followed by inquiries only");
                events = None;
            }
            Wake::Event(Some(WsEvent::Data { record, .. })) => {
                let known = d.accounts();
                let notice = match &record {
                    AnyRecord::H0stcni0(n) => kis_io::domestic_notice(n, &known),
                    AnyRecord::H0gscni0(n) => kis_io::overseas_notice(n, &known),
                    _ => None,
                };
                if let Some(n) = notice.filter(|n| known.contains(&n.account)) {
                    last_news = Instant::now();
                    let account = n.account.clone();
                    if let Err(e) = d.record(&account, Event::Notice(n)) {
                        tracing::error!(error = %e, "a notice could not be journaled; reconciling");
                        reconcile_all = true;
                    }
                }
            }
            Wake::Event(Some(WsEvent::NoticeGap(_)))
            | Wake::Event(Some(WsEvent::Overflowed { .. })) => {
                // Notices may have been missed: every account is asked again.
                for account in d.accounts() {
                    let _ = d.record(
                        &account,
                        Event::Gap {
                            account: account.clone(),
                            from: None,
                            to: None,
                        },
                    );
                }
                reconcile_all = true;
            }
            Wake::Event(Some(_)) => {}
            Wake::Tick => reconcile_live = last_news.elapsed() >= poll,
            Wake::Poke => reconcile_live = true,
        }
        let mut failed = false;
        for account in d.accounts() {
            if reconcile_all || (reconcile_live && d.has_live_orders(&account)) {
                if let Err(e) = reconcile(&d, &account, false, reconcile_all).await {
                    tracing::warn!(error = %e, account = %account, "reconciliation failed; will try again");
                    failed = true;
                }
            }
        }
        drop(d);
        if failed {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}
