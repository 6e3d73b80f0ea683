//! A planet in a temporary folder, run in-process through the library at a fixed time, or
//! through the real binary where its exit code and messages are what is tested.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Utc};
use planet::status::Row;
use planet::subscriptions::{self, Subscriptions};
use planet::{Cycle, Options, Steps};

/// The tests' clock: every in-process run is at a time the test chose, never the machine's.
/// The fixture feeds date their entries around it.
pub fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T12:00:00Z")
        .expect("a valid date")
        .with_timezone(&Utc)
}

/// `t0` plus this many minutes.
pub fn at(minutes: i64) -> DateTime<Utc> {
    t0() + chrono::Duration::minutes(minutes)
}

pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// The team's real-feed corpus, which lives outside the repository: `$PLANET_CORPUS`, else
/// `../shared/corpus`. Its feeds are in its `feeds/` folder.
pub fn corpus_root() -> PathBuf {
    std::env::var_os("PLANET_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
        PathBuf::from,
    )
}

/// Reads a fixture file.
pub fn fixture(rel: &str) -> Vec<u8> {
    let path = Path::new(FIXTURES).join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

pub struct Planet {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
}

/// The `[planet]` table every test starts from.
pub fn planet_table(extra: &str) -> String {
    format!(
        "[planet]\nname = \"Test Planet\"\nlink = \"https://planet.test/\"\nowner_name = \"Test Owner\"\n{extra}\n"
    )
}

/// `[[feeds]]` entries for the given URLs.
pub fn feeds_toml(urls: &[String]) -> String {
    urls.iter()
        .map(|u| format!("[[feeds]]\nurl = \"{u}\"\n\n"))
        .collect()
}

impl Planet {
    pub fn new(config_text: &str) -> Planet {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("planet.toml");
        std::fs::write(&config, config_text).expect("write config");
        Planet { dir, config }
    }

    pub fn with_feeds(extra: &str, urls: &[String]) -> Planet {
        Planet::new(&format!("{}{}", planet_table(extra), feeds_toml(urls)))
    }

    pub fn write_config(&self, text: &str) {
        std::fs::write(&self.config, text).expect("write config");
    }

    /// Runs `planet ARGS --config planet.toml`.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_planet"));
        c.args(args)
            .arg("--config")
            .arg(&self.config)
            .current_dir(self.dir.path());
        c
    }

    /// One cycle in-process, as `planet run` (or `fetch`, `render`) does it, at `now`.
    pub fn cycle(
        &self,
        steps: Steps,
        now: DateTime<Utc>,
        force: bool,
    ) -> Result<Cycle, planet::Error> {
        let options = Options {
            now,
            force,
            progress: None,
        };
        planet::cycle(&self.config, steps, &options)
    }

    /// `planet run` at `now`, which must succeed; returns what the operator is told of it.
    pub fn run_at(&self, now: DateTime<Utc>) -> Vec<String> {
        let done = self
            .cycle(Steps::Run, now, false)
            .unwrap_or_else(|e| panic!("planet run failed: {}", planet::error_chain(&e)));
        warnings(&done)
    }

    /// `planet run --force` at `now`, which must succeed; returns what the operator is told.
    pub fn force_at(&self, now: DateTime<Utc>) -> Vec<String> {
        let done = self
            .cycle(Steps::Run, now, true)
            .unwrap_or_else(|e| panic!("planet run --force failed: {}", planet::error_chain(&e)));
        warnings(&done)
    }

    /// `planet render` at `now`, which must succeed.
    pub fn render_at(&self, now: DateTime<Utc>) {
        self.cycle(Steps::Render, now, false)
            .unwrap_or_else(|e| panic!("planet render failed: {}", planet::error_chain(&e)));
    }

    /// A cycle that must fail: its error and causes, on one line.
    pub fn fail_at(&self, steps: Steps, now: DateTime<Utc>) -> String {
        match self.cycle(steps, now, false) {
            Ok(_) => panic!("planet {steps:?} must fail"),
            Err(e) => planet::error_chain(&e),
        }
    }

    /// What `planet status` shows at `now`: one row per feed.
    pub fn status_at(&self, now: DateTime<Utc>) -> Vec<Row> {
        let config = planet::config::load(&self.config).expect("config loads");
        let store = planet::store::Store::open(&config.planet.cache_dir).expect("cache opens");
        planet::status::rows(
            &config,
            &store.sources().expect("sources"),
            &store.stored().expect("stored"),
            now,
        )
    }

    /// The `planet status` row of the feed `url` at `now`.
    pub fn row_at(&self, now: DateTime<Utc>, url: &str) -> Row {
        let rows = self.status_at(now);
        rows.iter()
            .find(|r| r.url == url)
            .cloned()
            .unwrap_or_else(|| panic!("no status row for {url}: {rows:#?}"))
    }

    /// `planet check`: every problem of `planet.toml`, as the command words them (without the
    /// `error: ` prefix).
    pub fn check(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.config).expect("read config");
        let (problems, _) = planet::check::lint(&text, &self.config);
        problems.iter().map(ToString::to_string).collect()
    }

    /// `planet check --fetch` at `now`: the problems of the file, then of its feeds.
    pub fn check_fetch(&self, now: DateTime<Utc>) -> Vec<String> {
        let text = std::fs::read_to_string(&self.config).expect("read config");
        let (mut problems, config) = planet::check::lint(&text, &self.config);
        if let Some(config) = config {
            let probed = runtime()
                .block_on(planet::check::probe(&config, now))
                .expect("the HTTP client starts");
            problems.extend(probed.problems);
            problems.extend(probed.moved.iter().map(planet::check::Moved::problem));
            problems.sort_by_key(|p| p.line.unwrap_or(usize::MAX));
        }
        problems.iter().map(ToString::to_string).collect()
    }

    /// `planet check --fetch --fix` at `now`: what it did with the feeds that moved.
    pub fn fix_moved(&self, now: DateTime<Utc>) -> Vec<planet::check::Fixed> {
        let config = planet::config::load(&self.config).expect("config loads");
        let probed = runtime()
            .block_on(planet::check::probe(&config, now))
            .expect("the HTTP client starts");
        planet::check::fix(&self.config, &probed.moved)
            .unwrap_or_else(|e| panic!("check --fix failed: {}", planet::error_chain(&e)))
    }

    /// `planet import FILE`, which must succeed.
    pub fn import(&self, file: &Path) -> subscriptions::ImportReport {
        subscriptions::import(&self.config, file)
            .unwrap_or_else(|e| panic!("planet import failed: {}", planet::error_chain(&e)))
    }

    /// `planet export` at `now`: the subscriptions as OPML.
    pub fn export(&self, now: DateTime<Utc>) -> String {
        let config = planet::config::load(&self.config).expect("config loads");
        let (sources, stored) = if config
            .planet
            .cache_dir
            .join(planet::store::FILE_NAME)
            .exists()
        {
            let store = planet::store::Store::open(&config.planet.cache_dir).expect("cache");
            (
                store.sources().expect("sources"),
                store.stored().expect("stored"),
            )
        } else {
            Default::default()
        };
        let view = planet::render::build(&config, &[], &sources, &stored, now);
        let opml = planet::render::opml::render(&view).expect("OPML renders");
        String::from_utf8(opml).expect("OPML is UTF-8")
    }

    /// `planet add INPUT [--name NAME]` through the library, as the command runs it: the URL
    /// written and how it was found, or the error chain.
    pub fn add(&self, input: &str, name: Option<&str>) -> Result<Added, String> {
        planet::subscriptions::add(&self.config, input, name).map_err(|e| planet::error_chain(&e))
    }

    /// `planet remove URL_OR_NAME`: the URL removed, or the error chain.
    pub fn remove(&self, feed: &str) -> Result<String, String> {
        let mut subs = Subscriptions::open(&self.config).map_err(|e| planet::error_chain(&e))?;
        let url = subs
            .remove(feed, &[])
            .map_err(|e| planet::error_chain(&e))?;
        subs.save().map_err(|e| planet::error_chain(&e))?;
        Ok(url)
    }

    /// Runs the real binary: `planet ARGS --config planet.toml`, for exit codes and messages.
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("run planet")
    }

    /// Runs and asserts success, returning stderr.
    pub fn run_ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "planet {args:?} failed: {stderr}");
        assert!(
            out.stdout.is_empty(),
            "stdout must stay empty: {:?}",
            String::from_utf8_lossy(&out.stdout)
        );
        stderr
    }

    /// Writes `text` as `theme/NAME` beside the config, the folder a `templates_dir = "theme"`
    /// reads, creating it; returns the file's path.
    pub fn theme_file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join("theme").join(name);
        std::fs::create_dir_all(path.parent().expect("a theme file has a folder")).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    pub fn out_path(&self, name: &str) -> PathBuf {
        self.dir.path().join("output").join(name)
    }

    pub fn output(&self, name: &str) -> String {
        std::fs::read_to_string(self.out_path(name))
            .unwrap_or_else(|e| panic!("output/{name}: {e}"))
    }

    /// The entries of `output/atom.xml`, as a feed reader (feed-rs) reads them.
    pub fn atom(&self) -> feed_rs::model::Feed {
        feed_rs::parser::parse(self.output("atom.xml").as_bytes()).expect("atom.xml parses")
    }

    pub fn atom_titles(&self) -> Vec<String> {
        self.atom()
            .entries
            .iter()
            .map(|e| {
                e.title
                    .as_ref()
                    .map(|t| t.content.clone())
                    .unwrap_or_default()
            })
            .collect()
    }
}

/// A small RSS 2.0 feed: (guid, title, link, pubDate) items.
pub fn rss(title: &str, items: &[(&str, &str, &str, &str)]) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>{title}</title><link>https://{}.test/</link><description>d</description>\n",
        title.to_lowercase().replace(' ', "")
    );
    for (guid, t, link, date) in items {
        s.push_str(&format!(
            "<item><guid>{guid}</guid><title>{t}</title><link>{link}</link><pubDate>{date}</pubDate><description>&lt;p&gt;Body of {t}&lt;/p&gt;</description></item>\n"
        ));
    }
    s.push_str("</channel></rss>\n");
    s
}

pub use planet::subscriptions::Added;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime starts")
}

/// Sets a file's modification time an hour back and returns it: a later rewrite of the file
/// gets a new one, whatever the file system's resolution, with no waiting.
pub fn age(path: &Path) -> SystemTime {
    let then = SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(then))
        .unwrap_or_else(|e| panic!("set the mtime of {}: {e}", path.display()));
    modified(path)
}

/// A file's modification time.
pub fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("mtime of {}: {e}", path.display()))
}

/// The `warning:` lines the binary would print for a cycle, without the prefix.
pub fn warnings(done: &Cycle) -> Vec<String> {
    let hubs = done.announce.iter().flat_map(|a| &a.failures);
    done.refresh
        .iter()
        .flat_map(|r| r.notices.iter().map(ToString::to_string))
        .chain(hubs.map(ToString::to_string))
        .collect()
}

/// Sends a signal (`TERM`, `INT`) to a child.
pub fn signal(child: &Child, name: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .expect("kill")
        .success();
    assert!(ok, "kill -{name}");
}

/// Waits for a child to exit, failing the test after `limit`: a watchdog kills it then, so a
/// hang fails the test instead of stalling the suite.
pub fn wait_for(child: &mut Child, limit: Duration) -> ExitStatus {
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let pid = child.id().to_string();
    let watchdog = std::thread::spawn(move || {
        let late = finished.recv_timeout(limit).is_err();
        if late {
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
        }
        late
    });
    let status = child.wait().expect("wait for planet");
    let _ = done.send(());
    let late = watchdog.join().unwrap_or(true);
    assert!(!late, "planet did not exit within {limit:?}");
    status
}

/// How long a test waits for the binary to say something before it fails.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// The binary, started with its stderr piped to a thread that passes on each line.
pub struct Running {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Running {
    pub fn start(mut command: Command) -> Running {
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start planet");
        let pipe = child.stderr.take().expect("piped stderr");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Running {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for the `n`th line (counting those already seen) that contains `needle`.
    pub fn wait_for(&mut self, needle: &str, n: usize) {
        let deadline = Instant::now() + PATIENCE;
        while self.seen.iter().filter(|l| l.contains(needle)).count() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(e) => {
                    let _ = self.child.kill();
                    panic!(
                        "no line {n} with {needle:?} ({e:?}); stderr: {:#?}",
                        self.seen
                    );
                }
            }
        }
    }

    pub fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("a pid");
        // SAFETY: kill(2) on our own child's pid, which it keeps until we wait for it.
        let done = unsafe { libc::kill(pid, signal) };
        assert_eq!(done, 0, "kill({pid}, {signal})");
    }

    /// Waits for the binary to end (its stderr closes), failing the test after `PATIENCE`.
    pub fn end(mut self) -> (std::process::ExitStatus, Vec<String>) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {
                    let _ = self.child.kill();
                    panic!("planet did not exit; stderr: {:#?}", self.seen);
                }
            }
        }
        let status = self.child.wait().expect("wait for planet");
        (status, self.seen)
    }
}

/// Every file under `dir`, by its path relative to `dir` (`/`-separated).
pub fn files_under(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, path));
            }
        }
    }
    out.sort();
    out
}
