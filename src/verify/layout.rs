//! The layout and size rules OSS applies before reading any field (`docs/oss-rules.md` §1 and
//! §2), and the form as the later checks read it.

use std::cmp::Ordering;

use super::options::{FieldNameCase, TrailingFields, VerifyOptions};
use super::rejection::Rejection;
use super::submission::{
    CALLBACK_VAR, FilePart, MAX_FIELD_NAME_LEN, MAX_FIELD_VALUE_LEN, MAX_PRE_FILE_LEN, OSS_PREFIX, Submission,
};
use crate::field::{ACCESS_KEY_ID_V1, CALLBACK_VAR_PREFIX, Field, KEY, POLICY, SIGNATURE_V1};

/// The other fields OSS reads, besides the `x-oss-` and `x:` families.
const KNOWN_NAMES: [&str; 4] = [POLICY, ACCESS_KEY_ID_V1, SIGNATURE_V1, CALLBACK_VAR];

/// Whether `name` starts with the ASCII `prefix`, ignoring ASCII case.
fn has_prefix_ignoring_case(name: &str, prefix: &str) -> bool {
    name.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Whether OSS reads this field (so it can never be harmless trailing junk or an ignorable
/// duplicate): every named [`Field`] but `bucket` (OSS compares that with the target, not with
/// a form field), the signature fields, and the `x-oss-` and `x:` families. Names in any case.
pub(crate) fn is_known_field(name: &str) -> bool {
    Field::named_by_name(name).is_some_and(|field| !field.is_bucket())
        || KNOWN_NAMES.iter().any(|known| known.eq_ignore_ascii_case(name))
        || has_prefix_ignoring_case(name, OSS_PREFIX)
        || has_prefix_ignoring_case(name, CALLBACK_VAR_PREFIX)
}

/// A field name as the form compares names: ignoring ASCII case unless the options say
/// [`FieldNameCase::Strict`]. Comparing it allocates nothing; a lookup in the sorted index
/// takes O(log n) comparisons however many fields an attacker sends.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Name<'a> {
    text: &'a str,
    fold_case: bool,
}

impl<'a> Name<'a> {
    /// The name as fields are compared under `case`.
    pub(crate) fn new(text: &'a str, case: FieldNameCase) -> Self {
        Self { text, fold_case: case == FieldNameCase::Insensitive }
    }
}

/// Shorter names first, so that most comparisons stop at the length; then byte by byte.
impl Ord for Name<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        let by_length = self.text.len().cmp(&other.text.len());
        if by_length != Ordering::Equal {
            by_length
        } else if self.fold_case {
            self.text.bytes().map(|b| b.to_ascii_lowercase()).cmp(other.text.bytes().map(|b| b.to_ascii_lowercase()))
        } else {
            self.text.cmp(other.text)
        }
    }
}

impl PartialOrd for Name<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Name<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Name<'_> {}

/// The submission after the layout checks: the fields before the file, indexed by name.
#[derive(Debug)]
pub(crate) struct FormView<'a> {
    fields: Vec<(&'a str, &'a str)>,
    /// Each name once, sorted, with the value of its first occurrence, its number of
    /// occurrences and the position of the first: a lookup is a binary search.
    index: Vec<(Name<'a>, &'a str, usize, usize)>,
    /// The names sent more than once, in form order of their first occurrence.
    duplicated: Vec<&'a str>,
    trailing: Vec<(&'a str, &'a str)>,
    file: &'a FilePart,
    case: FieldNameCase,
}

impl<'a> FormView<'a> {
    /// The name as the index compares it, by the case option.
    pub(crate) fn name<'n>(&self, text: &'n str) -> Name<'n> {
        Name::new(text, self.case)
    }

    /// The index entry of a name.
    fn entry(&self, name: &str) -> Option<(&'a str, usize, usize)> {
        let name = self.name(name);
        let at = self.index.binary_search_by(|(n, ..)| n.cmp(&name)).ok()?;
        let (_, value, count, first) = self.index[at];
        Some((value, count, first))
    }

    /// Whether two names are the same field, by the case option.
    pub(crate) fn same_name(&self, a: &str, b: &str) -> bool {
        match self.case {
            FieldNameCase::Insensitive => a.eq_ignore_ascii_case(b),
            FieldNameCase::Strict => a == b,
        }
    }

    /// Whether `name` starts with the ASCII `prefix`, by the case option.
    pub(crate) fn has_prefix(&self, name: &str, prefix: &str) -> bool {
        match self.case {
            FieldNameCase::Insensitive => has_prefix_ignoring_case(name, prefix),
            FieldNameCase::Strict => name.starts_with(prefix),
        }
    }

    /// The value of the first field with this name.
    pub(crate) fn get(&self, name: &str) -> Option<&'a str> {
        self.entry(name).map(|(value, _, _)| value)
    }

    /// Treats the field as absent from now on, every occurrence of it.
    pub(crate) fn forget(&mut self, name: &'static str) {
        let key = self.name(name);
        self.index.retain(|(n, ..)| *n != key);
        self.fields.retain(|(n, _)| Name { text: n, fold_case: key.fold_case } != key);
        self.duplicated.retain(|n| Name { text: n, fold_case: key.fold_case } != key);
    }

    /// The fields that count, in form order (forgotten ones left out).
    pub(crate) fn fields(&self) -> impl Iterator<Item = (&'a str, &'a str)> + '_ {
        self.fields.iter().copied()
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
        self.duplicated.iter().copied()
    }
}

/// Names ≤ 8 KB (0006-00000110) and values ≤ 2 MB (0006-00000111), the first field at fault
/// reported.
pub(crate) fn check_field_lengths(fields: &[(String, String)]) -> Result<(), Rejection> {
    for (name, value) in fields {
        if name.len() > MAX_FIELD_NAME_LEN {
            return Err(Rejection::field_name_too_long());
        }
        if value.len() > MAX_FIELD_VALUE_LEN {
            return Err(Rejection::field_value_too_long(name));
        }
    }
    Ok(())
}

/// Whether a field sent after the file is refused (0006-00000103): any field by default, and
/// always one OSS reads. The policy's own names are checked later, once it is read.
pub(crate) fn trailing_refused(name: &str, option: TrailingFields) -> bool {
    option == TrailingFields::Reject || is_known_field(name)
}

/// The layout and size checks, in this order: name and value lengths, number of files, the
/// 8 MB before the file, fields after the file, `key` before the file, and known fields sent
/// twice.
pub(crate) fn layout<'a>(sub: &'a Submission, options: &VerifyOptions) -> Result<FormView<'a>, Rejection> {
    check_field_lengths(&sub.fields)?;
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
    if let Some((name, _)) = after.iter().find(|(n, _)| trailing_refused(n, options.trailing_fields)) {
        return Err(Rejection::field_order(name));
    }
    let mut view = FormView {
        fields: before.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect(),
        index: Vec::new(),
        duplicated: Vec::new(),
        trailing: after.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect(),
        file,
        case: options.field_name_case,
    };
    let mut sorted: Vec<(Name<'a>, &'a str, usize)> =
        view.fields.iter().enumerate().map(|(at, &(name, value))| (view.name(name), value, at)).collect();
    // Stable: the first occurrence of a name stays first among its equals.
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, value, at) in sorted {
        match view.index.last_mut() {
            Some((last, _, count, _)) if *last == name => *count += 1,
            _ => view.index.push((name, value, 1, at)),
        }
    }
    // In form order of their first occurrence.
    let mut duplicated: Vec<(usize, &str)> =
        view.index.iter().filter(|(.., count, _)| *count > 1).map(|&(name, .., first)| (first, name.text)).collect();
    duplicated.sort_unstable();
    view.duplicated = duplicated.into_iter().map(|(_, name)| name).collect();
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
    use crate::field::SECURITY_TOKEN;

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
    fn large_forms_behave_like_small_ones() {
        let mut names: Vec<String> = (0..32).map(|i| format!("Tag-{i}")).collect();
        names.extend(["key", "TAG-3", "x-oss-security-token", "tag-3"].map(str::to_owned));
        let values: Vec<String> = (0..names.len()).map(|i| i.to_string()).collect();
        let fields: Vec<(&str, &str)> =
            names.iter().map(String::as_str).zip(values.iter().map(String::as_str)).collect();
        let s = sub(&fields);
        for (case, tag3, dups) in
            [(FieldNameCase::Insensitive, Some("3"), vec!["Tag-3"]), (FieldNameCase::Strict, Some("35"), vec![])]
        {
            let mut view = layout(&s, &VerifyOptions::default().field_name_case(case)).unwrap();
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
        for name in ["Key", "POLICY", "Content-Type", "x-OSS-anything", "X:uid", "callback-var", "ossaccesskeyid"] {
            assert!(is_known_field(name), "{name}");
        }
        for name in ["submit", "keys", "x-os", "x", "", "x-oss", "é", "bucket"] {
            assert!(!is_known_field(name), "{name}");
        }
    }

    #[test]
    fn prefixes_never_split_characters() {
        let s = sub(&[("key", "k")]);
        let view = layout(&s, &VerifyOptions::default()).unwrap();
        assert!(view.has_prefix("X-OSS-META-a", "x-oss-meta-"));
        assert!(!view.has_prefix("x-oss-mé", "x-oss-meta-") && !view.has_prefix("é", "x:"));
    }

    #[test]
    fn forgotten_fields_are_absent() {
        let s = sub(&[("key", "a"), ("x-oss-security-token", "")]);
        let mut view = layout(&s, &VerifyOptions::default()).unwrap();
        view.forget("X-OSS-Security-Token");
        assert_eq!(view.get(SECURITY_TOKEN), None);
        assert_eq!(view.fields().collect::<Vec<_>>(), [("key", "a")]);
    }
}
