//! `GET /upload-form`: a signed form for one image of at most 5 MiB under the signed-in user's
//! own key prefix, as `{"url": ..., "fields": {...}, "required": ["key", "x-oss-content-type"]}`.
//! The browser posts `fields`, then `key` (`users/<id>/...`) and `x-oss-content-type`, then the file.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Extension, Json, Router};
use oss_post_policy::time::Duration;
use oss_post_policy::{Bucket, Credentials, FormFields, PostPolicy, Region, Signer, SigningKeyCache};

/// The largest upload, in bytes.
pub const MAX_SIZE: u64 = 5 * 1024 * 1024;
/// The types the stored object may have (the form's `x-oss-content-type` field).
pub const IMAGE_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];

/// What every request shares: the bucket and one `Signer`, whose `SigningKeyCache` derives the
/// V4 key once per UTC day instead of on every request.
pub struct Uploads {
    /// Where the browser uploads.
    pub bucket: Bucket,
    /// The credentials, the bucket's region and the key cache.
    pub signer: Signer,
}

impl Uploads {
    /// `credentials` sign every form until you replace them.
    pub fn new(bucket: Bucket, region: Region, credentials: Credentials) -> Self {
        let signer = Signer::new(credentials, region).with_key_cache(SigningKeyCache::new());
        Self { bucket, signer }
    }
}

/// The signed-in user, put into the request by your authentication layer.
#[derive(Clone)]
pub struct User {
    /// The user's id, which names the user's key prefix.
    pub id: u64,
}

/// `GET /upload-form`: a fresh form for the signed-in user, valid for 10 minutes.
///
/// # Errors
/// 500 if the form cannot be signed (e.g. the clock is past the year 9999).
pub async fn upload_form(
    State(uploads): State<Arc<Uploads>>,
    Extension(user): Extension<User>,
) -> Result<impl IntoResponse, StatusCode> {
    let form = PostPolicy::builder(uploads.bucket.clone())
        .expires_in(Duration::minutes(10))
        .key_starts_with(format!("users/{}/", user.id))
        .content_length_range(1, MAX_SIZE)
        .content_type_in(IMAGE_TYPES)
        .build()
        .and_then(|policy| policy.sign(&uploads.signer));
    let form: FormFields = form.map_err(|e| {
        eprintln!("upload form: {e}");
        StatusCode::INTERNAL_SERVER_ERROR
    })?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(form)))
}

/// The app: `uploads` shared by every request.
pub fn router(uploads: Uploads) -> Router {
    Router::new().route("/upload-form", get(upload_form)).with_state(Arc::new(uploads))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET and OSS_SESSION_TOKEN: STS credentials of a role
    // that may only put objects into this bucket. They expire: build a new `Uploads` with the
    // next ones.
    let credentials = Credentials::from_env()?;
    let uploads = Uploads::new(Bucket::new("examplebucket")?, Region::new("cn-hangzhou")?, credentials);
    // A stand-in for your authentication layer: every request is user 42.
    let app = router(uploads).layer(Extension(User { id: 42 }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    axum::serve(listener, app).await?;
    Ok(())
}
