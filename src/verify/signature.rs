//! The trusted credentials' STS token and the signature over the exact `policy` text
//! (`docs/oss-rules.md` §4 and §5).

use super::auth::Auth;
use super::rejection::Rejection;
use super::scope::Scope;
use crate::credentials::Credentials;
use crate::region::Region;
use crate::signature::verify_v1;
use crate::signing_key::SigningKeyCache;

/// Checks `x-oss-security-token` against the credential and returns whether the form's token
/// field should be treated as absent.
///
/// - A credential with a token needs the same token in the form: missing gives
///   `InvalidAccessKeyId` ([TS]: a temporary AccessKey without its token), different gives
///   `InvalidSecurityToken` [UNVERIFIED for PostObject].
/// - A credential without a token: our decision, an EMPTY token field is treated as absent,
///   because the browser page of Alibaba's direct-upload guide always posts
///   `x-oss-security-token` (as `""` when the signer had no STS token). A non-empty one gives
///   `InvalidSecurityToken` [UNVERIFIED].
///
/// Tokens are compared in constant time and never put into a rejection.
pub(crate) fn check_token(form_token: Option<&str>, credentials: &Credentials) -> Result<bool, Rejection> {
    match (credentials.security_token(), form_token) {
        (None, None) => Ok(false),
        (None, Some("")) => Ok(true),
        (Some(_), None | Some("")) => Err(Rejection::unknown_access_key_id()),
        (Some(want), Some(sent)) if same_token(want, sent) => Ok(false),
        // A token the credential lacks, or another one.
        (_, Some(_)) => Err(Rejection::invalid_security_token()),
    }
}

/// Whether two tokens are equal, in constant time: every byte pair is compared, with no
/// early exit, so the time depends on the lengths only.
fn same_token(want: &str, sent: &str) -> bool {
    let differences = want.bytes().zip(sent.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b));
    want.len() == sent.len() && std::hint::black_box(differences) == 0
}

/// Checks the signature over the exact `policy` text sent ([PO-EN], [V4], [SDK]); a mismatch
/// is 0002-00000705.
///
/// V1: `Signature = base64(HMAC-SHA1(AccessKeySecret, policy))`. V4: the signing key of
/// `(secret, sign date, region, product)` (from `keys`, derived there on first use), then
/// `x-oss-signature = hex(HMAC-SHA256(key, policy))`, 64 lower-case hex digits (whether OSS
/// accepts upper case is [UNVERIFIED]; this verifier does not). Both are compared in constant
/// time by `hmac`.
pub(crate) fn check_signature(
    auth: &Auth<'_>,
    scope: Option<&Scope<'_>>,
    credentials: &Credentials,
    region: &Region,
    keys: &SigningKeyCache,
) -> Result<(), Rejection> {
    let matches = match (auth, scope) {
        (Auth::V1 { policy, signature, .. }, _) => {
            verify_v1(credentials.access_key_secret(), policy.as_bytes(), signature)
        }
        (Auth::V4 { policy, signature, .. }, Some(scope)) => {
            keys.get(credentials, scope.date, region).verify(policy.as_bytes(), signature)
        }
        // Anonymous forms carry no signature; a V4 form always has a scope by now.
        _ => return Ok(()),
    };
    if matches { Ok(()) } else { Err(Rejection::signature_mismatch()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_equal_only_when_every_byte_is() {
        let token = "CAIS".repeat(150);
        assert!(same_token(&token, &token.clone()));
        for at in [0, 1, 299, 599] {
            let mut other = token.clone().into_bytes();
            other[at] ^= 1;
            assert!(!same_token(&token, std::str::from_utf8(&other).unwrap()), "byte {at}");
        }
        assert!(!same_token(&token, &token[..599]));
        assert!(!same_token(&token[..599], &token));
        assert!(!same_token("a", ""));
        assert!(same_token("", ""));
    }

    #[test]
    fn tokens_are_compared_whole() {
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd"));
        assert!(!same_token("abc", "ab"));
        assert!(!same_token("Abc", "abc"));
        assert!(same_token("", ""));
    }

    #[test]
    fn token_rules() {
        let plain = Credentials::example();
        let sts = Credentials::example().with_security_token("TOKEN").unwrap();
        assert_eq!(check_token(None, &plain), Ok(false));
        assert_eq!(check_token(Some(""), &plain), Ok(true), "an empty token from the guide's browser page is absent");
        assert_eq!(check_token(Some("X"), &plain).unwrap_err().code(), "InvalidSecurityToken");
        assert_eq!(check_token(Some("TOKEN"), &sts), Ok(false));
        assert_eq!(check_token(None, &sts).unwrap_err().code(), "InvalidAccessKeyId");
        assert_eq!(check_token(Some(""), &sts).unwrap_err().code(), "InvalidAccessKeyId");
        let wrong = check_token(Some("TOKEM"), &sts).unwrap_err();
        assert_eq!(wrong.code(), "InvalidSecurityToken");
        assert!(!wrong.to_string().contains("TOKE"));
    }

    #[test]
    fn signatures_match_the_public_vectors() {
        // public-vectors.json "alibaba-cloud-kit-v4-presign-post" and "aliyun-oss-elixir-v1".
        let kit_policy = "eyJjb25kaXRpb25zIjpbeyJidWNrZXQiOiJleGFtcGxlLWJ1Y2tldCJ9LHsieC1vc3Mtc2lnbmF0dXJlLXZlcnNpb24iOiJPU1M0LUhNQUMtU0hBMjU2In0seyJ4LW9zcy1jcmVkZW50aWFsIjoiYWNjZXNzX2tleV9pZC8yMDI0MDcxMy91cy13ZXN0LTEvb3NzL2FsaXl1bl92NF9yZXF1ZXN0In0seyJ4LW9zcy1kYXRlIjoiMjAyNDA3MTNUMTMzNDE0WiJ9LFsiZXEiLCIka2V5Iiwib2JqZWN0L3ByZXNpZ25fcG9zdF9vYmplY3QucG5nIl0sWyJlcSIsIiR4LW9zcy1vYmplY3QtYWNsIiwicHJpdmF0ZSJdLFsiY29udGVudC1sZW5ndGgtcmFuZ2UiLDEsMTA0ODU3NjAwXV0sImV4cGlyYXRpb24iOiIyMDI0LTA3LTEzVDE0OjM0OjE0WiJ9";
        let kit_sig = "43fb9eb04136cdaaab110bfb33c4c7daba4beebdad63889e7f3a460242596d04";
        let creds = Credentials::new("access_key_id", "access_key_secret").unwrap();
        let region = Region::new("us-west-1").unwrap();
        let scope = Scope { access_key_id: "access_key_id", date: time::macros::date!(2024 - 07 - 13) };
        let keys = SigningKeyCache::new();
        let v4 = |sig| Auth::V4 { credential: "", date: "", policy: kit_policy, signature: sig };
        assert_eq!(check_signature(&v4(kit_sig), Some(&scope), &creds, &region, &keys), Ok(()));
        let upper = kit_sig.to_ascii_uppercase();
        assert_eq!(
            check_signature(&v4(&upper), Some(&scope), &creds, &region, &keys).unwrap_err().ec(),
            Some("0002-00000705")
        );
        assert!(check_signature(&v4(&kit_sig[..62]), Some(&scope), &creds, &region, &keys).is_err());
        let elixir_policy = "eyJjb25kaXRpb25zIjpbWyJjb250ZW50LWxlbmd0aC1yYW5nZSIsMCwxMDQ4NTc2MF0seyJidWNrZXQiOiJhaGFoYSJ9LHsiQSI6ImEifSx7ImtleSI6IkFCQyJ9XSwiZXhwaXJhdGlvbiI6IjIwMTMtMTItMDFUMTI6MDA6MDBaIn0=";
        let v1 = |sig| Auth::V1 { access_key_id: "44CF9590006BF252F707", policy: elixir_policy, signature: sig };
        let example = Credentials::example();
        assert_eq!(check_signature(&v1("W835KpLsL6k1/oo28RcsEflB6hw="), None, &example, &region, &keys), Ok(()));
        assert!(check_signature(&v1("W835KpLsL6k1/oo28RcsEflB6hw"), None, &example, &region, &keys).is_err());
    }
}
