//! Repairs of what strict XML parsers reject and liberal readers forgive, on UTF-8 text.
//!
//! Each repair takes the document [`super::decode`] produced and returns a fixed copy (or `None`
//! when it does not apply): HTML entities and bare `&`, RSS 0.90 and Atom 0.3 namespaces, RSS
//! 1.0 items without a `<link>`, and, only once feed-rs has refused the document, `<rss>`
//! without a version feed-rs knows or without `<channel>`, a feed wrapped in a page, Atom text
//! constructs typed with MIME types, empty elements feed-rs wants text in, and unbalanced tags.
//! None of them expands an entity a DTD declares or reads anything but the text it is given.

mod cdata;
mod references;

pub use cdata::escaped_text_as_cdata;
pub use references::repair_references;
pub(super) use references::xml_reference;
use references::{doctype_end, unparsed_section};
#[cfg(test)]
use references::{needs_reference_repair, repair_all_references};

/// The length of the tag that starts `s` (at its `<`), through its `>`; a `>` inside a quoted
/// attribute value does not end it.
pub(super) fn tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, b) in s.bytes().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b'>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// Gives `<rss>` without a `version` (or with one feed-rs does not dispatch on, such as 0.93
/// or 0.94) the version 2.0, whose parser reads every RSS 0.9x/2.0 document. Returns `None`
/// when the root is not such an `<rss>`.
pub fn fix_rss_version(text: &str) -> Option<String> {
    let start = root_start(text)?;
    let tag = &text[start..];
    let after_name = tag.strip_prefix("<rss")?;
    if !after_name.starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/') {
        return None;
    }
    let tag_end = start + tag.find('>')?;
    let attrs = &text[start + 4..tag_end];
    let version = attr_value(attrs, "version");
    if matches!(version.as_deref(), Some("2.0" | "0.91" | "0.92")) {
        return None;
    }
    let mut fixed = String::with_capacity(text.len() + 16);
    fixed.push_str(&text[..start]);
    fixed.push_str("<rss version=\"2.0\"");
    fixed.push_str(&remove_attr(attrs, "version"));
    fixed.push_str(&text[tag_end..]);
    Some(fixed)
}

/// Namespaces that name an old version of a format feed-rs reads under the current one:
/// Atom 0.3 is read as Atom 1.0 (its `issued`, `modified` and `tagline` renamed to `published`,
/// `updated` and `subtitle`), RSS 0.90 as RSS 1.0, and the UserLand RSS 2.0 default namespace is
/// dropped (RSS 2.0 has none). Returns `None` when the document uses none of them.
pub fn modernize_namespaces(text: &str) -> Option<String> {
    const ATOM03: &str = "http://purl.org/atom/ns#";
    const ALIASES: &[(&str, &str)] = &[
        (
            "\"http://purl.org/atom/ns#\"",
            "\"http://www.w3.org/2005/Atom\"",
        ),
        (
            "'http://purl.org/atom/ns#'",
            "'http://www.w3.org/2005/Atom'",
        ),
        (
            "\"http://my.netscape.com/rdf/simple/0.9/\"",
            "\"http://purl.org/rss/1.0/\"",
        ),
        (
            "\"http://channel.netscape.com/rdf/simple/0.9/\"",
            "\"http://purl.org/rss/1.0/\"",
        ),
        ("xmlns=\"http://backend.userland.com/rss2\"", ""),
        ("xmlns=\"http://backend.userland.com/rss\"", ""),
    ];
    let start = root_start(text)?;
    let end = start + text[start..].find('>')?;
    let tag = &text[start..end];
    if !ALIASES.iter().any(|(from, _)| tag.contains(from)) {
        return None;
    }
    let mut new_tag = tag.to_owned();
    for (from, to) in ALIASES {
        new_tag = new_tag.replace(from, to);
    }
    let mut rest = text[end..].to_owned();
    if tag.contains(ATOM03) {
        for (old, new) in [
            ("issued", "published"),
            ("modified", "updated"),
            ("tagline", "subtitle"),
        ] {
            rest = rest
                .replace(&format!("<{old}>"), &format!("<{new}>"))
                .replace(&format!("<{old} "), &format!("<{new} "))
                .replace(&format!("</{old}>"), &format!("</{new}>"));
        }
    }
    Some(format!("{}{new_tag}{rest}", &text[..start]))
}

/// Wraps the items of an `<rss>` that has no `<channel>` in one, as RSS requires.
pub fn add_missing_channel(text: &str) -> Option<String> {
    if text.contains("<channel") {
        return None;
    }
    let start = root_start(text)?;
    if !text[start..].starts_with("<rss") {
        return None;
    }
    let open_end = start + text[start..].find('>')? + 1;
    // The last `</rss>` may stand before the start tag's first `>` (in an attribute value).
    let close = text
        .rfind("</rss>")
        .filter(|&c| c >= open_end)
        .unwrap_or(text.len());
    Some(format!(
        "{}<channel>{}</channel>{}",
        &text[..open_end],
        &text[open_end..close],
        &text[close..]
    ))
}

/// The link [`link_rss1_items`] gives an RSS 1.0 item that has none to give: not a URL a
/// reader could follow, so the adapter removes it again.
pub const NO_LINK: &str = "urn:x-planet:no-link";

/// Gives every RSS 1.0 `<item>` without a `<link>` one, because feed-rs drops such items (and
/// liberal readers keep them): its `rdf:about` when that is a web address (the item's URI,
/// which RSS 1.0 says should be its link), else `NO_LINK`.
pub fn link_rss1_items(text: &str) -> Option<String> {
    let start = root_start(text)?;
    if !text[start..].starts_with("<rdf:RDF") {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let mut changed = false;
    while let Some(i) = text[at..].find("<item").map(|i| at + i) {
        let after = text[i + "<item".len()..].chars().next();
        let Some(open_end) = after
            .filter(|c| *c == '>' || c.is_whitespace())
            .and_then(|_| text[i..].find('>'))
            .map(|e| i + e + 1)
            .filter(|&e| !text[..e].ends_with("/>"))
        else {
            out.push_str(&text[at..i + 1]);
            at = i + 1;
            continue;
        };
        let close = text[open_end..]
            .find("</item>")
            .map_or(text.len(), |c| open_end + c);
        out.push_str(&text[at..open_end]);
        let body = &text[open_end..close];
        if !body.contains("<link>") && !body.contains("<link ") {
            let about = attr_value(&text[i..open_end], "rdf:about")
                .map(|a| a.trim().to_owned())
                .filter(|a| a.starts_with("http://") || a.starts_with("https://"));
            out.push_str("<link>");
            out.push_str(about.as_deref().unwrap_or(NO_LINK));
            out.push_str("</link>");
            changed = true;
        }
        at = open_end;
    }
    out.push_str(&text[at..]);
    changed.then_some(out)
}

/// The document without the XML declarations inside it (`<?xml version="1.0"?>` where two
/// documents were pasted together): the prolog's own was taken off when it was decoded, and
/// the reader under feed-rs panics on one that names an encoding. Those in CDATA sections and
/// comments are text, and stay. `None` when there is none.
pub fn drop_inner_declarations(text: &str) -> Option<String> {
    let is_declaration = |s: &str| {
        s.strip_prefix("<?xml")
            .and_then(|r| r.bytes().next())
            .is_some_and(|b| b.is_ascii_whitespace() || b == b'?')
    };
    // Most documents have none: their own was taken off.
    memchr::memmem::find(text.as_bytes(), b"<?xml")?;
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(next) = rest.find('<') {
        let (before, from) = rest.split_at(next);
        out.push_str(before);
        let end = if is_declaration(from) {
            changed = true;
            from.find("?>").map_or(from.len(), |e| e + 2)
        } else {
            let end = unparsed_section(from).unwrap_or(1);
            out.push_str(&from[..end]);
            end
        };
        rest = &from[end..];
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// Makes an ill-formed document well-formed the way a browser would: an end tag closes the
/// nearest open element of its name (and those opened inside it), an end tag with no open
/// element is dropped, and a document cut short (truncated mid-tag or mid-CDATA) ends where the
/// last complete piece of markup did, with its open elements closed, minus the entry it cut
/// (half an entry would be published under a wrong title and id); so does one nested deeper
/// than [`super::limits::MAX_DEPTH`], where it goes deeper. Used only when feed-rs
/// rejects a document, so well-formed feeds are read exactly as written.
pub fn balance(text: &str) -> String {
    use quick_xml::events::{BytesEnd, Event};
    let mut reader = quick_xml::Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    let mut writer = quick_xml::Writer::new(Vec::with_capacity(text.len()));
    // Open elements: name and where their start tag begins in the output.
    let mut open: Vec<(String, usize)> = Vec::new();
    loop {
        let event = match reader.read_event() {
            Ok(Event::Eof) | Err(_) => break,
            // Nested past what any reader takes: cut short there.
            Ok(Event::Start(_)) if open.len() >= super::limits::MAX_DEPTH => break,
            Ok(e) => e,
        };
        let ok = match &event {
            Event::Start(e) => {
                let mut ok = true;
                // An entry starts in its feed: whatever was left open inside the feed (an
                // unclosed `<itunes:category>`, say) ends before it.
                if is_entry(e.name().as_ref()) {
                    if let Some(at) = open.iter().rposition(|(n, _)| is_entry_parent(n)) {
                        while open.len() > at + 1 {
                            if let Some((name, _)) = open.pop() {
                                ok &= writer.write_event(Event::End(BytesEnd::new(name))).is_ok();
                            }
                        }
                    }
                }
                open.push((e.name().as_ref().to_owned(), writer.get_ref().len()));
                ok && writer.write_event(event.borrow()).is_ok()
            }
            Event::End(e) => match open.iter().rposition(|(n, _)| n == e.name().as_ref()) {
                Some(at) => {
                    let mut ok = true;
                    while open.len() > at {
                        if let Some((name, _)) = open.pop() {
                            ok &= writer.write_event(Event::End(BytesEnd::new(name))).is_ok();
                        }
                    }
                    ok
                }
                None => true,
            },
            _ => writer.write_event(event.borrow()).is_ok(),
        };
        if !ok {
            break;
        }
    }
    let mut out = writer.into_inner();
    if let Some(at) = open.iter().position(|(n, _)| is_entry(n)) {
        out.truncate(open[at].1);
        open.truncate(at);
    }
    while let Some((name, _)) = open.pop() {
        out.extend_from_slice(b"</");
        out.extend_from_slice(name.as_bytes());
        out.push(b'>');
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn local_name(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

fn is_entry(name: &str) -> bool {
    matches!(local_name(name), "item" | "entry")
}

fn is_entry_parent(name: &str) -> bool {
    matches!(local_name(name), "channel" | "feed" | "RDF")
}

/// The feed inside a document whose root is something else (a feed served wrapped in an HTML
/// page, say): from its `<rss`, `<feed` or `<rdf:RDF` start tag to its end tag. `None` when
/// there is none below the root.
pub fn embedded_feed(text: &str) -> Option<String> {
    let root = root_start(text)?;
    let (start, close) = [
        ("<rss", "</rss>"),
        ("<feed", "</feed>"),
        ("<rdf:RDF", "</rdf:RDF>"),
    ]
    .iter()
    .filter_map(|(open, close)| {
        text[root + 1..]
            .match_indices(open)
            .map(|(i, _)| root + 1 + i)
            .find(|&i| text[i + open.len()..].starts_with(|c: char| c.is_whitespace() || c == '>'))
            .map(|i| (i, *close))
    })
    .min_by_key(|(i, _)| *i)?;
    let end = text[start..]
        .rfind(close)
        .map_or(text.len(), |i| start + i + close.len());
    Some(text[start..end].to_owned())
}

/// Drops the empty element whose start tag ends at `position` (where feed-rs says it found no
/// text in an element that must hold some), and every other empty element of the same name, so
/// that one reading more finds them all. `None` when no such element ends there.
pub fn drop_empty_elements(text: &str, position: usize) -> Option<String> {
    let lt = text.get(..position)?.rfind('<')?;
    let name = text[lt + 1..]
        .split(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .next()
        .filter(|n| !n.is_empty() && !n.starts_with(['!', '?']))?;
    let close = format!("</{name}>");
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let mut dropped = false;
    for (i, _) in text.match_indices(&format!("<{name}")) {
        let after = &text[i + 1 + name.len()..];
        if i < at || !after.starts_with(|c: char| c.is_whitespace() || c == '/' || c == '>') {
            continue;
        }
        let Some(tag_len) = tag_end(&text[i..]) else {
            continue;
        };
        let rest = &text[i + tag_len..];
        let end = if text[i..i + tag_len].ends_with("/>") {
            i + tag_len
        } else if let Some(after_close) = rest.trim_start().strip_prefix(close.as_str()) {
            text.len() - after_close.len()
        } else {
            continue;
        };
        out.push_str(&text[at..i]);
        at = end;
        dropped = true;
    }
    out.push_str(&text[at..]);
    dropped.then_some(out)
}

/// Rewrites the `type` of Atom text constructs given as a MIME type (Atom 0.3 style, or
/// mistakes such as `text/plain`) to the `text`/`html`/`xhtml` Atom 1.0 allows, since feed-rs
/// rejects the whole feed over one. Anything unknown becomes `text`, the safe reading.
pub fn fix_text_types(text: &str) -> String {
    const TEXT_CONSTRUCTS: &[&str] = &[
        "<title",
        "<subtitle",
        "<summary",
        "<rights",
        "<tagline",
        "<info",
        "<copyright",
    ];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let starts = |t: &str| {
            rest.starts_with(t) && rest[t.len()..].starts_with(|c: char| c.is_whitespace())
        };
        let is_content = starts("<content");
        let is_construct = is_content || TEXT_CONSTRUCTS.iter().any(|t| starts(t));
        let Some(end) = rest.find('>').filter(|_| is_construct) else {
            out.push('<');
            rest = &rest[1..];
            continue;
        };
        let tag = &rest[..end];
        // A valid Atom type, or a real MIME type on `<content>` (which allows one), stays.
        let keep =
            |t: &str| matches!(t, "text" | "html" | "xhtml") || is_content && is_mime_type(t);
        match attr_value(tag, "type") {
            Some(t) if !keep(&t) => {
                let kind = match t.trim().to_ascii_lowercase().as_str() {
                    "text/html" => "html",
                    "application/xhtml+xml" => "xhtml",
                    _ => "text",
                };
                out.push_str(remove_attr(tag, "type").trim_end());
                out.push_str(&format!(" type=\"{kind}\""));
            }
            _ => out.push_str(tag),
        }
        rest = &rest[end..];
        out.push('>');
        rest = &rest[1..];
    }
    out.push_str(rest);
    out
}

/// Whether `t` has the shape of a MIME type (`type/subtype`, RFC 2045 token characters).
fn is_mime_type(t: &str) -> bool {
    let token = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c))
    };
    t.split_once('/')
        .is_some_and(|(a, b)| token(a) && token(b.split(';').next().unwrap_or_default().trim()))
}

/// Where the root element's start tag begins: the first `<` not opening a PI, comment or
/// DOCTYPE.
fn root_start(text: &str) -> Option<usize> {
    let mut at = 0;
    loop {
        let i = at + text[at..].find('<')?;
        let rest = &text[i..];
        if rest.starts_with("<?") {
            at = i + rest.find("?>")? + 2;
        } else if rest.starts_with("<!--") {
            at = i + rest.find("-->")? + 3;
        } else if rest.starts_with("<!") {
            at = i + doctype_end(rest);
        } else {
            return Some(i);
        }
    }
}

fn attr_value(attrs: &str, name: &str) -> Option<String> {
    let at = find_attr(attrs, name)?;
    let rest = attrs[at + name.len()..].trim_start().strip_prefix('=')?;
    let rest = rest.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    Some(value[..value.find(quote)?].to_owned())
}

fn remove_attr(attrs: &str, name: &str) -> String {
    let Some(at) = find_attr(attrs, name) else {
        return attrs.to_owned();
    };
    let rest = &attrs[at + name.len()..];
    let mut end = at + name.len();
    if let Some(eq) = rest.trim_start().strip_prefix('=') {
        let value = eq.trim_start();
        if let Some(q) = value.chars().next().filter(|c| *c == '"' || *c == '\'') {
            if let Some(close) = value[1..].find(q) {
                end = attrs.len() - value.len() + 1 + close + 1;
            }
        }
    }
    format!("{}{}", &attrs[..at], &attrs[end..])
}

/// The position of attribute `name` in a start tag's attribute text (a whole name only).
fn find_attr(attrs: &str, name: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = attrs[from..].find(name) {
        let at = from + i;
        let before_ok = at == 0 || attrs[..at].ends_with(char::is_whitespace);
        let after_ok = attrs[at + name.len()..].trim_start().starts_with('=');
        if before_ok && after_ok {
            return Some(at);
        }
        from = at + name.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_html_becomes_cdata_with_the_same_text() {
        let body = "&lt;p&gt;Caf&#233; &amp; bar &quot;q&quot; &#x41;&lt;/p&gt;".repeat(4);
        let doc = format!(
            "<rss><channel><item><title a=\"x>y\">t</title><description>{body}</description></item></channel></rss>"
        );
        let out = escaped_text_as_cdata(&doc).unwrap();
        let want = "<p>Café & bar \"q\" A</p>".repeat(4);
        assert!(
            out.contains(&format!("<description><![CDATA[{want}]]></description>")),
            "{out}"
        );
        assert!(out.contains("<title a=\"x>y\">t</title>"));
        // Runs that cannot be CDATA as they are, and short runs, are left alone.
        for keep in [
            format!("{body}]]&gt;"),
            format!("{body}&#13;"),
            format!("{body}&custom;"),
            "&lt;b&gt;short&lt;/b&gt;".to_owned(),
        ] {
            let doc = format!("<feed><entry><summary>{keep}</summary></entry></feed>");
            assert_eq!(escaped_text_as_cdata(&doc), None, "{keep}");
        }
        let with_doctype = format!("<!DOCTYPE rss [<!ENTITY e \"x\">]><rss><d>{body}</d></rss>");
        assert_eq!(escaped_text_as_cdata(&with_doctype), None);
        let in_comment = format!("<rss><!-- {body} --><![CDATA[{body}]]></rss>");
        assert_eq!(escaped_text_as_cdata(&in_comment), None);
    }

    #[test]
    fn the_fast_check_never_skips_a_repair() {
        let cases = [
            "a &amp; b",
            "&#65;",
            "&#x41;",
            "&#X41;",
            "&#0065;",
            "&#128;",
            "&#x9F;",
            "&#12;",
            "&#xFFFE;",
            "&#1114112;",
            "&#99999999999;",
            "&nbsp;",
            "a & b",
            "&#xZZ;",
            "&#;",
            "&#x;",
            "&amp",
            "&#65",
            "&lt;&gt;&quot;&apos;",
            "<![CDATA[&nbsp;]]>",
            "&#+65;",
            "&ampx;",
            "&AMP;",
            "<!-- & -->",
            "&#55296;",
            "x&",
            "<a><![CDATA[&nbsp;</a>",
            "<a>&amp;<!-- & </a>",
            "<!DOCTYPE r [<!ENTITY x \"&\">]><r>&amp;</r>",
            "<a><?p & ?>&nbsp;</a>",
        ];
        for case in cases {
            if !needs_reference_repair(case) {
                assert_eq!(repair_all_references(case), case, "{case}");
            }
        }
        for must in [
            "&nbsp;",
            "a & b",
            "&#128;",
            "&#12;",
            "&#xFFFE;",
            "x&",
            "&#;",
            "<a><![CDATA[x]]>&nbsp;</a>",
            "<a><![CDATA[x]]><![CDATA[y]]>AT&T</a>",
            "<a><!-- x -->&nbsp;</a>",
            "<?p?><!DOCTYPE r [<!ENTITY x \"y\">]><r>a & b</r>",
        ] {
            assert!(needs_reference_repair(must), "{must}");
        }
        // The sections the full pass does not read are jumped over, whatever they hold.
        assert!(!needs_reference_repair(
            "<a><![CDATA[AT&T <b>]]><!-- & --><?p & ?>&amp;</a>"
        ));
    }

    #[test]
    fn repairs_references() {
        let cases = [
            (
                "html entity",
                "<a>x&nbsp;y&eacute;</a>",
                "<a>x&#xA0;y&#xE9;</a>",
            ),
            (
                "xml entity kept",
                "<a>&amp;&lt;&#38;</a>",
                "<a>&amp;&lt;&#38;</a>",
            ),
            (
                "bare ampersand",
                "<a>R&D & co</a>",
                "<a>R&amp;D &amp; co</a>",
            ),
            (
                "bare in attribute",
                "<a href=\"?a=1&b=2\"/>",
                "<a href=\"?a=1&amp;b=2\"/>",
            ),
            ("forbidden char ref", "<a>x&#12;y&#x0;</a>", "<a>xy</a>"),
            (
                "c1 ref is windows-1252",
                "<a>it&#146;s</a>",
                "<a>it&#x2019;s</a>",
            ),
            (
                "cdata untouched",
                "<![CDATA[a &nbsp; & b]]>",
                "<![CDATA[a &nbsp; & b]]>",
            ),
            (
                "cdata after markup untouched",
                "<t><![CDATA[a & b]]></t> & <!-- & --><?p & ?>",
                "<t><![CDATA[a & b]]></t> &amp; <!-- & --><?p & ?>",
            ),
            (
                "dtd entities not expanded",
                "<!DOCTYPE r [<!ENTITY lol \"lol\">]><r>&lol;</r>",
                "<!DOCTYPE r [<!ENTITY lol \"lol\">]><r>&lol;</r>",
            ),
        ];
        for (name, input, want) in cases {
            assert_eq!(repair_references(input), want, "case {name}");
        }
    }

    #[test]
    fn balances_ill_formed_documents() {
        let cases = [
            (
                "truncated",
                "<rss><channel><item><title>a</title></item><item><title><![CD",
                "<rss><channel><item><title>a</title></item></channel></rss>",
            ),
            ("unclosed inner", "<a><b><c>x</a>", "<a><b><c>x</c></b></a>"),
            ("stray end", "<a>x</p>y</a>", "<a>xy</a>"),
            ("cut end tag", "<a><b/></a", "<a><b/></a>"),
        ];
        for (name, input, want) in cases {
            assert_eq!(balance(input), want, "case {name}");
        }
    }

    #[test]
    fn nesting_past_the_depth_limit_is_cut_short_there() {
        let deep = "<d>".repeat(super::super::limits::MAX_DEPTH * 4);
        let input = format!(
            "<rss><channel><item><title>a</title></item><item><title>b</title>{deep}</item></channel></rss>"
        );
        assert_eq!(
            balance(&input),
            "<rss><channel><item><title>a</title></item></channel></rss>",
            "the entry that goes too deep is left out, the one before it kept"
        );
    }

    #[test]
    fn drops_declarations_inside_the_document_but_not_in_text() {
        let input =
            "<rss><?xml version=\"1.0\" encoding=\"utf-8\"?><channel><?xml-stylesheet href=\"s\"?>\
                     <![CDATA[<?xml version=\"1.0\"?>]]><!-- <?xml ?> --></channel></rss>";
        assert_eq!(
            drop_inner_declarations(input).as_deref(),
            Some("<rss><channel><?xml-stylesheet href=\"s\"?><![CDATA[<?xml version=\"1.0\"?>]]><!-- <?xml ?> --></channel></rss>")
        );
        assert_eq!(
            drop_inner_declarations("<rss><?xml-stylesheet?></rss>"),
            None
        );
    }

    #[test]
    fn closes_what_was_left_open_before_an_entry() {
        let input =
            "<rss><channel><itunes:category text='a'><item><title>x</title></item></channel></rss>";
        assert_eq!(
            balance(input),
            "<rss><channel><itunes:category text='a'></itunes:category><item><title>x</title></item></channel></rss>"
        );
    }

    #[test]
    fn finds_a_feed_wrapped_in_a_page() {
        let page = "<html><body><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title></feed></body></html>";
        assert_eq!(
            embedded_feed(page).as_deref(),
            Some("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title></feed>")
        );
        assert_eq!(embedded_feed("<html><body><p>feed</p></body></html>"), None);
    }

    #[test]
    fn reads_old_namespaces_as_new() {
        let atom03 = "<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"><entry><issued>x</issued><modified>y</modified></entry></feed>";
        assert_eq!(
            modernize_namespaces(atom03).as_deref(),
            Some("<feed version=\"0.3\" xmlns=\"http://www.w3.org/2005/Atom\"><entry><published>x</published><updated>y</updated></entry></feed>")
        );
        let userland =
            "<rss version=\"2.0\" xmlns=\"http://backend.userland.com/rss2\"><channel/></rss>";
        assert_eq!(
            modernize_namespaces(userland).as_deref(),
            Some("<rss version=\"2.0\" ><channel/></rss>")
        );
        assert_eq!(
            modernize_namespaces("<rss version=\"2.0\"><channel/></rss>"),
            None
        );
    }

    #[test]
    fn drops_the_empty_elements_named_as_the_one_at_a_position() {
        let doc = "<rss><item><m:d/><m:d a='>'></m:d><m:d> </m:d><m:d>x</m:d><m:dd/></item></rss>";
        let at = doc.find("<m:d/>").unwrap() + "<m:d/>".len();
        assert_eq!(
            drop_empty_elements(doc, at).as_deref(),
            Some("<rss><item><m:d>x</m:d><m:dd/></item></rss>")
        );
        assert_eq!(drop_empty_elements(doc, 0), None, "no element ends there");
        assert_eq!(
            drop_empty_elements("<a><b>x</b></a>", 6),
            None,
            "an element with text is kept"
        );
    }

    #[test]
    fn fixes_mime_types_on_text_constructs() {
        assert_eq!(
            fix_text_types("<feed><title type=\"text/plain\">a</title><summary type='text/html'>b</summary><content type=\"text/plain\">c</content></feed>"),
            "<feed><title type=\"text\">a</title><summary type=\"html\">b</summary><content type=\"text/plain\">c</content></feed>"
        );
    }

    #[test]
    fn wraps_channelless_rss() {
        assert_eq!(
            add_missing_channel("<rss><item/></rss>").as_deref(),
            Some("<rss><channel><item/></channel></rss>")
        );
        // Its only `</rss>` is inside the start tag: nothing to slice backwards.
        assert_eq!(
            add_missing_channel("<rss a=\"</rss>\"><item/>").as_deref(),
            Some("<rss a=\"</rss><channel>\"><item/></channel>")
        );
    }

    #[test]
    fn links_rss1_items_that_have_none() {
        let rdf = |items: &str| {
            format!("<?xml version=\"1.0\"?><rdf:RDF xmlns:rdf=\"r\">{items}</rdf:RDF>")
        };
        let cases = [
            ("no link, no about", "<item><title>a</title></item>", Some(format!("<item><link>{NO_LINK}</link><title>a</title></item>"))),
            ("about is the link", "<item rdf:about=\"https://x.test/1\"><title>a</title></item>", Some("<item rdf:about=\"https://x.test/1\"><link>https://x.test/1</link><title>a</title></item>".to_owned())),
            ("has a link", "<item><link>https://x.test/2</link></item>", None),
            ("empty item untouched", r#"<item rdf:about="https://x.test/e"/>"#, None),
            ("items list untouched", "<channel><items/></channel><item><link>l</link></item>", None),
        ];
        for (name, items, want) in cases {
            assert_eq!(
                link_rss1_items(&rdf(items)),
                want.map(|w| rdf(&w)),
                "{name}"
            );
        }
        assert_eq!(
            link_rss1_items("<rss><channel><item/></channel></rss>"),
            None,
            "not RSS 1.0"
        );
    }

    #[test]
    fn gives_rss_a_version() {
        let cases = [
            (
                "missing",
                "<rss><channel/></rss>",
                Some("<rss version=\"2.0\"><channel/></rss>"),
            ),
            (
                "0.94 with namespace",
                "<?xml-stylesheet x?><rss xmlns:a=\"u\" version=\"0.94\">",
                Some("<?xml-stylesheet x?><rss version=\"2.0\" xmlns:a=\"u\" >"),
            ),
            ("2.0 untouched", "<rss version=\"2.0\">", None),
            (
                "padded 2.0",
                "<rss version=\" 2.0 \">",
                Some("<rss version=\"2.0\" >"),
            ),
            ("atom untouched", "<feed>", None),
        ];
        for (name, input, want) in cases {
            assert_eq!(fix_rss_version(input).as_deref(), want, "case {name}");
        }
    }
}
