//! `planet init`: a new `planet.toml`, commented, to start a planet from.
//!
//! [`text`] is the file: the three required keys (filled from what the operator gave, else
//! placeholders that still pass `planet check`, so a new planet runs at once), every common
//! key commented out at its default with a word on what it does, and one example feed,
//! commented out too, so the first `planet run` fetches nothing it was not asked to.
//! [`write`](fn@write) puts it on disk without ever replacing a file that is already there.
//! `planet import` uses the same file when there is no `planet.toml` yet. This module does not
//! know the config's types: a test checks that the defaults written here are the loader's.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The required keys of `[planet]`, as far as the operator gave them.
#[derive(Debug, Clone, Default)]
pub struct Fill {
    /// `name`.
    pub name: Option<String>,
    /// `link`.
    pub link: Option<String>,
    /// `owner_name`.
    pub owner: Option<String>,
}

/// What a placeholder holds until the operator sets it: values `planet check` accepts, that
/// read as placeholders on the page.
const PLACEHOLDERS: [(&str, &str, &str); 3] = [
    ("name", "My Planet", "the page's title and the feeds' title"),
    (
        "link",
        "https://planet.example.com/",
        "where output/ is published: absolute links derive from it",
    ),
    (
        "owner_name",
        "Planet Owner",
        "who runs the planet: the page's footer, the feeds' author",
    ),
];

impl Fill {
    /// The required keys still holding a placeholder, for the message that follows `init`.
    pub fn placeholders(&self) -> Vec<&'static str> {
        [&self.name, &self.link, &self.owner]
            .iter()
            .zip(PLACEHOLDERS)
            .filter(|(given, _)| given.is_none())
            .map(|(_, (key, _, _))| key)
            .collect()
    }
}

/// Why the file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file is already there: it is left as it is.
    #[error("`{}` already exists: it was left unchanged", path.display())]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// The folder or the file could not be written.
    #[error("cannot write `{}`", path.display())]
    Write {
        /// The folder or file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// The rest of `[planet]`, every key commented out at its default (or, for keys without one,
/// an example), then the example feed.
const REST: &str = r#"# owner_email = "you@example.com"           # also sent as the HTTP From header, so feed hosts can reach you
# description = "What our community writes" # one line under the title, and the feeds' subtitle
# language = "en"                           # the page's language (BCP 47)

# Where things go, relative to this file.
# output_dir = "output"                     # the published files: serve this folder
# cache_dir = "cache"                       # the SQLite cache
# templates_dir = "theme"                   # files here override the built-in theme (see `planet theme`)

# The page and the feeds.
# items_per_page = 60                       # entries on the page and in the feeds
# new_feed_items = 3                        # a new subscription shows at most its newest 3 entries
# sort_by = "published"                     # or "updated": an edited entry comes back to the top
# stale_days = 90                           # a feed with no new entry for this long is marked quiet
# retention_days = 365                      # how long the cache keeps an entry that left its feed
# max_age_days = 30                         # entries older than this leave the page (default: none do)
# exclude = ["(?i)sponsored"]               # regexes: matching entries leave the page, from every feed
# hide = ["https://blog.example.com/oops"]  # entries (by id or link) the editors took off the page
# outputs = { rss = true, json = true, opml = true }  # rss.xml, feed.json, opml.xml; index.html and atom.xml always
# hubs = ["https://pubsubhubbub.appspot.com/"]        # WebSub hubs told whenever the feeds change

# Fetching, politely.
# concurrency = 16                          # feeds fetched at once
# per_host_concurrency = 2                  # requests to one host at once
# connect_timeout_secs = 10
# timeout_secs = 30                         # one whole request
# run_timeout_secs = 600                    # the whole fetch, pings to the hubs included
# max_feed_bytes = 10485760                 # 10 MiB, after decompression

# One [[feeds]] table per feed. `planet add URL` appends one (given a blog's home page, it
# finds the blog's feed). A feed may also set `name`, `link`, `face`, `enabled`, `display`
# ("full", "excerpt" or "title"), `max_items`, `include`, `exclude`, `categories` and
# `ignore_dates`. Uncomment this example, or run `planet add`:
#
# [[feeds]]
# url = "https://blog.rust-lang.org/feed.xml"
# name = "Rust Blog"
"#;

/// The whole file.
pub fn text(fill: &Fill) -> String {
    let mut out = String::from(
        "# planet.toml: the configuration of a planet, written by `planet init`.\n\
         # `planet check` checks it; `planet schema` prints a JSON Schema of it for editors.\n\
         # A key commented out below shows its default.\n\n[planet]\n",
    );
    let given = [&fill.name, &fill.link, &fill.owner];
    for (value, (key, placeholder, what)) in given.into_iter().zip(PLACEHOLDERS) {
        let line = format!(
            "{key} = {}",
            toml_edit::Value::from(value.as_deref().unwrap_or(placeholder))
        );
        let note = if value.is_some() {
            ""
        } else {
            "PLACEHOLDER, set it: "
        };
        out.push_str(&format!("{line:<43} # {note}{what}\n"));
    }
    out.push_str(REST);
    out
}

/// Writes [`text`] to `path` (its folder made if missing); a file already there is an error
/// and stays as it was.
pub fn write(path: &Path, fill: &Fill) -> Result<(), Error> {
    let write_err = |path: &Path| {
        let path = path.to_owned();
        move |source| Error::Write { path, source }
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(write_err(dir))?;
    }
    // `create_new` refuses atomically: no window in which another process's file is replaced.
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(Error::Exists {
                path: path.to_owned(),
            })
        }
        opened => opened.map_err(write_err(path))?,
    };
    file.write_all(text(fill).as_bytes())
        .map_err(write_err(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines of `[planet]` that show a default, uncommented; keys with no default are
    /// shown as examples and stay commented.
    fn with_defaults_uncommented(text: &str) -> String {
        const EXAMPLES: &[&str] = &[
            "owner_email",
            "description",
            "templates_dir",
            "max_age_days",
            "exclude",
            "hide",
            "hubs",
        ];
        let mut in_planet = false;
        text.lines()
            .map(|line| {
                if line.trim_start_matches("# ").starts_with('[') {
                    in_planet = line == "[planet]";
                } else if let Some(rest) = line.strip_prefix("# ") {
                    let key = rest.split(" = ").next().unwrap_or_default();
                    let is_key = rest.contains(" = ")
                        && key.chars().all(|c| c.is_ascii_lowercase() || c == '_');
                    if in_planet && is_key && !EXAMPLES.contains(&key) {
                        return format!("{rest}\n");
                    }
                }
                format!("{line}\n")
            })
            .collect()
    }

    #[test]
    fn the_defaults_written_are_the_loaders() {
        let text = text(&Fill::default());
        let uncommented = with_defaults_uncommented(&text);
        assert!(
            uncommented.matches('\n').count() == text.matches('\n').count()
                && uncommented.contains("\nitems_per_page = 60")
                && uncommented.contains("\noutputs = {"),
            "{uncommented}"
        );
        let path = Path::new("planet.toml");
        let plain = crate::config::parse(&text, path).unwrap();
        let spelt = crate::config::parse(&uncommented, path).unwrap();
        assert_eq!(format!("{:?}", plain.planet), format!("{:?}", spelt.planet));
    }

    #[test]
    fn filled_keys_are_written_as_given() {
        let filled = Fill {
            name: Some("Planet \"Rust\" \\ friends".into()),
            link: Some("https://rust.example.org/planet/".into()),
            owner: Some("Ferris".into()),
        };
        let config = crate::config::parse(&text(&filled), Path::new("planet.toml")).unwrap();
        assert_eq!(config.planet.name, "Planet \"Rust\" \\ friends");
        assert_eq!(
            config.planet.link.as_str(),
            "https://rust.example.org/planet/"
        );
        assert_eq!(config.planet.owner_name, "Ferris");
        assert_eq!(filled.placeholders(), Vec::<&str>::new());
        assert_eq!(
            Fill::default().placeholders(),
            ["name", "link", "owner_name"]
        );
    }

    #[test]
    fn the_example_feed_is_a_feed_once_uncommented() {
        let text = text(&Fill::default()).replace("# [[feeds]]\n# url", "[[feeds]]\nurl");
        let text = text.replace("# name = \"Rust Blog\"", "name = \"Rust Blog\"");
        let config = crate::config::parse(&text, Path::new("planet.toml")).unwrap();
        assert_eq!(config.feeds.len(), 1);
    }

    #[test]
    fn write_never_replaces_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new/planet.toml");
        write(&path, &Fill::default()).unwrap();
        std::fs::write(&path, "mine").unwrap();
        let err = write(&path, &Fill::default()).unwrap_err();
        assert!(matches!(err, Error::Exists { .. }), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
    }
}
