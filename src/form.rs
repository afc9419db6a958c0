//! The signed form: the fields a browser posts as-is, before its own fields and the file.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};
use time::OffsetDateTime;

use crate::condition::Condition;
use crate::error::{Error, Result};
use crate::field::{
    CALLBACK, CREDENTIAL, DATE, KEY, POLICY, SECURITY_TOKEN, SIGNATURE_V4, SIGNATURE_VERSION, debug_value,
};
use crate::signature::SignatureVersion;

/// What a form's fields are besides the signer's, fixed by the policy: the fields it pins
/// (exact and `eq` conditions), the fields the browser must add (`starts-with`, `in`, `not-in`,
/// and `key` whenever it is not pinned) and the key prefix. A policy computes it once; its
/// forms share it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct FormShape {
    /// `key` first, then the other pinned fields in policy order.
    prefilled: Vec<(String, String)>,
    required: Vec<String>,
    key_prefix: Option<String>,
}

impl FormShape {
    /// The shape of a form for `conditions` (the signer's own fields and `bucket` are skipped).
    pub(crate) fn of<'a>(conditions: impl IntoIterator<Item = &'a Condition>) -> Self {
        let mut shape = Self::default();
        let known = |list: &[String], name: &str| list.iter().any(|n| n.eq_ignore_ascii_case(name));
        for cond in conditions {
            let Some(field) = cond.field().filter(|f| !f.is_bucket() && !f.is_reserved()) else { continue };
            let name = field.name();
            if let Some(value) = cond.fixed_value() {
                if !shape.prefilled.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
                    shape.prefilled.push((name.to_owned(), value.to_owned()));
                }
            } else if !known(&shape.required, name) {
                if let Condition::StartsWith { prefix, .. } = cond {
                    if name.eq_ignore_ascii_case(KEY) {
                        shape.key_prefix = Some(prefix.clone());
                    }
                }
                shape.required.push(name.to_owned());
            }
        }
        // A pinned field is in the form already, whatever else constrains it.
        let prefilled = |name: &str| shape.prefilled.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
        shape.required.retain(|name| !prefilled(name));
        if prefilled(KEY) {
            shape.key_prefix = None;
            let at = shape.prefilled.iter().position(|(n, _)| n.eq_ignore_ascii_case(KEY)).expect("key is prefilled");
            let key = shape.prefilled.remove(at);
            shape.prefilled.insert(0, key);
        } else if !known(&shape.required, KEY) {
            shape.required.insert(0, KEY.to_owned());
        }
        shape
    }
}

/// A signed form for one upload target.
///
/// Field order (what [`FormFields::iter`] yields and the serde map keeps):
/// 1. `key`, when the policy pins it;
/// 2. the other fields the policy pins, in policy order (`success_action_status`,
///    `Content-Type`, `x-oss-meta-*`, `callback`, callback `x:` variables, ...);
/// 3. `policy`;
/// 4. V4: `x-oss-signature-version`, `x-oss-credential`, `x-oss-date`, `x-oss-signature`;
///    V1: `OSSAccessKeyId`, `Signature`;
/// 5. `x-oss-security-token`, with STS credentials.
///
/// The browser then appends the fields in [`FormFields::required`] (e.g. `key` under a
/// `starts-with`) and, last, `file`, which is never included here.
///
/// Serialises as `{"url": ..., "fields": {name: value, ...}, "required": [...]}`, like boto3's
/// `generate_presigned_post` plus the fields the browser must add. `Debug` redacts the values
/// of `policy` (it holds the STS token), the signature and `x-oss-security-token`.
///
/// ```
/// use oss_post_policy::{Bucket, Credentials, PostPolicy, Region, Signer};
/// use oss_post_policy::time::{Duration, OffsetDateTime};
///
/// let signer = Signer::new(Credentials::example(), Region::new("cn-hangzhou")?);
/// let form = PostPolicy::builder(Bucket::new("examplebucket")?)
///     .expires_in(Duration::hours(1))
///     .key_starts_with("user-dir/")
///     .build()?
///     .sign_at(&signer, OffsetDateTime::UNIX_EPOCH)?;
/// let json = serde_json::to_value(&form).expect("a form serialises");
/// assert_eq!(json["url"], "https://examplebucket.oss-cn-hangzhou.aliyuncs.com");
/// assert_eq!(json["fields"]["x-oss-date"], "19700101T000000Z");
/// assert_eq!(json["required"], serde_json::json!(["key"]));
/// # Ok::<(), oss_post_policy::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct FormFields {
    url: String,
    shape: Arc<FormShape>,
    signed: Vec<(&'static str, Cow<'static, str>)>,
    version: SignatureVersion,
    expiration: OffsetDateTime,
}

impl FormFields {
    /// A form: the policy's `shape`, then the signer's fields in form order.
    pub(crate) fn new(
        url: String,
        shape: Arc<FormShape>,
        signed: Vec<(&'static str, Cow<'static, str>)>,
        version: SignatureVersion,
        expiration: OffsetDateTime,
    ) -> Self {
        Self { url, shape, signed, version, expiration }
    }

    /// The URL the form is posted to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The fields, in form order, as `(name, value)`.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        let prefilled = self.shape.prefilled.iter().map(|(n, v)| (n.as_str(), v.as_str()));
        prefilled.chain(self.signed.iter().map(|(n, v)| (*n, v.as_ref())))
    }

    /// The value of a field, by exact name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// Fields the policy constrains without pinning (`starts-with`, `in`, `not-in`): the
    /// browser must add them. `key` is listed whenever the policy does not pin it.
    pub fn required(&self) -> &[String] {
        &self.shape.required
    }

    /// The prefix a `starts-with $key` condition requires (the `dir` of Alibaba's
    /// direct-upload guide).
    pub fn key_prefix(&self) -> Option<&str> {
        self.shape.key_prefix.as_deref()
    }

    /// The signature the form carries.
    pub fn signature_version(&self) -> SignatureVersion {
        self.version
    }

    /// The policy's expiration.
    pub fn expiration(&self) -> OffsetDateTime {
        self.expiration
    }

    /// The response of the sample endpoint `/get_post_signature_for_oss_upload` in Alibaba's
    /// direct-upload guide, which the guide's browser page reads unchanged. `security_token`
    /// is `""` without STS (the page posts it as is); `dir` is the key prefix or `""`;
    /// `callback` is the form's `callback` field when the policy has one
    /// ([`PostPolicyBuilder::callback`](crate::PostPolicyBuilder::callback), which also pins
    /// it in the policy), as the guide's callback variant returns it.
    ///
    /// # Errors
    /// [`Error::NotV4`] for a V1 form.
    pub fn post_signature_response(&self) -> Result<PostSignatureResponse> {
        if self.version != SignatureVersion::V4 {
            return Err(Error::NotV4);
        }
        let field = |name| self.get(name).unwrap_or_default().to_owned();
        Ok(PostSignatureResponse {
            policy: field(POLICY),
            x_oss_signature_version: field(SIGNATURE_VERSION),
            x_oss_credential: field(CREDENTIAL),
            x_oss_date: field(DATE),
            signature: field(SIGNATURE_V4),
            host: self.url.clone(),
            dir: self.key_prefix().unwrap_or_default().to_owned(),
            security_token: field(SECURITY_TOKEN),
            callback: self.get(CALLBACK).map(str::to_owned),
        })
    }
}

impl Serialize for FormFields {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        struct AsMap<'a>(&'a FormFields);
        impl Serialize for AsMap<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
                let len = self.0.shape.prefilled.len() + self.0.signed.len();
                let mut map = serializer.serialize_map(Some(len))?;
                for (n, v) in self.0.iter() {
                    map.serialize_entry(n, v)?;
                }
                map.end()
            }
        }
        let mut s = serializer.serialize_struct("FormFields", 3)?;
        s.serialize_field("url", &self.url)?;
        s.serialize_field("fields", &AsMap(self))?;
        s.serialize_field("required", self.required())?;
        s.end()
    }
}

/// A form may be logged, what it authorises must not be: the values of `policy` (which holds
/// the STS token), the signature and `x-oss-security-token` are redacted.
#[allow(clippy::missing_fields_in_debug, reason = "the shape and the signer's fields are shown as `fields`")]
impl fmt::Debug for FormFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<(&str, &str)> = self.iter().map(|(n, v)| (n, debug_value(n, v))).collect();
        f.debug_struct("FormFields")
            .field("url", &self.url)
            .field("fields", &fields)
            .field("required", &self.required())
            .field("key_prefix", &self.key_prefix())
            .field("version", &self.version)
            .field("expiration", &self.expiration)
            .finish()
    }
}

/// The JSON of the sample endpoint `/get_post_signature_for_oss_upload` in Alibaba's
/// direct-upload guide (field names and order as in its samples).
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct PostSignatureResponse {
    /// Base64 policy.
    pub policy: String,
    /// `OSS4-HMAC-SHA256`.
    pub x_oss_signature_version: String,
    /// The credential scope.
    pub x_oss_credential: String,
    /// `x-oss-date`.
    pub x_oss_date: String,
    /// Hex V4 signature.
    pub signature: String,
    /// The upload URL.
    pub host: String,
    /// The required key prefix.
    pub dir: String,
    /// The STS token, or `""`.
    pub security_token: String,
    /// The base64 `callback` field, when the policy has one; left out of the JSON otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback: Option<String>,
}

/// Redacts the policy, the signature and the token, as [`FormFields`]' `Debug` does.
impl fmt::Debug for PostSignatureResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostSignatureResponse")
            .field("policy", &debug_value(POLICY, &self.policy))
            .field("x_oss_signature_version", &self.x_oss_signature_version)
            .field("x_oss_credential", &self.x_oss_credential)
            .field("x_oss_date", &self.x_oss_date)
            .field("signature", &debug_value(SIGNATURE_V4, &self.signature))
            .field("host", &self.host)
            .field("dir", &self.dir)
            .field("security_token", &debug_value(SECURITY_TOKEN, &self.security_token))
            .field("callback", &self.callback)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::Field;

    fn shape(conditions: &[Condition]) -> FormShape {
        FormShape::of(conditions)
    }

    #[test]
    fn pinned_fields_are_prefilled_key_first_and_the_rest_required() {
        let s = shape(&[
            Condition::Exact { field: Field::Bucket, value: "b".into() },
            Condition::Eq { field: Field::SuccessActionStatus, value: "201".into() },
            Condition::Eq { field: Field::Key, value: "a/b".into() },
            Condition::In { field: Field::ContentType, values: vec!["image/png".into()] },
            Condition::NotIn { field: Field::custom("content-type"), values: vec!["x".into()] },
            Condition::ContentLengthRange { min: 0, max: 1 },
            Condition::Exact { field: Field::custom(SECURITY_TOKEN), value: "pinned by a text".into() },
        ]);
        assert_eq!(s.prefilled, [("key".to_owned(), "a/b".to_owned()), ("success_action_status".into(), "201".into())]);
        assert_eq!(s.required, ["Content-Type"]);
        assert_eq!(s.key_prefix, None);
    }

    #[test]
    fn a_pinned_field_is_never_also_required() {
        let s = shape(&[
            Condition::Eq { field: Field::Key, value: "user/eric/${filename}".into() },
            Condition::StartsWith { field: Field::Key, prefix: "user/eric".into() },
            Condition::Eq { field: Field::ContentType, value: "image/png".into() },
            Condition::In { field: Field::custom("content-type"), values: vec!["image/png".into()] },
        ]);
        assert_eq!(s.prefilled[0], ("key".to_owned(), "user/eric/${filename}".to_owned()));
        assert!(s.required.is_empty(), "{:?}", s.required);
        assert_eq!(s.key_prefix, None);
    }

    #[test]
    fn an_unpinned_key_is_required_first() {
        let s = shape(&[
            Condition::In { field: Field::ContentType, values: vec!["image/png".into()] },
            Condition::StartsWith { field: Field::Key, prefix: "user-dir/".into() },
        ]);
        assert_eq!(s.required, ["Content-Type", "key"]);
        assert_eq!(s.key_prefix.as_deref(), Some("user-dir/"));
        assert_eq!(shape(&[]).required, ["key"]);
    }

    fn form(token: Option<&str>) -> FormFields {
        let mut signed = vec![(POLICY, "cG9saWN5".into()), (SIGNATURE_V4, "abc".into())];
        signed.extend(token.map(|t| (SECURITY_TOKEN, t.to_owned().into())));
        let shape = Arc::new(shape(&[Condition::Eq { field: Field::Key, value: "k".into() }]));
        FormFields::new("https://b.example".into(), shape, signed, SignatureVersion::V4, OffsetDateTime::UNIX_EPOCH)
    }

    #[test]
    fn serialises_url_fields_in_order_and_required() {
        let json = serde_json::to_string(&form(None)).unwrap();
        assert_eq!(
            json,
            r#"{"url":"https://b.example","fields":{"key":"k","policy":"cG9saWN5","x-oss-signature":"abc"},"required":[]}"#
        );
    }

    #[test]
    fn the_guide_s_response_carries_the_callback_only_when_the_form_has_one() {
        use crate::{Bucket, Callback, Credentials, PostPolicy, Region, Signer};
        let signer = Signer::new(Credentials::example(), Region::new("cn-hangzhou").unwrap());
        let now = OffsetDateTime::from_unix_timestamp(1_732_687_781).unwrap();
        let builder =
            || PostPolicy::builder(Bucket::new("examplebucket").unwrap()).expires_at(now + time::Duration::HOUR);
        let callback = Callback::new("https://app.example/cb", "bucket=${bucket}&object=${object}");
        let with = builder().callback(callback.clone()).build().unwrap().sign_at(&signer, now).unwrap();
        let response = with.post_signature_response().unwrap();
        assert_eq!(response.callback.as_deref(), Some(callback.encode().unwrap().as_str()));
        assert_eq!(response.callback.as_deref(), with.get(CALLBACK));
        let json = serde_json::to_value(&response).unwrap();
        assert_eq!(json["callback"].as_str(), with.get(CALLBACK));
        let text = serde_json::to_string(&response).unwrap();
        assert!(
            text.ends_with(&format!(r#","callback":"{}"}}"#, callback.encode().unwrap())),
            "the guide's order: {text}"
        );

        let without = builder().build().unwrap().sign_at(&signer, now).unwrap().post_signature_response().unwrap();
        assert_eq!(without.callback, None);
        assert!(serde_json::to_value(&without).unwrap().get("callback").is_none());
    }

    #[test]
    fn debug_redacts_the_policy_the_signature_and_the_token() {
        for token in [Some("CAIS-secret-token"), None] {
            let shown = format!("{:?}", form(token));
            assert!(!shown.contains("CAIS-secret-token") && !shown.contains("cG9saWN5"), "{shown}");
            assert!(!shown.contains("\"abc\"") && shown.contains("\"k\""), "{shown}");
        }
        let response = form(Some("CAIS-secret-token")).post_signature_response().unwrap();
        assert_eq!(response.security_token, "CAIS-secret-token");
        let shown = format!("{response:?}");
        assert!(!shown.contains("CAIS-secret-token") && !shown.contains("cG9saWN5"), "{shown}");
        let without = format!("{:?}", form(None).post_signature_response().unwrap());
        assert!(without.contains(r#"security_token: """#), "an empty token hides nothing: {without}");
    }
}
