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

use std::iter::Peekable;
use std::process::ExitCode;

use oss_post_policy::credentials::{ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SESSION_TOKEN};
use oss_post_policy::time::{Duration, OffsetDateTime, format_description::well_known::Rfc3339};
use oss_post_policy::{Bucket, Credentials, PolicyText, PostPolicy, Region, SignatureVersion, Signer};

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

// The argument loop's helpers, the same in temp_upload_url.rs.

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
