//! Prints a signed PostObject form as `{"url": ..., "fields": {...}, "required": [...]}`.
//!
//! ```sh
//! cargo run --example sign_post_form -- [--region R] [--bucket B] [--dir P] [--max-size N]
//!     [--expires-in S] [--policy-file F] [--now T] [--v1] [--post-signature-json]
//! ```
//!
//! `--help` lists the options. Credentials come from `OSS_ACCESS_KEY_ID`,
//! `OSS_ACCESS_KEY_SECRET` and `OSS_SESSION_TOKEN`; with none of them set, the OSS
//! documentation's example pair is used (and stderr says so). Exit status: 0 signed, 1 input
//! refused, 2 usage error; every failure is one line on stderr.

#[path = "common/cli.rs"]
mod cli;

use std::process::ExitCode;

use oss_post_policy::time::{Duration, OffsetDateTime};
use oss_post_policy::{Bucket, PolicyText, PostPolicy, SignatureVersion, Signer};

use cli::{Failure, credentials, flag, next_option, number, region, time, unknown, value};

const NAME: &str = "sign_post_form";
const HELP: &str = "\
usage: sign_post_form [options]

Prints a signed PostObject form: {\"url\": ..., \"fields\": {...}, \"required\": [...]}.

options (--opt value or --opt=value; a value starting with -- needs the = form):
  --region R             region, e.g. cn-hangzhou (oss- prefix accepted); default cn-hangzhou
  --bucket B             bucket; default examplebucket
  --dir P                key prefix the policy requires (starts-with $key); default user-dir/
  --max-size N           content-length-range 1..N, bytes; default 10485760
  --expires-in S         seconds from signing to expiration; default 3600
  --policy-file F        sign the exact text of F (not with --dir, --max-size, --expires-in)
  --now T                signing time, RFC 3339; default the clock
  --v1                   legacy V1 signature; default V4
  --post-signature-json  print the JSON of /get_post_signature_for_oss_upload
                         (Alibaba's direct-upload guide) instead; V4 only
  -h, --help             print this help

Credentials: OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET, OSS_SESSION_TOKEN; with none set,
the OSS documentation's example credentials (OSS refuses them; stderr says so).
Exit status: 0 signed, 1 input refused, 2 usage error.";

struct Options {
    region: String,
    bucket: String,
    dir: Option<String>,
    max_size: Option<u64>,
    expires_in: Option<i64>,
    policy_file: Option<String>,
    now: Option<OffsetDateTime>,
    v1: bool,
    post_signature_json: bool,
}

/// The options, or `None` for `--help`.
fn parse_args(args: impl Iterator<Item = String>) -> Result<Option<Options>, Failure> {
    let mut o = Options {
        region: "cn-hangzhou".into(),
        bucket: "examplebucket".into(),
        dir: None,
        max_size: None,
        expires_in: None,
        policy_file: None,
        now: None,
        v1: false,
        post_signature_json: false,
    };
    let mut args = args.peekable();
    while let Some((name, inline)) = next_option(&mut args) {
        let mut value = || value(&mut args, &name, inline.clone());
        match name.as_str() {
            "--region" => o.region = value()?,
            "--bucket" => o.bucket = value()?,
            "--dir" => o.dir = Some(value()?),
            "--max-size" => o.max_size = Some(number(&name, &value()?)?),
            "--expires-in" => o.expires_in = Some(number(&name, &value()?)?),
            "--policy-file" => o.policy_file = Some(value()?),
            "--now" => o.now = Some(time(&name, &value()?)?),
            "--v1" => o.v1 = flag(&name, inline.as_deref())?,
            "--post-signature-json" => o.post_signature_json = flag(&name, inline.as_deref())?,
            "-h" | "--help" => return Ok(None),
            _ => return Err(unknown(&name)),
        }
    }
    if o.policy_file.is_some() {
        let given = [
            ("--dir", o.dir.is_some()),
            ("--max-size", o.max_size.is_some()),
            ("--expires-in", o.expires_in.is_some()),
        ];
        let given: Vec<&str> = given.into_iter().filter_map(|(name, set)| set.then_some(name)).collect();
        if !given.is_empty() {
            let message =
                format!("--policy-file cannot be combined with {}: it signs the text as is", given.join(", "));
            return Err(Failure::Usage(message));
        }
    }
    if o.v1 && o.post_signature_json {
        return Err(Failure::Usage("--post-signature-json is a V4 response; it cannot be combined with --v1".into()));
    }
    Ok(Some(o))
}

enum Policy {
    Typed(PostPolicy),
    Text(PolicyText),
}

/// The JSON to print, and whether the example credentials signed it.
fn run(o: &Options) -> Result<(String, bool), Failure> {
    // Every input is checked before the credentials are read, so bad input gets one line.
    let region = region(&o.region)?;
    let bucket = Bucket::new(&o.bucket)?;
    let policy = if let Some(path) = &o.policy_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::Refused(format!("cannot read --policy-file {path:?}: {e}")))?;
        Policy::Text(PolicyText::new(bucket, text)?)
    } else {
        let max_size = o.max_size.unwrap_or(10 * 1024 * 1024);
        if max_size == 0 {
            return Err(Failure::Refused("--max-size must be at least 1".into()));
        }
        let policy = PostPolicy::builder(bucket)
            .expires_in(Duration::seconds(o.expires_in.unwrap_or(3600)))
            .key_starts_with(o.dir.as_deref().unwrap_or("user-dir/"))
            .content_length_range(1, max_size)
            .build()?;
        Policy::Typed(policy)
    };
    let (credentials, example) = credentials()?;
    let version = if o.v1 { SignatureVersion::V1 } else { SignatureVersion::V4 };
    let signer = Signer::new(credentials, region).with_version(version);
    let now = o.now.unwrap_or_else(OffsetDateTime::now_utc);
    let form = match &policy {
        Policy::Typed(policy) => policy.sign_at(&signer, now),
        Policy::Text(text) => text.sign_at(&signer, now),
    };
    let form = form.map_err(|e| match (e, o.expires_in) {
        (e @ oss_post_policy::Error::ValidityOutOfRange { .. }, Some(s)) => {
            Failure::Refused(format!("--expires-in {s} is too far: {e}"))
        }
        (e, _) => e.into(),
    })?;
    let json = if o.post_signature_json {
        serde_json::to_string_pretty(&form.post_signature_response()?)
    } else {
        serde_json::to_string_pretty(&form)
    };
    let json = json.map_err(|e| Failure::Refused(format!("cannot write the JSON: {e}")))?;
    Ok((json, example))
}

fn main() -> ExitCode {
    let result = parse_args(std::env::args().skip(1)).and_then(|options| match options {
        Some(options) => run(&options).map(Some),
        None => Ok(None),
    });
    cli::print_signed(NAME, HELP, result)
}
