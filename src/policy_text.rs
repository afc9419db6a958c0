//! Signing a policy text given by the user, byte for byte.
//!
//! Official samples disagree on JSON spacing (`json.dumps` writes `", "`, `JSON.stringify`
//! writes `","`), and OSS signs the bytes sent, so an exact text is signed as it is. The text is
//! parsed only to keep the form consistent with it: a V4 text that pins `x-oss-date`,
//! `x-oss-credential`, `x-oss-signature-version` or `x-oss-security-token` gets a form that
//! agrees, or an error.

use std::borrow::Cow;
use std::sync::Arc;

use base64::Engine as _;
use serde_json::Value;
use time::OffsetDateTime;

use crate::condition::{CREDENTIAL, Condition, DATE, Field, SECURITY_TOKEN, SIGNATURE_VERSION};
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::form::{FormFields, FormShape, SignatureFields};
use crate::policy::{credential_scope, form_shape};
use crate::region::{Bucket, Endpoint, Region};
use crate::signing_key::{self, ALGORITHM_V4, SigningKey};
use crate::time_fmt;

/// An exact policy text for one bucket.
///
/// ```
/// use oss_post_policy::{Bucket, Credentials, PolicyText, Region};
/// use time::macros::datetime;
///
/// let text = r#"{"expiration": "2024-11-27T07:09:41.000Z", "conditions": [{"bucket": "examplebucket"}]}"#;
/// let policy = PolicyText::new(Bucket::new("examplebucket")?, text)?;
/// let form = policy.sign_v1_at(&Credentials::example(), &Region::new("cn-hangzhou")?, datetime!(2024-11-27 06:09:41 UTC))?;
/// // The text is signed as given: its base64 is the `policy` field.
/// assert_eq!(form.get("policy"), Some("eyJleHBpcmF0aW9uIjogIjIwMjQtMTEtMjdUMDc6MDk6NDEuMDAwWiIsICJjb25kaXRpb25zIjogW3siYnVja2V0IjogImV4YW1wbGVidWNrZXQifV19"));
/// # Ok::<(), oss_post_policy::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyText {
    bucket: Bucket,
    text: String,
    endpoint: Endpoint,
    expiration: OffsetDateTime,
    pinned: Pinned,
    /// What the text means for the form, computed as for a typed policy.
    form: Arc<FormShape>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Pinned {
    version: Option<String>,
    credential: Option<String>,
    date: Option<String>,
    token: Option<String>,
}

impl Pinned {
    /// Keeps a signer field the condition pins; otherwise returns the condition as the form
    /// sees it, values as OSS compares them (`\$` read as `$`). Shapes the form has no use for
    /// (`content-length-range`, malformed ones) give `None`.
    fn note(&mut self, cond: &Value) -> Option<Condition> {
        let (op, name, value) = match cond {
            Value::Object(map) if map.len() == 1 => {
                let (k, v) = map.iter().next().expect("one entry");
                ("eq", k.as_str(), v)
            }
            Value::Array(list) if list.len() == 3 => {
                let name = list[1].as_str()?;
                (list[0].as_str()?, name.strip_prefix('$').unwrap_or(name), &list[2])
            }
            _ => return None,
        };
        let field = Field::custom(name);
        let strings = || value.as_array().map(|l| l.iter().filter_map(Value::as_str).map(literal_value).collect());
        match op {
            "eq" => {
                let v = value.as_str()?;
                let slot = match name.to_ascii_lowercase().as_str() {
                    SIGNATURE_VERSION => &mut self.version,
                    CREDENTIAL => &mut self.credential,
                    DATE => &mut self.date,
                    SECURITY_TOKEN => &mut self.token,
                    _ => return Some(Condition::Eq { field, value: literal_value(v) }),
                };
                *slot = Some(v.to_owned());
                None
            }
            "starts-with" => Some(Condition::StartsWith { field, prefix: literal_value(value.as_str()?) }),
            "in" => Some(Condition::In { field, values: strings()? }),
            "not-in" => Some(Condition::NotIn { field, values: strings()? }),
            _ => None,
        }
    }
}

impl PolicyText {
    /// Parses `text` as a policy document (accepting OSS's `\$` escape) and keeps it verbatim.
    ///
    /// # Errors
    /// [`Error::InvalidPolicyText`] unless it is a JSON object with a string `expiration` in
    /// ISO 8601 (UTC) and a `conditions` list.
    pub fn new(bucket: Bucket, text: impl Into<String>) -> Result<Self> {
        let text = text.into();
        let doc: Value = serde_json::from_str(&unescape_dollar(&text)).map_err(|e| invalid(e.to_string()))?;
        let obj = doc.as_object().ok_or_else(|| invalid("the document is not a JSON object"))?;
        let expiration = obj
            .get("expiration")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("expiration is missing or not a string"))?;
        // The form OSS's samples use; the verifier accepts the same (offsets are [UNVERIFIED]).
        let expiration = time_fmt::parse_expiration(expiration)
            .ok_or_else(|| invalid(format!("expiration {expiration:?} is not YYYY-MM-DDTHH:MM:SS(.fff)Z")))?;
        let conditions = obj
            .get("conditions")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid("conditions is missing or not a list"))?;
        let mut pinned = Pinned::default();
        let shaped: Vec<Condition> = conditions.iter().filter_map(|c| pinned.note(c)).collect();
        Ok(Self {
            bucket,
            text,
            endpoint: Endpoint::default(),
            expiration: time_fmt::normalize(expiration),
            pinned,
            form: Arc::new(form_shape(&shaped)),
        })
    }

    /// Where the form is posted (default: the region's public endpoint).
    #[must_use]
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// The text, exactly as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Signs the text for V4. The text's own `x-oss-date`, if it has one, is the signing time;
    /// otherwise `now` is.
    ///
    /// # Errors
    /// [`Error::PolicyTextMismatch`] when the text pins a signer field to another value than
    /// the signer writes; [`Error::InvalidPolicyText`] for a malformed `x-oss-date`;
    /// [`Error::Expired`] unless the expiration is after `now`.
    pub fn sign_at(&self, credentials: &Credentials, region: &Region, now: OffsetDateTime) -> Result<FormFields> {
        let now = time_fmt::normalize(now);
        self.check_expiration(now)?;
        let when = match &self.pinned.date {
            Some(d) => time_fmt::parse_x_oss_date(d)
                .ok_or_else(|| invalid(format!("x-oss-date {d:?} is not YYYYMMDDTHHMMSSZ")))?,
            None => now,
        };
        let date = time_fmt::x_oss_date(when)?;
        let credential = credential_scope(credentials.access_key_id(), &time_fmt::scope_date(when)?, region);
        mismatch(CREDENTIAL, self.pinned.credential.as_deref(), &credential)?;
        mismatch(SIGNATURE_VERSION, self.pinned.version.as_deref(), ALGORITHM_V4)?;
        self.check_token(credentials)?;
        let b64 = base64::engine::general_purpose::STANDARD.encode(&self.text);
        let key =
            SigningKey::derive(credentials.access_key_secret(), when.date(), region.id(), region.product().as_str());
        let signature = key.sign_hex(b64.as_bytes());
        Ok(self.form(region, b64, SignatureFields::V4 { credential, date, signature }, credentials))
    }

    /// Signs the text for V1.
    ///
    /// # Errors
    /// [`Error::Expired`] unless the expiration is after `now`; [`Error::PolicyTextMismatch`]
    /// when the text pins another security token.
    pub fn sign_v1_at(&self, credentials: &Credentials, region: &Region, now: OffsetDateTime) -> Result<FormFields> {
        self.check_expiration(time_fmt::normalize(now))?;
        self.check_token(credentials)?;
        let b64 = base64::engine::general_purpose::STANDARD.encode(&self.text);
        let signature = signing_key::sign_v1(credentials.access_key_secret(), b64.as_bytes());
        let fields = SignatureFields::V1 { access_key_id: credentials.access_key_id().to_owned(), signature };
        Ok(self.form(region, b64, fields, credentials))
    }

    fn check_expiration(&self, now: OffsetDateTime) -> Result<()> {
        if self.expiration <= now {
            return Err(Error::Expired { expiration: self.expiration, now });
        }
        Ok(())
    }

    fn check_token(&self, credentials: &Credentials) -> Result<()> {
        match (&self.pinned.token, credentials.security_token()) {
            (Some(t), Some(c)) if t == c => Ok(()),
            (Some(_), c) => Err(Error::PolicyTextMismatch {
                field: SECURITY_TOKEN,
                in_text: "<redacted>".into(),
                signer: if c.is_some() { "<redacted, different>" } else { "<none>" }.into(),
            }),
            (None, _) => Ok(()),
        }
    }

    fn form(&self, region: &Region, b64: String, fields: SignatureFields, credentials: &Credentials) -> FormFields {
        FormFields::signed(
            region.upload_url(&self.bucket, &self.endpoint).into(),
            Arc::clone(&self.form),
            b64,
            fields,
            credentials.shared_security_token(),
            self.expiration,
        )
    }
}

fn mismatch(field: &'static str, in_text: Option<&str>, signer: &str) -> Result<()> {
    match in_text {
        Some(t) if t != signer => {
            Err(Error::PolicyTextMismatch { field, in_text: t.to_owned(), signer: signer.to_owned() })
        }
        _ => Ok(()),
    }
}

fn invalid(reason: impl Into<String>) -> Error {
    Error::InvalidPolicyText { reason: reason.into() }
}

/// Rewrites OSS's non-JSON `\$` escape as `$` so a JSON parser accepts the text. A `\\` pair
/// is kept whole, so `\\$` (an escaped backslash, then `$`) is left alone.
pub(crate) fn unescape_dollar(text: &str) -> Cow<'_, str> {
    if !text.contains("\\$") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('$') => out.push('$'),
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A value as OSS reads it: `\$` means a literal `$` ([PO-EN]: "write `\$` for a literal
/// dollar"; the Java SDK writes `\\$` in the JSON, which decodes to `\$`).
pub(crate) fn literal_value(value: &str) -> String {
    value.replace("\\$", "$")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const TEXT: &str = r#"{"expiration": "2024-07-13T14:34:14Z", "conditions": [{"bucket": "example-bucket"}, {"x-oss-signature-version": "OSS4-HMAC-SHA256"}, {"x-oss-credential": "access_key_id/20240713/us-west-1/oss/aliyun_v4_request"}, {"x-oss-date": "20240713T133414Z"}, ["starts-with", "$key", "up/"], ["eq", "$success_action_status", "201"]]}"#;

    fn creds() -> Credentials {
        Credentials::new("access_key_id", "access_key_secret").unwrap()
    }

    #[test]
    fn the_texts_own_date_and_scope_are_used() {
        let p = PolicyText::new(Bucket::new("example-bucket").unwrap(), TEXT).unwrap();
        let region = Region::new("us-west-1").unwrap();
        let form = p.sign_at(&creds(), &region, datetime!(2024-07-13 13:40:00 UTC)).unwrap();
        assert_eq!(form.get("x-oss-date"), Some("20240713T133414Z"));
        assert_eq!(form.get("x-oss-credential"), Some("access_key_id/20240713/us-west-1/oss/aliyun_v4_request"));
        assert_eq!(form.get("success_action_status"), Some("201"));
        assert_eq!(form.required(), ["key"]);
        assert_eq!(form.key_prefix(), Some("up/"));
        let b64 = form.get("policy").unwrap();
        assert_eq!(base64::engine::general_purpose::STANDARD.decode(b64).unwrap(), TEXT.as_bytes());
    }

    #[test]
    fn prefilled_values_are_what_oss_compares_with() {
        // The Java SDK writes a literal `$` as `\\$` in the JSON (public-vectors.json).
        let text = r#"{"expiration":"2030-01-01T00:00:00Z","conditions":[["eq","$key","user\/eric\/\\${filename}"],["starts-with","$x-oss-meta-a","p\\$"]]}"#;
        let p = PolicyText::new(Bucket::new("example-bucket").unwrap(), text).unwrap();
        let form =
            p.sign_v1_at(&creds(), &Region::new("us-west-1").unwrap(), datetime!(2024-07-13 13:40:00 UTC)).unwrap();
        assert_eq!(form.get("key"), Some("user/eric/${filename}"));
        assert_eq!(form.required(), ["x-oss-meta-a"]);
    }

    #[test]
    fn expiration_must_be_utc_as_oss_samples_write_it() {
        let b = || Bucket::new("example-bucket").unwrap();
        let offset = r#"{"expiration": "2030-01-01T08:00:00+08:00", "conditions": []}"#;
        assert!(matches!(PolicyText::new(b(), offset), Err(Error::InvalidPolicyText { .. })));
        assert!(PolicyText::new(b(), r#"{"expiration": "2030-01-01T00:00:00.123Z", "conditions": []}"#).is_ok());
    }

    #[test]
    fn a_text_pinning_another_scope_is_refused() {
        let p = PolicyText::new(Bucket::new("example-bucket").unwrap(), TEXT).unwrap();
        let now = datetime!(2024-07-13 13:40:00 UTC);
        let err = p.sign_at(&creds(), &Region::new("cn-hangzhou").unwrap(), now).unwrap_err();
        assert!(matches!(err, Error::PolicyTextMismatch { field: "x-oss-credential", .. }));
        let other = Credentials::new("other", "s").unwrap();
        assert!(matches!(
            p.sign_at(&other, &Region::new("us-west-1").unwrap(), now),
            Err(Error::PolicyTextMismatch { .. })
        ));
        let sts = creds().with_security_token("T").unwrap();
        let with_token = TEXT.replace(r#"{"x-oss-date""#, r#"{"x-oss-security-token": "OTHER"}, {"x-oss-date""#);
        let p = PolicyText::new(Bucket::new("example-bucket").unwrap(), with_token).unwrap();
        let err = p.sign_at(&sts, &Region::new("us-west-1").unwrap(), now).unwrap_err();
        assert!(matches!(err, Error::PolicyTextMismatch { field: "x-oss-security-token", .. }));
        assert!(!err.to_string().contains("OTHER"));
    }

    #[test]
    fn malformed_texts_are_refused() {
        let b = || Bucket::new("example-bucket").unwrap();
        for bad in [
            "",
            "[]",
            "{}",
            r#"{"expiration": 1, "conditions": []}"#,
            r#"{"expiration": "2024-02-30T00:00:00Z", "conditions": []}"#,
            r#"{"expiration": "2024-01-01T00:00:00Z"}"#,
        ] {
            assert!(matches!(PolicyText::new(b(), bad), Err(Error::InvalidPolicyText { .. })), "{bad:?}");
        }
        let p = PolicyText::new(b(), r#"{"expiration": "2024-01-01T00:00:00Z", "conditions": []}"#).unwrap();
        let err = p.sign_v1_at(&creds(), &Region::new("us-west-1").unwrap(), datetime!(2024-01-01 00:00:00 UTC));
        assert!(matches!(err, Err(Error::Expired { .. })));
    }

    #[test]
    fn dollar_unescape_keeps_escaped_backslashes() {
        assert_eq!(unescape_dollar(r#""a\$b""#), r#""a$b""#);
        assert_eq!(unescape_dollar(r#""a\\$b""#), r#""a\\$b""#);
        assert_eq!(unescape_dollar(r#""a\\\$b""#), r#""a\\$b""#);
        assert!(matches!(unescape_dollar("plain"), Cow::Borrowed(_)));
    }
}
