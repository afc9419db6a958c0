//! Where the local bucket keeps things under the data folder, and which object names a folder
//! on disk can hold.

use std::path::{Path, PathBuf};

use oss_post_policy::verify::{MAX_OBJECT_NAME_LEN, Rejection};

use crate::oss_error;

/// Staging folder for uploads in flight, beside the bucket folders (bucket names cannot start
/// with `.`, so no bucket can reach it).
pub(crate) const INCOMING: &str = ".incoming";
/// Object metadata, beside the bucket folders like [`INCOMING`]: `.meta/<bucket>/<key>` holds
/// the object's content type.
pub(crate) const META: &str = ".meta";

/// The longest file or folder name most file systems hold (ext4, XFS, btrfs, APFS, NTFS: 255).
const MAX_SEGMENT_LEN: usize = 255;
/// The longest path Linux takes (`PATH_MAX`, 4096 with the closing NUL).
const MAX_PATH_LEN: usize = 4095;

/// The file path of `key` in `bucket_dir`, refusing names that would leave it or that a file
/// system cannot hold as given.
pub(crate) fn object_path(bucket_dir: &Path, key: &str) -> Result<PathBuf, Rejection> {
    let path = bucket_dir.join(key);
    let reason = if key.is_empty() || key.len() > MAX_OBJECT_NAME_LEN {
        Some("it must be 1 to 1023 bytes long")
    } else if key.starts_with('/') {
        Some("it starts with '/'")
    } else if key.contains('\\') {
        Some("it contains a backslash")
    } else if key.chars().any(char::is_control) {
        Some("it contains control characters")
    } else if key.split('/').any(|s| s.is_empty() || s == "." || s == "..") {
        Some("it has an empty, '.' or '..' path segment")
    } else if key.split('/').any(|s| s.len() > MAX_SEGMENT_LEN) {
        Some("a path segment is over 255 bytes, more than a file name on disk can hold")
    } else if path.as_os_str().len() + META.len() + 1 > MAX_PATH_LEN {
        // The content type's record, `.meta/` further down, must fit too.
        Some("the path of the object on disk would be over 4095 bytes")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(oss_error::invalid_object_name(reason)),
        None => Ok(path),
    }
}
