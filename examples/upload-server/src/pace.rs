//! The pace a request body must keep, one clock for forms (`intake.rs`) and presigned PUTs
//! (`presigned.rs`): no pause of `--read-timeout`, and, over each window of `--read-timeout`,
//! at least `--min-body-rate` bytes a second (as Apache's `mod_reqtimeout` `MinRate`). Without
//! the rate, a client that sends a byte just before each timeout would hold its upload slot
//! and its staging file for as long as it likes.

use std::fmt;
use std::time::Duration;

use axum::body::Bytes;
use futures_util::{Stream, StreamExt as _};
use tokio::time::Instant;

use crate::limits::Limits;

/// Why a body was given up on.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Late {
    /// Nothing arrived for `--read-timeout`.
    Idle(Duration),
    /// A window of `--read-timeout` brought fewer than `--min-body-rate` bytes a second.
    TooSlow { rate: u64, window: Duration },
}

impl fmt::Display for Late {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Idle(t) => write!(f, "sent nothing for {} seconds", t.as_secs()),
            Self::TooSlow { rate, window } => {
                write!(f, "sent fewer than {rate} bytes a second over {} seconds", window.as_secs())
            }
        }
    }
}

/// The clock of one body being read.
pub(crate) struct Pace {
    read_timeout: Duration,
    /// Bytes a second; 0: no minimum.
    min_rate: u64,
    last_read: Instant,
    window_end: Instant,
    in_window: u64,
}

impl Pace {
    /// The clock of a body whose reading starts now.
    pub(crate) fn start(limits: &Limits) -> Self {
        let now = Instant::now();
        Self {
            read_timeout: limits.read_timeout,
            min_rate: limits.min_body_rate,
            last_read: now,
            window_end: now + limits.read_timeout,
            in_window: 0,
        }
    }

    /// The next item of `body`, unless the body is late.
    pub(crate) async fn next<S, E>(&mut self, body: &mut S) -> Result<Option<Result<Bytes, E>>, Late>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
    {
        loop {
            let idle_end = self.last_read + self.read_timeout;
            let deadline = if self.min_rate == 0 { idle_end } else { idle_end.min(self.window_end) };
            let next = tokio::time::timeout_at(deadline, body.next()).await;
            let now = Instant::now();
            self.close_windows(now)?;
            match next {
                Ok(item) => {
                    self.last_read = now;
                    if let Some(Ok(chunk)) = &item {
                        self.in_window += chunk.len() as u64;
                    }
                    return Ok(item);
                }
                Err(_) if now >= idle_end => return Err(Late::Idle(self.read_timeout)),
                // A window ended having brought enough; the next one has begun.
                Err(_) => {}
            }
        }
    }

    /// Ends the windows over by `now`; the first that brought fewer than rate × window bytes
    /// makes the body late. A body that ends within its first window is never measured.
    fn close_windows(&mut self, now: Instant) -> Result<(), Late> {
        let needed = self.min_rate.saturating_mul(self.read_timeout.as_secs());
        while self.min_rate > 0 && now >= self.window_end {
            if self.in_window < needed {
                return Err(Late::TooSlow { rate: self.min_rate, window: self.read_timeout });
            }
            self.window_end += self.read_timeout;
            self.in_window = 0;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pace(min_body_rate: u64) -> Pace {
        Pace::start(&Limits { read_timeout: Duration::from_secs(10), min_body_rate, ..Limits::default() })
    }

    #[test]
    fn each_window_must_bring_rate_times_window_bytes() {
        let mut pace = pace(100);
        let start = pace.last_read;
        pace.in_window = 1000;
        // The first window brought exactly 100 bytes a second for 10 s; the second is measured
        // only once it has ended.
        assert!(pace.close_windows(start + Duration::from_secs(10)).is_ok());
        assert!(pace.close_windows(start + Duration::from_millis(19_999)).is_ok());
        pace.in_window = 999;
        let late = pace.close_windows(start + Duration::from_secs(20));
        assert!(matches!(late, Err(Late::TooSlow { rate: 100, window }) if window.as_secs() == 10), "{late:?}");
    }

    #[test]
    fn a_rate_of_0_measures_nothing() {
        let mut pace = pace(0);
        let start = pace.last_read;
        assert!(pace.close_windows(start + Duration::from_secs(1000)).is_ok());
    }
}
