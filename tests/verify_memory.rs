//! The verifier's memory stays proportional to the form it is given, for the forms that once
//! made it allocate a product of two inputs or copy what it was about to refuse.
//!
//! A counting global allocator (this test binary only) records the peak of heap bytes
//! allocated and not yet freed while the verifier runs. One test function, so no other test
//! allocates meanwhile.

use oss_post_policy::time::{Duration, OffsetDateTime, macros::datetime};
use oss_post_policy::verify::{AcceptedUpload, FilePart, MAX_FIELD_VALUE_LEN, Rejection, Submission, Verifier};
use oss_post_policy::{Bucket, Credentials, PostPolicy, Region, Signer};
use peakmem_alloc::{INSTRUMENTED_SYSTEM, PeakMemAlloc, PeakMemAllocTrait};

#[global_allocator]
static ALLOCATOR: &PeakMemAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

const NOW: OffsetDateTime = datetime!(2024-11-27 06:09:41 UTC);

/// The verifier's answer and the most heap it held at once beyond what was live before.
fn verify_measured(sub: &Submission) -> (Result<AcceptedUpload, Rejection>, usize) {
    let verifier = Verifier::new(Bucket::new("examplebucket").unwrap(), Region::new("cn-hangzhou").unwrap());
    let credentials = Credentials::example();
    ALLOCATOR.reset_peak_memory();
    let answer = verifier.verify_at(sub, &credentials, NOW);
    (answer, ALLOCATOR.get_peak_memory())
}

/// Name and value bytes of the form, file name included.
fn form_len(sub: &Submission) -> usize {
    sub.fields.iter().map(|(n, v)| n.len() + v.len()).sum::<usize>()
        + sub.files.iter().map(|f| f.filename.len()).sum::<usize>()
}

fn signed_fields() -> Vec<(String, String)> {
    let bucket = Bucket::new("examplebucket").unwrap();
    let signer = Signer::new(Credentials::example(), Region::new("cn-hangzhou").unwrap());
    let form = PostPolicy::builder(bucket)
        .expires_in(Duration::hours(1))
        .key_starts_with("user-dir/")
        .build()
        .unwrap()
        .sign_at(&signer, NOW)
        .unwrap();
    form.iter().map(|(n, v)| (n.to_owned(), v.to_owned())).collect()
}

#[test]
fn memory_is_bounded_by_the_form() {
    // 20,000 `${filename}` and a 20 KB file name: 240 KB sent, once 645 MiB allocated to
    // build a key only to refuse it for being over 1023 bytes.
    let key = format!("user-dir/{}", "${filename}".repeat(20_000));
    let sub = Submission::new()
        .with_fields(signed_fields())
        .with_field("key", key)
        .with_file(FilePart::new("f".repeat(20_000), 1));
    let (answer, peak) = verify_measured(&sub);
    let refused = answer.unwrap_err();
    assert_eq!(refused.code(), "InvalidObjectName");
    assert_eq!(refused.argument_value().map(str::len), Some(1024), "the start of the name is quoted");
    assert!(peak < form_len(&sub), "{peak} bytes for a {} byte form", form_len(&sub));

    // Metadata over 8 KB is refused before it is copied: 1,000 fields of 8 KB.
    let value = "v".repeat(8 * 1024);
    let mut sub = Submission::new().with_fields(signed_fields()).with_field("key", "user-dir/a");
    sub = sub.with_fields((0..1000).map(|i| (format!("x-oss-meta-{i}"), value.clone())));
    let (answer, peak) = verify_measured(&sub.with_file(FilePart::new("a", 1)));
    assert_eq!(answer.unwrap_err().code(), "MetadataTooLarge");
    assert!(peak < 8 * 1000 * 1024 / 4, "{peak} bytes to refuse 8 MB of metadata");

    // A 2 MB key and a 2 MB file name with no `${filename}`: the name is never copied.
    let key = format!("user-dir/{}", "k".repeat(MAX_FIELD_VALUE_LEN - 9));
    let sub = Submission::new()
        .with_fields(signed_fields())
        .with_field("key", key)
        .with_file(FilePart::new("f".repeat(MAX_FIELD_VALUE_LEN), 1));
    let (answer, peak) = verify_measured(&sub);
    assert_eq!(answer.unwrap_err().code(), "InvalidObjectName");
    assert!(peak < 64 * 1024, "{peak} bytes");
}
