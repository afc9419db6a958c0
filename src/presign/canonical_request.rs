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

use crate::signature::ALGORITHM_V4;

/// The hashed payload of a presigned request: the body is not signed.
pub(crate) const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The header whose value, when signed, replaces [`UNSIGNED_PAYLOAD`] (as the Go and Python
/// SDKs do).
pub(crate) const CONTENT_SHA256: &str = "x-oss-content-sha256";

/// RFC 3986 unreserved characters, `A-Z a-z 0-9 - . _ ~`, by byte.
const UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b: u8 = 0;
    loop {
        table[b as usize] = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
        if b == u8::MAX {
            break table;
        }
        b += 1;
    }
};

/// Appends `bytes` percent-encoded: RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`)
/// stay, and `/` too when `keep_slash`; every other byte is `%XX` in upper-case hex (a space is
/// `%20`, never `+`).
pub(crate) fn encode_into(out: &mut String, bytes: &[u8], keep_slash: bool) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let kept = |b: u8| UNRESERVED[usize::from(b)] || (keep_slash && b == b'/');
    // Written as bytes (runs of kept bytes copied whole), checked as UTF-8 once: every byte
    // written is ASCII.
    let mut buf = std::mem::take(out).into_bytes();
    buf.reserve(bytes.len());
    let mut rest = bytes;
    while let Some(at) = rest.iter().position(|&b| !kept(b)) {
        let b = rest[at];
        buf.extend_from_slice(&rest[..at]);
        buf.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
        rest = &rest[at + 1..];
    }
    buf.extend_from_slice(rest);
    *out = String::from_utf8(buf).expect("percent-encoding writes ASCII");
}

/// `bytes` percent-encoded, `/` included.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    encode_into(&mut out, bytes, false);
    out
}

/// Decodes `%XX` (two hex digits; and, in a query, `+` as a space); `None` for a broken escape.
pub(crate) fn decode(text: &str, plus_is_space: bool) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                // Checked digit by digit: `u8::from_str_radix` alone would also read "+F".
                let hex = bytes.get(i + 1..i + 3).filter(|h| h.iter().all(u8::is_ascii_hexdigit))?;
                out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Some(out)
}

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
    fn only_unreserved_characters_stay() {
        let all: Vec<u8> = (0..=255).collect();
        let encoded = encode(&all);
        // Python's urllib.parse.quote(bytes(range(256)), safe="~") writes the same text.
        assert!(encoded.starts_with("%00%01"));
        assert!(encoded.contains("%20%21%22%23%24%25%26%27%28%29%2A%2B%2C-.%2F0123456789%3A"));
        assert!(
            encoded.contains("%40ABCDEFGHIJKLMNOPQRSTUVWXYZ%5B%5C%5D%5E_%60abcdefghijklmnopqrstuvwxyz%7B%7C%7D~%7F")
        );
        assert!(encoded.ends_with("%FE%FF"));
        assert_eq!(key_path("a b/c+d//é~".as_bytes()), "/a%20b/c%2Bd//%C3%A9~");
        assert_eq!(encode(b"a/b"), "a%2Fb");
    }

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
