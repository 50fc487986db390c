//! Readable English variant names for code labels the curated file does not name: a small
//! glossary of the words KIS labels use, then Revised Romanization of the remaining Hangul
//! (`지정가` → `Limit`, `대출일별` → `ByLoanDate`, `프리보드` → `Peuribodeu`), never `V01`.

use heck::ToPascalCase;

/// Korean label words and their English names, longest first where one contains another.
const GLOSSARY: &[(&str, &str)] = &[
    ("조건부지정가", "ConditionalLimit"),
    ("최유리지정가", "BestLimit"),
    ("최우선지정가", "TopPriorityLimit"),
    ("시간외단일가", "AfterHoursSinglePrice"),
    ("시간외 단일가", "AfterHoursSinglePrice"),
    ("장전 시간외", "PreMarketAfterHours"),
    ("장후 시간외", "PostMarketAfterHours"),
    ("지정가", "Limit"),
    ("시장가", "Market"),
    ("단일가", "SinglePrice"),
    ("시간외", "AfterHours"),
    ("정규장", "Regular"),
    ("미체결", "Unfilled"),
    ("체결", "Filled"),
    ("전체", "All"),
    ("매도", "Sell"),
    ("매수", "Buy"),
    ("정정", "Modify"),
    ("취소", "Cancel"),
    ("일봉", "Daily"),
    ("주봉", "Weekly"),
    ("월봉", "Monthly"),
    ("년봉", "Yearly"),
    ("분봉", "Minute"),
    ("일별", "Daily"),
    ("주별", "Weekly"),
    ("월별", "Monthly"),
    ("년별", "Yearly"),
    ("분기", "Quarter"),
    ("수정주가", "Adjusted"),
    ("원주가", "Raw"),
    ("정순", "Ascending"),
    ("역순", "Descending"),
    ("오름차순", "Ascending"),
    ("내림차순", "Descending"),
    ("현금", "Cash"),
    ("신용", "Credit"),
    ("담보", "Collateral"),
    ("대주", "StockLoan"),
    ("대여", "Lending"),
    ("융자", "Loan"),
    ("콜", "Call"),
    ("풋", "Put"),
    ("일반", "Normal"),
    ("조기종료", "EarlyTermination"),
    ("코스피", "Kospi"),
    ("코스닥", "Kosdaq"),
    ("거래소", "Exchange"),
    ("나스닥", "Nasdaq"),
    ("뉴욕", "NewYork"),
    ("아멕스", "Amex"),
    ("홍콩", "HongKong"),
    ("도쿄", "Tokyo"),
    ("일본", "Japan"),
    ("중국", "China"),
    ("미국", "Us"),
    ("상해", "Shanghai"),
    ("심천", "Shenzhen"),
    ("베트남", "Vietnam"),
    ("하노이", "Hanoi"),
    ("호치민", "HoChiMinh"),
    ("통합", "Unified"),
    ("기본값", "Default"),
    ("없음", "None"),
    ("있음", "Present"),
    ("미포함", "Excluded"),
    ("포함", "Included"),
    ("미반영", "NotApplied"),
    ("반영", "Applied"),
    ("상승률", "RiseRate"),
    ("상승율", "RiseRate"),
    ("하락률", "FallRate"),
    ("하락율", "FallRate"),
    ("상한가", "UpperLimit"),
    ("하한가", "LowerLimit"),
    ("상승", "Rise"),
    ("하락", "Fall"),
    ("보합", "Unchanged"),
    ("급등", "Surge"),
    ("급락", "Plunge"),
    ("개인", "Individual"),
    ("법인", "Corporate"),
    ("외국인", "Foreigner"),
    ("기관", "Institution"),
    ("종목별", "ByStock"),
    ("일자별", "ByDate"),
    ("대출일별", "ByLoanDate"),
    ("체결가별", "ByPrice"),
    ("주문", "Order"),
    ("종목", "Stock"),
    ("주식", "Stock"),
    ("채권", "Bond"),
    ("선물", "Futures"),
    ("옵션", "Options"),
    ("지수", "Index"),
    ("업종", "Sector"),
    ("가격", "Price"),
    ("거래량", "Volume"),
    ("거래대금", "TradeValue"),
    ("금액", "Amount"),
    ("수량", "Quantity"),
    ("당일", "Today"),
    ("전일", "PreviousDay"),
    ("금일", "Today"),
    ("외화", "ForeignCurrency"),
    ("원화", "Krw"),
    ("기준", "Basis"),
    ("보통주", "Common"),
    ("우선주", "Preferred"),
    ("관리종목", "Administrative"),
    ("투자주의", "InvestmentCaution"),
    ("투자경고", "InvestmentWarning"),
    ("투자위험", "InvestmentRisk"),
    ("예약", "Reserved"),
    ("입력", "Input"),
    ("미입력", "NotInput"),
    ("해당", "Applicable"),
    ("미해당", "NotApplicable"),
    ("정상", "Normal"),
    ("거래정지", "Halted"),
    ("순매수", "NetBuy"),
    ("순매도", "NetSell"),
    ("시가", "Open"),
    ("고가", "High"),
    ("저가", "Low"),
    ("종가", "Close"),
    ("현재가", "Current"),
    ("일", "Day"),
    ("주", "Week"),
    ("월", "Month"),
    ("년", "Year"),
    ("분", "Minute"),
    ("초", "Second"),
    ("틱", "Tick"),
];

const INITIALS: [&str; 19] = [
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p",
    "h",
];
const MEDIALS: [&str; 21] = [
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we",
    "wi", "yu", "eu", "ui", "i",
];
const FINALS: [&str; 28] = [
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p",
    "t", "t", "ng", "t", "t", "k", "t", "p", "t",
];

/// Revised Romanization of one Hangul syllable (`None` for anything else).
fn romanize(c: char) -> Option<String> {
    let n = u32::from(c).checked_sub(0xAC00)?;
    if n >= 11172 {
        return None;
    }
    let (i, m, f) = (n / 588, (n % 588) / 28, n % 28);
    Some(format!(
        "{}{}{}",
        INITIALS[i as usize], MEDIALS[m as usize], FINALS[f as usize]
    ))
}

/// A PascalCase name for a code label: glossary words, ASCII words as written, Hangul
/// romanized. Empty when the label has nothing usable.
pub fn label_name(label: &str) -> String {
    // Drop bracketed remarks (`IOC지정가 (즉시체결,잔량취소)` → `IOC지정가`).
    let mut text = String::new();
    let mut depth = 0u32;
    for c in label.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => text.push(c),
            _ => {}
        }
    }
    if text.trim().is_empty() {
        text = label.to_owned();
    }
    if let Some((_, en)) = GLOSSARY.iter().find(|(ko, _)| *ko == text.trim()) {
        return (*en).to_owned();
    }
    let mut words: Vec<String> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_alphanumeric() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let w: String = chars[start..i].iter().collect();
            words.push(w.to_ascii_lowercase().to_pascal_case());
            continue;
        }
        if romanize(c).is_some() {
            // Longest glossary word starting here, else one romanized syllable.
            let rest: String = chars[i..].iter().collect();
            if let Some((ko, en)) = GLOSSARY
                .iter()
                .filter(|(ko, _)| !ko.contains(' ') && rest.starts_with(ko))
                .max_by_key(|(ko, _)| ko.chars().count())
            {
                words.push((*en).to_owned());
                i += ko.chars().count();
                continue;
            }
            let mut syl = String::new();
            while i < chars.len() && romanize(chars[i]).is_some() {
                let r: String = chars[i..].iter().collect();
                if !syl.is_empty()
                    && GLOSSARY
                        .iter()
                        .any(|(ko, _)| !ko.contains(' ') && r.starts_with(ko))
                {
                    break;
                }
                syl.push_str(&romanize(chars[i]).unwrap_or_default());
                i += 1;
            }
            words.push(syl.to_pascal_case());
            continue;
        }
        i += 1;
    }
    let mut name: String = words.concat();
    if name.len() > 40 {
        name.truncate(40);
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(label_name("지정가"), "Limit");
        assert_eq!(label_name("IOC지정가 (즉시체결,잔량취소)"), "IocLimit");
        assert_eq!(label_name("대출일별"), "ByLoanDate");
        assert_eq!(label_name("KRX"), "Krx");
        assert_eq!(label_name("프리보드"), "Peuribodeu");
        assert_eq!(label_name("뉴욕(주간)"), "NewYork");
        assert_eq!(label_name("전일매매포함"), "PreviousDayMaemaeIncluded");
        assert_eq!(label_name("(일)최근 30거래일"), "Choegeun30GeoraeDay");
        assert_eq!(label_name("지정가 IOC "), "LimitIoc");
    }
}
