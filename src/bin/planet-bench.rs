//! `planet-bench`: how fast and how lean `planet` is, measured the way operators run it.
//!
//! Generates N feeds (see `planet_bench/corpus.rs`), serves them from its own HTTP server on
//! 127.0.0.1 (gzip, ETag/Last-Modified, optional latency), writes a `planet.toml` in a temporary
//! folder and runs the real `planet` binary four times: a first run on an empty cache, a second
//! run with nothing changed (every feed answers 304), a run after 5% of the feeds gained an
//! entry, and `planet render` alone. Each run's wall time, CPU time (user + system) and peak
//! memory come from `wait4` on the child; requests and bytes come from the server. Prints a
//! Markdown table on stdout. It measures; it asserts nothing (timings belong here, never in tests).

#[path = "planet_bench/corpus.rs"]
mod corpus;
#[path = "planet_bench/server.rs"]
mod server;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use chrono::{DateTime, DurationRound as _, Utc};
use clap::Parser;

use server::{Answer, Counts};

/// Benchmarks the `planet` binary against generated feeds served on 127.0.0.1.
#[derive(Debug, Parser)]
#[command(name = "planet-bench", about, long_about = None)]
struct Args {
    /// How many feeds.
    #[arg(long, default_value_t = 1000)]
    feeds: usize,
    /// Entries per feed.
    #[arg(long, default_value_t = 20)]
    entries: usize,
    /// Milliseconds the server waits before every answer.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// `concurrency` in the generated planet.toml (planet's default when unset).
    #[arg(long)]
    concurrency: Option<usize>,
    /// Repeat the four runs this many times (fresh cache each time) and report the median.
    #[arg(long, default_value_t = 1)]
    repeat: usize,
    /// Seed of the generated feeds.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// The planet binary (default: `planet` next to this binary, rebuilt first under `cargo run`).
    #[arg(long)]
    planet: Option<PathBuf>,
    /// Keep the planet folder (config, cache, output) here instead of a temporary one.
    #[arg(long)]
    keep: Option<PathBuf>,
    /// Write `planet.toml` into the `--keep` folder and serve the feeds until killed, measuring
    /// nothing: for profiling `planet` by hand (`perf record target/release/planet run`).
    #[arg(long, requires = "keep")]
    serve: bool,
    /// Internal: act as the launcher (see [`Launcher`]).
    #[arg(long, hide = true)]
    launcher: bool,
}

/// One measured run of the child.
#[derive(Debug, Clone, Copy, Default)]
struct Measure {
    wall: Duration,
    cpu: Duration,
    max_rss_kb: i64,
    ok: bool,
    traffic: Counts,
}

const STEPS: [&str; 4] = [
    "first run (empty cache)",
    "second run (unchanged, 304)",
    "run after 5% of feeds gained an entry",
    "`planet render` alone",
];

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.launcher {
        return launcher_loop();
    }
    let planet = planet_binary(&args)?;
    // Started while this process is still small: see [`Launcher`].
    let mut launcher = Launcher::start()?;
    let anchor = Utc::now()
        .duration_trunc(chrono::Duration::minutes(1))
        .context("cannot read the clock")?
        - chrono::Duration::hours(1);

    let started = Instant::now();
    let all: Vec<usize> = (0..args.feeds).collect();
    let (answers, raw) = generate(&args, anchor, &all, 0);
    let gz: u64 = answers
        .iter()
        .map(|a| match a {
            Answer::Feed { gz, .. } => gz.len() as u64,
            Answer::Status(_) => 0,
        })
        .sum();
    let feeds = Arc::new(RwLock::new(answers));
    let srv = server::start(feeds.clone(), Duration::from_millis(args.latency_ms))?;
    eprintln!(
        "planet-bench: {} feeds x {} entries, {:.1} MB of XML ({:.1} MB gzipped), generated in {:.1} s; serving on 127.0.0.1:{}",
        args.feeds,
        args.entries,
        raw as f64 / 1e6,
        gz as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        srv.port
    );

    if let (true, Some(dir)) = (args.serve, &args.keep) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create `{}`", dir.display()))?;
        write_config(dir, &args, srv.port)?;
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
    let mut rounds: Vec<[Measure; 4]> = Vec::new();
    for round in 0..args.repeat.max(1) {
        let temp;
        let dir: &Path = match &args.keep {
            Some(d) => {
                let _ = std::fs::remove_dir_all(d);
                std::fs::create_dir_all(d)
                    .with_context(|| format!("cannot create `{}`", d.display()))?;
                d
            }
            None => {
                temp = tempdir()?;
                &temp.0
            }
        };
        write_config(dir, &args, srv.port)?;
        // Back to the starting corpus, in case an earlier round added entries.
        if round > 0 {
            let (base, _) = generate(&args, anchor, &changed, 0);
            set(&feeds, &changed, base);
        }
        srv.traffic.take();
        let mut m = [Measure::default(); 4];
        m[0] = measure(&mut launcher, &planet, dir, "run", &srv)?;
        m[1] = measure(&mut launcher, &planet, dir, "run", &srv)?;
        let (grown, _) = generate(&args, anchor, &changed, 1);
        set(&feeds, &changed, grown);
        m[2] = measure(&mut launcher, &planet, dir, "run", &srv)?;
        m[3] = measure(&mut launcher, &planet, dir, "render", &srv)?;
        rounds.push(m);
        if args.keep.is_none() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{} feeds x {} entries ({:.0} MB XML, {:.0} MB gzipped), latency {} ms, concurrency {}, {} changed in step 3{}\n",
        args.feeds,
        args.entries,
        raw as f64 / 1e6,
        gz as f64 / 1e6,
        args.latency_ms,
        args.concurrency.map_or("default (16)".to_owned(), |c| c.to_string()),
        changed.len(),
        if rounds.len() > 1 { format!(", median of {} rounds", rounds.len()) } else { String::new() }
    )?;
    writeln!(
        out,
        "| step | wall | CPU | peak RSS | requests | 200 / 304 / error | bytes |"
    )?;
    writeln!(out, "|---|---:|---:|---:|---:|---:|---:|")?;
    for (k, step) in STEPS.iter().enumerate() {
        let mut col: Vec<Measure> = rounds.iter().map(|r| r[k]).collect();
        col.sort_by_key(|m| m.wall);
        let m = col[col.len() / 2];
        let t = m.traffic;
        writeln!(
            out,
            "| {step}{} | {:.3} s | {:.3} s | {:.1} MB | {} | {} / {} / {} | {:.1} MB |",
            if m.ok { "" } else { " (exit status not 0)" },
            m.wall.as_secs_f64(),
            m.cpu.as_secs_f64(),
            m.max_rss_kb as f64 / 1024.0,
            t.requests,
            t.ok,
            t.not_modified,
            t.errors,
            t.bytes as f64 / 1e6,
        )?;
    }
    Ok(())
}

/// Where the `planet` binary is. Under `cargo run` (which sets `CARGO`), it is rebuilt first with
/// this binary's profile, so the numbers are never those of a stale build.
fn planet_binary(args: &Args) -> anyhow::Result<PathBuf> {
    if let Some(p) = &args.planet {
        return Ok(p.clone());
    }
    let exe = std::env::current_exe().context("cannot locate the benchmark binary")?;
    let path = exe.with_file_name(format!("planet{}", std::env::consts::EXE_SUFFIX));
    if let Ok(cargo) = std::env::var("CARGO") {
        let release = exe
            .parent()
            .and_then(|d| d.file_name())
            .is_some_and(|n| n == "release");
        let mut c = Command::new(cargo);
        c.args(["build", "--quiet", "--bin", "planet"]);
        if release {
            c.arg("--release");
        }
        let status = c.status().context("cannot run cargo to build `planet`")?;
        if !status.success() {
            bail!("cannot build `planet`");
        }
    }
    if !path.exists() {
        bail!(
            "no planet binary at `{}`\nhint: run `cargo build --release` first, or pass --planet PATH",
            path.display()
        );
    }
    Ok(path)
}

/// Generates the listed feeds, each with `extra` entries beyond the base count, on every core;
/// also returns their size before compression.
fn generate(
    args: &Args,
    anchor: DateTime<Utc>,
    which: &[usize],
    extra: usize,
) -> (Vec<Answer>, u64) {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = which.len().div_ceil(threads).max(1);
    let parts: Vec<(Vec<Answer>, u64)> = std::thread::scope(|s| {
        let handles: Vec<_> = which
            .chunks(chunk)
            .map(|ids| {
                s.spawn(move || {
                    let mut raw = 0;
                    let v = ids
                        .iter()
                        .map(|&i| {
                            let (a, n) = answer(args, anchor, i, extra);
                            raw += n;
                            a
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

fn answer(args: &Args, anchor: DateTime<Utc>, i: usize, extra: usize) -> (Answer, u64) {
    match corpus::broken(i) {
        Some(corpus::Broken::ServerError) => return (Answer::Status(500), 0),
        Some(corpus::Broken::NotFound) => return (Answer::Status(404), 0),
        _ => {}
    }
    let xml = corpus::feed(
        args.seed,
        args.feeds,
        i,
        args.entries + extra,
        args.entries,
        anchor,
    );
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(xml.len() / 3),
        flate2::Compression::default(),
    );
    // Writing to a Vec cannot fail.
    let gz = enc
        .write_all(&xml)
        .and_then(|()| enc.finish())
        .unwrap_or_default();
    let modified = anchor + chrono::Duration::minutes(extra as i64 * 10);
    (
        Answer::Feed {
            gz: Arc::new(gz),
            etag: format!("\"{i}-{extra}\""),
            last_modified: modified.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
        },
        xml.len() as u64,
    )
}

fn set(feeds: &server::Feeds, which: &[usize], answers: Vec<Answer>) {
    if let Ok(mut f) = feeds.write() {
        for (&i, a) in which.iter().zip(answers) {
            f[i] = a;
        }
    }
}

fn write_config(dir: &Path, args: &Args, port: u16) -> anyhow::Result<()> {
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
            "\n[[feeds]]\nurl = \"http://127.0.0.1:{port}/feed/{i}.xml\"\n"
        ));
    }
    let path = dir.join("planet.toml");
    std::fs::write(&path, toml).with_context(|| format!("cannot write `{}`", path.display()))
}

/// Runs `planet -q COMMAND` in `dir` through the launcher and measures it.
fn measure(
    launcher: &mut Launcher,
    planet: &Path,
    dir: &Path,
    command: &str,
    srv: &server::Server,
) -> anyhow::Result<Measure> {
    let mut m = launcher.run(planet, dir, command)?;
    m.traffic = srv.traffic.take();
    Ok(m)
}

/// A copy of this binary, started before the feeds are generated, that spawns each `planet` run.
///
/// Linux charges a child's `ru_maxrss` with its parent's resident memory at exec time (the old
/// address space's high-water mark is kept), so a child of this process, which holds every
/// generated feed, would report hundreds of megabytes it never used. The launcher is small, so
/// its children's figures are theirs. It reads `PLANET\tDIR\tCOMMAND` lines on stdin and answers
/// `WALL_NS CPU_NS MAXRSS_KB EXIT_OK` lines on stdout, and ends when its stdin closes.
struct Launcher {
    _child: std::process::Child,
    input: std::process::ChildStdin,
    output: std::io::BufReader<std::process::ChildStdout>,
}

impl Launcher {
    fn start() -> anyhow::Result<Launcher> {
        let exe = std::env::current_exe().context("cannot locate the benchmark binary")?;
        let mut child = Command::new(exe)
            .arg("--launcher")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .context("cannot start the launcher")?;
        let input = child.stdin.take().context("launcher has no stdin")?;
        let output = child.stdout.take().context("launcher has no stdout")?;
        Ok(Launcher {
            _child: child,
            input,
            output: std::io::BufReader::new(output),
        })
    }

    fn run(&mut self, planet: &Path, dir: &Path, command: &str) -> anyhow::Result<Measure> {
        writeln!(
            self.input,
            "{}\t{}\t{command}",
            planet.display(),
            dir.display()
        )?;
        self.input.flush()?;
        let mut line = String::new();
        std::io::BufRead::read_line(&mut self.output, &mut line)?;
        let f: Vec<i64> = line
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        let [wall, cpu, rss, ok] = f[..] else {
            bail!("the launcher failed: {line:?}");
        };
        Ok(Measure {
            wall: Duration::from_nanos(wall as u64),
            cpu: Duration::from_nanos(cpu as u64),
            max_rss_kb: rss,
            ok: ok == 1,
            traffic: Counts::default(),
        })
    }
}

fn launcher_loop() -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in std::io::BufRead::lines(stdin.lock()) {
        let line = line?;
        let mut parts = line.splitn(3, '\t');
        let (Some(planet), Some(dir), Some(command)) = (parts.next(), parts.next(), parts.next())
        else {
            bail!("bad launcher request {line:?}");
        };
        let (wall, cpu, rss, ok) = spawn_and_wait(Path::new(planet), Path::new(dir), command)?;
        writeln!(
            out,
            "{} {} {rss} {}",
            wall.as_nanos(),
            cpu.as_nanos(),
            u8::from(ok)
        )?;
        out.flush()?;
    }
    Ok(())
}

/// Runs `planet -q COMMAND` in `dir`; returns wall time, CPU time, peak RSS (KB) and success.
fn spawn_and_wait(
    planet: &Path,
    dir: &Path,
    command: &str,
) -> anyhow::Result<(Duration, Duration, i64, bool)> {
    let start = Instant::now();
    let child = Command::new(planet)
        .args(["-q", command, "--config", "planet.toml"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot run `{}`", planet.display()))?;
    let pid = libc::pid_t::try_from(child.id()).context("pid out of range")?;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet reaped (std's `Child` is never waited on), and both
    // pointers are to live locals of the right types.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    if r != pid {
        bail!("wait4 failed: {}", std::io::Error::last_os_error());
    }
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.unsigned_abs())
            + Duration::from_micros(t.tv_usec.unsigned_abs())
    };
    Ok((
        wall,
        tv(usage.ru_utime) + tv(usage.ru_stime),
        usage.ru_maxrss,
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
    ))
}

/// A temporary folder removed by the caller (the library's `tempfile` is a dev-dependency only).
struct TempDir(PathBuf);

fn tempdir() -> anyhow::Result<TempDir> {
    let dir = std::env::temp_dir().join(format!("planet-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    Ok(TempDir(dir))
}
