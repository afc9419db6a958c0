//! AccessKey credentials: id, secret and optional STS security token.

use std::fmt;

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Environment variable holding the AccessKey id (the name Alibaba's SDKs read).
pub const ENV_ACCESS_KEY_ID: &str = "OSS_ACCESS_KEY_ID";
/// Environment variable holding the AccessKey secret.
pub const ENV_ACCESS_KEY_SECRET: &str = "OSS_ACCESS_KEY_SECRET";
/// Environment variable holding the optional STS security token.
pub const ENV_SESSION_TOKEN: &str = "OSS_SESSION_TOKEN";

/// The example AccessKey id from Alibaba's OSS documentation. It is valid nowhere.
pub const EXAMPLE_ACCESS_KEY_ID: &str = "44CF9590006BF252F707";
/// The example AccessKey secret paired with [`EXAMPLE_ACCESS_KEY_ID`] in the OSS documentation.
pub const EXAMPLE_ACCESS_KEY_SECRET: &str = "OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV";

/// An AccessKey pair, optionally with an STS security token.
///
/// The secret and the token are zeroized on drop and never shown by `Debug`.
///
/// ```
/// use oss_post_policy::Credentials;
///
/// let creds = Credentials::new("LTAI-example", "s3cr3t-value")?.with_security_token("CAIS-token")?;
/// assert_eq!(creds.access_key_id(), "LTAI-example");
/// let shown = format!("{creds:?}");
/// assert!(!shown.contains("s3cr3t-value") && !shown.contains("CAIS-token"));
/// # Ok::<(), oss_post_policy::Error>(())
/// ```
#[derive(Clone)]
pub struct Credentials {
    access_key_id: String,
    access_key_secret: Zeroizing<String>,
    security_token: Option<Zeroizing<String>>,
    /// SHA-256 of the secret, computed once here so that [`crate::SigningKeyCache`] tells
    /// secrets apart (a rotated secret never reuses a stale key) without hashing, or keeping,
    /// the secret on every lookup.
    secret_fingerprint: Zeroizing<[u8; 32]>,
}

impl Credentials {
    /// Long-term (or STS temporary) AccessKey credentials without a security token.
    ///
    /// # Errors
    /// [`Error::InvalidAccessKeyId`] for an empty id or one holding `/`, whitespace or control
    /// characters (it is written into the `x-oss-credential` scope);
    /// [`Error::EmptyAccessKeySecret`] for an empty secret.
    pub fn new(access_key_id: impl Into<String>, access_key_secret: impl Into<String>) -> Result<Self> {
        let access_key_id = access_key_id.into();
        let access_key_secret = Zeroizing::new(access_key_secret.into());
        let reason = if access_key_id.is_empty() {
            Some("it is empty")
        } else if access_key_id.contains('/') {
            Some("it contains '/', which separates the credential scope")
        } else if access_key_id.chars().any(|c| c.is_whitespace() || c.is_control()) {
            Some("it contains whitespace or control characters")
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(Error::InvalidAccessKeyId { access_key_id, reason });
        }
        if access_key_secret.is_empty() {
            return Err(Error::EmptyAccessKeySecret);
        }
        let secret_fingerprint = Zeroizing::new(Sha256::digest(access_key_secret.as_bytes()).into());
        Ok(Self { access_key_id, access_key_secret, security_token: None, secret_fingerprint })
    }

    /// The same credentials with an STS security token, written as `x-oss-security-token`.
    ///
    /// # Errors
    /// [`Error::InvalidSecurityToken`] for an empty token or one holding control characters.
    pub fn with_security_token(mut self, token: impl Into<String>) -> Result<Self> {
        let token = Zeroizing::new(token.into());
        if token.is_empty() {
            return Err(Error::InvalidSecurityToken { reason: "it is empty" });
        }
        if token.chars().any(char::is_control) {
            return Err(Error::InvalidSecurityToken { reason: "it contains control characters" });
        }
        self.security_token = Some(token);
        Ok(self)
    }

    /// Reads `OSS_ACCESS_KEY_ID`, `OSS_ACCESS_KEY_SECRET` and, if set, `OSS_SESSION_TOKEN`.
    ///
    /// An empty `OSS_SESSION_TOKEN` counts as unset.
    ///
    /// # Errors
    /// [`Error::MissingEnvVar`] naming the first required variable that is unset or empty,
    /// [`Error::NonUnicodeEnvVar`], or the errors of [`Credentials::new`].
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(std::env::var)
    }

    /// The example pair from Alibaba's OSS documentation, for examples and tests. OSS rejects it.
    pub fn example() -> Self {
        Self::new(EXAMPLE_ACCESS_KEY_ID, EXAMPLE_ACCESS_KEY_SECRET).expect("the documented example pair is well-formed")
    }

    pub(crate) fn from_lookup(
        lookup: impl Fn(&'static str) -> std::result::Result<String, std::env::VarError>,
    ) -> Result<Self> {
        let read = |name: &'static str| -> Result<Option<String>> {
            match lookup(name) {
                Ok(v) if v.is_empty() => Ok(None),
                Ok(v) => Ok(Some(v)),
                Err(std::env::VarError::NotPresent) => Ok(None),
                Err(std::env::VarError::NotUnicode(_)) => Err(Error::NonUnicodeEnvVar { name }),
            }
        };
        let id = read(ENV_ACCESS_KEY_ID)?.ok_or(Error::MissingEnvVar { name: ENV_ACCESS_KEY_ID })?;
        let secret =
            Zeroizing::new(read(ENV_ACCESS_KEY_SECRET)?.ok_or(Error::MissingEnvVar { name: ENV_ACCESS_KEY_SECRET })?);
        let creds = Self::new(id, secret.as_str())?;
        match read(ENV_SESSION_TOKEN)? {
            Some(token) => creds.with_security_token(Zeroizing::new(token).as_str()),
            None => Ok(creds),
        }
    }

    /// The AccessKey id.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The AccessKey secret. Keep it out of logs.
    pub fn access_key_secret(&self) -> &str {
        &self.access_key_secret
    }

    /// The secret's fingerprint (SHA-256), the signing-key cache's notion of "same secret".
    pub(crate) fn secret_fingerprint(&self) -> &[u8; 32] {
        &self.secret_fingerprint
    }

    /// The STS security token, if any. Keep it out of logs.
    pub fn security_token(&self) -> Option<&str> {
        self.security_token.as_deref().map(String::as_str)
    }
}

/// So that `Credentials` and `Arc<Credentials>` are accepted alike.
impl AsRef<Credentials> for Credentials {
    fn as_ref(&self) -> &Credentials {
        self
    }
}

#[allow(clippy::missing_fields_in_debug, reason = "the secret's fingerprint is derived from the secret")]
impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"<redacted>")
            .field("security_token", &self.security_token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::env::VarError;

    fn env<'a>(vars: &'a [(&str, &str)]) -> impl Fn(&'static str) -> Result<String, VarError> + 'a {
        move |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned()).ok_or(VarError::NotPresent)
    }

    #[test]
    fn debug_never_shows_secret_or_token() {
        let creds = Credentials::new("AKID", "s3cr3t-value").unwrap().with_security_token("tok-value").unwrap();
        assert_eq!(
            format!("{creds:?}"),
            r#"Credentials { access_key_id: "AKID", access_key_secret: "<redacted>", security_token: Some("<redacted>") }"#
        );
        let plain = Credentials::new("AKID", "s3cr3t-value").unwrap();
        assert_eq!(
            format!("{plain:#?}"),
            "Credentials {\n    access_key_id: \"AKID\",\n    access_key_secret: \"<redacted>\",\n    security_token: None,\n}"
        );
    }

    #[test]
    fn from_env_reads_the_sdk_variable_names() {
        let creds = Credentials::from_lookup(env(&[
            ("OSS_ACCESS_KEY_ID", "id"),
            ("OSS_ACCESS_KEY_SECRET", "sec"),
            ("OSS_SESSION_TOKEN", "tok"),
        ]))
        .unwrap();
        assert_eq!((creds.access_key_id(), creds.access_key_secret()), ("id", "sec"));
        assert_eq!(creds.security_token(), Some("tok"));
        let no_token = Credentials::from_lookup(env(&[
            ("OSS_ACCESS_KEY_ID", "id"),
            ("OSS_ACCESS_KEY_SECRET", "sec"),
            ("OSS_SESSION_TOKEN", ""),
        ]))
        .unwrap();
        assert_eq!(no_token.security_token(), None);
    }

    #[test]
    fn from_env_names_the_missing_variable() {
        let err = Credentials::from_lookup(env(&[("OSS_ACCESS_KEY_SECRET", "sec")])).unwrap_err();
        assert_eq!(err, Error::MissingEnvVar { name: "OSS_ACCESS_KEY_ID" });
        let err =
            Credentials::from_lookup(env(&[("OSS_ACCESS_KEY_ID", "id"), ("OSS_ACCESS_KEY_SECRET", "")])).unwrap_err();
        assert_eq!(err, Error::MissingEnvVar { name: "OSS_ACCESS_KEY_SECRET" });
        let err = Credentials::from_lookup(|_| Err(VarError::NotUnicode("x".into()))).unwrap_err();
        assert_eq!(err, Error::NonUnicodeEnvVar { name: "OSS_ACCESS_KEY_ID" });
    }

    #[test]
    fn bad_ids_secrets_and_tokens_are_refused() {
        assert!(matches!(Credentials::new("", "s"), Err(Error::InvalidAccessKeyId { .. })));
        assert!(
            matches!(Credentials::new("a/b", "s"), Err(Error::InvalidAccessKeyId { access_key_id, .. }) if access_key_id == "a/b")
        );
        assert!(matches!(Credentials::new("a b", "s"), Err(Error::InvalidAccessKeyId { .. })));
        assert_eq!(Credentials::new("a", "").unwrap_err(), Error::EmptyAccessKeySecret);
        let c = Credentials::new("a", "s").unwrap();
        assert!(matches!(c.clone().with_security_token(""), Err(Error::InvalidSecurityToken { .. })));
        let err = c.with_security_token("SECRETVALUE\nX").unwrap_err();
        assert!(matches!(err, Error::InvalidSecurityToken { .. }));
        assert!(!err.to_string().contains("SECRETVALUE"));
    }
}
