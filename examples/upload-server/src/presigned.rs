//! Presigned requests to the local bucket: `PUT /oss/<bucket>/<key>?x-oss-...` (`PutObject` on
//! a presigned URL), `GET` (checked when presigned, then served by `bucket.rs`), and
//! `GET /presign_put`, which signs such PUT URLs for the upload page.
//!
//! A request carrying a signing parameter (`PresignedRequest::is_presigned`) is verified with
//! the crate's verifier (`Verifier::verify_presigned_at`) from its method, raw path, raw query
//! and headers, before a byte of its body is read. The local bucket's path-style
//! `/oss/<bucket>/<key>` is handed over as `/<bucket>/<key>` (`PresignedRequest::path_style`,
//! which checks the bucket); both the verifier and the presigner, which signs with the local
//! bucket's URL as a custom endpoint, sign `/<bucket>/<key>` (`docs/oss-rules.md` §13).
//!
//! An accepted PUT is streamed to a staging file under the POST path's limits (at most 5 GB or
//! `--max-request-size`, `--read-timeout`, `--min-body-rate`, `--max-uploads`), then renamed into place with the
//! `Content-Type` it was sent with (signed, as V4 signs it always) and, when it sends
//! `x-oss-forbid-overwrite: true` (signed too), only if the key is free. A refused PUT stores
//! nothing.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use md5::{Digest as _, Md5};
use oss_post_policy::time::{Duration, OffsetDateTime};
use oss_post_policy::verify::{MAX_OBJECT_SIZE, PresignedRequest, Rejection};
use oss_post_policy::{Endpoint, Presign, PresignedUrl};

use crate::App;
use crate::bucket::{self, error_response, finish, host_id, store, store_content_type};
use crate::disk::{INCOMING, META, object_path};
use crate::intake::TempFile;
use crate::oss_error::{self, next_request_id};
use crate::pace::Pace;

const CONTENT_MD5: HeaderName = HeaderName::from_static("content-md5");
const FORBID_OVERWRITE: HeaderName = HeaderName::from_static("x-oss-forbid-overwrite");

/// What `GET /presign_put` signs: where browsers send the PUT, the policy's key prefix, the
/// largest file (`--max-size`) and how long the URL lives (`--expires-in`).
pub(crate) struct PutUrls {
    pub(crate) endpoint: Endpoint,
    pub(crate) dir: String,
    pub(crate) max_size: u64,
    pub(crate) expires_in: Duration,
}

/// The query of `GET /presign_put`.
#[derive(serde::Deserialize)]
pub(crate) struct PresignQuery {
    #[serde(rename = "FileName")]
    file_name: Option<String>,
    #[serde(rename = "ContentType")]
    content_type: Option<String>,
    #[serde(rename = "Size")]
    size: Option<String>,
}

/// The library's `{"method", "url", "headers", "expiration"}`, and the key it is for.
#[derive(serde::Serialize)]
struct PresignResponse {
    #[serde(flatten)]
    url: PresignedUrl,
    key: String,
}

/// `GET /presign_put?FileName=NAME&Size=BYTES[&ContentType=TYPE]`: a presigned PUT URL for a
/// fresh key, `<dir><unique id>/NAME`. It pins `Content-Length: BYTES` (1 to `--max-size`;
/// signed as an additional header, so the bucket refuses any other size, as a policy's
/// `content-length-range` does for a form), `Content-Type` when given, and
/// `x-oss-forbid-overwrite: true` (the URL cannot replace what it uploaded). Errors are
/// the JSON shape of Alibaba Cloud's `OpenAPI`, as for `/temp_file_upload_url`.
pub(crate) async fn presign_put(State(app): State<Arc<App>>, Query(query): Query<PresignQuery>) -> Response {
    match presign(&app, &query) {
        Ok(response) => ([(header::CACHE_CONTROL, "no-store")], axum::Json(response)).into_response(),
        Err(message) => (
            StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({
                "RequestId": crate::unique_id().to_ascii_uppercase(), "Success": false,
                "Code": "InvalidParameter", "Message": message,
            })),
        )
            .into_response(),
    }
}

fn presign(app: &App, query: &PresignQuery) -> Result<PresignResponse, String> {
    let file_name = query.file_name.as_deref().filter(|n| !n.is_empty()).ok_or("FileName is required")?;
    if file_name.contains('/') {
        return Err(format!("FileName {file_name:?} must be a file name, without '/'"));
    }
    let max_size = app.put_urls.max_size;
    let size = query.size.as_deref().ok_or("Size is required")?;
    // As the browser will write it: plain decimal digits.
    if !size.parse::<u64>().is_ok_and(|n| (1..=max_size).contains(&n) && n.to_string() == size) {
        return Err(format!("Size {size:?} must be a whole number of bytes from 1 to {max_size} (--max-size)"));
    }
    let key = format!("{}{}/{file_name}", app.put_urls.dir, crate::unique_id());
    // Names the local bucket could not store are refused here rather than after the upload.
    object_path(&app.data_dir.join(app.bucket.as_str()), &key).map_err(|r| r.message().to_owned())?;
    let mut presign = Presign::put(app.bucket.clone(), key.as_str())
        .header("Content-Length", size)
        .additional_header("content-length")
        .header("x-oss-forbid-overwrite", "true")
        .endpoint(app.put_urls.endpoint.clone())
        .expires_in(app.put_urls.expires_in);
    if let Some(content_type) = query.content_type.as_deref().filter(|t| !t.is_empty()) {
        presign = presign.header("Content-Type", content_type);
    }
    let url = presign.sign(&app.signer).map_err(|e| e.to_string())?;
    Ok(PresignResponse { url, key })
}

/// The request as the verifier reads it: `/oss/<bucket>/<key>` (the routes guarantee the
/// shape) as the path-style `/<bucket>/<key>`.
fn presigned_request(method: &Method, uri: &Uri, headers: &HeaderMap) -> PresignedRequest {
    let path = uri.path().strip_prefix("/oss").unwrap_or_default();
    PresignedRequest::path_style(method.as_str(), path, uri.query().unwrap_or_default())
        .with_headers(headers.iter().map(|(name, value)| (name.as_str(), String::from_utf8_lossy(value.as_bytes()))))
}

/// `GET /oss/<bucket>/<key>`: on a presigned URL, once it verifies; without a signature
/// parameter, as from a public-read bucket (`bucket::get_object` either way).
pub(crate) async fn get_object(
    State(app): State<Arc<App>>,
    UrlPath((bucket, key)): UrlPath<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let request = presigned_request(&method, &uri, &headers);
    let key = if bucket == app.bucket.as_str() && request.is_presigned() {
        match app.verifier.verify_presigned(&request, OffsetDateTime::now_utc()) {
            Ok(accepted) => accepted.key,
            Err(refusal) => {
                let request_id = next_request_id();
                return finish(error_response(&refusal, &request_id, &host_id(&headers)), &headers, &request_id);
            }
        }
    } else {
        key
    };
    bucket::get_object(State(app), UrlPath((bucket, key)), headers).await
}

/// `PUT /oss/<bucket>/<key>`: `PutObject` on a presigned URL.
pub(crate) async fn put_object(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let request_id = next_request_id();
    let reply = match put_object_inner(&app, &method, &uri, &headers, body, &request_id).await {
        Ok(response) => response,
        Err(refusal) => error_response(&refusal, &request_id, &host_id(&headers)),
    };
    finish(reply, &headers, &request_id)
}

async fn put_object_inner(
    app: &App,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
    request_id: &str,
) -> Result<Response, Rejection> {
    // Everything the request head decides, before the body is read. The verifier answers a
    // path to another bucket (NoSuchBucket) and a request without a signature (AccessDenied,
    // as the private bucket's ACL).
    let request = presigned_request(method, uri, headers);
    let accepted = app.verifier.verify_presigned(&request, OffsetDateTime::now_utc())?;
    let bucket = app.bucket.as_str();
    let path = object_path(&app.data_dir.join(bucket), &accepted.key)?;
    let max = app.limits.max_request_size.min(MAX_OBJECT_SIZE);
    let text = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    // hyper has refused a `Content-Length` that is not a number, and framed the body by it.
    let declared = text(header::CONTENT_LENGTH).and_then(|len| len.parse::<u64>().ok());
    let chunked = text(header::TRANSFER_ENCODING).is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
    match declared {
        Some(len) if len > max => return Err(oss_error::object_too_large(max)),
        None if !chunked => return Err(oss_error::missing_content_length()),
        _ => {}
    }
    let content_md5 = match text(CONTENT_MD5) {
        Some(sent) => {
            Some(base64::engine::general_purpose::STANDARD.decode(sent).map_err(|_| oss_error::invalid_digest())?)
        }
        None => None,
    };
    let forbid_overwrite = text(FORBID_OVERWRITE).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    // Held while the body is read and the object stored.
    let _permit = Arc::clone(&app.uploads).try_acquire_owned().map_err(|_| oss_error::active_request_limit())?;

    let (staged, md5) = read_body(app, body, max, request_id).await?;
    if content_md5.is_some_and(|sent| sent != md5) {
        return Err(oss_error::invalid_digest());
    }
    store(staged, &path, forbid_overwrite).await?;
    let meta = object_path(&app.data_dir.join(META).join(bucket), &accepted.key)?;
    store_content_type(app, &meta, text(header::CONTENT_TYPE), request_id).await?;
    let etag = format!("\"{}\"", hex::encode_upper(md5));
    let content_md5 = base64::engine::general_purpose::STANDARD.encode(md5);
    Ok((StatusCode::OK, [(header::ETAG, etag), (CONTENT_MD5, content_md5)]).into_response())
}

/// The body, staged: at most `max` bytes at the pace of [`Pace`]; and its MD5. The
/// staging file goes when a refusal drops it.
async fn read_body(app: &App, body: Body, max: u64, request_id: &str) -> Result<(TempFile, [u8; 16]), Rejection> {
    let mut staged = TempFile::create(&app.data_dir.join(INCOMING), request_id, "part").await?;
    let mut stream = body.into_data_stream();
    let (mut size, mut md5, mut pace) = (0u64, Md5::new(), Pace::start(&app.limits));
    loop {
        let chunk = match pace.next(&mut stream).await {
            Err(late) => return Err(oss_error::request_timeout(late)),
            Ok(None) => break,
            Ok(Some(Err(e))) => return Err(oss_error::incomplete_body(e)),
            Ok(Some(Ok(chunk))) => chunk,
        };
        size += chunk.len() as u64;
        if size > max {
            return Err(oss_error::object_too_large(max));
        }
        md5.update(&chunk);
        staged.write(&chunk).await?;
    }
    Ok((staged.synced().await?, md5.finalize().into()))
}
