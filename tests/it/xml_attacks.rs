//! XML attacks through the real binary: entity expansion ("billion laughs", quadratic blowup)
//! is never performed and external entities and DTDs are never fetched or read, so a hostile
//! feed costs no more memory or time than its own bytes; nor can HTML built to make the parser
//! quadratic (deep nesting, floods of character references) stall a run.

use std::time::{Duration, Instant};

use crate::server::{Route, Server};
use crate::support::Planet;

/// Runs `planet run` and returns (success, wall time, peak resident memory in KiB as sampled
/// from `/proc`, 0 where there is no `/proc`).
fn run_measured(planet: &Planet) -> (bool, Duration, u64) {
    let start = Instant::now();
    let mut child = planet
        .cmd(&["run"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn planet");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0u64;
    let status = loop {
        // VmHWM is the peak resident set so far: the last reading before exit is the peak.
        if let Ok(s) = std::fs::read_to_string(&status_file) {
            if let Some(kib) = s
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse::<u64>().ok())
            {
                peak_kib = peak_kib.max(kib);
            }
        }
        if let Some(status) = child.try_wait().expect("wait planet") {
            break status;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("planet still running after 60 s: entities are being expanded");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    (status.success(), start.elapsed(), peak_kib)
}

fn laughs_dtd() -> String {
    let mut dtd = String::from("<!ENTITY lol \"lollollollollollollollollollol\">\n");
    for i in 1..=9 {
        let prev = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        let refs = format!("&{prev};").repeat(10);
        dtd.push_str(&format!("<!ENTITY lol{i} \"{refs}\">\n"));
    }
    dtd
}

#[test]
fn entity_expansion_is_never_performed() {
    let server = Server::start();
    // Billion laughs: &lol9; would be 3 GB of text.
    let laughs = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n{}]>\n<rss version=\"2.0\"><channel><title>&lol9;</title>\
         <item><guid>l1</guid><title>Laughs &lol9;</title><link>https://l.test/1</link>\
         <description>&lol9;&lol9;&lol9;</description></item></channel></rss>",
        laughs_dtd()
    );
    // Quadratic blowup: one 100 KB entity referenced 20 000 times would be 2 GB.
    let big = "a".repeat(100_000);
    let quadratic = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE feed [<!ENTITY a \"{big}\">]>\n\
         <feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Q</title><id>urn:q</id>\
         <entry><id>q1</id><title>Quadratic</title><updated>2026-03-03T10:00:00Z</updated>\
         <content type=\"html\">{}</content></entry></feed>",
        "&a;".repeat(20_000)
    );
    server.set("/laughs.xml", Route::xml(laughs));
    server.set("/quadratic.xml", Route::xml(quadratic));
    let planet = Planet::with_feeds(
        "items_per_page = 100",
        &[server.url("/laughs.xml"), server.url("/quadratic.xml")],
    );
    let (ok, took, peak_kib) = run_measured(&planet);
    eprintln!("entity attack run: {took:?}, peak RSS {peak_kib} KiB");
    assert!(ok, "the run succeeds");
    assert!(took < Duration::from_secs(20), "the run took {took:?}");
    if peak_kib > 0 {
        assert!(
            peak_kib < 300 * 1024,
            "peak memory {peak_kib} KiB: entities were expanded"
        );
    }
    for name in ["index.html", "atom.xml"] {
        let len = std::fs::metadata(planet.out_path(name)).unwrap().len();
        assert!(len < 2_000_000, "{name} is {len} bytes");
        let body = planet.output(name);
        assert!(!body.contains("lollollollol"), "{name} expanded &lol;");
        assert!(!body.contains(&"a".repeat(1000)), "{name} expanded &a;");
    }
    // The entries themselves are still published, with the references left unexpanded.
    let titles = planet.atom_titles();
    assert!(titles.contains(&"Quadratic".to_owned()), "{titles:?}");
    assert!(titles.iter().any(|t| t.starts_with("Laughs")), "{titles:?}");
}

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
    planet.run_ok(&["run"]);
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
    let (ok, took, _) = run_measured(&planet);
    eprintln!("slow-HTML run: {took:?}");
    assert!(ok, "the run succeeds");
    assert!(took < Duration::from_secs(20), "the run took {took:?}");
    assert_eq!(
        planet.atom().entries.len(),
        2,
        "both entries are published, cut"
    );
}
