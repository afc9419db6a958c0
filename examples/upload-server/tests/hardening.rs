//! What an attacker could do with the example server beyond its upload limits (`abuse.rs`):
//! serve script from the server's own origin, and hold connections open on routes that read a
//! whole body.

mod common;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{BUCKET, Server};

/// PUTs `body` to a URL `/presign_put` signed for `name` with `content_type`; the object's key.
fn upload(server: &Server, name: &str, content_type: &str, body: &[u8]) -> String {
    let size = body.len();
    let signed = reqwest::blocking::get(format!(
        "{}/presign_put?FileName={name}&Size={size}&ContentType={content_type}",
        server.url
    ))
    .unwrap()
    .text()
    .unwrap();
    let signed: serde_json::Value = serde_json::from_str(&signed).unwrap();
    let client = reqwest::blocking::Client::new();
    let mut request = client.put(signed["url"].as_str().unwrap()).body(body.to_vec());
    for (name, value) in signed["headers"].as_object().unwrap() {
        request = request.header(name.as_str(), value.as_str().unwrap());
    }
    let stored = request.send().unwrap();
    assert_eq!(stored.status(), 200, "{}", stored.text().unwrap());
    signed["key"].as_str().unwrap().to_owned()
}

#[test]
fn uploaded_pages_cannot_run_script_on_the_servers_origin() {
    let server = Server::start("hard-xss", &[]);
    let page = b"<script>fetch('/presign_put?FileName=a&Size=1')</script>";
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>";
    for (name, content_type, body) in
        [("x.html", "text/html", page.as_slice()), ("x.svg", "image/svg%2Bxml", svg.as_slice())]
    {
        let key = upload(&server, name, content_type, body);
        let url = format!("{}/{key}", server.bucket_url());
        let client = reqwest::blocking::Client::new();
        for method in [reqwest::Method::GET, reqwest::Method::HEAD] {
            let answer = client.request(method.clone(), &url).send().unwrap();
            assert_eq!(answer.status(), 200);
            let h = answer.headers();
            // Served as stored, but as a sandboxed document: no script, an opaque origin.
            assert_eq!(h["content-type"], content_type.replace("%2B", "+").as_str(), "{method} {name}");
            assert_eq!(
                h.get("content-security-policy").map(|v| v.to_str().unwrap()),
                Some("sandbox"),
                "{method} {name}"
            );
            assert_eq!(
                h.get("x-content-type-options").map(|v| v.to_str().unwrap()),
                Some("nosniff"),
                "{method} {name}"
            );
        }
    }
    assert_eq!(server.files().len(), 2, "{:?} in {BUCKET}", server.files());
}

#[test]
fn a_callback_request_whose_body_stops_is_answered_within_the_read_timeout() {
    let server = Server::start("hard-cb-slow", &["--read-timeout", "1"]);
    let addr = server.url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(stream, "POST /callback HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 1000\r\n\r\nbucket=").unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let started = Instant::now();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "after {:?}: {answer:?}", started.elapsed());
    assert!(answer.contains(r#""status":"refused""#), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}

#[test]
fn a_callback_request_over_2_mb_is_refused() {
    let server = Server::start("hard-cb-large", &[]);
    let answer = reqwest::blocking::Client::new()
        .post(format!("{}/callback", server.url))
        .body(vec![b'a'; 2 * 1024 * 1024 + 1])
        .send()
        .unwrap();
    assert_eq!(answer.status(), 413);
    let answer: serde_json::Value = serde_json::from_str(&answer.text().unwrap()).unwrap();
    assert_eq!(answer["status"], "refused", "{answer}");
}

#[test]
fn a_client_that_stops_reading_its_answer_is_cut_off_after_the_read_timeout() {
    let server = Server::start("hard-slow-read", &["--read-timeout", "1", "--max-size", "33554432"]);
    let object = vec![b'x'; 32 * 1024 * 1024];
    let key = upload(&server, "big.bin", "application/octet-stream", &object);
    let addr = server.url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(stream, "GET /oss/{BUCKET}/{key} HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    // Far more than the socket buffers hold waits for this client, which reads nothing.
    std::thread::sleep(Duration::from_secs(4));
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut received = Vec::new();
    let _ = stream.read_to_end(&mut received);
    assert!(
        received.starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&received[..received.len().min(80)])
    );
    assert!(received.len() < object.len(), "the whole object waited {} bytes", received.len());
}

#[test]
fn callback_requests_read_at_once_are_bounded_by_max_uploads() {
    let server = Server::start("hard-cb-many", &["--read-timeout", "2", "--max-uploads", "1"]);
    let addr = server.url.trim_start_matches("http://");
    // One request whose body is on its way holds the only slot (and up to 2 MB of memory).
    let mut held = TcpStream::connect(addr).unwrap();
    write!(held, "POST /callback HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 2000000\r\n\r\nbucket=").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let client = reqwest::blocking::Client::new();
    let busy = client.post(format!("{}/callback", server.url)).body("bucket=a").send().unwrap();
    assert_eq!(busy.status(), 503, "{}", busy.text().unwrap());
    // Once it times out, the slot is free again: the next request is read (and refused unsigned).
    held.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut answer = String::new();
    let _ = held.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    let read = client.post(format!("{}/callback", server.url)).body("bucket=a").send().unwrap();
    assert_eq!(read.status(), 400);
}
