//! Property: for scripted orders (partial fills, a modify chain, cancels, rejections, unknown
//! outcomes resolved by inquiry), any interleaving of the three sources (the caller's requests
//! with their replies, execution notices, inquiry snapshots), with duplicates, ends in the
//! state KIS has (filled quantity, average price, state, remaining), every filled share is
//! reported once in `Applied::fills`, and filled quantity never goes down on the way. Now and
//! then the process "restarts": the events so far are replayed through JSON into a new ledger
//! (which must equal the old one) and `Restarted` is applied.

use std::collections::HashMap;

use kis::ledger::*;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn acct() -> AccountKey {
    AccountKey::parse("5555666601").unwrap()
}

/// How a scripted order ends.
#[derive(Debug, Clone, Copy, PartialEq)]
enum End {
    Filled,
    Cancel,
    Open,
}

#[derive(Debug, Clone)]
enum Spec {
    Normal {
        fills1: Vec<u64>,
        modify: Option<Vec<u64>>,
        end: End,
        extra: u64,
    },
    Reject {
        via_notice: bool,
    },
    Unknown {
        executed: bool,
        fills: Vec<u64>,
        extra: u64,
    },
}

fn spec() -> impl Strategy<Value = Spec> {
    let fills = || prop::collection::vec(1u64..5, 0..4);
    prop_oneof![
        4 => (fills(), prop::option::of(fills()), prop_oneof![Just(End::Filled), Just(End::Cancel), Just(End::Open)], 1u64..5)
            .prop_map(|(fills1, modify, end, extra)| Spec::Normal { fills1, modify, end, extra }),
        1 => any::<bool>().prop_map(|via_notice| Spec::Reject { via_notice }),
        2 => (any::<bool>(), fills(), 0u64..3)
            .prop_map(|(executed, fills, extra)| Spec::Unknown { executed, fills, extra }),
    ]
}

/// What KIS has for a scripted order at the end.
#[derive(Debug, Clone, PartialEq)]
struct Truth {
    state: OrderState,
    filled: u64,
    amount: Decimal,
    remaining: u64,
}

/// One KIS order number's cumulative row.
#[derive(Debug, Clone)]
struct RowState {
    odno: String,
    orig: Option<String>,
    qty: u64,
    price: Decimal,
    filled: u64,
    amount: Decimal,
    open: u64,
    cancel: bool,
    rejected: u64,
}

/// A scripted order: the caller's events in order, and KIS's items, each released after the
/// caller's event number `epoch` (causality: nothing of a modify arrives before it is asked).
struct World {
    caller: Vec<Event>,
    items: Vec<(usize, Event)>,
    truth: Truth,
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn notice(sym: &str, odno: &str, orig: Option<&str>, kind: NoticeKind, rctf: Rctf) -> Notice {
    Notice {
        account: acct(),
        odno: odno.into(),
        orig_odno: orig.map(str::to_owned),
        kind,
        rctf,
        symbol: sym.into(),
        side: Side::Buy,
        order_qty: None,
        order_price: None,
        fill_qty: 0,
        fill_price: None,
        time: None,
        venue: None,
    }
}

fn snapshot(sym: &str, rows: &[RowState]) -> Vec<Event> {
    rows.iter()
        .map(|r| {
            Event::Inquiry(InquiryRow {
                account: acct(),
                day: "20261204".into(),
                odno: r.odno.clone(),
                orig_odno: r.orig.clone(),
                symbol: sym.into(),
                side: Side::Buy,
                ord_qty: r.qty,
                ord_price: Some(r.price),
                tot_ccld_qty: r.filled,
                // KIS rounds the average; the total amount is exact.
                avg_prvs: if r.filled > 0 {
                    (r.amount / Decimal::from(r.filled)).floor()
                } else {
                    Decimal::ZERO
                },
                tot_ccld_amt: Some(r.amount),
                rmn_qty: r.open,
                cncl_yn: r.cancel,
                rjct_qty: r.rejected,
                venue: None,
            })
        })
        .collect()
}

/// Builds order `n`'s world; `id` is the ledger id it will get, `rng` picks fill times (from a
/// small set, so identical fills happen) and snapshot points.
fn world(n: usize, spec: &Spec, id: OrderId, rng: &mut Rng) -> World {
    let sym = format!("{:06}", 100 + n);
    let p = Decimal::from(1000 + 10 * n as i64);
    let p2 = p - Decimal::from(5);
    let odno = |k: usize| format!("{:010}", 1000 * (n + 1) + k);
    let mut caller = Vec::new();
    let mut items: Vec<(usize, Event)> = Vec::new();
    let mut rows: Vec<RowState> = Vec::new();
    let qty_of = |fills: &[u64], extra: u64| fills.iter().sum::<u64>() + extra;
    let intent = |qty: u64| {
        let mut i = Intent::new(acct(), sym.clone(), Side::Buy, qty).limit(p);
        i.allow_duplicate = true;
        i
    };
    let fill_notice = |odno: &str, orig: Option<&str>, rctf, q: u64, price, t: u64| {
        let mut x = notice(&sym, odno, orig, NoticeKind::Fill, rctf);
        x.fill_qty = q;
        x.fill_price = Some(price);
        x.time = Some(format!("0900{t:02}"));
        Event::Notice(x)
    };
    match spec {
        Spec::Normal {
            fills1,
            modify,
            end,
            extra,
        } => {
            let mut fills1 = fills1.clone();
            let mut modify = modify.clone();
            let all: Vec<u64> = fills1
                .iter()
                .chain(modify.iter().flatten())
                .copied()
                .collect();
            if *end == End::Filled {
                match &mut modify {
                    Some(f2) if f2.is_empty() => f2.push(1),
                    None if fills1.is_empty() => fills1.push(1),
                    _ => {}
                }
            }
            let all_len: u64 = fills1.iter().chain(modify.iter().flatten()).sum();
            let _ = all;
            let qty = if *end == End::Filled {
                all_len
            } else {
                qty_of(&[all_len], *extra)
            };
            let o = odno(0);
            caller.push(Event::IntentRecorded {
                id,
                intent: intent(qty),
            });
            caller.push(Event::Sent { id });
            caller.push(Event::ReplyAccepted {
                id,
                odno: o.clone(),
                orgno: Some("06010".into()),
                time: None,
            });
            let mut ack = notice(&sym, &o, None, NoticeKind::Ack, Rctf::New);
            ack.order_qty = Some(qty);
            ack.order_price = Some(p);
            items.push((1, Event::Notice(ack)));
            rows.push(RowState {
                odno: o.clone(),
                orig: None,
                qty,
                price: p,
                filled: 0,
                amount: Decimal::ZERO,
                open: qty,
                cancel: false,
                rejected: 0,
            });
            let mut epoch = 1;
            let mut filled = 0;
            let mut amount = Decimal::ZERO;
            let mut live = 0usize;
            let snap = |rows: &[RowState],
                        epoch: usize,
                        items: &mut Vec<(usize, Event)>,
                        rng: &mut Rng| {
                if rng.below(3) == 0 {
                    items.extend(snapshot(&sym, rows).into_iter().map(|e| (epoch, e)));
                }
            };
            snap(&rows, epoch, &mut items, rng);
            for q in &fills1 {
                items.push((
                    epoch,
                    fill_notice(&o, None, Rctf::New, *q, p, rng.next() % 3),
                ));
                filled += q;
                amount += Decimal::from(*q) * p;
                let r = &mut rows[0];
                r.filled += q;
                r.amount += Decimal::from(*q) * p;
                r.open -= q;
                snap(&rows, epoch, &mut items, rng);
            }
            if let Some(f2) = &modify {
                let m = odno(1);
                caller.push(Event::ModifyRequested {
                    id,
                    orig_odno: o.clone(),
                    price: Some(p2),
                    kind: None,
                    qty: None,
                });
                epoch = caller.len() - 1;
                caller.push(Event::ModifyAccepted {
                    id,
                    odno: m.clone(),
                    orgno: Some("06010".into()),
                    orig_odno: o.clone(),
                    time: None,
                });
                let moved = qty - filled;
                let mut ack = notice(&sym, &m, Some(&o), NoticeKind::Ack, Rctf::Modify);
                ack.order_qty = Some(moved);
                ack.order_price = Some(p2);
                items.push((epoch, Event::Notice(ack)));
                rows[0].open = 0;
                rows.push(RowState {
                    odno: m.clone(),
                    orig: Some(o.clone()),
                    qty: moved,
                    price: p2,
                    filled: 0,
                    amount: Decimal::ZERO,
                    open: moved,
                    cancel: false,
                    rejected: 0,
                });
                live = 1;
                snap(&rows, epoch, &mut items, rng);
                for q in f2 {
                    items.push((
                        epoch,
                        fill_notice(&m, Some(&o), Rctf::Modify, *q, p2, rng.next() % 3),
                    ));
                    filled += q;
                    amount += Decimal::from(*q) * p2;
                    let r = &mut rows[1];
                    r.filled += q;
                    r.amount += Decimal::from(*q) * p2;
                    r.open -= q;
                    snap(&rows, epoch, &mut items, rng);
                }
            }
            let mut state = if filled == qty {
                OrderState::Filled
            } else if filled > 0 {
                OrderState::PartiallyFilled
            } else {
                OrderState::Accepted
            };
            let mut remaining = qty - filled;
            if *end == End::Cancel {
                let target = rows[live].odno.clone();
                let c = odno(2);
                caller.push(Event::CancelRequested {
                    id,
                    orig_odno: target.clone(),
                    qty: None,
                });
                epoch = caller.len() - 1;
                caller.push(Event::CancelAccepted {
                    id,
                    odno: c.clone(),
                    orgno: None,
                    orig_odno: target.clone(),
                    time: None,
                });
                let mut ack = notice(&sym, &c, Some(&target), NoticeKind::Ack, Rctf::Cancel);
                ack.order_qty = Some(remaining);
                items.push((epoch, Event::Notice(ack)));
                rows[live].open = 0;
                rows.push(RowState {
                    odno: c,
                    orig: Some(target),
                    qty: remaining,
                    price: rows[live].price,
                    filled: 0,
                    amount: Decimal::ZERO,
                    open: 0,
                    cancel: true,
                    rejected: 0,
                });
                state = OrderState::Cancelled;
                remaining = 0;
            }
            let last = caller.len() - 1;
            items.extend(snapshot(&sym, &rows).into_iter().map(|e| (last, e)));
            World {
                caller,
                items,
                truth: Truth {
                    state,
                    filled,
                    amount,
                    remaining,
                },
            }
        }
        Spec::Reject { via_notice } => {
            caller.push(Event::IntentRecorded {
                id,
                intent: intent(5),
            });
            caller.push(Event::Sent { id });
            if *via_notice {
                let o = odno(0);
                caller.push(Event::ReplyAccepted {
                    id,
                    odno: o.clone(),
                    orgno: None,
                    time: None,
                });
                let mut refused = notice(&sym, &o, None, NoticeKind::Refused, Rctf::New);
                refused.order_qty = Some(5);
                refused.order_price = Some(p);
                items.push((1, Event::Notice(refused)));
                let row = RowState {
                    odno: o,
                    orig: None,
                    qty: 5,
                    price: p,
                    filled: 0,
                    amount: Decimal::ZERO,
                    open: 0,
                    cancel: false,
                    rejected: 5,
                };
                items.extend(snapshot(&sym, &[row]).into_iter().map(|e| (1, e)));
            } else {
                caller.push(Event::ReplyRejected {
                    id,
                    msg_cd: "APBK0952".into(),
                    msg: "주문가능금액을 초과 했습니다".into(),
                });
            }
            World {
                caller,
                items,
                truth: Truth {
                    state: OrderState::Rejected,
                    filled: 0,
                    amount: Decimal::ZERO,
                    remaining: 0,
                },
            }
        }
        Spec::Unknown {
            executed,
            fills,
            extra,
        } => {
            let qty = qty_of(fills, *extra).max(1);
            caller.push(Event::IntentRecorded {
                id,
                intent: intent(qty),
            });
            caller.push(Event::Sent { id });
            caller.push(Event::MaybeSent {
                id,
                reason: "timeout".into(),
            });
            if !*executed {
                caller.push(Event::ResolvedNotSent { id });
                return World {
                    caller,
                    items,
                    truth: Truth {
                        state: OrderState::NotSent,
                        filled: 0,
                        amount: Decimal::ZERO,
                        remaining: 0,
                    },
                };
            }
            let o = odno(0);
            let mut ack = notice(&sym, &o, None, NoticeKind::Ack, Rctf::New);
            ack.order_qty = Some(qty);
            ack.order_price = Some(p);
            items.push((1, Event::Notice(ack)));
            let mut filled = 0;
            for q in fills {
                let mut f = notice(&sym, &o, None, NoticeKind::Fill, Rctf::New);
                f.fill_qty = *q;
                f.fill_price = Some(p);
                f.order_qty = Some(qty);
                f.order_price = Some(p);
                f.time = Some(format!("0900{:02}", rng.next() % 3));
                items.push((1, Event::Notice(f)));
                filled += q;
            }
            let amount = Decimal::from(filled) * p;
            let row = RowState {
                odno: o,
                orig: None,
                qty,
                price: p,
                filled,
                amount,
                open: qty - filled,
                cancel: false,
                rejected: 0,
            };
            // The reconciler's inquiry, after the unknown outcome.
            items.extend(snapshot(&sym, &[row]).into_iter().map(|e| (2, e)));
            World {
                caller,
                items,
                truth: Truth {
                    state: if filled == qty {
                        OrderState::Filled
                    } else if filled > 0 {
                        OrderState::PartiallyFilled
                    } else {
                        OrderState::Accepted
                    },
                    filled,
                    amount,
                    remaining: qty - filled,
                },
            }
        }
    }
}

/// Restarts made by [`play`] (so a test can check they happen).
static RESTARTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Plays the worlds in one random interleaving with duplicates; returns the final views and
/// checks the invariants on the way.
fn play(specs: &[Spec], seed: u64, dup_one_in: usize) -> Vec<(Truth, OrderView)> {
    let mut rng = Rng(seed | 1);
    let mut ledger = Ledger::new();
    // Ids are handed out in the order intents are recorded; pre-assign them by script order
    // and record the intents in that order as they come up.
    let worlds: Vec<World> = specs
        .iter()
        .enumerate()
        .map(|(n, s)| world(n, s, OrderId(n as u64 + 1), &mut rng))
        .collect();
    let mut pos = vec![0usize; worlds.len()];
    let mut pool: Vec<(usize, usize, Event)> = Vec::new(); // (order, epoch, event)
    let mut waiting: Vec<(usize, usize, Event)> = worlds
        .iter()
        .enumerate()
        .flat_map(|(n, w)| w.items.iter().map(move |(e, ev)| (n, *e, ev.clone())))
        .collect();
    let mut recorded = 0usize;
    let mut reported: HashMap<OrderId, u64> = HashMap::new();
    let mut last: HashMap<OrderId, u64> = HashMap::new();
    let mut log: Vec<Event> = Vec::new();
    loop {
        // Release KIS items whose caller event has happened.
        let mut i = 0;
        while i < waiting.len() {
            let (n, epoch, _) = &waiting[i];
            if pos[*n] > *epoch {
                pool.push(waiting.remove(i));
            } else {
                i += 1;
            }
        }
        // Intents are recorded in script order (ids are next_id()).
        let callers: Vec<usize> = (0..worlds.len())
            .filter(|n| pos[*n] < worlds[*n].caller.len() && (pos[*n] > 0 || *n == recorded))
            .collect();
        if callers.is_empty() && pool.is_empty() {
            break;
        }
        // Now and then the process restarts on its journal: a replay of everything so far,
        // then `Restarted` (not while an intent is recorded but not yet sent: a process that
        // crashed there never sends it, which these scripts do not model).
        if rng.below(25) == 0 && pos.iter().all(|p| *p != 1) {
            let mut replayed = Ledger::new();
            for e in &log {
                let json = serde_json::to_string(e).unwrap();
                replayed
                    .apply(serde_json::from_str(&json).unwrap())
                    .unwrap();
            }
            assert_eq!(replayed.orders(&acct()), ledger.orders(&acct()));
            ledger = replayed;
            let restart = Event::Restarted { account: acct() };
            log.push(restart.clone());
            // A parked notice may bind to an order the restart made unknown.
            for (id, f) in ledger.apply(restart).unwrap().fills {
                *reported.entry(id).or_default() += f.qty;
            }
            RESTARTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        let take_caller = !callers.is_empty() && (pool.is_empty() || rng.below(2) == 0);
        let event = if take_caller {
            let n = callers[rng.below(callers.len())];
            let e = worlds[n].caller[pos[n]].clone();
            if pos[n] == 0 {
                recorded += 1;
                assert_eq!(ledger.next_id(), OrderId(n as u64 + 1));
            }
            pos[n] += 1;
            e
        } else {
            let k = rng.below(pool.len());
            let (n, epoch, e) = pool.swap_remove(k);
            if rng.below(dup_one_in) == 0 {
                pool.push((n, epoch, e.clone()));
            }
            e
        };
        log.push(event.clone());
        let applied = ledger
            .apply(event.clone())
            .unwrap_or_else(|e| panic!("{event:?}: {e}"));
        assert!(applied.adopted.is_empty(), "nothing is external: {event:?}");
        for (id, f) in &applied.fills {
            *reported.entry(*id).or_default() += f.qty;
        }
        for id in &applied.changed {
            let filled = ledger.order(*id).unwrap().filled;
            let before = last.insert(*id, filled).unwrap_or(0);
            assert!(
                filled >= before,
                "filled went back on {id}: {before} -> {filled}"
            );
        }
    }
    assert_eq!(ledger.orders(&acct()).len(), worlds.len());
    // Replay (what the journal does on open) rebuilds exactly the same ledger, through JSON.
    let mut replayed = Ledger::new();
    for e in &log {
        let json = serde_json::to_string(e).unwrap();
        replayed
            .apply(serde_json::from_str(&json).unwrap())
            .unwrap();
    }
    assert_eq!(replayed.orders(&acct()), ledger.orders(&acct()));
    assert_eq!(ledger.parked(&acct()), 0);
    worlds
        .into_iter()
        .enumerate()
        .map(|(n, w)| {
            let id = OrderId(n as u64 + 1);
            let v = ledger.order(id).unwrap();
            assert_eq!(
                reported.get(&id).copied().unwrap_or(0),
                v.filled,
                "every filled share reported once"
            );
            (w.truth, v)
        })
        .collect()
}

fn check(specs: &[Spec], seed: u64) {
    for (truth, v) in play(specs, seed, 4) {
        let avg = (truth.filled > 0).then(|| truth.amount / Decimal::from(truth.filled));
        assert_eq!(
            (v.state, v.filled, v.avg_price, v.remaining),
            (truth.state, truth.filled, avg, truth.remaining),
            "{} {truth:?}\n{v:#?}",
            v.id
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_interleaving_with_duplicates_ends_where_kis_is(
        specs in prop::collection::vec(spec(), 1..4),
        seed in any::<u64>(),
    ) {
        check(&specs, seed);
        // Another interleaving of the same worlds, with more duplicates.
        let again = play(&specs, seed.rotate_left(17) ^ 0x9e37_79b9, 2);
        let first = play(&specs, seed, 4);
        for ((_, a), (_, b)) in first.iter().zip(&again) {
            prop_assert_eq!((a.state, a.filled, a.avg_price, a.remaining), (b.state, b.filled, b.avg_price, b.remaining));
        }
    }
}

#[test]
fn restarts_on_the_journal_happen_and_change_nothing() {
    let specs = vec![
        Spec::Normal {
            fills1: vec![2, 1],
            modify: Some(vec![1, 3]),
            end: End::Cancel,
            extra: 2,
        },
        Spec::Unknown {
            executed: true,
            fills: vec![1, 1, 2],
            extra: 1,
        },
        Spec::Reject { via_notice: true },
    ];
    let before = RESTARTS.load(std::sync::atomic::Ordering::Relaxed);
    for seed in 1..60u64 {
        check(&specs, seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    }
    assert!(RESTARTS.load(std::sync::atomic::Ordering::Relaxed) > before);
}
