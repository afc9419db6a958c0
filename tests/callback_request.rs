//! The upload-callback verifier against signatures it did not make: OSS's own two public ones
//! (`tests/vectors/callback-oss.json`) and requests signed by Python `cryptography` with 512-,
//! 1024- and 2048-bit keys (`tests/vectors/callback-signed.json`); then a property: any change
//! to path, query, body or signature is refused.
#![cfg(feature = "callback-verify")]

use base64::Engine as _;
use oss_post_policy::callback_request::{CallbackPublicKey, CallbackRequest, CallbackRequestError};
use proptest::prelude::*;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct File {
    vectors: Vec<Vector>,
}

#[derive(Debug, Clone, Deserialize)]
struct Vector {
    name: String,
    #[serde(default)]
    public_key_pem: Option<String>,
    #[serde(default)]
    public_key_pkcs1_pem: Option<String>,
    path: String,
    query: Option<String>,
    content_type: String,
    body: String,
    authorization: String,
    pub_key_url: String,
    #[serde(default)]
    entries: Option<Vec<(String, String)>>,
    #[serde(default)]
    error: Option<String>,
}

impl Vector {
    fn request(&self) -> CallbackRequest<'_> {
        let mut r = CallbackRequest::new(&self.path, self.body.as_bytes())
            .authorization(&self.authorization)
            .pub_key_url(&self.pub_key_url)
            .content_type(&self.content_type);
        if let Some(q) = &self.query {
            r = r.query(q);
        }
        r
    }
}

fn load(name: &str) -> Vec<Vector> {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str::<File>(&text).unwrap_or_else(|e| panic!("{path}: {e}")).vectors
}

#[test]
fn oss_own_signatures_verify_with_the_built_in_key() {
    let vectors = load("callback-oss.json");
    assert_eq!(vectors.len(), 2);
    for v in &vectors {
        let got = v.request().verify(&CallbackPublicKey::oss()).unwrap_or_else(|e| panic!("{}: {e} ({v:?})", v.name));
        assert_eq!(Some(got.entries().to_vec()), v.entries, "{}", v.name);
        // The path without decoding, or a `?` for the absent query, is another string: refused.
        let with_q = v.request().query(v.query.as_deref().map_or("x", |_| ""));
        assert!(matches!(with_q.verify(&CallbackPublicKey::oss()), Err(CallbackRequestError::SignatureMismatch)));
    }
}

#[test]
fn independently_signed_requests_verify_with_their_keys() {
    let vectors = load("callback-signed.json");
    assert!(vectors.len() >= 27);
    for v in &vectors {
        for pem in [&v.public_key_pem, &v.public_key_pkcs1_pem] {
            let key = CallbackPublicKey::from_pem(pem.as_deref().expect("a key")).expect("a valid key");
            let got = v.request().verify(&key);
            match (&v.error, got) {
                (None, Ok(callback)) => assert_eq!(Some(callback.entries().to_vec()), v.entries, "{}", v.name),
                (Some(e), Err(CallbackRequestError::InvalidBody { .. })) if e == "InvalidBody" => {}
                (Some(e), Err(CallbackRequestError::UnsupportedContentType { .. }))
                    if e == "UnsupportedContentType" => {}
                (want, got) => panic!("{}: expected {want:?}, got {got:?} ({v:?})", v.name),
            }
            // Not OSS's key: the built-in key refuses the app's key URL by name.
            assert!(
                matches!(
                    v.request().verify(&CallbackPublicKey::oss()),
                    Err(CallbackRequestError::UnknownPublicKey { .. })
                ),
                "{}",
                v.name
            );
        }
    }
}

/// The 1024-bit form vector with a query, and its key.
fn sample() -> (Vector, CallbackPublicKey) {
    let v = load("callback-signed.json").into_iter().find(|v| v.name == "form-with-query-1024").expect("the vector");
    let key = CallbackPublicKey::from_pem(v.public_key_pem.as_deref().expect("a key")).expect("a valid key");
    (v, key)
}

#[derive(Debug, Clone)]
enum Change {
    /// Insert an unreserved character into the path.
    PathInsert(usize, char),
    /// Replace a query byte with a different printable byte.
    QueryByte(usize, u8),
    /// Drop the query.
    QueryDrop,
    /// Flip bits of one body byte.
    BodyByte(usize, u8),
    /// Append bytes to the body.
    BodyAppend(Vec<u8>),
    /// Flip bits of one signature byte.
    SignatureByte(usize, u8),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (any::<usize>(), "[a-zA-Z0-9._~-]".prop_map(|s| s.chars().next().unwrap()))
            .prop_map(|(i, c)| Change::PathInsert(i, c)),
        (any::<usize>(), 0x21u8..0x7f).prop_map(|(i, b)| Change::QueryByte(i, b)),
        Just(Change::QueryDrop),
        (any::<usize>(), 1u8..=255).prop_map(|(i, x)| Change::BodyByte(i, x)),
        proptest::collection::vec(any::<u8>(), 1..16).prop_map(Change::BodyAppend),
        (any::<usize>(), 1u8..=255).prop_map(|(i, x)| Change::SignatureByte(i, x)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_change_is_refused(change in change()) {
        let (v, key) = sample();
        prop_assert!(v.request().verify(&key).is_ok());
        let mut path = v.path.clone();
        let mut query = v.query.clone();
        let mut body = v.body.clone().into_bytes();
        let mut signature = base64::engine::general_purpose::STANDARD.decode(&v.authorization).unwrap();
        match change {
            Change::PathInsert(i, c) => {
                // The sample path has no `%`, so any insertion changes the decoded path.
                prop_assert!(!path.contains('%'));
                path.insert(i % (path.len() + 1), c);
            }
            Change::QueryByte(i, b) => {
                let mut q = query.unwrap().into_bytes();
                let at = i % q.len();
                prop_assume!(q[at] != b);
                q[at] = b;
                query = Some(String::from_utf8(q).unwrap());
            }
            Change::QueryDrop => query = None,
            Change::BodyByte(i, x) => {
                let at = i % body.len();
                body[at] ^= x;
            }
            Change::BodyAppend(extra) => body.extend(extra),
            Change::SignatureByte(i, x) => {
                let at = i % signature.len();
                signature[at] ^= x;
            }
        }
        let authorization = base64::engine::general_purpose::STANDARD.encode(&signature);
        let mut request = CallbackRequest::new(&path, &body)
            .authorization(&authorization)
            .pub_key_url(&v.pub_key_url)
            .content_type(&v.content_type);
        if let Some(q) = &query {
            request = request.query(q);
        }
        prop_assert!(matches!(request.verify(&key), Err(CallbackRequestError::SignatureMismatch)));
    }
}
