//! Issue 3, unattended operation: the lock, `run --every` and signals, pruning, quiet messages
//! and `planet status`, as an operator (or cron, or systemd) sees them.

use std::time::{Duration, Instant};

use crate::server::{Route, Server};
use crate::support::{feeds_toml, planet_table, rss, sigterm, status_json, wait_for, Planet};

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
    (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc2822()
}

fn row<'a>(rows: &'a serde_json::Value, url: &str) -> &'a serde_json::Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["url"] == url)
        .unwrap_or_else(|| panic!("no row for {url}: {rows}"))
}

#[test]
fn a_second_run_exits_3_naming_the_process_holding_the_cache() {
    let server = Server::start();
    server.set(
        "/slow.xml",
        Route::xml(feed("Slow", &[("1", OLD)])).with_delay(Duration::from_secs(2)),
    );
    let planet = Planet::with_feeds("", &[server.url("/slow.xml")]);
    let mut first = planet.cmd(&["run"]).spawn().unwrap();
    // Wait until the first run is fetching, i.e. holds the lock.
    let start = Instant::now();
    while server.in_flight() == 0 && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = planet.run(&["run"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "error: another planet (pid {}) is using the cache `",
            first.id()
        )),
        "{stderr}"
    );
    assert!(
        first.wait().unwrap().success(),
        "the holder finishes its run"
    );
    assert_eq!(
        server.requests().len(),
        1,
        "the refused run fetched nothing"
    );
    assert_eq!(
        server.max_concurrent(),
        1,
        "the refused run never reached the server"
    );
    planet.run_ok(&["run"]);
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
    planet.run_ok(&["run"]);
    assert_eq!(planet.atom_titles(), ["F 1"]);
}

#[test]
fn every_runs_a_cycle_at_once_and_sigterm_ends_the_wait() {
    // The repetition itself is tested on a paused clock (`every::tests`): here, what an
    // operator sees of a real process.
    let server = Server::start();
    server.set("/f.xml", Route::xml(feed("F", &[("1", OLD)])));
    let planet = Planet::with_feeds("", &[server.url("/f.xml")]);
    let mut child = planet.cmd(&["run", "--every", "1m"]).spawn().unwrap();
    let start = Instant::now();
    while !planet.out_path("atom.xml").exists() && start.elapsed() < Duration::from_secs(15) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(server.requests().len(), 1, "the first cycle runs at once");
    sigterm(&child);
    let status = wait_for(&mut child, Duration::from_secs(5));
    assert!(status.success(), "SIGTERM ends it cleanly: {status:?}");
    assert_eq!(planet.atom_titles(), ["F 1"]);
}

#[test]
fn every_refuses_short_intervals_and_bare_numbers() {
    let planet = Planet::new(&planet_table(""));
    for (args, want) in [
        (
            ["run", "--every", "0s"],
            "`0s` is too short: the minimum is `1m`",
        ),
        (
            ["run", "--every", "30s"],
            "`30s` is too short: the minimum is `1m`",
        ),
        (
            ["run", "--every", "5"],
            "`5` has no unit: write `5m` or `5h`",
        ),
    ] {
        let out = planet.run(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
        assert!(
            !planet.out_path("index.html").exists(),
            "{args:?} ran nothing"
        );
    }
    let help = planet.run(&["run", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("`30m`, `1h`"), "{help}");
}

#[test]
fn sigterm_during_a_cycle_lets_it_finish() {
    let server = Server::start();
    server.set(
        "/slow.xml",
        Route::xml(feed("Slow", &[("1", OLD)])).with_delay(Duration::from_millis(1500)),
    );
    let planet = Planet::with_feeds("", &[server.url("/slow.xml")]);
    let mut child = planet.cmd(&["run", "--every", "1h"]).spawn().unwrap();
    let start = Instant::now();
    while server.in_flight() == 0 && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    sigterm(&child);
    let status = wait_for(&mut child, Duration::from_secs(10));
    assert!(status.success(), "{status:?}");
    assert_eq!(
        planet.atom_titles(),
        ["Slow 1"],
        "the cycle under way was finished and published"
    );
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
    let first = planet.run_ok(&["run"]);
    assert_eq!(
        first.lines().count(),
        2,
        "one line per new failure: {first}"
    );
    assert!(first.contains("/bad.xml`: HTTP 500"), "{first}");
    let second = planet.run_ok(&["run", "--force"]);
    assert_eq!(
        second, "warning: 2 feeds still failing (see `planet status`)\n",
        "the same failures are summarised"
    );
    server.set("/bad.xml", Route::status(404));
    let third = planet.run_ok(&["run", "--force"]);
    assert_eq!(third.lines().count(), 2, "{third}");
    assert!(
        third.contains("/bad.xml`: HTTP 404"),
        "a changed failure is told: {third}"
    );
    assert!(third.contains("1 feed still failing"), "{third}");
    server.set("/bad.xml", Route::xml(feed("Bad", &[("1", OLD)])));
    server.set("/worse.xml", Route::xml(feed("Worse", &[("1", OLD)])));
    let fixed = planet.run_ok(&["run", "--force"]);
    assert!(fixed.is_empty(), "success prints nothing: {fixed}");
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
    planet.run_ok(&["run"]);
    let rows = status_json(&planet);
    assert_eq!(row(&rows, &f)["entries"], 3);
    assert_eq!(row(&rows, &g)["entries"], 2);

    // F drops two old entries; G leaves planet.toml.
    server.set("/f.xml", Route::xml(feed("F", &[("kept", kept)])));
    planet.write_config(&format!(
        "{}{}",
        planet_table(extra),
        feeds_toml(std::slice::from_ref(&f))
    ));
    planet.run_ok(&["run"]);
    let rows = status_json(&planet);
    assert_eq!(
        row(&rows, &f)["entries"],
        1,
        "old entries out of the feed are pruned"
    );
    let g_row = row(&rows, &g);
    assert_eq!(
        g_row["entries"], 1,
        "a removed feed keeps its recent history"
    );
    assert_eq!(g_row["flags"], serde_json::json!(["unlisted"]));
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
    planet.run_ok(&["run"]);

    let out = planet.run(&["status"]);
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 6, "a header and one row per feed:\n{table}");
    for col in [
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
    ] {
        assert!(lines[0].contains(col), "{col} in {}", lines[0]);
    }

    let rows = status_json(&planet);
    let ok = row(&rows, &urls[0]);
    assert_eq!(ok["name"], "Ok");
    assert_eq!(ok["last_status"], 200);
    assert_eq!(ok["entries"], 1);
    assert_eq!(ok["consecutive_failures"], 0);
    assert!(ok["last_success"].is_string() && ok["newest_entry"].is_string());
    assert_eq!(ok["flags"], serde_json::json!([]));
    assert_eq!(row(&rows, &urls[1])["flags"], serde_json::json!(["quiet"]));
    let bad = row(&rows, &urls[2]);
    assert_eq!(bad["flags"], serde_json::json!(["failing"]));
    assert_eq!(bad["last_error"], "HTTP 500 Internal Server Error");
    assert_eq!(bad["consecutive_failures"], 1);
    assert!(bad["next_due"].is_string());
    let moved = row(&rows, &urls[3]);
    assert_eq!(moved["flags"], serde_json::json!(["moved"]));
    assert_eq!(moved["moved_to"], server.url("/there.xml"));
    let gone = row(&rows, &urls[4]);
    assert_eq!(gone["last_status"], 410);
    assert!(gone["flags"].as_array().unwrap().contains(&"gone".into()));
}
