//! The `callback` and `callback-var` form fields (`docs/oss-rules.md` §9).

use base64::Engine as _;
use serde::Serialize;

use super::rejection::Rejection;
use crate::callback::{
    CallbackBodyType, LEFT_BRACE_MESSAGE, MAX_CALLBACK_LEN, MAX_CALLBACK_URLS, check_body_variables,
};
use crate::field::CALLBACK_VAR_PREFIX;
use crate::json::{self, Json};

/// Largest base64 `callback-var` value OSS accepts (5 KB, EC 0007-00000101).
pub const MAX_CALLBACK_VAR_LEN: usize = 5 * 1024;

/// A decoded, checked `callback` field: what OSS will post after storing the object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CallbackConfig {
    /// The callback URLs (`callbackUrl`, split at `;`), 1 to 5.
    pub urls: Vec<String>,
    /// `callbackHost`, if set.
    pub host: Option<String>,
    /// The `callbackBody` template.
    pub body: String,
    /// `callbackBodyType` (`application/x-www-form-urlencoded` when absent).
    pub body_type: String,
    /// `callbackSNI` (`false` when absent).
    pub sni: bool,
}

/// The entries of a JSON object held in `bytes` (decoded base64), duplicate keys refused.
fn json_object(bytes: &[u8]) -> Option<Vec<(String, Json)>> {
    match json::parse(std::str::from_utf8(bytes).ok()?).ok()? {
        Json::Object(entries) => Some(entries),
        _ => None,
    }
}

/// Checks the `callback` field. Messages are OSS's ([H400], EC pages) unless marked.
///
/// Order: length (≤ 5 KB), base64 (0007-00000002), JSON object, `callbackUrl` (required, 1-5
/// non-empty URLs), `callbackBody` (required, non-empty), `callbackBodyType` (a string,
/// 0007-00000012, and one of the two MIME types), `callbackHost` (a string, our check),
/// `callbackSNI` (a boolean, our check), and the body's variables (0007-00000105): a `$` not
/// followed by `{` gets OSS's "Left brace must be adjacent to dollar sign."; a `${` not closed
/// by `}` the same EC [UNVERIFIED mapping], message ours.
pub(crate) fn check_callback(value: &str) -> Result<CallbackConfig, Rejection> {
    if value.len() > MAX_CALLBACK_LEN {
        return Err(Rejection::callback(None, "The length of callback exceed max value."));
    }
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(value) else {
        return Err(Rejection::callback(Some("0007-00000002"), "The callback configuration is not base64 encoded."));
    };
    let entries = json_object(&bytes)
        .ok_or_else(|| Rejection::callback(None, "The callback configuration is not json format."))?;
    let get = |key: &str| entries.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    let url_invalid = || Rejection::callback(None, "The callback url configuration is invalid.");
    let urls: Vec<String> = match get("callbackUrl") {
        Some(Json::Str(u)) => u.split(';').map(|s| s.trim().to_owned()).collect(),
        _ => return Err(url_invalid()),
    };
    if urls.iter().any(String::is_empty) {
        return Err(url_invalid());
    }
    if urls.len() > MAX_CALLBACK_URLS {
        return Err(Rejection::callback(None, "The number of callback url exceed max value."));
    }
    let body = match get("callbackBody") {
        Some(Json::Str(b)) if !b.is_empty() => b.clone(),
        _ => return Err(Rejection::callback(None, "The callback body is empty.")),
    };
    let type_invalid = "The callback body type configuration is invalid.";
    let body_type = match get("callbackBodyType") {
        None => CallbackBodyType::FormUrlEncoded.as_str().to_owned(),
        Some(Json::Str(t))
            if t == CallbackBodyType::FormUrlEncoded.as_str() || t == CallbackBodyType::Json.as_str() =>
        {
            t.clone()
        }
        Some(Json::Str(_)) => return Err(Rejection::callback(None, type_invalid)),
        Some(_) => return Err(Rejection::callback(Some("0007-00000012"), type_invalid)),
    };
    let host = match get("callbackHost") {
        None => None,
        Some(Json::Str(h)) => Some(h.clone()),
        Some(_) => return Err(Rejection::callback(None, "The callback host configuration is invalid.")),
    };
    let sni = match get("callbackSNI") {
        None => false,
        Some(Json::Bool(b)) => *b,
        Some(_) => return Err(Rejection::callback(None, "The callback sni configuration is invalid.")),
    };
    if let Err(reason) = check_body_variables(&body) {
        let message = if reason == LEFT_BRACE_MESSAGE {
            LEFT_BRACE_MESSAGE
        } else {
            "The callback body has a '${' that is not closed by '}'."
        };
        return Err(Rejection::callback(Some("0007-00000105"), message));
    }
    Ok(CallbackConfig { urls, host, body, body_type, sni })
}

/// Checks the `callback-var` field: ≤ 5 KB (0007-00000101, OSS's message), base64
/// (0007-00000102), a JSON object (0007-00000103), of lower-case `x:` names to strings
/// (doc 480035; EC 0007-00000104 [UNVERIFIED]). Messages for 102-104 are ours.
pub(crate) fn check_callback_var(value: &str) -> Result<Vec<(String, String)>, Rejection> {
    if value.len() > MAX_CALLBACK_VAR_LEN {
        return Err(Rejection::callback(Some("0007-00000101"), "The length of callback var exceed max value."));
    }
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(value) else {
        return Err(Rejection::callback(Some("0007-00000102"), "The callback var is not base64 encoded."));
    };
    let entries = json_object(&bytes)
        .ok_or_else(|| Rejection::callback(Some("0007-00000103"), "The callback var is not json format."))?;
    entries
        .into_iter()
        .map(|(name, value)| match value {
            Json::Str(v)
                if name.len() > CALLBACK_VAR_PREFIX.len()
                    && name.starts_with(CALLBACK_VAR_PREFIX)
                    && !name.bytes().any(|b| b.is_ascii_uppercase()) =>
            {
                Ok((name, v))
            }
            _ => Err(Rejection::callback(
                Some("0007-00000104"),
                format!("The callback var {name} must be a lower-case x: name with a string value."),
            )),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::callback::Callback;

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    fn ec(r: Result<impl std::fmt::Debug, Rejection>) -> Option<String> {
        r.err().and_then(|r| r.ec().map(str::to_owned))
    }

    #[test]
    fn the_crates_callbacks_are_accepted() {
        let cb = Callback::new("https://a.example.com/cb", "bucket=${bucket}&u=${x:uid}")
            .url("https://b.example.com/cb")
            .host("a.example.com")
            .body_type(CallbackBodyType::Json);
        let got = check_callback(&cb.encode().unwrap()).unwrap();
        assert_eq!(
            got,
            CallbackConfig {
                urls: vec!["https://a.example.com/cb".into(), "https://b.example.com/cb".into()],
                host: Some("a.example.com".into()),
                body: "bucket=${bucket}&u=${x:uid}".into(),
                body_type: "application/json".into(),
                sni: false,
            }
        );
        let sni = Callback::new("https://a", "x").sni(true);
        assert!(check_callback(&sni.encode().unwrap()).unwrap().sni);
        let plain = check_callback(&b64(r#"{"callbackUrl": "https://a", "callbackBody": "x"}"#)).unwrap();
        assert_eq!(plain.body_type, "application/x-www-form-urlencoded");
    }

    #[test]
    fn callback_rules() {
        let msg = |s: &str| check_callback(s).unwrap_err().message().to_owned();
        assert_eq!(ec(check_callback("not base64!")).as_deref(), Some("0007-00000002"));
        assert_eq!(msg(&"A".repeat(MAX_CALLBACK_LEN + 4)), "The length of callback exceed max value.");
        assert_eq!(msg(&b64("[1]")), "The callback configuration is not json format.");
        assert_eq!(
            msg(&b64(r#"{"callbackUrl": "a", "callbackUrl": "b", "callbackBody": "x"}"#)),
            "The callback configuration is not json format."
        );
        assert_eq!(msg(&b64(r#"{"callbackBody": "x"}"#)), "The callback url configuration is invalid.");
        assert_eq!(
            msg(&b64(r#"{"callbackUrl": "a;;b", "callbackBody": "x"}"#)),
            "The callback url configuration is invalid."
        );
        assert_eq!(
            msg(&b64(r#"{"callbackUrl": "1;2;3;4;5;6", "callbackBody": "x"}"#)),
            "The number of callback url exceed max value."
        );
        assert!(check_callback(&b64(r#"{"callbackUrl": "1;2;3;4;5", "callbackBody": "x"}"#)).is_ok());
        assert_eq!(msg(&b64(r#"{"callbackUrl": "a", "callbackBody": ""}"#)), "The callback body is empty.");
        assert_eq!(
            ec(check_callback(&b64(r#"{"callbackUrl": "a", "callbackBody": "x", "callbackBodyType": 1}"#))).as_deref(),
            Some("0007-00000012")
        );
        assert_eq!(
            msg(&b64(r#"{"callbackUrl": "a", "callbackBody": "x", "callbackBodyType": "text/plain"}"#)),
            "The callback body type configuration is invalid."
        );
        assert_eq!(
            ec(check_callback(&b64(r#"{"callbackUrl": "a", "callbackBody": "x=${bucket"}"#))).as_deref(),
            Some("0007-00000105")
        );
        // OSS's own example on its EC page 0007-00000105, with OSS's message.
        let left_brace = check_callback(&b64(
            r#"{"callbackUrl": "https://oss-calllback.com/index.html", "callbackBody": "size=${size}&my_var=$x:my_var}"}"#,
        ))
        .unwrap_err();
        assert_eq!(left_brace.ec(), Some("0007-00000105"));
        assert_eq!(left_brace.message(), "Left brace must be adjacent to dollar sign.");
        assert_eq!(
            msg(&b64(r#"{"callbackUrl": "a", "callbackBody": "x", "callbackSNI": "yes"}"#)),
            "The callback sni configuration is invalid."
        );
    }

    #[test]
    fn callback_var_rules() {
        assert_eq!(
            check_callback_var(&b64(r#"{"x:uid": "42", "x:name": "a b"}"#)).unwrap(),
            [("x:uid".to_owned(), "42".to_owned()), ("x:name".to_owned(), "a b".to_owned())]
        );
        assert_eq!(ec(check_callback_var(&"A".repeat(MAX_CALLBACK_VAR_LEN + 4))).as_deref(), Some("0007-00000101"));
        assert_eq!(ec(check_callback_var("%%%")).as_deref(), Some("0007-00000102"));
        assert_eq!(ec(check_callback_var(&b64("x:uid=1"))).as_deref(), Some("0007-00000103"));
        for bad in [r#"{"uid": "1"}"#, r#"{"x:uid": 1}"#, r#"{"X:uid": "1"}"#, r#"{"x:": "1"}"#] {
            assert_eq!(ec(check_callback_var(&b64(bad))).as_deref(), Some("0007-00000104"), "{bad}");
        }
    }
}
