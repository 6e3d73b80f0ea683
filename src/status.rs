//! `planet status`: one row per feed, from the cache alone, for the operator and for monitoring.
//!
//! Takes the config (the subscriptions, in the operator's order), what the store knows about
//! each feed and the time, and returns [`Row`]s, each feed's [`Health`] in the operator's
//! terms (the page says the same in readers' words); [`table`] lays them out for a terminal and
//! `serde_json` serialises the same rows for `--json`. Feeds the cache still holds but
//! `planet.toml` no longer lists come last, flagged `unlisted`, until pruning forgets them.
//! This module neither fetches nor writes: it reports.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::config::Config;
use crate::health::{Health, Stored};
use crate::model::{feed_name, Source};

/// One feed's health.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Row {
    /// The name the page shows: the configured one, else the feed's own title, else its host.
    pub name: String,
    /// The subscription URL, as written in `planet.toml`.
    pub url: String,
    /// The headline of its health: `new`, `ok`, `quiet`, `failing`, `moved` or `gone`.
    pub state: &'static str,
    /// HTTP status of the last attempt (`null` when no response came or never fetched).
    pub last_status: Option<u16>,
    /// When a fetch last succeeded.
    pub last_success: Option<DateTime<Utc>>,
    /// How many entries the cache holds for it.
    pub entries: u64,
    /// The newest stored entry's date.
    pub newest_entry: Option<DateTime<Utc>>,
    /// Failures since the last success.
    pub consecutive_failures: u32,
    /// When the first of them happened.
    pub failing_since: Option<DateTime<Utc>>,
    /// The earliest time it will be requested again (`null`: at the next run).
    pub next_due: Option<DateTime<Utc>>,
    /// The last failure's reason; cleared on success.
    pub last_error: Option<String>,
    /// `moved` (a permanent redirect: edit `planet.toml`), `gone` (410), `failing`, `quiet`
    /// (no new entry in `stale_days`, or none at all), `unlisted` (no longer in `planet.toml`).
    pub flags: Vec<&'static str>,
    /// Where a permanent redirect sent it.
    pub moved_to: Option<String>,
}

/// Builds the rows: configured feeds first, in config order, then unlisted ones by URL.
pub fn rows(
    config: &Config,
    sources: &[Source],
    stored: &HashMap<String, Stored>,
    now: DateTime<Utc>,
) -> Vec<Row> {
    let by_url: HashMap<&str, &Source> = sources.iter().map(|s| (s.url.as_str(), s)).collect();
    let row = |url: &str, name: Option<&str>, listed: bool| {
        let src = by_url.get(url).copied();
        let stored = stored.get(url).copied().unwrap_or_default();
        let health = Health::of(src, stored, listed, config.planet.stale_days, now);
        Row {
            name: feed_name(name, src, url),
            url: url.to_owned(),
            state: health.state().as_str(),
            last_status: src.and_then(|s| s.last_status),
            last_success: health.last_success,
            entries: health.entries,
            newest_entry: health.newest_entry,
            consecutive_failures: health.failing.as_ref().map_or(0, |f| f.count),
            failing_since: health.failing.as_ref().and_then(|f| f.since),
            next_due: health.next_due,
            last_error: health.failing.as_ref().map(|f| f.reason.clone()),
            flags: health.flags(),
            moved_to: health.moved_to.clone(),
        }
    };
    let mut out: Vec<Row> = config
        .feeds
        .iter()
        .map(|f| row(f.url.as_str(), f.name.as_deref(), true))
        .collect();
    let listed: std::collections::HashSet<&str> =
        config.feeds.iter().map(|f| f.url.as_str()).collect();
    let mut unlisted: Vec<&Source> = sources
        .iter()
        .filter(|s| !listed.contains(s.url.as_str()))
        .collect();
    unlisted.sort_by(|a, b| a.url.cmp(&b.url));
    out.extend(unlisted.into_iter().map(|s| row(&s.url, None, false)));
    out
}

/// The rows as an aligned text table, one line per feed, with a header.
pub fn table(rows: &[Row]) -> String {
    let when = |d: Option<DateTime<Utc>>| {
        d.map_or_else(
            || "-".to_owned(),
            |d| d.format("%Y-%m-%d %H:%M").to_string(),
        )
    };
    let header = [
        "NAME",
        "URL",
        "STATUS",
        "LAST OK",
        "ENTRIES",
        "NEWEST",
        "FAILS",
        "NEXT DUE",
        "FLAGS",
        "LAST ERROR",
    ];
    let mut cells: Vec<Vec<String>> = vec![header.iter().map(|h| (*h).to_owned()).collect()];
    for r in rows {
        cells.push(vec![
            r.name.clone(),
            r.url.clone(),
            r.last_status.map_or_else(|| "-".into(), |s| s.to_string()),
            when(r.last_success),
            r.entries.to_string(),
            when(r.newest_entry),
            r.consecutive_failures.to_string(),
            when(r.next_due),
            if r.flags.is_empty() {
                "-".into()
            } else {
                r.flags.join(",")
            },
            r.last_error.clone().unwrap_or_else(|| "-".into()),
        ]);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            cells
                .iter()
                .map(|row| row[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in &cells {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| {
                if i + 1 == row.len() {
                    c.clone()
                } else {
                    format!("{c:<w$}")
                }
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn flags_moved_gone_stale_and_unlisted() {
        let mut config = Config::for_test();
        config.planet.stale_days = 30;
        let text = "[planet]\nname = \"T\"\nlink = \"https://p.test/\"\nowner_name = \"O\"\n[[feeds]]\nurl = \"https://a.test/f\"\nname = \"A\"\n";
        config.feeds = crate::config::parse(text, std::path::Path::new("p.toml"))
            .unwrap()
            .feeds;
        let now = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let sources = vec![
            Source {
                url: "https://a.test/f".into(),
                moved_to: Some("https://b.test/f".into()),
                error_count: 2,
                last_error: Some("HTTP 500".into()),
                ..Source::default()
            },
            Source {
                url: "https://old.test/f".into(),
                gone: true,
                next_due: Some(now + chrono::Duration::hours(1)),
                ..Source::default()
            },
        ];
        let stored = HashMap::from([(
            "https://a.test/f".to_owned(),
            Stored {
                entries: 3,
                newest: Some(now - chrono::Duration::days(40)),
            },
        )]);
        let rows = rows(&config, &sources, &stored, now);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].name, "A");
        assert_eq!(rows[0].flags, ["moved", "failing", "quiet"]);
        assert_eq!(rows[0].state, "failing");
        assert_eq!(rows[0].entries, 3);
        assert_eq!(rows[1].flags, ["gone", "unlisted"]);
        // Without a name or a title, the host, as on the page.
        assert_eq!(rows[1].name, "old.test");
        let t = table(&rows);
        assert_eq!(t.lines().count(), 3);
        assert!(t.contains("moved,failing,quiet"), "{t}");
        assert_eq!(rows[1].next_due, None, "a gone feed is never due");
    }
}
