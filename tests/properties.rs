//! Invariants of the policy document, checked with proptest.
//!
//! The expected documents are built with `serde_json::json!`, an encoder we did not write, and
//! compared after decoding: any string survives unchanged (no injection through quotes,
//! backslashes, control characters or U+2028), and the decoded policy holds exactly the
//! conditions that were set, in order, after the bucket and the signer's fields.

use base64::Engine as _;
use oss_post_policy::time::{Duration, macros::datetime};
use oss_post_policy::{Bucket, Credentials, Field, FormFields, PostPolicy, Region};
use proptest::prelude::*;
use serde_json::{Value, json};

#[derive(Debug, Clone)]
enum Op {
    Exact(String),
    Eq(String),
    StartsWith(String),
    In(Vec<String>),
    NotIn(Vec<String>),
    Range(u64, u64),
}

/// Any text but `\$`, which the builder refuses unless escaping is on (see the last property).
fn any_text() -> impl Strategy<Value = String> {
    raw_text().prop_filter("holds \\$", |s| !s.contains("\\$"))
}

fn raw_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        // Bias towards the characters that break hand-written JSON.
        proptest::collection::vec(
            prop_oneof![
                Just('"'),
                Just('\\'),
                Just('\u{2028}'),
                Just('\u{0}'),
                Just('\n'),
                Just('$'),
                Just('/'),
                Just('😀'),
                any::<char>()
            ],
            0..24
        )
        .prop_map(|v| v.into_iter().collect()),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        any_text().prop_map(Op::Exact),
        any_text().prop_map(Op::Eq),
        any_text().prop_map(Op::StartsWith),
        proptest::collection::vec(any_text(), 1..4).prop_map(Op::In),
        proptest::collection::vec(any_text(), 1..4).prop_map(Op::NotIn),
        (any::<u64>(), any::<u64>()).prop_map(|(a, b)| Op::Range(a.min(b), a.max(b))),
    ]
}

fn decoded(form: &FormFields) -> Value {
    let b64 = form.get("policy").expect("policy field");
    serde_json::from_slice(&base64::engine::general_purpose::STANDARD.decode(b64).expect("base64")).expect("JSON")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Each op on its own metadata field (so no two conflict); the decoded document must be
    /// exactly what serde_json writes for the same conditions.
    #[test]
    fn decoded_policy_holds_exactly_the_conditions_set(ops in proptest::collection::vec(op(), 0..8), sts in any::<bool>()) {
        let mut b = PostPolicy::builder(Bucket::new("examplebucket").unwrap()).expires_in(Duration::hours(1));
        let mut want = Vec::new();
        let mut have_range = false;
        for (i, op) in ops.iter().enumerate() {
            let name = format!("x-oss-meta-f{i}");
            let field = Field::meta(&name);
            match op {
                Op::Exact(v) => { b = b.exact(field, v.as_str()); want.push(json!({ name: v })); }
                Op::Eq(v) => { b = b.eq(field, v.as_str()); want.push(json!(["eq", format!("${name}"), v])); }
                Op::StartsWith(v) => { b = b.starts_with(field, v.as_str()); want.push(json!(["starts-with", format!("${name}"), v])); }
                Op::In(vs) => { b = b.is_in(field, vs.clone()); want.push(json!(["in", format!("${name}"), vs])); }
                Op::NotIn(vs) => { b = b.not_in(field, vs.clone()); want.push(json!(["not-in", format!("${name}"), vs])); }
                Op::Range(lo, hi) => {
                    // Only one range per policy: a second, different one is a conflict.
                    if have_range { continue; }
                    have_range = true;
                    b = b.content_length_range(*lo, *hi);
                    want.push(json!(["content-length-range", lo, hi]));
                }
            }
        }
        let policy = b.build().unwrap();
        let mut creds = Credentials::example();
        if sts {
            creds = creds.with_security_token("CAIS/token+==").unwrap();
        }
        let form = policy.sign_at(&creds, &Region::new("cn-hangzhou").unwrap(), datetime!(2024-11-27 06:09:41 UTC)).unwrap();
        let doc = decoded(&form);
        let obj = doc.as_object().unwrap();
        prop_assert_eq!(obj.keys().collect::<Vec<_>>(), vec!["conditions", "expiration"]);
        let conds = doc["conditions"].as_array().unwrap();
        let signer = if sts { 5 } else { 4 };
        prop_assert_eq!(&conds[0], &json!({"bucket": "examplebucket"}));
        prop_assert_eq!(&conds[signer..], &want[..]);
        // Fixed values reach the form unchanged too.
        for (i, op) in ops.iter().enumerate() {
            if let Op::Exact(v) | Op::Eq(v) = op {
                prop_assert_eq!(form.get(&format!("x-oss-meta-f{i}")), Some(v.as_str()));
            }
        }
    }

    /// A value cannot smuggle in a condition: whatever the key is, the document has exactly
    /// one condition after the signer's, and its value is the key.
    #[test]
    fn no_value_injects_a_condition(key in any_text()) {
        let policy = PostPolicy::builder(Bucket::new("examplebucket").unwrap())
            .expires_in(Duration::hours(1))
            .key(key.as_str())
            .build()
            .unwrap();
        let form = policy.sign_at(&Credentials::example(), &Region::new("cn-hangzhou").unwrap(), datetime!(2024-11-27 06:09:41 UTC)).unwrap();
        let doc = decoded(&form);
        let conds = doc["conditions"].as_array().unwrap();
        prop_assert_eq!(conds.len(), 5);
        prop_assert_eq!(&conds[4], &json!(["eq", "$key", key]));
        prop_assert_eq!(form.get("key"), Some(key.as_str()));
    }

    /// A policy signed again in the same credential scope (same access key, token, UTC day and
    /// region) writes the document from its kept template; it must be byte for byte the form a
    /// freshly built policy, signed once (which writes the whole document), writes. The scopes vary in every part
    /// that moves the `x-oss-date` value within the document's base64 groups.
    #[test]
    fn later_signatures_equal_fresh_ones(
        ops in proptest::collection::vec(op(), 0..4),
        id in "[A-Za-z0-9.\"\\\\+]{1,40}",
        token in proptest::option::of("[A-Za-z0-9+/=\"]{1,80}"),
        region in prop_oneof![Just("cn-hangzhou"), Just("oss-us-west-1"), Just("ap-southeast-1"), Just("eu-central-1")],
        day in 0i64..3650,
        seconds in proptest::collection::vec(0i64..86_400, 3..6),
        valid_for in 1i64..604_800,
    ) {
        let build = || {
            let mut b = PostPolicy::builder(Bucket::new("examplebucket").unwrap()).expires_in(Duration::seconds(valid_for));
            for (i, op) in ops.iter().enumerate() {
                let field = Field::meta(&format!("x-oss-meta-f{i}"));
                b = match op {
                    Op::Exact(v) | Op::Eq(v) => b.eq(field, v.as_str()),
                    Op::StartsWith(v) => b.starts_with(field, v.as_str()),
                    Op::In(vs) => b.is_in(field, vs.clone()),
                    Op::NotIn(vs) => b.not_in(field, vs.clone()),
                    Op::Range(..) => b,
                };
            }
            b.build().unwrap()
        };
        let policy = build();
        let mut creds = Credentials::new(id, "secret").unwrap();
        if let Some(token) = token {
            creds = creds.with_security_token(token).unwrap();
        }
        let other = Credentials::example();
        let region = Region::new(region).unwrap();
        let midnight = datetime!(2016-01-01 00:00:00 UTC) + Duration::days(day);
        for (i, s) in seconds.iter().enumerate() {
            let now = midnight + Duration::seconds(*s);
            let form = policy.sign_at(&creds, &region, now).unwrap();
            prop_assert_eq!(&form, &build().sign_at(&creds, &region, now).unwrap(), "signature {}", i);
            // Another scope in between must neither take nor spoil this one's template.
            let form = policy.sign_at(&other, &region, now).unwrap();
            prop_assert_eq!(&form, &build().sign_at(&other, &region, now).unwrap(), "signature {}", i);
        }
    }

    /// `\$` means a literal `$` to OSS: a value holding it is refused unless escaping is on,
    /// and with escaping on the policy decodes to the value with every `$` as `\$`.
    #[test]
    fn backslash_dollar_is_refused_or_escaped(prefix in raw_text(), suffix in raw_text()) {
        let value = format!("{prefix}\\${suffix}");
        let b = || PostPolicy::builder(Bucket::new("examplebucket").unwrap()).expires_in(Duration::hours(1));
        let refused = matches!(b().key(value.as_str()).build(), Err(oss_post_policy::Error::AmbiguousDollarEscape { .. }));
        prop_assert!(refused);
        let policy = b().key(value.as_str()).escape_dollar(true).build().unwrap();
        let form = policy.sign_at(&Credentials::example(), &Region::new("cn-hangzhou").unwrap(), datetime!(2024-11-27 06:09:41 UTC)).unwrap();
        prop_assert_eq!(&decoded(&form)["conditions"][4], &json!(["eq", "$key", value.replace('$', "\\$")]));
        prop_assert_eq!(form.get("key"), Some(value.as_str()));
    }
}
