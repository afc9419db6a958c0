//! Evaluating the policy's conditions against the form (`docs/oss-rules.md` §7).

use std::collections::BTreeSet;

use super::layout::{FormView, Name};
use super::rejection::Rejection;
use crate::condition::Condition;
use crate::field::{
    ACCESS_KEY_ID_V1, BUCKET, CREDENTIAL, DATE, Field, POLICY, SECURITY_TOKEN, SIGNATURE_V1, SIGNATURE_V4,
    SIGNATURE_VERSION,
};
use crate::region::Bucket;

/// Fields that never need a condition, even in strict mode (S3 analogy, [UNVERIFIED]).
const EXEMPT: [&str; 4] = [POLICY, SIGNATURE_V1, SIGNATURE_V4, ACCESS_KEY_ID_V1];

/// Evaluates the conditions in policy order and reports the first that fails.
///
/// - Every named field must be in the form: 0006-00000226 ([EC-0006-00000226]; the legacy
///   `AccessDenied` text covers "the field was not specified").
/// - Values are compared case-sensitively before `${filename}` expansion ([PO-EN]): 0006-00000227.
/// - `bucket` is compared with the target bucket ([PO-EN] example, [TS] `$bucket` failure).
/// - `content-length-range` is left for the end, when the file's size is known
///   ([`PendingUpload::finish`](super::PendingUpload::finish)).
/// - Conditions must all hold; reporting the first failure in policy order is [UNVERIFIED].
pub(crate) fn evaluate(conditions: &[Condition], form: &FormView<'_>, bucket: &Bucket) -> Result<(), Rejection> {
    for cond in conditions {
        let Some(field) = cond.field().map(Field::name) else { continue };
        let value = if form.same_name(field, BUCKET) { Some(bucket.as_str()) } else { form.get(field) };
        match value {
            None => return Err(Rejection::condition_field_missing(&cond.to_message())),
            Some(v) if !cond.holds(v) => return Err(Rejection::condition_failed(&cond.to_message())),
            Some(_) => {}
        }
    }
    Ok(())
}

/// The names the conditions mention.
fn referenced<'c>(conditions: &'c [Condition], form: &FormView<'_>) -> BTreeSet<Name<'c>> {
    conditions.iter().filter_map(Condition::field).map(|f| form.name(f.name())).collect()
}

/// Fields the policy names must not come after the file (0006-00000103) nor be sent twice
/// (our decision); unknown fields are checked for this in [`super::layout::layout`].
pub(crate) fn check_referenced_layout(conditions: &[Condition], form: &FormView<'_>) -> Result<(), Rejection> {
    if form.trailing().is_empty() && form.duplicated().next().is_none() {
        return Ok(());
    }
    let names = referenced(conditions, form);
    if let Some((name, _)) = form.trailing().iter().find(|(n, _)| names.contains(&form.name(n))) {
        return Err(Rejection::field_order(name));
    }
    if let Some(name) = form.duplicated().find(|n| names.contains(&form.name(n))) {
        return Err(Rejection::duplicate_field(name));
    }
    Ok(())
}

/// Strict mode ([`ExtraFields::Rejected`](super::ExtraFields::Rejected)): every field but
/// `policy`, the signatures and `OSSAccessKeyId` must be named by a condition.
pub(crate) fn check_extra_fields(conditions: &[Condition], form: &FormView<'_>) -> Result<(), Rejection> {
    let names = referenced(conditions, form);
    for (name, _) in form.fields() {
        if !EXEMPT.iter().any(|e| form.same_name(name, e)) && !names.contains(&form.name(name)) {
            return Err(Rejection::extra_field(name));
        }
    }
    Ok(())
}

/// Strict mode (`require_v4_conditions`): the V4 signer fields must be pinned by exact
/// conditions, as the official samples write them.
pub(crate) fn check_v4_pinned(
    conditions: &[Condition],
    form: &FormView<'_>,
    with_token: bool,
) -> Result<(), Rejection> {
    let token = with_token.then_some(SECURITY_TOKEN);
    for name in [SIGNATURE_VERSION, CREDENTIAL, DATE].into_iter().chain(token) {
        // `{"f": "v"}` and `["eq", "$f", "v"]` pin alike.
        let pinned = conditions.iter().any(|c| match c {
            Condition::Exact { field, .. } | Condition::Eq { field, .. } => form.same_name(field.name(), name),
            _ => false,
        });
        if !pinned {
            return Err(Rejection::unpinned_v4_field(name));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PolicyDocument;
    use crate::verify::layout::layout;
    use crate::verify::options::{ExtraFields, TrailingFields, VerifyOptions};
    use crate::verify::submission::{FilePart, Submission};

    fn doc(conds: &str) -> Vec<Condition> {
        let text = format!(r#"{{"expiration": "2023-02-19T13:19:00.000Z", "conditions": [{conds}]}}"#);
        PolicyDocument::parse(&text).unwrap().conditions().to_vec()
    }

    fn run(conds: &str, fields: &[(&str, &str)], size: u64) -> Result<(), Rejection> {
        let sub = Submission::new().with_fields(fields.iter().copied()).with_file(FilePart::new("a.png", size));
        let view = layout(&sub, &VerifyOptions::default()).unwrap();
        evaluate(&doc(conds), &view, &Bucket::new("examplebucket").unwrap())
    }

    #[test]
    fn conditions_hold_or_fail_with_oss_messages() {
        let fields =
            [("key", "user/eric/${filename}"), ("success_action_status", "201"), ("Content-Type", "image/png")];
        assert!(run(r#"{"bucket": "examplebucket"}, ["starts-with", "$key", "user/eric/"], ["eq", "$key", "user/eric/${filename}"], ["in", "$content-type", ["image/jpg", "image/png"]], ["not-in", "$cache-control", []]"#, &fields, 1).is_err(), "cache-control missing");
        assert!(run(r#"{"bucket": "examplebucket"}, ["starts-with", "$key", "user/eric/"], ["in", "$content-type", ["image/jpg", "image/png"]], ["eq", "$success_action_status", "201"]"#, &fields, 1).is_ok());
        let r = run(r#"["eq", "success_action_status", "200"]"#, &fields, 1).unwrap_err();
        assert_eq!((r.code(), r.ec()), ("AccessDenied", Some("0006-00000227")));
        assert_eq!(
            r.message(),
            r#"Invalid according to Policy: Policy Condition failed: ["eq", "$success_action_status", "200"]"#
        );
        let r = run(r#"["eq", "$bucket", "mingdi-bjx"]"#, &fields, 1).unwrap_err();
        assert_eq!(
            r.message(),
            r#"Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "mingdi-bjx"]"#
        );
        let r = run(r#"["starts-with", "$x-oss-meta-prop", "prop-"]"#, &fields, 1).unwrap_err();
        assert_eq!(r.ec(), Some("0006-00000226"));
        // Values are case-sensitive; the expanded key is not what is checked.
        assert!(run(r#"["eq", "$content-type", "IMAGE/PNG"]"#, &fields, 1).is_err());
        assert!(run(r#"["eq", "$key", "user/eric/a.png"]"#, &fields, 1).is_err());
        // The size is not checked here.
        assert!(run(r#"["content-length-range", 1, 10]"#, &fields, 11).is_ok());
        // The first failing condition is the one reported.
        let r = run(r#"["eq", "$key", "x"], ["eq", "$success_action_status", "200"]"#, &fields, 1).unwrap_err();
        assert!(r.message().contains("$key"));
    }

    #[test]
    fn conditions_are_quoted_as_oss_quotes_them() {
        // Messages quoted by EC 0006-00000227 and the legacy [TS] examples.
        let cases = [
            (r#"["eq", "success_action_status", "200"]"#, r#"["eq", "$success_action_status", "200"]"#),
            (r#"["starts-with", "$key", "user/eric/"]"#, r#"["starts-with", "$key", "user/eric/"]"#),
            (r#"{"bucket": "mingdi-bjx"}"#, r#"["eq", "$bucket", "mingdi-bjx"]"#),
            (r#"["starts-with", "$x-oss-meta-prop", "prop-"]"#, r#"["starts-with", "$x-oss-meta-prop", "prop-"]"#),
            (r#"["in", "$content-type", ["a", "b"]]"#, r#"["in", "$content-type", ["a", "b"]]"#),
            (r#"["content-length-range", 1, 10]"#, r#"["content-length-range", 1, 10]"#),
            (r#"{"x-oss-security-token": "CAIS-secret"}"#, r#"["eq", "$x-oss-security-token", "<redacted>"]"#),
            (r#"["starts-with", "$key", "\${x}"]"#, r#"["starts-with", "$key", "${x}"]"#),
        ];
        for (cond, want) in cases {
            assert_eq!(doc(cond)[0].to_message(), want);
        }
    }

    #[test]
    fn strict_extra_fields_and_pinned_v4_fields() {
        let sub = Submission::new()
            .with_fields([("key", "k"), ("policy", "p"), ("Signature", "s"), ("OSSAccessKeyId", "a"), ("name", "x")])
            .with_file(FilePart::new("a", 1));
        let view = layout(&sub, &VerifyOptions::default().extra_fields(ExtraFields::Rejected)).unwrap();
        let r = check_extra_fields(&doc(r#"["eq", "$key", "k"]"#), &view).unwrap_err();
        assert_eq!((r.code(), r.argument_value()), ("AccessDenied", Some("name")));
        assert!(check_extra_fields(&doc(r#"["eq", "$key", "k"], ["starts-with", "$NAME", ""]"#), &view).is_ok());
        let pinned =
            doc(r#"{"x-oss-signature-version": "OSS4-HMAC-SHA256"}, {"x-oss-credential": "c"}, {"x-oss-date": "d"}"#);
        assert!(check_v4_pinned(&pinned, &view, false).is_ok());
        assert_eq!(check_v4_pinned(&pinned, &view, true).unwrap_err().argument_value(), Some("x-oss-security-token"));
        assert!(check_v4_pinned(&doc(r#"["starts-with", "$x-oss-date", ""]"#), &view, false).is_err());
        let listed = doc(
            r#"["eq", "$X-OSS-Signature-Version", "OSS4-HMAC-SHA256"], ["eq", "$x-oss-credential", "c"], ["eq", "$x-oss-date", "d"]"#,
        );
        assert!(check_v4_pinned(&listed, &view, false).is_ok(), "the list form pins too");
    }

    #[test]
    fn referenced_fields_after_the_file_or_twice_are_refused() {
        let options = VerifyOptions::default().trailing_fields(TrailingFields::IgnoreUnknown);
        let sub = Submission::new().with_field("key", "k").with_file(FilePart::new("a", 1)).with_field("tag", "1");
        let view = layout(&sub, &options).unwrap();
        assert!(check_referenced_layout(&doc(r#"["eq", "$key", "k"]"#), &view).is_ok());
        assert_eq!(
            check_referenced_layout(&doc(r#"["eq", "$tag", "1"]"#), &view).unwrap_err().ec(),
            Some("0006-00000103")
        );
        let sub =
            Submission::new().with_fields([("key", "k"), ("tag", "1"), ("tag", "2")]).with_file(FilePart::new("a", 1));
        let view = layout(&sub, &options).unwrap();
        assert!(check_referenced_layout(&doc(r#"["eq", "$key", "k"]"#), &view).is_ok());
        assert_eq!(
            check_referenced_layout(&doc(r#"["eq", "$TAG", "1"]"#), &view).unwrap_err().argument_value(),
            Some("tag")
        );
    }
}
