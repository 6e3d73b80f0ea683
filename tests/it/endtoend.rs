//! Where the parts meet: one planet exercised the way its operator, subscribers and readers
//! use it, checking that every output tells the same story.

use crate::server::{Route, Server};
use crate::support::{planet_table, rss, Planet};

#[test]
fn an_excerpt_reaches_atom_subscribers_too() {
    // An RSS item's description is its summary: with `display = "excerpt"` the page, rss.xml
    // and feed.json carried the excerpt, but atom.xml carried no text at all.
    let long: String = (1..=100).map(|i| format!("w{i} ")).collect();
    let server = Server::start();
    let body = rss(
        "Ex",
        &[(
            "ex-1",
            "Excerpted post",
            "https://ex.test/1",
            "Mon, 02 Nov 2026 10:00:00 GMT",
        )],
    )
    .replace("Body of Excerpted post", &long);
    server.set("/ex.xml", Route::xml(body));
    let planet = Planet::new(&format!(
        "{}[[feeds]]\nurl = \"{}\"\ndisplay = \"excerpt\"\n",
        planet_table(""),
        server.url("/ex.xml"),
    ));
    planet.run_ok(&["run"]);
    for file in ["index.html", "rss.xml", "feed.json", "atom.xml"] {
        let out = planet.output(file);
        assert!(
            out.contains("w60…") && !out.contains("w61"),
            "{file} carries the excerpt:\n{out}"
        );
    }
}
