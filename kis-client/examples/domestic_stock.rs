//! 국내주식 (domestic stock): quote, buying power, a limit order and its cancellation, with the
//! realtime order book (H0STASP0) and execution notices (H0STCNI9 paper / H0STCNI0 real).
//!
//! `cargo run -p kis-client --example domestic_stock [-- --live [--trade]]`

mod common;

use std::time::Duration;

use common::{Args, BoxError, Target};
use kis_client::Env;
use kis_client::api::domestic_stock::{
    inquire_price::InquirePriceRequest, inquire_psbl_order::InquirePsblOrderRequest,
    order_cash::OrderCashRequest, order_rvsecncl::OrderRvsecnclRequest,
};
use kis_client::codes::{Market, ModifyCancel, OrdDvsnInquirePsblOrder, OrderType};
use kis_mock::Fill;
use kis_ws::AnyRecord;
use rust_decimal::Decimal;

const CODE: &str = "005930";

fn main() {
    common::main_with(run);
}

async fn run(args: Args) -> Result<(), BoxError> {
    // Orders stay open on the simulator, so the cancel below has something to cancel.
    let target = Target::with(args, Env::Paper, |m| m.fill = Fill::Never).await?;
    let client = &target.client;
    println!("domestic stock on the {}", target.describe());

    let quote = client
        .send(InquirePriceRequest::new(Market::Krx, CODE))
        .await?;
    let q = quote.output.get().ok_or("no quote")?;
    println!(
        "{CODE}: {} KRW, limits {}..{}",
        q.stck_prpr, q.stck_llam, q.stck_mxpr
    );

    // How much can be bought at the lower limit price (limit order "00", no CMA, no overseas).
    let low = q.stck_llam.get().copied().ok_or("no lower limit price")?;
    let psbl = client
        .send(
            InquirePsblOrderRequest::new(OrdDvsnInquirePsblOrder::from_code("00"), false, false)
                .pdno(CODE)
                .ord_unpr(Decimal::from(low)),
        )
        .await?;
    if let Some(p) = psbl.output.get() {
        println!(
            "buying power: {} KRW cash, up to {} shares",
            p.ord_psbl_cash, p.max_buy_qty
        );
    }

    let session = target.realtime().await?;
    let notice_tr = match client.config().env() {
        Env::Real => "H0STCNI0",
        Env::Paper => "H0STCNI9",
    };
    let mut subs = vec![("H0STASP0", CODE)];
    if let Some(hts_id) = client.config().hts_id() {
        subs.push((notice_tr, hts_id));
    }
    let trade = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        if !(target.is_mock() || args.trade) {
            println!("(read-only: pass --live --trade to place and cancel an order)");
            return Ok::<_, BoxError>(());
        }
        // A 1-share limit buy at the lower limit price (it rests), then its cancellation:
        // ModifyCancel::Cancel ("02"), all of the remaining quantity (잔량전부 "Y").
        let placed = client
            .send(OrderCashRequest::buy(
                CODE,
                OrderType::Limit,
                1,
                Decimal::from(low),
            ))
            .await?;
        let o = placed.output.get().ok_or("no order output")?;
        println!("order {} placed at {}: {}", o.odno, o.ord_tmd, placed.msg1);
        let cancel = OrderRvsecnclRequest::new(
            o.odno.raw(),
            OrderType::Limit,
            ModifyCancel::Cancel,
            0,
            Decimal::ZERO,
            true,
        )
        .krx_fwdg_ord_orgno(o.krx_fwdg_ord_orgno.raw());
        let cancelled = client.send(cancel).await?;
        println!("cancelled: {}", cancelled.msg1);
        Ok(())
    };
    let watch = common::watch(&session, &subs, Duration::from_millis(1500), |r| match r {
        AnyRecord::H0stasp0(b) => Some(format!(
            "book {}: ask {} / bid {}",
            b.bsop_hour, b.askp1, b.bidp1
        )),
        AnyRecord::H0stcni0(n) => Some(format!(
            "notice: order {} (original {}) {} x {}",
            n.oder_no, n.ooder_no, n.stck_shrn_iscd, n.oder_qty
        )),
        _ => None,
    });
    let (watched, traded) = tokio::join!(watch, trade);
    traded?;
    let n = watched?;
    println!("{n} realtime records");
    target.check_realtime(n)?;
    session.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn runs_against_kis_mock() {
        super::run(super::Args::default()).await.unwrap();
    }
}
