//! The requests of `docs/MIGRATION.md`, built here so that the compiler checks every one of
//! them; prints each with its endpoint and TR IDs. Its test checks the document against this
//! file and the realtime TR IDs against kis-ws.
//!
//! `cargo run -p kis-client --example migration`

use kis_client::api::{
    domestic_futureoption, domestic_stock, overseas_futureoption, overseas_price, overseas_stock,
};
use kis_client::codes::*;
use kis_client::endpoint::Endpoint;
use rust_decimal_macros::dec;

/// A calendar date (the rows use fixed, valid dates).
fn date(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

/// One table row: the endpoint's spec id, path and TR IDs.
fn row<E: Endpoint>(n: usize, req: E) -> String {
    let ids = req.tr_ids();
    format!(
        "{n:>2} {:<32} {:<60} real {:<14} paper {}",
        E::INFO.id,
        E::INFO.path,
        ids.real.unwrap_or("-"),
        ids.paper.unwrap_or("-")
    )
}

/// Every row of the REST table, in order.
fn rows() -> Vec<String> {
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };
    vec![
        row(
            next(),
            domestic_stock::inquire_price::InquirePriceRequest::new(Market::Krx, "005930"),
        ),
        row(
            next(),
            domestic_stock::inquire_asking_price_exp_ccn::InquireAskingPriceExpCcnRequest::new(
                Market::Krx,
                "005930",
            ),
        ),
        row(
            next(),
            domestic_stock::inquire_ccnl::InquireCcnlRequest::new(Market::Krx, "005930"),
        ),
        row(
            next(),
            domestic_stock::inquire_daily_price::InquireDailyPriceRequest::new(
                Market::Krx,
                "005930",
                Period::Day,
                FidOrgAdjPrc::AdjustedApplied,
            ),
        ),
        row(
            next(),
            domestic_stock::inquire_daily_itemchartprice::InquireDailyItemchartpriceRequest::new(
                Market::Krx,
                "005930",
                date(2026, 1, 1),
                date(2026, 1, 31),
                Period::Day,
                PriceAdjustment::Adjusted,
            ),
        ),
        row(
            next(),
            domestic_stock::inquire_time_itemchartprice::InquireTimeItemchartpriceRequest::new(
                Market::Krx,
                "005930",
                "153000",
                "N",
            ),
        ),
        row(
            next(),
            domestic_stock::inquire_investor::InquireInvestorRequest::new(Market::Krx, "005930"),
        ),
        row(
            next(),
            domestic_stock::inquire_index_price::InquireIndexPriceRequest::new("U", "0001"),
        ),
        row(
            next(),
            domestic_stock::volume_rank::VolumeRankRequest::new(
                Market::Krx,
                "20171",
                "0000",
                FidDivClsCodeExpTransUpdown::from_code("0"),
                FidBlngClsCodeVolumeRank::from_code("0"),
                "111111111",
                "0000000000",
            ),
        ),
        row(
            next(),
            domestic_stock::chk_holiday::ChkHolidayRequest::new(date(2026, 1, 1)),
        ),
        row(
            next(),
            domestic_stock::inquire_balance::InquireBalanceRequest::new(
                BalanceInquiry::ByLoanDate,
                false,
                false,
                PrevDayTrades::Include,
            ),
        ),
        row(
            next(),
            domestic_stock::inquire_balance_rlz_pl::InquireBalanceRlzPlRequest::new(
                false,
                "02",
                false,
                false,
                PrevDayTrades::Include,
                false,
            ),
        ),
        row(
            next(),
            domestic_stock::inquire_account_balance::InquireAccountBalanceRequest::new(),
        ),
        row(
            next(),
            domestic_stock::order_cash::OrderCashRequest::buy(
                "005930",
                OrderType::Limit,
                1,
                dec!(70000),
            ),
        ),
        row(
            next(),
            domestic_stock::order_cash::OrderCashRequest::sell(
                "005930",
                OrderType::Market,
                1,
                dec!(0),
            ),
        ),
        row(
            next(),
            domestic_stock::order_credit::OrderCreditRequest::buy(
                "005930",
                CrdtTypeOrderCredit::from_code("21"),
                "20260101",
                OrderType::Limit,
                1,
                dec!(70000),
            ),
        ),
        row(
            next(),
            domestic_stock::order_rvsecncl::OrderRvsecnclRequest::new(
                "0000123456",
                OrderType::Limit,
                ModifyCancel::Cancel,
                0,
                dec!(0),
                true,
            )
            .krx_fwdg_ord_orgno("06010"),
        ),
        row(
            next(),
            domestic_stock::inquire_psbl_rvsecncl::InquirePsblRvsecnclRequest::new(
                InqrDvsn1InquirePsblRvsecncl::Order,
                InqrDvsn2::All,
            ),
        ),
        row(
            next(),
            domestic_stock::inquire_daily_ccld::InquireDailyCcldRequest::within_3m(
                date(2026, 1, 1),
                date(2026, 1, 31),
                SideFilter::All,
                FillFilter::All,
                SortOrder::Descending,
                InqrDvsn3::All,
            )
            .excg_id_dvsn_cd("KRX"),
        ),
        row(
            next(),
            domestic_stock::inquire_psbl_order::InquirePsblOrderRequest::new(
                OrdDvsnInquirePsblOrder::from_code("00"),
                false,
                false,
            )
            .pdno("005930")
            .ord_unpr(dec!(70000)),
        ),
        row(
            next(),
            domestic_stock::inquire_psbl_sell::InquirePsblSellRequest::new("005930"),
        ),
        row(
            next(),
            overseas_price::price::PriceRequest::new(QuoteExchange::Nasdaq, "AAPL"),
        ),
        row(
            next(),
            overseas_price::dailyprice::DailypriceRequest::new(
                QuoteExchange::Nasdaq,
                "AAPL",
                Gubn::Day,
                Modp::NotApplied,
            ),
        ),
        row(
            next(),
            overseas_price::inquire_asking_price::InquireAskingPriceRequest::new(
                QuoteExchange::Nasdaq,
                "AAPL",
            ),
        ),
        row(
            next(),
            overseas_stock::inquire_balance::InquireBalanceRequest::new(
                OvrsExcgCd::Nasdaq,
                TrCrcyCd::from_code("USD"),
            ),
        ),
        row(
            next(),
            overseas_stock::inquire_present_balance::InquirePresentBalanceRequest::new(
                WcrcFrcrDvsnCdInquirePresentBalance::ForeignCurrency,
                Country::All,
                TrMketCd::All,
                InqrDvsnCdInquirePresentBalance::All,
            ),
        ),
        row(
            next(),
            overseas_stock::order::OrderRequest::us_buy(
                OrderExchange::Nasdaq,
                "AAPL",
                dec!(1),
                dec!(150.00),
                "0",
                OverseasOrderType::Limit,
            ),
        ),
        row(
            next(),
            overseas_stock::order_rvsecncl::OrderRvsecnclRequest::us(
                OrderExchange::Nasdaq,
                "AAPL",
                "0030123456",
                ModifyCancel::Cancel,
                dec!(1),
                dec!(0),
            ),
        ),
        row(
            next(),
            overseas_stock::inquire_psamount::InquirePsamountRequest::new(
                OrderExchange::Nasdaq,
                dec!(150.00),
                "AAPL",
            ),
        ),
        row(
            next(),
            overseas_stock::inquire_nccs::InquireNccsRequest::new()
                .ovrs_excg_cd(OrderExchange::Nasdaq),
        ),
        row(
            next(),
            overseas_stock::inquire_ccnl::InquireCcnlRequest::new(
                date(2026, 1, 1),
                date(2026, 1, 31),
                SideFilter::All,
                FillFilter::All,
                SortSqnInquireCcnl::Ascending,
            ),
        ),
        row(
            next(),
            domestic_futureoption::inquire_price::InquirePriceRequest::new(
                FuturesMarket::IndexFutures,
                "101S03",
            ),
        ),
        row(
            next(),
            domestic_futureoption::order::OrderRequest::day(
                SideFilter::Buy,
                "101S03",
                1,
                dec!(395.00),
                OrdDvsnCd::Limit,
            ),
        ),
        row(
            next(),
            domestic_futureoption::inquire_balance::InquireBalanceRequest::new(
                MgnaDvsn::from_code("01"),
                ExccStatCd::from_code("1"),
            ),
        ),
        row(
            next(),
            overseas_futureoption::inquire_price::InquirePriceRequest::new("CNHU24"),
        ),
    ]
}

fn main() {
    for r in rows() {
        println!("{r}");
    }
}

#[cfg(test)]
mod tests {
    /// Whitespace-free text with `,)` folded to `)`, so rustfmt's line breaks do not matter.
    fn squash(s: &str) -> String {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        s.replace(",)", ")")
    }

    fn doc() -> String {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/MIGRATION.md");
        std::fs::read_to_string(path).expect("docs/MIGRATION.md is readable")
    }

    /// The backticked kis-rs request of every numbered REST row (third column).
    fn doc_requests(doc: &str) -> Vec<(String, String)> {
        doc.lines()
            .filter_map(|l| {
                let cols: Vec<&str> = l.split(" | ").collect();
                let num = cols.first()?.trim_start_matches('|').trim();
                num.parse::<usize>().ok()?;
                let code = cols.get(2)?.split('`').nth(1)?;
                code.contains("Request::")
                    .then(|| (num.to_owned(), code.to_owned()))
            })
            .collect()
    }

    #[test]
    fn every_documented_request_is_compiled_here() {
        let src = squash(include_str!("migration.rs"));
        let reqs = doc_requests(&doc());
        assert!(
            reqs.len() >= 30,
            "only {} REST rows found in MIGRATION.md",
            reqs.len()
        );
        assert_eq!(
            reqs.len(),
            super::rows().len(),
            "MIGRATION.md and rows() differ in length"
        );
        for (num, code) in reqs {
            assert!(
                src.contains(&squash(&code)),
                "row {num}: `{code}` is not in examples/migration.rs"
            );
        }
    }

    #[test]
    fn every_documented_realtime_tr_exists() {
        let doc = doc();
        let mut seen = 0;
        for part in doc
            .split("subscribe(\"")
            .skip(1)
            .chain(doc.split("(paper: `\"").skip(1))
        {
            let tr = part.split('"').next().unwrap_or_default();
            assert!(
                kis_ws::api::columns(tr).is_some(),
                "realtime TR {tr} in MIGRATION.md is unknown to kis-ws"
            );
            seen += 1;
        }
        assert!(seen >= 7, "only {seen} realtime TR IDs found");
    }
}
