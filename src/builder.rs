//! The [`PostPolicy`] builder: setters collect, [`PostPolicyBuilder::build`] checks.

use time::{Duration, OffsetDateTime};

use crate::callback::Callback;
use crate::condition::Condition;
use crate::error::{Error, Result};
use crate::field::{Field, ObjectAcl, ServerSideEncryption, StorageClass, SuccessActionStatus};
use crate::policy::{Expiration, PostPolicy};
use crate::region::{Bucket, Endpoint};

/// Builds a [`PostPolicy`]; the checks run in [`PostPolicyBuilder::build`].
///
/// ```
/// use oss_post_policy::{Bucket, Field, PostPolicy, SuccessActionStatus};
/// use oss_post_policy::time::Duration;
///
/// let policy = PostPolicy::builder(Bucket::new("examplebucket")?)
///     .expires_in(Duration::minutes(10))
///     .key_starts_with("user-42/")
///     .content_length_range(1, 10 * 1024 * 1024)
///     .is_in(Field::ContentType, ["image/png", "image/jpeg"])
///     .success_action_status(SuccessActionStatus::Created)
///     .build()?;
/// assert_eq!(policy.conditions()[0].to_string(), r#"{"bucket":"examplebucket"}"#);
/// # Ok::<(), oss_post_policy::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct PostPolicyBuilder {
    bucket: Bucket,
    expiration: Option<Expiration>,
    conditions: Vec<Condition>,
    callback: Option<Callback>,
    escape_dollar: bool,
    endpoint: Endpoint,
}

impl PostPolicy {
    /// A builder for a policy on `bucket`; the policy starts with `{"bucket": name}`.
    pub fn builder(bucket: Bucket) -> PostPolicyBuilder {
        PostPolicyBuilder::new(bucket)
    }
}

impl PostPolicyBuilder {
    fn new(bucket: Bucket) -> Self {
        Self {
            bucket,
            expiration: None,
            // `bucket`, a handful of conditions and a callback's: room for most policies.
            conditions: Vec::with_capacity(8),
            callback: None,
            escape_dollar: false,
            endpoint: Endpoint::default(),
        }
    }

    /// Expires at a fixed time (normalised to UTC, sub-seconds dropped).
    pub fn expires_at(mut self, at: OffsetDateTime) -> Self {
        self.expiration = Some(Expiration::At(at));
        self
    }

    /// Expires this long after the signing time.
    pub fn expires_in(mut self, duration: Duration) -> Self {
        self.expiration = Some(Expiration::In(duration));
        self
    }

    /// Adds any condition.
    pub fn condition(mut self, condition: Condition) -> Self {
        self.conditions.push(condition);
        self
    }

    /// `{"field": "value"}`: exact match in the map form; the form carries the value.
    pub fn exact(self, field: Field, value: impl Into<String>) -> Self {
        self.condition(Condition::Exact { field, value: value.into() })
    }

    /// `["eq", "$field", "value"]`; the form carries the value.
    pub fn eq(self, field: Field, value: impl Into<String>) -> Self {
        self.condition(Condition::Eq { field, value: value.into() })
    }

    /// `["starts-with", "$field", "prefix"]`; the browser supplies the field.
    pub fn starts_with(self, field: Field, prefix: impl Into<String>) -> Self {
        self.condition(Condition::StartsWith { field, prefix: prefix.into() })
    }

    /// `["in", "$field", [values]]`; the browser supplies the field.
    pub fn is_in<I, S>(self, field: Field, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.condition(Condition::In { field, values: values.into_iter().map(Into::into).collect() })
    }

    /// `["not-in", "$field", [values]]`; the browser supplies the field.
    pub fn not_in<I, S>(self, field: Field, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.condition(Condition::NotIn { field, values: values.into_iter().map(Into::into).collect() })
    }

    /// `["content-length-range", min, max]`: the file's size in bytes, inclusive.
    pub fn content_length_range(self, min: u64, max: u64) -> Self {
        self.condition(Condition::ContentLengthRange { min, max })
    }

    /// The object name is exactly `key` (`["eq", "$key", key]`); may hold `${filename}`.
    pub fn key(self, key: impl Into<String>) -> Self {
        self.eq(Field::Key, key)
    }

    /// The object name starts with `prefix` (the `dir` of Alibaba's direct-upload guide).
    pub fn key_starts_with(self, prefix: impl Into<String>) -> Self {
        self.starts_with(Field::Key, prefix)
    }

    /// The stored object's type is one of `types`: `["in", "$x-oss-content-type", [types]]`.
    ///
    /// OSS stores `x-oss-content-type` if the form has it, else the file part's own
    /// `Content-Type`, else the `Content-Type` field (`docs/oss-rules.md` §1). A condition on
    /// the `Content-Type` field constrains the last of the three, which the file part's header
    /// overrides (a browser sets it from the file; a hand-made request, to anything). This
    /// condition requires the first: a form without `x-oss-content-type`, or with another type,
    /// is refused, so the file part's header never decides. The browser must add the field
    /// ([`FormFields::required`](crate::FormFields::required) lists it); to pin one type in
    /// the form itself, use `.eq(Field::OssContentType, type)`.
    ///
    /// What it cannot constrain: the bytes. OSS does not look at the content \[UNVERIFIED\], so
    /// an HTML file posted as `image/png` is stored, and served, as `image/png`; a browser
    /// that sniffs may still render it. Check the bytes after the upload if it matters, and
    /// serve user uploads from the bucket's domain, never your site's origin.
    ///
    /// ```
    /// use oss_post_policy::{Bucket, PostPolicy};
    /// use oss_post_policy::time::{Duration, OffsetDateTime};
    ///
    /// let policy = PostPolicy::builder(Bucket::new("examplebucket")?)
    ///     .expires_in(Duration::minutes(10))
    ///     .content_type_in(["image/png", "image/jpeg"])
    ///     .build()?;
    /// assert_eq!(policy.conditions()[1].to_string(), r#"["in","$x-oss-content-type",["image/png","image/jpeg"]]"#);
    /// # Ok::<(), oss_post_policy::Error>(())
    /// ```
    pub fn content_type_in<I, S>(self, types: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.is_in(Field::OssContentType, types)
    }

    /// `["eq", "$success_action_status", status]`.
    pub fn success_action_status(self, status: SuccessActionStatus) -> Self {
        self.eq(Field::SuccessActionStatus, status.as_str())
    }

    /// `["eq", "$x-oss-object-acl", acl]`.
    pub fn object_acl(self, acl: ObjectAcl) -> Self {
        self.eq(Field::ObjectAcl, acl.as_str())
    }

    /// `["eq", "$x-oss-storage-class", class]`.
    pub fn storage_class(self, class: StorageClass) -> Self {
        self.eq(Field::StorageClass, class.as_str())
    }

    /// `["eq", "$x-oss-forbid-overwrite", "true"|"false"]`.
    pub fn forbid_overwrite(self, forbid: bool) -> Self {
        self.eq(Field::ForbidOverwrite, if forbid { "true" } else { "false" })
    }

    /// `["eq", "$x-oss-server-side-encryption", algorithm]`.
    pub fn server_side_encryption(self, sse: ServerSideEncryption) -> Self {
        self.eq(Field::ServerSideEncryption, sse.as_str())
    }

    /// An upload callback: `{"callback": base64}` in the policy and the form, plus each `x:`
    /// variable as `["eq", "$x:name", value]` and a form field, so the browser cannot change
    /// what OSS forwards to your callback server.
    pub fn callback(mut self, callback: Callback) -> Self {
        self.callback = Some(callback);
        self
    }

    /// Writes every `$` in condition values as `\$`, OSS's documented literal dollar (the Java
    /// SDK does this). Off by default, as in ali-oss. The form still carries the plain value.
    pub fn escape_dollar(mut self, on: bool) -> Self {
        self.escape_dollar = on;
        self
    }

    /// Where the form is posted (default: the region's public endpoint).
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// Checks everything that does not depend on the signing time.
    ///
    /// # Errors
    /// [`Error::MissingExpiration`]; then, for the conditions
    /// ([`Error::InvalidFieldName`], [`Error::ReservedField`], [`Error::InvalidFieldValue`],
    /// [`Error::EmptyValueList`], [`Error::InvalidContentLengthRange`],
    /// [`Error::AmbiguousDollarEscape`], [`Error::ConflictingConditions`],
    /// [`Error::BucketMismatch`]); [`Error::InvalidCallback`].
    pub fn build(self) -> Result<PostPolicy> {
        let expiration = self.expiration.ok_or(Error::MissingExpiration)?;
        let mut conditions = self.conditions;
        conditions.insert(0, Condition::Exact { field: Field::Bucket, value: self.bucket.as_str().to_owned() });
        if let Some(cb) = self.callback {
            conditions.push(Condition::Exact { field: Field::Callback, value: cb.encode()? });
            conditions.extend(
                cb.vars()
                    .iter()
                    .map(|(name, value)| Condition::Eq { field: Field::custom(name.as_str()), value: value.clone() }),
            );
        }
        let conditions = check_conditions(&self.bucket, conditions, self.escape_dollar, false)?;
        Ok(PostPolicy::new(self.bucket, expiration, conditions, self.escape_dollar, self.endpoint))
    }
}

/// The checks a policy gets whether typed or given as text: each condition on its own, no
/// `\$` the policy would misread, no two conditions that cannot both hold, and a `bucket`
/// condition naming `bucket`. Identical duplicates are dropped.
///
/// `signer_fields_allowed`: an exact text may pin the fields the signer writes (and the
/// signer then checks it writes the same); a typed policy may not.
pub(crate) fn check_conditions(
    bucket: &Bucket,
    mut conditions: Vec<Condition>,
    escape_dollar: bool,
    signer_fields_allowed: bool,
) -> Result<Vec<Condition>> {
    let mut at = 0;
    while at < conditions.len() {
        let (checked, rest) = conditions.split_at(at);
        let cond = &rest[0];
        let reserved = cond.field().is_some_and(Field::is_reserved);
        if !(signer_fields_allowed && reserved) {
            cond.check()?;
        }
        if let (Some(field), Some(value)) = (cond.field(), cond.fixed_value()) {
            if field.is_bucket() && value != bucket.as_str() {
                return Err(Error::BucketMismatch { in_policy: value.to_owned(), bucket: bucket.as_str().to_owned() });
            }
        }
        if !escape_dollar {
            // OSS reads `\$` in a value as a literal `$` (the Java SDK escapes `$` that way),
            // so such a value written unescaped could never equal the posted one.
            if let Some(value) = cond.values().iter().find(|v| v.contains("\\$")) {
                let field = cond.field().map_or("", Field::name).to_owned();
                return Err(Error::AmbiguousDollarEscape { field, value: value.clone() });
            }
        }
        checked.iter().try_for_each(|earlier| earlier.check_compatible(cond))?;
        if checked.contains(cond) {
            conditions.remove(at);
        } else {
            at += 1;
        }
    }
    Ok(conditions)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket() -> Bucket {
        Bucket::new("examplebucket").unwrap()
    }

    fn b() -> PostPolicyBuilder {
        PostPolicy::builder(bucket()).expires_in(Duration::hours(1))
    }

    #[test]
    fn build_refuses_bad_conditions() {
        assert_eq!(PostPolicy::builder(bucket()).build(), Err(Error::MissingExpiration));
        assert_eq!(b().content_length_range(5, 4).build(), Err(Error::InvalidContentLengthRange { min: 5, max: 4 }));
        assert_eq!(
            b().eq(Field::custom("x-oss-date"), "x").build(),
            Err(Error::ReservedField { name: "x-oss-date".into() })
        );
        assert_eq!(
            b().eq(Field::Bucket, "otherbucket").build(),
            Err(Error::BucketMismatch { in_policy: "otherbucket".into(), bucket: "examplebucket".into() })
        );
        assert!(matches!(
            b().key("a/b").key_starts_with("c/").build(),
            Err(Error::ConflictingConditions { first, second, .. }) if first == r#"["eq","$key","a/b"]"# && second == r#"["starts-with","$key","c/"]"#
        ));
        assert_eq!(
            b().key("a\\$b").build(),
            Err(Error::AmbiguousDollarEscape { field: "key".into(), value: "a\\$b".into() })
        );
        assert!(b().key("a\\$b").escape_dollar(true).build().is_ok());
        assert!(b().key("a$b\\").build().is_ok(), "a lone $ or \\ is fine");
    }

    #[test]
    fn duplicates_are_kept_once_whatever_the_spelling() {
        assert_eq!(b().key("a").key("a").build().unwrap().conditions().len(), 2);
        let p = b().eq(Field::ContentType, "image/png").eq(Field::custom("content-type"), "image/png").build().unwrap();
        assert_eq!(p.conditions().len(), 2);
    }

    #[test]
    fn two_in_lists_no_upload_can_satisfy_are_refused() {
        let err =
            b().is_in(Field::ContentType, ["image/png"]).is_in(Field::custom("Content-Type"), ["image/jpeg"]).build();
        assert!(matches!(err, Err(Error::ConflictingConditions { .. })), "{err:?}");
    }

    #[test]
    fn hand_written_metadata_fields_get_the_prefix_rule() {
        assert!(matches!(
            b().exact(Field::Custom("x-oss-meta-".into()), "v").build(),
            Err(Error::InvalidFieldName { .. })
        ));
    }
}
