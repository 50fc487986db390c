//! `kis`: the command line of kis-rs. Every KIS endpoint by name (`call`, `endpoints`,
//! `describe`), the common jobs over the `kis` crate, a JSON-lines trading session and an MCP
//! server. Paper is the default; real orders need the opt-in and a confirmation.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod call;
mod catalog;
mod cli;
mod connect;
mod exit;
mod jobs;
mod jsonl;
mod mcp;
mod mockcmd;
mod output;
mod reports;
mod safety;
mod stream;
mod token;
mod trade;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::cli::{Cli, Command, TokenCmd};
use crate::exit::{Failure, Outcome};
use crate::output::{Doc, Out};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = Out::new(cli.json, cli.csv, cli.lang);
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kis: {e}");
            return ExitCode::from(1);
        }
    };
    match rt.block_on(run(cli, out)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) if f.code == 0 => ExitCode::SUCCESS,
        Err(f) => {
            report(&f, &out);
            ExitCode::from(f.code)
        }
    }
}

fn report(f: &Failure, out: &Out) {
    if out.format == output::Format::Json {
        let v = serde_json::json!({"error": {"kind": f.kind(), "code": f.code, "field": f.field, "message": f.message}});
        eprintln!("{v}");
    } else if out.color {
        eprintln!("\x1b[31mkis: {}\x1b[0m", f.message);
    } else {
        eprintln!("kis: {}", f.message);
    }
}

fn list(v: &serde_json::Value) -> &[serde_json::Value] {
    v.as_array().map_or(&[][..], |a| a)
}

async fn run(cli: Cli, out: Out) -> Outcome<()> {
    let target = connect::Target {
        simulator: cli.simulator,
        real: cli.real,
    };
    match cli.command {
        Command::Endpoints { words } => {
            let found = catalog::search(&words);
            let rows: Vec<serde_json::Value> =
                found.iter().map(|i| catalog::summary_json(i)).collect();
            let json = serde_json::Value::Array(rows);
            let keys = ["endpoint", "title", "tr_ids", "access", "paper"];
            out.print(
                &Doc::of(&keys, json.as_array().map_or(&[][..], |v| v)),
                Some(&json),
            )?;
            if found.is_empty() {
                return Err(Failure::invalid(None, "no endpoint matches"));
            }
            Ok(())
        }
        Command::Describe { endpoint } => {
            let f = catalog::find(&endpoint)?;
            let v = catalog::describe_json(f.info);
            let mut head = v.clone();
            if let serde_json::Value::Object(m) = &mut head {
                m.remove("parameters");
                m.remove("variants");
            }
            let sections = vec![
                (String::new(), Doc::from_json(&head)),
                (
                    "variants (TR ID)".to_owned(),
                    Doc::of(&["variant", "real", "paper"], list(&v["variants"])),
                ),
                (
                    "parameters (요청 필드)".to_owned(),
                    Doc::of(
                        &[
                            "wire", "setter", "kind", "max_len", "required", "blank_ok", "codes",
                        ],
                        list(&v["parameters"]),
                    ),
                ),
            ];
            Ok(out.print_sections(&sections, &v)?)
        }
        Command::Call {
            endpoint,
            variant,
            params,
            trade,
            yes,
            dry_run,
            first_page,
        } => {
            let args = call::CallArgs {
                endpoint,
                variant,
                params,
                trade,
                yes,
                dry_run,
                first_page,
            };
            let kis = connect::kis(&target).await?;
            call::run(kis.client(), &args, &out).await
        }
        Command::Quote { symbols } => {
            jobs::quote(&connect::kis(&target).await?, &symbols, &out).await
        }
        Command::Book { symbol } => jobs::book(&connect::kis(&target).await?, &symbol, &out).await,
        Command::Candles {
            symbol,
            period,
            from,
            to,
        } => {
            let kis = connect::kis(&target).await?;
            jobs::candles(
                &kis,
                &symbol,
                period.into(),
                from.as_deref(),
                to.as_deref(),
                &out,
            )
            .await
        }
        Command::Balance => jobs::balance(&connect::kis(&target).await?, &out).await,
        Command::Orders => jobs::orders(&connect::kis(&target).await?, &out).await,
        Command::Executions { from, to, market } => {
            let kis = connect::kis(&target).await?;
            match market {
                cli::MarketArg::Domestic => {
                    jobs::executions(&kis, from.as_deref(), to.as_deref(), &out).await
                }
                cli::MarketArg::Us => {
                    reports::us_executions(&kis, from.as_deref(), to.as_deref(), &out).await
                }
            }
        }
        Command::Pnl { from, to } => {
            reports::pnl(&connect::kis(&target).await?, &from, &to, &out).await
        }
        Command::Drift => reports::drift(&connect::kis(&target).await?, &out).await,
        Command::Buy(o) => {
            let kis = connect::kis(&target).await?;
            trade::place(&kis, trade::Side::Buy, &o.into(), &out).await
        }
        Command::Sell(o) => {
            let kis = connect::kis(&target).await?;
            trade::place(&kis, trade::Side::Sell, &o.into(), &out).await
        }
        Command::Modify {
            id,
            price,
            qty,
            yes,
        } => {
            let kis = connect::kis(&target).await?;
            trade::modify(&kis, &id, price, qty, yes, &out).await
        }
        Command::Cancel { id, yes } => {
            let kis = connect::kis(&target).await?;
            trade::cancel(&kis, &id, yes, &out).await
        }
        Command::Stream { tr, keys, count } => {
            let kis = connect::kis(&target).await?;
            stream::run(&kis, &tr, &keys, count, &out).await
        }
        Command::Mock {
            real,
            rest_port,
            ws_port,
            seed,
            until_stdin_closes,
            page_size,
        } => {
            let args = mockcmd::MockArgs {
                real,
                rest_port,
                ws_port,
                seed,
                page_size,
            };
            mockcmd::run(&args, until_stdin_closes).await
        }
        Command::Token { cmd } => {
            let kis = connect::kis(&target).await?;
            match cmd {
                TokenCmd::Status { check } => token::status(kis.client(), check, &out).await,
                TokenCmd::Revoke => token::revoke(kis.client(), &out).await,
            }
        }
        Command::Trade {
            jsonl,
            yes,
            poll_ms,
            resolve_ms,
            settle_ms,
        } => {
            if !jsonl {
                return Err(Failure {
                    code: 2,
                    message: "kis trade needs --jsonl (the protocol is in kis-cli/README.md)"
                        .into(),
                    field: None,
                });
            }
            let kis = connect::kis_with(&target, |trading| {
                if let Some(ms) = poll_ms {
                    trading.poll_interval = std::time::Duration::from_millis(ms);
                }
                if let Some(ms) = resolve_ms {
                    trading.resolve_after = std::time::Duration::from_millis(ms);
                }
            })
            .await?;
            let options = jsonl::SessionOptions {
                yes,
                settle: std::time::Duration::from_millis(settle_ms),
            };
            jsonl::run(&kis, options).await
        }
        Command::Mcp(args) => {
            let kis = connect::kis(&target).await?;
            mcp::serve(kis, args.into()).await
        }
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "kis", &mut std::io::stdout());
            Ok(())
        }
    }
}
