//! The product universe: real codes with names, venues and plausible base prices, and the tick
//! and price-limit rules of each venue.

use std::fmt;

/// Where a product trades; decides its calendar, session hours, tick grid and price limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Venue {
    /// KRX KOSPI market (stocks).
    Kospi,
    /// KRX KOSDAQ market (stocks).
    Kosdaq,
    /// KRX-listed ETF (KOSPI market, ETF tick rules).
    KrxEtf,
    /// KRX derivatives: KOSPI200 futures.
    KrxFutures,
    /// KRX derivatives: KOSPI200 options.
    KrxOptions,
    /// NASDAQ (KIS `NAS` / `NASD`).
    Nasdaq,
    /// NYSE (KIS `NYS` / `NYSE`).
    Nyse,
    /// NYSE American / Arca ETFs as KIS labels them (`AMS` / `AMEX`).
    Amex,
}

impl Venue {
    /// True for US venues (prices in USD cents, New York session and calendar).
    pub fn is_us(self) -> bool {
        matches!(self, Venue::Nasdaq | Venue::Nyse | Venue::Amex)
    }

    /// True for KRX derivatives (prices in 1/100 index points).
    pub fn is_derivative(self) -> bool {
        matches!(self, Venue::KrxFutures | Venue::KrxOptions)
    }

    /// Decimal places of the wire price (0 for KRW, 2 for USD and index points).
    pub fn decimals(self) -> u32 {
        if self.is_us() || self.is_derivative() {
            2
        } else {
            0
        }
    }

    /// KIS's three-letter exchange code for quotes (`EXCD`), or `KRX`.
    pub fn excd(self) -> &'static str {
        match self {
            Venue::Nasdaq => "NAS",
            Venue::Nyse => "NYS",
            Venue::Amex => "AMS",
            _ => "KRX",
        }
    }

    /// The tick size at `price` (both in price units: KRW, cents, 1/100 points).
    ///
    /// KRX stocks follow the unified schedule in force since 2023-01-25 (KOSPI and KOSDAQ
    /// alike): below 2,000 KRW 1; below 5,000 5; below 20,000 10; below 50,000 50; below
    /// 200,000 100; below 500,000 500; from 500,000 1,000. ETFs: 1 below 2,000, else 5.
    /// KOSPI200 futures 0.05 pt; KOSPI200 options 0.01 pt below 10 pt, else 0.05 pt; US
    /// stocks USD 0.01.
    pub fn tick(self, price: i64) -> i64 {
        match self {
            Venue::Kospi | Venue::Kosdaq => {
                const SCHEDULE: [(i64, i64); 6] = [
                    (2_000, 1),
                    (5_000, 5),
                    (20_000, 10),
                    (50_000, 50),
                    (200_000, 100),
                    (500_000, 500),
                ];
                SCHEDULE
                    .iter()
                    .find(|(below, _)| price < *below)
                    .map_or(1_000, |(_, tick)| *tick)
            }
            Venue::KrxEtf => {
                if price < 2_000 {
                    1
                } else {
                    5
                }
            }
            Venue::KrxFutures => 5,
            Venue::KrxOptions => {
                if price < 1_000 {
                    1
                } else {
                    5
                }
            }
            Venue::Nasdaq | Venue::Nyse | Venue::Amex => 1,
        }
    }

    /// Whether `price` lies on the tick grid.
    pub fn on_grid(self, price: i64) -> bool {
        price > 0 && price % self.tick(price) == 0
    }

    /// `price` rounded to the nearest grid price (at least one tick).
    pub fn round(self, price: f64) -> i64 {
        let p = price.max(1.0);
        let tick = self.tick(p.floor() as i64);
        (((p / tick as f64).round() as i64) * tick).max(tick)
    }

    /// The largest grid price not above `price`.
    pub fn floor(self, price: i64) -> i64 {
        let tick = self.tick(price);
        (price - price.rem_euclid(tick)).max(tick)
    }

    /// The smallest grid price not below `price`.
    pub fn ceil(self, price: i64) -> i64 {
        let f = self.floor(price);
        if f >= price { f } else { self.up(f) }
    }

    /// The next grid price above `price` (a grid price).
    pub fn up(self, price: i64) -> i64 {
        price + self.tick(price)
    }

    /// The next grid price below `price` (a grid price), at least one tick.
    pub fn down(self, price: i64) -> i64 {
        let below = price - 1;
        if below < 1 {
            return price;
        }
        self.floor(below)
    }

    /// Daily price limits from the base (previous close): KRX stocks and ETFs ±30 %, KOSPI200
    /// futures and options ±20 % (the widest of KRX's three stages), both cut to the grid
    /// inward. US venues have no daily limits; the mock uses ±90 % as a guard only.
    pub fn limits(self, base: i64) -> (i64, i64) {
        let pct = match self {
            Venue::Kospi | Venue::Kosdaq | Venue::KrxEtf => 30,
            Venue::KrxFutures | Venue::KrxOptions => 20,
            _ => 90,
        };
        let width = base * pct / 100;
        let upper = self.floor(base + width);
        let lower = self.ceil((base - width).max(1));
        (upper, lower)
    }
}

/// What kind of instrument a product is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Common stock.
    Stock,
    /// Exchange-traded fund.
    Etf,
    /// Index future.
    Future,
    /// Index option.
    Option,
}

/// One tradable product of the simulated market.
#[derive(Clone, PartialEq)]
pub struct Product {
    /// Code as KIS spells it (`005930`, `AAPL`, `101X12`).
    pub code: String,
    /// Display name: Korean for KRX products (`삼성전자`), English for US ones.
    pub name: String,
    /// Korean name (`삼성전자`, `애플`).
    pub kor_name: String,
    /// English name (`Samsung Electronics`, `Apple Inc`).
    pub eng_name: String,
    /// Where it trades.
    pub venue: Venue,
    /// What it is.
    pub class: Class,
    /// Plausible price level in price units (KRW, US cents, 1/100 points); the simulated path
    /// wanders around it.
    pub base: i64,
    /// Daily volatility of the path (standard deviation of the log return).
    pub daily_vol: f64,
    /// Typical daily volume in shares or contracts.
    pub avg_volume: u64,
}

impl fmt::Debug for Product {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ({:?})", self.code, self.name, self.venue)
    }
}

impl Product {
    /// Formats a price in price units as KIS sends it (`74000`, `195.25`).
    pub fn fmt_price(&self, units: i64) -> String {
        fmt_units(units, self.venue.decimals())
    }

    /// The ISIN (`std_pdno`): KRX products `KR7` (stocks, ETFs) or `KR4` (derivatives) + the
    /// code + `00` + check digit (`005930` → `KR7005930003`); US products their own.
    pub fn isin(&self) -> String {
        if let Some((_, isin)) = US_ISINS.iter().find(|(c, _)| *c == self.code) {
            return (*isin).to_owned();
        }
        let country = if self.venue.is_us() { "US" } else { "KR" };
        let kind = if self.venue.is_derivative() { '4' } else { '7' };
        let mut body: String = format!("{country}{kind}{:0>6}", self.code)
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect();
        body.truncate(9);
        while body.len() < 11 {
            body.push('0');
        }
        let check = isin_check_digit(&body);
        format!("{body}{check}")
    }

    /// KIS's product type code (`PRDT_TYPE_CD`): 300 KRX stock or ETF, 301 KRX futures and
    /// options, 512 NASDAQ, 513 NYSE, 529 AMEX.
    pub fn type_code(&self) -> &'static str {
        match self.venue {
            Venue::Kospi | Venue::Kosdaq | Venue::KrxEtf => "300",
            Venue::KrxFutures | Venue::KrxOptions => "301",
            Venue::Nasdaq => "512",
            Venue::Nyse => "513",
            Venue::Amex => "529",
        }
    }

    /// KRX market ID (`mket_id_cd`): `STK` KOSPI (ETFs included), `KSQ` KOSDAQ, `SPI` index
    /// derivatives; empty for US products.
    pub fn market_id(&self) -> &'static str {
        match self.venue {
            Venue::Kospi | Venue::KrxEtf => "STK",
            Venue::Kosdaq => "KSQ",
            Venue::KrxFutures | Venue::KrxOptions => "SPI",
            _ => "",
        }
    }

    /// Security group (`scty_grp_id_cd`): `ST` stock, `EF` ETF, `FU` future, `OP` option.
    pub fn security_group(&self) -> &'static str {
        match self.class {
            Class::Stock => "ST",
            Class::Etf => "EF",
            Class::Future => "FU",
            Class::Option => "OP",
        }
    }

    /// The listing date, seeded by the code (a pure function of it): between 1975 and 2019.
    pub fn listed_on(&self) -> chrono::NaiveDate {
        let h = crate::market::rng::hash(&[0x1157, crate::market::rng::hash_str(&self.code)]);
        let year = 1975 + (h % 45) as i32;
        let ordinal = 1 + ((h >> 16) % 360) as u32;
        chrono::NaiveDate::from_yo_opt(year, ordinal).unwrap_or(chrono::NaiveDate::MIN)
    }

    /// Listed shares (units for ETFs), seeded by the code: about 50 days of typical volume.
    pub fn listed_shares(&self) -> u64 {
        let h = crate::market::rng::hash(&[0x5a4e, crate::market::rng::hash_str(&self.code)]);
        self.avg_volume.saturating_mul(40 + h % 40)
    }
}

/// The ISINs of the US products (published identifiers).
const US_ISINS: &[(&str, &str)] = &[
    ("AAPL", "US0378331005"),
    ("TSLA", "US88160R1014"),
    ("MSFT", "US5949181045"),
    ("NVDA", "US67066G1040"),
    ("AMZN", "US0231351067"),
    ("GOOGL", "US02079K3059"),
    ("JPM", "US46625H1005"),
    ("KO", "US1912161007"),
    ("IBM", "US4592001014"),
    ("SPY", "US78462F1030"),
    ("GLD", "US78463V1070"),
];

/// The ISIN check digit of 11 characters (letters count as 10..35; Luhn over the digits).
pub fn isin_check_digit(body: &str) -> u32 {
    let digits: Vec<u32> = body
        .chars()
        .flat_map(|c| {
            let v = c.to_digit(36).unwrap_or(0);
            if v >= 10 {
                vec![v / 10, v % 10]
            } else {
                vec![v]
            }
        })
        .collect();
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                let x = d * 2;
                x / 10 + x % 10
            } else {
                *d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

/// Formats `units` with `decimals` implied decimal places.
pub fn fmt_units(units: i64, decimals: u32) -> String {
    if decimals == 0 {
        return units.to_string();
    }
    let scale = 10i64.pow(decimals);
    let sign = if units < 0 { "-" } else { "" };
    let a = units.unsigned_abs() as i64;
    format!(
        "{sign}{}.{:0width$}",
        a / scale,
        a % scale,
        width = decimals as usize
    )
}

/// A product: code, Korean and English names, venue, class, base price, volatility, volume.
#[allow(clippy::too_many_arguments)]
fn p(
    code: &str,
    kor: &str,
    eng: &str,
    venue: Venue,
    class: Class,
    base: i64,
    vol: f64,
    avg: u64,
) -> Product {
    Product {
        code: code.into(),
        name: if venue.is_us() { eng } else { kor }.into(),
        kor_name: kor.into(),
        eng_name: eng.into(),
        venue,
        class,
        base,
        daily_vol: vol,
        avg_volume: avg,
    }
}

/// The fixed universe (futures and options codes are added by the market for the current
/// near month).
#[rustfmt::skip]
pub fn universe() -> Vec<Product> {
    use Class::{Etf, Stock};
    use Venue::*;
    vec![
        p("005930", "삼성전자", "Samsung Electronics", Kospi, Stock, 74_000, 0.018, 15_000_000),
        p("000660", "SK하이닉스", "SK hynix", Kospi, Stock, 212_000, 0.027, 3_500_000),
        p("373220", "LG에너지솔루션", "LG Energy Solution", Kospi, Stock, 362_000, 0.025, 300_000),
        p("207940", "삼성바이오로직스", "Samsung Biologics", Kospi, Stock, 1_050_000, 0.018, 60_000),
        p("005380", "현대차", "Hyundai Motor", Kospi, Stock, 215_000, 0.019, 700_000),
        p("000270", "기아", "Kia", Kospi, Stock, 98_000, 0.019, 1_200_000),
        p("035420", "NAVER", "NAVER", Kospi, Stock, 192_000, 0.022, 600_000),
        p("035720", "카카오", "Kakao", Kospi, Stock, 42_300, 0.024, 1_800_000),
        p("051910", "LG화학", "LG Chem", Kospi, Stock, 312_000, 0.026, 250_000),
        p("006400", "삼성SDI", "Samsung SDI", Kospi, Stock, 281_000, 0.027, 300_000),
        p("068270", "셀트리온", "Celltrion", Kospi, Stock, 181_000, 0.021, 700_000),
        p("105560", "KB금융", "KB Financial Group", Kospi, Stock, 82_400, 0.017, 1_100_000),
        p("055550", "신한지주", "Shinhan Financial Group", Kospi, Stock, 52_300, 0.016, 1_300_000),
        p("005490", "POSCO홀딩스", "POSCO Holdings", Kospi, Stock, 351_000, 0.022, 250_000),
        p("012330", "현대모비스", "Hyundai Mobis", Kospi, Stock, 242_000, 0.017, 200_000),
        p("028260", "삼성물산", "Samsung C&T", Kospi, Stock, 141_000, 0.017, 250_000),
        p("066570", "LG전자", "LG Electronics", Kospi, Stock, 95_300, 0.021, 600_000),
        p("017670", "SK텔레콤", "SK Telecom", Kospi, Stock, 52_100, 0.011, 400_000),
        p("015760", "한국전력", "Korea Electric Power", Kospi, Stock, 21_350, 0.019, 2_000_000),
        p("010140", "삼성중공업", "Samsung Heavy Industries", Kospi, Stock, 11_480, 0.028, 6_000_000),
        p("247540", "에코프로비엠", "EcoPro BM", Kosdaq, Stock, 182_300, 0.034, 700_000),
        p("196170", "알테오젠", "Alteogen", Kosdaq, Stock, 331_500, 0.035, 300_000),
        p("293490", "카카오게임즈", "Kakao Games", Kosdaq, Stock, 18_930, 0.025, 500_000),
        p("263750", "펄어비스", "Pearl Abyss", Kosdaq, Stock, 38_150, 0.028, 300_000),
        p("069500", "KODEX 200", "KODEX 200", KrxEtf, Etf, 35_420, 0.012, 5_000_000),
        p("122630", "KODEX 레버리지", "KODEX LEVERAGE", KrxEtf, Etf, 18_275, 0.024, 20_000_000),
        p("252670", "KODEX 200선물인버스2X", "KODEX 200 FUTURES INVERSE 2X", KrxEtf, Etf, 2_105, 0.024, 80_000_000),
        p("229200", "KODEX 코스닥150", "KODEX KOSDAQ150", KrxEtf, Etf, 12_090, 0.016, 3_000_000),
        p("102110", "TIGER 200", "TIGER 200", KrxEtf, Etf, 35_480, 0.012, 800_000),
        p("360750", "TIGER 미국S&P500", "TIGER US S&P500", KrxEtf, Etf, 19_655, 0.010, 2_000_000),
        p("AAPL", "애플", "Apple Inc", Nasdaq, Stock, 19_525, 0.016, 55_000_000),
        p("TSLA", "테슬라", "Tesla Inc", Nasdaq, Stock, 25_310, 0.035, 95_000_000),
        p("MSFT", "마이크로소프트", "Microsoft Corp", Nasdaq, Stock, 42_180, 0.014, 20_000_000),
        p("NVDA", "엔비디아", "NVIDIA Corp", Nasdaq, Stock, 12_045, 0.030, 250_000_000),
        p("AMZN", "아마존닷컴", "Amazon.com Inc", Nasdaq, Stock, 18_520, 0.019, 40_000_000),
        p("GOOGL", "알파벳 A", "Alphabet Inc Class A", Nasdaq, Stock, 17_010, 0.018, 25_000_000),
        p("JPM", "JP모간 체이스", "JPMorgan Chase & Co", Nyse, Stock, 20_115, 0.013, 9_000_000),
        p("KO", "코카콜라", "Coca-Cola Co", Nyse, Stock, 6_230, 0.009, 13_000_000),
        p("IBM", "IBM", "International Business Machines", Nyse, Stock, 18_040, 0.013, 4_000_000),
        p("SPY", "SPDR S&P 500 ETF", "SPDR S&P 500 ETF Trust", Amex, Etf, 54_010, 0.010, 60_000_000),
        p("GLD", "SPDR 골드 셰어즈", "SPDR Gold Shares", Amex, Etf, 22_055, 0.009, 8_000_000),
    ]
}

/// A product for a code outside the universe: a KOSPI stock named after the code, priced by
/// a hash of the code (on the grid), so every code answers consistently.
pub fn synthetic(code: &str) -> Product {
    let h = crate::market::rng::hash(&[0x5eed, crate::market::rng::hash_str(code)]);
    let venue = if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Venue::Kospi
    } else if code.bytes().all(|b| b.is_ascii_uppercase() || b == b'.') && !code.is_empty() {
        Venue::Nasdaq
    } else {
        Venue::Kospi
    };
    let base = if venue.is_us() {
        2_000 + (h % 30_000) as i64
    } else {
        venue.round(3_000.0 + (h % 120_000) as f64)
    };
    p(
        code,
        &format!("모의종목{code}"),
        &format!("{code} (simulated)"),
        venue,
        Class::Stock,
        base,
        0.02,
        500_000,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn krx_tick_schedule_2023() {
        let v = Venue::Kospi;
        for (price, tick) in [
            (1_999, 1),
            (2_000, 5),
            (4_995, 5),
            (5_000, 10),
            (19_990, 10),
            (20_000, 50),
            (49_950, 50),
            (50_000, 100),
            (128_500, 100),
            (199_900, 100),
            (200_000, 500),
            (499_500, 500),
            (500_000, 1_000),
        ] {
            assert_eq!(v.tick(price), tick, "{price}");
        }
        assert!(v.on_grid(74_100));
        assert!(!v.on_grid(74_050));
        assert_eq!(Venue::KrxEtf.tick(35_420), 5);
    }

    #[test]
    fn limits_are_thirty_percent_cut_inward() {
        let (up, low) = Venue::Kospi.limits(74_000);
        assert_eq!((up, low), (96_200, 51_800));
        let (up, low) = Venue::Kospi.limits(21_350);
        assert!(Venue::Kospi.on_grid(up) && Venue::Kospi.on_grid(low));
        assert!(up <= 21_350 * 13 / 10 && low * 10 >= 21_350 * 7);
    }

    #[test]
    fn universe_is_on_grid_and_unique() {
        let all = universe();
        assert!(all.iter().filter(|p| !p.venue.is_us()).count() >= 20);
        let mut codes: Vec<&str> = all.iter().map(|p| p.code.as_str()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        for p in &all {
            assert!(p.venue.on_grid(p.base), "{p:?}");
        }
    }

    #[test]
    fn isins_carry_their_check_digit() {
        for p in universe() {
            let isin = p.isin();
            assert_eq!(isin.len(), 12, "{isin}");
            let check = isin_check_digit(&isin[..11]);
            assert_eq!(isin[11..], check.to_string(), "{p:?} {isin}");
        }
        let samsung = universe().into_iter().next().unwrap();
        assert_eq!(samsung.isin(), "KR7005930003");
        assert!(!samsung.eng_name.is_empty() && samsung.kor_name == "삼성전자");
    }

    proptest! {
        #[test]
        fn rounding_lands_on_grid(x in 1.0f64..3_000_000.0) {
            for v in [Venue::Kospi, Venue::KrxEtf, Venue::KrxFutures, Venue::KrxOptions, Venue::Nasdaq] {
                let r = v.round(x);
                prop_assert!(v.on_grid(r), "{v:?} {x} -> {r}");
                prop_assert!(v.on_grid(v.up(r)) && v.up(r) > r);
                let d = v.down(r);
                prop_assert!(v.on_grid(d) && d <= r);
                let xi = x as i64;
                prop_assert!(v.floor(xi) <= xi.max(v.tick(xi)) && v.on_grid(v.floor(xi)));
                prop_assert!(v.ceil(xi) >= xi && v.on_grid(v.ceil(xi)));
            }
        }
    }
}
