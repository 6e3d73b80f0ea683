//! Text the planet publishes: which characters may appear, and escaping for HTML.
//!
//! Two rules for characters, one per direction. Reading, what XML 1.0 allows
//! ([`is_xml_char`]): the parse stage decodes every feed through it, keeping the C1 controls a
//! Latin-1 misreading leaves, which the repair of double-encoded text needs. Publishing
//! ([`is_publishable`]): that, minus the C1 controls and the noncharacters, which HTML forbids
//! in a document, and U+FFFD, the mark of bytes already lost; feed validators flag all three.
//! Every writer and page goes through it. One escaper for HTML
//! ([`escape_html`]), for element content and attribute values alike; the XML writers
//! (atom_syndication, rss, quick-xml) escape for themselves. And the words of a message
//! that counts ([`plural`]) or lists ([`and_list`]).

use std::borrow::Cow;

/// Whether XML 1.0 allows the character at all (section 2.2).
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Whether every character of `s` is one XML allows, found with byte scans: the characters it
/// forbids are the C0 controls but tab, newline and return (single bytes below 0x20) and
/// U+FFFE/U+FFFF (surrogates cannot occur in a `str`). Every feed body goes through this, so
/// the control scan has no early exit (it vectorises) and the rare 0xEF lead byte is found
/// with `memchr`.
pub fn all_xml_chars(s: &str) -> bool {
    let bytes = s.as_bytes();
    no_c0_controls(bytes)
        && memchr::memchr_iter(0xEF, bytes)
            .all(|i| !matches!(bytes.get(i + 1..i + 3), Some([0xBF, 0xBE | 0xBF])))
}

/// Whether no byte is a C0 control other than tab, newline and return: a scan with no early
/// exit, which vectorises.
fn no_c0_controls(bytes: &[u8]) -> bool {
    bytes.chunks(256).all(|chunk| {
        !chunk.iter().fold(false, |bad, &b| {
            bad | ((b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r'))
        })
    })
}

/// Whether the character may appear in what the planet publishes: XML allows it, and it is
/// neither a C1 control, a noncharacter, nor U+FFFD, which only marks bytes a feed's encoding
/// lost before the planet read it and which feed validators flag as such.
pub fn is_publishable(c: char) -> bool {
    let n = u32::from(c);
    is_xml_char(c)
        && c != char::REPLACEMENT_CHARACTER
        && !(0x80..=0x9F).contains(&n)
        && !(0xFDD0..=0xFDEF).contains(&n)
        && n & 0xFFFE != 0xFFFE
}

/// Whether every character of `s` is publishable, found with byte scans: most text is, and
/// every feed body goes through this, so the common case must not look at characters one by
/// one. The C0 controls are single bytes below 0x20; every other refused character is a C1 control (lead byte 0xC2), a
/// noncharacter of the BMP or U+FFFD (lead 0xEF) or one ending in U+xFFFE/U+xFFFF (bytes `BF BE`/`BF BF`):
/// only the characters around those rare bytes are looked at.
pub fn all_publishable(s: &str) -> bool {
    let bytes = s.as_bytes();
    // The character that holds byte `i`.
    let refused = |i: usize| {
        let start = (i.saturating_sub(3)..=i)
            .rev()
            .find(|&j| s.is_char_boundary(j))
            .unwrap_or(i);
        s[start..]
            .chars()
            .next()
            .is_some_and(|c| !is_publishable(c))
    };
    no_c0_controls(bytes)
        && !memchr::memchr2_iter(0xC2, 0xEF, bytes).any(refused)
        && !memchr::memmem::find_iter(bytes, b"\xBF\xBE")
            .chain(memchr::memmem::find_iter(bytes, b"\xBF\xBF"))
            .any(refused)
}

/// `s` without the characters [`is_publishable`] refuses; borrowed when there are none.
pub fn publishable(s: &str) -> Cow<'_, str> {
    if all_publishable(s) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter(|&c| is_publishable(c)).collect())
    }
}

/// Escapes text for HTML element content and attribute values: the five characters that can
/// end a text or an attribute value. `/` stays as it is, so URLs stay readable in the source.
pub fn escape_html(s: &str) -> Cow<'_, str> {
    if !s
        .bytes()
        .any(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\''))
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `1 feed`, `2 feeds`, `0 entries`: a count and its noun, in the right number.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else if let Some(stem) = noun.strip_suffix('y') {
        format!("{n} {stem}ies")
    } else {
        format!("{n} {noun}s")
    }
}

/// `a`, `a and b`, `a, b and c`.
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lists() {
        let list = |items: &[&str]| {
            super::and_list(&items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
        };
        assert_eq!(list(&[]), "");
        assert_eq!(list(&["a"]), "a");
        assert_eq!(list(&["a", "b"]), "a and b");
        assert_eq!(list(&["a", "b", "c"]), "a, b and c");
    }

    #[test]
    fn plurals() {
        let cases = [
            (0, "feed", "0 feeds"),
            (1, "feed", "1 feed"),
            (2, "new entry", "2 new entries"),
            (1, "entry", "1 entry"),
            (3, "changed feed", "3 changed feeds"),
        ];
        for (n, noun, want) in cases {
            assert_eq!(super::plural(n, noun), want);
        }
    }

    use super::*;

    #[test]
    fn publishable_characters() {
        let cases = [
            ("plain", "caf\u{e9} \u{1F600}\t\n", true),
            ("C0 control", "a\u{c}b", false),
            ("C1 control", "a\u{85}b", false),
            ("noncharacter FDD0", "a\u{fdd0}b", false),
            ("replacement character", "a\u{fffd}b", false),
            ("noncharacter FFFE", "a\u{fffe}b", false),
            ("noncharacter 1FFFF", "a\u{1fffe}b", false),
            ("noncharacter 10FFFF", "a\u{10ffff}b", false),
            ("Latin-1 letters", "\u{a0}\u{e9}\u{ff}", true),
            ("BMP private use", "\u{e000}", true),
        ];
        for (name, s, want) in cases {
            assert_eq!(all_publishable(s), want, "{name}");
            assert_eq!(s.chars().all(is_publishable), want, "{name}");
            assert_eq!(publishable(s) == s, want, "{name}");
        }
        assert_eq!(publishable("a\u{c}\u{85}b"), "ab");
    }

    #[test]
    fn escape_html_escapes_five_characters_and_keeps_slashes() {
        assert_eq!(
            escape_html(r#"a/b <&> "q" 'r'"#),
            "a/b &lt;&amp;&gt; &quot;q&quot; &#39;r&#39;"
        );
        assert!(matches!(escape_html("plain/text"), Cow::Borrowed(_)));
    }
}
