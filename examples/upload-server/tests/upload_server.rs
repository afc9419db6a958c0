//! The example upload server's local bucket, over HTTP without a browser: it starts the
//! package's `upload_server` binary, posts hand-made multipart bodies and checks the answers
//! and the data folder. The browser flow is in `tests/e2e/` at the repository's root.

mod common;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use base64::Engine as _;
use md5::{Digest as _, Md5};
use oss_post_policy::FormFields;

use common::{
    BOUNDARY, BUCKET, Server, multipart, multipart_typed, multipart_with_trailing, post, server_binary, signed_form,
};

/// The server's own signature endpoint's answer, as the form fields it stands for.
fn endpoint_form(server: &Server) -> Vec<(String, String)> {
    let body =
        reqwest::blocking::get(format!("{}/get_post_signature_for_oss_upload", server.url)).unwrap().text().unwrap();
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    [
        ("policy", "policy"),
        ("x-oss-signature-version", "x_oss_signature_version"),
        ("x-oss-credential", "x_oss_credential"),
        ("x-oss-date", "x_oss_date"),
        ("x-oss-signature", "signature"),
    ]
    .iter()
    .map(|(field, key)| ((*field).to_owned(), json[key].as_str().unwrap().to_owned()))
    .collect()
}

/// The signed fields plus `extra`, in form order.
fn fields_of<'a>(form: &'a FormFields, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    extra.iter().copied().chain(form.iter()).collect()
}

fn md5_hex_upper(bytes: &[u8]) -> String {
    hex::encode_upper(Md5::digest(bytes))
}

#[test]
fn a_signed_upload_is_stored_and_answered_like_oss() {
    let server = Server::start("ok", &[]);
    let form = signed_form(&server, 10 * 1024 * 1024);
    let bytes: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();

    // 201: the XML PostResponse.
    let fields = fields_of(&form, &[("key", "user-dir/a/b.bin"), ("success_action_status", "201")]);
    let reply = post(form.url(), multipart(&fields, Some(("b.bin", &bytes))), Some("http://app.example"));
    assert_eq!(reply.status, 201, "{}", reply.body);
    let etag = format!("\"{}\"", md5_hex_upper(&bytes));
    assert_eq!(reply.headers["etag"], etag.as_str());
    assert!(reply.body.contains("<Key>user-dir/a/b.bin</Key>"), "{}", reply.body);
    assert!(reply.body.contains(&format!("<Bucket>{BUCKET}</Bucket>")), "{}", reply.body);
    assert!(reply.body.contains(&format!("<Location>{}/user-dir/a/b.bin</Location>", server.bucket_url())));
    assert_eq!(reply.headers["access-control-allow-origin"], "*");
    assert_eq!(server.stored("user-dir/a/b.bin").as_deref(), Some(bytes.as_slice()));

    // The Location serves the object back.
    let got = reqwest::blocking::get(format!("{}/user-dir/a/b.bin", server.bucket_url())).unwrap();
    assert_eq!(got.status().as_u16(), 200);
    assert_eq!(got.bytes().unwrap().as_ref(), bytes.as_slice());

    // 200 and the default 204: empty bodies.
    let fields = fields_of(&form, &[("key", "user-dir/two"), ("success_action_status", "200")]);
    let reply = post(form.url(), multipart(&fields, Some(("x", b"2"))), None);
    assert_eq!((reply.status, reply.body.as_str()), (200, ""));
    let fields = fields_of(&form, &[("key", "user-dir/${filename}")]);
    let reply = post(form.url(), multipart(&fields, Some(("named.txt", b"3"))), None);
    assert_eq!((reply.status, reply.body.as_str()), (204, ""));
    assert!(!reply.headers.contains_key("access-control-allow-origin"), "CORS headers only answer an Origin");
    assert_eq!(server.stored("user-dir/named.txt").as_deref(), Some(b"3".as_slice()));
    assert_eq!(
        server.files(),
        ["examplebucket/user-dir/a/b.bin", "examplebucket/user-dir/named.txt", "examplebucket/user-dir/two"]
    );
}

#[test]
fn rejected_uploads_leave_nothing_behind() {
    let server = Server::start("rejected", &["--max-size", "1024"]);
    let form = signed_form(&server, 1024);
    let key = [("key", "user-dir/f.bin")];

    // Over the size limit of the server's own signature (`--max-size 1024`), and of ours.
    let mut fields = endpoint_form(&server);
    fields.push(("key".to_owned(), "user-dir/f.bin".to_owned()));
    let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let reply = post(&server.bucket_url(), multipart(&fields, Some(("f.bin", &vec![1u8; 1025]))), None);
    assert_eq!((reply.status, reply.code()), (400, Some("EntityTooLarge")), "{}", reply.body);
    let reply = post(form.url(), multipart(&fields_of(&form, &key), Some(("f.bin", &vec![1u8; 20_000]))), None);
    assert_eq!((reply.status, reply.code()), (400, Some("EntityTooLarge")), "{}", reply.body);
    // Below it: an empty file (the policy's range starts at 1).
    let reply = post(form.url(), multipart(&fields_of(&form, &key), Some(("f.bin", b""))), None);
    assert_eq!((reply.status, reply.code()), (400, Some("EntityTooSmall")), "{}", reply.body);

    // A tampered signature.
    let mut fields = fields_of(&form, &key);
    let signature = fields.iter_mut().find(|(n, _)| *n == "x-oss-signature").unwrap();
    let flipped = signature.1.replace(&signature.1[..1], if signature.1.starts_with('0') { "1" } else { "0" });
    signature.1 = &flipped;
    let reply = post(form.url(), multipart(&fields, Some(("f.bin", b"data"))), Some("http://app.example"));
    assert_eq!((reply.status, reply.code()), (403, Some("SignatureDoesNotMatch")), "{}", reply.body);
    assert!(reply.body.contains("<RequestId>") && reply.body.contains("<HostId>127.0.0.1:"), "{}", reply.body);
    assert_eq!(reply.headers["access-control-allow-origin"], "*", "errors carry CORS headers too");

    // A key outside the policy's prefix.
    let reply = post(form.url(), multipart(&fields_of(&form, &[("key", "other/f.bin")]), Some(("f.bin", b"d"))), None);
    assert_eq!((reply.status, reply.code()), (403, Some("AccessDenied")), "{}", reply.body);

    // Not multipart at all.
    let reply = reqwest::blocking::Client::new().post(form.url()).body("a=b").send().unwrap();
    assert_eq!(reply.status().as_u16(), 400);
    assert!(reply.text().unwrap().contains("<Code>RequestIsNotMultiPartContent</Code>"));

    // A bucket this server does not have.
    let reply =
        post(&format!("{}/oss/otherbucket", server.url), multipart(&fields_of(&form, &key), Some(("f", b"d"))), None);
    assert_eq!((reply.status, reply.code()), (404, Some("NoSuchBucket")));

    assert_eq!(server.files(), Vec::<String>::new());
    assert!(!server.data_dir.join(".meta").exists(), "no content type is recorded for a refused upload");
}

#[test]
fn keys_that_would_leave_the_data_folder_are_refused() {
    let server = Server::start("escape", &[]);
    let form = signed_form(&server, 10 * 1024 * 1024);
    for (key, filename) in [
        ("user-dir/../../escaped", "f"),
        ("user-dir/${filename}", "../../escaped"),
        ("user-dir/a\\..\\..\\escaped", "f"),
        ("user-dir//double", "f"),
        ("user-dir/./dot", "f"),
        ("user-dir/", "f"),
        // A file name on disk holds 255 bytes.
        (&format!("user-dir/{}", "s".repeat(256)), "f"),
        ("user-dir/${filename}", &"n".repeat(256)),
    ] {
        let reply = post(form.url(), multipart(&fields_of(&form, &[("key", key)]), Some((filename, b"x"))), None);
        assert_eq!((reply.status, reply.code()), (400, Some("InvalidObjectName")), "{key} {filename}: {}", reply.body);
    }
    assert_eq!(server.files(), Vec::<String>::new());
    assert!(!server.data_dir.parent().unwrap().join("escaped").exists());
}

#[test]
fn a_second_file_part_is_refused_unread() {
    let server = Server::start("second-file", &[]);
    let form = signed_form(&server, 10 * 1024 * 1024);
    let mut body = multipart(&fields_of(&form, &[("key", "user-dir/first")]), Some(("first", b"1")));
    // The closing boundary becomes a second file part.
    body.truncate(body.len() - format!("--{BOUNDARY}--\r\n").len());
    let second = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"second\"\r\n\r\n2\r\n--{BOUNDARY}--\r\n"
    );
    body.extend_from_slice(second.as_bytes());
    let reply = post(form.url(), body, None);
    assert_eq!((reply.status, reply.code()), (400, Some("IncorrectNumberOfFilesInPOSTRequest")), "{}", reply.body);
    assert_eq!(server.files(), Vec::<String>::new());
}

#[test]
fn keys_that_clash_with_stored_objects_are_refused() {
    let server = Server::start("clash", &[]);
    let form = signed_form(&server, 10 * 1024 * 1024);
    let upload = |key: &str| post(form.url(), multipart(&fields_of(&form, &[("key", key)]), Some(("f", b"x"))), None);
    assert_eq!(upload("user-dir/file").status, 204);
    assert_eq!(upload("user-dir/folder/inner").status, 204);
    for key in ["user-dir/file/inner", "user-dir/file/deeper/inner", "user-dir/folder"] {
        let reply = upload(key);
        assert_eq!((reply.status, reply.code()), (400, Some("InvalidObjectName")), "{key}: {}", reply.body);
    }
    assert_eq!(server.files(), ["examplebucket/user-dir/file", "examplebucket/user-dir/folder/inner"]);
}

#[test]
fn forbid_overwrite_keeps_the_first_object() {
    let server = Server::start("overwrite", &[]);
    let form = signed_form(&server, 10 * 1024 * 1024);
    let fields = fields_of(&form, &[("key", "user-dir/once"), ("x-oss-forbid-overwrite", "true")]);
    assert_eq!(post(form.url(), multipart(&fields, Some(("f", b"first"))), None).status, 204);
    let reply = post(form.url(), multipart(&fields, Some(("f", b"second"))), None);
    assert_eq!((reply.status, reply.code()), (409, Some("FileAlreadyExists")), "{}", reply.body);
    assert_eq!(server.stored("user-dir/once").as_deref(), Some(b"first".as_slice()));
    // Without the flag OSS overwrites.
    let fields = fields_of(&form, &[("key", "user-dir/once")]);
    assert_eq!(post(form.url(), multipart(&fields, Some(("f", b"third"))), None).status, 204);
    assert_eq!(server.stored("user-dir/once").as_deref(), Some(b"third".as_slice()));
    assert_eq!(server.files(), ["examplebucket/user-dir/once"]);
}

#[test]
fn a_body_cut_short_is_malformed_and_leaves_no_staging_file() {
    let server = Server::start("cut", &[]);
    let form = signed_form(&server, 10 * 1024 * 1024);
    let body = multipart(&fields_of(&form, &[("key", "user-dir/cut")]), Some(("cut", &vec![7u8; 50_000])));
    let sent = &body[..body.len() - 20_000];
    let addr = server.url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST /oss/{BUCKET} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        sent.len()
    )
    .unwrap();
    stream.write_all(sent).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("<Code>MalformedPOSTRequest</Code>"), "{answer}");
    assert_eq!(server.files(), Vec::<String>::new());
}

#[test]
fn cors_preflight_follows_the_guide_rule() {
    let server = Server::start("cors", &[]);
    let client = reqwest::blocking::Client::new();
    let preflight = |method: &str| {
        client
            .request(reqwest::Method::OPTIONS, server.bucket_url())
            .header("Origin", "http://app.example")
            .header("Access-Control-Request-Method", method)
            .header("Access-Control-Request-Headers", "x-requested-with, content-type")
            .send()
            .unwrap()
    };
    let ok = preflight("POST");
    assert_eq!(ok.status().as_u16(), 200);
    assert_eq!(ok.headers()["access-control-allow-origin"], "*");
    assert_eq!(ok.headers()["access-control-allow-methods"], "POST, PUT, GET");
    assert_eq!(ok.headers()["access-control-allow-headers"], "x-requested-with, content-type");
    let refused = preflight("DELETE");
    assert_eq!(refused.status().as_u16(), 403);
    assert!(refused.headers().get("access-control-allow-origin").is_none());
    assert!(refused.text().unwrap().contains("<Code>AccessForbidden</Code>"));
}

#[test]
fn the_signature_endpoint_has_the_guide_shape_and_points_at_the_local_bucket() {
    let server = Server::start("sig", &["--dir", "uploads/", "--max-size", "77"]);
    let json: serde_json::Value = serde_json::from_str(
        &reqwest::blocking::get(format!("{}/get_post_signature_for_oss_upload", server.url)).unwrap().text().unwrap(),
    )
    .unwrap();
    let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [
            "dir",
            "host",
            "policy",
            "security_token",
            "signature",
            "x_oss_credential",
            "x_oss_date",
            "x_oss_signature_version"
        ]
    );
    assert_eq!(json["host"], server.bucket_url());
    assert_eq!(json["dir"], "uploads/");
    assert_eq!(json["security_token"], "");
    let policy = base64::engine::general_purpose::STANDARD.decode(json["policy"].as_str().unwrap()).unwrap();
    let policy: serde_json::Value = serde_json::from_slice(&policy).unwrap();
    let conditions = policy["conditions"].as_array().unwrap();
    assert!(conditions.contains(&serde_json::json!(["starts-with", "$key", "uploads/"])), "{policy}");
    assert!(conditions.contains(&serde_json::json!(["content-length-range", 1, 77])), "{policy}");
}

#[test]
fn a_field_after_the_file_is_named_as_the_fault() {
    let server = Server::start("trailing", &[]);
    let form = signed_form(&server, 10 * 1024 * 1024);
    // A form whose submit button comes after the file input: `key` was sent, before the file.
    let body = multipart_with_trailing(
        &fields_of(&form, &[("key", "user-dir/late")]),
        Some(("late", b"x")),
        &[("submit", "Upload")],
    );
    let reply = post(form.url(), body, None);
    assert_eq!((reply.status, reply.code()), (400, Some("InvalidArgument")), "{}", reply.body);
    assert_eq!(reply.headers["x-oss-ec"], "0006-00000103");
    assert_eq!(
        reply.message().as_deref(),
        Some("The form field 'submit' comes after the file; the file must be the last field of the form."),
        "not OSS's text for a missing key: {}",
        reply.body
    );
    assert_eq!(server.files(), Vec::<String>::new());
}

/// The server's `/temp_file_upload_url` answer for `file_name`, and the form it stands for:
/// `key`, `policy`, then the V4 or V1 signature fields, as the upload page builds it.
fn temp_upload(server: &Server, file_name: &str) -> (serde_json::Value, Vec<(String, String)>) {
    let url = format!("{}/temp_file_upload_url?FileName={file_name}", server.url);
    let json: serde_json::Value = serde_json::from_str(&reqwest::blocking::get(url).unwrap().text().unwrap()).unwrap();
    let field = |name: &str, key: &str| (name.to_owned(), json[key].as_str().unwrap().to_owned());
    let mut fields = vec![field("key", "TempFileKey"), field("policy", "Policy")];
    if json.get("OssSignatureVersion").is_some() {
        fields.extend([
            field("x-oss-signature-version", "OssSignatureVersion"),
            field("x-oss-credential", "OssCredential"),
            field("x-oss-date", "OssDate"),
            field("x-oss-signature", "Signature"),
        ]);
    } else {
        fields.extend([field("OSSAccessKeyId", "OssAccessKeyId"), field("Signature", "Signature")]);
    }
    (json, fields)
}

#[test]
fn temporary_upload_urls_are_v4_by_default_and_v1_on_request() {
    for (args, v4) in [(&[][..], true), (&["--temp-upload-v1"][..], false)] {
        let server = Server::start(if v4 { "temp-v4" } else { "temp-v1" }, args);
        let (json, fields) = temp_upload(&server, "notes.txt");
        assert_eq!(json["Success"], true, "{json}");
        assert_eq!(json["Endpoint"], server.bucket_url().trim_start_matches("http://"), "{json}");
        let signature = json["Signature"].as_str().unwrap();
        if v4 {
            assert_eq!(json["OssSignatureVersion"], "OSS4-HMAC-SHA256", "{json}");
            assert!(json["OssCredential"].as_str().unwrap().ends_with("/cn-hangzhou/oss/aliyun_v4_request"), "{json}");
            assert_eq!(signature.len(), 64, "hex HMAC-SHA256: {json}");
        } else {
            let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
            assert!(!keys.contains(&"OssSignatureVersion"), "{json}");
            assert_eq!(base64::engine::general_purpose::STANDARD.decode(signature).unwrap().len(), 20, "{json}");
        }
        // The local bucket takes the answer's form, as OSS would.
        let key = json["TempFileKey"].as_str().unwrap();
        assert!(key.starts_with("temp/1440155109798732/upload/") && key.ends_with("/notes.txt"), "{key}");
        let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let reply = post(&server.bucket_url(), multipart(&fields, Some(("notes.txt", b"temp"))), None);
        assert_eq!(reply.status, 204, "{}", reply.body);
        assert_eq!(server.stored(key).as_deref(), Some(b"temp".as_slice()));
        // A name that cannot be a key segment: the OpenAPI error shape.
        let bad = reqwest::blocking::get(format!("{}/temp_file_upload_url?FileName=a/b", server.url)).unwrap();
        assert_eq!(bad.status().as_u16(), 400);
        let bad: serde_json::Value = serde_json::from_str(&bad.text().unwrap()).unwrap();
        assert_eq!(
            (&bad["Success"], &bad["Code"]),
            (&serde_json::json!(false), &serde_json::json!("InvalidParameter"))
        );
    }
}

#[test]
fn the_guide_page_is_served_as_given_at_guide() {
    let page = std::env::temp_dir().join(format!("upload-server-test-{}-guide.html", std::process::id()));
    std::fs::write(&page, "<!DOCTYPE html><title>guide</title>\n").unwrap();
    let server = Server::start("guide", &["--guide-page", page.to_str().unwrap()]);
    let got = reqwest::blocking::get(format!("{}/guide", server.url)).unwrap();
    assert_eq!(got.status().as_u16(), 200);
    assert_eq!(got.text().unwrap(), "<!DOCTYPE html><title>guide</title>\n");
    std::fs::remove_file(&page).unwrap();
    let without = Server::start("no-guide", &[]);
    let got = reqwest::blocking::get(format!("{}/guide", without.url)).unwrap();
    assert_eq!(got.status().as_u16(), 404);
    assert!(got.text().unwrap().contains("--guide-page"));
}

/// `GET /oss/<bucket>/<key>`: status, `Content-Type` and body.
fn get_object(server: &Server, key: &str) -> (u16, String, Vec<u8>) {
    let got = reqwest::blocking::get(format!("{}/{key}", server.bucket_url())).unwrap();
    let content_type = got.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (got.status().as_u16(), content_type, got.bytes().unwrap().to_vec())
}

#[test]
fn get_answers_with_the_content_type_the_object_was_stored_with() {
    let server = Server::start("content-type", &[]);
    let form = signed_form(&server, 10 * 1024 * 1024);
    let upload = |extra: &[(&str, &str)], part_type: Option<&str>| {
        let body = multipart_typed(&fields_of(&form, extra), ("f", b"bytes"), part_type);
        post(form.url(), body, None)
    };
    // The file part's own type, as a browser sends it.
    assert_eq!(upload(&[("key", "user-dir/cat.png")], Some("image/png")).status, 204);
    assert_eq!(get_object(&server, "user-dir/cat.png"), (200, "image/png".to_owned(), b"bytes".to_vec()));
    // No part header: the `Content-Type` field; `x-oss-content-type` wins over both.
    assert_eq!(upload(&[("key", "user-dir/a.txt"), ("Content-Type", "text/plain")], None).status, 204);
    assert_eq!(get_object(&server, "user-dir/a.txt").1, "text/plain");
    let oss_type = [("key", "user-dir/b.webp"), ("x-oss-content-type", "image/webp")];
    assert_eq!(upload(&oss_type, Some("image/png")).status, 204);
    assert_eq!(get_object(&server, "user-dir/b.webp").1, "image/webp");
    // Overwritten without any type: OSS's default, not the old object's type.
    assert_eq!(upload(&[("key", "user-dir/cat.png")], None).status, 204);
    assert_eq!(get_object(&server, "user-dir/cat.png").1, "application/octet-stream");
    // A refused overwrite keeps the first object's type.
    let once = [("key", "user-dir/once.png"), ("x-oss-forbid-overwrite", "true")];
    assert_eq!(upload(&once, Some("image/png")).status, 204);
    assert_eq!(upload(&once, Some("text/html")).status, 409);
    assert_eq!(get_object(&server, "user-dir/once.png").1, "image/png");
    assert_eq!(
        server.files(),
        [
            "examplebucket/user-dir/a.txt",
            "examplebucket/user-dir/b.webp",
            "examplebucket/user-dir/cat.png",
            "examplebucket/user-dir/once.png"
        ]
    );
}

/// Starts the server without `--data-dir`, stops it with `signal` and returns its exit status
/// and the temporary data folder it printed, which existed while it ran.
#[cfg(unix)]
fn run_with_temp_data_dir(signal: &str) -> (std::process::ExitStatus, std::path::PathBuf) {
    let mut child = Command::new(server_binary())
        .args(["--listen", "127.0.0.1:0"])
        .env_remove("OSS_ACCESS_KEY_ID")
        .env_remove("OSS_ACCESS_KEY_SECRET")
        .env_remove("OSS_SESSION_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
    let line = lines.find(|line| line.contains(": data dir ")).expect("the server prints its data folder");
    let (_, dir) = line.split_once(": data dir ").unwrap();
    let dir = dir.strip_suffix(" (removed when the server stops)").expect("says the folder is temporary");
    let dir = std::path::PathBuf::from(dir);
    std::thread::spawn(move || lines.for_each(drop));
    assert!(dir.join(BUCKET).is_dir(), "{}", dir.display());
    // Something stored, as after an upload.
    std::fs::write(dir.join(BUCKET).join("object"), b"x").unwrap();
    let killed = Command::new("kill").args(["-s", signal, &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    (child.wait().unwrap(), dir)
}

#[cfg(unix)]
#[test]
fn a_temporary_data_folder_is_removed_when_the_server_stops() {
    for signal in ["INT", "TERM"] {
        let (status, dir) = run_with_temp_data_dir(signal);
        assert!(status.success(), "SIG{signal}: {status}");
        assert!(!dir.exists(), "SIG{signal}: {} is still there", dir.display());
    }
}

#[cfg(unix)]
#[test]
fn a_given_data_folder_is_kept_when_the_server_stops() {
    let server = Server::start("kept", &[]);
    let form = signed_form(&server, 1024);
    let reply = post(form.url(), multipart(&fields_of(&form, &[("key", "user-dir/k")]), Some(("k", b"kept"))), None);
    assert_eq!(reply.status, 204, "{}", reply.body);
    let mut server = server;
    let killed = Command::new("kill").args(["-s", "TERM", &server.child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    assert!(server.child.wait().unwrap().success());
    assert_eq!(server.stored("user-dir/k").as_deref(), Some(b"kept".as_slice()));
}
