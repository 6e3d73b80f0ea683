//! What feeds get wrong, made right once, for every output alike.
//!
//! Takes an entry's stored details and returns them with every fact that no output may carry
//! as the feed wrote it either fixed or dropped: a person without a name, an e-mail address
//! that is not one, a link that is not an http(s) URI or holds characters a URI may not, a
//! media type that is not one, a language tag that is not registered, a category scheme that
//! is not an absolute URI, a blank text, a name escaped as HTML. It runs in the view, not in parse, so entries cached
//! before a rule existed are published by it too. What only one format forbids (Atom's one
//! `alternate` per type and language, its registered link relations, RSS's plain-text
//! escaping) stays with that format's writer.

use std::sync::Arc;

use crate::links::{shown_link, strict_link};
use crate::model::{Category, EntryDetail, EntrySource, Link, Person, TextConstruct};
use crate::sanitize::{self, values};

/// The details with every rule of this module applied. `credit` names the entry's people who
/// have no name of their own (the name it is credited under when it names no one: its feed's
/// author, else the feed's), `feed` the feed's.
pub fn detail(mut d: EntryDetail, credit: &str, feed: &str) -> EntryDetail {
    d.lang = language(d.lang);
    d.content_lang = language(d.content_lang);
    d.title = text(d.title);
    d.summary = text(d.summary);
    d.rights = text(d.rights);
    d.authors = people(d.authors, credit);
    d.contributors = people(d.contributors, credit);
    d.links = links(d.links);
    d.categories = categories(d.categories);
    d.source = d
        .source
        .map(|s| Arc::new(source(Arc::unwrap_or_clone(s), feed)));
    d
}

fn source(mut s: EntrySource, feed: &str) -> EntrySource {
    s.id = s.id.map(|i| i.trim().to_owned()).filter(|i| !i.is_empty());
    s.title = text(s.title);
    s.subtitle = text(s.subtitle);
    s.rights = text(s.rights);
    s.links = links(s.links);
    s.authors = people(s.authors, feed);
    s.contributors = people(s.contributors, feed);
    s.categories = categories(s.categories);
    s.icon = web_link(s.icon);
    s.logo = web_link(s.logo);
    s
}

/// A text construct with something in it, in a registered language or none.
fn text(t: Option<TextConstruct>) -> Option<TextConstruct> {
    t.filter(|t| !t.value.trim().is_empty())
        .map(|t| TextConstruct {
            lang: language(t.lang),
            ..t
        })
}

/// A language tag whose subtags are registered (`en-US`, not `english` or `ruby`).
pub(super) fn language(tag: Option<String>) -> Option<String> {
    tag.filter(|t| values::named_language(t))
}

/// People with names (every format needs one): one the feed gave only an address or a home
/// page is named `credit`, the name the entry shows when it names no one, so every output
/// credits the same person; one with nothing valid left is no one.
fn people(people: Vec<Person>, credit: &str) -> Vec<Person> {
    people
        .into_iter()
        .filter_map(|p| {
            let email = p.email.filter(|e| is_email(e));
            let uri = web_link(p.uri);
            let name = Some(plain(&p.name))
                .filter(|n| !n.is_empty())
                .or_else(|| (email.is_some() || uri.is_some()).then(|| credit.to_owned()))?;
            Some(Person { name, email, uri })
        })
        .collect()
}

/// An http(s) link, written so that strict clients accept it; `None` for any other.
fn web_link(link: Option<String>) -> Option<String> {
    link.and_then(|l| shown_link(l.trim()))
}

/// Links to web pages and files, with only the attributes that say something true.
fn links(links: Vec<Link>) -> Vec<Link> {
    links
        .into_iter()
        .filter_map(|l| {
            Some(Link {
                href: web_link(Some(l.href))?,
                rel: l.rel.trim().to_owned(),
                media_type: l
                    .media_type
                    .map(|t| t.trim().to_owned())
                    .filter(|t| values::mime_type(t)),
                hreflang: language(l.hreflang.map(|h| h.trim().to_owned())),
                title: l.title.map(|t| plain(&t)).filter(|t| !t.is_empty()),
                length: l.length,
            })
        })
        .filter(|l| !l.rel.is_empty())
        .collect()
}

/// Categories whose scheme, when they give one, is an absolute URI (a vocabulary's name such as
/// `dmoz` is not one).
fn categories(categories: Vec<Category>) -> Vec<Category> {
    categories
        .into_iter()
        .map(|c| Category {
            term: plain(&c.term),
            scheme: c
                .scheme
                .map(|s| s.trim().to_owned())
                .filter(|s| is_absolute_uri(s)),
            label: c.label.map(|l| plain(&l)).filter(|l| !l.is_empty()),
        })
        .filter(|c| !c.term.is_empty())
        .collect()
}

/// A name, a category or a link title: plain text in every format, which a feed that escaped
/// it once too often (`Bread &amp;amp; Butter`) wrote as HTML; trimmed.
pub fn plain(s: &str) -> String {
    plain_of(s).into_owned()
}

/// [`plain`], borrowed when `s` is not HTML (as most are): headlines ask it of every title.
pub fn plain_of(s: &str) -> std::borrow::Cow<'_, str> {
    if sanitize::looks_like_html(s) {
        sanitize::html_to_text(s).trim().to_owned().into()
    } else {
        s.trim().into()
    }
}

/// Whether `s` is an absolute URI as RFC 3986 writes one: a scheme, and no character it
/// forbids.
pub fn is_absolute_uri(s: &str) -> bool {
    url::Url::parse(s).is_ok() && strict_link(s) == s && !s.contains(char::is_whitespace)
}

/// Whether `s` is an e-mail address (RFC 5322 `addr-spec` in its dot-atom form): a local part
/// of the characters an atom allows and a domain of at least two labels.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c);
    let label = |l: &str| {
        !l.is_empty()
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && l.starts_with(|c: char| c.is_ascii_alphanumeric())
    };
    let labels: Vec<&str> = domain.split('.').collect();
    !local.is_empty()
        && local.chars().all(atext)
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && labels.len() >= 2
        && labels.iter().all(|l| label(l))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e_mail_addresses() {
        for (s, want) in [
            ("jane@example.org", true),
            ("jane.doe+feeds@mail.example.org", true),
            ("atom_0.3.feed.author.email", false),
            ("jane@localhost", false),
            ("jane doe@example.org", false),
            ("@example.org", false),
            ("jane@", false),
            ("jane@exa_mple.org", false),
            ("mailto:jane@example.org", false),
        ] {
            assert_eq!(is_email(s), want, "{s}");
        }
    }

    #[test]
    fn absolute_uris() {
        for (s, want) in [
            ("http://www.example.org/tags/", true),
            ("urn:isbn:0451450523", true),
            ("dmoz", false),
            ("Syndic8", false),
            ("rss_2.0.channel.item[1].category[1]^domain", false),
            ("http://example.org/a b", false),
            ("/relative", false),
        ] {
            assert_eq!(is_absolute_uri(s), want, "{s}");
        }
    }

    #[test]
    fn every_person_has_a_name() {
        let person = |name: &str, email: Option<&str>, uri: Option<&str>| Person {
            name: name.into(),
            email: email.map(Into::into),
            uri: uri.map(Into::into),
        };
        let people = people(
            vec![
                person("  ", Some("a@b.test"), None),
                person(
                    " Jane ",
                    Some("not an address"),
                    Some("javascript:alert(1)"),
                ),
                person("", Some("not an address"), None),
                person("Bread &amp;amp; Butter", None, None),
            ],
            "The Blog",
        );
        assert_eq!(
            people,
            vec![
                person("The Blog", Some("a@b.test"), None),
                person("Jane", None, None),
                person("Bread &amp; Butter", None, None),
            ]
        );
    }

    #[test]
    fn links_keep_only_true_attributes() {
        let out = links(vec![
            Link {
                href: " https://a.test/x y ".into(),
                rel: "enclosure".into(),
                media_type: Some("".into()),
                hreflang: Some("english".into()),
                title: Some(" ".into()),
                length: Some(3),
            },
            Link {
                href: "ftp://a.test/".into(),
                rel: "alternate".into(),
                ..Link::default()
            },
        ]);
        assert_eq!(
            out,
            vec![Link {
                href: "https://a.test/x%20y".into(),
                rel: "enclosure".into(),
                length: Some(3),
                ..Link::default()
            }]
        );
    }
}
