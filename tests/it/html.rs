//! Real feed HTML through the sanitizer: the page built from it is valid HTML (the Nu Html
//! Checker finds no error), and sanitizing keeps every piece of text, every link and every
//! image, minus what the policy drops on purpose (scripts, styles, forms, frames…, and unsafe
//! URLs).
//!
//! `tests/fixtures/html/` holds real feeds from the shared corpus chosen so that, together, they
//! carry the kinds of markup that broke the page before the sanitizer repaired content models
//! (see `tests/fixtures/README.md`); random tag soup stands for the feeds nobody has seen yet.
//! The same checks over the whole corpus are one ignored test, run by hand:
//! `cargo test --test it whole_corpus -- --ignored --nocapture` (the corpus is read from
//! `$PLANET_CORPUS`, else `../shared/corpus`). When the Nu checker is missing its tests print a
//! `skip:` line, or fail under `PLANET_REQUIRE_TOOLS=1`, as in `validate.rs`.

use std::path::{Path, PathBuf};

use scraper::{Html, Node};
use url::Url;

use crate::server::{Route, Server};
use crate::support::{planet_table, Planet, FIXTURES};
use crate::validate::{nu_errors, vnu};

/// The files of a folder, sorted.
pub fn feeds_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("folder entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Serves `files` and publishes every entry of them on one page.
pub fn publish(files: &[PathBuf]) -> (Server, Planet) {
    let server = Server::start();
    let mut feeds = String::new();
    for file in files {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .expect("file name");
        let path = format!("/{name}");
        let body = std::fs::read(file).expect("feed file");
        server.set(&path, Route::ok("application/xml", body));
        feeds.push_str(&format!("[[feeds]]\nurl = \"{}\"\n\n", server.url(&path)));
    }
    let planet = Planet::new(&format!(
        "{}{feeds}",
        planet_table("items_per_page = 100000\nstale_days = 36500")
    ));
    planet.run_ok(&["run"]);
    (server, planet)
}

/// Publishes `files` and asserts the Nu checker finds no error on the page.
fn assert_valid_page(files: &[PathBuf]) {
    let Some((java, jar)) = vnu() else { return };
    let (_server, planet) = publish(files);
    let html = planet.output("index.html");
    let entries = html.matches("<article").count();
    let errors = nu_errors(&java, &jar, &planet.out_path("index.html"));
    eprintln!(
        "{} feeds, {entries} entries: {} Nu errors",
        files.len(),
        errors.len()
    );
    assert!(entries > 0, "the page shows the entries");
    assert!(
        errors.is_empty(),
        "the Nu checker found {} errors in index.html: {errors:#?}",
        errors.len()
    );
}

#[test]
fn real_feed_html_publishes_a_valid_page() {
    assert_valid_page(&feeds_in(&Path::new(FIXTURES).join("html")));
}

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

/// Tag soup, deterministic: random start and end tags of every kind the policy and the
/// repairs know, text, attributes; a hostile or broken feed looks like this.
fn tag_soup(seed: u64, len: usize) -> String {
    const TAGS: &[&str] = &[
        "p",
        "div",
        "span",
        "a",
        "b",
        "code",
        "pre",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
        "caption",
        "figure",
        "figcaption",
        "details",
        "summary",
        "picture",
        "source",
        "img",
        "video",
        "audio",
        "h2",
        "h5",
        "hgroup",
        "blockquote",
        "tt",
        "center",
        "font",
        "big",
        "strike",
        "u",
        "time",
        "del",
        "br",
        "hr",
        "dfn",
        "address",
        "section",
        "ruby",
        "rt",
        "svg",
        "script",
        "form",
        "select",
        "option",
        "xmp",
        "q",
        "bdo",
        "colgroup",
        "col",
    ];
    const ATTRS: &[&str] = &[
        " href=\"/x\"",
        " src=\"i.png\"",
        " srcset=\"a.png 1x, b.png 480w\"",
        " sizes=\"100vw\"",
        " colspan=\"3\"",
        " rowspan=\"0\"",
        " lang=\"ruby\"",
        " dir=\"rtl\"",
        " datetime=\"2020-01-02\"",
        " controls",
        " type=\"image/webp\"",
        " media=\"(min-width: 9px)\"",
        " alt=\"A\"",
    ];
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        usize::try_from(state % n as u64).unwrap_or(0)
    };
    let mut out = String::new();
    for _ in 0..len {
        let tag = TAGS[next(TAGS.len())];
        match next(6) {
            0 | 1 => {
                out.push('<');
                out.push_str(tag);
                if next(3) == 0 {
                    out.push_str(ATTRS[next(ATTRS.len())]);
                }
                out.push('>');
            }
            2 => out.push_str(&format!("</{tag}>")),
            3 => out.push_str(" word "),
            4 => out.push('x'),
            _ => out.push('\n'),
        }
    }
    out
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
fn tag_soup_publishes_a_valid_page() {
    let Some((java, jar)) = vnu() else { return };
    let server = Server::start();
    let items: String = (0..400)
        .map(|seed| {
            format!(
                "<item><guid>https://soup.test/{seed}</guid><title>Soup {seed}</title><link>https://soup.test/{seed}</link><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate><description>{}</description></item>",
                xml_escape(&tag_soup(seed, 120))
            )
        })
        .collect();
    server.set(
        "/soup.xml",
        Route::xml(format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Soup</title><link>https://soup.test/</link><description>d</description>{items}</channel></rss>"
        )),
    );
    let planet = Planet::new(&format!(
        "{}[[feeds]]\nurl = \"{}\"\n",
        planet_table("items_per_page = 1000"),
        server.url("/soup.xml")
    ));
    planet.run_ok(&["run"]);
    assert_eq!(planet.output("index.html").matches("<article").count(), 400);
    let errors = nu_errors(&java, &jar, &planet.out_path("index.html"));
    assert!(
        errors.is_empty(),
        "the Nu checker found {} errors in index.html: {errors:#?}",
        errors.len()
    );
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The shared corpus's feed folder, when it is there.
pub fn corpus_feeds() -> Option<PathBuf> {
    let root = std::env::var_os("PLANET_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
        PathBuf::from,
    );
    let feeds = root.join("feeds");
    feeds.is_dir().then_some(feeds)
}

#[test]
#[ignore = "a long run by hand over the shared corpus outside the repository"]
fn whole_corpus_publishes_a_valid_page_and_keeps_its_content() {
    let Some(dir) = corpus_feeds() else {
        eprintln!("skip: no corpus at $PLANET_CORPUS or ../shared/corpus");
        return;
    };
    let files = feeds_in(&dir);
    let (total, lost) = survival(&files);
    eprintln!("kept over the corpus: {total:?}");
    assert!(lost.is_empty(), "entries changed by sanitizing: {lost:#?}");
    assert_valid_page(&files);
}
