//! Why OSS would refuse a form: its error `Code`, `EC`, `Message`, HTTP status and XML body.
//!
//! Every error text OSS's documentation quotes is used verbatim (the constructor says where it
//! comes from). Where the documentation names an EC code but shows no message, the message is
//! ours, written in OSS's style, and the constructor says so. The EC-to-`Code` mapping is
//! documented only for a few codes (`docs/oss-rules.md` §11); the others are marked
//! `[UNVERIFIED]`. The constructors, one per rule, are in `oss_errors.rs`.

use std::fmt;

use serde::{Serialize, Serializer};

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
/// use oss_post_policy::verify::{FilePart, Submission, Verifier};
/// use oss_post_policy::{Bucket, Credentials, Region};
/// use oss_post_policy::time::OffsetDateTime;
///
/// let sent = Submission::new()
///     .with_field("key", "user-dir/cat.png")
///     .with_field("OSSAccessKeyId", "44CF9590006BF252F707")
///     .with_field("policy", "not base64!")
///     .with_field("Signature", "c2lnbmF0dXJl")
///     .with_file(FilePart::new("cat.png", 2048));
/// let verifier = Verifier::new(Bucket::new("examplebucket")?, Region::new("cn-hangzhou")?);
/// let now = OffsetDateTime::from_unix_timestamp(1_732_687_781).expect("2024-11-27T06:09:41Z");
/// let err = verifier.verify_at(&sent, &Credentials::example(), now).unwrap_err();
/// assert_eq!((err.code(), err.ec(), err.http_status()), ("InvalidPolicyDocument", Some("0006-00000202"), 400));
/// assert_eq!(err.message(), "Invalid Policy: the policy is not base64 encoded.");
/// let xml = err.to_xml("5C3D9175B6FC201293AD****", "examplebucket.oss-cn-hangzhou.aliyuncs.com");
/// assert!(xml.contains("<EC>0006-00000202</EC>"));
/// assert!(xml.contains("<RecommendDoc>https://api.aliyun.com/troubleshoot?q=0006-00000202</RecommendDoc>"));
/// # Ok::<(), oss_post_policy::Error>(())
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
    /// Further elements OSS adds for some errors (`StringToSign`, `Expires`, ...), in order
    /// (behind one thin pointer: most rejections have none, and every `Result` carries the size
    /// of its error).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "as_map")]
    details: Option<Box<Details>>,
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
        Self {
            code,
            ec,
            message: message.into(),
            http_status,
            argument_name: None,
            argument_value: None,
            details: None,
        }
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

    /// Adds an element OSS writes for this error, e.g. `StringToSign`. Never a secret or token.
    #[must_use]
    pub(crate) fn detail(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.details.get_or_insert_default().0.push((name, value.into()));
        self
    }

    /// Further elements of the XML body, by name: `StringToSign` and `CanonicalRequest` for a
    /// presigned request whose signature does not match, `Expires` and `ServerTime` for an
    /// expired one.
    pub fn details(&self) -> impl Iterator<Item = (&str, &str)> {
        self.details.iter().flat_map(|details| &details.0).map(|(name, value)| (*name, value.as_str()))
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
        for (name, value) in self.details() {
            element(&mut out, name, value);
        }
        if let Some(ec) = self.ec {
            element(&mut out, "EC", ec);
            element(&mut out, "RecommendDoc", &format!("{RECOMMEND_DOC}{ec}"));
        }
        out.push_str("</Error>\n");
        out
    }
}

/// The extra XML elements of a rejection, by name, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Details(Vec<(&'static str, String)>);

/// `details` as a JSON object, in order.
#[allow(clippy::ref_option, reason = "serde's serialize_with passes a reference to the field")]
fn as_map<S: Serializer>(details: &Option<Box<Details>>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_map(details.iter().flat_map(|d| &d.0).map(|(name, value)| (name, value)))
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
