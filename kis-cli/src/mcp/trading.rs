//! The trading side of the MCP server: caps set at start, previews (random id, short life,
//! single use) and the count of orders per server day. `place_order` sends only what a
//! preview made moments before checked, and checks the caps again.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::exit::{Failure, Outcome};

/// Limits enforced in the server, whatever the client asks.
#[derive(Debug, Clone)]
pub struct Caps {
    /// Most shares in one order.
    pub max_qty: u64,
    /// Most money in one order (price x quantity).
    pub max_notional: Decimal,
    /// Most orders placed per server day.
    pub max_orders_per_day: u32,
    /// Symbols that may be traded (upper-cased); empty: any.
    pub symbols: Vec<String>,
    /// How long a preview stays valid.
    pub preview_ttl: Duration,
}

/// A checked order waiting for `place_order`.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    /// `buy` or `sell`.
    pub side: String,
    /// The symbol as given.
    pub symbol: String,
    /// Shares.
    pub qty: u64,
    /// Limit price (`None`: market).
    pub price: Option<Decimal>,
    /// The notional the caps were checked with.
    pub notional: Decimal,
}

#[derive(Debug, Default)]
struct State {
    previews: HashMap<String, (Instant, Preview)>,
    day: Option<NaiveDate>,
    placed_today: u32,
}

/// Caps, previews and the day's count.
#[derive(Debug)]
pub struct Desk {
    /// The caps.
    pub caps: Caps,
    state: Mutex<State>,
}

impl Desk {
    /// A desk with `caps`.
    pub fn new(caps: Caps) -> Desk {
        Desk {
            caps,
            state: Mutex::new(State::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Checks symbol, quantity and notional against the caps.
    pub fn check(&self, symbol: &str, code: &str, qty: u64, notional: Decimal) -> Outcome<()> {
        let c = &self.caps;
        if !c.symbols.is_empty()
            && !c
                .symbols
                .iter()
                .any(|s| s.eq_ignore_ascii_case(code) || s.eq_ignore_ascii_case(symbol))
        {
            return Err(Failure::invalid(
                Some("symbol"),
                format!("{code} is not in the server's symbol allowlist"),
            ));
        }
        if qty == 0 || qty > c.max_qty {
            return Err(Failure::invalid(
                Some("qty"),
                format!(
                    "quantity {qty} is outside 1..={} (the server's cap)",
                    c.max_qty
                ),
            ));
        }
        if notional > c.max_notional {
            return Err(Failure::invalid(
                Some("price"),
                format!(
                    "the order's value {notional} is above the server's cap {}",
                    c.max_notional
                ),
            ));
        }
        Ok(())
    }

    /// Stores a preview under a fresh random id.
    pub fn add_preview(&self, p: Preview, now: Instant) -> String {
        let id = format!("p{:032x}", rand::random::<u128>());
        let mut s = self.lock();
        let ttl = self.caps.preview_ttl;
        s.previews.retain(|_, (t, _)| now.duration_since(*t) <= ttl);
        s.previews.insert(id.clone(), (now, p));
        id
    }

    /// Takes a preview (once), if it is still valid; counts the order against today's cap.
    pub fn take_preview(&self, id: &str, now: Instant, today: NaiveDate) -> Outcome<Preview> {
        let mut s = self.lock();
        let Some((made, p)) = s.previews.remove(id) else {
            return Err(Failure::invalid(
                Some("preview_id"),
                "no such preview (ids are single use): call preview_order first",
            ));
        };
        if now.duration_since(made) > self.caps.preview_ttl {
            return Err(Failure::invalid(
                Some("preview_id"),
                "the preview expired: call preview_order again",
            ));
        }
        if s.day != Some(today) {
            s.day = Some(today);
            s.placed_today = 0;
        }
        if s.placed_today >= self.caps.max_orders_per_day {
            return Err(Failure::invalid(
                None,
                format!(
                    "the server's cap of {} orders a day is reached",
                    self.caps.max_orders_per_day
                ),
            ));
        }
        s.placed_today += 1;
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desk(max_orders: u32) -> Desk {
        Desk::new(Caps {
            max_qty: 5,
            max_notional: Decimal::from(1_000_000),
            max_orders_per_day: max_orders,
            symbols: vec!["005930".into()],
            preview_ttl: Duration::from_secs(60),
        })
    }

    fn p() -> Preview {
        Preview {
            side: "buy".into(),
            symbol: "005930".into(),
            qty: 1,
            price: Some(Decimal::from(70000)),
            notional: Decimal::from(70000),
        }
    }

    #[test]
    fn caps_are_checked() {
        let d = desk(1);
        assert!(
            d.check("005930", "005930", 5, Decimal::from(1_000_000))
                .is_ok()
        );
        assert_eq!(
            d.check("005930", "005930", 6, Decimal::ONE)
                .unwrap_err()
                .field
                .as_deref(),
            Some("qty")
        );
        assert_eq!(
            d.check("000660", "000660", 1, Decimal::ONE)
                .unwrap_err()
                .field
                .as_deref(),
            Some("symbol")
        );
        assert_eq!(
            d.check("005930", "005930", 1, Decimal::from(1_000_001))
                .unwrap_err()
                .field
                .as_deref(),
            Some("price")
        );
    }

    #[test]
    fn previews_are_single_use_expire_and_count_per_day() {
        let d = desk(1);
        let t0 = Instant::now();
        let day = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        let id = d.add_preview(p(), t0);
        assert!(d.take_preview("p0", t0, day).is_err());
        assert_eq!(d.take_preview(&id, t0, day).unwrap(), p());
        assert!(d.take_preview(&id, t0, day).is_err(), "single use");
        let id = d.add_preview(p(), t0);
        assert!(d.take_preview(&id, t0, day).is_err(), "one order a day");
        let id = d.add_preview(p(), t0);
        assert!(
            d.take_preview(&id, t0, day.succ_opt().unwrap()).is_ok(),
            "a new day"
        );
        let id = d.add_preview(p(), t0);
        assert!(
            d.take_preview(&id, t0 + Duration::from_secs(61), day.succ_opt().unwrap())
                .is_err(),
            "expired"
        );
    }
}
