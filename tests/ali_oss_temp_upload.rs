//! Known answers from ali-oss 6.23.0 (`tests/vectors/ali-oss-temp-upload.json`, written by
//! `tests/vectors/generator/generate_temp.js`): temporary upload URLs, V1 and V4 (each vector
//! records both answers; the signer's version picks one), their policies signed as exact texts,
//! and the plain V1 builder layout.

use base64::Engine as _;
use oss_post_policy::{
    Bucket, Credentials, Endpoint, Error, Field, ObjectAcl, PolicyText, PostPolicy, PostPolicyBuilder, Region,
    SignatureVersion, Signer, StorageClass, SuccessActionStatus, TempUpload, TempUploadRequest,
};
use serde_json::Value;
use time::{Duration, OffsetDateTime, format_description::well_known::Rfc3339};

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/ali-oss-temp-upload.json");
    let text = std::fs::read_to_string(path).expect("the vector file is checked in");
    serde_json::from_str(&text).expect("the vector file is JSON")
}

fn s<'a>(v: &'a Value, name: &str) -> &'a str {
    v[name].as_str().unwrap_or_else(|| panic!("{name} is not a string in {v}"))
}

fn int(v: &Value, name: &str) -> i64 {
    v[name].as_i64().unwrap_or_else(|| panic!("{name} is not an integer in {v}"))
}

fn uint(v: &Value, name: &str) -> u64 {
    v[name].as_u64().unwrap_or_else(|| panic!("{name} is not an unsigned integer in {v}"))
}

fn credentials(v: &Value) -> Credentials {
    let creds = Credentials::new(s(v, "access_key_id"), s(v, "access_key_secret")).unwrap();
    match v["security_token"].as_str() {
        Some(token) => creds.with_security_token(token).unwrap(),
        None => creds,
    }
}

/// A signer for the vector's credentials and region writing `version` signatures.
fn signer(v: &Value, version: SignatureVersion) -> Signer {
    Signer::new(credentials(v), Region::new(s(v, "region_input")).unwrap()).with_version(version)
}

/// The request a `temp_upload` vector was generated for.
fn request(v: &Value) -> TempUploadRequest<'_> {
    TempUploadRequest {
        file_name: s(v, "file_name"),
        account_id: s(v, "account_id"),
        unique_id: s(v, "unique_id"),
        request_id: s(v, "request_id"),
    }
}

/// The temporary uploads a `temp_upload` vector configures.
fn uploads(v: &Value) -> TempUpload {
    let endpoint = if v["internal"].as_bool().unwrap() { Endpoint::Internal } else { Endpoint::Public };
    TempUpload::new(Bucket::new(s(v, "bucket")).unwrap())
        .endpoint(endpoint)
        .lifetime(Duration::seconds(int(v, "lifetime_seconds")))
        .max_size(uint(v, "max_size"))
}

fn now(v: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(s(v, "now"), &Rfc3339).unwrap()
}

fn policy_text(policy_base64: &str) -> String {
    String::from_utf8(base64::engine::general_purpose::STANDARD.decode(policy_base64).unwrap()).unwrap()
}

/// The inputs of a vector, for failure messages (the secret is a test value).
fn inputs(v: &Value) -> String {
    let mut shown = v.clone();
    if let Some(map) = shown.as_object_mut() {
        for drop in ["v1", "v4", "policy_object", "policy", "policy_base64", "signature_v1", "source"] {
            map.remove(drop);
        }
    }
    shown.to_string()
}

/// Checks one expected answer (`version` names the vector's `v1` or `v4` answer); returns a
/// description of each mismatch.
fn compare_answer(name: &str, version: SignatureVersion, v: &Value, expected: &Value) -> Vec<String> {
    let url = match uploads(v).sign_at(&signer(v, version), &request(v), now(v)) {
        Ok(url) => url,
        Err(e) => return vec![format!("{name} {version:?}: signing failed: {e}; inputs {}", inputs(v))],
    };
    let mut failures = Vec::new();
    let mut check = |what: &str, ours: &Value, theirs: &Value| {
        if ours != theirs {
            failures.push(format!("{name} {version:?}: {what}: ours {ours}, ali-oss {theirs}; inputs {}", inputs(v)));
        }
    };
    let ours = serde_json::to_value(&url).unwrap();
    check("response", &ours, &expected["response"]);
    check("policy bytes", &Value::from(policy_text(url.policy())), &expected["policy"]);
    check("url", &Value::from(url.form().url()), &v["url"]);
    check("form key", &Value::from(url.form().get("key")), &expected["response"]["TempFileKey"]);
    check("expire time", &Value::from(url.expire_time()), &expected["response"]["ExpireTime"]);
    if url.signature_version() != version {
        failures.push(format!("{name} {version:?}: signed {:?}", url.signature_version()));
    }
    failures
}

#[test]
fn temp_upload_urls_match_ali_oss() {
    let all = vectors();
    let cases = all["temp_upload"].as_array().expect("temp_upload is a list");
    assert!(cases.len() >= 10, "only {} temp_upload vectors", cases.len());
    let mut failures = Vec::new();
    let mut checked_v4 = 0;
    for v in cases {
        let name = s(v, "name");
        failures.extend(compare_answer(name, SignatureVersion::V1, v, &v["v1"]));
        if v["v4"].is_null() {
            // ali-oss signs any lifetime; OSS refuses V4 forms valid for over 7 days, and so do we.
            let result = uploads(v).sign_at(&signer(v, SignatureVersion::V4), &request(v), now(v));
            if !matches!(result, Err(Error::ValidityTooLong { .. })) {
                failures.push(format!("{name} v4: expected ValidityTooLong, got {result:?}"));
            }
        } else {
            checked_v4 += 1;
            failures.extend(compare_answer(name, SignatureVersion::V4, v, &v["v4"]));
        }
    }
    assert!(checked_v4 >= 9, "only {checked_v4} V4 answers checked");
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

fn field(name: &str) -> Field {
    match name {
        "key" => Field::Key,
        "Content-Type" => Field::ContentType,
        "Cache-Control" => Field::CacheControl,
        "Content-Disposition" => Field::ContentDisposition,
        "success_action_status" => Field::SuccessActionStatus,
        n if n.starts_with("x-oss-meta-") => Field::meta(n),
        n => Field::custom(n),
    }
}

/// `["eq", "$field", value]` through the typed setter where the builder has one.
fn eq(b: PostPolicyBuilder, name: &str, value: &str) -> PostPolicyBuilder {
    match (name, value) {
        ("key", _) => b.key(value),
        ("success_action_status", "200") => b.success_action_status(SuccessActionStatus::Ok),
        ("x-oss-object-acl", "private") => b.object_acl(ObjectAcl::Private),
        ("x-oss-storage-class", "IA") => b.storage_class(StorageClass::InfrequentAccess),
        ("x-oss-forbid-overwrite", "true") => b.forbid_overwrite(true),
        _ => b.eq(field(name), value),
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_owned()).collect()
}

/// Rebuilds the user conditions of a vector with the builder, in order.
fn add_condition(b: PostPolicyBuilder, cond: &Value) -> PostPolicyBuilder {
    if let Some(map) = cond.as_object() {
        let (name, value) = map.iter().next().expect("one-entry condition");
        return b.exact(field(name), value.as_str().unwrap());
    }
    let list = cond.as_array().expect("a condition is an object or a list");
    let op = list[0].as_str().unwrap();
    if op == "content-length-range" {
        return b.content_length_range(list[1].as_u64().unwrap(), list[2].as_u64().unwrap());
    }
    let name = list[1].as_str().unwrap().strip_prefix('$').expect("$field");
    match op {
        "eq" => eq(b, name, list[2].as_str().unwrap()),
        "starts-with" if name == "key" => b.key_starts_with(list[2].as_str().unwrap()),
        "starts-with" => b.starts_with(field(name), list[2].as_str().unwrap()),
        "in" => b.is_in(field(name), strings(&list[2])),
        "not-in" => b.not_in(field(name), strings(&list[2])),
        other => panic!("unknown operator {other}"),
    }
}

#[test]
fn v1_builder_matches_ali_oss() {
    let all = vectors();
    let cases = all["v1_builder"].as_array().expect("v1_builder is a list");
    assert!(cases.len() >= 11, "only {} v1_builder vectors", cases.len());
    let mut failures = Vec::new();
    for v in cases {
        let name = s(v, "name");
        let mut b = PostPolicy::builder(Bucket::new(s(v, "bucket")).unwrap())
            .expires_in(Duration::seconds(int(v, "ttl_seconds")));
        for cond in v["conditions"].as_array().unwrap() {
            b = add_condition(b, cond);
        }
        let form = match b.build().and_then(|p| p.sign_at(&signer(v, SignatureVersion::V1), now(v))) {
            Ok(form) => form,
            Err(e) => {
                failures.push(format!("{name}: {e}; inputs {}", inputs(v)));
                continue;
            }
        };
        let policy = form.get("policy").unwrap();
        if policy_text(policy) != s(v, "policy") {
            failures.push(format!(
                "{name}: policy bytes differ\n ours    {}\n ali-oss {}\n inputs {}",
                policy_text(policy),
                s(v, "policy"),
                inputs(v)
            ));
        }
        if policy != s(v, "policy_base64") || form.get("Signature") != Some(s(v, "signature_v1")) {
            failures.push(format!(
                "{name}: signature {:?}, ali-oss {}; inputs {}",
                form.get("Signature"),
                s(v, "signature_v1"),
                inputs(v)
            ));
        }
        if form.get("OSSAccessKeyId") != Some(s(v, "access_key_id"))
            || form.get("x-oss-security-token") != v["security_token"].as_str()
        {
            failures.push(format!("{name}: OSSAccessKeyId or x-oss-security-token differ; inputs {}", inputs(v)));
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

/// Each answer's policy, signed as an exact text, gets ali-oss's signature; the 30-day policy
/// (ali-oss's V1 answer) signs for V1 and is refused for V4, which OSS limits to 7 days (0.1
/// signed such a text for V4).
#[test]
fn temp_upload_policies_sign_as_exact_texts() {
    let all = vectors();
    let mut thirty_days = 0;
    for v in all["temp_upload"].as_array().expect("temp_upload is a list") {
        let name = s(v, "name");
        let bucket = Bucket::new(s(v, "bucket")).unwrap();
        for (version, answer) in [(SignatureVersion::V1, &v["v1"]), (SignatureVersion::V4, &v["v4"])] {
            if answer.is_null() {
                continue;
            }
            let text = PolicyText::new(bucket.clone(), s(answer, "policy"))
                .unwrap_or_else(|e| panic!("{name} {version:?}: {e}; inputs {}", inputs(v)));
            let form = text.sign_at(&signer(v, version), now(v)).unwrap_or_else(|e| panic!("{name} {version:?}: {e}"));
            let signature_field = if version == SignatureVersion::V4 { "x-oss-signature" } else { "Signature" };
            let response = &answer["response"];
            assert_eq!(form.get("policy"), response["Policy"].as_str(), "{name} {version:?}");
            assert_eq!(form.get(signature_field), response["Signature"].as_str(), "{name} {version:?}");
        }
        if v["v4"].is_null() {
            thirty_days += 1;
            let text = PolicyText::new(bucket, s(&v["v1"], "policy")).unwrap();
            let result = text.sign_at(&signer(v, SignatureVersion::V4), now(v));
            assert!(matches!(result, Err(Error::ValidityTooLong { .. })), "{name}: {result:?}");
        }
    }
    assert_eq!(thirty_days, 1, "the 30-day vector is V1 only");
}

/// Signing at a time whose UTC year is 10000 returns `TimeOutOfRange`, V1 and V4, for every
/// vector's configuration (0.1 panicked writing the key's date).
#[test]
fn temp_upload_past_year_9999_in_utc_is_out_of_range() {
    let past_year_9999 = time::macros::datetime!(9999-12-31 23:00:00 -05:00);
    for v in vectors()["temp_upload"].as_array().expect("temp_upload is a list") {
        for version in [SignatureVersion::V1, SignatureVersion::V4] {
            let result = uploads(v).sign_at(&signer(v, version), &request(v), past_year_9999);
            assert!(
                matches!(result, Err(Error::TimeOutOfRange { time }) if time == past_year_9999),
                "{} {version:?}: {result:?}",
                s(v, "name")
            );
        }
    }
}
