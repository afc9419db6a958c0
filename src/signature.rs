//! The two signature versions of a POST form, and V1's HMAC-SHA1 over the secret.
//!
//! V4 signs with a derived key ([`crate::signing_key`]); V1, which OSS still returns in older
//! APIs such as the Cloud Backup API `CreateTempFileUploadUrl`, signs with the AccessKey secret
//! itself: `Signature = base64(HMAC-SHA1(AccessKeySecret, base64 policy))` (\[V1\]).

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

/// `x-oss-signature-version` of V4 forms.
pub(crate) const ALGORITHM_V4: &str = "OSS4-HMAC-SHA256";

/// Which signature a form carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SignatureVersion {
    /// OSS4-HMAC-SHA256, the default: OSS accepts only V4 from new customers (since
    /// 2025-03-01) and for new buckets (since 2025-09-01).
    #[default]
    V4,
    /// Legacy HMAC-SHA1.
    V1,
}

// As V4's keyed state (`signing_key`), V1's, keyed with the secret itself, is wiped when
// dropped: its two SHA-1 cores zeroize themselves (the `zeroize` feature of `sha1`).
const _: fn() = || {
    fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
    wiped_on_drop::<<Sha1 as sha1::digest::block_api::CoreProxy>::Core>();
};

fn keyed_v1(secret: &str) -> Hmac<Sha1> {
    Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length")
}

/// V1 `Signature`: base64(HMAC-SHA1(AccessKeySecret, string to sign)).
pub(crate) fn sign_v1(secret: &str, string_to_sign: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(keyed_v1(secret).chain_update(string_to_sign).finalize().into_bytes())
}

/// Whether `signature` (base64) is the V1 signature of `string_to_sign`, compared in constant
/// time.
pub(crate) fn verify_v1(secret: &str, string_to_sign: &[u8], signature: &str) -> bool {
    let mut bytes = [0u8; 20];
    matches!(base64::engine::general_purpose::STANDARD.decode_slice(signature, &mut bytes), Ok(20))
        && keyed_v1(secret).chain_update(string_to_sign).verify_slice(&bytes).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    // tests/vectors/public-vectors.json "aliyun-oss-elixir-v1" (ug0/aliyun_oss), the OSS
    // documentation's classic key pair.
    const SECRET: &str = "OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV";
    const POLICY: &str = "eyJjb25kaXRpb25zIjpbWyJjb250ZW50LWxlbmd0aC1yYW5nZSIsMCwxMDQ4NTc2MF0seyJidWNrZXQiOiJhaGFoYSJ9LHsiQSI6ImEifSx7ImtleSI6IkFCQyJ9XSwiZXhwaXJhdGlvbiI6IjIwMTMtMTItMDFUMTI6MDA6MDBaIn0=";
    const SIGNATURE: &str = "W835KpLsL6k1/oo28RcsEflB6hw=";

    #[test]
    fn v1_signature_matches_the_public_vector() {
        assert_eq!(sign_v1(SECRET, POLICY.as_bytes()), SIGNATURE);
        assert!(verify_v1(SECRET, POLICY.as_bytes(), SIGNATURE));
    }

    #[test]
    fn v1_verification_refuses_anything_else() {
        assert!(!verify_v1("other", POLICY.as_bytes(), SIGNATURE));
        assert!(!verify_v1(SECRET, b"other", SIGNATURE));
        for bad in [
            "",
            "W835KpLsL6k1/oo28RcsEflB6hw",
            "W835KpLsL6k1/oo28RcsEflB6hx=",
            "W835KpLsL6k1/oo28RcsEflB6hw==",
            "not base64",
        ] {
            assert!(!verify_v1(SECRET, POLICY.as_bytes(), bad), "{bad:?}");
        }
    }
}
