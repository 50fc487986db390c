//! [`JournaledLedger`]: the ledger with every event written to an SQLite journal (WAL) before
//! it is applied, and replayed when the journal is opened.
//!
//! One journal file per account, in a directory created `0700`; the file is created `0600`
//! before SQLite opens it (its `-wal`/`-shm` files take the same mode). Each row is
//! `(seq, v, body, sum)`: a gapless sequence from 1, the event encoding's version, the event as
//! JSON and a checksum (the first 8 bytes of SHA-256 over seq, v and body). Opening checks
//! SQLite's `integrity_check`, the sequence, every checksum and every decode, and replays;
//! anything wrong is a [`JournalError`] naming the file and the row, and the file is left as
//! it is. An exclusive lock file beside the journal keeps a second process out.

use std::fs::File;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, params};
use sha2::{Digest, Sha256};

use super::book::{Applied, Ledger};
use super::error::{JournalError, LedgerError};
use super::event::{EVENT_VERSION, Event};
use super::types::AccountKey;

/// How hard each journal write waits for the disk.
///
/// ```
/// use kis::ledger::{AccountKey, Durability, JournaledLedger};
/// let dir = tempfile::tempdir().unwrap();
/// let acct = AccountKey::parse("1234567801").unwrap();
/// let j = JournaledLedger::open_with(dir.path(), &acct, Durability::Full).unwrap();
/// assert!(j.is_empty());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// WAL with `synchronous=NORMAL`: a write survives the process crashing at any point; a
    /// power loss or OS crash may lose the last writes (never corrupts the journal).
    #[default]
    Normal,
    /// `synchronous=FULL`: every write is on disk (fsync) before `apply` returns.
    Full,
}

/// One SQLite journal.
struct Journal {
    conn: Connection,
    path: PathBuf,
    seq: i64,
    /// The exclusive lock file, held while the journal is open.
    _lock: Option<File>,
}

/// The ledger with its journal: [`JournaledLedger::apply`] checks an event, writes it, then
/// applies it. A dir-backed journal holds one account; [`JournaledLedger::in_memory`] takes
/// any.
///
/// ```
/// use kis::ledger::*;
/// let dir = tempfile::tempdir().unwrap();
/// let acct = AccountKey::parse("1234567801").unwrap();
/// let id = {
///     let mut j = JournaledLedger::open(dir.path(), &acct).unwrap();
///     let id = j.ledger().next_id();
///     j.apply(Event::IntentRecorded { id, intent: Intent::new(acct.clone(), "005930", Side::Buy, 1) }).unwrap();
///     j.apply(Event::Sent { id }).unwrap();
///     id
/// };
/// // Reopened: replayed, and the restart made the unanswered order unknown.
/// let j = JournaledLedger::open(dir.path(), &acct).unwrap();
/// assert_eq!(j.ledger().state(id), Some(OrderState::Unknown));
/// ```
pub struct JournaledLedger {
    ledger: Ledger,
    journal: Journal,
    account: Option<AccountKey>,
}

impl std::fmt::Debug for JournaledLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JournaledLedger")
            .field("path", &self.journal.path)
            .field("account", &self.account)
            .field("seq", &self.journal.seq)
            .finish_non_exhaustive()
    }
}

impl JournaledLedger {
    /// Opens (or creates) `account`'s journal in `dir` with [`Durability::Normal`], replays
    /// it, and journals a [`Event::Restarted`] when it had events.
    pub fn open(dir: &Path, account: &AccountKey) -> Result<JournaledLedger, JournalError> {
        JournaledLedger::open_with(dir, account, Durability::Normal)
    }

    /// [`JournaledLedger::open`] with a durability.
    pub fn open_with(
        dir: &Path,
        account: &AccountKey,
        durability: Durability,
    ) -> Result<JournaledLedger, JournalError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| JournalError::Io { path, source }
        };
        create_private_dir(dir).map_err(io(dir))?;
        let path = find_or_create(dir, account)?;
        let lock = open_private(&path.with_extension("lock"), false).map_err(io(&path))?;
        match fs4::fs_std::FileExt::try_lock_exclusive(&lock) {
            Ok(true) => {}
            Ok(false) => return Err(JournalError::InUse { path }),
            Err(e) => return Err(io(&path)(e)),
        }
        let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_WRITE)
            .map_err(sql(&path))?;
        let mut journal = Journal {
            conn,
            path,
            seq: 0,
            _lock: Some(lock),
        };
        journal.setup(durability)?;
        journal.claim(account)?;
        let mut ledger = Ledger::new();
        journal.replay(&mut ledger, account)?;
        let mut j = JournaledLedger {
            ledger,
            journal,
            account: Some(account.clone()),
        };
        if j.journal.seq > 0 {
            j.apply(Event::Restarted {
                account: account.clone(),
            })
            .map_err(|e| match e {
                LedgerError::Journal(e) => e,
                other => JournalError::Replay {
                    path: j.journal.path.clone(),
                    row: j.journal.seq + 1,
                    reason: other.to_string(),
                },
            })?;
        }
        Ok(j)
    }

    /// A journal in memory (for tests), any account.
    pub fn in_memory() -> JournaledLedger {
        let conn = Connection::open_in_memory().expect("SQLite in memory");
        let mut journal = Journal {
            conn,
            path: PathBuf::from(":memory:"),
            seq: 0,
            _lock: None,
        };
        journal.setup(Durability::Normal).expect("SQLite in memory");
        JournaledLedger {
            ledger: Ledger::new(),
            journal,
            account: None,
        }
    }

    /// Checks the event ([`Ledger::validate`]), writes it, then applies it. A refused event is
    /// not written; a failed write is not applied.
    pub fn apply(&mut self, event: Event) -> Result<Applied, LedgerError> {
        self.ledger.validate(&event)?;
        if let Some(mine) = &self.account {
            match self.ledger.account_of(&event) {
                Some(a) if &a != mine => return Err(LedgerError::NoJournal(a)),
                _ => {}
            }
        }
        self.journal.append(&event)?;
        Ok(self.ledger.apply_validated(event))
    }

    /// The ledger, for reads.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// The journal file (`:memory:` in memory).
    pub fn path(&self) -> &Path {
        &self.journal.path
    }

    /// Events written so far.
    pub fn len(&self) -> u64 {
        self.journal.seq as u64
    }

    /// Whether nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.journal.seq == 0
    }
}

fn sql(path: &Path) -> impl Fn(rusqlite::Error) -> JournalError + '_ {
    move |source| JournalError::Sqlite {
        path: path.to_owned(),
        source,
    }
}

fn checksum(seq: i64, v: u32, body: &str) -> i64 {
    let mut h = Sha256::new();
    h.update(seq.to_le_bytes());
    h.update(v.to_le_bytes());
    h.update(body.as_bytes());
    let d = h.finalize();
    i64::from_le_bytes(d[..8].try_into().expect("8 bytes"))
}

impl Journal {
    fn setup(&mut self, durability: Durability) -> Result<(), JournalError> {
        let path = self.path.clone();
        let sync = match durability {
            Durability::Normal => "NORMAL",
            Durability::Full => "FULL",
        };
        let c = &self.conn;
        c.busy_timeout(std::time::Duration::from_millis(0))
            .map_err(sql(&path))?;
        let mode: String = c
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(|e| corrupt_or_sql(&path, e))?;
        if !mode.eq_ignore_ascii_case("wal") && path != Path::new(":memory:") {
            return Err(JournalError::Corrupt {
                path,
                row: None,
                reason: format!("SQLite refused WAL mode ({mode})"),
            });
        }
        c.execute_batch(&format!("PRAGMA synchronous={sync};"))
            .map_err(sql(&path))?;
        let check: String = c
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| corrupt_or_sql(&path, e))?;
        if check != "ok" {
            return Err(JournalError::Corrupt {
                path,
                row: None,
                reason: format!("integrity_check: {check}"),
            });
        }
        c.execute_batch(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS events (
                 seq INTEGER PRIMARY KEY, v INTEGER NOT NULL, body TEXT NOT NULL,
                 sum INTEGER NOT NULL);",
        )
        .map_err(sql(&path))?;
        Ok(())
    }

    /// Records the account in a new journal, or checks it in an old one.
    fn claim(&mut self, account: &AccountKey) -> Result<(), JournalError> {
        let path = self.path.clone();
        let have = meta_account(&self.conn).map_err(|e| corrupt_or_sql(&path, e))?;
        match have {
            Some(a) if &a == account => Ok(()),
            Some(_) => Err(JournalError::WrongAccount { path }),
            None if self.rows()? > 0 => Err(JournalError::Corrupt {
                path,
                row: None,
                reason: "the journal has events but no account".into(),
            }),
            None => self
                .conn
                .execute(
                    "INSERT INTO meta (key, value) VALUES ('account', ?1)",
                    params![String::from(account.clone())],
                )
                .map(|_| ())
                .map_err(sql(&path)),
        }
    }

    fn rows(&self) -> Result<i64, JournalError> {
        self.conn
            .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
            .map_err(|e| corrupt_or_sql(&self.path, e))
    }

    fn replay(&mut self, ledger: &mut Ledger, account: &AccountKey) -> Result<(), JournalError> {
        let path = self.path.clone();
        let corrupt = |row: i64, reason: String| JournalError::Corrupt {
            path: path.clone(),
            row: Some(row),
            reason,
        };
        let mut stmt = self
            .conn
            .prepare("SELECT seq, v, body, sum FROM events ORDER BY seq")
            .map_err(sql(&path))?;
        let mut rows = stmt.query([]).map_err(|e| corrupt_or_sql(&path, e))?;
        let mut expect: i64 = 1;
        while let Some(r) = rows.next().map_err(|e| corrupt_or_sql(&path, e))? {
            let seq: i64 = r.get(0).map_err(|e| corrupt(expect, e.to_string()))?;
            if seq != expect {
                return Err(corrupt(
                    seq,
                    format!("sequence gap: expected row {expect}, found {seq}"),
                ));
            }
            let v: i64 = r.get(1).map_err(|e| corrupt(seq, e.to_string()))?;
            let body: String = r.get(2).map_err(|e| corrupt(seq, e.to_string()))?;
            let sum: i64 = r.get(3).map_err(|e| corrupt(seq, e.to_string()))?;
            let v = u32::try_from(v).map_err(|_| corrupt(seq, format!("version {v}")))?;
            if checksum(seq, v, &body) != sum {
                return Err(corrupt(seq, "checksum mismatch".into()));
            }
            if v > EVENT_VERSION {
                return Err(corrupt(
                    seq,
                    format!("written by a newer version (event v{v}, this reads v{EVENT_VERSION})"),
                ));
            }
            let event: Event = serde_json::from_str(&body)
                .map_err(|e| corrupt(seq, format!("undecodable event: {e}")))?;
            if ledger.account_of(&event).is_some_and(|a| &a != account) {
                return Err(corrupt(seq, "an event of another account".into()));
            }
            ledger.apply(event).map_err(|e| JournalError::Replay {
                path: path.clone(),
                row: seq,
                reason: e.to_string(),
            })?;
            expect += 1;
        }
        self.seq = expect - 1;
        Ok(())
    }

    fn append(&mut self, event: &Event) -> Result<(), JournalError> {
        let body = serde_json::to_string(event).map_err(|e| JournalError::Corrupt {
            path: self.path.clone(),
            row: Some(self.seq + 1),
            reason: format!("cannot encode the event: {e}"),
        })?;
        let seq = self.seq + 1;
        let sum = checksum(seq, EVENT_VERSION, &body);
        self.conn
            .prepare_cached("INSERT INTO events (seq, v, body, sum) VALUES (?1, ?2, ?3, ?4)")
            .and_then(|mut s| s.execute(params![seq, EVENT_VERSION, body, sum]))
            .map_err(sql(&self.path))?;
        self.seq = seq;
        Ok(())
    }
}

fn meta_account(conn: &Connection) -> rusqlite::Result<Option<AccountKey>> {
    let mut stmt = conn.prepare("SELECT value FROM meta WHERE key = 'account'")?;
    let mut rows = stmt.query([])?;
    match rows.next()? {
        Some(r) => {
            let text: String = r.get(0)?;
            Ok(AccountKey::parse(&text).ok())
        }
        None => Ok(None),
    }
}

/// SQLite's "not a database" and "malformed" are corruption; the rest are plain errors.
fn corrupt_or_sql(path: &Path, e: rusqlite::Error) -> JournalError {
    use rusqlite::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => JournalError::Corrupt {
            path: path.to_owned(),
            row: None,
            reason: e.to_string(),
        },
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => JournalError::InUse {
            path: path.to_owned(),
        },
        _ => JournalError::Sqlite {
            path: path.to_owned(),
            source: e,
        },
    }
}

/// The account's journal in `dir`: `1234xxxx-01.journal` (the masked number; `-2`, `-3`, ...
/// when another account masks the same), created `0600` if there is none. The full number is
/// only inside the file.
fn find_or_create(dir: &Path, account: &AccountKey) -> Result<PathBuf, JournalError> {
    let stem = format!("{}xxxx-{}", &account.cano()[..4], account.product());
    for n in 1.. {
        let name = if n == 1 {
            format!("{stem}.journal")
        } else {
            format!("{stem}-{n}.journal")
        };
        let path = dir.join(name);
        match open_private(&path, true) {
            Ok(_) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(source) => return Err(JournalError::Io { path, source }),
        }
        if std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) == 0 {
            // Created but never written (a crash right after creating it): ours to use.
            return Ok(path);
        }
        let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(sql(&path))?;
        match meta_account(&conn) {
            Ok(Some(a)) if &a == account => return Ok(path),
            Ok(Some(_)) => continue,
            // No meta yet: created by a process that stopped before claiming it.
            Ok(None) => return Ok(path),
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::Unknown) => {
                return Ok(path);
            }
            Err(e) => return Err(corrupt_or_sql(&path, e)),
        }
    }
    unreachable!("the loop returns")
}

#[cfg(unix)]
fn open_private(path: &Path, create_new: bool) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut o = std::fs::OpenOptions::new();
    o.read(true).write(true).mode(0o600);
    if create_new {
        o.create_new(true);
    } else {
        o.create(true).truncate(false);
    }
    o.open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path, create_new: bool) -> std::io::Result<File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true).write(true);
    if create_new {
        o.create_new(true);
    } else {
        o.create(true).truncate(false);
    }
    o.open(path)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}
