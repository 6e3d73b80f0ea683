//! When each feed is fetched next: the server's pace, the feed's own hint, and backoff.
//!
//! Pure: takes what the last fetch learnt and the time (`now`), returns the earliest time the
//! feed may be requested again. A successful fetch is next due after the longest of
//! `Cache-Control: max-age` (else `Expires`) and RSS `<ttl>`; with no hint at all it is due at
//! once, so the next scheduled run fetches it. A failure is next due after an exponential
//! backoff on the consecutive failures ([`BACKOFF_BASE`] doubled each time), or after the
//! server's `Retry-After` when that is longer. Every delay is capped at [`MAX_DELAY`], so a
//! server asking for a week is still asked again tomorrow. This module neither fetches nor
//! stores: lib.rs asks it and records the answer.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// No feed waits longer than this between two requests, whatever it asked for.
pub const MAX_DELAY: Duration = Duration::from_secs(24 * 60 * 60);

/// The delay after the first failure; each further consecutive failure doubles it.
pub const BACKOFF_BASE: Duration = Duration::from_secs(10 * 60);

/// When a feed that just answered (200 or 304) is next due.
pub fn after_success(
    now: DateTime<Utc>,
    fresh_for: Option<Duration>,
    ttl: Option<Duration>,
) -> DateTime<Utc> {
    let wait = fresh_for.max(ttl).unwrap_or_default();
    later(now, wait)
}

/// When a feed that failed `failures` times in a row (this one included) is next due.
pub fn after_failure(
    now: DateTime<Utc>,
    failures: u32,
    retry_after: Option<Duration>,
) -> DateTime<Utc> {
    later(now, backoff(failures).max(retry_after.unwrap_or_default()))
}

/// The backoff after `failures` consecutive failures: 10 min, 20 min, 40 min, … up to 24 h.
pub fn backoff(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(16);
    BACKOFF_BASE.saturating_mul(1 << doublings).min(MAX_DELAY)
}

fn later(now: DateTime<Utc>, wait: Duration) -> DateTime<Utc> {
    let wait = chrono::Duration::from_std(wait.min(MAX_DELAY)).unwrap_or_default();
    now + wait
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn mins(m: u64) -> Duration {
        Duration::from_secs(m * 60)
    }

    #[test]
    fn success_rules() {
        let now = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let cases = [
            ("no hint: due at once", None, None, 0),
            ("max-age", Some(mins(30)), None, 30),
            ("ttl", None, Some(mins(60)), 60),
            ("the longer of both", Some(mins(90)), Some(mins(60)), 90),
            ("capped at a day", Some(mins(60 * 24 * 7)), None, 60 * 24),
        ];
        for (name, fresh, ttl, want) in cases {
            let due = after_success(now, fresh, ttl);
            assert_eq!((due - now).num_minutes(), want, "case {name}");
        }
    }

    #[test]
    fn failure_rules() {
        let now = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let cases = [
            ("first failure", 1, None, 10),
            ("second doubles", 2, None, 20),
            ("fifth", 5, None, 160),
            ("capped at a day", 30, None, 60 * 24),
            ("retry-after longer wins", 1, Some(mins(120)), 120),
            ("backoff longer wins", 3, Some(mins(1)), 40),
            ("retry-after capped", 1, Some(mins(60 * 24 * 30)), 60 * 24),
        ];
        for (name, failures, retry, want) in cases {
            let due = after_failure(now, failures, retry);
            assert_eq!((due - now).num_minutes(), want, "case {name}");
        }
    }
}
