//! `atom.xml` judged by jing against RFC 4287's RELAX NG grammar (`tests/fixtures/atom.rnc`):
//! the corpus planet's feed, the feed made of each of Planet Venus's reconstitute cases, and
//! the feeds made of entries that carry every detail Atom and RSS allow.

use std::path::PathBuf;

use serde_json::Value;

use crate::planets::published;
use crate::server::{Route, Server};
use crate::support::{fixture, t0, Planet};
use crate::tools::{jing, jing_errors};

#[test]
fn atom_xml_has_zero_rfc4287_schema_errors() {
    let Some(jing) = jing() else { return };
    let (_server, planet) = published();
    if let Some(report) = jing_errors(&jing, &[planet.out_path("atom.xml")]) {
        panic!("jing found errors in atom.xml:\n{report}");
    }
}

/// Publishes each fixture feed on a planet of its own; returns the planets, to keep their
/// `atom.xml` until jing has read them.
fn each_published(feeds: &[(String, Vec<u8>)]) -> (Server, Vec<Planet>) {
    let server = Server::start();
    let planets = feeds
        .iter()
        .map(|(name, body)| {
            let path = format!("/{name}.xml");
            server.set(&path, Route::xml(body.clone()));
            let planet = Planet::with_feeds("", &[server.url(&path)]);
            planet.run_at(t0());
            planet
        })
        .collect();
    (server, planets)
}

#[test]
fn every_venus_case_publishes_valid_atom() {
    let Some(jing) = jing() else { return };
    let checks: Value =
        serde_json::from_slice(&fixture("venus/checks.json")).expect("checks.json parses");
    let feeds: Vec<(String, Vec<u8>)> = checks["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| {
            let name = c["case"].as_str().expect("case name").to_owned();
            let body = fixture(&format!("venus/reconstitute/{name}.xml"));
            (name, body)
        })
        .collect();
    assert_eq!(feeds.len(), 73, "all 73 Venus reconstitute cases");
    let (_server, planets) = each_published(&feeds);
    let files: Vec<PathBuf> = planets.iter().map(|p| p.out_path("atom.xml")).collect();
    if let Some(report) = jing_errors(&jing, &files) {
        panic!("atom.xml is not valid Atom (RFC 4287 schema):\n{report}");
    }
}

#[test]
fn detailed_atom_and_rss_entries_publish_valid_atom() {
    let Some(jing) = jing() else { return };
    let feeds = [
        ("rich".to_owned(), fixture("detail/rich.atom")),
        ("rss".to_owned(), fixture("detail/news.rss")),
    ];
    let (_server, planets) = each_published(&feeds);
    let files: Vec<PathBuf> = planets.iter().map(|p| p.out_path("atom.xml")).collect();
    if let Some(report) = jing_errors(&jing, &files) {
        panic!("atom.xml is not valid Atom (RFC 4287 schema):\n{report}");
    }
}
