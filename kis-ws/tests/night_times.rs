//! A KRX night-futures tick sent after midnight carries KIS's session time (`260000` is 02:00
//! of the next calendar day): it decodes as a `KisTime`, not as an invalid time, and the frame
//! writes back unchanged.

use kis_client::value::{KisTime, NaiveTime};
use kis_ws::api::{AnyRecord, decode};

#[test]
fn a_night_tick_after_midnight_is_a_session_time() {
    // H0MFCNT0 columns: FUTS_SHRN_ISCD, BSOP_HOUR, ... (the rest left empty).
    let mut fields = vec![""; 60];
    fields[0] = "101W09";
    fields[1] = "260130";
    let Some(AnyRecord::H0mfcnt0(r)) = decode("H0MFCNT0", &fields.join("^")) else {
        panic!("H0MFCNT0 decodes");
    };
    let t: KisTime = *r.bsop_hour.get().expect("a valid session time");
    assert_eq!((t.hour(), t.minute(), t.second()), (26, 1, 30));
    assert_eq!(t.day_offset(), 1);
    assert_eq!(t.time(), NaiveTime::from_hms_opt(2, 1, 30).unwrap());
    assert_eq!(r.bsop_hour.raw(), "260130");
}
