//! Amounts with their currency, and share counts: one type each for domestic and overseas.

use std::fmt;

use rust_decimal::Decimal;
use serde::Serialize;

/// A currency KIS settles in.
///
/// ```
/// assert_eq!(kis::Currency::Krw.code(), "KRW");
/// assert_eq!(kis::Currency::Usd.decimals(), 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
#[non_exhaustive]
pub enum Currency {
    /// Korean won (원), integral.
    Krw,
    /// US dollar.
    Usd,
    /// Hong Kong dollar.
    Hkd,
    /// Chinese yuan.
    Cny,
    /// Japanese yen.
    Jpy,
    /// Vietnamese dong.
    Vnd,
}

impl Currency {
    /// The ISO 4217 code (KIS's `CRCY_CD`).
    pub fn code(self) -> &'static str {
        match self {
            Currency::Krw => "KRW",
            Currency::Usd => "USD",
            Currency::Hkd => "HKD",
            Currency::Cny => "CNY",
            Currency::Jpy => "JPY",
            Currency::Vnd => "VND",
        }
    }

    /// Reads an ISO 4217 code as KIS writes it (`CRCY_CD`, `TR_CRCY_CD`).
    ///
    /// ```
    /// assert_eq!(kis::Currency::from_code("usd"), Some(kis::Currency::Usd));
    /// ```
    pub fn from_code(code: &str) -> Option<Currency> {
        Some(match code.trim().to_ascii_uppercase().as_str() {
            "KRW" => Currency::Krw,
            "USD" => Currency::Usd,
            "HKD" => Currency::Hkd,
            "CNY" => Currency::Cny,
            "JPY" => Currency::Jpy,
            "VND" => Currency::Vnd,
            _ => return None,
        })
    }

    /// Digits after the decimal point in amounts of this currency.
    pub fn decimals(self) -> u32 {
        match self {
            Currency::Krw | Currency::Jpy | Currency::Vnd => 0,
            Currency::Usd | Currency::Hkd | Currency::Cny => 2,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An amount or a price with its currency (KRW integral). The one money type of this crate:
/// quotes, balances, order prices and fills all use it.
///
/// ```
/// use rust_decimal_macros::dec;
/// let p = kis::Money::krw(70_000);
/// assert_eq!(p.to_string(), "70000 KRW");
/// assert_eq!(kis::Money::usd(dec!(187.5)).amount(), dec!(187.5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// An amount in `currency`.
    pub fn new(amount: Decimal, currency: Currency) -> Money {
        Money { amount, currency }
    }

    /// Won.
    pub fn krw(amount: i64) -> Money {
        Money::new(Decimal::from(amount), Currency::Krw)
    }

    /// Dollars.
    pub fn usd(amount: Decimal) -> Money {
        Money::new(amount, Currency::Usd)
    }

    /// The number.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount.normalize(), self.currency)
    }
}

/// A number of shares or contracts, domestic or overseas. Orders take whole numbers
/// ([`Quantity::whole`]); balances may hold fractions (overseas fractional shares).
///
/// ```
/// let q = kis::Quantity::new(10);
/// assert_eq!(q.whole(), Some(10));
/// assert!(q > kis::Quantity::ZERO);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
#[serde(transparent)]
pub struct Quantity(Decimal);

impl Quantity {
    /// None.
    pub const ZERO: Quantity = Quantity(Decimal::ZERO);

    /// A whole number of shares.
    pub fn new(shares: u64) -> Quantity {
        Quantity(Decimal::from(shares))
    }

    /// A quantity read from KIS's decimal text (overseas balances).
    pub fn from_decimal(value: Decimal) -> Quantity {
        Quantity(value)
    }

    /// The number.
    pub fn get(&self) -> Decimal {
        self.0
    }

    /// The whole number of shares, if it is one and not negative.
    pub fn whole(&self) -> Option<u64> {
        if self.0.is_sign_negative() || !self.0.fract().is_zero() {
            return None;
        }
        u64::try_from(self.0).ok()
    }
}

impl From<u64> for Quantity {
    fn from(shares: u64) -> Quantity {
        Quantity::new(shares)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_refuses_fractions_and_negatives() {
        assert_eq!(Quantity::from_decimal(Decimal::new(15, 1)).whole(), None);
        assert_eq!(Quantity::from_decimal(Decimal::from(-1)).whole(), None);
        assert_eq!(Quantity::from_decimal(Decimal::new(30, 1)).whole(), Some(3));
    }

    #[test]
    fn currency_codes_round_trip() {
        for c in [
            Currency::Krw,
            Currency::Usd,
            Currency::Hkd,
            Currency::Cny,
            Currency::Jpy,
            Currency::Vnd,
        ] {
            assert_eq!(Currency::from_code(c.code()), Some(c));
        }
    }
}
