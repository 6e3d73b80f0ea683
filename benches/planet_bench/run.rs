//! The benchmark proper: N generated feeds served on 127.0.0.1, a `planet.toml` listing them in
//! a folder of its own, and five runs of the real `planet` binary, each measured: a first run on
//! an empty cache, a second run with nothing changed (every feed answers 304), a run after 5% of
//! the feeds gained an entry, `planet render` alone, and `planet render` into an empty output
//! folder (every page written). Returns the table it prints; asserts
//! nothing (timings belong here, never in tests, which run this with few feeds and check the
//! traffic and the files written).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context as _;
use chrono::{DateTime, DurationRound as _, Utc};
use clap::Parser;

use super::corpus;
use super::measure::{Runner, Usage};
use crate::server::{Options, Route, Server, Traffic};

/// Benchmarks the `planet` binary against generated feeds served on 127.0.0.1.
#[derive(Debug, Parser)]
#[command(
    name = "planet-bench",
    bin_name = "cargo bench --bench planet-bench --"
)]
pub struct Args {
    /// How many feeds.
    #[arg(long, default_value_t = 1000)]
    pub feeds: usize,
    /// Entries per feed.
    #[arg(long, default_value_t = 20)]
    pub entries: usize,
    /// Milliseconds the server waits before every answer.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// `concurrency` in the generated planet.toml (planet's default when unset).
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// Repeat the five runs this many times (fresh cache each time) and report the median.
    #[arg(long, default_value_t = 1)]
    pub repeat: usize,
    /// Seed of the generated feeds.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// The time the feeds' dates lead up to, in RFC 3339 (default: an hour before now). A
    /// fixed one gives the same months, so the same pages, on any day.
    #[arg(long)]
    pub anchor: Option<DateTime<Utc>>,
    /// The planet binary (default: the one cargo built with this benchmark).
    #[arg(long, default_value = env!("CARGO_BIN_EXE_planet"))]
    pub planet: PathBuf,
    /// Keep the planet folder (config, cache, output) here instead of a temporary one.
    #[arg(long)]
    pub keep: Option<PathBuf>,
    /// Write `planet.toml` into the `--keep` folder and serve the feeds until killed, measuring
    /// nothing: for profiling `planet` by hand (`perf record target/release/planet run`).
    #[arg(long, requires = "keep")]
    pub serve: bool,
    /// Time each parsing stage of the library over the documents of DIR (every file in it), or
    /// over the generated feeds when no DIR is given; runs no `planet`.
    #[arg(long, value_name = "DIR", num_args = 0..=1)]
    pub stages: Option<Option<PathBuf>>,
    /// Internal: act as the launcher (see `measure.rs`).
    #[arg(long, hide = true)]
    pub launcher: bool,
    /// Ignored: `cargo bench` passes it to every benchmark.
    #[arg(long, hide = true)]
    pub bench: bool,
}

/// One measured step.
#[derive(Debug, Clone, Copy, Default)]
struct Measure {
    usage: Usage,
    traffic: Traffic,
    /// Files of `output_dir` that are new or whose mtime changed.
    written: usize,
}

const STEPS: [&str; 5] = [
    "first run (empty cache)",
    "second run (unchanged, 304)",
    "run after 5% of feeds gained an entry",
    "`planet render` alone",
    "`planet render`, empty output",
];

/// `--anchor`, else the hour before now, to the minute: the feeds' dates lead up to it and
/// the new entries of step 3 come after it.
pub fn anchor(args: &Args) -> anyhow::Result<DateTime<Utc>> {
    if let Some(anchor) = args.anchor {
        return Ok(anchor);
    }
    Ok(Utc::now()
        .duration_trunc(chrono::Duration::minutes(1))
        .context("cannot read the clock")?
        - chrono::Duration::hours(1))
}

/// Runs the benchmark and returns its table (Markdown), or serves forever with `--serve`.
pub fn run(args: &Args, runner: &mut Runner) -> anyhow::Result<String> {
    let anchor = anchor(args)?;
    let started = Instant::now();
    let all: Vec<usize> = (0..args.feeds).collect();
    let (routes, raw) = generate(args, anchor, &all, 0);
    let gz: u64 = routes
        .iter()
        .filter(|r| r.gzipped)
        .map(|r| r.body.len() as u64)
        .sum();
    let server = Server::start_with(Options {
        keep_alive: true,
        latency: Duration::from_millis(args.latency_ms),
    })
    .context("cannot start the feed server")?;
    set(&server, &all, routes);
    eprintln!(
        "planet-bench: {} feeds x {} entries, {:.1} MB of XML ({:.1} MB gzipped), generated in {:.1} s; serving on {}",
        args.feeds,
        args.entries,
        raw as f64 / 1e6,
        gz as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        server.base
    );

    if let (true, Some(dir)) = (args.serve, &args.keep) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create `{}`", dir.display()))?;
        write_config(dir, args, &server)?;
        eprintln!(
            "planet-bench: serving for `{}`; stop with Ctrl-C",
            dir.join("planet.toml").display()
        );
        loop {
            std::thread::park();
        }
    }
    let changed: Vec<usize> = (0..args.feeds)
        .filter(|i| corpus::broken(*i).is_none())
        .step_by(20)
        .collect();
    let mut rounds: Vec<[Measure; 5]> = Vec::new();
    // Each round's folder is deleted once every round is measured: a file system slows down
    // creating files where thousands were just deleted, and the next round would pay for it.
    let mut done: Vec<tempfile::TempDir> = Vec::new();
    for round in 0..args.repeat.max(1) {
        let dir: PathBuf = match &args.keep {
            Some(d) => {
                let _ = std::fs::remove_dir_all(d);
                std::fs::create_dir_all(d)
                    .with_context(|| format!("cannot create `{}`", d.display()))?;
                d.clone()
            }
            None => {
                let temp = tempfile::tempdir().context("cannot create a temporary folder")?;
                let path = temp.path().to_owned();
                done.push(temp);
                path
            }
        };
        let dir = dir.as_path();
        write_config(dir, args, &server)?;
        // Back to the starting corpus, in case an earlier round added entries.
        if round > 0 {
            let (base, _) = generate(args, anchor, &changed, 0);
            set(&server, &changed, base);
        }
        server.take_traffic();
        let mut step = |command: &str| measure(runner, &args.planet, dir, command, &server);
        let first = step("run")?;
        let second = step("run")?;
        let (grown, _) = generate(args, anchor, &changed, 1);
        set(&server, &changed, grown);
        let (grown, render) = (step("run")?, step("render")?);
        // Every page again, into a folder never written: the old one is moved aside, not
        // deleted (a file system slows down creating files where thousands were just deleted).
        let aside = dir.join("output.old");
        std::fs::rename(dir.join("output"), &aside).context("cannot move the output aside")?;
        let _ = std::fs::remove_file(dir.join("cache/published.json"));
        let empty = step("render")?;
        // The table keeps the median round: each round's first run, to show the spread.
        eprintln!(
            "planet-bench: round {}: first run {:.3} s wall, {:.3} s CPU ({:.3} s system)",
            round + 1,
            first.usage.wall.as_secs_f64(),
            first.usage.cpu.as_secs_f64(),
            first.usage.sys.as_secs_f64()
        );
        rounds.push([first, second, grown, render, empty]);
    }
    drop(done);
    table(args, raw, gz, changed.len(), &rounds)
}

/// The report: a line saying what was measured, then one row per step (the median round's,
/// by wall time).
fn table(
    args: &Args,
    raw: u64,
    gz: u64,
    changed: usize,
    rounds: &[[Measure; 5]],
) -> anyhow::Result<String> {
    let mut out = String::new();
    writeln!(
        out,
        "{} feeds x {} entries ({:.0} MB XML, {:.0} MB gzipped), latency {} ms, concurrency {}, {changed} changed in step 3{}\n",
        args.feeds,
        args.entries,
        raw as f64 / 1e6,
        gz as f64 / 1e6,
        args.latency_ms,
        args.concurrency.map_or("default (16)".to_owned(), |c| c.to_string()),
        if rounds.len() > 1 { format!(", median of {} rounds", rounds.len()) } else { String::new() }
    )?;
    writeln!(
        out,
        "| step | wall | CPU | peak RSS | requests | 200 / 304 / error | bytes | files written |"
    )?;
    writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|")?;
    for (k, step) in STEPS.iter().enumerate() {
        let mut col: Vec<Measure> = rounds.iter().map(|r| r[k]).collect();
        col.sort_by_key(|m| m.usage.wall);
        let Some(m) = col.get(col.len() / 2) else {
            continue;
        };
        let (u, t) = (m.usage, m.traffic);
        writeln!(
            out,
            "| {step}{} | {:.3} s | {:.3} s | {:.1} MB | {} | {} / {} / {} | {:.1} MB | {} |",
            if u.ok { "" } else { " (exit status not 0)" },
            u.wall.as_secs_f64(),
            u.cpu.as_secs_f64(),
            u.max_rss_kb as f64 / 1024.0,
            t.requests,
            t.ok,
            t.not_modified,
            t.errors,
            t.bytes as f64 / 1e6,
            m.written,
        )?;
    }
    Ok(out)
}

/// The routes of the listed feeds, each with `extra` entries beyond the base count, generated
/// on every core; also their size before compression.
fn generate(
    args: &Args,
    anchor: DateTime<Utc>,
    which: &[usize],
    extra: usize,
) -> (Vec<Route>, u64) {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = which.len().div_ceil(threads).max(1);
    let parts: Vec<(Vec<Route>, u64)> = std::thread::scope(|s| {
        let handles: Vec<_> = which
            .chunks(chunk)
            .map(|ids| {
                s.spawn(move || {
                    let mut raw = 0;
                    let v = ids
                        .iter()
                        .map(|&i| {
                            let (r, n) = route(args, anchor, i, extra);
                            raw += n;
                            r
                        })
                        .collect();
                    (v, raw)
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let raw = parts.iter().map(|p| p.1).sum();
    (parts.into_iter().flat_map(|p| p.0).collect(), raw)
}

/// What feed `i` answers, and its size before compression.
fn route(args: &Args, anchor: DateTime<Utc>, i: usize, extra: usize) -> (Route, u64) {
    match corpus::broken(i) {
        Some(corpus::Broken::ServerError) => return (Route::status(500), 0),
        Some(corpus::Broken::NotFound) => return (Route::status(404), 0),
        _ => {}
    }
    let xml = feed_document(args, anchor, i, extra);
    let etag = format!("\"{i}-{extra}\"");
    let modified = anchor + chrono::Duration::minutes(extra as i64 * 10);
    let last_modified = modified.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let route = Route::gzipped_xml(&xml)
        .with_etag(&etag)
        .with_last_modified(&last_modified)
        // A lean 304, as feed servers send it: the validators alone.
        .with_304_headers(&[("ETag", &etag), ("Last-Modified", &last_modified)]);
    (route, xml.len() as u64)
}

/// The document of feed `i` with `extra` entries beyond the base count.
pub fn feed_document(args: &Args, anchor: DateTime<Utc>, i: usize, extra: usize) -> Vec<u8> {
    corpus::feed(
        args.seed,
        args.feeds,
        i,
        args.entries + extra,
        args.entries,
        anchor,
    )
}

fn feed_path(i: usize) -> String {
    format!("/feed/{i}.xml")
}

fn set(server: &Server, which: &[usize], routes: Vec<Route>) {
    for (&i, r) in which.iter().zip(routes) {
        server.set(&feed_path(i), r);
    }
}

fn write_config(dir: &Path, args: &Args, server: &Server) -> anyhow::Result<()> {
    let mut toml = String::from(
        "[planet]\nname = \"Bench Planet\"\nlink = \"https://planet.example.org/\"\nowner_name = \"Bench\"\n",
    );
    if let Some(c) = args.concurrency {
        toml.push_str(&format!("concurrency = {c}\n"));
    }
    // The feeds stand for as many blogs on as many hosts, but are all served from one test
    // host: planet's per-host limit (2 by default) would otherwise serialise the whole run.
    toml.push_str(&format!(
        "per_host_concurrency = {}\n",
        args.concurrency.unwrap_or(16)
    ));
    for i in 0..args.feeds {
        toml.push_str(&format!(
            "\n[[feeds]]\nurl = \"{}\"\n",
            server.url(&feed_path(i))
        ));
    }
    let path = dir.join("planet.toml");
    std::fs::write(&path, toml).with_context(|| format!("cannot write `{}`", path.display()))
}

/// Runs `planet -q COMMAND` in `dir` and measures it: its cost, the traffic it caused, and the
/// files it wrote in `dir/output`.
fn measure(
    runner: &mut Runner,
    planet: &Path,
    dir: &Path,
    command: &str,
    server: &Server,
) -> anyhow::Result<Measure> {
    let output = dir.join("output");
    let before = mtimes(&output);
    let usage = runner.run(planet, dir, command)?;
    let after = mtimes(&output);
    let written = after
        .iter()
        .filter(|(path, t)| before.get(*path) != Some(t))
        .count();
    Ok(Measure {
        usage,
        traffic: server.take_traffic(),
        written,
    })
}

/// The modification time of every file under `dir`, recursively; nothing when it is missing.
fn mtimes(dir: &Path) -> HashMap<PathBuf, SystemTime> {
    let mut found = HashMap::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                folders.push(entry.path());
            } else if let Ok(t) = meta.modified() {
                found.insert(entry.path(), t);
            }
        }
    }
    found
}
