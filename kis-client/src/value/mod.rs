//! Typed values: how KIS's all-string wire values are read and written back.
//!
//! KIS sends every value as a JSON string. [`Val<T>`] reads one: an empty string is
//! [`Val::Empty`], a value that parses is [`Val::Ok`] (or [`Val::Kept`] when its wire text is not
//! the canonical rendering, e.g. `"+0012.50"`), and a value that does not parse is
//! [`Val::Invalid`] with its raw text. Decoding never fails because of a value, and writing a
//! value back always yields the original string. (The few JSON numbers KIS sends, such as
//! `tokenP`'s `expires_in`, are read by their text and written back as numbers.) Times are
//! [`KisTime`]: night sessions count past 24:00.

mod block;
pub(crate) mod decode;
mod time;

pub use block::{Block, Map, Object, One, Report};
pub use chrono::{NaiveDate, NaiveTime};
pub use rust_decimal::Decimal;
pub use time::KisTime;

use std::borrow::Cow;
use std::fmt;

/// A type read from and written to KIS's string wire format.
pub trait Wire: Sized {
    /// Parses the wire text (never empty); `None` when it is not a valid value.
    fn parse_wire(s: &str) -> Option<Self>;
    /// Whether [`Wire::to_wire`] of this value renders exactly `s` (so `s` need not be kept).
    fn is_canonical(&self, s: &str) -> bool;
    /// The canonical wire text of this value.
    fn to_wire(&self) -> Cow<'_, str>;
    /// Parses and says whether `s` is canonical in one step (types with a faster combined
    /// path override it).
    fn parse_checked(s: &str) -> Option<(Self, bool)> {
        let v = Self::parse_wire(s)?;
        let canonical = v.is_canonical(s);
        Some((v, canonical))
    }
}

/// One typed wire value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Val<T> {
    /// The field was absent (from a JSON object, or beyond the end of a realtime record).
    #[default]
    Missing,
    /// The field was the empty string.
    Empty,
    /// The field parsed, and its wire text is the canonical rendering of the value.
    Ok(T),
    /// The field parsed, but its wire text differs from the canonical rendering (kept verbatim).
    Kept(T, Box<str>),
    /// The field did not parse; its raw text is kept.
    Invalid(Box<str>),
}

impl<T: Wire> Val<T> {
    /// Reads one wire value. Does not allocate for empty or canonical values.
    #[inline]
    pub fn parse(s: &str) -> Self {
        if s.is_empty() {
            return Val::Empty;
        }
        match T::parse_checked(s) {
            Some((v, true)) => Val::Ok(v),
            Some((v, false)) => Val::Kept(v, s.into()),
            None => Val::Invalid(s.into()),
        }
    }

    /// Reads one owned wire value, reusing its allocation when the raw text must be kept.
    pub fn parse_owned(s: String) -> Self {
        if s.is_empty() {
            return Val::Empty;
        }
        match T::parse_checked(&s) {
            Some((v, true)) => Val::Ok(v),
            Some((v, false)) => Val::Kept(v, s.into_boxed_str()),
            None => Val::Invalid(s.into_boxed_str()),
        }
    }

    /// The wire text exactly as received (`""` for missing and empty values).
    pub fn raw(&self) -> Cow<'_, str> {
        match self {
            Val::Missing | Val::Empty => Cow::Borrowed(""),
            Val::Ok(v) => v.to_wire(),
            Val::Kept(_, raw) | Val::Invalid(raw) => Cow::Borrowed(raw),
        }
    }
}

impl<T> Val<T> {
    /// The typed value, if the field was present, non-empty and valid.
    pub fn get(&self) -> Option<&T> {
        match self {
            Val::Ok(v) | Val::Kept(v, _) => Some(v),
            _ => None,
        }
    }

    /// The typed value by value, if the field was present, non-empty and valid.
    pub fn into_inner(self) -> Option<T> {
        match self {
            Val::Ok(v) | Val::Kept(v, _) => Some(v),
            _ => None,
        }
    }

    /// True when the field was present but did not parse.
    pub fn is_invalid(&self) -> bool {
        matches!(self, Val::Invalid(_))
    }

    /// The raw text of a value that did not parse.
    pub fn invalid_raw(&self) -> Option<&str> {
        match self {
            Val::Invalid(raw) => Some(raw),
            _ => None,
        }
    }

    /// True when the field was absent.
    pub fn is_missing(&self) -> bool {
        matches!(self, Val::Missing)
    }

    /// True when the field was absent or the empty string.
    pub fn is_empty(&self) -> bool {
        matches!(self, Val::Missing | Val::Empty)
    }
}

impl<T: Wire> serde::Serialize for Val<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw())
    }
}

impl<'de, T: Wire> serde::Deserialize<'de> for Val<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <Cow<'de, str>>::deserialize(d)?;
        Ok(match s {
            Cow::Borrowed(s) => Val::parse(s),
            Cow::Owned(s) => Val::parse_owned(s),
        })
    }
}

impl<T: Wire + fmt::Display> fmt::Display for Val<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Val::Ok(v) => v.fmt(f),
            other => f.write_str(&other.raw()),
        }
    }
}

impl Wire for String {
    fn parse_wire(s: &str) -> Option<Self> {
        Some(s.to_owned())
    }
    fn is_canonical(&self, _: &str) -> bool {
        true
    }
    fn to_wire(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

/// True when `s` is `0` or an optional `-` followed by digits without a leading zero.
fn canonical_int(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let b = digits.as_bytes();
    !b.is_empty()
        && b.iter().all(u8::is_ascii_digit)
        && (b.len() == 1 || b[0] != b'0')
        && !(digits.len() < s.len() && b == b"0")
}

/// The fast path for plain numbers `-?[0-9]+(\.[0-9]+)?` of at most 18 digits: mantissa,
/// scale, sign, and whether the text is canonical. `None` means "use the general parser".
fn fast_number(s: &str) -> Option<(u64, u32, bool, bool)> {
    let b = s.as_bytes();
    let (neg, digits) = match b.split_first()? {
        (b'-', rest) => (true, rest),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    let mut mantissa: u64 = 0;
    // Index of the `.`, if any (`usize::MAX` while none has been seen).
    let mut dot = usize::MAX;
    for (i, &c) in digits.iter().enumerate() {
        let d = c.wrapping_sub(b'0');
        if d < 10 {
            mantissa = mantissa * 10 + u64::from(d);
        } else if c == b'.' && dot == usize::MAX && i > 0 && i + 1 < digits.len() {
            dot = i;
        } else {
            return None;
        }
    }
    let (int_len, scale) = if dot == usize::MAX {
        (digits.len(), 0)
    } else {
        (dot, digits.len() - dot - 1)
    };
    if int_len + scale > 18 {
        return None;
    }
    let leading_zero = int_len > 1 && digits[0] == b'0';
    let negative_zero = neg && mantissa == 0;
    let canonical = !leading_zero && !negative_zero;
    // `scale` is at most 18 here.
    Some((mantissa, scale as u32, neg, canonical))
}

impl Wire for i64 {
    fn parse_checked(s: &str) -> Option<(Self, bool)> {
        match fast_number(s) {
            Some((m, 0, neg, canonical)) => {
                // At most 18 digits: fits in i64.
                let v = m as i64;
                Some((if neg { -v } else { v }, canonical))
            }
            Some(_) => None, // has a fraction
            None => Self::parse_wire(s).map(|v| (v, canonical_int(s))),
        }
    }
    fn parse_wire(s: &str) -> Option<Self> {
        s.trim().parse().ok()
    }
    fn is_canonical(&self, s: &str) -> bool {
        canonical_int(s)
    }
    fn to_wire(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }
}

impl Wire for Decimal {
    fn parse_checked(s: &str) -> Option<(Self, bool)> {
        match fast_number(s) {
            Some((m, scale, neg, canonical)) => {
                // At most 18 digits: the mantissa fits in the low 64 of the 96 bits.
                let d = Decimal::from_parts(m as u32, (m >> 32) as u32, 0, neg, scale);
                Some((d, canonical))
            }
            None => {
                let v = Self::parse_wire(s)?;
                let canonical = v.is_canonical(s);
                Some((v, canonical))
            }
        }
    }

    fn parse_wire(s: &str) -> Option<Self> {
        let t = s.trim();
        // `Decimal::from_str` accepts `_` separators and a bare `.`; KIS never means those.
        if t.bytes()
            .any(|b| !(b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+'))
        {
            return None;
        }
        t.parse().ok()
    }
    fn is_canonical(&self, s: &str) -> bool {
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (s, None),
        };
        if !canonical_int(int) && int != "-0" {
            return false;
        }
        if let Some(f) = frac {
            if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
                return false;
            }
        }
        // Negative zero (`-0`, `-0.00`) renders without its sign: compare the rendering.
        if s.starts_with('-') && self.is_zero() {
            return self.to_string() == s;
        }
        !(int == "-0" && frac.is_none())
    }
    fn to_wire(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }
}

fn digits<const N: usize>(s: &str) -> Option<[u32; N]> {
    let b = s.as_bytes();
    if b.len() != N {
        return None;
    }
    let mut out = [0; N];
    for (o, c) in out.iter_mut().zip(b) {
        if !c.is_ascii_digit() {
            return None;
        }
        *o = u32::from(c - b'0');
    }
    Some(out)
}

impl Wire for NaiveDate {
    /// `YYYYMMDD`.
    fn parse_wire(s: &str) -> Option<Self> {
        let d = digits::<8>(s)?;
        let year = d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3];
        NaiveDate::from_ymd_opt(
            i32::try_from(year).ok()?,
            d[4] * 10 + d[5],
            d[6] * 10 + d[7],
        )
    }
    fn is_canonical(&self, _: &str) -> bool {
        true
    }
    fn to_wire(&self) -> Cow<'_, str> {
        Cow::Owned(self.format("%Y%m%d").to_string())
    }
}

impl Wire for NaiveTime {
    /// `HHMMSS` (`240000` and 4-digit times are invalid and kept raw).
    fn parse_wire(s: &str) -> Option<Self> {
        let d = digits::<6>(s)?;
        NaiveTime::from_hms_opt(d[0] * 10 + d[1], d[2] * 10 + d[3], d[4] * 10 + d[5])
    }
    fn is_canonical(&self, _: &str) -> bool {
        true
    }
    fn to_wire(&self) -> Cow<'_, str> {
        Cow::Owned(self.format("%H%M%S").to_string())
    }
}

impl Wire for bool {
    /// `Y` / `N`.
    fn parse_wire(s: &str) -> Option<Self> {
        match s {
            "Y" => Some(true),
            "N" => Some(false),
            _ => None,
        }
    }
    fn is_canonical(&self, _: &str) -> bool {
        true
    }
    fn to_wire(&self) -> Cow<'_, str> {
        Cow::Borrowed(if *self { "Y" } else { "N" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn round<T: Wire>(s: &str) -> String {
        Val::<T>::parse(s).raw().into_owned()
    }

    #[test]
    fn empty_is_none_and_invalid_is_kept() {
        assert_eq!(Val::<i64>::parse(""), Val::Empty);
        assert_eq!(Val::<i64>::parse("").get(), None);
        let v = Val::<i64>::parse("12a");
        assert!(v.is_invalid());
        assert_eq!(v.invalid_raw(), Some("12a"));
        assert_eq!(v.raw(), "12a");
    }

    #[test]
    fn numbers_keep_their_original_text() {
        assert_eq!(Val::<i64>::parse("123"), Val::Ok(123));
        assert_eq!(Val::<i64>::parse("-5"), Val::Ok(-5));
        assert!(matches!(Val::<i64>::parse("+0012"), Val::Kept(12, _)));
        assert_eq!(round::<i64>("+0012"), "+0012");
        assert_eq!(round::<i64>("-0"), "-0");
        let d = Val::<Decimal>::parse("+0012.50");
        assert_eq!(d.get().map(|d| d.to_string()), Some("12.50".to_owned()));
        assert_eq!(d.raw(), "+0012.50");
        assert!(matches!(Val::<Decimal>::parse("12.50"), Val::Ok(_)));
        assert!(matches!(Val::<Decimal>::parse("-0.5"), Val::Ok(_)));
        for s in ["-0.00", "-0", ".5", "5.", "0012", " 1", "1e5", "1_000"] {
            assert_eq!(round::<Decimal>(s), s);
        }
        assert!(Val::<Decimal>::parse("1_000").is_invalid());
    }

    #[test]
    fn dates_times_flags() {
        assert_eq!(
            Val::<NaiveDate>::parse("20260625").get(),
            NaiveDate::from_ymd_opt(2026, 6, 25).as_ref()
        );
        assert!(Val::<NaiveDate>::parse("20261301").is_invalid());
        assert_eq!(
            Val::<NaiveTime>::parse("153000").get(),
            NaiveTime::from_hms_opt(15, 30, 0).as_ref()
        );
        assert!(Val::<NaiveTime>::parse("240000").is_invalid());
        assert_eq!(round::<NaiveTime>("240000"), "240000");
        assert!(Val::<NaiveTime>::parse("1530").is_invalid());
        assert_eq!(Val::<bool>::parse("Y"), Val::Ok(true));
        assert_eq!(Val::<bool>::parse("N"), Val::Ok(false));
        assert!(Val::<bool>::parse("y").is_invalid());
    }

    #[test]
    fn serde_writes_the_original_string() {
        let v: Val<Decimal> = serde_json::from_str("\"007.10\"").unwrap();
        assert_eq!(serde_json::to_string(&v).unwrap(), "\"007.10\"");
        let v: Val<i64> = serde_json::from_str("\"\"").unwrap();
        assert_eq!(v, Val::Empty);
    }

    proptest! {
        #[test]
        fn any_string_round_trips(s in "\\PC{0,12}") {
            prop_assert_eq!(round::<i64>(&s), s.clone());
            prop_assert_eq!(round::<Decimal>(&s), s.clone());
            prop_assert_eq!(round::<NaiveDate>(&s), s.clone());
            prop_assert_eq!(round::<NaiveTime>(&s), s.clone());
            prop_assert_eq!(round::<bool>(&s), s.clone());
            prop_assert_eq!(round::<String>(&s), s);
        }

        #[test]
        fn numeric_strings_round_trip(s in "[+-]?[0-9]{0,20}(\\.[0-9]{0,8})?") {
            prop_assert_eq!(round::<i64>(&s), s.clone());
            prop_assert_eq!(round::<Decimal>(&s), s);
        }

        #[test]
        fn fast_path_agrees_with_the_general_parsers(s in "-?[0-9]{1,18}(\\.[0-9]{1,6})?") {
            let (d, canonical) = Decimal::parse_checked(&s).expect("a number");
            prop_assert_eq!(Some(d), s.parse::<Decimal>().ok());
            if canonical {
                prop_assert_eq!(d.to_wire(), s.as_str());
            }
            match i64::parse_checked(&s) {
                Some((n, canonical)) => {
                    prop_assert_eq!(Some(n), s.parse::<i64>().ok());
                    if canonical {
                        prop_assert_eq!(n.to_string(), s.clone());
                    }
                }
                None => prop_assert!(s.contains('.') || s.parse::<i64>().is_err()),
            }
        }

        #[test]
        fn integers_parse(n in any::<i64>()) {
            prop_assert_eq!(Val::<i64>::parse(&n.to_string()), Val::Ok(n));
        }
    }
}
