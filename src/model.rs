//! The domain types that flow between the stages.
//!
//! A feed becomes a [`Parsed`] (its metadata and [`Entry`] values); the store keeps entries and
//! feed state ([`Source`]); select picks entries; render shows them. Each field says where it
//! comes from and what stands in when the feed leaves it out.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// What a feed says about itself, as parsed from its latest successful fetch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedMeta {
    /// The feed's own title (plain text); empty when it has none.
    pub title: String,
    /// The blog's home page (the feed's `alternate` link), when given.
    pub site_link: Option<String>,
    /// The feed's own id (Atom `id`), else its URL: used for `atom:source`.
    pub feed_id: Option<String>,
    /// The feed-level author, the fallback for entries without one.
    pub author: Option<String>,
    /// When the feed says it last changed.
    pub updated: Option<DateTime<Utc>>,
}

/// A feed parsed into metadata and entries: the output of the parse stage.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// Feed-level metadata.
    pub meta: FeedMeta,
    /// The entries, in document order.
    pub entries: Vec<Entry>,
    /// RSS `<ttl>`: how long the feed asks readers to wait before asking again.
    pub ttl: Option<std::time::Duration>,
}

/// Whether a piece of text is plain text or HTML: Atom `type`, RSS convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TextKind {
    /// Shown literally; never interpreted as markup.
    Text,
    /// HTML that must be sanitized before it is shown.
    Html,
}

impl TextKind {
    /// The name stored in the cache.
    pub fn as_str(self) -> &'static str {
        match self {
            TextKind::Text => "text",
            TextKind::Html => "html",
        }
    }

    /// Reads the stored name; anything unknown is treated as text, the safe choice.
    pub fn from_stored(s: &str) -> TextKind {
        if s == "html" {
            TextKind::Html
        } else {
            TextKind::Text
        }
    }
}

/// One entry of one feed, as the feed gave it (content not yet sanitized).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The entry's own id (Atom `id`, RSS `guid`), else its link, else a hash of
    /// feed URL + title + content: stable across runs, never random.
    pub id: String,
    /// The entry's `alternate` link, absolute; `None` when the feed gives none.
    pub link: Option<String>,
    /// The title as plain text; derived from the content when the feed has none.
    pub title: String,
    /// The author's name: the entry's, else the feed's; `None` lets render use the feed's name.
    pub author: Option<String>,
    /// The body (content, else summary), raw; sanitized only when it reaches an output.
    pub content: String,
    /// Whether `content` is HTML or plain text.
    pub content_kind: TextKind,
    /// The base URL for resolving relative links in `content`: `xml:base`, else the entry's
    /// link, else the feed's final URL.
    pub base: Option<String>,
    /// When the entry was first published, as the feed says.
    pub published: Option<DateTime<Utc>>,
    /// When the entry last changed, as the feed says.
    pub updated: Option<DateTime<Utc>>,
    /// Category terms.
    pub categories: Vec<String>,
}

/// An entry as stored: the feed's entry plus what the planet knows about it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEntry {
    /// The subscription (config URL) it came from.
    pub feed_url: String,
    /// The entry itself.
    pub entry: Entry,
    /// When this planet first saw it: the date of last resort, and the cap on future dates.
    pub first_seen: DateTime<Utc>,
    /// The date it is sorted by: published, else updated, else first seen; a date later than
    /// the moment it was stored counts as first seen, so no entry can squat at the top.
    pub sort_date: DateTime<Utc>,
}

/// What the cache knows about one subscription.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Source {
    /// The subscription URL, as written in `planet.toml`.
    pub url: String,
    /// Metadata from the last successful parse.
    pub meta: FeedMeta,
    /// `ETag` from the last response, sent back as `If-None-Match`.
    pub etag: Option<String>,
    /// `Last-Modified` from the last response, sent back as `If-Modified-Since`.
    pub last_modified: Option<String>,
    /// HTTP status of the last attempt (0 when no response came).
    pub last_status: Option<u16>,
    /// When the last attempt was made.
    pub last_fetch: Option<DateTime<Utc>>,
    /// When a fetch last succeeded (200 parsed, or 304).
    pub last_success: Option<DateTime<Utc>>,
    /// The last failure's message; cleared on success.
    pub last_error: Option<String>,
    /// Failures since the last success.
    pub error_count: u32,
    /// The URL the last fetch ended at, after redirects; the base of last resort.
    pub final_url: Option<String>,
    /// The earliest time the feed may be requested again (server's pace, backoff).
    pub next_due: Option<DateTime<Utc>>,
    /// The server said 410 Gone: the feed is never requested again.
    pub gone: bool,
    /// Where a permanent redirect (301, 308) sent the feed; requested instead of `url`.
    pub moved_to: Option<String>,
    /// RSS `<ttl>` of the last parsed body, in seconds: paces the feed after 304s too.
    pub ttl_secs: Option<u64>,
}
