//! Checking a submitted PostObject form the way OSS does, offline; and a request signed in its
//! query (a presigned URL, [`Verifier::verify_presigned_at`]).
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
//! The rules and their sources are in `docs/oss-rules.md`; each check's doc comment says
//! whether OSS documents it or it is inferred (`[UNVERIFIED]`). The checks run in this order:
//!
//! 1. layout and limits of the [`Submission`] (§1, §2): names ≤ 8 KB, values ≤ 2 MB,
//!    ≤ 8 MB before the file, exactly one file, the file last, `key` before it;
//! 2. the auth mode (§4, §5): V4, V1 (all or none of `OSSAccessKeyId`, `policy`,
//!    `Signature`) or anonymous, and its fields present and not blank;
//! 3. the policy document (§3): base64, UTF-8, JSON without duplicate keys, its grammar, read
//!    by the crate's one reader, [`PolicyDocument`];
//! 4. time (§4, §6): the V4 credential scope and `x-oss-date` window, then `expiration`;
//! 5. the AccessKey (looked up here), the STS token, and the signature over the exact
//!    `policy` text, compared in constant time (§4, §5);
//! 6. the conditions, first failure reported as OSS quotes it (§7), `content-length-range`
//!    excepted;
//! 7. field values: encryption, ACL, storage class, metadata size, object name (its expanded
//!    length computed before `${filename}` is expanded), callback (§2, §8, §9);
//! 8. the file's size: each `content-length-range` in policy order (`EntityTooLarge`,
//!    `EntityTooSmall`), then the 5 GB object limit (§7, §8).
//!
//! Steps 1 to 7 need only the fields and the file part's headers: a server calls
//! [`Verifier::check_fields_at`] as soon as it has read them and refuses the form before
//! receiving the body; the [`PendingUpload`] it gets says how large the file may be and checks
//! the size once the body is read (step 8). [`Verifier::verify_at`] is the two steps in one
//! call. Because the size is checked last, a form both too large and failing another check
//! is refused for the other check (`verify_at` used to report a `content-length-range` failure
//! in policy order among the conditions, and the 5 GB limit before the field values).
//!
//! # Example
//!
//! ```
//! use oss_post_policy::verify::{FilePart, Submission, Verifier};
//! use oss_post_policy::{Bucket, Credentials, PostPolicy, Region, Signer};
//! use oss_post_policy::time::{Duration, OffsetDateTime};
//!
//! let bucket = Bucket::new("examplebucket")?;
//! let region = Region::new("cn-hangzhou")?;
//! let signer = Signer::new(Credentials::example(), region.clone());
//! let now = OffsetDateTime::from_unix_timestamp(1_732_687_781)?; // 2024-11-27T06:09:41Z
//! let form = PostPolicy::builder(bucket.clone())
//!     .expires_in(Duration::hours(1))
//!     .key_starts_with("user-dir/")
//!     .content_length_range(1, 10 * 1024 * 1024)
//!     .build()?
//!     .sign_at(&signer, now)?;
//!
//! // What the browser posts: the signed fields, its own `key`, then the file.
//! let sent = Submission::new()
//!     .with_fields(form.iter())
//!     .with_field("key", "user-dir/${filename}")
//!     .with_file(FilePart::new("cat.png", 2048).with_content_type("image/png"));
//! let verifier = Verifier::new(bucket, region);
//! let trusted = Credentials::example();
//! let upload = verifier.verify_at(&sent, &trusted, now + Duration::minutes(5))?;
//! assert_eq!(upload.key, "user-dir/cat.png");
//!
//! // Outside the prefix: refused as OSS would refuse it.
//! let bad = Submission::new()
//!     .with_fields(form.iter())
//!     .with_field("key", "other/cat.png")
//!     .with_file(FilePart::new("cat.png", 2048));
//! let err = verifier.verify_at(&bad, &trusted, now).unwrap_err();
//! assert_eq!((err.code(), err.ec()), ("AccessDenied", Some("0006-00000227")));
//! assert_eq!(err.message(), r#"Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "user-dir/"]"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod accepted;
mod auth;
mod callback;
mod evaluate;
mod layout;
mod lookup;
mod options;
mod oss_errors;
mod pending;
mod presigned;
mod presigned_request;
mod rejection;
mod scope;
mod signature;
mod submission;
#[cfg(test)]
mod tests;
mod values;

use std::fmt;

use time::OffsetDateTime;

pub use accepted::{AcceptedUpload, FILENAME_VARIABLE};
pub use callback::{CallbackConfig, MAX_CALLBACK_VAR_LEN};
pub use lookup::CredentialLookup;
pub use options::{ExtraFields, FieldNameCase, TrailingFields, VerifyOptions};
pub use pending::PendingUpload;
pub use presigned_request::{AcceptedRequest, PresignedRequest};
pub use rejection::Rejection;
pub use submission::{FilePart, MAX_FIELD_NAME_LEN, MAX_FIELD_VALUE_LEN, MAX_PRE_FILE_LEN, Submission};
pub use values::{MAX_OBJECT_NAME_LEN, MAX_OBJECT_SIZE, MAX_USER_METADATA_LEN};

use crate::document::PolicyDocument;
use crate::field::SECURITY_TOKEN;
use crate::region::{Bucket, Region};
use crate::signature::SignatureVersion;
use crate::signing_key::SigningKeyCache;
use auth::Auth;

/// Checks submitted forms for one bucket in one region, as OSS would.
///
/// V4 signing keys are derived once per secret, region and UTC day and kept in a
/// [`SigningKeyCache`]. A cache is a handle: clones of the verifier share its cache, and
/// [`Verifier::with_key_cache`] shares one with a [`Signer`](crate::Signer). Two verifiers
/// are equal when they check the same bucket and region with the same options, whatever their
/// caches hold.
///
/// ```
/// use oss_post_policy::verify::{FilePart, Submission, Verifier};
/// use oss_post_policy::{Bucket, Credentials, PostPolicy, Region, Signer, SigningKeyCache};
/// use oss_post_policy::time::{Duration, OffsetDateTime};
///
/// let (bucket, region) = (Bucket::new("examplebucket")?, Region::new("cn-hangzhou")?);
/// let keys = SigningKeyCache::new();
/// let signer = Signer::new(Credentials::example(), region.clone()).with_key_cache(keys.clone());
/// let verifier = Verifier::new(bucket.clone(), region).with_key_cache(keys);
///
/// let now = OffsetDateTime::from_unix_timestamp(1_732_687_781).expect("2024-11-27T06:09:41Z");
/// let form = PostPolicy::builder(bucket)
///     .expires_in(Duration::hours(1))
///     .key_starts_with("user-dir/")
///     .build()?
///     .sign_at(&signer, now)?;
/// let file = FilePart::new("cat.png", 2048);
///
/// // The browser must add `key` (`form.required()`); without it OSS refuses the form.
/// let sent = Submission::new().with_fields(form.iter()).with_file(file.clone());
/// let refused = verifier.verify_at(&sent, &Credentials::example(), now).expect_err("no key");
/// assert_eq!((refused.code(), refused.ec()), ("InvalidArgument", Some("0006-00000103")));
/// assert_eq!(refused.argument_value(), Some("key"));
///
/// let sent = Submission::new().with_fields(form.iter()).with_field("key", "user-dir/cat.png");
/// let upload = verifier.verify_at(&sent.with_file(file), &Credentials::example(), now).expect("complete");
/// assert_eq!(upload.key, "user-dir/cat.png");
/// # Ok::<(), oss_post_policy::Error>(())
/// ```
#[derive(Clone)]
pub struct Verifier {
    bucket: Bucket,
    region: Region,
    options: VerifyOptions,
    key_cache: SigningKeyCache,
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
        Self { bucket, region, options: VerifyOptions::default(), key_cache: SigningKeyCache::new() }
    }

    /// The same verifier taking V4 signing keys from `cache`, e.g. the cache a service signs
    /// with ([`Signer::with_key_cache`](crate::Signer::with_key_cache)), so a key is derived
    /// once per secret, region and UTC day for both.
    #[must_use]
    pub fn with_key_cache(mut self, cache: SigningKeyCache) -> Self {
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

    /// Checks `submission` as OSS would on receiving it at `now`: [`check_fields_at`] on the
    /// whole form (fields after the file included), then [`PendingUpload::finish`] with the
    /// file's size.
    ///
    /// `now` may have any offset (times are compared as instants, so no conversion can fail
    /// at the edge of the calendar); sub-seconds are kept, so a policy expiring at
    /// `12:00:00.500Z` is still valid at `12:00:00.400Z`.
    ///
    /// [`check_fields_at`]: Verifier::check_fields_at
    ///
    /// # Errors
    /// The first [`Rejection`] in the order of the module documentation.
    pub fn verify_at(
        &self,
        submission: &Submission,
        credentials: &(impl CredentialLookup + ?Sized),
        now: OffsetDateTime,
    ) -> Result<AcceptedUpload, Rejection> {
        let pending = self.check_fields_at(submission, credentials, now)?;
        let size = submission.files.first().expect("check_fields_at found exactly one file").size;
        // `check_fields_at` has checked the fields after the file already: none left here.
        pending.finish(size)
    }

    /// Checks everything that does not depend on the file's bytes, so a server can refuse a
    /// form before reading its body: the layout so far, the auth fields, the signature, the
    /// policy and its conditions, the field values (steps 1 to 7 of the module documentation).
    ///
    /// `head` holds the fields before the file and exactly one [`FilePart`], whose `size` is
    /// ignored. Fields after the file may be in `head` (they are checked here, as
    /// [`verify_at`](Verifier::verify_at) checks them) or, when they arrive after the body,
    /// be given to [`PendingUpload::finish_with_trailing`].
    ///
    /// ```
    /// use oss_post_policy::verify::{FilePart, Submission, Verifier};
    /// use oss_post_policy::{Bucket, Credentials, PostPolicy, Region, Signer};
    /// use oss_post_policy::time::{Duration, OffsetDateTime};
    ///
    /// let (bucket, region) = (Bucket::new("examplebucket")?, Region::new("cn-hangzhou")?);
    /// let now = OffsetDateTime::from_unix_timestamp(1_732_687_781).expect("2024-11-27T06:09:41Z");
    /// let form = PostPolicy::builder(bucket.clone())
    ///     .expires_in(Duration::hours(1))
    ///     .key_starts_with("user-dir/")
    ///     .content_length_range(1, 10 * 1024 * 1024)
    ///     .build()?
    ///     .sign_at(&Signer::new(Credentials::example(), region.clone()), now)?;
    /// let verifier = Verifier::new(bucket, region);
    ///
    /// // The multipart parts up to the file's headers: the size is not known yet.
    /// let head = Submission::new()
    ///     .with_fields(form.iter())
    ///     .with_field("key", "user-dir/${filename}")
    ///     .with_file(FilePart::new("cat.png", 0));
    /// let pending = verifier.check_fields_at(&head, &Credentials::example(), now)?;
    /// assert_eq!((pending.key(), pending.max_file_size()), ("user-dir/cat.png", 10 * 1024 * 1024));
    ///
    /// // Read the body, stopping past `max_file_size()`; then the size decides.
    /// let too_big = pending.clone().finish(10 * 1024 * 1024 + 1).expect_err("over the range");
    /// assert_eq!((too_big.code(), too_big.ec()), ("EntityTooLarge", Some("0006-00000003")));
    /// let upload = pending.finish(2048)?;
    /// assert_eq!((upload.key.as_str(), upload.size), ("user-dir/cat.png", 2048));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// The first [`Rejection`] in the order of the module documentation, the size excepted.
    pub fn check_fields_at(
        &self,
        head: &Submission,
        credentials: &(impl CredentialLookup + ?Sized),
        now: OffsetDateTime,
    ) -> Result<PendingUpload, Rejection> {
        let options = &self.options;
        let mut form = layout::layout(head, options)?;
        let auth = auth::detect(&form)?;
        // [PO]: without signature fields only a public-read-write bucket accepts the upload.
        if auth == Auth::Anonymous && !options.allow_anonymous {
            return Err(Rejection::anonymous_denied());
        }
        let document = auth.policy().map(PolicyDocument::from_base64).transpose().map_err(Rejection::invalid_policy)?;
        let conditions = document.as_ref().map_or(&[][..], PolicyDocument::conditions);
        evaluate::check_referenced_layout(conditions, &form)?;
        let scope = match auth {
            Auth::V4 { credential, date, .. } => {
                Some(scope::check_v4_scope(credential, date, &self.region, now, options.clock_skew)?)
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
            let trusted = credentials.lookup(id).ok_or_else(Rejection::unknown_access_key_id)?;
            if signature::check_token(form.get(SECURITY_TOKEN), trusted)? {
                form.forget(SECURITY_TOKEN);
            }
            with_token = trusted.security_token().is_some();
            signature::check_signature(&auth, scope.as_ref(), trusted, &self.region, &self.key_cache)?;
        }
        if document.is_some() {
            if options.require_v4_conditions && version == Some(SignatureVersion::V4) {
                evaluate::check_v4_pinned(conditions, &form, with_token)?;
            }
            evaluate::evaluate(conditions, &form, &self.bucket)?;
            if options.extra_fields == ExtraFields::Rejected {
                evaluate::check_extra_fields(conditions, &form)?;
            }
        }
        let upload = values::check_and_accept(&form, version, access_key_id)?;
        Ok(PendingUpload::new(upload, document, options))
    }

    /// [`Verifier::verify_at`] with the system clock.
    ///
    /// # Errors
    /// As [`Verifier::verify_at`].
    pub fn verify(
        &self,
        submission: &Submission,
        credentials: &(impl CredentialLookup + ?Sized),
    ) -> Result<AcceptedUpload, Rejection> {
        self.verify_at(submission, credentials, OffsetDateTime::now_utc())
    }
}
