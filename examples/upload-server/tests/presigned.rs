//! The local bucket's presigned requests, over HTTP without a browser: `PUT` and `GET` on V4
//! presigned URLs signed by the crate (with the server's credentials, the OSS documentation's
//! example pair) or by the server's `/presign_put`, and every refusal storing nothing.

mod common;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::Duration as StdDuration;

use base64::Engine as _;
use md5::{Digest as _, Md5};
use oss_post_policy::time::{Duration, OffsetDateTime};
use oss_post_policy::{Bucket, Credentials, Endpoint, HttpMethod, Presign, PresignedUrl, Region, Signer};

use common::{BUCKET, Reply, Server};

fn signer() -> Signer {
    Signer::new(Credentials::example(), Region::new("cn-hangzhou").unwrap())
}

/// A `method` URL for `key` on the local bucket, pinning `headers`, signed at `now`.
fn presign(
    server: &Server,
    method: HttpMethod,
    key: &str,
    headers: &[(&str, &str)],
    now: OffsetDateTime,
) -> PresignedUrl {
    let mut presign = Presign::new(method, Bucket::new(BUCKET).unwrap(), key)
        .endpoint(Endpoint::custom(&server.bucket_url()).unwrap())
        .expires_in(Duration::hours(1));
    for (name, value) in headers {
        presign = presign.header(*name, *value);
    }
    presign.sign_at(&signer(), now).unwrap()
}

fn reply(response: reqwest::blocking::Response) -> Reply {
    Reply { status: response.status().as_u16(), headers: response.headers().clone(), body: response.text().unwrap() }
}

/// Sends `method` to `url` with `headers` and `body`.
fn send(method: &str, url: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Reply {
    let client = reqwest::blocking::Client::new();
    let mut request = client.request(method.parse().unwrap(), url).body(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    reply(request.send().expect("the server answers"))
}

/// PUTs `body` to a presigned URL with exactly the headers it asks for.
fn put(url: &PresignedUrl, body: &[u8]) -> Reply {
    let headers: Vec<(&str, &str)> = url.headers().iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    send("PUT", url.url(), &headers, body.to_vec())
}

fn md5_hex(bytes: &[u8]) -> String {
    hex::encode_upper(Md5::digest(bytes))
}

/// Nothing in the bucket and nothing staged.
fn assert_nothing_stored(server: &Server) {
    assert_eq!(server.files(), Vec::<String>::new(), "the data folder holds only what was accepted");
}

#[test]
fn presigned_put_stores_the_exact_bytes_and_presigned_get_reads_them_back() {
    let server = Server::start("ps-roundtrip", &[]);
    let now = OffsetDateTime::now_utc();
    let key = "user-dir/cat photo+1.png";
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let url = presign(&server, HttpMethod::Put, key, &[("Content-Type", "image/png")], now);
    let answer = put(&url, &bytes);
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.headers["etag"], format!("\"{}\"", md5_hex(&bytes)).as_str());
    assert_eq!(
        answer.headers["content-md5"],
        base64::engine::general_purpose::STANDARD.encode(Md5::digest(&bytes)).as_str()
    );
    assert!(answer.headers.contains_key("x-oss-request-id"));
    assert_eq!(server.stored(key).as_deref(), Some(bytes.as_slice()));
    assert_eq!(server.files(), vec![format!("{BUCKET}/{key}")], "no staging file is left");

    let get = presign(&server, HttpMethod::Get, key, &[], now);
    let response = reqwest::blocking::get(get.url()).unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/png", "stored with the signed Content-Type");
    assert_eq!(response.bytes().unwrap().as_ref(), bytes.as_slice());

    // The unsigned read of the local bucket still works.
    let plain = reqwest::blocking::get(format!("{}/user-dir/cat%20photo%2B1.png", server.bucket_url())).unwrap();
    assert_eq!(plain.status(), 200);
    assert_eq!(plain.bytes().unwrap().as_ref(), bytes.as_slice());

    // A GET URL for another key does not read this one; a PUT URL is not a GET URL.
    let other = presign(&server, HttpMethod::Get, "user-dir/other.png", &[], now);
    let tampered = other.url().replace("/user-dir/other.png?", "/user-dir/cat%20photo%2B1.png?");
    let refused = send("GET", &tampered, &[], Vec::new());
    assert_eq!((refused.status, refused.code()), (403, Some("SignatureDoesNotMatch")));
    let refused = send("GET", url.url(), &[("Content-Type", "image/png")], Vec::new());
    assert_eq!((refused.status, refused.code()), (403, Some("SignatureDoesNotMatch")));
}

#[test]
fn another_content_type_is_signature_does_not_match_and_stores_nothing() {
    let server = Server::start("ps-content-type", &[]);
    let url = presign(
        &server,
        HttpMethod::Put,
        "user-dir/a.txt",
        &[("Content-Type", "text/plain")],
        OffsetDateTime::now_utc(),
    );
    let refused = send("PUT", url.url(), &[("Content-Type", "image/png")], b"hello".to_vec());
    assert_eq!((refused.status, refused.code()), (403, Some("SignatureDoesNotMatch")), "{}", refused.body);
    let string_to_sign = refused.element("StringToSign").expect("OSS shows the string to sign");
    assert!(string_to_sign.starts_with("OSS4-HMAC-SHA256&#10;"), "{string_to_sign}");
    assert!(refused.element("CanonicalRequest").is_some_and(|c| c.contains("content-type:image/png")));
    // No Content-Type at all is refused too: the signature pinned one.
    let refused = send("PUT", url.url(), &[], b"hello".to_vec());
    assert_eq!(refused.code(), Some("SignatureDoesNotMatch"));
    assert_nothing_stored(&server);
}

#[test]
fn an_expired_url_is_access_denied_and_stores_nothing() {
    let server = Server::start("ps-expired", &[]);
    let two_hours_ago = OffsetDateTime::now_utc() - Duration::hours(2);
    let url = presign(&server, HttpMethod::Put, "user-dir/late.txt", &[], two_hours_ago);
    let refused = put(&url, b"late");
    assert_eq!((refused.status, refused.code()), (403, Some("AccessDenied")), "{}", refused.body);
    assert_eq!(refused.element("EC"), Some("0002-00000069"));
    assert!(refused.element("Expires").is_some() && refused.element("ServerTime").is_some());
    let get = presign(&server, HttpMethod::Get, "user-dir/late.txt", &[], two_hours_ago);
    assert_eq!(send("GET", get.url(), &[], Vec::new()).code(), Some("AccessDenied"));
    assert_nothing_stored(&server);
}

#[test]
fn a_tampered_key_or_query_is_refused_and_stores_nothing() {
    let server = Server::start("ps-tampered", &[]);
    let url = presign(&server, HttpMethod::Put, "user-dir/mine.txt", &[], OffsetDateTime::now_utc());
    assert_eq!(put(&url, b"x").status, 200, "the untampered URL works");
    let _ = std::fs::remove_file(server.data_dir.join(BUCKET).join("user-dir/mine.txt"));
    let _ = std::fs::remove_dir(server.data_dir.join(BUCKET).join("user-dir"));
    let cases = [
        (url.url().replace("/user-dir/mine.txt?", "/user-dir/yours.txt?"), 403, "SignatureDoesNotMatch"),
        (url.url().replace("/user-dir/mine.txt?", "/user-dir/mine.txt?acl&"), 403, "SignatureDoesNotMatch"),
        (url.url().replace("x-oss-expires=3600", "x-oss-expires=3601"), 403, "SignatureDoesNotMatch"),
        (format!("{}&x-oss-expires=10", url.url()), 400, "InvalidArgument"),
        (url.url().replace(&format!("/oss/{BUCKET}/"), "/oss/otherbucket/"), 404, "NoSuchBucket"),
    ];
    for (tampered, status, code) in &cases {
        assert_ne!(tampered, url.url());
        let refused = send("PUT", tampered, &[], b"x".to_vec());
        assert_eq!((refused.status, refused.code()), (*status, Some(*code)), "{tampered}: {}", refused.body);
    }
    assert_nothing_stored(&server);
}

#[test]
fn a_missing_signature_is_refused_and_stores_nothing() {
    let server = Server::start("ps-unsigned", &[]);
    let url = presign(&server, HttpMethod::Put, "user-dir/u.txt", &[], OffsetDateTime::now_utc());
    let (base, query) = url.url().split_once('?').unwrap();
    let without_signature: Vec<&str> = query.split('&').filter(|p| !p.starts_with("x-oss-signature=")).collect();
    let refused = send("PUT", &format!("{base}?{}", without_signature.join("&")), &[], b"x".to_vec());
    assert_eq!(
        (refused.status, refused.code(), refused.element("EC")),
        (400, Some("InvalidArgument"), Some("0002-00000219"))
    );
    // No signature parameter at all: an anonymous write to a private bucket.
    let refused = send("PUT", base, &[], b"x".to_vec());
    assert_eq!((refused.status, refused.code()), (403, Some("AccessDenied")), "{}", refused.body);
    assert_nothing_stored(&server);
}

#[test]
fn over_the_size_limit_is_refused_and_leaves_nothing_staged() {
    let server = Server::start("ps-too-large", &["--max-request-size", "1000"]);
    let url = presign(&server, HttpMethod::Put, "user-dir/big.bin", &[], OffsetDateTime::now_utc());
    assert_eq!(put(&url, &[b'a'; 1000]).status, 200, "the limit itself is allowed");
    let _ = std::fs::remove_file(server.data_dir.join(BUCKET).join("user-dir/big.bin"));
    let _ = std::fs::remove_dir(server.data_dir.join(BUCKET).join("user-dir"));
    // Declared: refused before the body is read.
    let refused = put(&url, &[b'a'; 2000]);
    assert_eq!((refused.status, refused.code()), (400, Some("EntityTooLarge")), "{}", refused.body);
    assert!(refused.message().unwrap().contains("1000 bytes"));
    // Chunked, no length: refused when the count passes the limit (a body the server reads
    // whole, so that the client sees the answer rather than a reset).
    let client = reqwest::blocking::Client::new();
    let body = reqwest::blocking::Body::new(std::io::Cursor::new(vec![b'a'; 3000]));
    let refused = reply(client.put(url.url()).body(body).send().expect("the server answers"));
    assert_eq!((refused.status, refused.code()), (400, Some("EntityTooLarge")), "{}", refused.body);
    assert_nothing_stored(&server);
}

/// Sends a raw HTTP/1.1 request head (and `body`) and returns the status line and the rest.
fn raw(server: &Server, head: &str, body: &[u8]) -> String {
    let addr = server.url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(StdDuration::from_secs(20))).unwrap();
    write!(stream, "{head}Host: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    stream.write_all(body).unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

#[test]
fn a_put_without_length_is_411_and_a_stalled_one_times_out_leaving_nothing() {
    let server = Server::start("ps-length", &["--read-timeout", "1", "--max-uploads", "1"]);
    let url = presign(&server, HttpMethod::Put, "user-dir/l.txt", &[], OffsetDateTime::now_utc());
    let target = url.url().strip_prefix(&server.url).unwrap().to_owned();
    let answer = raw(&server, &format!("PUT {target} HTTP/1.1\r\n"), b"");
    assert!(answer.starts_with("HTTP/1.1 411"), "{answer}");
    assert!(answer.contains("<Code>MissingContentLength</Code>"), "{answer}");

    // A body that stops: it holds the only upload slot, then times out; nothing stays.
    let addr = server.url.trim_start_matches("http://").to_owned();
    let mut stalled = TcpStream::connect(&addr).unwrap();
    write!(stalled, "PUT {target} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 100\r\n\r\nhalf").unwrap();
    std::thread::sleep(StdDuration::from_millis(300));
    let busy = put(&url, b"second");
    assert_eq!((busy.status, busy.code()), (503, Some("ActiveRequestLimitExceeded")), "{}", busy.body);
    stalled.set_read_timeout(Some(StdDuration::from_secs(20))).unwrap();
    let mut answer = String::new();
    let _ = stalled.read_to_string(&mut answer);
    assert!(answer.contains("<Code>RequestTimeout</Code>"), "{answer}");
    assert_nothing_stored(&server);
}

#[test]
fn content_md5_forbid_overwrite_and_cors() {
    let server = Server::start("ps-headers", &[]);
    let now = OffsetDateTime::now_utc();
    let digest = base64::engine::general_purpose::STANDARD.encode(Md5::digest(b"expected"));
    let url = presign(&server, HttpMethod::Put, "user-dir/m.txt", &[("Content-MD5", &digest)], now);
    let refused = put(&url, b"something else");
    assert_eq!((refused.status, refused.code()), (400, Some("InvalidDigest")), "{}", refused.body);
    assert_nothing_stored(&server);
    assert_eq!(put(&url, b"expected").status, 200);

    // The server's own endpoint pins x-oss-forbid-overwrite: its URL cannot replace the object.
    let answer =
        reqwest::blocking::get(format!("{}/presign_put?FileName=a%20b.txt&Size=5&ContentType=text/plain", server.url));
    let json: serde_json::Value = serde_json::from_str(&answer.unwrap().text().unwrap()).unwrap();
    let key = json["key"].as_str().unwrap();
    assert!(key.starts_with("user-dir/") && key.ends_with("/a b.txt"), "{json}");
    assert_eq!(json["method"], "PUT");
    assert!(json["url"].as_str().unwrap().starts_with(&format!("{}/user-dir/", server.bucket_url())), "{json}");
    assert_eq!(
        json["headers"],
        serde_json::json!({"Content-Length": "5", "Content-Type": "text/plain", "x-oss-forbid-overwrite": "true"})
    );
    assert!(json["url"].as_str().unwrap().contains("x-oss-additional-headers=content-length&"), "{json}");
    assert!(json["expiration"].as_str().is_some_and(|e| e.ends_with('Z')));
    // Content-Length is written by the client from the body, as browsers do.
    let headers: Vec<(&str, &str)> = json["headers"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(n, _)| *n != "Content-Length")
        .map(|(n, v)| (n.as_str(), v.as_str().unwrap()))
        .collect();
    let mut with_origin = headers.clone();
    with_origin.push(("Origin", "http://localhost:1"));
    let first = send("PUT", json["url"].as_str().unwrap(), &with_origin, b"first".to_vec());
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.headers["access-control-allow-origin"], "*");
    assert!(first.headers["access-control-expose-headers"].to_str().unwrap().contains("ETag"));
    let second = send("PUT", json["url"].as_str().unwrap(), &headers, b"again".to_vec());
    assert_eq!((second.status, second.code()), (409, Some("FileAlreadyExists")), "{}", second.body);
    // The size is signed: another length is refused before the body is read.
    let longer = send("PUT", json["url"].as_str().unwrap(), &headers, b"longer".to_vec());
    assert_eq!((longer.status, longer.code()), (403, Some("SignatureDoesNotMatch")), "{}", longer.body);
    assert!(longer.element("CanonicalRequest").is_some_and(|c| c.contains("content-length:6")));
    assert_eq!(server.stored(key).as_deref(), Some(b"first".as_slice()));

    // The browser's preflight for that PUT.
    let client = reqwest::blocking::Client::new();
    let preflight = client
        .request(reqwest::Method::OPTIONS, json["url"].as_str().unwrap())
        .header("Origin", "http://localhost:1")
        .header("Access-Control-Request-Method", "PUT")
        .header("Access-Control-Request-Headers", "content-type,x-oss-forbid-overwrite")
        .send()
        .unwrap();
    assert_eq!(preflight.status(), 200);
    assert!(preflight.headers()["access-control-allow-methods"].to_str().unwrap().contains("PUT"));
    assert_eq!(preflight.headers()["access-control-allow-headers"], "content-type,x-oss-forbid-overwrite");
}

#[test]
fn the_presign_endpoint_refuses_what_it_cannot_sign() {
    let server = Server::start("ps-endpoint", &["--max-size", "1000"]);
    let ok = "?FileName=ok&Size=1000&ContentType=text/plain";
    assert_eq!(reqwest::blocking::get(format!("{}/presign_put{ok}", server.url)).unwrap().status(), 200);
    for query in [
        "",
        "?FileName=&Size=1",
        "?FileName=a/b&Size=1",
        "?FileName=..&Size=1",
        "?FileName=ok&Size=1&ContentType=a%0Ab",
        "?FileName=ok",
        "?FileName=ok&Size=0",
        "?FileName=ok&Size=1001",
        "?FileName=ok&Size=%2B5",
        "?FileName=ok&Size=05",
        "?FileName=ok&Size=ten",
    ] {
        let response = reqwest::blocking::get(format!("{}/presign_put{query}", server.url)).unwrap();
        assert_eq!(response.status(), 400, "{query}");
        let json: serde_json::Value = serde_json::from_str(&response.text().unwrap()).unwrap();
        assert_eq!(
            (json["Success"].as_bool(), json["Code"].as_str()),
            (Some(false), Some("InvalidParameter")),
            "{query}"
        );
        assert!(json["Message"].as_str().is_some_and(|m| !m.is_empty()), "{query}");
    }
}
