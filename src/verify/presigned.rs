//! Checking a request signed in its query (a presigned URL) the way OSS does, offline
//! (`docs/oss-rules.md` §10).
//!
//! The checks run in this order: the bucket of a path-style request; a request without any
//! signing parameter is anonymous, refused as by a private bucket; the query's encoding and
//! repeated names; the signature parameters present (`x-oss-signature-version`, `x-oss-credential`, `x-oss-date`,
//! `x-oss-expires`, `x-oss-signature`); the time window (not before `x-oss-date` less the clock
//! skew, not after `x-oss-date` plus `x-oss-expires`); the credential scope (as for a POST
//! form, §4); the AccessKey and the STS token; the additional headers present; then the
//! signature over the canonical request, compared in constant time.

use std::collections::HashSet;

use time::{Duration, OffsetDateTime};

use super::lookup::CredentialLookup;
use super::presigned_request::{AcceptedRequest, PresignedRequest};
use super::rejection::{Rejection, code};
use super::{Verifier, scope, signature};
use crate::field::{
    ACCESS_KEY_ID_V1, CREDENTIAL, DATE, REDACTED, SECURITY_TOKEN, SIGNATURE_V1, SIGNATURE_V4, SIGNATURE_VERSION,
};
use crate::percent::{decode, encode};
use crate::presign::canonical_request::{CanonicalRequest, canonical_query, signed_by_default, string_to_sign};
use crate::presign::{ADDITIONAL_HEADERS, EXPIRES, MAX_EXPIRES_IN, RESERVED_QUERY};
use crate::signature::ALGORITHM_V4;
use crate::time_fmt;

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
        out.push((name, value));
    }
    // A set, not a scan per parameter: a long hostile query must not cost its square.
    let mut seen = HashSet::with_capacity(out.len());
    if let Some((name, _)) = out.iter().find(|(name, _)| !seen.insert(name.as_slice())) {
        return Err(Rejection::presigned_parameter_repeated(&String::from_utf8_lossy(name)));
    }
    Ok(out)
}

impl Verifier {
    /// Checks a request signed in its query (a presigned URL) as OSS would on receiving it at
    /// `now`. The clock skew of the options applies before `x-oss-date` ([EC-0002-00000235]).
    ///
    /// The checks run in this order: the bucket of a [`PresignedRequest::path_style`] request
    /// (`NoSuchBucket`); a request without any signing parameter
    /// ([`PresignedRequest::is_presigned`]) is anonymous, refused as by a private bucket
    /// (`AccessDenied`); the query's encoding and repeated names; the signature parameters
    /// present (a V1 URL is refused as not supported); the time window (not before `x-oss-date` less the clock skew, not
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
        if let Some(bucket) = request.bucket.as_deref().filter(|b| *b != self.bucket.as_str()) {
            return Err(Rejection::presigned_no_such_bucket(bucket));
        }
        if !request.is_presigned() {
            return Err(Rejection::anonymous_denied());
        }
        let params = parse_query(&request.query)?;
        let get = |name: &str| {
            params.iter().find(|(n, _)| n == name.as_bytes()).map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        };
        match get(SIGNATURE_VERSION) {
            Some(v) if v == ALGORITHM_V4 => {}
            None if get(ACCESS_KEY_ID_V1).is_some() || get(SIGNATURE_V1).is_some() => {
                return Err(Rejection::presigned_v1());
            }
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
        let signed_headers = headers.iter().map(|(name, _)| name.clone()).collect();
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
            // The canonical request holds the STS token (encoded in the query, as sent in an
            // `x-oss-security-token` header): it never goes into a rejection.
            let shown = match trusted.security_token().filter(|t| !t.is_empty()) {
                Some(token) => canonical.replace(&encode(token.as_bytes()), REDACTED).replace(token, REDACTED),
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
            signed_headers,
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
    /// OSS's `NoSuchBucket` (404) with `BucketName`, for a path-style request to another bucket.
    fn presigned_no_such_bucket(bucket: &str) -> Self {
        Self::with_status("NoSuchBucket", None, "The specified bucket does not exist.", 404)
            .detail("BucketName", bucket.chars().take(255).collect::<String>())
    }

    /// Our own, no EC found: a V1 URL (`OSSAccessKeyId`, `Signature`, `Expires`), which this
    /// verifier does not check.
    fn presigned_v1() -> Self {
        Self::new(code::INVALID_ARGUMENT, None, "V1 presigned URLs are not supported by this verifier.")
    }

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
