//! The signed form: the fields a browser posts as-is, before its own fields and the file.

use std::fmt;
use std::sync::Arc;

use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};
use time::OffsetDateTime;

use crate::condition::{
    ACCESS_KEY_ID_V1, CREDENTIAL, DATE, KEY, POLICY, SECURITY_TOKEN, SIGNATURE_V1, SIGNATURE_V4, SIGNATURE_VERSION,
};
use crate::credentials::SharedToken;
use crate::encoding::Ascii;
use crate::error::{Error, Result};
use crate::signing_key::ALGORITHM_V4;

/// Which signature a form carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureVersion {
    /// OSS4-HMAC-SHA256.
    V4,
    /// Legacy HMAC-SHA1.
    V1,
}

/// The signature-specific fields the signer writes.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum SignatureFields {
    V4 { credential: String, date: Ascii<16>, signature: Ascii<64> },
    V1 { access_key_id: String, signature: String },
}

/// A signed form for one upload target.
///
/// Field order (what [`FormFields::iter`] yields and the serde map keeps):
/// 1. `key`, when the policy fixes it;
/// 2. the other fields the policy fixes, in policy order (`success_action_status`,
///    `Content-Type`, `x-oss-meta-*`, `callback`, ...), then callback `x:` variables;
/// 3. `policy`;
/// 4. V4: `x-oss-signature-version`, `x-oss-credential`, `x-oss-date`, `x-oss-signature`;
///    V1: `OSSAccessKeyId`, `Signature`;
/// 5. `x-oss-security-token`, with STS credentials.
///
/// The browser then appends the fields in [`FormFields::required`] (e.g. `key` under a
/// `starts-with`) and, last, `file`, which is never included here.
#[derive(Clone, PartialEq, Eq)]
pub struct FormFields {
    url: Arc<str>,
    shape: Arc<FormShape>,
    policy: String,
    signature: SignatureFields,
    token: Option<SharedToken>,
    expiration: OffsetDateTime,
}

/// The part of a form that only depends on the policy: the fields it fixes and the fields the
/// browser must add. A [`crate::PostPolicy`] computes it once and shares it with every form it
/// signs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct FormShape {
    /// `key` first, then the other fixed fields in policy order.
    prefilled: Vec<(String, String)>,
    required: Vec<String>,
    key_prefix: Option<String>,
}

impl FormShape {
    pub(crate) fn new(prefilled: Vec<(String, String)>, required: Vec<String>, key_prefix: Option<String>) -> Self {
        let (mut ordered, rest): (Vec<_>, Vec<_>) = prefilled.into_iter().partition(|(n, _)| n == KEY);
        ordered.extend(rest);
        Self { prefilled: ordered, required, key_prefix }
    }
}

/// The fields of a form in order: the policy's, then the signer's.
struct Fields<'a> {
    prefilled: std::slice::Iter<'a, (String, String)>,
    signed: std::iter::Take<std::array::IntoIter<(&'a str, &'a str), 6>>,
}

impl<'a> Iterator for Fields<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        self.prefilled.next().map(|(n, v)| (n.as_str(), v.as_str())).or_else(|| self.signed.next())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let len = self.prefilled.len() + self.signed.len();
        (len, Some(len))
    }
}

impl ExactSizeIterator for Fields<'_> {}

impl FormFields {
    /// A form with its own shape and token copy (tests build forms by hand with it).
    #[cfg(test)]
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn assemble(
        url: String,
        prefilled: Vec<(String, String)>,
        required: Vec<String>,
        key_prefix: Option<String>,
        policy_b64: String,
        signature: SignatureFields,
        token: Option<&str>,
        expiration: OffsetDateTime,
    ) -> Self {
        let shape = Arc::new(FormShape::new(prefilled, required, key_prefix));
        let token = token.map(|t| Arc::new(zeroize::Zeroizing::new(t.to_owned())));
        Self::signed(url.into(), shape, policy_b64, signature, token.as_ref(), expiration)
    }

    /// A form whose policy-dependent part is `shape`, shared.
    pub(crate) fn signed(
        url: Arc<str>,
        shape: Arc<FormShape>,
        policy_b64: String,
        signature: SignatureFields,
        token: Option<&SharedToken>,
        expiration: OffsetDateTime,
    ) -> Self {
        Self { url, shape, policy: policy_b64, signature, token: token.cloned(), expiration }
    }

    /// The URL the form is posted to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The fields, in form order, as `(name, value)`.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> {
        let mut signed = [("", ""); 6];
        signed[0] = (POLICY, self.policy.as_str());
        let mut len = match &self.signature {
            SignatureFields::V4 { credential, date, signature } => {
                signed[1..5].copy_from_slice(&[
                    (SIGNATURE_VERSION, ALGORITHM_V4),
                    (CREDENTIAL, credential),
                    (DATE, &**date),
                    (SIGNATURE_V4, &**signature),
                ]);
                5
            }
            SignatureFields::V1 { access_key_id, signature } => {
                signed[1..3].copy_from_slice(&[(ACCESS_KEY_ID_V1, access_key_id), (SIGNATURE_V1, signature)]);
                3
            }
        };
        if let Some(token) = &self.token {
            signed[len] = (SECURITY_TOKEN, token.as_str());
            len += 1;
        }
        Fields { prefilled: self.shape.prefilled.iter(), signed: signed.into_iter().take(len) }
    }

    /// The value of a field, by exact name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// Fields the policy constrains without fixing (`starts-with`, `in`, `not-in`): the
    /// browser must add them. `key` is listed whenever the policy does not fix it.
    pub fn required(&self) -> &[String] {
        &self.shape.required
    }

    /// The prefix a `starts-with $key` condition requires (the seed's `dir`).
    pub fn key_prefix(&self) -> Option<&str> {
        self.shape.key_prefix.as_deref()
    }

    /// The signature the form carries.
    pub fn signature_version(&self) -> SignatureVersion {
        match self.signature {
            SignatureFields::V4 { .. } => SignatureVersion::V4,
            SignatureFields::V1 { .. } => SignatureVersion::V1,
        }
    }

    /// The policy's expiration.
    pub fn expiration(&self) -> OffsetDateTime {
        self.expiration
    }

    /// The response shape of the seed's `/get_post_signature_for_oss_upload` endpoint, which its
    /// browser page reads unchanged. `security_token` is `""` without STS (the page posts it as
    /// is); `dir` is the key prefix or `""`.
    ///
    /// # Errors
    /// [`Error::NotV4`] for a V1 form.
    pub fn seed_response(&self) -> Result<SeedResponse> {
        if self.signature_version() != SignatureVersion::V4 {
            return Err(Error::NotV4);
        }
        let field = |name| self.get(name).unwrap_or_default().to_owned();
        Ok(SeedResponse {
            policy: field(POLICY),
            x_oss_signature_version: field(SIGNATURE_VERSION),
            x_oss_credential: field(CREDENTIAL),
            x_oss_date: field(DATE),
            signature: field(SIGNATURE_V4),
            host: self.url.to_string(),
            dir: self.key_prefix().unwrap_or_default().to_owned(),
            security_token: field(SECURITY_TOKEN),
        })
    }
}

/// Serialises as `{"url": ..., "fields": {name: value, ...}}`, fields in form order, like boto3's
/// `generate_presigned_post`.
impl Serialize for FormFields {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        struct AsMap<'a>(&'a FormFields);
        impl Serialize for AsMap<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
                let fields = self.0.iter();
                let mut map = serializer.serialize_map(Some(fields.len()))?;
                for (n, v) in fields {
                    map.serialize_entry(n, v)?;
                }
                map.end()
            }
        }
        let mut s = serializer.serialize_struct("FormFields", 2)?;
        s.serialize_field("url", &*self.url)?;
        s.serialize_field("fields", &AsMap(self))?;
        s.end()
    }
}

/// Redacts `x-oss-security-token`: a form may be logged, a token must not be.
#[allow(clippy::missing_fields_in_debug, reason = "the policy, signature and token are shown through iter()")]
impl fmt::Debug for FormFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<(&str, &str)> =
            self.iter().map(|(n, v)| if n == SECURITY_TOKEN { (n, "<redacted>") } else { (n, v) }).collect();
        f.debug_struct("FormFields")
            .field("url", &self.url)
            .field("fields", &fields)
            .field("required", &self.required())
            .field("key_prefix", &self.key_prefix())
            .field("version", &self.signature_version())
            .field("expiration", &self.expiration)
            .finish()
    }
}

/// The JSON the seed's signature endpoint returns (field names and order as in its samples).
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct SeedResponse {
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
}

impl fmt::Debug for SeedResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeedResponse")
            .field("policy", &self.policy)
            .field("x_oss_signature_version", &self.x_oss_signature_version)
            .field("x_oss_credential", &self.x_oss_credential)
            .field("x_oss_date", &self.x_oss_date)
            .field("signature", &self.signature)
            .field("host", &self.host)
            .field("dir", &self.dir)
            .field("security_token", &if self.security_token.is_empty() { "" } else { "<redacted>" })
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const SIG: &str = "ab0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd";

    fn v4_form(token: Option<&str>) -> FormFields {
        FormFields::assemble(
            "https://b.oss-cn-hangzhou.aliyuncs.com".into(),
            vec![("success_action_status".into(), "200".into()), ("key".into(), "k".into())],
            vec![],
            Some("user-dir/".into()),
            "UE9MSUNZ".into(),
            SignatureFields::V4 {
                credential: "AK/20240101/cn-hangzhou/oss/aliyun_v4_request".into(),
                date: "20240101T000000Z".try_into().unwrap(),
                signature: SIG.try_into().unwrap(),
            },
            token,
            datetime!(2024-01-01 01:00:00 UTC),
        )
    }

    #[test]
    fn order_is_key_then_fixed_then_policy_then_signature() {
        let form = v4_form(Some("TOK"));
        assert_eq!(form.iter().len(), 8);
        assert_eq!(v4_form(None).iter().len(), 7);
        let names: Vec<_> = form.iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "key",
                "success_action_status",
                "policy",
                "x-oss-signature-version",
                "x-oss-credential",
                "x-oss-date",
                "x-oss-signature",
                "x-oss-security-token"
            ]
        );
    }

    #[test]
    fn serializes_like_boto3_and_like_the_seed_endpoint() {
        let form = v4_form(Some("TOK"));
        let json = serde_json::to_string(&form).unwrap();
        assert!(json.starts_with(r#"{"url":"https://b.oss-cn-hangzhou.aliyuncs.com","fields":{"key":"k","success_action_status":"200","policy":"UE9MSUNZ""#), "{json}");
        let seed = serde_json::to_value(form.seed_response().unwrap()).unwrap();
        assert_eq!(
            seed,
            serde_json::json!({
                "policy": "UE9MSUNZ", "x_oss_signature_version": "OSS4-HMAC-SHA256",
                "x_oss_credential": "AK/20240101/cn-hangzhou/oss/aliyun_v4_request", "x_oss_date": "20240101T000000Z",
                "signature": SIG, "host": "https://b.oss-cn-hangzhou.aliyuncs.com", "dir": "user-dir/", "security_token": "TOK"
            })
        );
        assert_eq!(v4_form(None).seed_response().unwrap().security_token, "");
    }

    #[test]
    fn debug_redacts_the_security_token() {
        let form = v4_form(Some("SECRET-TOKEN"));
        let dbg = format!("{form:?}");
        assert!(!dbg.contains("SECRET-TOKEN"), "{dbg}");
        assert!(dbg.contains(r#"("x-oss-security-token", "<redacted>")"#), "{dbg}");
        let seed = format!("{:?}", form.seed_response().unwrap());
        assert!(!seed.contains("SECRET-TOKEN") && seed.contains("<redacted>"), "{seed}");
    }

    #[test]
    fn v1_forms_have_no_seed_shape() {
        let form = FormFields::assemble(
            "u".into(),
            vec![],
            vec![],
            None,
            "P".into(),
            SignatureFields::V1 { access_key_id: "AK".into(), signature: "S".into() },
            None,
            datetime!(2024-01-01 01:00:00 UTC),
        );
        assert_eq!(form.seed_response(), Err(Error::NotV4));
        assert_eq!(form.signature_version(), SignatureVersion::V1);
        assert_eq!(form.iter().len(), 3);
        assert_eq!(form.iter().map(|(n, _)| n).collect::<Vec<_>>(), ["policy", "OSSAccessKeyId", "Signature"]);
    }
}
