//! The ledger's vocabulary: accounts, local order ids, sides, order kinds, venues, intents,
//! fills and order states.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::error::LedgerError;

/// The account an order belongs to: the 8-digit number (CANO) and the 2-digit product code
/// (ACNT_PRDT_CD), kept as 10 digits. `Debug` and `Display` show it masked (`1234****-01`).
///
/// ```
/// use kis::ledger::AccountKey;
/// let a = AccountKey::parse("12345678-01").unwrap();
/// assert_eq!(a, AccountKey::parse("1234567801").unwrap());
/// assert_eq!(a.to_string(), "1234****-01");
/// assert_eq!(format!("{a:?}"), "AccountKey(1234****-01)");
/// assert!(AccountKey::parse("1234").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountKey(String);

impl AccountKey {
    /// Reads `12345678-01` or `1234567801` (8 digits of account number, 2 of product code).
    pub fn parse(text: &str) -> Result<AccountKey, LedgerError> {
        let digits: String = text.chars().filter(|c| *c != '-').collect();
        if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(LedgerError::Invalid {
                field: "account",
                reason: "expected 8 digits of account number and 2 of product code".into(),
            });
        }
        Ok(AccountKey(digits))
    }

    /// The 8-digit account number (CANO). Not for logs.
    pub fn cano(&self) -> &str {
        &self.0[..8]
    }

    /// The 2-digit product code (ACNT_PRDT_CD).
    pub fn product(&self) -> &str {
        &self.0[8..]
    }

    /// `1234****-01`: what logs and file names show.
    pub fn masked(&self) -> String {
        format!("{}****-{}", &self.0[..4], &self.0[8..])
    }
}

impl TryFrom<String> for AccountKey {
    type Error = LedgerError;
    fn try_from(s: String) -> Result<AccountKey, LedgerError> {
        AccountKey::parse(&s)
    }
}

impl From<AccountKey> for String {
    fn from(a: AccountKey) -> String {
        a.0
    }
}

impl fmt::Display for AccountKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for AccountKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountKey({})", self.masked())
    }
}

/// A local order id: stable for the order's whole life (every KIS order number of its modify
/// chain), monotonic within a ledger, shown as `L17`.
///
/// ```
/// assert_eq!(kis::ledger::OrderId(17).to_string(), "L17");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrderId(pub u64);

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "L{}", self.0)
    }
}

/// Buy or sell (KIS `SLL_BUY_DVSN_CD`: 01 sell, 02 buy).
///
/// ```
/// use kis::ledger::Side;
/// assert_eq!(Side::from_kis("01"), Some(Side::Sell));
/// assert_eq!(Side::Buy.kis_code(), "02");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// 매수.
    Buy,
    /// 매도.
    Sell,
}

impl Side {
    /// KIS's code: `01` sell, `02` buy (`SLL_BUY_DVSN_CD`, the notice's `SELN_BYOV_CLS`).
    pub fn kis_code(self) -> &'static str {
        match self {
            Side::Sell => "01",
            Side::Buy => "02",
        }
    }

    /// Reads KIS's code (`01`/`1` sell, `02`/`2` buy).
    pub fn from_kis(code: &str) -> Option<Side> {
        match code.trim().trim_start_matches('0') {
            "1" => Some(Side::Sell),
            "2" => Some(Side::Buy),
            _ => None,
        }
    }
}

/// What kind of order (KIS `ORD_DVSN`). Domestic kinds are KRX's codes `00`–`24`; overseas
/// (US) kinds are `00` limit and `31`–`36`.
///
/// ```
/// use kis::ledger::OrderKind;
/// assert_eq!(OrderKind::Limit.code(), "00");
/// assert_eq!(OrderKind::from_code("13", false), Some(OrderKind::IocMarket));
/// assert_eq!(OrderKind::from_code("34", true), Some(OrderKind::LimitOnClose));
/// assert!(OrderKind::Market.needs_price() == false);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OrderKind {
    /// 00 지정가 (domestic and overseas).
    Limit,
    /// 01 시장가.
    Market,
    /// 02 조건부지정가.
    ConditionalLimit,
    /// 03 최유리지정가.
    BestLimit,
    /// 04 최우선지정가.
    PriorityLimit,
    /// 05 장전 시간외.
    PreMarketAfterHours,
    /// 06 장후 시간외.
    PostMarketAfterHours,
    /// 07 시간외 단일가.
    AfterHoursSinglePrice,
    /// 11 IOC지정가.
    IocLimit,
    /// 12 FOK지정가.
    FokLimit,
    /// 13 IOC시장가.
    IocMarket,
    /// 14 FOK시장가.
    FokMarket,
    /// 15 IOC최유리.
    IocBest,
    /// 16 FOK최유리.
    FokBest,
    /// 21 중간가.
    MidPrice,
    /// 22 스톱지정가 (the stop price goes in the request's `CNDT_PRIC`).
    StopLimit,
    /// 23 중간가IOC.
    MidPriceIoc,
    /// 24 중간가FOK.
    MidPriceFok,
    /// Overseas 31 MOO (장개시시장가).
    MarketOnOpen,
    /// Overseas 32 LOO (장개시지정가).
    LimitOnOpen,
    /// Overseas 33 MOC (장마감시장가).
    MarketOnClose,
    /// Overseas 34 LOC (장마감지정가).
    LimitOnClose,
    /// Overseas 35 TWAP.
    Twap,
    /// Overseas 36 VWAP.
    Vwap,
}

impl OrderKind {
    const DOMESTIC: [(OrderKind, &'static str); 18] = [
        (OrderKind::Limit, "00"),
        (OrderKind::Market, "01"),
        (OrderKind::ConditionalLimit, "02"),
        (OrderKind::BestLimit, "03"),
        (OrderKind::PriorityLimit, "04"),
        (OrderKind::PreMarketAfterHours, "05"),
        (OrderKind::PostMarketAfterHours, "06"),
        (OrderKind::AfterHoursSinglePrice, "07"),
        (OrderKind::IocLimit, "11"),
        (OrderKind::FokLimit, "12"),
        (OrderKind::IocMarket, "13"),
        (OrderKind::FokMarket, "14"),
        (OrderKind::IocBest, "15"),
        (OrderKind::FokBest, "16"),
        (OrderKind::MidPrice, "21"),
        (OrderKind::StopLimit, "22"),
        (OrderKind::MidPriceIoc, "23"),
        (OrderKind::MidPriceFok, "24"),
    ];
    const OVERSEAS: [(OrderKind, &'static str); 7] = [
        (OrderKind::Limit, "00"),
        (OrderKind::MarketOnOpen, "31"),
        (OrderKind::LimitOnOpen, "32"),
        (OrderKind::MarketOnClose, "33"),
        (OrderKind::LimitOnClose, "34"),
        (OrderKind::Twap, "35"),
        (OrderKind::Vwap, "36"),
    ];

    /// KIS's `ORD_DVSN` code.
    pub fn code(self) -> &'static str {
        Self::DOMESTIC
            .iter()
            .chain(Self::OVERSEAS.iter())
            .find(|(k, _)| *k == self)
            .map(|(_, c)| *c)
            .unwrap_or("00")
    }

    /// Reads an `ORD_DVSN` code of the domestic (`overseas` false) or overseas table.
    pub fn from_code(code: &str, overseas: bool) -> Option<OrderKind> {
        let table: &[(OrderKind, &str)] = if overseas {
            &Self::OVERSEAS
        } else {
            &Self::DOMESTIC
        };
        table
            .iter()
            .find(|(_, c)| *c == code.trim())
            .map(|(k, _)| *k)
    }

    /// Whether the order carries a price (limit-like kinds).
    pub fn needs_price(self) -> bool {
        matches!(
            self,
            OrderKind::Limit
                | OrderKind::ConditionalLimit
                | OrderKind::PreMarketAfterHours
                | OrderKind::AfterHoursSinglePrice
                | OrderKind::IocLimit
                | OrderKind::FokLimit
                | OrderKind::StopLimit
                | OrderKind::LimitOnOpen
                | OrderKind::LimitOnClose
        )
    }

    /// Whether the kind exists for `venue` (domestic kinds on KRX/NXT/SOR, overseas on US venues).
    pub fn fits(self, venue: Venue) -> bool {
        let table: &[(OrderKind, &str)] = if venue.is_overseas() {
            &Self::OVERSEAS
        } else {
            &Self::DOMESTIC
        };
        table.iter().any(|(k, _)| *k == self)
    }
}

/// Where the order goes: the domestic exchanges (`EXCG_ID_DVSN_CD`) or a US exchange
/// (`OVRS_EXCG_CD`).
///
/// ```
/// use kis::ledger::Venue;
/// assert_eq!(Venue::Nxt.code(), "NXT");
/// assert_eq!(Venue::Nasdaq.code(), "NASD");
/// assert!(Venue::Nyse.is_overseas() && !Venue::Sor.is_overseas());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Venue {
    /// 한국거래소.
    Krx,
    /// 넥스트레이드 (대체거래소).
    Nxt,
    /// Smart order routing between KRX and NXT.
    Sor,
    /// NASDAQ (`NASD`).
    Nasdaq,
    /// NYSE (`NYSE`).
    Nyse,
    /// AMEX (`AMEX`).
    Amex,
}

impl Venue {
    /// KIS's code for the venue.
    pub fn code(self) -> &'static str {
        match self {
            Venue::Krx => "KRX",
            Venue::Nxt => "NXT",
            Venue::Sor => "SOR",
            Venue::Nasdaq => "NASD",
            Venue::Nyse => "NYSE",
            Venue::Amex => "AMEX",
        }
    }

    /// Whether the venue is overseas.
    pub fn is_overseas(self) -> bool {
        matches!(self, Venue::Nasdaq | Venue::Nyse | Venue::Amex)
    }
}

/// What the caller wants to send: recorded (journaled) before the request leaves.
///
/// ```
/// use kis::ledger::{AccountKey, Intent, OrderKind, Side, Venue};
/// use rust_decimal_macros::dec;
/// let i = Intent::new(AccountKey::parse("1234567801").unwrap(), "005930", Side::Buy, 10)
///     .limit(dec!(70000));
/// assert_eq!(i.kind, OrderKind::Limit);
/// assert_eq!(i.venue, Venue::Krx);
/// assert!(!format!("{i:?}").contains("12345678"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intent {
    /// The account (masked in `Debug`).
    pub account: AccountKey,
    /// The symbol (6-digit domestic code, or the overseas ticker).
    pub symbol: String,
    /// Where it goes.
    pub venue: Venue,
    /// Buy or sell.
    pub side: Side,
    /// Order kind.
    pub kind: OrderKind,
    /// Whole shares.
    pub qty: u64,
    /// The limit price (`None` for market-like kinds).
    pub price: Option<Decimal>,
    /// A caller-supplied key: a second submit with the same key returns the first order.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// Allow an identical intent while an earlier one is unsent, sent or unknown.
    #[serde(default)]
    pub allow_duplicate: bool,
}

impl Intent {
    /// A market order on KRX; refine with [`Intent::limit`], [`Intent::kind`], [`Intent::venue`].
    pub fn new(account: AccountKey, symbol: impl Into<String>, side: Side, qty: u64) -> Intent {
        Intent {
            account,
            symbol: symbol.into(),
            venue: Venue::Krx,
            side,
            kind: OrderKind::Market,
            qty,
            price: None,
            idempotency_key: None,
            allow_duplicate: false,
        }
    }

    /// A limit order at `price`.
    pub fn limit(mut self, price: Decimal) -> Intent {
        self.kind = OrderKind::Limit;
        self.price = Some(price);
        self
    }

    /// Another order kind (keeps the price).
    pub fn kind(mut self, kind: OrderKind) -> Intent {
        self.kind = kind;
        self
    }

    /// Another venue.
    pub fn venue(mut self, venue: Venue) -> Intent {
        self.venue = venue;
        self
    }

    /// The idempotency key.
    pub fn key(mut self, key: impl Into<String>) -> Intent {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Checks the fields before anything is journaled or sent.
    pub fn validate(&self) -> Result<(), LedgerError> {
        let bad = |field, reason: &str| {
            Err(LedgerError::Invalid {
                field,
                reason: reason.into(),
            })
        };
        if self.qty == 0 {
            return bad("qty", "must be at least 1");
        }
        if self.symbol.trim().is_empty() {
            return bad("symbol", "must not be empty");
        }
        if !self.kind.fits(self.venue) {
            return bad("kind", "this order kind does not exist on this venue");
        }
        match (self.kind.needs_price(), self.price) {
            (true, None) => return bad("price", "this order kind needs a price"),
            (true, Some(p)) if p <= Decimal::ZERO => return bad("price", "must be positive"),
            (false, Some(_)) => return bad("price", "this order kind takes no price"),
            _ => {}
        }
        Ok(())
    }
}

/// Which source first reported a fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FillSource {
    /// An execution notice (체결통보, `CNTG_YN` 2).
    Notice,
    /// An inquiry row's cumulative quantity exceeded the fills seen: the missing part,
    /// recovered (priced from the row's total amount or average).
    Inquiry,
    /// Filled before the notice subscription (the baseline): not new to the account, not
    /// "recovered".
    Baseline,
}

/// One fill of an order (or a synthesized part of one, see [`FillSource`]).
///
/// ```
/// use kis::ledger::{Fill, FillSource};
/// use rust_decimal_macros::dec;
/// let f = Fill { qty: 3, price: dec!(70100), at: Some("091501".into()), source: FillSource::Notice };
/// assert_eq!(f.notional(), dec!(210300));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fill {
    /// Shares filled.
    pub qty: u64,
    /// Price per share.
    pub price: Decimal,
    /// KIS's time text (`HHMMSS`, KST) when known.
    pub at: Option<String>,
    /// Where it was first seen.
    pub source: FillSource,
}

impl Fill {
    /// Quantity × price.
    pub fn notional(&self) -> Decimal {
        Decimal::from(self.qty) * self.price
    }
}

/// Where an order stands. See the transition table in `docs/ARCHITECTURE.md` ("Ledger").
///
/// ```
/// use kis::ledger::OrderState;
/// assert!(OrderState::Unknown.is_in_flight() && !OrderState::Unknown.is_done());
/// assert!(OrderState::PendingCancel.is_open());
/// assert!(OrderState::Rejected.is_done());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// The intent is journaled; the request has not left.
    Journaled,
    /// The request is leaving or left; no answer yet.
    Sent,
    /// No answer (timeout, 5xx, redirect, restart): KIS may have it. Resolved by inquiry only.
    Unknown,
    /// KIS accepted it; nothing filled.
    Accepted,
    /// Some filled, some open.
    PartiallyFilled,
    /// All filled.
    Filled,
    /// A modify request is out.
    PendingModify,
    /// A cancel request is out.
    PendingCancel,
    /// Nothing open; what was not filled was cancelled (by request, IOC/FOK or KIS).
    Cancelled,
    /// KIS rejected it (the reply, or a refused notice). Final.
    Rejected,
    /// An inquiry showed KIS never got it. Final.
    NotSent,
}

impl OrderState {
    /// Whether the order can change no more (by the caller's requests).
    pub fn is_done(self) -> bool {
        matches!(
            self,
            OrderState::Filled | OrderState::Cancelled | OrderState::Rejected | OrderState::NotSent
        )
    }

    /// Whether the request may be at KIS without an answer yet (the duplicate guard's states).
    pub fn is_in_flight(self) -> bool {
        matches!(
            self,
            OrderState::Journaled | OrderState::Sent | OrderState::Unknown
        )
    }

    /// Whether the order rests at KIS and can be modified or cancelled.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            OrderState::Accepted
                | OrderState::PartiallyFilled
                | OrderState::PendingModify
                | OrderState::PendingCancel
        )
    }
}

/// What a KIS order number of a chain is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// The original order (`RCTF_CLS` 0).
    New,
    /// A modify (`RCTF_CLS` 1): a new order number for the moved quantity.
    Modify,
    /// A cancel (`RCTF_CLS` 2).
    Cancel,
}

/// One KIS order number of an order's chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainLink {
    /// KIS order number (`ODNO`, the notice's `ODER_NO`).
    pub odno: String,
    /// The branch (`KRX_FWDG_ORD_ORGNO`), when known.
    pub orgno: Option<String>,
    /// What it is.
    pub kind: LinkKind,
    /// The order number it modifies or cancels (`ORGN_ODNO`, `OODER_NO`).
    pub orig_odno: Option<String>,
}

/// One order as the ledger knows it now: what an `Order` handle and an update stream show.
///
/// ```
/// use kis::ledger::*;
/// use rust_decimal_macros::dec;
/// let mut l = Ledger::new();
/// let id = l.next_id();
/// let acct = AccountKey::parse("1234567801").unwrap();
/// l.apply(Event::IntentRecorded { id, intent: Intent::new(acct, "005930", Side::Sell, 5).limit(dec!(71000)) }).unwrap();
/// l.apply(Event::Sent { id }).unwrap();
/// l.apply(Event::ReplyAccepted { id, odno: "8".into(), orgno: Some("06010".into()), time: None }).unwrap();
/// let v = l.order(id).unwrap();
/// assert_eq!((v.filled, v.remaining, v.avg_price), (0, 5, None));
/// assert_eq!(v.live_odno().unwrap().orgno.as_deref(), Some("06010"));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct OrderView {
    /// Local id.
    pub id: OrderId,
    /// The intent (for an external order: what the notices or inquiry showed).
    pub intent: Intent,
    /// State.
    pub state: OrderState,
    /// Every KIS order number of the order, in the order they were learned.
    pub chain: Vec<ChainLink>,
    /// Shares filled.
    pub filled: u64,
    /// Average fill price (`None` before any fill).
    pub avg_price: Option<Decimal>,
    /// The fills; their quantities add up to `filled`.
    pub fills: Vec<Fill>,
    /// Shares still open.
    pub remaining: u64,
    /// Shares cancelled (by request, IOC/FOK remainder, or rejected quantity).
    pub cancelled: u64,
    /// The current limit price (after modifies).
    pub price: Option<Decimal>,
    /// Placed elsewhere (HTS, another process) and adopted from notices or inquiries.
    pub external: bool,
    /// The last rejection or anomaly, in words.
    pub last_error: Option<String>,
    /// KIS's day of the order (its order numbers are that day's): the day the ledger was on
    /// ([`super::Event::NewDay`]) when it was placed or first seen, or the inquiry row's
    /// `ORD_DT`. `None` before the ledger learned a day.
    pub day: Option<chrono::NaiveDate>,
}

impl OrderView {
    /// The KIS order number that is live now (the newest new/modify link), for a modify or
    /// cancel request's `ORGN_ODNO`.
    pub fn live_odno(&self) -> Option<&ChainLink> {
        self.chain.iter().rev().find(|l| l.kind != LinkKind::Cancel)
    }
}
