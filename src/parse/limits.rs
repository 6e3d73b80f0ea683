//! What one document may cost, whatever its shape: at most [`MAX_ENTRIES`] entries are read,
//! no text, CDATA section or tag longer than [`MAX_RUN`] bytes, and a broken document is
//! repaired to at most [`MAX_DEPTH`] levels of elements.
//!
//! feed-rs builds every entry of a document before it returns any (each about a kilobyte
//! before its text), and the fidelity pass and the conversion follow it, so a body of tiny or
//! repeated entries cost memory many times its size. Real feeds have tens to hundreds of
//! entries, and a full archive a few thousand at most, newest first: a document is cut before
//! its entry number `MAX_ENTRIES + 1`, and its open elements closed, before anything reads it.
//! The cut keeps the first entries in document order, as a feed reader with a cap does.

use quick_xml::events::Event;

/// The most entries read from one document (an XML feed's `item`s or `entry`s, a JSON Feed's
/// `items`); those after are left unread.
pub const MAX_ENTRIES: usize = 1000;

/// The longest stretch of text, CDATA section, comment or tag read: one field's worth. The
/// longest entry body of the team's 559-feed corpus is half of it. Every copy of a field
/// downstream (feed-rs's, the entry's, the stored and the published ones) is bounded by it.
pub const MAX_RUN: usize = 1 << 20;

/// The deepest nesting of elements the repair of ill-formed documents follows: real feeds,
/// XHTML content included, stay under a hundred, and the XML reader under feed-rs refuses
/// more than 65,535 levels anyway.
pub const MAX_DEPTH: usize = 4096;

/// How many levels of elements around the entries are remembered by name, to close them at
/// the cut (`rss`, `channel`; `feed`; `rdf:RDF`; a wrapper or two). Deeper than that, the cut
/// leaves them open, and the repair of ill-formed documents closes them if feed-rs asks.
const NAMED_LEVELS: usize = 8;

/// The document without its entries past the first `max`; `None` when it has no more. An entry
/// is an element named `item` or `entry` (any prefix) that starts outside another one; the end
/// tag of the open entry closes it, whatever it left open, as the repair of unbalanced tags
/// reads it.
pub fn first_entries(text: &str, max: usize) -> Option<String> {
    if entry_tags(text.as_bytes()) <= max {
        return None;
    }
    let (cut, open) =
        entry_start(text, max).unwrap_or_else(|| (raw_entry_start(text, max), Vec::new()));
    let cut = cut?;
    let mut out = String::with_capacity(cut + 64);
    out.push_str(&text[..cut]);
    for name in open.iter().rev() {
        out.push_str("</");
        out.push_str(name);
        out.push('>');
    }
    Some(out)
}

/// The document with every text, CDATA section, comment and tag longer than `max` bytes cut
/// to `max` (a tag loses its attributes instead: its name is all it keeps); `None` when none
/// is. Text is cut before a reference it would split, and at a character's boundary.
pub fn shorten_runs(text: &str, max: usize) -> Option<String> {
    // Most documents: no two `<` are `max` apart, so nothing is that long.
    let bytes = text.as_bytes();
    let mut last = 0;
    let long = memchr::memchr_iter(b'<', bytes)
        .chain([bytes.len()])
        .any(|i| std::mem::replace(&mut last, i) + max < i);
    if !long {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let piece = if !rest.starts_with('<') {
            let end = rest.find('<').unwrap_or(rest.len());
            out.push_str(cut(&rest[..end], max));
            end
        } else if let Some((open, close)) = [("<![CDATA[", "]]>"), ("<!--", "-->"), ("<?", "?>")]
            .into_iter()
            .find(|(open, _)| rest.starts_with(open))
        {
            let body = &rest[open.len()..];
            let (len, closed) = body.find(close).map_or((body.len(), false), |l| (l, true));
            out.push_str(open);
            out.push_str(cut(&body[..len], max));
            if closed {
                out.push_str(close);
            }
            open.len() + len + if closed { close.len() } else { 0 }
        } else {
            let end = super::repair::tag_end(rest).unwrap_or(rest.len());
            let tag = &rest[..end];
            if tag.len() <= max {
                out.push_str(tag);
            } else {
                let name_len = tag[1..]
                    .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
                    .map_or(tag.len(), |n| n + 1);
                out.push_str(cut(&tag[..name_len], max));
                out.push_str(if tag.ends_with("/>") { "/>" } else { ">" });
            }
            end
        };
        rest = &rest[piece..];
    }
    // Every change shortens.
    (out.len() < text.len()).then_some(out)
}

/// `s` cut to at most `max` bytes, at a character's boundary and before a reference it would
/// split (a reference is at most a few dozen bytes long).
fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let kept = &s[..end];
    match kept.rfind('&') {
        Some(amp) if amp + 40 > end && !kept[amp..].contains(';') => &s[..amp],
        _ => kept,
    }
}

/// Whether a local name is an entry's.
fn is_entry(name: &[u8]) -> bool {
    let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
    local == b"item" || local == b"entry"
}

/// An upper bound on the entries' start tags: `item` or `entry` right after `<` or a prefix's
/// `:`. It counts some end tags and text too; it only spares most documents the real count.
fn entry_tags(bytes: &[u8]) -> usize {
    let mut n = 0;
    for word in [&b"item"[..], b"entry"] {
        n += memchr::memmem::find_iter(bytes, word)
            .filter(|&i| i > 0 && matches!(bytes[i - 1], b'<' | b':'))
            .count();
    }
    n
}

/// Where the start tag of entry number `max + 1` begins, when there is one, and the names of
/// the elements open there, outermost first (none when they are too deep to be known).
type Cut<'a> = (Option<usize>, Vec<&'a str>);

/// [`Cut`] as an XML reader finds it; `None` when the reader gives up before.
fn entry_start(text: &str, max: usize) -> Option<Cut<'_>> {
    let mut reader = quick_xml::Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    // How deep the reader is, the names of the outer `NAMED_LEVELS` open elements when no
    // entry is open, and the depth of the open entry.
    let mut depth = 0usize;
    let mut named: Vec<&str> = Vec::new();
    let mut in_entry: Option<usize> = None;
    let mut entries = 0;
    loop {
        let before = usize::try_from(reader.buffer_position()).ok()?;
        let (start, empty) = match reader.read_event().ok()? {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(e) => {
                depth = match in_entry {
                    Some(d) if is_entry(e.name().as_ref().as_bytes()) => d - 1,
                    _ => depth.saturating_sub(1),
                };
                in_entry = in_entry.filter(|&d| depth >= d);
                named.truncate(depth);
                continue;
            }
            Event::Eof => return Some((None, Vec::new())),
            _ => continue,
        };
        let name_len = start.name().as_ref().len();
        if in_entry.is_none() && is_entry(start.name().as_ref().as_bytes()) {
            entries += 1;
            if entries > max {
                let known = named.len() == depth;
                return Some((Some(before), if known { named } else { Vec::new() }));
            }
            if !empty {
                in_entry = Some(depth + 1);
            }
        } else if in_entry.is_none() && !empty && depth < NAMED_LEVELS {
            named.push(text.get(before + 1..before + 1 + name_len)?);
        }
        if !empty {
            depth += 1;
        }
    }
}

/// Where entry number `max + 1` begins, by its tag alone (`<item` or `<entry` and a space,
/// `>` or `/`): for a document the reader gives up on.
fn raw_entry_start(text: &str, max: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut starts: Vec<usize> = [&b"<item"[..], b"<entry"]
        .iter()
        .flat_map(|tag| {
            memchr::memmem::find_iter(bytes, tag).filter(move |&i| {
                bytes
                    .get(i + tag.len())
                    .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/'))
            })
        })
        .collect();
    starts.sort_unstable();
    starts.get(max).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rss(items: usize) -> String {
        let items: String = (0..items)
            .map(|i| format!("<item><title>{i}</title></item>\n"))
            .collect();
        format!("<rss version=\"2.0\"><channel><title>t</title>{items}<ttl>5</ttl></channel></rss>")
    }

    fn titles(xml: &str) -> Vec<String> {
        let parsed = crate::parse::parse_feed(xml, "u", "https://l.test/", None);
        let entries = parsed.expect("the cut document is read").entries;
        entries.into_iter().map(|e| e.title).collect()
    }

    #[test]
    fn a_document_within_the_limit_is_left_alone() {
        assert_eq!(first_entries(&rss(3), 3), None);
        assert_eq!(first_entries("<feed><entry/><entry/></feed>", 2), None);
    }

    #[test]
    fn entries_past_the_limit_are_cut_and_the_feed_closed() {
        for (case, xml, want) in [
            ("rss", rss(5), vec!["0", "1", "2"]),
            (
                "atom, empty entries",
                "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>\
                 <entry><title>0</title></entry><entry/><entry><title>2</title></entry>\
                 <entry><title>3</title></entry></feed>"
                    .to_owned(),
                vec!["0", "Untitled", "2"],
            ),
            (
                "an entry left unclosed inside",
                "<rss version=\"2.0\"><channel><title>t</title>\
                 <item><title>0</title><p><br></item><item><title>1</title></item>\
                 <item><title>2</title></item><item><title>3</title></item></channel></rss>"
                    .to_owned(),
                vec!["0", "1", "2"],
            ),
            (
                "entries named in text and CDATA are not entries",
                "<rss version=\"2.0\"><channel><title>t</title><description><![CDATA[<item>\
                 <item>]]> &lt;item&gt;</description><item><title>0</title></item>\
                 <item><title>1</title></item><item><title>2</title></item>\
                 <item><title>3</title></item></channel></rss>"
                    .to_owned(),
                vec!["0", "1", "2"],
            ),
        ] {
            let cut = first_entries(&xml, 3).unwrap_or_else(|| panic!("{case}: not cut"));
            assert!(
                cut.ends_with("</channel></rss>") || cut.ends_with("</feed>"),
                "{case}: {cut}"
            );
            assert_eq!(titles(&cut), want, "{case}");
        }
    }

    #[test]
    fn a_document_the_reader_gives_up_on_is_cut_by_its_tags() {
        let xml = "<rss version=\"2.0\"><channel><title>t</title><!x>\
                   <item>0</item><item>1</item><item>2</item></channel></rss>";
        assert_eq!(
            first_entries(xml, 2).as_deref(),
            Some("<rss version=\"2.0\"><channel><title>t</title><!x><item>0</item><item>1</item>")
        );
    }

    #[test]
    fn long_texts_sections_and_tags_are_cut() {
        let x = |n| "x".repeat(n);
        assert_eq!(shorten_runs(&format!("<a>{}</a>", x(10)), 10), None);
        for (case, input, want) in [
            (
                "text",
                format!("<a>{}</a>", x(12)),
                format!("<a>{}</a>", x(10)),
            ),
            (
                "text before a reference it would split",
                format!("<a>{}&amp;xx</a>", x(8)),
                format!("<a>{}</a>", x(8)),
            ),
            (
                "text at a character's boundary",
                format!("<a>{}éé</a>", x(8)),
                format!("<a>{}é</a>", x(8)),
            ),
            (
                "cdata",
                format!("<a><![CDATA[{}]]></a>", x(20)),
                format!("<a><![CDATA[{}]]></a>", x(10)),
            ),
            (
                "attribute",
                format!("<a><b href=\"{}\"/><c x=\"{}\">t</c></a>", x(20), x(20)),
                "<a><b/><c>t</c></a>".to_owned(),
            ),
            (
                "a `>` in an attribute value",
                format!("<a><b t=\">\" u=\"{}\">t</b></a>", x(20)),
                "<a><b>t</b></a>".to_owned(),
            ),
        ] {
            assert_eq!(
                shorten_runs(&input, 10).as_deref(),
                Some(want.as_str()),
                "{case}"
            );
        }
    }

    #[test]
    fn a_json_feed_keeps_its_first_entries() {
        let items: Vec<String> = (0..MAX_ENTRIES + 5)
            .map(|i| format!("{{\"id\": \"{i}\", \"content_text\": \"x\"}}"))
            .collect();
        let json = format!(
            "{{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"t\", \"items\": [{}]}}",
            items.join(",")
        );
        let parsed = crate::parse::parse_feed(json.into_bytes(), "u", "https://j.test/", None)
            .expect("parses");
        assert_eq!(parsed.entries.len(), MAX_ENTRIES);
        assert_eq!(
            parsed.entries[0].id,
            crate::parse::absolute_id("0", "u", "https://j.test/")
        );
    }
}
