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
        available_on: crate::api::available_on,
    }
}

/// Decodes a raw record into the generated [`AnyRecord`].
pub(crate) fn decode_any(tr_id: &str, raw: RawRecord) -> Result<AnyRecord, FrameError> {
    crate::api::decode(tr_id, raw.as_str()).ok_or_else(|| FrameError::UnknownTr {
        tr_id: tr_id.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kis_client::endpoint::Env;

    #[test]
    fn availability_comes_from_the_spec_variants() {
        let c = generated_catalog();
        assert_eq!((c.available_on)("H0STCNI0", Env::Paper), Some(false));
        assert_eq!((c.available_on)("H0STCNI9", Env::Paper), Some(true));
        assert_eq!((c.available_on)("H0STCNI9", Env::Real), Some(false));
        assert_eq!((c.available_on)("H0STCNT0", Env::Paper), Some(true));
        assert_eq!((c.available_on)("NOPE", Env::Real), None);
    }

    #[test]
    fn decode_any_types_known_trs_and_rejects_unknown() {
        let text = crate::frame::Utf8Bytes::from("005930^093354^71900");
        let raw = RawRecord::new(text.clone(), 0..text.len());
        assert!(matches!(
            decode_any("H0STCNT0", raw.clone()),
            Ok(AnyRecord::H0stcnt0(_))
        ));
        assert!(matches!(
            decode_any("NOPE", raw),
            Err(FrameError::UnknownTr { .. })
        ));
    }
}
