//! Presigned URLs: a PUT, GET, HEAD, POST or DELETE on one object, signed in its query string
//! with V4 (OSS4-HMAC-SHA256), plus the headers the client must send.
//!
//! The second way Alibaba documents for a browser to reach OSS directly, beside the POST form:
//! the service signs the request, the browser sends it. The trap every SDK tracker knows is a
//! header the signature did not expect: V4 signs every `x-oss-*` header, `Content-Type` and
//! `Content-MD5` the client sends, so a browser that adds a `Content-Type` the service did not
//! pin gets `SignatureDoesNotMatch`. A [`PresignedUrl`] therefore carries, next to the URL,
//! exactly the headers that were signed: the client sends those and no other `x-oss-*`,
//! `Content-Type` or `Content-MD5` (the Go SDK's `PresignResult` does the same).
//!
//! The rules and their sources are in `docs/oss-rules.md` §10.
//!
//! ```
//! use oss_post_policy::{Bucket, Credentials, Presign, Region, Signer};
//! use oss_post_policy::time::{Duration, OffsetDateTime};
//!
//! let signer = Signer::new(Credentials::example(), Region::new("cn-hangzhou")?);
//! let now = OffsetDateTime::from_unix_timestamp(1_732_687_781).expect("2024-11-27T06:09:41Z");
//! let put = Presign::put(Bucket::new("examplebucket")?, "user-dir/cat photo.png")
//!     .header("Content-Type", "image/png")
//!     .expires_in(Duration::minutes(10))
//!     .sign_at(&signer, now)?;
//! assert!(put.url().starts_with(
//!     "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/user-dir/cat%20photo.png?x-oss-credential="
//! ));
//! assert_eq!(put.headers(), [("Content-Type".to_owned(), "image/png".to_owned())]);
//! let json = serde_json::to_value(&put).expect("serialising to a Value cannot fail");
//! assert_eq!(json["method"], "PUT");
//! assert_eq!(json["headers"]["Content-Type"], "image/png");
//! assert_eq!(json["expiration"], "2024-11-27T06:19:41Z");
//! # Ok::<(), oss_post_policy::Error>(())
//! ```

pub(crate) mod canonical_request;
mod presigned_url;

use std::fmt;
use std::str::FromStr;

use time::{Duration, OffsetDateTime};

use crate::error::{Error, Result};
use crate::field::{CREDENTIAL, DATE, SECURITY_TOKEN, SIGNATURE_V4, SIGNATURE_VERSION};
use crate::percent::encode;
use crate::region::{Bucket, Endpoint};
use crate::signature::{ALGORITHM_V4, SignatureVersion};
use crate::signer::Signer;
use crate::temp_upload::MAX_KEY_BYTES;
use crate::time_fmt;
use canonical_request::{CanonicalRequest, canonical_query, key_path, signed_by_default, string_to_sign};
pub use presigned_url::PresignedUrl;
pub(crate) use presigned_url::redact_query;

/// `x-oss-expires`: seconds from `x-oss-date`.
pub(crate) const EXPIRES: &str = "x-oss-expires";
/// `x-oss-additional-headers`: the signed headers beyond the default ones.
pub(crate) const ADDITIONAL_HEADERS: &str = "x-oss-additional-headers";
/// The longest `x-oss-expires` OSS accepts: 7 days.
pub const MAX_EXPIRES_IN: Duration = Duration::days(7);
/// The lifetime of a presigned URL unless told otherwise: one hour.
pub const DEFAULT_EXPIRES_IN: Duration = Duration::hours(1);

/// Query parameters the signer writes: a request cannot set them (any letter case).
pub(crate) const RESERVED_QUERY: [&str; 7] =
    [SIGNATURE_VERSION, CREDENTIAL, DATE, EXPIRES, SECURITY_TOKEN, ADDITIONAL_HEADERS, SIGNATURE_V4];

/// The HTTP method a presigned URL is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HttpMethod {
    /// `GET`: download.
    Get,
    /// `PUT`: upload.
    Put,
    /// `HEAD`: metadata.
    Head,
    /// `POST`: e.g. `?uploads` (multipart upload) or `?append`.
    Post,
    /// `DELETE`.
    Delete,
}

impl HttpMethod {
    /// The method as sent: `GET`, `PUT`, ...
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Put => "PUT",
            Self::Head => "HEAD",
            Self::Post => "POST",
            Self::Delete => "DELETE",
        }
    }
}

impl FromStr for HttpMethod {
    type Err = Error;

    /// Parses a method name in upper case, as HTTP sends it.
    fn from_str(s: &str) -> Result<Self> {
        [Self::Get, Self::Put, Self::Head, Self::Post, Self::Delete]
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| Error::InvalidMethod { method: s.to_owned() })
    }
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request to presign: method, bucket, object key, and what the signature pins.
///
/// Headers given with [`Presign::header`] are signed and returned in
/// [`PresignedUrl::headers`]. V4 signs `x-oss-*`, `Content-Type` and `Content-MD5` by itself;
/// any other header (`Cache-Control`, `Content-Disposition`, ...) must also be named with
/// [`Presign::additional_header`] (listed in `x-oss-additional-headers`), and every additional
/// header must be given a value. All checks run in [`Presign::sign_at`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Presign {
    method: HttpMethod,
    bucket: Bucket,
    key: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    additional_headers: Vec<String>,
    expires_in: Duration,
    endpoint: Endpoint,
}

impl Presign {
    /// A `method` request on `key` in `bucket`, valid for [`DEFAULT_EXPIRES_IN`], at the
    /// region's public endpoint.
    pub fn new(method: HttpMethod, bucket: Bucket, key: impl Into<String>) -> Self {
        Self {
            method,
            bucket,
            key: key.into(),
            query: Vec::new(),
            headers: Vec::new(),
            additional_headers: Vec::new(),
            expires_in: DEFAULT_EXPIRES_IN,
            endpoint: Endpoint::Public,
        }
    }

    /// A download: `GET`.
    pub fn get(bucket: Bucket, key: impl Into<String>) -> Self {
        Self::new(HttpMethod::Get, bucket, key)
    }

    /// An upload: `PUT`.
    pub fn put(bucket: Bucket, key: impl Into<String>) -> Self {
        Self::new(HttpMethod::Put, bucket, key)
    }

    /// Adds a query parameter, e.g. `response-content-type`, `versionId`, `x-oss-process`;
    /// an empty value is a bare name (`uploads`). Names and values are encoded for you.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Pins a header: the client must send it with exactly this value (`Content-Type`,
    /// `Content-MD5`, `x-oss-meta-*`, `x-oss-forbid-overwrite`, `x-oss-storage-class`, ...).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Names a pinned header that V4 does not sign by default (any letter case).
    pub fn additional_header(mut self, name: impl Into<String>) -> Self {
        self.additional_headers.push(name.into());
        self
    }

    /// How long the URL stays valid after signing: 1 second to 7 days, whole seconds
    /// (default one hour).
    pub fn expires_in(mut self, expires_in: Duration) -> Self {
        self.expires_in = expires_in;
        self
    }

    /// Where the request goes (default: the region's public endpoint). A custom domain names
    /// the bucket by itself; the signature still covers `/bucket/key`.
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// Signs the request with `signer` at `now`.
    ///
    /// # Errors
    /// [`Error::PresignNeedsV4`] for a V1 signer; [`Error::InvalidObjectKey`] for an empty
    /// key, [`Error::KeyTooLong`] over 1023 bytes; [`Error::InvalidExpiresIn`] outside 1 to
    /// 604800 whole seconds; [`Error::InvalidQueryParameter`] for an empty, reserved or repeated
    /// name; [`Error::InvalidHeaderName`], [`Error::InvalidHeaderValue`],
    /// [`Error::HeaderNotSigned`] and [`Error::AdditionalHeaderNotGiven`] for the headers;
    /// [`Error::TimeOutOfRange`] and [`Error::ValidityOutOfRange`] for times OSS cannot write.
    pub fn sign_at(&self, signer: &Signer, now: OffsetDateTime) -> Result<PresignedUrl> {
        if signer.version() != SignatureVersion::V4 {
            return Err(Error::PresignNeedsV4);
        }
        self.check_key()?;
        let expires = self.expires_seconds()?;
        let now = time_fmt::normalize(now)?;
        let expiration = now
            .checked_add(self.expires_in)
            .and_then(|t| time_fmt::normalize(t).ok())
            .ok_or(Error::ValidityOutOfRange { validity: self.expires_in, now })?;
        let (headers, additional) = self.signed_headers()?;
        let stamp = signer.stamp(now);
        let (credential, x_oss_date) = stamp.v4().expect("a V4 signer stamps V4 fields");
        let token = signer.credentials().security_token();

        let mut query = self.user_query()?;
        query.extend([
            (SIGNATURE_VERSION.to_owned(), ALGORITHM_V4.to_owned()),
            (CREDENTIAL.to_owned(), encode(credential.as_bytes())),
            (DATE.to_owned(), x_oss_date.to_owned()),
            (EXPIRES.to_owned(), expires.to_string()),
        ]);
        query.extend(token.map(|t| (SECURITY_TOKEN.to_owned(), encode(t.as_bytes()))));
        if !additional.is_empty() {
            query.push((ADDITIONAL_HEADERS.to_owned(), encode(additional.as_bytes())));
        }
        query.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let query = canonical_query(&query);

        let canonical_headers: Vec<(String, String)> =
            headers.iter().map(|(name, value)| (name.to_ascii_lowercase(), value.clone())).collect();
        let canonical = CanonicalRequest {
            method: self.method.as_str(),
            bucket: self.bucket.as_str(),
            key: self.key.as_bytes(),
            query: &query,
            headers: &canonical_headers,
            additional_headers: &additional,
        }
        .to_text();
        let scope = credential.split_once('/').map_or(credential, |(_, scope)| scope);
        let signature = signer.sign_v4(now.date(), string_to_sign(x_oss_date, scope, &canonical).as_bytes());

        let mut url = signer.region().upload_url(&self.bucket, &self.endpoint);
        url.push_str(&key_path(self.key.as_bytes()));
        url.reserve(query.len() + SIGNATURE_V4.len() + signature.len() + 2);
        url.extend(["?", &query, "&", SIGNATURE_V4, "=", &signature]);
        Ok(PresignedUrl::new(self.method, url, headers, expiration))
    }

    /// [`Presign::sign_at`] with the system clock.
    ///
    /// # Errors
    /// As [`Presign::sign_at`].
    pub fn sign(&self, signer: &Signer) -> Result<PresignedUrl> {
        self.sign_at(signer, OffsetDateTime::now_utc())
    }

    fn check_key(&self) -> Result<()> {
        if self.key.is_empty() {
            return Err(Error::InvalidObjectKey { key: String::new(), reason: "it is empty" });
        }
        if self.key.len() > MAX_KEY_BYTES {
            return Err(Error::KeyTooLong { key: self.key.clone(), bytes: self.key.len() });
        }
        Ok(())
    }

    /// `x-oss-expires`: whole seconds, 1 to 604800 ([EC-0002-00000232]).
    fn expires_seconds(&self) -> Result<i64> {
        let whole = self.expires_in.whole_seconds();
        if self.expires_in.subsec_nanoseconds() != 0 || whole < 1 || self.expires_in > MAX_EXPIRES_IN {
            return Err(Error::InvalidExpiresIn { expires_in: self.expires_in });
        }
        Ok(whole)
    }

    /// The caller's query parameters, encoded, refusing empty, reserved and repeated names.
    fn user_query(&self) -> Result<Vec<(String, String)>> {
        let mut out: Vec<(String, String)> = Vec::with_capacity(self.query.len() + 7);
        for (name, value) in &self.query {
            let refuse = |reason| Err(Error::InvalidQueryParameter { name: name.clone(), reason });
            if name.is_empty() {
                return refuse("it is empty");
            }
            if RESERVED_QUERY.iter().any(|r| r.eq_ignore_ascii_case(name)) {
                return refuse("it is written by the signer");
            }
            let encoded = encode(name.as_bytes());
            if out.iter().any(|(n, _)| *n == encoded) {
                return refuse("it is given twice");
            }
            out.push((encoded, encode(value.as_bytes())));
        }
        Ok(out)
    }

    /// The headers to send, sorted by lower-case name with trimmed values, and
    /// `x-oss-additional-headers`.
    fn signed_headers(&self) -> Result<(Vec<(String, String)>, String)> {
        let mut headers = Vec::with_capacity(self.headers.len());
        for (name, value) in &self.headers {
            check_header_name(name)?;
            let value = check_header_value(name, value)?;
            if headers.iter().any(|(n, _): &(String, String)| n.eq_ignore_ascii_case(name)) {
                return Err(Error::InvalidHeaderName { name: name.clone(), reason: "it is given twice" });
            }
            headers.push((name.clone(), value.to_owned()));
        }
        let mut additional = Vec::with_capacity(self.additional_headers.len());
        for name in &self.additional_headers {
            check_header_name(name)?;
            let lower = name.to_ascii_lowercase();
            if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(&lower)) {
                return Err(Error::AdditionalHeaderNotGiven { name: lower });
            }
            // Signed anyway, and never listed (as the Go and Python SDKs do).
            if !signed_by_default(&lower) && !additional.contains(&lower) {
                additional.push(lower);
            }
        }
        if let Some((name, _)) = headers.iter().find(|(n, _)| {
            let lower = n.to_ascii_lowercase();
            !signed_by_default(&lower) && !additional.contains(&lower)
        }) {
            return Err(Error::HeaderNotSigned { name: name.clone() });
        }
        additional.sort_unstable();
        headers.sort_by_cached_key(|(n, _)| n.to_ascii_lowercase());
        Ok((headers, additional.join(";")))
    }
}

/// An HTTP field name: one or more token characters (RFC 9110 §5.1).
fn check_header_name(name: &str) -> Result<()> {
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    let reason = if name.is_empty() {
        "it is empty"
    } else if !name.bytes().all(token) {
        "only letters, digits and !#$%&'*+-.^_`|~ are allowed"
    } else {
        return Ok(());
    };
    Err(Error::InvalidHeaderName { name: name.to_owned(), reason })
}

/// The value without surrounding spaces and tabs (which HTTP drops), if it is non-empty
/// visible ASCII, spaces and tabs: CR, LF and other control characters would split the request,
/// and browsers cannot send other characters as signed.
fn check_header_value<'a>(name: &str, value: &'a str) -> Result<&'a str> {
    let trimmed = value.trim_matches([' ', '\t']);
    let reason = if trimmed.is_empty() {
        "it is empty"
    } else if !trimmed.bytes().all(|b| b == b' ' || b == b'\t' || b.is_ascii_graphic()) {
        "only visible ASCII, spaces and tabs are allowed"
    } else {
        return Ok(trimmed);
    };
    Err(Error::InvalidHeaderValue { name: name.to_owned(), value: value.to_owned(), reason })
}

#[cfg(test)]
mod tests;
