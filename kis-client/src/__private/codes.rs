//! The behaviour every generated code-list enum shares (`crate::api::codes`), written once.

use std::borrow::Cow;

/// A generated code-list enum: a table of `(code, variant name, Korean label, retired)` and the
/// `Other` escape hatch.
pub trait CodeList: Sized + Clone + 'static {
    /// The enum's name (for errors).
    const NAME: &'static str;
    /// `(code, variant, label, retired)` per known variant, in variant order.
    const CODES: &'static [(&'static str, &'static str, &'static str, bool)];
    /// The known variants, in the order of [`CodeList::CODES`].
    const ALL: &'static [Self];
    /// The row of a known variant, or the `Other` code.
    fn index(&self) -> Result<usize, &str>;
    /// The `Other` variant holding `code`.
    fn other(code: &str) -> Self;

    /// The wire code.
    fn as_code_str(&self) -> &str {
        match self.index() {
            Ok(i) => Self::CODES.get(i).map_or("", |c| c.0),
            Err(s) => s,
        }
    }

    /// The value for a wire code (unknown codes become `Other`).
    fn from_code_str(code: &str) -> Self {
        match Self::CODES.iter().position(|c| c.0 == code) {
            Some(i) => Self::ALL
                .get(i)
                .cloned()
                .unwrap_or_else(|| Self::other(code)),
            None => Self::other(code),
        }
    }
}

/// A string that is neither a code, nor a variant name, nor a label of a code list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a code of {list}")]
pub struct UnknownCode {
    /// The code list (`OrderType`).
    pub list: &'static str,
    /// What was given.
    pub input: String,
}

/// Parses a code, an English variant name (any case) or a Korean label.
pub fn parse<T: CodeList>(s: &str) -> Result<T, UnknownCode> {
    let t = s.trim();
    let found = T::CODES
        .iter()
        .position(|c| c.0 == t)
        .or_else(|| T::CODES.iter().position(|c| c.1.eq_ignore_ascii_case(t)))
        .or_else(|| T::CODES.iter().position(|c| !c.2.is_empty() && c.2 == t));
    found
        .and_then(|i| T::ALL.get(i).cloned())
        .ok_or_else(|| UnknownCode {
            list: T::NAME,
            input: s.to_owned(),
        })
}

/// `Debug`: the variant name (`Limit`), or `Other("99")`.
pub fn debug_code<T: CodeList>(v: &T, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    match v.index() {
        Ok(i) => f.write_str(T::CODES.get(i).map_or("?", |c| c.1)),
        Err(code) => f.debug_tuple("Other").field(&code).finish(),
    }
}

/// `Wire` for response decoding: every non-empty string is a value (unknown codes are `Other`).
pub fn to_wire<T: CodeList>(v: &T) -> Cow<'_, str> {
    Cow::Borrowed(v.as_code_str())
}

/// Implements the public surface of a generated code-list enum from its [`CodeList`] table:
/// `as_code`, `label`, `from_code`, `is_known`, `Display`, `FromStr`, serde and `Wire`.
#[macro_export]
#[doc(hidden)]
macro_rules! code_list_impls {
    ($t:ident) => {
        impl $t {
            /// The code as sent on the wire.
            #[inline]
            pub fn as_code(&self) -> &str {
                $crate::__private::CodeList::as_code_str(self)
            }

            /// The Korean label from the KIS workbook (empty for `Other`).
            #[inline]
            pub fn label(&self) -> &'static str {
                match $crate::__private::CodeList::index(self) {
                    Ok(i) => <$t as $crate::__private::CodeList>::CODES
                        .get(i)
                        .map_or("", |c| c.2),
                    Err(_) => "",
                }
            }

            /// The value for a wire code; a code this release does not know becomes `Other`.
            #[inline]
            pub fn from_code(code: &str) -> Self {
                <$t as $crate::__private::CodeList>::from_code_str(code)
            }

            /// Whether this is a code the spec lists (not `Other`).
            #[inline]
            pub fn is_known(&self) -> bool {
                $crate::__private::CodeList::index(self).is_ok()
            }
        }

        // Debug, equality and hashing by the code: one table lookup instead of a derived
        // match per variant (222 enums; this keeps kis-client's compile time down).
        impl ::std::fmt::Debug for $t {
            #[inline]
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                $crate::__private::debug_code(self, f)
            }
        }

        impl ::std::cmp::PartialEq for $t {
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                self.as_code() == other.as_code()
            }
        }

        impl ::std::cmp::Eq for $t {}

        impl ::std::hash::Hash for $t {
            #[inline]
            fn hash<H: ::std::hash::Hasher>(&self, h: &mut H) {
                self.as_code().hash(h)
            }
        }

        impl ::std::fmt::Display for $t {
            /// `00 (지정가)`; an `Other` code alone.
            #[inline]
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                let label = self.label();
                if label.is_empty() {
                    f.write_str(self.as_code())
                } else {
                    write!(f, "{} ({})", self.as_code(), label)
                }
            }
        }

        impl ::std::str::FromStr for $t {
            type Err = $crate::__private::UnknownCode;
            /// Accepts the code, the English variant name (any case) or the Korean label.
            #[inline]
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $crate::__private::parse_code(s)
            }
        }

        impl ::serde::Serialize for $t {
            #[inline]
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_code())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $t {
            #[inline]
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                Ok(Self::from_code(&s))
            }
        }

        impl $crate::value::Wire for $t {
            #[inline]
            fn parse_wire(s: &str) -> Option<Self> {
                Some(Self::from_code(s))
            }

            #[inline]

            fn is_canonical(&self, _: &str) -> bool {
                true
            }

            #[inline]

            fn to_wire(&self) -> ::std::borrow::Cow<'_, str> {
                $crate::__private::code_to_wire(self)
            }
        }
    };
}
