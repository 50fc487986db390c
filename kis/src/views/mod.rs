//! Views: KIS's answers in plain English names, with [`Money`] and
//! [`Quantity`], each keeping the response it was read from (`.raw()`).
//!
//! Every field names the KIS field it reads (and its Korean label) in its documentation.

pub mod balance;
pub mod book;
pub mod candle;
pub mod executions;
pub mod overseas_executions;
pub mod pnl;
pub mod quote;
pub mod stream;
pub mod trades;

use kis_client::value::Val;
use rust_decimal::Decimal;

use crate::{Currency, Error, Money, Quantity};

/// The value of a field a view needs: absent, empty or unreadable is [`Error::Response`].
pub(crate) fn need<T: Clone + kis_client::value::Wire>(
    v: &Val<T>,
    field: &'static str,
) -> Result<T, Error> {
    v.get().cloned().ok_or_else(|| Error::Response {
        field,
        raw: v.raw().into_owned(),
    })
}

/// An amount field in `currency`.
pub(crate) fn money(v: &Val<Decimal>, field: &'static str, c: Currency) -> Result<Money, Error> {
    Ok(Money::new(need(v, field)?, c))
}

/// A won field sent as an integer.
pub(crate) fn won(v: &Val<i64>, field: &'static str) -> Result<Money, Error> {
    Ok(Money::krw(need(v, field)?))
}

/// A share count sent as an integer (never negative).
pub(crate) fn shares(v: &Val<i64>, field: &'static str) -> Result<Quantity, Error> {
    let n = need(v, field)?;
    u64::try_from(n)
        .map(Quantity::new)
        .map_err(|_| Error::Response {
            field,
            raw: n.to_string(),
        })
}

/// A share count sent as a decimal (overseas; fractional shares allowed).
pub(crate) fn shares_dec(v: &Val<Decimal>, field: &'static str) -> Result<Quantity, Error> {
    Ok(Quantity::from_decimal(need(v, field)?))
}
