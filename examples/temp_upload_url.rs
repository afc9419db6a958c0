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

use std::iter::Peekable;
use std::process::ExitCode;

use oss_post_policy::credentials::{ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SESSION_TOKEN};
use oss_post_policy::temp_upload::{DEFAULT_LIFETIME, DEFAULT_MAX_SIZE};
use oss_post_policy::time::{Duration, OffsetDateTime, format_description::well_known::Rfc3339};
use oss_post_policy::{Bucket, Credentials, Region, SignatureVersion, Signer, TempUpload, TempUploadRequest};
use sha2::{Digest, Sha256};

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

/// Why the program stops: input it refuses (exit 1) or a command line it cannot read (exit 2).
enum Failure {
    Refused(String),
    Usage(String),
}

impl From<oss_post_policy::Error> for Failure {
    fn from(e: oss_post_policy::Error) -> Self {
        Self::Refused(e.to_string())
    }
}

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

// The argument loop's helpers, the same in sign_post_form.rs.

/// The next argument as an option name and, for `--opt=value`, its value.
fn next_option(args: &mut impl Iterator<Item = String>) -> Option<(String, Option<String>)> {
    let arg = args.next()?;
    Some(match arg.split_once('=') {
        Some((name, value)) if name.starts_with("--") => (name.to_owned(), Some(value.to_owned())),
        _ => (arg, None),
    })
}

/// The value of option `name`: after its `=`, else the next argument unless that is an option.
fn value(
    args: &mut Peekable<impl Iterator<Item = String>>,
    name: &str,
    inline: Option<String>,
) -> Result<String, Failure> {
    inline
        .or_else(|| args.next_if(|next| !next.starts_with("--")))
        .ok_or_else(|| Failure::Usage(format!("{name} needs a value")))
}

/// A bare flag: `true`, or a usage error for `--flag=value`.
fn flag(name: &str, inline: Option<&str>) -> Result<bool, Failure> {
    match inline {
        None => Ok(true),
        Some(_) => Err(Failure::Usage(format!("{name} takes no value"))),
    }
}

fn unknown(name: &str) -> Failure {
    let what = if name.starts_with('-') { "unknown option" } else { "unexpected argument" };
    Failure::Usage(format!("{what} {name:?} (see --help)"))
}

fn number<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, Failure> {
    value.parse().map_err(|_| Failure::Usage(format!("{name} {value:?} is not a whole number")))
}

fn time(name: &str, value: &str) -> Result<OffsetDateTime, Failure> {
    OffsetDateTime::parse(value, &Rfc3339)
        .map_err(|_| Failure::Usage(format!("{name} {value:?} is not an RFC 3339 time such as 2024-11-27T06:09:41Z")))
}

/// The region; an endpoint such as `oss-cn-hangzhou.aliyuncs.com` is refused, naming its region.
fn region(value: &str) -> Result<Region, Failure> {
    if value.contains('.') {
        let id = value.split(['.', '/']).find_map(|label| label.strip_prefix("oss-"));
        let id = id.map(|id| id.trim_end_matches("-internal")).filter(|id| !id.starts_with("accelerate"));
        return Err(Failure::Refused(match id {
            Some(id) => format!("--region {value:?} is an endpoint; its region is {id} (--region {id})"),
            None => format!("--region {value:?} is an endpoint, not a region such as cn-hangzhou"),
        }));
    }
    Ok(Region::new(value)?)
}

/// Credentials from the environment, or the documented example pair when none of the variables
/// is set (then `true`, so that the caller can say so).
fn credentials() -> Result<(Credentials, bool), Failure> {
    let names = [ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SESSION_TOKEN];
    if names.iter().all(|name| std::env::var_os(name).is_none_or(|v| v.is_empty())) {
        return Ok((Credentials::example(), true));
    }
    Ok((Credentials::from_env()?, false))
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
    match result {
        Ok(None) => println!("{HELP}"),
        Ok(Some((json, example))) => {
            if example {
                eprintln!(
                    "{NAME}: {ENV_ACCESS_KEY_ID}, {ENV_ACCESS_KEY_SECRET} and {ENV_SESSION_TOKEN} are not set; \
                     signed with the OSS documentation's example credentials, which OSS refuses"
                );
            }
            println!("{json}");
        }
        Err(Failure::Refused(message)) => {
            eprintln!("{NAME}: {}", message.replace(['\n', '\r'], " "));
            return ExitCode::from(1);
        }
        Err(Failure::Usage(message)) => {
            eprintln!("{NAME}: {message}");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
