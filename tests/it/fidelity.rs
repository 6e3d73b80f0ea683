//! What a subscriber of `atom.xml` reads back: every entry detail the feed gave, and nothing
//! hostile. Round trip through atom_syndication, the way a feed reader would parse it.

use crate::server::{Route, Server};
use crate::support::Planet;

const RICH_ATOM: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB">
  <title type="html">Jane &amp;amp; Co</title>
  <subtitle>notes</subtitle>
  <id>urn:feed:jane</id>
  <updated>2026-11-01T10:00:00Z</updated>
  <link rel="self" href="https://jane.test/atom.xml"/>
  <link href="https://jane.test/"/>
  <icon>javascript:alert(1)</icon>
  <entry>
    <id>urn:entry:1</id>
    <title type="xhtml" xml:lang="fr"><div xmlns="http://www.w3.org/1999/xhtml">Un <b>très</b> bon jour<script>alert(1)</script></div></title>
    <updated>2026-11-01T09:00:00Z</updated>
    <published>2026-10-31T09:00:00-05:00</published>
    <author><name>Jane</name><email>jane@jane.test</email><uri>javascript:alert(2)</uri></author>
    <contributor><name>Joe</name><uri>https://joe.test/</uri></contributor>
    <link href="https://jane.test/1"/>
    <link rel="enclosure" href="https://jane.test/1.mp3" type="audio/mpeg" length="4000000"/>
    <category term="rust" scheme="https://jane.test/tags" label="Rust"/>
    <category term=" "/>
    <rights type="html">&amp;copy; 2026 Jane</rights>
    <summary>Short &amp; sweet</summary>
    <content type="html">&lt;p onclick="x()"&gt;Long &lt;b&gt;body&lt;/b&gt;&lt;/p&gt;</content>
  </entry>
</feed>
"#;

fn served(path: &str, body: &str) -> (Server, Planet) {
    let server = Server::start();
    server.set(path, Route::xml(body.as_bytes().to_vec()));
    let planet = Planet::with_feeds("", &[server.url(path)]);
    (server, planet)
}

#[test]
fn atom_output_keeps_entry_details_and_drops_hostile_ones() {
    let (_server, planet) = served("/jane.xml", RICH_ATOM);
    planet.run_ok(&["run"]);
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

    crate::venus::validate_with_jing(&[("rich".to_owned(), xml.clone())]);

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
    let rss = r#"<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
  <title>News</title><link>https://news.test/</link><description>d</description>
  <language>de-AT</language>
  <image><url>https://news.test/logo.png</url><title>News</title><link>https://news.test/</link></image>
  <item><guid>https://news.test/a</guid><title>A</title><description>a</description>
    <enclosure url="https://news.test/a.mp3" length="12" type="audio/mpeg"/></item>
  <item><guid isPermaLink="false">b-1</guid><title>B</title><description>b</description>
    <source url="https://other.test/rss">Other</source></item>
</channel></rss>"#;
    let (_server, planet) = served("/news.xml", rss);
    planet.run_ok(&["run"]);
    let xml = planet.output("atom.xml");
    crate::venus::validate_with_jing(&[("rss".to_owned(), xml.clone())]);
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
    let (_server, planet) = served("/jane.xml", RICH_ATOM);
    planet.run_ok(&["run"]);
    let first = planet.output("atom.xml");
    let mtime = std::fs::metadata(planet.out_path("atom.xml"))
        .and_then(|m| m.modified())
        .expect("mtime");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    planet.run_ok(&["run"]);
    assert_eq!(planet.output("atom.xml"), first);
    let again = std::fs::metadata(planet.out_path("atom.xml"))
        .and_then(|m| m.modified())
        .expect("mtime");
    assert_eq!(mtime, again, "an unchanged atom.xml is not rewritten");
}
