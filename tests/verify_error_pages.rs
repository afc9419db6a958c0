//! One row per OSS error page (`https://help.aliyun.com/en/oss/user-guide/<EC>`, listed in
//! `docs/oss-rules.md` §11.2): the page's invalid example must be refused with the page's EC
//! and the code we assign, and the page's fix must be accepted.
//!
//! Where a page shows no `<Code>` the code is ours (§11: `InvalidPolicyDocument` for the
//! policy grammar, `InvalidArgument` for the form and callback fields); `doc` says which.
//! Where a page shows no example, the row builds the smallest one and says so.

mod common;

use common::{b64, sign_v1, sign_v4};
use oss_post_policy::verify::{FilePart, Submission, Verifier};
use oss_post_policy::{Bucket, Credentials, Region};
use time::OffsetDateTime;
use time::macros::{date, datetime};

const BUCKET: &str = "example-bucket";
/// The EC pages' example expiration.
const EXPIRES: &str = "2023-02-19T13:19:00.000Z";
const X_OSS_DATE: &str = "20230219T120000Z";
const NOW: OffsetDateTime = datetime!(2023-02-19 12:05:00 UTC);

fn creds() -> Credentials {
    Credentials::example()
}

fn credential(region: &str) -> String {
    format!("{}/20230219/{region}/oss/aliyun_v4_request", creds().access_key_id())
}

fn policy(conditions: &str) -> String {
    format!(r#"{{"expiration": "{EXPIRES}", "conditions": [{conditions}]}}"#)
}

/// The fields every fixed example needs besides the signature: a key.
const KEY: (&str, &str) = ("key", "user/eric/a.jpg");

fn file(size: u64) -> FilePart {
    FilePart::new("a.jpg", size).with_content_type("image/jpeg")
}

/// A V4 form over the exact base64 `policy_b64`, with `x-oss-credential` = `credential` signed
/// for `region`, the `fields` first and a 100-byte file last.
fn v4_raw(policy_b64: &str, credential: &str, region: &str, fields: &[(&str, &str)]) -> Submission {
    let signature = sign_v4(policy_b64, creds().access_key_secret(), date!(2023 - 02 - 19), region);
    Submission::new()
        .with_fields(fields.iter().copied())
        .with_fields([
            ("policy", policy_b64),
            ("x-oss-signature-version", "OSS4-HMAC-SHA256"),
            ("x-oss-credential", credential),
            ("x-oss-date", X_OSS_DATE),
            ("x-oss-signature", signature.as_str()),
        ])
        .with_file(file(100))
}

fn v4(text: &str, fields: &[(&str, &str)]) -> Submission {
    v4_raw(&b64(text), &credential("cn-hangzhou"), "cn-hangzhou", fields)
}

/// A V1 form: `policy`, `OSSAccessKeyId`, `Signature` after `fields`, then a 100-byte file.
fn v1(text: &str, fields: &[(&str, &str)]) -> Submission {
    let policy = b64(text);
    let signature = sign_v1(&policy, creds().access_key_secret());
    Submission::new()
        .with_fields(fields.iter().copied())
        .with_fields([
            ("policy", policy.as_str()),
            ("OSSAccessKeyId", creds().access_key_id()),
            ("Signature", &signature),
        ])
        .with_file(file(100))
}

/// Replaces (or, with `None`, removes) a field.
fn set(mut sub: Submission, name: &str, value: Option<&str>) -> Submission {
    if let Some(v) = value {
        sub.fields.iter_mut().filter(|(n, _)| n == name).for_each(|f| v.clone_into(&mut f.1));
    } else {
        let removed = sub.fields.iter().position(|(n, _)| n == name).unwrap();
        sub.fields.remove(removed);
        sub.files[0].position -= 1;
    }
    sub
}

fn with_size(mut sub: Submission, size: u64) -> Submission {
    sub.files[0].size = size;
    sub
}

struct Row {
    /// The EC page.
    page: &'static str,
    /// Our `<Code>`; `doc` says whether OSS documents it.
    code: &'static str,
    doc: &'static str,
    invalid: Submission,
    fixed: Submission,
    invalid_now: OffsetDateTime,
    fixed_now: OffsetDateTime,
}

fn row(page: &'static str, code: &'static str, doc: &'static str, invalid: Submission, fixed: Submission) -> Row {
    Row { page, code, doc, invalid, fixed, invalid_now: NOW, fixed_now: NOW }
}

const POLICY_CODE: &str = "InvalidPolicyDocument";
const GRAMMAR: &str = "page example; code is the legacy InvalidPolicyDocument [UNVERIFIED]";

#[allow(clippy::too_many_lines)]
fn rows() -> Vec<Row> {
    let ok = policy(r#"["starts-with", "$key", "user/eric/"]"#);
    let ok_v4 = v4(&ok, &[KEY]);
    let ok_v1 = v1(&ok, &[KEY]);
    let grammar = |page, invalid: &str| row(page, POLICY_CODE, GRAMMAR, v4(invalid, &[KEY]), ok_v4.clone());
    let cond = |page, invalid: &str, fixed: &str, fields: &[(&str, &str)]| {
        row(page, POLICY_CODE, GRAMMAR, v4(&policy(invalid), fields), v4(&policy(fixed), fields))
    };
    // The 0006-00000103 page's request: V1 (lower-case `signature`), policy
    // {"expiration":"2023-02-18T13:19:00.000Z","conditions":[["content-length-range",0,1048576000]]}.
    let page_policy =
        r#"{"expiration":"2023-02-18T13:19:00.000Z","conditions":[["content-length-range",0,1048576000]]}"#;
    let page_b64 = b64(page_policy);
    assert_eq!(
        page_b64,
        "eyJleHBpcmF0aW9uIjoiMjAyMy0wMi0xOFQxMzoxOTowMC4wMDBaIiwiY29uZGl0aW9ucyI6W1siY29udGVudC1sZW5ndGgtcmFuZ2UiLDAsMTA0ODU3NjAwMF1dfQ=="
    );
    let page_sig = sign_v1(&page_b64, creds().access_key_secret());
    let page_fields = |file_at: usize, size: u64| {
        let mut sub = Submission::new().with_fields([
            ("name", "big.img"),
            ("key", "${filename}"),
            ("policy", page_b64.as_str()),
            ("OSSAccessKeyId", creds().access_key_id()),
            ("success_action_status", "200"),
            ("signature", page_sig.as_str()),
        ]);
        sub.files.push(FilePart {
            position: file_at,
            size,
            filename: "big.img".into(),
            content_type: Some("application/octet-stream".into()),
        });
        sub
    };
    let page_day = datetime!(2023-02-18 12:00:00 UTC);
    let cb_ok = b64(r#"{"callbackUrl": "https://example.com/cb", "callbackBody": "object=${object}"}"#);
    let long_name = "n".repeat(8 * 1024 + 1);
    let max_name = "n".repeat(8 * 1024);
    let big_value = "v".repeat(2 * 1024 * 1024 + 1);
    let max_value = "v".repeat(2 * 1024 * 1024);
    let two_mb: Vec<(String, &str)> = (0..5).map(|i| (format!("note{i}"), max_value.as_str())).collect();
    let notes = |n: usize| two_mb[..n].iter().map(|(k, v)| (k.as_str(), *v)).chain([KEY]).collect::<Vec<_>>();

    vec![
        // ---- Layout and limits (§1, §2 and §8).
        Row {
            invalid_now: page_day,
            fixed_now: page_day,
            ..row(
                "0006-00000003",
                "EntityTooLarge",
                "page's big.img request (6443500495 bytes, range 0-1048576000), file last; legacy code",
                page_fields(6, 6_443_500_495),
                page_fields(6, 1_048_576_000),
            )
        },
        row(
            "0006-00000004",
            "EntityTooSmall",
            "constructed (the page shows no example); legacy code",
            with_size(v4(&policy(r#"["content-length-range", 1, 1024]"#), &[KEY]), 0),
            with_size(v4(&policy(r#"["content-length-range", 1, 1024]"#), &[KEY]), 1),
        ),
        Row {
            invalid_now: page_day,
            fixed_now: page_day,
            ..row(
                "0006-00000103",
                "InvalidArgument",
                "page's request: file before OSSAccessKeyId, success_action_status, signature; legacy code",
                page_fields(3, 1024),
                page_fields(6, 1024),
            )
        },
        row(
            "0006-00000104",
            "IncorrectNumberOfFilesInPOSTRequest",
            "constructed: no file; EC 104 or 107 [UNVERIFIED]",
            Submission { files: vec![], ..ok_v4.clone() },
            ok_v4.clone(),
        ),
        row(
            "0006-00000110",
            "FieldItemTooLong",
            "constructed: an 8 KB + 1 name; legacy code",
            v4(&ok, &[KEY, (&long_name, "v")]),
            v4(&ok, &[KEY, (&max_name, "v")]),
        ),
        row(
            "0006-00000111",
            "FieldItemTooLong",
            "constructed: a 2 MB + 1 value; EC and code [UNVERIFIED]",
            v4(&ok, &[KEY, ("note", &big_value)]),
            v4(&ok, &[KEY, ("note", &max_value)]),
        ),
        row(
            "0006-00000112",
            "MaxPOSTPreDataLengthExceededError",
            "constructed: 10 MB before the file; legacy code",
            v4(&ok, &notes(5)),
            v4(&ok, &notes(3)),
        ),
        // ---- Authentication fields and time (§4, §5 and §6).
        row(
            "0002-00000701",
            "InvalidArgument",
            "page: x-oss-signature-version=2; code [UNVERIFIED]",
            set(ok_v4.clone(), "x-oss-signature-version", Some("2")),
            ok_v4.clone(),
        ),
        row(
            "0002-00000702",
            "InvalidArgument",
            "signature without policy; code [UNVERIFIED]",
            set(ok_v1.clone(), "policy", None),
            ok_v1.clone(),
        ),
        row(
            "0002-00000703",
            "InvalidArgument",
            "V4 form without x-oss-signature; code [UNVERIFIED]",
            set(ok_v4.clone(), "x-oss-signature", None),
            ok_v4.clone(),
        ),
        row(
            "0002-00000704",
            "InvalidArgument",
            "blank Signature; code [UNVERIFIED]",
            set(ok_v1.clone(), "Signature", Some("")),
            ok_v1.clone(),
        ),
        row(
            "0002-00000705",
            "SignatureDoesNotMatch",
            "a signature from another secret; code [UNVERIFIED]",
            set(ok_v1.clone(), "Signature", Some(&sign_v1(&b64(&ok), "another-secret"))),
            ok_v1.clone(),
        ),
        row(
            "0002-00000706",
            "InvalidArgument",
            "page: OSSAccessKeyId missing; code [UNVERIFIED]",
            set(ok_v1.clone(), "OSSAccessKeyId", None),
            ok_v1.clone(),
        ),
        row(
            "0002-00000707",
            "InvalidArgument",
            "page: OSSAccessKeyId left empty; code [UNVERIFIED]",
            set(ok_v1.clone(), "OSSAccessKeyId", Some("")),
            ok_v1.clone(),
        ),
        row(
            "0002-00000708",
            "InvalidArgument",
            "page: a \\t in the credential's AccessKey id; code [UNVERIFIED]",
            v4_raw(
                &b64(&ok),
                "44CF9590006B\tF252F707/20230219/cn-hangzhou/oss/aliyun_v4_request",
                "cn-hangzhou",
                &[KEY],
            ),
            ok_v4.clone(),
        ),
        row(
            "0002-00000709",
            "InvalidArgument",
            "page: SignDate 2022-12-20 instead of 20221220; code [UNVERIFIED]",
            v4_raw(
                &b64(&ok),
                "44CF9590006BF252F707/2022-12-20/cn-hangzhou/oss/aliyun_v4_request",
                "cn-hangzhou",
                &[KEY],
            ),
            ok_v4.clone(),
        ),
        row(
            "0002-00000710",
            "InvalidArgument",
            "page: credential not ending in aliyun_v4_request; code [UNVERIFIED]",
            v4_raw(&b64(&ok), "44CF9590006BF252F707/20230219/cn-hangzhou/oss/aliyun_v4", "cn-hangzhou", &[KEY]),
            ok_v4.clone(),
        ),
        row(
            "0002-00000715",
            "InvalidArgument",
            "page: a cn-beijing credential for a cn-hangzhou bucket; code and message documented",
            v4_raw(&b64(&ok), &credential("cn-beijing"), "cn-beijing", &[KEY]),
            ok_v4.clone(),
        ),
        // ---- The policy document and its conditions (§3 and §7).
        grammar(
            "0006-00000201",
            &format!(
                r#"{{"expiration": "{EXPIRES}", "conditions": [["starts-with", "$key", "user/eric/"]], "conditions": [["eq", "$key", "x"]]}}"#
            ),
        ),
        row(
            "0006-00000202",
            POLICY_CODE,
            GRAMMAR,
            v4_raw("not base64!", &credential("cn-hangzhou"), "cn-hangzhou", &[KEY]),
            ok_v4.clone(),
        ),
        row(
            "0006-00000203",
            POLICY_CODE,
            GRAMMAR,
            v4_raw(&b64(b"{\"expiration\": \"\xff\"}"), &credential("cn-hangzhou"), "cn-hangzhou", &[KEY]),
            ok_v4.clone(),
        ),
        grammar("0006-00000204", &format!(r#"{{"expiration": "{EXPIRES}", "conditions": [["eq", "$key", "a"]"#)),
        row(
            "0006-00000205",
            POLICY_CODE,
            GRAMMAR,
            v4_raw("", &credential("cn-hangzhou"), "cn-hangzhou", &[KEY]),
            ok_v4.clone(),
        ),
        grammar(
            "0006-00000206",
            &format!(
                r#"{{"expiration": "{EXPIRES}", "conditions": [["starts-with", "$key", "user/eric/"]], "test": "test"}}"#
            ),
        ),
        grammar("0006-00000207", &format!(r#"{{"expiration": "{EXPIRES}"}}"#)),
        grammar("0006-00000208", r#"{"conditions": [["content-length-range", 0, 1048576000]]}"#),
        grammar("0006-00000209", "{}"),
        grammar("0006-00000210", r#"{"expiration": 123, "conditions": [["starts-with", "$key", "user/eric/"]]}"#),
        grammar("0006-00000211", r#"{"expiration": "", "conditions": [["starts-with", "$key", "user/eric/"]]}"#),
        grammar(
            "0006-00000212",
            r#"{"expiration": "2023-02-19 13:19:00", "conditions": [["starts-with", "$key", "user/eric/"]]}"#,
        ),
        Row {
            invalid_now: datetime!(2023-02-19 13:19:01 UTC),
            fixed_now: datetime!(2023-02-19 13:19:00 UTC),
            ..row(
                "0006-00000213",
                "AccessDenied",
                "received after expiration; code and message documented",
                ok_v4.clone(),
                ok_v4.clone(),
            )
        },
        grammar("0006-00000214", &format!(r#"{{"expiration": "{EXPIRES}", "conditions": 123}}"#)),
        grammar("0006-00000215", &policy("")),
        cond("0006-00000216", r#"["$key"]"#, r#"["starts-with", "$key", "user/eric/"]"#, &[KEY]),
        cond("0006-00000217", r#"["ends-with", "$key", ".jpg"]"#, r#"["starts-with", "$key", "user/eric/"]"#, &[KEY]),
        cond(
            "0006-00000218",
            r#"["starts-with", "$key", "user/user1", "test"]"#,
            r#"["starts-with", "$key", "user/user1"]"#,
            &[("key", "user/user1/a.jpg")],
        ),
        cond("0006-00000219", r#"["content-length-range", 20, 10]"#, r#"["content-length-range", 10, 200]"#, &[KEY]),
        cond(
            "0006-00000220",
            r#"["content-length-range", "test", 1024]"#,
            r#"["content-length-range", 1, 1024]"#,
            &[KEY],
        ),
        cond("0006-00000221", r#"["content-length-range", 1, "test"]"#, r#"["content-length-range", 1, 1024]"#, &[KEY]),
        cond(
            "0006-00000222",
            r#"123, ["content-length-range", 10, 1024]"#,
            r#"["content-length-range", 10, 1024]"#,
            &[KEY],
        ),
        cond(
            "0006-00000223",
            r#"["content-length-range", [1], "test"]"#,
            r#"["content-length-range", 1, 1024]"#,
            &[KEY],
        ),
        cond(
            "0006-00000224",
            r#"["not-in", "cache-control", "no-cache"]"#,
            r#"["content-length-range", 1, 1024], ["eq", "$success_action_status", "201"], ["starts-with", "$key", "user/eric/"], ["in", "$content-type", ["image/jpg", "image/png"]], ["not-in", "$cache-control", ["no-cache"]]"#,
            &[KEY, ("success_action_status", "201"), ("Content-Type", "image/png"), ("Cache-Control", "max-age=60")],
        ),
        row(
            "0006-00000226",
            "AccessDenied",
            "page: [\"eq\", \"success_action_status\", \"200\"] without the field; code from the legacy text",
            v4(&policy(r#"["eq", "success_action_status", "200"]"#), &[KEY]),
            v4(&policy(r#"["eq", "success_action_status", "200"]"#), &[KEY, ("success_action_status", "200")]),
        ),
        row(
            "0006-00000227",
            "AccessDenied",
            "page: success_action_status 201 against [\"eq\", \"success_action_status\", \"200\"]; code and message documented",
            v4(&policy(r#"["eq", "success_action_status", "200"]"#), &[KEY, ("success_action_status", "201")]),
            v4(&policy(r#"["eq", "success_action_status", "200"]"#), &[KEY, ("success_action_status", "200")]),
        ),
        // ---- Callback fields (§9).
        row(
            "0007-00000002",
            "InvalidArgument",
            "callback not base64; message documented",
            v4(&ok, &[KEY, ("callback", "not base64!")]),
            v4(&ok, &[KEY, ("callback", &cb_ok)]),
        ),
        row(
            "0007-00000012",
            "InvalidArgument",
            "callbackBodyType not a string; message documented",
            v4(
                &ok,
                &[
                    KEY,
                    (
                        "callback",
                        &b64(
                            r#"{"callbackUrl": "https://example.com/cb", "callbackBody": "object=${object}", "callbackBodyType": 1}"#,
                        ),
                    ),
                ],
            ),
            v4(
                &ok,
                &[
                    KEY,
                    (
                        "callback",
                        &b64(
                            r#"{"callbackUrl": "https://example.com/cb", "callbackBody": "object=${object}", "callbackBodyType": "application/json"}"#,
                        ),
                    ),
                ],
            ),
        ),
        row(
            "0007-00000101",
            "InvalidArgument",
            "callback-var over 5 KB; message documented",
            v4(&ok, &[KEY, ("callback-var", &b64(format!(r#"{{"x:a": "{}"}}"#, "v".repeat(4000))))]),
            v4(&ok, &[KEY, ("callback-var", &b64(r#"{"x:a": "v"}"#))]),
        ),
        row(
            "0007-00000102",
            "InvalidArgument",
            "callback-var not base64; message ours",
            v4(&ok, &[KEY, ("callback-var", "x:a=1")]),
            v4(&ok, &[KEY, ("callback-var", &b64(r#"{"x:a": "1"}"#))]),
        ),
        row(
            "0007-00000103",
            "InvalidArgument",
            "callback-var not JSON; message ours",
            v4(&ok, &[KEY, ("callback-var", &b64("x:a=1"))]),
            v4(&ok, &[KEY, ("callback-var", &b64(r#"{"x:a": "1"}"#))]),
        ),
        row(
            "0007-00000104",
            "InvalidArgument",
            "callback-var name without x: (doc 480035); EC [UNVERIFIED]",
            v4(&ok, &[KEY, ("callback-var", &b64(r#"{"a": "1"}"#))]),
            v4(&ok, &[KEY, ("callback-var", &b64(r#"{"x:a": "1"}"#))]),
        ),
        row(
            "0007-00000105",
            "InvalidArgument",
            "unclosed ${ in callbackBody; EC mapping [UNVERIFIED]",
            v4(
                &ok,
                &[
                    KEY,
                    (
                        "callback",
                        &b64(r#"{"callbackUrl": "https://example.com/cb", "callbackBody": "object=${object"}"#),
                    ),
                ],
            ),
            v4(&ok, &[KEY, ("callback", &cb_ok)]),
        ),
    ]
}

#[test]
fn every_error_page_example_is_refused_and_its_fix_accepted() {
    let verifier = Verifier::new(Bucket::new(BUCKET).unwrap(), Region::new("oss-cn-hangzhou").unwrap());
    let rows = rows();
    let mut failures = Vec::new();
    for r in &rows {
        match verifier.verify_at(&r.invalid, &creds(), r.invalid_now) {
            Ok(_) => failures.push(format!("{}: invalid example accepted ({})", r.page, r.doc)),
            Err(e) if (e.code(), e.ec()) != (r.code, Some(r.page)) => {
                failures.push(format!("{}: got {} / {:?}: {} ({})", r.page, e.code(), e.ec(), e.message(), r.doc));
            }
            Err(_) => {}
        }
        if let Err(e) = verifier.verify_at(&r.fixed, &creds(), r.fixed_now) {
            failures.push(format!("{}: fixed example refused: {e} ({})", r.page, r.doc));
        }
    }
    assert!(failures.is_empty(), "{} of {} rows failed:\n{}", failures.len(), rows.len(), failures.join("\n"));
    // Every EC page `docs/oss-rules.md` lists for PostObject has a row (0006-00000225 has no page).
    let mut pages: Vec<&str> = rows.iter().map(|r| r.page).collect();
    pages.sort_unstable();
    pages.dedup();
    assert_eq!(pages.len(), rows.len(), "one row per page");
    assert_eq!(rows.len(), 51);
}

#[test]
fn documented_messages_are_verbatim() {
    let verifier = Verifier::new(Bucket::new(BUCKET).unwrap(), Region::new("cn-hangzhou").unwrap());
    let by_page = |page: &str| rows().into_iter().find(|r| r.page == page).unwrap();
    let message = |page: &str| {
        let r = by_page(page);
        verifier.verify_at(&r.invalid, &creds(), r.invalid_now).unwrap_err()
    };
    let e = message("0006-00000227");
    assert_eq!(
        e.message(),
        r#"Invalid according to Policy: Policy Condition failed: ["eq", "$success_action_status", "200"]"#
    );
    assert_eq!(e.http_status(), 403);
    assert!(e.to_xml("5C3D8D2A0ACA54D87B43****", "example-bucket.oss-cn-hangzhou.aliyuncs.com").contains(
        "  <EC>0006-00000227</EC>\n  <RecommendDoc>https://api.aliyun.com/troubleshoot?q=0006-00000227</RecommendDoc>\n"
    ));
    assert_eq!(message("0006-00000213").message(), "Invalid according to Policy: Policy expired.");
    let e = message("0002-00000715");
    assert_eq!(e.message(), "The signing region in credential is invalid.");
    assert_eq!(
        (e.argument_name(), e.argument_value()),
        (Some("x-oss-credential"), Some(credential("cn-beijing").as_str()))
    );
    assert_eq!(
        message("0002-00000705").message(),
        "The request signature we calculated does not match the signature you provided. Check your key and signing method."
    );
    assert_eq!(message("0006-00000003").message(), "Your proposed upload exceeds the maximum allowed size.");
    assert_eq!(message("0006-00000004").message(), "Your proposed upload smaller than the minimum allowed size.");
    assert_eq!(message("0006-00000110").message(), "Your name of form field is too long.");
    assert_eq!(
        message("0006-00000112").message(),
        "Your POST request fields preceding the upload file were too large."
    );
    assert_eq!(message("0007-00000002").message(), "The callback configuration is not base64 encoded.");
    assert_eq!(message("0007-00000012").message(), "The callback body type configuration is invalid.");
    assert_eq!(message("0007-00000101").message(), "The length of callback var exceed max value.");
}
