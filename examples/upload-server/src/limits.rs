//! What one client may cost the server: the limits behind `--max-request-size`,
//! `--max-part-header`, `--read-timeout`, `--min-body-rate`, `--max-uploads` and
//! `--max-connections`. Anyone who can reach the local bucket can send anything, so each is
//! enforced while reading, before the bytes are kept.

use std::time::Duration;

use oss_post_policy::verify::{MAX_OBJECT_SIZE, MAX_PRE_FILE_LEN};

/// The largest request body by default: the largest object OSS takes (5 GB), the largest
/// fields before it (8 MB) and room for the file part's own header and the closing boundary,
/// so that every form the verifier can accept fits.
pub(crate) const DEFAULT_MAX_REQUEST_SIZE: u64 =
    MAX_OBJECT_SIZE + MAX_PRE_FILE_LEN as u64 + DEFAULT_MAX_PART_HEADER as u64;
/// The most bytes read without the multipart parser finding a part or its data: one part's
/// header (OSS allows 8 KB field names), or the text before the first boundary.
pub(crate) const DEFAULT_MAX_PART_HEADER: usize = 64 * 1024;
/// How long a connection may send nothing: a request head must arrive within it, and a body
/// may pause no longer.
pub(crate) const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// The least a request body must bring, bytes a second over each `--read-timeout` window:
/// Apache's `mod_reqtimeout` default (`MinRate=500`). 500 bytes a second (4 kbit/s) is a tenth
/// of what the slowest mobile links (2G GPRS, ~40 kbit/s) carry, so only a client that holds
/// back is refused; one that drips a byte per read timeout no longer holds its slot for ever.
pub(crate) const DEFAULT_MIN_BODY_RATE: u64 = 500;
/// Connections served at once: the `worker_connections` of nginx's sample configuration. Each
/// holds a socket and at most one file (a staging file or an object being sent), so all of
/// them need about twice as many file descriptors (`ulimit -n`); below that, accepting fails
/// first and the accept loop waits for descriptors to free.
pub(crate) const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// Uploads read at once; one more is refused with 503 `ActiveRequestLimitExceeded`.
pub(crate) const DEFAULT_MAX_UPLOADS: usize = 100;
/// What each form field costs in the 8 MB budget of the fields before the file, beyond its
/// name and value: about its multipart framing and the memory it takes once parsed, so the
/// budget holds at most ~80,000 fields however empty they are.
pub(crate) const FIELD_OVERHEAD: usize = 100;

/// The limits, as the command line set them.
#[derive(Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_request_size: u64,
    pub(crate) max_part_header: usize,
    pub(crate) read_timeout: Duration,
    /// Bytes a second; 0: no minimum.
    pub(crate) min_body_rate: u64,
    pub(crate) max_uploads: usize,
    pub(crate) max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_request_size: DEFAULT_MAX_REQUEST_SIZE,
            max_part_header: DEFAULT_MAX_PART_HEADER,
            read_timeout: DEFAULT_READ_TIMEOUT,
            min_body_rate: DEFAULT_MIN_BODY_RATE,
            max_uploads: DEFAULT_MAX_UPLOADS,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

impl Limits {
    /// The option whose value no upload could work with, if any.
    pub(crate) fn unusable(&self) -> Option<&'static str> {
        if self.max_request_size == 0 {
            Some("--max-request-size must be at least 1")
        } else if self.max_part_header == 0 {
            Some("--max-part-header must be at least 1")
        } else if self.read_timeout.is_zero() {
            Some("--read-timeout must be at least 1")
        } else if self.max_uploads == 0 {
            Some("--max-uploads must be at least 1")
        } else if self.max_connections == 0 {
            Some("--max-connections must be at least 1")
        } else {
            None
        }
    }
}
