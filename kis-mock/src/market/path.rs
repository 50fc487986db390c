//! The price path of one product on one trading day: minute bars of the continuous session
//! drawn as a Brownian bridge from the day's open to its close, every price on the tick grid
//! and inside the daily limits, with a U-shaped volume profile; seconds interpolate inside
//! each bar through its high and low.

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};

use super::product::{Product, Venue};
use super::rng::{Rng, hash_str};

/// Trading hours of a venue in its local time.
#[derive(Debug, Clone, Copy)]
pub struct Hours {
    /// Start of the continuous session (the opening auction's price is the first bar's open).
    pub open: NaiveTime,
    /// Continuous-session minutes.
    pub bars: u32,
    /// When the closing price is fixed (end of the closing auction, or of the session).
    pub close: NaiveTime,
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("a valid time")
}

impl Hours {
    /// KRX stocks: 09:00–15:20 continuous, closing auction 15:20–15:30. KOSPI200 derivatives:
    /// 08:45–15:35, closing auction to 15:45. US: 09:30–16:00 New York time, no auction.
    pub fn of(venue: Venue) -> Hours {
        match venue {
            Venue::Kospi | Venue::Kosdaq | Venue::KrxEtf => Hours {
                open: hm(9, 0),
                bars: 380,
                close: hm(15, 30),
            },
            Venue::KrxFutures | Venue::KrxOptions => Hours {
                open: hm(8, 45),
                bars: 410,
                close: hm(15, 45),
            },
            Venue::Nasdaq | Venue::Nyse | Venue::Amex => Hours {
                open: hm(9, 30),
                bars: 390,
                close: hm(16, 0),
            },
        }
    }

    /// The local time a bar starts.
    pub fn bar_time(&self, bar: u32) -> NaiveTime {
        self.open + chrono::Duration::minutes(i64::from(bar))
    }

    /// The end of the continuous session.
    pub fn continuous_end(&self) -> NaiveTime {
        self.bar_time(self.bars)
    }
}

/// One minute of the continuous session.
#[derive(Debug, Clone, Copy)]
pub struct Bar {
    pub open: i64,
    pub high: i64,
    pub low: i64,
    pub close: i64,
    pub volume: u64,
    /// Second (1..=58) at which the high trades.
    pub high_at: u8,
    /// Second (1..=58) at which the low trades.
    pub low_at: u8,
}

/// One day's path.
#[derive(Debug)]
pub struct DayPath {
    pub date: NaiveDate,
    pub prev_close: i64,
    pub close: i64,
    pub upper: i64,
    pub lower: i64,
    pub bars: Vec<Bar>,
    /// Volume of the closing auction (0 where there is none).
    pub auction_volume: u64,
    /// Cumulative volume after each bar.
    cum_vol: Vec<u64>,
    /// Cumulative traded value (price units × quantity) after each bar.
    cum_val: Vec<f64>,
    /// Highest high of bars `0..=i`.
    pre_high: Vec<i64>,
    /// Lowest low of bars `0..=i`.
    pre_low: Vec<i64>,
    /// Every second's price, computed on first use.
    seconds: std::sync::OnceLock<Vec<i64>>,
}

/// A day's candle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub date: NaiveDate,
    pub open: i64,
    pub high: i64,
    pub low: i64,
    pub close: i64,
    pub prev_close: i64,
    pub volume: u64,
    pub value: f64,
}

impl DayPath {
    /// Draws the day of `product` that closes at `close` after `prev_close`.
    pub fn new(seed: u64, product: &Product, date: NaiveDate, prev_close: i64, close: i64) -> Self {
        let v = product.venue;
        let (upper, lower) = v.limits(prev_close);
        let clamp = |p: i64| p.clamp(lower, upper);
        let close = clamp(close);
        let mut rng = Rng::new(&[seed, hash_str(&product.code), date_key(date), 1]);
        let hours = Hours::of(v);
        let n = hours.bars as usize;
        let sigma = product.daily_vol;
        let gap = rng.normal() * sigma * 0.3;
        let open = clamp(v.round(prev_close as f64 * gap.exp()));
        // Brownian bridge in log price from open to close.
        let step = sigma * 0.9 / (n as f64).sqrt();
        let mut walk = Vec::with_capacity(n + 1);
        walk.push(0.0f64);
        for i in 0..n {
            let w = walk[i] + rng.normal() * step;
            walk.push(w);
        }
        let (lo, lc) = ((open as f64).ln(), (close as f64).ln());
        let end = walk[n];
        let points: Vec<i64> = (0..=n)
            .map(|i| {
                if i == 0 {
                    return open;
                }
                if i == n {
                    return close;
                }
                let f = i as f64 / n as f64;
                let x = lo + f * (lc - lo) + walk[i] - f * end;
                clamp(v.round(x.exp()))
            })
            .collect();
        let daily = product.avg_volume as f64 * (rng.normal() * 0.25).exp();
        let mut bars = Vec::with_capacity(n);
        let mut weights = Vec::with_capacity(n);
        for i in 0..n {
            let (o, c) = (points[i], points[i + 1]);
            let mut high = o.max(c);
            let mut low = o.min(c);
            for _ in 0..rng.range(0, 2) {
                high = v.up(high).min(upper);
            }
            for _ in 0..rng.range(0, 2) {
                low = v.down(low).max(lower);
            }
            let x = i as f64;
            let w = (1.0 + 2.5 * (-x / 25.0).exp() + 1.5 * (-(n as f64 - x) / 25.0).exp())
                * (rng.normal() * 0.4).exp();
            weights.push(w);
            let a = rng.range(1, 58) as u8;
            let mut b = rng.range(1, 58) as u8;
            if b == a {
                b = if a > 29 { a - 1 } else { a + 1 };
            }
            bars.push(Bar {
                open: o,
                high,
                low,
                close: c,
                volume: 0,
                high_at: a,
                low_at: b,
            });
        }
        let auction_share = if hours.close > hours.continuous_end() {
            0.06
        } else {
            0.0
        };
        let total_w: f64 = weights.iter().sum();
        for (bar, w) in bars.iter_mut().zip(&weights) {
            // At least one lot a minute, so every second of the session trades.
            bar.volume = ((daily * (1.0 - auction_share) * w / total_w) as u64).max(60);
        }
        let auction_volume = (daily * auction_share) as u64;
        let mut cum_vol = Vec::with_capacity(n);
        let mut cum_val = Vec::with_capacity(n);
        let mut pre_high = Vec::with_capacity(n);
        let mut pre_low = Vec::with_capacity(n);
        let (mut cv, mut cval, mut ph, mut pl) = (0u64, 0.0f64, i64::MIN, i64::MAX);
        for bar in &bars {
            cv += bar.volume;
            cval += bar.volume as f64 * (bar.open + bar.close) as f64 / 2.0;
            ph = ph.max(bar.high);
            pl = pl.min(bar.low);
            cum_vol.push(cv);
            cum_val.push(cval);
            pre_high.push(ph);
            pre_low.push(pl);
        }
        DayPath {
            date,
            prev_close,
            close,
            upper,
            lower,
            bars,
            auction_volume,
            cum_vol,
            cum_val,
            pre_high,
            pre_low,
            seconds: std::sync::OnceLock::new(),
        }
    }

    /// The price at second `k` of bar `i`, from the per-second table.
    pub fn price(&self, venue: Venue, i: usize, k: u32) -> i64 {
        let table = self.seconds.get_or_init(|| {
            (0..self.bars.len())
                .flat_map(|i| (0..60).map(move |k| (i, k)))
                .map(|(i, k)| self.price_at(venue, i, k))
                .collect()
        });
        table[i * 60 + k.min(59) as usize]
    }

    /// The price at second `k` (0..60) of bar `i`: through open, high, low and close of the bar.
    pub fn price_at(&self, venue: Venue, i: usize, k: u32) -> i64 {
        let b = &self.bars[i];
        let (a, hb) = (u32::from(b.high_at), u32::from(b.low_at));
        let mut pts = [(0u32, b.open), (a, b.high), (hb, b.low), (59, b.close)];
        pts[1..3].sort_by_key(|p| p.0);
        let k = k.min(59);
        let seg = pts.windows(2).find(|w| k <= w[1].0).unwrap_or(&pts[2..4]);
        let (t0, p0) = seg[0];
        let (t1, p1) = seg[1];
        let f = if t1 == t0 {
            1.0
        } else {
            f64::from(k - t0) / f64::from(t1 - t0)
        };
        let x = p0 as f64 + f * (p1 - p0) as f64;
        venue.round(x).clamp(b.low, b.high)
    }

    /// Cumulative volume after second `k` of bar `i`.
    pub fn volume_at(&self, i: usize, k: u32) -> u64 {
        let before = if i == 0 { 0 } else { self.cum_vol[i - 1] };
        before + self.bars[i].volume * u64::from(k.min(59) + 1) / 60
    }

    /// Cumulative traded value after second `k` of bar `i` (approximate inside the bar).
    pub fn value_at(&self, venue: Venue, i: usize, k: u32) -> f64 {
        let before = if i == 0 { 0.0 } else { self.cum_val[i - 1] };
        let inside = self.volume_at(i, k) - if i == 0 { 0 } else { self.cum_vol[i - 1] };
        before + inside as f64 * self.price(venue, i, k) as f64
    }

    /// High and low from the open through second `k` of bar `i`.
    pub fn range_at(&self, venue: Venue, i: usize, k: u32) -> (i64, i64) {
        let (mut h, mut l) = if i == 0 {
            (i64::MIN, i64::MAX)
        } else {
            (self.pre_high[i - 1], self.pre_low[i - 1])
        };
        for s in 0..=k.min(59) {
            let p = self.price(venue, i, s);
            h = h.max(p);
            l = l.min(p);
        }
        (h, l)
    }

    /// The whole day's candle.
    pub fn summary(&self) -> Summary {
        let n = self.bars.len();
        Summary {
            date: self.date,
            open: self.bars[0].open,
            high: self.pre_high[n - 1].max(self.close),
            low: self.pre_low[n - 1].min(self.close),
            close: self.close,
            prev_close: self.prev_close,
            volume: self.cum_vol[n - 1] + self.auction_volume,
            value: self.cum_val[n - 1] + self.auction_volume as f64 * self.close as f64,
        }
    }

    /// Volume and value after the continuous session (before the closing auction).
    pub fn continuous_totals(&self) -> (u64, f64) {
        let n = self.bars.len();
        (self.cum_vol[n - 1], self.cum_val[n - 1])
    }
}

/// A date as a hashing word.
pub fn date_key(date: NaiveDate) -> u64 {
    u64::from(date.num_days_from_ce().unsigned_abs())
}

/// Seconds since midnight of a time.
pub fn secs(t: NaiveTime) -> u32 {
    t.num_seconds_from_midnight()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::product::universe;

    #[test]
    fn paths_stay_on_grid_inside_limits_and_bars_hold_their_seconds() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        for p in universe().iter().take(8) {
            let prev = p.base;
            let close = p.venue.round(p.base as f64 * 1.01);
            let day = DayPath::new(7, p, date, prev, close);
            let mut vol = 0;
            for (i, b) in day.bars.iter().enumerate() {
                assert!(b.low <= b.open.min(b.close) && b.high >= b.open.max(b.close));
                assert!(b.low >= day.lower && b.high <= day.upper);
                for k in 0..60 {
                    let px = day.price_at(p.venue, i, k);
                    assert!(p.venue.on_grid(px) && (b.low..=b.high).contains(&px));
                    let v = day.volume_at(i, k);
                    assert!(v >= vol);
                    vol = v;
                }
                assert_eq!(day.price_at(p.venue, i, 0), b.open);
                assert_eq!(day.price_at(p.venue, i, 59), b.close);
            }
            let s = day.summary();
            assert!(s.low <= s.open && s.open <= s.high && s.low <= s.close && s.close <= s.high);
            assert_eq!(s.close, close);
        }
    }
}
