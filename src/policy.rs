//! The typed POST policy: its builder, its JSON document, and signing it (V4 and V1).

use std::fmt;
use std::sync::{Arc, OnceLock};

use time::{Duration, OffsetDateTime};

use crate::callback::Callback;
use crate::condition::{self, Condition, Field, ObjectAcl, ServerSideEncryption, StorageClass, SuccessActionStatus};
use crate::credentials::{Credentials, SharedToken};
use crate::document_template::{DocumentTemplate, EXPIRATION_AT, Templates};
use crate::encoding::{self, CachedBase64};
use crate::error::{Error, Result};
use crate::form::{FormFields, FormShape, SignatureFields};
use crate::json;
use crate::region::{Bucket, Endpoint, Region};
use crate::signing_key::{self, ALGORITHM_V4, SCOPE_TERMINATOR_V4, SigningKey, SigningKeyCache};
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
    fn resolve(self, now: OffsetDateTime) -> OffsetDateTime {
        match self {
            Self::At(t) => time_fmt::normalize(t),
            Self::In(d) => time_fmt::normalize(now.saturating_add(d)),
        }
    }
}

/// A checked POST policy for one bucket, ready to sign any number of times.
///
/// Build it with [`PostPolicy::builder`]; sign it with [`PostPolicy::sign_at`] (V4) or
/// [`PostPolicy::sign_v1_at`]. Signing never changes the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostPolicy {
    bucket: Bucket,
    expiration: Expiration,
    conditions: Vec<Condition>,
    escape_dollar: bool,
    endpoint: Endpoint,
    document: DocumentParts,
    form: Arc<FormShape>,
    url: UrlCache,
    templates: SharedTemplates,
}

/// The upload URL for the first region a policy is signed for: one region is the rule, and
/// the URL is the same for every signature. Other regions get theirs built each time.
#[derive(Clone, Default)]
struct UrlCache(OnceLock<(Region, Arc<str>)>);

impl UrlCache {
    fn get(&self, bucket: &Bucket, endpoint: &Endpoint, region: &Region) -> Arc<str> {
        let build = || Arc::<str>::from(region.upload_url(bucket, endpoint));
        match self.0.get_or_init(|| (region.clone(), build())) {
            (cached, url) if cached == region => Arc::clone(url),
            _ => build(),
        }
    }
}

/// A cache: equal whatever it holds.
impl PartialEq for UrlCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for UrlCache {}

impl fmt::Debug for UrlCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UrlCache").finish_non_exhaustive()
    }
}

/// The document templates of a policy, shared by its clones (see
/// [`crate::document_template`]).
#[derive(Clone, Default, Debug)]
struct SharedTemplates(Arc<Templates>);

/// A cache: equal whatever it holds.
impl PartialEq for SharedTemplates {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for SharedTemplates {}

/// The parts of the policy document that no signature changes, written once by `build()`;
/// the V4 head and the tail with their base64 cached (shared by clones of the policy).
#[derive(Clone, PartialEq, Eq)]
struct DocumentParts {
    /// From the end of the expiration value through the bucket condition:
    /// `","conditions":[{"bucket":"..."}`.
    head: Box<str>,
    /// For V4, the head, the signature version and the start of the credential condition:
    /// `...{"bucket":"..."},{"x-oss-signature-version":"OSS4-HMAC-SHA256"},{"x-oss-credential":`.
    head_v4: Arc<CachedBase64>,
    /// The policy's own conditions and the end of the document: `,[...],{...}]}`.
    tail: Arc<CachedBase64>,
}

impl DocumentParts {
    fn new(conditions: &[Condition], escape_dollar: bool) -> Self {
        let (bucket, rest) = conditions.split_first().expect("build() always adds the bucket condition");
        let mut head = String::from("\",\"conditions\":[");
        bucket.write_json(&mut head, false);
        let head_v4 = format!(
            "{head},{{\"{}\":\"{ALGORITHM_V4}\"}},{{\"{}\":",
            condition::SIGNATURE_VERSION,
            condition::CREDENTIAL
        );
        let mut tail = String::new();
        for cond in rest {
            tail.push(',');
            cond.write_json(&mut tail, escape_dollar);
        }
        tail.push_str("]}");
        Self {
            head: head.into_boxed_str(),
            head_v4: Arc::new(CachedBase64::new(head_v4)),
            tail: Arc::new(CachedBase64::new(tail)),
        }
    }
}

impl fmt::Debug for DocumentParts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DocumentParts").finish_non_exhaustive()
    }
}

/// Builds a [`PostPolicy`]; the checks run in [`PostPolicyBuilder::build`].
#[derive(Debug, Clone)]
#[must_use]
pub struct PostPolicyBuilder {
    bucket: Bucket,
    expiration: Option<Expiration>,
    conditions: Vec<Condition>,
    callback: Option<Callback>,
    escape_dollar: bool,
    endpoint: Endpoint,
}

impl PostPolicyBuilder {
    /// Expires at a fixed time (normalised to UTC, sub-seconds dropped).
    pub fn expires_at(mut self, at: OffsetDateTime) -> Self {
        self.expiration = Some(Expiration::At(at));
        self
    }

    /// Expires this long after the signing time.
    pub fn expires_in(mut self, duration: Duration) -> Self {
        self.expiration = Some(Expiration::In(duration));
        self
    }

    /// Adds any condition.
    pub fn condition(mut self, condition: Condition) -> Self {
        self.conditions.push(condition);
        self
    }

    /// `{"field": "value"}`: exact match in the map form; the form carries the value.
    pub fn exact(self, field: Field, value: impl Into<String>) -> Self {
        self.condition(Condition::Exact { field, value: value.into() })
    }

    /// `["eq", "$field", "value"]`; the form carries the value.
    pub fn eq(self, field: Field, value: impl Into<String>) -> Self {
        self.condition(Condition::Eq { field, value: value.into() })
    }

    /// `["starts-with", "$field", "prefix"]`; the browser supplies the field.
    pub fn starts_with(self, field: Field, prefix: impl Into<String>) -> Self {
        self.condition(Condition::StartsWith { field, prefix: prefix.into() })
    }

    /// `["in", "$field", [values]]`; the browser supplies the field.
    pub fn is_in<I, S>(self, field: Field, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.condition(Condition::In { field, values: values.into_iter().map(Into::into).collect() })
    }

    /// `["not-in", "$field", [values]]`; the browser supplies the field.
    pub fn not_in<I, S>(self, field: Field, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.condition(Condition::NotIn { field, values: values.into_iter().map(Into::into).collect() })
    }

    /// `["content-length-range", min, max]`: the file's size in bytes, inclusive.
    pub fn content_length_range(self, min: u64, max: u64) -> Self {
        self.condition(Condition::ContentLengthRange { min, max })
    }

    /// The object name is exactly `key` (`["eq", "$key", key]`); may hold `${filename}`.
    pub fn key(self, key: impl Into<String>) -> Self {
        self.eq(Field::Key, key)
    }

    /// The object name starts with `prefix` (the seed's `dir`).
    pub fn key_starts_with(self, prefix: impl Into<String>) -> Self {
        self.starts_with(Field::Key, prefix)
    }

    /// `["eq", "$success_action_status", status]`.
    pub fn success_action_status(self, status: SuccessActionStatus) -> Self {
        self.eq(Field::SuccessActionStatus, status.as_str())
    }

    /// `["eq", "$x-oss-object-acl", acl]`.
    pub fn object_acl(self, acl: ObjectAcl) -> Self {
        self.eq(Field::ObjectAcl, acl.as_str())
    }

    /// `["eq", "$x-oss-storage-class", class]`.
    pub fn storage_class(self, class: StorageClass) -> Self {
        self.eq(Field::StorageClass, class.as_str())
    }

    /// `["eq", "$x-oss-forbid-overwrite", "true"|"false"]`.
    pub fn forbid_overwrite(self, forbid: bool) -> Self {
        self.eq(Field::ForbidOverwrite, if forbid { "true" } else { "false" })
    }

    /// `["eq", "$x-oss-server-side-encryption", algorithm]`.
    pub fn server_side_encryption(self, sse: ServerSideEncryption) -> Self {
        self.eq(Field::ServerSideEncryption, sse.as_str())
    }

    /// An upload callback: `{"callback": base64}` in the policy and the form, plus each `x:`
    /// variable as `["eq", "$x:name", value]` and a form field, so the browser cannot change
    /// what OSS forwards to your callback server.
    pub fn callback(mut self, callback: Callback) -> Self {
        self.callback = Some(callback);
        self
    }

    /// Writes every `$` in condition values as `\$`, OSS's documented literal dollar (the Java
    /// SDK does this). Off by default, as in ali-oss. The form still carries the plain value.
    pub fn escape_dollar(mut self, on: bool) -> Self {
        self.escape_dollar = on;
        self
    }

    /// Where the form is posted (default: the region's public endpoint).
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// Checks everything that does not depend on the signing time.
    ///
    /// # Errors
    /// [`Error::MissingExpiration`]; for any condition [`Error::InvalidFieldName`],
    /// [`Error::ReservedField`], [`Error::InvalidFieldValue`], [`Error::EmptyValueList`],
    /// [`Error::InvalidContentLengthRange`]; [`Error::ConflictingConditions`] when two
    /// conditions cannot both hold; [`Error::InvalidCallback`].
    pub fn build(self) -> Result<PostPolicy> {
        let expiration = self.expiration.ok_or(Error::MissingExpiration)?;
        let mut conditions = Vec::with_capacity(self.conditions.len() + 2);
        conditions.push(Condition::Exact { field: Field::Bucket, value: self.bucket.as_str().to_owned() });
        let mut user = self.conditions;
        if let Some(cb) = self.callback {
            user.push(Condition::Exact { field: Field::Callback, value: cb.encode()? });
            user.extend(
                cb.vars()
                    .iter()
                    .map(|(name, value)| Condition::Eq { field: Field::custom(name.as_str()), value: value.clone() }),
            );
        }
        for cond in user {
            cond.check()?;
            if !self.escape_dollar {
                // OSS reads `\$` in a value as a literal `$` (the Java SDK escapes `$` that way),
                // so such a value written unescaped could never equal the posted one.
                if let Some(value) = cond.values().iter().find(|v| v.contains("\\$")) {
                    let field = cond.field().map_or("", Field::name).to_owned();
                    return Err(Error::AmbiguousDollarEscape { field, value: value.clone() });
                }
            }
            conditions.iter().try_for_each(|earlier| earlier.check_compatible(&cond))?;
            if !conditions.contains(&cond) {
                conditions.push(cond);
            }
        }
        let document = DocumentParts::new(&conditions, self.escape_dollar);
        let form = Arc::new(form_shape(&conditions));
        Ok(PostPolicy {
            bucket: self.bucket,
            expiration,
            conditions,
            escape_dollar: self.escape_dollar,
            endpoint: self.endpoint,
            document,
            form,
            url: UrlCache::default(),
            templates: SharedTemplates::default(),
        })
    }
}

/// The signer-written conditions placed right after `bucket`, in this order: V4's
/// `x-oss-signature-version`, `x-oss-credential` and `x-oss-date`, then, with STS,
/// `x-oss-security-token`.
struct SignerConditions<'a> {
    v4: Option<&'a V4Scope>,
    token: Option<&'a CachedBase64>,
}

/// Between the credential and the date: `},{"x-oss-date":"`.
const BEFORE_DATE: &str = "},{\"x-oss-date\":\"";
/// After the date: `"}`.
const AFTER_DATE: &str = "\"}";
/// Before the token's literal: `,{"x-oss-security-token":`.
const BEFORE_TOKEN: &str = ",{\"x-oss-security-token\":";

/// What one V4 signature at `now` writes besides the signature: the checked expiration, its
/// policy text, `x-oss-date` and `x-oss-credential`.
struct V4Scope {
    expiration: OffsetDateTime,
    expiration_text: encoding::Ascii<24>,
    date: encoding::Ascii<16>,
    credential: String,
}

impl PostPolicy {
    /// A builder for a policy on `bucket`; the policy starts with `{"bucket": name}`.
    pub fn builder(bucket: Bucket) -> PostPolicyBuilder {
        PostPolicyBuilder {
            bucket,
            expiration: None,
            conditions: Vec::new(),
            callback: None,
            escape_dollar: false,
            endpoint: Endpoint::default(),
        }
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

    /// Signs a V4 (OSS4-HMAC-SHA256) form at `now`.
    ///
    /// Writes `x-oss-signature-version`, `x-oss-credential`, `x-oss-date` and, with STS,
    /// `x-oss-security-token` into the policy (after `bucket`) and into the form.
    ///
    /// # Errors
    /// [`Error::Expired`] unless the expiration is after `now`; [`Error::ValidityTooLong`] if it
    /// is more than 7 days after `now`; [`Error::TimeOutOfRange`].
    pub fn sign_at(&self, credentials: &Credentials, region: &Region, now: OffsetDateTime) -> Result<FormFields> {
        let now = time_fmt::normalize(now);
        let key =
            SigningKey::derive(credentials.access_key_secret(), now.date(), region.id(), region.product().as_str());
        self.sign_v4_with_key(credentials, region, now, &key)
    }

    /// As [`PostPolicy::sign_at`], with the signing key from `cache`.
    ///
    /// # Errors
    /// As [`PostPolicy::sign_at`].
    pub fn sign_at_cached(
        &self,
        credentials: &Credentials,
        region: &Region,
        now: OffsetDateTime,
        cache: &SigningKeyCache,
    ) -> Result<FormFields> {
        let now = time_fmt::normalize(now);
        let key = cache.get(credentials, now.date(), region);
        self.sign_v4_with_key(credentials, region, now, &key)
    }

    /// [`PostPolicy::sign_at`] with the system clock.
    ///
    /// # Errors
    /// As [`PostPolicy::sign_at`].
    pub fn sign(&self, credentials: &Credentials, region: &Region) -> Result<FormFields> {
        self.sign_at(credentials, region, OffsetDateTime::now_utc())
    }

    /// Signs a legacy V1 (HMAC-SHA1) form at `now`: `OSSAccessKeyId`, `policy`, `Signature`,
    /// and `x-oss-security-token` (also in the policy) with STS.
    ///
    /// # Errors
    /// [`Error::Expired`] unless the expiration is after `now`; [`Error::TimeOutOfRange`].
    pub fn sign_v1_at(&self, credentials: &Credentials, region: &Region, now: OffsetDateTime) -> Result<FormFields> {
        let now = time_fmt::normalize(now);
        let expiration = self.checked_expiration(now, false)?;
        let token = credentials.shared_security_token();
        let signer = SignerConditions { v4: None, token: credentials.token_literal() };
        let policy_b64 = self.encode(&time_fmt::expiration(expiration)?, &signer, true);
        let signature = signing_key::sign_v1(credentials.access_key_secret(), policy_b64.as_bytes());
        Ok(self.form(
            region,
            policy_b64,
            SignatureFields::V1 { access_key_id: credentials.access_key_id().to_owned(), signature },
            token,
            expiration,
        ))
    }

    /// [`PostPolicy::sign_v1_at`] with the system clock.
    ///
    /// # Errors
    /// As [`PostPolicy::sign_v1_at`].
    pub fn sign_v1(&self, credentials: &Credentials, region: &Region) -> Result<FormFields> {
        self.sign_v1_at(credentials, region, OffsetDateTime::now_utc())
    }

    /// The policy JSON exactly as [`PostPolicy::sign_at`] would sign it at `now`.
    ///
    /// # Errors
    /// As [`PostPolicy::sign_at`].
    pub fn to_json_v4(&self, credentials: &Credentials, region: &Region, now: OffsetDateTime) -> Result<String> {
        let scope = self.v4_scope(credentials, region, time_fmt::normalize(now))?;
        let mut text = String::new();
        let signer = SignerConditions { v4: Some(&scope), token: credentials.token_literal() };
        self.write_document(&mut text, &scope.expiration_text, &signer, false);
        Ok(text)
    }

    /// Benchmark hook, not part of the API: the base64 policy [`PostPolicy::sign_at`] signs.
    ///
    /// # Errors
    /// As [`PostPolicy::sign_at`].
    #[doc(hidden)]
    pub fn bench_policy_base64_v4(
        &self,
        credentials: &Credentials,
        region: &Region,
        now: OffsetDateTime,
    ) -> Result<String> {
        let scope = self.v4_scope(credentials, region, time_fmt::normalize(now))?;
        Ok(self.encode_v4(&scope, credentials))
    }

    fn sign_v4_with_key(
        &self,
        credentials: &Credentials,
        region: &Region,
        now: OffsetDateTime,
        key: &SigningKey,
    ) -> Result<FormFields> {
        debug_assert_eq!(key.date(), now.date());
        let scope = self.v4_scope(credentials, region, now)?;
        let policy_b64 = self.encode_v4(&scope, credentials);
        let signature = key.sign_hex(policy_b64.as_bytes());
        let token = credentials.shared_security_token();
        let V4Scope { expiration, credential, date, .. } = scope;
        Ok(self.form(region, policy_b64, SignatureFields::V4 { credential, date, signature }, token, expiration))
    }

    /// The V4 values of a signature at `now` (already normalised).
    fn v4_scope(&self, credentials: &Credentials, region: &Region, now: OffsetDateTime) -> Result<V4Scope> {
        let expiration = self.checked_expiration(now, true)?;
        let date = time_fmt::x_oss_date(now)?;
        // The scope date is x-oss-date's YYYYMMDD.
        let credential = credential_scope(credentials.access_key_id(), &date[..8], region);
        Ok(V4Scope { expiration, expiration_text: time_fmt::expiration(expiration)?, date, credential })
    }

    fn checked_expiration(&self, now: OffsetDateTime, v4: bool) -> Result<OffsetDateTime> {
        // The usual policy, valid for whole seconds within the cap: `now` is normalised, so
        // `now + validity` is too, and it passes both checks by construction.
        if let Expiration::In(validity) = self.expiration {
            let whole = validity.is_positive() && validity.subsec_nanoseconds() == 0;
            if whole && (!v4 || validity <= MAX_V4_VALIDITY) {
                if let Some(expiration) = now.checked_add(validity) {
                    return Ok(expiration);
                }
            }
        }
        let expiration = self.expiration.resolve(now);
        if expiration <= now {
            return Err(Error::Expired { expiration, now });
        }
        if v4 && expiration - now > MAX_V4_VALIDITY {
            return Err(Error::ValidityTooLong { expiration, date: now });
        }
        Ok(expiration)
    }

    /// The policy JSON, base64-encoded: `{"expiration":...,"conditions":[bucket, signer..., rest...]}`,
    /// compact, in the bytes ali-oss's `policy2Str` writes for the same object.
    ///
    /// Written straight as base64 into the one `String` it ends up in. The policy's own
    /// conditions and the STS token, most of a policy and the same in every signature, are not
    /// encoded again: their base64 is cached (see [`CachedBase64`]).
    fn encode(&self, expiration: &str, signer: &SignerConditions<'_>, cache_parts: bool) -> String {
        let mut writer = encoding::Base64Writer::with_estimate(self.document_len(expiration, signer));
        self.write_document(&mut writer, expiration, signer, cache_parts);
        writer.finish()
    }

    /// [`PostPolicy::encode`] for V4, through the template of the credential scope when there
    /// is one (see [`crate::document_template`]), making one otherwise, from the second
    /// signature of the policy on.
    fn encode_v4(&self, scope: &V4Scope, credentials: &Credentials) -> String {
        let token = credentials.token_literal();
        let (expiration, date) = (&scope.expiration_text, &scope.date);
        let templates = &self.templates.0;
        if !templates.signed_before() {
            // Signed once, as policies built per request are: caching the base64 of its parts
            // would cost more than encoding them.
            return self.encode(expiration, &SignerConditions { v4: Some(scope), token }, false);
        }
        if let Some(text) = templates.render(&scope.credential, token, expiration, date) {
            return text;
        }
        let text = self.encode(expiration, &SignerConditions { v4: Some(scope), token }, true);
        let mut credential = String::with_capacity(scope.credential.len() + 2);
        json::push_str(&mut credential, &scope.credential, false);
        let date_at = EXPIRATION_AT
            + expiration.len()
            + self.document.head_v4.text().len()
            + credential.len()
            + BEFORE_DATE.len();
        let shared_token = credentials.shared_token_literal();
        let parts = (BEFORE_DATE, date_at, AFTER_DATE);
        if let Some(template) = DocumentTemplate::new(&text, &scope.credential, shared_token, (expiration, date), parts)
        {
            templates.keep(template);
        }
        text
    }

    /// Writes the policy document.
    ///
    /// Without `cache_parts`, the policy's own parts are written as text, not through their
    /// cached base64 (the credentials' token always is).
    fn write_document(
        &self,
        out: &mut impl json::Sink,
        expiration: &str,
        signer: &SignerConditions<'_>,
        cache_parts: bool,
    ) {
        out.put("{\"expiration\":\"");
        out.put(expiration);
        let put_part = |out: &mut _, part: &CachedBase64| {
            if cache_parts { json::Sink::put_cached(out, part) } else { json::Sink::put(out, part.text()) }
        };
        if let Some(scope) = signer.v4 {
            put_part(out, &self.document.head_v4);
            json::push_str(out, &scope.credential, false);
            out.put(BEFORE_DATE);
            out.put(&scope.date);
            out.put(AFTER_DATE);
        } else {
            // Only the bucket condition: joining a cached part would cost what encoding it does.
            out.put(&self.document.head);
        }
        if let Some(token) = signer.token {
            out.put(BEFORE_TOKEN);
            out.put_cached(token);
            out.put("}");
        }
        put_part(out, &self.document.tail);
    }

    /// The length of the document [`PostPolicy::write_document`] writes when the credential
    /// needs no escaping (as usual: ids and regions are plain ASCII; others only cost the text
    /// a reallocation).
    fn document_len(&self, expiration: &str, signer: &SignerConditions<'_>) -> usize {
        let head = signer.v4.map_or(self.document.head.len(), |scope| {
            self.document.head_v4.text().len() + scope.credential.len() + 2 + BEFORE_DATE.len() + scope.date.len() + 2
        });
        let token = signer.token.map_or(0, |t| BEFORE_TOKEN.len() + t.text().len() + 1);
        "{\"expiration\":\"".len() + expiration.len() + head + token + self.document.tail.text().len()
    }

    fn form(
        &self,
        region: &Region,
        policy_b64: String,
        signature: SignatureFields,
        token: Option<&SharedToken>,
        expiration: OffsetDateTime,
    ) -> FormFields {
        let url = self.url.get(&self.bucket, &self.endpoint, region);
        FormFields::signed(url, Arc::clone(&self.form), policy_b64, signature, token, expiration)
    }
}

/// The form fields a policy fixes (exact and `eq` conditions), the ones the browser must add
/// (`starts-with`, `in`, `not-in`, and `key` whenever it is not fixed) and the key prefix.
pub(crate) fn form_shape(conditions: &[Condition]) -> FormShape {
    let mut prefilled: Vec<(String, String)> = Vec::with_capacity(conditions.len());
    let mut required: Vec<String> = Vec::new();
    let mut key_prefix = None;
    for cond in conditions {
        let Some(field) = cond.field().filter(|f| f.is_form_field()) else { continue };
        if let Some(value) = cond.fixed_value() {
            if !prefilled.iter().any(|(n, _)| n.eq_ignore_ascii_case(field.name())) {
                prefilled.push((field.name().to_owned(), value.to_owned()));
            }
        } else if !required.iter().any(|n| n.eq_ignore_ascii_case(field.name())) {
            if let Condition::StartsWith { prefix, .. } = cond {
                if field.name().eq_ignore_ascii_case(condition::KEY) {
                    key_prefix = Some(prefix.clone());
                }
            }
            required.push(field.name().to_owned());
        }
    }
    if !prefilled.iter().any(|(n, _)| n == condition::KEY) && !required.iter().any(|n| n == condition::KEY) {
        required.insert(0, condition::KEY.to_owned());
    }
    FormShape::new(prefilled, required, key_prefix)
}

/// `x-oss-credential`: `<AccessKeyId>/<YYYYMMDD>/<region>/<product>/aliyun_v4_request`.
pub(crate) fn credential_scope(access_key_id: &str, scope_date: &str, region: &Region) -> String {
    let product = region.product().as_str();
    let mut out = String::with_capacity(
        access_key_id.len() + scope_date.len() + region.id().len() + product.len() + 4 + SCOPE_TERMINATOR_V4.len(),
    );
    for part in [access_key_id, "/", scope_date, "/", region.id(), "/", product, "/", SCOPE_TERMINATOR_V4] {
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use time::macros::datetime;

    fn bucket() -> Bucket {
        Bucket::new("examplebucket").unwrap()
    }

    fn seed_policy() -> PostPolicy {
        PostPolicy::builder(bucket())
            .expires_in(Duration::hours(1))
            .content_length_range(1, 10_485_760)
            .success_action_status(SuccessActionStatus::Ok)
            .key_starts_with("user-dir/")
            .build()
            .unwrap()
    }

    fn decode(form: &FormFields) -> serde_json::Value {
        let b64 = form.get("policy").unwrap();
        serde_json::from_slice(&base64::engine::general_purpose::STANDARD.decode(b64).unwrap()).unwrap()
    }

    #[test]
    fn credential_scope_has_the_documented_shape() {
        let r = Region::new("oss-cn-hangzhou").unwrap();
        assert_eq!(credential_scope("AKID", "20231203", &r), "AKID/20231203/cn-hangzhou/oss/aliyun_v4_request");
    }

    #[test]
    fn v4_writes_signer_fields_once_after_bucket() {
        let creds = Credentials::new("AKID", "secret").unwrap().with_security_token("TOKEN").unwrap();
        let region = Region::new("cn-hangzhou").unwrap();
        let form = seed_policy().sign_at(&creds, &region, datetime!(2024-11-27 06:09:41 UTC)).unwrap();
        let doc = decode(&form);
        assert_eq!(doc["expiration"], "2024-11-27T07:09:41.000Z");
        let conds = doc["conditions"].as_array().unwrap();
        assert_eq!(conds[0], serde_json::json!({"bucket": "examplebucket"}));
        assert_eq!(conds[1], serde_json::json!({"x-oss-signature-version": "OSS4-HMAC-SHA256"}));
        assert_eq!(
            conds[2],
            serde_json::json!({"x-oss-credential": "AKID/20241127/cn-hangzhou/oss/aliyun_v4_request"})
        );
        assert_eq!(conds[3], serde_json::json!({"x-oss-date": "20241127T060941Z"}));
        assert_eq!(conds[4], serde_json::json!({"x-oss-security-token": "TOKEN"}));
        assert_eq!(conds.len(), 8);
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
        assert_eq!(form.get("x-oss-date"), Some("20241127T060941Z"));
    }

    #[test]
    fn the_document_is_sized_exactly_and_escapes_still_fit() {
        let policy = seed_policy();
        let region = Region::new("cn-hangzhou").unwrap();
        let now = datetime!(2024-11-27 06:09:41 UTC);
        for (id, token) in [("AKID", "TOKEN"), ("AK\"ID\\", "TO\"K\\EN"), ("AKID", "\\".repeat(300).as_str())] {
            let creds = Credentials::new(id, "secret").unwrap().with_security_token(token).unwrap();
            let scope = policy.v4_scope(&creds, &region, now).unwrap();
            let signer = SignerConditions { v4: Some(&scope), token: creds.token_literal() };
            let mut text = String::new();
            policy.write_document(&mut text, &scope.expiration_text, &signer, false);
            // Only the credential is estimated; the token's literal is measured.
            let escapes = id.matches(['"', '\\']).count();
            assert_eq!(policy.document_len(&scope.expiration_text, &signer) + escapes, text.len());
            // Whatever the estimate, the form carries exactly the document to_json_v4 shows.
            let form = policy.sign_at(&creds, &region, now).unwrap();
            assert_eq!(form.get("policy").unwrap(), base64::engine::general_purpose::STANDARD.encode(&text));
            assert_eq!(policy.to_json_v4(&creds, &region, now).unwrap(), text);
            assert_eq!(
                decode(&form)["conditions"][2]["x-oss-credential"].as_str().unwrap().split('/').next(),
                Some(id)
            );
            assert_eq!(decode(&form)["conditions"][4]["x-oss-security-token"], token);
        }
    }

    #[test]
    fn each_region_gets_its_own_url() {
        let policy = seed_policy();
        let creds = Credentials::example();
        let now = datetime!(2024-11-27 06:09:41 UTC);
        for (region, url) in [
            ("cn-hangzhou", "https://examplebucket.oss-cn-hangzhou.aliyuncs.com"),
            ("cn-beijing", "https://examplebucket.oss-cn-beijing.aliyuncs.com"),
            ("cn-hangzhou", "https://examplebucket.oss-cn-hangzhou.aliyuncs.com"),
        ] {
            let region = Region::new(region).unwrap();
            assert_eq!(policy.sign_at(&creds, &region, now).unwrap().url(), url);
            assert_eq!(policy.clone().sign_v1_at(&creds, &region, now).unwrap().url(), url);
        }
    }

    #[test]
    fn signer_glue_spells_the_field_names() {
        assert_eq!(BEFORE_DATE, format!("}},{{\"{}\":\"", condition::DATE));
        assert_eq!(BEFORE_TOKEN, format!(",{{\"{}\":", condition::SECURITY_TOKEN));
    }

    #[test]
    fn cached_parts_give_the_same_bytes_at_every_alignment() {
        // Id and bucket lengths move the token and the policy's own conditions through all
        // three offsets; each signature must still be the base64 of to_json_v4's document: the
        // policy's first (parts written as text), each scope's first after it (cached encodings
        // made or reused, a template kept) and the next (from the template).
        let region = Region::new("cn-hangzhou").unwrap();
        let now = datetime!(2024-11-27 06:09:41 UTC);
        for bucket in ["abc", "abcd", "abcde"] {
            let policy = PostPolicy::builder(Bucket::new(bucket).unwrap())
                .expires_in(Duration::hours(1))
                .key_starts_with("user-dir/")
                .build()
                .unwrap();
            for id in ["A", "AB", "ABC"] {
                for token in ["T", "TO", "TOK", "TOKEN-0123456789"] {
                    let creds = Credentials::new(id, "secret").unwrap().with_security_token(token).unwrap();
                    let text = policy.to_json_v4(&creds, &region, now).unwrap();
                    for _ in 0..2 {
                        let form = policy.sign_at(&creds, &region, now).unwrap();
                        assert_eq!(
                            form.get("policy").unwrap(),
                            base64::engine::general_purpose::STANDARD.encode(&text)
                        );
                        let v1 = policy.sign_v1_at(&creds, &region, now).unwrap();
                        assert_eq!(decode(&v1)["conditions"][1]["x-oss-security-token"], token);
                    }
                }
            }
        }
    }

    #[test]
    fn signing_is_deterministic_and_leaves_the_policy_alone() {
        let policy = seed_policy();
        let before = policy.clone();
        let creds = Credentials::example();
        let region = Region::new("cn-hangzhou").unwrap();
        let now = datetime!(2024-11-27 06:09:41.123 +08:00);
        let a = policy.sign_at(&creds, &region, now).unwrap();
        let b = policy.sign_at(&creds, &region, now).unwrap();
        assert_eq!(a, b);
        assert_eq!(policy, before);
        let cached = policy.sign_at_cached(&creds, &region, now, &SigningKeyCache::new()).unwrap();
        assert_eq!(a, cached);
    }

    #[test]
    fn v4_signatures_keep_one_template_per_scope() {
        let policy = seed_policy();
        let region = Region::new("cn-hangzhou").unwrap();
        let plain = Credentials::example();
        let sts = Credentials::example().with_security_token("CAIS-token").unwrap();
        let morning = datetime!(2024-11-27 06:09:41 UTC);
        let templates = || policy.templates.0.len();
        let first = policy.sign_at(&sts, &region, morning).unwrap();
        assert_eq!(templates(), 0, "a policy signed once keeps nothing");
        policy.sign_at(&sts, &region, morning).unwrap();
        assert_eq!(templates(), 1, "the second signature keeps the template of its scope");
        let evening = policy.sign_at(&sts, &region, morning + Duration::hours(17)).unwrap();
        assert_eq!(templates(), 1, "the same scope later that day uses it");
        assert_ne!(first.get(condition::POLICY), evening.get(condition::POLICY));
        assert_eq!(evening, seed_policy().sign_at(&sts, &region, morning + Duration::hours(17)).unwrap());
        policy.sign_at(&plain, &region, morning).unwrap();
        policy.sign_at(&sts, &region, morning).unwrap();
        policy.sign_v1_at(&sts, &region, morning).unwrap();
        assert_eq!(templates(), 2, "another token is another scope; V1 keeps none");
        policy.sign_at(&sts, &region, morning + Duration::days(1)).unwrap();
        assert_eq!(templates(), 1, "a new day drops the day before's");
        assert_eq!(policy.clone().templates.0.len(), 1, "clones share them");
        assert!(!format!("{policy:?}").contains("CAIS-token"));
    }

    #[test]
    fn threads_sharing_a_policy_sign_what_a_fresh_policy_signs() {
        let policy = seed_policy();
        let region = Region::new("cn-hangzhou").unwrap();
        let sts = Credentials::example().with_security_token("CAIS-token").unwrap();
        let morning = datetime!(2024-11-27 06:09:41 UTC);
        std::thread::scope(|scope| {
            for thread in 0..4 {
                let (policy, region, sts) = (&policy, &region, &sts);
                scope.spawn(move || {
                    for second in 0..3 {
                        let now = morning + Duration::seconds(thread * 10 + second);
                        let form = policy.sign_at(sts, region, now).unwrap();
                        assert_eq!(form, seed_policy().sign_at(sts, region, now).unwrap());
                    }
                });
            }
        });
        let kept = policy.templates.0.len();
        assert!((1..=4).contains(&kept), "one template per shard used, {kept} kept");
    }

    #[test]
    fn expiration_is_checked_against_now() {
        let creds = Credentials::example();
        let region = Region::new("cn-hangzhou").unwrap();
        let now = datetime!(2024-01-01 00:00:00 UTC);
        let past = PostPolicy::builder(bucket()).expires_at(now).build().unwrap();
        assert_eq!(past.sign_at(&creds, &region, now), Err(Error::Expired { expiration: now, now }));
        assert!(matches!(past.sign_v1_at(&creds, &region, now), Err(Error::Expired { .. })));
        let negative = PostPolicy::builder(bucket()).expires_in(Duration::seconds(-1)).build().unwrap();
        assert!(matches!(negative.sign_at(&creds, &region, now), Err(Error::Expired { .. })));
        let week = PostPolicy::builder(bucket()).expires_in(MAX_V4_VALIDITY).build().unwrap();
        assert!(week.sign_at(&creds, &region, now).is_ok());
        let long = PostPolicy::builder(bucket()).expires_in(MAX_V4_VALIDITY + Duration::SECOND).build().unwrap();
        assert_eq!(
            long.sign_at(&creds, &region, now),
            Err(Error::ValidityTooLong { expiration: datetime!(2024-01-08 00:00:01 UTC), date: now })
        );
        assert!(long.sign_v1_at(&creds, &region, now).is_ok(), "V1 has no 7-day limit");
        assert_eq!(PostPolicy::builder(bucket()).build(), Err(Error::MissingExpiration));
    }

    #[test]
    fn build_refuses_bad_conditions() {
        let b = || PostPolicy::builder(bucket()).expires_in(Duration::hours(1));
        assert_eq!(b().content_length_range(5, 4).build(), Err(Error::InvalidContentLengthRange { min: 5, max: 4 }));
        assert_eq!(
            b().eq(Field::custom("x-oss-date"), "x").build(),
            Err(Error::ReservedField { name: "x-oss-date".into() })
        );
        assert!(
            matches!(b().eq(Field::Bucket, "otherbucket").build(), Err(Error::ConflictingConditions { field, .. }) if field == "bucket")
        );
        assert!(matches!(
            b().key("a/b").key_starts_with("c/").build(),
            Err(Error::ConflictingConditions { first, second, .. }) if first == r#"["eq","$key","a/b"]"# && second == r#"["starts-with","$key","c/"]"#
        ));
        assert_eq!(
            b().key("a\\$b").build(),
            Err(Error::AmbiguousDollarEscape { field: "key".into(), value: "a\\$b".into() })
        );
        assert!(b().key("a\\$b").escape_dollar(true).build().is_ok());
        assert!(b().key("a$b\\").build().is_ok(), "a lone $ or \\ is fine");
        // Identical duplicates are kept once.
        let p = b().key("a").key("a").build().unwrap();
        assert_eq!(p.conditions().len(), 2);
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
        let form = policy
            .sign_at(&Credentials::example(), &Region::new("cn-hangzhou").unwrap(), datetime!(2024-11-27 06:09:41 UTC))
            .unwrap();
        assert_eq!(form.required(), ["key", "Content-Type"]);
        assert_eq!(form.key_prefix(), Some("user-dir/"));
        assert_eq!(form.get("x-oss-meta-uid"), Some("42"));
        assert_eq!(form.get("success_action_status"), Some("201"));
        assert_eq!(form.get("key"), None);
        assert_eq!(form.url(), "https://examplebucket.oss-cn-hangzhou.aliyuncs.com");
    }

    #[test]
    fn dollar_escape_changes_the_policy_not_the_form() {
        let p = |esc| {
            PostPolicy::builder(bucket())
                .expires_in(Duration::hours(1))
                .key("user/eric/${filename}")
                .escape_dollar(esc)
                .build()
                .unwrap()
        };
        let creds = Credentials::example();
        let region = Region::new("cn-hangzhou").unwrap();
        let now = datetime!(2024-11-27 06:09:41 UTC);
        let escaped = p(true).to_json_v4(&creds, &region, now).unwrap();
        assert!(escaped.contains(r#"["eq","$key","user/eric/\\${filename}"]"#), "{escaped}");
        assert!(
            p(false).to_json_v4(&creds, &region, now).unwrap().contains(r#"["eq","$key","user/eric/${filename}"]"#)
        );
        assert_eq!(p(true).sign_at(&creds, &region, now).unwrap().get("key"), Some("user/eric/${filename}"));
    }

    #[test]
    fn callback_goes_into_policy_and_form() {
        let cb = Callback::new("https://app.example.com/cb", "object=${object}&uid=${x:uid}").var("x:uid", "7");
        let policy = PostPolicy::builder(bucket()).expires_in(Duration::hours(1)).callback(cb.clone()).build().unwrap();
        let form = policy
            .sign_at(&Credentials::example(), &Region::new("cn-hangzhou").unwrap(), datetime!(2024-11-27 06:09:41 UTC))
            .unwrap();
        let encoded = cb.encode().unwrap();
        assert_eq!(form.get("callback"), Some(encoded.as_str()));
        assert_eq!(form.get("x:uid"), Some("7"));
        assert_eq!(decode(&form)["conditions"][4], serde_json::json!({ "callback": encoded }));
        assert_eq!(decode(&form)["conditions"][5], serde_json::json!(["eq", "$x:uid", "7"]));
    }
}
