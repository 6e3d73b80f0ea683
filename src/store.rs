//! The SQLite cache: feed state (validators, health) and every entry ever kept.
//!
//! Opens and migrates the database (`PRAGMA user_version` counts the migrations applied), reads
//! what the fetcher needs, records each fetch and upserts entries, and answers the one query
//! the page needs: the newest entries. A run's writes go into one transaction, committed at the
//! end; SQLite's journal makes a run killed at any point leave the previous state intact.
//! This stage does not decide what is shown (select does) and never deletes an entry because
//! it left its feed: entries persist until newer ones push them off the page.

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{params, Connection, OptionalExtension};

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
) WITHOUT ROWID;
CREATE INDEX entries_by_date ON entries (sort_date DESC, feed_url, id);
"#,
    // Issue 6: entries become a rowid table. WITHOUT ROWID kept each 2-4 KB row inside the primary
    // key's B-tree, in (feed, id) order, so every insert split and shifted pages of big rows: the
    // first run slowed down as the cache grew. Rows now append; the key is a small index.
    r#"
CREATE TABLE entries_rowid (
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
INSERT INTO entries_rowid (feed_url, id, link, title, author, content, content_kind, base,
    published, updated, categories, first_seen, sort_date)
SELECT feed_url, id, link, title, author, content, content_kind, base,
    published, updated, categories, first_seen, sort_date FROM entries;
DROP TABLE entries;
ALTER TABLE entries_rowid RENAME TO entries;
CREATE INDEX entries_by_date ON entries (sort_date DESC, feed_url, id);
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

/// The open cache.
pub struct Store {
    conn: Connection,
}

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
            conn.busy_timeout(std::time::Duration::from_secs(10))?;
            // 16 KiB pages hold several 2-4 KB entries each instead of one plus overflow pages:
            // fewer pages to write, split and copy (issue 6). Takes effect only on a new cache,
            // so it must come before WAL mode writes the header.
            conn.pragma_update(None, "page_size", 16384)?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            migrate(&mut conn)?;
            Ok(conn)
        };
        let conn = open().map_err(|e| Error::Open {
            path: path.clone(),
            source: e,
        })?;
        Ok(Store { conn })
    }

    /// Opens a throwaway cache in memory, for tests.
    pub fn in_memory() -> Result<Store, Error> {
        let mut conn = Connection::open_in_memory()?;
        migrate(&mut conn)?;
        Ok(Store { conn })
    }

    /// Starts the run's transaction; everything until [`Store::commit`] lands at once or not at all.
    pub fn begin(&self) -> Result<(), Error> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(())
    }

    /// Commits the run's transaction.
    pub fn commit(&self) -> Result<(), Error> {
        self.conn.execute_batch("COMMIT")?;
        Ok(())
    }

    /// Every known feed's state, keyed by URL.
    pub fn sources(&self) -> Result<Vec<Source>, Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT url, title, site_link, feed_id, author, updated, etag, last_modified,
                    last_status, last_fetch, last_success, last_error, error_count, final_url
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
        let mut find = self
            .conn
            .prepare_cached("SELECT first_seen FROM entries WHERE feed_url = ?1 AND id = ?2")?;
        let mut upsert = self.conn.prepare_cached(
            "INSERT INTO entries (feed_url, id, link, title, author, content, content_kind, base,
                published, updated, categories, first_seen, sort_date)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT (feed_url, id) DO UPDATE SET
                link = excluded.link, title = excluded.title, author = excluded.author,
                content = excluded.content, content_kind = excluded.content_kind,
                base = excluded.base, published = excluded.published, updated = excluded.updated,
                categories = excluded.categories, sort_date = excluded.sort_date
             WHERE link IS NOT excluded.link OR title IS NOT excluded.title
                OR author IS NOT excluded.author OR content IS NOT excluded.content
                OR published IS NOT excluded.published OR updated IS NOT excluded.updated
                OR categories IS NOT excluded.categories OR base IS NOT excluded.base",
        )?;
        let mut new = 0;
        for e in entries {
            let first_seen: Option<i64> = find
                .query_row(params![feed_url, e.id], |r| r.get(0))
                .optional()?;
            let first_seen = match first_seen.and_then(|t| time(Some(t))) {
                Some(t) => t,
                None => {
                    new += 1;
                    now
                }
            };
            let sort = crate::parse::sort_date(e, first_seen, now.max(first_seen));
            let categories = serde_json::to_string(&e.categories).unwrap_or_else(|_| "[]".into());
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
                categories,
                first_seen.timestamp(),
                sort.timestamp(),
            ])?;
        }
        Ok(new)
    }

    /// The newest `limit` entries by sort date (ties by feed and id, so the order is stable),
    /// starting after `offset`: select asks for more when deduplication thins them out.
    pub fn newest(&self, limit: usize, offset: usize) -> Result<Vec<StoredEntry>, Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT feed_url, id, link, title, author, content, content_kind, base, published,
                    updated, categories, first_seen, sort_date
             FROM entries ORDER BY sort_date DESC, feed_url, id LIMIT ?1 OFFSET ?2",
        )?;
        let rows = stmt.query_map(params![limit as i64, offset as i64], |r| {
            let categories: String = r.get(10)?;
            let kind: String = r.get(6)?;
            Ok(StoredEntry {
                feed_url: r.get(0)?,
                entry: Entry {
                    id: r.get(1)?,
                    link: r.get(2)?,
                    title: r.get(3)?,
                    author: r.get(4)?,
                    content: r.get(5)?,
                    content_kind: TextKind::from_stored(&kind),
                    base: r.get(7)?,
                    published: time(r.get(8)?),
                    updated: time(r.get(9)?),
                    categories: serde_json::from_str(&categories).unwrap_or_default(),
                },
                first_seen: time(Some(r.get(11)?)).unwrap_or_default(),
                sort_date: time(Some(r.get(12)?)).unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many entries are stored for each feed, for the sidebar and `status`.
    pub fn entry_count(&self, feed_url: &str) -> Result<u64, Error> {
        Ok(self
            .conn
            .prepare_cached("SELECT COUNT(*) FROM entries WHERE feed_url = ?1")?
            .query_row([feed_url], |r| r.get(0))?)
    }
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let version: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i + 1)?;
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
        }
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
    fn rowid_migration_keeps_entries_and_their_key() {
        let dir = tempfile::tempdir().unwrap();
        {
            let conn = Connection::open(dir.path().join(FILE_NAME)).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute(
                "INSERT INTO entries (feed_url, id, title, content, content_kind, first_seen,
                    sort_date) VALUES ('f', 'a', 'A', 'old', 'html', 1700000000, 1700000000)",
                [],
            )
            .unwrap();
        }
        let s = Store::open(dir.path()).unwrap();
        let all = s.newest(10, 0).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].entry.content, "old");
        let later = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        assert_eq!(
            s.upsert_entries("f", &[entry("a", "new")], later).unwrap(),
            0
        );
        assert_eq!(s.newest(10, 0).unwrap().len(), 1);
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
}
