//! Why OSS would refuse a form: its error `Code`, `EC`, `Message`, HTTP status and XML body.
//!
//! Every error text OSS's documentation quotes is used verbatim (the constructor says where it
//! comes from). Where the documentation names an EC code but shows no message, the message is
//! ours, written in OSS's style, and the constructor says so. The EC-to-`Code` mapping is
//! documented only for a few codes (spec section 9); the others are marked `[UNVERIFIED]`.

use std::fmt;

use serde::Serialize;

/// Error codes (`<Code>`) this verifier can answer with.
pub(crate) mod code {
    pub(crate) const ACCESS_DENIED: &str = "AccessDenied";
    pub(crate) const ENTITY_TOO_LARGE: &str = "EntityTooLarge";
    pub(crate) const ENTITY_TOO_SMALL: &str = "EntityTooSmall";
    pub(crate) const FIELD_ITEM_TOO_LONG: &str = "FieldItemTooLong";
    pub(crate) const INCORRECT_NUMBER_OF_FILES: &str = "IncorrectNumberOfFilesInPOSTRequest";
    pub(crate) const INVALID_ACCESS_KEY_ID: &str = "InvalidAccessKeyId";
    pub(crate) const INVALID_ARGUMENT: &str = "InvalidArgument";
    pub(crate) const INVALID_DATA_ENCRYPTION: &str = "InvalidDataEncryptionAlgorithmError";
    pub(crate) const INVALID_ENCRYPTION: &str = "InvalidEncryptionAlgorithmError";
    pub(crate) const INVALID_OBJECT_NAME: &str = "InvalidObjectName";
    pub(crate) const INVALID_POLICY_DOCUMENT: &str = "InvalidPolicyDocument";
    pub(crate) const INVALID_SECURITY_TOKEN: &str = "InvalidSecurityToken";
    pub(crate) const MAX_PRE_DATA_EXCEEDED: &str = "MaxPOSTPreDataLengthExceededError";
    pub(crate) const METADATA_TOO_LARGE: &str = "MetadataTooLarge";
    pub(crate) const SIGNATURE_DOES_NOT_MATCH: &str = "SignatureDoesNotMatch";
}

/// The documentation page OSS links from every error with an EC code.
const RECOMMEND_DOC: &str = "https://api.aliyun.com/troubleshoot?q=";

/// Why a submitted form is refused, as OSS would answer it.
///
/// ```
/// use oss_post_policy::verify::PolicyDocument;
///
/// let err = PolicyDocument::parse(r#"{"expiration": 123, "conditions": [["eq", "$key", "a"]]}"#).unwrap_err();
/// assert_eq!((err.code(), err.ec(), err.http_status()), ("InvalidPolicyDocument", Some("0006-00000210"), 400));
/// let xml = err.to_xml("5C3D9175B6FC201293AD****", "examplebucket.oss-cn-hangzhou.aliyuncs.com");
/// assert!(xml.contains("<EC>0006-00000210</EC>"));
/// assert!(xml.contains("<RecommendDoc>https://api.aliyun.com/troubleshoot?q=0006-00000210</RecommendDoc>"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    code: &'static str,
    ec: Option<&'static str>,
    message: String,
    http_status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    argument_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    argument_value: Option<String>,
}

impl Rejection {
    /// A rejection with `code`'s usual HTTP status.
    pub(crate) fn new(code: &'static str, ec: Option<&'static str>, message: impl Into<String>) -> Self {
        let http_status = match code {
            // 403 for these is general OSS usage; the PostObject pages do not state it.
            code::ACCESS_DENIED
            | code::SIGNATURE_DOES_NOT_MATCH
            | code::INVALID_ACCESS_KEY_ID
            | code::INVALID_SECURITY_TOKEN => 403,
            _ => 400,
        };
        Self { code, ec, message: message.into(), http_status, argument_name: None, argument_value: None }
    }

    /// A rejection found outside the verifier, by a server serving an OSS-compatible endpoint
    /// (`RequestIsNotMultiPartContent`, `FileAlreadyExists`, `NoSuchBucket`, ...), so that it
    /// answers with the same XML body as the verifier's own rejections.
    ///
    /// ```
    /// use oss_post_policy::verify::Rejection;
    ///
    /// let r = Rejection::with_status("FileAlreadyExists", None, "The object you specified already exists and can not be overwritten.", 409);
    /// assert_eq!((r.code(), r.http_status()), ("FileAlreadyExists", 409));
    /// assert!(r.to_xml("REQ", "HOST").contains("<Code>FileAlreadyExists</Code>"));
    /// ```
    pub fn with_status(
        code: &'static str,
        ec: Option<&'static str>,
        message: impl Into<String>,
        http_status: u16,
    ) -> Self {
        Self { http_status, ..Self::new(code, ec, message) }
    }

    /// Adds `<ArgumentName>` and `<ArgumentValue>`. Never pass a secret or a token as `value`.
    #[must_use]
    pub(crate) fn argument(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.argument_name = Some(name.into());
        self.argument_value = Some(value.into());
        self
    }

    /// OSS's error code, e.g. `AccessDenied`, `InvalidPolicyDocument`, `SignatureDoesNotMatch`.
    pub fn code(&self) -> &str {
        self.code
    }

    /// OSS's EC code, e.g. `0006-00000227`, when the rule has a documented one.
    pub fn ec(&self) -> Option<&str> {
        self.ec
    }

    /// The error message, OSS's own text where documented.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status OSS answers with: 403 for authorisation failures, 400 otherwise.
    pub fn http_status(&self) -> u16 {
        self.http_status
    }

    /// `<ArgumentName>`: the form field at fault, where OSS names one.
    pub fn argument_name(&self) -> Option<&str> {
        self.argument_name.as_deref()
    }

    /// `<ArgumentValue>`: the value at fault, where OSS shows one (never a token or secret).
    pub fn argument_value(&self) -> Option<&str> {
        self.argument_value.as_deref()
    }

    /// The XML body OSS sends with the error.
    ///
    /// `<EC>` and `<RecommendDoc>` are written only for rejections with an EC code, the
    /// argument elements only where OSS gives them. Text is XML-escaped; control characters
    /// that XML 1.0 cannot carry are written as U+FFFD.
    pub fn to_xml(&self, request_id: &str, host_id: &str) -> String {
        let mut out = String::with_capacity(256 + self.message.len());
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n");
        element(&mut out, "Code", self.code);
        element(&mut out, "Message", &self.message);
        element(&mut out, "RequestId", request_id);
        element(&mut out, "HostId", host_id);
        if let Some(name) = &self.argument_name {
            element(&mut out, "ArgumentName", name);
        }
        if let Some(value) = &self.argument_value {
            element(&mut out, "ArgumentValue", value);
        }
        if let Some(ec) = self.ec {
            element(&mut out, "EC", ec);
            element(&mut out, "RecommendDoc", &format!("{RECOMMEND_DOC}{ec}"));
        }
        out.push_str("</Error>\n");
        out
    }
}

fn element(out: &mut String, name: &str, text: &str) {
    out.push_str("  <");
    out.push_str(name);
    out.push('>');
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if u32::from(c) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out.push_str("</");
    out.push_str(name);
    out.push_str(">\n");
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(ec) = self.ec {
            write!(f, " (EC {ec})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Rejection {}

// ---------------------------------------------------------------------------------------------
// Constructors, one per rule, grouped as in the spec. Each names its source.
// ---------------------------------------------------------------------------------------------

impl Rejection {
    // Section 2 and 4: layout and limits.

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
    /// spec names EC 0006-00000104 or 0006-00000107; we use 104 [UNVERIFIED which one].
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

    // Sections 6 and 7: authentication fields.

    /// EC page 0002-00000701 (e.g. `x-oss-signature-version=2`); code and message [UNVERIFIED].
    pub(crate) fn unsupported_signature_version(value: &str) -> Self {
        Self::new(code::INVALID_ARGUMENT, Some("0002-00000701"), "The signature version in the request is invalid.")
            .argument("x-oss-signature-version", value)
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
            .argument("x-oss-credential", credential)
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
            .argument("x-oss-credential", credential)
    }

    /// EC page 0002-00000715, with OSS's code, message and argument.
    pub(crate) fn invalid_signing_region(credential: &str) -> Self {
        Self::new(code::INVALID_ARGUMENT, Some("0002-00000715"), "The signing region in credential is invalid.")
            .argument("x-oss-credential", credential)
    }

    /// No EC page found for a missing or malformed `x-oss-date` [UNVERIFIED]; message ours.
    pub(crate) fn invalid_x_oss_date(value: Option<&str>) -> Self {
        match value {
            None => Self::new(code::INVALID_ARGUMENT, None, "The x-oss-date form field is missing."),
            Some(v) => {
                Self::new(code::INVALID_ARGUMENT, None, "The x-oss-date in the request is not YYYYMMDDTHHMMSSZ.")
                    .argument("x-oss-date", v)
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

    /// Legacy text for a form without signature on a bucket that is not public-read-write ([TS]).
    pub(crate) fn anonymous_denied() -> Self {
        Self::new(code::ACCESS_DENIED, None, "You have no right to access this object because of bucket acl.")
    }

    // Section 5: the policy document.

    /// A policy-grammar error (EC pages 0006-000002xx). The `InvalidPolicyDocument` code is
    /// the legacy one for these [UNVERIFIED per EC]; the `Invalid Policy: ` prefix is OSS's
    /// legacy style, the detail is ours unless the caller quotes OSS.
    pub(crate) fn policy(ec: &'static str, detail: impl fmt::Display) -> Self {
        Self::new(code::INVALID_POLICY_DOCUMENT, Some(ec), format!("Invalid Policy: {detail}"))
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

    // Sections 3, 4 and 8: field values.

    /// Legacy `InvalidEncryptionAlgorithmError` text ([H400]).
    pub(crate) fn invalid_encryption(value: &str) -> Self {
        Self::new(code::INVALID_ENCRYPTION, None, "The encryption algorithm specified is not valid.")
            .argument("x-oss-server-side-encryption", value)
    }

    /// `InvalidDataEncryptionAlgorithmError` ([H400]; "…Supported value:SM4", the start of the
    /// message is ours).
    pub(crate) fn invalid_data_encryption(value: &str) -> Self {
        Self::new(
            code::INVALID_DATA_ENCRYPTION,
            None,
            "The data encryption algorithm specified is not valid. Supported value:SM4",
        )
        .argument("x-oss-server-side-data-encryption", value)
    }

    /// A value outside a field's documented set (ACL, storage class, KMS key id without KMS).
    /// The code for these in PostObject is [UNVERIFIED]; message ours.
    pub(crate) fn invalid_field_value(name: &str, value: &str, expected: &str) -> Self {
        Self::new(code::INVALID_ARGUMENT, None, format!("The value of {name} is invalid: expected {expected}."))
            .argument(name, value)
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
    /// `${filename}` expansion; message ours.
    pub(crate) fn invalid_object_name(key: &str) -> Self {
        Self::new(code::INVALID_OBJECT_NAME, None, "The specified object is not valid.")
            .argument("key", key.chars().take(1024).collect::<String>())
    }

    /// A callback rule (section 8). `ec` where the spec names one; messages are OSS's texts
    /// where the spec quotes them.
    pub(crate) fn callback(ec: Option<&'static str>, message: impl Into<String>) -> Self {
        Self::new(code::INVALID_ARGUMENT, ec, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_has_oss_shape() {
        let r = Rejection::condition_failed(r#"["eq", "$success_action_status", "200"]"#);
        assert_eq!(r.http_status(), 403);
        assert_eq!(
            r.to_xml("REQ", "examplebucket.oss-cn-hangzhou.aliyuncs.com"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>AccessDenied</Code>\n  <Message>Invalid according to Policy: Policy Condition failed: [&quot;eq&quot;, &quot;$success_action_status&quot;, &quot;200&quot;]</Message>\n  <RequestId>REQ</RequestId>\n  <HostId>examplebucket.oss-cn-hangzhou.aliyuncs.com</HostId>\n  <EC>0006-00000227</EC>\n  <RecommendDoc>https://api.aliyun.com/troubleshoot?q=0006-00000227</RecommendDoc>\n</Error>\n"
        );
    }

    #[test]
    fn xml_carries_arguments_and_escapes_control_characters() {
        let r = Rejection::invalid_signing_region("AK/20240101/cn-beijing/oss/aliyun_v4_request<&>\u{1}");
        let xml = r.to_xml("R", "H");
        assert!(xml.contains("<ArgumentName>x-oss-credential</ArgumentName>"), "{xml}");
        assert!(
            xml.contains(
                "<ArgumentValue>AK/20240101/cn-beijing/oss/aliyun_v4_request&lt;&amp;&gt;\u{fffd}</ArgumentValue>"
            ),
            "{xml}"
        );
        assert!(xml.find("<ArgumentValue>").unwrap() < xml.find("<EC>").unwrap());
        // No EC: no EC element and no RecommendDoc.
        let plain = Rejection::unknown_access_key_id().to_xml("R", "H");
        assert!(!plain.contains("<EC>") && !plain.contains("RecommendDoc"), "{plain}");
    }

    #[test]
    fn display_and_serde() {
        let r = Rejection::policy_expired();
        assert_eq!(r.to_string(), "AccessDenied: Invalid according to Policy: Policy expired. (EC 0006-00000213)");
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            serde_json::json!({"code": "AccessDenied", "ec": "0006-00000213", "message": "Invalid according to Policy: Policy expired.", "http_status": 403})
        );
        let with_arg = serde_json::to_value(Rejection::invalid_x_oss_date(Some("x"))).unwrap();
        assert_eq!(with_arg["ec"], serde_json::Value::Null);
        assert_eq!(with_arg["argument_name"], "x-oss-date");
        assert_eq!(Rejection::entity_too_small().http_status(), 400);
    }
}
