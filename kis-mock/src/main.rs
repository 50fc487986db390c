//! The `kis-mock` binary: runs the simulator on fixed or ephemeral ports until Ctrl-C.

use std::process::ExitCode;

use kis_mock::{MockConfig, MockServer};

const USAGE: &str = "usage: kis-mock [--rest-port P] [--ws-port Q] [--paper] [--no-rate-limit]";

fn parse() -> Result<MockConfig, String> {
    let mut args = std::env::args().skip(1);
    let mut paper = false;
    let mut no_limit = false;
    let mut rest_port = 0;
    let mut ws_port = 0;
    while let Some(arg) = args.next() {
        let mut port = |name: &str| -> Result<u16, String> {
            args.next()
                .and_then(|p| p.parse().ok())
                .ok_or_else(|| format!("{name} needs a port number\n{USAGE}"))
        };
        match arg.as_str() {
            "--rest-port" => rest_port = port("--rest-port")?,
            "--ws-port" => ws_port = port("--ws-port")?,
            "--paper" => paper = true,
            "--no-rate-limit" => no_limit = true,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    let mut config = if paper {
        MockConfig::paper()
    } else {
        MockConfig::default()
    };
    config.rest_port = rest_port;
    config.ws_port = ws_port;
    if no_limit {
        config.rate_limit_per_sec = None;
    }
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
    let mock = match MockServer::start(config).await {
        Ok(mock) => mock,
        Err(e) => {
            eprintln!("kis-mock: cannot listen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let env = match mock.config().env {
        kis_mock::MockEnv::Real => "real",
        kis_mock::MockEnv::Paper => "paper",
    };
    println!("kis-mock ({env}) REST {}", mock.rest_url());
    println!("kis-mock ({env}) websocket {}", mock.ws_url());
    println!(
        "{} endpoints; credentials: the defaults of kis_mock::MockConfig; Ctrl-C stops",
        mock.catalog().specs().len()
    );
    let _ = tokio::signal::ctrl_c().await;
    mock.shutdown();
    println!("kis-mock stopped");
    ExitCode::SUCCESS
}
