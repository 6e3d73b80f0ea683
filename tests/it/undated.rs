//! Feeds without dates: their entries take the time the planet first saw them, never stand
//! above the dated entries of the same run, and a first sight shows only `new_feed_items` of
//! them, on a planet's very first run too.

use serde_json::Value;

use crate::server::{Route, Server};
use crate::support::{at, rss, t0, Planet};

/// An RSS feed whose items carry no date, newest first.
fn undated(titles: &[&str]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Undated</title>\
         <link>https://u.test/</link><description>d</description>",
    );
    for t in titles {
        s.push_str(&format!(
            "<item><title>{t}</title><link>https://u.test/{t}</link><description>{t}</description></item>"
        ));
    }
    s.push_str("</channel></rss>");
    s
}

/// (title, date_modified) of `feed.json`, in order.
fn items(planet: &Planet) -> Vec<(String, String)> {
    let json: Value = serde_json::from_str(&planet.output("feed.json")).expect("feed.json");
    json["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["title"].as_str().unwrap_or_default().to_owned(),
                i["date_modified"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn titles(planet: &Planet) -> Vec<String> {
    items(planet).into_iter().map(|(t, _)| t).collect()
}

#[test]
fn undated_entries_come_after_the_dated_ones_of_their_run_and_few_at_first() {
    let server = Server::start();
    let dated_items = [
        (
            "d1",
            "Dated one",
            "https://d.test/1",
            "Thu, 26 Nov 2026 10:00:00 GMT",
        ),
        (
            "d2",
            "Dated two",
            "https://d.test/2",
            "Tue, 03 Mar 2015 10:00:00 GMT",
        ),
    ];
    server.set("/dated.xml", Route::xml(rss("Dated", &dated_items)));
    server.set(
        "/undated.xml",
        Route::xml(undated(&["u1", "u2", "u3", "u4", "u5"])),
    );
    let planet = Planet::with_feeds(
        "new_feed_items = 3",
        &[server.url("/dated.xml"), server.url("/undated.xml")],
    );

    // A new planet: the undated feed's first three, in its order, below every dated entry
    // (an old one included), each dated when first seen.
    planet.run_at(t0());
    assert_eq!(
        titles(&planet),
        ["Dated one", "Dated two", "u1", "u2", "u3"],
        "{:?}",
        items(&planet)
    );
    let first_seen = "2026-11-27T12:00:00Z";
    for (title, modified) in &items(&planet)[2..] {
        assert_eq!(modified, first_seen, "{title} takes its first-seen time");
    }

    // Later, a new undated entry with no dated one beside it is the newest.
    server.set(
        "/undated.xml",
        Route::xml(undated(&["u0", "u1", "u2", "u3", "u4", "u5"])),
    );
    planet.run_at(at(60));
    assert_eq!(titles(&planet)[0], "u0");

    // With a dated entry in the same run, the new undated one comes after it.
    let mut newer = vec![(
        "d0",
        "Dated zero",
        "https://d.test/0",
        "Fri, 27 Nov 2026 13:30:00 GMT",
    )];
    newer.extend(dated_items);
    server.set("/dated.xml", Route::xml(rss("Dated", &newer)));
    server.set(
        "/undated.xml",
        Route::xml(undated(&["un", "u0", "u1", "u2", "u3", "u4", "u5"])),
    );
    planet.run_at(at(120));
    assert_eq!(titles(&planet)[..3], ["Dated zero", "un", "u0"]);
    let shown = titles(&planet);
    assert!(
        !shown.contains(&"u4".to_owned()),
        "back-catalogue stays off: {shown:?}"
    );
}
