//! The example server under test, and plain-HTTP helpers: shared by this package's tests.
#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use oss_post_policy::time::{Duration, OffsetDateTime};
use oss_post_policy::{Bucket, Credentials, Endpoint, FormFields, PostPolicy, Region, Signer};

pub const BUCKET: &str = "examplebucket";

/// The server binary, which cargo builds for this package's tests.
pub fn server_binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_upload_server"))
}

/// A running example server with its own data folder; both go away on drop.
pub struct Server {
    pub child: Child,
    pub url: String,
    pub data_dir: PathBuf,
}

impl Server {
    pub fn start(name: &str, args: &[&str]) -> Self {
        let data_dir = std::env::temp_dir().join(format!("upload-server-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data_dir);
        let mut child = Command::new(server_binary())
            .args(["--listen", "127.0.0.1:0", "--data-dir"])
            .arg(&data_dir)
            .args(args)
            .env_remove("OSS_ACCESS_KEY_ID")
            .env_remove("OSS_ACCESS_KEY_SECRET")
            .env_remove("OSS_SESSION_TOKEN")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
        let url = lines
            .find_map(|line| line.split_once("listening on ").map(|(_, url)| url.to_owned()))
            .expect("the server prints its address");
        // Keep reading, so the server never writes into a closed pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Self { child, url, data_dir }
    }

    pub fn bucket_url(&self) -> String {
        format!("{}/oss/{BUCKET}", self.url)
    }

    pub fn stored(&self, key: &str) -> Option<Vec<u8>> {
        std::fs::read(self.data_dir.join(BUCKET).join(key)).ok()
    }

    /// Every file in the data folder (bucket and staging area), relative to it; the objects'
    /// content types (`.meta/`) aside.
    pub fn files(&self) -> Vec<String> {
        fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path == root.join(".meta") {
                    continue;
                }
                if path.is_dir() {
                    walk(&path, root, out);
                } else {
                    out.push(path.strip_prefix(root).expect("under root").display().to_string());
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.data_dir, &self.data_dir, &mut out);
        out.sort();
        out
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

pub const BOUNDARY: &str = "----e2eBoundary7MA4YWxkTrZu0gW";

/// A multipart/form-data body: `fields` in order, then (if given) the file part, typed
/// `application/octet-stream`.
pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    multipart_with_trailing(fields, file, &[])
}

/// A multipart/form-data body: `fields`, then the file part with `content_type` as its own
/// `Content-Type` header (none: no header).
pub fn multipart_typed(fields: &[(&str, &str)], file: (&str, &[u8]), content_type: Option<&str>) -> Vec<u8> {
    multipart_parts(fields, Some((file.0, file.1, content_type)), &[])
}

/// A multipart/form-data body: `fields`, the file part (if given), then `trailing` fields.
pub fn multipart_with_trailing(
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
    trailing: &[(&str, &str)],
) -> Vec<u8> {
    multipart_parts(fields, file.map(|(name, bytes)| (name, bytes, Some("application/octet-stream"))), trailing)
}

fn multipart_parts(
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8], Option<&str>)>,
    trailing: &[(&str, &str)],
) -> Vec<u8> {
    let mut body = Vec::new();
    let field = |body: &mut Vec<u8>, name: &str, value: &str| {
        write!(body, "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").unwrap();
    };
    for (name, value) in fields {
        field(&mut body, name, value);
    }
    if let Some((filename, bytes, content_type)) = file {
        write!(body, "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n")
            .unwrap();
        if let Some(content_type) = content_type {
            write!(body, "Content-Type: {content_type}\r\n").unwrap();
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    for (name, value) in trailing {
        field(&mut body, name, value);
    }
    write!(body, "--{BOUNDARY}--\r\n").unwrap();
    body
}

/// The server's answer.
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Reply {
    /// The text of `<name>` in the XML error body, as written.
    pub fn element(&self, name: &str) -> Option<&str> {
        let (open, close) = (format!("<{name}>"), format!("</{name}>"));
        let start = self.body.find(&open)? + open.len();
        let end = self.body[start..].find(&close)? + start;
        Some(&self.body[start..end])
    }

    pub fn code(&self) -> Option<&str> {
        self.element("Code")
    }

    /// `<Message>`, unescaped.
    pub fn message(&self) -> Option<String> {
        let text = self.element("Message")?;
        let pairs = [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&apos;", "'"), ("&amp;", "&")];
        Some(pairs.iter().fold(text.to_owned(), |text, (escaped, plain)| text.replace(escaped, plain)))
    }
}

/// POSTs `body` as multipart/form-data, with an `Origin` header if given.
pub fn post(url: &str, body: Vec<u8>, origin: Option<&str>) -> Reply {
    let client = reqwest::blocking::Client::new();
    let mut request =
        client.post(url).header("Content-Type", format!("multipart/form-data; boundary={BOUNDARY}")).body(body);
    if let Some(origin) = origin {
        request = request.header("Origin", origin);
    }
    let response = request.send().expect("the server answers");
    Reply { status: response.status().as_u16(), headers: response.headers().clone(), body: response.text().unwrap() }
}

/// A form signed with the server's credentials (the documentation's example pair) for keys
/// under `user-dir/` and files of 1 to `max_size` bytes, posted to the server's local bucket.
/// The local bucket trusts any form its credentials signed, as OSS does.
pub fn signed_form(server: &Server, max_size: u64) -> FormFields {
    PostPolicy::builder(Bucket::new(BUCKET).unwrap())
        .expires_in(Duration::hours(1))
        .key_starts_with("user-dir/")
        .content_length_range(1, max_size)
        .endpoint(Endpoint::custom(&server.bucket_url()).unwrap())
        .build()
        .unwrap()
        .sign_at(&Signer::new(Credentials::example(), Region::new("cn-hangzhou").unwrap()), OffsetDateTime::now_utc())
        .unwrap()
}
