//! The `kis-mock` binary: a KIS stand-in any client can point at (the official Python samples
//! included), on fixed or ephemeral loopback ports until Ctrl-C.

use std::process::ExitCode;

use chrono::NaiveDateTime;
use kis_mock::{MockClock, MockConfig, MockServer};

const USAGE: &str = "\
usage: kis-mock [--rest-port P] [--ws-port Q] [--paper] [--seed N]
                [--app-key K --app-secret S --account 12345678-01 --hts-id ID]
                [--real-time | --start 'YYYY-MM-DD HH:MM:SS'] [--speed X] [--no-rate-limit]
                [--calendar sandbox|krx] [--page-size N] [--accept-any-token]

  --paper         imitate the paper (vps) service: paper TR IDs, 2 requests/s
  --seed N        market seed: the same seed gives the same prices, volumes and book (default 1)
  --real-time     run the market on the real KST clock (closed outside KRX hours)
  --start T       start the simulated clock at T, KST (default: 10:30 today, KST)
  --calendar C    sandbox (default): every day from the start on trades, weekends and
                  holidays included; krx: KRX's (and NYSE's) calendar, the default start
                  then 10:30 of the latest KRX trading day
  --speed X       simulated seconds per real second (default 1; 60 runs a trading day in 6.5 min)
  --page-size N   rows per page of daily executions and the balance (default: KIS's,
                  100/50 real, 15/20 paper)
  --accept-any-token  accept a well-formed token this mock did not issue (a client's cached
                  token after a restart)
  --app-key/--app-secret/--account/--hts-id   the only credentials the mock accepts";

fn parse() -> Result<MockConfig, String> {
    let mut args = std::env::args().skip(1);
    let mut config = MockConfig::default();
    let mut paper = false;
    let mut no_limit = false;
    let mut accept_any_token = false;
    let mut page_size = None;
    let mut calendar = kis_mock::MockCalendar::Sandbox;
    let (mut rest_port, mut ws_port, mut seed) = (0u16, 0u16, 1u64);
    let (mut app_key, mut app_secret, mut account, mut hts_id) = (None, None, None, None);
    let (mut real_time, mut start, mut speed) = (false, None, 1.0f64);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| -> Result<String, String> {
            args.next()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        let number = |name: &str, v: String| -> Result<u64, String> {
            v.parse()
                .map_err(|_| format!("{name}: not a number: {v:?}\n{USAGE}"))
        };
        match arg.as_str() {
            "--rest-port" => rest_port = number(&arg, value(&arg)?)? as u16,
            "--ws-port" => ws_port = number(&arg, value(&arg)?)? as u16,
            "--seed" => seed = number(&arg, value(&arg)?)?,
            "--paper" => paper = true,
            "--no-rate-limit" => no_limit = true,
            "--accept-any-token" => accept_any_token = true,
            "--calendar" => {
                calendar = match value(&arg)?.as_str() {
                    "sandbox" => kis_mock::MockCalendar::Sandbox,
                    "krx" => kis_mock::MockCalendar::Krx,
                    other => return Err(format!("--calendar {other:?}: want sandbox or krx")),
                }
            }
            "--page-size" => page_size = Some(number(&arg, value(&arg)?)?.clamp(1, 10_000) as u32),
            "--app-key" => app_key = Some(value(&arg)?),
            "--app-secret" => app_secret = Some(value(&arg)?),
            "--account" => account = Some(value(&arg)?),
            "--hts-id" => hts_id = Some(value(&arg)?),
            "--real-time" => real_time = true,
            "--start" => {
                let v = value(&arg)?;
                let t = NaiveDateTime::parse_from_str(&v, "%Y-%m-%d %H:%M:%S")
                    .map_err(|e| format!("--start {v:?}: {e} (want 'YYYY-MM-DD HH:MM:SS')"))?;
                start = Some(t);
            }
            "--speed" => {
                let v = value(&arg)?;
                speed = v
                    .parse::<f64>()
                    .ok()
                    .filter(|s| *s > 0.0 && s.is_finite())
                    .ok_or_else(|| format!("--speed {v:?}: want a positive number"))?;
            }
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    if paper {
        config = MockConfig::paper();
    }
    if let Some(a) = &account {
        let ok = a.len() == 11 && a.as_bytes()[8] == b'-';
        if !ok {
            return Err(format!("--account {a:?}: want CANO-PRDT, e.g. 12345678-01"));
        }
    }
    config.rest_port = rest_port;
    config.ws_port = ws_port;
    config.seed = seed;
    config.app_key = app_key.unwrap_or(config.app_key);
    config.app_secret = app_secret.unwrap_or(config.app_secret);
    config.account = account.unwrap_or(config.account);
    config.hts_id = hts_id.unwrap_or(config.hts_id);
    config.clock = if real_time {
        MockClock::Real
    } else {
        MockClock::Simulated { start, speed }
    };
    if no_limit {
        config.rate_limit_per_sec = None;
    }
    config.accept_any_token = accept_any_token;
    config.calendar = calendar;
    config.paging.account_rows = page_size;
    Ok(config)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let config = match parse() {
        Ok(config) => config,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    // Listen for Ctrl-C before serving, so an interrupt right after the URLs appear stops us
    // cleanly instead of killing the process.
    let stop = tokio::spawn(tokio::signal::ctrl_c());
    tokio::task::yield_now().await;
    let mock = match MockServer::start(config).await {
        Ok(mock) => mock,
        Err(e) => {
            eprintln!("kis-mock: cannot listen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let c = mock.config();
    let (env, mode) = match c.env {
        kis_mock::MockEnv::Real => ("real", "prod"),
        kis_mock::MockEnv::Paper => ("paper", "vps"),
    };
    let (cano, prdt) = c.account_parts();
    println!("kis-mock ({env}) REST {}", mock.rest_url());
    println!("kis-mock ({env}) websocket {}", mock.ws_url());
    println!(
        "seed {}, market clock {} KST ({:?}, {:?} calendar), {} endpoints; Ctrl-C stops",
        c.seed,
        mock.market_time().format("%Y-%m-%d %H:%M:%S"),
        c.clock,
        c.calendar,
        mock.catalog().specs().len()
    );
    // The mock's own throwaway credentials: printing them is the point.
    println!(
        "accepts only: app key {} / app secret {} / account {cano}-{prdt} / HTS ID {}",
        c.app_key, c.app_secret, c.hts_id
    );
    println!();
    println!(
        "kis_devlp.yaml pointing the official Python samples here (authenticate with svr=\"{mode}\"):"
    );
    for (key, value) in [
        ("my_app", c.app_key.as_str()),
        ("my_sec", c.app_secret.as_str()),
        ("paper_app", c.app_key.as_str()),
        ("paper_sec", c.app_secret.as_str()),
        ("my_htsid", c.hts_id.as_str()),
        ("my_acct_stock", cano),
        ("my_paper_stock", cano),
        ("my_prod", prdt),
    ] {
        println!("{key}: \"{value}\"");
    }
    println!("prod: \"{}\"", mock.rest_url());
    println!("ops: \"{}\"", mock.ws_url());
    println!("vps: \"{}\"", mock.rest_url());
    println!("vops: \"{}\"", mock.ws_url());
    println!("my_token: \"\"");
    println!("my_agent: \"Mozilla/5.0\"");
    let _ = stop.await;
    mock.shutdown();
    println!("kis-mock stopped");
    ExitCode::SUCCESS
}
