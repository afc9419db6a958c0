//! What an attacker could do with the example server beyond its upload limits (`abuse.rs`):
//! serve script from the server's own origin.

mod common;

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
