//! Checking a request signed in its query (a presigned URL) the way OSS does, offline
//! (`docs/oss-rules.md` §10).
//!
//! The checks run in this order: the query's encoding and repeated names; the signature
//! parameters present (`x-oss-signature-version`, `x-oss-credential`, `x-oss-date`,
//! `x-oss-expires`, `x-oss-signature`); the time window (not before `x-oss-date` less the clock
//! skew, not after `x-oss-date` plus `x-oss-expires`); the credential scope (as for a POST
//! form, §4); the AccessKey and the STS token; the additional headers present; then the
//! signature over the canonical request, compared in constant time.

use std::fmt;

use time::{Duration, OffsetDateTime};

use super::lookup::CredentialLookup;
use super::rejection::{Rejection, code};
use super::{Verifier, scope, signature};
use crate::field::{CREDENTIAL, DATE, SECURITY_TOKEN, SIGNATURE_V4, SIGNATURE_VERSION};
use crate::presign::canonical_request::{CanonicalRequest, canonical_query, encode, signed_by_default, string_to_sign};
use crate::presign::{ADDITIONAL_HEADERS, EXPIRES, MAX_EXPIRES_IN, RESERVED_QUERY, redact_query};
use crate::signature::ALGORITHM_V4;
use crate::time_fmt;

/// A request as a server received it: method, raw path, raw query, headers.
///
/// The path and query are given as sent (percent-encoded); the path is `/` + the object key,
/// as on a virtual-hosted or custom-domain URL (the bucket is the [`Verifier`]'s). `Debug`
/// redacts `x-oss-signature` and `x-oss-security-token`.
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
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
}

impl PresignedRequest {
    /// A request with `method`, the raw `path` (e.g. `/user-dir/cat%20photo.png`) and the raw
    /// `query` (without `?`), without headers.
    pub fn new(method: impl Into<String>, path: impl Into<String>, query: impl Into<String>) -> Self {
        Self { method: method.into(), path: path.into(), query: query.into(), headers: Vec::new() }
    }

    /// The path and query of `url` (`https://host/path?query`, or `/path?query`).
    pub fn from_url(method: impl Into<String>, url: &str) -> Self {
        let path_and_query = match url.split_once("://") {
            Some((_, rest)) => rest.find(['/', '?']).map_or("/", |at| &rest[at..]),
            None => url,
        };
        let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
        Self::new(method, path, query)
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
            .field("path", &self.path)
            .field("query", &redact_query(&self.query))
            .field("headers", &self.headers)
            .finish()
    }
}

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
}

/// Decodes `%XX` (and, in a query, `+` as a space); `None` for a broken escape.
fn decode(text: &str, plus_is_space: bool) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
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

/// Decoded query parameters, `(name, value)` as bytes.
type Parameters = Vec<(Vec<u8>, Vec<u8>)>;

/// The query's parameters, decoded; a broken escape or a repeated name is refused.
fn parse_query(query: &str) -> Result<Parameters, Rejection> {
    let mut out: Parameters = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (Some(name), Some(value)) = (decode(name, true), decode(value, true)) else {
            return Err(Rejection::presigned_query_encoding());
        };
        if out.iter().any(|(n, _)| *n == name) {
            return Err(Rejection::presigned_parameter_repeated(&String::from_utf8_lossy(&name)));
        }
        out.push((name, value));
    }
    Ok(out)
}

impl Verifier {
    /// Checks a request signed in its query (a presigned URL) as OSS would on receiving it at
    /// `now`. The clock skew of the options applies before `x-oss-date` ([EC-0002-00000235]).
    ///
    /// The checks run in this order: the query's encoding and repeated names; the signature
    /// parameters present; the time window (not before `x-oss-date` less the clock skew, not
    /// after `x-oss-date` plus `x-oss-expires`); the credential scope (as for a POST form);
    /// the AccessKey and the STS token; the additional headers present; then the signature over
    /// the canonical request, compared in constant time (`docs/oss-rules.md` §13).
    ///
    /// # Errors
    /// The first [`Rejection`] found, in that order.
    pub fn verify_presigned_at(
        &self,
        request: &PresignedRequest,
        credentials: &(impl CredentialLookup + ?Sized),
        now: OffsetDateTime,
    ) -> Result<AcceptedRequest, Rejection> {
        let params = parse_query(&request.query)?;
        let get = |name: &str| {
            params.iter().find(|(n, _)| n == name.as_bytes()).map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        };
        match get(SIGNATURE_VERSION) {
            Some(v) if v == ALGORITHM_V4 => {}
            other => return Err(Rejection::presigned_signature_version(other.as_deref())),
        }
        let credential = get(CREDENTIAL).ok_or_else(|| Rejection::presigned_missing("0002-00000217", CREDENTIAL))?;
        let date = get(DATE).ok_or_else(|| Rejection::invalid_x_oss_date(None))?;
        let expires = get(EXPIRES).ok_or_else(|| Rejection::presigned_missing("0002-00000215", EXPIRES))?;
        let signature = get(SIGNATURE_V4).ok_or_else(|| Rejection::presigned_missing("0002-00000219", SIGNATURE_V4))?;

        let signed_at = time_fmt::parse_x_oss_date(&date).ok_or_else(|| Rejection::invalid_x_oss_date(Some(&date)))?;
        let lifetime = expires
            .parse::<i64>()
            .ok()
            .map(Duration::seconds)
            .filter(|d| *d >= Duration::SECOND && *d <= MAX_EXPIRES_IN)
            .ok_or_else(|| Rejection::presigned_expires_out_of_range(&expires))?;
        if now < signed_at.saturating_sub(self.options.clock_skew) {
            return Err(Rejection::presigned_not_yet_valid(&date));
        }
        let expiration = signed_at.saturating_add(lifetime);
        if now > expiration {
            return Err(Rejection::presigned_expired(expiration, now));
        }
        let scope = scope::check_v4_scope(&credential, &date, &self.region, now, self.options.clock_skew)?;
        let trusted = credentials.lookup(scope.access_key_id).ok_or_else(Rejection::unknown_access_key_id)?;
        signature::check_token(get(SECURITY_TOKEN).as_deref(), trusted)?;

        let additional = get(ADDITIONAL_HEADERS);
        let headers = signed_headers(request, additional.as_deref())?;
        let additional = additional.unwrap_or_default();
        let mut query: Vec<(String, String)> =
            params.iter().filter(|(n, _)| n != SIGNATURE_V4.as_bytes()).map(|(n, v)| (encode(n), encode(v))).collect();
        query.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let query = canonical_query(&query);
        let key = request.path.strip_prefix('/').and_then(|p| decode(p, false)).unwrap_or_default();
        let canonical = CanonicalRequest {
            method: &request.method,
            bucket: self.bucket.as_str(),
            key: &key,
            query: &query,
            headers: &headers,
            additional_headers: &additional,
        }
        .to_text();
        let scope_text = credential.split_once('/').map_or(credential.as_str(), |(_, s)| s);
        let to_sign = string_to_sign(&date, scope_text, &canonical);
        if !self.key_cache.get(trusted, scope.date, &self.region).verify(to_sign.as_bytes(), &signature) {
            // The canonical request holds the STS token: it never goes into a rejection.
            let shown = match params.iter().find(|(n, _)| n == SECURITY_TOKEN.as_bytes()) {
                Some((_, token)) => canonical.replace(&encode(token), "<redacted>"),
                None => canonical,
            };
            return Err(Rejection::presigned_signature_mismatch(to_sign, shown));
        }
        let key = String::from_utf8(key).ok().filter(|k| !k.is_empty());
        let key = key.ok_or_else(|| Rejection::invalid_object_name(request.path.chars().take(1024).collect()))?;
        let parameters = params
            .iter()
            .filter(|(n, _)| !RESERVED_QUERY.iter().any(|r| r.as_bytes() == n.as_slice()))
            .map(|(n, v)| (String::from_utf8_lossy(n).into_owned(), String::from_utf8_lossy(v).into_owned()))
            .collect();
        Ok(AcceptedRequest {
            method: request.method.clone(),
            key,
            access_key_id: scope.access_key_id.to_owned(),
            expiration,
            parameters,
        })
    }

    /// [`Verifier::verify_presigned_at`] with the system clock.
    ///
    /// # Errors
    /// As [`Verifier::verify_presigned_at`].
    pub fn verify_presigned(
        &self,
        request: &PresignedRequest,
        credentials: &(impl CredentialLookup + ?Sized),
    ) -> Result<AcceptedRequest, Rejection> {
        self.verify_presigned_at(request, credentials, OffsetDateTime::now_utc())
    }
}

/// The signed headers, lower-case, values trimmed and a repeated name's values joined with
/// `,` (as the Go SDK writes them), sorted: every `x-oss-*`, `Content-Type`, `Content-MD5`, and
/// the additional headers, each of which must be present ([EC-0002-00000077]).
fn signed_headers(request: &PresignedRequest, additional: Option<&str>) -> Result<Vec<(String, String)>, Rejection> {
    if additional == Some("") {
        return Err(Rejection::presigned_additional_headers_empty());
    }
    let names: Vec<String> =
        additional.unwrap_or_default().split(';').filter(|n| !n.is_empty()).map(str::to_ascii_lowercase).collect();
    let mut out: Vec<(String, String)> = Vec::new();
    for (name, value) in &request.headers {
        let lower = name.to_ascii_lowercase();
        if !signed_by_default(&lower) && !names.contains(&lower) {
            continue;
        }
        let value = value.trim_matches([' ', '\t']);
        match out.iter_mut().find(|(n, _)| *n == lower) {
            Some((_, joined)) => {
                joined.push(',');
                joined.push_str(value);
            }
            None => out.push((lower, value.to_owned())),
        }
    }
    if let Some(absent) = names.iter().find(|n| !out.iter().any(|(o, _)| o == *n)) {
        return Err(Rejection::presigned_additional_header_absent(absent));
    }
    out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

impl Rejection {
    /// Our own, no EC found: a query that is not valid percent-encoding.
    fn presigned_query_encoding() -> Self {
        Self::new(code::INVALID_ARGUMENT, None, "The query string is not valid percent-encoding.")
    }

    /// Our decision, as for form fields (§12): a parameter sent twice is refused.
    fn presigned_parameter_repeated(name: &str) -> Self {
        Self::new(code::INVALID_ARGUMENT, None, format!("The query parameter {name} is specified more than once."))
            .argument("ParameterName", name)
    }

    /// Absent or unsupported `x-oss-signature-version` (no EC page found for URLs; message ours).
    fn presigned_signature_version(value: Option<&str>) -> Self {
        let rejection = Self::new(code::INVALID_ARGUMENT, None, "The signature version in the URL is invalid.");
        match value {
            Some(v) => rejection.argument(SIGNATURE_VERSION, v),
            None => rejection,
        }
    }

    /// EC pages 0002-00000215 (`x-oss-expires`), 0002-00000217 (`x-oss-credential`) and
    /// 0002-00000219 (`x-oss-signature`) missing from a V4 URL; code [UNVERIFIED], message ours.
    fn presigned_missing(ec: &'static str, name: &str) -> Self {
        Self::new(code::INVALID_ARGUMENT, Some(ec), format!("The {name} parameter is missing."))
    }

    /// EC page 0002-00000232: `x-oss-expires` not 1 to 604800 seconds; code [UNVERIFIED],
    /// message ours.
    fn presigned_expires_out_of_range(value: &str) -> Self {
        Self::new(code::INVALID_ARGUMENT, Some("0002-00000232"), "The x-oss-expires must be 1 to 604800 seconds.")
            .argument(EXPIRES, value)
    }

    /// EC page 0002-00000235: received earlier than `x-oss-date` less 15 minutes; code
    /// [UNVERIFIED], message ours.
    fn presigned_not_yet_valid(date: &str) -> Self {
        Self::new(code::ACCESS_DENIED, Some("0002-00000235"), "The request time is earlier than the x-oss-date allows.")
            .argument(DATE, date)
    }

    /// `AccessDenied` "Request has expired." with `Expires` and `ServerTime`, as OSS answers an
    /// expired V1 URL (johnlui/AliyunOSS#20); EC 0002-00000069 names expired URL signatures
    /// (V1 `Expires`, `x-oss-expires`), [inferred] for V4.
    fn presigned_expired(expiration: OffsetDateTime, now: OffsetDateTime) -> Self {
        let utc = |t: OffsetDateTime| time_fmt::normalize(t).map_or_else(|_| t.to_string(), time_fmt::rfc3339);
        Self::new(code::ACCESS_DENIED, Some("0002-00000069"), "Request has expired.")
            .detail("Expires", utc(expiration))
            .detail("ServerTime", utc(now))
    }

    /// EC page 0002-00000076: `x-oss-additional-headers` sent empty; code [UNVERIFIED].
    fn presigned_additional_headers_empty() -> Self {
        Self::new(code::INVALID_ARGUMENT, Some("0002-00000076"), "The x-oss-additional-headers parameter is empty.")
    }

    /// EC page 0002-00000077: an additional header the request does not carry; code
    /// [UNVERIFIED], message ours.
    fn presigned_additional_header_absent(name: &str) -> Self {
        Self::new(
            code::INVALID_ARGUMENT,
            Some("0002-00000077"),
            format!("The additional header {name} is not in the request headers."),
        )
        .argument(ADDITIONAL_HEADERS, name)
    }

    /// OSS's `SignatureDoesNotMatch` text (403) with the `StringToSign` and `CanonicalRequest`
    /// it computed, as OSS returns them for V4 (the EC pages tell users to compare
    /// `StringToSign`); the EC for URLs is [UNVERIFIED], so none is given. The STS token in the
    /// canonical request's query is shown as `<redacted>`.
    fn presigned_signature_mismatch(string_to_sign: String, canonical_request: String) -> Self {
        Self::new(
            code::SIGNATURE_DOES_NOT_MATCH,
            None,
            "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        )
        .detail("StringToSign", string_to_sign)
        .detail("CanonicalRequest", canonical_request)
    }
}

#[cfg(test)]
#[path = "presigned_tests.rs"]
mod tests;
