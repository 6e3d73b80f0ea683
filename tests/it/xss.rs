//! Hostile input: every XSS vector of `tests/fixtures/xss/vectors.txt` in every field a feed
//! controls (RSS, Atom and JSON Feed: content, summary, titles, titles derived from content,
//! author names, URIs and e-mails, entry and feed links, feed title, subtitle and author,
//! categories, `xml:base`, and XHTML content where the vector is well-formed), through the real
//! binary; then `index.html` is read the way a browser tokenizes it (html5ever) and `atom.xml`
//! the way an XML parser does, and no script, handler, dangerous URL or foreign element may be
//! left. The cache keeps what the feeds said and each page cleans what it shows, so every other
//! page is read too: the archive's and the sources' headlines, and a topic of every entry, whose
//! page and feed show them whole. Also checks that the page's Content-Security-Policy forbids
//! inline script.

use std::cell::RefCell;
use std::collections::HashMap;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer};
use url::Url;

use crate::server::{Route, Server};
use crate::support::{feeds_toml, fixture, planet_table, t0, Planet};

/// The vectors, one per line (comments and blank lines skipped).
fn vectors() -> Vec<String> {
    String::from_utf8(fixture("xss/vectors.txt"))
        .expect("vectors are UTF-8")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// XML-escapes text for an element or a double-quoted attribute.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// CDATA, unless the vector itself closes CDATA.
fn cdata(s: &str) -> String {
    if s.contains("]]>") {
        esc(s)
    } else {
        format!("<![CDATA[{s}]]>")
    }
}

fn hostile_rss(i: usize, v: &str) -> String {
    let e = esc(v);
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>{e}</title><link>{e}</link><description>{e}</description><managingEditor>{e}</managingEditor>
<item><guid isPermaLink="false">rss-{i}-a</guid><title>{e}</title><link>https://ok.test/rss/{i}/a</link>
  <description>{e}</description><content:encoded>{c}</content:encoded><author>{e}</author>
  <category>{e}</category><pubDate>Tue, 03 Mar 2026 10:00:00 GMT</pubDate></item>
<item><guid isPermaLink="false">rss-{i}-b</guid><title>{e}</title><link>https://ok.test/rss/{i}/b</link>
  <description>{c}</description><dc:creator>{e}</dc:creator><pubDate>Tue, 03 Mar 2026 09:00:00 GMT</pubDate></item>
<item><guid isPermaLink="false">rss-{i}-c</guid><title>link {i}</title><link>{e}</link><comments>{e}</comments>
  <description>plain</description><pubDate>Tue, 03 Mar 2026 08:00:00 GMT</pubDate></item>
<item><guid isPermaLink="false">rss-{i}-d</guid><link>https://ok.test/rss/{i}/d</link>
  <description>{e}</description><pubDate>Tue, 03 Mar 2026 07:00:00 GMT</pubDate></item>
</channel></rss>"#,
        c = cdata(v)
    )
}

/// Whether `v` is well-formed as XHTML content (only then can it be `type="xhtml"`).
fn well_formed(v: &str) -> bool {
    let doc = format!("<div xmlns=\"http://www.w3.org/1999/xhtml\">{v}</div>");
    let mut r = quick_xml::Reader::from_str(&doc);
    let mut depth = 0i32;
    loop {
        match r.read_event() {
            Err(_) => return false,
            Ok(quick_xml::events::Event::Eof) => return depth == 0,
            Ok(quick_xml::events::Event::Start(_)) => depth += 1,
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::GeneralRef(_)) => return false,
            Ok(_) => {}
        }
    }
}

fn hostile_atom(i: usize, v: &str) -> String {
    let e = esc(v);
    let xhtml = if well_formed(v) {
        format!(
            r#"<entry><id>atom-{i}-x</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">{v}</div></title>
  <link href="https://ok.test/atom/{i}/x"/><updated>2026-03-03T06:00:00Z</updated>
  <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">{v}</div></content></entry>"#
        )
    } else {
        String::new()
    };
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title type="html">{e}</title><subtitle type="html">{e}</subtitle><id>urn:x:{i}</id>
<link rel="alternate" href="{e}"/><updated>2026-03-03T10:00:00Z</updated>
<author><name>{e}</name><uri>{e}</uri><email>{e}</email></author>
<entry><id>atom-{i}-a</id><title type="html">{e}</title><link rel="alternate" href="https://ok.test/atom/{i}/a"/>
  <updated>2026-03-03T10:00:00Z</updated><author><name>{e}</name><uri>{e}</uri><email>{e}</email></author>
  <category term="{e}" label="{e}"/><category term="{e}"/><content type="html">{e}</content></entry>
<entry><id>atom-{i}-b</id><title type="text">{e}</title><link href="https://ok.test/atom/{i}/b"/>
  <updated>2026-03-03T09:00:00Z</updated><summary type="html">{e}</summary></entry>
<entry xml:base="{e}"><id>atom-{i}-c</id><title>base {i}</title><link href="https://ok.test/atom/{i}/c"/>
  <updated>2026-03-03T08:00:00Z</updated>
  <content type="html">&lt;a href="x"&gt;rel&lt;/a&gt;&lt;img src="y.png"&gt;</content></entry>
<entry><id>atom-{i}-d</id><title>link {i}</title><link href="{e}"/><updated>2026-03-03T07:00:00Z</updated>
  <content type="html">{e}</content></entry>
{xhtml}
</feed>"#
    )
}

/// A JSON Feed with the vector in every field it has.
fn hostile_json(i: usize, v: &str) -> String {
    serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": v,
        "home_page_url": v,
        "description": v,
        "authors": [{"name": v, "url": v}],
        "items": [
            {"id": format!("json-{i}-a"), "url": format!("https://ok.test/json/{i}/a"), "title": v,
             "content_html": v, "summary": v, "authors": [{"name": v, "url": v}], "tags": [v],
             "date_published": "2026-03-03T10:00:00Z", "image": v, "external_url": v},
            {"id": format!("json-{i}-b"), "url": format!("https://ok.test/json/{i}/b"),
             "content_text": v, "date_published": "2026-03-03T09:00:00Z"},
            {"id": format!("json-{i}-c"), "url": v, "title": format!("link {i}"),
             "content_html": "plain", "date_published": "2026-03-03T08:00:00Z"}
        ]
    })
    .to_string()
}

/// The start tags of an HTML document as a browser's tokenizer sees them: name and attributes.
struct Tags(RefCell<Vec<StartTag>>);

/// A start tag: its name and its attributes, in order.
type StartTag = (String, Vec<(String, String)>);

impl TokenSink for Tags {
    type Handle = ();
    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        if let Token::TagToken(t) = token {
            if t.kind == TagKind::StartTag {
                let attrs = t
                    .attrs
                    .iter()
                    .map(|a| {
                        let prefix = a.name.prefix.as_ref().map(|p| format!("{p}:"));
                        (
                            format!("{}{}", prefix.unwrap_or_default(), a.name.local),
                            a.value.to_string(),
                        )
                    })
                    .collect();
                self.0.borrow_mut().push((t.name.to_string(), attrs));
            }
        }
        TokenSinkResult::Continue
    }
}

fn start_tags(html: &str) -> Vec<StartTag> {
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tok = Tokenizer::new(Tags(RefCell::new(Vec::new())), Default::default());
    let _ = tok.feed(&input);
    tok.end();
    tok.sink.0.take()
}

/// Elements no feed may bring onto the page (the theme's own `meta` and `link` are checked
/// apart).
const FORBIDDEN_TAGS: &[&str] = &[
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
    "base",
    "form",
    "input",
    "button",
    "select",
    "textarea",
    "keygen",
    "isindex",
    "noscript",
    "noembed",
    "noframes",
    "template",
    "xmp",
    "plaintext",
    "listing",
    "marquee",
    "image",
    "body",
    "title",
];

/// Attributes that can run script, load a document or restyle the page.
const FORBIDDEN_ATTRS: &[&str] = &[
    "style",
    "srcdoc",
    "action",
    "formaction",
    "background",
    "dynsrc",
    "lowsrc",
    "ping",
    "data",
    "xlink:href",
    "target",
    "name",
    "autofocus",
    "tabindex",
];

/// Problems in one HTML fragment or page. `page` allows the theme's own `meta`, `link`, `id`
/// and relative links.
fn html_problems(html: &str, page: bool, context: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut lower = html.to_ascii_lowercase();
    if page {
        // The theme's one icon, from templates/index.html.tera (the sanitizer drops every feed's).
        lower = lower.replacen(THEME_SVG, "", 1);
    }
    for raw in [
        "<script", "<iframe", "<svg", "<math", "<style", "<base", "<object", "<embed",
    ] {
        if lower.contains(raw) {
            problems.push(format!("{context}: raw `{raw}`"));
        }
    }
    let tags = start_tags(html);
    if page {
        // The theme's own: one each, no more.
        for own in ["body", "title"] {
            let n = tags.iter().filter(|(t, _)| t == own).count();
            if n != 1 {
                problems.push(format!("{context}: {n} <{own}> elements"));
            }
        }
    }
    for (tag, attrs) in tags {
        let get = |n: &str| attrs.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        let theme_svg = page
            && tag == "svg"
            && get("aria-hidden") == Some("true")
            && get("viewBox").or(get("viewbox")) == Some("0 0 16 16");
        if FORBIDDEN_TAGS.contains(&tag.as_str())
            && !(page && matches!(tag.as_str(), "title" | "body"))
            && !theme_svg
        {
            problems.push(format!("{context}: <{tag}>"));
        }
        if tag == "meta" {
            let equiv = get("http-equiv").unwrap_or_default().to_ascii_lowercase();
            if !page || !(equiv.is_empty() || equiv == "content-security-policy") {
                problems.push(format!("{context}: <meta http-equiv={equiv}>"));
            }
        }
        if tag == "link" && (!page || !get("href").is_some_and(|h| THEME_LINKS.contains(&h))) {
            problems.push(format!("{context}: <link {attrs:?}>"));
        }
        for (name, value) in &attrs {
            let n = name.to_ascii_lowercase();
            if n.starts_with("on") {
                problems.push(format!("{context}: <{tag} {n}=…>"));
            }
            if FORBIDDEN_ATTRS.contains(&n.as_str()) && !(page && tag == "meta" && n == "name") {
                problems.push(format!("{context}: <{tag} {n}={value:?}>"));
            }
            if n == "id" && !(page && is_theme_id(value)) {
                problems.push(format!("{context}: <{tag} id={value:?}>"));
            }
            let urls: Vec<&str> = match n.as_str() {
                "href" | "src" | "poster" | "cite" => vec![value.as_str()],
                "srcset" => value
                    .split(", ")
                    .filter_map(|c| c.split_whitespace().next())
                    .collect(),
                _ => vec![],
            };
            for u in urls {
                if let Some(p) = url_problem(&tag, &n, u, page) {
                    problems.push(format!("{context}: <{tag} {n}={u:?}>: {p}"));
                }
            }
        }
    }
    problems
}

/// The start of the theme's inline feed icon.
const THEME_SVG: &str = "<svg aria-hidden=\"true\" viewbox=\"0 0 16 16\"";

/// The `<link>`s the theme writes in the page's head.
const THEME_LINKS: &[&str] = &[
    "style.css",
    "favicon.svg",
    "atom.xml",
    "rss.xml",
    "feed.json",
    "opml.xml",
    "topics/all.xml",
];

fn is_theme_id(id: &str) -> bool {
    id == "entries"
        || id == "subscriptions"
        || id.starts_with("day-20")
        || id.starts_with("year-20")
}

/// Why a URL must not be on the page, read as a browser would read it.
fn url_problem(tag: &str, attr: &str, u: &str, page: bool) -> Option<&'static str> {
    match Url::parse(u) {
        Ok(url) => match url.scheme() {
            "http" | "https" => None,
            "mailto" if tag == "a" && attr == "href" => None,
            "data"
                if tag == "img"
                    && attr == "src"
                    && url.path().starts_with("image/")
                    && !url.path().starts_with("image/svg") =>
            {
                None
            }
            _ => Some("scheme not allowed"),
        },
        Err(_)
            if page
                && matches!(
                    u,
                    "style.css"
                        | "favicon.svg"
                        | "atom.xml"
                        | "rss.xml"
                        | "feed.json"
                        | "opml.xml"
                        | "#entries"
                ) =>
        {
            None
        }
        // The theme's own pages, relative so the output can be browsed from the disk: a path
        // of plain characters, which no browser reads as a scheme or another host.
        Err(_)
            if page
                && !u.starts_with("//")
                && !u.is_empty()
                && u.chars().all(|c| {
                    c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '-' | '_' | '#')
                }) =>
        {
            None
        }
        Err(_) => Some("not an absolute URL"),
    }
}

/// Problems in `atom.xml`: not well-formed, a link that is not http(s), or HTML content that
/// fails the same checks as the page.
fn atom_problems(xml: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut problems = Vec::new();
    if let Some(c) = xml.chars().find(|&c| {
        !matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
    }) {
        problems.push(format!("atom.xml: character U+{:04X} XML forbids", c as u32));
    }
    const ATOM: &[&str] = &[
        "feed",
        "title",
        "subtitle",
        "id",
        "updated",
        "published",
        "author",
        "contributor",
        "name",
        "email",
        "uri",
        "link",
        "category",
        "content",
        "summary",
        "source",
        "generator",
        "rights",
        "entry",
        "icon",
        "logo",
    ];
    // The one XHTML an entry may carry: the empty title of an entry its feed gave none. Any
    // other element, or this one holding anything, is a problem below.
    let xml = &xml.replace(
        r#"<div xmlns="http://www.w3.org/1999/xhtml"></div></title>"#,
        "</title>",
    );
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<(String, bool)> = Vec::new();
    let mut text = String::new();
    loop {
        match reader.read_event() {
            Err(e) => {
                problems.push(format!("atom.xml is not well-formed: {e}"));
                break;
            }
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let name = e.name().as_ref().to_owned();
                if !ATOM.contains(&name.as_str()) {
                    problems.push(format!("atom.xml: element <{name}>"));
                }
                let mut html = false;
                for a in e.attributes() {
                    let Ok(a) = a else {
                        problems.push(format!("atom.xml: broken attribute in <{name}>"));
                        continue;
                    };
                    let key = a.key.as_ref().to_owned();
                    let value = a
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map(|v| v.into_owned())
                        .unwrap_or_default();
                    if key.starts_with("on") {
                        problems.push(format!("atom.xml: <{name} {key}>"));
                    }
                    if key == "type" && value == "html" {
                        html = true;
                    }
                    if key == "href" && name == "link" {
                        let ok = Url::parse(&value)
                            .is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
                        if !ok {
                            problems.push(format!("atom.xml: <link href={value:?}>"));
                        }
                    }
                }
                text.clear();
                stack.push((name, html));
            }
            Ok(Event::Text(t)) => text.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) => {
                let name = r.to_string();
                match r.resolve_char_ref() {
                    Ok(Some(c)) => text.push(c),
                    _ => text.push_str(
                        quick_xml::escape::resolve_xml_entity(&name).unwrap_or_else(|| {
                            problems.push(format!("atom.xml: undefined entity &{name};"));
                            ""
                        }),
                    ),
                }
            }
            Ok(Event::CData(t)) => text.push_str(&t.xml10_content()),
            Ok(Event::End(_)) => {
                if let Some((name, html)) = stack.pop() {
                    if html {
                        problems.extend(html_problems(&text, false, &format!("atom.xml <{name}>")));
                    }
                    if name == "uri" {
                        let ok =
                            Url::parse(&text).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
                        if !ok {
                            problems.push(format!("atom.xml: <uri>{text:?}"));
                        }
                    }
                }
                text.clear();
            }
            Ok(Event::DocType(_)) => problems.push("atom.xml: DOCTYPE".to_owned()),
            Ok(_) => {}
        }
    }
    problems
}

/// Problems in the other outputs: `rss.xml` and `feed.json` carry the entries' HTML, which must
/// pass the page's checks, and links that must be http(s); `opml.xml` carries feed titles and
/// URLs, which must be well-formed XML and http(s).
fn other_output_problems(planet: &Planet) -> Vec<String> {
    let mut problems = Vec::new();
    let web = |u: &str| Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
    let rss = planet.output("rss.xml");
    match rss::Channel::read_from(rss.as_bytes()) {
        Ok(channel) => {
            for item in channel.items() {
                if let Some(d) = item.description() {
                    problems.extend(html_problems(d, false, "rss.xml"));
                }
                if let Some(l) = item.link().filter(|l| !web(l)) {
                    problems.push(format!("rss.xml: link `{l}` is not http(s)"));
                }
            }
        }
        Err(e) => problems.push(format!("rss.xml does not parse: {e}")),
    }
    match serde_json::from_str::<serde_json::Value>(&planet.output("feed.json")) {
        Ok(json) => {
            for item in json["items"].as_array().into_iter().flatten() {
                if let Some(h) = item["content_html"].as_str() {
                    problems.extend(html_problems(h, false, "feed.json"));
                }
                for key in ["url", "external_url"] {
                    if let Some(u) = item[key].as_str().filter(|u| !web(u)) {
                        problems.push(format!("feed.json: {key} `{u}` is not http(s)"));
                    }
                }
            }
        }
        Err(e) => problems.push(format!("feed.json does not parse: {e}")),
    }
    let opml = planet.output("opml.xml");
    let mut reader = quick_xml::Reader::from_str(&opml);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => {
                for a in e.attributes().flatten() {
                    let key = a.key.as_ref().to_owned();
                    if key == "xmlUrl" || key == "htmlUrl" {
                        let raw = a.value.clone().into_owned();
                        let v = quick_xml::escape::unescape(&raw)
                            .map(|v| v.into_owned())
                            .unwrap_or(raw);
                        if !web(&v) {
                            problems.push(format!("opml.xml: {key} `{v}` is not http(s)"));
                        }
                    }
                }
            }
            Ok(_) => {}
            Err(e) => {
                problems.push(format!("opml.xml is not well-formed: {e}"));
                break;
            }
        }
    }
    problems
}

#[test]
fn no_vector_survives_in_any_field() {
    let vectors = vectors();
    assert!(vectors.len() >= 100, "at least 100 vectors");
    let server = Server::start();
    let mut urls = Vec::new();
    for (i, v) in vectors.iter().enumerate() {
        server.set(&format!("/rss/{i}"), Route::xml(hostile_rss(i, v)));
        server.set(&format!("/atom/{i}"), Route::xml(hostile_atom(i, v)));
        server.set(
            &format!("/json/{i}"),
            Route::ok("application/feed+json", hostile_json(i, v)),
        );
        urls.push(server.url(&format!("/rss/{i}")));
        urls.push(server.url(&format!("/atom/{i}")));
        urls.push(server.url(&format!("/json/{i}")));
    }
    // A topic of every entry with any text: its page and its feed show them whole, like the
    // front page, through the other way pages are made.
    let planet = Planet::new(&format!(
        "{}{}[[topics]]\nname = \"All\"\ninclude = [\".\"]\n",
        planet_table("items_per_page = 100000"),
        feeds_toml(&urls)
    ));
    let warnings = planet.run_at(t0());
    assert!(
        warnings.is_empty(),
        "every hostile feed is still read: {warnings:?}"
    );

    let html = planet.output("index.html");
    let atom = planet.output("atom.xml");
    // Every feed's entries reached the outputs, so every vector was really rendered (the
    // link-only entries may be merged across feeds by the dedupe rule; the others may not).
    let articles = html.matches("<article class=\"entry\"").count();
    eprintln!(
        "{} vectors, {} feeds, {articles} entries published",
        vectors.len(),
        urls.len()
    );
    assert!(
        articles >= vectors.len() * 9,
        "{articles} entries shown for {} vectors",
        vectors.len()
    );
    let mut problems = html_problems(&html, true, "index.html");
    problems.extend(atom_problems(&atom));
    problems.extend(other_output_problems(&planet));
    let topic = planet.output("topics/all.html");
    let in_topic = topic.matches("<article class=\"entry\"").count();
    assert!(
        in_topic >= vectors.len() * 6,
        "{in_topic} entries in the topic for {} vectors",
        vectors.len()
    );
    problems.extend(atom_problems(&planet.output("topics/all.xml")));
    // Every other page.
    let mut pages = 0;
    let mut folders = vec![planet.out_path("")];
    while let Some(folder) = folders.pop() {
        for item in std::fs::read_dir(&folder).expect("output folder") {
            let path = item.expect("output entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "html") && folder != planet.out_path("")
            {
                // Read as if at the root, where the theme's own links are known.
                let html = std::fs::read_to_string(&path)
                    .expect("page")
                    .replace("href=\"../../", "href=\"")
                    .replace("href=\"../", "href=\"");
                pages += 1;
                problems.extend(html_problems(&html, true, &path.to_string_lossy()));
            }
        }
    }
    assert!(
        pages > urls.len(),
        "every source has a page: {pages} pages read"
    );
    assert!(
        problems.is_empty(),
        "{} problems, first 30:\n{}",
        problems.len(),
        problems
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // Text constructs stay text: a title's markup is shown, not run.
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // Readers parse the feed.
    assert_eq!(planet.atom().entries.len(), articles);
    atom_syndication::Feed::read_from(atom.as_bytes()).expect("atom_syndication reads atom.xml");
}

#[test]
fn checker_catches_what_it_must() {
    // The checks themselves must be able to fail.
    let bad = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"java&#x09;script:alert(1)\">x</a>",
        "<a href=\"data:text/html,x\">x</a>",
        "<p style=\"x\">x</p>",
        "<meta http-equiv=refresh content=\"0;url=https://e.test/\">",
        "<svg/onload=alert(1)>",
        "<base href=https://e.test/>",
        "<img src=\"relative.png\">",
    ];
    for b in bad {
        assert!(!html_problems(b, false, "t").is_empty(), "{b} is caught");
    }
    assert!(html_problems("<p><a href=\"https://ok.test/\">x</a></p>", false, "t").is_empty());
    assert!(!atom_problems("<feed><title>x</feed>").is_empty());
    assert!(!atom_problems("<feed><link href=\"javascript:x\"/></feed>").is_empty());
    assert!(!atom_problems(
        "<feed><content type=\"html\">&lt;script&gt;x&lt;/script&gt;</content></feed>"
    )
    .is_empty());
}

#[test]
fn page_policy_forbids_inline_script() {
    let server = Server::start();
    server.set("/f.xml", Route::xml(hostile_rss(0, "<b>x</b>")));
    let planet = Planet::with_feeds("", &[server.url("/f.xml")]);
    planet.run_at(t0());
    let html = planet.output("index.html");
    let csp: Vec<String> = start_tags(&html)
        .into_iter()
        .filter(|(t, _)| t == "meta")
        .filter_map(|(_, attrs)| {
            let map: HashMap<String, String> = attrs.into_iter().collect();
            (map.get("http-equiv")?
                .eq_ignore_ascii_case("content-security-policy"))
            .then(|| map.get("content").cloned().unwrap_or_default())
        })
        .collect();
    assert_eq!(csp.len(), 1, "one CSP meta: {csp:?}");
    let directives: HashMap<&str, &str> = csp[0]
        .split(';')
        .filter_map(|d| d.trim().split_once(' '))
        .collect();
    assert_eq!(directives.get("default-src"), Some(&"'none'"), "{csp:?}");
    assert!(
        directives.get("script-src").is_none_or(|s| *s == "'none'"),
        "no script source: {csp:?}"
    );
    for d in ["object-src", "frame-src", "child-src"] {
        assert!(
            directives.get(d).is_none_or(|s| *s == "'none'"),
            "{d}: {csp:?}"
        );
    }
    assert_eq!(directives.get("base-uri"), Some(&"'none'"));
    assert_eq!(directives.get("form-action"), Some(&"'none'"));
    assert!(!csp[0].contains("unsafe-"), "{csp:?}");
}
