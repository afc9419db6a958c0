//! The credentials a verifier trusts, found by the AccessKey id a form names.

use std::sync::Arc;

use crate::credentials::Credentials;

/// The credentials a verifier trusts, found by AccessKey id.
///
/// Implemented for one [`Credentials`] or `Arc<Credentials>` (matching its own id), for
/// slices, arrays and vectors of either, and for references to any implementor. A service
/// with many keys implements it over its own store.
///
/// [`Verifier::verify_at`](super::Verifier::verify_at) looks the id up once per form, right
/// before it checks the signature: after the layout, the policy and the time window, so a
/// form refused earlier is refused without a lookup. An unknown id is `InvalidAccessKeyId`.
///
/// ```
/// use std::sync::Arc;
/// use oss_post_policy::Credentials;
/// use oss_post_policy::verify::CredentialLookup;
///
/// let current = Arc::new(Credentials::new("LTAI-current", "secret-1")?);
/// let previous = Arc::new(Credentials::new("LTAI-previous", "secret-2")?);
/// let trusted = vec![current, previous];
/// assert!(trusted.lookup("LTAI-previous").is_some());
/// assert!(trusted.lookup("LTAI-other").is_none());
/// # Ok::<(), oss_post_policy::Error>(())
/// ```
pub trait CredentialLookup {
    /// The credentials for `access_key_id`, if trusted.
    fn lookup(&self, access_key_id: &str) -> Option<&Credentials>;
}

/// The credentials themselves if they carry `access_key_id`.
fn matching<'a>(credentials: &'a Credentials, access_key_id: &str) -> Option<&'a Credentials> {
    (credentials.access_key_id() == access_key_id).then_some(credentials)
}

impl CredentialLookup for Credentials {
    fn lookup(&self, access_key_id: &str) -> Option<&Credentials> {
        matching(self, access_key_id)
    }
}

impl CredentialLookup for Arc<Credentials> {
    fn lookup(&self, access_key_id: &str) -> Option<&Credentials> {
        matching(self, access_key_id)
    }
}

impl<T: AsRef<Credentials>> CredentialLookup for [T] {
    fn lookup(&self, access_key_id: &str) -> Option<&Credentials> {
        self.iter().find_map(|c| matching(c.as_ref(), access_key_id))
    }
}

impl<T: AsRef<Credentials>, const N: usize> CredentialLookup for [T; N] {
    fn lookup(&self, access_key_id: &str) -> Option<&Credentials> {
        self.as_slice().lookup(access_key_id)
    }
}

impl<T: AsRef<Credentials>> CredentialLookup for Vec<T> {
    fn lookup(&self, access_key_id: &str) -> Option<&Credentials> {
        self.as_slice().lookup(access_key_id)
    }
}

impl<T: CredentialLookup + ?Sized> CredentialLookup for &T {
    fn lookup(&self, access_key_id: &str) -> Option<&Credentials> {
        (**self).lookup(access_key_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_lookups() {
        let a = Credentials::new("A", "s").unwrap();
        let b = Credentials::new("B", "s").unwrap();
        assert!(a.lookup("A").is_some() && a.lookup("a").is_none());
        let list = vec![a.clone(), b.clone()];
        assert_eq!(list.lookup("B").map(Credentials::access_key_id), Some("B"));
        assert_eq!([a, b].lookup("A").map(Credentials::access_key_id), Some("A"));
        let slice: &[Credentials] = &list;
        assert!(slice.lookup("C").is_none());
        assert!((&slice).lookup("A").is_some());
    }

    #[test]
    fn shared_credentials_are_looked_up_alike() {
        let a = Arc::new(Credentials::new("A", "s").unwrap());
        let b = Arc::new(Credentials::new("B", "t").unwrap());
        assert_eq!(a.lookup("A").map(Credentials::access_key_secret), Some("s"));
        assert!(a.lookup("B").is_none());
        let list = vec![Arc::clone(&a), Arc::clone(&b)];
        assert_eq!(list.lookup("B").map(Credentials::access_key_secret), Some("t"));
        assert!(list.lookup("C").is_none());
        assert_eq!([Arc::clone(&a), b].lookup("A").map(Credentials::access_key_id), Some("A"));
        assert!((&&a).lookup("A").is_some());
        assert!(list.as_slice().lookup("A").is_some());
    }
}
