//! libFuzzer target: any text as the base64 payload of an encrypted execution notice, through
//! AES-256-CBC decrypt, record split and the typed `H0stcni0` decode.
#![no_main]

use kis_ws::Record;
use kis_ws::api::realtime_domestic_stock::h0stcni0::H0stcni0;
use kis_ws::crypto::Cipher;
use kis_ws::frame::Records;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|payload: &str| {
    let Ok(cipher) = Cipher::new("abcdefghijklmnopqrstuvwxyz123456", "0123456789abcdef") else {
        return;
    };
    if let Ok(plain) = cipher.decrypt("H0STCNI0", payload) {
        if let Ok(records) = Records::split("H0STCNI0", &plain, 1, H0stcni0::COLUMNS.len()) {
            for r in records.iter() {
                let _ = H0stcni0::parse(r);
            }
        }
    }
});
