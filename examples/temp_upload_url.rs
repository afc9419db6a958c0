//! Prints a temporary upload URL in the Cloud Backup `CreateTempFileUploadUrl` shape.
//!
//! ```sh
//! cargo run --example temp_upload_url -- --file-name NAME [--now T] [--v4] [options]
//! ```
//!
//! | option | meaning | default |
//! |---|---|---|
//! | `--file-name NAME` | the file to upload (required) | |
//! | `--now T` | signing time, RFC 3339 | the clock |
//! | `--v4` | V4 signature (OSS4-HMAC-SHA256) | V1, as the seed |
//! | `--bucket B` | bucket | `hbr-temp-bucket` |
//! | `--region R` | region (`oss-` prefix accepted) | `cn-shenzhen` |
//! | `--account-id A` | account segment of the key | `1440155109798732` |
//! | `--unique-id U` | unique segment of the key | derived, see below |
//! | `--request-id R` | `RequestId` | derived, see below |
//! | `--expires-in S` | seconds until expiration | `3600` |
//! | `--max-size N` | largest file in bytes | `5368709120` (5 GiB) |
//!
//! Demo only: without `--unique-id` / `--request-id`, both are derived from SHA-256 of the file
//! name and `now`, so the same inputs print the same answer. A service must pass fresh random
//! ids (e.g. UUID v4) instead; this crate deliberately has no randomness.
//!
//! Credentials come from `OSS_ACCESS_KEY_ID`, `OSS_ACCESS_KEY_SECRET` and `OSS_SESSION_TOKEN`;
//! with neither of the first two set it uses the OSS documentation's example pair and says so
//! on stderr. Prints the JSON answer on stdout and exits 0; on bad input prints one line on
//! stderr and exits 1 (2 for a usage error).

use std::process::ExitCode;

use oss_post_policy::credentials::{ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET};
use oss_post_policy::time::{Duration, OffsetDateTime, format_description::well_known::Rfc3339};
use oss_post_policy::{Bucket, Credentials, Region, SignatureVersion, TempUpload, TempUploadRequest};
use sha2::{Digest, Sha256};

const USAGE: &str = "usage: temp_upload_url --file-name NAME [--now RFC3339] [--v4] [--bucket B] [--region R] \
[--account-id A] [--unique-id U] [--request-id R] [--expires-in SECONDS] [--max-size BYTES]";

struct Args {
    file_name: String,
    now: Option<OffsetDateTime>,
    v4: bool,
    bucket: String,
    region: String,
    account_id: String,
    unique_id: Option<String>,
    request_id: Option<String>,
    expires_in: i64,
    max_size: u64,
}

fn parse_args(mut raw: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut file_name = None;
    let mut args = Args {
        file_name: String::new(),
        now: None,
        v4: false,
        bucket: "hbr-temp-bucket".to_owned(),
        region: "cn-shenzhen".to_owned(),
        account_id: "1440155109798732".to_owned(),
        unique_id: None,
        request_id: None,
        expires_in: 3600,
        max_size: oss_post_policy::temp_upload::DEFAULT_MAX_SIZE,
    };
    while let Some(flag) = raw.next() {
        if flag == "--v4" {
            args.v4 = true;
            continue;
        }
        let value = raw.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--file-name" => file_name = Some(value),
            "--now" => {
                args.now = Some(OffsetDateTime::parse(&value, &Rfc3339).map_err(|e| format!("--now {value:?}: {e}"))?);
            }
            "--bucket" => args.bucket = value,
            "--region" => args.region = value,
            "--account-id" => args.account_id = value,
            "--unique-id" => args.unique_id = Some(value),
            "--request-id" => args.request_id = Some(value),
            "--expires-in" => {
                args.expires_in = value.parse().map_err(|e| format!("--expires-in {value:?}: {e}"))?;
            }
            "--max-size" => args.max_size = value.parse().map_err(|e| format!("--max-size {value:?}: {e}"))?,
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    args.file_name = file_name.ok_or("--file-name is required")?;
    Ok(args)
}

/// Demo-only ids: SHA-256 of a label, the file name and `now`, shaped as a UUID (version 8,
/// "custom"). Real services use random ids.
fn demo_id(label: &str, file_name: &str, now: OffsetDateTime) -> String {
    let digest = Sha256::new()
        .chain_update(label)
        .chain_update([0])
        .chain_update(file_name)
        .chain_update([0])
        .chain_update(now.unix_timestamp().to_be_bytes())
        .finalize();
    let mut b = [0_u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

fn credentials() -> Result<Credentials, oss_post_policy::Error> {
    let unset = |name| std::env::var_os(name).is_none_or(|v| v.is_empty());
    if unset(ENV_ACCESS_KEY_ID) && unset(ENV_ACCESS_KEY_SECRET) {
        eprintln!(
            "note: {ENV_ACCESS_KEY_ID} and {ENV_ACCESS_KEY_SECRET} are not set; using the OSS documentation's \
             example pair (OSS rejects it)"
        );
        return Ok(Credentials::example());
    }
    Credentials::from_env()
}

fn run(args: &Args) -> Result<String, String> {
    let now = args.now.unwrap_or_else(OffsetDateTime::now_utc);
    let bucket = Bucket::new(&args.bucket).map_err(|e| e.to_string())?;
    let region = Region::new(&args.region).map_err(|e| e.to_string())?;
    let uploads = TempUpload::new(bucket, region)
        .lifetime(Duration::seconds(args.expires_in))
        .max_size(args.max_size)
        .signature_version(if args.v4 { SignatureVersion::V4 } else { SignatureVersion::V1 });
    let unique_id = args.unique_id.clone().unwrap_or_else(|| demo_id("unique-id", &args.file_name, now));
    let request_id =
        args.request_id.clone().unwrap_or_else(|| demo_id("request-id", &args.file_name, now).to_ascii_uppercase());
    let request = TempUploadRequest {
        file_name: &args.file_name,
        account_id: &args.account_id,
        unique_id: &unique_id,
        request_id: &request_id,
    };
    // Check the key before touching credentials, so a bad name gives exactly one line on stderr.
    request.key_at(now).map_err(|e| e.to_string())?;
    let credentials = credentials().map_err(|e| e.to_string())?;
    let url = uploads.sign_at(&credentials, &request, now).map_err(|e| e.to_string())?;
    serde_json::to_string_pretty(&url).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("error: {message}; {USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {}", message.replace(['\n', '\r'], " "));
            ExitCode::FAILURE
        }
    }
}
