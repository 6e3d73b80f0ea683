//! `opml.xml`: the subscription list as OPML 2.0 (<http://opml.org/spec2.opml>), so a reader
//! can import every feed of the planet at once.
//!
//! One `outline type="rss"` per subscription, sorted by name as in the sidebar, with `text` and
//! `title` (the name), `xmlUrl` (the feed) and `htmlUrl` (the blog, when known). Written with
//! quick-xml, which escapes attribute values and is already compiled in for the Atom and RSS
//! writers: an OPML crate would add a second XML stack for five elements. No clock is read:
//! `dateModified` is the planet's `updated`, so an unchanged planet produces the same bytes.

use chrono::DateTime;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use super::atom::strip_xml_illegal as clean;
use super::{Error, View};

/// Renders the view's subscriptions as OPML 2.0.
pub fn render(view: &View) -> Result<Vec<u8>, Error> {
    write(view).map_err(Error::Opml)
}

fn write(view: &View) -> std::io::Result<Vec<u8>> {
    let p = &view.planet;
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.write_event(Event::Start(
        BytesStart::new("opml").with_attributes([("version", "2.0")]),
    ))?;
    w.write_event(Event::Start(BytesStart::new("head")))?;
    let text = |w: &mut Writer<Vec<u8>>, name: &str, value: &str| {
        w.create_element(name)
            .write_text_content(BytesText::new(&clean(value)))
            .map(|_| ())
    };
    text(&mut w, "title", &format!("{}: subscriptions", p.name))?;
    if let Ok(d) = DateTime::parse_from_rfc3339(&view.updated) {
        text(&mut w, "dateModified", &d.to_rfc2822())?;
    }
    text(&mut w, "ownerName", &p.owner_name)?;
    if let Some(m) = &p.owner_email {
        text(&mut w, "ownerEmail", m)?;
    }
    text(&mut w, "docs", "http://opml.org/spec2.opml")?;
    w.write_event(Event::End(BytesEnd::new("head")))?;
    w.write_event(Event::Start(BytesStart::new("body")))?;
    for f in &view.feeds {
        let name = clean(&f.name);
        let mut outline = BytesStart::new("outline").with_attributes([
            ("type", "rss"),
            ("text", name.as_str()),
            ("title", name.as_str()),
            ("xmlUrl", f.url.as_str()),
        ]);
        if let Some(l) = &f.link {
            outline.push_attribute(("htmlUrl", l.as_str()));
        }
        w.write_event(Event::Empty(outline))?;
    }
    w.write_event(Event::End(BytesEnd::new("body")))?;
    w.write_event(Event::End(BytesEnd::new("opml")))?;
    let mut buf = w.into_inner();
    buf.push(b'\n');
    Ok(buf)
}
