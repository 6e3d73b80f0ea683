//! The people of a feed: authors and contributors as feed-rs reads them, made into [`Person`].
//!
//! RSS and JSON Feed write a person as one text (`jane@example.org (Jane Doe)`, `Jane Doe
//! <jane@example.org>`), which feed-rs splits into a name and an address; Atom writes elements,
//! which it reads as they are. A person with nothing to say (an empty `<author><name/></author>`)
//! is no person. feed-rs's split cuts one byte off each side of the address, so a non-ASCII
//! character next to it (`Jane —jane@example.org`) makes it panic: [`separate_addresses`] puts a
//! space there first.

use feed_rs::model as fr;

use super::repair::xml_reference;
use crate::model::Person;

/// A person as the feed gave it; `None` when it gives neither name, address nor URI. The
/// parentheses feed-rs leaves around a name that follows its address are not part of it.
pub(super) fn person_of(p: &fr::Person) -> Option<Person> {
    let name = (p.name.as_deref().map(super::fold))
        .map(super::decode::as_written)
        .unwrap_or_default();
    let person = Person {
        name: unparenthesized(&name).to_owned(),
        email: p
            .email
            .as_deref()
            .map(super::fold)
            .filter(|e| !e.is_empty()),
        uri: p.uri.clone().filter(|u| !u.trim().is_empty()),
    };
    is_someone(&person).then_some(person)
}

/// Whether a person says anything at all.
pub(super) fn is_someone(p: &Person) -> bool {
    !p.name.is_empty() || p.email.is_some() || p.uri.is_some()
}

/// `(Jane Doe)` → `Jane Doe`; a name that only ends (or only starts) a parenthesis, as an
/// address's delimiter leaves it, loses that one too.
fn unparenthesized(name: &str) -> &str {
    match (name.strip_prefix('('), name.strip_suffix(')')) {
        (Some(rest), Some(_)) => rest.strip_suffix(')').unwrap_or(rest).trim(),
        (None, Some(rest)) if !rest.contains('(') => rest.trim(),
        (Some(rest), None) if !rest.contains(')') => rest.trim(),
        _ => name,
    }
}

/// The name shown for a person: [`person_of`]'s name, else (with `address_shown`: people
/// written as text, as RSS and JSON Feed do) the address of one who is nothing but an address;
/// `None` when the feed gives nothing to show.
pub(super) fn person_name(p: &fr::Person, address_shown: bool) -> Option<String> {
    let person = person_of(p)?;
    if !person.name.is_empty() {
        Some(person.name)
    } else if address_shown {
        person.email
    } else {
        None
    }
}

/// The local names of the elements whose text feed-rs splits into a name and an address: RSS
/// `author`, `managingEditor` and `webMaster`, `dc:creator`, iTunes `author` and owner `name`
/// (a `name` with a prefix).
const SPLIT_ELEMENTS: &[&str] = &["author", "managingEditor", "webMaster", "creator", "name"];

/// The document with a space between an address and a non-ASCII character next to it, in the
/// text of the elements feed-rs splits ([`SPLIT_ELEMENTS`]); `None` when there is none (as in
/// nearly every feed: only an `@` is looked at closely).
pub(super) fn separate_addresses(xml: &str) -> Option<String> {
    let cuts: Vec<usize> = address_cuts(xml)
        .filter(|&(at, _)| in_split_element(xml, at))
        .map(|(_, cut)| cut)
        .collect();
    (!cuts.is_empty()).then(|| with_spaces(xml, cuts))
}

/// [`separate_addresses`] for one person's text (a JSON Feed author's `name`).
pub(super) fn separate_addresses_in(text: &str) -> Option<String> {
    let cuts: Vec<usize> = address_cuts(text).map(|(_, cut)| cut).collect();
    (!cuts.is_empty()).then(|| with_spaces(text, cuts))
}

/// For every address in `text` with a character next to it that feed-rs would cut in two: the
/// position of its `@` and where a space goes.
fn address_cuts(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'@', bytes)
        .flat_map(move |at| {
            let local = |b: &u8| b.is_ascii_alphanumeric() || b"._%+-".contains(b);
            let domain = |b: &u8| b.is_ascii_alphanumeric() || b"._-".contains(b);
            let mut start = at - bytes[..at].iter().rev().take_while(|b| local(b)).count();
            let end = at + 1 + bytes[at + 1..].iter().take_while(|b| domain(b)).count();
            if start == at || end == at + 1 {
                return [None, None];
            }
            // feed-rs's pattern takes a `mailto:` before the address with it.
            if text[..start].ends_with("mailto:") {
                start -= "mailto:".len();
            }
            let before = char_before(text, start).filter(|&c| is_cut(c));
            let after = char_after(text, end).filter(|&c| is_cut(c));
            [before.map(|_| (at, start)), after.map(|_| (at, end))]
        })
        .flatten()
}

/// Whether feed-rs's pattern ends an address before `c` and then cuts into it: a character of
/// more than one byte that is not part of a word.
fn is_cut(c: char) -> bool {
    !c.is_ascii() && !c.is_alphanumeric()
}

/// The character that ends at `end`, read through a character reference.
fn char_before(text: &str, end: usize) -> Option<char> {
    let head = &text[..end];
    if head.ends_with(';') {
        let amp = head.rfind('&')?;
        if let Some((n, len)) = xml_reference(&head.as_bytes()[amp + 1..]) {
            if amp + 1 + len == end {
                return char::from_u32(n);
            }
        }
    }
    head.chars().next_back()
}

/// The character that starts at `start`, read through a character reference.
fn char_after(text: &str, start: usize) -> Option<char> {
    let tail = &text[start..];
    match tail
        .strip_prefix('&')
        .and_then(|r| xml_reference(r.as_bytes()))
    {
        Some((n, _)) => char::from_u32(n),
        None => tail.chars().next(),
    }
}

/// Whether the `@` at `at` is in the text of one of [`SPLIT_ELEMENTS`] (directly, or in a CDATA
/// section there), not in a tag or another element.
fn in_split_element(xml: &str, at: usize) -> bool {
    let Some(mut lt) = xml[..at].rfind('<') else {
        return false;
    };
    if xml[lt..].starts_with("<![CDATA[") {
        match xml[..lt].rfind('<') {
            Some(before) => lt = before,
            None => return false,
        }
    }
    let tag = &xml[lt + 1..at];
    let name = tag
        .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .next()
        .unwrap_or_default();
    let (prefix, local) = name.split_once(':').unwrap_or(("", name));
    // An unprefixed `name` is Atom's, which feed-rs does not split.
    let split = SPLIT_ELEMENTS.contains(&local) && (local != "name" || !prefix.is_empty());
    tag.contains('>') && split
}

/// `text` with a space inserted at each of `cuts`.
fn with_spaces(text: &str, mut cuts: Vec<usize>) -> String {
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = String::with_capacity(text.len() + cuts.len());
    let mut at = 0;
    for cut in cuts {
        out.push_str(&text[at..cut]);
        out.push(' ');
        at = cut;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_feed;

    #[test]
    fn people_are_read_as_feeds_write_them() {
        let rss = |person: &str| {
            format!(
                "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel>\
                 <title>T</title><item><title>x</title>{person}</item></channel></rss>"
            )
        };
        let atom = |person: &str| {
            format!(
                "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title><id>urn:f</id>\
                 <entry><id>urn:e</id><title>x</title>{person}</entry></feed>"
            )
        };
        for (case, doc, want_name, want_email, shown) in [
            (
                "rss address form",
                rss("<author>jane@x.test (Jane Doe)</author>"),
                "Jane Doe",
                Some("jane@x.test"),
                Some("Jane Doe"),
            ),
            (
                "rss bare address",
                rss("<author>jane@x.test</author>"),
                "",
                Some("jane@x.test"),
                Some("jane@x.test"),
            ),
            (
                "name and angle-bracketed address",
                rss("<author>Jane Doe &lt;jane@x.test&gt;</author>"),
                "Jane Doe",
                Some("jane@x.test"),
                Some("Jane Doe"),
            ),
            (
                "dc:creator plain name",
                rss("<dc:creator> Jane\n  Doe </dc:creator>"),
                "Jane Doe",
                None,
                Some("Jane Doe"),
            ),
            (
                "dc:creator address form",
                rss("<dc:creator>jane@x.test (Jane)</dc:creator>"),
                "Jane",
                Some("jane@x.test"),
                Some("Jane"),
            ),
            (
                "no-break space before the address",
                rss("<author>Jane\u{a0}jane@x.test</author>"),
                "Jane",
                Some("jane@x.test"),
                Some("Jane"),
            ),
            (
                "the same, as a reference",
                rss("<author>Jane&#xA0;jane@x.test</author>"),
                "Jane",
                Some("jane@x.test"),
                Some("Jane"),
            ),
            (
                "guillemets around the address",
                rss("<dc:creator>Jane Doe «jane@x.test»</dc:creator>"),
                "Jane Doe «",
                Some("jane@x.test"),
                Some("Jane Doe «"),
            ),
            (
                "atom, no name",
                atom("<author><email>j@x.test</email></author>"),
                "",
                Some("j@x.test"),
                None,
            ),
            (
                "atom name",
                atom("<author><name>Jane</name><email>j@x.test</email></author>"),
                "Jane",
                Some("j@x.test"),
                Some("Jane"),
            ),
        ] {
            let e = parse_feed(doc.as_bytes(), "u", "https://b.test/", None)
                .unwrap_or_else(|err| panic!("{case}: {err}"))
                .entries
                .remove(0);
            let got = &e.detail.authors[0];
            assert_eq!(
                (got.name.as_str(), got.email.as_deref()),
                (want_name, want_email),
                "{case}"
            );
            assert_eq!(e.author.as_deref(), shown, "{case}");
        }
    }

    #[test]
    fn addresses_are_separated_only_where_feed_rs_would_cut() {
        for (case, xml, want) in [
            (
                "dash before",
                "<author>Jane —jane@x.test</author>",
                Some("<author>Jane — jane@x.test</author>"),
            ),
            (
                "mailto after a quote",
                "<dc:creator>“mailto:j@x.test”</dc:creator>",
                Some("<dc:creator>“ mailto:j@x.test ”</dc:creator>"),
            ),
            (
                "in CDATA",
                "<author><![CDATA[Jane\u{a0}j@x.test]]></author>",
                Some("<author><![CDATA[Jane\u{a0} j@x.test]]></author>"),
            ),
            ("ascii around", "<author>Jane (j@x.test)</author>", None),
            (
                "a letter is part of a word",
                "<author>é.j@x.test</author>",
                None,
            ),
            (
                "in a description",
                "<description>—j@x.test</description>",
                None,
            ),
            (
                "in an attribute",
                "<author href='—j@x.test'>x</author>",
                None,
            ),
            ("atom name", "<name>Jane —j@x.test</name>", None),
            (
                "itunes name",
                "<itunes:name>Jane —j@x.test</itunes:name>",
                Some("<itunes:name>Jane — j@x.test</itunes:name>"),
            ),
        ] {
            assert_eq!(separate_addresses(xml).as_deref(), want, "{case}");
        }
    }
}
