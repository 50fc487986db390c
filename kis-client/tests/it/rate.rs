//! Sustained load against a mock enforcing 20/s: ≥ 95 % of the limit and no `EGW00201`.
//! The only long (10 s) test.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use kis_mock::MockConfig;

use crate::endpoints::InquirePrice;
use crate::support::Setup;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_seconds_at_the_limit_without_egw00201() {
    let s = Setup::start(MockConfig {
        rate_limit_per_sec: Some(20),
        ..MockConfig::default()
    })
    .await;
    // No retries: any EGW00201 would surface as an error.
    let c = s.client_with(|b| b.max_retries(0));
    assert_eq!(c.config().rate_limit_per_sec(), 20);
    c.ensure_token().await.expect("token");
    let ok = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(10);
    let workers: Vec<_> = (0..32)
        .map(|_| {
            let (c, ok) = (c.clone(), ok.clone());
            tokio::spawn(async move {
                let mut errors = Vec::new();
                while Instant::now() < deadline {
                    match c.send(InquirePrice::new("005930")).await {
                        Ok(_) if Instant::now() <= deadline => {
                            ok.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(_) => {}
                        Err(e) => errors.push(e.to_string()),
                    }
                }
                errors
            })
        })
        .collect();
    let mut errors = Vec::new();
    for w in workers {
        errors.extend(w.await.expect("worker"));
    }
    let stats = s.mock.stats();
    let ok = ok.load(Ordering::Relaxed);
    eprintln!(
        "10 s at 20/s: {ok} successful calls ({:.1} % of 200), {} rate-limited",
        ok as f64 / 2.0,
        stats.rate_limited
    );
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(stats.rate_limited, 0);
    assert!(ok >= 190, "only {ok} calls in 10 s");
}
