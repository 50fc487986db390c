//! libFuzzer target: any text as a websocket control message (acks, PINGPONG, errors).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = kis_ws::control::parse_control(text);
});
