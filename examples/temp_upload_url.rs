//! Prints a temporary upload URL in the shape of the Cloud Backup API `CreateTempFileUploadUrl`.
//!
//! ```sh
//! cargo run --example temp_upload_url -- --file-name NAME [--v1] [--now T] [options]
//! ```
//!
//! `--help` lists the options. V4 by default: OSS stopped accepting V1 signatures from new
//! customers on 2025-03-01 and on new buckets on 2025-09-01. `--v1` prints the API's own legacy
//! V1 answer, exactly its eleven fields.
//!
//! Demo only: without `--unique-id` / `--request-id`, both are derived from SHA-256 of the file
//! name and `now`, so the same inputs print the same answer. A service must pass fresh random
//! ids (e.g. UUID v4) instead; this crate deliberately has no randomness.
//!
//! Credentials come from `OSS_ACCESS_KEY_ID`, `OSS_ACCESS_KEY_SECRET` and `OSS_SESSION_TOKEN`;
//! with none of them set, the OSS documentation's example pair is used (and stderr says so).
//! Exit status: 0 signed, 1 input refused, 2 usage error; every failure is one line on stderr.

#[path = "common/cli.rs"]
mod cli;

use std::process::ExitCode;

use oss_post_policy::temp_upload::{DEFAULT_LIFETIME, DEFAULT_MAX_SIZE};
use oss_post_policy::time::{Duration, OffsetDateTime};
use oss_post_policy::{Bucket, SignatureVersion, Signer, TempUpload, TempUploadRequest};
use sha2::{Digest, Sha256};

use cli::{Failure, credentials, flag, next_option, number, region, time, unknown, value};

const NAME: &str = "temp_upload_url";
const HELP: &str = "\
usage: temp_upload_url --file-name NAME [options]

Prints a temporary upload URL in the Cloud Backup API CreateTempFileUploadUrl shape.

options (--opt value or --opt=value; a value starting with -- needs the = form):
  --file-name NAME  the file to upload, the key's last segment (required)
  --v1              the API's legacy V1 answer (its eleven fields); default V4
  --now T           signing time, RFC 3339; default the clock
  --bucket B        bucket; default hbr-temp-bucket
  --region R        region, e.g. cn-shenzhen (oss- prefix accepted); default cn-shenzhen
  --account-id A    account segment of the key; default 1440155109798732
  --unique-id U     unique segment of the key; default derived from NAME and now (demo only)
  --request-id R    RequestId; default derived from NAME and now (demo only)
  --expires-in S    seconds from signing to expiration; default 3600
  --max-size N      largest file, bytes (content-length-range 0..N); default 5368709120
  -h, --help        print this help

Credentials: OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET, OSS_SESSION_TOKEN; with none set,
the OSS documentation's example credentials (OSS refuses them; stderr says so).
Exit status: 0 signed, 1 input refused, 2 usage error.";

struct Options {
    file_name: String,
    v1: bool,
    now: Option<OffsetDateTime>,
    bucket: String,
    region: String,
    account_id: String,
    unique_id: Option<String>,
    request_id: Option<String>,
    expires_in: Option<i64>,
    max_size: u64,
}

/// The options, or `None` for `--help`.
fn parse_args(args: impl Iterator<Item = String>) -> Result<Option<Options>, Failure> {
    let mut file_name = None;
    let mut o = Options {
        file_name: String::new(),
        v1: false,
        now: None,
        bucket: "hbr-temp-bucket".into(),
        region: "cn-shenzhen".into(),
        account_id: "1440155109798732".into(),
        unique_id: None,
        request_id: None,
        expires_in: None,
        max_size: DEFAULT_MAX_SIZE,
    };
    let mut args = args.peekable();
    while let Some((name, inline)) = next_option(&mut args) {
        let mut value = || value(&mut args, &name, inline.clone());
        match name.as_str() {
            "--file-name" => file_name = Some(value()?),
            "--v1" => o.v1 = flag(&name, inline.as_deref())?,
            "--now" => o.now = Some(time(&name, &value()?)?),
            "--bucket" => o.bucket = value()?,
            "--region" => o.region = value()?,
            "--account-id" => o.account_id = value()?,
            "--unique-id" => o.unique_id = Some(value()?),
            "--request-id" => o.request_id = Some(value()?),
            "--expires-in" => o.expires_in = Some(number(&name, &value()?)?),
            "--max-size" => o.max_size = number(&name, &value()?)?,
            "-h" | "--help" => return Ok(None),
            _ => return Err(unknown(&name)),
        }
    }
    o.file_name = file_name.ok_or_else(|| Failure::Usage("--file-name is required (see --help)".into()))?;
    Ok(Some(o))
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

/// The JSON to print, and whether the example credentials signed it.
fn run(o: &Options) -> Result<(String, bool), Failure> {
    let now = o.now.unwrap_or_else(OffsetDateTime::now_utc);
    // Every input is checked before the credentials are read, so bad input gets one line.
    let region = region(&o.region)?;
    let bucket = Bucket::new(&o.bucket)?;
    if o.max_size == 0 {
        return Err(Failure::Refused("--max-size must be at least 1".into()));
    }
    let uploads =
        TempUpload::new(bucket).lifetime(o.expires_in.map_or(DEFAULT_LIFETIME, Duration::seconds)).max_size(o.max_size);
    let unique_id = o.unique_id.clone().unwrap_or_else(|| demo_id("unique-id", &o.file_name, now));
    let request_id =
        o.request_id.clone().unwrap_or_else(|| demo_id("request-id", &o.file_name, now).to_ascii_uppercase());
    let request = TempUploadRequest {
        file_name: &o.file_name,
        account_id: &o.account_id,
        unique_id: &unique_id,
        request_id: &request_id,
    };
    request.key_at(now)?;
    let (credentials, example) = credentials()?;
    let version = if o.v1 { SignatureVersion::V1 } else { SignatureVersion::V4 };
    let signer = Signer::new(credentials, region).with_version(version);
    let url = uploads.sign_at(&signer, &request, now).map_err(|e| match (e, o.expires_in) {
        (e @ oss_post_policy::Error::ValidityOutOfRange { .. }, Some(s)) => {
            Failure::Refused(format!("--expires-in {s} is too far: {e}"))
        }
        (e, _) => e.into(),
    })?;
    let json =
        serde_json::to_string_pretty(&url).map_err(|e| Failure::Refused(format!("cannot write the JSON: {e}")))?;
    Ok((json, example))
}

fn main() -> ExitCode {
    let result = parse_args(std::env::args().skip(1)).and_then(|options| match options {
        Some(options) => run(&options).map(Some),
        None => Ok(None),
    });
    cli::print_signed(NAME, HELP, result)
}
