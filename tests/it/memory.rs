//! Memory is bounded whatever a document's shape: the real binary runs over feeds built to be
//! costly (one item repeated up to the size limit, 100,000 tiny items, 100,000 levels of
//! nesting, closed and not, a 5 MB attribute, a JSON Feed of tiny items, nothing but
//! references) beside good feeds, and
//! its peak resident memory must stay under the bound the README states:
//! [`BASE_MB`] + [`PER_PARSE`] × `max_feed_bytes` per parse in flight (one per core).
//!
//! The peak is read from the kernel once the child is reaped (`getrusage(RUSAGE_CHILDREN)`).
//! Linux charges a child with its parent's resident memory when it starts, and this test binary
//! holds the feeds it serves (and whatever the other tests hold), so the child is started by a
//! fresh, small copy of this binary ([`launch_and_measure`]), which reports the figure.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::server::{Route, Server};
use crate::support::{fixture, Planet};

/// What a run costs before any feed: the binary, SQLite, the runtime, the output.
const BASE_MB: u64 = 40;

/// What one parse in flight may hold, in multiples of `max_feed_bytes`: its body, the copy a
/// repair makes, feed-rs's model and the entries made of it, and the allocator's slack.
const PER_PARSE: u64 = 4;

/// The limit the test runs with: room for a 5 MB attribute.
const MAX_FEED_BYTES: usize = 6 << 20;

/// The variable that makes [`launch_and_measure`] run a planet.
const LAUNCH: &str = "PLANET_TEST_MEASURE_CONFIG";

fn rss(items: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>Hostile</title>\
         <link>https://h.test/</link><description>d</description>{items}</channel></rss>\n"
    )
}

/// `unit` repeated to about `size` bytes.
fn fill(unit: &str, size: usize) -> String {
    unit.repeat((size / unit.len()).max(1))
}

/// The hostile documents, each under `size` bytes.
fn hostile(size: usize) -> Vec<(&'static str, String)> {
    let room = size - 1024;
    let item = format!(
        "<item><title>The same entry</title><link>https://h.test/p/1</link><guid>https://h.test/p/1</guid>\
         <pubDate>Fri, 27 Nov 2026 10:00:00 GMT</pubDate><description>{}</description></item>\n",
        "&lt;p&gt;Lorem ipsum dolor sit amet, &lt;a href=\"https://h.test/x\"&gt;consectetur&lt;/a&gt; elit.&lt;/p&gt;"
            .repeat(10)
    );
    let deep = 100_000;
    vec![
        ("repeated", rss(&fill(&item, room))),
        ("tiny", rss(&"<item><title>t</title></item>".repeat(100_000))),
        (
            "nested",
            rss(&format!(
                "<item><title>Nested</title><link>https://h.test/n</link><description>{}{}</description></item>",
                "<d>".repeat(deep),
                "</d>".repeat(deep)
            )),
        ),
        (
            "unclosed",
            rss(&format!(
                "<item><title>Unclosed</title><link>https://h.test/u</link><description>{}</description></item>",
                "<d>".repeat(room / 3)
            )),
        ),
        (
            "attribute",
            rss(&format!(
                "<item><title>Attribute</title><link>https://h.test/a</link>\
                 <enclosure type=\"audio/mpeg\" length=\"1\" url=\"https://h.test/{}\"/><description>d</description></item>",
                "a".repeat(5_000_000)
            )),
        ),
        (
            "json",
            format!(
                "{{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"J\", \"items\": [{}]}}",
                fill("{\"id\": \"1\", \"content_text\": \"x\"},", room - 100).trim_end_matches(',')
            ),
        ),
        (
            "references",
            rss(&format!(
                "<item><title>{}</title><link>https://h.test/r</link><description>{}</description></item>",
                fill("&amp;", room / 4),
                fill("&nbsp;&amp;&#233;&lt;&#x41;&eacute;&bogus;", room * 3 / 4)
            )),
        ),
    ]
}

#[test]
fn hostile_shapes_stay_under_the_memory_bound() {
    let server = Server::start();
    let mut urls = Vec::new();
    for (name, body) in hostile(MAX_FEED_BYTES) {
        assert!(
            body.len() <= MAX_FEED_BYTES,
            "{name} is {} bytes",
            body.len()
        );
        let path = format!("/{name}.xml");
        server.set(&path, Route::xml(body));
        urls.push(server.url(&path));
    }
    let good = ["feedjira09__BinaryCode.xml", "rsrss__rss090.xml"];
    for name in good {
        let path = format!("/good/{name}");
        server.set(&path, Route::xml(fixture(&format!("corpus/{name}"))));
        urls.push(server.url(&path));
    }
    let planet = Planet::with_feeds(
        &format!("max_feed_bytes = {MAX_FEED_BYTES}\nitems_per_page = 200"),
        &urls,
    );
    let (ok, peak_kb) = measured_run(&planet.config);
    let parses = std::thread::available_parallelism().map_or(2, |n| n.get() as u64);
    let bound_kb = (BASE_MB << 10) + PER_PARSE * parses * (MAX_FEED_BYTES as u64 >> 10);
    eprintln!(
        "hostile shapes: peak {} MB, bound {} MB",
        peak_kb >> 10,
        bound_kb >> 10
    );
    assert!(ok, "the run succeeds");
    assert!(
        peak_kb < bound_kb,
        "peak {peak_kb} KB over the bound {bound_kb} KB"
    );
    let atom = planet.output("atom.xml");
    for link in [
        "http://www.postal-code.com/binarycode/2009/01/17/git-ready/",
        "http://www.mozilla.org/status/",
    ] {
        assert!(atom.contains(link), "{link} is published");
    }
}

/// Runs `planet -q run` on `config` from a fresh copy of this test binary; returns whether it
/// succeeded and its peak resident memory in KB.
fn measured_run(config: &Path) -> (bool, u64) {
    let out = Command::new(std::env::current_exe().expect("the test binary"))
        .args([
            "memory::launch_and_measure",
            "--exact",
            "--ignored",
            "--nocapture",
        ])
        .env(LAUNCH, config)
        .stdin(Stdio::null())
        .output()
        .expect("run the launcher");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("measured: "))
        .unwrap_or_else(|| {
            panic!(
                "no measure in {stdout} {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let (ok, kb) = line.split_once(' ').expect("two fields");
    (ok == "ok", kb.parse().expect("a number of KB"))
}

/// Not a test of its own: the small process [`measured_run`] starts, which runs `planet` on the
/// config named by [`LAUNCH`] and prints its peak memory. Does nothing when run by hand.
#[test]
#[ignore = "a helper of hostile_shapes_stay_under_the_memory_bound"]
fn launch_and_measure() {
    let Some(config) = std::env::var_os(LAUNCH) else {
        return;
    };
    let status = Command::new(env!("CARGO_BIN_EXE_planet"))
        .args(["-q", "run", "--config"])
        .arg(config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run planet");
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct, and `getrusage`
    // only writes into the one it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: a live local of the right type.
    let r = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    assert_eq!(r, 0, "getrusage: {}", std::io::Error::last_os_error());
    let ok = if status.success() { "ok" } else { "failed" };
    println!("measured: {ok} {}", usage.ru_maxrss);
}
