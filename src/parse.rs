//! feed-rs → model: the adapter from any feed format to [`Parsed`].
//!
//! Takes the raw bytes of a response and its `Content-Type` (never text decoded by someone
//! else, so the charset rules hold) and returns the feed's metadata and entries with
//! deterministic ids: the entry's own id, else its link, else a hash of feed URL + title + date.
//! feed-rs's UUID fallback is replaced, since an id that changes between fetches would
//! duplicate the entry on every run. Before feed-rs sees the document, [`decode`] turns it into
//! UTF-8 and [`repair`] fixes what liberal readers forgive (undefined entities, bare `&`, `<rss>`
//! without a version, old namespaces, unbalanced tags); dates go through the lenient [`date`]
//! parser; [`base`] finds the `xml:base` in effect for each entry's content. Besides what the
//! page shows, each entry keeps an [`EntryDetail`] for a faithful `atom.xml` (languages, text
//! types, persons, links, categories, rights, summary, `atom:source`): feed-rs supplies most of
//! it, and a second, read-only pass over the same repaired document ([`detail`]) adds what
//! feed-rs drops. This stage does not sanitize: content stays raw until it is chosen for an
//! output, where [`crate::sanitize`] cleans it against the base recorded here.

mod base;
mod date;
mod decode;
mod detail;
mod repair;
#[doc(hidden)]
pub mod stages;

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use feed_rs::model as fr;
use sha2::{Digest, Sha256};

use crate::model::{
    Category, Entry, EntryDetail, EntrySource, FeedMeta, Link, Parsed, Person, TextConstruct,
    TextKind,
};
use crate::sanitize;

/// Why a body is not a feed we can read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// feed-rs could not find a feed in the document or the document is broken.
    #[error("not a readable feed")]
    Feed(#[source] feed_rs::parser::ParseFeedError),
}

/// How many characters of content make a title for an entry that has none.
const DERIVED_TITLE_CHARS: usize = 80;

/// Parses one feed body. `feed_url` is the subscription (for id hashing); `final_url` is where the
/// body came from after redirects (the base of last resort for relative links); `content_type`
/// is the response's `Content-Type`, whose `charset` outranks the XML declaration (RFC 7303).
///
/// Takes the body by value (a slice is copied), so that a UTF-8 one is read where it lies.
pub fn parse_feed(
    bytes: impl Into<Vec<u8>>,
    feed_url: &str,
    final_url: &str,
    content_type: Option<&str>,
) -> Result<Parsed, Error> {
    let decoded = decode::decode(bytes.into(), content_type);
    let text = decoded.as_str();
    let is_json = text.starts_with('{');
    let mut xml = if is_json {
        json_version(text).map_or(Cow::Borrowed(text), Cow::Owned)
    } else {
        Cow::Borrowed(text)
    };
    // The XML repairs, then the rewrite that spares feed-rs one event per `&lt;`, then the
    // references (last: its check then jumps over the CDATA the rewrite made; a run the rewrite
    // left because of a reference to repair gets a second chance once it is repaired).
    let fixes: &[fn(&str) -> Option<String>] = if is_json {
        &[]
    } else {
        &[
            repair::fix_rss_version,
            repair::modernize_namespaces,
            repair::add_missing_channel,
            repair::link_rss1_items,
            repair::escaped_text_as_cdata,
            |xml| match repair::repair_references(xml) {
                Cow::Owned(repaired) => {
                    Some(repair::escaped_text_as_cdata(&repaired).unwrap_or(repaired))
                }
                Cow::Borrowed(_) => None,
            },
        ]
    };
    for fix in fixes {
        if let Some(fixed) = fix(&xml) {
            xml = Cow::Owned(fixed);
        }
    }
    let parser = feed_rs::parser::Builder::new()
        .base_uri(Some(final_url))
        .id_generator(|links, _title, _uri| {
            // The entry's link is its id of second resort; an empty id is filled in below
            // with a hash. Never a random UUID.
            links
                .first()
                .map(|l| l.href.trim().to_owned())
                .unwrap_or_default()
        })
        .timestamp_parser(date::parse)
        .sanitize_content(false)
        .build();
    let feed = match parser.parse(xml.as_bytes()) {
        Ok(feed) => feed,
        // Ill-formed XML: read what a browser would make of it, as liberal readers do.
        Err(e @ feed_rs::parser::ParseFeedError::XmlReader(_)) if !is_json => {
            let balanced = repair::balance(&xml);
            let feed = parser
                .parse(balanced.as_bytes())
                .map_err(|_| Error::Feed(e))?;
            xml = Cow::Owned(balanced);
            feed
        }
        // A text construct typed with a MIME type (Atom 0.3 style): retype and retry.
        Err(
            e @ feed_rs::parser::ParseFeedError::ParseError(
                feed_rs::parser::ParseErrorKind::UnknownMimeType(_),
            ),
        ) if !is_json => {
            let retyped = repair::fix_text_types(&xml);
            let feed = parser
                .parse(retyped.as_bytes())
                .map_err(|_| Error::Feed(e))?;
            xml = Cow::Owned(retyped);
            feed
        }
        // No feed at the root: a feed wrapped in something else (an HTML page) is still read.
        Err(
            e @ feed_rs::parser::ParseFeedError::ParseError(
                feed_rs::parser::ParseErrorKind::NoFeedRoot,
            ),
        ) if !is_json => {
            let inner = repair::embedded_feed(&xml).ok_or(Error::Feed(e))?;
            let feed = parser.parse(inner.as_bytes()).map_err(Error::Feed)?;
            xml = Cow::Owned(inner);
            feed
        }
        Err(e) => return Err(Error::Feed(e)),
    };
    let bases = if is_json {
        Vec::new()
    } else {
        base::entry_bases(&xml, final_url)
    };
    // The fidelity pass must read the very text feed-rs read (its entries are matched by
    // position), so it sees the repaired document.
    let extras = detail::read(xml.as_bytes());
    Ok(convert(feed, feed_url, final_url, bases, extras))
}

/// A JSON Feed whose `version` is the `http://jsonfeed.org/version/…` spelling early feeds
/// wrote, given the `https://` one feed-rs requires; `None` when nothing needs changing.
fn json_version(text: &str) -> Option<String> {
    let mut doc: serde_json::Value = serde_json::from_str(text).ok()?;
    let version = doc.get_mut("version")?;
    let rest = version
        .as_str()?
        .strip_prefix("http://jsonfeed.org/version/")?;
    *version = serde_json::Value::String(format!("https://jsonfeed.org/version/{rest}"));
    serde_json::to_string(&doc).ok()
}

fn convert(
    feed: fr::Feed,
    feed_url: &str,
    final_url: &str,
    bases: Vec<base::EntryBases>,
    extras: Option<Vec<detail::Extra>>,
) -> Parsed {
    let feed_author = feed.authors.iter().find_map(person_name);
    // Bases found by the second pass are used only when it saw the entries feed-rs saw.
    let bases = if bases.len() == feed.entries.len() {
        bases
    } else {
        vec![base::EntryBases::default(); feed.entries.len()]
    };
    let meta = FeedMeta {
        title: feed.title.as_ref().map(text_of).unwrap_or_default(),
        site_link: alternate_link(&feed.links).filter(|l| l.as_str() != final_url),
        feed_id: Some(feed.id.clone()).filter(|id| !id.is_empty()),
        author: feed_author.clone(),
        updated: feed.updated,
    };
    // RSS `<ttl>` (minutes): how long the feed asks to be left alone.
    let ttl = feed
        .ttl
        .map(|minutes| std::time::Duration::from_secs(u64::from(minutes) * 60));
    let source = Arc::new(feed_source(&feed));
    let feed_lang = feed.language.clone();
    let is_rss = matches!(
        feed.feed_type,
        fr::FeedType::RSS0 | fr::FeedType::RSS1 | fr::FeedType::RSS2
    );
    // The fidelity pass counts only if it saw the same entries as feed-rs.
    let mut extras = extras
        .filter(|x| x.len() == feed.entries.len())
        .map(Vec::into_iter);
    let ctx = EntryContext {
        feed_url,
        final_url,
        feed_author: feed_author.as_deref(),
        feed_lang: feed_lang.as_deref(),
        source: &source,
        is_rss,
    };
    let entries = feed
        .entries
        .into_iter()
        .zip(bases)
        .map(|(e, b)| convert_entry(e, &b, &ctx, extras.as_mut().and_then(Iterator::next)))
        .collect();
    Parsed { meta, entries, ttl }
}

/// What every entry of one feed shares.
struct EntryContext<'a> {
    feed_url: &'a str,
    final_url: &'a str,
    feed_author: Option<&'a str>,
    feed_lang: Option<&'a str>,
    source: &'a Arc<EntrySource>,
    is_rss: bool,
}

fn convert_entry(
    e: fr::Entry,
    bases: &base::EntryBases,
    ctx: &EntryContext<'_>,
    extra: Option<detail::Extra>,
) -> Entry {
    let x = extra.unwrap_or_default();
    let lang = x
        .lang
        .or_else(|| e.language.as_deref().and_then(language_tag))
        .or_else(|| ctx.feed_lang.and_then(language_tag));
    let with_lang = |t: TextConstruct| TextConstruct {
        lang: t.lang.or_else(|| lang.clone()),
        ..t
    };
    // The fidelity pass knows XHTML and languages; feed-rs is the fallback. The body is moved,
    // not copied: it is most of an entry's bytes.
    let mut e = e;
    let entry_lang = e.language.as_deref().and_then(language_tag);
    let content_detail = x.content.or_else(|| {
        e.content.as_mut().and_then(|c| {
            c.body.take().map(|b| TextConstruct {
                kind: kind_of(c.content_type.as_str()),
                value: b,
                lang: entry_lang,
            })
        })
    });
    let content_lang = content_detail.as_ref().and_then(|c| c.lang.clone());
    let summary = x
        .summary
        .or_else(|| e.summary.as_ref().map(construct_of))
        .filter(|s| !s.value.trim().is_empty())
        .map(&with_lang);
    let title_detail = x
        .title
        .or_else(|| e.title.as_ref().map(construct_of))
        .map(&with_lang);
    let (content, content_kind, content_from_summary) = match (content_detail, &summary) {
        (Some(c), _) if !c.value.trim().is_empty() => (c.value, c.kind, false),
        (_, Some(s)) => (s.value.clone(), s.kind, true),
        _ => (String::new(), TextKind::Text, false),
    };
    let xml_base = if content_from_summary {
        bases.summary.clone()
    } else {
        bases.content.clone()
    };
    let own_title = title_detail.as_ref().map(plain_text).unwrap_or_default();
    let title = if own_title.trim().is_empty() {
        derive_title(&content, content_kind)
    } else {
        own_title.clone()
    };
    // The stand-in link an RSS 1.0 item without one was given is no link (nor id) at all.
    e.links.retain(|l| l.href.trim() != repair::NO_LINK);
    if e.id.trim() == repair::NO_LINK {
        e.id.clear();
    }
    let id = if e.id.trim().is_empty() {
        hash_id(
            ctx.feed_url,
            &own_title,
            e.published.or(e.updated),
            &content,
        )
    } else {
        e.id.trim().to_owned()
    };
    let mut links: Vec<Link> = e.links.iter().map(link_of).collect();
    // RSS 2.0: a guid is the permalink unless it says `isPermaLink="false"`.
    if ctx.is_rss
        && !has_alternate(&links)
        && x.guid_is_permalink != Some(false)
        && crate::links::is_web_link(&id)
    {
        links.push(Link {
            href: id.clone(),
            rel: "alternate".to_owned(),
            ..Link::default()
        });
    }
    if let Some(orig) = x.orig_link.as_ref().filter(|_| !has_alternate(&links)) {
        links.push(Link {
            href: orig.clone(),
            rel: "alternate".to_owned(),
            ..Link::default()
        });
    }
    // The fidelity pass reads enclosures (`<enclosure href>` too) and licences; feed-rs's
    // media objects are the enclosures of last resort. Its URLs are as written: resolve them.
    let resolve_against = e.base.as_deref().unwrap_or(ctx.final_url);
    let has_enclosure = x.links.iter().any(|l| l.rel == "enclosure");
    links.extend(
        x.links
            .into_iter()
            .filter_map(|l| resolve(l, resolve_against)),
    );
    let media = e.media.iter().flat_map(|m| &m.content);
    for m in media.filter(|_| !has_enclosure) {
        if let Some(url) = &m.url {
            links.push(Link {
                href: url.to_string(),
                rel: "enclosure".to_owned(),
                media_type: m.content_type.as_ref().map(|t| t.to_string()),
                length: m.size,
                ..Link::default()
            });
        }
    }
    let link = alternate_link(&e.links).or_else(|| {
        links
            .iter()
            .find(|l| l.rel == "alternate")
            .map(|l| l.href.clone())
    });
    let authors = x
        .authors
        .unwrap_or_else(|| e.authors.iter().map(person_of).collect());
    // feed-rs's people read through `person_name` (which knows RSS's `email (Name)` form),
    // else the fidelity pass's, else the feed's author.
    let author = e
        .authors
        .iter()
        .find_map(person_name)
        .or_else(|| {
            authors
                .iter()
                .map(|p| p.name.trim())
                .find(|n| !n.is_empty())
                .map(str::to_owned)
        })
        .or_else(|| ctx.feed_author.map(str::to_owned));
    // XML Base in effect for the body, else the entry's own page, else where the feed came from.
    let base = xml_base
        .or_else(|| link.clone().filter(|l| crate::links::is_web_link(l)))
        .or_else(|| Some(ctx.final_url.to_owned()));
    let categories: Vec<Category> = e.categories.iter().filter_map(category_of).collect();
    let detail = EntryDetail {
        lang: lang.clone(),
        title: title_detail,
        summary,
        content_from_summary,
        content_lang,
        rights: x
            .rights
            .or_else(|| e.rights.as_ref().map(construct_of))
            .map(&with_lang),
        authors,
        contributors: x
            .contributors
            .unwrap_or_else(|| e.contributors.iter().map(person_of).collect()),
        links,
        categories: categories.clone(),
        source: x
            .source
            .map(|mut s| {
                s.links = (s.links.into_iter())
                    .filter_map(|l| resolve(l, resolve_against))
                    .collect();
                Arc::new(s)
            })
            .or_else(|| Some(Arc::clone(ctx.source))),
    };
    Entry {
        id,
        link,
        title: title.trim().to_owned(),
        author,
        content,
        content_kind,
        base,
        published: e.published,
        updated: e.updated,
        categories: categories
            .into_iter()
            .map(|c| c.label.unwrap_or(c.term))
            .filter(|c| !c.trim().is_empty())
            .collect(),
        detail,
    }
}

/// A link made absolute against `base` (an absolute one is kept as written); `None` when it
/// cannot be.
fn resolve(mut link: Link, base: &str) -> Option<Link> {
    let href = link.href.trim();
    if url::Url::parse(href).is_err() {
        link.href = url::Url::parse(base)
            .and_then(|b| b.join(href))
            .ok()?
            .into();
    }
    Some(link)
}

fn has_alternate(links: &[Link]) -> bool {
    links.iter().any(|l| l.rel == "alternate")
}

/// A language tag (BCP 47 shape: letters, digits, `-`), or `None` for anything else, so a
/// feed's `xml:lang` can never carry markup or garbage into an attribute of ours.
fn language_tag(s: &str) -> Option<String> {
    let s = s.trim();
    let ok = (1..=35).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && s.starts_with(|c: char| c.is_ascii_alphabetic());
    ok.then(|| s.replace('_', "-"))
}

/// The subscribed feed's own metadata, for the `atom:source` of entries that name none.
fn feed_source(feed: &fr::Feed) -> EntrySource {
    EntrySource {
        id: Some(feed.id.trim().to_owned()).filter(|i| !i.is_empty()),
        title: feed.title.as_ref().map(construct_of),
        subtitle: feed.description.as_ref().map(construct_of),
        rights: feed.rights.as_ref().map(construct_of),
        links: feed.links.iter().map(link_of).collect(),
        updated: feed.updated,
        authors: feed.authors.iter().map(person_of).collect(),
        contributors: feed.contributors.iter().map(person_of).collect(),
        categories: feed.categories.iter().filter_map(category_of).collect(),
        icon: feed.icon.as_ref().map(|i| i.uri.clone()),
        logo: feed.logo.as_ref().map(|i| i.uri.clone()),
        from_entry: false,
    }
}

fn construct_of(t: &fr::Text) -> TextConstruct {
    TextConstruct {
        kind: kind_of(t.content_type.as_str()),
        value: t.content.clone(),
        lang: None,
    }
}

/// A text construct as one line of plain text: HTML loses its markup, text stays literal.
fn plain_text(t: &TextConstruct) -> String {
    fold_owned(match t.kind {
        TextKind::Html => sanitize::html_to_text(&t.value),
        TextKind::Text => t.value.clone(),
    })
}

fn link_of(l: &fr::Link) -> Link {
    Link {
        href: l.href.trim().to_owned(),
        rel: l.rel.clone().unwrap_or_else(|| "alternate".to_owned()),
        media_type: l.media_type.clone(),
        hreflang: l.href_lang.clone(),
        title: l.title.clone(),
        length: l.length,
    }
}

/// A person as the feed gave it, read the way RSS writes people. feed-rs names the people of
/// RSS `<author>`, `<managingEditor>` and `<webMaster>` after the element and puts the text in
/// `email`; that text is conventionally `jane@example.org (Jane Doe)`. feed-rs's `unknown`, its
/// stand-in for an Atom person without a name, is not a name: none is invented.
fn person_of(p: &fr::Person) -> Person {
    let name = fold(&p.name);
    let email = p.email.as_deref().map(fold).filter(|e| !e.is_empty());
    let (name, email) = if is_role(&name) {
        match email {
            Some(text) => {
                let (addr, shown) = address_form(&text);
                (shown, addr)
            }
            None => (String::new(), None),
        }
    } else if name == "unknown" {
        (String::new(), email)
    } else {
        // A `dc:creator` may be written in the address form too.
        match address_form(&name) {
            (Some(addr), shown) if !shown.is_empty() => (shown, email.or(Some(addr))),
            _ => (name, email),
        }
    };
    Person {
        name,
        email,
        uri: p.uri.clone(),
    }
}

/// The name shown for a person: [`person_of`]'s name, else the address of an RSS person who is
/// nothing but an address; `None` when the feed gives nothing to show.
fn person_name(p: &fr::Person) -> Option<String> {
    let person = person_of(p);
    if !person.name.is_empty() {
        Some(person.name)
    } else if is_role(p.name.trim()) {
        person.email
    } else {
        None
    }
}

fn is_role(name: &str) -> bool {
    matches!(name, "author" | "managingEditor" | "webMaster")
}

/// `jane@example.org (Jane Doe)` → (the address, the name); a bare address has no name; any
/// other text is a name.
fn address_form(text: &str) -> (Option<String>, String) {
    match text.split_once(" (") {
        Some((addr, rest)) if addr.contains('@') && !addr.contains(' ') => (
            Some(addr.to_owned()),
            rest.strip_suffix(')').unwrap_or(rest).trim().to_owned(),
        ),
        _ if text.contains('@') && !text.contains(' ') => (Some(text.to_owned()), String::new()),
        _ => (None, text.to_owned()),
    }
}

/// Runs of ASCII white space folded to one space (a no-break space the author typed stays).
fn fold(s: &str) -> String {
    fold_owned(s.to_owned())
}

/// [`fold`], which gives back a string already folded as it is (most are: one per entry's
/// title, author and category).
fn fold_owned(s: String) -> String {
    let b = s.as_bytes();
    let folded = !b.first().is_some_and(u8::is_ascii_whitespace)
        && !b.last().is_some_and(u8::is_ascii_whitespace)
        && !b.iter().enumerate().any(|(i, c)| {
            c.is_ascii_whitespace()
                && (*c != b' ' || b.get(i + 1).is_some_and(u8::is_ascii_whitespace))
        });
    if folded {
        return s;
    }
    s.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
}

fn category_of(c: &fr::Category) -> Option<Category> {
    let term = c.term.trim();
    (!term.is_empty()).then(|| Category {
        term: term.to_owned(),
        scheme: c.scheme.clone(),
        label: c.label.clone(),
    })
}

/// The `alternate` link, else the first link without a `rel`, else the first link at all.
fn alternate_link(links: &[fr::Link]) -> Option<String> {
    links
        .iter()
        .find(|l| l.rel.as_deref() == Some("alternate"))
        .or_else(|| links.iter().find(|l| l.rel.is_none()))
        .or_else(|| {
            links
                .iter()
                .find(|l| !matches!(l.rel.as_deref(), Some("self" | "hub" | "enclosure")))
        })
        .map(|l| l.href.trim().to_owned())
        .filter(|h| !h.is_empty())
}

fn kind_of(mime: &str) -> TextKind {
    if mime.contains("html") {
        TextKind::Html
    } else {
        TextKind::Text
    }
}

/// A text construct as plain text: HTML titles lose their markup, plain ones stay literal.
fn text_of(t: &fr::Text) -> String {
    fold_owned(match kind_of(t.content_type.as_str()) {
        TextKind::Html => sanitize::html_to_text(&t.content),
        TextKind::Text => t.content.clone(),
    })
}

fn derive_title(content: &str, kind: TextKind) -> String {
    let text = match kind {
        TextKind::Html => sanitize::html_to_text(content),
        TextKind::Text => content.to_owned(),
    };
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut title = String::new();
    for w in words {
        if title.chars().count() + w.chars().count() + 1 > DERIVED_TITLE_CHARS {
            title.push('…');
            break;
        }
        if !title.is_empty() {
            title.push(' ');
        }
        title.push_str(w);
    }
    if title.is_empty() {
        "Untitled".to_owned()
    } else {
        title
    }
}

/// The id of an entry that has neither id nor link: a hash of what identifies it and does not
/// change when its author fixes a typo (feed, title, date); the content only when the entry has
/// neither title nor date.
fn hash_id(feed_url: &str, title: &str, date: Option<DateTime<Utc>>, content: &str) -> String {
    let date = date.map(|d| d.timestamp().to_string()).unwrap_or_default();
    let body = if title.trim().is_empty() && date.is_empty() {
        content
    } else {
        ""
    };
    let mut h = Sha256::new();
    for part in [feed_url, title.trim(), &date, body] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    let digest = h.finalize();
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("urn:planet:{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_keeps_what_is_folded_and_folds_the_rest() {
        for s in [
            "a b",
            " a",
            "a ",
            "a  b",
            "a\tb",
            "a\nb",
            "",
            " ",
            "a\u{a0} b",
            "a \r\n b",
            "\x0cx",
        ] {
            let want = s.split_ascii_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(fold_owned(s.to_owned()), want, "{s:?}");
        }
    }

    const RSS_NO_GUID: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
      <link>https://blog.test/</link>
      <item><title>With link</title><link>https://blog.test/a</link><description>x</description></item>
      <item><title>No link</title><description>body</description></item>
    </channel></rss>"#;

    #[test]
    fn ids_are_deterministic_without_guids() {
        let a = parse_feed(
            RSS_NO_GUID.as_bytes(),
            "https://blog.test/feed",
            "https://blog.test/feed",
            None,
        )
        .unwrap();
        let b = parse_feed(
            RSS_NO_GUID.as_bytes(),
            "https://blog.test/feed",
            "https://blog.test/feed",
            None,
        )
        .unwrap();
        assert_eq!(a.entries[0].id, "https://blog.test/a");
        assert!(a.entries[1].id.starts_with("urn:planet:"));
        assert_eq!(a.entries[1].id, b.entries[1].id);
    }

    #[test]
    fn derives_missing_title_from_content() {
        let xml = r#"<rss version="2.0"><channel><title>T</title><item><link>https://b.test/x</link>
          <description>&lt;p&gt;Hello &lt;b&gt;world&lt;/b&gt;&lt;/p&gt;</description></item></channel></rss>"#;
        let p = parse_feed(xml.as_bytes(), "u", "https://b.test/", None).unwrap();
        assert_eq!(p.entries[0].title, "Hello world");
    }

    #[test]
    fn language_tags_are_checked() {
        for (name, input, want) in [
            ("plain", "en", Some("en")),
            ("region", " en-US ", Some("en-US")),
            ("underscore", "pt_BR", Some("pt-BR")),
            ("markup", "en\"><script>", None),
            ("empty", "", None),
            ("digit first", "1en", None),
        ] {
            assert_eq!(language_tag(input).as_deref(), want, "{name}");
        }
    }

    #[test]
    fn atom_entry_keeps_its_details() {
        let xml = r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><id>urn:f</id>
          <author><name>Feed Author</name></author>
          <entry><id>urn:e</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">A <b>b</b></div></title>
            <author><email>j@x.test</email></author>
            <summary>s</summary>
            <source><id>urn:orig</id><title>Orig</title></source></entry></feed>"#;
        let e = parse_feed(xml.as_bytes(), "u", "https://b.test/", None)
            .unwrap()
            .entries
            .remove(0);
        assert_eq!(e.title, "A b", "the page gets plain text");
        let t = e.detail.title.as_ref().unwrap();
        assert_eq!((t.kind, t.value.as_str()), (TextKind::Html, "A <b>b</b>"));
        assert_eq!(e.detail.lang.as_deref(), Some("en"));
        assert_eq!(e.detail.authors[0].name, "", "no name is invented");
        assert_eq!(e.author.as_deref(), Some("Feed Author"));
        assert!(e.detail.content_from_summary);
        let src = e.detail.source.as_ref().unwrap();
        assert!(src.from_entry);
        assert_eq!(src.id.as_deref(), Some("urn:orig"));
    }

    #[test]
    fn rss_guid_is_the_link_unless_it_says_otherwise() {
        let xml = r#"<rss version="2.0"><channel><title>T</title>
          <item><guid>https://b.test/1</guid><title>One</title></item>
          <item><guid isPermaLink="false">https://b.test/2</guid><title>Two</title></item>
        </channel></rss>"#;
        let p = parse_feed(xml.as_bytes(), "u", "https://b.test/", None).unwrap();
        assert_eq!(p.entries[0].link.as_deref(), Some("https://b.test/1"));
        assert_eq!(p.entries[1].link, None);
    }

    #[test]
    fn relative_enclosures_become_absolute() {
        let xml = r#"<rss version="2.0"><channel><title>T</title><item><title>One</title>
          <enclosure url="/a.mp3" length="3" type="audio/mpeg"/>
          <source url="https://o.test">O</source></item></channel></rss>"#;
        let e = parse_feed(xml.as_bytes(), "u", "https://b.test/feed/", None)
            .unwrap()
            .entries
            .remove(0);
        assert_eq!(e.detail.links[0].href, "https://b.test/a.mp3");
        let src = e.detail.source.unwrap();
        assert_eq!(
            src.links[0].href, "https://o.test",
            "absolute URLs stay as written"
        );
    }

    #[test]
    fn people_are_read_as_rss_writes_them() {
        let person = |name: &str, email: Option<&str>| fr::Person {
            name: name.into(),
            uri: None,
            email: email.map(str::to_owned),
        };
        for (case, p, want_name, want_email, shown) in [
            (
                "rss address form",
                person("author", Some("jane@x.test (Jane Doe)")),
                "Jane Doe",
                Some("jane@x.test"),
                Some("Jane Doe"),
            ),
            (
                "rss bare address",
                person("author", Some("jane@x.test")),
                "",
                Some("jane@x.test"),
                Some("jane@x.test"),
            ),
            (
                "rss plain name",
                person("managingEditor", Some("Jane  Doe")),
                "Jane Doe",
                None,
                Some("Jane Doe"),
            ),
            (
                "rss role, no text",
                person("webMaster", None),
                "",
                None,
                None,
            ),
            (
                "atom, no name",
                person("unknown", Some("j@x.test")),
                "",
                Some("j@x.test"),
                None,
            ),
            (
                "dc:creator address form",
                person("jane@x.test (Jane)", None),
                "Jane",
                Some("jane@x.test"),
                Some("Jane"),
            ),
            (
                "plain name",
                person(" Jane\n Doe ", None),
                "Jane Doe",
                None,
                Some("Jane Doe"),
            ),
            (
                "bare address as a name",
                person("jane@x.test", None),
                "jane@x.test",
                None,
                Some("jane@x.test"),
            ),
        ] {
            let got = person_of(&p);
            assert_eq!(
                (got.name.as_str(), got.email.as_deref()),
                (want_name, want_email),
                "{case}"
            );
            assert_eq!(person_name(&p).as_deref(), shown, "{case}");
        }
    }

    #[test]
    fn rejects_html_page() {
        assert!(parse_feed(
            b"<html><body>hi</body></html>",
            "u",
            "https://b.test/",
            None
        )
        .is_err());
    }
}
