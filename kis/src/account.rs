//! A trading account of the configured app key.

use std::fmt;

use crate::ledger::{AccountKey, Drift, OrderId, OrderView, Side};
use crate::orders::{Order, OrderBuilder};
use crate::{Error, Kis};

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
    key: AccountKey,
}

impl Account {
    pub(crate) fn new(kis: Kis, id: kis_client::Account) -> Account {
        let key = AccountKey::parse(&format!("{}{}", id.cano(), id.product_code()))
            .expect("kis-client accounts are 8+2 digits");
        Account { kis, id, key }
    }

    /// The ledger's key of this account.
    pub fn key(&self) -> &AccountKey {
        &self.key
    }

    /// A buy order to build: `.limit(price)` or `.market()`, then `.submit()`.
    ///
    /// ```no_run
    /// # async fn demo(account: kis::Account) -> Result<(), kis::Error> {
    /// let order = account.buy("005930", 10).market().submit().await?;
    /// # Ok(()) }
    /// ```
    pub fn buy(&self, symbol: &str, qty: u64) -> OrderBuilder {
        OrderBuilder::new(self.clone(), symbol, Side::Buy, qty)
    }

    /// A sell order to build (see [`Account::buy`]).
    ///
    /// ```no_run
    /// # async fn demo(account: kis::Account) -> Result<(), kis::Error> {
    /// use rust_decimal_macros::dec;
    /// let order = account.sell("005930", 3).limit(dec!(71000)).submit().await?;
    /// # Ok(()) }
    /// ```
    pub fn sell(&self, symbol: &str, qty: u64) -> OrderBuilder {
        OrderBuilder::new(self.clone(), symbol, Side::Sell, qty)
    }

    /// Every order of the account the ledger knows: this process's, earlier processes' (from
    /// the journal) and orders placed elsewhere (HTS, another program), adopted from notices
    /// and inquiries. Reconciles the account first if this handle has not yet.
    ///
    /// ```no_run
    /// # async fn demo(account: kis::Account) -> Result<(), kis::Error> {
    /// for o in account.orders().await? {
    ///     println!("{} {:?} {} filled", o.id, o.state, o.filled);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn orders(&self) -> Result<Vec<OrderView>, Error> {
        let desk = self.kis.desk().await?;
        desk.ready(&self.key).await?;
        Ok(desk.orders(&self.key))
    }

    /// The handle of an order of this account by its local id.
    ///
    /// ```no_run
    /// # async fn demo(account: kis::Account) -> Result<(), kis::Error> {
    /// if let Some(order) = account.order(kis::ledger::OrderId(1)).await? {
    ///     println!("{:?}", order.state());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn order(&self, id: OrderId) -> Result<Option<Order>, Error> {
        let desk = self.kis.desk().await?;
        desk.ready(&self.key).await?;
        Ok(desk
            .view(&self.key, id)
            .map(|_| Order::new(desk.clone(), self.key.clone(), id)))
    }

    /// Symbols whose holding differs from what the ledger's fills imply, as the last
    /// comparison with the balance found them (journaled [`crate::ledger::Event::DriftObserved`]).
    /// Empty when positions agree. Quantities only (cash is not compared: fees and taxes make
    /// it inexact), domestic only (KIS's overseas balance has no today's bought/sold).
    ///
    /// Drift is measured from the holdings when the server day began (`hldg_qty -
    /// thdt_buyqty + thdt_sll_qty` of the day's first balance read, journaled), plus the
    /// ledger's bought − sold that day, against `hldg_qty`. The comparison runs at every
    /// reconciliation that starts the account, follows a notice gap, or finds the day's fills
    /// moved, and on [`Account::reconcile`]. Shares moved in before the day's first
    /// comparison are part of its start, not drift.
    ///
    /// ```no_run
    /// # async fn demo(account: kis::Account) -> Result<(), kis::Error> {
    /// for d in account.drift().await? {
    ///     eprintln!("{}: held {} but the fills imply {}", d.symbol, d.actual, d.expected);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn drift(&self) -> Result<Vec<Drift>, Error> {
        let desk = self.kis.desk().await?;
        desk.ready(&self.key).await?;
        Ok(desk.drift(&self.key))
    }

    /// Reconciles the account with KIS now: its executions of the day (every row recorded,
    /// orders whose outcome was unknown resolved), then the balance against the fills (see
    /// [`Account::drift`]). Returns the drifts after it. Nothing is sent but inquiries.
    ///
    /// ```no_run
    /// # async fn demo(account: kis::Account) -> Result<(), kis::Error> {
    /// let drift = account.reconcile().await?;
    /// assert!(drift.is_empty(), "positions agree with the fills: {drift:?}");
    /// # Ok(()) }
    /// ```
    pub async fn reconcile(&self) -> Result<Vec<Drift>, Error> {
        let desk = self.kis.desk().await?;
        desk.ready(&self.key).await?;
        crate::orders::feed::reconcile(&desk, &self.key, false, true).await?;
        Ok(desk.drift(&self.key))
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
