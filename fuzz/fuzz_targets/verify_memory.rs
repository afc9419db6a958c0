//! The verifier's memory on large forms: its peak allocation must stay proportional to the
//! form it is given (run with `-max_len=1048576`).
//!
//! The input is a form written as text: a flags byte, then lines. The first line is the file
//! name; every other line is a field `name=value` (no `=`: an empty value), except `@file`,
//! which places the file part there (otherwise it is last), and `policy=TEXT`, whose text the
//! target encodes and signs (V4, or V1 by flag) with the documentation's example credentials,
//! so that the fuzzer gets past the signature to the conditions and the field values.
//!
//! A counting global allocator records the most heap bytes live at once while the verifier
//! runs, both ways (`verify_at`, and `check_fields_at` then `finish_with_trailing` as a server
//! calls them), and while it writes its answer (the upload as JSON or the rejection as XML).
//! The bound, with `input` the bytes the caller holds for the `Submission` (each field's name
//! and value plus its 48-byte `(String, String)` slot, and the file name):
//!
//! `peak ≤ K · input + C`, `K = 32`, `C = 16 KiB`.
//!
//! - `K`: the policy's JSON tree is the largest copy: `0,` is 2 bytes of text (8/3 of base64)
//!   for a 32-byte `Json` node, in a `Vec` that may hold twice its length: up to 24 bytes per
//!   byte of the `policy` field (measured: 21.7 times an 800 KB form that is almost all
//!   `[0,0,...]` policy). Everything else is smaller: the form's index (under 6 times the
//!   48-byte slot per field), a condition quoted in a rejection (12.8 times for an `in` list of
//!   100,000 `""`), values copied into the upload once and escaped in JSON (at most 6 times,
//!   `\u0001`) or XML (at most 6 times, `&apos;`: 6.7 times measured), each in a `String`
//!   that may hold twice its length.
//! - `C`: what any form costs: the signing key and its cache entry, the HMAC state, the
//!   upload or rejection with their fixed texts (measured: 2.6 KB for a signed form of 1 KB).
//!
//! The verifier that expanded `${filename}` before checking the key's length broke it from a
//! few KB on: 5.6 MB for the 25 KB seed `filename_expansion` (2,000 `${filename}`, a 2 KB
//! name), 645 MiB for 20,000 and 20 KB.
#![no_main]

use std::alloc::System;

use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use oss_post_policy::verify::{
    AcceptedUpload, ExtraFields, FieldNameCase, FilePart, Rejection, Submission, TrailingFields, Verifier,
    VerifyOptions,
};
use oss_post_policy::{Bucket, Credentials, Region, SigningKey};
use peakmem_alloc::{INSTRUMENTED_SYSTEM, PeakMemAlloc, PeakMemAllocTrait};
use time::{OffsetDateTime, macros::datetime};

#[global_allocator]
static ALLOCATOR: &PeakMemAlloc<System> = &INSTRUMENTED_SYSTEM;

const K: usize = 32;
const C: usize = 16 * 1024;

const NOW: OffsetDateTime = datetime!(2024-01-01 00:05:00 UTC);
const CREDENTIAL: &str = "44CF9590006BF252F707/20240101/cn-hangzhou/oss/aliyun_v4_request";
const X_OSS_DATE: &str = "20240101T000000Z";
const FILE_MARK: &str = "@file";

fn sign_v1(secret: &str, policy: &str) -> String {
    use hmac::{KeyInit as _, Mac as _};
    let Ok(mut mac) = hmac::Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()) else { return String::new() };
    mac.update(policy.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The form the input describes, and the options its flags select.
fn form(data: &[u8]) -> Option<(Submission, VerifyOptions)> {
    let (&flags, rest) = data.split_first()?;
    let text = String::from_utf8_lossy(rest);
    let mut lines = text.split('\n');
    let filename = lines.next()?.to_owned();
    let credentials = Credentials::example();
    let mut sub = Submission::new();
    let mut position = None;
    for line in lines {
        if line == FILE_MARK {
            position = Some(sub.fields.len());
            continue;
        }
        let (name, value) = line.split_once('=').unwrap_or((line, ""));
        if name != "policy" {
            sub.fields.push((name.to_owned(), value.to_owned()));
            continue;
        }
        let policy = base64::engine::general_purpose::STANDARD.encode(value);
        let signed: Vec<(&str, String)> = if flags & 0x20 == 0 {
            let key =
                SigningKey::derive(credentials.access_key_secret(), NOW.date(), &Region::new("cn-hangzhou").ok()?);
            vec![
                ("x-oss-signature-version", "OSS4-HMAC-SHA256".to_owned()),
                ("x-oss-credential", CREDENTIAL.to_owned()),
                ("x-oss-date", X_OSS_DATE.to_owned()),
                ("x-oss-signature", key.sign(policy.as_bytes())),
            ]
        } else {
            vec![
                ("OSSAccessKeyId", credentials.access_key_id().to_owned()),
                ("Signature", sign_v1(credentials.access_key_secret(), &policy)),
            ]
        };
        sub.fields.push(("policy".to_owned(), policy));
        sub.fields.extend(signed.into_iter().map(|(n, v)| (n.to_owned(), v)));
    }
    let mut file = FilePart::new(filename, u64::from(flags >> 6) * 1000);
    file.position = position.unwrap_or(sub.fields.len());
    sub.files.push(file);
    let options = VerifyOptions::default()
        .field_name_case(if flags & 1 == 0 { FieldNameCase::Insensitive } else { FieldNameCase::Strict })
        .trailing_fields(if flags & 2 == 0 { TrailingFields::Reject } else { TrailingFields::IgnoreUnknown })
        .extra_fields(if flags & 4 == 0 { ExtraFields::Allowed } else { ExtraFields::Rejected })
        .require_v4_conditions(flags & 8 != 0)
        .allow_anonymous(flags & 0x10 != 0);
    Some((sub, options))
}

/// Bytes the caller holds for the form.
fn input_len(sub: &Submission) -> usize {
    let slot = size_of::<(String, String)>();
    sub.fields.iter().map(|(n, v)| slot + n.len() + v.len()).sum::<usize>()
        + sub.files.iter().map(|f| size_of::<FilePart>() + f.filename.len()).sum::<usize>()
}

/// The answer as a server writes it.
fn write(answer: &Result<AcceptedUpload, Rejection>) -> usize {
    match answer {
        Ok(upload) => serde_json::to_string(upload).map_or(0, |json| json.len()),
        Err(rejection) => rejection.to_xml("request-id", "host-id").len(),
    }
}

/// Runs `f`, returning its result and the most heap it held at once.
fn measured<T>(f: impl FnOnce() -> T) -> (T, usize) {
    ALLOCATOR.reset_peak_memory();
    let out = f();
    (out, ALLOCATOR.get_peak_memory())
}

fuzz_target!(|data: &[u8]| {
    let Some((sub, options)) = form(data) else { return };
    let (Ok(bucket), Ok(region)) = (Bucket::new("examplebucket"), Region::new("cn-hangzhou")) else { return };
    let verifier = Verifier::new(bucket, region).with_options(options);
    let credentials = Credentials::example();
    let bound = K * input_len(&sub) + C;

    let ((one, _), peak) = measured(|| {
        let answer = verifier.verify_at(&sub, &credentials, NOW);
        let written = write(&answer);
        (answer, written)
    });
    assert!(peak <= bound, "verify_at: {peak} bytes at peak for a {} byte form", input_len(&sub));

    let file = &sub.files[0];
    let (before, after) = sub.fields.split_at(file.position.min(sub.fields.len()));
    let head = Submission { fields: before.to_vec(), files: vec![FilePart { size: u64::MAX, ..file.clone() }] };
    let ((two, _), peak) = measured(|| {
        let answer = verifier
            .check_fields_at(&head, &credentials, NOW)
            .and_then(|pending| pending.finish_with_trailing(file.size, after));
        let written = write(&answer);
        (answer, written)
    });
    assert!(peak <= bound, "two steps: {peak} bytes at peak for a {} byte form", input_len(&sub));
    assert_eq!(one.as_ref().ok(), two.as_ref().ok(), "one step and two steps disagree");
});
