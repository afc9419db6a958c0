//! The one place the server calls the crate's verifier, and the refusals it answers with.

use oss_post_policy::Credentials;
use oss_post_policy::time::OffsetDateTime;
use oss_post_policy::verify::{AcceptedUpload, Rejection, Submission, Verifier, VerifyOptions};
use oss_post_policy::{Bucket, Region};

use crate::oss_error::OssError;

/// Why an upload is refused: by the verifier (policy, signature, layout) or by the server
/// itself (envelope, multipart, storage).
#[derive(Debug)]
pub(crate) enum Refusal {
    Verifier(Rejection),
    Server(OssError),
}

impl Refusal {
    pub(crate) fn status(&self) -> u16 {
        match self {
            Self::Verifier(r) => r.http_status(),
            Self::Server(e) => e.status.as_u16(),
        }
    }

    pub(crate) fn code(&self) -> &str {
        match self {
            Self::Verifier(r) => r.code(),
            Self::Server(e) => e.code,
        }
    }

    pub(crate) fn ec(&self) -> Option<&str> {
        match self {
            Self::Verifier(r) => r.ec(),
            Self::Server(e) => e.ec,
        }
    }

    /// OSS's XML error body.
    pub(crate) fn to_xml(&self, request_id: &str, host_id: &str) -> String {
        match self {
            Self::Verifier(r) => r.to_xml(request_id, host_id),
            Self::Server(e) => e.to_xml(request_id, host_id),
        }
    }
}

impl From<OssError> for Refusal {
    fn from(e: OssError) -> Self {
        Self::Server(e)
    }
}

impl From<Rejection> for Refusal {
    fn from(r: Rejection) -> Self {
        Self::Verifier(r)
    }
}

/// The verifier for the local bucket, with the one set of credentials the server signs with.
pub(crate) struct UploadVerifier {
    verifier: Verifier,
    credentials: Credentials,
}

impl UploadVerifier {
    /// OSS's documented behaviour: field names case-insensitive, extra fields allowed, nothing
    /// after the file, 15 minutes of clock skew for `x-oss-date`, no anonymous uploads.
    pub(crate) fn new(bucket: Bucket, region: Region, credentials: Credentials) -> Self {
        Self { verifier: Verifier::new(bucket, region).with_options(VerifyOptions::default()), credentials }
    }

    /// Checks a parsed form the way OSS would on receiving it at `now`.
    pub(crate) fn verify(&self, submission: &Submission, now: OffsetDateTime) -> Result<AcceptedUpload, Refusal> {
        Ok(self.verifier.verify_at(submission, &self.credentials, now)?)
    }
}
