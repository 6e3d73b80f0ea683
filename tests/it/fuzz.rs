//! Any bytes: mutated real feeds (cut short, bytes changed, tags dropped, repeated or swapped,
//! markup and references thrown in) go through the parse stage, which must neither panic nor
//! hang, and a run over a few of them beside good feeds publishes the good ones.
//!
//! The mutations are drawn from a seeded RNG, so every run sees the same mutants, and a failing
//! one is named by its seed and saved to `target/test-artifacts/fuzz/` to be read again. A
//! small run over `tests/fixtures/corpus/` is part of `cargo test`; the long one goes over the
//! team's corpus, which lives outside the repository:
//! `cargo test --test it mutated_corpus -- --ignored --nocapture` (with `PLANET_CORPUS` when the
//! corpus is not at `../shared/corpus`; `PLANET_FUZZ_MUTANTS` mutants per feed, default 10).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Once};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::server::{Route, Server};
use crate::support::{corpus_root, fixture, Planet, FIXTURES};

/// A document that takes longer than this to parse is taken to hang: no document of these
/// sizes comes near it, even unoptimized.
const HANG: Duration = Duration::from_secs(5);

/// Markup and references a mutation may throw in: the pieces parsers trip on.
const PIECES: &[&str] = &[
    "<",
    ">",
    "&",
    "&amp;",
    "&nbsp;",
    "&#0;",
    "&#x110000;",
    "&#146;",
    "&unknown;",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<?xml version=\"1.0\"?>",
    "<!DOCTYPE x [<!ENTITY a \"b\">]>",
    "</",
    "<item>",
    "</item>",
    "<entry>",
    "</entry>",
    "<channel>",
    "</channel>",
    "<title>",
    "</title>",
    "<link href=\"",
    "xmlns:x=\"urn:x\"",
    "xml:base=\"../\"",
    "\"",
    "'",
    "\u{0}",
    "\u{feff}",
    "\u{fffe}",
    "\u{1f600}",
    "\r",
    "é",
];

/// One mutation of `doc`, drawn from `rng`.
fn mutate_once(doc: &mut Vec<u8>, rng: &mut StdRng) {
    let len = doc.len().max(1);
    let at = rng.gen_range(0..len).min(doc.len());
    match rng.gen_range(0..7) {
        // Cut short.
        0 => doc.truncate(at),
        // Bytes changed, any value.
        1 => {
            for _ in 0..rng.gen_range(1..16) {
                let i = rng.gen_range(0..len).min(doc.len().saturating_sub(1));
                if let Some(b) = doc.get_mut(i) {
                    *b = rng.gen();
                }
            }
        }
        // A tag dropped.
        2 => {
            if let Some((start, end)) = tag_at(doc, at) {
                doc.drain(start..end);
            }
        }
        // A tag, or a stretch from one tag to another, repeated.
        3 => {
            if let Some((start, mut end)) = tag_at(doc, at) {
                if rng.gen_bool(0.5) {
                    end = tag_at(doc, end + rng.gen_range(0..4096)).map_or(end, |(_, e)| e);
                }
                let piece = doc[start..end].to_vec();
                let times = rng.gen_range(1..if piece.len() < 256 { 200 } else { 4 });
                let repeated: Vec<u8> = piece.repeat(times);
                doc.splice(end..end, repeated);
            }
        }
        // A piece of markup thrown in.
        4 => {
            let piece = PIECES[rng.gen_range(0..PIECES.len())].as_bytes();
            let times = if rng.gen_bool(0.1) {
                rng.gen_range(1..2000)
            } else {
                1
            };
            doc.splice(at..at, piece.repeat(times));
        }
        // Two stretches swapped.
        5 => {
            let other = rng.gen_range(0..len).min(doc.len());
            let (a, b) = (at.min(other), at.max(other));
            let n = rng.gen_range(0..=(b - a).min(512));
            if b + n <= doc.len() {
                let first = doc[a..a + n].to_vec();
                let second = doc[b..b + n].to_vec();
                doc[a..a + n].copy_from_slice(&second);
                doc[b..b + n].copy_from_slice(&first);
            }
        }
        // A stretch deleted.
        _ => {
            let n = rng.gen_range(0..=(doc.len() - at).min(2048));
            doc.drain(at..at + n);
        }
    }
}

/// The tag at or after `at`: the span from a `<` to the next `>`.
fn tag_at(doc: &[u8], at: usize) -> Option<(usize, usize)> {
    let start = at + doc.get(at..)?.iter().position(|&b| b == b'<')?;
    let end = start + doc[start..].iter().position(|&b| b == b'>')? + 1;
    Some((start, end))
}

/// Mutant number `n` of `doc`: one to four mutations, from a seed of its own.
fn mutant(doc: &[u8], seed: u64) -> Vec<u8> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = doc.to_vec();
    for _ in 0..rng.gen_range(1..=4) {
        mutate_once(&mut out, &mut rng);
    }
    out
}

/// The name of the threads [`parse_watched`] parses on.
const PARSE_THREAD: &str = "fuzz-parse";

/// Panics on parse threads, counted by a panic hook: the parse catches feed-rs's own, which
/// then fail their feed as if it were unreadable, so they are counted where they happen.
static PANICS: AtomicUsize = AtomicUsize::new(0);

fn count_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() == Some(PARSE_THREAD) {
                PANICS.fetch_add(1, Ordering::SeqCst);
            }
            report(info);
        }));
    });
}

/// Parses `doc` on a thread of its own: `Err` with what went wrong when anything panics on
/// the way (even a panic the parse catches) or it takes longer than [`HANG`] (the thread is
/// then left behind: it cannot be stopped).
fn parse_watched(doc: Vec<u8>) -> Result<Duration, String> {
    count_panics();
    let (tx, rx) = mpsc::channel();
    let started = Instant::now();
    std::thread::Builder::new()
        .name(PARSE_THREAD.into())
        .spawn(move || {
            let before = PANICS.load(Ordering::SeqCst);
            let url = "http://fuzz.test/feed";
            let _ = planet::parse::parse_feed(doc, url, url, None);
            let _ = tx.send(PANICS.load(Ordering::SeqCst) > before);
        })
        .expect("spawn a parse");
    match rx.recv_timeout(HANG) {
        Ok(false) => Ok(started.elapsed()),
        Ok(true) => Err("panicked inside the parse, which caught it".to_owned()),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!("no answer after {HANG:?}")),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err("panicked".to_owned()),
    }
}

/// What a run over many mutants found.
#[derive(Default)]
struct Findings {
    mutants: usize,
    bytes: usize,
    slowest: (Duration, String),
    failures: Vec<String>,
}

/// Parses `per_doc` mutants of every document, seeded from its name and number, and keeps
/// each failing mutant in `target/test-artifacts/fuzz/`.
fn fuzz(docs: &[(String, Vec<u8>)], per_doc: u64) -> Findings {
    let keep = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts/fuzz");
    let mut found = Findings::default();
    for (name, doc) in docs {
        let base = name
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
        for n in 0..per_doc {
            let seed = base.wrapping_add(n);
            let m = mutant(doc, seed);
            found.mutants += 1;
            found.bytes += m.len();
            match parse_watched(m.clone()) {
                Ok(took) if took > found.slowest.0 => {
                    found.slowest = (took, format!("{name} #{n}"))
                }
                Ok(_) => {}
                Err(why) => {
                    let _ = std::fs::create_dir_all(&keep);
                    let path = keep.join(format!("{name}.{seed}"));
                    let _ = std::fs::write(&path, &m);
                    found.failures.push(format!(
                        "{name} mutant {n} (seed {seed}, saved to {}): {why}",
                        path.display()
                    ));
                }
            }
        }
    }
    found
}

fn read_folder(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut docs: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("folder entry").path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).expect("read a feed"))
        })
        .collect();
    docs.sort();
    docs
}

fn report(found: &Findings) {
    eprintln!(
        "{} mutants ({:.1} MB), slowest {:?} ({}), {} failed",
        found.mutants,
        found.bytes as f64 / 1e6,
        found.slowest.0,
        found.slowest.1,
        found.failures.len()
    );
    assert!(found.failures.is_empty(), "{}", found.failures.join("\n"));
}

#[test]
fn mutated_fixture_feeds_neither_panic_nor_hang() {
    let docs = read_folder(&Path::new(FIXTURES).join("corpus"));
    assert!(docs.len() >= 10, "the fixture feeds are there");
    report(&fuzz(&docs, 25));
}

#[test]
#[ignore = "needs the shared corpus outside the repository; minutes"]
fn mutated_corpus_feeds_neither_panic_nor_hang() {
    let root = corpus_root();
    // The corpus folder, or its `feeds/` folder.
    let dir = if root.join("feeds").is_dir() {
        root.join("feeds")
    } else {
        root
    };
    let per_doc = std::env::var("PLANET_FUZZ_MUTANTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10);
    report(&fuzz(&read_folder(&dir), per_doc));
}

#[test]
fn a_run_over_mutants_publishes_the_good_feeds_beside_them() {
    let server = Server::start();
    let good = ["feedjira09__BinaryCode.xml", "rsrss__rss090.xml"];
    let mut urls = Vec::new();
    let docs = read_folder(&Path::new(FIXTURES).join("corpus"));
    let others = docs
        .iter()
        .filter(|(name, _)| !good.contains(&name.as_str()));
    for (i, (_, doc)) in others.enumerate() {
        let path = format!("/mutant-{i}");
        server.set(&path, Route::xml(mutant(doc, i as u64 + 7)));
        urls.push(server.url(&path));
    }
    for name in good {
        let path = format!("/good/{name}");
        server.set(&path, Route::xml(fixture(&format!("corpus/{name}"))));
        urls.push(server.url(&path));
    }
    let planet = Planet::with_feeds("items_per_page = 1000", &urls);
    planet.run_at(crate::support::t0());
    let atom = planet.output("atom.xml");
    // One entry of each good feed, by its link.
    for link in [
        "http://www.postal-code.com/binarycode/2009/01/17/git-ready/",
        "http://www.mozilla.org/status/",
    ] {
        assert!(atom.contains(link), "{link} is published");
    }
}
