//! WebSub, the publisher's side: every feed names the hubs of `[planet] hubs`, and a run in
//! which a feed changed tells every hub of it, once per changed feed; a hub that fails is a
//! warning, never a failed run. The hubs are routes of the test's own server on 127.0.0.1.

use std::time::Duration;

use crate::server::{Route, Seen, Server};
use crate::support::{at, rss, t0, Planet};

fn feed(items: &[(&str, &str)]) -> String {
    let links: Vec<String> = items
        .iter()
        .map(|(guid, _)| format!("https://a.test/{guid}"))
        .collect();
    let items: Vec<(&str, &str, &str, &str)> = items
        .iter()
        .zip(&links)
        .map(|((guid, title), link)| {
            (
                *guid,
                *title,
                link.as_str(),
                "Thu, 26 Nov 2026 10:00:00 GMT",
            )
        })
        .collect();
    rss("Alpha", &items)
}

/// The pings the server received: (hub path, form pairs).
fn pings(server: &Server) -> Vec<(String, Vec<(String, String)>)> {
    server
        .requests()
        .into_iter()
        .filter(|r: &Seen| r.method == "POST")
        .map(|r| {
            assert_eq!(
                r.headers.get("content-type").map(String::as_str),
                Some("application/x-www-form-urlencoded"),
                "a ping is a form"
            );
            let form = url::form_urlencoded::parse(&r.body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            (r.path, form)
        })
        .collect()
}

fn planet_with_hubs(server: &Server, hubs: &[&str], extra: &str) -> Planet {
    let hubs: Vec<String> = hubs.iter().map(|h| format!("\"{h}\"")).collect();
    Planet::with_feeds(
        &format!("hubs = [{}]\n{extra}", hubs.join(", ")),
        &[server.url("/a.xml")],
    )
}

#[test]
fn every_feed_names_the_hubs() {
    let server = Server::start();
    server.set("/a.xml", Route::xml(feed(&[("a1", "One")])));
    server.set("/hub", Route::status(204));
    server.set("/other-hub", Route::status(204));
    let (hub, other) = (server.url("/hub"), server.url("/other-hub"));
    let planet = planet_with_hubs(&server, &[&hub, &other], "");
    planet.run_at(t0());

    let atom = planet.atom();
    let hubs: Vec<&str> = atom
        .links
        .iter()
        .filter(|l| l.rel.as_deref() == Some("hub"))
        .map(|l| l.href.as_str())
        .collect();
    assert_eq!(hubs, [hub.as_str(), other.as_str()]);

    let rss = planet.output("rss.xml");
    let doc = roxmltree::Document::parse(&rss).expect("rss.xml is XML");
    let atom_ns = "http://www.w3.org/2005/Atom";
    let hubs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "link" && n.tag_name().namespace() == Some(atom_ns))
        .filter(|n| n.attribute("rel") == Some("hub"))
        .filter_map(|n| n.attribute("href"))
        .collect();
    assert_eq!(hubs, [hub.as_str(), other.as_str()]);

    let json: serde_json::Value =
        serde_json::from_str(&planet.output("feed.json")).expect("feed.json is JSON");
    assert_eq!(
        json["hubs"],
        serde_json::json!([
            {"type": "WebSub", "url": hub},
            {"type": "WebSub", "url": other},
        ])
    );
}

#[test]
fn without_hubs_no_feed_names_one_and_nothing_is_posted() {
    let server = Server::start();
    server.set("/a.xml", Route::xml(feed(&[("a1", "One")])));
    let planet = Planet::with_feeds("", &[server.url("/a.xml")]);
    planet.run_at(t0());
    assert!(!planet.output("atom.xml").contains("rel=\"hub\""));
    assert!(!planet.output("rss.xml").contains("rel=\"hub\""));
    assert!(!planet.output("feed.json").contains("\"hubs\""));
    assert!(pings(&server).is_empty());
}

#[test]
fn a_run_tells_every_hub_of_each_changed_feed_and_an_unchanged_run_of_none() {
    let server = Server::start();
    server.set("/a.xml", Route::xml(feed(&[("a1", "One")])));
    server.set("/hub1", Route::status(204));
    server.set("/hub2", Route::status(202));
    let planet = planet_with_hubs(&server, &[&server.url("/hub1"), &server.url("/hub2")], "");
    let warnings = planet.run_at(t0());
    assert!(warnings.is_empty(), "{warnings:?}");

    let mut seen = pings(&server);
    seen.sort();
    let ping = |hub: &str, feed: &str| {
        (
            hub.to_owned(),
            vec![
                ("hub.mode".to_owned(), "publish".to_owned()),
                ("hub.url".to_owned(), format!("https://planet.test/{feed}")),
            ],
        )
    };
    let mut want = Vec::new();
    for hub in ["/hub1", "/hub2"] {
        for feed in ["atom.xml", "feed.json", "rss.xml"] {
            want.push(ping(hub, feed));
        }
    }
    want.sort();
    assert_eq!(seen, want, "each hub, once per feed the first run wrote");

    // Nothing changed: no feed's bytes changed, no hub is told anything.
    let before = pings(&server).len();
    planet.run_at(at(60));
    assert_eq!(
        pings(&server).len(),
        before,
        "an unchanged run pings nothing"
    );

    // A new entry changes every feed again.
    server.set("/a.xml", Route::xml(feed(&[("a1", "One"), ("a2", "Two")])));
    planet.run_at(at(120));
    assert_eq!(pings(&server).len(), before + 6);

    // `render` changes the feeds (a new description) but never touches the network.
    let text = std::fs::read_to_string(&planet.config).unwrap();
    planet.write_config(&text.replace("[planet]\n", "[planet]\ndescription = \"New\"\n"));
    let atom = planet.output("atom.xml");
    planet.render_at(at(180));
    assert_ne!(planet.output("atom.xml"), atom, "the feed changed");
    assert_eq!(pings(&server).len(), before + 6, "render pings no hub");
}

#[test]
fn a_failing_hub_is_one_warning_and_the_run_succeeds() {
    let server = Server::start();
    server.set("/a.xml", Route::xml(feed(&[("a1", "One")])));
    server.set("/good", Route::status(204));
    server.set("/broken", Route::status(500));
    // A port nothing listens on: the connection is refused.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/hub", listener.local_addr().unwrap())
    };
    let planet = planet_with_hubs(
        &server,
        &[&server.url("/broken"), &closed, &server.url("/good")],
        "",
    );
    let warnings = planet.run_at(t0());
    assert_eq!(warnings.len(), 2, "one line per failing hub: {warnings:#?}");
    assert_eq!(
        warnings[0],
        format!(
            "WebSub hub `{}` was not told of 3 changed feeds: HTTP 500 Internal Server Error",
            server.url("/broken")
        )
    );
    assert!(
        warnings[1].starts_with(&format!(
            "WebSub hub `{closed}` was not told of 3 changed feeds: "
        )),
        "{warnings:#?}"
    );
    assert_eq!(planet.atom_titles(), ["One"], "the feeds are published");
    let good = pings(&server)
        .iter()
        .filter(|(hub, _)| hub == "/good")
        .count();
    assert_eq!(good, 3, "the other hubs are told all the same");
}

#[test]
fn a_hub_that_does_not_answer_in_time_is_a_warning() {
    let server = Server::start();
    server.set("/a.xml", Route::xml(feed(&[("a1", "One")])));
    server.set(
        "/slow",
        Route::status(204).with_delay(Duration::from_secs(30)),
    );
    let planet = planet_with_hubs(&server, &[&server.url("/slow")], "timeout_secs = 1\n");
    let warnings = planet.run_at(t0());
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(
        warnings[0].starts_with(&format!(
            "WebSub hub `{}` was not told of 3 changed feeds: ",
            server.url("/slow")
        )),
        "{warnings:#?}"
    );
    assert_eq!(planet.atom_titles(), ["One"]);
}
