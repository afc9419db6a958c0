//! What the browser sent: the form's non-file fields in order and its file part(s), and the
//! size limits OSS applies to them (`docs/oss-rules.md` §1 and §2).

use std::fmt;

use crate::field::debug_value;

/// Largest form field name OSS accepts: 8 KB (EC 0006-00000110).
pub const MAX_FIELD_NAME_LEN: usize = 8 * 1024;
/// Largest form field value OSS accepts: 2 MB (doc 480528).
pub const MAX_FIELD_VALUE_LEN: usize = 2 * 1024 * 1024;
/// Largest total of the fields before the file: 8 MB (EC 0006-00000112).
pub const MAX_PRE_FILE_LEN: usize = 8 * 1024 * 1024;

/// A submitted PostObject form: its non-file parts in the order sent, and its file part(s).
///
/// Duplicated names are kept as sent. `Debug` redacts the values of `policy` (it may hold an
/// STS token), the signatures and `x-oss-security-token`.
///
/// ```
/// use oss_post_policy::verify::{FilePart, Submission};
///
/// let sub = Submission::new()
///     .with_field("key", "user-dir/${filename}")
///     .with_field("policy", "eyJ...")
///     .with_file(FilePart::new("photo.png", 1024).with_content_type("image/png"));
/// assert_eq!(sub.files[0].position, 2);
/// ```
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Submission {
    /// The non-file parts, `(name, value)`, in the order sent.
    pub fields: Vec<(String, String)>,
    /// The file parts; OSS accepts exactly one.
    pub files: Vec<FilePart>,
}

/// A file part of the form. The content itself is not needed to verify the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePart {
    /// How many non-file fields came before this part (`fields.len()` when it is last).
    pub position: usize,
    /// The file's size in bytes.
    pub size: u64,
    /// The `filename` of its `Content-Disposition`, used for `${filename}`.
    pub filename: String,
    /// The part's own `Content-Type` header, which browsers always set.
    pub content_type: Option<String>,
}

impl FilePart {
    /// A file part at position 0 (see [`Submission::with_file`]) without a content type.
    pub fn new(filename: impl Into<String>, size: u64) -> Self {
        Self { position: 0, size, filename: filename.into(), content_type: None }
    }

    /// The same part with a `Content-Type` header.
    #[must_use]
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }
}

impl Submission {
    /// An empty submission.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a non-file field.
    #[must_use]
    pub fn with_field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.fields.push((name.into(), value.into()));
        self
    }

    /// Appends non-file fields, e.g. a signed form's `iter()`.
    #[must_use]
    pub fn with_fields<I, N, V>(mut self, fields: I) -> Self
    where
        I: IntoIterator<Item = (N, V)>,
        N: Into<String>,
        V: Into<String>,
    {
        self.fields.extend(fields.into_iter().map(|(n, v)| (n.into(), v.into())));
        self
    }

    /// Appends a file part after the fields added so far (its `position` is set to that).
    #[must_use]
    pub fn with_file(mut self, mut file: FilePart) -> Self {
        file.position = self.fields.len();
        self.files.push(file);
        self
    }
}

/// Redacts what authorises the upload, as [`FormFields`](crate::FormFields)' `Debug` does.
impl fmt::Debug for Submission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<(&str, &str)> = self.fields.iter().map(|(n, v)| (n.as_str(), debug_value(n, v))).collect();
        f.debug_struct("Submission").field("fields", &fields).field("files", &self.files).finish()
    }
}

/// `callback-var`: the base64 callback variables, read only by the verifier.
pub(crate) const CALLBACK_VAR: &str = "callback-var";
/// The prefix of OSS's own form fields.
pub(crate) const OSS_PREFIX: &str = "x-oss-";
/// The KMS key of `x-oss-server-side-encryption: KMS`.
pub(crate) const SSE_KEY_ID: &str = "x-oss-server-side-encryption-key-id";
/// The data encryption algorithm, only with KMS.
pub(crate) const SSE_DATA: &str = "x-oss-server-side-data-encryption";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_placed_after_the_fields_so_far() {
        let sub = Submission::new()
            .with_field("key", "user-dir/${filename}")
            .with_file(FilePart::new("a", 1))
            .with_fields([("submit", "Upload")]);
        assert_eq!(sub.files[0].position, 1);
        assert_eq!(sub.fields.len(), 2);
    }

    #[test]
    fn debug_redacts_the_token() {
        let s = Submission::new()
            .with_fields([
                ("key", "a"),
                ("X-OSS-Security-Token", "CAIS-SECRET"),
                ("policy", "eyJ"),
                ("Signature", "c2ln"),
            ])
            .with_file(FilePart::new("a.txt", 1));
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("CAIS-SECRET") && !dbg.contains("eyJ") && !dbg.contains("c2ln"), "{dbg}");
        assert!(dbg.contains(r#"("key", "a")"#), "{dbg}");
        let empty = Submission::new().with_field("x-oss-security-token", "");
        assert!(!format!("{empty:?}").contains("<redacted>"), "an empty token hides nothing");
    }
}
