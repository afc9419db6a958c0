//! One test per refusal, and the signed string's rules. Known answers from other
//! implementations are in `tests/callback_request.rs`.

use base64::Engine as _;

use super::*;
use crate::callback::SystemVariable;

/// Callback.md's signed example (`POST /index.php?id=1&index=2`, body `bucket=yonghu-test`).
const DOC_AUTHORIZATION: &str =
    "kKQeGTRccDKyHB3H9vF+xYMSrmhMZjzzl2/kdD1ktNVgbWEfYTQG0G2SU/RaHBovRCE8OkQDjC3uG33esH2txA==";
const DOC_KEY_URL: &str = "aHR0cDovL2dvc3NwdWJsaWMuYWxpY2RuLmNvbS9jYWxsYmFja19wdWJfa2V5X3YxLnBlbQ==";

fn doc_request() -> CallbackRequest<'static> {
    CallbackRequest::new("/index.php", b"bucket=yonghu-test")
        .query("id=1&index=2")
        .authorization(DOC_AUTHORIZATION)
        .pub_key_url(DOC_KEY_URL)
}

fn b64(s: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn refusal(request: &CallbackRequest<'_>) -> CallbackRequestError {
    request.verify(&CallbackPublicKey::oss()).unwrap_err()
}

#[test]
fn the_documented_example_verifies_over_http_and_https_key_urls() {
    assert_eq!(doc_request().verify(&CallbackPublicKey::oss()).unwrap().get("bucket"), Some("yonghu-test"));
    let https = b64(OSS_PUBLIC_KEY_URL.as_bytes());
    assert!(doc_request().pub_key_url(&https).verify(&CallbackPublicKey::oss()).is_ok());
    let key = CallbackPublicKey::oss();
    assert_eq!((key.bits(), key.is_oss()), (512, true));
}

#[test]
fn string_to_sign_decodes_the_path_once_and_keeps_query_and_body_raw() {
    let r = CallbackRequest::new("/a%2Fb/c+d/%E6%96%87%zz%2", b"x=%41+1").query("q=%41+1");
    assert_eq!(r.string_to_sign(), "/a/b/c+d/\u{6587}%zz%2?q=%41+1\nx=%41+1".as_bytes());
    // Twice-encoded stays once-decoded: %252F is "%2F", not "/".
    assert_eq!(CallbackRequest::new("/%252F", b"").string_to_sign(), b"/%2F\n");
    // An empty query adds no '?'.
    assert_eq!(CallbackRequest::new("/cb", b"b").query("").string_to_sign(), b"/cb\nb");
}

#[test]
fn missing_authorization() {
    for empty in ["", "  "] {
        assert!(matches!(refusal(&doc_request().authorization(empty)), CallbackRequestError::MissingAuthorization));
    }
}

#[test]
fn invalid_authorization() {
    assert!(matches!(refusal(&doc_request().authorization("not base64!")), CallbackRequestError::InvalidAuthorization));
    let long = "A".repeat(MAX_AUTHORIZATION_LEN + 4);
    assert!(matches!(refusal(&doc_request().authorization(&long)), CallbackRequestError::InvalidAuthorization));
}

#[test]
fn missing_public_key_url() {
    assert!(matches!(refusal(&doc_request().pub_key_url("")), CallbackRequestError::MissingPublicKeyUrl));
}

#[test]
fn invalid_public_key_url() {
    assert!(matches!(refusal(&doc_request().pub_key_url("%%%")), CallbackRequestError::InvalidPublicKeyUrl));
    let not_utf8 = b64(b"http://gosspublic.alicdn.com/\xff.pem");
    assert!(matches!(refusal(&doc_request().pub_key_url(&not_utf8)), CallbackRequestError::InvalidPublicKeyUrl));
    let long = "A".repeat(MAX_KEY_URL_LEN + 4);
    assert!(matches!(refusal(&doc_request().pub_key_url(&long)), CallbackRequestError::InvalidPublicKeyUrl));
}

#[test]
fn public_key_url_not_allowed() {
    for url in [
        "https://gosspublic.alicdn.com.evil.example/callback_pub_key_v1.pem",
        "https://gosspublic.alicdn.com@evil.example/callback_pub_key_v1.pem",
        "https://user@gosspublic.alicdn.com/callback_pub_key_v1.pem",
        "https://gosspublic.alicdn.com:8443/callback_pub_key_v1.pem",
        "https://evil.example/gosspublic.alicdn.com/callback_pub_key_v1.pem",
        "https://xgosspublic.alicdn.com/callback_pub_key_v1.pem",
        "HTTPS://GOSSPUBLIC.ALICDN.COM/callback_pub_key_v1.pem",
        "ftp://gosspublic.alicdn.com/callback_pub_key_v1.pem",
        "https://gosspublic.alicdn.com",
        "//gosspublic.alicdn.com/callback_pub_key_v1.pem",
        "https://gosspublic.alicdn.com/callback_pub_key_v1.pem\n",
        "https://gosspublic.alicdn.com/\tcallback_pub_key_v1.pem",
    ] {
        let header = b64(url.as_bytes());
        assert!(
            matches!(refusal(&doc_request().pub_key_url(&header)), CallbackRequestError::PublicKeyUrlNotAllowed { url: u } if u == url),
            "{url:?}"
        );
        // The host rule holds with an application key too.
        let app = CallbackPublicKey::from_pem(OSS_PUBLIC_KEY_PEM).unwrap();
        assert!(matches!(
            doc_request().pub_key_url(&header).verify(&app),
            Err(CallbackRequestError::PublicKeyUrlNotAllowed { .. })
        ));
    }
}

#[test]
fn unknown_public_key_for_the_built_in_key() {
    let rotated = b64(b"https://gosspublic.alicdn.com/callback_pub_key_v2.pem");
    assert!(matches!(
        refusal(&doc_request().pub_key_url(&rotated)),
        CallbackRequestError::UnknownPublicKey { url } if url.ends_with("v2.pem")
    ));
    // With the same key supplied as a PEM, the path is the application's business.
    let app = CallbackPublicKey::from_pem(OSS_PUBLIC_KEY_PEM).unwrap();
    assert!(!app.is_oss());
    assert!(doc_request().pub_key_url(&rotated).verify(&app).is_ok());
}

#[test]
fn invalid_public_key() {
    let invalid =
        |pem: &str| matches!(CallbackPublicKey::from_pem(pem), Err(CallbackRequestError::InvalidPublicKey { .. }));
    assert!(invalid(""));
    assert!(invalid("not a key"));
    assert!(invalid("-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n"));
    assert!(invalid(&OSS_PUBLIC_KEY_PEM.replace("PUBLIC KEY", "PRIVATE KEY")));
    assert!(invalid(&OSS_PUBLIC_KEY_PEM.replace("PUBLIC KEY", "RSA PUBLIC KEY")));
    // Over the 16 KB bound.
    assert!(invalid(&"A".repeat(16 * 1024 + 1)));
}

#[test]
fn signature_mismatch() {
    assert!(matches!(refusal(&doc_request().body(b"bucket=yonghu-tesu")), CallbackRequestError::SignatureMismatch));
    assert!(matches!(refusal(&doc_request().query("id=1&index=3")), CallbackRequestError::SignatureMismatch));
    assert!(matches!(refusal(&doc_request().query("")), CallbackRequestError::SignatureMismatch));
    assert!(matches!(
        refusal(
            &CallbackRequest::new("/index.php/", b"bucket=yonghu-test")
                .query("id=1&index=2")
                .authorization(DOC_AUTHORIZATION)
                .pub_key_url(DOC_KEY_URL)
        ),
        CallbackRequestError::SignatureMismatch
    ));
    // A signature of the wrong length for the key.
    let short = b64(&[1, 2, 3]);
    assert!(matches!(refusal(&doc_request().authorization(&short)), CallbackRequestError::SignatureMismatch));
}

#[test]
fn the_path_is_decoded_before_signing() {
    // `%2E` is '.', so this path signs the same string as "/index.php".
    let encoded = CallbackRequest::new("/index%2Ephp", b"bucket=yonghu-test")
        .query("id=1&index=2")
        .authorization(DOC_AUTHORIZATION)
        .pub_key_url(DOC_KEY_URL);
    assert!(encoded.verify(&CallbackPublicKey::oss()).is_ok());
}

#[test]
fn unsupported_content_type() {
    assert!(matches!(
        refusal(&doc_request().content_type("text/plain")),
        CallbackRequestError::UnsupportedContentType { content_type } if content_type == "text/plain"
    ));
    for ok in ["application/x-www-form-urlencoded", "Application/X-WWW-Form-URLEncoded; charset=utf-8"] {
        assert!(doc_request().content_type(ok).verify(&CallbackPublicKey::oss()).is_ok(), "{ok}");
    }
}

#[test]
fn invalid_body() {
    let json = |body: &[u8]| VerifiedCallback::parse(CallbackBodyType::Json, body);
    for bad in [&b"[1]"[..], b"{", b"{\"a\":1,\"a\":2}", b"{\"a\":\"\xff\"}", b"null"] {
        assert!(
            matches!(json(bad), Err(CallbackRequestError::InvalidBody { body_type: "application/json", .. })),
            "{bad:?}"
        );
    }
    assert!(matches!(
        VerifiedCallback::parse(CallbackBodyType::FormUrlEncoded, b"a=1&b=2&a=3"),
        Err(CallbackRequestError::InvalidBody { body_type: "application/x-www-form-urlencoded", reason }) if reason.contains("\"a\"")
    ));
}

#[test]
fn bodies_are_parsed_for_both_types() {
    let form = VerifiedCallback::parse(
        CallbackBodyType::FormUrlEncoded,
        b"bucket=b&object=a%2Fb+c.png&size=1024&imageInfo.height=&x:uid=42&&flag",
    )
    .unwrap();
    assert_eq!(form.get("object"), Some("a/b c.png"));
    assert_eq!(form.system(SystemVariable::ImageHeight), Some(""));
    assert_eq!(form.size(), Some(1024));
    assert_eq!(form.get("flag"), Some(""));
    assert_eq!(form.custom_vars().collect::<Vec<_>>(), [("x:uid", "42")]);
    let json = VerifiedCallback::parse(
        CallbackBodyType::Json,
        br#"{"bucket":"b","size":1024,"vpcId":null,"x:ok":true,"imageInfo":{"height":1}}"#,
    )
    .unwrap();
    assert_eq!(json.size(), Some(1024));
    assert_eq!(json.system(SystemVariable::VpcId), Some("null"));
    assert_eq!(json.get("imageInfo"), Some(r#"{"height":1}"#));
    assert_eq!(json.body_type(), CallbackBodyType::Json);
}

#[test]
fn the_body_type_is_detected_without_a_content_type() {
    let r = CallbackRequest::new("/", b"  {\"a\":1}");
    assert_eq!(r.body_type().unwrap(), CallbackBodyType::Json);
    assert_eq!(CallbackRequest::new("/", b"a=1").body_type().unwrap(), CallbackBodyType::FormUrlEncoded);
}

#[test]
fn parsing_is_linear_in_the_body() {
    // 200,000 entries and a deeply nested but bounded JSON: no quadratic step, no stack overflow.
    let big: Vec<u8> =
        (0..200_000).flat_map(|i: u32| [b"k".as_slice(), i.to_string().as_bytes(), b"=v&"].concat()).collect();
    assert_eq!(VerifiedCallback::parse(CallbackBodyType::FormUrlEncoded, &big).unwrap().entries().len(), 200_000);
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(VerifiedCallback::parse(CallbackBodyType::Json, deep.as_bytes()).is_err());
}
