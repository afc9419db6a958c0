//! The upload-callback verifier on arbitrary requests and PEM keys: header decoding, the key-URL
//! rule, percent-decoding of the path, the RSA check. It must never panic or hang, and never
//! accept: no input here carries a valid signature. Half the inputs use OSS's documented key
//! URL, so that the fuzzer gets to the signature check.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use oss_post_policy::callback_request::{CallbackPublicKey, CallbackRequest};

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    path: &'a str,
    query: Option<&'a str>,
    body: &'a [u8],
    authorization: &'a str,
    pub_key_url: &'a str,
    oss_key_url: bool,
    content_type: Option<&'a str>,
    pem: Option<&'a str>,
}

const OSS_KEY_URL: &str = "aHR0cDovL2dvc3NwdWJsaWMuYWxpY2RuLmNvbS9jYWxsYmFja19wdWJfa2V5X3YxLnBlbQ==";

fuzz_target!(|input: Input<'_>| {
    let key = match input.pem {
        None => CallbackPublicKey::oss(),
        Some(pem) => match CallbackPublicKey::from_pem(pem) {
            Ok(key) => key,
            Err(_) => return,
        },
    };
    let url = if input.oss_key_url { OSS_KEY_URL } else { input.pub_key_url };
    let mut request = CallbackRequest::new(input.path, input.body).authorization(input.authorization).pub_key_url(url);
    if let Some(query) = input.query {
        request = request.query(query);
    }
    if let Some(content_type) = input.content_type {
        request = request.content_type(content_type);
    }
    let _ = request.string_to_sign();
    assert!(request.verify(&key).is_err(), "an arbitrary request verified: {input:?}");
});
