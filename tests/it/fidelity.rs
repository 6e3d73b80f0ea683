//! What a subscriber of `atom.xml` reads back: every entry detail the feed gave, and nothing
//! hostile. Round trip through atom_syndication, the way a feed reader would parse it. That the
//! same `atom.xml` is valid Atom is jing's to say, in `tests/judges/schema.rs`.

use crate::server::{Route, Server};
use crate::support::{age, at, fixture, modified, t0, Planet};

/// An Atom feed whose one entry carries every detail RFC 4287 allows, hostile ones among them.
fn rich_atom() -> Vec<u8> {
    fixture("detail/rich.atom")
}

fn served(path: &str, body: Vec<u8>) -> (Server, Planet) {
    let server = Server::start();
    server.set(path, Route::xml(body));
    let planet = Planet::with_feeds("", &[server.url(path)]);
    (server, planet)
}

#[test]
fn atom_output_keeps_entry_details_and_drops_hostile_ones() {
    let (_server, planet) = served("/jane.xml", rich_atom());
    planet.run_at(t0());
    let xml = planet.output("atom.xml");
    let feed: atom_syndication::Feed = xml.parse().expect("atom.xml reads back");
    let e = &feed.entries()[0];

    assert_eq!(e.id(), "urn:entry:1");
    let title = e.title();
    assert_eq!(title.r#type, atom_syndication::TextType::Html);
    assert_eq!(title.lang.as_deref(), Some("fr"));
    assert!(title.value.contains("<b>très</b>"), "{}", title.value);
    assert_eq!(
        e.published().map(|d| d.to_rfc3339()).as_deref(),
        Some("2026-10-31T14:00:00+00:00")
    );

    let a = &e.authors()[0];
    assert_eq!((a.name(), a.email()), ("Jane", Some("jane@jane.test")));
    assert_eq!(a.uri(), None, "a javascript: URI is never passed on");
    assert_eq!(e.contributors()[0].uri(), Some("https://joe.test/"));

    let enclosure = e
        .links()
        .iter()
        .find(|l| l.rel() == "enclosure")
        .expect("enclosure");
    assert_eq!(enclosure.length(), Some("4000000"));
    assert_eq!(enclosure.mime_type(), Some("audio/mpeg"));
    assert_eq!(e.links()[0].href(), "https://jane.test/1");

    assert_eq!(e.categories().len(), 1, "a blank term is dropped");
    let c = &e.categories()[0];
    assert_eq!(
        (c.term(), c.scheme(), c.label()),
        ("rust", Some("https://jane.test/tags"), Some("Rust"))
    );

    assert!(e.rights().expect("rights").value.contains("© 2026 Jane"));
    assert_eq!(e.summary().expect("summary").value, "Short & sweet");
    let content = e.content().expect("content");
    assert_eq!(
        content.lang.as_deref(),
        Some("en-GB"),
        "inherits the feed's language"
    );
    assert!(content.value().unwrap_or("").contains("<b>body</b>"));

    let s = e.source().expect("atom:source");
    assert_eq!(s.id(), "urn:feed:jane");
    assert_eq!(
        (s.title().r#type, s.title().value.as_str()),
        (atom_syndication::TextType::Text, "Jane & Co"),
        "an html title without markup is written as the text it shows"
    );
    assert_eq!(s.subtitle().map(|t| t.value.as_str()), Some("notes"));
    assert!(s
        .links()
        .iter()
        .any(|l| l.rel() == "self" && l.href() == "https://jane.test/atom.xml"));
    assert_eq!(s.icon(), None, "a javascript: icon is never passed on");

    for hostile in ["<script", "onclick", "javascript:"] {
        assert!(!xml.contains(hostile), "{hostile} survived into atom.xml");
    }

    let html = planet.output("index.html");
    assert!(
        html.contains(r#"<article class="entry" lang="en-GB">"#),
        "the page says which language each entry is in"
    );
    assert!(
        html.contains("Un très bon jour"),
        "the xhtml title, as text"
    );
}

#[test]
fn rss_details_reach_atom_output() {
    let (_server, planet) = served("/news.xml", fixture("detail/news.rss"));
    planet.run_at(t0());
    let xml = planet.output("atom.xml");
    let feed: atom_syndication::Feed = xml.parse().expect("reads back");
    let by_id = |id: &str| {
        feed.entries()
            .iter()
            .find(|e| e.id() == id)
            .unwrap_or_else(|| panic!("entry {id}"))
    };

    let a = by_id("https://news.test/a");
    assert_eq!(a.title().lang.as_deref(), Some("de-AT"));
    assert_eq!(
        a.links()[0].href(),
        "https://news.test/a",
        "a permalink guid is the link"
    );
    assert!(a
        .links()
        .iter()
        .any(|l| l.rel() == "enclosure" && l.length() == Some("12")));
    assert_eq!(
        a.source().and_then(|s| s.logo()),
        Some("https://news.test/logo.png")
    );

    // A guid that is no URI is minted into an absolute id.
    let b = feed
        .entries()
        .iter()
        .find(|e| e.title().value == "B")
        .expect("entry B");
    assert!(b.id().starts_with("urn:planet:"), "{}", b.id());
    assert!(
        b.links().iter().all(|l| l.href() != "b-1"),
        "isPermaLink=false is no link"
    );
    let s = b.source().expect("source");
    assert_eq!(
        s.title().value,
        "Other",
        "the item's own <source> is its atom:source"
    );
    assert_eq!(s.links()[0].href(), "https://other.test/rss");
}

#[test]
fn second_run_leaves_the_detailed_feed_untouched() {
    let (_server, planet) = served("/jane.xml", rich_atom());
    planet.run_at(t0());
    let first = planet.output("atom.xml");
    let mtime = age(&planet.out_path("atom.xml"));
    planet.run_at(at(1));
    assert_eq!(planet.output("atom.xml"), first);
    assert_eq!(
        modified(&planet.out_path("atom.xml")),
        mtime,
        "an unchanged atom.xml is not rewritten"
    );
}
