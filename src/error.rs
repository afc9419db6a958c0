//! The one error type of the crate.
//!
//! Every variant carries the values needed to act on it. None of them ever carries an
//! AccessKey secret or a security token.

use time::OffsetDateTime;

use crate::temp_upload::SegmentRule;

/// Everything that can go wrong while building or signing a POST policy.
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
        /// The values OSS accepts.
        expected: &'static str,
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
    /// match without [`escape_dollar`](crate::PostPolicyBuilder::escape_dollar).
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
    /// The policy has no expiration.
    #[error("the policy has no expiration")]
    MissingExpiration,
    /// The expiration is not after `now`.
    #[error("policy expiration {} is not after now ({})", iso(expiration), iso(now))]
    Expired {
        /// The resolved expiration.
        expiration: OffsetDateTime,
        /// The signing time.
        now: OffsetDateTime,
    },
    /// A V4 policy valid for longer than OSS allows (7 days from `x-oss-date`).
    #[error("policy expiration {} is more than 7 days after x-oss-date {}", iso(expiration), iso(date))]
    ValidityTooLong {
        /// The resolved expiration.
        expiration: OffsetDateTime,
        /// The signing time written as `x-oss-date`.
        date: OffsetDateTime,
    },
    /// A time that OSS's formats cannot express (years outside 0000-9999).
    #[error("time {time} cannot be written in OSS's date format")]
    TimeOutOfRange {
        /// The time at fault.
        time: OffsetDateTime,
    },
    /// The upload callback configuration breaks an OSS rule.
    #[error("invalid callback {part}: {reason}")]
    InvalidCallback {
        /// Which part: `callbackUrl`, `callbackBody`, a variable name, ...
        part: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// An exact policy text given for signing is not a JSON policy document.
    #[error("policy text is not a JSON policy document: {reason}")]
    InvalidPolicyText {
        /// What the parser found.
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
    /// The seed response shape only exists for V4 forms.
    #[error("the seed endpoint response shape needs a V4 signed form")]
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
    /// An object key longer than OSS allows ([`MAX_KEY_BYTES`](crate::temp_upload::MAX_KEY_BYTES)
    /// bytes of UTF-8).
    #[error("object key is {bytes} bytes long, over OSS's limit of 1023 bytes: {key:?}")]
    KeyTooLong {
        /// The key that would be written.
        key: String,
        /// Its length in bytes.
        bytes: usize,
    },
}

/// A time as ISO 8601 in UTC for messages (`2024-11-27T06:09:41Z`), whatever its offset.
fn iso(t: &OffsetDateTime) -> String {
    let utc = crate::time_fmt::normalize(*t);
    crate::time_fmt::expiration(utc).map_or_else(|_| t.to_string(), |s| s.replace(".000Z", "Z"))
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
