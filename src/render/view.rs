//! The view-model: what every output and every theme sees, as plain serializable data. The
//! README's theme section documents these fields for template authors.

use serde::Serialize;

use crate::model::EntryDetail;

/// Everything the outputs show.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    /// The planet itself.
    pub planet: PlanetView,
    /// The selected entries, newest first.
    pub entries: Vec<EntryView>,
    /// The same entries grouped by day (in the planet's time zone), newest day first.
    pub days: Vec<DayView>,
    /// Every subscription, sorted by name, with its health.
    pub feeds: Vec<FeedView>,
    /// When the newest entry was updated: the feed's `updated`, stable while nothing changes.
    pub updated: String,
    /// When the outputs were generated (RFC 3339).
    pub generated: String,
    /// `updated` for people, e.g. `27 November 2026, 14:05 UTC`.
    pub updated_text: String,
    /// When the planet was built, for people (`generated` in the planet's language and zone).
    pub generated_text: String,
    /// The word catalogue of the planet's language (`templates/words.toml`).
    pub words: crate::locale::Words,
    /// The topics, for the pages' navigation.
    pub topics: Vec<TopicLink>,
    /// The path from this page to the output's root (`""`, `"../"`): every link of a page is
    /// relative, so the output can be browsed from the disk too.
    pub root: String,
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
    /// The time zone of the pages' days and times.
    pub timezone: String,
    /// `planet VERSION`.
    pub generator: String,
    /// The Atom feed's absolute URL.
    pub atom_url: String,
    /// The RSS feed's absolute URL, when `outputs.rss` is on.
    pub rss_url: Option<String>,
    /// The JSON Feed's absolute URL, when `outputs.json` is on.
    pub json_url: Option<String>,
    /// The OPML subscription list's absolute URL, when `outputs.opml` is on.
    pub opml_url: Option<String>,
    /// The WebSub hubs every feed names (`[planet] hubs`).
    pub hubs: Vec<String>,
}

/// A topic as the navigation links it.
#[derive(Debug, Clone, Serialize, Hash)]
pub struct TopicLink {
    /// Its name.
    pub name: String,
    /// Its slug: its pages are `topics/SLUG.html` and `topics/SLUG.xml`.
    pub slug: String,
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
    /// Sanitized HTML: the only field templates print unescaped. For a feed shown as
    /// `excerpt` it is a short plain-text paragraph; as `title`, empty.
    pub content: String,
    /// The author: the entry's first named one, else the feed's, else the feed's name; the
    /// first of `detail.authors`, which every feed writes (and which is never empty).
    pub author: String,
    /// The categories.
    pub categories: Vec<String>,
    /// Published (RFC 3339), when the feed gave it.
    pub published: Option<String>,
    /// Updated (RFC 3339): the feed's, else published, else first seen.
    pub updated: String,
    /// The sort date (RFC 3339), as `<time datetime>`.
    pub date: String,
    /// The sort date's time of day for people, in the planet's zone, e.g. `14:05 CET`.
    pub time: String,
    /// The day heading it belongs to, e.g. `Friday, 27 November 2026`.
    pub day: String,
    /// The source feed.
    pub source: SourceView,
    /// How much the page shows: `full`, `excerpt` (then `content` is a short plain-text
    /// paragraph) or `title` (then `content` is empty). From the feed's `display`, else the
    /// planet's.
    pub display: String,
    /// The feed's avatar (absolute http(s) URL), from its `face`.
    pub face: Option<String>,
    /// Everything else the feed said (languages, persons, links, rights, `atom:source`), with
    /// its HTML already sanitized: what `atom.xml` writes back faithfully.
    pub detail: EntryDetail,
}

/// How much of an entry's `detail` its view carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// All of it: what the feeds write back, and `index.html`, whose view they share.
    Full,
    /// Its language alone, for the archive, source and topic pages: they show every entry
    /// the cache keeps, and copying the rest into each view cost more than the pages used.
    Lang,
}

/// The source of an entry (Atom `source`).
#[derive(Debug, Clone, Serialize, Hash)]
pub struct SourceView {
    /// The name shown for the feed.
    pub name: String,
    /// The feed URL.
    pub url: String,
    /// The blog's home page, only when http(s).
    pub link: Option<String>,
    /// The feed's own id, else its URL.
    pub id: String,
    /// When the feed last changed (RFC 3339), when known. Only in `index.html` and the feeds:
    /// the archive's pages would change with every fetch.
    pub updated: Option<String>,
    /// Its page, from the output's root (`sources/SLUG.html`), when it is subscribed.
    pub page: Option<String>,
}

/// A day of entries: whole ones on `index.html` and the topics' pages, headlines on the
/// archive's and the sources' pages.
#[derive(Debug, Clone, Serialize)]
pub struct DayView<E = EntryView> {
    /// The heading, e.g. `Friday, 27 November 2026`.
    pub day: String,
    /// `YYYY-MM-DD`, for `<time datetime>` and anchors.
    pub date: String,
    /// The entries of that day, newest first.
    pub entries: Vec<E>,
}

/// An entry in a list of headlines, on the archive's and the sources' pages: what finds it and
/// leads to it, not its text. Those pages list every entry the cache keeps, and with the text
/// of each they weighed hundreds of megabytes on large planets; `index.html` and the entry's
/// own site have the text.
#[derive(Debug, Clone, Serialize)]
pub struct HeadlineView<'a> {
    /// Plain text title (autoescaped by templates).
    pub title: std::borrow::Cow<'a, str>,
    /// The entry's link, only when it is http(s).
    pub link: Option<&'a str>,
    /// The author, when the entry names one other than its source's name.
    pub author: Option<&'a str>,
    /// The sort date (RFC 3339), as `<time datetime>`.
    pub date: String,
    /// The sort date's time of day for people, in the planet's zone, e.g. `14:05 CET`.
    pub time: String,
    /// The source's name (as `entry.source.name` of a whole entry).
    pub source: &'a str,
    /// The source's page, from the output's root (`sources/SLUG.html`), when it is subscribed.
    pub source_page: Option<&'a str>,
    /// The entry's language (BCP 47), only when it is not the page's: `<li lang>`.
    pub lang: Option<&'a str>,
}

/// A subscription as the sidebar and its page show it.
#[derive(Debug, Clone, Serialize, Hash)]
pub struct FeedView {
    /// The name: configured, else the feed's title, else its host.
    pub name: String,
    /// The feed URL.
    pub url: String,
    /// The blog's home page, only when http(s).
    pub link: Option<String>,
    /// Its page, from the output's root: `sources/SLUG.html`.
    pub page: String,
    /// Its health in one word: `new`, `ok`, `quiet`, `failing`, `moved` or `gone`.
    pub state: &'static str,
    /// The same in the planet's language (`state_…` of the word catalogue).
    pub state_text: String,
    /// Whether the last fetches failed.
    pub failing: bool,
    /// Whether it has gone quiet: read, but no entry for `stale_days` (or none at all).
    pub quiet: bool,
    /// The date of its newest entry (RFC 3339), when it has one.
    pub last_entry: Option<String>,
    /// The day it was last read successfully (`YYYY-MM-DD`, in the planet's time zone), when
    /// it has been: a day, not a time, so its page does not change with every run.
    pub last_success: Option<String>,
    /// The same day for people, e.g. `3 December 2026`.
    pub last_success_text: Option<String>,
    /// How many of its entries the cache keeps.
    pub entries: u64,
    /// Why it is marked, in words for readers (never the operator's error detail, which stays
    /// in `planet status`): "could not be read since 3 December 2026".
    pub note: Option<String>,
}
