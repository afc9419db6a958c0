//! Clients that hold the server's resources by being slow rather than large (`abuse.rs` has
//! the large ones): a body that drips in just fast enough to beat the read timeout
//! (`--min-body-rate`), and connections that are opened and left idle (`--max-connections`).

mod common;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use oss_post_policy::time::{Duration as Lifetime, OffsetDateTime};
use oss_post_policy::{Bucket, Credentials, Endpoint, PostPolicy, Region, Signer};

use common::{BOUNDARY, BUCKET, Server};

/// The window here: the read timeout, 1 s.
const WINDOW: &[&str] = &["--read-timeout", "1", "--min-body-rate", "100000"];

/// Sends `head` at once, then 1000 bytes every 200 ms (never a pause of the 1 s read timeout,
/// but 5 KB a second, far below 100 KB) until the server answers or closes, or `limit` has
/// passed; the answer, the time it took, and the most staging files seen while dripping.
fn drip(server: &Server, head: &[u8], limit: Duration) -> (String, Duration, usize) {
    let mut stream = TcpStream::connect(server.url.trim_start_matches("http://")).unwrap();
    stream.write_all(head).unwrap();
    stream.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let started = Instant::now();
    let mut staged_while_dripping = 0;
    let mut answer = Vec::new();
    while started.elapsed() < limit {
        if stream.write_all(&[b'a'; 1000]).is_err() {
            break;
        }
        staged_while_dripping = staged_while_dripping.max(staging_files(server));
        match stream.read_to_end(&mut answer) {
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            _ => break,
        }
    }
    (String::from_utf8_lossy(&answer).into_owned(), started.elapsed(), staged_while_dripping)
}

fn staging_files(server: &Server) -> usize {
    std::fs::read_dir(server.data_dir.join(".incoming")).map_or(0, Iterator::count)
}

/// The request head and the signed fields of a form for `key` whose 1 MiB file follows.
fn form_head(server: &Server, key: &str) -> Vec<u8> {
    let form = PostPolicy::builder(Bucket::new(BUCKET).unwrap())
        .expires_in(Lifetime::hours(1))
        .key_starts_with("user-dir/")
        .content_length_range(1, 1 << 20)
        .endpoint(Endpoint::custom(&server.bucket_url()).unwrap())
        .build()
        .unwrap()
        .sign_at(&Signer::new(Credentials::example(), Region::new("cn-hangzhou").unwrap()), OffsetDateTime::now_utc())
        .unwrap();
    let mut fields = Vec::new();
    for (name, value) in std::iter::once(("key", key)).chain(form.iter()) {
        write!(fields, "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").unwrap();
    }
    write!(fields, "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\n").unwrap();
    let len = fields.len() + (1 << 20) + format!("\r\n--{BOUNDARY}--\r\n").len();
    let addr = server.url.trim_start_matches("http://");
    let mut head = format!(
        "POST /oss/{BUCKET} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {len}\r\n\r\n"
    )
    .into_bytes();
    head.extend_from_slice(&fields);
    head
}

/// The request head of a PUT to a URL `/presign_put` signed for a 1 MiB object.
fn put_head(server: &Server) -> Vec<u8> {
    let signed = reqwest::blocking::get(format!("{}/presign_put?FileName=f.bin&Size=1048576", server.url))
        .unwrap()
        .text()
        .unwrap();
    let signed: serde_json::Value = serde_json::from_str(&signed).unwrap();
    let url = signed["url"].as_str().unwrap();
    let target = &url[server.url.len()..];
    let addr = server.url.trim_start_matches("http://");
    let mut head = format!("PUT {target} HTTP/1.1\r\nHost: {addr}\r\n").into_bytes();
    for (name, value) in signed["headers"].as_object().unwrap() {
        write!(head, "{name}: {}\r\n", value.as_str().unwrap()).unwrap();
    }
    head.extend_from_slice(b"\r\n");
    head
}

fn assert_refused_as_too_slow(answer: &str, took: Duration, staged_while_dripping: usize, server: &Server) {
    assert!(answer.starts_with("HTTP/1.1 400"), "after {took:?}: {answer:?}");
    assert!(answer.contains("<Code>RequestTimeout</Code>"), "{answer}");
    assert!(answer.contains("fewer than 100000 bytes a second over 1 seconds"), "{answer}");
    // The first window ends after 1 s; the answer comes then, not at the 10 s the client drips.
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert_eq!(staged_while_dripping, 1, "the drip reached the staging file");
    // The refusal is sent before the request ends; the staging file goes with it.
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(server.files(), Vec::<String>::new());
}

#[test]
fn a_form_whose_file_drips_in_is_refused_and_leaves_nothing() {
    let server = Server::start("slow-drip-form", WINDOW);
    let (answer, took, staged) = drip(&server, &form_head(&server, "user-dir/drip"), Duration::from_secs(10));
    assert_refused_as_too_slow(&answer, took, staged, &server);
}

#[test]
fn a_presigned_put_that_drips_in_is_refused_and_leaves_nothing() {
    let server = Server::start("slow-drip-put", WINDOW);
    let (answer, took, staged) = drip(&server, &put_head(&server), Duration::from_secs(10));
    assert_refused_as_too_slow(&answer, took, staged, &server);
}

#[test]
fn uploads_at_the_rate_are_stored() {
    let server = Server::start("slow-drip-ok", WINDOW);
    // 1 MiB in 10 chunks 150 ms apart: about 700 KB a second, over a window and then some.
    let mut stream = TcpStream::connect(server.url.trim_start_matches("http://")).unwrap();
    stream.write_all(&form_head(&server, "user-dir/steady")).unwrap();
    let file: Vec<u8> = (0..1u32 << 20).map(|i| i.to_le_bytes()[1]).collect();
    for chunk in file.chunks(file.len() / 10 + 1) {
        stream.write_all(chunk).unwrap();
        std::thread::sleep(Duration::from_millis(150));
    }
    write!(stream, "\r\n--{BOUNDARY}--\r\n").unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut answer = [0; 12];
    stream.read_exact(&mut answer).unwrap();
    assert_eq!(&answer, b"HTTP/1.1 204", "{}", String::from_utf8_lossy(&answer));
    assert_eq!(server.stored("user-dir/steady"), Some(file));
}

#[test]
fn min_body_rate_0_sets_no_minimum() {
    // A drip that beats the read timeout is read for as long as it lasts: 3 windows here.
    let server = Server::start("slow-drip-off", &["--read-timeout", "1", "--min-body-rate", "0"]);
    let (answer, took, _) = drip(&server, &put_head(&server), Duration::from_secs(3));
    assert!(answer.is_empty(), "--min-body-rate 0 sets no minimum, yet after {took:?}: {answer:?}");
}

/// Whether `stream`, which has sent a request, gets an answer within `wait`.
fn answered(stream: &mut TcpStream, wait: Duration) -> bool {
    stream.set_read_timeout(Some(wait)).unwrap();
    let mut first = [0; 12];
    stream.read_exact(&mut first).is_ok_and(|()| &first == b"HTTP/1.1 200")
}

#[test]
fn connections_over_max_connections_wait_until_one_closes() {
    let server = Server::start("max-connections", &["--max-connections", "2", "--read-timeout", "10"]);
    let addr = server.url.trim_start_matches("http://");
    let idle: Vec<TcpStream> = (0..2).map(|_| TcpStream::connect(addr).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(200));
    // The kernel completes the third connection, but the server does not take it.
    let mut third = TcpStream::connect(addr).unwrap();
    write!(third, "GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    assert!(!answered(&mut third, Duration::from_secs(1)), "a third connection was served");
    drop(idle);
    assert!(answered(&mut third, Duration::from_secs(5)), "the waiting connection was not served");
}
