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
//! Takes values, returns values: no clock, no I/O.

use std::collections::HashMap;

use crate::links::canonical_link;
use crate::model::StoredEntry;

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
pub fn distinct(candidates: &[StoredEntry]) -> Vec<bool> {
    distinct_refs(&candidates.iter().collect::<Vec<_>>())
}

/// [`distinct`] over borrowed candidates.
pub fn distinct_refs(candidates: &[&StoredEntry]) -> Vec<bool> {
    let keys: Vec<Option<String>> = candidates
        .iter()
        .map(|c| c.entry.link.as_deref().and_then(canonical_link))
        .collect();
    let mut winner: HashMap<&str, usize> = HashMap::new();
    for (i, key) in keys.iter().enumerate() {
        let Some(key) = key.as_deref() else {
            continue;
        };
        match winner.get(key) {
            Some(&j) if !seen_earlier(candidates[i], candidates[j]) => {}
            _ => {
                winner.insert(key, i);
            }
        }
    }
    keys.iter()
        .enumerate()
        .map(|(i, k)| k.as_deref().is_none_or(|k| winner.get(k) == Some(&i)))
        .collect()
}

fn seen_earlier(a: &StoredEntry, b: &StoredEntry) -> bool {
    (a.first_seen, &a.feed_url, &a.entry.id) < (b.first_seen, &b.feed_url, &b.entry.id)
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
            sanitized: 0,
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
    fn keeps_the_limit() {
        let all: Vec<_> = (0..10)
            .map(|i| e("f", &i.to_string(), &format!("https://x/{i}"), i, 0))
            .collect();
        assert_eq!(select(all, 3).len(), 3);
    }
}
