//! Heap allocations per signed V4 form with a cached key, counted by a global allocator.
//!
//! The inputs are those of `benches/post_policy.rs` (the seed policy with a 600-character STS
//! token). The bound is the output the form must own, nothing more: no intermediate JSON
//! document, no re-encoding, no per-call field lists.
//!
//! Run `cargo test --test allocations -- --nocapture` to see the count.

use std::alloc::System;

use oss_post_policy::time::{Duration, macros::datetime};
use oss_post_policy::{Bucket, Credentials, Field, PostPolicy, Region, SigningKeyCache, SuccessActionStatus};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region as Counted, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// ali-oss 6.23.0's signature for these inputs (`benches/peers/run.sh` prints it).
const ALI_OSS_SIGNATURE: &str = "a220ec37c738dbb6d1243e84ca9ac0883af13cd7263522ba6d1bbd7454bfb708";

/// The strings a V4 form owns and no other form could share: the base64 policy and
/// `x-oss-credential`. `x-oss-date` and `x-oss-signature` are fixed-width and kept inline;
/// field names are static; the upload URL, the fields the policy fixes, the fields the
/// browser must add and the key prefix are computed once per policy, and the STS token is the
/// credentials' own, all shared.
const OUTPUT_STRINGS: usize = 2;

#[test]
fn a_cached_key_signature_allocates_only_its_output_strings() {
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let token: String = "CAIS".chars().chain(alphabet.chars().cycle().take(596)).collect();
    let credentials = Credentials::new("STS.NUgYrLnoC37mZZCNnAbez2Ly9", "Fq9kXz3RmW7pL2vN8bT4yH6jC1dG5sA0eU")
        .and_then(|c| c.with_security_token(token))
        .unwrap();
    let region = Region::new("cn-hangzhou").unwrap();
    let policy = PostPolicy::builder(Bucket::new("examplebucket").unwrap())
        .expires_in(Duration::hours(1))
        .content_length_range(1, 10_485_760)
        .success_action_status(SuccessActionStatus::Ok)
        .key_starts_with("user-dir/")
        .is_in(Field::custom("content-type"), ["image/jpeg", "image/png"])
        .not_in(Field::custom("cache-control"), ["no-cache"])
        .build()
        .unwrap();
    let now = datetime!(2024-11-27 06:09:41 UTC);
    let cache = SigningKeyCache::new();
    // The first call derives the key and fills the cache; the service pays that once a day.
    drop(policy.sign_at_cached(&credentials, &region, now, &cache).unwrap());

    let counted = Counted::new(GLOBAL);
    let form = policy.sign_at_cached(&credentials, &region, now, &cache).unwrap();
    let stats = counted.change();
    let allocations = stats.allocations + stats.reallocations;

    assert_eq!(form.get("x-oss-signature"), Some(ALI_OSS_SIGNATURE));
    println!(
        "sign_at_cached: {allocations} allocations ({} new, {} grown), {} bytes; bound {OUTPUT_STRINGS}",
        stats.allocations, stats.reallocations, stats.bytes_allocated
    );
    assert!(allocations <= OUTPUT_STRINGS, "{allocations} allocations, bound {OUTPUT_STRINGS}: {stats:?}");
}
