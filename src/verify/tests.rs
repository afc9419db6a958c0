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

/// The V4 fields of a form signed over `conditions` (after the bucket) as written, without the
/// signers' checks (two ranges are refused by them, read by OSS).
fn text_form(creds: &Credentials, conditions: &str) -> Vec<(String, String)> {
    use base64::Engine as _;
    let text = format!(
        r#"{{"expiration": "2024-11-27T07:09:41.000Z", "conditions": [{{"bucket": "examplebucket"}}, {conditions}]}}"#
    );
    let policy = base64::engine::general_purpose::STANDARD.encode(text);
    let key = crate::SigningKey::derive(creds.access_key_secret(), NOW.date(), &region());
    let signature = key.sign(policy.as_bytes());
    let credential = format!("{}/20241127/cn-hangzhou/oss/aliyun_v4_request", creds.access_key_id());
    [
        ("policy", policy.as_str()),
        ("x-oss-signature-version", "OSS4-HMAC-SHA256"),
        ("x-oss-credential", credential.as_str()),
        ("x-oss-date", "20241127T060941Z"),
        ("x-oss-signature", signature.as_str()),
    ]
    .map(|(n, v)| (n.to_owned(), v.to_owned()))
    .into()
}

#[test]
fn two_steps_check_the_size_last_in_policy_order() {
    let creds = Credentials::example();
    let form = text_form(
        &creds,
        r#"["content-length-range", 30, 40], ["content-length-range", 10, 100], ["starts-with", "$key", "u/"]"#,
    );
    let head =
        |size| Submission::new().with_fields(form.clone()).with_field("key", "u/a").with_file(FilePart::new("a", size));
    // The head's size is ignored: any value gives the same pending upload.
    let pending = verifier().check_fields_at(&head(u64::MAX), &creds, NOW).unwrap();
    assert_eq!(pending, verifier().check_fields_at(&head(0), &creds, NOW).unwrap());
    assert_eq!((pending.key(), pending.min_file_size(), pending.max_file_size()), ("u/a", 30, 40));
    for (size, want) in [(29, Some("EntityTooSmall")), (30, None), (40, None), (41, Some("EntityTooLarge"))] {
        let got = pending.clone().finish(size);
        assert_eq!(got.as_ref().err().map(Rejection::code), want, "{size}");
        assert_eq!(verifier().verify_at(&head(size), &creds, NOW).err().as_ref().map(Rejection::code), want, "{size}");
        if let Ok(upload) = got {
            assert_eq!(upload.size, size);
        }
    }
    // The first range the size falls outside is reported, as the conditions are.
    let crossed = text_form(&creds, r#"["content-length-range", 30, 40], ["content-length-range", 10, 20]"#);
    let sub = Submission::new().with_fields(crossed).with_field("key", "k").with_file(FilePart::new("a", 25));
    let pending = verifier().check_fields_at(&sub, &creds, NOW).unwrap();
    assert!(pending.min_file_size() > pending.max_file_size(), "no size fits");
    assert_eq!(pending.finish(25).unwrap_err().code(), "EntityTooSmall");
    // Without a range: 0 to 5 GB.
    let open = text_form(&creds, r#"["starts-with", "$key", ""]"#);
    let sub = Submission::new().with_fields(open.clone()).with_field("key", "k").with_file(FilePart::new("a", 0));
    let pending = verifier().check_fields_at(&sub, &creds, NOW).unwrap();
    assert_eq!((pending.min_file_size(), pending.max_file_size()), (0, MAX_OBJECT_SIZE));
    assert!(pending.clone().finish(MAX_OBJECT_SIZE).is_ok());
    assert_eq!(pending.finish(MAX_OBJECT_SIZE + 1).unwrap_err().ec(), Some("0006-00000003"));
}

#[test]
fn a_form_too_large_and_otherwise_wrong_is_refused_for_the_other_fault() {
    let creds = Credentials::example();
    let form = guide_form(&creds);
    // Over the range and outside the key prefix: the condition is reported, not the size.
    let sub = Submission::new()
        .with_fields(form.iter())
        .with_field("key", "other/a.png")
        .with_file(FilePart::new("a.png", 10 * 1024 * 1024 + 1));
    assert_eq!(verifier().verify_at(&sub, &creds, NOW).unwrap_err().ec(), Some("0006-00000227"));
    // Over 5 GB with an unknown encryption: the encryption is reported.
    let open = text_form(&creds, r#"["starts-with", "$key", ""]"#);
    let sub = Submission::new()
        .with_fields(open.clone())
        .with_fields([("key", "k"), ("x-oss-server-side-encryption", "DES")])
        .with_file(FilePart::new("a", MAX_OBJECT_SIZE + 1));
    assert_eq!(verifier().verify_at(&sub, &creds, NOW).unwrap_err().code(), "InvalidEncryptionAlgorithmError");
}

#[test]
fn fields_after_the_body_are_checked_as_verify_at_checks_them() {
    let creds = Credentials::example();
    let form = text_form(&creds, r#"["starts-with", "$key", ""], ["eq", "$tag", "1"]"#);
    let head = Submission::new().with_fields(form.clone()).with_fields([("key", "k"), ("tag", "1")]);
    let head = head.with_file(FilePart::new("a", 0));
    let lenient = verifier().with_options(VerifyOptions::default().trailing_fields(TrailingFields::IgnoreUnknown));
    let trailing = |fields: &[(&str, &str)]| -> Vec<(String, String)> {
        fields.iter().map(|&(n, v)| (n.to_owned(), v.to_owned())).collect()
    };
    let submit = trailing(&[("submit", "Upload")]);
    for (v, fields, want) in [
        (verifier(), trailing(&[]), None),
        (verifier(), submit.clone(), Some("submit")),
        (lenient.clone(), submit.clone(), None),
        (lenient.clone(), trailing(&[("submit", "x"), ("Content-Type", "a")]), Some("Content-Type")),
        (lenient.clone(), trailing(&[("TAG", "1")]), Some("TAG")),
    ] {
        let pending = v.check_fields_at(&head, &creds, NOW).unwrap();
        let got = pending.finish_with_trailing(5, &fields);
        assert_eq!(got.as_ref().err().and_then(Rejection::argument_value), want, "{fields:?}");
        let mut whole = head.clone();
        whole.fields.extend(fields.iter().cloned());
        let one_step = v.verify_at(&whole, &creds, NOW);
        assert_eq!(got.map(|u| u.key), one_step.map(|u| u.key), "{fields:?}");
    }
    let pending = lenient.check_fields_at(&head, &creds, NOW).unwrap();
    let long = trailing(&[("submit", &"v".repeat(MAX_FIELD_VALUE_LEN + 1))]);
    assert_eq!(pending.finish_with_trailing(5, &long).unwrap_err().ec(), Some("0006-00000111"));
}

#[test]
fn a_pending_upload_shows_no_token() {
    let creds = Credentials::example().with_security_token("CAIS-SECRET-TOKEN").unwrap();
    let pending = verifier().check_fields_at(&sent(&guide_form(&creds)), &creds, NOW).unwrap();
    let shown = format!("{pending:?}");
    assert!(!shown.contains("CAIS-SECRET-TOKEN"), "{shown}");
    assert!(shown.contains("user-dir/a.png") && shown.contains("10485760"), "{shown}");
}
