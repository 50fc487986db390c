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
    /// An HTS ID, customer or user ID: printed masked (`ab****`).
    Id(&'a str),
    /// A person's name: printed masked (`김**`).
    Name(&'a str),
    /// Not sensitive: printed as is.
    Shown(&'a str),
}

impl fmt::Debug for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Masked::Secret("") => f.write_str("\"\""),
            Masked::Secret(_) => f.write_str("\"***\""),
            Masked::Account(s) => write!(f, "{:?}", mask_account(s)),
            Masked::Id(s) => write!(f, "{:?}", mask_id(s)),
            Masked::Name(s) => write!(f, "{:?}", mask_name(s)),
            Masked::Shown(s) => write!(f, "{s:?}"),
        }
    }
}

impl<'a> Masked<'a> {
    /// How a value under the wire name `key` is shown: the same rule the spec importer applies
    /// (`kis_spec::Sensitive::of`; a test keeps the two in step), for keys the spec does not
    /// list (a response's `extra`, a kept error body).
    pub fn by_key(key: &str, value: &'a str) -> Masked<'a> {
        match Sensitivity::of_key(key) {
            Some(Sensitivity::Secret) => Masked::Secret(value),
            Some(Sensitivity::Account) => Masked::Account(value),
            Some(Sensitivity::Id) => Masked::Id(value),
            Some(Sensitivity::Name) => Masked::Name(value),
            None => Masked::Shown(value),
        }
    }

    /// The masked text (without Debug quotes).
    pub fn text(&self) -> String {
        match self {
            Masked::Secret("") => String::new(),
            Masked::Secret(_) => "***".to_owned(),
            Masked::Account(s) => mask_account(s),
            Masked::Id(s) => mask_id(s),
            Masked::Name(s) => mask_name(s),
            Masked::Shown(s) => (*s).to_owned(),
        }
    }
}

/// The kind of a sensitive wire field, by its name (case-insensitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sensitivity {
    Secret,
    Account,
    Id,
    Name,
}

impl Sensitivity {
    /// The rule by wire name; `kis_spec::Sensitive::of` is the importer's copy (kept equal by
    /// `tests/secrets.rs`).
    pub(crate) fn of_key(key: &str) -> Option<Sensitivity> {
        const SECRET: &[&str] = &[
            "appkey",
            "appsecret",
            "secretkey",
            "access_token",
            "approval_key",
            "authorization",
            "personalseckey",
            "token",
            "acnt_pwd",
            "cust_rncno25",
        ];
        const ACCOUNT: &[&str] = &["cano", "acnt_no"];
        const ID: &[&str] = &["cust_id", "user_id", "hts_id", "htsid"];
        const NAME: &[&str] = &["acnt_name", "csac_name", "cust_name"];
        let n = key.trim().to_ascii_lowercase();
        let n = n.as_str();
        if SECRET.contains(&n) {
            Some(Sensitivity::Secret)
        } else if ACCOUNT.contains(&n) {
            Some(Sensitivity::Account)
        } else if ID.contains(&n) {
            Some(Sensitivity::Id)
        } else if NAME.contains(&n) {
            Some(Sensitivity::Name)
        } else {
            None
        }
    }
}

/// Masks an identifier: the first 2 characters of one of 6 or more stay, the rest become `*`;
/// shorter ones are masked entirely.
pub(crate) fn mask_id(s: &str) -> String {
    let n = s.chars().count();
    let keep = if n >= 6 { 2 } else { 0 };
    s.chars()
        .take(keep)
        .chain(std::iter::repeat_n('*', n - keep))
        .collect()
}

/// Masks a name: the first character stays, the rest become `*` (`김**`); a one-character
/// name is masked entirely.
pub(crate) fn mask_name(s: &str) -> String {
    let s = s.trim();
    let n = s.chars().count();
    let keep = usize::from(n >= 2);
    s.chars()
        .take(keep)
        .chain(std::iter::repeat_n('*', n - keep))
        .collect()
}

/// A JSON value with every sensitive key's value masked (by [`Sensitivity::of_key`]), at any
/// depth. Non-string values under a sensitive key are masked as their text.
pub(crate) fn mask_json(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(m) => Value::Object(mask_map(m)),
        Value::Array(a) => Value::Array(a.iter().map(mask_json).collect()),
        other => other.clone(),
    }
}

/// [`mask_json`] of an object.
pub(crate) fn mask_map(
    m: &serde_json::Map<String, serde_json::Value>,
) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::Value;
    m.iter()
        .map(|(k, v)| {
            let v = match (Sensitivity::of_key(k), v) {
                (None, v) => mask_json(v),
                (Some(_), Value::String(s)) => Value::String(Masked::by_key(k, s).text()),
                (Some(_), Value::Null) => Value::Null,
                (Some(_), v @ (Value::Object(_) | Value::Array(_))) => mask_json(v),
                (Some(_), v) => Value::String(Masked::by_key(k, &v.to_string()).text()),
            };
            (k.clone(), v)
        })
        .collect()
}

/// Shows a map (a response's `extra`) in `Debug` with sensitive keys masked.
#[doc(hidden)]
pub struct MaskedMap<'a>(pub &'a serde_json::Map<String, serde_json::Value>);

impl fmt::Debug for MaskedMap<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&mask_map(self.0), f)
    }
}

/// At most this many bytes of a response body are kept in an error.
pub(crate) const KEPT_BODY: usize = 2048;

/// A response body as an error keeps it: sensitive JSON values masked (a body that is not JSON
/// is kept only when it holds no `"key": "value"`-like text of a sensitive key), cut to
/// [`KEPT_BODY`] bytes at a character boundary.
pub(crate) fn kept_body(body: &str) -> String {
    let shown = match serde_json::from_str::<serde_json::Value>(body) {
        Ok(v) => mask_json(&v).to_string(),
        Err(_) => mask_loose(body),
    };
    cut(&shown, KEPT_BODY)
}

/// A text that is not valid JSON (cut short, malformed): each `"key"` of a sensitive name
/// hides the rest of the text.
fn mask_loose(body: &str) -> String {
    let mut end = body.len();
    for (i, _) in body.match_indices('"') {
        let rest = &body[i + 1..];
        if let Some(close) = rest.find('"') {
            if Sensitivity::of_key(&rest[..close]).is_some() {
                end = end.min(i + 1 + close + 1);
            }
        }
    }
    if end < body.len() {
        format!("{}: [masked]", &body[..end])
    } else {
        body.to_owned()
    }
}

/// `s` cut to at most `max` bytes at a character boundary, with `…` when cut.
pub(crate) fn cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
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

    /// The runtime rule (for keys the spec does not list) is the importer's rule.
    #[test]
    fn the_key_rule_is_the_importers() {
        let specs = kis_spec::load_dir(&kis_spec::workspace_spec_dir()).expect("specs");
        fn walk(
            fields: &[kis_spec::Field],
            names: &mut Vec<(String, Option<kis_spec::Sensitive>)>,
        ) {
            for f in fields {
                names.push((f.name.clone(), f.sensitive));
                walk(&f.fields, names);
            }
        }
        let mut names = Vec::new();
        for s in &specs {
            for fields in [&s.request.header, &s.request.query, &s.request.body] {
                walk(fields, &mut names);
            }
            walk(&s.response.header, &mut names);
            walk(&s.response.body, &mut names);
        }
        assert!(names.len() > 10_000);
        for (name, marked) in names {
            let ours = Sensitivity::of_key(&name).map(|k| format!("{k:?}"));
            let importer = kis_spec::Sensitive::of(&name).map(|k| format!("{k:?}"));
            assert_eq!(ours, importer, "{name}");
            // The spec's marks are the importer's rule (none added or lost by hand).
            if name != "tr_key" {
                assert_eq!(marked.map(|k| format!("{k:?}")), importer, "{name} marked");
            }
        }
    }

    #[test]
    fn ids_names_and_maps_are_masked() {
        assert_eq!(format!("{:?}", Masked::Id("hts1")), "\"****\"");
        assert_eq!(format!("{:?}", Masked::Id("myhtsid01")), "\"my*******\"");
        assert_eq!(format!("{:?}", Masked::Name("홍길동")), "\"홍**\"");
        let m: serde_json::Map<String, serde_json::Value> = serde_json::from_str(
            r#"{"CUST_ID":"myhtsid01","x":{"acnt_name":"홍길동","CANO":12345678},"appkey":"PSKEY"}"#,
        )
        .expect("json");
        let d = format!("{:?}", MaskedMap(&m));
        for leak in ["myhtsid01", "홍길동", "12345678", "PSKEY"] {
            assert!(!d.contains(leak), "{d}");
        }
        assert!(d.contains("1234****"), "{d}");
        let body = r#"{"rt_cd":"0","output":{"CANO":"12345678","ACNT_NAME":"홍길동"}}"#;
        let kept = kept_body(body);
        assert!(
            !kept.contains("12345678") && !kept.contains("홍길동"),
            "{kept}"
        );
        let broken = r#"{"rt_cd":"0","access_token":"eyJ0eXAi-SECRET"#;
        assert!(
            !kept_body(broken).contains("SECRET"),
            "{}",
            kept_body(broken)
        );
        let long = "가".repeat(2000);
        assert!(kept_body(&long).len() <= KEPT_BODY + 3);
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
