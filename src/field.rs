//! Form fields: their wire names (defined here once), the typed [`Field`] a condition
//! constrains, and the fields with a fixed set of values.

use std::hash::{Hash, Hasher};

use crate::error::{Error, Result};

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
/// `bucket`, compared by OSS with the target bucket.
pub(crate) const BUCKET: &str = "bucket";
/// `callback`, the base64 upload-callback configuration.
pub(crate) const CALLBACK: &str = "callback";
/// The prefix of user metadata fields.
pub(crate) const META_PREFIX: &str = "x-oss-meta-";
/// The prefix of callback custom variables.
pub(crate) const CALLBACK_VAR_PREFIX: &str = "x:";

/// Field names the signer owns: a policy cannot set them (compared case-insensitively).
const RESERVED: [&str; 10] = [
    SIGNATURE_VERSION,
    CREDENTIAL,
    DATE,
    SIGNATURE_V4,
    SECURITY_TOKEN,
    "x-oss-access-key-id",
    POLICY,
    ACCESS_KEY_ID_V1,
    SIGNATURE_V1,
    FILE,
];

/// What `Debug` shows instead of a secret.
pub(crate) const REDACTED: &str = "<redacted>";

/// Fields whose values `Debug` never shows (compared case-insensitively): the STS token; the
/// signatures, which with their policy let anyone upload until it expires; and the policy,
/// which holds the STS token verbatim (one rule for every policy: a submitted one may carry a
/// token its form does not). S3-compatible spellings too, as a submission may carry them.
const SECRET_FIELDS: [&str; 6] =
    [POLICY, SIGNATURE_V4, SIGNATURE_V1, SECURITY_TOKEN, "x-amz-signature", "x-amz-security-token"];

/// The value `Debug` shows for field `name`: [`REDACTED`] for a non-empty value of a secret
/// field, the value otherwise (an empty one hides nothing and explains a "blank" rejection).
pub(crate) fn debug_value<'a>(name: &str, value: &'a str) -> &'a str {
    if !value.is_empty() && SECRET_FIELDS.iter().any(|s| s.eq_ignore_ascii_case(name)) { REDACTED } else { value }
}

/// A form field a condition can constrain.
///
/// Field names are compared as OSS compares them, ignoring ASCII case: `Field::ContentType`,
/// `Field::custom("content-type")` and `Field::Custom("CONTENT-TYPE".into())` are equal, and a
/// policy holds at most one of them. The name written into the policy is the one you chose.
///
/// Which content type? Constrain [`Field::ContentType`] (`Content-Type`), the form field
/// browsers and the SDKs post; [`Field::custom`]`("content-type")` is the same field spelled in
/// lower case, for reproducing a policy written that way. A condition checks that form field
/// only: the object's stored type is `x-oss-content-type` if sent, else the file part's own
/// `Content-Type`, else the field (`docs/oss-rules.md` §1). To restrict the stored type,
/// constrain [`Field::OssContentType`]:
/// [`PostPolicyBuilder::content_type_in`](crate::PostPolicyBuilder::content_type_in), or `eq`
/// to pin one type (the form then carries it); an `in` list on `Content-Type` limits what an
/// honest browser sends, not what a hand-made request stores.
///
/// ```
/// use oss_post_policy::Field;
///
/// assert_eq!(Field::ContentType.name(), "Content-Type");
/// assert_eq!(Field::custom("content-type"), Field::ContentType);
/// assert_eq!(Field::meta("uid").name(), "x-oss-meta-uid");
/// assert_eq!(Field::custom("key"), Field::Key);
/// ```
#[derive(Debug, Clone, Eq)]
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
    /// `success_action_status`: one of [`SuccessActionStatus::VALUES`].
    SuccessActionStatus,
    /// `success_action_redirect`.
    SuccessActionRedirect,
    /// `x-oss-object-acl`: one of [`ObjectAcl::VALUES`].
    ObjectAcl,
    /// `x-oss-storage-class`: one of [`StorageClass::VALUES`].
    StorageClass,
    /// `x-oss-forbid-overwrite`: `true` or `false`.
    ForbidOverwrite,
    /// `x-oss-server-side-encryption`: one of [`ServerSideEncryption::VALUES`].
    ServerSideEncryption,
    /// `x-oss-content-type`: the stored type, winning over the file part's `Content-Type`
    /// and the `Content-Type` field.
    OssContentType,
    /// `callback`: the base64 upload-callback configuration.
    Callback,
    /// Any other field by name (`x-oss-meta-*`, `x:*`, ...), checked when the policy is built.
    Custom(String),
}

/// Every named field (all variants but `Custom`).
const NAMED: [Field; 15] = [
    Field::Bucket,
    Field::Key,
    Field::ContentType,
    Field::CacheControl,
    Field::ContentDisposition,
    Field::ContentEncoding,
    Field::Expires,
    Field::SuccessActionStatus,
    Field::SuccessActionRedirect,
    Field::ObjectAcl,
    Field::StorageClass,
    Field::ForbidOverwrite,
    Field::ServerSideEncryption,
    Field::OssContentType,
    Field::Callback,
];

/// The values of `x-oss-forbid-overwrite`.
const BOOLEAN_VALUES: &[&str] = &["true", "false"];

impl Field {
    /// User metadata `x-oss-meta-{name}` (the prefix is added unless already there).
    pub fn meta(name: &str) -> Self {
        if name.starts_with(META_PREFIX) {
            Self::Custom(name.to_owned())
        } else {
            Self::Custom(format!("{META_PREFIX}{name}"))
        }
    }

    /// A field by name, as written in the form (e.g. `x:user-id`). A name spelled exactly as a
    /// named field (`key`, `Content-Type`, ...) gives that field. Checked when the policy is
    /// built.
    pub fn custom(name: impl Into<String>) -> Self {
        let name = name.into();
        NAMED.iter().find(|field| field.name() == name).map_or(Self::Custom(name), Clone::clone)
    }

    /// The field name as written in the policy and the form.
    pub fn name(&self) -> &str {
        match self {
            Self::Bucket => BUCKET,
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
            Self::Callback => CALLBACK,
            Self::Custom(name) => name,
        }
    }

    /// The named field this is, whatever the spelling (`Custom("content-type")` is
    /// `ContentType`); `None` for other custom fields.
    fn named(&self) -> Option<&Self> {
        match self {
            Self::Custom(name) => Self::named_by_name(name),
            named => Some(named),
        }
    }

    /// The named field called `name`, in any ASCII case.
    pub(crate) fn named_by_name(name: &str) -> Option<&'static Self> {
        NAMED.iter().find(|field| field.name().eq_ignore_ascii_case(name))
    }

    /// Whether this is the `bucket` pseudo-field, which the browser does not post.
    pub(crate) fn is_bucket(&self) -> bool {
        self.name().eq_ignore_ascii_case(BUCKET)
    }

    /// Whether the signer owns this field (never one of the named fields).
    pub(crate) fn is_reserved(&self) -> bool {
        matches!(self, Self::Custom(name) if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name)))
    }

    /// Checks the name: non-empty, no whitespace or control characters, no `$` prefix, not
    /// owned by the signer, and a non-empty metadata suffix.
    pub(crate) fn check(&self) -> Result<()> {
        // The named fields' own names are well-formed.
        let Self::Custom(name) = self else { return Ok(()) };
        let reason = if name.is_empty() {
            Some("it is empty")
        } else if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
            Some("it contains whitespace or control characters")
        } else if name.starts_with('$') {
            Some("write the bare name: the '$' is added in the policy")
        } else if name.eq_ignore_ascii_case(META_PREFIX) {
            Some("the metadata name after x-oss-meta- is empty")
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(Error::InvalidFieldName { name: name.to_owned(), reason });
        }
        if self.is_reserved() {
            return Err(Error::ReservedField { name: name.to_owned() });
        }
        Ok(())
    }

    /// The values OSS accepts for a field with a fixed set.
    pub fn allowed_values(&self) -> Option<&'static [&'static str]> {
        Some(match self.named()? {
            Self::SuccessActionStatus => SuccessActionStatus::VALUES,
            Self::ObjectAcl => ObjectAcl::VALUES,
            Self::StorageClass => StorageClass::VALUES,
            Self::ForbidOverwrite => BOOLEAN_VALUES,
            Self::ServerSideEncryption => ServerSideEncryption::VALUES,
            _ => return None,
        })
    }

    /// Refuses a value outside the field's fixed set.
    pub(crate) fn check_value(&self, value: &str) -> Result<()> {
        match self.allowed_values() {
            Some(allowed) if !allowed.contains(&value) => Err(Error::InvalidFieldValue {
                field: self.name().to_owned(),
                value: value.to_owned(),
                expected: allowed.join(", "),
            }),
            _ => Ok(()),
        }
    }
}

/// Names compared as OSS compares them: ASCII case ignored.
impl PartialEq for Field {
    fn eq(&self, other: &Self) -> bool {
        self.name().eq_ignore_ascii_case(other.name())
    }
}

impl Hash for Field {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for b in self.name().bytes() {
            state.write_u8(b.to_ascii_lowercase());
        }
    }
}

/// An enum of the values a field accepts, each with its wire text, and the list of them.
macro_rules! wire_values {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value OSS accepts, as written in the form.
            pub const VALUES: &'static [&'static str] = &[$($wire),+];

            /// The value as written in the form.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire,)+
                }
            }
        }
    };
}

wire_values! {
    /// `success_action_status`: the HTTP status OSS answers a successful upload with.
    SuccessActionStatus {
        /// `200`, empty body.
        Ok = "200",
        /// `201`, XML `PostResponse` body.
        Created = "201",
        /// `204`, empty body (OSS's default).
        NoContent = "204",
    }
}

wire_values! {
    /// `x-oss-object-acl` values.
    ObjectAcl {
        /// `default`: inherit the bucket ACL.
        Default = "default",
        /// `private`.
        Private = "private",
        /// `public-read`.
        PublicRead = "public-read",
        /// `public-read-write`.
        PublicReadWrite = "public-read-write",
    }
}

wire_values! {
    /// `x-oss-storage-class` values.
    StorageClass {
        /// `Standard`.
        Standard = "Standard",
        /// `IA` (infrequent access).
        InfrequentAccess = "IA",
        /// `Archive`.
        Archive = "Archive",
        /// `ColdArchive`.
        ColdArchive = "ColdArchive",
        /// `DeepColdArchive`.
        DeepColdArchive = "DeepColdArchive",
    }
}

wire_values! {
    /// `x-oss-server-side-encryption` values.
    ServerSideEncryption {
        /// `AES256`: OSS-managed keys.
        Aes256 = "AES256",
        /// `KMS`: keys in KMS.
        Kms = "KMS",
        /// `SM4`.
        Sm4 = "SM4",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_field_round_trips_through_its_name() {
        for field in &NAMED {
            let same = std::mem::discriminant(&Field::custom(field.name())) == std::mem::discriminant(field);
            assert!(same, "{field:?}");
            assert_eq!(Field::Custom(field.name().to_uppercase()).named(), Some(field));
        }
        assert!(matches!(Field::custom("content-type"), Field::Custom(ref n) if n == "content-type"));
        assert_eq!(Field::custom("content-type").name(), "content-type", "the spelling chosen is kept");
    }

    #[test]
    fn names_compare_without_case() {
        use std::collections::HashSet;
        let set: HashSet<Field> =
            [Field::ContentType, Field::custom("content-type"), Field::Custom("CONTENT-TYPE".into())].into();
        assert_eq!(set.len(), 1);
        assert_ne!(Field::ContentType, Field::CacheControl);
        assert_eq!(Field::meta("a"), Field::meta("x-oss-meta-a"));
    }

    #[test]
    fn reserved_and_malformed_names_are_refused() {
        for name in
            ["x-oss-date", "X-OSS-Credential", "policy", "Signature", "OSSAccessKeyId", "file", "x-oss-security-token"]
        {
            assert_eq!(Field::custom(name).check(), Err(Error::ReservedField { name: name.into() }));
        }
        for name in ["", "a b", "a\tb", "a\u{0}", "$key", "x\u{2028}y", "x-oss-meta-", "X-OSS-META-"] {
            let err = Field::custom(name).check();
            assert!(matches!(err, Err(Error::InvalidFieldName { name: ref n, .. }) if n == name), "{name:?}: {err:?}");
        }
        // A metadata field written by hand gets the same check as one from `Field::meta`.
        assert!(matches!(Field::Custom("x-oss-meta-".into()).check(), Err(Error::InvalidFieldName { .. })));
        assert!(matches!(Field::meta("").check(), Err(Error::InvalidFieldName { .. })));
    }

    #[test]
    fn fixed_value_sets_come_from_the_enums() {
        assert_eq!(Field::SuccessActionStatus.allowed_values(), Some(&["200", "201", "204"][..]));
        assert_eq!(Field::custom("X-OSS-Storage-Class").allowed_values(), Some(StorageClass::VALUES));
        assert_eq!(Field::ForbidOverwrite.allowed_values(), Some(BOOLEAN_VALUES));
        assert_eq!(Field::Key.allowed_values(), None);
        assert_eq!(StorageClass::VALUES.len(), 5);
        assert_eq!(StorageClass::InfrequentAccess.as_str(), "IA");
        assert_eq!(
            Field::SuccessActionStatus.check_value("299"),
            Err(Error::InvalidFieldValue {
                field: "success_action_status".into(),
                value: "299".into(),
                expected: "200, 201, 204".into()
            })
        );
        assert!(matches!(Field::ObjectAcl.check_value("Private"), Err(Error::InvalidFieldValue { .. })));
        assert!(Field::ObjectAcl.check_value("private").is_ok());
    }
}
