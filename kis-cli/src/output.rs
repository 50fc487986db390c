//! Output formats: a readable table (default), one JSON document (`--json`), CSV (`--csv`).
//! Every command builds [`Doc`]s (or a JSON value); this module alone writes them.

use std::io::{IsTerminal, Write};

use comfy_table::{Cell, Color, ContentArrangement, Table, presets};
use serde_json::{Map, Value};

/// How to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned table (headers in the chosen language).
    Table,
    /// One JSON document (JSON lines for streams).
    Json,
    /// CSV with a header row.
    Csv,
}

/// Header language of tables and CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// English headers.
    En,
    /// Korean headers (한국어).
    Ko,
}

/// Where and how output goes.
#[derive(Debug, Clone, Copy)]
pub struct Out {
    /// The format.
    pub format: Format,
    /// The header language.
    pub lang: Lang,
    /// Colours on (a terminal and no `NO_COLOR`).
    pub color: bool,
}

impl Out {
    /// From the flags and the environment (`NO_COLOR` set and non-empty turns colour off).
    pub fn new(json: bool, csv: bool, lang: Lang) -> Out {
        let format = if json {
            Format::Json
        } else if csv {
            Format::Csv
        } else {
            Format::Table
        };
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Out {
            format,
            lang,
            color: !no_color && std::io::stdout().is_terminal(),
        }
    }
}

/// A table: named columns (English key, Korean label) and rows of JSON values.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    /// `(key, Korean label)`: the key is the JSON name and the English header.
    pub columns: Vec<(String, String)>,
    /// Rows, one value per column.
    pub rows: Vec<Vec<Value>>,
}

impl Doc {
    /// Columns from keys, Korean labels from [`korean`].
    pub fn with_columns(keys: &[&str]) -> Doc {
        Doc {
            columns: keys
                .iter()
                .map(|k| ((*k).to_owned(), korean(k).to_owned()))
                .collect(),
            rows: Vec::new(),
        }
    }

    /// A table of objects with the given columns, in that order.
    pub fn of(keys: &[&str], items: &[Value]) -> Doc {
        let mut d = Doc::with_columns(keys);
        for it in items {
            d.push(
                keys.iter()
                    .map(|k| it.get(*k).cloned().unwrap_or(Value::Null))
                    .collect(),
            );
        }
        d
    }

    /// Adds a row.
    pub fn push(&mut self, row: Vec<Value>) {
        self.rows.push(row);
    }

    /// A table of an array of objects (columns: the union of keys in first-seen order) or
    /// of one object (`field`, `value` rows).
    pub fn from_json(v: &Value) -> Doc {
        match v {
            Value::Array(items) => {
                let mut keys: Vec<String> = Vec::new();
                for it in items {
                    if let Value::Object(m) = it {
                        for k in m.keys() {
                            if !keys.contains(k) {
                                keys.push(k.clone());
                            }
                        }
                    }
                }
                if keys.is_empty() {
                    let mut d = Doc::with_columns(&["value"]);
                    d.rows = items.iter().map(|i| vec![i.clone()]).collect();
                    return d;
                }
                let mut d = Doc {
                    columns: keys
                        .iter()
                        .map(|k| (k.clone(), korean(k).to_owned()))
                        .collect(),
                    rows: Vec::new(),
                };
                for it in items {
                    d.rows.push(
                        keys.iter()
                            .map(|k| it.get(k).cloned().unwrap_or(Value::Null))
                            .collect(),
                    );
                }
                d
            }
            Value::Object(m) => {
                let mut d = Doc::with_columns(&["field", "value"]);
                for (k, v) in m {
                    let label = match korean(k) {
                        "" => k.clone(),
                        ko => format!("{k} ({ko})"),
                    };
                    d.push(vec![Value::String(label), v.clone()]);
                }
                d
            }
            other => {
                let mut d = Doc::with_columns(&["value"]);
                d.push(vec![other.clone()]);
                d
            }
        }
    }

    /// Rows as JSON objects keyed by column.
    pub fn to_json(&self) -> Value {
        Value::Array(
            self.rows
                .iter()
                .map(|r| {
                    let m: Map<String, Value> = self
                        .columns
                        .iter()
                        .zip(r)
                        .map(|((k, _), v)| (k.clone(), v.clone()))
                        .collect();
                    Value::Object(m)
                })
                .collect(),
        )
    }

    fn headers(&self, lang: Lang) -> Vec<String> {
        self.columns
            .iter()
            .map(|(k, ko)| match lang {
                Lang::Ko if !ko.is_empty() => ko.clone(),
                _ => k.clone(),
            })
            .collect()
    }
}

/// A cell's text: strings as they are, null empty, anything else as compact JSON.
pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        // Money: its amount (the currency is the symbol's).
        Value::Object(m) if m.contains_key("amount") && m.contains_key("currency") => {
            text(&m["amount"])
        }
        other => other.to_string(),
    }
}

impl Out {
    /// Prints one table (the JSON form is an array of row objects, or `json` when given).
    pub fn print(&self, doc: &Doc, json: Option<&Value>) -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        match self.format {
            Format::Json => {
                let v = json.cloned().unwrap_or_else(|| doc.to_json());
                serde_json::to_writer_pretty(&mut out, &v)?;
                writeln!(out)
            }
            Format::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(doc.headers(self.lang))?;
                for r in &doc.rows {
                    w.write_record(r.iter().map(text))?;
                }
                w.flush()
            }
            Format::Table => writeln!(out, "{}", self.render(doc)),
        }
    }

    /// Prints several titled tables (JSON: `json`, CSV: the tables one after another).
    pub fn print_sections(&self, sections: &[(String, Doc)], json: &Value) -> std::io::Result<()> {
        match self.format {
            Format::Json => self.print(&Doc::default(), Some(json)),
            Format::Csv => {
                for (_, d) in sections {
                    self.print(d, None)?;
                }
                Ok(())
            }
            Format::Table => {
                let mut out = std::io::stdout().lock();
                for (title, d) in sections {
                    if !title.is_empty() {
                        writeln!(out, "{}", self.title(title))?;
                    }
                    writeln!(out, "{}", self.render(d))?;
                }
                Ok(())
            }
        }
    }

    /// One JSON line (streams, `trade --jsonl`).
    pub fn line(&self, v: &Value) -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer(&mut out, v)?;
        writeln!(out)?;
        out.flush()
    }

    fn title(&self, t: &str) -> String {
        if self.color {
            format!("\x1b[1m{t}\x1b[0m")
        } else {
            t.to_owned()
        }
    }

    /// The table as text.
    pub fn render(&self, doc: &Doc) -> String {
        let mut t = Table::new();
        t.load_preset(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled);
        if !self.color {
            t.force_no_tty();
        }
        t.set_header(doc.headers(self.lang).into_iter().map(|h| {
            let c = Cell::new(h);
            if self.color { c.fg(Color::Cyan) } else { c }
        }));
        for r in &doc.rows {
            t.add_row(r.iter().map(text));
        }
        t.to_string()
    }
}

/// Korean labels of the keys the commands print (KIS's own words where it has them).
pub fn korean(key: &str) -> &'static str {
    match key {
        "code" => "종목코드",
        "name" => "종목명",
        "price" => "현재가",
        "change" => "전일대비",
        "change_pct" => "전일대비율",
        "prev_close" => "기준가",
        "open" => "시가",
        "high" => "고가",
        "low" => "저가",
        "close" => "종가",
        "volume" => "거래량",
        "value" => "값",
        "upper_limit" => "상한가",
        "lower_limit" => "하한가",
        "tick" => "호가단위",
        "time" => "시각",
        "date" => "일자",
        "side" => "매매구분",
        "level" => "호가순위",
        "bid" => "매수호가",
        "bid_qty" => "매수잔량",
        "ask" => "매도호가",
        "ask_qty" => "매도잔량",
        "qty" => "수량",
        "avg_price" => "평균단가",
        "eval" => "평가금액",
        "pnl" => "평가손익",
        "pnl_pct" => "수익률",
        "id" => "주문ID",
        "state" => "상태",
        "odno" => "주문번호",
        "filled" => "체결수량",
        "remaining" => "잔여수량",
        "cancelled" => "취소수량",
        "field" => "항목",
        "endpoint" => "API",
        "title" => "API명",
        "method" => "메서드",
        "path" => "URL",
        "tr_ids" => "거래ID",
        "access" => "구분",
        "paper" => "모의투자",
        "wire" => "필드",
        "setter" => "설정자",
        "kind" => "형식",
        "max_len" => "길이",
        "required" => "필수",
        "blank_ok" => "공란허용",
        "codes" => "코드값",
        "variant" => "구분",
        "real" => "실전",
        "key" => "키",
        "market" => "거래소",
        "order_no" => "주문번호",
        "order_qty" => "주문수량",
        "order_price" => "주문단가",
        "filled_qty" => "체결수량",
        "remaining_qty" => "미체결수량",
        "realized" => "실현손익",
        "return_pct" => "손익률",
        "fee" => "수수료",
        "tax" => "제세금",
        "buy_qty" => "매수수량",
        "buy_amount" => "매수금액",
        "sell_qty" => "매도수량",
        "sell_amount" => "매도금액",
        "sell_price" => "매도가격",
        "avg_cost" => "매입단가",
        "symbol" => "종목코드",
        "day" => "영업일",
        "expected" => "체결기준수량",
        "actual" => "보유수량",
        _ => "",
    }
}
