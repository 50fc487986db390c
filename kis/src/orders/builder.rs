//! Building an order and checking it before anything is journaled or sent.

use rust_decimal::Decimal;

use crate::ledger::{Intent, OrderKind, Side, Venue};
use crate::{Account, Error, Order};

/// An order being built: `account.buy(symbol, qty)` or `account.sell(symbol, qty)`, then a
/// price or kind, then [`OrderBuilder::submit`].
///
/// The symbol is a KRX short code (`005930`) or an exchange-prefixed overseas ticker
/// (`NASDAQ:AAPL`, `NYSE:IBM`, `AMEX:SPY`; `NASD:` works too). Everything is checked before
/// the intent is journaled: a bad value is [`Error::Invalid`] naming the field.
///
/// ```no_run
/// # async fn demo(account: kis::Account) -> Result<(), kis::Error> {
/// use rust_decimal_macros::dec;
/// let order = account.buy("005930", 10).limit(dec!(70000)).submit().await?;
/// println!("{} is {:?}", order.id(), order.state());
/// let us = account.sell("NASDAQ:AAPL", 1).limit(dec!(250.10)).submit().await?;
/// # Ok(()) }
/// ```
#[must_use = "an order is sent only by `submit()`"]
#[derive(Debug, Clone)]
pub struct OrderBuilder {
    account: Account,
    symbol: String,
    side: Side,
    qty: u64,
    kind: Option<OrderKind>,
    price: Option<Decimal>,
    venue: Option<Venue>,
    key: Option<String>,
    allow_duplicate: bool,
}

impl OrderBuilder {
    pub(crate) fn new(account: Account, symbol: &str, side: Side, qty: u64) -> OrderBuilder {
        OrderBuilder {
            account,
            symbol: symbol.to_owned(),
            side,
            qty,
            kind: None,
            price: None,
            venue: None,
            key: None,
            allow_duplicate: false,
        }
    }

    /// A limit order (지정가) at `price` (KRW for KRX, USD for US venues).
    pub fn limit(mut self, price: Decimal) -> OrderBuilder {
        self.kind = Some(OrderKind::Limit);
        self.price = Some(price);
        self
    }

    /// A market order (시장가; KRX only: KIS takes no market orders for US stocks).
    pub fn market(mut self) -> OrderBuilder {
        self.kind = Some(OrderKind::Market);
        self.price = None;
        self
    }

    /// Another order kind (KIS `ORD_DVSN`: IOC/FOK, best, mid-price, pre/after-hours on KRX;
    /// MOO/LOO/MOC/LOC, TWAP/VWAP on US venues). Kinds with a price need [`OrderBuilder::price`].
    pub fn kind(mut self, kind: OrderKind) -> OrderBuilder {
        self.kind = Some(kind);
        self
    }

    /// The price of a priced kind set by [`OrderBuilder::kind`].
    pub fn price(mut self, price: Decimal) -> OrderBuilder {
        self.price = Some(price);
        self
    }

    /// Where a domestic order goes (`EXCG_ID_DVSN_CD`): KRX (default), NXT (넥스트레이드) or
    /// SOR (smart order routing between them). KIS's paper service (모의투자) trades on KRX
    /// only: NXT and SOR are refused there before anything is sent.
    ///
    /// ```no_run
    /// # async fn demo(account: kis::Account) -> Result<(), kis::Error> {
    /// use kis::ledger::Venue;
    /// use rust_decimal_macros::dec;
    /// let order = account.buy("005930", 10).limit(dec!(70000)).venue(Venue::Sor).submit().await?;
    /// # Ok(()) }
    /// ```
    pub fn venue(mut self, venue: Venue) -> OrderBuilder {
        self.venue = Some(venue);
        self
    }

    /// A key of the caller's: a second submit with the same key returns the first order
    /// instead of sending another.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> OrderBuilder {
        self.key = Some(key.into());
        self
    }

    /// Allows an order identical to one still unsent, sent or unknown (refused by default:
    /// an identical intent in flight is most often a double click or a retry loop).
    pub fn allow_duplicate(mut self) -> OrderBuilder {
        self.allow_duplicate = true;
        self
    }

    /// The intent this builder describes, checked.
    pub(crate) fn intent(&self) -> Result<Intent, Error> {
        let (venue, symbol) = split_symbol(&self.symbol, self.venue)?;
        if self.qty == 0 {
            return Err(invalid("quantity", "must be at least 1"));
        }
        let kind = match self.kind {
            Some(k) => k,
            None => return Err(invalid("kind", "choose .limit(price) or .market()")),
        };
        if venue.is_overseas() && kind == OrderKind::Market {
            return Err(invalid(
                "kind",
                "KIS takes no market orders for US stocks: use a limit price",
            ));
        }
        if matches!(venue, Venue::Nxt | Venue::Sor)
            && self.account.kis().client().config().env() == kis_client::Env::Paper
        {
            return Err(invalid(
                "venue",
                format!(
                    "KIS's paper service (모의투자) trades on KRX only, not {}",
                    venue.code()
                ),
            ));
        }
        if !kind.fits(venue) {
            return Err(invalid(
                "kind",
                format!("{kind:?} does not exist on {}", venue.code()),
            ));
        }
        match (kind.needs_price(), self.price) {
            (true, None) => return Err(invalid("price", "this order kind needs a price")),
            (false, Some(_)) => return Err(invalid("price", "this order kind takes no price")),
            (true, Some(p)) => check_price(venue, p)?,
            (false, None) => {}
        }
        let mut intent = Intent::new(self.account.key().clone(), symbol, self.side, self.qty)
            .venue(venue)
            .kind(kind);
        intent.price = self.price;
        if let Some(k) = &self.key {
            if k.trim().is_empty() || k.len() > 128 {
                return Err(invalid("idempotency_key", "1 to 128 characters"));
            }
            intent = intent.key(k.clone());
        }
        intent.allow_duplicate = self.allow_duplicate;
        intent.validate().map_err(|e| match e {
            crate::ledger::LedgerError::Invalid { field, reason } => {
                Error::Invalid { field, reason }
            }
            other => Error::Journal(other.to_string()),
        })?;
        Ok(intent)
    }

    /// Journals the intent, sends the order once and returns its handle.
    ///
    /// - Accepted by KIS: the handle, state `Accepted` (or further, if notices came first).
    /// - Rejected by KIS, or refused before it left: `Err`, and the ledger keeps the order as
    ///   `Rejected`/`NotSent` ([`Account::orders`]).
    /// - No answer that says whether KIS got it (timeout, 5xx, redirect): the handle, state
    ///   `Unknown`; the desk resolves it by asking KIS (an inquiry), never by sending again.
    ///   [`Order::wait_done`] waits for that.
    ///
    /// Before anything is journaled the order is checked against the symbol master
    /// ([`crate::Kis::check_order`]): an unknown or halted symbol, a price off the product's
    /// own tick grid (stock, ETF/ETN, ELW, US) or a quantity off its lot is refused.
    ///
    /// New orders are refused ([`Error::NotReconciled`]) until the account's journal has
    /// been reconciled with KIS, which the first order of a handle starts.
    pub async fn submit(self) -> Result<Order, Error> {
        let intent = self.intent()?;
        // The symbol master: the product's own tick grid and lot, halts and unknown codes,
        // refused before anything is journaled.
        let query = match intent.venue {
            Venue::Nasdaq => format!("NASDAQ:{}", intent.symbol),
            Venue::Nyse => format!("NYSE:{}", intent.symbol),
            Venue::Amex => format!("AMEX:{}", intent.symbol),
            _ => intent.symbol.clone(),
        };
        self.account
            .kis()
            .check_order(&query, intent.price, intent.qty)
            .await?;
        let desk = self.account.kis().desk().await?;
        desk.submit(intent).await
    }
}

fn invalid(field: &'static str, reason: impl Into<String>) -> Error {
    Error::Invalid {
        field,
        reason: reason.into(),
    }
}

/// `NASDAQ:AAPL` → (Nasdaq, `AAPL`); `005930` → (KRX or the chosen domestic venue, `005930`).
fn split_symbol(symbol: &str, venue: Option<Venue>) -> Result<(Venue, String), Error> {
    if let Some((exchange, ticker)) = symbol.split_once(':') {
        let v = match exchange.trim().to_ascii_uppercase().as_str() {
            "NASDAQ" | "NASD" | "NAS" => Venue::Nasdaq,
            "NYSE" | "NYS" => Venue::Nyse,
            "AMEX" | "AMS" => Venue::Amex,
            "KRX" => Venue::Krx,
            "NXT" => Venue::Nxt,
            "SOR" => Venue::Sor,
            other => {
                return Err(invalid(
                    "symbol",
                    format!("unknown exchange {other:?} (NASDAQ, NYSE, AMEX, KRX, NXT, SOR)"),
                ));
            }
        };
        if let Some(chosen) = venue {
            if chosen != v {
                return Err(invalid(
                    "venue",
                    "differs from the symbol's exchange prefix",
                ));
            }
        }
        return Ok((v, check_code(v, ticker)?));
    }
    let v = venue.unwrap_or(Venue::Krx);
    Ok((v, check_code(v, symbol)?))
}

/// KRX short codes: 6 characters, digits or (newer listings) digits and capital letters,
/// e.g. `005930`, `0001A0`. US tickers: 1-16 capital letters, digits, `.`, `/` or `-`.
fn check_code(venue: Venue, code: &str) -> Result<String, Error> {
    if code != code.trim() || code.is_empty() {
        return Err(invalid(
            "symbol",
            "no spaces around the code, and not empty",
        ));
    }
    if venue.is_overseas() {
        let ok = code.len() <= 16
            && code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b"./-".contains(&b));
        if !ok {
            return Err(invalid("symbol", format!("{code:?} is not a US ticker")));
        }
    } else {
        let ok = code.len() == 6
            && code
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
            && code.bytes().take(2).all(|b| b.is_ascii_digit());
        if !ok {
            return Err(invalid(
                "symbol",
                format!("{code:?} is not a KRX short code (6 characters, like 005930)"),
            ));
        }
    }
    Ok(code.to_owned())
}

/// KRX: whole won on the stock grid or the ETF/ETN grid (a code alone doesn't say which: a
/// price off both is certainly wrong). US: cents at or above $1, 1/100 cent below.
fn check_price(venue: Venue, price: Decimal) -> Result<(), Error> {
    if price <= Decimal::ZERO {
        return Err(invalid("price", "must be positive"));
    }
    if venue.is_overseas() {
        let step = if price >= Decimal::ONE {
            Decimal::new(1, 2)
        } else {
            Decimal::new(1, 4)
        };
        if !(price % step).is_zero() {
            return Err(invalid(
                "price",
                format!("{price} is off the US tick grid (step {step})"),
            ));
        }
        return Ok(());
    }
    if !price.fract().is_zero() {
        return Err(invalid("price", "KRX prices are whole won"));
    }
    let stock = krx_stock_tick(price);
    let fund = if price < Decimal::from(2_000) {
        Decimal::ONE
    } else {
        Decimal::from(5)
    };
    if !(price % stock).is_zero() && !(price % fund).is_zero() {
        return Err(invalid(
            "price",
            format!("{price} is off the KRX tick grid (stocks: {stock} won at this price)"),
        ));
    }
    Ok(())
}

/// KRX's stock tick size since 2023-01-25.
fn krx_stock_tick(price: Decimal) -> Decimal {
    let steps: [(i64, i64); 6] = [
        (2_000, 1),
        (5_000, 5),
        (20_000, 10),
        (50_000, 50),
        (200_000, 100),
        (500_000, 500),
    ];
    for (below, tick) in steps {
        if price < Decimal::from(below) {
            return Decimal::from(tick);
        }
    }
    Decimal::from(1_000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    #[test]
    fn krx_codes_and_us_tickers() {
        assert!(check_code(Venue::Krx, "005930").is_ok());
        assert!(check_code(Venue::Krx, "0001A0").is_ok());
        for bad in [" ", "5930", "AAPL", "005930 ", "A005930", ""] {
            let e = check_code(Venue::Krx, bad).unwrap_err();
            assert_eq!(e.field(), Some("symbol"), "{bad:?}");
        }
        assert!(check_code(Venue::Nasdaq, "AAPL").is_ok());
        assert!(check_code(Venue::Nyse, "BRK.B").is_ok());
        assert!(check_code(Venue::Nasdaq, "aapl").is_err());
    }

    #[test]
    fn prefixes_pick_the_venue() {
        assert_eq!(split_symbol("NASDAQ:AAPL", None).unwrap().0, Venue::Nasdaq);
        assert_eq!(split_symbol("nyse:IBM", None).unwrap().0, Venue::Nyse);
        assert_eq!(
            split_symbol("005930", Some(Venue::Nxt)).unwrap().0,
            Venue::Nxt
        );
        assert!(split_symbol("LSE:VOD", None).is_err());
        assert!(split_symbol("NASDAQ:AAPL", Some(Venue::Krx)).is_err());
    }

    #[test]
    fn krx_prices_off_both_grids_are_refused() {
        for bad in [dec!(73051), dec!(72993), dec!(70000.5), dec!(0), dec!(-5)] {
            assert_eq!(
                check_price(Venue::Krx, bad).unwrap_err().field(),
                Some("price"),
                "{bad}"
            );
        }
        // 73,100 is on the stock grid; 72,905 on the ETF grid (5 won); 1,999 both.
        for good in [dec!(73100), dec!(72905), dec!(1999), dec!(70000)] {
            assert!(check_price(Venue::Krx, good).is_ok(), "{good}");
        }
    }

    #[test]
    fn us_prices_follow_the_cent_rule() {
        assert!(check_price(Venue::Nasdaq, dec!(187.25)).is_ok());
        assert!(check_price(Venue::Nasdaq, dec!(187.255)).is_err());
        assert!(check_price(Venue::Nasdaq, dec!(0.5123)).is_ok());
        assert!(check_price(Venue::Nasdaq, dec!(0.51234)).is_err());
    }

    proptest! {
        /// Every price on the stock grid passes; every whole price off both grids fails.
        #[test]
        fn the_krx_check_agrees_with_the_tables(p in 1i64..2_000_000) {
            let price = Decimal::from(p);
            let on_stock = p % krx_stock_tick(price).mantissa() as i64 == 0;
            let on_fund = p % if p < 2_000 { 1 } else { 5 } == 0;
            prop_assert_eq!(check_price(Venue::Krx, price).is_ok(), on_stock || on_fund);
        }
    }
}
