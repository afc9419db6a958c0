//! The one place the server calls the crate's verifier.

use std::sync::Arc;

use oss_post_policy::time::OffsetDateTime;
use oss_post_policy::verify::{AcceptedUpload, PendingUpload, Rejection, Submission, Verifier, VerifyOptions};
use oss_post_policy::{Bucket, Credentials, Region, SigningKeyCache};

/// The verifier for the local bucket, with the one set of credentials the server signs with.
pub(crate) struct UploadVerifier {
    verifier: Verifier,
    credentials: Arc<Credentials>,
}

impl UploadVerifier {
    /// OSS's documented behaviour: field names case-insensitive, extra fields allowed, nothing
    /// after the file, 15 minutes of clock skew for `x-oss-date`, no anonymous uploads. V4 keys
    /// come from `keys`, the cache the server's signers use.
    pub(crate) fn new(bucket: Bucket, region: Region, credentials: Arc<Credentials>, keys: SigningKeyCache) -> Self {
        let verifier = Verifier::new(bucket, region).with_options(VerifyOptions::default()).with_key_cache(keys);
        Self { verifier, credentials }
    }

    /// Checks a parsed form the way OSS would on receiving it at `now`.
    pub(crate) fn verify(&self, submission: &Submission, now: OffsetDateTime) -> Result<AcceptedUpload, Rejection> {
        self.verifier.verify_at(submission, self.credentials.as_ref(), now)
    }

    /// Checks the fields and the file part's headers (`head`, file size ignored) at `now`,
    /// before the file is read; the answer says how large it may be.
    pub(crate) fn check_fields(&self, head: &Submission, now: OffsetDateTime) -> Result<PendingUpload, Rejection> {
        self.verifier.check_fields_at(head, self.credentials.as_ref(), now)
    }
}
