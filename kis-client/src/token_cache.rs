//! The on-disk access-token cache: one file per environment + base URL + app-key hash, mode 0600,
//! written atomically; anything unreadable, foreign or implausible is ignored (the caller
//! re-issues). A lock file beside it makes issuance single-flight across processes.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::endpoint::Env;
use crate::secret::Secret;

/// A cached access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CachedToken {
    pub(crate) token: Secret,
    pub(crate) expires_at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    env: String,
    key_id: String,
    access_token: String,
    expires_at_unix: i64,
}

/// Where one (env, base URL, app key) keeps its token.
#[derive(Debug, Clone)]
pub(crate) struct TokenCache {
    path: PathBuf,
    key_id: String,
    env: &'static str,
}

impl TokenCache {
    pub(crate) fn new(dir: &Path, env: Env, rest_url: &str, app_key: &Secret) -> Self {
        let env_name = match env {
            Env::Real => "real",
            Env::Paper => "paper",
        };
        let mut h = Sha256::new();
        h.update(env_name.as_bytes());
        h.update([0]);
        h.update(rest_url.as_bytes());
        h.update([0]);
        h.update(app_key.expose().as_bytes());
        let digest = h.finalize();
        let key_id: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
        Self {
            path: dir.join(format!("token-{env_name}-{key_id}.json")),
            key_id,
            env: env_name,
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The cached token, or `None` when missing, unreadable, corrupted, for another key/env,
    /// or in a directory others can access.
    pub(crate) fn load(&self) -> Option<CachedToken> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        if let Err(e) = check_private_dir(dir) {
            tracing::warn!(error = %e, "token cache not used");
            return None;
        }
        let bytes = std::fs::read(&self.path).ok()?;
        let f: File = match serde_json::from_slice(&bytes) {
            Ok(f) => f,
            Err(_) => {
                tracing::warn!(path = %self.path.display(), "token cache is corrupted; ignoring it");
                return None;
            }
        };
        if f.version != 1
            || f.env != self.env
            || f.key_id != self.key_id
            || f.access_token.is_empty()
        {
            tracing::warn!(path = %self.path.display(), "token cache belongs to another key or version; ignoring it");
            return None;
        }
        let expires_at = DateTime::<Utc>::from_timestamp(f.expires_at_unix, 0)?;
        // KIS tokens live about a day: an expiry further out than a few days is not one we wrote.
        let horizon = Utc::now().checked_add_signed(chrono::TimeDelta::days(3))?;
        if expires_at > horizon {
            tracing::warn!(path = %self.path.display(), "token cache has an implausible expiry; ignoring it");
            return None;
        }
        Some(CachedToken {
            token: Secret::new(f.access_token),
            expires_at,
        })
    }

    /// Writes the token atomically (temp file, fsync, rename) with mode 0600.
    pub(crate) fn store(&self, t: &CachedToken) -> std::io::Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        create_private_dir(dir)?;
        let body = serde_json::to_vec(&File {
            version: 1,
            env: self.env.to_owned(),
            key_id: self.key_id.clone(),
            access_token: t.token.expose().to_owned(),
            expires_at_unix: t.expires_at.timestamp(),
        })
        .map_err(std::io::Error::other)?;
        let tmp = dir.join(format!(
            ".{}.{}.{}.tmp",
            self.path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("token"),
            std::process::id(),
            rand::random::<u32>()
        ));
        let result = (|| {
            let mut f = open_private(&tmp)?;
            f.write_all(&body)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &self.path)?;
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
            Ok(())
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    /// Deletes the cache file.
    fn remove(&self) {
        let _ = std::fs::remove_file(&self.path);
    }

    /// Deletes the cache file if it still holds `token` (after KIS rejected that token), so no
    /// process picks it up again. A newer token written by another process is kept: the check
    /// and the removal happen under the issuance lock, which every writer holds. When another
    /// process holds the lock it is issuing, and its new token replaces the file: nothing to do.
    pub(crate) fn evict(&self, token: &Secret) {
        match self.try_lock() {
            Ok(Some(_lock)) => self.evict_held(token),
            Ok(None) => {
                tracing::debug!(path = %self.path.display(), "another process is issuing; leaving the token cache to it");
            }
            Err(e) => {
                tracing::warn!(path = %self.path.display(), error = %e, "cannot take the token lock; the rejected token stays cached");
            }
        }
    }

    /// [`TokenCache::evict`] for a caller that holds the lock ([`TokenCache::try_lock`]).
    pub(crate) fn evict_held(&self, token: &Secret) {
        if self.load().is_some_and(|c| &c.token == token) {
            self.remove();
        }
    }

    /// Tries to take the issuance lock (`<cache>.lock`, beside the cache file) without
    /// blocking: `Ok(None)` when another process holds it. The lock is released when the
    /// returned file is dropped (or the process dies).
    pub(crate) fn try_lock(&self) -> std::io::Result<Option<std::fs::File>> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        create_private_dir(dir)?;
        let f = open_lock_file(&self.path.with_extension("lock"))?;
        match fs4::fs_std::FileExt::try_lock_exclusive(&f) {
            Ok(true) => Ok(Some(f)),
            Ok(false) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(unix)]
fn open_lock_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open_lock_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
}

#[cfg(unix)]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

/// Creates the cache directory (mode 0700), or makes an existing one private: the
/// directory is kis-client's own (see `ConfigBuilder::token_cache_dir`), so group and world
/// bits are removed. A shared directory (sticky bit, like `/tmp`) or one whose mode cannot be
/// changed (another user's) is refused.
#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    if dir.is_dir() {
        let mode = std::fs::metadata(dir)?.permissions().mode();
        if mode & 0o077 != 0 && mode & 0o1000 == 0 {
            tracing::warn!(path = %dir.display(), mode = format!("{:o}", mode & 0o777), "token cache directory was accessible to others; made it 0700");
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| open_dir_error(dir, mode, &e.to_string()))?;
        }
        return check_private_dir(dir);
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// An existing directory others can access is an error; a missing one is fine.
#[cfg(unix)]
fn check_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if dir.is_dir() {
        let mode = std::fs::metadata(dir)?.permissions().mode();
        if mode & 0o077 != 0 {
            return Err(open_dir_error(dir, mode, "it is shared"));
        }
    }
    Ok(())
}

#[cfg(unix)]
fn open_dir_error(dir: &Path, mode: u32, why: &str) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::PermissionDenied,
        format!(
            "token cache directory {} has mode {:o} and cannot be made private ({why}): other \
             users could read or replace the access token; use a directory of your own",
            dir.display(),
            mode & 0o7777
        ),
    )
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(not(unix))]
fn check_private_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn token() -> CachedToken {
        // A day from the first call, to the second (the file keeps whole seconds); the same
        // value on every call, so comparisons do not straddle a second.
        static AT: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
        let at = *AT.get_or_init(|| Utc::now().timestamp() + 86_400);
        CachedToken {
            token: Secret::new("tok-abc"),
            expires_at: DateTime::<Utc>::from_timestamp(at, 0).expect("valid date"),
        }
    }

    #[test]
    fn roundtrip_mode_and_name() {
        let dir = tempfile::tempdir().expect("tempdir");
        let c = TokenCache::new(
            &dir.path().join("sub"),
            Env::Real,
            "https://x",
            &Secret::new("APPKEY"),
        );
        assert_eq!(c.load(), None);
        c.store(&token()).expect("store");
        assert_eq!(c.load(), Some(token()));
        let name = c
            .path()
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
            .to_owned();
        assert!(
            name.starts_with("token-real-") && !name.contains("APPKEY"),
            "{name}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(c.path())
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // No temp files left behind.
        let n = std::fs::read_dir(dir.path().join("sub"))
            .expect("dir")
            .count();
        assert_eq!(n, 1);
        c.remove();
        assert_eq!(c.load(), None);
    }

    /// Check-then-act under the lock: while another process holds it (it is issuing, and
    /// writes the file), an eviction leaves the file to it.
    #[test]
    fn evict_acts_only_under_the_lock() {
        let dir = tempfile::tempdir().expect("tempdir");
        let c = TokenCache::new(dir.path(), Env::Real, "https://x", &Secret::new("A"));
        c.store(&token()).expect("store");
        let other = c.try_lock().expect("lock file").expect("free");
        // flock locks belong to the open file: a second open in this process is refused, as
        // another process would be.
        assert!(c.try_lock().expect("lock file").is_none());
        c.evict(&token().token);
        assert_eq!(c.load(), Some(token()), "the lock holder owns the file");
        drop(other);
        c.evict(&Secret::new("another token"));
        assert_eq!(c.load(), Some(token()), "a newer token stays");
        c.evict(&token().token);
        assert_eq!(c.load(), None);
    }

    /// A cache directory others can read or write is made private before a token is
    /// written or read from it; a shared (sticky) one is refused and left alone.
    #[cfg(unix)]
    #[test]
    fn an_open_cache_directory_is_made_private_or_refused() {
        use std::os::unix::fs::PermissionsExt;
        let mode_of = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o7777;
        let dir = tempfile::tempdir().expect("tempdir");
        let c = TokenCache::new(dir.path(), Env::Real, "https://x", &Secret::new("A"));
        for mode in [0o755, 0o770, 0o701] {
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(mode))
                .expect("chmod");
            c.store(&token()).expect("store");
            assert_eq!(mode_of(dir.path()), 0o700, "from {mode:o}");
        }
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        assert_eq!(
            c.load(),
            None,
            "a token in an open directory is not trusted"
        );
        c.try_lock().expect("made private").expect("free");
        assert_eq!(c.load(), Some(token()));
        let shared = tempfile::tempdir().expect("tempdir");
        std::fs::set_permissions(shared.path(), std::fs::Permissions::from_mode(0o1777))
            .expect("chmod");
        let s = TokenCache::new(shared.path(), Env::Real, "https://x", &Secret::new("A"));
        let e = s.store(&token()).expect_err("shared");
        assert!(e.to_string().contains("cannot be made private"), "{e}");
        assert_eq!(mode_of(shared.path()), 0o1777, "left alone");
    }

    #[test]
    fn foreign_and_corrupted_caches_are_ignored() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = TokenCache::new(dir.path(), Env::Real, "https://x", &Secret::new("A"));
        let b = TokenCache::new(dir.path(), Env::Real, "https://x", &Secret::new("B"));
        let p = TokenCache::new(dir.path(), Env::Paper, "https://x", &Secret::new("A"));
        assert_ne!(a.path(), b.path());
        assert_ne!(a.path(), p.path());
        a.store(&token()).expect("store");
        // Someone else's file copied over ours.
        std::fs::copy(a.path(), b.path()).expect("copy");
        assert_eq!(b.load(), None);
        std::fs::write(a.path(), b"{not json").expect("write");
        assert_eq!(a.load(), None);
        std::fs::write(a.path(), b"").expect("write");
        assert_eq!(a.load(), None);
        // And a fresh store replaces the garbage.
        a.store(&token()).expect("store");
        assert_eq!(a.load(), Some(token()));
    }

    #[test]
    fn extreme_expiries_in_the_cache_are_ignored_without_panicking() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = TokenCache::new(dir.path(), Env::Real, "https://x", &Secret::new("A"));
        a.store(&token()).expect("store");
        let text = std::fs::read_to_string(a.path()).expect("read");
        let v: serde_json::Value = serde_json::from_str(&text).expect("json");
        for unix in [
            i64::MAX,
            i64::MIN,
            8_210_266_876_799,
            -8_334_601_228_801,
            4_102_444_800,
        ] {
            let mut v = v.clone();
            v["expires_at_unix"] = unix.into();
            std::fs::write(a.path(), v.to_string()).expect("write");
            assert_eq!(a.load(), None, "{unix}");
        }
        // The earliest representable instant loads (it is simply expired) and never panics.
        let mut v = v.clone();
        v["expires_at_unix"] = DateTime::<Utc>::MIN_UTC.timestamp().into();
        std::fs::write(a.path(), v.to_string()).expect("write");
        assert!(a.load().is_some());
    }

    #[test]
    fn the_lock_is_exclusive_and_released_on_drop() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = TokenCache::new(dir.path(), Env::Real, "https://x", &Secret::new("A"));
        let held = a.try_lock().expect("lock").expect("free");
        // flock locks are per open file description: a second open sees it held.
        assert!(a.try_lock().expect("lock").is_none());
        drop(held);
        assert!(a.try_lock().expect("lock").is_some());
    }

    #[test]
    fn evict_removes_only_the_rejected_token() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = TokenCache::new(dir.path(), Env::Real, "https://x", &Secret::new("A"));
        a.store(&token()).expect("store");
        a.evict(&Secret::new("someone-else"));
        assert_eq!(a.load(), Some(token()));
        a.evict(&token().token);
        assert_eq!(a.load(), None);
    }

    proptest! {
        #[test]
        fn arbitrary_cache_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let dir = tempfile::tempdir().expect("tempdir");
            let a = TokenCache::new(dir.path(), Env::Real, "https://x", &Secret::new("A"));
            std::fs::write(a.path(), &bytes).expect("write");
            let _ = a.load();
        }
    }
}
