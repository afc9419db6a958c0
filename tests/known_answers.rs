//! Known answers from implementations we did not write, in `tests/vectors/`.
//!
//! - `ali-oss.json`: the official Node SDK ali-oss 6.23.0 (generator in `tests/vectors/generator/`).
//!   For each vector the typed builder must write ali-oss's policy bytes and V4 signature, and
//!   the policy text signed as given must get both signatures, whatever kind of `Signer` signs
//!   (owned or shared credentials, with or without a key cache).
//! - `public-vectors.json`: public vectors (Java SDK, third-party libraries), re-computed
//!   independently with Python's hmac.
//!
//! The vectors' own policies, changed, also show what is refused: a text for another bucket,
//! a V4 text valid for more than 7 days.
//!
//! A failing vector names itself and its inputs.

use std::sync::Arc;

use base64::Engine as _;
use oss_post_policy::time::format_description::well_known::Rfc3339;
use oss_post_policy::time::{Duration, OffsetDateTime, PrimitiveDateTime, macros::format_description};
use oss_post_policy::{
    Bucket, Condition, Credentials, Error, Field, PolicyText, PostPolicy, PostPolicyBuilder, Region, SignatureVersion,
    Signer, SigningKey, SigningKeyCache,
};
use serde::Deserialize;
use serde_json::Value;

/// The fields the signer writes into a V4 policy.
const SIGNER_FIELDS: [&str; 4] = ["x-oss-signature-version", "x-oss-credential", "x-oss-date", "x-oss-security-token"];

#[derive(Debug, Deserialize)]
struct AliOssFile {
    vectors: Vec<AliOssVector>,
    exact_text: Vec<AliOssVector>,
}

#[derive(Debug, Deserialize)]
struct AliOssVector {
    name: String,
    source: String,
    access_key_id: String,
    access_key_secret: String,
    security_token: Option<String>,
    region_input: String,
    region: String,
    now: String,
    x_oss_date: String,
    credential: String,
    policy_object: Option<Value>,
    policy: String,
    policy_base64: String,
    signature_v4: String,
    signature_v1: String,
}

impl AliOssVector {
    fn credentials(&self) -> Credentials {
        let creds =
            Credentials::new(self.access_key_id.as_str(), self.access_key_secret.as_str()).expect("vector credentials");
        match &self.security_token {
            Some(t) => creds.with_security_token(t.as_str()).expect("vector token"),
            None => creds,
        }
    }

    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::parse(&self.now, &Rfc3339).expect("vector now is RFC 3339")
    }

    fn region(&self) -> Region {
        let region = Region::new(&self.region_input).expect("vector region");
        assert_eq!(region.id(), self.region, "{}: region normalisation differs from getStandardRegion", self.name);
        region
    }

    /// A V4 signer for the vector's credentials and region.
    fn signer(&self) -> Signer {
        Signer::new(self.credentials(), self.region())
    }

    /// The bucket the vector's policy names (its `bucket` condition).
    fn bucket(&self) -> Bucket {
        Bucket::new(&bucket_in(&self.policy)).expect("vector bucket")
    }

    fn context(&self) -> String {
        format!(
            "vector {} ({})\n  key id {}, token {}, region {}, now {}\n  ali-oss policy: {}",
            self.name,
            self.source,
            self.access_key_id,
            self.security_token.is_some(),
            self.region_input,
            self.now,
            self.policy
        )
    }
}

/// The value of the `bucket` condition of a policy text, read with `serde_json`.
fn bucket_in(policy: &str) -> String {
    let doc: Value = serde_json::from_str(policy).expect("the policy is JSON");
    let conditions = doc["conditions"].as_array().expect("conditions");
    let bucket = conditions.iter().find_map(|c| c.get("bucket")).expect("a bucket condition");
    bucket.as_str().expect("a string bucket").to_owned()
}

fn load_ali_oss() -> AliOssFile {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/ali-oss.json"))
        .expect("tests/vectors/ali-oss.json is readable");
    serde_json::from_str(&text).expect("ali-oss.json matches its schema")
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().expect("a list").iter().map(|s| s.as_str().expect("a string").to_owned()).collect()
}

/// Replays a policy object's user conditions through the typed builder.
fn replay(mut b: PostPolicyBuilder, conditions: &[Value], signer_fields: &[&str]) -> PostPolicyBuilder {
    for cond in conditions {
        match cond {
            Value::Object(map) => {
                let (name, value) = map.iter().next().expect("one property");
                if signer_fields.contains(&name.as_str()) || name == "bucket" {
                    continue;
                }
                b = b.exact(Field::custom(name), value.as_str().expect("a string value"));
            }
            Value::Array(list) => {
                let op = list[0].as_str().expect("operator");
                if op == "content-length-range" {
                    b = b.content_length_range(list[1].as_u64().expect("min"), list[2].as_u64().expect("max"));
                    continue;
                }
                let f = Field::custom(list[1].as_str().expect("field").strip_prefix('$').expect("$field"));
                b = match op {
                    "eq" => b.eq(f, list[2].as_str().expect("value")),
                    "starts-with" => b.starts_with(f, list[2].as_str().expect("value")),
                    "in" => b.is_in(f, strings(&list[2])),
                    "not-in" => b.not_in(f, strings(&list[2])),
                    other => panic!("unknown operator {other}"),
                };
            }
            other => panic!("unexpected condition {other}"),
        }
    }
    b
}

fn builder_for(v: &AliOssVector) -> PostPolicyBuilder {
    let obj = v.policy_object.as_ref().expect("builder vectors carry policy_object");
    let conditions = obj["conditions"].as_array().expect("conditions");
    let bucket = conditions[0]["bucket"].as_str().expect("first condition is the bucket");
    let expiration =
        OffsetDateTime::parse(obj["expiration"].as_str().expect("expiration"), &Rfc3339).expect("ISO 8601");
    let builder = PostPolicy::builder(Bucket::new(bucket).expect("bucket")).expires_at(expiration);
    replay(builder, conditions, &SIGNER_FIELDS)
}

fn decode(b64: &str) -> String {
    String::from_utf8(base64::engine::general_purpose::STANDARD.decode(b64).expect("base64")).expect("utf-8")
}

#[test]
fn typed_builder_writes_ali_oss_policy_bytes_and_v4_signatures() {
    let file = load_ali_oss();
    assert!(file.vectors.len() >= 20, "the vector file lost its vectors");
    for v in &file.vectors {
        let ctx = v.context();
        let policy = builder_for(v).build().unwrap_or_else(|e| panic!("{ctx}\n  build failed: {e}"));
        let form = policy.sign_at(&v.signer(), v.now()).unwrap_or_else(|e| panic!("{ctx}\n  sign failed: {e}"));
        let ours = decode(form.get("policy").expect("policy field"));
        assert_eq!(ours, v.policy, "{ctx}\n  our policy:     {ours}");
        assert_eq!(form.get("policy"), Some(v.policy_base64.as_str()), "{ctx}");
        assert_eq!(form.get("x-oss-signature"), Some(v.signature_v4.as_str()), "{ctx}");
        assert_eq!(form.get("x-oss-credential"), Some(v.credential.as_str()), "{ctx}");
        assert_eq!(form.get("x-oss-date"), Some(v.x_oss_date.as_str()), "{ctx}");
        assert_eq!(form.get("x-oss-security-token"), v.security_token.as_deref(), "{ctx}");
    }
}

#[test]
fn exact_texts_are_signed_byte_for_byte_v4_and_v1() {
    let file = load_ali_oss();
    for v in file.vectors.iter().chain(&file.exact_text) {
        let ctx = v.context();
        let text =
            PolicyText::new(v.bucket(), v.policy.as_str()).unwrap_or_else(|e| panic!("{ctx}\n  parse failed: {e}"));
        let v4 = text.sign_at(&v.signer(), v.now()).unwrap_or_else(|e| panic!("{ctx}\n  V4 failed: {e}"));
        assert_eq!(v4.get("policy"), Some(v.policy_base64.as_str()), "{ctx}");
        assert_eq!(v4.get("x-oss-signature"), Some(v.signature_v4.as_str()), "{ctx}");
        assert_eq!(v4.get("x-oss-date"), Some(v.x_oss_date.as_str()), "{ctx}");
        let v1 = text
            .sign_at(&v.signer().with_version(SignatureVersion::V1), v.now())
            .unwrap_or_else(|e| panic!("{ctx}\n  V1 failed: {e}"));
        assert_eq!(v1.get("policy"), Some(v.policy_base64.as_str()), "{ctx}");
        assert_eq!(v1.get("Signature"), Some(v.signature_v1.as_str()), "{ctx}");
        assert_eq!(v1.get("OSSAccessKeyId"), Some(v.access_key_id.as_str()), "{ctx}");
        assert_eq!(v1.get("x-oss-security-token"), v.security_token.as_deref(), "{ctx}");
    }
}

#[derive(Debug, Deserialize)]
struct PublicFile {
    vectors: Vec<PublicVector>,
}

#[derive(Debug, Deserialize)]
struct PublicVector {
    name: String,
    source: String,
    version: String,
    access_key_id: String,
    access_key_secret: String,
    region_input: Option<String>,
    date_time: Option<String>,
    policy: String,
    policy_base64: String,
    credential: Option<String>,
    signing_key_hex: Option<String>,
    signature: String,
}

#[test]
fn public_vectors_verify() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/public-vectors.json"))
        .expect("tests/vectors/public-vectors.json is readable");
    let file: PublicFile = serde_json::from_str(&text).expect("public-vectors.json matches its schema");
    assert_eq!(file.vectors.len(), 4);
    for v in &file.vectors {
        let ctx = format!("vector {} ({}), policy {}", v.name, v.source, v.policy);
        assert_eq!(base64::engine::general_purpose::STANDARD.encode(&v.policy), v.policy_base64, "{ctx}");
        let creds = Credentials::new(v.access_key_id.as_str(), v.access_key_secret.as_str()).expect("credentials");
        let bucket = Bucket::new(&bucket_in(&v.policy)).expect("bucket");
        // Sign at a time before every vector's expiration.
        let early = OffsetDateTime::parse("2013-01-01T00:00:00Z", &Rfc3339).expect("time");
        let parsed = PolicyText::new(bucket, v.policy.as_str()).unwrap_or_else(|e| panic!("{ctx}: {e}"));
        match v.version.as_str() {
            "V1" => {
                let signer =
                    Signer::new(creds, Region::new("cn-hangzhou").expect("region")).with_version(SignatureVersion::V1);
                let form = parsed.sign_at(&signer, early).expect("V1 signs");
                assert_eq!(form.get("Signature"), Some(v.signature.as_str()), "{ctx}");
            }
            "V4" => {
                let region = Region::new(v.region_input.as_deref().expect("V4 region")).expect("region");
                let form = parsed.sign_at(&Signer::new(creds, region.clone()), early).expect("V4 signs");
                assert_eq!(form.get("x-oss-signature"), Some(v.signature.as_str()), "{ctx}");
                assert_eq!(form.get("x-oss-credential"), v.credential.as_deref(), "{ctx}");
                assert_eq!(form.get("x-oss-date"), v.date_time.as_deref(), "{ctx}");
                let date = OffsetDateTime::parse("2024-07-13T00:00:00Z", &Rfc3339).expect("time").date();
                let key = SigningKey::derive(&v.access_key_secret, date, &region);
                assert_eq!(Some(key.to_hex().as_str()), v.signing_key_hex.as_deref(), "{ctx}");
            }
            other => panic!("{ctx}: unknown version {other}"),
        }
    }
}

/// The Java SDK writes a literal `$` as `\$` in values; with `escape_dollar` the builder writes
/// the same decoded condition (the Java text also escapes `/` as `\/`, which JSON decoding undoes).
#[test]
fn dollar_escape_matches_the_java_sdk_vector() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/public-vectors.json"))
        .expect("read");
    let file: PublicFile = serde_json::from_str(&text).expect("schema");
    let java = file.vectors.iter().find(|v| v.name == "java-sdk-v1-gen-post-policy").expect("the Java SDK vector");
    let java_doc: Value = serde_json::from_str(&java.policy).expect("JSON");
    let java_conditions = java_doc["conditions"].as_array().expect("conditions");

    let expiration = OffsetDateTime::parse("2020-03-19T03:44:06Z", &Rfc3339).expect("time");
    let policy = PostPolicy::builder(Bucket::new("gen-post-policy").expect("bucket"))
        .expires_at(expiration)
        .escape_dollar(true)
        .key("user/eric/${filename}")
        .starts_with(Field::Key, "user/eric")
        .starts_with(Field::meta("tag"), "dummy_etag")
        .content_length_range(1, 1024)
        .build()
        .expect("policy");
    let now = OffsetDateTime::parse("2020-03-19T02:44:06Z", &Rfc3339).expect("time");
    let creds = Credentials::new(java.access_key_id.as_str(), java.access_key_secret.as_str()).expect("creds");
    let signer = Signer::new(creds, Region::new("cn-hangzhou").expect("region")).with_version(SignatureVersion::V1);
    let form = policy.sign_at(&signer, now).expect("sign");
    let ours: Value = serde_json::from_str(&decode(form.get("policy").expect("policy"))).expect("JSON");
    assert_eq!(ours["conditions"].as_array().expect("conditions"), java_conditions);
    assert!(matches!(
        policy.conditions().get(1),
        Some(Condition::Eq { value, .. }) if value == "user/eric/${filename}"
    ));
}

/// A `Signer` takes `Credentials` or `Arc<Credentials>`, with or without a key cache; all sign
/// every vector to ali-oss's bytes, V4 and V1. The cache is shared by every vector's signer
/// and each is signed twice, so later signatures take their key from it.
#[test]
fn every_kind_of_signer_signs_the_known_answers() {
    let file = load_ali_oss();
    let cache = SigningKeyCache::new();
    for v in file.vectors.iter().chain(&file.exact_text) {
        let ctx = v.context();
        let signers = [
            ("Credentials", Signer::new(v.credentials(), v.region())),
            ("Arc<Credentials>", Signer::new(Arc::new(v.credentials()), v.region())),
            ("a key cache", Signer::new(Arc::new(v.credentials()), v.region()).with_key_cache(cache.clone())),
        ];
        let text =
            PolicyText::new(v.bucket(), v.policy.as_str()).unwrap_or_else(|e| panic!("{ctx}\n  parse failed: {e}"));
        let typed = v.policy_object.as_ref().map(|_| builder_for(v).build().expect("the vector builds"));
        for (what, signer) in &signers {
            for _ in 0..2 {
                let v4 = text.sign_at(signer, v.now()).unwrap_or_else(|e| panic!("{ctx}\n  {what}: {e}"));
                assert_eq!(v4.get("x-oss-signature"), Some(v.signature_v4.as_str()), "{ctx}\n  {what}");
                if let Some(policy) = &typed {
                    let form = policy.sign_at(signer, v.now()).unwrap_or_else(|e| panic!("{ctx}\n  {what}: {e}"));
                    assert_eq!(form.get("policy"), Some(v.policy_base64.as_str()), "{ctx}\n  {what}");
                    assert_eq!(form.get("x-oss-signature"), Some(v.signature_v4.as_str()), "{ctx}\n  {what}");
                }
                let v1 = text
                    .sign_at(&signer.clone().with_version(SignatureVersion::V1), v.now())
                    .unwrap_or_else(|e| panic!("{ctx}\n  {what} V1: {e}"));
                assert_eq!(v1.get("Signature"), Some(v.signature_v1.as_str()), "{ctx}\n  {what}");
            }
        }
    }
    assert!(!cache.is_empty(), "the signers with a cache took their keys from it");
}

/// An exact text is for the bucket its `bucket` condition names: given another bucket, it is
/// refused (0.1 signed it, and OSS would refuse the upload).
#[test]
fn an_exact_text_for_another_bucket_is_refused() {
    let file = load_ali_oss();
    let other = Bucket::new("another-bucket").expect("bucket");
    for v in file.vectors.iter().chain(&file.exact_text) {
        let result = PolicyText::new(other.clone(), v.policy.as_str());
        assert!(
            matches!(
                &result,
                Err(Error::BucketMismatch { in_policy, bucket }) if *in_policy == bucket_in(&v.policy) && bucket == "another-bucket"
            ),
            "{}\n  got {result:?}",
            v.context()
        );
    }
}

/// OSS refuses V4 forms valid for more than 7 days after `x-oss-date`; 0.1 signed such exact
/// texts. Each vector's own policy, its expiration moved: exactly 7 days after its
/// `x-oss-date` signs, one second more is refused for V4 and still signs for V1. Without the
/// signer's fields in the text, `now` is the `x-oss-date`.
#[test]
fn a_v4_exact_text_valid_over_seven_days_is_refused() {
    let file = load_ali_oss();
    for v in &file.vectors {
        let ctx = v.context();
        let obj = v.policy_object.as_ref().expect("builder vectors carry policy_object");
        let x_oss_date = obj["conditions"][3]["x-oss-date"].as_str().expect("x-oss-date");
        let date =
            PrimitiveDateTime::parse(x_oss_date, format_description!("[year][month][day]T[hour][minute][second]Z"))
                .expect("an x-oss-date")
                .assume_utc();
        assert_eq!(date, v.now(), "{ctx}: the vectors sign at their x-oss-date");
        let unpinned = {
            let mut obj = obj.clone();
            let conditions = obj["conditions"].as_array_mut().expect("conditions");
            conditions
                .retain(|c| !c.as_object().is_some_and(|m| m.keys().any(|k| SIGNER_FIELDS.contains(&k.as_str()))));
            obj
        };
        assert!(!unpinned.to_string().contains("x-oss-date"), "{ctx}: {unpinned}");
        for (what, obj) in [("pinned x-oss-date", obj), ("x-oss-date from now", &unpinned)] {
            let text_expiring = |expiration: OffsetDateTime| {
                let mut obj = obj.clone();
                obj["expiration"] = Value::from(expiration.format(&Rfc3339).expect("RFC 3339"));
                PolicyText::new(v.bucket(), serde_json::to_string(&obj).expect("JSON"))
                    .unwrap_or_else(|e| panic!("{ctx}\n  {what}: {e}"))
            };
            let seven_days = text_expiring(date + Duration::days(7));
            assert!(seven_days.sign_at(&v.signer(), v.now()).is_ok(), "{ctx}\n  {what}: 7 days");
            let expiration = date + Duration::days(7) + Duration::seconds(1);
            let too_long = text_expiring(expiration);
            let result = too_long.sign_at(&v.signer(), v.now());
            assert!(
                matches!(result, Err(Error::ValidityTooLong { expiration: e, date: d }) if e == expiration && d == date),
                "{ctx}\n  {what}: {result:?}"
            );
            let thirty_days = text_expiring(date + Duration::days(30));
            let result = thirty_days.sign_at(&v.signer(), v.now());
            assert!(matches!(result, Err(Error::ValidityTooLong { .. })), "{ctx}\n  {what}: {result:?}");
            let v1 = thirty_days.sign_at(&v.signer().with_version(SignatureVersion::V1), v.now());
            assert!(v1.is_ok(), "{ctx}\n  {what}: V1 has no 7-day limit: {v1:?}");
        }
    }
}

/// The form of Alibaba's direct-upload guide serialises with the fields the browser adds:
/// `key` (under `user-dir/`), `content-type` and `cache-control`, as the guide's page sends
/// them.
#[test]
fn the_guide_form_serialises_with_its_required_fields() {
    let file = load_ali_oss();
    let v = file.vectors.iter().find(|v| v.name == "docs-example-credentials").expect("the guide's vector");
    let form = builder_for(v).build().expect("policy").sign_at(&v.signer(), v.now()).expect("form");
    let json = serde_json::to_value(&form).expect("a form serialises");
    assert_eq!(json["required"], serde_json::json!(["key", "content-type", "cache-control"]));
    assert_eq!(json["url"], "https://examplebucket.oss-cn-hangzhou.aliyuncs.com");
    assert_eq!(json["fields"]["policy"], v.policy_base64.as_str());
    assert_eq!(json["fields"]["x-oss-signature"], v.signature_v4.as_str());
    assert_eq!(json.as_object().expect("an object").len(), 3, "{json}");
}
