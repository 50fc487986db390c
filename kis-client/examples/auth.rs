//! 인증 (auth): the access token (issued once, cached, reused), the websocket approval key, the
//! `hashkey` header for orders, and revoking the token.
//!
//! `cargo run -p kis-client --example auth [-- --live [--trade]]` (on the live service the
//! token is revoked only with `--trade`: KIS allows one new token per minute.)

mod common;

use common::{Args, BoxError, Target};
use kis_client::api::domestic_stock::order_cash::OrderCashRequest;
use kis_client::{Client, Config, Env};

fn main() {
    common::main_with(run);
}

async fn run(args: Args) -> Result<(), BoxError> {
    let target = Target::new(args, Env::Paper).await?;
    let client = &target.client;
    println!("auth on the {}", target.describe());

    // Tokens are issued on first use (or explicitly), kept in memory and in the token cache
    // (one 0600 file per environment and app key), and renewed before they expire.
    client.ensure_token().await?;
    client.ensure_token().await?; // no second issuance
    println!("access token: ready (Debug of the client shows it redacted)");

    // The approval key for kis-ws; `Debug`/`Display` never show it.
    let key = client.approval_key().await?;
    println!("approval key: {key:?} ({} characters)", key.expose().len());

    if let Some(mock) = &target.mock {
        println!(
            "simulator saw {} token issuance(s)",
            mock.stats().token_issued
        );

        // A second client with the same app key and token cache.
        // `use_hashkey(true)` sends a `hashkey` header (from /uapi/hashkey) with every POST.
        // KIS does not require it; the official samples compute it for orders.
        let c = mock.config();
        let with_hashkey = Client::new(
            Config::builder()
                .env(Env::Paper)
                .app_key(c.app_key.clone())
                .app_secret(c.app_secret.clone())
                .account(c.account.clone())
                .rest_url(mock.rest_url())
                .token_cache_dir(target.mock_token_cache().ok_or("no token cache")?)
                .use_hashkey(true)
                .build()?,
        )?;
        let order = with_hashkey
            .send(OrderCashRequest::buy(
                "005930",
                kis_client::codes::OrderType::Market,
                1,
                rust_decimal::Decimal::ZERO,
            ))
            .await?;
        let hashkeys = mock.stats().requests_to("/uapi/hashkey");
        println!(
            "order with hashkey header: {} ({hashkeys} hashkey call)",
            order.msg1
        );
        // The second client found the first one's token in the shared cache: KIS allows one
        // issuance per minute, so clients and processes share tokens this way.
        println!("token issuances so far: {}", mock.stats().token_issued);
    }

    if target.is_mock() || args.trade {
        client.revoke_token().await?;
        println!("token revoked (and removed from the cache)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn runs_against_kis_mock() {
        super::run(super::Args::default()).await.unwrap();
    }
}
