//! A trading account of the configured app key.

use std::fmt;

use crate::Kis;

/// One account (계좌): the 8-digit number and the 2-digit product code. `Debug` and `Display`
/// show it masked (`1234****-01`); the full number never appears in logs.
///
/// ```no_run
/// # async fn demo() -> Result<(), kis::Error> {
/// let kis = kis::Kis::simulator().await?;
/// let account = kis.account()?;
/// assert!(account.to_string().contains("****"));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Account {
    kis: Kis,
    id: kis_client::Account,
}

impl Account {
    pub(crate) fn new(kis: Kis, id: kis_client::Account) -> Account {
        Account { kis, id }
    }

    /// The account number as kis-client takes it (masked in `Debug`).
    pub fn id(&self) -> &kis_client::Account {
        &self.id
    }

    /// The masked number, `1234****-01`: what logs and journals' file names show.
    pub fn masked(&self) -> String {
        self.id.masked()
    }

    /// The handle this account belongs to.
    pub fn kis(&self) -> &Kis {
        &self.kis
    }
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id.masked())
    }
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Account").field(&self.id.masked()).finish()
    }
}
