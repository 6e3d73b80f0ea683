//! `index.html` judged by the Nu Html Checker (vnu.jar): the corpus planet's page, real-world
//! markup that once broke it, the real feed HTML of `tests/fixtures/html/` and tag soup all
//! publish a page with no error. The whole shared corpus is one ignored test, run by hand:
//! `cargo test --test judges whole_corpus -- --ignored --nocapture`.

use std::path::{Path, PathBuf};

use crate::planets::{corpus_feeds, feeds_in, publish, published, tag_soup, xml_escape};
use crate::server::{Route, Server};
use crate::support::{planet_table, t0, Planet, FIXTURES};
use crate::tools::{nu_errors, vnu};

/// Asserts the Nu checker finds no error in the planet's `index.html`.
fn assert_no_nu_errors(java: &Path, jar: &Path, planet: &Planet) {
    let errors = nu_errors(java, jar, &planet.out_path("index.html"));
    assert!(
        errors.is_empty(),
        "the Nu checker found {} errors in index.html: {errors:#?}",
        errors.len()
    );
}

#[test]
fn index_html_has_zero_nu_checker_errors() {
    let Some((java, jar)) = vnu() else { return };
    let (_server, planet) = published();
    assert_no_nu_errors(&java, &jar, &planet);
}

#[test]
fn a_new_planet_publishes_a_valid_page_saying_it_has_no_feeds() {
    // What `planet init` then `planet run` publish, before any `planet add`.
    let Some((java, jar)) = vnu() else { return };
    let planet = Planet::new("");
    std::fs::remove_file(&planet.config).unwrap();
    planet::starter::write(&planet.config, &planet::starter::Fill::default()).expect("init");
    planet.run_at(t0());
    assert!(planet
        .output("index.html")
        .contains("This planet has no feeds yet."));
    assert_no_nu_errors(&java, &jar, &planet);
}

#[test]
fn real_world_markup_keeps_the_page_valid() {
    // Found on real feeds of the corpus: text double-encoded upstream carries C1 controls
    // (`â€\u{9d}`), which HTML forbids; images without `alt`; named anchors; links with
    // characters RFC 3986 forbids (`[`, a space, a second `#`); posts whose headings start at
    // h4, or open with their deepest level.
    let Some((java, jar)) = vnu() else { return };
    let server = Server::start();
    let item = |guid: &str, title: &str, body: &str| {
        format!(
            "<item><guid>https://w.test/{guid}</guid><title>{title}</title><link>https://w.test/{guid}</link><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate><description><![CDATA[{body}]]></description></item>"
        )
    };
    let feed = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>W</title><link>https://w.test/</link><description>d</description>{}{}{}{}{}</channel></rss>",
        item("1", "â€œquotedâ€\u{9d}", "<p>a â€œsmallâ€\u{9d} amount\u{85}</p>"),
        item("2", "Pictures", "<p><img src=\"https://w.test/a.png\"> and <img src=\"https://w.test/b.png\" alt=\"B\"> <a name=\"top\">here</a></p>"),
        item("3", "Subheads", "<p>intro</p><h4>First</h4><p>x</p><h5>Deeper</h5><p>y</p>"),
        item("4", "Update first", "<h3>Update</h3><p>u</p><h2>Main</h2><p>m</p>"),
        item("5[1]^x", "Odd links", "<p><a href=\"mailto:me @w.test\">mail</a> <a href=\"https://w.test/p#a#b\">p</a></p>"),
    );
    server.set("/w.xml", Route::xml(feed));
    let planet = Planet::with_feeds("", &[server.url("/w.xml")]);
    planet.run_at(t0());
    let html = planet.output("index.html");
    assert!(html.contains(r#"alt="B""#), "an alt text stays: {html}");
    assert_no_nu_errors(&java, &jar, &planet);
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
    planet.run_at(t0());
    assert_eq!(planet.output("index.html").matches("<article").count(), 400);
    assert_no_nu_errors(&java, &jar, &planet);
}

#[test]
#[ignore = "a long run by hand over the shared corpus outside the repository"]
fn whole_corpus_publishes_a_valid_page() {
    let Some(dir) = corpus_feeds() else {
        eprintln!("skip: no corpus at $PLANET_CORPUS or ../shared/corpus");
        return;
    };
    assert_valid_page(&feeds_in(&dir));
}

#[test]
fn every_page_type_has_zero_nu_checker_errors() {
    let Some((java, jar)) = vnu() else { return };
    for language in ["en", "fr"] {
        let (_server, planet) = crate::layout::published_with_pages(language);
        for page in crate::layout::page_types(&planet) {
            let errors = nu_errors(&java, &jar, &planet.out_path(&page));
            assert!(
                errors.is_empty(),
                "the Nu checker found {} errors in {page} ({language}): {errors:#?}",
                errors.len()
            );
        }
    }
}
