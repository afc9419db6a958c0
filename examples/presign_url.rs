//! Prints a presigned URL as `{"method": ..., "url": ..., "headers": {...}, "expiration": ...}`.
//!
//! ```sh
//! cargo run --example presign_url -- --method PUT --bucket examplebucket --key user-dir/cat.png
//!     [--region R] [--expires-in S] [--now T] [--header 'Name: value']... [--query 'name=value']...
//!     [--additional-header NAME]...
//! ```
//!
//! `--help` lists the options. Credentials come from `OSS_ACCESS_KEY_ID`,
//! `OSS_ACCESS_KEY_SECRET` and `OSS_SESSION_TOKEN`; with none of them set, the OSS
//! documentation's example pair is used (and stderr says so). Exit status: 0 signed, 1 input
//! refused, 2 usage error; every failure is one line on stderr.

#[path = "common/cli.rs"]
#[allow(dead_code, reason = "presign_url has no bare flag, so cli::flag goes unused")]
mod cli;

use std::process::ExitCode;

use oss_post_policy::time::{Duration, OffsetDateTime};
use oss_post_policy::{Bucket, HttpMethod, Presign, Signer};

use cli::{Failure, credentials, next_option, number, region, time, unknown, value};

const NAME: &str = "presign_url";
const HELP: &str = "\
usage: presign_url --method METHOD --bucket BUCKET --key KEY [options]

Prints a presigned URL (V4, signed in the query) and the headers the client must send:
{\"method\": ..., \"url\": ..., \"headers\": {...}, \"expiration\": ...}.

options (--opt value or --opt=value; a value starting with -- needs the = form):
  --method METHOD            GET, PUT, HEAD, POST or DELETE; required
  --bucket BUCKET            bucket; required
  --key KEY                  object key; required
  --region R                 region, e.g. cn-hangzhou (oss- prefix accepted); default cn-hangzhou
  --expires-in S             seconds the URL stays valid, 1 to 604800; default 3600
  --now T                    signing time, RFC 3339; default the clock
  --header 'Name: value'     a header to pin (signed; the client must send it); repeatable
  --query 'name=value'       a query parameter (name= for an empty value); repeatable
  --additional-header NAME   sign a pinned header V4 does not sign by default; repeatable
  -h, --help                 print this help

Credentials: OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET, OSS_SESSION_TOKEN; with none set,
the OSS documentation's example credentials (OSS refuses them; stderr says so).
Exit status: 0 signed, 1 input refused, 2 usage error.";

#[derive(Default)]
struct Options {
    method: Option<String>,
    bucket: Option<String>,
    key: Option<String>,
    region: Option<String>,
    expires_in: Option<i64>,
    now: Option<OffsetDateTime>,
    headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
    additional_headers: Vec<String>,
}

/// `text` split at the first `separator`, or a usage error naming `option` and `form`.
fn split_pair(option: &str, text: &str, separator: char, form: &str) -> Result<(String, String), Failure> {
    text.split_once(separator)
        .map(|(name, value)| (name.trim().to_owned(), value.to_owned()))
        .ok_or_else(|| Failure::Usage(format!("{option} {text:?} is not {form}")))
}

/// The options, or `None` for `--help`.
fn parse_args(args: impl Iterator<Item = String>) -> Result<Option<Options>, Failure> {
    let mut o = Options::default();
    let mut args = args.peekable();
    while let Some((name, inline)) = next_option(&mut args) {
        let mut value = || value(&mut args, &name, inline.clone());
        match name.as_str() {
            "--method" => o.method = Some(value()?),
            "--bucket" => o.bucket = Some(value()?),
            "--key" => o.key = Some(value()?),
            "--region" => o.region = Some(value()?),
            "--expires-in" => o.expires_in = Some(number(&name, &value()?)?),
            "--now" => o.now = Some(time(&name, &value()?)?),
            "--header" => o.headers.push(split_pair(&name, &value()?, ':', "'Name: value'")?),
            "--query" => o.query.push(split_pair(&name, &value()?, '=', "name=value")?),
            "--additional-header" => o.additional_headers.push(value()?),
            "-h" | "--help" => return Ok(None),
            _ => return Err(unknown(&name)),
        }
    }
    for (option, given) in [("--method", &o.method), ("--bucket", &o.bucket), ("--key", &o.key)] {
        if given.is_none() {
            return Err(Failure::Usage(format!("{option} is required (see --help)")));
        }
    }
    Ok(Some(o))
}

/// The JSON to print, and whether the example credentials signed it.
fn run(o: Options) -> Result<(String, bool), Failure> {
    let region = region(o.region.as_deref().unwrap_or("cn-hangzhou"))?;
    let method: HttpMethod = o.method.as_deref().unwrap_or_default().parse()?;
    let bucket = Bucket::new(o.bucket.as_deref().unwrap_or_default())?;
    let mut presign = Presign::new(method, bucket, o.key.unwrap_or_default())
        .expires_in(Duration::seconds(o.expires_in.unwrap_or(3600)));
    for (name, value) in o.query {
        presign = presign.query(name, value);
    }
    for (name, value) in o.headers {
        presign = presign.header(name, value);
    }
    for name in o.additional_headers {
        presign = presign.additional_header(name);
    }
    let (credentials, example) = credentials()?;
    let signer = Signer::new(credentials, region);
    let url = presign.sign_at(&signer, o.now.unwrap_or_else(OffsetDateTime::now_utc))?;
    let json =
        serde_json::to_string_pretty(&url).map_err(|e| Failure::Refused(format!("cannot write the JSON: {e}")))?;
    Ok((json, example))
}

fn main() -> ExitCode {
    let result = parse_args(std::env::args().skip(1)).and_then(|options| match options {
        Some(options) => run(options).map(Some),
        None => Ok(None),
    });
    cli::print_signed(NAME, HELP, result)
}
