//! The V4 canonical request and string to sign of a request signed in its query
//! (`docs/oss-rules.md` §10), shared by the presigner and the verifier.
//!
//! ```text
//! CanonicalRequest = HTTP verb + "\n" + canonical URI + "\n" + canonical query + "\n"
//!                  + canonical headers + "\n" + additional headers + "\n" + hashed payload
//! StringToSign     = "OSS4-HMAC-SHA256" + "\n" + x-oss-date + "\n" + scope + "\n"
//!                  + hex(SHA-256(CanonicalRequest))
//! ```

use sha2::{Digest, Sha256};

use crate::percent::encode_into;
use crate::signature::ALGORITHM_V4;

/// The hashed payload of a presigned request: the body is not signed.
pub(crate) const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The header whose value, when signed, replaces [`UNSIGNED_PAYLOAD`] (as the Go and Python
/// SDKs do).
pub(crate) const CONTENT_SHA256: &str = "x-oss-content-sha256";

/// The object's path in the URL, `/` + the key encoded with its `/` kept.
pub(crate) fn key_path(key: &[u8]) -> String {
    let mut out = String::with_capacity(key.len() + 1);
    out.push('/');
    encode_into(&mut out, key, true);
    out
}

/// The canonical query: encoded `(name, value)` pairs, already sorted by name, joined with `&`;
/// an empty value is written as the bare name. It is also the URL's query, before the signature.
pub(crate) fn canonical_query(pairs: &[(String, String)]) -> String {
    let mut out = String::with_capacity(pairs.iter().map(|(n, v)| n.len() + v.len() + 2).sum());
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        if !value.is_empty() {
            out.push('=');
            out.push_str(value);
        }
    }
    out
}

/// Whether V4 signs the header `lower` (a lower-case name) without being told: every
/// `x-oss-*`, `content-type` and `content-md5`.
pub(crate) fn signed_by_default(lower: &str) -> bool {
    lower.starts_with("x-oss-") || lower == "content-type" || lower == "content-md5"
}

/// The parts of a canonical request: `query` is the [`canonical_query`], `headers` lower-case
/// names with trimmed values sorted by name.
pub(crate) struct CanonicalRequest<'a> {
    pub(crate) method: &'a str,
    pub(crate) bucket: &'a str,
    /// The object key's bytes (a verifier may receive any).
    pub(crate) key: &'a [u8],
    pub(crate) query: &'a str,
    pub(crate) headers: &'a [(String, String)],
    /// `x-oss-additional-headers` as signed: lower-case names, sorted, `;`-joined.
    pub(crate) additional_headers: &'a str,
}

impl CanonicalRequest<'_> {
    /// The canonical request text.
    pub(crate) fn to_text(&self) -> String {
        let mut out = String::with_capacity(256 + self.query.len());
        out.push_str(self.method);
        out.push_str("\n/");
        // The bucket is part of the URI even for virtual-hosted URLs.
        encode_into(&mut out, self.bucket.as_bytes(), true);
        out.push('/');
        encode_into(&mut out, self.key, true);
        out.push('\n');
        out.push_str(self.query);
        out.push('\n');
        let mut payload = UNSIGNED_PAYLOAD;
        for (name, value) in self.headers {
            out.extend([name.as_str(), ":", value.as_str(), "\n"]);
            if name == CONTENT_SHA256 {
                payload = value;
            }
        }
        out.extend(["\n", self.additional_headers, "\n", payload]);
        out
    }
}

/// `OSS4-HMAC-SHA256\n<x-oss-date>\n<scope>\nhex(SHA-256(canonical request))`, the scope being
/// the credential without its AccessKey id: `<YYYYMMDD>/<region>/<product>/aliyun_v4_request`.
pub(crate) fn string_to_sign(x_oss_date: &str, scope: &str, canonical_request: &str) -> String {
    let mut hash = [0u8; 64];
    hex::encode_to_slice(Sha256::digest(canonical_request.as_bytes()), &mut hash).expect("32 bytes fill 64 digits");
    let hash = std::str::from_utf8(&hash).expect("hex digits are ASCII");
    [ALGORITHM_V4, "\n", x_oss_date, "\n", scope, "\n", hash].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_request_has_the_documented_lines() {
        let query = canonical_query(&[("a".to_owned(), String::new()), ("b".to_owned(), "1%202".to_owned())]);
        assert_eq!(query, "a&b=1%202");
        let headers = [("content-type".to_owned(), "text/plain".to_owned()), ("zz".to_owned(), "v".to_owned())];
        let text = CanonicalRequest {
            method: "PUT",
            bucket: "bucket",
            key: b"k/1.txt",
            query: &query,
            headers: &headers,
            additional_headers: "zz",
        }
        .to_text();
        assert_eq!(key_path("a b/é".as_bytes()), "/a%20b/%C3%A9");
        assert_eq!(text, "PUT\n/bucket/k/1.txt\na&b=1%202\ncontent-type:text/plain\nzz:v\n\nzz\nUNSIGNED-PAYLOAD");
        let pinned = [(CONTENT_SHA256.to_owned(), "abc".to_owned())];
        let text = CanonicalRequest {
            method: "GET",
            bucket: "b",
            key: b"",
            query: "",
            headers: &pinned,
            additional_headers: "",
        }
        .to_text();
        assert_eq!(text, "GET\n/b/\n\nx-oss-content-sha256:abc\n\n\nabc");
    }

    #[test]
    fn string_to_sign_hashes_the_canonical_request() {
        // SHA-256 of "" (FIPS 180-2).
        assert_eq!(
            string_to_sign("20231217T025437Z", "20231217/cn-hangzhou/oss/aliyun_v4_request", ""),
            "OSS4-HMAC-SHA256\n20231217T025437Z\n20231217/cn-hangzhou/oss/aliyun_v4_request\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
