//! What a KIS TR ID looks like, for finding TR IDs in the workbook's free text.
//!
//! KIS names its TRs in three families:
//! - trading and account TRs: 3–5 letters, 3–4 digits, then `R` (read) or `U` (update):
//!   `TTTC0011U`, `CTRGA011R`, `VTTC8434R`;
//! - quotation TRs: 13 characters, 5–6 letters then digits, the last two maybe a letter and a
//!   digit: `FHKST01010100`, `HHPPG046600C1`, `HHPSTH60100C1`;
//! - realtime TRs: 8 characters starting with `H`, with a digit: `H0STCNT0`, `HDFFF1C0`,
//!   `HDFSASP0`.
//!
//! Other codes in the workbook's text do not fit: message codes (`APBK0013`, `EGW00215`),
//! ISINs (`KR7005930003`, 12 characters), exchange symbols (`DHKS00003`), index and fund names
//! (`KOSPI200`, `TIGER200`), product codes starting with a digit (`201S03370`).

/// Whether `s` has the shape of a KIS TR ID (see the module doc).
pub fn is_tr_id_shaped(s: &str) -> bool {
    let b = s.as_bytes();
    if !b
        .iter()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        return false;
    }
    let letters = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    let rest = &b[letters..];
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    // Trading: LLL(LL) DDD(D) R|U.
    let trading = (3..=5).contains(&letters)
        && (3..=4).contains(&digits)
        && rest.len() == digits + 1
        && matches!(rest[digits], b'R' | b'U');
    // Quotation: 13 characters, 5-6 letters, digits, maybe a letter before the last digit.
    let quotation = b.len() == 13
        && (5..=6).contains(&letters)
        && b[b.len() - 1].is_ascii_digit()
        && rest[..rest.len() - 2].iter().all(u8::is_ascii_digit)
        && rest.len() >= 7;
    // Realtime: 8 characters starting with `H`, with a digit.
    let realtime = b.len() == 8 && b[0] == b'H' && b.iter().any(u8::is_ascii_digit);
    trading || quotation || realtime
}

/// The TR-ID-shaped tokens of a text, in order (tokens are maximal runs of ASCII letters and
/// digits, so `(구)TTTC0801U` yields `TTTC0801U`).
pub fn tr_id_tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| is_tr_id_shaped(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tr_ids_are_shaped() {
        for t in [
            "TTTC0011U",
            "TTTC0801U",
            "CTRGA011R",
            "TTC0012U",
            "FHKST01010100",
            "HHPPG046600C0",
            "HHPSTH60100C1",
            "H0STCNT0",
            "HDFFF1C0",
            "HDFFF010",
            "HDFSASP0",
        ] {
            assert!(is_tr_id_shaped(t), "{t}");
        }
    }

    #[test]
    fn other_codes_are_not() {
        for t in [
            "APBK0013",
            "EGW00215",
            "KIOK0420",
            "OPSP0000",
            "MCA00000",
            "DHKS00003",
            "ICH709203",
            "KR7005930003",
            "US0378331005",
            "KOSPI200",
            "TIGER200",
            "K577KOSDAQ150",
            "201S03370",
            "00000A005930",
            "0000HHMMSS",
            "ttTC0011U",
            "",
        ] {
            assert!(!is_tr_id_shaped(t), "{t}");
        }
    }

    #[test]
    fn tokens_split_on_non_alphanumerics() {
        let text = "국내주식주문 매도 : (구)TTTC0801U → (신)TTTC0011U, APBK0013 KR7005930003";
        assert_eq!(
            tr_id_tokens(text).collect::<Vec<_>>(),
            ["TTTC0801U", "TTTC0011U"]
        );
    }
}
