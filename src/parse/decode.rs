//! Bytes → well-formed-enough UTF-8 XML: what feed-rs gets to read.
//!
//! Real feeds are served in every encoding, often mislabelled, and often not well-formed. This
//! stage decides the encoding the way RFC 7303 and XML 1.0 (appendix F) say (byte-order mark,
//! then the HTTP `charset`, then the XML declaration, else UTF-8), decodes to UTF-8 with
//! `encoding_rs`, and hands feed-rs a document without an encoding declaration, so it cannot
//! decode the text twice. Bytes that are not valid UTF-8 in an undeclared or UTF-8 document are
//! read as windows-1252 one by one (the classic pasted "smart quote"), so invalid bytes never
//! lose a feed. It then repairs the mistakes liberal readers forgive: HTML entities such as
//! `&nbsp;` that XML does not define, bare `&`, references to characters XML forbids, text
//! before the document, and `<rss>` without a version feed-rs knows.
//!
//! It does not expand entities declared in a DTD (feed-rs never does either, so a
//! "billion laughs" document stays small) and never fetches anything.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

/// Which UTF-32 byte order a document uses (`encoding_rs` implements only the WHATWG
/// encodings, which leave UTF-32 out).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Utf32 {
    Be,
    Le,
}

/// The encoding chosen for a document.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Chosen {
    Whatwg(&'static Encoding),
    Utf32(Utf32),
}

/// Decodes a feed body to UTF-8 text, without BOM, XML declaration or leading junk, and with
/// every character XML 1.0 forbids removed.
pub fn to_utf8(bytes: &[u8], content_type: Option<&str>) -> String {
    let (chosen, bom_len) = choose_encoding(bytes, content_type);
    let body = &bytes[bom_len..];
    let text = match chosen {
        Chosen::Utf32(order) => decode_utf32(body, order),
        Chosen::Whatwg(enc) if enc == UTF_8 => decode_utf8_or_1252(body),
        Chosen::Whatwg(enc) => enc.decode_without_bom_handling(body).0.into_owned(),
    };
    strip_prolog(&text)
        .chars()
        .filter(|&c| is_xml_char(c))
        .collect()
}

/// Whether XML 1.0 allows the character at all (section 2.2).
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The encoding and the length of the byte-order mark to skip.
fn choose_encoding(bytes: &[u8], content_type: Option<&str>) -> (Chosen, usize) {
    // 1. A byte-order mark is unambiguous (UTF-32 is checked first: its LE mark starts with
    //    the UTF-16LE one).
    match bytes {
        [0x00, 0x00, 0xFE, 0xFF, ..] => return (Chosen::Utf32(Utf32::Be), 4),
        [0xFF, 0xFE, 0x00, 0x00, ..] => return (Chosen::Utf32(Utf32::Le), 4),
        [0xEF, 0xBB, 0xBF, ..] => return (Chosen::Whatwg(UTF_8), 3),
        [0xFE, 0xFF, ..] => return (Chosen::Whatwg(UTF_16BE), 2),
        [0xFF, 0xFE, ..] => return (Chosen::Whatwg(UTF_16LE), 2),
        _ => {}
    }
    // Without a mark, the zero bytes of the first character give UTF-16/32 away (XML 1.0
    // appendix F); any label that says otherwise is wrong.
    let sniffed = match bytes {
        [0, 0, 0, b, ..] if *b != 0 => Some(Chosen::Utf32(Utf32::Be)),
        [a, 0, 0, 0, ..] if *a != 0 => Some(Chosen::Utf32(Utf32::Le)),
        [0, a, 0, b, ..] if *a != 0 && *b != 0 => Some(Chosen::Whatwg(UTF_16BE)),
        [a, 0, b, 0, ..] if *a != 0 && *b != 0 => Some(Chosen::Whatwg(UTF_16LE)),
        _ => None,
    };
    if let Some(s) = sniffed {
        return (s, 0);
    }
    // 2. The HTTP charset, then 3. the XML declaration. A label naming a 16/32-bit encoding
    //    on a document whose bytes are ASCII-compatible is a mislabel: ignore it.
    let label = content_type
        .and_then(http_charset)
        .and_then(ascii_compatible)
        .or_else(|| declared_encoding(bytes).and_then(ascii_compatible));
    (Chosen::Whatwg(label.unwrap_or(UTF_8)), 0)
}

fn ascii_compatible(enc: &'static Encoding) -> Option<&'static Encoding> {
    if enc == UTF_16BE || enc == UTF_16LE || enc.name() == "replacement" {
        None
    } else {
        Some(enc.output_encoding())
    }
}

/// The `charset` parameter of a `Content-Type` header.
fn http_charset(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        Encoding::for_label(value.trim().trim_matches(['"', '\'']).as_bytes())
    })
}

/// The `encoding` of the XML declaration, read from the ASCII bytes at the start.
fn declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(1024)];
    let start = find(head, b"<?xml")?;
    let end = start + find(&head[start..], b"?>")?;
    let decl = &head[start..end];
    let at = find(decl, b"encoding")? + "encoding".len();
    let rest = decl[at..].iter().skip_while(|b| b.is_ascii_whitespace());
    let rest: Vec<u8> = rest.copied().collect();
    let rest = rest.strip_prefix(b"=")?;
    let rest: Vec<u8> = rest
        .iter()
        .copied()
        .skip_while(u8::is_ascii_whitespace)
        .collect();
    let quote = *rest.first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let value: Vec<u8> = rest[1..]
        .iter()
        .copied()
        .take_while(|&b| b != quote)
        .collect();
    Encoding::for_label(&value)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// UTF-8, except that each byte which is not part of a valid sequence is read as windows-1252:
/// a UTF-8 feed with a pasted smart quote, or a windows-1252 feed that never said so, comes
/// out right instead of full of U+FFFD.
fn decode_utf8_or_1252(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (valid, rest) = bytes.split_at(e.valid_up_to());
                // Already checked: this prefix is valid UTF-8.
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                let bad = e.error_len().unwrap_or(rest.len()).max(1);
                out.push_str(&WINDOWS_1252.decode_without_bom_handling(&rest[..bad]).0);
                bytes = &rest[bad..];
            }
        }
    }
}

fn decode_utf32(bytes: &[u8], order: Utf32) -> String {
    bytes
        .chunks_exact(4)
        .map(|c| {
            let b = [c[0], c[1], c[2], c[3]];
            let n = match order {
                Utf32::Be => u32::from_be_bytes(b),
                Utf32::Le => u32::from_le_bytes(b),
            };
            char::from_u32(n).unwrap_or('\u{FFFD}')
        })
        .collect()
}

/// Drops what precedes the root element's markup that would stop a strict parser: BOM
/// characters, whitespace, stray text (a PHP warning) before the XML declaration, and the
/// declaration itself, whose `encoding` no longer holds once the text is UTF-8.
fn strip_prolog(text: &str) -> &str {
    let t = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
    let head_end = t.char_indices().nth(2048).map_or(t.len(), |(i, _)| i);
    if let Some(at) = t[..head_end].find("<?xml") {
        let after = &t[at..];
        // Only `<?xml ` or `<?xml?>` is the declaration; `<?xml-stylesheet` is a PI to keep.
        if after[5..].starts_with(|c: char| c.is_whitespace() || c == '?') {
            if let Some(end) = after.find("?>") {
                return after[end + 2..].trim_start();
            }
        }
    }
    match t.find(['<', '{']) {
        Some(at) if at < head_end => &t[at..],
        _ => t,
    }
}

/// Repairs references a strict XML parser rejects or misreads, outside CDATA sections,
/// comments, processing instructions and the DOCTYPE:
/// - HTML named entities (`&nbsp;`, `&eacute;`) become numeric character references;
/// - references to characters XML forbids (`&#12;`) are dropped, and references to the C1
///   range (`&#146;`) are read as the windows-1252 characters their authors meant;
/// - an `&` that starts no reference becomes `&amp;`.
///
/// Names neither XML nor HTML defines are left alone: feed-rs keeps them as literal text and
/// never expands a DTD's entities.
pub fn repair_references(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while !rest.is_empty() {
        // Copy markup sections whose text is not parsed for references.
        let skip = [
            ("<![CDATA[", "]]>"),
            ("<!--", "-->"),
            ("<?", "?>"),
            ("<!DOCTYPE", ">"),
        ]
        .iter()
        .find(|(open, _)| rest.starts_with(open));
        if let Some((open, close)) = skip {
            let end = if *open == "<!DOCTYPE" {
                doctype_end(rest)
            } else {
                rest[open.len()..]
                    .find(close)
                    .map_or(rest.len(), |i| open.len() + i + close.len())
            };
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        let Some(next) = rest.find(['&', '<']) else {
            out.push_str(rest);
            break;
        };
        out.push_str(&rest[..next]);
        rest = &rest[next..];
        if rest.starts_with('<') {
            out.push('<');
            rest = &rest[1..];
            continue;
        }
        let consumed = repair_one(rest, &mut out);
        rest = &rest[consumed..];
    }
    Cow::Owned(out)
}

/// The end of a DOCTYPE, past its internal subset (which may hold `>` inside brackets).
fn doctype_end(s: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '>' if depth == 0 => return i + 1,
            _ => {}
        }
    }
    s.len()
}

/// Repairs the reference starting at `s` (which starts with `&`), appending to `out`;
/// returns how many bytes of `s` it consumed.
fn repair_one(s: &str, out: &mut String) -> usize {
    let body_end = s[1..]
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
        .map_or(s.len(), |i| i + 1);
    let name = &s[1..body_end];
    let terminated = s[body_end..].starts_with(';');
    if !terminated || name.is_empty() {
        out.push_str("&amp;");
        return 1;
    }
    let whole = body_end + 1;
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => num.parse::<u32>().ok(),
        };
        match code {
            Some(n @ 0x80..=0x9F) => {
                // The C1 controls are never meant: these are windows-1252 code points.
                let byte = [n as u8];
                let c = WINDOWS_1252.decode_without_bom_handling(&byte).0;
                push_char_refs(&c, out);
            }
            Some(n) if char::from_u32(n).is_some_and(is_xml_char) => out.push_str(&s[..whole]),
            Some(_) => {} // a character XML forbids: dropped
            None => out.push_str("&amp;"),
        }
        return if code.is_some() { whole } else { 1 };
    }
    if matches!(name, "amp" | "lt" | "gt" | "quot" | "apos") {
        out.push_str(&s[..whole]);
    } else if let Some(resolved) = quick_xml::escape::resolve_html5_entity(name) {
        push_char_refs(resolved, out);
    } else {
        out.push_str(&s[..whole]);
    }
    whole
}

fn push_char_refs(text: &str, out: &mut String) {
    for c in text.chars() {
        out.push_str(&format!("&#x{:X};", c as u32));
    }
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
    let close = text.rfind("</rss>").unwrap_or(text.len());
    Some(format!(
        "{}<channel>{}</channel>{}",
        &text[..open_end],
        &text[open_end..close],
        &text[close..]
    ))
}

/// Makes an ill-formed document well-formed the way a browser would: an end tag closes the
/// nearest open element of its name (and those opened inside it), an end tag with no open
/// element is dropped, and a document cut short (truncated mid-tag or mid-CDATA) ends where the
/// last complete piece of markup did, with its open elements closed, minus the entry it cut
/// (half an entry would be published under a wrong title and id). Used only when feed-rs
/// rejects a document, so well-formed feeds are read exactly as written.
pub fn balance(text: &str) -> String {
    use quick_xml::events::{BytesEnd, Event};
    let mut reader = quick_xml::Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    let mut writer = quick_xml::Writer::new(Vec::with_capacity(text.len()));
    // Open elements: name and where their start tag begins in the output.
    let mut open: Vec<(Vec<u8>, usize)> = Vec::new();
    loop {
        let event = match reader.read_event() {
            Ok(Event::Eof) | Err(_) => break,
            Ok(e) => e,
        };
        let ok = match &event {
            Event::Start(e) => {
                open.push((e.name().as_ref().to_vec(), writer.get_ref().len()));
                writer.write_event(event.borrow()).is_ok()
            }
            Event::End(e) => match open.iter().rposition(|(n, _)| n == e.name().as_ref()) {
                Some(at) => {
                    let mut ok = true;
                    while open.len() > at {
                        if let Some((name, _)) = open.pop() {
                            let name = String::from_utf8_lossy(&name).into_owned();
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
    let is_entry = |name: &[u8]| {
        let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
        local == b"item" || local == b"entry"
    };
    if let Some(at) = open.iter().position(|(n, _)| is_entry(n)) {
        out.truncate(open[at].1);
        open.truncate(at);
    }
    while let Some((name, _)) = open.pop() {
        out.extend_from_slice(b"</");
        out.extend_from_slice(&name);
        out.push(b'>');
    }
    String::from_utf8_lossy(&out).into_owned()
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
    fn encoding_is_decided_by_bom_then_http_then_declaration() {
        let latin1_decl = b"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>\xe9</a>";
        let cases: &[(&str, &[u8], Option<&str>, &str)] = &[
            ("utf-8 default", "<a>é</a>".as_bytes(), None, "<a>é</a>"),
            ("declaration", latin1_decl, None, "<a>é</a>"),
            (
                "http charset beats declaration",
                b"<?xml version=\"1.0\" encoding=\"utf-8\"?><a>\xe9</a>",
                Some("text/xml; charset=ISO-8859-1"),
                "<a>é</a>",
            ),
            (
                "bom beats http charset",
                b"\xef\xbb\xbf<a>\xc3\xa9</a>",
                Some("text/xml; charset=iso-8859-1"),
                "<a>é</a>",
            ),
            (
                "utf-16le bom",
                b"\xff\xfe<\x00a\x00>\x00\xe9\x00<\x00/\x00a\x00>\x00",
                None,
                "<a>é</a>",
            ),
            (
                "utf-16be without bom",
                b"\x00<\x00a\x00>\x00\xe9\x00<\x00/\x00a\x00>",
                None,
                "<a>é</a>",
            ),
            (
                "utf-32le without bom",
                b"<\x00\x00\x00a\x00\x00\x00>\x00\x00\x00",
                None,
                "<a>",
            ),
            (
                "undeclared windows-1252 smart quotes",
                b"<a>\x93quoted\x94 \x96 it\x92s</a>",
                None,
                "<a>\u{201c}quoted\u{201d} \u{2013} it\u{2019}s</a>",
            ),
            (
                "stray 1252 byte in utf-8",
                b"<a>caf\xc3\xa9 \x85</a>",
                None,
                "<a>café …</a>",
            ),
            (
                "bogus label falls back to utf-8",
                b"<?xml version=\"1.0\" encoding=\"bogus-9\"?><a>\xc3\xa9</a>",
                None,
                "<a>é</a>",
            ),
            (
                "utf-16 label on ascii bytes is a mislabel",
                b"<?xml version=\"1.0\" encoding=\"utf-16\"?><a>\xc3\xa9</a>",
                None,
                "<a>é</a>",
            ),
            (
                "whitespace and junk before the declaration",
                b"\n\n  Warning: x<?xml version=\"1.0\"?>\n<a/>",
                None,
                "<a/>",
            ),
            (
                "forbidden controls removed",
                b"<a>x\x0cy\x00z</a>",
                None,
                "<a>xyz</a>",
            ),
        ];
        for (name, bytes, ct, want) in cases {
            assert_eq!(to_utf8(bytes, *ct), *want, "case {name}");
        }
    }

    #[test]
    fn keeps_stylesheet_processing_instruction() {
        let out = to_utf8(b"<?xml-stylesheet href=\"s.xsl\"?><rss/>", None);
        assert_eq!(out, "<?xml-stylesheet href=\"s.xsl\"?><rss/>");
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
