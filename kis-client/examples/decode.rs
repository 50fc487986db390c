//! Decodes captured KIS REST responses: reads JSON lines `{"path": "...", "tr_id": "...",
//! "body": {...}}` from stdin (path or tr_id may be absent) and prints one JSON line per input,
//! `{"ok":true,"endpoint":...,"decoded":...,"unknown_fields":[...],"invalid_fields":[...]}` or
//! `{"ok":false,"error":"..."}`. It never stops on a bad line.
//!
//! `cargo run -q -p kis-client --example decode < captured.jsonl`

use serde_json::{Value, json};
use std::io::{BufRead, Write};

fn decode_line(line: &str) -> Value {
    let input: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => return json!({"ok": false, "error": format!("not JSON: {e}")}),
    };
    let Value::Object(mut input) = input else {
        return json!({"ok": false, "error": "input line is not a JSON object"});
    };
    let path = input.get("path").and_then(Value::as_str).map(str::to_owned);
    let tr_id = input
        .get("tr_id")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let Some(body) = input.remove("body") else {
        return json!({"ok": false, "error": "no `body`"});
    };
    match kis_client::decode::decode_response(path.as_deref(), tr_id.as_deref(), body) {
        Ok(d) => json!({
            "ok": true,
            "endpoint": d.endpoint,
            "category": d.category,
            "decoded": d.decoded,
            "unknown_fields": d.unknown_fields,
            "invalid_fields": d.invalid_fields
                .iter()
                .map(|(path, raw)| json!({"path": path, "raw": raw}))
                .collect::<Vec<_>>(),
        }),
        Err(e) => json!({"ok": false, "error": e}),
    }
}

fn main() {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let result = match line {
            Ok(l) if l.trim().is_empty() => continue,
            Ok(l) => decode_line(&l),
            Err(e) => json!({"ok": false, "error": format!("unreadable line: {e}")}),
        };
        if writeln!(out, "{result}").is_err() {
            return; // stdout closed
        }
    }
}
