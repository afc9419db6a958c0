//! The errors OSS answers a PostObject form with, one constructor per rule, grouped as in
//! `docs/oss-rules.md`. Each constructor names its source.

use std::fmt;

use super::rejection::{Rejection, code};
use super::submission::SSE_DATA;
use crate::error::Error;
use crate::field::{CREDENTIAL, DATE, Field, KEY, SIGNATURE_VERSION};

impl Rejection {
    // docs/oss-rules.md §1 and §2: layout and limits.

    /// EC page 0006-00000110 and the legacy `FieldItemTooLong` text.
    pub(crate) fn field_name_too_long() -> Self {
        Self::new(code::FIELD_ITEM_TOO_LONG, Some("0006-00000110"), "Your name of form field is too long.")
    }

    /// Doc 480528 states the 2 MB value limit; the EC (0006-00000111), the code and the message
    /// are [UNVERIFIED] (the code follows the name-limit error, the message is ours).
    pub(crate) fn field_value_too_long(name: &str) -> Self {
        Self::new(code::FIELD_ITEM_TOO_LONG, Some("0006-00000111"), "Your value of form field is too long.")
            .argument("FieldName", name)
    }

    /// EC page 0006-00000112 and the legacy text.
    pub(crate) fn pre_file_data_too_large() -> Self {
        Self::new(
            code::MAX_PRE_DATA_EXCEEDED,
            Some("0006-00000112"),
            "Your POST request fields preceding the upload file were too large.",
        )
    }

    /// Legacy `IncorrectNumberOfFilesInPOSTRequest` text (doc 600185). For a missing file the
    /// pages name EC 0006-00000104 or 0006-00000107; we use 104 [UNVERIFIED which one].
    pub(crate) fn no_file() -> Self {
        Self::new(
            code::INCORRECT_NUMBER_OF_FILES,
            Some("0006-00000104"),
            "POST requires exactly one file upload per request.",
        )
    }

    /// Legacy `IncorrectNumberOfFilesInPOSTRequest` text (doc 600185; EC not published).
    pub(crate) fn too_many_files() -> Self {
        Self::new(code::INCORRECT_NUMBER_OF_FILES, None, "POST requires exactly one file upload per request.")
    }

    /// EC page 0006-00000103 (file not last); the message is the legacy `InvalidArgument` text
    /// ([TS]) which OSS uses both for a missing `key` and for fields out of order.
    pub(crate) fn field_order(name: &str) -> Self {
        Self::new(
            code::INVALID_ARGUMENT,
            Some("0006-00000103"),
            "The bucket POST must contain the specified 'key'. If it is specified, please check the order of the fields",
        )
        .argument("FieldName", name)
    }

    /// Our decision: a field the verifier reads, sent twice, is refused rather than guessing
    /// which copy OSS would use. [UNVERIFIED] against OSS; message ours.
    pub(crate) fn duplicate_field(name: &str) -> Self {
        Self::new(code::INVALID_ARGUMENT, None, format!("The form field {name} is specified more than once."))
            .argument("FieldName", name)
    }

    // §4 and §5: authentication fields; §6: the time window.

    /// EC page 0002-00000701 (e.g. `x-oss-signature-version=2`); code and message [UNVERIFIED].
    pub(crate) fn unsupported_signature_version(value: &str) -> Self {
        Self::new(code::INVALID_ARGUMENT, Some("0002-00000701"), "The signature version in the request is invalid.")
            .argument(SIGNATURE_VERSION, value)
    }

    /// Our own: OSS V2 (`OSS2`) and S3-compatible POST signatures exist but are out of scope.
    pub(crate) fn unsupported_signature(what: &str) -> Self {
        Self::new(code::INVALID_ARGUMENT, None, format!("{what} POST signatures are not supported by this verifier."))
    }

    /// EC page 0002-00000702; message ours.
    pub(crate) fn missing_policy() -> Self {
        Self::new(code::INVALID_ARGUMENT, Some("0002-00000702"), "The policy form field is missing.")
    }

    /// EC page 0002-00000703; message ours.
    pub(crate) fn missing_signature(field: &str) -> Self {
        Self::new(code::INVALID_ARGUMENT, Some("0002-00000703"), format!("The {field} form field is missing."))
    }

    /// EC page 0002-00000704 with the legacy message "Post request signature is empty." (the
    /// EC-to-message mapping is inferred).
    pub(crate) fn blank_signature(field: &str) -> Self {
        Self::new(code::INVALID_ARGUMENT, Some("0002-00000704"), "Post request signature is empty.")
            .argument("FieldName", field)
    }

    /// EC page 0002-00000705 and the legacy text; the `SignatureDoesNotMatch` code and 403 are
    /// [UNVERIFIED] ([TS] prints it as `AccessDenied`).
    pub(crate) fn signature_mismatch() -> Self {
        Self::new(
            code::SIGNATURE_DOES_NOT_MATCH,
            Some("0002-00000705"),
            "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        )
    }

    /// EC page 0002-00000706 (V1 `OSSAccessKeyId` missing); for V4 we use it for a missing
    /// `x-oss-credential`, which carries the AccessKey id [inferred]. Message ours.
    pub(crate) fn missing_access_key_id(field: &str) -> Self {
        Self::new(code::INVALID_ARGUMENT, Some("0002-00000706"), format!("The {field} form field is missing."))
    }

    /// EC page 0002-00000707 with the legacy message "Post request accessKeyId is empty."
    /// (mapping inferred).
    pub(crate) fn blank_access_key_id(field: &str) -> Self {
        Self::new(code::INVALID_ARGUMENT, Some("0002-00000707"), "Post request accessKeyId is empty.")
            .argument("FieldName", field)
    }

    /// EC page 0002-00000708: the AccessKey id in `x-oss-credential` holds invalid characters
    /// such as `\t`. Message ours.
    pub(crate) fn invalid_credential_access_key_id(credential: &str) -> Self {
        Self::new(code::INVALID_ARGUMENT, Some("0002-00000708"), "The AccessKeyId in x-oss-credential is invalid.")
            .argument(CREDENTIAL, credential)
    }

    /// EC page 0002-00000709: the sign date is not `YYYYMMDD` "or too far from the current
    /// time". We also use it for a sign date on another day than `x-oss-date` and for an
    /// `x-oss-date` outside the time window [inferred]. Messages ours.
    pub(crate) fn invalid_sign_date(message: impl Into<String>, name: &str, value: &str) -> Self {
        Self::new(code::INVALID_ARGUMENT, Some("0002-00000709"), message).argument(name, value)
    }

    /// EC page 0002-00000710: `x-oss-credential` is not
    /// `<AccessKeyId>/YYYYMMDD/<region>/oss/aliyun_v4_request`. Message ours.
    pub(crate) fn invalid_credential(credential: &str) -> Self {
        Self::new(code::INVALID_ARGUMENT, Some("0002-00000710"), "The x-oss-credential in the request is invalid.")
            .argument(CREDENTIAL, credential)
    }

    /// EC page 0002-00000715, with OSS's code, message and argument.
    pub(crate) fn invalid_signing_region(credential: &str) -> Self {
        Self::new(code::INVALID_ARGUMENT, Some("0002-00000715"), "The signing region in credential is invalid.")
            .argument(CREDENTIAL, credential)
    }

    /// No EC page found for a missing or malformed `x-oss-date` [UNVERIFIED]; message ours.
    pub(crate) fn invalid_x_oss_date(value: Option<&str>) -> Self {
        match value {
            None => Self::new(code::INVALID_ARGUMENT, None, "The x-oss-date form field is missing."),
            Some(v) => {
                Self::new(code::INVALID_ARGUMENT, None, "The x-oss-date in the request is not YYYYMMDDTHHMMSSZ.")
                    .argument(DATE, v)
            }
        }
    }

    /// Legacy `InvalidAccessKeyId` text ([H400], [TS]); also what a temporary AccessKey gets
    /// without its security token ([TS]).
    pub(crate) fn unknown_access_key_id() -> Self {
        Self::new(
            code::INVALID_ACCESS_KEY_ID,
            None,
            "The OSS Access Key Id you provided does not exist in our records.",
        )
    }

    /// General OSS error for a wrong STS token; [UNVERIFIED] for PostObject.
    pub(crate) fn invalid_security_token() -> Self {
        Self::new(code::INVALID_SECURITY_TOKEN, None, "The security token you provided is invalid.")
    }

    /// Legacy text for a form without signature on a bucket that is not public-read-write ([TS]),
    /// also for a request without a signing parameter (a private bucket; OSS answers by the ACL).
    pub(crate) fn anonymous_denied() -> Self {
        Self::new(code::ACCESS_DENIED, None, "You have no right to access this object because of bucket acl.")
    }

    // §3: the policy document; §6: expiration; §7: the conditions.

    /// A policy-grammar error (EC pages 0006-000002xx). The `InvalidPolicyDocument` code is
    /// the legacy one for these [UNVERIFIED per EC]; the `Invalid Policy: ` prefix is OSS's
    /// legacy style, the detail is ours unless the caller quotes OSS.
    pub(crate) fn policy(ec: &'static str, detail: impl fmt::Display) -> Self {
        Self::new(code::INVALID_POLICY_DOCUMENT, Some(ec), format!("Invalid Policy: {detail}"))
    }

    /// A policy the crate's one reader ([`PolicyDocument::from_base64`]) refused, with the EC
    /// it names. Messages end with a period, as OSS writes them, except the JSON parser's
    /// details, which are quoted as they are.
    ///
    /// [`PolicyDocument::from_base64`]: crate::PolicyDocument::from_base64
    pub(crate) fn invalid_policy(err: Error) -> Self {
        match err {
            Error::InvalidPolicyDocument { ec, reason } => {
                let period = if reason.ends_with('.') || reason.starts_with("Invalid JSON: ") { "" } else { "." };
                Self::policy(ec, format_args!("{reason}{period}"))
            }
            // The reader returns no other error; OSS's catch-all EC if it ever did.
            other => Self::policy("0006-00000201", format_args!("{other}.")),
        }
    }

    /// EC page 0006-00000213 with OSS's code and message.
    pub(crate) fn policy_expired() -> Self {
        Self::new(code::ACCESS_DENIED, Some("0006-00000213"), "Invalid according to Policy: Policy expired.")
    }

    /// EC page 0006-00000226: a condition names a field the form lacks. The legacy
    /// `AccessDenied` text covers this case too ([TS]).
    pub(crate) fn condition_field_missing(rendered: &str) -> Self {
        Self::new(
            code::ACCESS_DENIED,
            Some("0006-00000226"),
            format!("Invalid according to Policy: Policy Condition failed: {rendered}"),
        )
    }

    /// EC page 0006-00000227 with OSS's code and message format.
    pub(crate) fn condition_failed(rendered: &str) -> Self {
        Self::new(
            code::ACCESS_DENIED,
            Some("0006-00000227"),
            format!("Invalid according to Policy: Policy Condition failed: {rendered}"),
        )
    }

    /// EC page 0006-00000003 and the legacy `EntityTooLarge` text.
    pub(crate) fn entity_too_large() -> Self {
        Self::new(
            code::ENTITY_TOO_LARGE,
            Some("0006-00000003"),
            "Your proposed upload exceeds the maximum allowed size.",
        )
    }

    /// EC page 0006-00000004 and the legacy `EntityTooSmall` text (sic).
    pub(crate) fn entity_too_small() -> Self {
        Self::new(
            code::ENTITY_TOO_SMALL,
            Some("0006-00000004"),
            "Your proposed upload smaller than the minimum allowed size.",
        )
    }

    /// Strict mode only (S3-like, our option): a form field no condition covers. Message in
    /// S3's style; OSS has no such error by default.
    pub(crate) fn extra_field(name: &str) -> Self {
        Self::new(code::ACCESS_DENIED, None, format!("Invalid according to Policy: Extra input fields: {name}"))
            .argument("FieldName", name)
    }

    /// Strict mode only (our option): a V4 policy that does not pin a signer field.
    pub(crate) fn unpinned_v4_field(name: &str) -> Self {
        Self::new(
            code::ACCESS_DENIED,
            None,
            format!("Invalid according to Policy: the policy has no condition on {name}"),
        )
        .argument("FieldName", name)
    }

    // §2, §8 and §9: field values.

    /// Legacy `InvalidEncryptionAlgorithmError` text ([H400]).
    pub(crate) fn invalid_encryption(value: &str) -> Self {
        Self::new(code::INVALID_ENCRYPTION, None, "The encryption algorithm specified is not valid.")
            .argument(Field::ServerSideEncryption.name(), value)
    }

    /// `InvalidDataEncryptionAlgorithmError` ([H400]; "…Supported value:SM4", the start of the
    /// message is ours).
    pub(crate) fn invalid_data_encryption(value: &str) -> Self {
        Self::new(
            code::INVALID_DATA_ENCRYPTION,
            None,
            "The data encryption algorithm specified is not valid. Supported value:SM4",
        )
        .argument(SSE_DATA, value)
    }

    /// A value outside a field's documented set (ACL, storage class, KMS key id without KMS).
    /// The code for these in PostObject is [UNVERIFIED]; message ours.
    pub(crate) fn invalid_field_value(name: &str, value: &str, expected: &str) -> Self {
        Self::new(code::INVALID_ARGUMENT, None, format!("The value of {name} is invalid: expected {expected}."))
            .argument(name, value)
    }

    /// [`Rejection::invalid_field_value`] for a field with a fixed set of values, listed as
    /// "a, b or c".
    pub(crate) fn not_one_of(name: &str, value: &str, allowed: &[&str]) -> Self {
        let expected = match allowed {
            [rest @ .., last] if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => allowed.join(", "),
        };
        Self::invalid_field_value(name, value, &expected)
    }

    /// Total `x-oss-meta-*` over 8 KB ([PO-EN] states the limit, not the error): the
    /// `MetadataTooLarge` code is [UNVERIFIED] (S3 analogy), message ours.
    pub(crate) fn metadata_too_large(total: usize) -> Self {
        Self::new(
            code::METADATA_TOO_LARGE,
            None,
            format!("Your metadata headers exceed the maximum allowed metadata size: {total} bytes, at most 8192."),
        )
    }

    /// `InvalidObjectName` ([H400]) for an object name that is empty or over 1023 bytes after
    /// `${filename}` expansion; message ours. `start` is the start of the expanded name (the
    /// verifier quotes at most 1024 characters, never building the rest).
    pub(crate) fn invalid_object_name(start: String) -> Self {
        Self::new(code::INVALID_OBJECT_NAME, None, "The specified object is not valid.").argument(KEY, start)
    }

    /// A callback rule (§9). `ec` where the pages name one; messages are OSS's texts where
    /// the pages quote them.
    pub(crate) fn callback(ec: Option<&'static str>, message: impl Into<String>) -> Self {
        Self::new(code::INVALID_ARGUMENT, ec, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_reader_errors_keep_oss_messages() {
        let cases = [
            ("", "0006-00000205", "Invalid Policy: the policy is blank."),
            ("not base64!", "0006-00000202", "Invalid Policy: the policy is not base64 encoded."),
            ("/w==", "0006-00000203", "Invalid Policy: the policy is not UTF-8 encoded."),
            ("ew==", "0006-00000204", "Invalid Policy: Invalid JSON: EOF while parsing an object at line 1 column 1"),
            ("e30=", "0006-00000209", "Invalid Policy: the policy has no expiration and no conditions."),
        ];
        for (policy, ec, message) in cases {
            let err = crate::PolicyDocument::from_base64(policy).map(|_| ()).unwrap_err();
            let r = Rejection::invalid_policy(err);
            assert_eq!(
                (r.code(), r.ec(), r.message(), r.http_status()),
                ("InvalidPolicyDocument", Some(ec), message, 400)
            );
        }
        let text = r#"{"expiration": "2023-02-19T13:19:00Z", "conditions": [{"a": "1", "b": "2"}]}"#;
        let r = Rejection::invalid_policy(crate::PolicyDocument::parse(text).unwrap_err());
        assert_eq!(
            r.message(),
            "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified."
        );
        let text = r#"{"expiration": "2023-02-19T13:19:00Z", "conditions": [], "conditions": [1]}"#;
        let r = Rejection::invalid_policy(crate::PolicyDocument::parse(text).unwrap_err());
        assert_eq!(r.ec(), Some("0006-00000201"));
        assert!(r.message().starts_with("Invalid Policy: Invalid JSON: duplicate key \"conditions\""), "{r}");
        assert!(!r.message().ends_with('.'), "{r}");
    }

    #[test]
    fn expirations_are_read_strictly() {
        use time::macros::datetime;
        let doc = |expiration: &str| {
            let text = format!(r#"{{"expiration": "{expiration}", "conditions": [["eq", "$key", "a"]]}}"#);
            crate::PolicyDocument::parse(&text).map_err(Rejection::invalid_policy)
        };
        let cases = [
            ("2013-12-01T12:00:00Z", datetime!(2013-12-01 12:00:00 UTC)),
            ("2020-03-19T03:44:06.476Z", datetime!(2020-03-19 03:44:06.476 UTC)),
            ("2020-03-19T03:44:06.1234567891Z", datetime!(2020-03-19 03:44:06.123456789 UTC)),
        ];
        for (text, want) in cases {
            assert_eq!(doc(text).unwrap().expiration(), want, "{text}");
        }
        for bad in [
            "2023-02-19 13:19:00",
            "2023-02-19T13:19:00",
            "2023-02-19T13:19:00+08:00",
            "2023-02-19T13:19:00.Z",
            "2023-02-30T13:19:00Z",
            "2023-13-19T13:19:00Z",
            "2023-02-19T24:00:00Z",
            "2023-02-19T1a:19:00Z",
            "2023-02-19T13:19:60Z",
            "+023-02-19T13:19:00Z",
            "2023-02-19t13:19:00z",
            "2023-02-19T13:19:00.1a3Z",
            "２023-02-19T13:19:00Z",
        ] {
            let r = doc(bad).unwrap_err();
            assert_eq!(
                (r.ec(), r.message()),
                (
                    Some("0006-00000212"),
                    format!("Invalid Policy: expiration {bad:?} is not an ISO 8601 UTC time.").as_str()
                )
            );
        }
    }

    #[test]
    fn value_sets_are_listed_as_oss_lists_them() {
        let r = Rejection::not_one_of("x-oss-object-acl", "Private", crate::ObjectAcl::VALUES);
        assert_eq!(
            r.message(),
            "The value of x-oss-object-acl is invalid: expected default, private, public-read or public-read-write."
        );
        assert_eq!(Rejection::not_one_of("f", "x", &["a"]).message(), "The value of f is invalid: expected a.");
    }
}
