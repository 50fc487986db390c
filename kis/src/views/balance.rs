//! [`Balance`]: cash and positions of the account, domestic (주식잔고조회, `inquire-balance`)
//! and overseas (해외주식 잔고, `inquire-balance` per exchange and currency), and
//! [`BuyingPower`] (매수가능조회, `inquire-psbl-order`; US: 해외주식 매수가능금액조회,
//! `inquire-psamount`, `TTTS3007R`/`VTTS3007R`).

use std::sync::Arc;

use kis_client::api::domestic_stock::inquire_balance::{
    InquireBalanceRequest, InquireBalanceResponse, Output1, Output2,
};
use kis_client::api::domestic_stock::inquire_psbl_order::{
    InquirePsblOrderRequest, InquirePsblOrderResponse,
};
use kis_client::api::overseas_stock::inquire_balance as overseas;
use kis_client::api::overseas_stock::inquire_psamount::{
    InquirePsamountRequest, InquirePsamountResponse,
};
use kis_client::codes::{self, BalanceInquiry, OrdDvsnInquirePsblOrder, PrevDayTrades};
use kis_client::value::Val;
use rust_decimal::Decimal;
use serde::Serialize;

use super::{money, need, shares, shares_dec};
use crate::{Account, Currency, Error, Instrument, Market, Money, Quantity};

/// One holding, domestic or overseas.
///
/// ```no_run
/// # async fn demo(kis: kis::Kis) -> Result<(), kis::Error> {
/// let balance = kis.account()?.balance().await?;
/// if let Some(p) = balance.position("005930") {
///     println!("{} shares, {} sellable, P&L {} ({}%)", p.qty, p.orderable_qty, p.pnl, p.pnl_pct);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Position {
    /// Short code (상품번호: `pdno`; overseas `ovrs_pdno`).
    pub code: String,
    /// Name (상품명: `prdt_name`; overseas `ovrs_item_name`).
    pub name: String,
    /// Where it trades (KRX positions are [`Market::Kospi`] unless the master says
    /// otherwise; overseas from `ovrs_excg_cd`).
    pub market: Market,
    /// Shares held (보유수량: `hldg_qty`; overseas 잔고수량 `ovrs_cblc_qty`).
    pub qty: Quantity,
    /// Shares that can be sold now (주문가능수량: `ord_psbl_qty`).
    pub orderable_qty: Quantity,
    /// Average purchase price (매입평균가격: `pchs_avg_pric`).
    pub avg_price: Money,
    /// Current price (현재가: `prpr`; overseas `now_pric2`).
    pub price: Money,
    /// Purchase amount (매입금액: `pchs_amt`; overseas `frcr_pchs_amt1`).
    pub cost: Money,
    /// Current value (평가금액: `evlu_amt`; overseas `ovrs_stck_evlu_amt`).
    pub value: Money,
    /// Unrealized P&L (평가손익금액: `evlu_pfls_amt`; overseas `frcr_evlu_pfls_amt`).
    pub pnl: Money,
    /// Unrealized P&L in percent (평가손익율: `evlu_pfls_rt`).
    pub pnl_pct: Decimal,
}

impl Position {
    /// Reads a domestic row; `None` for a blank filler row (no code).
    pub fn from_domestic(r: &Output1) -> Result<Option<Position>, Error> {
        if r.pdno.is_empty() {
            return Ok(None);
        }
        let krw = Currency::Krw;
        Ok(Some(Position {
            code: need(&r.pdno, "pdno")?,
            name: r.prdt_name.get().cloned().unwrap_or_default(),
            market: Market::Kospi,
            qty: shares(&r.hldg_qty, "hldg_qty")?,
            orderable_qty: shares(&r.ord_psbl_qty, "ord_psbl_qty")?,
            avg_price: money(&r.pchs_avg_pric, "pchs_avg_pric", krw)?,
            price: money(&r.prpr, "prpr", krw)?,
            cost: money(&r.pchs_amt, "pchs_amt", krw)?,
            value: money(&r.evlu_amt, "evlu_amt", krw)?,
            pnl: money(&r.evlu_pfls_amt, "evlu_pfls_amt", krw)?,
            pnl_pct: need(&r.evlu_pfls_rt, "evlu_pfls_rt")?,
        }))
    }

    /// Reads an overseas row; `None` for a blank filler row (no code).
    pub fn from_overseas(r: &overseas::Output1) -> Result<Option<Position>, Error> {
        if r.ovrs_pdno.is_empty() {
            return Ok(None);
        }
        let c = r
            .tr_crcy_cd
            .get()
            .and_then(|c| Currency::from_code(c.as_code()))
            .unwrap_or(Currency::Usd);
        let market = r
            .ovrs_excg_cd
            .get()
            .and_then(|e| Market::from_prefix(e.as_code()))
            .unwrap_or(Market::Nasdaq);
        Ok(Some(Position {
            code: need(&r.ovrs_pdno, "ovrs_pdno")?,
            name: r.ovrs_item_name.get().cloned().unwrap_or_default(),
            market,
            qty: shares_dec(&r.ovrs_cblc_qty, "ovrs_cblc_qty")?,
            orderable_qty: shares_dec(&r.ord_psbl_qty, "ord_psbl_qty")?,
            avg_price: money(&r.pchs_avg_pric, "pchs_avg_pric", c)?,
            price: money(&r.now_pric2, "now_pric2", c)?,
            cost: money(&r.frcr_pchs_amt1, "frcr_pchs_amt1", c)?,
            value: money(&r.ovrs_stck_evlu_amt, "ovrs_stck_evlu_amt", c)?,
            pnl: money(&r.frcr_evlu_pfls_amt, "frcr_evlu_pfls_amt", c)?,
            pnl_pct: need(&r.evlu_pfls_rt, "evlu_pfls_rt")?,
        }))
    }
}

/// The domestic account: cash by settlement day, totals, positions.
///
/// ```no_run
/// # async fn demo() -> Result<(), kis::Error> {
/// let kis = kis::Kis::simulator().await?;
/// let b = kis.account()?.balance().await?;
/// println!("cash D+2 {}, total {}", b.cash_d2, b.total_value);
/// for p in &b.positions {
///     println!("{} {} x {} ({}%)", p.code, p.qty, p.price, p.pnl_pct);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Balance {
    /// Deposit today, D+0 (예수금총금액: `dnca_tot_amt`).
    pub cash_d0: Money,
    /// Cash after tomorrow's settlement, D+1 (익일정산금액: `nxdy_excc_amt`).
    pub cash_d1: Money,
    /// Cash after settlement in two days, D+2 (가수도정산금액: `prvs_rcdl_excc_amt`).
    pub cash_d2: Money,
    /// Value of the securities (유가평가금액: `scts_evlu_amt`).
    pub securities_value: Money,
    /// Total value (총평가금액: `tot_evlu_amt`).
    pub total_value: Money,
    /// Net assets (순자산금액: `nass_amt`).
    pub net_assets: Money,
    /// Purchase amount of all positions (매입금액합계금액: `pchs_amt_smtl_amt`).
    pub total_cost: Money,
    /// Unrealized P&L of all positions (평가손익합계금액: `evlu_pfls_smtl_amt`).
    pub total_pnl: Money,
    /// The holdings, in KIS's order; rows with no shares are left out.
    pub positions: Vec<Position>,
    #[serde(skip)]
    raw: Arc<(Vec<Output1>, InquireBalanceResponse)>,
}

impl Balance {
    /// The rows and the summary answer (first page) this was read from.
    pub fn raw(&self) -> (&[Output1], &InquireBalanceResponse) {
        (&self.raw.0, &self.raw.1)
    }

    /// Reads the rows of every page and the summary.
    pub fn from_rows(
        rows: Vec<Output1>,
        summary: InquireBalanceResponse,
    ) -> Result<Balance, Error> {
        let s: &Output2 = summary.output2.rows().first().ok_or(Error::Response {
            field: "output2",
            raw: String::new(),
        })?;
        let krw = Currency::Krw;
        let mut positions = Vec::new();
        for r in &rows {
            if let Some(p) = Position::from_domestic(r)?.filter(|p| p.qty > Quantity::ZERO) {
                positions.push(p);
            }
        }
        Ok(Balance {
            cash_d0: money(&s.dnca_tot_amt, "dnca_tot_amt", krw)?,
            cash_d1: money(&s.nxdy_excc_amt, "nxdy_excc_amt", krw)?,
            cash_d2: money(&s.prvs_rcdl_excc_amt, "prvs_rcdl_excc_amt", krw)?,
            securities_value: money(&s.scts_evlu_amt, "scts_evlu_amt", krw)?,
            total_value: money(&s.tot_evlu_amt, "tot_evlu_amt", krw)?,
            net_assets: money(&s.nass_amt, "nass_amt", krw)?,
            total_cost: money(&s.pchs_amt_smtl_amt, "pchs_amt_smtl_amt", krw)?,
            total_pnl: money(&s.evlu_pfls_smtl_amt, "evlu_pfls_smtl_amt", krw)?,
            positions,
            raw: Arc::new((rows, summary)),
        })
    }

    /// The position in `code`, if any.
    pub fn position(&self, code: &str) -> Option<&Position> {
        self.positions.iter().find(|p| p.code == code)
    }
}

/// Overseas holdings of one exchange in one currency ([`Account::overseas_balance`]).
///
/// ```no_run
/// # async fn demo(kis: kis::Kis) -> Result<(), kis::Error> {
/// let us = kis.account()?.overseas_balance(kis::Market::Nyse).await?;
/// assert_eq!(us.total_pnl.currency(), kis::Currency::Usd);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct OverseasBalance {
    /// The currency of every amount.
    pub currency: Currency,
    /// Purchase amount (외화매입금액: `frcr_pchs_amt1`).
    pub total_cost: Money,
    /// Unrealized P&L (총평가손익금액: `tot_evlu_pfls_amt`).
    pub total_pnl: Money,
    /// Total return in percent (총수익률: `tot_pftrt`).
    pub total_pnl_pct: Decimal,
    /// Realized P&L (해외실현손익금액: `ovrs_rlzt_pfls_amt`).
    pub realized_pnl: Money,
    /// The holdings.
    pub positions: Vec<Position>,
    #[serde(skip)]
    raw: Arc<(Vec<overseas::Output1>, overseas::InquireBalanceResponse)>,
}

impl OverseasBalance {
    /// The rows and the summary answer this was read from.
    pub fn raw(&self) -> (&[overseas::Output1], &overseas::InquireBalanceResponse) {
        (&self.raw.0, &self.raw.1)
    }

    /// Reads the rows of every page and the summary.
    pub fn from_rows(
        currency: Currency,
        rows: Vec<overseas::Output1>,
        summary: overseas::InquireBalanceResponse,
    ) -> Result<OverseasBalance, Error> {
        let s = summary.output2.get().ok_or(Error::Response {
            field: "output2",
            raw: String::new(),
        })?;
        let mut positions = Vec::new();
        for r in &rows {
            if let Some(p) = Position::from_overseas(r)?.filter(|p| p.qty > Quantity::ZERO) {
                positions.push(p);
            }
        }
        Ok(OverseasBalance {
            currency,
            total_cost: money(&s.frcr_pchs_amt1, "frcr_pchs_amt1", currency)?,
            total_pnl: money(&s.tot_evlu_pfls_amt, "tot_evlu_pfls_amt", currency)?,
            total_pnl_pct: need(&s.tot_pftrt, "tot_pftrt")?,
            realized_pnl: money(&s.ovrs_rlzt_pfls_amt, "ovrs_rlzt_pfls_amt", currency)?,
            positions,
            raw: Arc::new((rows, summary)),
        })
    }
}

/// What can be bought at a price ([`Account::buying_power`]), in the instrument's currency.
///
/// A US answer (해외주식 매수가능금액조회) reads: orderable cash 주문가능외화금액
/// `ord_psbl_frcr_amt`; `max_qty_cash` 최대주문가능수량 `max_ord_psbl_qty` (foreign cash only,
/// KIS's app's 외화 figure); `max_qty` 해외최대주문가능수량 `ovrs_max_ord_psbl_qty` and
/// `max_amount` 외화주문가능금액1 `frcr_ord_psbl_amt1` (won exchanged in too, the app's 통합
/// figures); `price` the price asked (KIS does not echo one); `exchange_rate` 환율 `exrt`.
///
/// ```no_run
/// # async fn demo(kis: kis::Kis) -> Result<(), kis::Error> {
/// let s = kis.stock("005930").await?;
/// let bp = kis.account()?.buying_power(&s, None).await?;
/// println!("{} orderable", bp.orderable_cash);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct BuyingPower {
    /// Orderable cash (주문가능현금: `ord_psbl_cash`).
    pub orderable_cash: Money,
    /// Shares buyable with cash only, no margin (미수없는매수수량: `nrcvb_buy_qty`).
    pub max_qty_cash: Quantity,
    /// Shares buyable including margin (최대매수수량: `max_buy_qty`).
    pub max_qty: Quantity,
    /// Amount buyable including margin (최대매수금액: `max_buy_amt`).
    pub max_amount: Money,
    /// The price KIS computed with (가능수량계산단가: `psbl_qty_calc_unpr`; US: the price
    /// asked).
    pub price: Money,
    /// Won per unit of the currency (환율: `exrt`); `None` for KRX.
    pub exchange_rate: Option<Decimal>,
    #[serde(skip)]
    raw: Arc<RawBuyingPower>,
}

/// What a [`BuyingPower`] was read from.
#[derive(Debug)]
#[non_exhaustive]
pub enum RawBuyingPower {
    /// 매수가능조회 (`TTTC8908R`).
    Domestic(InquirePsblOrderResponse),
    /// 해외주식 매수가능금액조회 (`TTTS3007R`).
    Overseas(InquirePsamountResponse),
}

/// A number KIS sends as text in a field the workbook types as a string.
fn number(v: &Val<String>, field: &'static str) -> Result<Decimal, Error> {
    let text = need(v, field)?;
    text.trim()
        .parse()
        .map_err(|_| Error::Response { field, raw: text })
}

impl BuyingPower {
    /// The response this was read from.
    pub fn raw(&self) -> &RawBuyingPower {
        &self.raw
    }

    /// Reads a US answer for an order at `price` (its currency is the answer's
    /// 거래통화코드 `tr_crcy_cd`, which must match).
    pub fn from_overseas(r: InquirePsamountResponse, price: Money) -> Result<BuyingPower, Error> {
        let o = r.output.get().ok_or(Error::Response {
            field: "output",
            raw: String::new(),
        })?;
        let code = need(&o.tr_crcy_cd, "tr_crcy_cd")?;
        let c = Currency::from_code(code.as_code())
            .filter(|c| *c == price.currency())
            .ok_or_else(|| Error::Response {
                field: "tr_crcy_cd",
                raw: code.as_code().to_owned(),
            })?;
        let qty = |v, f| number(v, f).map(Quantity::from_decimal);
        Ok(BuyingPower {
            orderable_cash: Money::new(number(&o.ord_psbl_frcr_amt, "ord_psbl_frcr_amt")?, c),
            max_qty_cash: qty(&o.max_ord_psbl_qty, "max_ord_psbl_qty")?,
            max_qty: qty(&o.ovrs_max_ord_psbl_qty, "ovrs_max_ord_psbl_qty")?,
            max_amount: Money::new(number(&o.frcr_ord_psbl_amt1, "frcr_ord_psbl_amt1")?, c),
            price,
            exchange_rate: Some(need(&o.exrt, "exrt")?),
            raw: Arc::new(RawBuyingPower::Overseas(r)),
        })
    }

    /// Reads an answer.
    pub fn from_response(r: InquirePsblOrderResponse) -> Result<BuyingPower, Error> {
        let o = r.output.get().ok_or(Error::Response {
            field: "output",
            raw: String::new(),
        })?;
        let krw = Currency::Krw;
        Ok(BuyingPower {
            orderable_cash: money(&o.ord_psbl_cash, "ord_psbl_cash", krw)?,
            max_qty_cash: shares(&o.nrcvb_buy_qty, "nrcvb_buy_qty")?,
            max_qty: shares(&o.max_buy_qty, "max_buy_qty")?,
            max_amount: money(&o.max_buy_amt, "max_buy_amt", krw)?,
            price: money(&o.psbl_qty_calc_unpr, "psbl_qty_calc_unpr", krw)?,
            exchange_rate: None,
            raw: Arc::new(RawBuyingPower::Domestic(r)),
        })
    }
}

impl Account {
    /// The domestic balance: every page of `inquire-balance` (previous day's trades included). A scan cut short is an error, never a partial balance.
    pub async fn balance(&self) -> Result<Balance, Error> {
        let req = InquireBalanceRequest::new(
            BalanceInquiry::ByLoanDate, // `02` (by stock) is refused since 2026-02-10
            false,
            false,
            PrevDayTrades::Include,
        );
        let rows = self.kis().client().rows(req).await?.complete()?;
        Balance::from_rows(rows.rows, rows.summary)
    }

    /// The overseas balance on a US market, in USD.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kis::Error> {
    /// let kis = kis::Kis::simulator().await?;
    /// let us = kis.account()?.overseas_balance(kis::Market::Nasdaq).await?;
    /// println!("{} positions, P&L {}", us.positions.len(), us.total_pnl);
    /// # Ok(()) }
    /// ```
    pub async fn overseas_balance(&self, market: Market) -> Result<OverseasBalance, Error> {
        let exchange = match market {
            Market::Nasdaq => codes::OvrsExcgCd::from_code("NASD"),
            Market::Nyse => codes::OvrsExcgCd::from_code("NYSE"),
            Market::Amex => codes::OvrsExcgCd::from_code("AMEX"),
            other => {
                return Err(Error::Invalid {
                    field: "market",
                    reason: format!("{other} is not an overseas market"),
                });
            }
        };
        let req = overseas::InquireBalanceRequest::new(exchange, codes::TrCrcyCd::from_code("USD"));
        let rows = self.kis().client().rows(req).await?.complete()?;
        OverseasBalance::from_rows(Currency::Usd, rows.rows, rows.summary)
    }

    /// Cash orderable now and the shares buyable of `instrument` at `price`. KRX: `None` is
    /// at the market price (시장가). US venues (해외주식 매수가능금액조회, in USD): a price is
    /// required (US orders here are limit orders). The price is checked against the
    /// instrument's grid first.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kis::Error> {
    /// let kis = kis::Kis::simulator().await?;
    /// let s = kis.stock("005930").await?;
    /// let bp = kis.account()?.buying_power(&s, Some(kis::Money::krw(70_000))).await?;
    /// println!("{} cash, up to {} shares", bp.orderable_cash, bp.max_qty_cash);
    ///
    /// let apple = kis.stock("NASDAQ:AAPL").await?;
    /// let price = kis::Money::usd(rust_decimal::Decimal::new(18_000, 2));
    /// let us = kis.account()?.buying_power(&apple, Some(price)).await?;
    /// println!("{} (at {:?} KRW/USD), up to {} shares", us.orderable_cash, us.exchange_rate, us.max_qty_cash);
    /// # Ok(()) }
    /// ```
    pub async fn buying_power(
        &self,
        instrument: &Instrument,
        price: Option<Money>,
    ) -> Result<BuyingPower, Error> {
        if instrument.market.is_us() {
            let Some(price) = price else {
                return Err(Error::Invalid {
                    field: "price",
                    reason: format!(
                        "a US buying power is asked at a limit price ({} has no market orders here)",
                        instrument.symbol()
                    ),
                });
            };
            instrument.check_price(price)?;
            let exchange = match instrument.market {
                Market::Nyse => codes::OrderExchange::NewYork,
                Market::Amex => codes::OrderExchange::Amex,
                _ => codes::OrderExchange::Nasdaq,
            };
            let req =
                InquirePsamountRequest::new(exchange, price.amount(), instrument.code.as_str());
            let r = self.kis().client().send(req).await?;
            return BuyingPower::from_overseas(r, price);
        }
        if !instrument.market.is_krx() {
            return Err(Error::Invalid {
                field: "symbol",
                reason: format!(
                    "buying power covers KRX and US instruments, not {}",
                    instrument.symbol()
                ),
            });
        }
        let (dvsn, unpr) = match price {
            Some(p) => {
                instrument.check_price(p)?;
                ("00", p.amount())
            }
            None => ("01", Decimal::ZERO), // KIS computes market orders at the upper limit
        };
        let req =
            InquirePsblOrderRequest::new(OrdDvsnInquirePsblOrder::from_code(dvsn), false, false)
                .pdno(instrument.code.as_str())
                .ord_unpr(unpr);
        let r = self.kis().client().send(req).await?;
        BuyingPower::from_response(r)
    }
}
