//! A form whose fields have passed: what is left to check once the file has arrived (its
//! size, and any fields sent after it), so a server can refuse a form before reading its body.

use std::collections::BTreeSet;
use std::fmt;

use super::accepted::AcceptedUpload;
use super::layout::{Name, check_field_lengths, trailing_refused};
use super::options::{FieldNameCase, TrailingFields, VerifyOptions};
use super::rejection::Rejection;
use super::values::MAX_OBJECT_SIZE;
use crate::condition::Condition;
use crate::document::PolicyDocument;

/// A form that passed every check but the file's size: the answer of
/// [`Verifier::check_fields_at`](super::Verifier::check_fields_at), to be finished with the
/// size once the body has been read.
///
/// A server streams the file, refusing it as soon as it grows past
/// [`max_file_size`](Self::max_file_size), then calls [`finish`](Self::finish) with the size
/// it read (or [`finish_with_trailing`](Self::finish_with_trailing) with the fields that came
/// after the file). The answer is the one [`Verifier::verify_at`](super::Verifier::verify_at)
/// gives for the whole form.
///
/// Its `Debug` shows the object name and the size limits, never the policy (whose conditions
/// may pin an STS token).
#[derive(Clone, PartialEq, Eq)]
pub struct PendingUpload {
    /// The upload as it will be accepted, its `size` not yet known.
    upload: AcceptedUpload,
    /// The policy, moved here from the check (`None` for an anonymous form): its
    /// `content-length-range` conditions, and the names fields after the file may not have.
    document: Option<PolicyDocument>,
    trailing_fields: TrailingFields,
    field_name_case: FieldNameCase,
}

impl fmt::Debug for PendingUpload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingUpload")
            .field("key", &self.key())
            .field("min_file_size", &self.min_file_size())
            .field("max_file_size", &self.max_file_size())
            .field("trailing_fields", &self.trailing_fields)
            .finish_non_exhaustive()
    }
}

impl PendingUpload {
    pub(crate) fn new(upload: AcceptedUpload, document: Option<PolicyDocument>, options: &VerifyOptions) -> Self {
        Self { upload, document, trailing_fields: options.trailing_fields, field_name_case: options.field_name_case }
    }

    /// The policy's conditions (none for an anonymous form).
    fn conditions(&self) -> &[Condition] {
        self.document.as_ref().map_or(&[], PolicyDocument::conditions)
    }

    /// The `content-length-range` bounds `(min, max)`, in policy order.
    fn ranges(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.conditions().iter().filter_map(|c| match c {
            Condition::ContentLengthRange { min, max } => Some((*min, *max)),
            _ => None,
        })
    }

    /// The object name, `${filename}` expanded: where the file will be stored.
    pub fn key(&self) -> &str {
        &self.upload.key
    }

    /// The largest file size that can still be accepted: the smallest `content-length-range`
    /// maximum, and at most [`MAX_OBJECT_SIZE`] (5 GB). A server can stop reading the body
    /// (and answer `EntityTooLarge` with [`finish`](Self::finish)) once it is exceeded.
    pub fn max_file_size(&self) -> u64 {
        self.ranges().map(|(_, max)| max).fold(MAX_OBJECT_SIZE, u64::min)
    }

    /// The smallest file size that can be accepted: the largest `content-length-range`
    /// minimum, 0 without one. Above [`max_file_size`](Self::max_file_size) when the policy's
    /// ranges admit no size at all.
    pub fn min_file_size(&self) -> u64 {
        self.ranges().map(|(min, _)| min).max().unwrap_or(0)
    }

    /// Checks the file's size and answers as [`Verifier::verify_at`](super::Verifier::verify_at)
    /// would for the whole form.
    ///
    /// # Errors
    /// `EntityTooLarge` (0006-00000003) or `EntityTooSmall` (0006-00000004) for the first
    /// `content-length-range` the size falls outside, in policy order; then `EntityTooLarge`
    /// above [`MAX_OBJECT_SIZE`].
    pub fn finish(self, file_size: u64) -> Result<AcceptedUpload, Rejection> {
        for (min, max) in self.ranges() {
            if file_size > max {
                return Err(Rejection::entity_too_large());
            }
            if file_size < min {
                return Err(Rejection::entity_too_small());
            }
        }
        // [EC-0006-00000003]: the 5 GB object limit, after the policy's own ranges.
        if file_size > MAX_OBJECT_SIZE {
            return Err(Rejection::entity_too_large());
        }
        Ok(AcceptedUpload { size: file_size, ..self.upload })
    }

    /// [`finish`](Self::finish) for a form that sent fields after the file (`trailing`, in
    /// the order sent), which are checked first, as `verify_at` checks them: the name and
    /// value limits, then the [`TrailingFields`] option (any field refused by default; with
    /// [`TrailingFields::IgnoreUnknown`], a field OSS reads or the policy names is refused).
    /// Ignored fields are not part of the upload.
    ///
    /// # Errors
    /// `FieldItemTooLong` or `InvalidArgument` (0006-00000103) for a trailing field, then as
    /// [`finish`](Self::finish).
    pub fn finish_with_trailing(
        self,
        file_size: u64,
        trailing: &[(String, String)],
    ) -> Result<AcceptedUpload, Rejection> {
        if trailing.is_empty() {
            return self.finish(file_size);
        }
        check_field_lengths(trailing)?;
        if let Some((name, _)) = trailing.iter().find(|(n, _)| trailing_refused(n, self.trailing_fields)) {
            return Err(Rejection::field_order(name));
        }
        let case = self.field_name_case;
        let named: BTreeSet<Name<'_>> =
            self.conditions().iter().filter_map(Condition::field).map(|f| Name::new(f.name(), case)).collect();
        if let Some((name, _)) = trailing.iter().find(|(n, _)| named.contains(&Name::new(n, case))) {
            return Err(Rejection::field_order(name));
        }
        self.finish(file_size)
    }
}
