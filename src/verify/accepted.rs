//! What OSS would store and answer for an accepted form.

use serde::{Serialize, Serializer};

use super::callback::CallbackConfig;
use crate::signature::SignatureVersion;

/// `${filename}` in `key`, replaced by the uploaded file's name after the policy check.
pub const FILENAME_VARIABLE: &str = "${filename}";

/// An accepted form: the object OSS would write and how it would answer.
///
/// Serialises to a flat JSON object; `signature_version` as `"V4"`, `"V1"` or `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AcceptedUpload {
    /// The object name, `${filename}` expanded.
    ///
    /// A key is not a file path. The verifier accepts any name of 1 to 1023 bytes, as OSS
    /// documents no other rule for PostObject: `..` and `.` segments, `\`, a leading `/`,
    /// control characters (NUL included) and names that differ only in Unicode normalisation
    /// may all be in it, and `${filename}` brings in whatever name the browser sent. A server
    /// that stores uploads on disk or builds URLs from keys must map them safely (e.g.
    /// percent-encode each `/`-separated segment, refuse `.` and `..`), never join a key onto
    /// a directory.
    pub key: String,
    /// The file's size in bytes.
    pub size: u64,
    /// The object's `Content-Type`: `x-oss-content-type` if sent, else the file part's own
    /// `Content-Type`, else the `Content-Type` field (\[PO\], \[PO-ZH\]; `docs/oss-rules.md` §1).
    /// `None` when none is sent: OSS then stores its default type \[UNVERIFIED which\].
    pub content_type: Option<String>,
    /// `Cache-Control`.
    pub cache_control: Option<String>,
    /// `Content-Disposition`.
    pub content_disposition: Option<String>,
    /// `Content-Encoding`.
    pub content_encoding: Option<String>,
    /// `Expires`.
    pub expires: Option<String>,
    /// `x-oss-meta-*` fields, in form order, names as sent.
    pub metadata: Vec<(String, String)>,
    /// `x-oss-object-acl`.
    pub object_acl: Option<String>,
    /// `x-oss-storage-class`.
    pub storage_class: Option<String>,
    /// `x-oss-server-side-encryption`.
    pub server_side_encryption: Option<String>,
    /// `x-oss-forbid-overwrite` is `true` (ASCII case-insensitive; any other value allows
    /// overwriting \[UNVERIFIED\]).
    pub forbid_overwrite: bool,
    /// The status of the success response: `success_action_status` if 200, 201 or 204,
    /// otherwise 204 (an invalid value is not an error, [PO-EN]).
    pub success_action_status: u16,
    /// `success_action_redirect`, which takes precedence over the status.
    pub success_action_redirect: Option<String>,
    /// The decoded `callback`.
    pub callback: Option<CallbackConfig>,
    /// Callback variables: `callback-var` entries, then `x:` form fields, in order.
    pub callback_vars: Vec<(String, String)>,
    /// The signature checked (`None` for an anonymous upload).
    #[serde(serialize_with = "serialize_version")]
    pub signature_version: Option<SignatureVersion>,
    /// The AccessKey id that signed the form (`None` for an anonymous upload).
    pub access_key_id: Option<String>,
}

// serde's `serialize_with` passes a reference.
#[allow(clippy::ref_option, clippy::trivially_copy_pass_by_ref)]
fn serialize_version<S: Serializer>(version: &Option<SignatureVersion>, s: S) -> Result<S::Ok, S::Error> {
    match version {
        Some(SignatureVersion::V4) => s.serialize_some("V4"),
        Some(SignatureVersion::V1) => s.serialize_some("V1"),
        None => s.serialize_none(),
    }
}

/// Replaces every `${filename}` in `key` with `filename`, as OSS does after the policy check
/// ([PO-EN]: the policy sees the value before expansion).
pub(crate) fn expand_key(key: &str, filename: &str) -> String {
    key.replace(FILENAME_VARIABLE, filename)
}

/// `success_action_status` as OSS answers it: 200, 201 or 204; anything else is 204.
pub(crate) fn success_status(value: Option<&str>) -> u16 {
    match value {
        Some("200") => 200,
        Some("201") => 201,
        _ => 204,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filename_expansion_and_status() {
        assert_eq!(expand_key("user/${filename}", "a.png"), "user/a.png");
        assert_eq!(expand_key("${filename}/${filename}", "x"), "x/x");
        assert_eq!(expand_key("user/$filename", "x"), "user/$filename");
        assert_eq!(success_status(Some("201")), 201);
        assert_eq!(success_status(Some("200")), 200);
        for other in [None, Some("204"), Some("202"), Some(" 200"), Some("")] {
            assert_eq!(success_status(other), 204, "{other:?}");
        }
    }

    #[test]
    fn serializes_flat_with_version_names() {
        let up = AcceptedUpload {
            key: "k".into(),
            size: 1,
            content_type: None,
            cache_control: None,
            content_disposition: None,
            content_encoding: None,
            expires: None,
            metadata: vec![("x-oss-meta-a".into(), "1".into())],
            object_acl: None,
            storage_class: None,
            server_side_encryption: None,
            forbid_overwrite: false,
            success_action_status: 204,
            success_action_redirect: None,
            callback: None,
            callback_vars: vec![],
            signature_version: Some(SignatureVersion::V4),
            access_key_id: Some("AK".into()),
        };
        let v = serde_json::to_value(&up).unwrap();
        assert_eq!(v["signature_version"], "V4");
        assert_eq!(v["metadata"], serde_json::json!([["x-oss-meta-a", "1"]]));
        let anon = AcceptedUpload { signature_version: None, ..up };
        assert_eq!(serde_json::to_value(&anon).unwrap()["signature_version"], serde_json::Value::Null);
    }
}
