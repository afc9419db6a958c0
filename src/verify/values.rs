//! Checks on field values OSS applies after the policy (`docs/oss-rules.md` §2, §8 and §9),
//! and the accepted upload they describe.

use super::accepted::{AcceptedUpload, expand_key, success_status};
use super::callback::{check_callback, check_callback_var};
use super::layout::FormView;
use super::rejection::Rejection;
use super::submission::{CALLBACK_VAR, SSE_DATA, SSE_KEY_ID};
use crate::field::{CALLBACK_VAR_PREFIX, Field, KEY, META_PREFIX, ServerSideEncryption};
use crate::signature::SignatureVersion;

/// Largest object a PostObject can upload: 5 GB (EC 0006-00000003).
pub const MAX_OBJECT_SIZE: u64 = 5 * 1024 * 1024 * 1024;
/// Largest total of user metadata (`x-oss-meta-*` names and values): 8 KB ([PO-EN]).
pub const MAX_USER_METADATA_LEN: usize = 8 * 1024;
/// Longest object name: 1023 bytes (general OSS object-name rule).
pub const MAX_OBJECT_NAME_LEN: usize = 1023;

/// How much of a refused object name the rejection quotes, in characters.
const QUOTED_KEY_CHARS: usize = 1024;

/// A field with a documented value set holds one of them (sets from [`Field`], shared with
/// the signer). ACL and storage-class errors in PostObject are [UNVERIFIED]; encryption is
/// [H400].
fn check_enumerated(form: &FormView<'_>, field: &Field) -> Result<Option<String>, Rejection> {
    let Some(value) = form.get(field.name()) else { return Ok(None) };
    let allowed = field.allowed_values().expect("only fields with a value set are checked here");
    if allowed.contains(&value) {
        return Ok(Some(value.to_owned()));
    }
    Err(match field {
        Field::ServerSideEncryption => Rejection::invalid_encryption(value),
        _ => Rejection::not_one_of(field.name(), value, allowed),
    })
}

/// The last checks of the fields, then the accepted upload, its `size` 0 until
/// [`PendingUpload::finish`](super::PendingUpload::finish) sets it.
///
/// - `x-oss-server-side-encryption` in AES256, KMS, SM4 ([PO-ZH] adds SM4);
///   `...-key-id` only with KMS ([PO-EN]); `x-oss-server-side-data-encryption` only SM4 and
///   only with KMS ([PO-ZH], [H400]).
/// - `x-oss-object-acl`, `x-oss-storage-class` in their documented sets.
/// - User metadata ≤ 8 KB in total, names and values counted [UNVERIFIED how OSS counts].
/// - The expanded object name 1-1023 bytes. The no-leading-`/` rule is not applied: the API
///   doc's own sample uses `/user/a/objectName.txt` [UNVERIFIED].
/// - `callback` and `callback-var` (§9).
pub(crate) fn check_and_accept(
    form: &FormView<'_>,
    signature_version: Option<SignatureVersion>,
    access_key_id: Option<&str>,
) -> Result<AcceptedUpload, Rejection> {
    let file = form.file();
    let server_side_encryption = check_enumerated(form, &Field::ServerSideEncryption)?;
    let kms = server_side_encryption.as_deref() == Some(ServerSideEncryption::Kms.as_str());
    if let Some(key_id) = form.get(SSE_KEY_ID).filter(|_| !kms) {
        return Err(Rejection::invalid_field_value(SSE_KEY_ID, key_id, "x-oss-server-side-encryption KMS"));
    }
    if let Some(data) = form.get(SSE_DATA).filter(|d| *d != ServerSideEncryption::Sm4.as_str() || !kms) {
        return Err(Rejection::invalid_data_encryption(data));
    }
    let object_acl = check_enumerated(form, &Field::ObjectAcl)?;
    let storage_class = check_enumerated(form, &Field::StorageClass)?;
    let with_prefix = |prefix: &str| -> Vec<(String, String)> {
        form.fields().filter(|(n, _)| form.has_prefix(n, prefix)).map(|(n, v)| (n.to_owned(), v.to_owned())).collect()
    };
    // Counted before it is copied: up to 8 MB of fields may claim to be metadata.
    let metadata_len: usize =
        form.fields().filter(|(n, _)| form.has_prefix(n, META_PREFIX)).map(|(n, v)| n.len() + v.len()).sum();
    if metadata_len > MAX_USER_METADATA_LEN {
        return Err(Rejection::metadata_too_large(metadata_len));
    }
    let metadata = with_prefix(META_PREFIX);
    let key = form.get(KEY).expect("layout checked that key is present");
    let key = expand_key(key, &file.filename, MAX_OBJECT_NAME_LEN, QUOTED_KEY_CHARS)
        .map_err(Rejection::invalid_object_name)?;
    let callback = form.get(Field::Callback.name()).map(check_callback).transpose()?;
    let mut callback_vars = form.get(CALLBACK_VAR).map(check_callback_var).transpose()?.unwrap_or_default();
    callback_vars.extend(with_prefix(CALLBACK_VAR_PREFIX));
    let text = |field: Field| form.get(field.name()).map(str::to_owned);
    Ok(AcceptedUpload {
        key,
        size: 0,
        content_type: text(Field::OssContentType)
            .or_else(|| file.content_type.clone())
            .or_else(|| text(Field::ContentType)),
        cache_control: text(Field::CacheControl),
        content_disposition: text(Field::ContentDisposition),
        content_encoding: text(Field::ContentEncoding),
        expires: text(Field::Expires),
        metadata,
        object_acl,
        storage_class,
        server_side_encryption,
        forbid_overwrite: form.get(Field::ForbidOverwrite.name()).is_some_and(|v| v.eq_ignore_ascii_case("true")),
        success_action_status: success_status(form.get(Field::SuccessActionStatus.name())),
        success_action_redirect: text(Field::SuccessActionRedirect),
        callback,
        callback_vars,
        signature_version,
        access_key_id: access_key_id.map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::callback::Callback;
    use crate::verify::layout::layout;
    use crate::verify::options::{FieldNameCase, VerifyOptions};
    use crate::verify::submission::{FilePart, Submission};

    fn accept(fields: &[(&str, &str)], file: FilePart) -> Result<AcceptedUpload, Rejection> {
        accept_with(fields, file, &VerifyOptions::default())
    }

    fn accept_with(fields: &[(&str, &str)], file: FilePart, o: &VerifyOptions) -> Result<AcceptedUpload, Rejection> {
        let sub = Submission::new().with_fields(fields.iter().copied()).with_file(file);
        let view = layout(&sub, o).unwrap();
        check_and_accept(&view, Some(SignatureVersion::V4), Some("AK"))
    }

    #[test]
    fn accepted_upload_reads_the_fields() {
        let cb = Callback::new("https://a.example.com/cb", "u=${x:uid}").var("x:uid", "7").encode().unwrap();
        let up = accept(
            &[
                ("key", "user/${filename}"),
                ("Content-Type", "text/plain"),
                ("x-oss-meta-a", "1"),
                ("X-OSS-META-B", "2"),
                ("x-oss-object-acl", "private"),
                ("x-oss-storage-class", "IA"),
                ("x-oss-server-side-encryption", "KMS"),
                ("x-oss-server-side-encryption-key-id", "key-1"),
                ("x-oss-forbid-overwrite", "True"),
                ("success_action_status", "201"),
                ("callback", &cb),
                ("x:uid", "7"),
            ],
            FilePart::new("a.png", 5).with_content_type("image/png"),
        )
        .unwrap();
        assert_eq!(up.key, "user/a.png");
        assert_eq!(up.content_type.as_deref(), Some("image/png"), "the file part's type beats the field");
        assert_eq!(
            up.metadata,
            [("x-oss-meta-a".to_owned(), "1".to_owned()), ("X-OSS-META-B".to_owned(), "2".to_owned())]
        );
        assert_eq!((up.object_acl.as_deref(), up.storage_class.as_deref()), (Some("private"), Some("IA")));
        assert!(up.forbid_overwrite);
        assert_eq!(up.success_action_status, 201);
        assert_eq!(up.callback.unwrap().urls, ["https://a.example.com/cb"]);
        assert_eq!(up.callback_vars, [("x:uid".to_owned(), "7".to_owned())]);
        assert_eq!(up.access_key_id.as_deref(), Some("AK"));
        let oss_type = accept(
            &[("key", "k"), ("Content-Type", "text/plain"), ("x-oss-content-type", "image/webp")],
            FilePart::new("a", 1).with_content_type("image/png"),
        )
        .unwrap();
        assert_eq!(oss_type.content_type.as_deref(), Some("image/webp"));
        let field_only = accept(&[("key", "k"), ("content-type", "text/plain")], FilePart::new("a", 1)).unwrap();
        assert_eq!(field_only.content_type.as_deref(), Some("text/plain"));
    }

    #[test]
    fn value_sets_and_limits() {
        let f = || FilePart::new("a", 1);
        let code = |fields: &[(&str, &str)]| accept(fields, f()).unwrap_err().code().to_owned();
        assert_eq!(code(&[("key", "k"), ("x-oss-server-side-encryption", "DES")]), "InvalidEncryptionAlgorithmError");
        assert_eq!(
            code(&[("key", "k"), ("x-oss-server-side-encryption", "AES256"), (SSE_KEY_ID, "x")]),
            "InvalidArgument"
        );
        assert_eq!(
            code(&[("key", "k"), ("x-oss-server-side-encryption", "AES256"), (SSE_DATA, "SM4")]),
            "InvalidDataEncryptionAlgorithmError"
        );
        assert!(accept(&[("key", "k"), ("x-oss-server-side-encryption", "KMS"), (SSE_DATA, "SM4")], f()).is_ok());
        assert_eq!(
            code(&[("key", "k"), ("x-oss-server-side-encryption", "KMS"), (SSE_DATA, "AES")]),
            "InvalidDataEncryptionAlgorithmError"
        );
        let acl = accept(&[("key", "k"), ("x-oss-object-acl", "Private")], f()).unwrap_err();
        assert_eq!(
            (acl.code(), acl.argument_name(), acl.argument_value()),
            ("InvalidArgument", Some("x-oss-object-acl"), Some("Private"))
        );
        assert_eq!(code(&[("key", "k"), ("x-oss-storage-class", "Cold")]), "InvalidArgument");
        assert!(accept(&[("key", "k"), ("x-oss-storage-class", "DeepColdArchive")], f()).is_ok());
        let big = "v".repeat(MAX_USER_METADATA_LEN);
        assert_eq!(code(&[("key", "k"), ("x-oss-meta-a", &big)]), "MetadataTooLarge");
        assert_eq!(code(&[("key", &"k".repeat(1024))]), "InvalidObjectName");
        assert!(accept(&[("key", &"k".repeat(1023))], f()).is_ok());
        assert_eq!(accept(&[("key", "${filename}")], FilePart::new("", 1)).unwrap_err().code(), "InvalidObjectName");
        assert!(accept(&[("key", "k")], FilePart::new("a", MAX_OBJECT_SIZE + 1)).is_ok(), "the size is checked later");
        assert_eq!(accept(&[("key", "k"), ("callback", "%")], f()).unwrap_err().ec(), Some("0007-00000002"));
    }

    #[test]
    fn prefixes_follow_the_case_option_and_never_split_characters() {
        let strict = VerifyOptions::default().field_name_case(FieldNameCase::Strict);
        let up = accept_with(
            &[("key", "k"), ("X-OSS-META-B", "2"), ("x-oss-meta-c", "3"), ("x-oss-mé", "4")],
            FilePart::new("a", 1),
            &strict,
        )
        .unwrap();
        assert_eq!(up.metadata, [("x-oss-meta-c".to_owned(), "3".to_owned())]);
    }
}
