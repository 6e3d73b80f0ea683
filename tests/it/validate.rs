//! The published files as subscribers and readers get them, on a real run of corpus feeds: the
//! Atom feed's head, the same entries in every feed, the page's structure, the operator's
//! templates and outputs, unchanged files left alone. The validators others wrote judge the
//! same planet in `tests/judges`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::planets::published;
use crate::server::{Route, Server};
use crate::support::{age, at, files_under, planet_table, rss, t0, Planet};

fn output_dir(planet: &Planet) -> PathBuf {
    planet.dir.path().join("output")
}

#[test]
fn atom_feed_head_names_page_self_author_and_generator() {
    let (_server, planet) = published();
    let xml = planet.output("atom.xml");
    let head = &xml[..xml.find("<entry>").expect("entries")];
    let alternate = head
        .find(r#"<link href="https://planet.test/" rel="alternate""#)
        .expect("alternate link to the page");
    let this = head
        .find(r#"<link href="https://planet.test/atom.xml" rel="self""#)
        .expect("self link");
    assert!(alternate < this, "the page link comes first");
    for part in [
        "<id>https://planet.test/</id>",
        "<subtitle>Blogs &amp; notes, for testing</subtitle>",
        "<name>Test Owner</name>",
        "<email>owner@planet.test</email>",
        r#"<generator version="0.1.0">planet</generator>"#,
        // The newest entry's date, not the clock's.
        "<updated>2026-11-20T12:00:00+00:00</updated>",
        "<icon>https://planet.test/favicon.svg</icon>",
    ] {
        assert!(head.contains(part), "feed head lacks {part}:\n{head}");
    }
    // Each entry keeps its original id and names its source.
    let feed = planet.atom();
    let picture = feed
        .entries
        .iter()
        .find(|e| e.id == "urn:planet-test:layout:picture")
        .expect("original atom:id kept");
    assert_eq!(picture.categories.len(), 2);
    assert!(xml.contains("<source>"), "atom:source present");
    assert!(xml.contains("<id>urn:planet-test:layout</id>"), "source id");
}

#[test]
fn unchanged_second_run_leaves_every_output_untouched() {
    let (_server, planet) = published();
    let snapshot = || -> BTreeMap<String, (Vec<u8>, std::time::SystemTime)> {
        files_under(&output_dir(&planet))
            .into_iter()
            .map(|(name, path)| {
                let bytes = std::fs::read(&path).unwrap();
                let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
                (name, (bytes, mtime))
            })
            .collect()
    };
    let outputs: Vec<PathBuf> = files_under(&output_dir(&planet))
        .into_iter()
        .map(|(_, path)| path)
        .collect();
    for path in &outputs {
        age(path);
    }
    let first = snapshot();
    for name in [
        "index.html",
        "atom.xml",
        "rss.xml",
        "feed.json",
        "opml.xml",
        "style.css",
        "favicon.svg",
        "sitemap.xml",
        "archive/index.html",
        "sources/index.html",
    ] {
        assert!(first.contains_key(name), "{name} is published");
    }
    planet.run_at(at(1));
    planet.render_at(at(2));
    let second = snapshot();
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (name, (bytes, mtime)) in &first {
        let (bytes2, mtime2) = &second[name];
        if name == "index.html" {
            // The front page says when the planet was last built, and nothing else changed.
            let built = |b: &[u8]| -> String {
                String::from_utf8_lossy(b)
                    .lines()
                    .filter(|l| !l.starts_with("<p>Last updated"))
                    .collect()
            };
            assert_eq!(
                built(bytes),
                built(bytes2),
                "index.html changed beyond its build time"
            );
            continue;
        }
        assert!(bytes == bytes2, "{name} changed on an unchanged run");
        assert_eq!(mtime, mtime2, "{name} was rewritten on an unchanged run");
    }
}

#[test]
fn operator_templates_render_with_the_documented_context() {
    let server = Server::start();
    server.set(
        "/a.xml",
        Route::xml(rss(
            "Alpha",
            &[(
                "a1",
                "First post",
                "https://alpha.test/1",
                "Mon, 02 Nov 2026 10:00:00 GMT",
            )],
        )),
    );
    let planet = Planet::with_feeds("templates_dir = \"theme\"", &[server.url("/a.xml")]);
    planet.theme_file("links.txt.tera", "{{ planet.name }} by {{ planet.owner_name }}\n\
         {% for day in days %}{{ day.date }}: {% for e in day.entries %}{{ e.title }} <{{ e.link }}> from {{ e.source.name }}{% endfor %}\n{% endfor %}\
         {% for f in feeds %}feed {{ f.name }} {{ f.url }} failing={{ f.failing }} quiet={{ f.quiet }}\n{% endfor %}\
         entries={{ entries | length }} updated={{ updated }} generated={{ generated | length > 0 }}\n");
    planet.theme_file("style.css", "body { color: red }\n");
    planet.theme_file("_partial.tera", "not a page");
    planet.run_at(t0());

    let text = planet.output("links.txt");
    assert!(text.starts_with("Test Planet by Test Owner\n"), "{text}");
    assert!(
        text.contains("2026-11-02: First post <https://alpha.test/1> from Alpha"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "feed Alpha {} failing=false quiet=false",
            server.url("/a.xml")
        )),
        "{text}"
    );
    assert!(
        text.contains("entries=1 updated=2026-11-02T10:00:00Z generated=true"),
        "{text}"
    );
    assert_eq!(planet.output("style.css"), "body { color: red }\n");
    assert!(
        !planet.out_path("_partial").exists(),
        "partials are not pages"
    );
    // The embedded page is still there.
    assert!(planet.output("index.html").contains("First post"));
}

#[test]
fn optional_outputs_can_be_turned_off() {
    let server = Server::start();
    server.set(
        "/a.xml",
        Route::xml(rss(
            "Alpha",
            &[(
                "a1",
                "One",
                "https://alpha.test/1",
                "Mon, 02 Nov 2026 10:00:00 GMT",
            )],
        )),
    );
    let planet = Planet::with_feeds(
        "outputs = { rss = false, json = false, opml = false }",
        &[server.url("/a.xml")],
    );
    planet.run_at(t0());
    for name in ["rss.xml", "feed.json", "opml.xml"] {
        assert!(!planet.out_path(name).exists(), "{name} is off");
    }
    let html = planet.output("index.html");
    assert!(html.contains(r#"href="atom.xml""#));
    for name in ["rss.xml", "feed.json", "opml.xml"] {
        assert!(!html.contains(name), "the page does not link to {name}");
    }

    let planet = Planet::with_feeds("", &[server.url("/a.xml")]);
    planet.run_at(t0());
    let html = planet.output("index.html");
    for (ty, href) in [
        ("application/atom+xml", "atom.xml"),
        ("application/rss+xml", "rss.xml"),
        ("application/feed+json", "feed.json"),
    ] {
        assert!(
            html.contains(&format!(
                r#"<link rel="alternate" type="{ty}" title="Test Planet ("#
            )) && html.contains(&format!(r#"href="{href}">"#)),
            "the page announces {href}"
        );
    }
    assert!(planet.out_path("opml.xml").exists());
}

#[test]
fn excerpt_and_title_only_feeds_are_not_copied_whole() {
    let long: String = (1..=200).map(|i| format!("w{i} ")).collect();
    let server = Server::start();
    let feed = |name: &str| {
        rss(
            name,
            &[(
                &format!("{name}-1"),
                &format!("{name} post"),
                &format!("https://{name}.test/1"),
                "Mon, 02 Nov 2026 10:00:00 GMT",
            )],
        )
        .replace(
            &format!("&lt;p&gt;Body of {name} post&lt;/p&gt;"),
            &format!("&lt;p&gt;{long}&lt;/p&gt;"),
        )
    };
    for name in ["full", "excerpt", "title"] {
        server.set(&format!("/{name}.xml"), Route::xml(feed(name)));
    }
    let planet = Planet::new(&format!(
        "{}[[feeds]]\nurl = \"{}\"\n[[feeds]]\nurl = \"{}\"\ndisplay = \"excerpt\"\n[[feeds]]\nurl = \"{}\"\ndisplay = \"title\"\n",
        planet_table(""),
        server.url("/full.xml"),
        server.url("/excerpt.xml"),
        server.url("/title.xml"),
    ));
    planet.run_at(t0());
    let html = planet.output("index.html");
    let article = |name: &str| {
        let start = html
            .find(&format!(r#"href="https://{name}.test/1">{name} post"#))
            .unwrap_or_else(|| panic!("{name} entry on the page"));
        let end = html[start..].find("</article>").unwrap() + start;
        html[start..end].to_owned()
    };
    assert!(article("full").contains("w200"), "full content");
    let excerpt = article("excerpt");
    assert!(
        excerpt.contains("w60…") && !excerpt.contains("w61"),
        "{excerpt}"
    );
    assert!(
        excerpt.contains("Read the whole post on excerpt"),
        "{excerpt}"
    );
    let title = article("title");
    assert!(!title.contains("w1 "), "title only: {title}");
    // The feeds carry the same choice.
    let atom = planet.output("atom.xml");
    assert_eq!(
        atom.matches("w200").count(),
        1,
        "only the full feed's entry is whole"
    );
}

#[test]
fn sidebar_marks_failing_and_quiet_feeds_with_the_reason() {
    let server = Server::start();
    let recent = (t0() - chrono::Duration::days(2)).to_rfc2822();
    server.set(
        "/fresh.xml",
        Route::xml(rss(
            "Fresh",
            &[("f1", "New", "https://fresh.test/1", &recent)],
        )),
    );
    server.set(
        "/old.xml",
        Route::xml(rss(
            "Old",
            &[(
                "o1",
                "Ancient",
                "https://old.test/1",
                "Mon, 05 Jan 2015 10:00:00 GMT",
            )],
        )),
    );
    server.set("/broken.xml", Route::status(500));
    let planet = Planet::with_feeds(
        "stale_days = 30",
        &[
            server.url("/fresh.xml"),
            server.url("/old.xml"),
            server.url("/broken.xml"),
        ],
    );
    planet.run_at(t0());
    let html = planet.output("index.html");
    let aside = &html[html.find("<aside").unwrap()..html.find("</aside>").unwrap()];
    let item = |name: &str| {
        aside
            .lines()
            .find(|l| l.contains(&format!(">{name}<")))
            .unwrap_or_else(|| panic!("{name} in the sidebar:\n{aside}"))
            .to_owned()
    };
    let fresh = item("Fresh");
    assert!(
        !fresh.contains(r#"<li class"#) && !fresh.contains("mark"),
        "{fresh}"
    );
    let old = item("Old");
    assert!(old.contains(r#"class="quiet""#), "{old}");
    assert!(
        old.contains(r#"title="no new entry since 5 January 2015""#),
        "{old}"
    );
    let broken = item("127.0.0.1");
    assert!(broken.contains(r#"class="failing""#), "{broken}");
    assert!(
        broken.contains("title=\"this feed could not be read since ") && !broken.contains("500"),
        "readers get plain words; the error stays in `planet status`: {broken}"
    );
    assert!(
        broken.contains(r#"role="img""#),
        "the mark is announced: {broken}"
    );
}

#[test]
fn page_needs_no_script_font_or_third_party_resource() {
    let (_server, planet) = published();
    let html = planet.output("index.html");
    assert!(
        !html.contains("<script"),
        "no script: works with JavaScript off"
    );
    assert!(html.contains("script-src") || html.contains("default-src 'none'"));
    let head = &html[..html.find("</head>").unwrap()];
    for line in head.lines().filter(|l| l.starts_with("<link")) {
        assert!(
            !line.contains("href=\"http"),
            "the head loads nothing from elsewhere: {line}"
        );
    }
    let css = planet.output("style.css");
    for needle in ["@import", "@font-face", "url("] {
        assert!(!css.contains(needle), "style.css loads nothing: {needle}");
    }
    // Landmarks and headings in order: h1, then h2 per day and for the sidebar, h3 per entry.
    for landmark in [
        "<header class=\"site\">",
        "<main id=\"entries\">",
        "<aside ",
        "<footer class=\"site\">",
        "<nav aria-label=\"Subscribe\">",
    ] {
        assert!(html.contains(landmark), "{landmark}");
    }
    assert_eq!(html.matches("<h1").count(), 1);
    assert!(html.contains("<html lang=\"en\">"));
}

#[test]
fn rss_and_json_feed_round_trip_through_feed_rs() {
    let (_server, planet) = published();
    let read = |name: &str| {
        feed_rs::parser::parse(planet.output(name).as_bytes())
            .unwrap_or_else(|e| panic!("{name} parses: {e}"))
    };
    let atom = read("atom.xml");
    let key = |f: &feed_rs::model::Feed| -> Vec<(String, String, Vec<String>)> {
        f.entries
            .iter()
            .map(|e| {
                (
                    e.id.clone(),
                    e.title
                        .as_ref()
                        .map(|t| t.content.clone())
                        .unwrap_or_default(),
                    e.links.iter().map(|l| l.href.clone()).collect(),
                )
            })
            .collect()
    };
    assert_eq!(atom.entries.len(), 70);
    for name in ["rss.xml", "feed.json"] {
        let feed = read(name);
        assert_eq!(key(&feed), key(&atom), "{name} carries atom.xml's entries");
        assert_eq!(
            feed.title.map(|t| t.content).as_deref(),
            Some("Test Planet")
        );
    }
}
