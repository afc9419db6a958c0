//! Helpers shared by the verifier's integration tests.
#![allow(dead_code)]

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use oss_post_policy::{Region, SigningKey};
use serde_json::Value;
use time::Date;

/// Standard base64.
pub(crate) fn b64(bytes: impl AsRef<[u8]>) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `x-oss-signature` over the exact base64 text, with the crate's public key derivation
/// (product `oss`: `region` is a public-cloud region id).
pub(crate) fn sign_v4(policy_b64: &str, secret: &str, date: Date, region: &str) -> String {
    let region = Region::new(region).expect("a valid region id");
    SigningKey::derive(secret, date, &region).sign(policy_b64.as_bytes())
}

/// `Signature` (V1), written here with the `hmac` and `sha1` crates, not the crate's signer:
/// `base64(HMAC-SHA1(secret, policy_b64))`.
pub(crate) fn sign_v1(policy_b64: &str, secret: &str) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(policy_b64.as_bytes());
    b64(mac.finalize().into_bytes())
}

/// Values of the enumerated fields, to pick a valid one for `not-in`.
const ENUMERATED: [(&str, &[&str]); 4] = [
    ("x-oss-server-side-encryption", &["AES256", "KMS", "SM4"]),
    ("x-oss-object-acl", &["private", "public-read", "default"]),
    ("x-oss-storage-class", &["Standard", "IA", "Archive"]),
    ("success_action_status", &["200", "201", "204"]),
];

/// Form fields (and a file size) that satisfy a JSON `conditions` list: `bucket` is skipped,
/// the first condition on a field decides its value, `key` is added if no condition sets it.
pub(crate) fn satisfy(conditions: &Value) -> (Vec<(String, String)>, u64) {
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut size = 0;
    let mut set = |name: &str, value: String| {
        let name = name.strip_prefix('$').unwrap_or(name);
        if !name.eq_ignore_ascii_case("bucket") && !fields.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
            fields.push((name.to_owned(), value));
        }
    };
    for cond in conditions.as_array().expect("conditions is a list") {
        if let Some(map) = cond.as_object() {
            let (k, v) = map.iter().next().unwrap();
            set(k, v.as_str().unwrap().to_owned());
            continue;
        }
        let list = cond.as_array().unwrap();
        let op = list[0].as_str().unwrap();
        match op {
            "content-length-range" => size = list[1].as_u64().unwrap(),
            "eq" => set(list[1].as_str().unwrap(), list[2].as_str().unwrap().to_owned()),
            "starts-with" => {
                let name = list[1].as_str().unwrap();
                let suffix = if name.eq_ignore_ascii_case("$key") { "${filename}" } else { "suffix" };
                set(name, format!("{}{suffix}", list[2].as_str().unwrap()));
            }
            "in" => set(list[1].as_str().unwrap(), list[2][0].as_str().unwrap().to_owned()),
            "not-in" => {
                let name = list[1].as_str().unwrap().trim_start_matches('$');
                let refused: Vec<&str> = list[2].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
                let candidates = ENUMERATED
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map_or(&["not-listed"][..], |(_, v)| v);
                let pick = candidates.iter().find(|c| !refused.contains(c)).unwrap();
                set(name, (*pick).to_owned());
            }
            other => panic!("unexpected operator {other}"),
        }
    }
    if !fields.iter().any(|(n, _)| n == "key") {
        fields.push(("key".into(), "uploads/${filename}".into()));
    }
    (fields, size)
}
