//! The cache's schema: the migrations, in order, and the code that applies them.
//!
//! `PRAGMA user_version` counts the migrations applied; a cache of any earlier version is
//! brought up to date when it is opened. Append, never edit: a migration that has shipped has
//! run on operators' caches.

use rusqlite::Connection;

/// The migrations, in order; `user_version` records how many have run. Append, never edit.
pub(super) const MIGRATIONS: &[&str] = &[
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
-- split and shift pages of big rows, so a first run slowed as the cache grew.
CREATE INDEX entries_by_date ON entries (sort_date DESC, feed_url, id);
"#,
    // Feed health and schedule; whether an entry is still in its feed (for pruning).
    r#"
ALTER TABLE feeds ADD COLUMN next_due INTEGER;
ALTER TABLE feeds ADD COLUMN gone INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feeds ADD COLUMN moved_to TEXT;
ALTER TABLE feeds ADD COLUMN ttl_secs INTEGER;
ALTER TABLE entries ADD COLUMN in_feed INTEGER NOT NULL DEFAULT 1;
"#,
    // A new feed's back-catalogue is stored as already seen, off the page.
    r#"
ALTER TABLE entries ADD COLUMN backlog INTEGER NOT NULL DEFAULT 0;
"#,
    // The entry's details for a faithful atom.xml (`model::EntryDetail`, as JSON).
    r#"
ALTER TABLE entries ADD COLUMN detail TEXT NOT NULL DEFAULT '{}';
"#,
    // Each feed's count and newest entry (its health) from a small covering index, not a scan
    // of every stored row.
    r#"
CREATE INDEX entries_by_feed_date ON entries (feed_url, sort_date);
"#,
    // The page's index holds the date alone (and the rowid): new entries land at random places
    // in it, and with the feed's URL and the entry's id it was too big to stay in SQLite's
    // cache on large planets. The query sorts the rare ties itself.
    r#"
DROP INDEX entries_by_date;
CREATE INDEX entries_by_date ON entries (sort_date DESC);
"#,
    // Since when a feed has been failing, for the health shown to readers ("could not be
    // read since 3 December"); cleared by the next success.
    r#"
ALTER TABLE feeds ADD COLUMN failing_since INTEGER;
"#,
    // Counts an entry's changes, so a page can tell its entries changed without reading them;
    // and the archive's pass reads every kept entry's dates, links and revision from an index
    // of its own, without the row: a row's later columns sit behind its content, and reading
    // them read every entry's text. It starts with the feed, as the index it replaces did, so
    // a feed's new entries land together.
    r#"
ALTER TABLE entries ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
DROP INDEX entries_by_feed_date;
CREATE INDEX entries_by_feed ON entries (feed_url, sort_date, id, link, categories, published,
    updated, first_seen, revision, backlog);
"#,
    // (Migration 11 undoes this.) Entries are cleaned once, when read from their feed,
    // not on every page they reach: this says with which version of the sanitizer's rules, so
    // entries stored raw or under older rules are cleaned again when published.
    r#"
ALTER TABLE entries ADD COLUMN sanitized INTEGER NOT NULL DEFAULT 0;
"#,
    // The archive's and the sources' pages list every kept entry by its title and author: the
    // archive's index carries them too, so those pages are laid out from that one pass, with
    // no second read of each row.
    r#"
DROP INDEX entries_by_feed;
CREATE INDEX entries_by_feed ON entries (feed_url, sort_date, id, link, categories, published,
    updated, first_seen, revision, backlog, title, author);
"#,
    // Entries are stored as their feed gave them and cleaned when a page or feed shows them
    // whole: the few dozen a render shows, not every entry a first run reads. What an older
    // planet stored cleaned is cleaned again when shown, which changes nothing.
    r#"
ALTER TABLE entries DROP COLUMN sanitized;
"#,
    // A headline says its entry's language when it is not the page's (a French post on an
    // English planet), so the archive's index carries it too. Caches filled before read it
    // from the entry's details.
    r#"
ALTER TABLE entries ADD COLUMN lang TEXT;
UPDATE entries SET lang = json_extract(detail, '$.lang') WHERE json_valid(detail);
DROP INDEX entries_by_feed;
CREATE INDEX entries_by_feed ON entries (feed_url, sort_date, id, link, categories, published,
    updated, first_seen, revision, backlog, title, author, lang);
"#,
];

/// Applies the migrations this cache has not had yet, each in its own transaction.
pub(super) fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
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
