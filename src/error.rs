//! The one error type of the crate.
//!
//! Every variant carries the values needed to act on it. None of them ever carries an
//! AccessKey secret or a security token. This module depends on no other module of the crate.

use std::fmt;

use time::{Duration, OffsetDateTime};

/// Everything that can go wrong while building or signing a policy.
///
/// Each variant carries the values needed to act on it; match on them rather than on the
/// message.
///
/// ```
/// use oss_post_policy::{Bucket, Error, PostPolicy};
/// use oss_post_policy::time::Duration;
///
/// let policy = PostPolicy::builder(Bucket::new("examplebucket")?)
///     .expires_in(Duration::hours(1))
///     .key("a/cat.png")
///     .key_starts_with("b/")
///     .build();
/// assert!(matches!(
///     &policy,
///     Err(Error::ConflictingConditions { field, first, second })
///         if field == "key"
///             && first == r#"["eq","$key","a/cat.png"]"#
///             && second == r#"["starts-with","$key","b/"]"#
/// ));
/// # Ok::<(), oss_post_policy::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A credentials environment variable is unset or empty.
    #[error("environment variable {name} is not set or empty")]
    MissingEnvVar {
        /// The variable's name, e.g. `OSS_ACCESS_KEY_ID`.
        name: &'static str,
    },
    /// A credentials environment variable is not valid Unicode.
    #[error("environment variable {name} is not valid unicode")]
    NonUnicodeEnvVar {
        /// The variable's name.
        name: &'static str,
    },
    /// The AccessKey id is empty or would break the `x-oss-credential` scope.
    #[error("invalid access key id {access_key_id:?}: {reason}")]
    InvalidAccessKeyId {
        /// The id as given (an id is not a secret).
        access_key_id: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The AccessKey secret is empty.
    #[error("access key secret is empty")]
    EmptyAccessKeySecret,
    /// The STS security token is empty or holds characters a form field cannot carry.
    #[error("invalid security token: {reason}")]
    InvalidSecurityToken {
        /// What is wrong with it (the token itself is never shown).
        reason: &'static str,
    },
    /// The region id is not a valid OSS region.
    #[error("invalid region {region:?}: {reason}")]
    InvalidRegion {
        /// The region as given.
        region: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The bucket name breaks OSS's naming rules.
    #[error("invalid bucket name {bucket:?}: {reason}")]
    InvalidBucketName {
        /// The bucket name as given.
        bucket: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// A custom upload endpoint is not an `http://` or `https://` origin.
    #[error("invalid endpoint {endpoint:?}: {reason}")]
    InvalidEndpoint {
        /// The endpoint as given.
        endpoint: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A form field name is empty, holds whitespace or control characters, or starts with `$`.
    #[error("invalid form field name {name:?}: {reason}")]
    InvalidFieldName {
        /// The field name as given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The field is written by the signer and cannot be set in a policy.
    #[error("form field {name:?} is written by the signer and cannot be set")]
    ReservedField {
        /// The field name as given.
        name: String,
    },
    /// A field with a fixed set of values was given another value.
    #[error("invalid value {value:?} for {field}: expected {expected}")]
    InvalidFieldValue {
        /// The field name.
        field: String,
        /// The value at fault.
        value: String,
        /// The values OSS accepts, e.g. `200, 201, 204`.
        expected: String,
    },
    /// `content-length-range` with `min > max`.
    #[error("invalid content-length-range: min {min} is greater than max {max}")]
    InvalidContentLengthRange {
        /// The lower bound given.
        min: u64,
        /// The upper bound given.
        max: u64,
    },
    /// A value holds `\$`, which OSS reads as a literal `$`, so the posted value could never
    /// match unless the policy escapes every `$` (`escape_dollar`).
    #[error(
        "value {value:?} for {field} contains \\$, which OSS reads as a literal $; enable escape_dollar or drop the backslash"
    )]
    AmbiguousDollarEscape {
        /// The field name.
        field: String,
        /// The value at fault.
        value: String,
    },
    /// An `in` or `not-in` condition with no values.
    #[error("{operator} condition on {field} has an empty value list")]
    EmptyValueList {
        /// `in` or `not-in`.
        operator: &'static str,
        /// The field name.
        field: String,
    },
    /// Two conditions on the same field cannot both hold.
    #[error("conflicting conditions on {field}: {first} and {second}")]
    ConflictingConditions {
        /// The field name.
        field: String,
        /// The earlier condition, rendered as in the policy.
        first: String,
        /// The later condition, rendered as in the policy.
        second: String,
    },
    /// A `bucket` condition names another bucket than the one the form is for.
    #[error("the policy is for bucket {in_policy:?}, not {bucket:?}")]
    BucketMismatch {
        /// The bucket the policy's `bucket` condition names.
        in_policy: String,
        /// The bucket the form is posted to.
        bucket: String,
    },
    /// The policy has no expiration.
    #[error("the policy has no expiration")]
    MissingExpiration,
    /// The expiration is not after `now`.
    #[error("policy expiration {} is not after now ({})", Iso(expiration), Iso(now))]
    Expired {
        /// The resolved expiration.
        expiration: OffsetDateTime,
        /// The signing time.
        now: OffsetDateTime,
    },
    /// A V4 policy valid for longer than OSS allows (7 days from `x-oss-date`).
    #[error("policy expiration {} is more than 7 days after x-oss-date {}", Iso(expiration), Iso(date))]
    ValidityTooLong {
        /// The resolved expiration.
        expiration: OffsetDateTime,
        /// The signing time written as `x-oss-date`.
        date: OffsetDateTime,
    },
    /// A time that OSS's formats cannot express: a UTC year outside 0000-9999.
    #[error("time {} is outside the years 0000-9999 that OSS's date formats can write", Iso(time))]
    TimeOutOfRange {
        /// The time at fault, as given.
        time: OffsetDateTime,
    },
    /// A relative expiration that ends after the last time OSS's formats can write.
    #[error("a validity of {validity} from {} ends after the year 9999", Iso(now))]
    ValidityOutOfRange {
        /// The validity given (`expires_in`).
        validity: Duration,
        /// The signing time.
        now: OffsetDateTime,
    },
    /// The upload callback configuration breaks an OSS rule.
    #[error("invalid callback {part}: {reason}")]
    InvalidCallback {
        /// Which part: `callbackUrl`, `callbackBody`, a variable name, ...
        part: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// A policy document breaks OSS's grammar; `ec` is the EC code OSS answers with.
    #[error("invalid policy document ({ec}): {reason}")]
    InvalidPolicyDocument {
        /// OSS's EC code for the rule broken, e.g. `0006-00000204`.
        ec: &'static str,
        /// What the reader found (a security token is never quoted).
        reason: String,
    },
    /// An exact policy text pins a signer-written field to a value the signer cannot write.
    #[error("policy text sets {field} to {in_text:?} but the signer writes {signer:?}")]
    PolicyTextMismatch {
        /// The field, e.g. `x-oss-credential`.
        field: &'static str,
        /// The value in the text (the token is never shown).
        in_text: String,
        /// The value the signer writes.
        signer: String,
    },
    /// The response of Alibaba's sample `/get_post_signature_for_oss_upload` endpoint only
    /// exists for V4 forms.
    #[error("the post signature response needs a V4 signed form")]
    NotV4,
    /// A file name for a temporary upload key cannot be the key's last segment.
    #[error("invalid file name {file_name:?}: {rule}")]
    InvalidFileName {
        /// The file name as given.
        file_name: String,
        /// Which rule it breaks.
        rule: SegmentRule,
    },
    /// An account id or unique id for a temporary upload key cannot be one key segment.
    #[error("invalid {part} {value:?}: {rule}")]
    InvalidKeySegment {
        /// Which input: `account id` or `unique id`.
        part: &'static str,
        /// The value as given.
        value: String,
        /// Which rule it breaks.
        rule: SegmentRule,
    },
    /// An object key longer than OSS allows (1023 bytes of UTF-8).
    #[error("object key is {bytes} bytes long, over OSS's limit of 1023 bytes: {key:?}")]
    KeyTooLong {
        /// The key that would be written.
        key: String,
        /// Its length in bytes.
        bytes: usize,
    },
    /// An object key a presigned URL cannot name.
    #[error("invalid object key {key:?}: {reason}")]
    InvalidObjectKey {
        /// The key as given.
        key: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An HTTP method a presigned URL is not made for.
    #[error("invalid method {method:?}: expected GET, PUT, HEAD, POST or DELETE")]
    InvalidMethod {
        /// The method as given.
        method: String,
    },
    /// A presigned URL's `x-oss-expires` outside 1 to 604800 whole seconds (7 days).
    #[error("a presigned URL lives 1 to 604800 whole seconds, not {expires_in}")]
    InvalidExpiresIn {
        /// The lifetime given.
        expires_in: Duration,
    },
    /// A query parameter name that is empty, or sent twice.
    #[error("invalid query parameter {name:?}: {reason}")]
    InvalidQueryParameter {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A header name that is not an HTTP token, or given twice.
    #[error("invalid header name {name:?}: {reason}")]
    InvalidHeaderName {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A header value a client cannot send as signed.
    #[error("invalid value {value:?} for header {name}: {reason}")]
    InvalidHeaderValue {
        /// The header name.
        name: String,
        /// The value as given.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A header to pin that a V4 signature covers only when it is named an additional header.
    #[error("header {name} is not signed unless it is named an additional header")]
    HeaderNotSigned {
        /// The header name as given.
        name: String,
    },
    /// An additional header named without a value to pin.
    #[error("additional header {name} is not among the headers given")]
    AdditionalHeaderNotGiven {
        /// The name, lower-cased.
        name: String,
    },
    /// Presigned URLs are signed with V4 only.
    #[error("presigned URLs need a V4 signer")]
    PresignNeedsV4,
}

/// A rule an object key segment (file name, account id, unique id) can break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SegmentRule {
    /// The segment is empty.
    Empty,
    /// The segment is `.` or `..`, which clients and tools read as directories.
    DotSegment,
    /// The segment contains `/` or `\`, so it would not be one segment.
    Separator,
    /// The segment contains a control character.
    ControlCharacter,
    /// The segment contains `${`: OSS expands `${filename}` in `key` after checking the
    /// policy, so the stored name would not be the signed one.
    Variable,
}

impl SegmentRule {
    /// The first rule `segment` breaks, if any.
    pub fn of(segment: &str) -> Option<Self> {
        if segment.is_empty() {
            Some(Self::Empty)
        } else if segment == "." || segment == ".." {
            Some(Self::DotSegment)
        } else if segment.contains(['/', '\\']) {
            Some(Self::Separator)
        } else if segment.chars().any(char::is_control) {
            Some(Self::ControlCharacter)
        } else if segment.contains("${") {
            Some(Self::Variable)
        } else {
            None
        }
    }
}

impl fmt::Display for SegmentRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Empty => "it is empty",
            Self::DotSegment => "'.' and '..' are not names",
            Self::Separator => "it contains '/' or '\\'",
            Self::ControlCharacter => "it contains control characters",
            Self::Variable => "it contains '${', which OSS expands in keys after checking the policy",
        })
    }
}

/// A time in messages: ISO 8601 in UTC (`2024-11-27T06:09:41Z`) when it can be written so,
/// else `time`'s own display.
struct Iso<'a>(&'a OffsetDateTime);

impl fmt::Display for Iso<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.checked_to_offset(time::UtcOffset::UTC) {
            Some(utc) => {
                let (year, month, day) = utc.to_calendar_date();
                let (hour, minute, second) = utc.to_hms();
                let month = u8::from(month);
                write!(f, "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
            }
            None => fmt::Display::fmt(self.0, f),
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn times_in_messages_are_utc_iso_8601() {
        let err =
            Error::Expired { expiration: datetime!(2024-11-27 14:09:41 +08:00), now: datetime!(2024-11-27 07:00 UTC) };
        assert_eq!(err.to_string(), "policy expiration 2024-11-27T06:09:41Z is not after now (2024-11-27T07:00:00Z)");
        // At the edge of the calendar the message still renders, without panicking.
        let edge = Error::TimeOutOfRange { time: datetime!(9999-12-31 23:00 -05:00) };
        assert!(edge.to_string().contains("9999-12-31"));
    }

    #[test]
    fn segment_rules_in_order() {
        assert_eq!(SegmentRule::of(""), Some(SegmentRule::Empty));
        assert_eq!(SegmentRule::of(".."), Some(SegmentRule::DotSegment));
        assert_eq!(SegmentRule::of("a/b"), Some(SegmentRule::Separator));
        assert_eq!(SegmentRule::of("a\\b"), Some(SegmentRule::Separator));
        assert_eq!(SegmentRule::of("a\u{7}"), Some(SegmentRule::ControlCharacter));
        assert_eq!(SegmentRule::of("${filename}"), Some(SegmentRule::Variable));
        assert_eq!(SegmentRule::of(".hidden 文件.txt"), None);
    }
}
