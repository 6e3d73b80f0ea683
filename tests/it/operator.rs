//! Running a planet the way operators do: subscriptions (add, remove, import, export), `check`,
//! `schema`, per-feed options and planet-wide editorial rules, through the library's commands
//! at a fixed clock. What the binary prints of them (and `check`'s exit code) is `cli.rs`'s.

use chrono::Duration;

use crate::server::{Route, Server};
use crate::support::{at, feeds_toml, fixture, planet_table, t0, Planet};

/// An RSS item: guid, title, age in days, categories, body (plain text, put in a `<p>`).
fn item(guid: &str, title: &str, days_ago: i64, cats: &[&str], body: &str) -> String {
    let date = (t0() - Duration::days(days_ago)).to_rfc2822();
    let cats: String = cats
        .iter()
        .map(|c| format!("<category>{c}</category>"))
        .collect();
    format!(
        "<item><guid>https://blog.test/{guid}</guid><title>{title}</title><link>https://blog.test/{guid}</link><pubDate>{date}</pubDate>{cats}<description>&lt;p&gt;{body}&lt;/p&gt;</description></item>\n"
    )
}

fn feed(title: &str, items: &[String]) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>{title}</title><link>https://blog.test/</link><description>d</description>\n{}</channel></rss>\n",
        items.concat()
    )
}

/// `n` items `{prefix}1..n`, the first the newest, one day apart.
fn items(prefix: &str, n: usize) -> Vec<String> {
    (1..=n)
        .map(|i| {
            let id = format!("{prefix}{i}");
            item(&id, &format!("Post {id}"), i as i64, &[], "text")
        })
        .collect()
}

/// The page with tera's escaping of `/` undone, so tests can look for URLs as written.
fn page(planet: &Planet) -> String {
    planet.output("index.html").replace("&#x2F;", "/")
}

fn read(planet: &Planet) -> String {
    std::fs::read_to_string(&planet.config).unwrap()
}

// ---- init ----

#[test]
fn init_writes_a_planet_that_checks_and_publishes_a_page_saying_it_has_no_feeds() {
    let planet = Planet::new("");
    std::fs::remove_file(&planet.config).unwrap();
    planet::starter::write(&planet.config, &planet::starter::Fill::default()).expect("init");
    assert_eq!(planet.check(), Vec::<String>::new(), "check accepts it");
    planet.run_at(t0());
    let html = page(&planet);
    assert!(html.contains("This planet has no feeds yet."), "{html}");
    assert!(
        html.contains("<title>My Planet</title>"),
        "the placeholder name"
    );
    assert_eq!(planet.atom().entries.len(), 0);
    assert!(planet.out_path("feed.json").is_file() && planet.out_path("opml.xml").is_file());

    // `add` puts the first feed below the commented example, which stays.
    let server = Server::start();
    server.set("/f.xml", Route::xml(feed("First", &items("f", 1))));
    planet.add(&server.url("/f.xml"), None).expect("add");
    let toml = read(&planet);
    assert!(
        toml.contains(&format!(
            "# name = \"Rust Blog\"\n\n[[feeds]]\nurl = \"{}\"\nname = \"First\"\n",
            server.url("/f.xml")
        )),
        "{toml}"
    );
    planet.run_at(t0());
    assert!(!page(&planet).contains("no feeds yet"));
}

#[test]
fn init_fills_the_required_keys_and_never_overwrites() {
    let planet = Planet::new("mine\n");
    let fill = planet::starter::Fill {
        name: Some("Planet Ferris".into()),
        link: Some("https://ferris.example.org/".into()),
        owner: Some("Ferris \"the crab\"".into()),
    };
    let err = planet::starter::write(&planet.config, &fill).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("already exists: it was left unchanged"),
        "{err}"
    );
    assert_eq!(read(&planet), "mine\n");
    std::fs::remove_file(&planet.config).unwrap();
    planet::starter::write(&planet.config, &fill).expect("init");
    let config = planet::config::load(&planet.config).expect("loads");
    assert_eq!(
        (
            config.planet.name.as_str(),
            config.planet.link.as_str(),
            config.planet.owner_name.as_str()
        ),
        (
            "Planet Ferris",
            "https://ferris.example.org/",
            "Ferris \"the crab\""
        )
    );
    assert!(!read(&planet).contains("PLACEHOLDER"));
}

// ---- import / export ----

#[test]
fn imports_a_planet_venus_config_with_faces_and_filters() {
    let server = Server::start();
    let planet = Planet::new(&planet_table(""));
    let ini = String::from_utf8(fixture("operator/venus-config.ini"))
        .unwrap()
        .replace("{BASE}", &server.base);
    let ini_path = planet.dir.path().join("config.ini");
    std::fs::write(&ini_path, ini).unwrap();
    let report = planet.import(&ini_path);
    let added: Vec<String> = ["alice", "bob", "carol", "dave", "erin"]
        .iter()
        .map(|who| format!("{}/{who}.xml", server.base))
        .collect();
    assert_eq!(report.added, added);
    assert!(report.skipped.is_empty(), "{report:?}");
    assert_eq!(report.created, None, "planet.toml was there");
    // What has no equivalent is reported, never silently lost; a feed whose regex Rust
    // cannot compile comes without it.
    let unreadable = report.unreadable.join("\n");
    assert_eq!(report.unreadable.len(), 3, "{unreadable}");
    assert!(
        unreadable.contains(
            "erin.xml]`: the regex `(?<!not )planet` is not valid here (Rust regex syntax): the feed is added without this `include` rule"
        ),
        "{unreadable}"
    );
    assert_eq!(
        report.left_out.len(),
        2,
        "Venus's own settings and its template's: {:?}",
        report.left_out
    );
    assert!(unreadable.contains("xpath_sifter.py"), "{unreadable}");
    assert!(
        unreadable.contains("tests/data/spider/testfeed0.atom"),
        "{unreadable}"
    );
    // `[Planet]` settings with an equivalent come along; Venus's own (cache, logs) do not.
    assert_eq!(
        report.settings,
        [
            "owner_email = \"jane@planet.test\"",
            "items_per_page = 60",
            "new_feed_items = 3",
        ]
    );

    let toml = read(&planet);
    assert!(
        toml.starts_with(&format!(
            "{}\nowner_email = \"jane@planet.test\"\nitems_per_page = 60\nnew_feed_items = 3\n",
            planet_table("").trim_end()
        )),
        "{toml}"
    );
    assert!(
        toml.contains("name = \"Alice Example\"\nface = \"https://faces.planet.test/alice.png\""),
        "{toml}"
    );
    assert!(
        toml.contains(
            "face = \"bob.png\"\ninclude = [\"(?i)planet\"]\nexclude = [\"(?i)off-topic\"]"
        ),
        "{toml}"
    );
    assert!(
        toml.contains("name = \"Carol Example\"\ndisplay = \"excerpt\""),
        "{toml}"
    );

    // The migrated planet runs, and the Venus options act on the page.
    let long = "word ".repeat(200);
    server.set(
        "/alice.xml",
        Route::xml(feed("Alice", &[item("a1", "Alice post", 1, &[], "hi")])),
    );
    server.set(
        "/bob.xml",
        Route::xml(feed(
            "Bob",
            &[
                item("b1", "Planet news", 1, &[], "x"),
                item("b2", "Planet off-topic rant", 2, &[], "x"),
                item("b3", "Holiday photos", 3, &[], "x"),
            ],
        )),
    );
    server.set(
        "/carol.xml",
        Route::xml(feed("Carol", &[item("c1", "Carol long", 1, &[], &long)])),
    );
    server.set(
        "/dave.xml",
        Route::xml(feed("Dave", &[item("d1", "Dave post", 1, &[], "x")])),
    );
    server.set(
        "/erin.xml",
        Route::xml(feed("Erin", &[item("e1", "Erin post", 1, &[], "x")])),
    );
    planet.run_at(t0());
    let titles = planet.atom_titles();
    assert!(titles.contains(&"Planet news".to_owned()), "{titles:?}");
    assert!(
        !titles
            .iter()
            .any(|t| t.contains("off-topic") || t.contains("Holiday")),
        "{titles:?}"
    );
    let html = page(&planet);
    assert!(
        html.contains("<img class=\"face\" src=\"https://faces.planet.test/alice.png\""),
        "alice's face"
    );
    assert!(
        html.contains("<img class=\"face\" src=\"https://planet.test/bob.png\""),
        "bob's face, resolved against planet.link"
    );
    assert!(
        html.contains('…') && !html.contains(&long.trim().to_owned()),
        "carol is shown as an excerpt"
    );
}

#[test]
fn import_without_a_planet_toml_writes_one_with_what_the_list_says() {
    // Venus's name, link and owner fill the required keys; its feed_timeout becomes
    // timeout_secs.
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let ini = dir.path().join("config.ini");
    let text = String::from_utf8(fixture("operator/venus-config.ini"))
        .unwrap()
        .replace("{BASE}", &server.base)
        .replace("log_level = WARNING", "feed_timeout = 20");
    std::fs::write(&ini, text).unwrap();
    let planet = Planet {
        config: dir.path().join("planet.toml"),
        dir,
    };
    let report = planet.import(&ini);
    assert_eq!(report.created, Some(vec![]), "nothing left a placeholder");
    assert!(
        report.settings.contains(&"timeout_secs = 20".to_owned()),
        "{report:?}"
    );
    let config = planet::config::load(&planet.config).expect("the new planet.toml loads");
    assert_eq!(
        (
            config.planet.name.as_str(),
            config.planet.link.as_str(),
            config.planet.owner_name.as_str(),
            config.planet.timeout_secs
        ),
        ("Planet Test", "https://planet.test/", "Jane Ops", 20)
    );
    assert_eq!(config.feeds.len(), 5);
    assert_eq!(planet.check(), Vec::<String>::new());
    let toml = read(&planet);
    assert!(
        toml.starts_with("# planet.toml: the configuration of a planet"),
        "{toml}"
    );
}

#[test]
fn import_of_opml_folders_keeps_their_names_as_headings() {
    let dir = tempfile::tempdir().unwrap();
    let opml = dir.path().join("devops.opml");
    std::fs::write(&opml, fixture("operator/devops-feeds.opml")).unwrap();
    let planet = Planet {
        config: dir.path().join("planet.toml"),
        dir,
    };
    let report = planet.import(&opml);
    // The OPML's title names the planet; no owner nor link: placeholders, which check passes.
    assert_eq!(report.created, Some(vec!["link", "owner_name"]));
    assert_eq!(report.added.len(), 58);
    assert_eq!(planet.check(), Vec::<String>::new());
    let toml = read(&planet);
    assert!(
        toml.contains(
            "\n\n# --- Kubernetes and cloud-native\n[[feeds]]\nurl = \"https://kubernetes.io/feed.xml\"\n"
        ),
        "{toml}"
    );
    assert!(
        toml.contains("\n\n[[feeds]]\nurl = \"https://www.cncf.io/blog/feed/\""),
        "one heading per folder: {toml}"
    );
    let folders = fixture("operator/devops-feeds.opml")
        .windows(b"<outline text=\"".len())
        .filter(|w| *w == b"<outline text=\"")
        .count();
    assert_eq!(toml.matches("\n# --- ").count(), folders, "{toml}");
    // Removing a folder's first feed keeps its heading.
    planet.remove("Kubernetes Blog").unwrap();
    assert!(read(&planet).contains(
        "# --- Kubernetes and cloud-native\n[[feeds]]\nurl = \"https://www.cncf.io/blog/feed/\""
    ));
}

#[test]
fn venus_sections_that_are_not_urls_are_reported_not_imported() {
    let planet = Planet::new(&planet_table(""));
    let before = read(&planet);
    let ini = planet.dir.path().join("config.ini");
    std::fs::write(&ini, fixture("operator/venus-spider-config.ini")).unwrap();
    let report = planet.import(&ini);
    assert_eq!(
        report
            .unreadable
            .iter()
            .filter(|u| u.starts_with("section `[tests/data/spider/"))
            .count(),
        4,
        "{report:?}"
    );
    assert!(report.added.is_empty(), "{report:?}");
    assert_eq!(
        read(&planet),
        before,
        "nothing to add: planet.toml untouched"
    );
}

#[test]
fn imports_an_opml_list_keeping_comments_and_exports_it_back() {
    let head = format!(
        "# Planet DevOps: subscriptions come in by pull request\n{}# the first one\n[[feeds]]\nurl = \"https://kubernetes.io/feed.xml\"   # k8s\nname = \"Kubernetes\"\n",
        planet_table("items_per_page = 30  # keep it short")
    );
    let planet = Planet::new(&head);
    let opml_path = planet.dir.path().join("devops.opml");
    std::fs::write(&opml_path, fixture("operator/devops-feeds.opml")).unwrap();
    let report = planet.import(&opml_path);
    assert_eq!(
        (report.added.len(), report.unreadable.len()),
        (57, 0),
        "{report:?}"
    );
    assert_eq!(report.skipped.len(), 1, "{report:?}");
    assert_eq!(report.skipped[0].0, "https://kubernetes.io/feed.xml");
    assert!(
        report.skipped[0].1.starts_with("already subscribed"),
        "{report:?}"
    );

    let toml = read(&planet);
    assert!(
        toml.starts_with(&head),
        "the operator's text is kept byte for byte"
    );
    assert_eq!(toml.matches("[[feeds]]").count(), 58);
    assert!(toml.contains("url = \"https://jvns.ca/atom.xml\"\nname = \"Julia Evans\"\nlink = \"https://jvns.ca/\""), "nested outlines with htmlUrl");
    assert_eq!(
        planet.check(),
        Vec::<String>::new(),
        "the result checks clean"
    );

    // export: OPML 2.0, the same 58 feeds.
    let xml = planet.export(t0());
    let doc = opml::OPML::from_str(&xml).expect("export is valid OPML");
    assert_eq!(doc.version, "2.0");
    assert_eq!(
        doc.head.and_then(|h| h.title).as_deref(),
        Some("Test Planet: subscriptions")
    );
    let urls: Vec<String> = doc
        .body
        .outlines
        .iter()
        .filter_map(|o| o.xml_url.clone())
        .collect();
    assert_eq!(urls.len(), 58);
    assert!(urls.contains(&"https://kubernetes.io/feed.xml".to_owned()));
    let names: Vec<&str> = doc.body.outlines.iter().map(|o| o.text.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(
        names, sorted,
        "sorted by name, as in the sidebar and output/opml.xml"
    );
    let jvns = doc
        .body
        .outlines
        .iter()
        .find(|o| o.xml_url.as_deref() == Some("https://jvns.ca/atom.xml"))
        .unwrap();
    assert_eq!(jvns.text, "Julia Evans");
    assert_eq!(
        jvns.html_url.as_deref(),
        Some("https://jvns.ca/"),
        "with htmlUrl"
    );

    // Round trip: another planet imports the export and gets the same feeds.
    let other = Planet::new(&planet_table(""));
    let path = other.dir.path().join("export.opml");
    std::fs::write(&path, &xml).unwrap();
    assert_eq!(other.import(&path).added.len(), 58);
}

// ---- add / remove ----

const HOME_PAGE: &str = r#"<!DOCTYPE html><html><head><title>Alice's blog</title>
<link rel="alternate" type="application/rss+xml" title="Comments" href="/comments/feed/">
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/atom+xml" title="Alice" href="/blog/atom.xml">
</head><body><h1>Alice</h1></body></html>"#;

fn atom_feed(title: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>{title}</title><id>urn:x:{title}</id><updated>2026-01-01T00:00:00Z</updated><link rel="alternate" href="https://alice.test/"/><entry><id>urn:x:1</id><title>Hello from Alice</title><updated>2026-01-01T00:00:00Z</updated><link rel="alternate" href="https://alice.test/1"/><content type="html">hi</content></entry></feed>"#
    )
}

#[test]
fn adds_a_blog_by_its_home_page() {
    let server = Server::start();
    server.set("/", Route::ok("text/html; charset=utf-8", HOME_PAGE));
    server.set(
        "/comments/feed/",
        Route::xml(feed("Comments", &items("c", 2))),
    );
    server.set(
        "/blog/atom.xml",
        Route::ok("application/atom+xml", atom_feed("Alice &amp; friends")),
    );
    let planet = Planet::new(&format!("{}# my feeds\n", planet_table("")));
    let added = planet.add(&server.url("/"), None).expect("add");
    let feed_url = server.url("/blog/atom.xml");
    assert_eq!(
        (
            added.url.as_str(),
            added.name.as_deref(),
            added.via_page.as_deref()
        ),
        (
            feed_url.as_str(),
            Some("Alice & friends"),
            Some(format!("{}/", server.base).as_str())
        )
    );
    let toml = read(&planet);
    assert!(toml.contains("# my feeds\n"), "{toml}");
    assert!(
        toml.ends_with(&format!(
            "\n[[feeds]]\nurl = \"{feed_url}\"\nname = \"Alice & friends\"\n"
        )),
        "{toml}"
    );
    // The comment feed was not the one picked, and only the candidates needed were fetched.
    assert!(!server
        .requests()
        .iter()
        .any(|r| r.path.starts_with("/comments")));
    planet.run_at(t0());
    assert_eq!(planet.atom_titles(), ["Hello from Alice"]);
}

#[test]
fn adds_a_feed_found_at_a_common_path_with_the_name_given() {
    let server = Server::start();
    server.set(
        "/",
        Route::ok(
            "text/html",
            "<html><head><title>Bob</title></head><body>no feed links</body></html>",
        ),
    );
    server.set(
        "/index.xml",
        Route::xml(feed("Bob's Hugo site", &items("b", 2))),
    );
    let planet = Planet::new(&planet_table(""));
    let added = planet.add(&server.url("/"), Some("Bob")).expect("add");
    assert_eq!(
        (added.url, added.name.as_deref()),
        (server.url("/index.xml"), Some("Bob"))
    );
    assert!(read(&planet).contains(&format!(
        "url = \"{}\"\nname = \"Bob\"",
        server.url("/index.xml")
    )));
}

#[test]
fn adds_a_feed_url_directly() {
    let server = Server::start();
    server.set("/feed.xml", Route::xml(feed("Carol", &items("c", 1))));
    let planet = Planet::new(&planet_table(""));
    let added = planet.add(&server.url("/feed.xml"), None).expect("add");
    assert_eq!(added.name.as_deref(), Some("Carol"));
    assert_eq!(added.via_page, None, "the URL given was the feed");
}

#[test]
fn adds_a_url_typed_without_its_scheme_over_http_when_https_fails() {
    let server = Server::start();
    server.set("/feed.xml", Route::xml(feed("Local", &items("l", 1))));
    let planet = Planet::new(&planet_table(""));
    let bare = server.url("/feed.xml").replace("http://", "");
    let added = planet.add(&bare, None).expect("add");
    assert_eq!(added.url, server.url("/feed.xml"));
    assert!(
        added
            .https_failed
            .as_deref()
            .is_some_and(|why| !why.is_empty()),
        "{added:?}"
    );
    assert!(read(&planet).contains(&format!("url = \"{}\"", server.url("/feed.xml"))));
    // Given a scheme, only that one is tried.
    let other = Planet::new(&planet_table(""));
    let err = other
        .add(
            &server.url("/feed.xml").replace("http://", "https://"),
            None,
        )
        .unwrap_err();
    assert!(err.starts_with("cannot fetch `https://"), "{err}");
    // Neither works: both reasons are said.
    let bare = server.url("/missing.xml").replace("http://", "");
    let err = other.add(&bare, None).unwrap_err();
    assert!(
        err.starts_with(&format!("cannot fetch `{bare}` over https (")),
        "{err}"
    );
    assert!(
        err.ends_with(&format!(
            ") nor over http: cannot fetch `{}`: HTTP 404 Not Found",
            server.url("/missing.xml")
        )),
        "{err}"
    );
}

#[test]
fn discovery_tries_the_pages_own_folder_before_the_root_and_names_every_candidate() {
    let server = Server::start();
    let page = "<html><head><title>Blog</title></head><body>no feed links</body></html>";
    server.set("/blog/", Route::ok("text/html", page));
    server.set(
        "/blog/atom.xml",
        Route::xml(feed("The blog", &items("b", 1))),
    );
    server.set("/atom.xml", Route::xml(feed("The site", &items("s", 1))));
    let planet = Planet::new(&planet_table(""));
    let added = planet.add(&server.url("/blog/"), None).expect("add");
    assert_eq!(
        (added.url, added.name.as_deref()),
        (server.url("/blog/atom.xml"), Some("The blog"))
    );
    let asked: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(asked, ["/blog/", "/blog/feed", "/blog/atom.xml"]);

    server.set("/empty/", Route::ok("text/html", page));
    server.set("/atom.xml", Route::status(404));
    let err = planet.add(&server.url("/empty/"), None).unwrap_err();
    let n = planet::subscriptions::discover::COMMON_PATHS.len();
    assert!(
        err.starts_with(&format!(
            "`{}` is not a feed, and no feed was found on it; tried {}:\n  `{}`: HTTP 404 Not Found\n",
            server.url("/empty/"),
            2 * n,
            server.url("/empty/feed")
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "\n  `{}`: HTTP 404 Not Found",
            server.url("/feed")
        )),
        "the root too: {err}"
    );
}

#[test]
fn refuses_a_duplicate_by_url_and_through_a_redirect() {
    let server = Server::start();
    server.set("/feed.xml", Route::xml(feed("Dup", &items("d", 1))));
    server.set(
        "/old-feed",
        Route::status(301).with_header("Location", &server.url("/feed.xml")),
    );
    let planet = Planet::with_feeds("", &[server.url("/feed.xml")]);
    let before = read(&planet);

    let err = planet.add(&server.url("/feed.xml"), None).unwrap_err();
    assert!(
        err.contains(&format!(
            "is already subscribed as `{}` (line 7)",
            server.url("/feed.xml")
        )),
        "{err}"
    );
    assert!(
        server.requests().is_empty(),
        "a known URL is refused without fetching it"
    );

    let err = planet.add(&server.url("/old-feed"), None).unwrap_err();
    assert!(
        err.contains(&format!(
            "`{}` is already subscribed as `{}` (line 7)",
            server.url("/old-feed"),
            server.url("/feed.xml")
        )),
        "{err}"
    );
    assert_eq!(read(&planet), before, "planet.toml untouched");
}

#[test]
fn refuses_a_feed_an_existing_subscription_redirects_to() {
    let server = Server::start();
    server.set("/feed.xml", Route::xml(feed("Dup", &items("d", 1))));
    server.set(
        "/old-feed",
        Route::status(301).with_header("Location", &server.url("/feed.xml")),
    );
    let planet = Planet::with_feeds("", &[server.url("/old-feed")]);
    planet.run_at(t0());
    let err = planet.add(&server.url("/feed.xml"), None).unwrap_err();
    assert!(
        err.contains(&format!(
            "`{}` is already subscribed as `{}` (line 7)",
            server.url("/feed.xml"),
            server.url("/old-feed")
        )),
        "the cache knows where the old URL leads: {err}"
    );
}

#[test]
fn refuses_a_page_without_any_feed() {
    let server = Server::start();
    server.set(
        "/",
        Route::ok("text/html", "<html><body>just a page</body></html>"),
    );
    let planet = Planet::new(&planet_table(""));
    let err = planet.add(&server.url("/"), None).unwrap_err();
    assert!(
        err.contains("is not a feed, and no feed was found on it"),
        "{err}"
    );
    assert_eq!(read(&planet), planet_table(""));
}

#[test]
fn removes_a_feed_by_name_or_url_and_its_entries_leave_the_page() {
    let server = Server::start();
    server.set(
        "/a.xml",
        Route::xml(feed("Alpha", &[item("a1", "Alpha post", 1, &[], "x")])),
    );
    server.set(
        "/b.xml",
        Route::xml(feed("Beta", &[item("b1", "Beta post", 1, &[], "x")])),
    );
    server.set(
        "/c.xml",
        Route::xml(feed("Gamma", &[item("c1", "Gamma post", 1, &[], "x")])),
    );
    let text = format!(
        "{}# alpha\n[[feeds]]\nurl = \"{}\"\n\n[[feeds]]\nurl = \"{}\"\nname = \"Beta\"\n\n# gamma stays\n[[feeds]]\nurl = \"{}\"\n",
        planet_table(""),
        server.url("/a.xml"),
        server.url("/b.xml"),
        server.url("/c.xml")
    );
    let planet = Planet::new(&text);
    planet.run_at(t0());
    assert_eq!(planet.atom_titles().len(), 3);

    assert_eq!(planet.remove("Beta"), Ok(server.url("/b.xml")));
    assert_eq!(
        planet.remove(&server.url("/a.xml")),
        Ok(server.url("/a.xml"))
    );
    let toml = read(&planet);
    assert!(
        !toml.contains("/a.xml") && !toml.contains("/b.xml"),
        "{toml}"
    );
    assert!(
        toml.contains(&format!(
            "# gamma stays\n[[feeds]]\nurl = \"{}\"",
            server.url("/c.xml")
        )),
        "{toml}"
    );

    planet.render_at(at(1));
    assert_eq!(planet.atom_titles(), ["Gamma post"]);
    let err = planet.remove("Nobody").unwrap_err();
    assert!(err.contains("no feed with URL or name `Nobody`"), "{err}");
}

#[test]
fn remove_keeps_the_group_headings_of_the_example_planet() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/planet.toml"))
        .expect("the repository's planet.toml");
    let planet = Planet::new(&text);
    // Any case; the first feed of a group, right under its heading.
    assert_eq!(
        planet.remove("kubernetes BLOG"),
        Ok("https://kubernetes.io/feed.xml".to_owned())
    );
    let toml = read(&planet);
    assert!(
        toml.contains(
            "\n\n# --- Kubernetes and cloud-native\n[[feeds]]\nurl = \"https://www.cncf.io/blog/feed/\"\n"
        ),
        "{toml}"
    );
    assert_eq!(
        toml.matches("# --- ").count(),
        text.matches("# --- ").count()
    );
    assert_eq!(
        toml.len(),
        text.len()
            - "[[feeds]]\nurl = \"https://kubernetes.io/feed.xml\"\nname = \"Kubernetes Blog\"\n\n"
                .len(),
        "only the feed's own lines went"
    );
    let err = planet.remove("the new stak").unwrap_err();
    assert_eq!(
        err,
        "no feed with URL or name `the new stak` in the config: did you mean `The New Stack`?"
    );
}

// ---- check ----

#[test]
fn check_fetch_reports_moved_gone_failing_and_not_a_feed_feeds() {
    let server = Server::start();
    server.set("/ok.xml", Route::xml(feed("Ok", &items("o", 1))));
    server.set("/new.xml", Route::xml(feed("New home", &items("n", 1))));
    server.set(
        "/moved.xml",
        Route::status(301).with_header("Location", &server.url("/new.xml")),
    );
    server.set(
        "/temporary.xml",
        Route::status(302).with_header("Location", &server.url("/ok.xml")),
    );
    server.set("/gone.xml", Route::status(410));
    server.set("/broken.xml", Route::status(500));
    server.set(
        "/page",
        Route::ok(
            "text/html",
            "<!DOCTYPE html><html><body>a blog</body></html>",
        ),
    );
    let urls: Vec<String> = [
        "/ok.xml",
        "/moved.xml",
        "/gone.xml",
        "/broken.xml",
        "/page",
        "/temporary.xml",
    ]
    .iter()
    .map(|p| server.url(p))
    .collect();
    let planet = Planet::with_feeds("", &urls);

    assert_eq!(
        planet.check(),
        Vec::<String>::new(),
        "without --fetch only the file is checked"
    );

    let problems = planet.check_fetch(t0());
    let err = problems.join("\n");
    let line = |l: usize, url: &str| format!("line {l}: feed `{}`:", server.url(url));
    assert!(
        err.contains(&format!(
            "{} moved permanently to `{}`",
            line(10, "/moved.xml"),
            server.url("/new.xml")
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("{} HTTP 410 Gone", line(13, "/gone.xml"))),
        "{err}"
    );
    assert!(
        err.contains(&format!("{} HTTP 500", line(16, "/broken.xml"))),
        "{err}"
    );
    assert!(
        err.contains(&format!("{} a web page, not a feed", line(19, "/page"))),
        "{err}"
    );
    assert!(
        !err.contains("/ok.xml"),
        "a good feed is not mentioned: {err}"
    );
    assert_eq!(problems.len(), 4, "{err}");
}

#[test]
fn check_fetch_fix_writes_where_feeds_moved_keeping_the_comments() {
    let server = Server::start();
    server.set("/ok.xml", Route::xml(feed("Ok", &items("o", 1))));
    server.set("/new.xml", Route::xml(feed("New home", &items("n", 1))));
    server.set(
        "/moved.xml",
        Route::status(301).with_header("Location", &server.url("/new.xml")),
    );
    server.set(
        "/old-ok.xml",
        Route::status(308).with_header("Location", &server.url("/ok.xml")),
    );
    let text = format!(
        "{}# moved last spring\n[[feeds]]\nurl = \"{}\"   # keep me\nname = \"Moved\"\n\n[[feeds]]\nurl = \"{}\"\n\n[[feeds]]\nurl = \"{}\"\n",
        planet_table(""),
        server.url("/moved.xml"),
        server.url("/ok.xml"),
        server.url("/old-ok.xml"),
    );
    let planet = Planet::new(&text);
    let problems = planet.check_fetch(t0());
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(
        problems[0].ends_with(
            "hint: change its `url` to the new address (`planet check --fetch --fix` does)"
        ),
        "without --fix, --fix is suggested: {problems:#?}"
    );

    let done = planet.fix_moved(t0());
    let fixed: Vec<(bool, &str)> = done
        .iter()
        .map(|d| match d {
            planet::check::Fixed::Changed(m) => (true, m.url.as_str()),
            planet::check::Fixed::Duplicate { moved, .. } => (false, moved.url.as_str()),
        })
        .collect();
    assert_eq!(
        fixed,
        [
            (true, server.url("/moved.xml").as_str()),
            (false, server.url("/old-ok.xml").as_str())
        ]
    );
    let toml = read(&planet);
    assert_eq!(
        toml,
        text.replace(&server.url("/moved.xml"), &server.url("/new.xml")),
        "only the url changed, its comment kept"
    );
    // What is left: the feed whose new address is already subscribed.
    let problems = planet.check_fetch(t0());
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(problems[0].contains("/old-ok.xml"), "{problems:#?}");
    assert_eq!(
        done[1].problem().map(|p| p.to_string()).unwrap_or_default(),
        format!(
            "line 15: feed `{}`: moved permanently to `{}`, which is already subscribed as `{}`\n  hint: delete one of the two",
            server.url("/old-ok.xml"),
            server.url("/ok.xml"),
            server.url("/ok.xml")
        )
    );
}

#[test]
fn check_lists_every_bad_option_naming_feed_and_line() {
    let text = format!(
        "{}[[feeds]]\nurl = \"https://a.test/feed\"\ncolour = \"red\"\n\n[[feeds]]\nurl = \"https://b.test/feed\"\nexclude = [\"(unclosed\"]\n\n[[feeds]]\nurl = \"https://c.test/feed\"\ndisplay = \"everything\"\n\n[[feeds]]\nurl = \"https://a.test/feed/\"\n",
        planet_table("")
    );
    let planet = Planet::new(&text);
    let problems = planet.check();
    let err = problems.join("\n");
    assert!(
        err.contains("line 8: feed `https://a.test/feed`: unknown key `colour`"),
        "{err}"
    );
    assert!(
        err.contains("line 12: feed `https://b.test/feed`: invalid regex `(unclosed` in `exclude`"),
        "{err}"
    );
    assert!(
        err.contains("line 16: feed `https://c.test/feed`: `display` must be one of `full`, `excerpt`, `title`, not `\"everything\"`"),
        "{err}"
    );
    assert!(
        err.contains(
            "line 19: feed `https://a.test/feed/`: the same feed as `https://a.test/feed`"
        ),
        "in the same pass: {err}"
    );
    assert_eq!(problems.len(), 4, "{err}");

    // The same errors stop a run, naming the feed and the line.
    let err = planet.fail_at(planet::Steps::Run, t0());
    assert!(
        err.contains("line 8: feed `https://a.test/feed`: unknown key `colour`"),
        "{err}"
    );

    // Once fixed, the same feed spelt twice is still caught.
    let fixed = text
        .replace("colour = \"red\"\n", "")
        .replace("(unclosed", "(closed)")
        .replace("everything", "title");
    planet.write_config(&fixed);
    let err = planet.check().join("\n");
    assert!(
        err.contains(
            "line 18: feed `https://a.test/feed/`: the same feed as `https://a.test/feed`"
        ),
        "{err}"
    );
}

// ---- schema ----

#[test]
fn schema_describes_planet_toml() {
    let schema: serde_json::Value =
        serde_json::from_str(&planet::config::schema()).expect("schema is JSON");
    let defs = &schema["$defs"];
    assert_eq!(
        schema["additionalProperties"], false,
        "unknown top-level keys are errors"
    );
    assert_eq!(defs["FeedConfig"]["additionalProperties"], false);
    assert!(defs["FeedConfig"]["required"]
        .as_array()
        .unwrap()
        .contains(&"url".into()));
    for key in [
        "enabled",
        "link",
        "face",
        "max_items",
        "display",
        "include",
        "exclude",
        "categories",
        "ignore_dates",
    ] {
        assert!(
            defs["FeedConfig"]["properties"].get(key).is_some(),
            "feeds.{key}"
        );
    }
    for key in ["exclude", "max_age_days", "hide", "new_feed_items"] {
        assert!(
            defs["Planet"]["properties"].get(key).is_some(),
            "planet.{key}"
        );
    }
    assert_eq!(defs["Planet"]["properties"]["new_feed_items"]["default"], 3);
    let display = serde_json::to_string(&defs["Display"]).unwrap();
    assert!(
        display.contains("excerpt") && display.contains("title"),
        "{display}"
    );
    assert!(
        !serde_json::to_string(&schema).unwrap().contains("_re\""),
        "compiled regexes are not keys"
    );
}

// ---- new_feed_items ----

#[test]
fn a_new_subscription_does_not_flood_the_page() {
    let server = Server::start();
    server.set("/old.xml", Route::xml(feed("Old", &items("o", 4))));
    server.set("/new.xml", Route::xml(feed("New", &items("n", 10))));
    let planet = Planet::with_feeds("items_per_page = 100", &[server.url("/old.xml")]);
    planet.run_at(t0());
    assert_eq!(
        planet.atom_titles().len(),
        4,
        "a planet's first run shows everything"
    );

    let mut text = read(&planet);
    text.push_str(&feeds_toml(&[server.url("/new.xml")]));
    planet.write_config(&text);
    planet.run_at(at(1));
    let titles = planet.atom_titles();
    let new: Vec<&String> = titles.iter().filter(|t| t.contains("Post n")).collect();
    assert_eq!(
        new,
        ["Post n1", "Post n2", "Post n3"],
        "only the newest 3 of the new feed"
    );
    assert_eq!(titles.len(), 7);

    // Its next post appears; its back-catalogue stays off the page for good.
    let mut next = vec![item("n0", "Post n0", 0, &[], "fresh")];
    next.extend(items("n", 10));
    server.set("/new.xml", Route::xml(feed("New", &next)));
    planet.run_at(at(2));
    let titles = planet.atom_titles();
    assert_eq!(
        titles.iter().filter(|t| t.contains("Post n")).count(),
        4,
        "{titles:?}"
    );
    assert!(titles.contains(&"Post n0".to_owned()));
}

#[test]
fn new_feed_items_is_configurable() {
    let server = Server::start();
    server.set("/old.xml", Route::xml(feed("Old", &items("o", 1))));
    server.set("/new.xml", Route::xml(feed("New", &items("n", 10))));
    let planet = Planet::with_feeds("new_feed_items = 1", &[server.url("/old.xml")]);
    planet.run_at(t0());
    let text = read(&planet) + &feeds_toml(&[server.url("/new.xml")]);
    planet.write_config(&text);
    planet.run_at(at(1));
    let mut titles = planet.atom_titles();
    titles.sort();
    assert_eq!(titles, ["Post n1", "Post o1"]);
}

// ---- per-feed options ----

/// A planet of one feed with `options`, serving `items`; returns the atom titles and the page.
fn one_feed(options: &str, items: &[String]) -> (Server, Planet, Vec<String>, String) {
    let server = Server::start();
    server.set("/f.xml", Route::xml(feed("Feed", items)));
    let text = format!(
        "{}[[feeds]]\nurl = \"{}\"\n{options}\n",
        planet_table("items_per_page = 100"),
        server.url("/f.xml")
    );
    let planet = Planet::new(&text);
    planet.run_at(t0());
    let titles = planet.atom_titles();
    let html = page(&planet);
    (server, planet, titles, html)
}

fn mixed() -> Vec<String> {
    vec![
        item(
            "p1",
            "Rust 2.0 released",
            1,
            &["Rust", "news"],
            "The compiler",
        ),
        item("p2", "My sourdough", 2, &["cooking"], "Flour and water"),
        item("p3", "Planet meetup", 3, &["planet"], "We met about rust"),
        item("p4", "Holiday", 4, &[], "Beach"),
    ]
}

#[test]
fn enabled_false_neither_fetches_nor_shows_a_feed() {
    let (server, _p, titles, html) = one_feed("enabled = false", &mixed());
    assert!(titles.is_empty());
    assert!(
        server.requests().is_empty(),
        "a disabled feed is not fetched"
    );
    assert!(!html.contains("/f.xml"), "nor listed in the sidebar");
}

#[test]
fn link_overrides_the_feeds_home_page() {
    let (_s, _p, _t, html) = one_feed("link = \"https://home.example.org/\"", &mixed());
    assert!(
        html.contains("<a href=\"https://home.example.org/\">Feed</a>"),
        "{html}"
    );
    assert!(
        !html.contains("href=\"https://blog.test/\""),
        "the feed's own link is replaced"
    );
}

#[test]
fn face_shows_an_avatar_beside_each_entry() {
    let (_s, _p, _t, html) = one_feed("face = \"https://faces.example.org/me.png\"", &mixed());
    assert_eq!(
        html.matches("<img class=\"face\" src=\"https://faces.example.org/me.png\"")
            .count(),
        4
    );
}

#[test]
fn max_items_caps_a_feed_on_the_page() {
    let (_s, _p, titles, _h) = one_feed("max_items = 2", &mixed());
    assert_eq!(titles, ["Rust 2.0 released", "My sourdough"]);
}

#[test]
fn display_title_and_excerpt_shorten_entries() {
    let long = format!("Opening line. {}", "more words here ".repeat(60));
    let (_s, _p, _t, html) = one_feed(
        "display = \"title\"",
        &[item("t1", "Only the title", 1, &[], &long)],
    );
    assert!(
        html.contains("Only the title") && !html.contains("Opening line"),
        "{html}"
    );
    let (_s, _p, _t, html) = one_feed(
        "display = \"excerpt\"",
        &[item("t1", "Excerpted", 1, &[], &long)],
    );
    assert!(html.contains("<p>Opening line. more words here"), "{html}");
    assert!(
        html.contains("…</p>") && !html.contains(long.trim()),
        "cut short"
    );
    let (_s, _p, _t, html) = one_feed("display = \"full\"", &[item("t1", "Whole", 1, &[], &long)]);
    assert!(html.contains(long.trim()), "full shows everything");
}

#[test]
fn include_and_exclude_match_title_content_and_categories() {
    let (_s, _p, titles, _h) = one_feed("include = [\"(?i)rust\"]", &mixed());
    assert_eq!(
        titles,
        ["Rust 2.0 released", "Planet meetup"],
        "title or content"
    );
    let (_s, _p, titles, _h) = one_feed("exclude = [\"^cooking$\", \"Beach\"]", &mixed());
    assert_eq!(
        titles,
        ["Rust 2.0 released", "Planet meetup"],
        "category or content"
    );
}

#[test]
fn categories_keep_only_entries_with_one_of_them() {
    let (_s, _p, titles, _h) = one_feed("categories = [\"PLANET\", \"news\"]", &mixed());
    assert_eq!(titles, ["Rust 2.0 released", "Planet meetup"]);
}

#[test]
fn ignore_dates_uses_first_seen_time() {
    let old = "<item><guid>https://blog.test/x</guid><title>Dated long ago</title><link>https://blog.test/x</link><pubDate>Mon, 01 Jan 2001 00:00:00 +0000</pubDate><description>x</description></item>".to_owned();
    let (_s, planet, _t, html) = one_feed("ignore_dates = true", std::slice::from_ref(&old));
    assert!(!html.contains("2001"), "the feed's date is not shown");
    let updated = planet.atom().entries[0].updated.unwrap();
    assert_eq!(updated, t0(), "dated when first seen");
    let (_s, _p, _t, html) = one_feed("", &[old]);
    assert!(
        html.contains("2001"),
        "without the option the feed's date stands"
    );
}

// ---- planet-wide rules ----

#[test]
fn planet_wide_exclude_max_age_and_hide_take_entries_off_the_page() {
    let server = Server::start();
    let a = vec![
        item("a1", "Fresh and fine", 1, &[], "x"),
        item("a2", "Crypto pump", 2, &[], "x"),
        item("a3", "Ancient", 90, &[], "x"),
    ];
    let b = vec![
        item("b1", "Published by mistake", 1, &[], "x"),
        item("b2", "Linked away", 2, &[], "x"),
        item("b3", "Spam in content", 3, &[], "buy CRYPTO now"),
        item("b4", "Also fine", 4, &[], "x"),
    ];
    server.set("/a.xml", Route::xml(feed("A", &a)));
    server.set("/b.xml", Route::xml(feed("B", &b)));
    let extra = "exclude = [\"(?i)crypto\"]\nmax_age_days = 30\nhide = [\"https://blog.test/b1\", \" https://blog.test/b2 \"]";
    let planet = Planet::with_feeds(extra, &[server.url("/a.xml"), server.url("/b.xml")]);
    planet.run_at(t0());
    assert_eq!(planet.atom_titles(), ["Fresh and fine", "Also fine"]);
    let html = planet.output("index.html");
    assert!(!html.contains("Ancient") && !html.contains("Published by mistake"));
}
