//! The policy document, `{"expiration": ..., "conditions": [...]}`: written once per signature,
//! and read by the one strict reader that exact policy texts and the verifier share.
//!
//! Reading follows OSS's layers: base64 → UTF-8 → JSON (duplicate keys refused) →
//! `expiration` and `conditions`, each condition against the grammar of OSS's policy appendix,
//! each violation with OSS's EC code ([`Error::InvalidPolicyDocument`]).

use std::borrow::Cow;

use base64::Engine as _;
use time::OffsetDateTime;

use crate::condition::{Condition, Style, write_json_str};
use crate::error::{Error, Result};
use crate::field::Field;
use crate::json::{self, Json, JsonError};
use crate::time_fmt;

/// The top-level key holding the expiration time.
const EXPIRATION: &str = "expiration";
/// The top-level key holding the condition list.
const CONDITIONS: &str = "conditions";

/// Appends `conditions` as policy JSON, comma-separated: a policy writes its own conditions
/// once, when it is built, and every signature copies them.
pub(crate) fn write_conditions(out: &mut Vec<u8>, conditions: &[Condition], escape_dollar: bool) {
    for (i, cond) in conditions.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        cond.write_json(out, Style::policy(escape_dollar));
    }
}

/// Writes the document: `{"expiration":"…","conditions":[`, `head` (conditions written by
/// [`write_conditions`]), the signer's `(field, value)` pairs as `{"field":"value"}`, `tail`
/// (likewise), `]}`. Compact, in the bytes ali-oss's `policy2Str` writes for the same
/// conditions.
pub(crate) fn write(expiration: &str, head: &[u8], signer: &[(&str, &str)], tail: &[u8]) -> Vec<u8> {
    let signer_len: usize = signer.iter().map(|(n, v)| n.len() + v.len() + 8).sum();
    let mut out = Vec::with_capacity(48 + expiration.len() + head.len() + signer_len + tail.len());
    out.extend_from_slice(b"{\"expiration\":");
    write_json_str(&mut out, expiration, false);
    out.extend_from_slice(b",\"conditions\":[");
    out.extend_from_slice(head);
    for (name, value) in signer {
        if out.last() != Some(&b'[') {
            out.push(b',');
        }
        out.push(b'{');
        write_json_str(&mut out, name, false);
        out.push(b':');
        write_json_str(&mut out, value, false);
        out.push(b'}');
    }
    if !tail.is_empty() {
        if out.last() != Some(&b'[') {
            out.push(b',');
        }
        out.extend_from_slice(tail);
    }
    out.extend_from_slice(b"]}");
    out
}

/// A policy document that passed OSS's grammar checks.
///
/// ```
/// use oss_post_policy::{Condition, Field, PolicyDocument};
///
/// let doc = PolicyDocument::parse(
///     r#"{"expiration": "2023-12-03T13:00:00.000Z", "conditions": [{"bucket": "examplebucket"}, ["starts-with", "$key", "user/"]]}"#,
/// )?;
/// assert_eq!(doc.conditions()[1], Condition::StartsWith { field: Field::Key, prefix: "user/".into() });
/// # Ok::<(), oss_post_policy::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyDocument {
    expiration: OffsetDateTime,
    conditions: Vec<Condition>,
}

impl PolicyDocument {
    /// Decodes and checks a `policy` form value: base64 (EC 0006-00000202), UTF-8
    /// (0006-00000203), then [`PolicyDocument::parse`].
    ///
    /// # Errors
    /// [`Error::InvalidPolicyDocument`] with the EC of the first rule broken.
    pub fn from_base64(policy: &str) -> Result<Self> {
        if is_blank(policy) {
            return Err(invalid("0006-00000205", "the policy is blank"));
        }
        // Strict standard base64 with padding, as every signer writes it. Whether OSS accepts
        // unpadded or line-wrapped base64 is [UNVERIFIED].
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(policy)
            .map_err(|_| invalid("0006-00000202", "the policy is not base64 encoded"))?;
        let text = String::from_utf8(bytes).map_err(|_| invalid("0006-00000203", "the policy is not UTF-8 encoded"))?;
        Self::parse(&text)
    }

    /// Checks a decoded policy text.
    ///
    /// Accepts OSS's non-JSON `\$` escape in the text, and reads `\$` inside a decoded value as
    /// a literal `$` (how the Java SDK writes one: `\\$` in the JSON). Refuses duplicate keys at
    /// any depth (our decision, against policy injection: 0006-00000201). Field names keep
    /// their spelling; a leading `$` is removed.
    ///
    /// # Errors
    /// [`Error::InvalidPolicyDocument`] with the EC of the first rule broken, in this order:
    /// blank (205), JSON (204), duplicate keys (201), not an object (201), unknown top-level key
    /// (206), missing keys (209, 207, 208), expiration (210, 211, 212), conditions (214, 215),
    /// then each condition in order (201, 216-224).
    pub fn parse(text: &str) -> Result<Self> {
        if is_blank(text) {
            return Err(invalid("0006-00000205", "the policy is blank"));
        }
        let doc = json::parse(&unescape_dollar(text)).map_err(|e| match e {
            // Legacy message: "Invalid Policy: Invalid JSON: ..." ([TS], [H400]).
            JsonError::Invalid(detail) => invalid("0006-00000204", format!("Invalid JSON: {detail}")),
            // Our decision (policy-injection defence); EC 201 is OSS's catch-all.
            JsonError::DuplicateKey(detail) => invalid("0006-00000201", format!("Invalid JSON: {detail}")),
        })?;
        let Json::Object(entries) = doc else {
            // [UNVERIFIED] the catch-all code: the pages name none for a non-object document.
            return Err(invalid("0006-00000201", "the policy is not a JSON object"));
        };
        if let Some((key, _)) = entries.iter().find(|(k, _)| k != EXPIRATION && k != CONDITIONS) {
            return Err(invalid("0006-00000206", format!("unexpected key {key:?} in the policy")));
        }
        // The reader refused duplicate keys, so each of the two is there at most once.
        let (mut expiration, mut conditions) = (None, None);
        for (key, value) in entries {
            *(if key == EXPIRATION { &mut expiration } else { &mut conditions }) = Some(value);
        }
        let (expiration, conditions) = match (expiration, conditions) {
            (Some(e), Some(c)) => (e, c),
            (None, None) => return Err(invalid("0006-00000209", "the policy has no expiration and no conditions")),
            (Some(_), None) => return Err(invalid("0006-00000207", "the policy has no conditions")),
            (None, Some(_)) => return Err(invalid("0006-00000208", "the policy has no expiration")),
        };
        let expiration = parse_expiration(&expiration)?;
        let Json::Array(list) = conditions else {
            let kind = conditions.type_name();
            return Err(invalid("0006-00000214", format!("conditions must be a list, not a {kind}")));
        };
        if list.is_empty() {
            return Err(invalid("0006-00000215", "conditions is empty"));
        }
        // The strings move from the JSON value into the conditions.
        let conditions = list.into_iter().map(parse_condition).collect::<Result<Vec<_>>>()?;
        Ok(Self { expiration, conditions })
    }

    /// When the policy expires (UTC, sub-seconds kept).
    pub fn expiration(&self) -> OffsetDateTime {
        self.expiration
    }

    /// The conditions, in policy order.
    pub fn conditions(&self) -> &[Condition] {
        &self.conditions
    }
}

fn invalid(ec: &'static str, reason: impl Into<String>) -> Error {
    Error::InvalidPolicyDocument { ec, reason: reason.into() }
}

/// Blank: empty or JSON whitespace only.
fn is_blank(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

/// Rewrites OSS's non-JSON `\$` escape as `$` so a JSON parser accepts the text. A `\\` pair
/// is kept whole, so `\\$` (an escaped backslash, then `$`) is left alone.
fn unescape_dollar(text: &str) -> Cow<'_, str> {
    if !text.contains("\\$") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('$') => out.push('$'),
            Some(next) => {
                out.push('\\');
                out.push(next);
            }
            None => out.push('\\'),
        }
    }
    Cow::Owned(out)
}

/// A value as OSS reads it: `\$` means a literal `$` ([PO-EN]; the Java SDK writes `\\$` in
/// the JSON, which decodes to `\$`).
fn literal(value: String) -> String {
    if value.contains("\\$") { value.replace("\\$", "$") } else { value }
}

/// A list condition's field name, its leading `$` removed.
fn field_name(mut name: String) -> Field {
    if name.starts_with('$') {
        name.remove(0);
    }
    Field::custom(name)
}

/// EC pages 0006-00000210 (not a string: `123`), 211 (empty), 212 (not ISO 8601:
/// `"2023-02-19 13:19:00"`).
fn parse_expiration(value: &Json) -> Result<OffsetDateTime> {
    let Json::Str(s) = value else {
        return Err(invalid("0006-00000210", format!("expiration must be a string, not a {}", value.type_name())));
    };
    if s.is_empty() {
        return Err(invalid("0006-00000211", "expiration is empty"));
    }
    time_fmt::parse_expiration(s)
        .ok_or_else(|| invalid("0006-00000212", format!("expiration {s:?} is not an ISO 8601 UTC time")))
}

/// One element of `conditions`: a one-property map or an operator list; anything else is
/// 0006-00000222 (example: `123`).
fn parse_condition(cond: Json) -> Result<Condition> {
    match cond {
        Json::Object(entries) => {
            let Ok([(field, value)]) = <[_; 1]>::try_from(entries) else {
                // Legacy InvalidPolicyDocument text ([TS], [H400]); EC not published, so the
                // catch-all.
                return Err(invalid(
                    "0006-00000201",
                    "Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.",
                ));
            };
            let Json::Str(value) = value else {
                let kind = value.type_name();
                return Err(invalid("0006-00000224", format!("the value of {field:?} must be a string, not a {kind}")));
            };
            Ok(Condition::Exact { field: Field::custom(field), value: literal(value) })
        }
        Json::Array(items) => parse_list(items),
        other => {
            let kind = other.type_name();
            Err(invalid("0006-00000222", format!("a condition must be a map or a list, not a {kind}")))
        }
    }
}

/// `[op, "$field", value]` or `["content-length-range", min, max]`.
///
/// EC pages: 216 (`[["$key"]]`: no operator form), 217 (unknown operator `ends-with`), 218
/// (not exactly 3 elements), 219 (`[20, 10]`), 220/221 (`"test"` as min/max), 223
/// (`[[1], "test"]`), 224 (`["not-in", "cache-control", "no-cache"]`: wrong value type).
fn parse_list(items: Vec<Json>) -> Result<Condition> {
    let n = items.len();
    let op = match items.first() {
        Some(Json::Str(op)) if n >= 2 => match op.as_str() {
            "eq" => "eq",
            "starts-with" => "starts-with",
            "in" => "in",
            "not-in" => "not-in",
            "content-length-range" => "content-length-range",
            other => return Err(invalid("0006-00000217", format!("unknown operator {other:?}"))),
        },
        _ => return Err(invalid("0006-00000216", "a list condition must start with an operator")),
    };
    let Ok([_, first, second]) = <[_; 3]>::try_from(items) else {
        return Err(invalid("0006-00000218", format!("the {op} condition must have exactly 3 elements, not {n}")));
    };
    if op == "content-length-range" {
        return content_length_range(&first, &second);
    }
    let Json::Str(name) = first else {
        let kind = first.type_name();
        return Err(invalid(
            "0006-00000224",
            format!("the field of the {op} condition must be a string, not a {kind}"),
        ));
    };
    // The docs always write "$field"; EC pages 224/226/227 omit the `$` and fail for other
    // reasons, and OSS's message adds it, so a missing `$` is tolerated [UNVERIFIED].
    let field = field_name(name);
    let kind = second.type_name();
    let wrong_type = |want: &str| {
        invalid("0006-00000224", format!("the value of the {op} condition must be a {want}, not a {kind}"))
    };
    match (op, second) {
        ("eq", Json::Str(value)) => Ok(Condition::Eq { field, value: literal(value) }),
        ("starts-with", Json::Str(prefix)) => Ok(Condition::StartsWith { field, prefix: literal(prefix) }),
        ("in" | "not-in", Json::Array(list)) => {
            let values = list
                .into_iter()
                .map(|v| if let Json::Str(v) = v { Ok(literal(v)) } else { Err(wrong_type("list of strings")) })
                .collect::<Result<Vec<_>>>()?;
            Ok(if op == "in" { Condition::In { field, values } } else { Condition::NotIn { field, values } })
        }
        ("eq" | "starts-with", _) => Err(wrong_type("string")),
        _ => Err(wrong_type("list")),
    }
}

/// Bounds must be non-negative JSON integers. The pages say "positive integers", yet official
/// valid examples use `0` as min, so 0 is accepted; negatives, floats (`10.0`) and numeric
/// strings (`"10"`) are refused ([UNVERIFIED]).
fn content_length_range(min: &Json, max: &Json) -> Result<Condition> {
    let bound = |j: &Json, which: &str, ec: &'static str| match j {
        Json::UInt(n) => Ok(*n),
        // [UNVERIFIED] from EC page 223's example `[[1], "test"]`: a list or map bound.
        Json::Array(_) | Json::Object(_) => Err(invalid(
            "0006-00000223",
            format!("the {which} of content-length-range must be an integer, not a {}", j.type_name()),
        )),
        _ => Err(invalid(ec, format!("the {which} of content-length-range must be a non-negative integer"))),
    };
    let min = bound(min, "min", "0006-00000220")?;
    let max = bound(max, "max", "0006-00000221")?;
    if min > max {
        return Err(invalid("0006-00000219", format!("content-length-range min {min} is greater than max {max}")));
    }
    Ok(Condition::ContentLengthRange { min, max })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn ec(text: &str) -> Option<&'static str> {
        match PolicyDocument::parse(text) {
            Err(Error::InvalidPolicyDocument { ec, .. }) => Some(ec),
            _ => None,
        }
    }

    fn with_conditions(conds: &str) -> String {
        format!(r#"{{"expiration": "2023-02-19T13:19:00.000Z", "conditions": [{conds}]}}"#)
    }

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
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
        assert_eq!(c[0], Condition::Exact { field: Field::Bucket, value: "b".into() });
        assert_eq!(c[1], Condition::Eq { field: Field::SuccessActionStatus, value: "201".into() });
        assert_eq!(c[3], Condition::In { field: Field::ContentType, values: strings(&["image/jpg", "image/png"]) });
        assert_eq!(c[3].field().unwrap().name(), "content-type", "spelling kept");
        assert_eq!(c[5], Condition::ContentLengthRange { min: 0, max: 1024 });
        assert_eq!(c[6].field(), Some(&Field::Key));
    }

    #[test]
    fn what_the_writer_writes_the_reader_reads() {
        let conditions = [
            Condition::StartsWith { field: Field::Key, prefix: "a\"b\\c$d/\u{1}é".into() },
            Condition::In { field: Field::ContentType, values: strings(&["x${y}", "z"]) },
            Condition::ContentLengthRange { min: 1, max: u64::MAX },
        ];
        for escape_dollar in [false, true] {
            let (mut head, mut tail) = (Vec::new(), Vec::new());
            write_conditions(&mut head, &[Condition::Exact { field: Field::Bucket, value: "b".into() }], false);
            write_conditions(&mut tail, &conditions, escape_dollar);
            let text = write("2024-11-27T07:09:41.000Z", &head, &[("x-oss-date", "20241127T060941Z")], &tail);
            let doc = PolicyDocument::parse(std::str::from_utf8(&text).unwrap()).unwrap();
            assert_eq!(doc.expiration(), datetime!(2024-11-27 07:09:41 UTC));
            assert_eq!(&doc.conditions()[2..], &conditions);
            assert_eq!(
                doc.conditions()[1],
                Condition::Exact { field: Field::custom("x-oss-date"), value: "20241127T060941Z".into() }
            );
        }
    }

    #[test]
    fn empty_parts_leave_no_stray_commas() {
        let text = write("E", b"", &[], b"");
        assert_eq!(text, br#"{"expiration":"E","conditions":[]}"#);
        let text = write("E", b"", &[("a", "b")], b"[1]");
        assert_eq!(text, br#"{"expiration":"E","conditions":[{"a":"b"},[1]]}"#);
        let text = write("E", b"{}", &[], b"[1]");
        assert_eq!(text, br#"{"expiration":"E","conditions":[{},[1]]}"#);
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
    fn top_level_rules_have_their_ecs() {
        let cases = [
            ("", "0006-00000205"),
            ("  \n", "0006-00000205"),
            ("{", "0006-00000204"),
            ("[]", "0006-00000201"),
            (r#"{"expiration": "2023-02-19T13:19:00Z", "conditions": [], "conditions": [1]}"#, "0006-00000201"),
            (
                r#"{"expiration": "2023-02-19T13:19:00Z", "conditions": [["eq", "$a", "b"]], "test": 1}"#,
                "0006-00000206",
            ),
            ("{}", "0006-00000209"),
            (r#"{"expiration": "2023-02-19T13:19:00Z"}"#, "0006-00000207"),
            (r#"{"conditions": [["content-length-range", 0, 1048576000]]}"#, "0006-00000208"),
            (r#"{"expiration": 123, "conditions": [["eq", "$a", "b"]]}"#, "0006-00000210"),
            (r#"{"expiration": "", "conditions": [["eq", "$a", "b"]]}"#, "0006-00000211"),
            (r#"{"expiration": "2023-02-19 13:19:00", "conditions": [["eq", "$a", "b"]]}"#, "0006-00000212"),
            (r#"{"expiration": "2023-02-19T13:19:00Z", "conditions": 123}"#, "0006-00000214"),
            (r#"{"expiration": "2023-02-19T13:19:00Z", "conditions": []}"#, "0006-00000215"),
        ];
        for (text, want) in cases {
            assert_eq!(ec(text), Some(want), "{text}");
        }
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
            assert_eq!(ec(&with_conditions(cond)), Some(want), "{cond}");
        }
        // Zero bounds and u64::MAX are fine.
        assert!(
            PolicyDocument::parse(&with_conditions(r#"["content-length-range", 0, 18446744073709551615]"#)).is_ok()
        );
    }

    #[test]
    fn base64_and_utf8_layers() {
        let b64 = |s: &[u8]| base64::engine::general_purpose::STANDARD.encode(s);
        let ec = |policy: &str| match PolicyDocument::from_base64(policy) {
            Err(Error::InvalidPolicyDocument { ec, .. }) => Some(ec),
            _ => None,
        };
        assert_eq!(ec(""), Some("0006-00000205"));
        assert_eq!(ec("not base64!"), Some("0006-00000202"));
        assert_eq!(ec(&b64(b"\xff\xfe")), Some("0006-00000203"));
        assert_eq!(ec(&b64(b"   ")), Some("0006-00000205"));
        assert!(PolicyDocument::from_base64(&b64(with_conditions(r#"["eq", "$a", "b"]"#).as_bytes())).is_ok());
    }
}
