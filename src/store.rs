//! The SQLite cache: feed state (validators, health) and every entry ever kept.
//!
//! Opens and migrates the database (`PRAGMA user_version` counts the migrations applied), reads
//! what the fetcher needs, records each fetch and upserts entries, and answers the one query
//! the page needs: the newest entries. A run's writes go into one transaction, committed at the
//! end; SQLite's journal (the WAL, or the rollback journal while a fresh cache is first filled)
//! makes a run killed at any point leave the previous state intact.
//! This stage does not decide what is shown (select does) and never deletes an entry because
//! it left its feed: entries persist until newer ones push them off the page.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{params, Connection};

use crate::config::SortBy;
use crate::model::{Entry, FeedMeta, Source, StoredEntry, TextKind};

/// Errors from the cache.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The cache folder could not be created.
    #[error("cannot create cache folder `{path}`")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The database could not be opened or migrated.
    #[error("cannot open cache `{path}`")]
    Open {
        /// The database file.
        path: PathBuf,
        /// Why.
        #[source]
        source: rusqlite::Error,
    },
    /// Another process holds the whole cache: a fresh cache's first `planet run`, which fills
    /// it under the rollback journal (see [`Store::begin`]), until it commits.
    #[error("cache `{path}` is being filled by a first `planet run`; try again when it ends")]
    Busy {
        /// The database file.
        path: PathBuf,
    },
    /// A query failed.
    #[error("cache query failed")]
    Query(#[from] rusqlite::Error),
}

/// The migrations, in order; `user_version` records how many have run. Append, never edit.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE feeds (
    url           TEXT PRIMARY KEY,
    title         TEXT NOT NULL DEFAULT '',
    site_link     TEXT,
    feed_id       TEXT,
    author        TEXT,
    updated       INTEGER,
    etag          TEXT,
    last_modified TEXT,
    last_status   INTEGER,
    last_fetch    INTEGER,
    last_success  INTEGER,
    last_error    TEXT,
    error_count   INTEGER NOT NULL DEFAULT 0,
    final_url     TEXT
);
CREATE TABLE entries (
    feed_url     TEXT NOT NULL,
    id           TEXT NOT NULL,
    link         TEXT,
    title        TEXT NOT NULL,
    author       TEXT,
    content      TEXT NOT NULL,
    content_kind TEXT NOT NULL,
    base         TEXT,
    published    INTEGER,
    updated      INTEGER,
    categories   TEXT NOT NULL DEFAULT '[]',
    first_seen   INTEGER NOT NULL,
    sort_date    INTEGER NOT NULL,
    PRIMARY KEY (feed_url, id)
);
-- A rowid table, not WITHOUT ROWID: rows of 2-4 KB inside the key's B-tree made every insert
-- split and shift pages of big rows, so a first run slowed as the cache grew (issue 6).
CREATE INDEX entries_by_date ON entries (sort_date DESC, feed_url, id);
"#,
    // Issue 3: feed health and schedule; whether an entry is still in its feed (for pruning).
    r#"
ALTER TABLE feeds ADD COLUMN next_due INTEGER;
ALTER TABLE feeds ADD COLUMN gone INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feeds ADD COLUMN moved_to TEXT;
ALTER TABLE feeds ADD COLUMN ttl_secs INTEGER;
ALTER TABLE entries ADD COLUMN in_feed INTEGER NOT NULL DEFAULT 1;
"#,
    // issue 7: a new feed's back-catalogue is stored as already seen, off the page.
    r#"
ALTER TABLE entries ADD COLUMN backlog INTEGER NOT NULL DEFAULT 0;
"#,
    // Issue 4: the entry's details for a faithful atom.xml (`model::EntryDetail`, as JSON).
    r#"
ALTER TABLE entries ADD COLUMN detail TEXT NOT NULL DEFAULT '{}';
"#,
    // Each feed's newest entry (the sidebar's "gone quiet" mark) from a small covering index,
    // not a scan of every stored row: `render` over 100,000 entries 0.48 s -> see README.
    r#"
CREATE INDEX entries_by_feed_date ON entries (feed_url, sort_date);
"#,
    // Issue 6: the page's index holds the date alone (and the rowid). With the feed's URL and the
    // entry's id it was four times bigger, and new entries land at random places in it, so a first
    // run over 10,000 feeds kept reading and writing back its pages (1.5 s of 17 s CPU). The
    // query sorts the rare ties itself.
    r#"
DROP INDEX entries_by_date;
CREATE INDEX entries_by_date ON entries (sort_date DESC);
"#,
];

/// A successful fetch, as recorded.
#[derive(Debug, Clone, Copy)]
pub struct Success<'a> {
    /// 200 or 304.
    pub status: u16,
    /// The feed's metadata, when a body was parsed.
    pub meta: Option<&'a FeedMeta>,
    /// The response's `ETag`.
    pub etag: Option<&'a str>,
    /// The response's `Last-Modified`.
    pub last_modified: Option<&'a str>,
    /// Where the fetch ended after redirects.
    pub final_url: Option<&'a str>,
}

/// A feed's schedule and standing, as recorded after each attempt.
#[derive(Debug, Clone, Copy)]
pub struct Schedule<'a> {
    /// The earliest time it may be requested again.
    pub next_due: DateTime<Utc>,
    /// 410 Gone: never requested again.
    pub gone: bool,
    /// A permanent redirect's target, when this attempt met one.
    pub moved_to: Option<&'a str>,
}

/// What the cache holds for one feed, for `status`.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedStats {
    /// The subscription URL.
    pub url: String,
    /// How many entries are stored.
    pub entries: u64,
    /// The newest entry's sort date.
    pub newest: Option<DateTime<Utc>>,
}

/// The open cache.
pub struct Store {
    conn: Connection,
    /// The database file (none in memory).
    path: Option<PathBuf>,
    /// While a fresh cache is filled: the thread that writes its pages to disk as they come.
    flusher: std::cell::RefCell<Option<Flusher>>,
}

/// Flushes the database file to disk every [`FLUSH_EVERY`] until its sender is dropped.
///
/// A first run writes the whole cache (97 MB over 1000 feeds); left to the commit's `fsync`, the
/// disk took 90 ms to write it all while the run waited. Flushed as it is written, on a thread of
/// its own that only waits for the disk, little is left by the commit. Flushing pages SQLite has
/// already written never reorders its writes, so the journal's guarantees stand.
struct Flusher {
    stop: std::sync::mpsc::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

const FLUSH_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

impl Flusher {
    fn start(path: &Path) -> Option<Flusher> {
        let file = std::fs::File::open(path).ok()?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("cache-flush".into())
            .spawn(move || {
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(FLUSH_EVERY)
                {
                    // A failure here only leaves the work to the commit's own sync.
                    let _ = file.sync_data();
                }
            })
            .ok()?;
        Some(Flusher { stop, thread })
    }

    fn finish(self) {
        drop(self.stop);
        let _ = self.thread.join();
    }
}

/// An entry's columns that take work to make (JSON), made on the parsing threads so that the
/// store's single thread, which every feed's writes go through, only writes (issue 6).
#[derive(Debug, Clone)]
pub struct Packed {
    categories: String,
    detail: String,
}

impl Packed {
    /// Serializes the entry's categories and details. When the content is the summary
    /// ([`crate::model::EntryDetail::content_from_summary`]), the summary's text is not stored a
    /// second time in the details: [`Store::newest`] puts it back from the content. Takes the
    /// entry mutably only to lift that text out while serializing (a copy would cost as much
    /// as the text); the entry is as it was afterwards.
    pub fn new(e: &mut Entry) -> Packed {
        let categories = serde_json::to_string(&e.categories).unwrap_or_else(|_| "[]".into());
        let lifted = match e.detail.summary.as_mut() {
            Some(s) if e.detail.content_from_summary && s.value == e.content => {
                Some(std::mem::take(&mut s.value))
            }
            _ => None,
        };
        let detail = serde_json::to_string(&e.detail);
        if let (Some(value), Some(s)) = (lifted, e.detail.summary.as_mut()) {
            s.value = value;
        }
        Packed {
            categories,
            detail: detail.unwrap_or_else(|_| "{}".into()),
        }
    }
}

/// Reads stored details back, restoring a summary [`Packed::new`] left out.
fn unpack_detail(json: &str, content: &str) -> crate::model::EntryDetail {
    let mut d: crate::model::EntryDetail = serde_json::from_str(json).unwrap_or_default();
    if d.content_from_summary {
        if let Some(s) = d.summary.as_mut().filter(|s| s.value.is_empty()) {
            s.value = content.to_owned();
        }
    }
    d
}

/// How long a reader waits for a writer holding the whole cache before giving up.
#[cfg(not(test))]
const BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(10);
#[cfg(test)]
const BUSY_WAIT: std::time::Duration = std::time::Duration::from_millis(200);

/// The file name of the database inside `cache_dir`.
pub const FILE_NAME: &str = "planet.sqlite";

impl Store {
    /// Opens (creating if needed) and migrates the cache in `dir`.
    pub fn open(dir: &Path) -> Result<Store, Error> {
        std::fs::create_dir_all(dir).map_err(|e| Error::Folder {
            path: dir.to_owned(),
            source: e,
        })?;
        let path = dir.join(FILE_NAME);
        let open = || -> rusqlite::Result<Connection> {
            let mut conn = Connection::open(&path)?;
            conn.busy_timeout(BUSY_WAIT)?;
            // 16 KiB pages hold several 2-4 KB entries each instead of one plus overflow pages:
            // fewer pages to write, split and copy (issue 6). Takes effect only on a new cache,
            // so it must come before WAL mode writes the header.
            conn.pragma_update(None, "page_size", 16384)?;
            // Busy only while a fresh cache's first run holds it (see `begin`); that run
            // goes back to the WAL itself when it commits.
            match conn.pragma_update(None, "journal_mode", "WAL") {
                Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) => {}
                r => r?,
            }
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            migrate(&mut conn)?;
            Ok(conn)
        };
        let conn = open().map_err(|e| {
            if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) {
                Error::Busy { path: path.clone() }
            } else {
                Error::Open {
                    path: path.clone(),
                    source: e,
                }
            }
        })?;
        Ok(Store {
            conn,
            path: Some(path),
            flusher: Default::default(),
        })
    }

    /// Opens a throwaway cache in memory, for tests.
    pub fn in_memory() -> Result<Store, Error> {
        let mut conn = Connection::open_in_memory()?;
        migrate(&mut conn)?;
        Ok(Store {
            conn,
            path: None,
            flusher: Default::default(),
        })
    }

    /// Starts the run's transaction; everything until [`Store::commit`] lands at once or not at all.
    ///
    /// A cache that holds no entry yet is filled under SQLite's rollback journal instead of its
    /// WAL: that first run writes the whole cache, which the WAL would write twice (into the log,
    /// then again into the database at the checkpoint). Over 1000 feeds that was 0.2 s of a
    /// 1.2 s run, and 5 s of 15 s over 10,000 (issue 6). Later runs write little and keep the
    /// WAL, whose readers (`planet status`) never wait for a writer. If another connection has
    /// the cache open, SQLite keeps the WAL and the run is only slower. A [`Flusher`] writes
    /// the fresh cache to disk as it grows, so the commit does not wait for all of it.
    pub fn begin(&self) -> Result<(), Error> {
        let fresh: bool =
            self.conn
                .query_row("SELECT NOT EXISTS (SELECT 1 FROM entries)", [], |r| {
                    r.get(0)
                })?;
        if fresh {
            self.conn.pragma_update(None, "journal_mode", "DELETE")?;
            *self.flusher.borrow_mut() = self.path.as_deref().and_then(Flusher::start);
        }
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(())
    }

    /// Commits the run's transaction (and goes back to the WAL if [`Store::begin`] left it).
    pub fn commit(&self) -> Result<(), Error> {
        if let Some(flusher) = self.flusher.borrow_mut().take() {
            flusher.finish();
        }
        self.conn.execute_batch("COMMIT")?;
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        Ok(())
    }

    /// Every known feed's state, keyed by URL.
    pub fn sources(&self) -> Result<Vec<Source>, Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT url, title, site_link, feed_id, author, updated, etag, last_modified,
                    last_status, last_fetch, last_success, last_error, error_count, final_url,
                    next_due, gone, moved_to, ttl_secs
             FROM feeds",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Source {
                url: r.get(0)?,
                meta: FeedMeta {
                    title: r.get(1)?,
                    site_link: r.get(2)?,
                    feed_id: r.get(3)?,
                    author: r.get(4)?,
                    updated: time(r.get(5)?),
                },
                etag: r.get(6)?,
                last_modified: r.get(7)?,
                last_status: r.get(8)?,
                last_fetch: time(r.get(9)?),
                last_success: time(r.get(10)?),
                last_error: r.get(11)?,
                error_count: r.get(12)?,
                final_url: r.get(13)?,
                next_due: time(r.get(14)?),
                gone: r.get(15)?,
                moved_to: r.get(16)?,
                ttl_secs: r
                    .get::<_, Option<i64>>(17)?
                    .and_then(|t| u64::try_from(t).ok()),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records a successful fetch: validators, metadata (when a body was parsed), health reset.
    pub fn record_success(
        &self,
        url: &str,
        ok: &Success<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        self.ensure(url)?;
        self.conn
            .prepare_cached(
                "UPDATE feeds SET etag = ?2, last_modified = ?3, last_status = ?4,
                    last_fetch = ?5, last_success = ?5, last_error = NULL, error_count = 0,
                    final_url = COALESCE(?6, final_url)
                 WHERE url = ?1",
            )?
            .execute(params![
                url,
                ok.etag,
                ok.last_modified,
                ok.status,
                now.timestamp(),
                ok.final_url
            ])?;
        if let Some(m) = ok.meta {
            self.conn
                .prepare_cached(
                    "UPDATE feeds SET title = ?2, site_link = ?3, feed_id = ?4, author = ?5,
                        updated = ?6 WHERE url = ?1",
                )?
                .execute(params![
                    url,
                    m.title,
                    m.site_link,
                    m.feed_id,
                    m.author,
                    m.updated.map(|d| d.timestamp())
                ])?;
        }
        Ok(())
    }

    /// Records a failed fetch; the stored entries and validators stay as they were.
    pub fn record_failure(
        &self,
        url: &str,
        status: Option<u16>,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        self.ensure(url)?;
        self.conn
            .prepare_cached(
                "UPDATE feeds SET last_status = ?2, last_fetch = ?3, last_error = ?4,
                    error_count = error_count + 1 WHERE url = ?1",
            )?
            .execute(params![url, status, now.timestamp(), error])?;
        Ok(())
    }

    /// Records when the feed is next due, whether it is gone and where it moved (kept until
    /// the operator edits `planet.toml`: the new URL is a new subscription).
    pub fn record_schedule(&self, url: &str, schedule: &Schedule<'_>) -> Result<(), Error> {
        self.ensure(url)?;
        self.conn
            .prepare_cached(
                "UPDATE feeds SET next_due = ?2, gone = ?3, moved_to = COALESCE(?4, moved_to)
                 WHERE url = ?1",
            )?
            .execute(params![
                url,
                schedule.next_due.timestamp(),
                schedule.gone,
                schedule.moved_to
            ])?;
        Ok(())
    }

    /// Records the feed's RSS `<ttl>` from a parsed body (`None`: it has none any more), so a
    /// later 304, which carries no body, is still paced by it.
    pub fn record_ttl(&self, url: &str, ttl_secs: Option<u64>) -> Result<(), Error> {
        self.ensure(url)?;
        self.conn
            .prepare_cached("UPDATE feeds SET ttl_secs = ?2 WHERE url = ?1")?
            .execute(params![url, ttl_secs.and_then(|t| i64::try_from(t).ok())])?;
        Ok(())
    }

    /// Marks which of a feed's stored entries its latest body still carries; the others become
    /// candidates for [`Store::prune`].
    pub fn mark_in_feed(&self, feed_url: &str, ids: &[&str]) -> Result<(), Error> {
        // One statement that touches only the rows that really left: marking every row of the
        // feed 0 and then each present one 1 rewrote each 2-4 KB row twice per fetch. Entries
        // still (or again) in the feed are marked by `upsert_entries_by`.
        let ids = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
        self.conn
            .prepare_cached(
                "UPDATE entries SET in_feed = 0
                 WHERE feed_url = ?1 AND in_feed = 1
                   AND id NOT IN (SELECT value FROM json_each(?2))",
            )?
            .execute(params![feed_url, ids])?;
        Ok(())
    }

    /// Deletes entries sorted before `cutoff` that are no longer in their feed (or whose feed
    /// is no longer subscribed) and are not in `keep` (the page); then forgets unsubscribed
    /// feeds with no entry left. Returns how many entries went.
    pub fn prune(
        &self,
        cutoff: DateTime<Utc>,
        subscribed: &[&str],
        keep: &[(&str, &str)],
    ) -> Result<usize, Error> {
        // One transaction: row-by-row autocommits made pruning the dearest part of `render`.
        let tx = self.conn.unchecked_transaction()?;
        self.conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS prune_subscribed (url TEXT PRIMARY KEY);
             CREATE TEMP TABLE IF NOT EXISTS prune_keep (feed_url TEXT, id TEXT,
                PRIMARY KEY (feed_url, id));
             DELETE FROM prune_subscribed; DELETE FROM prune_keep;",
        )?;
        {
            let mut sub = self
                .conn
                .prepare_cached("INSERT OR IGNORE INTO prune_subscribed (url) VALUES (?1)")?;
            for url in subscribed {
                sub.execute([url])?;
            }
            let mut k = self.conn.prepare_cached(
                "INSERT OR IGNORE INTO prune_keep (feed_url, id) VALUES (?1, ?2)",
            )?;
            for (feed, id) in keep {
                k.execute([feed, id])?;
            }
        }
        let gone = self.conn.execute(
            "DELETE FROM entries WHERE sort_date < ?1
                AND (in_feed = 0 OR feed_url NOT IN (SELECT url FROM prune_subscribed))
                AND (feed_url, id) NOT IN (SELECT feed_url, id FROM prune_keep)",
            [cutoff.timestamp()],
        )?;
        self.conn.execute(
            "DELETE FROM feeds WHERE url NOT IN (SELECT url FROM prune_subscribed)
                AND url NOT IN (SELECT DISTINCT feed_url FROM entries)",
            [],
        )?;
        tx.commit()?;
        Ok(gone)
    }

    /// Per feed: how many entries are stored and the newest one's sort date, for `status`.
    pub fn feed_stats(&self) -> Result<Vec<FeedStats>, Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT feed_url, COUNT(*), MAX(sort_date) FROM entries GROUP BY feed_url",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(FeedStats {
                url: r.get(0)?,
                entries: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                newest: time(r.get(2)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn ensure(&self, url: &str) -> Result<(), Error> {
        self.conn
            .prepare_cached("INSERT OR IGNORE INTO feeds (url) VALUES (?1)")?
            .execute([url])?;
        Ok(())
    }

    /// Stores a feed's entries: new ones are inserted with `now` as first seen; known ones are
    /// replaced when anything changed, keeping their first-seen time. Returns how many were new.
    pub fn upsert_entries(
        &self,
        feed_url: &str,
        entries: &[Entry],
        now: DateTime<Utc>,
    ) -> Result<usize, Error> {
        self.upsert_entries_by(feed_url, entries, now, SortBy::Published)
    }

    /// [`Store::upsert_entries`] with the operator's `sort_by`: under `published` a known
    /// entry keeps the sort date it was first stored with, so an edit upstream (a new
    /// `updated`) does not move it; under `updated` the sort date follows the edit.
    pub fn upsert_entries_by(
        &self,
        feed_url: &str,
        entries: &[Entry],
        now: DateTime<Utc>,
        by: SortBy,
    ) -> Result<usize, Error> {
        let mut entries = entries.to_vec();
        let packed: Vec<Packed> = entries.iter_mut().map(Packed::new).collect();
        self.upsert_packed(feed_url, &entries, &packed, now, by)
    }

    /// [`Store::upsert_entries_by`] with each entry's [`Packed`] form made beforehand (on the
    /// thread that parsed the feed, so the one thread that writes the cache only writes).
    /// `packed[i]` belongs to `entries[i]`.
    pub fn upsert_packed(
        &self,
        feed_url: &str,
        entries: &[Entry],
        packed: &[Packed],
        now: DateTime<Utc>,
        by: SortBy,
    ) -> Result<usize, Error> {
        // The feed's known entries in one query, not one lookup per entry.
        let known: HashMap<String, i64> = self
            .conn
            .prepare_cached("SELECT id, first_seen FROM entries WHERE feed_url = ?1")?
            .query_map([feed_url], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut upsert = self.conn.prepare_cached(
            "INSERT INTO entries (feed_url, id, link, title, author, content, content_kind, base,
                published, updated, categories, first_seen, sort_date, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
             ON CONFLICT (feed_url, id) DO UPDATE SET
                link = excluded.link, title = excluded.title, author = excluded.author,
                content = excluded.content, content_kind = excluded.content_kind,
                base = excluded.base, published = excluded.published, updated = excluded.updated,
                categories = excluded.categories,
                sort_date = CASE WHEN ?15 THEN excluded.sort_date ELSE entries.sort_date END,
                detail = excluded.detail, in_feed = 1
             WHERE entries.in_feed = 0
                OR link IS NOT excluded.link OR title IS NOT excluded.title
                OR author IS NOT excluded.author OR content IS NOT excluded.content
                OR published IS NOT excluded.published OR updated IS NOT excluded.updated
                OR categories IS NOT excluded.categories OR base IS NOT excluded.base
                OR detail IS NOT excluded.detail",
        )?;
        let mut new = 0;
        for (e, p) in entries.iter().zip(packed) {
            let first_seen = match known.get(&e.id).and_then(|&t| time(Some(t))) {
                Some(t) => t,
                None => {
                    new += 1;
                    now
                }
            };
            let sort = crate::parse::sort_date_by(e, first_seen, now.max(first_seen), by);
            upsert.execute(params![
                feed_url,
                e.id,
                e.link,
                e.title,
                e.author,
                e.content,
                e.content_kind.as_str(),
                e.base,
                e.published.map(|d| d.timestamp()),
                e.updated.map(|d| d.timestamp()),
                p.categories,
                first_seen.timestamp(),
                sort.timestamp(),
                p.detail,
                by == SortBy::Updated,
            ])?;
        }
        Ok(new)
    }

    /// The newest `limit` entries by sort date (ties by feed and id, so the order is stable),
    /// starting after `offset`: select asks for more when deduplication thins them out.
    pub fn newest(&self, limit: usize, offset: usize) -> Result<Vec<StoredEntry>, Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT feed_url, id, link, title, author, content, content_kind, base, published,
                    updated, categories, first_seen, sort_date, detail
             FROM entries WHERE backlog = 0
             ORDER BY sort_date DESC, feed_url, id LIMIT ?1 OFFSET ?2",
        )?;
        let rows = stmt.query_map(params![limit as i64, offset as i64], |r| {
            let categories: String = r.get(10)?;
            let kind: String = r.get(6)?;
            let detail: String = r.get(13)?;
            let content: String = r.get(5)?;
            Ok(StoredEntry {
                feed_url: r.get(0)?,
                entry: Entry {
                    id: r.get(1)?,
                    link: r.get(2)?,
                    title: r.get(3)?,
                    author: r.get(4)?,
                    content: content.clone(),
                    content_kind: TextKind::from_stored(&kind),
                    base: r.get(7)?,
                    published: time(r.get(8)?),
                    updated: time(r.get(9)?),
                    categories: serde_json::from_str(&categories).unwrap_or_default(),
                    // A detail this version cannot read only costs fidelity, never the entry.
                    detail: unpack_detail(&detail, &content),
                },
                first_seen: time(Some(r.get(11)?)).unwrap_or_default(),
                sort_date: time(Some(r.get(12)?)).unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Marks every entry of a feed but its newest `visible` as back-catalogue: stored as already
    /// seen, never on the page. Called once, when a feed is first fetched (`new_feed_items`).
    pub fn mark_backlog(&self, feed_url: &str, visible: usize) -> Result<usize, Error> {
        Ok(self
            .conn
            .prepare_cached(
                "UPDATE entries SET backlog = 1 WHERE feed_url = ?1 AND id NOT IN (
                    SELECT id FROM entries WHERE feed_url = ?1
                    ORDER BY sort_date DESC, id LIMIT ?2)",
            )?
            .execute(params![feed_url, visible as i64])?)
    }

    /// How many entries are stored for each feed, for the sidebar and `status`.
    pub fn entry_count(&self, feed_url: &str) -> Result<u64, Error> {
        Ok(self
            .conn
            .prepare_cached("SELECT COUNT(*) FROM entries WHERE feed_url = ?1")?
            .query_row([feed_url], |r| r.get::<_, i64>(0))
            .map(|n| u64::try_from(n).unwrap_or(0))?)
    }

    /// Each feed's newest entry date (its sort date), for the sidebar's "gone quiet" mark.
    /// Feeds with no stored entry are absent from the map.
    pub fn latest_entry_dates(&self) -> Result<HashMap<String, DateTime<Utc>>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT feed_url, MAX(sort_date) FROM entries GROUP BY feed_url")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, time(r.get::<_, Option<i64>>(1)?)))
        })?;
        let mut out = HashMap::new();
        for row in rows {
            if let (url, Some(t)) = row? {
                out.insert(url, t);
            }
        }
        Ok(out)
    }
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let version = usize::try_from(version).unwrap_or(0);
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(
            None,
            "user_version",
            i64::try_from(i + 1).unwrap_or(i64::MAX),
        )?;
        tx.commit()?;
    }
    Ok(())
}

fn time(t: Option<i64>) -> Option<DateTime<Utc>> {
    t.and_then(|t| Utc.timestamp_opt(t, 0).single())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, content: &str) -> Entry {
        Entry {
            id: id.into(),
            link: Some(format!("https://b.test/{id}")),
            title: id.into(),
            author: None,
            content: content.into(),
            content_kind: TextKind::Html,
            base: None,
            published: Utc.timestamp_opt(1_700_000_000, 0).single(),
            updated: None,
            categories: vec![],
            detail: Default::default(),
        }
    }

    #[test]
    fn a_fresh_cache_is_filled_without_the_wal_and_left_in_it() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        let mode = |s: &Store| -> String {
            s.conn
                .pragma_query_value(None, "journal_mode", |r| r.get(0))
                .unwrap()
        };
        assert_eq!(mode(&s), "wal");
        let t0 = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        s.begin().unwrap();
        assert_eq!(mode(&s), "delete");
        assert!(
            s.flusher.borrow().is_some(),
            "the pages go to disk as they come"
        );
        s.upsert_entries("f", &[entry("a", "v1")], t0).unwrap();
        s.commit().unwrap();
        assert!(s.flusher.borrow().is_none());
        assert_eq!(mode(&s), "wal");
        // A cache that holds entries keeps the WAL, so readers never wait for the run.
        s.begin().unwrap();
        assert_eq!(mode(&s), "wal");
        assert!(s.flusher.borrow().is_none());
        s.upsert_entries("f", &[entry("b", "v1")], t0).unwrap();
        s.commit().unwrap();
        drop(s);
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.newest(10, 0).unwrap().len(), 2);
    }

    #[test]
    fn a_reader_of_a_cache_being_filled_is_told_why_it_waits() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        // A cache smaller than the run's writes spills them into the file, which takes the
        // whole database until the commit.
        s.conn.pragma_update(None, "cache_size", 1).unwrap();
        s.begin().unwrap();
        let t0 = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let big = "x".repeat(100_000);
        s.upsert_entries("f", &[entry("a", &big), entry("b", &big)], t0)
            .unwrap();
        let err = Store::open(dir.path()).err().unwrap();
        assert!(matches!(err, Error::Busy { .. }), "{err:?}");
        assert!(err
            .to_string()
            .contains("being filled by a first `planet run`"));
        s.commit().unwrap();
        assert_eq!(
            Store::open(dir.path())
                .unwrap()
                .newest(10, 0)
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn changed_entry_replaces_not_duplicates() {
        let s = Store::in_memory().unwrap();
        let t0 = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        assert_eq!(s.upsert_entries("f", &[entry("a", "v1")], t0).unwrap(), 1);
        let t1 = t0 + chrono::Duration::hours(1);
        assert_eq!(s.upsert_entries("f", &[entry("a", "v2")], t1).unwrap(), 0);
        let all = s.newest(10, 0).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].entry.content, "v2");
        assert_eq!(all[0].first_seen, t0);
    }

    #[test]
    fn backlog_entries_stay_off_the_page_and_stay_seen() {
        let s = Store::in_memory().unwrap();
        let t0 = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let mut entries: Vec<Entry> = (0..5).map(|i| entry(&format!("e{i}"), "x")).collect();
        for (i, e) in entries.iter_mut().enumerate() {
            e.published = Utc.timestamp_opt(1_700_000_000 + i as i64, 0).single();
        }
        s.upsert_entries("f", &entries, t0).unwrap();
        assert_eq!(s.mark_backlog("f", 2).unwrap(), 3);
        let ids: Vec<_> = s
            .newest(10, 0)
            .unwrap()
            .into_iter()
            .map(|e| e.entry.id)
            .collect();
        assert_eq!(ids, ["e4", "e3"]);
        // Seen again, the back-catalogue is neither new nor shown.
        assert_eq!(s.upsert_entries("f", &entries, t0).unwrap(), 0);
        assert_eq!(s.newest(10, 0).unwrap().len(), 2);
    }

    #[test]
    fn entries_cached_before_the_detail_column_still_read() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute(
            "INSERT INTO entries (feed_url, id, title, content, content_kind, first_seen, sort_date)
             VALUES ('f', 'a', 'Old', 'body', 'html', 1, 1)",
            [],
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let s = Store {
            conn,
            path: None,
            flusher: Default::default(),
        };
        let all = s.newest(10, 0).unwrap();
        assert_eq!(all[0].entry.title, "Old");
        assert_eq!(all[0].entry.detail, crate::model::EntryDetail::default());
    }

    #[test]
    fn a_summary_that_is_the_content_is_stored_once() {
        let s = Store::in_memory().unwrap();
        let body = "<p>Caf\u{e9} &amp; more</p>".repeat(100);
        let mut e = entry("a", &body);
        e.detail.content_from_summary = true;
        e.detail.summary = Some(crate::model::TextConstruct {
            kind: TextKind::Html,
            value: body.clone(),
            lang: None,
        });
        let t0 = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        assert_eq!(
            s.upsert_entries("f", std::slice::from_ref(&e), t0).unwrap(),
            1
        );
        let detail: String = s
            .conn
            .query_row("SELECT detail FROM entries", [], |r| r.get(0))
            .unwrap();
        assert!(!detail.contains("more"), "summary stored twice: {detail}");
        let back = &s.newest(1, 0).unwrap()[0].entry;
        assert_eq!(back.content, body);
        assert_eq!(back.detail, e.detail);
        // The same entry again changes nothing.
        let changes = s.conn.total_changes();
        s.upsert_entries("f", std::slice::from_ref(&e), t0).unwrap();
        assert_eq!(s.conn.total_changes(), changes);
    }

    #[test]
    fn entry_detail_round_trips() {
        let s = Store::in_memory().unwrap();
        let mut e = entry("a", "v1");
        e.detail.lang = Some("fr".into());
        e.detail.contributors.push(crate::model::Person {
            name: "Joe".into(),
            ..Default::default()
        });
        let t0 = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        s.upsert_entries("f", std::slice::from_ref(&e), t0).unwrap();
        assert_eq!(s.newest(1, 0).unwrap()[0].entry.detail, e.detail);
        // A change in the detail alone is an edit too.
        e.detail.lang = Some("de".into());
        s.upsert_entries("f", std::slice::from_ref(&e), t0).unwrap();
        assert_eq!(
            s.newest(1, 0).unwrap()[0].entry.detail.lang.as_deref(),
            Some("de")
        );
    }

    #[test]
    fn failure_keeps_validators() {
        let s = Store::in_memory().unwrap();
        let now = Utc::now();
        s.record_success(
            "f",
            &Success {
                status: 200,
                meta: None,
                etag: Some("\"e1\""),
                last_modified: None,
                final_url: None,
            },
            now,
        )
        .unwrap();
        s.record_failure("f", Some(500), "HTTP 500", now).unwrap();
        let src = s.sources().unwrap();
        assert_eq!(src[0].etag.as_deref(), Some("\"e1\""));
        assert_eq!(src[0].error_count, 1);
    }

    #[test]
    fn an_entry_back_in_its_feed_is_no_longer_prunable() {
        let s = Store::in_memory().unwrap();
        let t0 = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        let both = [entry("a", "x"), entry("b", "x")];
        s.upsert_entries("f", &both, t0).unwrap();
        s.mark_in_feed("f", &["a"]).unwrap();
        // `b` left the feed; the same, unchanged `b` is back in the next body.
        s.upsert_entries("f", &both, t0).unwrap();
        s.mark_in_feed("f", &["a", "b"]).unwrap();
        let cutoff = t0 + chrono::Duration::days(1);
        assert_eq!(s.prune(cutoff, &["f"], &[]).unwrap(), 0);
        s.mark_in_feed("f", &["a"]).unwrap();
        assert_eq!(s.prune(cutoff, &["f"], &[]).unwrap(), 1, "`b` left again");
    }

    #[test]
    fn prune_spares_the_page_the_feed_and_the_recent() {
        let s = Store::in_memory().unwrap();
        let t0 = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        // published 1_700_000_000 for every entry (see `entry`)
        let all = [
            entry("gone", "x"),
            entry("on-page", "x"),
            entry("in-feed", "x"),
        ];
        s.upsert_entries("f", &all, t0).unwrap();
        s.upsert_entries("removed", &[entry("r", "x")], t0).unwrap();
        s.mark_in_feed("f", &["in-feed"]).unwrap();
        let cutoff = t0 + chrono::Duration::days(1);
        let pruned = s.prune(cutoff, &["f"], &[("f", "on-page")]).unwrap();
        assert_eq!(pruned, 2, "`gone` and the unsubscribed feed's entry");
        let mut left: Vec<String> = s
            .newest(10, 0)
            .unwrap()
            .into_iter()
            .map(|e| e.entry.id)
            .collect();
        left.sort();
        assert_eq!(left, ["in-feed", "on-page"]);
        // Nothing is older than a cutoff in the past.
        s.mark_in_feed("f", &[]).unwrap();
        assert_eq!(
            s.prune(t0 - chrono::Duration::days(1), &[], &[]).unwrap(),
            0
        );
    }
}
