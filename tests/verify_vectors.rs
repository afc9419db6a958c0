//! Forms signed by implementations we did not write verify as accepted: every vector in
//! `tests/vectors/ali-oss.json` (ali-oss 6.23.0) and `tests/vectors/public-vectors.json`
//! (Java SDK tests, two Elixir libraries), each posted with form fields that satisfy its
//! policy. A changed signature is then refused, so the acceptance is not vacuous.

mod common;

use common::satisfy;
use oss_post_policy::verify::{FilePart, Submission, Verifier};
use oss_post_policy::{Bucket, Credentials, Region, SignatureVersion};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;

fn load(name: &str) -> Value {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn credentials(v: &Value) -> Credentials {
    let c = Credentials::new(v["access_key_id"].as_str().unwrap(), v["access_key_secret"].as_str().unwrap()).unwrap();
    match v["security_token"].as_str() {
        Some(t) => c.with_security_token(t).unwrap(),
        None => c,
    }
}

/// The ali-oss vectors' policies pin `x-oss-signature-version`, so OSS reads their forms as
/// V4: their V1 signatures cannot be posted with these policies and only V4 is verified here.
#[test]
fn ali_oss_vectors_are_accepted_and_a_changed_signature_is_not() {
    let data = load("ali-oss.json");
    let vectors: Vec<&Value> =
        data["vectors"].as_array().unwrap().iter().chain(data["exact_text"].as_array().unwrap()).collect();
    assert_eq!(vectors.len(), 34);
    for v in vectors {
        let name = v["name"].as_str().unwrap();
        let policy: Value = serde_json::from_str(v["policy"].as_str().unwrap()).unwrap();
        let bucket = Bucket::new(policy["conditions"][0]["bucket"].as_str().unwrap()).unwrap();
        let region = Region::new(v["region_input"].as_str().unwrap()).unwrap();
        let creds = credentials(v);
        let (fields, size) = satisfy(&policy["conditions"]);
        let base = Submission::new()
            .with_fields(fields)
            .with_field("policy", v["policy_base64"].as_str().unwrap())
            .with_field("x-oss-signature", v["signature_v4"].as_str().unwrap());
        let now = OffsetDateTime::parse(v["now"].as_str().unwrap(), &Rfc3339).unwrap();
        let verifier = Verifier::new(bucket, region);
        let sub = base.clone().with_file(FilePart::new("photo.jpg", size).with_content_type("image/jpeg"));
        let up = verifier.verify_at(&sub, &creds, now).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(up.access_key_id.as_deref(), Some(creds.access_key_id()), "{name}");
        assert_eq!(up.signature_version, Some(SignatureVersion::V4), "{name}");
        assert!(!up.key.contains("${filename}"), "{name}: {}", up.key);

        let mut bad = sub.clone();
        let sig = bad.fields.iter_mut().find(|(n, _)| n == "x-oss-signature").unwrap();
        let last = if sig.1.ends_with('0') { '1' } else { '0' };
        sig.1.pop();
        sig.1.push(last);
        let err = verifier.verify_at(&bad, &creds, now).unwrap_err();
        assert_eq!((err.code(), err.ec()), ("SignatureDoesNotMatch", Some("0002-00000705")), "{name}");
    }
}

#[test]
fn public_vectors_are_accepted() {
    let data = load("public-vectors.json");
    let by_name = |name: &str| data["vectors"].as_array().unwrap().iter().find(|v| v["name"] == name).unwrap();
    let v1_form = |v: &Value, fields: &[(&str, &str)]| {
        Submission::new()
            .with_fields(fields.iter().copied())
            .with_field("policy", v["policy_base64"].as_str().unwrap())
            .with_field("OSSAccessKeyId", v["access_key_id"].as_str().unwrap())
            .with_field("Signature", v["signature"].as_str().unwrap())
    };
    let hangzhou = Region::new("cn-hangzhou").unwrap();

    // Java SDK: the key is pinned as `user/eric/\${filename}` (JSON `\\$`), which OSS reads as
    // a literal `$`: the form sends `${filename}`, expanded after the check.
    let v = by_name("java-sdk-v1-gen-post-policy");
    let sub = v1_form(v, &[("key", "user/eric/${filename}"), ("x-oss-meta-tag", "dummy_etag-1")])
        .with_file(FilePart::new("photo.jpg", 512));
    let verifier = Verifier::new(Bucket::new("gen-post-policy").unwrap(), hangzhou.clone());
    let up = verifier.verify_at(&sub, &credentials(v), datetime!(2020-03-19 03:00:00 UTC)).unwrap();
    assert_eq!(up.key, "user/eric/photo.jpg");
    assert_eq!(up.signature_version, Some(SignatureVersion::V1));
    // One second after its expiration (…06.476Z) it is refused.
    let late = verifier.verify_at(&sub, &credentials(v), datetime!(2020-03-19 03:44:07 UTC)).unwrap_err();
    assert_eq!(late.ec(), Some("0006-00000213"));

    let v = by_name("java-sdk-v1-in-not-in");
    let sub = v1_form(
        v,
        &[
            ("key", "user/eric/a.png"),
            ("x-oss-meta-tag", "dummy_etag"),
            ("Content-Type", "image/png"),
            ("Cache-Control", "max-age=60"),
        ],
    )
    .with_file(FilePart::new("a.png", 1024));
    let up = verifier.verify_at(&sub, &credentials(v), datetime!(2020-03-19 03:00:00 UTC)).unwrap();
    assert_eq!(up.content_type.as_deref(), Some("image/png"));
    let mut no_cache = sub.clone();
    no_cache.fields.iter_mut().find(|(n, _)| n == "Cache-Control").unwrap().1 = "no-cache".into();
    let err = verifier.verify_at(&no_cache, &credentials(v), datetime!(2020-03-19 03:00:00 UTC)).unwrap_err();
    assert_eq!(
        err.message(),
        r#"Invalid according to Policy: Policy Condition failed: ["not-in", "$cache-control", ["no-cache"]]"#
    );

    let v = by_name("alibaba-cloud-kit-v4-presign-post");
    let policy: Value = serde_json::from_str(v["policy"].as_str().unwrap()).unwrap();
    let (fields, size) = satisfy(&policy["conditions"]);
    let sub = Submission::new()
        .with_fields(fields)
        .with_field("policy", v["policy_base64"].as_str().unwrap())
        .with_field("x-oss-signature", v["signature"].as_str().unwrap())
        .with_file(FilePart::new("presign_post_object.png", size));
    let verifier = Verifier::new(Bucket::new("example-bucket").unwrap(), Region::new("oss-us-west-1").unwrap());
    let up = verifier.verify_at(&sub, &credentials(v), datetime!(2024-07-13 13:40:00 UTC)).unwrap();
    assert_eq!((up.key.as_str(), up.object_acl.as_deref()), ("object/presign_post_object.png", Some("private")));

    let v = by_name("aliyun-oss-elixir-v1");
    let sub = v1_form(v, &[("key", "ABC"), ("A", "a")]).with_file(FilePart::new("abc", 0));
    let verifier = Verifier::new(Bucket::new("ahaha").unwrap(), hangzhou);
    let up = verifier.verify_at(&sub, &credentials(v), datetime!(2013-12-01 11:00:00 UTC)).unwrap();
    assert_eq!(up.key, "ABC");
}
