//! The policy document as OSS reads it: base64 → UTF-8 → JSON → `expiration` and
//! `conditions`, each condition checked against the grammar of spec section 5, each violation
//! with its EC code.

use std::borrow::Cow;
use std::fmt::Write as _;

use base64::Engine as _;
use time::OffsetDateTime;

use super::policy_base64;
use super::quick_policy::{self, PlainToken};
use super::rejection::Rejection;
use super::strict_json::{self, Json, JsonError, Text};
use crate::encoding::CachedBase64;
use crate::json;
use crate::policy_text::{literal_value, unescape_dollar};
use crate::time_fmt;

/// The top-level key holding the expiration time.
const EXPIRATION: &str = "expiration";
/// The top-level key holding the condition list.
const CONDITIONS: &str = "conditions";

/// A policy document that passed OSS's grammar checks.
///
/// ```
/// use oss_post_policy::verify::{PolicyCondition, PolicyDocument};
///
/// let doc = PolicyDocument::parse(
///     r#"{"expiration": "2023-12-03T13:00:00.000Z", "conditions": [{"bucket": "examplebucket"}, ["starts-with", "$key", "user/"]]}"#,
/// )?;
/// assert_eq!(doc.conditions()[1], PolicyCondition::StartsWith { field: "key".into(), prefix: "user/".into() });
/// assert_eq!(doc.conditions()[1].render(), r#"["starts-with", "$key", "user/"]"#);
/// # Ok::<(), oss_post_policy::verify::Rejection>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyDocument {
    expiration: OffsetDateTime,
    conditions: Vec<PolicyCondition>,
}

/// One condition of a parsed policy, with `$` removed from list-form field names and OSS's
/// `\$` escape resolved in values.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyCondition {
    /// `{"field": "value"}` or `["eq", "$field", "value"]`.
    Eq {
        /// The field name as written (without `$`).
        field: String,
        /// The required value.
        value: String,
    },
    /// `["starts-with", "$field", "prefix"]`.
    StartsWith {
        /// The field name as written (without `$`).
        field: String,
        /// The required prefix.
        prefix: String,
    },
    /// `["in", "$field", [values]]`.
    In {
        /// The field name as written (without `$`).
        field: String,
        /// The allowed values.
        values: Vec<String>,
    },
    /// `["not-in", "$field", [values]]`.
    NotIn {
        /// The field name as written (without `$`).
        field: String,
        /// The refused values.
        values: Vec<String>,
    },
    /// `["content-length-range", min, max]`, inclusive.
    ContentLengthRange {
        /// Smallest file size allowed, in bytes.
        min: u64,
        /// Largest file size allowed, in bytes.
        max: u64,
    },
}

impl PolicyCondition {
    /// The field the condition names (`None` for `content-length-range`).
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Eq { field, .. }
            | Self::StartsWith { field, .. }
            | Self::In { field, .. }
            | Self::NotIn { field, .. } => Some(field),
            Self::ContentLengthRange { .. } => None,
        }
    }

    /// The operator, as written in the list form.
    pub fn operator(&self) -> &'static str {
        match self {
            Self::Eq { .. } => "eq",
            Self::StartsWith { .. } => "starts-with",
            Self::In { .. } => "in",
            Self::NotIn { .. } => "not-in",
            Self::ContentLengthRange { .. } => "content-length-range",
        }
    }

    /// Whether `value` satisfies the condition (values are case-sensitive). Always true for
    /// `content-length-range`, which constrains the file, not a field.
    pub fn holds(&self, value: &str) -> bool {
        match self {
            Self::Eq { value: want, .. } => value == want,
            // An empty prefix admits any value; the field must still be sent (S3 semantics,
            // [UNVERIFIED] for OSS).
            Self::StartsWith { prefix, .. } => value.starts_with(prefix.as_str()),
            Self::In { values, .. } => values.iter().any(|v| v == value),
            Self::NotIn { values, .. } => values.iter().all(|v| v != value),
            Self::ContentLengthRange { .. } => true,
        }
    }

    /// The condition as OSS re-renders it in `Policy Condition failed: ...` messages:
    /// `[op, "$field", value]` with `", "` separators and `$` added (\[EC-0006-00000227\], \[TS\]).
    /// The map form is rendered as `eq`. A condition on `x-oss-security-token` shows
    /// `<redacted>` instead of the token.
    pub fn render(&self) -> String {
        let mut out = String::from("[\"");
        out.push_str(self.operator());
        out.push('"');
        let Some(field) = self.field() else {
            if let Self::ContentLengthRange { min, max } = self {
                write!(out, ", {min}, {max}]").expect("writing to a String cannot fail");
            }
            return out;
        };
        out.push_str(", ");
        json::push_str(&mut out, &format!("${field}"), false);
        out.push_str(", ");
        let redact = field.eq_ignore_ascii_case(crate::condition::SECURITY_TOKEN);
        let push = |out: &mut String, v: &str| json::push_str(out, if redact { "<redacted>" } else { v }, false);
        match self {
            Self::Eq { value, .. } | Self::StartsWith { prefix: value, .. } => push(&mut out, value),
            Self::In { values, .. } | Self::NotIn { values, .. } => {
                out.push('[');
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    push(&mut out, v);
                }
                out.push(']');
            }
            Self::ContentLengthRange { .. } => {}
        }
        out.push(']');
        out
    }
}

impl PolicyDocument {
    /// Decodes and checks the `policy` form value: base64 (0006-00000202), UTF-8
    /// (0006-00000203), then [`PolicyDocument::parse`].
    ///
    /// # Errors
    /// A [`Rejection`] with the EC of the first rule broken.
    pub fn from_base64(policy: &str) -> Result<Self, Rejection> {
        Self::parse(&decode_base64(policy)?)
    }

    /// Checks a decoded policy text.
    ///
    /// Accepts OSS's non-JSON `\$` escape in the text, and reads `\$` inside a decoded value as
    /// a literal `$` (how the Java SDK writes one: `\\$` in the JSON). Refuses duplicate keys at
    /// any depth (our decision, against policy injection: 0006-00000201).
    ///
    /// # Errors
    /// A [`Rejection`] with the EC of the first rule broken, in this order: blank (205), JSON
    /// (204), duplicate keys (201), not an object (201), unknown top-level key (206), missing
    /// keys (209, 207, 208), expiration (210, 211, 212), conditions (214, 215), then each
    /// condition in order (201, 216-224).
    pub fn parse(text: &str) -> Result<Self, Rejection> {
        let view = PolicyView::parse(text)?;
        Ok(Self {
            expiration: view.expiration,
            conditions: view.conditions.into_iter().map(Cond::into_owned).collect(),
        })
    }

    /// When the policy expires (UTC).
    pub fn expiration(&self) -> OffsetDateTime {
        self.expiration
    }

    /// The conditions, in policy order.
    pub fn conditions(&self) -> &[PolicyCondition] {
        &self.conditions
    }
}

/// The `policy` form value decoded: base64 (0006-00000202), UTF-8 (0006-00000203).
pub(crate) fn decode_base64(policy: &str) -> Result<String, Rejection> {
    decode_base64_knowing(policy, None)
}

/// [`decode_base64`], copying the bytes of `token` (the trusted STS token's JSON literal)
/// where its cached encoding stands in `policy` instead of decoding them.
pub(crate) fn decode_base64_knowing(policy: &str, token: Option<&CachedBase64>) -> Result<String, Rejection> {
    if is_blank(policy) {
        return Err(Rejection::policy("0006-00000205", "the policy is blank."));
    }
    // Strict standard base64 with padding, as every signer writes it. Whether OSS accepts
    // unpadded or line-wrapped base64 is [UNVERIFIED].
    let bytes = match policy_base64::decode(policy, token) {
        Some(bytes) => bytes,
        None => base64::engine::general_purpose::STANDARD
            .decode(policy)
            .map_err(|_| Rejection::policy("0006-00000202", "the policy is not base64 encoded."))?,
    };
    String::from_utf8(bytes).map_err(|_| Rejection::policy("0006-00000203", "the policy is not UTF-8 encoded."))
}

/// A [`PolicyDocument`] as the verifier reads it, its strings borrowed from the decoded text
/// unless they hold escapes: same checks, no copy of every value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PolicyView<'a> {
    expiration: OffsetDateTime,
    conditions: Vec<Cond<'a>>,
}

/// A [`PolicyCondition`] borrowing its strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cond<'a> {
    Eq { field: Cow<'a, str>, value: Cow<'a, str> },
    StartsWith { field: Cow<'a, str>, prefix: Cow<'a, str> },
    In { field: Cow<'a, str>, values: Vec<Cow<'a, str>> },
    NotIn { field: Cow<'a, str>, values: Vec<Cow<'a, str>> },
    ContentLengthRange { min: u64, max: u64 },
}

impl Cond<'_> {
    /// As [`PolicyCondition::field`].
    pub(crate) fn field(&self) -> Option<&str> {
        match self {
            Self::Eq { field, .. }
            | Self::StartsWith { field, .. }
            | Self::In { field, .. }
            | Self::NotIn { field, .. } => Some(field),
            Self::ContentLengthRange { .. } => None,
        }
    }

    /// As [`PolicyCondition::holds`].
    pub(crate) fn holds(&self, value: &str) -> bool {
        match self {
            Self::Eq { value: want, .. } => value == want,
            Self::StartsWith { prefix, .. } => value.starts_with(prefix.as_ref()),
            Self::In { values, .. } => values.iter().any(|v| v == value),
            Self::NotIn { values, .. } => values.iter().all(|v| v != value),
            Self::ContentLengthRange { .. } => true,
        }
    }

    /// As [`PolicyCondition::render`] (for rejections only, so it may copy).
    pub(crate) fn render(&self) -> String {
        self.clone().into_owned().render()
    }

    /// The public, owned form.
    pub(crate) fn into_owned(self) -> PolicyCondition {
        let strings = |values: Vec<Cow<'_, str>>| values.into_iter().map(Cow::into_owned).collect();
        match self {
            Self::Eq { field, value } => PolicyCondition::Eq { field: field.into_owned(), value: value.into_owned() },
            Self::StartsWith { field, prefix } => {
                PolicyCondition::StartsWith { field: field.into_owned(), prefix: prefix.into_owned() }
            }
            Self::In { field, values } => PolicyCondition::In { field: field.into_owned(), values: strings(values) },
            Self::NotIn { field, values } => {
                PolicyCondition::NotIn { field: field.into_owned(), values: strings(values) }
            }
            Self::ContentLengthRange { min, max } => PolicyCondition::ContentLengthRange { min, max },
        }
    }

    /// The same condition owning its strings.
    fn into_static(self) -> Cond<'static> {
        let own = |s: Cow<'_, str>| Cow::Owned(s.into_owned());
        match self {
            Self::Eq { field, value } => Cond::Eq { field: own(field), value: own(value) },
            Self::StartsWith { field, prefix } => Cond::StartsWith { field: own(field), prefix: own(prefix) },
            Self::In { field, values } => Cond::In { field: own(field), values: values.into_iter().map(own).collect() },
            Self::NotIn { field, values } => {
                Cond::NotIn { field: own(field), values: values.into_iter().map(own).collect() }
            }
            Self::ContentLengthRange { min, max } => Cond::ContentLengthRange { min, max },
        }
    }
}

impl<'a> PolicyView<'a> {
    /// A view of checked conditions.
    pub(crate) fn new(expiration: OffsetDateTime, conditions: Vec<Cond<'a>>) -> Self {
        Self { expiration, conditions }
    }

    /// The checks of [`PolicyDocument::parse`], in its order. A text as signers write it is
    /// read in one pass ([`quick_policy`]); anything else, and every rejection, comes from the
    /// full reader.
    pub(crate) fn parse(text: &'a str) -> Result<Self, Rejection> {
        Self::parse_knowing(text, None)
    }

    /// [`PolicyView::parse`], the quick reader taking an `x-oss-security-token` value that
    /// starts with `token`'s literal as that token without scanning it.
    pub(crate) fn parse_knowing(text: &'a str, token: Option<PlainToken<'_>>) -> Result<Self, Rejection> {
        Self::parse_with(text, true, token)
    }

    /// [`PolicyView::parse`] with the full reader only.
    #[cfg(test)]
    pub(crate) fn parse_full(text: &'a str) -> Result<Self, Rejection> {
        Self::parse_with(text, false, None)
    }

    fn parse_with(text: &'a str, quick: bool, token: Option<PlainToken<'_>>) -> Result<Self, Rejection> {
        if is_blank(text) {
            return Err(Rejection::policy("0006-00000205", "the policy is blank."));
        }
        // The quick reader gives up on any backslash, so a text it reads holds no `\$`.
        if let Some(view) = quick.then(|| quick_policy::parse(text, token)).flatten() {
            return Ok(view);
        }
        match unescape_dollar(text) {
            Cow::Borrowed(text) => Self::parse_json(text),
            // OSS's `\$` in the text: the unescaped copy dies here, so the view owns its strings.
            Cow::Owned(text) => PolicyView::parse_json(&text).map(PolicyView::into_static),
        }
    }

    fn parse_json(text: &'a str) -> Result<Self, Rejection> {
        let doc = strict_json::parse(text).map_err(|e| match e {
            // Legacy message: "Invalid Policy: Invalid JSON: ..." ([TS], [H400]).
            JsonError::Invalid(detail) => Rejection::policy("0006-00000204", format_args!("Invalid JSON: {detail}")),
            // Our decision (policy-injection defence); EC 201 is OSS's catch-all.
            JsonError::DuplicateKey(detail) => {
                Rejection::policy("0006-00000201", format_args!("Invalid JSON: {detail}"))
            }
        })?;
        let Json::Object(entries) = &doc else {
            // [inferred] the catch-all code: the pages name none for a non-object document.
            return Err(Rejection::policy("0006-00000201", "the policy is not a JSON object."));
        };
        if let Some((key, _)) = entries.iter().find(|(k, _)| k != EXPIRATION && k != CONDITIONS) {
            return Err(Rejection::policy("0006-00000206", format_args!("unexpected key {key:?} in the policy.")));
        }
        let (expiration, conditions) = match (doc.get(EXPIRATION), doc.get(CONDITIONS)) {
            (Some(e), Some(c)) => (e, c),
            (None, None) => {
                return Err(Rejection::policy("0006-00000209", "the policy has no expiration and no conditions."));
            }
            (Some(_), None) => return Err(Rejection::policy("0006-00000207", "the policy has no conditions.")),
            (None, Some(_)) => return Err(Rejection::policy("0006-00000208", "the policy has no expiration.")),
        };
        let expiration = parse_expiration_value(expiration)?;
        let Json::Array(list) = conditions else {
            return Err(Rejection::policy(
                "0006-00000214",
                format_args!("conditions must be a list, not a {}.", conditions.type_name()),
            ));
        };
        if list.is_empty() {
            return Err(Rejection::policy("0006-00000215", "conditions is empty."));
        }
        let conditions = list.iter().map(parse_condition).collect::<Result<Vec<_>, _>>()?;
        Ok(Self { expiration, conditions })
    }

    /// The same view owning its strings.
    pub(crate) fn into_static(self) -> PolicyView<'static> {
        PolicyView {
            expiration: self.expiration,
            conditions: self.conditions.into_iter().map(Cond::into_static).collect(),
        }
    }

    /// When the policy expires (UTC).
    pub(crate) fn expiration(&self) -> OffsetDateTime {
        self.expiration
    }

    /// The conditions, in policy order.
    pub(crate) fn conditions(&self) -> &[Cond<'a>] {
        &self.conditions
    }
}

/// A value as OSS reads it ([`literal_value`]), borrowed when it holds no `\$`.
fn literal<'a>(value: &Text<'a>) -> Cow<'a, str> {
    if value.contains('\\') && value.contains("\\$") { Cow::Owned(literal_value(value)) } else { value.to_cow() }
}

/// Blank: empty or JSON whitespace only.
fn is_blank(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

/// EC pages 0006-00000210 (not a string: `123`), 211 (empty), 212 (not ISO 8601:
/// `"2023-02-19 13:19:00"`).
fn parse_expiration_value(value: &Json<'_>) -> Result<OffsetDateTime, Rejection> {
    let Json::Str(s) = value else {
        return Err(Rejection::policy(
            "0006-00000210",
            format_args!("expiration must be a string, not a {}.", value.type_name()),
        ));
    };
    if s.is_empty() {
        return Err(Rejection::policy("0006-00000211", "expiration is empty."));
    }
    time_fmt::parse_expiration(s).ok_or_else(|| {
        Rejection::policy("0006-00000212", format_args!("expiration {s:?} is not an ISO 8601 UTC time."))
    })
}

/// One element of `conditions`: a one-property map or an operator list; anything else is
/// 0006-00000222 (example: `123`).
fn parse_condition<'a>(cond: &Json<'a>) -> Result<Cond<'a>, Rejection> {
    match cond {
        Json::Object(entries) => {
            let [(field, value)] = entries.as_slice() else {
                // Legacy InvalidPolicyDocument text ([TS], [H400]); EC not published, so the
                // catch-all.
                return Err(Rejection::policy(
                    "0006-00000201",
                    "Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.",
                ));
            };
            let Json::Str(value) = value else {
                return Err(Rejection::policy(
                    "0006-00000224",
                    format_args!("the value of {field:?} must be a string, not a {}.", value.type_name()),
                ));
            };
            Ok(Cond::Eq { field: field.to_cow(), value: literal(value) })
        }
        Json::Array(items) => parse_list(items),
        other => Err(Rejection::policy(
            "0006-00000222",
            format_args!("a condition must be a map or a list, not a {}.", other.type_name()),
        )),
    }
}

/// `[op, "$field", value]` or `["content-length-range", min, max]`.
///
/// EC pages: 216 (`[["$key"]]`: no operator form), 217 (unknown operator `ends-with`), 218
/// (not exactly 3 elements), 219 (`[20, 10]`), 220/221 (`"test"` as min/max), 223
/// (`[[1], "test"]`), 224 (`["not-in", "cache-control", "no-cache"]`: wrong value type).
fn parse_list<'a>(items: &[Json<'a>]) -> Result<Cond<'a>, Rejection> {
    let op = match items.first() {
        Some(Json::Str(op)) if items.len() >= 2 => op.as_str(),
        _ => return Err(Rejection::policy("0006-00000216", "a list condition must start with an operator.")),
    };
    if !matches!(op, "eq" | "starts-with" | "in" | "not-in" | "content-length-range") {
        return Err(Rejection::policy("0006-00000217", format_args!("unknown operator {op:?}.")));
    }
    let [_, first, second] = items else {
        return Err(Rejection::policy(
            "0006-00000218",
            format_args!("the {op} condition must have exactly 3 elements, not {}.", items.len()),
        ));
    };
    if op == "content-length-range" {
        return content_length_range(first, second);
    }
    let Json::Str(name) = first else {
        return Err(Rejection::policy(
            "0006-00000224",
            format_args!("the field of the {op} condition must be a string, not a {}.", first.type_name()),
        ));
    };
    // The docs always write "$field"; EC pages 224/226/227 omit the `$` and fail for other
    // reasons, and OSS's message adds it, so a missing `$` is tolerated [UNVERIFIED].
    let field = match name.to_cow() {
        Cow::Borrowed(name) => Cow::Borrowed(name.strip_prefix('$').unwrap_or(name)),
        Cow::Owned(name) => Cow::Owned(name.strip_prefix('$').unwrap_or(&name).to_owned()),
    };
    let wrong_type = |want: &str| {
        Rejection::policy(
            "0006-00000224",
            format_args!("the value of the {op} condition must be a {want}, not a {}.", second.type_name()),
        )
    };
    match op {
        "eq" | "starts-with" => {
            let Json::Str(value) = second else { return Err(wrong_type("string")) };
            let value = literal(value);
            Ok(if op == "eq" { Cond::Eq { field, value } } else { Cond::StartsWith { field, prefix: value } })
        }
        _ => {
            let Json::Array(list) = second else { return Err(wrong_type("list")) };
            let values = list
                .iter()
                .map(|v| match v {
                    Json::Str(v) => Ok(literal(v)),
                    _ => Err(wrong_type("list of strings")),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if op == "in" { Cond::In { field, values } } else { Cond::NotIn { field, values } })
        }
    }
}

/// Bounds must be non-negative JSON integers. The pages say "positive integers", yet official
/// valid examples use `0` as min, so 0 is accepted; negatives, floats (`10.0`) and numeric
/// strings (`"10"`) are refused ([UNVERIFIED]).
fn content_length_range<'a>(min: &Json<'_>, max: &Json<'_>) -> Result<Cond<'a>, Rejection> {
    let bound = |j: &Json, which: &str, ec: &'static str| match j {
        Json::UInt(n) => Ok(*n),
        // [inferred] from EC page 223's example `[[1], "test"]`: a list or map bound.
        Json::Array(_) | Json::Object(_) => Err(Rejection::policy(
            "0006-00000223",
            format_args!("the {which} of content-length-range must be an integer, not a {}.", j.type_name()),
        )),
        _ => Err(Rejection::policy(
            ec,
            format_args!("the {which} of content-length-range must be a non-negative integer."),
        )),
    };
    let min = bound(min, "min", "0006-00000220")?;
    let max = bound(max, "max", "0006-00000221")?;
    if min > max {
        return Err(Rejection::policy(
            "0006-00000219",
            format_args!("content-length-range min {min} is greater than max {max}."),
        ));
    }
    Ok(Cond::ContentLengthRange { min, max })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn ec(text: &str) -> Option<String> {
        PolicyDocument::parse(text).err().and_then(|r| r.ec().map(str::to_owned))
    }

    fn with_conditions(conds: &str) -> String {
        format!(r#"{{"expiration": "2023-02-19T13:19:00.000Z", "conditions": [{conds}]}}"#)
    }

    #[test]
    fn parses_every_condition_form() {
        let doc = PolicyDocument::parse(&with_conditions(
            r#"{"bucket": "b"}, ["eq", "$success_action_status", "201"], ["starts-with", "$key", "user/eric/"],
               ["in", "$content-type", ["image/jpg", "image/png"]], ["not-in", "$cache-control", ["no-cache"]],
               ["content-length-range", 0, 1024], ["eq", "key", "no-dollar"]"#,
        ))
        .unwrap();
        assert_eq!(doc.expiration(), datetime!(2023-02-19 13:19:00 UTC));
        let c = doc.conditions();
        assert_eq!(c[0], PolicyCondition::Eq { field: "bucket".into(), value: "b".into() });
        assert_eq!(
            c[3],
            PolicyCondition::In { field: "content-type".into(), values: vec!["image/jpg".into(), "image/png".into()] }
        );
        assert_eq!(c[5], PolicyCondition::ContentLengthRange { min: 0, max: 1024 });
        assert_eq!(c[6].field(), Some("key"));
    }

    #[test]
    fn renders_like_oss_messages() {
        // Messages quoted in the spec: EC 0006-00000227 and the legacy [TS] examples.
        let cases = [
            (r#"["eq", "success_action_status", "200"]"#, r#"["eq", "$success_action_status", "200"]"#),
            (r#"["starts-with", "$key", "user/eric/"]"#, r#"["starts-with", "$key", "user/eric/"]"#),
            (r#"{"bucket": "mingdi-bjx"}"#, r#"["eq", "$bucket", "mingdi-bjx"]"#),
            (r#"["starts-with", "$x-oss-meta-prop", "prop-"]"#, r#"["starts-with", "$x-oss-meta-prop", "prop-"]"#),
            (r#"["in", "$content-type", ["a", "b"]]"#, r#"["in", "$content-type", ["a", "b"]]"#),
            (r#"["content-length-range", 1, 10]"#, r#"["content-length-range", 1, 10]"#),
            (r#"{"x-oss-security-token": "CAIS-secret"}"#, r#"["eq", "$x-oss-security-token", "<redacted>"]"#),
        ];
        for (cond, want) in cases {
            let doc = PolicyDocument::parse(&with_conditions(cond)).unwrap();
            assert_eq!(doc.conditions()[0].render(), want);
        }
    }

    #[test]
    fn dollar_escapes_mean_a_literal_dollar() {
        // JSON-text level `\$` (non-JSON, OSS docs) and value level `\$` (Java SDK's `\\$`).
        let doc = PolicyDocument::parse(&with_conditions(
            r#"["eq", "$key", "user/\${filename}"], ["eq", "$key", "user/\\${filename}"], {"x-oss-meta-p": "$5"}"#,
        ))
        .unwrap();
        for c in &doc.conditions()[..2] {
            assert!(c.holds("user/${filename}"), "{c:?}");
        }
        assert!(doc.conditions()[2].holds("$5"));
        // Backslashes not before `$` are kept.
        let doc = PolicyDocument::parse(&with_conditions(r#"{"x-oss-meta-p": "C:\\dir\\\"q\""}"#)).unwrap();
        assert!(doc.conditions()[0].holds(r#"C:\dir\"q""#));
    }

    #[test]
    fn the_view_borrows_what_it_can_and_agrees_with_the_document() {
        let text = with_conditions(
            r#"["eq", "$key", "a\/b"], ["in", "$content-type", ["a", "b\n"]], {"x-oss-meta-p": "plain"}"#,
        );
        let view = PolicyView::parse(&text).unwrap();
        let doc = PolicyDocument::parse(&text).unwrap();
        assert_eq!(
            view.clone().into_static().conditions.into_iter().map(Cond::into_owned).collect::<Vec<_>>(),
            doc.conditions()
        );
        assert!(
            matches!(&view.conditions()[0], Cond::Eq { field: Cow::Borrowed("key"), value: Cow::Owned(v) } if v == "a/b")
        );
        assert!(
            matches!(&view.conditions()[1], Cond::In { values, .. } if matches!(values[..], [Cow::Borrowed("a"), Cow::Owned(_)]))
        );
        assert!(matches!(&view.conditions()[2], Cond::Eq { field: Cow::Borrowed(_), value: Cow::Borrowed("plain") }));
        // `\$` in the text (OSS's escape, or the Java SDK's `\\$`): the view owns its strings.
        for (escaped, want) in
            [(r#"["starts-with", "$key", "\${x}"]"#, "${x}"), (r#"["starts-with", "$key", "\\${x}"]"#, "${x}")]
        {
            let text = with_conditions(escaped);
            let view = PolicyView::parse(&text).unwrap();
            assert!(
                matches!(&view.conditions()[0], Cond::StartsWith { prefix: Cow::Owned(p), .. } if p == want),
                "{view:?}"
            );
            assert_eq!(view.conditions()[0].render(), r#"["starts-with", "$key", "${x}"]"#);
            assert_eq!(
                view.conditions()[0].clone().into_owned(),
                PolicyDocument::parse(&text).unwrap().conditions()[0]
            );
        }
    }

    #[test]
    fn top_level_rules_have_their_ecs() {
        assert_eq!(ec(""), Some("0006-00000205".into()));
        assert_eq!(ec("  \n"), Some("0006-00000205".into()));
        assert_eq!(ec("{"), Some("0006-00000204".into()));
        assert_eq!(ec("[]"), Some("0006-00000201".into()));
        assert_eq!(
            ec(r#"{"expiration": "2023-02-19T13:19:00Z", "conditions": [], "conditions": [1]}"#),
            Some("0006-00000201".into())
        );
        assert_eq!(
            ec(r#"{"expiration": "2023-02-19T13:19:00Z", "conditions": [["eq", "$a", "b"]], "test": 1}"#),
            Some("0006-00000206".into())
        );
        assert_eq!(ec("{}"), Some("0006-00000209".into()));
        assert_eq!(ec(r#"{"expiration": "2023-02-19T13:19:00Z"}"#), Some("0006-00000207".into()));
        assert_eq!(ec(r#"{"conditions": [["content-length-range", 0, 1048576000]]}"#), Some("0006-00000208".into()));
        assert_eq!(ec(r#"{"expiration": 123, "conditions": [["eq", "$a", "b"]]}"#), Some("0006-00000210".into()));
        assert_eq!(ec(r#"{"expiration": "", "conditions": [["eq", "$a", "b"]]}"#), Some("0006-00000211".into()));
        assert_eq!(
            ec(r#"{"expiration": "2023-02-19 13:19:00", "conditions": [["eq", "$a", "b"]]}"#),
            Some("0006-00000212".into())
        );
        assert_eq!(ec(r#"{"expiration": "2023-02-19T13:19:00Z", "conditions": 123}"#), Some("0006-00000214".into()));
        assert_eq!(ec(r#"{"expiration": "2023-02-19T13:19:00Z", "conditions": []}"#), Some("0006-00000215".into()));
    }

    #[test]
    fn condition_grammar_has_its_ecs() {
        let cases = [
            ("123", "0006-00000222"),
            (r#"["$key"]"#, "0006-00000216"),
            ("[]", "0006-00000216"),
            (r#"[1, "$key", "a"]"#, "0006-00000216"),
            (r#"["ends-with", "$key", "a"]"#, "0006-00000217"),
            (r#"["EQ", "$key", "a"]"#, "0006-00000217"),
            (r#"["starts-with", "$key", "user/user1", "test"]"#, "0006-00000218"),
            (r#"["eq", "$key"]"#, "0006-00000218"),
            (r#"["content-length-range", 20, 10]"#, "0006-00000219"),
            (r#"["content-length-range", "test", 10]"#, "0006-00000220"),
            (r#"["content-length-range", -1, 10]"#, "0006-00000220"),
            (r#"["content-length-range", 1.0, 10]"#, "0006-00000220"),
            (r#"["content-length-range", "1", 10]"#, "0006-00000220"),
            (r#"["content-length-range", 1, "test"]"#, "0006-00000221"),
            (r#"["content-length-range", 1, 1e3]"#, "0006-00000221"),
            (r#"["content-length-range", 1, 18446744073709551616]"#, "0006-00000221"),
            (r#"["content-length-range", [1], "test"]"#, "0006-00000223"),
            (r#"["not-in", "cache-control", "no-cache"]"#, "0006-00000224"),
            (r#"["in", "$a", ["x", 1]]"#, "0006-00000224"),
            (r#"["eq", "$a", 1]"#, "0006-00000224"),
            (r#"["eq", 1, "a"]"#, "0006-00000224"),
            (r#"{"key": 1}"#, "0006-00000224"),
            ("{}", "0006-00000201"),
            (r#"{"a": "1", "b": "2"}"#, "0006-00000201"),
        ];
        for (cond, want) in cases {
            assert_eq!(ec(&with_conditions(cond)).as_deref(), Some(want), "{cond}");
        }
        // Zero bounds and u64::MAX are fine.
        assert!(
            PolicyDocument::parse(&with_conditions(r#"["content-length-range", 0, 18446744073709551615]"#)).is_ok()
        );
    }

    #[test]
    fn base64_and_utf8_layers() {
        let b64 = |s: &[u8]| base64::engine::general_purpose::STANDARD.encode(s);
        assert_eq!(PolicyDocument::from_base64("").unwrap_err().ec(), Some("0006-00000205"));
        assert_eq!(PolicyDocument::from_base64("not base64!").unwrap_err().ec(), Some("0006-00000202"));
        assert_eq!(PolicyDocument::from_base64(&b64(b"\xff\xfe")).unwrap_err().ec(), Some("0006-00000203"));
        assert_eq!(PolicyDocument::from_base64(&b64(b"   ")).unwrap_err().ec(), Some("0006-00000205"));
        let ok = b64(with_conditions(r#"["eq", "$a", "b"]"#).as_bytes());
        assert!(PolicyDocument::from_base64(&ok).is_ok());
    }

    #[test]
    fn iso8601_is_strict() {
        assert_eq!(time_fmt::parse_expiration("2013-12-01T12:00:00Z"), Some(datetime!(2013-12-01 12:00:00 UTC)));
        assert_eq!(
            time_fmt::parse_expiration("2020-03-19T03:44:06.476Z"),
            Some(datetime!(2020-03-19 03:44:06.476 UTC))
        );
        assert_eq!(
            time_fmt::parse_expiration("2020-03-19T03:44:06.1234567891Z"),
            Some(datetime!(2020-03-19 03:44:06.123456789 UTC))
        );
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
            assert_eq!(time_fmt::parse_expiration(bad), None, "{bad}");
        }
    }
}
