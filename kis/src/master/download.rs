//! Fetches one master zip over HTTP (no redirects followed) and unpacks its one file.

use std::io::Read;
use std::time::Duration;

use super::MasterFile;
use crate::Error;

/// The largest master file accepted after unpacking (KOSPI's is about 1 MB).
const MAX_FILE: u64 = 64 << 20;

/// An HTTP client for master downloads: no redirects, a 60-second timeout.
pub(crate) fn http_client() -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| Error::Master(format!("cannot build the download client: {e}")))
}

/// Downloads `<base_url>/<file>.zip` and returns the unpacked file's bytes.
pub(crate) async fn fetch(
    http: &reqwest::Client,
    base_url: &str,
    file: MasterFile,
) -> Result<Vec<u8>, Error> {
    let url = format!("{}/{}", base_url.trim_end_matches('/'), file.zip_name());
    let fail = |why: String| Error::Master(format!("{url}: {why}"));
    let response = http
        .get(&url)
        .send()
        .await
        .map_err(|e| fail(e.to_string()))?;
    let status = response.status();
    if !status.is_success() {
        return Err(fail(format!("HTTP {status}")));
    }
    let body = response.bytes().await.map_err(|e| fail(e.to_string()))?;
    unzip(&body, file).map_err(fail)
}

/// The file named like `file` inside a zip (or its only entry), at most [`MAX_FILE`] bytes.
pub(crate) fn unzip(zip: &[u8], file: MasterFile) -> Result<Vec<u8>, String> {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(zip)).map_err(|e| format!("not a zip: {e}"))?;
    let wanted = file.file_name();
    let index = (0..archive.len())
        .find(|i| {
            archive
                .name_for_index(*i)
                .is_some_and(|n| n.is_ok_and(|n| n.eq_ignore_ascii_case(wanted)))
        })
        .or((archive.len() == 1).then_some(0))
        .ok_or_else(|| format!("the zip holds no {wanted}"))?;
    let entry = archive
        .by_index(index)
        .map_err(|e| format!("cannot read {wanted}: {e}"))?;
    let mut out = Vec::new();
    entry
        .take(MAX_FILE + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("cannot unpack {wanted}: {e}"))?;
    if out.len() as u64 > MAX_FILE {
        return Err(format!("{wanted} is larger than {MAX_FILE} bytes"));
    }
    Ok(out)
}
