//! The verifier in two steps, as a server calls it, answers as the one-step `verify_at`.
//!
//! A server has only the fields before the file when it calls `check_fields_at` (the file
//! part's size unknown: the head carries a wrong one), and gets the fields after the file
//! with the size. On random forms (signed or not, in or out of the policy's key prefix and size
//! range, with fields before and after the file, under both trailing-field options) the two
//! paths accept the same forms with the same upload; without fields after the file they refuse
//! with the same rejection. With fields after the file, `verify_at` reports a refused trailing
//! field first and the server only after the body, so only acceptance is compared.

use oss_post_policy::time::{Duration, OffsetDateTime, macros::datetime};
use oss_post_policy::verify::{
    AcceptedUpload, FieldNameCase, FilePart, Rejection, Submission, TrailingFields, Verifier, VerifyOptions,
};
use oss_post_policy::{Bucket, Credentials, Field, PostPolicy, Region, Signer};
use proptest::prelude::*;

const NOW: OffsetDateTime = datetime!(2024-11-27 06:09:41 UTC);

fn field() -> impl Strategy<Value = (String, String)> {
    const NAMES: [&str; 8] =
        ["tag", "tag", "submit", "Content-Type", "x-oss-meta-a", "x-oss-object-acl", "submit", "TAG"];
    const VALUES: [&str; 8] = ["u/${filename}", "u/a", "other/a", "", "1", "private", "bad", "image/png"];
    (prop::sample::select(&NAMES[..]), prop::sample::select(&VALUES[..]))
        .prop_map(|(n, v)| (n.to_owned(), v.to_owned()))
}

/// The server's way: the head with a wrong size, then the size and the trailing fields.
fn two_steps(
    verifier: &Verifier,
    fields: &[(String, String)],
    position: usize,
    file: &FilePart,
    creds: &Credentials,
) -> Result<AcceptedUpload, Rejection> {
    let (before, after) = fields.split_at(position);
    let head = FilePart { size: file.size ^ u64::MAX, ..file.clone() };
    let head = Submission::new().with_fields(before.iter().cloned()).with_file(head);
    verifier.check_fields_at(&head, creds, NOW)?.finish_with_trailing(file.size, after)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn one_step_and_two_steps_agree(
        range in (0u64..20, 0u64..40),
        with_range in any::<bool>(),
        tag_eq in any::<bool>(),
        sign in prop_oneof![1 => Just(0u8), 6 => Just(1u8), 1 => Just(2u8)],
        key in prop::sample::select(&["u/${filename}", "u/a", "u/${filename}", "u/b", "other/a", ""][..]),
        mut fields in prop::collection::vec(field(), 0..3),
        after in prop_oneof![3 => Just(0usize), 1 => 1usize..3],
        size in prop_oneof![0u64..50, Just(u64::MAX)],
        filename in prop::sample::select(&["a.png", "", "${filename}", "é"][..]),
        ignore_trailing in any::<bool>(),
        strict_case in any::<bool>(),
    ) {
        let (bucket, region) = (Bucket::new("examplebucket").unwrap(), Region::new("cn-hangzhou").unwrap());
        let creds = Credentials::example();
        let mut policy = PostPolicy::builder(bucket.clone()).expires_in(Duration::hours(1)).key_starts_with("u/");
        if with_range {
            policy = policy.content_length_range(range.0, range.0 + range.1);
        }
        if tag_eq {
            policy = policy.eq(Field::custom("tag"), "1");
        }
        let form = policy.build().unwrap().sign_at(&Signer::new(creds.clone(), region.clone()), NOW).unwrap();
        let mut signed: Vec<(String, String)> = form.iter().map(|(n, v)| (n.to_owned(), v.to_owned())).collect();
        match sign {
            0 => signed.clear(),
            1 => {}
            _ => signed.retain(|(n, _)| n != "x-oss-signature"),
        }
        signed.push(("key".to_owned(), key.to_owned()));
        signed.append(&mut fields);
        let position = signed.len().saturating_sub(after);
        let file = FilePart { position, ..FilePart::new(filename, size) };
        let whole = Submission { fields: signed.clone(), files: vec![file.clone()] };
        let options = VerifyOptions::default()
            .trailing_fields(if ignore_trailing { TrailingFields::IgnoreUnknown } else { TrailingFields::Reject })
            .field_name_case(if strict_case { FieldNameCase::Strict } else { FieldNameCase::Insensitive });
        let verifier = Verifier::new(bucket, region).with_options(options);
        let one = verifier.verify_at(&whole, &creds, NOW);
        let two = two_steps(&verifier, &signed, position, &file, &creds);
        if position == signed.len() {
            prop_assert_eq!(&one, &two);
        } else {
            prop_assert_eq!(one.as_ref().ok(), two.as_ref().ok());
        }
        if let Ok(upload) = one {
            prop_assert_eq!(upload.size, size);
        }
    }
}
