//! The RSA public key a callback request is checked with: OSS's own, built in, or one the
//! application supplies (`docs/oss-rules.md` §9.2).

use rsa::RsaPublicKey;
use rsa::pkcs1::DecodeRsaPublicKey as _;
use rsa::pkcs8::DecodePublicKey as _;
use rsa::traits::PublicKeyParts as _;

use super::CallbackRequestError;

/// Where OSS publishes the key it signs callback requests with (`callback_pub_key_v1.pem`).
pub const OSS_PUBLIC_KEY_URL: &str = "https://gosspublic.alicdn.com/callback_pub_key_v1.pem";

/// OSS's callback public key `callback_pub_key_v1.pem`: 512-bit RSA, e = 65537.
///
/// The same text is quoted in aliyun/aliyun-oss-python-sdk#272 and in
/// alphasnow/aliyun-oss-appserver-go `callback_test.go` (the response it mocks for
/// `https://gosspublic.alicdn.com/callback_pub_key_v1.pem`).
pub const OSS_PUBLIC_KEY_PEM: &str = "-----BEGIN PUBLIC KEY-----
MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAKs/JBGzwUB2aVht4crBx3oIPBLNsjGs
C0fTXv+nvlmklvkcolvpvXLTjaxUHR3W9LXxQ2EHXAJfCB+6H2YF1k8CAwEAAQ==
-----END PUBLIC KEY-----
";

/// Longest PEM text read (a 4096-bit key is about 800 bytes).
const MAX_PEM_LEN: usize = 16 * 1024;

/// A public key trusted to sign callback requests.
///
/// [`CallbackPublicKey::oss`] is OSS's key, built in, so that checking needs no network.
/// When OSS rotates its key, the `x-oss-pub-key-url` header names a new file under
/// `https://gosspublic.alicdn.com/`; the crate then answers
/// [`CallbackRequestError::UnknownPublicKey`] with that URL, and the application fetches the
/// PEM once (over HTTPS, from that host only), caches it, and passes it to
/// [`CallbackPublicKey::from_pem`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackPublicKey {
    key: RsaPublicKey,
    /// Whether this is OSS's built-in key (then the key URL must name its file).
    builtin: bool,
}

impl CallbackPublicKey {
    /// OSS's key `callback_pub_key_v1.pem` ([`OSS_PUBLIC_KEY_PEM`]). It parses the PEM: a
    /// server makes it once and shares it (it is `Clone`, `Send` and `Sync`).
    pub fn oss() -> Self {
        let key = RsaPublicKey::from_public_key_pem(OSS_PUBLIC_KEY_PEM).expect("the built-in PEM is a valid RSA key");
        Self { key, builtin: true }
    }

    /// A key from PEM text: `BEGIN PUBLIC KEY` (`SubjectPublicKeyInfo`, what OSS publishes) or
    /// `BEGIN RSA PUBLIC KEY` (PKCS#1). RSA keys of 512 to 4096 bits.
    ///
    /// # Errors
    /// [`CallbackRequestError::InvalidPublicKey`] for text over 16 KB, another PEM label, bad
    /// base64 or DER, or a key the `rsa` crate refuses (over 4096 bits, even modulus, ...).
    pub fn from_pem(pem: &str) -> Result<Self, CallbackRequestError> {
        let invalid = |reason| CallbackRequestError::InvalidPublicKey { reason };
        if pem.len() > MAX_PEM_LEN {
            return Err(invalid("the PEM text is over 16 KB"));
        }
        let pem = pem.trim();
        let key = if pem.starts_with("-----BEGIN PUBLIC KEY-----") {
            RsaPublicKey::from_public_key_pem(pem).map_err(|_| invalid("not an RSA SubjectPublicKeyInfo PEM"))?
        } else if pem.starts_with("-----BEGIN RSA PUBLIC KEY-----") {
            RsaPublicKey::from_pkcs1_pem(pem).map_err(|_| invalid("not a PKCS#1 RSA public key PEM"))?
        } else {
            return Err(invalid("expected -----BEGIN PUBLIC KEY----- or -----BEGIN RSA PUBLIC KEY-----"));
        };
        if key.size() < 64 {
            return Err(invalid("the key is shorter than 512 bits"));
        }
        Ok(Self { key, builtin: false })
    }

    /// The modulus length in bits (512 for OSS's key).
    pub fn bits(&self) -> usize {
        self.key.n().bits()
    }

    /// Whether this is OSS's built-in key.
    pub fn is_oss(&self) -> bool {
        self.builtin
    }

    pub(crate) fn rsa(&self) -> &RsaPublicKey {
        &self.key
    }
}
