//! The benchmark (`benches/planet-bench.rs`, issue 6) measures what it claims: five runs of the
//! real binary, the traffic each one caused, the output files each one wrote, and new entries
//! that reach the output. Its runner is compiled in here and run in this process (no nested
//! cargo). No timing is asserted: timings belong to the benchmark, never to a test.

#[path = "../../benches/planet_bench/corpus.rs"]
mod corpus;
// The launcher, which only the benchmark needs for its memory figures, is unused here.
#[allow(dead_code)]
#[path = "../../benches/planet_bench/measure.rs"]
mod measure;
// The options of the benchmark's other modes are parsed here but not read.
#[allow(dead_code)]
#[path = "../../benches/planet_bench/run.rs"]
mod run;
// Only its timing is called here; reading a folder is the benchmark's.
#[allow(dead_code)]
#[path = "../../benches/planet_bench/stages.rs"]
mod stages;

use clap::Parser as _;

/// Per row of the table, in order: the request count, the `200 / 304 / error` cell and the
/// files written.
fn rows(table: &str) -> Vec<(u64, String, u64)> {
    table
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| step"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            assert!(
                !cells[1].contains("exit status"),
                "planet failed in a step: {l}"
            );
            (
                cells[5].parse().expect("a request count"),
                cells[6].to_owned(),
                cells[8].parse().expect("a count of files written"),
            )
        })
        .collect()
}

#[test]
fn bench_runs_five_steps_and_counts_their_traffic_and_files_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keep = dir.path().join("planet");
    let args = run::Args::try_parse_from([
        "planet-bench".as_ref(),
        "--feeds".as_ref(),
        "40".as_ref(),
        "--entries".as_ref(),
        "3".as_ref(),
        "--keep".as_ref(),
        keep.as_os_str(),
        // The feeds' months, so the pages, would otherwise depend on the day the test runs.
        "--anchor".as_ref(),
        "2026-11-20T12:00:00Z".as_ref(),
    ])
    .expect("valid options");
    let table = run::run(&args, &mut measure::Runner::Here).expect("the benchmark runs");
    // Feeds 7 and 37 are broken (500 and 404), and back off after failing, so later runs leave
    // them alone; of the others, every 20th gains an entry. Every output file is new on the
    // first run: the front page, the three feeds, the OPML, the sitemap, the stylesheet and
    // the icon, the archive's index and its three months (September to November), and the
    // subscriptions page with a page per source (53); a run with nothing new
    // and a render after nothing changed rewrite at most the front page, which says when the
    // planet was built (to the second: within the same second it stays); new entries rewrite the front page, the three feeds, the OPML (its
    // `dateModified` is the planet's newest update), the sitemap, the month's newest page, the
    // archive's index, the two sources' pages and the subscriptions page (their counts), not
    // the stylesheet, the icon, nor any other page. A render into an empty output folder
    // writes every file again.
    let mut found = rows(&table);
    for step in [1, 3] {
        assert!(found[step].2 <= 1, "{table}");
        found[step].2 = 1;
    }
    assert_eq!(
        found,
        [
            (40, "38 / 0 / 2".to_owned(), 53),
            (38, "0 / 38 / 0".to_owned(), 1),
            (38, "2 / 36 / 0".to_owned(), 11),
            (0, "0 / 0 / 0".to_owned(), 1),
            (0, "0 / 0 / 0".to_owned(), 53),
        ],
        "{table}"
    );
    // The entries added before the third run are the newest on the published feed.
    let atom = std::fs::read(keep.join("output/atom.xml")).expect("atom.xml");
    let feed = feed_rs::parser::parse(&atom[..]).expect("atom.xml parses");
    let newest: Vec<&str> = feed.entries.iter().take(2).map(|e| e.id.as_str()).collect();
    assert_eq!(
        newest,
        [
            "tag:blog21.example.net,2026:post-3",
            "tag:blog0.example.net,2026:post-3"
        ]
    );
}

#[test]
fn adding_an_entry_keeps_the_generated_ones_identical() {
    let anchor = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    let a = String::from_utf8(corpus::feed(1, 10, 4, 3, 3, anchor)).unwrap();
    let b = String::from_utf8(corpus::feed(1, 10, 4, 4, 3, anchor)).unwrap();
    let first_item = |s: &str| s.find("<item>").or_else(|| s.find("<entry>")).unwrap();
    assert!(b[first_item(&b)..].contains(&a[first_item(&a)..a.len() - 30]));
    assert_ne!(a, b);
}

#[test]
fn generated_feeds_parse() {
    let anchor = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    for i in 0..3 {
        let bytes = corpus::feed(7, 10, i, 20, 20, anchor);
        let parsed =
            planet::parse::parse_feed(bytes.as_slice(), "http://x/", "http://x/", None).unwrap();
        assert_eq!(parsed.entries.len(), 20, "feed {i}");
        for e in &parsed.entries {
            assert!(
                (2000..4700).contains(&e.content.len()),
                "feed {i}: {}",
                e.content.len()
            );
        }
    }
}

#[test]
fn stages_mode_times_every_stage_over_the_readable_documents() {
    let anchor = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    let mut docs: Vec<Vec<u8>> = (0..3)
        .map(|i| corpus::feed(1, 3, i, 2, 2, anchor))
        .collect();
    docs.push(b"<html><body>not a feed</body></html>".to_vec());
    let report = stages::time(docs).expect("stages are timed");
    assert!(
        report.starts_with("3 documents (1 unreadable left out)"),
        "{report}"
    );
    let names: Vec<&str> = report
        .lines()
        .skip(2)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        names,
        ["decode", "cdata", "repair", "fixes", "feed-rs", "detail", "convert", "json", "total"],
        "{report}"
    );
}
