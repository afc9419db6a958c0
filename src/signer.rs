//! The one way to sign: a [`Signer`] holds what every signature needs besides the policy
//! (credentials, region, version, an optional key cache) and writes the signer's fields.

use std::borrow::Cow;
use std::sync::Arc;

use time::OffsetDateTime;

use crate::credentials::Credentials;
use crate::field::{
    ACCESS_KEY_ID_V1, CREDENTIAL, DATE, POLICY, SECURITY_TOKEN, SIGNATURE_V1, SIGNATURE_V4, SIGNATURE_VERSION,
};
use crate::region::Region;
use crate::signature::{self, ALGORITHM_V4, SignatureVersion};
use crate::signing_key::{SCOPE_TERMINATOR_V4, SigningKey, SigningKeyCache};
use crate::time_fmt;

/// Signs policies: [`PostPolicy::sign_at`](crate::PostPolicy::sign_at),
/// [`PolicyText::sign_at`](crate::PolicyText::sign_at) and
/// [`TempUpload::sign_at`](crate::TempUpload::sign_at) all take one.
///
/// V4 by default; [`Signer::with_version`] for legacy V1. Without a key cache every V4
/// signature derives its key (four HMACs); a service gives its signers one shared
/// [`SigningKeyCache`] so a key is derived once per secret, region and UTC day. Build a signer
/// once per credentials (e.g. per STS refresh) and share it: it is cheap to clone, and clones
/// share the credentials and the cache.
///
/// ```
/// use std::sync::Arc;
/// use oss_post_policy::{Credentials, Region, SignatureVersion, Signer, SigningKeyCache};
///
/// let credentials = Arc::new(Credentials::example());
/// let signer = Signer::new(Arc::clone(&credentials), Region::new("cn-hangzhou")?)
///     .with_key_cache(SigningKeyCache::new());
/// assert_eq!(signer.version(), SignatureVersion::V4);
/// let legacy = signer.clone().with_version(SignatureVersion::V1);
/// assert_eq!(legacy.credentials().access_key_id(), credentials.access_key_id());
/// # Ok::<(), oss_post_policy::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Signer {
    credentials: Arc<Credentials>,
    region: Region,
    version: SignatureVersion,
    key_cache: Option<SigningKeyCache>,
}

/// What one signature at a given time writes besides the signature: for V4 the credential
/// scope and `x-oss-date`.
pub(crate) struct Stamp {
    now: OffsetDateTime,
    v4: Option<(String, String)>,
}

impl Stamp {
    /// `x-oss-credential` and `x-oss-date`, for V4.
    pub(crate) fn v4(&self) -> Option<(&str, &str)> {
        self.v4.as_ref().map(|(credential, date)| (credential.as_str(), date.as_str()))
    }
}

impl Signer {
    /// A V4 signer for `region`, without a key cache. Takes `Credentials` or
    /// `Arc<Credentials>`.
    pub fn new(credentials: impl Into<Arc<Credentials>>, region: Region) -> Self {
        Self { credentials: credentials.into(), region, version: SignatureVersion::V4, key_cache: None }
    }

    /// The same signer writing `version` signatures.
    #[must_use]
    pub fn with_version(mut self, version: SignatureVersion) -> Self {
        self.version = version;
        self
    }

    /// The same signer taking V4 keys from `cache` (shared with its clones and with any
    /// [`Verifier`](crate::Verifier) given the same cache).
    #[must_use]
    pub fn with_key_cache(mut self, cache: SigningKeyCache) -> Self {
        self.key_cache = Some(cache);
        self
    }

    /// The credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The region of the signing scope and of the upload URL.
    pub fn region(&self) -> &Region {
        &self.region
    }

    /// The signature version written.
    pub fn version(&self) -> SignatureVersion {
        self.version
    }

    /// The key cache, if any.
    pub fn key_cache(&self) -> Option<&SigningKeyCache> {
        self.key_cache.as_ref()
    }

    /// The V4 signature of `string_to_sign` with the key of `date` (from the cache, if any).
    pub(crate) fn sign_v4(&self, date: time::Date, string_to_sign: &[u8]) -> String {
        match &self.key_cache {
            Some(cache) => cache.get(&self.credentials, date, &self.region).sign(string_to_sign),
            None => SigningKey::derive(self.credentials.access_key_secret(), date, &self.region).sign(string_to_sign),
        }
    }

    /// The values a signature at `now` (already normalised) writes.
    pub(crate) fn stamp(&self, now: OffsetDateTime) -> Stamp {
        let v4 = (self.version == SignatureVersion::V4).then(|| {
            let date = time_fmt::x_oss_date(now);
            (credential_scope(self.credentials.access_key_id(), &date[..8], &self.region), date)
        });
        Stamp { now, v4 }
    }

    /// The signer's conditions, placed right after `bucket` in the policy and in this order:
    /// V4's `x-oss-signature-version`, `x-oss-credential`, `x-oss-date`; then, with STS,
    /// `x-oss-security-token`. The first `n` of the array (no allocation per signature).
    pub(crate) fn conditions<'a>(&'a self, stamp: &'a Stamp) -> ([(&'static str, &'a str); 4], usize) {
        let v4 = stamp
            .v4()
            .map(|(credential, date)| [(SIGNATURE_VERSION, ALGORITHM_V4), (CREDENTIAL, credential), (DATE, date)]);
        let token = self.credentials.security_token().map(|token| (SECURITY_TOKEN, token));
        let mut out = [("", ""); 4];
        let mut n = 0;
        for condition in v4.into_iter().flatten().chain(token) {
            out[n] = condition;
            n += 1;
        }
        (out, n)
    }

    /// Signs `policy_b64`, the base64 policy document, and returns the form fields the signer
    /// writes, in form order: `policy`; V4 `x-oss-signature-version`, `x-oss-credential`,
    /// `x-oss-date`, `x-oss-signature` or V1 `OSSAccessKeyId`, `Signature`; then
    /// `x-oss-security-token` with STS.
    pub(crate) fn sign(&self, stamp: Stamp, policy_b64: String) -> Vec<(&'static str, Cow<'static, str>)> {
        let credentials = &*self.credentials;
        let secret = credentials.access_key_secret();
        let string_to_sign = policy_b64.as_bytes();
        let mut fields: Vec<(&'static str, Cow<'static, str>)> = Vec::with_capacity(6);
        if let Some((credential, date)) = stamp.v4 {
            let signature = self.sign_v4(stamp.now.date(), string_to_sign);
            fields.extend([
                (POLICY, policy_b64.into()),
                (SIGNATURE_VERSION, ALGORITHM_V4.into()),
                (CREDENTIAL, credential.into()),
                (DATE, date.into()),
                (SIGNATURE_V4, signature.into()),
            ]);
        } else {
            let signature = signature::sign_v1(secret, string_to_sign);
            fields.extend([
                (POLICY, policy_b64.into()),
                (ACCESS_KEY_ID_V1, credentials.access_key_id().to_owned().into()),
                (SIGNATURE_V1, signature.into()),
            ]);
        }
        fields.extend(credentials.security_token().map(|token| (SECURITY_TOKEN, token.to_owned().into())));
        fields
    }
}

/// `x-oss-credential`: `<AccessKeyId>/<YYYYMMDD>/<region>/<product>/aliyun_v4_request`.
pub(crate) fn credential_scope(access_key_id: &str, scope_date: &str, region: &Region) -> String {
    let parts =
        [access_key_id, "/", scope_date, "/", region.id(), "/", region.product().as_str(), "/", SCOPE_TERMINATOR_V4];
    let mut scope = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        scope.push_str(part);
    }
    scope
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn credential_scope_has_the_documented_shape() {
        let r = Region::new("oss-cn-hangzhou").unwrap();
        assert_eq!(credential_scope("AKID", "20231203", &r), "AKID/20231203/cn-hangzhou/oss/aliyun_v4_request");
        let cloudbox = Region::cloudbox("cb-123", "cn-shanghai").unwrap();
        assert_eq!(
            credential_scope("AKID", "20231203", &cloudbox),
            "AKID/20231203/cb-123/oss-cloudbox/aliyun_v4_request"
        );
    }

    #[test]
    fn the_signer_writes_its_fields_in_form_order() {
        let sts = Credentials::new("AKID", "secret").unwrap().with_security_token("TOKEN").unwrap();
        let region = Region::new("cn-hangzhou").unwrap();
        let now = datetime!(2024-11-27 06:09:41 UTC);
        let v4 = Signer::new(sts.clone(), region.clone());
        let stamp = v4.stamp(now);
        let (conditions, n) = v4.conditions(&stamp);
        assert_eq!(
            conditions[..n],
            [
                (SIGNATURE_VERSION, ALGORITHM_V4),
                (CREDENTIAL, "AKID/20241127/cn-hangzhou/oss/aliyun_v4_request"),
                (DATE, "20241127T060941Z"),
                (SECURITY_TOKEN, "TOKEN"),
            ]
        );
        let names: Vec<_> = v4.sign(stamp, "cG9saWN5".into()).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, [POLICY, SIGNATURE_VERSION, CREDENTIAL, DATE, SIGNATURE_V4, SECURITY_TOKEN]);
        let v1 = Signer::new(sts, region).with_version(SignatureVersion::V1);
        let stamp = v1.stamp(now);
        let (conditions, n) = v1.conditions(&stamp);
        assert_eq!(conditions[..n], [(SECURITY_TOKEN, "TOKEN")]);
        let names: Vec<_> = v1.sign(stamp, "cG9saWN5".into()).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, [POLICY, ACCESS_KEY_ID_V1, SIGNATURE_V1, SECURITY_TOKEN]);
    }

    #[test]
    fn a_cached_key_signs_what_a_derived_one_signs() {
        let region = Region::new("cn-hangzhou").unwrap();
        let now = datetime!(2024-11-27 06:09:41 UTC);
        let plain = Signer::new(Credentials::example(), region.clone());
        let cache = SigningKeyCache::new();
        let cached = plain.clone().with_key_cache(cache.clone());
        assert_eq!(plain.sign(plain.stamp(now), "cG9saWN5".into()), cached.sign(cached.stamp(now), "cG9saWN5".into()));
        assert_eq!(cache.len(), 1, "the signer's cache is the one given");
    }
}
