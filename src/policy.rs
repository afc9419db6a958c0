//! The typed POST policy and signing it.

use std::sync::Arc;

use base64::Engine as _;
use time::{Duration, OffsetDateTime};

use crate::condition::Condition;
use crate::document;
use crate::error::{Error, Result};
use crate::form::{FormFields, FormShape};
use crate::region::{Bucket, Endpoint};
use crate::signature::SignatureVersion;
use crate::signer::Signer;
use crate::time_fmt;

/// Longest validity OSS accepts for a V4 form, counted from `x-oss-date`.
pub const MAX_V4_VALIDITY: Duration = Duration::days(7);

/// When the policy expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Expiration {
    /// At a fixed time.
    At(OffsetDateTime),
    /// This long after the signing time.
    In(Duration),
}

impl Expiration {
    /// The expiration of a signature at `now` (normalised), checked: after `now`, and for V4 at
    /// most [`MAX_V4_VALIDITY`] later.
    pub(crate) fn resolve(self, now: OffsetDateTime, version: SignatureVersion) -> Result<OffsetDateTime> {
        let expiration = match self {
            Self::At(t) => time_fmt::normalize(t)?,
            Self::In(validity) => now
                .checked_add(validity)
                .and_then(|t| time_fmt::normalize(t).ok())
                .ok_or(Error::ValidityOutOfRange { validity, now })?,
        };
        check_validity(expiration, now, version)?;
        Ok(expiration)
    }
}

/// Refuses an `expiration` not after `date`, or, for V4, more than 7 days after it.
pub(crate) fn check_validity(
    expiration: OffsetDateTime,
    date: OffsetDateTime,
    version: SignatureVersion,
) -> Result<()> {
    if expiration <= date {
        return Err(Error::Expired { expiration, now: date });
    }
    if version == SignatureVersion::V4 && expiration - date > MAX_V4_VALIDITY {
        return Err(Error::ValidityTooLong { expiration, date });
    }
    Ok(())
}

/// A checked POST policy for one bucket, ready to sign any number of times.
///
/// Build it with [`PostPolicy::builder`] and sign it with [`PostPolicy::sign_at`]. Signing never
/// changes the policy.
///
/// ```
/// use oss_post_policy::{Bucket, Credentials, PostPolicy, Region, Signer};
/// use oss_post_policy::time::{Duration, OffsetDateTime};
///
/// let policy = PostPolicy::builder(Bucket::new("examplebucket")?)
///     .expires_in(Duration::hours(1))
///     .key_starts_with("user-dir/")
///     .content_length_range(1, 10 * 1024 * 1024)
///     .build()?;
/// let signer = Signer::new(Credentials::example(), Region::new("cn-hangzhou")?);
/// let now = OffsetDateTime::from_unix_timestamp(1_732_687_781).expect("a valid time");
/// let form = policy.sign_at(&signer, now)?;
/// assert_eq!(form.get("x-oss-date"), Some("20241127T060941Z"));
/// assert_eq!(form.required(), ["key"]);
/// # Ok::<(), oss_post_policy::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostPolicy {
    bucket: Bucket,
    expiration: Expiration,
    /// `bucket` first, then the conditions added, duplicates dropped.
    conditions: Vec<Condition>,
    endpoint: Endpoint,
    /// `bucket` and the other conditions as policy JSON, written once here: every signature
    /// puts the signer's conditions between them.
    head_json: Vec<u8>,
    tail_json: Vec<u8>,
    shape: Arc<FormShape>,
}

impl PostPolicy {
    /// A checked policy (called by [`PostPolicyBuilder::build`](crate::PostPolicyBuilder::build)).
    pub(crate) fn new(
        bucket: Bucket,
        expiration: Expiration,
        conditions: Vec<Condition>,
        escape_dollar: bool,
        endpoint: Endpoint,
    ) -> Self {
        let (head, tail) = conditions.split_at(1);
        let room =
            |conds: &[Condition]| conds.iter().map(|c| 32 + c.values().iter().map(String::len).sum::<usize>()).sum();
        let (mut head_json, mut tail_json) = (Vec::with_capacity(room(head)), Vec::with_capacity(room(tail)));
        document::write_conditions(&mut head_json, head, escape_dollar);
        document::write_conditions(&mut tail_json, tail, escape_dollar);
        let shape = Arc::new(FormShape::of(&conditions));
        Self { bucket, expiration, conditions, endpoint, head_json, tail_json, shape }
    }

    /// The target bucket.
    pub fn bucket(&self) -> &Bucket {
        &self.bucket
    }

    /// The expiration as given.
    pub fn expiration(&self) -> Expiration {
        self.expiration
    }

    /// The conditions in policy order: `bucket` first, then the ones added, duplicates dropped.
    /// The signer inserts its own after `bucket`.
    pub fn conditions(&self) -> &[Condition] {
        &self.conditions
    }

    /// Signs the policy at `now` with `signer`.
    ///
    /// The signer's fields (V4: `x-oss-signature-version`, `x-oss-credential`, `x-oss-date`;
    /// with STS `x-oss-security-token`) go into the policy, right after `bucket`, and into the
    /// form. `now` is taken in UTC, sub-seconds dropped.
    ///
    /// # Errors
    /// [`Error::Expired`] unless the expiration is after `now`; [`Error::ValidityTooLong`] for a
    /// V4 policy expiring more than 7 days after `now`; [`Error::TimeOutOfRange`] for times
    /// OSS's formats cannot write, [`Error::ValidityOutOfRange`] for an `expires_in` that ends
    /// after them.
    pub fn sign_at(&self, signer: &Signer, now: OffsetDateTime) -> Result<FormFields> {
        let now = time_fmt::normalize(now)?;
        let expiration = self.expiration.resolve(now, signer.version())?;
        let stamp = signer.stamp(now);
        let expiration_text = time_fmt::expiration(expiration);
        let (conditions, n) = signer.conditions(&stamp);
        let text = document::write(&expiration_text, &self.head_json, &conditions[..n], &self.tail_json);
        let policy = base64::engine::general_purpose::STANDARD.encode(text);
        let url = signer.region().upload_url(&self.bucket, &self.endpoint);
        let fields = signer.sign(stamp, policy);
        Ok(FormFields::new(url, Arc::clone(&self.shape), fields, signer.version(), expiration))
    }

    /// [`PostPolicy::sign_at`] with the system clock.
    ///
    /// # Errors
    /// As [`PostPolicy::sign_at`].
    pub fn sign(&self, signer: &Signer) -> Result<FormFields> {
        self.sign_at(signer, OffsetDateTime::now_utc())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Credentials;
    use crate::field::{Field, SuccessActionStatus};
    use crate::region::Region;
    use crate::{Callback, PolicyDocument};
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2024-11-27 06:09:41 UTC);

    fn bucket() -> Bucket {
        Bucket::new("examplebucket").unwrap()
    }

    fn signer(credentials: Credentials) -> Signer {
        Signer::new(credentials, Region::new("cn-hangzhou").unwrap())
    }

    fn guide_policy() -> PostPolicy {
        PostPolicy::builder(bucket())
            .expires_in(Duration::hours(1))
            .content_length_range(1, 10_485_760)
            .success_action_status(SuccessActionStatus::Ok)
            .key_starts_with("user-dir/")
            .build()
            .unwrap()
    }

    fn text(form: &FormFields) -> String {
        String::from_utf8(base64::engine::general_purpose::STANDARD.decode(form.get("policy").unwrap()).unwrap())
            .unwrap()
    }

    #[test]
    fn v4_writes_signer_fields_once_after_bucket() {
        let sts = Credentials::new("AKID", "secret").unwrap().with_security_token("TOKEN").unwrap();
        let form = guide_policy().sign_at(&signer(sts), NOW).unwrap();
        assert_eq!(
            text(&form),
            concat!(
                r#"{"expiration":"2024-11-27T07:09:41.000Z","conditions":[{"bucket":"examplebucket"},"#,
                r#"{"x-oss-signature-version":"OSS4-HMAC-SHA256"},"#,
                r#"{"x-oss-credential":"AKID/20241127/cn-hangzhou/oss/aliyun_v4_request"},"#,
                r#"{"x-oss-date":"20241127T060941Z"},{"x-oss-security-token":"TOKEN"},"#,
                r#"["content-length-range",1,10485760],["eq","$success_action_status","200"],"#,
                r#"["starts-with","$key","user-dir/"]]}"#
            )
        );
        for name in [
            "x-oss-signature-version",
            "x-oss-credential",
            "x-oss-date",
            "x-oss-security-token",
            "x-oss-signature",
            "policy",
        ] {
            assert_eq!(form.iter().filter(|(n, _)| *n == name).count(), 1, "{name}");
        }
    }

    #[test]
    fn escapes_in_ids_and_tokens_stay_inside_their_strings() {
        let creds = Credentials::new("AK\"ID\\", "secret").unwrap().with_security_token("TO\"K\\EN").unwrap();
        let form = guide_policy().sign_at(&signer(creds), NOW).unwrap();
        let doc = PolicyDocument::parse(&text(&form)).unwrap();
        assert_eq!(doc.conditions()[2].fixed_value(), Some("AK\"ID\\/20241127/cn-hangzhou/oss/aliyun_v4_request"));
        assert_eq!(doc.conditions()[4].fixed_value(), Some("TO\"K\\EN"));
    }

    #[test]
    fn v1_writes_only_the_token_after_bucket() {
        let sts = Credentials::example().with_security_token("TOKEN").unwrap();
        let form = guide_policy().sign_at(&signer(sts).with_version(SignatureVersion::V1), NOW).unwrap();
        let doc = PolicyDocument::parse(&text(&form)).unwrap();
        assert_eq!(
            doc.conditions()[1],
            Condition::Exact { field: Field::custom("x-oss-security-token"), value: "TOKEN".into() }
        );
        assert_eq!(doc.conditions().len(), 5);
        assert_eq!(form.get("OSSAccessKeyId"), Some(crate::credentials::EXAMPLE_ACCESS_KEY_ID));
        assert_eq!(form.signature_version(), SignatureVersion::V1);
    }

    #[test]
    fn signing_is_deterministic_and_leaves_the_policy_alone() {
        let policy = guide_policy();
        let before = policy.clone();
        let plain = signer(Credentials::example());
        let now = datetime!(2024-11-27 14:09:41.123 +08:00);
        let a = policy.sign_at(&plain, now).unwrap();
        assert_eq!(a, policy.sign_at(&plain, now).unwrap());
        assert_eq!(policy, before);
        let cached = plain.with_key_cache(crate::SigningKeyCache::new());
        assert_eq!(a, policy.sign_at(&cached, now).unwrap());
        assert_eq!(a.get("x-oss-date"), Some("20241127T060941Z"));
    }

    #[test]
    fn expiration_is_checked_against_now() {
        let v4 = signer(Credentials::example());
        let v1 = v4.clone().with_version(SignatureVersion::V1);
        let now = datetime!(2024-01-01 00:00:00 UTC);
        let past = PostPolicy::builder(bucket()).expires_at(now).build().unwrap();
        assert_eq!(past.sign_at(&v4, now), Err(Error::Expired { expiration: now, now }));
        assert!(matches!(past.sign_at(&v1, now), Err(Error::Expired { .. })));
        let negative = PostPolicy::builder(bucket()).expires_in(Duration::seconds(-1)).build().unwrap();
        assert!(matches!(negative.sign_at(&v4, now), Err(Error::Expired { .. })));
        let week = PostPolicy::builder(bucket()).expires_in(MAX_V4_VALIDITY).build().unwrap();
        assert!(week.sign_at(&v4, now).is_ok());
        let long = PostPolicy::builder(bucket()).expires_in(MAX_V4_VALIDITY + Duration::SECOND).build().unwrap();
        assert_eq!(
            long.sign_at(&v4, now),
            Err(Error::ValidityTooLong { expiration: datetime!(2024-01-08 00:00:01 UTC), date: now })
        );
        assert!(long.sign_at(&v1, now).is_ok(), "V1 has no 7-day limit");
    }

    #[test]
    fn times_at_the_edge_of_the_calendar_are_errors_not_panics() {
        let v4 = signer(Credentials::example());
        let v1 = v4.clone().with_version(SignatureVersion::V1);
        let edge = datetime!(9999-12-31 23:00 -05:00);
        assert_eq!(guide_policy().sign_at(&v4, edge), Err(Error::TimeOutOfRange { time: edge }));
        let late = datetime!(9999-12-31 23:30 UTC);
        assert!(matches!(guide_policy().sign_at(&v4, late), Err(Error::ValidityOutOfRange { .. })));
        let forever = PostPolicy::builder(bucket()).expires_in(Duration::MAX).build().unwrap();
        assert_eq!(forever.sign_at(&v1, NOW), Err(Error::ValidityOutOfRange { validity: Duration::MAX, now: NOW }));
        let past_9999 = PostPolicy::builder(bucket()).expires_in(Duration::days(3_000_000)).build().unwrap();
        let err = past_9999.sign_at(&v1, NOW).unwrap_err();
        assert!(matches!(err, Error::ValidityOutOfRange { .. }), "{err:?}");
        assert!(err.to_string().contains("2024-11-27T06:09:41Z"), "{err}");
        let at_edge = PostPolicy::builder(bucket()).expires_at(edge).build().unwrap();
        assert_eq!(at_edge.sign_at(&v1, NOW), Err(Error::TimeOutOfRange { time: edge }));
    }

    #[test]
    fn each_region_gets_its_own_url() {
        let policy = guide_policy();
        for (region, url) in [
            ("cn-hangzhou", "https://examplebucket.oss-cn-hangzhou.aliyuncs.com"),
            ("cn-beijing", "https://examplebucket.oss-cn-beijing.aliyuncs.com"),
        ] {
            let signer = Signer::new(Credentials::example(), Region::new(region).unwrap());
            assert_eq!(policy.sign_at(&signer, NOW).unwrap().url(), url);
        }
    }

    #[test]
    fn form_lists_prefilled_and_required_fields() {
        let policy = PostPolicy::builder(bucket())
            .expires_in(Duration::hours(1))
            .key_starts_with("user-dir/")
            .is_in(Field::ContentType, ["image/png", "image/jpeg"])
            .exact(Field::meta("uid"), "42")
            .success_action_status(SuccessActionStatus::Created)
            .build()
            .unwrap();
        let form = policy.sign_at(&signer(Credentials::example()), NOW).unwrap();
        assert_eq!(form.required(), ["key", "Content-Type"]);
        assert_eq!(form.key_prefix(), Some("user-dir/"));
        assert_eq!(form.get("x-oss-meta-uid"), Some("42"));
        assert_eq!(form.get("success_action_status"), Some("201"));
        assert_eq!(form.get("key"), None);
    }

    #[test]
    fn dollar_escape_changes_the_policy_not_the_form() {
        let p = |escape| {
            PostPolicy::builder(bucket())
                .expires_in(Duration::hours(1))
                .key("user/eric/${filename}")
                .escape_dollar(escape)
                .build()
                .unwrap()
        };
        let v4 = signer(Credentials::example());
        let escaped = p(true).sign_at(&v4, NOW).unwrap();
        assert!(text(&escaped).contains(r#"["eq","$key","user/eric/\\${filename}"]"#), "{}", text(&escaped));
        assert!(text(&p(false).sign_at(&v4, NOW).unwrap()).contains(r#"["eq","$key","user/eric/${filename}"]"#));
        assert_eq!(escaped.get("key"), Some("user/eric/${filename}"));
        // Both mean the same to OSS.
        let doc = PolicyDocument::parse(&text(&escaped)).unwrap();
        assert!(doc.conditions().last().unwrap().holds("user/eric/${filename}"));
    }

    #[test]
    fn callback_goes_into_policy_and_form() {
        let cb = Callback::new("https://app.example.com/cb", "object=${object}&uid=${x:uid}").var("x:uid", "7");
        let policy = PostPolicy::builder(bucket()).expires_in(Duration::hours(1)).callback(cb.clone()).build().unwrap();
        let form = policy.sign_at(&signer(Credentials::example()), NOW).unwrap();
        let encoded = cb.encode().unwrap();
        assert_eq!(form.get("callback"), Some(encoded.as_str()));
        assert_eq!(form.get("x:uid"), Some("7"));
        let doc = PolicyDocument::parse(&text(&form)).unwrap();
        assert_eq!(doc.conditions()[4], Condition::Exact { field: Field::Callback, value: encoded });
        assert_eq!(doc.conditions()[5], Condition::Eq { field: Field::custom("x:uid"), value: "7".into() });
    }
}
