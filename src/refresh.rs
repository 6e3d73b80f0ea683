//! Which feeds to request this run, and what each answer means for the cache.
//!
//! Two pure steps around the network, shared by `planet run` and `planet check --fetch`:
//! 1. [`plan`] takes the config, what the cache knows of each feed and the clock, and decides
//!    for every enabled subscription: request it (at its new address when it moved for good,
//!    with the validators of its last answer), or skip it (not due yet, or gone). It owes the
//!    operator a [`Notice`] for every feed that is gone or moved, on every run, until
//!    `planet.toml` is edited.
//! 2. [`classify`] turns one fetch result into the one [`FeedUpdate`] the store records: a body
//!    parsed into entries, a 304, or a [`Failure`] in the words every command uses (a web page
//!    where a feed should be says so, with a hint), with the schedule that follows from it.
//!
//! The run itself (fetch, then record) is `crate::refresh`'s caller, one line each.

use std::collections::{HashMap, HashSet};
use std::fmt;

use chrono::{DateTime, Utc};

use crate::config::{Config, FeedConfig};
use crate::model::{Failure, FeedUpdate, Fetched, Outcome, SortBy, Source, Validators};
use crate::{fetch, filter, parse, schedule, text};

/// One feed to request.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The subscription's URL as written in `planet.toml`: the cache's key for the feed.
    pub subscription: String,
    /// The line of `planet.toml` that names it, for messages.
    pub line: Option<usize>,
    /// What to ask: its URL (where it moved, when it did) and the validators it last sent.
    pub request: fetch::Request,
}

impl AsRef<fetch::Request> for Planned {
    fn as_ref(&self) -> &fetch::Request {
        &self.request
    }
}

/// What a run does with the subscriptions.
#[derive(Debug, Default)]
pub struct Plan {
    /// The feeds to request.
    pub requests: Vec<Planned>,
    /// Feeds not requested: not due yet (the server's pace, or backoff).
    pub not_due: usize,
    /// Feeds not requested: gone (410), never again.
    pub gone: usize,
    /// What the operator must hear before anything is fetched.
    pub notices: Vec<Notice>,
}

/// Something the operator should act on or know, worded once for every command.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// The feed answered 410 Gone.
    Gone {
        /// The subscription.
        url: String,
        /// Its line in `planet.toml`.
        line: Option<usize>,
    },
    /// The feed moved permanently (301, 308).
    Moved {
        /// The subscription.
        url: String,
        /// Where it went.
        to: String,
        /// Its line in `planet.toml`.
        line: Option<usize>,
    },
    /// The feed failed for the first time, or for a new reason.
    Failed {
        /// The subscription.
        url: String,
        /// Its line in `planet.toml`.
        line: Option<usize>,
        /// Why.
        failure: Failure,
    },
    /// Feeds failing the same way as last time, summed up in one line.
    StillFailing {
        /// How many.
        feeds: usize,
    },
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = |line: &Option<usize>| line.map(|l| format!(" (line {l})")).unwrap_or_default();
        match self {
            Notice::Gone { url, line } => write!(
                f,
                "feed `{url}` is gone (HTTP 410): remove it from `planet.toml`{}",
                at(line)
            ),
            Notice::Moved { url, to, line } => {
                let place = line.map(|l| format!("line {l} of ")).unwrap_or_default();
                write!(
                    f,
                    "feed `{url}` moved permanently to `{to}`: change {place}`planet.toml`"
                )
            }
            Notice::Failed { url, failure, .. } => write!(f, "feed `{url}`: {}", failure.reason),
            Notice::StillFailing { feeds } => {
                let feeds = text::plural(*feeds, "feed");
                write!(f, "{feeds} still failing (see `planet status`)")
            }
        }
    }
}

/// Decides, for every enabled subscription, whether to request it now and how.
pub fn plan(
    config: &Config,
    known: &HashMap<String, Source>,
    now: DateTime<Utc>,
    force: bool,
) -> Plan {
    let mut plan = Plan::default();
    for feed in config.feeds.iter().filter(|f| f.enabled) {
        let url = feed.url.as_str();
        let source = known.get(url);
        if source.is_some_and(|s| s.gone) {
            plan.notices.push(Notice::Gone {
                url: url.to_owned(),
                line: feed.line,
            });
            plan.gone += 1;
            continue;
        }
        let moved = source
            .and_then(|s| s.moved_to.as_deref())
            .and_then(|m| url::Url::parse(m).ok());
        if let Some(to) = &moved {
            plan.notices.push(Notice::Moved {
                url: url.to_owned(),
                to: to.to_string(),
                line: feed.line,
            });
        }
        if !force && source.and_then(|s| s.next_due).is_some_and(|due| due > now) {
            plan.not_due += 1;
            continue;
        }
        plan.requests.push(Planned {
            subscription: url.to_owned(),
            line: feed.line,
            request: fetch::Request {
                url: moved.unwrap_or_else(|| feed.url.clone()),
                etag: source.and_then(|s| s.etag.clone()),
                last_modified: source.and_then(|s| s.last_modified.clone()),
            },
        });
    }
    plan
}

/// What [`classify`] needs to know besides the answer: the cache's view of every feed before
/// the run, and the planet's rules for new feeds.
pub struct Context {
    known: HashMap<String, Source>,
    ignore_dates: HashSet<String>,
    /// Where known feeds moved or were redirected to, and from which subscription: a
    /// subscription edited to follow its feed is the same feed, not a new one.
    moved: HashMap<String, String>,
    /// The planet has been read before: it has readers a new feed's back-catalogue would flood.
    established: bool,
    new_feed_items: usize,
    sort_by: SortBy,
    now: DateTime<Utc>,
}

impl Context {
    /// The context of a run at `now`, with what the cache knew before it.
    pub fn new(config: &Config, known: HashMap<String, Source>, now: DateTime<Utc>) -> Context {
        let mut moved = HashMap::new();
        for s in known.values() {
            for target in [&s.moved_to, &s.final_url].into_iter().flatten() {
                if *target != s.url {
                    moved.insert(target.clone(), s.url.clone());
                }
            }
        }
        Context {
            established: known.values().any(|s| s.last_success.is_some()),
            ignore_dates: config
                .feeds
                .iter()
                .filter(|f: &&FeedConfig| f.ignore_dates)
                .map(|f| f.url.to_string())
                .collect(),
            known,
            moved,
            new_feed_items: config.planet.new_feed_items,
            sort_by: config.planet.sort_by,
            now,
        }
    }
}

/// One answer, classified: the cache write and what the operator should hear of it.
#[derive(Debug)]
pub struct Classified {
    /// What the store records.
    pub update: FeedUpdate,
    /// What the operator should hear, if anything.
    pub notice: Option<Notice>,
}

/// Turns one fetch result into the feed's update: its body parsed (CPU work: run it off the
/// async threads), or the failure in plain words, and when to ask again.
pub fn classify(
    ctx: &Context,
    planned: &Planned,
    result: Result<fetch::Outcome, fetch::Error>,
) -> Classified {
    let url = planned.subscription.as_str();
    let prev = ctx.known.get(url);
    let (outcome, next_due, moved_to) = match result {
        Ok(fetch::Outcome::Body(body)) => {
            let moved_to = body.hints.moved_to.as_ref().map(|u| u.to_string());
            match read_body(ctx, url, prev, body, moved_to.clone()) {
                Ok((fetched, next_due)) => {
                    (Outcome::Fetched(Box::new(fetched)), next_due, moved_to)
                }
                Err(failure) => failed(ctx, prev, failure, None),
            }
        }
        Ok(fetch::Outcome::NotModified {
            etag,
            last_modified,
            hints,
        }) => {
            let ttl = prev
                .and_then(|p| p.ttl_secs)
                .map(std::time::Duration::from_secs);
            let moved_to = hints.moved_to.as_ref().map(|u| u.to_string());
            let outcome = Outcome::NotModified {
                // A 304 may carry new validators; else the ones we sent still stand.
                validators: Validators {
                    etag: etag.or_else(|| planned.request.etag.clone()),
                    last_modified: last_modified.or_else(|| planned.request.last_modified.clone()),
                },
                moved_to: moved_to.clone(),
            };
            (
                outcome,
                schedule::after_success(ctx.now, hints.fresh_for, ttl),
                moved_to,
            )
        }
        Err(e) => {
            let retry_after = match &e {
                fetch::Error::Status { retry_after, .. } => *retry_after,
                _ => None,
            };
            failed(ctx, prev, fetch_failure(&e), retry_after)
        }
    };
    let notice = notice(planned, prev, &outcome, moved_to);
    Classified {
        update: FeedUpdate {
            at: ctx.now,
            next_due,
            outcome,
        },
        notice,
    }
}

type Failed = (Outcome, DateTime<Utc>, Option<String>);

fn failed(
    ctx: &Context,
    prev: Option<&Source>,
    failure: Failure,
    retry_after: Option<std::time::Duration>,
) -> Failed {
    let failures = prev.map_or(0, |p| p.error_count) + 1;
    let due = schedule::after_failure(ctx.now, failures, retry_after);
    (Outcome::Failed(failure), due, None)
}

/// Parses a 200's body into the feed's new state.
fn read_body(
    ctx: &Context,
    url: &str,
    prev: Option<&Source>,
    mut body: fetch::Body,
    moved_to: Option<String>,
) -> Result<(Fetched, DateTime<Utc>), Failure> {
    // The parse takes the bytes (UTF-8 is read in place); the start is kept to say what the
    // body was when it is no feed.
    let bytes = std::mem::take(&mut body.bytes);
    let head = bytes[..bytes.len().min(1024)].to_vec();
    let mut parsed = parse::parse_feed(
        bytes,
        url,
        body.final_url.as_str(),
        body.content_type.as_deref(),
    )
    .map_err(|e| not_a_feed(url, &head, &e))?;
    if ctx.ignore_dates.contains(url) {
        filter::forget_dates(&mut parsed.entries);
    }
    let first_sight = prev.is_none_or(|s| s.last_success.is_none());
    let undated = !parsed.entries.is_empty()
        && (parsed.entries.iter()).all(|e| e.published.is_none() && e.updated.is_none());
    let moved_here = ctx.moved.get(url).is_some_and(|from| from != url);
    let next_due = schedule::after_success(ctx.now, body.hints.fresh_for, parsed.ttl);
    let fetched = Fetched {
        parsed,
        validators: Validators {
            etag: body.etag,
            last_modified: body.last_modified,
        },
        final_url: body.final_url.to_string(),
        moved_to,
        sort_by: ctx.sort_by,
        first_sight,
        // A feed without dates shows only its first entries even on a planet's first run: all
        // of them would be "new" at once.
        backlog: (first_sight && !moved_here && (ctx.established || undated))
            .then_some(ctx.new_feed_items),
    };
    Ok((fetched, next_due))
}

/// A body that did not parse as a feed: a web page is named as such, with the way out.
fn not_a_feed(url: &str, head: &[u8], e: &parse::Error) -> Failure {
    if looks_like_html(head) {
        Failure {
            status: Some(200),
            reason: "a web page, not a feed".to_owned(),
            hint: Some(format!("`planet add {url}` finds the feed it links to")),
            gone: false,
        }
    } else {
        Failure {
            status: Some(200),
            reason: format!("not a feed: {}", crate::error_chain(e)),
            hint: None,
            gone: false,
        }
    }
}

/// A failed request in the words every command uses.
fn fetch_failure(e: &fetch::Error) -> Failure {
    let status = e.status();
    let gone = status == Some(410);
    Failure {
        status,
        reason: crate::error_chain(e),
        hint: gone.then(|| "the blog removed it for good: remove the feed".to_owned()),
        gone,
    }
}

/// Whether a body looks like an HTML page rather than a feed.
pub fn looks_like_html(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    head.contains("<!doctype html") || head.contains("<html")
}

/// What the operator hears of one answer: a feed gone, a feed that just moved (later runs say
/// so from the plan), a new failure or a new reason, or one more feed still failing.
fn notice(
    planned: &Planned,
    prev: Option<&Source>,
    outcome: &Outcome,
    moved_to: Option<String>,
) -> Option<Notice> {
    let url = planned.subscription.clone();
    let line = planned.line;
    match outcome {
        Outcome::Failed(f) if f.gone => Some(Notice::Gone { url, line }),
        Outcome::Failed(f) => {
            let same = prev.is_some_and(|p| {
                p.error_count > 0 && p.last_error.as_deref() == Some(f.reason.as_str())
            });
            Some(if same {
                Notice::StillFailing { feeds: 1 }
            } else {
                Notice::Failed {
                    url,
                    line,
                    failure: f.clone(),
                }
            })
        }
        _ => moved_to
            .filter(|to| prev.and_then(|p| p.moved_to.as_deref()) != Some(to.as_str()))
            .map(|to| Notice::Moved { url, to, line }),
    }
}

/// What a refresh did, for messages and the exit status.
#[derive(Debug, Default)]
pub struct Report {
    /// Feeds read afresh.
    pub updated: usize,
    /// Feeds that answered 304.
    pub not_modified: usize,
    /// Feeds that failed, with the reason.
    pub failed: Vec<(String, String)>,
    /// Entries seen for the first time.
    pub new_entries: usize,
    /// Feeds not requested because they are not due yet.
    pub not_due: usize,
    /// Feeds not requested because they are gone.
    pub gone: usize,
    /// What the operator should hear, in order; feeds still failing the same way are summed
    /// up in one notice at the end.
    pub notices: Vec<Notice>,
}

impl Report {
    /// A report that starts from the plan's skips and notices.
    pub fn planned(plan: &Plan) -> Report {
        Report {
            not_due: plan.not_due,
            gone: plan.gone,
            notices: plan.notices.clone(),
            ..Report::default()
        }
    }

    /// Counts one classified answer and the entries it added.
    pub fn add(&mut self, url: &str, classified: Classified, new_entries: usize) {
        match &classified.update.outcome {
            Outcome::Fetched(_) => self.updated += 1,
            Outcome::NotModified { .. } => self.not_modified += 1,
            Outcome::Failed(f) => self.failed.push((url.to_owned(), f.reason.clone())),
        }
        self.new_entries += new_entries;
        match classified.notice {
            Some(Notice::StillFailing { feeds }) => self.still_failing(feeds),
            Some(n) => self.notices.push(n),
            None => {}
        }
    }

    fn still_failing(&mut self, more: usize) {
        let summed = self.notices.iter_mut().find_map(|n| match n {
            Notice::StillFailing { feeds } => Some(feeds),
            _ => None,
        });
        match summed {
            Some(feeds) => *feeds += more,
            None => self.notices.push(Notice::StillFailing { feeds: more }),
        }
    }

    /// The notices in the order the operator reads best: the summary of feeds still failing
    /// comes last.
    pub fn finish(mut self) -> Report {
        self.notices
            .sort_by_key(|n| matches!(n, Notice::StillFailing { .. }));
        self
    }

    /// Feeds answered so far, for a progress bar.
    pub fn done(&self) -> usize {
        self.updated + self.not_modified + self.failed.len()
    }

    /// Feeds the plan looked at: requested, not due or gone.
    pub fn requested(&self) -> usize {
        self.done() + self.not_due + self.gone
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000, 0).unwrap()
    }

    fn config(feeds: &[&str]) -> Config {
        let mut text =
            "[planet]\nname = \"P\"\nlink = \"https://p.test/\"\nowner_name = \"O\"\n".to_owned();
        for f in feeds {
            text.push_str(&format!("[[feeds]]\nurl = \"{f}\"\n"));
        }
        crate::config::parse(&text, std::path::Path::new("planet.toml")).unwrap()
    }

    fn known(sources: Vec<Source>) -> HashMap<String, Source> {
        sources.into_iter().map(|s| (s.url.clone(), s)).collect()
    }

    #[test]
    fn plan_requests_skips_and_redirects() {
        let c = config(&[
            "https://new.test/f",
            "https://due.test/f",
            "https://later.test/f",
            "https://gone.test/f",
            "https://moved.test/f",
        ]);
        let k = known(vec![
            Source {
                url: "https://due.test/f".into(),
                etag: Some("\"e\"".into()),
                next_due: Some(now() - Duration::minutes(1)),
                ..Source::default()
            },
            Source {
                url: "https://later.test/f".into(),
                next_due: Some(now() + Duration::minutes(5)),
                ..Source::default()
            },
            Source {
                url: "https://gone.test/f".into(),
                gone: true,
                ..Source::default()
            },
            Source {
                url: "https://moved.test/f".into(),
                moved_to: Some("https://there.test/f".into()),
                ..Source::default()
            },
        ]);
        type Case<'a> = (&'a str, bool, &'a [&'a str], usize, usize);
        let cases: [Case; 2] = [
            (
                "a scheduled run",
                false,
                &[
                    "https://new.test/f",
                    "https://due.test/f",
                    "https://there.test/f",
                ],
                1,
                1,
            ),
            (
                "--force asks the feeds not due, never the gone one",
                true,
                &[
                    "https://new.test/f",
                    "https://due.test/f",
                    "https://later.test/f",
                    "https://there.test/f",
                ],
                0,
                1,
            ),
        ];
        for (name, force, requested, not_due, gone) in cases {
            let p = plan(&c, &k, now(), force);
            let urls: Vec<&str> = p.requests.iter().map(|r| r.request.url.as_str()).collect();
            assert_eq!(urls, requested, "{name}");
            assert_eq!((p.not_due, p.gone), (not_due, gone), "{name}");
            assert_eq!(p.notices.len(), 2, "{name}: gone and moved, every run");
        }
        let p = plan(&c, &k, now(), false);
        assert_eq!(p.requests[1].request.etag.as_deref(), Some("\"e\""));
        assert_eq!(p.requests[2].subscription, "https://moved.test/f");
        assert!(p.notices[0].to_string().contains("is gone (HTTP 410)"));
        assert!(p.notices[1]
            .to_string()
            .contains("moved permanently to `https://there.test/f`: change line 14 of"));
    }

    fn planned(url: &str) -> Planned {
        Planned {
            subscription: url.into(),
            line: Some(7),
            request: fetch::Request {
                url: url::Url::parse(url).unwrap(),
                etag: Some("\"sent\"".into()),
                last_modified: None,
            },
        }
    }

    fn body(bytes: &[u8]) -> fetch::Outcome {
        fetch::Outcome::Body(fetch::Body {
            bytes: bytes.to_vec(),
            final_url: url::Url::parse("https://a.test/f").unwrap(),
            etag: Some("\"new\"".into()),
            last_modified: None,
            content_type: None,
            hints: fetch::Hints::default(),
        })
    }

    const FEED: &[u8] = b"<rss version='2.0'><channel><title>T</title><item><guid>1</guid><title>One</title></item></channel></rss>";

    #[test]
    fn classify_names_every_kind_of_answer() {
        let c = config(&["https://a.test/f"]);
        let failing = Source {
            url: "https://a.test/f".into(),
            error_count: 1,
            last_error: Some("HTTP 500 Internal Server Error".into()),
            last_success: Some(now() - Duration::days(1)),
            ..Source::default()
        };
        let ctx = Context::new(&c, known(vec![failing]), now());
        let p = planned("https://a.test/f");
        let status = |code: u16| {
            Err(fetch::Error::Status {
                status: reqwest::StatusCode::from_u16(code).unwrap(),
                retry_after: None,
            })
        };
        let html = b"<!DOCTYPE html><html><body>blog</body></html>";
        type Check = fn(&Outcome, &Option<Notice>) -> bool;
        let cases: [(&str, Result<fetch::Outcome, fetch::Error>, Check); 6] = [
            ("a feed", Ok(body(FEED)), |o, n| {
                matches!(o, Outcome::Fetched(f) if f.parsed.entries.len() == 1
                    && f.validators.etag.as_deref() == Some("\"new\"") && !f.first_sight)
                    && n.is_none()
            }),
            ("a web page", Ok(body(html)), |o, n| {
                matches!(o, Outcome::Failed(f) if f.reason == "a web page, not a feed"
                    && f.hint.as_deref() == Some("`planet add https://a.test/f` finds the feed it links to"))
                    && matches!(n, Some(Notice::Failed { .. }))
            }),
            (
                "garbage",
                Ok(body(b"hello")),
                |o, _| matches!(o, Outcome::Failed(f) if f.reason.starts_with("not a feed: ")),
            ),
            ("the same failure again", status(500), |o, n| {
                matches!(o, Outcome::Failed(f) if !f.gone)
                    && matches!(n, Some(Notice::StillFailing { feeds: 1 }))
            }),
            ("gone", status(410), |o, n| {
                matches!(o, Outcome::Failed(f) if f.gone && f.status == Some(410))
                    && matches!(n, Some(Notice::Gone { .. }))
            }),
            (
                "not modified keeps the validators sent",
                Ok(fetch::Outcome::NotModified {
                    etag: None,
                    last_modified: None,
                    hints: fetch::Hints::default(),
                }),
                |o, n| {
                    matches!(o, Outcome::NotModified { validators, .. }
                        if validators.etag.as_deref() == Some("\"sent\""))
                        && n.is_none()
                },
            ),
        ];
        for (name, result, check) in cases {
            let c = classify(&ctx, &p, result);
            assert!(
                check(&c.update.outcome, &c.notice),
                "{name}: {:?} {:?}",
                c.update.outcome,
                c.notice
            );
        }
    }

    #[test]
    fn failures_back_off_and_successes_follow_the_server() {
        let c = config(&["https://a.test/f"]);
        let twice = Source {
            url: "https://a.test/f".into(),
            error_count: 2,
            ..Source::default()
        };
        let ctx = Context::new(&c, known(vec![twice]), now());
        let p = planned("https://a.test/f");
        let failed = classify(&ctx, &p, Ok(body(b"x")));
        assert_eq!(failed.update.next_due - now(), Duration::minutes(40));
        let ok = classify(&ctx, &p, Ok(body(FEED)));
        assert_eq!(ok.update.next_due, now(), "no hint: due at the next run");
    }

    #[test]
    fn a_new_feed_on_a_planet_with_readers_shows_only_its_newest() {
        let c = config(&[
            "https://old.test/f",
            "https://new.test/f",
            "https://there.test/f",
        ]);
        let old = Source {
            url: "https://old.test/f".into(),
            last_success: Some(now()),
            moved_to: Some("https://there.test/f".into()),
            ..Source::default()
        };
        let ctx = Context::new(&c, known(vec![old]), now());
        let backlog = |url: &str| match classify(&ctx, &planned(url), Ok(body(FEED))).update.outcome
        {
            Outcome::Fetched(f) => f.backlog,
            other => panic!("{other:?}"),
        };
        assert_eq!(backlog("https://new.test/f"), Some(3));
        assert_eq!(backlog("https://old.test/f"), None, "not new");
        assert_eq!(
            backlog("https://there.test/f"),
            None,
            "the old feed, edited to its new URL"
        );
        // A planet's very first run shows everything a dated feed has, but only the first
        // entries of one without dates.
        let first = Context::new(&c, HashMap::new(), now());
        let dated: &[u8] = b"<rss version='2.0'><channel><title>T</title><item><guid>1</guid>\
            <title>One</title><pubDate>Tue, 03 Mar 2026 10:00:00 GMT</pubDate></item></channel></rss>";
        let r = classify(&first, &planned("https://new.test/f"), Ok(body(dated)));
        assert!(matches!(r.update.outcome, Outcome::Fetched(f) if f.backlog.is_none()));
        let r = classify(&first, &planned("https://new.test/f"), Ok(body(FEED)));
        assert!(matches!(r.update.outcome, Outcome::Fetched(f) if f.backlog == Some(3)));
    }

    #[test]
    fn the_report_sums_up_feeds_still_failing_last() {
        let mut r = Report::default();
        let failure = Failure {
            status: Some(500),
            reason: "HTTP 500".into(),
            hint: None,
            gone: false,
        };
        let update = FeedUpdate {
            at: now(),
            next_due: now(),
            outcome: Outcome::Failed(failure.clone()),
        };
        for n in [
            Some(Notice::StillFailing { feeds: 1 }),
            Some(Notice::Failed {
                url: "u".into(),
                line: None,
                failure,
            }),
            Some(Notice::StillFailing { feeds: 1 }),
        ] {
            r.add(
                "u",
                Classified {
                    update: update.clone(),
                    notice: n,
                },
                0,
            );
        }
        let r = r.finish();
        let lines: Vec<String> = r.notices.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "feed `u`: HTTP 500",
                "2 feeds still failing (see `planet status`)"
            ]
        );
        assert_eq!(r.failed.len(), 3);
    }
}
