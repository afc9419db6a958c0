//! The local OSS-compatible bucket endpoint: `POST /oss/<bucket>` (PostObject), `OPTIONS` (CORS
//! preflight) and `GET /oss/<bucket>/<key>` (read an object back).
//!
//! A POST is streamed (`intake.rs`): non-file fields are collected in order under OSS's size
//! limits and the server's own (`limits.rs`); when the file part starts, the verifier checks the
//! fields and the key is checked to stay inside `DATA_DIR/<bucket>/`, before anything is
//! written. Only then does the file go to a staging file under `DATA_DIR/.incoming/` (same file
//! system, so the final rename is atomic), at most the size the policy allows, while its size
//! and MD5 are counted. Once the size is accepted the staging file is renamed into place; on
//! every other path it is deleted, so a rejected or broken upload leaves nothing.
//! The object's content type (as the verifier decides it) is kept beside it under
//! `DATA_DIR/.meta/<bucket>/<key>`, and a `GET` answers with it, sandboxed (no script runs as
//! this server's origin). Presigned URLs (`PUT`, and the check before a presigned `GET` reaches
//! [`get_object`]) are `presigned.rs`.

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oss_post_policy::verify::{AcceptedUpload, Rejection};

use crate::App;
use crate::callback::{self, StoredObject};
use crate::disk::{INCOMING, META, object_path};
use crate::intake::{Intake, TempFile, read_form};
use crate::oss_error::{self, next_request_id, push_element};
use crate::percent::percent_encode;

/// The CORS rule of Alibaba's direct-upload guide: origin `*`, these methods, headers `*`.
const CORS_METHODS: &str = "POST, PUT, GET";
/// The answer headers a cross-origin page may read: a presigned PUT's `ETag`, as the guide's
/// rule exposes it.
const CORS_EXPOSE: &str = "ETag, x-oss-request-id";
/// What `GET` answers for an object stored without a content type, as OSS does.
const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";

/// `POST /oss/<bucket>`: PostObject.
pub(crate) async fn post_object(
    State(app): State<Arc<App>>,
    UrlPath(bucket): UrlPath<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let request_id = next_request_id();
    let reply = match post_object_inner(&app, &bucket, &headers, body, &request_id).await {
        Ok(response) => response,
        Err(refusal) => error_response(&refusal, &request_id, &host_id(&headers)),
    };
    finish(reply, &headers, &request_id)
}

async fn post_object_inner(
    app: &App,
    bucket: &str,
    headers: &HeaderMap,
    body: Body,
    request_id: &str,
) -> Result<Response, Rejection> {
    if bucket != app.bucket.as_str() {
        return Err(oss_error::no_such_bucket());
    }
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !content_type.trim_start().to_ascii_lowercase().starts_with("multipart/form-data") {
        return Err(oss_error::not_multipart());
    }
    let boundary = multer::parse_boundary(content_type).map_err(|_| oss_error::not_multipart())?;
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|len| len > app.limits.max_request_size) {
        return Err(oss_error::request_too_large(app.limits.max_request_size));
    }
    // Held while the body is read and the object stored.
    let _permit = Arc::clone(&app.uploads).try_acquire_owned().map_err(|_| oss_error::active_request_limit())?;
    let bucket_dir = app.data_dir.join(bucket);
    let Intake { accepted, staged, md5 } = read_form(app, &bucket_dir, body, &boundary, request_id).await?;
    let path = object_path(&bucket_dir, &accepted.key)?;
    store(staged, &path, accepted.forbid_overwrite).await?;
    let meta = object_path(&app.data_dir.join(META).join(bucket), &accepted.key)?;
    store_content_type(app, &meta, accepted.content_type.as_deref(), request_id).await?;
    let md5_hex = hex::encode_upper(md5);
    if let Some(config) = &accepted.callback {
        // As OSS: the object is stored; the callback's outcome decides the answer (callback.rs).
        let object = StoredObject { bucket, accepted: &accepted, etag: &md5_hex, md5, request_id };
        return Ok(callback::answer(app, config, &object, &host_id(headers)).await);
    }
    Ok(success_response(app, &accepted, &format!("\"{md5_hex}\"")))
}

/// Moves the staged file to `path`, creating folders; with `forbid_overwrite`, atomically
/// refuses an existing object.
pub(crate) async fn store(temp: TempFile, path: &Path, forbid_overwrite: bool) -> Result<(), Rejection> {
    let parent = path.parent().expect("object paths are inside the bucket folder");
    let clash = || oss_error::invalid_object_name("it clashes with an object or folder already in the local bucket");
    match tokio::fs::create_dir_all(parent).await {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists || e.kind() == std::io::ErrorKind::NotADirectory => {
            return Err(clash());
        }
        Err(e) => return Err(oss_error::internal(e)),
    }
    if tokio::fs::metadata(path).await.is_ok_and(|m| m.is_dir()) {
        return Err(clash());
    }
    if forbid_overwrite {
        // A hard link fails if the name exists: no window between the check and the write.
        return match tokio::fs::hard_link(&temp.path, path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(oss_error::file_already_exists()),
            Err(e) => Err(oss_error::internal(e)),
        };
    }
    tokio::fs::rename(&temp.path, path).await.map_err(oss_error::internal)?;
    temp.disarm();
    Ok(())
}

/// Records the content type of the object just stored (a new object replaces the old one's,
/// none removes it). Written to a staging file and renamed, so a `GET` never reads half of it.
pub(crate) async fn store_content_type(
    app: &App,
    meta: &Path,
    content_type: Option<&str>,
    request_id: &str,
) -> Result<(), Rejection> {
    let parent = meta.parent().expect("metadata paths are inside the bucket's metadata folder");
    // The object's own folders were just made, so the same names are folders here too.
    tokio::fs::create_dir_all(parent).await.map_err(oss_error::internal)?;
    let Some(content_type) = content_type else {
        return match tokio::fs::remove_file(meta).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(oss_error::internal(e)),
            _ => Ok(()),
        };
    };
    // Removed when dropped, on a failure or a client gone mid-way, like the object's own.
    let mut staged = TempFile::create(&app.data_dir.join(INCOMING), request_id, "type").await?;
    staged.write(content_type.as_bytes()).await?;
    let staged = staged.synced().await?;
    tokio::fs::rename(&staged.path, meta).await.map_err(oss_error::internal)?;
    staged.disarm();
    Ok(())
}

fn success_response(app: &App, accepted: &AcceptedUpload, etag: &str) -> Response {
    let location = format!("{}/{}", app.local_bucket_url, percent_encode(&accepted.key, true));
    let mut response = if let Some(redirect) = &accepted.success_action_redirect {
        // OSS documents the redirect but not its shape; this follows S3: 303 with bucket, key, etag.
        let sep = if redirect.contains('?') { '&' } else { '?' };
        let target = format!(
            "{redirect}{sep}bucket={}&key={}&etag={}",
            percent_encode(app.bucket.as_str(), false),
            percent_encode(&accepted.key, false),
            percent_encode(etag, false)
        );
        let mut r = StatusCode::SEE_OTHER.into_response();
        if let Ok(v) = HeaderValue::from_str(&target) {
            r.headers_mut().insert(header::LOCATION, v);
        }
        r
    } else if accepted.success_action_status == 201 {
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PostResponse>\n");
        push_element(&mut xml, "Bucket", app.bucket.as_str());
        push_element(&mut xml, "ETag", etag);
        push_element(&mut xml, "Key", &accepted.key);
        push_element(&mut xml, "Location", &location);
        xml.push_str("</PostResponse>\n");
        (StatusCode::CREATED, [(header::CONTENT_TYPE, "application/xml")], xml).into_response()
    } else if accepted.success_action_status == 200 {
        StatusCode::OK.into_response()
    } else {
        StatusCode::NO_CONTENT.into_response()
    };
    if let Ok(v) = HeaderValue::from_str(etag) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

pub(crate) fn error_response(refusal: &Rejection, request_id: &str, host_id: &str) -> Response {
    let status = StatusCode::from_u16(refusal.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response =
        (status, [(header::CONTENT_TYPE, "application/xml")], refusal.to_xml(request_id, host_id)).into_response();
    if let Some(ec) = refusal.ec().and_then(|ec| HeaderValue::from_str(ec).ok()) {
        response.headers_mut().insert("x-oss-ec", ec);
    }
    eprintln!("upload_server: {request_id} rejected: {} {}", status.as_u16(), refusal.code());
    response
}

/// `OPTIONS /oss/<bucket>[/<key>]`: the CORS preflight under the guide's rule.
pub(crate) async fn preflight(headers: HeaderMap) -> Response {
    let request_id = next_request_id();
    let method = headers.get(header::ACCESS_CONTROL_REQUEST_METHOD).and_then(|v| v.to_str().ok());
    let allowed = headers.contains_key(header::ORIGIN)
        && method.is_some_and(|m| [Method::POST, Method::PUT, Method::GET].iter().any(|a| a.as_str() == m));
    if !allowed {
        let refusal = oss_error::cors_forbidden();
        let mut response = error_response(&refusal, &request_id, &host_id(&headers));
        response.headers_mut().insert("x-oss-request-id", header_value(&request_id));
        return response;
    }
    let mut response = StatusCode::OK.into_response();
    let h = response.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(CORS_METHODS));
    // Allowed headers `*`: echo what the browser asks for.
    if let Some(asked) = headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked.clone());
    }
    h.insert("x-oss-request-id", header_value(&request_id));
    response
}

/// `GET /oss/<bucket>/<key>`: the stored bytes, with the content type they were stored with.
pub(crate) async fn get_object(
    State(app): State<Arc<App>>,
    UrlPath((bucket, key)): UrlPath<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let request_id = next_request_id();
    let result = async {
        if bucket != app.bucket.as_str() {
            return Err(oss_error::no_such_bucket());
        }
        let path = object_path(&app.data_dir.join(&bucket), &key)?;
        let file = match tokio::fs::File::open(&path).await {
            Ok(f) if f.metadata().await.is_ok_and(|m| m.is_file()) => f,
            _ => return Err(oss_error::no_such_key()),
        };
        let len = file.metadata().await.map_err(oss_error::internal)?.len();
        let meta = object_path(&app.data_dir.join(META).join(&bucket), &key)?;
        let content_type = tokio::fs::read_to_string(&meta)
            .await
            .ok()
            .and_then(|t| HeaderValue::from_str(&t).ok())
            .unwrap_or_else(|| HeaderValue::from_static(DEFAULT_CONTENT_TYPE));
        let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
        let headers = [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_LENGTH, HeaderValue::from(len)),
            // Uploaders choose the bytes and the type: a page or SVG opened from here runs in a
            // sandbox (no script, an opaque origin), not as this server's own origin, which
            // signs uploads; and no type is guessed from the bytes.
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox")),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        ];
        Ok((headers, body).into_response())
    }
    .await;
    let reply = result.unwrap_or_else(|e| error_response(&e, &request_id, &host_id(&headers)));
    finish(reply, &headers, &request_id)
}

/// Adds the request id and, for cross-origin requests, the CORS headers of the guide's rule.
pub(crate) fn finish(mut response: Response, request: &HeaderMap, request_id: &str) -> Response {
    let h = response.headers_mut();
    h.insert("x-oss-request-id", header_value(request_id));
    if request.contains_key(header::ORIGIN) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(CORS_METHODS));
        h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(CORS_EXPOSE));
    }
    response
}

fn header_value(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static("-"))
}

/// `<HostId>`: the host the request was sent to.
pub(crate) fn host_id(headers: &HeaderMap) -> String {
    headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("localhost").to_owned()
}
