//! Invariants of signing, checked with proptest.
//!
//! The expected documents are built with `serde_json::json!`, an encoder we did not write, and
//! compared after decoding: any string survives unchanged (no injection through quotes,
//! backslashes, control characters or U+2028), and the decoded policy holds exactly the
//! conditions that were set, in order, after the bucket and the signer's fields. The same
//! document read back with the crate's strict reader ([`PolicyDocument::parse`]) gives back
//! the policy's own conditions.
//!
//! Also here, as properties with their regression case spelled out: signing at any time
//! returns a form or a time error, never panics; a field is one field however its name is
//! cased; a metadata field written by hand is checked as one from `Field::meta`; the serde
//! form of a signed form.

use base64::Engine as _;
use oss_post_policy::time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, macros::datetime};
use oss_post_policy::{
    Bucket, Condition, Credentials, Error, Field, FormFields, PolicyDocument, PolicyText, PostPolicy, Region,
    SignatureVersion, Signer, SigningKeyCache,
};
use proptest::prelude::*;
use serde_json::{Value, json};

const NOW: OffsetDateTime = datetime!(2024-11-27 06:09:41 UTC);

/// A time whose UTC year is 10000: the 0.1 signer panicked on it.
const PAST_YEAR_9999: OffsetDateTime = datetime!(9999-12-31 23:00:00 -05:00);

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

fn bucket() -> Bucket {
    Bucket::new("examplebucket").unwrap()
}

fn region() -> Region {
    Region::new("cn-hangzhou").unwrap()
}

fn signer(credentials: Credentials) -> Signer {
    Signer::new(credentials, region())
}

fn policy_text(form: &FormFields) -> String {
    let b64 = form.get("policy").expect("policy field");
    String::from_utf8(base64::engine::general_purpose::STANDARD.decode(b64).expect("base64")).expect("UTF-8")
}

fn decoded(form: &FormFields) -> Value {
    serde_json::from_str(&policy_text(form)).expect("JSON")
}

/// `name` with the case of each ASCII letter flipped where `flips` has a bit set.
fn recase(name: &str, flips: u64) -> String {
    name.chars()
        .enumerate()
        .map(|(i, c)| if (flips >> (i % 64)) & 1 == 1 { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
        .collect()
}

/// The content type under any of its spellings: the named variant, or a name that differs
/// only in case (`Field::custom` keeps it as `Custom` unless it is exactly `Content-Type`).
fn content_type_field() -> impl Strategy<Value = Field> {
    prop_oneof![Just(Field::ContentType), any::<u64>().prop_map(|flips| Field::custom(recase("content-type", flips)))]
}

/// Any time `time` can hold, in any offset, with the edges of OSS's years 0000-9999 (in UTC)
/// drawn often.
fn any_time() -> impl Strategy<Value = OffsetDateTime> {
    let day = prop_oneof![
        Date::MIN.to_julian_day()..=Date::MAX.to_julian_day(),
        // 9999-12-29 ..= 9999-12-31 and 0000-01-01 ..= 0000-01-03.
        (Date::MAX.to_julian_day() - 2)..=Date::MAX.to_julian_day(),
        datetime!(0000-01-01 0:00 UTC).to_julian_day()..=datetime!(0000-01-03 0:00 UTC).to_julian_day(),
    ];
    (day, 0u8..24, 0u8..60, 0u8..60, 0u32..1_000_000_000, -93_599i32..=93_599).prop_map(|(d, h, m, s, ns, offset)| {
        let local =
            PrimitiveDateTime::new(Date::from_julian_day(d).unwrap(), Time::from_hms_nano(h, m, s, ns).unwrap());
        local.assume_offset(UtcOffset::from_whole_seconds(offset).unwrap())
    })
}

/// The UTC year of `t`, if `time` can hold it.
fn utc_year(t: OffsetDateTime) -> Option<i32> {
    t.checked_to_offset(UtcOffset::UTC).map(OffsetDateTime::year)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Each op on its own metadata field (so no two conflict); the decoded document must be
    /// exactly what serde_json writes for the same conditions, and the crate's reader must give
    /// back the policy's conditions.
    #[test]
    fn decoded_policy_holds_exactly_the_conditions_set(ops in proptest::collection::vec(op(), 0..8), sts in any::<bool>()) {
        let mut b = PostPolicy::builder(bucket()).expires_in(Duration::hours(1));
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
        let form = policy.sign_at(&signer(creds), NOW).unwrap();
        let doc = decoded(&form);
        let obj = doc.as_object().unwrap();
        prop_assert_eq!(obj.keys().collect::<Vec<_>>(), vec!["conditions", "expiration"]);
        let conds = doc["conditions"].as_array().unwrap();
        let signer_end = if sts { 5 } else { 4 };
        prop_assert_eq!(&conds[0], &json!({"bucket": "examplebucket"}));
        prop_assert_eq!(&conds[signer_end..], &want[..]);
        // Fixed values reach the form unchanged too.
        for (i, op) in ops.iter().enumerate() {
            if let Op::Exact(v) | Op::Eq(v) = op {
                prop_assert_eq!(form.get(&format!("x-oss-meta-f{i}")), Some(v.as_str()));
            }
        }

        // Read back by the crate's own strict reader: the same conditions, the signer's fields
        // as exact matches, the form's expiration.
        let read = PolicyDocument::parse(&policy_text(&form)).unwrap();
        prop_assert_eq!(read.expiration(), form.expiration());
        prop_assert_eq!(&read.conditions()[..1], &policy.conditions()[..1]);
        prop_assert_eq!(&read.conditions()[signer_end..], &policy.conditions()[1..]);
        let mut signer_fields = vec!["x-oss-signature-version", "x-oss-credential", "x-oss-date"];
        if sts {
            signer_fields.push("x-oss-security-token");
        }
        for (cond, name) in read.conditions()[1..signer_end].iter().zip(signer_fields) {
            let value = form.get(name).unwrap().to_owned();
            prop_assert_eq!(cond, &Condition::Exact { field: Field::custom(name), value });
        }
    }

    /// A value cannot smuggle in a condition: whatever the key is, the document has exactly
    /// one condition after the signer's, and its value is the key.
    #[test]
    fn no_value_injects_a_condition(key in any_text()) {
        let policy = PostPolicy::builder(bucket()).expires_in(Duration::hours(1)).key(key.as_str()).build().unwrap();
        let form = policy.sign_at(&signer(Credentials::example()), NOW).unwrap();
        let doc = decoded(&form);
        let conds = doc["conditions"].as_array().unwrap();
        prop_assert_eq!(conds.len(), 5);
        prop_assert_eq!(&conds[4], &json!(["eq", "$key", key]));
        prop_assert_eq!(form.get("key"), Some(key.as_str()));
        let read = PolicyDocument::parse(&policy_text(&form)).unwrap();
        prop_assert_eq!(read.conditions().len(), 5);
        prop_assert_eq!(&read.conditions()[4], &Condition::Eq { field: Field::Key, value: key.clone() });
    }

    /// Signing is a pure function of the policy, the signer's inputs and the time: a policy
    /// signed again and again, by a signer with a key cache shared with another scope's signer,
    /// writes byte for byte the form a freshly built policy writes with a fresh signer without
    /// a cache, V4 and V1, and stays unchanged. The scopes vary in every part that moves the
    /// `x-oss-date` value within the document's base64 groups.
    #[test]
    fn signing_is_deterministic_and_a_key_cache_changes_nothing(
        ops in proptest::collection::vec(op(), 0..4),
        id in "[A-Za-z0-9.\"\\\\+]{1,40}",
        token in proptest::option::of("[A-Za-z0-9+/=\"]{1,80}"),
        region in prop_oneof![Just("cn-hangzhou"), Just("oss-us-west-1"), Just("ap-southeast-1"), Just("eu-central-1")],
        day in 0i64..3650,
        seconds in proptest::collection::vec(0i64..86_400, 3..6),
        valid_for in 1i64..604_800,
    ) {
        let build = || {
            let mut b = PostPolicy::builder(bucket()).expires_in(Duration::seconds(valid_for));
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
        let region = Region::new(region).unwrap();
        let cache = SigningKeyCache::new();
        let cached = Signer::new(creds.clone(), region.clone()).with_key_cache(cache.clone());
        let other = Signer::new(Credentials::example(), region.clone()).with_key_cache(cache);
        let midnight = datetime!(2016-01-01 00:00:00 UTC) + Duration::days(day);
        for (i, s) in seconds.iter().enumerate() {
            let now = midnight + Duration::seconds(*s);
            for version in [SignatureVersion::V4, SignatureVersion::V1] {
                let fresh = |c: &Credentials| build().sign_at(&Signer::new(c.clone(), region.clone()).with_version(version), now).unwrap();
                let form = policy.sign_at(&cached.clone().with_version(version), now).unwrap();
                prop_assert_eq!(&form, &fresh(&creds), "signature {} {:?}", i, version);
                // Another scope in between, sharing the cache, must not change this one's bytes.
                let form = policy.sign_at(&other.clone().with_version(version), now).unwrap();
                prop_assert_eq!(&form, &fresh(&Credentials::example()), "signature {} {:?}", i, version);
            }
        }
        prop_assert_eq!(&policy, &build(), "signing changed the policy");
    }

    /// `\$` means a literal `$` to OSS: a value holding it is refused unless escaping is on,
    /// and with escaping on the policy decodes to the value with every `$` as `\$`, which the
    /// crate's reader reads back as the value.
    #[test]
    fn backslash_dollar_is_refused_or_escaped(prefix in raw_text(), suffix in raw_text()) {
        let value = format!("{prefix}\\${suffix}");
        let b = || PostPolicy::builder(bucket()).expires_in(Duration::hours(1));
        let refused = matches!(b().key(value.as_str()).build(), Err(Error::AmbiguousDollarEscape { .. }));
        prop_assert!(refused);
        let policy = b().key(value.as_str()).escape_dollar(true).build().unwrap();
        let form = policy.sign_at(&signer(Credentials::example()), NOW).unwrap();
        prop_assert_eq!(&decoded(&form)["conditions"][4], &json!(["eq", "$key", value.replace('$', "\\$")]));
        prop_assert_eq!(form.get("key"), Some(value.as_str()));
        let read = PolicyDocument::parse(&policy_text(&form)).unwrap();
        prop_assert_eq!(&read.conditions()[4], &Condition::Eq { field: Field::Key, value: value.clone() });
    }

    /// Signing at any time `time` can hold returns a form or a time error, never panics; a time
    /// whose UTC year OSS's four-digit formats cannot write is `TimeOutOfRange`.
    #[test]
    fn any_signing_time_gives_a_form_or_a_time_error(
        now in any_time(),
        lifetime in prop_oneof![any::<i64>(), -86_400i64..=8 * 86_400],
        fixed in any::<bool>(),
        v1 in any::<bool>(),
    ) {
        let b = PostPolicy::builder(bucket());
        let b = if fixed {
            b.expires_at(now.checked_add(Duration::seconds(lifetime / 2)).unwrap_or(now))
        } else {
            b.expires_in(Duration::seconds(lifetime))
        };
        let version = if v1 { SignatureVersion::V1 } else { SignatureVersion::V4 };
        let result = b.build().unwrap().sign_at(&signer(Credentials::example()).with_version(version), now);
        let in_range = utc_year(now).is_some_and(|y| (0..=9999).contains(&y));
        match result {
            Ok(form) => {
                prop_assert!(in_range, "signed at {}", now);
                // OSS's times have whole seconds.
                let whole = now.replace_nanosecond(0).unwrap();
                prop_assert!(form.expiration() > whole);
                prop_assert!(v1 || form.expiration() - whole <= Duration::days(7));
            }
            Err(
                Error::TimeOutOfRange { .. }
                | Error::ValidityOutOfRange { .. }
                | Error::Expired { .. }
                | Error::ValidityTooLong { .. },
            ) if in_range => {}
            Err(Error::TimeOutOfRange { time }) => prop_assert_eq!(time, now),
            Err(other) => prop_assert!(false, "signing at {} failed with {:?}", now, other),
        }
    }

    /// `Content-Type` is one field however it is spelled: two `in` lists on it are refused
    /// exactly when no value is in both, and the same `eq` written twice is kept once.
    #[test]
    fn content_type_is_one_field_whatever_the_spelling(
        first in content_type_field(),
        second in content_type_field(),
        a in proptest::sample::subsequence(vec!["image/png", "image/jpeg", "image/gif", "text/plain"], 1..=4),
        b in proptest::sample::subsequence(vec!["image/png", "image/jpeg", "image/gif", "text/plain"], 1..=4),
    ) {
        let base = || PostPolicy::builder(bucket()).expires_in(Duration::hours(1));
        let built = base().is_in(first.clone(), a.clone()).is_in(second.clone(), b.clone()).build();
        if a.iter().any(|v| b.contains(v)) {
            prop_assert!(built.is_ok(), "{:?}", built);
        } else {
            prop_assert!(matches!(built, Err(Error::ConflictingConditions { .. })), "{:?}", built);
        }
        let policy = base().eq(first.clone(), a[0]).eq(second.clone(), a[0]).build().unwrap();
        prop_assert_eq!(policy.conditions().len(), 2, "bucket and one content type");
        let form = policy.sign_at(&signer(Credentials::example()), NOW).unwrap();
        let sent = form.iter().filter(|(n, _)| n.eq_ignore_ascii_case("content-type")).count();
        prop_assert_eq!(sent, 1);
        if a.len() > 1 {
            let built = base().eq(first, a[0]).eq(second, a[1]).build();
            prop_assert!(matches!(built, Err(Error::ConflictingConditions { .. })), "{:?}", built);
        }
    }

    /// A metadata field is checked the same whether `Field::meta` adds the prefix or the name
    /// is written by hand, in any case.
    #[test]
    fn metadata_fields_written_by_hand_are_checked_as_meta_ones(
        suffix in prop_oneof![Just(String::new()), "[a-z0-9-]{1,8}", any::<String>()],
        flips in any::<u64>(),
    ) {
        let build = |field: Field| PostPolicy::builder(bucket()).expires_in(Duration::hours(1)).exact(field, "v").build();
        let by_meta = build(Field::meta(&suffix));
        for by_hand in [
            Field::Custom(format!("x-oss-meta-{suffix}")),
            Field::custom(format!("x-oss-meta-{suffix}")),
            Field::Custom(format!("{}{suffix}", recase("x-oss-meta-", flips))),
        ] {
            let result = build(by_hand.clone());
            let kind = |r: &Result<PostPolicy, Error>| r.as_ref().err().map(std::mem::discriminant);
            prop_assert_eq!(kind(&result), kind(&by_meta), "{:?}: {:?} vs {:?}", by_hand, result, by_meta);
        }
        if suffix.is_empty() {
            prop_assert!(matches!(by_meta, Err(Error::InvalidFieldName { .. })), "{:?}", by_meta);
        }
    }

    /// A form serialises as `{"url", "fields", "required"}`: the fields in form order and the
    /// fields the browser must add.
    #[test]
    fn a_form_serialises_with_its_required_fields(ops in proptest::collection::vec(op(), 0..6), v1 in any::<bool>()) {
        let mut b = PostPolicy::builder(bucket()).expires_in(Duration::hours(1));
        for (i, op) in ops.iter().enumerate() {
            let field = Field::meta(&format!("f{i}"));
            b = match op {
                Op::Exact(v) => b.exact(field, v.as_str()),
                Op::Eq(v) => b.eq(field, v.as_str()),
                Op::StartsWith(v) => b.starts_with(field, v.as_str()),
                Op::In(vs) => b.is_in(field, vs.clone()),
                Op::NotIn(vs) => b.not_in(field, vs.clone()),
                Op::Range(..) => b,
            };
        }
        let version = if v1 { SignatureVersion::V1 } else { SignatureVersion::V4 };
        let form = b.build().unwrap().sign_at(&signer(Credentials::example()).with_version(version), NOW).unwrap();
        let fields: Vec<String> = form
            .iter()
            .map(|(n, v)| format!("{}:{}", serde_json::to_string(n).unwrap(), serde_json::to_string(v).unwrap()))
            .collect();
        let want = format!(
            r#"{{"url":{},"fields":{{{}}},"required":{}}}"#,
            serde_json::to_string(form.url()).unwrap(),
            fields.join(","),
            serde_json::to_string(form.required()).unwrap(),
        );
        prop_assert_eq!(serde_json::to_string(&form).unwrap(), want);
        // What the browser must add: key (not pinned here), then each field left open, in order.
        let mut required = vec!["key".to_owned()];
        for (i, op) in ops.iter().enumerate() {
            if matches!(op, Op::StartsWith(_) | Op::In(_) | Op::NotIn(_)) {
                required.push(format!("x-oss-meta-f{i}"));
            }
        }
        prop_assert_eq!(form.required(), &required[..]);
    }
}

/// The regression case of `any_signing_time_gives_a_form_or_a_time_error`: 0.1 panicked
/// formatting a UTC year of 10000. Every signing path returns `TimeOutOfRange` instead.
#[test]
fn signing_past_year_9999_in_utc_is_out_of_range() {
    for version in [SignatureVersion::V4, SignatureVersion::V1] {
        let signer = signer(Credentials::example()).with_version(version);
        for b in [
            PostPolicy::builder(bucket()).expires_in(Duration::hours(1)),
            PostPolicy::builder(bucket()).expires_at(PAST_YEAR_9999),
        ] {
            let result = b.key_starts_with("user-dir/").build().unwrap().sign_at(&signer, PAST_YEAR_9999);
            assert!(
                matches!(result, Err(Error::TimeOutOfRange { time }) if time == PAST_YEAR_9999),
                "{version:?}: {result:?}"
            );
        }
        let text = PolicyText::new(
            bucket(),
            r#"{"expiration":"9999-12-31T23:59:59.000Z","conditions":[{"bucket":"examplebucket"}]}"#,
        )
        .unwrap();
        let result = text.sign_at(&signer, PAST_YEAR_9999);
        assert!(
            matches!(result, Err(Error::TimeOutOfRange { time }) if time == PAST_YEAR_9999),
            "{version:?}: {result:?}"
        );
    }
}

/// The regression cases of `content_type_is_one_field_whatever_the_spelling`: 0.1 took
/// `Field::ContentType` and a lower-case custom `content-type` for two fields.
#[test]
fn content_type_spellings_are_one_field() {
    let base = || PostPolicy::builder(bucket()).expires_in(Duration::hours(1));
    for other in [Field::custom("Content-Type"), Field::custom("content-type"), Field::Custom("CONTENT-TYPE".into())] {
        let built = base().is_in(Field::ContentType, ["image/png"]).is_in(other.clone(), ["image/jpeg"]).build();
        assert!(matches!(built, Err(Error::ConflictingConditions { .. })), "{other:?}: {built:?}");
        let built = base().is_in(other.clone(), ["image/png"]).is_in(Field::ContentType, ["image/jpeg"]).build();
        assert!(matches!(built, Err(Error::ConflictingConditions { .. })), "{other:?}: {built:?}");
        let built = base().eq(Field::ContentType, "image/png").eq(other.clone(), "image/jpeg").build();
        assert!(matches!(built, Err(Error::ConflictingConditions { .. })), "{other:?}: {built:?}");
        let policy = base().eq(Field::ContentType, "image/png").eq(other.clone(), "image/png").build().unwrap();
        assert_eq!(policy.conditions().len(), 2, "{other:?}: the duplicate is kept once");
    }
}

/// The regression case of `metadata_fields_written_by_hand_are_checked_as_meta_ones`: 0.1
/// accepted `x-oss-meta-` with no name when written by hand.
#[test]
fn an_empty_metadata_name_is_refused_however_written() {
    let build = |field: Field| PostPolicy::builder(bucket()).expires_in(Duration::hours(1)).exact(field, "v").build();
    for field in [Field::meta(""), Field::Custom("x-oss-meta-".into()), Field::custom("X-OSS-META-")] {
        let result = build(field.clone());
        assert!(matches!(result, Err(Error::InvalidFieldName { .. })), "{field:?}: {result:?}");
    }
}
