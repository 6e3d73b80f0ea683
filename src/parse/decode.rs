//! Bytes → well-formed-enough UTF-8 XML: what feed-rs gets to read.
//!
//! Real feeds are served in every encoding, often mislabelled, and often not well-formed. This
//! stage decides the encoding the way RFC 7303 and XML 1.0 (appendix F) say (byte-order mark,
//! then the HTTP `charset`, then the XML declaration, else UTF-8), decodes to UTF-8 with
//! `encoding_rs`, and hands feed-rs a document without an encoding declaration, so it cannot
//! decode the text twice. Bytes that are not valid UTF-8 in an undeclared or UTF-8 document are
//! read as windows-1252 one by one (the classic pasted "smart quote"), so invalid bytes never
//! lose a feed. Text before the document and characters XML forbids are dropped. The repairs of
//! the markup itself are [`super::repair`]'s.
//!
//! It does not expand entities declared in a DTD (feed-rs never does either, so a
//! "billion laughs" document stays small) and never fetches anything.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

use crate::text::{all_xml_chars, is_xml_char};

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

/// A decoded document: UTF-8 text from `start` on (what precedes it, the prolog, is not read).
/// Kept as one buffer and an offset, so that dropping the XML declaration copies nothing.
pub struct Decoded {
    text: String,
    start: usize,
}

impl Decoded {
    /// The document, without BOM, XML declaration or leading junk.
    pub fn as_str(&self) -> &str {
        self.text.get(self.start..).unwrap_or_default()
    }

    /// The document as [`Decoded::as_str`] has it, in the buffer it was decoded into.
    pub fn into_string(mut self) -> String {
        match self.text.get(self.start..) {
            Some(_) => {
                self.text.drain(..self.start);
                self.text
            }
            None => String::new(),
        }
    }
}

/// Decodes a feed body to UTF-8 text, without BOM, XML declaration or leading junk, and with
/// every character XML 1.0 forbids removed.
///
/// Takes the body by value: valid UTF-8, the common case, becomes the text without a copy.
pub fn decode(bytes: Vec<u8>, content_type: Option<&str>) -> Decoded {
    let (chosen, bom_len) = choose_encoding(&bytes, content_type);
    let (text, from) = match chosen {
        Chosen::Utf32(order) => (decode_utf32(&bytes[bom_len..], order), 0),
        Chosen::Whatwg(enc) if enc == UTF_8 => match String::from_utf8(bytes) {
            // The UTF-8 byte-order mark is itself valid UTF-8: skipped, not removed.
            Ok(text) => (text, bom_len),
            Err(e) => (decode_utf8_or_1252(&e.as_bytes()[bom_len..]), 0),
        },
        Chosen::Whatwg(enc) => (
            enc.decode_without_bom_handling(&bytes[bom_len..])
                .0
                .into_owned(),
            0,
        ),
    };
    let body = strip_prolog(text.get(from..).unwrap_or_default());
    if all_xml_chars(body) {
        // The common case: nothing to remove, so no copy at all (the prolog is a prefix).
        let start = text.len() - body.len();
        return Decoded { text, start };
    }
    Decoded {
        text: body.chars().filter(|&c| is_xml_char(c)).collect(),
        start: 0,
    }
}

/// [`decode`], as an owned string.
#[cfg(test)]
pub fn to_utf8(bytes: &[u8], content_type: Option<&str>) -> String {
    decode(bytes.to_vec(), content_type).as_str().to_owned()
}

/// A text field as its author wrote it: [`undo_double_encoding`]'s reading when there is one,
/// else the text as it is.
pub fn as_written(text: String) -> String {
    undo_double_encoding(&text).unwrap_or(text)
}

/// The text a field was written as when its UTF-8 was read as Latin-1 or windows-1252 and
/// encoded as UTF-8 again (`ActualitÃ©s` for `Actualités`): its characters encoded back to those
/// bytes, read as UTF-8, as feedparser does per field. `None` when the text is not such: ASCII,
/// a character neither encoding has, or bytes that are not UTF-8 (as nearly any real accented
/// text gives: a lone `é` is no UTF-8 sequence).
fn undo_double_encoding(text: &str) -> Option<String> {
    if text.is_ascii() {
        return None;
    }
    // Latin-1 first: it has the C1 controls a Latin-1 misreading leaves, which windows-1252
    // maps elsewhere.
    let latin1: Option<Vec<u8>> = text.chars().map(|c| u8::try_from(c).ok()).collect();
    let bytes = match latin1 {
        Some(bytes) => bytes,
        None => {
            let (bytes, _, unmappable) = WINDOWS_1252.encode(text);
            if unmappable {
                return None;
            }
            bytes.into_owned()
        }
    };
    // Not ASCII, so the bytes hold a sequence of two or more that reads as one character: a
    // different text.
    String::from_utf8(bytes).ok()
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
    fn double_encoded_text_is_read_as_written() {
        for (case, text, want) in [
            ("latin-1 misreading", "ActualitÃ©s", Some("Actualités")),
            ("windows-1252 misreading", "itâ€™s", Some("it’s")),
            ("c1 control left by latin-1", "â\u{82}¬", Some("€")),
            ("ascii", "plain", None),
            ("real accents", "Actualités à la une", None),
            ("real quote", "it’s", None),
            ("other scripts", "Привет", None),
            ("a latin-1 character before a real quote", "é’", None),
        ] {
            assert_eq!(undo_double_encoding(text).as_deref(), want, "{case}");
        }
    }

    #[test]
    fn keeps_stylesheet_processing_instruction() {
        let out = to_utf8(b"<?xml-stylesheet href=\"s.xsl\"?><rss/>", None);
        assert_eq!(out, "<?xml-stylesheet href=\"s.xsl\"?><rss/>");
    }
}
