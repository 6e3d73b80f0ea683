//! `atom.xml`: RFC 4287, written with atom_syndication.
//!
//! Each entry keeps its original id, title, link, author, dates and categories, carries its
//! sanitized content as escaped HTML, and names its origin in `atom:source`, so readers can
//! credit and deduplicate it. The feed's `updated` is the newest entry's, not the clock's, so an
//! unchanged planet produces a byte-identical file.

use atom_syndication as atom;
use chrono::{DateTime, FixedOffset};

use super::{clean, EntryView, Error, PlanetView, View};
use crate::links::is_web_link;
use crate::model::{Category, Link, Person, TextConstruct, TextKind};
use crate::sanitize;

fn date(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap_or_default()
}

fn text(s: &str) -> atom::Text {
    atom::Text::plain(clean(s))
}

fn link(href: &str, rel: &str, mime: Option<&str>) -> atom::Link {
    atom::Link {
        href: href.to_owned(),
        rel: rel.to_owned(),
        mime_type: mime.map(str::to_owned),
        ..Default::default()
    }
}

/// A stored text construct as Atom: HTML (already sanitized) stays `type="html"`, text stays
/// text; the language is its own, else the entry's.
fn construct(t: &TextConstruct, lang: Option<&str>) -> atom::Text {
    let (r#type, value) = match t.kind {
        TextKind::Html => html_or_text(&t.value),
        TextKind::Text => (atom::TextType::Text, clean(&t.value)),
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
        let text = sanitize::html_to_text(html);
        (atom::TextType::Text, clean(&text))
    }
}

fn person(p: &Person) -> atom::Person {
    atom::Person {
        name: clean(&p.name),
        email: p.email.as_deref().map(clean),
        // A person's URI is a link in most readers: only http(s) ones are passed on.
        uri: p.uri.as_deref().filter(|u| is_web_link(u)).map(clean),
        ..Default::default()
    }
}

fn category(c: &Category) -> atom::Category {
    atom::Category {
        term: clean(&c.term),
        scheme: c.scheme.as_deref().map(clean),
        label: c.label.as_deref().map(clean),
    }
}

/// A stored link, when it is http(s): no other scheme reaches a subscriber as a link.
fn stored_link(l: &Link) -> Option<atom::Link> {
    is_web_link(&l.href).then(|| atom::Link {
        href: l.href.clone(),
        rel: clean(&l.rel),
        mime_type: l.media_type.as_deref().map(clean),
        hreflang: l.hreflang.as_deref().map(clean),
        title: l.title.as_deref().map(clean),
        length: l.length.map(|n| n.to_string()),
    })
}

fn rfc3339(d: chrono::DateTime<chrono::Utc>) -> String {
    d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The entry's `atom:source` (RFC 4287 §4.2.11): the source it named itself, else the
/// subscribed feed's metadata, with the subscription as the `self` link when the feed gave none.
fn source(e: &EntryView) -> atom::Source {
    let d = &e.detail;
    let Some(s) = &d.source else {
        let mut links = vec![link(&e.source.url, "self", None)];
        if let Some(l) = &e.source.link {
            links.insert(0, link(l, "alternate", Some("text/html")));
        }
        return atom::Source {
            title: text(&e.source.name),
            id: clean(&e.source.id),
            updated: date(e.source.updated.as_deref().unwrap_or(&e.updated)),
            links,
            ..Default::default()
        };
    };
    let mut links: Vec<atom::Link> = s.links.iter().filter_map(stored_link).collect();
    if !s.from_entry {
        if !links.iter().any(|l| l.rel == "alternate") {
            if let Some(l) = &e.source.link {
                links.push(link(l, "alternate", Some("text/html")));
            }
        }
        if !links.iter().any(|l| l.rel == "self") {
            links.push(link(&e.source.url, "self", None));
        }
    }
    let title = s
        .title
        .as_ref()
        .filter(|t| !t.value.trim().is_empty())
        .map(|t| construct(t, None))
        .unwrap_or_else(|| text(&e.source.name));
    let updated = s
        .updated
        .map(rfc3339)
        .or_else(|| e.source.updated.clone().filter(|_| !s.from_entry))
        .unwrap_or_else(|| e.updated.clone());
    atom::Source {
        title,
        id: clean(s.id.as_deref().unwrap_or(&e.source.id)),
        updated: date(&updated),
        authors: s.authors.iter().map(person).collect(),
        categories: s.categories.iter().map(category).collect(),
        contributors: s.contributors.iter().map(person).collect(),
        icon: s.icon.clone().filter(|u| is_web_link(u)),
        links,
        logo: s.logo.clone().filter(|u| is_web_link(u)),
        rights: s.rights.as_ref().map(|t| construct(t, None)),
        subtitle: s.subtitle.as_ref().map(|t| construct(t, None)),
        ..Default::default()
    }
}

/// One entry, as faithful to its feed as the stored detail allows; entries cached before the
/// detail existed fall back to the plain fields.
fn entry(e: &EntryView) -> atom::Entry {
    let d = &e.detail;
    let legacy = d.source.is_none();
    let lang = d.lang.as_deref();
    let title = match &d.title {
        Some(t) => construct(t, lang),
        // RFC 4287 requires a title: the derived one when there is content to derive it
        // from, else an empty one, as the feed had (Planet Venus does the same).
        None if legacy || !e.content.trim().is_empty() => atom::Text {
            lang: lang.map(str::to_owned),
            ..text(&e.title)
        },
        None => atom::Text {
            lang: lang.map(str::to_owned),
            ..text("")
        },
    };
    let mut links: Vec<atom::Link> = d.links.iter().filter_map(stored_link).collect();
    if links.is_empty() {
        if let Some(l) = &e.link {
            links.push(link(l, "alternate", Some("text/html")));
        }
    }
    let authors = if d.authors.is_empty() {
        vec![atom::Person {
            name: clean(&e.author),
            ..Default::default()
        }]
    } else {
        d.authors.iter().map(person).collect()
    };
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
    let content = (!d.content_from_summary && !e.content.trim().is_empty()).then(|| {
        let (kind, value) = html_or_text(&e.content);
        atom::Content {
            value: Some(value),
            content_type: Some(
                match kind {
                    atom::TextType::Html => "html",
                    _ => "text",
                }
                .to_owned(),
            ),
            lang: d.content_lang.as_deref().or(lang).map(str::to_owned),
            ..Default::default()
        }
    });
    atom::Entry {
        title,
        id: clean(&e.id),
        updated: date(&e.updated),
        published: e.published.as_deref().map(date),
        authors,
        contributors: d.contributors.iter().map(person).collect(),
        categories,
        links,
        rights: d.rights.as_ref().map(|t| construct(t, lang)),
        summary: d.summary.as_ref().map(|t| construct(t, lang)),
        content,
        source: Some(source(e)),
        ..Default::default()
    }
}

/// The links of a feed's head: the page that shows the same entries, the feed itself, and
/// the WebSub hubs that relay its changes (WebSub §4: `rel="hub"` beside `rel="self"`). Every
/// Atom feed the planet writes takes them from here, so each names the hubs.
fn head_links(p: &PlanetView, alternate: &str, self_link: &str) -> Vec<atom::Link> {
    let mut links = vec![
        link(alternate, "alternate", Some("text/html")),
        link(self_link, "self", Some("application/atom+xml")),
    ];
    links.extend(p.hubs.iter().map(|hub| link(hub, "hub", None)));
    links
}

/// Renders the view as an Atom feed.
pub fn render(view: &View) -> Result<Vec<u8>, Error> {
    let p = &view.planet;
    let entries = view.entries.iter().map(entry).collect();
    let feed = atom::Feed {
        title: text(&p.name),
        id: p.link.clone(),
        updated: date(&view.updated),
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
        links: head_links(p, &p.link, &p.atom_url),
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
