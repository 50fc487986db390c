//! Decodes raw realtime frames from stdin (one per line) into one JSON line per record.
//!
//! ```text
//! cargo run -q -p kis-ws --example decode_frames [--key K --iv IV] < frames.txt
//! ```
//! Output: `{"tr_id":"H0STCNT0","fields":{"MKSC_SHRN_ISCD":"005930",...}}` per record (original
//! strings, via the generated typed record), or `{"ok":false,"error":"..."}` for a bad line.
//! `--key`/`--iv` are the AES key and iv from the TR's `SUBSCRIBE SUCCESS` ack, needed for
//! encrypted frames (execution notices).

use std::io::{BufRead, Write};

use kis_ws::crypto::Cipher;
use kis_ws::frame::{Records, parse_data_frame};

fn main() {
    let mut key = None;
    let mut iv = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--key" => key = args.next(),
            "--iv" => iv = args.next(),
            "-h" | "--help" => {
                eprintln!("usage: decode [--key K --iv IV] < frames");
                return;
            }
            other => {
                eprintln!("unknown argument {other:?}; usage: decode [--key K --iv IV] < frames");
                std::process::exit(2);
            }
        }
    }
    let cipher = match (key, iv) {
        (Some(k), Some(i)) => match Cipher::new(&k, &i) {
            Ok(c) => Some(c),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        },
        (None, None) => None,
        _ => {
            eprintln!("--key and --iv go together");
            std::process::exit(2);
        }
    };
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for line in stdin.lock().lines() {
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                let _ = writeln!(out, "{}", error_line(&format!("unreadable line: {e}")));
                continue;
            }
        };
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            continue;
        }
        match decode_line(line, cipher.as_ref()) {
            Ok(records) => {
                for r in records {
                    let _ = writeln!(out, "{r}");
                }
            }
            Err(e) => {
                let _ = writeln!(out, "{}", error_line(&e));
            }
        }
    }
    let _ = out.flush();
}

fn error_line(error: &str) -> String {
    format!(
        "{{\"ok\":false,\"error\":{}}}",
        serde_json::Value::from(error)
    )
}

fn decode_line(line: &str, cipher: Option<&Cipher>) -> Result<Vec<String>, String> {
    let frame = parse_data_frame(line).map_err(|e| e.to_string())?;
    let columns =
        kis_ws::api::columns(frame.tr_id).ok_or_else(|| format!("unknown TR {}", frame.tr_id))?;
    let plain;
    let payload = if frame.encrypted {
        let cipher = cipher.ok_or("encrypted frame: pass --key and --iv from the TR's ack")?;
        plain = cipher
            .decrypt(frame.tr_id, frame.payload)
            .map_err(|e| e.to_string())?;
        plain.as_str()
    } else {
        frame.payload
    };
    let records = Records::split(frame.tr_id, payload, frame.count, columns.len())
        .map_err(|e| e.to_string())?;
    records
        .iter()
        .map(|text| {
            let record = kis_ws::api::decode(frame.tr_id, text)
                .ok_or_else(|| format!("unknown TR {}", frame.tr_id))?;
            let fields = serde_json::to_string(&record).map_err(|e| e.to_string())?;
            Ok(format!(
                "{{\"tr_id\":{},\"fields\":{fields}}}",
                serde_json::Value::from(frame.tr_id)
            ))
        })
        .collect()
}
