//! `planet.toml`: what the operator wrote, checked and made absolute.
//!
//! [`parse`] turns a string into a [`Config`], or into every [`Problem`] it has, each with its
//! line (`validate` finds them all in one pass: unknown keys with the closest known one,
//! values of the wrong type or out of bounds, bad regexes, a feed listed twice); [`load`] reads
//! a file and resolves relative paths against the file's folder, so cron can run `planet` from
//! any working directory. Nothing here touches the network.

mod problem;
mod rules;
mod validate;

pub use problem::Problem;
pub use validate::closest;

use std::path::{Path, PathBuf};
use std::time::Duration;

use regex::Regex;
use schemars::JsonSchema;
use serde::Deserialize;
use url::Url;

pub use crate::model::SortBy;

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
    /// The file has problems: every one of them, in the file's order.
    #[error("invalid config `{path}`:{}", listed(problems))]
    Invalid {
        /// The config file.
        path: PathBuf,
        /// What is wrong and where.
        problems: Vec<Problem>,
    },
}

/// The problems, one per line, indented under the error's first line.
fn listed(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("\n  {}", p.to_string().replace('\n', "\n  ")))
        .collect()
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
    /// Sub-planets: each gathers the entries of some feeds, categories or words on a page and
    /// a feed of its own.
    #[serde(default)]
    pub topics: Vec<Topic>,
}

/// One `[[topics]]` table: a sub-planet. An entry belongs to it when it matches any rule given.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    /// Shown as the topic page's title and its feed's title.
    pub name: String,
    /// The topic's files are `topics/SLUG.html` and `topics/SLUG.xml`; derived from the name
    /// when not set (lowercase ASCII letters, digits and `-`).
    #[serde(default)]
    pub slug: Option<String>,
    /// Regexes matched like the planet's `exclude`: against the title, the text and each
    /// category.
    #[serde(default)]
    pub include: Vec<String>,
    /// Category names (any case).
    #[serde(default)]
    pub categories: Vec<String>,
    /// Feeds, by their `name` or their URL: all of their entries belong to the topic.
    #[serde(default)]
    pub feeds: Vec<String>,
    /// `include`, compiled once at load.
    #[serde(skip)]
    #[schemars(skip)]
    pub include_re: Vec<Regex>,
    /// The subscription URLs `feeds` names, resolved at load.
    #[serde(skip)]
    #[schemars(skip)]
    pub feed_urls: Vec<String>,
}

impl Topic {
    /// The slug its files are named after: the one set, else one derived from the name.
    pub fn slug(&self) -> String {
        match &self.slug {
            Some(s) => s.trim().to_owned(),
            None => slug::slugify(&self.name),
        }
    }
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
    /// The pages' language, BCP 47 (`en`, `fr`, `pt-BR`): their words, day and month names,
    /// `<html lang>` and the feeds' `xml:lang`. The words exist in en, fr, de, es, it, pt, nl.
    #[serde(default = "default_language")]
    pub language: String,
    /// The IANA time zone of the pages' days and times (`UTC`, `Europe/Paris`): a day ends at
    /// its midnight. Feeds keep RFC 3339 dates.
    #[serde(default = "default_timezone")]
    pub timezone: String,
    /// How much of each entry every feed shows unless it says otherwise (`display` of a feed
    /// wins).
    #[serde(default)]
    pub display: Option<Display>,
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
    #[schemars(range(min = 1))]
    #[serde(default = "default_items_per_page")]
    pub items_per_page: usize,
    /// How many feeds are fetched at once.
    #[schemars(range(min = 1))]
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
    #[schemars(range(min = 1))]
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
    /// WebSub hubs (<https://www.w3.org/TR/websub/>): named in every feed, and told after each
    /// run in which a feed changed, so subscribers hear of new entries at once.
    #[serde(default)]
    pub hubs: Vec<Url>,
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
    #[schemars(range(min = 1))]
    pub max_items: Option<usize>,
    /// How much of each entry the pages show; the planet's `display` when not set.
    #[serde(default)]
    pub display: Option<Display>,
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
fn default_timezone() -> String {
    "UTC".to_owned()
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

impl Config {
    /// How much of a feed's entries the pages show: its own `display`, else the planet's.
    pub fn display_of(&self, feed: &FeedConfig) -> Display {
        feed.display.or(self.planet.display).unwrap_or_default()
    }
}

impl Planet {
    /// The time zone of the pages (UTC when the name is unknown; the config refuses that).
    pub fn tz(&self) -> chrono_tz::Tz {
        crate::locale::time_zone(&self.timezone).unwrap_or(chrono_tz::Tz::UTC)
    }

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
    match lint(text) {
        (Some(config), problems) if problems.is_empty() => Ok(config),
        (_, problems) => Err(Error::Invalid {
            path: path.to_owned(),
            problems,
        }),
    }
}

/// Every problem of a config text, in the file's order, and the config made of what could be
/// read (feeds that cannot stand are set aside), for `planet check`.
pub fn lint(text: &str) -> (Option<Config>, Vec<Problem>) {
    let (config, mut problems, _) = validate::read(text);
    problems.sort_by_key(|p| p.line.unwrap_or(usize::MAX));
    (config, problems)
}

/// Reads and parses a config file, then makes its paths absolute against the file's folder.
pub fn load(path: &Path) -> Result<Config, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Read {
        path: path.to_owned(),
        source: e,
    })?;
    let mut config = parse(&text, path)?;
    resolve_paths(&mut config, path);
    Ok(config)
}

/// Makes the config's paths absolute against the folder of the file it came from.
pub fn resolve_paths(config: &mut Config, path: &Path) {
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
        assert_eq!(c.feeds[0].display, Some(Display::Excerpt));
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
    fn feed_options_have_defaults() {
        let text = format!("{MINIMAL}[[feeds]]\nurl = \"https://a.test/f\"\n");
        let c = parse(&text, Path::new("p.toml")).unwrap();
        let f = &c.feeds[0];
        assert!(f.enabled && !f.ignore_dates && c.display_of(f) == Display::Full);
        assert_eq!(c.planet.new_feed_items, 3);
    }

    #[test]
    fn an_invalid_config_lists_every_problem_under_the_file() {
        let text = format!("{MINIMAL}items_per_page = 0\ncolour = 1\n");
        let err = parse(&text, Path::new("p.toml")).unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid config `p.toml`:\n  line 5: `[planet]`: `items_per_page` must be 1 or more, not `0`\n  line 6: `[planet]`: unknown key `colour`"
        );
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
