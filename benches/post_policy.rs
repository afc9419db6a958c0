//! Criterion benchmarks for signing POST policies.
#![allow(missing_docs)] // criterion_group! and criterion_main! generate undocumented items

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use oss_post_policy::time::{Duration, macros::datetime};
use oss_post_policy::{Bucket, Credentials, PostPolicy, Region, SigningKeyCache, SuccessActionStatus};

fn post_policy(c: &mut Criterion) {
    let creds = Credentials::example();
    let region = Region::new("cn-hangzhou").expect("valid region");
    let policy = PostPolicy::builder(Bucket::new("examplebucket").expect("valid bucket"))
        .expires_in(Duration::hours(1))
        .content_length_range(1, 10_485_760)
        .success_action_status(SuccessActionStatus::Ok)
        .key_starts_with("user-dir/")
        .build()
        .expect("valid policy");
    let now = datetime!(2024-11-27 06:09:41 UTC);
    let cache = SigningKeyCache::new();
    let mut group = c.benchmark_group("post_policy");
    group.bench_function("sign_v4", |b| b.iter(|| policy.sign_at(black_box(&creds), &region, now)));
    group.bench_function("sign_v4_cached_key", |b| {
        b.iter(|| policy.sign_at_cached(black_box(&creds), &region, now, &cache));
    });
    group.bench_function("sign_v1", |b| b.iter(|| policy.sign_v1_at(black_box(&creds), &region, now)));
    group.finish();
}

criterion_group!(benches, post_policy);
criterion_main!(benches);
