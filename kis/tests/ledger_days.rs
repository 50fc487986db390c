//! Property: KIS hands out the same order numbers every day. For two days of scripted orders
//! numbered alike, any interleaving (with duplicates) of each day's replies, fill notices and
//! cumulative inquiry rows, with `NewDay` between the days and late inquiry rows of the first
//! day arriving during the second, ends with every order equal to KIS: the first day's orders
//! keep their own fills and end with their day (filled, or the rest expired), the second
//! day's get theirs, nothing is adopted, and no anomaly is recorded. A repeated or older
//! `NewDay` changes nothing.

use kis::ledger::*;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn acct() -> AccountKey {
    AccountKey::parse("5555666601").unwrap()
}

const PRICE: Decimal = dec!(70000);
const QTY: u64 = 10;

/// One scripted order: its fills (each 1..=4 shares, adding up to at most `QTY`).
type Script = Vec<u64>;

fn scripts() -> impl Strategy<Value = Vec<Script>> {
    prop::collection::vec(
        prop::collection::vec(1u64..=4, 0..4).prop_map(|mut f| {
            let mut total = 0;
            f.retain(|q| {
                total += q;
                total <= QTY
            });
            f
        }),
        1..4,
    )
}

fn day(d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
}

fn row(date: &str, odno: &str, filled: u64) -> Event {
    Event::Inquiry(InquiryRow {
        account: acct(),
        day: date.into(),
        odno: odno.into(),
        orig_odno: None,
        symbol: "005930".into(),
        side: Side::Buy,
        ord_qty: QTY,
        ord_price: Some(PRICE),
        tot_ccld_qty: filled,
        avg_prvs: PRICE,
        tot_ccld_amt: Some(PRICE * Decimal::from(filled)),
        rmn_qty: QTY - filled,
        cncl_yn: false,
        rjct_qty: 0,
        venue: None,
    })
}

fn fill(odno: &str, qty: u64, seq: usize) -> Event {
    Event::Notice(Notice {
        account: acct(),
        odno: odno.into(),
        orig_odno: None,
        kind: NoticeKind::Fill,
        rctf: Rctf::New,
        symbol: "005930".into(),
        side: Side::Buy,
        order_qty: Some(QTY),
        order_price: Some(PRICE),
        fill_qty: qty,
        fill_price: Some(PRICE),
        time: Some(format!("{:06}", 90000 + seq)),
        venue: None,
    })
}

/// KIS's items of one day's orders (after their replies): fill notices and cumulative rows.
fn items(date: &str, scripts: &[Script]) -> Vec<Event> {
    let mut out = Vec::new();
    for (i, fills) in scripts.iter().enumerate() {
        let odno = format!("{:010}", i + 1);
        let mut cum = 0;
        out.push(row(date, &odno, 0));
        for (k, q) in fills.iter().enumerate() {
            cum += q;
            out.push(fill(&odno, *q, i * 10 + k));
            out.push(row(date, &odno, cum));
        }
    }
    out
}

/// Places the day's orders (intent, sent, reply with numbers 1, 2, …).
fn place(l: &mut Ledger, n: usize) -> Vec<OrderId> {
    (0..n)
        .map(|i| {
            let id = l.next_id();
            let mut intent = Intent::new(acct(), "005930", Side::Buy, QTY).limit(PRICE);
            intent.allow_duplicate = true;
            for e in [
                Event::IntentRecorded { id, intent },
                Event::Sent { id },
                Event::ReplyAccepted {
                    id,
                    odno: format!("{:010}", i + 1),
                    orgno: None,
                    time: None,
                },
            ] {
                let a = l.apply(e).unwrap();
                assert!(a.anomalies.is_empty(), "{a:?}");
            }
            id
        })
        .collect()
}

/// Applies `events` in the order `keys` sorts them (a random permutation), each maybe twice.
fn shuffled(l: &mut Ledger, events: Vec<Event>, keys: &[u32], twice: &[bool]) {
    let mut order: Vec<(u32, usize)> = (0..events.len())
        .map(|i| (keys[i % keys.len()], i))
        .collect();
    order.sort();
    for (_, i) in order {
        let times = if twice[i % twice.len()] { 2 } else { 1 };
        for _ in 0..times {
            let a = l.apply(events[i].clone()).unwrap();
            assert!(a.adopted.is_empty(), "nothing is adopted: {a:?}");
            assert!(a.anomalies.is_empty(), "no anomaly: {a:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn same_numbers_on_two_days_never_mix(
        day1 in scripts(),
        day2 in scripts(),
        keys1 in prop::collection::vec(any::<u32>(), 64),
        keys2 in prop::collection::vec(any::<u32>(), 64),
        twice in prop::collection::vec(any::<bool>(), 64),
        late_rows in prop::collection::vec(any::<bool>(), 8),
    ) {
        let mut l = Ledger::new();
        l.apply(Event::NewDay { account: acct(), date: day(2) }).unwrap();
        let first = place(&mut l, day1.len());
        let all1 = items("20261202", &day1);
        // Some of day 1's final rows are only seen during day 2 (an inquiry of the open days).
        let (now1, late1): (Vec<Event>, Vec<Event>) = all1
            .into_iter()
            .enumerate()
            .partition(|(i, e)| !(matches!(e, Event::Inquiry(_)) && late_rows[i % late_rows.len()]))
            .into_iter_pair();
        shuffled(&mut l, now1, &keys1, &twice);

        l.apply(Event::NewDay { account: acct(), date: day(3) }).unwrap();
        let second = place(&mut l, day2.len());
        let mut events2 = items("20261203", &day2);
        events2.extend(late1);
        shuffled(&mut l, events2, &keys2, &twice);
        let before = l.orders(&acct());
        l.apply(Event::NewDay { account: acct(), date: day(3) }).unwrap();
        l.apply(Event::NewDay { account: acct(), date: day(1) }).unwrap();
        prop_assert_eq!(&l.orders(&acct()), &before, "a repeated or older day changes nothing");

        for (id, fills) in first.iter().zip(&day1) {
            let v = l.order(*id).unwrap();
            let filled: u64 = fills.iter().sum();
            prop_assert_eq!(v.filled, filled, "{:?}", v);
            prop_assert_eq!(v.day, Some(day(2)));
            let state = if filled == QTY { OrderState::Filled } else { OrderState::Cancelled };
            prop_assert_eq!(v.state, state, "day 1 ended: {:?}", v);
            prop_assert_eq!(v.remaining, 0);
            prop_assert_eq!(v.cancelled, QTY - filled);
        }
        for (id, fills) in second.iter().zip(&day2) {
            let v = l.order(*id).unwrap();
            let filled: u64 = fills.iter().sum();
            prop_assert_eq!(v.filled, filled, "{:?}", v);
            prop_assert_eq!(v.day, Some(day(3)));
            prop_assert_eq!(v.remaining, QTY - filled);
            prop_assert_eq!(v.fills.iter().map(|f| f.qty).sum::<u64>(), filled);
        }
        prop_assert_eq!(l.orders(&acct()).len(), day1.len() + day2.len());
    }
}

/// `partition` over `(index, event)` pairs, dropping the indices.
trait IntoIterPair {
    fn into_iter_pair(self) -> (Vec<Event>, Vec<Event>);
}

impl IntoIterPair for (Vec<(usize, Event)>, Vec<(usize, Event)>) {
    fn into_iter_pair(self) -> (Vec<Event>, Vec<Event>) {
        (
            self.0.into_iter().map(|(_, e)| e).collect(),
            self.1.into_iter().map(|(_, e)| e).collect(),
        )
    }
}
