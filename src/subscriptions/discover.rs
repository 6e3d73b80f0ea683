//! Pure: the feeds a blog's home page offers, best first.
//!
//! Takes the bytes of an HTML page and the URL it came from; returns candidate feed URLs in the
//! order worth trying: the page's `<link rel="alternate">` feeds (Atom, then RSS, then JSON Feed,
//! comment feeds last), then the paths where blog engines put their feed (`feed`, `atom.xml`,
//! …), first under the page's own folder (a blog at `https://x.test/blog/` has its feed at
//! `/blog/feed`), then at the site's root. It parses HTML with a real parser (scraper, on html5ever), so attributes in any order or
//! quoting are found. It does not fetch: `subscribe` tries each candidate until one is a feed.

use scraper::{Html, Selector};
use url::Url;

/// Where blog engines commonly serve their feed, relative to the blog's folder, tried when
/// the page declares none: WordPress (`feed`), Jekyll and Hexo (`atom.xml`, `feed.xml`), Hugo
/// (`index.xml`), Ghost and others (`rss.xml`, `rss`).
pub const COMMON_PATHS: &[&str] = &[
    "feed",
    "atom.xml",
    "feed.xml",
    "rss.xml",
    "index.xml",
    "rss",
    "feed.json",
];

/// One feed a page offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The feed's absolute URL.
    pub url: Url,
    /// The `title` of its `<link>`, when declared.
    pub title: Option<String>,
}

/// The feeds declared by `<link rel="alternate">` in the page, best first, then the common
/// paths under the page's folder and then at its host's root, without repeats.
pub fn candidates(html: &[u8], page_url: &Url) -> Vec<Candidate> {
    let text = String::from_utf8_lossy(html);
    let doc = Html::parse_document(&text);
    // `<base href>` changes what relative links mean (HTML §4.2.3).
    let base = Selector::parse("base[href]")
        .ok()
        .and_then(|s| doc.select(&s).next())
        .and_then(|b| b.value().attr("href"))
        .and_then(|h| page_url.join(h).ok())
        .unwrap_or_else(|| page_url.clone());
    let mut declared: Vec<(u8, usize, Candidate)> = Vec::new();
    if let Ok(links) = Selector::parse("link[rel][href]") {
        for (i, link) in doc.select(&links).enumerate() {
            let el = link.value();
            let rel = el.attr("rel").unwrap_or_default().to_ascii_lowercase();
            if !rel.split_ascii_whitespace().any(|r| r == "alternate") {
                continue;
            }
            let kind = el
                .attr("type")
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            let Some(rank) = rank(&kind) else { continue };
            let Some(url) = el.attr("href").and_then(|h| base.join(h.trim()).ok()) else {
                continue;
            };
            let title = el.attr("title").map(|t| t.trim().to_owned());
            // A comment feed is rarely what an operator wants on a planet.
            let comments = title
                .as_deref()
                .is_some_and(|t| t.to_lowercase().contains("comment"))
                || url.path().to_lowercase().contains("comment");
            declared.push((
                rank + if comments { 10 } else { 0 },
                i,
                Candidate { url, title },
            ));
        }
    }
    declared.sort_by_key(|(rank, i, _)| (*rank, *i));
    let mut out: Vec<Candidate> = Vec::new();
    let guessed = folders(page_url).into_iter().flat_map(|folder| {
        COMMON_PATHS.iter().filter_map(move |p| {
            folder
                .join(p)
                .ok()
                .map(|url| Candidate { url, title: None })
        })
    });
    for c in declared.into_iter().map(|(_, _, c)| c).chain(guessed) {
        if !out.iter().any(|o| o.url == c.url) {
            out.push(c);
        }
    }
    out
}

/// The page's folder, then the site's root. A last segment without a dot is a folder
/// (`/blog` is the blog at `/blog/`); one with a dot is a page in its folder (`/blog/about.html`).
fn folders(page_url: &Url) -> Vec<Url> {
    let mut folder = page_url.clone();
    folder.set_query(None);
    folder.set_fragment(None);
    let path = folder.path().to_owned();
    let last = path.rsplit('/').next().unwrap_or_default();
    if !last.is_empty() && !last.contains('.') {
        folder.set_path(&format!("{path}/"));
    }
    let mut out = vec![folder.join(".").unwrap_or(folder)];
    if let Ok(root) = page_url.join("/") {
        if !out.contains(&root) {
            out.push(root);
        }
    }
    out
}

/// Atom first (the best-specified format), then RSS, then JSON Feed; `None` is not a feed.
fn rank(kind: &str) -> Option<u8> {
    match kind.split(';').next().unwrap_or_default().trim() {
        "application/atom+xml" => Some(0),
        "application/rss+xml" | "application/rdf+xml" => Some(1),
        "application/feed+json" | "application/json" => Some(2),
        "application/xml" | "text/xml" => Some(3),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(html: &str) -> Vec<String> {
        let page = Url::parse("https://blog.test/about/").unwrap();
        candidates(html.as_bytes(), &page)
            .into_iter()
            .map(|c| c.url.to_string())
            .collect()
    }

    #[test]
    fn prefers_atom_then_rss_then_json_and_comments_last() {
        let got = urls(
            r#"<html><head>
            <link rel="alternate" type="application/rss+xml" title="Comments" href="/comments/feed">
            <link rel="alternate" type="application/feed+json" href="/feed.json">
            <link href="/rss" rel="alternate" type="application/rss+xml">
            <link rel="alternate" type="application/atom+xml" href="atom">
            <link rel="stylesheet" href="/style.css">
            </head></html>"#,
        );
        assert_eq!(
            &got[..4],
            [
                "https://blog.test/about/atom",
                "https://blog.test/rss",
                "https://blog.test/feed.json",
                "https://blog.test/comments/feed",
            ]
        );
    }

    #[test]
    fn falls_back_to_common_paths_under_the_page_then_at_the_root_without_repeats() {
        let got = urls("<html><head><title>x</title></head></html>");
        let n = COMMON_PATHS.len();
        assert_eq!(got.len(), 2 * n);
        assert_eq!(
            (&got[0][..], &got[1][..], &got[n][..], &got[n + 1][..]),
            (
                "https://blog.test/about/feed",
                "https://blog.test/about/atom.xml",
                "https://blog.test/feed",
                "https://blog.test/atom.xml"
            )
        );
        let got = urls(r#"<link rel="alternate" type="application/atom+xml" href="/atom.xml">"#);
        assert_eq!(got[0], "https://blog.test/atom.xml");
        assert_eq!(got.len(), 2 * n, "the declared feed is not tried twice");
    }

    #[test]
    fn the_folder_of_a_page_is_where_its_feed_is_guessed_first() {
        let first = |page: &str| {
            let page = Url::parse(page).unwrap();
            let all = candidates(b"", &page);
            (all[0].url.to_string(), all.len())
        };
        let n = COMMON_PATHS.len();
        for (name, page, want, count) in [
            (
                "a folder",
                "https://x.test/blog/",
                "https://x.test/blog/feed",
                2 * n,
            ),
            (
                "a folder without its slash",
                "https://x.test/blog",
                "https://x.test/blog/feed",
                2 * n,
            ),
            (
                "a page in a folder",
                "https://x.test/blog/about.html?x=1",
                "https://x.test/blog/feed",
                2 * n,
            ),
            ("the root", "https://x.test/", "https://x.test/feed", n),
            (
                "a page at the root",
                "https://x.test/index.html",
                "https://x.test/feed",
                n,
            ),
        ] {
            assert_eq!(first(page), (want.to_owned(), count), "{name}");
        }
    }

    #[test]
    fn honours_base_href() {
        let got = urls(
            r#"<head><base href="https://cdn.test/x/"><link rel="alternate" type="application/atom+xml" href="a.xml"></head>"#,
        );
        assert_eq!(got[0], "https://cdn.test/x/a.xml");
    }
}
