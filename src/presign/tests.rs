//! Known answers from the Go SDK v2's public tests, and the checks on bad input.

use time::macros::datetime;

use super::*;
use crate::credentials::Credentials;
use crate::region::Region;

fn go_request(key: &str) -> Presign {
    // aliyun/alibabacloud-oss-go-sdk-v2 oss/signer/signer_test.go: the same query in every
    // TestV4AuthQuery* case.
    Presign::put(Bucket::new("bucket").unwrap(), key)
        .query("param1", "value1")
        .query("+param1", "value3")
        .query("|param1", "value4")
        .query("+param2", "")
        .query("|param2", "")
        .query("param2", "")
        .header("x-oss-head1", "value")
        .header("content-type", "application/octet-stream")
        .expires_in(Duration::seconds(599))
}

fn query_value<'a>(url: &'a PresignedUrl, name: &str) -> Option<&'a str> {
    let query = url.url().split_once('?')?.1;
    query.split('&').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}

#[test]
fn go_sdk_v4_auth_query_vectors() {
    let region = Region::new("cn-hangzhou").unwrap();
    let signer = Signer::new(Credentials::new("ak", "sk").unwrap(), region.clone());
    // TestV4AuthQuery: signTime 1702781677 (2023-12-17T02:54:37Z).
    let url = go_request("1234+-/123/1.txt").sign_at(&signer, datetime!(2023-12-17 02:54:37 UTC)).unwrap();
    assert_eq!(
        query_value(&url, "x-oss-signature"),
        Some("a39966c61718be0d5b14e668088b3fa07601033f6518ac7b523100014269c0fe")
    );
    assert_eq!(query_value(&url, "x-oss-expires"), Some("599"));
    assert_eq!(query_value(&url, "x-oss-credential"), Some("ak%2F20231217%2Fcn-hangzhou%2Foss%2Faliyun_v4_request"));
    assert_eq!(query_value(&url, "x-oss-additional-headers"), None);
    // TestV4AuthQueryToken: signTime 1702785388, token "token".
    let sts = Signer::new(Credentials::new("ak", "sk").unwrap().with_security_token("token").unwrap(), region.clone());
    let url = go_request("1234+-/123/1.txt").sign_at(&sts, datetime!(2023-12-17 03:56:28 UTC)).unwrap();
    assert_eq!(query_value(&url, "x-oss-date"), Some("20231217T035628Z"));
    assert_eq!(
        query_value(&url, "x-oss-signature"),
        Some("3817ac9d206cd6dfc90f1c09c00be45005602e55898f26f5ddb06d7892e1f8b5")
    );
    // TestV4AuthQueryWithAdditionalHeaders: signTime 1702783809, additional ZAbc and abc.
    let url = go_request("1234+-/123/1.txt")
        .header("abc", "value")
        .header("ZAbc", "value")
        .additional_header("ZAbc")
        .additional_header("abc")
        .sign_at(&signer, datetime!(2023-12-17 03:30:09 UTC))
        .unwrap();
    assert_eq!(query_value(&url, "x-oss-additional-headers"), Some("abc%3Bzabc"));
    assert_eq!(
        query_value(&url, "x-oss-signature"),
        Some("6bd984bfe531afb6db1f7550983a741b103a8c58e5e14f83ea474c2322dfa2b7")
    );
    // TestV4AuthQueryWithCloudBox: signTime 1702781677, CloudBox cb-123, additional ZAbc and abc.
    let cloudbox =
        Signer::new(Credentials::new("ak", "sk").unwrap(), Region::cloudbox("cb-123", "cn-hangzhou").unwrap());
    let boxed = go_request("1234+-/123/1.txt")
        .header("abc", "value")
        .header("ZAbc", "value")
        .additional_header("ZAbc")
        .additional_header("abc")
        .sign_at(&cloudbox, datetime!(2023-12-17 02:54:37 UTC))
        .unwrap();
    assert_eq!(
        query_value(&boxed, "x-oss-signature"),
        Some("07284191b9b4978ac3520cd39ee2dea2747eda454089359371ff463a6c7ba20f")
    );
    let names: Vec<&str> = url.headers().iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["abc", "content-type", "x-oss-head1", "ZAbc"]);
}

#[test]
fn the_url_has_the_key_path_and_the_query_in_canonical_order() {
    let signer = Signer::new(Credentials::new("ak", "sk").unwrap(), Region::new("cn-hangzhou").unwrap());
    let url = go_request("1234+-/123/1.txt").sign_at(&signer, datetime!(2023-12-17 02:54:37 UTC)).unwrap();
    assert_eq!(
        url.url(),
        "https://bucket.oss-cn-hangzhou.aliyuncs.com/1234%2B-/123/1.txt?%2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&param2&x-oss-credential=ak%2F20231217%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-date=20231217T025437Z&x-oss-expires=599&x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-signature=a39966c61718be0d5b14e668088b3fa07601033f6518ac7b523100014269c0fe"
    );
    assert_eq!(url.expiration(), datetime!(2023-12-17 03:04:36 UTC));
    assert_eq!(url.method(), HttpMethod::Put);
}

#[test]
fn bad_input_gets_typed_errors() {
    let signer = Signer::new(Credentials::example(), Region::new("cn-hangzhou").unwrap());
    let now = datetime!(2024-11-27 06:09:41 UTC);
    let put = |key: &str| Presign::put(Bucket::new("examplebucket").unwrap(), key);
    let err = |p: Presign| p.sign_at(&signer, now).unwrap_err();
    assert!(matches!(err(put("")), Error::InvalidObjectKey { .. }));
    assert!(matches!(err(put(&"k".repeat(1024))), Error::KeyTooLong { bytes: 1024, .. }));
    assert!(put(&"k".repeat(1023)).sign_at(&signer, now).is_ok());
    for bad in [Duration::ZERO, Duration::seconds(-1), Duration::seconds(604_801), Duration::milliseconds(1500)] {
        assert_eq!(err(put("k").expires_in(bad)), Error::InvalidExpiresIn { expires_in: bad });
    }
    assert!(put("k").expires_in(Duration::seconds(604_800)).sign_at(&signer, now).is_ok());
    assert!(matches!(err(put("k").query("", "v")), Error::InvalidQueryParameter { .. }));
    assert!(matches!(err(put("k").query("X-OSS-Expires", "1")), Error::InvalidQueryParameter { .. }));
    assert!(matches!(err(put("k").query("a", "1").query("a", "2")), Error::InvalidQueryParameter { .. }));
    assert!(matches!(err(put("k").header("Content Type", "x")), Error::InvalidHeaderName { .. }));
    assert!(matches!(err(put("k").header("", "x")), Error::InvalidHeaderName { .. }));
    assert!(matches!(
        err(put("k").header("x-oss-meta-a", "1").header("X-OSS-META-A", "2")),
        Error::InvalidHeaderName { .. }
    ));
    for bad in ["a\r\nx-oss-acl: public-read", "a\nb", "", "  ", "caf\u{e9}", "a\u{7f}"] {
        assert!(matches!(err(put("k").header("x-oss-meta-a", bad)), Error::InvalidHeaderValue { .. }), "{bad:?}");
    }
    assert!(
        matches!(err(put("k").header("Cache-Control", "no-cache")), Error::HeaderNotSigned { ref name } if name == "Cache-Control")
    );
    assert!(
        matches!(err(put("k").additional_header("Range")), Error::AdditionalHeaderNotGiven { ref name } if name == "range")
    );
    assert!(matches!(err(put("k").additional_header("bad name")), Error::InvalidHeaderName { .. }));
    let v1 = signer.clone().with_version(SignatureVersion::V1);
    assert_eq!(put("k").sign_at(&v1, now).unwrap_err(), Error::PresignNeedsV4);
    assert!("put".parse::<HttpMethod>().is_err());
    assert_eq!("DELETE".parse::<HttpMethod>().unwrap(), HttpMethod::Delete);
}

#[test]
fn headers_are_trimmed_and_additional_ones_listed_sorted_lower_case() {
    let signer = Signer::new(Credentials::example(), Region::new("cn-hangzhou").unwrap());
    let url = Presign::put(Bucket::new("examplebucket").unwrap(), "k")
        .header("Content-Type", " image/png\t")
        .header("Cache-Control", "no-cache")
        .header("Content-Disposition", "attachment")
        .additional_header("CONTENT-DISPOSITION")
        .additional_header("cache-control")
        .additional_header("Content-Type")
        .sign_at(&signer, datetime!(2024-11-27 06:09:41 UTC))
        .unwrap();
    assert_eq!(query_value(&url, "x-oss-additional-headers"), Some("cache-control%3Bcontent-disposition"));
    assert_eq!(
        url.headers(),
        [
            ("Cache-Control".to_owned(), "no-cache".to_owned()),
            ("Content-Disposition".to_owned(), "attachment".to_owned()),
            ("Content-Type".to_owned(), "image/png".to_owned()),
        ]
    );
}

#[test]
fn endpoints_and_cloudbox() {
    let now = datetime!(2024-11-27 06:09:41 UTC);
    let cloudbox = Signer::new(Credentials::example(), Region::cloudbox("cb-123", "cn-hangzhou").unwrap());
    let url = Presign::get(Bucket::new("bucket").unwrap(), "a b").sign_at(&cloudbox, now).unwrap();
    assert!(
        url.url().starts_with("https://bucket.cb-123.cn-hangzhou.oss-cloudbox.aliyuncs.com/a%20b?"),
        "{}",
        url.url()
    );
    assert_eq!(
        query_value(&url, "x-oss-credential"),
        Some("44CF9590006BF252F707%2F20241127%2Fcb-123%2Foss-cloudbox%2Faliyun_v4_request")
    );
    let signer = Signer::new(Credentials::example(), Region::new("cn-hangzhou").unwrap());
    let custom = Presign::get(Bucket::new("bucket").unwrap(), "a")
        .endpoint(Endpoint::custom("https://cdn.example.com").unwrap())
        .sign_at(&signer, now)
        .unwrap();
    let public = Presign::get(Bucket::new("bucket").unwrap(), "a").sign_at(&signer, now).unwrap();
    assert!(custom.url().starts_with("https://cdn.example.com/a?"));
    // The signature covers /bucket/key, not the host.
    assert_eq!(query_value(&custom, "x-oss-signature"), query_value(&public, "x-oss-signature"));
    let internal = Presign::get(Bucket::new("bucket").unwrap(), "a").endpoint(Endpoint::Internal).sign_at(&signer, now);
    assert!(internal.unwrap().url().starts_with("https://bucket.oss-cn-hangzhou-internal.aliyuncs.com/a?"));
}

#[test]
fn debug_redacts_the_token_and_the_signature() {
    let sts = Credentials::example().with_security_token("CAIS+secret/token=").unwrap();
    let signer = Signer::new(sts, Region::new("cn-hangzhou").unwrap());
    let url =
        Presign::get(Bucket::new("bucket").unwrap(), "a").sign_at(&signer, datetime!(2024-11-27 06:09:41 UTC)).unwrap();
    assert_eq!(query_value(&url, "x-oss-security-token"), Some("CAIS%2Bsecret%2Ftoken%3D"));
    let signature = query_value(&url, "x-oss-signature").unwrap().to_owned();
    let shown = format!("{url:?}");
    assert!(!shown.contains("CAIS") && !shown.contains(&signature), "{shown}");
    assert!(
        shown.contains("x-oss-security-token=<redacted>") && shown.contains("x-oss-signature=<redacted>"),
        "{shown}"
    );
}
