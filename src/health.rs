//! How a subscription is doing: one definition for the page, `planet status` and `check`.
//!
//! Takes what the cache knows of a feed (its [`Source`] row and its stored entries' count and
//! newest date), whether `planet.toml` still lists it, `stale_days` and the clock, and returns a
//! [`Health`]. The conditions are independent (a feed can have moved and be failing); each
//! reader picks the words it needs: `status` prints [`Health::flags`], the page says the
//! [`Health::state`] in plain words, with the operator's detail (the last error) kept for
//! `status` alone. Pure: no I/O.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::model::Source;

/// What the cache holds of one feed's entries.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stored {
    /// How many entries are stored.
    pub entries: u64,
    /// The newest one's sort date.
    pub newest: Option<DateTime<Utc>>,
}

/// One feed's health.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Health {
    /// When a fetch last succeeded (a body read, or a 304).
    pub last_success: Option<DateTime<Utc>>,
    /// What the cache holds.
    pub entries: u64,
    /// The newest stored entry's date.
    pub newest_entry: Option<DateTime<Utc>>,
    /// Set while the feed fails: since when, how often, and why.
    pub failing: Option<Failing>,
    /// Read successfully, but no entry for `stale_days` (or none at all): it has gone quiet.
    pub quiet: bool,
    /// Where a permanent redirect sent it (the operator should edit `planet.toml`).
    pub moved_to: Option<String>,
    /// The server said 410 Gone: it is never requested again.
    pub gone: bool,
    /// `planet.toml` no longer lists it (the cache still holds its entries).
    pub unlisted: bool,
    /// The earliest time it will be requested again; `None` when it is due at the next run, or
    /// never will be (gone).
    pub next_due: Option<DateTime<Utc>>,
}

/// A feed that fails.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failing {
    /// When the first failure since the last success happened, when known.
    pub since: Option<DateTime<Utc>>,
    /// Consecutive failures.
    pub count: u32,
    /// The last failure's reason, for the operator.
    pub reason: String,
    /// The last attempt's HTTP status, when a response came.
    pub status: Option<u16>,
}

/// The one condition that matters most, for a page that has room for one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Never fetched yet.
    New,
    /// Fetched, with entries within `stale_days`.
    Ok,
    /// Fetched, but no new entry for `stale_days`.
    Quiet,
    /// The last attempts failed.
    Failing,
    /// Moved for good; still read at its new address.
    Moved,
    /// 410 Gone: never read again.
    Gone,
}

impl State {
    /// The name templates and `status --json` use.
    pub fn as_str(self) -> &'static str {
        match self {
            State::New => "new",
            State::Ok => "ok",
            State::Quiet => "quiet",
            State::Failing => "failing",
            State::Moved => "moved",
            State::Gone => "gone",
        }
    }
}

impl Health {
    /// The health of the feed at `url`. `source` is its row in the cache (none before its
    /// first fetch), `stored` what the cache holds of its entries.
    pub fn of(
        source: Option<&Source>,
        stored: Stored,
        listed: bool,
        stale_days: u64,
        now: DateTime<Utc>,
    ) -> Health {
        let days = i64::try_from(stale_days).unwrap_or(i64::MAX).min(36_500);
        let stale_before = now - Duration::days(days);
        let fetched = source.is_some_and(|s| s.last_success.is_some());
        let gone = source.is_some_and(|s| s.gone);
        Health {
            last_success: source.and_then(|s| s.last_success),
            entries: stored.entries,
            newest_entry: stored.newest,
            failing: source.filter(|s| s.error_count > 0).map(|s| Failing {
                since: s.failing_since,
                count: s.error_count,
                reason: s.last_error.clone().unwrap_or_default(),
                status: s.last_status,
            }),
            quiet: match stored.newest {
                Some(newest) => newest < stale_before,
                None => fetched,
            },
            moved_to: source.and_then(|s| s.moved_to.clone()),
            gone,
            unlisted: !listed,
            next_due: source
                .and_then(|s| s.next_due)
                .filter(|due| *due > now && !gone),
        }
    }

    /// The headline: gone, else failing, else moved, else quiet, else ok (or new).
    pub fn state(&self) -> State {
        if self.gone {
            State::Gone
        } else if self.failing.is_some() {
            State::Failing
        } else if self.moved_to.is_some() {
            State::Moved
        } else if self.quiet {
            State::Quiet
        } else if self.last_success.is_none() && self.entries == 0 {
            State::New
        } else {
            State::Ok
        }
    }

    /// Every condition that holds, for `planet status`: `moved`, `gone`, `failing`, `quiet`,
    /// `unlisted`.
    pub fn flags(&self) -> Vec<&'static str> {
        [
            (self.moved_to.is_some(), "moved"),
            (self.gone, "gone"),
            (self.failing.is_some(), "failing"),
            (self.quiet, "quiet"),
            (self.unlisted, "unlisted"),
        ]
        .into_iter()
        .filter_map(|(on, flag)| on.then_some(flag))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000, 0).unwrap()
    }

    fn fetched() -> Source {
        Source {
            url: "https://a.test/f".into(),
            last_success: Some(now()),
            ..Source::default()
        }
    }

    fn stored(days_ago: i64) -> Stored {
        Stored {
            entries: 3,
            newest: Some(now() - Duration::days(days_ago)),
        }
    }

    #[test]
    fn one_definition_of_each_condition() {
        let failing = Source {
            error_count: 2,
            last_error: Some("HTTP 500".into()),
            failing_since: Some(now() - Duration::days(2)),
            ..fetched()
        };
        let gone = Source {
            gone: true,
            error_count: 1,
            next_due: Some(now() + Duration::hours(1)),
            ..fetched()
        };
        let moved = Source {
            moved_to: Some("https://b.test/f".into()),
            next_due: Some(now() + Duration::hours(1)),
            ..fetched()
        };
        type Case<'a> = (&'a str, Option<Source>, Stored, bool, State, &'a [&'a str]);
        let cases: [Case; 8] = [
            (
                "never fetched",
                None,
                Stored::default(),
                true,
                State::New,
                &[],
            ),
            ("fresh", Some(fetched()), stored(10), true, State::Ok, &[]),
            (
                "quiet: old newest entry",
                Some(fetched()),
                stored(40),
                true,
                State::Quiet,
                &["quiet"],
            ),
            (
                "quiet: read, no entries",
                Some(fetched()),
                Stored::default(),
                true,
                State::Quiet,
                &["quiet"],
            ),
            (
                "failing wins over quiet",
                Some(failing),
                stored(40),
                true,
                State::Failing,
                &["failing", "quiet"],
            ),
            (
                "gone wins over failing",
                Some(gone),
                stored(10),
                true,
                State::Gone,
                &["gone", "failing"],
            ),
            (
                "moved",
                Some(moved),
                stored(10),
                true,
                State::Moved,
                &["moved"],
            ),
            (
                "unlisted",
                Some(fetched()),
                stored(10),
                false,
                State::Ok,
                &["unlisted"],
            ),
        ];
        for (name, source, stored, listed, state, flags) in cases {
            let h = Health::of(source.as_ref(), stored, listed, 30, now());
            assert_eq!(h.state(), state, "{name}");
            assert_eq!(h.flags(), flags, "{name}");
        }
    }

    #[test]
    fn a_gone_feed_is_never_due_and_a_moved_one_is() {
        let gone = Source {
            gone: true,
            next_due: Some(now() + Duration::hours(1)),
            ..fetched()
        };
        assert_eq!(
            Health::of(Some(&gone), stored(1), true, 30, now()).next_due,
            None
        );
        let waiting = Source {
            next_due: Some(now() + Duration::hours(1)),
            ..fetched()
        };
        assert_eq!(
            Health::of(Some(&waiting), stored(1), true, 30, now()).next_due,
            Some(now() + Duration::hours(1))
        );
    }

    #[test]
    fn failing_keeps_since_count_and_reason() {
        let s = Source {
            error_count: 3,
            last_error: Some("HTTP 503".into()),
            last_status: Some(503),
            failing_since: Some(now() - Duration::hours(5)),
            ..fetched()
        };
        let f = Health::of(Some(&s), stored(1), true, 30, now())
            .failing
            .unwrap();
        assert_eq!(f.count, 3);
        assert_eq!(f.reason, "HTTP 503");
        assert_eq!(f.status, Some(503));
        assert_eq!(f.since, Some(now() - Duration::hours(5)));
    }
}
