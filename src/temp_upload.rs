//! Temporary upload URLs in the shape of Cloud Backup's `CreateTempFileUploadUrl`.
//!
//! Given a file name, that API answers with everything a client needs to upload that one file
//! by form: the endpoint, the bucket, a fresh object key under `temp/`, and a signed policy
//! that admits exactly that key. [`TempUpload`] builds the same answer for any service:
//! configure it once (bucket, lifetime, size limit), then call [`TempUpload::sign_at`] per
//! request with a [`Signer`] (which holds the credentials, the region and the signature
//! version).
//!
//! The key layout is Cloud Backup's:
//! `temp/{account id}/upload/{YYYY-MM-DD of now, UTC}/{unique id}/{file name}`. The unique id
//! and the request id come from the caller (e.g. a UUID string): this crate has no randomness.
//!
//! The policy is `{"bucket": ...}`, the signer's fields, `["eq","$key",key]` and
//! `["content-length-range",0,max]`, signed by [`PostPolicy::sign_at`]: V4 by default (OSS
//! accepts only V4 from new customers and buckets), or V1 with a V1 [`Signer`], which is the
//! exact shape the Cloud Backup API returns.
//!
//! # Response fields
//!
//! [`TempUploadUrl`] serialises in the Cloud Backup API's field names, types and order; fields for V4 and
//! STS are appended after `Signature`, and only when they apply:
//!
//! | JSON field | value | form field it fills |
//! |---|---|---|
//! | `Endpoint` | upload host without the bucket, e.g. `oss-cn-shenzhen.aliyuncs.com` | |
//! | `RequestId` | the caller's request id | |
//! | `ExpireTime` | the policy's expiration, UNIX seconds (integer) | |
//! | `Success` | `true` (boolean) | |
//! | `Code` | `"200"` (string) | |
//! | `TempFileKey` | the object key | `key` |
//! | `Message` | `"successful"` | |
//! | `BucketName` | the bucket | |
//! | `OssAccessKeyId` | the AccessKey id | `OSSAccessKeyId` (V1 only) |
//! | `Policy` | the base64 policy | `policy` |
//! | `Signature` | V1: base64 HMAC-SHA1; V4: hex HMAC-SHA256 | `Signature` / `x-oss-signature` |
//! | `OssSignatureVersion` | V4 only: `OSS4-HMAC-SHA256` | `x-oss-signature-version` |
//! | `OssCredential` | V4 only: the credential scope | `x-oss-credential` |
//! | `OssDate` | V4 only: `YYYYMMDDTHHMMSSZ` | `x-oss-date` |
//! | `OssSecurityToken` | STS credentials only (V1 and V4) | `x-oss-security-token` |
//!
//! The extra names follow the API's own rule for `OSSAccessKeyId` → `OssAccessKeyId`: the form
//! field name without `x-`, in `PascalCase`. A V1 answer without STS is exactly the API's eleven
//! fields. [`TempUploadUrl::form`] gives the same fields ready to post, `key` first.
//!
//! ```
//! use oss_post_policy::{Bucket, Credentials, Region, Signer, TempUpload, TempUploadRequest};
//! use oss_post_policy::time::OffsetDateTime;
//!
//! // Once per service.
//! let uploads = TempUpload::new(Bucket::new("hbr-temp-bucket")?);
//! let signer = Signer::new(Credentials::example(), Region::new("cn-shenzhen")?);
//! // Per request: the caller supplies the unique id and request id (e.g. fresh UUIDs).
//! let url = uploads.sign_at(
//!     &signer,
//!     &TempUploadRequest {
//!         file_name: "iaclone.diff",
//!         account_id: "1440155109798732",
//!         unique_id: "49bed34c-b430-4e7e-89b1-4be2b734f95c",
//!         request_id: "F4EEB401-DD21-588D-AE3B-1E835C7655E1",
//!     },
//!     OffsetDateTime::from_unix_timestamp(1_659_082_530).expect("2022-07-29T08:15:30Z"),
//! )?;
//! // The Cloud Backup API's sample key.
//! assert_eq!(
//!     url.temp_file_key(),
//!     "temp/1440155109798732/upload/2022-07-29/49bed34c-b430-4e7e-89b1-4be2b734f95c/iaclone.diff"
//! );
//! assert_eq!(url.endpoint(), "oss-cn-shenzhen.aliyuncs.com");
//! assert_eq!(url.form().url(), "https://hbr-temp-bucket.oss-cn-shenzhen.aliyuncs.com");
//! let json = serde_json::to_value(&url).expect("serialising to a Value cannot fail");
//! assert_eq!(json["ExpireTime"], 1_659_086_130);
//! # Ok::<(), oss_post_policy::Error>(())
//! ```

use serde::ser::{Serialize, SerializeStruct, Serializer};
use time::{Duration, OffsetDateTime};

use crate::error::{Error, Result, SegmentRule};
use crate::field::{CREDENTIAL, DATE, POLICY, SECURITY_TOKEN, SIGNATURE_V1, SIGNATURE_V4, SIGNATURE_VERSION};
use crate::form::FormFields;
use crate::policy::PostPolicy;
use crate::region::{Bucket, Endpoint};
use crate::signature::SignatureVersion;
use crate::signer::Signer;
use crate::time_fmt;

/// Longest object key OSS accepts, in bytes of UTF-8.
pub const MAX_KEY_BYTES: usize = 1023;
/// Largest file a PostObject form can upload (5 GiB), the default size limit.
pub const DEFAULT_MAX_SIZE: u64 = 5 * 1024 * 1024 * 1024;
/// Default time from signing to expiration.
pub const DEFAULT_LIFETIME: Duration = Duration::hours(1);

/// The first key segment.
const KEY_ROOT: &str = "temp";
/// The segment between the account id and the date.
const KEY_UPLOAD: &str = "upload";
/// `Code` of a successful answer.
const CODE_OK: &str = "200";
/// `Message` of a successful answer.
const MESSAGE_OK: &str = "successful";

/// Checks that `file_name` can be the last segment of an object key.
///
/// Any other name is kept exactly as given: Unicode, spaces, quotes, leading dots.
///
/// # Errors
/// [`Error::InvalidFileName`] with the [`SegmentRule`] broken: empty, `.` or `..`, holding
/// `/` or `\`, control characters, or `${`.
pub fn check_file_name(file_name: &str) -> Result<()> {
    match SegmentRule::of(file_name) {
        Some(rule) => Err(Error::InvalidFileName { file_name: file_name.to_owned(), rule }),
        None => Ok(()),
    }
}

fn check_segment(part: &'static str, value: &str) -> Result<()> {
    match SegmentRule::of(value) {
        Some(rule) => Err(Error::InvalidKeySegment { part, value: value.to_owned(), rule }),
        None => Ok(()),
    }
}

/// One request for a temporary upload URL: the per-call inputs of [`TempUpload::sign_at`].
///
/// `unique_id` makes the key unique (pass e.g. a fresh UUID); `request_id` is only echoed as
/// `RequestId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TempUploadRequest<'a> {
    /// The name of the file to upload (the API's `FileName`), the key's last segment.
    pub file_name: &'a str,
    /// The account or tenant the upload belongs to.
    pub account_id: &'a str,
    /// A caller-made id, unique per upload.
    pub unique_id: &'a str,
    /// The id of this request, returned as `RequestId`.
    pub request_id: &'a str,
}

impl TempUploadRequest<'_> {
    /// The object key: `temp/{account_id}/upload/{YYYY-MM-DD}/{unique_id}/{file_name}`, the date
    /// being `now`'s in UTC.
    ///
    /// # Errors
    /// [`Error::InvalidFileName`]; [`Error::InvalidKeySegment`] for the account id or unique
    /// id (same rules as the file name); [`Error::KeyTooLong`] over [`MAX_KEY_BYTES`];
    /// [`Error::TimeOutOfRange`].
    pub fn key_at(&self, now: OffsetDateTime) -> Result<String> {
        check_file_name(self.file_name)?;
        check_segment("account id", self.account_id)?;
        check_segment("unique id", self.unique_id)?;
        let date = time_fmt::iso_date(time_fmt::normalize(now)?);
        let segments = [KEY_ROOT, self.account_id, KEY_UPLOAD, &date, self.unique_id, self.file_name];
        let key = segments.join("/");
        if key.len() > MAX_KEY_BYTES {
            let bytes = key.len();
            return Err(Error::KeyTooLong { key, bytes });
        }
        Ok(key)
    }
}

/// Issues temporary upload URLs for one bucket: configure once, call
/// [`TempUpload::sign_at`] per request.
///
/// Defaults: the region's public endpoint, a lifetime of [`DEFAULT_LIFETIME`], files up to
/// [`DEFAULT_MAX_SIZE`].
///
/// ```
/// use oss_post_policy::{Bucket, Credentials, Region, Signer, TempUpload, TempUploadRequest};
/// use oss_post_policy::time::{Duration, OffsetDateTime};
///
/// let uploads = TempUpload::new(Bucket::new("hbr-temp-bucket")?)
///     .lifetime(Duration::minutes(15))
///     .max_size(100 * 1024 * 1024);
/// let signer = Signer::new(Credentials::example(), Region::new("cn-shenzhen")?); // V4
/// let request = TempUploadRequest {
///     file_name: "report.pdf",
///     account_id: "1440155109798732",
///     unique_id: "49bed34c-b430-4e7e-89b1-4be2b734f95c", // fresh per upload
///     request_id: "F4EEB401-DD21-588D-AE3B-1E835C7655E1",
/// };
/// let now = OffsetDateTime::from_unix_timestamp(1_659_082_530).expect("2022-07-29T08:15:30Z");
/// let url = uploads.sign_at(&signer, &request, now)?;
/// assert_eq!(url.expire_time(), 1_659_082_530 + 15 * 60);
/// // The form pins the key (posted first) and needs nothing more from the browser but the file.
/// let form = url.form();
/// assert_eq!(form.iter().next(), Some(("key", url.temp_file_key())));
/// assert_eq!(form.get("x-oss-signature-version"), Some("OSS4-HMAC-SHA256"));
/// assert!(form.required().is_empty());
/// # Ok::<(), oss_post_policy::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct TempUpload {
    bucket: Bucket,
    endpoint: Endpoint,
    lifetime: Duration,
    max_size: u64,
}

impl TempUpload {
    /// Temporary uploads into `bucket`, with the defaults above.
    pub fn new(bucket: Bucket) -> Self {
        Self { bucket, endpoint: Endpoint::Public, lifetime: DEFAULT_LIFETIME, max_size: DEFAULT_MAX_SIZE }
    }

    /// Where the form is posted (default: the region's public endpoint).
    ///
    /// With [`Endpoint::Custom`], `Endpoint` in the answer is the custom host, which already
    /// names the bucket: clients should post to [`FormFields::url`].
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// How long a URL stays valid after signing (default one hour; V4 allows at most 7 days).
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// The largest file accepted, in bytes: `["content-length-range", 0, max_size]`.
    pub fn max_size(mut self, max_size: u64) -> Self {
        self.max_size = max_size;
        self
    }

    /// The policy for `key`: bucket, the exact key, the size limit, expiring after the lifetime.
    fn policy(&self, key: &str) -> Result<PostPolicy> {
        PostPolicy::builder(self.bucket.clone())
            .expires_in(self.lifetime)
            .key(key)
            .content_length_range(0, self.max_size)
            .endpoint(self.endpoint.clone())
            .build()
    }

    /// A temporary upload URL for `request`, signed by `signer` at `now`.
    ///
    /// # Errors
    /// The key's errors ([`TempUploadRequest::key_at`]); [`Error::Expired`] for a lifetime
    /// that is not positive; [`Error::ValidityTooLong`] for V4 over 7 days;
    /// [`Error::TimeOutOfRange`].
    pub fn sign_at(
        &self,
        signer: &Signer,
        request: &TempUploadRequest<'_>,
        now: OffsetDateTime,
    ) -> Result<TempUploadUrl> {
        let key = request.key_at(now)?;
        let form = self.policy(&key)?.sign_at(signer, now)?;
        Ok(TempUploadUrl {
            endpoint: endpoint_host(form.url(), &self.bucket, &self.endpoint),
            request_id: request.request_id.to_owned(),
            expire_time: form.expiration().unix_timestamp(),
            temp_file_key: key,
            bucket_name: self.bucket.as_str().to_owned(),
            oss_access_key_id: signer.credentials().access_key_id().to_owned(),
            form,
        })
    }

    /// [`TempUpload::sign_at`] with the system clock.
    ///
    /// # Errors
    /// As [`TempUpload::sign_at`].
    pub fn sign(&self, signer: &Signer, request: &TempUploadRequest<'_>) -> Result<TempUploadUrl> {
        self.sign_at(signer, request, OffsetDateTime::now_utc())
    }
}

/// The upload URL's host without the scheme and, on OSS's own domains, without the bucket.
fn endpoint_host(url: &str, bucket: &Bucket, endpoint: &Endpoint) -> String {
    let host = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = match endpoint {
        Endpoint::Custom(_) => host,
        _ => host.strip_prefix(bucket.as_str()).and_then(|h| h.strip_prefix('.')).unwrap_or(host),
    };
    host.to_owned()
}

/// A signed temporary upload URL: the `CreateTempFileUploadUrl` answer plus the form to post.
///
/// Serialises as described in the [module docs](self). `Debug` redacts the security token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TempUploadUrl {
    endpoint: String,
    request_id: String,
    expire_time: i64,
    temp_file_key: String,
    bucket_name: String,
    oss_access_key_id: String,
    form: FormFields,
}

impl TempUploadUrl {
    /// `Endpoint`: the upload host without the bucket, e.g. `oss-cn-shenzhen.aliyuncs.com`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// `RequestId`, as given.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// `ExpireTime`: the policy's expiration in UNIX seconds.
    pub fn expire_time(&self) -> i64 {
        self.expire_time
    }

    /// `TempFileKey`: the object key the form admits.
    pub fn temp_file_key(&self) -> &str {
        &self.temp_file_key
    }

    /// `BucketName`.
    pub fn bucket_name(&self) -> &str {
        &self.bucket_name
    }

    /// `OssAccessKeyId`.
    pub fn oss_access_key_id(&self) -> &str {
        &self.oss_access_key_id
    }

    /// `Policy`: the base64 policy.
    pub fn policy(&self) -> &str {
        self.field(POLICY)
    }

    /// `Signature`: base64 for V1, hex for V4.
    pub fn signature(&self) -> &str {
        match self.form.signature_version() {
            SignatureVersion::V4 => self.field(SIGNATURE_V4),
            SignatureVersion::V1 => self.field(SIGNATURE_V1),
        }
    }

    /// The signature the form carries.
    pub fn signature_version(&self) -> SignatureVersion {
        self.form.signature_version()
    }

    /// The fields to post (`key` first, then `policy`, the signature fields and, with STS,
    /// `x-oss-security-token`), the URL to post them to, and the expiration.
    pub fn form(&self) -> &FormFields {
        &self.form
    }

    /// The form, dropping the rest.
    pub fn into_form(self) -> FormFields {
        self.form
    }

    fn field(&self, name: &str) -> &str {
        self.form.get(name).expect("every signed form carries its policy and signature")
    }
}

impl Serialize for TempUploadUrl {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let v4 = self.form.signature_version() == SignatureVersion::V4;
        let token = self.form.get(SECURITY_TOKEN);
        let len = 11 + if v4 { 3 } else { 0 } + usize::from(token.is_some());
        let mut s = serializer.serialize_struct("TempUploadUrl", len)?;
        s.serialize_field("Endpoint", &self.endpoint)?;
        s.serialize_field("RequestId", &self.request_id)?;
        s.serialize_field("ExpireTime", &self.expire_time)?;
        s.serialize_field("Success", &true)?;
        s.serialize_field("Code", CODE_OK)?;
        s.serialize_field("TempFileKey", &self.temp_file_key)?;
        s.serialize_field("Message", MESSAGE_OK)?;
        s.serialize_field("BucketName", &self.bucket_name)?;
        s.serialize_field("OssAccessKeyId", &self.oss_access_key_id)?;
        s.serialize_field("Policy", self.policy())?;
        s.serialize_field("Signature", self.signature())?;
        if v4 {
            s.serialize_field("OssSignatureVersion", self.field(SIGNATURE_VERSION))?;
            s.serialize_field("OssCredential", self.field(CREDENTIAL))?;
            s.serialize_field("OssDate", self.field(DATE))?;
        }
        if let Some(token) = token {
            s.serialize_field("OssSecurityToken", token)?;
        }
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Credentials;
    use crate::region::Region;
    use base64::Engine as _;
    use time::macros::datetime;

    // The Cloud Backup API's sample answer: these inputs produce its TempFileKey.
    const API_SAMPLE_KEY: &str =
        "temp/1440155109798732/upload/2022-07-29/49bed34c-b430-4e7e-89b1-4be2b734f95c/iaclone.diff";
    const API_FIELD_ORDER: [&str; 11] = [
        "Endpoint",
        "RequestId",
        "ExpireTime",
        "Success",
        "Code",
        "TempFileKey",
        "Message",
        "BucketName",
        "OssAccessKeyId",
        "Policy",
        "Signature",
    ];

    fn request(file_name: &str) -> TempUploadRequest<'_> {
        TempUploadRequest {
            file_name,
            account_id: "1440155109798732",
            unique_id: "49bed34c-b430-4e7e-89b1-4be2b734f95c",
            request_id: "F4EEB401-DD21-588D-AE3B-1E835C7655E1",
        }
    }

    fn uploads() -> TempUpload {
        TempUpload::new(Bucket::new("hbr-temp-bucket").unwrap())
    }

    /// The Cloud Backup API's shape: V1.
    fn v1(credentials: Credentials) -> Signer {
        Signer::new(credentials, Region::new("cn-shenzhen").unwrap()).with_version(SignatureVersion::V1)
    }

    fn v4(credentials: Credentials) -> Signer {
        Signer::new(credentials, Region::new("cn-shenzhen").unwrap())
    }

    fn signer(credentials: Credentials, version: SignatureVersion) -> Signer {
        v4(credentials).with_version(version)
    }

    const NOW: OffsetDateTime = datetime!(2022-07-29 08:15:30 UTC);

    fn sts() -> Credentials {
        Credentials::example().with_security_token("CAIS-SECRET-TOKEN").unwrap()
    }

    fn decoded_policy(url: &TempUploadUrl) -> serde_json::Value {
        let bytes = base64::engine::general_purpose::STANDARD.decode(url.policy()).unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    /// The top-level keys of a JSON object text, in the order written.
    fn key_order(json: &str) -> Vec<String> {
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        let mut keys: Vec<(usize, String)> =
            value.as_object().unwrap().keys().map(|k| (json.find(&format!("\"{k}\":")).unwrap(), k.clone())).collect();
        keys.sort();
        keys.into_iter().map(|(_, k)| k).collect()
    }

    #[test]
    fn key_follows_the_api_layout() {
        assert_eq!(request("iaclone.diff").key_at(NOW).unwrap(), API_SAMPLE_KEY);
        // The date is UTC's: 07:00 on 1 March in +08:00 is still 29 February in UTC.
        let key = request("a.txt").key_at(datetime!(2024-03-01 07:00:00 +08:00)).unwrap();
        assert_eq!(key, "temp/1440155109798732/upload/2024-02-29/49bed34c-b430-4e7e-89b1-4be2b734f95c/a.txt");
    }

    #[test]
    fn bad_file_names_are_refused_by_rule() {
        let rule = |name: &str| match request(name).key_at(NOW) {
            Err(Error::InvalidFileName { file_name, rule }) if file_name == name => Some(rule),
            _ => None,
        };
        assert!(matches!(rule(""), Some(SegmentRule::Empty)));
        assert!(matches!(rule("."), Some(SegmentRule::DotSegment)));
        assert!(matches!(rule(".."), Some(SegmentRule::DotSegment)));
        assert!(matches!(rule("a/b.txt"), Some(SegmentRule::Separator)));
        assert!(matches!(rule("../x"), Some(SegmentRule::Separator)));
        assert!(matches!(rule("a\\b.txt"), Some(SegmentRule::Separator)));
        assert!(matches!(rule("a\nb"), Some(SegmentRule::ControlCharacter)));
        assert!(matches!(rule("a\u{0}b"), Some(SegmentRule::ControlCharacter)));
        assert!(matches!(rule("a\u{7f}"), Some(SegmentRule::ControlCharacter)));
        assert!(matches!(rule("a\u{85}"), Some(SegmentRule::ControlCharacter)));
        assert!(matches!(rule("${filename}"), Some(SegmentRule::Variable)));
        assert!(matches!(check_file_name("a/b"), Err(Error::InvalidFileName { rule: SegmentRule::Separator, .. })));
        // The same names signed: refused before anything is signed.
        assert!(matches!(
            uploads().sign_at(&v1(Credentials::example()), &request("a/b"), NOW),
            Err(Error::InvalidFileName { rule: SegmentRule::Separator, .. })
        ));
    }

    #[test]
    fn bad_account_and_unique_ids_are_refused() {
        let with = |account_id, unique_id| TempUploadRequest { account_id, unique_id, ..request("f.txt") }.key_at(NOW);
        assert!(matches!(
            with("", "u"),
            Err(Error::InvalidKeySegment { part: "account id", rule: SegmentRule::Empty, .. })
        ));
        assert!(matches!(
            with("a/b", "u"),
            Err(Error::InvalidKeySegment { part: "account id", rule: SegmentRule::Separator, ref value }) if value == "a/b"
        ));
        assert!(matches!(
            with("a\tb", "u"),
            Err(Error::InvalidKeySegment { part: "account id", rule: SegmentRule::ControlCharacter, .. })
        ));
        assert!(matches!(
            with("a", ""),
            Err(Error::InvalidKeySegment { part: "unique id", rule: SegmentRule::Empty, .. })
        ));
        assert!(matches!(
            with("a", "x/y"),
            Err(Error::InvalidKeySegment { part: "unique id", rule: SegmentRule::Separator, .. })
        ));
        assert!(matches!(
            with("a", "x\u{1b}"),
            Err(Error::InvalidKeySegment { part: "unique id", rule: SegmentRule::ControlCharacter, .. })
        ));
        assert!(matches!(
            with("a", ".."),
            Err(Error::InvalidKeySegment { part: "unique id", rule: SegmentRule::DotSegment, .. })
        ));
    }

    #[test]
    fn unicode_names_are_kept_as_given() {
        // Composed and decomposed "é" stay distinct: no normalisation.
        for name in
            ["报告 2024（最终版）.txt", "📦 archive—v2.tar.gz", "cafe\u{301}.txt", "café.txt", " .hidden ", "a$b"]
        {
            let url = uploads().sign_at(&v1(Credentials::example()), &request(name), NOW).unwrap();
            assert_eq!(url.temp_file_key().rsplit_once('/').unwrap().1, name);
            assert_eq!(url.form().get("key"), Some(url.temp_file_key()));
            assert_eq!(decoded_policy(&url)["conditions"][1], serde_json::json!(["eq", "$key", url.temp_file_key()]));
        }
    }

    #[test]
    fn keys_over_1023_bytes_are_refused() {
        let prefix = API_SAMPLE_KEY.len() - "iaclone.diff".len();
        // Two-byte characters: the limit is in bytes, not characters.
        let fits = "é".repeat((MAX_KEY_BYTES - prefix) / 2) + if (MAX_KEY_BYTES - prefix) % 2 == 1 { "x" } else { "" };
        let key = request(&fits).key_at(NOW).unwrap();
        assert_eq!(key.len(), MAX_KEY_BYTES);
        let over = fits.clone() + "y";
        assert!(matches!(request(&over).key_at(NOW), Err(Error::KeyTooLong { bytes: 1024, .. })));
        let over_chars = "é".repeat(MAX_KEY_BYTES / 2);
        assert!(
            matches!(request(&over_chars).key_at(NOW), Err(Error::KeyTooLong { ref key, .. }) if key.ends_with(&over_chars))
        );
    }

    #[test]
    fn v1_answer_is_exactly_the_api_shape() {
        let url = uploads().sign_at(&v1(Credentials::example()), &request("iaclone.diff"), NOW).unwrap();
        let json = serde_json::to_string(&url).unwrap();
        assert_eq!(key_order(&json), API_FIELD_ORDER);
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["Endpoint"], "oss-cn-shenzhen.aliyuncs.com");
        assert_eq!(value["RequestId"], "F4EEB401-DD21-588D-AE3B-1E835C7655E1");
        assert!(value["ExpireTime"].is_i64());
        assert_eq!(value["Success"], true);
        assert_eq!(value["Code"], "200");
        assert_eq!(value["TempFileKey"], API_SAMPLE_KEY);
        assert_eq!(value["Message"], "successful");
        assert_eq!(value["BucketName"], "hbr-temp-bucket");
        assert_eq!(value["OssAccessKeyId"], crate::credentials::EXAMPLE_ACCESS_KEY_ID);
        assert_eq!(value["Policy"], url.form().get("policy").unwrap());
        assert_eq!(value["Signature"], url.form().get("Signature").unwrap());
        assert_eq!(url.signature_version(), SignatureVersion::V1);
        assert_eq!(
            url.form().iter().map(|(n, _)| n).collect::<Vec<_>>(),
            ["key", "policy", "OSSAccessKeyId", "Signature"]
        );
        assert!(url.form().required().is_empty());
    }

    #[test]
    fn v4_and_sts_fields_follow_the_api_fields() {
        let url = uploads().sign_at(&v4(sts()), &request("iaclone.diff"), NOW).unwrap();
        let json = serde_json::to_string(&url).unwrap();
        let mut expected = API_FIELD_ORDER.to_vec();
        expected.extend(["OssSignatureVersion", "OssCredential", "OssDate", "OssSecurityToken"]);
        assert_eq!(key_order(&json), expected);
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["OssSignatureVersion"], "OSS4-HMAC-SHA256");
        assert_eq!(value["OssCredential"], "44CF9590006BF252F707/20220729/cn-shenzhen/oss/aliyun_v4_request");
        assert_eq!(value["OssDate"], "20220729T081530Z");
        assert_eq!(value["OssSecurityToken"], "CAIS-SECRET-TOKEN");
        let signature = value["Signature"].as_str().unwrap();
        assert!(signature.len() == 64 && signature.bytes().all(|b| b.is_ascii_hexdigit()), "{signature}");
        assert_eq!(Some(signature), url.form().get("x-oss-signature"));

        let v1_sts = uploads().sign_at(&v1(sts()), &request("iaclone.diff"), NOW).unwrap();
        let mut expected = API_FIELD_ORDER.to_vec();
        expected.push("OssSecurityToken");
        assert_eq!(key_order(&serde_json::to_string(&v1_sts).unwrap()), expected);
        assert_eq!(v1_sts.form().get("x-oss-security-token"), Some("CAIS-SECRET-TOKEN"));
    }

    #[test]
    fn debug_redacts_the_security_token() {
        for version in [SignatureVersion::V1, SignatureVersion::V4] {
            let url = uploads().sign_at(&signer(sts(), version), &request("f.txt"), NOW).unwrap();
            let shown = format!("{url:?}");
            assert!(!shown.contains("CAIS-SECRET-TOKEN"), "{shown}");
            assert!(shown.contains("<redacted>"), "{shown}");
        }
    }

    #[test]
    fn expire_time_is_the_policy_expiration() {
        let lifetime = Duration::minutes(15);
        for version in [SignatureVersion::V1, SignatureVersion::V4] {
            let url = uploads()
                .lifetime(lifetime)
                .sign_at(
                    &signer(Credentials::example(), version),
                    &request("f.txt"),
                    datetime!(2022-07-29 08:15:30.75 +08:00),
                )
                .unwrap();
            let policy = decoded_policy(&url);
            let expiration = OffsetDateTime::parse(
                policy["expiration"].as_str().unwrap(),
                &time::format_description::well_known::Rfc3339,
            )
            .unwrap();
            assert_eq!(url.expire_time(), expiration.unix_timestamp());
            // 00:15:30 UTC (sub-seconds dropped) plus 15 minutes.
            assert_eq!(policy["expiration"], "2022-07-29T00:30:30.000Z");
            assert_eq!(url.expire_time(), datetime!(2022-07-29 00:30:30 UTC).unix_timestamp());
        }
    }

    #[test]
    fn policy_pins_the_key_and_the_size() {
        let url = uploads().max_size(1024).sign_at(&v1(Credentials::example()), &request("f.txt"), NOW).unwrap();
        let conditions = decoded_policy(&url)["conditions"].clone();
        let key = url.temp_file_key();
        assert_eq!(
            conditions,
            serde_json::json!([{"bucket": "hbr-temp-bucket"}, ["eq", "$key", key], ["content-length-range", 0, 1024]])
        );
    }

    #[test]
    fn endpoint_is_the_host_without_the_bucket() {
        let sign = |u: TempUpload| u.sign_at(&v1(Credentials::example()), &request("f.txt"), NOW).unwrap();
        let internal = sign(uploads().endpoint(Endpoint::Internal));
        assert_eq!(internal.endpoint(), "oss-cn-shenzhen-internal.aliyuncs.com");
        assert_eq!(internal.form().url(), "https://hbr-temp-bucket.oss-cn-shenzhen-internal.aliyuncs.com");
        let custom = sign(uploads().endpoint(Endpoint::custom("http://127.0.0.1:8000/").unwrap()));
        assert_eq!(custom.endpoint(), "127.0.0.1:8000");
        assert_eq!(custom.form().url(), "http://127.0.0.1:8000");
    }

    #[test]
    fn lifetime_errors_come_from_the_signer() {
        let sign = |u: TempUpload| u.sign_at(&v1(Credentials::example()), &request("f.txt"), NOW);
        assert!(matches!(sign(uploads().lifetime(Duration::ZERO)), Err(Error::Expired { .. })));
        assert!(matches!(
            uploads().lifetime(Duration::days(8)).sign_at(&v4(Credentials::example()), &request("f.txt"), NOW),
            Err(Error::ValidityTooLong { .. })
        ));
        // V1 has no 7-day limit.
        assert!(sign(uploads().lifetime(Duration::days(30))).is_ok());
        let last_day = datetime!(9999-12-31 00:00:00 UTC);
        assert!(request("f.txt").key_at(last_day).unwrap().contains("/9999-12-31/"));
    }
}
