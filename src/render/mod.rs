//! One view-model, built once, then written out in every format.
//!
//! Takes the config, the selected entries (content already sanitized), the feeds' state and the
//! clock; [`View`] holds everything any output shows, as plain serializable data, so the HTML
//! theme, the Atom writer and the operator's own templates all see the same facts. This stage
//! does not write files (publish does) and does not decide which entries appear (select does).

pub mod atom;
pub mod html;

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::config::Config;
use crate::model::{Source, StoredEntry};
use crate::sanitize;

/// Errors from rendering.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A template failed to parse or to render.
    #[error("template `{name}` failed")]
    Template {
        /// The template's name.
        name: String,
        /// tera's error, with the line.
        #[source]
        source: tera::Error,
    },
    /// A template override could not be read.
    #[error("cannot read templates from `{path}`")]
    Read {
        /// The folder or file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The Atom writer failed.
    #[error("cannot write the Atom feed")]
    Atom(#[source] atom_syndication::Error),
}

/// Everything the outputs show.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    /// The planet itself.
    pub planet: PlanetView,
    /// The selected entries, newest first.
    pub entries: Vec<EntryView>,
    /// The same entries grouped by day (UTC), newest day first.
    pub days: Vec<DayView>,
    /// Every subscription, sorted by name, with its health.
    pub feeds: Vec<FeedView>,
    /// When the newest entry was updated: the feed's `updated`, stable while nothing changes.
    pub updated: String,
    /// When the outputs were generated (RFC 3339).
    pub generated: String,
}

/// The planet's own facts, from `[planet]`.
#[derive(Debug, Clone, Serialize)]
pub struct PlanetView {
    /// The name.
    pub name: String,
    /// The description, when set.
    pub description: Option<String>,
    /// Where the output is published, ending in `/`.
    pub link: String,
    /// The owner's name.
    pub owner_name: String,
    /// The owner's e-mail, when set.
    pub owner_email: Option<String>,
    /// The page language.
    pub language: String,
    /// `planet VERSION`.
    pub generator: String,
    /// The Atom feed's absolute URL.
    pub atom_url: String,
}

/// One entry as shown.
#[derive(Debug, Clone, Serialize)]
pub struct EntryView {
    /// The entry's original id.
    pub id: String,
    /// Plain text title (autoescaped by templates).
    pub title: String,
    /// The entry's link, only when it is http(s).
    pub link: Option<String>,
    /// Sanitized HTML: the only field templates print unescaped.
    pub content: String,
    /// The author: the entry's, else the feed's, else the feed's configured name.
    pub author: String,
    /// The categories.
    pub categories: Vec<String>,
    /// Published (RFC 3339), when the feed gave it.
    pub published: Option<String>,
    /// Updated (RFC 3339): the feed's, else published, else first seen.
    pub updated: String,
    /// The sort date (RFC 3339), as `<time datetime>`.
    pub date: String,
    /// The sort date for people, e.g. `14:05 UTC`.
    pub time: String,
    /// The day heading it belongs to, e.g. `Friday, 27 November 2026`.
    pub day: String,
    /// The source feed.
    pub source: SourceView,
}

/// The source of an entry (Atom `source`).
#[derive(Debug, Clone, Serialize)]
pub struct SourceView {
    /// The name shown for the feed.
    pub name: String,
    /// The feed URL.
    pub url: String,
    /// The blog's home page, only when http(s).
    pub link: Option<String>,
    /// The feed's own id, else its URL.
    pub id: String,
    /// When the feed last changed (RFC 3339), when known.
    pub updated: Option<String>,
}

/// A day of entries.
#[derive(Debug, Clone, Serialize)]
pub struct DayView {
    /// The heading, e.g. `Friday, 27 November 2026`.
    pub day: String,
    /// `YYYY-MM-DD`, for `<time datetime>` and anchors.
    pub date: String,
    /// The entries of that day, newest first.
    pub entries: Vec<EntryView>,
}

/// A subscription as shown in the sidebar.
#[derive(Debug, Clone, Serialize)]
pub struct FeedView {
    /// The name: configured, else the feed's title, else its host.
    pub name: String,
    /// The feed URL.
    pub url: String,
    /// The blog's home page, only when http(s).
    pub link: Option<String>,
    /// Whether the last fetch failed.
    pub failing: bool,
    /// Why it failed, for the hover text.
    pub error: Option<String>,
}

/// The name shown for a feed: the operator's, else the feed's title, else the URL's host.
pub fn feed_name(configured: Option<&str>, source: Option<&Source>, url: &str) -> String {
    configured
        .map(str::to_owned)
        .or_else(|| {
            source
                .map(|s| s.meta.title.clone())
                .filter(|t| !t.trim().is_empty())
        })
        .unwrap_or_else(|| {
            url::Url::parse(url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_else(|| url.to_owned())
        })
}

fn rfc3339(d: DateTime<Utc>) -> String {
    d.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Builds the view. `entries` must already be selected and sanitized.
pub fn build(
    config: &Config,
    entries: &[StoredEntry],
    sources: &[Source],
    now: DateTime<Utc>,
) -> View {
    let p = &config.planet;
    let mut link = p.link.to_string();
    if !link.ends_with('/') {
        link.push('/');
    }
    // Indexed once: the sidebar looks up every feed, and a linear search per feed is quadratic
    // at thousands of feeds (issue 6).
    let by_url: HashMap<&str, &Source> = sources.iter().map(|s| (s.url.as_str(), s)).collect();
    let names: HashMap<&str, &str> = config
        .feeds
        .iter()
        .filter_map(|f| Some((f.url.as_str(), f.name.as_deref()?)))
        .collect();
    let source_of = |url: &str| by_url.get(url).copied();
    let configured_name = |url: &str| names.get(url).copied();
    let entry_views: Vec<EntryView> = entries
        .iter()
        .map(|s| {
            let src = source_of(&s.feed_url);
            let name = feed_name(configured_name(&s.feed_url), src, &s.feed_url);
            let e = &s.entry;
            // A date still in the future is a feed's mistake: show when we first saw it instead.
            let past = |d: DateTime<Utc>| if d > now { s.sort_date } else { d };
            let published = e.published.map(past);
            let updated = e.updated.map(past).or(published).unwrap_or(s.first_seen);
            EntryView {
                id: e.id.clone(),
                title: e.title.clone(),
                link: e.link.clone().filter(|l| sanitize::is_web_link(l)),
                content: e.content.clone(),
                author: e.author.clone().unwrap_or_else(|| name.clone()),
                categories: e.categories.clone(),
                published: published.map(rfc3339),
                updated: rfc3339(updated),
                date: rfc3339(s.sort_date),
                time: s.sort_date.format("%H:%M UTC").to_string(),
                day: s.sort_date.format("%A, %-d %B %Y").to_string(),
                source: SourceView {
                    link: src
                        .and_then(|s| s.meta.site_link.clone())
                        .filter(|l| sanitize::is_web_link(l)),
                    id: src
                        .and_then(|s| s.meta.feed_id.clone())
                        .unwrap_or_else(|| s.feed_url.clone()),
                    updated: src.and_then(|s| s.meta.updated).map(rfc3339),
                    url: s.feed_url.clone(),
                    name,
                },
            }
        })
        .collect();
    let mut days: Vec<DayView> = Vec::new();
    for (e, s) in entry_views.iter().zip(entries) {
        match days.last_mut() {
            Some(d) if d.day == e.day => d.entries.push(e.clone()),
            _ => days.push(DayView {
                day: e.day.clone(),
                date: s.sort_date.format("%Y-%m-%d").to_string(),
                entries: vec![e.clone()],
            }),
        }
    }
    let mut feeds: Vec<FeedView> = config
        .feeds
        .iter()
        .map(|f| {
            let src = source_of(f.url.as_str());
            FeedView {
                name: feed_name(f.name.as_deref(), src, f.url.as_str()),
                url: f.url.to_string(),
                link: src
                    .and_then(|s| s.meta.site_link.clone())
                    .filter(|l| sanitize::is_web_link(l)),
                failing: src.is_some_and(|s| s.error_count > 0),
                error: src.and_then(|s| s.last_error.clone()),
            }
        })
        .collect();
    feeds.sort_by_key(|f| f.name.to_lowercase());
    let updated = entry_views
        .iter()
        .map(|e| e.updated.clone())
        .max()
        .unwrap_or_else(|| rfc3339(chrono::DateTime::<Utc>::UNIX_EPOCH));
    View {
        planet: PlanetView {
            name: p.name.clone(),
            description: p.description.clone(),
            atom_url: format!("{link}atom.xml"),
            link,
            owner_name: p.owner_name.clone(),
            owner_email: p.owner_email.clone(),
            language: p.language.clone(),
            generator: format!("planet {}", env!("CARGO_PKG_VERSION")),
        },
        entries: entry_views,
        days,
        feeds,
        updated,
        generated: rfc3339(now),
    }
}
