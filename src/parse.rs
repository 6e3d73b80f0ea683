//! feed-rs → model: the adapter from any feed format to [`Parsed`].
//!
//! Takes the raw bytes of a response and its `Content-Type` (never text decoded by someone
//! else, so the charset rules hold) and returns the feed's metadata and entries with
//! deterministic ids: the entry's own id, else its link, else a hash of feed URL + title + date.
//! feed-rs's UUID fallback is replaced, since an id that changes between fetches would
//! duplicate the entry on every run. Before feed-rs sees the document, [`decode`] turns it into
//! UTF-8 and [`repair`] fixes what liberal readers forgive (undefined entities, bare `&`, `<rss>`
//! without a version, old namespaces, unbalanced tags); dates go through the lenient [`date`]
//! parser; [`base`] finds the `xml:base` in effect for each entry's content. This stage does not
//! sanitize: content stays raw until it is chosen for an output, where [`crate::sanitize`]
//! cleans it against the base recorded here.

mod base;
mod date;
mod decode;
mod repair;

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use feed_rs::model as fr;
use sha2::{Digest, Sha256};

use crate::config::SortBy;
use crate::model::{Entry, FeedMeta, Parsed, TextKind};
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
pub fn parse_feed(
    bytes: &[u8],
    feed_url: &str,
    final_url: &str,
    content_type: Option<&str>,
) -> Result<Parsed, Error> {
    let text = decode::to_utf8(bytes, content_type);
    let is_json = text.starts_with('{');
    let xml = if is_json {
        Cow::Borrowed(text.as_str())
    } else {
        repair::repair_references(&text)
    };
    let mut xml = xml;
    for fix in [
        repair::fix_rss_version,
        repair::modernize_namespaces,
        repair::add_missing_channel,
    ] {
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
    Ok(convert(feed, feed_url, final_url, bases))
}

fn convert(
    feed: fr::Feed,
    feed_url: &str,
    final_url: &str,
    bases: Vec<base::EntryBases>,
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
    let entries = feed
        .entries
        .into_iter()
        .zip(bases)
        .map(|(e, b)| convert_entry(e, &b, feed_url, final_url, feed_author.as_deref()))
        .collect();
    Parsed { meta, entries }
}

fn convert_entry(
    e: fr::Entry,
    bases: &base::EntryBases,
    feed_url: &str,
    final_url: &str,
    feed_author: Option<&str>,
) -> Entry {
    let link = alternate_link(&e.links);
    let (content, content_kind, xml_base) = match (&e.content, &e.summary) {
        (Some(c), _) if c.body.as_deref().is_some_and(|b| !b.trim().is_empty()) => (
            c.body.clone().unwrap_or_default(),
            kind_of(c.content_type.as_str()),
            bases.content.clone(),
        ),
        (_, Some(s)) => (
            s.content.clone(),
            kind_of(s.content_type.as_str()),
            bases.summary.clone(),
        ),
        _ => (String::new(), TextKind::Text, None),
    };
    let own_title = e.title.as_ref().map(text_of).unwrap_or_default();
    let title = if own_title.trim().is_empty() {
        derive_title(&content, content_kind)
    } else {
        own_title.clone()
    };
    let id = if e.id.trim().is_empty() {
        hash_id(feed_url, &own_title, e.published.or(e.updated), &content)
    } else {
        e.id.trim().to_owned()
    };
    let author = e
        .authors
        .iter()
        .find_map(person_name)
        .or_else(|| feed_author.map(str::to_owned));
    // XML Base in effect for the body, else the entry's own page, else where the feed came from.
    let base = xml_base
        .or_else(|| link.clone().filter(|l| sanitize::is_web_link(l)))
        .or_else(|| Some(final_url.to_owned()));
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
        categories: e
            .categories
            .iter()
            .map(|c| c.label.clone().unwrap_or_else(|| c.term.clone()))
            .filter(|c| !c.trim().is_empty())
            .collect(),
    }
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

/// A person's name as shown: the name, else the name in RSS's `email (Name)` form, else the
/// e-mail address; `None` when the feed gives nothing to show. feed-rs names the people of
/// RSS `<author>`, `<managingEditor>` and `<webMaster>` after the element and puts the text in
/// `email`, so those are read from the text.
fn person_name(p: &fr::Person) -> Option<String> {
    let name = p
        .name
        .split_ascii_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let email = p
        .email
        .as_deref()
        .map(|e| e.split_ascii_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|e| !e.is_empty());
    let is_role = matches!(name.as_str(), "author" | "managingEditor" | "webMaster");
    let shown = match (is_role, email) {
        (true, Some(text)) => text,
        (_, _) if !name.is_empty() && !is_role => name,
        (_, Some(text)) => text,
        _ => return None,
    };
    // RSS 2.0 `<author>` is an address, conventionally `jane@example.org (Jane Doe)`.
    if let Some((addr, rest)) = shown.split_once(" (") {
        if addr.contains('@') && !addr.contains(' ') {
            if let Some(inner) = rest.strip_suffix(')').filter(|i| !i.trim().is_empty()) {
                return Some(inner.trim().to_owned());
            }
        }
    }
    Some(shown)
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
    match kind_of(t.content_type.as_str()) {
        TextKind::Html => sanitize::html_to_text(&t.content),
        TextKind::Text => t.content.clone(),
    }
    // Only ASCII whitespace folds: a no-break space the author typed stays.
    .split_ascii_whitespace()
    .collect::<Vec<_>>()
    .join(" ")
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

/// The date an entry sorts by under `by`: published (else updated) or updated (else
/// published), else first seen; a date after `now` (when it was stored) counts as first seen,
/// so a future date cannot hold the top.
pub fn sort_date_by(
    entry: &Entry,
    first_seen: DateTime<Utc>,
    now: DateTime<Utc>,
    by: SortBy,
) -> DateTime<Utc> {
    let date = match by {
        SortBy::Published => entry.published.or(entry.updated),
        SortBy::Updated => entry.updated.or(entry.published),
    };
    match date {
        Some(d) if d <= now => d,
        _ => first_seen,
    }
}

/// The date an entry sorts by: published, else updated, else first seen (see [`sort_date_by`]).
pub fn sort_date(entry: &Entry, first_seen: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    sort_date_by(entry, first_seen, now, SortBy::Published)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSS_NO_GUID: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
      <link>https://blog.test/</link>
      <item><title>With link</title><link>https://blog.test/a</link><description>x</description></item>
      <item><title>No link</title><description>body</description></item>
    </channel></rss>"#;

    #[test]
    fn ids_are_deterministic_without_guids() {
        let parse = |b: &[u8], u: &str, f: &str| parse_feed(b, u, f, None);
        let a = parse(
            RSS_NO_GUID.as_bytes(),
            "https://blog.test/feed",
            "https://blog.test/feed",
        )
        .unwrap();
        let b = parse(
            RSS_NO_GUID.as_bytes(),
            "https://blog.test/feed",
            "https://blog.test/feed",
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
    fn future_dates_sort_as_first_seen() {
        let now = Utc::now();
        let mut e = parse_feed(RSS_NO_GUID.as_bytes(), "u", "https://b.test/", None)
            .unwrap()
            .entries
            .remove(0);
        e.published = Some(now + chrono::Duration::days(30));
        assert_eq!(sort_date(&e, now, now), now);
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
