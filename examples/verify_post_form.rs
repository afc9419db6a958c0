//! Checks a submitted PostObject form the way OSS would, offline.
//!
//! ```sh
//! cargo run --example verify_post_form -- --form FORM.json --bucket B --region R \
//!     [--field NAME=VALUE]... [--file-size N] [--file-name NAME] [--file-type TYPE] [--now T]
//!     [--allow-anonymous]
//! ```
//!
//! `FORM.json` (or `-` for stdin) is what `sign_post_form` prints, the object
//! `{"url": ..., "fields": {name: value, ...}, "required": [...]}`, or a JSON array of
//! `[name, value]` pairs in the order the browser sent them; the first character tells which.
//! An entry named `file` marks where the file part was (its value is ignored; several `file`
//! entries make several file parts); without one, the file is last. Each `--field NAME=VALUE`
//! is a field the browser adds (such as the `key` in `required`): they follow the form's fields
//! in the order given, before the file. So a form can be checked end to end from the shell:
//!
//! ```sh
//! cargo run --example sign_post_form > form.json
//! cargo run --example verify_post_form -- --form form.json --bucket examplebucket \
//!     --region cn-hangzhou --field key=user-dir/cat.png --file-name cat.png --file-size 1024
//! ```
//!
//! `--help` lists the options. The verifier trusts one credential: `OSS_ACCESS_KEY_ID`,
//! `OSS_ACCESS_KEY_SECRET` and, if set, `OSS_SESSION_TOKEN`; with none of the three set, the OSS
//! documentation's example pair, saying so on stderr.
//!
//! Prints one JSON object: `{"accepted": true, "key": ..., ...}` and exits 0, or
//! `{"accepted": false, "code": ..., "ec": ..., "message": ..., "http_status": ...}` and exits 1.
//! When the check cannot run (a usage error, an unreadable or malformed form, an invalid bucket
//! or region, half-set credentials) it prints one line on stderr and exits 2.

// Not `Failure::exit` nor `print_signed`: this binary's exit statuses are its own (see `main`).
#[allow(dead_code)]
#[path = "common/cli.rs"]
mod cli;

use std::io::Read as _;
use std::process::ExitCode;

use oss_post_policy::time::OffsetDateTime;
use oss_post_policy::verify::{FilePart, Submission, Verifier, VerifyOptions};
use oss_post_policy::{Bucket, Region};
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

use cli::{credentials, flag, next_option, number, time, unknown, value};

const NAME: &str = "verify_post_form";
const HELP: &str = "\
usage: verify_post_form --form FORM.json --bucket B --region R [options]

Checks a submitted PostObject form the way OSS would and prints one JSON object:
{\"accepted\": true, \"key\": ...} or {\"accepted\": false, \"code\": ..., \"ec\": ..., \"message\": ...}.

options (--opt value or --opt=value; a value starting with -- needs the = form):
  --form F             the form: what sign_post_form prints ({\"url\", \"fields\", \"required\"})
                       or a JSON array of [name, value] pairs in form order; \"-\" for stdin;
                       an entry named file marks the file (else it is last)
  --field NAME=VALUE   a field the browser adds (e.g. key=user-dir/cat.png), repeatable:
                       after the form's fields, in the order given, before the file
  --bucket B           the target bucket
  --region R           the bucket's region, e.g. cn-hangzhou (oss- prefix accepted)
  --file-size N        the file's size in bytes; default 0
  --file-name NAME     the file part's filename (for ${filename}); default file.bin
  --file-type TYPE     the file part's Content-Type; default none
  --now T              the receive time, RFC 3339; default the clock
  --allow-anonymous    accept unsigned forms (a public-read-write bucket); default refused
  -h, --help           print this help

Credentials trusted: OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET, OSS_SESSION_TOKEN; with none
set, the OSS documentation's example credentials (stderr says so).
Exit status: 0 accepted, 1 refused, 2 the check could not run (usage error, unreadable or
malformed form, invalid bucket or region, half-set credentials).";

/// Why the check cannot run (exit 2): one line on stderr.
struct Failure(String);

impl From<oss_post_policy::Error> for Failure {
    fn from(e: oss_post_policy::Error) -> Self {
        Self(e.to_string())
    }
}

/// The shared helpers' refusals and usage errors alike: here every one is exit 2.
impl From<cli::Failure> for Failure {
    fn from(failure: cli::Failure) -> Self {
        match failure {
            cli::Failure::Refused(message) | cli::Failure::Usage(message) => Self(message),
        }
    }
}

struct Options {
    form: String,
    fields: Vec<(String, String)>,
    bucket: Bucket,
    region: Region,
    file_size: u64,
    file_name: String,
    file_type: Option<String>,
    now: Option<OffsetDateTime>,
    allow_anonymous: bool,
}

/// The options, or `None` for `--help`.
fn parse_args(args: impl Iterator<Item = String>) -> Result<Option<Options>, Failure> {
    let mut form = None;
    let mut fields = Vec::new();
    let mut bucket = None;
    let mut region = None;
    let mut file_size = 0;
    let mut file_name = "file.bin".to_owned();
    let mut file_type = None;
    let mut now = None;
    let mut allow_anonymous = false;
    let mut args = args.peekable();
    while let Some((name, inline)) = next_option(&mut args) {
        let mut value = || value(&mut args, &name, inline.clone());
        match name.as_str() {
            "--form" => form = Some(value()?),
            "--field" => fields.push(field(&value()?)?),
            "--bucket" => bucket = Some(value()?),
            "--region" => region = Some(value()?),
            "--file-size" => file_size = number(&name, &value()?)?,
            "--file-name" => file_name = value()?,
            "--file-type" => file_type = Some(value()?),
            "--now" => now = Some(time(&name, &value()?)?),
            "--allow-anonymous" => allow_anonymous = flag(&name, inline.as_deref())?,
            "-h" | "--help" => return Ok(None),
            _ => return Err(unknown(&name).into()),
        }
    }
    let required =
        |value: Option<String>, name: &str| value.ok_or_else(|| Failure(format!("{name} is required (see --help)")));
    let (form, bucket, region) =
        (required(form, "--form")?, required(bucket, "--bucket")?, required(region, "--region")?);
    Ok(Some(Options {
        form,
        fields,
        bucket: Bucket::new(&bucket)?,
        region: cli::region(&region)?,
        file_size,
        file_name,
        file_type,
        now,
        allow_anonymous,
    }))
}

/// `--field NAME=VALUE` as a (name, value) pair; the file is not a field.
fn field(arg: &str) -> Result<(String, String), Failure> {
    match arg.split_once('=') {
        Some(("file", _)) => {
            Err(Failure("--field cannot add the file: give --file-name, --file-size, --file-type".into()))
        }
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(Failure(format!("--field {arg:?} is not NAME=VALUE"))),
    }
}

/// What `sign_post_form` prints. Only `fields` is read: `--bucket` and `--region` say where the
/// form goes, and a `required` field the user did not add is refused by the verifier, as by OSS.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignedForm {
    #[serde(rename = "url")]
    _url: String,
    fields: InOrder,
    #[serde(rename = "required")]
    _required: Vec<String>,
}

/// A JSON object of strings as (name, value) pairs in the order written (`serde_json::Map`
/// would sort them).
struct InOrder(Vec<(String, String)>);

impl<'de> Deserialize<'de> for InOrder {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Pairs;
        impl<'de> Visitor<'de> for Pairs {
            type Value = InOrder;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of field names to string values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<InOrder, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry()? {
                    pairs.push(pair);
                }
                Ok(InOrder(pairs))
            }
        }
        deserializer.deserialize_map(Pairs)
    }
}

/// The form's fields in order: an object (`{...}`) is `sign_post_form`'s, anything else must
/// be `[[name, value], ...]`.
fn form_fields(o: &Options, text: &str) -> Result<Vec<(String, String)>, Failure> {
    const SIGNED: &str = "sign_post_form's {\"url\", \"fields\", \"required\"} object";
    if text.trim_start().starts_with('{') {
        let form: SignedForm =
            serde_json::from_str(text).map_err(|e| Failure(format!("--form {:?} is not {SIGNED}: {e}", o.form)))?;
        return Ok(form.fields.0);
    }
    serde_json::from_str(text).map_err(|e| {
        Failure(format!("--form {:?} is neither a JSON array of [name, value] pairs nor {SIGNED}: {e}", o.form))
    })
}

/// The form's fields, then the `--field`s before the first `file` entry; `file` entries become
/// file parts at their position, and without one the file is last.
fn read_submission(o: &Options) -> Result<Submission, Failure> {
    let text = if o.form == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| Failure(format!("cannot read stdin: {e}")))?;
        s
    } else {
        std::fs::read_to_string(&o.form).map_err(|e| Failure(format!("cannot read --form {:?}: {e}", o.form)))?
    };
    let mut pairs = form_fields(o, &text)?;
    let at = pairs.iter().position(|(name, _)| name == "file").unwrap_or(pairs.len());
    pairs.splice(at..at, o.fields.iter().cloned());
    let file = || {
        let part = FilePart::new(o.file_name.clone(), o.file_size);
        match &o.file_type {
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

/// `{"accepted": <accepted>, ...fields of value}`.
fn report(accepted: bool, value: Result<Value, serde_json::Error>) -> Result<String, Failure> {
    let mut out = Map::new();
    out.insert("accepted".into(), Value::Bool(accepted));
    match value.map_err(|e| Failure(format!("cannot write the JSON: {e}")))? {
        Value::Object(fields) => out.extend(fields),
        other => return Err(Failure(format!("unexpected report shape {other}"))),
    }
    serde_json::to_string(&Value::Object(out)).map_err(|e| Failure(format!("cannot write the JSON: {e}")))
}

/// The JSON line to print, whether the form was accepted, and whether the example credentials
/// checked it.
fn run(o: &Options) -> Result<(String, bool, bool), Failure> {
    let submission = read_submission(o)?;
    let (credentials, example) = credentials()?;
    let options = VerifyOptions::default().allow_anonymous(o.allow_anonymous);
    let verifier = Verifier::new(o.bucket.clone(), o.region.clone()).with_options(options);
    let now = o.now.unwrap_or_else(OffsetDateTime::now_utc);
    let (accepted, line) = match verifier.verify_at(&submission, &credentials, now) {
        Ok(upload) => (true, report(true, serde_json::to_value(&upload))?),
        Err(rejection) => (false, report(false, serde_json::to_value(&rejection))?),
    };
    Ok((line, accepted, example))
}

fn main() -> ExitCode {
    let result = parse_args(std::env::args().skip(1)).and_then(|options| match options {
        Some(options) => run(&options).map(Some),
        None => Ok(None),
    });
    match result {
        Ok(None) => println!("{HELP}"),
        Ok(Some((line, accepted, example))) => {
            if example {
                cli::note_example_credentials(NAME, "verified with the OSS documentation's example credentials");
            }
            println!("{line}");
            if !accepted {
                return ExitCode::from(1);
            }
        }
        Err(Failure(message)) => {
            eprintln!("{NAME}: {}", message.replace(['\n', '\r'], " "));
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
