//! Real feed HTML through the sanitizer: sanitizing keeps every piece of text, every link and
//! every image, minus what the policy drops on purpose (scripts, styles, forms, frames…, and
//! unsafe URLs), and its output is stable.
//!
//! `tests/fixtures/html/` holds real feeds from the shared corpus chosen so that, together, they
//! carry the kinds of markup that broke the page before the sanitizer repaired content models
//! (see `tests/fixtures/README.md`); random tag soup stands for the feeds nobody has seen yet.
//! That the pages built from both are valid HTML is the Nu checker's to say, in
//! `tests/judges/html.rs`. The same counts over the whole corpus are one ignored test, run by
//! hand: `cargo test --test it whole_corpus -- --ignored --nocapture` (the corpus is read from
//! `$PLANET_CORPUS`, else `../shared/corpus`).

use std::path::{Path, PathBuf};

use scraper::{Html, Node};
use url::Url;

use crate::planets::{corpus_feeds, feeds_in, tag_soup};
use crate::support::FIXTURES;

/// What a reader gets from a piece of HTML: characters of text (spaces aside), links and
/// images, as a real HTML parser (html5ever, through scraper) reads them.
#[derive(Debug, Default, PartialEq, Eq, Clone, Copy)]
struct Counts {
    text: usize,
    links: usize,
    images: usize,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, o: Counts) {
        self.text += o.text;
        self.links += o.links;
        self.images += o.images;
    }
}

/// Whether a browser would follow `value` (resolved against `base`) and the policy allows it:
/// http(s) anywhere, `mailto:` for links, raster `data:` images.
fn safe_url(value: &str, base: Option<&Url>, image: bool) -> bool {
    let url = match Url::parse(value) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            match base.and_then(|b| b.join(value).ok()) {
                Some(u) => u,
                None => return false,
            }
        }
        Err(_) => return false,
    };
    match url.scheme() {
        "http" | "https" => true,
        "mailto" => !image,
        "data" => {
            image && {
                let mime = url.path().split([';', ',']).next().unwrap_or_default();
                [
                    "image/png",
                    "image/jpeg",
                    "image/jpg",
                    "image/gif",
                    "image/webp",
                    "image/avif",
                ]
                .contains(&mime.trim().to_ascii_lowercase().as_str())
            }
        }
        _ => false,
    }
}

/// Counts what survives the policy in `html`: text outside the elements it drops with their
/// content, links with a safe `href`, images with a safe `src` or `srcset` candidate (an image
/// with neither shows its `alt` text, counted as text).
fn counts(html: &str, base: Option<&Url>) -> Counts {
    let doc = Html::parse_fragment(html);
    let mut c = Counts::default();
    let mut stack = vec![doc.tree.root()];
    while let Some(node) = stack.pop() {
        match node.value() {
            Node::Text(t) => c.text += t.chars().filter(|ch| !ch.is_whitespace()).count(),
            Node::Element(e) => {
                let name = e.name();
                if e.name.ns != html5ever::ns!(html)
                    || planet::sanitize::DROPPED_WITH_CONTENT.contains(&name)
                {
                    continue;
                }
                if name == "a" && e.attr("href").is_some_and(|h| safe_url(h, base, false)) {
                    c.links += 1;
                }
                if name == "img" {
                    let src = e.attr("src").is_some_and(|s| safe_url(s, base, true));
                    let srcset = e.attr("srcset").is_some_and(|s| {
                        s.split(',').any(|cand| {
                            cand.split_whitespace()
                                .next()
                                .is_some_and(|u| safe_url(u, base, true))
                        })
                    });
                    if src || srcset {
                        c.images += 1;
                    } else {
                        let alt = e.attr("alt").unwrap_or_default();
                        c.text += alt.chars().filter(|ch| !ch.is_whitespace()).count();
                    }
                }
                stack.extend(node.children());
            }
            Node::Document | Node::Fragment => stack.extend(node.children()),
            _ => {}
        }
    }
    c
}

/// Sanitizes every HTML entry of `files` and compares what a reader gets before and after;
/// returns the totals, and the entries that differ.
fn survival(files: &[PathBuf]) -> (Counts, Vec<String>) {
    let mut total = Counts::default();
    let mut lost = Vec::new();
    for file in files {
        let bytes = std::fs::read(file).expect("feed file");
        let url = format!(
            "http://feeds.test/{}",
            file.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
        );
        let Ok(parsed) = planet::parse::parse_feed(bytes, &url, &url, None) else {
            continue;
        };
        for e in parsed.entries {
            if e.content_kind != planet::model::TextKind::Html
                || e.content.matches('&').count() > planet::sanitize::MAX_REFERENCES
            {
                continue;
            }
            let base = e.base.as_deref().and_then(|b| Url::parse(b).ok());
            let before = counts(&e.content, base.as_ref());
            let clean =
                planet::sanitize::sanitize_html(&e.content, e.content_kind, e.base.as_deref());
            let after = counts(&clean, None);
            total += after;
            if before != after {
                lost.push(format!(
                    "{} {}: before {before:?}, after {after:?}",
                    file.display(),
                    e.id
                ));
            }
        }
    }
    (total, lost)
}

#[test]
fn sanitizing_keeps_every_text_link_and_image() {
    let (total, lost) = survival(&feeds_in(&Path::new(FIXTURES).join("html")));
    eprintln!("kept: {total:?}");
    assert!(
        total.text > 100_000 && total.links > 1_000 && total.images > 100,
        "the fixtures carry text, links and images: {total:?}"
    );
    assert!(lost.is_empty(), "entries changed by sanitizing: {lost:#?}");
}

#[test]
fn the_counts_see_what_the_policy_drops() {
    let base = Url::parse("https://b.test/p/").ok();
    let c = counts(
        "<p>ab <a href=\"/x\">c</a><a href=\"javascript:x\">d</a><script>e</script><img src=\"i.png\"><img alt=\"f\"></p>",
        base.as_ref(),
    );
    assert_eq!(
        c,
        Counts {
            text: 5,
            links: 1,
            images: 1
        }
    );
}

fn sanitize(html: &str, base: Option<&str>) -> String {
    planet::sanitize::sanitize_html(html, planet::model::TextKind::Html, base)
}

#[test]
fn tag_soup_comes_out_stable() {
    // Valid output reads back as the same tree: sanitizing it again changes nothing.
    for seed in 0..2000 {
        let soup = tag_soup(seed, 60);
        let once = sanitize(&soup, Some("https://b.test/p/"));
        let twice = sanitize(&once, None);
        assert_eq!(once, twice, "seed {seed}: {soup}");
    }
}

#[test]
#[ignore = "a long run by hand over the shared corpus outside the repository"]
fn whole_corpus_keeps_its_content() {
    let Some(dir) = corpus_feeds() else {
        eprintln!("skip: no corpus at $PLANET_CORPUS or ../shared/corpus");
        return;
    };
    let (total, lost) = survival(&feeds_in(&dir));
    eprintln!("kept over the corpus: {total:?}");
    assert!(lost.is_empty(), "entries changed by sanitizing: {lost:#?}");
}
