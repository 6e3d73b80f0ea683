//! The domain types that flow between the stages.
//!
//! A feed becomes a [`Parsed`] (its metadata and [`Entry`] values); one attempt to fetch it
//! becomes a [`FeedUpdate`], which the store records; the store keeps entries and feed state
//! ([`Source`]); select picks entries; render shows them. Each field says where it comes from
//! and what stands in when the feed leaves it out. Two rules live here because every stage
//! needs them the same way: the date an entry sorts by ([`sort_date`]) and the name a feed is
//! shown under ([`feed_name`]).

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::text;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The entry's own id (Atom `id`, RSS `guid`) made absolute, else its link, else a hash of
    /// feed URL + title + content: stable across runs, never random, never shared by two feeds.
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
    /// Everything else the feed said about the entry, kept so `atom.xml` says it too.
    pub detail: EntryDetail,
}

/// An entry's details beyond what the page shows, kept for a faithful `atom.xml` (RFC 4287):
/// what Planet Venus's conformance cases check. Stored as one JSON document, so a field added
/// here needs no migration; every field has a default, so entries cached before it read fine.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EntryDetail {
    /// The entry's language: its nearest `xml:lang`, else RSS `dc:language`, else the feed's
    /// (`xml:lang` on the root, RSS `<language>`); `None` when nothing says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// The title as the feed wrote it; `None` when it had none (the page shows a derived one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<TextConstruct>,
    /// The summary (Atom `summary`, RSS `description` beside `content:encoded`), raw.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<TextConstruct>,
    /// True when the feed had no content and [`Entry::content`] is the summary: `atom.xml`
    /// then carries it once, as the summary.
    #[serde(skip_serializing_if = "is_false")]
    pub content_from_summary: bool,
    /// The content's own `xml:lang`, when it differs from the entry's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_lang: Option<String>,
    /// Rights (Atom `rights`, RSS `dc:rights`), raw.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rights: Option<TextConstruct>,
    /// Every author, with e-mail and URI; empty when the feed names none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<Person>,
    /// Contributors (Atom `contributor`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contributors: Vec<Person>,
    /// Every link with its relation, type, length and title (enclosures included), absolute.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// Categories with their scheme and label; blank terms are dropped.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
    /// The feed the entry comes from: its own `atom:source` (or RSS `<source>`) when it has
    /// one, else the subscribed feed as it was when the entry was read. Shared: every entry of
    /// a feed has the same one, so it is not copied per entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<std::sync::Arc<EntrySource>>,
}

/// A text construct as written (RFC 4287 §3.1): plain text or HTML, and its language.
/// XHTML is kept as HTML (the children of its `div`), which is what it renders as.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextConstruct {
    /// Text or HTML.
    pub kind: TextKind,
    /// The value: literal text, or raw (unsanitized) HTML.
    pub value: String,
    /// Its own `xml:lang`, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

/// A person (Atom `author`/`contributor`, RSS `author`, `dc:creator`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Person {
    /// The name; empty when the feed gave only an e-mail or URI.
    pub name: String,
    /// E-mail address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Home page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
}

/// A link (Atom `link`, RSS `link`/`enclosure`/permalink `guid`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Link {
    /// Absolute URL.
    pub href: String,
    /// Relation; `alternate` when the feed gives none (RFC 4287 §4.2.7.2).
    pub rel: String,
    /// Media type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Language of the resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hreflang: Option<String>,
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Length in bytes (enclosures).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<u64>,
}

/// A category with its scheme and human label.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Category {
    /// The term (never blank).
    pub term: String,
    /// The scheme (vocabulary) URI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    /// The label shown to people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// The metadata of the feed an entry comes from, for `atom:source` (RFC 4287 §4.2.11).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EntrySource {
    /// The feed's id (Atom `id`), else its home page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<TextConstruct>,
    /// Subtitle (RSS channel `description`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<TextConstruct>,
    /// Rights.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rights: Option<TextConstruct>,
    /// Links, in the feed's order (`self`, `alternate`, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// When the source last changed, as an entry's own `atom:source` says. `None` for the
    /// subscribed feed's metadata: its `updated` moves whenever any entry does, and stored with
    /// each entry it made every entry of the feed look changed; the outputs take the feed's
    /// current one instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
    /// Feed-level authors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<Person>,
    /// Feed-level contributors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contributors: Vec<Person>,
    /// Feed-level categories.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
    /// Icon URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// Logo URL (RSS channel `image`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
    /// True when the entry named this source itself (`atom:source`, RSS `<source>`); false
    /// when it is the subscribed feed.
    #[serde(skip_serializing_if = "is_false")]
    pub from_entry: bool,
}

impl EntryDetail {
    /// Passes every HTML text construct (title, summary, rights, the source's texts) through
    /// `clean`: how the publish step sanitizes them, with the same allow-list as the content.
    pub fn clean_html(&mut self, clean: impl Fn(&str) -> String) {
        let source = self.source.as_mut().map(std::sync::Arc::make_mut);
        let texts = [&mut self.title, &mut self.summary, &mut self.rights]
            .into_iter()
            .chain(
                source
                    .into_iter()
                    .flat_map(|s| [&mut s.title, &mut s.subtitle, &mut s.rights].into_iter()),
            );
        for t in texts.flatten() {
            if t.kind == TextKind::Html {
                t.value = clean(&t.value);
            }
        }
    }
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
    /// When the first of those failures happened.
    pub failing_since: Option<DateTime<Utc>>,
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

/// For `skip_serializing_if`: the cache stores what an entry says, not every field it could
/// say (most are empty, and a JSON `null` per field doubled the stored details).
fn is_false(b: &bool) -> bool {
    !*b
}

/// The date entries are sorted by (`sort_by` in `planet.toml`).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// Published, else updated, else first seen, fixed when the entry is first stored.
    #[default]
    Published,
    /// Updated, else published, else first seen, recomputed whenever the entry changes.
    Updated,
}

/// The date an entry sorts by under `by`: published (else updated) or updated (else
/// published), else first seen. A date after `now` (when it was stored) counts as first seen,
/// so a future date cannot hold the top of the page.
pub fn sort_date(
    entry: &Entry,
    first_seen: DateTime<Utc>,
    now: DateTime<Utc>,
    by: SortBy,
) -> DateTime<Utc> {
    let date = match by {
        SortBy::Published => entry.published.or(entry.updated),
        SortBy::Updated => entry.updated.or(entry.published),
    };
    match date {
        Some(d) if d <= now => d,
        _ => first_seen,
    }
}

/// The name a feed is shown under, on the page and by `planet status` alike: the operator's
/// `name`, else the feed's own title, else the host of its URL.
pub fn feed_name(configured: Option<&str>, source: Option<&Source>, url: &str) -> String {
    configured
        .map(str::to_owned)
        .or_else(|| {
            source
                .map(|s| s.meta.title.trim().to_owned())
                .filter(|t| !t.is_empty())
        })
        .unwrap_or_else(|| {
            url::Url::parse(url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_else(|| url.to_owned())
        })
}

/// A `urn:planet:` id hashed from `parts`: for an entry whose own id cannot serve, the same on
/// every run, and a valid URN wherever an id must be a URI.
pub fn minted_id(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in parts {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    let digest = h.finalize();
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("urn:planet:{hex}")
}

/// What one attempt to fetch a feed changes in the cache: the whole of one
/// `Store::record`, so a feed's state and entries change together or not at all.
#[derive(Debug, Clone)]
pub struct FeedUpdate {
    /// When the attempt was made.
    pub at: DateTime<Utc>,
    /// The earliest time the feed may be requested again (the server's pace, or backoff).
    pub next_due: DateTime<Utc>,
    /// What happened.
    pub outcome: Outcome,
}

/// What one attempt came to.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// A body that parsed as a feed.
    Fetched(Box<Fetched>),
    /// 304: nothing changed since the validators we sent; every stored entry stands.
    NotModified {
        /// The validators to send next time (fresh ones when the 304 carried them).
        validators: Validators,
        /// Where a permanent redirect sent the request, when one did.
        moved_to: Option<String>,
    },
    /// No feed this time; the stored entries and validators stay as they were.
    Failed(Failure),
}

impl fmt::Display for Outcome {
    /// What one attempt came to, in a few words, for `-v`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Fetched(x) => f.write_str(&text::plural(x.parsed.entries.len(), "entry")),
            Outcome::NotModified { .. } => f.write_str("not modified"),
            Outcome::Failed(x) => f.write_str(&x.reason),
        }
    }
}

/// A response's validators, sent back on the next request as `If-None-Match` and
/// `If-Modified-Since`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Validators {
    /// `ETag`, verbatim.
    pub etag: Option<String>,
    /// `Last-Modified`, verbatim.
    pub last_modified: Option<String>,
}

/// A feed read afresh.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// What the body said.
    pub parsed: Parsed,
    /// The response's validators.
    pub validators: Validators,
    /// Where the fetch ended after redirects: the base of last resort for relative links.
    pub final_url: String,
    /// Where a permanent redirect sent the request, when one did.
    pub moved_to: Option<String>,
    /// The planet's `sort_by`, which fixes each new entry's sort date.
    pub sort_by: SortBy,
    /// The feed has never been read before, so none of its stored entries can have left it.
    pub first_sight: bool,
    /// `Some(n)`: a feed new to a planet that has readers; only its newest `n` entries may
    /// reach the page, the rest are stored as already seen.
    pub backlog: Option<usize>,
}

/// Why an attempt gave no feed, in the words every command uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The HTTP status, when a response came.
    pub status: Option<u16>,
    /// What went wrong, one line, for the operator (stored, shown by `status`).
    pub reason: String,
    /// What to do about it, when there is something to do.
    pub hint: Option<String>,
    /// 410 Gone: the feed is never requested again.
    pub gone: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn sort_date_rules() {
        let now = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let seen = now - chrono::Duration::hours(1);
        let day = chrono::Duration::days(1);
        let entry = |published: Option<DateTime<Utc>>, updated: Option<DateTime<Utc>>| Entry {
            id: "e".into(),
            link: None,
            title: String::new(),
            author: None,
            content: String::new(),
            content_kind: TextKind::Text,
            base: None,
            published,
            updated,
            categories: vec![],
            detail: EntryDetail::default(),
        };
        let cases = [
            (
                "published",
                entry(Some(now - day), Some(now)),
                SortBy::Published,
                now - day,
            ),
            (
                "updated",
                entry(Some(now - day), Some(now)),
                SortBy::Updated,
                now,
            ),
            (
                "updated without published",
                entry(None, Some(now - day)),
                SortBy::Published,
                now - day,
            ),
            (
                "published without updated",
                entry(Some(now - day), None),
                SortBy::Updated,
                now - day,
            ),
            (
                "no date: first seen",
                entry(None, None),
                SortBy::Published,
                seen,
            ),
            (
                "a future date: first seen",
                entry(Some(now + day * 30), None),
                SortBy::Published,
                seen,
            ),
        ];
        for (name, e, by, want) in cases {
            assert_eq!(sort_date(&e, seen, now, by), want, "{name}");
        }
    }

    #[test]
    fn a_feed_is_named_by_the_operator_then_its_title_then_its_host() {
        let titled = Source {
            meta: FeedMeta {
                title: " Blog ".into(),
                ..FeedMeta::default()
            },
            ..Source::default()
        };
        assert_eq!(
            feed_name(Some("Mine"), Some(&titled), "https://a.test/f"),
            "Mine"
        );
        assert_eq!(feed_name(None, Some(&titled), "https://a.test/f"), "Blog");
        assert_eq!(
            feed_name(None, Some(&Source::default()), "https://a.test/f"),
            "a.test"
        );
        assert_eq!(feed_name(None, None, "not a url"), "not a url");
    }
}
