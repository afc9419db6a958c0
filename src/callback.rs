//! Upload callbacks: the `callback` form field and its `x:` custom variables.

use base64::Engine as _;
use serde::Serialize;

use crate::error::{Error, Result};

/// Most callback URLs OSS accepts in one `callbackUrl`.
pub const MAX_CALLBACK_URLS: usize = 5;
/// Largest base64 `callback` value OSS accepts (5 KB).
pub const MAX_CALLBACK_LEN: usize = 5 * 1024;

/// How OSS encodes the callback body it posts to your server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CallbackBodyType {
    /// `application/x-www-form-urlencoded` (OSS's default).
    #[default]
    FormUrlEncoded,
    /// `application/json`.
    Json,
}

impl CallbackBodyType {
    /// The MIME type written as `callbackBodyType`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::FormUrlEncoded => "application/x-www-form-urlencoded",
            Self::Json => "application/json",
        }
    }
}

/// An upload callback: after storing the object, OSS posts `body` to the URLs.
///
/// `body` may use OSS's system variables (`${bucket}`, `${object}`, `${etag}`, `${size}`,
/// `${mimeType}`, ...) and custom variables `${x:name}` set with [`Callback::var`].
///
/// ```
/// use oss_post_policy::{Callback, CallbackBodyType};
///
/// let cb = Callback::new("https://app.example.com/oss-callback", "bucket=${bucket}&object=${object}&uid=${x:uid}")
///     .body_type(CallbackBodyType::FormUrlEncoded)
///     .var("x:uid", "42");
/// assert_eq!(cb.vars(), &[("x:uid".to_owned(), "42".to_owned())]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callback {
    urls: Vec<String>,
    host: Option<String>,
    body: String,
    body_type: CallbackBodyType,
    vars: Vec<(String, String)>,
}

impl Callback {
    /// A callback to one URL with the given body template.
    pub fn new(url: impl Into<String>, body: impl Into<String>) -> Self {
        Self {
            urls: vec![url.into()],
            host: None,
            body: body.into(),
            body_type: CallbackBodyType::default(),
            vars: Vec::new(),
        }
    }

    /// Adds another URL (OSS tries them in order; at most five).
    #[must_use]
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.urls.push(url.into());
        self
    }

    /// The `Host` header OSS sends to the callback server.
    #[must_use]
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// How the body is encoded.
    #[must_use]
    pub fn body_type(mut self, body_type: CallbackBodyType) -> Self {
        self.body_type = body_type;
        self
    }

    /// A custom variable `x:name`, posted as its own form field and usable as `${x:name}`.
    #[must_use]
    pub fn var(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.vars.push((name.into(), value.into()));
        self
    }

    /// The custom variables, in the order added.
    pub fn vars(&self) -> &[(String, String)] {
        &self.vars
    }

    /// The `callback` form value: base64 of the JSON configuration.
    ///
    /// # Errors
    /// [`Error::InvalidCallback`] for no URL or more than five, an empty or `;`-holding URL,
    /// an empty body, a variable name that is not lower-case `x:name`, a `${` in the body not
    /// closed by `}`, or an encoded value over 5 KB.
    pub fn encode(&self) -> Result<String> {
        self.check()?;
        let config = Config {
            url: self.urls.join(";"),
            host: self.host.as_deref(),
            body: &self.body,
            body_type: self.body_type.as_str(),
        };
        let text = serde_json::to_vec(&config).expect("a struct of strings serialises");
        let encoded = base64::engine::general_purpose::STANDARD.encode(text);
        if encoded.len() > MAX_CALLBACK_LEN {
            return Err(invalid("callback", "the base64 configuration is over 5 KB"));
        }
        Ok(encoded)
    }

    fn check(&self) -> Result<()> {
        if self.urls.is_empty() || self.urls.len() > MAX_CALLBACK_URLS {
            return Err(invalid("callbackUrl", "give 1 to 5 URLs"));
        }
        for url in &self.urls {
            if url.is_empty() || url.contains(';') || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(invalid(
                    url,
                    "a callback URL must be non-empty, without ';', whitespace or control characters",
                ));
            }
        }
        if self.body.is_empty() {
            return Err(invalid("callbackBody", "the body is empty"));
        }
        let mut rest = self.body.as_str();
        while let Some(i) = rest.find("${") {
            match rest[i..].find('}') {
                Some(j) => rest = &rest[i + j..],
                None => return Err(invalid("callbackBody", "a '${' is not closed by '}'")),
            }
        }
        for (name, _) in &self.vars {
            let suffix = name.strip_prefix("x:").unwrap_or("");
            if suffix.is_empty() || name.chars().any(|c| c.is_ascii_uppercase() || c.is_whitespace() || c.is_control())
            {
                return Err(invalid(name, "a custom variable is named x:name in lower case"));
            }
        }
        Ok(())
    }
}

/// The JSON keys OSS reads (`callbackUrl`, ...), in the order ali-oss writes them.
#[derive(Serialize)]
struct Config<'a> {
    #[serde(rename = "callbackUrl")]
    url: String,
    #[serde(rename = "callbackHost", skip_serializing_if = "Option::is_none")]
    host: Option<&'a str>,
    #[serde(rename = "callbackBody")]
    body: &'a str,
    #[serde(rename = "callbackBodyType")]
    body_type: &'a str,
}

fn invalid(part: &str, reason: &'static str) -> Error {
    Error::InvalidCallback { part: part.to_owned(), reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(b64: &str) -> serde_json::Value {
        serde_json::from_slice(&base64::engine::general_purpose::STANDARD.decode(b64).unwrap()).unwrap()
    }

    #[test]
    fn encodes_the_documented_json_keys() {
        let cb = Callback::new("https://a.example.com/cb", "bucket=${bucket}&obj=${object}&u=${x:uid}")
            .url("https://b.example.com/cb")
            .host("a.example.com")
            .body_type(CallbackBodyType::Json);
        let v = decode(&cb.encode().unwrap());
        assert_eq!(v["callbackUrl"], "https://a.example.com/cb;https://b.example.com/cb");
        assert_eq!(v["callbackHost"], "a.example.com");
        assert_eq!(v["callbackBody"], "bucket=${bucket}&obj=${object}&u=${x:uid}");
        assert_eq!(v["callbackBodyType"], "application/json");
        let plain = decode(&Callback::new("https://a", "x").encode().unwrap());
        assert!(plain.get("callbackHost").is_none());
        assert_eq!(plain["callbackBodyType"], "application/x-www-form-urlencoded");
    }

    #[test]
    fn oss_callback_rules_are_enforced() {
        let too_many = (0..5).fold(Callback::new("https://0", "b"), |cb, i| cb.url(format!("https://{}", i + 1)));
        assert!(matches!(too_many.encode(), Err(Error::InvalidCallback { part, .. }) if part == "callbackUrl"));
        assert!(matches!(Callback::new("https://a;b", "b").encode(), Err(Error::InvalidCallback { .. })));
        assert!(
            matches!(Callback::new("https://a", "").encode(), Err(Error::InvalidCallback { part, .. }) if part == "callbackBody")
        );
        assert!(matches!(Callback::new("https://a", "x=${bucket").encode(), Err(Error::InvalidCallback { .. })));
        for bad in ["uid", "x:", "X:uid", "x:U", "x:a b"] {
            let cb = Callback::new("https://a", "b").var(bad, "1");
            assert!(matches!(cb.encode(), Err(Error::InvalidCallback { ref part, .. }) if part == bad), "{bad:?}");
        }
        let big = Callback::new("https://a", "b".repeat(4000));
        assert!(matches!(big.encode(), Err(Error::InvalidCallback { part, .. }) if part == "callback"));
    }
}
