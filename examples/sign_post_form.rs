//! Prints a signed PostObject form as `{"url": ..., "fields": {...}}`.
//!
//! ```sh
//! cargo run --example sign_post_form -- [--region R] [--bucket B] [--dir P] [--max-size N]
//!     [--expires-in S] [--now T] [--v1] [--policy-file F] [--seed-json]
//! ```
//!
//! Credentials come from `OSS_ACCESS_KEY_ID`, `OSS_ACCESS_KEY_SECRET` and `OSS_SESSION_TOKEN`;
//! with none of them set, the OSS documentation's example pair is used (and stderr says so).
//! Bad input prints one line on stderr and exits non-zero.

use std::process::ExitCode;

use oss_post_policy::time::{Duration, OffsetDateTime, format_description::well_known::Rfc3339};
use oss_post_policy::{Bucket, Credentials, FormFields, PolicyText, PostPolicy, Region};

const USAGE: &str = "usage: sign_post_form [--region R] [--bucket B] [--dir P] [--max-size N] [--expires-in S] [--now T] [--v1] [--policy-file F] [--seed-json]";

struct Options {
    region: String,
    bucket: String,
    dir: String,
    max_size: u64,
    expires_in: i64,
    now: Option<OffsetDateTime>,
    v1: bool,
    policy_file: Option<String>,
    seed_json: bool,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut o = Options {
        region: "cn-hangzhou".into(),
        bucket: "examplebucket".into(),
        dir: "user-dir/".into(),
        max_size: 10 * 1024 * 1024,
        expires_in: 3600,
        now: None,
        v1: false,
        policy_file: None,
        seed_json: false,
    };
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--region" => o.region = value("--region")?,
            "--bucket" => o.bucket = value("--bucket")?,
            "--dir" => o.dir = value("--dir")?,
            "--max-size" => {
                let v = value("--max-size")?;
                o.max_size = v.parse().map_err(|_| format!("--max-size {v:?} is not a non-negative integer"))?;
            }
            "--expires-in" => {
                let v = value("--expires-in")?;
                o.expires_in =
                    v.parse().map_err(|_| format!("--expires-in {v:?} is not an integer number of seconds"))?;
            }
            "--now" => {
                let v = value("--now")?;
                o.now =
                    Some(OffsetDateTime::parse(&v, &Rfc3339).map_err(|e| format!("--now {v:?} is not RFC 3339: {e}"))?);
            }
            "--v1" => o.v1 = true,
            "--policy-file" => o.policy_file = Some(value("--policy-file")?),
            "--seed-json" => o.seed_json = true,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown option {other:?}; {USAGE}")),
        }
    }
    if o.v1 && o.seed_json {
        return Err("--seed-json is the V4 endpoint's shape and cannot be combined with --v1".into());
    }
    Ok(o)
}

/// Credentials from the environment, or the documented example pair when none is set (then
/// `true`, so the caller can say so).
fn credentials() -> Result<(Credentials, bool), String> {
    let names = ["OSS_ACCESS_KEY_ID", "OSS_ACCESS_KEY_SECRET", "OSS_SESSION_TOKEN"];
    if names.iter().all(|n| std::env::var_os(n).is_none()) {
        return Ok((Credentials::example(), true));
    }
    Credentials::from_env().map(|c| (c, false)).map_err(|e| e.to_string())
}

enum Policy {
    Typed(PostPolicy),
    Text(PolicyText),
}

fn sign(o: &Options) -> Result<(FormFields, bool), String> {
    // Check the inputs before reading credentials, so bad input gets exactly one line.
    let region = Region::new(&o.region).map_err(|e| e.to_string())?;
    let bucket = Bucket::new(&o.bucket).map_err(|e| e.to_string())?;
    let policy = if let Some(path) = &o.policy_file {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read --policy-file {path:?}: {e}"))?;
        Policy::Text(PolicyText::new(bucket, text).map_err(|e| e.to_string())?)
    } else {
        let policy = PostPolicy::builder(bucket)
            .expires_in(Duration::seconds(o.expires_in))
            .key_starts_with(o.dir.as_str())
            .content_length_range(1, o.max_size)
            .build()
            .map_err(|e| e.to_string())?;
        Policy::Typed(policy)
    };
    let (creds, example) = credentials()?;
    let now = o.now.unwrap_or_else(OffsetDateTime::now_utc);
    let signed = match (&policy, o.v1) {
        (Policy::Typed(p), false) => p.sign_at(&creds, &region, now),
        (Policy::Typed(p), true) => p.sign_v1_at(&creds, &region, now),
        (Policy::Text(p), false) => p.sign_at(&creds, &region, now),
        (Policy::Text(p), true) => p.sign_v1_at(&creds, &region, now),
    };
    signed.map(|form| (form, example)).map_err(|e| e.to_string())
}

fn run() -> Result<String, String> {
    let options = parse_args(std::env::args().skip(1))?;
    let (form, example) = sign(&options)?;
    if example {
        eprintln!(
            "note: no OSS_ACCESS_KEY_ID/OSS_ACCESS_KEY_SECRET set; signed with the OSS documentation's example credentials"
        );
    }
    let json = if options.seed_json {
        let seed = form.seed_response().map_err(|e| e.to_string())?;
        serde_json::to_string_pretty(&seed)
    } else {
        serde_json::to_string_pretty(&form)
    };
    json.map_err(|e| format!("cannot serialise the form: {e}"))
}

fn main() -> ExitCode {
    match run() {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
