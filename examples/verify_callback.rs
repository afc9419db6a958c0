//! Checks that an upload-callback request comes from OSS, offline (feature `callback-verify`).
//!
//! ```sh
//! cargo run --all-features --example verify_callback -- --path PATH [--query QUERY] \
//!     --body-file FILE --authorization AUTH --pub-key-url URL [--public-key PEMFILE]
//! ```
//!
//! `PATH` is the request path as received (percent-encoded), `QUERY` the raw query without `?`
//! (absent or empty: no query), `FILE` the raw body, `AUTH` and `URL` the values of the
//! `authorization` and `x-oss-pub-key-url` headers as received. Without `--public-key` it
//! trusts OSS's built-in key `callback_pub_key_v1.pem`; with it, that PEM key (the key URL must
//! still be on `gosspublic.alicdn.com`; its file name is then not checked). The body's type is
//! detected: JSON when its first non-blank byte is `{`, else form-urlencoded.
//!
//! Prints `{"verified":true,"callback":{"body_type":...,"entries":[[name,value],...]}}` and
//! exits 0, or `{"verified":false,"reason":"..."}` (the step that failed) and exits 1. A usage
//! error or an unreadable file prints one line on stderr and exits 2.
//!
//! OSS's own example (Callback.md, `POST /index.php?id=1&index=2`):
//!
//! ```sh
//! printf 'bucket=yonghu-test' > body.txt
//! cargo run --all-features --example verify_callback -- --path /index.php --query 'id=1&index=2' \
//!     --body-file body.txt \
//!     --authorization 'kKQeGTRccDKyHB3H9vF+xYMSrmhMZjzzl2/kdD1ktNVgbWEfYTQG0G2SU/RaHBovRCE8OkQDjC3uG33esH2txA==' \
//!     --pub-key-url aHR0cDovL2dvc3NwdWJsaWMuYWxpY2RuLmNvbS9jYWxsYmFja19wdWJfa2V5X3YxLnBlbQ==
//! ```

// Only the argument loop of the shared helpers is used here.
#[allow(dead_code)]
#[path = "common/cli.rs"]
mod cli;

use std::process::ExitCode;

use oss_post_policy::callback_request::{CallbackPublicKey, CallbackRequest, CallbackRequestError};

use cli::{Failure, next_option, unknown, value};

const NAME: &str = "verify_callback";
const HELP: &str = "\
usage: verify_callback --path PATH [--query QUERY] --body-file FILE --authorization AUTH --pub-key-url URL [--public-key PEMFILE]

Checks that an upload-callback request comes from OSS (its RSA signature) and prints one JSON
object: {\"verified\": true, \"callback\": {...}} or {\"verified\": false, \"reason\": \"...\"}.

options (--opt value or --opt=value; a value starting with -- needs the = form):
  --path PATH            the request path as received, percent-encoded, without the query
  --query QUERY          the raw query, without '?'; absent or empty: no query
  --body-file FILE       the raw request body
  --authorization AUTH   the authorization header as received (base64 signature)
  --pub-key-url URL      the x-oss-pub-key-url header as received (base64 URL)
  --public-key PEMFILE   trust this PEM public key instead of OSS's built-in key
                         (the key URL must still be on gosspublic.alicdn.com)
  -h, --help             print this help

Exit status: 0 verified, 1 refused, 2 usage error or unreadable file.";

struct Options {
    path: String,
    query: Option<String>,
    body_file: String,
    authorization: String,
    pub_key_url: String,
    public_key: Option<String>,
}

/// The options, or `None` for `--help`.
fn parse_args(args: impl Iterator<Item = String>) -> Result<Option<Options>, Failure> {
    let (mut path, mut query, mut body_file, mut authorization, mut pub_key_url, mut public_key) =
        (None, None, None, None, None, None);
    let mut args = args.peekable();
    while let Some((name, inline)) = next_option(&mut args) {
        let mut value = || value(&mut args, &name, inline.clone());
        match name.as_str() {
            "--path" => path = Some(value()?),
            "--query" => query = Some(value()?),
            "--body-file" => body_file = Some(value()?),
            "--authorization" => authorization = Some(value()?),
            "--pub-key-url" => pub_key_url = Some(value()?),
            "--public-key" => public_key = Some(value()?),
            "-h" | "--help" => return Ok(None),
            _ => return Err(unknown(&name)),
        }
    }
    let required = |value: Option<String>, name: &str| {
        value.ok_or_else(|| Failure::Usage(format!("{name} is required (see --help)")))
    };
    Ok(Some(Options {
        path: required(path, "--path")?,
        query,
        body_file: required(body_file, "--body-file")?,
        authorization: required(authorization, "--authorization")?,
        pub_key_url: required(pub_key_url, "--pub-key-url")?,
        public_key,
    }))
}

/// A file's bytes, or the usage failure (exit 2) naming it.
fn read(flag: &str, file: &str) -> Result<Vec<u8>, Failure> {
    std::fs::read(file).map_err(|e| Failure::Usage(format!("{flag} {file:?}: {e}")))
}

/// Verifies the request: the callback's JSON, or the refusal.
fn check(o: &Options) -> Result<Result<String, CallbackRequestError>, Failure> {
    let body = read("--body-file", &o.body_file)?;
    let key = match &o.public_key {
        None => CallbackPublicKey::oss(),
        Some(file) => {
            let pem = String::from_utf8_lossy(&read("--public-key", file)?).into_owned();
            match CallbackPublicKey::from_pem(&pem) {
                Ok(key) => key,
                Err(e) => return Ok(Err(e)),
            }
        }
    };
    let mut request = CallbackRequest::new(&o.path, &body).authorization(&o.authorization).pub_key_url(&o.pub_key_url);
    if let Some(query) = &o.query {
        request = request.query(query);
    }
    Ok(request.verify(&key).map(|callback| serde_json::to_string(&callback).expect("strings and pairs serialise")))
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(failure) => return failure.exit(NAME),
    };
    match check(&options) {
        Ok(Ok(callback)) => {
            println!("{{\"verified\":true,\"callback\":{callback}}}");
            ExitCode::SUCCESS
        }
        Ok(Err(refusal)) => {
            let reason = serde_json::to_string(&refusal.to_string()).expect("a string serialises");
            println!("{{\"verified\":false,\"reason\":{reason}}}");
            ExitCode::from(1)
        }
        Err(failure) => failure.exit(NAME),
    }
}
