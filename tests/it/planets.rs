//! Planets built from fixtures, shared by the behaviour tests (`tests/it`) and the external
//! judges (`tests/judges`): the corpus planet every output is judged on, the real feed HTML of
//! `tests/fixtures/html/`, and deterministic tag soup.

use std::path::{Path, PathBuf};

use crate::server::{Route, Server};
use crate::support::{fixture, planet_table, t0, Planet};

/// Real feeds from the shared corpus (see tests/fixtures/README.md), with how each is shown.
pub const CORPUS: &[(&str, &str, &str)] = &[
    ("/rss2.xml", "corpus/feedjira09__BinaryCode.xml", "full"),
    (
        "/atom.xml",
        "corpus/feedjira09__graemenelsonHome.xml",
        "excerpt",
    ),
    ("/rss1.xml", "corpus/feedjira09__ArunGuptasBlog.xml", "full"),
    ("/feed.json", "corpus/nnw__allthis.json", "full"),
    (
        "/latin1.xml",
        "corpus/feedreader__Rss091Stadtfeuerwehr.xml",
        "title",
    ),
];

/// Serves the corpus, the layout stress feed (wide picture, long code, wide table, long words)
/// and a missing feed, and publishes a planet from them at `t0`.
pub fn published() -> (Server, Planet) {
    let server = Server::start();
    let mut feeds = String::new();
    for (path, file, show) in CORPUS {
        let ct = if path.ends_with(".json") {
            "application/feed+json"
        } else {
            "application/xml"
        };
        server.set(path, Route::ok(ct, fixture(file)));
        feeds.push_str(&format!(
            "[[feeds]]\nurl = \"{}\"\ndisplay = \"{show}\"\n\n",
            server.url(path)
        ));
    }
    let stress = String::from_utf8(fixture("layout/stress.atom"))
        .expect("stress.atom is UTF-8")
        .replace("{BASE}", &server.base);
    server.set("/stress.atom", Route::xml(stress));
    server.set(
        "/img/wide.svg",
        Route::ok("image/svg+xml", fixture("layout/wide.svg")),
    );
    server.set("/gone.xml", Route::status(404));
    for path in ["/stress.atom", "/gone.xml"] {
        feeds.push_str(&format!("[[feeds]]\nurl = \"{}\"\n\n", server.url(path)));
    }
    // A WebSub hub, so the judges see the feeds name one.
    server.set("/hub", Route::status(204));
    let planet = Planet::new(&format!(
        "{}{feeds}",
        planet_table(&format!(
            "description = \"Blogs & notes, for testing\"\nowner_email = \"owner@planet.test\"\nitems_per_page = 1000\nstale_days = 36500\nhubs = [\"{}\"]",
            server.url("/hub")
        ))
    ));
    planet.run_at(t0());
    (server, planet)
}

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
    planet.run_at(t0());
    (server, planet)
}

/// The shared corpus's feed folder, when it is there (`$PLANET_CORPUS`, else
/// `../shared/corpus`).
pub fn corpus_feeds() -> Option<PathBuf> {
    let root = std::env::var_os("PLANET_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
        PathBuf::from,
    );
    let feeds = root.join("feeds");
    feeds.is_dir().then_some(feeds)
}

/// Tag soup, deterministic: random start and end tags of every kind the policy and the
/// repairs know, text, attributes; a hostile or broken feed looks like this.
pub fn tag_soup(seed: u64, len: usize) -> String {
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

/// `s` as XML text.
pub fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
