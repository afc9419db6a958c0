//! Checking that an upload-callback request comes from OSS (feature `callback-verify`).
//!
//! After storing an object uploaded with a `callback`, OSS posts `callbackBody` (filled in) to
//! the application's callback URL and signs the request ([CB] "Step 4", `docs/oss-rules.md`
//! §9.2):
//!
//! - header `authorization`: base64 of an RSA PKCS#1 v1.5 signature over the MD5 digest of
//!   `url_decode(path)` + (`"?"` + the raw query, only when there is one) + `"\n"` + the raw
//!   body bytes;
//! - header `x-oss-pub-key-url`: base64 of the URL of the public key, which must start with
//!   `http://gosspublic.alicdn.com/` or `https://gosspublic.alicdn.com/`.
//!
//! A [`CallbackRequest`] holds those parts exactly as received; [`CallbackRequest::verify`]
//! checks them against a [`CallbackPublicKey`] and returns the [`VerifiedCallback`] (the body's
//! variables, parsed) or a [`CallbackRequestError`] naming the step that failed. Like the rest
//! of the crate it is sans-IO: it fetches nothing. OSS's key is built in
//! ([`CallbackPublicKey::oss`]); see there for what to do when OSS rotates it.
//!
//! What the signature does not cover:
//!
//! - **Time.** The signed string carries no timestamp, so a captured request verifies forever.
//!   Detecting replays is the application's job, e.g. by handling each object's `etag` (or
//!   `reqId`, [`SystemVariable::ReqId`]) once.
//! - **Headers other than the two above**, such as `Content-Type` or `Host`.
//!
//! The `rsa` crate's advisory RUSTSEC-2023-0071 (Marvin: a timing side channel) concerns
//! private-key operations (decryption, signing); this module only verifies with a public key,
//! which handles no secret.
//!
//! Decisions where OSS's samples disagree (`docs/oss-rules.md` §9.2, §12): a `+` in the path
//! stays a `+` (percent-decoding only, as the documentation's own Python server, the Go and
//! the Node samples decode; PHP, Java and Ruby would make it a space); an absent or empty query
//! adds no `?`; a `%` not followed by two hex digits stays as it is.
//!
//! # Example
//!
//! The signed request of OSS's callback documentation ([CB]):
//!
//! ```
//! use oss_post_policy::callback_request::{CallbackPublicKey, CallbackRequest};
//!
//! let request = CallbackRequest::new("/index.php", b"bucket=yonghu-test")
//!     .query("id=1&index=2")
//!     .authorization(
//!         "kKQeGTRccDKyHB3H9vF+xYMSrmhMZjzzl2/kdD1ktNVgbWEfYTQG0G2SU/RaHBovRCE8OkQDjC3uG33esH2txA==",
//!     )
//!     .pub_key_url("aHR0cDovL2dvc3NwdWJsaWMuYWxpY2RuLmNvbS9jYWxsYmFja19wdWJfa2V5X3YxLnBlbQ==")
//!     .content_type("application/x-www-form-urlencoded");
//! let callback = request.verify(&CallbackPublicKey::oss())?;
//! assert_eq!(callback.get("bucket"), Some("yonghu-test"));
//!
//! // One byte changed: refused.
//! let tampered = request.clone().body(b"bucket=yonghu-tesu");
//! assert!(tampered.verify(&CallbackPublicKey::oss()).is_err());
//! # Ok::<(), oss_post_policy::callback_request::CallbackRequestError>(())
//! ```
//!
//! [CB]: https://www.alibabacloud.com/help/en/oss/developer-reference/callback

mod body;
mod public_key;
#[cfg(test)]
mod tests;

use base64::Engine as _;
use md5::{Digest as _, Md5};
use rsa::Pkcs1v15Sign;

pub use body::VerifiedCallback;
pub use public_key::{CallbackPublicKey, OSS_PUBLIC_KEY_PEM, OSS_PUBLIC_KEY_URL};

use crate::callback::CallbackBodyType;
#[cfg(doc)]
use crate::callback::SystemVariable;
use crate::percent;

/// The key URL prefixes OSS documents; the host ends at the `/`, so no port, user or other
/// host can follow it.
pub const ALLOWED_KEY_URL_PREFIXES: [&str; 2] = ["http://gosspublic.alicdn.com/", "https://gosspublic.alicdn.com/"];

/// The built-in key's file on `gosspublic.alicdn.com`, fetched over HTTP or HTTPS.
const OSS_PUBLIC_KEY_FILE: &str = "callback_pub_key_v1.pem";

/// Longest `authorization` header read: base64 of a 4096-bit signature is 684 characters.
const MAX_AUTHORIZATION_LEN: usize = 1024;
/// Longest `x-oss-pub-key-url` header read.
const MAX_KEY_URL_LEN: usize = 2048;

/// Why a callback request is refused: the first step that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackRequestError {
    /// The `authorization` header is absent or empty.
    #[error("the authorization header is empty")]
    MissingAuthorization,
    /// The `authorization` header is not standard padded base64 (or is over 1024 characters).
    #[error("the authorization header is not base64 of a signature")]
    InvalidAuthorization,
    /// The `x-oss-pub-key-url` header is absent or empty.
    #[error("the x-oss-pub-key-url header is empty")]
    MissingPublicKeyUrl,
    /// The `x-oss-pub-key-url` header is not base64 of a UTF-8 text (or is over 2048
    /// characters).
    #[error("the x-oss-pub-key-url header is not base64 of a URL")]
    InvalidPublicKeyUrl,
    /// The key URL does not start with `http://gosspublic.alicdn.com/` or
    /// `https://gosspublic.alicdn.com/`.
    #[error("public key URL {url:?} is not on gosspublic.alicdn.com")]
    PublicKeyUrlNotAllowed {
        /// The decoded URL (control characters escaped by `Debug`).
        url: String,
    },
    /// The key URL is OSS's host but not the built-in key's file: OSS may have rotated its key.
    /// Fetch that URL, check and cache the key, and verify with [`CallbackPublicKey::from_pem`].
    #[error("public key URL {url:?} is not the built-in key {OSS_PUBLIC_KEY_URL}; fetch it and pass it as a PEM key")]
    UnknownPublicKey {
        /// The decoded URL.
        url: String,
    },
    /// A PEM key the application supplied cannot be read.
    #[error("invalid public key: {reason}")]
    InvalidPublicKey {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The signature does not verify over path, query and body with the key.
    #[error("the signature does not match the request's path, query and body")]
    SignatureMismatch,
    /// The `Content-Type` is neither of the two types OSS sends.
    #[error("content type {content_type:?} is not application/x-www-form-urlencoded or application/json")]
    UnsupportedContentType {
        /// The header's value.
        content_type: String,
    },
    /// The signed body cannot be read as its type says.
    #[error("the callback body is not valid {body_type}: {reason}")]
    InvalidBody {
        /// The MIME type it was read as.
        body_type: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// An upload-callback request as received: path, query and body bytes untouched, and the
/// headers' values.
///
/// Give the path as it appears in the request line (percent-encoded, without the query) and
/// the query without its `?`; most frameworks have a "raw" accessor for both
/// (`uri.path()` / `uri.query()` in `http`). Read the body as bytes, never re-serialised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackRequest<'a> {
    path: &'a str,
    query: Option<&'a str>,
    body: &'a [u8],
    authorization: &'a str,
    pub_key_url: &'a str,
    content_type: Option<&'a str>,
}

impl<'a> CallbackRequest<'a> {
    /// A request for `path` (percent-encoded, as received) with `body` (raw bytes).
    pub fn new(path: &'a str, body: &'a [u8]) -> Self {
        Self { path, query: None, body, authorization: "", pub_key_url: "", content_type: None }
    }

    /// The raw query, without `?` (an empty query counts as none).
    #[must_use]
    pub fn query(mut self, query: &'a str) -> Self {
        self.query = Some(query);
        self
    }

    /// Replaces the body.
    #[must_use]
    pub fn body(mut self, body: &'a [u8]) -> Self {
        self.body = body;
        self
    }

    /// The `authorization` header's value.
    #[must_use]
    pub fn authorization(mut self, value: &'a str) -> Self {
        self.authorization = value;
        self
    }

    /// The `x-oss-pub-key-url` header's value.
    #[must_use]
    pub fn pub_key_url(mut self, value: &'a str) -> Self {
        self.pub_key_url = value;
        self
    }

    /// The `Content-Type` header's value. Without it the body's type is detected: JSON when
    /// its first non-blank byte is `{`, else form-urlencoded.
    #[must_use]
    pub fn content_type(mut self, value: &'a str) -> Self {
        self.content_type = Some(value);
        self
    }

    /// Checks the request against `key` and parses its body.
    ///
    /// Order: `authorization` (present, base64), `x-oss-pub-key-url` (present, base64, on
    /// `gosspublic.alicdn.com`; for the built-in key, its file), the signature, then the body.
    /// Nothing is parsed before the signature verifies, except the two headers.
    ///
    /// # Errors
    /// A [`CallbackRequestError`] naming the first step that failed.
    pub fn verify(&self, key: &CallbackPublicKey) -> Result<VerifiedCallback, CallbackRequestError> {
        let signature = decode_authorization(self.authorization)?;
        let url = decode_key_url(self.pub_key_url)?;
        // The prefix check passed, so the file name follows the host's `/`.
        let file = url.split_once("alicdn.com/").map(|(_, file)| file);
        if key.is_oss() && file != Some(OSS_PUBLIC_KEY_FILE) {
            return Err(CallbackRequestError::UnknownPublicKey { url });
        }
        let digest = Md5::digest(self.string_to_sign());
        key.rsa()
            .verify(Pkcs1v15Sign::new::<Md5>(), &digest, &signature)
            .map_err(|_| CallbackRequestError::SignatureMismatch)?;
        let body_type = self.body_type()?;
        VerifiedCallback::parse(body_type, self.body)
    }

    /// The signed string: `url_decode(path)`, `?` and the query when there is one, `\n`, body.
    pub fn string_to_sign(&self) -> Vec<u8> {
        let query = self.query.filter(|q| !q.is_empty());
        let mut text = Vec::with_capacity(self.path.len() + query.map_or(0, |q| q.len() + 1) + 1 + self.body.len());
        text.extend(percent::decode_lossy(self.path.as_bytes(), false).0);
        if let Some(query) = query {
            text.push(b'?');
            text.extend_from_slice(query.as_bytes());
        }
        text.push(b'\n');
        text.extend_from_slice(self.body);
        text
    }

    fn body_type(&self) -> Result<CallbackBodyType, CallbackRequestError> {
        let Some(content_type) = self.content_type else {
            let first = self.body.iter().find(|b| !b.is_ascii_whitespace());
            return Ok(if first == Some(&b'{') { CallbackBodyType::Json } else { CallbackBodyType::FormUrlEncoded });
        };
        let mime = content_type.split(';').next().unwrap_or_default().trim();
        [CallbackBodyType::FormUrlEncoded, CallbackBodyType::Json]
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(mime))
            .ok_or_else(|| CallbackRequestError::UnsupportedContentType { content_type: content_type.to_owned() })
    }
}

/// The signature bytes of the `authorization` header.
fn decode_authorization(value: &str) -> Result<Vec<u8>, CallbackRequestError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(CallbackRequestError::MissingAuthorization);
    }
    if value.len() > MAX_AUTHORIZATION_LEN {
        return Err(CallbackRequestError::InvalidAuthorization);
    }
    base64::engine::general_purpose::STANDARD.decode(value).map_err(|_| CallbackRequestError::InvalidAuthorization)
}

/// The key URL of the `x-oss-pub-key-url` header, checked against the allowed prefixes.
fn decode_key_url(value: &str) -> Result<String, CallbackRequestError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(CallbackRequestError::MissingPublicKeyUrl);
    }
    if value.len() > MAX_KEY_URL_LEN {
        return Err(CallbackRequestError::InvalidPublicKeyUrl);
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value)
        .map_err(|_| CallbackRequestError::InvalidPublicKeyUrl)?;
    let url = String::from_utf8(bytes).map_err(|_| CallbackRequestError::InvalidPublicKeyUrl)?;
    // A prefix test, case-sensitive as documented; whitespace and control characters, which
    // URL parsers strip or reject, are refused too.
    let allowed = ALLOWED_KEY_URL_PREFIXES.iter().any(|prefix| url.starts_with(prefix))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if allowed { Ok(url) } else { Err(CallbackRequestError::PublicKeyUrlNotAllowed { url }) }
}
