//! Allocations of one call of each benchmarked operation, printed as a table: reported, not
//! pinned by a test. Its own binary, so that the counting allocator does not slow down the
//! timings of `benches/post_policy.rs`.
//!
//! ```sh
//! cargo bench --bench allocations
//! ```

use std::alloc::System;

use oss_post_policy::time::Duration;
use oss_post_policy::verify::Verifier;
use oss_post_policy::{Signer, SigningKeyCache};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

mod common;

#[global_allocator]
static ALLOCATOR: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Allocations of one call, after a warm-up call (which fills the key cache).
fn allocations(call: &dyn Fn()) -> usize {
    call();
    let counted = Region::new(ALLOCATOR);
    call();
    counted.change().allocations
}

fn main() {
    let (credentials, now) = (common::credentials(), common::NOW);
    let policy = common::policy();
    let signer = Signer::new(credentials.clone(), common::region());
    let cached = signer.clone().with_key_cache(SigningKeyCache::new());
    let form = policy.sign_at(&signer, now).expect("signs");
    let sent = common::submission(&form);
    let verifier = Verifier::new(policy.bucket().clone(), common::region()).with_key_cache(SigningKeyCache::new());
    let later = now + Duration::minutes(5);
    let calls: [(&str, &dyn Fn()); 4] = [
        ("sign_v4_cached_key", &|| drop(policy.sign_at(&cached, now))),
        ("sign_v4", &|| drop(policy.sign_at(&signer, now))),
        ("verify_v4", &|| drop(verifier.verify_at(&sent, &credentials, later))),
        ("build_and_sign_v4", &|| drop(common::policy_for_user(42).sign_at(&cached, now))),
    ];
    println!("| benchmark | allocations per call |\n|---|---:|");
    for (id, call) in calls {
        println!("| `{id}` | {} |", allocations(call));
    }
}
