//! The core pipeline as users see it: the files in `output/`, the cache, the warnings; run
//! in-process at a fixed clock (the binary's exit codes and messages are `cli.rs`'s).

use crate::server::{Route, Server};
use planet::Steps;

use crate::support::{at, feeds_toml, fixture, planet_table, rss, t0, Planet};

/// The real feeds copied from the shared corpus (see tests/fixtures/README.md).
const CORPUS: &[(&str, &str, usize)] = &[
    ("/rss2.xml", "corpus/feedjira09__BinaryCode.xml", 10),
    ("/atom.xml", "corpus/feedjira09__graemenelsonHome.xml", 15),
    ("/rss1.xml", "corpus/feedjira09__ArunGuptasBlog.xml", 15),
    ("/feed.json", "corpus/nnw__allthis.json", 12),
    (
        "/latin1.xml",
        "corpus/feedreader__Rss091Stadtfeuerwehr.xml",
        15,
    ),
];

fn serve_corpus(server: &Server) -> Vec<String> {
    CORPUS
        .iter()
        .map(|(path, file, _)| {
            let ct = if path.ends_with(".json") {
                "application/feed+json"
            } else {
                "application/xml"
            };
            server.set(path, Route::ok(ct, fixture(file)));
            server.url(path)
        })
        .collect()
}

#[test]
fn run_publishes_page_and_feed_from_real_feeds() {
    let server = Server::start();
    let urls = serve_corpus(&server);
    let planet = Planet::with_feeds("items_per_page = 1000", &urls);
    let warnings = planet.run_at(t0());
    assert!(
        warnings.is_empty(),
        "a clean run says nothing: {warnings:?}"
    );

    let atom = planet.atom();
    let expected: usize = CORPUS.iter().map(|c| c.2).sum();
    assert_eq!(
        atom.entries.len(),
        expected,
        "every entry of every feed is published"
    );
    // Newest first.
    let dates: Vec<_> = atom
        .entries
        .iter()
        .map(|e| e.published.or(e.updated).unwrap())
        .collect();
    assert!(
        dates.windows(2).all(|w| w[0] >= w[1]),
        "entries are sorted newest first"
    );

    let html = planet.output("index.html");
    assert_eq!(html.matches("<article class=\"entry\"").count(), expected);
    // Each feed is named in the sidebar, the ISO-8859-1 one with its umlaut intact.
    for name in [
        "Stadtfeuerwehr Weiz - Einsätze",
        "And now it’s all this",
        "Arun Gupta",
    ] {
        assert!(html.contains(name), "sidebar names {name}");
    }
    assert!(std::path::Path::new(&planet.out_path("style.css")).exists());
}

#[test]
fn non_utf8_feed_keeps_its_characters() {
    let server = Server::start();
    server.set(
        "/latin1.xml",
        Route::xml(fixture("corpus/feedreader__Rss091Stadtfeuerwehr.xml")),
    );
    let planet = Planet::with_feeds("", &[server.url("/latin1.xml")]);
    planet.run_at(t0());
    let atom = planet.output("atom.xml");
    assert!(
        !atom.contains('\u{FFFD}'),
        "no replacement characters: ISO-8859-1 is decoded"
    );
    assert!(
        atom.contains('ü') || atom.contains('ä') || atom.contains('ö'),
        "umlauts survive"
    );
}

#[test]
fn respects_items_per_page() {
    let server = Server::start();
    let urls = serve_corpus(&server);
    let planet = Planet::with_feeds("items_per_page = 7", &urls);
    planet.run_at(t0());
    assert_eq!(planet.atom().entries.len(), 7);
    assert_eq!(
        planet
            .output("index.html")
            .matches("<article class=\"entry\"")
            .count(),
        7
    );
}

#[test]
fn dedupes_the_same_post_across_two_feeds() {
    let server = Server::start();
    server.set(
        "/a.xml",
        Route::xml(rss(
            "Alpha",
            &[(
                "a1",
                "Shared post",
                "https://blog.test/shared",
                "Mon, 02 Mar 2026 10:00:00 GMT",
            )],
        )),
    );
    server.set(
        "/b.xml",
        Route::xml(rss(
            "Beta",
            &[
                (
                    "b1",
                    "Shared post (syndicated)",
                    "http://www.blog.test/shared/?utm_source=rss",
                    "Mon, 02 Mar 2026 11:00:00 GMT",
                ),
                (
                    "b2",
                    "Own post",
                    "https://beta.test/own",
                    "Mon, 02 Mar 2026 09:00:00 GMT",
                ),
            ],
        )),
    );
    let planet = Planet::with_feeds("", &[server.url("/a.xml"), server.url("/b.xml")]);
    planet.run_at(t0());
    let titles = planet.atom_titles();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert_eq!(
        titles
            .iter()
            .filter(|t| t.starts_with("Shared post"))
            .count(),
        1,
        "{titles:?}"
    );
}

#[test]
fn same_id_twice_in_one_feed_is_one_entry() {
    let server = Server::start();
    server.set(
        "/dup.xml",
        Route::xml(rss(
            "Dup",
            &[
                (
                    "same",
                    "First copy",
                    "https://dup.test/1",
                    "Mon, 02 Mar 2026 10:00:00 GMT",
                ),
                (
                    "same",
                    "Second copy",
                    "https://dup.test/1",
                    "Mon, 02 Mar 2026 10:00:00 GMT",
                ),
            ],
        )),
    );
    let planet = Planet::with_feeds("", &[server.url("/dup.xml")]);
    planet.run_at(t0());
    assert_eq!(planet.atom().entries.len(), 1);
}

#[test]
fn entry_that_left_its_feed_stays_published() {
    let server = Server::start();
    server.set(
        "/f.xml",
        Route::xml(rss(
            "F",
            &[
                (
                    "1",
                    "Old one",
                    "https://f.test/1",
                    "Tue, 03 Mar 2026 10:00:00 GMT",
                ),
                (
                    "2",
                    "Old two",
                    "https://f.test/2",
                    "Tue, 03 Mar 2026 09:00:00 GMT",
                ),
            ],
        )),
    );
    let planet = Planet::with_feeds("", &[server.url("/f.xml")]);
    planet.run_at(t0());
    server.set(
        "/f.xml",
        Route::xml(rss(
            "F",
            &[(
                "3",
                "New three",
                "https://f.test/3",
                "Wed, 04 Mar 2026 10:00:00 GMT",
            )],
        )),
    );
    planet.run_at(at(1));
    let titles = planet.atom_titles();
    assert_eq!(titles, ["New three", "Old one", "Old two"]);
}

#[test]
fn changed_entry_replaces_its_old_version() {
    let server = Server::start();
    let d = "Tue, 03 Mar 2026 10:00:00 GMT";
    server.set(
        "/f.xml",
        Route::xml(rss("F", &[("1", "Draft title", "https://f.test/1", d)])),
    );
    let planet = Planet::with_feeds("", &[server.url("/f.xml")]);
    planet.run_at(t0());
    server.set(
        "/f.xml",
        Route::xml(rss("F", &[("1", "Final title", "https://f.test/1", d)])),
    );
    planet.run_at(at(1));
    assert_eq!(planet.atom_titles(), ["Final title"]);
}

#[test]
fn failing_feeds_do_not_stop_the_others() {
    let server = Server::start();
    let urls = serve_corpus(&server);
    server.set("/broken.xml", Route::status(500));
    server.set(
        "/html.xml",
        Route::ok("text/html", "<html><body>not a feed</body></html>"),
    );
    let mut all = urls.clone();
    all.push(server.url("/broken.xml"));
    all.push(server.url("/missing.xml"));
    all.push(server.url("/html.xml"));
    all.push("http://127.0.0.1:9/refused.xml".to_owned());
    let planet = Planet::with_feeds("items_per_page = 1000", &all);
    let warnings = planet.run_at(t0());
    let expected: usize = CORPUS.iter().map(|c| c.2).sum();
    assert_eq!(planet.atom().entries.len(), expected);
    for (path, reason) in [
        ("/broken.xml", "HTTP 500"),
        ("/missing.xml", "HTTP 404"),
        ("/html.xml", "a web page, not a feed"),
        ("/refused.xml", "cannot connect"),
    ] {
        let line = warnings
            .iter()
            .find(|l| l.contains(path))
            .unwrap_or_else(|| panic!("no line for {path}: {warnings:?}"));
        assert!(line.starts_with("feed `"), "{line}");
        assert!(line.contains(reason), "{line} should say {reason}");
    }
    assert_eq!(warnings.len(), 4, "one line per failing feed: {warnings:?}");
}

#[test]
fn malformed_feed_is_reported_not_fatal() {
    let server = Server::start();
    server.set("/bad.xml", Route::xml(&b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>x</title><item><title>a</ti"[..]));
    server.set("/good.xml", good_feed());
    let planet = Planet::with_feeds("", &[server.url("/bad.xml"), server.url("/good.xml")]);
    planet.run_at(t0());
    assert_eq!(planet.atom_titles(), ["Fine"]);
}

#[test]
fn future_dated_entry_does_not_lead() {
    let server = Server::start();
    let future = (
        "future",
        "From the future",
        "https://f.test/future",
        "Sat, 01 Jan 2100 00:00:00 GMT",
    );
    let old = (
        "old",
        "Older",
        "https://f.test/old",
        "Tue, 03 Mar 2020 10:00:00 GMT",
    );
    server.set("/f.xml", Route::xml(rss("F", &[future, old])));
    let planet = Planet::with_feeds("", &[server.url("/f.xml")]);
    planet.run_at(t0());
    // A post written after that run must lead: the 2100 date counted as the first run's time.
    let later = at(60).to_rfc2822();
    server.set(
        "/f.xml",
        Route::xml(rss(
            "F",
            &[
                future,
                old,
                ("fresh", "Fresh post", "https://f.test/fresh", &later),
            ],
        )),
    );
    planet.run_at(at(61));
    assert_eq!(
        planet.atom_titles(),
        ["Fresh post", "From the future", "Older"]
    );
    // No output claims the year 2100.
    assert!(
        !planet.output("atom.xml").contains("2100-"),
        "a future date is not published"
    );
    assert!(
        !planet.output("index.html").contains("2100"),
        "a future date is not shown"
    );
}

#[test]
fn render_publishes_from_the_cache_without_network() {
    let server = Server::start();
    let urls = serve_corpus(&server);
    let planet = Planet::with_feeds("", &urls);
    planet.cycle(Steps::Fetch, t0(), false).expect("fetch");
    assert!(
        !planet.out_path("index.html").exists(),
        "fetch publishes nothing"
    );
    let before = server.requests().len();
    planet.render_at(at(1));
    assert_eq!(server.requests().len(), before, "render makes no request");
    assert_eq!(planet.atom().entries.len(), 60);
}

#[test]
fn unwritable_output_fails_and_keeps_the_cache() {
    let server = Server::start();
    server.set(
        "/f.xml",
        Route::xml(rss(
            "F",
            &[(
                "1",
                "One",
                "https://f.test/1",
                "Tue, 03 Mar 2026 10:00:00 GMT",
            )],
        )),
    );
    let url = server.url("/f.xml");
    let planet = Planet::with_feeds(
        "output_dir = \"blocked/output\"",
        std::slice::from_ref(&url),
    );
    // A file where the output folder's parent should be.
    std::fs::write(planet.dir.path().join("blocked"), "not a folder").unwrap();
    let error = planet.fail_at(Steps::Run, t0());
    assert!(error.starts_with("cannot create output folder"), "{error}");
    // The fetch was stored: fixing the config and rendering needs no network.
    drop(server);
    planet.write_config(&format!("{}{}", planet_table(""), feeds_toml(&[url])));
    std::fs::remove_file(planet.dir.path().join("blocked")).unwrap();
    planet.render_at(at(1));
    assert_eq!(planet.atom_titles(), ["One"]);
}

#[test]
fn a_failed_run_leaves_previous_output_intact() {
    let server = Server::start();
    server.set(
        "/f.xml",
        Route::xml(rss(
            "F",
            &[(
                "1",
                "One",
                "https://f.test/1",
                "Tue, 03 Mar 2026 10:00:00 GMT",
            )],
        )),
    );
    let planet = Planet::with_feeds("", &[server.url("/f.xml")]);
    planet.run_at(t0());
    let before = planet.output("atom.xml");
    // A broken template makes the next render fail; the published files must not change.
    planet.theme_file("index.html.tera", "{% for x in %}");
    let text = std::fs::read_to_string(&planet.config)
        .unwrap()
        .replace("[planet]\n", "[planet]\ntemplates_dir = \"theme\"\n");
    planet.write_config(&text);
    let error = planet.fail_at(Steps::Run, at(1));
    assert!(error.contains("template"), "{error}");
    assert_eq!(planet.output("atom.xml"), before);
}

#[test]
fn atom_entries_keep_original_ids_and_authors() {
    let server = Server::start();
    server.set(
        "/atom.xml",
        Route::xml(fixture("corpus/feedjira09__graemenelsonHome.xml")),
    );
    let planet = Planet::with_feeds("", &[server.url("/atom.xml")]);
    planet.run_at(t0());
    let ours = planet.atom();
    let theirs =
        feed_rs::parser::parse(&fixture("corpus/feedjira09__graemenelsonHome.xml")[..]).unwrap();
    let mut want: Vec<_> = theirs.entries.iter().map(|e| e.id.clone()).collect();
    let mut got: Vec<_> = ours.entries.iter().map(|e| e.id.clone()).collect();
    want.sort();
    got.sort();
    assert_eq!(got, want);
    assert!(ours.entries.iter().all(|e| !e.authors.is_empty()));
    let html = planet.output("index.html");
    assert!(html.contains("<time datetime=\""));
}

#[test]
fn second_run_sends_validators_and_keeps_entries_on_304() {
    let server = Server::start();
    let lm = "Tue, 03 Mar 2026 10:00:00 GMT";
    server.set(
        "/f.xml",
        Route::xml(rss("F", &[("1", "One", "https://f.test/1", lm)]))
            .with_etag("\"v1\"")
            .with_header("Last-Modified", lm),
    );
    let planet = Planet::with_feeds("", &[server.url("/f.xml")]);
    planet.run_at(t0());
    planet.run_at(at(1));
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].path, "/f.xml");
    let ua = &seen[0].headers["user-agent"];
    assert!(
        ua.starts_with("planet/") && ua.contains("(+https://planet.test/)"),
        "{ua}"
    );
    assert_eq!(
        seen[1].headers.get("if-none-match").map(String::as_str),
        Some("\"v1\"")
    );
    assert_eq!(
        seen[1].headers.get("if-modified-since").map(String::as_str),
        Some(lm)
    );
    assert_eq!((seen[1].status, seen[1].bytes), (304, 0));
    assert_eq!(
        planet.atom_titles(),
        ["One"],
        "a 304 keeps every stored entry"
    );
}

#[test]
fn real_malformed_feed_is_read_liberally_beside_the_others() {
    // A real feed that a strict XML parser rejects (invalid token, line 219): liberal readers
    // still read its ten items, and so must we, without disturbing the well-formed feeds.
    let server = Server::start();
    server.set(
        "/broken.xml",
        Route::xml(fixture("corpus/feedjira09__IanLandsmansWeblogv20.xml")),
    );
    server.set("/good.xml", good_feed());
    let planet = Planet::with_feeds(
        "items_per_page = 1000",
        &[server.url("/broken.xml"), server.url("/good.xml")],
    );
    let warnings = planet.run_at(t0());
    assert!(warnings.is_empty(), "read without complaint: {warnings:?}");
    let titles = planet.atom_titles();
    assert_eq!(titles.len(), 11, "{titles:?}");
    assert!(titles.contains(&"Fine".to_owned()));
}

/// A well-formed one-entry feed to serve beside a broken one.
fn good_feed() -> Route {
    Route::xml(rss(
        "Good",
        &[(
            "1",
            "Fine",
            "https://g.test/1",
            "Tue, 03 Mar 2026 10:00:00 GMT",
        )],
    ))
}
