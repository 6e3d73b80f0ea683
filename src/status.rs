//! `planet status`: one row per feed, from the cache alone, for the operator and for monitoring.
//!
//! Takes the config (the subscriptions, in the operator's order), what the store knows about
//! each feed and the time, and returns [`Row`]s, each feed's [`Health`] in the operator's
//! terms (the page says the same in readers' words); [`table`] lays them out for a terminal
//! (within 100 columns, or at full width) and `serde_json` serialises the same rows for
//! `--json`; [`Summary`] is the one line of `--check`, for monitoring. Feeds the cache still
//! holds but `planet.toml` no longer lists come last, flagged `unlisted`, until pruning
//! forgets them. This module neither fetches nor writes: it reports.

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
    /// Whether `planet.toml` lists it with `enabled = true` (the default).
    pub enabled: bool,
}

impl Row {
    /// Whether the operator has something to do about it: it fails, is gone or moved.
    pub fn has_problem(&self) -> bool {
        self.flags
            .iter()
            .any(|f| matches!(*f, "failing" | "gone" | "moved"))
    }

    /// Whether monitoring should count it as down: enabled, listed, and failing or gone.
    pub fn is_failing(&self) -> bool {
        self.enabled
            && !self.flags.contains(&"unlisted")
            && self.flags.iter().any(|f| matches!(*f, "failing" | "gone"))
    }
}

/// The one line of `planet status --check`: how many enabled feeds, and which fail.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The enabled feeds `planet.toml` lists.
    pub feeds: usize,
    /// The names of those failing or gone.
    pub failing: Vec<String>,
}

impl Summary {
    /// Sums up the rows.
    pub fn of(rows: &[Row]) -> Summary {
        let listed = rows
            .iter()
            .filter(|r| r.enabled && !r.flags.contains(&"unlisted"));
        Summary {
            feeds: listed.count(),
            failing: rows
                .iter()
                .filter(|r| r.is_failing())
                .map(|r| r.name.clone())
                .collect(),
        }
    }

    /// Whether every enabled feed is fine.
    pub fn ok(&self) -> bool {
        self.failing.is_empty()
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let feeds = crate::text::plural(self.feeds, "feed");
        if self.failing.is_empty() {
            return write!(f, "planet: {feeds}, none failing");
        }
        write!(
            f,
            "planet: {} of {feeds} failing: {}",
            self.failing.len(),
            self.failing.join(", ")
        )
    }
}

/// Builds the rows: configured feeds first, in config order, then unlisted ones by URL.
pub fn rows(
    config: &Config,
    sources: &[Source],
    stored: &HashMap<String, Stored>,
    now: DateTime<Utc>,
) -> Vec<Row> {
    let by_url: HashMap<&str, &Source> = sources.iter().map(|s| (s.url.as_str(), s)).collect();
    let row = |url: &str, name: Option<&str>, listed: bool, enabled: bool| {
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
            enabled,
        }
    };
    let mut out: Vec<Row> = config
        .feeds
        .iter()
        .map(|f| row(f.url.as_str(), f.name.as_deref(), true, f.enabled))
        .collect();
    let listed: std::collections::HashSet<&str> =
        config.feeds.iter().map(|f| f.url.as_str()).collect();
    let mut unlisted: Vec<&Source> = sources
        .iter()
        .filter(|s| !listed.contains(s.url.as_str()))
        .collect();
    unlisted.sort_by(|a, b| a.url.cmp(&b.url));
    out.extend(
        unlisted
            .into_iter()
            .map(|s| row(&s.url, None, false, false)),
    );
    out
}

/// The width the table keeps to, unless asked for full width: a terminal's usual minimum
/// with room to spare, and what a monitoring mail shows without wrapping.
pub const TABLE_WIDTH: usize = 100;

/// The rows as an aligned text table, one line per feed, with a header. Within
/// [`TABLE_WIDTH`] columns: times as ages (`3h`, `12d`: since, or until for `NEXT DUE`), URLs
/// without `https://`, no `ENTRIES` and `FAILS` columns, and the URL, the last error and the
/// name cut with `…`, in that order, when they would not fit. `wide`: every column, full dates, nothing cut.
pub fn table(rows: &[Row], now: DateTime<Utc>, wide: bool) -> String {
    let when = |d: Option<DateTime<Utc>>| match d {
        None => "-".to_owned(),
        Some(d) if wide => d.format("%Y-%m-%d %H:%M").to_string(),
        Some(d) => age(if d > now { d - now } else { now - d }),
    };
    let dash = |s: Option<String>| s.unwrap_or_else(|| "-".to_owned());
    // (header, cell of a row, shown in the narrow table)
    type Column<'a> = (&'a str, Box<dyn Fn(&Row) -> String + 'a>, bool);
    let columns: Vec<Column> = vec![
        ("NAME", Box::new(|r: &Row| r.name.clone()), true),
        (
            "URL",
            Box::new(|r: &Row| match r.url.strip_prefix("https://") {
                Some(rest) if !wide => rest.to_owned(),
                _ => r.url.clone(),
            }),
            true,
        ),
        (
            if wide { "STATUS" } else { "HTTP" },
            Box::new(|r: &Row| dash(r.last_status.map(|s| s.to_string()))),
            true,
        ),
        ("LAST OK", Box::new(|r: &Row| when(r.last_success)), true),
        ("ENTRIES", Box::new(|r: &Row| r.entries.to_string()), false),
        ("NEWEST", Box::new(|r: &Row| when(r.newest_entry)), true),
        (
            "FAILS",
            Box::new(|r: &Row| r.consecutive_failures.to_string()),
            false,
        ),
        ("NEXT DUE", Box::new(|r: &Row| when(r.next_due)), true),
        (
            "FLAGS",
            Box::new(|r: &Row| {
                if r.flags.is_empty() {
                    "-".into()
                } else {
                    r.flags.join(",")
                }
            }),
            true,
        ),
        (
            "LAST ERROR",
            Box::new(|r: &Row| dash(r.last_error.clone())),
            true,
        ),
    ];
    let columns: Vec<&Column> = columns.iter().filter(|c| wide || c.2).collect();
    let mut cells: Vec<Vec<String>> = vec![columns.iter().map(|c| c.0.to_owned()).collect()];
    for r in rows {
        cells.push(columns.iter().map(|c| (c.1)(r)).collect());
    }
    let mut widths: Vec<usize> = (0..columns.len())
        .map(|i| {
            cells
                .iter()
                .map(|row| row[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    if !wide {
        // The URL gives way first (the name says which feed it is), then the last error,
        // then the name.
        let last = columns.len() - 1;
        for (column, least) in [(1, 16), (last, 16), (0, 10)] {
            let total = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
            let over = total.saturating_sub(TABLE_WIDTH);
            widths[column] -= over.min(widths[column].saturating_sub(least));
        }
    }
    let mut out = String::new();
    for row in &cells {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| {
                let c = cut(c, *w);
                if i + 1 == row.len() {
                    c
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

/// `text` in at most `width` characters, ending in `…` when cut.
fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A duration in one short unit: `now`, `45m`, `5h`, `12d`, `2y`.
fn age(d: chrono::Duration) -> String {
    let minutes = d.num_minutes();
    match minutes {
        ..=0 => "now".to_owned(),
        1..=59 => format!("{minutes}m"),
        60..=2879 => format!("{}h", minutes / 60),
        _ if d.num_days() < 730 => format!("{}d", d.num_days()),
        _ => format!("{}y", d.num_days() / 365),
    }
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
        let t = table(&rows, now, false);
        assert_eq!(t.lines().count(), 3);
        assert!(t.contains("moved,failing,quiet"), "{t}");
        assert_eq!(rows[1].next_due, None, "a gone feed is never due");
    }

    fn long_row(now: DateTime<Utc>) -> Row {
        Row {
            name: "Last Week in Kubernetes Development, and then some".into(),
            url: format!(
                "https://blog.example.org/{}/feed.xml",
                "very-long-path".repeat(4)
            ),
            state: "failing",
            last_status: Some(503),
            last_success: Some(now - chrono::Duration::hours(5)),
            entries: 1234,
            newest_entry: Some(now - chrono::Duration::days(12)),
            consecutive_failures: 7,
            failing_since: None,
            next_due: Some(now + chrono::Duration::minutes(40)),
            last_error: Some(format!("HTTP 503 Service Unavailable: {}", "x".repeat(80))),
            flags: vec!["failing", "quiet"],
            moved_to: None,
            enabled: true,
        }
    }

    #[test]
    fn the_table_keeps_to_100_columns_unless_wide() {
        let now = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let row = long_row(now);
        let narrow = table(std::slice::from_ref(&row), now, false);
        for line in narrow.lines() {
            assert!(line.chars().count() <= TABLE_WIDTH, "{line:?}");
        }
        let cells: Vec<&str> = narrow
            .lines()
            .nth(1)
            .unwrap()
            .split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        assert!(
            cells[0].starts_with("Last Week in") && cells[0].ends_with('…'),
            "{cells:?}"
        );
        assert!(
            cells[1].starts_with("blog.example.or") && cells[1].ends_with('…'),
            "{cells:?}"
        );
        assert_eq!(
            &cells[2..7],
            ["503", "5h", "12d", "40m", "failing,quiet"],
            "{cells:?}"
        );
        assert!(
            cells[7].starts_with("HTTP 503") && cells[7].ends_with('…'),
            "{cells:?}"
        );
        assert!(
            !narrow.contains("ENTRIES") && !narrow.contains("FAILS"),
            "{narrow}"
        );

        let wide = table(std::slice::from_ref(&row), now, true);
        assert!(wide.lines().nth(1).unwrap().chars().count() > TABLE_WIDTH);
        for whole in [&row.name, &row.url, row.last_error.as_ref().unwrap()] {
            assert!(wide.contains(whole.as_str()), "{wide}");
        }
        assert!(wide.contains("ENTRIES") && wide.contains("1234"), "{wide}");
        assert!(wide.contains("2027-01-15 03:00"), "full dates: {wide}");
        assert!(!wide.contains('…'));
    }

    #[test]
    fn the_summary_counts_enabled_feeds_and_names_the_failing_ones() {
        let now = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let ok = Row {
            name: "Fine".into(),
            flags: vec!["quiet"],
            last_error: None,
            ..long_row(now)
        };
        let failing = Row {
            name: "Broken".into(),
            ..long_row(now)
        };
        let disabled = Row {
            enabled: false,
            ..failing.clone()
        };
        let gone = Row {
            name: "Gone".into(),
            flags: vec!["gone"],
            ..ok.clone()
        };
        let moved = Row {
            flags: vec!["moved"],
            ..ok.clone()
        };
        let all = [ok.clone(), failing.clone(), disabled, gone, moved.clone()];
        let summary = Summary::of(&all);
        assert!(!summary.ok());
        assert_eq!(
            summary.to_string(),
            "planet: 2 of 4 feeds failing: Broken, Gone"
        );
        let summary = Summary::of(&[ok.clone(), moved.clone()]);
        assert_eq!(summary.to_string(), "planet: 2 feeds, none failing");
        assert!(summary.ok());
        let problems: Vec<bool> = [ok, failing, moved].iter().map(Row::has_problem).collect();
        assert_eq!(problems, [false, true, true]);
    }
}
