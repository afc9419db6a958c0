//! A JSON reader that keeps object keys in order and refuses duplicate keys at any depth:
//! `serde_json` reads the text, this module only builds the value.
//!
//! `serde_json`'s `Map` silently keeps the last of two equal keys, so a text such as
//! `{"conditions": [...], "expiration": "...", "conditions": []}` would mean one thing to this
//! crate and possibly another to OSS or to the service that wrote the policy: a
//! policy-injection risk. This reader refuses such texts instead of picking a winner.
//!
//! Nesting is bounded by `serde_json`'s recursion limit (128), so hostile input cannot overflow
//! the stack.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// Objects with more keys than this are checked for duplicates with a hash set.
const LINEAR_SCAN_MAX: usize = 16;

/// A JSON value that keeps what the policy grammar needs to tell apart.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    /// A non-negative integer that fits in `u64`.
    UInt(u64),
    /// A negative integer.
    NegInt(i64),
    /// A number with a fraction or an exponent, or an integer too large for `u64`.
    Float(f64),
    Str(String),
    Array(Vec<Json>),
    /// Entries in text order; keys are unique.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The JSON type name, for messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "boolean",
            Self::UInt(_) | Self::NegInt(_) | Self::Float(_) => "number",
            Self::Str(_) => "string",
            Self::Array(_) => "list",
            Self::Object(_) => "map",
        }
    }
}

/// Why a text is not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JsonError {
    /// Not JSON (syntax, end of input, nesting over 128, numbers out of range).
    Invalid(String),
    /// Valid JSON, but an object repeats a key.
    DuplicateKey(String),
}

/// Parses `text` as one JSON value, refusing duplicate object keys.
pub(crate) fn parse(text: &str) -> Result<Json, JsonError> {
    serde_json::from_str::<Json>(text).map_err(|e| match e.classify() {
        // The visitor below accepts every JSON type, so the only data error it can raise is
        // its own duplicate-key error.
        serde_json::error::Category::Data => JsonError::DuplicateKey(e.to_string()),
        _ => JsonError::Invalid(e.to_string()),
    })
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::UInt(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(u64::try_from(v).map_or(Json::NegInt(v), Json::UInt))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(Json::Float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::Str(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::Str(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Json>()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries: Vec<(String, Json)> = Vec::new();
        let mut seen: Option<HashSet<String>> = None;
        while let Some(key) = map.next_key::<String>()? {
            let duplicate = match &seen {
                Some(set) => set.contains(&key),
                None => entries.iter().any(|(k, _)| *k == key),
            };
            if duplicate {
                return Err(de::Error::custom(format_args!("duplicate key {key:?}")));
            }
            let value = map.next_value::<Json>()?;
            if let Some(set) = &mut seen {
                set.insert(key.clone());
            }
            entries.push((key, value));
            if seen.is_none() && entries.len() > LINEAR_SCAN_MAX {
                seen = Some(entries.iter().map(|(k, _)| k.clone()).collect());
            }
        }
        Ok(Json::Object(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_number_kinds() {
        let v = parse(r#"{"b": [1, -2, 3.0, 1e2, 18446744073709551616, "s", true, null], "a": {}}"#).unwrap();
        let Json::Object(entries) = &v else { panic!("{v:?}") };
        assert_eq!(entries.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["b", "a"]);
        assert_eq!(
            entries.first().map(|(_, v)| v),
            Some(&Json::Array(vec![
                Json::UInt(1),
                Json::NegInt(-2),
                Json::Float(3.0),
                Json::Float(100.0),
                Json::Float(18_446_744_073_709_551_616.0),
                Json::Str("s".to_owned()),
                Json::Bool(true),
                Json::Null,
            ]))
        );
    }

    #[test]
    fn duplicate_keys_are_refused_at_any_depth() {
        for text in [
            r#"{"a": 1, "a": 1}"#,
            r#"{"conditions": [], "expiration": "x", "conditions": [1]}"#,
            r#"{"c": [{"key": "a", "key": "b"}]}"#,
            r#"[[[{"x": {"y": 1, "y": 2}}]]]"#,
        ] {
            assert!(matches!(parse(text), Err(JsonError::DuplicateKey(_))), "{text}");
        }
        // Same key in sibling objects is fine.
        assert!(parse(r#"[{"a": 1}, {"a": 2}]"#).is_ok());
    }

    #[test]
    fn duplicates_in_large_objects_use_the_hash_set() {
        let keys: Vec<String> = (0..40).map(|i| format!("\"k{i}\": {i}")).collect();
        let ok = format!("{{{}}}", keys.join(","));
        assert!(parse(&ok).is_ok());
        let dup = format!("{{{}, \"k3\": 0}}", keys.join(","));
        assert!(matches!(parse(&dup), Err(JsonError::DuplicateKey(m)) if m.contains("k3")));
        let late_dup = format!("{{{}, \"k39\": 0}}", keys.join(","));
        assert!(matches!(parse(&late_dup), Err(JsonError::DuplicateKey(_))));
    }

    #[test]
    fn invalid_json_and_deep_nesting_are_syntax_errors() {
        for text in ["", "{", "{\"a\" 1}", "[1,]", "\"\\ud800\"", "1e400", "{} x", &"[".repeat(200)] {
            assert!(matches!(parse(text), Err(JsonError::Invalid(_))), "{text:?}");
        }
    }
}
