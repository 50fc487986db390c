//! The one place the hand-written runtime touches the generated records in `src/api/`.

use crate::catalog::Catalog;
use crate::error::FrameError;
use crate::event::RawRecord;

/// The record type of [`crate::Session::events`]: any generated realtime record.
pub type AnyRecord = crate::api::AnyRecord;

/// The catalog answered from the generated code.
pub(crate) fn generated_catalog() -> Catalog {
    Catalog {
        columns: crate::api::columns,
        is_encrypted: crate::api::is_encrypted,
        on_paper,
    }
}

/// Whether a TR is available on paper.
///
/// The generated code does not expose the spec's per-environment TR IDs yet, so this uses the
/// one rule PROTOCOL.md documents: execution-notice TRs come in pairs whose paper twin ends in
/// `9` (`H0STCNI0`/`H0STCNI9`, `H0GSCNI0`/`H0GSCNI9`, `H0IFCNI0`/`H0IFCNI9`), so the real
/// member of a known pair is rejected on paper. Every other TR is left to KIS (`None`).
pub(crate) fn on_paper(tr_id: &str) -> Option<bool> {
    let stem = tr_id.strip_suffix('0')?;
    let twin = format!("{stem}9");
    let encrypted = crate::api::is_encrypted(tr_id)?;
    (encrypted && crate::api::columns(&twin).is_some()).then_some(false)
}

/// Decodes a raw record into the generated [`AnyRecord`].
pub(crate) fn decode_any(tr_id: &str, raw: RawRecord) -> Result<AnyRecord, FrameError> {
    let fields: Vec<&str> = raw.fields().collect();
    crate::api::decode(tr_id, &fields).ok_or_else(|| FrameError::UnknownTr {
        tr_id: tr_id.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_notice_is_not_on_paper_when_its_twin_is_known() {
        if crate::api::columns("H0STCNI9").is_some() {
            assert_eq!(on_paper("H0STCNI0"), Some(false));
        }
        assert_eq!(on_paper("H0STCNI9"), None);
        assert_eq!(on_paper("H0STCNT0"), None);
        assert_eq!(on_paper("NOPE"), None);
    }
}
