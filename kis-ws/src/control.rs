//! Parsing of the JSON control messages (acks, errors, `PINGPONG`) and building of subscribe requests.

use serde::Deserialize;

use crate::crypto::Cipher;
use crate::error::FrameError;

/// One parsed JSON control message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    /// A `PINGPONG` heartbeat; the exact text must be echoed back. KIS stamps it with its own
    /// clock (`header.datetime`, KST `YYYYMMDDHHMMSS`): `server_time` when that parses.
    PingPong {
        /// The server's KST time, from the heartbeat's `datetime`.
        server_time: Option<chrono::NaiveDateTime>,
    },
    /// A reply to a subscribe/unsubscribe request, or a server-side error notice.
    Ack(Ack),
}

/// A reply from KIS about one subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    /// `header.tr_id` (may be empty on some errors).
    pub tr_id: String,
    /// `header.tr_key` (may be empty on some errors).
    pub tr_key: String,
    /// `header.encrypt == "Y"`.
    pub encrypted: bool,
    /// What the reply means.
    pub kind: AckKind,
    /// `body.rt_cd`: `0` success; KIS's failures carry `1`, `2`, `7` or `9`.
    pub rt_cd: String,
    /// `body.msg_cd` (e.g. `OPSP0000`).
    pub msg_cd: String,
    /// `body.msg1` (e.g. `SUBSCRIBE SUCCESS`).
    pub msg1: String,
}

/// The meaning of an [`Ack`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AckKind {
    /// `OPSP0000 SUBSCRIBE SUCCESS`, with the TR's AES key/iv when KIS sent them (`output` may
    /// be absent).
    SubscribeSuccess {
        /// The TR's AES-256-CBC key and iv, when present and valid.
        cipher: Option<Cipher>,
    },
    /// `OPSP0001 UNSUBSCRIBE SUCCESS`.
    UnsubscribeSuccess,
    /// `OPSP0002 ALREADY IN SUBSCRIBE`: the subscription exists; treated as success.
    AlreadySubscribed,
    /// `OPSP0003 UNSUBSCRIBE ERROR`: no such subscription.
    UnsubscribeError,
    /// `OPSP0008 MAX SUBSCRIBE OVER`: the session's registration limit was reached.
    MaxSubscribeOver,
    /// `OPSP0011` invalid approval key.
    InvalidApproval,
    /// `OPSP8996 ALREADY IN USE appkey`: KIS still holds another session for this app key.
    AlreadyInUse,
    /// `OPSP0017`: KIS does not know the HTS ID given as the notice subscription's `tr_key`
    /// (`ERROR : htsid가잘못되었습니다`; KIS sends it with `tr_id` `(null)`).
    InvalidHtsId,
    /// `OPSP8993`: KIS could not read the request's `tr_key` (`JSON PARSING ERROR : invalid
    /// tr_key`).
    InvalidTrKey,
    /// `OPSP9999`: KIS could not read the request at all.
    MalformedRequest,
    /// Any other code (`OPSP0007`, `OPSP0009`, `OPSP8991`..`OPSP8999`, ...).
    Other,
}

impl Ack {
    /// Whether the reply names no request: KIS answers some errors (`OPSP0017` wrong HTS ID,
    /// `OPSP8993` bad `tr_key`, `OPSP9999` malformed request) with `tr_id` the literal `(null)`
    /// or empty and no `tr_key`. Such a reply answers the oldest request still waiting.
    ///
    /// ```
    /// use kis_ws::control::{Control, parse_control};
    /// let text = r#"{"header":{"tr_id":"(null)"},"body":{"rt_cd":"9","msg_cd":"OPSP0017","msg1":"ERROR : htsid가잘못되었습니다"}}"#;
    /// let Ok(Control::Ack(ack)) = parse_control(text) else { panic!() };
    /// assert!(ack.is_unaddressed());
    /// assert_eq!(ack.kind, kis_ws::control::AckKind::InvalidHtsId);
    /// ```
    pub fn is_unaddressed(&self) -> bool {
        let tr = self.tr_id.trim();
        tr.is_empty() || tr.eq_ignore_ascii_case("(null)")
    }

    /// Whether KIS reported a failure: any `rt_cd` but `0` (`1`, `2`, `7` and `9` are seen),
    /// or a refusal code whatever the `rt_cd`.
    pub fn is_failure(&self) -> bool {
        self.rt_cd.trim() != "0"
            || !matches!(
                self.kind,
                AckKind::SubscribeSuccess { .. }
                    | AckKind::AlreadySubscribed
                    | AckKind::UnsubscribeSuccess
            )
    }
}

impl AckKind {
    /// Whether the reply means the subscription now exists.
    pub fn is_subscribed(&self) -> bool {
        matches!(
            self,
            AckKind::SubscribeSuccess { .. } | AckKind::AlreadySubscribed
        )
    }
}

#[derive(Deserialize)]
struct RawMessage {
    #[serde(default)]
    header: RawHeader,
    #[serde(default)]
    body: Option<RawBody>,
}

#[derive(Deserialize, Default)]
struct RawHeader {
    #[serde(default)]
    tr_id: String,
    #[serde(default)]
    tr_key: String,
    #[serde(default)]
    encrypt: String,
    #[serde(default)]
    datetime: String,
}

#[derive(Deserialize, Default)]
struct RawBody {
    #[serde(default)]
    rt_cd: String,
    #[serde(default)]
    msg_cd: String,
    #[serde(default)]
    msg1: String,
    #[serde(default)]
    output: Option<RawOutput>,
}

#[derive(Deserialize, Default)]
struct RawOutput {
    #[serde(default)]
    iv: Option<String>,
    #[serde(default)]
    key: Option<String>,
}

/// Parses one JSON control message.
pub fn parse_control(text: &str) -> Result<Control, FrameError> {
    let raw: RawMessage = serde_json::from_str(text)
        .map_err(|e| FrameError::malformed(&format!("control message: {e}"), text))?;
    if raw.header.tr_id == "PINGPONG" {
        let server_time =
            chrono::NaiveDateTime::parse_from_str(&raw.header.datetime, "%Y%m%d%H%M%S").ok();
        return Ok(Control::PingPong { server_time });
    }
    let Some(body) = raw.body else {
        return Err(FrameError::malformed("control message without body", text));
    };
    let kind = classify(&body);
    Ok(Control::Ack(Ack {
        tr_id: raw.header.tr_id,
        tr_key: raw.header.tr_key,
        encrypted: raw.header.encrypt.eq_ignore_ascii_case("Y"),
        kind,
        rt_cd: body.rt_cd,
        msg_cd: body.msg_cd,
        msg1: body.msg1,
    }))
}

fn classify(body: &RawBody) -> AckKind {
    let msg = body.msg1.to_ascii_uppercase();
    let cipher = || {
        let out = body.output.as_ref()?;
        Cipher::new(out.key.as_deref()?, out.iv.as_deref()?).ok()
    };
    let ok = body.rt_cd.trim() == "0";
    match body.msg_cd.as_str() {
        // A success code under a failure `rt_cd` is not trusted as a success.
        "OPSP0000" if ok => AckKind::SubscribeSuccess { cipher: cipher() },
        "OPSP0000" => AckKind::Other,
        "OPSP0001" => AckKind::UnsubscribeSuccess,
        "OPSP0002" => AckKind::AlreadySubscribed,
        "OPSP0003" => AckKind::UnsubscribeError,
        "OPSP0008" => AckKind::MaxSubscribeOver,
        "OPSP0011" => AckKind::InvalidApproval,
        "OPSP8996" => AckKind::AlreadyInUse,
        "OPSP0017" => AckKind::InvalidHtsId,
        "OPSP8993" => AckKind::InvalidTrKey,
        "OPSP9999" => AckKind::MalformedRequest,
        // Unknown or missing code: fall back on the message text KIS uses.
        _ if msg.contains("UNSUBSCRIBE SUCCESS") => AckKind::UnsubscribeSuccess,
        _ if msg.contains("UNSUBSCRIBE ERROR") => AckKind::UnsubscribeError,
        _ if msg.contains("ALREADY IN SUBSCRIBE") => AckKind::AlreadySubscribed,
        _ if msg.contains("MAX SUBSCRIBE OVER") => AckKind::MaxSubscribeOver,
        _ if msg.contains("ALREADY IN USE") => AckKind::AlreadyInUse,
        _ if msg.contains("APPROVAL") && msg.contains("INVALID") => AckKind::InvalidApproval,
        _ if msg.contains("HTSID") => AckKind::InvalidHtsId,
        _ if msg.contains("INVALID TR_KEY") => AckKind::InvalidTrKey,
        _ if ok && msg.contains("SUBSCRIBE SUCCESS") => {
            AckKind::SubscribeSuccess { cipher: cipher() }
        }
        _ => AckKind::Other,
    }
}

/// Builds a subscribe (`subscribe == true`, `tr_type` 1) or unsubscribe (`tr_type` 2) request.
pub fn request(
    approval_key: &str,
    custtype: &str,
    subscribe: bool,
    tr_id: &str,
    tr_key: &str,
) -> String {
    serde_json::json!({
        "header": {
            "approval_key": approval_key,
            "custtype": custtype,
            "tr_type": if subscribe { "1" } else { "2" },
            "content-type": "utf-8",
        },
        "body": { "input": { "tr_id": tr_id, "tr_key": tr_key } },
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "abcdefghijklmnopqrstuvwxyz123456";
    const IV: &str = "0123456789abcdef";

    fn ack(text: &str) -> Ack {
        match parse_control(text).unwrap() {
            Control::Ack(a) => a,
            other => panic!("not an ack: {other:?}"),
        }
    }

    #[test]
    fn subscribe_success_with_key() {
        let a = ack(&format!(
            r#"{{"header":{{"tr_id":"H0STCNI0","tr_key":"hts1","encrypt":"Y"}},"body":{{"rt_cd":"0","msg_cd":"OPSP0000","msg1":"SUBSCRIBE SUCCESS","output":{{"iv":"{IV}","key":"{KEY}"}}}}}}"#
        ));
        assert_eq!(a.tr_id, "H0STCNI0");
        assert_eq!(a.tr_key, "hts1");
        assert!(a.encrypted);
        let AckKind::SubscribeSuccess { cipher: Some(_) } = a.kind else {
            panic!("{:?}", a.kind)
        };
    }

    #[test]
    fn subscribe_success_without_output() {
        let a = ack(
            r#"{"header":{"tr_id":"H0STCNT0","tr_key":"005930","encrypt":"N"},"body":{"rt_cd":"0","msg_cd":"OPSP0000","msg1":"SUBSCRIBE SUCCESS"}}"#,
        );
        assert_eq!(a.kind, AckKind::SubscribeSuccess { cipher: None });
        assert!(a.kind.is_subscribed());
    }

    #[test]
    fn classifies_codes() {
        let cases = [
            (
                "0",
                "OPSP0001",
                "UNSUBSCRIBE SUCCESS",
                AckKind::UnsubscribeSuccess,
            ),
            (
                "1",
                "OPSP0002",
                "ALREADY IN SUBSCRIBE",
                AckKind::AlreadySubscribed,
            ),
            (
                "1",
                "OPSP0003",
                "UNSUBSCRIBE ERROR(not found!)",
                AckKind::UnsubscribeError,
            ),
            (
                "1",
                "OPSP0008",
                "MAX SUBSCRIBE OVER",
                AckKind::MaxSubscribeOver,
            ),
            (
                "1",
                "OPSP0011",
                "invalid approval : NOT FOUND",
                AckKind::InvalidApproval,
            ),
            (
                "1",
                "OPSP8996",
                "ALREADY IN USE appkey",
                AckKind::AlreadyInUse,
            ),
            (
                "1",
                "OPSP8993",
                "JSON PARSING ERROR : invalid tr_key",
                AckKind::InvalidTrKey,
            ),
            (
                "9",
                "OPSP0017",
                "ERROR : htsid가잘못되었습니다",
                AckKind::InvalidHtsId,
            ),
            (
                "9",
                "OPSP9999",
                "JSON PARSING ERROR",
                AckKind::MalformedRequest,
            ),
            ("7", "OPSP0007", "SYSTEM ERROR", AckKind::Other),
            // A success text under a failure `rt_cd` and no code is no success.
            ("2", "", "SUBSCRIBE SUCCESS", AckKind::Other),
            ("9", "", "SUBSCRIBE SUCCESS", AckKind::Other),
            ("1", "", "ALREADY IN USE appkey", AckKind::AlreadyInUse),
            (
                "0",
                "",
                "SUBSCRIBE SUCCESS",
                AckKind::SubscribeSuccess { cipher: None },
            ),
        ];
        for (rt, cd, m, want) in cases {
            let a = ack(&format!(
                r#"{{"header":{{"tr_id":"H0STCNT0","tr_key":"005930"}},"body":{{"rt_cd":"{rt}","msg_cd":"{cd}","msg1":"{m}"}}}}"#
            ));
            assert_eq!(a.kind, want, "{cd} {m}");
        }
    }

    #[test]
    fn unaddressed_errors_and_failure_codes() {
        // Verbatim from KIS: a wrong HTS ID on a notice subscription.
        let a = ack(
            r#"{"header":{"tr_id":"(null)"},"body":{"rt_cd":"9","msg_cd":"OPSP0017","msg1":"ERROR : htsid가잘못되었습니다"}}"#,
        );
        assert!(a.is_unaddressed() && a.is_failure());
        assert_eq!((a.tr_key.as_str(), a.kind), ("", AckKind::InvalidHtsId));
        let a = ack(
            r#"{"header":{"tr_id":""},"body":{"rt_cd":"9","msg_cd":"OPSP9999","msg1":"JSON PARSING ERROR"}}"#,
        );
        assert!(a.is_unaddressed() && a.is_failure());
        let a = ack(
            r#"{"header":{"tr_id":"H0STCNT0","tr_key":"005930"},"body":{"rt_cd":"0","msg_cd":"OPSP0000","msg1":"SUBSCRIBE SUCCESS"}}"#,
        );
        assert!(!a.is_unaddressed() && !a.is_failure());
        for rt in ["1", "2", "7", "9"] {
            let a = ack(&format!(
                r#"{{"header":{{"tr_id":"H0STCNT0","tr_key":"005930"}},"body":{{"rt_cd":"{rt}","msg_cd":"OPSP0000","msg1":"SUBSCRIBE SUCCESS"}}}}"#
            ));
            assert!(a.is_failure(), "rt_cd {rt}");
        }
    }

    #[test]
    fn pingpong() {
        assert_eq!(
            parse_control(r#"{"header":{"tr_id":"PINGPONG","datetime":"20260625093000"}}"#)
                .unwrap(),
            Control::PingPong {
                server_time: chrono::NaiveDate::from_ymd_opt(2026, 6, 25)
                    .and_then(|d| d.and_hms_opt(9, 30, 0))
            }
        );
    }

    #[test]
    fn malformed_is_an_error() {
        for bad in [
            "",
            "{",
            "[]",
            "{\"header\":{\"tr_id\":\"X\"}}",
            "null",
            "\"x\"",
        ] {
            assert!(parse_control(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn request_shape() {
        let r = request("appr", "P", true, "H0STCNT0", "005930");
        let v: serde_json::Value = serde_json::from_str(&r).unwrap();
        assert_eq!(v["header"]["approval_key"], "appr");
        assert_eq!(v["header"]["custtype"], "P");
        assert_eq!(v["header"]["tr_type"], "1");
        assert_eq!(v["header"]["content-type"], "utf-8");
        assert_eq!(v["body"]["input"]["tr_id"], "H0STCNT0");
        assert_eq!(v["body"]["input"]["tr_key"], "005930");
        let r = request("appr", "B", false, "H0STCNT0", "005930");
        let v: serde_json::Value = serde_json::from_str(&r).unwrap();
        assert_eq!(v["header"]["tr_type"], "2");
    }

    mod props {
        use super::super::*;
        use crate::crypto::Cipher;
        use proptest::prelude::*;

        const REAL: &[&str] = &[
            r#"{"header":{"tr_id":"H0STCNI0","tr_key":"hts1","encrypt":"Y"},"body":{"rt_cd":"0","msg_cd":"OPSP0000","msg1":"SUBSCRIBE SUCCESS","output":{"iv":"0123456789abcdef","key":"abcdefghijklmnopqrstuvwxyz123456"}}}"#,
            r#"{"header":{"tr_id":"H0STCNT0","tr_key":"005930","encrypt":"N"},"body":{"rt_cd":"1","msg_cd":"OPSP0008","msg1":"MAX SUBSCRIBE OVER"}}"#,
            r#"{"header":{"tr_id":"PINGPONG","datetime":"20260625093000"}}"#,
            r#"{"header":{"tr_id":"H0STCNT0","tr_key":"005930","encrypt":"N"},"body":{"rt_cd":"0","msg_cd":"OPSP0000","msg1":"SUBSCRIBE SUCCESS"}}"#,
        ];

        proptest! {
            #[test]
            fn random_text_never_panics(s in ".{0,300}") {
                let _ = parse_control(&s);
            }

            #[test]
            fn mutated_real_acks_never_panic(which in 0usize..4, at in any::<usize>(), byte in any::<u8>(), cut in 0usize..60) {
                let mut b = REAL[which].as_bytes().to_vec();
                let i = at % b.len();
                b[i] = byte;
                b.truncate(b.len() - cut % b.len());
                let _ = parse_control(&String::from_utf8_lossy(&b));
            }

            #[test]
            fn any_ack_fields_classify(tr in "[A-Z0-9]{0,8}", key in "[ -~]{0,12}", rt in "[0-9]", cd in "(OPSP[0-9]{4})?", msg in "[ -~]{0,30}",
                                       iv in "[ -~]{0,20}", k in "[ -~]{0,40}") {
                let text = serde_json::json!({
                    "header": {"tr_id": tr, "tr_key": key},
                    "body": {"rt_cd": rt, "msg_cd": cd, "msg1": msg, "output": {"iv": iv, "key": k}},
                }).to_string();
                let parsed = parse_control(&text);
                prop_assert!(parsed.is_ok());
            }

            #[test]
            fn decrypt_garbage_never_panics(s in "[A-Za-z0-9+/=]{0,200}") {
                let c = Cipher::new("abcdefghijklmnopqrstuvwxyz123456", "0123456789abcdef").unwrap();
                let _ = c.decrypt("H0STCNI0", &s);
            }
        }
    }
}
