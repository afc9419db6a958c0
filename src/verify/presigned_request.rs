//! The request a presigned-URL check reads, and what it returns when it accepts one.

use std::fmt;

use time::OffsetDateTime;

use crate::field::{
    ACCESS_KEY_ID_V1, CREDENTIAL, DATE, REDACTED, SECURITY_TOKEN, SIGNATURE_V1, SIGNATURE_V4, SIGNATURE_VERSION,
};
use crate::percent::decode;
use crate::presign::{ADDITIONAL_HEADERS, EXPIRES, redact_query};

/// A request as a server received it: method, raw path, raw query, headers.
///
/// The path and query are given as sent (percent-encoded). With [`PresignedRequest::new`] and
/// [`PresignedRequest::from_url`] the path is `/` + the object key, as on a virtual-hosted or
/// custom-domain URL (the bucket is the [`Verifier`](super::Verifier)'s); with [`PresignedRequest::path_style`]
/// it is `/<bucket>/<key>`, and the verifier checks the bucket is its own. Either way the
/// canonical request signs `/<bucket>/<key>` (`docs/oss-rules.md` §13). `Debug` redacts
/// `x-oss-signature` and `x-oss-security-token` in the query, and the `Authorization` and
/// `x-oss-security-token` headers.
///
/// ```
/// use oss_post_policy::verify::{PresignedRequest, Verifier};
/// use oss_post_policy::{Bucket, Credentials, Presign, Region, Signer};
/// use oss_post_policy::time::{Duration, OffsetDateTime};
///
/// let (bucket, region) = (Bucket::new("examplebucket")?, Region::new("cn-hangzhou")?);
/// let signer = Signer::new(Credentials::example(), region.clone());
/// let now = OffsetDateTime::from_unix_timestamp(1_732_687_781)?; // 2024-11-27T06:09:41Z
/// let url = Presign::put(bucket.clone(), "user-dir/cat.png")
///     .header("Content-Type", "image/png")
///     .sign_at(&signer, now)?;
///
/// let verifier = Verifier::new(bucket, region);
/// let sent = PresignedRequest::from_url("PUT", url.url()).with_headers(url.headers().iter().cloned());
/// let accepted = verifier.verify_presigned_at(&sent, &Credentials::example(), now + Duration::minutes(5))?;
/// assert_eq!(accepted.key, "user-dir/cat.png");
///
/// // The browser sent another Content-Type: OSS answers SignatureDoesNotMatch.
/// let other = PresignedRequest::from_url("PUT", url.url()).with_header("Content-Type", "image/jpeg");
/// let refused = verifier.verify_presigned_at(&other, &Credentials::example(), now).unwrap_err();
/// assert_eq!((refused.code(), refused.http_status()), ("SignatureDoesNotMatch", 403));
/// assert!(refused.details().any(|(name, _)| name == "StringToSign"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PresignedRequest {
    pub(super) method: String,
    /// The bucket named by a path-style path, as sent.
    pub(super) bucket: Option<String>,
    /// `/` + the object key, as sent.
    pub(super) path: String,
    pub(super) query: String,
    pub(super) headers: Vec<(String, String)>,
}

impl PresignedRequest {
    /// A request with `method`, the raw `path` (e.g. `/user-dir/cat%20photo.png`) and the raw
    /// `query` (without `?`), without headers.
    pub fn new(method: impl Into<String>, path: impl Into<String>, query: impl Into<String>) -> Self {
        Self { method: method.into(), bucket: None, path: path.into(), query: query.into(), headers: Vec::new() }
    }

    /// A request to a path-style URL: `raw_path` is `/<bucket>/<key>` (e.g.
    /// `/examplebucket/user-dir/cat%20photo.png`, as a server mounted at the root of a
    /// path-style endpoint receives it; cut any prefix of your own first). The verifier answers
    /// `NoSuchBucket` (404) when `<bucket>` is not its bucket.
    ///
    /// ```
    /// use oss_post_policy::verify::PresignedRequest;
    ///
    /// let path_style = PresignedRequest::path_style("GET", "/examplebucket/a%20b.txt", "x-oss-expires=60");
    /// let virtual_hosted = PresignedRequest::new("GET", "/a%20b.txt", "x-oss-expires=60");
    /// assert_eq!(path_style.path(), virtual_hosted.path());
    /// assert_eq!(path_style.bucket(), Some("examplebucket"));
    /// ```
    pub fn path_style(method: impl Into<String>, raw_path: &str, query: impl Into<String>) -> Self {
        let rest = raw_path.strip_prefix('/').unwrap_or(raw_path);
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        Self { bucket: Some(bucket.to_owned()), ..Self::new(method, format!("/{key}"), query) }
    }

    /// The path and query of `url` (`https://host/path?query`, or `/path?query`); a
    /// `#fragment` is dropped, as a browser never sends it.
    pub fn from_url(method: impl Into<String>, url: &str) -> Self {
        let url = url.split_once('#').map_or(url, |(before, _)| before);
        let path_and_query = match url.split_once("://") {
            Some((_, rest)) => rest.find(['/', '?']).map_or("/", |at| &rest[at..]),
            None => url,
        };
        let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
        Self::new(method, path, query)
    }

    /// The bucket a path-style request names, as sent (`None` for [`PresignedRequest::new`]).
    pub fn bucket(&self) -> Option<&str> {
        self.bucket.as_deref()
    }

    /// `/` + the object key, as sent (without a path-style request's bucket).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Whether the query carries a signing parameter: any one of the V4 parameters the
    /// presigner writes (`x-oss-signature-version`, `x-oss-credential`, `x-oss-date`,
    /// `x-oss-expires`, `x-oss-security-token`, `x-oss-additional-headers`,
    /// `x-oss-signature`) or of a V1 URL's (`OSSAccessKeyId`, `Signature`), names compared
    /// exactly after percent-decoding.
    ///
    /// A request with none of them is anonymous: OSS answers it by the bucket's ACL, and
    /// [`Verifier::verify_presigned_at`](super::Verifier::verify_presigned_at) answers as a private bucket does (`AccessDenied`, 403).
    /// A server that also serves a public-read bucket checks this first and serves such a
    /// request without verifying it. A request with any of them is verified, and a broken one
    /// refused with the parameter at fault (`docs/oss-rules.md` §13). A request signed in its
    /// `Authorization` header is not presigned; this crate does not check header signatures.
    ///
    /// ```
    /// use oss_post_policy::verify::PresignedRequest;
    ///
    /// assert!(!PresignedRequest::new("GET", "/cat.png", "x-oss-process=image/resize,w_100").is_presigned());
    /// assert!(PresignedRequest::new("GET", "/cat.png", "x-oss-signature=00").is_presigned());
    /// assert!(PresignedRequest::new("GET", "/cat.png", "OSSAccessKeyId=LTAI&Expires=1&Signature=x").is_presigned());
    /// ```
    pub fn is_presigned(&self) -> bool {
        self.query.split('&').any(|pair| {
            let name = pair.split_once('=').map_or(pair, |(name, _)| name);
            let name = decode(name, true).unwrap_or_else(|| name.as_bytes().to_vec());
            SIGNING_PARAMETERS.iter().any(|p| p.as_bytes() == name)
        })
    }

    /// The same request with one more header (a name may come more than once).
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The same request with more headers.
    #[must_use]
    pub fn with_headers<N: Into<String>, V: Into<String>>(mut self, headers: impl IntoIterator<Item = (N, V)>) -> Self {
        self.headers.extend(headers.into_iter().map(|(n, v)| (n.into(), v.into())));
        self
    }
}

impl fmt::Debug for PresignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PresignedRequest")
            .field("method", &self.method)
            .field("bucket", &self.bucket)
            .field("path", &self.path)
            .field("query", &redact_query(&self.query))
            .field("headers", &redact_headers(&self.headers))
            .finish()
    }
}

/// The headers with the values of `Authorization` (a request signed in its header) and
/// `x-oss-security-token` redacted: a server passes every header it received.
fn redact_headers(headers: &[(String, String)]) -> Vec<(&str, &str)> {
    headers
        .iter()
        .map(|(name, value)| {
            let secret = [AUTHORIZATION, SECURITY_TOKEN].iter().any(|s| s.eq_ignore_ascii_case(name));
            (name.as_str(), if secret { REDACTED } else { value.as_str() })
        })
        .collect()
}

/// The header of a request signed in its header (not presigned).
const AUTHORIZATION: &str = "authorization";

/// A presigned request the verifier accepts: what it is for and who signed it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AcceptedRequest {
    /// The method, as sent.
    pub method: String,
    /// The object key (the path, decoded).
    pub key: String,
    /// The AccessKey id that signed it.
    pub access_key_id: String,
    /// When the URL stops working: `x-oss-date` plus `x-oss-expires`.
    pub expiration: OffsetDateTime,
    /// The query parameters besides the signature's own (`response-content-type`, `uploads`,
    /// `x-oss-process`, ...), decoded, in the order sent.
    pub parameters: Vec<(String, String)>,
    /// The names of the headers the signature covers, lower-case, sorted: every `x-oss-*`,
    /// `content-type` and `content-md5` the request carried, and the additional headers
    /// (`x-oss-additional-headers`). Any other header (`content-length`, `cache-control`, ...)
    /// is the client's to choose, whatever the URL's issuer meant: see
    /// [`AcceptedRequest::is_signed_header`].
    pub signed_headers: Vec<String>,
}

impl AcceptedRequest {
    /// Whether the signature covers the header `name` (any letter case), so that its value is
    /// the one the URL's issuer signed. A header not signed may have any value, or be absent.
    ///
    /// ```
    /// use oss_post_policy::verify::{PresignedRequest, Verifier};
    /// use oss_post_policy::{Bucket, Credentials, Presign, Region, Signer};
    /// use oss_post_policy::time::OffsetDateTime;
    ///
    /// let (bucket, region) = (Bucket::new("examplebucket")?, Region::new("cn-hangzhou")?);
    /// let now = OffsetDateTime::from_unix_timestamp(1_732_687_781)?;
    /// let url = Presign::put(bucket.clone(), "cat.png")
    ///     .header("Content-Type", "image/png")
    ///     .header("Content-Length", "2048")
    ///     .additional_header("content-length")
    ///     .sign_at(&Signer::new(Credentials::example(), region.clone()), now)?;
    /// let sent = PresignedRequest::from_url("PUT", url.url())
    ///     .with_headers(url.headers().iter().cloned())
    ///     .with_header("Cache-Control", "no-cache");
    /// let accepted = Verifier::new(bucket, region).verify_presigned_at(&sent, &Credentials::example(), now)?;
    /// assert_eq!(accepted.signed_headers, ["content-length", "content-type"]);
    /// assert!(accepted.is_signed_header("Content-Length") && !accepted.is_signed_header("cache-control"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_signed_header(&self, name: &str) -> bool {
        self.signed_headers.iter().any(|signed| signed.eq_ignore_ascii_case(name))
    }
}

/// The query parameters that make a request presigned ([`PresignedRequest::is_presigned`]):
/// the V4 ones the presigner writes, and a V1 URL's `OSSAccessKeyId` and `Signature`.
const SIGNING_PARAMETERS: [&str; 9] = [
    SIGNATURE_VERSION,
    CREDENTIAL,
    DATE,
    EXPIRES,
    SECURITY_TOKEN,
    ADDITIONAL_HEADERS,
    SIGNATURE_V4,
    ACCESS_KEY_ID_V1,
    SIGNATURE_V1,
];
