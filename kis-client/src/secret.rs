//! Redacting wrappers for secrets (app key/secret, tokens, approval keys) and account numbers.

use std::fmt;

/// A secret string whose `Debug` and `Display` print `***`.
///
/// Use [`Secret::expose`] to read the value where it is genuinely needed (request headers).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is empty (or whitespace only).
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A websocket approval key from `/oauth2/Approval`; redacted in `Debug`/`Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct ApprovalKey(Secret);

impl ApprovalKey {
    /// Wraps an approval key.
    pub fn new(value: impl Into<String>) -> Self {
        Self(Secret::new(value))
    }

    /// The key, for the websocket subscribe header. Never log it.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl fmt::Debug for ApprovalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApprovalKey(***)")
    }
}

impl fmt::Display for ApprovalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A KIS account number: 8-digit `CANO` plus 2-digit product code (`ACNT_PRDT_CD`).
///
/// `Debug` and `Display` mask the middle digits (`1234****-01`).
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    cano: String,
    product: String,
}

impl Account {
    /// Parses `12345678-01` or `1234567801`.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let (cano, product) = match s.split_once('-') {
            Some((a, b)) => (a, b),
            None if s.len() == 10 => (s.get(..8)?, s.get(8..)?),
            None => return None,
        };
        Self::from_parts(cano, product)
    }

    /// Builds an account from the 8-digit number and the 2-digit product code.
    pub fn from_parts(cano: &str, product: &str) -> Option<Self> {
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        (digits(cano, 8) && digits(product, 2)).then(|| Self {
            cano: cano.to_owned(),
            product: product.to_owned(),
        })
    }

    /// The 8-digit account number (`CANO`). Never log it.
    pub fn cano(&self) -> &str {
        &self.cano
    }

    /// The 2-digit product code (`ACNT_PRDT_CD`).
    pub fn product_code(&self) -> &str {
        &self.product
    }

    /// The masked form, `1234****-01`.
    pub fn masked(&self) -> String {
        format!("{}****-{}", &self.cano[..4], self.product)
    }
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Account({})", self.masked())
    }
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn secret_is_redacted() {
        let s = Secret::new("PSabcdefSECRET");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(s.to_string(), "***");
        assert_eq!(s.expose(), "PSabcdefSECRET");
        let k = ApprovalKey::new("approval-123");
        assert!(!format!("{k:?}{k}").contains("approval-123"));
    }

    #[test]
    fn account_forms() {
        let a = Account::parse("12345678-01").expect("dashed form");
        assert_eq!((a.cano(), a.product_code()), ("12345678", "01"));
        assert_eq!(Account::parse("1234567801"), Some(a.clone()));
        assert_eq!(format!("{a:?}"), "Account(1234****-01)");
        assert_eq!(a.to_string(), "1234****-01");
        for bad in [
            "1234567-01",
            "123456789-01",
            "12345678-1",
            "1234567a-01",
            "",
            "12345678",
            "12345678-01-",
        ] {
            assert!(Account::parse(bad).is_none(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn account_parse_never_panics_and_masks(s in ".{0,16}") {
            if let Some(a) = Account::parse(&s) {
                prop_assert_eq!(a.cano().len(), 8);
                prop_assert!(!a.to_string().contains(a.cano()));
            }
        }

        #[test]
        fn valid_accounts_roundtrip(cano in "[0-9]{8}", prod in "[0-9]{2}") {
            let a = Account::parse(&format!("{cano}-{prod}")).expect("valid");
            prop_assert_eq!(Account::parse(&format!("{cano}{prod}")), Some(a.clone()));
            let shown = format!("{a:?}");
            prop_assert!(!shown.contains(&cano));
        }
    }
}
