//! [`Order`]: a handle on one order of the ledger.

use std::sync::Arc;
use std::time::Duration;

use futures::Stream;
use rust_decimal::Decimal;

use super::desk::Desk;
use crate::ledger::{AccountKey, Fill, OrderId, OrderState, OrderView};
use crate::{Currency, Error, Money, Quantity};

/// One order, for its whole life: every KIS order number its modifies create, its fills from
/// notices and inquiries (each counted once), its state. Cheap to clone; reads never call KIS.
///
/// ```no_run
/// # async fn demo(account: kis::Account) -> Result<(), kis::Error> {
/// use rust_decimal_macros::dec;
/// use std::time::Duration;
/// let order = account.buy("005930", 10).limit(dec!(70000)).submit().await?;
/// order.modify_price(dec!(70100)).await?;
/// match order.wait_filled(Duration::from_secs(30)).await {
///     Ok(done) => println!("filled {} at {:?}", done.filled, done.avg_price),
///     Err(kis::Error::Timeout { .. }) => { order.cancel().await?; }
///     Err(e) => return Err(e),
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Order {
    desk: Arc<Desk>,
    account: AccountKey,
    id: OrderId,
}

impl std::fmt::Debug for Order {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Order")
            .field("id", &self.id)
            .field("account", &self.account)
            .field("state", &self.state())
            .finish()
    }
}

impl Order {
    pub(crate) fn new(desk: Arc<Desk>, account: AccountKey, id: OrderId) -> Order {
        Order { desk, account, id }
    }

    /// The local id, stable across modifies and restarts (`L17`).
    pub fn id(&self) -> OrderId {
        self.id
    }

    /// The account (masked in `Debug`/`Display`).
    pub fn account(&self) -> &AccountKey {
        &self.account
    }

    /// Everything the ledger knows of the order now.
    pub fn view(&self) -> OrderView {
        self.desk
            .view(&self.account, self.id)
            .expect("an order handle's order stays in its ledger")
    }

    /// Where the order stands.
    pub fn state(&self) -> OrderState {
        self.view().state
    }

    /// Shares filled so far (never goes back).
    pub fn filled_qty(&self) -> Quantity {
        Quantity::new(self.view().filled)
    }

    /// The average fill price with its currency (KRW on KRX/NXT, USD on US venues), once
    /// something filled.
    pub fn avg_price(&self) -> Option<Money> {
        let v = self.view();
        let currency = if v.intent.venue.is_overseas() {
            Currency::Usd
        } else {
            Currency::Krw
        };
        v.avg_price.map(|p| Money::new(p, currency))
    }

    /// The fills, in the order the ledger learned them.
    pub fn fills(&self) -> Vec<Fill> {
        self.view().fills
    }

    /// Moves what is open to a new limit price (정정). KIS gives the modify a new order
    /// number; this handle follows it.
    pub async fn modify_price(&self, price: Decimal) -> Result<OrderView, Error> {
        if price <= Decimal::ZERO {
            return Err(Error::Invalid {
                field: "price",
                reason: "must be positive".into(),
            });
        }
        self.desk
            .change(&self.account, self.id, false, None, Some(price))
            .await
    }

    /// Lowers the open quantity to `qty` shares (a partial cancel of the rest: KRX cannot
    /// raise an order's quantity; place another order for more).
    pub async fn modify_qty(&self, qty: u64) -> Result<OrderView, Error> {
        let open = self.view().remaining;
        if qty == 0 {
            return self.cancel().await;
        }
        if qty >= open {
            return Err(Error::Invalid {
                field: "quantity",
                reason: format!(
                    "{qty} is not below the {open} shares open: only a decrease is possible"
                ),
            });
        }
        self.desk
            .change(&self.account, self.id, true, Some(open - qty), None)
            .await
    }

    /// Cancels what is open (취소).
    pub async fn cancel(&self) -> Result<OrderView, Error> {
        self.desk
            .change(&self.account, self.id, true, None, None)
            .await
    }

    /// Waits until the order is filled: `Err(Error::OrderEnded)` if it ended otherwise
    /// (cancelled, rejected, not sent), `Err(Error::Timeout)` after `timeout`.
    pub async fn wait_filled(&self, timeout: Duration) -> Result<OrderView, Error> {
        let view = self.wait_until(timeout, |s| s.is_done()).await?;
        if view.state == OrderState::Filled {
            Ok(view)
        } else {
            Err(Error::OrderEnded {
                id: self.id,
                state: view.state,
            })
        }
    }

    /// Waits until the order can change no more (filled, cancelled, rejected, not sent).
    pub async fn wait_done(&self, timeout: Duration) -> Result<OrderView, Error> {
        self.wait_until(timeout, |s| s.is_done()).await
    }

    async fn wait_until(
        &self,
        timeout: Duration,
        done: impl Fn(OrderState) -> bool,
    ) -> Result<OrderView, Error> {
        let mut updates = self.desk.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        // A waiter asks KIS now rather than at the next poll.
        self.desk.poke.notify_one();
        loop {
            let view = self.view();
            if done(view.state) {
                return Ok(view);
            }
            match tokio::time::timeout_at(deadline, updates.recv()).await {
                Err(_) => {
                    return Err(Error::Timeout {
                        id: self.id,
                        state: view.state,
                    });
                }
                Ok(Err(tokio::sync::broadcast::error::RecvError::Closed)) => {
                    return Err(Error::Timeout {
                        id: self.id,
                        state: view.state,
                    });
                }
                Ok(_) => {}
            }
        }
    }

    /// Every change of the order (state, fills, chain) as it happens; ends after the order is
    /// done. A slow reader skips intermediate views, never the latest.
    pub fn updates(&self) -> impl Stream<Item = OrderView> + Send + 'static {
        let rx = self.desk.subscribe();
        let (account, id) = (self.account.clone(), self.id);
        let first = self.view();
        let desk = self.desk.clone();
        futures::stream::unfold(
            (Some(first), rx, false),
            move |(mut pending, mut rx, ended)| {
                let account = account.clone();
                let desk = desk.clone();
                async move {
                    if let Some(v) = pending.take() {
                        let end = v.state.is_done();
                        return Some((v, (None, rx, end)));
                    }
                    if ended {
                        return None;
                    }
                    loop {
                        match rx.recv().await {
                            Ok((a, v)) if a == account && v.id == id => {
                                let end = v.state.is_done();
                                return Some((v, (None, rx, end)));
                            }
                            Ok(_) => {}
                            // Views were skipped: the latest is the ledger's now.
                            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                                let v = desk.view(&account, id)?;
                                let end = v.state.is_done();
                                return Some((v, (None, rx, end)));
                            }
                            Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                        }
                    }
                }
            },
        )
    }
}
