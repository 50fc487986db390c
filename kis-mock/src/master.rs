//! KIS's symbol master files for the simulated universe, served as KIS publishes them: one
//! zip a file at `/common/master/<file>.zip` (`kospi_code.mst.zip`, `kosdaq_code.mst.zip`,
//! `konex_code.mst.zip`, `nasmst.cod.zip`, `nysmst.cod.zip`, `amsmst.cod.zip`,
//! `fo_idx_code_mts.mst.zip`), each holding one cp949 text file in KIS's layout.
//!
//! KRX stock masters are fixed-width lines: short code (9 bytes), standard code (12), the
//! Korean name, then a tail of 227 (KOSPI), 221 (KOSDAQ) or 184 (KONEX) bytes. Only the tail
//! fields a client needs are filled (group code, ETP code, base price, lots, halt and warning
//! flags, listing date); the rest are blanks or zeros of the right width. The overseas files
//! are 24 tab-separated columns, the derivatives file nine `|`-separated ones.

use std::io::Write;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};

use crate::market::product::{Class, Product, Venue};
use crate::server::Shared;

/// The URL path prefix of the master files.
pub(crate) const PREFIX: &str = "/common/master/";

/// Tail width and the offset of the base price (`stck_sdpr`) in it, per KRX file. Every
/// field from the base price to the KRX300 flag sits at the same distance from it in all
/// three layouts.
struct Tail {
    width: usize,
    base_price: usize,
    /// Offset of the ETP product code (`etp_prod_cls_code`), where the layout has one.
    etp: Option<usize>,
}

const KOSPI: Tail = Tail {
    width: 227,
    base_price: 41,
    etp: Some(22),
};
const KOSDAQ: Tail = Tail {
    width: 221,
    base_price: 36,
    etp: Some(18),
};
const KONEX: Tail = Tail {
    width: 184,
    base_price: 2,
    etp: None,
};

/// Answers a request for a master file, or `None` when `path` is not one.
pub(crate) fn serve(sh: &Shared, path: &str) -> Option<Response<Full<Bytes>>> {
    let zip_name = path.strip_prefix(PREFIX)?;
    let file = zip_name.strip_suffix(".zip")?;
    let text = match file {
        "kospi_code.mst" => krx_file(sh, &KOSPI, |v| matches!(v, Venue::Kospi | Venue::KrxEtf)),
        "kosdaq_code.mst" => krx_file(sh, &KOSDAQ, |v| v == Venue::Kosdaq),
        "konex_code.mst" => krx_file(sh, &KONEX, |_| false),
        "nasmst.cod" => overseas_file(sh, Venue::Nasdaq),
        "nysmst.cod" => overseas_file(sh, Venue::Nyse),
        "amsmst.cod" => overseas_file(sh, Venue::Amex),
        "fo_idx_code_mts.mst" => derivatives_file(sh),
        _ => return Some(status(StatusCode::NOT_FOUND)),
    };
    Some(match zipped(file, &text) {
        Ok(bytes) => {
            let mut r = Response::new(Full::new(Bytes::from(bytes)));
            r.headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/zip"));
            r
        }
        Err(_) => status(StatusCode::INTERNAL_SERVER_ERROR),
    })
}

fn status(code: StatusCode) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::new()));
    *r.status_mut() = code;
    r
}

fn cp949(text: &str) -> Vec<u8> {
    encoding_rs::EUC_KR.encode(text).0.into_owned()
}

/// A KRX standard code (ISIN) for a six-digit short code: `KR7` + code + `00` + a check
/// digit computed the ISIN way (letters as numbers, Luhn over the digits).
pub(crate) fn isin(code: &str) -> String {
    let body = format!("KR7{code}00");
    let digits: String = body
        .chars()
        .map(|c| c.to_digit(36).map_or(String::new(), |d| d.to_string()))
        .collect();
    let mut sum = 0;
    for (i, c) in digits.chars().rev().enumerate() {
        let mut d = c.to_digit(10).unwrap_or(0);
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    format!("{body}{}", (10 - sum % 10) % 10)
}

fn put(tail: &mut [u8], at: usize, text: &str) {
    tail[at..at + text.len()].copy_from_slice(text.as_bytes());
}

/// One KRX stock master line (cp949, `\r\n`-ended).
fn krx_line(t: &Tail, p: &Product, base: i64) -> Vec<u8> {
    let mut tail = vec![b' '; t.width];
    put(
        &mut tail,
        0,
        if p.class == Class::Etf { "EF" } else { "ST" },
    );
    if let Some(at) = t.etp {
        put(&mut tail, at, if p.class == Class::Etf { "1" } else { "0" });
    }
    let s = t.base_price;
    put(&mut tail, s, &format!("{base:09}"));
    put(&mut tail, s + 9, "00001"); // regular-session lot
    put(&mut tail, s + 14, "00001"); // after-hours lot
    put(&mut tail, s + 19, "NNN00NNN"); // halt, liquidation, administrative, warning, ...
    put(&mut tail, s + 64, "20100104"); // listing date
    let mut line = format!("{:<9}{}", p.code, isin(&p.code)).into_bytes();
    line.extend(cp949(&p.name));
    line.extend(tail);
    line.extend(b"\r\n");
    line
}

fn krx_file(sh: &Shared, t: &Tail, keep: impl Fn(Venue) -> bool) -> Vec<u8> {
    let mut out = Vec::new();
    for p in sh.market.products().iter().filter(|p| keep(p.venue)) {
        let base = sh.market.quote(&p.code).prev_close;
        out.extend(krx_line(t, p, base));
    }
    out
}

fn overseas_file(sh: &Shared, venue: Venue) -> Vec<u8> {
    let (exid, excd, exnm) = match venue {
        Venue::Nasdaq => ("NAS", "NAS", "나스닥"),
        Venue::Nyse => ("NYS", "NYS", "뉴욕"),
        _ => ("AMS", "AMS", "아멕스"),
    };
    let mut out = Vec::new();
    for p in sh.market.products().iter().filter(|p| p.venue == venue) {
        let base = p.fmt_price(sh.market.quote(&p.code).prev_close);
        let (stype, etp) = if p.class == Class::Etf {
            ("3", "001")
        } else {
            ("2", "")
        };
        let cols = [
            "US",
            exid,
            excd,
            exnm,
            &p.code,
            &format!("D{excd}{}", p.code),
            "",
            &p.name,
            stype,
            "USD",
            "2",
            "1",
            &base,
            "1",
            "1",
            "0930",
            "1600",
            "N",
            "",
            "",
            "0",
            "1",
            etp,
            "",
        ];
        out.extend(cp949(&cols.join("\t")));
        out.extend(b"\r\n");
    }
    out
}

fn derivatives_file(sh: &Shared) -> Vec<u8> {
    let mut out = Vec::new();
    for p in sh
        .market
        .products()
        .iter()
        .filter(|p| p.venue.is_derivative())
    {
        let (kind, strike) = match (p.class, p.code.as_bytes().first()) {
            (Class::Future, _) => ("1", String::new()),
            (_, Some(b'2')) => ("5", format!("{}.00", &p.code[p.code.len() - 3..])),
            _ => ("6", format!("{}.00", &p.code[p.code.len() - 3..])),
        };
        let month = "1";
        let cols = [
            kind,
            &p.code,
            &format!("KR4{}", p.code),
            &p.name,
            "0",
            &strike,
            month,
            "01",
            "KOSPI200",
        ];
        out.extend(cp949(&cols.join("|")));
        out.extend(b"\r\n");
    }
    out
}

/// A zip holding `name` with `bytes`, deflated.
fn zipped(name: &str, bytes: &[u8]) -> zip::result::ZipResult<Vec<u8>> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file(name, options)?;
    w.write_all(bytes)?;
    Ok(w.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isin_check_digits_match_published_codes() {
        assert_eq!(isin("005930"), "KR7005930003");
        assert_eq!(isin("000660"), "KR7000660001");
        assert_eq!(isin("035420"), "KR7035420009");
    }

    #[test]
    fn krx_lines_have_the_layout_width() {
        let p = crate::market::product::universe().remove(0);
        for t in [&KOSPI, &KOSDAQ, &KONEX] {
            let line = krx_line(t, &p, 74_000);
            let name = cp949(&p.name).len();
            assert_eq!(line.len(), 9 + 12 + name + t.width + 2);
        }
    }
}
