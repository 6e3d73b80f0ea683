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

impl Planet {
    /// The connect timeout as a duration.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_secs(self.connect_timeout_secs)
    }

    /// The whole-request timeout as a duration.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }
}

/// Parses a config from text; `path` only names the file in errors. Paths stay as written.
pub fn parse(text: &str, path: &Path) -> Result<Config, Error> {
    let config: Config = toml::from_str(text).map_err(|e| Error::Syntax {
        path: path.to_owned(),
        source: Box::new(e),
    })?;
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
    if !matches!(p.link.scheme(), "http" | "https") {
        return Err(format!(
            "`planet.link` must be an http(s) URL, not `{}`",
            p.link
        ));
    }
    let mut seen = HashSet::new();
    for feed in &config.feeds {
        // Found only for a message: a search per feed would make loading quadratic (issue 6).
        let at = || {
            line_of(text, feed.url.as_str())
                .map(|l| format!(" (line {l})"))
                .unwrap_or_default()
        };
        if !matches!(feed.url.scheme(), "http" | "https") {
            return Err(format!(
                "feed `{}`{}: only http and https feeds can be fetched",
                feed.url,
                at()
            ));
        }
        if !seen.insert(feed.url.as_str()) {
            return Err(format!("feed `{}`{} is listed twice", feed.url, at()));
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
