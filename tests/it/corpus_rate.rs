//! The real-feed read rate: how many of the shared corpus's feeds planet reads entries from,
//! out of those a liberal reader (Python feedparser) reads, listed in
//! `tests/fixtures/corpus-baseline.txt` by `tests/fixtures/corpus_baseline.py`.
//!
//! The corpus (27 MB) lives outside the repository, so this test is ignored by default; run it
//! with `cargo test --test it corpus_read_rate -- --ignored --nocapture` (set `PLANET_CORPUS`
//! when the corpus is not at `../shared/corpus`). It parses each file's bytes as the fetcher
//! would hand them over (no `Content-Type`), prints the rate and the files planet cannot read,
//! and fails below 97%.

use crate::support::{corpus_root, fixture};

#[test]
#[ignore = "needs the shared corpus outside the repository"]
fn corpus_read_rate() {
    let root = corpus_root();
    let baseline = String::from_utf8(fixture("corpus-baseline.txt")).unwrap();
    let files: Vec<&str> = baseline
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let mut failed = Vec::new();
    for name in &files {
        let bytes = std::fs::read(root.join("feeds").join(name))
            .unwrap_or_else(|e| panic!("corpus file {name}: {e}"));
        let url = format!("http://corpus.test/{name}");
        match planet::parse::parse_feed(bytes.as_slice(), &url, &url, None) {
            Ok(p) if !p.entries.is_empty() => {}
            Ok(_) => failed.push(format!("{name}: no entries")),
            Err(e) => failed.push(format!("{name}: {}", planet::error_chain(&e))),
        }
    }
    let read = files.len() - failed.len();
    let rate = read as f64 * 100.0 / files.len() as f64;
    for f in &failed {
        eprintln!("unread: {f}");
    }
    eprintln!(
        "corpus read rate: {read} of {} feeds feedparser reads ({rate:.1}%)",
        files.len()
    );
    assert!(rate >= 97.0, "read rate {rate:.1}% is below 97%");

    // Every other corpus file (HTML pages, empty and broken documents) must fail cleanly too.
    for file in std::fs::read_dir(root.join("feeds")).expect("corpus folder") {
        let path = file.expect("corpus entry").path();
        let bytes = std::fs::read(&path).expect("corpus file");
        let _ = planet::parse::parse_feed(
            bytes.as_slice(),
            "http://corpus.test/",
            "http://corpus.test/",
            None,
        );
    }
}
