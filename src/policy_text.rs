//! Signing a policy text given by the user, byte for byte.
//!
//! Official samples disagree on JSON spacing (`json.dumps` writes `", "`, `JSON.stringify`
//! writes `","`), and OSS signs the bytes sent, so an exact text is signed as it is. The text is
//! read by the same strict reader as the verifier's and checked as a typed policy is (its
//! `bucket`, its conditions, the V4 validity limit); a V4 text that pins `x-oss-date`,
//! `x-oss-credential`, `x-oss-signature-version` or `x-oss-security-token` gets a form that
//! agrees, or an error.

use std::sync::Arc;

use base64::Engine as _;
use time::OffsetDateTime;

use crate::builder::check_conditions;
use crate::document::PolicyDocument;
use crate::error::{Error, Result};
use crate::field::{CREDENTIAL, DATE, REDACTED, SECURITY_TOKEN, SIGNATURE_VERSION};
use crate::form::{FormFields, FormShape};
use crate::policy::check_validity;
use crate::region::{Bucket, Endpoint};
use crate::signature::{ALGORITHM_V4, SignatureVersion};
use crate::signer::Signer;
use crate::time_fmt;

/// An exact policy text for one bucket.
///
/// ```
/// use oss_post_policy::{Bucket, Credentials, PolicyText, Region, SignatureVersion, Signer};
/// use oss_post_policy::time::OffsetDateTime;
///
/// let text = r#"{"expiration": "2024-11-27T07:09:41.000Z", "conditions": [{"bucket": "examplebucket"}]}"#;
/// let policy = PolicyText::new(Bucket::new("examplebucket")?, text)?;
/// let signer = Signer::new(Credentials::example(), Region::new("cn-hangzhou")?).with_version(SignatureVersion::V1);
/// let now = OffsetDateTime::from_unix_timestamp(1_732_687_781).expect("a valid time");
/// let form = policy.sign_at(&signer, now)?;
/// // The text is signed as given: its base64 is the `policy` field.
/// assert_eq!(form.get("policy"), Some("eyJleHBpcmF0aW9uIjogIjIwMjQtMTEtMjdUMDc6MDk6NDEuMDAwWiIsICJjb25kaXRpb25zIjogW3siYnVja2V0IjogImV4YW1wbGVidWNrZXQifV19"));
/// # Ok::<(), oss_post_policy::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PolicyText {
    bucket: Bucket,
    text: String,
    endpoint: Endpoint,
    expiration: OffsetDateTime,
    pinned: Pinned,
    /// What the text means for the form, computed as for a typed policy.
    shape: Arc<FormShape>,
}

/// The signer's fields the text pins with an exact match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Pinned {
    version: Option<String>,
    credential: Option<String>,
    date: Option<String>,
    token: Option<String>,
}

impl PolicyText {
    /// Reads `text` as a policy document (accepting OSS's `\$` escape), checks it as a typed
    /// policy is checked, and keeps it verbatim.
    ///
    /// # Errors
    /// [`Error::InvalidPolicyDocument`] with OSS's EC code for a text OSS would refuse;
    /// [`Error::BucketMismatch`] for a `bucket` condition naming another bucket; the condition
    /// errors of [`PostPolicyBuilder::build`](crate::PostPolicyBuilder::build).
    pub fn new(bucket: Bucket, text: impl Into<String>) -> Result<Self> {
        let text = text.into();
        let document = PolicyDocument::parse(&text)?;
        let expiration = time_fmt::normalize(document.expiration())?;
        let conditions = check_conditions(&bucket, document.conditions().to_vec(), true, true)?;
        let mut pinned = Pinned::default();
        for cond in &conditions {
            let (Some(field), Some(value)) = (cond.field(), cond.fixed_value()) else { continue };
            let slot = match field.name().to_ascii_lowercase().as_str() {
                SIGNATURE_VERSION => &mut pinned.version,
                CREDENTIAL => &mut pinned.credential,
                DATE => &mut pinned.date,
                SECURITY_TOKEN => &mut pinned.token,
                _ => continue,
            };
            *slot = Some(value.to_owned());
        }
        let shape = Arc::new(FormShape::of(&conditions));
        Ok(Self { bucket, text, endpoint: Endpoint::default(), expiration, pinned, shape })
    }

    /// Where the form is posted (default: the region's public endpoint).
    #[must_use]
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// The text, exactly as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Signs the text at `now`. For V4, the text's own `x-oss-date`, if it pins one, is the
    /// signing time; otherwise `now` is.
    ///
    /// # Errors
    /// [`Error::Expired`] unless the expiration is after `now`; [`Error::ValidityTooLong`] for a
    /// V4 text expiring more than 7 days after its `x-oss-date`; [`Error::PolicyTextMismatch`]
    /// when the text pins a signer field (a malformed `x-oss-date` included) to another value
    /// than the signer writes; [`Error::TimeOutOfRange`].
    pub fn sign_at(&self, signer: &Signer, now: OffsetDateTime) -> Result<FormFields> {
        let now = time_fmt::normalize(now)?;
        check_validity(self.expiration, now, SignatureVersion::V1)?;
        let v4 = signer.version() == SignatureVersion::V4;
        let date = match (&self.pinned.date, v4) {
            (Some(d), true) => time_fmt::parse_x_oss_date(d).ok_or_else(|| Error::PolicyTextMismatch {
                field: DATE,
                in_text: d.clone(),
                signer: "a date as YYYYMMDDTHHMMSSZ".into(),
            })?,
            _ => now,
        };
        check_validity(self.expiration, date, signer.version())?;
        let stamp = signer.stamp(date);
        if let Some((credential, _)) = stamp.v4() {
            mismatch(CREDENTIAL, self.pinned.credential.as_deref(), credential)?;
            mismatch(SIGNATURE_VERSION, self.pinned.version.as_deref(), ALGORITHM_V4)?;
        }
        self.check_token(signer.credentials().security_token())?;
        let policy = base64::engine::general_purpose::STANDARD.encode(&self.text);
        let url = signer.region().upload_url(&self.bucket, &self.endpoint);
        let fields = signer.sign(stamp, policy);
        Ok(FormFields::new(url, Arc::clone(&self.shape), fields, signer.version(), self.expiration))
    }

    /// [`PolicyText::sign_at`] with the system clock.
    ///
    /// # Errors
    /// As [`PolicyText::sign_at`].
    pub fn sign(&self, signer: &Signer) -> Result<FormFields> {
        self.sign_at(signer, OffsetDateTime::now_utc())
    }

    fn check_token(&self, token: Option<&str>) -> Result<()> {
        match (&self.pinned.token, token) {
            (Some(t), Some(c)) if t == c => Ok(()),
            (Some(_), c) => Err(Error::PolicyTextMismatch {
                field: SECURITY_TOKEN,
                in_text: REDACTED.into(),
                signer: if c.is_some() { "<redacted, different>" } else { "<none>" }.into(),
            }),
            (None, _) => Ok(()),
        }
    }
}

/// The text is never shown: it is the policy, which may hold an STS token anywhere (as
/// [`FormFields`]' `Debug` never shows `policy`). [`PolicyText::as_str`] gives it.
impl std::fmt::Debug for PolicyText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicyText")
            .field("bucket", &self.bucket)
            .field("text", &REDACTED)
            .field("endpoint", &self.endpoint)
            .field("expiration", &self.expiration)
            .finish_non_exhaustive()
    }
}

fn mismatch(field: &'static str, in_text: Option<&str>, signer: &str) -> Result<()> {
    match in_text {
        Some(t) if t != signer => {
            Err(Error::PolicyTextMismatch { field, in_text: t.to_owned(), signer: signer.to_owned() })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Credentials;
    use crate::region::Region;
    use time::macros::datetime;

    const TEXT: &str = r#"{"expiration": "2024-07-13T14:34:14Z", "conditions": [{"bucket": "example-bucket"}, {"x-oss-signature-version": "OSS4-HMAC-SHA256"}, {"x-oss-credential": "access_key_id/20240713/us-west-1/oss/aliyun_v4_request"}, {"x-oss-date": "20240713T133414Z"}, ["starts-with", "$key", "up/"], ["eq", "$success_action_status", "201"]]}"#;
    const NOW: OffsetDateTime = datetime!(2024-07-13 13:40:00 UTC);

    fn bucket() -> Bucket {
        Bucket::new("example-bucket").unwrap()
    }

    fn signer(credentials: Credentials, region: &str) -> Signer {
        Signer::new(credentials, Region::new(region).unwrap())
    }

    fn creds() -> Credentials {
        Credentials::new("access_key_id", "access_key_secret").unwrap()
    }

    #[test]
    fn the_texts_own_date_and_scope_are_used() {
        let p = PolicyText::new(bucket(), TEXT).unwrap();
        let form = p.sign_at(&signer(creds(), "us-west-1"), NOW).unwrap();
        assert_eq!(form.get("x-oss-date"), Some("20240713T133414Z"));
        assert_eq!(form.get("x-oss-credential"), Some("access_key_id/20240713/us-west-1/oss/aliyun_v4_request"));
        assert_eq!(form.get("success_action_status"), Some("201"));
        assert_eq!(form.required(), ["key"]);
        assert_eq!(form.key_prefix(), Some("up/"));
        let b64 = form.get("policy").unwrap();
        assert_eq!(base64::engine::general_purpose::STANDARD.decode(b64).unwrap(), TEXT.as_bytes());
    }

    #[test]
    fn prefilled_values_are_what_oss_compares_with() {
        // The Java SDK writes a literal `$` as `\\$` in the JSON (public-vectors.json).
        let text = r#"{"expiration":"2030-01-01T00:00:00Z","conditions":[["eq","$key","user\/eric\/\\${filename}"],["starts-with","$x-oss-meta-a","p\\$"]]}"#;
        let p = PolicyText::new(bucket(), text).unwrap();
        let form = p.sign_at(&signer(creds(), "us-west-1").with_version(SignatureVersion::V1), NOW).unwrap();
        assert_eq!(form.get("key"), Some("user/eric/${filename}"));
        assert_eq!(form.required(), ["x-oss-meta-a"]);
    }

    #[test]
    fn the_builders_checks_apply_to_texts_too() {
        let with = |conds: &str| format!(r#"{{"expiration": "2030-01-01T00:00:00Z", "conditions": [{conds}]}}"#);
        assert_eq!(
            PolicyText::new(bucket(), with(r#"{"bucket": "other-bucket"}"#)),
            Err(Error::BucketMismatch { in_policy: "other-bucket".into(), bucket: "example-bucket".into() })
        );
        assert!(matches!(
            PolicyText::new(bucket(), with(r#"["eq", "$key", "a"], ["starts-with", "$key", "b/"]"#)),
            Err(Error::ConflictingConditions { .. })
        ));
        assert!(matches!(
            PolicyText::new(bucket(), with(r#"["eq", "$success_action_status", "299"]"#)),
            Err(Error::InvalidFieldValue { .. })
        ));
        // 30 days: fine for V1, over V4's 7-day limit.
        let month = PolicyText::new(
            bucket(),
            r#"{"expiration": "2024-08-12T13:40:00Z", "conditions": [{"bucket": "example-bucket"}]}"#,
        )
        .unwrap();
        let v4 = signer(creds(), "us-west-1");
        assert!(matches!(month.sign_at(&v4, NOW), Err(Error::ValidityTooLong { .. })));
        assert!(month.sign_at(&v4.with_version(SignatureVersion::V1), NOW).is_ok());
    }

    #[test]
    fn expiration_must_be_utc_as_oss_samples_write_it() {
        let offset = r#"{"expiration": "2030-01-01T08:00:00+08:00", "conditions": [{"bucket": "example-bucket"}]}"#;
        assert!(matches!(
            PolicyText::new(bucket(), offset),
            Err(Error::InvalidPolicyDocument { ec: "0006-00000212", .. })
        ));
        assert!(
            PolicyText::new(
                bucket(),
                r#"{"expiration": "2030-01-01T00:00:00.123Z", "conditions": [{"bucket": "example-bucket"}]}"#
            )
            .is_ok()
        );
    }

    #[test]
    fn a_text_pinning_another_scope_is_refused() {
        let p = PolicyText::new(bucket(), TEXT).unwrap();
        let err = p.sign_at(&signer(creds(), "cn-hangzhou"), NOW).unwrap_err();
        assert!(matches!(err, Error::PolicyTextMismatch { field: "x-oss-credential", .. }));
        let other = Credentials::new("other", "s").unwrap();
        assert!(matches!(p.sign_at(&signer(other, "us-west-1"), NOW), Err(Error::PolicyTextMismatch { .. })));
        let sts = creds().with_security_token("T").unwrap();
        let with_token = TEXT.replace(r#"{"x-oss-date""#, r#"{"x-oss-security-token": "OTHER"}, {"x-oss-date""#);
        let p = PolicyText::new(bucket(), with_token).unwrap();
        let err = p.sign_at(&signer(sts, "us-west-1"), NOW).unwrap_err();
        assert!(matches!(err, Error::PolicyTextMismatch { field: "x-oss-security-token", .. }));
        assert!(!err.to_string().contains("OTHER"));
        assert!(!format!("{p:?}").contains("OTHER"), "Debug never shows the text");
        let bad_date = TEXT.replace("20240713T133414Z", "2024-07-13");
        let p = PolicyText::new(bucket(), bad_date).unwrap();
        assert!(matches!(
            p.sign_at(&signer(creds(), "us-west-1"), NOW),
            Err(Error::PolicyTextMismatch { field: "x-oss-date", .. })
        ));
    }

    #[test]
    fn malformed_texts_are_refused_with_oss_ec_codes() {
        for (bad, ec) in [
            ("", "0006-00000205"),
            ("[]", "0006-00000201"),
            ("{}", "0006-00000209"),
            (r#"{"expiration": 1, "conditions": [{"bucket": "example-bucket"}]}"#, "0006-00000210"),
            (
                r#"{"expiration": "2024-02-30T00:00:00Z", "conditions": [{"bucket": "example-bucket"}]}"#,
                "0006-00000212",
            ),
            (r#"{"expiration": "2024-01-01T00:00:00Z"}"#, "0006-00000207"),
            (r#"{"expiration": "2024-01-01T00:00:00Z", "conditions": []}"#, "0006-00000215"),
            (r#"{"expiration": "2024-01-01T00:00:00Z", "conditions": [], "conditions": [1]}"#, "0006-00000201"),
        ] {
            assert!(
                matches!(PolicyText::new(bucket(), bad), Err(Error::InvalidPolicyDocument { ec: e, .. }) if e == ec),
                "{bad:?}"
            );
        }
        let p = PolicyText::new(
            bucket(),
            r#"{"expiration": "2024-07-13T13:40:00Z", "conditions": [{"bucket": "example-bucket"}]}"#,
        )
        .unwrap();
        assert!(matches!(p.sign_at(&signer(creds(), "us-west-1"), NOW), Err(Error::Expired { .. })));
    }
}
