//! No public type shows a secret: not the AccessKey secret, not the STS token (nor its base64
//! inside a `policy`), not a signature or a signing key, in `Debug`, `{:#?}`, `Display`, an
//! error, a rejection's XML or its serde output.
//!
//! One table: each row builds a public type holding a recognisable secret and renders it
//! every way it can be rendered; every rendering is searched for every needle.

use base64::Engine as _;
use oss_post_policy::time::{Duration, OffsetDateTime};
use oss_post_policy::verify::{FilePart, PresignedRequest, Submission, Verifier};
use oss_post_policy::{
    Bucket, Condition, Credentials, Error, Field, PolicyDocument, PolicyText, PostPolicy, Presign, Region,
    SignatureVersion, Signer, SigningKey, SigningKeyCache, TempUpload, TempUploadRequest,
};

const TOKEN: &str = "TOKEN-SECRET-MARKER+/=";
const SECRET: &str = "SECRET-KEY-MARKER";
const ACCESS_KEY_ID: &str = "STS.ak-id";
const BUCKET: &str = "examplebucket";
const REGION: &str = "cn-hangzhou";

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_732_687_781).expect("2024-11-27T06:09:41Z")
}

fn sts() -> Credentials {
    Credentials::new(ACCESS_KEY_ID, SECRET).unwrap().with_security_token(TOKEN).unwrap()
}

fn bucket() -> Bucket {
    Bucket::new(BUCKET).unwrap()
}

fn region() -> Region {
    Region::new(REGION).unwrap()
}

fn signer(version: SignatureVersion) -> Signer {
    Signer::new(sts(), region()).with_version(version)
}

/// The token's base64 at each of the three alignments it can have inside a base64 policy,
/// without the characters that depend on its neighbours.
fn token_in_base64() -> Vec<String> {
    ["", "a", "ab"]
        .iter()
        .map(|pad| {
            let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{pad}{TOKEN}"));
            encoded[4..encoded.len() - 4].to_owned()
        })
        .collect()
}

/// Every way a value can be shown to a person or a log.
fn debug(value: &impl std::fmt::Debug) -> Vec<String> {
    vec![format!("{value:?}"), format!("{value:#?}")]
}

fn shown(value: &(impl std::fmt::Debug + std::fmt::Display)) -> Vec<String> {
    let mut all = debug(value);
    all.push(value.to_string());
    all
}

fn error(result: Result<impl std::fmt::Debug, Error>) -> Vec<String> {
    shown(&result.expect_err("the case is an error"))
}

/// A signed STS form (V4), what the browser sends with it, and the verifier that accepts it.
fn sts_upload() -> (oss_post_policy::FormFields, Submission) {
    let form = PostPolicy::builder(bucket())
        .expires_in(Duration::hours(1))
        .key_starts_with("user/")
        .build()
        .unwrap()
        .sign_at(&signer(SignatureVersion::V4), now())
        .unwrap();
    let sent = Submission::new()
        .with_fields(form.iter())
        .with_field("key", "user/cat.png")
        .with_file(FilePart::new("cat.png", 10).with_content_type("image/png"));
    (form, sent)
}

/// A form whose policy wants a token prefix longer than the token: the condition fails and is
/// quoted.
fn token_prefix_upload() -> Submission {
    let text = format!(
        r#"{{"expiration": "2024-11-27T07:00:00Z", "conditions": [["starts-with", "$x-oss-security-token", "{TOKEN}-longer"]]}}"#
    );
    let form = PolicyText::new(bucket(), text).unwrap().sign_at(&signer(SignatureVersion::V4), now()).unwrap();
    Submission::new().with_fields(form.iter()).with_field("key", "k").with_file(FilePart::new("a", 1))
}

fn rejection(sent: &Submission, trusted: &Credentials) -> Vec<String> {
    let verifier = Verifier::new(bucket(), region());
    rendered(&verifier.verify_at(sent, trusted, now()).expect_err("the case is refused"))
}

fn presigned_rejection(sent: &PresignedRequest) -> Vec<String> {
    let verifier = Verifier::new(bucket(), region());
    rendered(&verifier.verify_presigned_at(sent, &sts(), now()).expect_err("the case is refused"))
}

fn rendered(r: &oss_post_policy::Rejection) -> Vec<String> {
    let mut all = shown(r);
    all.push(r.to_xml("REQUEST", "HOST"));
    all.push(serde_json::to_string(&r).unwrap());
    all
}

/// `sent` with `name`'s value replaced.
fn with(sent: &Submission, name: &str, value: &str) -> Submission {
    let mut sent = sent.clone();
    sent.fields.iter_mut().filter(|(n, _)| n == name).for_each(|(_, v)| value.clone_into(v));
    sent
}

#[test]
#[allow(clippy::too_many_lines, reason = "one table")]
fn no_public_type_shows_a_secret() {
    let (form, sent) = sts_upload();
    let v1_form = PostPolicy::builder(bucket())
        .expires_in(Duration::hours(1))
        .key("k")
        .build()
        .unwrap()
        .sign_at(&signer(SignatureVersion::V1), now())
        .unwrap();
    let key = SigningKey::derive(SECRET, now().date(), &region());
    let cache = SigningKeyCache::new();
    let _ = cache.get(&sts(), now().date(), &region());
    let request = TempUploadRequest { file_name: "f.txt", account_id: "1", unique_id: "u", request_id: "r" };
    let texts = [
        format!(r#"{{"expiration": "2030-01-01T00:00:00Z", "conditions": [{{"x-oss-security-token": "{TOKEN}"}}]}}"#),
        format!(
            r#"{{"expiration": "2030-01-01T00:00:00Z", "conditions": [["starts-with", "$x-oss-security-token", "{TOKEN}"]]}}"#
        ),
        format!(r#"{{"expiration": "2030-01-01T00:00:00Z", "conditions": [{{"x-oss-meta-copy": "{TOKEN}"}}]}}"#),
    ];
    let conflicting = format!(
        r#"{{"expiration": "2030-01-01T00:00:00Z", "conditions": [{{"x-oss-security-token": "{TOKEN}"}}, ["eq", "$x-oss-security-token", "{TOKEN}-2"]]}}"#
    );
    let decoded = base64::engine::general_purpose::STANDARD.decode(form.get("policy").unwrap()).unwrap();
    let document = PolicyDocument::parse(std::str::from_utf8(&decoded).unwrap()).unwrap();
    let verifier = Verifier::new(bucket(), region());
    let accepted = verifier.verify_at(&sent, &sts(), now()).unwrap();
    let presign = Presign::put(bucket(), "k").header("Content-Type", "image/png");
    let presigned = presign.sign_at(&signer(SignatureVersion::V4), now()).unwrap();
    let presigned_request =
        PresignedRequest::from_url("PUT", presigned.url()).with_headers(presigned.headers().iter().cloned());
    let accepted_request = verifier.verify_presigned_at(&presigned_request, &sts(), now()).unwrap();
    let html = PresignedRequest::from_url("PUT", presigned.url()).with_header("Content-Type", "text/html");

    let cases: Vec<(&str, Vec<String>)> = vec![
        ("Credentials", debug(&sts())),
        (
            "PostPolicyBuilder",
            debug(
                &PostPolicy::builder(bucket())
                    .condition(Condition::Eq { field: Field::custom("x-oss-security-token"), value: TOKEN.into() }),
            ),
        ),
        ("Signer V4", debug(&signer(SignatureVersion::V4).with_key_cache(cache.clone()))),
        ("SigningKey", debug(&key)),
        ("SigningKeyCache", debug(&cache)),
        ("FormFields V4", debug(&form)),
        ("FormFields V1", debug(&v1_form)),
        ("PostSignatureResponse", debug(&form.post_signature_response().unwrap())),
        ("TempUploadUrl V4", debug(&TempUpload::new(bucket()).sign_at(&signer(SignatureVersion::V4), &request, now()))),
        ("TempUploadUrl V1", debug(&TempUpload::new(bucket()).sign_at(&signer(SignatureVersion::V1), &request, now()))),
        ("PolicyText exact", debug(&PolicyText::new(bucket(), texts[0].as_str()).unwrap())),
        ("PolicyText starts-with", debug(&PolicyText::new(bucket(), texts[1].as_str()).unwrap())),
        ("PolicyText elsewhere", debug(&PolicyText::new(bucket(), texts[2].as_str()).unwrap())),
        ("PolicyDocument", debug(&document)),
        ("Condition", document.conditions().iter().flat_map(shown).collect()),
        ("Submission", debug(&sent)),
        ("Verifier", debug(&verifier)),
        ("AcceptedUpload", [debug(&accepted), vec![serde_json::to_string(&accepted).unwrap()]].concat()),
        (
            "Error::InvalidSecurityToken",
            error(Credentials::new("a", "s").unwrap().with_security_token(format!("{TOKEN}\n"))),
        ),
        (
            "Error::ReservedField",
            error(
                PostPolicy::builder(bucket())
                    .expires_in(Duration::hours(1))
                    .eq(Field::custom("x-oss-security-token"), TOKEN)
                    .build(),
            ),
        ),
        ("Error::ConflictingConditions", error(PolicyText::new(bucket(), conflicting))),
        (
            "Error::PolicyTextMismatch",
            error(PolicyText::new(bucket(), texts[0].as_str()).unwrap().sign_at(
                &Signer::new(Credentials::new("a", "s").unwrap().with_security_token("OTHER").unwrap(), region()),
                now(),
            )),
        ),
        ("Rejection: condition on the token", rejection(&token_prefix_upload(), &sts())),
        ("Rejection: another token", rejection(&with(&sent, "x-oss-security-token", &format!("{TOKEN}2")), &sts())),
        ("Rejection: no token", rejection(&with(&sent, "x-oss-security-token", ""), &sts())),
        (
            "Rejection: signature",
            rejection(
                &with(&sent, "key", "user/dog.png").with_field("x-oss-meta-a", "1"),
                &Credentials::new(ACCESS_KEY_ID, "other").unwrap().with_security_token(TOKEN).unwrap(),
            ),
        ),
        ("Rejection: condition", rejection(&with(&sent, "key", "other/cat.png"), &sts())),
        ("Presign", debug(&presign)),
        ("PresignedUrl", debug(&presigned)),
        ("PresignedRequest", debug(&presigned_request)),
        ("AcceptedRequest", debug(&accepted_request)),
        ("Rejection: presigned signature", presigned_rejection(&html)),
        (
            "Rejection: presigned signature, the token also in a header",
            presigned_rejection(&html.clone().with_header("x-oss-security-token", TOKEN)),
        ),
        ("Rejection: expired", {
            let later = Verifier::new(bucket(), region()).verify_at(&sent, &sts(), now() + Duration::hours(2));
            let r = later.unwrap_err();
            [shown(&r), vec![r.to_xml("R", "H"), serde_json::to_string(&r).unwrap()]].concat()
        }),
    ];

    // The token percent-encoded, as a presigned URL carries it.
    let mut needles =
        vec![TOKEN.to_owned(), "TOKEN-SECRET-MARKER%2B%2F%3D".to_owned(), SECRET.to_owned(), key.to_hex().to_string()];
    needles.extend(presigned.url().split_once("x-oss-signature=").map(|(_, signature)| signature.to_owned()));
    needles.extend(token_in_base64());
    for f in [&form, &v1_form] {
        needles.extend(["policy", "x-oss-signature", "Signature"].iter().filter_map(|n| f.get(n)).map(str::to_owned));
    }
    let mut leaks = Vec::new();
    for (case, renderings) in &cases {
        assert!(!renderings.is_empty(), "{case}: nothing rendered");
        for text in renderings {
            for needle in needles.iter().filter(|n| text.contains(n.as_str())) {
                leaks.push(format!("{case} shows {needle:?} in {text}"));
            }
        }
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));
}

#[test]
fn the_needles_are_where_the_wire_needs_them() {
    // The test above can fail: the same values are in the form's fields and in the policy.
    let (form, _) = sts_upload();
    assert_eq!(form.get("x-oss-security-token"), Some(TOKEN));
    let policy = form.get("policy").unwrap();
    assert!(token_in_base64().iter().any(|b| policy.contains(b.as_str())), "{policy}");
    assert!(serde_json::to_string(&form).unwrap().contains(TOKEN), "serde is the wire: it carries the token");
    let text = format!(r#"{{"expiration": "2030-01-01T00:00:00Z", "conditions": [{{"x-oss-meta-copy": "{TOKEN}"}}]}}"#);
    assert!(PolicyText::new(bucket(), text).unwrap().as_str().contains(TOKEN));
    let presigned = Presign::get(bucket(), "k").sign_at(&signer(SignatureVersion::V4), now()).unwrap();
    assert!(presigned.url().contains("x-oss-security-token=TOKEN-SECRET-MARKER%2B%2F%3D"), "{}", presigned.url());
}

#[test]
fn a_failed_condition_on_the_token_is_quoted_without_it() {
    let r = Verifier::new(bucket(), region()).verify_at(&token_prefix_upload(), &sts(), now()).unwrap_err();
    assert_eq!(
        r.message(),
        r#"Invalid according to Policy: Policy Condition failed: ["starts-with", "$x-oss-security-token", "<redacted>"]"#
    );
}
