//! Which `Content-Type` an accepted form stores, and a policy that decides it.
//!
//! OSS stores `x-oss-content-type` if sent, else the file part's own `Content-Type`, else the
//! `Content-Type` field (`docs/oss-rules.md` §1). The verifier answers that type; a policy
//! built with `content_type_in` admits no form that stores another.

use oss_post_policy::time::{Duration, OffsetDateTime};
use oss_post_policy::verify::{AcceptedUpload, FilePart, Rejection, Submission, Verifier};
use oss_post_policy::{Bucket, Credentials, Field, FormFields, PostPolicy, PostPolicyBuilder, Region, Signer};

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_732_687_781).expect("2024-11-27T06:09:41Z")
}

fn signed(build: impl FnOnce(PostPolicyBuilder) -> PostPolicyBuilder) -> FormFields {
    let builder = PostPolicy::builder(Bucket::new("examplebucket").unwrap()).expires_in(Duration::hours(1)).key("k");
    let signer = Signer::new(Credentials::example(), Region::new("cn-hangzhou").unwrap());
    build(builder).build().unwrap().sign_at(&signer, now()).unwrap()
}

/// The form's fields, then `extra` (what the browser adds), then a file part of type `file_type`.
fn post(form: &FormFields, extra: &[(&str, &str)], file_type: Option<&str>) -> Result<AcceptedUpload, Rejection> {
    let mut file = FilePart::new("page.html", 100);
    if let Some(t) = file_type {
        file = file.with_content_type(t);
    }
    let sent = Submission::new().with_fields(form.iter()).with_fields(extra.iter().copied()).with_file(file);
    let verifier = Verifier::new(Bucket::new("examplebucket").unwrap(), Region::new("cn-hangzhou").unwrap());
    verifier.verify_at(&sent, &Credentials::example(), now())
}

#[test]
fn the_stored_type_follows_oss_precedence() {
    let form = signed(|b| b);
    let stored = |extra: &[(&str, &str)], file| post(&form, extra, file).unwrap().content_type;
    let (field, oss) = (("Content-Type", "text/plain"), ("x-oss-content-type", "image/webp"));
    assert_eq!(stored(&[field, oss], Some("image/png")).as_deref(), Some("image/webp"));
    assert_eq!(stored(&[field], Some("image/png")).as_deref(), Some("image/png"));
    assert_eq!(stored(&[field], None).as_deref(), Some("text/plain"));
    assert_eq!(stored(&[], None), None);
}

#[test]
fn a_condition_on_the_content_type_field_does_not_decide_the_stored_type() {
    // What `in $Content-Type` leaves open: the field passes, the file part's header is stored.
    let form = signed(|b| b.is_in(Field::ContentType, ["image/png"]));
    let upload = post(&form, &[("Content-Type", "image/png")], Some("text/html")).unwrap();
    assert_eq!(upload.content_type.as_deref(), Some("text/html"));
}

#[test]
fn content_type_in_admits_no_form_that_stores_another_type() {
    let form = signed(|b| b.content_type_in(["image/png"]));
    assert_eq!(form.required(), ["x-oss-content-type"]);
    let types = [None, Some("image/png"), Some("text/html")];
    let mut accepted = 0;
    for oss_type in types {
        for field_type in types {
            for file_type in types {
                for oss_twice in [None, Some("text/html")] {
                    let mut extra = Vec::new();
                    extra.extend(field_type.map(|t| ("Content-Type", t)));
                    extra.extend(oss_type.map(|t| ("X-OSS-Content-Type", t)));
                    extra.extend(oss_twice.map(|t| ("x-oss-content-type", t)));
                    let case = format!("{extra:?}, file part {file_type:?}");
                    match post(&form, &extra, file_type) {
                        Ok(upload) => {
                            assert_eq!(upload.content_type.as_deref(), Some("image/png"), "{case}");
                            accepted += 1;
                        }
                        Err(r) => assert!(matches!(r.code(), "AccessDenied" | "InvalidArgument"), "{case}: {r}"),
                    }
                }
            }
        }
    }
    // x-oss-content-type image/png, sent once, whatever the other two say.
    assert_eq!(accepted, types.len() * types.len());

    let html = post(&form, &[("x-oss-content-type", "text/html")], Some("image/png")).unwrap_err();
    assert_eq!((html.code(), html.ec()), ("AccessDenied", Some("0006-00000227")));
    let missing = post(&form, &[("Content-Type", "image/png")], Some("image/png")).unwrap_err();
    assert_eq!((missing.code(), missing.ec()), ("AccessDenied", Some("0006-00000226")));
    assert!(missing.message().contains(r#"["in", "$x-oss-content-type", ["image/png"]]"#), "{missing}");
}

#[test]
fn one_type_pinned_is_in_the_form() {
    let form = signed(|b| b.eq(Field::OssContentType, "image/png"));
    assert_eq!(form.get("x-oss-content-type"), Some("image/png"));
    let upload = post(&form, &[("Content-Type", "text/html")], Some("text/html")).unwrap();
    assert_eq!(upload.content_type.as_deref(), Some("image/png"));
}
