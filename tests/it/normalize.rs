//! Faithful normalization, as readers of the outputs see it: encodings, characters XML
//! forbids, dates, authors, titles, relative URLs, feeds feed-rs alone rejects, stable ids and
//! the place of an edited entry.

use crate::server::{Route, Server};
use crate::support::{at, planet_table, t0, Planet};

fn rss_item(guid: &str, title: &str, link: &str, date: &str, body: &str) -> String {
    format!(
        "<item><guid>{guid}</guid><title>{title}</title><link>{link}</link><pubDate>{date}</pubDate><description>{body}</description></item>"
    )
}

fn rss_doc(items: &str) -> String {
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed</title><link>https://f.test/</link>{items}</channel></rss>")
}

/// Title → (published, author) of every entry of `atom.xml`.
fn by_title(planet: &Planet) -> Vec<(String, Option<String>, String)> {
    planet
        .atom()
        .entries
        .iter()
        .map(|e| {
            (
                e.title
                    .as_ref()
                    .map(|t| t.content.clone())
                    .unwrap_or_default(),
                e.published.map(|d| d.to_rfc3339()),
                e.authors
                    .first()
                    .and_then(|a| a.name.clone())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn http_charset_outranks_the_xml_declaration() {
    let server = Server::start();
    let mut body = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Caf\xe9</title>".to_vec();
    body.extend_from_slice(b"<item><guid>1</guid><title>Cr\xe8me br\xfbl\xe9e</title><link>https://c.test/1</link><description>x</description></item></channel></rss>");
    server.set(
        "/latin1.xml",
        Route::ok("text/xml; charset=ISO-8859-1", body),
    );
    let planet = Planet::with_feeds("", &[server.url("/latin1.xml")]);
    planet.run_at(t0());
    assert_eq!(planet.atom_titles(), ["Crème brûlée"]);
    // The feed's title names it on the page (it has no home page to link to).
    assert!(planet.output("index.html").contains(">Café<"));
}

#[test]
fn undeclared_windows_1252_and_invalid_bytes_do_not_lose_the_feed() {
    let server = Server::start();
    // No declaration, no charset: UTF-8 by default, but these bytes are windows-1252.
    let body = b"<rss version=\"2.0\"><channel><title>W</title><item><guid>1</guid>\
        <title>\x93Quoted\x94 \x96 it\x92s</title><link>https://w.test/1</link>\
        <description>caf\xc3\xa9 and a stray \xff byte</description></item></channel></rss>";
    server.set("/w.xml", Route::ok("application/rss+xml", body.to_vec()));
    let planet = Planet::with_feeds("", &[server.url("/w.xml")]);
    planet.run_at(t0());
    assert_eq!(
        planet.atom_titles(),
        ["\u{201c}Quoted\u{201d} \u{2013} it\u{2019}s"]
    );
    let html = planet.output("index.html");
    assert!(html.contains("café and a stray ÿ byte"), "{html}");
}

#[test]
fn utf16_feed_is_read() {
    let server = Server::start();
    let text = rss_doc(&rss_item(
        "1",
        "Ünïcödé",
        "https://u.test/1",
        "Tue, 03 Mar 2026 10:00:00 GMT",
        "x",
    ))
    .replace(
        "<?xml version=\"1.0\"?>",
        "<?xml version=\"1.0\" encoding=\"utf-16\"?>",
    );
    let mut body = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        body.extend_from_slice(&unit.to_le_bytes());
    }
    server.set("/u.xml", Route::xml(body));
    let planet = Planet::with_feeds("", &[server.url("/u.xml")]);
    planet.run_at(t0());
    assert_eq!(planet.atom_titles(), ["Ünïcödé"]);
}

#[test]
fn characters_xml_forbids_never_reach_atom_xml() {
    let server = Server::start();
    let body = format!(
        "<rss version=\"2.0\"><channel><title>C\u{c}</title>{}</channel></rss>",
        rss_item(
            "1",
            "a\u{c}b&#12;c&#x1;",
            "https://c.test/1",
            "Tue, 03 Mar 2026 10:00:00 GMT",
            "&lt;p&gt;x&amp;#12;y\u{b}z&lt;/p&gt;"
        )
    );
    server.set("/c.xml", Route::xml(body));
    let planet = Planet::with_feeds("", &[server.url("/c.xml")]);
    planet.run_at(t0());
    let atom = planet.output("atom.xml");
    assert!(
        !atom
            .chars()
            .any(|c| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}')),
        "no forbidden characters"
    );
    assert!(
        !atom.contains("&#12;") && !atom.contains("&#xC;"),
        "not even escaped"
    );
    assert_eq!(planet.atom_titles(), ["abc"]);
    atom_syndication::Feed::read_from(atom.as_bytes()).expect("atom.xml is well-formed");
}

#[test]
fn dates_are_read_in_their_real_world_forms() {
    let server = Server::start();
    let future = (t0() + chrono::Duration::days(400))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let items = [
        rss_item(
            "1",
            "Full names EST",
            "https://d.test/1",
            "Tuesday, 3 March 2026 10:00:00 EST",
            "x",
        ),
        rss_item(
            "2",
            "ISO no zone",
            "https://d.test/2",
            "2026-03-02 08:00:00",
            "x",
        ),
        rss_item(
            "3",
            "No seconds",
            "https://d.test/3",
            "01 Mar 2026 06:00 +0100",
            "x",
        ),
        rss_item(
            "4",
            "Two-digit year",
            "https://d.test/4",
            "Sat, 28 Feb 26 12:00:00 GMT",
            "x",
        ),
        rss_item("5", "No date", "https://d.test/5", "", "x"),
        rss_item("6", "Future", "https://d.test/6", &future, "x"),
    ]
    .concat();
    server.set("/d.xml", Route::xml(rss_doc(&items)));
    let planet = Planet::with_feeds("", &[server.url("/d.xml")]);
    planet.run_at(t0());
    let atom = planet.atom();
    let published = |title: &str| {
        atom.entries
            .iter()
            .find(|e| e.title.as_ref().is_some_and(|t| t.content == title))
            .unwrap_or_else(|| panic!("{title} published"))
            .clone()
    };
    let iso = |e: &feed_rs::model::Entry| e.published.map(|d| d.to_rfc3339());
    assert_eq!(
        iso(&published("Full names EST")).as_deref(),
        Some("2026-03-03T15:00:00+00:00")
    );
    assert_eq!(
        iso(&published("ISO no zone")).as_deref(),
        Some("2026-03-02T08:00:00+00:00")
    );
    assert_eq!(
        iso(&published("No seconds")).as_deref(),
        Some("2026-03-01T05:00:00+00:00")
    );
    assert_eq!(
        iso(&published("Two-digit year")).as_deref(),
        Some("2026-02-28T12:00:00+00:00")
    );
    // No date: the time the planet first saw it; a future date counts as that time too.
    for title in ["No date", "Future"] {
        let e = published(title);
        let shown = e
            .published
            .or(Some(e.updated.expect("updated")))
            .expect("a date");
        assert_eq!(shown, t0(), "{title}");
    }
    // The future one sorts at first-seen time, so it leads the page; the dated ones follow in
    // order; the undated one comes after every dated entry of its run.
    let titles = planet.atom_titles();
    assert_eq!(
        titles,
        [
            "Future",
            "Full names EST",
            "ISO no zone",
            "No seconds",
            "Two-digit year",
            "No date"
        ]
    );
}

#[test]
fn author_is_the_entrys_else_the_feeds_else_the_configured_name() {
    let server = Server::start();
    let atom_feed = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:a</id>
      <author><name>Feed Author</name></author><updated>2026-03-03T10:00:00Z</updated>
      <entry><id>a1</id><title>Own author</title><author><name>Entry Author</name></author>
        <link href="https://a.test/1"/><updated>2026-03-03T10:00:00Z</updated></entry>
      <entry><id>a2</id><title>Feed's author</title><link href="https://a.test/2"/>
        <updated>2026-03-03T09:00:00Z</updated></entry></feed>"#;
    let rss_feed = rss_doc(&format!(
        "{}{}",
        rss_item("r1", "Nobody", "https://r.test/1", "Tue, 03 Mar 2026 08:00:00 GMT", "x"),
        "<item><guid>r2</guid><title>RSS address</title><link>https://r.test/2</link><author>jane@r.test (Jane Doe)</author><pubDate>Tue, 03 Mar 2026 07:00:00 GMT</pubDate></item>"
    ));
    server.set("/a.xml", Route::xml(atom_feed));
    server.set("/r.xml", Route::xml(rss_feed));
    let planet = Planet::new(&format!(
        "{}[[feeds]]\nurl = \"{}\"\n\n[[feeds]]\nurl = \"{}\"\nname = \"Configured Name\"\n",
        planet_table(""),
        server.url("/a.xml"),
        server.url("/r.xml")
    ));
    planet.run_at(t0());
    let authors: Vec<(String, String)> = by_title(&planet)
        .into_iter()
        .map(|(t, _, a)| (t, a))
        .collect();
    let expect = [
        ("Own author", "Entry Author"),
        ("Feed's author", "Feed Author"),
        ("Nobody", "Configured Name"),
        ("RSS address", "Jane Doe"),
    ];
    for (title, author) in expect {
        assert!(
            authors.contains(&(title.to_owned(), author.to_owned())),
            "{title} by {author}: {authors:?}"
        );
    }
    // On the page the entry is credited to the configured name (the byline leaves out an
    // author that is the source itself).
    assert!(planet.output("index.html").contains(">Configured Name</"));
}

#[test]
fn an_empty_author_is_no_author() {
    let server = Server::start();
    let atom_feed = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:a</id>
      <author><name>Feed Author</name></author><updated>2026-03-03T10:00:00Z</updated>
      <entry><id>a1</id><title>Empty author</title><author><name></name></author>
        <link href="https://a.test/1"/><updated>2026-03-03T10:00:00Z</updated></entry>
      <entry><id>a2</id><title>No author</title><link href="https://a.test/2"/>
        <updated>2026-03-03T09:00:00Z</updated></entry></feed>"#;
    server.set("/a.xml", Route::xml(atom_feed));
    let planet = Planet::with_feeds("", &[server.url("/a.xml")]);
    planet.run_at(t0());
    let atom = planet.atom();
    for e in &atom.entries {
        let names: Vec<_> = e.authors.iter().map(|a| a.name.clone()).collect();
        assert_eq!(names, [Some("Feed Author".to_owned())], "{:?}", e.title);
    }
    assert!(!planet.output("atom.xml").contains("<name></name>"));
    // One rule for every output: the same person in rss.xml and feed.json.
    let rss = planet.output("rss.xml");
    assert_eq!(
        rss.matches("<dc:creator>Feed Author</dc:creator>").count(),
        2,
        "{rss}"
    );
    let json: serde_json::Value = serde_json::from_str(&planet.output("feed.json")).unwrap();
    for item in json["items"].as_array().unwrap() {
        assert_eq!(
            item["authors"],
            serde_json::json!([{"name": "Feed Author"}]),
            "{item}"
        );
    }
}

#[test]
fn a_person_known_only_by_an_address_is_credited_alike_everywhere() {
    let server = Server::start();
    let atom_feed = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>The Blog</title><id>urn:b</id>
      <updated>2026-03-03T10:00:00Z</updated>
      <entry><id>b1</id><title>Address only</title>
        <author><name></name><email>jane@b.test</email></author>
        <contributor><name> </name></contributor>
        <contributor><email>not an address</email></contributor>
        <link href="https://b.test/1"/><updated>2026-03-03T10:00:00Z</updated></entry></feed>"#;
    server.set("/b.xml", Route::xml(atom_feed));
    let planet = Planet::with_feeds("", &[server.url("/b.xml")]);
    planet.run_ok(&["run"]);
    let atom = planet.output("atom.xml");
    assert!(
        atom.contains("<name>The Blog</name>\n      <email>jane@b.test</email>"),
        "named as the entry is credited, the address kept: {atom}"
    );
    assert!(
        !atom.contains("<contributor>"),
        "no one left to name: {atom}"
    );
    assert!(planet
        .output("rss.xml")
        .contains("<dc:creator>The Blog</dc:creator>"));
    let json: serde_json::Value = serde_json::from_str(&planet.output("feed.json")).unwrap();
    assert_eq!(
        json["items"][0]["authors"],
        serde_json::json!([{"name": "The Blog"}])
    );
}

#[test]
fn titles_are_text_and_never_empty_on_the_page() {
    let server = Server::start();
    let rss = rss_doc(&format!(
        "{}<item><guid>2</guid><link>https://t.test/2</link><description>&lt;p&gt;No title here, &lt;b&gt;only&lt;/b&gt; a body that goes on&lt;/p&gt;</description></item>",
        rss_item("1", "&lt;b&gt;Bold&lt;/b&gt; &amp; co", "https://t.test/1", "Tue, 03 Mar 2026 10:00:00 GMT", "x")
    ));
    let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:t</id><updated>2026-03-03T10:00:00Z</updated>
      <entry><id>h</id><title type="html">&lt;em&gt;Markup&lt;/em&gt; &amp;amp; more</title><link href="https://t.test/h"/><updated>2026-03-03T09:00:00Z</updated></entry>
      <entry><id>e</id><title></title><link href="https://t.test/e"/><updated>2026-03-03T08:00:00Z</updated><content type="text">Plain words only</content></entry></feed>"#;
    server.set("/t.xml", Route::xml(rss));
    server.set("/a.xml", Route::xml(atom));
    let planet = Planet::with_feeds("", &[server.url("/t.xml"), server.url("/a.xml")]);
    planet.run_at(t0());
    let titles = planet.atom_titles();
    // An RSS title that is HTML (escaped once, as RSS carries HTML) is HTML, as feedparser
    // reads it: an end tag and nothing but HTML elements.
    assert!(
        titles.contains(&"<b>Bold</b> &amp; co".to_owned()),
        "{titles:?}"
    );
    // Entries their feeds gave no title (or an empty one) keep an empty title in atom.xml, as
    // Planet Venus writes them: a reader shows their text instead.
    assert_eq!(
        titles.iter().filter(|t| t.is_empty()).count(),
        2,
        "{titles:?}"
    );
    // An HTML title stays HTML in atom.xml (type="html", as the feed gave it), whose text is
    // "Markup & more".
    assert!(
        titles.contains(&"<em>Markup</em> &amp; more".to_owned()),
        "{titles:?}"
    );
    let html = planet.output("index.html");
    assert!(
        html.contains(">Bold &amp; co</a>") && !html.contains("&lt;b&gt;Bold"),
        "an RSS title that is HTML shows as its text"
    );
    // On the page, an empty title is no title: one derived from the content stands in.
    assert!(
        html.contains(">Plain words only</a>")
            && html.contains(">No title here, only a body that goes on</a>"),
        "derived titles on the page"
    );
    assert!(!html.contains("\"></a>"), "no empty link");
}

#[test]
fn relative_urls_become_absolute() {
    let server = Server::start();
    let rss = rss_doc(&rss_item(
        "1",
        "RSS",
        "https://r.test/posts/1/",
        "Tue, 03 Mar 2026 10:00:00 GMT",
        "&lt;a href=\"../2/\"&gt;next&lt;/a&gt;&lt;img src=\"img.png\" srcset=\"a.png 1x, /b.png 2x\"&gt;&lt;video poster=\"p.jpg\" src=\"v.mp4\"&gt;&lt;/video&gt;",
    ));
    let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://base.test/blog/"><title>A</title><id>urn:b</id><updated>2026-03-03T10:00:00Z</updated>
      <entry xml:base="2026/"><id>b1</id><title>Atom</title><link href="posts/b1"/><updated>2026-03-03T09:00:00Z</updated>
        <content type="html">&lt;a href="x.html"&gt;x&lt;/a&gt;</content></entry></feed>"#;
    // No link anywhere: the feed's own URL after the redirect is the base.
    let nolink = "<rss version=\"2.0\"><channel><title>N</title><item><guid>n1</guid><title>No link</title><pubDate>Tue, 03 Mar 2026 08:00:00 GMT</pubDate><description>&lt;img src=\"pic.png\"&gt;</description></item></channel></rss>";
    server.set("/r.xml", Route::xml(rss));
    server.set("/a.xml", Route::xml(atom));
    server.set(
        "/old.xml",
        Route::status(301).with_header("Location", &server.url("/moved/feed.xml")),
    );
    server.set("/moved/feed.xml", Route::xml(nolink));
    let planet = Planet::with_feeds(
        "",
        &[
            server.url("/r.xml"),
            server.url("/a.xml"),
            server.url("/old.xml"),
        ],
    );
    planet.run_at(t0());
    let html = planet.output("index.html");
    for want in [
        "href=\"https://r.test/posts/2/\"",
        "src=\"https://r.test/posts/1/img.png\"",
        "srcset=\"https://r.test/posts/1/a.png 1x, https://r.test/b.png 2x\"",
        "poster=\"https://r.test/posts/1/p.jpg\"",
        "src=\"https://r.test/posts/1/v.mp4\"",
        "href=\"https://base.test/blog/2026/x.html\"",
        // The entry's own link, as the theme prints it.
        "href=\"https://base.test/blog/2026/posts/b1\"",
        &format!("src=\"{}\"", server.url("/moved/pic.png")),
    ] {
        assert!(html.contains(want), "{want} in {html}");
    }
}

#[test]
fn feeds_feed_rs_rejects_are_still_read() {
    let server = Server::start();
    let item = |g: &str, t: &str| {
        rss_item(
            g,
            t,
            &format!("https://l.test/{g}"),
            "Tue, 03 Mar 2026 10:00:00 GMT",
            "x",
        )
    };
    let cases: Vec<(&str, String, &str)> = vec![
        ("/noversion.xml", format!("<rss><channel><title>N</title>{}</channel></rss>", item("nv", "No version")), "No version"),
        ("/nbsp.xml", rss_doc(&item("nb", "Non&nbsp;breaking&hellip; &eacute;t&eacute;")), "Non\u{a0}breaking… été"),
        ("/ws.xml", format!("\n\n   {}", rss_doc(&item("ws", "Leading whitespace"))), "Leading whitespace"),
        ("/amp.xml", rss_doc(&item("am", "R&D & more")), "R&D & more"),
        (
            "/atom03.xml",
            "<?xml version=\"1.0\"?><feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"><title>Old</title><entry><title>Atom 0.3</title><link rel=\"alternate\" type=\"text/html\" href=\"https://l.test/a03\"/><id>a03</id><issued>2026-03-03T10:00:00Z</issued><modified>2026-03-03T10:00:00Z</modified></entry></feed>".to_owned(),
            "Atom 0.3",
        ),
        (
            "/rss090.xml",
            "<?xml version=\"1.0\"?><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://my.netscape.com/rdf/simple/0.9/\"><channel><title>Old</title><link>https://l.test/</link></channel><item><title>RSS 0.90</title><link>https://l.test/r090</link></item></rdf:RDF>".to_owned(),
            "RSS 0.90",
        ),
        (
            "/truncated.xml",
            format!("{}{}", rss_doc(&item("tr", "Before the cut")).replace("</channel></rss>", ""), "<item><title>Cut"),
            "Before the cut",
        ),
    ];
    let urls: Vec<String> = cases
        .iter()
        .map(|(path, body, _)| {
            server.set(path, Route::xml(body.clone()));
            server.url(path)
        })
        .collect();
    let planet = Planet::with_feeds("", &urls);
    let warnings = planet.run_at(t0());
    assert!(warnings.is_empty(), "{warnings:?}");
    let titles = planet.atom_titles();
    for (path, _, title) in &cases {
        assert!(
            titles.contains(&(*title).to_owned()),
            "{path}: {title} in {titles:?}"
        );
    }
    assert_eq!(
        titles.len(),
        cases.len(),
        "the cut entry is not published: {titles:?}"
    );
}

#[test]
fn two_feeds_with_the_same_relative_ids_publish_distinct_absolute_ones() {
    // Jekyll writes an entry's id as its path: two blogs share `/2025/08/26/post`.
    let feed = |blog: &str| {
        format!(
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>{blog}</title><id>/</id>
          <updated>2026-03-03T10:00:00Z</updated>
          <entry><id>/2025/08/26/post</id><title>{blog} post</title>
            <link href="/2025/08/26/post.html"/><updated>2026-03-03T10:00:00Z</updated></entry>
          <entry><id>post-1</id><title>{blog} other</title>
            <link href="/other.html"/><updated>2026-03-03T09:00:00Z</updated></entry></feed>"#
        )
    };
    let (one, two) = (Server::start(), Server::start());
    one.set("/feed.xml", Route::xml(feed("One")));
    two.set("/feed.xml", Route::xml(feed("Two")));
    let planet = Planet::with_feeds("", &[one.url("/feed.xml"), two.url("/feed.xml")]);
    planet.run_at(t0());
    let atom = planet.atom();
    let ids: Vec<&str> = atom.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), 4, "{ids:?}");
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), 4, "no id twice: {ids:?}");
    for id in &ids {
        assert!(url::Url::parse(id).is_ok(), "{id} is absolute");
    }
    for server in [&one, &two] {
        let want = server.url("/2025/08/26/post");
        assert!(ids.contains(&want.as_str()), "{want} in {ids:?}");
    }
}

#[test]
fn ids_are_stable_and_an_edited_entry_keeps_its_place() {
    let server = Server::start();
    let feed = |b_updated: &str, b_body: &str| {
        format!(
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>E</title><id>urn:e</id><updated>2026-03-03T10:00:00Z</updated>
          <entry><id>a</id><title>A</title><link href="https://e.test/a"/><updated>2026-03-03T10:00:00Z</updated><content>a</content></entry>
          <entry><id>b</id><title>B</title><link href="https://e.test/b"/><updated>{b_updated}</updated><content>{b_body}</content></entry></feed>"#
        )
    };
    // An RSS feed without guids or links: ids come from feed, title and date.
    let noguid = |body: &str| {
        format!("<rss version=\"2.0\"><channel><title>G</title><item><title>Guidless</title><pubDate>Tue, 03 Mar 2026 06:00:00 GMT</pubDate><description>{body}</description></item></channel></rss>")
    };
    server.set("/e.xml", Route::xml(feed("2026-03-03T09:00:00Z", "b")));
    server.set("/g.xml", Route::xml(noguid("first")));
    for sort_by in ["published", "updated"] {
        let planet = Planet::with_feeds(
            &format!("sort_by = \"{sort_by}\""),
            &[server.url("/e.xml"), server.url("/g.xml")],
        );
        server.set("/e.xml", Route::xml(feed("2026-03-03T09:00:00Z", "b")));
        server.set("/g.xml", Route::xml(noguid("first")));
        planet.run_at(t0());
        let ids = |p: &Planet| {
            p.atom()
                .entries
                .iter()
                .map(|e| e.id.clone())
                .collect::<Vec<_>>()
        };
        let first_ids = ids(&planet);
        assert_eq!(planet.atom_titles(), ["A", "B", "Guidless"]);
        // Upstream edits B (new `updated`, new content) and the guidless entry's body.
        server.set(
            "/e.xml",
            Route::xml(feed("2026-03-03T11:00:00Z", "b, edited")),
        );
        server.set("/g.xml", Route::xml(noguid("first, edited")));
        planet.run_at(at(1));
        let mut second_ids = ids(&planet);
        let mut sorted_first = first_ids.clone();
        sorted_first.sort();
        second_ids.sort();
        assert_eq!(
            sorted_first, second_ids,
            "{sort_by}: same ids, no duplicates"
        );
        let expected = if sort_by == "published" {
            ["A", "B", "Guidless"]
        } else {
            ["B", "A", "Guidless"]
        };
        assert_eq!(planet.atom_titles(), expected, "sort_by = {sort_by}");
        assert!(planet.output("index.html").contains("b, edited"));
    }
}

#[test]
fn a_numeric_zone_is_never_read_as_the_year() {
    // chrono's strict RFC 2822 refuses a wrong or full day name, so these reach the lenient
    // reader, which took `+0100` for a year: the entries were dated year 100 (or 0).
    let server = Server::start();
    let items = [
        rss_item(
            "1",
            "Wrong day name",
            "https://z.test/1",
            "Mon, 20 Nov 2026 10:00:00 +0000",
            "x",
        ),
        rss_item(
            "2",
            "Full day name",
            "https://z.test/2",
            "Thursday, 19 November 2026 10:00:00 +0100",
            "x",
        ),
        rss_item(
            "3",
            "Glued zone",
            "https://z.test/3",
            "Wed, 18 Nov 2026 10:00:00-0500",
            "x",
        ),
    ]
    .concat();
    server.set("/z.xml", Route::xml(rss_doc(&items)));
    let planet = Planet::with_feeds("", &[server.url("/z.xml")]);
    planet.run_at(t0());
    assert_eq!(
        by_title(&planet)
            .into_iter()
            .map(|(t, published, _)| (t, published))
            .collect::<Vec<_>>(),
        [
            (
                "Wrong day name".into(),
                Some("2026-11-20T10:00:00+00:00".into())
            ),
            (
                "Full day name".into(),
                Some("2026-11-19T09:00:00+00:00".into())
            ),
            (
                "Glued zone".into(),
                Some("2026-11-18T15:00:00+00:00".into())
            ),
        ]
    );
}

#[test]
fn real_feeds_feed_rs_alone_rejects_are_read() {
    // (fixture, served Content-Type, entries, a title that must come through intact)
    let cases = [
        (
            "corpus/miniflux__no_encoding_ISO-8859-1.xml",
            "application/xml",
            10,
            None,
        ),
        (
            "corpus/nodefp__iconv.xml",
            "text/xml",
            10,
            Some("прошло в Оренбургской области"),
        ),
        (
            "corpus/nodefp__saxerror.xml",
            "application/rss+xml",
            3,
            Some("Item After Error"),
        ),
        ("corpus/rsrss__rss090.xml", "application/rdf+xml", 5, None),
        (
            "corpus/feedjira09__Juniordeveloper.xml",
            "application/atom+xml",
            50,
            None,
        ),
    ];
    for (file, content_type, entries, title) in cases {
        let server = Server::start();
        server.set("/f", Route::ok(content_type, crate::support::fixture(file)));
        // Every entry, those of feeds without dates too.
        let planet = Planet::with_feeds(
            "items_per_page = 1000\nnew_feed_items = 1000",
            &[server.url("/f")],
        );
        let warnings = planet.run_at(t0());
        assert!(warnings.is_empty(), "{file}: {warnings:?}");
        let titles = planet.atom_titles();
        assert_eq!(titles.len(), entries, "{file}: {titles:?}");
        assert!(
            !planet.output("atom.xml").contains('\u{FFFD}'),
            "{file}: no replacement characters"
        );
        if let Some(t) = title {
            assert!(
                titles.iter().any(|x| x.contains(t)),
                "{file}: {t} in {titles:?}"
            );
        }
    }
}

#[test]
fn json_feed_with_the_http_version_url_is_read() {
    // Early JSON Feeds (and some generators still) write `http://jsonfeed.org/version/1`;
    // feed-rs knows only the https spelling and refused the whole feed.
    let server = Server::start();
    let body = r#"{"version": "http://jsonfeed.org/version/1", "title": "J",
        "home_page_url": "https://j.test/",
        "items": [{"id": "https://j.test/1", "url": "https://j.test/1", "title": "Hello JSON",
                   "content_html": "<p>hi</p>", "date_published": "2026-11-02T10:00:00Z"}]}"#;
    server.set("/j.json", Route::ok("application/json", body));
    let planet = Planet::with_feeds("", &[server.url("/j.json")]);
    let warnings = planet.run_at(t0());
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(planet.atom_titles(), ["Hello JSON"]);
}

#[test]
fn a_json_feed_field_of_the_wrong_type_loses_only_that_field() {
    // A real feed writes its tags as one string; JSON Feed has an array there, and feed-rs
    // refused the whole feed over it.
    let server = Server::start();
    let body = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "J",
        "home_page_url": "https://j.test/",
        "items": [
          {"id": "https://j.test/1", "url": "https://j.test/1", "title": "Tagged wrong",
           "tags": "workflow,omnifocus", "content_html": "<p>one</p>",
           "date_published": "2026-11-02T10:00:00Z"},
          {"id": "https://j.test/2", "url": "https://j.test/2", "title": "Tagged right",
           "tags": ["workflow"], "content_html": "<p>two</p>",
           "date_published": "2026-11-01T10:00:00Z"}]}"#;
    server.set("/j.json", Route::ok("application/json", body));
    let planet = Planet::with_feeds("", &[server.url("/j.json")]);
    let warnings = planet.run_at(t0());
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(planet.atom_titles(), ["Tagged wrong", "Tagged right"]);
    let atom = planet.atom();
    let terms = |i: usize| -> Vec<String> {
        atom.entries[i]
            .categories
            .iter()
            .map(|c| c.term.clone())
            .collect()
    };
    assert_eq!(terms(0), Vec::<String>::new(), "the bad field is dropped");
    assert_eq!(terms(1), ["workflow"], "the good one is kept");
}

#[test]
fn double_encoded_utf8_reads_as_its_author_wrote_it() {
    // Le Monde's feed is UTF-8 whose text was read as Latin-1 and encoded again: feedparser
    // and Planet Venus show "Actualités" where the bytes say "ActualitÃ©s".
    let server = Server::start();
    let body = crate::support::fixture("corpus/feedreader__Rss20LeMonde.xml");
    server.set("/une.xml", Route::ok("text/xml", body));
    let planet = Planet::with_feeds("items_per_page = 100", &[server.url("/une.xml")]);
    let warnings = planet.run_at(t0());
    assert!(warnings.is_empty(), "{warnings:?}");
    let titles = planet.atom_titles();
    assert_eq!(titles.len(), 18, "{titles:?}");
    assert!(
        titles
            .contains(&"Piratage imputé à la Russie : Poutine mis en cause, Trump minimise".into()),
        "{titles:?}"
    );
    let feed_title = "Le Monde.fr - Actualités et Infos en France et dans le monde";
    assert!(
        planet.output("index.html").contains(feed_title),
        "in the sidebar"
    );
    let atom = planet.output("atom.xml");
    assert!(atom.contains(feed_title), "as the entries' source");
    for output in ["index.html", "atom.xml"] {
        assert!(
            !planet.output(output).contains("Ã"),
            "no mojibake in {output}"
        );
    }
}

#[test]
fn markup_a_feed_left_unescaped_keeps_every_word() {
    // Invalid but common: HTML pasted into a description or an Atom html construct without
    // escaping. Liberal readers show it as the HTML it was meant to be; a strict reading that
    // stops at the first element would lose the rest of the post.
    let server = Server::start();
    let rss = rss_doc(&rss_item(
        "1",
        "Mixed <b>title</b>",
        "https://f.test/1",
        "Tue, 03 Mar 2026 10:00:00 GMT",
        "Some &lt;i&gt;escaped&lt;/i&gt; and <b>raw bold</b> text <a href=\"https://x.test/\">link</a> end.",
    ));
    server.set("/rss.xml", Route::xml(rss));
    let atom = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>A</title><id>urn:a</id><updated>2026-03-03T10:00:00Z</updated>\
        <entry><id>urn:a:1</id><title>Table</title><updated>2026-03-03T09:00:00Z</updated>\
        <content type=\"html\">&lt;table&gt;&lt;tr&gt;<th>Head</th>&lt;/tr&gt;&lt;tr&gt;<td>cell text</td>&lt;/tr&gt;&lt;/table&gt;</content></entry></feed>";
    server.set("/atom.xml", Route::xml(atom));
    let planet = Planet::new(&format!(
        "{}[[feeds]]\nurl = \"{}\"\n[[feeds]]\nurl = \"{}\"\n",
        planet_table(""),
        server.url("/rss.xml"),
        server.url("/atom.xml")
    ));
    planet.run_at(t0());
    let html = planet.output("index.html");
    assert!(
        html.contains("Some <i>escaped</i> and <b>raw bold</b> text <a href=\"https://x.test/\""),
        "{html}"
    );
    assert!(html.contains("link</a> end."), "{html}");
    assert!(
        html.contains("Mixed title") && !html.contains("&lt;b&gt;title"),
        "an RSS title that is HTML is read as HTML: {html}"
    );
    assert!(
        html.contains("<th>Head</th>") && html.contains("<td>cell text</td>"),
        "{html}"
    );
}
