//! The simulated market every answer of the mock comes from: a product universe, a trading
//! calendar, a clock, and one seeded price path per product and day. Quotes, candles, minute
//! bars, trades, the order book and the account's fills all read this one model, so they never
//! contradict each other.
//!
//! Everything is a pure function of `(seed, product, date, time)`: the same seed reproduces the
//! same day. Daily closes follow a mean-reverting random walk around each product's base
//! price from 2015 on; each day's continuous session is a Brownian bridge from its open to its
//! close in minute bars, every price on the venue's tick grid and inside its daily limits.

pub mod calendar;
pub mod clock;
pub mod fields;
pub mod path;
pub mod product;
pub mod rng;
pub mod tape;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use self::calendar::{Calendar, MockCalendar, TradingDays};
use self::clock::Clock;
use self::path::{DayPath, Hours, Summary, date_key, secs};
use self::product::{Class, Product, Venue};
use self::rng::{Rng, hash_str};
use crate::sync::lock;

/// Where the session of a product stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Before the open (the opening auction collects orders): price = previous close.
    PreOpen,
    /// Continuous trading.
    Continuous,
    /// Closing auction: the last continuous price stands until the close is fixed.
    ClosingAuction,
    /// After the close (and on days the venue does not trade).
    Closed,
}

/// A product's state at a moment: the quote.
#[derive(Debug, Clone)]
pub struct Quote {
    pub product: Arc<Product>,
    /// The trading day (venue-local).
    pub date: NaiveDate,
    /// Venue-local time of the quote (seconds).
    pub time: NaiveTime,
    pub phase: Phase,
    pub price: i64,
    pub open: i64,
    pub high: i64,
    pub low: i64,
    pub prev_close: i64,
    pub upper: i64,
    pub lower: i64,
    pub volume: u64,
    /// Traded value in price units × quantity.
    pub value: f64,
    pub prev_volume: u64,
    /// Best ask and bid (0 when the side is empty, e.g. at a limit).
    pub ask: i64,
    pub bid: i64,
    /// Position in the continuous session, `(bar, second)`, when it has started.
    pub at: Option<(usize, u32)>,
}

/// One candle (daily, weekly, monthly, yearly or minute).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candle {
    /// Date of the candle (for periods: the last trading day in it).
    pub date: NaiveDate,
    /// Venue-local time (minute bars; 0 for day candles).
    pub time: NaiveTime,
    pub open: i64,
    pub high: i64,
    pub low: i64,
    pub close: i64,
    pub prev_close: i64,
    pub volume: u64,
    pub value: f64,
}

impl Candle {
    /// The day candle of a day's summary (time 0).
    fn of_day(s: &Summary) -> Candle {
        Candle {
            date: s.date,
            time: NaiveTime::MIN,
            open: s.open,
            high: s.high,
            low: s.low,
            close: s.close,
            prev_close: s.prev_close,
            volume: s.volume,
            value: s.value,
        }
    }
}

/// One trade (a second of the tape).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trade {
    pub date: NaiveDate,
    pub time: NaiveTime,
    pub price: i64,
    /// Quantity traded in this second.
    pub qty: u64,
    /// Cumulative volume of the day after it.
    pub cum_volume: u64,
}

/// One level of the order book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    pub price: i64,
    pub qty: u64,
}

/// The ten-level book.
#[derive(Debug, Clone)]
pub struct Book {
    /// Asks, best (lowest) first.
    pub asks: Vec<Level>,
    /// Bids, best (highest) first.
    pub bids: Vec<Level>,
}

/// Candle period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Day,
    Week,
    Month,
    Year,
}

const EPOCH: (i32, u32, u32) = (2015, 1, 2);

/// A high and a low, each with its date.
type Extremes = ((i64, NaiveDate), (i64, NaiveDate));

/// Daily closes of one product, oldest first.
type Chain = Arc<Vec<(NaiveDate, i64)>>;

/// Most products whose synthesized data (product, closes, days, extremes) the market caches;
/// the universe is about 50, so this bounds only codes made up by clients. The caches hold pure
/// functions of `(seed, product, day)`: dropping them changes no answer.
const MAX_CACHED: usize = 256;

/// Inserts into a per-product cache, emptying it first when it is full.
fn bounded_insert<V>(map: &mut HashMap<String, V>, key: String, value: V) {
    if map.len() >= MAX_CACHED && !map.contains_key(&key) {
        map.clear();
    }
    map.insert(key, value);
}

/// Hours New York is behind UTC at `utc`: 4 from the second Sunday of March to the first
/// Sunday of November (at 2:00 local), 5 otherwise.
pub(crate) fn new_york_offset(utc: NaiveDateTime) -> i64 {
    let y = utc.year();
    let sunday = |m: u32, nth: i64| {
        let first = NaiveDate::from_ymd_opt(y, m, 1).expect("a valid month");
        let off = (7 - first.weekday().num_days_from_sunday() as i64) % 7;
        first + Duration::days(off + 7 * (nth - 1))
    };
    let dst_start = sunday(3, 2).and_hms_opt(7, 0, 0).expect("a valid time");
    let dst_end = sunday(11, 1).and_hms_opt(6, 0, 0).expect("a valid time");
    if utc >= dst_start && utc < dst_end {
        4
    } else {
        5
    }
}

/// The market model.
pub struct Market {
    seed: u64,
    clock: Clock,
    /// Every day on or after this one trades (the sandbox); `None` follows the exchanges.
    every_day_from: Option<NaiveDate>,
    products: HashMap<String, Arc<Product>>,
    order: Vec<Arc<Product>>,
    extra: Mutex<HashMap<String, Arc<Product>>>,
    chains: Mutex<HashMap<String, Chain>>,
    days: Mutex<HashMap<String, HashMap<NaiveDate, Arc<DayPath>>>>,
    summaries: Mutex<HashMap<String, HashMap<NaiveDate, Summary>>>,
    /// Highest high and lowest low of the 250 trading days before a day, by product and day.
    extremes: Mutex<HashMap<String, HashMap<NaiveDate, Extremes>>>,
}

impl std::fmt::Debug for Market {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Market")
            .field("seed", &self.seed)
            .field("products", &self.order.len())
            .finish_non_exhaustive()
    }
}

const YEAR_CODES: &str = "ABCDEFGHJKLMNPQRSTVWXYZ";

fn year_code(year: i32) -> char {
    let i = (year - 2006).rem_euclid(YEAR_CODES.len() as i32) as usize;
    YEAR_CODES.as_bytes()[i] as char
}

/// The second Thursday of a month (KRX derivatives expiry).
fn second_thursday(year: i32, month: u32) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(year, month, 1).expect("a valid month");
    let offset = (7 + Weekday::Thu.num_days_from_monday() as i64
        - first.weekday().num_days_from_monday() as i64)
        % 7;
    first + Duration::days(offset + 7)
}

/// The nearest expiry month on or after `today` among `months`.
fn near_month(today: NaiveDate, quarterly: bool) -> (i32, u32) {
    let (mut y, mut m) = (today.year(), today.month());
    loop {
        if (!quarterly || m % 3 == 0) && second_thursday(y, m) >= today {
            return (y, m);
        }
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
}

impl Market {
    /// A market with `seed` on `clock`, in the sandbox calendar ([`MockCalendar::Sandbox`]).
    #[cfg(test)]
    pub fn new(seed: u64, clock: Clock) -> Market {
        Market::with_calendar(seed, clock, MockCalendar::Sandbox)
    }

    /// A market with `seed` on `clock` whose days trade as `calendar` says: the sandbox
    /// trades every day from the clock's start day on.
    pub fn with_calendar(seed: u64, clock: Clock, calendar: MockCalendar) -> Market {
        let mut order: Vec<Arc<Product>> = product::universe().into_iter().map(Arc::new).collect();
        order.extend(derivatives(clock.today()).into_iter().map(Arc::new));
        let products = order.iter().map(|p| (p.code.clone(), p.clone())).collect();
        let every_day_from = match calendar {
            MockCalendar::Sandbox => Some(clock.start().date()),
            MockCalendar::Krx => None,
        };
        Market {
            seed,
            clock,
            every_day_from,
            products,
            order,
            extra: Mutex::default(),
            chains: Mutex::default(),
            days: Mutex::default(),
            summaries: Mutex::default(),
            extremes: Mutex::default(),
        }
    }

    /// The current KST time.
    pub fn now(&self) -> NaiveDateTime {
        self.clock.now()
    }

    /// The market's clock (to move it forward: [`Clock::advance`]).
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Whether KRX stocks trade on a KST day (the sandbox: every day from the start on).
    pub fn krx_trading_day(&self, date: NaiveDate) -> bool {
        TradingDays {
            exchange: Calendar::Krx,
            every_day_from: self.every_day_from,
        }
        .is_trading_day(date)
    }

    /// The current time as an HTTP `Date` header value.
    pub fn http_date(&self) -> String {
        clock::http_date(self.clock.now())
    }

    /// The products of the universe, KRX first.
    pub fn products(&self) -> &[Arc<Product>] {
        &self.order
    }

    /// The product of a code: the universe's, or a synthesized one for an unknown code.
    /// Codes are matched ignoring a leading `A` (KRX standard short code) and case.
    pub fn product(&self, code: &str) -> Arc<Product> {
        let code = code.trim();
        if let Some(p) = self.listed(code) {
            return p;
        }
        let mut extra = lock(&self.extra);
        if let Some(p) = extra.get(code) {
            return p.clone();
        }
        let p = Arc::new(product::synthetic(code));
        // Bounded: past MAX_CACHED codes a synthesized product is made afresh each time
        // (it is a pure function of its code).
        if extra.len() < MAX_CACHED {
            extra.insert(code.to_owned(), p.clone());
        }
        p
    }

    /// The product of a code when it is in the universe (the fixed products, the near-month
    /// derivatives and the codes added with [`Market::listing`]); `None` for any other code,
    /// which KIS would not know either. Codes are matched as [`Market::product`] matches them.
    pub fn listed(&self, code: &str) -> Option<Arc<Product>> {
        let code = code.trim();
        if let Some(p) = self.products.get(code) {
            return Some(p.clone());
        }
        let upper = code.to_ascii_uppercase();
        if let Some(p) = self.products.get(&upper) {
            return Some(p.clone());
        }
        if let Some(p) = code
            .strip_prefix('A')
            .filter(|c| c.len() == 6)
            .and_then(|c| self.products.get(c))
        {
            return Some(p.clone());
        }
        // Overseas realtime keys: `D` (delayed) or `R` (real) + exchange + symbol, `DNASAAPL`.
        if let Some(p) = upper
            .get(4..)
            .filter(|_| upper.starts_with('D') || upper.starts_with('R'))
            .filter(|_| {
                matches!(
                    upper.get(1..4),
                    Some("NAS" | "NYS" | "AMS" | "BAQ" | "BAY" | "BAA")
                )
            })
            .and_then(|c| self.products.get(c))
        {
            return Some(p.clone());
        }
        None
    }

    /// Adds codes to the universe (synthesized products: a KOSPI stock for six digits), e.g.
    /// the codes of the account's starting positions, so they are known like the fixed ones.
    pub fn listing<'a>(mut self, codes: impl IntoIterator<Item = &'a str>) -> Market {
        for code in codes {
            let code = code.trim();
            if code.is_empty() || self.listed(code).is_some() {
                continue;
            }
            let p = Arc::new(product::synthetic(code));
            self.order.push(p.clone());
            self.products.insert(code.to_owned(), p);
        }
        self
    }

    /// The days a product trades: its exchange's calendar, in the sandbox every day from the
    /// start on.
    fn calendar(&self, p: &Product) -> TradingDays {
        let exchange = if p.venue.is_us() {
            Calendar::Nyse
        } else {
            Calendar::Krx
        };
        TradingDays {
            exchange,
            every_day_from: self.every_day_from,
        }
    }

    /// The venue-local time of a KST time.
    pub fn local(p: &Product, kst: NaiveDateTime) -> NaiveDateTime {
        if !p.venue.is_us() {
            return kst;
        }
        let utc = kst - Duration::hours(9);
        utc - Duration::hours(new_york_offset(utc))
    }

    /// Daily closes of a product from 2015 through at least `until`.
    fn chain(&self, p: &Product, until: NaiveDate) -> Chain {
        if let Some(c) = lock(&self.chains).get(&p.code) {
            if c.last().is_some_and(|l| l.0 >= until) {
                return c.clone();
            }
        }
        let cal = self.calendar(p);
        let epoch = NaiveDate::from_ymd_opt(EPOCH.0, EPOCH.1, EPOCH.2).expect("a valid date");
        let end = until.max(self.clock.today()) + Duration::days(40);
        let v = p.venue;
        let mut out = Vec::with_capacity(3200);
        let mut x = 0.0f64;
        let mut prev = p.base;
        let key = hash_str(&p.code);
        for date in cal.days(epoch, end) {
            let mut rng = Rng::new(&[self.seed, key, date_key(date), 0]);
            x = 0.985 * x + rng.normal() * p.daily_vol;
            let (upper, lower) = v.limits(prev);
            let close = v.round(p.base as f64 * x.exp()).clamp(lower, upper);
            x = (close as f64 / p.base as f64).ln();
            out.push((date, close));
            prev = close;
        }
        let chain = Arc::new(out);
        bounded_insert(&mut lock(&self.chains), p.code.clone(), chain.clone());
        chain
    }

    /// The previous close and close of a trading day.
    fn closes(&self, p: &Product, date: NaiveDate) -> (i64, i64) {
        let chain = self.chain(p, date);
        match chain.binary_search_by_key(&date, |e| e.0) {
            Ok(0) | Err(0) => (p.base, chain.first().map_or(p.base, |e| e.1)),
            Ok(i) => (chain[i - 1].1, chain[i].1),
            Err(i) => (chain[i - 1].1, chain[i - 1].1),
        }
    }

    /// The path of a product's trading day.
    pub fn day(&self, p: &Product, date: NaiveDate) -> Arc<DayPath> {
        if let Some(d) = lock(&self.days)
            .get(p.code.as_str())
            .and_then(|m| m.get(&date))
        {
            return d.clone();
        }
        let (prev, close) = self.closes(p, date);
        let day = Arc::new(DayPath::new(self.seed, p, date, prev, close));
        let mut days = lock(&self.days);
        if days.len() >= MAX_CACHED && !days.contains_key(p.code.as_str()) {
            days.clear();
        }
        let per = days.entry(p.code.clone()).or_default();
        if per.len() > 8 {
            per.clear();
        }
        per.insert(date, day.clone());
        day
    }

    /// A past day's candle (cached).
    fn summary(&self, p: &Product, date: NaiveDate) -> Summary {
        if let Some(s) = lock(&self.summaries)
            .get(p.code.as_str())
            .and_then(|m| m.get(&date))
        {
            return *s;
        }
        let (prev, close) = self.closes(p, date);
        let s = DayPath::new(self.seed, p, date, prev, close).summary();
        let mut summaries = lock(&self.summaries);
        if summaries.len() >= MAX_CACHED && !summaries.contains_key(p.code.as_str()) {
            summaries.clear();
        }
        summaries.entry(p.code.clone()).or_default().insert(date, s);
        s
    }

    /// The quote of a product now.
    pub fn quote(&self, code: &str) -> Quote {
        self.quote_at(&self.product(code), self.now())
    }

    /// The quote of a product at a KST time.
    pub fn quote_at(&self, p: &Arc<Product>, kst: NaiveDateTime) -> Quote {
        let local = Self::local(p, kst);
        let cal = self.calendar(p);
        let hours = Hours::of(p.venue);
        let trading = cal.is_trading_day(local.date());
        let date = cal.on_or_before(local.date());
        let day = self.day(p, date);
        let prev_volume = self.summary(p, cal.previous(date)).volume;
        let t = if trading { local.time() } else { hours.close };
        let t = NaiveTime::from_num_seconds_from_midnight_opt(secs(t), 0).unwrap_or(t);
        let v = p.venue;
        let mut q = Quote {
            product: p.clone(),
            date,
            time: t,
            phase: Phase::PreOpen,
            price: day.prev_close,
            open: day.prev_close,
            high: day.prev_close,
            low: day.prev_close,
            prev_close: day.prev_close,
            upper: day.upper,
            lower: day.lower,
            volume: 0,
            value: 0.0,
            prev_volume,
            ask: 0,
            bid: 0,
            at: None,
        };
        let start = secs(hours.open);
        let now = secs(t);
        let n = day.bars.len();
        if now < start {
            // Pre-open: nothing traded yet.
        } else if now < start + hours.bars * 60 {
            let off = now - start;
            let (i, k) = ((off / 60) as usize, off % 60);
            let (h, l) = day.range_at(v, i, k);
            q.phase = Phase::Continuous;
            q.price = day.price(v, i, k);
            q.open = day.bars[0].open;
            q.high = h;
            q.low = l;
            q.volume = day.volume_at(i, k);
            q.value = day.value_at(v, i, k);
            q.at = Some((i, k));
        } else {
            let s = day.summary();
            q.open = s.open;
            q.at = Some((n - 1, 59));
            if t < hours.close {
                let (vol, val) = day.continuous_totals();
                q.phase = Phase::ClosingAuction;
                q.price = day.bars[n - 1].close;
                q.high = s.high;
                q.low = s.low;
                q.volume = vol;
                q.value = val;
            } else {
                q.phase = Phase::Closed;
                q.price = s.close;
                q.high = s.high;
                q.low = s.low;
                q.volume = s.volume;
                q.value = s.value;
            }
        }
        let (ask, bid) = Self::touch(&q, &day);
        q.ask = ask;
        q.bid = bid;
        q
    }

    /// Best ask and bid around the last price: the last trade is at the ask when the price
    /// just rose (or at the open), at the bid otherwise.
    fn touch(q: &Quote, day: &DayPath) -> (i64, i64) {
        let v = q.product.venue;
        let rose = match q.at {
            Some((i, k)) if k > 0 || i > 0 => {
                let (pi, pk) = if k > 0 { (i, k - 1) } else { (i - 1, 59) };
                q.price >= day.price(v, pi, pk)
            }
            _ => true,
        };
        let (ask, bid) = if rose {
            (q.price, v.down(q.price))
        } else {
            (v.up(q.price), q.price)
        };
        let ask = if ask > q.upper { 0 } else { ask };
        let bid = if bid < q.lower || bid == ask { 0 } else { bid };
        (ask, bid)
    }

    /// The ten-level book of a quote: asks rise and bids fall a tick at a time from the touch,
    /// never beyond the daily limits; quantities are seeded per second.
    pub fn book(&self, q: &Quote) -> Book {
        let v = q.product.venue;
        let second = u64::from(secs(q.time));
        let mut rng = Rng::new(&[
            self.seed,
            hash_str(&q.product.code),
            date_key(q.date),
            second,
            7,
        ]);
        let lot = (q.product.avg_volume / 4_000).max(5);
        let mut side = |best: i64, up: bool| {
            let mut levels = Vec::with_capacity(10);
            let mut price = best;
            for k in 0..10u64 {
                if price <= 0 || price > q.upper || price < q.lower {
                    break;
                }
                let qty = lot * (1 + k / 2) * rng.range(50, 150) / 100;
                levels.push(Level {
                    price,
                    qty: qty.max(1),
                });
                price = if up { v.up(price) } else { v.down(price) };
                if !up && price == levels.last().map_or(0, |l| l.price) {
                    break;
                }
            }
            levels
        };
        let asks = if q.ask > 0 {
            side(q.ask, true)
        } else {
            Vec::new()
        };
        let bids = if q.bid > 0 {
            side(q.bid, false)
        } else {
            Vec::new()
        };
        Book { asks, bids }
    }

    /// The last `count` trades up to the quote's moment, newest first (one per second).
    pub fn trades(&self, q: &Quote, count: usize) -> Vec<Trade> {
        let Some((i, k)) = q.at else {
            return Vec::new();
        };
        let v = q.product.venue;
        let day = self.day(&q.product, q.date);
        let hours = Hours::of(v);
        let mut out = Vec::with_capacity(count);
        let mut s = (i as u32) * 60 + k;
        loop {
            let (bi, bk) = ((s / 60) as usize, s % 60);
            let cum = day.volume_at(bi, bk);
            let before = if s == 0 {
                0
            } else {
                day.volume_at(((s - 1) / 60) as usize, (s - 1) % 60)
            };
            out.push(Trade {
                date: q.date,
                time: hours.open + Duration::seconds(i64::from(s)),
                price: day.price(v, bi, bk),
                qty: cum - before,
                cum_volume: cum,
            });
            if out.len() >= count || s == 0 {
                break;
            }
            s -= 1;
        }
        out
    }

    /// The trade of the quote's second (the tape's newest entry), if trading has started.
    pub fn last_trade(&self, q: &Quote) -> Option<Trade> {
        self.trades(q, 1).into_iter().next()
    }

    /// Minute candles up to `until` (venue-local, today), newest first, at most `count`.
    pub fn minutes(&self, q: &Quote, until: NaiveTime, count: usize) -> Vec<Candle> {
        let Some((ni, nk)) = q.at else {
            return Vec::new();
        };
        let v = q.product.venue;
        let day = self.day(&q.product, q.date);
        let hours = Hours::of(v);
        let limit = secs(until).saturating_sub(secs(hours.open)) / 60;
        let last = (ni as u32).min(limit) as usize;
        if secs(until) < secs(hours.open) {
            return Vec::new();
        }
        let mut out = Vec::with_capacity(count);
        for i in (0..=last).rev().take(count) {
            let b = &day.bars[i];
            let before = if i == 0 { 0 } else { day.volume_at(i - 1, 59) };
            let (close, high, low, vol) = if i == ni {
                let (mut h, mut l) = (i64::MIN, i64::MAX);
                for s in 0..=nk {
                    let p = day.price(v, i, s);
                    h = h.max(p);
                    l = l.min(p);
                }
                (q.price, h, l, day.volume_at(i, nk) - before)
            } else {
                (b.close, b.high, b.low, day.volume_at(i, 59) - before)
            };
            out.push(Candle {
                date: q.date,
                time: hours.bar_time(i as u32),
                open: b.open,
                high,
                low,
                close,
                prev_close: day.prev_close,
                volume: vol,
                value: vol as f64 * close as f64,
            });
        }
        out
    }

    /// Day (or week, month, year) candles of `from..=to` (clamped to the quote's day), newest
    /// first, at most `count`; the newest day candle is the quote itself.
    pub fn candles(
        &self,
        q: &Quote,
        from: NaiveDate,
        to: NaiveDate,
        period: Period,
        count: usize,
    ) -> Vec<Candle> {
        let p = &q.product;
        let cal = self.calendar(p);
        let to = to.min(q.date);
        let epoch = NaiveDate::from_ymd_opt(EPOCH.0 + 1, 1, 2).expect("a valid date");
        let from = from.max(epoch);
        if from > to {
            return Vec::new();
        }
        let key = |d: NaiveDate| -> (i32, u32) {
            match period {
                Period::Day => (d.year(), d.ordinal()),
                Period::Week => (d.iso_week().year(), d.iso_week().week()),
                Period::Month => (d.year(), d.month()),
                Period::Year => (d.year(), 0),
            }
        };
        let mut out: Vec<Candle> = Vec::new();
        let mut group: Option<(i32, u32)> = None;
        let mut d = to;
        // Walk back day by day; stop once `count` groups are complete.
        while d >= from {
            if cal.is_trading_day(d) {
                let s = if d == q.date {
                    Summary {
                        date: d,
                        open: q.open,
                        high: q.high,
                        low: q.low,
                        close: q.price,
                        prev_close: q.prev_close,
                        volume: q.volume,
                        value: q.value,
                    }
                } else {
                    self.summary(p, d)
                };
                let k = key(d);
                if group == Some(k) {
                    let c = out.last_mut().expect("a group has a candle");
                    c.open = s.open;
                    c.high = c.high.max(s.high);
                    c.low = c.low.min(s.low);
                    c.prev_close = s.prev_close;
                    c.volume += s.volume;
                    c.value += s.value;
                } else {
                    if out.len() >= count {
                        break;
                    }
                    group = Some(k);
                    out.push(Candle::of_day(&s));
                }
            }
            d -= Duration::days(1);
        }
        out
    }

    /// Highest high and lowest low (with their dates) over the 52 weeks up to the quote.
    pub fn extremes(&self, q: &Quote) -> Extremes {
        let p = &q.product;
        let cached = lock(&self.extremes)
            .get(p.code.as_str())
            .and_then(|m| m.get(&q.date))
            .copied();
        let past = cached.unwrap_or_else(|| {
            let cal = self.calendar(p);
            let prev = cal.previous(q.date);
            let from = q.date - Duration::days(365);
            let mut hi = (i64::MIN, prev);
            let mut lo = (i64::MAX, prev);
            for d in cal.days(from, prev) {
                let s = self.summary(p, d);
                if s.high > hi.0 {
                    hi = (s.high, d);
                }
                if s.low < lo.0 {
                    lo = (s.low, d);
                }
            }
            let mut extremes = lock(&self.extremes);
            if extremes.len() >= MAX_CACHED && !extremes.contains_key(p.code.as_str()) {
                extremes.clear();
            }
            extremes
                .entry(p.code.clone())
                .or_default()
                .insert(q.date, (hi, lo));
            (hi, lo)
        });
        let hi = if q.high > past.0.0 {
            (q.high, q.date)
        } else {
            past.0
        };
        let lo = if q.low < past.1.0 {
            (q.low, q.date)
        } else {
            past.1
        };
        (hi, lo)
    }
}

/// KOSPI200 near-month futures (quarterly) and a few near-month options around the money.
fn derivatives(today: NaiveDate) -> Vec<Product> {
    let (fy, fm) = near_month(today, true);
    let future = Product {
        code: format!("101{}{:02}", year_code(fy), fm),
        name: format!("KOSPI200 F {fy}{fm:02}"),
        kor_name: format!("코스피200 F {fy}{fm:02}"),
        eng_name: format!("KOSPI200 F {fy}{fm:02}"),
        venue: Venue::KrxFutures,
        class: Class::Future,
        base: 35_000,
        daily_vol: 0.012,
        avg_volume: 200_000,
    };
    let (oy, om) = near_month(today, false);
    let month = std::char::from_digit(om, 36).map_or('1', |c| c.to_ascii_uppercase());
    let mut out = vec![future];
    for strike in [340i64, 350, 360] {
        for (prefix, kind, sign) in [("201", "C", 1i64), ("301", "P", -1)] {
            let intrinsic = (sign * (35_000 - strike * 100)).max(0);
            let base = Venue::KrxOptions.round((intrinsic + 250) as f64);
            out.push(Product {
                code: format!("{prefix}{}{month}{strike}", year_code(oy)),
                name: format!("KOSPI200 {kind} {oy}{om:02} {strike}.0"),
                kor_name: format!("코스피200 {kind} {oy}{om:02} {strike}.0"),
                eng_name: format!("KOSPI200 {kind} {oy}{om:02} {strike}.0"),
                venue: Venue::KrxOptions,
                class: Class::Option,
                base,
                daily_vol: 0.08,
                avg_volume: 50_000,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::clock::MockClock;
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> Market {
        let start = NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap();
        Market::new(
            42,
            Clock::new(MockClock::Simulated {
                start: Some(start),
                speed: 1.0,
            }),
        )
    }

    #[test]
    fn codes_of_derivatives() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let d = derivatives(today);
        assert_eq!(d[0].code, "101X12");
        assert_eq!(d[1].code, "201XC340");
        assert_eq!(year_code(2025), 'W');
        assert_eq!(
            second_thursday(2026, 12),
            NaiveDate::from_ymd_opt(2026, 12, 10).unwrap()
        );
    }

    #[test]
    fn quote_book_and_candles_agree() {
        let m = at(2026, 11, 26, 10, 30);
        for code in ["005930", "000660", "069500", "AAPL", "101X12"] {
            let q = m.quote(code);
            let v = q.product.venue;
            assert!(v.on_grid(q.price), "{code} {}", q.price);
            assert!(q.low <= q.price && q.price <= q.high, "{code}");
            assert!(q.lower <= q.low && q.high <= q.upper, "{code}");
            let b = m.book(&q);
            if let (Some(a), Some(bid)) = (b.asks.first(), b.bids.first()) {
                assert!(a.price > bid.price);
                assert!(a.price == q.price || bid.price == q.price);
            }
            let to = q.date;
            let c = m.candles(&q, to - Duration::days(400), to, Period::Day, 500);
            assert!(c.len() > 240, "{code} {}", c.len());
            assert_eq!(c[0].close, q.price);
            for w in c.windows(2) {
                assert!(w[0].date > w[1].date);
                assert_eq!(w[0].prev_close, w[1].close, "{code} chained closes");
            }
        }
        assert_ne!(m.quote("005930").price, m.quote("000660").price);
        assert_eq!(m.product("DNASAAPL").code, "AAPL");
        assert_eq!(m.product("A005930").code, "005930");
    }

    #[test]
    fn same_seed_same_day() {
        let a = at(2026, 11, 26, 14, 0);
        let b = at(2026, 11, 26, 14, 0);
        let (qa, qb) = (a.quote("035720"), b.quote("035720"));
        assert_eq!((qa.open, qa.high, qa.low), (qb.open, qb.high, qb.low));
        let q = a.quote("035720");
        assert_eq!(
            a.minutes(&q, q.time, 30),
            b.minutes(&b.quote("035720"), q.time, 30)
        );
    }
}
