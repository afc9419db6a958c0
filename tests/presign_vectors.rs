//! Presigned URLs against implementations we did not write: the Go SDK v2's public vectors
//! (`tests/vectors/presign-go-sdk.json`), the Python SDK v2 (`presign-python.json`) and ali-oss
//! (`presign-ali-oss.json`). Each vector names its source; `known_differences` are SDK quirks,
//! checked to stay different (tests/vectors/README.md).

use std::collections::BTreeMap;

use oss_post_policy::time::format_description::well_known::Rfc3339;
use oss_post_policy::time::{Duration, OffsetDateTime};
use oss_post_policy::{Bucket, Credentials, Error, HttpMethod, Presign, PresignedUrl, Region, Signer};
use serde_json::Value;

fn load(file: &str) -> Value {
    let path = format!("{}/tests/vectors/{file}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("vector file")).expect("vector JSON")
}

fn text<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field].as_str().unwrap_or_else(|| panic!("{}: no string {field}", v["name"]))
}

fn pairs(v: &Value, field: &str) -> Vec<(String, String)> {
    v[field]
        .as_array()
        .map(|a| a.iter().map(|p| (p[0].as_str().unwrap().to_owned(), p[1].as_str().unwrap().to_owned())).collect())
        .unwrap_or_default()
}

fn strings(v: &Value, field: &str) -> Vec<String> {
    v[field].as_array().map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect()).unwrap_or_default()
}

/// Signs the vector's request with this crate.
fn sign(v: &Value) -> Result<PresignedUrl, Error> {
    let mut credentials = Credentials::new(text(v, "access_key_id"), text(v, "access_key_secret"))?;
    if let Some(token) = v["security_token"].as_str() {
        credentials = credentials.with_security_token(token)?;
    }
    let region = match v["cloudbox_id"].as_str() {
        Some(id) => Region::cloudbox(id, text(v, "region"))?,
        None => Region::new(text(v, "region"))?,
    };
    let signer = Signer::new(credentials, region);
    let method: HttpMethod = text(v, "method").parse()?;
    let additional = strings(v, "additional_headers");
    let mut presign = Presign::new(method, Bucket::new(text(v, "bucket"))?, text(v, "key"))
        .expires_in(Duration::seconds(v["expires_in"].as_i64().expect("expires_in")));
    for (name, value) in pairs(v, "query") {
        presign = presign.query(name, value);
    }
    for (name, value) in pairs(v, "headers") {
        presign = presign.header(name, value);
    }
    // Go vectors list every header of the request; only the signed ones are pinned.
    for (name, value) in pairs(v, "request_headers") {
        let lower = name.to_ascii_lowercase();
        let by_default = lower.starts_with("x-oss-") || lower == "content-type" || lower == "content-md5";
        if by_default || additional.iter().any(|a| a.eq_ignore_ascii_case(&name)) {
            presign = presign.header(name, value);
        }
    }
    for name in additional {
        presign = presign.additional_header(name);
    }
    let now = OffsetDateTime::parse(text(v, "now"), &Rfc3339).expect("now");
    presign.sign_at(&signer, now)
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).expect("hex"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("UTF-8")
}

/// The URL's path and its decoded query as a map (an empty value and a bare name alike).
fn split(url: &str) -> (String, BTreeMap<String, String>) {
    let (base, query) = url.split_once('?').expect("a query");
    let path = base.splitn(4, '/').nth(3).map(|p| format!("/{p}")).unwrap_or_default();
    let query = query
        .split('&')
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .map(|(n, v)| (decode(n), decode(v)))
        .collect();
    (path, query)
}

fn check(v: &Value) {
    let name = format!("{} ({})", text(v, "name"), text(v, "source"));
    let ours = sign(v).unwrap_or_else(|e| panic!("{name}: refused: {e}"));
    let (path, query) = split(ours.url());
    let expected = &v["expected"];
    if let Some(url) = expected["url"].as_str() {
        let (want_path, want_query) = split(url);
        assert_eq!(path, want_path, "{name}: path");
        assert_eq!(query, want_query, "{name}: query\n ours: {}\ntheirs: {url}", ours.url());
    }
    if let Some(signature) = expected["signature"].as_str() {
        assert_eq!(query["x-oss-signature"], signature, "{name}: signature");
    }
    for field in ["x-oss-date", "x-oss-expires", "x-oss-additional-headers"] {
        if let Some(want) = expected[field].as_str() {
            assert_eq!(query[field], want, "{name}: {field}");
        }
    }
    if let Some(expiration) = expected["expiration"].as_str() {
        assert_eq!(serde_json::to_value(&ours).unwrap()["expiration"], expiration, "{name}: expiration");
    }
}

fn vectors(file: &str) -> Vec<Value> {
    let doc = load(file);
    let list = doc["vectors"].as_array().expect("vectors").clone();
    assert!(!list.is_empty(), "{file}: no vectors");
    list
}

#[test]
fn go_sdk_public_vectors() {
    for v in vectors("presign-go-sdk.json") {
        check(&v);
    }
}

#[test]
fn python_sdk_vectors() {
    for v in vectors("presign-python.json") {
        check(&v);
    }
}

#[test]
fn ali_oss_vectors() {
    for v in vectors("presign-ali-oss.json") {
        check(&v);
    }
}

fn known(file: &str, name: &str) -> Value {
    let doc = load(file);
    let found = doc["known_differences"].as_array().expect("known_differences").iter().find(|v| v["name"] == name);
    found.unwrap_or_else(|| panic!("{file}: no known difference {name}")).clone()
}

fn theirs(v: &Value) -> (String, BTreeMap<String, String>) {
    split(text(&v["expected"], "url"))
}

#[test]
fn go_drops_an_absent_additional_header_this_crate_refuses_it() {
    let v = known("presign-go-sdk.json", "TestV4AuthQueryWithAdditionalHeaders-absent-additional");
    assert!(matches!(sign(&v), Err(Error::AdditionalHeaderNotGiven { name }) if name == "x-oss-no-exist"));
    let mut without = v.clone();
    without["additional_headers"] = serde_json::json!(["abc", "x-oss-head1", "ZAbc"]);
    check(&without);
}

#[test]
fn python_keeps_the_oss_region_prefix_this_crate_strips_it() {
    let v = known("presign-python.json", "quirk-region-oss-prefix-kept");
    let (_, query) = theirs(&v);
    assert!(query["x-oss-credential"].contains("/oss-cn-hangzhou/"), "{query:?}");
    let (_, ours) = split(sign(&v).unwrap().url());
    assert!(ours["x-oss-credential"].contains("/cn-hangzhou/"));
    assert_ne!(ours["x-oss-signature"], query["x-oss-signature"]);
}

#[test]
fn python_presign_ignores_additional_headers_this_crate_signs_them() {
    let v = known("presign-python.json", "quirk-additional-headers-ignored");
    let (_, query) = theirs(&v);
    assert!(!query.contains_key("x-oss-additional-headers"), "{query:?}");
    let (_, ours) = split(sign(&v).unwrap().url());
    assert_eq!(ours["x-oss-additional-headers"], "cache-control");
    assert_ne!(ours["x-oss-signature"], query["x-oss-signature"]);
}

#[test]
fn ali_oss_signs_an_empty_value_as_name_equals_this_crate_writes_the_bare_name() {
    let v = known("presign-ali-oss.json", "empty-query-value-written-with-equals");
    let (_, query) = theirs(&v);
    let (_, ours) = split(sign(&v).unwrap().url());
    assert_ne!(ours["x-oss-signature"], query["x-oss-signature"]);
    // With the bare name (`uploads: null` in ali-oss), ali-oss signs what this crate signs.
    let bare = vectors("presign-ali-oss.json").into_iter().find(|v| v["name"] == "post-uploads-bare-name").unwrap();
    assert_eq!(ours["x-oss-signature"], theirs(&bare).1["x-oss-signature"]);
}

#[test]
fn ali_oss_sorts_names_with_locale_compare_this_crate_by_bytes() {
    let v = known("presign-ali-oss.json", "query-sorted-by-locale-compare");
    let url = text(&v["expected"], "url");
    assert!(url.contains("?b=1&B=2&%2Ba=3&%7Ca=4&"), "{url}");
    let ours = sign(&v).unwrap();
    assert!(ours.url().contains("?%2Ba=3&%7Ca=4&B=2&b=1&"), "{}", ours.url());
    assert_ne!(split(ours.url()).1["x-oss-signature"], theirs(&v).1["x-oss-signature"]);
}

/// The verifier's view of a vector: its region and trusted credentials.
fn verify_sdk_url(v: &Value) -> Result<oss_post_policy::verify::AcceptedRequest, oss_post_policy::verify::Rejection> {
    use oss_post_policy::verify::{PresignedRequest, Verifier};
    let region = match v["cloudbox_id"].as_str() {
        Some(id) => Region::cloudbox(id, text(v, "region")).unwrap(),
        None => Region::new(text(v, "region")).unwrap(),
    };
    let mut trusted = Credentials::new(text(v, "access_key_id"), text(v, "access_key_secret")).unwrap();
    if let Some(token) = v["security_token"].as_str() {
        trusted = trusted.with_security_token(token).unwrap();
    }
    let verifier = Verifier::new(Bucket::new(text(v, "bucket")).unwrap(), region);
    let request = PresignedRequest::from_url(text(v, "method"), text(&v["expected"], "url"))
        .with_headers(pairs(v, "headers"))
        .with_headers(pairs(v, "request_headers"));
    let now = OffsetDateTime::parse(text(v, "now"), &Rfc3339).expect("now");
    verifier.verify_presigned_at(&request, &trusted, now)
}

#[test]
fn sdk_urls_pass_the_verifier() {
    for v in vectors("presign-python.json").iter().chain(&vectors("presign-ali-oss.json")) {
        verify_sdk_url(v).unwrap_or_else(|r| panic!("{} ({}): {r}", v["name"], v["source"]));
    }
}

#[test]
fn sdk_quirks_fail_the_verifier() {
    for (file, name) in [
        ("presign-ali-oss.json", "empty-query-value-written-with-equals"),
        ("presign-ali-oss.json", "query-sorted-by-locale-compare"),
    ] {
        let refused = verify_sdk_url(&known(file, name)).expect_err(name);
        assert_eq!(refused.code(), "SignatureDoesNotMatch", "{name}");
    }
    // Python's URL leaves Cache-Control unsigned: it verifies whatever Cache-Control is sent.
    let mut unpinned = known("presign-python.json", "quirk-additional-headers-ignored");
    unpinned["headers"] = serde_json::json!([["Cache-Control", "max-age=0"]]);
    assert!(verify_sdk_url(&unpinned).is_ok());
    let accepted = verify_sdk_url(&unpinned).unwrap();
    assert!(accepted.signed_headers.is_empty() && !accepted.is_signed_header("Cache-Control"));
    // Python signs the region as given: `oss-cn-hangzhou` is not the bucket's region.
    let refused = verify_sdk_url(&known("presign-python.json", "quirk-region-oss-prefix-kept")).unwrap_err();
    assert_eq!(refused.ec(), Some("0002-00000715"));
}

#[test]
fn the_accepted_request_names_the_signed_headers() {
    // ali-oss signed the three headers the vector sends: Content-Type by default, the other two
    // as additional headers (its `x-oss-additional-headers`).
    let named = |file, name| vectors(file).into_iter().find(|v| v["name"] == name).expect(name);
    let v = named("presign-ali-oss.json", "put-additional-headers");
    assert_eq!(theirs(&v).1["x-oss-additional-headers"], "cache-control;content-disposition");
    let accepted = verify_sdk_url(&v).unwrap();
    assert_eq!(accepted.signed_headers, ["cache-control", "content-disposition", "content-type"]);
    // Python's signer signed these, and its `x-oss-*` header by default.
    let v = named("presign-python.json", "signer-sts-query-and-headers");
    assert_eq!(verify_sdk_url(&v).unwrap().signed_headers, ["content-type", "x-oss-meta-a"]);
    let v = named("presign-python.json", "get-process");
    assert!(verify_sdk_url(&v).unwrap().signed_headers.is_empty());
}
