//! A planet in a temporary folder, run in-process through the library at a fixed time, or
//! through the real binary where its exit code and messages are what is tested.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{DateTime, Duration, Utc};
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
    t0() + Duration::minutes(minutes)
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

    /// `planet render` at `now`, which must succeed.
    pub fn render_at(&self, now: DateTime<Utc>) {
        self.cycle(Steps::Render, now, false)
            .unwrap_or_else(|e| panic!("planet render failed: {}", planet::error_chain(&e)));
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

/// `planet status --json`, parsed.
pub fn status_json(planet: &Planet) -> serde_json::Value {
    let out = planet.run(&["status", "--json"]);
    assert!(
        out.status.success(),
        "status failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("status --json is JSON")
}

/// The `warning:` lines the binary would print for a cycle, without the prefix.
pub fn warnings(done: &Cycle) -> Vec<String> {
    done.refresh
        .iter()
        .flat_map(|r| r.notices.iter().map(ToString::to_string))
        .collect()
}
