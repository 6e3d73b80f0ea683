//! Where the parts meet: one planet exercised the way its operator, subscribers and readers
//! use it, checking that every output tells the same story.

use crate::server::{Route, Server};
use crate::support::{at, feeds_toml, planet_table, rss, t0, Planet};

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
    planet.run_at(t0());
    for file in ["index.html", "rss.xml", "feed.json", "atom.xml"] {
        let out = planet.output(file);
        assert!(
            out.contains("w60…") && !out.contains("w61"),
            "{file} carries the excerpt:\n{out}"
        );
    }
}

#[test]
fn messages_name_the_line_the_operator_wrote() {
    // A URL as parsed is not always the URL as written (`http://host` is `http://host/`), and
    // one URL can be the prefix of another: each message must still name its feed's own line.
    let server = Server::start();
    server.set(
        "/",
        Route::ok("text/html", "<!doctype html><title>Home</title><p>hi"),
    );
    server.set(
        "/feed.xml",
        Route::xml(rss("F", &[("1", "One", "https://f.test/1", "")])),
    );
    server.set(
        "/old.xml",
        Route::status(301).with_header("Location", &server.url("/feed.xml")),
    );
    let root = server.url("");
    let text = format!(
        "{}[[feeds]]\nurl = \"{root}/feed.xml\"\n\n[[feeds]]\nurl = \"{root}/old.xml\"\n\n[[feeds]]\nurl = \"{root}\"\n",
        planet_table("")
    );
    let line = |needle: &str| text.lines().position(|l| l == needle).unwrap() + 1;
    let (old, bare) = (
        line(&format!("url = \"{root}/old.xml\"")),
        line(&format!("url = \"{root}\"")),
    );
    let planet = Planet::new(&text);
    let err = planet.check_fetch(t0()).join("\n");
    assert!(
        err.contains(&format!(
            "line {bare}: feed `{root}/`: a web page, not a feed"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "line {old}: feed `{root}/old.xml`: moved permanently"
        )),
        "{err}"
    );
    // The same, spelt another way, is refused naming the second listing's line.
    let twice = format!("{text}\n[[feeds]]\nurl = \"{}\"\n", root.to_uppercase());
    let again = twice.lines().count();
    planet.write_config(&twice);
    let err = planet.check().join("\n");
    assert!(
        err.contains(&format!("line {again}: feed `{root}/`: listed twice")),
        "{err}"
    );
}

#[test]
fn following_a_moved_warning_keeps_the_feeds_entries_on_the_page() {
    // planet warns "moved permanently: change line N"; the operator does, and the feed's new
    // URL was treated as a new subscription: all but `new_feed_items` of its entries vanished.
    let server = Server::start();
    let items: Vec<(String, String, String, String)> = (1..=5)
        .map(|i| {
            (
                format!("m{i}"),
                format!("Post {i}"),
                format!("https://m.test/{i}"),
                format!("Mon, 0{i} Nov 2026 10:00:00 GMT"),
            )
        })
        .collect();
    let items: Vec<(&str, &str, &str, &str)> = items
        .iter()
        .map(|(a, b, c, d)| (a.as_str(), b.as_str(), c.as_str(), d.as_str()))
        .collect();
    server.set("/new.xml", Route::xml(rss("M", &items)));
    server.set(
        "/old.xml",
        Route::status(301).with_header("Location", &server.url("/new.xml")),
    );
    let planet = Planet::with_feeds("", &[server.url("/old.xml")]);
    let warnings = planet.run_at(t0());
    assert!(
        warnings.iter().any(|w| w.contains("moved permanently")),
        "{warnings:?}"
    );
    assert_eq!(planet.atom_titles().len(), 5);
    planet.write_config(&format!(
        "{}[[feeds]]\nurl = \"{}\"\n",
        planet_table(""),
        server.url("/new.xml")
    ));
    let warnings = planet.force_at(at(1));
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(
        planet.atom_titles(),
        ["Post 5", "Post 4", "Post 3", "Post 2", "Post 1"]
    );
}

#[test]
fn status_and_the_page_name_a_feed_by_its_own_title() {
    // A feed without `name` is shown (page, `planet status`) under its own title: that is the
    // name an operator types, and `remove` said "no feed with URL or name".
    let server = Server::start();
    server.set(
        "/g.xml",
        Route::xml(rss("Gamma Blog", &[("g1", "G", "https://g.test/1", "")])),
    );
    server.set(
        "/d.xml",
        Route::xml(rss("Delta", &[("d1", "D", "https://d.test/1", "")])),
    );
    let planet = Planet::with_feeds("", &[server.url("/g.xml"), server.url("/d.xml")]);
    planet.run_at(t0());
    assert_eq!(
        planet.row_at(t0(), &server.url("/g.xml")).name,
        "Gamma Blog"
    );
    assert!(planet.output("index.html").contains(">Gamma Blog<"));
    // `remove "Gamma Blog"` finds the feed by that title: the command's own lookup, tested on
    // the binary in `cli.rs`.
}

#[test]
fn add_subscribes_a_feed_that_moved_at_its_new_address() {
    // `add` wrote the URL it was given; the next `run` then warned that the feed moved
    // permanently and asked the operator to change the very line `add` had just written.
    let server = Server::start();
    server.set(
        "/feed.xml",
        Route::xml(rss("Moved Blog", &[("1", "One", "https://mb.test/1", "")])),
    );
    server.set(
        "/old.xml",
        Route::status(301).with_header("Location", &server.url("/feed.xml")),
    );
    server.set(
        "/for-now.xml",
        Route::status(302).with_header("Location", &server.url("/feed.xml")),
    );
    let planet = Planet::new(&planet_table(""));
    let added = planet.add(&server.url("/old.xml"), None).expect("add");
    assert_eq!(added.url, server.url("/feed.xml"));
    let toml = std::fs::read_to_string(&planet.config).unwrap();
    assert!(
        toml.contains(&format!("url = \"{}\"", server.url("/feed.xml"))),
        "{toml}"
    );
    let warnings = planet.run_at(t0());
    assert!(warnings.is_empty(), "{warnings:?}");
    // A temporary redirect is not a move: the address given stays.
    let planet = Planet::new(&planet_table(""));
    planet.add(&server.url("/for-now.xml"), None).expect("add");
    let toml = std::fs::read_to_string(&planet.config).unwrap();
    assert!(toml.contains("/for-now.xml"), "{toml}");
}

#[test]
fn an_output_turned_off_is_deleted_and_no_longer_linked() {
    let server = Server::start();
    server.set(
        "/f.xml",
        Route::xml(rss(
            "Blog",
            &[(
                "1",
                "One",
                "https://b.test/1",
                "Tue, 03 Mar 2026 10:00:00 GMT",
            )],
        )),
    );
    let feeds = [server.url("/f.xml")];
    let planet = Planet::with_feeds("", &feeds);
    planet.run_at(t0());
    for file in ["rss.xml", "feed.json", "opml.xml"] {
        assert!(planet.out_path(file).exists(), "{file}");
    }
    planet.write_config(&format!(
        "{}{}",
        planet_table("outputs.rss = false\noutputs.opml = false"),
        feeds_toml(&feeds)
    ));
    planet.render_at(at(1));
    assert!(!planet.out_path("rss.xml").exists());
    assert!(!planet.out_path("opml.xml").exists());
    assert!(planet.out_path("feed.json").exists());
    let page = planet.output("index.html");
    assert!(
        !page.contains("rss.xml") && !page.contains("opml.xml"),
        "{page}"
    );
    // A second render has nothing left to delete.
    planet.render_at(at(2));
}
