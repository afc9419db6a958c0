//! The README's "Use it in an axum handler": the handler (`examples/axum_handler.rs`, shown in
//! the README verbatim) signs forms that the crate's verifier and the example's local bucket
//! accept for an image under the user's prefix, and refuse for a file over the size limit, a
//! type that is not an image or a key outside the prefix.

// `main` serves the example; these tests call its router.
#[allow(dead_code)]
#[path = "../examples/axum_handler.rs"]
pub mod axum_handler;
mod common;

use axum::Extension;
use axum::body::Body;
use axum::http::Request;
use oss_post_policy::verify::{FilePart, Submission, Verifier};
use oss_post_policy::{Bucket, Credentials, Region};
use serde_json::{Value, json};
use tower::ServiceExt as _;

use crate::axum_handler::{MAX_SIZE, Uploads, User, router};
use crate::common::{Server, multipart_typed, post};

/// What `GET /upload-form` answers user 42 of an app whose credentials are `credentials`.
fn upload_form(credentials: Credentials) -> Value {
    let bucket = Bucket::new("examplebucket").expect("a valid bucket");
    let uploads = Uploads::new(bucket, Region::new("cn-hangzhou").expect("a valid region"), credentials);
    let app = router(uploads).layer(Extension(User { id: 42 }));
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("a runtime");
    runtime.block_on(async {
        let response = app.oneshot(Request::get("/upload-form").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["cache-control"], "no-store");
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        serde_json::from_slice(&body).expect("the handler answers JSON")
    })
}

/// The form's fields, then what the browser adds, then the file: as OSS receives them.
fn submission(form: &Value, key: &str, content_type: &str, size: u64) -> Submission {
    let fields = form["fields"].as_object().expect("fields is an object");
    Submission::new()
        .with_fields(fields.iter().map(|(name, value)| (name.as_str(), value.as_str().expect("a string"))))
        .with_field("key", key)
        .with_field("x-oss-content-type", content_type)
        .with_file(FilePart::new("upload", size).with_content_type(content_type))
}

#[test]
fn the_handler_s_forms_take_an_image_under_the_user_s_prefix_and_nothing_else() {
    let form = upload_form(Credentials::example());
    assert_eq!(form["url"], "https://examplebucket.oss-cn-hangzhou.aliyuncs.com");
    assert_eq!(form["required"], json!(["key", "x-oss-content-type"]));

    let verifier = Verifier::new(Bucket::new("examplebucket").unwrap(), Region::new("cn-hangzhou").unwrap());
    let verify =
        |key, content_type, size| verifier.verify(&submission(&form, key, content_type, size), &Credentials::example());

    let accepted = verify("users/42/cat.png", "image/png", 2048).expect("an image under the user's prefix");
    assert_eq!((accepted.key.as_str(), accepted.content_type.as_deref()), ("users/42/cat.png", Some("image/png")));
    assert!(verify("users/42/big.jpg", "image/jpeg", MAX_SIZE).is_ok());

    let too_big = verify("users/42/big.jpg", "image/jpeg", MAX_SIZE + 1).unwrap_err();
    assert_eq!(too_big.code(), "EntityTooLarge");
    let not_an_image = verify("users/42/page.html", "text/html", 2048).unwrap_err();
    assert_eq!(not_an_image.code(), "AccessDenied");
    assert!(
        not_an_image.message().contains(r#"["in", "$x-oss-content-type", ["image/jpeg", "image/png", "image/webp"]]"#)
    );
    let other_user = verify("users/43/cat.png", "image/png", 2048).unwrap_err();
    assert_eq!(other_user.code(), "AccessDenied");
    assert!(other_user.message().contains(r#"["starts-with", "$key", "users/42/"]"#));
}

#[test]
fn the_handler_s_forms_are_stored_or_refused_by_the_local_bucket() {
    // The server signs and verifies with the same example credentials.
    let server = Server::start("axum-handler", &[]);
    let form = upload_form(Credentials::example());
    let fields: Vec<(&str, &str)> = form["fields"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str().unwrap()))
        .collect();
    let upload = |key: &str, content_type: &str, bytes: &[u8]| {
        let fields: Vec<(&str, &str)> =
            fields.iter().copied().chain([("key", key), ("x-oss-content-type", content_type)]).collect();
        post(&server.bucket_url(), multipart_typed(&fields, ("upload", bytes), Some(content_type)), None)
    };

    let reply = upload("users/42/cat.png", "image/png", b"\x89PNG");
    assert_eq!(reply.status, 204, "{}", reply.body);
    let got = reqwest::blocking::get(format!("{}/users/42/cat.png", server.bucket_url())).unwrap();
    assert_eq!(got.headers()["content-type"], "image/png");

    let size = usize::try_from(MAX_SIZE).unwrap() + 1;
    let reply = upload("users/42/big.png", "image/png", &vec![0; size]);
    assert_eq!((reply.status, reply.code()), (400, Some("EntityTooLarge")), "{}", reply.body);
    let reply = upload("users/42/page.html", "text/html", b"<html>");
    assert_eq!((reply.status, reply.code()), (403, Some("AccessDenied")), "{}", reply.body);
    assert_eq!(server.files(), ["examplebucket/users/42/cat.png"]);
}

#[test]
fn an_sts_token_is_signed_into_the_form() {
    let sts = Credentials::new("STS.id", "secret").unwrap().with_security_token("CAIS-token").unwrap();
    let form = upload_form(sts.clone());
    assert_eq!(form["fields"]["x-oss-security-token"], "CAIS-token");
    let verifier = Verifier::new(Bucket::new("examplebucket").unwrap(), Region::new("cn-hangzhou").unwrap());
    assert!(verifier.verify(&submission(&form, "users/42/a.webp", "image/webp", 1), &sts).is_ok());
}

/// The README's section shows this handler and the first test above, verbatim.
#[test]
fn the_readme_shows_the_handler_and_its_test_verbatim() {
    let readme = include_str!("../../../README.md");
    let section = readme.split("\n## Use it in an axum handler\n").nth(1).expect("the README has the section");
    let section = section.split("\n## ").next().unwrap();
    let blocks: Vec<&str> =
        section.split("```rust\n").skip(1).map(|block| block.split("```\n").next().unwrap()).collect();
    assert_eq!(blocks.len(), 2, "the handler, then its test");
    assert_eq!(blocks[0], include_str!("../examples/axum_handler.rs"), "README block 1 = examples/axum_handler.rs");
    let this_file = include_str!("axum_handler.rs");
    assert!(this_file.contains(blocks[1]), "README block 2 is a part of tests/axum_handler.rs:\n{}", blocks[1]);
}
