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

/// The one `(null)` rule: KIS sends the literal `(null)` for some absent values; it reads as an
/// empty field (an empty slice at the literal's position, so byte offsets stay meaningful).
#[inline]
fn null_to_empty(field: &str) -> &str {
    if field.len() == 6 && field == "(null)" {
        &field[..0]
    } else {
        field
    }
}

/// The one field splitter: calls `f` with each `^`-separated field of `text` in order, with
/// the `(null)` rule applied. Every other splitting function of this crate goes through it.
#[inline]
pub fn for_each_field<'a>(text: &'a str, mut f: impl FnMut(&'a str)) {
    // `^` is ASCII, so every cut is on a char boundary. The separators are found eight bytes
    // at a time (SWAR), then the tail byte by byte.
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut cut = |i: usize| {
        f(null_to_empty(text.get(start..i).unwrap_or_default()));
        start = i + 1;
    };
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let mut mask = caret_mask(chunk);
        while mask != 0 {
            cut(base + (mask.trailing_zeros() / 8) as usize);
            mask &= mask - 1;
        }
        base += 8;
    }
    for (i, &b) in chunks.remainder().iter().enumerate() {
        if b == b'^' {
            cut(base + i);
        }
    }
    f(null_to_empty(text.get(start..).unwrap_or_default()));
}

/// Fields kept on the stack by [`with_fields`]; wider records spill to the heap.
const STACK_FIELDS: usize = 128;

/// Splits one record's text with [`for_each_field`] and hands its fields to `f`, without
/// allocating for records of up to 128 fields (every KIS layout).
#[inline]
pub fn with_fields<'a, R>(record: &'a str, f: impl FnOnce(&[&'a str]) -> R) -> R {
    let mut stack = [""; STACK_FIELDS];
    let mut n = 0;
    let mut spill: Option<Vec<&str>> = None;
    for_each_field(record, |field| {
        if let Some(v) = spill.as_mut() {
            v.push(field);
        } else if n < STACK_FIELDS {
            stack[n] = field;
            n += 1;
        } else {
            let mut v = stack.to_vec();
            v.push(field);
            spill = Some(v);
        }
    });
    match &spill {
        Some(v) => f(v),
        None => f(&stack[..n]),
    }
}

/// The fields of a frame's records, split without copying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Records<'a> {
    payload: &'a str,
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
    ///
    /// This is the session's split: it runs once per data frame.
    pub fn split(
        tr_id: &str,
        payload: &'a str,
        count: usize,
        columns: usize,
    ) -> Result<Self, FrameError> {
        let mut fields: Vec<&'a str> = Vec::with_capacity(columns.max(1) * count);
        for_each_field(payload, |f| fields.push(f));
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
            payload,
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

    /// Byte offset of a field (a slice of the payload) in the payload.
    fn offset(&self, field: &str) -> usize {
        (field.as_ptr() as usize).wrapping_sub(self.payload.as_ptr() as usize)
    }

    /// The byte range of record `i` in the payload (its fields joined by `^`, as received).
    pub fn range(&self, i: usize) -> std::ops::Range<usize> {
        let per = self.per_record.max(1);
        let start = self.fields.get(i * per).map_or(0, |f| self.offset(f));
        let end = match self.fields.get((i + 1) * per) {
            Some(next) => self.offset(next).saturating_sub(1),
            None => self.payload.len(),
        };
        start.min(end)..end
    }
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

    fn ranges(p: &str, count: usize) -> Vec<std::ops::Range<usize>> {
        let r = Records::split("T", p, count, 1).unwrap();
        (0..r.len()).map(|i| r.range(i)).collect()
    }

    #[test]
    fn record_ranges_match_split() {
        let p = "a^b^c^X^d^e^f^Y";
        assert_eq!(ranges(p, 2), vec![0..7, 8..15]);
        assert_eq!(ranges("abc", 1), vec![0..3]);
        assert_eq!(ranges("", 1), vec![0..0]);
        assert_eq!(ranges("a^b", 1), vec![0..3]);
        // `(null)` fields keep their place: a record starting or ending with one.
        assert_eq!(ranges("(null)^b^c^(null)", 2), vec![0..8, 9..17]);
        assert_eq!(ranges("^^", 3), vec![0..0, 1..1, 2..2]);
    }

    #[test]
    fn with_fields_spills_past_the_stack_buffer() {
        let wide = vec!["x"; 300].join("^");
        assert_eq!(with_fields(&wide, |f| f.len()), 300);
        assert_eq!(with_fields("a^(null)^c", |f| f.join("|")), "a||c");
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
                    if let Ok(r) = Records::split(f.tr_id, f.payload, f.count, cols) {
                        for i in 0..r.len() { assert!(f.payload.get(r.range(i)).is_some()); }
                    }
                }
            }

            #[test]
            fn mutated_real_frames_never_panic(
                which in 0usize..4, at in any::<usize>(), byte in any::<u8>(), cut in 0usize..40, cols in 0usize..50,
            ) {
                let s = mutate(REAL[which], at, byte, cut);
                if let Ok(f) = parse_data_frame(&s) {
                    if let Ok(r) = Records::split(f.tr_id, f.payload, f.count, cols) {
                        prop_assert_eq!(r.len(), f.count);
                        // Each record's text splits back into exactly its fields.
                        for (i, rec) in r.iter().enumerate() {
                            let text = f.payload.get(r.range(i)).unwrap();
                            prop_assert_eq!(with_fields(text, |x| x.to_vec()), rec.to_vec());
                        }
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
                for (i, rec) in r.iter().enumerate() {
                    prop_assert_eq!(rec.join("^"), &f.payload[r.range(i)]);
                }
            }
        }
    }
}
