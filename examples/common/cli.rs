//! The command-line helpers the example binaries share: the argument loop (`next_option`,
//! `value`, `flag`, `unknown`), the value parsers (`number`, `time`, `region`), the credentials
//! (`credentials`, `note_example_credentials`) and `Failure`, the one stderr line and exit status
//! a binary stops with (`Failure::exit`, `print_signed`).
//!
//! Included with `#[path = "common/cli.rs"] mod cli;` (from `upload-server/src/main.rs`:
//! `"../../common/cli.rs"`); cargo builds no example from this folder, which has no `main.rs`.

use std::iter::Peekable;
use std::process::ExitCode;

use oss_post_policy::credentials::{ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SESSION_TOKEN};
use oss_post_policy::time::{OffsetDateTime, format_description::well_known::Rfc3339};
use oss_post_policy::{Credentials, Region};

/// Why the program stops: input it refuses (exit 1) or a command line it cannot read (exit 2).
pub(crate) enum Failure {
    /// Input refused, or a failure while running: exit 1.
    Refused(String),
    /// A command line the binary cannot read: exit 2.
    Usage(String),
}

impl From<oss_post_policy::Error> for Failure {
    fn from(e: oss_post_policy::Error) -> Self {
        Self::Refused(e.to_string())
    }
}

impl Failure {
    /// Prints `name: message` on stderr (a refusal on one line) and returns 1 refused, 2 usage.
    pub(crate) fn exit(self, name: &str) -> ExitCode {
        match self {
            Self::Refused(message) => {
                eprintln!("{name}: {}", message.replace(['\n', '\r'], " "));
                ExitCode::from(1)
            }
            Self::Usage(message) => {
                eprintln!("{name}: {message}");
                ExitCode::from(2)
            }
        }
    }
}

/// The next argument as an option name and, for `--opt=value`, its value.
pub(crate) fn next_option(args: &mut impl Iterator<Item = String>) -> Option<(String, Option<String>)> {
    let arg = args.next()?;
    Some(match arg.split_once('=') {
        Some((name, value)) if name.starts_with("--") => (name.to_owned(), Some(value.to_owned())),
        _ => (arg, None),
    })
}

/// The value of option `name`: after its `=`, else the next argument unless that is an option.
pub(crate) fn value(
    args: &mut Peekable<impl Iterator<Item = String>>,
    name: &str,
    inline: Option<String>,
) -> Result<String, Failure> {
    inline
        .or_else(|| args.next_if(|next| !next.starts_with("--")))
        .ok_or_else(|| Failure::Usage(format!("{name} needs a value")))
}

/// A bare flag: `true`, or a usage error for `--flag=value`.
pub(crate) fn flag(name: &str, inline: Option<&str>) -> Result<bool, Failure> {
    match inline {
        None => Ok(true),
        Some(_) => Err(Failure::Usage(format!("{name} takes no value"))),
    }
}

/// The usage error for an argument no option matched.
pub(crate) fn unknown(name: &str) -> Failure {
    let what = if name.starts_with('-') { "unknown option" } else { "unexpected argument" };
    Failure::Usage(format!("{what} {name:?} (see --help)"))
}

/// The whole number `value` of option `name`, or a usage error.
pub(crate) fn number<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, Failure> {
    value.parse().map_err(|_| Failure::Usage(format!("{name} {value:?} is not a whole number")))
}

/// The RFC 3339 time `value` of option `name`, or a usage error.
pub(crate) fn time(name: &str, value: &str) -> Result<OffsetDateTime, Failure> {
    OffsetDateTime::parse(value, &Rfc3339)
        .map_err(|_| Failure::Usage(format!("{name} {value:?} is not an RFC 3339 time such as 2024-11-27T06:09:41Z")))
}

/// The region; an endpoint such as `oss-cn-hangzhou.aliyuncs.com` is refused, naming its region.
pub(crate) fn region(value: &str) -> Result<Region, Failure> {
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
pub(crate) fn credentials() -> Result<(Credentials, bool), Failure> {
    let names = [ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SESSION_TOKEN];
    if names.iter().all(|name| std::env::var_os(name).is_none_or(|v| v.is_empty())) {
        return Ok((Credentials::example(), true));
    }
    Ok((Credentials::from_env()?, false))
}

/// Says on stderr that the credential variables are not set, then what the binary does instead.
pub(crate) fn note_example_credentials(name: &str, instead: &str) {
    eprintln!("{name}: {ENV_ACCESS_KEY_ID}, {ENV_ACCESS_KEY_SECRET} and {ENV_SESSION_TOKEN} are not set; {instead}");
}

/// The end of a signing binary's `main`: `help` for `--help` (`None`), else the JSON (after a
/// note when the example credentials signed it) and exit 0; or the failure's line and status.
pub(crate) fn print_signed(name: &str, help: &str, result: Result<Option<(String, bool)>, Failure>) -> ExitCode {
    match result {
        Ok(None) => println!("{help}"),
        Ok(Some((json, example))) => {
            if example {
                note_example_credentials(
                    name,
                    "signed with the OSS documentation's example credentials, which OSS refuses",
                );
            }
            println!("{json}");
        }
        Err(failure) => return failure.exit(name),
    }
    ExitCode::SUCCESS
}
