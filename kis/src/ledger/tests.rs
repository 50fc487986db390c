//! Scenario tests of the ledger: one per transition kind and per invariant.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::*;

fn acct() -> AccountKey {
    AccountKey::parse("1234567801").unwrap()
}

fn notice(odno: &str, kind: NoticeKind, fill: u64, price: Decimal, time: &str) -> Notice {
    Notice {
        account: acct(),
        odno: odno.into(),
        orig_odno: None,
        kind,
        rctf: Rctf::New,
        symbol: "005930".into(),
        side: Side::Buy,
        order_qty: Some(10),
        order_price: Some(dec!(70000)),
        fill_qty: fill,
        fill_price: (fill > 0).then_some(price),
        time: Some(time.into()),
        venue: None,
    }
}

fn fill(odno: &str, qty: u64, time: &str) -> Event {
    Event::Notice(notice(odno, NoticeKind::Fill, qty, dec!(70000), time))
}

fn row(odno: &str, filled: u64, avg: Decimal) -> InquiryRow {
    InquiryRow {
        account: acct(),
        day: "20261204".into(),
        odno: odno.into(),
        orig_odno: None,
        symbol: "005930".into(),
        side: Side::Buy,
        ord_qty: 10,
        ord_price: Some(dec!(70000)),
        tot_ccld_qty: filled,
        avg_prvs: avg,
        tot_ccld_amt: None,
        rmn_qty: 10 - filled,
        cncl_yn: false,
        rjct_qty: 0,
        venue: None,
    }
}

fn intent() -> Intent {
    Intent::new(acct(), "005930", Side::Buy, 10).limit(dec!(70000))
}

/// An order of ours, sent and accepted as `odno`.
fn accepted(l: &mut Ledger, odno: &str) -> OrderId {
    let id = sent(l);
    l.apply(Event::ReplyAccepted {
        id,
        odno: odno.into(),
        orgno: Some("06010".into()),
        time: Some("090000".into()),
    })
    .unwrap();
    id
}

fn sent(l: &mut Ledger) -> OrderId {
    let id = l.next_id();
    let mut i = intent();
    i.allow_duplicate = true;
    l.apply(Event::IntentRecorded { id, intent: i }).unwrap();
    l.apply(Event::Sent { id }).unwrap();
    id
}

fn view(l: &Ledger, id: OrderId) -> OrderView {
    l.order(id).unwrap()
}

#[test]
fn an_order_goes_journaled_sent_accepted_partially_filled_filled() {
    let mut l = Ledger::new();
    let id = l.next_id();
    l.apply(Event::IntentRecorded {
        id,
        intent: intent(),
    })
    .unwrap();
    assert_eq!(view(&l, id).state, OrderState::Journaled);
    l.apply(Event::Sent { id }).unwrap();
    assert_eq!(view(&l, id).state, OrderState::Sent);
    l.apply(Event::ReplyAccepted {
        id,
        odno: "0000000011".into(),
        orgno: None,
        time: None,
    })
    .unwrap();
    assert_eq!(view(&l, id).state, OrderState::Accepted);
    let a = l.apply(fill("11", 4, "090001")).unwrap();
    assert_eq!(a.fills.len(), 1);
    assert_eq!(a.fills[0].1.qty, 4);
    assert_eq!(view(&l, id).state, OrderState::PartiallyFilled);
    l.apply(fill("11", 6, "090002")).unwrap();
    let v = view(&l, id);
    assert_eq!(
        (v.state, v.filled, v.remaining),
        (OrderState::Filled, 10, 0)
    );
    assert_eq!(v.avg_price, Some(dec!(70000)));
}

#[test]
fn a_duplicated_notice_is_counted_once() {
    let mut l = Ledger::new();
    let id = accepted(&mut l, "11");
    l.apply(fill("11", 3, "090001")).unwrap();
    let again = l.apply(fill("11", 3, "090001")).unwrap();
    assert!(again.fills.is_empty());
    assert_eq!(view(&l, id).filled, 3);
}

#[test]
fn a_notice_before_the_reply_is_parked_then_applied() {
    let mut l = Ledger::new();
    let id = sent(&mut l);
    let a = l.apply(fill("11", 3, "090001")).unwrap();
    assert!(a.parked && a.adopted.is_empty());
    assert_eq!(l.parked(&acct()), 1);
    assert_eq!(view(&l, id).filled, 0);
    let a = l
        .apply(Event::ReplyAccepted {
            id,
            odno: "11".into(),
            orgno: None,
            time: None,
        })
        .unwrap();
    assert_eq!(a.fills.len(), 1);
    assert_eq!(l.parked(&acct()), 0);
    let v = view(&l, id);
    assert_eq!((v.state, v.filled), (OrderState::PartiallyFilled, 3));
}

#[test]
fn a_parked_notice_of_another_order_is_adopted_when_ours_is_answered() {
    let mut l = Ledger::new();
    let id = sent(&mut l);
    l.apply(fill("99", 2, "090001")).unwrap();
    let a = l
        .apply(Event::ReplyAccepted {
            id,
            odno: "11".into(),
            orgno: None,
            time: None,
        })
        .unwrap();
    assert_eq!(a.adopted.len(), 1);
    let ext = view(&l, a.adopted[0]);
    assert!(ext.external);
    assert_eq!(ext.filled, 2);
    assert_eq!(view(&l, id).filled, 0);
}

#[test]
fn an_inquiry_floor_recovers_a_missed_fill_once() {
    let mut l = Ledger::new();
    let id = accepted(&mut l, "11");
    l.apply(fill("11", 2, "090001")).unwrap();
    // The inquiry says 5 at an average of 70,060: 3 were missed, at (350,300 - 140,000) / 3.
    let a = l.apply(Event::Inquiry(row("11", 5, dec!(70060)))).unwrap();
    assert_eq!(a.fills.len(), 1);
    assert_eq!(a.fills[0].1.qty, 3);
    assert_eq!(a.fills[0].1.source, FillSource::Inquiry);
    assert_eq!(a.fills[0].1.price, dec!(70100));
    // The missed notice arrives late: counted already.
    let late = l
        .apply(Event::Notice(notice(
            "11",
            NoticeKind::Fill,
            3,
            dec!(70100),
            "090002",
        )))
        .unwrap();
    assert!(late.fills.is_empty());
    let v = view(&l, id);
    assert_eq!(v.filled, 5);
    assert_eq!(v.avg_price, Some(dec!(70060)));
    assert_eq!(v.fills.iter().map(|f| f.qty).sum::<u64>(), 5);
}

#[test]
fn an_older_inquiry_never_lowers_a_streamed_fill() {
    let mut l = Ledger::new();
    let id = accepted(&mut l, "11");
    l.apply(fill("11", 4, "090001")).unwrap();
    let a = l.apply(Event::Inquiry(row("11", 1, dec!(70000)))).unwrap();
    assert!(a.fills.is_empty());
    let v = view(&l, id);
    assert_eq!((v.filled, v.state), (4, OrderState::PartiallyFilled));
}

#[test]
fn a_modify_follows_the_chain() {
    let mut l = Ledger::new();
    let id = accepted(&mut l, "11");
    l.apply(fill("11", 2, "090001")).unwrap();
    l.apply(Event::ModifyRequested {
        id,
        orig_odno: "11".into(),
        price: Some(dec!(69000)),
        kind: None,
        qty: None,
    })
    .unwrap();
    assert_eq!(view(&l, id).state, OrderState::PendingModify);
    // A second request while one is out is refused before anything is sent.
    assert!(matches!(
        l.apply(Event::CancelRequested {
            id,
            orig_odno: "11".into(),
            qty: None
        }),
        Err(LedgerError::NotAllowed { .. })
    ));
    l.apply(Event::ModifyAccepted {
        id,
        odno: "12".into(),
        orgno: None,
        orig_odno: "11".into(),
        time: None,
    })
    .unwrap();
    let mut n = notice("12", NoticeKind::Fill, 8, dec!(69000), "090500");
    n.orig_odno = Some("11".into());
    n.rctf = Rctf::Modify;
    n.order_qty = Some(8);
    n.order_price = Some(dec!(69000));
    l.apply(Event::Notice(n)).unwrap();
    let v = view(&l, id);
    assert_eq!(
        (v.state, v.filled, v.remaining),
        (OrderState::Filled, 10, 0)
    );
    assert_eq!(v.price, Some(dec!(69000)));
    assert_eq!(v.chain.len(), 2);
    assert_eq!(l.by_odno(&acct(), "0000000012"), Some(id));
    assert_eq!(v.live_odno().unwrap().odno, "12");
}

#[test]
fn partial_fills_then_cancel_end_cancelled() {
    let mut l = Ledger::new();
    let id = accepted(&mut l, "11");
    l.apply(fill("11", 3, "090001")).unwrap();
    l.apply(Event::CancelRequested {
        id,
        orig_odno: "11".into(),
        qty: None,
    })
    .unwrap();
    // A fill while the cancel is out keeps it pending.
    l.apply(fill("11", 2, "090002")).unwrap();
    assert_eq!(view(&l, id).state, OrderState::PendingCancel);
    l.apply(Event::CancelAccepted {
        id,
        odno: "13".into(),
        orgno: None,
        orig_odno: "11".into(),
        time: None,
    })
    .unwrap();
    let v = view(&l, id);
    assert_eq!(
        (v.state, v.filled, v.cancelled, v.remaining),
        (OrderState::Cancelled, 5, 5, 0)
    );
    // Modify or cancel of a done order is refused.
    assert!(
        l.apply(Event::CancelRequested {
            id,
            orig_odno: "11".into(),
            qty: None
        })
        .is_err()
    );
}

#[test]
fn a_partial_cancel_leaves_the_rest_open() {
    let mut l = Ledger::new();
    let id = accepted(&mut l, "11");
    l.apply(Event::CancelRequested {
        id,
        orig_odno: "11".into(),
        qty: Some(4),
    })
    .unwrap();
    l.apply(Event::CancelAccepted {
        id,
        odno: "13".into(),
        orgno: None,
        orig_odno: "11".into(),
        time: None,
    })
    .unwrap();
    let v = view(&l, id);
    assert_eq!(
        (v.state, v.remaining, v.cancelled),
        (OrderState::Accepted, 6, 4)
    );
}

#[test]
fn a_rejection_is_final_whatever_comes_after() {
    let mut l = Ledger::new();
    let id = sent(&mut l);
    l.apply(Event::ReplyRejected {
        id,
        msg_cd: "APBK0952".into(),
        msg: "주문가능금액을 초과 했습니다".into(),
    })
    .unwrap();
    let v = view(&l, id);
    assert_eq!(v.state, OrderState::Rejected);
    assert!(v.last_error.unwrap().contains("APBK0952"));

    // A refused notice before the reply: the late reply does not revive it.
    let id = sent(&mut l);
    l.apply(Event::ReplyAccepted {
        id,
        odno: "21".into(),
        orgno: None,
        time: None,
    })
    .unwrap();
    l.apply(Event::Notice(notice(
        "21",
        NoticeKind::Refused,
        0,
        dec!(0),
        "090001",
    )))
    .unwrap();
    assert_eq!(view(&l, id).state, OrderState::Rejected);
    l.apply(Event::ReplyAccepted {
        id,
        odno: "21".into(),
        orgno: None,
        time: None,
    })
    .unwrap();
    assert_eq!(view(&l, id).state, OrderState::Rejected);
}

#[test]
fn unknown_is_resolved_by_an_inquiry_row_or_as_not_sent() {
    let mut l = Ledger::new();
    let id = sent(&mut l);
    l.apply(Event::MaybeSent {
        id,
        reason: "timeout".into(),
    })
    .unwrap();
    assert_eq!(view(&l, id).state, OrderState::Unknown);
    // Never re-sent.
    assert!(l.apply(Event::Sent { id }).is_err());
    let a = l.apply(Event::Inquiry(row("31", 10, dec!(70000)))).unwrap();
    assert!(a.adopted.is_empty());
    let v = view(&l, id);
    assert_eq!((v.state, v.filled), (OrderState::Filled, 10));
    assert_eq!(l.by_odno(&acct(), "31"), Some(id));

    let id = sent(&mut l);
    l.apply(Event::MaybeSent {
        id,
        reason: "HTTP 500".into(),
    })
    .unwrap();
    l.apply(Event::ResolvedNotSent { id }).unwrap();
    assert_eq!(view(&l, id).state, OrderState::NotSent);
}

#[test]
fn a_restart_makes_in_flight_orders_unknown_and_the_account_unreconciled() {
    let mut l = Ledger::new();
    let id = sent(&mut l);
    let done = accepted(&mut l, "11");
    l.apply(Event::Reconciled { account: acct() }).unwrap();
    assert!(l.is_reconciled(&acct()));
    l.apply(Event::Restarted { account: acct() }).unwrap();
    assert!(!l.is_reconciled(&acct()));
    assert_eq!(view(&l, id).state, OrderState::Unknown);
    assert_eq!(view(&l, done).state, OrderState::Accepted);
    l.apply(Event::Reconciled { account: acct() }).unwrap();
    l.apply(Event::Gap {
        account: acct(),
        from: None,
        to: None,
    })
    .unwrap();
    assert!(!l.is_reconciled(&acct()));
    assert_eq!(l.gaps(&acct()), 1);
}

#[test]
fn external_orders_are_adopted_and_their_chain_stays_one_order() {
    let mut l = Ledger::new();
    // The modify row comes before its original (inquiry pages in any order).
    let mut m = row("42", 2, dec!(69000));
    m.orig_odno = Some("41".into());
    m.ord_qty = 6;
    let a = l.apply(Event::Inquiry(m)).unwrap();
    assert_eq!(a.adopted.len(), 1);
    let ext = a.adopted[0];
    let mut orig = row("41", 4, dec!(70000));
    orig.rmn_qty = 0;
    let a = l.apply(Event::Inquiry(orig)).unwrap();
    assert!(a.adopted.is_empty());
    let v = view(&l, ext);
    assert!(v.external);
    assert_eq!((v.filled, v.intent.qty, v.chain.len()), (6, 10, 2));
    assert_eq!(l.orders(&acct()).len(), 1);
}

#[test]
fn baseline_fills_are_not_recovered_again_after_a_gap() {
    let mut l = Ledger::new();
    let a = l
        .apply(Event::Baseline {
            account: acct(),
            rows: vec![row("51", 7, dec!(70000))],
        })
        .unwrap();
    assert_eq!(a.fills.len(), 1);
    assert_eq!(a.fills[0].1.source, FillSource::Baseline);
    l.apply(Event::Gap {
        account: acct(),
        from: None,
        to: None,
    })
    .unwrap();
    // The reconcile after the gap sees the same 7 (and 2 more, which are recovered).
    let a = l.apply(Event::Inquiry(row("51", 7, dec!(70000)))).unwrap();
    assert!(a.fills.is_empty(), "{a:?}");
    let a = l.apply(Event::Inquiry(row("51", 9, dec!(70000)))).unwrap();
    assert_eq!(a.fills.len(), 1);
    assert_eq!(
        (a.fills[0].1.qty, a.fills[0].1.source),
        (2, FillSource::Inquiry)
    );
    let d = l.position_deltas(&acct());
    assert_eq!(d["005930"].bought, 9);
    assert_eq!(d["005930"].net_cash(), dec!(-630000));
}

#[test]
fn the_duplicate_guard() {
    let mut l = Ledger::new();
    let keyed = intent().key("k1");
    let id = l.next_id();
    l.apply(Event::IntentRecorded {
        id,
        intent: keyed.clone(),
    })
    .unwrap();
    assert_eq!(l.check_intent(&keyed), Ok(Some(id)));
    assert!(matches!(
        l.apply(Event::IntentRecorded {
            id: l.next_id(),
            intent: keyed
        }),
        Err(LedgerError::Duplicate(DuplicateError::KeyUsed { .. }))
    ));
    // Identical without a key: refused while the first is in flight.
    assert_eq!(
        l.check_intent(&intent()),
        Err(DuplicateError::Pending {
            existing: id,
            state: OrderState::Journaled
        })
    );
    l.apply(Event::Sent { id }).unwrap();
    l.apply(Event::MaybeSent {
        id,
        reason: "timeout".into(),
    })
    .unwrap();
    assert!(l.check_intent(&intent()).is_err(), "unknown still guards");
    l.apply(Event::ReplyAccepted {
        id,
        odno: "11".into(),
        orgno: None,
        time: None,
    })
    .unwrap();
    assert_eq!(l.check_intent(&intent()), Ok(None));
}

#[test]
fn bad_input_is_refused_before_anything_changes() {
    let mut l = Ledger::new();
    let mut i = intent();
    i.qty = 0;
    let e = l
        .apply(Event::IntentRecorded {
            id: l.next_id(),
            intent: i,
        })
        .unwrap_err();
    assert!(matches!(e, LedgerError::Invalid { field: "qty", .. }));
    let id = accepted(&mut l, "11");
    let e = l
        .apply(Event::CancelRequested {
            id,
            orig_odno: "11".into(),
            qty: Some(11),
        })
        .unwrap_err();
    assert!(matches!(e, LedgerError::Invalid { field: "qty", .. }));
    let e = l
        .apply(Event::ModifyRequested {
            id,
            orig_odno: "77".into(),
            price: None,
            kind: None,
            qty: None,
        })
        .unwrap_err();
    assert!(matches!(
        e,
        LedgerError::Invalid {
            field: "orig_odno",
            ..
        }
    ));
    let e = l
        .apply(Event::Notice(notice(
            "11",
            NoticeKind::Fill,
            0,
            dec!(1),
            "0",
        )))
        .unwrap_err();
    assert!(matches!(
        e,
        LedgerError::Invalid {
            field: "fill_qty",
            ..
        }
    ));
    assert_eq!(view(&l, id).state, OrderState::Accepted);
}

#[test]
fn events_round_trip_through_json_and_debug_masks_the_account() {
    let e = Event::IntentRecorded {
        id: OrderId(3),
        intent: intent(),
    };
    let json = serde_json::to_string(&e).unwrap();
    assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), e);
    assert!(!format!("{e:?}").contains("12345678"));
    let bad = json.replace("1234567801", "12");
    assert!(serde_json::from_str::<Event>(&bad).is_err());
}

#[test]
fn a_parked_notice_binds_to_our_order_when_its_reply_is_lost() {
    let mut l = Ledger::new();
    let id = sent(&mut l);
    assert!(l.apply(fill("11", 10, "090001")).unwrap().parked);
    // The reply never comes: the transport gives up, and the notice is ours after all.
    let a = l
        .apply(Event::MaybeSent {
            id,
            reason: "timeout".into(),
        })
        .unwrap();
    assert_eq!(a.fills.len(), 1);
    assert!(a.adopted.is_empty());
    let v = view(&l, id);
    assert_eq!((v.state, v.filled), (OrderState::Filled, 10));
    assert_eq!(l.parked(&acct()), 0);
}

#[test]
fn an_external_order_seen_through_notices_follows_its_chain() {
    let mut l = Ledger::new();
    let mut ack = notice("61", NoticeKind::Ack, 0, dec!(0), "100000");
    ack.side = Side::Sell;
    let a = l.apply(Event::Notice(ack.clone())).unwrap();
    let ext = a.adopted[0];
    let mut f = notice("61", NoticeKind::Fill, 4, dec!(70000), "100001");
    f.side = Side::Sell;
    l.apply(Event::Notice(f)).unwrap();
    // Cancelled from HTS: the cancel's own number, naming the original.
    let mut c = notice("62", NoticeKind::Ack, 0, dec!(0), "100002");
    c.side = Side::Sell;
    c.rctf = Rctf::Cancel;
    c.orig_odno = Some("61".into());
    c.order_qty = Some(6);
    assert!(l.apply(Event::Notice(c)).unwrap().adopted.is_empty());
    let v = view(&l, ext);
    assert!(v.external);
    assert_eq!(
        (v.state, v.filled, v.cancelled, v.remaining),
        (OrderState::Cancelled, 4, 6, 0)
    );
    assert_eq!(l.position_deltas(&acct())["005930"].net_qty(), -4);
    // A refused modify of an order nobody knows adopts nothing.
    let mut r = notice("72", NoticeKind::Refused, 0, dec!(0), "100003");
    r.rctf = Rctf::Modify;
    r.orig_odno = Some("71".into());
    let a = l.apply(Event::Notice(r)).unwrap();
    assert!(a.adopted.is_empty() && a.changed.is_empty());
    assert_eq!(l.orders(&acct()).len(), 1);
}

fn day(d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
}

fn new_day(d: u32) -> Event {
    Event::NewDay {
        account: acct(),
        date: day(d),
    }
}

#[test]
fn kis_reuses_order_numbers_each_day_and_the_ledger_keys_them_by_day() {
    let mut l = Ledger::new();
    l.apply(new_day(3)).unwrap();
    let monday = accepted(&mut l, "0000000011");
    l.apply(fill("11", 10, "090001")).unwrap();
    assert_eq!(view(&l, monday).state, OrderState::Filled);
    l.apply(new_day(4)).unwrap();
    // Tuesday's first order gets the same number from KIS.
    let tuesday = accepted(&mut l, "0000000011");
    let v = view(&l, tuesday);
    assert_eq!(v.state, OrderState::Accepted, "{v:?}");
    assert_eq!(v.last_error, None, "no anomaly: {v:?}");
    assert_eq!((v.day, view(&l, monday).day), (Some(day(4)), Some(day(3))));
    l.apply(fill("11", 3, "090001")).unwrap();
    assert_eq!(view(&l, tuesday).filled, 3, "the fill is Tuesday's order's");
    assert_eq!(view(&l, monday).filled, 10, "Monday's order is untouched");
    // An inquiry row of Monday finds Monday's order; one of Tuesday, Tuesday's.
    let mut r = row("11", 10, dec!(70000));
    r.day = "20261203".into();
    let a = l.apply(Event::Inquiry(r)).unwrap();
    assert!(a.adopted.is_empty(), "{a:?}");
    assert_eq!(view(&l, tuesday).filled, 3);
    let mut r = row("11", 5, dec!(70000));
    r.day = "20261204".into();
    l.apply(Event::Inquiry(r)).unwrap();
    assert_eq!(view(&l, tuesday).filled, 5);
    assert_eq!(view(&l, monday).filled, 10);
    assert_eq!(l.orders(&acct()).len(), 2);
}

#[test]
fn a_new_day_expires_open_domestic_orders_and_resolves_unknown_ones() {
    let mut l = Ledger::new();
    l.apply(new_day(3)).unwrap();
    let partial = accepted(&mut l, "21");
    l.apply(fill("21", 4, "100000")).unwrap();
    let unknown = sent(&mut l);
    l.apply(Event::MaybeSent {
        id: unknown,
        reason: "timeout".into(),
    })
    .unwrap();
    let us = l.next_id();
    let mut i = Intent::new(acct(), "AAPL", Side::Buy, 2).limit(dec!(190.5));
    i.venue = Venue::Nasdaq;
    l.apply(Event::IntentRecorded { id: us, intent: i })
        .unwrap();
    l.apply(Event::Sent { id: us }).unwrap();
    l.apply(Event::ReplyAccepted {
        id: us,
        odno: "31".into(),
        orgno: None,
        time: None,
    })
    .unwrap();
    let before = l.orders(&acct());
    l.apply(new_day(4)).unwrap();
    let v = view(&l, partial);
    assert_eq!(
        (v.state, v.filled, v.remaining, v.cancelled),
        (OrderState::Cancelled, 4, 0, 6),
        "{v:?}"
    );
    assert!(v.last_error.unwrap().contains("expired"));
    assert_eq!(view(&l, unknown).state, OrderState::NotSent);
    assert_eq!(
        view(&l, us).state,
        OrderState::Accepted,
        "a US order spans KST midnight"
    );
    // Idempotent, and an older day changes nothing.
    let after = l.orders(&acct());
    assert_ne!(before, after);
    l.apply(new_day(4)).unwrap();
    l.apply(new_day(2)).unwrap();
    assert_eq!(l.orders(&acct()), after);
    assert_eq!(l.day(&acct()), Some(day(4)));
    // The US order's notices still find it after midnight.
    let mut n = notice("31", NoticeKind::Fill, 2, dec!(190.5), "003000");
    n.symbol = "AAPL".into();
    n.order_qty = Some(2);
    n.order_price = Some(dec!(190.5));
    let a = l.apply(Event::Notice(n)).unwrap();
    assert!(a.adopted.is_empty());
    assert_eq!(view(&l, us).state, OrderState::Filled);
}

#[test]
fn an_order_in_flight_while_kis_s_day_turns_is_the_new_day_s() {
    let mut l = Ledger::new();
    l.apply(new_day(3)).unwrap();
    let monday = accepted(&mut l, "11");
    l.apply(fill("11", 10, "090001")).unwrap();
    let resting = accepted(&mut l, "12");
    // Tuesday's first order leaves while the ledger still believes it is Monday.
    let tuesday = sent(&mut l);
    assert_eq!(view(&l, tuesday).day, Some(day(3)));
    // Its notices (number 11 again, no day) come before the reply: they wait for it.
    let a = l
        .apply(Event::Notice(notice(
            "11",
            NoticeKind::Ack,
            0,
            dec!(0),
            "090000",
        )))
        .unwrap();
    assert!(a.parked, "{a:?}");
    let a = l.apply(fill("11", 3, "090001")).unwrap();
    assert!(a.parked && a.fills.is_empty(), "{a:?}");
    assert_eq!(view(&l, monday).filled, 10, "Monday's order is untouched");
    // The reply says Tuesday: the ledger moves on first (Monday's rows, then NewDay).
    l.apply(new_day(4)).unwrap();
    let v = view(&l, tuesday);
    assert_eq!((v.state, v.day), (OrderState::Sent, Some(day(4))), "{v:?}");
    assert_eq!(
        view(&l, resting).state,
        OrderState::Cancelled,
        "Monday's ended"
    );
    let a = l
        .apply(Event::ReplyAccepted {
            id: tuesday,
            odno: "0000000011".into(),
            orgno: None,
            time: None,
        })
        .unwrap();
    assert_eq!(a.fills.len(), 1, "the parked fill is Tuesday's: {a:?}");
    let v = view(&l, tuesday);
    assert_eq!(
        (v.state, v.filled, v.last_error),
        (OrderState::PartiallyFilled, 3, None)
    );
    assert_eq!(view(&l, monday).filled, 10);
    assert_eq!(l.parked(&acct()), 0);
    // An order that may have been sent stays an inquiry's business: it ends with its day.
    let unknown = sent(&mut l);
    l.apply(Event::MaybeSent {
        id: unknown,
        reason: "timeout".into(),
    })
    .unwrap();
    l.apply(new_day(5)).unwrap();
    assert_eq!(view(&l, unknown).state, OrderState::NotSent);
}

#[test]
fn a_notice_of_a_known_number_waits_while_an_order_it_fits_is_in_flight_the_same_day() {
    let mut l = Ledger::new();
    l.apply(new_day(3)).unwrap();
    let first = accepted(&mut l, "11");
    let second = sent(&mut l);
    assert!(l.apply(fill("11", 2, "090001")).unwrap().parked);
    // The reply names another number: the notice was the first order's after all.
    l.apply(Event::ReplyAccepted {
        id: second,
        odno: "12".into(),
        orgno: None,
        time: None,
    })
    .unwrap();
    assert_eq!((view(&l, first).filled, view(&l, second).filled), (2, 0));
    assert_eq!(l.parked(&acct()), 0);
}

#[test]
fn a_row_of_an_earlier_day_adopted_after_it_ended_is_not_open() {
    let mut l = Ledger::new();
    l.apply(new_day(4)).unwrap();
    let mut r = row("7", 2, dec!(70000));
    r.day = "20261203".into();
    let a = l.apply(Event::Inquiry(r)).unwrap();
    assert_eq!(a.adopted.len(), 1);
    let v = view(&l, a.adopted[0]);
    assert_eq!(
        (v.state, v.filled, v.day),
        (OrderState::Cancelled, 2, Some(day(3))),
        "{v:?}"
    );
    // Today's order number 7 is a different order.
    let today = accepted(&mut l, "7");
    assert_ne!(today, a.adopted[0]);
    assert_eq!(view(&l, today).last_error, None);
}

fn held(symbol: &str, qty: u64, bought: u64, sold: u64) -> Holding {
    Holding {
        symbol: symbol.into(),
        qty,
        bought_today: bought,
        sold_today: sold,
    }
}

fn apply_all(l: &mut Ledger, events: Vec<Event>) -> Vec<Drift> {
    let mut changed = Vec::new();
    for e in events {
        changed.extend(l.apply(e).unwrap().drift);
    }
    changed
}

#[test]
fn fills_of_the_day_against_the_balance_show_no_drift_and_a_transfer_does() {
    let mut l = Ledger::new();
    let id = accepted(&mut l, "0000000011");
    l.apply(fill("11", 4, "091500")).unwrap();
    l.apply(Event::Inquiry(row("11", 4, dec!(70000)))).unwrap();
    // Held 20 at the start of the day, bought 4 today.
    let day = "20261204";
    let first = l.check_drift(&acct(), day, &[held("005930", 24, 4, 0)]);
    assert!(
        matches!(&first[..], [Event::HoldingsBaseline { start, .. }] if start["005930"] == 20),
        "{first:?}"
    );
    assert!(apply_all(&mut l, first).is_empty());
    assert!(l.drifts(&acct()).is_empty());
    // More fills the balance agrees with: still none, and no event.
    l.apply(fill("11", 6, "091600")).unwrap();
    assert!(
        l.check_drift(&acct(), day, &[held("005930", 30, 10, 0)])
            .is_empty()
    );
    assert_eq!(view(&l, id).filled, 10);
    // Three shares moved in without an order.
    let events = l.check_drift(&acct(), day, &[held("005930", 33, 10, 0)]);
    let changed = apply_all(&mut l, events.clone());
    let want = Drift {
        symbol: "005930".into(),
        day: day.into(),
        expected: 30,
        actual: 33,
    };
    assert_eq!(changed, vec![want.clone()]);
    assert_eq!(l.drifts(&acct()), vec![want.clone()]);
    // Idempotent: the same observation again changes nothing and is not asked for.
    assert!(apply_all(&mut l, events).is_empty());
    assert!(
        l.check_drift(&acct(), day, &[held("005930", 33, 10, 0)])
            .is_empty()
    );
    // Moved out again: the drift is gone, by an observation of equality.
    let events = l.check_drift(&acct(), day, &[held("005930", 30, 10, 0)]);
    assert!(
        matches!(&events[..], [Event::DriftObserved { drift, .. }] if drift.qty() == 0),
        "{events:?}"
    );
    apply_all(&mut l, events);
    assert!(l.drifts(&acct()).is_empty());
}

#[test]
fn a_fill_the_ledger_missed_is_drift_and_other_days_do_not_count() {
    let mut l = Ledger::new();
    accepted(&mut l, "21");
    // An order of an earlier day: not today's fills.
    let mut old = row("21", 10, dec!(70000));
    old.day = "20261203".into();
    l.apply(Event::Inquiry(old)).unwrap();
    let day = "20261204";
    assert!(l.fills_on(&acct(), day).is_empty());
    // KIS says 5 were bought today; the ledger knows of none: expected 10, actual 15.
    let events = l.check_drift(&acct(), day, &[held("005930", 15, 5, 0)]);
    apply_all(&mut l, events);
    assert_eq!(l.drifts(&acct())[0].qty(), 5);
    assert_eq!(l.start_of_day(&acct()).unwrap().0, day);
    // A symbol sold out today and gone from the balance: expected 0, actual 0, no drift.
    let mut l = Ledger::new();
    l.apply(Event::Inquiry(InquiryRow {
        side: Side::Sell,
        ..row("31", 10, dec!(70000))
    }))
    .unwrap();
    assert_eq!(l.fills_on(&acct(), "20261204")["005930"].sold, 10);
    let events = l.check_drift(&acct(), "20261204", &[held("005930", 0, 0, 10)]);
    apply_all(&mut l, events);
    assert!(l.drifts(&acct()).is_empty());
}

#[test]
fn a_new_day_takes_new_holdings_and_closes_the_old_drifts() {
    let mut l = Ledger::new();
    let events = l.check_drift(&acct(), "20261204", &[held("005930", 3, 0, 0)]);
    apply_all(&mut l, events);
    let events = l.check_drift(&acct(), "20261204", &[held("005930", 5, 0, 0)]);
    apply_all(&mut l, events);
    assert_eq!(l.drifts(&acct()).len(), 1);
    // The first holdings of a day win.
    l.apply(Event::HoldingsBaseline {
        account: acct(),
        day: "20261204".into(),
        start: [("005930".to_owned(), 99)].into(),
    })
    .unwrap();
    assert_eq!(l.start_of_day(&acct()).unwrap().1["005930"], 3);
    let events = l.check_drift(&acct(), "20261207", &[held("005930", 5, 0, 0)]);
    apply_all(&mut l, events);
    assert!(l.drifts(&acct()).is_empty());
    // An observation of another day than the holdings' is stale: ignored.
    let stale = Event::DriftObserved {
        account: acct(),
        drift: Drift {
            symbol: "005930".into(),
            day: "20261204".into(),
            expected: 3,
            actual: 5,
        },
    };
    assert!(l.apply(stale).unwrap().drift.is_empty());
    assert!(l.drifts(&acct()).is_empty());
    // Malformed observations are refused.
    let bad = Event::DriftObserved {
        account: acct(),
        drift: Drift {
            symbol: " ".into(),
            day: "20261207".into(),
            expected: 0,
            actual: 1,
        },
    };
    assert!(l.apply(bad).is_err());
}

#[test]
fn drift_is_journaled_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let day = "20261204";
    {
        let mut j = JournaledLedger::open(dir.path(), &acct()).unwrap();
        for h in [3, 7] {
            let events = j
                .ledger()
                .check_drift(&acct(), day, &[held("005930", h, 0, 0)]);
            for e in events {
                j.apply(e).unwrap();
            }
        }
        assert_eq!(j.ledger().drifts(&acct())[0].qty(), 4);
    }
    let j = JournaledLedger::open(dir.path(), &acct()).unwrap();
    assert_eq!(j.ledger().drifts(&acct())[0].qty(), 4);
    assert_eq!(j.ledger().start_of_day(&acct()).unwrap().1["005930"], 3);
    assert!(
        j.ledger()
            .check_drift(&acct(), day, &[held("005930", 7, 0, 0)])
            .is_empty(),
        "the day's holdings came back from the journal: nothing new"
    );
}

proptest::proptest! {
    /// Any sequence of balance reads (holdings moving by fills and transfers) on one day:
    /// after applying what `check_drift` returns, the drifts are exactly the symbols whose
    /// holding differs from start + fills, and asking again returns nothing (idempotent).
    #[test]
    fn drift_observations_converge_and_are_idempotent(
        reads in proptest::collection::vec((0u64..50, 0u64..5, 0u64..5), 1..12),
    ) {
        let mut l = Ledger::new();
        let day = "20261204";
        let mut start: Option<i64> = None;
        for (qty, bought, sold) in reads {
            let h = [held("005930", qty, bought, sold)];
            let events = l.check_drift(&acct(), day, &h);
            for e in events.clone() {
                l.apply(e).unwrap();
            }
            let s = *start.get_or_insert(h[0].start_of_day());
            let drifts = l.drifts(&acct());
            if qty as i64 == s {
                proptest::prop_assert!(drifts.is_empty(), "{drifts:?}");
            } else {
                proptest::prop_assert_eq!(drifts.len(), 1);
                proptest::prop_assert_eq!((drifts[0].expected, drifts[0].actual), (s, qty as i64));
            }
            proptest::prop_assert!(l.check_drift(&acct(), day, &h).is_empty());
            for e in events {
                proptest::prop_assert!(l.apply(e).unwrap().drift.is_empty(), "a repeat changes nothing");
            }
        }
    }
}
