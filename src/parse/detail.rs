//! What feed-rs does not keep, read from the document itself: the fidelity pass.
//!
//! feed-rs gives every format one model but drops a few things a faithful `atom.xml` needs:
//! `xml:lang` on titles and summaries, whether a text construct was XHTML (and the markup
//! inside its `div`), an entry's own `atom:source`, RSS `<source url>`, the `isPermaLink` of a
//! `guid`, persons without a name, and the `xml:base` in effect for an entry's content and
//! summary (feed-rs reports only the one written on `<content>` itself, unresolved). This pass
//! reads a well-formed document into a light
//! tree ([`tree`]: quick-xml's tokens, with text left escaped until a fact needs it, since
//! most of a feed is entry bodies no fact reads) and returns those facts per entry, in
//! document order, for `convert` to lay over feed-rs's entries. It never decides whether a
//! feed is readable: when the document is not well-formed XML, has a DTD (never expanded
//! here), or its entries do not line up one to one with feed-rs's, it returns `None` and the
//! entries keep what feed-rs read.

mod tree;

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use tree::{Document, Node, Ns};
use url::Url;

use super::decode::as_written;

use crate::model::{Category, EntrySource, Link, Person, TextConstruct, TextKind};
use crate::text::escape_html;

/// The facts about one entry that feed-rs does not keep. `None` means "not said here".
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct Extra {
    /// The entry's effective language.
    pub lang: Option<String>,
    /// The title, as written (Atom only: RSS titles, descriptions and `content:encoded` are
    /// left to feed-rs, which keeps markup that feeds forget to escape).
    pub title: Option<TextConstruct>,
    /// The summary (Atom `summary`).
    pub summary: Option<TextConstruct>,
    /// The content (Atom `content` without `src`).
    pub content: Option<TextConstruct>,
    /// Rights (Atom `rights`, RSS `dc:rights`).
    pub rights: Option<TextConstruct>,
    /// Authors (Atom only: RSS authors are left to feed-rs).
    pub authors: Option<Vec<Person>>,
    /// Contributors (Atom only).
    pub contributors: Option<Vec<Person>>,
    /// The entry's own `atom:source`, or RSS `<source url>`.
    pub source: Option<EntrySource>,
    /// RSS `guid isPermaLink`: `Some(false)` only when it says `false`.
    pub guid_is_permalink: Option<bool>,
    /// Links feed-rs does not read: RSS enclosures (from `url`, or the non-standard `href`
    /// real feeds use) and licences (`cc:license`, `creativeCommons:license`, RFC 4946).
    pub links: Vec<Link>,
    /// FeedBurner's `origLink`: the real article behind a tracking link.
    pub orig_link: Option<String>,
    /// The base URL in effect for the content (Atom `content`, RSS `content:encoded`) per
    /// `xml:base`; `None` when no `xml:base` applies.
    pub content_base: Option<String>,
    /// The same for the summary (Atom `summary`, RSS `description`).
    pub summary_base: Option<String>,
}

/// Reads the per-entry facts of a document read from `document_url`, the base of its outermost
/// `xml:base`; `None` when the document cannot be read this way.
pub(super) fn read(bytes: &[u8], document_url: &str) -> Option<Vec<Extra>> {
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).ok()?;
    // Bytes that happen to be valid UTF-8 under another declared encoding would be misread:
    // only UTF-8 documents, or pure ASCII ones, are read here (feed-rs decodes the rest).
    if !declares_utf8(text) && !text.is_ascii() {
        return None;
    }
    // No DTD: entities are never expanded by this pass (billion laughs, external entities).
    let doc = Document::parse(text)?;
    // Most feeds use no `xml:base`: they are spared the look for one.
    let document =
        memchr::memmem::find(bytes, b"xml:base").and_then(|_| Url::parse(document_url).ok());
    let extras = extras(doc.root_element(), document.as_ref())?;
    // A text read above that is not well-formed character data: not an XML document after
    // all (the text no fact reads is not checked, as it changes no fact).
    (!doc.read_broken_text()).then_some(extras)
}

/// The facts of every entry under the root element `root`; `document` is the base of the
/// outermost `xml:base`, `None` when the document has none.
fn extras(root: Node, document: Option<&Url>) -> Option<Vec<Extra>> {
    let with_bases = |mut x: Extra, entry: Node| {
        if let Some(document) = document {
            let base_of = |names: [&str; 2]| {
                let body = entry
                    .children()
                    .filter(|c| c.is_element() && names.contains(&c.name()))
                    .last()?;
                base_in_effect(body, document)
            };
            x.content_base = base_of(["content", "encoded"]);
            x.summary_base = base_of(["summary", "description"]);
        }
        x
    };
    match root.name() {
        "feed" => Some(
            root.children()
                .filter(|n| is(*n, "entry"))
                .map(|e| with_bases(atom_entry(e), e))
                .collect(),
        ),
        "rss" | "RDF" => {
            let channel = root.children().find(|n| is(*n, "channel"));
            let channel_lang = channel.and_then(|c| {
                c.children()
                    .find(|n| is(*n, "language") || is_dc(*n, "language"))
                    .map(text_of)
                    .and_then(|l| super::language_tag(&l))
            });
            let rss1 = root.name() == "RDF";
            let items = if rss1 {
                // feed-rs drops RSS 1.0 items without a link: drop them here too.
                root.children()
                    .filter(|n| is(*n, "item") && n.children().any(|c| is(c, "link")))
                    .collect::<Vec<_>>()
            } else {
                channel
                    .map(|c| c.children().filter(|n| is(*n, "item")).collect())
                    .unwrap_or_default()
            };
            Some(
                items
                    .into_iter()
                    .map(|i| with_bases(rss_item(i, channel_lang.as_deref()), i))
                    .collect(),
            )
        }
        _ => None,
    }
}

/// The base URL in effect at `n` per `xml:base` (XML Base, section 4.2): the nearest one on
/// the element or its ancestors, each resolved against the one above it, the outermost against
/// `document`. A base that cannot be resolved is passed over. `None` when none applies.
fn base_in_effect(n: Node, document: &Url) -> Option<String> {
    let bases: Vec<_> = n
        .ancestors()
        .filter_map(|a| a.attribute_ns(Ns::Xml, "base"))
        .collect();
    let mut base: Option<Url> = None;
    for b in bases.iter().rev() {
        if let Ok(joined) = base.as_ref().unwrap_or(document).join(b.trim()) {
            base = Some(joined);
        }
    }
    base.map(String::from)
}

/// Whether the XML declaration is absent (UTF-8 by default) or names UTF-8.
fn declares_utf8(text: &str) -> bool {
    let Some(decl) = text
        .trim_start()
        .strip_prefix("<?xml")
        .and_then(|d| d.split_once("?>"))
        .map(|d| d.0)
    else {
        return true;
    };
    match decl.split_once("encoding") {
        None => true,
        Some((_, rest)) => {
            let name = rest
                .trim_start_matches(|c: char| c == '=' || c.is_whitespace())
                .trim_start_matches(['"', '\''])
                .split(['"', '\''])
                .next()
                .unwrap_or("");
            name.eq_ignore_ascii_case("utf-8") || name.eq_ignore_ascii_case("utf8")
        }
    }
}

/// An element of the feed's own vocabulary: Atom 1.0/0.3, RSS 1.0/0.90, or no namespace
/// (RSS 2.0, and the Atom feeds that misspell `xmlns`).
fn is(n: Node, local: &str) -> bool {
    n.is_element()
        && n.name() == local
        && matches!(
            n.namespace(),
            Ns::None | Ns::Atom | Ns::Atom03 | Ns::Rss1 | Ns::Rss090
        )
}

fn is_dc(n: Node, local: &str) -> bool {
    n.is(Ns::Dc, local)
}

fn child<'a, 'i>(n: Node<'a, 'i>, local: &str) -> Option<Node<'a, 'i>> {
    n.children().find(|c| is(*c, local))
}

/// All the text inside `n`, trimmed.
fn text_of(n: Node) -> String {
    let mut texts = n.descendants().filter_map(|d| d.text());
    let Some(first) = texts.next() else {
        return String::new();
    };
    let all = match (first, texts.next()) {
        // The common case, one run of text that needed no unescaping: a single copy.
        (Cow::Borrowed(text), None) => return text.trim().to_owned(),
        (first, None) => first.into_owned(),
        (first, Some(second)) => {
            let mut all = first.into_owned();
            all.push_str(&second);
            texts.for_each(|t| all.push_str(&t));
            all
        }
    };
    trim_owned(all)
}

/// `s.trim()` without a copy when `s` is ours already.
fn trim_owned(mut s: String) -> String {
    let end = s.trim_end().len();
    s.truncate(end);
    let start = s.len() - s.trim_start().len();
    s.drain(..start);
    s
}

fn non_empty(s: String) -> Option<String> {
    Some(s).filter(|s| !s.is_empty())
}

/// The nearest `xml:lang` of the node or its ancestors.
fn lang_of(n: Node) -> Option<String> {
    n.ancestors()
        .find_map(|a| a.attribute_ns(Ns::Xml, "lang"))
        .and_then(|l| super::language_tag(&l))
}

/// An Atom text construct (RFC 4287 §3.1); `None` for a MIME type that is not text.
fn construct(n: Node) -> Option<TextConstruct> {
    let (kind, value) = match n.attribute("type").as_deref().unwrap_or("text") {
        "text" | "text/plain" => (TextKind::Text, text_or_mixed(n)),
        "html" | "text/html" => (TextKind::Html, text_or_mixed(n)),
        "xhtml" | "application/xhtml+xml" => {
            let div = n.children().find(|c| c.is_element() && c.name() == "div");
            let inner = match div {
                Some(d) if d.namespace() == Ns::Xhtml => markup(d),
                _ => markup(n),
            };
            (TextKind::Html, inner.trim().to_owned())
        }
        _ => return None,
    };
    Some(TextConstruct {
        kind,
        value: as_written(value),
        lang: lang_of(n),
    })
}

/// The text of a text or html construct; when the feed left markup unescaped in it (invalid
/// but common), the markup the author meant, as liberal readers take it: feed-rs would stop
/// at the first element and lose the rest.
fn text_or_mixed(n: Node) -> String {
    if n.children().any(|c| c.is_element()) {
        let mut out = String::new();
        write_mixed(n, 0, &mut out);
        trim_owned(out)
    } else {
        text_of(n)
    }
}

/// A construct of `kind` from an RSS element, only when the feed left markup unescaped in it:
/// the rest is left to feed-rs.
fn rss_mixed(n: Option<Node>, kind: TextKind) -> Option<TextConstruct> {
    let n = n.filter(|n| n.children().any(|c| c.is_element()))?;
    Some(TextConstruct {
        kind,
        value: as_written(text_or_mixed(n)),
        lang: lang_of(n),
    })
}

/// Elements HTML writes without an end tag: `<br></br>` reads as two line breaks.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Mixed content as the HTML its author meant: text as it reads (it is HTML source, once
/// the XML escaping is undone), elements as tags.
fn write_mixed(n: Node, depth: usize, out: &mut String) {
    for c in n.children() {
        if let Some(text) = c.text() {
            out.push_str(&text);
        } else if depth >= MAX_MARKUP_DEPTH {
            out.push_str(&text_of(c));
        } else {
            write_tag(c, out, |c, out| write_mixed(c, depth + 1, out));
        }
    }
}

/// An element's start tag (its attributes in no namespace), its children as `inner` writes
/// them, and its end tag unless it is void and empty.
fn write_tag(c: Node, out: &mut String, inner: impl FnOnce(Node, &mut String)) {
    let tag = c.name();
    out.push('<');
    out.push_str(tag);
    for (_, name, value) in c.attributes().filter(|a| a.0 == Ns::None) {
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        out.push_str(&escape_html(&value));
        out.push('"');
    }
    out.push('>');
    let void = VOID.contains(&tag.to_ascii_lowercase().as_str());
    if void && c.children().next().is_none() {
        return;
    }
    inner(c, out);
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

/// How deep XHTML markup is kept; deeper elements keep only their text, so a hostile
/// nesting cannot exhaust the stack.
const MAX_MARKUP_DEPTH: usize = 64;

/// The children of an XHTML element, serialized as HTML (namespace prefixes dropped).
fn markup(n: Node) -> String {
    let mut out = String::new();
    write_markup(n, 0, &mut out);
    out
}

fn write_markup(n: Node, depth: usize, out: &mut String) {
    for c in n.children() {
        if let Some(text) = c.text() {
            out.push_str(&escape_html(&text));
        } else if depth >= MAX_MARKUP_DEPTH {
            out.push_str(&escape_html(&text_of(c)));
        } else {
            write_tag(c, out, |c, out| write_markup(c, depth + 1, out));
        }
    }
}

/// An Atom person; `None` when it says nothing (`<author><name></name></author>`).
fn person(n: Node) -> Option<Person> {
    let person = Person {
        name: child(n, "name")
            .map(text_of)
            .map(as_written)
            .unwrap_or_default(),
        email: child(n, "email").map(text_of).and_then(non_empty),
        uri: child(n, "uri")
            .or_else(|| child(n, "url"))
            .map(text_of)
            .and_then(non_empty),
    };
    super::people::is_someone(&person).then_some(person)
}

fn link(n: Node) -> Option<Link> {
    let href = n.attribute("href")?;
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    Some(Link {
        href: href.to_owned(),
        rel: n
            .attribute("rel")
            .as_deref()
            .unwrap_or("alternate")
            .trim()
            .to_owned(),
        media_type: n.attribute("type").map(Cow::into_owned),
        hreflang: n.attribute("hreflang").map(Cow::into_owned),
        title: n.attribute("title").map(Cow::into_owned),
        length: n.attribute("length").and_then(|l| l.trim().parse().ok()),
    })
}

fn category(n: Node) -> Option<Category> {
    let term = n.attribute("term")?;
    let term = term.trim();
    (!term.is_empty()).then(|| Category {
        term: as_written(term.to_owned()),
        scheme: n.attribute("scheme").map(Cow::into_owned),
        label: n.attribute("label").map(|l| as_written(l.into_owned())),
    })
}

fn date(n: Node) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(&text_of(n))
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

fn atom_entry(e: Node) -> Extra {
    let title = child(e, "title");
    let orig = e
        .children()
        .find(|c| c.is_element() && c.namespace() == Ns::Feedburner)
        .filter(|c| c.name() == "origLink")
        .map(text_of)
        .filter(|l| !l.is_empty());
    Extra {
        lang: lang_of(e),
        title: title.and_then(construct),
        summary: child(e, "summary").and_then(construct),
        content: child(e, "content")
            .filter(|c| c.attribute("src").is_none())
            .and_then(construct),
        rights: child(e, "rights").and_then(construct),
        authors: Some(
            e.children()
                .filter(|c| is(*c, "author"))
                .filter_map(person)
                .collect(),
        ),
        contributors: Some(
            e.children()
                .filter(|c| is(*c, "contributor"))
                .filter_map(person)
                .collect(),
        ),
        source: child(e, "source").map(atom_source),
        guid_is_permalink: None,
        links: licences(e),
        orig_link: orig,
        content_base: None,
        summary_base: None,
    }
}

/// An entry's own `atom:source` (RFC 4287 §4.2.11).
fn atom_source(s: Node) -> EntrySource {
    let all = |local: &'static str| s.children().filter(move |c| is(*c, local));
    EntrySource {
        id: child(s, "id").map(text_of).and_then(non_empty),
        title: child(s, "title").and_then(construct),
        subtitle: child(s, "subtitle").and_then(construct),
        rights: child(s, "rights").and_then(construct),
        links: all("link").filter_map(link).collect(),
        updated: child(s, "updated").and_then(date),
        authors: all("author").filter_map(person).collect(),
        contributors: all("contributor").filter_map(person).collect(),
        categories: all("category").filter_map(category).collect(),
        icon: child(s, "icon").map(text_of).and_then(non_empty),
        logo: child(s, "logo").map(text_of).and_then(non_empty),
        from_entry: true,
    }
}

fn rss_item(i: Node, channel_lang: Option<&str>) -> Extra {
    let lang = i
        .children()
        .find(|c| is_dc(*c, "language"))
        .and_then(|c| super::language_tag(&text_of(c)))
        .or_else(|| lang_of(i))
        .or_else(|| channel_lang.map(str::to_owned));
    let source = child(i, "source").and_then(|s| {
        let url = s.attribute("url")?;
        let url = url.trim();
        let name = as_written(text_of(s));
        Some(EntrySource {
            id: Some(url.to_owned()),
            title: non_empty(name.clone()).map(|n| TextConstruct {
                kind: TextKind::Text,
                value: n,
                lang: None,
            }),
            links: vec![Link {
                href: url.to_owned(),
                rel: "self".to_owned(),
                title: non_empty(name),
                ..Link::default()
            }],
            from_entry: true,
            ..EntrySource::default()
        })
    });
    // Titles, descriptions and content:encoded are feed-rs's to read, but for the markup a
    // feed left unescaped in them, which feed-rs loses.
    Extra {
        rights: i
            .children()
            .find(|c| is_dc(*c, "rights"))
            .map(|r| TextConstruct {
                kind: TextKind::Text,
                value: as_written(text_of(r)),
                lang: lang_of(r).or_else(|| lang.clone()),
            }),
        lang,
        title: rss_mixed(child(i, "title"), TextKind::Text),
        summary: rss_mixed(child(i, "description"), TextKind::Html),
        content: rss_mixed(
            i.children().find(|c| c.is(Ns::Content, "encoded")),
            TextKind::Html,
        ),
        authors: None,
        contributors: None,
        source,
        guid_is_permalink: child(i, "guid")
            .and_then(|g| g.attribute("isPermaLink"))
            .map(|p| !p.trim().eq_ignore_ascii_case("false")),
        links: i
            .children()
            .filter(|c| is(*c, "enclosure"))
            .filter_map(|c| {
                let href = c.attribute("url").or_else(|| c.attribute("href"))?;
                let href = href.trim();
                (!href.is_empty()).then(|| Link {
                    href: href.to_owned(),
                    rel: "enclosure".to_owned(),
                    media_type: c.attribute("type").map(Cow::into_owned),
                    length: c.attribute("length").and_then(|l| l.trim().parse().ok()),
                    ..Link::default()
                })
            })
            .chain(licences(i))
            .collect(),
        orig_link: None,
        content_base: None,
        summary_base: None,
    }
}

/// `cc:license rdf:resource="…"` and `creativeCommons:license` as `rel="license"` links.
fn licences(n: Node) -> Vec<Link> {
    n.children()
        .filter(|c| c.is_element() && c.name() == "license")
        .filter_map(|c| match c.namespace() {
            Ns::Cc => c.attribute_ns(Ns::Rdf, "resource").map(Cow::into_owned),
            Ns::UserlandCc => Some(text_of(c)),
            _ => None,
        })
        .map(|href| href.trim().to_owned())
        .filter(|href| !href.is_empty())
        .map(|href| Link {
            href,
            rel: "license".to_owned(),
            ..Link::default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Option<Vec<Extra>> {
        super::read(bytes, "http://a.test/feed.xml")
    }

    #[test]
    fn bases_nest_and_the_outermost_resolves_against_the_document() {
        let s = |u: &str| Some(u.to_owned());
        for (case, xml, want) in [
            (
                "atom, nested",
                &br#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://a.test/blog/">
                  <entry xml:base="posts/"><content type="html" xml:base="1/">x</content>
                    <summary type="html">y</summary></entry>
                  <entry><content type="html">z</content></entry></feed>"#[..],
                vec![
                    (
                        s("http://a.test/blog/posts/1/"),
                        s("http://a.test/blog/posts/"),
                    ),
                    (s("http://a.test/blog/"), None),
                ],
            ),
            (
                "rss, against the document",
                br#"<rss xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
                  <item xml:base="/posts/"><description>d</description>
                    <content:encoded xml:base="x/">c</content:encoded></item>
                  <item><description>d</description></item></channel></rss>"#,
                vec![
                    (s("http://a.test/posts/x/"), s("http://a.test/posts/")),
                    (None, None),
                ],
            ),
            (
                "no xml:base",
                b"<rss><channel><item><description>d</description></item></channel></rss>",
                vec![(None, None)],
            ),
        ] {
            let bases: Vec<_> = read(xml)
                .unwrap_or_else(|| panic!("{case}"))
                .into_iter()
                .map(|x| (x.content_base, x.summary_base))
                .collect();
            assert_eq!(bases, want, "{case}");
        }
    }

    #[test]
    fn keeps_xhtml_markup_and_languages() {
        let x = read(
            br#"<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><entry>
              <title type="xhtml" xml:lang="en-us"><div xmlns="http://www.w3.org/1999/xhtml">A <b>very</b> bad day</div></title>
              <summary>s</summary></entry></feed>"#,
        )
        .unwrap();
        let t = x[0].title.as_ref().unwrap();
        assert_eq!(t.value, "A <b>very</b> bad day");
        assert_eq!(t.kind, TextKind::Html);
        assert_eq!(t.lang.as_deref(), Some("en-us"));
        assert_eq!(x[0].summary.as_ref().unwrap().lang.as_deref(), Some("en"));
    }

    #[test]
    fn reads_entry_source_and_nameless_author() {
        let x = read(
            br#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><author><email>j@x.test</email></author>
              <source><id>urn:s</id><category term="inbox" label="Inbox"/></source></entry></feed>"#,
        )
        .unwrap();
        let a = &x[0].authors.as_ref().unwrap()[0];
        assert_eq!(
            (a.name.as_str(), a.email.as_deref()),
            ("", Some("j@x.test"))
        );
        let s = x[0].source.as_ref().unwrap();
        assert_eq!(s.id.as_deref(), Some("urn:s"));
        assert_eq!(s.categories[0].label.as_deref(), Some("Inbox"));
    }

    #[test]
    fn reads_rss_source_language_and_permalink() {
        let x = read(
            br#"<rss version="2.0"><channel><language>de</language><item><guid isPermaLink="false">1</guid>
              <source url="https://o.test/feed">Other</source></item></channel></rss>"#,
        )
        .unwrap();
        assert_eq!(x[0].lang.as_deref(), Some("de"));
        assert_eq!(x[0].guid_is_permalink, Some(false));
        let s = x[0].source.as_ref().unwrap();
        assert_eq!(s.links[0].title.as_deref(), Some("Other"));
    }

    #[test]
    fn reads_only_what_it_can_decode() {
        let latin1_as_utf8 = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><feed><entry><title>Ã©</title></entry></feed>";
        assert_eq!(read(latin1_as_utf8.as_bytes()), None);
        let ascii = "<?xml version='1.0' encoding='ISO-8859-1'?><feed><entry><title>e</title></entry></feed>";
        assert_eq!(read(ascii.as_bytes()).map(|x| x.len()), Some(1));
        let utf8 = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><feed><entry><title>é</title></entry></feed>";
        assert_eq!(read(utf8.as_bytes()).map(|x| x.len()), Some(1));
        assert_eq!(read(b"<feed><entry/></feed>").map(|x| x.len()), Some(1));
    }

    #[test]
    fn survives_deep_nesting() {
        let depth = 20_000;
        let xml = format!(
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">{}deep{}</div></title></entry></feed>"#,
            "<span>".repeat(depth),
            "</span>".repeat(depth)
        );
        // The title keeps its text, past the depth markup is kept to: never a crash.
        let x = read(xml.as_bytes()).unwrap();
        let title = &x[0].title.as_ref().unwrap().value;
        assert!(title.ends_with(&format!(
            "{}deep{}",
            "<span>",
            "</span>".repeat(MAX_MARKUP_DEPTH)
        )));
    }

    #[test]
    fn never_expands_a_dtd() {
        let bomb = br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>
            <rss><channel><item><title>&lol2;</title></item></channel></rss>"#;
        assert_eq!(read(bomb), None);
    }

    #[test]
    fn resolves_namespace_prefixes() {
        // Atom under a prefix, the default namespace elsewhere, Dublin Core and RDF prefixes
        // declared on the item, and a prefix redeclared deeper down.
        let x = read(
            br#"<a:feed xmlns:a="http://www.w3.org/2005/Atom" xmlns="urn:other" xml:lang="en">
              <a:entry><a:title>T</a:title><title>not Atom</title>
                <a:rights xmlns:a="urn:not-atom">no</a:rights>
                <c:license xmlns:c="http://web.resource.org/cc/"
                  xmlns:r="http://www.w3.org/1999/02/22-rdf-syntax-ns#" r:resource="https://l.test/by"/>
              </a:entry></a:feed>"#,
        )
        .unwrap();
        assert_eq!(x[0].title.as_ref().unwrap().value, "T");
        assert_eq!(x[0].rights, None, "a:rights is in another namespace there");
        assert_eq!(x[0].lang.as_deref(), Some("en"));
        assert_eq!(x[0].links[0].href, "https://l.test/by");
        assert_eq!(x[0].links[0].rel, "license");
        let rss = read(
            br#"<rss xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><item>
              <dc:language>fr</dc:language><language>de</language>
              <dc:rights xmlns:dc="urn:not-dc">no</dc:rights></item></channel></rss>"#,
        )
        .unwrap();
        assert_eq!(rss[0].lang.as_deref(), Some("fr"));
        assert_eq!(rss[0].rights, None);
    }

    #[test]
    fn reads_cdata_and_references() {
        let x = read(
            b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>\
              <title type='html'>  &lt;b&gt;Fish &amp;amp; <![CDATA[<i>chips</i> & ]]>&#x263A;&#9731;\r\n </title>\
              <summary><![CDATA[a]]>\r\nb</summary>\
              <link href='https://a.test/?q=1&amp;r=&quot;2&quot;' rel='enclosure' title='x&#10;y\tz'/>\
              <source><link href='https://a.test/?q=1&amp;r=&quot;2&quot;' title='x&#10;y\tz\r\nw'/></source>\
              </entry></feed>",
        )
        .unwrap();
        let t = x[0].title.as_ref().unwrap();
        assert_eq!(t.kind, TextKind::Html);
        assert_eq!(t.value, "<b>Fish &amp; <i>chips</i> & \u{263A}\u{2603}");
        assert_eq!(x[0].summary.as_ref().unwrap().value, "a\nb");
        let l = &x[0].source.as_ref().unwrap().links[0];
        assert_eq!(l.href, "https://a.test/?q=1&r=\"2\"");
        assert_eq!(
            l.title.as_deref(),
            Some("x\ny z w"),
            "attribute whitespace normalized"
        );
    }

    #[test]
    fn serializes_xhtml_markup() {
        let x = read(
            br#"<feed xmlns="http://www.w3.org/2005/Atom"><entry>
              <content type="xhtml"><x:div xmlns:x="http://www.w3.org/1999/xhtml"><x:p class="a&amp;b" x:lang="no"
              >1 &lt; 2 &amp; <x:a href="/?a=1&amp;b=&quot;2&quot;">&#x3E;</x:a><!-- c --><?pi?><![CDATA[<i>]]></x:p><x:br/></x:div></content>
              <summary type="xhtml">no div: <b xmlns="http://www.w3.org/1999/xhtml">bold</b></summary>
              </entry></feed>"#,
        )
        .unwrap();
        let c = x[0].content.as_ref().unwrap();
        assert_eq!(c.kind, TextKind::Html);
        assert_eq!(
            c.value,
            r#"<p class="a&amp;b">1 &lt; 2 &amp; <a href="/?a=1&amp;b=&quot;2&quot;">&gt;</a>&lt;i&gt;</p><br>"#
        );
        let s = x[0].summary.as_ref().unwrap();
        assert_eq!(s.value, "no div: <b>bold</b>");
    }

    #[test]
    fn reads_markup_left_unescaped_and_leaves_media_types_to_feed_rs() {
        let x = read(
            br#"<feed xmlns="http://www.w3.org/2005/Atom"><entry>
              <title type="html">a <b>b</b> &amp;lt;i&amp;gt;c</title><summary type="image/png">x</summary>
              <content src="https://a.test/c"/></entry></feed>"#,
        )
        .unwrap();
        let title = x[0].title.as_ref().map(|t| (t.kind, t.value.as_str()));
        assert_eq!(title, Some((TextKind::Html, "a <b>b</b> &lt;i&gt;c")));
        assert_eq!((&x[0].summary, &x[0].content), (&None, &None));
        let rss = read(
            br#"<rss xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><item>
              <title>Mixed <b>title</b></title>
              <description>Some &lt;i&gt;escaped&lt;/i&gt; and <b>raw</b><br/>text.</description>
              <content:encoded>whole</content:encoded></item></channel></rss>"#,
        )
        .unwrap();
        let got = |t: &Option<TextConstruct>| t.as_ref().map(|t| (t.kind, t.value.clone()));
        assert_eq!(
            got(&rss[0].title),
            Some((TextKind::Text, "Mixed <b>title</b>".into()))
        );
        assert_eq!(
            got(&rss[0].summary),
            Some((
                TextKind::Html,
                "Some <i>escaped</i> and <b>raw</b><br>text.".into()
            ))
        );
        assert_eq!(
            rss[0].content, None,
            "no markup left unescaped: feed-rs reads it"
        );
    }

    #[test]
    fn refuses_what_is_not_well_formed() {
        for (name, xml) in [
            (
                "mismatched end tag",
                "<feed><entry><title>t</entry></title></feed>",
            ),
            ("unclosed entry", "<rss><channel><item></channel></rss>"),
            ("truncated", "<feed><entry><title>t</title></entry>"),
            (
                "unbound prefix",
                "<feed><entry><x:title>t</x:title></entry></feed>",
            ),
            (
                "entity in an attribute",
                "<feed><entry><link href='&nbsp;'/></entry></feed>",
            ),
            (
                "unknown entity in a title",
                "<feed><entry><title>&nbsp;</title></entry></feed>",
            ),
            (
                "]]> in a title",
                "<feed><entry><title>a]]>b</title></entry></feed>",
            ),
        ] {
            assert_eq!(read(xml.as_bytes()), None, "{name}");
        }
    }

    #[test]
    fn does_not_check_text_no_fact_reads() {
        // An RSS description is left to feed-rs: a reference there cannot change a fact.
        let x = read(
            b"<rss><channel><item><description>&nbsp; ]]></description>\
              <guid isPermaLink='false'>g</guid></item></channel></rss>",
        );
        assert_eq!(x.map(|x| x[0].guid_is_permalink), Some(Some(false)));
    }
}
