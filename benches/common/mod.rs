//! The fixed inputs every benchmark signs (and posts), shared so that the one ali-oss signature
//! below pins them all. `benches/peers/inputs.json` describes the same inputs for the peer
//! implementations. Not every bench uses every item.
#![allow(dead_code)]

use oss_post_policy::time::{Duration, OffsetDateTime, macros::datetime};
use oss_post_policy::verify::{FilePart, Submission};
use oss_post_policy::{Bucket, Credentials, Field, FormFields, PostPolicy, Region, SuccessActionStatus};

/// An STS-style AccessKey pair (the `sts` pair of `tests/vectors/generator/generate.js`).
pub(crate) const ACCESS_KEY_ID: &str = "STS.NUgYrLnoC37mZZCNnAbez2Ly9";
pub(crate) const ACCESS_KEY_SECRET: &str = "Fq9kXz3RmW7pL2vN8bT4yH6jC1dG5sA0eU";
/// The signature ali-oss 6.23.0 computes for this policy at this time with these credentials
/// (`benches/peers/run.sh` prints it): we measure and count what the peers sign.
pub(crate) const ALI_OSS_SIGNATURE: &str = "a220ec37c738dbb6d1243e84ca9ac0883af13cd7263522ba6d1bbd7454bfb708";
/// The signature ali-oss 6.23.0 (`signatureUrlV4`) and alibabacloud-oss-v2 1.3.2
/// (`Client.presign`) compute for the presigned PUT of `user-dir/cat.png` with
/// `Content-Type: image/png`, 3600 s, at this time with these credentials
/// (`benches/peers/run.sh` prints theirs).
pub(crate) const ALI_OSS_PRESIGN_SIGNATURE: &str = "7b7ea3af2e39294630365dadfa63d3f2172bd60c6ed3aa291889b245596415fd";
/// The signing time.
pub(crate) const NOW: OffsetDateTime = datetime!(2024-11-27 06:09:41 UTC);

/// A 600-character STS token over the base64 alphabet: `"CAIS"` then the alphabet, repeated.
pub(crate) fn sts_token() -> String {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut token = String::from("CAIS");
    token.extend(ALPHABET.chars().cycle().take(596));
    token
}

/// The STS credentials.
pub(crate) fn credentials() -> Credentials {
    Credentials::new(ACCESS_KEY_ID, ACCESS_KEY_SECRET)
        .and_then(|c| c.with_security_token(sts_token()))
        .expect("valid credentials")
}

/// `cn-hangzhou`.
pub(crate) fn region() -> Region {
    Region::new("cn-hangzhou").expect("valid region")
}

/// The policy of Alibaba's direct-upload guide: bucket, the four V4 fields (written by the
/// signer), then `content-length-range`, `eq $success_action_status`, `starts-with $key`,
/// `in $content-type`, `not-in $cache-control`.
pub(crate) fn policy() -> PostPolicy {
    policy_with_prefix("user-dir/".to_owned())
}

/// The same policy with a per-user key prefix `users/{user}/`, as a service builds it for
/// every form.
pub(crate) fn policy_for_user(user: u64) -> PostPolicy {
    policy_with_prefix(format!("users/{user}/"))
}

fn policy_with_prefix(prefix: String) -> PostPolicy {
    PostPolicy::builder(Bucket::new("examplebucket").expect("valid bucket"))
        .expires_in(Duration::hours(1))
        .content_length_range(1, 10_485_760)
        .success_action_status(SuccessActionStatus::Ok)
        .key_starts_with(prefix)
        .is_in(Field::custom("content-type"), ["image/jpeg", "image/png"])
        .not_in(Field::custom("cache-control"), ["no-cache"])
        .build()
        .expect("valid policy")
}

/// What the browser posts for `form` (signed from [`policy`]): the signed fields, the fields the
/// policy leaves to it, then the file.
pub(crate) fn submission(form: &FormFields) -> Submission {
    Submission::new()
        .with_fields(form.iter())
        .with_field("key", "user-dir/cat.png")
        .with_field("content-type", "image/png")
        .with_field("cache-control", "max-age=60")
        .with_file(FilePart::new("cat.png", 2048).with_content_type("image/png"))
}
