//! `rss.xml`: RSS 2.0, written with the `rss` crate, for readers that know nothing newer.
//!
//! The same entries as `atom.xml`, in the same order: the original id as `guid` (a permalink only
//! when it is the entry's link), title, link, sanitized HTML as `description`, the author as
//! `dc:creator` (RSS's own `author` must be an e-mail address, which feeds rarely give), dates
//! in RFC 822 form, categories, and `source` naming the blog's feed. The channel carries
//! `atom:link rel="self"`, as the RSS Advisory Board recommends, and one `atom:link rel="hub"`
//! per WebSub hub. No clock is read: an unchanged planet produces a byte-identical file.

use std::collections::BTreeMap;

use chrono::DateTime;
use rss::extension::atom::AtomExtension;
use rss::extension::dublincore::DublinCoreExtension;

use super::clean;
use super::{Error, View};

/// RFC 822 date (RSS 2.0's format) from an RFC 3339 one; `None` when unparsable.
fn rfc822(s: &str) -> Option<String> {
    DateTime::parse_from_rfc3339(s).ok().map(|d| d.to_rfc2822())
}

/// Renders the view as an RSS 2.0 channel.
pub fn render(view: &View) -> Result<Vec<u8>, Error> {
    let p = &view.planet;
    let self_url = p
        .rss_url
        .clone()
        .unwrap_or_else(|| format!("{}rss.xml", p.link));
    let items = view
        .entries
        .iter()
        .map(|e| rss::Item {
            title: Some(clean(&e.title)),
            link: e.link.clone(),
            description: (!e.content.is_empty()).then(|| clean(&e.content)),
            categories: e
                .categories
                .iter()
                .map(|c| rss::Category {
                    name: clean(c),
                    domain: None,
                })
                .collect(),
            guid: Some(rss::Guid {
                permalink: e.link.as_deref() == Some(e.id.as_str()),
                value: clean(&e.id),
            }),
            pub_date: rfc822(e.published.as_deref().unwrap_or(&e.date)),
            source: Some(rss::Source {
                url: e.source.url.clone(),
                title: Some(clean(&e.source.name)),
            }),
            dublin_core_ext: Some(DublinCoreExtension {
                creators: e.detail.authors.iter().map(|p| clean(&p.name)).collect(),
                ..Default::default()
            }),
            ..Default::default()
        })
        .collect();
    let channel = rss::Channel {
        title: clean(&p.name),
        link: p.link.clone(),
        description: clean(p.description.as_deref().unwrap_or(&p.name)),
        language: Some(p.language.clone()),
        managing_editor: p
            .owner_email
            .as_ref()
            .map(|m| format!("{m} ({})", clean(&p.owner_name))),
        last_build_date: rfc822(&view.updated),
        generator: Some(p.generator.clone()),
        docs: Some("https://www.rssboard.org/rss-specification".to_owned()),
        atom_ext: Some(AtomExtension {
            links: std::iter::once(atom_syndication::Link {
                href: self_url,
                rel: "self".to_owned(),
                mime_type: Some("application/rss+xml".to_owned()),
                ..Default::default()
            })
            // WebSub §4: RSS names its hubs with Atom's link element.
            .chain(p.hubs.iter().map(|hub| atom_syndication::Link {
                href: hub.clone(),
                rel: "hub".to_owned(),
                ..Default::default()
            }))
            .collect(),
        }),
        items,
        namespaces: BTreeMap::new(),
        ..Default::default()
    };
    let buf = channel
        .pretty_write_to(Vec::new(), b' ', 2)
        .map_err(Error::Rss)?;
    let mut buf = plain_text_references(&buf);
    buf.push(b'\n');
    Ok(buf)
}

/// The document with `&` and `<` outside CDATA sections written as `&#x26;` and `&#x3C;`.
/// RSS cannot say that a title, a category or a name is plain text; the RSS Best Practices
/// Profile's convention is that these references mean the characters themselves, while
/// `&amp;` and `&lt;` may be read as escaped HTML. Descriptions are CDATA, left alone.
fn plain_text_references(xml: &[u8]) -> Vec<u8> {
    const OPEN: &[u8] = b"<![CDATA[";
    let mut out = Vec::with_capacity(xml.len() + 64);
    let mut rest = xml;
    while !rest.is_empty() {
        let (text, cdata) = match memchr::memmem::find(rest, OPEN) {
            Some(i) => {
                let end =
                    memchr::memmem::find(&rest[i..], b"]]>").map_or(rest.len(), |j| i + j + 3);
                (&rest[..i], &rest[i..end])
            }
            None => (rest, &rest[rest.len()..]),
        };
        let mut i = 0;
        while i < text.len() {
            if text[i..].starts_with(b"&amp;") {
                out.extend_from_slice(b"&#x26;");
                i += 5;
            } else if text[i..].starts_with(b"&lt;") {
                out.extend_from_slice(b"&#x3C;");
                i += 4;
            } else {
                out.push(text[i]);
                i += 1;
            }
        }
        out.extend_from_slice(cdata);
        rest = &rest[text.len() + cdata.len()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_written_with_hexadecimal_references_outside_cdata() {
        let xml = b"<title>AT&amp;T &lt;b&gt;</title><description><![CDATA[<p>a &amp; b</p>]]></description><x>&lt;</x>";
        assert_eq!(
            String::from_utf8(plain_text_references(xml)).unwrap(),
            "<title>AT&#x26;T &#x3C;b&gt;</title><description><![CDATA[<p>a &amp; b</p>]]></description><x>&#x3C;</x>"
        );
    }
}
