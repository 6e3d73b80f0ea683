//! Links: when two URLs name the same thing, and which ones may be printed as links.
//!
//! Three questions every stage asks of a URL, answered once: whether two spellings name one feed
//! or one post ([`canonical_link`], for deduplicating entries, refusing a feed subscribed twice
//! and `planet check`), whether a link may be shown as a link at all ([`is_web_link`]: only
//! http(s)), and how to write it so strict clients accept it ([`strict_link`]).

use url::Url;

/// The form of a link that two copies of one post (or two spellings of one feed) share: scheme,
/// `www.`, a trailing slash, the fragment and `utm_*` parameters ignored; `None` when it is not
/// an absolute URL with a host.
pub fn canonical_link(link: &str) -> Option<String> {
    canonical_of(&Url::parse(link.trim()).ok()?)
}

fn canonical_of(url: &Url) -> Option<String> {
    let host = url
        .host_str()?
        .trim_start_matches("www.")
        .to_ascii_lowercase();
    let path = url.path().trim_end_matches('/');
    let mut query: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !k.starts_with("utm_"))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    query.sort();
    let query: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    Some(format!("{host}{port}{path}?{}", query.join("&")))
}

/// An entry's link both ways at once: ([`canonical_link`], [`shown_link`]). One parse of the
/// URL serves both, where the two would parse it once each: the archive asks this of every
/// entry the cache keeps.
pub fn canonical_and_shown(link: &str) -> (Option<String>, Option<String>) {
    if link.trim().len() != link.len() {
        return (canonical_link(link), shown_link(link));
    }
    match Url::parse(link) {
        Ok(url) => (
            canonical_of(&url),
            matches!(url.scheme(), "http" | "https").then(|| strict_link(link)),
        ),
        Err(_) => (None, None),
    }
}

/// Whether a link may be rendered as a link: only http(s) ones may, so no `javascript:` or
/// `data:` URL from a feed ever becomes clickable.
pub fn is_web_link(link: &str) -> bool {
    Url::parse(link).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

/// A link as pages and feeds carry it: http(s) only, written strictly (see [`strict_link`]).
pub fn shown_link(link: &str) -> Option<String> {
    is_web_link(link).then(|| strict_link(link))
}

/// `link` with the characters RFC 3986 forbids outside the host percent-encoded (`[`, `]`,
/// `^`, `|`, a space, a second `#`, a `%` that starts no escape…): the WHATWG parser browsers
/// use leaves them as written, and validators and strict clients reject them. Browsers read
/// both forms the same.
pub fn strict_link(link: &str) -> String {
    // The host may be an IPv6 literal in brackets: start after the authority.
    let start = link
        .find("://")
        .map(|i| i + 3)
        .map(|a| a + link[a..].find(['/', '?', '#']).unwrap_or(link.len() - a))
        .or_else(|| link.find(':').map(|i| i + 1))
        .unwrap_or(0);
    let mut out = String::with_capacity(link.len());
    out.push_str(&link[..start]);
    let mut in_fragment = false;
    let rest = &link[start..];
    for (i, c) in rest.char_indices() {
        match c {
            '#' if !in_fragment => {
                in_fragment = true;
                out.push(c);
            }
            '%' if rest
                .as_bytes()
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) =>
            {
                out.push(c);
            }
            ' ' | '"' | '<' | '>' | '[' | ']' | '^' | '`' | '{' | '|' | '}' | '\\' | '#' | '%' => {
                out.push_str(&format!("%{:02X}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_links_ignore_what_copies_differ_in() {
        let cases = [
            ("scheme and www", "http://www.a.test/x/", "https://a.test/x"),
            ("fragment", "https://a.test/x#top", "https://a.test/x"),
            (
                "utm",
                "https://a.test/x?utm_source=rss&b=1",
                "https://a.test/x?b=1",
            ),
            (
                "query order",
                "https://a.test/x?b=1&a=2",
                "https://a.test/x?a=2&b=1",
            ),
            ("host case", "https://A.test/x", "https://a.test/x"),
        ];
        for (name, a, b) in cases {
            assert_eq!(canonical_link(a), canonical_link(b), "{name}");
        }
        assert_ne!(
            canonical_link("https://a.test/x"),
            canonical_link("https://a.test:8080/x")
        );
        assert_eq!(canonical_link("/relative"), None);
    }

    #[test]
    fn only_http_links_are_web_links() {
        for (link, want) in [
            ("https://a.test/", true),
            ("http://a.test/", true),
            ("javascript:alert(1)", false),
            ("mailto:a@b.test", false),
            ("/relative", false),
        ] {
            assert_eq!(is_web_link(link), want, "{link}");
        }
    }

    #[test]
    fn strict_links_encode_what_rfc_3986_forbids() {
        for (name, link, want) in [
            ("plain", "https://x.test/a?b=1#c", "https://x.test/a?b=1#c"),
            (
                "brackets in path",
                "https://x.test/a[0]^b",
                "https://x.test/a%5B0%5D%5Eb",
            ),
            (
                "ipv6 host kept",
                "http://[::1]:8080/a|b",
                "http://[::1]:8080/a%7Cb",
            ),
            (
                "second hash",
                "https://x.test/p#a#b",
                "https://x.test/p#a%23b",
            ),
            ("mailto space", "mailto:me @x.test", "mailto:me%20@x.test"),
            ("encoded stays", "https://x.test/%5B", "https://x.test/%5B"),
            (
                "stray percent",
                "https://x.test/20%%20to%2",
                "https://x.test/20%25%20to%252",
            ),
        ] {
            assert_eq!(strict_link(link), want, "{name}");
        }
    }

    #[test]
    fn one_parse_answers_as_the_two_questions_do() {
        for link in [
            "https://www.a.test/x/?utm_source=y&b=2&a=1#f",
            "http://a.test:8080/p q|r",
            " https://a.test/padded ",
            "https://a.test/nbsp\u{a0}",
            "javascript:alert(1)",
            "mailto:a@b.test",
            "/relative/path",
            "https://[::1]/v6",
            "",
        ] {
            assert_eq!(
                canonical_and_shown(link),
                (canonical_link(link), shown_link(link)),
                "{link:?}"
            );
        }
    }
}
