//! Policy conditions: the one type the builder, exact policy texts and the verifier share.
//!
//! A condition is one element of the policy's `conditions` list:
//! `{"field": "value"}` (exact match), `["eq", "$field", "value"]`,
//! `["starts-with", "$field", "prefix"]`, `["content-length-range", min, max]`,
//! `["in", "$field", [...]]` or `["not-in", "$field", [...]]`.

use std::borrow::Cow;
use std::fmt;

use crate::error::{Error, Result};
use crate::field::{Field, REDACTED, SECURITY_TOKEN};

/// One element of a policy's `conditions` list.
///
/// Values are the values OSS compares with: a policy text's `\$` (a literal `$`) is already
/// resolved when a policy is read.
///
/// ```
/// use oss_post_policy::{Condition, Field};
///
/// let c = Condition::StartsWith { field: Field::Key, prefix: "user-dir/".into() };
/// assert_eq!(c.to_string(), r#"["starts-with","$key","user-dir/"]"#);
/// assert!(c.holds("user-dir/cat.png"));
/// assert!(!c.holds("other/cat.png"));
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Condition {
    /// `{"field": "value"}`: the field must equal the value.
    Exact {
        /// The field.
        field: Field,
        /// The required value.
        value: String,
    },
    /// `["eq", "$field", "value"]`: the field must equal the value.
    Eq {
        /// The field.
        field: Field,
        /// The required value.
        value: String,
    },
    /// `["starts-with", "$field", "prefix"]`.
    StartsWith {
        /// The field.
        field: Field,
        /// The required prefix (empty: any value, but the field must be sent).
        prefix: String,
    },
    /// `["content-length-range", min, max]`: file size in bytes, both ends inclusive.
    ContentLengthRange {
        /// Smallest size allowed.
        min: u64,
        /// Largest size allowed.
        max: u64,
    },
    /// `["in", "$field", [values]]`: the field must be one of the values.
    In {
        /// The field.
        field: Field,
        /// The allowed values.
        values: Vec<String>,
    },
    /// `["not-in", "$field", [values]]`: the field must be none of the values.
    NotIn {
        /// The field.
        field: Field,
        /// The refused values.
        values: Vec<String>,
    },
}

/// How a condition is written: as the policy holds it, or as OSS quotes it in messages.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    /// Between list elements: `,` in a policy, `, ` in OSS's messages.
    separator: &'static str,
    /// Write each `$` of a value as `\$`, OSS's literal dollar.
    escape_dollar: bool,
    /// Write the map form `{"f": "v"}` as `["eq", "$f", "v"]`, as in OSS's messages.
    message: bool,
    /// Show `<redacted>` for the values of `x-oss-security-token`: everywhere but in a policy.
    redact: bool,
}

impl Style {
    /// Compact policy JSON, as ali-oss writes it.
    pub(crate) const fn policy(escape_dollar: bool) -> Self {
        Self { separator: ",", escape_dollar, message: false, redact: false }
    }

    /// As OSS re-renders a condition in `Policy Condition failed: ...` messages.
    pub(crate) const MESSAGE: Self = Self { separator: ", ", escape_dollar: false, message: true, redact: true };

    /// Compact policy JSON for people (`Display`, `Debug`, errors): a token is redacted.
    const SHOWN: Self = Self { redact: true, ..Self::policy(false) };
}

/// Appends `s` as a JSON string (`serde_json`'s escaping, which is `JSON.stringify`'s), each `$`
/// written as `\$` when asked.
///
/// A string with nothing to escape, as policy values and STS tokens usually are, is copied
/// as is: checking that takes a tenth of what `serde_json`'s byte-by-byte writer takes on the
/// 600-character token of a signed policy (`benches/post_policy.rs`).
pub(crate) fn write_json_str(out: &mut Vec<u8>, s: &str, escape_dollar: bool) {
    let s: Cow<'_, str> = if escape_dollar && s.contains('$') { s.replace('$', "\\$").into() } else { s.into() };
    // No early exit, so the compiler can check many bytes at a time.
    #[allow(clippy::nonminimal_bool, clippy::needless_bitwise_bool, reason = "branch-free, so it vectorises")]
    let plain = !s.bytes().fold(false, |any, b| any | (b < 0x20) | (b == b'"') | (b == b'\\'));
    if plain {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        serde_json::to_writer(out, &*s).expect("a string serialises into a Vec");
    }
}

impl Condition {
    /// The field constrained, if any (`content-length-range` has none).
    pub fn field(&self) -> Option<&Field> {
        match self {
            Self::Exact { field, .. }
            | Self::Eq { field, .. }
            | Self::StartsWith { field, .. }
            | Self::In { field, .. }
            | Self::NotIn { field, .. } => Some(field),
            Self::ContentLengthRange { .. } => None,
        }
    }

    /// The operator as written in the list form (`eq` for the map form).
    pub fn operator(&self) -> &'static str {
        match self {
            Self::Exact { .. } | Self::Eq { .. } => "eq",
            Self::StartsWith { .. } => "starts-with",
            Self::ContentLengthRange { .. } => "content-length-range",
            Self::In { .. } => "in",
            Self::NotIn { .. } => "not-in",
        }
    }

    /// Whether a field value satisfies the condition (values are case-sensitive). Always true
    /// for `content-length-range`, which constrains the file, not a field.
    pub fn holds(&self, value: &str) -> bool {
        match self {
            Self::Exact { value: want, .. } | Self::Eq { value: want, .. } => value == want,
            // An empty prefix admits any value; the field must still be sent (S3 semantics,
            // [UNVERIFIED] for OSS).
            Self::StartsWith { prefix, .. } => value.starts_with(prefix.as_str()),
            Self::In { values, .. } => values.iter().any(|v| v == value),
            Self::NotIn { values, .. } => values.iter().all(|v| v != value),
            Self::ContentLengthRange { .. } => true,
        }
    }

    /// Every string value the condition compares with.
    pub(crate) fn values(&self) -> &[String] {
        match self {
            Self::Exact { value, .. } | Self::Eq { value, .. } | Self::StartsWith { prefix: value, .. } => {
                std::slice::from_ref(value)
            }
            Self::In { values, .. } | Self::NotIn { values, .. } => values,
            Self::ContentLengthRange { .. } => &[],
        }
    }

    /// The value this condition pins its field to, for exact matches.
    pub(crate) fn fixed_value(&self) -> Option<&str> {
        match self {
            Self::Exact { value, .. } | Self::Eq { value, .. } => Some(value),
            _ => None,
        }
    }

    /// Checks the condition on its own: field name, value sets, bounds, empty lists.
    pub(crate) fn check(&self) -> Result<()> {
        if let Some(field) = self.field() {
            field.check()?;
        }
        match self {
            Self::Exact { field, value } | Self::Eq { field, value } => field.check_value(value),
            Self::In { field, values } | Self::NotIn { field, values } => {
                if values.is_empty() {
                    return Err(Error::EmptyValueList { operator: self.operator(), field: field.name().to_owned() });
                }
                if matches!(self, Self::In { .. }) {
                    values.iter().try_for_each(|v| field.check_value(v))?;
                }
                Ok(())
            }
            Self::ContentLengthRange { min, max } if min > max => {
                Err(Error::InvalidContentLengthRange { min: *min, max: *max })
            }
            Self::StartsWith { .. } | Self::ContentLengthRange { .. } => Ok(()),
        }
    }

    /// Refuses `later` if no upload can satisfy it together with `self`: a value one pins
    /// that the other refuses, two different size ranges, two `in` lists with nothing in
    /// common. Field names are compared as OSS does, ignoring case.
    pub(crate) fn check_compatible(&self, later: &Self) -> Result<()> {
        let conflict = match (self, later) {
            (Self::ContentLengthRange { .. }, Self::ContentLengthRange { .. }) => self != later,
            (Self::In { values: a, field: fa }, Self::In { values: b, field: fb }) => {
                fa == fb && !a.iter().any(|v| b.contains(v))
            }
            _ => match (self.field(), later.field()) {
                (Some(a), Some(b)) if a == b => !Self::agree(self, later) || !Self::agree(later, self),
                _ => false,
            },
        };
        if conflict {
            let name = self.field().map_or("content-length-range", Field::name).to_owned();
            return Err(Error::ConflictingConditions {
                field: name,
                first: self.to_string(),
                second: later.to_string(),
            });
        }
        Ok(())
    }

    /// Whether a fixed value in `a` satisfies `b` (true when `a` fixes nothing).
    fn agree(a: &Self, b: &Self) -> bool {
        a.fixed_value().is_none_or(|v| b.holds(v))
    }

    /// Appends the condition as JSON in `style`.
    pub(crate) fn write_json(&self, out: &mut Vec<u8>, style: Style) {
        let sep = style.separator.as_bytes();
        let redact = style.redact && self.field().is_some_and(|f| f.name().eq_ignore_ascii_case(SECURITY_TOKEN));
        let value = |out: &mut Vec<u8>, v: &str| {
            write_json_str(out, if redact { REDACTED } else { v }, style.escape_dollar);
        };
        match self {
            Self::Exact { field, value: v } if !style.message => {
                out.push(b'{');
                write_json_str(out, field.name(), false);
                out.push(b':');
                value(out, v);
                out.push(b'}');
            }
            Self::ContentLengthRange { min, max } => {
                out.extend_from_slice(b"[\"content-length-range\"");
                for bound in [min, max] {
                    out.extend_from_slice(sep);
                    serde_json::to_writer(&mut *out, bound).expect("a number serialises into a Vec");
                }
                out.push(b']');
            }
            Self::Exact { field, value: v } | Self::Eq { field, value: v } | Self::StartsWith { field, prefix: v } => {
                self.write_head(out, field, sep);
                value(out, v);
                out.push(b']');
            }
            Self::In { field, values } | Self::NotIn { field, values } => {
                self.write_head(out, field, sep);
                out.push(b'[');
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        out.extend_from_slice(sep);
                    }
                    value(out, v);
                }
                out.extend_from_slice(b"]]");
            }
        }
    }

    /// `["op",` `"$field",` with the style's separators.
    fn write_head(&self, out: &mut Vec<u8>, field: &Field, sep: &[u8]) {
        out.push(b'[');
        write_json_str(out, self.operator(), false);
        out.extend_from_slice(sep);
        let quote = out.len();
        write_json_str(out, field.name(), false);
        out.insert(quote + 1, b'$');
        out.extend_from_slice(sep);
    }

    /// The condition as OSS quotes it in `Policy Condition failed: ...` messages:
    /// `["starts-with", "$key", "user-dir/"]`, the map form as `eq`, a security token's value
    /// shown as `<redacted>` ([EC-0006-00000227], [TS]).
    pub(crate) fn to_message(&self) -> String {
        let mut out = Vec::new();
        self.write_json(&mut out, Style::MESSAGE);
        String::from_utf8(out).expect("JSON written from strings is UTF-8")
    }
}

/// The condition as compact policy JSON, without dollar escaping, the value of an
/// `x-oss-security-token` condition shown as `<redacted>` (so errors quoting a condition never
/// show a token).
impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Vec::new();
        self.write_json(&mut out, Style::SHOWN);
        f.write_str(&String::from_utf8_lossy(&out))
    }
}

/// `Condition(` its `Display` `)`: the JSON, a token redacted.
impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Condition").field(&format_args!("{self}")).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eq(field: Field, v: &str) -> Condition {
        Condition::Eq { field, value: v.into() }
    }

    fn list(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    #[test]
    fn json_shapes_match_the_oss_policy_appendix() {
        // Shapes from the policy sample of Alibaba's direct-upload guide and the PostObject
        // policy appendix ([PO-EN]).
        let cases = [
            (Condition::Exact { field: Field::Bucket, value: "examplebucket".into() }, r#"{"bucket":"examplebucket"}"#),
            (Condition::ContentLengthRange { min: 1, max: 10 }, r#"["content-length-range",1,10]"#),
            (eq(Field::SuccessActionStatus, "201"), r#"["eq","$success_action_status","201"]"#),
            (
                Condition::StartsWith { field: Field::Key, prefix: "user/eric/".into() },
                r#"["starts-with","$key","user/eric/"]"#,
            ),
            (
                Condition::In { field: Field::custom("content-type"), values: list(&["image/jpeg", "image/png"]) },
                r#"["in","$content-type",["image/jpeg","image/png"]]"#,
            ),
            (
                Condition::NotIn { field: Field::custom("cache-control"), values: list(&["no-cache"]) },
                r#"["not-in","$cache-control",["no-cache"]]"#,
            ),
            (Condition::Exact { field: Field::meta("tag"), value: "a\"b".into() }, r#"{"x-oss-meta-tag":"a\"b"}"#),
        ];
        for (cond, want) in cases {
            assert_eq!(cond.to_string(), want);
        }
    }

    #[test]
    fn strings_are_escaped_as_serde_json_writes_them() {
        let long = "CAIS".repeat(150);
        for s in ["", "plain", "q\"b\\s", "\u{0}\u{1f}\n\t\u{7f}", "ünï 🦀 \u{2028}", &long, &format!("{long}\"")] {
            let mut out = Vec::new();
            write_json_str(&mut out, s, false);
            assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(s).unwrap());
        }
        let mut out = Vec::new();
        write_json_str(&mut out, "a$b${filename}", true);
        assert_eq!(String::from_utf8(out).unwrap(), r#""a\\$b\\${filename}""#);
    }

    #[test]
    fn messages_quote_as_oss_does() {
        let cond = Condition::Exact { field: Field::custom(SECURITY_TOKEN), value: "CAIS-token".into() };
        assert_eq!(cond.to_message(), r#"["eq", "$x-oss-security-token", "<redacted>"]"#);
        assert_eq!(cond.to_string(), r#"{"x-oss-security-token":"<redacted>"}"#, "Display too");
        assert_eq!(format!("{cond:?}"), r#"Condition({"x-oss-security-token":"<redacted>"})"#);
        let mut policy = Vec::new();
        cond.write_json(&mut policy, Style::policy(false));
        assert_eq!(policy, br#"{"x-oss-security-token":"CAIS-token"}"#, "the policy itself carries it");
        let cond = Condition::In { field: Field::ContentType, values: list(&["a", "b"]) };
        assert_eq!(cond.to_message(), r#"["in", "$Content-Type", ["a", "b"]]"#);
        assert_eq!(Condition::ContentLengthRange { min: 1, max: 2 }.to_message(), r#"["content-length-range", 1, 2]"#);
    }

    #[test]
    fn holds_follows_each_operator() {
        let prefix = Condition::StartsWith { field: Field::Key, prefix: "user/".into() };
        assert!(prefix.holds("user/a") && !prefix.holds("User/a"));
        assert!(Condition::StartsWith { field: Field::Key, prefix: String::new() }.holds("anything"));
        let within = Condition::In { field: Field::ContentType, values: list(&["image/png"]) };
        assert!(within.holds("image/png") && !within.holds("image/PNG"));
        let outside = Condition::NotIn { field: Field::ContentType, values: list(&["image/png"]) };
        assert!(!outside.holds("image/png") && outside.holds("image/gif"));
        assert!(eq(Field::Key, "a").holds("a") && !eq(Field::Key, "a").holds("a "));
    }

    #[test]
    fn checks_refuse_bad_values_ranges_and_lists() {
        assert!(matches!(
            eq(Field::custom("X-OSS-Storage-Class"), "Cold").check(),
            Err(Error::InvalidFieldValue { .. })
        ));
        assert!(matches!(
            Condition::In { field: Field::ServerSideEncryption, values: list(&["AES256", "DES"]) }.check(),
            Err(Error::InvalidFieldValue { value, .. }) if value == "DES"
        ));
        // not-in pins no value, so it is not checked against the set.
        assert!(Condition::NotIn { field: Field::ObjectAcl, values: list(&["x"]) }.check().is_ok());
        assert_eq!(
            Condition::ContentLengthRange { min: 10, max: 1 }.check(),
            Err(Error::InvalidContentLengthRange { min: 10, max: 1 })
        );
        assert!(Condition::ContentLengthRange { min: 0, max: 0 }.check().is_ok());
        assert_eq!(
            Condition::In { field: Field::ContentType, values: vec![] }.check(),
            Err(Error::EmptyValueList { operator: "in", field: "Content-Type".into() })
        );
    }

    #[test]
    fn conflicts_are_found_whatever_the_spelling() {
        let a = eq(Field::ContentType, "image/png");
        let b = Condition::Exact { field: Field::custom("content-type"), value: "image/jpeg".into() };
        assert!(
            matches!(a.check_compatible(&b), Err(Error::ConflictingConditions { field, .. }) if field == "Content-Type")
        );
        assert!(a.check_compatible(&eq(Field::custom("content-type"), "image/png")).is_ok());
        let prefix = Condition::StartsWith { field: Field::Key, prefix: "user/".into() };
        assert!(eq(Field::Key, "other/x").check_compatible(&prefix).is_err());
        assert!(prefix.check_compatible(&eq(Field::Key, "user/x")).is_ok());
        let not_in = Condition::NotIn { field: Field::ContentType, values: list(&["image/png"]) };
        assert!(a.check_compatible(&not_in).is_err());
        let r1 = Condition::ContentLengthRange { min: 1, max: 2 };
        assert!(r1.check_compatible(&Condition::ContentLengthRange { min: 1, max: 3 }).is_err());
        assert!(r1.check_compatible(&r1.clone()).is_ok());
        // Two `in` lists no value satisfies both, however the field is spelled.
        let png = Condition::In { field: Field::ContentType, values: list(&["image/png"]) };
        let jpeg = Condition::In { field: Field::custom("content-type"), values: list(&["image/jpeg"]) };
        assert!(png.check_compatible(&jpeg).is_err());
        let both = Condition::In { field: Field::custom("content-type"), values: list(&["image/jpeg", "image/png"]) };
        assert!(png.check_compatible(&both).is_ok());
        // Different fields never conflict.
        assert!(a.check_compatible(&eq(Field::CacheControl, "x")).is_ok());
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_json_string_writer_agrees_with_serde_json(s in any::<String>()) {
            let mut out = Vec::new();
            write_json_str(&mut out, &s, false);
            prop_assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&s).unwrap());
        }
    }
}
