//! Signatures per second from several threads sharing one policy and one signer (credentials
//! and key cache), against per-thread copies: what sharing costs a service (README, "At
//! scale").
//!
//! ```sh
//! cargo bench --bench threads            # 1 and all-core threads, 400,000 forms each
//! cargo bench --bench threads -- 4 1000000
//! ```
//!
//! Plain timing, not criterion: one number per configuration, best of three rounds.

use std::sync::Arc;
use std::time::Instant;

use oss_post_policy::{PostPolicy, Signer, SigningKeyCache};

mod common;

/// The inputs of `benches/post_policy.rs`: the policy and a signer with a key cache.
fn inputs() -> (PostPolicy, Signer) {
    let signer = Signer::new(common::credentials(), common::region()).with_key_cache(SigningKeyCache::new());
    (common::policy(), signer)
}

/// Forms per second, all threads together, best of three rounds.
fn forms_per_second(threads: usize, forms: usize, shared: bool) -> f64 {
    let shared_inputs = Arc::new(inputs());
    let now = common::NOW;
    (0..3)
        .map(|_| {
            let start = Instant::now();
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    let mine = if shared { Arc::clone(&shared_inputs) } else { Arc::new(inputs()) };
                    std::thread::spawn(move || {
                        let (policy, signer) = &*mine;
                        for _ in 0..forms {
                            std::hint::black_box(policy.sign_at(signer, now).expect("signs"));
                        }
                    })
                })
                .collect();
            for handle in handles {
                handle.join().expect("the signing thread finishes");
            }
            f64::from(u32::try_from(threads * forms).expect("fewer than 2^32 forms")) / start.elapsed().as_secs_f64()
        })
        .fold(0.0, f64::max)
}

fn main() {
    // `cargo bench` passes `--bench`; the rest are ours.
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let threads = args.first().copied().unwrap_or(cores);
    let forms = args.get(1).copied().unwrap_or(400_000);
    let one = forms_per_second(1, forms, true);
    println!("1 thread: {one:.0} forms/s");
    for shared in [true, false] {
        let many = forms_per_second(threads, forms, shared);
        let what = if shared { "sharing one policy and signer" } else { "each with its own copies" };
        println!("{threads} threads {what}: {many:.0} forms/s ({:.2}x one thread)", many / one);
    }
}
