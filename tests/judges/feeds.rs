//! The feeds judged by the readers and validators others wrote: Python feedparser (the parser
//! behind many readers) reads `atom.xml` and `rss.xml` without complaint and finds in them, and
//! in `feed.json` (checked against JSON Feed 1.1 by `tests/it/check_feeds.py`), the same
//! entries in the same order; `opml.xml` lists every feed; the W3C Feed Validator (the one
//! behind validator.w3.org/feed, run offline) judges `atom.xml` and `rss.xml`.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use crate::planets::{published, CORPUS};
use crate::tools::{feedparser, feedvalidator, require};

#[test]
fn readers_see_the_same_entries_in_atom_rss_and_json_feed() {
    let Some(python) = feedparser() else { return };
    let (_server, planet) = published();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/check_feeds.py");
    let out = Command::new(python)
        .arg(script)
        .arg(planet.dir.path().join("output"))
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
            require::<()>("python3 with listparser", None);
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

/// The W3C Feed Validator's report on one output file, published at `https://planet.test/`
/// under its path in the output folder (so its `rel="self"` link matches).
fn feedvalidator_report(python: &Path, script: &Path, file: &Path) -> Value {
    let name = file
        .components()
        .rev()
        .take_while(|c| c.as_os_str() != "output")
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    let out = Command::new(python)
        .arg(script)
        .arg(file)
        .args(["--base", &format!("https://planet.test/{name}")])
        .output()
        .expect("run the W3C Feed Validator");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "the feed validator failed on {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value =
        serde_json::from_slice(&out.stdout).expect("the feed validator prints JSON");
    eprintln!(
        "feed validator, {name}: {} errors, {} warnings: {:#?}",
        report["errors"],
        report["warnings"],
        report["events"].as_array().map(|e| e
            .iter()
            .map(|e| format!(
                "{} {} (line {}): {}",
                e["severity"], e["type"], e["line"], e["message"]
            ))
            .collect::<Vec<_>>())
    );
    report
}

#[test]
fn feeds_have_zero_w3c_feed_validator_errors_and_warnings() {
    let Some((python, script)) = feedvalidator() else {
        return;
    };
    let (_server, planet) = published();
    for name in ["atom.xml", "rss.xml"] {
        let report = feedvalidator_report(&python, &script, &planet.out_path(name));
        assert_eq!(
            (report["errors"].as_u64(), report["warnings"].as_u64()),
            (Some(0), Some(0)),
            "{name}: {report:#}"
        );
    }
}

#[test]
fn topic_feeds_have_zero_w3c_feed_validator_errors_and_warnings() {
    let Some((python, script)) = feedvalidator() else {
        return;
    };
    // Every entry of the fixture planet, in a topic: its feed is Atom from the same writer,
    // with an id and self link of its own and a title holding `&`.
    let (_server, planet) = crate::layout::published_with_pages("en");
    let topics = planet.out_path("topics");
    let feeds: Vec<_> = std::fs::read_dir(&topics)
        .expect("a topics folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    assert_eq!(feeds.len(), 1, "one topic, one feed: {feeds:?}");
    for feed in &feeds {
        let report = feedvalidator_report(&python, &script, feed);
        assert_eq!(report["feedType"], "atom", "{}", feed.display());
        assert_eq!(
            (report["errors"].as_u64(), report["warnings"].as_u64()),
            (Some(0), Some(0)),
            "{}: {report:#}",
            feed.display()
        );
    }
}
