//! How strictly to read a form where OSS's documentation is ambiguous.

use time::Duration;

/// How form field names are matched (values are always case-sensitive).
///
/// The PostObject API page says names are case-insensitive; the troubleshooting pages say
/// they are case-sensitive (`docs/oss-rules.md` §2, \[CONFLICT\]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum FieldNameCase {
    /// ASCII case-insensitive: `Content-Type` = `content-type` (the API page; default).
    #[default]
    Insensitive,
    /// Exact bytes: the form must spell names as OSS and the policy do.
    Strict,
}

/// Whether form fields that no policy condition mentions are accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ExtraFields {
    /// Accepted, as OSS does in practice (the EC pages' examples carry a `name` field no
    /// policy mentions; default).
    #[default]
    Allowed,
    /// Refused, like S3: every field except `policy`, the signature and `OSSAccessKeyId` must
    /// be covered by a condition. Callback `x:` variables are no exception; the builder's
    /// [`callback`](crate::PostPolicyBuilder::callback) pins each of its variables with `eq`,
    /// so its forms pass.
    Rejected,
}

/// What to do with form fields sent after the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TrailingFields {
    /// Refuse any field after the file ("file must be the last field"; default).
    #[default]
    Reject,
    /// Ignore fields after the file that OSS gives no meaning to and the policy does not
    /// mention (e.g. a `submit` button, as in the API page's own sample); still refuse any
    /// other.
    IgnoreUnknown,
}

/// Options for [`Verifier`](super::Verifier); `Default` is OSS's documented behaviour where
/// one is documented.
///
/// ```
/// use oss_post_policy::verify::{ExtraFields, FieldNameCase, VerifyOptions};
/// use oss_post_policy::time::Duration;
///
/// let strict = VerifyOptions::default()
///     .field_name_case(FieldNameCase::Strict)
///     .extra_fields(ExtraFields::Rejected)
///     .clock_skew(Duration::minutes(5));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifyOptions {
    pub(crate) field_name_case: FieldNameCase,
    pub(crate) extra_fields: ExtraFields,
    pub(crate) trailing_fields: TrailingFields,
    pub(crate) clock_skew: Duration,
    pub(crate) allow_anonymous: bool,
    pub(crate) require_v4_conditions: bool,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self {
            field_name_case: FieldNameCase::Insensitive,
            extra_fields: ExtraFields::Allowed,
            trailing_fields: TrailingFields::Reject,
            clock_skew: Duration::minutes(15),
            allow_anonymous: false,
            require_v4_conditions: false,
        }
    }
}

impl VerifyOptions {
    /// How field names are matched (default: case-insensitive).
    #[must_use]
    pub fn field_name_case(mut self, case: FieldNameCase) -> Self {
        self.field_name_case = case;
        self
    }

    /// Whether fields no condition covers are accepted (default: yes).
    #[must_use]
    pub fn extra_fields(mut self, extra: ExtraFields) -> Self {
        self.extra_fields = extra;
        self
    }

    /// What to do with fields after the file (default: refuse them).
    #[must_use]
    pub fn trailing_fields(mut self, trailing: TrailingFields) -> Self {
        self.trailing_fields = trailing;
        self
    }

    /// How far `x-oss-date` may be ahead of `now` (default 15 minutes, OSS's documented
    /// skew; a negative value counts as zero). `expiration` gets no leeway.
    #[must_use]
    pub fn clock_skew(mut self, skew: Duration) -> Self {
        self.clock_skew = if skew.is_negative() { Duration::ZERO } else { skew };
        self
    }

    /// Accept forms without any signature, as OSS does for a public-read-write bucket
    /// (default: refuse them).
    #[must_use]
    pub fn allow_anonymous(mut self, allow: bool) -> Self {
        self.allow_anonymous = allow;
        self
    }

    /// Require a V4 policy to pin `x-oss-signature-version`, `x-oss-credential`, `x-oss-date`
    /// (and `x-oss-security-token` with STS) with exact conditions, as the official samples
    /// and this crate's signer write them (default: check them only when present; whether OSS
    /// requires them is \[UNVERIFIED\]).
    #[must_use]
    pub fn require_v4_conditions(mut self, require: bool) -> Self {
        self.require_v4_conditions = require;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_oss_behaviour_and_setters_apply() {
        let d = VerifyOptions::default();
        assert_eq!(
            (d.field_name_case, d.extra_fields, d.trailing_fields, d.clock_skew, d.allow_anonymous),
            (FieldNameCase::Insensitive, ExtraFields::Allowed, TrailingFields::Reject, Duration::minutes(15), false)
        );
        let o = d
            .field_name_case(FieldNameCase::Strict)
            .extra_fields(ExtraFields::Rejected)
            .trailing_fields(TrailingFields::IgnoreUnknown)
            .clock_skew(Duration::minutes(-3))
            .allow_anonymous(true)
            .require_v4_conditions(true);
        assert_eq!(o.clock_skew, Duration::ZERO);
        assert!(o.allow_anonymous && o.require_v4_conditions);
        assert_eq!(o.field_name_case, FieldNameCase::Strict);
    }
}
