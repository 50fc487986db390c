//! The order journal: replay, corruption detection, file modes, one writer.

use std::path::{Path, PathBuf};

use kis::ledger::*;
use rust_decimal_macros::dec;
use sha2::{Digest, Sha256};

fn acct() -> AccountKey {
    AccountKey::parse("1234567801").unwrap()
}

fn fill(odno: &str, qty: u64, time: &str) -> Event {
    Event::Notice(Notice {
        account: acct(),
        odno: odno.into(),
        orig_odno: None,
        kind: NoticeKind::Fill,
        rctf: Rctf::New,
        symbol: "005930".into(),
        side: Side::Buy,
        order_qty: Some(10),
        order_price: Some(dec!(70000)),
        fill_qty: qty,
        fill_price: Some(dec!(70000)),
        time: Some(time.into()),
        venue: None,
    })
}

/// Writes a day: a partly filled then cancelled order, a filled one, an external fill, an
/// order left in flight. Returns the ids.
fn write_day(j: &mut JournaledLedger) -> Vec<OrderId> {
    let mut ids = Vec::new();
    for (n, odno) in ["11", "12", "13"].iter().enumerate() {
        let id = j.ledger().next_id();
        // The third (left in flight) differs from the external order's content.
        let qty = if n < 2 { 10 } else { 5 };
        let intent = Intent::new(acct(), "005930", Side::Buy, qty)
            .limit(dec!(70000))
            .key(format!("k{n}"));
        let mut intent = intent;
        intent.allow_duplicate = true;
        j.apply(Event::IntentRecorded { id, intent }).unwrap();
        j.apply(Event::Sent { id }).unwrap();
        if n < 2 {
            j.apply(Event::ReplyAccepted {
                id,
                odno: (*odno).into(),
                orgno: None,
                time: None,
            })
            .unwrap();
        }
        ids.push(id);
    }
    j.apply(fill("11", 3, "090001")).unwrap();
    j.apply(Event::CancelRequested {
        id: ids[0],
        orig_odno: "11".into(),
        qty: None,
    })
    .unwrap();
    j.apply(Event::CancelAccepted {
        id: ids[0],
        odno: "14".into(),
        orgno: None,
        orig_odno: "11".into(),
        time: None,
    })
    .unwrap();
    j.apply(fill("12", 10, "090002")).unwrap();
    j.apply(fill("99", 2, "090003")).unwrap();
    ids
}

fn journal_file(dir: &Path) -> PathBuf {
    dir.join("1234xxxx-01.journal")
}

#[test]
fn reopening_replays_to_the_same_state() {
    let dir = tempfile::tempdir().unwrap();
    let (ids, before) = {
        let mut j = JournaledLedger::open(dir.path(), &acct()).unwrap();
        let ids = write_day(&mut j);
        (ids, j.ledger().orders(&acct()))
    };
    let j = JournaledLedger::open(dir.path(), &acct()).unwrap();
    let after = j.ledger().orders(&acct());
    assert_eq!(before.len(), after.len());
    for (b, a) in before.iter().zip(&after) {
        if b.id == ids[2] {
            // Sent without an answer before the restart: unknown now.
            assert_eq!((b.state, a.state), (OrderState::Sent, OrderState::Unknown));
        } else {
            assert_eq!(b, a);
        }
    }
    assert_eq!(
        j.ledger().order(ids[0]).unwrap().state,
        OrderState::Cancelled
    );
    assert_eq!(j.ledger().order(ids[1]).unwrap().filled, 10);
    assert!(!j.ledger().is_reconciled(&acct()));
    // The restart itself is journaled: a third open replays it too.
    let n = j.len();
    drop(j);
    let j = JournaledLedger::open(dir.path(), &acct()).unwrap();
    assert_eq!(j.len(), n + 1);
    // The idempotency key still returns the first order after a restart.
    let again = Intent::new(acct(), "005930", Side::Buy, 10)
        .limit(dec!(70000))
        .key("k1");
    assert_eq!(j.ledger().check_intent(&again), Ok(Some(ids[1])));
}

#[cfg(unix)]
#[test]
fn files_are_private_from_the_start() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("kis").join("journal");
    let mut j = JournaledLedger::open(&dir, &acct()).unwrap();
    write_day(&mut j);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    let file = journal_file(&dir);
    assert_eq!(j.path(), file);
    assert_eq!(mode(&file), 0o600);
    let wal = PathBuf::from(format!("{}-wal", file.display()));
    assert!(wal.exists(), "WAL mode");
    assert_eq!(mode(&wal), 0o600);
    assert_eq!(mode(&file.with_extension("lock")), 0o600);
    // The file name shows the masked account only.
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert!(!name.contains("12345678"));
}

#[test]
fn a_second_writer_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let _first = JournaledLedger::open(dir.path(), &acct()).unwrap();
    let e = JournaledLedger::open(dir.path(), &acct()).unwrap_err();
    assert!(matches!(e, JournalError::InUse { .. }), "{e}");
    assert!(e.to_string().contains("in use by another process"));
}

#[test]
fn accounts_that_mask_alike_get_their_own_files() {
    let dir = tempfile::tempdir().unwrap();
    let other = AccountKey::parse("1234999901").unwrap();
    let mut a = JournaledLedger::open(dir.path(), &acct()).unwrap();
    let b = JournaledLedger::open(dir.path(), &other).unwrap();
    assert_ne!(a.path(), b.path());
    // An event of another account does not go into this account's journal.
    let e = a
        .apply(Event::Gap {
            account: other,
            from: None,
            to: None,
        })
        .unwrap_err();
    assert!(matches!(e, LedgerError::NoJournal(_)));
    assert!(a.is_empty());
}

#[test]
fn a_refused_event_is_not_written() {
    let mut j = JournaledLedger::in_memory();
    assert!(j.apply(Event::Sent { id: OrderId(5) }).is_err());
    assert!(j.is_empty());
}

fn sum(seq: i64, v: u32, body: &str) -> i64 {
    let mut h = Sha256::new();
    h.update(seq.to_le_bytes());
    h.update(v.to_le_bytes());
    h.update(body.as_bytes());
    i64::from_le_bytes(h.finalize()[..8].try_into().unwrap())
}

/// Writes a day, closes the journal, then lets `damage` change the file with SQLite.
fn damaged(damage: impl FnOnce(&rusqlite::Connection)) -> (tempfile::TempDir, JournalError) {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut j = JournaledLedger::open(dir.path(), &acct()).unwrap();
        write_day(&mut j);
    }
    let conn = rusqlite::Connection::open(journal_file(dir.path())).unwrap();
    damage(&conn);
    drop(conn);
    let e = JournaledLedger::open(dir.path(), &acct()).unwrap_err();
    (dir, e)
}

#[test]
fn a_changed_row_is_reported_with_its_number() {
    let (_d, e) = damaged(|c| {
        c.execute(
            "UPDATE events SET body = replace(body, '\"fill_qty\":3', '\"fill_qty\":4') WHERE seq = 9",
            [],
        )
        .unwrap();
    });
    match e {
        JournalError::Corrupt { row, reason, path } => {
            assert_eq!(row, Some(9));
            assert!(reason.contains("checksum"), "{reason}");
            assert!(path.ends_with("1234xxxx-01.journal"));
        }
        other => panic!("{other}"),
    }
}

#[test]
fn a_missing_row_is_a_sequence_gap() {
    let (_d, e) = damaged(|c| {
        c.execute("DELETE FROM events WHERE seq = 3", []).unwrap();
    });
    assert!(
        matches!(e, JournalError::Corrupt { row: Some(4), ref reason, .. } if reason.contains("gap")),
        "{e}"
    );
}

#[test]
fn an_undecodable_row_is_reported() {
    let (_d, e) = damaged(|c| {
        let body = "{\"type\":\"no_such_event\"}";
        c.execute(
            "UPDATE events SET body = ?1, sum = ?2 WHERE seq = 2",
            rusqlite::params![body, sum(2, 1, body)],
        )
        .unwrap();
    });
    assert!(
        matches!(e, JournalError::Corrupt { row: Some(2), ref reason, .. } if reason.contains("undecodable")),
        "{e}"
    );
}

#[test]
fn a_row_that_does_not_replay_is_reported() {
    let (_d, e) = damaged(|c| {
        // A valid event the ledger refuses at that point: a second Sent.
        let body = "{\"type\":\"sent\",\"id\":1}";
        c.execute(
            "UPDATE events SET body = ?1, sum = ?2 WHERE seq = 2",
            rusqlite::params![body, sum(2, 1, body)],
        )
        .unwrap();
        c.execute(
            "UPDATE events SET body = ?1, sum = ?2 WHERE seq = 3",
            rusqlite::params![body, sum(3, 1, body)],
        )
        .unwrap();
    });
    assert!(matches!(e, JournalError::Replay { row: 3, .. }), "{e}");
}

#[test]
fn damaged_bytes_are_reported_and_the_file_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut j = JournaledLedger::open(dir.path(), &acct()).unwrap();
        write_day(&mut j);
    }
    let file = journal_file(dir.path());
    let mut bytes = std::fs::read(&file).unwrap();
    // Scramble the second page (the first table's data), keep the header valid.
    let page = 4096.min(bytes.len() / 2);
    for b in &mut bytes[page..page + 200] {
        *b ^= 0x5a;
    }
    std::fs::write(&file, &bytes).unwrap();
    let e = JournaledLedger::open(dir.path(), &acct()).unwrap_err();
    assert!(matches!(e, JournalError::Corrupt { .. }), "{e}");
    assert_eq!(std::fs::read(&file).unwrap(), bytes, "never replaced");

    // A scrambled header: not a database at all.
    bytes[..16].copy_from_slice(b"garbage garbage!");
    std::fs::write(&file, &bytes).unwrap();
    let e = JournaledLedger::open(dir.path(), &acct()).unwrap_err();
    assert!(matches!(e, JournalError::Corrupt { .. }), "{e}");
}

#[test]
fn a_newer_event_version_is_refused() {
    let (_d, e) = damaged(|c| {
        let body: String = c
            .query_row("SELECT body FROM events WHERE seq = 1", [], |r| r.get(0))
            .unwrap();
        c.execute(
            "UPDATE events SET v = 2, sum = ?1 WHERE seq = 1",
            rusqlite::params![sum(1, 2, &body)],
        )
        .unwrap();
    });
    assert!(
        matches!(e, JournalError::Corrupt { row: Some(1), ref reason, .. } if reason.contains("newer")),
        "{e}"
    );
}

#[test]
fn the_ledger_can_move_between_tasks() {
    fn send<T: Send + 'static>() {}
    send::<Ledger>();
    send::<JournaledLedger>();
    fn error<T: std::error::Error + Send + Sync + 'static>() {}
    error::<LedgerError>();
    error::<JournalError>();
    send::<Event>();
}

#[test]
fn a_journal_without_its_account_or_with_another_accounts_events_is_reported() {
    let (_d, e) = damaged(|c| {
        c.execute("DELETE FROM meta", []).unwrap();
    });
    assert!(
        matches!(e, JournalError::Corrupt { ref reason, .. } if reason.contains("no account")),
        "{e}"
    );
    let (_d, e) = damaged(|c| {
        let body = "{\"type\":\"gap\",\"account\":\"9999999901\",\"from\":null,\"to\":null}";
        c.execute(
            "UPDATE events SET body = ?1, sum = ?2 WHERE seq = 9",
            rusqlite::params![body, sum(9, 1, body)],
        )
        .unwrap();
    });
    assert!(
        matches!(e, JournalError::Corrupt { row: Some(9), ref reason, .. } if reason.contains("another account")),
        "{e}"
    );
}
