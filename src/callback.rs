//! Upload callbacks: the `callback` form field, its `x:` custom variables, and the system
//! variables OSS fills into `callbackBody` (`docs/oss-rules.md` §9.1).

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

/// A system variable OSS fills into `callbackBody`, written `${name}` (`docs/oss-rules.md` §9.1).
///
/// Use it with [`CallbackBody`] to write a body without typing the names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SystemVariable {
    /// `${bucket}`: the bucket.
    Bucket,
    /// `${object}`: the object name.
    Object,
    /// `${etag}`: the object's `ETag`, as returned to the uploader.
    ETag,
    /// `${size}`: the object's size in bytes.
    Size,
    /// `${mimeType}`: the object's content type, e.g. `image/jpeg`.
    MimeType,
    /// `${imageInfo.height}`: an image's height (empty for other objects).
    ImageHeight,
    /// `${imageInfo.width}`: an image's width (empty for other objects).
    ImageWidth,
    /// `${imageInfo.format}`: an image's format, e.g. `jpg` (empty for other objects).
    ImageFormat,
    /// `${crc64}`: the object's CRC-64, as in the `x-oss-hash-crc64ecma` header.
    Crc64,
    /// `${contentMd5}`: the object's `Content-MD5` (`PutObject` and `PostObject` only).
    ContentMd5,
    /// `${vpcId}`: the uploader's VPC id (empty outside a VPC).
    VpcId,
    /// `${clientIp}`: the uploader's IP address.
    ClientIp,
    /// `${reqId}`: the upload request's id.
    ReqId,
    /// `${operation}`: the upload operation, e.g. `PostObject`.
    Operation,
}

impl SystemVariable {
    /// Every system variable, in the order OSS's callback page lists them.
    pub const ALL: [Self; 14] = [
        Self::Bucket,
        Self::Object,
        Self::ETag,
        Self::Size,
        Self::MimeType,
        Self::ImageHeight,
        Self::ImageWidth,
        Self::ImageFormat,
        Self::Crc64,
        Self::ContentMd5,
        Self::VpcId,
        Self::ClientIp,
        Self::ReqId,
        Self::Operation,
    ];

    /// The variable's name, as written between `${` and `}`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Bucket => "bucket",
            Self::Object => "object",
            Self::ETag => "etag",
            Self::Size => "size",
            Self::MimeType => "mimeType",
            Self::ImageHeight => "imageInfo.height",
            Self::ImageWidth => "imageInfo.width",
            Self::ImageFormat => "imageInfo.format",
            Self::Crc64 => "crc64",
            Self::ContentMd5 => "contentMd5",
            Self::VpcId => "vpcId",
            Self::ClientIp => "clientIp",
            Self::ReqId => "reqId",
            Self::Operation => "operation",
        }
    }

    /// The placeholder, e.g. `${size}`.
    pub fn placeholder(self) -> String {
        format!("${{{}}}", self.name())
    }
}

/// A `callbackBody` template built from named variables, so that no name is mistyped.
///
/// Each entry is named after its variable: `size=${size}` (form) or `"size":${size}` (JSON),
/// which is also the name `VerifiedCallback::system` looks up on the callback request
/// (feature `callback-verify`).
///
/// ```
/// use oss_post_policy::{Callback, CallbackBody, CallbackBodyType, SystemVariable};
///
/// let body = CallbackBody::new(CallbackBodyType::FormUrlEncoded)
///     .system(SystemVariable::Bucket)
///     .system(SystemVariable::Size)
///     .custom("x:uid");
/// assert_eq!(body.template(), "bucket=${bucket}&size=${size}&x:uid=${x:uid}");
/// let json = CallbackBody::new(CallbackBodyType::Json).system(SystemVariable::ETag).custom("x:uid");
/// assert_eq!(json.template(), r#"{"etag":${etag},"x:uid":${x:uid}}"#);
/// let cb = Callback::with_body("https://app.example.com/cb", &json).var("x:uid", "42");
/// assert!(cb.encode().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackBody {
    body_type: CallbackBodyType,
    /// Entry names, each filled by the variable of the same name.
    names: Vec<String>,
}

impl CallbackBody {
    /// An empty template encoded as `body_type`.
    pub fn new(body_type: CallbackBodyType) -> Self {
        Self { body_type, names: Vec::new() }
    }

    /// Adds the entry `name=${name}` for a system variable.
    #[must_use]
    pub fn system(mut self, var: SystemVariable) -> Self {
        self.names.push(var.name().to_owned());
        self
    }

    /// Adds the entry for a custom variable `x:name` (set its value with [`Callback::var`];
    /// [`Callback::encode`] checks the name).
    #[must_use]
    pub fn custom(mut self, name: impl Into<String>) -> Self {
        self.names.push(name.into());
        self
    }

    /// How the body is encoded.
    pub fn body_type(&self) -> CallbackBodyType {
        self.body_type
    }

    /// The `callbackBody` text.
    pub fn template(&self) -> String {
        match self.body_type {
            CallbackBodyType::FormUrlEncoded => {
                self.names.iter().map(|n| format!("{n}=${{{n}}}")).collect::<Vec<_>>().join("&")
            }
            CallbackBodyType::Json => {
                let entries = self.names.iter().map(|n| {
                    let key = serde_json::to_string(n).expect("a string serialises");
                    format!("{key}:${{{n}}}")
                });
                format!("{{{}}}", entries.collect::<Vec<_>>().join(","))
            }
        }
    }
}

/// An upload callback: after storing the object, OSS posts `body` to the URLs.
///
/// `body` may use OSS's system variables (`${bucket}`, `${object}`, `${etag}`, `${size}`,
/// `${mimeType}`, ..., see [`SystemVariable`]) and custom variables `${x:name}` set with
/// [`Callback::var`]; [`CallbackBody`] writes it from typed names.
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
    sni: bool,
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
            sni: false,
            vars: Vec::new(),
        }
    }

    /// A callback to one URL with a body written by [`CallbackBody`] (its text and its type).
    pub fn with_body(url: impl Into<String>, body: &CallbackBody) -> Self {
        Self::new(url, body.template()).body_type(body.body_type())
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

    /// `callbackSNI`: whether OSS sends Server Name Indication when it connects to an HTTPS
    /// callback URL (a server with several certificates on one address needs it). Written as
    /// the JSON boolean `true`, and only when set, as ali-oss writes it.
    #[must_use]
    pub fn sni(mut self, sni: bool) -> Self {
        self.sni = sni;
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
    /// an empty body, a variable name that is not lower-case `x:name`, a `$` in the body not
    /// followed by `{` (OSS's EC 0007-00000105) or a `${` not closed by `}`, or an encoded value
    /// over 5 KB.
    pub fn encode(&self) -> Result<String> {
        self.check()?;
        let config = Config {
            url: self.urls.join(";"),
            host: self.host.as_deref(),
            body: &self.body,
            body_type: self.body_type.as_str(),
            sni: self.sni,
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
        check_body_variables(&self.body).map_err(|reason| invalid("callbackBody", reason))?;
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
    #[serde(rename = "callbackSNI", skip_serializing_if = "std::ops::Not::not")]
    sni: bool,
}

/// OSS's message for a `$` not followed by `{` in `callbackBody` (EC 0007-00000105).
pub(crate) const LEFT_BRACE_MESSAGE: &str = "Left brace must be adjacent to dollar sign.";
/// The crate's message for a `${` without its `}` (mapped to EC 0007-00000105 [UNVERIFIED]).
pub(crate) const UNCLOSED_MESSAGE: &str = "a '${' is not closed by '}'";

/// Checks the variables of a `callbackBody`: every `$` opens `${`, every `${` is closed by `}`.
pub(crate) fn check_body_variables(body: &str) -> std::result::Result<(), &'static str> {
    let mut rest = body;
    while let Some(i) = rest.find('$') {
        let Some(after) = rest[i + 1..].strip_prefix('{') else {
            return Err(LEFT_BRACE_MESSAGE);
        };
        let Some(j) = after.find('}') else {
            return Err(UNCLOSED_MESSAGE);
        };
        rest = &after[j + 1..];
    }
    Ok(())
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
    fn callback_sni_is_a_json_boolean_written_only_when_set() {
        let on = decode(&Callback::new("https://a", "x").sni(true).encode().unwrap());
        assert_eq!(on["callbackSNI"], serde_json::Value::Bool(true));
        let off = decode(&Callback::new("https://a", "x").sni(false).encode().unwrap());
        assert!(off.get("callbackSNI").is_none());
    }

    #[test]
    fn system_variables_are_the_documented_names() {
        let names: Vec<_> = SystemVariable::ALL.iter().map(|v| v.name()).collect();
        assert_eq!(
            names,
            [
                "bucket",
                "object",
                "etag",
                "size",
                "mimeType",
                "imageInfo.height",
                "imageInfo.width",
                "imageInfo.format",
                "crc64",
                "contentMd5",
                "vpcId",
                "clientIp",
                "reqId",
                "operation"
            ]
        );
        assert_eq!(SystemVariable::MimeType.placeholder(), "${mimeType}");
        let all = SystemVariable::ALL.iter().fold(CallbackBody::new(CallbackBodyType::Json), |b, v| b.system(*v));
        let template = all.template();
        assert!(check_body_variables(&template).is_ok());
        assert!(Callback::with_body("https://a", &all).encode().is_ok());
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
        for bad in ["size=${size}&my_var=$x:my_var}", "a=$", "$$"] {
            assert!(
                matches!(Callback::new("https://a", bad).encode(), Err(Error::InvalidCallback { reason, .. }) if reason == LEFT_BRACE_MESSAGE),
                "{bad:?}"
            );
        }
        let big = Callback::new("https://a", "b".repeat(4000));
        assert!(matches!(big.encode(), Err(Error::InvalidCallback { part, .. }) if part == "callback"));
    }
}
