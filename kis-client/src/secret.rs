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

/// How generated types show a sensitive field in `Debug` (the spec marks which): secrets are
/// hidden entirely, account numbers masked (`1234****`, `1234****-01`). Used by generated code
/// only.
#[doc(hidden)]
pub enum Masked<'a> {
    /// A key, token or password: printed as `"***"` (`""` when empty).
    Secret(&'a str),
    /// An account number: printed masked.
    Account(&'a str),
    /// Not sensitive: printed as is.
    Shown(&'a str),
}

impl fmt::Debug for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Masked::Secret("") => f.write_str("\"\""),
            Masked::Secret(_) => f.write_str("\"***\""),
            Masked::Account(s) => write!(f, "{:?}", mask_account(s)),
            Masked::Shown(s) => write!(f, "{s:?}"),
        }
    }
}

/// Masks an account number: the first 4 characters of an 8-character (or longer) number stay,
/// the rest of it becomes `*`; a 2-digit product code (after `-`, or the last 2 of 10 digits)
/// stays. Shorter values are masked entirely.
pub(crate) fn mask_account(s: &str) -> String {
    let s = s.trim();
    let (main, product) = match s.split_once('-') {
        Some((a, b)) => (a, b),
        None if s.len() == 10 && s.bytes().all(|b| b.is_ascii_digit()) => s.split_at(8),
        None => (s, ""),
    };
    let n = main.chars().count();
    let mut out: String = if n >= 8 {
        main.chars()
            .take(4)
            .chain(std::iter::repeat_n('*', n - 4))
            .collect()
    } else {
        "*".repeat(n)
    };
    if !product.is_empty() {
        out.push('-');
        if product.len() <= 2 {
            out.push_str(product);
        } else {
            out.push_str(&"*".repeat(product.chars().count()));
        }
    }
    out
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

    #[test]
    fn masked_fields() {
        assert_eq!(format!("{:?}", Masked::Secret("PSKEY")), "\"***\"");
        assert_eq!(format!("{:?}", Masked::Secret("")), "\"\"");
        assert_eq!(format!("{:?}", Masked::Account("12345678")), "\"1234****\"");
        assert_eq!(
            format!("{:?}", Masked::Account("1234567801")),
            "\"1234****-01\""
        );
        assert_eq!(
            format!("{:?}", Masked::Account("12345678-01")),
            "\"1234****-01\""
        );
        assert_eq!(format!("{:?}", Masked::Account("123")), "\"***\"");
        assert_eq!(format!("{:?}", Masked::Account("")), "\"\"");
    }

    proptest! {
        #[test]
        fn masked_accounts_never_show_the_number(cano in "[0-9]{8}", prod in "[0-9]{2}", s in ".{0,20}") {
            for shown in [mask_account(&cano), mask_account(&format!("{cano}{prod}")), mask_account(&format!("{cano}-{prod}"))] {
                prop_assert!(!shown.contains(&cano), "{}", shown);
            }
            let _ = mask_account(&s);
        }

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
