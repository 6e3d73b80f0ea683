//! Pure: which stored entries reach the outputs, and in what order.
//!
//! The rules, applied in this order:
//! 1. Deduplicate. The same feed + id is one entry already (the store's key). Across feeds, entries
//!    whose links are the same canonical URL (scheme, `www.`, trailing slash, fragment and
//!    `utm_*` parameters ignored) are one: the copy seen first wins, ties by feed URL, so the
//!    original author keeps the credit for a cross-post.
//! 2. Sort newest first by sort date (published, else updated, else first seen; future dates were
//!    already capped at first seen when stored), then by feed URL and id so ties never flip.
//! 3. Keep the first `limit`.
//!
//! Takes values (or the store's queries that hand them over), returns values: no clock, and no
//! I/O but those queries. The archive's pass reads its parts of the cache on threads of its own.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::filter;
use crate::health::Stored;
use crate::links::{canonical_and_shown, canonical_link};
use crate::model::StoredEntry;
use crate::store::{FeedRange, Light, Store};

/// Deduplicates, sorts and limits the candidates (see the module header for the rules).
pub fn select(candidates: Vec<StoredEntry>, limit: usize) -> Vec<StoredEntry> {
    let keep = distinct(&candidates);
    let mut kept: Vec<StoredEntry> = candidates
        .into_iter()
        .zip(keep)
        .filter_map(|(c, k)| k.then_some(c))
        .collect();
    kept.sort_by(|a, b| {
        b.sort_date
            .cmp(&a.sort_date)
            .then_with(|| a.feed_url.cmp(&b.feed_url))
            .then_with(|| a.entry.id.cmp(&b.entry.id))
    });
    kept.truncate(limit);
    kept
}

/// Rule 1 alone: for each candidate, whether it is the copy that stays.
fn distinct(candidates: &[StoredEntry]) -> Vec<bool> {
    let keys: Vec<Option<String>> = candidates
        .iter()
        .map(|c| c.entry.link.as_deref().and_then(canonical_link))
        .collect();
    distinct_keys(&keys, |i, j| seen_earlier(&candidates[i], &candidates[j]))
}

/// Rule 1 over the candidates' canonical links: the copy `earlier` than the others stays.
fn distinct_keys(keys: &[Option<String>], earlier: impl Fn(usize, usize) -> bool) -> Vec<bool> {
    use std::collections::hash_map::Entry;
    // Every kept entry of the cache passes here, on one core: foldhash is several times
    // faster than SipHash on links, and its seed is random per process, so links written to
    // collide cannot be chosen in advance.
    let mut winner: HashMap<&str, usize, foldhash::fast::RandomState> =
        HashMap::with_capacity_and_hasher(keys.len(), Default::default());
    let mut keep = vec![true; keys.len()];
    for (i, key) in keys.iter().enumerate() {
        let Some(key) = key.as_deref() else {
            continue;
        };
        match winner.entry(key) {
            Entry::Vacant(slot) => {
                slot.insert(i);
            }
            Entry::Occupied(mut slot) => {
                let loser = if earlier(i, *slot.get()) {
                    slot.insert(i)
                } else {
                    i
                };
                keep[loser] = false;
            }
        }
    }
    keep
}

fn seen_earlier(a: &StoredEntry, b: &StoredEntry) -> bool {
    (a.first_seen, &a.feed_url, &a.entry.id) < (b.first_seen, &b.feed_url, &b.entry.id)
}

/// One kept entry, light: enough to place it on pages and to tell when it changed.
#[derive(Debug, Clone)]
pub struct Row {
    /// Its row in the cache.
    pub row: i64,
    /// Its feed, an index into [`Catalogue::feeds`].
    pub feed: usize,
    /// The date it is sorted by.
    pub sort_date: DateTime<Utc>,
    /// Its last update, for the sitemap's `lastmod`.
    pub updated: DateTime<Utc>,
    /// A hash of its row and revision (and whatever else changes how it is shown).
    pub stamp: u64,
    /// The topics it belongs to (indexes into `config.topics`).
    pub topics: Vec<usize>,
    /// Its title, as stored: with its link and author, what a list of headlines shows.
    pub title: String,
    /// Its link as pages show it ([`crate::links::shown_link`]): worked out once here, on
    /// every core, rather than on each page that lists it.
    pub link: Option<String>,
    /// Its author, when it named one.
    pub author: Option<String>,
    /// Its language, only when its feed says and it is not the planet's (so most rows hold
    /// none).
    pub lang: Option<String>,
}

/// Every entry the rules keep, newest first.
#[derive(Debug, Default)]
pub struct Catalogue {
    /// The feeds' URLs.
    pub feeds: Vec<String>,
    /// The entries.
    pub rows: Vec<Row>,
}

/// The [`catalogue`] of the whole cache, read in one part per core, each on its own
/// connection; `stored` (each feed's entry count) balances the parts.
pub fn archive(
    config: &Config,
    store: &Store,
    stored: &HashMap<String, Stored>,
    now: DateTime<Utc>,
) -> Result<Catalogue, crate::store::Error> {
    let need_text = filter::need_text(config);
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let counts = stored.iter().map(|(url, s)| (url.as_str(), s.entries));
    let mut parts = Vec::new();
    for range in FeedRange::split(counts, cores) {
        let reader = store.reader()?;
        parts.push(move |f: &mut dyn FnMut(Light)| reader.each_light(need_text, &range, f));
    }
    catalogue(config, now, parts)
}

/// Every entry the rules keep of the cache's entries, newest first, deduplicated like the front
/// page, with the topics each belongs to: what the archive, the sources' and the topics' pages
/// carry, newest first (ties by feed and id). Each of `parts` hands every entry of its own
/// feeds to its argument, feed by feed and each feed's newest first (the order the rules count
/// a feed's entries in), light: no content unless the rules read text, and of the details only
/// the language. The parts are weighed on threads of their own, so a planet's every run reads
/// its cache on every core; a feed is in one part only, so each part counts its feeds' entries
/// with its own rules. Each entry is dropped once weighed, so 100,000 entries cost a light row
/// each, not their text.
pub fn catalogue<E, F>(config: &Config, now: DateTime<Utc>, parts: Vec<F>) -> Result<Catalogue, E>
where
    E: Send,
    F: FnOnce(&mut dyn FnMut(Light)) -> Result<(), E> + Send,
{
    // The first part is weighed here, the others each on a thread of its own.
    let mut parts = parts.into_iter();
    let here = parts.next();
    let weighed: Vec<Result<Weighed, E>> = std::thread::scope(|scope| {
        let threads: Vec<_> =
            (parts.map(|each| scope.spawn(move || weigh(config, now, each)))).collect();
        let mut weighed: Vec<_> = here
            .map(|each| weigh(config, now, each))
            .into_iter()
            .collect();
        weighed.extend((threads.into_iter()).map(|t| {
            t.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        }));
        weighed
    });
    let mut parts = weighed.into_iter().collect::<Result<Vec<_>, E>>()?;
    // The parts' feeds in one list: a row's feed is at its part's offset plus its index there.
    let mut feeds = Vec::new();
    let mut offsets = Vec::with_capacity(parts.len());
    for part in &mut parts {
        offsets.push(feeds.len());
        feeds.append(&mut part.feeds);
    }
    // Newest first, ties by feed and id; each row named by its part and its place there, and
    // moved once, into its place.
    let mut order: Vec<(usize, usize)> = (parts.iter().enumerate())
        .flat_map(|(p, part)| (0..part.rows.len()).map(move |i| (p, i)))
        .collect();
    {
        let row = |(p, i): (usize, usize)| &parts[p].rows[i];
        let feed = |(p, i): (usize, usize)| &feeds[offsets[p] + parts[p].rows[i].feed];
        let id = |(p, i): (usize, usize)| &parts[p].seen[i].1;
        order.sort_unstable_by(|&a, &b| {
            (row(b).sort_date.cmp(&row(a).sort_date))
                .then_with(|| feed(a).cmp(feed(b)))
                .then_with(|| id(a).cmp(id(b)))
        });
    }
    let mut slots: Vec<Vec<Option<Row>>> = (parts.iter_mut())
        .map(|p| std::mem::take(&mut p.rows).into_iter().map(Some).collect())
        .collect();
    let rows: Vec<Row> = (order.iter())
        .filter_map(|&(p, i)| {
            slots[p][i].take().map(|r| Row {
                feed: offsets[p] + r.feed,
                ..r
            })
        })
        .collect();
    drop(slots);
    let keys: Vec<Option<String>> = (order.iter())
        .map(|&(p, i)| parts[p].keys[i].take())
        .collect();
    let seen: Vec<(DateTime<Utc>, String)> = (order.iter())
        .map(|&(p, i)| std::mem::take(&mut parts[p].seen[i]))
        .collect();
    drop((order, parts));
    let keep = distinct_keys(&keys, |i, j| {
        let (a, b) = (&seen[i], &seen[j]);
        (a.0, &feeds[rows[i].feed], &a.1) < (b.0, &feeds[rows[j].feed], &b.1)
    });
    drop((keys, seen));
    let rows = rows
        .into_iter()
        .zip(keep)
        .filter_map(|(row, keep)| keep.then_some(row))
        .collect();
    Ok(Catalogue { feeds, rows })
}

/// The entries of one part, weighed: each kept entry's row, and what deduplication weighs:
/// its canonical link, when it was first seen and its id.
#[derive(Default)]
struct Weighed {
    feeds: Vec<String>,
    rows: Vec<Row>,
    keys: Vec<Option<String>>,
    seen: Vec<(DateTime<Utc>, String)>,
}

/// One part's entries weighed with rules of its own: a feed is in one part only, so its
/// entries are counted (`max_items`) as if every part were one.
fn weigh<E>(
    config: &Config,
    now: DateTime<Utc>,
    each: impl FnOnce(&mut dyn FnMut(Light)) -> Result<(), E>,
) -> Result<Weighed, E> {
    use std::hash::{Hash, Hasher};
    let mut rules = filter::Rules::new(config, now);
    let need_text = filter::need_text(config);
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut out = Weighed::default();
    each(&mut |light: Light| {
        let s = light.stored;
        let text = need_text.then(|| filter::text_of(&s.entry));
        if !rules.admits(&s, text.as_deref()) {
            return;
        }
        let topics = filter::topics_of(config, &s, text.as_deref());
        let feed = match index.get(s.feed_url.as_str()) {
            Some(&feed) => feed,
            None => {
                out.feeds.push(s.feed_url.clone());
                index.insert(s.feed_url.clone(), out.feeds.len() - 1);
                out.feeds.len() - 1
            }
        };
        let e = &s.entry;
        // What the page shows of a date depends on whether it is still in the future.
        let past = |d: DateTime<Utc>| if d > now { s.sort_date } else { d };
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (light.row, light.revision).hash(&mut h);
        (e.published.map(|d| d > now), e.updated.map(|d| d > now)).hash(&mut h);
        let (key, link) = e.link.as_deref().map_or((None, None), canonical_and_shown);
        // Registered tags only, as whole entries carry: a cache may hold older readings.
        let lang = (e.detail.lang.as_deref())
            .filter(|l| !l.eq_ignore_ascii_case(&config.planet.language))
            .filter(|l| crate::sanitize::values::named_language(l))
            .map(str::to_owned);
        out.keys.push(key);
        out.rows.push(Row {
            row: light.row,
            feed,
            sort_date: s.sort_date,
            updated: e.updated.or(e.published).map(past).unwrap_or(s.first_seen),
            stamp: h.finish(),
            topics,
            title: s.entry.title,
            link,
            author: s.entry.author,
            lang,
        });
        out.seen.push((s.first_seen, s.entry.id));
    })?;
    Ok(out)
}

/// The newest `limit` entries the rules keep, deduplicated: reads candidates from the store
/// until deduplication leaves `limit` (or the store runs out), so most runs need one small
/// query, never a scan of the whole cache.
pub fn newest(
    store: &Store,
    limit: usize,
    rules: impl Fn(Vec<StoredEntry>) -> Vec<StoredEntry>,
) -> Result<Vec<StoredEntry>, crate::store::Error> {
    let mut want = limit.saturating_mul(2).saturating_add(16);
    loop {
        let candidates = store.newest(want, 0)?;
        let exhausted = candidates.len() < want;
        let selected = select(rules(candidates), limit);
        if selected.len() >= limit || exhausted {
            return Ok(selected);
        }
        want = want.saturating_mul(4);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Entry, TextKind};
    use chrono::{TimeZone, Utc};

    fn e(feed: &str, id: &str, link: &str, date: i64, seen: i64) -> StoredEntry {
        StoredEntry {
            feed_url: feed.into(),
            entry: Entry {
                id: id.into(),
                link: Some(link.into()),
                title: id.into(),
                author: None,
                content: String::new(),
                content_kind: TextKind::Html,
                base: None,
                published: None,
                updated: None,
                categories: vec![],
                detail: Default::default(),
            },
            first_seen: Utc.timestamp_opt(seen, 0).unwrap(),
            sort_date: Utc.timestamp_opt(date, 0).unwrap(),
        }
    }

    #[test]
    fn sorts_newest_first_with_stable_ties() {
        let out = select(
            vec![
                e("b", "1", "https://x/1", 10, 0),
                e("a", "2", "https://x/2", 10, 0),
                e("a", "3", "https://x/3", 20, 0),
            ],
            10,
        );
        let ids: Vec<_> = out.iter().map(|s| s.entry.id.as_str()).collect();
        assert_eq!(ids, ["3", "2", "1"]);
    }

    #[test]
    fn of_three_copies_the_earliest_stays_wherever_it_is() {
        let key = |k: &str| Some(k.to_owned());
        // (keys, when each was seen, which stay)
        type Case<'a> = (&'a [Option<String>], &'a [i32], &'a [bool]);
        let cases: &[Case] = &[
            (
                &[key("a"), key("a"), key("a")],
                &[2, 1, 3],
                &[false, true, false],
            ),
            (
                &[key("a"), key("a"), key("a")],
                &[3, 2, 1],
                &[false, false, true],
            ),
            (
                &[key("a"), key("a"), key("a")],
                &[1, 2, 3],
                &[true, false, false],
            ),
            (&[key("a"), None, key("b"), None], &[2, 1, 1, 1], &[true; 4]),
            (
                &[key("a"), key("b"), key("a"), key("b")],
                &[1, 2, 2, 1],
                &[true, false, false, true],
            ),
        ];
        for (keys, seen, stay) in cases {
            let got = distinct_keys(keys, |i, j| seen[i] < seen[j]);
            assert_eq!(&got, stay, "{keys:?} seen {seen:?}");
        }
    }

    #[test]
    fn dedupes_cross_posts_keeping_the_first_seen() {
        let out = select(
            vec![
                e(
                    "copy",
                    "c",
                    "http://www.blog.test/post/?utm_source=x",
                    30,
                    200,
                ),
                e("orig", "o", "https://blog.test/post", 20, 100),
            ],
            10,
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].feed_url, "orig");
    }

    #[test]
    fn the_catalogue_keeps_what_the_rules_keep_once_each() {
        let text = "[planet]\nname = \"P\"\nlink = \"https://p.test/\"\nowner_name = \"O\"\n\
            [[feeds]]\nurl = \"https://o.test/\"\nmax_items = 2\n[[feeds]]\nurl = \"https://c.test/\"\n\
            [[topics]]\nname = \"Copies\"\nfeeds = [\"https://c.test/\"]\n";
        let config = crate::config::parse(text, std::path::Path::new("p.toml")).unwrap();
        let now = Utc.timestamp_opt(1_000, 0).unwrap();
        // Feed by feed, each newest first, as the store hands them; rows by date.
        let lights = vec![
            (
                2,
                e("https://o.test/", "o1", "https://blog.test/1", 40, 100),
            ),
            (
                4,
                e("https://o.test/", "o2", "https://blog.test/2", 20, 200),
            ),
            (
                5,
                e("https://o.test/", "o3", "https://blog.test/3", 10, 100),
            ),
            (
                1,
                e(
                    "https://c.test/",
                    "c1",
                    "http://www.blog.test/1/?utm_source=x",
                    50,
                    200,
                ),
            ),
            (
                3,
                e("https://c.test/", "c2", "https://blog.test/2", 30, 100),
            ),
            (
                6,
                e("https://c.test/", "c3", "https://blog.test/4", 40, 100),
            ),
        ];
        // In two parts, as two threads read them: one feed each.
        let (first, second): (Vec<_>, Vec<_>) = lights
            .into_iter()
            .partition(|(_, s)| s.feed_url == "https://o.test/");
        let part = |lights: Vec<(i64, StoredEntry)>| {
            move |f: &mut dyn FnMut(Light)| {
                for (row, stored) in lights {
                    f(Light {
                        row,
                        revision: 0,
                        stored,
                    });
                }
                Ok::<_, std::convert::Infallible>(())
            }
        };
        // Two parts, either way round, and an empty one among them: the same catalogue.
        let arrangements = [
            vec![part(first.clone()), part(second.clone())],
            vec![part(second.clone()), part(Vec::new()), part(first.clone())],
        ];
        for parts in arrangements {
            let catalogue = catalogue(&config, now, parts).unwrap();
            let kept: Vec<(i64, &str, &[usize])> = catalogue
                .rows
                .iter()
                .map(|r| (r.row, catalogue.feeds[r.feed].as_str(), r.topics.as_slice()))
                .collect();
            // Newest first, a tie by feed; the first-seen copy of each cross-post stays;
            // orig's third entry is over its max_items; the copy feed's entries are in the
            // topic.
            assert_eq!(
                kept,
                [
                    (6, "https://c.test/", &[0][..]),
                    (2, "https://o.test/", &[][..]),
                    (3, "https://c.test/", &[0][..])
                ]
            );
        }
    }

    #[test]
    fn a_row_says_its_language_only_when_it_is_another_registered_one() {
        let text = "[planet]\nname = \"P\"\nlink = \"https://p.test/\"\nowner_name = \"O\"\n\
            language = \"en\"\n[[feeds]]\nurl = \"https://f.test/\"\n";
        let config = crate::config::parse(text, std::path::Path::new("p.toml")).unwrap();
        let now = Utc.timestamp_opt(1_000, 0).unwrap();
        let langs = [
            None,
            Some("en"),
            Some("EN"),
            Some("fr-CA"),
            Some("ruby"),
            Some(""),
        ];
        let lights: Vec<Light> = (langs.iter().enumerate())
            .map(|(i, lang)| {
                let mut stored = e("https://f.test/", &format!("{i}"), "", 100 - i as i64, 1);
                stored.entry.link = None;
                stored.entry.detail.lang = lang.map(str::to_owned);
                Light {
                    row: i as i64,
                    revision: 0,
                    stored,
                }
            })
            .collect();
        let part = move |f: &mut dyn FnMut(Light)| {
            lights.into_iter().for_each(f);
            Ok::<_, std::convert::Infallible>(())
        };
        let catalogue = catalogue(&config, now, vec![part]).unwrap();
        let got: Vec<Option<&str>> = (catalogue.rows.iter()).map(|r| r.lang.as_deref()).collect();
        assert_eq!(got, [None, None, None, Some("fr-CA"), None, None]);
    }

    #[test]
    fn keeps_the_limit() {
        let all: Vec<_> = (0..10)
            .map(|i| e("f", &i.to_string(), &format!("https://x/{i}"), i, 0))
            .collect();
        assert_eq!(select(all, 3).len(), 3);
    }
}
