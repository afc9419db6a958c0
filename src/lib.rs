//! Signed forms for uploading straight from a browser to Alibaba Cloud OSS (PostObject).
//!
//! A service builds a typed [`PostPolicy`] (expiration plus conditions on typed form
//! fields), signs it with a [`Signer`] (V4, OSS4-HMAC-SHA256, or legacy V1, HMAC-SHA1), and
//! hands the resulting [`FormFields`] to the browser, which posts them to OSS with the file
//! last. The file never passes through the service. The [`verify`] module checks a submitted
//! form offline the way OSS does.
//!
//! [`Presign`] signs the other direct upload (or download) Alibaba documents: a presigned URL
//! (V4, signed in its query) with exactly the headers the client must send, which
//! [`Verifier::verify_presigned_at`] checks offline.
//!
//! What this crate leaves out on purpose: HTTP (it sends and receives nothing), fetching
//! credentials (STS, instance roles), and randomness. It reads the clock only in the
//! convenience methods named `sign` and `verify`; everything else takes `now` as an input and
//! is deterministic, byte for byte.
//!
//! # Example
//!
//! The policy of Alibaba's direct-upload guide, signed with the OSS documentation's example
//! credentials. The expected signature was computed by the official Node SDK ali-oss 6.23.0
//! (`tests/vectors/ali-oss.json`, vector `docs-example-credentials`).
//!
//! ```
//! use oss_post_policy::{Bucket, Credentials, Field, PostPolicy, Region, Signer, SuccessActionStatus};
//! use oss_post_policy::time::{Date, Duration, Month, PrimitiveDateTime, Time};
//!
//! let signer = Signer::new(
//!     Credentials::new("44CF9590006BF252F707", "OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV")?,
//!     Region::new("cn-hangzhou")?,
//! );
//! let policy = PostPolicy::builder(Bucket::new("examplebucket")?)
//!     .expires_in(Duration::hours(1))
//!     .content_length_range(1, 10 * 1024 * 1024)
//!     .success_action_status(SuccessActionStatus::Ok)
//!     .key_starts_with("user-dir/")
//!     .is_in(Field::custom("content-type"), ["image/jpeg", "image/png"])
//!     .not_in(Field::custom("cache-control"), ["no-cache"])
//!     .build()?;
//!
//! // 2024-11-27T06:09:41Z; a service calls `policy.sign(&signer)`, which reads the clock.
//! let now = PrimitiveDateTime::new(
//!     Date::from_calendar_date(2024, Month::November, 27).expect("a valid date"),
//!     Time::from_hms(6, 9, 41).expect("a valid time"),
//! )
//! .assume_utc();
//! let form = policy.sign_at(&signer, now)?;
//! assert_eq!(form.url(), "https://examplebucket.oss-cn-hangzhou.aliyuncs.com");
//! assert_eq!(form.get("x-oss-date"), Some("20241127T060941Z"));
//! assert_eq!(
//!     form.get("x-oss-signature"),
//!     Some("d1b0ab8142d863ff31c1dbc1ac3b595cbc335703f68dad64db4b8fc6f3267463"),
//! );
//! // The browser adds `key` (under "user-dir/"), `content-type`, `cache-control`, then `file`.
//! assert_eq!(form.required(), ["key", "content-type", "cache-control"]);
//! # Ok::<(), oss_post_policy::Error>(())
//! ```
//!
//! # Modules, in the order OSS's documentation walks through them
//!
//! Each module depends only on the ones above it; `error` on none.
//!
//! - [`error`]: the one error type.
//! - [`credentials`]: AccessKey id, secret, STS token; `from_env`.
//! - [`region`]: region and product of the signing scope, bucket names, upload URLs.
//! - [`field`]: form field names and the typed [`Field`]; fields with fixed values.
//! - [`condition`]: the six condition forms, one [`Condition`] type for all.
//! - [`PolicyDocument`]: the policy document, written and read (one strict reader).
//! - [`signing_key`]: V4 key derivation, signatures, and a key cache for services.
//! - [`SignatureVersion`] and [`Signer`]: the one way to sign, V4 or V1.
//! - [`form`]: the signed fields, in the order the browser posts them.
//! - [`callback`]: upload callbacks.
//! - `callback_request` (feature `callback-verify`): checking that a callback request comes
//!   from OSS (its RSA signature), offline.
//! - [`policy`] and [`PostPolicyBuilder`]: the typed policy and its builder.
//! - [`PolicyText`]: signing an exact policy text byte for byte.
//! - [`temp_upload`]: temporary upload URLs in the Cloud Backup API `CreateTempFileUploadUrl`
//!   shape.
//! - [`presign`]: presigned URLs (V4 query signing), with the headers the client must send.
//! - [`verify`]: checking a submitted form the way OSS does, offline.
//!
//! The OSS rules each step follows, with their sources, are in `docs/oss-rules.md`.

mod builder;
pub mod callback;
#[cfg(feature = "callback-verify")]
pub mod callback_request;
pub mod condition;
pub mod credentials;
mod document;
pub mod error;
pub mod field;
pub mod form;
mod json;
mod percent;
pub mod policy;
mod policy_text;
pub mod presign;
pub mod region;
mod signature;
mod signer;
pub mod signing_key;
pub mod temp_upload;
mod time_fmt;
pub mod verify;

pub use builder::PostPolicyBuilder;
pub use callback::{Callback, CallbackBody, CallbackBodyType, SystemVariable};
pub use condition::Condition;
pub use credentials::Credentials;
pub use document::PolicyDocument;
pub use error::{Error, Result, SegmentRule};
pub use field::{Field, ObjectAcl, ServerSideEncryption, StorageClass, SuccessActionStatus};
pub use form::{FormFields, PostSignatureResponse};
pub use policy::{Expiration, PostPolicy};
pub use policy_text::PolicyText;
pub use presign::{HttpMethod, Presign, PresignedUrl};
pub use region::{Bucket, Endpoint, Product, Region};
pub use signature::SignatureVersion;
pub use signer::Signer;
pub use signing_key::{SigningKey, SigningKeyCache};
pub use temp_upload::{TempUpload, TempUploadRequest, TempUploadUrl};
pub use time;
pub use verify::{AcceptedUpload, CredentialLookup, FilePart, Rejection, Submission, Verifier, VerifyOptions};
