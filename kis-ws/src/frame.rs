//! Zero-copy parsing of realtime data frames: `E|TR_ID|NNN|payload` and its `^`-separated records.

use crate::error::FrameError;
use crate::fields::carets_at;
pub use crate::fields::{Columns, Cut, Fields};
/// The text of a websocket message (tungstenite's shared, UTF-8 checked buffer): the raw
/// records of a plain frame point into it instead of copying the payload.
pub use tokio_tungstenite::tungstenite::Utf8Bytes;

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
#[inline]
pub fn parse_data_frame(text: &str) -> Result<DataFrame<'_>, FrameError> {
    match usual_header(text) {
        Some(f) => Ok(f),
        None => any_header(text),
    }
}

/// The header as KIS sends it, `E|` + an 8-character TR ID + `|NNN|`, read in place; `None`
/// for any other text (which [`any_header`] reads or rejects).
#[inline(always)]
fn usual_header(text: &str) -> Option<DataFrame<'_>> {
    let b = text.as_bytes();
    let h = b.get(..15)?;
    let encrypted = match h[0] {
        b'0' => false,
        b'1' => true,
        _ => return None,
    };
    let digit = |c: u8| usize::from(c.wrapping_sub(b'0'));
    let (d0, d1, d2) = (digit(h[11]), digit(h[12]), digit(h[13]));
    let count = d0 * 100 + d1 * 10 + d2;
    let ok = h[1] == b'|'
        && h[10] == b'|'
        && h[14] == b'|'
        && d0 < 10
        && d1 < 10
        && d2 < 10
        && count > 0
        && h[2..10].iter().all(u8::is_ascii_alphanumeric);
    if !ok {
        return None;
    }
    Some(DataFrame {
        encrypted,
        tr_id: text.get(2..10)?,
        count,
        payload: text.get(15..)?,
    })
}

/// [`parse_data_frame`] for any header.
#[cold]
fn any_header(text: &str) -> Result<DataFrame<'_>, FrameError> {
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

/// Number of `^` in `bytes`, 64 bytes at a time (the field splitter's caret masks).
fn count_carets(bytes: &[u8]) -> usize {
    (0..bytes.len())
        .step_by(64)
        .map(|at| carets_at(bytes, at).count_ones() as usize)
        .sum()
}

/// Byte offset of the `n`-th `^` (`n` ≥ 1) at or after `from`; `None` when there are fewer.
fn nth_caret(bytes: &[u8], from: usize, mut n: usize) -> Option<usize> {
    let mut at = from;
    while at < bytes.len() {
        let mut mask = carets_at(bytes, at);
        let here = mask.count_ones() as usize;
        if here >= n {
            for _ in 1..n {
                mask &= mask - 1;
            }
            return Some(at + mask.trailing_zeros() as usize);
        }
        n -= here;
        at += 64;
    }
    None
}

/// The records of one frame's payload, split without copying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Records<'a> {
    payload: &'a str,
    count: usize,
    /// Fields per record; `None` for a one-record payload (the whole payload is the record,
    /// and its fields are not counted unless asked).
    per_record: Option<usize>,
}

impl<'a> Records<'a> {
    /// Splits a plain payload holding `count` records of a TR whose layout has `columns` columns.
    ///
    /// Records are concatenated with `^` like fields, so the per-record width is
    /// `total / count`, and `total` must divide evenly. The width may exceed `columns` (KIS
    /// appends columns over time; the extra trailing fields are ignored by the typed decoders)
    /// or fall short of it (an older layout; the missing trailing fields decode as absent).
    /// `columns` is only reported in errors. A one-record payload is that record, unscanned;
    /// a payload of several records is scanned once to count its fields.
    ///
    /// This is the session's split: it runs once per data frame.
    pub fn split(
        tr_id: &str,
        payload: &'a str,
        count: usize,
        columns: usize,
    ) -> Result<Self, FrameError> {
        let per_record = match count {
            1 => None,
            _ => {
                let total = count_carets(payload.as_bytes()) + 1;
                if count == 0 || total % count != 0 {
                    return Err(FrameError::FieldCount {
                        tr_id: tr_id.to_owned(),
                        records: count,
                        fields: total,
                        columns,
                    });
                }
                Some(total / count)
            }
        };
        Ok(Records {
            payload,
            count,
            per_record,
        })
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether there are no records (never, for a split that succeeded).
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Fields per record (at least the layout's column count).
    pub fn per_record(&self) -> usize {
        self.per_record
            .unwrap_or_else(|| count_carets(self.payload.as_bytes()) + 1)
    }

    /// The byte range of each record in the payload (its fields joined by `^`, as received),
    /// in order.
    pub fn ranges(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let bytes = self.payload.as_bytes();
        let mut start = 0;
        (0..self.count).map(move |i| {
            let end = match self.per_record {
                Some(per) if i + 1 < self.count => nth_caret(bytes, start, per),
                _ => None,
            }
            .unwrap_or(bytes.len());
            let range = start..end;
            start = (end + 1).min(bytes.len());
            range
        })
    }

    /// The records' texts (fields joined by `^`, as received), in order; [`Fields::new`]
    /// splits one.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        let payload = self.payload;
        self.ranges()
            .map(move |r| payload.get(r).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::null_to_empty;
    use kis_client::value::Val;

    fn fields(record: &str) -> Vec<&str> {
        Fields::new(record).collect()
    }

    fn records<'a>(r: &Records<'a>) -> Vec<Vec<&'a str>> {
        r.iter().map(|rec| Fields::new(rec).collect()).collect()
    }

    #[test]
    fn fields_agree_with_str_split_at_every_alignment() {
        let payload = "a^^bc^(null)^\u{c5d0}^^^12345678^^x^~]^_^";
        for start in 0..payload.len() {
            let Some(p) = payload.get(start..) else {
                continue;
            };
            let want: Vec<&str> = p.split('^').map(null_to_empty).collect();
            assert_eq!(fields(p), want, "{p:?}");
            let r = Records::split("T", p, 1, 1).unwrap();
            assert_eq!(r.per_record(), want.len());
            assert_eq!(r.iter().collect::<Vec<_>>(), [p]);
        }
    }

    #[test]
    fn fields_past_the_end_are_missing() {
        let c = Columns::<3>::new("1^x");
        assert_eq!(c.val::<i64>(0), Val::Ok(1));
        assert!(c.val::<i64>(1).is_invalid());
        assert!(c.val::<i64>(2).is_missing());
        let mut f = Fields::new("1^x");
        assert_eq!(f.nth(1), Some("x"));
        assert!(f.next().is_none());
        assert_eq!(fields(""), [""]);
        assert_eq!(Columns::<1>::new("").val::<i64>(0), Val::Empty);
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
        assert_eq!(records(&r), vec![vec!["a", "b", "c"], vec!["d", "e", "f"]]);
    }

    #[test]
    fn tolerates_extra_trailing_columns() {
        let r = Records::split("T", "a^b^c^X^d^e^f^Y", 2, 3).unwrap();
        assert_eq!(r.per_record(), 4);
        assert_eq!(records(&r)[1], ["d", "e", "f", "Y"]);
    }

    #[test]
    fn wrong_field_count_is_an_error() {
        assert!(matches!(
            Records::split("T", "a^b^c^d^e", 2, 2),
            Err(FrameError::FieldCount { fields: 5, .. })
        ));
        assert!(Records::split("T", "a", 3, 1).is_err());
        assert!(Records::split("T", "a", 0, 1).is_err());
    }

    #[test]
    fn shorter_records_than_the_layout_split_evenly() {
        let r = Records::split("T", "a^b^c^d", 2, 3).unwrap();
        assert_eq!(r.per_record(), 2);
        assert_eq!(records(&r)[1], ["c", "d"]);
    }

    #[test]
    fn null_literals_become_empty() {
        let r = Records::split("T", "a^(null)^c", 1, 3).unwrap();
        assert_eq!(records(&r)[0], ["a", "", "c"]);
        assert_eq!(fields("(null)"), [""]);
        assert_eq!(fields("(null)x^(null"), ["(null)x", "(null"]);
    }

    #[test]
    fn is_data_frame_distinguishes_json() {
        assert!(is_data_frame("0|X|001|a"));
        assert!(is_data_frame("1|X|001|a"));
        assert!(!is_data_frame("{\"header\":{}}"));
        assert!(!is_data_frame(""));
    }

    fn ranges(p: &str, count: usize) -> Vec<std::ops::Range<usize>> {
        Records::split("T", p, count, 1).unwrap().ranges().collect()
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
        // Records spanning several words, separators at word edges.
        let long = "1234567^12345678^123456789^x^1234567^12345678^123456789^y";
        let r = ranges(long, 2);
        assert_eq!(&long[r[0].clone()], "1234567^12345678^123456789^x");
        assert_eq!(&long[r[1].clone()], "1234567^12345678^123456789^y");
    }

    mod props {
        use super::super::*;
        use crate::fields::null_to_empty;
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

        /// The reference: `str::split` with the `(null)` rule, and `total / count` fields per
        /// record.
        fn reference(payload: &str, count: usize) -> Option<Vec<Vec<&str>>> {
            let all: Vec<&str> = payload.split('^').map(null_to_empty).collect();
            if count == 0 || all.len() % count != 0 {
                return None;
            }
            Some(all.chunks(all.len() / count).map(<[_]>::to_vec).collect())
        }

        proptest! {
            #[test]
            fn random_text_never_panics(s in ".{0,300}", cols in 0usize..60) {
                if let Ok(f) = parse_data_frame(&s) {
                    if let Ok(r) = Records::split(f.tr_id, f.payload, f.count, cols) {
                        for range in r.ranges() { prop_assert!(f.payload.get(range).is_some()); }
                    }
                }
            }

            #[test]
            fn the_usual_header_reads_as_any_header(
                s in "[01][|][A-Z0-9 |]{8}[|][0-9a|]{3}[|][0-9^]{0,4}|.{0,20}",
            ) {
                if let Some(f) = usual_header(&s) {
                    prop_assert_eq!(Ok(f), any_header(&s));
                }
            }

            #[test]
            fn split_agrees_with_the_reference(
                s in "[a-c^(nul)\u{c5d0}]{0,80}", count in 0usize..5,
            ) {
                let got = Records::split("T", &s, count, 1)
                    .ok()
                    .map(|r| r.iter().map(|rec| Fields::new(rec).collect::<Vec<_>>()).collect::<Vec<_>>());
                prop_assert_eq!(got, reference(&s, count));
            }

            #[test]
            fn mutated_real_frames_never_panic(
                which in 0usize..4, at in any::<usize>(), byte in any::<u8>(), cut in 0usize..40, cols in 0usize..50,
            ) {
                let s = mutate(REAL[which], at, byte, cut);
                if let Ok(f) = parse_data_frame(&s) {
                    let want = reference(f.payload, f.count);
                    match Records::split(f.tr_id, f.payload, f.count, cols) {
                        Ok(r) => {
                            prop_assert_eq!(r.len(), f.count);
                            let got: Vec<Vec<&str>> =
                                r.iter().map(|rec| Fields::new(rec).collect()).collect();
                            prop_assert_eq!(Some(got), want);
                        }
                        Err(_) => prop_assert!(want.is_none()),
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
                for (rec, want) in r.iter().zip(fields.chunks(per)) {
                    prop_assert_eq!(Fields::new(rec).collect::<Vec<_>>(), want.to_vec());
                }
            }
        }
    }
}
