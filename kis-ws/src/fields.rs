//! [`Fields`]: the one field splitter of realtime records; [`Columns`]: the cut record and the
//! typed reads the generated records decode with.
//!
//! A record is decoded in two steps. [`Columns::new`] cuts it: [`Fields`] builds a bit mask of
//! the `^` positions of 64 bytes at a time (SSE2 on x86-64, eight bytes at a time with integer
//! arithmetic elsewhere; a proptest compares the two) and takes every field's end from the
//! mask's lowest set bit. Then each generated `parse` reads its columns by index:
//! [`Columns::val`] for any [`Wire`] type (the type's own parser), and [`Columns::int`],
//! [`Columns::decimal`], [`Columns::time`], [`Columns::kis_time`] and [`Columns::date`] for
//! the numbers, times and dates that make up most of KIS's records. Those read a canonical
//! plain value (`-?(0|[1-9][0-9]*)(\.[0-9]+)?`, at most 18 digits) straight from the text, from
//! one 8-byte word (two for integers of 9 to 16 digits); any other text (a sign, leading zeros,
//! `(null)`, spaces, a long number, garbage) goes to the general parser of [`Val::parse`].
//! Both give the same value for every input (proptests below prove it), so the fast path is
//! invisible: values keep their wire text, and malformed fields are [`Val::Invalid`] with
//! their raw text.

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
/// between bytes). The portable caret test behind [`carets_at`].
#[inline(always)]
fn caret_mask(word: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = word ^ (ONES * u64::from(b'^'));
    // A byte of `x` is zero exactly where the word holds `^`.
    !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
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

/// The caret bits of one 8-byte word: bit `i` is set when byte `i` is `^`. (The high bits of
/// [`caret_mask`] gathered into one byte by a multiplication that moves the bit of byte `i`
/// to bit `56 + i`, with no carries between them.)
#[inline(always)]
fn word_carets(word: u64) -> u64 {
    ((caret_mask(word) >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

/// The caret bits of 64 bytes: bit `i` is set when `block[i]` is `^`. Eight bytes at a time
/// with [`word_carets`] (the portable build; x86-64 uses SSE2, and a test compares the two).
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
#[inline(always)]
fn block_carets_swar(block: &[u8; 64]) -> u64 {
    let mut bits = 0;
    for (i, word) in block.chunks_exact(8).enumerate() {
        bits |= word_carets(le(word)) << (8 * i);
    }
    bits
}

/// The caret bits of 64 bytes: bit `i` is set when `block[i]` is `^`. Sixteen bytes at a time
/// with SSE2, which every x86-64 processor has.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
#[allow(unsafe_code)]
fn block_carets(block: &[u8; 64]) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    let mut bits = 0;
    for (i, chunk) in block.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is enabled (the `cfg` above), `chunk` is 16 readable bytes, and an
        // unaligned load (`loadu`) has no alignment requirement.
        let mask = unsafe {
            let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
            _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'^' as i8)))
        };
        // `movemask` sets only the low 16 bits.
        bits |= u64::from(mask as u16) << (16 * i);
    }
    bits
}

/// The caret bits of 64 bytes (the portable build).
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
fn block_carets(block: &[u8; 64]) -> u64 {
    block_carets_swar(block)
}

/// The caret bits of the (up to) 64 bytes of `b` from `at`: bit `i` is set when `b[at + i]`
/// is `^`; bytes past the end are no carets. The one caret search of the crate: the field
/// splitter here and the record splitter in [`crate::frame`] both use it.
#[inline]
pub(crate) fn carets_at(b: &[u8], at: usize) -> u64 {
    if let Some(block) = b.get(at..at + 64).and_then(|block| block.try_into().ok()) {
        return block_carets(block);
    }
    // The last, short block: the 64 bytes that end the text, shifted down to `at`.
    match b.len().checked_sub(64) {
        Some(from) if from <= at => match b.get(from..).and_then(|block| block.try_into().ok()) {
            Some(block) => {
                let shift = u32::try_from(at - from).unwrap_or(u32::MAX);
                block_carets(block).checked_shr(shift).unwrap_or(0)
            }
            None => 0,
        },
        _ => short_carets(b.get(at..).unwrap_or_default()),
    }
}

/// [`carets_at`] for a text shorter than 64 bytes.
#[inline(never)]
fn short_carets(tail: &[u8]) -> u64 {
    let mut block = [0u8; 64];
    let n = tail.len().min(64);
    block[..n].copy_from_slice(&tail[..n]);
    block_carets(&block)
}

/// The next 64-byte block after the one at `base` that has a `^`: its offset and caret bits
/// (bits 0 when no `^` is left).
#[inline(never)]
fn next_block(b: &[u8], mut base: usize) -> (usize, u64) {
    let mut carets = 0;
    while carets == 0 && base + 64 < b.len() {
        base += 64;
        carets = carets_at(b, base);
    }
    (base, carets)
}

/// The bytes `b[start..end]` (1 to 8 of them) as a little-endian word, the first byte lowest
/// and zero bytes above the last.
#[inline(always)]
fn field_word(b: &[u8], start: usize, end: usize) -> u64 {
    let len = end - start;
    match end.checked_sub(8).and_then(|from| b.get(from..end)) {
        // The 8 bytes that end with the field, moved down so that the field comes first.
        Some(word) => le(word) >> (8 * (8 - len)),
        None => {
            let mut word = [0u8; 8];
            let field = b.get(start..end).unwrap_or_default();
            word[..field.len()].copy_from_slice(field);
            u64::from_le_bytes(word)
        }
    }
}

/// A plain number the fast path may read: mantissa, scale and sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Plain {
    mantissa: u64,
    scale: u32,
    negative: bool,
}

impl Plain {
    /// The number as an integer (its scale is 0).
    #[inline(always)]
    fn int(self) -> i64 {
        // At most 18 digits: fits in `i64`.
        let v = self.mantissa as i64;
        if self.negative { -v } else { v }
    }

    /// The number as a decimal.
    #[inline(always)]
    fn decimal(self) -> Decimal {
        // At most 18 digits: the mantissa fits in the low 64 of the 96 bits.
        let (lo, mid) = (self.mantissa as u32, (self.mantissa >> 32) as u32);
        Decimal::from_parts(lo, mid, 0, self.negative, self.scale)
    }
}

/// A canonical plain number that is the whole of the 1 to 8 bytes of `word` below the zero
/// bytes, `len` of them: `-?(0|[1-9][0-9]*)(\.[0-9]+)?` (the fraction only with `fraction`),
/// not negative zero. Anything else is `None` (and left to the general parser).
#[inline(always)]
fn short_number(word: u64, len: usize, fraction: bool) -> Option<Plain> {
    let negative = word & 0xff == u64::from(b'-');
    let sign = usize::from(negative);
    // The number without its sign; the zero bytes above the field end its digits.
    let w = word >> (8 * sign);
    let n = len - sign;
    let int_len = digit_run(w);
    // A leading zero is only canonical as the whole integer part.
    if int_len == 0 || (int_len > 1 && w & 0xff == u64::from(b'0')) {
        return None;
    }
    // The digits as one word: without the `.`, when there is a fraction.
    let (digits, count, scale) = if int_len == n {
        (w, n, 0)
    } else {
        // `int_len < n <= 8`: a `.` and at least one digit must follow.
        if !fraction || int_len + 1 >= n || (w >> (8 * int_len)) & 0xff != u64::from(b'.') {
            return None;
        }
        // `int_len <= 6` here: the shifts stay below 64.
        let int_bytes = (1u64 << (8 * int_len)) - 1;
        let joined = (w & int_bytes) | ((w >> 8) & !int_bytes);
        if digit_run(joined) != n - 1 {
            return None;
        }
        (joined, n - 1, n - int_len - 1)
    };
    let mantissa = digits_value(digits, count);
    if negative && mantissa == 0 {
        return None;
    }
    Some(Plain {
        mantissa,
        scale: scale as u32,
        negative,
    })
}

/// The plain number of the usual field: 1 to 8 bytes that do not lie within the text's first
/// 8 bytes. `None` for any other field (then [`other_number`] decides) and for text that is
/// not a canonical plain number. No calls: the typed reads' fast path stays a leaf.
#[inline(always)]
fn word_number(b: &[u8], start: usize, end: usize, fraction: bool) -> Option<Plain> {
    let len = end.wrapping_sub(start);
    if len.wrapping_sub(1) >= 8 {
        return None;
    }
    // The 8 bytes that end with the field, moved down so that the field comes first.
    let word = end.checked_sub(8).and_then(|from| b.get(from..end))?;
    short_number(le(word) >> (8 * (8 - len)), len, fraction)
}

/// The plain number of a field [`word_number`] does not take: one within the text's first 8
/// bytes, or one longer than 8 bytes.
#[inline(never)]
fn other_number(b: &[u8], start: usize, end: usize, fraction: bool) -> Option<Plain> {
    let len = end - start;
    if len <= 8 {
        return short_number(field_word(b, start, end), len, fraction);
    }
    if len <= 16 {
        // An integer of 9 to 16 bytes: its last eight digits, and a short number before them
        // that is not zero (a leading zero).
        let low = field_word(b, end - 8, end);
        if digit_run(low) == 8 {
            if let Some(high) = short_number(field_word(b, start, end - 8), len - 8, false) {
                if high.mantissa != 0 {
                    return Some(Plain {
                        mantissa: high.mantissa * 100_000_000 + digits_value(low, 8),
                        ..high
                    });
                }
            }
        }
    }
    plain_number(b.get(start..end)?, fraction)
}

/// A canonical plain number that is the whole of `field`: `-?(0|[1-9][0-9]*)(\.[0-9]+)?` (the
/// fraction only with `fraction`), at most 18 digits, not negative zero. Anything else is
/// `None` (and left to the general parser).
#[inline(always)]
fn plain_number(field: &[u8], fraction: bool) -> Option<Plain> {
    let negative = field.first() == Some(&b'-');
    let start = usize::from(negative);
    let (int, int_len) = digits(field, start)?;
    if int_len > 1 && field.get(start) == Some(&b'0') {
        return None; // leading zero: not canonical
    }
    let mut at = start + int_len;
    let (mut mantissa, mut scale) = (int, 0);
    if fraction && field.get(at) == Some(&b'.') {
        let (frac, frac_len) = digits(field, at + 1)?;
        if int_len + frac_len > 18 {
            return None;
        }
        // At most 18 digits in all: no overflow.
        mantissa = int * POW10[frac_len] + frac;
        scale = frac_len as u32;
        at += 1 + frac_len;
    }
    if at != field.len() || (negative && mantissa == 0) {
        return None;
    }
    Some(Plain {
        mantissa,
        scale,
        negative,
    })
}

/// The three two-digit numbers of a six-digit word (a time's shape; the caller checks the
/// ranges). `None` unless the word is six ASCII digits.
#[inline(always)]
fn six_digits(word: u64) -> Option<(u32, u32, u32)> {
    if digit_run(word) != 6 {
        return None;
    }
    let d = word.wrapping_sub(ONES * u64::from(b'0'));
    // Each byte of `d` is a digit 0–9 here: two of them make at most 99.
    let two = |i: u32| (((d >> (8 * i)) & 0xff) * 10 + ((d >> (8 * i + 8)) & 0xff)) as u32;
    Some((two(0), two(2), two(4)))
}

/// The `^`-separated fields of one record, in order, with the one `(null)` rule applied: the
/// one field splitter of this crate. Every field of every record the crate decodes comes from
/// here.
///
/// As an iterator it yields the fields' text. Like `str::split('^')`, an empty text has one
/// (empty) field. [`Fields::cut_into`] gives the fields' places instead ([`Columns::new`]).
///
/// The field ends come from a bit mask of the `^` positions of 64 bytes at a time; the next
/// end is the mask's lowest set bit. Finding a field's end therefore never waits for the
/// previous field's value to be read.
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    /// The record's text.
    text: &'a str,
    /// Where the next field starts; past the end of `text` once the last field was read.
    start: usize,
    /// The offset of the 64-byte block that `carets` describes.
    base: usize,
    /// The `^` bits of that block that lie at or after `start`.
    carets: u64,
}

impl<'a> Fields<'a> {
    /// The fields of one record's text (`^`-separated, as received).
    #[inline]
    pub fn new(record: &'a str) -> Self {
        Fields {
            text: record,
            start: 0,
            base: 0,
            carets: carets_at(record.as_bytes(), 0),
        }
    }

    /// The byte range of the next field, or `None` past the last one.
    #[inline(always)]
    fn bounds(&mut self) -> Option<(usize, usize)> {
        let (start, len) = (self.start, self.text.len());
        if start > len {
            return None;
        }
        if self.carets == 0 {
            (self.base, self.carets) = next_block(self.text.as_bytes(), self.base);
        }
        let end = if self.carets == 0 {
            len
        } else {
            let end = self.base + self.carets.trailing_zeros() as usize;
            self.carets &= self.carets - 1;
            end
        };
        // Past the end (`len + 1`) after the last field.
        self.start = end + 1;
        Some((start, end))
    }

    /// The text of the field at `start..end` with the `(null)` rule.
    #[inline(always)]
    fn text_of(&self, start: usize, end: usize) -> &'a str {
        null_to_empty(self.text.get(start..end).unwrap_or_default())
    }

    /// Cuts the next `cuts.len()` fields: each entry gets its field's place, or
    /// [`Cut::MISSING`] past the last field. Returns how many fields were found.
    ///
    /// One pass over the caret bit masks, with nothing else in the loop: this is where a typed
    /// record's field ends come from ([`Columns::new`]).
    #[inline]
    pub fn cut_into(&mut self, cuts: &mut [Cut]) -> usize {
        let b = self.text.as_bytes();
        if u32::try_from(b.len()).is_err() || self.start > b.len() {
            // Past the last field, or a text too long for `Cut` (never a KIS message).
            cuts.fill(Cut::MISSING);
            return 0;
        }
        let (mut start, mut base, mut carets) = (self.start, self.base, self.carets);
        for (found, cut) in cuts.iter_mut().enumerate() {
            if carets == 0 {
                (base, carets) = next_block(b, base);
                if carets == 0 {
                    // The last field; the rest are missing.
                    *cut = Cut {
                        start: start as u32,
                        end: b.len() as u32,
                    };
                    if let Some(rest) = cuts.get_mut(found + 1..) {
                        rest.fill(Cut::MISSING);
                    }
                    (self.start, self.base, self.carets) = (b.len() + 1, base, 0);
                    return found + 1;
                }
            }
            let end = base + carets.trailing_zeros() as usize;
            carets &= carets - 1;
            // Both at most the text's length, which fits in `u32` (checked above).
            *cut = Cut {
                start: start as u32,
                end: end as u32,
            };
            start = end + 1;
        }
        (self.start, self.base, self.carets) = (start, base, carets);
        cuts.len()
    }
}

/// Where one field lies in its record's text: bytes `start..end` (a `^` or the end of the
/// text follows), or [`Cut::MISSING`] for a field beyond the end of the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    start: u32,
    end: u32,
}

impl Cut {
    /// A field beyond the end of the record.
    pub const MISSING: Cut = Cut {
        start: u32::MAX,
        end: 0,
    };

    /// The byte range, or `None` for [`Cut::MISSING`].
    #[inline(always)]
    pub fn range(self) -> Option<std::ops::Range<usize>> {
        (self.start <= self.end).then_some(self.start as usize..self.end as usize)
    }
}

/// The first `N` fields of one record, cut once and then read by column index: what a
/// generated [`crate::Record::parse`] decodes from.
///
/// [`Columns::new`] finds every field's place first, in one pass ([`Fields::cut_into`]);
/// each typed read then depends only on its own field, so the reads of a record do not wait
/// for each other. [`Columns::val`] reads any [`Wire`] type with its own parser
/// ([`Val::parse`]); [`Columns::int`], [`Columns::decimal`], [`Columns::time`],
/// [`Columns::kis_time`] and [`Columns::date`] read a canonical plain value straight from the
/// text (one or two 8-byte words, no loop) and leave any other text (a sign, leading zeros,
/// `(null)`, spaces, a long number, garbage) to the general parser. Both give the same value
/// for every input (proptests below prove it), so the fast path is invisible: values keep
/// their wire text, and malformed fields are [`Val::Invalid`] with their raw text. Columns
/// beyond the end of the record are [`Val::Missing`]; fields beyond `N` are ignored.
#[derive(Debug, Clone)]
pub struct Columns<'a, const N: usize> {
    text: &'a str,
    cuts: [Cut; N],
}

impl<'a, const N: usize> Columns<'a, N> {
    /// Cuts the first `N` fields of one record's text (`^`-separated, as received).
    #[inline(never)]
    pub fn new(record: &'a str) -> Self {
        let mut columns = Columns {
            text: record,
            cuts: [Cut::MISSING; N],
        };
        Fields::new(record).cut_into(&mut columns.cuts);
        columns
    }

    /// The place of column `i` ([`Cut::MISSING`] past the record's end or past `N`).
    #[inline(always)]
    pub fn cut(&self, i: usize) -> Cut {
        self.cuts.get(i).copied().unwrap_or(Cut::MISSING)
    }

    /// The place of column `i`, by reference (the reads take it from memory, so the cuts
    /// stay one array).
    #[inline(always)]
    fn cut_ref(&self, i: usize) -> &Cut {
        self.cuts.get(i).unwrap_or(&Cut::MISSING)
    }

    /// The text of column `i` with the `(null)` rule; `None` past the record's end.
    #[inline(always)]
    pub fn text(&self, i: usize) -> Option<&'a str> {
        field_text(self.text, self.cut(i))
    }

    /// Column `i` as a typed value, read with its type's parser ([`Val::parse`]).
    #[inline(always)]
    pub fn val<T: Wire>(&self, i: usize) -> Val<T> {
        read_val(self.text, self.cut(i))
    }

    /// Column `i` as an integer: the same value as [`Columns::val`].
    #[inline(always)]
    pub fn int(&self, i: usize) -> Val<i64> {
        read_int(self.text, self.cut_ref(i))
    }

    /// Column `i` as a decimal: the same value as [`Columns::val`].
    #[inline(always)]
    pub fn decimal(&self, i: usize) -> Val<Decimal> {
        read_decimal(self.text, self.cut_ref(i))
    }

    /// Column `i` as a time of day (`HHMMSS`): the same value as [`Columns::val`].
    #[inline(always)]
    pub fn time(&self, i: usize) -> Val<NaiveTime> {
        read_time(self.text, self.cut_ref(i))
    }

    /// Column `i` as a KIS trading-day time (`HHMMSS`, hours up to 47): the same value as
    /// [`Columns::val`].
    #[inline(always)]
    pub fn kis_time(&self, i: usize) -> Val<KisTime> {
        read_kis_time(self.text, self.cut_ref(i))
    }

    /// Column `i` as a date (`YYYYMMDD`): the same value as [`Columns::val`].
    #[inline(always)]
    pub fn date(&self, i: usize) -> Val<NaiveDate> {
        read_date(self.text, self.cut_ref(i))
    }
}

/// The text of the field at `cut` with the `(null)` rule; `None` for a missing field.
#[inline(always)]
fn field_text(text: &str, cut: Cut) -> Option<&str> {
    Some(null_to_empty(text.get(cut.range()?).unwrap_or_default()))
}

/// [`Val::parse`] of the field at `cut`.
#[inline(never)]
fn read_val<T: Wire>(text: &str, cut: Cut) -> Val<T> {
    match field_text(text, cut) {
        Some(s) => Val::parse(s),
        None => Val::Missing,
    }
}

/// [`read_val`] out of line: the fast reads' way out for text they do not take.
#[cold]
#[inline(never)]
fn general<T: Wire>(text: &str, cut: Cut) -> Val<T> {
    read_val(text, cut)
}

/// An integer field: read straight from the text when it is a canonical plain integer.
#[inline(never)]
fn read_int(text: &str, cut: &Cut) -> Val<i64> {
    match word_number(text.as_bytes(), cut.start as usize, cut.end as usize, false) {
        Some(p) => Val::Ok(p.int()),
        None => read_int_other(text, cut),
    }
}

/// [`read_int`] of a field [`word_number`] does not take.
#[inline(never)]
fn read_int_other(text: &str, cut: &Cut) -> Val<i64> {
    let (start, end) = (cut.start as usize, cut.end as usize);
    if start < end {
        if let Some(p) = other_number(text.as_bytes(), start, end, false) {
            return Val::Ok(p.int());
        }
    }
    general(text, *cut)
}

/// A decimal field: read straight from the text when it is a canonical plain number.
#[inline(never)]
fn read_decimal(text: &str, cut: &Cut) -> Val<Decimal> {
    match word_number(text.as_bytes(), cut.start as usize, cut.end as usize, true) {
        Some(p) => Val::Ok(p.decimal()),
        None => read_decimal_other(text, cut),
    }
}

/// [`read_decimal`] of a field [`word_number`] does not take.
#[inline(never)]
fn read_decimal_other(text: &str, cut: &Cut) -> Val<Decimal> {
    let (start, end) = (cut.start as usize, cut.end as usize);
    if start < end {
        if let Some(p) = other_number(text.as_bytes(), start, end, true) {
            return Val::Ok(p.decimal());
        }
    }
    general(text, *cut)
}

/// The six digits of a 6-byte field (a time's shape).
#[inline(always)]
fn hms(text: &str, cut: &Cut) -> Option<(u32, u32, u32)> {
    let (start, end) = (cut.start as usize, cut.end as usize);
    if end.wrapping_sub(start) != 6 {
        return None;
    }
    six_digits(field_word(text.as_bytes(), start, end))
}

/// A time field: read straight from the text when it is six digits of a valid time.
#[inline(never)]
fn read_time(text: &str, cut: &Cut) -> Val<NaiveTime> {
    match hms(text, cut).and_then(|(h, m, s)| NaiveTime::from_hms_opt(h, m, s)) {
        Some(t) => Val::Ok(t),
        None => general(text, *cut),
    }
}

/// A KIS time field: read straight from the text when it is six digits of a valid
/// [`KisTime`].
#[inline(never)]
fn read_kis_time(text: &str, cut: &Cut) -> Val<KisTime> {
    match hms(text, cut).and_then(|(h, m, s)| KisTime::from_hms(h, m, s)) {
        Some(t) => Val::Ok(t),
        None => general(text, *cut),
    }
}

/// A date field: read straight from the text when it is eight digits of a valid date.
#[inline(never)]
fn read_date(text: &str, cut: &Cut) -> Val<NaiveDate> {
    let (start, end) = (cut.start as usize, cut.end as usize);
    if end.wrapping_sub(start) == 8 {
        let word = field_word(text.as_bytes(), start, end);
        if digit_run(word) == 8 {
            let d = word.wrapping_sub(ONES * u64::from(b'0'));
            let at = |i: u32| ((d >> (8 * i)) & 0xff) as u32;
            let year = at(0) * 1000 + at(1) * 100 + at(2) * 10 + at(3);
            // At most 9999: fits in `i32`.
            let date = NaiveDate::from_ymd_opt(year as i32, at(4) * 10 + at(5), at(6) * 10 + at(7));
            if let Some(date) = date {
                return Val::Ok(date);
            }
        }
    }
    general(text, *cut)
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let (start, end) = self.bounds()?;
        Some(self.text_of(start, end))
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
        assert_eq!(word_carets(le(b"abc^e^gh")), 0b0010_1000);
        assert_eq!(word_carets(le(b"abcdefgh")), 0);
        assert_eq!(word_carets(le(b"^\x00\x01]_~\xff^")), 0b1000_0001);
        assert_eq!(word_carets(le(b"^^^^^^^^")), 0xff);
        assert_eq!(field_word(b"12^345", 3, 6), 0x35_34_33);
        assert_eq!(field_word(b"0123456789^x", 2, 10), le(b"23456789"));
        assert_eq!(field_word(b"0123456789^x", 8, 10), 0x39_38);
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
        let p =
            |s: &str, f| plain_number(s.as_bytes(), f).map(|p| (p.mantissa, p.scale, p.negative));
        assert_eq!(p("72023.83", true), Some((7_202_383, 2, false)));
        assert_eq!(p("-0.14", true), Some((14, 2, true)));
        assert_eq!(p("219853241700", false), Some((219_853_241_700, 0, false)));
        assert_eq!(p("0", false), Some((0, 0, false)));
        assert_eq!(
            p("999999999999999999", false),
            Some((999_999_999_999_999_999, 0, false))
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
            "12^",
            "0.1234567890123456789",
        ] {
            assert_eq!(p(s, true), None, "{s:?}");
            assert_eq!(short(s, true), None, "{s:?}");
        }
        assert_eq!(p("1.5", false), None);
        assert_eq!(short("1.5", false), None);
        let short = |s: &str, f| short(s, f).map(|p| (p.mantissa, p.scale, p.negative));
        assert_eq!(short("-0.14", true), Some((14, 2, true)));
        assert_eq!(short("72023.83", true), Some((7_202_383, 2, false)));
        assert_eq!(short("-1234567", false), Some((1_234_567, 0, true)));
        assert_eq!(short("1", false), Some((1, 0, false)));
        assert_eq!(short("1234567x", false), None);
        assert_eq!(short("123.45x", true), None);
    }

    /// The number of a field as the typed reads find it: [`word_number`], else
    /// [`other_number`].
    fn number(b: &[u8], start: usize, end: usize, fraction: bool) -> Option<Plain> {
        if start == end {
            return None;
        }
        word_number(b, start, end, fraction).or_else(|| other_number(b, start, end, fraction))
    }

    /// [`short_number`] of a field of 1 to 8 bytes.
    fn short(s: &str, fraction: bool) -> Option<Plain> {
        let len = s.len();
        if !(1..=8).contains(&len) {
            return None;
        }
        short_number(field_word(s.as_bytes(), 0, len), len, fraction)
    }

    #[test]
    fn typed_reads_of_a_record() {
        let rec = "005930^093354^71900^5^-100^-0.14^^(null)^ 7^0012^x";
        let c = Columns::<13>::new(rec);
        assert_eq!(c.val::<String>(0).raw(), "005930");
        assert_eq!(c.time(1).get(), NaiveTime::from_hms_opt(9, 33, 54).as_ref());
        let one = |s| Columns::<1>::new(s);
        assert_eq!(
            one("260130^1").kis_time(0).get(),
            KisTime::from_hms(26, 1, 30).as_ref()
        );
        assert_eq!(one("480000^1").kis_time(0).raw(), "480000");
        assert!(one("480000^1").kis_time(0).is_invalid());
        assert_eq!(c.int(2), Val::Ok(71_900));
        assert_eq!(c.int(3), Val::Ok(5));
        assert_eq!(c.int(4), Val::Ok(-100));
        assert_eq!(c.decimal(5), Val::Ok(Decimal::new(-14, 2)));
        assert_eq!(c.int(6), Val::Empty);
        assert_eq!(c.decimal(7), Val::Empty);
        assert_eq!(c.text(7), Some(""));
        assert_eq!(c.int(8).raw(), " 7");
        assert_eq!(c.decimal(9).raw(), "0012");
        assert!(c.int(10).is_invalid());
        assert!(c.int(11).is_missing());
        assert!(c.decimal(12).is_missing());
        assert!(c.decimal(13).is_missing(), "beyond N");
        assert_eq!(c.text(11), None);
        assert_eq!(c.cut(11), Cut::MISSING);
        assert_eq!(c.cut(2).range(), Some(14..19));
        assert_eq!(Fields::new("").collect::<Vec<_>>(), [""]);
        // Extra fields beyond `N` are ignored; the last column ends at its own `^`.
        assert_eq!(Columns::<2>::new("a^b^c").text(1), Some("b"));
    }

    #[test]
    fn cut_into_counts_the_fields_it_found() {
        let mut cuts = [Cut::MISSING; 4];
        assert_eq!(Fields::new("a^^c").cut_into(&mut cuts), 3);
        assert_eq!(cuts[3], Cut::MISSING);
        assert_eq!(cuts[1].range(), Some(2..2));
        let mut f = Fields::new("a^b^c^d^e");
        assert_eq!(f.cut_into(&mut cuts[..2]), 2);
        assert_eq!(
            f.collect::<Vec<_>>(),
            ["c", "d", "e"],
            "the cursor goes on after the cut"
        );
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
        fn the_splitter_agrees_with_str_split(s in "[0-9a^(nul).\u{c5d0}-]{0,300}") {
            prop_assert_eq!(Fields::new(&s).collect::<Vec<_>>(), reference(&s));
        }

        #[test]
        fn typed_reads_agree_with_the_general_parsers(
            fields in prop::collection::vec(field(), 0..12), reads in prop::collection::vec(0u8..6, 0..16),
        ) {
            let record = fields.join("^");
            let want = reference(&record);
            let c = Columns::<16>::new(&record);
            for (i, how) in reads.iter().enumerate() {
                let text = want.get(i).copied();
                prop_assert_eq!(c.text(i), text);
                fn parse<T: Wire>(s: Option<&str>) -> Val<T> {
                    s.map_or(Val::Missing, Val::parse)
                }
                // Values and wire texts (a `Decimal` compares equal across scales).
                match how {
                    0 => {
                        let (got, want) = (c.int(i), parse(text));
                        prop_assert_eq!(got.raw(), want.raw());
                        prop_assert_eq!(got, want, "{:?}", text);
                    }
                    1 => {
                        let (got, want): (_, Val<Decimal>) = (c.decimal(i), parse(text));
                        prop_assert_eq!(got.raw(), want.raw());
                        prop_assert_eq!(got.get().map(Decimal::scale), want.get().map(Decimal::scale));
                        prop_assert_eq!(got, want, "{:?}", text);
                    }
                    2 => prop_assert_eq!(c.time(i), parse(text), "{:?}", text),
                    3 => prop_assert_eq!(c.date(i), parse(text), "{:?}", text),
                    4 => prop_assert_eq!(c.kis_time(i), parse(text), "{:?}", text),
                    _ => prop_assert_eq!(c.val::<String>(i), parse(text), "{:?}", text),
                }
            }
        }

        #[test]
        fn the_short_path_agrees_with_the_general_one(s in "[-0-9.x]{1,8}", fraction in any::<bool>()) {
            prop_assert_eq!(short(&s, fraction), plain_number(s.as_bytes(), fraction), "{:?}", s);
        }

        #[test]
        fn numbers_of_any_length_agree_with_the_general_path(s in "-?[0-9]{1,20}(\\.[0-9]{0,6})?|[-0-9.x]{1,20}", pad in "[0-9^]{0,9}", fraction in any::<bool>()) {
            // The field somewhere inside a longer text, as in a record.
            let text = format!("{pad}^{s}^{pad}");
            let start = pad.len() + 1;
            prop_assert_eq!(number(text.as_bytes(), start, start + s.len(), fraction), plain_number(s.as_bytes(), fraction), "{:?}", s);
        }

        #[test]
        fn the_sse2_and_portable_caret_tests_agree(s in prop::collection::vec(prop_oneof![Just(b'^'), any::<u8>()], 64)) {
            let block: &[u8; 64] = s.as_slice().try_into().unwrap();
            prop_assert_eq!(block_carets(block), block_carets_swar(block));
        }

        #[test]
        fn caret_bits_mark_every_caret(s in prop::collection::vec(prop_oneof![Just(b'^'), any::<u8>()], 0..200), at in 0usize..200) {
            let bits = carets_at(&s, at);
            for i in 0..64 {
                let want = s.get(at + i) == Some(&b'^');
                prop_assert_eq!(bits >> i & 1 == 1, want, "byte {}", at + i);
            }
        }

        #[test]
        fn field_words_hold_the_field(s in "[0-9^x]{0,20}", a in 0usize..20, n in 1usize..=8) {
            if a + n <= s.len() {
                let want = s.as_bytes()[a..a + n].iter().rev().fold(0u64, |w, &b| w << 8 | u64::from(b));
                prop_assert_eq!(field_word(s.as_bytes(), a, a + n), want);
            }
        }

        #[test]
        fn typed_values_round_trip_to_their_wire_text(field in field()) {
            let want = null_to_empty(&field);
            let c = Columns::<1>::new(&field);
            let (int, decimal, time) = (c.int(0), c.decimal(0), c.time(0));
            let (date, kis_time) = (c.date(0), c.kis_time(0));
            prop_assert_eq!(int.raw(), want);
            prop_assert_eq!(decimal.raw(), want);
            prop_assert_eq!(time.raw(), want);
            prop_assert_eq!(date.raw(), want);
            prop_assert_eq!(kis_time.raw(), want);
        }
    }
}
