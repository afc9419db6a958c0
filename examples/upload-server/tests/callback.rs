//! Upload callbacks through the example server: the local bucket calls back like OSS (variables
//! filled, request signed, answer relayed or 203 `CallbackFailed`), only to loopback addresses
//! by default, and the application's `/callback` route checks the signature with the crate.
//! The callback servers here are plain TCP listeners, so every byte the bucket sends is seen.

mod common;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use md5::{Digest as _, Md5};
use oss_post_policy::callback_request::{CallbackPublicKey, CallbackRequest, CallbackRequestError};
use oss_post_policy::{Callback, CallbackBodyType};

use common::{BUCKET, Reply, Server, multipart_typed, post, signed_form};

/// A request as a callback server received it.
#[derive(Clone, Debug)]
struct Received {
    method: String,
    /// The request target: path and query, as sent.
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn path(&self) -> &str {
        self.target.split_once('?').map_or(&self.target, |(p, _)| p)
    }

    fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }

    /// The request as the crate's verifier takes it.
    fn as_callback_request(&self) -> CallbackRequest<'_> {
        let mut request = CallbackRequest::new(self.path(), &self.body)
            .authorization(self.header("authorization").unwrap_or_default())
            .pub_key_url(self.header("x-oss-pub-key-url").unwrap_or_default());
        if let Some(query) = self.query() {
            request = request.query(query);
        }
        if let Some(content_type) = self.header("content-type") {
            request = request.content_type(content_type);
        }
        request
    }
}

/// A callback server on a free loopback port that records each request and answers `answer`
/// (raw HTTP), or never answers (`None`, the connection held for 3 s).
fn callback_server(answer: Option<&'static str>) -> (String, mpsc::Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (sent, received) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let Some(request) = read_request(&mut stream) else { continue };
            if sent.send(request).is_err() {
                return;
            }
            match answer {
                Some(answer) => {
                    let _ = stream.write_all(answer.as_bytes());
                }
                None => std::thread::sleep(Duration::from_secs(3)),
            }
        }
    });
    (base, received)
}

fn read_request(stream: &mut TcpStream) -> Option<Received> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let length: usize = headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("content-length"))?.1.parse().ok()?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Received { method, target, headers, body })
}

/// A raw 200 answer with a JSON body and its `Content-Length`.
const JSON_ANSWER: &str = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\nConnection: close\r\n\r\n{\"answered\":1}\n";

/// Uploads `bytes` (typed `text/plain`) under `key` with `callback` (encoded) and its `x:`
/// variables as form fields.
fn upload(server: &Server, key: &str, callback: &Callback, bytes: &[u8]) -> Reply {
    let form = signed_form(server, 1024 * 1024);
    let encoded = callback.encode().unwrap();
    let mut fields: Vec<(&str, &str)> = vec![("key", key), ("callback", &encoded)];
    fields.extend(callback.vars().iter().map(|(n, v)| (n.as_str(), v.as_str())));
    fields.extend(form.iter());
    post(form.url(), multipart_typed(&fields, ("f.txt", bytes), Some("text/plain")), None)
}

/// The key the server signs callbacks with, as it serves it.
fn local_key(server: &Server) -> CallbackPublicKey {
    let pem = reqwest::blocking::get(format!("{}/callback_pub_key.pem", server.url)).unwrap().text().unwrap();
    CallbackPublicKey::from_pem(&pem).unwrap()
}

fn md5_hex_upper(bytes: &[u8]) -> String {
    hex::encode_upper(Md5::digest(bytes))
}

#[test]
fn the_signature_endpoints_callback_brings_back_the_applications_json() {
    let server = Server::start("cb-endpoint", &[]);
    let get = |path: &str| -> serde_json::Value {
        let text = reqwest::blocking::get(format!("{}{path}", server.url)).unwrap().text().unwrap();
        serde_json::from_str(&text).unwrap()
    };
    let sig = get("/get_post_signature_for_oss_upload?callback=1");
    let plain = get("/get_post_signature_for_oss_upload");
    assert!(plain.get("callback").is_none(), "a callback only when asked for: {plain}");
    let config = base64::engine::general_purpose::STANDARD.decode(sig["callback"].as_str().unwrap()).unwrap();
    let config: serde_json::Value = serde_json::from_slice(&config).unwrap();
    assert_eq!(config["callbackUrl"], format!("{}/callback", server.url));

    let fields: Vec<(&str, &str)> = vec![
        ("key", "user-dir/report 1.txt"),
        ("policy", sig["policy"].as_str().unwrap()),
        ("x-oss-signature-version", sig["x_oss_signature_version"].as_str().unwrap()),
        ("x-oss-credential", sig["x_oss_credential"].as_str().unwrap()),
        ("x-oss-date", sig["x_oss_date"].as_str().unwrap()),
        ("x-oss-signature", sig["signature"].as_str().unwrap()),
        ("callback", sig["callback"].as_str().unwrap()),
        ("x:filename", "report 1 & co.txt"),
    ];
    let bytes = b"twelve bytes";
    let reply =
        post(sig["host"].as_str().unwrap(), multipart_typed(&fields, ("r.txt", bytes), Some("text/plain")), None);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.headers["content-type"], "application/json");
    assert_eq!(reply.headers["etag"], format!("\"{}\"", md5_hex_upper(bytes)).as_str());
    let answer: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(answer["status"], "ok", "{answer}");
    assert_eq!(answer["bucket"], BUCKET);
    assert_eq!(answer["object"], "user-dir/report 1.txt");
    assert_eq!(answer["size"], 12);
    assert_eq!(answer["etag"], md5_hex_upper(bytes));
    assert_eq!(answer["mimeType"], "text/plain");
    assert_eq!(answer["x:filename"], "report 1 & co.txt");
    assert_eq!(server.stored("user-dir/report 1.txt").as_deref(), Some(bytes.as_slice()));

    // The policy pins the callback: a browser cannot send OSS's callback elsewhere.
    let policy = base64::engine::general_purpose::STANDARD.decode(sig["policy"].as_str().unwrap()).unwrap();
    let policy: serde_json::Value = serde_json::from_slice(&policy).unwrap();
    assert!(
        policy["conditions"].as_array().unwrap().contains(&serde_json::json!({"callback": sig["callback"]})),
        "{policy}"
    );
    let elsewhere = Callback::new(format!("{}/elsewhere", server.url), "object=${object}").encode().unwrap();
    let moved: Vec<(&str, &str)> =
        fields.iter().map(|&(n, v)| if n == "callback" { (n, elsewhere.as_str()) } else { (n, v) }).collect();
    let reply =
        post(sig["host"].as_str().unwrap(), multipart_typed(&moved, ("r.txt", bytes), Some("text/plain")), None);
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert!(reply.body.contains("<Code>AccessDenied</Code>") && reply.body.contains("$callback"), "{}", reply.body);
}

#[test]
fn the_bucket_fills_the_variables_and_signs_like_oss() {
    let server = Server::start("cb-signed", &[]);
    let (base, received) = callback_server(Some(JSON_ANSWER));
    let bytes = b"hello callback";
    let var = "a b&c=d/\u{e9}+\"q\"\\";
    let key = "user-dir/\u{e4} b+c.txt";

    // A form body; a path with an escape and a query: both are signed.
    let template = "bucket=${bucket}&object=${object}&etag=${etag}&size=${size}&mimeType=${mimeType}\
                    &md5=${contentMd5}&op=${operation}&v=${x:var}&unset=${x:unset}&w=${imageInfo.width}";
    let cb = Callback::new(format!("{base}/cb/a%20b+c?id=1&to=%2F"), template).var("x:var", var);
    let reply = upload(&server, key, &cb, bytes);
    assert_eq!((reply.status, reply.body.as_str()), (200, "{\"answered\":1}\n"), "the answer is relayed as is");
    assert_eq!(reply.headers["etag"], format!("\"{}\"", md5_hex_upper(bytes)).as_str());
    let request = received.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!((request.method.as_str(), request.target.as_str()), ("POST", "/cb/a%20b+c?id=1&to=%2F"));
    assert_eq!(request.header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(request.header("host"), Some("127.0.0.1"), "OSS's example sends the host without the port");
    let key_url = base64::engine::general_purpose::STANDARD.decode(request.header("x-oss-pub-key-url").unwrap());
    assert!(String::from_utf8(key_url.unwrap()).unwrap().starts_with("https://gosspublic.alicdn.com/"));

    let verified = request.as_callback_request().verify(&local_key(&server)).unwrap();
    let md5 = Md5::digest(bytes);
    let etag = md5_hex_upper(bytes);
    let content_md5 = base64::engine::general_purpose::STANDARD.encode(md5);
    let expected = [
        ("bucket", BUCKET),
        ("object", key),
        ("etag", etag.as_str()),
        ("size", "14"),
        ("mimeType", "text/plain"),
        ("md5", content_md5.as_str()),
        ("op", "PostObject"),
        ("v", var),
        ("unset", ""),
        ("w", ""),
    ];
    let entries: Vec<(&str, &str)> = verified.entries().iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    assert_eq!(entries, expected);
    // Values are percent-encoded: no `&`, `=`, `+` or space of a value reaches the body raw.
    let body = String::from_utf8(request.body.clone()).unwrap();
    assert!(body.contains("&v=a%20b%26c%3Dd%2F%C3%A9%2B%22q%22%5C&"), "{body}");

    // Not OSS's key: an application that trusts only OSS's built-in key is told so.
    assert!(matches!(
        request.as_callback_request().verify(&CallbackPublicKey::oss()),
        Err(CallbackRequestError::UnknownPublicKey { .. })
    ));
    // One byte of the body changed: the signature no longer matches.
    let mut tampered = request.clone();
    tampered.body[0] ^= 1;
    assert!(matches!(
        tampered.as_callback_request().verify(&local_key(&server)),
        Err(CallbackRequestError::SignatureMismatch)
    ));
}

#[test]
fn json_bodies_get_json_values_and_callback_host_is_the_host_header() {
    let server = Server::start("cb-json", &[]);
    let (base, received) = callback_server(Some(JSON_ANSWER));
    let var = "say \"hi\"\\\n\u{1}";
    let template = r#"{"object":${object},"size":${size},"v":${x:var},"h":${imageInfo.height}}"#;
    let cb = Callback::new(format!("{base}/json"), template)
        .body_type(CallbackBodyType::Json)
        .host("app.example.com")
        .var("x:var", var);
    let reply = upload(&server, "user-dir/q\"uote.txt", &cb, b"0123456789");
    assert_eq!(reply.status, 200, "{}", reply.body);
    let request = received.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(request.header("host"), Some("app.example.com"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(body, serde_json::json!({"object": "user-dir/q\"uote.txt", "size": 10, "v": var, "h": ""}));
    let verified = request.as_callback_request().verify(&local_key(&server)).unwrap();
    assert_eq!(verified.size(), Some(10));
}

/// The application route, called with `request` (its target replaced by `target`).
fn send_to_application(server: &Server, request: &Received, target: &str) -> (u16, serde_json::Value) {
    let mut call = reqwest::blocking::Client::new().post(format!("{}{target}", server.url)).body(request.body.clone());
    for name in ["authorization", "x-oss-pub-key-url", "content-type"] {
        if let Some(value) = request.header(name) {
            call = call.header(name, value);
        }
    }
    let response = call.send().unwrap();
    (response.status().as_u16(), serde_json::from_str(&response.text().unwrap()).unwrap())
}

#[test]
fn the_application_refuses_tampered_callbacks() {
    let server = Server::start("cb-app", &[]);
    let (base, received) = callback_server(Some(JSON_ANSWER));
    let template = "object=${object}&size=${size}";
    // Requests the bucket signed for `/callback?id=7` and for another path.
    assert_eq!(
        upload(&server, "user-dir/t", &Callback::new(format!("{base}/callback?id=7"), template), b"t").status,
        200
    );
    let signed = received.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(upload(&server, "user-dir/u", &Callback::new(format!("{base}/other"), template), b"u").status, 200);
    let other_path = received.recv_timeout(Duration::from_secs(5)).unwrap();

    let (status, answer) = send_to_application(&server, &signed, "/callback?id=7");
    assert_eq!(
        (status, &answer["status"], &answer["object"], &answer["size"]),
        (200, &"ok".into(), &"user-dir/t".into(), &1.into())
    );

    let refused = |status: u16, answer: &serde_json::Value| status == 400 && answer["status"] == "refused";
    let mut body = signed.clone();
    body.body = b"object=user-dir/t&size=2".to_vec();
    let (status, answer) = send_to_application(&server, &body, "/callback?id=7");
    assert!(refused(status, &answer) && answer["reason"].as_str().unwrap().contains("signature"), "{answer}");
    let (status, answer) = send_to_application(&server, &signed, "/callback?id=8");
    assert!(refused(status, &answer), "another query: {answer}");
    let (status, answer) = send_to_application(&server, &other_path, "/callback");
    assert!(refused(status, &answer), "signed for another path: {answer}");
    let mut signature = signed.clone();
    let auth = signature.headers.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case("authorization")).unwrap();
    let mut raw = base64::engine::general_purpose::STANDARD.decode(&auth.1).unwrap();
    raw[10] ^= 1;
    auth.1 = base64::engine::general_purpose::STANDARD.encode(raw);
    let (status, answer) = send_to_application(&server, &signature, "/callback?id=7");
    assert!(refused(status, &answer), "a changed signature: {answer}");
    let mut key_url = signed.clone();
    let url = key_url.headers.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case("x-oss-pub-key-url")).unwrap();
    url.1 = base64::engine::general_purpose::STANDARD.encode("https://gosspublic.alicdn.com.evil.example/k.pem");
    let (status, answer) = send_to_application(&server, &key_url, "/callback?id=7");
    assert!(refused(status, &answer) && answer["reason"].as_str().unwrap().contains("gosspublic"), "{answer}");
}

/// Checks a 203 `CallbackFailed` whose message contains `message`, with the object stored.
fn assert_callback_failed(server: &Server, reply: &Reply, key: &str, message: &str) {
    assert_eq!((reply.status, reply.code()), (203, Some("CallbackFailed")), "{}", reply.body);
    let text = reply.message().unwrap();
    assert!(text.contains(message), "{text:?} does not contain {message:?}");
    assert!(reply.headers.contains_key("etag"));
    assert!(server.stored(key).is_some(), "{key} is stored although the callback failed");
}

#[test]
fn failed_callbacks_answer_203_callback_failed_and_keep_the_object() {
    let server = Server::start(
        "cb-fail",
        &["--callback-timeout", "1", "--callback-max-response", "64", "--callback-max-body", "64"],
    );
    let cb = |url: &str| Callback::new(url, "object=${object}");

    // A filled-in body over --callback-max-body is not sent.
    let (base, received) = callback_server(Some(JSON_ANSWER));
    let long = Callback::new(format!("{base}/cb"), "object=${object}&v=${x:v}").var("x:v", "v".repeat(64));
    let reply = upload(&server, "user-dir/long", &long, b"1");
    assert_callback_failed(&server, &reply, "user-dir/long", "--callback-max-body");
    assert!(received.recv_timeout(Duration::from_millis(200)).is_err(), "nothing was sent");

    // Nothing listens there.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let reply = upload(&server, "user-dir/refused", &cb(&format!("http://{closed}/cb")), b"1");
    assert_callback_failed(&server, &reply, "user-dir/refused", "OSS can not connect to your callbackUrl");

    let cases: [(&str, &'static str, &str); 5] = [
        ("user-dir/text", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK", "Response body is not valid json format."),
        (
            "user-dir/bom",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n\u{feff}{}",
            "Response body is not valid json format.",
        ),
        ("user-dir/500", "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 2\r\n\r\n{}", "Error status : 500."),
        (
            "user-dir/redirect",
            "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/\r\nContent-Length: 2\r\n\r\n{}",
            "Error status : 302.",
        ),
        ("user-dir/large", "HTTP/1.1 200 OK\r\nContent-Length: 65\r\n\r\n", "--callback-max-response"),
    ];
    for (key, answer, message) in cases {
        let (base, _received) = callback_server(Some(answer));
        let reply = upload(&server, key, &cb(&format!("{base}/cb")), b"1");
        assert_callback_failed(&server, &reply, key, message);
    }
    let (base, _received) =
        callback_server(Some("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"));
    let reply = upload(&server, "user-dir/chunked", &cb(&format!("{base}/cb")), b"1");
    assert_callback_failed(&server, &reply, "user-dir/chunked", "Content-Length");

    // An answer that never comes: OSS's timeout message, after the timeout.
    let (base, _received) = callback_server(None);
    let started = Instant::now();
    let reply = upload(&server, "user-dir/slow", &cb(&format!("{base}/cb")), b"1");
    assert_callback_failed(&server, &reply, "user-dir/slow", "reply timeout, cost: ");
    assert!(started.elapsed() >= Duration::from_secs(1));

    // The first URL fails, the next answers: OSS tries them in order.
    let (base, _received) = callback_server(Some(JSON_ANSWER));
    let reply = upload(&server, "user-dir/second", &cb(&format!("http://{closed}/cb")).url(format!("{base}/cb")), b"1");
    assert_eq!((reply.status, reply.body.as_str()), (200, "{\"answered\":1}\n"));
}

#[test]
fn callbacks_go_to_loopback_addresses_unless_allowed() {
    let server = Server::start("cb-loopback", &[]);
    let cb = |url: &str| Callback::new(url, "object=${object}");
    for url in ["http://192.0.2.1/cb", "192.0.2.1:8080/cb", "http://169.254.169.254/latest/meta-data/"] {
        let started = Instant::now();
        let reply = upload(&server, "user-dir/far", &cb(url), b"1");
        assert_callback_failed(&server, &reply, "user-dir/far", "--callback-allow-any-host");
        assert!(started.elapsed() < Duration::from_secs(2), "{url} is refused without a connection attempt");
    }
    let reply = upload(&server, "user-dir/v6", &cb("http://[::1]/cb"), b"1");
    assert_callback_failed(&server, &reply, "user-dir/v6", "IPv6");
    let reply = upload(&server, "user-dir/tls", &cb("https://127.0.0.1/cb"), b"1");
    assert_callback_failed(&server, &reply, "user-dir/tls", "http:// URLs only");
    // A name that resolves to a loopback address is called.
    let (base, received) = callback_server(Some(JSON_ANSWER));
    let reply = upload(&server, "user-dir/near", &cb(&base.replace("127.0.0.1", "localhost")), b"1");
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(received.recv_timeout(Duration::from_secs(5)).is_ok());

    // With the option, the address is called (and here does not answer in time).
    let open = Server::start("cb-any-host", &["--callback-allow-any-host", "--callback-timeout", "1"]);
    let reply = upload(&open, "user-dir/far", &cb("http://192.0.2.1/cb"), b"1");
    assert_eq!((reply.status, reply.code()), (203, Some("CallbackFailed")), "{}", reply.body);
    assert!(!reply.message().unwrap().contains("--callback-allow-any-host"), "{}", reply.body);
}
