//! OSS-style error replies for what the local bucket checks itself (the envelope, the multipart
//! body, limits hit while streaming, object names on disk); policy, signature and layout
//! rejections come from the verifier. Limits the server enforces while reading use the
//! verifier's codes and EC numbers for the same rules.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::StatusCode;
use oss_post_policy::verify::Rejection;

/// An error as OSS reports it, with its HTTP status: rendered by the crate's [`Rejection`].
fn error(status: StatusCode, code: &'static str, message: impl Into<String>, ec: Option<&'static str>) -> Rejection {
    Rejection::with_status(code, ec, message, status.as_u16())
}

pub(crate) fn not_multipart() -> Rejection {
    error(
        StatusCode::BAD_REQUEST,
        "RequestIsNotMultiPartContent",
        "Bucket POST must be of the enclosure-type multipart/form-data.",
        None,
    )
}

pub(crate) fn malformed(detail: impl std::fmt::Display) -> Rejection {
    error(
        StatusCode::BAD_REQUEST,
        "MalformedPOSTRequest",
        format!("The body of your POST request is not well-formed multipart/form-data: {detail}"),
        None,
    )
}

pub(crate) fn field_name_too_long() -> Rejection {
    error(StatusCode::BAD_REQUEST, "FieldItemTooLong", "Your name of form field is too long.", Some("0006-00000110"))
}

/// The verifier's code and EC for the same limit.
pub(crate) fn field_value_too_long(name: &str) -> Rejection {
    error(
        StatusCode::BAD_REQUEST,
        "FieldItemTooLong",
        format!("Your value of form field {name} is too long."),
        Some("0006-00000111"),
    )
}

/// The verifier's code and EC for a field after the file (0006-00000103), with a message that
/// names the field.
pub(crate) fn field_after_file(name: &str) -> Rejection {
    error(
        StatusCode::BAD_REQUEST,
        "InvalidArgument",
        format!("The form field '{name}' comes after the file; the file must be the last field of the form."),
        Some("0006-00000103"),
    )
}

pub(crate) fn pre_data_too_long() -> Rejection {
    error(
        StatusCode::BAD_REQUEST,
        "MaxPOSTPreDataLengthExceededError",
        "Your POST request fields preceding the upload file were too large.",
        Some("0006-00000112"),
    )
}

pub(crate) fn entity_too_large() -> Rejection {
    error(
        StatusCode::BAD_REQUEST,
        "EntityTooLarge",
        "Your proposed upload exceeds the maximum allowed size.",
        Some("0006-00000003"),
    )
}

/// The verifier's code and text for a second file part (doc 600185); the server refuses it
/// without reading it.
pub(crate) fn second_file() -> Rejection {
    error(
        StatusCode::BAD_REQUEST,
        "IncorrectNumberOfFilesInPOSTRequest",
        "POST requires exactly one file upload per request.",
        None,
    )
}

/// `--read-timeout`, `--min-body-rate`: the body paused too long or came too slowly (`late`
/// says which, "sent nothing for 30 seconds"). OSS's code for a connection it gave up on (as
/// S3's); the message is ours.
pub(crate) fn request_timeout(late: impl std::fmt::Display) -> Rejection {
    error(
        StatusCode::BAD_REQUEST,
        "RequestTimeout",
        format!("Your upload {late}; the server stopped reading it."),
        None,
    )
}

/// `--max-request-size`: OSS's code for a body over its size limit.
pub(crate) fn request_too_large(limit: u64) -> Rejection {
    error(
        StatusCode::BAD_REQUEST,
        "EntityTooLarge",
        format!("Your POST request body exceeds the maximum allowed size of {limit} bytes."),
        None,
    )
}

/// `--max-uploads`: OSS's 503 for too many requests in flight (its "HTTP status code 503" page).
pub(crate) fn active_request_limit() -> Rejection {
    error(StatusCode::SERVICE_UNAVAILABLE, "ActiveRequestLimitExceeded", "Max active request limit is exceeded.", None)
}

pub(crate) fn invalid_object_name(reason: &str) -> Rejection {
    error(StatusCode::BAD_REQUEST, "InvalidObjectName", format!("The specified object is not valid: {reason}."), None)
}

pub(crate) fn file_already_exists() -> Rejection {
    error(
        StatusCode::CONFLICT,
        "FileAlreadyExists",
        "The object you specified already exists and can not be overwritten.",
        None,
    )
}

pub(crate) fn no_such_bucket() -> Rejection {
    error(StatusCode::NOT_FOUND, "NoSuchBucket", "The specified bucket does not exist.", None)
}

pub(crate) fn no_such_key() -> Rejection {
    error(StatusCode::NOT_FOUND, "NoSuchKey", "The specified key does not exist.", None)
}

pub(crate) fn cors_forbidden() -> Rejection {
    error(
        StatusCode::FORBIDDEN,
        "AccessForbidden",
        "CORSResponse: This CORS request is not allowed. This is usually because the evaluation of Origin, \
         request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted \
         by the resource's CORS spec.",
        None,
    )
}

/// A PUT with neither `Content-Length` nor chunked encoding: OSS's 411 (its "HTTP status code
/// 411" page; EC page 0017-00000101).
pub(crate) fn missing_content_length() -> Rejection {
    error(StatusCode::LENGTH_REQUIRED, "MissingContentLength", "You must provide the Content-Length HTTP header.", None)
}

/// A PUT body over `limit` bytes: the largest object `PutObject` takes (5 GB) or
/// `--max-request-size`, whichever is smaller.
pub(crate) fn object_too_large(limit: u64) -> Rejection {
    error(
        StatusCode::BAD_REQUEST,
        "EntityTooLarge",
        format!("Your proposed upload exceeds the maximum allowed size of {limit} bytes."),
        None,
    )
}

/// A PUT body that ended before its `Content-Length` (or a broken chunked body).
pub(crate) fn incomplete_body(detail: impl std::fmt::Display) -> Rejection {
    error(
        StatusCode::BAD_REQUEST,
        "IncompleteBody",
        format!("You did not provide the number of bytes specified by the Content-Length HTTP header: {detail}"),
        None,
    )
}

/// A `Content-MD5` that is not the base64 MD5 of the body (`PutObject`: 400).
pub(crate) fn invalid_digest() -> Rejection {
    error(StatusCode::BAD_REQUEST, "InvalidDigest", "The Content-MD5 you specified was invalid.", None)
}

pub(crate) fn internal(detail: impl std::fmt::Display) -> Rejection {
    eprintln!("upload_server: internal error: {detail}");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "InternalError",
        "We encountered an internal error. Please try again.",
        None,
    )
}

/// Appends `  <name>escaped text</name>\n`.
pub(crate) fn push_element(xml: &mut String, name: &str, text: &str) {
    let _ = write!(xml, "  <{name}>");
    for c in text.chars() {
        match c {
            '&' => xml.push_str("&amp;"),
            '<' => xml.push_str("&lt;"),
            '>' => xml.push_str("&gt;"),
            '"' => xml.push_str("&quot;"),
            '\'' => xml.push_str("&apos;"),
            // XML 1.0 cannot carry most control characters, even escaped.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => xml.push('\u{FFFD}'),
            c => xml.push(c),
        }
    }
    let _ = writeln!(xml, "</{name}>");
}

/// A request id shaped like OSS's (24 upper-case hex digits): seconds, then a process counter.
pub(crate) fn next_request_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{:08X}{:016X}", secs & 0xFFFF_FFFF, n)
}
