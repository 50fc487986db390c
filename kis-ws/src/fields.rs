//! [`Fields`]: the one field splitter of realtime records, and the typed reads the generated
//! records decode with.
//!
//! A record is decoded in one pass over its text. Each generated `parse` reads its columns in
//! layout order from a [`Fields`] cursor: [`Fields::val`] for any [`Wire`] type (the field is
//! cut at its `^`, then parsed by the type's own parser), and [`Fields::int`] and
//! [`Fields::decimal`] for the numbers that make up most of KIS's records. Those two read a
//! canonical plain number (`-?(0|[1-9][0-9]*)(\.[0-9]+)?`, at most 18 digits, followed by `^`
//! or the end) straight from the text, eight digits at a time, and find the field's end while
//! doing so; any other text (a sign, leading zeros, `(null)`, spaces, a long number, garbage)
//! goes to the general parser of [`Val::parse`] with the field cut as usual. Both give the
//! same value for every input (a proptest below proves it), so the fast path is invisible:
//! values keep their wire text, and malformed fields are [`Val::Invalid`] with their raw text.

use kis_client::value::{Decimal, KisTime, NaiveDate, NaiveTime, Val, Wire};

/// The one `(null)` rule: KIS sends the literal `(null)` for some absent values; it reads as an
/// empty field (an empty slice at the literal's position, so byte offsets stay meaningful).
#[inline(always)]
pub(crate) fn null_to_empty(field: &str) -> &str {
    if field.len() == 6 && field == "(null)" {
        &field[..0]
    } else {
        field
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;

/// The 8 bytes `word` as a little-endian word (the first byte lowest).
#[inline(always)]
fn le(word: &[u8]) -> u64 {
    u64::from_le_bytes(word.try_into().unwrap_or_default())
}

/// The high bit of each byte of `word` that is `^` (exact: no false positives from borrows
/// between bytes). The one caret test of the splitters here and in [`crate::frame`].
#[inline(always)]
pub(crate) fn caret_mask(word: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = word ^ (ONES * u64::from(b'^'));
    // A byte of `x` is zero exactly where the word holds `^`.
    !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
}

/// Index (0..=8) of the first `^` of the word; 8 when there is none.
#[inline(always)]
fn first_caret(word: u64) -> usize {
    (caret_mask(word).trailing_zeros() / 8) as usize
}

/// Number (0..=8) of ASCII digits the word starts with. (A carry out of a byte only changes
/// bytes above a non-digit, so the lowest non-digit is exact.)
#[inline(always)]
fn digit_run(word: u64) -> usize {
    let hi = ONES * 0xf0;
    let tens = ONES * 0x30;
    let not_digit = ((word & hi) ^ tens) | ((word.wrapping_add(ONES * 6) & hi) ^ tens);
    (not_digit.trailing_zeros() / 8) as usize
}

/// The value of the last `n` (1..=8) digits of the first `n` bytes of `word` (ASCII digits,
/// first digit in the lowest byte): the digits are moved to the top and read eight at a time.
#[inline(always)]
fn digits_value(word: u64, n: usize) -> u64 {
    // Shifting in zero bytes puts leading zeros in front of the number.
    let v = word << (8 * (8 - n as u32));
    let v = ((v & (ONES * 0x0f)).wrapping_mul(10 << 8 | 1)) >> 8;
    let v = ((v & 0x00ff_00ff_00ff_00ff).wrapping_mul(100 << 16 | 1)) >> 16;
    ((v & 0x0000_ffff_0000_ffff).wrapping_mul(10_000 << 32 | 1)) >> 32
}

/// Powers of ten up to the 18 digits the fast path reads.
const POW10: [u64; 19] = {
    let mut p = [1u64; 19];
    let mut i = 1;
    while i < 19 {
        p[i] = p[i - 1] * 10;
        i += 1;
    }
    p
};

/// The run of ASCII digits at `b[at..]`: its value and length; `None` when it is empty or longer
/// than 18 digits (where the value could leave `i64`).
#[inline(always)]
fn digits(b: &[u8], at: usize) -> Option<(u64, usize)> {
    let mut value = 0u64;
    let mut n = 0;
    while let Some(word) = b.get(at + n..at + n + 8) {
        let word = le(word);
        let k = digit_run(word);
        if k == 0 {
            break;
        }
        value = value
            .wrapping_mul(POW10[k])
            .wrapping_add(digits_value(word, k));
        n += k;
        if k < 8 || n > 18 {
            return (n <= 18).then_some((value, n));
        }
    }
    // The last few bytes of the record, one at a time.
    while let Some(&c) = b.get(at + n) {
        let d = c.wrapping_sub(b'0');
        if d > 9 || n > 18 {
            break;
        }
        value = value.wrapping_mul(10).wrapping_add(u64::from(d));
        n += 1;
    }
    (n > 0 && n <= 18).then_some((value, n))
}

/// [`plain_number`] for the usual case, in straight-line code: the number and its end lie in
/// the 8 bytes at the start of `b` (or the number fills them and the 9th byte is `^` or the
/// end). `None` when that does not hold, or when the text is not a canonical plain number
/// (then [`plain_number`] decides).
#[inline(always)]
fn short_number(b: &[u8], fraction: bool) -> Option<Plain> {
    let word = le(b.get(..8)?);
    let negative = word & 0xff == u64::from(b'-');
    let sign = usize::from(negative);
    // The number without its sign; a shifted-in zero byte ends it.
    let w = word >> (8 * sign);
    let int_len = digit_run(w);
    // A leading zero is only canonical as the whole integer part.
    if int_len == 0 || (int_len > 1 && w & 0xff == u64::from(b'0')) {
        return None;
    }
    let int = digits_value(w, int_len);
    let mut len = int_len;
    let (mut mantissa, mut scale) = (int, 0);
    if fraction && int_len < 7 && (w >> (8 * int_len)) & 0xff == u64::from(b'.') {
        let f = w >> (8 * (int_len + 1));
        let frac_len = digit_run(f);
        if frac_len == 0 {
            return None;
        }
        mantissa = int * POW10[frac_len] + digits_value(f, frac_len);
        scale = frac_len as u32;
        len += 1 + frac_len;
    }
    // What follows: a `^` inside the word, or (number to the word's end) the next byte.
    let end = len + sign;
    let ends = if end < 8 {
        (word >> (8 * end)) & 0xff == u64::from(b'^')
    } else {
        matches!(b.get(8), None | Some(b'^'))
    };
    if !ends || (negative && mantissa == 0) {
        return None;
    }
    Some(Plain {
        mantissa,
        scale,
        negative,
        len: end,
    })
}

/// [`plain_number`] out of line (for numbers [`short_number`] does not take).
#[cold]
#[inline(never)]
fn long_number(b: &[u8], fraction: bool) -> Option<Plain> {
    plain_number(b, fraction)
}

/// A plain number the fast path may read: mantissa, scale, sign, and the length of its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Plain {
    mantissa: u64,
    scale: u32,
    negative: bool,
    len: usize,
}

/// A canonical plain number at the start of `b` that ends at a `^` or the end of `b`:
/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?` (the fraction only with `fraction`), at most 18 digits, not
/// negative zero. Anything else is `None` (and left to the general parser).
#[inline(always)]
fn plain_number(b: &[u8], fraction: bool) -> Option<Plain> {
    let negative = b.first() == Some(&b'-');
    let start = usize::from(negative);
    let (int, int_len) = digits(b, start)?;
    if int_len > 1 && b.get(start) == Some(&b'0') {
        return None; // leading zero: not canonical
    }
    let mut at = start + int_len;
    let (mut mantissa, mut scale) = (int, 0);
    if fraction && b.get(at) == Some(&b'.') {
        let (frac, frac_len) = digits(b, at + 1)?;
        if int_len + frac_len > 18 {
            return None;
        }
        // At most 18 digits in all: no overflow.
        mantissa = int * POW10[frac_len] + frac;
        scale = frac_len as u32;
        at += 1 + frac_len;
    }
    if !matches!(b.get(at), None | Some(b'^')) || (negative && mantissa == 0) {
        return None;
    }
    Some(Plain {
        mantissa,
        scale,
        negative,
        len: at,
    })
}

/// The `^`-separated fields of one record, in order, with the one `(null)` rule applied: the
/// one field splitter of this crate. Every field of every record the crate decodes comes from
/// here.
///
/// It is a cursor: the generated [`crate::Record::parse`] reads each column in layout order
/// with [`Fields::val`] (or [`Fields::int`] / [`Fields::decimal`]), so a record is decoded in
/// one pass over its text with no list of fields in between. As an iterator it yields the
/// fields' text. Like `str::split('^')`, an empty text has one (empty) field; reads past the
/// last field are [`Val::Missing`]. Field ends are found eight bytes at a time.
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    /// The text from the next field on; `None` once the last field was read.
    rest: Option<&'a str>,
}

/// The three two-digit numbers of `rest`'s first field when it is six ASCII digits followed by
/// a `^` (a time's shape; the caller checks the ranges).
#[inline(always)]
fn six_digits(rest: &str) -> Option<(u32, u32, u32)> {
    let word = rest.as_bytes().get(..8).map(le)?;
    if digit_run(word) != 6 || (word >> 48) & 0xff != u64::from(b'^') {
        return None;
    }
    let d = word.wrapping_sub(ONES * u64::from(b'0'));
    // Each byte of `d` is a digit 0–9 here: two of them make at most 99.
    let two = |i: u32| (((d >> (8 * i)) & 0xff) * 10 + ((d >> (8 * i + 8)) & 0xff)) as u32;
    Some((two(0), two(2), two(4)))
}

impl<'a> Fields<'a> {
    /// The fields of one record's text (`^`-separated, as received).
    #[inline]
    pub fn new(record: &'a str) -> Self {
        Fields { rest: Some(record) }
    }

    /// Reads the next field as a typed value with its type's parser ([`Val::parse`]):
    /// [`Val::Missing`] past the end of the record.
    #[inline]
    pub fn val<T: Wire>(&mut self) -> Val<T> {
        match self.next() {
            Some(s) => Val::parse(s),
            None => Val::Missing,
        }
    }

    /// Reads the next field as an integer: the same value as [`Fields::val`], read straight
    /// from the text when it is a canonical plain integer.
    #[inline]
    pub fn int(&mut self) -> Val<i64> {
        if let Some(rest) = self.rest {
            let b = rest.as_bytes();
            if let Some(p) = short_number(b, false).or_else(|| long_number(b, false)) {
                self.skip(rest, p.len);
                // At most 18 digits: fits in `i64`.
                let v = p.mantissa as i64;
                return Val::Ok(if p.negative { -v } else { v });
            }
        }
        self.general()
    }

    /// Reads the next field as a decimal: the same value as [`Fields::val`], read straight
    /// from the text when it is a canonical plain number.
    #[inline]
    pub fn decimal(&mut self) -> Val<Decimal> {
        if let Some(rest) = self.rest {
            let b = rest.as_bytes();
            if let Some(p) = short_number(b, true).or_else(|| long_number(b, true)) {
                self.skip(rest, p.len);
                // At most 18 digits: the mantissa fits in the low 64 of the 96 bits.
                let (lo, mid) = (p.mantissa as u32, (p.mantissa >> 32) as u32);
                return Val::Ok(Decimal::from_parts(lo, mid, 0, p.negative, p.scale));
            }
        }
        self.general()
    }

    /// Reads the next field as a time of day (`HHMMSS`): the same value as [`Fields::val`],
    /// read straight from the text when it is six digits of a valid time.
    #[inline]
    pub fn time(&mut self) -> Val<NaiveTime> {
        if let Some(rest) = self.rest {
            if let Some((h, m, s)) = six_digits(rest) {
                if let Some(t) = NaiveTime::from_hms_opt(h, m, s) {
                    self.skip(rest, 6);
                    return Val::Ok(t);
                }
            }
        }
        self.general()
    }

    /// Reads the next field as a KIS trading-day time (`HHMMSS`, hours up to 47): the same
    /// value as [`Fields::val`], read straight from the text when it is six digits of a valid
    /// [`KisTime`].
    #[inline]
    pub fn kis_time(&mut self) -> Val<KisTime> {
        if let Some(rest) = self.rest {
            if let Some((h, m, s)) = six_digits(rest) {
                if let Some(t) = KisTime::from_hms(h, m, s) {
                    self.skip(rest, 6);
                    return Val::Ok(t);
                }
            }
        }
        self.general()
    }

    /// Reads the next field as a date (`YYYYMMDD`): the same value as [`Fields::val`], read
    /// straight from the text when it is eight digits of a valid date.
    #[inline]
    pub fn date(&mut self) -> Val<NaiveDate> {
        if let Some(rest) = self.rest {
            let b = rest.as_bytes();
            if let Some(word) = b.get(..8).map(le) {
                if digit_run(word) == 8 && matches!(b.get(8), None | Some(b'^')) {
                    let d = word.wrapping_sub(ONES * u64::from(b'0'));
                    let at = |i: u32| ((d >> (8 * i)) & 0xff) as u32;
                    let year = at(0) * 1000 + at(1) * 100 + at(2) * 10 + at(3);
                    // At most 9999: fits in `i32`.
                    let date = NaiveDate::from_ymd_opt(
                        year as i32,
                        at(4) * 10 + at(5),
                        at(6) * 10 + at(7),
                    );
                    if let Some(date) = date {
                        self.skip(rest, 8);
                        return Val::Ok(date);
                    }
                }
            }
        }
        self.general()
    }

    /// [`Fields::val`] out of line: the fast reads' way out for text they do not take.
    #[cold]
    #[inline(never)]
    fn general<T: Wire>(&mut self) -> Val<T> {
        self.val()
    }

    /// Moves past a field of `len` bytes at the start of `rest` (followed by `^` or the end).
    #[inline(always)]
    fn skip(&mut self, rest: &'a str, len: usize) {
        self.rest = if len < rest.len() {
            // `rest[len]` is the ASCII `^`: `len + 1` is a char boundary.
            Some(rest.get(len + 1..).unwrap_or_default())
        } else {
            None
        };
    }

    /// Cuts `rest` at its `^` at byte `at`: the field before it; the text after it is next.
    #[inline(always)]
    fn cut(&mut self, rest: &'a str, at: usize) -> &'a str {
        // `^` is ASCII, so both cuts are on char boundaries and never fail.
        let (field, after) = rest.split_at_checked(at).unwrap_or((rest, ""));
        self.rest = Some(after.get(1..).unwrap_or_default());
        null_to_empty(field)
    }

    /// The field whose end is in the last (short) word of the text: byte by byte.
    #[cold]
    #[inline(never)]
    fn next_in_tail(&mut self, rest: &'a str, from: usize) -> &'a str {
        let tail = rest.as_bytes().get(from..).unwrap_or_default();
        match tail.iter().position(|&b| b == b'^') {
            Some(i) => self.cut(rest, from + i),
            None => {
                self.rest = None;
                null_to_empty(rest)
            }
        }
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        let bytes = rest.as_bytes();
        let mut at = 0;
        while let Some(word) = bytes.get(at..at + 8) {
            let i = first_caret(le(word));
            if i < 8 {
                return Some(self.cut(rest, at + i));
            }
            at += 8;
        }
        Some(self.next_in_tail(rest, at))
    }
}

impl std::iter::FusedIterator for Fields<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The reference: `str::split('^')` with the `(null)` rule.
    fn reference(record: &str) -> Vec<&str> {
        record.split('^').map(null_to_empty).collect()
    }

    #[test]
    fn word_helpers() {
        assert_eq!(first_caret(le(b"abc^e^gh")), 3);
        assert_eq!(first_caret(le(b"abcdefgh")), 8);
        assert_eq!(first_caret(le(b"^\x00\x01]_~\xff^")), 0);
        assert_eq!(digit_run(le(b"0123456x")), 7);
        assert_eq!(digit_run(le(b"98765432")), 8);
        assert_eq!(digit_run(le(b"/:\xfa9^^^^")), 0);
        assert_eq!(digit_run(le(b"1\xff\xff9^^^^")), 1);
        assert_eq!(digits_value(le(b"12345678"), 8), 12_345_678);
        assert_eq!(digits_value(le(b"1234^xyz"), 4), 1234);
        assert_eq!(digits_value(le(b"0000001x"), 7), 1);
    }

    #[test]
    fn plain_numbers_and_what_they_leave_to_the_general_parser() {
        let p = |s: &str, f| {
            plain_number(s.as_bytes(), f).map(|p| (p.mantissa, p.scale, p.negative, p.len))
        };
        assert_eq!(p("72023.83^x", true), Some((7_202_383, 2, false, 8)));
        assert_eq!(p("-0.14", true), Some((14, 2, true, 5)));
        assert_eq!(
            p("219853241700^1", false),
            Some((219_853_241_700, 0, false, 12))
        );
        assert_eq!(p("0", false), Some((0, 0, false, 1)));
        assert_eq!(
            p("999999999999999999", false),
            Some((999_999_999_999_999_999, 0, false, 18))
        );
        for s in [
            "",
            "^",
            "-",
            "-0",
            "-0.00",
            "00",
            "012",
            "1.",
            ".5",
            "1.2.3",
            "+1",
            " 1",
            "1 ",
            "1e5",
            "1234567890123456789",
            "(null)",
            "1x^",
            "0.1234567890123456789",
        ] {
            assert_eq!(p(s, true), None, "{s:?}");
        }
        assert_eq!(p("1.5", false), None);
        let short = |s: &str, f| {
            short_number(s.as_bytes(), f).map(|p| (p.mantissa, p.scale, p.negative, p.len))
        };
        assert_eq!(short("-0.14^123", true), Some((14, 2, true, 5)));
        assert_eq!(short("72023.83^", true), Some((7_202_383, 2, false, 8)));
        assert_eq!(short("72023.83", true), Some((7_202_383, 2, false, 8)));
        assert_eq!(short("-1234567^", false), Some((1_234_567, 0, true, 8)));
        assert_eq!(short("12345678x", false), None);
        assert_eq!(
            short("1^", false),
            None,
            "shorter than a word: left to plain_number"
        );
    }

    #[test]
    fn typed_reads_of_a_record() {
        let rec = "005930^093354^71900^5^-100^-0.14^^(null)^ 7^0012^x";
        let mut f = Fields::new(rec);
        assert_eq!(f.val::<String>().raw(), "005930");
        assert_eq!(f.time().get(), NaiveTime::from_hms_opt(9, 33, 54).as_ref());
        assert_eq!(
            Fields::new("260130^1").kis_time().get(),
            KisTime::from_hms(26, 1, 30).as_ref()
        );
        assert_eq!(Fields::new("480000^1").kis_time().raw(), "480000");
        assert!(Fields::new("480000^1").kis_time().is_invalid());
        assert_eq!(f.int(), Val::Ok(71_900));
        assert_eq!(f.int(), Val::Ok(5));
        assert_eq!(f.int(), Val::Ok(-100));
        assert_eq!(f.decimal(), Val::Ok(Decimal::new(-14, 2)));
        assert_eq!(f.int(), Val::Empty);
        assert_eq!(f.decimal(), Val::Empty);
        assert_eq!(f.int().raw(), " 7");
        assert_eq!(f.decimal().raw(), "0012");
        assert!(f.int().is_invalid());
        assert!(f.int().is_missing());
        assert!(f.decimal().is_missing());
        assert_eq!(Fields::new("").collect::<Vec<_>>(), [""]);
    }

    /// A field: mostly numbers of every shape (the fast path's domain and its edges), some text.
    fn field() -> impl Strategy<Value = String> {
        prop_oneof![
            "-?[0-9]{1,20}",
            "-?[0-9]{1,12}\\.[0-9]{0,12}",
            "[-+ .0-9]{0,8}",
            "[0-9]{6}",
            "[0-2][0-9][0-6][0-9][0-6][0-9]",
            "[2-5][0-9][0-6][0-9][0-6][0-9]",
            "[0-9]{8}",
            "[12][09][0-9][0-9][01][0-9][0-3][0-9]",
            Just("(null)".to_owned()),
            Just(String::new()),
            "\\PC{0,6}".prop_map(|s| s.replace('^', "")),
        ]
    }

    proptest! {
        #[test]
        fn the_splitter_agrees_with_str_split(s in "[0-9a^(nul).\u{c5d0}-]{0,70}") {
            prop_assert_eq!(Fields::new(&s).collect::<Vec<_>>(), reference(&s));
        }

        #[test]
        fn typed_reads_agree_with_the_general_parsers(
            fields in prop::collection::vec(field(), 0..12), reads in prop::collection::vec(0u8..6, 0..16),
        ) {
            let record = fields.join("^");
            let want = reference(&record);
            let mut f = Fields::new(&record);
            for (i, how) in reads.iter().enumerate() {
                let text = want.get(i).copied();
                fn parse<T: Wire>(s: Option<&str>) -> Val<T> {
                    s.map_or(Val::Missing, Val::parse)
                }
                // Values and wire texts (a `Decimal` compares equal across scales).
                match how {
                    0 => {
                        let (got, want) = (f.int(), parse(text));
                        prop_assert_eq!(got.raw(), want.raw());
                        prop_assert_eq!(got, want, "{:?}", text);
                    }
                    1 => {
                        let (got, want): (_, Val<Decimal>) = (f.decimal(), parse(text));
                        prop_assert_eq!(got.raw(), want.raw());
                        prop_assert_eq!(got.get().map(Decimal::scale), want.get().map(Decimal::scale));
                        prop_assert_eq!(got, want, "{:?}", text);
                    }
                    2 => prop_assert_eq!(f.time(), parse(text), "{:?}", text),
                    3 => prop_assert_eq!(f.date(), parse(text), "{:?}", text),
                    4 => prop_assert_eq!(f.kis_time(), parse(text), "{:?}", text),
                    _ => prop_assert_eq!(f.val::<String>(), parse(text), "{:?}", text),
                }
            }
        }

        #[test]
        fn the_short_path_agrees_with_the_general_one(s in "[-0-9.^x]{0,12}", fraction in any::<bool>()) {
            if let Some(p) = short_number(s.as_bytes(), fraction) {
                prop_assert_eq!(Some(p), plain_number(s.as_bytes(), fraction), "{:?}", s);
            }
        }

        #[test]
        fn typed_values_round_trip_to_their_wire_text(field in field()) {
            let want = null_to_empty(&field);
            let (int, decimal) = (Fields::new(&field).int(), Fields::new(&field).decimal());
            prop_assert_eq!(int.raw(), want);
            prop_assert_eq!(decimal.raw(), want);
            let time = Fields::new(&field).time();
            prop_assert_eq!(time.raw(), want);
            let date = Fields::new(&field).date();
            prop_assert_eq!(date.raw(), want);
            let kis_time = Fields::new(&field).kis_time();
            prop_assert_eq!(kis_time.raw(), want);
        }
    }
}
