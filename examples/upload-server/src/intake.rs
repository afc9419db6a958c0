//! Reading a PostObject body under the server's limits: the fields are collected in order, the
//! form is verified as soon as the file part's headers arrive (before any of it is read or
//! stored), and the file is streamed to a staging file only up to the size the policy allows.
//!
//! The body reaches the multipart parser through [`guarded`], which stops it at
//! `--max-request-size`, when the body is late (nothing for `--read-timeout`, or less than
//! `--min-body-rate`: [`Pace`]), and when
//! `--max-part-header` bytes arrive without the parser finding a part or data (a part header
//! that never ends, or no boundary at all), so the parser's buffer stays small.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::{Body, Bytes};
use futures_util::Stream;
use md5::{Digest as _, Md5};
use oss_post_policy::time::OffsetDateTime;
use oss_post_policy::verify::{
    AcceptedUpload, FilePart, MAX_FIELD_NAME_LEN, MAX_FIELD_VALUE_LEN, MAX_PRE_FILE_LEN, Rejection, Submission,
};
use tokio::io::AsyncWriteExt as _;

use crate::App;
use crate::disk::{INCOMING, object_path};
use crate::limits::{FIELD_OVERHEAD, Limits};
use crate::oss_error;
use crate::pace::{Late, Pace};

/// A form the verifier accepted, its file staged.
pub(crate) struct Intake {
    pub(crate) accepted: AcceptedUpload,
    pub(crate) staged: TempFile,
    pub(crate) md5: [u8; 16],
}

/// Reads and verifies the multipart body of a POST to the bucket folder `bucket_dir`.
pub(crate) async fn read_form(
    app: &App,
    bucket_dir: &Path,
    body: Body,
    boundary: &str,
    request_id: &str,
) -> Result<Intake, Rejection> {
    let unparsed = Arc::new(AtomicUsize::new(0));
    let limits = app.limits;
    let mut multipart = multer::Multipart::new(guarded(body, limits, Arc::clone(&unparsed)), boundary);
    let refusal = |e: multer::Error| body_refusal(&e);
    // The parser produced something: the bytes it was fed are no longer unparsed.
    let parsed = || unparsed.store(0, Ordering::Relaxed);
    let mut submission = Submission::new();
    let mut pre_file = 0usize;
    let mut part = loop {
        let Some(mut part) = multipart.next_field().await.map_err(refusal)? else {
            // No file part: the verifier names what is missing.
            let refused = app.verifier.verify(&submission, OffsetDateTime::now_utc()).err();
            return Err(refused.unwrap_or_else(|| oss_error::internal("the verifier accepted a form without a file")));
        };
        parsed();
        let name = part_name(&part)?;
        if name.eq_ignore_ascii_case(oss_post_policy::field::FILE) {
            break part;
        }
        let value = read_value(&mut part, &name, &parsed).await.map_err(|e| e.unwrap_or_else(&refusal))?;
        pre_file += name.len() + value.len() + FIELD_OVERHEAD;
        if pre_file > MAX_PRE_FILE_LEN {
            return Err(oss_error::pre_data_too_long());
        }
        submission.fields.push((name, value));
    };

    // The fields and the file part's headers decide before a byte of the file is read.
    let mut file = FilePart::new(part.file_name().unwrap_or_default(), 0);
    file.position = submission.fields.len();
    file.content_type = part.content_type().map(ToString::to_string);
    submission.files.push(file);
    let pending = app.verifier.check_fields(&submission, OffsetDateTime::now_utc())?;
    object_path(bucket_dir, pending.key())?;
    let max = pending.max_file_size();

    let mut staged = TempFile::create(&app.data_dir.join(INCOMING), request_id, "part").await?;
    let mut size = 0u64;
    let mut md5 = Md5::new();
    while let Some(chunk) = part.chunk().await.map_err(refusal)? {
        parsed();
        size += chunk.len() as u64;
        if size > max {
            // Refused by the size alone: nothing past the limit is written, and the staging
            // file goes when `staged` is dropped.
            return Err(pending.finish(size).err().unwrap_or_else(oss_error::entity_too_large));
        }
        md5.update(&chunk);
        staged.write(&chunk).await?;
    }
    // The parser serves one part at a time.
    drop(part);
    // Nothing may follow the file (the verifier's default, `TrailingFields::Reject`): the
    // first part after it is refused without being read.
    if let Some(next) = multipart.next_field().await.map_err(refusal)? {
        let name = part_name(&next)?;
        return Err(if name.eq_ignore_ascii_case(oss_post_policy::field::FILE) {
            oss_error::second_file()
        } else {
            oss_error::field_after_file(&name)
        });
    }
    let accepted = pending.finish(size)?;
    Ok(Intake { accepted, staged: staged.synced().await?, md5: md5.finalize().into() })
}

fn part_name(part: &multer::Field<'_>) -> Result<String, Rejection> {
    let name = part.name().ok_or_else(|| oss_error::malformed("a part has no name"))?;
    if name.len() > MAX_FIELD_NAME_LEN {
        return Err(oss_error::field_name_too_long());
    }
    Ok(name.to_owned())
}

/// A field's value, at most [`MAX_FIELD_VALUE_LEN`] bytes of UTF-8. A parser error is handed
/// back as is (`Err(Err(e))`) for [`body_refusal`].
async fn read_value(
    part: &mut multer::Field<'_>,
    name: &str,
    parsed: &impl Fn(),
) -> Result<String, Result<Rejection, multer::Error>> {
    let mut value = Vec::new();
    while let Some(chunk) = part.chunk().await.map_err(Err)? {
        parsed();
        if value.len() + chunk.len() > MAX_FIELD_VALUE_LEN {
            return Err(Ok(oss_error::field_value_too_long(name)));
        }
        value.extend_from_slice(&chunk);
    }
    String::from_utf8(value).map_err(|_| Ok(oss_error::malformed(format!("field {name} is not UTF-8"))))
}

/// Why the server stopped reading a body.
#[derive(Debug)]
enum BodyLimit {
    Late(Late),
    TooLarge(u64),
    PartHeader(usize),
}

impl std::fmt::Display for BodyLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Late(late) => write!(f, "the body {late}"),
            Self::TooLarge(n) => write!(f, "the body is over {n} bytes"),
            Self::PartHeader(n) => write!(f, "over {n} bytes without a complete part header or boundary"),
        }
    }
}

impl std::error::Error for BodyLimit {}

/// The answer to a parser error: a limit of [`guarded`], or a body that is not well formed.
fn body_refusal(e: &multer::Error) -> Rejection {
    if let multer::Error::StreamReadFailed(source) = e {
        match source.downcast_ref::<BodyLimit>() {
            Some(BodyLimit::Late(late)) => return oss_error::request_timeout(late),
            Some(BodyLimit::TooLarge(n)) => return oss_error::request_too_large(*n),
            Some(BodyLimit::PartHeader(n)) => {
                return oss_error::malformed(format!(
                    "a part header, or the text before the first boundary, is over {n} bytes"
                ));
            }
            None => {}
        }
    }
    oss_error::malformed(e)
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The body as the multipart parser reads it, under the limits. `unparsed` counts the bytes
/// passed on since the parser last produced a part or data (the caller resets it); once the
/// parser asks for more with over `max_part_header` of them, the body is refused, so the
/// parser never holds more than that plus one chunk (hyper reads at most ~400 KiB at a time).
fn guarded(
    body: Body,
    limits: Limits,
    unparsed: Arc<AtomicUsize>,
) -> impl Stream<Item = Result<Bytes, BoxError>> + Send {
    let state = (body.into_data_stream(), Pace::start(&limits), 0u64, false);
    futures_util::stream::unfold(state, move |(mut stream, mut pace, mut read, stopped)| {
        let unparsed = Arc::clone(&unparsed);
        async move {
            if stopped {
                return None;
            }
            let stop = |limit: BodyLimit, stream, pace| Some((Err(BoxError::from(limit)), (stream, pace, 0, true)));
            // The parser takes chunks until none is ready; pausing here once makes it parse
            // what it holds first, so `unparsed` is what it could not parse.
            tokio::task::yield_now().await;
            if unparsed.load(Ordering::Relaxed) > limits.max_part_header {
                return stop(BodyLimit::PartHeader(limits.max_part_header), stream, pace);
            }
            match pace.next(&mut stream).await {
                Err(late) => stop(BodyLimit::Late(late), stream, pace),
                Ok(None) => None,
                Ok(Some(Err(e))) => Some((Err(BoxError::from(e)), (stream, pace, 0, true))),
                Ok(Some(Ok(chunk))) => {
                    read += chunk.len() as u64;
                    if read > limits.max_request_size {
                        return stop(BodyLimit::TooLarge(limits.max_request_size), stream, pace);
                    }
                    unparsed.fetch_add(chunk.len(), Ordering::Relaxed);
                    Some((Ok(chunk), (stream, pace, read, false)))
                }
            }
        }
    })
}

/// A staging file that is deleted when dropped, unless it was renamed into place. Dropping
/// covers every early return and a client that goes away mid-upload.
pub(crate) struct TempFile {
    pub(crate) path: PathBuf,
    file: Option<tokio::fs::File>,
    armed: bool,
}

impl TempFile {
    /// `<request id>-<process id>.<extension>` in `dir`, new.
    pub(crate) async fn create(dir: &Path, request_id: &str, extension: &str) -> Result<Self, Rejection> {
        let path = dir.join(format!("{request_id}-{}.{extension}", std::process::id()));
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await
            .map_err(oss_error::internal)?;
        Ok(Self { path, file: Some(file), armed: true })
    }

    pub(crate) async fn write(&mut self, chunk: &[u8]) -> Result<(), Rejection> {
        let file = self.file.as_mut().expect("written before it is synced");
        file.write_all(chunk).await.map_err(oss_error::internal)
    }

    /// Flushes the data to disk and closes the file.
    pub(crate) async fn synced(mut self) -> Result<Self, Rejection> {
        if let Some(mut file) = self.file.take() {
            file.flush().await.map_err(oss_error::internal)?;
            file.sync_all().await.map_err(oss_error::internal)?;
        }
        Ok(self)
    }

    pub(crate) fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if self.armed {
            drop(self.file.take());
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
