//! The pages beyond the front page: the archive, a page per source, the subscriptions page, a
//! page and a feed per topic, and the sitemap.
//!
//! Takes the [`Catalogue`] (every entry the rules keep, newest first, as light rows: where it is
//! stored, its feed, its dates, its title, link and author, a stamp of its revision) and plans
//! the pages ([`plan`]): a page per month of the planet's calendar (`archive/YYYY/MM.html`), the
//! archive's index, a page per subscribed feed (`sources/SLUG.html`), the subscriptions page,
//! and per topic its newest entries (`topics/SLUG.html` and `.xml`). Long lists are cut into
//! pages of `items_per_page` counted from the oldest entry, so a new entry changes the newest
//! page alone and older pages keep their bytes and names (`MM-1.html` is a month's oldest page,
//! `MM.html` its newest).
//!
//! Each page has a fingerprint: a hash of everything it shows but the entries' text (the theme,
//! the words, its navigation, its entries' rows and revisions, their feeds' names). [`render`]
//! renders only the pages whose fingerprint the caller does not already have published. Months
//! and sources list headlines, laid out from the catalogue's rows alone; a topic's page and feed
//! show their entries whole, read then, a page at a time, so the whole cache is never held. This
//! module reads nothing itself: the caller passes a loader.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::panic::AssertUnwindSafe;
use std::sync::{mpsc, Mutex, PoisonError};

use chrono::Datelike as _;
use serde::Serialize;
use serde_json::{json, Value};

use super::{html::Theme, Detail, Error, Maker, SourceView, View};
use crate::model::StoredEntry;
use crate::sanitize;
use crate::select::Catalogue;

/// One page to write.
#[derive(Debug, Clone)]
pub struct Page {
    /// Its path in `output_dir`.
    pub path: String,
    /// The layout it is rendered with (`month.html`…), or `None` for a topic's Atom feed.
    pub template: Option<&'static str>,
    /// Its entries, as indexes into the catalogue's rows, newest first.
    pub rows: Vec<usize>,
    /// Whether it shows its entries whole (a topic's page and feed), read from the cache when
    /// it is rendered, or as headlines (the months' and the sources' pages), from the rows.
    pub whole: bool,
    /// What the layout sees as `page`: its title, its pager, its months… (`null` for none).
    pub page: Value,
    /// A source's page: its feed, as `feed` (an index into the front page's feeds).
    pub feed: Option<usize>,
    /// The subscriptions page: every feed, as `feeds`.
    pub feeds: bool,
    /// For a topic's feed: its title, id and links.
    pub atom: Option<super::atom::Head>,
}

/// What [`render`] made of a page.
pub struct Rendered {
    /// Its path in `output_dir`.
    pub path: String,
    /// Its fingerprint.
    pub fingerprint: u64,
    /// Its bytes, or `None` when the published page is already current.
    pub bytes: Option<Vec<u8>>,
    /// Whether it is a feed (a topic's Atom feed), which WebSub hubs are told of.
    pub feed: bool,
}

/// The path from a page to the output's root.
fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// Cuts `n` items into pages of `per` counted from the oldest (the end): the first page holds
/// what is left over (1 to `per` items), the others `per` each. Returns the ranges, newest first.
fn cut(n: usize, per: usize) -> Vec<std::ops::Range<usize>> {
    let per = per.max(1);
    if n == 0 {
        return std::iter::once(0..0).collect();
    }
    let pages = n.div_ceil(per);
    let first = n - per * (pages - 1);
    let mut out: Vec<std::ops::Range<usize>> = std::iter::once(0..first).collect();
    let mut at = first;
    while at < n {
        out.push(at..at + per);
        at += per;
    }
    out
}

/// The file of page `i` (0 = newest) of `count` pages of a list whose newest page is `stem.html`:
/// older pages are numbered from the oldest (`stem-1.html`), so their names never move.
fn paged(stem: &str, i: usize, count: usize) -> String {
    if i == 0 {
        format!("{stem}.html")
    } else {
        format!("{stem}-{}.html", count - i)
    }
}

/// Pages of a list of rows: (path, rows, the `page` context with `newer`, `older` and, on the
/// newest page, every older page).
fn pages_of(
    stem: &str,
    rows: &[usize],
    per: usize,
    locale: &crate::locale::Locale,
) -> Vec<(String, Vec<usize>, Value)> {
    let ranges = cut(rows.len(), per);
    let count = ranges.len();
    ranges
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let newer = (i > 0).then(|| paged(stem, i - 1, count));
            let older = (i + 1 < count).then(|| paged(stem, i + 1, count));
            let list: Vec<Value> = if i == 0 && count > 1 {
                (1..count)
                    .map(|j| {
                        json!({
                            "path": paged(stem, j, count),
                            "label": locale.fill("page_n", "n", &(count - j).to_string()),
                        })
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let number = (i > 0).then(|| count - i);
            (
                paged(stem, i, count),
                rows[r.clone()].to_vec(),
                json!({ "newer": newer, "older": older, "pages": list, "number": number }),
            )
        })
        .collect()
}

/// Plans every page: months, the archive's index, sources, the subscriptions page, topics.
/// The sources are the subscriptions as the front page (`front`) lists them.
pub fn plan(maker: &Maker<'_>, catalogue: &Catalogue, front: &View, per_page: usize) -> Vec<Page> {
    let feeds = &front.feeds;
    let locale = maker.locale();
    let mut pages = Vec::new();
    // Months, newest first (the rows are); a row's local month is compared, and its key
    // written once per month.
    let mut months: Vec<(String, Vec<usize>)> = Vec::new();
    let mut last_month = None;
    for (i, r) in catalogue.rows.iter().enumerate() {
        let local = r.sort_date.with_timezone(&locale.tz).date_naive();
        let month = (local.year(), local.month());
        match months.last_mut() {
            Some((_, rows)) if last_month == Some(month) => rows.push(i),
            _ => {
                last_month = Some(month);
                months.push((locale.month_key(r.sort_date), vec![i]));
            }
        }
    }
    let month_name = |rows: &[usize]| {
        rows.first()
            .map(|&i| locale.format(catalogue.rows[i].sort_date, "month_format"))
            .unwrap_or_default()
    };
    let month_link = |m: Option<&(String, Vec<usize>)>| {
        m.map(|(k, rows)| json!({ "path": format!("archive/{k}.html"), "name": month_name(rows) }))
    };
    let mut years: Vec<(String, Vec<Value>)> = Vec::new();
    for (n, (key, rows)) in months.iter().enumerate() {
        let name = month_name(rows);
        let year = key.split('/').next().unwrap_or_default().to_owned();
        let entry =
            json!({ "path": format!("archive/{key}.html"), "name": name, "entries": rows.len() });
        match years.last_mut() {
            Some((y, list)) if *y == year => list.push(entry),
            _ => years.push((year, vec![entry])),
        }
        let next_month = month_link(n.checked_sub(1).and_then(|p| months.get(p)));
        let previous_month = month_link(months.get(n + 1));
        for (path, rows, mut page) in pages_of(&format!("archive/{key}"), rows, per_page, locale) {
            let title = match page["number"].as_u64() {
                Some(k) => format!("{name} ({})", locale.fill("page_n", "n", &k.to_string())),
                None => name.clone(),
            };
            page["title"] = json!(title);
            page["next_month"] = json!(next_month);
            page["previous_month"] = json!(previous_month);
            pages.push(Page {
                path,
                template: Some("month.html"),
                rows,
                whole: false,
                page,
                feed: None,
                feeds: false,
                atom: None,
            });
        }
    }
    let years: Vec<Value> = years
        .into_iter()
        .map(|(year, months)| json!({ "year": year, "months": months }))
        .collect();
    pages.push(Page {
        path: "archive/index.html".to_owned(),
        template: Some("archive.html"),
        rows: Vec::new(),
        whole: false,
        page: json!({ "years": years }),
        feed: None,
        feeds: false,
        atom: None,
    });
    // Sources.
    let mut by_feed: Vec<Vec<usize>> = vec![Vec::new(); catalogue.feeds.len()];
    for (i, r) in catalogue.rows.iter().enumerate() {
        if let Some(rows) = by_feed.get_mut(r.feed) {
            rows.push(i);
        }
    }
    let index: HashMap<&str, usize> = (catalogue.feeds.iter())
        .enumerate()
        .map(|(i, url)| (url.as_str(), i))
        .collect();
    for (f, feed) in feeds.iter().enumerate() {
        let rows = (index.get(feed.url.as_str()))
            .and_then(|&i| by_feed.get(i))
            .map_or(&[][..], Vec::as_slice);
        let stem = feed.page.trim_end_matches(".html");
        for (path, rows, page) in pages_of(stem, rows, per_page, locale) {
            pages.push(Page {
                path,
                template: Some("source.html"),
                rows,
                whole: false,
                page,
                feed: Some(f),
                feeds: false,
                atom: None,
            });
        }
    }
    pages.push(Page {
        path: "sources/index.html".to_owned(),
        template: Some("sources.html"),
        rows: Vec::new(),
        whole: false,
        page: Value::Null,
        feed: None,
        feeds: true,
        atom: None,
    });
    // Topics: their newest entries, as a page and a feed.
    let link = maker.link();
    for (t, topic) in maker.topics().into_iter().enumerate() {
        let rows: Vec<usize> = catalogue
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.topics.contains(&t))
            .map(|(i, _)| i)
            .take(per_page)
            .collect();
        let html = format!("topics/{}.html", topic.slug);
        let xml = format!("topics/{}.xml", topic.slug);
        pages.push(Page {
            path: html.clone(),
            template: Some("topic.html"),
            rows: rows.clone(),
            whole: true,
            page: json!({ "title": topic.name, "feed": xml }),
            feed: None,
            feeds: false,
            atom: None,
        });
        pages.push(Page {
            path: xml.clone(),
            template: None,
            rows,
            whole: true,
            page: Value::Null,
            feed: None,
            feeds: false,
            atom: Some(super::atom::Head {
                title: format!("{} · {}", topic.name, maker.planet().name),
                id: format!("{link}{xml}"),
                alternate: format!("{link}{html}"),
                self_link: format!("{link}{xml}"),
            }),
        });
    }
    pages
}

/// The hash of what every page shares: the theme, the words, the planet's facts, the topics.
pub fn frame_fingerprint(theme: &Theme, frame: &View) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    theme.fingerprint.hash(&mut h);
    theme.custom_css.hash(&mut h);
    serde_json::to_string(&frame.planet)
        .unwrap_or_default()
        .hash(&mut h);
    frame.words.hash(&mut h);
    frame.topics.hash(&mut h);
    h.finish()
}

/// A page's fingerprint: the frame's, its path, its `page`, the feeds it shows (`feeds`, the
/// front page's), and per entry its stamp and its feed's source (`feed_stamps`, by feed index).
fn fingerprint(
    frame: u64,
    page: &Page,
    feeds: &[super::FeedView],
    catalogue: &Catalogue,
    feed_stamps: &[u64],
) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    frame.hash(&mut h);
    page.path.hash(&mut h);
    page.page.to_string().hash(&mut h);
    page.feed.and_then(|f| feeds.get(f)).hash(&mut h);
    if page.feeds {
        feeds.hash(&mut h);
    }
    if let Some(a) = &page.atom {
        (&a.title, &a.id, &a.alternate, &a.self_link).hash(&mut h);
    }
    for &i in &page.rows {
        let r = &catalogue.rows[i];
        r.stamp.hash(&mut h);
        feed_stamps[r.feed].hash(&mut h);
    }
    h.finish()
}

/// The source facts each feed's entries show (`sources`, by the catalogue's feed index),
/// hashed once per feed.
fn feed_stamps(maker: &Maker<'_>, catalogue: &Catalogue, sources: &[SourceView]) -> Vec<u64> {
    (catalogue.feeds.iter().zip(sources))
        .map(|(url, source)| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            source.hash(&mut h);
            maker.display(url).as_str().hash(&mut h);
            maker.face(url).hash(&mut h);
            h.finish()
        })
        .collect()
}

/// Renders the pages whose fingerprint changed since `old` was written (the others are
/// reported as current, with no bytes), and hands them to `sink` in the order of `pages`. The
/// entries of each page are read on this thread (`load`: the cache is one connection) while
/// the pages read before are rendered on every core, so reading, rendering and writing overlap.
#[allow(clippy::too_many_arguments)]
pub fn render<E: From<Error> + Send>(
    theme: &Theme,
    maker: &Maker<'_>,
    front: &View,
    catalogue: &Catalogue,
    pages: &[Page],
    old: &crate::publish::Manifest,
    mut load: impl FnMut(&[i64]) -> Result<Vec<StoredEntry>, E>,
    mut sink: impl FnMut(Rendered) -> Result<(), E>,
) -> Result<(), E> {
    // What every page shares, without what changes every run.
    let frame = View {
        entries: Vec::new(),
        days: Vec::new(),
        feeds: Vec::new(),
        updated: String::new(),
        updated_text: String::new(),
        generated: String::new(),
        generated_text: String::new(),
        ..front.clone()
    };
    let frame_hash = frame_fingerprint(theme, &frame);
    let sources: Vec<SourceView> = (catalogue.feeds.iter())
        .map(|url| SourceView {
            // It moves with every fetch: it stays in `index.html` and the feeds.
            updated: None,
            ..maker.source(url)
        })
        .collect();
    let stamps = feed_stamps(maker, catalogue, &sources);
    let mut base = tera::Context::from_serialize(&frame).map_err(|e| Error::Template {
        name: "context".into(),
        source: e,
    })?;
    base.insert("custom_css", &theme.custom_css);
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    // Pages queued or rendered but not yet handed on, at most: memory stays a few dozen pages
    // per core, whatever the planet's size, and the queue outlasts this thread's turns off
    // the cores (a headline page renders in a tenth of a millisecond).
    let ahead = cores * 32;
    let shared = &Shared {
        theme,
        maker,
        frame: &frame,
        base: &base,
        catalogue,
        sources: &sources,
        feeds: &front.feeds,
    };
    let (jobs, queue) = mpsc::sync_channel::<(usize, u64, Vec<StoredEntry>)>(ahead);
    let queue = Mutex::new(queue);
    let (done, finished) = mpsc::channel::<(usize, u64, Result<Vec<u8>, Error>)>();
    std::thread::scope(|scope| {
        // Owned here, so that leaving early on an error ends the workers before the scope
        // waits for them.
        let jobs = jobs;
        for _ in 0..cores {
            let (queue, done) = (&queue, done.clone());
            scope.spawn(move || loop {
                let job = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
                let Ok((i, fp, entries)) = job else { return };
                // A page that panics is an error of its own: the others go on, and the
                // loop below, which waits for every page it sent, is not left waiting.
                let bytes = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    let entries: Vec<StoredEntry> =
                        entries.into_iter().map(sanitize::entry).collect();
                    render_page(shared, &pages[i], &entries)
                }))
                .unwrap_or_else(|_| {
                    Err(Error::Template {
                        name: pages[i].path.clone(),
                        source: tera::Error::message("rendering it panicked"),
                    })
                });
                if done.send((i, fp, bytes)).is_err() {
                    return;
                }
            });
        }
        drop(done);
        // Pages by index until their turn comes: current ones at once, the others when rendered.
        let mut ready: BTreeMap<usize, Rendered> = BTreeMap::new();
        let mut next = 0;
        let mut in_flight = 0;
        let made = |(i, fp, bytes): (usize, u64, Result<Vec<u8>, Error>)| {
            bytes.map(|bytes| (i, rendered(&pages[i], fp, Some(bytes))))
        };
        let mut rendered_pages = 0;
        for (i, page) in pages.iter().enumerate() {
            let fp = fingerprint(frame_hash, page, &front.feeds, catalogue, &stamps);
            if old.current(&page.path, fp) {
                ready.insert(i, rendered(page, fp, None));
            } else {
                let entries = if page.whole && !page.rows.is_empty() {
                    let rows: Vec<i64> = page.rows.iter().map(|&i| catalogue.rows[i].row).collect();
                    load(&rows)?
                } else {
                    Vec::new()
                };
                rendered_pages += 1;
                in_flight += 1;
                if jobs.send((i, fp, entries)).is_err() {
                    break;
                }
            }
            // Take what is rendered; wait for the oldest page when too many are ahead of it.
            loop {
                let got = if in_flight > 0
                    && (ready.len() + in_flight) > ahead
                    && !ready.contains_key(&next)
                {
                    finished.recv().ok()
                } else {
                    finished.try_recv().ok()
                };
                let Some(got) = got else { break };
                in_flight -= 1;
                let (j, r) = made(got)?;
                ready.insert(j, r);
            }
            while let Some(r) = ready.remove(&next) {
                sink(r)?;
                next += 1;
            }
        }
        drop(jobs);
        tracing::debug!(
            "{rendered_pages} of {} pages rendered (the rest unchanged)",
            pages.len()
        );
        for got in finished {
            let (j, r) = made(got)?;
            ready.insert(j, r);
            while let Some(r) = ready.remove(&next) {
                sink(r)?;
                next += 1;
            }
        }
        match pages.get(next) {
            // Only if a worker ended before its queue did, which the loop above rules out.
            Some(page) => Err(Error::Template {
                name: page.path.clone(),
                source: tera::Error::message("its renderer stopped before rendering it"),
            }
            .into()),
            None => Ok(()),
        }
    })
}

/// A page as [`render`] hands it on.
fn rendered(page: &Page, fingerprint: u64, bytes: Option<Vec<u8>>) -> Rendered {
    Rendered {
        path: page.path.clone(),
        fingerprint,
        bytes,
        feed: page.atom.is_some(),
    }
}

/// What every page is rendered with.
struct Shared<'a> {
    theme: &'a Theme,
    maker: &'a Maker<'a>,
    frame: &'a View,
    /// The layouts' context for every page: the frame's facts and the custom stylesheet.
    base: &'a tera::Context,
    catalogue: &'a Catalogue,
    /// The catalogue's feeds' source views, by index.
    sources: &'a [SourceView],
    /// The subscriptions as the front page lists them: what a page's `feed` indexes.
    feeds: &'a [super::FeedView],
}

/// One page's bytes; `entries` are its entries whole when it shows them whole.
fn render_page(
    shared: &Shared<'_>,
    page: &Page,
    entries: &[StoredEntry],
) -> Result<Vec<u8>, Error> {
    let Shared {
        theme,
        maker,
        frame,
        base,
        catalogue,
        sources,
        feeds,
    } = *shared;
    // Only a feed writes the whole detail back; a page shows its language.
    let depth = if page.atom.is_some() {
        Detail::Full
    } else {
        Detail::Lang
    };
    let mut views = maker.entries(entries, depth);
    for v in &mut views {
        // The feed's own `updated` moves with every fetch: it stays in `index.html` and the
        // feeds, so these pages keep their bytes.
        v.source.updated = None;
    }
    match (&page.template, &page.atom) {
        (_, Some(head)) => {
            let view = View {
                updated: views
                    .iter()
                    .map(|e| e.updated.clone())
                    .max()
                    .unwrap_or_else(|| frame.updated.clone()),
                entries: views,
                ..frame.clone()
            };
            super::atom::render_as(&view, head)
        }
        (Some(template), None) => {
            let mut context = base.clone();
            context.insert("root", &root_of(&page.path));
            if !page.page.is_null() {
                context.insert("page", &page.page);
            }
            if let Some(feed) = page.feed.and_then(|f| feeds.get(f)) {
                context.insert("feed", feed);
            }
            if page.feeds {
                context.insert("feeds", feeds);
            }
            if page.whole {
                context.insert("days", &maker.days(&views, entries));
                context.insert("entries", &views);
            } else {
                context.insert("days", &maker.headlines(catalogue, &page.rows, sources));
            }
            theme.page(template, &context)
        }
        (None, None) => Ok(Vec::new()),
    }
}

#[derive(Serialize)]
struct Url<'a> {
    loc: &'a str,
    lastmod: String,
}

/// `sitemap.xml`: every HTML page, with the last update of the newest entry it shows (the
/// newest of all for pages without entries), so it changes only when a page's entries do.
pub fn sitemap(
    link: &str,
    front: &View,
    catalogue: &Catalogue,
    pages: &[Page],
    others: &[String],
) -> Vec<u8> {
    let newest_all = catalogue
        .rows
        .iter()
        .map(|r| r.updated)
        .max()
        .map(super::rfc3339)
        .unwrap_or_else(|| front.updated.clone());
    let mut urls: BTreeMap<String, String> = BTreeMap::new();
    urls.insert(format!("{link}index.html"), front.updated.clone());
    for name in others
        .iter()
        .filter(|n| n.ends_with(".html") && *n != "index.html")
    {
        urls.insert(format!("{link}{name}"), front.updated.clone());
    }
    for page in pages.iter().filter(|p| p.path.ends_with(".html")) {
        let lastmod = page
            .rows
            .iter()
            .map(|&i| catalogue.rows[i].updated)
            .max()
            .map(super::rfc3339)
            .unwrap_or_else(|| newest_all.clone());
        urls.insert(format!("{link}{}", page.path), lastmod);
    }
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (loc, lastmod) in &urls {
        let u = Url {
            loc,
            lastmod: lastmod.clone(),
        };
        s.push_str(&format!(
            "<url><loc>{}</loc><lastmod>{}</lastmod></url>\n",
            crate::text::escape_html(u.loc),
            u.lastmod
        ));
    }
    s.push_str("</urlset>\n");
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_cut_from_the_oldest_so_older_pages_keep_their_entries() {
        assert_eq!(cut(0, 3).len(), 1);
        assert_eq!(cut(3, 3).first(), Some(&(0..3)));
        assert_eq!(cut(4, 3), vec![0..1, 1..4]);
        assert_eq!(cut(7, 3), vec![0..1, 1..4, 4..7]);
        // One more entry at the top: the older pages hold the same entries, one further down.
        assert_eq!(cut(8, 3), vec![0..2, 2..5, 5..8]);
        assert_eq!(paged("archive/2026/11", 0, 3), "archive/2026/11.html");
        assert_eq!(paged("archive/2026/11", 2, 3), "archive/2026/11-1.html");
        assert_eq!(root_of("archive/2026/11.html"), "../../");
        assert_eq!(root_of("index.html"), "");
    }
}
