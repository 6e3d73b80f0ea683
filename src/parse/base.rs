//! Which base URL each entry's content was written against, per `xml:base`.
//!
//! feed-rs resolves links against `xml:base` but reports only the `xml:base` written on the
//! `<content>` element itself, unresolved; the base in effect for content is the nearest one on
//! any enclosing element (the feed, the entry, the content), each resolved against the one
//! above it, the outermost against the feed's URL (XML Base, section 4.2). This pass walks the
//! document once with quick-xml and returns, for each entry in document order, the base in
//! effect for its content and for its summary. It only reads: the entries themselves come from
//! feed-rs, and when the two disagree on the number of entries the bases are not used.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use url::Url;

/// The bases in effect for one entry's body elements; `None` when no `xml:base` applies.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EntryBases {
    /// For `<content>` (Atom) or `<content:encoded>` (RSS).
    pub content: Option<String>,
    /// For `<summary>` (Atom) or `<description>` (RSS).
    pub summary: Option<String>,
}

/// The bases of every entry (`<entry>` or `<item>`), in document order. Empty when the
/// document uses no `xml:base` or cannot be read.
pub fn entry_bases(xml: &str, document_url: &str) -> Vec<EntryBases> {
    if !xml.contains("xml:base") {
        return Vec::new();
    }
    let Ok(root) = Url::parse(document_url) else {
        return Vec::new();
    };
    let mut reader = Reader::from_str(xml);
    // (depth, base) for every element that set one, innermost last.
    let mut stack: Vec<(usize, Url)> = Vec::new();
    let mut depth = 0usize;
    let mut entries: Vec<EntryBases> = Vec::new();
    let mut entry_depth: Option<usize> = None;
    loop {
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(_) => return Vec::new(),
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                depth += 1;
                let parent = stack.last().map_or(&root, |(_, u)| u);
                if let Some(base) = xml_base(e).and_then(|b| parent.join(&b).ok()) {
                    stack.push((depth, base));
                }
                let effective = stack.last().map(|(_, u)| u.to_string());
                let name = e.local_name();
                match (name.as_ref(), entry_depth) {
                    ("entry" | "item", None) => {
                        entry_depth = Some(depth);
                        entries.push(EntryBases::default());
                    }
                    ("content" | "encoded", Some(d)) if depth == d + 1 => {
                        if let Some(last) = entries.last_mut() {
                            last.content = effective;
                        }
                    }
                    ("summary" | "description", Some(d)) if depth == d + 1 => {
                        if let Some(last) = entries.last_mut() {
                            last.summary = effective;
                        }
                    }
                    _ => {}
                }
                if empty {
                    close(&mut stack, &mut depth, &mut entry_depth);
                }
            }
            Event::End(_) => close(&mut stack, &mut depth, &mut entry_depth),
            Event::Eof => break,
            _ => {}
        }
    }
    entries
}

fn close(stack: &mut Vec<(usize, Url)>, depth: &mut usize, entry_depth: &mut Option<usize>) {
    while stack.last().is_some_and(|(d, _)| *d == *depth) {
        stack.pop();
    }
    if *entry_depth == Some(*depth) {
        *entry_depth = None;
    }
    *depth = depth.saturating_sub(1);
}

fn xml_base(e: &BytesStart) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == "xml:base")
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.trim().to_owned())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_bases_resolve_against_each_other() {
        let xml = r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://a.test/blog/">
          <entry xml:base="posts/"><content type="html" xml:base="1/">x</content>
            <summary type="html">y</summary></entry>
          <entry><content type="html">z</content></entry>
        </feed>"#;
        let bases = entry_bases(xml, "http://a.test/feed.xml");
        assert_eq!(
            bases,
            vec![
                EntryBases {
                    content: Some("http://a.test/blog/posts/1/".into()),
                    summary: Some("http://a.test/blog/posts/".into()),
                },
                EntryBases {
                    content: Some("http://a.test/blog/".into()),
                    summary: None,
                },
            ]
        );
    }

    #[test]
    fn no_xml_base_means_no_bases() {
        assert!(entry_bases("<rss><channel><item/></channel></rss>", "http://a.test/").is_empty());
    }
}
