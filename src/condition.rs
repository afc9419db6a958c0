//! Policy conditions on typed form fields.
//!
//! A condition is one element of the policy's `conditions` list:
//! `{"field": "value"}` (exact match), `["eq", "$field", "value"]`,
//! `["starts-with", "$field", "prefix"]`, `["content-length-range", min, max]`,
//! `["in", "$field", [...]]` or `["not-in", "$field", [...]]`.

use std::borrow::Cow;

use crate::error::{Error, Result};
use crate::json;

/// `x-oss-signature-version`, written by the V4 signer.
pub const SIGNATURE_VERSION: &str = "x-oss-signature-version";
/// `x-oss-credential`, written by the V4 signer.
pub const CREDENTIAL: &str = "x-oss-credential";
/// `x-oss-date`, written by the V4 signer.
pub const DATE: &str = "x-oss-date";
/// `x-oss-signature`, written by the V4 signer.
pub const SIGNATURE_V4: &str = "x-oss-signature";
/// `x-oss-security-token`, written by the signer for STS credentials.
pub const SECURITY_TOKEN: &str = "x-oss-security-token";
/// `policy`, the base64 policy document.
pub const POLICY: &str = "policy";
/// `OSSAccessKeyId`, written by the V1 signer.
pub const ACCESS_KEY_ID_V1: &str = "OSSAccessKeyId";
/// `Signature`, written by the V1 signer.
pub const SIGNATURE_V1: &str = "Signature";
/// `key`, the object name.
pub const KEY: &str = "key";
/// `file`, the upload itself, always the last part of the form.
pub const FILE: &str = "file";

/// Field names the signer owns (lower case): a policy cannot set them.
const RESERVED: [&str; 10] = [
    "x-oss-signature-version",
    "x-oss-credential",
    "x-oss-date",
    "x-oss-signature",
    "x-oss-security-token",
    "x-oss-access-key-id",
    "policy",
    "ossaccesskeyid",
    "signature",
    "file",
];

/// A form field a condition can constrain.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// `bucket`: compared by OSS with the target bucket, not with a form field.
    Bucket,
    /// `key`: the object name (may hold `${filename}`).
    Key,
    /// `Content-Type`.
    ContentType,
    /// `Cache-Control`.
    CacheControl,
    /// `Content-Disposition`.
    ContentDisposition,
    /// `Content-Encoding`.
    ContentEncoding,
    /// `Expires`.
    Expires,
    /// `success_action_status`: `200`, `201` or `204`.
    SuccessActionStatus,
    /// `success_action_redirect`.
    SuccessActionRedirect,
    /// `x-oss-meta-*` user metadata; holds the full field name (see [`Field::meta`]).
    Meta(String),
    /// `x-oss-object-acl`.
    ObjectAcl,
    /// `x-oss-storage-class`.
    StorageClass,
    /// `x-oss-forbid-overwrite`: `true` or `false`.
    ForbidOverwrite,
    /// `x-oss-server-side-encryption`: `AES256`, `KMS` or `SM4`.
    ServerSideEncryption,
    /// `x-oss-content-type`, which wins over the other content types.
    OssContentType,
    /// `callback`: the base64 upload-callback configuration.
    Callback,
    /// Any other field, checked when the policy is built (see [`Field::custom`]).
    Custom(String),
}

impl Field {
    /// User metadata `x-oss-meta-{name}` (the prefix is added unless already there).
    pub fn meta(name: &str) -> Self {
        if name.starts_with("x-oss-meta-") {
            Self::Meta(name.to_owned())
        } else {
            Self::Meta(format!("x-oss-meta-{name}"))
        }
    }

    /// A field by name, as written in the form (e.g. `x:user-id`, or `content-type` when a
    /// policy must spell it that way). Checked when the policy is built.
    pub fn custom(name: impl Into<String>) -> Self {
        Self::Custom(name.into())
    }

    /// The field name as written in the policy and the form.
    pub fn name(&self) -> &str {
        match self {
            Self::Bucket => "bucket",
            Self::Key => KEY,
            Self::ContentType => "Content-Type",
            Self::CacheControl => "Cache-Control",
            Self::ContentDisposition => "Content-Disposition",
            Self::ContentEncoding => "Content-Encoding",
            Self::Expires => "Expires",
            Self::SuccessActionStatus => "success_action_status",
            Self::SuccessActionRedirect => "success_action_redirect",
            Self::ObjectAcl => "x-oss-object-acl",
            Self::StorageClass => "x-oss-storage-class",
            Self::ForbidOverwrite => "x-oss-forbid-overwrite",
            Self::ServerSideEncryption => "x-oss-server-side-encryption",
            Self::OssContentType => "x-oss-content-type",
            Self::Callback => "callback",
            Self::Meta(name) | Self::Custom(name) => name,
        }
    }

    /// Whether the browser posts this field (all but `bucket`).
    pub(crate) fn is_form_field(&self) -> bool {
        !self.is_bucket()
    }

    pub(crate) fn is_bucket(&self) -> bool {
        self.name().eq_ignore_ascii_case("bucket")
    }

    /// Checks the name: non-empty, no whitespace or control characters, no `$` prefix, not
    /// owned by the signer, and a non-empty metadata suffix.
    pub(crate) fn check(&self) -> Result<()> {
        let name = self.name();
        let reason = if name.is_empty() {
            Some("it is empty")
        } else if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
            Some("it contains whitespace or control characters")
        } else if name.starts_with('$') {
            Some("write the bare name: the '$' is added in the policy")
        } else if matches!(self, Self::Meta(n) if n.len() == "x-oss-meta-".len()) {
            Some("the metadata name after x-oss-meta- is empty")
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(Error::InvalidFieldName { name: name.to_owned(), reason });
        }
        if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name)) {
            return Err(Error::ReservedField { name: name.to_owned() });
        }
        Ok(())
    }

    /// The values OSS accepts for fields with a fixed set, by lower-case name.
    pub(crate) fn allowed_values(&self) -> Option<(&'static [&'static str], &'static str)> {
        let name = self.name().to_ascii_lowercase();
        Some(match name.as_str() {
            "success_action_status" => (&["200", "201", "204"], "200, 201 or 204"),
            "x-oss-object-acl" => (
                &["default", "private", "public-read", "public-read-write"],
                "default, private, public-read or public-read-write",
            ),
            "x-oss-storage-class" => (
                &["Standard", "IA", "Archive", "ColdArchive", "DeepColdArchive"],
                "Standard, IA, Archive, ColdArchive or DeepColdArchive",
            ),
            "x-oss-forbid-overwrite" => (&["true", "false"], "true or false"),
            "x-oss-server-side-encryption" => (&["AES256", "KMS", "SM4"], "AES256, KMS or SM4"),
            _ => return None,
        })
    }

    fn check_value(&self, value: &str) -> Result<()> {
        match self.allowed_values() {
            Some((allowed, expected)) if !allowed.contains(&value) => {
                Err(Error::InvalidFieldValue { field: self.name().to_owned(), value: value.to_owned(), expected })
            }
            _ => Ok(()),
        }
    }

    fn same_as(&self, other: &Self) -> bool {
        self.name().eq_ignore_ascii_case(other.name())
    }
}

/// `success_action_status`: the HTTP status OSS answers a successful upload with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SuccessActionStatus {
    /// `200`, empty body.
    Ok,
    /// `201`, XML `PostResponse` body.
    Created,
    /// `204`, empty body (OSS's default).
    NoContent,
}

impl SuccessActionStatus {
    /// `"200"`, `"201"` or `"204"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "200",
            Self::Created => "201",
            Self::NoContent => "204",
        }
    }
}

/// `x-oss-object-acl` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ObjectAcl {
    /// `default`: inherit the bucket ACL.
    Default,
    /// `private`.
    Private,
    /// `public-read`.
    PublicRead,
    /// `public-read-write`.
    PublicReadWrite,
}

impl ObjectAcl {
    /// The wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::Private => "private",
            Self::PublicRead => "public-read",
            Self::PublicReadWrite => "public-read-write",
        }
    }
}

/// `x-oss-storage-class` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StorageClass {
    /// `Standard`.
    Standard,
    /// `IA` (infrequent access).
    InfrequentAccess,
    /// `Archive`.
    Archive,
    /// `ColdArchive`.
    ColdArchive,
    /// `DeepColdArchive`.
    DeepColdArchive,
}

impl StorageClass {
    /// The wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "Standard",
            Self::InfrequentAccess => "IA",
            Self::Archive => "Archive",
            Self::ColdArchive => "ColdArchive",
            Self::DeepColdArchive => "DeepColdArchive",
        }
    }
}

/// `x-oss-server-side-encryption` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerSideEncryption {
    /// `AES256`: OSS-managed keys.
    Aes256,
    /// `KMS`: keys in KMS.
    Kms,
    /// `SM4`.
    Sm4,
}

impl ServerSideEncryption {
    /// The wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Aes256 => "AES256",
            Self::Kms => "KMS",
            Self::Sm4 => "SM4",
        }
    }
}

/// One element of a policy's `conditions` list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Condition {
    /// `{"field": "value"}`: the field must equal the value.
    Exact {
        /// The field.
        field: Field,
        /// The required value.
        value: String,
    },
    /// `["eq", "$field", "value"]`: the field must equal the value.
    Eq {
        /// The field.
        field: Field,
        /// The required value.
        value: String,
    },
    /// `["starts-with", "$field", "prefix"]`.
    StartsWith {
        /// The field.
        field: Field,
        /// The required prefix (empty: any value, but the field must be sent).
        prefix: String,
    },
    /// `["content-length-range", min, max]`: file size in bytes, both ends inclusive.
    ContentLengthRange {
        /// Smallest size allowed.
        min: u64,
        /// Largest size allowed.
        max: u64,
    },
    /// `["in", "$field", [values]]`: the field must be one of the values.
    In {
        /// The field.
        field: Field,
        /// The allowed values.
        values: Vec<String>,
    },
    /// `["not-in", "$field", [values]]`: the field must be none of the values.
    NotIn {
        /// The field.
        field: Field,
        /// The refused values.
        values: Vec<String>,
    },
}

impl Condition {
    /// The field constrained, if any (`content-length-range` has none).
    pub fn field(&self) -> Option<&Field> {
        match self {
            Self::Exact { field, .. }
            | Self::Eq { field, .. }
            | Self::StartsWith { field, .. }
            | Self::In { field, .. }
            | Self::NotIn { field, .. } => Some(field),
            Self::ContentLengthRange { .. } => None,
        }
    }

    /// Every string value the condition compares with.
    pub(crate) fn values(&self) -> &[String] {
        match self {
            Self::Exact { value, .. } | Self::Eq { value, .. } | Self::StartsWith { prefix: value, .. } => {
                std::slice::from_ref(value)
            }
            Self::In { values, .. } | Self::NotIn { values, .. } => values,
            Self::ContentLengthRange { .. } => &[],
        }
    }

    /// The value this condition pins the field to, for exact matches.
    pub(crate) fn fixed_value(&self) -> Option<&str> {
        match self {
            Self::Exact { value, .. } | Self::Eq { value, .. } => Some(value),
            _ => None,
        }
    }

    /// Checks the condition on its own: field name, value sets, bounds, empty lists.
    pub(crate) fn check(&self) -> Result<()> {
        if let Some(field) = self.field() {
            field.check()?;
        }
        match self {
            Self::Exact { field, value } | Self::Eq { field, value } => field.check_value(value),
            Self::In { field, values } | Self::NotIn { field, values } => {
                if values.is_empty() {
                    return Err(Error::EmptyValueList { operator: self.operator(), field: field.name().to_owned() });
                }
                if matches!(self, Self::In { .. }) {
                    values.iter().try_for_each(|v| field.check_value(v))?;
                }
                Ok(())
            }
            Self::ContentLengthRange { min, max } if min > max => {
                Err(Error::InvalidContentLengthRange { min: *min, max: *max })
            }
            Self::StartsWith { .. } | Self::ContentLengthRange { .. } => Ok(()),
        }
    }

    /// Refuses `later` if it cannot hold together with `self`.
    pub(crate) fn check_compatible(&self, later: &Self) -> Result<()> {
        let conflict = match (self, later) {
            (Self::ContentLengthRange { .. }, Self::ContentLengthRange { .. }) => self != later,
            _ => match (self.field(), later.field()) {
                (Some(a), Some(b)) if a.same_as(b) => !Self::agree(self, later) || !Self::agree(later, self),
                _ => false,
            },
        };
        if conflict {
            let name = self.field().map_or("content-length-range", Field::name).to_owned();
            return Err(Error::ConflictingConditions { field: name, first: self.render(), second: later.render() });
        }
        Ok(())
    }

    /// Whether a fixed value in `a` satisfies `b` (true when `a` fixes nothing).
    fn agree(a: &Self, b: &Self) -> bool {
        let Some(v) = a.fixed_value() else { return true };
        match b {
            Self::Exact { value, .. } | Self::Eq { value, .. } => v == value,
            Self::StartsWith { prefix, .. } => v.starts_with(prefix.as_str()),
            Self::In { values, .. } => values.iter().any(|x| x == v),
            Self::NotIn { values, .. } => values.iter().all(|x| x != v),
            Self::ContentLengthRange { .. } => true,
        }
    }

    /// The operator as written in the policy (`eq` for the map form).
    pub fn operator(&self) -> &'static str {
        match self {
            Self::Exact { .. } | Self::Eq { .. } => "eq",
            Self::StartsWith { .. } => "starts-with",
            Self::ContentLengthRange { .. } => "content-length-range",
            Self::In { .. } => "in",
            Self::NotIn { .. } => "not-in",
        }
    }

    /// The condition as policy JSON, without dollar escaping (for messages).
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out, false);
        out
    }

    /// Appends the condition's policy JSON.
    pub(crate) fn write_json(&self, out: &mut String, escape_dollar: bool) {
        match self {
            Self::Exact { field, value } => {
                out.push('{');
                json::push_str(out, field.name(), false);
                out.push(':');
                json::push_str(out, value, escape_dollar);
                out.push('}');
            }
            Self::Eq { field, value: v } | Self::StartsWith { field, prefix: v } => {
                self.write_head(out, field);
                json::push_str(out, v, escape_dollar);
                out.push(']');
            }
            Self::In { field, values } | Self::NotIn { field, values } => {
                self.write_head(out, field);
                out.push('[');
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    json::push_str(out, v, escape_dollar);
                }
                out.push_str("]]");
            }
            Self::ContentLengthRange { min, max } => {
                use std::fmt::Write as _;
                write!(out, "[\"content-length-range\",{min},{max}]").expect("writing to a String cannot fail");
            }
        }
    }

    fn write_head(&self, out: &mut String, field: &Field) {
        out.push_str("[\"");
        out.push_str(self.operator());
        out.push_str("\",");
        let name: Cow<'_, str> = Cow::Owned(format!("${}", field.name()));
        json::push_str(out, &name, false);
        out.push(',');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eq(field: Field, v: &str) -> Condition {
        Condition::Eq { field, value: v.into() }
    }

    #[test]
    fn json_shapes_match_the_oss_policy_appendix() {
        // Shapes from the seed's policy sample and the OSS Post Policy appendix.
        let cases = [
            (Condition::Exact { field: Field::Bucket, value: "examplebucket".into() }, r#"{"bucket":"examplebucket"}"#),
            (Condition::ContentLengthRange { min: 1, max: 10 }, r#"["content-length-range",1,10]"#),
            (eq(Field::SuccessActionStatus, "201"), r#"["eq","$success_action_status","201"]"#),
            (
                Condition::StartsWith { field: Field::Key, prefix: "user/eric/".into() },
                r#"["starts-with","$key","user/eric/"]"#,
            ),
            (
                Condition::In {
                    field: Field::custom("content-type"),
                    values: vec!["image/jpeg".into(), "image/png".into()],
                },
                r#"["in","$content-type",["image/jpeg","image/png"]]"#,
            ),
            (
                Condition::NotIn { field: Field::custom("cache-control"), values: vec!["no-cache".into()] },
                r#"["not-in","$cache-control",["no-cache"]]"#,
            ),
            (Condition::Exact { field: Field::meta("tag"), value: "a\"b".into() }, r#"{"x-oss-meta-tag":"a\"b"}"#),
        ];
        for (cond, want) in cases {
            assert_eq!(cond.render(), want);
        }
    }

    #[test]
    fn reserved_and_malformed_field_names_are_refused() {
        for name in
            ["x-oss-date", "X-OSS-Credential", "policy", "Signature", "OSSAccessKeyId", "file", "x-oss-security-token"]
        {
            assert_eq!(eq(Field::custom(name), "v").check(), Err(Error::ReservedField { name: name.into() }));
        }
        for name in ["", "a b", "a\tb", "a\u{0}", "$key", "x\u{2028}y"] {
            assert!(
                matches!(eq(Field::custom(name), "v").check(), Err(Error::InvalidFieldName { name: ref n, .. }) if n == name),
                "{name:?} accepted"
            );
        }
        assert!(matches!(eq(Field::meta(""), "v").check(), Err(Error::InvalidFieldName { .. })));
        assert_eq!(Field::meta("x-oss-meta-a").name(), "x-oss-meta-a");
    }

    #[test]
    fn enumerated_fields_check_their_values() {
        assert!(eq(Field::SuccessActionStatus, "200").check().is_ok());
        assert_eq!(
            eq(Field::SuccessActionStatus, "299").check(),
            Err(Error::InvalidFieldValue {
                field: "success_action_status".into(),
                value: "299".into(),
                expected: "200, 201 or 204"
            })
        );
        assert!(matches!(eq(Field::ObjectAcl, "Private").check(), Err(Error::InvalidFieldValue { .. })));
        assert!(matches!(
            eq(Field::custom("X-OSS-Storage-Class"), "Cold").check(),
            Err(Error::InvalidFieldValue { .. })
        ));
        assert!(matches!(
            Condition::In { field: Field::ServerSideEncryption, values: vec!["AES256".into(), "DES".into()] }.check(),
            Err(Error::InvalidFieldValue { value, .. }) if value == "DES"
        ));
        // starts-with and not-in do not pin a value, so they are not checked against the set.
        assert!(Condition::NotIn { field: Field::ObjectAcl, values: vec!["x".into()] }.check().is_ok());
    }

    #[test]
    fn ranges_and_lists_are_checked() {
        assert_eq!(
            Condition::ContentLengthRange { min: 10, max: 1 }.check(),
            Err(Error::InvalidContentLengthRange { min: 10, max: 1 })
        );
        assert!(Condition::ContentLengthRange { min: 0, max: 0 }.check().is_ok());
        assert_eq!(
            Condition::In { field: Field::ContentType, values: vec![] }.check(),
            Err(Error::EmptyValueList { operator: "in", field: "Content-Type".into() })
        );
    }

    #[test]
    fn conflicts_are_found_case_insensitively() {
        let a = eq(Field::ContentType, "image/png");
        let b = Condition::Exact { field: Field::custom("content-type"), value: "image/jpeg".into() };
        assert!(
            matches!(a.check_compatible(&b), Err(Error::ConflictingConditions { field, .. }) if field == "Content-Type")
        );
        assert!(a.check_compatible(&eq(Field::ContentType, "image/png")).is_ok());
        let prefix = Condition::StartsWith { field: Field::Key, prefix: "user/".into() };
        assert!(eq(Field::Key, "other/x").check_compatible(&prefix).is_err());
        assert!(prefix.check_compatible(&eq(Field::Key, "user/x")).is_ok());
        let not_in = Condition::NotIn { field: Field::ContentType, values: vec!["image/png".into()] };
        assert!(a.check_compatible(&not_in).is_err());
        let r1 = Condition::ContentLengthRange { min: 1, max: 2 };
        assert!(r1.check_compatible(&Condition::ContentLengthRange { min: 1, max: 3 }).is_err());
        assert!(r1.check_compatible(&r1.clone()).is_ok());
        // Different fields never conflict.
        assert!(a.check_compatible(&eq(Field::CacheControl, "x")).is_ok());
    }
}
