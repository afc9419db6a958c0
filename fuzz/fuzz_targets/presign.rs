//! Presigning arbitrary requests, and the presigned-request verifier on arbitrary requests. No
//! input may panic or hang.
//!
//! Half the inputs start from a URL the presigner signed (arbitrary key, query, headers) and
//! then change it (method, path, query, headers, time), so the verifier is explored past the
//! parameter checks up to the signature; every URL the presigner writes must pass the
//! verifier unchanged.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use oss_post_policy::verify::{PresignedRequest, Verifier};
use oss_post_policy::{Bucket, Credentials, HttpMethod, Presign, Region, Signer};
use time::{Duration, OffsetDateTime, macros::datetime};

const NOW: OffsetDateTime = datetime!(2024-01-01 00:05:00 UTC);

#[derive(Debug, Arbitrary)]
struct Input {
    sign: bool,
    method: u8,
    key: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    additional: Vec<String>,
    expires: i32,
    token: Option<String>,
    // Changes to the signed request, or the raw request when `sign` is false.
    path: String,
    raw_query: String,
    more_query: String,
    more_headers: Vec<(String, String)>,
    other_method: Option<String>,
    seconds_later: i32,
}

fuzz_target!(|input: Input| {
    let bucket = Bucket::new("examplebucket").expect("valid");
    let region = Region::new("cn-hangzhou").expect("valid");
    let mut credentials = Credentials::example();
    if let Some(token) = &input.token {
        credentials = credentials.clone().with_security_token(token.as_str()).unwrap_or(credentials);
    }
    let verifier = Verifier::new(bucket.clone(), region.clone());
    let now = NOW + Duration::seconds(i64::from(input.seconds_later));
    let methods = [HttpMethod::Get, HttpMethod::Put, HttpMethod::Head, HttpMethod::Post, HttpMethod::Delete];
    let request = if input.sign {
        let mut presign = Presign::new(methods[usize::from(input.method) % 5], bucket, input.key.as_str())
            .expires_in(Duration::seconds(i64::from(input.expires)));
        for (name, value) in &input.query {
            presign = presign.query(name.as_str(), value.as_str());
        }
        for (name, value) in &input.headers {
            presign = presign.header(name.as_str(), value.as_str());
        }
        for name in &input.additional {
            presign = presign.additional_header(name.as_str());
        }
        let Ok(url) = presign.sign_at(&Signer::new(credentials.clone(), region), NOW) else { return };
        let _ = format!("{url:?}");
        let _ = serde_json::to_string(&url);
        let sent =
            PresignedRequest::from_url(url.method().as_str(), url.url()).with_headers(url.headers().iter().cloned());
        if let Err(refused) = verifier.verify_presigned_at(&sent, &credentials, NOW) {
            panic!("the presigner's own URL is refused: {refused}\n{url:?}");
        }
        let (path, query) = url.url().split_once(".com").expect("public endpoint").1.split_once('?').expect("query");
        let method = input.other_method.clone().unwrap_or_else(|| url.method().as_str().to_owned());
        let query =
            if input.more_query.is_empty() { query.to_owned() } else { format!("{query}&{}", input.more_query) };
        PresignedRequest::new(method, path, query).with_headers(url.headers().iter().cloned())
    } else {
        PresignedRequest::new(
            input.other_method.clone().unwrap_or_default(),
            input.path.as_str(),
            input.raw_query.as_str(),
        )
    };
    let request = request.with_headers(input.more_headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    let _ = format!("{request:?}");
    if let Err(refused) = verifier.verify_presigned_at(&request, &credentials, now) {
        let _ = refused.to_xml("REQ", "HOST");
        let _ = serde_json::to_string(&refused);
    }
});
