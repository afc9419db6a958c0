//! Checks a submitted PostObject form the way OSS would, offline.
//!
//! ```sh
//! cargo run --example verify_post_form -- --form FORM.json --bucket B --region R \
//!     [--file-size N] [--file-name NAME] [--file-type TYPE] [--now T] [--allow-anonymous]
//! ```
//!
//! `FORM.json` (or `-` for stdin) is a JSON array of `[name, value]` pairs in the order the
//! browser sent them. An entry named `file` marks where the file part was (its value is
//! ignored; several `file` entries make several file parts); without one, the file is last.
//!
//! Defaults: `--file-size 0`, `--file-name file.bin`, no file `Content-Type`, `--now` the
//! system clock (RFC 3339, e.g. `2024-11-27T06:15:00Z`), anonymous forms refused.
//!
//! The verifier trusts one credential: `OSS_ACCESS_KEY_ID`, `OSS_ACCESS_KEY_SECRET` and, if
//! set, `OSS_SESSION_TOKEN`; with none of the three set, the OSS documentation's example pair,
//! saying so on stderr.
//!
//! Prints one JSON object: `{"accepted": true, "key": ..., ...}` and exits 0, or
//! `{"accepted": false, "code": ..., "ec": ..., "message": ..., "http_status": ...}` and exits 1.
//! Bad arguments, an unreadable file or bad JSON print one line on stderr and exit 2.

use std::io::Read as _;
use std::process::ExitCode;

use oss_post_policy::credentials::{ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SESSION_TOKEN};
use oss_post_policy::verify::{FilePart, Submission, Verifier, VerifyOptions};
use oss_post_policy::{Bucket, Credentials, Region};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const USAGE: &str = "usage: verify_post_form --form FORM.json --bucket B --region R [--file-size N] [--file-name NAME] [--file-type TYPE] [--now RFC3339] [--allow-anonymous]";

struct Args {
    form: String,
    bucket: Bucket,
    region: Region,
    file_size: u64,
    file_name: String,
    file_type: Option<String>,
    now: Option<OffsetDateTime>,
    allow_anonymous: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut form = None;
    let mut bucket = None;
    let mut region = None;
    let mut file_size = 0;
    let mut file_name = "file.bin".to_owned();
    let mut file_type = None;
    let mut now = None;
    let mut allow_anonymous = false;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--allow-anonymous" {
            allow_anonymous = true;
            continue;
        }
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.to_owned());
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value; {USAGE}"))?;
        match flag.as_str() {
            "--form" => form = Some(value),
            "--bucket" => bucket = Some(Bucket::new(&value).map_err(|e| e.to_string())?),
            "--region" => region = Some(Region::new(&value).map_err(|e| e.to_string())?),
            "--file-size" => {
                file_size = value.parse().map_err(|_| format!("--file-size {value:?} is not a byte count"))?;
            }
            "--file-name" => file_name = value,
            "--file-type" => file_type = Some(value),
            "--now" => {
                now = Some(
                    OffsetDateTime::parse(&value, &Rfc3339).map_err(|_| format!("--now {value:?} is not RFC 3339"))?,
                );
            }
            other => return Err(format!("unknown option {other}; {USAGE}")),
        }
    }
    Ok(Args {
        form: form.ok_or_else(|| format!("--form is required; {USAGE}"))?,
        bucket: bucket.ok_or_else(|| format!("--bucket is required; {USAGE}"))?,
        region: region.ok_or_else(|| format!("--region is required; {USAGE}"))?,
        file_size,
        file_name,
        file_type,
        now,
        allow_anonymous,
    })
}

/// Reads `[[name, value], ...]`; `file` entries become file parts at their position.
fn read_submission(args: &Args) -> Result<Submission, String> {
    let text = if args.form == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| format!("cannot read stdin: {e}"))?;
        s
    } else {
        std::fs::read_to_string(&args.form).map_err(|e| format!("cannot read {}: {e}", args.form))?
    };
    let pairs: Vec<(String, String)> = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a JSON array of [name, value] pairs: {e}", args.form))?;
    let file = || {
        let part = FilePart::new(args.file_name.clone(), args.file_size);
        match &args.file_type {
            Some(t) => part.with_content_type(t.clone()),
            None => part,
        }
    };
    let mut submission = Submission::new();
    for (name, value) in pairs {
        submission = if name == "file" { submission.with_file(file()) } else { submission.with_field(name, value) };
    }
    if submission.files.is_empty() {
        submission = submission.with_file(file());
    }
    Ok(submission)
}

/// The credential from the environment, or the documented example pair when none of the three
/// variables is set (saying so on stderr), as `sign_post_form` does.
fn credentials() -> Result<Credentials, String> {
    if [ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SESSION_TOKEN].iter().all(|n| std::env::var_os(n).is_none()) {
        eprintln!(
            "note: no {ENV_ACCESS_KEY_ID}/{ENV_ACCESS_KEY_SECRET} set; verifying with the OSS documentation's example credentials"
        );
        return Ok(Credentials::example());
    }
    Credentials::from_env().map_err(|e| e.to_string())
}

/// `{"accepted": <accepted>, ...fields of value}`.
fn report(accepted: bool, value: Result<Value, serde_json::Error>) -> Result<String, String> {
    let mut out = Map::new();
    out.insert("accepted".into(), Value::Bool(accepted));
    match value.map_err(|e| e.to_string())? {
        Value::Object(fields) => out.extend(fields),
        other => return Err(format!("unexpected report shape {other}")),
    }
    serde_json::to_string(&Value::Object(out)).map_err(|e| e.to_string())
}

fn run() -> Result<bool, String> {
    let args = parse_args()?;
    let submission = read_submission(&args)?;
    let credentials = credentials()?;
    let options = VerifyOptions::default().allow_anonymous(args.allow_anonymous);
    let verifier = Verifier::new(args.bucket, args.region).with_options(options);
    let now = args.now.unwrap_or_else(OffsetDateTime::now_utc);
    let (accepted, line) = match verifier.verify_at(&submission, &credentials, now) {
        Ok(upload) => (true, report(true, serde_json::to_value(&upload))?),
        Err(rejection) => (false, report(false, serde_json::to_value(&rejection))?),
    };
    println!("{line}");
    Ok(accepted)
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(message) => {
            eprintln!("verify_post_form: {message}");
            ExitCode::from(2)
        }
    }
}
