//! Percent-encoding for what the server writes into URLs (`Location`) and form bodies (the
//! callback's), shared by the bucket and the callback so neither imports the other.

use std::fmt::Write as _;

/// Percent-encodes all but RFC 3986 unreserved characters (and `/` when `keep_slash`).
pub(crate) fn percent_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') || (keep_slash && b == b'/') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}
