//! `atom.xml`: RFC 4287, written with atom_syndication.
//!
//! Each entry keeps its original id, title, link, author, dates and categories, carries its
//! sanitized content as escaped HTML, and names its origin in `atom:source`, so readers can
//! credit and deduplicate it. The feed's `updated` is the newest entry's, not the clock's, so an
//! unchanged planet produces a byte-identical file.

use std::collections::HashSet;
use std::sync::LazyLock;

use atom_syndication as atom;
use chrono::{DateTime, Duration, FixedOffset, Utc};
use regex::Regex;

use super::normal::is_absolute_uri;
use super::{clean, EntryView, Error, PlanetView, View};
use crate::links::strict_link;
use crate::model::{minted_id, Category, Link, Person, TextConstruct, TextKind};
use crate::{sanitize, text};

fn date(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap_or_default()
}

fn text(s: &str) -> atom::Text {
    let (r#type, value) = plain(s);
    atom::Text {
        value,
        r#type,
        ..Default::default()
    }
}

/// Plain text as Atom: `type="text"`, unless it holds what readers take for markup (an end
/// tag, a character reference), which is written as the HTML that shows it literally, so no
/// reader decodes `&amp;` in a title that says `&amp;`.
fn plain(s: &str) -> (atom::TextType, String) {
    let s = clean(s);
    if looks_like_markup(&s) {
        (atom::TextType::Html, text::escape_html(&s).into_owned())
    } else {
        (atom::TextType::Text, s)
    }
}

/// Whether text holds an end tag (`</b>`) or something a reader would decode as a character
/// reference (`&amp`, `&#8217`, `&x2`): a literal `&` before a space or an unknown name is text.
fn looks_like_markup(s: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let end_tag = s
        .match_indices("</")
        .any(|(i, _)| s[i + 2..].starts_with(word));
    end_tag
        || s.match_indices('&').any(|(i, _)| {
            let rest = &s[i + 1..];
            let name = &rest[..rest.find(|c: char| !word(c)).unwrap_or(rest.len())];
            rest.starts_with('#')
                || (!name.is_empty()
                    && (name.contains(|c: char| !c.is_alphabetic())
                        || name == "apos"
                        || quick_xml::escape::resolve_html5_entity(name).is_some()))
        })
}

/// A stored text construct as Atom: HTML (already sanitized) stays `type="html"`, text stays
/// text; the language is its own, else the entry's.
fn construct(t: &TextConstruct, lang: Option<&str>) -> atom::Text {
    let (r#type, value) = match t.kind {
        TextKind::Html => html_or_text(&t.value),
        TextKind::Text => plain(&t.value),
    };
    atom::Text {
        value,
        r#type,
        lang: t.lang.as_deref().or(lang).map(str::to_owned),
        ..Default::default()
    }
}

/// Sanitized HTML without a single tag is plain text: it is written as `type="text"` with its
/// character references decoded (`D&eacute;tente` → `Détente`), which every reader shows
/// right, as Planet Venus does. HTML with markup stays HTML.
fn html_or_text(html: &str) -> (atom::TextType, String) {
    if html.contains('<') {
        (atom::TextType::Html, clean(html))
    } else {
        plain(&sanitize::html_to_text(html))
    }
}

/// A person as the view made them: named, with a valid address and an http(s) URI or none.
fn person(p: &Person) -> atom::Person {
    atom::Person {
        name: clean(&p.name),
        email: p.email.as_deref().map(clean),
        uri: p.uri.as_deref().map(clean),
        ..Default::default()
    }
}

fn category(c: &Category) -> atom::Category {
    // The view kept only absolute URIs as schemes.
    atom::Category {
        term: clean(&c.term),
        scheme: c.scheme.as_deref().map(clean),
        label: c.label.as_deref().map(clean),
    }
}

/// The link relations Atom readers know by name: RFC 4287's, feed paging (RFC 5005), replies
/// (RFC 4685), licences (RFC 4946), AtomPub's, WebSub's `hub` and the others the IANA registry
/// listed for feeds. Any other relation must be written as an IRI.
const RELATIONS: &[&str] = &[
    "alternate",
    "current",
    "describedby",
    "edit",
    "edit-media",
    "enclosure",
    "first",
    "hub",
    "last",
    "license",
    "next",
    "next-archive",
    "payment",
    "prev-archive",
    "previous",
    "related",
    "replies",
    "search",
    "self",
    "service",
    "up",
    "via",
];

/// The relation as Atom writes it: a registered name (also when written as the registry's
/// IRI), else an extension IRI; `None` for an unregistered name such as TypePad's
/// `service.post`, which no reader can act on.
fn relation(rel: &str) -> Option<&str> {
    const IANA: &str = "http://www.iana.org/assignments/relation/";
    let name = rel.strip_prefix(IANA).unwrap_or(rel);
    if RELATIONS.contains(&name) {
        Some(name)
    } else if !rel.starts_with(IANA) && is_absolute_uri(rel) {
        Some(rel)
    } else {
        None
    }
}

/// Links as Atom allows them (RFC 4287 §4.1.1): links with relations readers know, at most
/// one `alternate` per media type and language (a second one, such as the page a link-blog
/// post points to, is `related`), and a `self` link typed as a feed or not typed at all.
fn links(links: &[Link]) -> Vec<atom::Link> {
    let mut alternates = HashSet::new();
    links
        .iter()
        .filter_map(|l| {
            let mut rel = relation(&l.rel)?;
            if rel == "alternate" && !alternates.insert((&l.media_type, &l.hreflang)) {
                rel = "related";
            }
            let feed_type = |t: &&String| {
                let essence = t.split(';').next().unwrap_or_default().trim();
                [
                    "application/atom+xml",
                    "application/rss+xml",
                    "application/rdf+xml",
                ]
                .contains(&essence)
            };
            Some(atom::Link {
                href: l.href.clone(),
                rel: rel.to_owned(),
                mime_type: (l.media_type.iter())
                    .find(|t| rel != "self" || feed_type(t))
                    .map(|t| clean(t)),
                hreflang: l.hreflang.as_deref().map(clean),
                title: l.title.as_deref().map(clean),
                length: l.length.map(|n| n.to_string()),
            })
        })
        .collect()
}

/// A link of our own making (the subscription, the blog's page).
fn own_link(href: &str, rel: &str, mime: Option<&str>) -> Link {
    Link {
        href: href.to_owned(),
        rel: rel.to_owned(),
        media_type: mime.map(str::to_owned),
        ..Link::default()
    }
}

/// An id as Atom requires one (RFC 4287 §4.2.6): an absolute IRI, an http(s) one in the normal
/// form of RFC 3986 §6 (readers compare ids character by character). An id that is none (a
/// path, an unregistered scheme such as YouTube's `yt:`, a `tag:` without its date, a
/// `urn:uuid:` that is no UUID) is written as a `urn:planet:` id minted from it, the same on
/// every run.
fn atom_id(id: &str) -> String {
    static TAG: LazyLock<Regex> = LazyLock::new(|| {
        // RFC 4151: an authority, a date, a specific part.
        Regex::new(
            r"^tag:([a-z0-9._-]+@)?[a-z0-9.-]+,\d{4}(-\d{2}(-\d{2})?)?:[0-9a-zA-Z;/?:@&=+$._!~*'()%,-]*(#[0-9a-zA-Z;/?:@&=+$._!~*'()%,-]*)?$",
        )
        .expect("a valid pattern")
    });
    static URN: LazyLock<Regex> = LazyLock::new(|| {
        // RFC 8141: a namespace and a specific string.
        Regex::new(r"^(?i:urn):[a-zA-Z0-9][a-zA-Z0-9-]{1,31}:([a-zA-Z0-9()+,.:=@;$_!*'-]|%[0-9A-Fa-f]{2})+$")
            .expect("a valid pattern")
    });
    static UUID: LazyLock<Regex> = LazyLock::new(|| {
        // RFC 9562.
        Regex::new(r"^(?i)urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
            .expect("a valid pattern")
    });
    let id = id.trim();
    let scheme = id
        .split_once(':')
        .map(|(s, _)| s.to_ascii_lowercase())
        .unwrap_or_default();
    let valid = match scheme.as_str() {
        "http" | "https" | "ftp" => url::Url::parse(id)
            .ok()
            .filter(|u| u.host_str().is_some_and(|h| !h.is_empty()))
            .map(|u| normal_escapes(&strict_link(u.as_str()))),
        "tag" => TAG.is_match(id).then(|| id.to_owned()),
        // A `urn:uuid:` must hold a UUID, whatever else a URN may hold.
        "urn"
            if id
                .get(..9)
                .is_some_and(|p| p.eq_ignore_ascii_case("urn:uuid:")) =>
        {
            UUID.is_match(id).then(|| id.to_owned())
        }
        "urn" => URN.is_match(id).then(|| id.to_owned()),
        "mailto" | "info" | "data" | "file" | "news" | "nntp" | "tel" => {
            is_absolute_uri(id).then(|| id.to_owned())
        }
        _ => None,
    };
    valid.unwrap_or_else(|| minted_id(&["atom:id", id]))
}

/// Percent-escapes in their normal form (RFC 3986 §6.2.2): upper-case hex digits, and the
/// unreserved characters (letters, digits, `-._~`) written as themselves.
fn normal_escapes(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit));
        match (b[i], hex) {
            (b'%', Some(h)) => {
                let byte = std::str::from_utf8(h)
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .unwrap_or_default();
                if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                    out.push(char::from(byte));
                } else {
                    out.push('%');
                    out.push_str(&String::from_utf8_lossy(h).to_ascii_uppercase());
                }
                i += 3;
            }
            _ => {
                let len = s[i..].chars().next().map_or(1, char::len_utf8);
                out.push_str(&s[i..i + len]);
                i += len;
            }
        }
    }
    out
}

fn rfc3339(d: chrono::DateTime<chrono::Utc>) -> String {
    d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The entry's `atom:source` (RFC 4287 §4.2.11): the source it named itself, else the
/// subscribed feed's metadata, with the subscription as the `self` link when the feed gave none.
fn source(e: &EntryView) -> atom::Source {
    let d = &e.detail;
    let Some(s) = &d.source else {
        let mut own = vec![own_link(&e.source.url, "self", None)];
        if let Some(l) = &e.source.link {
            own.insert(0, own_link(l, "alternate", Some("text/html")));
        }
        return atom::Source {
            title: text(&e.source.name),
            id: atom_id(&e.source.id),
            updated: date(e.source.updated.as_deref().unwrap_or(&e.updated)),
            links: links(&own),
            ..Default::default()
        };
    };
    let mut all = s.links.clone();
    if !s.from_entry {
        if !all.iter().any(|l| l.rel == "alternate") {
            if let Some(l) = &e.source.link {
                all.push(own_link(l, "alternate", Some("text/html")));
            }
        }
        if !all.iter().any(|l| l.rel == "self") {
            all.push(own_link(&e.source.url, "self", None));
        }
    }
    let title = s
        .title
        .as_ref()
        .map(|t| construct(t, None))
        .unwrap_or_else(|| text(&e.source.name));
    let updated = s
        .updated
        .map(rfc3339)
        .or_else(|| e.source.updated.clone().filter(|_| !s.from_entry))
        .unwrap_or_else(|| e.updated.clone());
    atom::Source {
        title,
        id: atom_id(s.id.as_deref().unwrap_or(&e.source.id)),
        updated: date(&updated),
        authors: s.authors.iter().map(person).collect(),
        categories: s.categories.iter().map(category).collect(),
        contributors: s.contributors.iter().map(person).collect(),
        icon: s.icon.clone(),
        links: links(&all),
        logo: s.logo.clone(),
        rights: s.rights.as_ref().map(|t| construct(t, None)),
        subtitle: s.subtitle.as_ref().map(|t| construct(t, None)),
        ..Default::default()
    }
}

/// An XHTML text construct holding no text.
const EMPTY_XHTML: &str = r#"<div xmlns="http://www.w3.org/1999/xhtml"></div>"#;

/// One entry, as faithful to its feed as the stored detail allows, under the id and `updated`
/// [`render`] chose for it; entries cached before the detail existed fall back to the plain
/// fields.
fn entry(e: &EntryView, id: String, updated: DateTime<FixedOffset>) -> atom::Entry {
    let d = &e.detail;
    let legacy = d.source.is_none();
    let lang = d.lang.as_deref();
    // RFC 4287 requires a title: the feed's; for an entry its feed gave none, an empty one,
    // as Planet Venus writes it, so a reader shows the entry's text instead of a title made
    // up here. It is written as an empty XHTML `div`: the W3C Feed Validator warns on a blank
    // title element, not on an empty `div`. Entries cached before the detail existed keep the
    // title the page shows.
    let untitled = d.title.is_none() && !legacy;
    let page_title = || atom::Text {
        lang: lang.map(str::to_owned),
        ..text(&e.title)
    };
    let title = match &d.title {
        Some(t) => construct(t, lang),
        None if untitled => atom::Text {
            value: EMPTY_XHTML.to_owned(),
            r#type: atom::TextType::Xhtml,
            lang: lang.map(str::to_owned),
            ..Default::default()
        },
        None => page_title(),
    };
    let mut all = d.links.clone();
    if all.is_empty() {
        if let Some(l) = &e.link {
            all.push(own_link(l, "alternate", Some("text/html")));
        }
    }
    let links = links(&all);
    let categories = if legacy {
        e.categories
            .iter()
            .map(|c| atom::Category {
                term: clean(c),
                ..Default::default()
            })
            .collect()
    } else {
        d.categories.iter().map(category).collect()
    };
    let mut content = (!d.content_from_summary && !e.content.trim().is_empty()).then(|| {
        let (r#type, value) = html_or_text(&e.content);
        content_of(atom::Text {
            value,
            r#type,
            lang: d.content_lang.as_deref().or(lang).map(str::to_owned),
            ..Default::default()
        })
    });
    let mut summary = d.summary.as_ref().map(|t| construct(t, lang));
    // An entry without content must link to its page (RFC 4287 §4.1.1): without a page, its
    // summary is its content too, and an entry without any text carries its title as text,
    // as readers show it anyway (for an untitled one, the title the page shows).
    let title_as_text = || {
        if untitled {
            page_title()
        } else {
            title.clone()
        }
    };
    if content.is_none() && !links.iter().any(|l| l.rel == "alternate") {
        content = Some(content_of(summary.clone().unwrap_or_else(title_as_text)));
    } else if content.is_none() && summary.is_none() {
        summary = Some(title_as_text());
    }
    atom::Entry {
        title,
        id,
        updated,
        published: e.published.as_deref().map(date),
        authors: d.authors.iter().map(person).collect(),
        contributors: d.contributors.iter().map(person).collect(),
        categories,
        links,
        rights: d.rights.as_ref().map(|t| construct(t, lang)),
        summary,
        content,
        source: Some(source(e)),
        ..Default::default()
    }
}

fn content_of(t: atom::Text) -> atom::Content {
    atom::Content {
        value: Some(t.value),
        content_type: Some(
            match t.r#type {
                atom::TextType::Html => "html",
                atom::TextType::Xhtml => "xhtml",
                atom::TextType::Text => "text",
            }
            .to_owned(),
        ),
        lang: t.lang,
        ..Default::default()
    }
}

/// Each entry's Atom id, unique in the feed: two ids that differ as written may be one in
/// their normal form, and the later entry then gets one minted from its feed and its id.
fn ids(entries: &[EntryView]) -> Vec<String> {
    let mut seen = HashSet::with_capacity(entries.len());
    entries
        .iter()
        .map(|e| {
            let id = atom_id(&e.id);
            if seen.insert(id.clone()) {
                id
            } else {
                minted_id(&[&e.source.url, &e.id])
            }
        })
        .collect()
}

/// Each entry's `updated`, unique in the feed: readers and validators take two entries with
/// one `updated` for a mistake, and feeds that date every entry alike (or not at all) are
/// common. Oldest first, an entry whose instant is taken moves a millisecond later, so a reader
/// sorting by `updated` keeps the planet's order.
fn updated_dates(entries: &[EntryView]) -> Vec<DateTime<FixedOffset>> {
    let mut seen = HashSet::with_capacity(entries.len());
    let mut dates: Vec<DateTime<FixedOffset>> = entries
        .iter()
        .rev()
        .map(|e| {
            let mut d = date(&e.updated).with_timezone(&Utc);
            while !seen.insert(d) {
                d += Duration::milliseconds(1);
            }
            d.fixed_offset()
        })
        .collect();
    dates.reverse();
    dates
}

/// Who a feed is: its title, id and links. The planet's own feed is the planet; a topic's is
/// the topic, with an id and a self link of its own.
#[derive(Debug, Clone)]
pub struct Head {
    /// The feed's title.
    pub title: String,
    /// Its id (an absolute URL).
    pub id: String,
    /// The page that shows the same entries.
    pub alternate: String,
    /// Where the feed itself is published.
    pub self_link: String,
}

/// Renders the view as the planet's Atom feed.
/// The links of a feed's head: the page that shows the same entries, the feed itself, and
/// the WebSub hubs that relay its changes (WebSub §4: `rel="hub"` beside `rel="self"`). Every
/// Atom feed the planet writes takes them from here, so each names the hubs.
fn head_links(p: &PlanetView, alternate: &str, self_link: &str) -> Vec<atom::Link> {
    let mut heads = vec![
        own_link(alternate, "alternate", Some("text/html")),
        own_link(self_link, "self", Some("application/atom+xml")),
    ];
    heads.extend(p.hubs.iter().map(|hub| own_link(hub, "hub", None)));
    links(&heads)
}

/// Renders the view as the planet's Atom feed.
pub fn render(view: &View) -> Result<Vec<u8>, Error> {
    let p = &view.planet;
    render_as(
        view,
        &Head {
            title: p.name.clone(),
            id: atom_id(&p.link),
            alternate: p.link.clone(),
            self_link: p.atom_url.clone(),
        },
    )
}

/// Renders the view's entries as the Atom feed `head` names.
pub fn render_as(view: &View, head: &Head) -> Result<Vec<u8>, Error> {
    let p = &view.planet;
    let updated = updated_dates(&view.entries);
    let newest = updated.iter().max().copied();
    let entries = (view.entries.iter())
        .zip(ids(&view.entries))
        .zip(updated)
        .map(|((e, id), updated)| entry(e, id, updated))
        .collect();
    let feed = atom::Feed {
        title: text(&head.title),
        id: head.id.clone(),
        updated: newest.map_or_else(|| date(&view.updated), |n| n.max(date(&view.updated))),
        subtitle: p.description.as_deref().map(text),
        authors: vec![atom::Person {
            name: clean(&p.owner_name),
            email: p.owner_email.clone(),
            ..Default::default()
        }],
        generator: Some(atom::Generator {
            value: "planet".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            ..Default::default()
        }),
        links: head_links(p, &head.alternate, &head.self_link),
        lang: Some(p.language.clone()),
        // The theme's square icon, which readers show beside the feed's name.
        icon: Some(format!("{}favicon.svg", p.link)),
        entries,
        ..Default::default()
    };
    let mut buf = feed
        .write_with_config(
            Vec::new(),
            atom::WriteConfig {
                write_document_declaration: true,
                indent_size: Some(2),
            },
        )
        .map_err(Error::Atom)?;
    buf.push(b'\n');
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_without_markup_is_written_as_text() {
        for (name, html, kind, value) in [
            ("entity", "D&eacute;tente", atom::TextType::Text, "Détente"),
            ("escaped amp", "AT&amp;T", atom::TextType::Text, "AT&T"),
            ("escaped lt", "a &lt; b", atom::TextType::Text, "a < b"),
            ("markup", "A <b>b</b>", atom::TextType::Html, "A <b>b</b>"),
            ("control char", "x\u{1}y", atom::TextType::Text, "xy"),
            (
                "form feed is a space",
                "x\u{c}y",
                atom::TextType::Text,
                "x y",
            ),
        ] {
            assert_eq!(html_or_text(html), (kind, value.to_owned()), "{name}");
        }
    }
}
