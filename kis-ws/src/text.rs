//! [`Text`]: the string type of realtime record fields.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

use compact_str::CompactString;

/// The text of a realtime record field (codes, names, counts KIS sends as text).
///
/// Stored inline, without a heap allocation, up to 24 bytes, which holds every text field of
/// KIS's realtime layouts as sent (codes, times, short names); longer text is allocated. It
/// dereferences to `&str`. Decoding a record therefore allocates nothing for its text fields:
/// this is why the generated records use `Val<Text>` rather than `Val<String>` (see "Record
/// decoding and copies" in the crate docs).
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(CompactString);

impl Text {
    /// A text holding `s`.
    pub fn new(s: &str) -> Self {
        Text(CompactString::new(s))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text::new(s)
    }
}

impl From<Text> for String {
    fn from(t: Text) -> Self {
        t.0.into_string()
    }
}

impl kis_client::value::Wire for Text {
    fn parse_wire(s: &str) -> Option<Self> {
        Some(Text::new(s))
    }

    fn is_canonical(&self, _: &str) -> bool {
        true
    }

    fn to_wire(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kis_client::value::Val;

    #[test]
    fn text_values_round_trip_and_compare_as_str() {
        let v: Val<Text> = Val::parse("005930");
        assert_eq!(v.get().map(Text::as_str), Some("005930"));
        assert_eq!(v.raw(), "005930");
        assert_eq!(*v.get().unwrap(), "005930");
        let long = "가".repeat(40);
        let v: Val<Text> = Val::parse(&long);
        assert_eq!(v.raw(), long);
        assert_eq!(format!("{:?}", Text::new("a\"b")), "\"a\\\"b\"");
    }
}
