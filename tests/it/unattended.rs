//! Issue 3, unattended operation: the lock, pruning, quiet messages and `planet status`, as an
//! operator (or cron, or systemd) sees them, run in-process at a fixed clock. `run --every`,
//! signals and the exit code of a locked run are the binary's, in `cli.rs`.

use planet::status::Row;
use planet::Steps;

use crate::server::{Route, Server};
use crate::support::{at, feeds_toml, planet_table, rss, t0, Planet};

fn feed(title: &str, items: &[(&str, &str)]) -> String {
    let items: Vec<(String, String, String, String)> = items
        .iter()
        .map(|(id, date)| {
            (
                id.to_string(),
                format!("{title} {id}"),
                format!("https://{}.test/{id}", title.to_lowercase()),
                date.to_string(),
            )
        })
        .collect();
    let refs: Vec<(&str, &str, &str, &str)> = items
        .iter()
        .map(|(a, b, c, d)| (a.as_str(), b.as_str(), c.as_str(), d.as_str()))
        .collect();
    rss(title, &refs)
}

const OLD: &str = "Mon, 01 Jan 2001 10:00:00 GMT";

fn recent() -> String {
    (t0() - chrono::Duration::days(1)).to_rfc2822()
}

fn row<'a>(rows: &'a [Row], url: &str) -> &'a Row {
    rows.iter()
        .find(|r| r.url == url)
        .unwrap_or_else(|| panic!("no row for {url}: {rows:#?}"))
}

#[test]
fn a_run_refuses_a_cache_another_planet_holds() {
    let server = Server::start();
    server.set("/f.xml", Route::xml(feed("F", &[("1", OLD)])));
    let planet = Planet::with_feeds("", &[server.url("/f.xml")]);
    let held = planet::lock::Lock::acquire(&planet.dir.path().join("cache")).expect("lock");
    let error = planet.fail_at(Steps::Run, t0());
    assert!(
        error.starts_with(&format!(
            "another planet (pid {}) is using the cache `",
            std::process::id()
        )),
        "{error}"
    );
    assert!(
        server.requests().is_empty(),
        "the refused run fetched nothing"
    );
    drop(held);
    planet.run_at(at(1));
    assert_eq!(planet.atom_titles(), ["F 1"]);
}

#[test]
fn a_stale_lock_is_taken_over() {
    let server = Server::start();
    server.set("/f.xml", Route::xml(feed("F", &[("1", OLD)])));
    let planet = Planet::with_feeds("", &[server.url("/f.xml")]);
    let cache = planet.dir.path().join("cache");
    std::fs::create_dir_all(&cache).unwrap();
    // A pid file left by a process that is gone (no process holds the lock).
    std::fs::write(cache.join("planet.lock"), "4194303").unwrap();
    planet.run_at(t0());
    assert_eq!(planet.atom_titles(), ["F 1"]);
}

#[test]
fn quiet_by_default_and_a_repeated_failure_is_summarised() {
    let server = Server::start();
    server.set("/ok.xml", Route::xml(feed("Ok", &[("1", OLD)])));
    server.set("/bad.xml", Route::status(500));
    server.set("/worse.xml", Route::status(500));
    let urls = [
        server.url("/ok.xml"),
        server.url("/bad.xml"),
        server.url("/worse.xml"),
    ];
    let planet = Planet::with_feeds("", &urls);
    let first = planet.run_at(t0());
    assert_eq!(first.len(), 2, "one line per new failure: {first:?}");
    assert!(
        first.iter().any(|w| w.contains("/bad.xml`: HTTP 500")),
        "{first:?}"
    );
    let second = planet.force_at(at(1));
    assert_eq!(
        second,
        ["2 feeds still failing (see `planet status`)"],
        "the same failures are summarised"
    );
    server.set("/bad.xml", Route::status(404));
    let third = planet.force_at(at(2));
    assert_eq!(third.len(), 2, "{third:?}");
    assert!(
        third.iter().any(|w| w.contains("/bad.xml`: HTTP 404")),
        "a changed failure is told: {third:?}"
    );
    assert!(
        third.iter().any(|w| w.contains("1 feed still failing")),
        "{third:?}"
    );
    server.set("/bad.xml", Route::xml(feed("Bad", &[("1", OLD)])));
    server.set("/worse.xml", Route::xml(feed("Worse", &[("1", OLD)])));
    let fixed = planet.force_at(at(3));
    assert!(fixed.is_empty(), "success says nothing: {fixed:?}");
}

#[test]
fn old_entries_that_left_feed_and_page_are_pruned() {
    let server = Server::start();
    let r = recent();
    // `kept` is the newest of F's old entries, so it is the one a page of one shows.
    let kept = "Tue, 02 Jan 2001 10:00:00 GMT";
    server.set(
        "/f.xml",
        Route::xml(feed("F", &[("old1", OLD), ("old2", OLD), ("kept", kept)])),
    );
    server.set(
        "/g.xml",
        Route::xml(feed("G", &[("new", &r), ("old", OLD)])),
    );
    let (f, g) = (server.url("/f.xml"), server.url("/g.xml"));
    let extra = "retention_days = 30\nitems_per_page = 1";
    let planet = Planet::with_feeds(extra, &[f.clone(), g.clone()]);
    planet.run_at(t0());
    let rows = planet.status_at(t0());
    assert_eq!(row(&rows, &f).entries, 3);
    assert_eq!(row(&rows, &g).entries, 2);

    // F drops two old entries; G leaves planet.toml.
    server.set("/f.xml", Route::xml(feed("F", &[("kept", kept)])));
    planet.write_config(&format!(
        "{}{}",
        planet_table(extra),
        feeds_toml(std::slice::from_ref(&f))
    ));
    planet.run_at(at(1));
    let rows = planet.status_at(at(1));
    assert_eq!(
        row(&rows, &f).entries,
        1,
        "old entries out of the feed are pruned"
    );
    let g_row = row(&rows, &g);
    assert_eq!(g_row.entries, 1, "a removed feed keeps its recent history");
    assert_eq!(g_row.flags, ["unlisted"]);
}

#[test]
fn status_shows_one_row_per_feed_with_flags() {
    let server = Server::start();
    server.set("/ok.xml", Route::xml(feed("Ok", &[("1", &recent())])));
    server.set("/stale.xml", Route::xml(feed("Stale", &[("1", OLD)])));
    server.set("/bad.xml", Route::status(500));
    server.set("/moved.xml", Route::redirect(301, "/there.xml"));
    server.set("/there.xml", Route::xml(feed("There", &[("1", &recent())])));
    server.set("/gone.xml", Route::status(410));
    let urls: Vec<String> = [
        "/ok.xml",
        "/stale.xml",
        "/bad.xml",
        "/moved.xml",
        "/gone.xml",
    ]
    .iter()
    .map(|p| server.url(p))
    .collect();
    let planet = Planet::with_feeds("stale_days = 30", &urls);
    planet.run_at(t0());

    let rows = planet.status_at(t0());
    assert_eq!(rows.len(), 5, "one row per feed: {rows:#?}");
    let ok = row(&rows, &urls[0]);
    assert_eq!(ok.name, "Ok");
    assert_eq!(ok.last_status, Some(200));
    assert_eq!(ok.entries, 1);
    assert_eq!(ok.consecutive_failures, 0);
    assert!(ok.last_success.is_some() && ok.newest_entry.is_some());
    assert!(ok.flags.is_empty(), "{ok:?}");
    assert_eq!(row(&rows, &urls[1]).flags, ["quiet"]);
    let bad = row(&rows, &urls[2]);
    assert_eq!(bad.flags, ["failing"]);
    assert_eq!(
        bad.last_error.as_deref(),
        Some("HTTP 500 Internal Server Error")
    );
    assert_eq!(bad.consecutive_failures, 1);
    assert!(bad.next_due.is_some());
    let moved = row(&rows, &urls[3]);
    assert_eq!(moved.flags, ["moved"]);
    assert_eq!(
        moved.moved_to.as_deref(),
        Some(server.url("/there.xml").as_str())
    );
    let gone = row(&rows, &urls[4]);
    assert_eq!(gone.last_status, Some(410));
    assert!(gone.flags.contains(&"gone"));
}
