//! XML attacks: external entities and DTDs are never fetched or read, so a hostile feed costs
//! no more than its own bytes; nor can HTML built to make the parser quadratic (deep nesting,
//! floods of character references) stall a run. That entity expansion ("billion laughs",
//! quadratic blowup) is never performed is measured on the binary's memory, in `cli.rs`.

use std::time::{Duration, Instant};

use crate::server::{Route, Server};
use crate::support::{t0, Planet};

#[test]
fn external_entities_and_dtds_are_never_fetched() {
    let server = Server::start();
    let secret = server.url("/secret");
    let dtd = server.url("/evil.dtd");
    server.set("/secret", Route::ok("text/plain", "TOP-SECRET-MARKER"));
    server.set(
        "/evil.dtd",
        Route::ok(
            "application/xml-dtd",
            format!("<!ENTITY stolen SYSTEM \"{secret}\">"),
        ),
    );
    let feed = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE rss SYSTEM \"{dtd}\" [\n\
         <!ENTITY xxe SYSTEM \"{secret}\">\n<!ENTITY passwd SYSTEM \"file:///etc/passwd\">\n\
         <!ENTITY % remote SYSTEM \"{dtd}\">\n%remote;\n]>\n\
         <rss version=\"2.0\"><channel><title>X &xxe;</title>\
         <item><guid>x1</guid><title>Entry &xxe; &passwd; &stolen;</title><link>https://x.test/1</link>\
         <description>&xxe; &passwd; &stolen;</description></item></channel></rss>"
    );
    server.set("/xxe.xml", Route::xml(feed));
    let planet = Planet::with_feeds("", &[server.url("/xxe.xml")]);
    planet.run_at(t0());
    let fetched: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(fetched, ["/xxe.xml"], "only the feed itself is fetched");
    for name in ["index.html", "atom.xml"] {
        let body = planet.output(name);
        assert!(!body.contains("TOP-SECRET-MARKER"), "{name}");
        assert!(!body.contains("root:"), "{name} has /etc/passwd");
    }
    assert_eq!(
        planet.atom().entries.len(),
        1,
        "the entry is still published"
    );
}

#[test]
fn html_built_to_be_slow_does_not_stall_a_run() {
    let server = Server::start();
    let deep = "<div>".repeat(60_000);
    let refs = "&amp;lt;".repeat(120_000);
    let feed = format!(
        "<rss version=\"2.0\"><channel><title>Slow</title>\
         <item><guid>d</guid><title>Deep</title><link>https://s.test/d</link><description><![CDATA[{deep}]]></description></item>\
         <item><guid>r</guid><title>{}</title><link>https://s.test/r</link><description>{refs}</description></item>\
         </channel></rss>",
        "&amp;amp;".repeat(50_000)
    );
    server.set("/slow.xml", Route::xml(feed));
    let planet = Planet::with_feeds("", &[server.url("/slow.xml")]);
    let start = Instant::now();
    planet.run_at(t0());
    let took = start.elapsed();
    eprintln!("slow-HTML run: {took:?}");
    assert!(took < Duration::from_secs(20), "the run took {took:?}");
    assert_eq!(
        planet.atom().entries.len(),
        2,
        "both entries are published, cut"
    );
}
