//! The background work of the desk: execution notices from the realtime session, inquiries
//! after gaps and restarts and while no notices flow, and the resolution of requests that
//! may have been sent. Everything it learns becomes a ledger event through `Desk::record`.

use std::sync::Arc;
use std::time::Duration;

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
/// [`super::TradingOptions::resolve_after`] are resolved as not sent.
pub(crate) async fn reconcile(
    desk: &Arc<Desk>,
    account: &AccountKey,
    first: bool,
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
    // The journal's open days: the ledger's day and the days of orders still open are asked
    // too, so their last fills are counted before their day ends in the ledger.
    let (ledger_day, oldest_open) = desk
        .read(account, |l| {
            let open = l.open_orders(account).iter().filter_map(|o| o.day).min();
            (l.day(account), open)
        })
        .unwrap_or((None, None));
    from = [Some(from), ledger_day, oldest_open]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(from)
        .min(to);
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
    resolve_unknown(desk, account)
}

/// Before an intent is journaled: the ledger must be on KIS's day, or the new order would be
/// keyed by yesterday's numbers. A process that ran past KST midnight reconciles first.
pub(crate) async fn ensure_day(desk: &Arc<Desk>, account: &AccountKey) -> Result<(), Error> {
    let today = desk.client.server_today();
    let ledger_day = desk.read(account, |l| l.day(account)).flatten();
    if today.is_none() || today != ledger_day {
        reconcile(desk, account, false).await?;
    }
    Ok(())
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
                if let Err(e) = reconcile(&d, &account, false).await {
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
