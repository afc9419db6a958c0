//! The whole verifier on arbitrary submissions. No input may panic or hang, and the two-step
//! API (`check_fields_at`, then `PendingUpload::finish_with_trailing`) answers as `verify_at`.
//!
//! To get past the signature, the input mostly describes a policy (expiration and typed
//! conditions, or a raw text) that the target writes out and signs correctly (V4 or V1, with
//! the documentation's example credentials); it can also add form fields that satisfy each
//! condition, so the fuzzer explores evaluation, field values and callbacks, not only the
//! early rejections.
#![no_main]

use arbitrary::Arbitrary;
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use oss_post_policy::verify::{
    ExtraFields, FieldNameCase, FilePart, Submission, TrailingFields, Verifier, VerifyOptions,
};
use oss_post_policy::{Bucket, Credentials, Region, SigningKey};
use time::{Duration, OffsetDateTime, macros::datetime};

const NOW: OffsetDateTime = datetime!(2024-01-01 00:05:00 UTC);
const CREDENTIAL: &str = "44CF9590006BF252F707/20240101/cn-hangzhou/oss/aliyun_v4_request";
const X_OSS_DATE: &str = "20240101T000000Z";

#[derive(Debug, Arbitrary)]
enum Name {
    Key,
    Bucket,
    Status,
    ContentType,
    Meta(String),
    Callback,
    CallbackVar,
    Acl,
    Encryption,
    XOssDate,
    Token,
    Any(String),
}

impl Name {
    fn as_str(&self) -> &str {
        match self {
            Self::Key => "key",
            Self::Bucket => "bucket",
            Self::Status => "success_action_status",
            Self::ContentType => "Content-Type",
            Self::Meta(m) => m,
            Self::Callback => "callback",
            Self::CallbackVar => "callback-var",
            Self::Acl => "x-oss-object-acl",
            Self::Encryption => "x-oss-server-side-encryption",
            Self::XOssDate => "x-oss-date",
            Self::Token => "x-oss-security-token",
            Self::Any(s) => s,
        }
    }
}

#[derive(Debug, Arbitrary)]
enum Cond {
    Exact(Name, String),
    Eq(Name, String),
    StartsWith(Name, String),
    In(Name, Vec<String>),
    NotIn(Name, Vec<String>),
    Range(u64, u64),
    Raw(String),
}

#[derive(Debug, Arbitrary)]
enum Policy {
    Built { expires_in_seconds: i16, conditions: Vec<Cond>, extra_key: Option<String> },
    Raw(String),
}

#[derive(Debug, Arbitrary)]
struct Input {
    policy: Policy,
    /// 0: unsigned, 1: V4, 2: V1, 3: V4 with a wrong signature.
    sign: u8,
    satisfy: bool,
    fields: Vec<(String, String)>,
    key: Option<String>,
    file_size: u64,
    filename: String,
    file_type: Option<String>,
    /// `None`: the file is last.
    file_position: Option<u8>,
    /// 0: no file, 1: two files, otherwise one.
    extra_files: u8,
    token: Option<String>,
    now_offset_seconds: i16,
    strict_case: bool,
    reject_extra: bool,
    ignore_trailing: bool,
    allow_anonymous: bool,
    require_v4: bool,
    skew_minutes: i8,
}

fn json(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn list(values: &[String]) -> String {
    format!("[{}]", values.iter().map(|v| json(v)).collect::<Vec<_>>().join(","))
}

/// The policy text, and the form fields that satisfy its conditions.
fn write_policy(policy: &Policy) -> (String, Vec<(String, String)>) {
    let (expires_in_seconds, conditions, extra_key) = match policy {
        Policy::Built { expires_in_seconds, conditions, extra_key } => (expires_in_seconds, conditions, extra_key),
        Policy::Raw(text) => return (text.clone(), Vec::new()),
    };
    let expiration = NOW + Duration::seconds(i64::from(*expires_in_seconds));
    let expiration = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        expiration.year(),
        u8::from(expiration.month()),
        expiration.day(),
        expiration.hour(),
        expiration.minute(),
        expiration.second()
    );
    let mut satisfying = Vec::new();
    let written: Vec<String> = conditions
        .iter()
        .map(|c| match c {
            Cond::Exact(n, v) => {
                satisfying.push((n.as_str().to_owned(), v.clone()));
                format!("{{{}:{}}}", json(n.as_str()), json(v))
            }
            Cond::Eq(n, v) => {
                satisfying.push((n.as_str().to_owned(), v.clone()));
                format!("[\"eq\",{},{}]", json(&format!("${}", n.as_str())), json(v))
            }
            Cond::StartsWith(n, p) => {
                satisfying.push((n.as_str().to_owned(), format!("{p}${{filename}}")));
                format!("[\"starts-with\",{},{}]", json(&format!("${}", n.as_str())), json(p))
            }
            Cond::In(n, vs) => {
                if let Some(v) = vs.first() {
                    satisfying.push((n.as_str().to_owned(), v.clone()));
                }
                format!("[\"in\",{},{}]", json(&format!("${}", n.as_str())), list(vs))
            }
            Cond::NotIn(n, vs) => {
                satisfying.push((n.as_str().to_owned(), format!("{}x", vs.concat())));
                format!("[\"not-in\",{},{}]", json(&format!("${}", n.as_str())), list(vs))
            }
            Cond::Range(min, max) => format!("[\"content-length-range\",{min},{max}]"),
            Cond::Raw(raw) => raw.clone(),
        })
        .collect();
    let extra = extra_key.as_ref().map(|k| format!(",{}:1", json(k))).unwrap_or_default();
    (format!("{{\"expiration\":{},\"conditions\":[{}]{extra}}}", json(&expiration), written.join(",")), satisfying)
}

fn sign_v1(secret: &str, policy: &str) -> String {
    use hmac::{KeyInit as _, Mac as _};
    let Ok(mut mac) = hmac::Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()) else { return String::new() };
    mac.update(policy.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fuzz_target!(|input: Input| {
    let (Ok(bucket), Ok(region)) = (Bucket::new("examplebucket"), Region::new("cn-hangzhou")) else { return };
    let mut credentials = Credentials::example();
    if let Some(token) = input.token.as_deref() {
        match credentials.clone().with_security_token(token) {
            Ok(c) => credentials = c,
            Err(_) => return,
        }
    }
    let (text, satisfying) = write_policy(&input.policy);
    let policy = base64::engine::general_purpose::STANDARD.encode(&text);
    let mut sub = Submission::new().with_fields(input.fields.iter().cloned());
    if input.satisfy {
        sub = sub.with_fields(satisfying.into_iter().filter(|(n, _)| n != "bucket"));
    }
    if let Some(key) = &input.key {
        sub = sub.with_field("key", key.clone());
    }
    match input.sign % 4 {
        0 => {}
        2 => {
            let signature = sign_v1(credentials.access_key_secret(), &policy);
            sub = sub.with_fields([
                ("policy", policy.as_str()),
                ("OSSAccessKeyId", credentials.access_key_id()),
                ("Signature", signature.as_str()),
            ]);
        }
        wrong => {
            let key = SigningKey::derive(credentials.access_key_secret(), NOW.date(), &region);
            let signature = if wrong == 3 { key.sign(b"another policy") } else { key.sign(policy.as_bytes()) };
            sub = sub.with_fields([
                ("policy", policy.as_str()),
                ("x-oss-signature-version", "OSS4-HMAC-SHA256"),
                ("x-oss-credential", CREDENTIAL),
                ("x-oss-date", X_OSS_DATE),
                ("x-oss-signature", signature.as_str()),
            ]);
        }
    }
    if let Some(token) = credentials.security_token() {
        sub = sub.with_field("x-oss-security-token", token);
    }
    let mut file = FilePart::new(input.filename, input.file_size);
    file.content_type = input.file_type;
    let position = input.file_position.map_or(sub.fields.len(), usize::from);
    // Mostly one file; sometimes none or two.
    let count = match input.extra_files {
        0 => 0,
        1 => 2,
        _ => 1,
    };
    for _ in 0..count {
        let mut part = file.clone();
        part.position = position;
        sub.files.push(part);
    }
    let options = VerifyOptions::default()
        .field_name_case(if input.strict_case { FieldNameCase::Strict } else { FieldNameCase::Insensitive })
        .extra_fields(if input.reject_extra { ExtraFields::Rejected } else { ExtraFields::Allowed })
        .trailing_fields(if input.ignore_trailing { TrailingFields::IgnoreUnknown } else { TrailingFields::Reject })
        .allow_anonymous(input.allow_anonymous)
        .require_v4_conditions(input.require_v4)
        .clock_skew(Duration::minutes(i64::from(input.skew_minutes)));
    let verifier = Verifier::new(bucket, region).with_options(options);
    let now = NOW + Duration::seconds(i64::from(input.now_offset_seconds));
    let one = verifier.verify_at(&sub, &credentials, now);
    match &one {
        Ok(upload) => {
            let _ = serde_json::to_string(upload);
        }
        Err(rejection) => {
            let _ = rejection.to_xml("request-id", "host-id");
        }
    }
    // As a server calls it: the fields before the file with a wrong size, then the size and
    // the fields after it. It accepts exactly what `verify_at` accepts, within the limits it
    // announced; without fields after the file it refuses alike.
    let [file] = sub.files.as_slice() else { return };
    let (before, after) = sub.fields.split_at(file.position.min(sub.fields.len()));
    let head = Submission { fields: before.to_vec(), files: vec![FilePart { size: !file.size, ..file.clone() }] };
    let two = verifier.check_fields_at(&head, &credentials, now).and_then(|pending| {
        if one.is_ok() {
            assert!((pending.min_file_size()..=pending.max_file_size()).contains(&file.size));
        }
        pending.finish_with_trailing(file.size, after)
    });
    if after.is_empty() {
        assert_eq!(one, two);
    } else {
        assert_eq!(one.ok(), two.ok());
    }
});
