//! Criterion benchmarks for signing and verifying POST policies, with the floor measured in the
//! same run.
//!
//! `floor` is the least any V4 signer must do: HMAC-SHA256 over the base64 text of the very
//! policy the other benchmarks sign, from an HMAC state already keyed with the signing key
//! (cloned, then updated; the same `hmac`/`sha2` crates). Every other ID is reported as a ratio
//! to it (printed after the run), so the numbers say how much work we add on top of the
//! signature, independent of the machine. `benches/allocations.rs` counts the allocations of
//! the same calls.
//!
//! ```sh
//! cargo bench --bench post_policy -- --warm-up-time 1 --measurement-time 3
//! ```
#![allow(missing_docs)] // criterion_group! generates undocumented items

use std::hint::black_box;
use std::path::PathBuf;
use std::time::SystemTime;

use criterion::{Criterion, criterion_group};
use hmac::{Hmac, KeyInit, Mac};
use oss_post_policy::time::Duration;
use oss_post_policy::verify::Verifier;
use oss_post_policy::{Presign, SignatureVersion, Signer, SigningKey, SigningKeyCache};
use sha2::{Digest, Sha256};

mod common;

const GROUP: &str = "post_policy";
/// Benchmark IDs in report order; the first is the denominator of every ratio.
const IDS: [&str; 6] = ["floor", "derive_signing_key", "sign_v4_cached_key", "sign_v4", "sign_v1", "verify_v4"];
/// Group and ID of the benchmark that builds the policy for every form (reported after `IDS`).
const PER_REQUEST: (&str, &str) = ("per_request", "build_and_sign_v4");
/// Group and IDs of the presigned PUT URL (key cached) and of its own floor, reported last.
const PRESIGN: (&str, &str) = ("presign", "put_v4");
const PRESIGN_FLOOR: (&str, &str) = ("presign", "sha256_then_hmac");

fn post_policy(c: &mut Criterion) {
    let (credentials, region, policy, now) = (common::credentials(), common::region(), common::policy(), common::NOW);
    let signer = Signer::new(credentials.clone(), region.clone());
    let cache = SigningKeyCache::new();
    let cached = signer.clone().with_key_cache(cache.clone());
    let v1 = signer.clone().with_version(SignatureVersion::V1);
    let form = policy.sign_at(&signer, now).expect("signs");
    assert_eq!(form.get("x-oss-signature"), Some(common::ALI_OSS_SIGNATURE), "inputs differ from benches/peers");
    let policy_b64 = form.get("policy").expect("a signed form has a policy").to_owned();
    let key = SigningKey::derive(credentials.access_key_secret(), now.date(), &region);
    let key_bytes = hex::decode(key.to_hex().as_bytes()).expect("hex");
    let keyed = Hmac::<Sha256>::new_from_slice(&key_bytes).expect("any key length");

    let mut group = c.benchmark_group(GROUP);
    group.bench_function("floor", |b| {
        b.iter(|| black_box(&keyed).clone().chain_update(black_box(policy_b64.as_bytes())).finalize().into_bytes());
    });
    group.bench_function("derive_signing_key", |b| {
        b.iter(|| SigningKey::derive(black_box(credentials.access_key_secret()), black_box(now).date(), &region));
    });
    // A policy built once and signed per request; times, the document, its base64, the
    // signature and (but for `sign_v4_cached_key`) the key are made per call.
    group.bench_function("sign_v4_cached_key", |b| b.iter(|| policy.sign_at(black_box(&cached), black_box(now))));
    group.bench_function("sign_v4", |b| b.iter(|| policy.sign_at(black_box(&signer), black_box(now))));
    group.bench_function("sign_v1", |b| b.iter(|| policy.sign_at(black_box(&v1), black_box(now))));

    let sent = common::submission(&form);
    // The verifier as a service runs it: one verifier for the bucket, its signing-key cache
    // warm (the first call below derives the day's key; a service pays that once a day).
    let verifier = Verifier::new(policy.bucket().clone(), region.clone()).with_key_cache(SigningKeyCache::new());
    let later = now + Duration::minutes(5);
    verifier.verify_at(&sent, &credentials, later).expect("the verifier accepts the signed form");
    group.bench_function("verify_v4", |b| {
        b.iter(|| verifier.verify_at(black_box(&sent), &credentials, black_box(later)));
    });
    group.finish();

    // The path most services take: the policy differs per request (a per-user key prefix), so
    // it is built for every form, as the peers in benches/peers/ do; the key comes from the cache.
    let mut per_request = c.benchmark_group(PER_REQUEST.0);
    per_request.bench_function(PER_REQUEST.1, |b| {
        b.iter(|| common::policy_for_user(black_box(42)).sign_at(black_box(&cached), black_box(now)));
    });
    per_request.finish();

    // A presigned PUT with a pinned Content-Type, the STS token in its query, the key from the
    // cache: the canonical request, its SHA-256 and the HMAC of the string to sign per call.
    let put = Presign::put(policy.bucket().clone(), "user-dir/cat.png").header("Content-Type", "image/png");
    let mut presign = c.benchmark_group(PRESIGN.0);
    presign.bench_function(PRESIGN.1, |b| b.iter(|| black_box(&put).sign_at(black_box(&cached), black_box(now))));
    // The least a presigner must do for that URL, whatever its code: SHA-256 of its canonical
    // request (rebuilt here from the URL, docs/oss-rules.md §13), then the keyed HMAC of the
    // string to sign. It explains the ratio of `put_v4` to the POST `floor`.
    let url = put.sign_at(&cached, now).expect("signs");
    let (_, query) = url.url().split_once('?').expect("a query");
    let unsigned = query.rsplit_once("&x-oss-signature=").expect("signed last").0;
    let canonical =
        format!("PUT\n/{}/user-dir/cat.png\n{unsigned}\ncontent-type:image/png\n\n\nUNSIGNED-PAYLOAD", policy.bucket());
    let scope = "20241127/cn-hangzhou/oss/aliyun_v4_request";
    let prefix = format!("OSS4-HMAC-SHA256\n20241127T060941Z\n{scope}\n");
    let expected = url.url().rsplit_once('=').expect("a signature").1.to_owned();
    assert_eq!(expected, common::ALI_OSS_PRESIGN_SIGNATURE, "inputs differ from benches/peers");
    let signature = |canonical: &str| {
        let mut hash = [0u8; 64];
        hex::encode_to_slice(Sha256::digest(canonical.as_bytes()), &mut hash).expect("32 bytes fill 64 digits");
        keyed.clone().chain_update(prefix.as_bytes()).chain_update(hash).finalize().into_bytes()
    };
    assert_eq!(hex::encode(signature(&canonical)), expected, "the rebuilt canonical request is the one signed");
    presign.bench_function(PRESIGN_FLOOR.1, |b| b.iter(|| signature(black_box(&canonical))));
    presign.finish();
}

/// Where criterion writes its estimates (it honours `CARGO_TARGET_DIR`; cargo runs benches from
/// the package root).
fn criterion_dir() -> PathBuf {
    std::env::var_os("CRITERION_HOME").map_or_else(
        || {
            std::env::var_os("CARGO_TARGET_DIR")
                .map_or_else(|| PathBuf::from("target"), PathBuf::from)
                .join("criterion")
        },
        PathBuf::from,
    )
}

/// The median (ns per iteration) of one benchmark, if it was measured in this run. The median,
/// not the mean: on a shared machine a few descheduled samples move the mean, not the median.
fn median_ns(group: &str, id: &str, since: SystemTime) -> Option<f64> {
    let path = criterion_dir().join(group).join(id).join("new").join("estimates.json");
    let fresh = std::fs::metadata(&path).and_then(|m| m.modified()).is_ok_and(|t| t >= since);
    let text = std::fs::read_to_string(&path).ok().filter(|_| fresh)?;
    let estimates: serde_json::Value = serde_json::from_str(&text).ok()?;
    estimates["median"]["point_estimate"].as_f64()
}

/// Prints every ID measured in this run as a ratio to `floor` (a Markdown table).
fn print_ratios(since: SystemTime) {
    let Some(floor) = median_ns(GROUP, IDS[0], since) else { return };
    println!("\n| benchmark | median | ratio to floor |\n|---|---:|---:|");
    for (group, id) in IDS.iter().map(|id| (GROUP, *id)).chain([PER_REQUEST, PRESIGN, PRESIGN_FLOOR]) {
        if let Some(median) = median_ns(group, id, since) {
            println!("| `{id}` | {:.3} µs | {:.2} |", median / 1000.0, median / floor);
        }
    }
}

criterion_group!(benches, post_policy);

fn main() {
    let since = SystemTime::now();
    benches();
    Criterion::default().configure_from_args().final_summary();
    print_ratios(since);
}
