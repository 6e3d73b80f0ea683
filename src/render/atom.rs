//! `atom.xml`: RFC 4287, written with atom_syndication.
//!
//! Each entry keeps its original id, title, link, author, dates and categories, carries its
//! sanitized content as escaped HTML, and names its origin in `atom:source`, so readers can
//! credit and deduplicate it. The feed's `updated` is the newest entry's, not the clock's, so an
//! unchanged planet produces a byte-identical file.

use atom_syndication as atom;
use chrono::{DateTime, FixedOffset};

use super::{Error, View};

fn date(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap_or_default()
}

fn text(s: &str) -> atom::Text {
    atom::Text::plain(strip_xml_illegal(s))
}

fn link(href: &str, rel: &str, mime: Option<&str>) -> atom::Link {
    atom::Link {
        href: href.to_owned(),
        rel: rel.to_owned(),
        mime_type: mime.map(str::to_owned),
        ..Default::default()
    }
}

/// Removes the characters XML 1.0 forbids (most C0 controls), which would make the feed
/// unreadable for every subscriber.
pub fn strip_xml_illegal(s: &str) -> String {
    s.chars()
        .filter(|&c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..))
        .collect()
}

/// Renders the view as an Atom feed.
pub fn render(view: &View) -> Result<Vec<u8>, Error> {
    let p = &view.planet;
    let entries = view
        .entries
        .iter()
        .map(|e| {
            let mut links = Vec::new();
            if let Some(l) = &e.link {
                links.push(link(l, "alternate", Some("text/html")));
            }
            let mut source_links = vec![link(&e.source.url, "self", None)];
            if let Some(l) = &e.source.link {
                source_links.insert(0, link(l, "alternate", Some("text/html")));
            }
            atom::Entry {
                title: text(&e.title),
                id: strip_xml_illegal(&e.id),
                updated: date(&e.updated),
                published: e.published.as_deref().map(date),
                authors: vec![atom::Person {
                    name: strip_xml_illegal(&e.author),
                    ..Default::default()
                }],
                categories: e
                    .categories
                    .iter()
                    .map(|c| atom::Category {
                        term: strip_xml_illegal(c),
                        ..Default::default()
                    })
                    .collect(),
                links,
                content: Some(atom::Content {
                    value: Some(strip_xml_illegal(&e.content)),
                    content_type: Some("html".to_owned()),
                    ..Default::default()
                }),
                source: Some(atom::Source {
                    title: text(&e.source.name),
                    id: strip_xml_illegal(&e.source.id),
                    updated: date(e.source.updated.as_deref().unwrap_or(&e.updated)),
                    links: source_links,
                    ..Default::default()
                }),
                ..Default::default()
            }
        })
        .collect();
    let feed = atom::Feed {
        title: text(&p.name),
        id: p.link.clone(),
        updated: date(&view.updated),
        subtitle: p.description.as_deref().map(text),
        authors: vec![atom::Person {
            name: strip_xml_illegal(&p.owner_name),
            email: p.owner_email.clone(),
            ..Default::default()
        }],
        generator: Some(atom::Generator {
            value: "planet".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            ..Default::default()
        }),
        links: vec![
            link(&p.link, "alternate", Some("text/html")),
            link(&p.atom_url, "self", Some("application/atom+xml")),
        ],
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
