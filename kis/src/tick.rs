//! Tick grids (호가가격단위): which prices an instrument may be ordered at.

use rust_decimal::Decimal;
use serde::Serialize;

/// The price grid of an instrument, chosen by its market and product type.
///
/// | rule | grid |
/// | --- | --- |
/// | [`TickRule::KrxStock`] | KRX's unified stock table in force since 2023-01-25 (KOSPI, KOSDAQ, KONEX): below 2,000 KRW 1; below 5,000 5; below 20,000 10; below 50,000 50; below 200,000 100; below 500,000 500; from 500,000 1,000 |
/// | [`TickRule::KrxEtp`] | ETF and ETN since KRX's 2023-12-18 rule change: below 2,000 KRW 1, from 2,000 KRW 5 |
/// | [`TickRule::KrxElw`] | ELW: 5 KRW |
/// | [`TickRule::Kospi200Future`] | KOSPI200 futures: 0.05 point |
/// | [`TickRule::Kospi200Option`] | KOSPI200 options: 0.01 point below 10 points, 0.05 from 10 |
/// | [`TickRule::Us`] | US stocks and ETFs: USD 0.01 from USD 1, USD 0.0001 below |
/// | [`TickRule::Unknown`] | a product this crate has no table for: prices are checked for sign only |
///
/// ```
/// use rust_decimal_macros::dec;
/// use kis::TickRule;
/// assert_eq!(TickRule::KrxStock.tick(dec!(74_000)), dec!(100));
/// assert_eq!(TickRule::KrxEtp.tick(dec!(35_420)), dec!(5));
/// assert_eq!(TickRule::Us.tick(dec!(0.5)), dec!(0.0001));
/// assert!(TickRule::KrxStock.on_grid(dec!(74_100)));
/// assert!(!TickRule::KrxStock.on_grid(dec!(74_050)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum TickRule {
    /// KRX stocks (주식): the 2023 unified table.
    KrxStock,
    /// KRX ETF and ETN (상장지수펀드/증권): 1 KRW below 2,000, else 5 KRW.
    KrxEtp,
    /// KRX ELW (주식워런트증권): 5 KRW.
    KrxElw,
    /// KOSPI200 futures (지수선물): 0.05 point.
    Kospi200Future,
    /// KOSPI200 options (지수옵션): 0.01 point below 10 points, else 0.05.
    Kospi200Option,
    /// US venues: 0.01 from 1 USD, 0.0001 below (SEC Rule 612), for every US symbol. KIS's
    /// overseas masters also publish a per-symbol Tick size Type
    /// ([`Instrument::master_field`](crate::Instrument::master_field)`("tick_size_type")`),
    /// but document neither its values nor their grids, so it does not change this rule.
    Us,
    /// No table known for this product: any positive price passes [`TickRule::on_grid`].
    Unknown,
}

/// KRX's 2023 stock table: (below this price, the tick).
const KRX_STOCK: [(i64, i64); 6] = [
    (2_000, 1),
    (5_000, 5),
    (20_000, 10),
    (50_000, 50),
    (200_000, 100),
    (500_000, 500),
];

impl TickRule {
    /// The tick size at `price` (the grid step that applies to prices from `price` up to the
    /// next band). `Unknown` answers zero.
    pub fn tick(self, price: Decimal) -> Decimal {
        match self {
            TickRule::KrxStock => {
                let t = KRX_STOCK
                    .iter()
                    .find(|(below, _)| price < Decimal::from(*below))
                    .map_or(1_000, |(_, tick)| *tick);
                Decimal::from(t)
            }
            TickRule::KrxEtp => Decimal::from(if price < Decimal::from(2_000) { 1 } else { 5 }),
            TickRule::KrxElw => Decimal::from(5),
            TickRule::Kospi200Future => Decimal::new(5, 2),
            TickRule::Kospi200Option => {
                if price < Decimal::from(10) {
                    Decimal::new(1, 2)
                } else {
                    Decimal::new(5, 2)
                }
            }
            TickRule::Us => {
                if price < Decimal::ONE {
                    Decimal::new(1, 4)
                } else {
                    Decimal::new(1, 2)
                }
            }
            TickRule::Unknown => Decimal::ZERO,
        }
    }

    /// Whether `price` is positive and on the grid.
    pub fn on_grid(self, price: Decimal) -> bool {
        if price <= Decimal::ZERO {
            return false;
        }
        let tick = self.tick(price);
        tick.is_zero() || (price % tick).is_zero()
    }

    /// The largest grid price not above `price` (None when nothing positive is).
    ///
    /// ```
    /// use rust_decimal_macros::dec;
    /// assert_eq!(kis::TickRule::KrxStock.floor(dec!(74_050)), Some(dec!(74_000)));
    /// ```
    pub fn floor(self, price: Decimal) -> Option<Decimal> {
        let tick = self.tick(price);
        if tick.is_zero() {
            return (price > Decimal::ZERO).then_some(price);
        }
        let f = price - price % tick;
        (f > Decimal::ZERO).then_some(f)
    }

    /// The smallest grid price not below `price`.
    ///
    /// ```
    /// use rust_decimal_macros::dec;
    /// assert_eq!(kis::TickRule::KrxStock.ceil(dec!(74_050)), dec!(74_100));
    /// assert_eq!(kis::TickRule::KrxStock.ceil(dec!(1_999.5)), dec!(2_000));
    /// ```
    pub fn ceil(self, price: Decimal) -> Decimal {
        let tick = self.tick(price);
        if tick.is_zero() || (price % tick).is_zero() && price > Decimal::ZERO {
            return price.max(tick);
        }
        let up = price - price % tick + tick;
        // A band edge: the grid above may be coarser (1,999.5 -> 2,000 on the 5 KRW grid).
        let tick_up = self.tick(up);
        if (up % tick_up).is_zero() {
            up
        } else {
            up - up % tick_up + tick_up
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    #[test]
    fn krx_stock_bands_2023() {
        for (price, tick) in [
            (1_999, 1),
            (2_000, 5),
            (4_995, 5),
            (5_000, 10),
            (19_990, 10),
            (20_000, 50),
            (49_950, 50),
            (50_000, 100),
            (199_900, 100),
            (200_000, 500),
            (499_500, 500),
            (500_000, 1_000),
        ] {
            assert_eq!(
                TickRule::KrxStock.tick(Decimal::from(price)),
                Decimal::from(tick)
            );
        }
    }

    #[test]
    fn etp_elw_derivatives_and_us() {
        assert_eq!(TickRule::KrxEtp.tick(dec!(1_999)), dec!(1));
        assert_eq!(TickRule::KrxEtp.tick(dec!(2_000)), dec!(5));
        assert_eq!(TickRule::KrxEtp.tick(dec!(600_000)), dec!(5));
        assert!(TickRule::KrxEtp.on_grid(dec!(35_425)));
        assert!(!TickRule::KrxStock.on_grid(dec!(35_425)));
        assert_eq!(TickRule::KrxElw.tick(dec!(100)), dec!(5));
        assert!(TickRule::Kospi200Future.on_grid(dec!(352.45)));
        assert!(!TickRule::Kospi200Future.on_grid(dec!(352.43)));
        assert!(TickRule::Kospi200Option.on_grid(dec!(9.99)));
        assert!(!TickRule::Kospi200Option.on_grid(dec!(10.01)));
        assert!(TickRule::Us.on_grid(dec!(187.51)));
        assert!(!TickRule::Us.on_grid(dec!(187.515)));
        assert!(TickRule::Us.on_grid(dec!(0.5123)));
        assert!(!TickRule::Us.on_grid(dec!(0.51234)));
        assert!(!TickRule::Us.on_grid(dec!(0)));
        assert!(TickRule::Unknown.on_grid(dec!(3.14159)));
    }

    proptest! {
        /// floor and ceil land on the grid and bracket the price.
        #[test]
        fn floor_and_ceil_bracket(cents in 1i64..100_000_000) {
            for rule in [TickRule::KrxStock, TickRule::KrxEtp, TickRule::Us, TickRule::Kospi200Option] {
                let p = Decimal::new(cents, 2);
                let c = rule.ceil(p);
                prop_assert!(rule.on_grid(c), "{rule:?} ceil {p} -> {c}");
                prop_assert!(c >= p);
                if let Some(f) = rule.floor(p) {
                    prop_assert!(rule.on_grid(f), "{rule:?} floor {p} -> {f}");
                    prop_assert!(f <= p);
                }
            }
        }
    }
}
