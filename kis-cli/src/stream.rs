//! `kis stream TR KEY...`: realtime records as they come (JSON lines with `--json`, CSV rows
//! with `--csv`, one readable line each otherwise), until Ctrl-C or `--count` records.

use std::io::Write;

use futures::StreamExt;
use kis::Kis;
use kis_ws::Event;
use serde_json::{Value, json};

use crate::exit::{Failure, Outcome};
use crate::output::{Format, Out, text};

/// Runs the stream.
pub async fn run(
    kis: &Kis,
    tr: &str,
    keys: &[String],
    count: Option<u64>,
    out: &Out,
) -> Outcome<()> {
    let session = kis.session().await?;
    let mut events = session.events();
    for k in keys {
        session
            .subscribe(tr, k)
            .await
            .map_err(|e| Failure::from_kis(&kis::Error::from(e), false))?;
    }
    // The account number and HTS ID (in execution notices) are masked like everywhere else.
    let scrub = crate::mcp::Scrubber::new(kis.client().config());
    let mut seen = 0u64;
    let mut header: Option<Vec<String>> = None;
    let mut csv = csv::Writer::from_writer(std::io::stdout());
    loop {
        let ev = tokio::select! {
            ev = events.next() => ev,
            _ = tokio::signal::ctrl_c() => break,
        };
        let Some(ev) = ev else { break };
        match ev {
            Event::Data {
                tr_id,
                tr_key,
                record,
            } => {
                let rec = scrub.value(&serde_json::to_value(&record).unwrap_or(Value::Null));
                let key = tr_key.as_deref().map(|k| scrub.text(k));
                let line = json!({"tr_id": &*tr_id, "tr_key": key, "record": rec});
                match out.format {
                    Format::Json => out.line(&line)?,
                    Format::Csv => {
                        let Value::Object(m) = &rec else { continue };
                        if header.is_none() {
                            let h: Vec<String> = ["tr_id".to_owned()]
                                .into_iter()
                                .chain(m.keys().cloned())
                                .collect();
                            csv.write_record(&h).map_err(std::io::Error::from)?;
                            header = Some(h);
                        }
                        let row: Vec<String> = std::iter::once(tr_id.to_string())
                            .chain(
                                header
                                    .iter()
                                    .flatten()
                                    .skip(1)
                                    .map(|k| m.get(k).map(text).unwrap_or_default()),
                            )
                            .collect();
                        csv.write_record(&row).map_err(std::io::Error::from)?;
                        csv.flush()?;
                    }
                    Format::Table => {
                        let fields: Vec<String> = match &rec {
                            Value::Object(m) => m
                                .iter()
                                .take(10)
                                .map(|(k, v)| format!("{k}={}", text(v)))
                                .collect(),
                            other => vec![text(other)],
                        };
                        let mut o = std::io::stdout().lock();
                        writeln!(
                            o,
                            "{tr_id} {} {}",
                            key.as_deref().unwrap_or(""),
                            fields.join(" ")
                        )?;
                    }
                }
                seen += 1;
                if count.is_some_and(|c| seen >= c) {
                    break;
                }
            }
            Event::Disconnected { reason } => eprintln!("disconnected: {reason}"),
            Event::Reconnected { attempts, .. } => {
                eprintln!("reconnected after {attempts} attempt(s)")
            }
            Event::SubscriptionLost {
                tr_id,
                tr_key,
                reason,
            } => {
                eprintln!("subscription {tr_id} {tr_key} lost: {reason}")
            }
            _ => {}
        }
    }
    Ok(())
}
