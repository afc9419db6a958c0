//! Checking a submitted PostObject form the way OSS does, offline.
//!
//! A [`Verifier`] for one bucket and region takes what the browser sent (a [`Submission`]:
//! the non-file fields in order, and the file part's position, size, name and type), the
//! credentials it trusts ([`CredentialLookup`]) and the time, and answers either an
//! [`AcceptedUpload`] (the object OSS would write and how it would answer) or a
//! [`Rejection`] carrying OSS's error code, EC code, message and XML body.
//!
//! It is sans-IO like the rest of the crate: no multipart parsing, no HTTP, no clock (except
//! [`Verifier::verify`]). Use it to test a signing service without touching OSS, to serve an
//! OSS-compatible upload endpoint, or to explain why OSS refused a form.
//!
//! The rules and their sources are in `oss-postobject-spec.md`; each check's doc comment says
//! whether OSS documents it or it is inferred (`[UNVERIFIED]`). The checks run in the order of
//! the spec's section 10:
//!
//! 1. layout and limits of the [`Submission`]: names ≤ 8 KB, values ≤ 2 MB, ≤ 8 MB
//!    before the file, exactly one file, the file last, `key` before it;
//! 2. the auth mode: V4, V1 (all or none of `OSSAccessKeyId`, `policy`, `Signature`) or
//!    anonymous, and its fields present and not blank;
//! 3. the policy document: base64, UTF-8, JSON without duplicate keys, its grammar
//!    ([`PolicyDocument`]);
//! 4. time: the V4 credential scope and `x-oss-date` window, then `expiration`;
//! 5. the AccessKey, the STS token, and the signature over the exact `policy` text, compared
//!    in constant time;
//! 6. the conditions, first failure reported as OSS renders it;
//! 7. field values (encryption, ACL, storage class, metadata size, object name, callback).
//!
//! # Example
//!
//! ```
//! use oss_post_policy::verify::{FilePart, Submission, Verifier};
//! use oss_post_policy::{Bucket, Credentials, PostPolicy, Region};
//! use time::{macros::datetime, Duration};
//!
//! let credentials = Credentials::example();
//! let bucket = Bucket::new("examplebucket")?;
//! let region = Region::new("cn-hangzhou")?;
//! let now = datetime!(2024-11-27 06:09:41 UTC);
//! let form = PostPolicy::builder(bucket.clone())
//!     .expires_in(Duration::hours(1))
//!     .key_starts_with("user-dir/")
//!     .content_length_range(1, 10 * 1024 * 1024)
//!     .build()?
//!     .sign_at(&credentials, &region, now)?;
//!
//! // What the browser posts: the signed fields, its own `key`, then the file.
//! let sent = Submission::new()
//!     .with_fields(form.iter())
//!     .with_field("key", "user-dir/${filename}")
//!     .with_file(FilePart::new("cat.png", 2048).with_content_type("image/png"));
//! let verifier = Verifier::new(bucket, region);
//! let upload = verifier.verify_at(&sent, &credentials, now + Duration::minutes(5))?;
//! assert_eq!(upload.key, "user-dir/cat.png");
//!
//! // Outside the prefix: refused as OSS would refuse it.
//! let bad = Submission::new().with_fields(form.iter()).with_field("key", "other/cat.png").with_file(FilePart::new("cat.png", 2048));
//! let err = verifier.verify_at(&bad, &credentials, now).unwrap_err();
//! assert_eq!((err.code(), err.ec()), ("AccessDenied", Some("0006-00000227")));
//! assert_eq!(err.message(), r#"Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "user-dir/"]"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod accepted;
mod auth;
mod callback;
mod document;
mod evaluate;
mod options;
mod policy_base64;
mod quick_policy;
mod rejection;
mod strict_json;
mod submission;
mod values;

use std::fmt;
use std::sync::Arc;

use time::{OffsetDateTime, UtcOffset};

pub use accepted::{AcceptedUpload, FILENAME_VARIABLE};
pub use callback::{CallbackConfig, MAX_CALLBACK_VAR_LEN};
pub use document::{PolicyCondition, PolicyDocument};
pub use options::{ExtraFields, FieldNameCase, TrailingFields, VerifyOptions};
pub use rejection::Rejection;
pub use submission::{FilePart, MAX_FIELD_NAME_LEN, MAX_FIELD_VALUE_LEN, MAX_PRE_FILE_LEN, Submission};
pub use values::{MAX_OBJECT_NAME_LEN, MAX_OBJECT_SIZE, MAX_USER_METADATA_LEN};

use crate::condition::SECURITY_TOKEN;
use crate::credentials::Credentials;
use crate::form::SignatureVersion;
use crate::region::{Bucket, Region};
use crate::signing_key::SigningKeyCache;
use auth::Auth;
use document::PolicyView;
use quick_policy::PlainToken;

/// The credentials a verifier trusts, found by AccessKey id.
///
/// Implemented for one [`Credentials`] (matching its own id), slices, arrays and vectors of
/// them, and references to any implementor.
///
/// [`Verifier::verify_at`] looks up the AccessKey id a signed form names once, before it
/// reads the policy (so also for forms it then refuses for their policy or time); an unknown
/// id is still refused after those checks.
pub trait CredentialLookup {
    /// The credentials for `access_key_id`, if trusted.
    fn lookup(&self, access_key_id: &str) -> Option<&Credentials>;
}

impl CredentialLookup for Credentials {
    fn lookup(&self, access_key_id: &str) -> Option<&Credentials> {
        (self.access_key_id() == access_key_id).then_some(self)
    }
}

impl CredentialLookup for [Credentials] {
    fn lookup(&self, access_key_id: &str) -> Option<&Credentials> {
        self.iter().find(|c| c.access_key_id() == access_key_id)
    }
}

impl<const N: usize> CredentialLookup for [Credentials; N] {
    fn lookup(&self, access_key_id: &str) -> Option<&Credentials> {
        self.as_slice().lookup(access_key_id)
    }
}

impl CredentialLookup for Vec<Credentials> {
    fn lookup(&self, access_key_id: &str) -> Option<&Credentials> {
        self.as_slice().lookup(access_key_id)
    }
}

impl<T: CredentialLookup + ?Sized> CredentialLookup for &T {
    fn lookup(&self, access_key_id: &str) -> Option<&Credentials> {
        (**self).lookup(access_key_id)
    }
}

/// Checks submitted forms for one bucket in one region, as OSS would.
///
/// V4 signing keys are derived once per credential and UTC day and kept in a
/// [`SigningKeyCache`], shared by clones of the verifier (and, with
/// [`Verifier::with_key_cache`], with a signer). Two verifiers are equal when they check the
/// same bucket and region with the same options, whatever their caches hold.
#[derive(Clone)]
pub struct Verifier {
    bucket: Bucket,
    region: Region,
    options: VerifyOptions,
    key_cache: Arc<SigningKeyCache>,
}

impl PartialEq for Verifier {
    fn eq(&self, other: &Self) -> bool {
        self.bucket == other.bucket && self.region == other.region && self.options == other.options
    }
}

impl Eq for Verifier {}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The cache's own `Debug` shows how many keys it holds, never a key.
        f.debug_struct("Verifier")
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("options", &self.options)
            .field("key_cache", &self.key_cache)
            .finish()
    }
}

impl Verifier {
    /// A verifier for uploads to `bucket` in `region`, with the default options and its own
    /// signing-key cache.
    pub fn new(bucket: Bucket, region: Region) -> Self {
        Self { bucket, region, options: VerifyOptions::default(), key_cache: Arc::default() }
    }

    /// The same verifier taking V4 signing keys from `cache`, e.g. the cache a service signs
    /// with ([`PostPolicy::sign_at_cached`](crate::PostPolicy::sign_at_cached)), so a key is
    /// derived once per credential, region and UTC day for both.
    #[must_use]
    pub fn with_key_cache(mut self, cache: Arc<SigningKeyCache>) -> Self {
        self.key_cache = cache;
        self
    }

    /// The same verifier with other options.
    #[must_use]
    pub fn with_options(mut self, options: VerifyOptions) -> Self {
        self.options = options;
        self
    }

    /// The target bucket, compared with `bucket` conditions.
    pub fn bucket(&self) -> &Bucket {
        &self.bucket
    }

    /// The bucket's region, compared with the V4 credential scope.
    pub fn region(&self) -> &Region {
        &self.region
    }

    /// The options in use.
    pub fn options(&self) -> &VerifyOptions {
        &self.options
    }

    /// Checks `submission` as OSS would on receiving it at `now`.
    ///
    /// `now` is converted to UTC; sub-seconds are kept, so a policy expiring at
    /// `12:00:00.500Z` is still valid at `12:00:00.400Z`.
    ///
    /// # Errors
    /// The first [`Rejection`] in the order of the module documentation.
    pub fn verify_at(
        &self,
        submission: &Submission,
        credentials: &impl CredentialLookup,
        now: OffsetDateTime,
    ) -> Result<AcceptedUpload, Rejection> {
        let now = now.to_offset(UtcOffset::UTC);
        let options = &self.options;
        let mut form = submission::layout(submission, options)?;
        let auth = auth::detect(&form)?;
        // [PO]: without signature fields only a public-read-write bucket accepts the upload.
        if auth == Auth::Anonymous && !options.allow_anonymous {
            return Err(Rejection::anonymous_denied());
        }
        // The credentials the form names, looked up here rather than at step 5 so that their
        // STS token, most of a policy, is copied rather than decoded and read; a lookup has
        // no effect, and an unknown AccessKey is still refused at step 5.
        let named = match auth {
            Auth::V1 { access_key_id, .. } => Some(access_key_id),
            Auth::V4 { credential, .. } => credential.split('/').next(),
            Auth::Anonymous => None,
        };
        let trusted = named.and_then(|id| credentials.lookup(id));
        let token = trusted.and_then(Credentials::token_literal);
        let text = auth.policy().map(|policy| document::decode_base64_knowing(policy, token)).transpose()?;
        let plain_token = trusted.and_then(PlainToken::of);
        let document = text.as_deref().map(|text| PolicyView::parse_knowing(text, plain_token)).transpose()?;
        if let Some(doc) = &document {
            evaluate::check_referenced_layout(doc, &form)?;
        }
        let scope = match auth {
            Auth::V4 { credential, date, .. } => {
                Some(auth::check_v4_scope(credential, date, &self.region, now, options.clock_skew)?)
            }
            _ => None,
        };
        // [EC-0006-00000213]: received after `expiration`. Equal passes, no leeway
        // [UNVERIFIED].
        if document.as_ref().is_some_and(|doc| now > doc.expiration()) {
            return Err(Rejection::policy_expired());
        }
        let (version, access_key_id) = match (auth, &scope) {
            (Auth::V1 { access_key_id, .. }, _) => (Some(SignatureVersion::V1), Some(access_key_id)),
            (Auth::V4 { .. }, Some(scope)) => (Some(SignatureVersion::V4), Some(scope.access_key_id)),
            _ => (None, None),
        };
        let mut with_token = false;
        if let Some(id) = access_key_id {
            // V4's scope names the credential's first part: the id looked up above.
            debug_assert_eq!(Some(id), named);
            let trusted = trusted.ok_or_else(Rejection::unknown_access_key_id)?;
            if auth::check_token(form.get(SECURITY_TOKEN), trusted)? {
                form.forget(SECURITY_TOKEN);
            }
            with_token = trusted.security_token().is_some();
            auth::check_signature(&auth, scope.as_ref(), trusted, &self.region, &self.key_cache)?;
        }
        if let Some(doc) = &document {
            if options.require_v4_conditions && version == Some(SignatureVersion::V4) {
                evaluate::check_v4_pinned(doc, &form, with_token)?;
            }
            evaluate::evaluate(doc, &form, &self.bucket)?;
            if options.extra_fields == ExtraFields::Rejected {
                evaluate::check_extra_fields(doc, &form)?;
            }
        }
        values::check_and_accept(&form, version, access_key_id)
    }

    /// [`Verifier::verify_at`] with the system clock.
    ///
    /// # Errors
    /// As [`Verifier::verify_at`].
    pub fn verify(
        &self,
        submission: &Submission,
        credentials: &impl CredentialLookup,
    ) -> Result<AcceptedUpload, Rejection> {
        self.verify_at(submission, credentials, OffsetDateTime::now_utc())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Callback, Field, PolicyText, PostPolicy};
    use time::Duration;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2024-11-27 06:09:41 UTC);

    fn bucket() -> Bucket {
        Bucket::new("examplebucket").unwrap()
    }

    fn region() -> Region {
        Region::new("cn-hangzhou").unwrap()
    }

    fn verifier() -> Verifier {
        Verifier::new(bucket(), region())
    }

    fn seed_form(creds: &Credentials) -> crate::FormFields {
        PostPolicy::builder(bucket())
            .expires_in(Duration::hours(1))
            .content_length_range(1, 10 * 1024 * 1024)
            .success_action_status(crate::SuccessActionStatus::Ok)
            .key_starts_with("user-dir/")
            .build()
            .unwrap()
            .sign_at(creds, &region(), NOW)
            .unwrap()
    }

    fn sent(form: &crate::FormFields) -> Submission {
        Submission::new()
            .with_fields(form.iter())
            .with_field("key", "user-dir/${filename}")
            .with_file(FilePart::new("a.png", 10))
    }

    #[test]
    fn credential_lookups() {
        let a = Credentials::new("A", "s").unwrap();
        let b = Credentials::new("B", "s").unwrap();
        assert!(a.lookup("A").is_some() && a.lookup("a").is_none());
        let list = vec![a.clone(), b.clone()];
        assert_eq!(list.lookup("B").map(Credentials::access_key_id), Some("B"));
        assert_eq!([a, b].lookup("A").map(Credentials::access_key_id), Some("A"));
        let slice: &[Credentials] = &list;
        assert!(slice.lookup("C").is_none());
        assert!((&slice).lookup("A").is_some());
    }

    #[test]
    fn signed_v4_and_v1_forms_are_accepted() {
        let creds = Credentials::example();
        let up = verifier().verify_at(&sent(&seed_form(&creds)), &creds, NOW).unwrap();
        assert_eq!(up.key, "user-dir/a.png");
        assert_eq!(up.success_action_status, 200);
        assert_eq!(
            (up.signature_version, up.access_key_id.as_deref()),
            (Some(SignatureVersion::V4), Some(creds.access_key_id()))
        );
        let v1 = PostPolicy::builder(bucket())
            .expires_in(Duration::hours(1))
            .key("fixed.txt")
            .build()
            .unwrap()
            .sign_v1_at(&creds, &region(), NOW)
            .unwrap();
        let up = verifier()
            .verify_at(&Submission::new().with_fields(v1.iter()).with_file(FilePart::new("a", 0)), &creds, NOW)
            .unwrap();
        assert_eq!((up.key.as_str(), up.signature_version), ("fixed.txt", Some(SignatureVersion::V1)));
    }

    #[test]
    fn order_of_checks() {
        let creds = Credentials::example();
        let form = seed_form(&creds);
        // Expired before signature: a wrong signature on an expired form reports expiry.
        let mut sub = sent(&form);
        for (n, v) in &mut sub.fields {
            if n == "x-oss-signature" {
                *v = "0".repeat(64);
            }
        }
        let later = NOW + Duration::hours(2);
        assert_eq!(verifier().verify_at(&sub, &creds, later).unwrap_err().ec(), Some("0006-00000213"));
        assert_eq!(verifier().verify_at(&sub, &creds, NOW).unwrap_err().ec(), Some("0002-00000705"));
        // Unknown AccessKey before the signature.
        let other = Credentials::new("someone-else", "x").unwrap();
        assert_eq!(verifier().verify_at(&sent(&form), &other, NOW).unwrap_err().code(), "InvalidAccessKeyId");
        // Expiration is inclusive.
        let exp = form.expiration();
        assert!(verifier().verify_at(&sent(&form), &creds, exp).is_ok());
        assert!(verifier().verify_at(&sent(&form), &creds, exp + Duration::milliseconds(1)).is_err());
    }

    #[test]
    fn wrong_region_or_bucket() {
        let creds = Credentials::example();
        let form = seed_form(&creds);
        let beijing = Verifier::new(bucket(), Region::new("cn-beijing").unwrap());
        assert_eq!(beijing.verify_at(&sent(&form), &creds, NOW).unwrap_err().ec(), Some("0002-00000715"));
        let other = Verifier::new(Bucket::new("otherbucket").unwrap(), region());
        let r = other.verify_at(&sent(&form), &creds, NOW).unwrap_err();
        assert_eq!(
            r.message(),
            r#"Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "examplebucket"]"#
        );
    }

    #[test]
    fn v4_keys_come_from_the_shared_cache() {
        let creds = Credentials::example();
        let cache = Arc::new(SigningKeyCache::new());
        let signed = PostPolicy::builder(bucket())
            .expires_in(Duration::hours(1))
            .key_starts_with("user-dir/")
            .build()
            .unwrap()
            .sign_at_cached(&creds, &region(), NOW, &cache)
            .unwrap();
        let shared = verifier().with_key_cache(Arc::clone(&cache));
        let clone = shared.clone();
        assert!(clone.verify_at(&sent(&signed), &creds, NOW).is_ok());
        assert_eq!(cache.len(), 1, "the verifier reuses the signer's key");
        // Its own cache fills on first use and is shared by clones.
        let own = verifier();
        let twin = own.clone();
        assert!(own.verify_at(&sent(&signed), &creds, NOW).is_ok());
        assert_eq!(twin.key_cache.len(), 1);
        // A key derived for another secret under the same id is never used.
        let rotated = Credentials::new(creds.access_key_id(), "another-secret").unwrap();
        assert_eq!(twin.verify_at(&sent(&signed), &rotated, NOW).unwrap_err().ec(), Some("0002-00000705"));
    }

    #[test]
    fn equality_and_debug_ignore_the_cache_contents() {
        let creds = Credentials::example();
        let used = verifier();
        assert!(used.verify_at(&sent(&seed_form(&creds)), &creds, NOW).is_ok());
        assert_eq!(used, verifier());
        assert_ne!(used, verifier().with_options(VerifyOptions::default().allow_anonymous(true)));
        let dbg = format!("{used:?}");
        let key = crate::SigningKey::derive(creds.access_key_secret(), NOW.date(), "cn-hangzhou", "oss");
        assert!(dbg.contains("examplebucket") && dbg.contains("keys: 1"), "{dbg}");
        assert!(!dbg.contains(key.to_hex().as_str()) && !dbg.contains(creds.access_key_secret()), "{dbg}");
    }

    #[test]
    fn anonymous_needs_the_option() {
        let sub = Submission::new().with_field("key", "a.txt").with_file(FilePart::new("a", 1));
        let r = verifier().verify_at(&sub, &Credentials::example(), NOW).unwrap_err();
        assert_eq!((r.code(), r.http_status()), ("AccessDenied", 403));
        let open = verifier().with_options(VerifyOptions::default().allow_anonymous(true));
        let up = open.verify_at(&sub, &Credentials::example(), NOW).unwrap();
        assert_eq!((up.signature_version, up.access_key_id), (None, None));
    }

    #[test]
    fn seed_page_empty_token_is_absent_without_sts() {
        let creds = Credentials::example();
        let form = seed_form(&creds);
        let seed = form.seed_response().unwrap();
        assert_eq!(seed.security_token, "");
        // The seed page's FormData, in its order.
        let page = Submission::new()
            .with_fields([
                ("success_action_status", "200"),
                ("policy", seed.policy.as_str()),
                ("x-oss-signature", seed.signature.as_str()),
                ("x-oss-signature-version", "OSS4-HMAC-SHA256"),
                ("x-oss-credential", seed.x_oss_credential.as_str()),
                ("x-oss-date", seed.x_oss_date.as_str()),
                ("key", "user-dir/a.png"),
                ("x-oss-security-token", seed.security_token.as_str()),
            ])
            .with_file(FilePart::new("a.png", 10));
        assert!(verifier().verify_at(&page, &creds, NOW).is_ok());
        let strict = verifier().with_options(VerifyOptions::default().extra_fields(ExtraFields::Rejected));
        assert!(strict.verify_at(&page, &creds, NOW).is_ok(), "the ignored empty token is not an extra field");
        let sts = Credentials::example().with_security_token("TOKEN").unwrap();
        assert_eq!(verifier().verify_at(&page, &sts, NOW).unwrap_err().code(), "InvalidAccessKeyId");
    }

    #[test]
    fn sts_tokens_at_every_alignment_with_or_without_escapes() {
        use base64::Engine as _;
        let long = format!("CAIS{}", "abcdefghijklmnopqrstuvwxyz0123456789+/".repeat(16));
        let mut alignments = std::collections::BTreeSet::new();
        for token in [long.as_str(), r#"CAIS"quoted"\back\slashed"#, "CAIS-é-ü"] {
            let creds = Credentials::example().with_security_token(token).unwrap();
            let other = Credentials::example().with_security_token(format!("{token}X")).unwrap();
            for name in ["examplebucket", "examplebucket1", "examplebucket12"] {
                let bucket = Bucket::new(name).unwrap();
                let form = PostPolicy::builder(bucket.clone())
                    .expires_in(Duration::hours(1))
                    .key_starts_with("user-dir/")
                    .build()
                    .unwrap()
                    .sign_at(&creds, &region(), NOW)
                    .unwrap();
                let text = base64::engine::general_purpose::STANDARD.decode(form.get("policy").unwrap()).unwrap();
                let literal = creds.token_literal().unwrap().text().as_bytes();
                alignments.insert(text.windows(literal.len()).position(|w| w == literal).unwrap() % 3);
                let verifier = Verifier::new(bucket, region());
                assert!(verifier.verify_at(&sent(&form), &creds, NOW).is_ok(), "{token} {name}");
                let r = verifier.verify_at(&sent(&form), &other, NOW).unwrap_err();
                assert_eq!(r.code(), "InvalidSecurityToken", "{token} {name}");
                assert!(!r.message().contains(token) && !format!("{r:?}").contains(token));
                // The token condition without the form field: as before, a temporary
                // AccessKey without its token.
                let mut missing = sent(&form);
                missing.fields.retain(|(n, _)| n != SECURITY_TOKEN);
                missing.files[0].position -= 1;
                assert_eq!(verifier.verify_at(&missing, &creds, NOW).unwrap_err().code(), "InvalidAccessKeyId");
            }
        }
        assert_eq!(alignments.len(), 3, "{alignments:?}");
    }

    #[test]
    fn strict_options() {
        let creds = Credentials::example();
        let cb = Callback::new("https://app.example.com/cb", "u=${x:uid}").var("x:uid", "7");
        let form = PostPolicy::builder(bucket())
            .expires_in(Duration::hours(1))
            .key("a.txt")
            .callback(cb)
            .exact(Field::meta("m"), "1")
            .build()
            .unwrap()
            .sign_at(&creds, &region(), NOW)
            .unwrap();
        let sub = Submission::new().with_fields(form.iter()).with_file(FilePart::new("a", 1));
        let up = verifier().verify_at(&sub, &creds, NOW).unwrap();
        assert_eq!(up.callback_vars, [("x:uid".to_owned(), "7".to_owned())]);
        let strict = verifier().with_options(VerifyOptions::default().extra_fields(ExtraFields::Rejected));
        assert!(strict.verify_at(&sub, &creds, NOW).is_ok(), "the signer pins callback variables in the policy");
        let extra =
            Submission::new().with_fields(form.iter()).with_field("x:other", "8").with_file(FilePart::new("a", 1));
        assert!(verifier().verify_at(&extra, &creds, NOW).is_ok(), "extra fields are allowed by default");
        let r = strict.verify_at(&extra, &creds, NOW).unwrap_err();
        assert_eq!(r.argument_value(), Some("x:other"));
        let pinned = verifier().with_options(VerifyOptions::default().require_v4_conditions(true));
        assert!(pinned.verify_at(&sub, &creds, NOW).is_ok());
        let text = r#"{"expiration": "2024-11-27T07:09:41.000Z", "conditions": [{"bucket": "examplebucket"}, ["eq", "$key", "a.txt"]]}"#;
        let bare = PolicyText::new(bucket(), text).unwrap().sign_at(&creds, &region(), NOW).unwrap();
        let sub = Submission::new().with_fields(bare.iter()).with_file(FilePart::new("a", 1));
        assert!(verifier().verify_at(&sub, &creds, NOW).is_ok());
        assert_eq!(pinned.verify_at(&sub, &creds, NOW).unwrap_err().argument_value(), Some("x-oss-signature-version"));
    }

    #[test]
    fn strict_case_needs_exact_names() {
        let creds = Credentials::example();
        let form = seed_form(&creds);
        let strict = verifier().with_options(VerifyOptions::default().field_name_case(FieldNameCase::Strict));
        assert!(strict.verify_at(&sent(&form), &creds, NOW).is_ok());
        let mut sub = sent(&form);
        for (n, _) in &mut sub.fields {
            if n == "policy" {
                *n = "Policy".into();
            }
        }
        assert_eq!(strict.verify_at(&sub, &creds, NOW).unwrap_err().ec(), Some("0002-00000702"));
        assert!(verifier().verify_at(&sub, &creds, NOW).is_ok());
    }
}
