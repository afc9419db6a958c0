//! What the browser sent, and the layout and size rules OSS applies before reading any field
//! (spec sections 2 and 4).

use std::collections::HashMap;
use std::fmt;

use super::options::{FieldNameCase, TrailingFields, VerifyOptions};
use super::rejection::Rejection;
use crate::condition::{KEY, SECURITY_TOKEN};

/// Largest form field name OSS accepts: 8 KB (EC 0006-00000110).
pub const MAX_FIELD_NAME_LEN: usize = 8 * 1024;
/// Largest form field value OSS accepts: 2 MB (doc 480528).
pub const MAX_FIELD_VALUE_LEN: usize = 2 * 1024 * 1024;
/// Largest total of the fields before the file: 8 MB (EC 0006-00000112).
pub const MAX_PRE_FILE_LEN: usize = 8 * 1024 * 1024;

/// A submitted PostObject form: its non-file parts in the order sent, and its file part(s).
///
/// Duplicated names are kept as sent. The `x-oss-security-token` value is redacted from
/// `Debug`.
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

impl fmt::Debug for Submission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<(&str, &str)> = self
            .fields
            .iter()
            .map(|(n, v)| {
                if n.eq_ignore_ascii_case(SECURITY_TOKEN) && !v.is_empty() {
                    (n.as_str(), "<redacted>")
                } else {
                    (n.as_str(), v.as_str())
                }
            })
            .collect();
        f.debug_struct("Submission").field("fields", &fields).field("files", &self.files).finish()
    }
}

/// Form fields OSS gives a meaning to (lower case), besides the `x-oss-` and `x:` families.
const KNOWN_FIELDS: [&str; 13] = [
    "key",
    "policy",
    "ossaccesskeyid",
    "signature",
    "success_action_status",
    "success_action_redirect",
    "content-type",
    "cache-control",
    "content-disposition",
    "content-encoding",
    "expires",
    "callback",
    "callback-var",
];

/// Whether OSS reads this field (so it can never be harmless trailing junk or an ignorable
/// duplicate).
pub(crate) fn is_known_field(name: &str) -> bool {
    let has_prefix =
        |prefix: &str| name.as_bytes().get(..prefix.len()).is_some_and(|h| h.eq_ignore_ascii_case(prefix.as_bytes()));
    KNOWN_FIELDS.iter().any(|known| name.eq_ignore_ascii_case(known)) || has_prefix("x-oss-") || has_prefix("x:")
}

/// Forms with more fields than this get a hash index; smaller ones are scanned, which costs
/// less than hashing each name.
const LINEAR_SCAN_MAX: usize = 32;

/// A cheap summary of a name, equal for names equal in any case: its length and its first
/// and last bytes in lower case. Most names a lookup passes differ in it.
fn name_tag(name: &str) -> u64 {
    let bytes = name.as_bytes();
    let lower = |b: Option<&u8>| u64::from(b.map_or(0, u8::to_ascii_lowercase));
    (name.len() as u64) | lower(bytes.first()) << 48 | lower(bytes.last()) << 56
}

/// One of 64 bits picked by a tag: a form's names set at most one bit each, so a name whose
/// bit is clear is not in the form, without a scan. Most names a verifier asks for are absent.
fn tag_bit(tag: u64) -> u64 {
    1 << (tag.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58)
}

/// A field of the form with what the index knows of its name.
#[derive(Debug, Clone, Copy)]
struct Entry<'a> {
    name: &'a str,
    /// [`name_tag`] of the name.
    tag: u64,
    value: &'a str,
    /// The position of the first field with the same name.
    first: usize,
    /// How many fields have this name (kept on the first occurrence only).
    count: usize,
    /// False once the name is forgotten (kept on the first occurrence only).
    present: bool,
}

/// A field name hashed and compared by the case option, without copying it.
#[derive(Debug, Clone, Copy)]
struct NameKey<'a> {
    name: &'a str,
    case: FieldNameCase,
}

impl PartialEq for NameKey<'_> {
    fn eq(&self, other: &Self) -> bool {
        match self.case {
            FieldNameCase::Insensitive => self.name.eq_ignore_ascii_case(other.name),
            FieldNameCase::Strict => self.name == other.name,
        }
    }
}

impl Eq for NameKey<'_> {}

impl std::hash::Hash for NameKey<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self.case {
            FieldNameCase::Insensitive => self.name.bytes().for_each(|b| state.write_u8(b.to_ascii_lowercase())),
            FieldNameCase::Strict => state.write(self.name.as_bytes()),
        }
        state.write_u8(0xff);
    }
}

/// The submission after the layout checks: the fields that count, indexed by name once.
#[derive(Debug)]
pub(crate) struct FormView<'a> {
    fields: Vec<Entry<'a>>,
    /// Name -> position of its first occurrence, for forms of more than [`LINEAR_SCAN_MAX`]
    /// fields.
    index: Option<HashMap<NameKey<'a>, usize>>,
    /// The [`tag_bit`]s of the names.
    tag_bits: u64,
    trailing: Vec<(&'a str, &'a str)>,
    file: &'a FilePart,
    case: FieldNameCase,
}

impl<'a> FormView<'a> {
    /// The name as [`FormView::same_name`] compares it, for sets of names.
    pub(crate) fn normalize(&self, name: &str) -> String {
        match self.case {
            FieldNameCase::Insensitive => name.to_ascii_lowercase(),
            FieldNameCase::Strict => name.to_owned(),
        }
    }

    /// Whether two names are the same field, by the case option.
    pub(crate) fn same_name(&self, a: &str, b: &str) -> bool {
        match self.case {
            FieldNameCase::Insensitive => a.eq_ignore_ascii_case(b),
            FieldNameCase::Strict => a == b,
        }
    }

    /// Whether `name` starts with `prefix`, by the case option (byte-wise, so a multi-byte
    /// character is never split).
    pub(crate) fn has_prefix(&self, name: &str, prefix: &str) -> bool {
        let Some(head) = name.as_bytes().get(..prefix.len()) else { return false };
        match self.case {
            FieldNameCase::Insensitive => head.eq_ignore_ascii_case(prefix.as_bytes()),
            FieldNameCase::Strict => head == prefix.as_bytes(),
        }
    }

    /// The position of the first field with this name, forgotten or not.
    fn first(&self, name: &str) -> Option<usize> {
        if let Some(index) = &self.index {
            return index.get(&NameKey { name, case: self.case }).copied();
        }
        let tag = name_tag(name);
        if self.tag_bits & tag_bit(tag) == 0 {
            return None;
        }
        self.fields.iter().position(|e| e.tag == tag && self.same_name(e.name, name))
    }

    /// The value of the first field with this name.
    pub(crate) fn get(&self, name: &str) -> Option<&'a str> {
        let entry = &self.fields[self.first(name)?];
        entry.present.then_some(entry.value)
    }

    /// Treats the field as absent from now on.
    pub(crate) fn forget(&mut self, name: &str) {
        if let Some(first) = self.first(name) {
            self.fields[first].present = false;
        }
    }

    /// The fields that count, in form order (forgotten ones left out).
    pub(crate) fn fields(&self) -> impl Iterator<Item = (&'a str, &'a str)> + '_ {
        self.fields.iter().filter(|e| self.fields[e.first].present).map(|e| (e.name, e.value))
    }

    /// The fields sent after the file, which are otherwise ignored.
    pub(crate) fn trailing(&self) -> &[(&'a str, &'a str)] {
        &self.trailing
    }

    /// The one file part.
    pub(crate) fn file(&self) -> &'a FilePart {
        self.file
    }

    /// The names that occur more than once, in form order of their first occurrence.
    pub(crate) fn duplicated(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.fields.iter().enumerate().filter(|(i, e)| e.first == *i && e.count > 1 && e.present).map(|(_, e)| e.name)
    }
}

/// The layout and size checks of spec sections 2 and 4, in this order: name and value
/// lengths, number of files, the 8 MB before the file, fields after the file, `key` before
/// the file, and known fields sent twice.
pub(crate) fn layout<'a>(sub: &'a Submission, options: &VerifyOptions) -> Result<FormView<'a>, Rejection> {
    for (name, value) in &sub.fields {
        if name.len() > MAX_FIELD_NAME_LEN {
            return Err(Rejection::field_name_too_long());
        }
        if value.len() > MAX_FIELD_VALUE_LEN {
            return Err(Rejection::field_value_too_long(name));
        }
    }
    let file = match sub.files.as_slice() {
        [] => return Err(Rejection::no_file()),
        [file] => file,
        _ => return Err(Rejection::too_many_files()),
    };
    // A position past the end means the file came last.
    let split = file.position.min(sub.fields.len());
    let (before, after) = sub.fields.split_at(split);
    // We count name and value bytes, not multipart framing: what exactly OSS counts towards
    // the 8 MB is [UNVERIFIED].
    let pre_file: usize = before.iter().map(|(n, v)| n.len() + v.len()).sum();
    if pre_file > MAX_PRE_FILE_LEN {
        return Err(Rejection::pre_file_data_too_large());
    }
    // "file must be the last field" (EC 0006-00000103). The API doc's own sample has a
    // `submit` part after the file, so ignoring unknown trailing parts is an option
    // [UNVERIFIED which OSS does]; a trailing field OSS reads is always refused.
    for (name, _) in after {
        if options.trailing_fields == TrailingFields::Reject || is_known_field(name) {
            return Err(Rejection::field_order(name));
        }
    }
    let case = options.field_name_case;
    let mut fields: Vec<Entry<'a>> = before
        .iter()
        .map(|(name, value)| Entry { name, tag: name_tag(name), value, first: 0, count: 0, present: true })
        .collect();
    let mut index = (fields.len() > LINEAR_SCAN_MAX).then(|| HashMap::with_capacity(fields.len()));
    for i in 0..fields.len() {
        let name = fields[i].name;
        let first = if let Some(index) = &mut index {
            *index.entry(NameKey { name, case }).or_insert(i)
        } else {
            let tag = fields[i].tag;
            let same = |e: &Entry<'_>| e.tag == tag && NameKey { name: e.name, case } == NameKey { name, case };
            fields[..i].iter().position(same).unwrap_or(i)
        };
        fields[i].first = first;
        fields[first].count += 1;
    }
    let tag_bits = fields.iter().fold(0, |bits, e| bits | tag_bit(e.tag));
    let trailing = after.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let view = FormView { fields, index, tag_bits, trailing, file, case };
    // `key` is required and must precede the file ([PO-EN]). Its absence is InvalidArgument
    // in [TS] but IncorrectNumberOfFilesInPOSTRequest in [PO-ZH] ([CONFLICT]); we follow [TS].
    // An empty value counts as absent [inferred].
    if view.get(KEY).is_none_or(str::is_empty) {
        return Err(Rejection::field_order(KEY));
    }
    if let Some(name) = view.duplicated().find(|n| is_known_field(n)) {
        return Err(Rejection::duplicate_field(name));
    }
    Ok(view)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(fields: &[(&str, &str)]) -> Submission {
        Submission::new().with_fields(fields.iter().copied()).with_file(FilePart::new("a.txt", 1))
    }

    fn ec(s: &Submission, options: &VerifyOptions) -> Option<String> {
        layout(s, options).err().and_then(|r| r.ec().map(str::to_owned))
    }

    #[test]
    fn size_limits_have_their_ecs() {
        let o = VerifyOptions::default();
        let long_name = "n".repeat(MAX_FIELD_NAME_LEN + 1);
        assert_eq!(ec(&sub(&[("key", "k"), (&long_name, "v")]), &o).as_deref(), Some("0006-00000110"));
        assert!(layout(&sub(&[("key", "k"), (&"n".repeat(MAX_FIELD_NAME_LEN), "v")]), &o).is_ok());
        let long_value = "v".repeat(MAX_FIELD_VALUE_LEN + 1);
        assert_eq!(ec(&sub(&[("key", "k"), ("a", &long_value)]), &o).as_deref(), Some("0006-00000111"));
        let two_mb = "v".repeat(MAX_FIELD_VALUE_LEN);
        let five: Vec<(String, &str)> = (0..5).map(|i| (format!("f{i}"), two_mb.as_str())).collect();
        let mut s = Submission::new().with_field("key", "k");
        s = s.with_fields(five.iter().map(|(n, v)| (n.as_str(), *v))).with_file(FilePart::new("a", 1));
        assert_eq!(ec(&s, &o).as_deref(), Some("0006-00000112"));
    }

    #[test]
    fn exactly_one_file() {
        let o = VerifyOptions::default();
        let none = Submission::new().with_field("key", "k");
        let r = layout(&none, &o).unwrap_err();
        assert_eq!((r.code(), r.ec()), ("IncorrectNumberOfFilesInPOSTRequest", Some("0006-00000104")));
        let two = sub(&[("key", "k")]).with_file(FilePart::new("b", 1));
        assert_eq!(layout(&two, &o).unwrap_err().code(), "IncorrectNumberOfFilesInPOSTRequest");
    }

    #[test]
    fn file_last_and_key_first() {
        let strict = VerifyOptions::default();
        let lenient = VerifyOptions::default().trailing_fields(TrailingFields::IgnoreUnknown);
        let trailing_submit = sub(&[("key", "k")]).with_field("submit", "Upload");
        assert_eq!(ec(&trailing_submit, &strict).as_deref(), Some("0006-00000103"));
        let view = layout(&trailing_submit, &lenient).unwrap();
        assert_eq!(view.trailing(), [("submit", "Upload")]);
        assert_eq!(view.get("submit"), None);
        let trailing_policy = sub(&[("key", "k")]).with_field("Policy", "p");
        assert_eq!(ec(&trailing_policy, &lenient).as_deref(), Some("0006-00000103"));
        let trailing_key = Submission::new().with_file(FilePart::new("a", 1)).with_field("key", "k");
        let r = layout(&trailing_key, &lenient).unwrap_err();
        assert_eq!((r.code(), r.ec(), r.argument_value()), ("InvalidArgument", Some("0006-00000103"), Some("key")));
        assert_eq!(ec(&sub(&[("name", "x")]), &strict).as_deref(), Some("0006-00000103"));
        assert_eq!(ec(&sub(&[("key", "")]), &strict).as_deref(), Some("0006-00000103"));
        // A position past the end is read as "last".
        let mut late = sub(&[("key", "k")]);
        late.files[0].position = 99;
        assert!(layout(&late, &strict).is_ok());
    }

    #[test]
    fn names_follow_the_case_option() {
        let s = sub(&[("KEY", "k"), ("Content-Type", "text/plain")]);
        let view = layout(&s, &VerifyOptions::default()).unwrap();
        assert_eq!(view.get("content-type"), Some("text/plain"));
        assert!(view.same_name("Key", "kEY"));
        let strict = VerifyOptions::default().field_name_case(FieldNameCase::Strict);
        assert_eq!(ec(&s, &strict).as_deref(), Some("0006-00000103"), "KEY is not key");
        let s = sub(&[("key", "k"), ("Content-Type", "text/plain")]);
        let view = layout(&s, &strict).unwrap();
        assert_eq!((view.get("content-type"), view.get("Content-Type")), (None, Some("text/plain")));
    }

    #[test]
    fn known_duplicates_are_refused_unknown_ones_kept() {
        let o = VerifyOptions::default();
        let r = layout(&sub(&[("key", "a"), ("Key", "b")]), &o).unwrap_err();
        assert_eq!((r.code(), r.argument_value()), ("InvalidArgument", Some("key")));
        assert!(layout(&sub(&[("key", "a"), ("x-oss-meta-a", "1"), ("X-OSS-META-A", "2")]), &o).is_err());
        let tags = sub(&[("key", "a"), ("tag", "1"), ("tag", "2")]);
        let view = layout(&tags, &o).unwrap();
        assert_eq!(view.get("tag"), Some("1"));
        assert_eq!(view.duplicated().collect::<Vec<_>>(), ["tag"]);
    }

    #[test]
    fn large_forms_are_indexed_like_small_ones() {
        let mut names: Vec<String> = (0..LINEAR_SCAN_MAX).map(|i| format!("Tag-{i}")).collect();
        names.extend(["key", "TAG-3", "x-oss-security-token", "tag-3"].map(str::to_owned));
        let values: Vec<String> = (0..names.len()).map(|i| i.to_string()).collect();
        let fields: Vec<(&str, &str)> =
            names.iter().map(String::as_str).zip(values.iter().map(String::as_str)).collect();
        let s = sub(&fields);
        for (case, tag3, dups) in
            [(FieldNameCase::Insensitive, Some("3"), vec!["Tag-3"]), (FieldNameCase::Strict, Some("35"), vec![])]
        {
            let mut view = layout(&s, &VerifyOptions::default().field_name_case(case)).unwrap();
            assert!(view.index.is_some(), "{} fields are hashed", fields.len());
            assert_eq!(view.get("tag-3"), tag3, "{case:?}");
            assert_eq!(view.get("Tag-3"), Some("3"));
            assert_eq!(view.get("tag-99"), None);
            assert_eq!(view.duplicated().collect::<Vec<_>>(), dups, "{case:?}");
            view.forget("x-oss-security-token");
            assert_eq!(view.get("x-oss-security-token"), None);
            assert_eq!(view.fields().count(), fields.len() - 1);
            view.forget("TAG-3");
            let tags = if case == FieldNameCase::Strict { 1 } else { 3 };
            assert_eq!(view.fields().count(), fields.len() - 1 - tags, "{case:?}");
            assert_eq!(view.duplicated().count(), 0);
        }
        let strict = VerifyOptions::default().field_name_case(FieldNameCase::Strict);
        let twice = sub(&[fields.as_slice(), &[("x-oss-security-token", "t")]].concat());
        assert_eq!(layout(&twice, &strict).unwrap_err().argument_value(), Some("x-oss-security-token"));
    }

    #[test]
    fn known_fields_in_any_case() {
        for name in ["Key", "POLICY", "Content-Type", "x-OSS-anything", "X:uid", "callback-var"] {
            assert!(is_known_field(name), "{name}");
        }
        for name in ["submit", "keys", "x-os", "x", "", "x-oss", "é"] {
            assert!(!is_known_field(name), "{name}");
        }
    }

    #[test]
    fn forgotten_fields_are_absent() {
        let s = sub(&[("key", "a"), ("x-oss-security-token", "")]);
        let mut view = layout(&s, &VerifyOptions::default()).unwrap();
        view.forget("X-OSS-Security-Token");
        assert_eq!(view.get(SECURITY_TOKEN), None);
        assert_eq!(view.fields().collect::<Vec<_>>(), [("key", "a")]);
    }

    #[test]
    fn debug_redacts_the_token() {
        let s = sub(&[("key", "a"), ("x-oss-security-token", "CAIS-SECRET")]);
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("CAIS-SECRET") && dbg.contains("<redacted>"), "{dbg}");
    }
}
