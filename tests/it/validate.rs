//! The published files, checked by validators others wrote, on a real run of corpus feeds.
//!
//! jing checks `atom.xml` against RFC 4287's RELAX NG grammar; the Nu Html Checker (vnu.jar)
//! checks `index.html`; feedparser reads `atom.xml` and `rss.xml` as many readers do, and a
//! small script checks `feed.json` against JSON Feed 1.1 and `opml.xml`'s outlines; a headless
//! Chromium loads the page at phone and desktop widths. When a tool is missing the test prints a
//! `skip:` line, unless `PLANET_REQUIRE_TOOLS=1` (set by `.ci/run`), where it fails.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use crate::browser::Browser;
use crate::server::{Route, Server};
use crate::support::{fixture, planet_table, rss, Planet, FIXTURES};

/// Real feeds from the shared corpus (see tests/fixtures/README.md), with how each is shown.
const CORPUS: &[(&str, &str, &str)] = &[
    ("/rss2.xml", "corpus/feedjira09__BinaryCode.xml", "full"),
    (
        "/atom.xml",
        "corpus/feedjira09__graemenelsonHome.xml",
        "excerpt",
    ),
    ("/rss1.xml", "corpus/feedjira09__ArunGuptasBlog.xml", "full"),
    ("/feed.json", "corpus/nnw__allthis.json", "full"),
    (
        "/latin1.xml",
        "corpus/feedreader__Rss091Stadtfeuerwehr.xml",
        "title",
    ),
];

/// A tool a test needs: found, or the test skips (or fails under `PLANET_REQUIRE_TOOLS=1`).
pub fn require(what: &str, found: Option<PathBuf>) -> Option<PathBuf> {
    if found.is_none() {
        assert!(
            std::env::var("PLANET_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "{what} is required (PLANET_REQUIRE_TOOLS=1) but was not found; .ci/run installs it"
        );
        eprintln!("skip: {what} not found; install it (see .ci/run) to run this check");
    }
    found
}

pub fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|n| {
        std::env::split_paths(&path)
            .map(|d| d.join(n))
            .find(|p| p.is_file())
    })
}

fn jing() -> Option<PathBuf> {
    require("jing", on_path(&["jing"]))
}

/// `java` and the Nu checker's jar (`PLANET_VNU_JAR`, else where the machine setup puts it).
pub fn vnu() -> Option<(PathBuf, PathBuf)> {
    let jar = std::env::var_os("PLANET_VNU_JAR")
        .map(PathBuf::from)
        .or_else(|| {
            [
                "/opt/vnu/node_modules/vnu-jar/build/dist/vnu.jar",
                concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/.ci/node_modules/vnu-jar/build/dist/vnu.jar"
                ),
            ]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
        })
        .filter(|p| p.is_file());
    let java = require("java", on_path(&["java"]))?;
    let jar = require("the Nu Html Checker (vnu.jar, PLANET_VNU_JAR)", jar)?;
    Some((java, jar))
}

fn feedparser() -> Option<PathBuf> {
    let python = on_path(&["python3"]).filter(|p| {
        Command::new(p)
            .args(["-c", "import feedparser"])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    require("python3 with feedparser", python)
}

/// axe-core's script (`PLANET_AXE_JS`, else `.ci/node_modules`), the accessibility checker
/// that browsers' own audits use.
fn axe() -> Option<String> {
    let js = std::env::var_os("PLANET_AXE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/.ci/node_modules/axe-core/axe.min.js"
            ))
        });
    let js = require(
        "axe-core (npm; PLANET_AXE_JS)",
        Some(js).filter(|p| p.is_file()),
    )?;
    Some(std::fs::read_to_string(js).expect("read axe.min.js"))
}

fn chromium() -> Option<PathBuf> {
    require(
        "chromium",
        on_path(&["chromium", "chromium-browser", "google-chrome"]),
    )
}

/// Serves the corpus, the layout stress feed (wide picture, long code, wide table, long words)
/// and a missing feed, and publishes a planet from them.
fn published() -> (Server, Planet) {
    let server = Server::start();
    let mut feeds = String::new();
    for (path, file, show) in CORPUS {
        let ct = if path.ends_with(".json") {
            "application/feed+json"
        } else {
            "application/xml"
        };
        server.set(path, Route::ok(ct, fixture(file)));
        feeds.push_str(&format!(
            "[[feeds]]\nurl = \"{}\"\ndisplay = \"{show}\"\n\n",
            server.url(path)
        ));
    }
    let stress = String::from_utf8(fixture("layout/stress.atom"))
        .unwrap()
        .replace("{BASE}", &server.base);
    server.set("/stress.atom", Route::xml(stress));
    server.set(
        "/img/wide.svg",
        Route::ok("image/svg+xml", fixture("layout/wide.svg")),
    );
    server.set("/gone.xml", Route::status(404));
    for path in ["/stress.atom", "/gone.xml"] {
        feeds.push_str(&format!("[[feeds]]\nurl = \"{}\"\n\n", server.url(path)));
    }
    let planet = Planet::new(&format!(
        "{}{feeds}",
        planet_table(
            "description = \"Blogs & notes, for testing\"\nowner_email = \"owner@planet.test\"\nitems_per_page = 1000\nstale_days = 36500"
        )
    ));
    planet.run_ok(&["run"]);
    (server, planet)
}

fn output_dir(planet: &Planet) -> PathBuf {
    planet.dir.path().join("output")
}

#[test]
fn atom_xml_has_zero_rfc4287_schema_errors() {
    let Some(jing) = jing() else { return };
    let (_server, planet) = published();
    let schema = Path::new(FIXTURES).join("atom.rnc");
    let out = Command::new(jing)
        .arg("-c")
        .arg(&schema)
        .arg(planet.out_path("atom.xml"))
        .output()
        .expect("run jing");
    let report = String::from_utf8_lossy(&out.stdout);
    let errors = report.lines().filter(|l| l.contains(": error:")).count();
    assert!(
        out.status.success() && errors == 0,
        "jing found {errors} errors in atom.xml:\n{report}"
    );
}

#[test]
fn index_html_has_zero_nu_checker_errors() {
    let Some((java, jar)) = vnu() else { return };
    let (_server, planet) = published();
    let out = Command::new(java)
        .arg("-jar")
        .arg(jar)
        .args(["--errors-only", "--format", "json"])
        .arg(planet.out_path("index.html"))
        .output()
        .expect("run the Nu checker");
    let report: Value =
        serde_json::from_slice(&out.stderr).expect("the Nu checker reports JSON on stderr");
    let errors: Vec<&Value> = report["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["type"] == "error" || m["subType"] == "fatal")
        .collect();
    assert!(
        errors.is_empty(),
        "the Nu checker found {} errors in index.html: {errors:#?}",
        errors.len()
    );
}

/// The Nu checker's errors for a page, as JSON values.
pub fn nu_errors(java: &Path, jar: &Path, page: &Path) -> Vec<Value> {
    let out = Command::new(java)
        .arg("-jar")
        .arg(jar)
        .args(["--errors-only", "--format", "json"])
        .arg(page)
        .output()
        .expect("run the Nu checker");
    let report: Value =
        serde_json::from_slice(&out.stderr).expect("the Nu checker reports JSON on stderr");
    report["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["type"] == "error" || m["subType"] == "fatal")
        .cloned()
        .collect()
}

#[test]
fn real_world_markup_keeps_the_page_valid() {
    // Found on real feeds of the corpus: text double-encoded upstream carries C1 controls
    // (`â€\u{9d}`), which HTML forbids; images without `alt`; named anchors; links with characters RFC 3986 forbids (`[`, a space, a second `#`);
    // posts whose headings start at h4,
    // or open with their deepest level.
    let Some((java, jar)) = vnu() else { return };
    let server = Server::start();
    let item = |guid: &str, title: &str, body: &str| {
        format!(
            "<item><guid>https://w.test/{guid}</guid><title>{title}</title><link>https://w.test/{guid}</link><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate><description><![CDATA[{body}]]></description></item>"
        )
    };
    let feed = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>W</title><link>https://w.test/</link><description>d</description>{}{}{}{}{}</channel></rss>",
        item("1", "â€œquotedâ€\u{9d}", "<p>a â€œsmallâ€\u{9d} amount\u{85}</p>"),
        item("2", "Pictures", "<p><img src=\"https://w.test/a.png\"> and <img src=\"https://w.test/b.png\" alt=\"B\"> <a name=\"top\">here</a></p>"),
        item("3", "Subheads", "<p>intro</p><h4>First</h4><p>x</p><h5>Deeper</h5><p>y</p>"),
        item("4", "Update first", "<h3>Update</h3><p>u</p><h2>Main</h2><p>m</p>"),
        item("5[1]^x", "Odd links", "<p><a href=\"mailto:me @w.test\">mail</a> <a href=\"https://w.test/p#a#b\">p</a></p>"),
    );
    server.set("/w.xml", Route::xml(feed));
    let planet = Planet::with_feeds("", &[server.url("/w.xml")]);
    planet.run_ok(&["run"]);
    let html = planet.output("index.html");
    assert!(html.contains(r#"alt="B""#), "an alt text stays: {html}");
    let errors = nu_errors(&java, &jar, &planet.out_path("index.html"));
    assert!(
        errors.is_empty(),
        "the Nu checker found {} errors in index.html: {errors:#?}",
        errors.len()
    );
}

#[test]
fn readers_see_the_same_entries_in_atom_rss_and_json_feed() {
    let Some(python) = feedparser() else { return };
    let (_server, planet) = published();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/check_feeds.py");
    let out = Command::new(python)
        .arg(script)
        .arg(output_dir(&planet))
        .output()
        .expect("run check_feeds.py");
    assert!(
        out.status.success(),
        "check_feeds.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).expect("check_feeds.py prints JSON");
    for (feed, version) in [("atom.xml", "atom10"), ("rss.xml", "rss20")] {
        assert_eq!(
            r[feed]["bozo"], false,
            "feedparser flags {feed}: {}",
            r[feed]["bozo_exception"]
        );
        assert_eq!(r[feed]["version"], version, "{feed}");
        assert_eq!(r[feed]["title"], "Test Planet", "{feed}");
    }
    assert_eq!(
        r["atom.xml"]["self"],
        json!(["https://planet.test/atom.xml"])
    );
    assert_eq!(r["rss.xml"]["self"], json!(["https://planet.test/rss.xml"]));
    assert_eq!(
        r["feed.json"]["errors"],
        json!([]),
        "feed.json breaks JSON Feed 1.1"
    );

    let ids = &r["atom.xml"]["ids"];
    let expected = 10 + 15 + 15 + 12 + 15 + 3;
    assert_eq!(ids.as_array().map(Vec::len), Some(expected), "every entry");
    assert_eq!(
        &r["rss.xml"]["ids"], ids,
        "rss.xml: same entries, same order"
    );
    assert_eq!(
        &r["feed.json"]["ids"], ids,
        "feed.json: same entries, same order"
    );
    assert_eq!(r["rss.xml"]["titles"], r["atom.xml"]["titles"]);
    assert_eq!(r["feed.json"]["titles"], r["atom.xml"]["titles"]);
    // Each entry says where it came from, in both XML feeds.
    assert_eq!(r["rss.xml"]["sources"], r["atom.xml"]["sources"]);
    assert!(r["atom.xml"]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s.as_str().is_some_and(|s| !s.is_empty())));

    // The subscription list: every feed, with its title and URLs, importable.
    let opml = &r["opml.xml"];
    assert_eq!(opml["version"], "2.0");
    let feeds = opml["feeds"].as_array().unwrap();
    assert_eq!(feeds.len(), CORPUS.len() + 2);
    assert!(
        feeds
            .iter()
            .all(|f| f["type"] == "rss"
                && f["xmlUrl"].as_str().is_some_and(|u| u.starts_with("http")))
    );
    let arun = feeds
        .iter()
        .find(|f| f["text"] == "Arun Gupta's Blog")
        .expect("the RSS 1.0 feed is listed by its title");
    assert_eq!(arun["htmlUrl"], "http://weblogs.java.net/blog/arungupta/");
    match &opml["listparser"] {
        Value::Null => {
            require("python3 with listparser", None);
        }
        lp => {
            assert_eq!(lp["bozo"], false, "listparser: {}", lp["bozo_exception"]);
            assert_eq!(lp["title"], "Test Planet: subscriptions");
            let urls: Vec<&Value> = feeds.iter().map(|f| &f["xmlUrl"]).collect();
            assert_eq!(
                lp["urls"].as_array().unwrap().iter().collect::<Vec<_>>(),
                urls
            );
        }
    }
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
        std::fs::read_dir(output_dir(&planet))
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let name = e.file_name().to_string_lossy().into_owned();
                let bytes = std::fs::read(e.path()).unwrap();
                (name, (bytes, e.metadata().unwrap().modified().unwrap()))
            })
            .collect()
    };
    let first = snapshot();
    for name in [
        "index.html",
        "atom.xml",
        "rss.xml",
        "feed.json",
        "opml.xml",
        "style.css",
        "favicon.svg",
    ] {
        assert!(first.contains_key(name), "{name} is published");
    }
    // mtimes have at least a second's resolution on some filesystems.
    std::thread::sleep(Duration::from_millis(1100));
    planet.run_ok(&["run"]);
    planet.run_ok(&["render"]);
    let second = snapshot();
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (name, (bytes, mtime)) in &first {
        let (bytes2, mtime2) = &second[name];
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
    let theme = planet.dir.path().join("theme");
    std::fs::create_dir(&theme).unwrap();
    std::fs::write(
        theme.join("links.txt.tera"),
        "{{ planet.name }} by {{ planet.owner_name }}\n\
         {% for day in days %}{{ day.date }}: {% for e in day.entries %}{{ e.title }} <{{ e.link }}> from {{ e.source.name }}{% endfor %}\n{% endfor %}\
         {% for f in feeds %}feed {{ f.name }} {{ f.url }} failing={{ f.failing }} quiet={{ f.quiet }}\n{% endfor %}\
         entries={{ entries | length }} updated={{ updated }} generated={{ generated | length > 0 }}\n",
    )
    .unwrap();
    std::fs::write(theme.join("style.css"), "body { color: red }\n").unwrap();
    std::fs::write(theme.join("_partial.tera"), "not a page").unwrap();
    planet.run_ok(&["run"]);

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
    planet.run_ok(&["run"]);
    for name in ["rss.xml", "feed.json", "opml.xml"] {
        assert!(!planet.out_path(name).exists(), "{name} is off");
    }
    let html = planet.output("index.html");
    assert!(html.contains(r#"href="atom.xml""#));
    for name in ["rss.xml", "feed.json", "opml.xml"] {
        assert!(!html.contains(name), "the page does not link to {name}");
    }

    let planet = Planet::with_feeds("", &[server.url("/a.xml")]);
    planet.run_ok(&["run"]);
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
    planet.run_ok(&["run"]);
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
    let recent = (chrono::Utc::now() - chrono::Duration::days(2)).to_rfc2822();
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
    planet.run_ok(&["run"]);
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

/// Serves `output/` under `/site/` from the test server, as a web host would.
fn serve_output(server: &Server, planet: &Planet) {
    for e in std::fs::read_dir(output_dir(planet)).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        let ct = match name.rsplit('.').next() {
            Some("html") => "text/html; charset=utf-8",
            Some("css") => "text/css",
            Some("svg") => "image/svg+xml",
            Some("json") => "application/feed+json",
            _ => "application/xml",
        };
        server.set(
            &format!("/site/{name}"),
            Route::ok(ct, std::fs::read(e.path()).unwrap()),
        );
    }
}

#[test]
fn page_fits_phones_and_desktops_and_loads_every_resource() {
    let Some(chromium) = chromium() else { return };
    let (server, planet) = published();
    serve_output(&server, &planet);
    let artifacts = Path::new(env!("CARGO_BIN_EXE_planet"))
        .ancestors()
        .nth(2)
        .expect("target folder")
        .join("test-artifacts");
    let axe = axe();
    let mut browser = Browser::launch(&chromium);
    let page = browser.new_page();
    for domain in [
        "Page.enable",
        "Network.enable",
        "Log.enable",
        "Runtime.enable",
    ] {
        browser.call(Some(&page), domain, json!({}));
    }
    let url = server.url("/site/index.html");
    let mut shots = Vec::new();
    for (width, scheme) in [
        (375, "light"),
        (1280, "light"),
        (375, "dark"),
        (1280, "dark"),
    ] {
        browser.call(
            Some(&page),
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600 }),
        );
        browser.call(
            Some(&page),
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        );
        browser.events.clear();
        browser.call(Some(&page), "Page.navigate", json!({ "url": url }));
        browser.wait_for("Page.loadEventFired");
        // Let lazy images near the top arrive.
        browser.eval(&page, "new Promise(r => setTimeout(r, 300))");
        let layout = browser.eval(
            &page,
            r#"JSON.stringify({
                inner: window.innerWidth,
                scroll: document.documentElement.scrollWidth,
                body: document.body.scrollWidth,
                wide: [...document.querySelectorAll('body *')]
                    .filter(e => !e.closest('.skip, pre, table'))
                    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                    .slice(0, 5).map(e => e.tagName + '.' + e.className),
                picture: (document.querySelector('img[src$="wide.svg"]') || {}).naturalWidth,
                pictureShown: (document.querySelector('img[src$="wide.svg"]') || {}).clientWidth,
                dark: matchMedia('(prefers-color-scheme: dark)').matches,
                background: getComputedStyle(document.body).backgroundColor,
                height: document.documentElement.scrollHeight,
            })"#,
        );
        let layout: Value = serde_json::from_str(layout.as_str().unwrap()).unwrap();
        let at = format!("{width} px, {scheme}");
        // Every resource of our own origin loads; so does nothing the CSP refuses.
        let own = |u: &str| u.starts_with(&server.base);
        let mut urls = BTreeMap::new();
        let mut failures = Vec::new();
        for e in &browser.events {
            let p = &e["params"];
            match e["method"].as_str() {
                Some("Network.requestWillBeSent") => {
                    urls.insert(
                        p["requestId"].to_string(),
                        p["request"]["url"].as_str().unwrap_or_default().to_owned(),
                    );
                }
                Some("Network.responseReceived") => {
                    let u = p["response"]["url"].as_str().unwrap_or_default();
                    if own(u) && p["response"]["status"].as_i64().unwrap_or(0) >= 400 {
                        failures.push(format!("{u}: HTTP {}", p["response"]["status"]));
                    }
                }
                Some("Network.loadingFailed") => {
                    let u = urls
                        .get(&p["requestId"].to_string())
                        .cloned()
                        .unwrap_or_default();
                    if own(&u) {
                        failures.push(format!("{u}: {}", p["errorText"]));
                    }
                }
                Some("Log.entryAdded") => {
                    let entry = &p["entry"];
                    let text = entry["text"].as_str().unwrap_or_default();
                    if entry["level"] == "error"
                        && (own(entry["url"].as_str().unwrap_or_default())
                            || text.contains("Content Security Policy"))
                    {
                        failures.push(format!("console: {text}"));
                    }
                }
                _ => {}
            }
        }
        assert!(
            urls.values().any(|u| u.ends_with("/site/style.css")),
            "the stylesheet was requested at {at}"
        );
        assert!(
            failures.is_empty(),
            "resources failed at {at}: {failures:#?}"
        );

        assert!(
            layout["scroll"].as_i64() <= layout["inner"].as_i64(),
            "the page overflows horizontally at {at}: {layout}"
        );
        assert_eq!(layout["dark"], scheme == "dark", "{at}");
        assert_eq!(layout["picture"], 3000, "the local picture loaded at {at}");
        assert!(
            layout["pictureShown"].as_i64().unwrap() <= width,
            "the picture shrinks to the column at {at}: {layout}"
        );

        // Accessibility of the theme (feed content is the feeds' own): WCAG 2.1 A and AA
        // (contrast in both colour schemes, names, landmarks, lang) and axe's best practices.
        if let Some(axe) = &axe {
            browser.eval(&page, axe);
            let violations = browser.eval(
                &page,
                r#"axe.run({ exclude: [['.content']] }, {
                    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
                    resultTypes: ['violations'],
                }).then(r => JSON.stringify(r.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
                }))))"#,
            );
            let violations: Value = serde_json::from_str(violations.as_str().unwrap()).unwrap();
            assert_eq!(
                violations,
                json!([]),
                "axe-core finds accessibility violations at {at}"
            );
        }

        // A tall screenshot of the top of the page, as a test artifact.
        let height = layout["height"].as_i64().unwrap_or(900).clamp(900, 2400);
        browser.call(
            Some(&page),
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600 }),
        );
        let name = if scheme == "light" {
            format!("index-{width}.png")
        } else {
            format!("index-{width}-{scheme}.png")
        };
        shots.push(browser.screenshot(&page, &artifacts.join(name)));
        // And the end of the page (the sidebar on phones, the footer), one screen high.
        browser.call(
            Some(&page),
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": 1200, "deviceScaleFactor": 1, "mobile": width < 600 }),
        );
        browser.eval(
            &page,
            "window.scrollTo(0, document.documentElement.scrollHeight)",
        );
        let name = format!("index-{width}-{scheme}-end.png");
        shots.push(browser.screenshot(&page, &artifacts.join(name)));
    }
    eprintln!("screenshots: {shots:?}");
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
