//! The body of a verified callback request: the variables OSS filled into `callbackBody`.

use serde::Serialize;

use super::CallbackRequestError;
use crate::callback::{CallbackBodyType, SystemVariable};
use crate::json::{self, Json, JsonError};
use crate::percent;

/// A callback request whose signature verified, with its body's entries.
///
/// The entry names are those of the application's `callbackBody` template, so
/// [`VerifiedCallback::system`] finds a system variable under its own name (`size=${size}`, as
/// [`CallbackBody`](crate::CallbackBody) writes it) and custom variables under theirs
/// (`x:uid`). Values are text: form values percent-decoded (`+` is a space), JSON strings
/// unquoted, other JSON values as their JSON text (`12`, `true`, `null`, `{"a":1}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedCallback {
    /// How the body was read.
    #[serde(serialize_with = "body_type_str")]
    body_type: CallbackBodyType,
    /// The entries in body order; names are unique.
    entries: Vec<(String, String)>,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde passes a reference
fn body_type_str<S: serde::Serializer>(t: &CallbackBodyType, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(t.as_str())
}

impl VerifiedCallback {
    /// Reads a signed body as `body_type`. Linear in the body's length.
    pub(crate) fn parse(body_type: CallbackBodyType, body: &[u8]) -> Result<Self, CallbackRequestError> {
        let invalid = |reason: String| CallbackRequestError::InvalidBody { body_type: body_type.as_str(), reason };
        let entries = match body_type {
            CallbackBodyType::Json => {
                let text = std::str::from_utf8(body).map_err(|_| invalid("not UTF-8".to_owned()))?;
                match json::parse(text) {
                    Ok(Json::Object(entries)) => entries.into_iter().map(|(k, v)| (k, text_of(v))).collect(),
                    Ok(other) => return Err(invalid(format!("a {}, not an object", other.type_name()))),
                    Err(JsonError::Invalid(e)) => return Err(invalid(e)),
                    Err(JsonError::DuplicateKey(k)) => return Err(invalid(format!("duplicate name {k:?}"))),
                }
            }
            CallbackBodyType::FormUrlEncoded => form_entries(body),
        };
        let mut names: Vec<&str> = entries.iter().map(|(k, _): &(String, String)| k.as_str()).collect();
        names.sort_unstable();
        if let Some([name, _]) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(invalid(format!("duplicate name {name:?}")));
        }
        Ok(Self { body_type, entries })
    }

    /// How the body was read.
    pub fn body_type(&self) -> CallbackBodyType {
        self.body_type
    }

    /// The entries, in body order.
    pub fn entries(&self) -> &[(String, String)] {
        &self.entries
    }

    /// The value of entry `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The value of the entry named after system variable `var` (e.g. `size`).
    pub fn system(&self, var: SystemVariable) -> Option<&str> {
        self.get(var.name())
    }

    /// The object's size, from the entry `size`, if present and a whole number.
    pub fn size(&self) -> Option<u64> {
        self.system(SystemVariable::Size)?.parse().ok()
    }

    /// The custom variables: entries named `x:...`.
    pub fn custom_vars(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().filter(|(k, _)| k.starts_with("x:")).map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// A JSON value as text: strings unquoted, anything else as compact JSON.
fn text_of(value: Json) -> String {
    match value {
        Json::Str(s) => s,
        other => serde_json::to_string(&to_serde(other)).expect("a JSON value serialises"),
    }
}

fn to_serde(value: Json) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(b),
        Json::UInt(n) => Value::from(n),
        Json::NegInt(n) => Value::from(n),
        Json::Float(f) => Value::from(f),
        Json::Str(s) => Value::String(s),
        Json::Array(items) => Value::Array(items.into_iter().map(to_serde).collect()),
        Json::Object(entries) => Value::Object(entries.into_iter().map(|(k, v)| (k, to_serde(v))).collect()),
    }
}

/// `application/x-www-form-urlencoded` entries (WHATWG URL "urlencoded parser"): split at `&`
/// and the first `=`, `+` as a space, `%XX` decoded, invalid UTF-8 replaced; empty parts
/// skipped.
fn form_entries(body: &[u8]) -> Vec<(String, String)> {
    let decode = |part: &[u8]| String::from_utf8_lossy(&percent::decode_lossy(part, true).0).into_owned();
    body.split(|&b| b == b'&')
        .filter(|part| !part.is_empty())
        .map(|part| match part.iter().position(|&b| b == b'=') {
            Some(i) => (decode(&part[..i]), decode(&part[i + 1..])),
            None => (decode(part), String::new()),
        })
        .collect()
}
