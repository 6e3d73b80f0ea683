//! `opml.xml` and `planet export`: the subscription list as OPML 2.0
//! (<http://opml.org/spec2.opml>), so a reader can import every feed of the planet at once.
//!
//! One `outline type="rss"` per subscription, sorted by name as in the sidebar, with `text` and
//! `title` (the name), `xmlUrl` (the feed) and `htmlUrl` (the blog, when known), written with
//! the `opml` crate that also reads imports. No clock is read: `dateModified` is the planet's
//! `updated`, so an unchanged planet produces the same bytes.

use chrono::DateTime;
use opml::{Head, Outline, OPML};

use super::{clean, Error, View};

/// Renders the view's subscriptions as OPML 2.0.
pub fn render(view: &View) -> Result<Vec<u8>, Error> {
    let p = &view.planet;
    let outlines = view
        .feeds
        .iter()
        .map(|f| {
            let name = clean(&f.name);
            Outline {
                text: name.clone(),
                title: Some(name),
                r#type: Some("rss".to_owned()),
                xml_url: Some(f.url.clone()),
                html_url: f.link.clone(),
                ..Outline::default()
            }
        })
        .collect();
    let doc = OPML {
        version: "2.0".to_owned(),
        head: Some(Head {
            title: Some(clean(&format!("{}: subscriptions", p.name))),
            date_modified: DateTime::parse_from_rfc3339(&view.updated)
                .ok()
                .map(|d| d.to_rfc2822()),
            owner_name: Some(clean(&p.owner_name)),
            owner_email: p.owner_email.as_deref().map(clean),
            docs: Some("http://opml.org/spec2.opml".to_owned()),
            ..Head::default()
        }),
        body: opml::Body { outlines },
    };
    let xml = doc.to_string().map_err(Error::Opml)?;
    // One outline per line, for people and diffs: a `<` inside a value is always escaped, so
    // every `<outline ` starts an element.
    let xml = xml
        .replace("<outline ", "\n  <outline ")
        .replace("</body>", "\n</body>");
    Ok(format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{xml}\n").into_bytes())
}
