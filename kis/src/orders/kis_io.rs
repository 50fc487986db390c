//! KIS's requests and answers for orders and inquiries, turned into ledger events. The only
//! file of the order layer that knows KIS's field names.

use chrono::NaiveDate;
use kis_client::Client;
use kis_client::api::domestic_stock::inquire_balance::InquireBalanceRequest;
use kis_client::api::domestic_stock::inquire_daily_ccld::InquireDailyCcldRequest;
use kis_client::api::domestic_stock::order_cash::OrderCashRequest;
use kis_client::api::domestic_stock::order_rvsecncl::OrderRvsecnclRequest;
use kis_client::api::overseas_stock::inquire_ccnl::InquireCcnlRequest;
use kis_client::api::overseas_stock::order::OrderRequest;
use kis_client::api::overseas_stock::order_rvsecncl::OrderRvsecnclRequest as OverseasRvsecncl;
use kis_client::codes::{
    BalanceInquiry, ExchangeId, FillFilter, InqrDvsn3, ModifyCancel, OrderExchange, OrderType,
    OverseasOrderType, PrevDayTrades, SideFilter, SortOrder,
};
use rust_decimal::Decimal;

use crate::ledger::{
    AccountKey, Holding, InquiryRow, Intent, Notice, NoticeKind, Rctf, Side, Venue,
};

/// What became of a request that changes an order.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// KIS took it: its order number, branch and time.
    Accepted {
        odno: String,
        orgno: Option<String>,
        time: Option<String>,
    },
    /// KIS refused it (`rt_cd` not 0): final.
    Rejected {
        msg_cd: String,
        msg: String,
        error: kis_client::Error,
    },
    /// It may have reached KIS: resolved by an inquiry, never by sending again.
    MaybeSent { reason: String },
    /// It never left (refused locally, or the token call before it failed).
    NotSent { error: kis_client::Error },
}

fn outcome<O>(
    result: Result<O, kis_client::Error>,
    reply: impl FnOnce(&O) -> Option<(String, String, String)>,
) -> Outcome {
    match result {
        Ok(answer) => match reply(&answer) {
            Some((odno, orgno, time)) if !odno.trim().is_empty() => Outcome::Accepted {
                odno,
                orgno: Some(orgno).filter(|o| !o.trim().is_empty()),
                time: Some(time).filter(|t| !t.trim().is_empty()),
            },
            // Accepted, but the answer has no order number: the order may exist.
            _ => Outcome::MaybeSent {
                reason: "KIS answered without an order number".into(),
            },
        },
        Err(e) if e.may_have_been_sent() => Outcome::MaybeSent {
            reason: e.to_string(),
        },
        Err(e) => match &e {
            kis_client::Error::Api { msg_cd, msg1, .. } => Outcome::Rejected {
                msg_cd: msg_cd.clone(),
                msg: msg1.clone(),
                error: e,
            },
            _ => Outcome::NotSent { error: e },
        },
    }
}

fn price_of(intent: &Intent) -> Decimal {
    intent.price.unwrap_or(Decimal::ZERO)
}

/// Sends a new order once.
pub(crate) async fn place(client: &Client, intent: &Intent) -> Outcome {
    let acct = &intent.account;
    if intent.venue.is_overseas() {
        let exchange = OrderExchange::from_code(intent.venue.code());
        let kind = OverseasOrderType::from_code(intent.kind.code());
        let qty = Decimal::from(intent.qty);
        let req = match intent.side {
            Side::Buy => {
                OrderRequest::us_buy(exchange, &intent.symbol, qty, price_of(intent), "0", kind)
            }
            Side::Sell => {
                OrderRequest::us_sell(exchange, &intent.symbol, qty, price_of(intent), "0", kind)
            }
        }
        .cano(acct.cano())
        .acnt_prdt_cd(acct.product());
        return outcome(client.send(req).await, |r| {
            r.output.get().map(|o| {
                (
                    o.odno.raw().into_owned(),
                    o.krx_fwdg_ord_orgno.raw().into_owned(),
                    o.ord_tmd.raw().into_owned(),
                )
            })
        });
    }
    let kind = OrderType::from_code(intent.kind.code());
    let req = match intent.side {
        Side::Buy => OrderCashRequest::buy(&intent.symbol, kind, intent.qty, price_of(intent)),
        Side::Sell => OrderCashRequest::sell(&intent.symbol, kind, intent.qty, price_of(intent)),
    }
    .cano(acct.cano())
    .acnt_prdt_cd(acct.product())
    .excg_id_dvsn_cd(ExchangeId::from_code(intent.venue.code()));
    outcome(client.send(req).await, |r| {
        r.output.get().map(|o| {
            (
                o.odno.raw().into_owned(),
                o.krx_fwdg_ord_orgno.raw().into_owned(),
                o.ord_tmd.raw().into_owned(),
            )
        })
    })
}

/// What a modify or cancel changes.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    /// The live KIS order number and its branch.
    pub odno: String,
    pub orgno: Option<String>,
    /// Cancel (else modify).
    pub cancel: bool,
    /// Shares concerned (`None`: all that is open).
    pub qty: Option<u64>,
    /// Shares open now.
    pub open: u64,
    /// The new price of a modify.
    pub price: Option<Decimal>,
}

/// Sends a modify or cancel once.
pub(crate) async fn change(client: &Client, intent: &Intent, c: &Change) -> Outcome {
    let acct = &intent.account;
    let code = if c.cancel {
        ModifyCancel::Cancel
    } else {
        ModifyCancel::Modify
    };
    let qty = c.qty.unwrap_or(0);
    let price = if c.cancel {
        Decimal::ZERO
    } else {
        c.price.or(intent.price).unwrap_or(Decimal::ZERO)
    };
    if intent.venue.is_overseas() {
        let req = OverseasRvsecncl::us(
            OrderExchange::from_code(intent.venue.code()),
            &intent.symbol,
            &c.odno,
            code,
            // KIS's overseas modify/cancel names the quantity: all that is open by default.
            Decimal::from(c.qty.unwrap_or(c.open)),
            price,
        )
        .cano(acct.cano())
        .acnt_prdt_cd(acct.product());
        return outcome(client.send(req).await, |r| {
            r.output.get().map(|o| {
                (
                    o.odno.raw().into_owned(),
                    o.krx_fwdg_ord_orgno.raw().into_owned(),
                    o.ord_tmd.raw().into_owned(),
                )
            })
        });
    }
    let mut req = OrderRvsecnclRequest::new(
        &c.odno,
        OrderType::from_code(intent.kind.code()),
        code,
        qty,
        price,
        c.qty.is_none(),
    )
    .cano(acct.cano())
    .acnt_prdt_cd(acct.product())
    .excg_id_dvsn_cd(ExchangeId::from_code(intent.venue.code()));
    if let Some(orgno) = &c.orgno {
        req = req.krx_fwdg_ord_orgno(orgno);
    }
    outcome(client.send(req).await, |r| {
        r.output.get().map(|o| {
            (
                o.odno.raw().into_owned(),
                o.krx_fwdg_ord_orgno.raw().into_owned(),
                o.ord_tmd.raw().into_owned(),
            )
        })
    })
}

/// Every order of the account on the server's days `from..=to`, one cumulative row each:
/// domestic `inquire-daily-ccld` (주식일별주문체결조회) or overseas `inquire-ccnl`, all pages.
/// An incomplete scan is an error (a reconciliation must not act on part of the truth).
pub(crate) async fn inquire(
    client: &Client,
    account: &AccountKey,
    overseas: bool,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<InquiryRow>, kis_client::Error> {
    let day = |d: Option<&NaiveDate>| {
        d.map(|d| d.format("%Y%m%d").to_string())
            .unwrap_or_default()
    };
    if overseas {
        let req = InquireCcnlRequest::new(
            from,
            to,
            SideFilter::All,
            FillFilter::All,
            kis_client::codes::SortSqnInquireCcnl::Ascending,
        )
        .pdno("%")
        .cano(account.cano())
        .acnt_prdt_cd(account.product());
        let rows = client.rows(req).await?.complete()?;
        return Ok(rows
            .rows
            .iter()
            .filter(|r| !r.odno.raw().trim().is_empty())
            .filter_map(|r| {
                let whole = |d: Option<&Decimal>| {
                    d.and_then(|d| u64::try_from(d.trunc()).ok()).unwrap_or(0)
                };
                Some(InquiryRow {
                    account: account.clone(),
                    day: day(r.ord_dt.get()),
                    odno: r.odno.raw().into_owned(),
                    orig_odno: non_blank(&r.orgn_odno.raw()),
                    symbol: r.pdno.raw().trim().to_owned(),
                    side: Side::from_kis(&r.sll_buy_dvsn_cd.raw())?,
                    ord_qty: whole(r.ft_ord_qty.get()),
                    ord_price: r.ft_ord_unpr3.get().copied(),
                    tot_ccld_qty: whole(r.ft_ccld_qty.get()),
                    avg_prvs: r.ft_ccld_unpr3.get().copied().unwrap_or_default(),
                    tot_ccld_amt: r.ft_ccld_amt3.get().copied(),
                    rmn_qty: whole(r.nccs_qty.get()),
                    cncl_yn: r.rvse_cncl_dvsn.raw().trim() == "02",
                    rjct_qty: 0,
                    venue: None,
                })
            })
            .collect());
    }
    let req = InquireDailyCcldRequest::within_3m(
        from,
        to,
        SideFilter::All,
        FillFilter::All,
        SortOrder::Ascending,
        InqrDvsn3::All,
    )
    .cano(account.cano())
    .acnt_prdt_cd(account.product())
    .excg_id_dvsn_cd("ALL");
    let rows = client.rows(req).await?.complete()?;
    Ok(rows
        .rows
        .iter()
        .filter(|r| !r.odno.raw().trim().is_empty())
        .filter_map(|r| {
            let n = |v: Option<&i64>| v.map_or(0, |q| u64::try_from(*q).unwrap_or(0));
            Some(InquiryRow {
                account: account.clone(),
                day: day(r.ord_dt.get()),
                odno: r.odno.raw().into_owned(),
                orig_odno: non_blank(&r.orgn_odno.raw()),
                symbol: r.pdno.raw().trim().to_owned(),
                side: Side::from_kis(&r.sll_buy_dvsn_cd.raw())?,
                ord_qty: n(r.ord_qty.get()),
                ord_price: r.ord_unpr.get().copied(),
                tot_ccld_qty: n(r.tot_ccld_qty.get()),
                avg_prvs: r.avg_prvs.get().copied().unwrap_or_default(),
                tot_ccld_amt: r.tot_ccld_amt.get().copied(),
                rmn_qty: n(r.rmn_qty.get()),
                cncl_yn: r.cncl_yn.get().copied().unwrap_or(false),
                rjct_qty: n(r.rjct_qty.get()),
                venue: match r.excg_id_dvsn_cd.raw().trim() {
                    "NXT" => Some(Venue::Nxt),
                    "SOR" => Some(Venue::Sor),
                    "KRX" => Some(Venue::Krx),
                    _ => None,
                },
            })
        })
        .collect())
}

/// The domestic balance (주식잔고조회 `inquire-balance`, all pages) as holdings: `pdno`,
/// `hldg_qty`, `thdt_buyqty`, `thdt_sll_qty`. A missing or unreadable quantity is an error
/// naming the field (a drift check must not act on a guess); blank filler rows are skipped.
pub(crate) async fn holdings(
    client: &Client,
    account: &AccountKey,
) -> Result<Vec<Holding>, crate::Error> {
    let req = InquireBalanceRequest::new(
        BalanceInquiry::ByLoanDate, // `02` (by stock) is refused since 2026-02-10
        false,
        false,
        PrevDayTrades::Include,
    )
    .cano(account.cano())
    .acnt_prdt_cd(account.product());
    let rows = client.rows(req).await?.complete()?;
    let qty = |v: &kis_client::value::Val<i64>, field: &'static str| {
        v.get()
            .and_then(|q| u64::try_from(*q).ok())
            .ok_or_else(|| crate::Error::Response {
                field,
                raw: v.raw().into_owned(),
            })
    };
    rows.rows
        .iter()
        .filter(|r| !r.pdno.raw().trim().is_empty())
        .map(|r| {
            Ok(Holding {
                symbol: r.pdno.raw().trim().to_owned(),
                qty: qty(&r.hldg_qty, "hldg_qty")?,
                bought_today: qty(&r.thdt_buyqty, "thdt_buyqty")?,
                sold_today: qty(&r.thdt_sll_qty, "thdt_sll_qty")?,
            })
        })
        .collect()
}

fn non_blank(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty() && !t.trim_start_matches('0').is_empty()).then(|| t.to_owned())
}

/// The account of a notice's `ACNT_NO`: 10 digits, or the 8-digit number of one of `known`.
pub(crate) fn notice_account(acnt_no: &str, known: &[AccountKey]) -> Option<AccountKey> {
    let t = acnt_no.trim();
    if let Ok(a) = AccountKey::parse(t) {
        return Some(a);
    }
    known.iter().find(|a| a.cano() == t).cloned()
}

/// The text of an execution notice's fields, domestic or overseas (the same names in both
/// layouts), before they are read.
struct NoticeText<'a> {
    acnt_no: std::borrow::Cow<'a, str>,
    oder_no: std::borrow::Cow<'a, str>,
    ooder_no: std::borrow::Cow<'a, str>,
    cntg_yn: std::borrow::Cow<'a, str>,
    rfus_yn: std::borrow::Cow<'a, str>,
    rctf_cls: std::borrow::Cow<'a, str>,
    symbol: std::borrow::Cow<'a, str>,
    side: std::borrow::Cow<'a, str>,
    oder_qty: std::borrow::Cow<'a, str>,
    oder_prc: Option<std::borrow::Cow<'a, str>>,
    cntg_qty: std::borrow::Cow<'a, str>,
    cntg_unpr: std::borrow::Cow<'a, str>,
    time: std::borrow::Cow<'a, str>,
    /// `ORD_EXG_GB` (domestic only): 1 KRX, 2 NXT, 3 SOR-KRX, 4 SOR-NXT.
    exchange: Option<std::borrow::Cow<'a, str>>,
}

/// Reads a notice's text; `None` when it is not an order of an account (malformed fields are
/// skipped, never guessed). Quantities may be written as decimals (overseas): whole shares.
fn read_notice(n: NoticeText<'_>, known: &[AccountKey]) -> Option<Notice> {
    let account = notice_account(&n.acnt_no, known)?;
    let whole = |s: &str| {
        s.trim()
            .parse::<Decimal>()
            .ok()
            .and_then(|d| u64::try_from(d.trunc()).ok())
    };
    let dec = |s: &str| s.trim().parse::<Decimal>().ok();
    let fill = n.cntg_yn.trim() == "2";
    let refused = matches!(n.rfus_yn.trim(), "1" | "Y");
    Some(Notice {
        account,
        odno: n.oder_no.trim().to_owned(),
        orig_odno: non_blank(&n.ooder_no),
        kind: if refused {
            NoticeKind::Refused
        } else if fill {
            NoticeKind::Fill
        } else {
            NoticeKind::Ack
        },
        rctf: match n.rctf_cls.trim() {
            "1" => Rctf::Modify,
            "2" => Rctf::Cancel,
            _ => Rctf::New,
        },
        symbol: n.symbol.trim().to_owned(),
        side: Side::from_kis(&n.side)?,
        order_qty: whole(&n.oder_qty),
        order_price: n.oder_prc.as_deref().and_then(dec),
        fill_qty: if fill { whole(&n.cntg_qty)? } else { 0 },
        fill_price: if fill { dec(&n.cntg_unpr) } else { None },
        time: Some(n.time.trim().to_owned()).filter(|t| !t.is_empty()),
        venue: n.exchange.as_deref().and_then(|e| match e.trim() {
            "1" => Some(Venue::Krx),
            "2" => Some(Venue::Nxt),
            "3" | "4" => Some(Venue::Sor),
            _ => None,
        }),
    })
}

/// A domestic execution notice (`H0STCNI0`/`H0STCNI9`), normalized.
pub(crate) fn domestic_notice(
    n: &kis_ws::api::realtime_domestic_stock::h0stcni0::H0stcni0,
    known: &[AccountKey],
) -> Option<Notice> {
    let text = NoticeText {
        acnt_no: n.acnt_no.raw(),
        oder_no: n.oder_no.raw(),
        ooder_no: n.ooder_no.raw(),
        cntg_yn: n.cntg_yn.raw(),
        rfus_yn: n.rfus_yn.raw(),
        rctf_cls: n.rctf_cls.raw(),
        symbol: n.stck_shrn_iscd.raw(),
        side: n.seln_byov_cls.raw(),
        oder_qty: n.oder_qty.raw(),
        oder_prc: Some(n.oder_prc.raw()),
        cntg_qty: n.cntg_qty.raw(),
        cntg_unpr: n.cntg_unpr.raw(),
        time: n.stck_cntg_hour.raw(),
        exchange: Some(n.ord_exg_gb.raw()),
    };
    read_notice(text, known)
}

/// An overseas execution notice (`H0GSCNI0`/`H0GSCNI9`), normalized (its layout has no order
/// price).
pub(crate) fn overseas_notice(
    n: &kis_ws::api::realtime_overseas_stock::h0gscni0::H0gscni0,
    known: &[AccountKey],
) -> Option<Notice> {
    let text = NoticeText {
        acnt_no: n.acnt_no.raw(),
        oder_no: n.oder_no.raw(),
        ooder_no: n.ooder_no.raw(),
        cntg_yn: n.cntg_yn.raw(),
        rfus_yn: n.rfus_yn.raw(),
        rctf_cls: n.rctf_cls.raw(),
        symbol: n.stck_shrn_iscd.raw(),
        side: n.seln_byov_cls.raw(),
        oder_qty: n.oder_qty.raw(),
        oder_prc: None,
        cntg_qty: n.cntg_qty.raw(),
        cntg_unpr: n.cntg_unpr.raw(),
        time: n.stck_cntg_hour.raw(),
        exchange: None,
    };
    read_notice(text, known)
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use proptest::prelude::*;

    use super::*;

    fn text<'a>(fields: [&'a str; 12]) -> NoticeText<'a> {
        let c = |i: usize| Cow::Borrowed(fields[i]);
        NoticeText {
            acnt_no: c(0),
            oder_no: c(1),
            ooder_no: c(2),
            cntg_yn: c(3),
            rfus_yn: c(4),
            rctf_cls: c(5),
            symbol: c(6),
            side: c(7),
            oder_qty: c(8),
            oder_prc: Some(c(9)),
            cntg_qty: c(10),
            cntg_unpr: c(11),
            time: Cow::Borrowed("091500"),
            exchange: Some(Cow::Borrowed("2")),
        }
    }

    #[test]
    fn a_fill_an_ack_and_a_refusal_read_as_such() {
        let fill = read_notice(
            text([
                "1234567801",
                "0000011",
                "",
                "2",
                "0",
                "0",
                "005930",
                "02",
                "10",
                "70000",
                "4",
                "70000",
            ]),
            &[],
        )
        .expect("a fill");
        assert_eq!(
            (fill.kind, fill.fill_qty, fill.side),
            (NoticeKind::Fill, 4, Side::Buy)
        );
        assert_eq!(fill.venue, Some(Venue::Nxt), "ORD_EXG_GB 2 is NXT");
        assert_eq!(
            fill.orig_odno, None,
            "a blank original order number is none"
        );
        let ack = read_notice(
            text([
                "12345678", "12", "11", "1", "0", "1", "005930", "01", "10", "0", "", "",
            ]),
            &[AccountKey::parse("1234567801").unwrap()],
        )
        .expect("an 8-digit account of a known one");
        assert_eq!(
            (ack.kind, ack.rctf, ack.fill_qty),
            (NoticeKind::Ack, Rctf::Modify, 0)
        );
        let refused = read_notice(
            text([
                "1234567801",
                "13",
                "",
                "1",
                "1",
                "0",
                "005930",
                "02",
                "1",
                "0",
                "",
                "",
            ]),
            &[],
        )
        .expect("a refusal");
        assert_eq!(refused.kind, NoticeKind::Refused);
        // An account that is not ours, or a fill without a quantity, is no notice.
        assert!(
            read_notice(
                text(["99", "1", "", "2", "0", "0", "X", "02", "1", "1", "1", "1"]),
                &[]
            )
            .is_none()
        );
        assert!(
            read_notice(
                text([
                    "1234567801",
                    "1",
                    "",
                    "2",
                    "0",
                    "0",
                    "X",
                    "02",
                    "1",
                    "1",
                    "",
                    "1"
                ]),
                &[]
            )
            .is_none()
        );
    }

    proptest! {
        /// Any text: a notice or none, never a panic; a fill's quantity is what it says.
        #[test]
        fn any_text_reads_without_panicking(fields in proptest::array::uniform12(".{0,12}")) {
            let f: Vec<&str> = fields.iter().map(String::as_str).collect();
            let arr: [&str; 12] = f.try_into().unwrap();
            if let Some(n) = read_notice(text(arr), &[]) {
                if n.kind == NoticeKind::Fill {
                    prop_assert!(arr[10].trim().parse::<Decimal>().is_ok());
                }
            }
        }
    }
}
