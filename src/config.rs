//! `planet.toml`: what the operator wrote, checked and made absolute.
//!
//! `parse` turns a string into a [`Config`] (unknown keys are errors that name the key and its line,
//! thanks to `toml`'s spans); `load` reads a file and resolves relative paths against the file's
//! folder, so cron can run `planet` from any working directory. Nothing here touches the network.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use regex::Regex;
use schemars::JsonSchema;
use serde::Deserialize;
use url::Url;

/// Errors from reading or checking the configuration.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be read at all.
    #[error("cannot read config `{path}`")]
    Read {
        /// The config file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The TOML is malformed, a key is unknown or a value has the wrong type; the cause names the line.
    #[error("invalid config `{path}`")]
    Syntax {
        /// The config file.
        path: PathBuf,
        /// toml's message, with line and column.
        #[source]
        source: Box<toml::de::Error>,
    },
    /// A feed's table has an unknown key or a value of the wrong type: names the feed, and the
    /// cause names the line.
    #[error("invalid config `{path}`: in feed `{feed}`")]
    FeedSyntax {
        /// The config file.
        path: PathBuf,
        /// The feed's URL as written (or `#N` when its table has no readable `url`).
        feed: String,
        /// toml's message, with line and column.
        #[source]
        source: Box<toml::de::Error>,
    },
    /// The TOML is well-formed but a value breaks a rule (a duplicate feed, a zero limit…).
    #[error("invalid config `{path}`: {message}")]
    Invalid {
        /// The config file.
        path: PathBuf,
        /// What is wrong and where.
        message: String,
    },
}

/// The whole configuration: the `[planet]` table and the `[[feeds]]` list.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Planet-wide settings.
    pub planet: Planet,
    /// The subscriptions, in the order the operator wrote them.
    #[serde(default)]
    pub feeds: Vec<FeedConfig>,
}

/// The `[planet]` table.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Planet {
    /// Shown in the page header and as the Atom feed title.
    pub name: String,
    /// Where `output_dir` is published; absolute links and the Atom `self` link derive from it.
    pub link: Url,
    /// The person answerable for the planet (Atom feed author, page footer).
    pub owner_name: String,
    /// Optional; also sent as the HTTP `From` header so feed hosts can reach the operator.
    #[serde(default)]
    pub owner_email: Option<String>,
    /// A one-line description, shown under the title and as the Atom subtitle.
    #[serde(default)]
    pub description: Option<String>,
    /// The page's language (`<html lang>`), BCP 47.
    #[serde(default = "default_language")]
    pub language: String,
    /// Where the published files go; relative to the config file.
    #[serde(default = "default_output_dir")]
    pub output_dir: PathBuf,
    /// Where the SQLite cache lives; relative to the config file.
    #[serde(default = "default_cache_dir")]
    pub cache_dir: PathBuf,
    /// Optional folder of templates that override the embedded theme, file by file.
    #[serde(default)]
    pub templates_dir: Option<PathBuf>,
    /// How many entries `index.html` and `atom.xml` carry.
    #[serde(default = "default_items_per_page")]
    pub items_per_page: usize,
    /// How many feeds are fetched at once.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// Seconds allowed to open a connection.
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout_secs: u64,
    /// Seconds allowed for one whole request, body included.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// Largest feed body accepted, in bytes after decompression.
    #[serde(default = "default_max_body")]
    pub max_feed_bytes: u64,
    /// How many requests may go to one host at once, whatever `concurrency` says: hosts judge
    /// aggregators by this.
    #[serde(default = "default_per_host")]
    pub per_host_concurrency: usize,
    /// Seconds the whole fetch pass may take; feeds not done by then fail with "run deadline
    /// reached", so one server trickling bytes cannot hold the run hostage.
    #[serde(default = "default_run_timeout")]
    pub run_timeout_secs: u64,
    /// Days an entry is kept once it has left its feed and the page; the cache stays bounded.
    #[serde(default = "default_retention_days")]
    pub retention_days: u64,
    /// Days without a new entry after which a feed counts as gone quiet: flagged `stale` by
    /// `planet status` and marked in the page's sidebar.
    #[serde(default = "default_stale_days")]
    pub stale_days: u64,
    /// Which optional outputs are published; `index.html` and `atom.xml` always are.
    #[serde(default)]
    pub outputs: Outputs,
    /// Regexes: an entry whose title, content or a category matches any is left off the page,
    /// whichever feed it comes from (an off-topic filter).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Entries older than this many days (by their sort date) are left off the page.
    #[serde(default)]
    pub max_age_days: Option<u32>,
    /// Entry ids or links taken off the page by the editors (a post published by mistake).
    #[serde(default)]
    pub hide: Vec<String>,
    /// When a feed is fetched for the first time, only its newest N entries appear; the rest is
    /// stored as already seen, so a new subscription never floods the page or its readers.
    #[serde(default = "default_new_feed_items")]
    pub new_feed_items: usize,
    /// `exclude`, compiled once at load.
    #[serde(skip)]
    #[schemars(skip)]
    pub exclude_re: Vec<Regex>,
    /// Which date places an entry on the page: `published` (default; an entry edited upstream
    /// keeps its place) or `updated` (an edit brings it back to the top).
    #[serde(default)]
    pub sort_by: SortBy,
}

/// `[planet] outputs = { rss = true, json = true, opml = true }`: each optional output on or off.
/// All on by default, so a new planet is readable by every kind of reader.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Outputs {
    /// `rss.xml`, RSS 2.0, for readers that know nothing else.
    #[serde(default = "yes")]
    pub rss: bool,
    /// `feed.json`, JSON Feed 1.1.
    #[serde(default = "yes")]
    pub json: bool,
    /// `opml.xml`, the subscription list, to import the planet's feeds into a reader.
    #[serde(default = "yes")]
    pub opml: bool,
}

impl Default for Outputs {
    fn default() -> Outputs {
        Outputs {
            rss: true,
            json: true,
            opml: true,
        }
    }
}

/// The date entries are sorted by (`sort_by`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// Published, else updated, else first seen, fixed when the entry is first stored.
    #[default]
    Published,
    /// Updated, else published, else first seen, recomputed whenever the entry changes.
    Updated,
}

/// One `[[feeds]]` entry.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedConfig {
    /// The feed's URL (RSS, Atom or JSON Feed); the key under which it is cached.
    pub url: Url,
    /// Display name; defaults to the feed's own title.
    #[serde(default)]
    pub name: Option<String>,
    /// The line of `planet.toml` that names the URL, for messages asking the operator to edit it.
    #[serde(skip)]
    #[schemars(skip)]
    pub line: Option<usize>,
    /// `false` keeps the subscription listed but neither fetches nor shows it.
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// The blog's home page, when the feed's own link is wrong or missing.
    #[serde(default)]
    pub link: Option<Url>,
    /// An avatar shown beside the feed's entries: an http(s) URL, or a path relative to
    /// `planet.link`.
    #[serde(default)]
    pub face: Option<String>,
    /// At most this many of the feed's entries on the page (a prolific blog cannot crowd out
    /// the others).
    #[serde(default)]
    pub max_items: Option<usize>,
    /// How much of each entry the page shows.
    #[serde(default)]
    pub display: Display,
    /// Regexes: when set, only entries whose title, content or a category matches one appear.
    #[serde(default)]
    pub include: Vec<String>,
    /// Regexes: entries whose title, content or a category matches one are left off.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// When set, only entries carrying one of these categories appear (case-insensitive).
    #[serde(default)]
    pub categories: Vec<String>,
    /// For feeds whose dates lie: every entry is dated when the planet first saw it.
    #[serde(default)]
    pub ignore_dates: bool,
    /// `include`, compiled once at load.
    #[serde(skip)]
    #[schemars(skip)]
    pub include_re: Vec<Regex>,
    /// `exclude`, compiled once at load.
    #[serde(skip)]
    #[schemars(skip)]
    pub exclude_re: Vec<Regex>,
}

/// How much of a feed's entries the page shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Display {
    /// Title and the whole content.
    #[default]
    Full,
    /// Title and the first few sentences, as plain text.
    Excerpt,
    /// The title alone, linking to the post.
    Title,
}

impl Display {
    /// The name templates compare against (`full`, `excerpt`, `title`).
    pub fn as_str(self) -> &'static str {
        match self {
            Display::Full => "full",
            Display::Excerpt => "excerpt",
            Display::Title => "title",
        }
    }
}

fn default_true() -> bool {
    true
}
fn default_new_feed_items() -> usize {
    3
}

fn default_language() -> String {
    "en".to_owned()
}
fn default_output_dir() -> PathBuf {
    PathBuf::from("output")
}
fn default_cache_dir() -> PathBuf {
    PathBuf::from("cache")
}
fn default_items_per_page() -> usize {
    60
}
fn default_concurrency() -> usize {
    16
}
fn default_connect_timeout() -> u64 {
    10
}
fn default_timeout() -> u64 {
    30
}
fn default_max_body() -> u64 {
    10 * 1024 * 1024
}
fn default_per_host() -> usize {
    2
}
fn default_run_timeout() -> u64 {
    600
}
fn default_retention_days() -> u64 {
    365
}
fn default_stale_days() -> u64 {
    90
}
fn yes() -> bool {
    true
}

impl Planet {
    /// The connect timeout as a duration.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_secs(self.connect_timeout_secs)
    }

    /// The whole-request timeout as a duration.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }

    /// The whole fetch pass's deadline as a duration.
    pub fn run_timeout(&self) -> Duration {
        Duration::from_secs(self.run_timeout_secs)
    }
}

/// Parses a config from text; `path` only names the file in errors. Paths stay as written.
pub fn parse(text: &str, path: &Path) -> Result<Config, Error> {
    let mut config: Config = toml::from_str(text).map_err(|e| {
        match e.span().and_then(|span| feed_at(text, span.start)) {
            Some(feed) => Error::FeedSyntax {
                path: path.to_owned(),
                feed,
                source: Box::new(e),
            },
            None => Error::Syntax {
                path: path.to_owned(),
                source: Box::new(e),
            },
        }
    })?;
    // The URL as parsed may not be the URL as written (`https://Blog.test` is
    // `https://blog.test/`), and one URL may be the prefix of another: read each table's line.
    let lines = url_lines(text);
    let by_table = lines.len() == config.feeds.len();
    for (i, feed) in config.feeds.iter_mut().enumerate() {
        feed.line = match lines.get(i) {
            Some(line) if by_table => *line,
            _ => line_of(text, &format!("\"{}\"", feed.url))
                .or_else(|| line_of(text, feed.url.as_str())),
        };
    }
    let invalid = |message| Error::Invalid {
        path: path.to_owned(),
        message,
    };
    check(&config).map_err(invalid)?;
    compile(&mut config, text).map_err(invalid)?;
    Ok(config)
}

/// The feed whose `[[feeds]]` table holds byte `offset` of the text: its `url` as written, else
/// `#N` (1-based). `None` when the offset is outside every feed table.
fn feed_at(text: &str, offset: usize) -> Option<String> {
    let mut feeds = 0;
    // The lines of the feed table that holds `offset`, once found.
    let mut table: Option<Vec<&str>> = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let header = line.trim_start().starts_with('[');
        if at > offset && (header || table.is_none()) {
            break;
        }
        if header {
            let is_feed = line.trim().starts_with("[[feeds]]");
            feeds += usize::from(is_feed);
            table = is_feed.then(Vec::new);
        } else if let Some(t) = table.as_mut() {
            t.push(line);
        }
        at += line.len();
    }
    let table = table?;
    let url = table.iter().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == "url").then(|| v.trim().trim_matches(['"', '\'']).to_owned())
    });
    Some(url.unwrap_or_else(|| format!("#{feeds}")))
}

/// The 1-based line of the `url` key of each `[[feeds]]` table, in the file's order (`None`
/// for a table without one).
fn url_lines(text: &str) -> Vec<Option<usize>> {
    let mut lines = Vec::new();
    let mut in_feed = false;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            in_feed = trimmed.starts_with("[[feeds]]");
            if in_feed {
                lines.push(None);
            }
        } else if in_feed {
            let is_url = trimmed
                .split_once('=')
                .is_some_and(|(k, _)| k.trim().trim_matches(['"', '\'']) == "url");
            if let Some(slot) = lines.last_mut().filter(|s| s.is_none() && is_url) {
                *slot = Some(i + 1);
            }
        }
    }
    lines
}

/// Compiles every regex once, so a bad one is a config error naming its feed and line.
fn compile(config: &mut Config, text: &str) -> Result<(), String> {
    let build = |patterns: &[String], key: &str, owner: &str, near: &str| {
        patterns
            .iter()
            .map(|p| {
                Regex::new(p).map_err(|e| {
                    let at = line_of(text, p)
                        .or_else(|| line_of(text, near))
                        .map(|l| format!(" (line {l})"))
                        .unwrap_or_default();
                    let first = e.to_string();
                    let last = first.lines().last().unwrap_or_default().trim();
                    let reason = last.trim_start_matches("error:").trim();
                    format!("{owner}{at}: invalid regex `{p}` in `{key}`: {reason}")
                })
            })
            .collect::<Result<Vec<Regex>, String>>()
    };
    config.planet.exclude_re = build(&config.planet.exclude, "exclude", "`[planet]`", "[planet]")?;
    for feed in &mut config.feeds {
        let owner = format!("feed `{}`", feed.url);
        feed.include_re = build(&feed.include, "include", &owner, feed.url.as_str())?;
        feed.exclude_re = build(&feed.exclude, "exclude", &owner, feed.url.as_str())?;
    }
    Ok(())
}

/// Reads and parses a config file, then makes its paths absolute against the file's folder.
pub fn load(path: &Path) -> Result<Config, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Read {
        path: path.to_owned(),
        source: e,
    })?;
    let mut config = parse(&text, path)?;
    let base = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let p = &mut config.planet;
    p.output_dir = base.join(&p.output_dir);
    p.cache_dir = base.join(&p.cache_dir);
    if let Some(t) = p.templates_dir.as_mut() {
        *t = base.join(&*t);
    }
    Ok(config)
}

/// A JSON Schema of `planet.toml`, for editors that complete and check TOML (taplo, VS Code's
/// Even Better TOML): generated from the same structs the loader uses, so it cannot drift.
pub fn schema() -> String {
    let schema = schemars::schema_for!(Config);
    serde_json::to_string_pretty(&schema).unwrap_or_default()
}

/// Where a feed's `face` points: an absolute http(s) URL, or a path resolved against the
/// planet's own link (the page's Content-Security-Policy only lets http(s) images load).
pub fn face_url(planet_link: &Url, face: &str) -> Option<Url> {
    planet_link
        .join(face.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
}

/// The 1-based line on which `needle` first appears in the config text, for messages.
pub fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}

fn check(config: &Config) -> Result<(), String> {
    let p = &config.planet;
    if p.items_per_page == 0 {
        return Err("`planet.items_per_page` must be at least 1".into());
    }
    if p.concurrency == 0 {
        return Err("`planet.concurrency` must be at least 1".into());
    }
    if p.per_host_concurrency == 0 {
        return Err("`planet.per_host_concurrency` must be at least 1".into());
    }
    if !matches!(p.link.scheme(), "http" | "https") {
        return Err(format!(
            "`planet.link` must be an http(s) URL, not `{}`",
            p.link
        ));
    }
    let mut seen = HashSet::new();
    for feed in &config.feeds {
        let at = feed
            .line
            .map(|l| format!(" (line {l})"))
            .unwrap_or_default();
        if !matches!(feed.url.scheme(), "http" | "https") {
            return Err(format!(
                "feed `{}`{at}: only http and https feeds can be fetched",
                feed.url
            ));
        }
        if !seen.insert(feed.url.as_str()) {
            return Err(format!("feed `{}`{at} is listed twice", feed.url));
        }
        if let Some(face) = &feed.face {
            if face_url(&p.link, face).is_none() {
                return Err(format!(
                    "feed `{}`{at}: `face` must be an http(s) URL or a path, not `{face}`",
                    feed.url
                ));
            }
        }
        if feed.max_items == Some(0) {
            return Err(format!(
                "feed `{}`{at}: `max_items` must be at least 1 (use `enabled = false` to hide a feed)",
                feed.url
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
impl Config {
    /// A small valid config for other modules' tests.
    pub fn for_test() -> Config {
        parse(
            "[planet]\nname = \"Test\"\nlink = \"https://planet.test/\"\nowner_name = \"Owner\"\n",
            Path::new("test.toml"),
        )
        .expect("the test config is valid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str =
        "[planet]\nname = \"P\"\nlink = \"https://p.test/\"\nowner_name = \"O\"\n";

    #[test]
    fn applies_defaults() {
        let c = parse(MINIMAL, Path::new("p.toml")).unwrap();
        assert_eq!(c.planet.items_per_page, 60);
        assert_eq!(c.planet.concurrency, 16);
        assert_eq!(c.planet.output_dir, PathBuf::from("output"));
        assert!(c.feeds.is_empty());
        assert!(c.planet.outputs.rss && c.planet.outputs.json && c.planet.outputs.opml);
        assert_eq!(c.planet.stale_days, 90);
    }

    #[test]
    fn reads_outputs_and_display() {
        let text = format!(
            "{MINIMAL}outputs = {{ json = false }}\n[[feeds]]\nurl = \"https://a.test/f\"\ndisplay = \"excerpt\"\n"
        );
        let c = parse(&text, Path::new("p.toml")).unwrap();
        assert!(c.planet.outputs.rss && !c.planet.outputs.json && c.planet.outputs.opml);
        assert_eq!(c.feeds[0].display, Display::Excerpt);
        let bad = text.replace("json = false", "atom = false");
        assert!(parse(&bad, Path::new("p.toml")).is_err());
    }

    #[test]
    fn reads_sort_by_default() {
        let c = parse(MINIMAL, Path::new("p.toml")).unwrap();
        assert_eq!(c.planet.sort_by, SortBy::Published);
    }

    #[test]
    fn reads_sort_by() {
        let c = parse(
            &format!("{MINIMAL}sort_by = \"updated\"\n"),
            Path::new("p.toml"),
        )
        .unwrap();
        assert_eq!(c.planet.sort_by, SortBy::Updated);
        assert!(parse(
            &format!("{MINIMAL}sort_by = \"title\"\n"),
            Path::new("p.toml")
        )
        .is_err());
    }

    #[test]
    fn rejects_unknown_config_key_with_its_line() {
        let text = format!("{MINIMAL}colour = \"blue\"\n");
        let err = parse(&text, Path::new("p.toml")).unwrap_err();
        let cause = std::error::Error::source(&err).unwrap().to_string();
        assert!(cause.contains("colour"), "{cause}");
        assert!(cause.contains("line 5"), "{cause}");
    }

    #[test]
    fn rejects_duplicate_feed_naming_the_line() {
        let text = format!(
            "{MINIMAL}[[feeds]]\nurl = \"https://a.test/f\"\n[[feeds]]\nurl = \"https://a.test/f\"\n"
        );
        let err = parse(&text, Path::new("p.toml")).unwrap_err().to_string();
        assert!(err.contains("listed twice"), "{err}");
        assert!(
            err.contains("line 8"),
            "the second listing, to delete: {err}"
        );
    }

    #[test]
    fn unknown_feed_key_names_the_feed_and_line() {
        let text = format!(
            "{MINIMAL}[[feeds]]\nurl = \"https://a.test/f\"\n\n[[feeds]]\nurl = \"https://b.test/f\"\nmax_itmes = 3\n"
        );
        let err = parse(&text, Path::new("p.toml")).unwrap_err();
        assert!(
            err.to_string().contains("in feed `https://b.test/f`"),
            "{err}"
        );
        let cause = std::error::Error::source(&err).unwrap().to_string();
        assert!(
            cause.contains("line 10") && cause.contains("max_itmes"),
            "{cause}"
        );
    }

    #[test]
    fn bad_regex_names_the_feed_and_line() {
        let text = format!(
            "{MINIMAL}[[feeds]]\nurl = \"https://a.test/f\"\ninclude = [\"ok\", \"[z-a]\"]\n"
        );
        let err = parse(&text, Path::new("p.toml")).unwrap_err().to_string();
        assert!(
            err.contains("feed `https://a.test/f` (line 7): invalid regex `[z-a]` in `include`"),
            "{err}"
        );
        let text = format!("{MINIMAL}exclude = [\"(\"]\n");
        let err = parse(&text, Path::new("p.toml")).unwrap_err().to_string();
        assert!(err.contains("`[planet]` (line 5): invalid regex"), "{err}");
    }

    #[test]
    fn feed_options_have_defaults_and_checked_values() {
        let text = format!("{MINIMAL}[[feeds]]\nurl = \"https://a.test/f\"\n");
        let c = parse(&text, Path::new("p.toml")).unwrap();
        let f = &c.feeds[0];
        assert!(f.enabled && !f.ignore_dates && f.display == Display::Full);
        assert_eq!(c.planet.new_feed_items, 3);
        for (bad, why) in [
            ("max_items = 0", "max_items"),
            ("face = \"javascript:alert(1)\"", "face"),
            ("display = \"huge\"", "display"),
        ] {
            let text = format!("{MINIMAL}[[feeds]]\nurl = \"https://a.test/f\"\n{bad}\n");
            let err = parse(&text, Path::new("p.toml")).unwrap_err();
            assert!(crate::error_chain(&err).contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn rejects_non_http_feed() {
        let text = format!("{MINIMAL}[[feeds]]\nurl = \"ftp://a.test/f\"\n");
        assert!(parse(&text, Path::new("p.toml")).is_err());
    }

    #[test]
    fn resolves_paths_against_the_config_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("planet.toml");
        std::fs::write(&path, MINIMAL).unwrap();
        let c = load(&path).unwrap();
        assert_eq!(c.planet.output_dir, dir.path().join("output"));
        assert_eq!(c.planet.cache_dir, dir.path().join("cache"));
    }
}
