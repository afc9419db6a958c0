//! Signed forms for uploading straight from a browser to Alibaba Cloud OSS (PostObject).
//!
//! A service builds a typed [`PostPolicy`] (expiration plus conditions on typed form
//! fields), signs it with V4 (OSS4-HMAC-SHA256) or legacy V1 (HMAC-SHA1), and hands the
//! resulting [`FormFields`] to the browser, which posts them to OSS with the file last. The
//! file never passes through the service.
//!
//! What this crate leaves out on purpose: HTTP (it sends and receives nothing), fetching
//! credentials (STS, instance roles), and randomness. It reads the clock only in the
//! convenience methods [`PostPolicy::sign`] and [`PostPolicy::sign_v1`]; everything else takes
//! `now` as an input and is deterministic, byte for byte.
//!
//! # Example
//!
//! The policy of Alibaba's server-signed upload guide, signed with the OSS documentation's
//! example credentials. The expected signature was computed by the official Node SDK ali-oss
//! 6.23.0 (`tests/vectors/ali-oss.json`, vector `docs-example-credentials`).
//!
//! ```
//! use oss_post_policy::{Bucket, Credentials, Field, PostPolicy, Region, SuccessActionStatus};
//! use time::{macros::datetime, Duration};
//!
//! let credentials = Credentials::new("44CF9590006BF252F707", "OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV")?;
//! let region = Region::new("cn-hangzhou")?;
//! let policy = PostPolicy::builder(Bucket::new("examplebucket")?)
//!     .expires_in(Duration::hours(1))
//!     .content_length_range(1, 10 * 1024 * 1024)
//!     .success_action_status(SuccessActionStatus::Ok)
//!     .key_starts_with("user-dir/")
//!     .is_in(Field::custom("content-type"), ["image/jpeg", "image/png"])
//!     .not_in(Field::custom("cache-control"), ["no-cache"])
//!     .build()?;
//!
//! let form = policy.sign_at(&credentials, &region, datetime!(2024-11-27 06:09:41 UTC))?;
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
//! - [`credentials`]: AccessKey id, secret, STS token; `from_env`.
//! - [`region`]: region and product of the signing scope, bucket names, upload URLs.
//! - [`condition`]: typed fields and the six condition forms.
//! - [`policy`]: the builder, the policy JSON, V4 and V1 signing.
//! - [`policy_text`]: signing an exact policy text byte for byte.
//! - [`callback`]: upload callbacks.
//! - [`signing_key`]: V4 key derivation, signatures, and a key cache for services.
//! - [`form`]: the signed fields, in the order the browser posts them.
//! - [`verify`]: checking a submitted form the way OSS does, offline.
//! - [`error`]: the one error type.
//! - [`temp_upload`]: temporary upload URLs in the Cloud Backup `CreateTempFileUploadUrl` shape.

pub mod callback;
pub mod condition;
pub mod credentials;
mod document_template;
mod encoding;
pub mod error;
pub mod form;
mod json;
pub mod policy;
pub mod policy_text;
pub mod region;
pub mod signing_key;
pub mod temp_upload;
mod time_fmt;
pub mod verify;

pub use callback::{Callback, CallbackBodyType};
pub use condition::{Condition, Field, ObjectAcl, ServerSideEncryption, StorageClass, SuccessActionStatus};
pub use credentials::Credentials;
pub use error::{Error, Result};
pub use form::{FormFields, SeedResponse, SignatureVersion};
pub use policy::{Expiration, PostPolicy, PostPolicyBuilder};
pub use policy_text::PolicyText;
pub use region::{Bucket, Endpoint, Product, Region};
pub use signing_key::{SigningKey, SigningKeyCache};
pub use temp_upload::{SegmentRule, TempUpload, TempUploadRequest, TempUploadUrl};
pub use time;
pub use verify::{AcceptedUpload, CredentialLookup, FilePart, Rejection, Submission, Verifier, VerifyOptions};
