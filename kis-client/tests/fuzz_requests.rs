//! Property tests: validation and by-name construction never panic, whatever the strings, and
//! a by-name request that validates carries only the endpoint's parameters.
#![cfg(feature = "all")]

use kis_client::Env;
use kis_client::request;
use proptest::prelude::*;
use serde_json::{Map, Value};

fn infos() -> Vec<&'static kis_client::endpoint::EndpointInfo> {
    request::endpoints().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn by_name_never_panics(
        pick in any::<prop::sample::Index>(),
        variant in prop_oneof!["", "default", "buy", "sell", "us_buy", "[a-z_]{0,8}"],
        paper in any::<bool>(),
        values in prop::collection::vec(("[A-Za-z_0-9]{0,12}", ".{0,24}", any::<bool>()), 0..12),
        endpoint in prop_oneof![Just(String::new()), ".{0,30}"],
    ) {
        let all = infos();
        let info = all[pick.index(all.len())];
        let env = if paper { Env::Paper } else { Env::Real };
        // Half the keys are the endpoint's own wire names, so values reach every check.
        let mut params = Map::new();
        for (i, (key, value, own)) in values.into_iter().enumerate() {
            let key = if own && !info.fields.is_empty() {
                info.fields[i % info.fields.len()].wire.to_owned()
            } else {
                key
            };
            params.insert(key, Value::String(value));
        }
        let id = format!("{}/{}", info.category, info.id);
        if let Ok(raw) = request::build(&id, &variant, env, None, &params) {
            prop_assert_eq!(raw.path.as_str(), info.path);
        }
        let _ = request::build(&endpoint, &variant, env, None, &params);
    }

    #[test]
    fn validation_never_panics_on_any_field(
        pick in any::<prop::sample::Index>(),
        value in prop_oneof![".{0,40}", "[0-9]{0,12}", "[0-9]{1,6}\\.[0-9]{0,4}", "00[0-9]{8}", "[YN%]{0,2}"],
    ) {
        let all = infos();
        let info = all[pick.index(all.len())];
        for m in info.fields {
            let _ = kis_client::validate::check_field(m, &value);
        }
    }

    #[test]
    fn limit_orders_off_the_grid_are_refused(price in 1u64..2_000_000) {
        let params = serde_json::json!({"PDNO": "005930", "ORD_DVSN": "00", "ORD_QTY": "1",
            "ORD_UNPR": price.to_string(), "CANO": "12345678", "ACNT_PRDT_CD": "01"});
        let r = request::build("domestic_stock/order_cash", "buy", Env::Real, None,
            params.as_object().expect("object"));
        prop_assert_eq!(r.is_ok(), kis_client::validate::on_krx_grid(price));
    }
}
