//! An upload server in the shape of Alibaba's "server-signed direct upload" guide, with a local
//! OSS-compatible bucket so the whole browser flow runs with no cloud account.
//!
//! ```text
//! cargo run --example upload_server -- [options]
//! ```
//!
//! - `GET /`: an upload page (file input, upload button, progress bar, `#status`).
//! - `GET /get_post_signature_for_oss_upload`: the seed guide's signature JSON
//!   (`FormFields::seed_response`).
//! - `GET /temp_file_upload_url?FileName=NAME`: a temporary upload URL in Cloud Backup's
//!   `CreateTempFileUploadUrl` shape (`TempUpload`), for a fresh key under `temp/`.
//! - `POST /oss/<bucket>`: the local bucket. It verifies the form like OSS, stores the object at
//!   `DATA_DIR/<bucket>/<key>` and answers like OSS (204/200/201 or an XML error), with the CORS
//!   headers of the guide's bucket rule. `OPTIONS` answers preflights; `GET /oss/<bucket>/<key>`
//!   reads an object back.
//! - `GET /seed`, with `--seed-page FILE`: serves that file, e.g. the guide's own page, unchanged.
//!
//! Credentials come from `OSS_ACCESS_KEY_ID`, `OSS_ACCESS_KEY_SECRET` and `OSS_SESSION_TOKEN`;
//! with none set, the OSS documentation's example pair is used (and said so on stderr). See
//! `examples/README.md`.

mod bucket;
mod oss_error;
mod verify_adapter;

use std::hash::{BuildHasher as _, Hasher as _};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use oss_post_policy::time::{Duration, OffsetDateTime};
use oss_post_policy::{
    Bucket, Credentials, Endpoint, PostPolicy, Region, SigningKeyCache, TempUpload, TempUploadRequest,
};

use crate::verify_adapter::UploadVerifier;

/// The upload page, with its script and styles inline: nothing comes from a CDN.
const PAGE: &str = include_str!("page.html");

const USAGE: &str = "\
usage: upload_server [options]

  --listen ADDR        address to listen on (port 0: any free port)  [127.0.0.1:8000]
  --data-dir DIR       where the local bucket stores objects          [a new temporary folder]
  --public-url URL     how browsers reach this server                 [http://<listen address>]
  --oss-host URL       send browsers to this real OSS bucket URL instead of the local bucket
  --bucket B           bucket name                                    [examplebucket]
  --region R           region                                         [cn-hangzhou]
  --dir P              key prefix the policy requires                 [user-dir/]
  --max-size N         largest file in bytes (content-length-range)   [10485760]
  --expires-in S       policy lifetime in seconds                     [3600]
  --account-id A       account segment of temporary upload keys       [1440155109798732]
  --seed-page FILE     serve FILE at /seed (e.g. the seed guide's page, unchanged)

Credentials: OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET, OSS_SESSION_TOKEN (or the documented
example pair when none is set).";

/// Command-line options.
#[derive(Debug)]
struct Options {
    listen: SocketAddr,
    data_dir: Option<PathBuf>,
    public_url: Option<String>,
    oss_host: Option<String>,
    bucket: String,
    region: String,
    dir: String,
    max_size: u64,
    expires_in: i64,
    account_id: String,
    seed_page: Option<PathBuf>,
}

impl Options {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<Self>, String> {
        let mut o = Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8000)),
            data_dir: None,
            public_url: None,
            oss_host: None,
            bucket: "examplebucket".to_owned(),
            region: "cn-hangzhou".to_owned(),
            dir: "user-dir/".to_owned(),
            max_size: 10 * 1024 * 1024,
            expires_in: 3600,
            account_id: "1440155109798732".to_owned(),
            seed_page: None,
        };
        while let Some(flag) = args.next() {
            if flag == "--help" || flag == "-h" {
                return Ok(None);
            }
            let value = args.next().ok_or_else(|| format!("option {flag} needs a value"))?;
            let bad = |what: &str| format!("invalid value {value:?} for {flag}: {what}");
            match flag.as_str() {
                "--listen" => o.listen = value.parse().map_err(|_| bad("expected IP:PORT"))?,
                "--data-dir" => o.data_dir = Some(PathBuf::from(value)),
                "--public-url" => o.public_url = Some(value),
                "--oss-host" => o.oss_host = Some(value),
                "--bucket" => o.bucket = value,
                "--region" => o.region = value,
                "--dir" => o.dir = value,
                "--max-size" => {
                    o.max_size = value.parse().ok().filter(|&n| n >= 1).ok_or_else(|| bad("expected bytes >= 1"))?;
                }
                "--expires-in" => {
                    o.expires_in =
                        value.parse().ok().filter(|&n| n >= 1).ok_or_else(|| bad("expected seconds >= 1"))?;
                }
                "--account-id" => o.account_id = value,
                "--seed-page" => o.seed_page = Some(PathBuf::from(value)),
                _ => return Err(format!("unknown option {flag} (try --help)")),
            }
        }
        Ok(Some(o))
    }
}

/// Everything the handlers share.
struct App {
    bucket: Bucket,
    region: Region,
    credentials: Credentials,
    policy: PostPolicy,
    keys: SigningKeyCache,
    temp_uploads: TempUpload,
    account_id: String,
    verifier: UploadVerifier,
    data_dir: PathBuf,
    /// `<public url>/oss/<bucket>`: the local bucket endpoint.
    local_bucket_url: String,
    seed_page: Option<String>,
}

/// Credentials from the environment, or the documented example pair when none is set.
fn credentials() -> Result<Credentials, oss_post_policy::Error> {
    use oss_post_policy::credentials::{ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SESSION_TOKEN};
    let none_set = [ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SESSION_TOKEN]
        .iter()
        .all(|name| std::env::var_os(name).is_none_or(|v| v.is_empty()));
    if none_set {
        eprintln!(
            "upload_server: {ENV_ACCESS_KEY_ID} and {ENV_ACCESS_KEY_SECRET} are not set; signing with the OSS \
             documentation's example pair (only the local bucket accepts it)"
        );
        return Ok(Credentials::example());
    }
    Credentials::from_env()
}

/// A new, empty folder under the system temporary folder.
fn new_temp_dir() -> std::io::Result<PathBuf> {
    let stamp = OffsetDateTime::now_utc().unix_timestamp_nanos();
    for attempt in 0u32..100 {
        let dir = std::env::temp_dir().join(format!("oss-upload-server-{}-{stamp}-{attempt}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("could not create a temporary folder"))
}

#[tokio::main]
async fn main() -> ExitCode {
    match Options::parse(std::env::args().skip(1)) {
        Ok(Some(options)) => match serve(options).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("upload_server: {e}");
                ExitCode::FAILURE
            }
        },
        Ok(None) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("upload_server: {message}");
            ExitCode::from(2)
        }
    }
}

async fn serve(options: Options) -> Result<(), Box<dyn std::error::Error>> {
    let bucket = Bucket::new(&options.bucket)?;
    let region = Region::new(&options.region)?;
    let credentials = credentials()?;

    let data_dir = match &options.data_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            dir.clone()
        }
        None => new_temp_dir()?,
    };
    // Staged uploads of an earlier run that was killed are ours to drop.
    let incoming = data_dir.join(bucket::INCOMING);
    if incoming.exists() {
        std::fs::remove_dir_all(&incoming)?;
    }
    std::fs::create_dir_all(&incoming)?;
    std::fs::create_dir_all(data_dir.join(bucket.as_str()))?;

    let listener = tokio::net::TcpListener::bind(options.listen).await?;
    let bound = listener.local_addr()?;
    let public_url = match &options.public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None if bound.ip().is_unspecified() => format!("http://127.0.0.1:{}", bound.port()),
        None => format!("http://{bound}"),
    };
    let local_bucket_url = format!("{public_url}/oss/{bucket}");
    let upload_url = options.oss_host.as_deref().unwrap_or(&local_bucket_url);
    let policy = PostPolicy::builder(bucket.clone())
        .expires_in(Duration::seconds(options.expires_in))
        .key_starts_with(options.dir.as_str())
        .content_length_range(1, options.max_size)
        .endpoint(Endpoint::custom(upload_url)?)
        .build()?;
    // Same bucket, endpoint, size limit and lifetime; V1 signatures, as Cloud Backup answers.
    let temp_uploads = TempUpload::new(bucket.clone(), region.clone())
        .endpoint(Endpoint::custom(upload_url)?)
        .max_size(options.max_size)
        .lifetime(Duration::seconds(options.expires_in));
    let seed_page = options.seed_page.as_ref().map(std::fs::read_to_string).transpose()?;

    let app = Arc::new(App {
        verifier: UploadVerifier::new(bucket.clone(), region.clone(), credentials.clone()),
        bucket,
        region,
        credentials,
        policy,
        keys: SigningKeyCache::new(),
        temp_uploads,
        account_id: options.account_id,
        data_dir: data_dir.clone(),
        local_bucket_url: local_bucket_url.clone(),
        seed_page,
    });
    let router = Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        .route("/get_post_signature_for_oss_upload", get(signature))
        .route("/temp_file_upload_url", get(temp_file_upload_url))
        .route("/seed", get(seed_page_handler))
        .route("/oss/{bucket}", post(bucket::post_object).options(bucket::preflight))
        .route("/oss/{bucket}/{*key}", get(bucket::get_object).options(bucket::preflight))
        .with_state(app);

    // Not `println!`: a reader that goes away must not bring the server down.
    let banner = format!(
        "upload_server: listening on {public_url}\nupload_server: data dir {}\nupload_server: browsers upload to {upload_url}\n",
        data_dir.display()
    );
    let _ = std::io::Write::write_all(&mut std::io::stdout(), banner.as_bytes());
    axum::serve(listener, router).with_graceful_shutdown(shutdown()).await?;
    Ok(())
}

/// `GET /get_post_signature_for_oss_upload`: a freshly signed form in the seed's JSON shape.
async fn signature(State(app): State<Arc<App>>) -> Response {
    let signed = app
        .policy
        .sign_at_cached(&app.credentials, &app.region, OffsetDateTime::now_utc(), &app.keys)
        .and_then(|form| form.seed_response());
    match signed {
        Ok(seed) => ([(header::CACHE_CONTROL, "no-store")], axum::Json(seed)).into_response(),
        Err(e) => {
            eprintln!("upload_server: signing failed: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "signing failed").into_response()
        }
    }
}

/// The query of `GET /temp_file_upload_url`.
#[derive(serde::Deserialize)]
struct TempQuery {
    #[serde(rename = "FileName")]
    file_name: Option<String>,
}

/// `GET /temp_file_upload_url?FileName=NAME`: a temporary upload URL for a fresh key.
async fn temp_file_upload_url(State(app): State<Arc<App>>, Query(query): Query<TempQuery>) -> Response {
    let request_id = unique_id().to_ascii_uppercase();
    let unique_id = unique_id();
    let result = match query.file_name.as_deref() {
        None => Err("FileName is required".to_owned()),
        Some(file_name) => {
            let request = TempUploadRequest {
                file_name,
                account_id: &app.account_id,
                unique_id: &unique_id,
                request_id: &request_id,
            };
            app.temp_uploads.sign_at(&app.credentials, &request, OffsetDateTime::now_utc()).map_err(|e| e.to_string())
        }
    };
    match result {
        Ok(url) => ([(header::CACHE_CONTROL, "no-store")], axum::Json(url)).into_response(),
        // Alibaba Cloud OpenAPI's error shape.
        Err(message) => (
            StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({
                "RequestId": request_id, "Success": false, "Code": "InvalidParameter", "Message": message,
            })),
        )
            .into_response(),
    }
}

/// A random UUID-shaped id (version 4 layout) for temporary keys and request ids. The crate
/// has no randomness; the standard library's randomly keyed hasher gives unique,
/// hard-to-guess ids without a dependency. Not for secrets: a real service would use a UUID
/// or CSPRNG crate.
fn unique_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut bytes = [0u8; 16];
    for half in bytes.chunks_mut(8) {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        half.copy_from_slice(&hasher.finish().to_le_bytes());
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let h = hex::encode(bytes);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// `GET /seed`: the page given with `--seed-page`, as is.
async fn seed_page_handler(State(app): State<Arc<App>>) -> Response {
    match &app.seed_page {
        Some(page) => Html(page.clone()).into_response(),
        None => (StatusCode::NOT_FOUND, "start the server with --seed-page FILE").into_response(),
    }
}

async fn shutdown() {
    let _ = tokio::signal::ctrl_c().await;
}
