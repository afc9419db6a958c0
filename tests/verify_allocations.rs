//! Heap allocations per accepted V4 submission, counted by a global allocator.
//!
//! The inputs are those of the `verify_v4` benchmark in `benches/post_policy.rs`: the seed
//! policy signed with a 600-character STS token, posted with the fields it leaves to the
//! browser, checked by a verifier whose key cache is warm, as a service runs it. The bound is
//! the buffers the checks need and the answer's own strings: no copy of a policy string, no
//! JSON tree, no lower-cased field names, no hash sets.
//!
//! Run `cargo test --test verify_allocations -- --nocapture` to see the count.

use std::alloc::System;
use std::sync::Arc;

use oss_post_policy::SigningKeyCache;
use oss_post_policy::time::Duration;
use oss_post_policy::verify::Verifier;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region as Counted, StatsAlloc};

#[path = "../benches/common/mod.rs"]
mod common;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The decoded policy text, the form's field index, the list of conditions and the value
/// lists of its `in` and `not-in` conditions (2): the checks' buffers.
const WORKING: usize = 1 + 1 + 1 + 2;
/// The accepted upload's strings: the object name, its content type and cache control, the
/// AccessKey id.
const ANSWER: usize = 4;
const BOUND: usize = WORKING + ANSWER;

#[test]
fn an_accepted_submission_allocates_its_buffers_and_answer_only() {
    let (credentials, region, policy, now) = (common::credentials(), common::region(), common::policy(), common::NOW);
    let form = policy.sign_at(&credentials, &region, now).unwrap();
    let sent = common::submission(&form);
    let verifier =
        Verifier::new(policy.bucket().clone(), region.clone()).with_key_cache(Arc::new(SigningKeyCache::new()));
    let later = now + Duration::minutes(5);
    // The first call derives the day's key into the cache.
    drop(verifier.verify_at(&sent, &credentials, later).unwrap());

    let counted = Counted::new(GLOBAL);
    let upload = verifier.verify_at(&sent, &credentials, later).unwrap();
    let stats = counted.change();
    let allocations = stats.allocations + stats.reallocations;

    assert_eq!(upload.key, "user-dir/cat.png");
    println!(
        "verify_at: {allocations} allocations ({} new, {} grown), {} bytes; bound {BOUND}",
        stats.allocations, stats.reallocations, stats.bytes_allocated
    );
    assert!(allocations <= BOUND, "{allocations} allocations, bound {BOUND}: {stats:?}");
}
