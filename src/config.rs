//! `planet.toml`: what the operator wrote, checked and made absolute.
//!
//! `parse` turns a string into a [`Config`] (unknown keys are errors that name the key and its line,
//! thanks to `toml`'s spans); `load` reads a file and resolves relative paths against the file's
//! folder, so cron can run `planet` from any working directory. Nothing here touches the network.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

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
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Planet-wide settings.
    pub planet: Planet,
    /// The subscriptions, in the order the operator wrote them.
    #[serde(default)]
    pub feeds: Vec<FeedConfig>,
}

/// The `[planet]` table.
#[derive(Debug, Clone, Deserialize)]
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
}

/// `[planet] outputs = { rss = true, json = true, opml = true }`: each optional output on or off.
/// All on by default, so a new planet is readable by every kind of reader.
#[derive(Debug, Clone, Deserialize)]
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

/// How much of a feed's entries the planet republishes: some authors prefer to be linked
/// rather than copied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Show {
    /// The whole (sanitized) content.
    #[default]
    Full,
    /// The first words of the content as plain text, with a link to the rest.
    Excerpt,
    /// The title and link only.
    Title,
}

/// One `[[feeds]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedConfig {
    /// The feed's URL (RSS, Atom or JSON Feed); the key under which it is cached.
    pub url: Url,
    /// Display name; defaults to the feed's own title.
    #[serde(default)]
    pub name: Option<String>,
    /// The line of `planet.toml` that names the URL, for messages asking the operator to edit it.
    #[serde(skip)]
    pub line: Option<usize>,
    /// How much of each entry to republish: `full` (default), `excerpt` or `title`.
    #[serde(default)]
    pub show: Show,
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
    let mut config: Config = toml::from_str(text).map_err(|e| Error::Syntax {
        path: path.to_owned(),
        source: Box::new(e),
    })?;
    for feed in &mut config.feeds {
        feed.line = line_of(text, &format!("\"{}\"", feed.url))
            .or_else(|| line_of(text, feed.url.as_str()));
    }
    check(&config, text).map_err(|message| Error::Invalid {
        path: path.to_owned(),
        message,
    })?;
    Ok(config)
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

/// The 1-based line on which `needle` first appears in the config text, for messages.
pub fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}

fn check(config: &Config, text: &str) -> Result<(), String> {
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
        let at = line_of(text, feed.url.as_str())
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
    fn reads_outputs_and_show() {
        let text = format!(
            "{MINIMAL}outputs = {{ json = false }}\n[[feeds]]\nurl = \"https://a.test/f\"\nshow = \"excerpt\"\n"
        );
        let c = parse(&text, Path::new("p.toml")).unwrap();
        assert!(c.planet.outputs.rss && !c.planet.outputs.json && c.planet.outputs.opml);
        assert_eq!(c.feeds[0].show, Show::Excerpt);
        let bad = text.replace("json = false", "atom = false");
        assert!(parse(&bad, Path::new("p.toml")).is_err());
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
        assert!(err.contains("line 6"), "{err}");
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
