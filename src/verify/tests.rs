//! The verifier as a whole: signed forms accepted, the order of the checks, the key cache,
//! tokens and the strict options.

use std::sync::Arc;

use time::Duration;
use time::macros::datetime;

use super::*;
use crate::credentials::Credentials;
use crate::{Callback, Field, FormFields, PolicyText, PostPolicy, Signer, SuccessActionStatus};

const NOW: OffsetDateTime = datetime!(2024-11-27 06:09:41 UTC);

fn bucket() -> Bucket {
    Bucket::new("examplebucket").unwrap()
}

fn region() -> Region {
    Region::new("cn-hangzhou").unwrap()
}

fn verifier() -> Verifier {
    Verifier::new(bucket(), region())
}

fn signer(creds: &Credentials) -> Signer {
    Signer::new(creds.clone(), region())
}

/// The policy of Alibaba's direct-upload guide, signed.
fn guide_form(creds: &Credentials) -> FormFields {
    PostPolicy::builder(bucket())
        .expires_in(Duration::hours(1))
        .content_length_range(1, 10 * 1024 * 1024)
        .success_action_status(SuccessActionStatus::Ok)
        .key_starts_with("user-dir/")
        .build()
        .unwrap()
        .sign_at(&signer(creds), NOW)
        .unwrap()
}

fn sent(form: &FormFields) -> Submission {
    Submission::new()
        .with_fields(form.iter())
        .with_field("key", "user-dir/${filename}")
        .with_file(FilePart::new("a.png", 10))
}

#[test]
fn signed_v4_and_v1_forms_are_accepted() {
    let creds = Credentials::example();
    let up = verifier().verify_at(&sent(&guide_form(&creds)), &creds, NOW).unwrap();
    assert_eq!(up.key, "user-dir/a.png");
    assert_eq!(up.success_action_status, 200);
    assert_eq!(
        (up.signature_version, up.access_key_id.as_deref()),
        (Some(SignatureVersion::V4), Some(creds.access_key_id()))
    );
    let v1 = PostPolicy::builder(bucket())
        .expires_in(Duration::hours(1))
        .key("fixed.txt")
        .build()
        .unwrap()
        .sign_at(&signer(&creds).with_version(SignatureVersion::V1), NOW)
        .unwrap();
    let up = verifier()
        .verify_at(&Submission::new().with_fields(v1.iter()).with_file(FilePart::new("a", 0)), &creds, NOW)
        .unwrap();
    assert_eq!((up.key.as_str(), up.signature_version), ("fixed.txt", Some(SignatureVersion::V1)));
}

#[test]
fn times_at_the_edge_of_the_calendar_are_refusals_not_panics() {
    let creds = Credentials::example();
    let form = sent(&guide_form(&creds));
    // 10000-01-01T04:00:00Z in UTC: long after the policy expired.
    let edge = datetime!(9999-12-31 23:00 -05:00);
    let err = verifier().verify_at(&form, &creds, edge).unwrap_err();
    assert_eq!(err.ec(), Some("0002-00000709"), "{err:?}");
    let err = verifier().verify_at(&form, &creds, datetime!(-9999-01-01 00:00 +05:00)).unwrap_err();
    assert_eq!(err.ec(), Some("0002-00000709"), "{err:?}");
}

#[test]
fn shared_credentials_are_trusted() {
    let creds = Arc::new(Credentials::example());
    let form = guide_form(&creds);
    assert!(verifier().verify_at(&sent(&form), &creds, NOW).is_ok());
    let rotated = Arc::new(Credentials::new("LTAI-next", "next-secret").unwrap());
    let trusted = vec![rotated, Arc::clone(&creds)];
    let up = verifier().verify_at(&sent(&form), &trusted, NOW).unwrap();
    assert_eq!(up.access_key_id.as_deref(), Some(creds.access_key_id()));
    assert_eq!(verifier().verify_at(&sent(&form), &&trusted[..1], NOW).unwrap_err().code(), "InvalidAccessKeyId");
}

#[test]
fn order_of_checks() {
    let creds = Credentials::example();
    let form = guide_form(&creds);
    // Expired before signature: a wrong signature on an expired form reports expiry.
    let mut sub = sent(&form);
    for (n, v) in &mut sub.fields {
        if n == "x-oss-signature" {
            *v = "0".repeat(64);
        }
    }
    let later = NOW + Duration::hours(2);
    assert_eq!(verifier().verify_at(&sub, &creds, later).unwrap_err().ec(), Some("0006-00000213"));
    assert_eq!(verifier().verify_at(&sub, &creds, NOW).unwrap_err().ec(), Some("0002-00000705"));
    // Unknown AccessKey before the signature, after the time checks.
    let other = Credentials::new("someone-else", "x").unwrap();
    assert_eq!(verifier().verify_at(&sent(&form), &other, NOW).unwrap_err().code(), "InvalidAccessKeyId");
    assert_eq!(verifier().verify_at(&sent(&form), &other, later).unwrap_err().ec(), Some("0006-00000213"));
    // Expiration is inclusive.
    let exp = form.expiration();
    assert!(verifier().verify_at(&sent(&form), &creds, exp).is_ok());
    assert!(verifier().verify_at(&sent(&form), &creds, exp + Duration::milliseconds(1)).is_err());
}

#[test]
fn wrong_region_or_bucket() {
    let creds = Credentials::example();
    let form = guide_form(&creds);
    let beijing = Verifier::new(bucket(), Region::new("cn-beijing").unwrap());
    assert_eq!(beijing.verify_at(&sent(&form), &creds, NOW).unwrap_err().ec(), Some("0002-00000715"));
    let other = Verifier::new(Bucket::new("otherbucket").unwrap(), region());
    let r = other.verify_at(&sent(&form), &creds, NOW).unwrap_err();
    assert_eq!(
        r.message(),
        r#"Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "examplebucket"]"#
    );
}

#[test]
fn v4_keys_come_from_the_shared_cache() {
    let creds = Credentials::example();
    let cache = SigningKeyCache::new();
    let signed = PostPolicy::builder(bucket())
        .expires_in(Duration::hours(1))
        .key_starts_with("user-dir/")
        .build()
        .unwrap()
        .sign_at(&signer(&creds).with_key_cache(cache.clone()), NOW)
        .unwrap();
    let shared = verifier().with_key_cache(cache.clone());
    let clone = shared.clone();
    assert!(clone.verify_at(&sent(&signed), &creds, NOW).is_ok());
    assert_eq!(cache.len(), 1, "the verifier reuses the signer's key");
    // Its own cache fills on first use and is shared by clones.
    let own = verifier();
    let twin = own.clone();
    assert!(own.verify_at(&sent(&signed), &creds, NOW).is_ok());
    assert_eq!(twin.key_cache.len(), 1);
    // A key derived for another secret under the same id is never used.
    let rotated = Credentials::new(creds.access_key_id(), "another-secret").unwrap();
    assert_eq!(twin.verify_at(&sent(&signed), &rotated, NOW).unwrap_err().ec(), Some("0002-00000705"));
}

#[test]
fn equality_and_debug_ignore_the_cache_contents() {
    let creds = Credentials::example();
    let used = verifier();
    assert!(used.verify_at(&sent(&guide_form(&creds)), &creds, NOW).is_ok());
    assert_eq!(used, verifier());
    assert_ne!(used, verifier().with_options(VerifyOptions::default().allow_anonymous(true)));
    let dbg = format!("{used:?}");
    let key = crate::SigningKey::derive(creds.access_key_secret(), NOW.date(), &region());
    assert!(dbg.contains("examplebucket") && dbg.contains("keys: 1"), "{dbg}");
    assert!(!dbg.contains(key.to_hex().as_str()) && !dbg.contains(creds.access_key_secret()), "{dbg}");
}

#[test]
fn anonymous_needs_the_option() {
    let sub = Submission::new().with_field("key", "a.txt").with_file(FilePart::new("a", 1));
    let r = verifier().verify_at(&sub, &Credentials::example(), NOW).unwrap_err();
    assert_eq!((r.code(), r.http_status()), ("AccessDenied", 403));
    let open = verifier().with_options(VerifyOptions::default().allow_anonymous(true));
    let up = open.verify_at(&sub, &Credentials::example(), NOW).unwrap();
    assert_eq!((up.signature_version, up.access_key_id), (None, None));
    let strict = open.with_options(VerifyOptions::default().allow_anonymous(true).extra_fields(ExtraFields::Rejected));
    assert!(strict.verify_at(&sub, &Credentials::example(), NOW).is_ok(), "no policy, no conditions to cover");
}

#[test]
fn guide_page_empty_token_is_absent_without_sts() {
    let creds = Credentials::example();
    let form = guide_form(&creds);
    let response = form.post_signature_response().unwrap();
    assert_eq!(response.security_token, "");
    // The FormData of the guide's browser page, in its order.
    let page = Submission::new()
        .with_fields([
            ("success_action_status", "200"),
            ("policy", response.policy.as_str()),
            ("x-oss-signature", response.signature.as_str()),
            ("x-oss-signature-version", "OSS4-HMAC-SHA256"),
            ("x-oss-credential", response.x_oss_credential.as_str()),
            ("x-oss-date", response.x_oss_date.as_str()),
            ("key", "user-dir/a.png"),
            ("x-oss-security-token", response.security_token.as_str()),
        ])
        .with_file(FilePart::new("a.png", 10));
    assert!(verifier().verify_at(&page, &creds, NOW).is_ok());
    let strict = verifier().with_options(VerifyOptions::default().extra_fields(ExtraFields::Rejected));
    assert!(strict.verify_at(&page, &creds, NOW).is_ok(), "the ignored empty token is not an extra field");
    let sts = Credentials::example().with_security_token("TOKEN").unwrap();
    assert_eq!(verifier().verify_at(&page, &sts, NOW).unwrap_err().code(), "InvalidAccessKeyId");
}

#[test]
fn sts_tokens_at_every_alignment_with_or_without_escapes() {
    use base64::Engine as _;
    let long = format!("CAIS{}", "abcdefghijklmnopqrstuvwxyz0123456789+/".repeat(16));
    let mut alignments = std::collections::BTreeSet::new();
    for token in [long.as_str(), r#"CAIS"quoted"\back\slashed"#, "CAIS-é-ü"] {
        let creds = Credentials::example().with_security_token(token).unwrap();
        let other = Credentials::example().with_security_token(format!("{token}X")).unwrap();
        for name in ["examplebucket", "examplebucket1", "examplebucket12"] {
            let bucket = Bucket::new(name).unwrap();
            let form = PostPolicy::builder(bucket.clone())
                .expires_in(Duration::hours(1))
                .key_starts_with("user-dir/")
                .build()
                .unwrap()
                .sign_at(&signer(&creds), NOW)
                .unwrap();
            let text = base64::engine::general_purpose::STANDARD.decode(form.get("policy").unwrap()).unwrap();
            // The token as the policy writes it, a JSON string.
            let literal = serde_json::to_string(token).unwrap();
            let at = text.windows(literal.len()).position(|w| w == literal.as_bytes()).unwrap();
            alignments.insert(at % 3);
            let verifier = Verifier::new(bucket, region());
            assert!(verifier.verify_at(&sent(&form), &creds, NOW).is_ok(), "{token} {name}");
            let r = verifier.verify_at(&sent(&form), &other, NOW).unwrap_err();
            assert_eq!(r.code(), "InvalidSecurityToken", "{token} {name}");
            assert!(!r.message().contains(token) && !format!("{r:?}").contains(token));
            // The token condition without the form field: as before, a temporary AccessKey
            // without its token.
            let mut missing = sent(&form);
            missing.fields.retain(|(n, _)| n != SECURITY_TOKEN);
            missing.files[0].position -= 1;
            assert_eq!(verifier.verify_at(&missing, &creds, NOW).unwrap_err().code(), "InvalidAccessKeyId");
        }
    }
    assert_eq!(alignments.len(), 3, "{alignments:?}");
}

#[test]
fn strict_options() {
    let creds = Credentials::example();
    let cb = Callback::new("https://app.example.com/cb", "u=${x:uid}").var("x:uid", "7");
    let form = PostPolicy::builder(bucket())
        .expires_in(Duration::hours(1))
        .key("a.txt")
        .callback(cb)
        .exact(Field::meta("m"), "1")
        .build()
        .unwrap()
        .sign_at(&signer(&creds), NOW)
        .unwrap();
    let sub = Submission::new().with_fields(form.iter()).with_file(FilePart::new("a", 1));
    let up = verifier().verify_at(&sub, &creds, NOW).unwrap();
    assert_eq!(up.callback_vars, [("x:uid".to_owned(), "7".to_owned())]);
    let strict = verifier().with_options(VerifyOptions::default().extra_fields(ExtraFields::Rejected));
    assert!(strict.verify_at(&sub, &creds, NOW).is_ok(), "the signer pins callback variables in the policy");
    let extra = Submission::new().with_fields(form.iter()).with_field("x:other", "8").with_file(FilePart::new("a", 1));
    assert!(verifier().verify_at(&extra, &creds, NOW).is_ok(), "extra fields are allowed by default");
    let r = strict.verify_at(&extra, &creds, NOW).unwrap_err();
    assert_eq!(r.argument_value(), Some("x:other"));
    let pinned = verifier().with_options(VerifyOptions::default().require_v4_conditions(true));
    assert!(pinned.verify_at(&sub, &creds, NOW).is_ok());
    let text = r#"{"expiration": "2024-11-27T07:09:41.000Z", "conditions": [{"bucket": "examplebucket"}, ["eq", "$key", "a.txt"]]}"#;
    let bare = PolicyText::new(bucket(), text).unwrap().sign_at(&signer(&creds), NOW).unwrap();
    let sub = Submission::new().with_fields(bare.iter()).with_file(FilePart::new("a", 1));
    assert!(verifier().verify_at(&sub, &creds, NOW).is_ok());
    assert_eq!(pinned.verify_at(&sub, &creds, NOW).unwrap_err().argument_value(), Some("x-oss-signature-version"));
}

#[test]
fn strict_case_needs_exact_names() {
    let creds = Credentials::example();
    let form = guide_form(&creds);
    let strict = verifier().with_options(VerifyOptions::default().field_name_case(FieldNameCase::Strict));
    assert!(strict.verify_at(&sent(&form), &creds, NOW).is_ok());
    let mut sub = sent(&form);
    for (n, _) in &mut sub.fields {
        if n == "policy" {
            *n = "Policy".into();
        }
    }
    assert_eq!(strict.verify_at(&sub, &creds, NOW).unwrap_err().ec(), Some("0002-00000702"));
    assert!(verifier().verify_at(&sub, &creds, NOW).is_ok());
}
