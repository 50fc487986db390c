//! Order ledger throughput: events applied per second, in memory (`Ledger::apply`) and
//! journaled (`JournaledLedger::apply`: validate, one SQLite WAL insert, apply), over a
//! day-like mix: per order an intent, sent, the reply, an acknowledgement notice, three fill
//! notices (one of them delivered twice) and the inquiry row: 9 events.
//!
//! Run: `cargo bench -p kis --bench ledger -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use kis::ledger::*;
use rust_decimal::Decimal;

const PER_ORDER: usize = 9;

fn acct() -> AccountKey {
    AccountKey::parse("1234567801").expect("account")
}

/// The events of `orders` orders, as the order layer and the notice stream produce them.
fn day(orders: usize) -> Vec<Event> {
    let mut out = Vec::with_capacity(orders * PER_ORDER);
    for n in 0..orders {
        let id = OrderId(n as u64 + 1);
        let symbol = format!("{:06}", n % 500);
        let price = Decimal::from(10_000 + (n % 97) as i64 * 10);
        let mut intent = Intent::new(acct(), symbol.clone(), Side::Buy, 10).limit(price);
        intent.allow_duplicate = true;
        let odno = format!("{:010}", n + 1);
        out.push(Event::IntentRecorded { id, intent });
        out.push(Event::Sent { id });
        out.push(Event::ReplyAccepted {
            id,
            odno: odno.clone(),
            orgno: Some("06010".into()),
            time: Some("090000".into()),
        });
        let notice = |kind, fill_qty: u64, t: u32| Notice {
            account: acct(),
            odno: odno.clone(),
            orig_odno: None,
            kind,
            rctf: Rctf::New,
            symbol: symbol.clone(),
            side: Side::Buy,
            order_qty: Some(10),
            order_price: Some(price),
            fill_qty,
            fill_price: (fill_qty > 0).then_some(price),
            time: Some(format!("0900{t:02}")),
            venue: None,
        };
        out.push(Event::Notice(notice(NoticeKind::Ack, 0, 0)));
        out.push(Event::Notice(notice(NoticeKind::Fill, 3, 1)));
        out.push(Event::Notice(notice(NoticeKind::Fill, 3, 2)));
        out.push(Event::Notice(notice(NoticeKind::Fill, 3, 2)));
        out.push(Event::Notice(notice(NoticeKind::Fill, 4, 3)));
        out.push(Event::Inquiry(InquiryRow {
            account: acct(),
            day: "20261204".into(),
            odno,
            orig_odno: None,
            symbol,
            side: Side::Buy,
            ord_qty: 10,
            ord_price: Some(price),
            tot_ccld_qty: 10,
            avg_prvs: price,
            tot_ccld_amt: Some(price * Decimal::from(10)),
            rmn_qty: 0,
            cncl_yn: false,
            rjct_qty: 0,
            venue: None,
        }));
    }
    out
}

fn in_memory(c: &mut Criterion) {
    let events = day(2_000);
    let mut g = c.benchmark_group("ledger");
    g.throughput(Throughput::Elements(events.len() as u64));
    g.bench_function("apply in memory (9 events/order)", |b| {
        b.iter_batched(
            || (Ledger::new(), events.clone()),
            |(mut ledger, events)| {
                for e in events {
                    black_box(ledger.apply(e).expect("applies"));
                }
                ledger
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn journaled(c: &mut Criterion) {
    let events = day(200);
    let mut g = c.benchmark_group("ledger");
    g.throughput(Throughput::Elements(events.len() as u64));
    g.sample_size(10);
    for (name, durability) in [
        (
            "apply journaled, WAL synchronous=NORMAL",
            Durability::Normal,
        ),
        ("apply journaled, WAL synchronous=FULL", Durability::Full),
    ] {
        g.bench_function(name, |b| {
            b.iter_batched(
                || {
                    let dir = tempfile::tempdir().expect("temp dir");
                    let j = JournaledLedger::open_with(dir.path(), &acct(), durability)
                        .expect("journal");
                    (dir, j, events.clone())
                },
                |(dir, mut j, events)| {
                    for e in events {
                        black_box(j.apply(e).expect("applies"));
                    }
                    (dir, j)
                },
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

/// Opening a journal of a busy day: integrity check, checksums, decode and replay.
fn replay(c: &mut Criterion) {
    let events = day(2_000);
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let mut j = JournaledLedger::open(dir.path(), &acct()).expect("journal");
        for e in events.iter().cloned() {
            j.apply(e).expect("applies");
        }
    }
    let mut g = c.benchmark_group("ledger");
    g.throughput(Throughput::Elements(events.len() as u64));
    g.sample_size(10);
    g.bench_function("open and replay a journal (18,000 events)", |b| {
        b.iter(|| {
            // Each open journals one `Restarted`; a few hundred extra rows do not matter.
            black_box(JournaledLedger::open(dir.path(), &acct()).expect("opens"))
        })
    });
    g.finish();
}

criterion_group!(benches, in_memory, journaled, replay);
criterion_main!(benches);
