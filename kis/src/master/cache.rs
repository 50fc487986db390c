//! [`MasterStore`]: downloads the master files, keeps them in a cache directory (0600 files,
//! written atomically, each stamped with the server's date it was fetched on), refreshes them
//! once a server day, and falls back to the cache when the download fails.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::{MasterFile, SymbolMaster, download};
use crate::Error;

/// Where the master files come from and where they are kept.
///
/// ```no_run
/// # async fn demo() -> Result<(), kis::Error> {
/// use kis::master::MasterStore;
/// let store = MasterStore::new(MasterStore::KIS_URL, MasterStore::default_dir());
/// let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(); // the server's date
/// let master = store.load(today).await?;
/// println!("{} instruments", master.len());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct MasterStore {
    base_url: String,
    dir: Option<PathBuf>,
    files: Vec<MasterFile>,
}

/// How one file was obtained by the last [`MasterStore::load`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// Downloaded now.
    Downloaded,
    /// From the cache, fetched on the same server date.
    Fresh,
    /// From an older cache because the download failed.
    Stale(NaiveDate),
}

impl MasterStore {
    /// KIS's download location (`<KIS_URL>/kospi_code.mst.zip`, ...).
    pub const KIS_URL: &'static str = "https://new.real.download.dws.co.kr/common/master";

    /// A store fetching from `base_url` and caching in `dir` (`None`: no cache, download
    /// every load).
    pub fn new(base_url: impl Into<String>, dir: Option<PathBuf>) -> MasterStore {
        MasterStore {
            base_url: base_url.into(),
            dir,
            files: MasterFile::ALL.to_vec(),
        }
    }

    /// `~/KIS/config/master`, beside kis-client's configuration (`None` without `HOME`).
    pub fn default_dir() -> Option<PathBuf> {
        std::env::var_os("HOME").map(|h| Path::new(&h).join("KIS/config/master"))
    }

    /// Loads only these files (default: every [`MasterFile`]).
    pub fn files(mut self, files: &[MasterFile]) -> MasterStore {
        self.files = files.to_vec();
        self
    }

    /// The base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The cache directory, if any.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Loads every file: from the cache when it was fetched on `today` (the server's date),
    /// else downloaded (and cached); when a download fails, an older cached copy is used
    /// (with a warning), and only a file with neither is an error.
    pub async fn load(&self, today: NaiveDate) -> Result<SymbolMaster, Error> {
        Ok(self.load_reporting(today).await?.0)
    }

    /// [`load`](Self::load), also saying where each file came from.
    pub(crate) async fn load_reporting(
        &self,
        today: NaiveDate,
    ) -> Result<(SymbolMaster, Vec<(MasterFile, Source)>), Error> {
        let http = download::http_client()?;
        // The files download at once (seven zips from one host), then parse in order.
        let fetched =
            futures::future::try_join_all(self.files.iter().map(|f| self.obtain(&http, *f, today)))
                .await?;
        let mut all = Vec::new();
        let mut sources = Vec::new();
        for (file, (bytes, source)) in self.files.iter().zip(fetched) {
            let parsed = file.parse(&bytes);
            if parsed.skipped > 0 {
                tracing::warn!(
                    file = file.file_name(),
                    skipped = parsed.skipped,
                    "master lines that do not fit the layout were skipped"
                );
            }
            all.extend(parsed.instruments);
            sources.push((*file, source));
        }
        Ok((SymbolMaster::new(all), sources))
    }

    async fn obtain(
        &self,
        http: &reqwest::Client,
        file: MasterFile,
        today: NaiveDate,
    ) -> Result<(Vec<u8>, Source), Error> {
        let cached = self.dir.as_deref().and_then(|d| read_cached(d, file));
        if let Some((date, bytes)) = &cached
            && *date == today
        {
            return Ok((bytes.clone(), Source::Fresh));
        }
        match download::fetch(http, &self.base_url, file).await {
            Ok(bytes) => {
                if let Some(dir) = &self.dir {
                    write_cached(dir, file, today, &bytes)?;
                }
                Ok((bytes, Source::Downloaded))
            }
            Err(e) => match cached {
                Some((date, bytes)) => {
                    tracing::warn!(file = file.file_name(), %date, error = %e,
                        "master download failed; using the cached copy");
                    Ok((bytes, Source::Stale(date)))
                }
                None => Err(e),
            },
        }
    }
}

fn stamp_path(dir: &Path, file: MasterFile) -> PathBuf {
    dir.join(format!("{}.date", file.file_name()))
}

/// The cached file and the server date it was fetched on, if both are readable.
fn read_cached(dir: &Path, file: MasterFile) -> Option<(NaiveDate, Vec<u8>)> {
    let stamp = fs::read_to_string(stamp_path(dir, file)).ok()?;
    let date = NaiveDate::parse_from_str(stamp.trim(), "%Y-%m-%d").ok()?;
    let bytes = fs::read(dir.join(file.file_name())).ok()?;
    Some((date, bytes))
}

/// Writes the file, then its date stamp, each atomically (a 0600 temporary file renamed over
/// the old one), so a reader sees the old pair or the new file with at worst the old stamp
/// (which only makes it refresh again).
fn write_cached(dir: &Path, file: MasterFile, today: NaiveDate, bytes: &[u8]) -> Result<(), Error> {
    let fail = |e: std::io::Error| Error::Master(format!("cache {}: {e}", dir.display()));
    create_private_dir(dir).map_err(fail)?;
    write_atomic(&dir.join(file.file_name()), bytes).map_err(fail)?;
    write_atomic(
        &stamp_path(dir, file),
        today.format("%Y-%m-%d").to_string().as_bytes(),
    )
    .map_err(fail)
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    let mut o = fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let result = (|| {
        let mut f = o.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_files_are_private_and_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        write_cached(dir.path(), MasterFile::Kospi, d, b"abc").unwrap();
        assert_eq!(
            read_cached(dir.path(), MasterFile::Kospi),
            Some((d, b"abc".to_vec()))
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join("kospi_code.mst"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(read_cached(dir.path(), MasterFile::Kosdaq), None);
    }
}
