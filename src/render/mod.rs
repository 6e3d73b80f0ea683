//! One view-model, built once, then written out in every format.
//!
//! Takes the config, the selected entries (content already sanitized), the feeds' state and the
//! clock; [`View`] holds everything any output shows, as plain serializable data, so the HTML
//! theme, the Atom writer and the operator's own templates all see the same facts; [`all`]
//! writes every output the config asks for. This stage does not write files (publish does) and
//! does not decide which entries appear (select does).

pub mod atom;
mod filters;
pub mod html;
pub mod json;
mod normal;
pub mod opml;
pub mod rss;
pub mod site;
mod view;

pub use view::{
    DayView, Detail, EntryView, FeedView, HeadlineView, PlanetView, SourceView, TopicLink, View,
};

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::config::{Config, Display, Outputs};
use crate::health::{Health, State, Stored};
use crate::links::shown_link;
use crate::locale::Locale;
use crate::model::{feed_name, minted_id, EntryDetail, Person, Source, StoredEntry};
use crate::{sanitize, text};

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
    /// A template does not parse.
    #[error("cannot parse template `{name}`{}", place(path.as_deref(), *line))]
    Parse {
        /// The template's name.
        name: String,
        /// Its file, when it is the operator's (else it is embedded).
        path: Option<std::path::PathBuf>,
        /// The line tera points at.
        line: Option<usize>,
        /// tera's error (boxed: the variant would make every render result large).
        #[source]
        source: Box<tera::Error>,
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
    /// The RSS writer failed.
    #[error("cannot write the RSS feed")]
    Rss(#[source] ::rss::Error),
    /// The JSON Feed could not be serialized.
    #[error("cannot write the JSON feed")]
    Json(#[source] serde_json::Error),
    /// The OPML writer failed.
    #[error("cannot write the OPML subscription list")]
    Opml(#[source] ::opml::Error),
    /// `planet theme` would overwrite a file (and was not told to).
    #[error("`{}` already exists: nothing was written (`--force` overwrites)", path.display())]
    Exists {
        /// The first file in the way.
        path: std::path::PathBuf,
    },
    /// `planet theme` could not write a file.
    #[error("cannot write `{}`", path.display())]
    Write {
        /// The folder or file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The theme's word catalogue is not valid.
    #[error("cannot read the theme's words")]
    Words(#[source] crate::locale::Error),
}

/// ` (`PATH`, line N)`, or as much of it as is known.
fn place(path: Option<&std::path::Path>, line: Option<usize>) -> String {
    let parts: Vec<String> = [
        path.map(|p| format!("`{}`", p.display())),
        line.map(|l| format!("line {l}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

/// How many words an `excerpt` keeps.
const EXCERPT_WORDS: usize = 60;

/// The first `EXCERPT_WORDS` words of sanitized HTML, as one HTML paragraph ending in `…`
/// when cut; empty when there is no text.
pub fn excerpt(html: &str) -> String {
    let text = sanitize::html_to_text(html);
    let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    if words.is_empty() {
        return String::new();
    }
    let cut = words.len() > EXCERPT_WORDS;
    let mut s = words[..words.len().min(EXCERPT_WORDS)].join(" ");
    if cut {
        // `Now,…` reads badly: drop the punctuation the cut left dangling.
        s.truncate(s.trim_end_matches([',', ';', ':', '-', '–', '—']).len());
        s.push('…');
    }
    format!("<p>{}</p>", text::escape_html(&s))
}

/// The note readers see beside a marked feed: plain words and a date, no error detail. The
/// date has no time of day and no count of days, so the page does not change every run while
/// nothing else does.
fn note(health: &Health, locale: &Locale) -> Option<String> {
    let day = |d: DateTime<Utc>| locale.format(d, "date_format");
    match health.state() {
        State::Failing | State::Gone => Some(
            match health
                .failing
                .as_ref()
                .and_then(|f| f.since)
                .or(health.last_success)
            {
                Some(since) => locale.fill("note_failing_since", "date", &day(since)),
                None => locale.word("note_failing"),
            },
        ),
        State::Quiet => Some(match health.newest_entry {
            Some(d) => locale.fill("note_quiet_since", "date", &day(d)),
            None => locale.word("note_empty"),
        }),
        State::New | State::Ok | State::Moved => None,
    }
}

/// A title as pages show it: a title that is still HTML once read was escaped twice by its
/// feed.
fn shown_title(title: &str) -> String {
    shown_title_of(title).into_owned()
}

/// [`shown_title`], borrowed when the title is already plain text (as most are).
fn shown_title_of(title: &str) -> Cow<'_, str> {
    Some(normal::plain_of(title))
        .filter(|t| !t.is_empty())
        .unwrap_or(Cow::Borrowed(title))
}

/// Text from elsewhere (the config, the cache) with only the characters the planet publishes.
fn clean(s: &str) -> String {
    text::publishable(s).into_owned()
}

fn rfc3339(d: DateTime<Utc>) -> String {
    d.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The subscribed feeds' slugs, by URL: from each enabled feed's name, ASCII, and unique in
/// the order of `planet.toml` (the first keeps the plain slug, the next get `-2`, `-3`), so they
/// stay the same from run to run while the names do.
pub fn source_slugs(config: &Config, sources: &[Source]) -> HashMap<String, String> {
    let by_url: HashMap<&str, &Source> = sources.iter().map(|s| (s.url.as_str(), s)).collect();
    let mut taken: std::collections::HashSet<String> = std::collections::HashSet::new();
    // Reserved: the subscriptions page itself.
    taken.insert("index".to_owned());
    let mut slugs = HashMap::new();
    for f in config.feeds.iter().filter(|f| f.enabled) {
        let url = f.url.as_str();
        let name = feed_name(f.name.as_deref(), by_url.get(url).copied(), url);
        let mut base = slug::slugify(&name);
        if base.is_empty() {
            base = "feed".to_owned();
        }
        let mut slug = base.clone();
        let mut n = 2;
        while !taken.insert(slug.clone()) {
            slug = format!("{base}-{n}");
            n += 1;
        }
        slugs.insert(url.to_owned(), slug);
    }
    slugs
}

/// Makes the views of entries and feeds: the facts of the config and the cache, indexed once
/// (the sidebar and the archive look up every feed, and a linear search per feed is quadratic
/// at thousands of feeds).
pub struct Maker<'a> {
    config: &'a Config,
    locale: &'a Locale,
    now: DateTime<Utc>,
    by_url: HashMap<&'a str, &'a Source>,
    feeds_by_url: HashMap<&'a str, &'a crate::config::FeedConfig>,
    slugs: HashMap<String, String>,
    stored: &'a HashMap<String, Stored>,
}

impl<'a> Maker<'a> {
    /// A maker over the config and what the cache knows of the feeds, at `now`.
    pub fn new(
        config: &'a Config,
        sources: &'a [Source],
        stored: &'a HashMap<String, Stored>,
        locale: &'a Locale,
        now: DateTime<Utc>,
    ) -> Maker<'a> {
        Maker {
            config,
            locale,
            now,
            by_url: sources.iter().map(|s| (s.url.as_str(), s)).collect(),
            feeds_by_url: config.feeds.iter().map(|f| (f.url.as_str(), f)).collect(),
            slugs: source_slugs(config, sources),
            stored,
        }
    }

    /// The planet's link, ending in `/`.
    pub fn link(&self) -> String {
        planet_link(self.config)
    }

    /// The locale the views are made in.
    pub fn locale(&self) -> &Locale {
        self.locale
    }

    /// The slug of a subscribed feed's page.
    pub fn slug(&self, url: &str) -> Option<&str> {
        self.slugs.get(url).map(String::as_str)
    }

    fn feed_config(&self, url: &str) -> Option<&'a crate::config::FeedConfig> {
        self.feeds_by_url.get(url).copied()
    }

    /// The operator's `link` wins over the feed's own home page.
    fn site_link(&self, url: &str) -> Option<String> {
        self.feed_config(url)
            .and_then(|f| f.link.as_ref().map(|l| l.to_string()))
            .or_else(|| self.by_url.get(url).and_then(|s| s.meta.site_link.clone()))
            .and_then(|l| shown_link(&l))
    }

    /// The source view of a feed, as its entries carry it.
    pub fn source(&self, url: &str) -> SourceView {
        let src = self.by_url.get(url).copied();
        let configured = self.feed_config(url).and_then(|f| f.name.as_deref());
        SourceView {
            name: feed_name(configured, src, url),
            link: self.site_link(url),
            id: src
                .and_then(|s| s.meta.feed_id.clone())
                .unwrap_or_else(|| url.to_owned()),
            updated: src.and_then(|s| s.meta.updated).map(rfc3339),
            url: url.to_owned(),
            page: self.slug(url).map(|s| format!("sources/{s}.html")),
        }
    }

    /// How a feed's entries are shown.
    pub fn display(&self, url: &str) -> Display {
        self.feed_config(url)
            .map(|f| self.config.display_of(f))
            .unwrap_or_default()
    }

    /// The avatar of a feed, when it has one.
    pub fn face(&self, url: &str) -> Option<String> {
        self.feed_config(url)
            .and_then(|f| f.face.as_deref())
            .and_then(|face| crate::config::face_url(&self.config.planet.link, face))
            .map(|u| u.to_string())
    }

    /// The view of one entry, whose content is already sanitized.
    pub fn entry(&self, s: &StoredEntry, source: &SourceView, depth: Detail) -> EntryView {
        let e = &s.entry;
        // A date still in the future is a feed's mistake: show when we first saw it instead.
        let past = |d: DateTime<Utc>| if d > self.now { s.sort_date } else { d };
        let published = e.published.map(past);
        let updated = e.updated.map(past).or(published).unwrap_or(s.first_seen);
        let display = self.display(&s.feed_url);
        let author = e.author.clone().unwrap_or_else(|| source.name.clone());
        EntryView {
            id: e.id.clone(),
            title: shown_title(&e.title),
            link: e.link.as_deref().and_then(shown_link),
            content: match display {
                Display::Full => e.content.clone(),
                Display::Excerpt => excerpt(&e.content),
                Display::Title => String::new(),
            },
            display: display.as_str().to_owned(),
            face: self.face(&s.feed_url),
            author: author.clone(),
            categories: (e.categories.iter())
                .map(|c| normal::plain(c))
                .filter(|c| !c.is_empty())
                .collect(),
            published: published.map(rfc3339),
            updated: rfc3339(updated),
            date: rfc3339(s.sort_date),
            time: self.locale.format(s.sort_date, "time_format"),
            day: self.locale.format(s.sort_date, "day_format"),
            source: source.clone(),
            detail: if depth == Detail::Lang {
                EntryDetail {
                    lang: normal::language(e.detail.lang.clone()),
                    ..EntryDetail::default()
                }
            } else {
                // An author who asked to be linked, not copied, is not copied in a summary
                // either: the excerpt (or nothing) stands in `content`.
                let mut raw = e.detail.clone();
                sanitize::detail(&mut raw, e.base.as_deref());
                let mut detail = normal::detail(raw, &author, &source.name);
                // One rule for every output: an entry without a named author is the feed's
                // author's, else the feed's.
                if detail.authors.is_empty() {
                    detail.authors.push(Person {
                        name: author,
                        ..Person::default()
                    });
                }
                if display != Display::Full {
                    detail.summary = None;
                    // The excerpt in `content` is this entry's only text now, wherever
                    // the full text came from (an RSS description is a summary).
                    detail.content_from_summary = false;
                }
                detail
            },
        }
    }

    /// The views of entries, newest first, with each feed's source view made once.
    pub fn entries(&self, entries: &[StoredEntry], depth: Detail) -> Vec<EntryView> {
        let mut sources: HashMap<&str, SourceView> = HashMap::new();
        // Ids the outputs already carry: a reader takes two items with one id for one item.
        let mut ids: std::collections::HashSet<String> =
            std::collections::HashSet::with_capacity(entries.len());
        entries
            .iter()
            .map(|s| {
                let source = sources
                    .entry(s.feed_url.as_str())
                    .or_insert_with(|| self.source(&s.feed_url));
                let mut view = self.entry(s, source, depth);
                // Two feeds may give one id to different posts (test data, a shared
                // generator): the later one is told apart by its feed, the same way every run.
                if !ids.insert(view.id.clone()) {
                    view.id = minted_id(&[&s.feed_url, &s.entry.id]);
                }
                view
            })
            .collect()
    }

    /// Entries grouped by the planet's local day, in their order.
    pub fn days(&self, views: &[EntryView], entries: &[StoredEntry]) -> Vec<DayView> {
        let mut days: Vec<DayView> = Vec::new();
        for (e, s) in views.iter().zip(entries) {
            match days.last_mut() {
                Some(d) if d.day == e.day => d.entries.push(e.clone()),
                _ => days.push(DayView {
                    day: e.day.clone(),
                    date: self.locale.day_key(s.sort_date),
                    entries: vec![e.clone()],
                }),
            }
        }
        days
    }

    /// The catalogue's `rows` as headlines grouped by the planet's local day, in their order;
    /// `sources` are the source views of the catalogue's feeds, by index.
    pub fn headlines<'s>(
        &self,
        catalogue: &'s crate::select::Catalogue,
        rows: &[usize],
        sources: &'s [SourceView],
    ) -> Vec<DayView<HeadlineView<'s>>> {
        let mut days: Vec<DayView<HeadlineView<'s>>> = Vec::new();
        // The local day of the last heading: compared, not written, for each entry.
        let mut last_day = None;
        for r in rows.iter().filter_map(|&i| catalogue.rows.get(i)) {
            let Some(source) = sources.get(r.feed) else {
                continue;
            };
            let view = HeadlineView {
                title: shown_title_of(&r.title),
                link: r.link.as_deref(),
                author: r.author.as_deref().filter(|a| *a != source.name),
                date: rfc3339(r.sort_date),
                time: self.locale.format(r.sort_date, "time_format"),
                source: &source.name,
                source_page: source.page.as_deref(),
                lang: r.lang.as_deref(),
            };
            let day = r.sort_date.with_timezone(&self.locale.tz).date_naive();
            match days.last_mut() {
                Some(d) if last_day == Some(day) => d.entries.push(view),
                _ => {
                    last_day = Some(day);
                    days.push(DayView {
                        day: self.locale.format(r.sort_date, "day_format"),
                        date: self.locale.day_key(r.sort_date),
                        entries: vec![view],
                    })
                }
            }
        }
        days
    }

    /// The view of a subscription, with its health in words.
    pub fn feed(&self, f: &crate::config::FeedConfig) -> FeedView {
        let url = f.url.as_str();
        let src = self.by_url.get(url).copied();
        let stored = self.stored.get(url).copied().unwrap_or_default();
        let health = Health::of(src, stored, true, self.config.planet.stale_days, self.now);
        let state = health.state();
        FeedView {
            name: feed_name(f.name.as_deref(), src, url),
            url: url.to_owned(),
            link: self.site_link(url),
            page: format!("sources/{}.html", self.slug(url).unwrap_or("index")),
            state: state.as_str(),
            state_text: self.locale.word(&format!("state_{}", state.as_str())),
            failing: health.failing.is_some(),
            quiet: health.quiet,
            last_entry: health.newest_entry.map(rfc3339),
            last_success: health.last_success.map(|d| self.locale.day_key(d)),
            last_success_text: health
                .last_success
                .map(|d| self.locale.format(d, "date_format")),
            entries: health.entries,
            note: note(&health, self.locale),
        }
    }

    /// Every enabled subscription, sorted by name.
    pub fn feeds(&self) -> Vec<FeedView> {
        let mut feeds: Vec<FeedView> = self
            .config
            .feeds
            .iter()
            .filter(|f| f.enabled)
            .map(|f| self.feed(f))
            .collect();
        feeds.sort_by_cached_key(|f| f.name.to_lowercase());
        feeds
    }

    /// The planet's own facts.
    pub fn planet(&self) -> PlanetView {
        let p = &self.config.planet;
        let link = planet_link(self.config);
        let optional = |on: bool, file: &str| on.then(|| format!("{link}{file}"));
        PlanetView {
            name: p.name.clone(),
            description: p.description.clone(),
            atom_url: format!("{link}atom.xml"),
            rss_url: optional(p.outputs.rss, "rss.xml"),
            json_url: optional(p.outputs.json, "feed.json"),
            opml_url: optional(p.outputs.opml, "opml.xml"),
            hubs: p.hubs.iter().map(ToString::to_string).collect(),
            link,
            owner_name: p.owner_name.clone(),
            owner_email: p.owner_email.clone(),
            language: p.language.clone(),
            timezone: p.timezone.clone(),
            generator: format!("planet {}", env!("CARGO_PKG_VERSION")),
        }
    }

    /// The topics, for the navigation.
    pub fn topics(&self) -> Vec<TopicLink> {
        self.config
            .topics
            .iter()
            .map(|t| TopicLink {
                name: t.name.clone(),
                slug: t.slug(),
            })
            .collect()
    }

    /// The front page's view of `entries` (selected and sanitized).
    pub fn view(&self, entries: &[StoredEntry]) -> View {
        let views = self.entries(entries, Detail::Full);
        let days = self.days(&views, entries);
        let updated = views
            .iter()
            .map(|e| e.updated.clone())
            .max()
            .unwrap_or_else(|| rfc3339(chrono::DateTime::<Utc>::UNIX_EPOCH));
        let updated_text = DateTime::parse_from_rfc3339(&updated)
            .map(|d| self.locale.format(d.with_timezone(&Utc), "datetime_format"))
            .unwrap_or_else(|_| updated.clone());
        View {
            planet: self.planet(),
            entries: views,
            days,
            feeds: self.feeds(),
            updated,
            generated: rfc3339(self.now),
            generated_text: self.locale.format(self.now, "datetime_format"),
            updated_text,
            words: self.locale.words.clone(),
            topics: self.topics(),
            root: String::new(),
        }
    }
}

/// The planet's link, ending in `/`.
pub fn planet_link(config: &Config) -> String {
    let mut link = config.planet.link.to_string();
    if !link.ends_with('/') {
        link.push('/');
    }
    link
}

/// Builds the view in the planet's language and time zone, with the embedded words.
/// `entries` must already be selected and sanitized.
pub fn build(
    config: &Config,
    entries: &[StoredEntry],
    sources: &[Source],
    stored: &HashMap<String, Stored>,
    now: DateTime<Utc>,
) -> View {
    let locale = Locale::new(&config.planet.language, config.planet.tz(), None)
        .unwrap_or_else(|_| Locale::english());
    Maker::new(config, sources, stored, &locale, now).view(entries)
}

/// Every output the config asks for, and the optional ones it turned off.
pub struct Rendered {
    /// (name in `output_dir`, bytes) of every file to publish.
    pub files: Vec<(String, Vec<u8>)>,
    /// The names of those that are feeds, which name the WebSub hubs: when one changes, the
    /// hubs are told.
    pub feeds: Vec<String>,
    /// Optional outputs turned off, to delete: readers must not keep following a feed that
    /// would never change again.
    pub retired: Vec<&'static str>,
}

/// Renders the theme's pages and assets, `atom.xml`, and each optional output that is on.
pub fn all(theme: &html::Theme, view: &View, outputs: &Outputs) -> Result<Rendered, Error> {
    let mut files = html::render(theme, view)?;
    files.push(("atom.xml".to_owned(), atom::render(view)?));
    let mut feeds = vec!["atom.xml".to_owned()];
    type Writer = fn(&View) -> Result<Vec<u8>, Error>;
    let optional: [(bool, &'static str, Writer, bool); 3] = [
        (outputs.rss, "rss.xml", rss::render, true),
        (outputs.json, "feed.json", json::render, true),
        (outputs.opml, "opml.xml", opml::render, false),
    ];
    let mut retired = Vec::new();
    for (on, name, write, feed) in optional {
        if on {
            files.push((name.to_owned(), write(view)?));
            if feed {
                feeds.push(name.to_owned());
            }
        } else {
            retired.push(name);
        }
    }
    Ok(Rendered {
        files,
        feeds,
        retired,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_quiet_and_failing_feeds_in_words_for_readers() {
        let text = "[planet]\nname = \"P\"\nlink = \"https://p.test/\"\nowner_name = \"O\"\nstale_days = 30\n\
            [[feeds]]\nurl = \"https://a.test/fresh\"\n[[feeds]]\nurl = \"https://a.test/old\"\n\
            [[feeds]]\nurl = \"https://a.test/empty\"\n[[feeds]]\nurl = \"https://a.test/new\"\n\
            [[feeds]]\nurl = \"https://a.test/broken\"\n";
        let config = crate::config::parse(text, std::path::Path::new("p.toml")).unwrap();
        let now = DateTime::parse_from_rfc3339("2026-11-27T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let day = chrono::Duration::days(1);
        let fetched = |url: &str| Source {
            url: url.into(),
            last_success: Some(now),
            ..Default::default()
        };
        let sources = vec![
            fetched("https://a.test/fresh"),
            fetched("https://a.test/old"),
            fetched("https://a.test/empty"),
            Source {
                url: "https://a.test/broken".into(),
                error_count: 2,
                last_error: Some("not a feed: unable to parse feed: no root element".into()),
                failing_since: Some(now - day * 2),
                ..Default::default()
            },
        ];
        let at = |newest| Stored {
            entries: 1,
            newest: Some(newest),
        };
        let stored = HashMap::from([
            ("https://a.test/fresh".to_owned(), at(now - day * 29)),
            ("https://a.test/old".to_owned(), at(now - day * 31)),
            ("https://a.test/broken".to_owned(), at(now - day * 400)),
        ]);
        let view = build(&config, &[], &sources, &stored, now);
        let feed = |host: &str| {
            view.feeds
                .iter()
                .find(|f| f.url.ends_with(host))
                .unwrap()
                .clone()
        };
        let cases = [
            ("newest within the limit", "fresh", "ok", None),
            (
                "newest past the limit",
                "old",
                "quiet",
                Some("no new entry since 27 October 2026"),
            ),
            (
                "fetched but empty",
                "empty",
                "quiet",
                Some("this feed has no entries"),
            ),
            ("never fetched yet", "new", "new", None),
            (
                "failing wins over quiet, in plain words",
                "broken",
                "failing",
                Some("this feed could not be read since 25 November 2026"),
            ),
        ];
        for (name, host, state, note) in cases {
            let f = feed(host);
            assert_eq!(f.state, state, "{name}");
            assert_eq!(f.note.as_deref(), note, "{name}");
        }
    }

    #[test]
    fn excerpt_reads_inline_markup_as_flowing_text() {
        for (name, html, want) in [
            (
                "punctuation after a link",
                "<p>Get it from our <a href=\"https://x.test/\">download page</a>.</p>",
                "<p>Get it from our download page.</p>",
            ),
            (
                "paragraphs and line breaks separate words",
                "<p>one</p><p>two<br>three</p>",
                "<p>one two three</p>",
            ),
            (
                "emphasis inside a word",
                "<p>un<em>believ</em>able</p>",
                "<p>unbelievable</p>",
            ),
        ] {
            assert_eq!(excerpt(html), want, "{name}");
        }
    }

    #[test]
    fn excerpt_cuts_long_text_and_escapes() {
        let long = format!("<p>{}</p>", "word ".repeat(100));
        let e = excerpt(&long);
        assert_eq!(e.matches("word").count(), EXCERPT_WORDS);
        assert!(e.ends_with("…</p>"), "{e}");
        assert_eq!(excerpt("<p>a &lt;b&gt;</p>"), "<p>a &lt;b&gt;</p>");
        assert_eq!(excerpt("<img src=\"x\">"), "");
        let comma = format!("<p>{}and, more</p>", "w ".repeat(EXCERPT_WORDS - 1));
        assert!(
            excerpt(&comma).ends_with(" and…</p>"),
            "{}",
            excerpt(&comma)
        );
    }
}
