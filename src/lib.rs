//! planet: many blogs in, one page and one feed out.
//!
//! The pipeline, one stage per module: [`config`] → [`fetch`] → [`parse`] → [`store`] →
//! [`select`] → [`sanitize`] → [`render`] → [`publish`]. Fetch, store and publish touch the
//! network and the disk; the stages between them take values and return values. This file wires
//! them together, one line per stage, and is the only place that knows the order.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod check;
pub mod config;
pub mod discover;
pub mod every;
pub mod fetch;
pub mod filter;
pub mod lock;
pub mod manual;
pub mod migrate;
pub mod model;
pub mod parse;
pub mod publish;
pub mod render;
pub mod sanitize;
pub mod schedule;
pub mod select;
pub mod serve;
pub mod status;
pub mod store;
pub mod subscribe;

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::model::{Parsed, StoredEntry};
use crate::store::Store;

/// Errors that stop a run (a failing feed never does: it is reported and recorded).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is unreadable or invalid.
    #[error(transparent)]
    Config(#[from] config::Error),
    /// The cache cannot be opened or written.
    #[error(transparent)]
    Store(#[from] store::Error),
    /// The HTTP client cannot be built.
    #[error(transparent)]
    Fetch(#[from] fetch::Error),
    /// A template or writer failed.
    #[error(transparent)]
    Render(#[from] render::Error),
    /// The output cannot be written.
    #[error(transparent)]
    Publish(#[from] publish::Error),
}

/// What a fetch pass did, for messages and the exit status.
#[derive(Debug, Default)]
pub struct FetchReport {
    /// Feeds fetched with a new body.
    pub updated: usize,
    /// Feeds that answered 304.
    pub not_modified: usize,
    /// Feeds that failed, with the reason.
    pub failed: Vec<(String, String)>,
    /// Entries seen for the first time.
    pub new_entries: usize,
    /// Feeds not requested because they are not due yet (server's pace or backoff).
    pub not_due: usize,
    /// Feeds not requested because they are gone (410).
    pub gone: usize,
    /// Of `failed`, those failing the same way as last time (summarised, not repeated).
    pub still_failing: usize,
}

/// How a fetch pass is run; the default is what cron wants.
#[derive(Default)]
pub struct FetchOptions<'a> {
    /// Fetch every feed, due or not (`--force`); gone feeds stay skipped.
    pub force: bool,
    /// Called with (done, total) as feeds complete, for a progress bar.
    pub progress: Option<&'a dyn Fn(usize, usize)>,
}

/// What a publish pass did.
#[derive(Debug, Default)]
pub struct PublishReport {
    /// Entries on the page.
    pub entries: usize,
    /// Output files whose bytes changed.
    pub files_changed: usize,
}

/// The outcome of one feed, computed off the async threads (parsing is CPU work).
enum FeedResult {
    Parsed(Box<(Parsed, Vec<store::Packed>, fetch::Body)>),
    NotModified {
        etag: Option<String>,
        last_modified: Option<String>,
        hints: fetch::Hints,
    },
    Failed {
        status: Option<u16>,
        reason: String,
        retry_after: Option<std::time::Duration>,
    },
}

/// Fetches every enabled feed, parses what changed and records it all in the cache.
pub async fn fetch(
    config: &Config,
    store: &Store,
    now: DateTime<Utc>,
) -> Result<FetchReport, Error> {
    fetch_with(config, store, now, &FetchOptions::default()).await
}

/// [`fetch`], with options: feeds not yet due are skipped unless `force`; gone feeds are never
/// requested; moved feeds are requested at their new URL and warned about every run.
pub async fn fetch_with(
    config: &Config,
    store: &Store,
    now: DateTime<Utc>,
    options: &FetchOptions<'_>,
) -> Result<FetchReport, Error> {
    let client = fetch::Client::new(&config.planet)?;
    let known: HashMap<String, model::Source> = store
        .sources()?
        .into_iter()
        .map(|s| (s.url.clone(), s))
        .collect();
    let mut report = FetchReport::default();
    // The URL actually requested → the subscription it belongs to.
    let mut subscription = HashMap::new();
    let mut requests = Vec::new();
    for f in config.feeds.iter().filter(|f| f.enabled) {
        let s = known.get(f.url.as_str());
        let at = f.line.map(|l| format!(" (line {l})")).unwrap_or_default();
        if s.is_some_and(|s| s.gone) {
            tracing::warn!(
                "feed `{}` is gone (HTTP 410): remove it from `planet.toml`{at}",
                f.url
            );
            report.gone += 1;
            continue;
        }
        let moved = s
            .and_then(|s| s.moved_to.as_deref())
            .and_then(|m| url::Url::parse(m).ok());
        if let Some(m) = &moved {
            warn_moved(f.url.as_str(), m.as_str(), f.line);
        }
        if !options.force && s.and_then(|s| s.next_due).is_some_and(|due| due > now) {
            report.not_due += 1;
            continue;
        }
        let url = moved.unwrap_or_else(|| f.url.clone());
        subscription.insert(url.to_string(), f.url.to_string());
        requests.push(fetch::Request {
            url,
            etag: s.and_then(|s| s.etag.clone()),
            last_modified: s.and_then(|s| s.last_modified.clone()),
        });
    }
    let total = requests.len();
    // A planet that has fetched before has readers a new feed's back-catalogue would flood.
    let established = known.values().any(|s| s.last_success.is_some());
    let mut results = fetch::fetch_all(client, requests, config.planet.concurrency, |req, res| {
        let url = req.url.to_string();
        let result = match res {
            Ok(fetch::Outcome::Body(mut body)) => {
                // The parse takes the bytes (UTF-8 is read in place); the headers stay.
                let bytes = std::mem::take(&mut body.bytes);
                let content_type = body.content_type.as_deref();
                match parse::parse_feed(bytes, &url, body.final_url.as_str(), content_type) {
                    Ok(mut parsed) => {
                        let packed = parsed.entries.iter_mut().map(store::Packed::new).collect();
                        FeedResult::Parsed(Box::new((parsed, packed, body)))
                    }
                    Err(e) => FeedResult::Failed {
                        status: Some(200),
                        reason: error_chain(&e),
                        retry_after: None,
                    },
                }
            }
            Ok(fetch::Outcome::NotModified {
                etag,
                last_modified,
                hints,
            }) => FeedResult::NotModified {
                // A 304 may carry new validators; else the ones we sent still stand.
                etag: etag.or(req.etag),
                last_modified: last_modified.or(req.last_modified),
                hints,
            },
            Err(e) => FeedResult::Failed {
                status: e.status(),
                retry_after: match &e {
                    fetch::Error::Status { retry_after, .. } => *retry_after,
                    _ => None,
                },
                reason: error_chain(&e),
            },
        };
        (url, result)
    });
    // Each result finds its subscription here: a search of the list per result was quadratic.
    let feeds: HashMap<&str, &config::FeedConfig> =
        config.feeds.iter().map(|f| (f.url.as_str(), f)).collect();
    let mut done = 0;
    store.begin()?;
    while let Some((requested, result)) = results.recv().await {
        done += 1;
        if let Some(progress) = options.progress {
            progress(done, total);
        }
        let url = subscription.get(&requested).cloned().unwrap_or(requested);
        let prev = known.get(&url);
        let feed = feeds.get(url.as_str()).copied();
        let line = feed.and_then(|f| f.line);
        match result {
            FeedResult::Parsed(boxed) => {
                let (mut parsed, packed, body) = *boxed;
                if feed.is_some_and(|f| f.ignore_dates) {
                    filter::forget_dates(&mut parsed.entries);
                }
                let first_time = known.get(&url).is_none_or(|s| s.last_success.is_none());
                // A subscription edited to where its feed moved is the same feed, not a new one
                // (asked only of a new feed: a search of every known feed per result was
                // quadratic in feeds).
                let moved_here = || {
                    known.values().any(|s| {
                        s.url != url
                            && (s.moved_to.as_deref() == Some(url.as_str())
                                || s.final_url.as_deref() == Some(url.as_str()))
                    })
                };
                store.record_success(
                    &url,
                    &store::Success {
                        status: 200,
                        meta: Some(&parsed.meta),
                        etag: body.etag.as_deref(),
                        last_modified: body.last_modified.as_deref(),
                        final_url: Some(body.final_url.as_str()),
                    },
                    now,
                )?;
                report.new_entries += store.upsert_packed(
                    &url,
                    &parsed.entries,
                    &packed,
                    now,
                    config.planet.sort_by,
                )?;
                // A feed never read before has no stored entry that could have left it.
                if !first_time {
                    let ids: Vec<&str> = parsed.entries.iter().map(|e| e.id.as_str()).collect();
                    store.mark_in_feed(&url, &ids)?;
                }
                store.record_ttl(&url, parsed.ttl.map(|t| t.as_secs()))?;
                let due = schedule::after_success(now, body.hints.fresh_for, parsed.ttl);
                record_schedule(store, &url, prev, due, &body.hints, line)?;
                if established && first_time && !moved_here() {
                    store.mark_backlog(&url, config.planet.new_feed_items)?;
                }
                report.updated += 1;
                tracing::debug!("feed `{url}`: {} entries", parsed.entries.len());
            }
            FeedResult::NotModified {
                etag,
                last_modified,
                hints,
            } => {
                store.record_success(
                    &url,
                    &store::Success {
                        status: 304,
                        meta: None,
                        etag: etag.as_deref(),
                        last_modified: last_modified.as_deref(),
                        final_url: None,
                    },
                    now,
                )?;
                let ttl = prev
                    .and_then(|p| p.ttl_secs)
                    .map(std::time::Duration::from_secs);
                let due = schedule::after_success(now, hints.fresh_for, ttl);
                record_schedule(store, &url, prev, due, &hints, line)?;
                report.not_modified += 1;
                tracing::debug!("feed `{url}`: not modified");
            }
            FeedResult::Failed {
                status,
                reason,
                retry_after,
            } => {
                let failures = prev.map_or(0, |p| p.error_count) + 1;
                let gone = status == Some(410);
                let same = prev.is_some_and(|p| {
                    p.error_count > 0 && p.last_error.as_deref() == Some(reason.as_str())
                });
                if gone {
                    let at = line.map(|l| format!(" (line {l})")).unwrap_or_default();
                    tracing::warn!(
                        "feed `{url}` is gone (HTTP 410): remove it from `planet.toml`{at}"
                    );
                } else if same {
                    report.still_failing += 1;
                } else {
                    tracing::warn!("feed `{url}`: {reason}");
                }
                store.record_failure(&url, status, &reason, now)?;
                store.record_schedule(
                    &url,
                    &store::Schedule {
                        next_due: schedule::after_failure(now, failures, retry_after),
                        gone,
                        moved_to: None,
                    },
                )?;
                report.failed.push((url, reason));
            }
        }
    }
    store.commit()?;
    if report.still_failing > 0 {
        let n = report.still_failing;
        let feeds = if n == 1 { "feed" } else { "feeds" };
        tracing::warn!("{n} {feeds} still failing (see `planet status`)");
    }
    Ok(report)
}

/// Records a successful fetch's schedule and any newly met permanent redirect (warned at once;
/// later runs warn before fetching).
fn record_schedule(
    store: &Store,
    url: &str,
    prev: Option<&model::Source>,
    next_due: DateTime<Utc>,
    hints: &fetch::Hints,
    line: Option<usize>,
) -> Result<(), Error> {
    let moved_to = hints.moved_to.as_ref().map(|u| u.as_str());
    if let Some(m) = moved_to {
        if prev.and_then(|p| p.moved_to.as_deref()) != Some(m) {
            warn_moved(url, m, line);
        }
    }
    store.record_schedule(
        url,
        &store::Schedule {
            next_due,
            gone: false,
            moved_to,
        },
    )?;
    Ok(())
}

fn warn_moved(from: &str, to: &str, line: Option<usize>) {
    let at = line.map(|l| format!("line {l} of ")).unwrap_or_default();
    tracing::warn!("feed `{from}` moved permanently to `{to}`: change {at}`planet.toml`");
}

/// Selects, sanitizes, renders and publishes from the cache alone: no network.
pub fn publish(config: &Config, store: &Store, now: DateTime<Utc>) -> Result<PublishReport, Error> {
    let limit = config.planet.items_per_page;
    let selected = select_from(store, limit, |c| filter::filter(config, c, now))?;
    let shown: Vec<StoredEntry> = selected
        .into_iter()
        .map(|mut s| {
            let e = &mut s.entry;
            e.content = sanitize::sanitize_html(&e.content, e.content_kind, e.base.as_deref());
            let base = e.base.as_deref();
            e.detail
                .clean_html(|html| sanitize::sanitize_html(html, model::TextKind::Html, base));
            s
        })
        .collect();
    let sources = store.sources()?;
    let mut view = render::build(config, &shown, &sources, now);
    let latest = store.latest_entry_dates()?;
    render::mark_quiet(&mut view, &latest, &sources, config.planet.stale_days, now);
    let theme = render::html::load(config.planet.templates_dir.as_deref())?;
    let mut files = render::html::render(&theme, &view)?;
    files.push(("atom.xml".to_owned(), render::atom::render(&view)?));
    let outputs = &config.planet.outputs;
    type Render = fn(&render::View) -> Result<Vec<u8>, render::Error>;
    let optional: [(bool, &str, Render); 3] = [
        (outputs.rss, "rss.xml", render::rss::render),
        (outputs.json, "feed.json", render::json::render),
        (outputs.opml, "opml.xml", render::opml::render),
    ];
    // Outputs turned off are deleted once the page no longer links them.
    let mut retired = Vec::new();
    for (on, name, render) in optional {
        if on {
            files.push((name.to_owned(), render(&view)?));
        } else {
            retired.push(name);
        }
    }
    let files_changed = publish::publish(&config.planet.output_dir, &files)?
        + publish::retire(&config.planet.output_dir, &retired)?;
    prune(config, store, &shown, now)?;
    Ok(PublishReport {
        entries: shown.len(),
        files_changed,
    })
}

/// Bounds the cache: drops entries older than `retention_days` that left their feed (or whose
/// feed left `planet.toml`) and are not on the page just published.
fn prune(
    config: &Config,
    store: &Store,
    shown: &[StoredEntry],
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let days = i64::try_from(config.planet.retention_days).unwrap_or(i64::MAX);
    let Some(cutoff) = chrono::Duration::try_days(days).and_then(|d| now.checked_sub_signed(d))
    else {
        return Ok(()); // a retention longer than the calendar keeps everything
    };
    let subscribed: Vec<&str> = config.feeds.iter().map(|f| f.url.as_str()).collect();
    let keep: Vec<(&str, &str)> = shown
        .iter()
        .map(|s| (s.feed_url.as_str(), s.entry.id.as_str()))
        .collect();
    let pruned = store.prune(cutoff, &subscribed, &keep)?;
    if pruned > 0 {
        tracing::debug!("pruned {pruned} entries older than {days} days");
    }
    Ok(())
}

/// Reads candidates from the store until deduplication leaves `limit` entries (or the store
/// runs out): most runs need one small query, never a scan of the whole cache.
fn select_from(
    store: &Store,
    limit: usize,
    rules: impl Fn(Vec<StoredEntry>) -> Vec<StoredEntry>,
) -> Result<Vec<StoredEntry>, Error> {
    let mut want = limit.saturating_mul(2).saturating_add(16);
    loop {
        let candidates = store.newest(want, 0)?;
        let exhausted = candidates.len() < want;
        let selected = select::select(rules(candidates), limit);
        if selected.len() >= limit || exhausted {
            return Ok(selected);
        }
        want = want.saturating_mul(4);
    }
}

/// An error and its causes on one line: `reason: cause: cause`.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let c = cause.to_string();
        if !s.contains(&c) {
            s.push_str(": ");
            s.push_str(&c);
        }
        source = cause.source();
    }
    s
}
