//! Every view field equals the raw field it reads, over the simulator (domestic and
//! overseas), and the series page past KIS's 100 rows.

use chrono::Duration;
use futures::StreamExt;
use kis::kis_client::api::domestic_stock::order_cash::OrderCashRequest;
use kis::kis_client::codes::OrderType;
use kis::kis_client::mock::kis_mock::{Fill, Holding, MockConfig};
use kis::views::book::RawBook;
use kis::views::candle::RawCandles;
use kis::views::quote::RawQuote;
use kis::views::trades::RawTrade;
use kis::{Currency, Kis, Money, Period, Quantity, Side};
use rust_decimal::Decimal;

fn krw(v: i64) -> Money {
    Money::krw(v)
}

fn krw_dec(v: Decimal) -> Money {
    Money::new(v, Currency::Krw)
}

async fn simulator() -> Kis {
    let mut config = MockConfig::paper();
    config.fill = Fill::Never;
    config.initial_holdings = ["005930", "000660", "035720", "069500", "373220"]
        .iter()
        .enumerate()
        .map(|(i, code)| Holding {
            code: (*code).into(),
            qty: 10 + i as u64,
            avg_price: 50_000,
        })
        .collect();
    Kis::simulator_with(config).await.unwrap()
}

#[tokio::test]
async fn domestic_quote_book_and_trades_read_their_fields() {
    let kis = simulator().await;
    let s = kis.stock("005930").await.unwrap();
    let q = s.quote().await.unwrap();
    let RawQuote::Domestic(r) = q.raw() else {
        panic!()
    };
    let o = r.output.get().unwrap();
    assert_eq!(q.code, "005930");
    assert_eq!(q.price, krw(*o.stck_prpr.get().unwrap()));
    assert_eq!(q.change, krw_dec(*o.prdy_vrss.get().unwrap()));
    assert_eq!(q.change_pct, *o.prdy_ctrt.get().unwrap());
    assert_eq!(q.prev_close, krw(*o.stck_sdpr.get().unwrap()));
    assert_eq!(q.open, krw(*o.stck_oprc.get().unwrap()));
    assert_eq!(q.high, krw(*o.stck_hgpr.get().unwrap()));
    assert_eq!(q.low, krw(*o.stck_lwpr.get().unwrap()));
    assert_eq!(q.volume, Quantity::new(*o.acml_vol.get().unwrap() as u64));
    assert_eq!(q.value, krw_dec(*o.acml_tr_pbmn.get().unwrap()));
    assert_eq!(q.upper_limit, Some(krw(*o.stck_mxpr.get().unwrap())));
    assert_eq!(q.lower_limit, Some(krw(*o.stck_llam.get().unwrap())));
    assert_eq!(q.tick, krw_dec(*o.aspr_unit.get().unwrap()));
    assert_eq!(
        q.status,
        o.iscd_stat_cls_code.get().map(|c| c.label()).unwrap_or("")
    );
    // The simulated market is consistent: the price is inside the day's range and limits.
    assert!(q.low <= q.price && q.price <= q.high);
    assert!(s.check_price(q.price).is_ok(), "{} on the grid", q.price);
    let json = serde_json::to_value(&q).unwrap();
    assert_eq!(
        json["price"]["amount"],
        serde_json::json!(q.price.amount().to_string())
    );

    let book = s.book().await.unwrap();
    let RawBook::Rest(r) = book.raw() else {
        panic!()
    };
    let o = r.output1.get().unwrap();
    let asks = [&o.askp1, &o.askp2, &o.askp3, &o.askp4, &o.askp5];
    let ask_qty = [
        &o.askp_rsqn1,
        &o.askp_rsqn2,
        &o.askp_rsqn3,
        &o.askp_rsqn4,
        &o.askp_rsqn5,
    ];
    let bids = [&o.bidp1, &o.bidp2, &o.bidp3, &o.bidp4, &o.bidp5];
    let bid_qty = [
        &o.bidp_rsqn1,
        &o.bidp_rsqn2,
        &o.bidp_rsqn3,
        &o.bidp_rsqn4,
        &o.bidp_rsqn5,
    ];
    assert!(!book.asks.is_empty() && !book.bids.is_empty());
    for (i, l) in book.asks.iter().take(5).enumerate() {
        assert_eq!(l.price, krw_dec(*asks[i].get().unwrap()));
        assert_eq!(l.qty, Quantity::new(*ask_qty[i].get().unwrap() as u64));
    }
    for (i, l) in book.bids.iter().take(5).enumerate() {
        assert_eq!(l.price, krw_dec(*bids[i].get().unwrap()));
        assert_eq!(l.qty, Quantity::new(*bid_qty[i].get().unwrap() as u64));
    }
    assert!(
        book.asks.windows(2).all(|w| w[0].price < w[1].price),
        "asks rise"
    );
    assert!(
        book.bids.windows(2).all(|w| w[0].price > w[1].price),
        "bids fall"
    );
    assert!(book.spread().unwrap() > Decimal::ZERO);
    assert_eq!(
        book.total_ask_qty,
        Quantity::new(*o.total_askp_rsqn.get().unwrap() as u64)
    );

    let trades = s.trades().await.unwrap();
    assert!(!trades.is_empty());
    for t in &trades {
        assert!(s.check_price(t.price).is_ok());
        assert!(t.qty > Quantity::ZERO);
        let RawTrade::Rest(r) = t.raw() else { panic!() };
        assert_eq!(t.price, krw(*r.stck_prpr.get().unwrap()));
        assert_eq!(t.qty, Quantity::new(*r.cntg_vol.get().unwrap() as u64));
        assert_eq!(t.time, r.stck_cntg_hour.get().unwrap().time());
        assert_eq!(t.change, krw_dec(*r.prdy_vrss.get().unwrap()));
    }
}

#[tokio::test]
async fn candles_page_past_100_rows_oldest_first() {
    let kis = simulator().await;
    let s = kis.stock("005930").await.unwrap();
    let to = kis.trading_day();
    let from = to - Duration::days(400);
    let bars = s.candles(Period::Day, from, to).await.unwrap();
    let expected = kis
        .calendar(kis::Market::Kospi)
        .trading_days(from, to)
        .len();
    assert_eq!(bars.len(), expected, "one bar per trading day");
    assert!(
        bars.raw().len() >= 3,
        "{} calls for {} bars",
        bars.raw().len(),
        bars.len()
    );
    assert!(
        bars.candles.windows(2).all(|w| w[0].date < w[1].date),
        "oldest first"
    );
    assert_eq!(
        bars.candles.first().unwrap().date,
        kis.calendar(kis::Market::Kospi)
            .next_trading_day(from - Duration::days(1))
    );
    // Each bar equals its raw row.
    let RawCandles::Domestic(answers) = bars.raw() else {
        panic!()
    };
    let rows: Vec<_> = answers
        .iter()
        .flat_map(|r| r.output2.rows().iter())
        .collect();
    for c in &bars {
        let r = rows
            .iter()
            .find(|r| r.stck_bsop_date.get() == Some(&c.date))
            .unwrap();
        assert_eq!(c.close, krw(*r.stck_clpr.get().unwrap()));
        assert_eq!(c.open, krw(*r.stck_oprc.get().unwrap()));
        assert_eq!(c.high, krw(*r.stck_hgpr.get().unwrap()));
        assert_eq!(c.low, krw(*r.stck_lwpr.get().unwrap()));
        assert_eq!(c.volume, Quantity::new(*r.acml_vol.get().unwrap() as u64));
        assert_eq!(c.value, krw_dec(*r.acml_tr_pbmn.get().unwrap()));
        assert!(c.low <= c.open && c.open <= c.high && c.low <= c.close && c.close <= c.high);
    }
    let mut csv = Vec::new();
    bars.write_csv(&mut csv).unwrap();
    let text = String::from_utf8(csv).unwrap();
    assert_eq!(text.lines().count(), bars.len() + 1);
    assert!(text.starts_with("date,open,high,low,close,volume,value\n"));
    let weekly = s.candles(Period::Week, from, to).await.unwrap();
    assert!(weekly.len() < bars.len() / 4 && weekly.len() > 50);
    assert!(s.candles(Period::Day, to, from).await.is_err());
}

#[tokio::test]
async fn balance_positions_and_buying_power_read_their_fields() {
    let kis = simulator().await;
    let account = kis.account().unwrap();
    let b = account.balance().await.unwrap();
    let (rows, summary) = b.raw();
    assert_eq!(
        rows.len(),
        5,
        "every page (the simulator pages 2 rows a call)"
    );
    let s = summary.output2.rows().first().unwrap();
    assert_eq!(b.cash_d0, krw_dec(*s.dnca_tot_amt.get().unwrap()));
    assert_eq!(b.cash_d1, krw_dec(*s.nxdy_excc_amt.get().unwrap()));
    assert_eq!(b.cash_d2, krw_dec(*s.prvs_rcdl_excc_amt.get().unwrap()));
    assert_eq!(b.total_value, krw_dec(*s.tot_evlu_amt.get().unwrap()));
    assert_eq!(b.securities_value, krw_dec(*s.scts_evlu_amt.get().unwrap()));
    assert_eq!(b.total_pnl, krw_dec(*s.evlu_pfls_smtl_amt.get().unwrap()));
    assert_eq!(b.positions.len(), 5);
    for (p, r) in b.positions.iter().zip(rows) {
        assert_eq!(p.code, *r.pdno.get().unwrap());
        assert_eq!(p.name, *r.prdt_name.get().unwrap());
        assert_eq!(p.qty, Quantity::new(*r.hldg_qty.get().unwrap() as u64));
        assert_eq!(
            p.orderable_qty,
            Quantity::new(*r.ord_psbl_qty.get().unwrap() as u64)
        );
        assert_eq!(p.avg_price, krw_dec(*r.pchs_avg_pric.get().unwrap()));
        assert_eq!(p.price, krw_dec(*r.prpr.get().unwrap()));
        assert_eq!(p.value, krw_dec(*r.evlu_amt.get().unwrap()));
        assert_eq!(p.cost, krw_dec(*r.pchs_amt.get().unwrap()));
        assert_eq!(p.pnl, krw_dec(*r.evlu_pfls_amt.get().unwrap()));
        assert_eq!(p.pnl_pct, *r.evlu_pfls_rt.get().unwrap());
    }
    let samsung = b.position("005930").unwrap();
    assert_eq!(samsung.qty, Quantity::new(10));
    assert_eq!(samsung.avg_price, krw(50_000));

    let s = kis.stock("005930").await.unwrap();
    let bp = account.buying_power(&s, Some(krw(70_000))).await.unwrap();
    let kis::RawBuyingPower::Domestic(r) = bp.raw() else {
        panic!()
    };
    let o = r.output.get().unwrap();
    assert_eq!(bp.exchange_rate, None);
    assert_eq!(bp.orderable_cash, krw_dec(*o.ord_psbl_cash.get().unwrap()));
    assert_eq!(
        bp.max_qty_cash,
        Quantity::new(*o.nrcvb_buy_qty.get().unwrap() as u64)
    );
    assert_eq!(
        bp.max_qty,
        Quantity::new(*o.max_buy_qty.get().unwrap() as u64)
    );
    assert!(bp.orderable_cash > Money::krw(0));
    // Off the grid: refused before anything is sent.
    let e = account
        .buying_power(&s, Some(krw(70_050)))
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("price"));
}

#[tokio::test]
async fn executions_and_open_orders_on_paper() {
    let kis = simulator().await;
    let account = kis.account().unwrap();
    let s = kis.stock("005930").await.unwrap();
    let low = s.quote().await.unwrap().lower_limit.unwrap();
    let placed = kis
        .client()
        .send(OrderCashRequest::buy(
            "005930",
            OrderType::Limit,
            3,
            low.amount(),
        ))
        .await
        .unwrap();
    let odno = placed.output.get().unwrap().odno.raw().into_owned();

    let open = account.open_orders().await.unwrap();
    let o = open
        .iter()
        .find(|o| o.order_no == odno)
        .expect("the resting order is open");
    assert_eq!((o.side, o.code.as_str()), (Side::Buy, "005930"));
    assert_eq!(o.order_qty, Quantity::new(3));
    assert_eq!(o.remaining_qty, Quantity::new(3));
    assert_eq!(o.order_price, low);
    assert_eq!(o.date, kis.today());

    let today = kis.today();
    let ex = account
        .executions(today - Duration::days(7), today)
        .await
        .unwrap();
    let (rows, _) = ex.raw().next().unwrap();
    for (e, r) in ex.rows.iter().zip(rows) {
        assert_eq!(e.order_no, *r.odno.get().unwrap());
        assert_eq!(e.date, *r.ord_dt.get().unwrap());
        assert_eq!(
            e.filled_qty,
            Quantity::new(*r.tot_ccld_qty.get().unwrap() as u64)
        );
        assert_eq!(
            e.remaining_qty,
            Quantity::new(*r.rmn_qty.get().unwrap() as u64)
        );
        assert_eq!(e.avg_price, krw_dec(*r.avg_prvs.get().unwrap()));
        assert_eq!(e.filled_amount, krw_dec(*r.tot_ccld_amt.get().unwrap()));
    }
    let mut csv = Vec::new();
    ex.write_csv(&mut csv).unwrap();
    assert!(String::from_utf8(csv).unwrap().contains(&odno));
    // A range older than three months takes the other variant (and answers).
    let old = today - Duration::days(200);
    account.executions(old, today).await.unwrap();
}

#[tokio::test]
async fn overseas_quote_and_balance_read_their_fields() {
    let mut config = MockConfig::paper();
    config.clock = kis::kis_client::mock::kis_mock::MockClock::new_york_session();
    let kis = Kis::simulator_with(config).await.unwrap();
    let s = kis.stock("NASDAQ:AAPL").await.unwrap();
    let q = s.quote().await.unwrap();
    let RawQuote::Overseas { price, daily } = q.raw() else {
        panic!()
    };
    let (p, d) = (
        price.output.get().unwrap(),
        daily.output2.rows().first().unwrap(),
    );
    let usd = |v: &Decimal| Money::usd(*v);
    assert_eq!(q.price, usd(p.last.get().unwrap()));
    assert_eq!(q.change.amount().abs(), p.diff.get().unwrap().abs());
    assert_eq!(q.change.amount().is_sign_negative(), q.price < q.prev_close);
    assert_eq!(q.change_pct.abs(), p.rate.get().unwrap().abs());
    assert_eq!(q.prev_close, usd(p.base.get().unwrap()));
    assert_eq!(q.open, usd(d.open.get().unwrap()));
    assert_eq!(q.high, usd(d.high.get().unwrap()));
    assert_eq!(q.low, usd(d.low.get().unwrap()));
    assert_eq!(q.volume, Quantity::from_decimal(*p.tvol.get().unwrap()));
    assert_eq!(q.value, usd(p.tamt.get().unwrap()));
    assert_eq!(q.tick, Money::usd(Decimal::new(1, 2)));
    assert_eq!((q.upper_limit, q.lower_limit), (None, None));
    assert_eq!(q.price.currency(), Currency::Usd);
    assert!(s.check_price(q.price).is_ok(), "{}", q.price);

    let b = kis
        .account()
        .unwrap()
        .overseas_balance(kis::Market::Nasdaq)
        .await
        .unwrap();
    let (rows, summary) = b.raw();
    let sm = summary.output2.get().unwrap();
    assert_eq!(b.total_pnl, usd(sm.tot_evlu_pfls_amt.get().unwrap()));
    assert_eq!(b.realized_pnl, usd(sm.ovrs_rlzt_pfls_amt.get().unwrap()));
    let held: Vec<_> = rows
        .iter()
        .filter(|r| r.ovrs_cblc_qty.get().is_some_and(|q| *q > Decimal::ZERO))
        .collect();
    assert_eq!(b.positions.len(), held.len());
    for (p, r) in b.positions.iter().zip(held) {
        assert_eq!(p.code, *r.ovrs_pdno.get().unwrap());
        assert_eq!(
            p.qty,
            Quantity::from_decimal(*r.ovrs_cblc_qty.get().unwrap())
        );
        assert_eq!(p.price, usd(r.now_pric2.get().unwrap()));
        assert_eq!(p.pnl, usd(r.frcr_evlu_pfls_amt.get().unwrap()));
    }
}

#[tokio::test]
async fn realtime_ticks_and_books_are_the_same_views() {
    let kis = simulator().await;
    let s = kis.stock("005930").await.unwrap();
    let wait = std::time::Duration::from_secs(10);
    let mut ticks = Box::pin(s.ticks().await.unwrap());
    let mut last = None;
    for _ in 0..3 {
        let t = tokio::time::timeout(wait, ticks.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert!(s.check_price(t.price).is_ok(), "{}", t.price);
        assert!(t.qty > Quantity::ZERO);
        assert!(last.is_none_or(|l| l <= t.time), "ticks move forward");
        last = Some(t.time);
    }
    let mut books = Box::pin(s.book_stream().await.unwrap());
    let b = tokio::time::timeout(wait, books.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let RawBook::Realtime(r) = b.raw() else {
        panic!()
    };
    assert_eq!(b.code, "005930");
    assert_eq!(b.asks[0].price, krw_dec(*r.askp1.get().unwrap()));
    assert_eq!(
        b.asks[0].qty,
        Quantity::new(*r.askp_rsqn1.get().unwrap() as u64)
    );
    assert_eq!(b.bids[0].price, krw_dec(*r.bidp1.get().unwrap()));
    assert_eq!(
        b.total_bid_qty,
        Quantity::new(*r.total_bidp_rsqn.get().unwrap() as u64)
    );
    assert!(b.asks.windows(2).all(|w| w[0].price < w[1].price));
    // One session for both streams.
    let subs = kis.session().await.unwrap().subscriptions().await.unwrap();
    assert_eq!(subs.len(), 2, "{subs:?}");
    let apple = kis.stock("NASDAQ:AAPL").await.unwrap();
    assert!(apple.ticks().await.is_err());
}

/// A simulator in New York's session: on the real service (the US book is real-only) or on
/// paper.
async fn new_york(env: kis::Env) -> Kis {
    let mut config = match env {
        kis::Env::Real => MockConfig::default(),
        _ => MockConfig::paper(),
    };
    config.clock = kis::kis_client::mock::kis_mock::MockClock::new_york_session();
    config.fill = Fill::Never;
    Kis::simulator_with(config).await.unwrap()
}

#[tokio::test]
async fn overseas_book_reads_its_fields() {
    let kis = new_york(kis::Env::Real).await;
    let s = kis.stock("NASDAQ:AAPL").await.unwrap();
    let book = s.book().await.unwrap();
    let RawBook::Overseas(r) = book.raw() else {
        panic!()
    };
    let (head, o) = (r.output1.get().unwrap(), r.output2.get().unwrap());
    let usd = |v: &Decimal| Money::usd(*v);
    let dec = |v: &Decimal| Quantity::from_decimal(*v);
    let asks = [
        (&o.pask1, &o.vask1),
        (&o.pask2, &o.vask2),
        (&o.pask3, &o.vask3),
        (&o.pask4, &o.vask4),
        (&o.pask5, &o.vask5),
        (&o.pask6, &o.vask6),
        (&o.pask7, &o.vask7),
        (&o.pask8, &o.vask8),
        (&o.pask9, &o.vask9),
        (&o.pask10, &o.vask10),
    ];
    let bids = [
        (&o.pbid1, &o.vbid1),
        (&o.pbid2, &o.vbid2),
        (&o.pbid3, &o.vbid3),
        (&o.pbid4, &o.vbid4),
        (&o.pbid5, &o.vbid5),
        (&o.pbid6, &o.vbid6),
        (&o.pbid7, &o.vbid7),
        (&o.pbid8, &o.vbid8),
        (&o.pbid9, &o.vbid9),
        (&o.pbid10, &o.vbid10),
    ];
    assert_eq!(book.code, "AAPL");
    assert_eq!(
        head.code.get().unwrap(),
        "AAPL",
        "the answer names the symbol asked"
    );
    assert!(!book.asks.is_empty() && !book.bids.is_empty());
    for (side, raw) in [(&book.asks, &asks), (&book.bids, &bids)] {
        let listed: Vec<_> = raw
            .iter()
            .filter(|(p, _)| !p.get().unwrap().is_zero())
            .collect();
        assert_eq!(side.len(), listed.len(), "every non-empty level");
        for (l, (p, q)) in side.iter().zip(listed) {
            assert_eq!(l.price, usd(p.get().unwrap()));
            assert_eq!(l.qty, dec(q.get().unwrap()));
            assert!(s.check_price(l.price).is_ok(), "{} on the grid", l.price);
        }
    }
    assert_eq!(book.total_ask_qty, dec(head.avol.get().unwrap()));
    assert_eq!(book.total_bid_qty, dec(head.bvol.get().unwrap()));
    assert_eq!(book.time, head.dhms.get().map(|t| t.time()));
    // The simulated market is consistent: one book, the quote inside it.
    assert!(book.asks.windows(2).all(|w| w[0].price < w[1].price));
    assert!(book.bids.windows(2).all(|w| w[0].price > w[1].price));
    assert!(book.spread().unwrap() > Decimal::ZERO);
    let sum = |side: &[kis::Level]| side.iter().map(|l| l.qty.get()).sum::<Decimal>();
    assert_eq!(book.total_ask_qty.get(), sum(&book.asks));
    assert_eq!(book.total_bid_qty.get(), sum(&book.bids));
    let q = s.quote().await.unwrap();
    assert!(book.bids[0].price <= q.price && q.price <= book.asks[0].price);

    // Paper: KIS does not serve it; refused before anything is sent.
    let paper = new_york(kis::Env::Paper).await;
    let e = paper
        .stock("NASDAQ:AAPL")
        .await
        .unwrap()
        .book()
        .await
        .unwrap_err();
    assert!(!e.may_have_been_sent(), "{e}");
    assert!(e.to_string().contains("paper"), "{e}");
}

/// The fields of an overseas row (해외주식 주문체결내역 or 미체결내역) a view reads.
struct UsRow<'a> {
    odno: &'a str,
    ord_dt: chrono::NaiveDate,
    pdno: &'a str,
    ord_qty: Decimal,
    ord_unpr: Decimal,
    ccld_qty: Decimal,
    ccld_unpr: Decimal,
    ccld_amt: Decimal,
    nccs_qty: Decimal,
    exchange: &'a str,
}

fn assert_us_row(e: &kis::Execution, r: UsRow<'_>) {
    assert_eq!(e.order_no, r.odno);
    assert_eq!(e.date, r.ord_dt);
    assert_eq!(e.code, r.pdno);
    assert_eq!(e.order_qty, Quantity::from_decimal(r.ord_qty));
    assert_eq!(e.order_price, Money::usd(r.ord_unpr));
    assert_eq!(e.filled_qty, Quantity::from_decimal(r.ccld_qty));
    assert_eq!(e.avg_price, Money::usd(r.ccld_unpr));
    assert_eq!(e.filled_amount, Money::usd(r.ccld_amt));
    assert_eq!(e.remaining_qty, Quantity::from_decimal(r.nccs_qty));
    assert_eq!(e.market, kis::Market::from_prefix(r.exchange));
    assert_eq!(e.side, Side::Buy);
}

/// US orders placed through the kis API read back as executions and open orders, on paper
/// (open orders from `inquire-ccnl`, KIS has no `inquire-nccs` there) and on the real
/// service (`inquire-nccs`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overseas_executions_and_open_orders_read_their_fields() {
    for env in [kis::Env::Paper, kis::Env::Real] {
        let mut config = match env {
            kis::Env::Real => MockConfig::default(),
            _ => MockConfig::paper(),
        };
        config.clock = kis::kis_client::mock::kis_mock::MockClock::new_york_session();
        config.fill = Fill::Market;
        config.rate_limit_per_sec = None;
        config.paging.rows = 1; // one order a page: the scan must follow every page
        let kis = Kis::simulator_with(config).await.unwrap();
        let account = kis.account().unwrap();
        let q = kis
            .stock("NASDAQ:AAPL")
            .await
            .unwrap()
            .quote()
            .await
            .unwrap();
        let low = (q.price.amount() * Decimal::new(8, 1)).round_dp(2);
        let high = (q.price.amount() * Decimal::new(105, 2)).round_dp(2);
        let resting = account
            .buy("NASDAQ:AAPL", 2)
            .limit(low)
            .submit()
            .await
            .unwrap();
        let crossing = account
            .buy("NASDAQ:AAPL", 1)
            .limit(high)
            .submit()
            .await
            .unwrap();
        let odno = |o: &kis::Order| o.view().chain[0].odno.clone();
        let (resting_no, crossing_no) = (odno(&resting), odno(&crossing));

        let day = kis
            .calendar(kis::Market::Nasdaq)
            .local_time(kis.now().to_utc())
            .date();
        let ex = account.overseas_executions(day, day).await.unwrap();
        let (rows, _) = ex.raw();
        assert_eq!(ex.rows.len(), 2, "{env:?}: {:?}", ex.rows);
        for (e, r) in ex.rows.iter().zip(rows) {
            assert_us_row(
                e,
                UsRow {
                    odno: r.odno.get().unwrap(),
                    ord_dt: *r.ord_dt.get().unwrap(),
                    pdno: r.pdno.get().unwrap(),
                    ord_qty: *r.ft_ord_qty.get().unwrap(),
                    ord_unpr: *r.ft_ord_unpr3.get().unwrap(),
                    ccld_qty: *r.ft_ccld_qty.get().unwrap(),
                    ccld_unpr: *r.ft_ccld_unpr3.get().unwrap(),
                    ccld_amt: *r.ft_ccld_amt3.get().unwrap(),
                    nccs_qty: *r.nccs_qty.get().unwrap(),
                    exchange: r.ovrs_excg_cd.get().unwrap().as_code(),
                },
            );
            assert_eq!(e.order_time, r.ord_tmd.get().map(|t| t.time()));
            assert_eq!(e.name, *r.prdt_name.get().unwrap());
            assert!(!e.cancelled);
        }
        let by_no = |n: &str| ex.rows.iter().find(|e| e.order_no == n).unwrap();
        let (r, c) = (by_no(&resting_no), by_no(&crossing_no));
        assert_eq!(
            (r.order_price, r.remaining_qty),
            (Money::usd(low), Quantity::new(2))
        );
        assert_eq!(
            (c.filled_qty, c.remaining_qty),
            (Quantity::new(1), Quantity::ZERO)
        );
        assert!(c.avg_price.amount() <= high && c.avg_price.amount() > Decimal::ZERO);
        assert_eq!(c.filled_amount.amount(), c.avg_price.amount());
        assert_eq!(c.market, Some(kis::Market::Nasdaq));
        let mut csv = Vec::new();
        ex.write_csv(&mut csv).unwrap();
        let text = String::from_utf8(csv).unwrap();
        assert_eq!(text.lines().count(), 3);
        assert!(
            text.contains(&format!(",USD,{}", kis::Market::Nasdaq)),
            "{text}"
        );

        let open = account.overseas_open_orders().await.unwrap();
        assert_eq!(open.len(), 1, "{env:?}: {open:?}");
        assert_eq!(
            open[0], *r,
            "{env:?}: the open order reads as its execution row"
        );
        if env == kis::Env::Real {
            let raw = kis
                .client()
                .send(
                    kis::kis_client::api::overseas_stock::inquire_nccs::InquireNccsRequest::new()
                        .ovrs_excg_cd(kis::kis_client::codes::OrderExchange::Nasdaq),
                )
                .await
                .unwrap();
            let n = &raw.output.rows()[0];
            assert_us_row(
                &open[0],
                UsRow {
                    odno: n.odno.get().unwrap(),
                    ord_dt: *n.ord_dt.get().unwrap(),
                    pdno: n.pdno.get().unwrap(),
                    ord_qty: *n.ft_ord_qty.get().unwrap(),
                    ord_unpr: *n.ft_ord_unpr3.get().unwrap(),
                    ccld_qty: *n.ft_ccld_qty.get().unwrap(),
                    ccld_unpr: *n.ft_ccld_unpr3.get().unwrap(),
                    ccld_amt: *n.ft_ccld_amt3.get().unwrap(),
                    nccs_qty: *n.nccs_qty.get().unwrap(),
                    exchange: n.ovrs_excg_cd.get().unwrap().as_code(),
                },
            );
        }
        assert!(
            account
                .overseas_executions(day, day - Duration::days(1))
                .await
                .is_err()
        );
    }
}

/// US buying power reads its fields and is the simulator's account truth: the orderable
/// dollars are the cash not reserved by open buys, and the quantity is the most whole shares
/// they pay for at the price asked, commission included.
#[tokio::test]
async fn overseas_buying_power_reads_its_fields_and_the_account() {
    let mut config = MockConfig::paper();
    config.clock = kis::kis_client::mock::kis_mock::MockClock::new_york_session();
    config.fill = Fill::Never;
    config.rate_limit_per_sec = None;
    let kis = Kis::simulator_with(config).await.unwrap();
    let account = kis.account().unwrap();
    let s = kis.stock("NASDAQ:AAPL").await.unwrap();
    let price =
        Money::usd((s.quote().await.unwrap().price.amount() * Decimal::new(9, 1)).round_dp(2));
    let truth_cash = |kis: &Kis| {
        let t = kis.simulator_server().unwrap().truth();
        t["cash"]["USD"]["available"]
            .as_str()
            .unwrap()
            .parse::<Decimal>()
            .unwrap()
    };
    let before = account.buying_power(&s, Some(price)).await.unwrap();
    // A resting buy reserves its amount and commission.
    account
        .buy("NASDAQ:AAPL", 3)
        .limit(price.amount())
        .submit()
        .await
        .unwrap();
    let bp = account.buying_power(&s, Some(price)).await.unwrap();
    for bp in [&before, &bp] {
        let kis::RawBuyingPower::Overseas(r) = bp.raw() else {
            panic!()
        };
        let o = r.output.get().unwrap();
        let num =
            |v: &kis::kis_client::value::Val<String>| v.get().unwrap().parse::<Decimal>().unwrap();
        assert_eq!(bp.orderable_cash, Money::usd(num(&o.ord_psbl_frcr_amt)));
        assert_eq!(
            bp.max_qty_cash,
            Quantity::from_decimal(num(&o.max_ord_psbl_qty))
        );
        assert_eq!(
            bp.max_qty,
            Quantity::from_decimal(num(&o.ovrs_max_ord_psbl_qty))
        );
        assert_eq!(bp.max_amount, Money::usd(num(&o.frcr_ord_psbl_amt1)));
        assert_eq!(bp.exchange_rate, Some(*o.exrt.get().unwrap()));
        assert_eq!(bp.price, price);
        // The most whole shares the cash pays for (commission is under 1%).
        let n = bp.max_qty_cash.get();
        assert!(n * price.amount() <= bp.orderable_cash.amount());
        assert!(
            (n + Decimal::ONE) * price.amount() * Decimal::new(101, 2) > bp.orderable_cash.amount()
        );
    }
    assert_eq!(bp.orderable_cash.amount(), truth_cash(&kis));
    let reserved = before.orderable_cash.amount() - bp.orderable_cash.amount();
    let three = Decimal::from(3) * price.amount();
    assert!(
        reserved >= three && reserved < three * Decimal::new(101, 2),
        "{reserved}"
    );
    // A price off the US grid or in the wrong currency, and a missing price: refused first.
    let off = Money::usd(price.amount() + Decimal::new(5, 3));
    assert_eq!(
        account
            .buying_power(&s, Some(off))
            .await
            .unwrap_err()
            .field(),
        Some("price")
    );
    assert_eq!(
        account
            .buying_power(&s, Some(krw(1000)))
            .await
            .unwrap_err()
            .field(),
        Some("price")
    );
    assert_eq!(
        account.buying_power(&s, None).await.unwrap_err().field(),
        Some("price")
    );
}
