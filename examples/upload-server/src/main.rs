//! An upload server in the shape of Alibaba's direct-upload guide (server-signed forms), with a
//! local OSS-compatible bucket so the whole browser flow runs with no cloud account.
//!
//! ```text
//! cargo run -p upload-server -- [options]
//! ```
//!
//! - `GET /`: an upload page (file input, upload button, progress bar, `#status`).
//! - `GET /get_post_signature_for_oss_upload`: the guide's signature JSON, signed V4
//!   (`FormFields::post_signature_response`).
//! - `GET /temp_file_upload_url?FileName=NAME`: a temporary upload URL in the Cloud Backup API
//!   `CreateTempFileUploadUrl` shape (`TempUpload`), for a fresh key under `temp/`; V4 like the
//!   signature endpoint, or the API's legacy V1 with `--temp-upload-v1`.
//! - `GET /presign_put?FileName=NAME&Size=BYTES[&ContentType=TYPE]`: a V4 presigned PUT URL
//!   (`Presign`) for a fresh key under `--dir`, its size and type signed (`presigned.rs`).
//! - `POST /oss/<bucket>`: the local bucket. It verifies the form like OSS, stores the object at
//!   `DATA_DIR/<bucket>/<key>` and answers like OSS (204/200/201 or an XML error), with the CORS
//!   headers of the guide's bucket rule. `OPTIONS` answers preflights; `GET /oss/<bucket>/<key>`
//!   reads an object back, with the content type it was stored with. `PUT /oss/<bucket>/<key>`
//!   on a presigned URL stores an object, and a presigned `GET` is verified (`presigned.rs`).
//! - `POST /callback`: the application's callback route, which verifies the local bucket's
//!   signed callback request with the crate and answers JSON; `GET /callback_pub_key.pem`: the
//!   key the local bucket signs callbacks with (`callback.rs`).
//! - `GET /guide`, with `--guide-page FILE`: serves that file, e.g. the page of Alibaba's
//!   direct-upload guide, unchanged.
//!
//! `--help` lists the options. Credentials come from `OSS_ACCESS_KEY_ID`,
//! `OSS_ACCESS_KEY_SECRET` and `OSS_SESSION_TOKEN`; with none set, the OSS documentation's
//! example pair is used (and stderr says so). Exit status: 0 stopped with Ctrl-C or SIGTERM (or
//! `--help`), 1 input refused or the server failed, 2 usage error; every failure is one line on
//! stderr. A data folder the server made itself (no `--data-dir`) is removed when it stops. See
//! `examples/README.md`.

mod bucket;
mod callback;
// Not `time` nor `print_signed`: this binary takes no time and serves rather than prints.
#[allow(dead_code)]
#[path = "../../common/cli.rs"]
mod cli;
mod connection;
mod disk;
mod intake;
mod limits;
mod oss_error;
mod pace;
mod percent;
mod presigned;
mod verify_adapter;

use std::hash::{BuildHasher as _, Hasher as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
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
    Bucket, Endpoint, PostPolicy, SignatureVersion, Signer, SigningKeyCache, TempUpload, TempUploadRequest,
};

// A refusal or a failure while serving is `Failure::Refused` (exit 1), a command line the
// binary cannot read `Failure::Usage` (exit 2).
use crate::callback::{CallbackLimits, Callbacks};
use crate::cli::{Failure, credentials, flag, next_option, number, region, unknown, value};
use crate::limits::Limits;
use crate::verify_adapter::UploadVerifier;

/// The upload page, with its script and styles inline: nothing comes from a CDN.
const PAGE: &str = include_str!("page.html");

const NAME: &str = "upload_server";
const HELP: &str = "\
usage: upload_server [options]

Serves an upload page, the signature endpoint of Alibaba's direct-upload guide, temporary
upload URLs, presigned PUT URLs and a local OSS-compatible bucket that stores what it accepts
(examples/README.md).

options (--opt value or --opt=value; a value starting with -- needs the = form):
  --listen ADDR        address to listen on, IP:PORT (port 0: any free port); default 127.0.0.1:8000
  --data-dir DIR       where the local bucket stores objects; default a new temporary folder,
                       removed when the server stops
  --public-url URL     how browsers reach this server; default http://<listen address>
  --oss-host URL       send browsers to this real bucket URL instead of the local bucket
  --bucket B           bucket; default examplebucket
  --region R           region, e.g. cn-hangzhou (oss- prefix accepted); default cn-hangzhou
  --dir P              key prefix the policy requires (starts-with $key); default user-dir/
  --max-size N         largest file, bytes (content-length-range 1..N, and the largest Size
                       /presign_put signs); default 10485760
  --expires-in S       seconds from signing to expiration, for forms and presigned URLs;
                       default 3600
  --account-id A       account segment of temporary upload keys; default 1440155109798732
  --temp-upload-v1     sign /temp_file_upload_url answers V1, the Cloud Backup API's legacy
                       shape; default V4, like /get_post_signature_for_oss_upload
  --guide-page FILE    serve FILE at /guide (e.g. the page of Alibaba's direct-upload guide)

limits on what one client may cost the local bucket (examples/README.md, Limits):
  --max-request-size N largest request body, bytes; default 5377163264 (5 GiB + 8 MiB + 64 KiB)
  --max-part-header N  most bytes read without finding the end of a part header (or the first
                       boundary); default 65536
  --read-timeout S     seconds a connection may send nothing (a request head must arrive
                       within it), or take nothing of an answer; default 30
  --min-body-rate N    least bytes a second a request body must bring over each read-timeout
                       window, else 400 RequestTimeout; 0: no minimum; default 500 (Apache's)
  --max-uploads N      uploads read at once, more get 503 ActiveRequestLimitExceeded (and as
                       many callback requests to /callback); default 100
  --max-connections N  connections served at once; more wait to be accepted until one closes;
                       default 1024 (nginx's worker_connections)

upload callbacks made by the local bucket (examples/README.md, Upload callbacks):
  --callback-timeout S seconds one callback URL may take, resolving to answering; default 5 (OSS's)
  --callback-max-response N
                       largest callback answer relayed, bytes; default 3145728 (OSS's 3 MB)
  --callback-max-body N
                       largest filled-in callback body, bytes; default 8388608
  --callback-allow-any-host
                       call back any IPv4 address; default loopback addresses only
  -h, --help           print this help

Credentials: OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET, OSS_SESSION_TOKEN; with none set,
the OSS documentation's example credentials (only the local bucket accepts them; stderr says so).
Exit status: 0 stopped (Ctrl-C or SIGTERM), 1 input refused or the server failed, 2 usage error.";

/// Command-line options.
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
    temp_upload_v1: bool,
    guide_page: Option<String>,
    limits: Limits,
    callback: CallbackLimits,
}

/// The options, or `None` for `--help`.
fn parse_args(args: impl Iterator<Item = String>) -> Result<Option<Options>, Failure> {
    let mut o = Options {
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
        temp_upload_v1: false,
        guide_page: None,
        limits: Limits::default(),
        callback: CallbackLimits::default(),
    };
    let mut args = args.peekable();
    while let Some((name, inline)) = next_option(&mut args) {
        let mut value = || value(&mut args, &name, inline.clone());
        match name.as_str() {
            "--listen" => {
                let listen = value()?;
                o.listen = listen.parse().map_err(|_| {
                    Failure::Usage(format!("--listen {listen:?} is not an address such as 127.0.0.1:8000"))
                })?;
            }
            "--data-dir" => o.data_dir = Some(PathBuf::from(value()?)),
            "--public-url" => o.public_url = Some(value()?),
            "--oss-host" => o.oss_host = Some(value()?),
            "--bucket" => o.bucket = value()?,
            "--region" => o.region = value()?,
            "--dir" => o.dir = value()?,
            "--max-size" => o.max_size = number(&name, &value()?)?,
            "--expires-in" => o.expires_in = number(&name, &value()?)?,
            "--account-id" => o.account_id = value()?,
            "--temp-upload-v1" => o.temp_upload_v1 = flag(&name, inline.as_deref())?,
            "--guide-page" => o.guide_page = Some(value()?),
            "--max-request-size" => o.limits.max_request_size = number(&name, &value()?)?,
            "--max-part-header" => o.limits.max_part_header = number(&name, &value()?)?,
            "--read-timeout" => {
                o.limits.read_timeout = std::time::Duration::from_secs(number(&name, &value()?)?);
            }
            "--min-body-rate" => o.limits.min_body_rate = number(&name, &value()?)?,
            "--max-uploads" => o.limits.max_uploads = number(&name, &value()?)?,
            "--max-connections" => o.limits.max_connections = number(&name, &value()?)?,
            "--callback-timeout" => {
                o.callback.timeout = std::time::Duration::from_secs(number(&name, &value()?)?);
            }
            "--callback-max-response" => o.callback.max_response = number(&name, &value()?)?,
            "--callback-max-body" => o.callback.max_body = number(&name, &value()?)?,
            "--callback-allow-any-host" => o.callback.allow_any_host = flag(&name, inline.as_deref())?,
            "-h" | "--help" => return Ok(None),
            _ => return Err(unknown(&name)),
        }
    }
    Ok(Some(o))
}

/// Everything the handlers share.
struct App {
    bucket: Bucket,
    policy: PostPolicy,
    /// The same policy with the upload callback pinned (`{"callback": ...}`), for `?callback=1`.
    callback_policy: PostPolicy,
    /// V4, for `/get_post_signature_for_oss_upload`.
    signer: Signer,
    /// The same credentials and key cache; V4, or V1 with `--temp-upload-v1`.
    temp_signer: Signer,
    temp_uploads: TempUpload,
    account_id: String,
    verifier: UploadVerifier,
    data_dir: PathBuf,
    /// `<public url>/oss/<bucket>`: the local bucket endpoint.
    local_bucket_url: String,
    guide_page: Option<String>,
    limits: Limits,
    /// One permit per upload being read (`--max-uploads`).
    uploads: Arc<tokio::sync::Semaphore>,
    /// Upload callbacks: the bucket's key and options, the application's route and key.
    callbacks: Callbacks,
    /// What `/presign_put` signs.
    put_urls: presigned::PutUrls,
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

/// The data folder, ready: staged uploads of an earlier run that was killed are dropped. A
/// folder the server made itself comes with the guard that removes it.
fn prepare_data_dir(data_dir: Option<&Path>, bucket: &Bucket) -> std::io::Result<(PathBuf, Option<TempDataDir>)> {
    let (data_dir, guard) = if let Some(dir) = data_dir {
        std::fs::create_dir_all(dir)?;
        (dir.to_owned(), None)
    } else {
        let dir = new_temp_dir()?;
        (dir.clone(), Some(TempDataDir(dir)))
    };
    let incoming = data_dir.join(disk::INCOMING);
    if incoming.exists() {
        std::fs::remove_dir_all(&incoming)?;
    }
    std::fs::create_dir_all(&incoming)?;
    std::fs::create_dir_all(data_dir.join(bucket.as_str()))?;
    Ok((data_dir, guard))
}

/// A data folder the server made under the system temporary folder: removed, with everything
/// uploaded into it, when the server stops (Ctrl-C, SIGTERM, or a failure after it was made).
struct TempDataDir(PathBuf);

impl Drop for TempDataDir {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.0) {
            eprintln!("{NAME}: cannot remove the data folder {}: {e}", self.0.display());
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let result = match parse_args(std::env::args().skip(1)) {
        Ok(Some(options)) => serve(options).await,
        Ok(None) => {
            println!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(failure) => Err(failure),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.exit(NAME),
    }
}

// The start-up in its order (check, read credentials, create, serve), each step one call.
#[allow(clippy::too_many_lines)]
async fn serve(o: Options) -> Result<(), Failure> {
    // Every input is checked before the credentials are read, and the credentials before
    // anything is created on disk or on the network, so bad input gets one line and no traces.
    let bucket = Bucket::new(&o.bucket)?;
    let region = region(&o.region)?;
    if o.max_size == 0 {
        return Err(Failure::Refused("--max-size must be at least 1".into()));
    }
    if let Some(unusable) = o.limits.unusable().or_else(|| o.callback.unusable()) {
        return Err(Failure::Refused(unusable.into()));
    }
    let public_url = o.public_url.as_deref().map(|url| url.trim_end_matches('/').to_owned());
    for url in [&public_url, &o.oss_host].into_iter().flatten() {
        Endpoint::custom(url)?;
    }
    let guide_page = match &o.guide_page {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| Failure::Refused(format!("cannot read --guide-page {path:?}: {e}")))?,
        ),
        None => None,
    };
    let (credentials, example) = credentials()?;

    // One key cache for the signers and the verifier: a V4 key is derived once per UTC day.
    let keys = SigningKeyCache::new();
    let credentials = Arc::new(credentials);
    let signer = Signer::new(Arc::clone(&credentials), region.clone()).with_key_cache(keys.clone());
    let temp_version = if o.temp_upload_v1 { SignatureVersion::V1 } else { SignatureVersion::V4 };
    let temp_signer = signer.clone().with_version(temp_version);
    let verifier = UploadVerifier::new(bucket.clone(), region, Arc::clone(&credentials), keys);
    // The policy is built once the URL browsers post to is known; a signature now refuses a
    // lifetime the handlers could never sign (not positive, over V4's 7 days, past 9999).
    let builder = |url: &Endpoint| {
        PostPolicy::builder(bucket.clone())
            .expires_in(Duration::seconds(o.expires_in))
            .key_starts_with(o.dir.as_str())
            .content_length_range(1, o.max_size)
            .endpoint(url.clone())
    };
    builder(&Endpoint::Public).build()?.sign(&signer).map_err(|e| match e {
        e @ oss_post_policy::Error::ValidityOutOfRange { .. } => {
            Failure::Refused(format!("--expires-in {} is too far: {e}", o.expires_in))
        }
        e => e.into(),
    })?;
    if example {
        cli::note_example_credentials(
            NAME,
            "signing with the OSS documentation's example credentials, which only the local bucket accepts",
        );
    }

    // Held until `serve` returns, so a temporary data folder goes on every way out.
    let (data_dir, temp_data_dir) = prepare_data_dir(o.data_dir.as_deref(), &bucket)
        .map_err(|e| Failure::Refused(format!("cannot prepare the data folder: {e}")))?;
    let listener = tokio::net::TcpListener::bind(o.listen)
        .await
        .map_err(|e| Failure::Refused(format!("cannot listen on {}: {e}", o.listen)))?;
    let bound = listener.local_addr().map_err(|e| Failure::Refused(format!("cannot listen: {e}")))?;
    let public_url = match public_url {
        Some(url) => url,
        None if bound.ip().is_unspecified() => format!("http://127.0.0.1:{}", bound.port()),
        None => format!("http://{bound}"),
    };
    let local_bucket_url = format!("{public_url}/oss/{bucket}");
    let upload_url = o.oss_host.as_deref().map_or(local_bucket_url.as_str(), |host| host.trim_end_matches('/'));
    let endpoint = Endpoint::custom(upload_url)?;
    let policy = builder(&endpoint).build()?;
    let callbacks = Callbacks::new(o.callback, o.oss_host.is_some(), &public_url, o.limits.max_uploads)
        .map_err(Failure::Refused)?;
    // The policy pins the callback, so a browser cannot point OSS's callback elsewhere.
    let callback_policy = builder(&endpoint).callback(callbacks.signature_callback()).build()?;
    let removed = if temp_data_dir.is_some() { " (removed when the server stops)" } else { "" };
    let banner = format!(
        "{NAME}: listening on {public_url}\n{NAME}: data dir {}{removed}\n{NAME}: browsers upload to {upload_url}\n",
        data_dir.display()
    );
    // Same bucket, endpoint, size limit and lifetime.
    let put_urls = presigned::PutUrls {
        endpoint: endpoint.clone(),
        dir: o.dir,
        max_size: o.max_size,
        expires_in: Duration::seconds(o.expires_in),
    };
    let temp_uploads = TempUpload::new(bucket.clone())
        .endpoint(endpoint)
        .max_size(o.max_size)
        .lifetime(Duration::seconds(o.expires_in));

    let app = Arc::new(App {
        bucket,
        policy,
        callback_policy,
        signer,
        temp_signer,
        temp_uploads,
        account_id: o.account_id,
        verifier,
        data_dir,
        local_bucket_url,
        guide_page,
        limits: o.limits,
        uploads: Arc::new(tokio::sync::Semaphore::new(o.limits.max_uploads.min(tokio::sync::Semaphore::MAX_PERMITS))),
        callbacks,
        put_urls,
    });
    let router = Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        .route("/get_post_signature_for_oss_upload", get(signature))
        .route("/temp_file_upload_url", get(temp_file_upload_url))
        .route("/presign_put", get(presigned::presign_put))
        .route("/guide", get(guide))
        .merge(callback::routes())
        .route("/oss/{bucket}", post(bucket::post_object).options(bucket::preflight))
        .route("/oss/{bucket}/{*key}", get(presigned::get_object).put(presigned::put_object).options(bucket::preflight))
        .with_state(app);

    let stop = shutdown()?;
    // Not `println!`: a reader that goes away must not bring the server down.
    let _ = std::io::Write::write_all(&mut std::io::stdout(), banner.as_bytes());
    connection::serve(listener, router, o.limits, stop).await;
    drop(temp_data_dir);
    Ok(())
}

/// The query of `GET /get_post_signature_for_oss_upload`.
#[derive(serde::Deserialize)]
struct SignatureQuery {
    callback: Option<String>,
}

/// `GET /get_post_signature_for_oss_upload`: a freshly signed form in the guide's JSON shape;
/// with `?callback=1` (any value but empty or `0`), also `callback`, base64 JSON asking for a
/// callback to `/callback`, as the guide's callback variant of the sample endpoint returns it;
/// its policy pins that `callback` (`PostPolicyBuilder::callback`).
async fn signature(State(app): State<Arc<App>>, Query(query): Query<SignatureQuery>) -> Response {
    let wanted = query.callback.is_some_and(|v| !v.is_empty() && v != "0");
    let policy = if wanted { &app.callback_policy } else { &app.policy };
    let signed = policy.sign(&app.signer).and_then(|form| form.post_signature_response());
    match signed {
        Ok(response) => ([(header::CACHE_CONTROL, "no-store")], axum::Json(response)).into_response(),
        Err(e) => {
            eprintln!("{NAME}: signing failed: {e}");
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
            app.temp_uploads.sign(&app.temp_signer, &request).map_err(|e| e.to_string())
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

/// `GET /guide`: the page given with `--guide-page`, as is.
async fn guide(State(app): State<Arc<App>>) -> Response {
    match &app.guide_page {
        Some(page) => Html(page.clone()).into_response(),
        None => (StatusCode::NOT_FOUND, "start the server with --guide-page FILE").into_response(),
    }
}

/// Resolves on Ctrl-C (SIGINT) or, on Unix, SIGTERM (what `kill` and service managers send):
/// the server then finishes the requests in flight and stops. The handlers are in place when
/// this returns, so a signal sent once the banner is out stops the server cleanly.
fn shutdown() -> Result<impl Future<Output = ()> + Send + 'static, Failure> {
    let failed = |e: std::io::Error| Failure::Refused(format!("cannot handle signals: {e}"));
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt()).map_err(failed)?;
        let mut terminate = signal(SignalKind::terminate()).map_err(failed)?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        let _ = failed;
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
