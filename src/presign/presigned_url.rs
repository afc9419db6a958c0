//! The signed request a presigner returns, as a browser reads it.

use std::fmt;

use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};
use time::OffsetDateTime;

use super::HttpMethod;
use crate::field::{REDACTED, SECURITY_TOKEN, SIGNATURE_V4};
use crate::percent::decode;
use crate::time_fmt;

/// A signed request: the method, the URL, the headers the client must send, the expiration.
///
/// Serialises for a browser as `{"method", "url", "headers": {name: value}, "expiration"}`,
/// the expiration in RFC 3339 (`2024-11-27T06:19:41Z`). `Debug` redacts `x-oss-signature` and
/// `x-oss-security-token`: the URL grants access to whoever holds it, and with STS credentials
/// it carries the token by design.
#[derive(Clone, PartialEq, Eq)]
pub struct PresignedUrl {
    method: HttpMethod,
    url: String,
    headers: Vec<(String, String)>,
    expiration: OffsetDateTime,
}

impl PresignedUrl {
    /// A signed request (made by [`Presign::sign_at`](super::Presign::sign_at) only).
    pub(super) fn new(
        method: HttpMethod,
        url: String,
        headers: Vec<(String, String)>,
        expiration: OffsetDateTime,
    ) -> Self {
        Self { method, url, headers, expiration }
    }

    /// The method to send.
    pub fn method(&self) -> HttpMethod {
        self.method
    }

    /// The URL, its query signed.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The headers the client must send, exactly these values, sorted by lower-case name:
    /// every one was signed, so every one stays here.
    ///
    /// `Content-Length`, when pinned (`.header("Content-Length", n)` with
    /// `.additional_header("content-length")`), is one of them, but HTTP clients write it
    /// themselves from the body: browsers ignore it (`fetch` and `XMLHttpRequest` treat it as a
    /// forbidden header name), and with other clients (curl `-H`, reqwest `.header`) a value set
    /// by hand replaces or doubles the one they compute. Skip it when copying these headers and
    /// send a body of exactly that many bytes: the client's own `Content-Length` is then the
    /// signed value.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// When the URL stops working: signing time plus `x-oss-expires`.
    pub fn expiration(&self) -> OffsetDateTime {
        self.expiration
    }
}

impl Serialize for PresignedUrl {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        struct Headers<'a>(&'a [(String, String)]);
        impl Serialize for Headers<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(self.0.len()))?;
                for (name, value) in self.0 {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
        }
        let mut s = serializer.serialize_struct("PresignedUrl", 4)?;
        s.serialize_field("method", self.method.as_str())?;
        s.serialize_field("url", &self.url)?;
        s.serialize_field("headers", &Headers(&self.headers))?;
        s.serialize_field("expiration", &time_fmt::rfc3339(self.expiration))?;
        s.end()
    }
}

impl fmt::Debug for PresignedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PresignedUrl")
            .field("method", &self.method)
            .field("url", &redact_query(&self.url))
            .field("headers", &self.headers)
            .field("expiration", &self.expiration)
            .finish()
    }
}

/// `url` (or a bare query) with the values of `x-oss-signature` and `x-oss-security-token`
/// replaced by `<redacted>`: whoever holds a presigned URL may use it. Names are compared
/// percent-decoded, as the verifier reads them (`x-oss-%73ignature` is the signature).
pub(crate) fn redact_query(url: &str) -> String {
    let (mut shown, query) = match url.split_once('?') {
        Some((base, query)) => (format!("{base}?"), query),
        None => (String::new(), url),
    };
    for (i, pair) in query.split('&').enumerate() {
        let name = pair.split_once('=').map_or(pair, |(n, _)| n);
        if i > 0 {
            shown.push('&');
        }
        let decoded = decode(name, true);
        if [SIGNATURE_V4, SECURITY_TOKEN].iter().any(|s| decoded.as_deref() == Some(s.as_bytes())) {
            shown.extend([name, "=", REDACTED]);
        } else {
            shown.push_str(pair);
        }
    }
    shown
}
