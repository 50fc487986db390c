//! Zero-copy parsing of realtime data frames: `E|TR_ID|NNN|payload` and its `^`-separated records.

use crate::error::FrameError;

/// The header of one data frame, borrowing from the frame text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataFrame<'a> {
    /// `true` when the payload is base64 of AES-256-CBC ciphertext (`E` = `1`).
    pub encrypted: bool,
    /// The TR ID (e.g. `H0STCNT0`).
    pub tr_id: &'a str,
    /// Number of records in the payload (`NNN`).
    pub count: usize,
    /// The payload: `^`-separated fields of all records (plain), or base64 (encrypted).
    pub payload: &'a str,
}

/// Largest record count accepted in a frame header (KIS sends three digits).
const MAX_COUNT: usize = 999;

/// Returns `true` when `text` looks like a data frame rather than a JSON control message.
pub fn is_data_frame(text: &str) -> bool {
    matches!(text.as_bytes().first(), Some(b'0' | b'1'))
}

/// Splits a data frame into its header parts without copying.
///
/// The payload is everything after the third `|` (a `|` inside the payload is kept).
pub fn parse_data_frame(text: &str) -> Result<DataFrame<'_>, FrameError> {
    // The same cuts as `text.splitn(4, '|')`, found with a byte search (`|` is ASCII).
    let bytes = text.as_bytes();
    let next_bar = |from: usize| {
        let i = bytes.get(from..)?.iter().position(|&b| b == b'|')?;
        Some(from + i)
    };
    let cuts = next_bar(0).and_then(|a| {
        let b = next_bar(a + 1)?;
        Some((a, b, next_bar(b + 1)?))
    });
    let parts = cuts.and_then(|(a, b, c)| {
        Some((
            text.get(..a)?,
            text.get(a + 1..b)?,
            text.get(b + 1..c)?,
            text.get(c + 1..)?,
        ))
    });
    let Some((flag, tr_id, count, payload)) = parts else {
        return Err(FrameError::malformed(
            "expected `E|TR_ID|NNN|payload`",
            text,
        ));
    };
    let encrypted = match flag {
        "0" => false,
        "1" => true,
        _ => return Err(FrameError::malformed("encryption flag is not 0 or 1", text)),
    };
    if tr_id.is_empty() || !tr_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(FrameError::malformed("TR ID is not alphanumeric", text));
    }
    if count.is_empty() || count.len() > 3 || !count.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FrameError::malformed(
            "record count is not 1-3 digits",
            text,
        ));
    }
    let count: usize = count
        .parse()
        .map_err(|_| FrameError::malformed("record count is not a number", text))?;
    if count == 0 || count > MAX_COUNT {
        return Err(FrameError::malformed("record count is out of range", text));
    }
    Ok(DataFrame {
        encrypted,
        tr_id,
        count,
        payload,
    })
}

/// The high bit of each byte of the 8-byte `chunk` that is `^`, little-endian (exact: no
/// false positives from borrows between bytes).
fn caret_mask(chunk: &[u8]) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let mut word = [0u8; 8];
    word.copy_from_slice(chunk);
    let x = u64::from_le_bytes(word) ^ 0x5e5e_5e5e_5e5e_5e5e;
    // A byte of `x` is zero exactly where the chunk holds `^`.
    !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
}

fn null_to_empty(field: &str) -> &str {
    if field.len() == 6 && field == "(null)" {
        ""
    } else {
        field
    }
}

/// The fields of a frame's records, split without copying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Records<'a> {
    fields: Vec<&'a str>,
    per_record: usize,
}

impl<'a> Records<'a> {
    /// Splits a plain payload holding `count` records of a TR whose layout has `columns` columns.
    ///
    /// Records are concatenated with `^` like fields, so the per-record width is
    /// `total / count`, and `total` must divide evenly. The width may exceed `columns` (KIS
    /// appends columns over time; the extra trailing fields are ignored by the typed decoders)
    /// or fall short of it (an older layout; the missing trailing fields decode as absent).
    /// `columns` only sizes the buffer. `(null)` literals become empty fields.
    pub fn split(
        tr_id: &str,
        payload: &'a str,
        count: usize,
        columns: usize,
    ) -> Result<Self, FrameError> {
        let mut fields: Vec<&'a str> = Vec::with_capacity(columns.max(1) * count);
        // `^` is ASCII, so every cut is on a char boundary. The separators are found eight bytes
        // at a time (SWAR), then the tail byte by byte.
        let bytes = payload.as_bytes();
        let mut start = 0;
        let mut cut = |i: usize, fields: &mut Vec<&'a str>| {
            fields.push(null_to_empty(payload.get(start..i).unwrap_or_default()));
            start = i + 1;
        };
        let mut chunks = bytes.chunks_exact(8);
        let mut base = 0;
        for chunk in &mut chunks {
            let mut mask = caret_mask(chunk);
            while mask != 0 {
                cut(base + (mask.trailing_zeros() / 8) as usize, &mut fields);
                mask &= mask - 1;
            }
            base += 8;
        }
        for (i, &b) in chunks.remainder().iter().enumerate() {
            if b == b'^' {
                cut(base + i, &mut fields);
            }
        }
        fields.push(null_to_empty(payload.get(start..).unwrap_or_default()));
        let total = fields.len();
        if count == 0 || total % count != 0 {
            return Err(FrameError::FieldCount {
                tr_id: tr_id.to_owned(),
                records: count,
                fields: total,
                columns,
            });
        }
        Ok(Records {
            fields,
            per_record: total / count,
        })
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.fields.len().checked_div(self.per_record).unwrap_or(0)
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Fields per record (at least the layout's column count).
    pub fn per_record(&self) -> usize {
        self.per_record
    }

    /// The records, each a slice of fields in layout order.
    pub fn iter(&self) -> std::slice::ChunksExact<'_, &'a str> {
        self.fields.chunks_exact(self.per_record.max(1))
    }
}

/// Byte ranges of the `count` records in a plain payload of a TR whose layout has `columns`
/// columns, by the same rules as [`Records::split`].
pub fn record_ranges(
    tr_id: &str,
    payload: &str,
    count: usize,
    columns: usize,
) -> Result<Vec<std::ops::Range<usize>>, FrameError> {
    let bytes = payload.as_bytes();
    let total = bytes.iter().filter(|&&b| b == b'^').count() + 1;
    if count == 0 || total % count != 0 {
        return Err(FrameError::FieldCount {
            tr_id: tr_id.to_owned(),
            records: count,
            fields: total,
            columns,
        });
    }
    let per = total / count;
    let mut ranges = Vec::with_capacity(count);
    let mut start = 0;
    let mut seen = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'^' {
            seen += 1;
            if seen == per {
                ranges.push(start..i);
                start = i + 1;
                seen = 0;
            }
        }
    }
    ranges.push(start..bytes.len());
    Ok(ranges)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_agrees_with_str_split_at_every_alignment() {
        let payload = "a^^bc^(null)^\u{c5d0}^^^12345678^^x^~]^_^";
        for start in 0..payload.len() {
            let Some(p) = payload.get(start..) else {
                continue;
            };
            let want: Vec<&str> = p.split('^').map(null_to_empty).collect();
            let got = Records::split("T", p, 1, 1).unwrap();
            assert_eq!(got.iter().next().unwrap(), want.as_slice(), "{p:?}");
        }
    }

    #[test]
    fn parses_plain_header() {
        let f = parse_data_frame("0|H0STCNT0|004|005930^123929^73100").unwrap();
        assert!(!f.encrypted);
        assert_eq!(f.tr_id, "H0STCNT0");
        assert_eq!(f.count, 4);
        assert_eq!(f.payload, "005930^123929^73100");
    }

    #[test]
    fn parses_encrypted_header_and_keeps_pipes_in_payload() {
        let f = parse_data_frame("1|H0STCNI0|001|ab|c=").unwrap();
        assert!(f.encrypted);
        assert_eq!(f.payload, "ab|c=");
    }

    #[test]
    fn rejects_bad_headers() {
        for bad in [
            "",
            "0",
            "0|H0STCNT0",
            "0|H0STCNT0|001",
            "2|H0STCNT0|001|x",
            "0||001|x",
            "0|H0ST CNT0|001|x",
            "0|H0STCNT0|abc|x",
            "0|H0STCNT0|000|x",
            "0|H0STCNT0|0001|x",
            "0|H0STCNT0||x",
        ] {
            assert!(parse_data_frame(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn splits_multiple_records_by_count() {
        let r = Records::split("T", "a^b^c^d^e^f", 2, 3).unwrap();
        assert_eq!(r.len(), 2);
        let recs: Vec<_> = r.iter().collect();
        assert_eq!(recs, vec![&["a", "b", "c"][..], &["d", "e", "f"][..]]);
    }

    #[test]
    fn tolerates_extra_trailing_columns() {
        let r = Records::split("T", "a^b^c^X^d^e^f^Y", 2, 3).unwrap();
        assert_eq!(r.per_record(), 4);
        let recs: Vec<_> = r.iter().collect();
        assert_eq!(recs[1], &["d", "e", "f", "Y"][..]);
    }

    #[test]
    fn wrong_field_count_is_an_error() {
        assert!(matches!(
            Records::split("T", "a^b^c^d^e", 2, 2),
            Err(FrameError::FieldCount { fields: 5, .. })
        ));
        assert!(Records::split("T", "a", 3, 1).is_err());
    }

    #[test]
    fn shorter_records_than_the_layout_split_evenly() {
        let r = Records::split("T", "a^b^c^d", 2, 3).unwrap();
        assert_eq!(r.per_record(), 2);
        assert_eq!(r.iter().nth(1).unwrap(), &["c", "d"][..]);
    }

    #[test]
    fn null_literals_become_empty() {
        let r = Records::split("T", "a^(null)^c", 1, 3).unwrap();
        assert_eq!(r.iter().next().unwrap(), &["a", "", "c"][..]);
    }

    #[test]
    fn is_data_frame_distinguishes_json() {
        assert!(is_data_frame("0|X|001|a"));
        assert!(is_data_frame("1|X|001|a"));
        assert!(!is_data_frame("{\"header\":{}}"));
        assert!(!is_data_frame(""));
    }

    #[test]
    fn record_ranges_match_split() {
        let p = "a^b^c^X^d^e^f^Y";
        let r = record_ranges("T", p, 2, 3).unwrap();
        assert_eq!(r, vec![0..7, 8..15]);
        assert_eq!(&p[r[0].clone()], "a^b^c^X");
        assert_eq!(&p[r[1].clone()], "d^e^f^Y");
        assert_eq!(record_ranges("T", "abc", 1, 1).unwrap(), vec![0..3]);
        assert_eq!(record_ranges("T", "", 1, 1).unwrap(), vec![0..0]);
        assert!(record_ranges("T", "a^b^c", 2, 1).is_err());
        assert_eq!(record_ranges("T", "a^b", 1, 3).unwrap(), vec![0..3]);
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        const REAL: &[&str] = &[
            "0|H0STCNT0|001|005930^093354^71900^5^-100^-0.14^72023.83^72100^72400^71700^71900^71800^1^3052507^219853241700^5105^6937^1832^84.90^1366314^1159996^1^0.39^20.28^090020^5^-200^090820^5^-500^092619^2^200^20230612^20^N^65945^216924^1118750^2199136^0.13^2424568^125.91^0^^72100",
            "0|H0STCNT0|002|005930^1^2^3^000660^4^5^6",
            "1|H0STCNI0|001|q83hbGcDe9oHvcpF4zFqM5qUe6HgThNfYb8SV9RWK4I=",
            "0|H0STASP0|001|005930^093730^0^71900^72000^72100^(null)^^",
        ];

        fn mutate(s: &str, at: usize, byte: u8, cut: usize) -> String {
            let mut b = s.as_bytes().to_vec();
            if !b.is_empty() {
                let i = at % b.len();
                b[i] = byte;
                b.truncate(b.len() - cut % b.len());
            }
            String::from_utf8_lossy(&b).into_owned()
        }

        proptest! {
            #[test]
            fn random_text_never_panics(s in ".{0,300}", cols in 0usize..60) {
                if let Ok(f) = parse_data_frame(&s) {
                    let _ = Records::split(f.tr_id, f.payload, f.count, cols).map(|r| r.iter().count());
                    let _ = record_ranges(f.tr_id, f.payload, f.count, cols).map(|r| {
                        for range in r { assert!(f.payload.get(range).is_some()); }
                    });
                }
            }

            #[test]
            fn mutated_real_frames_never_panic(
                which in 0usize..4, at in any::<usize>(), byte in any::<u8>(), cut in 0usize..40, cols in 0usize..50,
            ) {
                let s = mutate(REAL[which], at, byte, cut);
                if let Ok(f) = parse_data_frame(&s) {
                    if let (Ok(r), Ok(ranges)) = (
                        Records::split(f.tr_id, f.payload, f.count, cols),
                        record_ranges(f.tr_id, f.payload, f.count, cols),
                    ) {
                        // Both splitters agree on the record count.
                        prop_assert_eq!(r.len(), ranges.len());
                        prop_assert_eq!(r.len(), f.count);
                    }
                }
            }

            #[test]
            fn well_formed_frames_round_trip(
                count in 1usize..5, cols in 1usize..8, extra in 0usize..3,
                field in "[A-Za-z0-9.-]{0,6}",
            ) {
                let per = cols + extra;
                let fields: Vec<String> = (0..count * per).map(|i| format!("{field}{i}")).collect();
                let text = format!("0|H0STCNT0|{count:03}|{}", fields.join("^"));
                let f = parse_data_frame(&text).unwrap();
                let r = Records::split(f.tr_id, f.payload, f.count, cols).unwrap();
                prop_assert_eq!(r.len(), count);
                prop_assert_eq!(r.per_record(), per);
                let ranges = record_ranges(f.tr_id, f.payload, f.count, cols).unwrap();
                for (rec, range) in r.iter().zip(ranges) {
                    prop_assert_eq!(rec.join("^"), &f.payload[range]);
                }
            }
        }
    }
}
