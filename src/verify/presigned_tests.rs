//! The presigned-request verifier: the SDKs' URLs accepted, each rule refused with its code,
//! and presign → verify as a property.

use proptest::prelude::*;
use time::macros::datetime;

use super::*;
use crate::credentials::Credentials;
use crate::presign::{HttpMethod, Presign, PresignedUrl};
use crate::region::{Bucket, Region};
use crate::signer::Signer;

const NOW: OffsetDateTime = datetime!(2024-11-27 06:09:41 UTC);

fn verifier() -> Verifier {
    Verifier::new(Bucket::new("examplebucket").unwrap(), Region::new("cn-hangzhou").unwrap())
}

fn sent(url: &PresignedUrl) -> PresignedRequest {
    PresignedRequest::from_url(url.method().as_str(), url.url()).with_headers(url.headers().iter().cloned())
}

fn sign(p: &Presign, credentials: &Credentials) -> PresignedUrl {
    p.sign_at(&Signer::new(credentials.clone(), Region::new("cn-hangzhou").unwrap()), NOW).unwrap()
}

#[test]
fn a_python_sdk_url_verifies() {
    // tests/vectors/presign-python.json "put-sts-token" (alibabacloud-oss-v2 1.3.2).
    let url = "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/k.txt?x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-date=20241127T060941Z&x-oss-expires=3600&x-oss-credential=LTAI5tExampleAccessKey%2F20241127%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-security-token=CAIS%2Bsts%2Ftoken%3D%3Dwith%2Bplus%2Fslash%3D&x-oss-signature=ad106c78218b2d7c42d692d395397b7464b829814df645b101fc4549b484c404";
    let trusted = Credentials::new("LTAI5tExampleAccessKey", "ExampleSecretKeyForVectors0123456789")
        .unwrap()
        .with_security_token("CAIS+sts/token==with+plus/slash=")
        .unwrap();
    let request = PresignedRequest::from_url("PUT", url).with_header("content-type", " text/plain ");
    let accepted = verifier().verify_presigned_at(&request, &trusted, NOW).unwrap();
    assert_eq!((accepted.key.as_str(), accepted.access_key_id.as_str()), ("k.txt", "LTAI5tExampleAccessKey"));
    assert_eq!(accepted.expiration, datetime!(2024-11-27 07:09:41 UTC));
    assert!(accepted.parameters.is_empty(), "{:?}", accepted.parameters);
    // Without the Content-Type the signature pinned: OSS's answer, with its string to sign.
    let bare = PresignedRequest::from_url("PUT", url);
    let refused = verifier().verify_presigned_at(&bare, &trusted, NOW).unwrap_err();
    assert_eq!((refused.code(), refused.ec(), refused.http_status()), ("SignatureDoesNotMatch", None, 403));
    let details: Vec<(&str, &str)> = refused.details().collect();
    assert_eq!(details[0].0, "StringToSign");
    assert!(
        details[0].1.starts_with("OSS4-HMAC-SHA256\n20241127T060941Z\n20241127/cn-hangzhou/oss/aliyun_v4_request\n")
    );
    assert_eq!(details[1].0, "CanonicalRequest");
    assert!(details[1].1.starts_with("PUT\n/examplebucket/k.txt\nx-oss-credential="), "{}", details[1].1);
    let xml = refused.to_xml("R", "H");
    assert!(!xml.contains("CAIS") && xml.contains("x-oss-security-token=&lt;redacted&gt;"), "{xml}");
    assert!(!format!("{request:?}").contains("CAIS"));
}

#[test]
fn a_fragment_is_not_part_of_what_is_signed() {
    let creds = Credentials::example();
    let url = sign(&Presign::get(Bucket::new("examplebucket").unwrap(), "a.txt"), &creds);
    let with_fragment = format!("{}#page=2", url.url());
    let request = PresignedRequest::from_url("GET", &with_fragment);
    assert_eq!(request, PresignedRequest::from_url("GET", url.url()));
    verifier().verify_presigned_at(&request, &creds, NOW).expect("the browser sends no fragment");
    let host_only = PresignedRequest::from_url("GET", "https://examplebucket.oss-cn-hangzhou.aliyuncs.com#x");
    assert_eq!((host_only.path.as_str(), host_only.query.as_str()), ("/", ""));
}

#[test]
fn each_rule_has_its_answer() {
    let creds = Credentials::example();
    let url =
        sign(&Presign::get(Bucket::new("examplebucket").unwrap(), "a b.txt").expires_in(Duration::seconds(60)), &creds);
    let v = verifier();
    let check =
        |query: &str, now| v.verify_presigned_at(&PresignedRequest::new("GET", "/a%20b.txt", query), &creds, now);
    let query = url.url().split_once('?').unwrap().1.to_owned();
    assert!(check(&query, NOW).is_ok());
    let with_params = sign(
        &Presign::get(Bucket::new("examplebucket").unwrap(), "a b.txt")
            .query("x-oss-process", "image/resize,w_100")
            .query("response-content-type", "text/plain; charset=utf-8")
            .query("uploads", ""),
        &creds,
    );
    let accepted = v.verify_presigned_at(&sent(&with_params), &creds, NOW).unwrap();
    assert_eq!(
        accepted.parameters,
        [
            ("response-content-type".to_owned(), "text/plain; charset=utf-8".to_owned()),
            ("uploads".to_owned(), String::new()),
            ("x-oss-process".to_owned(), "image/resize,w_100".to_owned()),
        ]
    );
    assert!(check(&query, NOW + Duration::seconds(60)).is_ok(), "the last second is inside");
    let expired = check(&query, NOW + Duration::seconds(61)).unwrap_err();
    assert_eq!(
        (expired.code(), expired.ec(), expired.message()),
        ("AccessDenied", Some("0002-00000069"), "Request has expired.")
    );
    assert_eq!(
        expired.details().collect::<Vec<_>>(),
        [("Expires", "2024-11-27T06:10:41Z"), ("ServerTime", "2024-11-27T06:10:42Z")]
    );
    assert!(check(&query, NOW - Duration::minutes(15)).is_ok());
    assert_eq!(check(&query, NOW - Duration::minutes(15) - Duration::SECOND).unwrap_err().ec(), Some("0002-00000235"));
    let without =
        |name: &str| query.split('&').filter(|p| !p.starts_with(&format!("{name}="))).collect::<Vec<_>>().join("&");
    assert_eq!(check(&without("x-oss-credential"), NOW).unwrap_err().ec(), Some("0002-00000217"));
    assert_eq!(check(&without("x-oss-expires"), NOW).unwrap_err().ec(), Some("0002-00000215"));
    assert_eq!(check(&without("x-oss-signature"), NOW).unwrap_err().ec(), Some("0002-00000219"));
    assert_eq!(check(&without("x-oss-date"), NOW).unwrap_err().argument_name(), None);
    assert_eq!(check(&without("x-oss-signature-version"), NOW).unwrap_err().code(), "InvalidArgument");
    for bad in ["0", "604801", "-1", "1e3", ""] {
        let q = query.replace("x-oss-expires=60", &format!("x-oss-expires={bad}"));
        assert_eq!(check(&q, NOW).unwrap_err().ec(), Some("0002-00000232"), "{bad}");
    }
    assert_eq!(check(&format!("{query}&a=1&a=2"), NOW).unwrap_err().code(), "InvalidArgument");
    assert_eq!(check(&format!("{query}&a=%zz"), NOW).unwrap_err().code(), "InvalidArgument");
    assert_eq!(check(&format!("{query}&x-oss-additional-headers="), NOW).unwrap_err().ec(), Some("0002-00000076"));
    assert_eq!(check(&format!("{query}&x-oss-additional-headers=range"), NOW).unwrap_err().ec(), Some("0002-00000077"));
    let other_region = query.replace("cn-hangzhou", "cn-beijing");
    assert_eq!(check(&other_region, NOW).unwrap_err().ec(), Some("0002-00000715"));
    let unknown = v.verify_presigned_at(
        &PresignedRequest::new("GET", "/a%20b.txt", &query),
        &Credentials::new("X", "s").unwrap(),
        NOW,
    );
    assert_eq!(unknown.unwrap_err().code(), "InvalidAccessKeyId");
}

#[test]
fn a_path_style_request_names_the_verifiers_bucket() {
    let creds = Credentials::example();
    let url = sign(&Presign::put(Bucket::new("examplebucket").unwrap(), "dir/a b.txt"), &creds);
    let (path, query) = url.url().split_once(".com").unwrap().1.split_once('?').unwrap();
    assert_eq!(path, "/dir/a%20b.txt");
    let v = verifier();
    let path_style = |path: &str| PresignedRequest::path_style("PUT", path, query);
    let accepted = v.verify_presigned_at(&path_style("/examplebucket/dir/a%20b.txt"), &creds, NOW).unwrap();
    assert_eq!(accepted.key, "dir/a b.txt");
    let other = v.verify_presigned_at(&path_style("/otherbucket/dir/a%20b.txt"), &creds, NOW).unwrap_err();
    assert_eq!((other.code(), other.http_status()), ("NoSuchBucket", 404));
    assert_eq!(other.details().collect::<Vec<_>>(), [("BucketName", "otherbucket")]);
    // The bucket alone, with or without a slash: no key, so not this URL's signature.
    for no_key in ["/examplebucket", "/examplebucket/", "examplebucket/dir/a%20b.txt"] {
        let r = path_style(no_key);
        assert_eq!(r.bucket(), Some("examplebucket"), "{no_key}");
        assert_eq!(v.verify_presigned_at(&r, &creds, NOW).is_ok(), no_key.contains("dir"), "{no_key}");
    }
    // A virtual-hosted path that happens to start with the bucket is a key like any other.
    assert!(
        v.verify_presigned_at(&PresignedRequest::new("PUT", "/examplebucket/dir/a%20b.txt", query), &creds, NOW)
            .is_err()
    );
}

#[test]
fn a_request_without_a_signing_parameter_is_anonymous() {
    let v = verifier();
    let creds = Credentials::example();
    for query in ["", "x-oss-process=image/resize,w_100", "uploads", "Expires=1732687841", "x-oss-signaturex=1"] {
        let r = PresignedRequest::new("GET", "/a.txt", query);
        assert!(!r.is_presigned(), "{query}");
        let refused = v.verify_presigned_at(&r, &creds, NOW).unwrap_err();
        assert_eq!(
            (refused.code(), refused.http_status(), refused.message()),
            ("AccessDenied", 403, "You have no right to access this object because of bucket acl."),
            "{query}"
        );
    }
    // Any one signing parameter makes it a presigned request, refused for what is wrong with it.
    for query in ["x-oss-expires=60", "x%2Doss-date=20241127T060941Z", "x-oss-signature", "a=1&x-oss-credential=X"] {
        let r = PresignedRequest::new("GET", "/a.txt", query);
        assert!(r.is_presigned(), "{query}");
        let refused = v.verify_presigned_at(&r, &creds, NOW).unwrap_err();
        assert_eq!((refused.code(), refused.argument_name()), ("InvalidArgument", None), "{query}");
    }
    // A V1 URL is presigned, and refused as a signature this verifier does not check.
    let v1 = PresignedRequest::new("GET", "/a.txt", "OSSAccessKeyId=LTAI&Expires=1732687841&Signature=c2ln");
    assert!(v1.is_presigned());
    let refused = v.verify_presigned_at(&v1, &creds, NOW).unwrap_err();
    assert_eq!(refused.message(), "V1 presigned URLs are not supported by this verifier.");
}

#[test]
fn the_accepted_request_says_which_headers_were_signed() {
    let creds = Credentials::example();
    let url = sign(
        &Presign::put(Bucket::new("examplebucket").unwrap(), "a")
            .header("Content-Length", "5")
            .additional_header("content-length")
            .header("x-oss-forbid-overwrite", "true"),
        &creds,
    );
    let request = sent(&url).with_header("Cache-Control", "no-cache").with_header("X-Oss-Meta-Late", "1");
    // The late x-oss-* header is signed by default: it breaks the signature.
    assert!(verifier().verify_presigned_at(&request, &creds, NOW).is_err());
    let request = sent(&url).with_header("Cache-Control", "no-cache").with_header("Content-Type", "");
    let refused = verifier().verify_presigned_at(&request, &creds, NOW);
    assert_eq!(refused.unwrap_err().code(), "SignatureDoesNotMatch", "an empty Content-Type is still signed");
    let accepted =
        verifier().verify_presigned_at(&sent(&url).with_header("Cache-Control", "no-cache"), &creds, NOW).unwrap();
    assert_eq!(accepted.signed_headers, ["content-length", "x-oss-forbid-overwrite"]);
    assert!(accepted.is_signed_header("Content-Length") && accepted.is_signed_header("X-OSS-Forbid-Overwrite"));
    assert!(!accepted.is_signed_header("cache-control") && !accepted.is_signed_header("content-type"));
}

#[test]
fn sts_tokens_are_checked() {
    let sts = Credentials::example().with_security_token("CAIS-token").unwrap();
    let url = sign(&Presign::get(Bucket::new("examplebucket").unwrap(), "a"), &sts);
    assert!(verifier().verify_presigned_at(&sent(&url), &sts, NOW).is_ok());
    let other = Credentials::example().with_security_token("CAIS-other").unwrap();
    assert_eq!(verifier().verify_presigned_at(&sent(&url), &other, NOW).unwrap_err().code(), "InvalidSecurityToken");
}

#[test]
fn a_repeated_header_is_signed_joined_and_a_plus_in_the_path_is_a_plus() {
    let creds = Credentials::example();
    let url = sign(&Presign::put(Bucket::new("examplebucket").unwrap(), "a+b c").header("x-oss-meta-a", "1,2"), &creds);
    let (_, query) = url.url().split_once('?').unwrap();
    let split = PresignedRequest::new("PUT", "/a+b%20c", query)
        .with_header("X-Oss-Meta-A", "1")
        .with_header("x-oss-meta-a", " 2");
    assert!(verifier().verify_presigned_at(&split, &creds, NOW).is_ok());
}

/// A request and the ways one change to it breaks the signature.
fn arb_presign() -> impl Strategy<Value = (Presign, Vec<(String, String)>)> {
    let key = "[a-zA-Z0-9 /+%?#&=~é-]{1,24}";
    let query = proptest::collection::vec(("[a-zA-Z+|-]{1,6}", "[a-zA-Z0-9 +/=&%-]{0,8}"), 0..4);
    let meta = proptest::collection::vec(("[a-z]{1,6}", "[!-~]{1,8}"), 0..3);
    (key, query, meta, prop_oneof![Just(HttpMethod::Get), Just(HttpMethod::Put), Just(HttpMethod::Head)]).prop_map(
        |(key, query, meta, method)| {
            let mut p =
                Presign::new(method, Bucket::new("examplebucket").unwrap(), key).expires_in(Duration::seconds(300));
            let mut names = Vec::new();
            for (n, v) in query {
                if !names.contains(&n) {
                    names.push(n.clone());
                    p = p.query(n, v);
                }
            }
            let mut headers = Vec::new();
            for (n, v) in meta {
                let name = format!("x-oss-meta-{n}");
                if !headers.iter().any(|(h, _): &(String, String)| *h == name) {
                    headers.push((name.clone(), v.trim().to_owned()));
                    p = p.header(name, v);
                }
            }
            (p, headers)
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn presign_then_verify_accepts_and_any_change_is_refused((presign, headers) in arb_presign(), at in 0..=300i64) {
        let creds = Credentials::example();
        let url = sign(&presign, &creds);
        let v = verifier();
        let now = NOW + Duration::seconds(at);
        let request = sent(&url);
        prop_assert!(v.verify_presigned_at(&request, &creds, now).is_ok(), "{:?}", url);
        let (path, query) = url.url().split_once(".com").unwrap().1.split_once('?').unwrap();
        let refused = |r: PresignedRequest, now| v.verify_presigned_at(&r, &creds, now).is_err();
        // Another method.
        let method = if url.method() == HttpMethod::Get { "PUT" } else { "GET" };
        prop_assert!(refused(PresignedRequest::new(method, path, query).with_headers(url.headers().iter().cloned()), now));
        // Another path.
        let longer = [path, "x"].concat();
        prop_assert!(refused(PresignedRequest::new(url.method().as_str(), longer, query).with_headers(url.headers().iter().cloned()), now));
        // Another value of the first query parameter (the signature's own included).
        let first = query.split('&').next().unwrap();
        let changed = query.replacen(first, &[first, "0"].concat(), 1);
        prop_assert!(refused(PresignedRequest::new(url.method().as_str(), path, changed).with_headers(url.headers().iter().cloned()), now));
        // A signed header changed, or one added.
        if let Some((name, value)) = headers.first() {
            let other = url.headers().iter().map(|(n, v)| if n == name { (n.clone(), format!("{value}x")) } else { (n.clone(), v.clone()) });
            prop_assert!(refused(PresignedRequest::new(url.method().as_str(), path, query).with_headers(other), now));
        }
        prop_assert!(refused(request.clone().with_header("Content-Type", "text/plain"), now));
        // Past the expiry.
        prop_assert!(refused(request, NOW + Duration::seconds(301)));
    }
}

#[test]
fn a_refusal_quotes_the_canonical_request_without_the_token() {
    let v = verifier();
    let creds = Credentials::example();
    let url = sign(&Presign::get(Bucket::new("examplebucket").unwrap(), "a"), &creds);
    let (_, query) = url.url().split_once('?').unwrap();
    let wrong = query.replacen("x-oss-signature=", "x-oss-signature=0", 1);
    // An empty token, which a credential without one accepts: nothing to redact.
    let empty = PresignedRequest::new("GET", "/a", format!("x-oss-security-token=&{wrong}"));
    let refused = v.verify_presigned_at(&empty, &creds, NOW).unwrap_err();
    let canonical = refused.details().find(|(n, _)| *n == "CanonicalRequest").unwrap().1;
    assert!(canonical.starts_with("GET\n/examplebucket/a\n") && !canonical.contains("<redacted>"), "{canonical}");
    // The token also sent as a header (signed, as every x-oss-* header): redacted there too.
    let sts = Credentials::example().with_security_token("CAIS+sts/token==").unwrap();
    let url = sign(&Presign::get(Bucket::new("examplebucket").unwrap(), "a"), &sts);
    let request = sent(&url).with_header("x-oss-security-token", "CAIS+sts/token==");
    let refused = v.verify_presigned_at(&request, &sts, NOW).unwrap_err();
    let canonical = refused.details().find(|(n, _)| *n == "CanonicalRequest").unwrap().1;
    assert!(!canonical.contains("CAIS") && canonical.contains("x-oss-security-token:<redacted>"), "{canonical}");
}

#[test]
fn an_escape_is_a_percent_and_two_hex_digits() {
    let creds = Credentials::example();
    let url = sign(&Presign::get(Bucket::new("examplebucket").unwrap(), "a").query("a", "\u{f}"), &creds);
    let (_, query) = url.url().split_once('?').unwrap();
    assert!(query.contains("a=%0F"));
    assert!(verifier().verify_presigned_at(&PresignedRequest::new("GET", "/a", query), &creds, NOW).is_ok());
    // `u8::from_str_radix` would read "+F" as 15.
    for bad in ["%+F", "%-1", "% F", "%F"] {
        let query = query.replace("a=%0F", &format!("a={bad}"));
        let refused = verifier().verify_presigned_at(&PresignedRequest::new("GET", "/a", query), &creds, NOW);
        assert_eq!(refused.unwrap_err().message(), "The query string is not valid percent-encoding.", "{bad}");
    }
}

#[test]
fn many_distinct_parameters_are_read_and_a_repeated_one_refused() {
    let creds = Credentials::example();
    let url = sign(&Presign::get(Bucket::new("examplebucket").unwrap(), "a"), &creds);
    let (_, query) = url.url().split_once('?').unwrap();
    let many = (0..20_000).fold(String::new(), |mut q, i| {
        q.push_str("&p");
        q.push_str(&i.to_string());
        q
    });
    let refused =
        verifier().verify_presigned_at(&PresignedRequest::new("GET", "/a", [query, &many].concat()), &creds, NOW);
    assert_eq!(refused.unwrap_err().code(), "SignatureDoesNotMatch", "read to the end");
    let repeated = format!("{query}{many}&p5&p7");
    let refused =
        verifier().verify_presigned_at(&PresignedRequest::new("GET", "/a", repeated), &creds, NOW).unwrap_err();
    assert_eq!(refused.argument_name(), Some("ParameterName"));
    assert_eq!(refused.argument_value(), Some("p5"), "the first name sent again");
}

#[test]
fn debug_redacts_the_signature_and_token_under_any_spelling_the_verifier_reads() {
    let creds = Credentials::example().with_security_token("CAIS-token").unwrap();
    let url = sign(&Presign::get(Bucket::new("examplebucket").unwrap(), "a"), &creds);
    let (_, query) = url.url().split_once('?').unwrap();
    let signature = query.split_once("x-oss-signature=").unwrap().1.to_owned();
    let spelled = query
        .replace("x-oss-signature=", "x-oss-%73ignature=")
        .replace("x-oss-security-token=", "x%2Doss-security-token=");
    let request = PresignedRequest::new("GET", "/a", spelled);
    assert!(verifier().verify_presigned_at(&request, &creds, NOW).is_ok(), "the verifier reads these names");
    let shown = format!("{request:?}");
    assert!(!shown.contains(&signature) && !shown.contains("CAIS"), "{shown}");
}

#[test]
fn debug_redacts_credential_headers() {
    // A server passes every header it received: one signed in the header, or carrying a token.
    let request = PresignedRequest::new("GET", "/a", "x-oss-expires=60")
        .with_header(
            "Authorization",
            "OSS4-HMAC-SHA256 Credential=LTAI/20241127/cn-hangzhou/oss/aliyun_v4_request,Signature=5f3c",
        )
        .with_header("X-Oss-Security-Token", "CAIS-token")
        .with_header("Content-Type", "image/png");
    let shown = format!("{request:?}");
    assert!(!shown.contains("5f3c") && !shown.contains("CAIS"), "{shown}");
    assert!(shown.contains("image/png") && shown.contains("Authorization"), "{shown}");
}
