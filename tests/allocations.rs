//! Heap allocations per signed V4 form with a cached key, counted by a global allocator.
//!
//! The inputs are those of `benches/post_policy.rs` (the seed policy with a 600-character STS
//! token). The bound is the output the form must own, nothing more: no intermediate JSON
//! document, no re-encoding, no per-call field lists.
//!
//! Run `cargo test --test allocations -- --nocapture` to see the count.

use std::alloc::System;

use oss_post_policy::SigningKeyCache;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region as Counted, StatsAlloc};

#[path = "../benches/common/mod.rs"]
mod common;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The strings a V4 form owns and no other form could share: the base64 policy and
/// `x-oss-credential`. `x-oss-date` and `x-oss-signature` are fixed-width and kept inline;
/// field names are static; the upload URL, the fields the policy fixes, the fields the
/// browser must add and the key prefix are computed once per policy, and the STS token is the
/// credentials' own, all shared.
const OUTPUT_STRINGS: usize = 2;

#[test]
fn a_cached_key_signature_allocates_only_its_output_strings() {
    let (credentials, region, policy, now) = (common::credentials(), common::region(), common::policy(), common::NOW);
    let cache = SigningKeyCache::new();
    // The first call derives the key and fills the cache, the second keeps the policy's
    // document template for the scope; a service pays both once a day per credential scope.
    for _ in 0..2 {
        drop(policy.sign_at_cached(&credentials, &region, now, &cache).unwrap());
    }

    let counted = Counted::new(GLOBAL);
    let form = policy.sign_at_cached(&credentials, &region, now, &cache).unwrap();
    let stats = counted.change();
    let allocations = stats.allocations + stats.reallocations;

    assert_eq!(form.get("x-oss-signature"), Some(common::ALI_OSS_SIGNATURE));
    println!(
        "sign_at_cached: {allocations} allocations ({} new, {} grown), {} bytes; bound {OUTPUT_STRINGS}",
        stats.allocations, stats.reallocations, stats.bytes_allocated
    );
    assert!(allocations <= OUTPUT_STRINGS, "{allocations} allocations, bound {OUTPUT_STRINGS}: {stats:?}");
}
