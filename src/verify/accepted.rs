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
/// ([PO-EN]: the policy sees the value before expansion), if the result is 1 to `max_len`
/// bytes long; otherwise `Err` with the start of the result, at most `quoted` characters.
///
/// The length is computed from the number of occurrences before anything is built, so a long
/// file name in many `${filename}` costs the size of the key and the name, never their product.
pub(crate) fn expand_key(key: &str, filename: &str, max_len: usize, quoted: usize) -> Result<String, String> {
    let count = key.matches(FILENAME_VARIABLE).count();
    // The matches do not overlap, so the subtraction cannot underflow.
    let rest = key.len() - count * FILENAME_VARIABLE.len();
    let len = count.checked_mul(filename.len()).and_then(|names| names.checked_add(rest));
    if len.is_some_and(|len| (1..=max_len).contains(&len)) {
        return Ok(key.replace(FILENAME_VARIABLE, filename));
    }
    let pieces = key.split(FILENAME_VARIABLE).enumerate();
    let chars = pieces.flat_map(|(i, piece)| if i == 0 { "" } else { filename }.chars().chain(piece.chars()));
    Err(chars.take(quoted).collect())
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
        let expand = |key, name| expand_key(key, name, 1023, 1024);
        assert_eq!(expand("user/${filename}", "a.png").as_deref(), Ok("user/a.png"));
        assert_eq!(expand("${filename}/${filename}", "x").as_deref(), Ok("x/x"));
        assert_eq!(expand("user/$filename", "x").as_deref(), Ok("user/$filename"));
        assert_eq!(expand("${filename}${filename}", "${filename}").as_deref(), Ok("${filename}${filename}"));
        assert_eq!(success_status(Some("201")), 201);
        assert_eq!(success_status(Some("200")), 200);
        for other in [None, Some("204"), Some("202"), Some(" 200"), Some("")] {
            assert_eq!(success_status(other), 204, "{other:?}");
        }
    }

    #[test]
    fn expansion_is_bounded_before_it_is_built() {
        // At the limit, one byte over, empty.
        assert_eq!(expand_key("ab${filename}", "cd", 4, 8).as_deref(), Ok("abcd"));
        assert_eq!(expand_key("ab${filename}", "cde", 4, 8), Err("abcde".to_owned()));
        assert_eq!(expand_key("${filename}${filename}", "", 4, 8), Err(String::new()));
        // Only the start of an over-long result is built, in characters.
        assert_eq!(expand_key("é${filename}${filename}z", "ü", 3, 2), Err("éü".to_owned()));
        assert_eq!(expand_key(&"${filename}".repeat(1000), &"n".repeat(1000), 1023, 5), Err("nnnnn".to_owned()));
        // The product is checked, not wrapped: on 32-bit targets 190,000 `${filename}` (a 2 MB
        // value) times a 23 KB name overflows `usize`, which here only a limit can stand for.
        let key = "${filename}".repeat(3);
        assert_eq!(expand_key(&key, "nnnn", usize::MAX, 2), Ok("n".repeat(12)));
        assert_eq!(expand_key(&key, "nnnn", 11, 2), Err("nn".to_owned()));
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
