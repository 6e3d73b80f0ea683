//! The real `planet` binary, for what only the process shows: exit codes (0, 1, 3 when the
//! cache is locked), `--help` and `--version`, the `error:` / `caused by:` / `hint:` and
//! `warning:` lines, stdout carrying data only, `-q` and `-v`, signals, the environment and the
//! process's own memory. Every other behaviour is tested in-process, at a fixed clock.
//!
//! Nothing here sleeps: a test that must act while the binary works reads the binary's piped
//! stderr in a thread (`-v` tells each feed and each cycle as they happen) and waits for a line.

use std::process::{Command, Output, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use crate::server::{Route, Server};
use crate::support::{feeds_toml, fixture, planet_table, rss, t0, Planet, Running, PATIENCE};

const D1: &str = "Tue, 03 Mar 2026 10:00:00 GMT";

fn one_item(title: &str) -> String {
    let slug = title.replace(' ', "-");
    rss(
        title,
        &[(&slug, title, &format!("https://x.test/{slug}"), D1)],
    )
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn help_and_version_work() {
    let out = Command::new(env!("CARGO_BIN_EXE_planet"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("planet "));
    let out = Command::new(env!("CARGO_BIN_EXE_planet"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for cmd in ["run", "fetch", "render", "init"] {
        assert!(help.contains(cmd), "{help}");
    }
    // Both helps end with examples and the exit statuses scripts rely on.
    for flag in ["-h", "--help"] {
        let out = Command::new(env!("CARGO_BIN_EXE_planet"))
            .arg(flag)
            .output()
            .unwrap();
        let help = String::from_utf8_lossy(&out.stdout);
        let examples = help.find("\nExamples:\n  planet init").expect("examples");
        let exits = help
            .find("\nExit status:\n  0  done")
            .expect("exit statuses");
        assert!(examples < exits, "{help}");
        for code in [
            "\n  1  ",
            "\n  2  ",
            "\n  3  another planet holds the cache",
        ] {
            assert!(help[exits..].contains(code), "{flag}: {help}");
        }
    }
}

#[test]
fn init_says_what_to_set_next_and_exits_1_rather_than_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let init = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_planet"))
            .arg("init")
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let out = init(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "wrote `planet.toml`: set `name`, `link` and `owner_name` (placeholders for now), \
         add a feed with `planet add URL`, then `planet run`\n"
    );
    let out = init(&[
        "site",
        "--name",
        "P",
        "--link",
        "https://p.test/",
        "--owner",
        "O",
    ]);
    assert_eq!(
        stderr(&out),
        "wrote `site/planet.toml`: add a feed with `planet -c site/planet.toml add URL`, \
         then `planet -c site/planet.toml run`\n"
    );
    let before = std::fs::read(dir.path().join("planet.toml")).unwrap();
    let out = init(&["--name", "Other"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: `planet.toml` already exists: it was left unchanged\n"
    );
    assert_eq!(
        std::fs::read(dir.path().join("planet.toml")).unwrap(),
        before
    );
    let out = init(&["--link", "not a url"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "clap refuses it: {}",
        stderr(&out)
    );
}

#[test]
fn config_flag_works_before_and_after_the_command() {
    let server = Server::start();
    server.set("/f.xml", Route::xml(one_item("One")));
    let planet = Planet::with_feeds("", &[server.url("/f.xml")]);
    let before = Command::new(env!("CARGO_BIN_EXE_planet"))
        .arg("--config")
        .arg(&planet.config)
        .arg("run")
        .output()
        .unwrap();
    assert!(before.status.success(), "{}", stderr(&before));
    assert_eq!(planet.atom_titles(), ["One"]);
}

#[test]
fn a_run_warns_once_per_failing_feed_and_v_and_q_set_how_much_is_said() {
    let server = Server::start();
    server.set("/f.xml", Route::xml(one_item("One")));
    let planet = Planet::with_feeds("", &[server.url("/f.xml"), server.url("/missing.xml")]);
    let out = planet.run(&["run"]);
    let plain = stderr(&out);
    assert!(out.status.success(), "a failing feed fails no run: {plain}");
    assert!(out.stdout.is_empty(), "stdout stays empty");
    assert_eq!(
        plain,
        format!(
            "warning: feed `{}`: HTTP 404 Not Found\n",
            server.url("/missing.xml")
        ),
        "one warning line for the failing feed, nothing else"
    );
    let out = planet.run(&["run", "-v"]);
    let verbose = stderr(&out);
    assert!(out.status.success() && out.stdout.is_empty(), "{verbose}");
    assert!(
        verbose.contains(&format!("feed `{}`", server.url("/f.xml"))),
        "{verbose}"
    );
    assert!(verbose.contains("published 1 entry to"), "{verbose}");
    let out = planet.run(&["run", "-q"]);
    assert!(out.status.success() && out.stdout.is_empty());
    assert!(
        out.stderr.is_empty(),
        "-q prints errors only: {}",
        stderr(&out)
    );
}

#[test]
fn invalid_config_exits_1_naming_the_key_and_line() {
    let planet = Planet::new(&format!("{}colour = \"blue\"\n", planet_table("")));
    let out = planet.run(&["run"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = stderr(&out);
    assert!(stderr.starts_with("error: invalid config `"), "{stderr}");
    assert!(stderr.contains("colour"), "{stderr}");
    assert!(stderr.contains("line 6"), "{stderr}");
    assert!(!planet.out_path("index.html").exists());
}

#[test]
fn missing_config_is_a_clear_error() {
    let planet = Planet::new("");
    std::fs::remove_file(&planet.config).unwrap();
    let out = planet.run(&["run"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = stderr(&out);
    assert!(stderr.starts_with("error: cannot read config"), "{stderr}");
}

#[test]
fn unwritable_output_exits_1_with_the_error_and_its_cause() {
    let server = Server::start();
    server.set("/f.xml", Route::xml(one_item("One")));
    let planet = Planet::with_feeds("output_dir = \"blocked/output\"", &[server.url("/f.xml")]);
    // A file where the output folder's parent should be.
    std::fs::write(planet.dir.path().join("blocked"), "not a folder").unwrap();
    let out = planet.run(&["run"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = stderr(&out);
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines[0].starts_with("error: cannot create output folder"),
        "{stderr}"
    );
    assert!(
        lines[1..].iter().all(|l| l.starts_with("  caused by: ")) && lines.len() > 1,
        "each cause on a `caused by:` line: {stderr}"
    );
}

#[test]
fn a_run_exits_3_naming_the_process_holding_the_cache() {
    let server = Server::start();
    server.set("/f.xml", Route::xml(one_item("One")));
    let planet = Planet::with_feeds("", &[server.url("/f.xml")]);
    let cache = planet.dir.path().join("cache");
    let held = planet::lock::Lock::acquire(&cache).expect("the test takes the lock");
    let out = planet.run(&["run"]);
    let stderr = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "error: another planet (pid {}) is using the cache `",
            std::process::id()
        )),
        "{stderr}"
    );
    assert!(
        stderr.ends_with(
            "\nhint: wait for it to finish; a lock left by a process that died is taken over\n"
        ),
        "{stderr}"
    );
    assert!(
        server.requests().is_empty(),
        "the refused run fetched nothing"
    );
    drop(held);
    planet.run_at(t0());
    assert_eq!(planet.atom_titles(), ["One"]);
}

#[test]
fn check_exits_1_listing_every_problem() {
    let text = format!(
        "{}[[feeds]]\nurl = \"https://a.test/feed\"\ncolour = \"red\"\n\n[[feeds]]\nurl = \"https://b.test/feed\"\nexclude = [\"(unclosed\"]\n",
        planet_table("")
    );
    let planet = Planet::new(&text);
    let out = planet.run(&["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(out.stdout.is_empty());
    assert!(
        err.contains("error: line 8: feed `https://a.test/feed`: unknown key `colour`"),
        "{err}"
    );
    assert!(
        err.contains(
            "error: line 12: feed `https://b.test/feed`: invalid regex `(unclosed` in `exclude`"
        ),
        "{err}"
    );
    assert!(
        err.trim_end().ends_with(&format!(
            "error: 2 problems in `{}`",
            planet.config.display()
        )),
        "{err}"
    );
    // Fixed, it says so.
    planet.write_config(&format!(
        "{}{}",
        planet_table(""),
        feeds_toml(&["https://a.test/feed".to_owned()])
    ));
    let out = planet.run(&["check"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("1 feed, no problems"), "{err}");
}

#[test]
fn check_fetch_suggests_fix_and_fix_says_what_it_changed() {
    let server = Server::start();
    server.set("/new.xml", Route::xml(one_item("New")));
    server.set(
        "/old.xml",
        Route::status(301).with_header("Location", &server.url("/new.xml")),
    );
    let planet = Planet::with_feeds("", &[server.url("/old.xml")]);
    let out = planet.run(&["check", "--fetch"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "hint: change its `url` to the new address (`planet check --fetch --fix` does)"
        ),
        "{}",
        stderr(&out)
    );
    let out = planet.run(&["check", "--fix"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "--fix needs --fetch: {}",
        stderr(&out)
    );
    let err = planet.run_ok(&["check", "--fetch", "--fix"]);
    assert_eq!(
        err,
        format!(
            "line 7: feed `{}`: `url` changed to `{}` (it moved permanently)\n`{}`: 1 feed, no problems, every feed fetched\n",
            server.url("/old.xml"),
            server.url("/new.xml"),
            planet.config.display()
        )
    );
    assert!(std::fs::read_to_string(&planet.config)
        .unwrap()
        .contains(&format!("url = \"{}\"", server.url("/new.xml"))));
}

#[test]
fn data_commands_print_only_data_on_stdout() {
    let server = Server::start();
    server.set("/f.xml", Route::xml(one_item("One")));
    let planet = Planet::with_feeds("", &[server.url("/f.xml")]);
    planet.run_at(t0());
    let data = |args: &[&str]| {
        let out = planet.run(args);
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "planet {args:?}: {}",
            stderr(&out)
        );
        String::from_utf8(out.stdout).expect("UTF-8 on stdout")
    };
    let table = data(&["status"]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2, "a header and one row:\n{table}");
    let narrow = [
        "NAME",
        "URL",
        "HTTP",
        "LAST OK",
        "NEWEST",
        "NEXT DUE",
        "FLAGS",
        "LAST ERROR",
    ];
    for col in narrow {
        assert!(lines[0].contains(col), "{col} in {}", lines[0]);
    }
    assert!(lines[1].contains(&server.url("/f.xml")), "{table}");
    let table = data(&["status", "--wide"]);
    let lines: Vec<&str> = table.lines().collect();
    for col in narrow.iter().skip(3).chain(&["STATUS", "ENTRIES", "FAILS"]) {
        assert!(lines[0].contains(col), "{col} in {}", lines[0]);
    }
    let rows: serde_json::Value =
        serde_json::from_str(&data(&["status", "--json"])).expect("status --json is JSON");
    assert_eq!(rows[0]["url"], server.url("/f.xml"));
    assert_eq!(rows[0]["entries"], 1);
    let opml = opml::OPML::from_str(&data(&["export"])).expect("export is OPML");
    assert_eq!(
        opml.body.outlines[0].xml_url.as_deref(),
        Some(server.url("/f.xml").as_str())
    );
    let schema: serde_json::Value =
        serde_json::from_str(&data(&["schema"])).expect("schema is JSON");
    assert_eq!(schema["additionalProperties"], false);
}

#[test]
fn status_check_says_one_line_and_exits_1_while_an_enabled_feed_fails() {
    let server = Server::start();
    server.set("/ok.xml", Route::xml(one_item("Fine")));
    server.set("/off.xml", Route::status(500));
    let text = format!(
        "{}{}[[feeds]]\nurl = \"{}\"\nenabled = false\n",
        planet_table(""),
        feeds_toml(&[server.url("/ok.xml"), server.url("/bad.xml")]),
        server.url("/off.xml")
    );
    let planet = Planet::new(&text);
    planet.run_at(t0());
    let check = planet.run(&["status", "--check"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    assert!(check.stderr.is_empty(), "{}", stderr(&check));
    assert_eq!(
        String::from_utf8_lossy(&check.stdout),
        "planet: 1 of 2 feeds failing: 127.0.0.1\n",
        "the disabled feed does not count"
    );
    let failing = planet.run(&["status", "--failing"]);
    let table = String::from_utf8_lossy(&failing.stdout);
    assert!(failing.status.success());
    assert_eq!(
        table.lines().count(),
        2,
        "a header and the failing feed: {table}"
    );
    assert!(
        table.contains("/bad") && table.contains("HTTP 404"),
        "{table}"
    );
    let rows: serde_json::Value =
        serde_json::from_slice(&planet.run(&["status", "--failing", "--json"]).stdout).unwrap();
    assert_eq!(rows.as_array().map(Vec::len), Some(1), "{rows}");

    // Fixed, the check passes.
    server.set("/bad.xml", Route::xml(one_item("Back")));
    planet.force_at(t0() + chrono::Duration::hours(1));
    let check = planet.run(&["status", "--check"]);
    assert!(check.status.success(), "{}", stderr(&check));
    assert_eq!(
        String::from_utf8_lossy(&check.stdout),
        "planet: 2 feeds, none failing\n"
    );
}

#[test]
fn data_commands_stop_quietly_when_their_reader_does() {
    // `planet status | head -1`: once `head` exits, the rest of the output has nowhere to go.
    // That is the reader's choice, not an error of planet's (no `error:` line, status 0).
    let server = Server::start();
    let urls: Vec<String> = (0..500)
        .map(|i| {
            let path = format!("/a-feed-with-a-long-enough-name-{i}.xml");
            server.set(&path, Route::xml(rss("F", &[])));
            server.url(&path)
        })
        .collect();
    let planet = Planet::with_feeds("", &urls);
    planet
        .cycle(planet::Steps::Fetch, t0(), false)
        .expect("fetch");
    for args in [&["status"][..], &["status", "--json"], &["export"]] {
        let mut child = planet
            .cmd(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start planet");
        let mut first = [0u8; 1];
        std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("planet ends");
        let stderr = stderr(&out);
        assert!(
            out.status.success() && stderr.is_empty(),
            "planet {args:?}: {:?} {stderr}",
            out.status
        );
    }
}

#[test]
fn subscription_commands_say_what_they_did() {
    let server = Server::start();
    server.set(
        "/",
        Route::ok(
            "text/html; charset=utf-8",
            "<!DOCTYPE html><html><head><title>Alice</title><link rel=\"alternate\" type=\"application/atom+xml\" href=\"/blog/feed.xml\"></head></html>",
        ),
    );
    server.set(
        "/blog/feed.xml",
        Route::xml(rss(
            "Alice & friends",
            &[("a1", "A", "https://a.test/1", D1)],
        )),
    );
    server.set(
        "/g.xml",
        Route::xml(rss("Gamma Blog", &[("g1", "G", "https://g.test/1", D1)])),
    );
    let planet = Planet::new(&planet_table(""));
    let said = |args: &[&str]| planet.run_ok(args);
    let err = said(&["add", &server.url("/")]);
    assert_eq!(
        err,
        format!(
            "added `{}` as \"Alice & friends\", found on `{}/`\n",
            server.url("/blog/feed.xml"),
            server.base
        )
    );

    // import: each setting and feed, what could not be read as a warning, then a summary.
    let ini = planet.dir.path().join("config.ini");
    let text = String::from_utf8(fixture("operator/venus-config.ini"))
        .unwrap()
        .replace("{BASE}", &server.base);
    std::fs::write(&ini, text).unwrap();
    let err = said(&["import", ini.to_str().unwrap()]);
    assert!(
        err.contains("set `[planet]` items_per_page = 60\n"),
        "{err}"
    );
    assert!(
        err.contains(&format!("added `{}/alice.xml`\n", server.base)),
        "{err}"
    );
    assert!(
        err.contains("warning: could not read `[")
            && err.contains("erin.xml]`: the regex `(?<!not )planet`"),
        "{err}"
    );
    assert!(
        err.contains("\nleft out `[Planet]` `cache_directory`, `output_dir`, `log_level`: Venus's own settings"),
        "{err}"
    );
    assert!(
        err.ends_with(&format!(
            "imported `{}`: 5 feeds added, 0 skipped, 3 could not be read\n",
            ini.display()
        )),
        "{err}"
    );

    // remove: by the feed's own title, the name the page and `status` show for a feed
    // without `name` (only the command knows it, from the cache).
    let mut toml = std::fs::read_to_string(&planet.config).unwrap();
    toml.push_str(&feeds_toml(&[server.url("/g.xml")]));
    planet.write_config(&toml);
    planet.run_at(t0());
    let err = said(&["remove", "Gamma Blog"]);
    assert_eq!(err, format!("removed `{}`\n", server.url("/g.xml")));
    let toml = std::fs::read_to_string(&planet.config).unwrap();
    assert!(!toml.contains("/g.xml"), "{toml}");
    let out = planet.run(&["remove", "Nobody"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("error: no feed with URL or name `Nobody`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn add_says_which_scheme_worked_and_v_lists_every_candidate_tried() {
    let server = Server::start();
    server.set("/f.xml", Route::xml(one_item("Local")));
    server.set(
        "/blog/",
        Route::ok("text/html", "<html><head><title>B</title></head></html>"),
    );
    server.set("/blog/feed.xml", Route::xml(one_item("Blog")));
    let planet = Planet::new(&planet_table(""));
    let bare = server.url("/f.xml").replace("http://", "");
    let err = planet.run_ok(&["add", &bare]);
    let said = format!(
        "added `{}` as \"Local\" (no scheme given: over http, as https failed: ",
        server.url("/f.xml")
    );
    assert!(err.starts_with(&said) && err.lines().count() == 1, "{err}");

    let err = planet.run_ok(&["-v", "add", &server.url("/blog/")]);
    let tried: Vec<&str> = err.lines().filter(|l| l.contains("tried `")).collect();
    assert_eq!(
        tried,
        [
            format!(
                "debug: tried `{}`: HTTP 404 Not Found",
                server.url("/blog/feed")
            ),
            format!(
                "debug: tried `{}`: HTTP 404 Not Found",
                server.url("/blog/atom.xml")
            ),
            format!("debug: tried `{}`: a feed", server.url("/blog/feed.xml")),
        ],
        "{err}"
    );
}

#[test]
fn every_runs_a_cycle_at_once_and_sigterm_ends_the_wait() {
    // The repetition itself is tested on a paused clock (`every::tests`): here, what an
    // operator sees of a real process.
    let server = Server::start();
    server.set("/f.xml", Route::xml(one_item("F 1")));
    let planet = Planet::with_feeds("", &[server.url("/f.xml")]);
    let mut every = Running::start(planet.cmd(&["run", "--every", "1m", "-v"]));
    every.wait_for("published", 1);
    assert_eq!(server.requests().len(), 1, "the first cycle runs at once");
    every.signal(libc::SIGTERM);
    let (status, _) = every.end();
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
    server.set("/fast.xml", Route::xml(one_item("Fast")));
    server.set(
        "/slow.xml",
        Route::xml(one_item("Slow")).with_delay(Duration::from_millis(1500)),
    );
    let planet = Planet::with_feeds("", &[server.url("/fast.xml"), server.url("/slow.xml")]);
    let mut every = Running::start(planet.cmd(&["run", "--every", "1h", "-v"]));
    // The fast feed is in: the slow one is still being fetched.
    every.wait_for(&format!("feed `{}`", server.url("/fast.xml")), 1);
    every.signal(libc::SIGTERM);
    let (status, said) = every.end();
    assert!(status.success(), "{status:?}: {said:#?}");
    let mut titles = planet.atom_titles();
    titles.sort();
    assert_eq!(
        titles,
        ["Fast", "Slow"],
        "the cycle under way was finished and published"
    );
}

#[test]
fn killed_run_leaves_a_cache_the_next_run_completes() {
    let server = Server::start();
    let files = [
        "corpus/feedjira09__BinaryCode.xml",
        "corpus/feedjira09__graemenelsonHome.xml",
        "corpus/feedjira09__ArunGuptasBlog.xml",
    ];
    let mut urls: Vec<String> = files
        .iter()
        .enumerate()
        .map(|(i, file)| {
            let path = format!("/f{i}.xml");
            server.set(&path, Route::xml(fixture(file)));
            server.url(&path)
        })
        .collect();
    server.set(
        "/slow.xml",
        Route::xml(one_item("Slow")).with_delay(Duration::from_secs(30)),
    );
    urls.push(server.url("/slow.xml"));
    let planet = Planet::with_feeds("items_per_page = 1000", &urls);
    let mut run = Running::start(planet.cmd(&["run", "-v"]));
    // Killed once the other feeds are stored, while the slow one is still being fetched.
    run.wait_for("feed `", files.len());
    run.signal(libc::SIGKILL);
    let (status, _) = run.end();
    assert!(!status.success(), "killed: {status:?}");
    server.set("/slow.xml", Route::xml(one_item("Slow")));
    planet.run_at(t0());
    assert_eq!(planet.atom().entries.len(), 10 + 15 + 15 + 1);
}

/// Runs `planet run` and returns (success, wall time, peak resident memory in KiB as sampled
/// from `/proc` every few milliseconds while it runs, 0 where there is no `/proc`).
fn run_measured(planet: &Planet) -> (bool, Duration, u64) {
    let start = Instant::now();
    let mut child = planet
        .cmd(&["run"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn planet");
    let pid = child.id();
    let status_file = format!("/proc/{pid}/status");
    let (tx, exited) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let mut peak_kib = 0u64;
    let status = loop {
        // VmHWM is the peak resident set so far: the last reading before exit is the peak.
        if let Ok(s) = std::fs::read_to_string(&status_file) {
            if let Some(kib) = s
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse::<u64>().ok())
            {
                peak_kib = peak_kib.max(kib);
            }
        }
        match exited.recv_timeout(Duration::from_millis(5)) {
            Ok(status) => break status.expect("wait planet"),
            Err(RecvTimeoutError::Timeout) if start.elapsed() > PATIENCE => {
                let pid = libc::pid_t::try_from(pid).expect("a pid");
                // SAFETY: kill(2) on our child, not yet waited for.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                panic!("planet still running after {PATIENCE:?}: entities are being expanded");
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => panic!("the waiting thread died"),
        }
    };
    (status.success(), start.elapsed(), peak_kib)
}

fn laughs_dtd() -> String {
    let mut dtd = String::from("<!ENTITY lol \"lollollollollollollollollollol\">\n");
    for i in 1..=9 {
        let prev = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        let refs = format!("&{prev};").repeat(10);
        dtd.push_str(&format!("<!ENTITY lol{i} \"{refs}\">\n"));
    }
    dtd
}

#[test]
fn entity_expansion_is_never_performed() {
    // The memory a run takes is the process's: measured on the binary.
    let server = Server::start();
    // Billion laughs: &lol9; would be 3 GB of text.
    let laughs = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n{}]>\n<rss version=\"2.0\"><channel><title>&lol9;</title>\
         <item><guid>l1</guid><title>Laughs &lol9;</title><link>https://l.test/1</link>\
         <description>&lol9;&lol9;&lol9;</description></item></channel></rss>",
        laughs_dtd()
    );
    // Quadratic blowup: one 100 KB entity referenced 20 000 times would be 2 GB.
    let big = "a".repeat(100_000);
    let quadratic = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE feed [<!ENTITY a \"{big}\">]>\n\
         <feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Q</title><id>urn:q</id>\
         <entry><id>q1</id><title>Quadratic</title><updated>2026-03-03T10:00:00Z</updated>\
         <content type=\"html\">{}</content></entry></feed>",
        "&a;".repeat(20_000)
    );
    server.set("/laughs.xml", Route::xml(laughs));
    server.set("/quadratic.xml", Route::xml(quadratic));
    let planet = Planet::with_feeds(
        "items_per_page = 100",
        &[server.url("/laughs.xml"), server.url("/quadratic.xml")],
    );
    let (ok, took, peak_kib) = run_measured(&planet);
    eprintln!("entity attack run: {took:?}, peak RSS {peak_kib} KiB");
    assert!(ok, "the run succeeds");
    assert!(took < Duration::from_secs(20), "the run took {took:?}");
    if peak_kib > 0 {
        assert!(
            peak_kib < 300 * 1024,
            "peak memory {peak_kib} KiB: entities were expanded"
        );
    }
    for name in ["index.html", "atom.xml"] {
        let len = std::fs::metadata(planet.out_path(name)).unwrap().len();
        assert!(len < 2_000_000, "{name} is {len} bytes");
        let body = planet.output(name);
        assert!(!body.contains("lollollollol"), "{name} expanded &lol;");
        assert!(!body.contains(&"a".repeat(1000)), "{name} expanded &a;");
    }
    // The entries themselves are still published, with the references left unexpanded.
    let titles = planet.atom_titles();
    assert!(titles.contains(&"Quadratic".to_owned()), "{titles:?}");
    assert!(titles.iter().any(|t| t.starts_with("Laughs")), "{titles:?}");
}
