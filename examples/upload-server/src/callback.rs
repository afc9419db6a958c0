//! Upload callbacks, both sides (`docs/oss-rules.md` §9; the rules and their sources are in
//! `examples/README.md`, "Upload callbacks").
//!
//! **The local bucket**, like OSS: after storing an object uploaded with a `callback` field, it
//! fills the variables of `callbackBody` (form bodies: values percent-encoded; JSON bodies:
//! values as JSON), signs the request with the bucket's RSA key (`authorization` = base64 of
//! the RSA-MD5 PKCS#1 v1.5 signature of `url_decode(path) [+ "?" + query] + "\n" + body`,
//! `x-oss-pub-key-url` = base64 of a URL on OSS's key host), and POSTs it to each
//! `callbackUrl` in turn until one answers 200 with JSON. The uploader then gets 200 with that
//! JSON, or 203 `CallbackFailed` with OSS's message; the object is stored either way.
//!
//! An emulator that POSTs wherever a form says would let anyone who can reach it probe the
//! network behind it, so a callback goes only to loopback addresses unless
//! `--callback-allow-any-host`: the host is resolved once, every address is checked, the
//! connection is opened to a checked address, and redirects are never followed. Like OSS, only
//! IPv4 addresses are called.
//!
//! **The application** (`POST /callback`): verifies the request with the crate's
//! `CallbackRequest` against the bucket's public key (with `--oss-host`, OSS's own) and answers
//! JSON, or 400 with the reason.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use http_body_util::{BodyExt as _, Full, LengthLimitError, Limited};
use hyper_util::rt::TokioIo;
use md5::{Digest as _, Md5};
use oss_post_policy::callback_request::{CallbackPublicKey, CallbackRequest};
use oss_post_policy::verify::{AcceptedUpload, CallbackConfig, Rejection};
use oss_post_policy::{Callback, CallbackBody, CallbackBodyType, SystemVariable};
use rsa::pkcs8::{EncodePublicKey as _, LineEnding};
use rsa::{Pkcs1v15Sign, RsaPrivateKey};

use crate::App;
use crate::percent::percent_encode;

/// OSS's callback timeout: 5 seconds (`docs/oss-rules.md` §9.4).
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest callback answer read: OSS requires a `Content-Length` "smaller than 3 MB" (an
/// older text of the same page says 1 MB).
pub(crate) const DEFAULT_MAX_RESPONSE: usize = 3 * 1024 * 1024;
/// Largest filled-in callback body: a template (at most 5 KB) may use a 2 MB `x:` value many
/// times; OSS documents no limit, so the default is the 8 MB OSS allows for all fields.
pub(crate) const DEFAULT_MAX_BODY: usize = oss_post_policy::verify::MAX_PRE_FILE_LEN;
/// Bits of the bucket's key: OSS's own `callback_pub_key_v1.pem` is 512-bit RSA.
const KEY_BITS: usize = 512;
/// The key URL the bucket names: on OSS's key host, so applications' prefix checks pass, but
/// not OSS's key file (`callback_pub_key_v1.pem`), so an application that trusts only OSS's
/// built-in key is told the key is unknown rather than that the signature is wrong. The key
/// itself is served at `GET /callback_pub_key.pem`.
pub(crate) const LOCAL_KEY_URL: &str = "https://gosspublic.alicdn.com/upload_server_local_callback_key.pem";
/// The application's route, which the signature endpoint's `callback` points at.
const ROUTE: &str = "/callback";
/// The largest callback request the application reads: axum's default for a body read whole.
const MAX_REQUEST_BODY: usize = 2 * 1024 * 1024;

/// The callback options of the command line.
#[derive(Clone, Copy)]
pub(crate) struct CallbackLimits {
    pub(crate) timeout: Duration,
    pub(crate) max_response: usize,
    pub(crate) max_body: usize,
    pub(crate) allow_any_host: bool,
}

impl Default for CallbackLimits {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_TIMEOUT,
            max_response: DEFAULT_MAX_RESPONSE,
            max_body: DEFAULT_MAX_BODY,
            allow_any_host: false,
        }
    }
}

impl CallbackLimits {
    /// The option whose value no callback could work with, if any.
    pub(crate) fn unusable(&self) -> Option<&'static str> {
        if self.timeout.is_zero() {
            Some("--callback-timeout must be at least 1")
        } else if self.max_response == 0 {
            Some("--callback-max-response must be at least 1")
        } else if self.max_body == 0 {
            Some("--callback-max-body must be at least 1")
        } else {
            None
        }
    }
}

/// Both sides' keys and the options.
pub(crate) struct Callbacks {
    /// `<public url>/callback`: the application's route.
    url: String,
    /// The bucket's signing key, made at start-up.
    key: RsaPrivateKey,
    public_pem: String,
    /// The key the application trusts: the bucket's, or OSS's with `--oss-host`.
    trusted: CallbackPublicKey,
    limits: CallbackLimits,
    /// One permit per callback request the application reads (as many as `--max-uploads`:
    /// each read may hold 2 MB).
    requests: tokio::sync::Semaphore,
}

impl Callbacks {
    /// A fresh key for the local bucket; the application trusts it, or OSS's key when
    /// `real_oss` (browsers upload to a real bucket, which signs with OSS's key). The
    /// application reads at most `max_requests` callback requests at once.
    pub(crate) fn new(
        limits: CallbackLimits,
        real_oss: bool,
        public_url: &str,
        max_requests: usize,
    ) -> Result<Self, String> {
        let key = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, KEY_BITS)
            .map_err(|e| format!("cannot make the callback key: {e}"))?;
        let public_pem = key
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| format!("cannot write the callback key: {e}"))?;
        let trusted = if real_oss {
            CallbackPublicKey::oss()
        } else {
            CallbackPublicKey::from_pem(&public_pem).map_err(|e| format!("cannot read the callback key: {e}"))?
        };
        let requests = tokio::sync::Semaphore::new(max_requests.min(tokio::sync::Semaphore::MAX_PERMITS));
        Ok(Self { url: format!("{public_url}{ROUTE}"), key, public_pem, trusted, limits, requests })
    }

    /// `authorization`: base64 of the RSA-MD5 signature of the callback's signed string, the
    /// one the crate's verifier checks (`url_decode(path)`, `?query` when there is one, `\n`,
    /// the body).
    fn sign(&self, path: &str, query: Option<&str>, body: &[u8]) -> Result<String, String> {
        let text = CallbackRequest::new(path, body).query(query.unwrap_or_default()).string_to_sign();
        let digest = Md5::digest(&text);
        let signature = self
            .key
            .sign_with_rng(&mut rsa::rand_core::OsRng, Pkcs1v15Sign::new::<Md5>(), &digest)
            .map_err(|e| format!("cannot sign the callback: {e}"))?;
        Ok(base64::engine::general_purpose::STANDARD.encode(signature))
    }
}

/// What the bucket knows about the object it stored, for the system variables.
pub(crate) struct StoredObject<'a> {
    pub(crate) bucket: &'a str,
    pub(crate) accepted: &'a AcceptedUpload,
    /// Upper-case hex MD5, unquoted, as OSS's callback example shows `etag`.
    pub(crate) etag: &'a str,
    pub(crate) md5: [u8; 16],
    pub(crate) request_id: &'a str,
}

/// A variable's value: text, or a number (`${size}`, written bare in JSON bodies).
enum Value {
    Text(String),
    Number(u64),
}

impl StoredObject<'_> {
    /// The value of `${name}`; `None` for what the local bucket does not know (image
    /// information, CRC-64, VPC id, client IP) or an `x:` variable the form did not set.
    fn value(&self, name: &str) -> Option<Value> {
        if name.starts_with("x:") {
            let found = self.accepted.callback_vars.iter().find(|(n, _)| n == name);
            return found.map(|(_, v)| Value::Text(v.clone()));
        }
        let var = SystemVariable::ALL.into_iter().find(|v| v.name() == name)?;
        let text = match var {
            SystemVariable::Bucket => self.bucket.to_owned(),
            SystemVariable::Object => self.accepted.key.clone(),
            SystemVariable::ETag => self.etag.to_owned(),
            SystemVariable::Size => return Some(Value::Number(self.accepted.size)),
            SystemVariable::MimeType => {
                self.accepted.content_type.clone().unwrap_or_else(|| "application/octet-stream".to_owned())
            }
            SystemVariable::ContentMd5 => base64::engine::general_purpose::STANDARD.encode(self.md5),
            SystemVariable::ReqId => self.request_id.to_owned(),
            SystemVariable::Operation => "PostObject".to_owned(),
            _ => return None,
        };
        Some(Value::Text(text))
    }
}

/// `template` with every `${name}` replaced as OSS does: in a form body by the value
/// percent-encoded, in a JSON body by the value as JSON (a string, or a number for `size`); an
/// unknown variable by the empty value. `None` when the result would be over `max` bytes.
fn fill_body(template: &str, json: bool, object: &StoredObject<'_>, max: usize) -> Option<String> {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    // The verifier checked that every `$` opens a `${` closed by `}`.
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else { break };
        out.push_str(&rest[..start]);
        let name = &rest[start + 2..start + len];
        let value = match (object.value(name), json) {
            (Some(Value::Number(n)), _) => n.to_string(),
            (Some(Value::Text(t)), false) => percent_encode(&t, false),
            (Some(Value::Text(t)), true) => serde_json::to_string(&t).expect("a string serialises"),
            (None, false) => String::new(),
            (None, true) => "\"\"".to_owned(),
        };
        if out.len() + value.len() > max {
            return None;
        }
        out.push_str(&value);
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    (out.len() <= max).then_some(out)
}

/// The answer to an upload with a callback, once the object is stored: 200 with the JSON of
/// the first callback URL that answered as OSS requires, else 203 `CallbackFailed`.
pub(crate) async fn answer(app: &App, config: &CallbackConfig, object: &StoredObject<'_>, host_id: &str) -> Response {
    let limits = app.callbacks.limits;
    let json = config.body_type == CallbackBodyType::Json.as_str();
    let result = match fill_body(&config.body, json, object, limits.max_body) {
        None => Err(format!("The callback body is over {} bytes (--callback-max-body).", limits.max_body)),
        Some(body) => {
            let mut result = Err(String::new());
            for url in &config.urls {
                result = call(&app.callbacks, url, config.host.as_deref(), &config.body_type, &body).await;
                if result.is_ok() {
                    break;
                }
            }
            result
        }
    };
    let mut response = match result {
        Ok(answer) => (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], answer).into_response(),
        Err(message) => {
            eprintln!("upload_server: {} callback failed: {message:?}", object.request_id);
            let refusal = Rejection::with_status("CallbackFailed", None, message, 203);
            let xml = refusal.to_xml(object.request_id, host_id);
            (StatusCode::NON_AUTHORITATIVE_INFORMATION, [(header::CONTENT_TYPE, "application/xml")], xml)
                .into_response()
        }
    };
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", object.etag)) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

/// One callback request to `url`: the answer's JSON bytes, or OSS's `CallbackFailed` message.
async fn call(
    callbacks: &Callbacks,
    url: &str,
    host: Option<&str>,
    body_type: &str,
    body: &str,
) -> Result<Bytes, String> {
    let cannot_connect = || "Error status : -1. OSS can not connect to your callbackUrl, please check it.".to_owned();
    // OSS takes a URL without a scheme as http ([CB]'s examples: "121.43.113.8:23456/index.html").
    let full = if url.contains("://") { url.to_owned() } else { format!("http://{url}") };
    let uri: Uri = full.parse().map_err(|_| cannot_connect())?;
    if uri.scheme_str() != Some("http") {
        return Err(format!("Error status : -1. The local bucket calls back http:// URLs only, not {url}."));
    }
    let name = uri.host().ok_or_else(cannot_connect)?;
    if name.starts_with('[') {
        return Err(format!("Error status : -1. Callback URLs cannot be IPv6 addresses: {url}."));
    }
    let port = uri.port_u16().unwrap_or(80);
    let limits = callbacks.limits;
    let started = Instant::now();
    let exchange = async {
        let target = resolve(name, port, limits.allow_any_host).await?;
        let path = uri.path();
        let request = Request::post(uri.path_and_query().map_or("/", |pq| pq.as_str()))
            // OSS's example request sends the host without the port.
            .header(header::HOST, host.unwrap_or(name))
            .header(header::CONTENT_TYPE, body_type)
            .header(header::CONTENT_LENGTH, body.len())
            .header(header::CONNECTION, "close")
            .header("authorization", callbacks.sign(path, uri.query(), body.as_bytes())?)
            .header("x-oss-pub-key-url", base64::engine::general_purpose::STANDARD.encode(LOCAL_KEY_URL))
            .body(Full::new(Bytes::copy_from_slice(body.as_bytes())))
            .map_err(|e| format!("Error status : -1. Cannot write the callback request: {e}."))?;
        let stream = tokio::net::TcpStream::connect(target).await.map_err(|_| cannot_connect())?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|_| cannot_connect())?;
        // The connection is driven beside the exchange and ends with it, or at the timeout.
        tokio::spawn(tokio::time::timeout(limits.timeout, connection));
        let response = sender.send_request(request).await.map_err(|_| cannot_connect())?;
        read_answer(response, limits.max_response).await
    };
    tokio::time::timeout(limits.timeout, exchange).await.unwrap_or_else(|_| {
        let ms = limits.timeout.as_millis();
        let cost = started.elapsed().as_millis();
        Err(format!("error status:-1 {name}:{port} reply timeout, cost: {cost} MS, timeout: {ms} MS"))
    })
}

/// The address to call: the first IPv4 address `name` resolves to that the options allow.
async fn resolve(name: &str, port: u16, allow_any_host: bool) -> Result<SocketAddr, String> {
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((name, port))
        .await
        .map_err(|_| "Error status : -1. OSS can not connect to your callbackUrl, please check it.".to_owned())?
        .filter(SocketAddr::is_ipv4)
        .collect();
    if addresses.is_empty() {
        return Err("Error status : -1. OSS can not connect to your callbackUrl, please check it.".to_owned());
    }
    let allowed = |a: &SocketAddr| allow_any_host || is_loopback(a.ip());
    addresses.iter().copied().find(allowed).ok_or_else(|| {
        format!(
            "Error status : -1. The local bucket calls back loopback addresses only, and {name} is not one \
             (start upload_server with --callback-allow-any-host to allow it)."
        )
    })
}

fn is_loopback(ip: IpAddr) -> bool {
    ip.to_canonical().is_loopback()
}

/// The answer OSS accepts: 200, a `Content-Length` of at most `max` bytes, a JSON body.
async fn read_answer(response: hyper::Response<hyper::body::Incoming>, max: usize) -> Result<Bytes, String> {
    let status = response.status();
    if status != StatusCode::OK {
        return Err(format!("Error status : {}.", status.as_u16()));
    }
    let length = response.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let Some(length) = length else {
        return Err("Response has no valid Content-Length.".to_owned());
    };
    if length > max as u64 {
        return Err(format!("Response body is over {max} bytes (--callback-max-response)."));
    }
    let body = Limited::new(response.into_body(), max)
        .collect()
        .await
        .map_err(|_| "Error status : -1. The callback answer was cut short.".to_owned())?
        .to_bytes();
    if serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_err() {
        return Err("Response body is not valid json format.".to_owned());
    }
    Ok(body)
}

impl Callbacks {
    /// The callback the signature endpoint asks for with `?callback=1`: a form body with the
    /// object's bucket, name, `ETag`, size and type and the page's `x:filename`, posted to the
    /// application's route.
    pub(crate) fn signature_callback(&self) -> Callback {
        use SystemVariable::{Bucket, ETag, MimeType, Object, Size};
        let body = [Bucket, Object, ETag, Size, MimeType]
            .into_iter()
            .fold(CallbackBody::new(CallbackBodyType::FormUrlEncoded), CallbackBody::system)
            .custom("x:filename");
        Callback::with_body(&self.url, &body)
    }
}

/// The application's routes: `POST /callback` and `GET /callback_pub_key.pem`.
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new().route(ROUTE, post(application)).route("/callback_pub_key.pem", get(public_key))
}

/// `GET /callback_pub_key.pem`: the local bucket's public key, for applications elsewhere.
async fn public_key(State(app): State<Arc<App>>) -> Response {
    ([(header::CONTENT_TYPE, "application/x-pem-file")], app.callbacks.public_pem.clone()).into_response()
}

/// `POST /callback`: the application. It checks that the request comes from the bucket and
/// answers JSON the bucket relays to the uploader.
async fn application(State(app): State<Arc<App>>, uri: Uri, headers: HeaderMap, body: Body) -> Response {
    let refused = |status: StatusCode, reason: String| {
        eprintln!("upload_server: callback refused: {reason:?}");
        (status, axum::Json(serde_json::json!({ "status": "refused", "reason": reason }))).into_response()
    };
    // Read whole, so bounded in size, in time (a client that stops sending is not waited for)
    // and in number.
    let Ok(_permit) = app.callbacks.requests.try_acquire() else {
        let reason = "as many callback requests as --max-uploads are being read".to_owned();
        return refused(StatusCode::SERVICE_UNAVAILABLE, reason);
    };
    let timeout = app.limits.read_timeout;
    let body = match tokio::time::timeout(timeout, axum::body::to_bytes(body, MAX_REQUEST_BODY)).await {
        Ok(Ok(body)) => body,
        Ok(Err(e)) => {
            let e = e.into_inner();
            return if e.is::<LengthLimitError>() {
                refused(StatusCode::PAYLOAD_TOO_LARGE, format!("the body is over {MAX_REQUEST_BODY} bytes"))
            } else {
                refused(StatusCode::BAD_REQUEST, format!("the body was cut short: {e}"))
            };
        }
        Err(_) => {
            let reason = format!("the body did not arrive within {} s (--read-timeout)", timeout.as_secs());
            return refused(StatusCode::REQUEST_TIMEOUT, reason);
        }
    };
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let mut request = CallbackRequest::new(uri.path(), &body)
        .authorization(text("authorization"))
        .pub_key_url(text("x-oss-pub-key-url"));
    if let Some(query) = uri.query() {
        request = request.query(query);
    }
    if headers.contains_key(header::CONTENT_TYPE) {
        request = request.content_type(text("content-type"));
    }
    match request.verify(&app.callbacks.trusted) {
        Ok(callback) => {
            // The body's entries (`size` as a number), and the verdict.
            let mut answer = serde_json::Map::new();
            for (name, value) in callback.entries() {
                answer.insert(name.clone(), value.clone().into());
            }
            if let Some(size) = callback.size() {
                answer.insert("size".to_owned(), size.into());
            }
            answer.insert("status".to_owned(), "ok".into());
            axum::Json(answer).into_response()
        }
        Err(e) => refused(StatusCode::BAD_REQUEST, e.to_string()),
    }
}
