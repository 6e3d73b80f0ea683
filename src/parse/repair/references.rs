//! References a strict XML parser rejects or misreads: HTML named entities, references to
//! characters XML forbids or to the C1 range, and bare `&`, repaired outside CDATA sections,
//! comments, processing instructions and the DOCTYPE.

use std::borrow::Cow;

use encoding_rs::WINDOWS_1252;

use crate::text::is_xml_char;

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
    if needs_reference_repair(text) {
        Cow::Owned(repair_all_references(text))
    } else {
        Cow::Borrowed(text)
    }
}

/// The full pass of [`repair_references`], which always copies.
pub(super) fn repair_all_references(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(next) = rest.find(['&', '<']) {
        out.push_str(&rest[..next]);
        rest = &rest[next..];
        let consumed = if rest.starts_with('<') {
            // Markup, and the sections whose text is not read for references, as they are.
            let end = unparsed_section(rest).unwrap_or(1);
            out.push_str(&rest[..end]);
            end
        } else {
            repair_one(rest, &mut out)
        };
        rest = &rest[consumed..];
    }
    out.push_str(rest);
    out
}

/// The length of the section at the start of `rest` whose text is not read for references (a
/// CDATA section, comment, processing instruction or DOCTYPE), through its end, or to the end of
/// the text when it is not closed; `None` when `rest` starts no such section. The one definition
/// the full pass and its check share.
pub(super) fn unparsed_section(rest: &str) -> Option<usize> {
    if rest.starts_with("<!DOCTYPE") {
        return Some(doctype_end(rest));
    }
    let (open, close) = [("<![CDATA[", "]]>"), ("<!--", "-->"), ("<?", "?>")]
        .into_iter()
        .find(|(open, _)| rest.starts_with(open))?;
    let body = &rest.as_bytes()[open.len()..];
    Some(
        memchr::memmem::find(body, close.as_bytes())
            .map_or(rest.len(), |i| open.len() + i + close.len()),
    )
}

/// Whether any `&` in the text starts something other than a reference XML reads as is (the
/// five predefined entities, a character reference to a character XML allows outside the C1
/// range). Most feeds need no repair, and this scan spares them the copy: it goes from one `&`
/// or `<` to the next and over the sections the full pass does not read in one jump (after
/// [`escaped_text_as_cdata`], CDATA sections hold most of the text). It errs on the side of
/// repairing: an `&unknown;` sends the document through the full pass, which leaves it alone.
pub(super) fn needs_reference_repair(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(found) = memchr::memchr2(b'&', b'<', &bytes[at..]).map(|i| at + i) {
        if bytes[found] == b'&' {
            if !is_plain_xml_reference(&bytes[found + 1..]) {
                return true;
            }
            at = found + 1;
        } else {
            // `<` is ASCII: `found` is a character boundary.
            at = found + unparsed_section(&text[found..]).unwrap_or(1);
        }
    }
    false
}

/// Whether `rest` (what follows an `&`) is a reference the full pass would copy unchanged.
fn is_plain_xml_reference(rest: &[u8]) -> bool {
    xml_reference(rest).is_some_and(|(n, _)| {
        !(0x80..=0x9F).contains(&n) && char::from_u32(n).is_some_and(is_xml_char)
    })
}

/// The reference XML itself defines at the start of `rest` (what follows an `&`): one of the
/// five predefined entities or a character reference (`#` digits, `#x` hex digits), as its
/// code point (not checked: callers differ on what they accept) and its length through the
/// `;`. `None` for anything else. The one reading of references shared by the repairs, the
/// CDATA rewrite and the detail pass's tree.
pub(in crate::parse) fn xml_reference(rest: &[u8]) -> Option<(u32, usize)> {
    // The ones escaped HTML is made of, first.
    for (known, c) in [
        (&b"lt;"[..], '<'),
        (b"gt;", '>'),
        (b"amp;", '&'),
        (b"quot;", '"'),
        (b"apos;", '\''),
    ] {
        if rest.starts_with(known) {
            return Some((u32::from(c), known.len()));
        }
    }
    let number = rest.strip_prefix(b"#")?;
    let (digits, radix, prefix) = match number.strip_prefix(b"x") {
        Some(hex) => (hex, 16, 2),
        None => (number, 10, 1),
    };
    let mut value: u32 = 0;
    for (i, &b) in digits.iter().enumerate() {
        if b == b';' {
            return (i > 0).then_some((value, prefix + i + 1));
        }
        let digit = char::from(b).to_digit(radix)?;
        value = value.checked_mul(radix)?.checked_add(digit)?;
    }
    None
}

/// The end of a DOCTYPE, past its internal subset (which may hold `>` inside brackets).
pub(super) fn doctype_end(s: &str) -> usize {
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
