//! Soak run: kis-client + kis-ws against kis-mock for a while — 41 realtime subscriptions at a
//! high frame rate, forced websocket drops, REST calls (and orders) at the rate limit — then
//! compares what the simulator sent with what the client received.
//!
//! ```text
//! cargo run --release -p kis-mock --example soak                    # 60 s
//! cargo run --release -p kis-mock --example soak -- --duration 600  # the 10-minute run
//! ```
//!
//! The simulator runs in this process; the client runs in a child process (this same binary
//! with `--client`), so the client's peak RSS (`VmHWM`) is its own. Frames carry one record
//! each (`max_records_per_frame = 1`) so frames sent and records received can be compared
//! one to one. Exit status 1 when anything the simulator delivered was not received.
//!
//! The realtime feed is the simulator's execution tape (1 to 4 executions a simulated second
//! per symbol), so the frame rate follows the clock: it runs `--speed` (default 25) times real
//! time from 10:30 KST, which keeps a 10-minute run inside the continuous session.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;
use kis_client::api::domestic_stock::inquire_price::InquirePriceRequest;
use kis_client::api::domestic_stock::order_cash::OrderCashRequest;
use kis_client::{Client, Config, Env};
use kis_mock::{MockConfig, MockServer};
use kis_ws::{ApprovalKeySource, Event, Options, Session};
use serde_json::{Value, json};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Settings shared by both processes.
#[derive(Debug, Clone)]
struct Settings {
    duration: Duration,
    interval: Duration,
    speed: f64,
    drop_after: u64,
    rest_rps: u32,
    order_every: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            duration: Duration::from_secs(60),
            interval: Duration::from_millis(2),
            speed: 25.0,
            drop_after: 40_000,
            rest_rps: 20,
            order_every: 10,
        }
    }
}

const USAGE: &str = "usage: soak [--duration SECS] [--interval-ms MS] [--speed X] \
                     [--drop-after MESSAGES] [--rest-rps N] [--order-every N]";

fn parse(args: &mut impl Iterator<Item = String>, s: &mut Settings) -> Result<(), String> {
    while let Some(arg) = args.next() {
        let mut num = |name: &str| -> Result<u64, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{name} needs a number\n{USAGE}"))
        };
        match arg.as_str() {
            "--duration" => s.duration = Duration::from_secs(num("--duration")?),
            "--interval-ms" => s.interval = Duration::from_millis(num("--interval-ms")?.max(1)),
            "--speed" => s.speed = (num("--speed")? as f64).max(1.0),
            "--drop-after" => s.drop_after = num("--drop-after")?.max(1000),
            "--rest-rps" => s.rest_rps = u32::try_from(num("--rest-rps")?).unwrap_or(20),
            "--order-every" => s.order_every = u32::try_from(num("--order-every")?).unwrap_or(0),
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).peekable();
    let client_mode = args.peek().is_some_and(|a| a == "--client");
    let mut settings = Settings::default();
    let (rest_url, ws_url) = if client_mode {
        args.next();
        match (args.next(), args.next()) {
            (Some(r), Some(w)) => (r, w),
            _ => {
                eprintln!("--client needs REST and websocket URLs");
                return ExitCode::from(2);
            }
        }
    } else {
        (String::new(), String::new())
    };
    if let Err(e) = parse(&mut args, &mut settings) {
        eprintln!("{e}");
        return ExitCode::from(2);
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = if client_mode {
        rt.block_on(client(settings, rest_url, ws_url))
            .map(|()| true)
    } else {
        rt.block_on(coordinator(settings))
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("soak failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A field of `/proc/self/status` in kB (`VmHWM`, `VmRSS`); 0 where unavailable.
fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn mock_config(s: &Settings) -> MockConfig {
    MockConfig {
        data_interval: Some(s.interval),
        clock: kis_mock::MockClock::Simulated {
            start: None,
            speed: s.speed,
        },
        max_records_per_frame: 1,
        // The stateful lists page as KIS does by default (100 daily fills a page on the real
        // service; with hundreds of orders a smaller page would hit the client's 100-page guard).
        paging: kis_mock::PagingConfig {
            pages: 1,
            rows: 100,
            account_rows: None,
        },
        initial_cash: 1_000_000_000_000,
        ..MockConfig::default()
    }
}

/// Runs the simulator, starts the client child, injects drops, and compares the counts.
async fn coordinator(s: Settings) -> Result<bool, BoxError> {
    let mock = MockServer::start(mock_config(&s)).await?;
    mock.faults().drop_ws_after(s.drop_after);
    println!(
        "soak: {} s, clock {}x, the tape's executions every {:?} per subscription, websocket \
         dropped after every {} messages, REST {} req/s (every {}th an order)",
        s.duration.as_secs(),
        s.speed,
        s.interval,
        s.drop_after,
        s.rest_rps,
        s.order_every
    );
    let exe = std::env::current_exe()?;
    let mut child = Command::new(exe)
        .arg("--client")
        .arg(mock.rest_url())
        .arg(mock.ws_url())
        .args(["--duration", &s.duration.as_secs().to_string()])
        .args(["--rest-rps", &s.rest_rps.to_string()])
        .args(["--order-every", &s.order_every.to_string()])
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no child stdout")?;
    // The child prints progress lines and, last, one JSON line with its counts.
    let reader = tokio::task::spawn_blocking(move || {
        let mut last = None;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.starts_with('{') {
                last = Some(line);
            } else {
                println!("  {line}");
            }
        }
        last
    });
    let status = tokio::task::spawn_blocking(move || child.wait()).await??;
    let report = reader.await?.ok_or("the client printed no report")?;
    let c: Value = serde_json::from_str(&report)?;
    let m = mock.stats();
    mock.shutdown();
    let sent = m.frames_sent;
    let received = c["records"].as_u64().unwrap_or(0) + c["notices"].as_u64().unwrap_or(0);
    let reconnects = c["reconnects"].as_u64().unwrap_or(0);
    // Every disconnect the client saw is a forced drop (the final close is not a disconnect).
    let drops = c["disconnects"].as_u64().unwrap_or(0);
    // A forced drop happens inside the mock's send: the frame that trips the limit was counted
    // as sent but never written. At most one per drop.
    let lost = sent.saturating_sub(received);
    let unexplained = lost.saturating_sub(drops);
    // Notices: the account generated accept and fill notices for every order; those generated
    // while the session was down (or after it closed) were never sent. Each such gap must be
    // reported, and every fill must reach the client exactly once: in realtime or recovered.
    let notices_unsent = m.notices_generated.saturating_sub(m.notices_sent);
    let fills_realtime = c["fills_realtime"].as_u64().unwrap_or(0);
    let fills_recovered = c["fills_recovered"].as_u64().unwrap_or(0);
    // Every accepted order is a 1-share market buy that fills at once.
    let orders_filled = m.orders;
    let fills_ok = fills_realtime + fills_recovered == orders_filled;
    let summary = json!({
        "duration_s": s.duration.as_secs(),
        "mock": {
            "frames_sent": sent,
            "notices_sent": m.notices_sent,
            "notices_generated": m.notices_generated,
            "ws_sessions": m.ws_sessions,
            "ws_subscriptions": m.ws_subscriptions,
            "rest_requests": m.requests,
            "rate_limited": m.rate_limited,
            "orders": m.orders,
            "pings_sent": m.pings_sent,
        },
        "client": c,
        "frames_not_received": lost,
        "forced_drops": drops,
        "unexplained_loss": unexplained,
        "notices_unsent_by_mock": notices_unsent,
        "fills_realtime": fills_realtime,
        "fills_recovered": fills_recovered,
        "fills_expected": orders_filled,
    });
    println!("{}", serde_json::to_string_pretty(&summary)?);
    println!(
        "frames sent {sent}, received {received} ({:.0}/s), not received {lost} over {drops} \
         forced drops (at most 1 each is counted-but-unsent), reconnects {reconnects}, \
         resubscriptions {}, REST ok {} / errors {}, EGW00201 {}, client peak RSS {} kB",
        received as f64 / s.duration.as_secs_f64().max(1.0),
        c["resubscribed"],
        c["rest_ok"],
        c["rest_errors"],
        m.rate_limited,
        c["vm_hwm_kb"],
    );
    let ok = status.success()
        && unexplained == 0
        && c["frame_errors"].as_u64() == Some(0)
        && c["lagged"].as_u64() == Some(0)
        && c["subscriptions_lost"].as_u64() == Some(0)
        && m.rate_limited == 0;
    println!(
        "notices generated {} sent {} (unsent {notices_unsent}, in {} reported gaps); fills \
         realtime {fills_realtime} + recovered {fills_recovered} = {} of {orders_filled} orders",
        m.notices_generated,
        m.notices_sent,
        c["notice_gaps"],
        fills_realtime + fills_recovered,
    );
    let ok = ok && fills_ok && c["recovery_failed"].as_u64() == Some(0);
    println!("{}", if ok { "PASS" } else { "FAIL" });
    Ok(ok)
}

/// Approval keys for the session, from the REST client.
struct Keys(Client);

impl ApprovalKeySource for Keys {
    fn approval_key(
        &self,
        fresh: bool,
    ) -> futures::future::BoxFuture<'_, Result<String, kis_ws::Error>> {
        Box::pin(async move {
            let key = if fresh {
                self.0.renew_approval_key().await
            } else {
                self.0.approval_key().await
            };
            key.map(|k| k.expose().to_owned())
                .map_err(|e| kis_ws::Error::ApprovalKey(Box::new(e)))
        })
    }
}

/// The client process: subscribes 41 TRs, consumes everything, calls REST at the rate limit,
/// and prints its counts as one JSON line.
async fn client(s: Settings, rest_url: String, ws_url: String) -> Result<(), BoxError> {
    let mc = mock_config(&s);
    let config = Config::builder()
        .env(Env::Real)
        .app_key(mc.app_key.clone())
        .app_secret(mc.app_secret.clone())
        .account(mc.account.clone())
        .hts_id(mc.hts_id.clone())
        .rest_url(rest_url)
        .ws_url(ws_url.clone())
        .rate_limit_per_sec(s.rest_rps)
        // Orders go to the simulator only (its real-env TR IDs).
        .allow_real_trading(true)
        .no_token_cache()
        .build()?;
    let client = Client::new(config)?;
    let mut options = Options::new(Env::Real);
    options.url = Some(ws_url);
    // Generous queue: a lag would be reported, not hidden.
    options.data_buffer = 1 << 16;
    // Fills missed while the connection was down come back through REST.
    options.recovery = Some(kis_ws::Recovery(std::sync::Arc::new(
        kis_ws::RestRecovery::new(client.clone()),
    )));
    let session = Session::connect_with(Keys(client.clone()), options).await?;
    let mut events = session.events();

    // 20 codes x (trades, order book) + the execution notices = 41 registrations.
    let codes: Vec<String> = (0..20).map(|i| format!("{:06}", 5930 + i * 11)).collect();
    let consumer = tokio::spawn(async move {
        let mut c = Counts::default();
        while let Some(ev) = events.next().await {
            c.on(ev);
        }
        c
    });
    for code in &codes {
        session.subscribe("H0STCNT0", code).await?;
        session.subscribe("H0STASP0", code).await?;
    }
    session.subscribe("H0STCNI0", &mc.hts_id).await?;
    let subs = session.subscriptions().await?.len();

    let start = Instant::now();
    let mut rest_ok = 0u64;
    let mut rest_errors: BTreeMap<String, u64> = BTreeMap::new();
    let mut orders = 0u64;
    let mut rss_samples = Vec::new();
    let mut next_report = start + Duration::from_secs(10);
    let mut n = 0u32;
    while start.elapsed() < s.duration {
        n = n.wrapping_add(1);
        // The client's own limiter paces these at `rest_rps`.
        let result = if s.order_every > 0 && n % s.order_every == 0 {
            orders += 1;
            client
                .send(OrderCashRequest::buy(
                    "005930",
                    kis_client::codes::OrderType::Market,
                    1,
                    kis_client::value::Decimal::ZERO,
                ))
                .await
                .map(|_| ())
        } else {
            client
                .send(InquirePriceRequest::new(
                    kis_client::codes::Market::Krx,
                    &codes[n as usize % codes.len()],
                ))
                .await
                .map(|_| ())
        };
        match result {
            Ok(()) => rest_ok += 1,
            Err(e) => {
                let kind = format!("{e:?}");
                let kind = kind.split([' ', '(', '{']).next().unwrap_or("?").to_owned();
                *rest_errors.entry(kind).or_default() += 1;
            }
        }
        if Instant::now() >= next_report {
            next_report += Duration::from_secs(10);
            let rss = status_kb("VmRSS:");
            rss_samples.push(rss);
            println!(
                "t={:>4}s REST ok {rest_ok} errors {} RSS {rss} kB",
                start.elapsed().as_secs(),
                rest_errors.values().sum::<u64>()
            );
        }
    }
    // Let the last notices and recoveries arrive; `close` delivers data until its unsubscribe
    // acks.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    session.close().await;
    let c = consumer.await?;
    let report = json!({
        "subscriptions": subs,
        "records": c.records,
        "records_by_tr": c.by_tr,
        "notices": c.notices,
        "frame_errors": c.errors,
        "first_errors": c.first_errors,
        "lagged": c.lagged,
        "disconnects": c.disconnects,
        "disconnect_reasons": c.disconnect_reasons,
        "reconnects": c.reconnects,
        "resubscribed": c.resubscribed,
        "max_downtime_ms": c.max_downtime.as_millis() as u64,
        "subscriptions_lost": c.lost,
        "notice_gaps": c.notice_gaps,
        "fills_realtime": c.fills_realtime,
        "fills_recovered": c.fills_recovered,
        "recovery_failed": c.recovery_failed,
        "rest_ok": rest_ok,
        "rest_errors": rest_errors.values().sum::<u64>(),
        "rest_errors_by_kind": rest_errors,
        "orders": orders,
        "rss_samples_kb": rss_samples,
        "vm_hwm_kb": status_kb("VmHWM:"),
        "vm_rss_kb": status_kb("VmRSS:"),
    });
    println!("{report}");
    Ok(())
}

#[derive(Default)]
struct Counts {
    records: u64,
    notices: u64,
    by_tr: BTreeMap<String, u64>,
    errors: u64,
    first_errors: Vec<String>,
    lagged: u64,
    disconnects: u64,
    disconnect_reasons: BTreeMap<String, u64>,
    reconnects: u64,
    resubscribed: u64,
    max_downtime: Duration,
    lost: u64,
    notice_gaps: u64,
    fills_realtime: u64,
    fills_recovered: u64,
    recovery_failed: u64,
}

impl Counts {
    fn on(&mut self, ev: Event<kis_ws::AnyRecord>) {
        match ev {
            Event::Data { tr_id, record, .. } => {
                if let kis_ws::AnyRecord::H0stcni0(n) = &record {
                    self.notices += 1;
                    if n.cntg_yn.raw() == "2" {
                        self.fills_realtime += n.cntg_qty.raw().parse::<u64>().unwrap_or(0);
                    }
                } else {
                    self.records += 1;
                }
                *self.by_tr.entry(tr_id.to_string()).or_default() += 1;
            }
            Event::Error(e) => {
                self.errors += 1;
                if self.first_errors.len() < 5 {
                    self.first_errors.push(e.to_string());
                }
            }
            Event::Lagged { dropped } => self.lagged += dropped,
            Event::Disconnected { reason } => {
                self.disconnects += 1;
                *self.disconnect_reasons.entry(reason).or_default() += 1;
            }
            Event::Reconnected {
                downtime,
                resubscribed,
                ..
            } => {
                self.reconnects += 1;
                self.resubscribed += resubscribed as u64;
                self.max_downtime = self.max_downtime.max(downtime);
            }
            Event::SubscriptionLost { .. } => self.lost += 1,
            // The close at the end reports an open-ended gap; only reconnect gaps count.
            Event::NoticeGap(gap) if gap.to.is_some() => self.notice_gaps += 1,
            Event::Recovered(r) => {
                self.fills_recovered += r.missing.to_string().parse::<u64>().unwrap_or(0);
            }
            Event::RecoveryFailed { error, .. } => {
                if self.recovery_failed == 0 {
                    eprintln!("soak client: recovery failed: {error}");
                }
                self.recovery_failed += 1;
            }
            _ => {}
        }
    }
}
