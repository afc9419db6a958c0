//! Which authentication a form carries, V4, V1 or none, and whether its fields are there
//! (`docs/oss-rules.md` §4 and §5).

use super::layout::FormView;
use super::rejection::Rejection;
use crate::field::{ACCESS_KEY_ID_V1, CREDENTIAL, DATE, POLICY, SIGNATURE_V1, SIGNATURE_V4, SIGNATURE_VERSION};
use crate::signature::ALGORITHM_V4;

/// `x-oss-signature-version` of OSS's V2 POST signature, which this verifier cannot check.
const ALGORITHM_OSS2: &str = "OSS2";
/// Fields of S3-compatible POST signatures (lower case), out of scope here.
const S3_FIELDS: [&str; 3] = ["awsaccesskeyid", "x-amz-algorithm", "x-amz-signature"];

/// The authentication a form carries, with its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auth<'a> {
    /// No `policy`, no signature: only public-read-write buckets accept it.
    Anonymous,
    /// `OSSAccessKeyId`, `policy`, `Signature`.
    V1 { access_key_id: &'a str, policy: &'a str, signature: &'a str },
    /// `x-oss-signature-version=OSS4-HMAC-SHA256`, `x-oss-credential`, `x-oss-date`,
    /// `x-oss-signature`, `policy`.
    V4 { credential: &'a str, date: &'a str, policy: &'a str, signature: &'a str },
}

impl<'a> Auth<'a> {
    /// The `policy` field, for signed forms.
    pub(crate) fn policy(&self) -> Option<&'a str> {
        match *self {
            Self::Anonymous => None,
            Self::V1 { policy, .. } | Self::V4 { policy, .. } => Some(policy),
        }
    }
}

fn is_blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// Picks the auth mode and checks its fields are present and not blank.
///
/// Dispatch ([EC-0002-00000701/703/706]): `x-oss-signature-version` absent means V1,
/// `OSS4-HMAC-SHA256` means V4, `OSS2` is OSS V2 (not checkable here), anything else is
/// 0002-00000701. V1 is all-or-none of `OSSAccessKeyId`, `policy`, `Signature` ([PO-EN]); none
/// of them means anonymous ([PO]: "a request without policy is considered anonymous").
pub(crate) fn detect<'a>(form: &FormView<'a>) -> Result<Auth<'a>, Rejection> {
    let policy = form.get(POLICY);
    match form.get(SIGNATURE_VERSION) {
        Some(ALGORITHM_V4) => {
            let signature = form.get(SIGNATURE_V4);
            let credential = form.get(CREDENTIAL);
            let date = form.get(DATE);
            let policy = policy.ok_or_else(Rejection::missing_policy)?;
            let signature = signature.ok_or_else(|| Rejection::missing_signature(SIGNATURE_V4))?;
            let credential = credential.ok_or_else(|| Rejection::missing_access_key_id(CREDENTIAL))?;
            let date = date.ok_or_else(|| Rejection::invalid_x_oss_date(None))?;
            if is_blank(policy) {
                return Err(Rejection::policy("0006-00000205", "the policy is blank."));
            }
            if is_blank(signature) {
                return Err(Rejection::blank_signature(SIGNATURE_V4));
            }
            if is_blank(credential) {
                return Err(Rejection::blank_access_key_id(CREDENTIAL));
            }
            Ok(Auth::V4 { credential, date, policy, signature })
        }
        Some(ALGORITHM_OSS2) => Err(Rejection::unsupported_signature("OSS V2 (OSS2)")),
        Some(other) => Err(Rejection::unsupported_signature_version(other)),
        None => {
            let access_key_id = form.get(ACCESS_KEY_ID_V1);
            let signature = form.get(SIGNATURE_V1);
            if policy.is_none() && access_key_id.is_none() && signature.is_none() {
                if S3_FIELDS.iter().any(|f| form.get(f).is_some()) {
                    return Err(Rejection::unsupported_signature("S3-compatible"));
                }
                return Ok(Auth::Anonymous);
            }
            let policy = policy.ok_or_else(Rejection::missing_policy)?;
            let signature = signature.ok_or_else(|| Rejection::missing_signature(SIGNATURE_V1))?;
            let access_key_id = access_key_id.ok_or_else(|| Rejection::missing_access_key_id(ACCESS_KEY_ID_V1))?;
            if is_blank(policy) {
                return Err(Rejection::policy("0006-00000205", "the policy is blank."));
            }
            if is_blank(signature) {
                return Err(Rejection::blank_signature(SIGNATURE_V1));
            }
            if is_blank(access_key_id) {
                return Err(Rejection::blank_access_key_id(ACCESS_KEY_ID_V1));
            }
            Ok(Auth::V1 { access_key_id, policy, signature })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::layout::layout;
    use crate::verify::options::VerifyOptions;
    use crate::verify::submission::{FilePart, Submission};

    fn with_form<R>(fields: &[(&str, &str)], f: impl FnOnce(&FormView<'_>) -> R) -> R {
        let sub = Submission::new()
            .with_field("key", "k")
            .with_fields(fields.iter().copied())
            .with_file(FilePart::new("a", 1));
        let view = layout(&sub, &VerifyOptions::default()).unwrap();
        f(&view)
    }

    fn detect_ec(fields: &[(&str, &str)]) -> Option<String> {
        with_form(fields, |v| detect(v).err().and_then(|r| r.ec().map(str::to_owned)))
    }

    #[test]
    fn dispatch_follows_the_signature_version() {
        assert!(with_form(&[], |v| detect(v).unwrap() == Auth::Anonymous));
        assert_eq!(detect_ec(&[("x-oss-signature-version", "2")]).as_deref(), Some("0002-00000701"));
        assert!(with_form(&[("x-oss-signature-version", "OSS2")], |v| detect(v).unwrap_err().ec().is_none()));
        assert_eq!(
            with_form(&[("AWSAccessKeyId", "a")], |v| detect(v).unwrap_err().code().to_owned()),
            "InvalidArgument"
        );
        let v4 = [
            ("policy", "P"),
            ("x-oss-signature-version", "OSS4-HMAC-SHA256"),
            ("x-oss-credential", "C"),
            ("x-oss-date", "D"),
            ("x-oss-signature", "S"),
        ];
        assert!(with_form(&v4, |v| detect(v).unwrap()
            == Auth::V4 { credential: "C", date: "D", policy: "P", signature: "S" }));
        let v1 = [("policy", "P"), ("OSSAccessKeyId", "A"), ("signature", "S")];
        assert!(with_form(&v1, |v| detect(v).unwrap() == Auth::V1 { access_key_id: "A", policy: "P", signature: "S" }));
    }

    #[test]
    fn v1_is_all_or_none() {
        assert_eq!(detect_ec(&[("OSSAccessKeyId", "A"), ("Signature", "S")]).as_deref(), Some("0002-00000702"));
        assert_eq!(detect_ec(&[("OSSAccessKeyId", "A"), ("policy", "P")]).as_deref(), Some("0002-00000703"));
        assert_eq!(detect_ec(&[("Signature", "S"), ("policy", "P")]).as_deref(), Some("0002-00000706"));
        assert_eq!(
            detect_ec(&[("OSSAccessKeyId", "A"), ("policy", "P"), ("Signature", " ")]).as_deref(),
            Some("0002-00000704")
        );
        assert_eq!(
            detect_ec(&[("OSSAccessKeyId", ""), ("policy", "P"), ("Signature", "S")]).as_deref(),
            Some("0002-00000707")
        );
        assert_eq!(
            detect_ec(&[("OSSAccessKeyId", "A"), ("policy", ""), ("Signature", "S")]).as_deref(),
            Some("0006-00000205")
        );
        // V4 fields without a version are read as V1 (no version means V1).
        assert_eq!(detect_ec(&[("policy", "P"), ("x-oss-signature", "S")]).as_deref(), Some("0002-00000703"));
    }

    #[test]
    fn v4_needs_all_its_fields() {
        let base = [("x-oss-signature-version", "OSS4-HMAC-SHA256")];
        assert_eq!(detect_ec(&base).as_deref(), Some("0002-00000702"));
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut f = base.to_vec();
            f.extend_from_slice(extra);
            detect_ec(&f)
        };
        assert_eq!(with(&[("policy", "P")]).as_deref(), Some("0002-00000703"));
        assert_eq!(with(&[("policy", "P"), ("x-oss-signature", "S")]).as_deref(), Some("0002-00000706"));
        let no_date = with_form(
            &[
                ("x-oss-signature-version", "OSS4-HMAC-SHA256"),
                ("policy", "P"),
                ("x-oss-signature", "S"),
                ("x-oss-credential", "C"),
            ],
            |v| detect(v).unwrap_err().argument_name().is_none(),
        );
        assert!(no_date);
        assert_eq!(
            with(&[("policy", "P"), ("x-oss-signature", ""), ("x-oss-credential", "C"), ("x-oss-date", "D")])
                .as_deref(),
            Some("0002-00000704")
        );
    }
}
