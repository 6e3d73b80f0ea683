//! The SQLite cache: feed state (validators, health) and every entry ever kept.
//!
//! Opens and migrates the database (`schema`), reads what the refresh stage needs, records
//! each feed's update in one write ([`Store::record`]: its state, schedule and entries change
//! together or not at all), and answers the queries the outputs need: the newest entries and
//! what is stored per feed. A run's writes go into one transaction, committed at the end;
//! SQLite's journal (the WAL, or the rollback journal while a fresh cache is first filled)
//! makes a run killed at any point leave the previous state intact.
//! This stage does not decide what is shown (select does) and never deletes an entry because
//! it left its feed: entries persist until newer ones push them off the page.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{params, Connection};

mod schema;

use crate::health::Stored;
use crate::model::{
    sort_date, Entry, EntryDetail, FeedMeta, FeedUpdate, Outcome, SortBy, Source, StoredEntry,
    TextKind,
};

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
/// A first run writes the whole cache; left to the commit's `fsync`, the run would wait while the
/// disk writes all of it. Flushed as it is written, on a thread of its own that only waits for
/// the disk, little is left by the commit. Flushing pages SQLite has
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

/// An entry's details as stored: without their empty fields, and without the summary's text
/// when the content is the summary (it would be stored twice; [`unpack_detail`] puts it back).
fn pack_detail(e: &Entry) -> String {
    let d = &e.detail;
    let twice = d.content_from_summary && d.summary.as_ref().is_some_and(|s| s.value == e.content);
    let json = if twice {
        let mut once = d.clone();
        if let Some(s) = once.summary.as_mut() {
            s.value.clear();
        }
        serde_json::to_string(&once)
    } else {
        serde_json::to_string(d)
    };
    json.unwrap_or_else(|_| "{}".into())
}

/// Reads stored details back, restoring a summary [`pack_detail`] left out.
fn unpack_detail(json: &str, content: &str) -> EntryDetail {
    let mut d: EntryDetail = serde_json::from_str(json).unwrap_or_default();
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
            // fewer pages to write, split and copy. Takes effect only on a new cache,
            // so it must come before WAL mode writes the header.
            conn.pragma_update(None, "page_size", 16384)?;
            // Busy only while a fresh cache's first run holds it (see `begin`); that run
            // goes back to the WAL itself when it commits.
            match conn.pragma_update(None, "journal_mode", "WAL") {
                Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) => {}
                r => r?,
            }
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            schema::migrate(&mut conn)?;
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

    /// Another connection to this cache, read-only, for reading it on another thread while
    /// this one goes on.
    pub fn reader(&self) -> Result<Store, Error> {
        let Some(path) = &self.path else {
            return Err(Error::Query(rusqlite::Error::InvalidPath(
                "an in-memory cache has no second connection".into(),
            )));
        };
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| Error::Open {
            path: path.clone(),
            source: e,
        })?;
        conn.busy_timeout(BUSY_WAIT)?;
        Ok(Store {
            conn,
            path: Some(path.clone()),
            flusher: Default::default(),
        })
    }

    /// Opens a throwaway cache in memory, for tests.
    pub fn in_memory() -> Result<Store, Error> {
        let mut conn = Connection::open_in_memory()?;
        schema::migrate(&mut conn)?;
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
    /// then again into the database at the checkpoint). Later runs write little and keep the
    /// WAL, whose readers (`planet status`) never wait for a writer. If another connection has
    /// the cache open, SQLite keeps the WAL and the run is only slower. A `Flusher` writes
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

    /// Every known feed's state, keyed by its subscription URL.
    pub fn sources_by_url(&self) -> Result<HashMap<String, Source>, Error> {
        Ok(self
            .sources()?
            .into_iter()
            .map(|s| (s.url.clone(), s))
            .collect())
    }

    /// Records one attempt to fetch a feed: its state, its schedule and, for a body read, its
    /// entries, so they change together or not at all. Returns how many entries were new.
    ///
    /// Alone, the record is its own transaction. Inside the run's ([`Store::begin`]), a failed
    /// record rolls that whole transaction back, so the run can commit nothing half-written,
    /// and the cache keeps its state from before the run. A savepoint per feed would let the
    /// run go on past it, but it makes SQLite copy every page the feed touches into a
    /// statement journal first, and a record fails only when the cache itself does.
    pub fn record(&self, url: &str, update: &FeedUpdate) -> Result<usize, Error> {
        let alone = self.conn.is_autocommit();
        if alone {
            self.conn.execute_batch("BEGIN IMMEDIATE")?;
        }
        match self.record_unguarded(url, update) {
            Ok(new) => {
                if alone {
                    self.conn.execute_batch("COMMIT")?;
                }
                Ok(new)
            }
            Err(e) => {
                // The error that matters is the first; a failed rollback leaves SQLite to
                // roll back when the connection closes.
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    fn record_unguarded(&self, url: &str, update: &FeedUpdate) -> Result<usize, Error> {
        self.conn
            .prepare_cached("INSERT OR IGNORE INTO feeds (url) VALUES (?1)")?
            .execute([url])?;
        let at = update.at.timestamp();
        let due = update.next_due.timestamp();
        let ok = "UPDATE feeds SET etag = ?2, last_modified = ?3, last_status = ?4,
                    last_fetch = ?5, last_success = ?5, last_error = NULL, error_count = 0,
                    failing_since = NULL, next_due = ?6, gone = 0,
                    moved_to = COALESCE(?7, moved_to)
                 WHERE url = ?1";
        match &update.outcome {
            Outcome::Fetched(f) => {
                let v = &f.validators;
                self.conn.prepare_cached(ok)?.execute(params![
                    url,
                    v.etag,
                    v.last_modified,
                    200,
                    at,
                    due,
                    f.moved_to
                ])?;
                let m = &f.parsed.meta;
                let ttl = f.parsed.ttl.and_then(|t| i64::try_from(t.as_secs()).ok());
                self.conn
                    .prepare_cached(
                        "UPDATE feeds SET title = ?2, site_link = ?3, feed_id = ?4, author = ?5,
                            updated = ?6, final_url = ?7, ttl_secs = ?8 WHERE url = ?1",
                    )?
                    .execute(params![
                        url,
                        m.title,
                        m.site_link,
                        m.feed_id,
                        m.author,
                        m.updated.map(|d| d.timestamp()),
                        f.final_url,
                        ttl
                    ])?;
                let entries = &f.parsed.entries;
                let new = self.upsert(url, entries, update.at, f.sort_by)?;
                if !f.first_sight {
                    let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
                    self.mark_in_feed(url, &ids)?;
                }
                if let Some(visible) = f.backlog {
                    self.mark_backlog(url, visible)?;
                }
                Ok(new)
            }
            Outcome::NotModified {
                validators: v,
                moved_to,
            } => {
                self.conn.prepare_cached(ok)?.execute(params![
                    url,
                    v.etag,
                    v.last_modified,
                    304,
                    at,
                    due,
                    moved_to
                ])?;
                Ok(0)
            }
            Outcome::Failed(f) => {
                self.conn
                    .prepare_cached(
                        "UPDATE feeds SET last_status = ?2, last_fetch = ?3, last_error = ?4,
                            error_count = error_count + 1,
                            failing_since = COALESCE(failing_since, ?3),
                            next_due = ?5, gone = ?6
                         WHERE url = ?1",
                    )?
                    .execute(params![url, f.status, at, f.reason, due, f.gone])?;
                Ok(0)
            }
        }
    }

    /// Every known feed's state.
    pub fn sources(&self) -> Result<Vec<Source>, Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT url, title, site_link, feed_id, author, updated, etag, last_modified,
                    last_status, last_fetch, last_success, last_error, error_count, final_url,
                    next_due, gone, moved_to, ttl_secs, failing_since
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
                failing_since: time(r.get(18)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Marks which of a feed's stored entries its latest body still carries; the others become
    /// candidates for [`Store::prune`].
    fn mark_in_feed(&self, feed_url: &str, ids: &[&str]) -> Result<(), Error> {
        // One statement that touches only the rows that really left: marking every row of the
        // feed 0 and then each present one 1 rewrote each 2-4 KB row twice per fetch. Entries
        // still (or again) in the feed are marked by `upsert`.
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

    /// Bounds the cache: drops the entries older than `retention_days` at `now` that left their
    /// feed (or whose feed is no longer `subscribed`) and are not `shown` on the page just
    /// published (see [`Store::prune`]). A retention longer than the calendar keeps everything.
    pub fn prune_older(
        &self,
        retention_days: u64,
        now: DateTime<Utc>,
        subscribed: &[&str],
        shown: &[StoredEntry],
    ) -> Result<usize, Error> {
        let days = i64::try_from(retention_days).unwrap_or(i64::MAX);
        let Some(cutoff) = chrono::Duration::try_days(days).and_then(|d| now.checked_sub_signed(d))
        else {
            return Ok(0);
        };
        let keep: Vec<(&str, &str)> = shown
            .iter()
            .map(|s| (s.feed_url.as_str(), s.entry.id.as_str()))
            .collect();
        let pruned = self.prune(cutoff, subscribed, &keep)?;
        if pruned > 0 {
            tracing::debug!("pruned {pruned} entries older than {days} days");
        }
        Ok(pruned)
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

    /// Per feed: how many entries are stored and the newest one's sort date, for the health of
    /// every feed (the page, `status`). Feeds without a stored entry are absent.
    pub fn stored(&self) -> Result<HashMap<String, Stored>, Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT feed_url, COUNT(*), MAX(sort_date) FROM entries GROUP BY feed_url",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                Stored {
                    entries: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                    newest: time(r.get(2)?),
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Stores a feed's entries: new ones are inserted with `now` as first seen; known ones are
    /// replaced when anything changed, keeping their first-seen time (and, under `published`,
    /// the sort date they were first stored with, so an edit upstream does not move them).
    /// Returns how many were new.
    fn upsert(
        &self,
        feed_url: &str,
        entries: &[Entry],
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
                published, updated, categories, first_seen, sort_date, detail, lang)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?16)
             ON CONFLICT (feed_url, id) DO UPDATE SET
                link = excluded.link, title = excluded.title, author = excluded.author,
                content = excluded.content, content_kind = excluded.content_kind,
                base = excluded.base, published = excluded.published, updated = excluded.updated,
                categories = excluded.categories,
                sort_date = CASE WHEN ?15 AND (excluded.published IS NOT NULL
                    OR excluded.updated IS NOT NULL) THEN excluded.sort_date
                    ELSE entries.sort_date END,
                detail = excluded.detail, lang = excluded.lang, in_feed = 1,
                revision = entries.revision + 1
             WHERE entries.in_feed = 0
                OR link IS NOT excluded.link OR title IS NOT excluded.title
                OR author IS NOT excluded.author OR content IS NOT excluded.content
                OR published IS NOT excluded.published OR updated IS NOT excluded.updated
                OR categories IS NOT excluded.categories OR base IS NOT excluded.base
                OR detail IS NOT excluded.detail",
        )?;
        let mut new = 0;
        // New undated entries, in the feed's order (newest first, as feeds list them): each
        // a second below the one before, so the page keeps that order.
        let mut undated = 0;
        for e in entries {
            let first_seen = match known.get(&e.id).and_then(|&t| time(Some(t))) {
                Some(t) => t,
                None => {
                    new += 1;
                    now
                }
            };
            let mut sort = sort_date(e, first_seen, now.max(first_seen), by);
            if first_seen == now && e.published.is_none() && e.updated.is_none() {
                sort -= chrono::Duration::seconds(undated);
                undated += 1;
            }
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
                serde_json::to_string(&e.categories).unwrap_or_else(|_| "[]".into()),
                first_seen.timestamp(),
                sort.timestamp(),
                pack_detail(e),
                by == SortBy::Updated,
                e.detail.lang,
            ])?;
        }
        Ok(new)
    }

    /// The newest `limit` entries by sort date (ties by feed and id, so the order is stable),
    /// starting after `offset`: select asks for more when deduplication thins them out. The
    /// index is named: left to itself, SQLite's planner reads the whole table and sorts it.
    pub fn newest(&self, limit: usize, offset: usize) -> Result<Vec<StoredEntry>, Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT feed_url, id, link, title, author, content, content_kind, base, published,
                    updated, categories, first_seen, sort_date, detail
             FROM entries INDEXED BY entries_by_date WHERE backlog = 0
             ORDER BY sort_date DESC, feed_url, id LIMIT ?1 OFFSET ?2",
        )?;
        let rows = stmt.query_map(params![limit as i64, offset as i64], stored_entry)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Hands `f` every entry that may be shown (not back-catalogue), feed by feed and each
    /// feed's newest first, without its details or its content (unless `with_content`, for the
    /// regex rules): the archive's pass. Read from the `entries_by_feed` index alone, in its
    /// order (sorting 100,000 rows by date took SQLite longer than reading them), and one at a
    /// time, so 100,000 entries cost their titles, dates and links, not their text.
    pub fn each_light(
        &self,
        with_content: bool,
        feeds: &FeedRange,
        f: &mut dyn FnMut(Light),
    ) -> Result<(), Error> {
        let (content, index) = if with_content {
            ("content", "")
        } else {
            ("''", "INDEXED BY entries_by_feed")
        };
        let mut stmt =
            self.conn.prepare(&format!(
            "SELECT rowid, feed_url, id, link, title, {content}, categories, published, updated,
                    first_seen, sort_date, revision, {kind}, author, lang
             FROM entries {index} WHERE backlog = 0 AND feed_url >= ?1 {below}
             ORDER BY feed_url DESC, sort_date DESC, id DESC",
            kind = if with_content { "content_kind" } else { "'html'" },
            below = if feeds.below.is_some() { "AND feed_url < ?2" } else { "" },
        ))?;
        let mut bounds: Vec<&str> = vec![&feeds.from];
        bounds.extend(feeds.below.as_deref());
        let rows = stmt.query_map(rusqlite::params_from_iter(bounds), |r| {
            let categories: String = r.get(6)?;
            let kind = r.get_ref(12)?.as_str()?;
            Ok(Light {
                row: r.get(0)?,
                revision: r.get(11)?,
                stored: StoredEntry {
                    feed_url: r.get(1)?,
                    entry: Entry {
                        id: r.get(2)?,
                        link: r.get(3)?,
                        title: r.get(4)?,
                        author: r.get(13)?,
                        content: r.get(5)?,
                        content_kind: TextKind::from_stored(kind),
                        base: None,
                        published: time(r.get(7)?),
                        updated: time(r.get(8)?),
                        categories: serde_json::from_str(&categories).unwrap_or_default(),
                        detail: EntryDetail {
                            lang: r.get(14)?,
                            ..EntryDetail::default()
                        },
                    },
                    first_seen: time(Some(r.get(9)?)).unwrap_or_default(),
                    sort_date: time(Some(r.get(10)?)).unwrap_or_default(),
                },
            })
        })?;
        for light in rows {
            f(light?);
        }
        Ok(())
    }

    /// The entries of these rows, whole, in the order asked (rows no longer stored are left out).
    pub fn by_rows(&self, rows: &[i64]) -> Result<Vec<StoredEntry>, Error> {
        let ids = serde_json::to_string(rows).unwrap_or_else(|_| "[]".into());
        let mut stmt = self.conn.prepare_cached(
            "SELECT feed_url, id, link, title, author, content, content_kind, base, published,
                    updated, categories, first_seen, sort_date, detail, rowid
             FROM entries WHERE rowid IN (SELECT value FROM json_each(?1))",
        )?;
        let mut found: HashMap<i64, StoredEntry> = stmt
            .query_map([ids], |r| Ok((r.get(14)?, stored_entry(r)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows.iter().filter_map(|r| found.remove(r)).collect())
    }

    /// Places the undated entries first seen at `now` (this run) below every dated entry this
    /// run brought to the page, keeping their order: a feed without dates cannot put its
    /// entries above posts whose authors dated them. Called once every feed of a run is recorded,
    /// when the run stored new entries. Both lookups read the `entries_by_feed` index, which
    /// holds every column they test: SQLite's own plans read the whole table, one of them row by
    /// row in date order.
    pub fn place_undated(&self, now: DateTime<Utc>) -> Result<usize, Error> {
        Ok(self
            .conn
            .prepare_cached(
                "WITH dated AS (SELECT MIN(sort_date) AS low FROM entries INDEXED BY entries_by_feed
                    WHERE first_seen = ?1 AND backlog = 0
                      AND (published IS NOT NULL OR updated IS NOT NULL))
                 UPDATE entries SET sort_date = sort_date - (?1 + 1 - (SELECT low FROM dated))
                 WHERE rowid IN (SELECT rowid FROM entries INDEXED BY entries_by_feed
                    WHERE first_seen = ?1 AND published IS NULL AND updated IS NULL)
                   AND (SELECT low FROM dated) <= ?1",
            )?
            .execute([now.timestamp()])?)
    }

    /// Marks every entry of a feed but its newest `visible` as back-catalogue: stored as already
    /// seen, never on the page. Called once, when a feed is first fetched (`new_feed_items`).
    fn mark_backlog(&self, feed_url: &str, visible: usize) -> Result<usize, Error> {
        Ok(self
            .conn
            .prepare_cached(
                "UPDATE entries SET backlog = 1 WHERE feed_url = ?1 AND id NOT IN (
                    SELECT id FROM entries WHERE feed_url = ?1
                    ORDER BY sort_date DESC, id LIMIT ?2)",
            )?
            .execute(params![feed_url, visible as i64])?)
    }
}

/// The feeds whose URLs sort from `from` (included) to `below` (excluded; to the end when
/// `None`): a part of the cache that one thread reads while others read the rest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedRange {
    /// The first URL in the range, or one before it.
    pub from: String,
    /// The first URL past the range.
    pub below: Option<String>,
}

impl FeedRange {
    /// Every feed.
    pub fn all() -> FeedRange {
        FeedRange::default()
    }

    /// At most `parts` ranges holding about as many entries each, given each feed's count:
    /// the highest URLs first, the order [`Store::each_light`] reads them in.
    pub fn split<'a>(
        counts: impl IntoIterator<Item = (&'a str, u64)>,
        parts: usize,
    ) -> Vec<FeedRange> {
        let mut counts: Vec<(&str, u64)> = counts.into_iter().collect();
        counts.sort_unstable();
        let total: u64 = counts.iter().map(|c| c.1).sum();
        let mut cuts: Vec<&str> = Vec::new();
        let mut sum = 0;
        for &(url, n) in &counts {
            // A cut before `url` when the entries below it fill the next of `parts` shares.
            let share = total * (cuts.len() as u64 + 1) / parts.max(1) as u64;
            if sum > 0 && sum >= share && cuts.len() + 1 < parts {
                cuts.push(url);
            }
            sum += n;
        }
        let mut ranges = Vec::with_capacity(cuts.len() + 1);
        let mut from = String::new();
        for cut in cuts {
            ranges.push(FeedRange {
                from: std::mem::replace(&mut from, cut.to_owned()),
                below: Some(cut.to_owned()),
            });
        }
        ranges.push(FeedRange { from, below: None });
        ranges.reverse();
        ranges
    }
}

/// An entry read by [`Store::each_light`]: where it is stored and how often it changed, with
/// every field but its details (and its content, unless asked for).
#[derive(Debug, Clone)]
pub struct Light {
    /// Its row in the cache, to read it whole later ([`Store::by_rows`]).
    pub row: i64,
    /// How many times it changed since it was first stored.
    pub revision: i64,
    /// The entry, without details.
    pub stored: StoredEntry,
}

/// A whole entry from a row of `feed_url, id, link, title, author, content, content_kind,
/// base, published, updated, categories, first_seen, sort_date, detail`.
fn stored_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredEntry> {
    let categories: String = r.get(10)?;
    let kind: String = r.get(6)?;
    let detail: String = r.get(13)?;
    let content: String = r.get(5)?;
    // A detail this version cannot read only costs fidelity, never the entry.
    let detail = unpack_detail(&detail, &content);
    Ok(StoredEntry {
        feed_url: r.get(0)?,
        entry: Entry {
            id: r.get(1)?,
            link: r.get(2)?,
            title: r.get(3)?,
            author: r.get(4)?,
            content,
            content_kind: TextKind::from_stored(&kind),
            base: r.get(7)?,
            published: time(r.get(8)?),
            updated: time(r.get(9)?),
            categories: serde_json::from_str(&categories).unwrap_or_default(),
            detail,
        },
        first_seen: time(Some(r.get(11)?)).unwrap_or_default(),
        sort_date: time(Some(r.get(12)?)).unwrap_or_default(),
    })
}

fn time(t: Option<i64>) -> Option<DateTime<Utc>> {
    t.and_then(|t| Utc.timestamp_opt(t, 0).single())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Failure, Fetched, Parsed, Validators};

    impl Store {
        fn upsert_entries(
            &self,
            feed_url: &str,
            entries: &[Entry],
            now: DateTime<Utc>,
        ) -> Result<usize, Error> {
            self.upsert(feed_url, entries, now, SortBy::Published)
        }
    }

    fn fetched(entries: Vec<Entry>, at: DateTime<Utc>, first_sight: bool) -> FeedUpdate {
        FeedUpdate {
            at,
            next_due: at,
            outcome: Outcome::Fetched(Box::new(Fetched {
                parsed: Parsed {
                    entries,
                    ..Parsed::default()
                },
                validators: Validators {
                    etag: Some("\"e1\"".into()),
                    last_modified: None,
                },
                final_url: "https://b.test/feed".into(),
                moved_to: None,
                sort_by: SortBy::Published,
                first_sight,
                backlog: None,
            })),
        }
    }

    #[test]
    fn feed_ranges_share_the_entries_and_cover_every_feed() {
        let counts = [
            ("https://a.test/", 10),
            ("https://b.test/", 10),
            ("https://c.test/", 20),
        ];
        let ranges = FeedRange::split(counts, 2);
        // Highest URLs first, as `each_light` reads them; `c` alone holds half the entries.
        assert_eq!(
            ranges,
            [
                FeedRange {
                    from: "https://c.test/".into(),
                    below: None
                },
                FeedRange {
                    from: String::new(),
                    below: Some("https://c.test/".into())
                },
            ]
        );
        assert_eq!(FeedRange::split(counts, 1), [FeedRange::all()]);
        assert_eq!(FeedRange::split([], 4), [FeedRange::all()]);
        // Never more ranges than feeds, and never an empty one.
        assert_eq!(FeedRange::split([("https://a.test/", 5)], 8).len(), 1);
    }

    #[test]
    fn readers_on_other_threads_read_their_own_feeds() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        let now = Utc.timestamp_opt(1_700_000_100, 0).unwrap();
        s.begin().unwrap();
        for url in ["https://a.test/", "https://b.test/", "https://c.test/"] {
            s.record(
                url,
                &fetched(vec![entry("1", "x"), entry("2", "y")], now, true),
            )
            .unwrap();
        }
        s.commit().unwrap();
        let counts = [
            ("https://a.test/", 2),
            ("https://b.test/", 2),
            ("https://c.test/", 2),
        ];
        let read: Vec<Vec<String>> = std::thread::scope(|scope| {
            let threads: Vec<_> = FeedRange::split(counts, 2)
                .into_iter()
                .map(|range| {
                    let reader = s.reader().unwrap();
                    scope.spawn(move || {
                        let mut feeds = Vec::new();
                        reader
                            .each_light(false, &range, &mut |l| feeds.push(l.stored.feed_url))
                            .unwrap();
                        feeds
                    })
                })
                .collect();
            threads.into_iter().map(|t| t.join().unwrap()).collect()
        });
        assert_eq!(
            read,
            [
                vec!["https://c.test/"; 2],
                vec![
                    "https://b.test/",
                    "https://b.test/",
                    "https://a.test/",
                    "https://a.test/"
                ]
            ]
        );
        assert!(Store::in_memory().unwrap().reader().is_err());
    }

    fn failed(at: DateTime<Utc>, reason: &str) -> FeedUpdate {
        FeedUpdate {
            at,
            next_due: at,
            outcome: Outcome::Failed(Failure {
                status: Some(500),
                reason: reason.into(),
                hint: None,
                gone: false,
            }),
        }
    }

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

    /// A cache left at schema `version` holding what `insert` adds, opened (and so migrated)
    /// by this planet.
    fn migrated_from(version: usize, insert: &str) -> Store {
        let mut conn = Connection::open_in_memory().unwrap();
        for sql in &schema::MIGRATIONS[..version] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", version as i64)
            .unwrap();
        conn.execute(insert, []).unwrap();
        schema::migrate(&mut conn).unwrap();
        Store {
            conn,
            path: None,
            flusher: Default::default(),
        }
    }

    #[test]
    fn entries_cached_before_the_detail_column_still_read() {
        let s = migrated_from(
            1,
            "INSERT INTO entries (feed_url, id, title, content, content_kind, first_seen, sort_date)
             VALUES ('f', 'a', 'Old', 'body', 'html', 1, 1)",
        );
        let all = s.newest(10, 0).unwrap();
        assert_eq!(all[0].entry.title, "Old");
        assert_eq!(all[0].entry.detail, crate::model::EntryDetail::default());
    }

    #[test]
    fn the_archive_reads_each_entry_s_language_old_caches_included() {
        // A cache from before the language column: its entries' details say it.
        let s = migrated_from(
            schema::MIGRATIONS.len() - 1,
            "INSERT INTO entries (feed_url, id, title, content, content_kind, first_seen, sort_date,
                detail) VALUES ('f', 'old', 'Alt', 'body', 'html', 1, 1, '{\"lang\":\"de\"}')",
        );
        // And one stored since.
        let mut e = entry("new", "x");
        e.detail.lang = Some("fr".into());
        let t0 = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        s.upsert_entries("f", &[e, entry("none", "y")], t0).unwrap();
        for with_content in [false, true] {
            let mut langs = Vec::new();
            s.each_light(with_content, &FeedRange::all(), &mut |l| {
                langs.push((l.stored.entry.id, l.stored.entry.detail.lang))
            })
            .unwrap();
            langs.sort();
            assert_eq!(
                langs,
                [
                    ("new".to_owned(), Some("fr".to_owned())),
                    ("none".to_owned(), None),
                    ("old".to_owned(), Some("de".to_owned())),
                ],
                "with content: {with_content}"
            );
        }
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
    fn a_failure_keeps_validators_and_entries_and_counts_since_when() {
        let s = Store::in_memory().unwrap();
        let t0 = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let t1 = t0 + chrono::Duration::hours(1);
        assert_eq!(
            s.record("f", &fetched(vec![entry("a", "x")], t0, true))
                .unwrap(),
            1
        );
        s.record("f", &failed(t1, "HTTP 500")).unwrap();
        s.record("f", &failed(t1 + chrono::Duration::hours(1), "HTTP 500"))
            .unwrap();
        let src = &s.sources().unwrap()[0];
        assert_eq!(src.etag.as_deref(), Some("\"e1\""));
        assert_eq!(src.error_count, 2);
        assert_eq!(src.failing_since, Some(t1), "since the first failure");
        assert_eq!(src.last_success, Some(t0));
        assert_eq!(s.newest(10, 0).unwrap().len(), 1);
        s.record("f", &fetched(vec![entry("a", "x")], t1, false))
            .unwrap();
        let src = &s.sources().unwrap()[0];
        assert_eq!((src.error_count, src.failing_since), (0, None));
    }

    /// A cache holding feed `f` (entry `a`, fetched at the returned time) that refuses to
    /// store an entry whose id is `refused`: a trigger makes that entry's write fail after
    /// its feed's row was updated.
    fn refusing(refused: &str) -> (Store, DateTime<Utc>) {
        let s = Store::in_memory().unwrap();
        let t0 = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        s.record("f", &fetched(vec![entry("a", "x")], t0, true))
            .unwrap();
        s.conn
            .execute_batch(&format!(
                "CREATE TRIGGER refuse BEFORE INSERT ON entries WHEN NEW.id = '{refused}'
                 BEGIN SELECT RAISE(ABORT, 'refused'); END;"
            ))
            .unwrap();
        (s, t0)
    }

    #[test]
    fn a_record_that_fails_changes_nothing() {
        let (s, t0) = refusing("b");
        let t1 = t0 + chrono::Duration::hours(1);
        let mut update = fetched(vec![entry("b", "y")], t1, false);
        if let Outcome::Fetched(f) = &mut update.outcome {
            f.validators.etag = Some("\"e2\"".into());
        }
        assert!(s.record("f", &update).is_err());
        let src = &s.sources().unwrap()[0];
        assert_eq!(
            src.etag.as_deref(),
            Some("\"e1\""),
            "the feed's row is as it was"
        );
        assert_eq!(src.last_success, Some(t0));
    }

    #[test]
    fn a_record_that_fails_in_a_run_leaves_the_run_nothing_to_commit() {
        let (s, t0) = refusing("c");
        let t1 = t0 + chrono::Duration::hours(1);
        s.begin().unwrap();
        s.record("g", &fetched(vec![entry("b", "y")], t1, true))
            .unwrap();
        assert!(s
            .record("f", &fetched(vec![entry("c", "z")], t1, false))
            .is_err());
        assert!(s.commit().is_err(), "the run's transaction is gone");
        let urls: Vec<String> = s.sources().unwrap().into_iter().map(|f| f.url).collect();
        assert_eq!(
            urls,
            ["f"],
            "the feed recorded earlier in the run is not kept either"
        );
        assert_eq!(s.sources().unwrap()[0].last_success, Some(t0));
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
