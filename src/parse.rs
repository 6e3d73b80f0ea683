//! feed-rs → model: the adapter from any feed format to [`Parsed`].
//!
//! Takes the raw bytes of a response and its `Content-Type` (never text decoded by someone
//! else, so the charset rules hold) and returns the feed's metadata and entries with
//! deterministic, absolute ids: the entry's own id (a path resolved against the feed's URL,
//! anything else that is no URI minted from the feed and the id), else its link, else a hash of
//! feed URL + title + date. feed-rs's UUID fallback is replaced, since an id that changes
//! between fetches would duplicate the entry on every run. `decode` turns the document into
//! UTF-8; `repair` fixes what feed-rs would misread before it reads (undefined entities, bare
//! `&`, old namespaces) and, only once it refuses the document, what it refused (`<rss>`
//! without a version, unbalanced tags, ...); a JSON Feed is first fitted to feed-rs's types
//! (`json`). Dates go through the lenient `date` parser; people through `people`; text
//! double-encoded as UTF-8 is read as written. Besides what the page shows, each entry keeps
//! an [`EntryDetail`] for a faithful `atom.xml` (languages, text types, persons, links,
//! categories, rights, summary, `atom:source`): feed-rs supplies most of it, and one
//! read-only pass over the same repaired document (`detail`) adds what feed-rs drops,
//! including the `xml:base` in effect for each entry's content. This stage does not sanitize:
//! content stays raw until it is chosen for an output, where [`crate::sanitize`] cleans it
//! against the base recorded here.

mod date;
mod decode;
mod detail;
mod json;
mod limits;
mod people;
mod repair;
#[doc(hidden)]
pub mod stages;

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use feed_rs::model as fr;

use crate::model::{
    minted_id, Category, Entry, EntryDetail, EntrySource, FeedMeta, Link, Parsed, TextConstruct,
    TextKind,
};
use crate::sanitize;

/// Why a body is not a feed we can read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// feed-rs could not find a feed in the document or the document is broken.
    #[error("not a readable feed")]
    Feed(#[source] feed_rs::parser::ParseFeedError),
    /// feed-rs gave up on the document without saying why (it panicked: an iTunes duration
    /// too long for a number, say).
    #[error("not a readable feed: the feed reader failed on it")]
    ReaderFailed,
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
    // One copy of the document at a time: each fix replaces the one before it, which goes.
    let mut xml = decode::decode(bytes.into(), content_type).into_string();
    let is_json = xml.starts_with('{');
    if is_json {
        // Not JSON, or not an object: feed-rs would refuse it the same way, after reading it.
        match json::fitted(&xml) {
            Ok(Some(fitted)) => xml = fitted,
            Ok(None) => {}
            Err(e) => return Err(Error::Feed(feed_rs::parser::ParseFeedError::JsonSerde(e))),
        }
    }
    // What feed-rs would read wrong rather than refuse, before it reads anything: entries past
    // the most one document may hold and fields past the longest (they would cost memory before
    // anything is known), XML declarations inside the document (quick-xml panics on one that
    // names an encoding), old vocabularies (read as nothing), RSS 1.0 items without a link
    // (dropped), then the rewrite that spares feed-rs one event per `&lt;`, then references
    // (misread, or refused along with the whole feed). References go last: their check then jumps over the CDATA the
    // rewrite made, and a run the rewrite left for a reference to repair gets a second chance.
    let fixes: &[fn(&str) -> Option<String>] = if is_json {
        &[]
    } else {
        &[
            |xml| limits::first_entries(xml, limits::MAX_ENTRIES),
            |xml| limits::shorten_runs(xml, limits::MAX_RUN),
            repair::drop_inner_declarations,
            repair::modernize_namespaces,
            repair::link_rss1_items,
            repair::escaped_text_as_cdata,
            |xml| match repair::repair_references(xml) {
                Cow::Owned(repaired) => {
                    Some(repair::escaped_text_as_cdata(&repaired).unwrap_or(repaired))
                }
                Cow::Borrowed(_) => None,
            },
            people::separate_addresses,
        ]
    };
    for fix in fixes {
        if let Some(fixed) = fix(&xml) {
            xml = fixed;
        }
    }
    // What feed-rs refuses is repaired by what it says went wrong, and read again: a document
    // it reads as it is is never rewritten for it. The error told is the first one.
    let mut first_error = None;
    let mut repairs = 0;
    let feed = loop {
        // A panic in feed-rs fails this feed, not the run.
        let e = match std::panic::catch_unwind(|| feed_reader(final_url).parse(xml.as_bytes())) {
            Ok(Ok(feed)) => break feed,
            Ok(Err(e)) => e,
            Err(_) => return Err(Error::ReaderFailed),
        };
        let repaired = if is_json || repairs == MAX_REPAIRS {
            None
        } else {
            // A repair may make entries of what was no entry to the first count.
            repair_for(&e, &xml)
                .map(|r| limits::first_entries(&r, limits::MAX_ENTRIES).unwrap_or(r))
                .filter(|r| *r != xml)
        };
        let error = first_error.unwrap_or(e);
        match repaired {
            Some(r) => {
                xml = r;
                repairs += 1;
                first_error = Some(error);
            }
            None => return Err(Error::Feed(error)),
        }
    };
    // The fidelity pass must read the very text feed-rs read (its entries are matched by
    // position), so it sees the repaired document.
    let extras = detail::read(xml.as_bytes(), final_url);
    drop(xml);
    Ok(convert(feed, feed_url, final_url, extras))
}

/// How many times a document feed-rs refuses is repaired and read again: each repair answers
/// one kind of fault, and a document may have a few.
const MAX_REPAIRS: usize = 4;

/// The repair of what feed-rs found wrong with `xml`; `None` when there is none to make.
fn repair_for(e: &feed_rs::parser::ParseFeedError, xml: &str) -> Option<String> {
    use feed_rs::parser::{ParseErrorKind as Kind, ParseFeedError as E};
    match e {
        // Ill-formed XML: read what a browser would make of it, as liberal readers do.
        E::XmlReader(_) => Some(repair::balance(xml)),
        // A text construct typed with a MIME type (Atom 0.3 style): retyped.
        E::ParseError(Kind::UnknownMimeType { .. }) => Some(repair::fix_text_types(xml)),
        // No feed feed-rs knows at the root: an `<rss>` without a version it dispatches on, or
        // without a `<channel>`, or a feed wrapped in something else (an HTML page).
        E::ParseError(Kind::NoFeedRoot) => repair::fix_rss_version(xml)
            .or_else(|| repair::add_missing_channel(xml))
            .or_else(|| repair::embedded_feed(xml)),
        // An element that must hold text and is empty (`<media:description/>`) says nothing.
        E::ParseError(Kind::MissingContent { position, .. }) => {
            repair::drop_empty_elements(xml, usize::try_from(*position).ok()?)
        }
        _ => None,
    }
}

/// feed-rs, set up for one attempt at reading a document: a reader is not used twice, since
/// one that failed inside an entry keeps that entry's state and panics on the next.
fn feed_reader(final_url: &str) -> feed_rs::parser::Parser {
    feed_rs::parser::Builder::new()
        .base_uri(Some(final_url))
        .id_generator(|links, _title, _uri| {
            // The entry's link is its id of second resort; an empty id is filled in below
            // with a hash. Never a random UUID. A link to comments is not the entry's.
            links
                .iter()
                .find(|l| l.target.is_none())
                .map(|l| l.href.trim().to_owned())
                .unwrap_or_default()
        })
        .timestamp_parser(date::parse)
        .sanitize_content(false)
        .build()
}

fn convert(
    feed: fr::Feed,
    feed_url: &str,
    final_url: &str,
    extras: Option<Vec<detail::Extra>>,
) -> Parsed {
    // Atom people are elements: one with only an address has no name to show.
    let address_shown = feed.feed_type != fr::FeedType::Atom;
    let feed_author = feed
        .authors
        .iter()
        .find_map(|p| people::person_name(p, address_shown));
    // RSS and JSON Feed titles carry no type: one that is HTML is read as HTML.
    let typed_text = feed.feed_type == fr::FeedType::Atom;
    let meta = FeedMeta {
        title: (feed.title.as_ref())
            .map(|t| plain_text(&typed(construct_of(t), typed_text)))
            .unwrap_or_default(),
        site_link: alternate_link(&feed.links).filter(|l| l.as_str() != final_url),
        feed_id: Some(feed.id.clone()).filter(|id| !id.is_empty()),
        author: feed_author.clone(),
        updated: feed.updated,
    };
    // RSS `<ttl>` (minutes): how long the feed asks to be left alone.
    let ttl = feed
        .ttl
        .map(|minutes| std::time::Duration::from_secs(u64::from(minutes) * 60));
    let source = Arc::new(feed_source(&feed, typed_text));
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
        address_shown,
        typed_text,
    };
    let entries = feed
        .entries
        .into_iter()
        .map(|e| convert_entry(e, &ctx, extras.as_mut().and_then(Iterator::next)))
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
    /// Whether a person with only an address is shown by it (see [`people::person_name`]).
    address_shown: bool,
    /// Whether its text constructs say whether they are text or HTML (Atom does).
    typed_text: bool,
}

fn convert_entry(e: fr::Entry, ctx: &EntryContext<'_>, extra: Option<detail::Extra>) -> Entry {
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
    // feed-rs lists links to the comments (RSS `<comments>`, `wfw:commentRss`) among the
    // entry's own; they are neither its page nor its id.
    e.links.retain(|l| l.target.is_none());
    let entry_lang = e.language.as_deref().and_then(language_tag);
    let content_detail = x.content.or_else(|| {
        e.content.as_mut().and_then(|c| {
            c.body.take().map(|b| TextConstruct {
                kind: kind_of(c.content_type.as_str()),
                value: decode::as_written(b),
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
        .map(|t| typed(t, ctx.typed_text))
        .map(&with_lang);
    let (content, content_kind, content_from_summary) = match (content_detail, &summary) {
        (Some(c), _) if !c.value.trim().is_empty() => (c.value, c.kind, false),
        (_, Some(s)) => (s.value.clone(), s.kind, true),
        _ => (String::new(), TextKind::Text, false),
    };
    let xml_base = if content_from_summary {
        x.summary_base
    } else {
        x.content_base
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
        absolute_id(e.id.trim(), ctx.feed_url, ctx.final_url)
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
        .unwrap_or_else(|| e.authors.iter().filter_map(people::person_of).collect());
    // feed-rs's people read through `people::person_name`, else the fidelity pass's, else the feed's
    // author.
    let author = e
        .authors
        .iter()
        .find_map(|p| people::person_name(p, ctx.address_shown))
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
        contributors: x.contributors.unwrap_or_else(|| {
            e.contributors
                .iter()
                .filter_map(people::person_of)
                .collect()
        }),
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
fn feed_source(feed: &fr::Feed, typed_text: bool) -> EntrySource {
    EntrySource {
        id: Some(feed.id.trim().to_owned()).filter(|i| !i.is_empty()),
        title: (feed.title.as_ref()).map(|t| typed(construct_of(t), typed_text)),
        subtitle: (feed.description.as_ref()).map(|t| typed(construct_of(t), typed_text)),
        rights: feed.rights.as_ref().map(construct_of),
        links: feed.links.iter().map(link_of).collect(),
        updated: None,
        authors: feed.authors.iter().filter_map(people::person_of).collect(),
        contributors: feed
            .contributors
            .iter()
            .filter_map(people::person_of)
            .collect(),
        categories: feed.categories.iter().filter_map(category_of).collect(),
        icon: feed.icon.as_ref().map(|i| i.uri.clone()),
        logo: feed.logo.as_ref().map(|i| i.uri.clone()),
        from_entry: false,
    }
}

/// A text construct of a format whose titles carry no type (`typed_text` false: RSS, JSON
/// Feed), read as HTML when it is HTML: a title that says `Bread &amp; Butter` or
/// `<i>Legend</i>` was escaped once more than its author meant (as feedparser reads it).
fn typed(t: TextConstruct, typed_text: bool) -> TextConstruct {
    if !typed_text && t.kind == TextKind::Text && sanitize::looks_like_html(&t.value) {
        TextConstruct {
            kind: TextKind::Html,
            ..t
        }
    } else {
        t
    }
}

fn construct_of(t: &fr::Text) -> TextConstruct {
    TextConstruct {
        kind: kind_of(t.content_type.as_str()),
        value: decode::as_written(t.content.clone()),
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
        term: decode::as_written(term.to_owned()),
        scheme: c.scheme.clone(),
        label: c.label.clone().map(decode::as_written),
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
    minted_id(&[feed_url, title.trim(), &date, body])
}

/// An entry's own id made absolute, so that the ids of two feeds never meet (Atom requires an
/// absolute IRI): a URI (it has a scheme) as written; a path (`/2025/08/26/post`, as Jekyll
/// writes ids) resolved against where the feed came from; anything else (`12345`, `post-1`)
/// minted from the feed and the id, the same on every fetch.
fn absolute_id(id: &str, feed_url: &str, final_url: &str) -> String {
    if url::Url::parse(id).is_ok() {
        return id.to_owned();
    }
    let resolved = id
        .starts_with('/')
        .then(|| {
            url::Url::parse(final_url)
                .and_then(|base| base.join(id))
                .ok()
        })
        .flatten();
    resolved.map_or_else(|| minted_id(&[feed_url, id]), String::from)
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
    fn entry_ids_are_absolute() {
        let feed = "https://a.test/feed";
        let minted = |id: &str| minted_id(&[feed, id]);
        for (case, id, want) in [
            (
                "web address",
                "https://a.test/p/1",
                "https://a.test/p/1".to_owned(),
            ),
            ("tag", "tag:a.test,2025:1", "tag:a.test,2025:1".to_owned()),
            ("urn", "urn:uuid:1c0b", "urn:uuid:1c0b".to_owned()),
            (
                "path",
                "/2025/08/26/post",
                "https://b.test/2025/08/26/post".to_owned(),
            ),
            ("number", "12345", minted("12345")),
            ("word", "post-1", minted("post-1")),
        ] {
            // The feed moved to b.test: a path is resolved where it was read from.
            assert_eq!(absolute_id(id, feed, "https://b.test/feed"), want, "{case}");
        }
        assert_ne!(
            absolute_id("12345", feed, feed),
            absolute_id("12345", "https://c.test/feed", feed),
            "the same id in two feeds"
        );
        assert!(minted("12345").starts_with("urn:planet:"));
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
    fn an_entry_stays_the_same_when_its_feed_gains_another() {
        // The store rewrites an entry, and every page showing it is rendered again, when
        // anything it keeps of the entry differs: the feed's own `updated`, which moves with
        // every new post, must not be part of it.
        let feed = |updated: &str, items: &str| {
            format!(
                r#"<rss version="2.0"><channel><title>T</title><link>https://b.test/</link>
                <lastBuildDate>{updated}</lastBuildDate>{items}
                <item><guid>urn:old</guid><title>Old</title><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>
                </channel></rss>"#
            )
        };
        let before = feed("Mon, 02 Nov 2026 10:00:00 GMT", "");
        let after = feed(
            "Fri, 04 Dec 2026 10:00:00 GMT",
            "<item><guid>urn:new</guid><title>New</title><pubDate>Fri, 04 Dec 2026 10:00:00 GMT</pubDate></item>",
        );
        let old = |xml: &str| {
            let parsed = parse_feed(xml.as_bytes(), "u", "https://b.test/", None).unwrap();
            assert!(parsed.meta.updated.is_some(), "the feed's own date is kept");
            parsed
                .entries
                .into_iter()
                .find(|e| e.id == "urn:old")
                .unwrap()
        };
        assert_eq!(old(&before), old(&after));
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
    fn links_to_comments_are_not_the_entrys() {
        let xml = r#"<rss version="2.0" xmlns:wfw="http://wellformedweb.org/CommentAPI/"><channel>
          <title>T</title><item><title>One</title><comments>https://b.test/1#comments</comments>
          <wfw:commentRss>https://b.test/1/feed</wfw:commentRss><link>https://b.test/1</link>
          </item></channel></rss>"#;
        let e = parse_feed(xml.as_bytes(), "u", "https://b.test/", None)
            .unwrap()
            .entries
            .remove(0);
        assert_eq!(e.id, "https://b.test/1");
        assert_eq!(e.link.as_deref(), Some("https://b.test/1"));
        let hrefs: Vec<_> = e.detail.links.iter().map(|l| l.href.as_str()).collect();
        assert_eq!(hrefs, ["https://b.test/1"]);
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
    fn a_feed_rs_panic_fails_the_feed() {
        let xml = r#"<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
          <channel><title>T</title><item><title>x</title>
          <itunes:duration>99999999999999999999:00:00</itunes:duration></item></channel></rss>"#;
        let got = parse_feed(xml.as_bytes(), "u", "https://b.test/", None);
        assert!(matches!(got, Err(Error::ReaderFailed)), "{got:?}");
    }

    #[test]
    fn a_declaration_inside_the_document_does_not_fail_it() {
        // Two documents pasted together; the second declares another encoding.
        let xml = format!(
            r#"<rss version="2.0"><channel><title>T</title>{}<item><title>One</title>
            <?xml version="1.0" encoding="windows-1252"?><link>https://b.test/1</link>
            </item></channel></rss>"#,
            "<!-- padding -->".repeat(1000)
        );
        let p = parse_feed(xml.as_bytes(), "u", "https://b.test/", None).unwrap();
        assert_eq!(p.entries[0].title, "One");
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
