//! Pure: the operator's editorial rules, applied to stored entries before they are selected.
//!
//! The rules, applied in this order to the candidates (which arrive newest first):
//! 1. A feed with `enabled = false`, or no longer in `planet.toml`, shows nothing.
//! 2. `[planet] hide`: an entry whose id or link is listed is taken off the page.
//! 3. `[planet] max_age_days`: an entry whose sort date is older is left off.
//! 4. `[planet] exclude`, then the feed's `exclude`: an entry whose title, text or a category
//!    matches any of these regexes is left off.
//! 5. The feed's `include`: when set, only entries matching one of them stay.
//! 6. The feed's `categories`: when set, only entries with one of them stay (case-insensitive).
//! 7. The feed's `max_items`: only its newest N entries stay.
//!
//! `new_feed_items` is not here: the store keeps a new feed's back-catalogue out of the
//! candidates altogether. Takes values and the clock, returns values: no I/O.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use regex::Regex;

use crate::config::{Config, FeedConfig};
use crate::model::{Entry, StoredEntry, TextKind};
use crate::sanitize;

/// Keeps the candidates that the rules above let through, in their order.
pub fn filter(
    config: &Config,
    candidates: Vec<StoredEntry>,
    now: DateTime<Utc>,
) -> Vec<StoredEntry> {
    let mut rules = Rules::new(config, now);
    candidates
        .into_iter()
        .filter(|c| rules.admits(c, None))
        .collect()
}

/// The rules above, applied to one candidate at a time, newest first, so the whole cache can
/// go through them without being held (the archive's pass); `max_items` counts as it goes.
pub struct Rules<'c> {
    config: &'c Config,
    feeds: HashMap<&'c str, &'c FeedConfig>,
    oldest: Option<DateTime<Utc>>,
    shown: HashMap<&'c str, usize>,
}

impl<'c> Rules<'c> {
    /// The rules of `config` at `now`.
    pub fn new(config: &'c Config, now: DateTime<Utc>) -> Rules<'c> {
        Rules {
            config,
            feeds: config.feeds.iter().map(|f| (f.url.as_str(), f)).collect(),
            oldest: config
                .planet
                .max_age_days
                .map(|d| now - Duration::days(i64::from(d))),
            shown: HashMap::new(),
        }
    }

    /// Whether the next candidate (they come newest first) stays; `text` is its content as
    /// text when the caller already has it.
    pub fn admits(&mut self, c: &StoredEntry, text: Option<&str>) -> bool {
        let Some(feed) = self.feeds.get(c.feed_url.as_str()).filter(|f| f.enabled) else {
            return false;
        };
        let planet = &self.config.planet;
        let e = &c.entry;
        let hidden = planet
            .hide
            .iter()
            .any(|h| h.trim() == e.id || Some(h.trim()) == e.link.as_deref());
        if hidden || self.oldest.is_some_and(|o| c.sort_date < o) {
            return false;
        }
        if !passes(feed, &planet.exclude_re, e, text) {
            return false;
        }
        let count = self.shown.entry(feed.url.as_str()).or_default();
        if feed.max_items.is_some_and(|max| *count >= max) {
            return false;
        }
        *count += 1;
        true
    }
}

/// Whether a regex rule of `config` (of the planet, a feed or a topic) needs the entries' text.
pub fn need_text(config: &Config) -> bool {
    !config.planet.exclude_re.is_empty()
        || (config.feeds.iter()).any(|f| !f.include_re.is_empty() || !f.exclude_re.is_empty())
        || config.topics.iter().any(|t| !t.include_re.is_empty())
}

/// The entry's content as text, for the regex rules.
pub fn text_of(e: &Entry) -> String {
    match e.content_kind {
        TextKind::Html => sanitize::html_to_text(&e.content),
        TextKind::Text => e.content.clone(),
    }
}

/// Whether a regex matches the entry's title, its text or one of its categories.
fn matches(re: &Regex, e: &Entry, text: &str) -> bool {
    re.is_match(&e.title) || re.is_match(text) || e.categories.iter().any(|c| re.is_match(c))
}

/// The topics (their indexes in `config.topics`) an entry belongs to: those of its feed, of one
/// of its categories (any case), or whose `include` matches it. `text` is needed only when a
/// topic has `include`.
pub fn topics_of(config: &Config, c: &StoredEntry, text: Option<&str>) -> Vec<usize> {
    let e = &c.entry;
    config
        .topics
        .iter()
        .enumerate()
        .filter(|(_, t)| {
            t.feed_urls.contains(&c.feed_url)
                || t.categories.iter().any(|want| {
                    e.categories
                        .iter()
                        .any(|have| want.trim().eq_ignore_ascii_case(have.trim()))
                })
                || (!t.include_re.is_empty() && {
                    let owned;
                    let text = match text {
                        Some(t) => t,
                        None => {
                            owned = text_of(e);
                            &owned
                        }
                    };
                    t.include_re.iter().any(|re| matches(re, e, text))
                })
        })
        .map(|(i, _)| i)
        .collect()
}

/// Whether one entry passes the regex and category rules (4 to 6).
fn passes(feed: &FeedConfig, planet_exclude: &[Regex], e: &Entry, text: Option<&str>) -> bool {
    let needs_text =
        !planet_exclude.is_empty() || !feed.exclude_re.is_empty() || !feed.include_re.is_empty();
    if needs_text {
        let owned;
        let text = match text {
            Some(t) => t,
            None => {
                owned = text_of(e);
                &owned
            }
        };
        let matches = |re: &Regex| matches(re, e, text);
        if planet_exclude.iter().chain(&feed.exclude_re).any(matches) {
            return false;
        }
        if !feed.include_re.is_empty() && !feed.include_re.iter().any(matches) {
            return false;
        }
    }
    feed.categories.is_empty()
        || e.categories.iter().any(|c| {
            feed.categories
                .iter()
                .any(|want| want.trim().eq_ignore_ascii_case(c.trim()))
        })
}

/// For a feed with `ignore_dates`: forgets the dates it gives, so its entries are dated when
/// the planet first saw them (a feed that re-dates every post on each build cannot hold the top).
pub fn forget_dates(entries: &mut [Entry]) {
    for e in entries {
        e.published = None;
        e.updated = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::path::Path;

    const PLANET: &str = "[planet]\nname = \"P\"\nlink = \"https://p.test/\"\nowner_name = \"O\"\n";

    fn config(planet_extra: &str, feed_extra: &str) -> Config {
        let text = format!(
            "{PLANET}{planet_extra}\n[[feeds]]\nurl = \"https://a.test/feed\"\n{feed_extra}\n[[feeds]]\nurl = \"https://b.test/feed\"\n"
        );
        crate::config::parse(&text, Path::new("p.toml")).unwrap()
    }

    fn entry(feed: &str, id: &str, title: &str, cats: &[&str], days_ago: i64) -> StoredEntry {
        let now = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let date = now - Duration::days(days_ago);
        StoredEntry {
            feed_url: format!("https://{feed}.test/feed"),
            entry: Entry {
                id: id.into(),
                link: Some(format!("https://{feed}.test/{id}")),
                title: title.into(),
                author: None,
                content: format!("<p>About {title}</p>"),
                content_kind: TextKind::Html,
                base: None,
                published: Some(date),
                updated: None,
                categories: cats.iter().map(|c| c.to_string()).collect(),
                detail: Default::default(),
            },
            first_seen: date,
            sort_date: date,
        }
    }

    fn ids(config: &Config) -> Vec<String> {
        let now = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let candidates = vec![
            entry("a", "a1", "Rust release", &["rust"], 1),
            entry("a", "a2", "Cooking pasta", &["food"], 2),
            entry("a", "a3", "Python tips", &["Python"], 3),
            entry("b", "b1", "Kubernetes news", &[], 4),
            entry("b", "b2", "Old post", &[], 400),
        ];
        filter(config, candidates, now)
            .into_iter()
            .map(|c| c.entry.id)
            .collect()
    }

    #[test]
    fn named_cases() {
        let cases: &[(&str, &str, &str, &[&str])] = &[
            (
                "no rules keep everything",
                "",
                "",
                &["a1", "a2", "a3", "b1", "b2"],
            ),
            (
                "disabled feed shows nothing",
                "",
                "enabled = false",
                &["b1", "b2"],
            ),
            (
                "hide by id",
                "hide = [\"a2\"]",
                "",
                &["a1", "a3", "b1", "b2"],
            ),
            (
                "hide by link",
                "hide = [\"https://b.test/b1\"]",
                "",
                &["a1", "a2", "a3", "b2"],
            ),
            (
                "max age",
                "max_age_days = 30",
                "",
                &["a1", "a2", "a3", "b1"],
            ),
            (
                "planet exclude on title",
                "exclude = [\"(?i)pasta\"]",
                "",
                &["a1", "a3", "b1", "b2"],
            ),
            (
                "feed exclude on content",
                "",
                "exclude = [\"About Rust\"]",
                &["a2", "a3", "b1", "b2"],
            ),
            (
                "feed include on category",
                "",
                "include = [\"^rust$\"]",
                &["a1", "b1", "b2"],
            ),
            (
                "categories ignore case",
                "",
                "categories = [\"python\", \"RUST\"]",
                &["a1", "a3", "b1", "b2"],
            ),
            (
                "max items keeps the newest",
                "",
                "max_items = 1",
                &["a1", "b1", "b2"],
            ),
            (
                "max items counts after filters",
                "",
                "max_items = 1\nexclude = [\"Rust\"]",
                &["a2", "b1", "b2"],
            ),
        ];
        for (name, planet, feed, want) in cases {
            assert_eq!(ids(&config(planet, feed)), *want, "{name}");
        }
    }

    #[test]
    fn entries_of_feeds_no_longer_listed_are_dropped() {
        let mut c = config("", "");
        c.feeds.truncate(1);
        assert_eq!(ids(&c), ["a1", "a2", "a3"]);
    }
}
