//! planet: many blogs in, one page and one feed out.
//!
//! The pipeline, one stage per module: [`config`] → [`fetch`] → [`parse`] → [`store`] →
//! [`select`] → [`sanitize`] → [`render`] → [`publish`]. Fetch, store and publish touch the
//! network and the disk; the stages between them take values and return values. This file wires
//! them together, one line per stage, and is the only place that knows the order.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod config;
pub mod fetch;
pub mod model;
pub mod parse;
pub mod publish;
pub mod render;
pub mod sanitize;
pub mod select;
pub mod store;

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
    Parsed(Box<(Parsed, fetch::Body)>),
    NotModified {
        etag: Option<String>,
        last_modified: Option<String>,
    },
    Failed {
        status: Option<u16>,
        reason: String,
    },
}

/// Fetches every enabled feed, parses what changed and records it all in the cache.
pub async fn fetch(
    config: &Config,
    store: &Store,
    now: DateTime<Utc>,
) -> Result<FetchReport, Error> {
    let client = fetch::Client::new(&config.planet)?;
    let known: HashMap<String, model::Source> = store
        .sources()?
        .into_iter()
        .map(|s| (s.url.clone(), s))
        .collect();
    let requests = config
        .feeds
        .iter()
        .map(|f| {
            let s = known.get(f.url.as_str());
            fetch::Request {
                url: f.url.clone(),
                etag: s.and_then(|s| s.etag.clone()),
                last_modified: s.and_then(|s| s.last_modified.clone()),
            }
        })
        .collect();
    let mut results = fetch::fetch_all(client, requests, config.planet.concurrency, |req, res| {
        let url = req.url.to_string();
        let result = match res {
            Ok(fetch::Outcome::Body(body)) => {
                let content_type = body.content_type.as_deref();
                match parse::parse_feed(&body.bytes, &url, body.final_url.as_str(), content_type) {
                    Ok(parsed) => {
                        // The body's bytes are no longer needed: keep only its headers.
                        let body = fetch::Body {
                            bytes: Vec::new(),
                            ..body
                        };
                        FeedResult::Parsed(Box::new((parsed, body)))
                    }
                    Err(e) => FeedResult::Failed {
                        status: Some(200),
                        reason: error_chain(&e),
                    },
                }
            }
            Ok(fetch::Outcome::NotModified {
                etag,
                last_modified,
            }) => FeedResult::NotModified {
                etag: etag.or(req.etag),
                last_modified: last_modified.or(req.last_modified),
            },
            Err(e) => FeedResult::Failed {
                status: match &e {
                    fetch::Error::Status { status } => Some(status.as_u16()),
                    _ => None,
                },
                reason: error_chain(&e),
            },
        };
        (url, result)
    });
    let mut report = FetchReport::default();
    store.begin()?;
    while let Some((url, result)) = results.recv().await {
        match result {
            FeedResult::Parsed(boxed) => {
                let (parsed, body) = *boxed;
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
                report.new_entries +=
                    store.upsert_entries_by(&url, &parsed.entries, now, config.planet.sort_by)?;
                report.updated += 1;
                tracing::debug!("feed `{url}`: {} entries", parsed.entries.len());
            }
            FeedResult::NotModified {
                etag,
                last_modified,
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
                report.not_modified += 1;
                tracing::debug!("feed `{url}`: not modified");
            }
            FeedResult::Failed { status, reason } => {
                store.record_failure(&url, status, &reason, now)?;
                tracing::warn!("feed `{url}`: {reason}");
                report.failed.push((url, reason));
            }
        }
    }
    store.commit()?;
    Ok(report)
}

/// Selects, sanitizes, renders and publishes from the cache alone: no network.
pub fn publish(config: &Config, store: &Store, now: DateTime<Utc>) -> Result<PublishReport, Error> {
    let limit = config.planet.items_per_page;
    let selected = select_from(store, limit)?;
    let shown: Vec<StoredEntry> = selected
        .into_iter()
        .map(|mut s| {
            let e = &mut s.entry;
            e.content = sanitize::sanitize_html(&e.content, e.content_kind, e.base.as_deref());
            s
        })
        .collect();
    let sources = store.sources()?;
    let view = render::build(config, &shown, &sources, now);
    let theme = render::html::load(config.planet.templates_dir.as_deref())?;
    let mut files = render::html::render(&theme, &view)?;
    files.push(("atom.xml".to_owned(), render::atom::render(&view)?));
    let files_changed = publish::publish(&config.planet.output_dir, &files)?;
    Ok(PublishReport {
        entries: shown.len(),
        files_changed,
    })
}

/// Reads candidates from the store until deduplication leaves `limit` entries (or the store
/// runs out): most runs need one small query, never a scan of the whole cache.
fn select_from(store: &Store, limit: usize) -> Result<Vec<StoredEntry>, Error> {
    let mut want = limit.saturating_mul(2).saturating_add(16);
    loop {
        let candidates = store.newest(want, 0)?;
        let exhausted = candidates.len() < want;
        let selected = select::select(candidates, limit);
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
